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
VAGAP_EDOMAIN = 8
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
                ("constraints_source", ctypes.c_char_p),
                ("ordered", c_char_pp), ("ordered_nth", ctypes.POINTER(ctypes.c_int)),
                ("n_ordered", ctypes.c_size_t), ("parameterization_theta", ctypes.c_int)]


class SemParam(ctypes.Structure):
    _fields_ = [("lhs", ctypes.c_char_p), ("op", ctypes.c_int), ("rhs", ctypes.c_char_p),
                ("block", ctypes.c_int), ("group", ctypes.c_int), ("label", ctypes.c_char_p),
                ("user", ctypes.c_int), ("exo", ctypes.c_int), ("free", ctypes.c_size_t),
                ("ustart", ctypes.c_double), ("lower", ctypes.c_double),
                ("upper", ctypes.c_double)] + \
               [(name, ctypes.c_double) for name in
                ["est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_lv", "std_all", "std_nox"]]


class SemModel(ctypes.Structure):
    _fields_ = [("nrows", ctypes.c_size_t), ("rows", ctypes.POINTER(SemParam)),
                ("ngroups", ctypes.c_size_t),
                ("nov", ctypes.c_size_t), ("ov", c_char_pp),
                ("ov_is_x", ctypes.POINTER(ctypes.c_int)), ("ov_exo", ctypes.POINTER(ctypes.c_int)),
                ("nlv", ctypes.c_size_t), ("lv", c_char_pp),
                ("npar", ctypes.c_size_t), ("meanstructure", ctypes.c_int),
                ("std_lv", ctypes.c_int), ("defs", ctypes.c_void_p), ("ndefs", ctypes.c_size_t),
                ("ncon", ctypes.c_size_t), ("con", ctypes.c_void_p), ("con_expr", ctypes.c_void_p),
                ("has_bounds", ctypes.c_int), ("parameterization_theta", ctypes.c_int)]


class SemStats(ctypes.Structure):
    _fields_ = [("ngroups", ctypes.c_size_t), ("nvar", ctypes.c_size_t),
                ("var", c_char_pp), ("group_label", c_char_pp),
                ("n", c_double_p), ("mean", c_double_p), ("cov", c_double_p)]


class SemFitOptions(ctypes.Structure):
    _fields_ = [("likelihood", ctypes.c_int), ("ci_level", ctypes.c_double),
                ("max_iter", ctypes.c_int), ("estimator", ctypes.c_int),
                ("missing", ctypes.c_int), ("information", ctypes.c_int),
                ("se", ctypes.c_int), ("test", ctypes.c_int), ("compute", ctypes.c_int)]


# (C field, fitMeasures() name): vagap_sem_measures_t's doubles before chisq_group
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

# the doubles after chisq_group (robust ML and the rest of fitMeasures())
MEASURES_MORE = [
    ("chisq_scaled", "chisq.scaled"), ("df_scaled", "df.scaled"), ("pvalue_scaled", "pvalue.scaled"),
    ("chisq_scaling_factor", "chisq.scaling.factor"), ("chisq_shift_parameter", "chisq.shift.parameter"),
    ("baseline_chisq_scaled", "baseline.chisq.scaled"), ("baseline_df_scaled", "baseline.df.scaled"),
    ("baseline_pvalue_scaled", "baseline.pvalue.scaled"),
    ("baseline_chisq_scaling_factor", "baseline.chisq.scaling.factor"),
    ("cfi_scaled", "cfi.scaled"), ("tli_scaled", "tli.scaled"), ("cfi_robust", "cfi.robust"),
    ("tli_robust", "tli.robust"), ("nnfi_scaled", "nnfi.scaled"), ("rfi_scaled", "rfi.scaled"),
    ("nfi_scaled", "nfi.scaled"), ("pnfi_scaled", "pnfi.scaled"), ("ifi_scaled", "ifi.scaled"),
    ("rni_scaled", "rni.scaled"), ("nnfi_robust", "nnfi.robust"), ("rni_robust", "rni.robust"),
    ("scaling_factor_h1", "scaling.factor.h1"), ("scaling_factor_h0", "scaling.factor.h0"),
    ("rmsea_scaled", "rmsea.scaled"), ("rmsea_ci_lower_scaled", "rmsea.ci.lower.scaled"),
    ("rmsea_ci_upper_scaled", "rmsea.ci.upper.scaled"), ("rmsea_pvalue_scaled", "rmsea.pvalue.scaled"),
    ("rmsea_notclose_pvalue_scaled", "rmsea.notclose.pvalue.scaled"),
    ("rmsea_robust", "rmsea.robust"), ("rmsea_ci_lower_robust", "rmsea.ci.lower.robust"),
    ("rmsea_ci_upper_robust", "rmsea.ci.upper.robust"), ("rmsea_pvalue_robust", "rmsea.pvalue.robust"),
    ("rmsea_notclose_pvalue_robust", "rmsea.notclose.pvalue.robust"),
    ("rmsea_notclose_pvalue", "rmsea.notclose.pvalue"),
    ("rmr", "rmr"), ("rmr_nomean", "rmr_nomean"), ("srmr_bentler", "srmr_bentler"),
    ("srmr_bentler_nomean", "srmr_bentler_nomean"), ("crmr", "crmr"), ("crmr_nomean", "crmr_nomean"),
    ("srmr_mplus", "srmr_mplus"), ("srmr_mplus_nomean", "srmr_mplus_nomean"),
    ("gfi", "gfi"), ("agfi", "agfi"), ("pgfi", "pgfi")]

