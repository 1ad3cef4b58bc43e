/* semcli_stream.c - SEM statistics accumulated while the data are parsed (see semcli_stream.h). */
#include "semcli_stream.h"

#include <stdlib.h>
#include <string.h>

static vagap_status_t oom(vagap_error_t *err) {
  return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
}

/* The model's observed variables, from the model built for one group (NULL model: no stream). */
static vagap_status_t observed_variables(const vagap_sem_syntax_t *syn,
                                         const vagap_sem_model_options_t *mopt,
                                         const char *model_path, semcli_data_t *d, int *ok,
                                         vagap_error_t *err) {
  vagap_sem_model_t *m1 = NULL;
  vagap_error_t ignored;
  *ok = vagap_sem_model_build(&m1, syn, 1, mopt, model_path, &ignored) == VAGAP_OK;
  vagap_status_t st = VAGAP_OK;
  if (*ok) {
    if (!(d->var = calloc(m1->nov ? m1->nov : 1, sizeof *d->var))) st = oom(err);
    for (size_t j = 0; !st && j < m1->nov; j++) {
      if (!(d->var[j] = strdup(m1->ov[j]))) st = oom(err);
      else d->nvar++;
    }
  }
  vagap_sem_model_free(m1);
  return st;
}

static vagap_status_t take_groups(semcli_stream_t *s, semcli_data_t *d, vagap_error_t *err) {
  const vagap_moments_t *mo = s->moments;
  size_t n = s->group_col ? mo->ngroups : 1;
  if (n == 0)
    return vagap_error_set(err, VAGAP_EDATA, s->source, 0, 0,
                           "the group column %s has no non-missing values", s->group_col);
  if (!(d->labels = calloc(n, sizeof *d->labels))) return oom(err);
  for (size_t g = 0; g < n; g++) {
    if (!(d->labels[g] = strdup(s->group_col ? mo->group_label[g] : "1"))) return oom(err);
    d->ngroups++;
  }
  return VAGAP_OK;
}

/*
 * Does the fit start from per-group n, means and covariances alone?  Asked of
 * the options as lavaan resolves them (vagap_sem_fit_options_resolve fills
 * the defaults: WLSMV for ordinal data, observed information for MLR, ...),
 * not of the options given: ML on complete data (listwise) with expected
 * information, standard SEs and the standard test.  Anything else needs the
 * raw rows (FIML's patterns, the casewise scores of robust SEs and scaled
 * tests, observed or first-order information, least-squares estimators on
 * polychorics), including any estimation choice added later, and so do
 * options that fail to resolve (the table path reports them).
 */
static int fit_uses_moments_only(const semcli_lavaan_t *lav) {
  vagap_sem_fit_options_t f;
  vagap_sem_fit_options_init(&f);
  semcli_lavaan_fit_apply(lav, &f);
  if (vagap_sem_fit_options_resolve(&f, semcli_lavaan_categorical(lav), NULL) != VAGAP_OK) return 0;
  return f.estimator == VAGAP_SEM_ESTIMATOR_ML && f.missing == VAGAP_SEM_MISSING_LISTWISE &&
         f.information == VAGAP_SEM_INFORMATION_EXPECTED && f.se == VAGAP_SEM_SE_STANDARD &&
         f.test == VAGAP_SEM_TEST_STANDARD;
}

int semcli_stream_wanted(const semcli_lavaan_t *lav, const vagap_table_options_t *topt,
                         const vagap_sem_syntax_t *syn) {
  for (size_t i = 0; i < syn->n; i++) /* thresholds: ordinal data, whatever the options say */
    if (syn->st[i].op == VAGAP_SEM_THRESHOLD) return 0;
  /* the screening of number fields these options ask for is the table path's */
  if (topt->exclude_bad_rows || topt->decimal_comma) return 0;
  return fit_uses_moments_only(lav);
}

