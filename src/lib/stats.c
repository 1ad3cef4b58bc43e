/*
 * stats.c - t-tests, effect sizes, noncentral t, correlation, proportions,
 * p-value adjustment and Cronbach's alpha (see include/vagap/stats.h).
 *
 * Distribution functions come from GSL.  Written here are only what GSL
 * lacks: the noncentral t (a series of GSL incomplete betas), log-scale
 * tails for p-values below the double range, R's two-sided binomial rule and
 * the AS 89 distribution of Spearman's S.
 */
#include "vagap/stats.h"

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

/* Below this a p-value is recomputed on the log scale. */
#define TINY_P 1e-300

/* ---- small helpers --------------------------------------------------------- */

static int conf_level_ok(double conf) { return isfinite(conf) && conf > 0.0 && conf < 1.0; }

static int alternative_ok(vagap_alternative_t alt) {
  return alt == VAGAP_ALT_TWO_SIDED || alt == VAGAP_ALT_LESS || alt == VAGAP_ALT_GREATER;
}

/* log10 of p, or of the log-scale value when p underflowed. */
static double log10_of(double p, double lnp) {
  if (p >= TINY_P) return log10(p);
  return lnp / M_LN10;
}

/*
 * Copy the finite values of x into buf (n_out of them); NaN are counted as
 * missing; an infinite value is an error.
 */
static vagap_status_t compact_finite(const double *x, size_t n, double *buf, size_t *n_out,
                                     size_t *n_missing, const char *what, vagap_error_t *err) {
  size_t k = 0, miss = 0;
  for (size_t i = 0; i < n; i++) {
    if (isnan(x[i])) {
      miss++;
    } else if (!isfinite(x[i])) {
      return vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0,
                             "%s: value %zu is infinite", what, i + 1);
    } else {
      buf[k++] = x[i];
    }
  }
  *n_out = k;
  *n_missing = miss;
  return VAGAP_OK;
}

/* Complete pairs of (x, y) into bx, by. */
static vagap_status_t compact_pairs(const double *x, const double *y, size_t n, double *bx,
                                    double *by, size_t *n_out, size_t *n_missing,
                                    vagap_error_t *err) {
  size_t k = 0, miss = 0;
  for (size_t i = 0; i < n; i++) {
    if (isnan(x[i]) || isnan(y[i])) {
      miss++;
      continue;
    }
    if (!isfinite(x[i]) || !isfinite(y[i]))
      return vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0, "pair %zu has an infinite value",
                             i + 1);
    bx[k] = x[i];
    by[k] = y[i];
    k++;
  }
  *n_out = k;
  *n_missing = miss;
  return VAGAP_OK;
}

static double *alloc_doubles(size_t n) { return malloc((n ? n : 1) * sizeof(double)); }

/* ---- alternative -------------------------------------------------------------- */

const char *vagap_alternative_name(vagap_alternative_t alt) {
  switch (alt) {
  case VAGAP_ALT_TWO_SIDED: return "two.sided";
  case VAGAP_ALT_LESS: return "less";
  case VAGAP_ALT_GREATER: return "greater";
  }
  return "unknown";
}

vagap_status_t vagap_alternative_parse(const char *s, vagap_alternative_t *alt,
                                       vagap_error_t *err) {
  if (s && (!strcmp(s, "two.sided") || !strcmp(s, "two-sided") || !strcmp(s, "two_sided"))) {
    *alt = VAGAP_ALT_TWO_SIDED;
  } else if (s && !strcmp(s, "less")) {
    *alt = VAGAP_ALT_LESS;
  } else if (s && !strcmp(s, "greater")) {
    *alt = VAGAP_ALT_GREATER;
  } else {
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "alternative '%s' is not one of two.sided, less, greater",
                           s ? s : "(null)");
  }
  return VAGAP_OK;
}

/* ---- t distribution tails ---------------------------------------------------- */

/*
 * Natural log of the upper tail P(T > t), t > 0, for when it underflows.
 * P(T > t) = I_x(df/2, 1/2) / 2 with x = df/(df + t^2), and
 * I_x(a, b) = x^a (1-x)^b / (a B(a, b)) 2F1(a+b, 1; a+1; x)
 * (Abramowitz & Stegun 26.5.23), whose hypergeometric factor is close to 1
 * for the small x where this is needed.
 */
static vagap_status_t log_t_upper(double t, double df, double *out) {
  double a = df / 2.0, b = 0.5;
  double denom = df + t * t;
  double lx = log(df) - log(denom);      /* log x */
  double l1mx = 2.0 * log(t) - log(denom); /* log(1 - x) */
  double x = exp(lx);
  gsl_sf_result lbeta, hyp;
  int rc = gsl_sf_lnbeta_e(a, b, &lbeta);
  if (rc == GSL_SUCCESS) rc = gsl_sf_hyperg_2F1_e(a + b, 1.0, a + 1.0, x, &hyp);
  if (rc == GSL_SUCCESS && hyp.val > 0) {
    *out = -M_LN2 + a * lx + b * l1mx - log(a) - lbeta.val + log(hyp.val);
    return VAGAP_OK;
  }
  /* For enormous df (about 1e8 and up) x is close to 1 and the series fails;
     the t is then normal to many digits: use the normal tail of
     t (1 - 1/(4 df)) / sqrt(1 + t^2 / (2 df)), the approximation R's pt
     itself uses above 4e5 df. */
  if (df > 4e5) {
    double z = t * (1.0 - 1.0 / (4.0 * df)) / sqrt(1.0 + t * t / (2.0 * df));
    gsl_sf_result le;
    if (gsl_sf_log_erfc_e(z / M_SQRT2, &le) != GSL_SUCCESS) return VAGAP_ENUMERIC;
    *out = le.val - M_LN2;
    return VAGAP_OK;
  }
  return VAGAP_ENUMERIC;
}

/*
 * P(T > t) for t >= 0 through the incomplete beta, as R's pt does:
 *   P(T > t) = I_x(df/2, 1/2) / 2,  x = df / (df + t^2).
 * (Rounding x near 1 for small t costs only absolute digits of a result
 * near 1/2; the complement 1 - I_{1-x}(1/2, df/2) would instead cancel in
 * the tail.)  Not gsl_cdf_tdist_Q: for df > 30 GSL switches to an
 * asymptotic expansion whose relative error in the far tail reaches 1e-7
 * (t = 14, df = 31, checked against 40-digit mpmath), while GSL's
 * incomplete beta stays within a few 1e-15.
 */
