#!/bin/sh
# Run one CLI golden test: run_case.sh VAGAP CASE_DIR TEST_DATA SHARED_DATASETS
# CASE_DIR/args   one argument per line (@DATA@, @SHARED@, @TMP@ are substituted)
# CASE_DIR/exit   expected exit code (default 0)
# CASE_DIR/stdout expected standard output, byte for byte (optional)
# CASE_DIR/stderr a line that must occur in standard error (optional, fixed string)
# CASE_DIR/stdin  fed to standard input (optional)
# CASE_DIR/stderr_exact  the whole standard error, byte for byte (optional; for "one message")
# CASE_DIR/skip_without_shared  skip (exit 77) when SHARED_DATASETS is absent
set -u
vagap=$1 dir=$2 data=$3 shared=$4
if [ -f "$dir/skip_without_shared" ] && [ ! -d "$shared" ]; then
  echo "skipped: $shared is absent"; exit 77
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

set --
if [ -f "$dir/args" ]; then
  while IFS= read -r line || [ -n "$line" ]; do
    line=$(printf '%s' "$line" | sed -e "s|@DATA@|$data|g" -e "s|@SHARED@|$shared|g" -e "s|@TMP@|$tmp|g")
    set -- "$@" "$line"
  done < "$dir/args"
fi
stdin=/dev/null
[ -f "$dir/stdin" ] && stdin="$dir/stdin"
"$vagap" "$@" < "$stdin" > "$tmp/stdout" 2> "$tmp/stderr"
code=$?
expected_code=0
[ -f "$dir/exit" ] && expected_code=$(cat "$dir/exit")
status=0
if [ "$code" != "$expected_code" ]; then
  echo "FAIL: exit code $code, expected $expected_code"; status=1
fi
# VAGAP_SKIP_STDOUT_COMPARE: set by tests/valgrind.sh (see there).
if [ -f "$dir/stdout" ] && [ -z "${VAGAP_SKIP_STDOUT_COMPARE:-}" ] && ! cmp -s "$dir/stdout" "$tmp/stdout"; then
  echo "FAIL: standard output differs from $dir/stdout:"; diff "$dir/stdout" "$tmp/stdout" | head -40; status=1
fi
# A failing run must not leave a partial table on standard output.
if [ "$expected_code" != 0 ] && [ ! -f "$dir/stdout" ] && [ -s "$tmp/stdout" ]; then
  echo "FAIL: exit $code but standard output is not empty:"; head -5 "$tmp/stdout"; status=1
fi
if [ -f "$dir/stderr" ]; then
  expected=$(sed -e "s|@DATA@|$data|g" -e "s|@SHARED@|$shared|g" "$dir/stderr")
  if ! grep -qF -- "$expected" "$tmp/stderr"; then
    echo "FAIL: standard error lacks: $expected"; status=1
  fi
fi
if [ -f "$dir/stderr_exact" ]; then
  sed -e "s|@DATA@|$data|g" -e "s|@SHARED@|$shared|g" "$dir/stderr_exact" > "$tmp/stderr_exact"
  if ! cmp -s "$tmp/stderr_exact" "$tmp/stderr"; then
    echo "FAIL: standard error differs from $dir/stderr_exact:"; diff "$tmp/stderr_exact" "$tmp/stderr" | head -20; status=1
  fi
fi
if [ "$status" != 0 ]; then
  echo "--- command: $vagap $*"; echo "--- stderr:"; head -20 "$tmp/stderr"
fi
exit $status
