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
import warnings

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
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
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
            vagap.sem("f =~ x1 + \ny <~ x1", {"x1": [1.0, 2.0]})
        self.assertEqual(e.exception.status, "EPARSE")
        self.assertEqual(e.exception.line, 2)
        self.assertIn("not supported", e.exception.message)

    def test_unknown_option(self):
        with self.assertRaisesRegex(vagap.VagapError, "unsupported argument 'cluster'"):
            vagap.sem("y ~ x", {"x": [1.0, 2.0, 3.0], "y": [1.0, 3.0, 2.0]}, cluster="g")
        with self.assertRaisesRegex(vagap.VagapError, "estimator MLR with test satorra.bentler"):
            vagap.sem("y ~ x", {"x": [1.0, 2.0, 3.0], "y": [1.0, 3.0, 2.0]}, estimator="MLR",
                      test="satorra.bentler")

    def test_missing_column(self):
        with self.assertRaisesRegex(vagap.VagapError, "no column named 'm'; the columns are: x, y"):
            vagap.sem("y ~ m", {"x": [1.0, 2.0, 3.0], "y": [1.0, 3.0, 2.0]})

    def test_estimators_as_the_program(self):
        """lavaan's estimation arguments give the program's numbers for the same options."""
        path = os.path.join(DATA, "sem_path.csv")
        with open(os.path.join(DATA, "sem_path.lav")) as f:
            model = f.read()
        fit = self.compare(model, path, "grp", ["--estimator", "MLR"], estimator="MLR")
        self.assertIn("cfi.robust", dict(fit.fit))
        self.compare(model, path, "grp", ["--estimator", "MLM", "--std-lv"], estimator="MLM", std_lv=True)
        self.compare(model, path, "grp", ["--se", "robust.sem", "--test", "satorra.bentler",
                                          "--information", "expected"],
                     se="robust.sem", test="satorra.bentler", information="expected")
        fiml = self.compare(model, os.path.join(DATA, "sem_fiml.csv"), "grp", ["--missing", "ml"],
                            missing="ml")
        self.assertEqual(fiml.groups, ["a", "b"])

    def test_ordered_as_the_program(self):
        """ordered= (WLSMV by default) and pairwise deletion, as --ordered."""
        model = "f =~ y1 + y2 + y3 + y4"
        path = os.path.join(DATA, "ordinal", "ord_ok.csv")
        self.compare(model, path, "g", ["--ordered"], ordered=True)
        self.compare(model, path, None, ["--ordered", "y1,y2,y3,y4", "--parameterization", "theta"],
                     ordered=["y1", "y2", "y3", "y4"], parameterization="theta")
        path = os.path.join(DATA, "ordinal", "ord_missing.csv")
        fit = self.compare(model, path, None, ["--ordered", "--missing", "pairwise"], ordered=True,
                           missing="pairwise")
        # as the program's ledger: "read 120 rows, used 119", row 52 of the file (0-based data row 50)
        self.assertEqual(fit.excluded, [(50, "every model variable missing (pairwise deletion)")])

    def test_lavaan_function(self):
        """lavaan(): nothing automatic; sem() ignores the switches with a warning."""
        path = os.path.join(DATA, "sem_path.csv")
        data = read_columns(path)
        bare = "y ~ m + x\nm ~ x\ny ~~ y\nm ~~ m"
        with tempfile.NamedTemporaryFile("w", suffix=".lav", delete=False) as f:
            f.write(bare)
        try:
            self.assertSameTable(vagap.lavaan(bare, data).estimates,
                                 run("sem", "--model", f.name, "--lavaan", path))
        finally:
            os.unlink(f.name)
        with self.assertWarnsRegex(UserWarning, "auto.var is ignored"):
            vagap.sem(bare, data, auto_var=False)

