/*
 * stats_ttest.c - one-sample, paired and two-sample t-tests with Cohen's d
 * and Hedges' g and their noncentral-t intervals (see include/vagap/stats.h).
 * Split from stats.c without changes.
 */
#include "stats_internal.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_erf.h>
#include <gsl/gsl_sf_hyperg.h>
#include <gsl/gsl_sf_log.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>


/* ---- t-tests ------------------------------------------------------------------ */

const char *vagap_ttest_method_name(vagap_ttest_kind_t kind) {
  switch (kind) {
  case VAGAP_TTEST_ONE_SAMPLE: return "One Sample t-test";
  case VAGAP_TTEST_PAIRED: return "Paired t-test";
  case VAGAP_TTEST_WELCH: return "Welch Two Sample t-test";
  case VAGAP_TTEST_STUDENT: return "Two Sample t-test";
  }
  return "unknown";
}

void vagap_ttest_options_init(vagap_ttest_options_t *opt) {
  opt->alternative = VAGAP_ALT_TWO_SIDED;
  opt->conf_level = 0.95;
  opt->mu = 0.0;
}

static void effect_clear(vagap_effect_size_t *e) {
  e->d = e->d_z = e->d_z0 = e->d_av = e->d_rm = e->d_s = NAN;
  e->hedges_j = e->g = e->g_av = NAN;
  e->d_conf_low = e->d_conf_high = e->g_conf_low = e->g_conf_high = NAN;
}

static void ttest_clear(vagap_ttest_t *r, vagap_ttest_kind_t kind, const vagap_ttest_options_t *o) {
  memset(r, 0, sizeof *r);
  r->kind = kind;
  r->alternative = o->alternative;
  r->conf_level = o->conf_level;
  r->mu = o->mu;
  r->mean1 = r->sd1 = r->mean2 = r->sd2 = r->r12 = r->sd_diff = NAN;
  r->estimate = r->std_error = r->statistic = r->df = NAN;
  r->p_value = r->log10_p = r->conf_low = r->conf_high = NAN;
  effect_clear(&r->effect);
}

static vagap_status_t check_ttest_options(const vagap_ttest_options_t *o, vagap_error_t *err) {
  if (!conf_level_ok(o->conf_level))
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "confidence level %g is not between 0 and 1", o->conf_level);
  if (!isfinite(o->mu))
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "mu must be finite");
  if (!alternative_ok(o->alternative))
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "unknown alternative");
  return VAGAP_OK;
}

/* Clear res for a test of `kind` with opt's settings (NULL: the defaults) and check them. */
static vagap_status_t ttest_start(vagap_ttest_t *res, vagap_ttest_kind_t kind,
                                  const vagap_ttest_options_t *opt, vagap_error_t *err) {
  vagap_ttest_options_t defaults;
  if (!opt) {
    vagap_ttest_options_init(&defaults);
    opt = &defaults;
  }
  ttest_clear(res, kind, opt);
  return check_ttest_options(opt, err);
}

/* ttest_start for a two-sample test, whose kind must be Welch or Student. */
static vagap_status_t two_sample_start(vagap_ttest_t *res, vagap_ttest_kind_t kind,
                                       const vagap_ttest_options_t *opt, vagap_error_t *err) {
  vagap_status_t st = ttest_start(res, kind, opt, err);
  if (st != VAGAP_OK) return st;
  if (kind != VAGAP_TTEST_WELCH && kind != VAGAP_TTEST_STUDENT)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "two-sample t-test kind must be Welch or Student");
  return VAGAP_OK;
}

/* Hedges' exact small-sample factor J(m) = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2)). */
static double hedges_j(double m) {
  if (!(m > 1)) return NAN;
  gsl_sf_result a, b;
  if (gsl_sf_lngamma_e(m / 2.0, &a) != GSL_SUCCESS) return NAN;
  if (gsl_sf_lngamma_e((m - 1.0) / 2.0, &b) != GSL_SUCCESS) return NAN;
  return exp(a.val - b.val - 0.5 * log(m / 2.0));
}

/*
 * CI for a standardized mean difference whose t statistic is `t` on `df`
 * degrees of freedom, with d = t * scale: invert the noncentral t in ncp.
 */
