/* Tidy and text output of a calibration-gap analysis (see gap_out.h). */
#include "gap_out.h"
#include "stats_cli.h"

#include <math.h>
#include <string.h>

const char *const GAP_UNIT_COLUMNS[] = {"model", "iat", "behavior", "selfreport", "gap",
                                        "overclaiming", "quadrant", "complete", "missing"};
const size_t GAP_NUNIT_COLUMNS = sizeof GAP_UNIT_COLUMNS / sizeof GAP_UNIT_COLUMNS[0];

/* One broom row; pass NAN for what does not apply. */
static void row(cli_writer_t *w, const char *group, const char *term, double estimate, double se,
                double statistic, double df, double p, double lo, double hi, size_t n,
                const char *method) {
  broom_put(w, stats_put_num,
            &(broom_row_t){group, term, estimate, se, statistic, df, p, lo, hi, n, method});
}

static void describe_rows(cli_writer_t *w, const char *group, const vagap_gap_describe_t *d) {
  row(w, group, "sd", d->sd, NAN, NAN, NAN, NAN, NAN, NAN, d->n, "standard deviation (n-1)");
  row(w, group, "min", d->min, NAN, NAN, NAN, NAN, NAN, NAN, d->n, "minimum");
  row(w, group, "max", d->max, NAN, NAN, NAN, NAN, NAN, NAN, d->n, "maximum");
}

static void ttest_row(cli_writer_t *w, const char *group, const char *term, const vagap_ttest_t *t,
                      size_t n, const char *method) {
  broom_row_t r = broom_ttest(group, term, t, method);
  r.n = n;
  broom_put(w, stats_put_num, &r);
}

