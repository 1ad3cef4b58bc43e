/*
 * vagap/sem.h - multi-group structural equation models by maximum likelihood.
 *
 * The reference is lavaan 0.6 (Rosseel 2012, J. Stat. Softw. 48(2)) with the
 * defaults of its sem()/cfa() functions; see doc METHODS.md section 6.
 *
 * Three steps, each with its own public type, so that they can run in
 * different places (the "seams" of ARCHITECTURE.md):
 *
 *   1. syntax -> vagap_sem_syntax_t      (vagap_sem_syntax_parse)
 *      lavaan's model syntax: =~  ~  ~~  ~1  :=  ==  <  >  with modifiers
 *      0*x, NA*x, a*x, "a"*x, c(...)*x, label(), equal(), start(), 0.5?x,
 *      fixed(), lower(), upper(), chained (c(a,b)*start(c(.5,.6))*x);
 *      anything else is rejected with its line, column and the name of the
 *      unsupported feature.
 *   2. syntax + number of groups -> vagap_sem_model_t (vagap_sem_model_build)
 *      lavaan's parameter table: defaults, markers, fixed.x, group.equal,
 *      shared labels = one free parameter, the row order of parTable().
 *   3. data -> vagap_sem_stats_t (per-group n, mean vector, covariance with
 *      divisor n); a plain, mergeable and serialisable record.
 *   4. model + stats -> vagap_sem_fit_t (vagap_sem_fit): estimates, standard
 *      errors from the expected information, standardised solutions and the
 *      fit measures with lavaan's names.
 *
 * Nothing here keeps global state: each vagap_sem_fit call allocates its own
 * workspace, so fits may run in parallel threads on shared read-only models
 * and statistics.
 */
#ifndef VAGAP_SEM_H
#define VAGAP_SEM_H

#include <stddef.h>
#include "vagap/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- syntax ------------------------------------------------------------- */

typedef enum {
  VAGAP_SEM_LOADING = 0,   /* f =~ x   latent variable definition */
  VAGAP_SEM_REGRESSION,    /* y ~ x */
  VAGAP_SEM_COVARIANCE,    /* x ~~ y   (co)variance, residual when endogenous */
  VAGAP_SEM_INTERCEPT,     /* x ~ 1    intercept or mean */
  VAGAP_SEM_DEFINED,       /* d := expr   defined parameter */
  VAGAP_SEM_CON_EQ,        /* e1 == e2    equality constraint */
  VAGAP_SEM_CON_LT,        /* e1 < e2     inequality constraint */
  VAGAP_SEM_CON_GT,        /* e1 > e2     inequality constraint */
  VAGAP_SEM_THRESHOLD,     /* y | t1      threshold of an ordered variable (rhs "t1", "t2", ...) */
  VAGAP_SEM_SCALE          /* y ~*~ y     scale factor of an ordered variable (delta parameterization) */
} vagap_sem_op_t;

/* 1 for ==, <, > (constraint statements, kept out of the parameter rows). */
int vagap_sem_op_is_constraint(vagap_sem_op_t op);

/* lavaan's spelling of an operator: "=~", "~", "~~", "~1", ":=", "==", "<", ">", "|", "~*~". */
const char *vagap_sem_op_string(vagap_sem_op_t op);

typedef enum {
  VAGAP_SEM_MOD_NONE = 0, /* c(a, , b): this group has no modifier */
  VAGAP_SEM_MOD_FIXED,    /* 1*x: fixed to value */
  VAGAP_SEM_MOD_FREE,     /* NA*x: free (overrides a default fixing) */
  VAGAP_SEM_MOD_LABEL     /* a*x: label; a repeated label means equality */
} vagap_sem_modkind_t;

/* The modifiers of one term for one group (or for all groups when nmod = 1).
   Chained modifiers (a*start(0.5)*x) fill several fields of one element. */
typedef struct {
  vagap_sem_modkind_t kind; /* FIXED/FREE from numbers, NA or fixed(); LABEL when only labelled */
  double value;  /* the fixed value for VAGAP_SEM_MOD_FIXED */
  char *label;   /* a*x, "a"*x, label("a"), equal("f=~x2"): the label, else NULL */
  double start;  /* start(v)* or v?x: starting value (lavaan's ustart), NAN if none */
  double lower, upper; /* lower(v)*, upper(v)*: bounds, -INFINITY/+INFINITY if none */
} vagap_sem_modifier_t;

