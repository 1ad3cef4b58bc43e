"""Tables in and out: a pandas DataFrame when pandas is installed and given,
else a dict of equal-length columns (lists, tuples or numpy arrays)."""
import ctypes
import math
import numbers
import os

from . import _lib

try:  # optional: results come back as DataFrames only when pandas is there
    import pandas as _pd
except ImportError:  # pragma: no cover - depends on the machine
    _pd = None
if os.environ.get("VAGAP_PYTHON_NO_PANDAS"):  # the tests run the dict-of-columns path too
    _pd = None

# The program's default missing-value tokens (",NA,NaN"), so that a column of
# text read from the same CSV file means the same thing here.
NA_TOKENS = ("", "NA", "NaN")


def columns_of(data):
    """The columns of `data` as a dict name -> list, in the data's order."""
    if _pd is not None and isinstance(data, _pd.DataFrame):
        return {str(k): data[k].tolist() for k in data.columns}
    if hasattr(data, "keys") and hasattr(data, "__getitem__"):
        cols = {str(k): list(data[k]) for k in data.keys()}
        lengths = {len(v) for v in cols.values()}
        if len(lengths) > 1:
            raise ValueError("vagap: the columns of data have different lengths: %s"
                             % ", ".join("%s %d" % (k, len(v)) for k, v in cols.items()))
        return cols
    raise TypeError("vagap: data must be a pandas DataFrame or a dict of columns, not %s"
                    % type(data).__name__)


def is_missing(v):
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    if isinstance(v, str) and v in NA_TOKENS:
        return True
    return _pd is not None and v is _pd.NA


def number(v, column, row):
    """One cell as a float (NaN when missing); text must be a number."""
    if is_missing(v):
        return math.nan
    if isinstance(v, bool):
        raise ValueError("vagap: column '%s', row %d: a logical value is not a number" % (column, row + 1))
    if isinstance(v, str):
        try:
            v = float(v)
        except ValueError:
            raise ValueError("vagap: column '%s', row %d: '%s' is not a number" % (column, row + 1, v))
    try:
        x = float(v)
    except (TypeError, ValueError):
        raise ValueError("vagap: column '%s', row %d: %r is not a number" % (column, row + 1, v))
    if math.isinf(x):
        raise ValueError("vagap: column '%s', row %d: infinite value" % (column, row + 1))
    return x


def numeric_column(cols, name):
    if name not in cols:
        raise KeyError("vagap: no column '%s' in data; the columns are: %s" % (name, ", ".join(cols)))
    return [number(v, name, i) for i, v in enumerate(cols[name])]


def as_numbers(x, name="x"):
    """A sequence (list, numpy array, pandas Series) as a list of floats."""
    if isinstance(x, (str, bytes)):
        raise TypeError("vagap: %s must be a sequence of numbers or a column name with data=" % name)
    return [number(v, name, i) for i, v in enumerate(list(x))]


def table(columns, rows):
    """rows (list of dicts) -> DataFrame (pandas) or dict of columns."""
    return column_table(columns, {c: [r.get(c) for r in rows] for c in columns})


def column_table(columns, cols, numeric=()):
    """cols (dict of lists) -> DataFrame (pandas; the `numeric` columns handed over as
    float64 arrays, which pandas takes without looking at each value) or the dict."""
    if _pd is None:
        return cols
    import numpy
    data = {c: numpy.array(cols[c], dtype=numpy.float64) if c in numeric else cols[c] for c in columns}
    return _pd.DataFrame(data, columns=list(columns))


def named_values(pairs):
    """(name, value) pairs -> a pandas Series or a dict (like fitMeasures())."""
    if _pd is not None:
        return _pd.Series(dict(pairs), dtype=float)
    return dict(pairs)


# ---- data frames to the library as typed columns (vagap_table_from_columns) ----------