static vagap_status_t t_upper_nonneg(double t, double df, double *p) {
  gsl_sf_result r;
  int rc = gsl_sf_beta_inc_e(df / 2.0, 0.5, df / (df + t * t), &r);
  if (rc == GSL_EUNDRFLW) {
    *p = 0.0;
    return VAGAP_OK;
  }
  if (rc != GSL_SUCCESS) return VAGAP_ENUMERIC;
  *p = 0.5 * r.val;
  return VAGAP_OK;
}

/* P(T > t) and its natural log (accurate below 1e-300). */
static vagap_status_t t_upper(double t, double df, double *p, double *lnp) {
  if (isinf(t)) {
    *p = t > 0 ? 0.0 : 1.0;
    *lnp = t > 0 ? -INFINITY : 0.0;
    return VAGAP_OK;
  }
  double q;
  vagap_status_t st = t_upper_nonneg(fabs(t), df, &q);
  if (st != VAGAP_OK) return st;
  if (t < 0) {
    *p = 1.0 - q;
    *lnp = log1p(-q);
    return VAGAP_OK;
  }
  *p = q;
  if (q >= TINY_P) {
    *lnp = log(q);
    return VAGAP_OK;
  }
  return log_t_upper(t, df, lnp);
}

vagap_status_t vagap_stats_t_pvalue(double t, double df, vagap_alternative_t alt, double *p,
                                    double *log10p, vagap_error_t *err) {
  double pv = NAN, lnp = NAN;
  if (p) *p = NAN;
  if (log10p) *log10p = NAN;
  if (isnan(t) || !(df > 0) || !alternative_ok(alt)) {
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "t p-value needs a t statistic and df > 0 (t = %g, df = %g)", t, df);
  }
  vagap_status_t st;
  switch (alt) {
  case VAGAP_ALT_GREATER:
    st = t_upper(t, df, &pv, &lnp);
    break;
  case VAGAP_ALT_LESS:
    st = t_upper(-t, df, &pv, &lnp);
    break;
  default:
    st = t_upper(fabs(t), df, &pv, &lnp);
    pv = fmin(1.0, 2.0 * pv);
    lnp = fmin(0.0, lnp + M_LN2);
    break;
  }
  if (st != VAGAP_OK)
    return vagap_error_set(err, st, NULL, 0, 0, "t tail probability failed (t = %g, df = %g)",
                           t, df);
  if (p) *p = pv;
  if (log10p) *log10p = log10_of(pv, lnp);
  return VAGAP_OK;
}

/* ---- noncentral t -------------------------------------------------------------- */

#define NCT_EPS 1e-16
#define NCT_MAX_TERMS 100000
/* Beyond this Poisson mean (|ncp| > 632) the normal approximation is used. */
#define NCT_SERIES_MAX_LAMBDA 2e5

/* Regularized incomplete beta; a result below the double range is 0, not an error. */
static int beta_inc(double a, double b, double x, double *out) {
  gsl_sf_result r;
  int rc = gsl_sf_beta_inc_e(a, b, x, &r);
  if (rc == GSL_EUNDRFLW) {
    *out = 0.0;
    return GSL_SUCCESS;
  }
  *out = r.val;
  return rc;
}

/*
 * The incomplete betas of the series depend only on t^2, df and the Poisson
 * index j, not on ncp.  Inverting the distribution for ncp evaluates the
 * series some tens of times at the same t and df, over overlapping ranges of
 * j, so the search keeps them here: the same GSL calls, each made once.
 * A NULL memo computes every value afresh.
 */
typedef struct {
  double x, half_df;   /* the betas below are I_x(j + 1/2, df/2) and I_x(j + 1, df/2) */
  double *half, *whole;
  unsigned char *known;
  size_t cap;
} nct_beta_memo_t;

static void nct_beta_memo_free(nct_beta_memo_t *m) {
  free(m->half);
  free(m->whole);
  free(m->known);
}

static int nct_beta_memo_reserve(nct_beta_memo_t *m, size_t j) {
  if (j < m->cap) return 0;
  size_t cap = m->cap ? m->cap : 1024;
  while (cap <= j) cap *= 2;
  double *half = realloc(m->half, cap * sizeof *half);
  if (half) m->half = half;
  double *whole = realloc(m->whole, cap * sizeof *whole);
  if (whole) m->whole = whole;
  unsigned char *known = realloc(m->known, cap);
  if (known) m->known = known;
  if (!half || !whole || !known) return -1;
  memset(m->known + m->cap, 0, cap - m->cap);
  m->cap = cap;
  return 0;
}

static int nct_betas(nct_beta_memo_t *m, size_t j, double x, double half_df, double *b1,
                     double *b2) {
  int use_memo = m && m->x == x && m->half_df == half_df && nct_beta_memo_reserve(m, j) == 0;
  if (use_memo && m->known[j]) {
    *b1 = m->half[j];
    *b2 = m->whole[j];
    return GSL_SUCCESS;
  }
  double jd = (double)j;
  int rc = beta_inc(jd + 0.5, half_df, x, b1);
  if (rc == GSL_SUCCESS) rc = beta_inc(jd + 1.0, half_df, x, b2);
  if (rc == GSL_SUCCESS && use_memo) {
    m->half[j] = *b1;
    m->whole[j] = *b2;
    m->known[j] = 1;
  }
  return rc;
}

/*
 * One term of Lenth's series at Poisson index j:
 *   p_j I_x(j + 1/2, df/2) + q_j I_x(j + 1, df/2)
 * with p_j = e^-lam lam^j / j!  and  q_j = sign(del) e^-lam lam^(j+1/2) / Gamma(j + 3/2)
 * (the usual q_j = del/sqrt(2) e^-lam lam^j / Gamma(j+3/2), rewritten with
 * lam = del^2/2 so that both weights are Poisson-like masses summing to ~1).
 * *weight receives p_j + |q_j|, which bounds the term.
 */
