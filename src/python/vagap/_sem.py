"""sem(): lavaan's sem() over libvagap's three steps (syntax -> model, data ->
sufficient statistics, fit), with the program's data policy (cmd_sem.c):
listwise deletion of rows missing a model variable or the group, groups in
order of first appearance."""
import ctypes
import math

from . import _lib
from ._data import columns_of, is_missing, numeric_column, table, named_values
from ._errors import VagapError, check

ESTIMATE_COLUMNS = ["lhs", "op", "rhs", "block", "group", "label", "est", "se", "z", "pvalue",
                    "ci.lower", "ci.upper", "std.lv", "std.all", "std.nox"]

# lavaan's argument names (dots or underscores) and their defaults
OPTIONS = {"group.equal": None, "group.partial": None, "std.lv": False, "fixed.x": True,
           "meanstructure": "default", "int.ov.free": True, "int.lv.free": False,
           "orthogonal": False, "constraints": None, "likelihood": "default", "missing": "listwise",
           "level": 0.95, "max.evaluations": None}


class SemResult:
    """estimates: parameterEstimates(fit, standardized=TRUE) columns;
    fit: fitMeasures() names (plus chisq.group.K, as the program prints);
    groups: the group labels in block order; n_excluded: rows dropped
    listwise; excluded: (row index, reason) for each of them."""

    def __init__(self, estimates, fit, groups, excluded, iterations, optimizer):
        self.estimates, self.fit, self.groups = estimates, fit, groups
        self.excluded, self.n_excluded = excluded, len(excluded)
        self.iterations, self.optimizer = iterations, optimizer

    def __repr__(self):
        return "<vagap.SemResult: %d groups, chisq %.3f on %g df, %d rows excluded>" % (
            len(self.groups), self.fit["chisq"], self.fit["df"], self.n_excluded)


def _options(kw):
    opts = dict(OPTIONS)
    for key, value in kw.items():
        name = key.replace("_", ".")
        if name not in OPTIONS:
            raise TypeError("vagap.sem: unknown option '%s'; known: %s" % (key, ", ".join(sorted(OPTIONS))))
        opts[name] = value
    return opts


def _names(value):
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v) for v in value]


def _model_options(opts, keep):
    mopt = _lib.SemModelOptions()
    _lib.lib.vagap_sem_model_options_init(ctypes.byref(mopt))
    mopt.std_lv = 1 if opts["std.lv"] else 0
    mopt.fixed_x = 1 if opts["fixed.x"] else 0
    ms = opts["meanstructure"]
    mopt.meanstructure = -1 if ms == "default" else (1 if ms else 0)
    mopt.int_ov_free = 1 if opts["int.ov.free"] else 0
    mopt.int_lv_free = 1 if opts["int.lv.free"] else 0
    mopt.orthogonal = 1 if opts["orthogonal"] else 0
    equal = _names(opts["group.equal"])
    if equal:
        err, flags = _lib.Error(), ctypes.c_uint()
        check(_lib.lib.vagap_sem_group_equal_parse(",".join(equal).encode(), ctypes.byref(flags),
                                                   ctypes.byref(err)), err)
        mopt.group_equal = flags.value
    partial = [p.encode() for p in _names(opts["group.partial"])]
    if partial:
        arr = (ctypes.c_char_p * len(partial))(*partial)
        keep.append(arr)  # the C struct only borrows the strings
        mopt.group_partial = ctypes.cast(arr, _lib.c_char_pp)
        mopt.n_group_partial = len(partial)
    return mopt


def _fit_options(opts):
    fopt = _lib.new(_lib.SemFitOptions)  # room for fields appended in C
    _lib.lib.vagap_sem_fit_options_init(ctypes.byref(fopt))
    lik = opts["likelihood"]
    if lik not in ("default", "normal", "wishart"):
        raise ValueError("vagap.sem: likelihood must be 'normal' or 'wishart', not %r" % (lik,))
    fopt.likelihood = 1 if lik == "wishart" else 0
    level = opts["level"]
    if not (0 < level < 1):
        raise ValueError("vagap.sem: level must be in (0, 1), not %r" % (level,))
    fopt.ci_level = float(level)
    if opts["max.evaluations"] is not None:
        fopt.max_iter = int(opts["max.evaluations"])
    if opts["missing"] not in ("listwise", "default"):
        raise ValueError("vagap.sem: missing=%r: full-information ML for missing data is not "
                         "implemented yet; use missing='listwise' (the default)" % (opts["missing"],))
    return fopt


def _group_levels(cols, group):
    """Group labels in order of first appearance (lavaan's order) and each row's group."""
    if group is None:
        n = len(next(iter(cols.values()))) if cols else 0
        return ["1"], [0] * n
    if group not in cols:
        raise KeyError("vagap: no column '%s' in data; the columns are: %s" % (group, ", ".join(cols)))
    labels, index, rows = [], {}, []
    for v in cols[group]:
        if is_missing(v):
            rows.append(None)
            continue
        key = str(v)
        if key not in index:
            index[key] = len(labels)
            labels.append(key)
        rows.append(index[key])
    return labels, rows


