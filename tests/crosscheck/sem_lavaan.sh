#!/bin/sh
# Cross-check of vagap sem against R/lavaan (the oracle of issue 6).
# Usage: sh sem_lavaan.sh VAGAP_BINARY SOURCE_DIR [SHARED_DATASETS_DIR]
# Exits 77 (skipped) when Rscript or lavaan is not installed.
VAGAP=$1
SRC=$2
HERE=$SRC/tests/crosscheck
. "$HERE/lib/lavaan.sh"
lavaan_setup
Rscript "$HERE/sem_lavaan.R" prepare "$TMP" || { echo "FAIL: lavaan reference fits"; exit 1; }
status=0
lavaan_fit_cases
for lav in "$TMP"/*.invmodel; do
  case=$(basename "$lav" .invmodel)
  data="$TMP/$(cat "$TMP/$case.inv.data").csv"
  set --
  while IFS= read -r a; do [ -n "$a" ] && set -- "$@" "$a"; done < "$TMP/$case.inv.args"
  "$VAGAP" sem --quiet --digits 17 --model "$lav" "$@" "$data" > "$TMP/$case.out.inv.csv" ||
    { echo "FAIL: vagap sem --invariance $case exited $?"; status=1; }
done
Rscript "$HERE/sem_lavaan.R" compare "$TMP" || status=1
exit $status