static int nct_term(nct_beta_memo_t *memo, size_t j, double x, double half_df, double lam,
                    double sign_del, double *term, double *weight) {
  double jd = (double)j;
  double log_lam = log(lam);
  double lp = -lam + jd * log_lam - gsl_sf_lngamma(jd + 1.0);
  double lq = -lam + (jd + 0.5) * log_lam - gsl_sf_lngamma(jd + 1.5);
  double pj = exp(lp), qj = exp(lq);
  double b1, b2;
  int rc = nct_betas(memo, j, x, half_df, &b1, &b2);
  if (rc != GSL_SUCCESS) return rc;
  *term = pj * b1 + sign_del * qj * b2;
  *weight = pj + qj;
  return GSL_SUCCESS;
}

/* P(T <= t) for t >= 0. */
static vagap_status_t nct_cdf_nonneg(nct_beta_memo_t *memo, double t, double df, double del,
                                      double *out) {
  double x = t * t / (t * t + df);
  double half_df = df / 2.0;
  double base = gsl_cdf_ugaussian_P(-del);
  if (del == 0.0 || x == 0.0) {
    /* lam = 0: only p_0 = 1 survives; I_x(1/2, df/2) is the central t part. */
    double b = 0.0;
    if (x > 0.0 && beta_inc(0.5, half_df, x, &b) != GSL_SUCCESS) return VAGAP_ENUMERIC;
    if (del == 0.0) {
      *out = base + 0.5 * b;
      return VAGAP_OK;
    }
    *out = base; /* t == 0: all incomplete betas vanish */
    return VAGAP_OK;
  }
  double lam = del * del / 2.0;
  double sign_del = del > 0 ? 1.0 : -1.0;
  size_t mode = (size_t)floor(lam);
  double sum = 0.0, term, weight;
  /* Upward from the mode: Poisson terms fall at least geometrically with
     ratio lam/(j+1), and every incomplete beta is at most 1, so the
     remainder is below weight/(1 - ratio).  Stop when that is negligible
     relative to the value so far (relative, so that tiny tails keep their
     digits). */
  size_t j = mode;
  for (size_t it = 0;; it++, j++) {
    if (it > NCT_MAX_TERMS) return VAGAP_ENUMERIC;
    if (nct_term(memo, j, x, half_df, lam, sign_del, &term, &weight) != GSL_SUCCESS)
      return VAGAP_ENUMERIC;
    sum += term;
    double ratio = lam / ((double)j + 1.0);
    if (ratio < 1.0 && 0.5 * weight / (1.0 - ratio) <= NCT_EPS * fabs(base + 0.5 * sum)) break;
  }
  /* Downward from the mode (ratio j/lam going down), at most `mode` terms. */
  for (j = mode; j-- > 0;) {
    if (nct_term(memo, j, x, half_df, lam, sign_del, &term, &weight) != GSL_SUCCESS)
      return VAGAP_ENUMERIC;
    sum += term;
    double ratio = (double)j / lam;
    if (ratio < 1.0 && 0.5 * weight / (1.0 - ratio) <= NCT_EPS * fabs(base + 0.5 * sum)) break;
  }
  double p = base + 0.5 * sum;
  /* Rounding can step just outside [0, 1]. */
  *out = fmin(1.0, fmax(0.0, p));
  return VAGAP_OK;
}

static vagap_status_t nct_cdf(nct_beta_memo_t *memo, double t, double df, double ncp, double *p,
                              vagap_error_t *err) {
  *p = NAN;
  if (isnan(t) || !(df > 0) || !isfinite(ncp))
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "noncentral t needs df > 0 and finite ncp (t = %g, df = %g, ncp = %g)",
                           t, df, ncp);
  if (isinf(t)) {
    *p = t > 0 ? 1.0 : 0.0;
    return VAGAP_OK;
  }
  if (ncp * ncp / 2.0 > NCT_SERIES_MAX_LAMBDA) {
    /* The series would need ~10 sqrt(lambda) terms around its mode; this far
       out use the normal approximation that R's pnt uses beyond |ncp| 37.62
       (Abramowitz & Stegun 26.7.10). */
    double s = 1.0 / (4.0 * df);
    *p = gsl_cdf_ugaussian_P((t * (1.0 - s) - ncp) / sqrt(1.0 + 2.0 * t * t * s));
    return VAGAP_OK;
  }
  vagap_status_t st;
  if (t >= 0) {
    st = nct_cdf_nonneg(memo, t, df, ncp, p);
  } else {
    double q;
    st = nct_cdf_nonneg(memo, -t, df, -ncp, &q);
    *p = 1.0 - q;
  }
  if (st != VAGAP_OK)
    return vagap_error_set(err, st, NULL, 0, 0,
                           "noncentral t series failed (t = %g, df = %g, ncp = %g)", t, df, ncp);
  return VAGAP_OK;
}

vagap_status_t vagap_stats_nct_cdf(double t, double df, double ncp, double *p,
                                   vagap_error_t *err) {
  return nct_cdf(NULL, t, df, ncp, p, err);
}

typedef struct {
  double t, df, prob;
  int failed;
  nct_beta_memo_t memo;
} nct_root_ctx_t;

static double nct_root_fn(double ncp, void *params) {
  nct_root_ctx_t *c = params;
  double p;
  if (nct_cdf(&c->memo, c->t, c->df, ncp, &p, NULL) != VAGAP_OK) {
    c->failed = 1;
    return GSL_NAN;
  }
  return p - c->prob;
}

