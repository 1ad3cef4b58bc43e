"""ctypes view of libvagap's public API (include/vagap/*.h).

The structures below mirror the C declarations field by field; a change in a
public header must be repeated here.  At import every mirrored structure's
size is compared with the loaded library's (vagap_struct_size): a mismatch,
e.g. a field appended in C and not here, stops the import with the names of
the structures, instead of giving numbers read at wrong offsets.

The library is looked for, in order: the file named by VAGAP_LIBRARY; a
shared build in the source tree this package sits in (build-shared/, then
build/); the system's linker path (libvagap.so.0, then libvagap.so).
"""
import ctypes
import ctypes.util
import os

c_double_p = ctypes.POINTER(ctypes.c_double)
c_size_p = ctypes.POINTER(ctypes.c_size_t)
c_char_pp = ctypes.POINTER(ctypes.c_char_p)

VAGAP_OK = 0
STATUS_NAMES = ["ok", "ENOMEM", "EIO", "EPARSE", "EDATA", "ECOLUMN", "ELIMIT",
                "EINVAL", "EDOMAIN", "ENOCONV", "EMODEL", "ENUMERIC"]


class Error(ctypes.Structure):  # vagap_error_t
    _fields_ = [("status", ctypes.c_int),
                ("message", ctypes.c_char * 1024),
                ("file", ctypes.c_char * 512),
                ("line", ctypes.c_long),
                ("column", ctypes.c_long)]


# ---- stats.h ----------------------------------------------------------------

class TtestOptions(ctypes.Structure):
    _fields_ = [("alternative", ctypes.c_int), ("conf_level", ctypes.c_double),
                ("mu", ctypes.c_double)]


EFFECT_FIELDS = ["d", "d_z", "d_z0", "d_av", "d_rm", "d_s", "hedges_j", "g", "g_av",
                 "d_conf_low", "d_conf_high", "g_conf_low", "g_conf_high"]


class EffectSize(ctypes.Structure):
    _fields_ = [(name, ctypes.c_double) for name in EFFECT_FIELDS]


class Ttest(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_int), ("alternative", ctypes.c_int),
                ("conf_level", ctypes.c_double), ("mu", ctypes.c_double),
                ("n", ctypes.c_size_t), ("n1", ctypes.c_size_t), ("n2", ctypes.c_size_t),
                ("n_excluded", ctypes.c_size_t)] + \
               [(name, ctypes.c_double) for name in
                ["mean1", "sd1", "mean2", "sd2", "r12", "sd_diff", "estimate", "std_error",
                 "statistic", "df", "p_value", "log10_p", "conf_low", "conf_high"]] + \
               [("effect", EffectSize)]


class CorOptions(ctypes.Structure):
    _fields_ = [("method", ctypes.c_int), ("alternative", ctypes.c_int),
                ("conf_level", ctypes.c_double), ("spearman_p", ctypes.c_int)]


class Cor(ctypes.Structure):
    _fields_ = [("method", ctypes.c_int), ("alternative", ctypes.c_int),
                ("conf_level", ctypes.c_double), ("n", ctypes.c_size_t),
                ("n_excluded", ctypes.c_size_t), ("ties", ctypes.c_int)] + \
               [(name, ctypes.c_double) for name in
                ["estimate", "statistic", "statistic_s", "df", "p_value", "log10_p",
                 "fisher_z", "z_se", "conf_low", "conf_high"]]


# ---- sem.h ------------------------------------------------------------------

class SemModelOptions(ctypes.Structure):
    _fields_ = [("std_lv", ctypes.c_int), ("fixed_x", ctypes.c_int),
                ("meanstructure", ctypes.c_int), ("int_ov_free", ctypes.c_int),
                ("int_lv_free", ctypes.c_int), ("orthogonal", ctypes.c_int),
                ("group_equal", ctypes.c_uint),
                ("group_partial", c_char_pp), ("n_group_partial", ctypes.c_size_t),
                ("auto_fix_first", ctypes.c_int), ("auto_fix_single", ctypes.c_int),
                ("auto_var", ctypes.c_int), ("auto_cov_lv_x", ctypes.c_int),
                ("auto_cov_y", ctypes.c_int), ("constraints", ctypes.c_void_p),
                ("constraints_source", ctypes.c_char_p)]


class SemParam(ctypes.Structure):
    _fields_ = [("lhs", ctypes.c_char_p), ("op", ctypes.c_int), ("rhs", ctypes.c_char_p),
                ("block", ctypes.c_int), ("group", ctypes.c_int), ("label", ctypes.c_char_p),
                ("user", ctypes.c_int), ("exo", ctypes.c_int), ("free", ctypes.c_size_t),
                ("ustart", ctypes.c_double), ("lower", ctypes.c_double),
                ("upper", ctypes.c_double)] + \
               [(name, ctypes.c_double) for name in
                ["est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_lv", "std_all"]]


