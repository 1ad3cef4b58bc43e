"""report(): the tables `vagap report` writes, from the four logs of a
walk-the-talk study.  The gap tables come from vagap_study_gap on the
program's readers (all four logs, with their exclusions); the others are the
separate commands' tables on the same logs, as the program's are."""
import ctypes
import warnings

from . import _lib
from ._errors import check
from ._gap import TIDY_COLUMNS, UNIT_COLUMNS, _tidy_rows, _unit_rows
from ._data import table
from ._study import _codes, _excluded, _read_table, prop, score
from ._study import iat as _iat

_SOURCES = {k: k.encode() for k in ("iat", "choices", "selfreport", "key")}


def _written(write):
    """What write(FILE *) puts into an open_memstream buffer, as text."""
    libc = ctypes.CDLL(None)
    libc.open_memstream.restype = ctypes.c_void_p
    libc.open_memstream.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_size_t)]
    libc.fclose.argtypes = [ctypes.c_void_p]
    libc.free.argtypes = [ctypes.c_void_p]
    buf, size = ctypes.c_void_p(), ctypes.c_size_t()
    f = libc.open_memstream(ctypes.byref(buf), ctypes.byref(size))
    if not f:
        raise MemoryError("vagap: out of memory")
    bad = write(f) != 0
    bad |= libc.fclose(f) != 0
    try:
        if bad:
            raise OSError("vagap: the report could not be written")
        return ctypes.string_at(buf, size.value).decode("utf-8")
    finally:
        libc.free(buf)


def _svg(g, title):
    """The calibration plot of g as text (vagap_gap_plot_svg)."""
    return _written(lambda f: _lib.lib.vagap_gap_plot_svg(f, g, title.encode()))


def _markdown(g, scale, ledger, md, io, co, so, selfreport_scale):
    """report.md of g as text (vagap_report_markdown); md is (title, source)."""
    o = _lib.ReportOptions()
    _lib.lib.vagap_report_options_init(ctypes.byref(o))
    keep = [md[0].encode(), md[1].encode()]
    o.title, o.source = keep
    o.unit, o.prosocial, o.selfish = io.unit, co.prosocial, co.selfish
    o.selfreport_scale = selfreport_scale
    o.scale_min, o.scale_max, o.iat_smoothing = so.min, so.max, io.scoring.smoothing
    return _written(lambda f: _lib.lib.vagap_report_markdown(f, g, scale, ledger, o))


def _gap_tables(logs, unit, focal, contrast, prosocial, selfish, preset, lo, hi, min_items,
                selfreport_scale, gap_opt, svg_title=None, md=None):
    """gap_units, gap_tests, the exclusions of the four logs (the program's order), the
    calibration plot (with svg_title) and report.md (with md = (title, source))."""
    err = _lib.Error()
    io, co, so = _lib.StudyIatOptions(), _lib.StudyChoiceOptions(), _lib.StudyScaleOptions()
    _lib.lib.vagap_study_iat_options_init(ctypes.byref(io))
    _lib.lib.vagap_study_choice_options_init(ctypes.byref(co))
    _lib.lib.vagap_study_scale_options_init(ctypes.byref(so))
    keep = [unit.encode(), _codes(focal).encode(), _codes(contrast).encode(),
            _codes(prosocial).encode(), _codes(selfish).encode()]
    io.unit = co.unit = so.unit = keep[0]
    io.focal, io.contrast, co.prosocial, co.selfish = keep[1:]
    so.min, so.max, so.min_items = float(lo), float(hi), int(min_items)
    check(_lib.lib.vagap_iat_assoc_preset(ctypes.byref(io.scoring), str(preset).encode(), err), err)
    check(_lib.lib.vagap_gap_options_check(gap_opt, err), err)
    ledger = _lib.lib.vagap_ledger_alloc()
    scorer, choices = ctypes.c_void_p(), _lib.StudyChoices()
    scale = ctypes.create_string_buffer(_lib.lib.vagap_struct_size(b"vagap_study_scale_t"))
    g, t = _lib.Gap(), _lib.Tidy()
    analysed = False
    try:
        if logs["iat"] is not None:
            r = _read_table(logs["iat"], _SOURCES["iat"], ledger, err)
            try:
                check(_lib.lib.vagap_study_read_iat_table(r, io, None, ledger, ctypes.byref(scorer), err), err)
            finally:
                _lib.lib.vagap_table_free(r)
        r = _read_table(logs["choices"], _SOURCES["choices"], ledger, err)
        try:
            check(_lib.lib.vagap_study_read_choices_table(r, co, ledger, choices, err), err)
        finally:
            _lib.lib.vagap_table_free(r)
        kt = _read_table(logs["key"], _SOURCES["key"], ledger, err)
        try:
            rt = _read_table(logs["selfreport"], _SOURCES["selfreport"], ledger, err)
        except Exception:
            _lib.lib.vagap_table_free(kt)
            raise
        check(_lib.lib.vagap_study_scale_from(rt, kt, so, ledger, scale, err), err)  # owns both
        scale_arg = None if selfreport_scale is None else str(selfreport_scale).encode()
        check(_lib.lib.vagap_study_gap(scorer, choices, scale, scale_arg, so.min_items, gap_opt, g,
                                       err), err)
        analysed = True
        check(_lib.lib.vagap_gap_tidy(g, t, err), err)
        return (table([unit] + UNIT_COLUMNS, _unit_rows(g, unit)),
                table(TIDY_COLUMNS, _tidy_rows(t)), _excluded(ledger),
                None if svg_title is None else _svg(g, svg_title),
                None if md is None else _markdown(g, scale, ledger, md, io, co, so, scale_arg))
    finally:
        _lib.lib.vagap_tidy_free(t)
        if analysed:
            _lib.lib.vagap_gap_free(g)
        _lib.lib.vagap_study_scale_free(scale)
        _lib.lib.vagap_study_choices_free(choices)
        _lib.lib.vagap_iat_assoc_free(scorer)
        _lib.lib.vagap_ledger_free(ledger)


