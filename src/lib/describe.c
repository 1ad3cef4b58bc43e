#include "vagap/describe.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>

double vagap_describe_mean(const double *x, size_t n) {
  if (n == 0) return NAN;
  long double sum = 0;
  for (size_t i = 0; i < n; i++) sum += x[i];
  long double mean = sum / (long double)n;
  if (!isfinite((double)mean)) return (double)mean;
  long double correction = 0;
  for (size_t i = 0; i < n; i++) correction += x[i] - mean;
  return (double)(mean + correction / (long double)n);
}

double vagap_describe_variance(const double *x, size_t n, double mean) {
  if (n < 2) return NAN;
  long double ss = 0;
  for (size_t i = 0; i < n; i++) {
    long double d = x[i] - (long double)mean;
    ss += d * d;
  }
  return (double)(ss / (long double)(n - 1));
}

void vagap_describe_numeric(const double *x, size_t n, double *scratch,
                            vagap_numeric_summary_t *out) {
  size_t m = 0;
  double min = INFINITY, max = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    if (isnan(x[i])) continue;
    scratch[m++] = x[i];
    if (x[i] < min) min = x[i];
    if (x[i] > max) max = x[i];
  }
  out->n = m;
  out->missing = n - m;
  out->mean = out->sd = out->min = out->median = out->max = NAN;
  if (m == 0) return;
  out->mean = vagap_describe_mean(scratch, m);
  out->sd = sqrt(vagap_describe_variance(scratch, m, out->mean));
  out->min = min;
  out->max = max;
  out->median = gsl_stats_median(scratch, 1, m); /* reorders scratch */
}
