"""consistency(): `vagap consistency` over the library's three modes
(vagap_consistency_*_rows): the program's table, its warnings as Python
warnings, the rows left out in vagap.excluded(result)."""
import ctypes
import warnings

from . import _lib
from ._data import table
from ._errors import check
from ._study import _excluded, _read_table, _with_excluded

COLUMNS = ["term", "level", "estimate", "std.error", "statistic", "df", "p.value", "conf.low",
           "conf.high", "n", "method"]
MODES = ("matrix", "stated-enacted", "roleplay")


def _text(s):
    return s.decode() if s is not None else None


def consistency(data, mode="matrix", profile=None, unit="model", scenario="scenario",
                choice="choice", score=None, value="value", enacted="enacted",
                condition="condition", correct="correct", a="select", b="hold", method="pearson",
                centre=False, conf_level=0.95):
    """`vagap consistency`: mode "matrix" (r between every pair of units' decision
    vectors), "stated-enacted" (profile: a table of unit, value and score, against the
    enacted shares) or "roleplay" (the accuracy drop between conditions a and b)."""
    if mode not in MODES:
        raise ValueError("vagap: mode must be matrix, stated-enacted or roleplay, not %r" % (mode,))
    if method not in ("pearson", "spearman", "both"):
        raise ValueError("vagap: method must be pearson, spearman or both, not %r" % (method,))
    if mode == "stated-enacted" and profile is None:
        raise ValueError("vagap: mode stated-enacted needs profile (a table of unit, value and score)")
    if mode == "stated-enacted" and method == "both":
        raise ValueError("vagap: method both is for mode matrix; run stated-enacted once per method")
    if mode == "roleplay" and a == b:
        raise ValueError("vagap: a and b must name different conditions")
    o = _lib.ConsistencyOptions()
    _lib.lib.vagap_consistency_options_init(ctypes.byref(o))
    keep = {k: v.encode() for k, v in (("unit", unit), ("scenario", scenario), ("choice", choice),
                                        ("value", value), ("enacted", enacted),
                                        ("condition", condition), ("correct", correct),
                                        ("a", a), ("b", b))}
    for k, v in keep.items():
        setattr(o, k, v)
    o.score = score.encode() if score is not None else None
    o.profile_score = (score or "score").encode()
    o.method_pearson, o.method_spearman = int(method != "spearman"), int(method != "pearson")
    o.centre, o.conf_level = int(bool(centre)), float(conf_level)
    err = _lib.Error()
    ledger = _lib.lib.vagap_ledger_alloc()
    t, pt, rows = ctypes.c_void_p(), ctypes.c_void_p(), _lib.Tidy()
    try:
        t = _read_table(data, b"data", ledger, err)
        if mode == "stated-enacted":
            pt = _read_table(profile, b"profile", ledger, err)
            st = _lib.lib.vagap_consistency_stated_enacted_rows(t, pt, o, ledger, rows, err)
        elif mode == "matrix":
            st = _lib.lib.vagap_consistency_matrix_rows(t, o, ledger, rows, err)
        else:
            st = _lib.lib.vagap_consistency_roleplay_rows(t, o, ledger, rows, err)
        check(st, err)
        for k in range(rows.nnotes):
            warnings.warn(rows.notes[k].decode())
        out = []
        for k in range(rows.n):
            r = rows.rows[k]
            out.append({unit: _text(r.group), "term": _text(r.term), "level": _text(r.level),
                        "estimate": r.estimate, "std.error": r.std_error,
                        "statistic": r.statistic, "df": r.df, "p.value": r.p_value,
                        "conf.low": r.conf_low, "conf.high": r.conf_high, "n": r.n,
                        "method": _text(r.method)})
        return _with_excluded(table([unit] + COLUMNS, out), _excluded(ledger))
    finally:
        _lib.lib.vagap_tidy_free(rows)
        _lib.lib.vagap_table_free(t)
        _lib.lib.vagap_table_free(pt)
        _lib.lib.vagap_ledger_free(ledger)
