"""prop() and score(): the study-log commands over the library's readers
(vagap/study.h).  The data go to the library as typed columns
(vagap_table_from_columns), so codes, missing values and exclusions follow the
program's rules without CSV text; the library locates row i of the data
(0-based) as line i + 1."""
import ctypes
import math
import warnings

from . import _lib
from ._data import table, typed_columns
from ._errors import VagapError, check

PROP_COLUMNS = ["term", "estimate", "std.error", "statistic", "df", "p.value", "conf.low",
                "conf.high", "n", "method", "x", "n_other", "exact.low", "exact.high", "p0",
                "log10.p", "p.adjusted", "alternative"]


def _options(infer=False):
    o = _lib.TableOptions()
    _lib.lib.vagap_table_options_init(ctypes.byref(o))
    o.threads = 1
    o.infer_numbers = int(infer)  # numbers kept as numbers, not parsed from their text (sem)
    return o


def _excluded(ledger):
    """The ledger's exclusions: (source, row of the data, reason)."""
    out = []
    for i in range(_lib.lib.vagap_ledger_rows_excluded(ledger)):
        e = _lib.lib.vagap_ledger_exclusion(ledger, i).contents
        out.append((_lib.lib.vagap_ledger_source_name(ledger, e.source).decode(), e.line - 1,
                    e.reason.decode()))
    return out


class Table(dict):
    """A dict of columns with .excluded: [(source, row, reason)] (without pandas)."""
    excluded = ()


def _with_excluded(tab, excluded):
    """The exclusions ledger alongside the table: DataFrame.attrs["excluded"] or .excluded."""
    if isinstance(tab, dict):
        tab = Table(tab)
        tab.excluded = excluded
    else:
        tab.attrs["excluded"] = excluded
    return tab


def excluded(result):
    """The rows a result excluded: [(source, row, reason)], row 0-based in that source."""
    return result.attrs["excluded"] if hasattr(result, "attrs") else result.excluded


def _codes(v):
    return v if isinstance(v, str) else ",".join(str(c) for c in v)


def prop(data, unit="model", choice="choice", success="other", failure="self", p0=0.5,
         alternative="two.sided", conf_level=0.95, adjust="none", pooled=False):
    """`vagap prop`: the share of successes per unit with the exact binomial test, the
    Wilson and Clopper-Pearson intervals and p adjusted across units.  The table's
    first column is named after `unit`; the rows excluded are in vagap.excluded(result).
    pooled=True: one test over all rows (`vagap prop --pooled`), its unit None."""
    err = _lib.Error()
    copt = _lib.StudyChoiceOptions(None if pooled else unit.encode(), choice.encode(),
                                   _codes(success).encode(), _codes(failure).encode())
    popt = _lib.PropOptions()
    _lib.lib.vagap_prop_options_init(ctypes.byref(popt))
    popt.p0, popt.conf_level = float(p0), float(conf_level)
    code = ctypes.c_int()
    check(_lib.lib.vagap_alternative_parse(str(alternative).encode(), ctypes.byref(code), err), err)
    popt.alternative = code.value
    method = ctypes.c_int()
    check(_lib.lib.vagap_p_adjust_parse(str(adjust).encode(), ctypes.byref(method), err), err)
    ledger = _lib.lib.vagap_ledger_alloc()
    tab = ctypes.c_void_p()
    res = _lib.StudyProp()
    try:
        tab = _read_table(data, b"data", ledger, err)
        check(_lib.lib.vagap_study_prop_table(tab, copt, popt, method.value, ledger, res, err), err)
        ch = res.choices
        rows = []
        for u in range(ch.units.n):
            t = res.test[u]
            x, n = ch.prosocial[u], ch.prosocial[u] + ch.selfish[u]
            name = None if pooled else ch.units.names[u].decode()
            if res.status[u] != _lib.VAGAP_OK:
                warnings.warn("%s: no counted choices" % (name or "the pooled rows"))
            rows.append({unit: name, "term": "proportion",
                         "estimate": t.estimate, "std.error": t.std_error, "statistic": x,
                         "df": math.nan, "p.value": t.p_value, "conf.low": t.conf_low,
                         "conf.high": t.conf_high, "n": n,
                         "method": "Exact binomial test; Wilson score interval", "x": x,
                         "n_other": ch.other[u], "exact.low": t.exact_low,
                         "exact.high": t.exact_high, "p0": t.p0, "log10.p": t.log10_p,
                         "p.adjusted": res.p_adjusted[u],
                         "alternative": _lib.lib.vagap_alternative_name(t.alternative).decode()})
        return _with_excluded(table([unit] + PROP_COLUMNS, rows), _excluded(ledger))
    finally:
        _lib.lib.vagap_study_prop_free(res)
        _lib.lib.vagap_table_free(tab)
        _lib.lib.vagap_ledger_free(ledger)


