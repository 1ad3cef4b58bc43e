/*
 * sem_estimate.c - vagap_sem_fit_data: the one entry point from raw data to a
 * fit for every estimator and missing-data method.  It resolves lavaan's
 * defaults, then hands the data to the estimator's own preparation (sample
 * moments for ML with complete data; missing-data patterns for FIML;
 * thresholds, polychorics and weights for the categorical estimators) and
 * to the common fitter.  Each estimator adds its branch here and keeps its
 * machinery in its own file (doc/methods.md "SEM estimators: one engine").
 */
#include <math.h>
#include <stdlib.h>

#include "sem_internal.h"

/* ML with listwise deletion: the sufficient statistics, then the moment-based fit. */
static vagap_status_t fit_ml_complete(vagap_sem_fit_t **out, const vagap_sem_model_t *model,
                                      const vagap_sem_data_t *data, const vagap_sem_fit_options_t *opt,
                                      vagap_error_t *err) {
  vagap_sem_stats_t *stats = NULL;
  vagap_status_t st = vagap_sem_stats_alloc(&stats, data->ngroups, data->nvar, data->var,
                                            data->group_label, err);
  if (!st) st = vagap_sem_stats_compute(stats, data->x, data->group, data->nobs, err);
  if (!st) st = sem_fit_run(out, model, stats, data, opt, err); /* the rows for robust ML */
  vagap_sem_stats_free(stats);
  return st;
}

vagap_status_t vagap_sem_fit_data(vagap_sem_fit_t **out, const vagap_sem_model_t *model,
                                  const vagap_sem_data_t *data, const vagap_sem_fit_options_t *opt_in,
                                  vagap_error_t *err) {
  *out = NULL;
  vagap_sem_fit_options_t opt;
  if (opt_in) opt = *opt_in;
  else vagap_sem_fit_options_init(&opt);
  int categorical = sem_model_is_categorical(model);
  vagap_status_t st = vagap_sem_fit_options_resolve(&opt, categorical, err);
  if (st) return st;
  /* [estimator hook] FIML and categorical branches go here; robust ML (MLR, MLM, MLMV and
     --se/--test/--information) is ML on complete rows, finished in sem_robust.c */
  if (categorical) return sem_ordinal_fit(out, model, data, &opt, err);
  return fit_ml_complete(out, model, data, &opt, err);
}
