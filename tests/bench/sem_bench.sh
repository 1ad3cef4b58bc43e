#!/bin/sh
# Fit time of vagap sem (whole process) against lavaan's sem()/cfa() measured
# inside R, on the same models and data.  Run on demand (not part of ctest):
#   sh tests/bench/sem_bench.sh build/vagap [REPS]
# Target (issue 6): vagap >= 50x faster on the Holzinger-Swineford models and
# on the 24-indicator, 4-factor, 3-path, 4 x 500 model (configural and scalar).
VAGAP=${1:?usage: sem_bench.sh VAGAP [REPS]}
REPS=${2:-5}
HERE=$(cd "$(dirname "$0")" && pwd)
command -v Rscript >/dev/null 2>&1 || { echo "Rscript not found"; exit 77; }
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT INT TERM
Rscript "$HERE/sem_bench.R" "$TMP" "$REPS" || exit 1
. "$HERE/lib.sh"
printf '%-16s %12s %12s %9s\n' case vagap_s lavaan_s speedup
while IFS=, read -r case lav; do
  case=$(echo "$case" | tr -d '"')
  [ "$case" = case ] && continue
  case $case in
    hs_onegroup) v=$(vtime --model "$TMP/hs.lav" "$TMP/hs.csv") ;;
    hs_configural) v=$(vtime --model "$TMP/hs.lav" --group school "$TMP/hs.csv") ;;
    hs_scalar) v=$(vtime --model "$TMP/hs.lav" --group school --group-equal loadings,intercepts "$TMP/hs.csv") ;;
    big_configural) v=$(vtime --model "$TMP/big.lav" --group grp "$TMP/big.csv") ;;
    big_scalar) v=$(vtime --model "$TMP/big.lav" --group grp --group-equal loadings,intercepts "$TMP/big.csv") ;;
  esac
  printf '%-16s %12.4f %12.4f %8.1fx\n' "$case" "$v" "$lav" "$(echo "$lav / $v" | bc -l)"
done < "$TMP/lavaan_times.csv"
