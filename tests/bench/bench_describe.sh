#!/bin/sh
# Benchmark (on demand, not part of ctest): `vagap describe` on a generated numeric
# CSV of about 100 MB, beside R data.table::fread(nThread = 1) and pandas.read_csv on
# the same file in the same run, where those are installed.
#   sh tests/bench/bench_describe.sh [BUILD_DIR] [MEGABYTES]
# The data are made by awk with srand(20261123): 8 numeric columns, 6 decimals.
set -eu
build=${1:-build}
mb=${2:-100}
vagap=$build/vagap
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
csv=$dir/numeric.csv
rows=$((mb * 1000000 / 82))
awk -v n="$rows" 'BEGIN { srand(20261123); print "a,b,c,d,e,f,g,h";
  for (i = 0; i < n; i++) printf "%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f\n",
    rand()*100, rand()-0.5, rand()*1e4, rand(), rand()*10, -rand(), rand()*1000, rand() }' > "$csv"
bytes=$(wc -c < "$csv")
megabytes=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
echo "file: $megabytes MB, $rows rows x 8 numeric columns"

now() { date +%s.%N; }
report() { awk -v name="$1" -v t="$2" -v b="$bytes" 'BEGIN { printf "%-28s %8.3f s %8.1f MB/s\n", name, t, b / 1e6 / t }'; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
cat "$csv" > /dev/null # warm the page cache
# Peak memory (RSS) of one run, where GNU time is installed.
peak_rss() {
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f "%M" "$@" 2>&1 > /dev/null | tail -1 | awk -v b="$bytes" '{ printf "%.1f MB (%.2fx the file)", $1 / 1024, $1 * 1024 / b }'
  else
    echo "unknown (GNU time not installed)"
  fi
}
best() { awk -v t="$1" -v best="$2" 'BEGIN { print (best == "" || t < best) ? t : best }'; }
seconds() { t0=$(now); "$@" > /dev/null; t1=$(now); awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }'; }
have_taskset=; command -v taskset > /dev/null && have_taskset=1
have_fread=
command -v Rscript >/dev/null && Rscript -e 'quit(status = !requireNamespace("data.table", quietly = TRUE))' 2>/dev/null && have_fread=1
py=/usr/bin/python3
have_pandas=; $py -c 'import pandas' 2>/dev/null && have_pandas=1

# Every tool gets the best of three rounds, one run of each per round: the
# machine is shared, the fastest run is the one least disturbed by other work,
# and a burst of other work falls on all tools alike rather than on one.
# vagap pinned to one core (taskset) compares with the single-threaded references.
vagap_s= one_s= r_s= p_s=
for run in 1 2 3; do
  vagap_s=$(best "$(seconds "$vagap" describe --quiet "$csv")" "$vagap_s")
  [ -n "$have_taskset" ] && one_s=$(best "$(seconds taskset -c 0 "$vagap" describe --quiet "$csv")" "$one_s")
  [ -n "$have_fread" ] && r_s=$(best "$(Rscript -e 'suppressMessages(library(data.table)); a <- commandArgs(TRUE);
    cat(system.time({ d <- fread(a[1], nThread = 1);
      s <- lapply(d, function(x) c(mean(x), sd(x), median(x))) })[["elapsed"]])' "$csv")" "$r_s")
  [ -n "$have_pandas" ] && p_s=$(best "$($py -c 'import sys, time, pandas as pd
t = time.perf_counter(); d = pd.read_csv(sys.argv[1]); d.describe(); print(time.perf_counter() - t)' "$csv")" "$p_s")
done

report "vagap describe" "$vagap_s"
echo "  peak RSS: $(peak_rss "$vagap" describe --quiet "$csv")"
if [ -n "$one_s" ]; then
  report "vagap describe (one core)" "$one_s"
  echo "  peak RSS: $(peak_rss taskset -c 0 "$vagap" describe --quiet "$csv")"
fi
if [ -n "$r_s" ]; then
  report "data.table::fread(nThread=1)" "$r_s"
  awk -v v="$vagap_s" -v r="$r_s" 'BEGIN { printf "ratio fread/vagap: %.2f (>1 means vagap is faster)\n", r / v }'
  [ -n "$one_s" ] && awk -v v="$one_s" -v r="$r_s" 'BEGIN { printf "ratio fread/vagap one core: %.2f\n", r / v }'
else
  echo "data.table::fread: skipped (R package data.table not installed: apt-get install r-cran-data.table)"
fi
if [ -n "$p_s" ]; then
  report "pandas.read_csv+describe" "$p_s"
  awk -v v="$vagap_s" -v r="$p_s" 'BEGIN { printf "ratio pandas/vagap: %.2f\n", r / v }'
else
  echo "pandas: skipped (apt-get install python3-pandas)"
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
