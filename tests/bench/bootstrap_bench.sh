#!/bin/sh
# Bootstrap benchmark (issues 7, 14): vagap sem --bootstrap B (whole process, all
# cores) against lavaan's bootstrapLavaan(fit, R = LAV_B, FUN = "coef") timed
# inside R, in the same run, per resample.  MODEL=privacy (default): the 4-group
# privacy model (datasets/privacy-prosocial-sim, groups human, llm_a, llm_b,
# llm_c; equal loadings); MODEL=big24: 4 groups x 500 rows, 24 indicators, 4
# factors, a chain of regressions (scale_bench.R gen 500 4 24).  Each side runs
# REPS times (default 3); the best elapsed and the best CPU time (user + system:
# on a shared machine the elapsed time mostly measures waiting for a core) are
# printed with the load average; vagap runs with --threads THREADS (default 2)
# and with one thread (the CPU ratio is one thread's; the elapsed ratio is
# THREADS'); BASE=/path/to/other/vagap times a second
# build beside it (before/after).  Also prints both bootstrap SEs of the
# structural paths (they agree within Monte-Carlo error, not digit for digit:
# the random streams differ).
# Run on demand (not part of ctest):
#   sh tests/bench/bootstrap_bench.sh build/vagap [B]   (env MODEL, REPS, LAV_B, BASE, THREADS)
VAGAP=${1:?usage: bootstrap_bench.sh VAGAP [B]}
B=${2:-1000}
MODEL=${MODEL:-privacy}
REPS=${REPS:-3}
THREADS=${THREADS:-2}
HERE=$(cd "$(dirname "$0")/../.." && pwd)
command -v Rscript >/dev/null 2>&1 || { echo "Rscript not found"; exit 77; }
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT INT TERM
case $MODEL in
  privacy)
    awk -F, 'NR == 1 || $2 == "human" || $2 == "llm_a" || $2 == "llm_b" || $2 == "llm_c"' \
      "$HERE/datasets/privacy-prosocial-sim/survey.csv" > "$TMP/d.csv"
    cp "$HERE/examples/vaar/model.lav" "$TMP/d.lav"
    group=group equal=loadings LAV_B=${LAV_B:-$B} ;;
  big24)
    Rscript "$HERE/tests/bench/scale_bench.R" gen 500 4 24 "$TMP/d.csv" || exit 1
    group=grp equal= LAV_B=${LAV_B:-100} ;;
  *) echo "MODEL must be privacy or big24"; exit 2 ;;
esac
# best elapsed and best CPU seconds of REPS runs of a vagap binary ($1) on $2 threads:
# "elapsed cpu load"
time_vagap() {
  be= bc_= bl=
  for i in $(seq "$REPS"); do
    l=$(cut -d' ' -f1 /proc/loadavg)
    s=$(date +%s.%N)
    /usr/bin/time -f '%U %S' -o "$TMP/time" "$1" sem --quiet --model "$TMP/d.lav" --group "$group" \
      ${equal:+--group-equal "$equal"} --bootstrap "$B" --seed 1 --threads "$2" "$TMP/d.csv" > "$TMP/vagap.csv" \
      2> "$TMP/vagap.err" || {
      cat "$TMP/vagap.err" >&2; exit 1; }
    e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc -l)
    c=$(awk '{print $1 + $2}' "$TMP/time")
    if [ -z "$be" ] || [ "$(echo "$t < $be" | bc -l)" = 1 ]; then be=$t; fi
    if [ -z "$bc_" ] || [ "$(echo "$c < $bc_" | bc -l)" = 1 ]; then bc_=$c; bl=$l; fi
  done
  echo "$be $bc_ $bl"
}
echo "load average before: $(cat /proc/loadavg)"
set -- $(time_vagap "$VAGAP" 1)
vt1=$1 vc=$2 vl=$3
cp "$TMP/vagap.csv" "$TMP/vagap_1.csv"
set -- $(time_vagap "$VAGAP" "$THREADS")
vt=$1 vct=$2
cmp -s "$TMP/vagap.csv" "$TMP/vagap_1.csv" || echo "WARNING: 1 and $THREADS threads printed different tables"
bt=NA bcpu=NA
if [ -n "${BASE:-}" ]; then
  cp "$TMP/vagap.csv" "$TMP/vagap_new.csv"
  set -- $(time_vagap "$BASE" 1)
  bt=$1 bcpu=$2
  cmp -s "$TMP/vagap.csv" "$TMP/vagap_new.csv" || echo "note: BASE printed a different table (diff below)"
  diff "$TMP/vagap.csv" "$TMP/vagap_new.csv" | head -20
  mv "$TMP/vagap_new.csv" "$TMP/vagap.csv"