static vagap_status_t d_interval(double t, double df, double scale, vagap_alternative_t alt,
                                 double conf, double *lo, double *hi, vagap_error_t *err) {
  double alpha = 1.0 - conf;
  double ncp_lo = -INFINITY, ncp_hi = INFINITY;
  vagap_status_t st = VAGAP_OK;
  double p_lo = alt == VAGAP_ALT_TWO_SIDED ? 1.0 - alpha / 2.0 : 1.0 - alpha;
  double p_hi = alt == VAGAP_ALT_TWO_SIDED ? alpha / 2.0 : alpha;
  if (alt != VAGAP_ALT_LESS) st = vagap_stats_nct_ncp(t, df, p_lo, &ncp_lo, err);
  if (st == VAGAP_OK && alt != VAGAP_ALT_GREATER)
    st = vagap_stats_nct_ncp(t, df, p_hi, &ncp_hi, err);
  *lo = ncp_lo * scale;
  *hi = ncp_hi * scale;
  return st;
}

/* p-value and CI of estimate from t on df with standard error se. */
static vagap_status_t t_inference(vagap_ttest_t *r, vagap_error_t *err) {
  vagap_status_t st =
      vagap_stats_t_pvalue(r->statistic, r->df, r->alternative, &r->p_value, &r->log10_p, err);
  if (st != VAGAP_OK) return st;
  double alpha = 1.0 - r->conf_level;
  double q;
  switch (r->alternative) {
  case VAGAP_ALT_LESS:
    q = gsl_cdf_tdist_Pinv(r->conf_level, r->df);
    r->conf_low = -INFINITY;
    r->conf_high = r->estimate + q * r->std_error;
    break;
  case VAGAP_ALT_GREATER:
    q = gsl_cdf_tdist_Pinv(r->conf_level, r->df);
    r->conf_low = r->estimate - q * r->std_error;
    r->conf_high = INFINITY;
    break;
  default:
    q = gsl_cdf_tdist_Pinv(1.0 - alpha / 2.0, r->df);
    r->conf_low = r->estimate - q * r->std_error;
    r->conf_high = r->estimate + q * r->std_error;
    break;
  }
  if (!isfinite(q))
    return vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0, "t quantile failed (df = %g)", r->df);
  return VAGAP_OK;
}

/* R's "essentially constant" rule. */
static int essentially_constant(double se, double scale) {
  return !(se > 0) || se < 10.0 * DBL_EPSILON * fabs(scale);
}

static vagap_status_t constant_error(vagap_error_t *err) {
  return vagap_error_set(err, VAGAP_EDOMAIN, NULL, 0, 0,
                         "data are essentially constant: the t statistic is undefined");
}

/* One-sample core on compacted values (also used for paired differences). */
static vagap_status_t one_sample_core(const double *v, size_t n, vagap_ttest_t *r,
                                      vagap_error_t *err) {
  if (n < 2)
    return vagap_error_set(err, VAGAP_EDOMAIN, NULL, 0, 0,
                           "a t-test needs at least 2 values, got %zu", n);
  double mean = gsl_stats_mean(v, 1, n);
  double sd = gsl_stats_sd_m(v, 1, n, mean);
  r->estimate = mean;
  r->sd_diff = sd;
  r->df = (double)n - 1.0;
  r->std_error = sd / sqrt((double)n);
  if (essentially_constant(r->std_error, mean)) return constant_error(err);
  r->statistic = (mean - r->mu) / r->std_error;
  vagap_status_t st = t_inference(r, err);
  if (st != VAGAP_OK) return st;

  vagap_effect_size_t *e = &r->effect;
  double diff = mean - r->mu;
  e->d_z = diff / sd;
  e->d_z0 = diff / (sd * sqrt(((double)n - 1.0) / (double)n));
  e->d = e->d_z;
  e->hedges_j = hedges_j((double)n - 1.0);
  e->g = e->hedges_j * e->d;
  st = d_interval(r->statistic, r->df, 1.0 / sqrt((double)n), r->alternative, r->conf_level,
                  &e->d_conf_low, &e->d_conf_high, err);
  e->g_conf_low = e->hedges_j * e->d_conf_low;
  e->g_conf_high = e->hedges_j * e->d_conf_high;
  return st;
}

