#!/bin/sh
# A chain of commands joins on the unit column without renaming: with the unit column
# called 'agent' in every input (--unit agent everywhere), score, prop and iat name
# their unit column 'agent', gap reads their tables as they are (prop's through a pipe)
# and gives the very tables the same chain gives on the original 'model' files.
# Usage: sh chain_no_renaming.sh VAGAP SOURCE_DIR SHARED_DATASETS
set -u
vagap=$1 src=$2
d=$src/datasets/walktalk-sim
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
status=0
fail() { echo "FAIL: $*"; status=1; }

chain() { # chain DIR UNIT: the inputs in DIR have their unit column called UNIT
  dir=$1 u=$2
  "$vagap" score --unit "$u" --key "$d/selfreport_key.csv" --min 1 --max 7 --quiet \
    "$dir/selfreport.csv" > "$dir/score.csv" || return 1
  "$vagap" iat --method assoc --unit "$u" --quiet "$dir/iat.csv" > "$dir/iat_units.csv" || return 1
  "$vagap" prop --unit "$u" --quiet "$dir/choices.csv" |
    "$vagap" gap --unit "$u" --iat "$dir/iat_units.csv" --behavior - --selfreport "$dir/score.csv" \
      --selfreport-scale attitudes --counts x,n --units-out "$dir/gap_units.csv" --quiet \
      > "$dir/gap.csv" || return 1
  for t in score iat_units gap_units; do
    [ "$(head -1 "$dir/$t.csv" | cut -d, -f1)" = "$u" ] || { echo "FAIL: $t.csv's first column is not $u"; return 1; }
  done
}

mkdir "$tmp/model" "$tmp/agent"
for f in choices selfreport iat; do
  cp "$d/$f.csv" "$tmp/model/"
  sed '1s/^model,/agent,/' "$d/$f.csv" > "$tmp/agent/$f.csv"
done
chain "$tmp/model" model || fail "the chain on the 'model' files"
chain "$tmp/agent" agent || fail "the chain on the 'agent' files"
[ $status = 0 ] || exit 1
n=$(grep -c '^units,complete,0,' "$tmp/agent/gap.csv")
[ "$n" = 0 ] || fail "gap joined no unit"
cmp -s "$tmp/model/gap.csv" "$tmp/agent/gap.csv" || { fail "gap's tests differ"; diff "$tmp/model/gap.csv" "$tmp/agent/gap.csv" | head; }
for t in score iat_units gap_units; do
  sed '1s/^model,/agent,/' "$tmp/model/$t.csv" | cmp -s - "$tmp/agent/$t.csv" || fail "$t.csv differs beyond its header"
done
[ $status = 0 ] && echo "ok: score | prop | iat | gap joined on 'agent' with no renaming ($(($(wc -l < "$tmp/agent/gap_units.csv") - 1)) units), same tables as on 'model'"
exit $status
