/*
 * scale.c - questionnaire scoring from a key (see include/vagap/scale.h).
 */
#include "vagap/scale.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vagap/sem.h"

vagap_status_t vagap_scale_key_check(const vagap_scale_key_t *key, vagap_error_t *err) {
  if (!key || (key->nitems && (!key->item_scale || !key->item_reverse)))
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "scale key is incomplete");
  if (!isfinite(key->min) || !isfinite(key->max) || !(key->min < key->max))
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "response range needs finite min < max (got %g, %g)", key->min,
                           key->max);
  if (key->nscales == 0)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "scale key has no scales");
  for (size_t j = 0; j < key->nitems; j++) {
    long s = key->item_scale[j];
    if (s < -1 || (s >= 0 && (size_t)s >= key->nscales))
      return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                             "item %zu has scale index %ld outside 0..%zu", j, s,
                             key->nscales - 1);
  }
  for (size_t s = 0; s < key->nscales; s++) {
    size_t k = vagap_scale_nitems(key, s);
    if (k == 0)
      return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "scale %zu has no items", s);
    if (key->min_items > k)
      return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                             "scale %zu has %zu items, fewer than the %zu required", s, k,
                             key->min_items);
  }
  return VAGAP_OK;
}

size_t vagap_scale_nitems(const vagap_scale_key_t *key, size_t scale) {
  size_t k = 0;
  for (size_t j = 0; j < key->nitems; j++)
    if (key->item_scale[j] >= 0 && (size_t)key->item_scale[j] == scale) k++;
  return k;
}

double vagap_scale_item_value(const vagap_scale_key_t *key, size_t j, double x) {
  return key->item_reverse[j] ? key->min + key->max - x : x;
}

double vagap_scale_pomp(const vagap_scale_key_t *key, double score) {
  return (score - key->min) / (key->max - key->min);
}

/* A response must be missing (NaN) or within [min, max]. */
static vagap_status_t check_response(const vagap_scale_key_t *key, size_t i, size_t j, double x,
                                     vagap_error_t *err) {
  if (isnan(x)) return VAGAP_OK;
  if (!isfinite(x) || x < key->min || x > key->max)
    return vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0,
                           "response %g (row %zu, item %zu) is outside %g..%g", x, i, j,
                           key->min, key->max);
  return VAGAP_OK;
}

vagap_status_t vagap_scale_score_rows(const vagap_scale_key_t *key, const double *responses,
                                      size_t nrows, double *scores, size_t *answered,
                                      vagap_error_t *err) {
  vagap_status_t st = vagap_scale_key_check(key, err);
  if (st != VAGAP_OK) return st;
  size_t ns = key->nscales;
  size_t *need = malloc(ns * sizeof *need), *count = malloc(ns * sizeof *count);
  double *sum = malloc(ns * sizeof *sum);
  if (!need || !count || !sum) {
    free(need), free(count), free(sum);
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  }
  for (size_t s = 0; s < ns; s++)
    need[s] = key->min_items ? key->min_items : vagap_scale_nitems(key, s);
  for (size_t i = 0; i < nrows && st == VAGAP_OK; i++) {
    memset(count, 0, ns * sizeof *count);
    for (size_t s = 0; s < ns; s++) sum[s] = 0.0;
    for (size_t j = 0; j < key->nitems; j++) {
      double x = responses[i * key->nitems + j];
      st = check_response(key, i, j, x, err);
      if (st != VAGAP_OK) break;
      long s = key->item_scale[j];
      if (s < 0 || isnan(x)) continue;
      sum[s] += vagap_scale_item_value(key, j, x);
      count[s]++;
    }
    for (size_t s = 0; s < ns && st == VAGAP_OK; s++) {
      scores[i * ns + s] = count[s] >= need[s] ? sum[s] / (double)count[s] : NAN;
      if (answered) answered[i * ns + s] = count[s];
    }
  }
  free(need), free(count), free(sum);
  return st;
}

