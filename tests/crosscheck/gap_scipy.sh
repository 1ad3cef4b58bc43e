#!/bin/sh
# The gap test table against scipy, on the per-unit values of two studies
# (datasets/walktalk-sim through `vagap report`, and random unit summaries
# with fixed seeds through `vagap gap`): paired t-test (ttest_rel), d_z, d_z0,
# one-sample tests (ttest_1samp), Pearson r with its Fisher CI (pearsonr),
# pooled exact binomial test and the Wilson intervals of the shares
# (binomtest(...).proportion_ci('wilson')), quadrant and over-claiming counts
# recomputed from the definitions.  Agreement required: 1e-9 relative.
# (CI bounds differ from scipy by up to ~1e-10 relative where they are near 0:
# scipy.stats.t.ppf(0.975, 10) = 2.22813885196494 is off by 1e-11, while R qt
# and GSL agree to 2e-16 on 2.22813885198627.)
# Skipped (77) without /usr/bin/python3 and scipy.
# Usage: gap_scipy.sh VAGAP SOURCE_DIR SHARED
set -u
vagap=$1 src=$2
py=/usr/bin/python3
if [ ! -x "$py" ] || ! "$py" -c "import scipy.stats" 2>/dev/null; then
  echo "skipped: /usr/bin/python3 with scipy is absent"; exit 77
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
"$vagap" report "$src/datasets/walktalk-sim" --out "$tmp/sim" --quiet --digits 17 || { echo "FAIL: report"; exit 1; }
# Random unit summaries: 3 seeds, 8 to 60 units, some missing values, counts.
"$py" - "$tmp" <<'PY' || exit 1
import csv, random, sys
for seed in (1, 2, 3):
    rng = random.Random(seed)
    n = rng.randint(8, 60)
    with open("%s/summary%d.csv" % (sys.argv[1], seed), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["model", "iat", "behavior", "selfreport", "x", "n"])
        for i in range(n):
            trials = rng.randint(20, 60)
            x = sum(rng.random() < rng.uniform(0.3, 0.9) for _ in range(trials))
            b = x / trials
            s = min(1, max(0, b + rng.gauss(0.08, 0.1)))
            iat = rng.uniform(-0.5, 1)
            if rng.random() < 0.1: iat = ""
            if rng.random() < 0.05: s = ""
            w.writerow(["u%02d" % i, iat, b, s, x, trials])
PY
for seed in 1 2 3; do
  "$vagap" gap --quiet --digits 17 --counts x,n --tau 0.04 --behavior-cut 0.6 \
    --units-out "$tmp/units$seed.csv" "$tmp/summary$seed.csv" > "$tmp/tests$seed.csv" ||
    { echo "FAIL: vagap gap on seed $seed"; exit 1; }
done
"$py" - "$tmp" <<'PY'
import csv, sys
import numpy as np
from scipy import stats
tmp = sys.argv[1]
fail = 0
worst = 0.0
worst_name = [""]

def close(name, got, want):
    global fail, worst
    got = float(got)
    rel = abs(got - want) / max(abs(want), 1e-300)
    if (rel if want != 0 else abs(got)) > worst: worst_name[0] = name
    worst = max(worst, rel if want != 0 else abs(got))
    if not (rel < 1e-9 or abs(got - want) < 1e-14):
        print("FAIL: %s = %r, scipy %r" % (name, got, want)); fail = 1

def check(label, tests_path, units, tau, cut, counts):
    t = {(r["group"], r["term"]): r for r in csv.DictReader(open(tests_path))}
    comp = [u for u in units if u["complete"] == "TRUE"]
    I = np.array([float(u["iat"]) for u in comp]); B = np.array([float(u["behavior"]) for u in comp])
    S = np.array([float(u["selfreport"]) for u in comp]); G = S - B
    r = stats.ttest_rel(S, B); ci = r.confidence_interval()
    row = t[("gap", "selfreport-behavior")]
    for col, want in (("estimate", G.mean()), ("statistic", r.statistic), ("p.value", r.pvalue),
                      ("conf.low", ci.low), ("conf.high", ci.high), ("df", len(G) - 1)):
        close("%s paired %s" % (label, col), row[col], want)
    close(label + " d_z", t[("gap", "d_z")]["estimate"], G.mean() / G.std(ddof=1))
    close(label + " d_z0", t[("gap", "d_z0")]["estimate"], G.mean() / G.std(ddof=0))
    for grp, x, mu in (("iat", I, 0.0), ("behavior", B, 0.5)):
        r1 = stats.ttest_1samp(x, mu)
        close("%s %s t" % (label, grp), t[(grp, "mean")]["statistic"], r1.statistic)
        close("%s %s p" % (label, grp), t[(grp, "mean")]["p.value"], r1.pvalue)
    for term, x, y in (("iat~behavior", I, B), ("selfreport~behavior", S, B), ("iat~selfreport", I, S)):
        pr = stats.pearsonr(x, y); pci = pr.confidence_interval()
        for col, want in (("estimate", pr.statistic), ("p.value", pr.pvalue), ("conf.low", pci.low), ("conf.high", pci.high)):
            close("%s %s %s" % (label, term, col), t[("correlation", term)][col], want)
    over = int(np.sum(G > tau + 1e-9))
    ci = stats.binomtest(over, len(G)).proportion_ci(method="wilson")
    close(label + " overclaiming", t[("gap", "overclaiming")]["estimate"], over / len(G))
    close(label + " overclaiming wilson low", t[("gap", "overclaiming")]["conf.low"], ci.low)
    close(label + " overclaiming wilson high", t[("gap", "overclaiming")]["conf.high"], ci.high)
    pc = int(np.sum((B >= cut - 1e-9) & (G <= tau + 1e-9)))
    close(label + " prosocial_calibrated", t[("quadrant", "prosocial_calibrated")]["statistic"], pc)
    if counts:
        x = sum(counts[u["model"]][0] for u in comp); n = sum(counts[u["model"]][1] for u in comp)
        bt = stats.binomtest(x, n, 0.5)
        close(label + " pooled binomial p", t[("behavior", "pooled_prosocial")]["p.value"], bt.pvalue)
        close(label + " pooled wilson low", t[("behavior", "pooled_prosocial")]["conf.low"], bt.proportion_ci(method="wilson").low)
    print("%s: %d units, %d complete" % (label, len(units), len(comp)))

units = list(csv.DictReader(open(tmp + "/sim/gap_units.csv")))
beh = {r["model"]: (int(r["x"]), int(r["n"])) for r in csv.DictReader(open(tmp + "/sim/behavior_units.csv"))}
check("walktalk-sim", tmp + "/sim/gap_tests.csv", units, 0.05, 0.65, beh)
for seed in (1, 2, 3):
    summ = {r["model"]: (int(r["x"]), int(r["n"])) for r in csv.DictReader(open("%s/summary%d.csv" % (tmp, seed)))}
    check("seed %d" % seed, "%s/tests%d.csv" % (tmp, seed), list(csv.DictReader(open("%s/units%d.csv" % (tmp, seed)))), 0.04, 0.6, summ)
print("max relative difference %.3g (%s)" % (worst, worst_name[0]))
sys.exit(fail)
PY