static vagap_status_t nct_ncp_search(nct_root_ctx_t *ctx, double *ncp, vagap_error_t *err) {
  double t = ctx->t, df = ctx->df, prob = ctx->prob;
  gsl_function f = {nct_root_fn, ctx};
  /* F(t; ncp) falls from 1 to 0 as ncp grows: grow a bracket around t. */
  double lo = t - 1.0, hi = t + 1.0, step = 1.0;
  for (int i = 0; nct_root_fn(lo, ctx) < 0 && !ctx->failed; i++) {
    if (i > 200) goto no_bracket;
    step *= 2.0;
    lo -= step;
  }
  step = 1.0;
  for (int i = 0; nct_root_fn(hi, ctx) > 0 && !ctx->failed; i++) {
    if (i > 200) goto no_bracket;
    step *= 2.0;
    hi += step;
  }
  if (ctx->failed) goto failed;
  gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
  if (!s) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  int rc = gsl_root_fsolver_set(s, &f, lo, hi);
  int status = GSL_CONTINUE;
  for (int iter = 0; rc == GSL_SUCCESS && status == GSL_CONTINUE && iter < 200; iter++) {
    rc = gsl_root_fsolver_iterate(s);
    if (rc != GSL_SUCCESS || ctx->failed) break;
    status = gsl_root_test_interval(gsl_root_fsolver_x_lower(s), gsl_root_fsolver_x_upper(s),
                                    1e-14, 1e-12);
  }
  double root = gsl_root_fsolver_root(s);
  gsl_root_fsolver_free(s);
  if (ctx->failed) goto failed;
  if (rc != GSL_SUCCESS || status != GSL_SUCCESS)
    return vagap_error_set(err, VAGAP_ENOCONV, NULL, 0, 0,
                           "noncentral t inversion did not converge (t = %g, df = %g)", t, df);
  *ncp = root;
  return VAGAP_OK;
no_bracket:
  return vagap_error_set(err, VAGAP_ENOCONV, NULL, 0, 0,
                         "noncentral t inversion found no bracket (t = %g, df = %g, p = %g)",
                         t, df, prob);
failed:
  return vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0,
                         "noncentral t series failed while inverting (t = %g, df = %g)", t, df);
}

vagap_status_t vagap_stats_nct_ncp(double t, double df, double prob, double *ncp,
                                   vagap_error_t *err) {
  *ncp = NAN;
  if (!isfinite(t) || !(df > 0) || !(prob > 0 && prob < 1))
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "ncp search needs finite t, df > 0 and 0 < prob < 1 "
                           "(t = %g, df = %g, prob = %g)", t, df, prob);
  nct_root_ctx_t ctx = {t, df, prob, 0, {t * t / (t * t + df), df / 2.0, NULL, NULL, NULL, 0}};
  vagap_status_t st = nct_ncp_search(&ctx, ncp, err);
  nct_beta_memo_free(&ctx.memo);
  return st;
}

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

/* ---- ranks ---------------------------------------------------------------------- */

vagap_status_t vagap_stats_rank(const double *x, size_t n, double *ranks, int *ties,
                                vagap_error_t *err) {
  if (ties) *ties = 0;
  for (size_t i = 0; i < n; i++)
    if (isnan(x[i]))
      return vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0, "cannot rank a missing value (%zu)",
                             i + 1);
  if (n == 0) return VAGAP_OK;
  size_t *order = malloc(n * sizeof *order);
  if (!order) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  gsl_sort_index(order, x, 1, n);
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && x[order[j]] == x[order[i]]) j++;
    /* positions i..j-1 (0-based) share the mean of ranks i+1..j */
    double avg = ((double)(i + 1) + (double)j) / 2.0;
    for (size_t m = i; m < j; m++) ranks[order[m]] = avg;
    if (j - i > 1 && ties) *ties = 1;
    i = j;
  }
  free(order);
  return VAGAP_OK;
}

/* ---- correlation ------------------------------------------------------------------ */

void vagap_cor_options_init(vagap_cor_options_t *opt) {
  opt->method = VAGAP_COR_PEARSON;
  opt->alternative = VAGAP_ALT_TWO_SIDED;
  opt->conf_level = 0.95;
  opt->spearman_p = VAGAP_SPEARMAN_P_T;
}

const char *vagap_cor_method_name(vagap_cor_method_t method) {
  switch (method) {
  case VAGAP_COR_PEARSON: return "Pearson's product-moment correlation";
  case VAGAP_COR_SPEARMAN: return "Spearman's rank correlation rho";
  }
  return "unknown";
}

/*
 * Exact P(S >= s) for Spearman's S = sum (i - pi(i))^2 over all n!
 * permutations (n <= 9), enumerated in lexicographic order.
 */
static double spearman_exact_upper(int n, double s) {
  int perm[9];
  for (int i = 0; i < n; i++) perm[i] = i;
  long count = 0, total = 0;
  for (;;) {
    long ss = 0;
    for (int i = 0; i < n; i++) ss += (long)(i - perm[i]) * (i - perm[i]);
    total++;
    if ((double)ss >= s) count++;
    /* next permutation (lexicographic) */
    int i = n - 2;
    while (i >= 0 && perm[i] > perm[i + 1]) i--;
    if (i < 0) break;
    int j = n - 1;
    while (perm[j] < perm[i]) j--;
    int tmp = perm[i];
    perm[i] = perm[j];
    perm[j] = tmp;
    for (int a = i + 1, b = n - 1; a < b; a++, b--) {
      tmp = perm[a];
      perm[a] = perm[b];
      perm[b] = tmp;
    }
  }
  return (double)count / (double)total;
}

/*
 * AS 89 (Best & Roberts 1975): P(S >= s), or P(S < s) when lower, for
 * Spearman's S with n values.  Exact for n <= 9 (R's choice), otherwise the
 * Edgeworth series with the published coefficients around the normal
 * approximation of rho sqrt(n-1).
 */
static double spearman_as89(int n, double s, int lower) {
  double n3 = (double)n * ((double)n * n - 1.0) / 3.0; /* maximum of S */
  if (s <= 0) return lower ? 0.0 : 1.0;
  if (s > n3) return lower ? 1.0 : 0.0;
  if (n <= 9) {
    double up = spearman_exact_upper(n, s);
    return lower ? 1.0 - up : up;
  }
  static const double c[12] = {0.2274, 0.2531, 0.1745, 0.0758, 0.1033, 0.3932,
                               0.0879, 0.0151, 0.0072, 0.0831, 0.0131, 4.6e-4};
  double dn = (double)n, b = 1.0 / dn;
  /* standardized statistic, rho * sqrt(n-1) with the continuity step of 1 in S */
  double x = (6.0 * (s - 1.0) * b / (dn * dn - 1.0) - 1.0) * sqrt(dn - 1.0);
  double y = x * x;
  double u = x * b *
             (c[0] + b * (c[1] + c[2] * b) +
              y * (-c[3] + b * (c[4] + c[5] * b) -
                   y * b * (c[6] + c[7] * b - y * (c[8] - c[9] * b + y * b * (c[10] - c[11] * y)))));
  double corr = u / exp(y / 2.0);
  /* x grows with S: the upper tail of S is the upper tail of x */
  double p = lower ? gsl_cdf_ugaussian_P(x) - corr : gsl_cdf_ugaussian_Q(x) + corr;
  return fmin(1.0, fmax(0.0, p));
}

