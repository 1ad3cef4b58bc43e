#!/bin/sh
# Cross-check of `vagap iat` against an independent implementation written in
# the test suite (tests/crosscheck/iat_reference.py: Python standard library,
# exact means and SDs from the statistics module, no vagap code) on generated
# data, for every D-score variant with the SD before and after error
# replacement, and for the association score under both empty-trial rules.
# Everything must agree to 1e-12.  Exit 77 (skipped) without /usr/bin/python3.
# Usage: iat_independent.sh VAGAP SOURCE_DIR SHARED_DATASETS
set -u
vagap=$1 src=$2
py=/usr/bin/python3
ref="$src/tests/crosscheck/iat_reference.py"
if [ ! -x "$py" ]; then echo "skipped: $py is absent"; exit 77; fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
status=0

"$py" "$ref" generate-dscore "$tmp/latency.csv" 20251123 || exit 1
for variant in D1 D2 D3 D4 D5 D6; do
  for after in 0 1; do
    flag=
    [ "$after" = 1 ] && flag=--sd-after-replacement
    "$vagap" iat --method dscore --variant $variant $flag --reliability --digits 17 --quiet \
      --test "$tmp/test.csv" "$tmp/latency.csv" > "$tmp/d.csv" 2> "$tmp/err" ||
      { echo "FAIL: vagap $variant"; cat "$tmp/err"; status=1; continue; }
    "$py" "$ref" check-dscore "$tmp/latency.csv" "$tmp/d.csv" "$tmp/test.csv" $variant $after || status=1
  done
done

"$py" "$ref" generate-assoc "$tmp/assoc.csv" 7 || exit 1
for setting in "0 invalid" "0.01 zero" "0 zero" "0.5 invalid"; do
  set -- $setting
  "$vagap" iat --method assoc --smoothing "$1" --empty-rule "$2" --digits 17 --quiet \
    "$tmp/assoc.csv" > "$tmp/units.csv" &&
  "$vagap" iat --method assoc --smoothing "$1" --empty-rule "$2" --digits 17 --quiet --per-trial \
    "$tmp/assoc.csv" > "$tmp/trials.csv" ||
    { echo "FAIL: vagap assoc $setting"; status=1; continue; }
  "$py" "$ref" check-assoc "$tmp/assoc.csv" "$tmp/units.csv" "$tmp/trials.csv" "$1" "$2" || status=1
done
exit $status
