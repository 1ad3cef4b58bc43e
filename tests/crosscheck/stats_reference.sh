#!/bin/sh
# Cross-check vagap ttest/corr/prop against scipy and R on random data sets
# with fixed seeds: sh stats_reference.sh VAGAP SOURCE_DIR SHARED_DATASETS
# Exit 77 (skipped) when /usr/bin/python3 lacks numpy/scipy or Rscript is
# absent; 1 on any disagreement beyond 1e-9 relative (see the .py).  mpmath,
# when present, checks the log-scale p-values below 1e-300.
set -u
vagap=$1 src=$2
here="$src/tests/crosscheck"
py=/usr/bin/python3
if [ ! -x "$py" ] || ! "$py" -c 'import numpy, scipy' 2>/dev/null; then
  echo "skipped: $py with numpy and scipy is not available"; exit 77
fi
if ! command -v Rscript >/dev/null 2>&1; then
  echo "skipped: Rscript is not installed"; exit 77
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

"$py" "$here/stats_reference.py" gen "$tmp" || exit 1
status=0
while IFS= read -r id; do
  set --
  while IFS= read -r arg; do set -- "$@" "$arg"; done < "$tmp/args_$id"
  if ! "$vagap" "$@" > "$tmp/vagap_$id.csv" 2> "$tmp/vagap_$id.err"; then
    echo "FAIL: vagap $* exited non-zero:"; cat "$tmp/vagap_$id.err"; status=1
  fi
done < "$tmp/ids.txt"
[ "$status" = 0 ] || exit 1
Rscript "$here/stats_reference.R" "$tmp" || { echo "FAIL: the R reference script failed"; exit 1; }
"$py" "$here/stats_reference.py" check "$tmp"