/* R cor.test's exact Spearman p-value from S = q. */
static double spearman_as89_pvalue(int n, double q, vagap_alternative_t alt) {
  /* R: lower tail P(S <= q) is asked as P(S < round(q) + 2) since S moves in steps of 2 */
  double lower_arg = round(q) + 2.0, upper_arg = round(q);
  double half = (double)n * ((double)n * n - 1.0) / 6.0;
  switch (alt) {
  case VAGAP_ALT_GREATER: return spearman_as89(n, lower_arg, 1);
  case VAGAP_ALT_LESS: return spearman_as89(n, upper_arg, 0);
  default: {
    double p = q > half ? spearman_as89(n, upper_arg, 0) : spearman_as89(n, lower_arg, 1);
    return fmin(1.0, 2.0 * p);
  }
  }
}

static void cor_clear(vagap_cor_t *r, const vagap_cor_options_t *o) {
  memset(r, 0, sizeof *r);
  r->method = o->method;
  r->alternative = o->alternative;
  r->conf_level = o->conf_level;
  r->estimate = r->statistic = r->statistic_s = r->df = NAN;
  r->p_value = r->log10_p = r->fisher_z = r->z_se = r->conf_low = r->conf_high = NAN;
}

/* Fisher-z interval as R cor.test: tanh(atanh(r) -+ z_crit / sqrt(n - 3)). */
static void fisher_interval(vagap_cor_t *r) {
  if (r->n <= 3) return;
  double z = atanh(r->estimate);
  double se = 1.0 / sqrt((double)r->n - 3.0);
  r->fisher_z = z;
  r->z_se = se;
  if (fabs(r->estimate) == 1.0) {
    r->conf_low = r->conf_high = r->estimate;
    if (r->alternative == VAGAP_ALT_LESS) r->conf_low = -1.0;
    if (r->alternative == VAGAP_ALT_GREATER) r->conf_high = 1.0;
    return;
  }
  double q;
  switch (r->alternative) {
  case VAGAP_ALT_LESS:
    q = gsl_cdf_ugaussian_Pinv(r->conf_level);
    r->conf_low = -1.0;
    r->conf_high = tanh(z + se * q);
    break;
  case VAGAP_ALT_GREATER:
    q = gsl_cdf_ugaussian_Pinv(r->conf_level);
    r->conf_low = tanh(z - se * q);
    r->conf_high = 1.0;
    break;
  default:
    q = gsl_cdf_ugaussian_Pinv((1.0 + r->conf_level) / 2.0);
    r->conf_low = tanh(z - se * q);
    r->conf_high = tanh(z + se * q);
    break;
  }
}

/* t, df and p for a correlation estimate (Pearson, and Spearman's t method). */
static vagap_status_t cor_t_inference(vagap_cor_t *r, vagap_error_t *err) {
  double rr = r->estimate;
  r->df = (double)r->n - 2.0;
  if (fabs(rr) == 1.0) {
    r->statistic = rr > 0 ? INFINITY : -INFINITY;
  } else {
    r->statistic = sqrt(r->df) * rr / sqrt(1.0 - rr * rr);
  }
  return vagap_stats_t_pvalue(r->statistic, r->df, r->alternative, &r->p_value, &r->log10_p,
                              err);
}

vagap_status_t vagap_stats_cor(const double *x, const double *y, size_t n,
                               const vagap_cor_options_t *opt, vagap_cor_t *res,
                               vagap_error_t *err) {
  vagap_cor_options_t defaults;
  if (!opt) {
    vagap_cor_options_init(&defaults);
    opt = &defaults;
  }
  cor_clear(res, opt);
  if (!conf_level_ok(opt->conf_level))
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "confidence level %g is not between 0 and 1", opt->conf_level);
  if (!alternative_ok(opt->alternative) ||
      (opt->method != VAGAP_COR_PEARSON && opt->method != VAGAP_COR_SPEARMAN))
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "unknown correlation option");
  double *bx = alloc_doubles(n), *by = alloc_doubles(n);
  double *rx = alloc_doubles(n), *ry = alloc_doubles(n);
  if (!bx || !by || !rx || !ry) {
    free(bx), free(by), free(rx), free(ry);
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  }
  size_t k = 0, miss = 0;
  vagap_status_t st = compact_pairs(x, y, n, bx, by, &k, &miss, err);
  if (st != VAGAP_OK) goto done;
  res->n = k;
  res->n_excluded = miss;
  if (k < 3) {
    st = vagap_error_set(err, VAGAP_EDOMAIN, NULL, 0, 0,
                         "a correlation test needs at least 3 complete pairs, got %zu", k);
    goto done;
  }
  if (opt->method == VAGAP_COR_SPEARMAN) {
    int tx = 0, ty = 0;
    st = vagap_stats_rank(bx, k, rx, &tx, err);
    if (st == VAGAP_OK) st = vagap_stats_rank(by, k, ry, &ty, err);
    if (st != VAGAP_OK) goto done;
    res->ties = tx || ty;
    memcpy(bx, rx, k * sizeof *bx);
    memcpy(by, ry, k * sizeof *by);
  }
  {
    /* r = cov / sqrt(var_x var_y), two-pass with the means; sqrt of a
       rounded square returns the root exactly, so y = x and y = -x give
       r = +-1 exactly. */
    double mx = gsl_stats_mean(bx, 1, k), my = gsl_stats_mean(by, 1, k);
    double vx = gsl_stats_variance_m(bx, 1, k, mx), vy = gsl_stats_variance_m(by, 1, k, my);
    if (!(vx > 0) || !(vy > 0)) {
      st = vagap_error_set(err, VAGAP_EDOMAIN, NULL, 0, 0,
                           "a correlation is undefined when a variable is constant");
      goto done;
    }
    double cov = gsl_stats_covariance_m(bx, 1, by, 1, k, mx, my);
    res->estimate = fmax(-1.0, fmin(1.0, cov / sqrt(vx * vy)));
  }
  st = cor_t_inference(res, err);
  if (st != VAGAP_OK) goto done;
  if (opt->method == VAGAP_COR_PEARSON) {
    fisher_interval(res);
  } else {
    double dn = (double)k;
    res->statistic_s = (dn * dn * dn - dn) * (1.0 - res->estimate) / 6.0;
    if (opt->spearman_p == VAGAP_SPEARMAN_P_AS89 && !res->ties && k < 1290) {
      res->p_value = spearman_as89_pvalue((int)k, res->statistic_s, opt->alternative);
      res->log10_p = res->p_value > 0 ? log10(res->p_value) : -INFINITY;
    }
  }