def _read_table(data, name, ledger, err, what=None, infer=False):
    """`data` (a DataFrame or dict of columns) as a library table named `name` (bytes)."""
    cols, nrows, keep = typed_columns(data, what or name.decode())
    t = ctypes.c_void_p()
    check(_lib.lib.vagap_table_from_columns(ctypes.byref(t), name, cols, len(cols), nrows,
                                            _options(infer), ledger, err), err)
    del keep  # the table holds copies of the cells
    return t


def score(data, key, min, max, min_items=0, level="unit", unit=None, run=None, item=None,
          response="response"):
    """`vagap score`: questionnaire scores per unit (level "unit"), per run ("run") or
    the reliability per scale ("alpha").  `key` has columns item, scale and optionally
    reverse.  Long data have an item column, wide data a column per key item.
    The rows excluded are in vagap.excluded(result)."""
    if level not in ("unit", "run", "alpha"):
        raise ValueError("vagap: level must be 'unit', 'run' or 'alpha', not %r" % (level,))
    cols = _lib.StudyLongColumns((unit or "model").encode(), (run or "run").encode(),
                                 (item or "item").encode(), response.encode(),
                                 run is not None, unit is not None)
    err = _lib.Error()
    ledger = _lib.lib.vagap_ledger_alloc()
    k, sc = _lib.StudyKey(), _lib.StudyScore()
    t = ctypes.c_void_p()
    try:
        kt = _read_table(key, b"key", ledger, err)
        check(_lib.lib.vagap_study_key_from(kt, b"item", b"scale", b"reverse", k, err), err)
        sk = _lib.ScaleKey(k.nitems, k.nscales, k.item_scale, k.item_reverse, float(min),
                           float(max), int(min_items))
        check(_lib.lib.vagap_scale_key_check(sk, err), err)
        t = _read_table(data, b"data", ledger, err)
        ci = ctypes.c_size_t()
        is_long = item is not None or \
            _lib.lib.vagap_table_column(t, cols.item, ctypes.byref(ci), None) == _lib.VAGAP_OK
        check(_lib.lib.vagap_study_score(cols, int(is_long), k, sk, t, ledger, sc, err), err)
        has_unit = _lib.lib.vagap_table_column(t, cols.unit, ctypes.byref(ci), None) == _lib.VAGAP_OK
        unit_col = cols.unit.decode() if is_long or has_unit else "unit"
        r, ns = sc.runs, k.nscales
        scales = [k.scale[s].decode() for s in range(ns)]
        rows = []
        if level == "run":
            for i in range(r.nruns):
                for s in range(ns):
                    v = sc.scores.run_score[i * ns + s]
                    name = r.run_name[i]
                    rows.append({unit_col: r.run_unit[i].decode(),
                                 "run": name.decode() if name is not None else None,
                                 "scale": scales[s], "score": v,
                                 "pomp": _lib.lib.vagap_scale_pomp(sk, v),
                                 "n_items": sc.scores.answered[i * ns + s],
                                 "k": _lib.lib.vagap_scale_nitems(sk, s)})
            columns = [unit_col, "run", "scale", "score", "pomp", "n_items", "k"]
        elif level == "unit":
            for u in range(r.nunits):
                for s in range(ns):
                    c = u * ns + s
                    rows.append({unit_col: r.unit_name[u].decode(), "scale": scales[s],
                                 "score": sc.scores.unit_score[c],
                                 "pomp": _lib.lib.vagap_scale_pomp(sk, sc.scores.unit_score[c]),
                                 "sd": sc.scores.unit_sd[c], "n": sc.scores.unit_runs[c],
                                 "n_excluded": sc.scores.unit_missing[c]})
            columns = [unit_col, "scale", "score", "pomp", "sd", "n", "n_excluded"]
        else:
            for s in range(ns):
                al, om, e = _lib.Alpha(), _lib.Omega(), _lib.Error()
                st = _lib.lib.vagap_scale_alpha(sk, r.resp, r.nruns, s, al, e)
                if st not in (_lib.VAGAP_OK, _lib.VAGAP_EDOMAIN):  # EDOMAIN: a warning and NA
                    raise VagapError(e)
                if st != _lib.VAGAP_OK:
                    warnings.warn("scale %s: %s" % (scales[s], e.message.decode()))
                nitems = _lib.lib.vagap_scale_nitems(sk, s)
                if _lib.lib.vagap_scale_omega(sk, r.resp, r.nruns, s, om, e) != _lib.VAGAP_OK \
                        and nitems >= 3:
                    warnings.warn("scale %s: omega: %s" % (scales[s], e.message.decode()))
                rows.append({"scale": scales[s], "alpha": al.alpha, "alpha_std": al.alpha_std,
                             "mean_r": al.mean_r, "omega": om.omega, "k": nitems, "n": al.n,
                             "n_excluded": al.n_excluded})
            columns = ["scale", "alpha", "alpha_std", "mean_r", "omega", "k", "n", "n_excluded"]
        return _with_excluded(table(columns, rows), _excluded(ledger))
    finally:
        _lib.lib.vagap_study_score_free(sc)
        _lib.lib.vagap_study_key_free(k)
        _lib.lib.vagap_table_free(t)
        _lib.lib.vagap_ledger_free(ledger)