/* One parsed relation after expanding `+` lists (one lhs, one rhs). */
typedef struct {
  char *lhs;
  vagap_sem_op_t op;
  char *rhs;                 /* "" for ~1; for := the expression, blanks removed;
                                for == < > lhs and rhs are both expressions */
  size_t nmod;               /* 0: no modifier; 1: for all groups; k: c(...) of length k */
  vagap_sem_modifier_t *mod;
  long line, column;         /* where the term starts in the model text (1-based) */
} vagap_sem_statement_t;

typedef struct vagap_sem_syntax {
  size_t n;
  vagap_sem_statement_t *st;
} vagap_sem_syntax_t;

/*
 * Parse lavaan model syntax.  `source` names the text in error messages (a
 * file name).  On success *out owns the result (vagap_sem_syntax_free).  On
 * failure returns VAGAP_EPARSE with err->line/column at the offending
 * character and a message naming the problem or the unsupported feature
 * (e.g. "thresholds (|) are not supported").
 */
vagap_status_t vagap_sem_syntax_parse(vagap_sem_syntax_t **out, const char *text,
                                      const char *source, vagap_error_t *err);
void vagap_sem_syntax_free(vagap_sem_syntax_t *syn); /* NULL is a no-op */

/* ---- model (parameter table) -------------------------------------------- */

/* group.equal flags (lavaan's names in vagap_sem_group_equal_parse). */
enum {
  VAGAP_SEM_EQ_LOADINGS = 1u << 0,
  VAGAP_SEM_EQ_INTERCEPTS = 1u << 1,
  VAGAP_SEM_EQ_REGRESSIONS = 1u << 2,
  VAGAP_SEM_EQ_RESIDUALS = 1u << 3,
  VAGAP_SEM_EQ_RESIDUAL_COVARIANCES = 1u << 4,
  VAGAP_SEM_EQ_LV_VARIANCES = 1u << 5,
  VAGAP_SEM_EQ_LV_COVARIANCES = 1u << 6,
  VAGAP_SEM_EQ_MEANS = 1u << 7,
  VAGAP_SEM_EQ_THRESHOLDS = 1u << 8
};

/*
 * Parse a comma-separated list such as "loadings,intercepts" into flags.
 * Unknown names give VAGAP_EINVAL with a message listing the known ones.
 */
vagap_status_t vagap_sem_group_equal_parse(const char *list, unsigned *flags,
                                           vagap_error_t *err);

typedef struct {
  int std_lv;            /* 1: latent variances fixed to 1, all loadings free */
  int fixed_x;           /* 1 (default): exogenous observed covariates fixed at sample values */
  int meanstructure;     /* -1 (default): on with groups or when the syntax has ~1 */
  int int_ov_free;       /* 1 (default): observed intercepts free; 0: fixed to 0 (growth()) */
  int int_lv_free;       /* 0 (default): latent means fixed to 0; 1: free (growth()) */
  int orthogonal;        /* 1: covariances of exogenous latents fixed to 0 (lavaan's orthogonal) */
  unsigned group_equal;  /* VAGAP_SEM_EQ_* */
  /* group.partial: parameters exempt from group_equal, written "lhs op rhs"
     (blanks ignored), e.g. "visual=~x2" or "x3~1". */
  const char *const *group_partial;
  size_t n_group_partial;
  /* lavaan's auto.* switches (lav_partable_flat), all 1 by default as in
     sem()/cfa()/growth(); lavaan() has them all 0 (with int_ov_free 0). */
  int auto_fix_first;    /* first loading of each latent fixed to 1 (ignored when std_lv) */
  int auto_fix_single;   /* with auto_var: a single indicator's residual variance fixed to 0 */
  int auto_var;          /* 0: (residual) variances not written in the syntax are fixed to 0 */
  int auto_cov_lv_x;     /* covariances among exogenous latents (0: not in the model) */
  int auto_cov_y;        /* covariances among endogenous latents and pure outcomes (0: none) */
  /* lavaan's constraints= argument: ==, <, > lines parsed from a text of
     their own (NULL: none), added to every model built with these options as
     vagap_sem_model_add_constraints does; errors are located in
     constraints_source.  Borrowed: must outlive the models. */
  const struct vagap_sem_syntax *constraints;
  const char *constraints_source;
  /* ordered (categorical) observed variables, lavaan's ordered=: names and
     their number of thresholds (categories - 1, read from the data).  Each
     gets threshold rows "y | t1", ..., its intercept fixed to 0, its residual
     variance fixed (delta parameterization) and a scale factor "y ~*~ y";
     the mean structure is on (lavaan's categorical defaults). */
  const char *const *ordered;
  const int *ordered_nth;
  size_t n_ordered;
  /* 1: lavaan's parameterization = "theta" (the ordered variables' residual
     variances are the parameters, fixed to 1 in the first group, and the
     scale factors follow from them); 0: "delta" (the default) */
  int parameterization_theta;
} vagap_sem_model_options_t;

