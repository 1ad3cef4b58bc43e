#!/bin/sh
# FIML (--missing ml) fit time of vagap sem against lavaan 0.6 and OpenMx on
# the same data: 24 indicators, 4 factors, 3 paths, 4 groups x 500, 8% MCAR
# (issue 15).  Run on demand (not part of ctest):
#   sh tests/bench/sem_fiml_bench.sh build/vagap [REPS]
#   FIML_G=1 FIML_N=300 sh tests/bench/sem_fiml_bench.sh build/vagap   (a size OpenMx finishes)
# vagap: fastest wall time of REPS runs of the whole process (estimates, SEs from
# the observed information, fit measures); lavaan and OpenMx: ONE fit each inside
# R (lavaan takes minutes).  Also a FIML bootstrap of 1000 resamples, and the
# largest difference of vagap's estimates and SEs from lavaan's.
# Targets: vagap >= 100x faster than lavaan and faster than OpenMx; the
# bootstrap within 60 s.  Measured 2026-12-05 (load 4-10 from other jobs): vagap 1.65 s
# wall / 0.81 s CPU; lavaan 499 s wall (one run); OpenMx did not finish in 75 min
# (killed); bootstrap B = 1000: 108.6 s wall, 82.5 s CPU on 2 threads.
# Smaller case FIML_G=1 FIML_N=300 (same model), 2026-12-05, load 6-9: vagap 0.464 s wall
# (best of 3; 0.19 s CPU), lavaan 7.2 s (16x), OpenMx 103 s (222x); bootstrap B = 1000: 75 s wall.
# Session 6 (lazy6: fits compute only what is printed, FIML gradient as n K - K B K and one
# R K product, FIML observed information by the chain rule), 2026-12-05, load 10-13 from other
# jobs, BEFORE = main c91255f:
#   4 x 500 (FIML_MX=0): vagap 0.840 s wall (best of 3; 0.20 s CPU), --fit 1.982 s, main 3.422 s;
#     lavaan 400.7 s (one run): 477x (202x with --fit); bootstrap B = 1000: 191 s wall at
#     load 10-12, 68.8 s CPU (main: 16.5 s CPU per 100 resamples on one thread, this 7.3 s).
#   the same after merging mlr6, load 1.3 -> 4 (06:00): vagap 0.346 s, --fit 0.803 s, main 1.077 s;
#     lavaan 103.0 s: 298x (128x with --fit; main 96x); bootstrap B = 1000: 63.5 s wall at load 4,
#     63.7 s CPU (2 threads sharing the cores with other jobs).
#   1 x 300 (FIML_MX_LIMIT=900), load 10-15: vagap 0.275 s, --fit 0.592 s, main 1.186 s; lavaan
#     50.9 s (185x), OpenMx 397.8 s (1448x); bootstrap B = 1000: 51.9 s wall, 10.6 s CPU.
VAGAP=${1:?usage: sem_fiml_bench.sh VAGAP [REPS]}
REPS=${2:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
command -v Rscript >/dev/null 2>&1 || { echo "Rscript not found"; exit 77; }
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT INT TERM
echo "load average before: $(cat /proc/loadavg)"
# FIML_G / FIML_N: a smaller case (groups, rows per group) that OpenMx can finish
Rscript "$HERE/sem_fiml_bench.R" "$TMP" ${FIML_G:-4} ${FIML_N:-500} || exit 1
echo "load average after the reference fits: $(cat /proc/loadavg)"
best() { # fastest wall time of REPS runs of vagap sem ARGS
  for i in $(seq "$REPS"); do
    s=$(date +%s.%N); "$VAGAP" sem --quiet "$@" > "$TMP/out.csv" || exit 1; e=$(date +%s.%N)
    echo "$e - $s" | bc -l
  done | sort -g | head -1
}
v=$(best --model "$TMP/fiml.lav" --group grp --missing ml "$TMP/fiml.csv")
load_v=$(cat /proc/loadavg)
# with every fit measure (--fit: the baseline, the .robust measures, ...), as lavaan's sem() fits its baseline too
vf=$(best --fit --model "$TMP/fiml.lav" --group grp --missing ml "$TMP/fiml.csv")
load_f=$(cat /proc/loadavg)
# BEFORE=path/to/an/older/vagap: the same timing of that binary in this run
if [ -n "$BEFORE" ]; then
  vb=$(VAGAP=$BEFORE; best --model "$TMP/fiml.lav" --group grp --missing ml "$TMP/fiml.csv")
  load_b=$(cat /proc/loadavg)
fi
"$VAGAP" sem --quiet --digits 17 --model "$TMP/fiml.lav" --group grp --missing ml "$TMP/fiml.csv" > "$TMP/vagap_est.csv"
Rscript -e 'a <- read.csv(commandArgs(TRUE)[1]); b <- read.csv(commandArgs(TRUE)[2]); f <- a$se > 0
  cat(sprintf("vagap vs lavaan: max |est diff| %.2g, max relative SE diff %.2g\n", max(abs(a$est - b$est)),
      max(abs(a$se[f] - b$se[f]) / a$se[f])))' "$TMP/lavaan_est.csv" "$TMP/vagap_est.csv"
lav=$(awk -F, '$1 ~ /lavaan/ {print $2}' "$TMP/ref_times.csv")
mx=$(awk -F, '$1 ~ /OpenMx/ {print $2}' "$TMP/ref_times.csv")
printf '%-28s %10s\n' tool seconds
printf '%-28s %10.3f  load %s\n' "vagap (best of $REPS)" "$v" "$load_v"
printf '%-28s %10.3f  load %s\n' "vagap --fit (best of $REPS)" "$vf" "$load_f"
[ -n "$BEFORE" ] && printf '%-28s %10.3f  load %s\n' "BEFORE (best of $REPS)" "$vb" "$load_b"
printf '%-28s %10.3f  (one run) vagap %.0fx faster\n' lavaan "$lav" "$(echo "$lav / $v" | bc -l)"
case $mx in
  NA) echo "OpenMx not run (FIML_MX=0, or apt-get install r-cran-openmx)" ;;
  -*) printf '%-28s %10s  (stopped at the limit) vagap > %.1fx faster\n' OpenMx "> ${mx#-}" "$(echo "${mx#-} / $v" | bc -l)" ;;
  *) printf '%-28s %10.3f  (one run) vagap %.1fx faster\n' OpenMx "$mx" "$(echo "$mx / $v" | bc -l)" ;;
esac
printf '%-28s lavaan/vagap %.0fx\n' "with --fit:" "$(echo "$lav / $vf" | bc -l)"
[ "${FIML_BOOT:-1}" = 0 ] && { echo "load average after: $(cat /proc/loadavg)"; exit 0; }
s=$(date +%s.%N)
/usr/bin/time -f "%U %S" -o "$TMP/boot_cpu" \
  "$VAGAP" sem --quiet --model "$TMP/fiml.lav" --group grp --missing ml --bootstrap 1000 "$TMP/fiml.csv" > /dev/null || exit 1
e=$(date +%s.%N)
printf '%-28s %10.3f  (CPU %s s user+sys)  load %s\n' "vagap FIML bootstrap B=1000" "$(echo "$e - $s" | bc -l)" \
  "$(awk '{print $1 + $2}' "$TMP/boot_cpu")" "$(cat /proc/loadavg)"
echo "load average after: $(cat /proc/loadavg)"
