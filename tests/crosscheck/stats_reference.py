#!/usr/bin/python3
"""Cross-check of vagap ttest/corr/prop against scipy (and R, via
stats_reference.R).  Used by stats_reference.sh:

    stats_reference.py gen DIR     write data sets and DIR/manifest.csv
    stats_reference.py check DIR   compare DIR/vagap_<id>.csv with scipy and
                                   with DIR/r_<id>.csv; exit 1 on a mismatch

Data sets come from numpy's default_rng with fixed seeds, written with 6
decimals so that every program parses the same doubles.  Agreement required:
1e-9 relative on statistics, df, p-values, estimates and CI bounds; 1e-8 on
noncentral-t CIs of d (R's pt(ncp=) is accurate to about 1e-12 absolute);
p-values that underflow are compared on the log10 scale against mpmath.
"""
import csv
import math
import os
import sys

import numpy as np
from scipy import stats, optimize

TOL = 1e-9
TOL_NCT = 1e-8
# scipy 1.10's t quantile (stdtrit) is off by up to a few 1e-9 for small df
# and one-sided levels (qt(0.95, 4): 2.3e-9 relative against 40-digit
# mpmath), which moves its t-test CIs by up to ~3e-8; R's qt agrees with
# vagap's GSL quantile to 1e-14, so R's CIs are held to TOL.
TOL_SCIPY_T_CI = 1e-7


def num(s):
    if s in ("NA", ""):
        return float("nan")
    if s == "Inf":
        return float("inf")
    if s == "-Inf":
        return float("-inf")
    return float(s)


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def fmt(v):
    return "NA" if v is None or (isinstance(v, float) and math.isnan(v)) else "%.6f" % v


# ---- data -------------------------------------------------------------------------


def gen_units(path, seed, n, shift):
    rng = np.random.default_rng(seed)
    x = rng.normal(shift, 1.0, n)
    y = 0.5 * x + rng.normal(0.0, 1.0, n)
    z = np.round(x + rng.normal(0.0, 0.7, n), 1)  # ties
    grp = np.where(rng.random(n) < 0.4, "a", "b")
    grp[0], grp[1], grp[2], grp[3] = "a", "a", "b", "b"
    blk = np.array(["k1", "k2", "k3"])[np.arange(n) % 3]
    ymiss = rng.random(n) < 0.06
    with open(path, "w") as f:
        f.write("id,x,y,z,grp,blk\n")
        for i in range(n):
            f.write("u%d,%s,%s,%s,%s,%s\n" % (i, fmt(x[i]), "NA" if ymiss[i] else fmt(y[i]),
                                               "%.1f" % z[i], grp[i], blk[i]))


def gen_choices(path, seed):
    rng = np.random.default_rng(seed)
    units = [("u%02d" % k, int(rng.integers(5, 120)), float(rng.uniform(0.1, 0.9))) for k in range(12)]
    units.append(("big", 2000, 0.0))  # 0 of 2000: p underflows
    units.append(("mid", 400, 0.5))
    with open(path, "w") as f:
        f.write("model,choice\n")
        for name, n, p in units:
            for _ in range(n):
                f.write("%s,%s\n" % (name, "other" if rng.random() < p else "self"))
            f.write("%s,invalid\n" % name)