void vagap_sem_model_options_init(vagap_sem_model_options_t *opt);

/* One row of the parameter table (lavaan's parTable()/parameterEstimates()). */
typedef struct {
  char *lhs;
  vagap_sem_op_t op;
  char *rhs;
  int block, group;   /* 1-based; 0 for := rows */
  char *label;        /* user label, ".pN." for group.equal, lhs for :=, else "" */
  int user;           /* 1 if written in the syntax */
  int exo;            /* 1 for fixed.x (co)variances and means of covariates */
  size_t free;        /* 0 = fixed; k = the k-th free parameter (shared by equal rows) */
  double ustart;      /* fixed rows: the value (NAN: taken from the sample for exo rows);
                         free rows: the user's starting value (start(), ?), NAN if none */
  double lower, upper; /* lower()/upper() bounds of a free row (-/+INFINITY if none) */
  /* filled by vagap_sem_fit (NAN where not applicable) */
  double est, se, z, pvalue, ci_lower, ci_upper, std_lv, std_all;
  double std_nox;     /* std.all without standardising the exogenous observed covariates */
} vagap_sem_param_t;

typedef struct vagap_sem_def vagap_sem_def_t; /* compiled := expression (private) */

/* A constraint lhs op rhs (op ==, < or >) over labels, := names and numbers,
   from the model syntax or from a constraints text (lavaan's constraints=). */
typedef struct {
  char *lhs, *rhs;        /* the two expressions as written, blanks removed */
  vagap_sem_op_t op;      /* VAGAP_SEM_CON_EQ, _LT or _GT */
  const char *source;     /* the text it came from (borrowed from the caller), for messages */
  long line, column;
  /* filled by vagap_sem_fit */
  double value;           /* lhs - rhs at the solution */
  int active;             /* inequality: 1 if binding at the solution (lavaan: slack <= 1e-5) */
} vagap_sem_constraint_t;

typedef struct {
  size_t nrows;
  vagap_sem_param_t *rows;   /* in lavaan's row order */
  size_t ngroups;
  size_t nov;  char **ov;    /* observed variables in lavaan's order (lavNames "ov") */
  int *ov_is_x;              /* 1 for exogenous observed covariates fixed at sample values (fixed.x) */
  int *ov_exo;               /* 1 for exogenous observed covariates, fixed or not (the baseline
                                model keeps their covariances, as lavaan's does) */
  size_t nlv;  char **lv;    /* latent variables in order of definition */
  size_t npar;               /* number of free parameters */
  int meanstructure;
  int std_lv;
  vagap_sem_def_t **defs;    /* one per := row, in row order (private) */
  size_t ndefs;
  size_t ncon;               /* constraints (==, <, >) in the order written */
  vagap_sem_constraint_t *con;
  vagap_sem_def_t **con_expr; /* per constraint: the compiled lhs - rhs (private) */
  int has_bounds;            /* 1 when some free row has a finite lower or upper bound */
  int parameterization_theta; /* ordered indicators: 1 theta, 0 delta (lavaan's parameterization=) */
} vagap_sem_model_t;

/*
 * Build the parameter table for `ngroups` groups.  Errors (c(...) of the
 * wrong length, a := that names an unknown label, an observed variable that
 * is also latent, ...) return VAGAP_EMODEL or VAGAP_EPARSE located at the
 * statement.  *out owns the result (vagap_sem_model_free).
 */
vagap_status_t vagap_sem_model_build(vagap_sem_model_t **out, const vagap_sem_syntax_t *syn,
                                     size_t ngroups, const vagap_sem_model_options_t *opt,
                                     const char *source, vagap_error_t *err);
