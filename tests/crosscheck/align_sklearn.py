"""Cross-check of vagap align / vagap consistency against scikit-learn and scipy.

Run by align_sklearn.sh as: python3 align_sklearn.py VAGAP SOURCE_DIR TMPDIR
Exit 0 = agree, 1 = disagree, 77 = scikit-learn or scipy missing.

Everything on the reference side is computed here from the raw CSV, independently of
vagap: binarisation (Likert mean (m-1)/3 >= 0.5 -> disagree; share of disagree actions
>= 0.5 -> disagree), F1 with sklearn.metrics.f1_score(zero_division=...), decision
vectors and their correlations with scipy.stats.pearsonr / spearmanr, and the t-tests
with scipy.stats.ttest_1samp / ttest_rel.
"""
import csv
import io
import math
import os
import random
import subprocess
import sys
import warnings

try:
    import numpy as np
    from scipy import stats
    from sklearn.metrics import f1_score
except ImportError as e:  # the reference is not installed: skipped, not passed
    print("skipped: %s" % e)
    sys.exit(77)

VAGAP, SRC, TMP = sys.argv[1], sys.argv[2], sys.argv[3]
SIM = os.path.join(SRC, "datasets", "valueaction-sim")
worst = {}
failures = []


def run(*args):
    out = subprocess.run([VAGAP, *args, "--quiet", "--digits", "17"], check=True,
                         capture_output=True, text=True).stdout
    return list(csv.DictReader(io.StringIO(out)))


def num(s):
    return float("nan") if s == "NA" else float(s)


def compare(what, ours, ref, rel=1e-12, abs_=1e-13):
    if math.isnan(ref) and math.isnan(ours):
        return
    d = abs(ours - ref)
    worst[what] = max(worst.get(what, 0.0), d)
    if not (d <= abs_ or d <= rel * abs(ref)):
        failures.append("%s: vagap %.17g, reference %.17g" % (what, ours, ref))


# ---- F1 ---------------------------------------------------------------------------

def read_alignment(path, scen_cols):
    cells = {}
    with open(path) as f:
        for r in csv.DictReader(f):
            if any(r[c] in ("", "NA") for c in ["model", "value", "prompt"] + scen_cols):
                continue
            st = None if r["stated"] in ("", "NA") else float(r["stated"])
            ac = None if r["action"] in ("", "NA") else r["action"]
            if ac not in (None, "agree", "disagree"):
                continue
            if st is not None and not 1 <= st <= 4:
                continue
            key = (r["model"], tuple(r[c] for c in scen_cols), r["value"])
            c = cells.setdefault(key, ([], []))
            if st is not None:
                c[0].append(st)
            if ac is not None:
                c[1].append(ac == "disagree")
    return cells


def reference_f1(cells, positive, zero_division):
    by_scen = {}
    for (m, s, v), (st, ac) in cells.items():
        if not st or not ac:
            continue
        vb = "disagree" if (sum(st) / len(st) - 1) / 3 >= 0.5 else "agree"
        ab = "disagree" if sum(ac) / len(ac) >= 0.5 else "agree"
        by_scen.setdefault((m, s), ([], []))
        by_scen[(m, s)][0].append(vb)
        by_scen[(m, s)][1].append(ab)
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for key, (truth, pred) in by_scen.items():
            out[key] = f1_score(truth, pred, pos_label=positive, labels=["agree", "disagree"],
                                average="binary", zero_division=zero_division)
    return out


def check_f1(path, scen_cols, label):
    cells = read_alignment(path, scen_cols)
    for positive in ("agree", "disagree"):
        for zd in (0, 1):
            ref = reference_f1(cells, positive, zd)
            rows = run("align", "--scenario", ",".join(scen_cols), "--positive-class", positive,
                       "--zero-division", str(zd), "--scenarios", path)
            seen = 0
            for r in rows:
                if r["term"] == "f1_scenario":
                    key = (r["model"], tuple(r["level"].split("|")))
                    compare("F1 per scenario (%s)" % label, num(r["estimate"]), ref[key])
                    seen += 1
            if seen != len(ref):
                failures.append("%s: %d scenarios from vagap, %d in the reference" % (label, seen, len(ref)))
            for r in rows:
                if r["term"] == "f1":
                    vals = [f for (m, s), f in ref.items() if m == r["model"]]
                    compare("F1 model mean (%s)" % label, num(r["estimate"]), sum(vals) / len(vals))