vagap_status_t vagap_scale_unit_means(const double *row_scores, size_t nrows, size_t nscales,
                                      const size_t *row_unit, size_t nunits,
                                      double *unit_scores, size_t *unit_nrows,
                                      size_t *unit_nmissing, vagap_error_t *err) {
  size_t cells = nunits * nscales;
  for (size_t c = 0; c < cells; c++) {
    unit_scores[c] = 0.0;
    unit_nrows[c] = 0;
    if (unit_nmissing) unit_nmissing[c] = 0;
  }
  for (size_t i = 0; i < nrows; i++) {
    size_t u = row_unit[i];
    if (u >= nunits)
      return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                             "row %zu belongs to unit %zu, beyond %zu units", i, u, nunits);
    for (size_t s = 0; s < nscales; s++) {
      double v = row_scores[i * nscales + s];
      if (isnan(v)) {
        if (unit_nmissing) unit_nmissing[u * nscales + s]++;
        continue;
      }
      /* running mean: no overflow or cancellation issue for many runs */
      size_t k = ++unit_nrows[u * nscales + s];
      unit_scores[u * nscales + s] += (v - unit_scores[u * nscales + s]) / (double)k;
    }
  }
  for (size_t c = 0; c < cells; c++)
    if (unit_nrows[c] == 0) unit_scores[c] = NAN;
  return VAGAP_OK;
}

vagap_status_t vagap_scale_alpha(const vagap_scale_key_t *key, const double *responses,
                                 size_t nrows, size_t scale, vagap_alpha_t *res,
                                 vagap_error_t *err) {
  memset(res, 0, sizeof *res);
  res->alpha = res->alpha_std = res->mean_r = NAN;
  vagap_status_t st = vagap_scale_key_check(key, err);
  if (st != VAGAP_OK) return st;
  if (scale >= key->nscales)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "no scale %zu", scale);
  size_t k = vagap_scale_nitems(key, scale);
  double *m = malloc((nrows ? nrows : 1) * k * sizeof *m);
  if (!m) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  for (size_t i = 0; i < nrows && st == VAGAP_OK; i++) {
    size_t c = 0;
    for (size_t j = 0; j < key->nitems; j++) {
      double x = responses[i * key->nitems + j];
      if (key->item_scale[j] < 0 || (size_t)key->item_scale[j] != scale) continue;
      st = check_response(key, i, j, x, err);
      if (st != VAGAP_OK) break;
      m[i * k + c++] = isnan(x) ? NAN : vagap_scale_item_value(key, j, x);
    }
  }
  if (st == VAGAP_OK) st = vagap_stats_cronbach_alpha(m, nrows, k, k, res, err);
  free(m);
  return st;
}

/* Complete runs of a scale's items, reversed items scored: a malloc'ed n x k matrix. */
static vagap_status_t complete_items(const vagap_scale_key_t *key, const double *responses,
                                     size_t nrows, size_t scale, size_t k, double **out,
                                     size_t *n, vagap_error_t *err) {
  double *m = malloc((nrows ? nrows : 1) * k * sizeof *m);
  if (!m) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  size_t used = 0;
  for (size_t i = 0; i < nrows; i++) {
    size_t c = 0;
    int complete = 1;
    for (size_t j = 0; j < key->nitems; j++) {
      if (key->item_scale[j] < 0 || (size_t)key->item_scale[j] != scale) continue;
      double x = responses[i * key->nitems + j];
      vagap_status_t st = check_response(key, i, j, x, err);
      if (st != VAGAP_OK) {
        free(m);
        return st;
      }
      if (isnan(x)) complete = 0;
      m[used * k + c++] = vagap_scale_item_value(key, j, x);
    }
    used += complete;
  }
  *out = m;
  *n = used;
  return VAGAP_OK;
}

/* "f =~ v1 + v2 + ... + vk": generated names, so item names need not be identifiers. */
static char *one_factor_syntax(size_t k, char ***names) {
  size_t len = 16 + k * 24;
  char *text = malloc(len);
  *names = calloc(k, sizeof **names);
  if (!text || !*names) {
    free(text);
    free(*names);
    *names = NULL;
    return NULL;
  }
  size_t pos = (size_t)snprintf(text, len, "f =~ ");
  for (size_t j = 0; j < k; j++) {
    char buf[24];
    snprintf(buf, sizeof buf, "v%zu", j + 1);
    (*names)[j] = strdup(buf);
    pos += (size_t)snprintf(text + pos, len - pos, "%s%s", j ? " + " : "", buf);
  }
  for (size_t j = 0; j < k; j++)
    if (!(*names)[j]) {
      for (size_t q = 0; q < k; q++) free((*names)[q]);
      free(*names);
      free(text);
      *names = NULL;
      return NULL;
    }
  return text;
}

