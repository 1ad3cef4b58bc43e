#!/bin/sh
# Peak memory of the commands on long inputs: sh memory.sh VAGAP SOURCE_DIR
# Every row read is either kept by a command that needs the whole table, or
# excluded; an excluded row (a blank line, a trial without its word) must
# cost no memory of its own: without --exclusions only counts per reason are
# kept, with it the rows go to the file as they come.  `iat --method dscore`
# keeps per-subject statistics only (doc/methods.md).  Inputs of 10^7 such
# rows are made on the fly (yes | head, into a pipe) and each run's peak RSS
# (GNU time's %M) must stay under LIMIT_KB; keeping 24 bytes per excluded
# row, as vagap did before, needs 240 MB more; the reader itself holds up to
# 10 segments of 1 MB in flight (with 8 bytes per blank line in each), about 100 MB at most.  Skipped without /usr/bin/time.
set -u
vagap=$1 src=$2
data=$src/tests/data
[ -n "${VAGAP_SANITIZED:-}" ] && { echo "skipped: a sanitizer build's memory is not the program's"; exit 77; }
[ -x /usr/bin/time ] || { echo "skipped: /usr/bin/time (package time) is absent"; exit 77; }
LIMIT_KB=160000
ROWS=10000000
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
: > "$tmp/failed" # a pipeline runs peak in a subshell: failures are written here

# peak WHAT EXPECTED_EXIT CMD ARGS... (standard input from the caller)
peak() {
  what=$1 expected=$2; shift 2
  /usr/bin/time -f "%M %e" -o "$tmp/time" "$vagap" "$@" > "$tmp/out" 2> "$tmp/err"
  code=$?
  kb=$(tail -n 1 "$tmp/time" | cut -d' ' -f1) seconds=$(tail -n 1 "$tmp/time" | cut -d' ' -f2)
  echo "$what: $kb KB peak, $seconds s"
  if [ "$code" != "$expected" ]; then
    echo "FAIL: $what: exit $code, expected $expected"; head -3 "$tmp/err"; echo "$what" >> "$tmp/failed"
  fi
  if [ "$kb" -gt "$LIMIT_KB" ]; then
    echo "FAIL: $what: peak RSS $kb KB over $LIMIT_KB KB"; echo "$what" >> "$tmp/failed"
  fi
}

# a small table, then 10^7 blank lines (each excluded as "blank line")
blanks() { cat "$1"; yes '' | head -n "$ROWS"; }
blanks "$data/describe_basic.csv" | peak "describe, 10^7 blank lines" 0 describe --quiet
blanks "$data/stats_units.csv" | peak "corr, 10^7 blank lines" 0 corr --x iat --y behavior --quiet
blanks "$data/stats_units.csv" | peak "ttest, 10^7 blank lines" 0 ttest --x iat --mu 0.5 --quiet
blanks "$data/prop_messy_codes.csv" | peak "prop, 10^7 blank lines" 0 prop --prosocial other,altruistic --quiet
blanks "$data/stats_responses.csv" | peak "score, 10^7 blank lines" 0 score --key "$data/stats_key.csv" --min 1 --max 7 --quiet
blanks "$data/align_small.csv" | peak "align, 10^7 blank lines" 0 align --scenario country,topic --quiet
printf 'y ~ x\n' > "$tmp/path.lav"
blanks "$data/sem_path.csv" | peak "sem, 10^7 blank lines" 0 sem --model "$tmp/path.lav" --quiet
blanks "$data/sem_path.csv" | peak "sem --bootstrap, 10^7 blank lines" 0 sem --model "$tmp/path.lav" --bootstrap 20 --threads 1 --quiet
blanks "$data/gap_summary.csv" | peak "gap, 10^7 blank lines" 0 gap --counts prosocial,valid --quiet
blanks "$data/consistency_choices.csv" | peak "consistency, 10^7 blank lines" 0 consistency --method both --quiet
blanks "$src/datasets/privacy-prosocial-sim/survey.csv" | peak "vaar --model, 10^7 blank lines" 0 vaar --model "$src/examples/vaar/model.lav" --group group --expect 'AoDS~privacy:-,AoDS~prosocial:+' --quiet
blanks "$data/describe_basic.csv" | peak "describe, 10^7 blank lines, --exclusions" 0 describe --quiet --exclusions "$tmp/ex.csv"
[ "$(wc -l < "$tmp/ex.csv")" = $((ROWS + 2)) ] || { echo "FAIL: --exclusions has $(wc -l < "$tmp/ex.csv") lines"; echo lines >> "$tmp/failed"; }

# iat assoc: 10^7 rows without a word (excluded, the trial still counted), 50 trials
{ echo "model,trial,word,valence,assigned"
  yes 'm1,t1,,positive,self
m2,t2,,negative,other
m1,t3,good,positive,self' | head -n "$ROWS"; } | peak "iat assoc, 10^7 rows, 2/3 excluded" 0 iat --method assoc --quiet

# iat dscore: 10^7 trials of 4 subjects, interleaved (the worst case for runs of rows)
pattern=$(awk 'BEGIN { for (k = 0; k < 64; k++) printf "S%d,%d,1,%d,%d\n", k % 4, substr("3467", 1 + int(k / 4) % 4, 1), 400 + (k * 37) % 500 + 50 * (k % 4 == 1 && int(k / 4) % 4 >= 2), k % 9 == 0 }')
{ echo "subject,block,trial,latency,error"; yes "$pattern" | head -n "$ROWS"; } |
  peak "iat dscore, 10^7 trials of 4 subjects" 0 iat --method dscore --quiet
[ "$(wc -l < "$tmp/out")" = 5 ] || { echo "FAIL: dscore printed $(wc -l < "$tmp/out") lines"; echo lines >> "$tmp/failed"; }
{ echo "subject,block,trial,latency,error"; yes "$pattern" | head -n "$ROWS"; yes 'S9,3,1,100,0' | head -n 1000; } |
  peak "iat dscore, 10^7 trials, --exclusions" 0 iat --method dscore --quiet --exclusions "$tmp/ex.csv"
[ -s "$tmp/failed" ] && exit 1
exit 0
