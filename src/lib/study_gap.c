/*
 * The cross-task step of `vagap report` (METHODS.md sections 3 and 4): the
 * three scored logs become per-unit measures, joined by unit name and
 * analysed.  In the library so that the program and the R and Python
 * report() give the same gap tables.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vagap/study.h"

/* The self-report measure per unit into v[nunits]: total POMP, or one scale's POMP. */
static vagap_status_t selfreport_measure(const vagap_study_scale_t *sc, const char *scale,
                                         size_t min_items, double *v, vagap_error_t *err) {
  size_t k = 0;
  if (scale) {
    while (k < sc->nscales && strcmp(sc->scales[k], scale) != 0) k++;
    if (k == sc->nscales)
      return vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0,
                             "--selfreport-scale: the key has no scale '%s'", scale);
  }
  vagap_scale_key_t key = {sc->nitems, sc->nscales, sc->key.item_scale, sc->key.item_reverse,
                           sc->min, sc->max, min_items};
  for (size_t u = 0; u < sc->nunits; u++)
    v[u] = scale ? vagap_scale_pomp(&key, sc->scale_scores[u * sc->nscales + k]) : sc->total_pomp[u];
  return VAGAP_OK;
}

/* The choice counts of each joined unit, found by name (zero for a unit without choices). */
static void joined_counts(const vagap_gap_joined_t *j, const vagap_study_choices_t *c, size_t *x,
                          size_t *n) {
  for (size_t u = 0; u < j->n; u++)
    for (size_t k = 0; k < c->units.n; k++)
      if (strcmp(c->units.names[k], j->units[u]) == 0) {
        x[u] = c->prosocial[k];
        n[u] = c->prosocial[k] + c->selfish[k];
        break;
      }
}

vagap_status_t vagap_study_gap(const vagap_iat_assoc_t *iat, const vagap_study_choices_t *choices,
                               const vagap_study_scale_t *scale, const char *selfreport_scale,
                               size_t min_items, const vagap_gap_options_t *opt, vagap_gap_t *out,
                               vagap_error_t *err) {
  size_t ni = iat ? vagap_iat_assoc_nunits(iat) : 0, nb = choices->units.n, ns = scale->nunits;
  const char **iu = malloc((ni ? ni : 1) * sizeof *iu);
  double *iv = malloc((ni ? ni : 1) * sizeof *iv), *bv = malloc((nb ? nb : 1) * sizeof *bv);
  double *sv = malloc((ns ? ns : 1) * sizeof *sv);
  vagap_gap_joined_t j = {0};
  size_t *x = NULL, *n = NULL;
  vagap_status_t st = iu && iv && bv && sv ? VAGAP_OK
                                           : vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  if (!st) st = selfreport_measure(scale, selfreport_scale, min_items, sv, err);
  if (!st) {
    for (size_t i = 0; i < ni; i++) {
      vagap_iat_assoc_unit_t u;
      vagap_iat_assoc_unit(iat, i, &u);
      iu[i] = u.unit;
      iv[i] = u.score;
    }
    for (size_t i = 0; i < nb; i++) {
      size_t valid = choices->prosocial[i] + choices->selfish[i];
      bv[i] = valid ? (double)choices->prosocial[i] / (double)valid : NAN;
    }
    vagap_gap_measure_t mi = {ni, iu, iv},
                        mb = {nb, (const char *const *)choices->units.names, bv},
                        ms = {ns, scale->unit_names, sv};
    st = vagap_gap_join(iat ? &mi : NULL, &mb, &ms, &j, err);
  }
  if (!st) {
    x = calloc(j.n ? j.n : 1, sizeof *x);
    n = calloc(j.n ? j.n : 1, sizeof *n);
    if (!x || !n) st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  }
  if (!st) {
    joined_counts(&j, choices, x, n);
    vagap_gap_data_t data = {j.n, (const char *const *)j.units, j.iat, j.behavior, j.selfreport, x, n};
    st = vagap_gap_analyze(&data, opt, out, err);
  }
  free(iu);
  free(iv);
  free(bv);
  free(sv);
  free(x);
  free(n);
  vagap_gap_joined_free(&j);
  return st;
}
