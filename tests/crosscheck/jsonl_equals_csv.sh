#!/bin/sh
# JSON Lines input gives what CSV input gives: the successful CLI golden cases
# rerun on their data converted to JSON Lines, and the shen2025 Task-2 log read
# by Python's json module versus vagap describe.  Exit 77 without python3.
# Usage: sh jsonl_equals_csv.sh VAGAP SOURCE_DIR SHARED_DATASETS
set -u
vagap=$1 src=$2 shared=$3
py=/usr/bin/python3
[ -x "$py" ] || { echo "skipped: $py not found"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
"$py" "$src/tests/crosscheck/jsonl_equals_csv.py" "$vagap" "$src" "$shared" "$tmp"
