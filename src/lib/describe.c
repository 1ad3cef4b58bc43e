#include "vagap/describe.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* R's mean() from the long double mean sum / n and the sum of the values' deviations from it
   (its correction pass); a mean that is not finite is not corrected (the correction is NaN). */
static double corrected_mean(long double mean, long double correction, size_t n) {
  return !isfinite((double)mean) ? (double)mean : (double)(mean + correction / (long double)n);
}

/* The sample variance from the sum of squared deviations of n >= 2 values. */
static double variance_from_ss(long double ss, size_t n) { return (double)(ss / (long double)(n - 1)); }

/* R's mean() given the long double sum of x[0..n): sum / n, then one correction pass. */
static double mean_from_sum(const double *x, size_t n, long double sum) {
  long double mean = sum / (long double)n, correction = 0;
  if (isfinite((double)mean))
    for (size_t i = 0; i < n; i++) correction += x[i] - mean;
  return corrected_mean(mean, correction, n);
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
  return variance_from_ss(ss, n);
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
static size_t bucket_of_rank(const uint32_t *counts, size_t k, size_t *below) {
  size_t b = 0, cum = 0;
  while (cum + counts[b] <= k) cum += counts[b++];
  if (below) *below = cum;
  return b;
}

/*
 * The median of the m non-missing values among x[0..n) from their bucket counts:
 * the values of the middle bucket(s) are copied to scratch (NaN never is: its key
 * lies beyond every number's) and selected there.
 */
static double median_from_buckets(const double *x, size_t n, size_t m, const uint32_t *counts,
                                  double *scratch) {
  size_t lhs = (m - 1) / 2, rhs = m / 2, below;
  size_t first = bucket_of_rank(counts, lhs, &below);
  size_t last = bucket_of_rank(counts, rhs, NULL); /* first, or the next bucket with values */
  size_t k = 0, width = last - first;
  for (size_t i = 0; i < n; i++) { /* keep x[i] when its bucket is in [first, last] */
    scratch[k] = x[i];
    k += median_bucket(x[i]) - first <= width && !isnan(x[i]);
  }
  double middle[2] = {gsl_stats_select(scratch, 1, k, lhs - below), 0};
  if (lhs == rhs) return middle[0];
  middle[1] = gsl_stats_select(scratch, 1, k, rhs - below);
  return gsl_stats_median_from_sorted_data(middle, 1, 2); /* GSL's mean of the two */
}

/* The median of the m non-missing values among x[0..n) without buckets: GSL's over a copy. */
static double median_of_copy(const double *x, size_t n, size_t m, double *scratch) {
  for (size_t i = 0, k = 0; i < n; i++)
    if (!isnan(x[i])) scratch[k++] = x[i];
  return gsl_stats_median(scratch, 1, m);
}

/*
 * The long-double passes (R's sum, correction, sum of squares) are chains of
 * dependent additions, each waiting for the one before: a column alone keeps
 * the adder mostly idle.  Up to LANES columns are therefore taken together,
 * value i of each in turn, every column keeping its own sums in its own order,
 * so each result is the one-column result bit for bit.  Missing values are
 * skipped where they lie (no copy of the column is made).
 */
#define LANES 4

typedef struct {
  const double *x;
  size_t m;          /* non-missing values */
  double min, max;
  long double sum, mean, correction, ss;
  uint32_t *counts;  /* median buckets, or NULL */
} lane_t;

/*
 * Each pass copies what it needs into local arrays indexed by constants only
 * (k is a constant where it is inlined, and the lane loop is unrolled), so
 * that the compiler keeps every lane's accumulator in a register.
 */

/* Gathering: counts, sums, extremes and bucket counts of every lane, one pass. */
static inline __attribute__((always_inline)) void gather_lanes(lane_t *lane, size_t k, size_t n) {
  const double *x[LANES];
  size_t m[LANES];
  double lo[LANES], hi[LANES];
  long double sum[LANES];
  uint32_t *counts[LANES];
  for (size_t c = 0; c < k; c++)
    x[c] = lane[c].x, m[c] = 0, lo[c] = INFINITY, hi[c] = -INFINITY, sum[c] = 0, counts[c] = lane[c].counts;
  for (size_t i = 0; i < n; i++) {
#pragma GCC unroll 4
    for (size_t c = 0; c < k; c++) {
      double v = x[c][i];
      if (isnan(v)) continue;
      m[c]++;
      sum[c] += v;
      if (v < lo[c]) lo[c] = v;
      if (v > hi[c]) hi[c] = v;
      if (counts[c]) counts[c][median_bucket(v)]++;
    }
  }
  for (size_t c = 0; c < k; c++) lane[c].m = m[c], lane[c].min = lo[c], lane[c].max = hi[c], lane[c].sum = sum[c];
}

/*
 * Sums of deviations from each lane's mean: plain (R's correction pass of the
 * mean, about the long-double mean; see mean_from_sum) or squared
 * (vagap_describe_variance's sum of squares, about the double mean).
 * `squared` is a constant where this is inlined.
 */
static inline __attribute__((always_inline)) void deviation_lanes(lane_t *lane, size_t k, size_t n,
                                                                  int squared) {
  const double *x[LANES];
  long double mean[LANES], sum[LANES];
  for (size_t c = 0; c < k; c++) x[c] = lane[c].x, mean[c] = lane[c].mean, sum[c] = 0;
  for (size_t i = 0; i < n; i++) {
#pragma GCC unroll 4
    for (size_t c = 0; c < k; c++) {
      double v = x[c][i];
      if (isnan(v)) continue;
      long double d = v - mean[c];
      sum[c] += squared ? d * d : d;
    }
  }
  for (size_t c = 0; c < k; c++) *(squared ? &lane[c].ss : &lane[c].correction) = sum[c];
}

/* A pass of deviation_lanes over k lanes in pairs: a lane's sum and mean take two of the eight
   x87 registers, and four lanes would not leave room. */
static void deviation_pairs(lane_t *lane, size_t k, size_t n, int squared) {
  for (size_t c = 0; c + 1 < k; c += 2)
    if (squared) deviation_lanes(lane + c, 2, n, 1);
    else deviation_lanes(lane + c, 2, n, 0);
  if (k % 2 && squared) deviation_lanes(lane + k - 1, 1, n, 1);
  else if (k % 2) deviation_lanes(lane + k - 1, 1, n, 0);
}

/* The three passes over k (a constant after inlining, so the lanes live in registers). */
static inline __attribute__((always_inline)) void summarise_lanes(lane_t *lane, size_t k, size_t n,
                                                                  vagap_numeric_summary_t *out) {
  gather_lanes(lane, k, n);
  for (size_t c = 0; c < k; c++) { /* mean_from_sum up to its correction */
    out[c].n = lane[c].m;
    out[c].missing = n - lane[c].m;
    lane[c].mean = lane[c].m ? lane[c].sum / (long double)lane[c].m : 0;
  }
  deviation_pairs(lane, k, n, 0);
  for (size_t c = 0; c < k; c++) {
    size_t m = lane[c].m;
    out[c].mean = out[c].sd = out[c].min = out[c].median = out[c].max = NAN;
    if (m == 0) continue;
    out[c].mean = corrected_mean(lane[c].mean, lane[c].correction, m);
    lane[c].mean = out[c].mean; /* the variance is taken about the double mean */
    out[c].min = lane[c].min;
    out[c].max = lane[c].max;
  }
  deviation_pairs(lane, k, n, 1);
  for (size_t c = 0; c < k; c++)
    if (lane[c].m >= 2) out[c].sd = sqrt(variance_from_ss(lane[c].ss, lane[c].m));
}

void vagap_describe_numeric_columns(const double *const *x, size_t ncols, size_t n, double *scratch,
                                    vagap_numeric_summary_t *out) {
  /* one set of bucket counts per lane (32 bits: samples beyond 2^32 values go to GSL whole),
     reused for every group of columns */
  int bucketed = n >= MEDIAN_BUCKETS_FROM && n <= UINT32_MAX;
  size_t sets = ncols < LANES ? ncols : LANES;
  uint32_t *counts = bucketed && sets ? malloc(sets * MEDIAN_BUCKETS * sizeof *counts) : NULL;
  for (size_t first = 0; first < ncols; first += LANES) {
    size_t k = ncols - first < LANES ? ncols - first : LANES;
    lane_t lane[LANES];
    if (counts) memset(counts, 0, k * MEDIAN_BUCKETS * sizeof *counts);
    for (size_t c = 0; c < k; c++)
      lane[c] = (lane_t){.x = x[first + c], .counts = counts ? counts + c * MEDIAN_BUCKETS : NULL};
    vagap_numeric_summary_t *o = out + first;
    switch (k) { /* a constant k for each */
    case 4: summarise_lanes(lane, 4, n, o); break;
    case 3: summarise_lanes(lane, 3, n, o); break;
    case 2: summarise_lanes(lane, 2, n, o); break;
    default: summarise_lanes(lane, 1, n, o); break;
    }
    for (size_t c = 0; c < k; c++) {
      if (lane[c].m == 0) continue;
      o[c].median = lane[c].counts ? median_from_buckets(lane[c].x, n, lane[c].m, lane[c].counts, scratch)
                                   : median_of_copy(lane[c].x, n, lane[c].m, scratch);
    }
  }
  free(counts);
}

void vagap_describe_numeric(const double *x, size_t n, double *scratch,
                            vagap_numeric_summary_t *out) {
  vagap_describe_numeric_columns(&x, 1, n, scratch, out);
}
