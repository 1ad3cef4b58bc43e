/*
 * sem_invariance.c - configural/metric/scalar/strict sequences and their
 * lavTestLRT-style comparisons (see include/vagap/sem_invariance.h).
 */
#include "vagap/sem_invariance.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "sem_internal.h"

static const struct {
  const char *name;
  int rank;          /* order of strictness */
  unsigned flags;
} STEPS[] = {
    {"configural", 0, 0},
    {"metric", 1, VAGAP_SEM_EQ_LOADINGS},
    {"scalar", 2, VAGAP_SEM_EQ_LOADINGS | VAGAP_SEM_EQ_INTERCEPTS},
    {"strict", 3, VAGAP_SEM_EQ_LOADINGS | VAGAP_SEM_EQ_INTERCEPTS | VAGAP_SEM_EQ_RESIDUALS},
    {"means", 4, VAGAP_SEM_EQ_LOADINGS | VAGAP_SEM_EQ_INTERCEPTS | VAGAP_SEM_EQ_MEANS},
};
enum { NSTEPS = sizeof STEPS / sizeof STEPS[0] };

static int find_step(const char *s, size_t len) {
  for (int k = 0; k < NSTEPS; k++)
    if (strlen(STEPS[k].name) == len && strncmp(STEPS[k].name, s, len) == 0) return k;
  return -1;
}

vagap_status_t vagap_sem_invariance_parse(const char *list, vagap_sem_invariance_step_t *steps,
                                          size_t *nsteps, vagap_error_t *err) {
  *nsteps = 0;
  int last_rank = -1;
  unsigned prev_flags = 0;
  const char *p = list;
  while (p && *p) {
    const char *e = strchr(p, ',');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    while (len && *p == ' ') p++, len--;
    while (len && p[len - 1] == ' ') len--;
    int k = find_step(p, len);
    if (k < 0)
      return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                             "unknown invariance level '%.*s' (known: configural, metric, scalar, "
                             "strict, means)", (int)len, p);
    if (STEPS[k].rank <= last_rank)
      return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                             "invariance levels must be listed from the least to the most "
                             "constrained; '%s' comes too late", STEPS[k].name);
    if (*nsteps == VAGAP_SEM_INVARIANCE_MAX_STEPS)
      return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "too many invariance levels");
    unsigned flags = STEPS[k].flags;
    /* "means" after "strict" keeps the residual equality */
    if (k == 4) flags |= prev_flags;
    snprintf(steps[*nsteps].name, sizeof steps[*nsteps].name, "%s", STEPS[k].name);
    steps[*nsteps].group_equal = flags;
    (*nsteps)++;
    last_rank = STEPS[k].rank;
    prev_flags = flags;
    p = e ? e + 1 : NULL;
  }
  if (*nsteps == 0)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "no invariance level given");
  return VAGAP_OK;
}

void vagap_sem_invariance_free(vagap_sem_invariance_t *inv) {
  if (!inv) return;
  free(inv->rows);
  free(inv);
}

static void copy_measures(vagap_sem_invariance_row_t *r, const vagap_sem_fit_t *fit) {
  const vagap_sem_measures_t *f = &fit->fit;
  r->npar = f->npar;
  r->chisq = f->chisq;
  r->df = f->df;
  r->pvalue = f->pvalue;
  r->cfi = f->cfi;
  r->tli = f->tli;
  r->rmsea = f->rmsea;
  r->srmr = f->srmr;
  r->aic = f->aic;
  r->bic = f->bic;
  r->iterations = fit->iterations;
  r->admissible = fit->admissible;
  r->nwarnings = fit->nwarnings;
  snprintf(r->warning, sizeof r->warning, "%s", fit->nwarnings ? fit->warnings[0] : "");
  r->chisq_scaled = f->chisq_scaled;
  r->chisq_scaling_factor = f->chisq_scaling_factor;
  r->diff_scaling_factor = NAN;
}

/*
 * lavTestLRT's scaled difference for the Satorra-Bentler and Yuan-Bentler
 * tests (lav_test_diff_SatorraBentler2001): with T, r, c the standard
 * statistic, df and scaling factor of the less (1) and more (0) restricted
 * model (c1 = 1 when r1 = 0), m = r0 - r1, cd = (r0 c0 - r1 c1) / m and
 * T = (T0 - T1) / cd on m degrees of freedom (NA when cd < 0).
 */
