"""vaar(): `vagap vaar` over vagap_vaar_analyse, from a fit (vagap.sem) or a
saved parameter table; the same rows, columns and errors as the program."""
import ctypes
import math
import warnings

from . import _lib
from ._data import columns_of, is_missing, number, table
from ._errors import check
from ._sem import _Call
from ._study import _read_table, _with_excluded

VAAR_COLUMNS = ["group", "type", "lhs", "op", "rhs", "expected", "est", "se", "pvalue", "std.all",
                "ci.lower", "ci.upper", "agree.strict", "agree.sign", "k", "K", "boot.lower",
                "boot.upper", "boot.agree.strict", "boot.agree.sign", "boot.n"]
NUMBERS = [("est", "est"), ("se", "se"), ("pvalue", "pvalue"), ("ci.lower", "ci_lower"),
           ("ci.upper", "ci_upper"), ("std.all", "std_all")]
GROUP_HINT = b" (a parameter table numbers its groups 1, 2, ...; name them with --group-labels)"


def _text(v):
    """A group cell as the program reads it from a file (1, not 1.0)."""
    if isinstance(v, float) and v == math.floor(v) and abs(v) < 1e15:
        return str(int(v))
    return str(v)


def _estimate_rows(cols, labels):
    """The parameter table's rows without ":=" (group labels mapped as --group-labels does)."""
    for c in ("lhs", "op", "rhs", "est"):
        if c not in cols:
            raise KeyError("vagap: no column '%s' in estimates; the columns are: %s"
                           % (c, ", ".join(cols)))
    n = len(cols["lhs"])
    rows = []
    for i in range(n):
        if str(cols["op"][i]) == ":=":
            continue
        if "group" not in cols:
            group = labels[0] if labels else "1"
        else:
            group = _text(cols["group"][i])
            if labels:
                k = int(group) if group.isdigit() else 0
                if not 1 <= k <= len(labels):
                    raise ValueError("vagap: estimates row %d: group '%s' is not a number 1..%d that "
                                     "group_labels can name" % (i + 1, group, len(labels)))
                group = labels[k - 1]
        row = {"group": group, "lhs": str(cols["lhs"][i]), "op": str(cols["op"][i]),
               "rhs": str(cols["rhs"][i])}
        for name, _ in NUMBERS:
            row[name] = number(cols[name][i], name, i) if name in cols else math.nan
        rows.append(row)
    return rows


def _c_estimates(rows):
    keep = []  # the bytes the C rows point to
    arr = (_lib.VaarEstimate * max(len(rows), 1))()
    for i, r in enumerate(rows):
        e = arr[i]
        for k in ("group", "lhs", "op", "rhs"):
            b = r[k].encode()
            keep.append(b)
            setattr(e, k, b)
        for name, field in NUMBERS:
            setattr(e, field, r[name])
    return arr, keep


