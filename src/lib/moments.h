/*
 * moments.h - internal: numerically stable first and second moments of
 * complete rows, computed a block at a time and merged.
 *
 * A block is a run of rows held in memory (one group's rows of one parsed
 * segment of the input).  Its statistics are the two-pass ones that
 * vagap_sem_stats_compute has always produced (running mean, then the
 * centred cross-products in one BLAS call, divisor n), so a group whose rows
 * fit in one block gets exactly the numbers it got before streaming.
 * Blocks are merged with Chan, Golub & LeVeque's pairwise update, but about a
 * shift: each block keeps its two-pass mean as shift K and the mean of its
 * residuals x - K (exact in the data's own units), and the accumulator merges
 * differences of means as (Kb - Ka) + (rb - ra).  Data like 1e9 + noise thus
 * lose no digits in the merge (the difference of two nearby shifts is exact),
 * and the co-moments are corrected for the residual mean (the "corrected
 * two-pass" of Chan et al.).
 *
 * An accumulator is one (key -> moments) record; the reader keeps one per
 * group, and an accumulator per (group, missing-data pattern) needs nothing
 * more than a different key.
 */
#ifndef VAGAP_MOMENTS_INTERNAL_H
#define VAGAP_MOMENTS_INTERNAL_H

#include <stddef.h>

#define moments_block vagap__moments_block
#define moments_acc_init vagap__moments_acc_init
#define moments_acc_free vagap__moments_acc_free
#define moments_acc_add vagap__moments_acc_add
#define moments_acc_result vagap__moments_acc_result
#define moments_merge_cov vagap__moments_merge_cov
#pragma GCC visibility push(hidden)

/* Statistics of one block of n >= 1 rows of p values. */
typedef struct {
  size_t n;
  double *mean;     /* [p] two-pass mean (gsl_stats_mean), used as the shift */
  double *residual; /* [p] mean of x - mean, the running mean's rounding error */
  double *cov;      /* [p*p] centred cross-products / n about `mean` */
} moments_block_t;

/*
 * rows: n x p row-major (overwritten: centred in place).  Fills b (whose
 * arrays the caller provides).  The arithmetic is vagap_sem_stats_compute's.
 */
void moments_block(double *rows, size_t n, size_t p, moments_block_t *b);

/* A running merge of blocks for p variables. */
typedef struct {
  size_t p;
  double n;
  size_t nblocks;
  double *shift;  /* [p] the first block's mean */
  double *rmean;  /* [p] mean - shift */
  double *comom;  /* [p*p] co-moments about the mean (n * covariance) */
  double *first_mean, *first_cov; /* the first block as computed: a lone block is reported as is */
} moments_acc_t;

int moments_acc_init(moments_acc_t *a, size_t p); /* -1: out of memory */
void moments_acc_free(moments_acc_t *a);
void moments_acc_add(moments_acc_t *a, const moments_block_t *b);
/* n, mean[p] and covariance[p*p] (divisor n) of everything added. */
void moments_acc_result(const moments_acc_t *a, double *n, double *mean, double *cov);

/*
 * The pairwise update on (n, mean, covariance) records, in place into a:
 * vagap_sem_stats_merge's arithmetic, one group.
 */
void moments_merge_cov(double *na, double *ma, double *ca, double nb, const double *mb,
                       const double *cb, size_t p);

#pragma GCC visibility pop
#endif
