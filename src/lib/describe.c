#include "vagap/describe.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* R's mean() given the long double sum of x[0..n): sum / n, then one correction pass. */
static double mean_from_sum(const double *x, size_t n, long double sum) {
  long double mean = sum / (long double)n;
  if (!isfinite((double)mean)) return (double)mean;
  long double correction = 0;
  for (size_t i = 0; i < n; i++) correction += x[i] - mean;
  return (double)(mean + correction / (long double)n);
}

double vagap_describe_mean(const double *x, size_t n) {
  if (n == 0) return NAN;
  long double sum = 0;
  for (size_t i = 0; i < n; i++) sum += x[i];
  return mean_from_sum(x, n, sum);
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

/* ---- the median ------------------------------------------------------------------ */

/*
 * GSL's quickselect over a large sample is mostly mispredicted branches.  A
 * histogram of the values' leading 16 bits (sign, exponent, 4 mantissa bits),
 * taken in the pass that gathers the values anyway, tells which bucket holds
 * the middle order statistics; only that bucket's values (a few percent of a
 * sample of a continuous variable) go to GSL's selection.  The order
 * statistics are the same values, and the median is formed from them as GSL
 * forms it, so the result does not change.
 */
#define MEDIAN_BUCKET_BITS 16
#define MEDIAN_BUCKETS ((size_t)1 << MEDIAN_BUCKET_BITS)
#define MEDIAN_BUCKETS_FROM 4096 /* smaller samples go to GSL whole */

/* The leading bits of a key that orders as the doubles do (+0 and -0 share one):
   negative numbers' bits inverted, positive numbers' sign bit set.  Without
   branches, which a column of mixed signs would mispredict half the time. */
static inline size_t median_bucket(double x) {
  uint64_t u;
  memcpy(&u, &x, sizeof u);
  u = x == 0 ? 0 : u;
  uint64_t negative = (uint64_t)0 - (u >> 63); /* all ones for a negative number */
  u ^= negative | ((uint64_t)1 << 63);
  return (size_t)(u >> (64 - MEDIAN_BUCKET_BITS));
}

/* The bucket holding order statistic k (0-based) and, unless `below` is NULL, the count
   of values in buckets before it. */
static size_t bucket_of_rank(const size_t *counts, size_t k, size_t *below) {
  size_t b = 0, cum = 0;
  while (cum + counts[b] <= k) cum += counts[b++];
  if (below) *below = cum;
  return b;
}

/* The median of x[0..n) (n >= 1, no NaN) from its bucket counts; reorders x. */
static double median_from_buckets(double *x, size_t n, const size_t *counts) {
  size_t lhs = (n - 1) / 2, rhs = n / 2, below;
  size_t first = bucket_of_rank(counts, lhs, &below);
  size_t last = bucket_of_rank(counts, rhs, NULL); /* first, or the next bucket with values */
  size_t m = 0, width = last - first;
  for (size_t i = 0; i < n; i++) { /* keep x[i] when its bucket is in [first, last] (m <= i) */
    x[m] = x[i];
    m += median_bucket(x[i]) - first <= width;
  }
  double middle[2] = {gsl_stats_select(x, 1, m, lhs - below), 0};
  if (lhs == rhs) return middle[0];
  middle[1] = gsl_stats_select(x, 1, m, rhs - below);
  return gsl_stats_median_from_sorted_data(middle, 1, 2); /* GSL's mean of the two */
}

void vagap_describe_numeric(const double *x, size_t n, double *scratch,
                            vagap_numeric_summary_t *out) {
  size_t m = 0;
  double min = INFINITY, max = -INFINITY;
  long double sum = 0;
  size_t *counts = n >= MEDIAN_BUCKETS_FROM ? calloc(MEDIAN_BUCKETS, sizeof *counts) : NULL;
  for (size_t i = 0; i < n; i++) {
    if (isnan(x[i])) continue;
    scratch[m++] = x[i];
    sum += x[i];
    if (x[i] < min) min = x[i];
    if (x[i] > max) max = x[i];
    if (counts) counts[median_bucket(x[i])]++;
  }
  out->n = m;
  out->missing = n - m;
  out->mean = out->sd = out->min = out->median = out->max = NAN;
  if (m > 0) {
    out->mean = mean_from_sum(scratch, m, sum);
    out->sd = sqrt(vagap_describe_variance(scratch, m, out->mean));
    out->min = min;
    out->max = max;
    /* both reorder scratch */
    out->median = counts ? median_from_buckets(scratch, m, counts) : gsl_stats_median(scratch, 1, m);
  }
  free(counts);
}