class TestStudy(ProgramComparison):
    """prop() and score() on the program's test logs give the program's tables and exclusions."""

    def test_prop(self):
        path = os.path.join(DATA, "stats_choices.csv")
        with self.assertWarnsRegex(UserWarning, "gamma: no counted choices"):
            mine = vagap.prop(read_columns(path))
        self.assertSameTable(mine, run("prop", path))
        self.assertEqual([r for _, r, _ in vagap.excluded(mine)], [5, 10, 11])
        self.assertEqual(vagap.excluded(mine)[1][2], "missing choice")
        with self.assertWarns(UserWarning):
            mine = vagap.prop(read_columns(path), p0=0.3, alternative="greater", conf_level=0.9,
                              adjust="holm")
        self.assertSameTable(mine, run("prop", "--p0", "0.3", "--alternative", "greater",
                                       "--conf-level", "0.9", "--adjust", "holm", path))

    def test_typed_columns(self):
        """Columns reach the library typed (no CSV text): a newline in a cell does not
        shift the rows after it, and numbers, logicals and categories mean what their
        text means in a file.  Rows are 0-based rows of the data."""
        data = {"model": ["a\nb", "a\nb", "c", "c", None, "c"],
                "choice": ["other", "maybe", "self", "other", "self", float("nan")]}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mine = vagap.prop(data)
        self.assertEqual(list(mine["model"]), ["a\nb", "c"])
        self.assertEqual(list(mine["x"]), [1, 1])
        self.assertEqual([r for _, r, _ in vagap.excluded(mine)], [1, 4, 5])
        self.assertEqual([w for _, _, w in vagap.excluded(mine)][1:], ["missing model", "missing choice"])
        codes = {"model": ["m"] * 4, "choice": [1, 0, 1, None]}
        self.assertEqual(list(vagap.prop(codes, success="1", failure="0")["x"]), [2])
        logical = {"model": ["m"] * 4, "choice": [True, False, True, None]}
        self.assertEqual(list(vagap.prop(logical, success="TRUE", failure="FALSE")["x"]), [2])
        mixed = {"model": ["m"] * 3, "choice": [1.5, "other", "self"]}
        self.assertEqual(list(vagap.prop(mixed)["n"]), [2])
        try:
            import pandas
        except ImportError:
            return
        if os.environ.get("VAGAP_PYTHON_NO_PANDAS"):
            return
        frame = pandas.DataFrame({"model": ["m"] * 4,
                                  "choice": pandas.Categorical(["other", "self", None, "other"]),
                                  "score": [1.0, 2.0, None, 4.0]})
        mine = vagap.prop(frame)
        self.assertEqual(list(mine["x"]), [2])
        self.assertEqual(vagap.excluded(mine), [("data", 2, "missing choice")])

    def test_prop_pooled_and_word_lists(self):
        """pooled=True is `vagap prop --pooled`; word lists are --positive-words/--negative-words."""
        path = os.path.join(DATA, "stats_choices.csv")
        self.assertSameTable(vagap.prop(read_columns(path), pooled=True), run("prop", "--pooled", path))
        ipath = os.path.join(DATA, "iat_assoc.csv")
        lists = [os.path.join(DATA, "iat_positive.txt"), os.path.join(DATA, "iat_negative.txt")]
        pos, neg = (open(f).read().splitlines() for f in lists)
        mine = vagap.iat(read_columns(ipath), valence="not_read", positive_words=pos, negative_words=neg)
        self.assertSameTable(mine, run("iat", "--method", "assoc", "--positive-words", lists[0],
                                       "--negative-words", lists[1], "--valence", "not_read", ipath))
        with self.assertRaisesRegex(vagap.VagapError, "'kind' is in both word lists"):
            vagap.iat(read_columns(ipath), positive_words=pos, negative_words=neg + ["Kind"])

    def test_prop_codes(self):
        path = os.path.join(DATA, "prop_messy_codes.csv")
        mine = vagap.prop(read_columns(path), success=["other", "altruistic"])
        self.assertSameTable(mine, run("prop", "--prosocial", "other,altruistic", path))

    def test_prop_errors(self):
        d = {"model": ["a", "b"], "choice": ["x", "y"]}
        with self.assertRaisesRegex(vagap.VagapError, "pick"):
            vagap.prop(d, choice="pick")
        with self.assertRaisesRegex(vagap.VagapError, "no unit has a counted choice"):
            with self.assertWarns(UserWarning):
                vagap.prop(d)
        with self.assertRaisesRegex(vagap.VagapError, "code 'x' is both a success and a failure"):
            vagap.prop(d, success="x", failure="X.")

    def test_score_levels(self):
        key_path = os.path.join(DATA, "stats_key.csv")
        path = os.path.join(DATA, "stats_responses.csv")
        key, data = read_columns(key_path), read_columns(path)
        base = ["score", "--key", key_path, "--min", "1", "--max", "7"]
        mine = vagap.score(data, key, 1, 7)
        self.assertSameTable(mine, run(*(base + [path])))
        self.assertEqual([r for _, _, r in vagap.excluded(mine)],
                         ["missing response", "item 'X9' is not in the key", "response outside 1..7"])
        self.assertSameTable(vagap.score(data, key, 1, 7, min_items=1, level="run"),
                             run(*(base + ["--min-items", "1", "--level", "run", path])))
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mine = vagap.score(data, key, 1, 7, level="alpha")
        self.assertSameTable(mine, run(*(base + ["--level", "alpha", path])))

    def test_score_bad_key(self):
        key = read_columns(os.path.join(DATA, "stats_key.csv"))
        key["reverse"] = ["maybe"] + key["reverse"][1:]
        data = read_columns(os.path.join(DATA, "stats_responses.csv"))
        with self.assertRaisesRegex(vagap.VagapError, "key:1:3: reverse must be 1/0, true/false, "
                                    "yes/no or reverse/forward, found 'maybe'"):
            vagap.score(data, key, 1, 7)