def _plain(tab):
    """A table without the exclusions of the command that made it (the report has them all)."""
    if hasattr(tab, "attrs"):
        tab.attrs.pop("excluded", None)
        return tab
    return dict(tab)


class Report(dict):
    """The report's tables by name, with .excluded: [(source, row, reason)] of the four logs."""
    excluded = ()


def report(choices, selfreport, key, iat=None, unit="model", preset="andric2025",
           focal="other", contrast="self", prosocial="other", selfish="self", min=1, max=7,
           min_items=1, selfreport_scale=None, tau=0.05, behavior_cut=0.65, conf_level=0.95,
           svg=False, title="Walk-the-talk study", markdown=False, source="data frames"):
    """`vagap report` on four tables (iat=None: no IAT, as --no-iat): a dict of the
    tables the program writes - iat_trials, iat_units (with an IAT), behavior_units,
    selfreport_units, selfreport_alpha, gap_units, gap_tests - with its columns.
    vagap.excluded(result) lists every row the four logs left out.  svg=True adds
    "calibration_svg", the text of the program's calibration.svg (its title starts
    with `title`, as --title); markdown=True adds "report_md", the text of the program's
    report.md (the same library writer; its methods line names `source`)."""
    if not min < max:
        raise ValueError("vagap: min must be below max")
    opt = _lib.GapOptions()
    _lib.lib.vagap_gap_options_init(ctypes.byref(opt))
    opt.tau, opt.behavior_cut, opt.conf_level = float(tau), float(behavior_cut), float(conf_level)
    logs = {"iat": iat, "choices": choices, "selfreport": selfreport, "key": key}
    # the gap first: it reads all four logs and says what is wrong with any of them
    units, tests, dropped, plot, md = _gap_tables(
        logs, unit, focal, contrast, prosocial, selfish, preset, min, max, min_items, selfreport_scale,
        opt, "%s: self-report vs behaviour" % title if svg else None,
        (str(title), str(source)) if markdown else None)
    out = Report()
    if iat is not None:
        for level, name in (("trials", "iat_trials"), ("units", "iat_units")):
            out[name] = _plain(_iat(iat, unit=unit, focal=focal, contrast=contrast,
                                   preset=preset, level=level))
    with warnings.catch_warnings():  # a unit without counted choices is in the table as NA
        warnings.simplefilter("ignore")
        out["behavior_units"] = _plain(prop(choices, unit=unit, success=prosocial,
                                            failure=selfish, conf_level=conf_level))
    unit_arg = None if unit == "model" else unit
    for level, name in (("unit", "selfreport_units"), ("alpha", "selfreport_alpha")):
        out[name] = _plain(score(selfreport, key, min, max, min_items=min_items, level=level,
                                 unit=unit_arg))
    out["gap_units"], out["gap_tests"] = units, tests
    if svg:
        out["calibration_svg"] = plot
    if markdown:
        out["report_md"] = md
    out.excluded = dropped
    return out
