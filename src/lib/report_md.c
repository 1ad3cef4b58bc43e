/*
 * report_md.c - report.md of a walk-the-talk study (vagap/report.h): the
 * prose summary `vagap report` writes and the bindings' report(markdown =
 * TRUE) returns, from one gap analysis.
 */
#include "vagap/report.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "vagap/vagap.h"

/* What the paragraphs draw on. */
typedef struct {
  const vagap_gap_t *gap;
  const vagap_study_scale_t *scale;
  const char *unit_word; /* "models" or "units" */
} report_t;

void vagap_report_options_init(vagap_report_options_t *opt) {
  opt->title = "Walk-the-talk study";
  opt->source = "data frames";
  opt->unit = "model";
  opt->prosocial = "other";
  opt->selfish = "self";
  opt->selfreport_scale = NULL;
  opt->scale_min = 1;
  opt->scale_max = 7;
  opt->iat_smoothing = 0;
  opt->tables_extension = "csv";
}

void vagap_report_format_p(char *buf, size_t size, double p) {
  if (isnan(p)) snprintf(buf, size, "p = NA");
  else if (p < 0.0001) snprintf(buf, size, "p < .0001");
  else if (p < 0.001) snprintf(buf, size, "p = %.4f", p);
  else snprintf(buf, size, "p = %.3f", p);
  /* APA drops the leading zero of quantities that cannot exceed 1. */
  char *zero = strstr(buf, "0.");
  if (zero) memmove(zero, zero + 1, strlen(zero + 1) + 1);
}

const char *vagap_report_format_number(char *buf, size_t size, const char *fmt, double x) {
  if (isfinite(x)) snprintf(buf, size, fmt, x);
  else snprintf(buf, size, "NA");
  return buf;
}

/* APA style for a correlation: ".22", "-.05" (no leading zero). */
static void format_r(char *buf, size_t size, double r) {
  if (!isfinite(r)) {
    snprintf(buf, size, "NA");
    return;
  }
  snprintf(buf, size, "%.2f", r);
  char *zero = strstr(buf, "0.");
  if (zero && (zero == buf || zero[-1] == '-')) memmove(zero, zero + 1, strlen(zero + 1) + 1);
}

static void list_quadrant(FILE *out, const vagap_gap_t *g, vagap_gap_quadrant_t q) {
  const char *sep = "";
  for (size_t i = 0; i < g->n_units; i++) {
    if (g->units[i].quadrant != q) continue;
    fprintf(out, "%s%s", sep, g->units[i].name);
    sep = ", ";
  }
}

static void md_units(FILE *out, const report_t *s) {
  const vagap_gap_t *g = s->gap;
  fprintf(out, "Of %zu %s, %zu had all %s measures and entered the cross-task analysis.",
          g->n_units, s->unit_word, g->n_complete, g->has_iat ? "three" : "both");
  if (g->n_excluded) {
    fputs(" Excluded for a missing measure: ", out);
    const char *sep = "";
    for (size_t i = 0; i < g->n_units; i++) {
      const vagap_gap_unit_t *u = &g->units[i];
      if (u->complete) continue;
      char missing[64];
      vagap_gap_missing_names(u->missing, missing, sizeof missing);
      fprintf(out, "%s%s (no %s)", sep, u->name, missing);
      sep = "; ";
    }
    fputc('.', out);
  }
  fputs("\n\n", out);
}

static void md_iat(FILE *out, const report_t *s) {
  const vagap_gap_t *g = s->gap;
  if (!g->has_iat || g->iat_test_status != VAGAP_OK) return;
  size_t positive = 0;
  for (size_t i = 0; i < g->n_units; i++)
    positive += g->units[i].complete && g->units[i].iat > g->opt.iat_null;
  char p[32];
  vagap_report_format_p(p, sizeof p, g->iat_test.p_value);
  fprintf(out,
          "**Implicit associations.** The mean association-IAT score was %.2f (SD = %.2f, range "
          "%.2f to %.2f; %zu of %zu %s above %g), t(%.0f) = %.2f, %s, 95%% CI [%.2f, %.2f].\n\n",
          g->iat.mean, g->iat.sd, g->iat.min, g->iat.max, positive, g->n_complete, s->unit_word,
          g->opt.iat_null, g->iat_test.df, g->iat_test.statistic, p, g->iat_test.conf_low,
          g->iat_test.conf_high);
}

