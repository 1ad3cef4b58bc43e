#!/bin/sh
# Corpus cross-check: lavaan's manual-page examples and tutorial models, fitted by
# lavaan and by vagap sem (issue 20).  Prints how many fits vagap accepts and how
# many agree; fails when an accepted fit disagrees.
# Usage: sh sem_corpus_lavaan.sh VAGAP_BINARY SOURCE_DIR
# Exits 77 (skipped) when Rscript or lavaan is not installed.
VAGAP=$1
SRC=$2
HERE=$SRC/tests/crosscheck
. "$HERE/lib/lavaan.sh"
lavaan_setup
Rscript "$HERE/sem_corpus_lavaan.R" prepare "$TMP" >/dev/null 2>"$TMP/prepare.log" ||
  { cat "$TMP/prepare.log"; echo "FAIL: lavaan reference fits"; exit 1; }
for lav in "$TMP"/*.lav; do
  [ -f "$lav" ] || continue
  case=$(basename "$lav" .lav)
  data="$TMP/$(cat "$TMP/$case.data").csv"
  set --
  while IFS= read -r a; do [ -n "$a" ] && set -- "$@" "$a"; done < "$TMP/$case.args"
  if "$VAGAP" sem --quiet --digits 17 --model "$lav" "$@" "$data" > "$TMP/$case.out.est.csv" 2> "$TMP/$case.err"; then
    "$VAGAP" sem --quiet --digits 17 --fit --model "$lav" "$@" "$data" > "$TMP/$case.out.fit.csv" 2>> "$TMP/$case.err"
  else
    : > "$TMP/$case.out.est.csv"
  fi
done
Rscript "$HERE/sem_corpus_lavaan.R" compare "$TMP"