static void compare_scaled(vagap_sem_invariance_row_t *r, const vagap_sem_invariance_row_t *q) {
  double c1 = q->df == 0 ? 1 : q->chisq_scaling_factor, c0 = r->chisq_scaling_factor;
  double m = r->df - q->df;
  r->df_diff = m;
  r->rmsea_diff = NAN;
  if (m == 0) {
    r->chisq_diff = r->chisq - q->chisq;
    r->pvalue_diff = NAN;
    return;
  }
  double cd = (r->df * c0 - q->df * c1) / m;
  if (cd < 0) cd = NAN;
  r->diff_scaling_factor = cd;
  r->chisq_diff = (r->chisq - q->chisq) / cd;
  r->pvalue_diff = gsl_cdf_chisq_Q(r->chisq_diff, m);
}

/* Compare row r with the previous row q as lavTestLRT (method "standard"). */
static void compare(vagap_sem_invariance_row_t *r, const vagap_sem_invariance_row_t *q,
                    double ntotal, size_t ngroups) {
  r->chisq_diff = r->chisq - q->chisq;
  r->df_diff = r->df - q->df;
  r->pvalue_diff = NAN;
  r->rmsea_diff = NAN;
  if (r->df_diff > 0) {
    r->pvalue_diff = gsl_cdf_chisq_Q(r->chisq_diff > 0 ? r->chisq_diff : 0, r->df_diff);
    double excess = (r->chisq_diff - r->df_diff) / (ntotal * r->df_diff);
    r->rmsea_diff = sqrt(excess > 0 ? excess : 0) * sqrt((double)ngroups);
  }
  r->cfi_change = r->cfi - q->cfi;
  r->rmsea_change = r->rmsea - q->rmsea;
}

static vagap_status_t invariance_run(vagap_sem_invariance_t **out, const vagap_sem_syntax_t *syn,
                                     const vagap_sem_stats_t *stats, const vagap_sem_data_t *data,
                                     const vagap_sem_model_options_t *base,
                                     const vagap_sem_fit_options_t *fit_opt,
                                     const vagap_sem_invariance_step_t *steps, size_t nsteps,
                                     void (*progress)(size_t done, size_t total, void *ctx),
                                     void *progress_ctx, const char *source, vagap_error_t *err) {
  *out = NULL;
  vagap_sem_fit_options_t ropt;
  if (fit_opt) ropt = *fit_opt;
  else vagap_sem_fit_options_init(&ropt);
  if (vagap_sem_fit_options_resolve(&ropt, 0, err)) return err ? err->status : VAGAP_EINVAL;
  int scaled = ropt.test != VAGAP_SEM_TEST_STANDARD && ropt.test != VAGAP_SEM_TEST_NONE;
  if (ropt.test == VAGAP_SEM_TEST_NONE) /* lavTestLRT fails on fits without a test statistic */
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "--invariance compares the models' test statistics (lavTestLRT): not with --test none");
  if (ropt.test == VAGAP_SEM_TEST_SCALED_SHIFTED || ropt.test == VAGAP_SEM_TEST_MEAN_VAR_ADJUSTED)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "--invariance with --test %s: lavTestLRT's difference test for it (method "
                           "satorra.2000) is not implemented yet; use MLR or MLM",
                           vagap_sem_test_name(ropt.test));
  size_t ngroups = stats ? stats->ngroups : data->ngroups; /* FIML: data only */
  if (ngroups < 2)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "measurement invariance needs at least two groups (--group)");
  vagap_sem_invariance_t *inv = calloc(1, sizeof *inv);
  if (inv) inv->rows = calloc(nsteps ? nsteps : 1, sizeof *inv->rows);
  if (!inv || !inv->rows) {
    vagap_sem_invariance_free(inv);
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  }
  double ntotal = 0; /* the rows the fits used (FIML: without empty cases) */
  vagap_status_t st = VAGAP_OK;
  for (size_t s = 0; s < nsteps && !st; s++) {
    vagap_sem_model_options_t mopt = *base;
    mopt.group_equal = steps[s].group_equal;
    vagap_sem_model_t *model = NULL;
    vagap_sem_fit_t *fit = NULL;
    st = vagap_sem_model_build(&model, syn, ngroups, &mopt, source, err);
    if (!st) st = stats ? sem_fit_run(&fit, model, stats, data, fit_opt, err)
                        : vagap_sem_fit_data(&fit, model, data, fit_opt, err);
    if (!st) ntotal = fit->fit.ntotal;
    if (st && err) {
      char msg[VAGAP_ERROR_MESSAGE_MAX];
      snprintf(msg, sizeof msg, "%.31s model: %.960s", steps[s].name, err->message);
      memcpy(err->message, msg, sizeof msg);
    }
    if (!st) {
      vagap_sem_invariance_row_t *r = &inv->rows[s];
      r->step = steps[s];
      copy_measures(r, fit);
      r->chisq_diff = r->df_diff = r->pvalue_diff = r->rmsea_diff = NAN;
      r->cfi_change = r->rmsea_change = NAN;
      if (s > 0) compare(r, &inv->rows[s - 1], ntotal, ngroups);
      if (s > 0 && scaled) compare_scaled(r, &inv->rows[s - 1]);
      inv->n++;
    }
    vagap_sem_fit_free(fit);
    vagap_sem_model_free(model);
    if (!st && progress) progress(s + 1, nsteps, progress_ctx);
  }
  if (st) {
    vagap_sem_invariance_free(inv);
    return st;
  }
  inv->scaled = scaled;
  *out = inv;
  return VAGAP_OK;
}

