#!/bin/sh
# Files vagap writes and reads: sh files.sh VAGAP SOURCE_DIR
#  - an output (-o, --exclusions, gap --units-out, sem --save-stats) that is an
#    input, or two outputs that are one file, are refused (exit 2) in every
#    command, and the input is left as it was;
#  - a failing command leaves the old output file as it was, no partial or
#    temporary file, and no -o file when --exclusions failed;
#  - --exclusions /dev/full names the path;
#  - a truncated gzip input never reads as a shorter table (exit 0), at any cut;
#    concatenated gzip members read as their concatenation.
set -u
vagap=$1 src=$2
data=$src/tests/data
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
status=0
fail() { echo "FAIL: $*"; status=1; }

# refuses WHAT CMD ARGS... (IN is replaced by the copied input $tmp/in)
refuses() {
  what=$1; shift
  set -- $(printf '%s\n' "$@" | sed "s|^IN$|$tmp/in|; s|@DATA@|$data|g")
  before=$(md5sum < "$tmp/in")
  "$vagap" "$@" > "$tmp/out" 2> "$tmp/err"
  code=$?
  [ "$code" = 2 ] || fail "$what: exit $code, expected 2: $*"
  grep -q "refusing" "$tmp/err" || { fail "$what: no refusal message: $*"; cat "$tmp/err"; }
  [ "$before" = "$(md5sum < "$tmp/in")" ] || fail "$what: the input changed: $*"
  [ -s "$tmp/out" ] && fail "$what: wrote to standard output: $*"
  ls -a "$tmp" | grep -q vagap- && fail "$what: a temporary file is left: $(ls -a "$tmp")"
  return 0
}

# each command, its input also given as -o FILE, --exclusions FILE, and -o X --exclusions X
check_command() {
  file=$1; shift
  cp "$data/$file" "$tmp/in"
  refuses "-o input" "$@" -o IN
  refuses "-o=input" "$@" --output="$tmp/./in"
  refuses "--exclusions input" "$@" --exclusions IN
  rm -f "$tmp/x"
  refuses "-o X --exclusions X" "$@" -o "$tmp/x" --exclusions "$tmp/x"
  [ -e "$tmp/x" ] && fail "-o X --exclusions X created X: $*"
  return 0
}
check_command describe_basic.csv describe IN
check_command stats_units.csv corr --matrix IN
check_command stats_units.csv ttest --x iat --mu 0.5 IN
check_command prop_messy_codes.csv prop --prosocial other,altruistic IN
check_command stats_responses.csv score --key @DATA@/stats_key.csv --min 1 --max 7 IN
check_command stats_key.csv score --key IN --min 1 --max 7 @DATA@/stats_responses.csv
check_command align_small.csv align --scenario country,topic --positive-class disagree IN
check_command consistency_choices.csv consistency --method both IN
check_command iat_assoc.csv iat --method assoc --preset bai2024 IN
check_command gap_prop_units.csv gap --units --behavior IN --selfreport @DATA@/gap_score_scales.csv --selfreport-scale x
check_command sem_path.stats sem --model @DATA@/sem_path.lav --from-stats IN
check_command vaar/estimates.csv vaar --estimates IN --expect y~f:- --group-labels human,m1,m2
cp "$data/gap_prop_units.csv" "$tmp/in"
refuses "--units-out input" gap --units --behavior IN --selfreport @DATA@/gap_score_scales.csv --selfreport-scale x --units-out IN
cp "$data/iat_assoc.csv" "$tmp/in"
refuses "--test input" iat --method assoc IN --test IN
refuses "-o X --test X" iat --method assoc IN --test "$tmp/x" -o "$tmp/./x"
[ -e "$tmp/x" ] && fail "-o X --test X created X"
cp "$data/describe_basic.csv" "$tmp/in"
refuses "-o standard input" describe -o IN < "$tmp/in"
refuses "-o symbolic link to input" describe IN -o "$(ln -s "$tmp/in" "$tmp/link" && echo "$tmp/link")"

# a failing command keeps the old -o file and leaves nothing else
printf 'old\n' > "$tmp/keep.csv"
printf 'a,b\n1,2\n3\n' > "$tmp/ragged.csv"
"$vagap" describe "$tmp/ragged.csv" -o "$tmp/keep.csv" --exclusions "$tmp/ex.csv" 2> "$tmp/err"
[ $? = 1 ] || fail "ragged input: exit not 1"
[ "$(cat "$tmp/keep.csv")" = old ] || fail "a failed command replaced the old -o file"
[ -e "$tmp/ex.csv" ] && fail "a failed command left an --exclusions file"
ls -a "$tmp" | grep -q vagap- && fail "a failed command left a temporary file"

