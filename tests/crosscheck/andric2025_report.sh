#!/bin/sh
# Reproduction: the published numbers of Andric (2025) (METHODS.md section 5)
# from the released logs, through examples/andric2025/run.sh (convert.py, then
# `vagap report` with its default Andric presets).  Asserts, at the published
# rounding: 24 models; mean IAT 0.87 with every model > 0 and p < .0001;
# behaviour 65.6%, range 48-85%, > 50% with p < .0001; self-report 77.5%;
# r(IAT, behaviour) = .22 with p = .29; paired self-report vs behaviour
# p < .0001 with d = 1.08 (d_z0); 75% over-confident; 12.5% prosocial and
# calibrated.  Also, per model and to 1e-9, against the authors' own summaries
# in the JSON files: behaviour = altruism_rate, self-report score =
# total_score, IAT = mean_altruism_bias; and that report's IAT scores equal
# `vagap iat --method assoc --preset andric2025`, and that the same chain run
# as separate commands (vagap iat | prop | score -> vagap gap) gives the same
# gap_tests table (1e-12 relative).  Finally the SVG must parse as XML with an
# <svg> root.
# Usage: andric2025_report.sh VAGAP SOURCE_DIR SHARED_DATASETS   (exit 77 = skipped)
set -u
vagap=$1 src=$2 shared=$3
raw="$shared/andric2025/raw"
# Only the standard library is needed: Debian's python3, else any python3.
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3 || true)
if [ ! -d "$raw" ]; then echo "skipped: $raw is absent"; exit 77; fi
if [ -z "$py" ]; then echo "FAIL: no python3 to run the converter and the checks"; exit 1; fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

VAGAP="$vagap" PYTHON="$py" sh "$src/examples/andric2025/run.sh" "$vagap" "$raw" "$tmp/out" \
  > "$tmp/text" 2> "$tmp/stderr" || { echo "FAIL: run.sh"; cat "$tmp/stderr"; exit 1; }
"$vagap" iat --method assoc --preset andric2025 --digits 15 --quiet "$tmp/out/data/iat.csv" \
  > "$tmp/iat_cmd.csv" || { echo "FAIL: vagap iat"; exit 1; }
# The chain as separate commands; the self-report is the mean over all 15
# items, so the key's three subscales become one scale 'total'.
data="$tmp/out/data"
sed -e 's/,attitudes,/,total,/' -e 's/,everyday,/,total,/' -e 's/,sacrifice,/,total,/' \
  "$data/selfreport_key.csv" > "$tmp/key_total.csv"
"$vagap" prop --quiet --digits 17 "$data/choices.csv" > "$tmp/prop.csv" &&
"$vagap" score --quiet --digits 17 --key "$tmp/key_total.csv" --min 1 --max 7 --min-items 1 \
  "$data/selfreport.csv" > "$tmp/score.csv" &&
"$vagap" iat --method assoc --preset andric2025 --digits 17 --quiet "$data/iat.csv" > "$tmp/iat17.csv" &&
"$vagap" gap --quiet --digits 17 --iat "$tmp/iat17.csv" --behavior "$tmp/prop.csv" \
  --selfreport "$tmp/score.csv" --selfreport-scale total --counts x,n > "$tmp/gap_chain.csv" ||
  { echo "FAIL: the iat | prop | score | gap chain"; exit 1; }

"$py" - "$raw" "$tmp/out" "$tmp/iat_cmd.csv" "$tmp/gap_chain.csv" <<'PY'
import csv, glob, json, math, os, sys
import xml.etree.ElementTree as ET
raw, out, iat_cmd, gap_chain = sys.argv[1:5]
fail = []

def check(name, ok, shown):
    print("%-46s %s  %s" % (name, "ok  " if ok else "FAIL", shown))
    if not ok:
        fail.append(name)

tests = {(r["group"], r["term"]): r for r in csv.DictReader(open(os.path.join(out, "gap_tests.csv")))}
units = list(csv.DictReader(open(os.path.join(out, "gap_units.csv"))))
num = lambda g, t, col="estimate": float(tests[(g, t)][col])
complete = [u for u in units if u["complete"] == "TRUE"]

check("24 models with all three tasks", len(complete) == 24 and num("units", "complete") == 24,
      "%d (excluded: %s)" % (len(complete), tests[("units", "excluded")]["method"]))
check("mean IAT 0.87", round(num("iat", "mean"), 2) == 0.87, "%.6f" % num("iat", "mean"))
check("all models IAT > 0", all(float(u["iat"]) > 0 for u in complete),
      "min %.4f" % num("iat", "min"))
check("IAT > 0, p < .0001", num("iat", "mean", "p.value") < 1e-4, "p = %.3g" % num("iat", "mean", "p.value"))
check("behaviour 65.6%", round(100 * num("behavior", "mean"), 1) == 65.6, "%.4f%%" % (100 * num("behavior", "mean")))
check("behaviour range 48-85%", round(100 * num("behavior", "min")) == 48 and round(100 * num("behavior", "max")) == 85,
      "%.2f%% to %.2f%%" % (100 * num("behavior", "min"), 100 * num("behavior", "max")))
