#!/bin/sh
# BUILD_SHARED_LIBS is honoured: a separate configure with -DBUILD_SHARED_LIBS=ON
# builds libvagap as a shared library, the program links it, and it gives the
# same output as the program under test on a small file; it exports only vagap_
# symbols and an installed copy works with find_package and pkg-config.
#   sh tests/crosscheck/shared_build.sh VAGAP SOURCE_DIR
set -u
vagap=$1
src=$2
command -v cmake > /dev/null || { echo "skipped: cmake is not installed"; exit 77; }
dir=$(mktemp -d) && trap 'rm -rf "$dir"' EXIT
if ! cmake -S "$src" -B "$dir" -DBUILD_SHARED_LIBS=ON -DVAGAP_BUILD_TESTS=OFF > "$dir/configure.log" 2>&1 ||
   ! cmake --build "$dir" -j2 > "$dir/build.log" 2>&1; then
  echo "FAIL: the shared build did not build"; tail -20 "$dir/configure.log" "$dir/build.log"; exit 1
fi
lib=$(find "$dir" -maxdepth 1 -name 'libvagap.so*' | head -1)
[ -n "$lib" ] || { echo "FAIL: no libvagap.so in the shared build"; ls "$dir"; exit 1; }
ldd "$dir/vagap" | grep -q 'libvagap\.so' || { echo "FAIL: the program does not link libvagap.so"; ldd "$dir/vagap"; exit 1; }
data="$src/tests/data/describe_basic.csv"
"$dir/vagap" describe --by group "$data" > "$dir/shared.out" 2> /dev/null
"$vagap" describe --by group "$data" > "$dir/static.out" 2> /dev/null
cmp -s "$dir/shared.out" "$dir/static.out" || { echo "FAIL: outputs differ"; diff "$dir/static.out" "$dir/shared.out" | head; exit 1; }
sh "$src/tests/install/symbols.sh" "$lib" || exit 1
sh "$src/tests/install/consume.sh" "$dir" "$src" || exit 1
echo "shared build: $(basename "$lib"), program linked to it, same output"
