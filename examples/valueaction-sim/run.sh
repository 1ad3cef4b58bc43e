#!/bin/sh
# Walk-through of vagap align and vagap consistency on the simulated logs in
# datasets/valueaction-sim (see its README for the planted truths).
# Usage: sh examples/valueaction-sim/run.sh [VAGAP]
# VAGAP is the program (default $VAGAP, else build/vagap of this tree).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/examples/find-vagap.sh"
find_vagap "${1:-}"
d=$root/datasets/valueaction-sim

echo "== ValueActionLens alignment per model (F1, distance, votes), by country"
"$vagap" align --scenario country,topic --by country "$d/alignment.csv"

echo "== the same with disagree as the positive class; undefined F1 leaves the scenario out"
"$vagap" align --scenario country,topic --positive-class disagree --zero-division nan \
  "$d/alignment.csv" | grep ',f1'

echo "== cross-model consistency: mean off-diagonal Pearson r per model"
"$vagap" consistency "$d/choices.csv" | grep mean_r

echo "== stated (profile) versus enacted values per persona"
"$vagap" consistency --mode stated-enacted --centre --profile "$d/profile.csv" "$d/enactment.csv"

echo "== role-play drop: accuracy(select) - accuracy(hold), paired t-test"
"$vagap" consistency --mode roleplay --a select --b hold "$d/roleplay.csv" | tail -1
