#!/bin/sh
# Re-analyse the released logs of Andric (2025) with one command.
#
#   examples/andric2025/run.sh [VAGAP [RAW_DIR [OUT_DIR]]]
#
# VAGAP    the program (default $VAGAP, else build/vagap of this tree), as in
#          every example
# RAW_DIR  the authors' results/model_backups/ folder (iat/, forced_choice/,
#          self_assessment/); default ../shared/datasets/andric2025/raw next to
#          the source tree
# OUT_DIR  where the tables, report.md and calibration.svg go; default
#          out/andric2025 (the converted CSVs go to OUT_DIR/data)
# PYTHON   the interpreter for the converter (default python3; the converter needs only the standard library)
#
# The report uses vagap's defaults, which are the Andric (2025) presets:
# IAT s = 0 with empty-side trials invalid; 'other' prosocial, 'self' selfish;
# 1-7 scale with A4, B4, C4 reversed via the key, self-report % = (score-1)/6;
# tau 0.05, behaviour cut 0.65.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/examples/find-vagap.sh"
find_vagap "${1:-}"
raw=${2:-$root/../shared/datasets/andric2025/raw}
out=${3:-out/andric2025}
python=${PYTHON:-python3}

if [ ! -d "$raw" ]; then
  echo "run.sh: $raw not found; give the authors' model_backups folder as the second argument" >&2
  exit 1
fi
mkdir -p "$out/data"
"$python" "$here/convert.py" "$raw" "$out/data"
"$vagap" report "$out/data" --out "$out" --text --title "Andric (2025) re-analysis"
echo "run.sh: report.md, calibration.svg and the tables are in $out/" >&2