class SemMeasures(ctypes.Structure):
    _fields_ = ([(c, ctypes.c_double) for c, _ in MEASURES] + [("chisq_group", c_double_p)] +
                [(c, ctypes.c_double) for c, _ in MEASURES_MORE] +
                [("chisq_group_scaled", c_double_p), ("test", ctypes.c_int)])


class SemFit(ctypes.Structure):
    """Its fields are set at import (_check_layout): the embedded measures may have grown."""


SEM_FIT_HEAD = [("model", ctypes.POINTER(SemModel)), ("fit", SemMeasures)]
SEM_FIT_TAIL = [("x", c_double_p), ("vcov", c_double_p), ("iterations", ctypes.c_size_t),
                ("gradient_norm", ctypes.c_double), ("optimizer", ctypes.c_char_p),
                ("converged", ctypes.c_int), ("admissible", ctypes.c_int),
                ("info_ratio", ctypes.c_double), ("nwarnings", ctypes.c_size_t),
                ("warnings", ctypes.POINTER(ctypes.c_char_p)), ("options", SemFitOptions),
                ("nstage1", ctypes.c_size_t), ("stage1_name", ctypes.POINTER(ctypes.c_char_p)),
                ("stage1_est", c_double_p), ("stage1_se", c_double_p)]


class SemMeasure(ctypes.Structure):  # vagap_sem_measure_t: one row of vagap_sem_fit_measure_list
    _fields_ = [("name", ctypes.c_char * 48), ("value", ctypes.c_double)]


class SemRows(ctypes.Structure):  # vagap_sem_rows_t (sem_rows.h)
    _fields_ = [("ngroups", ctypes.c_size_t), ("labels", c_char_pp), ("nobs", ctypes.c_size_t),
                ("nvar", ctypes.c_size_t), ("x", c_double_p), ("group", c_size_p),
                ("var", c_char_pp), ("stats", ctypes.c_void_p), ("missing", ctypes.c_int)]


# ---- table.h, ledger.h --------------------------------------------------------

class TableOptions(ctypes.Structure):
    _fields_ = [("delim", ctypes.c_char), ("na", ctypes.c_char_p),
                ("max_field_bytes", ctypes.c_size_t), ("max_row_bytes", ctypes.c_size_t),
                ("max_columns", ctypes.c_size_t), ("segment_bytes", ctypes.c_size_t),
                ("threads", ctypes.c_size_t), ("infer_numbers", ctypes.c_int),
                ("input_format", ctypes.c_int), ("exclude_bad_rows", ctypes.c_int),
                ("encoding", ctypes.c_char_p), ("decimal_comma", ctypes.c_int),
                ("warn", ctypes.c_void_p), ("warn_ctx", ctypes.c_void_p),
                ("progress", ctypes.c_void_p), ("progress_ctx", ctypes.c_void_p)]


COLUMN_DOUBLE, COLUMN_INT, COLUMN_LOGICAL, COLUMN_STRING, COLUMN_FACTOR = range(5)


class Column(ctypes.Structure):  # vagap_column_t
    _fields_ = [("name", ctypes.c_char_p), ("type", ctypes.c_int),
                ("numbers", c_double_p), ("integers", ctypes.POINTER(ctypes.c_int)),
                ("na_integer", ctypes.c_int), ("strings", c_char_pp),
                ("nlevels", ctypes.c_size_t)]


class Exclusion(ctypes.Structure):
    _fields_ = [("source", ctypes.c_size_t), ("line", ctypes.c_long), ("reason", ctypes.c_char_p)]


# ---- stats.h (proportions), scale.h ---------------------------------------------

class PropOptions(ctypes.Structure):
    _fields_ = [("alternative", ctypes.c_int), ("conf_level", ctypes.c_double),
                ("p0", ctypes.c_double)]


class Prop(ctypes.Structure):
    _fields_ = [("alternative", ctypes.c_int), ("conf_level", ctypes.c_double),
                ("p0", ctypes.c_double), ("x", ctypes.c_size_t), ("n", ctypes.c_size_t)] + \
               [(name, ctypes.c_double) for name in
                ["estimate", "std_error", "conf_low", "conf_high", "exact_low", "exact_high",
                 "p_value", "log10_p"]]


class Alpha(ctypes.Structure):
    _fields_ = [("k", ctypes.c_size_t), ("n", ctypes.c_size_t), ("n_excluded", ctypes.c_size_t),
                ("alpha", ctypes.c_double), ("alpha_std", ctypes.c_double),
                ("mean_r", ctypes.c_double)]


class Omega(ctypes.Structure):
    _fields_ = [("k", ctypes.c_size_t), ("n", ctypes.c_size_t), ("n_excluded", ctypes.c_size_t)] + \
               [(name, ctypes.c_double) for name in ["omega", "cfi", "rmsea", "chisq", "df"]]


class ScaleKey(ctypes.Structure):
    _fields_ = [("nitems", ctypes.c_size_t), ("nscales", ctypes.c_size_t),
                ("item_scale", ctypes.POINTER(ctypes.c_long)),
                ("item_reverse", ctypes.POINTER(ctypes.c_int)),
                ("min", ctypes.c_double), ("max", ctypes.c_double), ("min_items", ctypes.c_size_t)]


