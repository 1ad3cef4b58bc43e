/*
 * stats_internal.h - the helpers that the statistic families of src/lib/stats*.c
 * share (stats.c defines them).  Not installed, not part of the public API.
 */
#ifndef VAGAP_STATS_INTERNAL_H
#define VAGAP_STATS_INTERNAL_H

#include <stddef.h>
#include "vagap/stats.h"

/* Linked under the vagap__ prefix and hidden, as sem_internal.h explains. */
#define conf_level_ok vagap__stats_conf_level_ok
#define alternative_ok vagap__stats_alternative_ok
#define compact_finite vagap__stats_compact_finite
#define compact_pairs vagap__stats_compact_pairs
#define alloc_doubles vagap__stats_alloc_doubles
#define log10_of vagap__stats_log10_of

/* Below this a p-value is recomputed on the log scale. */
#define TINY_P 1e-300

#pragma GCC visibility push(hidden)

/* A confidence level in (0, 1). */
int conf_level_ok(double conf);
int alternative_ok(vagap_alternative_t alt);

/*
 * Copy the finite values of x into buf (n_out of them); NaN are counted as
 * missing; an infinite value is an error.
 */
vagap_status_t compact_finite(const double *x, size_t n, double *buf, size_t *n_out,
                              size_t *n_missing, const char *what, vagap_error_t *err);

/* Complete pairs of (x, y) into bx, by. */
vagap_status_t compact_pairs(const double *x, const double *y, size_t n, double *bx, double *by,
                             size_t *n_out, size_t *n_missing, vagap_error_t *err);

/* malloc of n doubles (at least one). */
double *alloc_doubles(size_t n);

/* log10 of p, or of the log-scale value lnp when p underflowed (below TINY_P). */
double log10_of(double p, double lnp);

#pragma GCC visibility pop

#endif