void vagap_sem_model_free(vagap_sem_model_t *model); /* NULL is a no-op */

/*
 * Add the constraint lines of `syn` (only ==, <, > and := statements are
 * allowed there; lavaan's constraints= argument) to a built model.  Names
 * are labels of the model or := names.  Errors are located in `source`.
 */
vagap_status_t vagap_sem_model_add_constraints(vagap_sem_model_t *model,
                                               const vagap_sem_syntax_t *syn,
                                               const char *source, vagap_error_t *err);

/* ---- sufficient statistics ---------------------------------------------- */

/*
 * Per-group sample statistics: all the ML fit needs from complete data.
 * cov uses divisor n (the ML estimate); a record merges associatively with
 * vagap_sem_stats_merge, so shards can be reduced elsewhere.
 */
typedef struct {
  size_t ngroups, nvar;
  char **var;          /* nvar variable names */
  char **group_label;  /* ngroups labels */
  double *n;           /* [ngroups] number of observations (whole numbers) */
  double *mean;        /* [ngroups * nvar] */
  double *cov;         /* [ngroups * nvar * nvar], row-major, divisor n */
} vagap_sem_stats_t;

/* Allocate zeroed statistics with copies of the names (NULL labels: "1","2",...). */
vagap_status_t vagap_sem_stats_alloc(vagap_sem_stats_t **out, size_t ngroups, size_t nvar,
                                     const char *const *var, const char *const *group_label,
                                     vagap_error_t *err);
void vagap_sem_stats_free(vagap_sem_stats_t *stats); /* NULL is a no-op */

/*
 * Fill `stats` from complete data: x is nobs x nvar row-major, group[i] in
 * [0, ngroups).  Missing values (NAN) are an error (listwise deletion is the
 * caller's policy and must be recorded in its ledger).  A group with fewer
 * than 2 observations is VAGAP_EDOMAIN.
 */
vagap_status_t vagap_sem_stats_compute(vagap_sem_stats_t *stats, const double *x,
                                       const size_t *group, size_t nobs, vagap_error_t *err);

/* Merge `b` into `a` (same variables and groups): pooled n, mean, covariance. */
vagap_status_t vagap_sem_stats_merge(vagap_sem_stats_t *a, const vagap_sem_stats_t *b,
                                     vagap_error_t *err);

/*
 * Text form: lines "group,<label>,n,<n>", "group,<label>,mean,<v1>,...",
 * "group,<label>,cov,<row i>..." after a header line "vars,<name>,...".
 * Numbers are written with 17 significant digits (round trip).  *text is
 * malloc'ed and owned by the caller.
 */
vagap_status_t vagap_sem_stats_serialize(const vagap_sem_stats_t *stats, char **text,
                                         vagap_error_t *err);
vagap_status_t vagap_sem_stats_deserialize(vagap_sem_stats_t **out, const char *text,
                                           vagap_error_t *err);

/* ---- raw data ------------------------------------------------------------ */

/*
 * Raw data of a multi-group analysis (borrowed by every call).  Missing
 * values are NAN; whether they are allowed depends on the estimator and the
 * missing-data method (listwise: none; FIML: rows with at least one observed
 * model variable).  Which rows enter is the caller's policy, recorded in its
 * row ledger.
 */
typedef struct {
  size_t nobs, nvar, ngroups;
  const double *x;                 /* [nobs * nvar] row-major, NAN = missing */
  const size_t *group;             /* [nobs] in [0, ngroups) */
  const char *const *var;          /* [nvar] variable names */
  const char *const *group_label;  /* [ngroups] */
} vagap_sem_data_t;

/* ---- fit ----------------------------------------------------------------- */

typedef enum {
  VAGAP_SEM_LIKELIHOOD_NORMAL = 0, /* S with divisor n, chisq = 2 N F (lavaan's default) */
  VAGAP_SEM_LIKELIHOOD_WISHART     /* S with divisor n - 1, chisq = 2 (N - G) F */
} vagap_sem_likelihood_t;