# ---- study.h ------------------------------------------------------------------

class StudyUnits(ctypes.Structure):
    _fields_ = [("n", ctypes.c_size_t), ("cap", ctypes.c_size_t), ("names", c_char_pp)]


class StudyWordLists(ctypes.Structure):  # vagap_study_word_lists_t
    _fields_ = [("positive", c_char_pp), ("negative", c_char_pp), ("npositive", ctypes.c_size_t),
                ("nnegative", ctypes.c_size_t)]


class StudyChoiceOptions(ctypes.Structure):
    _fields_ = [("unit", ctypes.c_char_p), ("choice", ctypes.c_char_p),
                ("prosocial", ctypes.c_char_p), ("selfish", ctypes.c_char_p)]


class StudyChoices(ctypes.Structure):
    _fields_ = [("units", StudyUnits), ("prosocial", c_size_p), ("selfish", c_size_p),
                ("other", c_size_p)]


class StudyProp(ctypes.Structure):
    _fields_ = [("choices", StudyChoices), ("status", ctypes.POINTER(ctypes.c_int)),
                ("test", ctypes.POINTER(Prop)), ("p_adjusted", c_double_p),
                ("nok", ctypes.c_size_t)]


class StudyKey(ctypes.Structure):
    _fields_ = [("table", ctypes.c_void_p), ("nitems", ctypes.c_size_t),
                ("nscales", ctypes.c_size_t), ("item", c_char_pp), ("scale", c_char_pp),
                ("item_scale", ctypes.POINTER(ctypes.c_long)),
                ("item_reverse", ctypes.POINTER(ctypes.c_int))]


class StudyRuns(ctypes.Structure):
    _fields_ = [("nruns", ctypes.c_size_t), ("nunits", ctypes.c_size_t),
                ("run_unit", c_char_pp), ("run_name", c_char_pp), ("run_unit_idx", c_size_p),
                ("unit_name", c_char_pp), ("resp", c_double_p), ("labels", ctypes.c_char_p)]


class StudyLongColumns(ctypes.Structure):
    _fields_ = [("unit", ctypes.c_char_p), ("run", ctypes.c_char_p), ("item", ctypes.c_char_p),
                ("response", ctypes.c_char_p), ("run_required", ctypes.c_int),
                ("unit_required", ctypes.c_int)]


class StudyScores(ctypes.Structure):
    _fields_ = [("nscales", ctypes.c_size_t),
                ("run_score", c_double_p), ("answered", c_size_p),
                ("unit_score", c_double_p), ("unit_sd", c_double_p),
                ("unit_runs", c_size_p), ("unit_missing", c_size_p)]


class StudyScore(ctypes.Structure):
    _fields_ = [("runs", StudyRuns), ("scores", StudyScores)]


# ---- tidy.h, gap.h ----------------------------------------------------------------

class TidyRow(ctypes.Structure):
    _fields_ = [("group", ctypes.c_char_p), ("term", ctypes.c_char_p), ("by", ctypes.c_char_p),
                ("level", ctypes.c_char_p)] + \
               [(name, ctypes.c_double) for name in
                ["estimate", "std_error", "statistic", "df", "p_value", "conf_low", "conf_high"]] + \
               [("n", ctypes.c_size_t), ("rank", ctypes.c_double), ("method", ctypes.c_char_p)]


class Tidy(ctypes.Structure):
    _fields_ = [("n", ctypes.c_size_t), ("cap", ctypes.c_size_t), ("rows", ctypes.POINTER(TidyRow)),
                ("nstrings", ctypes.c_size_t), ("strings_cap", ctypes.c_size_t),
                ("strings", c_char_pp), ("nnotes", ctypes.c_size_t), ("notes", c_char_pp)]


class GapOptions(ctypes.Structure):
    _fields_ = [(name, ctypes.c_double) for name in
                ["tau", "behavior_cut", "iat_null", "behavior_null", "conf_level"]]


class GapMeasure(ctypes.Structure):
    _fields_ = [("n", ctypes.c_size_t), ("units", c_char_pp), ("values", c_double_p)]


class GapData(ctypes.Structure):
    _fields_ = [("n", ctypes.c_size_t), ("units", c_char_pp), ("iat", c_double_p),
                ("behavior", c_double_p), ("selfreport", c_double_p), ("prosocial", c_size_p),
                ("valid", c_size_p)]


class GapJoined(ctypes.Structure):
    _fields_ = [("n", ctypes.c_size_t), ("units", c_char_pp), ("iat", c_double_p),
                ("behavior", c_double_p), ("selfreport", c_double_p)]


class GapUnit(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("iat", ctypes.c_double), ("behavior", ctypes.c_double),
                ("selfreport", ctypes.c_double), ("gap", ctypes.c_double),
                ("complete", ctypes.c_int), ("missing", ctypes.c_int),
                ("overclaiming", ctypes.c_int), ("quadrant", ctypes.c_int)]


class GapDescribe(ctypes.Structure):
    _fields_ = [("n", ctypes.c_size_t)] + \
               [(name, ctypes.c_double) for name in ["mean", "sd", "min", "max"]]