IAT_UNIT_COLUMNS = ["score", "sd", "sd_pop", "n_valid", "n_invalid", "n_ignored", "n_other_target",
                    "n_duplicate"]
IAT_TRIAL_COLUMNS = ["trial", "a", "b", "c", "d", "n_ignored", "n_other_target", "n_duplicate",
                     "score", "valid"]


def _iat_rows(scorer, unit, level):
    rows = []
    if level == "units":
        for i in range(_lib.lib.vagap_iat_assoc_nunits(scorer)):
            u = _lib.IatAssocUnit()
            _lib.lib.vagap_iat_assoc_unit(scorer, i, u)
            rows.append({unit: u.unit.decode(), "score": u.score, "sd": u.sd, "sd_pop": u.sd_pop,
                         "n_valid": u.n_valid, "n_invalid": u.n_invalid, "n_ignored": u.n_ignored,
                         "n_other_target": u.n_other_target, "n_duplicate": u.n_duplicate})
        return [unit] + IAT_UNIT_COLUMNS, rows
    for i in range(_lib.lib.vagap_iat_assoc_ntrials(scorer)):
        t = _lib.IatAssocTrial()
        _lib.lib.vagap_iat_assoc_trial(scorer, i, t)
        rows.append({unit: t.unit.decode(), "trial": t.trial.decode(), "a": t.counts.a,
                     "b": t.counts.b, "c": t.counts.c, "d": t.counts.d, "n_ignored": t.n_ignored,
                     "n_other_target": t.n_other_target, "n_duplicate": t.n_duplicate,
                     "score": t.score, "valid": bool(t.valid)})
    return [unit] + IAT_TRIAL_COLUMNS, rows


def iat(data, unit="model", trial="trial", word="word", valence="valence", assigned="assigned",
        focal="other", contrast="self", preset="andric2025", level="units", positive_words=None,
        negative_words=None):
    """`vagap iat --method assoc`: association-count IAT scores per unit (level "units")
    or per trial ("trials"), preset "andric2025" or "bai2024".  Words are normalised;
    unusable rows are excluded with the program's reasons (vagap.excluded(result)).
    positive_words / negative_words (lists of words, `--positive-words` /
    `--negative-words`): the valence comes from them and the valence column is not read."""
    if (positive_words is None) != (negative_words is None):
        raise ValueError("vagap: positive_words and negative_words go together")
    if level not in ("units", "trials"):
        raise ValueError("vagap: level must be 'units' or 'trials', not %r" % (level,))
    err = _lib.Error()
    o = _lib.StudyIatOptions()
    _lib.lib.vagap_study_iat_options_init(ctypes.byref(o))
    keep = [c.encode() for c in (unit, trial, word, valence, assigned, _codes(focal), _codes(contrast))]
    o.unit, o.trial, o.word, o.valence, o.assigned, o.focal, o.contrast = keep
    check(_lib.lib.vagap_iat_assoc_preset(ctypes.byref(o.scoring), str(preset).encode(), err), err)
    both = ctypes.create_string_buffer(256)
    overlap = _lib.lib.vagap_study_lists_overlap(o.focal, o.contrast, both, 256, err)
    if overlap < 0:
        raise VagapError(err)
    if overlap:
        raise ValueError("vagap: focal and contrast must differ (both have '%s')" % both.value.decode())
    ledger = _lib.lib.vagap_ledger_alloc()
    t, scorer, lists = ctypes.c_void_p(), ctypes.c_void_p(), _lib.StudyWordLists()
    try:
        t = _read_table(data, b"data", ledger, err)
        if positive_words is not None:
            pos = [str(w).encode() for w in positive_words]
            neg = [str(w).encode() for w in negative_words]
            check(_lib.lib.vagap_study_word_lists_init(
                lists, (ctypes.c_char_p * max(len(pos), 1))(*pos), len(pos),
                (ctypes.c_char_p * max(len(neg), 1))(*neg), len(neg), err), err)
        check(_lib.lib.vagap_study_read_iat_table(t, o, lists if positive_words is not None else None,
                                                  ledger, ctypes.byref(scorer), err), err)
        columns, rows = _iat_rows(scorer, unit, level)
        return _with_excluded(table(columns, rows), _excluded(ledger))
    finally:
        _lib.lib.vagap_study_word_lists_free(lists)
        _lib.lib.vagap_iat_assoc_free(scorer)
        _lib.lib.vagap_table_free(t)
        _lib.lib.vagap_ledger_free(ledger)
