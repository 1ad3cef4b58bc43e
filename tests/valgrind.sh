#!/bin/sh
# Run the unit tests and the CLI golden tests under valgrind (memcheck, leaks):
#   sh tests/valgrind.sh [BUILD_DIR]
# A clean run prints "valgrind: N programs clean" and exits 0.
set -u
cd "$(dirname "$0")/.."
build=${1:-build}
vg="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
count=0 failed=0
for t in "$build"/tests/test_*; do
  [ -x "$t" ] || continue
  count=$((count + 1))
  $vg "$t" >/dev/null 2>"$build/valgrind-$(basename "$t").log" || { failed=$((failed + 1)); echo "valgrind: $t"; tail -20 "$build/valgrind-$(basename "$t").log"; }
done
wrapper="$build/vagap-under-valgrind"
printf '#!/bin/sh\nexec %s %s "$@"\n' "$vg" "$(cd "$build" && pwd)/vagap" > "$wrapper"
chmod +x "$wrapper"
# valgrind runs long double arithmetic at double precision, so numbers that
# depend on it (e.g. an exactly perfect correlation) can differ in the last
# bits from a native run: here only exit codes, messages and memory errors count.
export VAGAP_SKIP_STDOUT_COMPARE=1
for case in tests/cli/cases/*/; do
  count=$((count + 1))
  out=$(sh tests/cli/run_case.sh "$wrapper" "$case" "$(pwd)/tests/data" "$(pwd)/../shared/datasets" 2>&1)
  rc=$?
  [ $rc = 0 ] || [ $rc = 77 ] || { failed=$((failed + 1)); echo "valgrind: $case"; echo "$out" | tail -20; }
done
echo "valgrind: $count programs run, $failed with errors"
[ $failed = 0 ]
