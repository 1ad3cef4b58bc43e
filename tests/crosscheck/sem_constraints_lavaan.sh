#!/bin/sh
# Cross-check of vagap sem's modifiers and constraints against R/lavaan (issue 20).
# Usage: sh sem_constraints_lavaan.sh VAGAP_BINARY SOURCE_DIR
# Exits 77 (skipped) when Rscript or lavaan is not installed.
VAGAP=$1
SRC=$2
HERE=$SRC/tests/crosscheck
command -v Rscript >/dev/null 2>&1 || { echo "skipped: Rscript not found"; exit 77; }
Rscript -e 'quit(status = if (requireNamespace("lavaan", quietly = TRUE)) 0 else 1)' >/dev/null 2>&1 ||
  { echo "skipped: R package lavaan not installed"; exit 77; }
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT INT TERM
Rscript "$HERE/sem_constraints_lavaan.R" prepare "$TMP" || { echo "FAIL: lavaan reference fits"; exit 1; }
status=0
for lav in "$TMP"/*.lav; do
  case=$(basename "$lav" .lav)
  data="$TMP/$(cat "$TMP/$case.data").csv"
  set --
  while IFS= read -r a; do [ -n "$a" ] && set -- "$@" "$a"; done < "$TMP/$case.args"
  "$VAGAP" sem --quiet --digits 17 --model "$lav" "$@" "$data" > "$TMP/$case.out.est.csv" ||
    { echo "FAIL: vagap sem $case exited $?"; status=1; }
  "$VAGAP" sem --quiet --digits 17 --fit --model "$lav" "$@" "$data" > "$TMP/$case.out.fit.csv" ||
    { echo "FAIL: vagap sem --fit $case exited $?"; status=1; }
done
Rscript "$HERE/sem_constraints_lavaan.R" compare "$TMP" || status=1
exit $status