/*
 * Estimation choices, named and valued as lavaan's arguments (estimator=,
 * missing=, information=, se=, test=).  One design serves every estimator
 * (doc/methods.md "SEM estimators: one engine"):
 *   - the model, its parameter table and its constraints are the same for
 *     all estimators; an estimator only changes the per-group discrepancy
 *     function F_g(Sigma_g, mu_g [, thresholds]) that the fitter minimises
 *     (ML from sample moments, FIML over missing-data patterns, DWLS/ULS/WLS
 *     on thresholds and polychoric correlations), the information matrix
 *     used for SEs, and the test statistic's correction;
 *   - the fitter chains dF_g/dSigma and dF_g/dmu to the parameters (so
 *     constraints, bounds, start values and the verdicts work unchanged);
 *   - robust SEs and scaled tests are computed after the fit from the
 *     Jacobian of the implied moments (lavaan's Delta), the h1 information
 *     and the casewise scores or Gamma.
 * The *_DEFAULT values mean "what lavaan picks for this estimator and
 * missing-data method" (e.g. observed information under missing = "ml",
 * robust.huber.white SEs for MLR); vagap_sem_fit_options_resolve fills them.
 */
typedef enum {
  VAGAP_SEM_ESTIMATOR_ML = 0,
  VAGAP_SEM_ESTIMATOR_MLR,   /* ML, Huber-White SEs, Yuan-Bentler (Mplus) scaled test */
  VAGAP_SEM_ESTIMATOR_MLM,   /* ML, robust.sem SEs, Satorra-Bentler scaled test */
  VAGAP_SEM_ESTIMATOR_MLMV,  /* ML, robust.sem SEs, scaled-shifted test (lavaan 0.6-14) */
  VAGAP_SEM_ESTIMATOR_MLMVS, /* ML, robust.sem SEs, mean- and variance-adjusted test (lavaan 0.6-14) */
  VAGAP_SEM_ESTIMATOR_GLS,
  VAGAP_SEM_ESTIMATOR_ULS,
  VAGAP_SEM_ESTIMATOR_WLS,
  VAGAP_SEM_ESTIMATOR_DWLS,
  VAGAP_SEM_ESTIMATOR_WLSMV, /* DWLS estimates, robust SEs, scaled-shifted test */
  VAGAP_SEM_ESTIMATOR_ULSMV  /* ULS estimates, robust SEs, scaled-shifted test */
} vagap_sem_estimator_t;

typedef enum {
  VAGAP_SEM_MISSING_DEFAULT = 0, /* listwise (lavaan 0.6's default, categorical data too) */
  VAGAP_SEM_MISSING_LISTWISE,
  VAGAP_SEM_MISSING_ML,          /* FIML ("ml", "fiml", "direct") */
  VAGAP_SEM_MISSING_ML_X,        /* FIML, missing exogenous covariates too ("ml.x") */
  VAGAP_SEM_MISSING_PAIRWISE
} vagap_sem_missing_t;

typedef enum {
  VAGAP_SEM_INFORMATION_DEFAULT = 0,
  VAGAP_SEM_INFORMATION_EXPECTED,
  VAGAP_SEM_INFORMATION_OBSERVED,
  VAGAP_SEM_INFORMATION_FIRST_ORDER
} vagap_sem_information_t;

typedef enum {
  VAGAP_SEM_SE_DEFAULT = 0,
  VAGAP_SEM_SE_STANDARD,
  VAGAP_SEM_SE_ROBUST_SEM,          /* "robust.sem" (also "robust" for MLM-type estimators) */
  VAGAP_SEM_SE_ROBUST_HUBER_WHITE,  /* "robust.huber.white" ("robust.mlr", "sandwich") */
  VAGAP_SEM_SE_NONE
} vagap_sem_se_t;

typedef enum {
  VAGAP_SEM_TEST_DEFAULT = 0,
  VAGAP_SEM_TEST_STANDARD,
  VAGAP_SEM_TEST_SATORRA_BENTLER,
  VAGAP_SEM_TEST_YUAN_BENTLER,
  VAGAP_SEM_TEST_YUAN_BENTLER_MPLUS,
  VAGAP_SEM_TEST_MEAN_VAR_ADJUSTED,
  VAGAP_SEM_TEST_SCALED_SHIFTED,
  VAGAP_SEM_TEST_NONE
} vagap_sem_test_t;