def _numpy_column(v):
    """A numpy array or pandas Series of numbers, logicals or categories as
    (type, array, levels), or None when it is something else."""
    dtype = getattr(v, "dtype", None)
    if dtype is None:
        return None
    if _pd is not None and isinstance(dtype, _pd.CategoricalDtype):
        import numpy
        codes = numpy.ascontiguousarray(_pd.Series(v).cat.codes.to_numpy(), dtype=numpy.int32) + 1
        return _lib.COLUMN_FACTOR, codes, [_cell(c) for c in dtype.categories]
    kind = getattr(dtype, "kind", "O")
    if kind == "O" and _pd is not None and isinstance(v, _pd.Series) and \
            _pd.api.types.infer_dtype(v, skipna=True) == "string":
        # text with missing values: as the factor of its distinct texts (a cell means
        # the same text either way), coded by pandas rather than one Python call a cell
        import numpy
        codes, levels = _pd.factorize(v, sort=False)
        codes = numpy.where(codes < 0, NA_INTEGER, codes + 1).astype(numpy.int32)
        return _lib.COLUMN_FACTOR, numpy.ascontiguousarray(codes), list(levels)
    if kind in "fiu":
        import numpy
        if _pd is not None and isinstance(v, _pd.Series) and not isinstance(dtype, numpy.dtype):
            # a nullable extension type (Int64, Float64): pd.NA as NaN; plain numpy
            # dtypes below, where na_value would cost a pass of pandas' isna per column
            values = v.to_numpy(dtype=numpy.float64, na_value=numpy.nan)
        else:
            values = numpy.asarray(v, dtype=numpy.float64)
        return _lib.COLUMN_DOUBLE, numpy.ascontiguousarray(values), None
    return None


def _cell(v):
    """The text of one value that is not missing, as the program's file would hold it."""
    if isinstance(v, float):
        return repr(v)  # round trip: the library reads the very double
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    return str(v)


def _missing_value(v):
    return v is None or (isinstance(v, float) and math.isnan(v)) or \
        (_pd is not None and v is _pd.NA)


def _list_column(values):
    """A list's type: LOGICAL when every value is a bool, DOUBLE when every value
    is a number a double holds exactly, else STRING (missing values aside)."""
    present = [v for v in values if not _missing_value(v)]
    if present and all(isinstance(v, bool) for v in present):
        return _lib.COLUMN_LOGICAL
    if all(isinstance(v, numbers.Real) and not isinstance(v, bool) and
           (not isinstance(v, numbers.Integral) or abs(v) <= 2 ** 53) for v in present):
        return _lib.COLUMN_DOUBLE
    return _lib.COLUMN_STRING


NA_INTEGER = -2 ** 31


def typed_columns(data, what="data"):
    """`data` as an array of vagap_column_t, its row count and the objects that
    must stay alive while the library reads them.  A missing value (None, NaN,
    pandas NA) becomes the library's missing cell; no CSV text is written."""
    if _pd is not None and isinstance(data, _pd.DataFrame):
        raw = {str(k): data[k] for k in data.columns}
    elif hasattr(data, "keys") and hasattr(data, "__getitem__"):
        raw = {str(k): data[k] for k in data.keys()}
    else:
        raise TypeError("vagap: %s must be a pandas DataFrame or a dict of columns, not %s"
                        % (what, type(data).__name__))
    if not raw:
        raise ValueError("vagap: %s has no columns" % what)
    lengths = {k: len(v) for k, v in raw.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError("vagap: the columns of %s have different lengths: %s"
                         % (what, ", ".join("%s %d" % kv for kv in lengths.items())))
    nrows = next(iter(lengths.values()))
    cols = (_lib.Column * len(raw))()
    keep = []
    for c, (name, v) in zip(cols, raw.items()):
        c.name = name.encode()
        c.na_integer = NA_INTEGER
        keep.append(c.name)
        typed = _numpy_column(v)
        if typed is not None:
            c.type, array, levels = typed
            keep.append(array)
            if c.type == _lib.COLUMN_DOUBLE:
                c.numbers = array.ctypes.data_as(_lib.c_double_p)
                continue
            c.integers = array.ctypes.data_as(ctypes.POINTER(ctypes.c_int))
            c.strings = _strings(levels, keep)
            c.nlevels = len(levels)
            continue
        values = list(v)
        c.type = _list_column(values)
        if c.type == _lib.COLUMN_DOUBLE:
            array = (ctypes.c_double * max(nrows, 1))(
                *[math.nan if _missing_value(x) else float(x) for x in values])
            c.numbers = ctypes.cast(array, _lib.c_double_p)
        elif c.type == _lib.COLUMN_LOGICAL:
            array = (ctypes.c_int * max(nrows, 1))(
                *[NA_INTEGER if _missing_value(x) else int(x) for x in values])
            c.integers = ctypes.cast(array, ctypes.POINTER(ctypes.c_int))
        else:
            array = None
            c.strings = _strings([None if _missing_value(x) else _cell(x) for x in values], keep)
        keep.append(array)
    return cols, nrows, keep


def _strings(texts, keep):
    """A char *[] of UTF-8 texts (None as NULL), kept alive in `keep`."""
    encoded = [None if t is None else t.encode("utf-8") for t in texts]
    array = (ctypes.c_char_p * max(len(encoded), 1))(*encoded)
    keep.append(encoded)
    keep.append(array)
    return ctypes.cast(array, _lib.c_char_pp)