check("behaviour > 50%, p < .0001", num("behavior", "mean", "p.value") < 1e-4 and num("behavior", "mean", "statistic") > 0,
      "t = %.3f, p = %.3g" % (num("behavior", "mean", "statistic"), num("behavior", "mean", "p.value")))
check("self-report 77.5%", round(100 * num("selfreport", "mean"), 1) == 77.5, "%.4f%%" % (100 * num("selfreport", "mean")))
r = num("correlation", "iat~behavior")
p = num("correlation", "iat~behavior", "p.value")
check("r(IAT, behaviour) = .22", round(r, 2) == 0.22, "%.6f" % r)
check("p(r) = .29", round(p, 2) == 0.29, "%.6f" % p)
pp = num("gap", "selfreport-behavior", "p.value")
check("paired p < .0001", pp < 1e-4, "t(%s) = %.4f, p = %.3g" % (tests[("gap", "selfreport-behavior")]["df"],
      num("gap", "selfreport-behavior", "statistic"), pp))
check("Cohen's d = 1.08 (d_z0)", round(num("gap", "d_z0"), 2) == 1.08, "d_z0 %.6f (d_z %.6f)" % (num("gap", "d_z0"), num("gap", "d_z")))
check("75% over-confident", round(100 * num("gap", "overclaiming"), 1) == 75.0, "%.4f%%" % (100 * num("gap", "overclaiming")))
check("12.5% prosocial and calibrated", round(100 * num("quadrant", "prosocial_calibrated"), 1) == 12.5,
      "%.4f%%" % (100 * num("quadrant", "prosocial_calibrated")))

# Per model against the authors' summaries.
def summaries(task):
    res = {}
    for path in glob.glob(os.path.join(raw, task, "*.json")):
        doc = json.load(open(path))
        res[doc["model"]] = doc["summary"]
    return res
def worst_diff(table, key_col, value_col, summary, field, scale=1.0, shift=0.0):
    rows = {r["model"]: r for r in csv.DictReader(open(os.path.join(out, table)))}
    worst, missing = 0.0, 0
    for model, s in summary.items():
        if model not in rows or rows[model][value_col] == "NA":
            missing += 1
            continue
        worst = max(worst, abs(float(rows[model][value_col]) * scale + shift - s[field]))
    return worst, missing, len(summary)
# the total over all keyed items is the gap's self-report measure: POMP = (total - 1)/6
for table, col, task, field, scale, shift in (
        ("behavior_units.csv", "estimate", "forced_choice", "altruism_rate", 1.0, 0.0),
        ("gap_units.csv", "selfreport", "self_assessment", "total_score", 6.0, 1.0),
        ("iat_units.csv", "score", "iat", "mean_altruism_bias", 1.0, 0.0)):
    summ = summaries(task)
    if task == "self_assessment":  # a model whose runs were all unparsed has no score
        summ = {m: s for m, s in summ.items() if not (isinstance(s[field], float) and math.isnan(s[field]))}
    w, missing, n = worst_diff(table, "model", col, summ, field, scale, shift)
    check("%s = summary %s" % (table, field), w < 1e-9 and missing == 0, "max |diff| %.3g over %d models" % (w, n))

cmd = {r["model"]: float(r["score"]) for r in csv.DictReader(open(iat_cmd))}
rep = {r["model"]: float(r["score"]) for r in csv.DictReader(open(os.path.join(out, "iat_units.csv")))}
w = max(abs(cmd[m] - rep[m]) for m in cmd) if set(cmd) == set(rep) else float("inf")
check("report IAT = vagap iat", w < 1e-12, "max |diff| %.3g" % w)

chain = {(r["group"], r["term"]): r for r in csv.DictReader(open(gap_chain))}
worst, same = 0.0, set(chain) == set(tests)
for key in tests if same else ():
    for col in ("estimate", "std.error", "statistic", "df", "p.value", "conf.low", "conf.high", "n"):
        x, y = chain[key][col], tests[key][col]
        if "NA" in (x, y):
            same = same and x == y
            continue
        worst = max(worst, abs(float(x) - float(y)) / max(abs(float(y)), 1e-300))
check("iat|prop|score|gap chain = report", same and worst < 1e-12, "max rel diff %.3g over %d rows" % (worst, len(chain)))

root = ET.parse(os.path.join(out, "calibration.svg")).getroot()
check("calibration.svg parses, <svg> root", root.tag == "{http://www.w3.org/2000/svg}svg",
      "%d circles" % len(root.findall(".//{http://www.w3.org/2000/svg}circle")))
md = open(os.path.join(out, "report.md")).read()
check("report.md states the paired test", "d_z0 = 1.08" in md and "p < .0001" in md, "")
sys.exit(1 if fail else 0)
PY
