/*
 * vagap/stats.h - classical tests and effect sizes on plain arrays.
 *
 * t-tests (one-sample, paired, Welch and Student two-sample) with Cohen's d
 * variants and a noncentral-t CI for d; Pearson and Spearman correlation;
 * Wilson interval and exact binomial test; p-value adjustment; Cronbach's
 * alpha.  Formulas: ../shared/design/METHODS.md sections 3-4.  The
 * reference implementations are R's stats package (t.test, cor.test,
 * binom.test, p.adjust) and scipy.stats (ttest_*, pearsonr, spearmanr,
 * binomtest); where those disagree the choice is an option and is named.
 *
 * Conventions shared by every function here:
 * - Input arrays may contain NaN, meaning "missing".  Missing values are
 *   dropped (pairwise for paired data) and counted in `n_excluded`; they
 *   are never an error.  Infinite values are an error (VAGAP_EDATA).
 * - The result struct is always filled: numbers that cannot be computed
 *   are NaN.  When a statistic is undefined for the data (too few
 *   observations, zero variance) the function returns VAGAP_EDOMAIN with a
 *   message, but n, n_excluded and the descriptive numbers that do exist
 *   (means, SDs) are still set, so a caller can print a row of NAs.
 * - p-values are never rounded to 0 when a log-scale value can be had:
 *   `log10_p` is always log10 of the p-value, computed in log space when
 *   the p-value is below 1e-300 (then `p_value` may be 0 or subnormal).
 *   A p-value that is exactly 0 (perfect correlation) has log10_p = -Inf.
 * - Confidence levels are in (0, 1).  One-sided alternatives give one-sided
 *   intervals (one bound infinite), as R does.
 * - Nothing allocates memory that the caller must free unless stated.
 *
 * All functions are reentrant (no global state); call vagap_init() once so
 * that GSL errors come back as codes.
 */
#ifndef VAGAP_STATS_H
#define VAGAP_STATS_H

#include <stddef.h>
#include "vagap/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- common ------------------------------------------------------------- */

typedef enum {
  VAGAP_ALT_TWO_SIDED = 0, /* H1: parameter != null value */
  VAGAP_ALT_LESS,          /* H1: parameter <  null value */
  VAGAP_ALT_GREATER        /* H1: parameter >  null value */
} vagap_alternative_t;

/* "two.sided", "less", "greater" (R's spellings). */
const char *vagap_alternative_name(vagap_alternative_t alt);
/* Parse R's spellings (also "two-sided"); VAGAP_EINVAL for anything else. */
vagap_status_t vagap_alternative_parse(const char *s, vagap_alternative_t *alt,
                                       vagap_error_t *err);

/*
 * p-value of an observed t statistic with `df` degrees of freedom (df > 0,
 * may be fractional) for the alternative; also its log10 (NULL allowed),
 * accurate far below 1e-300.  t = +-Inf gives p = 0 (or 1), log10p = -Inf
 * (or 0).
 */
vagap_status_t vagap_stats_t_pvalue(double t, double df, vagap_alternative_t alt,
                                    double *p, double *log10p, vagap_error_t *err);

/* ---- noncentral t ------------------------------------------------------- */

/*
 * Distribution function P(T <= t) of the noncentral t with `df` > 0 degrees
 * of freedom and noncentrality `ncp`.
 *
 * Algorithm: the Poisson-mixture series of Lenth (1989, Applied Statistics
 * AS 243) for t >= 0 (reflection F(t; df, ncp) = 1 - F(-t; df, -ncp) for
 * t < 0), summed outward from the Poisson mode in both directions as
 * proposed by Benton & Krishnamoorthy (2003, Comput. Stat. Data Anal.
 * 43:249-267), with each regularized incomplete beta taken from GSL.  The
 * truncation error is bounded by the remaining Poisson mass, kept below
 * 1e-15 relative to the value.  Checked against R's pt(q, df, ncp) (400
 * random points within 7.7e-13 absolute, R's own error bound being 1e-12)
 * and 40-digit quadrature (mpmath).  Accuracy: about 1e-15 absolute; for
 * t >= 0 also relative far into the lower tail (where R's pt can be off by
 * orders of magnitude), while for t < 0 the reflection 1 - F(-t; -ncp)
 * limits tiny lower-tail values to absolute accuracy.  For |ncp| > 37.62 R
 * switches to a normal approximation and agreement with R is not expected.
 * vagap does so only for |ncp| > 632 (where the series would need tens of
 * thousands of terms): Phi((t (1 - 1/(4 df)) - ncp) / sqrt(1 + t^2/(2 df)))
 * (Abramowitz & Stegun 26.7.10), which moves CI bounds for d by up to about
 * 1% there (0.3% at t = 2000, df = 100).
 */
