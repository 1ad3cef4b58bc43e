#!/bin/sh
# Cross-check of vagap sem --missing ml/ml.x (FIML) against R/lavaan (issue 15):
# estimates, SEs (observed and expected information), every fit measure and the
# coverage matrix of --summary on data generated at test time.
# Usage: sh sem_fiml_lavaan.sh VAGAP_BINARY SOURCE_DIR
# Exits 77 (skipped) when Rscript or lavaan is not installed.
VAGAP=$1
SRC=$2
HERE=$SRC/tests/crosscheck
. "$HERE/lib/lavaan.sh"
lavaan_setup
Rscript "$HERE/sem_fiml_lavaan.R" prepare "$TMP" || { echo "FAIL: lavaan reference fits"; exit 1; }
status=0
lavaan_fit_cases
# the coverage matrices printed by --summary (lower triangles, group by group)
for lav in "$TMP"/*.lav; do
  case=$(basename "$lav" .lav)
  grep -q -- '--missing' "$TMP/$case.args" || continue
  set --
  while IFS= read -r a; do [ -n "$a" ] && set -- "$@" "$a"; done < "$TMP/$case.args"
  "$VAGAP" sem --quiet --summary --model "$lav" "$@" "$TMP/$(cat "$TMP/$case.data").csv" |
    awk '/Coverage \(lavInspect/ { inblock = 1; header = 1; next }
         inblock && header { header = 0; next }
         inblock && NF >= 2 && $2 ~ /^[0-9.]+$/ { for (i = 2; i <= NF; i++) print $i; next }
         { inblock = 0 }' > "$TMP/$case.out.coverage" ||
    { echo "FAIL: vagap sem --summary $case"; status=1; }
done
Rscript "$HERE/sem_fiml_lavaan.R" compare "$TMP" || status=1
exit $status
