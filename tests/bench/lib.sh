# Shared by the SEM benchmarks (sourced): the fastest wall time of $REPS runs of
# the whole `$VAGAP sem --quiet ARGS...` process (the machine is shared).
vtime() {
  for i in $(seq "$REPS"); do
    s=$(date +%s.%N); "$VAGAP" sem --quiet "$@" > /dev/null || exit 1; e=$(date +%s.%N)
    echo "$e - $s" | bc -l
  done | sort -g | head -1
}