vagap_status_t vagap_stats_nct_cdf(double t, double df, double ncp, double *p,
                                   vagap_error_t *err);

/*
 * The noncentrality parameter ncp at which P(T <= t; df, ncp) = prob,
 * 0 < prob < 1 (the distribution function decreases in ncp, so the root is
 * unique).  Brent's method from GSL, bracket grown from t outward, relative
 * tolerance 1e-12.  This inverts the noncentral t for confidence intervals of
 * standardized effects (Steiger & Fouladi 1997; Cumming & Finch 2001).
 */
vagap_status_t vagap_stats_nct_ncp(double t, double df, double prob, double *ncp,
                                   vagap_error_t *err);

/* ---- t-tests -------------------------------------------------------------- */

typedef enum {
  VAGAP_TTEST_ONE_SAMPLE = 0,
  VAGAP_TTEST_PAIRED,
  VAGAP_TTEST_WELCH,   /* two independent samples, unequal variances (R default) */
  VAGAP_TTEST_STUDENT  /* two independent samples, pooled variance (var.equal=TRUE) */
} vagap_ttest_kind_t;

/* R's method strings: "One Sample t-test", "Paired t-test",
   "Welch Two Sample t-test", " Two Sample t-test" without the leading blank. */
const char *vagap_ttest_method_name(vagap_ttest_kind_t kind);

typedef struct {
  vagap_alternative_t alternative; /* default two-sided */
  double conf_level;               /* default 0.95 */
  double mu;                       /* null value of the mean / mean difference, default 0 */
} vagap_ttest_options_t;

void vagap_ttest_options_init(vagap_ttest_options_t *opt);

/*
 * Effect sizes.  The difference D is (mean - mu) for one sample and
 * (mean1 - mean2 - mu) for paired and two-sample tests.  Fields that do not
 * apply to a design are NaN.
 *
 *   d_z   = D / sd_diff            sd with n-1 (one-sample: sd of x)     [one, paired]
 *   d_z0  = D / sd_diff0           sd with n (numpy ddof=0); Andric 2025  [one, paired]
 *   d_av  = D / sqrt((s1^2+s2^2)/2)  Cumming 2012; Lakens 2013 eq. 10     [paired, two]
 *   d_rm  = d_av-type d corrected for the x-y correlation r (Lakens 2013 eq. 9):
 *           D / sqrt(s1^2 + s2^2 - 2 r s1 s2) * sqrt(2 (1 - r))            [paired]
 *   d_s   = D / pooled sd (n1+n2-2 divisor)  Cohen's d_s                  [two]
 *   d     = the design's primary d: d_z (one-sample, paired) or d_s (two-sample)
 *   hedges_j = exact small-sample correction J(m) = Gamma(m/2) /
 *           (sqrt(m/2) Gamma((m-1)/2)) with m = n-1 (one, paired) or n1+n2-2
 *           (two); Hedges 1981.  (The approximation 1 - 3/(4m-1) differs in
 *           the 4th-5th digit for small m.)
 *   g     = hedges_j * d, g_av = hedges_j * d_av
 *   d_conf_low/high: CI for d at conf_level from the noncentral t: the ncp
 *           values at which the observed t (for d_s: the Student t, also
 *           under Welch) is the upper/lower quantile, scaled by 1/sqrt(n)
 *           (one, paired) or sqrt(1/n1 + 1/n2) (two).  One-sided for
 *           one-sided alternatives.  g_conf_* = hedges_j * d_conf_*.
 */
typedef struct {
  double d;
  double d_z;
  double d_z0;
  double d_av;
  double d_rm;
  double d_s;
  double hedges_j;
  double g;
  double g_av;
  double d_conf_low, d_conf_high;
  double g_conf_low, g_conf_high;
} vagap_effect_size_t;

typedef struct {
  vagap_ttest_kind_t kind;
  vagap_alternative_t alternative;
  double conf_level;
  double mu;
  size_t n;          /* observations used: one-sample n, paired n of complete pairs,
                        two-sample n1 + n2 */
  size_t n1, n2;     /* sample sizes of x and y (paired: both = n; one-sample: n2 = 0) */
  size_t n_excluded; /* missing values dropped (paired: incomplete pairs) */
  double mean1, sd1; /* x (sd with n-1) */
  double mean2, sd2; /* y; NaN for one sample */
  double r12;        /* paired: Pearson r between x and y; otherwise NaN */
  double sd_diff;    /* paired: sd of x-y (n-1); one-sample: sd1; two-sample: NaN */
  double estimate;   /* mean (one-sample) or mean difference x - y (R's CI is for this) */
  double std_error;  /* standard error of `estimate` */
  double statistic;  /* t = (estimate - mu) / std_error */
  double df;         /* n-1, n1+n2-2, or Welch-Satterthwaite */
  double p_value;
  double log10_p;
  double conf_low, conf_high; /* CI of `estimate` */
  vagap_effect_size_t effect;
} vagap_ttest_t;

