"""sem(), cfa(), growth(), lavaan(): lavaan's functions over libvagap's lavaan
calls (vagap/sem_call.h).  The model's columns go to the library as typed
columns, the arguments as text; the library parses them with the program's
parsers, takes the rows by the program's rules (groups in order of first
appearance, listwise deletion, FIML's empty cases, ordered variables) and
fits with any estimator the program has."""
import ctypes
import re
import warnings

from . import _lib
from ._data import _pd, column_table, named_values
from ._errors import VagapError, check
from ._study import _excluded, _read_table

ESTIMATE_COLUMNS = ["lhs", "op", "rhs", "block", "group", "label", "est", "se", "z", "pvalue",
                    "ci.lower", "ci.upper", "std.lv", "std.all", "std.nox"]

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


def _argument_text(name, value):
    """A value as the library reads it: logicals TRUE/FALSE, lists comma-separated
    (constraints= one line each)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (list, tuple)):
        return ("\n" if name == "constraints" else ",").join(str(v) for v in value)
    return str(value)


def _lavaan_names(message):
    """The library names options as the program does (--group-equal): lavaan's names."""
    return re.sub(r"--([a-z][a-z-]*)", lambda m: m.group(1).replace("-", "."), message)


def _model_columns(data, model, group, options):
    """The columns the model may name (and the group) as a dict, ordered categoricals
    as their codes 1..K and named in options["ordered"], as lavaan takes them."""
    words = set(re.split(r"[^A-Za-z0-9._]+", model))
    if _pd is not None and isinstance(data, _pd.DataFrame):
        names = [str(k) for k in data.columns]
        get = lambda k: data[k]
    elif hasattr(data, "keys"):
        names = [str(k) for k in data.keys()]
        get = lambda k: data[k]
    else:
        raise TypeError("vagap.sem: data must be a pandas DataFrame or a dict of columns, not %s"
                        % type(data).__name__)
    if group is not None and group not in names:
        raise KeyError("vagap.sem: no column '%s' in data; the columns are: %s" % (group, ", ".join(names)))
    keep = [k for k in names if k in words or k == group] or names[:1]
    cols = {}
    ordered = options.get("ordered")
    listed = [] if ordered is None or isinstance(ordered, bool) else \
        [v.strip() for v in (ordered.split(",") if isinstance(ordered, str) else ordered)]
    for k in keep:
        v = get(k)
        dtype = getattr(v, "dtype", None)
        if _pd is not None and isinstance(dtype, _pd.CategoricalDtype) and k != group:
            if dtype.ordered and ordered is not True and k not in listed:
                listed.append(k)
            if ordered is True or k in listed:
                v = [None if c < 0 else c + 1 for c in _pd.Series(v).cat.codes.tolist()]
        cols[k] = v
    if ordered is not True and listed:
        options["ordered"] = listed
    return cols, names


class _Call:
    """A fitted lavaan call (vagap_sem_call_fit): the call, its fit, the rows used,
    the ledger and the table, freed by close()."""

    def __init__(self, function, model, data, group, options):
        opts = {}
        for key, value in options.items():
            if value is not None:
                opts[key.replace("_", ".")] = value
        cols, all_names = _model_columns(data, model, group, opts)
        err = _lib.Error()
        self.call, self.ledger = ctypes.c_void_p(), _lib.lib.vagap_ledger_alloc()
        self.fit, self.rows, self.table = ctypes.POINTER(_lib.SemFit)(), _lib.SemRows(), ctypes.c_void_p()
        try:
            check(_lib.lib.vagap_sem_call_new(ctypes.byref(self.call), function.encode(), err), err)
            for name, value in opts.items():
                check(_lib.lib.vagap_sem_call_set(self.call, name.encode(),
                                                  _argument_text(name, value).encode(), err), err)
            self.table = _read_table(cols, b"data", self.ledger, err, infer=True)
            st = _lib.lib.vagap_sem_call_fit(self.call, model.encode(), self.table,
                                             None if group is None else group.encode(), self.ledger,
                                             ctypes.byref(self.fit), self.rows, err)
            if st != _lib.VAGAP_OK:
                raise VagapError(_lavaan_error(err, all_names))
        except Exception:
            self.close()
            raise
        for i in range(_lib.lib.vagap_sem_call_nnotes(self.call)):
            warnings.warn(_lib.lib.vagap_sem_call_note(self.call, i).decode())
        f = self.fit.contents
        for i in range(f.nwarnings):
            warnings.warn(f.warnings[i].decode())
        self.groups = [self.rows.labels[g].decode() for g in range(self.rows.ngroups)]
        self.excluded = [(row, reason) for _, row, reason in _excluded(self.ledger)]

    def close(self):
        _lib.lib.vagap_sem_fit_free(self.fit)
        _lib.lib.vagap_sem_rows_free(self.rows)
        _lib.lib.vagap_table_free(self.table)
        _lib.lib.vagap_sem_call_free(self.call)
        _lib.lib.vagap_ledger_free(self.ledger)
        self.fit, self.table, self.call, self.ledger = None, None, None, None


