#!/bin/sh
# Scale benchmark (issue 14; on demand, not part of ctest): one table of
#   - SEM by rows: 500/5k/50k[/500k] rows per group, 4 groups, 24 indicators;
#   - SEM by groups: 1/4/16/64 groups of 500 rows, 24 indicators;
#   - SEM by indicators: 12/24/48/96 indicators, 4 groups of 500 rows;
#   - bootstrap: 1000 resamples of the 4 x 500 x 24 model (per resample);
#   - describe on a numeric CSV, and iat --method dscore (MB/s), with 1 and 2
#     parsing threads (VAGAP_THREADS);
# vagap timed as a whole process beside lavaan's sem() alone (data already in
# memory, timed inside R), lavaan with data.table::fread of the same CSV,
# fread(nThread = 1) + summaries and pandas for describe.  Every figure is the
# fastest of REPS runs (the machine is shared), with the 1-minute load average
# when it was taken and the peak RSS of the process (for R: the whole R
# process, lavaan loaded).  ratio = reference seconds / vagap seconds.
#   sh tests/bench/scale_bench.sh [VAGAP] [REPS]
#   BIG=1: also 500k rows per group (once, REPS=1: about 1.3 GB of CSV work)
#   MB=50: size of the describe file; TRIALS=2000000: rows of the dscore log
#   PARTS="rows groups indicators boot describe dscore": the parts to run
#   LAVAAN_REPS=N: runs of each lavaan case (default REPS; lavaan at 64 groups or 96
#   indicators takes minutes per fit on a loaded machine)
set -u
vagap=${1:-build/vagap}
reps=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)
R="Rscript $here/scale_bench.R"
command -v Rscript >/dev/null 2>&1 || { echo "Rscript not found"; exit 77; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time not found (apt-get install time)"; exit 77; }
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT; trap 'exit 1' INT TERM
load() { cut -d' ' -f1 /proc/loadavg; }

# best wall seconds and peak MB of N runs of a command: "seconds MB load"
measure() {
  n=$1; shift
  best=; mb=0; ld=
  for i in $(seq "$n"); do
    l=$(load); t0=$(date +%s.%N)
    /usr/bin/time -f "%M" -o "$dir/time" "$@" > /dev/null 2> "$dir/err" || { cat "$dir/err" >&2; echo "NA NA NA"; return; }
    t=$(echo "$(date +%s.%N) - $t0" | bc -l); m=$(cat "$dir/time")
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; ld=$l; fi
    [ "$m" -gt "$mb" ] && mb=$m
  done
  printf '%.3f %d %s\n' "$best" "$((mb / 1024))" "$ld"
}
row() { # case size vagap_s vagap_MB reference ref_s ref_MB load
  ratio=NA
  [ "$3" != NA ] && [ "$6" != NA ] && ratio=$(echo "scale=2; $6 / $3" | bc -l)
  printf '%-12s %-10s %9s %8s  %-26s %9s %8s %8s %6s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$ratio" "$8"
}
header() {
  printf '%-12s %-10s %9s %8s  %-26s %9s %8s %8s %6s\n' case size vagap_s vagap_MB reference ref_s ref_MB ratio load
}

# SEM case: rows per group, groups, indicators, reps
sem_case() {
  label=$1 size=$2 n=$3 G=$4 p=$5 k=$6
  csv=$dir/sem_${n}_${G}_${p}.csv
  $R gen "$n" "$G" "$p" "$csv" || return
  grp=; [ "$G" -gt 1 ] && grp="--group grp"
  set -- $(measure "$k" "$vagap" sem --quiet --model "${csv%.csv}.lav" $grp "$csv")
  vs=$1 vm=$2 vl=$3
  l=$(load)
  /usr/bin/time -f "%M" -o "$dir/rtime" $R lavaan "$csv" "${csv%.csv}.lav" "${LAVAAN_REPS:-$k}" > "$dir/lav" 2> "$dir/err" || cat "$dir/err" >&2
  rm=$(echo "$(cat "$dir/rtime" 2>/dev/null || echo 0) / 1024" | bc)
  set -- $(cat "$dir/lav") NA NA
  row "$label" "$size" "$vs" "$vm" "lavaan sem() alone" "$1" "$rm" "$vl/$l"
  row "$label" "$size" "$vs" "$vm" "fread + lavaan sem()" "$2" "$rm" "$vl/$l"
  rm -f "$csv"
}

parts=${PARTS:-rows groups indicators boot describe dscore}
want() { case " $parts " in *" $1 "*) return 0 ;; esac; return 1; }
header
if want rows; then
  for n in 500 5000 50000; do sem_case rows "${n}x4" "$n" 4 24 "$reps"; done
  [ "${BIG:-0}" = 1 ] && sem_case rows 500000x4 500000 4 24 1