/* One-sample t-test of mean(x) against opt->mu (R t.test(x, mu=), scipy ttest_1samp). */
vagap_status_t vagap_stats_ttest_one(const double *x, size_t n,
                                     const vagap_ttest_options_t *opt,
                                     vagap_ttest_t *res, vagap_error_t *err);

/* Paired t-test of x - y (R t.test(x, y, paired=TRUE), scipy ttest_rel). */
vagap_status_t vagap_stats_ttest_paired(const double *x, const double *y, size_t n,
                                        const vagap_ttest_options_t *opt,
                                        vagap_ttest_t *res, vagap_error_t *err);

/*
 * Two independent samples, mean(x) - mean(y); kind is VAGAP_TTEST_WELCH or
 * VAGAP_TTEST_STUDENT (R t.test(x, y, var.equal=), scipy ttest_ind(equal_var=)).
 */
vagap_status_t vagap_stats_ttest_two(const double *x, size_t nx, const double *y,
                                     size_t ny, vagap_ttest_kind_t kind,
                                     const vagap_ttest_options_t *opt,
                                     vagap_ttest_t *res, vagap_error_t *err);

/*
 * The same from summary statistics (sizes, means, SDs with n-1), so that
 * sufficient statistics computed elsewhere (shards) can be tested.
 */
vagap_status_t vagap_stats_ttest_two_summary(size_t n1, double mean1, double sd1,
                                             size_t n2, double mean2, double sd2,
                                             vagap_ttest_kind_t kind,
                                             const vagap_ttest_options_t *opt,
                                             vagap_ttest_t *res, vagap_error_t *err);

/*
 * Edge cases (all return VAGAP_EDOMAIN with the descriptive fields set):
 * - fewer than 2 usable values (paired: pairs; two-sample: either group;
 *   Student: n1 + n2 < 3 as well);
 * - standard error 0 or below 10 * DBL_EPSILON * |mean| ("data are
 *   essentially constant", R's rule): t, p and CI are NaN; the effect sizes
 *   are NaN too.
 */

/* ---- correlation ---------------------------------------------------------- */

typedef enum { VAGAP_COR_PEARSON = 0, VAGAP_COR_SPEARMAN } vagap_cor_method_t;

typedef enum {
  /* t approximation t = r sqrt((n-2)/(1-r^2)) on n-2 df: scipy.stats.spearmanr,
     and R cor.test(method="spearman") when there are ties or exact=FALSE. */
  VAGAP_SPEARMAN_P_T = 0,
  /* R's default (exact=NULL): without ties and n < 1290 the distribution of
     S = (n^3-n)(1-rho)/6 by Best & Roberts (1975, AS 89): exact enumeration
     for small n, Edgeworth series otherwise; with ties the t approximation. */
  VAGAP_SPEARMAN_P_AS89
} vagap_spearman_p_t;

typedef struct {
  vagap_cor_method_t method;
  vagap_alternative_t alternative;
  double conf_level;              /* default 0.95 */
  vagap_spearman_p_t spearman_p;  /* default VAGAP_SPEARMAN_P_T */
} vagap_cor_options_t;

void vagap_cor_options_init(vagap_cor_options_t *opt);

/* "Pearson's product-moment correlation" / "Spearman's rank correlation rho". */
const char *vagap_cor_method_name(vagap_cor_method_t method);

typedef struct {
  vagap_cor_method_t method;
  vagap_alternative_t alternative;
  double conf_level;
  size_t n;          /* complete pairs used */
  size_t n_excluded; /* pairs with a missing value */
  int ties;          /* Spearman: 1 if either variable has ties */
  double estimate;   /* r or rho */
  double statistic;  /* t = r sqrt(df / (1 - r^2)) (Pearson, Spearman) */
  double statistic_s;/* Spearman: R's S = (n^3 - n)(1 - rho)/6; Pearson: NaN */
  double df;         /* n - 2 */
  double p_value;
  double log10_p;
  double fisher_z;   /* atanh(r) (Pearson) */
  double z_se;       /* 1 / sqrt(n - 3) (Pearson, n > 3) */
  double conf_low, conf_high; /* Pearson: Fisher-z CI (n > 3, as R); Spearman: NaN */
} vagap_cor_t;

