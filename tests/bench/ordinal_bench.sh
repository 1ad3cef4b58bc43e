#!/bin/sh
# Whole-fit time of vagap sem --ordered (WLSMV, polychorics included) against
# lavaan's cfa(ordered = TRUE) measured inside R, same data.  On demand:
#   sh tests/bench/ordinal_bench.sh build/vagap [REPS] [big]
# Target (issue 16): >= 30x on 24 five-category items, 4 factors, 4 groups x 500;
# >= 50x on 10 groups x 2000 ("big").  Best of REPS; the load average is printed.
VAGAP=${1:?usage: ordinal_bench.sh VAGAP [REPS] [big]}
REPS=${2:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
command -v Rscript >/dev/null 2>&1 || { echo "Rscript not found"; exit 77; }
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT INT TERM
echo "load average before: $(cat /proc/loadavg)"
Rscript "$HERE/ordinal_bench.R" "$TMP" "$REPS" "${3:-}" || exit 1
. "$HERE/lib.sh"
printf '%-14s %10s %10s %9s\n' case vagap_s lavaan_s speedup
while IFS=, read -r case lav; do
  case=$(echo "$case" | tr -d '"')
  [ "$case" = case ] && continue
  case $case in
    ord_4x500) v=$(vtime --model "$TMP/ord.lav" --ordered --group grp "$TMP/ord.csv") ;;
    ord_10x2000) v=$(vtime --model "$TMP/ord.lav" --ordered --group grp "$TMP/ord10.csv") ;;
  esac
  printf '%-14s %10.4f %10.4f %8.1fx\n' "$case" "$v" "$lav" "$(echo "$lav / $v" | bc -l)"
done < "$TMP/lavaan_times.csv"
echo "load average after: $(cat /proc/loadavg)"
