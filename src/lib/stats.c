/*
 * stats.c - what the statistic families share (helpers in
 * stats_internal.h, the alternative, t-distribution tails; see
 * include/vagap/stats.h).  The families have their own files:
 * stats_ttest.c, stats_nct.c, stats_cor.c, stats_prop.c, stats_padjust.c,
 * stats_alpha.c.
 *
 * Distribution functions come from GSL.  Written here are only what GSL
 * lacks: the noncentral t (a series of GSL incomplete betas), log-scale
 * tails for p-values below the double range, R's two-sided binomial rule and
 * the AS 89 distribution of Spearman's S.
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


/* ---- small helpers --------------------------------------------------------- */

int conf_level_ok(double conf) { return isfinite(conf) && conf > 0.0 && conf < 1.0; }

int alternative_ok(vagap_alternative_t alt) {
  return alt == VAGAP_ALT_TWO_SIDED || alt == VAGAP_ALT_LESS || alt == VAGAP_ALT_GREATER;
}

/* log10 of p, or of the log-scale value when p underflowed. */
double log10_of(double p, double lnp) {
  if (p >= TINY_P) return log10(p);
  return lnp / M_LN10;
}

/*
 * Copy the finite values of x into buf (n_out of them); NaN are counted as
 * missing; an infinite value is an error.
 */
vagap_status_t compact_finite(const double *x, size_t n, double *buf, size_t *n_out,
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
vagap_status_t compact_pairs(const double *x, const double *y, size_t n, double *bx,
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

double *alloc_doubles(size_t n) { return malloc((n ? n : 1) * sizeof(double)); }

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