done:
  free(bx), free(by), free(rx), free(ry);
  return st;
}

/* ---- proportions --------------------------------------------------------------------- */

void vagap_prop_options_init(vagap_prop_options_t *opt) {
  opt->alternative = VAGAP_ALT_TWO_SIDED;
  opt->conf_level = 0.95;
  opt->p0 = 0.5;
}

/* log of the binomial probability of k successes in n trials. */
static double log_dbinom(unsigned k, unsigned n, double p) {
  if (p == 0.0) return k == 0 ? 0.0 : -INFINITY;
  if (p == 1.0) return k == n ? 0.0 : -INFINITY;
  return gsl_sf_lnchoose(n, k) + k * log(p) + (n - k) * log1p(-p);
}

/* log of sum_{k=lo..hi} dbinom(k) (0 terms: -Inf), for underflowing tails. */
static double log_binom_sum(unsigned lo, unsigned hi, unsigned n, double p) {
  if (lo > hi) return -INFINITY;
  double mx = -INFINITY;
  for (unsigned k = lo;; k++) {
    mx = fmax(mx, log_dbinom(k, n, p));
    if (k == hi) break;
  }
  if (isinf(mx)) return mx;
  double s = 0.0;
  for (unsigned k = lo;; k++) {
    s += exp(log_dbinom(k, n, p) - mx);
    if (k == hi) break;
  }
  return mx + log(s);
}

/* P(X <= k) with P(X <= -1) = 0 */
static double pbinom_le(long k, unsigned n, double p) {
  if (k < 0) return 0.0;
  if (k >= (long)n) return 1.0;
  return gsl_cdf_binomial_P((unsigned)k, p, n);
}

/* P(X > k) with P(X > -1) = 1 */
static double pbinom_gt(long k, unsigned n, double p) {
  if (k < 0) return 1.0;
  if (k >= (long)n) return 0.0;
  return gsl_cdf_binomial_Q((unsigned)k, p, n);
}

/*
 * Exact binomial test p-value and its natural log, as R binom.test: two-sided
 * sums the outcomes whose probability is at most d * (1 + 1e-7), d = P(X = x),
 * the ones on the other side of the mean n p being counted by comparison.
 */
static void binom_pvalue(unsigned x, unsigned n, double p0, vagap_alternative_t alt, double *p,
                         double *lnp) {
  unsigned lo_a = 0, hi_a = 0, lo_b = 1, hi_b = 0; /* [lo_a,hi_a] and [lo_b,hi_b]; b empty */
  if (alt == VAGAP_ALT_LESS) {
    *p = pbinom_le(x, n, p0);
    lo_a = 0, hi_a = x;
  } else if (alt == VAGAP_ALT_GREATER) {
    *p = pbinom_gt((long)x - 1, n, p0);
    lo_a = x, hi_a = n;
  } else if (p0 == 0.0 || p0 == 1.0) {
    int hit = p0 == 0.0 ? x == 0 : x == n;
    *p = hit ? 1.0 : 0.0;
    *lnp = hit ? 0.0 : -INFINITY;
    return;
  } else {
    double m = (double)n * p0;
    double ld = log_dbinom(x, n, p0) + log1p(1e-7);
    if ((double)x == m) {
      *p = 1.0;
      *lnp = 0.0;
      return;
    }
    if ((double)x < m) {
      unsigned y = 0;
      for (unsigned i = (unsigned)ceil(m); i <= n; i++)
        if (log_dbinom(i, n, p0) <= ld) y++;
      *p = pbinom_le(x, n, p0) + pbinom_gt((long)n - (long)y, n, p0);
      lo_a = 0, hi_a = x;
      if (y > 0) lo_b = n - y + 1, hi_b = n;
    } else {
      unsigned y = 0;
      unsigned top = (unsigned)floor(m);
      for (unsigned i = 0; i <= top; i++)
        if (log_dbinom(i, n, p0) <= ld) y++;
      *p = pbinom_le((long)y - 1, n, p0) + pbinom_gt((long)x - 1, n, p0);
      lo_a = x, hi_a = n;
      if (y > 0) lo_b = 0, hi_b = y - 1;
    }
    *p = fmin(1.0, *p);
  }
  if (*p >= TINY_P) {
    *lnp = log(*p);
    return;
  }
  double la = log_binom_sum(lo_a, hi_a, n, p0);
  double lb = lo_b <= hi_b ? log_binom_sum(lo_b, hi_b, n, p0) : -INFINITY;
  double mx = fmax(la, lb);
  *lnp = isinf(mx) ? mx : mx + log(exp(la - mx) + exp(lb - mx));
}

/* Wilson (1927) score interval without continuity correction. */
static void wilson_interval(vagap_prop_t *r) {
  double n = (double)r->n, ph = r->estimate;
  double z = r->alternative == VAGAP_ALT_TWO_SIDED
                 ? gsl_cdf_ugaussian_Pinv((1.0 + r->conf_level) / 2.0)
                 : gsl_cdf_ugaussian_Pinv(r->conf_level);
  double z2 = z * z;
  double denom = 1.0 + z2 / n;
  double center = (ph + z2 / (2.0 * n)) / denom;
  double half = z * sqrt(ph * (1.0 - ph) / n + z2 / (4.0 * n * n)) / denom;
  double lo = fmax(0.0, center - half), hi = fmin(1.0, center + half);
  /* R's prop.test pins the bound at an observed 0 or 1 to exactly 0 / 1 */
  if (r->x == 0) lo = 0.0;
  if (r->x == r->n) hi = 1.0;
  r->conf_low = r->alternative == VAGAP_ALT_LESS ? 0.0 : lo;
  r->conf_high = r->alternative == VAGAP_ALT_GREATER ? 1.0 : hi;
}