class SemModel(ctypes.Structure):
    _fields_ = [("nrows", ctypes.c_size_t), ("rows", ctypes.POINTER(SemParam)),
                ("ngroups", ctypes.c_size_t),
                ("nov", ctypes.c_size_t), ("ov", c_char_pp),
                ("ov_is_x", ctypes.POINTER(ctypes.c_int)), ("ov_exo", ctypes.POINTER(ctypes.c_int)),
                ("nlv", ctypes.c_size_t), ("lv", c_char_pp),
                ("npar", ctypes.c_size_t), ("meanstructure", ctypes.c_int),
                ("std_lv", ctypes.c_int), ("defs", ctypes.c_void_p), ("ndefs", ctypes.c_size_t),
                ("ncon", ctypes.c_size_t), ("con", ctypes.c_void_p), ("con_expr", ctypes.c_void_p),
                ("has_bounds", ctypes.c_int)]


class SemStats(ctypes.Structure):
    _fields_ = [("ngroups", ctypes.c_size_t), ("nvar", ctypes.c_size_t),
                ("var", c_char_pp), ("group_label", c_char_pp),
                ("n", c_double_p), ("mean", c_double_p), ("cov", c_double_p)]


class SemFitOptions(ctypes.Structure):
    _fields_ = [("likelihood", ctypes.c_int), ("ci_level", ctypes.c_double),
                ("max_iter", ctypes.c_int), ("estimator", ctypes.c_int),
                ("missing", ctypes.c_int), ("information", ctypes.c_int),
                ("se", ctypes.c_int), ("test", ctypes.c_int)]


# (C field, fitMeasures() name) in the program's --fit order
MEASURES = [("npar", "npar"), ("fmin", "fmin"), ("chisq", "chisq"), ("df", "df"),
            ("pvalue", "pvalue"), ("baseline_chisq", "baseline.chisq"),
            ("baseline_df", "baseline.df"), ("baseline_pvalue", "baseline.pvalue"),
            ("cfi", "cfi"), ("tli", "tli"), ("logl", "logl"),
            ("unrestricted_logl", "unrestricted.logl"), ("aic", "aic"), ("bic", "bic"),
            ("ntotal", "ntotal"), ("bic2", "bic2"), ("rmsea", "rmsea"),
            ("rmsea_ci_lower", "rmsea.ci.lower"), ("rmsea_ci_upper", "rmsea.ci.upper"),
            ("rmsea_pvalue", "rmsea.pvalue"), ("srmr", "srmr"),
            ("nnfi", "nnfi"), ("rfi", "rfi"), ("nfi", "nfi"), ("pnfi", "pnfi"), ("ifi", "ifi"),
            ("rni", "rni"), ("mfi", "mfi"), ("ecvi", "ecvi"), ("cn_05", "cn_05"), ("cn_01", "cn_01")]


class SemMeasures(ctypes.Structure):
    _fields_ = [(c, ctypes.c_double) for c, _ in MEASURES] + [("chisq_group", c_double_p)]


class SemFit(ctypes.Structure):
    _fields_ = [("model", ctypes.POINTER(SemModel)), ("fit", SemMeasures),
                ("x", c_double_p), ("vcov", c_double_p), ("iterations", ctypes.c_size_t),
                ("gradient_norm", ctypes.c_double), ("optimizer", ctypes.c_char_p),
                ("converged", ctypes.c_int), ("admissible", ctypes.c_int),
                ("info_ratio", ctypes.c_double), ("nwarnings", ctypes.c_size_t),
                ("warnings", ctypes.POINTER(ctypes.c_char_p))]


# ---- loading ----------------------------------------------------------------

def _candidates():
    env = os.environ.get("VAGAP_LIBRARY")
    if env:
        return [env]  # an explicit choice is not second-guessed
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.normpath(os.path.join(here, "..", "..", ".."))
    found = [os.path.join(root, d, "libvagap.so") for d in ("build-shared", "build")]
    found = [p for p in found if os.path.exists(p)]
    found += ["libvagap.so.0", "libvagap.so"]
    system = ctypes.util.find_library("vagap")
    if system:
        found.append(system)
    return found


def _load():
    tried = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            tried.append("%s (%s)" % (path, e))
    raise ImportError("vagap: libvagap.so not found; set VAGAP_LIBRARY to its path or build it with "
                      "cmake -S . -B build-shared -DBUILD_SHARED_LIBS=ON. Tried: " + "; ".join(tried))


lib, path = _load()