/*
 * What a fit computes besides the estimates (vagap_sem_fit_options_t.compute).
 * The default, ALL, is everything; a caller that prints less asks for less
 * and the fit skips the rest (FIML's .robust measures, the baseline model, gfi,
 * rmsea's confidence interval, ...).  What was not asked for is NAN (never a
 * stale or partial value), and vagap_sem_fit_measure_list lists nothing for a
 * fit below ALL.  The levels are cumulative:
 *   ESTIMATES  the estimates (and std.lv/std.all/std.nox) only: no SEs, as
 *              se = "none", whatever opt.se says; no test, no fit measures;
 *   SE         + the SEs opt.se asks for (and the warnings lavaan gives with them);
 *   TEST       + the test: npar, fmin, chisq, df, pvalue, chisq per group and,
 *              with a scaled test, chisq.scaled, df.scaled, pvalue.scaled,
 *              chisq.scaling.factor, chisq.shift.parameter (per group too);
 *   ALL        + every fit measure of fitMeasures().
 */
typedef enum {
  VAGAP_SEM_COMPUTE_ALL = 0,
  VAGAP_SEM_COMPUTE_ESTIMATES,
  VAGAP_SEM_COMPUTE_SE,
  VAGAP_SEM_COMPUTE_TEST
} vagap_sem_compute_t;

typedef struct {
  vagap_sem_likelihood_t likelihood;
  double ci_level;   /* 0.95 */
  int max_iter;      /* objective evaluations per strategy (5 strategies at most), default 10000 */
  vagap_sem_estimator_t estimator;     /* ML */
  vagap_sem_missing_t missing;         /* DEFAULT */
  vagap_sem_information_t information; /* DEFAULT */
  vagap_sem_se_t se;                   /* DEFAULT */
  vagap_sem_test_t test;               /* DEFAULT */
  vagap_sem_compute_t compute;         /* ALL: what to compute besides the estimates (above) */
} vagap_sem_fit_options_t;

void vagap_sem_fit_options_init(vagap_sem_fit_options_t *opt);

/*
 * lavaan's spellings -> enums (estimator names in any case, as lavaan
 * upper-cases them; "default" gives *_DEFAULT / ML).  An unknown value is
 * VAGAP_EINVAL with a message listing lavaan's values.  `what` is the option
 * name used in the message (e.g. "--estimator").
 */
vagap_status_t vagap_sem_estimator_parse(const char *s, vagap_sem_estimator_t *out, vagap_error_t *err);
vagap_status_t vagap_sem_missing_parse(const char *s, vagap_sem_missing_t *out, vagap_error_t *err);
vagap_status_t vagap_sem_information_parse(const char *s, vagap_sem_information_t *out, vagap_error_t *err);
vagap_status_t vagap_sem_se_parse(const char *s, vagap_sem_se_t *out, vagap_error_t *err);
vagap_status_t vagap_sem_test_parse(const char *s, vagap_sem_test_t *out, vagap_error_t *err);
/* lavaan's name of a value ("MLR", "ml", "observed", "robust.huber.white", "yuan.bentler.mplus"). */
const char *vagap_sem_estimator_name(vagap_sem_estimator_t e);
const char *vagap_sem_missing_name(vagap_sem_missing_t m);
const char *vagap_sem_information_name(vagap_sem_information_t i);
const char *vagap_sem_se_name(vagap_sem_se_t s);
const char *vagap_sem_test_name(vagap_sem_test_t t);

/*
 * Replace every *_DEFAULT in *opt by lavaan's choice for its estimator and
 * missing-data method (`categorical`: the model has ordered indicators), and
 * check that vagap implements the combination: VAGAP_EINVAL with a message
 * naming what is not implemented otherwise.
 */
vagap_status_t vagap_sem_fit_options_resolve(vagap_sem_fit_options_t *opt, int categorical,
                                             vagap_error_t *err);

/*
 * Below this ratio of the smallest to the largest eigenvalue of the
 * information matrix scaled to unit diagonal (DBL_EPSILON * 1e8), a
 * stationary point is not accepted: along the flat direction the fit
 * function changes by less than rounding over a relative step of 1e-4, so
 * the estimates are not determined to the 1e-4 vagap promises and the model
 * is empirically under-identified.  On generated near-unidentified models
 * this reproduces lavaan's verdict (its optimiser reports that no solution
 * was found); see doc/methods.md.
 */
#define VAGAP_SEM_MIN_INFO_RATIO 2.220446049250313e-08