vagap_status_t vagap_stats_ttest_one(const double *x, size_t n, const vagap_ttest_options_t *opt,
                                     vagap_ttest_t *res, vagap_error_t *err) {
  vagap_status_t st = ttest_start(res, VAGAP_TTEST_ONE_SAMPLE, opt, err);
  if (st != VAGAP_OK) return st;
  double *v = alloc_doubles(n);
  if (!v) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  size_t k = 0, miss = 0;
  st = compact_finite(x, n, v, &k, &miss, "x", err);
  if (st == VAGAP_OK) {
    res->n = res->n1 = k;
    res->n_excluded = miss;
    if (k > 0) res->mean1 = gsl_stats_mean(v, 1, k);
    if (k > 1) res->sd1 = gsl_stats_sd_m(v, 1, k, res->mean1);
    st = one_sample_core(v, k, res, err);
  }
  free(v);
  return st;
}

vagap_status_t vagap_stats_ttest_paired(const double *x, const double *y, size_t n,
                                        const vagap_ttest_options_t *opt, vagap_ttest_t *res,
                                        vagap_error_t *err) {
  vagap_status_t st = ttest_start(res, VAGAP_TTEST_PAIRED, opt, err);
  if (st != VAGAP_OK) return st;
  double *bx = alloc_doubles(n), *by = alloc_doubles(n), *d = alloc_doubles(n);
  if (!bx || !by || !d) {
    free(bx), free(by), free(d);
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  }
  size_t k = 0, miss = 0;
  st = compact_pairs(x, y, n, bx, by, &k, &miss, err);
  if (st != VAGAP_OK) goto done;
  res->n = res->n1 = res->n2 = k;
  res->n_excluded = miss;
  for (size_t i = 0; i < k; i++) d[i] = bx[i] - by[i];
  if (k > 0) {
    res->mean1 = gsl_stats_mean(bx, 1, k);
    res->mean2 = gsl_stats_mean(by, 1, k);
  }
  if (k > 1) {
    res->sd1 = gsl_stats_sd_m(bx, 1, k, res->mean1);
    res->sd2 = gsl_stats_sd_m(by, 1, k, res->mean2);
    if (res->sd1 > 0 && res->sd2 > 0) res->r12 = gsl_stats_correlation(bx, 1, by, 1, k);
  }
  st = one_sample_core(d, k, res, err);
  if (st != VAGAP_OK) goto done;
  {
    vagap_effect_size_t *e = &res->effect;
    double diff = res->estimate - res->mu;
    e->d_av = diff / sqrt((res->sd1 * res->sd1 + res->sd2 * res->sd2) / 2.0);
    /* Lakens (2013) eq. 9; the denominator s1^2 + s2^2 - 2 r s1 s2 is the
       variance of the differences, so d_rm = d_z sqrt(2 (1 - r)). */
    e->d_rm = e->d_z * sqrt(2.0 * (1.0 - res->r12));
    e->g_av = e->hedges_j * e->d_av;
  }
done:
  free(bx), free(by), free(d);
  return st;
}