static void md_behavior(FILE *out, const report_t *s) {
  const vagap_gap_t *g = s->gap;
  char p[32], sd[32];
  fprintf(out,
          "**Behaviour.** %s chose the prosocial option in %.1f%% of valid trials on average "
          "(SD = %s points, range %.0f%% to %.0f%%)",
          s->unit_word[0] == 'm' ? "Models" : "Units", 100 * g->behavior.mean,
          vagap_report_format_number(sd, sizeof sd, "%.1f", 100 * g->behavior.sd), 100 * g->behavior.min,
          100 * g->behavior.max);
  if (g->behavior_test_status == VAGAP_OK) {
    vagap_report_format_p(p, sizeof p, g->behavior_test.p_value);
    fprintf(out, ", %s than %g%%, t(%.0f) = %.2f, %s.",
            g->behavior.mean >= g->opt.behavior_null ? "more" : "less", 100 * g->opt.behavior_null,
            g->behavior_test.df, g->behavior_test.statistic, p);
  } else {
    fputs("; the test against chance is undefined for these data.", out);
  }
  if (g->has_counts && g->pooled_status == VAGAP_OK) {
    vagap_report_format_p(p, sizeof p, g->pooled_behavior.p_value);
    fprintf(out, " Pooled over %s, %zu of %zu choices (%.1f%%) were prosocial, exact binomial %s.",
            s->unit_word, g->pooled_behavior.x, g->pooled_behavior.n,
            100 * g->pooled_behavior.estimate, p);
  }
  fputs("\n\n", out);
}

static void md_selfreport(FILE *out, const report_t *s) {
  const vagap_gap_t *g = s->gap;
  const vagap_study_scale_t *sc = s->scale;
  char sd[32];
  fprintf(out,
          "**Self-report.** Self-rated prosociality averaged %.1f%% of the scale maximum (SD = %s "
          "points, range %.0f%% to %.0f%%)",
          100 * g->selfreport.mean, vagap_report_format_number(sd, sizeof sd, "%.1f", 100 * g->selfreport.sd),
          100 * g->selfreport.min, 100 * g->selfreport.max);
  if (sc->alpha_status[sc->nscales] == VAGAP_OK)
    fprintf(out, "; Cronbach's alpha over all %zu items was %.2f (%zu complete runs)", sc->nitems,
            sc->alpha[sc->nscales].alpha, sc->alpha[sc->nscales].n);
  fputs(".\n\n", out);
}

static void md_gap(FILE *out, const report_t *s) {
  const vagap_gap_t *g = s->gap;
  const vagap_ttest_t *t = &g->paired;
  if (g->paired_status != VAGAP_OK) {
    fputs("**Calibration gap.** The paired test is undefined for these data (too few units or no "
          "variation in the gap).\n\n", out);
    return;
  }
  char p[32];
  vagap_report_format_p(p, sizeof p, t->p_value);
  fprintf(out,
          "**Calibration gap.** Self-report (M = %.1f%%) %s behaviour (M = %.1f%%), t(%.0f) = %.2f, "
          "%s, d_z0 = %.2f (d_z = %.2f, Hedges' g = %.2f, d_av = %.2f, d_rm = %.2f); the mean gap was "
          "%.1f points, 95%% CI [%.1f, %.1f].",
          100 * g->selfreport.mean, t->estimate >= 0 ? "exceeded" : "fell short of",
          100 * g->behavior.mean, t->df, t->statistic, p, t->effect.d_z0, t->effect.d_z,
          t->effect.g, t->effect.d_av, t->effect.d_rm, 100 * t->estimate, 100 * t->conf_low,
          100 * t->conf_high);
  fprintf(out,
          " %zu of %zu %s (%.1f%%, 95%% CI %.1f%% to %.1f%%) claimed more than they did by more than "
          "%g points (gap > %g).\n\n",
          g->n_overclaiming, g->n_complete, s->unit_word, 100 * g->overclaiming.estimate,
          100 * g->overclaiming.conf_low, 100 * g->overclaiming.conf_high, 100 * g->opt.tau,
          g->opt.tau);
}

static void md_quadrants(FILE *out, const report_t *s) {
  const vagap_gap_t *g = s->gap;
  fprintf(out,
          "**Quadrants.** With behaviour cut %g and tolerance %g, %zu of %zu %s (%.1f%%) were "
          "prosocial and calibrated (behaviour >= %g, gap <= %g).\n\n",
          g->opt.behavior_cut, g->opt.tau, g->quadrant_n[VAGAP_GAP_PROSOCIAL_CALIBRATED],
          g->n_complete, s->unit_word, 100 * g->quadrant[VAGAP_GAP_PROSOCIAL_CALIBRATED].estimate,
          g->opt.behavior_cut, g->opt.tau);
  fputs("| quadrant | rule | n | share | units |\n|---|---|---|---|---|\n", out);
  static const char *const rules[] = {"behaviour >= cut, gap <= tau", "behaviour >= cut, gap > tau",
                                      "behaviour < cut, gap <= tau", "behaviour < cut, gap > tau"};
  for (int q = 0; q < VAGAP_GAP_NQUADRANTS; q++) {
    fprintf(out, "| %s | %s | %zu | %.1f%% | ", vagap_gap_quadrant_label((vagap_gap_quadrant_t)q),
            rules[q], g->quadrant_n[q], 100 * g->quadrant[q].estimate);
    list_quadrant(out, g, (vagap_gap_quadrant_t)q);
    fputs(" |\n", out);
  }
  fputs("\n", out);
}

