/*
 * gap.c - calibration gap between self-report and behaviour (METHODS.md
 * section 4).  The statistics themselves come from stats*.c; this module
 * joins the measures, decides which units enter the cross-task analysis and
 * classifies units against the thresholds.
 */
#include "vagap/gap.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const QUADRANT_NAMES[VAGAP_GAP_NQUADRANTS] = {
    "prosocial_calibrated", "prosocial_overclaiming", "low_calibrated", "low_overclaiming"};
static const char *const QUADRANT_LABELS[VAGAP_GAP_NQUADRANTS] = {
    "prosocial and calibrated", "prosocial but over-claiming", "less prosocial but calibrated",
    "less prosocial and over-claiming"};
static const char *const COR_NAMES[VAGAP_GAP_NCOR] = {"iat~behavior", "selfreport~behavior",
                                                      "iat~selfreport"};

const char *vagap_gap_quadrant_name(vagap_gap_quadrant_t q) {
  return (q >= 0 && q < VAGAP_GAP_NQUADRANTS) ? QUADRANT_NAMES[q] : NULL;
}

const char *vagap_gap_quadrant_label(vagap_gap_quadrant_t q) {
  return (q >= 0 && q < VAGAP_GAP_NQUADRANTS) ? QUADRANT_LABELS[q] : NULL;
}

const char *vagap_gap_cor_name(vagap_gap_cor_pair_t pair) {
  return (pair >= 0 && pair < VAGAP_GAP_NCOR) ? COR_NAMES[pair] : NULL;
}

void vagap_gap_options_init(vagap_gap_options_t *opt) {
  opt->tau = 0.05;
  opt->behavior_cut = 0.65;
  opt->iat_null = 0.0;
  opt->behavior_null = 0.5;
  opt->conf_level = 0.95;
}

vagap_status_t vagap_gap_options_check(const vagap_gap_options_t *opt, vagap_error_t *err) {
  if (!isfinite(opt->tau))
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "tau must be a finite number");
  if (!isfinite(opt->behavior_cut))
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "behavior cut must be a finite number");
  if (!isfinite(opt->iat_null))
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "IAT null value must be finite");
  if (!(opt->behavior_null >= 0 && opt->behavior_null <= 1))
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "behaviour null value must be a proportion in [0, 1], got %g",
                           opt->behavior_null);
  if (!(opt->conf_level > 0 && opt->conf_level < 1))
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "confidence level must be in (0, 1), got %g", opt->conf_level);
  return VAGAP_OK;
}

void vagap_gap_missing_names(int missing, char *buf, size_t size) {
  static const struct { int flag; const char *name; } measures[] = {
      {VAGAP_GAP_IAT, "iat"}, {VAGAP_GAP_BEHAVIOR, "behavior"}, {VAGAP_GAP_SELFREPORT, "selfreport"}};
  if (size == 0) return;
  buf[0] = '\0';
  size_t used = 0;
  for (size_t k = 0; k < sizeof measures / sizeof measures[0]; k++) {
    if (!(missing & measures[k].flag)) continue;
    int w = snprintf(buf + used, size - used, "%s%s", used ? "," : "", measures[k].name);
    if (w < 0 || (size_t)w >= size - used) return; /* truncated, still terminated */
    used += (size_t)w;
  }
}

/* ---- join ------------------------------------------------------------------ */

/* One (measure, position) occurrence of a unit name, sorted by name. */
typedef struct {
  const char *name;
  size_t measure; /* 0 iat, 1 behavior, 2 selfreport */
  size_t pos;
} occurrence_t;

static int compare_occurrences(const void *a, const void *b) {
  const occurrence_t *x = a, *y = b;
  int c = strcmp(x->name, y->name);
  if (c) return c;
  if (x->measure != y->measure) return x->measure < y->measure ? -1 : 1;
  return (x->pos > y->pos) - (x->pos < y->pos);
}

