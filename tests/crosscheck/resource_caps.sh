#!/bin/sh
# Resource caps: inputs built to exhaust memory are refused early or processed
# within a stated bound, never killed for lack of memory.
#  - a 2 GB single field: refused at the field cap (1 MiB) after reading ~1 MiB;
#    peak memory stays under 64 MB;
#  - 100 000 columns (the default cap) are read; 100 001 are refused;
#  - 1 million groups for describe --by: processed; memory is O(input size)
#    (the table, one row index and one double per cell), checked < 1 GB.
set -u
vagap=$1
dir=$(mktemp -d) && trap 'rm -rf "$dir"' EXIT
fail=0
peak_kb() { /usr/bin/time -f %M -o "$dir/time" "$@"; }
kb_used() { tail -1 "$dir/time"; }
[ -x /usr/bin/time ] || { echo "skipped: /usr/bin/time is not installed"; exit 77; }

# 1. a 2 GB field on standard input
(printf 'x\n'; head -c 2147483648 /dev/zero | tr '\0' 'a') | peak_kb "$vagap" describe - > "$dir/out" 2> "$dir/err"
rc=$?
kb=$(kb_used)
grep -q 'field is longer than the limit of 1048576 bytes' "$dir/err" || { echo "FAIL 2 GB field: $(cat "$dir/err")"; fail=1; }
[ "$rc" = 1 ] || { echo "FAIL 2 GB field: exit $rc"; fail=1; }
[ "$kb" -lt 65536 ] || { echo "FAIL 2 GB field: peak memory $kb KB"; fail=1; }
echo "2 GB field: exit $rc, peak $kb KB"

# 2. wide headers
awk 'BEGIN { for (j = 1; j <= 100000; j++) printf "c%d%s", j, j < 100000 ? "," : "\n";
  for (i = 0; i < 3; i++) for (j = 1; j <= 100000; j++) printf "%d%s", i + j, j < 100000 ? "," : "\n" }' > "$dir/wide.csv"
peak_kb "$vagap" describe --quiet "$dir/wide.csv" > "$dir/out" 2> "$dir/err"
rc=$?
kb=$(kb_used)
rows=$(wc -l < "$dir/out")
[ "$rc" = 0 ] && [ "$rows" = 100001 ] || { echo "FAIL 100000 columns: exit $rc, $rows lines: $(head -2 "$dir/err")"; fail=1; }
echo "100000 columns: exit $rc, peak $kb KB"
awk 'BEGIN { for (j = 1; j <= 100001; j++) printf "c%d%s", j, j < 100001 ? "," : "\n" }' > "$dir/wider.csv"
"$vagap" describe "$dir/wider.csv" > "$dir/out" 2> "$dir/err"
rc=$?
grep -q 'header has 100001 columns, more than the limit of 100000' "$dir/err" && [ "$rc" = 1 ] || { echo "FAIL 100001 columns: exit $rc $(cat "$dir/err")"; fail=1; }

# 3. a million groups
awk 'BEGIN { print "g,x"; for (i = 0; i < 1000000; i++) printf "g%d,%d\n", i, i % 7 }' > "$dir/groups.csv"
peak_kb "$vagap" describe --quiet --by g "$dir/groups.csv" > "$dir/out" 2> "$dir/err"
rc=$?
kb=$(kb_used)
rows=$(wc -l < "$dir/out")
[ "$rc" = 0 ] && [ "$rows" = 1000001 ] && [ "$kb" -lt 1048576 ] || { echo "FAIL 1e6 groups: exit $rc, $rows lines, $kb KB"; fail=1; }
echo "1e6 groups: exit $rc, peak $kb KB"
exit $fail