vagap_status_t semcli_stream_read(semcli_stream_t *s, const char *path,
                                  const vagap_table_options_t *topt, const char *group_col,
                                  const vagap_sem_syntax_t *syn,
                                  const vagap_sem_model_options_t *mopt, const char *model_path,
                                  vagap_ledger_t *ledger, semcli_data_t *d, int *streamed,
                                  vagap_error_t *err) {
  memset(s, 0, sizeof *s);
  vagap_status_t st = observed_variables(syn, mopt, model_path, d, streamed, err);
  if (st || !*streamed) return st;
  if (!(s->source = strdup(strcmp(path, "-") == 0 ? "<stdin>" : path)) ||
      (group_col && !(s->group_col = strdup(group_col))))
    return oom(err);
  st = vagap_moments_read(&s->moments, path, topt, group_col, (const char *const *)d->var, d->nvar,
                          ledger, err);
  return st ? st : take_groups(s, d, err);
}

static vagap_status_t record_exclusions(const semcli_stream_t *s, const semcli_data_t *d,
                                        vagap_ledger_t *ledger, vagap_error_t *err) {
  const vagap_moments_t *mo = s->moments;
  size_t src = vagap_ledger_source(ledger, s->source);
  for (size_t i = 0; i < mo->nexcluded; i++) {
    char reason[300];
    long var = mo->excluded[i].var;
    if (var < 0) snprintf(reason, sizeof reason, "missing group (%s)", s->group_col);
    else snprintf(reason, sizeof reason, "missing value in %s (listwise deletion)", d->var[var]);
    if (vagap_ledger_exclude(ledger, src, mo->excluded[i].line, reason)) return oom(err);
  }
  return VAGAP_OK;
}

static vagap_status_t take_statistics(const semcli_stream_t *s, semcli_data_t *d, vagap_error_t *err) {
  const vagap_moments_t *mo = s->moments;
  size_t p = d->nvar;
  vagap_status_t st = vagap_sem_stats_alloc(&d->stats, d->ngroups, p, (const char *const *)d->var,
                                            (const char *const *)d->labels, err);
  for (size_t g = 0; !st && g < d->ngroups && g < mo->ngroups; g++) {
    d->stats->n[g] = mo->n[g];
    memcpy(d->stats->mean + g * p, mo->mean + g * p, p * sizeof(double));
    memcpy(d->stats->cov + g * p * p, mo->cov + g * p * p, p * p * sizeof(double));
    d->nobs += (size_t)mo->n[g];
  }
  for (size_t g = 0; !st && g < d->ngroups; g++) {
    size_t n = (size_t)d->stats->n[g];
    if (n < 2)
      st = vagap_error_set(err, VAGAP_EDOMAIN, s->source, 0, 0,
                           "group '%s' has %zu observation%s (at least 2 are needed)",
                           d->labels[g], n, n == 1 ? "" : "s");
  }
  return st;
}

vagap_status_t semcli_stream_finish(semcli_stream_t *s, const vagap_sem_model_t *m,
                                    semcli_data_t *d, vagap_ledger_t *ledger, vagap_error_t *err) {
  const vagap_moments_t *mo = s->moments;
  int same = m->nov == d->nvar;
  for (size_t j = 0; same && j < d->nvar; j++) same = strcmp(m->ov[j], d->var[j]) == 0;
  if (!same)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "internal: the model's variables differ between one and %zu groups", d->ngroups);
  if (mo->missing_var >= 0) {
    if (err) *err = mo->missing_error;
    return mo->missing_error.status;
  }
  if (mo->number_failed) {
    if (err) *err = mo->number_error;
    return mo->number_error.status;
  }
  vagap_status_t st = record_exclusions(s, d, ledger, err);
  return st ? st : take_statistics(s, d, err);
}

void semcli_stream_free(semcli_stream_t *s) {
  vagap_moments_free(s->moments);
  free(s->source);
  free(s->group_col);
  memset(s, 0, sizeof *s);
}
