#!/bin/sh
# Row accounting audit: every golden case that succeeds is run again with
# --exclusions, and read = used + excluded must hold, the exclusions file must
# list exactly the excluded rows with a reason and a line of the named source,
# and for single-input cases `read` must equal the records in the file.
vagap=$1 src=$2
py=$(command -v python3 || command -v /usr/bin/python3) || { echo "skipped: no python3"; exit 77; }
exec "$py" "$src/tests/crosscheck/row_accounting.py" "$vagap" "$src"