def _lavaan_error(err, all_names):
    """The library's error in lavaan's words; a missing column against all the data's columns."""
    message = _lavaan_names(err.message.decode())
    absent = re.search(r"no column named '([^']*)'", message)
    if absent:  # only the model's columns went in: list them all
        message = "no column named '%s'; the columns are: %s" % (absent.group(1), ", ".join(all_names))
        err.line = 0
    err.message = message.encode()[:1023]
    return err


def _fit(function, model, data, group, options):
    done = _Call(function, model, data, group, options)
    try:
        f = done.fit.contents
        estimates, measures = _results(done.fit)
        return SemResult(estimates, measures, done.groups, done.excluded, f.iterations,
                         f.optimizer.decode())
    finally:
        done.close()


def _results(fit):
    """The estimates as a table (column by column: one pass over the rows, numbers as
    arrays) and the fit measures as named values."""
    m = fit.contents.model.contents
    rows = [m.rows[r] for r in range(m.nrows)]
    ops = {}
    for p in rows:
        if p.op not in ops:
            ops[p.op] = _lib.lib.vagap_sem_op_string(p.op).decode()
    cols = {"lhs": [p.lhs.decode() for p in rows], "op": [ops[p.op] for p in rows],
            "rhs": [p.rhs.decode() for p in rows], "block": [p.block for p in rows],
            "group": [p.group for p in rows], "label": [p.label.decode() for p in rows]}
    for name in ESTIMATE_COLUMNS[6:]:  # the numbers: the struct's fields, "_" for "."
        field = name.replace(".", "_")
        cols[name] = [getattr(p, field) for p in rows]
    n = _lib.lib.vagap_sem_fit_measure_list(fit, None, 0)
    out = (_lib.SemMeasure * max(n, 1))()
    _lib.lib.vagap_sem_fit_measure_list(fit, out, n)
    measures = [(out[i].name.decode(), out[i].value) for i in range(n)]
    return column_table(ESTIMATE_COLUMNS, cols, numeric=ESTIMATE_COLUMNS[6:]), named_values(measures)


def sem(model, data, group=None, **options):
    """Fit `model` (lavaan syntax) to `data` (DataFrame or dict of columns) with
    lavaan's sem() defaults.  Options take lavaan's names, with underscores for
    dots (std_lv=True) or dotted (**{"std.lv": True}): estimator, missing,
    information, se, test, likelihood, ordered (True or names), parameterization,
    group_equal ("loadings,intercepts" or a list), group_partial, meanstructure,
    std_lv, fixed_x, orthogonal, constraints (==, <, > lines), level,
    max_evaluations; lavaan()'s int_ov_free, int_lv_free and auto_* switches are
    ignored here with a warning, as lavaan's sem() sets them itself.  Ordered
    pandas categoricals are ordered variables.  Rows left out are in
    result.excluded as (0-based row, reason)."""
    return _fit("sem", model, data, group, options)


def cfa(model, data, group=None, **options):
    """lavaan's cfa(): the same defaults as sem()."""
    return _fit("cfa", model, data, group, options)


def growth(model, data, group=None, **options):
    """lavaan's growth(): observed intercepts fixed to 0, latent means free."""
    return _fit("growth", model, data, group, options)


def lavaan(model, data, group=None, **options):
    """lavaan's lavaan(): nothing automatic unless the auto_* options say so."""
    return _fit("lavaan", model, data, group, options)