def _statistics(cols, group, model, excluded):
    m = model.contents
    ov = [m.ov[j].decode() for j in range(m.nov)]
    labels, grp = _group_levels(cols, group)
    values = [numeric_column(cols, v) for v in ov]
    x, g = [], []
    for i, gi in enumerate(grp):
        if gi is None:
            excluded.append((i, "missing group (%s)" % group))
            continue
        miss = [ov[j] for j in range(len(ov)) if math.isnan(values[j][i])]
        if miss:
            excluded.append((i, "missing value in %s (listwise deletion)" % miss[0]))
            continue
        x.extend(values[j][i] for j in range(len(ov)))
        g.append(gi)
    err = _lib.Error()
    stats = ctypes.POINTER(_lib.SemStats)()
    names = (ctypes.c_char_p * len(ov))(*[v.encode() for v in ov])
    glabels = (ctypes.c_char_p * len(labels))(*[s.encode() for s in labels])
    check(_lib.lib.vagap_sem_stats_alloc(ctypes.byref(stats), len(labels), len(ov), names, glabels,
                                         ctypes.byref(err)), err)
    xa = (ctypes.c_double * max(len(x), 1))(*x)
    ga = (ctypes.c_size_t * max(len(g), 1))(*g)
    st = _lib.lib.vagap_sem_stats_compute(stats, xa, ga, len(g), ctypes.byref(err))
    if st:
        _lib.lib.vagap_sem_stats_free(stats)
        raise VagapError(err)
    return stats, labels


def _results(fit):
    m = fit.contents.model.contents
    rows = []
    for r in range(m.nrows):
        p = m.rows[r]
        rows.append({"lhs": p.lhs.decode(), "op": _lib.lib.vagap_sem_op_string(p.op).decode(),
                     "rhs": p.rhs.decode(), "block": p.block, "group": p.group,
                     "label": p.label.decode(), "est": p.est, "se": p.se, "z": p.z,
                     "pvalue": p.pvalue, "ci.lower": p.ci_lower, "ci.upper": p.ci_upper,
                     "std.lv": p.std_lv, "std.all": p.std_all, "std.nox": p.std_nox})
    f = fit.contents.fit
    measures = _lib.fit_measure_rows(f)
    sc = f.test not in (0, _lib.TEST_STANDARD, _lib.TEST_NONE)
    for g in range(m.ngroups):
        measures.append(("chisq.group.%d" % (g + 1), f.chisq_group[g]))
        if sc:
            measures.append(("chisq.scaled.group.%d" % (g + 1), f.chisq_group_scaled[g]))
    measures += [("converged", float(fit.contents.converged)), ("admissible", float(fit.contents.admissible))]
    return table(ESTIMATE_COLUMNS, rows), named_values(measures)


CONSTRAINTS_SOURCE = b"constraints"  # the model keeps a pointer to it: a module constant


def _add_constraints(mod, text):
    """lavaan's constraints= text (==, <, > lines over the model's labels)."""
    err, syn = _lib.Error(), ctypes.c_void_p()
    if not isinstance(text, str):
        text = "\n".join(text)
    try:
        check(_lib.lib.vagap_sem_syntax_parse(ctypes.byref(syn), text.encode(), CONSTRAINTS_SOURCE,
                                              ctypes.byref(err)), err)
        check(_lib.lib.vagap_sem_model_add_constraints(mod, syn, CONSTRAINTS_SOURCE,
                                                       ctypes.byref(err)), err)
    finally:
        _lib.lib.vagap_sem_syntax_free(syn)


def sem(model, data, group=None, **options):
    """Fit `model` (lavaan syntax) to `data` (DataFrame or dict of columns) by ML
    with lavaan's sem() defaults.  Options take lavaan's names, with dots or
    underscores: group_equal / "group.equal" ("loadings,intercepts" or a list),
    group_partial, std_lv, fixed_x, meanstructure, int_ov_free, int_lv_free,
    orthogonal, constraints (==, <, > lines), likelihood ("normal",
    "wishart"), missing ("listwise"), level (of ci.lower/ci.upper),
    max_evaluations.  Pass dotted names as sem(m, d, **{"group.equal": ...})."""
    opts = _options(options)
    cols = columns_of(data)
    keep = []
    mopt = _model_options(opts, keep)
    fopt = _fit_options(opts)
    err = _lib.Error()
    syn = ctypes.c_void_p()
    mod = ctypes.POINTER(_lib.SemModel)()
    stats = ctypes.POINTER(_lib.SemStats)()
    fit = ctypes.POINTER(_lib.SemFit)()
    try:
        check(_lib.lib.vagap_sem_syntax_parse(ctypes.byref(syn), model.encode(), b"model",
                                              ctypes.byref(err)), err)
        ngroups = len(_group_levels(cols, group)[0])
        check(_lib.lib.vagap_sem_model_build(ctypes.byref(mod), syn, ngroups, ctypes.byref(mopt),
                                             b"model", ctypes.byref(err)), err)
        if opts["constraints"]:
            _add_constraints(mod, opts["constraints"])
        excluded = []
        stats, labels = _statistics(cols, group, mod, excluded)
        check(_lib.lib.vagap_sem_fit(ctypes.byref(fit), mod, stats, ctypes.byref(fopt),
                                     ctypes.byref(err)), err)
        estimates, measures = _results(fit)
        return SemResult(estimates, measures, labels, excluded, fit.contents.iterations,
                         fit.contents.optimizer.decode())
    finally:
        _lib.lib.vagap_sem_fit_free(fit)
        _lib.lib.vagap_sem_stats_free(stats)
        _lib.lib.vagap_sem_model_free(mod)
        _lib.lib.vagap_sem_syntax_free(syn)
