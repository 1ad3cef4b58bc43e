#!/bin/sh
# `vagap report` on the hand-made study tests/data/report_mini, whose every
# per-unit number is worked out here:
#   IAT (a = self&neg, b = self&pos, c = other&neg, d = other&pos):
#     m1 trial 1: d=2 c=0 a=2 b=0 -> 1;  trial 2: a=b=c=d=1 -> 0;  mean 0.5
#     m2 trial 1: d=1 c=1, a+b=0 -> invalid; trial 2 ("Good." -> good,
#        "Other" -> other; "neutral" ignored): d=1 a=1 -> 1;  mean 1
#     m3 trial 1: a=b=c=d=1 -> 0; trial 2 unparsed -> invalid;  mean 0
#   behaviour: m1 2 of 3 valid (1 invalid), m2 3/4, m3 2/4
#   self-report (1-7, Q2 reversed = 8 - x): m1 (7+6)/2 = 6.5 -> 5.5/6,
#     m2 6 -> 5/6, m3 4 -> 0.5, m4 only Q1 = 5 -> 4/6 (no IAT, no choices)
#   gap: m1 11/12 - 2/3 = 0.25, m2 5/6 - 3/4 = 1/12, m3 0; mean 1/9
#   quadrants (0.65, 0.05): m1, m2 prosocial_overclaiming; m3 low_calibrated
# Usage: report_mini.sh VAGAP SOURCE_DIR SHARED   (no python3: failure)
set -u
vagap=$1 src=$2
# Only the standard library is needed: Debian's python3, else any python3.
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3 || true)
if [ -z "$py" ]; then echo "FAIL: no python3 to run the converter and the checks"; exit 1; fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
"$vagap" report "$src/tests/data/report_mini" --out "$tmp" --quiet || { echo "FAIL: vagap report"; exit 1; }
"$py" - "$tmp" <<'PY'
import csv, os, sys
out = sys.argv[1]
fail = 0
def table(name):
    return {r["model"]: r for r in csv.DictReader(open(os.path.join(out, name)))}
def expect(name, model, col, want):
    global fail
    got = table(name)[model][col]
    ok = (got == want) if isinstance(want, str) else abs(float(got) - want) < 1e-12
    if not ok:
        print("FAIL: %s %s %s = %s, want %s" % (name, model, col, got, want)); fail = 1
for m, score, nv, ni, ign in (("m1", 0.5, 2, 0, 0), ("m2", 1.0, 1, 1, 1), ("m3", 0.0, 1, 1, 0)):
    expect("iat_units.csv", m, "score", score)
    expect("iat_units.csv", m, "n_valid", nv)
    expect("iat_units.csv", m, "n_invalid", ni)
    expect("iat_units.csv", m, "n_ignored", ign)
for m, x, n in (("m1", 2, 3), ("m2", 3, 4), ("m3", 2, 4)):
    expect("behavior_units.csv", m, "x", x)
    expect("behavior_units.csv", m, "n", n)
    expect("behavior_units.csv", m, "estimate", x / n)
for m, s in (("m1", 6.5), ("m2", 6.0), ("m3", 4.0), ("m4", 5.0)):
    expect("selfreport_units.csv", m, "score", s)
    expect("selfreport_units.csv", m, "pomp", (s - 1) / 6)
    expect("gap_units.csv", m, "selfreport", (s - 1) / 6)
for m, gap, q in (("m1", 0.25, "prosocial_overclaiming"), ("m2", 1 / 12, "prosocial_overclaiming"),
                  ("m3", 0.0, "low_calibrated")):
    expect("gap_units.csv", m, "gap", gap)
    expect("gap_units.csv", m, "quadrant", q)
expect("gap_units.csv", "m4", "complete", "FALSE")
expect("gap_units.csv", "m4", "missing", "iat,behavior")
tests = {(r["group"], r["term"]): r for r in csv.DictReader(open(os.path.join(out, "gap_tests.csv")))}
for key, want in ((("gap", "selfreport-behavior"), 1 / 9), (("iat", "mean"), 0.5),
                  (("units", "excluded"), 1), (("gap", "overclaiming"), 2 / 3)):
    if abs(float(tests[key]["estimate"]) - want) > 1e-12:
        print("FAIL: %s = %s, want %r" % (key, tests[key]["estimate"], want)); fail = 1
excl = list(csv.DictReader(open(os.path.join(out, "exclusions.csv"))))
if len(excl) != 4:
    print("FAIL: %d exclusions, want 4" % len(excl)); fail = 1
print("report_mini: %s" % ("FAIL" if fail else "all hand-computed values reproduced"))
sys.exit(fail)
PY
