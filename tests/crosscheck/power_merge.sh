#!/bin/sh
# Reproducible partitioning of `vagap power`: one run with 1 thread, one with
# 2 threads, and three parts (--replications FROM:TO, merged in shuffled
# order with --merge) must give byte-identical tables; an overlap and a gap
# between parts are data errors.
set -u
vagap=$1 src=$2
dir=$(mktemp -d) && trap 'rm -rf "$dir"' EXIT
run() { "$vagap" power --analysis paired-gap --dz 0.1,0.45 --n 12,40,41 --seed 99 --quiet "$@"; }
run --replications 600 --threads 1 > "$dir/one.csv" || exit 1
run --replications 600 --threads 2 > "$dir/two.csv" || exit 1
run --replications 1:199 --threads 2 > "$dir/a.csv" || exit 1
run --replications 200:200 > "$dir/b.csv" || exit 1
run --replications 201:600 --threads 1 > "$dir/c.csv" || exit 1
"$vagap" power --merge --quiet "$dir/c.csv" "$dir/a.csv" "$dir/b.csv" > "$dir/merged.csv" || exit 1
status=0
cmp "$dir/one.csv" "$dir/two.csv" || { echo "FAIL: 1 and 2 threads differ"; status=1; }
cmp "$dir/one.csv" "$dir/merged.csv" || { echo "FAIL: merged parts differ from one run"; diff "$dir/one.csv" "$dir/merged.csv" | head; status=1; }
if "$vagap" power --merge --quiet "$dir/a.csv" "$dir/a.csv" > "$dir/x.csv" 2> "$dir/err"; then
  echo "FAIL: overlapping parts merged"; status=1
elif ! grep -q "overlap" "$dir/err"; then echo "FAIL: no overlap message"; cat "$dir/err"; status=1; fi
if "$vagap" power --merge --quiet "$dir/a.csv" "$dir/c.csv" > "$dir/x.csv" 2> "$dir/err"; then
  echo "FAIL: parts with a gap merged"; status=1
elif ! grep -q "gap" "$dir/err"; then echo "FAIL: no gap message"; cat "$dir/err"; status=1; fi
[ ! -s "$dir/x.csv" ] || { echo "FAIL: a failed merge wrote a table"; status=1; }
[ $status = 0 ] && echo "identical: 1 thread, 2 threads, 3 merged parts ($(wc -l < "$dir/one.csv") lines)"

# the same for an SEM parameter (a := one), the correlation, the invariance LRT and VAAR, two parts each
cp "$src/tests/data/power/pop.lav" "$src/tests/data/power/fit.lav" "$dir/"
printf 'f =~ c(0.8,0.8)*x1 + c(0.7,0.5)*x2 + x3 + x4\n' > "$dir/inv.lav"
printf 'f =~ x1 + x2 + x3 + x4\n' > "$dir/invfit.lav"
split_check() { # NAME ARGS...: replications 1..60 at once (1 and 2 threads) vs 1:23 + 24:60 merged
  name=$1; shift
  "$vagap" power "$@" --seed 5 --quiet --replications 60 --threads 1 > "$dir/$name.one" &&
  "$vagap" power "$@" --seed 5 --quiet --replications 60 --threads 2 > "$dir/$name.two" &&
  "$vagap" power "$@" --seed 5 --quiet --replications 24:60 > "$dir/$name.b" &&
  "$vagap" power "$@" --seed 5 --quiet --replications 1:23 > "$dir/$name.a" &&
  "$vagap" power --merge --quiet "$dir/$name.b" "$dir/$name.a" > "$dir/$name.m" || { echo "FAIL: $name: a run failed"; status=1; return; }
  if cmp -s "$dir/$name.one" "$dir/$name.two" && cmp -s "$dir/$name.one" "$dir/$name.m"; then
    echo "identical: $name, 1 thread, 2 threads, 2 merged parts"
  else echo "FAIL: $name: the runs differ"; diff "$dir/$name.one" "$dir/$name.m" | head -4; status=1; fi
}
split_check sem-param --analysis sem-param --model "$dir/pop.lav" --fit-model "$dir/fit.lav" --param ind --n 40,90
split_check correlation --analysis correlation --rho 0.1,0.4 --n 30
split_check invariance --analysis invariance --model "$dir/inv.lav" --n 80
split_check f1-diff --analysis f1-diff --alignment 0.8:0.7,0.9:0.9 --n 12 --values 8
split_check vaar --analysis vaar --model "$dir/inv.lav" --fit-model "$dir/invfit.lav" --expect 'f=~x2:+,f=~x3:+' --groups 2 --n 50
exit $status