/*
 * Correlation of x and y over complete pairs.
 * Edge cases: n < 3 -> VAGAP_EDOMAIN (R cor.test requires 3); n == 3 -> CI
 * NaN (R gives none); a constant variable -> VAGAP_EDOMAIN, estimate NaN;
 * |r| == 1 -> OK with statistic +-Inf, p 0, log10_p -Inf, CI [r, r].
 */
vagap_status_t vagap_stats_cor(const double *x, const double *y, size_t n,
                               const vagap_cor_options_t *opt, vagap_cor_t *res,
                               vagap_error_t *err);

/*
 * Average ranks (1-based; ties get the mean of their ranks, R's
 * rank(ties.method="average")).  x must not contain NaN (VAGAP_EDATA).
 * *ties (may be NULL) is set to 1 if any two values are equal.
 */
vagap_status_t vagap_stats_rank(const double *x, size_t n, double *ranks, int *ties,
                                vagap_error_t *err);

/* ---- proportions ---------------------------------------------------------- */

typedef struct {
  vagap_alternative_t alternative;
  double conf_level;  /* default 0.95 */
  double p0;          /* null proportion, default 0.5, in [0, 1] */
} vagap_prop_options_t;

void vagap_prop_options_init(vagap_prop_options_t *opt);

typedef struct {
  vagap_alternative_t alternative;
  double conf_level;
  double p0;
  size_t x, n;
  double estimate;               /* x / n */
  double std_error;              /* sqrt(p(1-p)/n) at the estimate */
  double conf_low, conf_high;    /* Wilson score interval without continuity
                                    correction (Wilson 1927; one-sided for
                                    one-sided alternatives) */
  double exact_low, exact_high;  /* Clopper-Pearson, as binom.test reports */
  double p_value;                /* exact binomial test vs p0 */
  double log10_p;
} vagap_prop_t;

/*
 * Proportion x/n with the exact binomial test.  Two-sided p follows R's
 * binom.test and scipy's binomtest: the sum of the probabilities of all
 * outcomes no more likely than x, with relative tolerance 1e-7.
 * n == 0 -> VAGAP_EDOMAIN (all NaN); x > n -> VAGAP_EINVAL.
 */
vagap_status_t vagap_stats_prop_test(size_t x, size_t n, const vagap_prop_options_t *opt,
                                     vagap_prop_t *res, vagap_error_t *err);

/* ---- multiple comparisons ------------------------------------------------- */

typedef enum {
  VAGAP_P_ADJUST_NONE = 0,
  VAGAP_P_ADJUST_BONFERRONI,
  VAGAP_P_ADJUST_HOLM,
  VAGAP_P_ADJUST_HOCHBERG,
  VAGAP_P_ADJUST_BH,  /* Benjamini-Hochberg, R's "BH" / "fdr" */
  VAGAP_P_ADJUST_BY   /* Benjamini-Yekutieli */
} vagap_p_adjust_t;

/* R's names ("none", "bonferroni", "holm", "hochberg", "BH", "BY"). */
const char *vagap_p_adjust_name(vagap_p_adjust_t method);
/* Case-insensitive; accepts "fdr" for BH.  VAGAP_EINVAL otherwise. */
vagap_status_t vagap_p_adjust_parse(const char *s, vagap_p_adjust_t *method,
                                    vagap_error_t *err);

/*
 * Adjusted p-values as R's p.adjust(p, method): NaN entries stay NaN and do
 * not count towards the number of tests.  `adjusted` may alias `p`.
 * A p outside [0, 1] -> VAGAP_EINVAL.
 */
vagap_status_t vagap_stats_p_adjust(const double *p, size_t n, vagap_p_adjust_t method,
                                    double *adjusted, vagap_error_t *err);

/* ---- reliability ---------------------------------------------------------- */

typedef struct {
  size_t k;           /* items */
  size_t n;           /* complete cases used (listwise) */
  size_t n_excluded;  /* rows with any missing item */
  double alpha;       /* k/(k-1) (1 - sum var_i / var_total), variances n-1 */
  double alpha_std;   /* standardized alpha from the mean inter-item correlation */
  double mean_r;      /* mean inter-item correlation */
} vagap_alpha_t;

/*
 * Cronbach's alpha (1951) of the k columns of a row-major matrix
 * data[i * stride + j], i < nrows, j < k (stride >= k), listwise over rows.
 * Edge cases: k < 2 or n < 2 -> VAGAP_EDOMAIN; zero total variance ->
 * VAGAP_EDOMAIN (alpha NaN); an item with zero variance leaves alpha
 * defined but alpha_std / mean_r NaN.
 */
vagap_status_t vagap_stats_cronbach_alpha(const double *data, size_t nrows, size_t k,
                                          size_t stride, vagap_alpha_t *res,
                                          vagap_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
