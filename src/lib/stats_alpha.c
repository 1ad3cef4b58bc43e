/*
 * stats_alpha.c - Cronbach's alpha (see include/vagap/stats.h).  Split from
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
