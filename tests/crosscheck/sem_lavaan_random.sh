#!/bin/sh
# Randomised cross-check of vagap sem against R/lavaan: ten random models
# (fixed seeds, so failures reproduce) with simulated data.  Exits 77 when
# Rscript or lavaan is missing.
# Usage: sh sem_lavaan_random.sh VAGAP_BINARY SOURCE_DIR [SHARED_DATASETS_DIR]
VAGAP=$1
HERE=$2/tests/crosscheck
command -v Rscript >/dev/null 2>&1 || { echo "skipped: Rscript not found"; exit 77; }
Rscript -e 'quit(status = if (requireNamespace("lavaan", quietly = TRUE)) 0 else 1)' >/dev/null 2>&1 ||
  { echo "skipped: R package lavaan not installed"; exit 77; }
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT INT TERM
status=0
for seed in 1 2 3 4 5 6 7 8 9 10; do
  d="$TMP/s$seed"
  mkdir -p "$d"
  Rscript "$HERE/sem_lavaan_random.R" gen "$seed" "$d" || { echo "seed $seed: lavaan reference failed"; status=1; continue; }
  set --
  while IFS= read -r a; do [ -n "$a" ] && set -- "$@" "$a"; done < "$d/args"
  "$VAGAP" sem --quiet --digits 17 --model "$d/m.lav" "$@" "$d/d.csv" > "$d/out.csv" &&
    "$VAGAP" sem --quiet --digits 17 --fit --model "$d/m.lav" "$@" "$d/d.csv" > "$d/outfit.csv" ||
    { echo "seed $seed: vagap sem failed"; status=1; continue; }
  printf 'seed %s: ' "$seed"
  Rscript "$HERE/sem_lavaan_random.R" cmp "$d" || { echo "seed $seed FAILED: $(cat "$d/m.lav" | tr '\n' ';') $*"; status=1; }
done
exit $status
