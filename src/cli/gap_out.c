/* Tidy and text output of a calibration-gap analysis (see gap_out.h). */
#include "gap_out.h"
#include "stats_cli.h"

#include <math.h>
#include <string.h>

const char *const GAP_UNIT_COLUMNS[] = {"model", "iat", "behavior", "selfreport", "gap",
                                        "overclaiming", "quadrant", "complete", "missing"};
const size_t GAP_NUNIT_COLUMNS = sizeof GAP_UNIT_COLUMNS / sizeof GAP_UNIT_COLUMNS[0];

int gap_write_tests(cli_writer_t *w, const vagap_gap_t *g) {
  vagap_tidy_t t;
  vagap_error_t err;
  if (vagap_gap_tidy(g, &t, &err) != VAGAP_OK) return cli_report_error(&err);
  for (size_t k = 0; k < t.n; k++) {
    const vagap_tidy_row_t *r = &t.rows[k];
    broom_put(w, stats_put_num,
              &(broom_row_t){r->group, r->term, r->estimate, r->std_error, r->statistic, r->df,
                             r->p_value, r->conf_low, r->conf_high, r->n, r->method});
  }
  vagap_tidy_free(&t);
  return CLI_EXIT_OK;
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

static const char UNDEFINED[] = "test undefined (fewer than 2 units or no variation)";

/* "M = .. (SD .., range .. to ..)" of a measure, scaled by `k` (1 or 100). */
static void print_describe(FILE *out, const vagap_gap_describe_t *d, double k, const char *unit,
                           const char *fmt) {
  char m[32], sd[32], lo[32], hi[32];
  fprintf(out, "M = %s%s (SD %s, range %s%s to %s%s)", vagap_report_format_number(m, sizeof m, fmt, k * d->mean), unit,
          vagap_report_format_number(sd, sizeof sd, fmt, k * d->sd), vagap_report_format_number(lo, sizeof lo, fmt, k * d->min), unit,
          vagap_report_format_number(hi, sizeof hi, fmt, k * d->max), unit);
}

static void print_ttest(FILE *out, const vagap_ttest_t *t, vagap_status_t st) {
  char p[32];
  if (st != VAGAP_OK) {
    fprintf(out, "%s\n", UNDEFINED);
    return;
  }
  vagap_report_format_p(p, sizeof p, t->p_value);
  fprintf(out, "t(%.0f) = %.2f, %s\n", t->df, t->statistic, p);
}

void gap_print_text(FILE *out, const vagap_gap_t *g) {
  char p[32];
  fprintf(out, "Units: %zu in the cross-task analysis, %zu excluded\n", g->n_complete,
          g->n_excluded);
  if (g->n_excluded) {
    char list[2048];
    vagap_gap_excluded_list(g, list, sizeof list);
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
    vagap_report_format_p(p, sizeof p, g->pooled_behavior.p_value);
    fprintf(out, "  pooled choices: %zu of %zu prosocial (%.1f%%), exact binomial %s\n",
            g->pooled_behavior.x, g->pooled_behavior.n, 100 * g->pooled_behavior.estimate, p);
  }
  fputs("Self-report: ", out);
  print_describe(out, &g->selfreport, 100, "%", "%.1f");
  fputc('\n', out);
  const vagap_ttest_t *t = &g->paired;
  fprintf(out, "Gap (self-report - behaviour): M = %.1f points", 100 * g->gap.mean);
  if (g->paired_status == VAGAP_OK) {
    vagap_report_format_p(p, sizeof p, t->p_value);
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
    vagap_report_format_p(p, sizeof p, c->p_value);
    char lo[24], hi[24];
    fprintf(out, "r(%s) = %.2f [%s, %s], t(%.0f) = %.2f, %s\n",
            vagap_gap_cor_name((vagap_gap_cor_pair_t)k), c->estimate,
            vagap_report_format_number(lo, sizeof lo, "%.2f", c->conf_low), vagap_report_format_number(hi, sizeof hi, "%.2f", c->conf_high),
            c->df, c->statistic, p);
  }
}