typedef struct {
  double tail, a, b;
  int upper; /* 1: the tail is P(B > p), else P(B <= p) */
} beta_tail_eq_t;

/* Increasing in p, zero at the quantile; the tail is computed directly
   (P or Q), so a small tail probability keeps its relative accuracy. */
static double beta_tail_gap(double p, void *params) {
  const beta_tail_eq_t *e = params;
  return e->upper ? e->tail - gsl_cdf_beta_Q(p, e->a, e->b) : gsl_cdf_beta_P(p, e->a, e->b) - e->tail;
}

/*
 * The p with P(Beta(a, b) <= p) = tail (upper = 0) or P(Beta(a, b) > p) =
 * tail (upper = 1), by Brent's method on [0, 1].  GSL's gsl_cdf_beta_Pinv
 * is not used: its Newton steps return NaN for some large a, b (e.g. the
 * lower Clopper-Pearson bound of 1870 of 2000), while the CDF itself is
 * accurate there, and a bracketing root finder on it cannot diverge.
 */
static double beta_quantile(double tail, double a, double b, int upper) {
  beta_tail_eq_t e = {tail, a, b, upper};
  gsl_function f = {beta_tail_gap, &e};
  gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
  double root = NAN;
  if (s && gsl_root_fsolver_set(s, &f, 0.0, 1.0) == GSL_SUCCESS) {
    for (int it = 0; it < 1000; it++) {
      if (gsl_root_fsolver_iterate(s) != GSL_SUCCESS) break;
      root = gsl_root_fsolver_root(s);
      double lo = gsl_root_fsolver_x_lower(s), hi = gsl_root_fsolver_x_upper(s);
      if (gsl_root_test_interval(lo, hi, 0.0, 2.0 * DBL_EPSILON) == GSL_SUCCESS) break;
    }
  }
  if (s) gsl_root_fsolver_free(s);
  return root;
}

/* Clopper-Pearson bounds as binom.test: qbeta(a, x, n - x + 1) and
   qbeta(1 - a, x + 1, n - x), the latter as an upper tail of a. */
static void exact_interval(vagap_prop_t *r) {
  double alpha = 1.0 - r->conf_level;
  double a = r->alternative == VAGAP_ALT_TWO_SIDED ? alpha / 2.0 : alpha;
  double x = (double)r->x, n = (double)r->n;
  double lo = r->x == 0 ? 0.0 : beta_quantile(a, x, n - x + 1.0, 0);
  double hi = r->x == r->n ? 1.0 : beta_quantile(a, x + 1.0, n - x, 1);
  r->exact_low = r->alternative == VAGAP_ALT_LESS ? 0.0 : lo;
  r->exact_high = r->alternative == VAGAP_ALT_GREATER ? 1.0 : hi;
}

vagap_status_t vagap_stats_prop_test(size_t x, size_t n, const vagap_prop_options_t *opt,
                                     vagap_prop_t *res, vagap_error_t *err) {
  vagap_prop_options_t defaults;
  if (!opt) {
    vagap_prop_options_init(&defaults);
    opt = &defaults;
  }
  memset(res, 0, sizeof *res);
  res->alternative = opt->alternative;
  res->conf_level = opt->conf_level;
  res->p0 = opt->p0;
  res->x = x;
  res->n = n;
  res->estimate = res->std_error = res->conf_low = res->conf_high = NAN;
  res->exact_low = res->exact_high = res->p_value = res->log10_p = NAN;
  if (!conf_level_ok(opt->conf_level))
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "confidence level %g is not between 0 and 1", opt->conf_level);
  if (!(opt->p0 >= 0.0 && opt->p0 <= 1.0))
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "p0 = %g is not in [0, 1]", opt->p0);
  if (!alternative_ok(opt->alternative))
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "unknown alternative");
  if (x > n)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "successes %zu exceed trials %zu", x, n);
  if (n > UINT_MAX)
    return vagap_error_set(err, VAGAP_ELIMIT, NULL, 0, 0, "%zu trials is too many", n);
  if (n == 0)
    return vagap_error_set(err, VAGAP_EDOMAIN, NULL, 0, 0, "a proportion needs at least 1 trial");
  res->estimate = (double)x / (double)n;
  res->std_error = sqrt(res->estimate * (1.0 - res->estimate) / (double)n);
  wilson_interval(res);
  exact_interval(res);
  double lnp;
  binom_pvalue((unsigned)x, (unsigned)n, opt->p0, opt->alternative, &res->p_value, &lnp);
  res->log10_p = log10_of(res->p_value, lnp);
  if (!isfinite(res->exact_low) || !isfinite(res->exact_high) || isnan(res->p_value))
    return vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0,
                           "binomial distribution functions failed (x = %zu, n = %zu)", x, n);
  return VAGAP_OK;
}

/* ---- p-value adjustment --------------------------------------------------------------- */

const char *vagap_p_adjust_name(vagap_p_adjust_t method) {
  switch (method) {
  case VAGAP_P_ADJUST_NONE: return "none";
  case VAGAP_P_ADJUST_BONFERRONI: return "bonferroni";
  case VAGAP_P_ADJUST_HOLM: return "holm";
  case VAGAP_P_ADJUST_HOCHBERG: return "hochberg";
  case VAGAP_P_ADJUST_BH: return "BH";
  case VAGAP_P_ADJUST_BY: return "BY";
  }
  return "unknown";
}

vagap_status_t vagap_p_adjust_parse(const char *s, vagap_p_adjust_t *method, vagap_error_t *err) {
  static const struct {
    const char *name;
    vagap_p_adjust_t m;
  } names[] = {{"none", VAGAP_P_ADJUST_NONE},   {"bonferroni", VAGAP_P_ADJUST_BONFERRONI},
               {"holm", VAGAP_P_ADJUST_HOLM},   {"hochberg", VAGAP_P_ADJUST_HOCHBERG},
               {"bh", VAGAP_P_ADJUST_BH},       {"fdr", VAGAP_P_ADJUST_BH},
               {"by", VAGAP_P_ADJUST_BY}};
  for (size_t i = 0; s && i < sizeof names / sizeof names[0]; i++)
    if (!strcasecmp(s, names[i].name)) {
      *method = names[i].m;
      return VAGAP_OK;
    }
  return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                         "p-value adjustment '%s' is not one of none, bonferroni, holm, "
                         "hochberg, BH (fdr), BY", s ? s : "(null)");
}