/* A unit of the join: where its name first occurred, for first-seen order. */
typedef struct {
  size_t first_measure, first_pos;
  size_t occ;  /* index of its first occurrence in the sorted array */
  size_t nocc; /* occurrences (at most one per measure) */
} join_unit_t;

static int compare_first_seen(const void *a, const void *b) {
  const join_unit_t *x = a, *y = b;
  if (x->first_measure != y->first_measure) return x->first_measure < y->first_measure ? -1 : 1;
  return (x->first_pos > y->first_pos) - (x->first_pos < y->first_pos);
}

void vagap_gap_joined_free(vagap_gap_joined_t *j) {
  if (!j) return;
  if (j->units)
    for (size_t i = 0; i < j->n; i++) free(j->units[i]);
  free(j->units);
  free(j->iat);
  free(j->behavior);
  free(j->selfreport);
  memset(j, 0, sizeof *j);
}

static vagap_status_t alloc_joined(vagap_gap_joined_t *out, size_t n, int with_iat) {
  size_t m = n ? n : 1;
  out->n = n;
  out->units = calloc(m, sizeof *out->units);
  out->iat = with_iat ? malloc(m * sizeof(double)) : NULL;
  out->behavior = malloc(m * sizeof(double));
  out->selfreport = malloc(m * sizeof(double));
  if (!out->units || (with_iat && !out->iat) || !out->behavior || !out->selfreport)
    return VAGAP_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    if (with_iat) out->iat[i] = NAN;
    out->behavior[i] = out->selfreport[i] = NAN;
  }
  return VAGAP_OK;
}

vagap_status_t vagap_gap_join(const vagap_gap_measure_t *iat, const vagap_gap_measure_t *behavior,
                              const vagap_gap_measure_t *selfreport, vagap_gap_joined_t *out,
                              vagap_error_t *err) {
  const vagap_gap_measure_t *measures[3] = {iat, behavior, selfreport};
  static const char *const measure_names[3] = {"iat", "behavior", "selfreport"};
  memset(out, 0, sizeof *out);
  if (!behavior || !selfreport)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "behaviour and self-report are required");
  size_t total = 0;
  for (size_t m = 0; m < 3; m++)
    if (measures[m]) total += measures[m]->n;
  occurrence_t *occ = malloc((total ? total : 1) * sizeof *occ);
  join_unit_t *units = malloc((total ? total : 1) * sizeof *units);
  vagap_status_t st = VAGAP_OK;
  if (!occ || !units) {
    st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory joining measures");
    goto done;
  }
  size_t k = 0;
  for (size_t m = 0; m < 3; m++)
    for (size_t i = 0; measures[m] && i < measures[m]->n; i++)
      occ[k++] = (occurrence_t){measures[m]->units[i], m, i};
  qsort(occ, total, sizeof *occ, compare_occurrences);

  size_t nunits = 0;
  for (size_t i = 0; i < total;) {
    size_t e = i + 1;
    while (e < total && strcmp(occ[e].name, occ[i].name) == 0) {
      if (occ[e].measure == occ[e - 1].measure) {
        st = vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0, "unit '%s' occurs twice in the %s measure",
                             occ[e].name, measure_names[occ[e].measure]);
        goto done;
      }
      e++;
    }
    units[nunits++] = (join_unit_t){occ[i].measure, occ[i].pos, i, e - i};
    i = e;
  }
  qsort(units, nunits, sizeof *units, compare_first_seen);

  if (alloc_joined(out, nunits, iat != NULL) != VAGAP_OK) {
    st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory joining measures");
    goto done;
  }
  for (size_t u = 0; u < nunits; u++) {
    const occurrence_t *first = &occ[units[u].occ];
    if (!(out->units[u] = strdup(first->name))) {
      st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory joining measures");
      goto done;
    }
    for (size_t o = 0; o < units[u].nocc; o++) {
      const occurrence_t *x = &first[o];
      double v = measures[x->measure]->values[x->pos];
      double *dst = x->measure == 0 ? out->iat : x->measure == 1 ? out->behavior : out->selfreport;
      dst[u] = v;
    }
  }