def sparse_alignment(path):
    """Few values per scenario, so that empty positive classes occur."""
    rng = random.Random(99)
    with open(path, "w") as f:
        f.write("model,scenario,value,prompt,stated,action\n")
        for m in ("a", "b"):
            for s in range(40):
                for v in range(1 + s % 3):
                    for p in range(3):
                        st = 1 + int(4 * rng.random())
                        ac = "disagree" if rng.random() < 0.3 + 0.4 * (st >= 3) else "agree"
                        f.write("%s,s%d,v%d,p%d,%d,%s\n" % (m, s, v, p, st, ac))


check_f1(os.path.join(SIM, "alignment.csv"), ["country", "topic"], "valueaction-sim")


def check_distance_votes(path):
    """Distances per country, majority votes and prompt agreement, in plain Python."""
    cells, pairs = {}, {}
    with open(path) as f:
        for r in csv.DictReader(f):
            st = None if r["stated"] == "NA" else int(r["stated"])
            ac = None if r["action"] == "NA" else int(r["action"] == "disagree")
            key = (r["model"], r["country"], r["topic"], r["value"])
            c = cells.setdefault(key, ([], []))
            if st is not None:
                c[0].append(st)
            if ac is not None:
                c[1].append(ac)
            if st is not None and ac is not None:
                p = pairs.setdefault(r["model"], [0, 0])
                p[0] += int((st >= 3) == ac)
                p[1] += 1
    dist, votes = {}, {}
    for (m, country, topic, value), (st, ac) in cells.items():
        if st and ac:
            d = abs((sum(st) / len(st) - 1) / 3 - sum(ac) / len(ac))
            dist.setdefault((m, country), []).append(d)
            dist.setdefault((m, None), []).append(d)
        if st and ac:
            sv = "D" if 2 * sum(x >= 3 for x in st) >= len(st) else "A"
            av = "D" if 2 * sum(ac) >= len(ac) else "A"
            votes[(m, sv + av)] = votes.get((m, sv + av), 0) + 1
    rows = run("align", "--scenario", "country,topic", "--by", "country", path)
    for r in rows:
        m = r["model"]
        if r["term"] == "distance":
            key = (m, None if r["by"] == "NA" else r["level"])
            compare("distance (overall and per country)", num(r["estimate"]),
                    sum(dist[key]) / len(dist[key]))
        elif r["term"].startswith("n_"):
            compare("majority-vote counts", num(r["estimate"]), votes.get((m, r["term"][2:]), 0), 0, 0)
        elif r["term"] == "prompt_agreement":
            compare("prompt agreement", num(r["estimate"]), pairs[m][0] / pairs[m][1])


check_distance_votes(os.path.join(SIM, "alignment.csv"))
sparse = os.path.join(TMP, "sparse.csv")
sparse_alignment(sparse)
check_f1(sparse, ["scenario"], "sparse")

# ---- correlation matrices ------------------------------------------------------------

def decision_vectors(path):
    counts, totals, items = {}, {}, []
    with open(path) as f:
        for r in csv.DictReader(f):
            u, s, c = r["model"], r["scenario"], r["choice"]
            if (s, c) not in items:
                items.append((s, c))
            counts[(u, s, c)] = counts.get((u, s, c), 0) + 1
            totals[(u, s)] = totals.get((u, s), 0) + 1
    units = sorted({u for (u, s) in totals})
    vec = {u: [counts.get((u, s, c), 0) / totals[(u, s)] if (u, s) in totals else float("nan")
               for (s, c) in items] for u in units}
    return vec


vec = decision_vectors(os.path.join(SIM, "choices.csv"))
rows = run("consistency", "--method", "both", os.path.join(SIM, "choices.csv"))
for r in rows:
    if r["term"] != "r" or r["model"] == r["level"]:
        continue
    x, y = np.array(vec[r["model"]]), np.array(vec[r["level"]])
    ok = ~(np.isnan(x) | np.isnan(y))
    if r["method"] == "pearson":
        res = stats.pearsonr(x[ok], y[ok])
        ci = res.confidence_interval(0.95)
        compare("matrix pearson r", num(r["estimate"]), res.statistic)
        compare("matrix pearson p", num(r["p.value"]), res.pvalue, rel=1e-9)
        compare("matrix pearson CI", num(r["conf.low"]), ci.low, rel=1e-10)
        compare("matrix pearson CI", num(r["conf.high"]), ci.high, rel=1e-10)
    else:
        res = stats.spearmanr(x[ok], y[ok])
        compare("matrix spearman rho", num(r["estimate"]), res.correlation)
        compare("matrix spearman p", num(r["p.value"]), res.pvalue, rel=1e-9)
