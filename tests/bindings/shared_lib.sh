#!/bin/sh
# Builds libvagap.so for the language bindings (tests/bindings), in DIR, once
# and then incrementally: a plain shared build without sanitizers, since
# Python and R load it into an uninstrumented interpreter.
#   sh tests/bindings/shared_lib.sh SOURCE_DIR DIR
set -u
src=$1
dir=$2
command -v cmake > /dev/null || { echo "skipped: cmake is not installed"; exit 77; }
mkdir -p "$dir"
if [ ! -f "$dir/CMakeCache.txt" ]; then
  cmake -S "$src" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_SHARED_LIBS=ON \
    -DVAGAP_BUILD_TESTS=OFF -DVAGAP_SANITIZE=OFF > "$dir/configure.log" 2>&1 ||
    { echo "FAIL: configuring the shared build"; tail -20 "$dir/configure.log"; exit 1; }
fi
cmake --build "$dir" -j2 --target vagap > "$dir/build.log" 2>&1 ||
  { echo "FAIL: building libvagap.so"; tail -20 "$dir/build.log"; exit 1; }
[ -f "$dir/libvagap.so" ] || { echo "FAIL: no libvagap.so in $dir"; ls "$dir"; exit 1; }
echo "libvagap.so built in $dir"
