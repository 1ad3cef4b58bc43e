/* moments.c - block moments and their stable merge (see moments.h). */
#include "moments.h"

#include <stdlib.h>
#include <string.h>

/*
 * The arithmetic of gsl_stats_mean (a running mean in long double) and of
 * GSL's reference CBLAS dsyrk (row-major, lower, transposed: per entry, the
 * products summed over the rows in order, then times alpha), bit for bit, but
 * row by row: all columns' recurrences advance together (independent
 * divisions in flight instead of one chain per column) and the buffer is
 * read once instead of once per entry of the lower triangle.
 */
void moments_block(double *rows, size_t n, size_t p, moments_block_t *b) {
  double *mean = b->mean, *cov = b->cov;
  b->n = n;
  long double run[p ? p : 1];
  for (size_t j = 0; j < p; j++) run[j] = 0;
  for (size_t i = 0; i < n; i++) {
    const double *x = rows + i * p;
    for (size_t j = 0; j < p; j++) run[j] += (x[j] - run[j]) / (i + 1);
  }
  for (size_t j = 0; j < p; j++) mean[j] = (double)run[j];
  /* two-pass: centre, then the cross-products X'X / n (divisor n: the ML statistic) */
  for (size_t j = 0; j < p; j++) b->residual[j] = 0;
  for (size_t j = 0; j < p * p; j++) cov[j] = 0;
  for (size_t i = 0; i < n; i++) {
    double *x = rows + i * p;
    for (size_t j = 0; j < p; j++) {
      x[j] -= mean[j];
      b->residual[j] += x[j];
    }
    for (size_t j = 0; j < p; j++) {
      double xj = x[j], *c = cov + j * p;
      for (size_t k = 0; k <= j; k++) c[k] += x[k] * xj;
    }
  }
  double alpha = 1.0 / (double)n;
  for (size_t j = 0; j < p; j++) b->residual[j] /= (double)n;
  for (size_t j = 0; j < p; j++)
    for (size_t k = 0; k <= j; k++) cov[j * p + k] = 0.0 + alpha * cov[j * p + k];
  for (size_t j = 0; j < p; j++)
    for (size_t k = 0; k < j; k++) cov[k * p + j] = cov[j * p + k];
}

int moments_acc_init(moments_acc_t *a, size_t p) {
  memset(a, 0, sizeof *a);
  a->p = p;
  size_t q = p ? p : 1;
  a->shift = calloc(q, sizeof *a->shift);
  a->rmean = calloc(q, sizeof *a->rmean);
  a->comom = calloc(q * q, sizeof *a->comom);
  a->first_mean = calloc(q, sizeof *a->first_mean);
  a->first_cov = calloc(q * q, sizeof *a->first_cov);
  if (!a->shift || !a->rmean || !a->comom || !a->first_mean || !a->first_cov) {
    moments_acc_free(a);
    return -1;
  }
  return 0;
}

void moments_acc_free(moments_acc_t *a) {
  free(a->shift);
  free(a->rmean);
  free(a->comom);
  free(a->first_mean);
  free(a->first_cov);
  memset(a, 0, sizeof *a);
}

void moments_acc_add(moments_acc_t *a, const moments_block_t *b) {
  size_t p = a->p;
  double nb = (double)b->n;
  if (b->n == 0) return;
  if (a->nblocks++ == 0) {
    memcpy(a->first_mean, b->mean, p * sizeof *b->mean);
    memcpy(a->first_cov, b->cov, p * p * sizeof *b->cov);
    memcpy(a->shift, b->mean, p * sizeof *b->mean);
    memcpy(a->rmean, b->residual, p * sizeof *b->residual);
    /* about the block's true mean: sum (x-K)(x-K)' = M + n r r' */
    for (size_t j = 0; j < p; j++)
      for (size_t k = 0; k < p; k++)
        a->comom[j * p + k] = nb * (b->cov[j * p + k] - b->residual[j] * b->residual[k]);
    a->n = nb;
    return;
  }
  double na = a->n, n = na + nb, w = na * nb / n;
  double d[p ? p : 1];
  /* the shifts are nearby numbers, so their difference is exact */
  for (size_t j = 0; j < p; j++) d[j] = (b->mean[j] - a->shift[j]) + (b->residual[j] - a->rmean[j]);
  for (size_t j = 0; j < p; j++)
    for (size_t k = 0; k < p; k++)
      a->comom[j * p + k] += nb * (b->cov[j * p + k] - b->residual[j] * b->residual[k]) + d[j] * d[k] * w;
  for (size_t j = 0; j < p; j++) a->rmean[j] += d[j] * nb / n;
  a->n = n;
}

void moments_acc_result(const moments_acc_t *a, double *n, double *mean, double *cov) {
  size_t p = a->p;
  *n = a->n;
  if (a->nblocks == 1) { /* a lone block: the two-pass numbers as they were computed */
    memcpy(mean, a->first_mean, p * sizeof *mean);
    memcpy(cov, a->first_cov, p * p * sizeof *cov);
    return;
  }
  for (size_t j = 0; j < p; j++) mean[j] = a->shift[j] + a->rmean[j];
  for (size_t j = 0; j < p * p; j++) cov[j] = a->n > 0 ? a->comom[j] / a->n : 0;
}

void moments_merge_cov(double *na_io, double *ma, double *ca, double nb, const double *mb,
                       const double *cb, size_t p) {
  double na = *na_io, n = na + nb;
  if (nb == 0) return;
  /* co-moments M = n * cov; M = Ma + Mb + d d' na nb / n */
  for (size_t j = 0; j < p; j++)
    for (size_t k = 0; k < p; k++) {
      double dj = mb[j] - ma[j], dk = mb[k] - ma[k];
      double M = na * ca[j * p + k] + nb * cb[j * p + k] + dj * dk * na * nb / n;
      ca[j * p + k] = M / n;
    }
  for (size_t j = 0; j < p; j++) ma[j] += (mb[j] - ma[j]) * nb / n;
  *na_io = n;
}
