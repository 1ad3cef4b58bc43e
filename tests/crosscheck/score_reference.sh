#!/bin/sh
# Cross-check vagap score (run and unit scores, POMP, alpha) against the
# definitions recomputed in base R on random responses with a fixed seed:
#   sh score_reference.sh VAGAP SOURCE_DIR SHARED_DATASETS
# Exit 77 (skipped) without Rscript.
set -u
vagap=$1 src=$2
here="$src/tests/crosscheck"
command -v Rscript >/dev/null 2>&1 || { echo "skipped: Rscript is not installed"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
Rscript "$here/score_reference.R" gen "$tmp" || exit 1
for level in run unit alpha; do
  "$vagap" score --key "$tmp/key.csv" --min 1 --max 5 --min-items 3 --level "$level" \
    --digits 17 --quiet "$tmp/responses.csv" > "$tmp/vagap_$level.csv" 2> "$tmp/err_$level" ||
    { echo "FAIL: vagap score --level $level:"; cat "$tmp/err_$level"; exit 1; }
done
Rscript "$here/score_reference.R" check "$tmp"
