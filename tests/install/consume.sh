#!/bin/sh
# Installs a vagap build tree into a temporary prefix (with DESTDIR, as packagers do) and
# builds a tiny program against it twice, with find_package(vagap) and with
# `pkg-config vagap` (--static for a static library), runs both and checks what they print.
#   sh tests/install/consume.sh BUILD_DIR SOURCE_DIR [C_FLAGS]
# C_FLAGS: what a consumer of this build needs too (the sanitizer flags of a sanitizer build).
set -u
build=$1 src=$2 flags=${3:-}
command -v cmake > /dev/null || { echo "skipped: cmake is not installed"; exit 77; }
command -v pkg-config > /dev/null || { echo "skipped: pkg-config is not installed"; exit 77; }
cc=${CC:-cc}
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
prefix=/opt/vagap-test
DESTDIR=$tmp/root cmake --install "$build" --prefix "$prefix" > "$tmp/install.log" 2>&1 ||
  { echo "FAIL: cmake --install"; cat "$tmp/install.log"; exit 1; }
root=$tmp/root$prefix
pc=$(find "$root" -name vagap.pc | head -1)
cfg=$(find "$root" -name vagapConfig.cmake | head -1)
[ -n "$pc" ] || { echo "FAIL: no vagap.pc installed"; exit 1; }
[ -n "$cfg" ] && [ -f "$(dirname "$cfg")/vagapConfigVersion.cmake" ] ||
  { echo "FAIL: no vagapConfig.cmake + vagapConfigVersion.cmake installed"; exit 1; }
libdir=$(dirname "$(dirname "$pc")")
if ls "$libdir"/libvagap.so* > /dev/null 2>&1; then kind=shared; static=; else kind=static; static=--static; fi
want="rows=3 cols=2 p=0.073388"   # 2*pt(-2, 10) in R: 0.07338803
status=0
check() { # check HOW OUTPUT
  case "$2" in *"$want"*) echo "ok: $kind library, $1: $2" ;;
    *) echo "FAIL: $kind library, $1 printed '$2', expected '$want'"; status=1 ;; esac
}

# find_package
if cmake -S "$src/tests/install/consumer" -B "$tmp/cm" -DCMAKE_PREFIX_PATH="$root" \
     -DCMAKE_BUILD_RPATH="$libdir" -DCMAKE_C_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" \
     > "$tmp/cm.log" 2>&1 &&
   cmake --build "$tmp/cm" > "$tmp/cm-build.log" 2>&1; then
  check find_package "$("$tmp/cm/consumer" 2>&1)"
else
  echo "FAIL: find_package consumer did not build"; tail -n 30 "$tmp/cm.log" "$tmp/cm-build.log"; status=1
fi

# pkg-config (the .pc file is relocatable: it finds its prefix from where it lies)
export PKG_CONFIG_PATH="$libdir/pkgconfig"
# shellcheck disable=SC2046,SC2086
if $cc $flags -o "$tmp/pc-consumer" "$src/tests/install/consumer/main.c" \
     $(pkg-config --cflags vagap) $(pkg-config $static --libs vagap) -Wl,-rpath,"$libdir" \
     > "$tmp/pc.log" 2>&1; then
  check pkg-config "$("$tmp/pc-consumer" 2>&1)"
else
  echo "FAIL: pkg-config consumer did not build with: $(pkg-config $static --libs vagap)"; cat "$tmp/pc.log"; status=1
fi
[ $kind = shared ] && ! ldd "$tmp/pc-consumer" | grep -q "$libdir/libvagap.so" &&
  { echo "FAIL: the pkg-config consumer does not use the installed libvagap.so"; status=1; }
exit $status
