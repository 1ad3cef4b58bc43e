#!/bin/sh
# Benchmark (on demand, not part of ctest): Monte Carlo power of a 2-group,
# 12-indicator CFA (two factors, six indicators each) at n = 200 per group,
# 4 conditions (population factor correlation 0, 0.1, 0.2, 0.3; the parameter
# is f1 ~~ f2 of a fitted CFA) x REPS replications, by
#   - vagap power, on 1 and 2 threads, and, from an MPI build, under
#     mpirun -np 1, 2, 4 with one thread per rank (--oversubscribe: on a
#     2-core machine 4 ranks share 2 cores, so 4 ranks measure the cost of
#     oversubscription, not a speed-up), each rank count's table compared
#     byte for byte with the 1-thread table;
#   - an R loop of lavaan::simulateData() + sem(group = "group"), as a
#     simsem-style study is written by hand; R runs R_REPS replications per
#     condition and the time of its loop (without R's start-up) is scaled to
#     REPS (said in the output).
# Best of 3 runs each, wall-clock and CPU (user + system, from /usr/bin/time: on a
# shared machine CPU time is the steadier measure; the ratio is given for both);
# the load average is printed before and after.
#   sh tests/bench/power_bench.sh [BUILD_DIR] [REPS] [R_REPS] [MPI_BUILD_DIR]
# The rank scaling runs the vagap of MPI_BUILD_DIR (default: BUILD_DIR if its
# vagap links MPI, else build-mpi, configured with -DVAGAP_MPI=ON and built
# there when it has no vagap yet).
set -eu
build=${1:-build}
reps=${2:-1000}
rreps=${3:-25}
vagap=$build/vagap
links_mpi() { ldd "$1" 2>/dev/null | grep -q libmpi; }
if links_mpi "$vagap"; then mpi_build=${4:-$build}; else mpi_build=${4:-build-mpi}; fi
if command -v mpirun > /dev/null && [ ! -x "$mpi_build/vagap" ]; then
  echo "building an MPI vagap in $mpi_build (-DVAGAP_MPI=ON)"
  cmake -S . -B "$mpi_build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVAGAP_MPI=ON > /dev/null
  cmake --build "$mpi_build" -j 2 --target vagap_prog > /dev/null
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
echo "load average before: $(cat /proc/loadavg)"
for r in 0 0.1 0.2 0.3; do
  cat > "$dir/pop$r.lav" <<MODEL
f1 =~ 0.7*x1 + 0.7*x2 + 0.6*x3 + 0.6*x4 + 0.5*x5 + 0.5*x6
f2 =~ 0.7*y1 + 0.7*y2 + 0.6*y3 + 0.6*y4 + 0.5*y5 + 0.5*y6
f1 ~~ $r*f2
MODEL
done
printf 'f1 =~ x1 + x2 + x3 + x4 + x5 + x6\nf2 =~ y1 + y2 + y3 + y4 + y5 + y6\n' > "$dir/fit.lav"
now() { date +%s.%N; }
best3() { # best3 COMMAND...: "WALL CPU" of the fastest of three runs (each the least), seconds
  best= cpu=
  for run in 1 2 3; do
    t0=$(now); /usr/bin/time -f '%U %S' -o "$dir/time" "$@" > /dev/null; t1=$(now)
    best=$(awk -v a="$t0" -v b="$t1" -v best="$best" 'BEGIN { t = b - a; print (best == "" || t < best) ? t : best }')
    cpu=$(awk -v best="$cpu" '{ t = $1 + $2; print (best == "" || t < best) ? t : best }' "$dir/time")
  done
  echo "$best $cpu"
}
wall() { echo "${1% *}"; }
cpu() { echo "${1#* }"; }
args="power --analysis sem-param --model $dir/pop0.lav --model $dir/pop0.1.lav --model $dir/pop0.2.lav --model $dir/pop0.3.lav
      --fit-model $dir/fit.lav --param f1~~f2 --groups 2 --n 200 --replications $reps --quiet"
