#!/bin/sh
# Re-compute Shen, Clark & Mitra (2025) ValueActionLens from the authors' released files
# with their own procedure (vagap align --procedure shen2025).
#
#   examples/shen2025/run.sh [VAGAP [DATA_DIR [OUT_DIR]]]
#
# VAGAP     the program: this argument, else $VAGAP, else build/vagap
# DATA_DIR  the release (default ../shared/datasets/shen2025 next to the source tree)
# OUT_DIR   where the tables go (default out/shen2025)
# PYTHON    the interpreter for the converter (default python3; standard library only)
#
# Tables written:
#   t1_<model>.csv      per model: responses, parse failures, value errors, missing values,
#                       shifted rows, per-value means of the authors' Task-1 table
#   claude_country.csv  Claude Sonnet 4 (the only model with a released Task-2 log):
#   claude_topic.csv    Task-1/Task-2 counts (missing and filled cells), then per country
#                       (topic) tn/fp/fn/tp, accuracy, precision, recall, F1, distance and
#                       its ranking, and each value's distance and ranking within the level
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/examples/find-vagap.sh"
find_vagap "${1:-}"
data=${2:-$root/../shared/datasets/shen2025}
out=${3:-out/shen2025}
python=${PYTHON:-python3}

if [ ! -d "$data/outputs/evaluation" ]; then
  echo "run.sh: $data/outputs/evaluation not found; give the release folder as the second argument" >&2
  exit 1
fi
mkdir -p "$out/data"
"$python" "$here/convert.py" "$data" "$out/data"

for t1 in "$data"/outputs/evaluation/*_t1.csv; do
  model=$(basename "$t1" _t1.csv)
  "$vagap" align --procedure shen2025 "$t1" --quiet --output "$out/t1_$model.csv"
done

claude=$data/outputs/evaluation/anthropic-claude-sonnet-4-20250514_t1.csv
# The Task-2 log is read by vagap itself (JSON Lines); convert.py's task2_log.csv holds the
# same rows as CSV for tools that want one.
log=$(ls "$data"/outputs/evaluation/eval_log_*.jsonl)
for by in country topic; do
  "$vagap" align --procedure shen2025 "$claude" --task2 "$out/data/task2_items.csv" \
    --task2-log "$log" --by "$by" --output "$out/claude_$by.csv"
done
echo "run.sh: tables in $out/" >&2