class Gap(ctypes.Structure):
    _fields_ = [("opt", GapOptions), ("has_iat", ctypes.c_int), ("has_counts", ctypes.c_int),
                ("n_units", ctypes.c_size_t), ("n_complete", ctypes.c_size_t),
                ("n_excluded", ctypes.c_size_t), ("units", ctypes.POINTER(GapUnit)),
                ("iat", GapDescribe), ("behavior", GapDescribe), ("selfreport", GapDescribe),
                ("gap", GapDescribe), ("paired", Ttest), ("paired_status", ctypes.c_int),
                ("n_overclaiming", ctypes.c_size_t), ("overclaiming", Prop),
                ("overclaiming_status", ctypes.c_int),
                ("quadrant_n", ctypes.c_size_t * 4), ("quadrant", Prop * 4),
                ("quadrant_status", ctypes.c_int * 4), ("cor", Cor * 3),
                ("cor_status", ctypes.c_int * 3), ("iat_test", Ttest),
                ("iat_test_status", ctypes.c_int), ("behavior_test", Ttest),
                ("behavior_test_status", ctypes.c_int), ("pooled_behavior", Prop),
                ("pooled_status", ctypes.c_int)]


# ---- iat.h (association counts), study.h ------------------------------------------

class IatAssocOptions(ctypes.Structure):
    _fields_ = [("smoothing", ctypes.c_double), ("empty_rule", ctypes.c_int)]


class IatMoments(ctypes.Structure):
    _fields_ = [("n", ctypes.c_double), ("mean", ctypes.c_double), ("m2", ctypes.c_double)]


class IatCounts(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in "abcd"]


class IatAssocTrial(ctypes.Structure):
    _fields_ = [("unit", ctypes.c_char_p), ("trial", ctypes.c_char_p),
                ("unit_index", ctypes.c_size_t), ("counts", IatCounts),
                ("n_ignored", ctypes.c_size_t), ("n_other_target", ctypes.c_size_t),
                ("n_duplicate", ctypes.c_size_t), ("score", ctypes.c_double),
                ("valid", ctypes.c_int)]


class IatAssocUnit(ctypes.Structure):
    _fields_ = [("unit", ctypes.c_char_p), ("score", ctypes.c_double), ("sd", ctypes.c_double),
                ("sd_pop", ctypes.c_double)] + \
               [(name, ctypes.c_size_t) for name in
                ["n_trials", "n_valid", "n_invalid", "n_ignored", "n_other_target", "n_duplicate"]] + \
               [("moments", IatMoments)]


class StudyIatOptions(ctypes.Structure):
    _fields_ = [(name, ctypes.c_char_p) for name in
                ["unit", "trial", "word", "valence", "assigned", "focal", "contrast"]] + \
               [("scoring", IatAssocOptions)]


# ---- consistency.h ----------------------------------------------------------------

class ConsistencyOptions(ctypes.Structure):
    _fields_ = [(name, ctypes.c_char_p) for name in
                ["unit", "scenario", "choice", "score", "value", "enacted", "profile_score",
                 "condition", "correct", "a", "b"]] + \
               [("method_pearson", ctypes.c_int), ("method_spearman", ctypes.c_int),
                ("centre", ctypes.c_int), ("conf_level", ctypes.c_double)]


# ---- align.h (logs) ------------------------------------------------------------------

ALIGN_MAX_COLUMNS = 16  # VAGAP_ALIGN_MAX_COLUMNS


class AlignOptions(ctypes.Structure):  # vagap_align_options_t
    _fields_ = [("positive", ctypes.c_int), ("zero_division", ctypes.c_int)]


class AlignLogOptions(ctypes.Structure):
    _fields_ = [(name, ctypes.c_char_p) for name in ["model", "value", "prompt", "stated", "action"]] + \
               [("scenario", ctypes.c_char_p * ALIGN_MAX_COLUMNS), ("nscenario", ctypes.c_size_t),
                ("by", ctypes.c_char_p * ALIGN_MAX_COLUMNS), ("nby", ctypes.c_size_t),
                ("agree", ctypes.c_char_p), ("disagree", ctypes.c_char_p),
                ("measures", AlignOptions), ("per_scenario", ctypes.c_int)]


# ---- loading ----------------------------------------------------------------

# ---- vaar.h -----------------------------------------------------------------

class VaarPath(ctypes.Structure):
    _fields_ = [("lhs", ctypes.c_char_p), ("op", ctypes.c_char_p), ("rhs", ctypes.c_char_p),
                ("sign", ctypes.c_int), ("line", ctypes.c_long), ("column", ctypes.c_long)]


class VaarSpec(ctypes.Structure):
    _fields_ = [("n", ctypes.c_size_t), ("paths", ctypes.POINTER(VaarPath))]


class VaarEstimate(ctypes.Structure):
    _fields_ = [(k, ctypes.c_char_p) for k in ("group", "lhs", "op", "rhs")] + \
               [(k, ctypes.c_double) for k in ("est", "se", "pvalue", "ci_lower", "ci_upper", "std_all")]


class VaarPathResult(ctypes.Structure):
    _fields_ = [("group", ctypes.c_size_t), ("path", ctypes.c_size_t), ("est", VaarEstimate),
                ("expected", ctypes.c_int), ("observed", ctypes.c_int),
                ("agree_strict", ctypes.c_int), ("agree_sign", ctypes.c_int)]