done:
  if (st != VAGAP_OK) vagap_gap_joined_free(out);
  free(occ);
  free(units);
  return st;
}

/* ---- analysis ------------------------------------------------------------------ */

static int exceeds(double x, double threshold) { return x > threshold + VAGAP_GAP_TOLERANCE; }
static int at_least(double x, double threshold) { return x >= threshold - VAGAP_GAP_TOLERANCE; }

static vagap_status_t check_data(const vagap_gap_data_t *d, vagap_error_t *err) {
  if (!d->behavior || !d->selfreport || !d->units)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "unit names, behaviour and self-report are required");
  if ((d->prosocial == NULL) != (d->valid == NULL))
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "choice counts need both the prosocial and the valid counts");
  for (size_t i = 0; i < d->n; i++) {
    double b = d->behavior[i], s = d->selfreport[i];
    if (!isnan(b) && !(b >= 0 && b <= 1))
      return vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0,
                             "unit '%s': behaviour %g is not a proportion in [0, 1]", d->units[i], b);
    if (!isnan(s) && !(s >= 0 && s <= 1))
      return vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0,
                             "unit '%s': self-report %g is not a proportion in [0, 1]", d->units[i], s);
    if (d->iat && isinf(d->iat[i]))
      return vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0, "unit '%s': IAT score is infinite",
                             d->units[i]);
    if (d->prosocial && d->prosocial[i] > d->valid[i])
      return vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0,
                             "unit '%s': %zu prosocial choices out of %zu valid ones", d->units[i],
                             d->prosocial[i], d->valid[i]);
  }
  return VAGAP_OK;
}

static vagap_gap_quadrant_t quadrant_of(double behavior, double gap, const vagap_gap_options_t *o) {
  int prosocial = at_least(behavior, o->behavior_cut);
  int over = exceeds(gap, o->tau);
  if (prosocial) return over ? VAGAP_GAP_PROSOCIAL_OVERCLAIMING : VAGAP_GAP_PROSOCIAL_CALIBRATED;
  return over ? VAGAP_GAP_LOW_OVERCLAIMING : VAGAP_GAP_LOW_CALIBRATED;
}

/* Fill res->units; returns VAGAP_ENOMEM on failure. */
static vagap_status_t classify_units(const vagap_gap_data_t *d, vagap_gap_t *res) {
  for (size_t i = 0; i < d->n; i++) {
    vagap_gap_unit_t *u = &res->units[i];
    if (!(u->name = strdup(d->units[i]))) return VAGAP_ENOMEM;
    u->iat = d->iat ? d->iat[i] : NAN;
    u->behavior = d->behavior[i];
    u->selfreport = d->selfreport[i];
    u->gap = u->selfreport - u->behavior; /* NaN propagates */
    u->missing = (d->iat && isnan(u->iat) ? VAGAP_GAP_IAT : 0) |
                 (isnan(u->behavior) ? VAGAP_GAP_BEHAVIOR : 0) |
                 (isnan(u->selfreport) ? VAGAP_GAP_SELFREPORT : 0);
    u->complete = u->missing == 0;
    u->quadrant = VAGAP_GAP_NO_QUADRANT;
    if (!u->complete) {
      res->n_excluded++;
      continue;
    }
    res->n_complete++;
    u->overclaiming = exceeds(u->gap, res->opt.tau);
    u->quadrant = quadrant_of(u->behavior, u->gap, &res->opt);
    res->n_overclaiming += (size_t)u->overclaiming;
    res->quadrant_n[u->quadrant]++;
  }
  return VAGAP_OK;
}

static void describe(const double *x, size_t n, vagap_gap_describe_t *out) {
  out->n = n;
  out->mean = out->sd = out->min = out->max = NAN;
  if (n == 0) return;
  out->mean = gsl_stats_mean(x, 1, n);
  if (n > 1) out->sd = gsl_stats_sd_m(x, 1, n, out->mean);
  gsl_stats_minmax(&out->min, &out->max, x, 1, n);
}

