/*
 * gap_tidy.c - a calibration-gap analysis as one stacked test table (see
 * vagap_gap_tidy in vagap/gap.h): what `vagap gap` and `vagap report` print
 * and the bindings return.  Moved from the program's gap_out.c.
 */
#include "vagap/gap.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The rows being written and the first failure (rows after it are dropped). */
typedef struct {
  vagap_tidy_t *out;
  vagap_error_t *err;
  vagap_status_t status;
} rows_t;

/* One broom row; pass NAN for what does not apply. */
static void row(rows_t *w, const char *group, const char *term, double estimate, double se,
                double statistic, double df, double p, double lo, double hi, size_t n,
                const char *method) {
  if (w->status) return;
  vagap_tidy_row_t r = {.group = group, .term = term, .estimate = estimate, .std_error = se,
                        .statistic = statistic, .df = df, .p_value = p, .conf_low = lo,
                        .conf_high = hi, .n = n, .rank = NAN, .method = method};
  w->status = vagap_tidy_add(w->out, &r, w->err);
}

static void describe_rows(rows_t *w, const char *group, const vagap_gap_describe_t *d) {
  row(w, group, "sd", d->sd, NAN, NAN, NAN, NAN, NAN, NAN, d->n, "standard deviation (n-1)");
  row(w, group, "min", d->min, NAN, NAN, NAN, NAN, NAN, NAN, d->n, "minimum");
  row(w, group, "max", d->max, NAN, NAN, NAN, NAN, NAN, NAN, d->n, "maximum");
}

static void ttest_row(rows_t *w, const char *group, const char *term, const vagap_ttest_t *t,
                      size_t n, const char *method) {
  row(w, group, term, t->estimate, t->std_error, t->statistic, t->df, t->p_value, t->conf_low,
      t->conf_high, n, method);
}

static void measure_rows(rows_t *w, const vagap_gap_t *g) {
  char method[160];
  if (g->has_iat) {
    snprintf(method, sizeof method, "One Sample t-test (mu = %g)", g->opt.iat_null);
    ttest_row(w, "iat", "mean", &g->iat_test, g->iat.n, method);
    describe_rows(w, "iat", &g->iat);
  }
  snprintf(method, sizeof method, "One Sample t-test (mu = %g)", g->opt.behavior_null);
  ttest_row(w, "behavior", "mean", &g->behavior_test, g->behavior.n, method);
  describe_rows(w, "behavior", &g->behavior);
  if (g->has_counts) {
    const vagap_prop_t *p = &g->pooled_behavior;
    snprintf(method, sizeof method,
             "Exact binomial test of pooled prosocial choices (p0 = %g); Wilson CI", p->p0);
    row(w, "behavior", "pooled_prosocial", p->estimate, p->std_error, (double)p->x, NAN,
        p->p_value, p->conf_low, p->conf_high, p->n, method);
  }
  const vagap_gap_describe_t *s = &g->selfreport;
  row(w, "selfreport", "mean", s->mean, s->n > 1 ? s->sd / sqrt((double)s->n) : NAN, NAN, NAN,
      NAN, NAN, NAN, s->n, "mean");
  describe_rows(w, "selfreport", s);
}

