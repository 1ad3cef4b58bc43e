/*
 * vagap/describe.h - descriptive summaries of a numeric sample.
 *
 * The mean and variance follow R's mean() and var(): the sum is accumulated
 * in long double, and the mean gets one correction pass (mean += sum(x -
 * mean) / n), so that printed values agree with R to the last printed digit
 * on ordinary data.  The median is R's median() (the mean of the two middle
 * values for even n), found by selection (GSL) rather than a full sort.
 */
#ifndef VAGAP_DESCRIBE_H
#define VAGAP_DESCRIBE_H

#include <stddef.h>
#include "vagap/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  size_t n;       /* non-missing values */
  size_t missing; /* NaN values */
  double mean, sd, min, median, max; /* NaN when undefined (sd needs n >= 2) */
} vagap_numeric_summary_t;

/*
 * Summarise x[0..n) (NaN = missing).  `scratch` must hold n doubles; its
 * contents are overwritten.  Never fails for finite or NaN input.
 */
void vagap_describe_numeric(const double *x, size_t n, double *scratch,
                            vagap_numeric_summary_t *out);

/*
 * Summarise the ncols columns x[0][0..n), ..., x[ncols - 1][0..n) into
 * out[0..ncols): the same numbers as vagap_describe_numeric on each, bit for
 * bit, in less time (the long-double sums of up to four columns advance
 * together).  `scratch` must hold n doubles; its contents are overwritten.
 */
void vagap_describe_numeric_columns(const double *const *x, size_t ncols, size_t n,
                                    double *scratch, vagap_numeric_summary_t *out);

/* R's mean() of the n values (no missing values allowed); NaN for n = 0. */
double vagap_describe_mean(const double *x, size_t n);

/* R's var() with divisor n-1 given the mean; NaN for n < 2. */
double vagap_describe_variance(const double *x, size_t n, double mean);

#ifdef __cplusplus
}
#endif
#endif
