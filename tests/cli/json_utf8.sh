#!/bin/sh
# JSON output is valid UTF-8 JSON: every golden case that succeeds is run again
# with --format json, and each line of its standard output must decode as
# strict UTF-8 and parse as one JSON object (python3's json; skipped, 77,
# without python3).  Inputs with Latin-1 or Windows-1252 bytes are among the
# cases (excel_cp1252_not_named), so replaced bytes are checked too.
# Usage: json_utf8.sh VAGAP CASES_DIR TEST_DATA SHARED_DATASETS
set -u
vagap=$1 cases=$2 data=$3 shared=$4
command -v python3 >/dev/null 2>&1 || { echo "skipped: python3 is absent"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
checked=0 failed=0 commands=
for dir in "$cases"/*/; do
  name=$(basename "$dir")
  [ -f "$dir/args" ] || continue
  [ -f "$dir/exit" ] && [ "$(cat "$dir/exit")" != 0 ] && continue
  [ -f "$dir/stdout" ] || continue
  [ -f "$dir/skip_without_shared" ] && [ ! -d "$shared" ] && continue
  # tables only: help texts, and commands writing text reports, are not tables
  grep -qx -e '--help' -e '--summary' -e '--syntax' -e '-o' -e '--output' "$dir/args" && continue
  set --
  while IFS= read -r line || [ -n "$line" ]; do
    line=$(printf '%s' "$line" | sed -e "s|@DATA@|$data|g" -e "s|@SHARED@|$shared|g" -e "s|@TMP@|$tmp|g")
    set -- "$@" "$line"
  done < "$dir/args"
  [ $# -ge 1 ] || continue
  stdin=/dev/null
  [ -f "$dir/stdin" ] && stdin="$dir/stdin"
  "$vagap" "$@" --format json < "$stdin" > "$tmp/out" 2> "$tmp/err" || continue
  [ -s "$tmp/out" ] || continue
  checked=$((checked + 1))
  commands="$commands $1"
  if ! python3 - "$tmp/out" <<'PY'
import json, sys
raw = open(sys.argv[1], 'rb').read()
text = raw.decode('utf-8')             # strict: invalid UTF-8 raises
for n, line in enumerate(text.splitlines(), 1):
    obj = json.loads(line)
    if not isinstance(obj, dict):
        raise SystemExit('line %d is not a JSON object' % n)
PY
  then
    echo "FAIL: $name: --format json output is not one UTF-8 JSON object per line"
    head -3 "$tmp/out"
    failed=$((failed + 1))
  fi
done
# report writes its tables to a folder: each .jsonl there must parse too
if "$vagap" report "$data/report_mini" --format json --out "$tmp/report" --quiet 2> "$tmp/err"; then
  for f in "$tmp"/report/*.jsonl; do
    checked=$((checked + 1))
    commands="$commands report"
    python3 -c '
import json, sys
for line in open(sys.argv[1], "rb").read().decode("utf-8").splitlines():
    assert isinstance(json.loads(line), dict)' "$f" ||
      { echo "FAIL: report: $(basename "$f") is not UTF-8 JSON Lines"; failed=$((failed + 1)); }
  done
  [ -f "$tmp/report/gap_units.jsonl" ] || { echo "FAIL: report --format json wrote no gap_units.jsonl"; failed=$((failed + 1)); }
else
  echo "FAIL: report --format json:"; cat "$tmp/err"; failed=$((failed + 1))
fi
echo "checked $checked cases, $failed failed; commands:" $(printf '%s\n' $commands | sort -u)
[ "$checked" -gt 20 ] || { echo "FAIL: too few cases checked"; exit 1; }
[ "$failed" = 0 ]
