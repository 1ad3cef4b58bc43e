#!/bin/sh
# F1 (sklearn.metrics.f1_score) and correlation matrices / t-tests (scipy.stats)
# versus vagap align and vagap consistency on datasets/valueaction-sim and on a
# sparse generated log with empty classes.  Exit 77 when Debian's python3 or its
# scikit-learn/scipy are missing.
# Usage: sh align_sklearn.sh VAGAP SOURCE_DIR SHARED_DATASETS
set -u
vagap=$1 src=$2
py=/usr/bin/python3
[ -x "$py" ] || { echo "skipped: $py not found"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
"$py" "$src/tests/crosscheck/align_sklearn.py" "$vagap" "$src" "$tmp"