def gen_grid(path):
    """Exact counts over a grid of (x, n): the edges 0, 1, n-1, n, small and
    large n, and 1870 of 2000 (where GSL's beta quantile returned NaN)."""
    cells = {(1870, 2000), (1, 20000), (19999, 20000), (10, 20000)}
    for n in (1, 2, 3, 7, 10, 31, 100, 500, 2000, 5000):
        for x in (0, 1, 2, n // 10, n // 2, int(0.935 * n), n - 2, n - 1, n):
            if 0 <= x <= n:
                cells.add((x, n))
    with open(path, "w") as f:
        f.write("model,choice\n")
        for x, n in sorted(cells, key=lambda c: (c[1], c[0])):
            name = "x%d_n%d" % (x, n)
            f.write(("%s,other\n" % name) * x + ("%s,self\n" % name) * (n - x))


def gen(d):
    manifest = []
    datasets = [(11, 5, 0.4), (12, 12, 0.3), (13, 30, 0.2), (14, 80, 0.5), (15, 200, 0.1), (16, 41, 2.5)]
    for seed, n, shift in datasets:
        f = "units%d.csv" % seed
        gen_units(os.path.join(d, f), seed, n, shift)
        for alt in ("two.sided", "less", "greater"):
            manifest.append(("one_%d_%s" % (seed, alt), "ttest_one", f, "x", "", "", alt, 0.1, 0.95, "none"))
        manifest.append(("one90_%d" % seed, "ttest_one", f, "x", "", "", "two.sided", -0.2, 0.9, "none"))
        for alt in ("two.sided", "greater"):
            manifest.append(("paired_%d_%s" % (seed, alt), "ttest_paired", f, "x", "y", "", alt, 0.0, 0.95, "none"))
            manifest.append(("welch_%d_%s" % (seed, alt), "ttest_welch", f, "x", "", "grp", alt, 0.0, 0.95, "none"))
            manifest.append(("student_%d_%s" % (seed, alt), "ttest_student", f, "x", "", "grp", alt, 0.0, 0.95, "none"))
        if n >= 12:
            adjust = {12: "holm", 13: "bonferroni", 14: "BH", 15: "hochberg", 16: "BY"}[seed]
            manifest.append(("by_%d" % seed, "ttest_by", f, "x", "", "blk", "two.sided", 0.0, 0.95, adjust))
        for alt in ("two.sided", "less"):
            manifest.append(("pearson_%d_%s" % (seed, alt), "pearson", f, "x", "y", "", alt, 0, 0.95, "none"))
        manifest.append(("pearson90_%d" % seed, "pearson", f, "x", "z", "", "two.sided", 0, 0.9, "none"))
        manifest.append(("spearman_%d" % seed, "spearman", f, "x", "z", "", "two.sided", 0, 0.95, "none"))
        manifest.append(("spearmanx_%d" % seed, "spearman_exact", f, "x", "y", "", "two.sided", 0, 0.95, "none"))
        manifest.append(("matrix_%d" % seed, "matrix", f, "x,y,z", "", "", "two.sided", 0, 0.95, "BH"))
    # a huge effect: p far below 1e-300
    gen_units(os.path.join(d, "huge.csv"), 17, 300, 40.0)
    manifest.append(("huge", "ttest_one", "huge.csv", "x", "", "", "two.sided", 0.0, 0.95, "none"))
    gen_choices(os.path.join(d, "choices.csv"), 21)
    for alt, p0 in (("two.sided", 0.5), ("two.sided", 0.3), ("greater", 0.62), ("less", 0.45)):
        manifest.append(("binom_%s_%g" % (alt, p0), "binom", "choices.csv", "", "", "", alt, p0, 0.95, "holm"))
    manifest.append(("binom90", "binom", "choices.csv", "", "", "", "two.sided", 0.5, 0.9, "BH"))
    gen_grid(os.path.join(d, "grid.csv"))
    for alt, conf in (("two.sided", 0.95), ("greater", 0.99), ("less", 0.9)):
        manifest.append(("grid_%s" % alt, "binom", "grid.csv", "", "", "", alt, 0.5, conf, "BH"))
    with open(os.path.join(d, "manifest.csv"), "w") as f:
        f.write("id,kind,file,x,y,group,alternative,null,conf,adjust\n")
        for m in manifest:
            f.write(",".join(str(v) for v in m[:3]) + ",\"%s\"," % m[3] + ",".join(str(v) for v in m[4:]) + "\n")
    # the vagap command line of each case, one argument per line, for the shell
    with open(os.path.join(d, "ids.txt"), "w") as ids:
        for m in manifest:
            ids.write(m[0] + "\n")
            with open(os.path.join(d, "args_" + m[0]), "w") as f:
                f.write("\n".join(vagap_args(d, *m)) + "\n")


def vagap_args(d, cid, kind, f, x, y, group, alt, null, conf, adjust):
    common = ["--alternative", alt, "--conf", str(conf), "--digits", "17", "--quiet"]
    path = os.path.join(d, f)
    if kind.startswith("ttest"):
        a = ["ttest", "--x", x, "--mu", repr(float(null))]
        if kind == "ttest_paired":
            a += ["--y", y, "--paired"]
        elif kind in ("ttest_welch", "ttest_student"):
            a += ["--group", group, "--levels", "a,b"]
            if kind == "ttest_student":
                a.append("--var-equal")
        elif kind == "ttest_by":
            a += ["--by", group, "--adjust", adjust]
        return a + common + [path]
    if kind == "binom":
        return ["prop", "--p0", repr(float(null)), "--adjust", adjust] + common + [path]
    if kind == "matrix":
        return ["corr", "--matrix", "--columns", x, "--adjust", adjust] + common + [path]
    a = ["corr", "--x", x, "--y", y]
    if kind.startswith("spearman"):
        a += ["--method", "spearman"]
    if kind == "spearman_exact":
        a += ["--spearman-p", "exact"]
    return a + common + [path]


# ---- comparison -----------------------------------------------------------------------


class Checker:
    def __init__(self):
        self.n = 0
        self.fail = 0
        self.maxrel = {}

    def cmp(self, case, what, got, want, tol=TOL, ref="scipy"):
        """Relative agreement; values within 1e-15 of each other also pass,
        except p-values, which are compared relative however small."""
        self.n += 1
        floor = 0.0 if what.startswith("p") or what.startswith("log10") else 1e-15
        if isinstance(want, float) and math.isnan(want):
            ok = math.isnan(got)
            rel = 0.0 if ok else float("inf")
        elif isinstance(want, float) and math.isinf(want):
            ok = got == want
            rel = 0.0 if ok else float("inf")
        else:
            d = abs(got - want)
            scale = max(abs(want), abs(got))
            rel = d / scale if scale > 0 else 0.0
            ok = d <= tol * scale + 1e-300 or d <= floor
        key = "%s %s" % (ref, what)
        self.maxrel[key] = max(self.maxrel.get(key, 0.0), rel if math.isfinite(rel) else 1.0)
        if not ok:
            self.fail += 1
            print("MISMATCH %s %s vs %s: vagap %.17g, reference %.17g (rel %.3g)" % (case, what, ref, got, want, rel))


def load_data(d, f):
    rows = read_csv(os.path.join(d, f))
    return rows


def col(rows, name):
    return np.array([num(r[name]) for r in rows])


def log10_p_t_two_sided(t, df):
    """log10 of the two-sided t p-value at 50 digits, or None without mpmath."""
    try:
        import mpmath as mp
    except ImportError:
        return None
    mp.mp.dps = 50
    x = mp.mpf(df) / (df + mp.mpf(t) ** 2)
    return float(mp.log10(mp.betainc(mp.mpf(df) / 2, mp.mpf(1) / 2, 0, x, regularized=True)))


def nct_ci(t, df, conf, alt, scale):
    """ncp bounds by brentq on scipy's noncentral t (Boost)."""
    def root(prob):
        f = lambda ncp: stats.nct.cdf(t, df, ncp) - prob
        lo, hi = t - 10 - abs(t), t + 10 + abs(t)
        return optimize.brentq(f, lo, hi, xtol=1e-14, rtol=1e-14, maxiter=500)
    a = 1 - conf
    lo = -math.inf if alt == "less" else root(1 - a / 2 if alt == "two.sided" else 1 - a)
    hi = math.inf if alt == "greater" else root(a / 2 if alt == "two.sided" else a)
    return lo * scale, hi * scale


def ci_of(res, conf):
    try:
        ci = res.confidence_interval(confidence_level=conf)
        return ci.low, ci.high
    except (AttributeError, TypeError):
        return None


def check_ttest(ck, d, m, out, rref):
    rows = load_data(d, m["file"])
    x = col(rows, "x")
    alt, mu, conf = m["alternative"].replace(".", "-"), float(m["null"]), float(m["conf"])
    ralt = m["alternative"]
    test = [r for r in out if r["term"] not in ("d_z", "d_z0", "d_av", "d_rm", "d_s", "g", "g_av")]
    eff = {r["term"]: r for r in out if r not in test}
    case = m["id"]
    if m["kind"] == "ttest_by":
        return check_ttest_by(ck, d, m, out, rref, rows)
    t = test[0]
    kind = m["kind"]
    if kind == "ttest_one":
        v = x[~np.isnan(x)]
        res = stats.ttest_1samp(v, mu, alternative=alt)
        dz = (v.mean() - mu) / v.std(ddof=1)
        dz0 = (v.mean() - mu) / v.std(ddof=0)
        scale, df_d = 1 / math.sqrt(len(v)), len(v) - 1
    elif kind == "ttest_paired":
        y = col(rows, "y")
        ok = ~np.isnan(x) & ~np.isnan(y)
        res = stats.ttest_rel(x[ok], y[ok], alternative=alt)
        dd = x[ok] - y[ok]
        dz = dd.mean() / dd.std(ddof=1)
        dz0 = dd.mean() / dd.std(ddof=0)
        dav = dd.mean() / math.sqrt((x[ok].var(ddof=1) + y[ok].var(ddof=1)) / 2)
        ck.cmp(case, "d_av", num(eff["d_av"]["estimate"]), dav)
        scale, df_d = 1 / math.sqrt(ok.sum()), ok.sum() - 1
    else:
        g = np.array([r["grp"] for r in rows])
        a, b = x[g == "a"], x[g == "b"]
        res = stats.ttest_ind(a, b, equal_var=(kind == "ttest_student"), alternative=alt)
        sp = math.sqrt(((len(a) - 1) * a.var(ddof=1) + (len(b) - 1) * b.var(ddof=1)) / (len(a) + len(b) - 2))
        ds = (a.mean() - b.mean()) / sp
        ck.cmp(case, "d_s", num(eff["d_s"]["estimate"]), ds)
        scale, df_d = math.sqrt(1 / len(a) + 1 / len(b)), len(a) + len(b) - 2
        dz = None
    ck.cmp(case, "t", num(t["statistic"]), float(res.statistic))
    ck.cmp(case, "df", num(t["df"]), float(getattr(res, "df", num(t["df"]))))
    p = float(res.pvalue)
    if p > 1e-300:
        ck.cmp(case, "p", num(t["p.value"]), p)
    else:
        ref = log10_p_t_two_sided(float(res.statistic), num(t["df"]))
        if ref is None:
            print("note: mpmath is not installed; %s: underflowed p-value not compared" % case)
        else:
            ck.cmp(case, "log10 p", num(t["log10.p"]), ref, ref="mpmath")
    ci = ci_of(res, conf)
    if ci is not None:
        ck.cmp(case, "conf.low", num(t["conf.low"]), float(ci[0]), TOL_SCIPY_T_CI)
        ck.cmp(case, "conf.high", num(t["conf.high"]), float(ci[1]), TOL_SCIPY_T_CI)
    if dz is not None:
        ck.cmp(case, "d_z", num(eff["d_z"]["estimate"]), dz)
        ck.cmp(case, "d_z0", num(eff["d_z0"]["estimate"]), dz0)
    dterm = "d_s" if dz is None else "d_z"
    dval = num(eff[dterm]["estimate"])
    if abs(dval / scale) < 37:
        lo, hi = nct_ci(dval / scale, df_d, conf, ralt, scale)
        ck.cmp(case, "d conf.low", num(eff[dterm]["conf.low"]), lo, TOL_NCT)
        ck.cmp(case, "d conf.high", num(eff[dterm]["conf.high"]), hi, TOL_NCT)
    # R
    r = rref[0]
    ck.cmp(case, "t", num(t["statistic"]), num(r["statistic"]), ref="R")
    ck.cmp(case, "df", num(t["df"]), num(r["df"]), ref="R")
    if num(r["p.value"]) > 1e-300:
        ck.cmp(case, "p", num(t["p.value"]), num(r["p.value"]), ref="R")
    ck.cmp(case, "conf.low", num(t["conf.low"]), num(r["conf.low"]), ref="R")
    ck.cmp(case, "conf.high", num(t["conf.high"]), num(r["conf.high"]), ref="R")
    ck.cmp(case, "estimate", num(t["estimate"]), num(r["estimate"]), ref="R")
    if "d.low" in r and r["d.low"] != "NA" and abs(dval / scale) < 37:
        ck.cmp(case, "d conf.low", num(eff[dterm]["conf.low"]), num(r["d.low"]), TOL_NCT, ref="R")
        ck.cmp(case, "d conf.high", num(eff[dterm]["conf.high"]), num(r["d.high"]), TOL_NCT, ref="R")


def check_ttest_by(ck, d, m, out, rref, rows):
    x = col(rows, "x")
    blk = np.array([r["blk"] for r in rows])
    test = [r for r in out if r["term"] == "x"]
    for t, r in zip(test, rref):
        v = x[blk == t["group"]]
        res = stats.ttest_1samp(v, 0.0)
        case = "%s/%s" % (m["id"], t["group"])
        ck.cmp(case, "t", num(t["statistic"]), float(res.statistic))
        ck.cmp(case, "p", num(t["p.value"]), float(res.pvalue))
        assert r["group"] == t["group"]
        ck.cmp(case, "p.adjusted", num(t["p.adjusted"]), num(r["p.adjusted"]), ref="R")
        ck.cmp(case, "p", num(t["p.value"]), num(r["p.value"]), ref="R")


def check_cor(ck, d, m, out, rref):
    rows = load_data(d, m["file"])
    alt, conf = m["alternative"].replace(".", "-"), float(m["conf"])
    for t, r in zip(out, rref):
        case = "%s/%s~%s" % (m["id"], t["x"], t["y"])
        x, y = col(rows, t["x"]), col(rows, t["y"])
        ok = ~np.isnan(x) & ~np.isnan(y)
        if m["kind"] in ("pearson", "matrix"):
            res = stats.pearsonr(x[ok], y[ok], alternative=alt)
            ck.cmp(case, "r", num(t["estimate"]), float(res.statistic))
            ck.cmp(case, "p", num(t["p.value"]), float(res.pvalue))
            ci = ci_of(res, conf)
            if ci is not None:
                ck.cmp(case, "conf.low", num(t["conf.low"]), float(ci[0]))
                ck.cmp(case, "conf.high", num(t["conf.high"]), float(ci[1]))
            ck.cmp(case, "conf.low", num(t["conf.low"]), num(r["conf.low"]), ref="R")
            ck.cmp(case, "conf.high", num(t["conf.high"]), num(r["conf.high"]), ref="R")
        elif m["kind"] == "spearman":
            res = stats.spearmanr(x[ok], y[ok], alternative=alt)
            ck.cmp(case, "rho", num(t["estimate"]), float(res.correlation))
            ck.cmp(case, "p", num(t["p.value"]), float(res.pvalue))
        ck.cmp(case, "estimate", num(t["estimate"]), num(r["estimate"]), ref="R")
        ck.cmp(case, "statistic", num(t["statistic.S"] if m["kind"].startswith("spearman") else t["statistic"]),
               num(r["statistic"]), ref="R")
        ck.cmp(case, "p", num(t["p.value"]), num(r["p.value"]), ref="R")
        if m["kind"] == "matrix":
            ck.cmp(case, "p.adjusted", num(t["p.adjusted"]), num(r["p.adjusted"]), ref="R")


def log10_binom_p(x, n, p0, alt):
    """Independent log-space binomial p-value (R's rule for two-sided)."""
    from scipy.special import logsumexp
    k = np.arange(n + 1)
    lp = stats.binom.logpmf(k, n, p0)
    if alt == "less":
        sel = k <= x
    elif alt == "greater":
        sel = k >= x
    else:
        sel = lp <= lp[x] + math.log1p(1e-7)
    return float(logsumexp(lp[sel]) / math.log(10))


def check_binom(ck, d, m, out, rref):
    ralt, p0, conf = m["alternative"], float(m["null"]), float(m["conf"])
    alt = ralt.replace(".", "-")
    for t, r in zip(out, rref):
        case = "%s/%s" % (m["id"], t[next(iter(t))])  # the unit column, named after --unit
        x, n = int(num(t["x"])), int(num(t["n"]))
        res = stats.binomtest(x, n, p0, alternative=alt)
        if res.pvalue > 1e-300:
            ck.cmp(case, "p", num(t["p.value"]), float(res.pvalue))
            ck.cmp(case, "p", num(t["p.value"]), num(r["p.value"]), ref="R")
        else:
            ck.cmp(case, "log10 p", num(t["log10.p"]), log10_binom_p(x, n, p0, ralt), ref="log-sum-exp")
        w = res.proportion_ci(confidence_level=conf, method="wilson")
        ck.cmp(case, "wilson low", num(t["conf.low"]), float(w.low))
        ck.cmp(case, "wilson high", num(t["conf.high"]), float(w.high))
        if not m["id"].startswith("grid"):
            # scipy's exact interval is off by up to 6e-8 relative for x = 1, 2 and
            # n in the thousands (R's qbeta and the closed forms below agree to 1e-15),
            # so the grid compares with R and with the closed forms only
            e = res.proportion_ci(confidence_level=conf, method="exact")
            ck.cmp(case, "exact low", num(t["exact.low"]), float(e.low))
            ck.cmp(case, "exact high", num(t["exact.high"]), float(e.high))
        a = (1 - conf) / 2 if ralt == "two.sided" else 1 - conf
        closed = {}  # Clopper-Pearson bounds in closed form at the edges
        if x == 1 and ralt != "less":
            closed["exact low"] = -math.expm1(math.log1p(-a) / n)
        if x == n and ralt != "less":
            closed["exact low"] = a ** (1.0 / n)
        if x == 0 and ralt != "greater":
            closed["exact high"] = -math.expm1(math.log(a) / n)
        if x == n - 1 and ralt != "greater":
            closed["exact high"] = math.exp(math.log1p(-a) / n)
        for what, want in closed.items():
            ck.cmp(case, what, num(t[what.replace(" ", ".")]), want, ref="closed form")
        ck.cmp(case, "wilson low", num(t["conf.low"]), num(r["conf.low"]), ref="R")
        ck.cmp(case, "wilson high", num(t["conf.high"]), num(r["conf.high"]), ref="R")
        ck.cmp(case, "exact low", num(t["exact.low"]), num(r["exact.low"]), ref="R")
        ck.cmp(case, "exact high", num(t["exact.high"]), num(r["exact.high"]), ref="R")
        ck.cmp(case, "p.adjusted", num(t["p.adjusted"]), num(r["p.adjusted"]), ref="R")


def check(d):
    ck = Checker()
    for m in read_csv(os.path.join(d, "manifest.csv")):
        out = read_csv(os.path.join(d, "vagap_%s.csv" % m["id"]))
        rref = read_csv(os.path.join(d, "r_%s.csv" % m["id"]))
        if m["kind"].startswith("ttest"):
            check_ttest(ck, d, m, out, rref)
        elif m["kind"] == "binom":
            check_binom(ck, d, m, out, rref)
        else:
            check_cor(ck, d, m, out, rref)
    print("stats cross-check: %d comparisons, %d mismatches" % (ck.n, ck.fail))
    for k in sorted(ck.maxrel):
        print("  max relative difference %-28s %.3g" % (k, ck.maxrel[k]))
    return 1 if ck.fail else 0


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(sys.argv[2])
        sys.exit(0)
    sys.exit(check(sys.argv[2]))
