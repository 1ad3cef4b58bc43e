/*
 * stats_cor.c - ranks and Pearson/Spearman correlation tests, with the AS 89
 * distribution of Spearman's S (see include/vagap/stats.h).  Split from
 * stats.c without changes.
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
