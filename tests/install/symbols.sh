#!/bin/sh
# Every global symbol that libvagap defines starts with vagap_ (the public API; vagap__ is
# internal), so the library cannot clash with a program's or another library's names
# (libcsv's csv_* sits right next to the reader's internals).  The shared library exports
# only the public API: no vagap__ names either.
#   sh tests/install/symbols.sh LIBRARY
set -u
lib=$1
command -v nm > /dev/null || { echo "skipped: nm is not installed"; exit 77; }
case "$lib" in
  *.so*) syms=$(nm -D --defined-only "$lib") || exit 1; bad=$(printf '%s\n' "$syms" | awk 'NF == 3 && $3 !~ /^vagap_[^_]/ {print $3}') ;;
  *)     syms=$(nm -g --defined-only "$lib") || exit 1; bad=$(printf '%s\n' "$syms" | awk 'NF == 3 && $3 !~ /^vagap_/ {print $3}') ;;
esac
n=$(printf '%s\n' "$syms" | awk 'NF == 3' | wc -l)
[ "$n" -gt 0 ] || { echo "FAIL: nm found no symbols in $lib"; exit 1; }
if [ -n "$bad" ]; then
  echo "FAIL: $(basename "$lib") defines global symbols outside vagap_:"; printf '  %s\n' $bad; exit 1
fi
echo "ok: $(basename "$lib"): $n global symbols, all vagap_"