def _proto(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


P = ctypes.POINTER
ERR = P(Error)
_proto("vagap_init", None)
_proto("vagap_version", ctypes.c_char_p)
_proto("vagap_strerror", ctypes.c_char_p, ctypes.c_int)
_proto("vagap_error_clear", None, ERR)
_proto("vagap_alternative_name", ctypes.c_char_p, ctypes.c_int)
_proto("vagap_alternative_parse", ctypes.c_int, ctypes.c_char_p, P(ctypes.c_int), ERR)
_proto("vagap_ttest_method_name", ctypes.c_char_p, ctypes.c_int)
_proto("vagap_ttest_options_init", None, P(TtestOptions))
_proto("vagap_stats_ttest_one", ctypes.c_int, c_double_p, ctypes.c_size_t, P(TtestOptions),
       P(Ttest), ERR)
_proto("vagap_stats_ttest_paired", ctypes.c_int, c_double_p, c_double_p, ctypes.c_size_t,
       P(TtestOptions), P(Ttest), ERR)
_proto("vagap_stats_ttest_two", ctypes.c_int, c_double_p, ctypes.c_size_t, c_double_p,
       ctypes.c_size_t, ctypes.c_int, P(TtestOptions), P(Ttest), ERR)
_proto("vagap_cor_options_init", None, P(CorOptions))
_proto("vagap_cor_method_name", ctypes.c_char_p, ctypes.c_int)
_proto("vagap_stats_cor", ctypes.c_int, c_double_p, c_double_p, ctypes.c_size_t, P(CorOptions),
       P(Cor), ERR)
_proto("vagap_sem_op_string", ctypes.c_char_p, ctypes.c_int)
_proto("vagap_sem_syntax_parse", ctypes.c_int, P(ctypes.c_void_p), ctypes.c_char_p,
       ctypes.c_char_p, ERR)
_proto("vagap_sem_syntax_free", None, ctypes.c_void_p)
_proto("vagap_sem_group_equal_parse", ctypes.c_int, ctypes.c_char_p, P(ctypes.c_uint), ERR)
_proto("vagap_sem_model_options_init", None, P(SemModelOptions))
_proto("vagap_sem_model_build", ctypes.c_int, P(P(SemModel)), ctypes.c_void_p, ctypes.c_size_t,
       P(SemModelOptions), ctypes.c_char_p, ERR)
_proto("vagap_sem_model_free", None, P(SemModel))
_proto("vagap_sem_model_add_constraints", ctypes.c_int, P(SemModel), ctypes.c_void_p, ctypes.c_char_p,
       ERR)
_proto("vagap_sem_stats_alloc", ctypes.c_int, P(P(SemStats)), ctypes.c_size_t, ctypes.c_size_t,
       c_char_pp, c_char_pp, ERR)
_proto("vagap_sem_stats_free", None, P(SemStats))
_proto("vagap_sem_stats_compute", ctypes.c_int, P(SemStats), c_double_p, c_size_p,
       ctypes.c_size_t, ERR)
_proto("vagap_sem_fit_options_init", None, P(SemFitOptions))
_proto("vagap_sem_fit", ctypes.c_int, P(P(SemFit)), P(SemModel), P(SemStats), P(SemFitOptions),
       ERR)
_proto("vagap_sem_fit_free", None, P(SemFit))
lib.vagap_init()

# ---- layout check -------------------------------------------------------------

# every structure mirrored above, with its C name
MIRRORED = [(Error, "vagap_error_t"), (TtestOptions, "vagap_ttest_options_t"),
            (EffectSize, "vagap_effect_size_t"), (Ttest, "vagap_ttest_t"),
            (CorOptions, "vagap_cor_options_t"), (Cor, "vagap_cor_t"),
            (SemModelOptions, "vagap_sem_model_options_t"), (SemParam, "vagap_sem_param_t"),
            (SemModel, "vagap_sem_model_t"), (SemStats, "vagap_sem_stats_t"),
            (SemFitOptions, "vagap_sem_fit_options_t"), (SemMeasures, "vagap_sem_measures_t"),
            (SemFit, "vagap_sem_fit_t")]


def layout_mismatches(pairs):
    """(ctypes class, C name) pairs whose sizes differ from the loaded library's, as messages."""
    size = lib.vagap_struct_size
    out = []
    for cls, name in pairs:
        c = size(name.encode())
        if c != ctypes.sizeof(cls):
            out.append("%s is %s in the library, %d bytes in vagap/_lib.py"
                       % (name, "%d bytes" % c if c else "unknown", ctypes.sizeof(cls)))
    return out


def _check_layout():
    if not hasattr(lib, "vagap_struct_size"):
        raise ImportError("vagap: %s has no vagap_struct_size: the library is older than this "
                          "package; use the libvagap built from the same sources" % path)
    _proto("vagap_struct_size", ctypes.c_size_t, ctypes.c_char_p)
    bad = layout_mismatches(MIRRORED)
    if bad:
        raise ImportError("vagap: the structures mirrored in src/python/vagap/_lib.py do not match "
                          "the library %s (update them from include/vagap/*.h): %s"
                          % (path, "; ".join(bad)))


_check_layout()