/* The tests need the complete units' values as contiguous arrays. */
typedef struct {
  double *iat, *behavior, *selfreport, *gap;
  size_t n, prosocial, valid;
} complete_t;

static vagap_status_t gather_complete(const vagap_gap_data_t *d, const vagap_gap_t *res,
                                      complete_t *c) {
  size_t m = res->n_complete ? res->n_complete : 1;
  memset(c, 0, sizeof *c);
  c->iat = malloc(m * sizeof(double));
  c->behavior = malloc(m * sizeof(double));
  c->selfreport = malloc(m * sizeof(double));
  c->gap = malloc(m * sizeof(double));
  if (!c->iat || !c->behavior || !c->selfreport || !c->gap) return VAGAP_ENOMEM;
  for (size_t i = 0; i < d->n; i++) {
    const vagap_gap_unit_t *u = &res->units[i];
    if (!u->complete) continue;
    c->iat[c->n] = u->iat;
    c->behavior[c->n] = u->behavior;
    c->selfreport[c->n] = u->selfreport;
    c->gap[c->n] = u->gap;
    c->n++;
    if (d->prosocial) {
      c->prosocial += d->prosocial[i];
      c->valid += d->valid[i];
    }
  }
  return VAGAP_OK;
}

static void free_complete(complete_t *c) {
  free(c->iat);
  free(c->behavior);
  free(c->selfreport);
  free(c->gap);
}

/* Record a test's status; only ENOMEM / ENUMERIC are fatal for the analysis. */
static vagap_status_t keep(vagap_status_t st, vagap_status_t *slot, vagap_error_t *err,
                           const vagap_error_t *local) {
  *slot = st;
  if (st == VAGAP_ENOMEM || st == VAGAP_ENUMERIC) {
    if (err) *err = *local;
    return st;
  }
  return VAGAP_OK;
}

static vagap_status_t run_shares(vagap_gap_t *res, vagap_error_t *err) {
  vagap_prop_options_t po;
  vagap_prop_options_init(&po);
  po.conf_level = res->opt.conf_level;
  vagap_error_t local;
  vagap_status_t st = keep(vagap_stats_prop_test(res->n_overclaiming, res->n_complete, &po,
                                                 &res->overclaiming, &local),
                           &res->overclaiming_status, err, &local);
  for (int q = 0; q < VAGAP_GAP_NQUADRANTS && st == VAGAP_OK; q++)
    st = keep(vagap_stats_prop_test(res->quadrant_n[q], res->n_complete, &po, &res->quadrant[q],
                                    &local),
              &res->quadrant_status[q], err, &local);
  return st;
}

static vagap_status_t run_correlations(vagap_gap_t *res, const complete_t *c, vagap_error_t *err) {
  vagap_cor_options_t co;
  vagap_cor_options_init(&co);
  co.conf_level = res->opt.conf_level;
  const double *xs[VAGAP_GAP_NCOR] = {c->iat, c->selfreport, c->iat};
  const double *ys[VAGAP_GAP_NCOR] = {c->behavior, c->behavior, c->selfreport};
  vagap_error_t local;
  for (int k = 0; k < VAGAP_GAP_NCOR; k++) {
    if (!res->has_iat && xs[k] == c->iat) {
      memset(&res->cor[k], 0, sizeof res->cor[k]);
      res->cor[k].estimate = res->cor[k].statistic = res->cor[k].df = res->cor[k].p_value = NAN;
      res->cor[k].conf_low = res->cor[k].conf_high = res->cor[k].log10_p = NAN;
      res->cor_status[k] = VAGAP_EDOMAIN;
      continue;
    }
    vagap_status_t st = keep(vagap_stats_cor(xs[k], ys[k], c->n, &co, &res->cor[k], &local),
                             &res->cor_status[k], err, &local);
    if (st != VAGAP_OK) return st;
  }
  return VAGAP_OK;
}

