#!/bin/sh
# examples/shen2025/run.sh runs from the released files to its tables: six Task-1 summaries
# and Claude Sonnet 4's tables by country and topic, each with the rows it must have.
# Exit 77 when the shared data or Debian's python3 is missing.
# Usage: sh example_shen2025.sh VAGAP SOURCE_DIR SHARED_DATASETS
set -u
vagap=$1 src=$2 shared=$3
[ -d "$shared/shen2025/outputs" ] || { echo "skipped: $shared/shen2025 not found"; exit 77; }
[ -x /usr/bin/python3 ] || { echo "skipped: /usr/bin/python3 not found"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
PYTHON=/usr/bin/python3 sh "$src/examples/shen2025/run.sh" "$vagap" "$shared/shen2025" "$tmp/out" || exit 1
fail=0
n=$(ls "$tmp"/out/t1_*.csv | wc -l)
[ "$n" -eq 6 ] || { echo "expected 6 Task-1 tables, got $n"; fail=1; }
for f in "$tmp"/out/t1_*.csv; do
  rows=$(grep -c '^t1_mean,' "$f")
  [ "$rows" -eq 56 ] || { echo "$f: $rows t1_mean rows, expected 56"; fail=1; }
done
for by in country topic; do
  f=$tmp/out/claude_$by.csv
  [ "$(grep -c "^f1,$by," "$f")" -eq "$([ $by = country ] && echo 12 || echo 11)" ] ||
    { echo "$f: wrong number of f1 rows"; fail=1; }
  # every unanswered pair (two table rows) leaves one cell missing, filled once
  awk -F, '{v[$1]=$5} END {exit !(v["t2_cells_filled"] == v["t2_cells_missing"] &&
    v["t2_cells_missing"] == (v["t2_items"] - v["t2_answered"]) / 2 && v["t2_cells_missing"] > 0)}' "$f" ||
    { echo "$f: missing/filled cells do not match the unanswered pairs"; fail=1; }
done
[ $fail -eq 0 ] && echo "example_shen2025: tables complete"
exit $fail