def _result_rows(an, boot=None):
    res, spec = an.result.contents, an.spec.contents
    nan = math.nan
    rows = []
    for g in range(res.ngroups):
        label = res.group_label[g].decode()
        for k in range(res.npaths):
            p = res.paths[g * res.npaths + k]
            path = spec.paths[p.path]
            rows.append({"group": label, "type": "path", "lhs": path.lhs.decode(),
                         "op": path.op.decode(), "rhs": path.rhs.decode(),
                         "expected": _lib.lib.vagap_vaar_sign_text(p.expected).decode(),
                         "est": p.est.est, "se": p.est.se, "pvalue": p.est.pvalue,
                         "std.all": p.est.std_all, "ci.lower": p.est.ci_lower,
                         "ci.upper": p.est.ci_upper, "agree.strict": bool(p.agree_strict),
                         "agree.sign": bool(p.agree_sign), "k": None, "K": None})
        gr = res.groups[g]
        for strict in (True, False):
            rows.append({"group": label, "type": "vaar.strict" if strict else "vaar.sign",
                         "est": gr.vaar_strict if strict else gr.vaar_sign,
                         "se": nan, "pvalue": nan, "std.all": nan, "ci.lower": nan, "ci.upper": nan,
                         "k": gr.k_strict if strict else gr.k_sign, "K": gr.K})
    i = 0  # the bootstrap columns of `vagap vaar --bootstrap` (NaN without one)
    b = boot.contents if boot else None
    for g in range(res.ngroups):
        for k in range(res.npaths):
            cell = g * res.npaths + k
            rows[i].update({"boot.lower": b.est_lower[cell] if b else nan,
                            "boot.upper": b.est_upper[cell] if b else nan,
                            "boot.agree.strict": b.share_strict[cell] if b else nan,
                            "boot.agree.sign": b.share_sign[cell] if b else nan,
                            "boot.n": b.nused if b else None})
            i += 1
        for strict in (True, False):
            lower = (b.vaar_strict_lower if strict else b.vaar_sign_lower) if b else None
            upper = (b.vaar_strict_upper if strict else b.vaar_sign_upper) if b else None
            rows[i].update({"boot.lower": lower[g] if b else nan, "boot.upper": upper[g] if b else nan,
                            "boot.agree.strict": nan, "boot.agree.sign": nan,
                            "boot.n": b.nused if b else None})
            i += 1
    return rows


def _fit_rows(fitted):
    """The estimate rows of a fit (":=" rows skipped) and their parameter-table rows."""
    m = fitted.fit.contents.model.contents
    rows, est_row = [], []
    for r in range(m.nrows):
        p = m.rows[r]
        if p.group < 1:
            continue
        rows.append({"group": fitted.groups[p.group - 1], "lhs": p.lhs.decode(),
                     "op": _lib.lib.vagap_sem_op_string(p.op).decode(), "rhs": p.rhs.decode(),
                     "est": p.est, "se": p.se, "pvalue": p.pvalue, "ci.lower": p.ci_lower,
                     "ci.upper": p.ci_upper, "std.all": p.std_all})
        est_row.append(r)
    return rows, est_row


def _bootstrap(fitted, an, arr, nrows, est_row, orient, alpha, level, B, seed, threads, err):
    """`vagap vaar --bootstrap B`: resamples of the call's rows, scored like the fit."""
    bopt = _lib.SemBootOptions()
    _lib.lib.vagap_sem_boot_options_init(ctypes.byref(bopt))
    bopt.B, bopt.seed, bopt.threads = int(B), int(seed), int(threads)
    view = _lib.lib.vagap_sem_rows_view(fitted.rows)
    sb, vb = ctypes.POINTER(_lib.SemBoot)(), ctypes.POINTER(_lib.VaarBoot)()
    try:
        check(_lib.lib.vagap_sem_bootstrap(ctypes.byref(sb), _lib.lib.vagap_sem_call_model(fitted.call),
                                           ctypes.byref(view), _lib.lib.vagap_sem_call_fit_options(fitted.call),
                                           ctypes.byref(bopt), ctypes.byref(err)), err)
        if sb.contents.nfailed:
            warnings.warn("%d of %d bootstrap resamples failed to fit and are left out"
                          % (sb.contents.nfailed, B))
        rows_arr = (ctypes.c_size_t * max(len(est_row), 1))(*est_row)
        check(_lib.lib.vagap_vaar_bootstrap(ctypes.byref(vb), an.spec, arr, nrows, rows_arr, sb,
                                            orient.latent, orient.indicator, orient.n, float(alpha),
                                            float(level), ctypes.byref(err)), err)
        return _result_rows(an, vb)
    finally:
        _lib.lib.vagap_vaar_boot_free(vb)
        _lib.lib.vagap_sem_boot_free(sb)


def _sign_indicators(value):
    if value is None:
        return None
    if hasattr(value, "items"):
        value = ["%s=%s" % kv for kv in value.items()]
    if not isinstance(value, str):
        value = ",".join(value)
    return value.encode()


