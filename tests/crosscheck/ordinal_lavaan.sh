#!/bin/sh
# Cross-check of vagap sem --ordered (issue 16) against R/lavaan: thresholds,
# polychoric correlations and their SEs, estimates, robust SEs, the (scaled-
# shifted) test and fit measures, on ordinal data generated at test time.
# Usage: sh ordinal_lavaan.sh VAGAP_BINARY SOURCE_DIR [SHARED_DATASETS_DIR]
# Exits 77 (skipped) when Rscript or lavaan is not installed.
VAGAP=$1
SRC=$2
HERE=$SRC/tests/crosscheck
. "$HERE/lib/lavaan.sh"
lavaan_setup
Rscript "$HERE/ordinal_lavaan.R" prepare "$TMP" || { echo "FAIL: lavaan reference fits"; exit 1; }
status=0
lavaan_fit_cases
for lav in "$TMP"/*.lav; do
  case=$(basename "$lav" .lav)
  set --
  while IFS= read -r a; do [ -n "$a" ] && set -- "$@" "$a"; done < "$TMP/$case.args"
  "$VAGAP" sem --quiet --digits 17 --sampstat --model "$lav" "$@" "$TMP/$case.csv" > "$TMP/$case.out.ss.csv" ||
    { echo "FAIL: vagap sem --sampstat $case exited $?"; status=1; }
done
for inv in "$TMP"/*.invlav; do
  case=$(basename "$inv" .invlav)
  "$VAGAP" sem --quiet --digits 17 --model "$inv" "$(cat "$TMP/$case.invord")" --group g \
    --invariance configural,metric,scalar "$TMP/$case.csv" > "$TMP/$case.out.inv.csv" ||
    { echo "FAIL: vagap sem --invariance $case exited $?"; status=1; }
done
Rscript "$HERE/ordinal_lavaan.R" compare "$TMP" || status=1
exit $status