static void gap_rows(rows_t *w, const vagap_gap_t *g) {
  const vagap_ttest_t *t = &g->paired;
  const vagap_effect_size_t *e = &t->effect;
  size_t n = t->n;
  ttest_row(w, "gap", "selfreport-behavior", t, n, "Paired t-test");
  row(w, "gap", "d_z", e->d_z, NAN, NAN, NAN, NAN, e->d_conf_low, e->d_conf_high, n,
      "Cohen's d_z = mean gap / SD(gap, n-1); noncentral-t CI");
  row(w, "gap", "d_z0", e->d_z0, NAN, NAN, NAN, NAN, NAN, NAN, n,
      "d_z0 = mean gap / SD(gap, n) (numpy ddof=0; Andric 2025)");
  row(w, "gap", "d_av", e->d_av, NAN, NAN, NAN, NAN, NAN, NAN, n,
      "d_av = mean gap / sqrt((SD1^2 + SD2^2)/2)");
  row(w, "gap", "d_rm", e->d_rm, NAN, NAN, NAN, NAN, NAN, NAN, n,
      "d_rm (repeated measures, corrected for r)");
  row(w, "gap", "g", e->g, NAN, NAN, NAN, NAN, e->g_conf_low, e->g_conf_high, n,
      "Hedges' g = J * d_z; noncentral-t CI");
  row(w, "gap", "g_av", e->g_av, NAN, NAN, NAN, NAN, NAN, NAN, n, "Hedges' g_av = J * d_av");
  describe_rows(w, "gap", &g->gap);
  char method[160];
  const vagap_prop_t *o = &g->overclaiming;
  snprintf(method, sizeof method, "share of units with gap > %g; Wilson CI", g->opt.tau);
  row(w, "gap", "overclaiming", o->estimate, o->std_error, (double)g->n_overclaiming, NAN, NAN,
      o->conf_low, o->conf_high, g->n_complete, method);
}

static void quadrant_rows(rows_t *w, const vagap_gap_t *g) {
  static const char *const rule[VAGAP_GAP_NQUADRANTS] = {
      "behavior >= %g and gap <= %g", "behavior >= %g and gap > %g",
      "behavior < %g and gap <= %g", "behavior < %g and gap > %g"};
  for (int q = 0; q < VAGAP_GAP_NQUADRANTS; q++) {
    char method[200], cond[100];
    snprintf(cond, sizeof cond, rule[q], g->opt.behavior_cut, g->opt.tau);
    snprintf(method, sizeof method, "share of units with %s; Wilson CI", cond);
    const vagap_prop_t *p = &g->quadrant[q];
    row(w, "quadrant", vagap_gap_quadrant_name((vagap_gap_quadrant_t)q), p->estimate, p->std_error,
        (double)g->quadrant_n[q], NAN, NAN, p->conf_low, p->conf_high, g->n_complete, method);
  }
}

static void correlation_rows(rows_t *w, const vagap_gap_t *g) {
  for (int k = 0; k < VAGAP_GAP_NCOR; k++) {
    if (!g->has_iat && k != VAGAP_GAP_COR_SELFREPORT_BEHAVIOR) continue;
    const vagap_cor_t *c = &g->cor[k];
    row(w, "correlation", vagap_gap_cor_name((vagap_gap_cor_pair_t)k), c->estimate, NAN,
        c->statistic, c->df, c->p_value, c->conf_low, c->conf_high, c->n,
        "Pearson's product-moment correlation; Fisher-z CI");
  }
}

void vagap_gap_excluded_list(const vagap_gap_t *g, char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < g->n_units && used < size; i++) {
    const vagap_gap_unit_t *u = &g->units[i];
    if (u->complete) continue;
    char missing[64];
    vagap_gap_missing_names(u->missing, missing, sizeof missing);
    int k = snprintf(buf + used, size - used, "%s%s (no %s)", used ? "; " : "", u->name, missing);
    if (k < 0) break;
    used += (size_t)k;
  }
}

vagap_status_t vagap_gap_tidy(const vagap_gap_t *g, vagap_tidy_t *out, vagap_error_t *err) {
  vagap_tidy_init(out);
  rows_t w = {out, err, VAGAP_OK};
  char method[2048];
  row(&w, "units", "complete", (double)g->n_complete, NAN, NAN, NAN, NAN, NAN, NAN, g->n_units,
      "units with every measure (in the cross-task analysis)");
  snprintf(method, sizeof method, "units missing a measure, excluded");
  if (g->n_excluded) {
    size_t k = strlen(method);
    snprintf(method + k, sizeof method - k, ": ");
    k = strlen(method);
    vagap_gap_excluded_list(g, method + k, sizeof method - k);
  }
  row(&w, "units", "excluded", (double)g->n_excluded, NAN, NAN, NAN, NAN, NAN, NAN, g->n_units,
      method);
  measure_rows(&w, g);
  gap_rows(&w, g);
  quadrant_rows(&w, g);
  correlation_rows(&w, g);
  if (w.status) vagap_tidy_free(out);
  return w.status;
}