fi
if want groups; then for G in 1 4 16 64; do sem_case groups "500x$G" 500 "$G" 24 "$reps"; done; fi
if want indicators; then for p in 12 24 48 96; do sem_case indicators "$p" 500 4 "$p" "$reps"; done; fi

# bootstrap: vagap's 1000 resamples (whole process) against lavaan's bootstrapLavaan, per resample
if want boot; then
csv=$dir/boot.csv
$R gen 500 4 24 "$csv"
set -- $(measure 1 "$vagap" sem --quiet --model "${csv%.csv}.lav" --group grp --bootstrap 1000 --seed 1 "$csv")
vs=$(printf "%.5f" "$(echo "$1 / 1000" | bc -l)") vm=$2 vl=$3
l=$(load)
lb=$($R boot "$csv" "${csv%.csv}.lav" "${BOOT_R:-20}")
row bootstrap "per-resample" "$vs" "$vm" "bootstrapLavaan R=${BOOT_R:-20}" "$lb" NA "$vl/$l"
fi

# describe on a numeric file (8 columns, 6 decimals; bench_describe.sh's data)
if want describe; then
csv=$dir/numeric.csv
mb=${MB:-50}
awk -v n="$((mb * 1000000 / 82))" 'BEGIN { srand(20261123); print "a,b,c,d,e,f,g,h";
  for (i = 0; i < n; i++) printf "%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f\n",
    rand()*100, rand()-0.5, rand()*1e4, rand(), rand()*10, -rand(), rand()*1000, rand() }' > "$csv"
fmb=$(($(wc -c < "$csv") / 1048576))
set -- $(measure "$reps" env VAGAP_THREADS=1 "$vagap" describe --quiet "$csv"); d1=$1 m1=$2 l1=$3
set -- $(measure "$reps" env VAGAP_THREADS=2 "$vagap" describe --quiet "$csv"); d2=$1 m2=$2 l2=$3
l=$(load)
/usr/bin/time -f "%M" -o "$dir/rtime" $R describe "$csv" "$reps" > "$dir/fr" 2>/dev/null
frm=$(echo "$(cat "$dir/rtime") / 1024" | bc)
row describe "${fmb}MB,T=1" "$d1" "$m1" "fread(nThread=1)+summary" "$(cat "$dir/fr")" "$frm" "$l1/$l"
row describe "${fmb}MB,T=2" "$d2" "$m2" "fread(nThread=1)+summary" "$(cat "$dir/fr")" "$frm" "$l2/$l"
if /usr/bin/python3 -c 'import pandas' 2>/dev/null; then
  l=$(load)
  /usr/bin/time -f "%M" -o "$dir/ptime" /usr/bin/python3 -c 'import sys, time, pandas as pd
def once():
    t = time.perf_counter(); d = pd.read_csv(sys.argv[1]); d.describe(); return time.perf_counter() - t
print(min(once() for _ in range(int(sys.argv[2]))))' "$csv" "$reps" > "$dir/pd"
  row describe "${fmb}MB,T=2" "$d2" "$m2" "pandas read_csv+describe" "$(cat "$dir/pd")" "$(($(cat "$dir/ptime") / 1024))" "$l2/$l"
fi
rm -f "$csv"
fi

# dscore throughput (iat_dscore.sh's generator): MB/s in the ref_s column is not a reference
want dscore || exit 0
log=$dir/iat.csv
awk -v rows="${TRIALS:-2000000}" 'BEGIN { srand(20251123); print "subject,block,trial,latency,error";
  n = 0; s = 0; split("20 20 20 40 20 20 40", per, " ");
  while (n < rows) { s++; effect = 40 + 120 * rand();
    for (b = 1; b <= 7 && n < rows; b++) for (t = 1; t <= per[b] && n < rows; t++) {
      u = rand(); lat = 550 + 400 * rand() * rand() + ((b == 6 || b == 7) ? effect : 0);
      if (u < 0.02) lat = 10001 + 5000 * rand(); else if (u < 0.07) lat = 150 + 250 * rand();
      printf "P%07d,%d,%d,%d,%d\n", s, b, t, lat, (rand() < 0.08) ? 1 : 0; n++ } } }' > "$log"
bytes=$(wc -c < "$log")
for t in 1 2; do
  set -- $(measure "$reps" env VAGAP_THREADS=$t "$vagap" iat --method dscore --variant D6 --quiet "$log")
  printf '%-12s %-10s %9s %8s  %-26s %9s\n' dscore "$((bytes / 1048576))MB,T=$t" "$1" "$2" "MB/s (load $3)" \
    "$(echo "scale=1; $bytes / 1000000 / $1" | bc -l)"
done
