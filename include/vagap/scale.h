/*
 * vagap/scale.h - questionnaire scoring from a key (item, scale, reverse).
 *
 * Method (METHODS.md section 3): a reversed item is scored (min + max) - x;
 * the score of a scale for one respondent/run is the mean of its answered
 * items when at least `min_items` are answered (else missing); the score of
 * a unit (model, subject) is the mean over its runs with a score; POMP
 * (percent of maximum possible, Cohen et al. 1999) is reported as a
 * proportion (score - min)/(max - min) in [0, 1].  Reliability per scale is
 * Cronbach's alpha over the respondent/run rows with all items of the scale
 * answered (listwise), after reversal.
 *
 * The library works on plain arrays: the caller maps item names to columns
 * and unit names to indices.  Responses are a row-major matrix with one row
 * per respondent/run and one column per item; NaN = not answered.
 */
#ifndef VAGAP_SCALE_H
#define VAGAP_SCALE_H

#include <stddef.h>
#include "vagap/error.h"
#include "vagap/stats.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  size_t nitems;           /* columns of the response matrix */
  size_t nscales;
  const long *item_scale;  /* [nitems]: scale index in [0, nscales), or -1 = not scored */
  const int *item_reverse; /* [nitems]: nonzero = reverse-keyed */
  double min, max;         /* response range, min < max; responses outside it are errors */
  size_t min_items;        /* answered items needed for a score; 0 = all items of the scale */
} vagap_scale_key_t;

/*
 * Check a key: scale indices in range, every scale has at least one item,
 * min and max finite with min < max.  A min_items larger than some scale's
 * item count would make that scale never scorable: VAGAP_EINVAL naming the
 * scale index.
 */
vagap_status_t vagap_scale_key_check(const vagap_scale_key_t *key, vagap_error_t *err);

/* Number of items keyed to `scale`. */
size_t vagap_scale_nitems(const vagap_scale_key_t *key, size_t scale);

/* The scored value of response x to item j: x, or min + max - x if reversed. */
double vagap_scale_item_value(const vagap_scale_key_t *key, size_t j, double x);

/*
 * Score rows.  responses[i * key->nitems + j]; writes scores[i * nscales + s]
 * (NaN when fewer than the required items are answered) and, if not NULL,
 * answered[i * nscales + s] (items of scale s answered in row i).
 * A finite response outside [min, max] or an infinite one -> VAGAP_EDATA
 * naming the row (0-based) and item column; nothing partial is promised then.
 */
vagap_status_t vagap_scale_score_rows(const vagap_scale_key_t *key, const double *responses,
                                      size_t nrows, double *scores, size_t *answered,
                                      vagap_error_t *err);

/*
 * Unit scores: the mean over rows of unit u (row_unit[i] in [0, nunits)) of
 * the row scores that are not NaN.  unit_scores[u * nscales + s] (NaN if no
 * row of the unit has a score), unit_nrows[u * nscales + s] rows used and,
 * if not NULL, unit_nmissing[u * nscales + s] rows of the unit without a score.
 */
vagap_status_t vagap_scale_unit_means(const double *row_scores, size_t nrows, size_t nscales,
                                      const size_t *row_unit, size_t nunits,
                                      double *unit_scores, size_t *unit_nrows,
                                      size_t *unit_nmissing, vagap_error_t *err);

/* POMP proportion (score - min)/(max - min); NaN stays NaN. */
double vagap_scale_pomp(const vagap_scale_key_t *key, double score);

/*
 * Cronbach's alpha of scale `scale` over the rows (reversed items scored
 * first; listwise complete cases).  Same edge cases as
 * vagap_stats_cronbach_alpha; a scale with one item -> VAGAP_EDOMAIN.
 */
vagap_status_t vagap_scale_alpha(const vagap_scale_key_t *key, const double *responses,
                                 size_t nrows, size_t scale, vagap_alpha_t *res,
                                 vagap_error_t *err);

/*
 * McDonald's omega (total) of scale `scale` from a one-factor model fitted
 * by maximum likelihood (vagap's SEM engine, lavaan's cfa(std.lv = TRUE)
 * defaults: covariance with divisor n) to the complete runs, reversed items
 * scored first:  omega = (sum lambda)^2 / ((sum lambda)^2 + sum theta)
 * (McDonald 1999; the model-implied total variance, no residual
 * covariances).
 */
typedef struct {
  size_t k;           /* items */
  size_t n;           /* complete runs used */
  size_t n_excluded;  /* runs with a missing item */
  double omega;
  double cfi, rmsea;  /* fit of the one-factor model (NaN when df = 0) */
  double chisq, df;
} vagap_omega_t;

/*
 * Edge cases: k < 3 (a one-factor model with 2 items is not identified) or
 * n < k + 1 -> VAGAP_EDOMAIN; a fit that fails (no convergence, a
 * non-positive-definite covariance) returns that status with omega NaN.
 */
vagap_status_t vagap_scale_omega(const vagap_scale_key_t *key, const double *responses,
                                 size_t nrows, size_t scale, vagap_omega_t *res,
                                 vagap_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