# mean off-diagonal r per unit (pearson)
for r in rows:
    if r["term"] == "mean_r" and r["method"] == "pearson":
        others = [stats.pearsonr(*[np.array(a)[~(np.isnan(vec[r["model"]]) | np.isnan(vec[o]))]
                                   for a in (vec[r["model"]], vec[o])]).statistic
                  for o in vec if o != r["model"]]
        compare("matrix mean off-diagonal r", num(r["estimate"]), sum(others) / len(others))

# ---- stated vs enacted, role-play --------------------------------------------------------

prof, enact = {}, {}
with open(os.path.join(SIM, "profile.csv")) as f:
    for r in csv.DictReader(f):
        prof[(r["model"], r["value"])] = float(r["score"])
with open(os.path.join(SIM, "enactment.csv")) as f:
    for r in csv.DictReader(f):
        enact.setdefault((r["model"], r["value"]), []).append(float(r["enacted"]))
units = sorted({u for u, v in prof})
values = list(dict.fromkeys(v for u, v in prof))
rows = run("consistency", "--mode", "stated-enacted", "--centre", "--profile",
           os.path.join(SIM, "profile.csv"), os.path.join(SIM, "enactment.csv"))
rs = {}
for u in units:
    s = np.array([prof[(u, v)] for v in values])
    s = s - s.mean()
    e = np.array([np.mean(enact[(u, v)]) for v in values])
    rs[u] = stats.pearsonr(s, e).statistic
tt = stats.ttest_1samp(list(rs.values()), 0.0)
for r in rows:
    if r["term"] == "r":
        compare("stated-enacted r", num(r["estimate"]), rs[r["model"]])
    elif r["term"] == "r_value":
        s = np.array([prof[(u, r["level"])] - np.mean([prof[(u, v)] for v in values]) for u in units])
        e = np.array([np.mean(enact[(u, r["level"])]) for u in units])
        compare("stated-enacted r per value (centred)", num(r["estimate"]), stats.pearsonr(s, e).statistic)
    elif r["term"] == "mean_r":
        compare("stated-enacted mean r", num(r["estimate"]), float(np.mean(list(rs.values()))))
        compare("stated-enacted t", num(r["statistic"]), tt.statistic, rel=1e-10)
        compare("stated-enacted p", num(r["p.value"]), tt.pvalue, rel=1e-9)

acc = {}
with open(os.path.join(SIM, "roleplay.csv")) as f:
    for r in csv.DictReader(f):
        acc.setdefault((r["model"], r["condition"]), []).append(float(r["correct"]))
rp_units = sorted({u for u, c in acc})
a = [np.mean(acc[(u, "select")]) for u in rp_units]
b = [np.mean(acc[(u, "hold")]) for u in rp_units]
tt = stats.ttest_rel(a, b)
for r in run("consistency", "--mode", "roleplay", os.path.join(SIM, "roleplay.csv")):
    if r["model"] == "NA" and r["term"] == "drop":
        compare("role-play mean drop", num(r["estimate"]), float(np.mean(np.array(a) - np.array(b))))
        compare("role-play t", num(r["statistic"]), tt.statistic, rel=1e-10)
        compare("role-play p", num(r["p.value"]), tt.pvalue, rel=1e-9)

# every comparison must have happened at least once (no silent pass on empty output)
for k in ["F1 per scenario (valueaction-sim)", "F1 per scenario (sparse)", "distance (overall and per country)",
          "majority-vote counts", "prompt agreement", "matrix pearson r", "matrix spearman rho",
          "matrix pearson CI", "matrix mean off-diagonal r", "stated-enacted r",
          "stated-enacted r per value (centred)", "stated-enacted t", "role-play t"]:
    if k not in worst:
        failures.append("no comparison made for " + k)
for k in sorted(worst):
    print("max |difference| %-40s %.3g" % (k, worst[k]))
for f in failures[:20]:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