class VaarGroupResult(ctypes.Structure):
    _fields_ = [("K", ctypes.c_size_t), ("k_strict", ctypes.c_size_t), ("k_sign", ctypes.c_size_t),
                ("vaar_strict", ctypes.c_double), ("vaar_sign", ctypes.c_double)]


class VaarResult(ctypes.Structure):
    _fields_ = [("alpha", ctypes.c_double), ("ngroups", ctypes.c_size_t), ("group_label", c_char_pp),
                ("groups", ctypes.POINTER(VaarGroupResult)), ("npaths", ctypes.c_size_t),
                ("paths", ctypes.POINTER(VaarPathResult))]


class VaarMarkers(ctypes.Structure):
    _fields_ = [("n", ctypes.c_size_t), ("latent", c_char_pp), ("indicator", c_char_pp),
                ("fixed", ctypes.POINTER(ctypes.c_int))]


class VaarOrientation(ctypes.Structure):
    _fields_ = [("n", ctypes.c_size_t), ("latent", c_char_pp), ("indicator", c_char_pp),
                ("storage", c_char_pp)]


class VaarOptions(ctypes.Structure):
    _fields_ = [("expect", ctypes.c_char_p), ("expect_table", ctypes.c_void_p),
                ("expect_source", ctypes.c_char_p), ("reference", ctypes.c_char_p),
                ("reference_alpha", ctypes.c_double), ("reference_hint", ctypes.c_char_p),
                ("orientation", ctypes.POINTER(VaarOrientation)), ("alpha", ctypes.c_double)]


class VaarAnalysis(ctypes.Structure):
    _fields_ = [("markers", VaarMarkers), ("nflipped", ctypes.c_size_t),
                ("spec", ctypes.POINTER(VaarSpec)), ("result", ctypes.POINTER(VaarResult))]


class SemData(ctypes.Structure):  # vagap_sem_data_t
    _fields_ = [("nobs", ctypes.c_size_t), ("nvar", ctypes.c_size_t), ("ngroups", ctypes.c_size_t),
                ("x", c_double_p), ("group", c_size_p), ("var", c_char_pp), ("group_label", c_char_pp)]


class SemBootOptions(ctypes.Structure):  # vagap_sem_boot_options_t
    _fields_ = [("B", ctypes.c_size_t), ("seed", ctypes.c_uint64), ("threads", ctypes.c_uint),
                ("progress", ctypes.c_void_p), ("progress_ctx", ctypes.c_void_p),
                ("b_from", ctypes.c_size_t), ("b_to", ctypes.c_size_t)]


class SemBoot(ctypes.Structure):  # vagap_sem_boot_t
    _fields_ = [("B", ctypes.c_size_t), ("nrows", ctypes.c_size_t), ("nok", ctypes.c_size_t),
                ("nfailed", ctypes.c_size_t), ("failed_by_status", ctypes.c_size_t * 12),
                ("ok", ctypes.POINTER(ctypes.c_int)), ("est", c_double_p), ("se", c_double_p),
                ("pvalue", c_double_p), ("std_all", c_double_p), ("nwarned", ctypes.c_size_t),
                ("nwarn_kinds", ctypes.c_size_t), ("warn_kind", c_char_pp), ("warn_count", c_size_p)]


class VaarBoot(ctypes.Structure):  # vagap_vaar_boot_t
    _fields_ = [("ngroups", ctypes.c_size_t), ("npaths", ctypes.c_size_t), ("nused", ctypes.c_size_t),
                ("nfailed", ctypes.c_size_t)] + \
               [(k, c_double_p) for k in ("est_lower", "est_upper", "share_strict", "share_sign",
                                          "vaar_strict_lower", "vaar_strict_upper", "vaar_sign_lower",
                                          "vaar_sign_upper")]


class ReportOptions(ctypes.Structure):  # vagap_report_options_t (vagap/report.h)
    _fields_ = [(k, ctypes.c_char_p) for k in ("title", "source", "unit", "prosocial", "selfish",
                                               "selfreport_scale")] + \
               [(k, ctypes.c_double) for k in ("scale_min", "scale_max", "iat_smoothing")] + \
               [("tables_extension", ctypes.c_char_p)]


class StudyScaleOptions(ctypes.Structure):  # vagap_study_scale_options_t
    _fields_ = [(k, ctypes.c_char_p) for k in ("unit", "run", "item", "response", "key_item",
                                               "key_scale", "key_reverse")] + \
               [("min", ctypes.c_double), ("max", ctypes.c_double), ("min_items", ctypes.c_size_t)]


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
_proto("vagap_sem_fit_measure_list", ctypes.c_size_t, P(SemFit), P(SemMeasure), ctypes.c_size_t)
_proto("vagap_sem_call_new", ctypes.c_int, P(ctypes.c_void_p), ctypes.c_char_p, ERR)
_proto("vagap_sem_call_set", ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ERR)
_proto("vagap_sem_call_fit", ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p,
       ctypes.c_char_p, ctypes.c_void_p, P(P(SemFit)), P(SemRows), ERR)