fi
grep -h "failed" "$TMP/vagap.err"
Rscript - "$TMP/d.csv" "$TMP/d.lav" "$B" "$TMP/vagap.csv" "$vt" "$vc" "$group" "$equal" "$LAV_B" "$REPS" \
  "$MODEL" "$vl" "$bt" "$bcpu" "$vt1" "$vct" "$THREADS" <<'R'
suppressMessages(library(lavaan))
a <- commandArgs(TRUE)
d <- read.csv(a[1]); B <- as.integer(a[3]); LB <- as.integer(a[9]); reps <- as.integer(a[10])
fit <- sem(paste(readLines(a[2]), collapse = "\n"), d, group = a[7],
           group.equal = if (nzchar(a[8])) a[8] else "")
best_t <- best_c <- Inf; lav_load <- NA
for (i in seq_len(reps)) {
  l <- scan("/proc/loadavg", what = "", quiet = TRUE)[1]
  set.seed(1)
  st <- system.time(boot <- bootstrapLavaan(fit, R = LB, FUN = "coef", parallel = "no"))
  best_t <- min(best_t, st[["elapsed"]])
  c <- st[["user.self"]] + st[["sys.self"]]
  if (c < best_c) { best_c <- c; lav_load <- l }
}
vt <- as.numeric(a[5]); vc <- as.numeric(a[6])
cat(sprintf("%s, %d groups, %d cores, best of %d; vagap B = %d, lavaan bootstrapLavaan R = %d (per resample):\n",
            a[11], lavInspect(fit, "ngroups"), parallel::detectCores(), reps, B, LB))
vt1 <- as.numeric(a[15]); vct <- as.numeric(a[16]); nt <- a[17]
cat(sprintf("  CPU, vagap 1 thread:   vagap %.3f ms, lavaan %.2f ms, ratio %.1fx (load at the best CPU runs: vagap %s, lavaan %s)\n",
            1000 * vc / B, 1000 * best_c / LB, (best_c / LB) / (vc / B), a[12], lav_load))
cat(sprintf("  elapsed, vagap 1 thread: vagap %.3f ms, lavaan %.2f ms, ratio %.1fx\n", 1000 * vt1 / B, 1000 * best_t / LB,
            (best_t / LB) / (vt1 / B)))
cat(sprintf("  elapsed, vagap %s threads: vagap %.3f ms (CPU %.3f ms), ratio %.1fx; speed-up over 1 thread %.2f\n",
            nt, 1000 * vt / B, 1000 * vct / B, (best_t / LB) / (vt / B), vt1 / vt))
if (a[13] != "NA")
  cat(sprintf("  BASE vagap, 1 thread: elapsed %.3f ms, CPU %.3f ms per resample (CPU ratio to lavaan %.1fx)\n",
              1000 * as.numeric(a[13]) / B, 1000 * as.numeric(a[14]) / B,
              (best_c / LB) / (as.numeric(a[14]) / B)))
pt <- parTable(fit)
v <- read.csv(a[4])
reg <- which(pt$op == "~")
lav_se <- apply(boot[, pt$free[reg], drop = FALSE], 2, sd, na.rm = TRUE)
vag <- v[v$op == "~", ]
cat(sprintf("lavaan failed resamples: %d of %d\n", sum(is.na(boot[, 1])), LB))
print(data.frame(group = pt$group[reg], path = paste(pt$lhs[reg], "~", pt$rhs[reg]),
                 se_vagap = vag$se, se_lavaan = unname(lav_se), ratio = vag$se / unname(lav_se)),
      digits = 4)
R
echo "load average after: $(cat /proc/loadavg)"
