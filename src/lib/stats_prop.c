/*
 * stats_prop.c - proportions: the exact binomial test (R's binom.test rule
 * for the two-sided p), the Wilson interval and the Clopper-Pearson bounds
 * (see include/vagap/stats.h).  Split from stats.c without changes.
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
