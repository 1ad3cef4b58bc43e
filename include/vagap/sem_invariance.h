/*
 * vagap/sem_invariance.h - measurement-invariance sequences of a multi-group SEM.
 *
 * Fits the same model under increasingly strict equality constraints across
 * groups (doc METHODS.md section 6): configural (none), metric (loadings),
 * scalar (+ intercepts), strict (+ residual variances), optionally "means"
 * (+ latent means), and compares each model with the one before it as
 * lavaan's lavTestLRT() does for ML: chi-square difference, its df and
 * upper-tail p-value, and the RMSEA of the difference test
 * sqrt(max(0, (dchisq - ddf) / (N ddf))) * sqrt(G), plus the changes in CFI
 * and RMSEA that the invariance literature reports (Chen 2007; Cheung &
 * Rensvold 2002).
 */
#ifndef VAGAP_SEM_INVARIANCE_H
#define VAGAP_SEM_INVARIANCE_H

#include <stddef.h>
#include "vagap/error.h"
#include "vagap/sem.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VAGAP_SEM_INVARIANCE_MAX_STEPS 8

typedef struct {
  char name[32];       /* "configural", "metric", "scalar", "strict", "means" */
  unsigned group_equal; /* VAGAP_SEM_EQ_* flags of this step (cumulative) */
} vagap_sem_invariance_step_t;

/*
 * Parse "configural,metric,scalar,strict" (any subset, in increasing
 * strictness; "means" may follow scalar or strict).  Unknown names, repeats
 * and a decreasing order are VAGAP_EINVAL with a message.
 */
vagap_status_t vagap_sem_invariance_parse(const char *list, vagap_sem_invariance_step_t *steps,
                                          size_t *nsteps, vagap_error_t *err);

/* One fitted model of the sequence and its comparison with the previous one. */
typedef struct {
  vagap_sem_invariance_step_t step;
  double npar, chisq, df, pvalue, cfi, tli, rmsea, srmr, aic, bic;
  /* against the previous step (NAN for the first): */
  double chisq_diff, df_diff, pvalue_diff, rmsea_diff; /* lavTestLRT ("RMSEA" = rmsea_diff;
                                                           printed as rmsea.lrt by the CLI) */
  double cfi_change, rmsea_change;                       /* this minus previous (printed as
                                                           cfi.diff, rmsea.diff) */
  size_t iterations;
  int admissible;         /* lavaan's post-check of this model's solution */
  size_t nwarnings;       /* lavaan's warnings on this model's fit; the first one: */
  char warning[512];
  /* with a scaled test (robust ML): the model's scaled statistic and scaling factor, and
     lavTestLRT's scaled difference (method satorra.bentler.2001) in chisq_diff, its
     scaling factor here; rmsea_diff is NAN then (lavTestLRT prints no RMSEA) */
  double chisq_scaled, chisq_scaling_factor, diff_scaling_factor;
} vagap_sem_invariance_row_t;

typedef struct {
  size_t n;
  vagap_sem_invariance_row_t *rows;
  int scaled; /* 1 when the rows carry scaled statistics */
} vagap_sem_invariance_t;

/*
 * Fit every step.  `base` supplies std_lv, fixed_x, meanstructure and
 * group_partial; its group_equal is replaced by each step's flags.  A step
 * that fails to fit makes the call fail with the step's name in the message.
 * *out is owned by the caller (vagap_sem_invariance_free).
 */
vagap_status_t vagap_sem_invariance_fit(vagap_sem_invariance_t **out,
                                        const vagap_sem_syntax_t *syn,
                                        const vagap_sem_stats_t *stats,
                                        const vagap_sem_model_options_t *base,
                                        const vagap_sem_fit_options_t *fit_opt,
                                        const vagap_sem_invariance_step_t *steps, size_t nsteps,
                                        const char *source, vagap_error_t *err);

/* The same, calling progress(models fitted, nsteps, ctx) after each step (NULL: none). */
vagap_status_t vagap_sem_invariance_fit_progress(vagap_sem_invariance_t **out,
                                                 const vagap_sem_syntax_t *syn,
                                                 const vagap_sem_stats_t *stats,
                                                 const vagap_sem_model_options_t *base,
                                                 const vagap_sem_fit_options_t *fit_opt,
                                                 const vagap_sem_invariance_step_t *steps,
                                                 size_t nsteps,
                                                 void (*progress)(size_t done, size_t total,
                                                                  void *ctx),
                                                 void *progress_ctx, const char *source,
                                                 vagap_error_t *err);
/* The same from raw rows (robust ML needs them; the statistics are computed from them). */
vagap_status_t vagap_sem_invariance_fit_data(vagap_sem_invariance_t **out,
                                             const vagap_sem_syntax_t *syn,
                                             const vagap_sem_data_t *data,
                                             const vagap_sem_model_options_t *base,
                                             const vagap_sem_fit_options_t *fit_opt,
                                             const vagap_sem_invariance_step_t *steps, size_t nsteps,
                                             void (*progress)(size_t done, size_t total, void *ctx),
                                             void *progress_ctx, const char *source, vagap_error_t *err);
void vagap_sem_invariance_free(vagap_sem_invariance_t *inv); /* NULL is a no-op */

#ifdef __cplusplus
}
#endif
#endif