# shellcheck disable=SC2086
r1=$(best3 "$vagap" $args --threads 1); t1=$(wall "$r1"); c1=$(cpu "$r1")
# shellcheck disable=SC2086
r2=$(best3 "$vagap" $args --threads 2); t2=$(wall "$r2")
printf 'vagap, 1 thread:   %8.2f s wall, %8.2f s CPU for %d fits (%.2f ms CPU per replication)\n' "$t1" "$c1" $((4 * reps)) "$(echo "$c1 * 1000 / (4 * $reps)" | bc -l)"
printf 'vagap, 2 threads:  %8.2f s wall (speed-up %.2f)\n' "$t2" "$(echo "$t1 / $t2" | bc -l)"
if command -v mpirun > /dev/null && links_mpi "$mpi_build/vagap"; then
  root=""; [ "$(id -u)" = 0 ] && root=--allow-run-as-root
  # shellcheck disable=SC2086
  "$vagap" $args --threads 1 > "$dir/one.csv"
  echo "MPI ($mpi_build/vagap, $(nproc) cores; mpirun start-up included):"
  for np in 1 2 4; do
    # shellcheck disable=SC2086
    t=$(wall "$(best3 mpirun --oversubscribe $root -np $np "$mpi_build/vagap" $args --threads 1)")
    # shellcheck disable=SC2086
    mpirun --oversubscribe $root -np $np "$mpi_build/vagap" $args --threads 1 > "$dir/np$np.csv"
    same=identical; cmp -s "$dir/one.csv" "$dir/np$np.csv" || same="DIFFERENT from one process"
    printf '  %d rank(s), 1 thread each: %8.2f s wall (speed-up vs 1 thread %.2f), table %s\n' \
      $np "$t" "$(echo "$t1 / $t" | bc -l)" "$same"
  done
else
  echo "(no MPI build or mpirun: rank scaling not measured)"
fi
if command -v Rscript > /dev/null && Rscript -e 'library(lavaan)' > /dev/null 2>&1; then
  cat > "$dir/loop.R" <<'RSCRIPT'
suppressMessages(library(lavaan))
args <- commandArgs(TRUE); dir <- args[1]; reps <- as.integer(args[2])
fit.model <- paste(readLines(file.path(dir, "fit.lav")), collapse = "\n")
t0 <- proc.time()
for (r in c("0", "0.1", "0.2", "0.3")) {
  pop <- paste(readLines(file.path(dir, paste0("pop", r, ".lav"))), collapse = "\n")
  for (i in seq_len(reps)) {
    d <- simulateData(pop, sample.nobs = c(200, 200), seed = i)
    fit <- sem(fit.model, data = d, group = "group")
    pe <- parameterEstimates(fit)
  }
}
t <- proc.time() - t0 # the loop alone: R's start-up and library(lavaan) are not scaled up
cat(t[["elapsed"]], t[["user.self"]] + t[["sys.self"]], "\n", file = file.path(dir, "rloop"), append = TRUE)
RSCRIPT
  : > "$dir/rloop"
  rr=$(best3 Rscript "$dir/loop.R" "$dir" "$rreps"); tr=$(wall "$rr"); cr=$(cpu "$rr")
  lr=$(awk 'NR == 1 || $1 < w { w = $1 } NR == 1 || $2 < c { c = $2 } END { print w, c }' "$dir/rloop")
  tl=$(wall "$lr"); cl=$(cpu "$lr")
  scaled=$(echo "$tl * $reps / $rreps" | bc -l); cscaled=$(echo "$cl * $reps / $rreps" | bc -l)
  printf 'R simulateData + sem(): %8.2f s wall, %8.2f s CPU for %d replications x 4, of which the loop\n' "$tr" "$cr" "$rreps"
  printf '  %.2f s wall, %.2f s CPU (best of 3 each); the loop scaled to %d replications: %.1f s wall, %.1f s CPU\n' \
    "$tl" "$cl" "$reps" "$scaled" "$cscaled"
  printf 'ratio R / vagap, 1 thread: %.0f x wall, %.0f x CPU; R / vagap, 2 threads: %.0f x wall\n' "$(echo "$scaled / $t1" | bc -l)" "$(echo "$cscaled / $c1" | bc -l)" "$(echo "$scaled / $t2" | bc -l)"
else
  echo "(R with lavaan is missing: no reference timing)"
fi
echo "load average after: $(cat /proc/loadavg)"