# --exclusions that cannot be written: its path is named and no -o file is left
rm -f "$tmp/out.csv"
printf 'a,b\n1,2\n\n3,4\n' > "$tmp/blank.csv"
"$vagap" describe "$tmp/blank.csv" --exclusions /dev/full -o "$tmp/out.csv" 2> "$tmp/err"
[ $? = 1 ] || fail "--exclusions /dev/full: exit not 1"
grep -q "/dev/full: write failed" "$tmp/err" || { fail "--exclusions /dev/full: path not named"; cat "$tmp/err"; }
[ -e "$tmp/out.csv" ] && fail "--exclusions /dev/full left a complete -o file"

# a successful command writes both
"$vagap" describe "$tmp/blank.csv" --exclusions "$tmp/ex.csv" -o "$tmp/out.csv" 2> "$tmp/err" || fail "describe -o --exclusions failed"
[ "$(sed -n 2p "$tmp/ex.csv")" = "$tmp/blank.csv,3,blank line" ] || { fail "--exclusions content"; cat "$tmp/ex.csv"; }

# truncated gzip: never exit 0, at any cut
awk 'BEGIN { print "id,x,y"; for (i = 0; i < 20000; i++) printf "%d,%d,%d\n", i, (i * 7919) % 1000, i % 7 }' > "$tmp/big.csv"
gzip -c "$tmp/big.csv" > "$tmp/big.csv.gz"
size=$(stat -c %s "$tmp/big.csv.gz")
cuts=0 silent=0
for cut in 1 2 3 5 10 11 20 100 1000 $(seq 2000 1777 "$size") $((size - 9)) $((size - 8)) $((size - 4)) $((size - 1)); do
  head -c "$cut" "$tmp/big.csv.gz" > "$tmp/cut.gz"
  "$vagap" describe --quiet "$tmp/cut.gz" > /dev/null 2> "$tmp/err"
  code=$?
  cuts=$((cuts + 1))
  [ "$code" = 0 ] && silent=$((silent + 1))
  grep -q "truncated gzip data" "$tmp/err" || { fail "cut at $cut of $size: $(cat "$tmp/err")"; }
done
[ "$silent" = 0 ] || fail "$silent of $cuts truncated gzip files read with exit 0"
# the whole file, concatenated members, trailing garbage
"$vagap" describe --quiet "$tmp/big.csv" > "$tmp/want"
"$vagap" describe --quiet "$tmp/big.csv.gz" > "$tmp/got" && cmp -s "$tmp/want" "$tmp/got" || fail "gzip read differs from plain"
head -n 5000 "$tmp/big.csv" | gzip -c > "$tmp/cat.gz"
tail -n +5001 "$tmp/big.csv" | gzip -c >> "$tmp/cat.gz"
"$vagap" describe --quiet "$tmp/cat.gz" > "$tmp/got" && cmp -s "$tmp/want" "$tmp/got" || fail "concatenated gzip members differ from plain"
{ cat "$tmp/big.csv.gz"; printf 'junk'; } > "$tmp/junk.gz"
"$vagap" describe --quiet "$tmp/junk.gz" > /dev/null 2> "$tmp/err" && fail "trailing garbage after gzip read with exit 0"
grep -q "trailing data after the end of the gzip data" "$tmp/err" || fail "trailing garbage: $(cat "$tmp/err")"

# settings from the environment that are not positive whole numbers are ignored, with a note
for setting in VAGAP_THREADS=abc VAGAP_THREADS=0 VAGAP_SEGMENT_BYTES=-5 VAGAP_SEGMENT_BYTES=1k; do
  env "$setting" "$vagap" describe --quiet "$tmp/big.csv" > "$tmp/got" 2> "$tmp/err" || fail "$setting: failed"
  cmp -s "$tmp/want" "$tmp/got" || fail "$setting: output differs"
  grep -q "note: ${setting%%=*}='${setting#*=}' is not a positive whole number; ignored" "$tmp/err" ||
    { fail "$setting: no note"; cat "$tmp/err"; }
done
env VAGAP_THREADS=2 VAGAP_SEGMENT_BYTES=4096 "$vagap" describe --quiet "$tmp/big.csv" > "$tmp/got" 2> "$tmp/err"
[ -s "$tmp/err" ] && fail "valid settings gave a note: $(cat "$tmp/err")"
echo "checked $cuts gzip cuts"
exit $status
