#!/bin/sh
# The examples run from a clean clone (the tracked and new files of the source tree, no
# build/, no out/), and all find the program the same way: the first argument, else
# $VAGAP, else build/vagap of their tree; with none of these they stop with a message.
# Usage: sh examples_clean_clone.sh VAGAP SOURCE_DIR SHARED_DATASETS
set -u
vagap=$1 src=$2
command -v git > /dev/null && git -C "$src" rev-parse --git-dir > /dev/null 2>&1 ||
  { echo "skipped: $src is not a git checkout, so there is no clean clone to make"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
clone=$tmp/clone
mkdir "$clone" && (cd "$src" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$clone") ||
  { echo "FAIL: could not copy the source tree"; exit 1; }
[ ! -e "$clone/build" ] || { echo "FAIL: the copy has a build/ folder"; exit 1; }
status=0
run() { # run NAME EXPECTED_TEXT COMMAND...: the command must exit 0 and print EXPECTED_TEXT
  name=$1 want=$2; shift 2
  if (cd "$tmp" && "$@") > "$tmp/log" 2>&1 && grep -q -- "$want" "$tmp/log"; then echo "ok: $name"
  else echo "FAIL: $name"; tail -15 "$tmp/log"; status=1; fi
}
vs=$clone/examples/valueaction-sim/run.sh

if (cd "$tmp" && env -u VAGAP sh "$vs") > "$tmp/log" 2>&1; then
  echo "FAIL: valueaction-sim ran without any program"; status=1
elif grep -q "no program at '$clone/build/vagap'" "$tmp/log"; then echo "ok: no program: clear message"
else echo "FAIL: no program: unexpected message"; cat "$tmp/log"; status=1; fi

run "valueaction-sim, program as argument" '== role-play' env -u VAGAP sh "$vs" "$vagap"
run "valueaction-sim, program in \$VAGAP" '== role-play' env VAGAP="$vagap" sh "$vs"
mkdir "$clone/build" && ln -s "$vagap" "$clone/build/vagap"
run "valueaction-sim, build/vagap of the clone" '== role-play' env -u VAGAP sh "$vs"
rm -r "$clone/build"
run "vaar (5 resamples), program in \$VAGAP" '== 4. bootstrap' \
  env VAGAP="$vagap" sh "$clone/examples/vaar/run.sh" "" "$tmp/vaar" 5
[ -s "$tmp/vaar/vaar_boot.csv" ] || { echo "FAIL: vaar wrote no vaar_boot.csv"; status=1; }
exit $status