_proto("vagap_sem_call_nnotes", ctypes.c_size_t, ctypes.c_void_p)
_proto("vagap_sem_call_note", ctypes.c_char_p, ctypes.c_void_p, ctypes.c_size_t)
_proto("vagap_sem_call_free", None, ctypes.c_void_p)
_proto("vagap_sem_rows_free", None, P(SemRows))
_proto("vagap_sem_rows_view", SemData, P(SemRows))
_proto("vagap_sem_call_model", P(SemModel), ctypes.c_void_p)
_proto("vagap_sem_call_fit_options", P(SemFitOptions), ctypes.c_void_p)
_proto("vagap_sem_boot_options_init", None, P(SemBootOptions))
_proto("vagap_sem_bootstrap", ctypes.c_int, P(P(SemBoot)), P(SemModel), P(SemData), P(SemFitOptions),
       P(SemBootOptions), ERR)
_proto("vagap_sem_boot_free", None, P(SemBoot))
VP = ctypes.c_void_p
_proto("vagap_table_options_init", None, P(TableOptions))
_proto("vagap_reader_open_memory", ctypes.c_int, P(VP), ctypes.c_char_p, ctypes.c_char_p,
       ctypes.c_size_t, P(TableOptions), VP, ERR)
_proto("vagap_reader_close", None, VP)
_proto("vagap_table_read_memory", ctypes.c_int, P(VP), ctypes.c_char_p, ctypes.c_char_p,
       ctypes.c_size_t, P(TableOptions), VP, ERR)
_proto("vagap_table_from_columns", ctypes.c_int, P(VP), ctypes.c_char_p, P(Column), ctypes.c_size_t,
       ctypes.c_size_t, P(TableOptions), VP, ERR)
_proto("vagap_table_free", None, VP)
_proto("vagap_table_column", ctypes.c_int, VP, ctypes.c_char_p, c_size_p, ERR)
_proto("vagap_ledger_alloc", VP)
_proto("vagap_ledger_free", None, VP)
_proto("vagap_ledger_rows_excluded", ctypes.c_size_t, VP)
_proto("vagap_ledger_exclusion", P(Exclusion), VP, ctypes.c_size_t)
_proto("vagap_ledger_source_name", ctypes.c_char_p, VP, ctypes.c_size_t)
_proto("vagap_prop_options_init", None, P(PropOptions))
_proto("vagap_p_adjust_parse", ctypes.c_int, ctypes.c_char_p, P(ctypes.c_int), ERR)
_proto("vagap_study_prop_from", ctypes.c_int, VP, P(StudyChoiceOptions), P(PropOptions),
       ctypes.c_int, VP, P(StudyProp), ERR)
_proto("vagap_study_prop_table", ctypes.c_int, VP, P(StudyChoiceOptions), P(PropOptions),
       ctypes.c_int, VP, P(StudyProp), ERR)
_proto("vagap_study_prop_free", None, P(StudyProp))
_proto("vagap_study_key_from", ctypes.c_int, VP, ctypes.c_char_p, ctypes.c_char_p,
       ctypes.c_char_p, P(StudyKey), ERR)
_proto("vagap_study_key_free", None, P(StudyKey))
_proto("vagap_scale_key_check", ctypes.c_int, P(ScaleKey), ERR)
_proto("vagap_scale_pomp", ctypes.c_double, P(ScaleKey), ctypes.c_double)
_proto("vagap_scale_nitems", ctypes.c_size_t, P(ScaleKey), ctypes.c_size_t)
_proto("vagap_scale_alpha", ctypes.c_int, P(ScaleKey), c_double_p, ctypes.c_size_t,
       ctypes.c_size_t, P(Alpha), ERR)
_proto("vagap_scale_omega", ctypes.c_int, P(ScaleKey), c_double_p, ctypes.c_size_t,
       ctypes.c_size_t, P(Omega), ERR)
_proto("vagap_study_score", ctypes.c_int, P(StudyLongColumns), ctypes.c_int, P(StudyKey),
       P(ScaleKey), VP, VP, P(StudyScore), ERR)
_proto("vagap_study_score_free", None, P(StudyScore))
_proto("vagap_gap_options_init", None, P(GapOptions))
_proto("vagap_gap_options_check", ctypes.c_int, P(GapOptions), ERR)
_proto("vagap_gap_join", ctypes.c_int, P(GapMeasure), P(GapMeasure), P(GapMeasure), P(GapJoined), ERR)
_proto("vagap_gap_joined_free", None, P(GapJoined))
_proto("vagap_gap_analyze", ctypes.c_int, P(GapData), P(GapOptions), P(Gap), ERR)
_proto("vagap_gap_free", None, P(Gap))
_proto("vagap_gap_tidy", ctypes.c_int, P(Gap), P(Tidy), ERR)
_proto("vagap_gap_plot_svg", ctypes.c_int, ctypes.c_void_p, P(Gap), ctypes.c_char_p)
_proto("vagap_report_options_init", None, P(ReportOptions))
_proto("vagap_report_markdown", ctypes.c_int, ctypes.c_void_p, P(Gap), ctypes.c_void_p, ctypes.c_void_p,
       P(ReportOptions))
