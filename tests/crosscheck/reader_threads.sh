#!/bin/sh
# The threaded CSV reader under valgrind's helgrind (data races, lock order,
# misuse of the pthread API): streaming (iat dscore), in-memory with number
# inference (describe), a quoted file with blank lines and SEM statistics
# accumulated on the workers (sem; a file larger than the reader's first
# read, so that it is really cut), each cut into pieces of 2000 bytes so that
# many segments are in flight.
# Skipped (77) where valgrind is not installed.
#   sh tests/crosscheck/reader_threads.sh VAGAP SOURCE_DIR
set -u
vagap=$1
src=$2
command -v valgrind > /dev/null || { echo "skipped: valgrind is not installed"; exit 77; }
dir=$(mktemp -d) && trap 'rm -rf "$dir"' EXIT
fail=0

awk 'BEGIN { srand(7); print "subject,block,trial,latency,error";
  for (s = 1; s <= 30; s++) for (b = 3; b <= 7; b++) if (b != 5)
    for (t = 1; t <= 20; t++) printf "S%d,%d,%d,%d,%d\n", s, b, t, 500 + 400 * rand(), rand() < 0.1 }' \
  > "$dir/iat.csv"
awk 'BEGIN { srand(8); print "x,y,label";
  for (i = 0; i < 3000; i++) printf "%.4f,%d,\"l,%d\"\n%s", rand(), i % 7, i % 11, (i % 97 == 0 ? "\n" : "") }' \
  > "$dir/mixed.csv"

awk 'BEGIN { srand(9); print "g,x1,x2,x3";
  for (i = 0; i < 6000; i++) { f = rand(); printf "%s,%.9f,%.9f,%.9f\n", (i % 3 ? "a" : "b"),
    f + rand(), f + rand(), (i % 50 ? f + rand() : "NA") } }' > "$dir/sem.csv"
printf 'f =~ x1 + x2 + x3\n' > "$dir/sem.lav"

run() {
  name=$1
  shift
  VAGAP_SEGMENT_BYTES=2000 valgrind --tool=helgrind --error-exitcode=9 --log-file="$dir/$name.log" \
    "$vagap" "$@" > "$dir/$name.out" 2> "$dir/$name.err"
  rc=$?
  summary=$(grep 'ERROR SUMMARY' "$dir/$name.log")
  if [ "$rc" != 0 ]; then
    echo "FAIL $name: exit $rc; $summary"
    grep -A12 'Possible data race\|lock order\|misuse' "$dir/$name.log" | head -40
    fail=1
  else
    echo "$name: $summary"
  fi
}

run iat iat --method dscore --quiet "$dir/iat.csv"
run describe describe --quiet "$dir/mixed.csv"
run describe_by describe --quiet --by y "$dir/mixed.csv"
run sem sem --quiet --model "$dir/sem.lav" --group g "$dir/sem.csv"
run walktalk_iat describe --quiet "$src/datasets/walktalk-sim/iat.csv"
exit $fail