class TestIat(ProgramComparison):
    path = os.path.join(DATA, "iat_assoc.csv")

    def test_units_trials(self):
        data = read_columns(self.path)
        mine = vagap.iat(data)
        self.assertSameTable(mine, run("iat", "--method", "assoc", self.path))
        self.assertEqual(vagap.excluded(mine)[3][2], "missing word (the trial is still counted)")
        self.assertSameTable(vagap.iat(data, level="trials", preset="bai2024"),
                             run("iat", "--method", "assoc", "--per-trial", "--preset", "bai2024",
                                 self.path))

    def test_targets_must_differ(self):
        with self.assertRaisesRegex(ValueError, r"focal and contrast must differ \(both have 'self'\)"):
            vagap.iat(read_columns(self.path), focal="self")


class TestConsistency(ProgramComparison):
    def test_three_modes(self):
        path = os.path.join(DATA, "consistency_choices.csv")
        self.assertSameTable(vagap.consistency(read_columns(path), method="both"),
                             run("consistency", "--method", "both", path))
        enacted = os.path.join(DATA, "consistency_enacted.csv")
        prof = os.path.join(DATA, "consistency_profile.csv")
        self.assertSameTable(vagap.consistency(read_columns(enacted), mode="stated-enacted",
                                               profile=read_columns(prof), centre=True),
                             run("consistency", "--mode", "stated-enacted", "--centre",
                                 "--profile", prof, enacted))
        rp = os.path.join(DATA, "consistency_roleplay.csv")
        self.assertSameTable(vagap.consistency(read_columns(rp), mode="roleplay"),
                             run("consistency", "--mode", "roleplay", rp))

    def test_unmatched_profile(self):
        enacted = os.path.join(DATA, "consistency_enacted.csv")
        extra = os.path.join(DATA, "consistency_profile_extra.csv")
        with self.assertWarnsRegex(UserWarning, "has a profile but no enactment rows"):
            mine = vagap.consistency(read_columns(enacted), mode="stated-enacted",
                                     profile=read_columns(extra))
        self.assertSameTable(mine, run("consistency", "--mode", "stated-enacted", "--profile",
                                       extra, enacted))
        self.assertEqual(len(vagap.excluded(mine)), 2)


