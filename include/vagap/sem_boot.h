/*
 * vagap/sem_boot.h - nonparametric bootstrap of a (multi-group) SEM.
 *
 * Each resample draws, within every group g, n_g rows with replacement from
 * that group's rows (so group sizes are kept, as lavaan's bootstrapLavaan
 * and se = "bootstrap" do), recomputes the sufficient statistics and refits
 * the model.  A resample whose fit fails (no convergence, non-positive-definite
 * sample covariance, singular information) is counted and kept out of the
 * percentiles, never silently dropped.
 *
 * Reproducibility: resample b uses its own generator (GSL's MT19937) seeded
 * from (seed, b) by the SplitMix64 mixer, so the resamples - and every
 * number computed from them - are identical for a given seed whatever the
 * number of threads.
 *
 * Threads: POSIX threads share the read-only model and data; each owns its
 * fitting workspace (vagap_sem_fit allocates one per call).
 */
#ifndef VAGAP_SEM_BOOT_H
#define VAGAP_SEM_BOOT_H

#include <stddef.h>
#include <stdint.h>
#include "vagap/error.h"
#include "vagap/sem.h"

#ifdef __cplusplus
extern "C" {
#endif

/* vagap_sem_data_t (raw data, vagap/sem.h): complete rows unless the fit options allow missing values. */

typedef struct {
  size_t B;              /* number of resamples (>= 1) */
  uint64_t seed;         /* any value; the same seed gives the same resamples */
  unsigned threads;      /* worker threads; 0 = the number of online CPUs */
  /* Called now and then from a worker thread with the number of resamples
     done so far (may be NULL).  Must be thread-safe; it is called under a lock. */
  void (*progress)(size_t done, size_t total, void *ctx);
  void *progress_ctx;
  /* Only resamples b_from..b_to-1 (both 0: all), e.g. one MPI rank's block; the
     result still has B rows, the others not fitted (ok 0, counted in neither
     nok nor failed_by_status; nfailed counts only failures in the range). */
  size_t b_from, b_to;
} vagap_sem_boot_options_t;

void vagap_sem_boot_options_init(vagap_sem_boot_options_t *opt);

typedef struct {
  size_t B;          /* resamples drawn */
  size_t nrows;      /* rows of the model's parameter table */
  size_t nok;        /* resamples whose fit succeeded */
  size_t nfailed;    /* B - nok */
  size_t failed_by_status[VAGAP_ENUMERIC + 1]; /* failures per vagap_status_t */
  int *ok;           /* [B] 1 if resample b was fitted */
  double *est;       /* [B * nrows] estimates per resample (NAN when failed) */
  double *se;        /* [B * nrows] standard errors (NAN when failed) */
  double *pvalue;    /* [B * nrows] Wald p-values (NAN when failed) */
  double *std_all;   /* [B * nrows] completely standardised estimates */
  /* Warnings of the resamples that were fitted (and kept): each distinct
     kind once, with the number of resamples that gave it.  A kind is the
     warning's text with its numbers (a group, an eigenvalue) written '#'. */
  size_t nwarned;        /* resamples with at least one warning */
  size_t nwarn_kinds;
  char **warn_kind;      /* [nwarn_kinds], sorted by text (the same for any number of threads) */
  size_t *warn_count;    /* [nwarn_kinds] */
} vagap_sem_boot_t;

/*
 * Bootstrap `model` on `data`.  Fails only on invalid arguments (no rows in a
 * group, B = 0), thread creation or memory; failed resamples are recorded in
 * the result.  *out is owned by the caller (vagap_sem_boot_free).
 */
vagap_status_t vagap_sem_bootstrap(vagap_sem_boot_t **out, const vagap_sem_model_t *model,
                                   const vagap_sem_data_t *data,
                                   const vagap_sem_fit_options_t *fit_opt,
                                   const vagap_sem_boot_options_t *opt, vagap_error_t *err);
void vagap_sem_boot_free(vagap_sem_boot_t *boot); /* NULL is a no-op */

/* Sort the warning kinds (and their counts) by text: the order every result
   has, whatever the threads or processes that produced it. */
void vagap_sem_boot_sort_warnings(vagap_sem_boot_t *boot);

/*
 * Draw the row indices of resample b (within groups) into idx[nobs]: the
 * rows of group g are replaced by n_g draws from group g's rows.  Exposed so
 * that tests and other statistics can reuse exactly the same resamples.
 */
vagap_status_t vagap_sem_boot_resample(const vagap_sem_data_t *data, uint64_t seed, size_t b,
                                       size_t *idx, vagap_error_t *err);

/*
 * Percentile interval of values v[0..n) (NANs are skipped; n_used gets the
 * count): the (1-level)/2 and (1+level)/2 quantiles with R's default
 * quantile definition (type 7, linear interpolation between order statistics).
 * Returns VAGAP_EDOMAIN when no finite value is left.  `v` is not modified.
 */
vagap_status_t vagap_sem_boot_percentile(const double *v, size_t n, size_t stride, double level,
                                         double *lower, double *upper, size_t *n_used,
                                         vagap_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