static void measure_rows(cli_writer_t *w, const vagap_gap_t *g) {
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

static void gap_rows(cli_writer_t *w, const vagap_gap_t *g) {
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

static void quadrant_rows(cli_writer_t *w, const vagap_gap_t *g) {
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

static void correlation_rows(cli_writer_t *w, const vagap_gap_t *g) {
  for (int k = 0; k < VAGAP_GAP_NCOR; k++) {
    if (!g->has_iat && k != VAGAP_GAP_COR_SELFREPORT_BEHAVIOR) continue;
    const vagap_cor_t *c = &g->cor[k];
    row(w, "correlation", vagap_gap_cor_name((vagap_gap_cor_pair_t)k), c->estimate, NAN,
        c->statistic, c->df, c->p_value, c->conf_low, c->conf_high, c->n,
        "Pearson's product-moment correlation; Fisher-z CI");
  }
}

/* The excluded units with what they miss, "a (behavior); b (iat)". */
static void excluded_list(const vagap_gap_t *g, char *buf, size_t size) {
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

void gap_write_tests(cli_writer_t *w, const vagap_gap_t *g) {
  char method[2048];
  row(w, "units", "complete", (double)g->n_complete, NAN, NAN, NAN, NAN, NAN, NAN, g->n_units,
      "units with every measure (in the cross-task analysis)");
  snprintf(method, sizeof method, "units missing a measure, excluded");
  if (g->n_excluded) {
    size_t k = strlen(method);
    snprintf(method + k, sizeof method - k, ": ");
    k = strlen(method);
    excluded_list(g, method + k, sizeof method - k);
  }
  row(w, "units", "excluded", (double)g->n_excluded, NAN, NAN, NAN, NAN, NAN, NAN, g->n_units,
      method);
  measure_rows(w, g);
  gap_rows(w, g);
  quadrant_rows(w, g);
  correlation_rows(w, g);
}

void gap_write_units(cli_writer_t *w, const vagap_gap_t *g) {
  for (size_t i = 0; i < g->n_units; i++) {
    const vagap_gap_unit_t *u = &g->units[i];
    char missing[64];
    vagap_gap_missing_names(u->missing, missing, sizeof missing);
    cli_put_str(w, u->name);
    cli_put_num(w, u->iat);
    cli_put_num(w, u->behavior);
    cli_put_num(w, u->selfreport);
    cli_put_num(w, u->gap);
    if (u->complete) cli_put_bool(w, u->overclaiming);
    else cli_put_na(w);
    cli_put_str(w, vagap_gap_quadrant_name(u->quadrant));
    cli_put_bool(w, u->complete);
    cli_put_str(w, u->missing ? missing : NULL);
  }
}

void gap_format_p(char *buf, size_t size, double p) {
  if (isnan(p)) snprintf(buf, size, "p = NA");
  else if (p < 0.0001) snprintf(buf, size, "p < .0001");
  else if (p < 0.001) snprintf(buf, size, "p = %.4f", p);
  else snprintf(buf, size, "p = %.3f", p);
  /* APA drops the leading zero of quantities that cannot exceed 1. */
  char *zero = strstr(buf, "0.");
  if (zero) memmove(zero, zero + 1, strlen(zero + 1) + 1);
}

static void print_units_in(FILE *out, const vagap_gap_t *g, vagap_gap_quadrant_t q) {
  const char *sep = "";
  if (g->quadrant_n[q] == 0) fputs("none", out);
  for (size_t i = 0; i < g->n_units; i++) {
    if (g->units[i].quadrant != q) continue;
    fprintf(out, "%s%s", sep, g->units[i].name);
    sep = ", ";
  }
  fputc('\n', out);
}

const char *gap_num(char *buf, size_t size, const char *fmt, double x) {
  if (isfinite(x)) snprintf(buf, size, fmt, x);
  else snprintf(buf, size, "NA");
  return buf;
}

static const char UNDEFINED[] = "test undefined (fewer than 2 units or no variation)";

/* "M = .. (SD .., range .. to ..)" of a measure, scaled by `k` (1 or 100). */
static void print_describe(FILE *out, const vagap_gap_describe_t *d, double k, const char *unit,
                           const char *fmt) {
  char m[32], sd[32], lo[32], hi[32];
  fprintf(out, "M = %s%s (SD %s, range %s%s to %s%s)", gap_num(m, sizeof m, fmt, k * d->mean), unit,
          gap_num(sd, sizeof sd, fmt, k * d->sd), gap_num(lo, sizeof lo, fmt, k * d->min), unit,
          gap_num(hi, sizeof hi, fmt, k * d->max), unit);
}

static void print_ttest(FILE *out, const vagap_ttest_t *t, vagap_status_t st) {
  char p[32];
  if (st != VAGAP_OK) {
    fprintf(out, "%s\n", UNDEFINED);
    return;
  }
  gap_format_p(p, sizeof p, t->p_value);
  fprintf(out, "t(%.0f) = %.2f, %s\n", t->df, t->statistic, p);
}

void gap_print_text(FILE *out, const vagap_gap_t *g) {
  char p[32];
  fprintf(out, "Units: %zu in the cross-task analysis, %zu excluded\n", g->n_complete,
          g->n_excluded);
  if (g->n_excluded) {
    char list[2048];
    excluded_list(g, list, sizeof list);
    fprintf(out, "  excluded: %s\n", list);
  }
  if (g->n_complete == 0) {
    fputs("No unit has every measure: there is nothing to compare.\n", out);
    return;
  }
  if (g->has_iat) {
    fputs("IAT: ", out);
    print_describe(out, &g->iat, 1, "", "%.3f");
    fprintf(out, "; vs %g: ", g->opt.iat_null);
    print_ttest(out, &g->iat_test, g->iat_test_status);
  }
  fputs("Behaviour: ", out);
  print_describe(out, &g->behavior, 100, "%", "%.1f");
  fprintf(out, "; vs %g%%: ", 100 * g->opt.behavior_null);
  print_ttest(out, &g->behavior_test, g->behavior_test_status);
  if (g->has_counts && g->pooled_status == VAGAP_OK) {
    gap_format_p(p, sizeof p, g->pooled_behavior.p_value);
    fprintf(out, "  pooled choices: %zu of %zu prosocial (%.1f%%), exact binomial %s\n",
            g->pooled_behavior.x, g->pooled_behavior.n, 100 * g->pooled_behavior.estimate, p);
  }
  fputs("Self-report: ", out);
  print_describe(out, &g->selfreport, 100, "%", "%.1f");
  fputc('\n', out);
  const vagap_ttest_t *t = &g->paired;
  fprintf(out, "Gap (self-report - behaviour): M = %.1f points", 100 * g->gap.mean);
  if (g->paired_status == VAGAP_OK) {
    gap_format_p(p, sizeof p, t->p_value);
    fprintf(out,
            " [%.1f, %.1f]; t(%.0f) = %.2f, %s;\n"
            "  d_z = %.2f, d_z0 = %.2f, d_av = %.2f, d_rm = %.2f, g = %.2f\n",
            100 * t->conf_low, 100 * t->conf_high, t->df, t->statistic, p, t->effect.d_z,
            t->effect.d_z0, t->effect.d_av, t->effect.d_rm, t->effect.g);
  } else {
    fprintf(out, "; paired %s\n", UNDEFINED);
  }
  fprintf(out, "Over-claiming (gap > %g): %zu of %zu units (%.1f%%)\n", g->opt.tau,
          g->n_overclaiming, g->n_complete, 100 * g->overclaiming.estimate);
  fprintf(out, "Quadrants (behaviour cut %g, tau %g):\n", g->opt.behavior_cut, g->opt.tau);
  for (int q = 0; q < VAGAP_GAP_NQUADRANTS; q++) {
    fprintf(out, "  %-34s %2zu (%.1f%%): ", vagap_gap_quadrant_label((vagap_gap_quadrant_t)q),
            g->quadrant_n[q], 100 * g->quadrant[q].estimate);
    print_units_in(out, g, (vagap_gap_quadrant_t)q);
  }
  for (int k = 0; k < VAGAP_GAP_NCOR; k++) {
    if (!g->has_iat && k != VAGAP_GAP_COR_SELFREPORT_BEHAVIOR) continue;
    const vagap_cor_t *c = &g->cor[k];
    if (g->cor_status[k] != VAGAP_OK) {
      fprintf(out, "r(%s) undefined (fewer than 3 units or no variation)\n",
              vagap_gap_cor_name((vagap_gap_cor_pair_t)k));
      continue;
    }
    gap_format_p(p, sizeof p, c->p_value);
    char lo[24], hi[24];
    fprintf(out, "r(%s) = %.2f [%s, %s], t(%.0f) = %.2f, %s\n",
            vagap_gap_cor_name((vagap_gap_cor_pair_t)k), c->estimate,
            gap_num(lo, sizeof lo, "%.2f", c->conf_low), gap_num(hi, sizeof hi, "%.2f", c->conf_high),
            c->df, c->statistic, p);
  }
}
