"""t-tests and correlations: the rows and columns of `vagap ttest` / `vagap corr`
(broom names), without the program's --by column `group` and its `p.adjusted`."""
import ctypes
import math

from . import _lib
from ._data import as_numbers, columns_of, numeric_column, table
from ._errors import check

TTEST_COLUMNS = ["term", "estimate", "std.error", "statistic", "df", "p.value", "conf.low",
                 "conf.high", "n", "method", "estimate1", "estimate2", "sd1", "sd2", "n1", "n2",
                 "n_excluded", "log10.p", "alternative"]
CORR_COLUMNS = ["term", "estimate", "std.error", "statistic", "df", "p.value", "conf.low",
                "conf.high", "n", "method", "x", "y", "n_excluded", "log10.p", "statistic.S",
                "deletion", "alternative"]

ONE, PAIRED, WELCH, STUDENT = 0, 1, 2, 3
NAN = math.nan


def _alternative(alt):
    err = _lib.Error()
    code = ctypes.c_int()
    check(_lib.lib.vagap_alternative_parse(str(alt).encode(), ctypes.byref(code), ctypes.byref(err)), err)
    return code.value


def _conf(conf_level):
    if not (0 < conf_level < 1):
        raise ValueError("vagap: conf_level must be in (0, 1), not %r" % (conf_level,))
    return float(conf_level)


def _array(values):
    return (ctypes.c_double * max(len(values), 1))(*values)


def _resolve(x, y, data):
    """Column names with data=, or sequences; returns (xs, ys, xname, yname)."""
    if data is not None:
        cols = columns_of(data)
        xs = numeric_column(cols, x)
        ys = numeric_column(cols, y) if y is not None else None
        return xs, ys, str(x), (str(y) if y is not None else None)
    xs = as_numbers(x, "x")
    ys = as_numbers(y, "y") if y is not None else None
    return xs, ys, "x", ("y" if y is not None else None)


def _effect_rows(kind, e, n, alt):
    """The program's effect-size rows for the design (cmd_ttest.c)."""
    def row(term, est, lo, hi, method):
        return {"term": term, "estimate": est, "std.error": NAN, "statistic": NAN, "df": NAN,
                "p.value": NAN, "conf.low": lo, "conf.high": hi, "n": n, "method": method,
                "estimate1": NAN, "estimate2": NAN, "sd1": NAN, "sd2": NAN, "n1": None,
                "n2": None, "n_excluded": None, "log10.p": NAN, "alternative": alt}
    if kind in (ONE, PAIRED):
        rows = [row("d_z", e.d_z, e.d_conf_low, e.d_conf_high,
                    "Cohen's d_z: mean difference / SD (n-1); CI from the noncentral t"),
                row("d_z0", e.d_z0, NAN, NAN,
                    "Cohen's d_z with the population SD (n divisor, numpy ddof=0)")]
        if kind == PAIRED:
            rows += [row("d_av", e.d_av, NAN, NAN, "Cohen's d_av: mean difference / sqrt((s1^2 + s2^2)/2)"),
                     row("d_rm", e.d_rm, NAN, NAN, "Cohen's d_rm: d_z * sqrt(2 (1 - r)) (Lakens 2013)")]
        rows.append(row("g", e.g, e.g_conf_low, e.g_conf_high, "Hedges' g: exact J(n-1) * d_z"))
        if kind == PAIRED:
            rows.append(row("g_av", e.g_av, NAN, NAN, "Hedges' g_av: exact J(n-1) * d_av"))
        return rows
    return [row("d_s", e.d_s, e.d_conf_low, e.d_conf_high,
                "Cohen's d_s: mean difference / pooled SD; CI from the noncentral t"),
            row("d_av", e.d_av, NAN, NAN, "Cohen's d_av: mean difference / sqrt((s1^2 + s2^2)/2)"),
            row("g", e.g, e.g_conf_low, e.g_conf_high, "Hedges' g: exact J(n1+n2-2) * d_s"),
            row("g_av", e.g_av, NAN, NAN, "Hedges' g_av: exact J(n1+n2-2) * d_av")]


