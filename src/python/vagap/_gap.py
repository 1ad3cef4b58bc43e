"""gap(): `vagap gap` on a unit-summary table, over vagap_gap_join/analyze and
the library's stacked test table (vagap_gap_tidy)."""
import ctypes
import math

from . import _lib
from ._data import columns_of, is_missing, numeric_column, table
from ._errors import check
from ._study import _with_excluded

TIDY_COLUMNS = ["group", "term", "estimate", "std.error", "statistic", "df", "p.value",
                "conf.low", "conf.high", "n", "method"]
UNIT_COLUMNS = ["iat", "behavior", "selfreport", "gap", "overclaiming", "quadrant", "complete",
                "missing"]


def _counts(cols, names, keep):
    """Whole counts with 0 <= X <= N per kept row (both missing: no choices)."""
    if names is None:
        return None, None
    if len(names) != 2:
        raise ValueError("vagap: counts must name two columns, X and N")
    xs, ns = (numeric_column(cols, c) for c in names)
    cx, cn = [], []
    for i in keep:
        x, n = xs[i], ns[i]
        if math.isnan(x) and math.isnan(n):
            x = n = 0.0
        if not (x >= 0 and n >= x and x == math.floor(x) and n == math.floor(n) and n < 1e15):
            raise ValueError("vagap: row %d: counts %g, %g are not whole numbers with 0 <= X <= N"
                             % (i + 1, x, n))
        cx.append(int(x))
        cn.append(int(n))
    return cx, cn


def _doubles(values):
    return (ctypes.c_double * max(len(values), 1))(*values)


def _tidy_rows(t):
    rows = []
    for k in range(t.n):
        r = t.rows[k]
        text = lambda s: s.decode() if s is not None else None  # noqa: E731
        rows.append({"group": text(r.group), "term": text(r.term), "estimate": r.estimate,
                     "std.error": r.std_error, "statistic": r.statistic, "df": r.df,
                     "p.value": r.p_value, "conf.low": r.conf_low, "conf.high": r.conf_high,
                     "n": r.n, "method": text(r.method)})
    return rows


def _unit_rows(g, unit):
    rows = []
    buf = ctypes.create_string_buffer(64)
    for i in range(g.n_units):
        u = g.units[i]
        _lib.lib.vagap_gap_missing_names(u.missing, buf, 64)
        q = _lib.lib.vagap_gap_quadrant_name(u.quadrant)
        rows.append({unit: u.name.decode(), "iat": u.iat, "behavior": u.behavior,
                     "selfreport": u.selfreport, "gap": u.gap,
                     "overclaiming": bool(u.overclaiming) if u.complete else None,
                     "quadrant": q.decode() if q is not None else None,
                     "complete": bool(u.complete),
                     "missing": buf.value.decode() if u.missing else None})
    return rows


def gap(data, unit="model", iat="iat", behavior="behavior", selfreport="selfreport", counts=None,
        tau=0.05, behavior_cut=0.65, iat_null=0.0, behavior_null=0.5, conf_level=0.95,
        level="tests"):
    """`vagap gap` on a unit-summary table (one row per unit): level "tests" (the stacked
    broom table) or "units".  iat=None, or no iat column, runs without an implicit
    measure; counts=("prosocial", "valid") adds the pooled binomial test.  Rows
    without a unit name are excluded (vagap.excluded(result))."""
    if level not in ("tests", "units"):
        raise ValueError("vagap: level must be 'tests' or 'units', not %r" % (level,))
    cols = columns_of(data)
    if unit not in cols:
        raise KeyError("vagap: no column '%s' in data; the columns are: %s" % (unit, ", ".join(cols)))
    if iat is not None and iat not in cols and iat == "iat":
        iat = None  # the default column is optional
    units = cols[unit]
    keep = [i for i, u in enumerate(units) if not is_missing(u)]
    excluded = [("data", i, "missing unit name") for i, u in enumerate(units) if is_missing(u)]
    names = [str(units[i]).encode() for i in keep]
    c_names = (ctypes.c_char_p * max(len(names), 1))(*names)
    values = {k: [v[i] for i in keep] for k, v in
              (("behavior", numeric_column(cols, behavior)),
               ("selfreport", numeric_column(cols, selfreport)))}
    if iat is not None:
        values["iat"] = [numeric_column(cols, iat)[i] for i in keep]
    cx, cn = _counts(cols, counts, keep)
    err = _lib.Error()
    opt = _lib.GapOptions()
    _lib.lib.vagap_gap_options_init(ctypes.byref(opt))
    opt.tau, opt.behavior_cut, opt.iat_null = float(tau), float(behavior_cut), float(iat_null)
    opt.behavior_null, opt.conf_level = float(behavior_null), float(conf_level)
    check(_lib.lib.vagap_gap_options_check(opt, err), err)
    arrays = {k: _doubles(v) for k, v in values.items()}
    m = {k: _lib.GapMeasure(len(names), c_names, a) for k, a in arrays.items()}
    joined, g, t = _lib.GapJoined(), _lib.Gap(), _lib.Tidy()
    analysed = False
    try:
        check(_lib.lib.vagap_gap_join(m.get("iat"), m["behavior"], m["selfreport"], joined, err), err)
        jx = jn = None
        if cx is not None:  # the counts follow the joined units by name
            at = {n: i for i, n in enumerate(names)}
            order = [at[joined.units[k]] for k in range(joined.n)]
            jx = (ctypes.c_size_t * max(joined.n, 1))(*[cx[i] for i in order])
            jn = (ctypes.c_size_t * max(joined.n, 1))(*[cn[i] for i in order])
        d = _lib.GapData(joined.n, joined.units, joined.iat, joined.behavior, joined.selfreport,
                         jx, jn)
        check(_lib.lib.vagap_gap_analyze(d, opt, g, err), err)
        analysed = True
        if level == "units":
            return _with_excluded(table([unit] + UNIT_COLUMNS, _unit_rows(g, unit)), excluded)
        check(_lib.lib.vagap_gap_tidy(g, t, err), err)
        return _with_excluded(table(TIDY_COLUMNS, _tidy_rows(t)), excluded)
    finally:
        _lib.lib.vagap_tidy_free(t)
        if analysed:
            _lib.lib.vagap_gap_free(g)
        _lib.lib.vagap_gap_joined_free(joined)