static void md_correlations(FILE *out, const report_t *s) {
  const vagap_gap_t *g = s->gap;
  static const char *const what[] = {"Implicit scores and behaviour", "Self-report and behaviour",
                                     "Implicit scores and self-report"};
  fputs("**Correlations across units.** ", out);
  for (int k = 0; k < VAGAP_GAP_NCOR; k++) {
    if (!g->has_iat && k != VAGAP_GAP_COR_SELFREPORT_BEHAVIOR) continue;
    const vagap_cor_t *c = &g->cor[k];
    if (g->cor_status[k] != VAGAP_OK) {
      fprintf(out, "%s: r undefined (too few units or no variation). ", what[k]);
      continue;
    }
    char r[16], lo[16], hi[16], p[32];
    format_r(r, sizeof r, c->estimate);
    format_r(lo, sizeof lo, c->conf_low);
    format_r(hi, sizeof hi, c->conf_high);
    vagap_report_format_p(p, sizeof p, c->p_value);
    fprintf(out, "%s: r(%.0f) = %s, 95%% CI [%s, %s], %s. ", what[k], c->df, r, lo, hi, p);
  }
  fputs("\n\n", out);
}

static void md_accounting(FILE *out, const vagap_ledger_t *ledger) {
  fprintf(out,
          "**Data.** %zu rows read, %zu used, %zu excluded (listed with their reasons in "
          "exclusions.csv).\n\n",
          vagap_ledger_rows_read(ledger), vagap_ledger_rows_used(ledger),
          vagap_ledger_rows_excluded(ledger));
}

static void md_methods(FILE *out, const vagap_gap_t *g, const vagap_report_options_t *o) {
  fprintf(out, "# %s\n\n", o->title);
  char iat_method[64] = "";
  if (g->has_iat) snprintf(iat_method, sizeof iat_method, "association-count IAT (s = %g), ", o->iat_smoothing);
  fprintf(out,
          "Made by `vagap report` (vagap %s) from %s. Methods: %s"
          "share of prosocial choices ('%s' vs '%s'), self-report (%s%s%s) as %% of the %g-%g scale "
          "maximum, calibration gap = self-report - behaviour.\n\n",
          vagap_version(), o->source, iat_method, o->prosocial, o->selfish,
          o->selfreport_scale ? "scale '" : "all keyed items", o->selfreport_scale ? o->selfreport_scale : "",
          o->selfreport_scale ? "'" : "", o->scale_min, o->scale_max);
}

static void md_per_unit(FILE *out, const vagap_gap_t *g) {
  fputs(g->has_iat ? "## Per unit\n\n| unit | IAT | behaviour | self-report | gap | quadrant |\n"
                     "|---|---|---|---|---|---|\n"
                   : "## Per unit\n\n| unit | behaviour | self-report | gap | quadrant |\n"
                     "|---|---|---|---|---|\n", out);
  for (size_t i = 0; i < g->n_units; i++) {
    const vagap_gap_unit_t *u = &g->units[i];
    fprintf(out, "| %s | ", u->name);
    if (!g->has_iat) {
      /* no IAT column */
    } else if (isnan(u->iat)) fputs("NA | ", out);
    else fprintf(out, "%.3f | ", u->iat);
    if (isnan(u->behavior)) fputs("NA | ", out);
    else fprintf(out, "%.1f%% | ", 100 * u->behavior);
    if (isnan(u->selfreport)) fputs("NA | ", out);
    else fprintf(out, "%.1f%% | ", 100 * u->selfreport);
    if (isnan(u->gap)) fputs("NA | ", out);
    else fprintf(out, "%+.1f | ", 100 * u->gap);
    fprintf(out, "%s |\n", u->complete ? vagap_gap_quadrant_label(u->quadrant) : "excluded");
  }
}

int vagap_report_markdown(FILE *out, const vagap_gap_t *g, const vagap_study_scale_t *scale,
                          const vagap_ledger_t *ledger, const vagap_report_options_t *opt) {
  const report_t s = {g, scale, strcmp(opt->unit, "model") == 0 ? "models" : "units"};
  md_methods(out, g, opt);
  fputs("## Results\n\n", out);
  md_units(out, &s);
  if (g->n_complete > 0) {
    md_iat(out, &s);
    md_behavior(out, &s);
    md_selfreport(out, &s);
    md_gap(out, &s);
    md_quadrants(out, &s);
    md_correlations(out, &s);
  } else {
    fprintf(out, "No %s had every measure, so there is nothing to compare.\n\n",
            s.unit_word[0] == 'm' ? "model" : "unit");
  }
  md_accounting(out, ledger);
  fputs("![Calibration plot](calibration.svg)\n\n", out);
  md_per_unit(out, g);
  fprintf(out, "\nAll numbers with full precision are in gap_tests.%s and gap_units.%s.\n", opt->tables_extension,
          opt->tables_extension);
  return ferror(out) ? -1 : 0;
}