vagap_status_t vagap_sem_invariance_fit(vagap_sem_invariance_t **out, const vagap_sem_syntax_t *syn,
                                        const vagap_sem_stats_t *stats, const vagap_sem_model_options_t *base,
                                        const vagap_sem_fit_options_t *fit_opt,
                                        const vagap_sem_invariance_step_t *steps, size_t nsteps,
                                        const char *source, vagap_error_t *err) {
  return invariance_run(out, syn, stats, NULL, base, fit_opt, steps, nsteps, NULL, NULL, source, err);
}

vagap_status_t vagap_sem_invariance_fit_progress(vagap_sem_invariance_t **out, const vagap_sem_syntax_t *syn,
                                                 const vagap_sem_stats_t *stats,
                                                 const vagap_sem_model_options_t *base,
                                                 const vagap_sem_fit_options_t *fit_opt,
                                                 const vagap_sem_invariance_step_t *steps, size_t nsteps,
                                                 void (*progress)(size_t done, size_t total, void *ctx),
                                                 void *progress_ctx, const char *source, vagap_error_t *err) {
  return invariance_run(out, syn, stats, NULL, base, fit_opt, steps, nsteps, progress, progress_ctx, source, err);
}

vagap_status_t vagap_sem_invariance_fit_data(vagap_sem_invariance_t **out, const vagap_sem_syntax_t *syn,
                                             const vagap_sem_data_t *data, const vagap_sem_model_options_t *base,
                                             const vagap_sem_fit_options_t *fit_opt,
                                             const vagap_sem_invariance_step_t *steps, size_t nsteps,
                                             void (*progress)(size_t done, size_t total, void *ctx),
                                             void *progress_ctx, const char *source, vagap_error_t *err) {
  *out = NULL;
  /* FIML fits every step to the rows with their holes (no complete-data statistics) */
  if (fit_opt && (fit_opt->missing == VAGAP_SEM_MISSING_ML || fit_opt->missing == VAGAP_SEM_MISSING_ML_X))
    return invariance_run(out, syn, NULL, data, base, fit_opt, steps, nsteps, progress, progress_ctx, source, err);
  vagap_sem_stats_t *stats = NULL;
  vagap_status_t st = vagap_sem_stats_alloc(&stats, data->ngroups, data->nvar, data->var, data->group_label, err);
  if (!st) st = vagap_sem_stats_compute(stats, data->x, data->group, data->nobs, err);
  if (!st)
    st = invariance_run(out, syn, stats, data, base, fit_opt, steps, nsteps, progress, progress_ctx, source, err);
  vagap_sem_stats_free(stats);
  return st;
}
