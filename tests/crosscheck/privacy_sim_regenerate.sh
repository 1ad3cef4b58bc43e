#!/bin/sh
# datasets/privacy-prosocial-sim/generate.py with its default seed reproduces
# the committed survey.csv and planted.csv byte for byte.  77 without Python 3.
# Usage: sh privacy_sim_regenerate.sh VAGAP SOURCE_DIR SHARED_DATASETS
set -u
d=$2/datasets/privacy-prosocial-sim
py=
for p in /usr/bin/python3 python3; do
  if command -v "$p" > /dev/null 2>&1; then py=$p; break; fi
done
[ -n "$py" ] || { echo "skipped: no python3"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
"$py" "$d/generate.py" --out "$tmp" || exit 1
status=0
for f in survey.csv planted.csv; do
  if cmp -s "$d/$f" "$tmp/$f"; then echo "ok: $f"; else echo "FAIL: $f differs"; status=1; fi
done
exit $status
