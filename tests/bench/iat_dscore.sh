#!/bin/sh
# Throughput of `vagap iat --method dscore` on a generated latency-IAT log
# (on demand; not registered with CTest).
#   sh tests/bench/iat_dscore.sh [VAGAP] [ROWS]     defaults: build/vagap, 10500000
# Generates ROWS trials (Greenwald's seven blocks, 220 rows per subject, 2%
# slow, 5% fast, 8% errors) into a temporary file once, then times
# three runs of D6 (with --reliability) and reports MB/s and trials/s of the
# fastest.  Set KEEP=FILE to keep (or reuse) the generated log.
set -eu
vagap=${1:-build/vagap}
rows=${2:-10500000}
log=${KEEP:-$(mktemp /tmp/iat_bench.XXXXXX.csv)}
cleanup() { [ -n "${KEEP:-}" ] || rm -f "$log"; }
trap cleanup EXIT

if [ ! -s "$log" ]; then
  echo "generating $rows trials into $log ..." >&2
  awk -v rows="$rows" 'BEGIN {
    srand(20251123);
    print "subject,block,trial,latency,error";
    n = 0; s = 0;
    split("20 20 20 40 20 20 40", per, " ");
    while (n < rows) {
      s++; effect = 40 + 120 * rand();
      for (b = 1; b <= 7 && n < rows; b++) {
        for (t = 1; t <= per[b] && n < rows; t++) {
          u = rand();
          lat = 550 + 400 * rand() * rand() + ((b == 6 || b == 7) ? effect : 0);
          if (u < 0.02) lat = 10001 + 5000 * rand();
          else if (u < 0.07) lat = 150 + 250 * rand();
          err = (rand() < 0.08) ? 1 : 0;
          printf "P%07d,%d,%d,%d,%d\n", s, b, t, lat, err;
          n++;
        }
      }
    }
  }' > "$log"
fi
bytes=$(wc -c < "$log")
trials=$(($(wc -l < "$log") - 1))
best=
for run in 1 2 3; do
  start=$(date +%s.%N)
  "$vagap" iat --method dscore --variant D6 --reliability --quiet "$log" > /dev/null
  end=$(date +%s.%N)
  t=$(echo "$end - $start" | bc -l)
  echo "run $run: $t s" >&2
  if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
done
echo "$trials trials, $bytes bytes, best of 3: $best s" \
  "=> $(echo "$bytes / $best / 1000000" | bc -l | cut -c1-6) MB/s," \
  "$(echo "$trials / $best / 1000000" | bc -l | cut -c1-6) M trials/s"
# The same pinned to one core (the reader parses on every core it is given).
if command -v taskset > /dev/null; then
  start=$(date +%s.%N)
  taskset -c 0 "$vagap" iat --method dscore --variant D6 --reliability --quiet "$log" > /dev/null
  end=$(date +%s.%N)
  t=$(echo "$end - $start" | bc -l)
  echo "one core: $t s => $(echo "$bytes / $t / 1000000" | bc -l | cut -c1-6) MB/s"
fi
