#!/bin/sh
# `mpirun -np N vagap power` (a build with -DVAGAP_MPI=ON) gives byte-identical
# tables to one process, for 1, 2 and 4 local ranks, for paired-gap and for an
# SEM parameter, and so do `sem --bootstrap` and `vaar --bootstrap` (whose
# resamples are spread over the ranks; one resample fails to fit here, so the
# gathered failure counts are compared too); a rank that stops before the run, or dies, makes the job fail
# with a message instead of hanging (every mpirun runs under a timeout).
# Skipped (77) when the program is not an MPI build or mpirun is missing.
set -u
vagap=$1 src=$2
command -v mpirun > /dev/null || { echo "skipped: mpirun is not installed"; exit 77; }
command -v timeout > /dev/null || { echo "skipped: timeout is not installed"; exit 77; }
ldd "$vagap" 2> /dev/null | grep -q 'libmpi' || { echo "skipped: $vagap is not built with -DVAGAP_MPI=ON"; exit 77; }
dir=$(mktemp -d) && trap 'rm -rf "$dir"' EXIT
root=""
[ "$(id -u)" = 0 ] && root=--allow-run-as-root
mpi() { # mpi NP ARGS...: a local job, killed after 120 s
  np=$1; shift
  timeout 120 mpirun --oversubscribe $root -np "$np" "$@"
}
cp "$src/tests/data/power/pop.lav" "$src/tests/data/power/fit.lav" "$dir/"
status=0
check() { # check NAME ARGS...: 1, 2 and 4 ranks against one plain process
  name=$1; shift
  "$vagap" "$@" --quiet > "$dir/$name.one.csv" || { echo "FAIL: $name: the plain run failed"; status=1; return; }
  for np in 1 2 4; do
    if ! mpi $np "$vagap" "$@" --quiet -o "$dir/$name.$np.csv"; then
      echo "FAIL: $name: mpirun -np $np failed"; status=1
    elif ! cmp -s "$dir/$name.one.csv" "$dir/$name.$np.csv"; then
      echo "FAIL: $name: $np ranks differ from one process"; diff "$dir/$name.one.csv" "$dir/$name.$np.csv" | head -4; status=1
    fi
  done
  [ $status = 0 ] && echo "identical: $name with 1, 2 and 4 ranks ($(($(wc -l < "$dir/$name.one.csv") - 1)) conditions)"
}
check paired power --analysis paired-gap --dz 0.2,0.5 --n 15,40 --replications 301 --seed 11 --threads 2
check_boot() { # check_boot NAME ARGS...: like check, for the bootstrap commands (a data file last)
  name=$1; shift
  "$vagap" "$@" --quiet > "$dir/$name.one.csv" 2> "$dir/$name.one.err" || { echo "FAIL: $name: the plain run failed"; status=1; return; }
  for np in 2 4; do
    if ! mpi $np "$vagap" "$@" --quiet -o "$dir/$name.$np.csv" 2> "$dir/$name.$np.err"; then
      echo "FAIL: $name: mpirun -np $np failed"; cat "$dir/$name.$np.err"; status=1
    elif ! cmp -s "$dir/$name.one.csv" "$dir/$name.$np.csv"; then
      echo "FAIL: $name: $np ranks differ from one process"; status=1
    elif ! cmp -s "$dir/$name.one.err" "$dir/$name.$np.err"; then
      echo "FAIL: $name: $np ranks report other failures"; diff "$dir/$name.one.err" "$dir/$name.$np.err"; status=1
    fi
  done
  [ $status = 0 ] && echo "identical: $name with 2 and 4 ranks ($(sed -n 's/.*: \([0-9]* of [0-9]*\) bootstrap resamples failed.*/\1 resamples failed/p' "$dir/$name.one.err"))"
}
check sem power --analysis sem-param --model "$dir/pop.lav" --fit-model "$dir/fit.lav" --param ind --n 50,80 --replications 37 --seed 5 --threads 1

cp "$src/tests/data/power/vaar_pop.lav" "$dir/vpop.lav"
cp "$src/tests/data/power/vaar_fit.lav" "$dir/vfit.lav"
"$vagap" simulate --model "$dir/vpop.lav" --n 150,150 --seed 4 > "$dir/vd.csv" || exit 1
check_boot sem-bootstrap sem --model "$dir/vfit.lav" --group group --bootstrap 30 --seed 3 --threads 1 "$dir/vd.csv"
check_boot vaar-bootstrap vaar --model "$dir/vfit.lav" --group group --expect 'y~f:+,y~g:-' --bootstrap 21 --seed 3 --threads 1 "$dir/vd.csv"

# a rank that stops before the run (its model file is missing): the others do not wait for it
cat > "$dir/one_missing.sh" <<SH
#!/bin/sh
m="$dir/pop.lav"
[ "\${OMPI_COMM_WORLD_RANK:-0}" = 1 ] && m="$dir/missing.lav"
exec "$vagap" power --analysis sem-param --model "\$m" --fit-model "$dir/fit.lav" --param ind --n 50 --replications 20 --quiet
SH
mpi 2 sh "$dir/one_missing.sh" > "$dir/out" 2> "$dir/err"
rc=$?
if [ $rc = 0 ] || [ $rc = 124 ]; then echo "FAIL: a rank without its model: exit $rc (124: hung)"; status=1
elif ! grep -q "another rank stopped before the run" "$dir/err"; then echo "FAIL: no message about the stopped rank"; cat "$dir/err"; status=1
else echo "reported: a rank that stopped before the run (exit $rc)"; fi

# a rank that dies: mpirun ends the job
cat > "$dir/one_dies.sh" <<SH
#!/bin/sh
[ "\${OMPI_COMM_WORLD_RANK:-0}" = 1 ] && kill -9 \$\$
exec "$vagap" power --analysis paired-gap --dz 0.5 --n 20 --replications 200000 --quiet
SH
mpi 2 sh "$dir/one_dies.sh" > "$dir/out" 2> "$dir/err"
rc=$?
if [ $rc = 0 ] || [ $rc = 124 ]; then echo "FAIL: a rank that died: exit $rc (124: hung)"; status=1
else echo "reported: a rank that died (exit $rc)"; fi
exit $status
