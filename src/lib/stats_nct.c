/*
 * stats_nct.c - the noncentral t distribution and its noncentrality search
 * (see include/vagap/stats.h): a series of GSL incomplete betas, because GSL
 * has no noncentral t.  Split from stats.c without changes.
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