class TestAlign(ProgramComparison):
    path = os.path.join(DATA, "align_small.csv")

    def test_measures(self):
        data = read_columns(self.path)
        self.assertSameTable(vagap.align(data, scenario=["country", "topic"], by=["country", "value"],
                                         scenarios=True),
                             run("align", "--scenario", "country,topic", "--by", "country", "--by",
                                 "value", "--scenarios", self.path))
        self.assertSameTable(vagap.align(data, scenario=["country", "topic"],
                                         positive_class="disagree", zero_division="nan"),
                             run("align", "--scenario", "country,topic", "--positive-class",
                                 "disagree", "--zero-division", "nan", self.path))

    def test_duplicate_prompt(self):
        with self.assertRaisesRegex(vagap.VagapError, "data:3: duplicate prompt"):
            vagap.align(read_columns(os.path.join(DATA, "align_duplicate.csv")))


class TestGap(ProgramComparison):
    path = os.path.join(DATA, "gap_summary.csv")

    def test_tests_and_units(self):
        data = read_columns(self.path)
        self.assertSameTable(vagap.gap(data, counts=("prosocial", "valid")),
                             run("gap", "--counts", "prosocial,valid", self.path))
        self.assertSameTable(vagap.gap(data, level="units"), run("gap", "--units", self.path))
        self.assertSameTable(vagap.gap(data, iat=None, tau=0.1, behavior_cut=0.7, conf_level=0.9),
                             run("gap", "--no-iat", "--tau", "0.1", "--behavior-cut", "0.7",
                                 "--conf-level", "0.9", self.path))
        self.assertEqual(vagap.excluded(vagap.gap(data)), [("data", 6, "missing unit name")])

    def test_percentage_is_an_error(self):
        data = read_columns(os.path.join(DATA, "gap_percent.csv"))
        with self.assertRaisesRegex(vagap.VagapError, "unit 'A': behaviour 50 is not a proportion"):
            vagap.gap(data)