/* Two-sample core from summaries; res has kind, options, n1, n2 set. */
static vagap_status_t two_sample_core(vagap_ttest_t *r, vagap_error_t *err) {
  size_t n1 = r->n1, n2 = r->n2;
  int student = r->kind == VAGAP_TTEST_STUDENT;
  r->n = n1 + n2;
  r->estimate = r->mean1 - r->mean2;
  if (n1 < 1 || n2 < 1 || (!student && (n1 < 2 || n2 < 2)) || (student && n1 + n2 < 3))
    return vagap_error_set(err, VAGAP_EDOMAIN, NULL, 0, 0,
                           "a %s needs %s (got %zu and %zu)",
                           student ? "Student t-test" : "Welch t-test",
                           student ? "at least 3 values in all, 1 per group"
                                   : "at least 2 values per group",
                           n1, n2);
  double v1 = n1 > 1 ? r->sd1 * r->sd1 : 0.0, v2 = n2 > 1 ? r->sd2 * r->sd2 : 0.0;
  double dn1 = (double)n1, dn2 = (double)n2;
  double pooled_df = dn1 + dn2 - 2.0;
  double pooled_var = ((dn1 - 1.0) * v1 + (dn2 - 1.0) * v2) / pooled_df;
  if (student) {
    r->df = pooled_df;
    r->std_error = sqrt(pooled_var * (1.0 / dn1 + 1.0 / dn2));
  } else {
    double s1 = v1 / dn1, s2 = v2 / dn2;
    r->std_error = sqrt(s1 + s2);
    r->df = (s1 + s2) * (s1 + s2) / (s1 * s1 / (dn1 - 1.0) + s2 * s2 / (dn2 - 1.0));
  }
  if (essentially_constant(r->std_error, fmax(fabs(r->mean1), fabs(r->mean2))))
    return constant_error(err);
  r->statistic = (r->estimate - r->mu) / r->std_error;
  vagap_status_t st = t_inference(r, err);
  if (st != VAGAP_OK) return st;

  vagap_effect_size_t *e = &r->effect;
  double diff = r->estimate - r->mu;
  double sp = sqrt(pooled_var);
  e->d_s = diff / sp;
  e->d = e->d_s;
  e->d_av = diff / sqrt((v1 + v2) / 2.0);
  e->hedges_j = hedges_j(pooled_df);
  e->g = e->hedges_j * e->d_s;
  e->g_av = e->hedges_j * e->d_av;
  if (!(sp > 0)) return VAGAP_OK; /* d undefined; test itself was fine (Welch, one group constant) */
  double scale = sqrt(1.0 / dn1 + 1.0 / dn2);
  double t_student = e->d_s / scale;
  if (pooled_df > 0) {
    st = d_interval(t_student, pooled_df, scale, r->alternative, r->conf_level, &e->d_conf_low,
                    &e->d_conf_high, err);
    e->g_conf_low = e->hedges_j * e->d_conf_low;
    e->g_conf_high = e->hedges_j * e->d_conf_high;
  }
  return st;
}

vagap_status_t vagap_stats_ttest_two_summary(size_t n1, double mean1, double sd1, size_t n2,
                                             double mean2, double sd2, vagap_ttest_kind_t kind,
                                             const vagap_ttest_options_t *opt,
                                             vagap_ttest_t *res, vagap_error_t *err) {
  vagap_status_t st = two_sample_start(res, kind, opt, err);
  if (st != VAGAP_OK) return st;
  res->n1 = n1;
  res->n2 = n2;
  res->mean1 = n1 ? mean1 : NAN;
  res->mean2 = n2 ? mean2 : NAN;
  res->sd1 = n1 > 1 ? sd1 : NAN;
  res->sd2 = n2 > 1 ? sd2 : NAN;
  if ((n1 && !isfinite(mean1)) || (n2 && !isfinite(mean2)) || (n1 > 1 && !(sd1 >= 0)) ||
      (n2 > 1 && !(sd2 >= 0)))
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "summary statistics must be finite with SD >= 0");
  return two_sample_core(res, err);
}

vagap_status_t vagap_stats_ttest_two(const double *x, size_t nx, const double *y, size_t ny,
                                     vagap_ttest_kind_t kind, const vagap_ttest_options_t *opt,
                                     vagap_ttest_t *res, vagap_error_t *err) {
  vagap_status_t st = two_sample_start(res, kind, opt, err);
  if (st != VAGAP_OK) return st;
  double *bx = alloc_doubles(nx), *by = alloc_doubles(ny);
  if (!bx || !by) {
    free(bx), free(by);
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  }
  size_t k1 = 0, k2 = 0, m1 = 0, m2 = 0;
  st = compact_finite(x, nx, bx, &k1, &m1, "x", err);
  if (st == VAGAP_OK) st = compact_finite(y, ny, by, &k2, &m2, "y", err);
  if (st == VAGAP_OK) {
    res->n1 = k1;
    res->n2 = k2;
    res->n = k1 + k2;
    res->n_excluded = m1 + m2;
    if (k1) res->mean1 = gsl_stats_mean(bx, 1, k1);
    if (k2) res->mean2 = gsl_stats_mean(by, 1, k2);
    if (k1 > 1) res->sd1 = gsl_stats_sd_m(bx, 1, k1, res->mean1);
    if (k2 > 1) res->sd2 = gsl_stats_sd_m(by, 1, k2, res->mean2);
    st = two_sample_core(res, err);
  }
  free(bx), free(by);
  return st;
}
