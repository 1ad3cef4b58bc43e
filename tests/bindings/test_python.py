"""The Python package against the program: the same data through `vagap` (the
binary) and through vagap (ctypes over libvagap.so); every number must be the
one the program prints, at its default 15 digits (as text) and at --digits 17
(exactly, as a double).

    VAGAP=path/to/vagap VAGAP_LIBRARY=path/to/libvagap.so PYTHONPATH=src/python \
        python3 -m unittest tests/bindings/test_python.py
"""
import csv
import io
import math
import os
import shutil
import subprocess
import tempfile
import unittest

import vagap

SRC = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DATA = os.path.join(SRC, "tests", "data")
PROGRAM = os.environ.get("VAGAP", os.path.join(SRC, "build", "vagap"))


def read_columns(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return {k: [r[k] for r in rows] for k in rows[0]}


def run(*args):
    """The program's table at 15 and at 17 digits, as lists of dicts."""
    out = []
    for digits in ("15", "17"):
        p = subprocess.run([PROGRAM, args[0], "--quiet", "--digits", digits] + list(args[1:]),
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise AssertionError("vagap %s exited %d: %s" % (" ".join(args), p.returncode, p.stderr))
        out.append(list(csv.DictReader(io.StringIO(p.stdout))))
    return out


def rows_of(table):
    """DataFrame or dict of columns -> list of dicts."""
    if hasattr(table, "to_dict") and hasattr(table, "columns"):
        table = {c: list(table[c]) for c in table.columns}
    cols = list(table)
    n = len(table[cols[0]]) if cols else 0
    return [{c: table[c][i] for c in cols} for i in range(n)]


def text15(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "NA"
    if isinstance(v, float) and math.isinf(v):
        return "Inf" if v > 0 else "-Inf"
    if isinstance(v, str):
        return v
    if float(v) == int(v) and abs(v) < 1e15:
        return str(int(v))
    return "%.15g" % v


class ProgramComparison(unittest.TestCase):
    compared = 0

    def assertSameTable(self, mine, program, skip=()):
        p15, p17 = program
        mine = rows_of(mine)
        self.assertEqual(len(mine), len(p15), "row count")
        for i, (m, a, b) in enumerate(zip(mine, p15, p17)):
            for col, v in m.items():
                if col in skip:
                    continue
                self.assertIn(col, a, "column %s not in the program's table" % col)
                where = "row %d column %s" % (i + 1, col)
                self.assertEqual(text15(v), a[col], where + " at 15 digits")
                if isinstance(v, float) and not math.isnan(v) and not math.isinf(v):
                    self.assertEqual(v, float(b[col]), where + " at 17 digits")
                ProgramComparison.compared += 1


class TestTtest(ProgramComparison):
    data = read_columns(os.path.join(DATA, "stats_units.csv"))
    file = os.path.join(DATA, "stats_units.csv")

    def test_one_sample(self):
        mine = vagap.ttest("selfreport", data=self.data, mu=0.7)
        self.assertSameTable(mine, run("ttest", "--x", "selfreport", "--mu", "0.7", self.file))

    def test_paired(self):
        mine = vagap.ttest("iat", "behavior", data=self.data, paired=True, alternative="greater")
        self.assertSameTable(mine, run("ttest", "--x", "iat", "--y", "behavior", "--paired",
                                       "--alternative", "greater", self.file))

    def test_welch_and_student(self):
        for var_equal in (False, True):
            mine = vagap.ttest("iat", "selfreport", data=self.data, var_equal=var_equal,
                               conf_level=0.9)
            args = ["ttest", "--x", "iat", "--y", "selfreport", "--conf", "0.9", self.file]
            if var_equal:
                args.insert(1, "--var-equal")
            self.assertSameTable(mine, run(*args))

    def test_sequences(self):
        mine = rows_of(vagap.ttest([1.0, 2.5, float("nan"), 4.0], [2.0, 2.0, 3.0, 5.5]))
        self.assertEqual(mine[0]["n_excluded"], 1)
        self.assertEqual(mine[0]["term"], "x - y")

    def test_constant_data_is_an_error(self):
        with self.assertRaises(vagap.VagapError) as e:
            vagap.ttest([1.0, 1.0, 1.0])
        self.assertEqual(e.exception.status, "EDOMAIN")
        self.assertIn("constant", str(e.exception))

    def test_text_cell_is_an_error(self):
        with self.assertRaisesRegex(ValueError, "column 'x', row 2: 'abc' is not a number"):
            vagap.ttest("x", data={"x": ["1", "abc", "3"]})


class TestCorr(ProgramComparison):
    data = TestTtest.data
    file = TestTtest.file

    def test_pearson_spearman(self):
        for method, p in (("pearson", "t"), ("spearman", "t"), ("spearman", "exact")):
            mine = vagap.corr("iat", "selfreport", data=self.data, method=method, spearman_p=p)
            self.assertSameTable(mine, run("corr", "--x", "iat", "--y", "selfreport", "--method",
                                           method, "--spearman-p", p, self.file))

    def test_bad_alternative(self):
        with self.assertRaises(vagap.VagapError) as e:
            vagap.corr([1, 2, 3, 4], [2, 1, 4, 3], alternative="bigger")
        self.assertEqual(e.exception.status, "EINVAL")


class TestSem(ProgramComparison):
    def compare(self, model_text, data_path, group, args, **options):
        data = read_columns(data_path)
        fit = vagap.sem(model_text, data, group=group, **options)
        with tempfile.NamedTemporaryFile("w", suffix=".lav", delete=False) as f:
            f.write(model_text)
        try:
            base = ["sem", "--model", f.name] + (["--group", group] if group else []) + args
            self.assertSameTable(fit.estimates, run(*(base + [data_path])))
            measures = run(*(base + ["--fit", data_path]))
        finally:
            os.unlink(f.name)
        fitrows = [{"measure": k, "value": float(v)} for k, v in dict(fit.fit).items()]
        self.assertSameTable({"measure": [r["measure"] for r in fitrows],
                              "value": [r["value"] for r in fitrows]}, measures)
        return fit

    def test_path_model_two_groups(self):
        path = os.path.join(DATA, "sem_path.csv")
        with open(os.path.join(DATA, "sem_path.lav")) as f:
            model = f.read()
        fit = self.compare(model, path, "grp", [])
        self.assertEqual(fit.groups, ["a", "b"])
        # the program reports 42 rows read, 40 used: one missing y, one missing group
        self.assertEqual(fit.n_excluded, 2)
        self.assertEqual(sorted(r for _, r in fit.excluded),
                         ["missing group (grp)", "missing value in y (listwise deletion)"])

    def test_options_wishart_level(self):
        path = os.path.join(DATA, "sem_path.csv")
        with open(os.path.join(DATA, "sem_path.lav")) as f:
            model = f.read()
        self.compare(model, path, "grp", ["--likelihood", "wishart", "--level", "0.9"],
                     likelihood="wishart", level=0.9)

    def test_constraints_and_bounds(self):
        path = os.path.join(DATA, "sem_path.csv")
        with open(os.path.join(DATA, "sem_path.lav")) as f:
            model = f.read()
        cons = os.path.join(DATA, "sem_path.constraints")
        with open(cons) as f:
            text = f.read()
        fit = self.compare(model, path, "grp", ["--constraints", cons], constraints=text)
        est = rows_of(fit.estimates)
        a = [r["est"] for r in est if r["label"] in ("a1", "a2")]
        self.assertEqual(len(a), 2)
        self.assertAlmostEqual(a[0], a[1], places=6)  # a1 == a2 holds at the solution
        bounded = model.replace("y ~ c(b1, b2)*m", "y ~ c(b1, b2)*m\nm ~~ lower(0.9)*m")
        self.compare(bounded, path, "grp", [])

    def test_holzinger_swineford_invariance(self):
        rscript = shutil.which("Rscript")
        if not rscript:
            self.skipTest("Rscript not installed (Holzinger-Swineford comes from lavaan)")
        tmp = tempfile.mkdtemp()
        try:
            hs = os.path.join(tmp, "hs.csv")
            p = subprocess.run([rscript, "-e", "suppressMessages(library(lavaan)); "
                                "write.csv(HolzingerSwineford1939, '%s', row.names = FALSE)" % hs],
                               capture_output=True, text=True)
            if p.returncode != 0:
                self.skipTest("lavaan not installed: " + p.stderr.strip()[-200:])
            model = ("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\n"
                     "speed =~ x7 + x8 + x9\n")
            self.compare(model, hs, "school", ["--group-equal", "loadings,intercepts",
                                               "--group-partial", "visual=~x2,x3~1"],
                         group_equal=["loadings", "intercepts"],
                         **{"group.partial": "visual=~x2,x3~1"})
            self.compare(model, hs, None, ["--std-lv"], std_lv=True)
            self.compare(model, hs, None, ["--orthogonal"], orthogonal=True)
        finally:
            shutil.rmtree(tmp)

    def test_syntax_error_located(self):
        with self.assertRaises(vagap.VagapError) as e:
            vagap.sem("f =~ x1 + \ny | t1", {"x1": [1.0, 2.0]})
        self.assertEqual(e.exception.status, "EPARSE")
        self.assertEqual(e.exception.line, 2)
        self.assertIn("not supported", e.exception.message)

    def test_unknown_option(self):
        with self.assertRaisesRegex(TypeError, "unknown option 'estimator'"):
            vagap.sem("y ~ x", {"x": [1.0, 2.0, 3.0], "y": [1.0, 3.0, 2.0]}, estimator="MLR")

    def test_missing_column(self):
        with self.assertRaisesRegex(KeyError, "no column 'm'"):
            vagap.sem("y ~ m", {"x": [1.0, 2.0, 3.0], "y": [1.0, 3.0, 2.0]})

class TestLayout(unittest.TestCase):
    """The ctypes mirrors of the C structures are checked against the library at import."""

    def test_mirrors_match_the_library(self):
        from vagap import _lib
        self.assertEqual(_lib.layout_mismatches(_lib.MIRRORED), [])

    def test_a_stale_mirror_is_reported(self):
        import ctypes
        from vagap import _lib

        class Shorter(ctypes.Structure):  # vagap_sem_fit_options_t without its last two ints
            _fields_ = _lib.SemFitOptions._fields_[:-2]
        bad = _lib.layout_mismatches([(Shorter, "vagap_sem_fit_options_t"), (Shorter, "no_such_t")])
        self.assertEqual(len(bad), 2)
        self.assertIn("vagap_sem_fit_options_t is %d bytes in the library"
                      % ctypes.sizeof(_lib.SemFitOptions), bad[0])
        self.assertIn("no_such_t is unknown in the library", bad[1])


if __name__ == "__main__":
    unittest.main()
