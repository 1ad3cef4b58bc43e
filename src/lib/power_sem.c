/*
 * power_sem.c - one replication of SEM power: data from a population model,
 * the fit model fitted by ML, one parameter (or an invariance LRT) read off
 * (vagap/power.h).  Uses the SEM engine through its public API, and its
 * internal sem_fit_data_replication for replications with a start (design->start).
 */
#include "vagap/power.h"

#include "sem/sem_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vagap_power_sem_ws {
  double *x;          /* sum(n) x nvar draws, group after group */
  size_t *group;      /* [sum(n)] */
  size_t nobs;
  vagap_sem_stats_t *stats;
  char **label;       /* [ngroups] the groups' labels "1", "2", ... (the fit's group numbers) */
  size_t ngroups;
};

/* "1".."G": the labels of the simulated groups, as vagap sem numbers groups. */
static char **group_labels(size_t ngroups) {
  char **label = calloc(ngroups, sizeof *label);
  for (size_t g = 0; label && g < ngroups; g++) {
    char buf[24];
    snprintf(buf, sizeof buf, "%zu", g + 1);
    if (!(label[g] = strdup(buf))) {
      while (g-- > 0) free(label[g]);
      free(label);
      return NULL;
    }
  }
  return label;
}

vagap_power_sem_ws_t *vagap_power_sem_ws_alloc(const vagap_power_sem_t *d) {
  vagap_power_sem_ws_t *ws = calloc(1, sizeof *ws);
  if (!ws) return NULL;
  for (size_t g = 0; g < d->ngroups; g++) ws->nobs += d->n[g];
  ws->x = malloc(ws->nobs * d->nvar * sizeof *ws->x);
  ws->group = malloc(ws->nobs * sizeof *ws->group);
  ws->ngroups = d->ngroups;
  ws->label = group_labels(d->ngroups);
  vagap_error_t err;
  if (!ws->x || !ws->group || !ws->label ||
      vagap_sem_stats_alloc(&ws->stats, d->ngroups, d->nvar, d->var, NULL, &err) != VAGAP_OK) {
    vagap_power_sem_ws_free(ws);
    return NULL;
  }
  size_t i = 0;
  for (size_t g = 0; g < d->ngroups; g++)
    for (size_t k = 0; k < d->n[g]; k++) ws->group[i++] = g;
  return ws;
}

void vagap_power_sem_ws_free(vagap_power_sem_ws_t *ws) {
  if (!ws) return;
  free(ws->x);
  free(ws->group);
  vagap_sem_stats_free(ws->stats);
  for (size_t g = 0; ws->label && g < ws->ngroups; g++) free(ws->label[g]);
  free(ws->label);
  free(ws);
}

/* Failures that belong to the replication (counted as not converged), not to the run. */
static int is_estimation_failure(vagap_status_t st) {
  return st == VAGAP_ENOCONV || st == VAGAP_EMODEL || st == VAGAP_EDOMAIN ||
         st == VAGAP_ENUMERIC;
}

/* Fit the drawn rows with the estimator of fit_opt (ML, or robust ML from the rows). */
static vagap_status_t draw_parameter(const vagap_power_sem_t *d, vagap_power_sem_ws_t *ws,
                                     vagap_power_draw_t *out, vagap_error_t *err) {
  vagap_sem_data_t rows = {.nobs = ws->nobs, .nvar = d->nvar, .ngroups = d->ngroups, .x = ws->x,
                           .group = ws->group, .var = d->var,
                           .group_label = (const char *const *)ws->label};
  vagap_sem_fit_t *fit = NULL;
  /* a replication reports estimates, SEs, Wald tests and the admissibility verdict:
     no test statistic or fit measures (they would be computed and thrown away) */
  vagap_sem_fit_options_t opt = *d->fit_opt;
  opt.compute = VAGAP_SEM_COMPUTE_SE;
  /* vagap_sem_fit_data, started at the population estimates, the moments into ws->stats */
  vagap_status_t st = sem_fit_data_replication(&fit, d->fit_model, &rows, ws->stats, &opt, d->start, err);
  if (st != VAGAP_OK) return is_estimation_failure(st) ? VAGAP_OK : st;
  if (d->vaar_spec) {
    double strict, sign;
    int all;
    vagap_status_t vs = vagap_power_vaar_of_fit(fit, d->vaar_spec, d->vaar_group, d->alpha, 0,
                                                &strict, &sign, &all, err);
    if (vs == VAGAP_OK) {
      out->estimate = strict;
      out->reject = all;
      out->admissible = fit->admissible;
    }
    vagap_sem_fit_free(fit);
    return vs == VAGAP_EDATA ? VAGAP_OK : vs; /* a missing estimate: not estimable */
  }
  const vagap_sem_param_t *r = &fit->model->rows[d->target];
  if (isfinite(r->est)) { /* a := outside its domain is NA: not estimable */
    out->estimate = r->est;
    out->std_error = r->se;
    out->conf_low = r->ci_lower;
    out->conf_high = r->ci_upper;
    out->reject = r->pvalue < d->alpha;
    out->admissible = fit->admissible;
  }
  vagap_sem_fit_free(fit);
  return VAGAP_OK;
}