/* Fit measures, named as in lavaan's fitMeasures(). */
typedef struct {
  double npar, fmin, chisq, df, pvalue;
  double baseline_chisq, baseline_df, baseline_pvalue, cfi, tli;
  double logl, unrestricted_logl, aic, bic, ntotal, bic2;
  double rmsea, rmsea_ci_lower, rmsea_ci_upper, rmsea_pvalue, srmr;
  /* more of fitMeasures(): nnfi (= tli), rfi, nfi, pnfi, ifi, rni, mfi, ecvi, cn_05, cn_01 */
  double nnfi, rfi, nfi, pnfi, ifi, rni, mfi, ecvi, cn_05, cn_01;
  double *chisq_group;  /* [ngroups] per-group contribution to chisq */
  /* robust ML (a scaled --test; NAN otherwise): lavaan's .scaled and .robust measures */
  double chisq_scaled, df_scaled, pvalue_scaled, chisq_scaling_factor, chisq_shift_parameter;
  double baseline_chisq_scaled, baseline_df_scaled, baseline_pvalue_scaled, baseline_chisq_scaling_factor;
  double cfi_scaled, tli_scaled, cfi_robust, tli_robust;
  double nnfi_scaled, rfi_scaled, nfi_scaled, pnfi_scaled, ifi_scaled, rni_scaled, nnfi_robust, rni_robust;
  double scaling_factor_h1, scaling_factor_h0; /* yuan.bentler.mplus */
  double rmsea_scaled, rmsea_ci_lower_scaled, rmsea_ci_upper_scaled, rmsea_pvalue_scaled,
      rmsea_notclose_pvalue_scaled;
  double rmsea_robust, rmsea_ci_lower_robust, rmsea_ci_upper_robust, rmsea_pvalue_robust,
      rmsea_notclose_pvalue_robust;
  /* more of fitMeasures() for every ML fit */
  double rmsea_notclose_pvalue;
  double rmr, rmr_nomean, srmr_bentler, srmr_bentler_nomean, crmr, crmr_nomean, srmr_mplus, srmr_mplus_nomean;
  double gfi, agfi, pgfi;
  double *chisq_group_scaled; /* [ngroups] the scaled statistic per group (a scaled --test) */
  int test;                   /* the vagap_sem_test_t in effect */
} vagap_sem_measures_t;

typedef struct {
  vagap_sem_model_t *model;   /* owned copy of the model with results filled in */
  vagap_sem_measures_t fit;
  double *x;                  /* [npar] free parameter estimates */
  double *vcov;               /* [npar * npar] covariance of the estimates; NULL with se = "none"
                                 (compute = ESTIMATES), whose SEs are NAN */
  size_t iterations;          /* objective evaluations used */
  double gradient_norm;       /* max |dF/dtheta| at the solution */
  const char *optimizer;      /* which method produced the solution */
  /* The verdict (lavaan's lavInspect "converged" and "post.check").  A fit is
     only returned when the optimiser converged, so converged is 1; admissible
     is 0 when a variance is negative or the latent or residual covariance
     matrix of a group is not positive definite. */
  int converged, admissible;
  double info_ratio;          /* smallest / largest eigenvalue of the unit-diagonal information */
  size_t nwarnings;
  char **warnings;            /* lavaan's warnings for this solution, in its words and order */
  vagap_sem_fit_options_t options; /* the resolved options of this fit (estimator, se, test, ...) */
  /* categorical models: the first stage per group (lavaan's sampstat), the
     thresholds then the polychoric correlations in lavaan's WLS.obs order,
     with their standard errors sqrt(diag(Gamma) / n_g); 0/NULL otherwise */
  size_t nstage1;             /* per group */
  char **stage1_name;         /* [nstage1]: "y1|t1", ..., "y1~~y2" */
  double *stage1_est, *stage1_se; /* [ngroups * nstage1] */
} vagap_sem_fit_t;