_proto("vagap_gap_missing_names", None, ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t)
_proto("vagap_gap_quadrant_name", ctypes.c_char_p, ctypes.c_int)
_proto("vagap_tidy_free", None, P(Tidy))
_proto("vagap_vaar_options_init", None, P(VaarOptions))
_proto("vagap_vaar_orientation_parse", ctypes.c_int, P(VaarOrientation), ctypes.c_char_p, ERR)
_proto("vagap_vaar_orientation_clear", None, P(VaarOrientation))
_proto("vagap_vaar_analyse", ctypes.c_int, P(VaarAnalysis), P(VaarEstimate), ctypes.c_size_t,
       P(VaarOptions), ERR)
_proto("vagap_vaar_analysis_clear", None, P(VaarAnalysis))
_proto("vagap_vaar_bootstrap", ctypes.c_int, P(P(VaarBoot)), P(VaarSpec), P(VaarEstimate), ctypes.c_size_t,
       c_size_p, P(SemBoot), c_char_pp, c_char_pp, ctypes.c_size_t, ctypes.c_double, ctypes.c_double, ERR)
_proto("vagap_vaar_boot_free", None, P(VaarBoot))
_proto("vagap_vaar_sign_text", ctypes.c_char_p, ctypes.c_int)
_proto("vagap_study_scale_options_init", None, P(StudyScaleOptions))
_proto("vagap_study_choice_options_init", None, P(StudyChoiceOptions))
_proto("vagap_study_read_choices_from", ctypes.c_int, VP, P(StudyChoiceOptions), VP,
       P(StudyChoices), ERR)
_proto("vagap_study_read_choices_table", ctypes.c_int, VP, P(StudyChoiceOptions), VP,
       P(StudyChoices), ERR)
_proto("vagap_study_choices_free", None, P(StudyChoices))
_proto("vagap_study_scale_from", ctypes.c_int, VP, VP, P(StudyScaleOptions), VP, VP, ERR)
_proto("vagap_study_scale_free", None, VP)
_proto("vagap_study_gap", ctypes.c_int, VP, P(StudyChoices), VP, ctypes.c_char_p, ctypes.c_size_t,
       P(GapOptions), P(Gap), ERR)
_proto("vagap_study_iat_options_init", None, P(StudyIatOptions))
_proto("vagap_iat_assoc_preset", ctypes.c_int, P(IatAssocOptions), ctypes.c_char_p, ERR)
_proto("vagap_study_lists_overlap", ctypes.c_int, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
       ctypes.c_size_t, ERR)
_proto("vagap_study_read_iat_from", ctypes.c_int, VP, P(StudyIatOptions), VP, P(VP), ERR)
_proto("vagap_study_read_iat_table", ctypes.c_int, VP, P(StudyIatOptions), P(StudyWordLists), VP, P(VP),
       ERR)
_proto("vagap_study_word_lists_init", ctypes.c_int, P(StudyWordLists), c_char_pp, ctypes.c_size_t,
       c_char_pp, ctypes.c_size_t, ERR)
_proto("vagap_study_word_lists_free", None, P(StudyWordLists))
_proto("vagap_iat_assoc_nunits", ctypes.c_size_t, VP)
_proto("vagap_iat_assoc_ntrials", ctypes.c_size_t, VP)
_proto("vagap_iat_assoc_unit", None, VP, ctypes.c_size_t, P(IatAssocUnit))
_proto("vagap_iat_assoc_trial", None, VP, ctypes.c_size_t, P(IatAssocTrial))
_proto("vagap_iat_assoc_free", None, VP)
_proto("vagap_consistency_options_init", None, P(ConsistencyOptions))
for _mode in ("matrix", "roleplay"):
    _proto("vagap_consistency_%s_rows" % _mode, ctypes.c_int, VP, P(ConsistencyOptions), VP,
           P(Tidy), ERR)
_proto("vagap_consistency_stated_enacted_rows", ctypes.c_int, VP, VP, P(ConsistencyOptions), VP,
       P(Tidy), ERR)
_proto("vagap_align_log_options_init", None, P(AlignLogOptions))
_proto("vagap_align_log_alloc", ctypes.c_int, P(VP), P(AlignLogOptions), ERR)
_proto("vagap_align_log_free", None, VP)
_proto("vagap_align_log_add", ctypes.c_int, VP, VP, VP, ERR)
_proto("vagap_align_log_rows", ctypes.c_int, VP, P(Tidy), ERR)
lib.vagap_init()

# ---- layout check -------------------------------------------------------------