class TestVaar(ProgramComparison):
    est_file = os.path.join(DATA, "vaar", "estimates.csv")
    est = read_columns(est_file)
    survey_file = os.path.join(SRC, "datasets", "privacy-prosocial-sim", "survey.csv")
    model_file = os.path.join(SRC, "examples", "vaar", "model.lav")

    def test_estimates_table(self):
        self.assertSameTable(vagap.vaar(estimates=self.est, expect="y~f:-, y~z:+"),
                             run("vaar", "--estimates", self.est_file, "--expect", "y~f:-, y~z:+"))
        self.assertSameTable(vagap.vaar(estimates=self.est, expect="y~f:-, y~z:+",
                                        group_labels=["human", "m1", "m2"]),
                             run("vaar", "--estimates", self.est_file, "--expect", "y~f:-, y~z:+",
                                 "--group-labels", "human,m1,m2"))
        self.assertSameTable(vagap.vaar(estimates=self.est, reference="human", reference_alpha=0.01,
                                        group_labels=["human", "m1", "m2"]),
                             run("vaar", "--estimates", self.est_file, "--reference", "human",
                                 "--reference-alpha", "0.01", "--group-labels", "human,m1,m2"))

    def test_expect_table(self):
        spec = {"lhs": ["y", "y"], "op": ["~", "~"], "rhs": ["f", "z"], "sign": ["-", "+"]}
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
            f.write("lhs,op,rhs,sign\ny,~,f,-\ny,~,z,+\n")
        try:
            self.assertSameTable(vagap.vaar(estimates=self.est, expect=spec),
                                 run("vaar", "--estimates", self.est_file, "--expect-file", f.name))
        finally:
            os.unlink(f.name)

    def test_sign_indicator(self):
        path = os.path.join(DATA, "vaar", "estimates_stdlv.csv")
        est = read_columns(path)
        self.assertSameTable(vagap.vaar(estimates=est, expect="y~f:-", sign_indicator={"f": "x1"}),
                             run("vaar", "--estimates", path, "--expect", "y~f:-",
                                 "--sign-indicator", "f=x1"))
        with self.assertRaisesRegex(vagap.VagapError, "factor f has no fixed marker loading "
                                    r"\(as with std.lv\), so its sign is arbitrary; name its "
                                    "sign-fixing indicator with --sign-indicator f=x1"):
            vagap.vaar(estimates=est, expect="y~f:-")

    def test_errors(self):
        with self.assertRaisesRegex(vagap.VagapError, "--expect:1:12: 'x' is not a sign"):
            vagap.vaar(estimates=self.est, expect="y~f:-, y~z:x")
        with self.assertRaisesRegex(vagap.VagapError,
                                    "--expect:1:7: group '1' has no estimate for path y ~ w"):
            vagap.vaar(estimates=self.est, expect="y~f:-,y~w:+")
        with self.assertRaisesRegex(vagap.VagapError, "name them with --group-labels"):
            vagap.vaar(estimates=self.est, reference="human")

    def test_fit(self):
        survey = read_columns(self.survey_file)
        with open(self.model_file) as f:
            model = f.read()
        expect = "AoDS~privacy:-,AoDS~prosocial:+"
        mine = vagap.vaar(model, survey, group="group", expect=expect)
        self.assertSameTable(mine, run("vaar", "--model", self.model_file, "--group", "group",
                                       "--expect", expect, self.survey_file))
        ex = vagap.excluded(mine)  # listwise deletion, as the program's ledger lists it
        self.assertTrue(ex and all(why.startswith("missing value in ") for _, why in ex))
        self.assertSameTable(vagap.vaar(model, survey, group="group", group_equal="none",
                                        expect=expect, alpha=0.01),
                             run("vaar", "--model", self.model_file, "--group", "group",
                                 "--group-equal", "none", "--alpha", "0.01", "--expect", expect,
                                 self.survey_file))

    def test_bootstrap(self):
        """bootstrap=B fills the boot.* columns as `vagap vaar --bootstrap B` (same seed, 20 resamples)."""
        survey = read_columns(self.survey_file)
        with open(self.model_file) as f:
            model = f.read()
        expect = "AoDS~privacy:-,AoDS~prosocial:+"
        mine = vagap.vaar(model, survey, group="group", expect=expect, bootstrap=20, seed=7, threads=1,
                          conf_level=0.9)
        self.assertSameTable(mine, run("vaar", "--model", self.model_file, "--group", "group",
                                       "--expect", expect, "--bootstrap", "20", "--seed", "7",
                                       "--threads", "1", "--conf-level", "0.9", self.survey_file))


def run_report(folder, *args):
    """The tables `vagap report` writes, at 15 and at 17 digits, by name."""
    out = {}
    for digits in ("15", "17"):
        d = tempfile.mkdtemp()
        try:
            p = subprocess.run([PROGRAM, "report", folder, "--out", d, "--quiet", "--digits", digits]
                               + list(args), capture_output=True, text=True)
            if p.returncode != 0:
                raise AssertionError("vagap report exited %d: %s" % (p.returncode, p.stderr))
            for f in os.listdir(d):
                if f.endswith(".csv") and "_" in f:
                    with open(os.path.join(d, f), newline="") as fh:
                        out.setdefault(f[:-4], []).append(list(csv.DictReader(fh)))
        finally:
            shutil.rmtree(d)
    return out


def read_logs(folder):
    return {k: read_columns(os.path.join(folder, k + ".csv"))
            for k in ("iat", "choices", "selfreport", "selfreport_key")}