/* omega from a fitted one-factor model's loadings and residual variances. */
static void omega_from_fit(const vagap_sem_fit_t *fit, vagap_omega_t *res) {
  double sum_l = 0.0, sum_t = 0.0;
  for (size_t r = 0; r < fit->model->nrows; r++) {
    const vagap_sem_param_t *row = &fit->model->rows[r];
    if (row->op == VAGAP_SEM_LOADING) sum_l += row->est;
    else if (row->op == VAGAP_SEM_COVARIANCE && row->lhs[0] == 'v' && !strcmp(row->lhs, row->rhs))
      sum_t += row->est;
  }
  res->omega = sum_l * sum_l / (sum_l * sum_l + sum_t);
  res->chisq = fit->fit.chisq;
  res->df = fit->fit.df;
  res->cfi = res->df > 0 ? fit->fit.cfi : NAN;
  res->rmsea = res->df > 0 ? fit->fit.rmsea : NAN;
}

vagap_status_t vagap_scale_omega(const vagap_scale_key_t *key, const double *responses,
                                 size_t nrows, size_t scale, vagap_omega_t *res,
                                 vagap_error_t *err) {
  memset(res, 0, sizeof *res);
  res->omega = res->cfi = res->rmsea = res->chisq = res->df = NAN;
  vagap_status_t st = vagap_scale_key_check(key, err);
  if (st != VAGAP_OK) return st;
  if (scale >= key->nscales)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "no scale %zu", scale);
  size_t k = vagap_scale_nitems(key, scale), n = 0;
  res->k = k;
  double *m = NULL;
  st = complete_items(key, responses, nrows, scale, k, &m, &n, err);
  if (st != VAGAP_OK) return st;
  res->n = n;
  res->n_excluded = nrows - n;
  if (k < 3 || n < k + 1) {
    free(m);
    return vagap_error_set(err, VAGAP_EDOMAIN, NULL, 0, 0,
                           "omega needs a one-factor model with at least 3 items and more "
                           "complete runs than items (k = %zu, n = %zu)", k, n);
  }
  char **names = NULL;
  char *text = one_factor_syntax(k, &names);
  vagap_sem_syntax_t *syn = NULL;
  vagap_sem_model_t *model = NULL;
  vagap_sem_stats_t *stats = NULL;
  vagap_sem_fit_t *fit = NULL;
  size_t *group = calloc(n ? n : 1, sizeof *group);
  if (!text || !group) {
    st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    goto done;
  }
  vagap_sem_model_options_t mo;
  vagap_sem_model_options_init(&mo);
  mo.std_lv = 1;
  vagap_sem_fit_options_t fo;
  vagap_sem_fit_options_init(&fo);
  st = vagap_sem_syntax_parse(&syn, text, "omega model", err);
  if (st == VAGAP_OK) st = vagap_sem_model_build(&model, syn, 1, &mo, "omega model", err);
  if (st == VAGAP_OK)
    st = vagap_sem_stats_alloc(&stats, 1, k, (const char *const *)names, NULL, err);
  if (st == VAGAP_OK) st = vagap_sem_stats_compute(stats, m, group, n, err);
  if (st == VAGAP_OK) st = vagap_sem_fit(&fit, model, stats, &fo, err);
  if (st == VAGAP_OK) omega_from_fit(fit, res);
done:
  vagap_sem_fit_free(fit);
  vagap_sem_stats_free(stats);
  vagap_sem_model_free(model);
  vagap_sem_syntax_free(syn);
  if (names)
    for (size_t j = 0; j < k; j++) free(names[j]);
  free(names);
  free(text);
  free(group);
  free(m);
  return st;
}