static vagap_status_t run_ttests(vagap_gap_t *res, const complete_t *c, vagap_error_t *err) {
  vagap_ttest_options_t to;
  vagap_ttest_options_init(&to);
  to.conf_level = res->opt.conf_level;
  vagap_error_t local;
  vagap_status_t st = keep(vagap_stats_ttest_paired(c->selfreport, c->behavior, c->n, &to,
                                                    &res->paired, &local),
                           &res->paired_status, err, &local);
  if (st != VAGAP_OK) return st;
  to.mu = res->opt.behavior_null;
  st = keep(vagap_stats_ttest_one(c->behavior, c->n, &to, &res->behavior_test, &local),
            &res->behavior_test_status, err, &local);
  if (st != VAGAP_OK) return st;
  to.mu = res->opt.iat_null;
  if (res->has_iat)
    return keep(vagap_stats_ttest_one(c->iat, c->n, &to, &res->iat_test, &local),
                &res->iat_test_status, err, &local);
  /* No IAT: an all-NaN test row, marked undefined. */
  keep(vagap_stats_ttest_one(c->iat, 0, &to, &res->iat_test, &local), &res->iat_test_status, err,
       &local);
  res->iat_test_status = VAGAP_EDOMAIN;
  return VAGAP_OK;
}

static vagap_status_t run_pooled(vagap_gap_t *res, const complete_t *c, vagap_error_t *err) {
  vagap_prop_options_t po;
  vagap_prop_options_init(&po);
  po.conf_level = res->opt.conf_level;
  po.p0 = res->opt.behavior_null;
  vagap_error_t local;
  /* Without counts n = 0, which prop_test reports as undefined with NaNs. */
  size_t x = res->has_counts ? c->prosocial : 0, n = res->has_counts ? c->valid : 0;
  return keep(vagap_stats_prop_test(x, n, &po, &res->pooled_behavior, &local),
              &res->pooled_status, err, &local);
}

void vagap_gap_free(vagap_gap_t *res) {
  if (!res) return;
  if (res->units)
    for (size_t i = 0; i < res->n_units; i++) free(res->units[i].name);
  free(res->units);
  res->units = NULL;
  res->n_units = 0;
}

vagap_status_t vagap_gap_analyze(const vagap_gap_data_t *data, const vagap_gap_options_t *opt,
                                 vagap_gap_t *res, vagap_error_t *err) {
  memset(res, 0, sizeof *res);
  vagap_status_t st = vagap_gap_options_check(opt, err);
  if (st == VAGAP_OK) st = check_data(data, err);
  if (st != VAGAP_OK) return st;
  res->opt = *opt;
  res->has_iat = data->iat != NULL;
  res->has_counts = data->prosocial != NULL;
  res->n_units = data->n;
  res->units = calloc(data->n ? data->n : 1, sizeof *res->units);
  if (!res->units || classify_units(data, res) != VAGAP_OK) {
    vagap_gap_free(res);
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory in the gap analysis");
  }
  complete_t c;
  if (gather_complete(data, res, &c) != VAGAP_OK) {
    free_complete(&c);
    vagap_gap_free(res);
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory in the gap analysis");
  }
  describe(c.iat, res->has_iat ? c.n : 0, &res->iat);
  describe(c.behavior, c.n, &res->behavior);
  describe(c.selfreport, c.n, &res->selfreport);
  describe(c.gap, c.n, &res->gap);
  st = run_shares(res, err);
  if (st == VAGAP_OK) st = run_correlations(res, &c, err);
  if (st == VAGAP_OK) st = run_ttests(res, &c, err);
  if (st == VAGAP_OK) st = run_pooled(res, &c, err);
  free_complete(&c);
  if (st != VAGAP_OK) vagap_gap_free(res);
  return st;
}
