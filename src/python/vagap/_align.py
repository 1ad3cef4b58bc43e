"""align(): `vagap align` over the library's log reader (vagap_align_log_*): the
program's table, the rows left out in vagap.excluded(result)."""
import ctypes

from . import _lib
from ._consistency import _text
from ._data import table
from ._errors import VagapError, check
from ._study import _codes, _excluded, _read_table, _with_excluded

COLUMNS = ["term", "by", "level", "estimate", "n", "rank", "method"]


def align(data, model="model", scenario="scenario", value="value", prompt="prompt",
          stated="stated", action="action", agree=("agree", "positive"),
          disagree=("disagree", "negative"), positive_class="agree", zero_division="0", by=(),
          scenarios=False):
    """`vagap align`: per model the mean F1 of binarised action vs stated values over
    scenarios, the alignment distance, vote counts and prompt agreement; the distance
    per level of each `by` column; with scenarios=True the F1 of every scenario.
    `scenario` may be a list of columns that together name a scenario."""
    scen = [scenario] if isinstance(scenario, str) else list(scenario)
    by = [by] if isinstance(by, str) else list(by)
    if not 1 <= len(scen) <= _lib.ALIGN_MAX_COLUMNS or len(by) > _lib.ALIGN_MAX_COLUMNS:
        raise ValueError("vagap: scenario takes 1 to %d columns, by at most %d"
                         % (_lib.ALIGN_MAX_COLUMNS, _lib.ALIGN_MAX_COLUMNS))
    for b in by:
        if b not in scen and b != value:
            raise ValueError("vagap: by '%s' must be one of the scenario columns or the value column" % b)
    if positive_class not in ("agree", "disagree"):
        raise ValueError("vagap: positive_class must be agree or disagree, not %r" % (positive_class,))
    zd = {"0": 0, "1": 1, "nan": 2}.get(str(zero_division).lower())
    if zd is None:
        raise ValueError("vagap: zero_division must be 0, 1 or nan, not %r" % (zero_division,))
    o = _lib.AlignLogOptions()
    _lib.lib.vagap_align_log_options_init(ctypes.byref(o))
    o.model, o.value, o.prompt = model.encode(), value.encode(), prompt.encode()
    o.stated, o.action = stated.encode(), action.encode()
    o.agree, o.disagree = _codes(agree).encode(), _codes(disagree).encode()
    for k, c in enumerate(scen):
        o.scenario[k] = c.encode()
    o.nscenario = len(scen)
    for k, c in enumerate(by):
        o.by[k] = c.encode()
    o.nby = len(by)
    o.measures.positive = 1 if positive_class == "disagree" else 0
    o.measures.zero_division = zd
    o.per_scenario = int(bool(scenarios))
    err = _lib.Error()
    ledger = _lib.lib.vagap_ledger_alloc()
    t, log, rows = ctypes.c_void_p(), ctypes.c_void_p(), _lib.Tidy()
    try:
        t = _read_table(data, b"data", ledger, err)
        check(_lib.lib.vagap_align_log_alloc(ctypes.byref(log), o, err), err)
        st = _lib.lib.vagap_align_log_add(log, t, ledger, err)
        if st == _lib.VAGAP_OK:
            st = _lib.lib.vagap_align_log_rows(log, rows, err)
        if st != _lib.VAGAP_OK and err.line > 0 and not err.file:
            err.file = b"data"  # observations are located by line: the one table is "data"
        check(st, err)
        out = []
        for k in range(rows.n):
            r = rows.rows[k]
            out.append({model: _text(r.group), "term": _text(r.term), "by": _text(r.by),
                        "level": _text(r.level), "estimate": r.estimate, "n": r.n,
                        "rank": r.rank, "method": _text(r.method)})
        return _with_excluded(table([model] + COLUMNS, out), _excluded(ledger))
    finally:
        _lib.lib.vagap_tidy_free(rows)
        _lib.lib.vagap_align_log_free(log)
        _lib.lib.vagap_table_free(t)
        _lib.lib.vagap_ledger_free(ledger)