vagap_status_t vagap_stats_p_adjust(const double *p, size_t n, vagap_p_adjust_t method,
                                    double *adjusted, vagap_error_t *err) {
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    if (isnan(p[i])) continue;
    if (!(p[i] >= 0.0 && p[i] <= 1.0))
      return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "p-value %zu (%g) is not in [0, 1]",
                             i + 1, p[i]);
    m++;
  }
  if (method < VAGAP_P_ADJUST_NONE || method > VAGAP_P_ADJUST_BY)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "unknown p-value adjustment");
  /* the non-missing p-values and where they came from */
  double *v = alloc_doubles(m);
  size_t *where = malloc((m ? m : 1) * sizeof *where);
  size_t *order = malloc((m ? m : 1) * sizeof *order);
  double *out = alloc_doubles(m);
  if (!v || !where || !order || !out) {
    free(v), free(where), free(order), free(out);
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  }
  for (size_t i = 0, k = 0; i < n; i++)
    if (!isnan(p[i])) where[k] = i, v[k++] = p[i];
  double dm = (double)m;
  if (m > 0) gsl_sort_index(order, v, 1, m); /* ascending */
  switch (method) {
  case VAGAP_P_ADJUST_NONE:
    for (size_t k = 0; k < m; k++) out[k] = v[k];
    break;
  case VAGAP_P_ADJUST_BONFERRONI:
    for (size_t k = 0; k < m; k++) out[k] = fmin(1.0, dm * v[k]);
    break;
  case VAGAP_P_ADJUST_HOLM: {
    /* step-down: running maximum of (m - i + 1) p_(i) over ascending i */
    double run = 0.0;
    for (size_t i = 0; i < m; i++) {
      run = fmax(run, (dm - (double)i) * v[order[i]]);
      out[order[i]] = fmin(1.0, run);
    }
    break;
  }
  case VAGAP_P_ADJUST_HOCHBERG:
  case VAGAP_P_ADJUST_BH:
  case VAGAP_P_ADJUST_BY: {
    /* step-up: running minimum from the largest p-value down */
    double q = 1.0;
    if (method == VAGAP_P_ADJUST_BY) {
      q = 0.0;
      for (size_t i = 1; i <= m; i++) q += 1.0 / (double)i;
    }
    double run = INFINITY;
    for (size_t i = m; i-- > 0;) {
      double rank = (double)i + 1.0; /* 1-based ascending rank */
      double f = method == VAGAP_P_ADJUST_HOCHBERG ? (dm - rank + 1.0) : q * dm / rank;
      run = fmin(run, f * v[order[i]]);
      out[order[i]] = fmin(1.0, run);
    }
    break;
  }
  }
  for (size_t i = 0; i < n; i++)
    if (isnan(p[i])) adjusted[i] = NAN;
  for (size_t k = 0; k < m; k++) adjusted[where[k]] = out[k];
  free(v), free(where), free(order), free(out);
  return VAGAP_OK;
}

/* ---- Cronbach's alpha ---------------------------------------------------------------- */

vagap_status_t vagap_stats_cronbach_alpha(const double *data, size_t nrows, size_t k,
                                          size_t stride, vagap_alpha_t *res, vagap_error_t *err) {
  memset(res, 0, sizeof *res);
  res->k = k;
  res->alpha = res->alpha_std = res->mean_r = NAN;
  if (stride < k)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "stride %zu is below k = %zu", stride, k);
  /* complete rows, column by column into a k x n matrix (column-major) */
  size_t n = 0;
  for (size_t i = 0; i < nrows; i++) {
    int complete = 1;
    for (size_t j = 0; j < k; j++) {
      double v = data[i * stride + j];
      if (isnan(v)) complete = 0;
      else if (!isfinite(v))
        return vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0,
                               "item %zu of row %zu is infinite", j + 1, i + 1);
    }
    n += complete;
  }
  res->n = n;
  res->n_excluded = nrows - n;
  if (k < 2)
    return vagap_error_set(err, VAGAP_EDOMAIN, NULL, 0, 0,
                           "Cronbach's alpha needs at least 2 items, got %zu", k);
  if (n < 2)
    return vagap_error_set(err, VAGAP_EDOMAIN, NULL, 0, 0,
                           "Cronbach's alpha needs at least 2 complete rows, got %zu", n);
  double *cols = malloc(k * n * sizeof *cols), *total = malloc(n * sizeof *total);
  double *var = malloc(k * sizeof *var);
  if (!cols || !total || !var) {
    free(cols), free(total), free(var);
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  }
  for (size_t i = 0, r = 0; i < nrows; i++) {
    int complete = 1;
    for (size_t j = 0; j < k; j++)
      if (isnan(data[i * stride + j])) complete = 0;
    if (!complete) continue;
    total[r] = 0.0;
    for (size_t j = 0; j < k; j++) {
      cols[j * n + r] = data[i * stride + j];
      total[r] += data[i * stride + j];
    }
    r++;
  }
  double sum_var = 0.0;
  int any_constant = 0;
  for (size_t j = 0; j < k; j++) {
    var[j] = gsl_stats_variance(cols + j * n, 1, n);
    sum_var += var[j];
    if (!(var[j] > 0)) any_constant = 1;
  }
  double var_total = gsl_stats_variance(total, 1, n);
  vagap_status_t st = VAGAP_OK;
  double dk = (double)k;
  if (!(var_total > 0)) {
    st = vagap_error_set(err, VAGAP_EDOMAIN, NULL, 0, 0,
                         "Cronbach's alpha is undefined: the total score is constant");
  } else {
    res->alpha = dk / (dk - 1.0) * (1.0 - sum_var / var_total);
    if (!any_constant) {
      double sum_r = 0.0;
      for (size_t a = 0; a < k; a++)
        for (size_t b = a + 1; b < k; b++)
          sum_r += gsl_stats_correlation(cols + a * n, 1, cols + b * n, 1, n);
      res->mean_r = sum_r / (dk * (dk - 1.0) / 2.0);
      res->alpha_std = dk * res->mean_r / (1.0 + (dk - 1.0) * res->mean_r);
    }
  }
  free(cols), free(total), free(var);
  return st;
}