def vaar(model=None, data=None, group=None, expect=None, reference=None, reference_alpha=0.0,
         alpha=0.05, sign_indicator=None, estimates=None, group_labels=None,
         group_equal="loadings", bootstrap=0, seed=1, threads=0, conf_level=0.95, **options):
    """Value-Action Alignment Rate (`vagap vaar`).  Either fits `model` to `data`
    with vagap.sem (group_equal "loadings" by default, "none" for the configural
    model; lavaan's option names in **options) or scores a saved parameter table
    (`estimates`, with group_labels naming groups 1, 2, ...).  Expected signs:
    `expect` as a spec string "y~x:+,..." or a table lhs, op, rhs, sign, and/or
    the `reference` group's own signs.  sign_indicator: "f=x1,..." or
    {"f": "x1"}.  Rows excluded by the fit are in vagap.excluded(result).
    bootstrap=B (with model): B nonparametric resamples within groups (seed, threads,
    conf_level as `vagap vaar --bootstrap --seed --threads --conf-level`) fill the
    boot.* columns."""
    if bootstrap and model is None:
        raise ValueError("vagap: bootstrap needs the data: use model")
    if (model is None) == (estimates is None):
        raise ValueError("vagap: give either model (with data) or estimates")
    if expect is None and reference is None:
        raise ValueError("vagap: give the expected signs: expect or reference")
    if reference_alpha > 0 and reference is None:
        raise ValueError("vagap: reference_alpha needs reference")
    excluded, fitted = [], None
    if model is not None:
        if group_labels is not None:
            raise ValueError("vagap: group_labels applies to estimates")
        if data is None:
            raise ValueError("vagap: model needs data")
        equal = "" if group_equal in ("none", None) else group_equal
        fitted = _Call("sem", model, data, group, dict(options, group_equal=equal))
        rows, est_row = _fit_rows(fitted)
        excluded = fitted.excluded
    else:
        if data is not None or group is not None or options:
            raise ValueError("vagap: data, group and the lavaan options apply to model; "
                             "estimates are already fitted")
        cols = columns_of(estimates)
        rows = _estimate_rows(cols, list(group_labels) if group_labels is not None else None)
        if "pvalue" not in cols:
            warnings.warn("estimates has no pvalue column: no path can agree strictly "
                          "(agree.strict is FALSE)", stacklevel=2)
    arr, keep_bytes = _c_estimates(rows)
    err = _lib.Error()
    opt = _lib.VaarOptions()
    _lib.lib.vagap_vaar_options_init(ctypes.byref(opt))
    opt.alpha, opt.reference_alpha = float(alpha), float(reference_alpha)
    if reference is not None:
        opt.reference = str(reference).encode()
    if estimates is not None and group_labels is None:
        opt.reference_hint = GROUP_HINT
    orient, an, expect_table = _lib.VaarOrientation(), _lib.VaarAnalysis(), ctypes.c_void_p()
    try:
        indicators = _sign_indicators(sign_indicator)
        if indicators:
            check(_lib.lib.vagap_vaar_orientation_parse(ctypes.byref(orient), indicators,
                                                        ctypes.byref(err)), err)
        opt.orientation = ctypes.pointer(orient)
        if isinstance(expect, str):
            opt.expect = expect.encode()
        elif expect is not None:
            expect_table = _read_table(expect, b"expect", None, err)
            opt.expect_table = expect_table
        check(_lib.lib.vagap_vaar_analyse(ctypes.byref(an), arr, len(rows), ctypes.byref(opt),
                                          ctypes.byref(err)), err)
        result = _bootstrap(fitted, an, arr, len(rows), est_row, orient, alpha, conf_level, bootstrap, seed,
                            threads, err) if bootstrap else _result_rows(an)
        return _with_excluded(table(VAAR_COLUMNS, result), excluded)
    finally:
        if fitted is not None:
            fitted.close()
        _lib.lib.vagap_vaar_analysis_clear(ctypes.byref(an))
        _lib.lib.vagap_vaar_orientation_clear(ctypes.byref(orient))
        _lib.lib.vagap_table_free(expect_table)