class TestReport(ProgramComparison):
    folder = os.path.join(DATA, "report_mini")
    logs = read_logs(folder)

    def compare(self, mine, theirs):
        self.assertEqual(sorted(mine), sorted(theirs))
        for name, tab in mine.items():
            rows = rows_of(tab)
            if rows:  # the program's columns, in its order
                self.assertEqual(list(rows[0]), list(theirs[name][0][0]), name)
            self.assertSameTable(tab, theirs[name])

    def test_with_and_without_iat(self):
        L = self.logs
        mine = vagap.report(L["choices"], L["selfreport"], L["selfreport_key"], iat=L["iat"])
        self.compare(mine, run_report(self.folder))
        self.assertIsInstance(vagap.excluded(mine), list)
        mine = vagap.report(L["choices"], L["selfreport"], L["selfreport_key"], tau=0.1,
                            selfreport_scale="s")
        self.assertNotIn("iat_units", mine)
        self.compare(mine, run_report(self.folder, "--no-iat", "--tau", "0.1",
                                      "--selfreport-scale", "s"))

    def test_svg(self):
        """svg=True: the program's calibration.svg, byte for byte."""
        L = self.logs
        mine = vagap.report(L["choices"], L["selfreport"], L["selfreport_key"], iat=L["iat"], svg=True,
                            title="Mini study")
        out = tempfile.mkdtemp()
        try:
            p = subprocess.run([PROGRAM, "report", self.folder, "--out", out, "--quiet", "--title",
                                "Mini study"], capture_output=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(os.path.join(out, "calibration.svg"), encoding="utf-8") as f:
                self.assertEqual(mine["calibration_svg"], f.read())
        finally:
            shutil.rmtree(out)

    def program_markdown(self, *args):
        out = tempfile.mkdtemp()
        try:
            p = subprocess.run([PROGRAM, "report", self.folder, "--out", out, "--quiet"] + list(args),
                               capture_output=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(os.path.join(out, "report.md"), encoding="utf-8", newline="") as f:
                return f.read()
        finally:
            shutil.rmtree(out)

    def test_markdown(self):
        """markdown=True: the program's report.md, byte for byte, with and without the IAT."""
        L = self.logs
        mine = vagap.report(L["choices"], L["selfreport"], L["selfreport_key"], iat=L["iat"],
                            markdown=True, title="Mini study", source=self.folder)
        self.assertEqual(mine["report_md"], self.program_markdown("--title", "Mini study"))
        self.assertTrue(mine["report_md"].startswith("# Mini study\n"))
        mine = vagap.report(L["choices"], L["selfreport"], L["selfreport_key"], tau=0.1,
                            selfreport_scale="s", markdown=True, source=self.folder)
        self.assertEqual(mine["report_md"], self.program_markdown("--no-iat", "--tau", "0.1",
                                                                  "--selfreport-scale", "s"))
        self.assertNotIn("report_md", vagap.report(L["choices"], L["selfreport"], L["selfreport_key"]))

    def test_errors(self):
        L = self.logs
        with self.assertRaisesRegex(vagap.VagapError, "--selfreport-scale: the key has no scale 'nope'"):
            vagap.report(L["choices"], L["selfreport"], L["selfreport_key"], selfreport_scale="nope")
        bad = os.path.join(DATA, "report_bad")
        B = read_logs(bad)
        with self.assertRaisesRegex(vagap.VagapError, "selfreport:6:4: column 'response': expected a number"):
            vagap.report(B["choices"], B["selfreport"], B["selfreport_key"])


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
                      % _lib.lib.vagap_struct_size(b"vagap_sem_fit_options_t"), bad[0])
        self.assertIn("no_such_t is unknown in the library", bad[1])

    def test_appended_fields_are_carried(self):
        import ctypes
        from vagap import _lib
        # options Python allocates have the library's size, whatever the mirror knows
        self.assertEqual(len(_lib.new(_lib.SemFitOptions).room),
                         _lib.lib.vagap_struct_size(b"vagap_sem_fit_options_t"))
        # vagap_sem_fit_t as a whole matches (the measures' tail, if any, is padding)
        self.assertEqual(ctypes.sizeof(_lib.SemFit), _lib.lib.vagap_struct_size(b"vagap_sem_fit_t"))


if __name__ == "__main__":
    unittest.main()
