#!/bin/sh
# vagap align --procedure shen2025 versus an independent re-run of the authors' notebook
# steps (pandas, numpy, scikit-learn) on the released files in ../shared/datasets/shen2025:
# every number vagap prints, at 1e-12; counts and ranks exactly.  Exit 77 (skipped) when
# Debian's python3 with pandas/numpy/scikit-learn or the shared files are missing.
# Usage: sh shen2025_notebook.sh VAGAP SOURCE_DIR SHARED_DATASETS
set -u
vagap=$1 src=$2 shared=$3
py=/usr/bin/python3
[ -x "$py" ] || { echo "skipped: $py not found"; exit 77; }
[ -d "$shared/shen2025/outputs" ] || { echo "skipped: $shared/shen2025 not found"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
"$py" "$src/tests/crosscheck/shen2025_notebook.py" "$vagap" "$src" "$shared" "$tmp"
