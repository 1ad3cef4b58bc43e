#!/bin/sh
# The full VAAR analysis of the simulated privacy/prosocial study in
# datasets/privacy-prosocial-sim (see its README for the planted path signs):
#   1. measurement invariance: is the metric shared, so path signs compare?
#   2. fit once (metric invariance) and keep the parameter table;
#   3. score the table many ways: literature signs, the human group's signs;
#   4. bootstrap the VAAR (percentile intervals, agreement shares);
#   5. plot the path estimates with their CIs per group (plot.R, ggplot2).
# Usage: sh examples/vaar/run.sh [VAGAP [OUTDIR [B]]]
# VAGAP is the program (default $VAGAP, else build/vagap of this tree); OUTDIR
# defaults to out/vaar.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/examples/find-vagap.sh"
find_vagap "${1:-}"
out=${2:-out/vaar}
B=${3:-500}
data=$root/datasets/privacy-prosocial-sim/survey.csv
model=$here/model.lav
mkdir -p "$out"
labels=human,llm_a,llm_b,llm_c,llm_d,llm_e,llm_f

echo "== 1. invariance sequence (lavTestLRT-style differences)"
"$vagap" sem --quiet --model "$model" --group group \
  --invariance configural,metric,scalar,strict "$data" | tee "$out/invariance.csv"

echo "== 2. fit once with equal loadings; keep the parameter table"
"$vagap" sem --quiet --model "$model" --group group --group-equal loadings "$data" \
  > "$out/estimates.csv"
"$vagap" sem --quiet --fit --model "$model" --group group --group-equal loadings "$data" \
  | grep -E '^(chisq|df|cfi|rmsea|srmr),'

echo "== 3a. VAAR against the literature's signs (privacy lowers, prosociality raises AoDS)"
"$vagap" vaar --quiet --estimates "$out/estimates.csv" --group-labels "$labels" \
  --expect 'AoDS~privacy:-,AoDS~prosocial:+' | tee "$out/vaar_expect.csv" | grep ',vaar\.'

echo "== 3b. VAAR against the human group's own signs, only paths humans support at p < .01"
"$vagap" vaar --quiet --estimates "$out/estimates.csv" --group-labels "$labels" \
  --reference human --reference-alpha 0.01 | grep ',vaar\.strict,'

echo "== 4. bootstrap ($B resamples within groups, seed 2026)"
"$vagap" vaar --model "$model" --group group --expect 'AoDS~privacy:-,AoDS~prosocial:+' \
  --bootstrap "$B" --seed 2026 "$data" > "$out/vaar_boot.csv"
cut -d, -f1,2,3,5,7,17-21 "$out/vaar_boot.csv" | column -s, -t

if command -v Rscript > /dev/null 2>&1 && Rscript -e 'library(ggplot2)' > /dev/null 2>&1; then
  echo "== 5. plot: $out/paths.pdf and $out/vaar.pdf"
  Rscript "$here/plot.R" "$out/vaar_boot.csv" "$out"
else
  echo "== 5. skipped: R with ggplot2 (Debian r-cran-ggplot2) is not installed"
fi