def ttest(x, y=None, data=None, paired=False, var_equal=False, mu=0.0,
          alternative="two.sided", conf_level=0.95):
    """R's t.test(x, y, paired=, var.equal=, mu=, alternative=, conf.level=) with
    Cohen's d variants.  x and y are sequences, or column names of `data`.
    Missing values (None, NaN, "", "NA") are dropped (pairwise when paired) and
    counted in n_excluded.  Returns the program's table: the test row, then one
    row per effect size."""
    xs, ys, xname, yname = _resolve(x, y, data)
    opt = _lib.TtestOptions()
    _lib.lib.vagap_ttest_options_init(ctypes.byref(opt))
    opt.alternative = _alternative(alternative)
    opt.conf_level = _conf(conf_level)
    opt.mu = float(mu)
    res, err = _lib.Ttest(), _lib.Error()
    if ys is None:
        if paired:
            raise ValueError("vagap: paired=True needs y")
        kind = ONE
        st = _lib.lib.vagap_stats_ttest_one(_array(xs), len(xs), opt, res, err)
        term = xname
    elif paired:
        if len(xs) != len(ys):
            raise ValueError("vagap: paired x and y have different lengths (%d, %d)" % (len(xs), len(ys)))
        kind = PAIRED
        st = _lib.lib.vagap_stats_ttest_paired(_array(xs), _array(ys), len(xs), opt, res, err)
        term = "%s - %s" % (xname, yname)
    else:
        kind = STUDENT if var_equal else WELCH
        st = _lib.lib.vagap_stats_ttest_two(_array(xs), len(xs), _array(ys), len(ys), kind, opt,
                                            res, err)
        term = "%s - %s" % (xname, yname)
    check(st, err)
    alt = _lib.lib.vagap_alternative_name(res.alternative).decode()
    test = {"term": term, "estimate": res.estimate, "std.error": res.std_error,
            "statistic": res.statistic, "df": res.df, "p.value": res.p_value,
            "conf.low": res.conf_low, "conf.high": res.conf_high, "n": res.n,
            "method": _lib.lib.vagap_ttest_method_name(kind).decode(),
            "estimate1": res.mean1, "estimate2": res.mean2 if kind != ONE else NAN,
            "sd1": res.sd1, "sd2": res.sd2 if kind != ONE else NAN,
            "n1": res.n1, "n2": res.n2 if kind != ONE else None,
            "n_excluded": res.n_excluded, "log10.p": res.log10_p, "alternative": alt}
    return table(TTEST_COLUMNS, [test] + _effect_rows(kind, res.effect, res.n, alt))


def corr(x, y, data=None, method="pearson", alternative="two.sided", conf_level=0.95,
         spearman_p="t"):
    """R's cor.test(x, y, method=, alternative=, conf.level=) over complete pairs.
    spearman_p="t" (default; scipy, and R with ties or exact=FALSE) or "exact"
    (R's default exact=NULL: AS 89).  Returns the program's one-row table."""
    xs, ys, xname, yname = _resolve(x, y, data)
    if len(xs) != len(ys):
        raise ValueError("vagap: x and y have different lengths (%d, %d)" % (len(xs), len(ys)))
    methods = {"pearson": 0, "spearman": 1}
    if method not in methods:
        raise ValueError("vagap: method must be 'pearson' or 'spearman', not %r" % (method,))
    pvals = {"t": 0, "exact": 1}
    if spearman_p not in pvals:
        raise ValueError("vagap: spearman_p must be 't' or 'exact', not %r" % (spearman_p,))
    opt = _lib.CorOptions()
    _lib.lib.vagap_cor_options_init(ctypes.byref(opt))
    opt.method = methods[method]
    opt.alternative = _alternative(alternative)
    opt.conf_level = _conf(conf_level)
    opt.spearman_p = pvals[spearman_p]
    res, err = _lib.Cor(), _lib.Error()
    check(_lib.lib.vagap_stats_cor(_array(xs), _array(ys), len(xs), opt, res, err), err)
    # std.error makes statistic = r / std.error, the t on n - 2 df (the program's column)
    se = math.sqrt((1.0 - res.estimate * res.estimate) / res.df) if res.df > 0 else NAN
    row = {"term": "cor" if opt.method == 0 else "rho", "estimate": res.estimate,
           "std.error": se, "statistic": res.statistic, "df": res.df, "p.value": res.p_value,
           "conf.low": res.conf_low, "conf.high": res.conf_high, "n": res.n,
           "method": _lib.lib.vagap_cor_method_name(opt.method).decode(),
           "x": xname, "y": yname, "n_excluded": res.n_excluded, "log10.p": res.log10_p,
           "statistic.S": res.statistic_s, "deletion": "pairwise",
           "alternative": _lib.lib.vagap_alternative_name(res.alternative).decode()}
    return table(CORR_COLUMNS, [row])
