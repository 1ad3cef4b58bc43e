"""Tables in and out: a pandas DataFrame when pandas is installed and given,
else a dict of equal-length columns (lists, tuples or numpy arrays)."""
import math
import os

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
    out = {c: [r.get(c) for r in rows] for c in columns}
    if _pd is not None:
        return _pd.DataFrame(out, columns=list(columns))
    return out


def named_values(pairs):
    """(name, value) pairs -> a pandas Series or a dict (like fitMeasures())."""
    if _pd is not None:
        return _pd.Series(dict(pairs), dtype=float)
    return dict(pairs)
