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

/* ML with listwise deletion: the sufficient statistics (into `reuse` when given), then the
   moment-based fit; with a start, the path of a Monte Carlo replication (sem_fit_replication). */
static vagap_status_t fit_ml_complete(vagap_sem_fit_t **out, const vagap_sem_model_t *model,
                                      const vagap_sem_data_t *data, const vagap_sem_fit_options_t *opt,
                                      vagap_sem_stats_t *reuse, const double *start, vagap_error_t *err) {
  vagap_sem_stats_t *stats = reuse;
  vagap_status_t st = VAGAP_OK;
  if (!stats)
    st = vagap_sem_stats_alloc(&stats, data->ngroups, data->nvar, data->var, data->group_label, err);
  if (!st) st = vagap_sem_stats_compute(stats, data->x, data->group, data->nobs, err);
  if (!st) st = sem_fit_replication(out, model, stats, data, opt, start, err); /* the rows for robust ML */
  if (!reuse) vagap_sem_stats_free(stats);
  return st;
}

/* FIML (missing = "ml" / "ml.x"): patterns and EM moments (sem_fiml.c), then the one fitter
   with the FIML discrepancy, built from the EM moments as lavaan's "sample" statistics. */
static vagap_status_t fit_ml_fiml(vagap_sem_fit_t **out, const vagap_sem_model_t *model,
                                  const vagap_sem_data_t *data, const vagap_sem_fit_options_t *opt,
                                  vagap_error_t *err) {
  if (!model->meanstructure)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "--missing %s needs a mean structure (lavaan forces meanstructure = TRUE): "
                           "build the model with meanstructure on", vagap_sem_missing_name(opt->missing));
  if (opt->likelihood == VAGAP_SEM_LIKELIHOOD_WISHART)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "--missing %s uses the normal likelihood (lavaan: likelihood = \"normal\")",
                           vagap_sem_missing_name(opt->missing));
  sem_fiml_t *f = NULL;
  vagap_status_t st = sem_fiml_alloc(&f, model, data, opt->missing == VAGAP_SEM_MISSING_ML_X, err);
  if (st) return st;
  sem_fit_hooks_t hooks = sem_fiml_hooks(f);
  st = sem_fit_with(out, model, sem_fiml_h1_stats(f), NULL, opt, &hooks, err);
  /* lavaan's data warnings, whatever se (lavaan raises them while reading the data); not
     for fits that ask for estimates only (compute = ESTIMATES: bootstrap resamples) */
  if (!st && opt->compute != VAGAP_SEM_COMPUTE_ESTIMATES && sem_fiml_warnings(f, data, *out))
    st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  sem_fiml_free(f);
  return st;
}

static vagap_status_t fit_data(vagap_sem_fit_t **out, const vagap_sem_model_t *model,
                               const vagap_sem_data_t *data, const vagap_sem_fit_options_t *opt_in,
                               vagap_sem_stats_t *stats, const double *start, vagap_error_t *err) {
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
  if (opt.missing == VAGAP_SEM_MISSING_ML || opt.missing == VAGAP_SEM_MISSING_ML_X)
    return fit_ml_fiml(out, model, data, &opt, err);
  return fit_ml_complete(out, model, data, &opt, stats, start, err);
}

vagap_status_t vagap_sem_fit_data(vagap_sem_fit_t **out, const vagap_sem_model_t *model,
                                  const vagap_sem_data_t *data, const vagap_sem_fit_options_t *opt_in,
                                  vagap_error_t *err) {
  return fit_data(out, model, data, opt_in, NULL, NULL, err);
}

vagap_status_t sem_fit_data_replication(vagap_sem_fit_t **out, const vagap_sem_model_t *model,
                                        const vagap_sem_data_t *data, vagap_sem_stats_t *stats,
                                        const vagap_sem_fit_options_t *opt, const double *start,
                                        vagap_error_t *err) {
  return fit_data(out, model, data, opt, stats, start, err);
}
