#!/bin/sh
# examples/vaar/run.sh still runs end to end (with 20 resamples) and writes its
# tables; the plot step runs when R with ggplot2 is installed and must then
# produce both PDFs.
# Usage: sh example_vaar.sh VAGAP SOURCE_DIR SHARED_DATASETS
set -u
vagap=$1 src=$2
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
sh "$src/examples/vaar/run.sh" "$vagap" "$tmp/out" 20 > "$tmp/log" 2>&1 ||
  { echo "FAIL: run.sh exited $?"; tail -20 "$tmp/log"; exit 1; }
status=0
for f in invariance.csv estimates.csv vaar_expect.csv vaar_boot.csv; do
  [ -s "$tmp/out/$f" ] || { echo "FAIL: $f missing or empty"; status=1; }
done
if grep -q '^== 5. plot' "$tmp/log"; then
  for f in paths.pdf vaar.pdf; do
    [ -s "$tmp/out/$f" ] || { echo "FAIL: $f missing"; status=1; }
  done
fi
[ "$(grep -c ',vaar\.strict,' "$tmp/out/vaar_boot.csv")" = 7 ] || { echo "FAIL: expected 7 VAAR rows"; status=1; }
[ $status = 0 ] && echo "ok: example ran ($(grep -c '^==' "$tmp/log") steps)"
exit $status