/*
 * Fit `model` to `stats` by ML.  The model's observed variables are looked
 * up by name in stats->var.  A model with ==, <, > constraints or lower()/
 * upper() bounds is fitted under them (lavaan's way: vcov restricted to the
 * equality and active inequality constraints, df + rank of the equalities;
 * doc/methods.md "Modifiers and constraints"), filling model->con.  Optimisation: Fisher scoring from lavaan-like
 * starting values, then NLopt's LD_LBFGS, then Fisher-scoring polish; if
 * that does not reach a stationary point (max |dF/dtheta| < 1e-6), LD_LBFGS
 * from the start values with tight tolerances; then both again from
 * lavaan's plain starting values, then Fisher scoring alone.  A solution is
 * accepted when max |dF/dtheta| < 1e-5 and the information matrix at it is
 * not nearly singular (VAGAP_SEM_MIN_INFO_RATIO).  The ML optimum is searched
 * without bounds (lavaan's default bounds = "none"): a solution outside the
 * admissible region is returned with admissible = 0 and lavaan's warnings.
 * Failure modes: VAGAP_EMODEL (more parameters
 * than moments, singular information matrix: the message names the
 * parameters involved), VAGAP_ENOCONV (the optimiser did not reach a
 * stationary point: no estimates are returned), VAGAP_EDOMAIN (a sample
 * covariance matrix is not positive definite).
 */
vagap_status_t vagap_sem_fit(vagap_sem_fit_t **out, const vagap_sem_model_t *model,
                             const vagap_sem_stats_t *stats, const vagap_sem_fit_options_t *opt,
                             vagap_error_t *err);
void vagap_sem_fit_free(vagap_sem_fit_t *fit); /* NULL is a no-op */

/*
 * Fit `model` to raw data with any estimator and missing-data method of
 * `opt` (resolved with vagap_sem_fit_options_resolve).  For ML with listwise
 * deletion this is vagap_sem_stats_compute + vagap_sem_fit (data must then
 * be complete: VAGAP_EINVAL names the first missing cell otherwise).
 */
vagap_status_t vagap_sem_fit_data(vagap_sem_fit_t **out, const vagap_sem_model_t *model,
                                  const vagap_sem_data_t *data, const vagap_sem_fit_options_t *opt,
                                  vagap_error_t *err);

/*
 * The fit measures of `vagap sem --fit`, named and ordered as lavaan's
 * fitMeasures() for this fit's estimator and test: the .scaled measures with
 * a scaled test, the .robust ones for the Satorra-Bentler, Yuan-Bentler and
 * scaled-shifted tests, no likelihood measures and wrmr for ecvi in a
 * categorical fit, then
 * chisq.group.G (and chisq.scaled.group.G) and the verdict (converged,
 * admissible).  Writes at most `cap` into out and returns how many there
 * are (call with cap 0 to count).
 */
typedef struct {
  char name[48];
  double value;
} vagap_sem_measure_t;

size_t vagap_sem_fit_measure_list(const vagap_sem_fit_t *fit, vagap_sem_measure_t *out, size_t cap);
/* Whether `fit` has every fit measure (its options.compute was ALL): the list above is
   empty otherwise, so that a measure that was not computed cannot be printed. */
int vagap_sem_fit_has_measures(const vagap_sem_fit_t *fit);

/* Whether fitMeasures() has the .scaled block for this fit (a scaled test), and the
 * .robust block (the Satorra-Bentler, Yuan-Bentler and scaled-shifted tests, and every
 * FIML fit: lavaan's FIML-corrected measures). */
int vagap_sem_fit_has_scaled(const vagap_sem_fit_t *fit);
int vagap_sem_fit_has_robust(const vagap_sem_fit_t *fit);

/* lavTestLRT between two nested models with ordered indicators. */
typedef struct {
  double chisq1, df1;   /* the less restricted model (m1): its (unscaled) chi-square and df */
  double chisq0, df0;   /* the more restricted one (m0) */
  double chisq_diff, df_diff, pvalue; /* the (scaled) difference test */
  double scaling_factor, shift_parameter; /* 1/a and b of the scaled-shifted difference (NAN if standard) */
} vagap_sem_lrt_t;

/*
 * Fit m1 and its restriction m0 (both with ordered indicators, e.g. without and
 * with --group-equal thresholds) to the same raw data and compare them as
 * lavaan's lavTestLRT(m1, m0): with the scaled-shifted test (WLSMV, ULSMV) the
 * Satorra (2000) scaled-shifted difference (method "satorra.2000", A.method
 * "delta"); with a standard test the plain chi-square difference.
 */
vagap_status_t vagap_sem_ordinal_lrt(vagap_sem_lrt_t *out, const vagap_sem_model_t *m1, const vagap_sem_model_t *m0,
                                     const vagap_sem_data_t *data, const vagap_sem_fit_options_t *opt,
                                     vagap_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
