"""vagap in Python: the library's statistics on dicts of columns or pandas DataFrames.

    import vagap
    fit = vagap.sem("visual =~ x1 + x2 + x3", data, group="school", group_equal="loadings")
    fit.estimates    # parameterEstimates(fit, standardized = TRUE) columns
    fit.fit["cfi"]   # fitMeasures() names

The study-log commands take the log as a table and return the program's table,
with the rows left out in vagap.excluded(result):

    vagap.prop(choices)                 # `vagap prop`
    vagap.score(responses, key, 1, 7)   # `vagap score` (level "unit", "run", "alpha")
    vagap.iat(log)                      # `vagap iat --method assoc` (level "units", "trials")
    vagap.gap(summary)                  # `vagap gap` (level "tests", "units")
    vagap.consistency(decisions)        # `vagap consistency` (mode "matrix", ...)
    vagap.align(log, scenario=["country", "topic"])   # `vagap align`
    vagap.vaar(model, data, group="group", expect="y~x:-")  # `vagap vaar`
    vagap.report(choices, selfreport, key, iat)            # `vagap report`: dict of tables

Errors from the library are raised as vagap.VagapError with its message (and
status, line, column where the library gave them).
"""
from ._errors import VagapError
from ._stats import ttest, corr
from ._sem import sem, cfa, growth, lavaan, SemResult
from ._study import prop, score, iat, excluded
from ._gap import gap
from ._consistency import consistency
from ._align import align
from ._vaar import vaar
from ._report import report, Report
from . import _lib

__all__ = ["ttest", "corr", "sem", "cfa", "growth", "lavaan", "prop", "score", "gap", "iat", "consistency", "align", "vaar", "report", "Report", "excluded", "SemResult", "VagapError", "version", "library_path"]

library_path = _lib.path


def version():
    """The version of the loaded libvagap."""
    return _lib.lib.vagap_version().decode()
