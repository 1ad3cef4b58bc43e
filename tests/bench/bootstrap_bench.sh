#!/bin/sh
# Bootstrap benchmark (issue 7): B resamples of the 4-group privacy model
# (datasets/privacy-prosocial-sim, groups human, llm_a, llm_b, llm_c; equal
# loadings) with vagap sem --bootstrap (whole process, all cores) against
# lavaan's bootstrapLavaan(fit, R = B) timed inside R, in the same run; also
# prints both bootstrap SEs of the structural paths (they agree within
# Monte-Carlo error, not digit for digit: the random streams differ).  CPU
# time (user + system) of both is printed too: on a shared machine the
# elapsed time mostly measures waiting for a core.
# Run on demand (not part of ctest):  sh tests/bench/bootstrap_bench.sh build/vagap [B]
VAGAP=${1:?usage: bootstrap_bench.sh VAGAP [B]}
B=${2:-1000}
HERE=$(cd "$(dirname "$0")/../.." && pwd)
command -v Rscript >/dev/null 2>&1 || { echo "Rscript not found"; exit 77; }
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT INT TERM
awk -F, 'NR == 1 || $2 == "human" || $2 == "llm_a" || $2 == "llm_b" || $2 == "llm_c"' \
  "$HERE/datasets/privacy-prosocial-sim/survey.csv" > "$TMP/d.csv"
model=$HERE/examples/vaar/model.lav
echo "load average before: $(cat /proc/loadavg)"
s=$(date +%s.%N)
/usr/bin/time -f '%U %S' -o "$TMP/time" "$VAGAP" sem --quiet --model "$model" --group group --group-equal loadings \
  --bootstrap "$B" --seed 1 "$TMP/d.csv" > "$TMP/vagap.csv" || exit 1
e=$(date +%s.%N)
vt=$(echo "$e - $s" | bc -l)
vc=$(awk '{print $1 + $2}' "$TMP/time")
Rscript - "$TMP/d.csv" "$model" "$B" "$TMP/vagap.csv" "$vt" "$vc" <<'R'
suppressMessages(library(lavaan))
a <- commandArgs(TRUE)
d <- read.csv(a[1]); B <- as.integer(a[3])
fit <- sem(paste(readLines(a[2]), collapse = "\n"), d, group = "group", group.equal = "loadings")
set.seed(1)
st <- system.time(boot <- bootstrapLavaan(fit, R = B, FUN = "coef"))
t <- st[["elapsed"]]
tc <- st[["user.self"]] + st[["sys.self"]]
pt <- parTable(fit)
v <- read.csv(a[4])
reg <- which(pt$op == "~")
lav_se <- apply(boot[, pt$free[reg], drop = FALSE], 2, sd, na.rm = TRUE)
vag <- v[v$op == "~", ]
cat(sprintf("B = %d, 4 groups, %d cores: vagap %.2f s (whole process), lavaan bootstrapLavaan %.2f s, speed-up %.1fx\n",
            B, parallel::detectCores(), as.numeric(a[5]), t, t / as.numeric(a[5])))
cat(sprintf("CPU: vagap %.2f s (%.3f ms per resample), lavaan %.2f s (%.2f ms per resample), ratio %.1fx\n",
            as.numeric(a[6]), 1000 * as.numeric(a[6]) / B, tc, 1000 * tc / B, tc / as.numeric(a[6])))
print(data.frame(group = pt$group[reg], path = paste(pt$lhs[reg], "~", pt$rhs[reg]),
                 se_vagap = vag$se, se_lavaan = unname(lav_se), ratio = vag$se / unname(lav_se)),
      digits = 4)
R
echo "load average after: $(cat /proc/loadavg)"
