#!/bin/sh
# The Python package (src/python/vagap) against the program: unittest, once
# with pandas DataFrames (when Debian's python3-pandas is installed) and once
# with dicts of columns.  Exit 77 when python3 or the shared library is missing.
#   sh tests/bindings/python.sh VAGAP SOURCE_DIR LIBVAGAP_SO
set -u
vagap=$1
src=$2
lib=$3
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3) || { echo "skipped: python3 not found"; exit 77; }
[ -f "$lib" ] || { echo "skipped: no shared library $lib"; exit 77; }
status=0
for no_pandas in "" 1; do
  VAGAP="$vagap" VAGAP_LIBRARY="$lib" VAGAP_PYTHON_NO_PANDAS="$no_pandas" PYTHONPATH="$src/src/python" \
    "$py" -m unittest discover -s "$src/tests/bindings" -p 'test_python.py' || status=1
done
exit $status
