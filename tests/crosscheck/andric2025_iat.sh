#!/bin/sh
# Reproduction: association-count IAT of the released Andric (2025) logs.
# Converts ../shared/datasets/andric2025/raw with examples/andric2025/convert.py,
# scores it with `vagap iat --method assoc --preset andric2025`, and asserts
#  - every model's mean equals the authors' summary `mean_altruism_bias` (1e-9),
#  - n_valid equals the summary's `valid_trials`,
#  - the mean over the 24 models that have all three tasks rounds to 0.87.
# Usage: andric2025_iat.sh VAGAP SOURCE_DIR SHARED_DATASETS   (exit 77 = skipped)
set -u
vagap=$1 src=$2 shared=$3
raw="$shared/andric2025/raw"
py=/usr/bin/python3
if [ ! -d "$raw" ]; then echo "skipped: $raw is absent"; exit 77; fi
if [ ! -x "$py" ]; then echo "skipped: $py is absent"; exit 77; fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

"$py" "$src/examples/andric2025/convert.py" "$raw" "$tmp" || { echo "FAIL: converter"; exit 1; }
"$vagap" iat --method assoc --preset andric2025 --digits 17 --quiet \
  "$tmp/iat.csv" > "$tmp/scores.csv" || { echo "FAIL: vagap iat"; exit 1; }
# The same scores from the word lists instead of the valence column.  Word
# lists trim punctuation ("- wonderful" is wonderful), which can turn a stray
# entry into a repeated word, so only the scores are compared to the summaries.
"$vagap" iat --method assoc --preset andric2025 --digits 17 --quiet \
  --positive-words "$tmp/positive_words.txt" --negative-words "$tmp/negative_words.txt" \
  "$tmp/iat.csv" > "$tmp/scores_lists.csv" || { echo "FAIL: vagap iat with word lists"; exit 1; }

status=0
for scores in "$tmp/scores.csv" "$tmp/scores_lists.csv"; do
"$py" - "$raw" "$scores" <<'PY' || status=1
import csv, glob, json, os, sys
raw, scores = sys.argv[1], sys.argv[2]
print(os.path.basename(scores) + ":")
got = {row["model"]: row for row in csv.DictReader(open(scores))}
def models(task):
    out = {}
    for path in glob.glob(os.path.join(raw, task, "*.json")):
        doc = json.load(open(path))
        out[doc["model"]] = doc["summary"]
    return out
iat = models("iat")
complete = set(iat) & set(models("forced_choice")) & set(models("self_assessment"))
fail = 0
worst = 0.0
for model, summary in sorted(iat.items()):
    row = got.get(model)
    if row is None:
        print("FAIL: no score for", model); fail = 1; continue
    diff = abs(float(row["score"]) - summary["mean_altruism_bias"])
    worst = max(worst, diff)
    if diff > 1e-9:
        print("FAIL: %s mean %s vs summary %r" % (model, row["score"], summary["mean_altruism_bias"])); fail = 1
    if int(row["n_valid"]) != summary["valid_trials"]:
        print("FAIL: %s n_valid %s vs summary %d" % (model, row["n_valid"], summary["valid_trials"])); fail = 1
if len(got) != len(iat):
    print("FAIL: %d scored models, %d files" % (len(got), len(iat))); fail = 1
means = [float(got[m]["score"]) for m in complete if m in got]
grand = sum(means) / len(means)
print("models %d, with all three tasks %d, max |diff| %.3g, 24-model mean %.6f" % (len(iat), len(means), worst, grand))
if len(means) != 24:
    print("FAIL: expected 24 models with all three tasks"); fail = 1
if round(grand, 2) != 0.87:
    print("FAIL: 24-model mean %.6f does not round to 0.87" % grand); fail = 1
sys.exit(fail)
PY
done
exit $status