vagap_status_t vagap_power_vaar_of_fit(const vagap_sem_fit_t *fit, const vagap_vaar_spec_t *spec,
                                       const char *group, double alpha, double zero_below,
                                       double *strict, double *sign, int *all_strict,
                                       vagap_error_t *err) {
  const vagap_sem_model_t *m = fit->model;
  char *end;
  unsigned long long wanted = strtoull(group, &end, 10);
  if (end == group || *end != '\0' || wanted < 1 || wanted > m->ngroups)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "the fit has no group %s", group);
  vagap_vaar_estimate_t *est = malloc((m->nrows ? m->nrows : 1) * sizeof *est);
  if (!est) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  size_t n = 0;
  for (size_t i = 0; i < m->nrows; i++) { /* the scored group's rows only: its VAAR is its own */
    const vagap_sem_param_t *r = &m->rows[i];
    if ((unsigned long long)r->group != wanted ||
        (r->op != VAGAP_SEM_LOADING && r->op != VAGAP_SEM_REGRESSION && r->op != VAGAP_SEM_COVARIANCE))
      continue;
    double e = fabs(r->est) < zero_below ? 0.0 : r->est;
    est[n++] = (vagap_vaar_estimate_t){group, r->lhs, vagap_sem_op_string(r->op), r->rhs, e,
                                       r->se, r->pvalue, r->ci_lower, r->ci_upper, r->std_all};
  }
  vagap_vaar_result_t *res = NULL;
  vagap_status_t st = vagap_vaar_score(&res, spec, est, n, alpha, err);
  if (!st) {
    size_t g = 0;
    while (g < res->ngroups && strcmp(res->group_label[g], group) != 0) g++;
    if (g == res->ngroups) {
      st = vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "the fit has no group %s", group);
    } else {
      *strict = res->groups[g].vaar_strict;
      *sign = res->groups[g].vaar_sign;
      *all_strict = res->groups[g].k_strict == res->groups[g].K;
    }
  }
  vagap_vaar_result_free(res);
  free(est);
  return st;
}

static vagap_status_t draw_invariance(const vagap_power_sem_t *d, vagap_power_sem_ws_t *ws,
                                      vagap_power_draw_t *out, vagap_error_t *err) {
  vagap_sem_invariance_t *inv = NULL;
  vagap_status_t st = vagap_sem_invariance_fit(&inv, d->invariance_syntax, ws->stats,
                                               d->invariance_base, d->fit_opt, d->steps, 2,
                                               "power", err);
  if (st != VAGAP_OK) return is_estimation_failure(st) ? VAGAP_OK : st;
  const vagap_sem_invariance_row_t *r = &inv->rows[1];
  if (isfinite(r->chisq_diff) && isfinite(r->pvalue_diff)) {
    out->estimate = r->chisq_diff;
    out->reject = r->pvalue_diff < d->alpha;
    out->admissible = inv->rows[0].admissible && inv->rows[1].admissible;
  }
  vagap_sem_invariance_free(inv);
  return VAGAP_OK;
}

