#!/bin/sh
# Cost of robust ML against plain ML in vagap sem (issue 15: MLR costs at most
# 1.5x ML), on the 24-indicator, 4-factor, 4 x 500 model of sem_bench.R, and
# lavaan's own MLR/ML ratio in the same run.  On demand (not part of ctest):
#   sh tests/bench/sem_robust_bench.sh build/vagap [REPS]
# Reports best-of-REPS CPU time of the whole vagap process (user + system, so
# that other load on the shared machine does not count), the fit-only CPU time
# (tests/bench/sem_fit_time.c, compiled here against the build's libvagap.a:
# data read and model built once, vagap_sem_fit_data timed) and the load average.
VAGAP=${1:?usage: sem_robust_bench.sh VAGAP [REPS]}
REPS=${2:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
command -v Rscript >/dev/null 2>&1 || { echo "Rscript not found"; exit 77; }
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT INT TERM
echo "load average: $(cat /proc/loadavg)"
Rscript "$HERE/sem_bench.R" "$TMP" 1 > /dev/null || exit 1
cpu() { # best CPU seconds of REPS measurements, each the mean of 20 runs (a fit takes a few
        # hundredths of a second: one run is below /usr/bin/time's 10 ms resolution)
  for i in $(seq "$REPS"); do
    /usr/bin/time -f "%U %S" sh -c 'v=$1; shift; for k in $(seq 20); do "$v" sem --quiet "$@" > /dev/null || exit 1; done' \
      sh "$VAGAP" --model "$TMP/big.lav" --group grp "$@" "$TMP/big.csv" 2>&1 | tail -1 | awk '{print ($1 + $2) / 20}'
  done | sort -g | head -1
}
ml=$(cpu --estimator ML)
printf '%-8s %9s %9s\n' estimator cpu_s ratio_ML
printf '%-8s %9.3f %9.2f\n' ML "$ml" 1
for e in MLR MLM MLMV; do
  t=$(cpu --estimator $e)
  printf '%-8s %9.3f %9.2f\n' $e "$t" "$(echo "$t / $ml" | bc -l)"
done
# fit only: best of 20 x REPS fits per estimator inside one process
BUILD=$(cd "$(dirname "$VAGAP")" && pwd)
if cc -O2 -std=gnu11 -I"$HERE/../../include" -I"$HERE/../../src/lib/sem" "$HERE/sem_fit_time.c" "$BUILD/libvagap.a" \
     $(pkg-config --libs gsl nlopt jansson) -lcsv -lz -lm -lpthread -o "$TMP/sem_fit_time" 2> "$TMP/cc.err"; then
  "$TMP/sem_fit_time" "$TMP/big.lav" "$TMP/big.csv" grp $((20 * REPS)) ML MLR MLM MLMV > "$TMP/fit_only" || exit 1
  fml=$(awk '$1 == "ML" {print $2}' "$TMP/fit_only")
  printf '%-8s %9s %9s  (fit only, vagap_sem_fit_data)\n' estimator cpu_ms ratio_ML
  while read -r e t; do printf '%-8s %9.2f %9.2f\n' "$e" "$t" "$(echo "$t / $fml" | bc -l)"; done < "$TMP/fit_only"
else
  echo "fit only: not measured (sem_fit_time.c did not compile against $BUILD/libvagap.a)"; cat "$TMP/cc.err"
fi
Rscript - "$TMP" "$REPS" <<'R'
suppressPackageStartupMessages(library(lavaan))
a <- commandArgs(TRUE); dir <- a[1]; reps <- as.integer(a[2])
big <- read.csv(file.path(dir, "big.csv")); m <- readLines(file.path(dir, "big.lav"))
best <- function(est) min(replicate(reps, system.time(sem(m, big, group = "grp", estimator = est))[["user.self"]]))
ml <- best("ML"); mlr <- best("MLR")
cat(sprintf("lavaan   ML %.3f s, MLR %.3f s, ratio %.2f (CPU in R)\n", ml, mlr, mlr / ml))
R
echo "load average: $(cat /proc/loadavg)"