# every structure mirrored above, with its C name
MIRRORED = [(Error, "vagap_error_t"), (Column, "vagap_column_t"),
            (TtestOptions, "vagap_ttest_options_t"),
            (EffectSize, "vagap_effect_size_t"), (Ttest, "vagap_ttest_t"),
            (CorOptions, "vagap_cor_options_t"), (Cor, "vagap_cor_t"),
            (SemModelOptions, "vagap_sem_model_options_t"), (SemParam, "vagap_sem_param_t"),
            (SemModel, "vagap_sem_model_t"), (SemStats, "vagap_sem_stats_t"),
            (SemFitOptions, "vagap_sem_fit_options_t"), (SemMeasures, "vagap_sem_measures_t"),
            (SemMeasure, "vagap_sem_measure_t"), (SemRows, "vagap_sem_rows_t"),
            (StudyWordLists, "vagap_study_word_lists_t"), (SemData, "vagap_sem_data_t"),
            (SemBootOptions, "vagap_sem_boot_options_t"), (SemBoot, "vagap_sem_boot_t"),
            (VaarBoot, "vagap_vaar_boot_t"),
            (SemFit, "vagap_sem_fit_t"), (TableOptions, "vagap_table_options_t"),
            (Exclusion, "vagap_exclusion_t"), (PropOptions, "vagap_prop_options_t"),
            (Prop, "vagap_prop_t"), (Alpha, "vagap_alpha_t"), (Omega, "vagap_omega_t"),
            (ScaleKey, "vagap_scale_key_t"), (StudyUnits, "vagap_study_units_t"),
            (StudyChoiceOptions, "vagap_study_choice_options_t"),
            (StudyChoices, "vagap_study_choices_t"), (StudyProp, "vagap_study_prop_t"),
            (StudyKey, "vagap_study_key_t"), (StudyRuns, "vagap_study_runs_t"),
            (StudyLongColumns, "vagap_study_long_columns_t"), (StudyScore, "vagap_study_score_t"),
            (StudyScores, "vagap_study_scores_t"),
            (TidyRow, "vagap_tidy_row_t"), (Tidy, "vagap_tidy_t"), (GapOptions, "vagap_gap_options_t"),
            (GapMeasure, "vagap_gap_measure_t"), (GapData, "vagap_gap_data_t"),
            (GapJoined, "vagap_gap_joined_t"), (GapUnit, "vagap_gap_unit_t"),
            (GapDescribe, "vagap_gap_describe_t"), (Gap, "vagap_gap_t"),
            (IatAssocOptions, "vagap_iat_assoc_options_t"), (IatMoments, "vagap_iat_moments_t"),
            (IatCounts, "vagap_iat_counts_t"), (IatAssocTrial, "vagap_iat_assoc_trial_t"),
            (IatAssocUnit, "vagap_iat_assoc_unit_t"), (StudyIatOptions, "vagap_study_iat_options_t"),
            (ConsistencyOptions, "vagap_consistency_options_t"),
            (AlignOptions, "vagap_align_options_t"), (AlignLogOptions, "vagap_align_log_options_t"),
            (VaarPath, "vagap_vaar_path_t"), (VaarSpec, "vagap_vaar_spec_t"),
            (VaarEstimate, "vagap_vaar_estimate_t"), (VaarPathResult, "vagap_vaar_path_result_t"),
            (VaarGroupResult, "vagap_vaar_group_result_t"), (VaarResult, "vagap_vaar_result_t"),
            (VaarMarkers, "vagap_vaar_markers_t"), (VaarOrientation, "vagap_vaar_orientation_t"),
            (VaarOptions, "vagap_vaar_options_t"), (VaarAnalysis, "vagap_vaar_analysis_t"),
            (StudyScaleOptions, "vagap_study_scale_options_t"), (ReportOptions, "vagap_report_options_t")]


# Structures that other work appends fields to: the library's may be larger than the
# mirror.  The mirrored fields keep their offsets, so Python reads them correctly and
# ignores the tail; instances it allocates get the library's size (new()), and where one
# is embedded (the measures in vagap_sem_fit_t) the tail is carried as padding.
APPENDABLE = {SemFitOptions: "vagap_sem_fit_options_t", SemMeasures: "vagap_sem_measures_t"}


def appended_bytes(cls):
    """Bytes the library's structure has beyond the mirror of an APPENDABLE class."""
    return lib.vagap_struct_size(APPENDABLE[cls].encode()) - ctypes.sizeof(cls)


def new(cls):
    """An instance of cls with room for fields the library appended beyond the mirror."""
    extra = appended_bytes(cls) if cls in APPENDABLE else 0
    room = bytearray(ctypes.sizeof(cls) + max(extra, 0))
    obj = cls.from_buffer(room)
    obj.room = room  # the whole buffer C may write (from_buffer keeps it alive too)
    return obj


def layout_mismatches(pairs):
    """(ctypes class, C name) pairs whose sizes differ from the loaded library's, as messages
    (an APPENDABLE class may be smaller than the library's, by whole 8-byte fields)."""
    size = lib.vagap_struct_size
    out = []
    for cls, name in pairs:
        c = size(name.encode())
        if cls in APPENDABLE and c > ctypes.sizeof(cls) and (c - ctypes.sizeof(cls)) % 8 == 0:
            continue
        if c != ctypes.sizeof(cls):
            out.append("%s is %s in the library, %d bytes in vagap/_lib.py"
                       % (name, "%d bytes" % c if c else "unknown", ctypes.sizeof(cls)))
    return out


def _check_layout():
    if not hasattr(lib, "vagap_struct_size"):
        raise ImportError("vagap: %s has no vagap_struct_size: the library is older than this "
                          "package; use the libvagap built from the same sources" % path)
    _proto("vagap_struct_size", ctypes.c_size_t, ctypes.c_char_p)
    grown = appended_bytes(SemMeasures)
    pad = [("_fit_appended", ctypes.c_char * grown)] if grown > 0 and grown % 8 == 0 else []
    SemFit._fields_ = SEM_FIT_HEAD + pad + SEM_FIT_TAIL
    bad = layout_mismatches(MIRRORED)
    if bad:
        raise ImportError("vagap: the structures mirrored in src/python/vagap/_lib.py do not match "
                          "the library %s (update them from include/vagap/*.h): %s"
                          % (path, "; ".join(bad)))


_check_layout()