vagap_status_t vagap_power_sem_draw(gsl_rng *rng, const vagap_power_sem_t *d,
                                    vagap_power_sem_ws_t *ws, vagap_power_draw_t *out,
                                    vagap_error_t *err) {
  size_t p = d->nvar, off = 0;
  for (size_t g = 0; g < d->ngroups; g++) {
    if (d->vm)
      vagap_sim_vm_draw(rng, d->n[g], &d->vm[g], ws->x + off * p);
    else
      vagap_sim_mvnorm(rng, d->n[g], p, d->mu + g * p, d->chol + g * p * p, ws->x + off * p);
    off += d->n[g];
  }
  out->estimate = out->std_error = out->conf_low = out->conf_high = NAN;
  out->reject = 0;
  out->admissible = 0;
  if (!d->invariance_syntax) return draw_parameter(d, ws, out, err);
  vagap_status_t st = vagap_sem_stats_compute(ws->stats, ws->x, ws->group, ws->nobs, err);
  if (st != VAGAP_OK) return is_estimation_failure(st) ? VAGAP_OK : st;
  return draw_invariance(d, ws, out, err);
}

/* `s` without blanks into buf; 0 if it does not fit. */
static int squeeze(const char *s, char *buf, size_t size) {
  size_t k = 0;
  for (; *s; s++) {
    if (*s == ' ' || *s == '\t') continue;
    if (k + 1 >= size) return 0;
    buf[k++] = *s;
  }
  buf[k] = '\0';
  return 1;
}

/* Does row r carry the parameter `want` (blanks removed): its label, or "lhs op rhs"? */
static int names_row(const vagap_sem_param_t *r, const char *want) {
  if (r->label[0] && r->label[0] != '.' && strcmp(r->label, want) == 0) return 1;
  if (r->op == VAGAP_SEM_DEFINED || r->group < 1) return 0;
  char have[512];
  snprintf(have, sizeof have, "%s%s%s", r->lhs, vagap_sem_op_string(r->op),
           r->op == VAGAP_SEM_INTERCEPT ? "" : r->rhs);
  return strcmp(have, want) == 0;
}

static int is_free(const vagap_sem_param_t *r) { return r->free != 0 || r->op == VAGAP_SEM_DEFINED; }

vagap_status_t vagap_power_sem_find(const vagap_sem_model_t *m, const char *param,
                                    const size_t *groups, size_t ngroups, size_t *rows,
                                    size_t *nrows, vagap_error_t *err) {
  char want[512];
  *nrows = 0;
  if (!squeeze(param, want, sizeof want) || want[0] == '\0')
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "--param: '%.60s' is not a parameter",
                           param);
  size_t first = m->nrows;
  for (size_t i = 0; i < m->nrows; i++) {
    const vagap_sem_param_t *r = &m->rows[i];
    if (!names_row(r, want)) continue;
    if (first == m->nrows) first = i;
    if (groups) continue; /* picked below, in the order asked */
    if (!is_free(r)) continue; /* asked for every group: those where it has an estimate */
    /* one row per group: a label used twice in a group (an equality) names its first row */
    size_t k = 0;
    while (k < *nrows && m->rows[rows[k]].group != r->group) k++;
    if (k == *nrows) rows[(*nrows)++] = i;
  }
  if (first == m->nrows)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "--param: the fit model has no parameter '%s' (write 'lhs op rhs' "
                           "as in its parameter table, or a label)", param);
  if (!groups) {
    if (*nrows == 0)
      return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                             "--param: '%s' is fixed in the fit model: it has no estimate to test",
                             param);
    return VAGAP_OK;
  }
  if (m->rows[first].op == VAGAP_SEM_DEFINED)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "--param-group: '%s' is a := parameter, which belongs to no group",
                           param);
  for (size_t k = 0; k < ngroups; k++) {
    size_t i = 0;
    while (i < m->nrows && !((size_t)m->rows[i].group == groups[k] && names_row(&m->rows[i], want)))
      i++;
    if (i == m->nrows)
      return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                             "--param: the fit model has no parameter '%s' in group %zu", param,
                             groups[k]);
    if (!is_free(&m->rows[i]))
      return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                             "--param: '%s' is fixed in group %zu of the fit model: it has no "
                             "estimate to test there", param, groups[k]);
    rows[(*nrows)++] = i;
  }
  return VAGAP_OK;
}
