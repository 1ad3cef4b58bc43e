/*
 * vagap report: the whole walk-the-talk study in one command.  Reads a study
 * folder (iat.csv, choices.csv, selfreport.csv, selfreport_key.csv), scores
 * the association IAT, the choices and the questionnaire with the library,
 * runs the calibration-gap analysis and writes every intermediate tidy table,
 * report.md (results as sentences with their statistics) and calibration.svg.
 * Defaults are the Andric 2025 presets (METHODS.md sections 1, 3, 4).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "gap_out.h"
#include "iat_out.h"
#include "report_svg.h"
#include "stats_cli.h"
#include "vagap/study.h"

static const char HELP[] =
    "Usage: vagap report [OPTIONS] DIR --out OUTDIR\n"
    "Run the walk-the-talk chain on a study folder: association IAT -> behaviour\n"
    "(share of prosocial choices) -> self-report (scale score as % of maximum) ->\n"
    "calibration gap.  Writes to OUTDIR: iat_trials.csv, iat_units.csv,\n"
    "behavior_units.csv, selfreport_units.csv, selfreport_alpha.csv, gap_units.csv,\n"
    "gap_tests.csv (broom columns), exclusions.csv, report.md and calibration.svg.\n\n"
    "Defaults are the Andric (2025) presets: IAT s = 0 with empty-side trials invalid,\n"
    "focal target 'other', contrast 'self'; choices 'other' prosocial, 'self' selfish;\n"
    "self-report on 1-7 with reversed items from the key, % = (score - 1)/6;\n"
    "tau 0.05, behaviour cut 0.65.\n"
    "Rows are mapped by the same code as `vagap iat --method assoc`, `vagap prop` and\n"
    "`vagap score --min-items K` (codes compared case-insensitively with whitespace\n"
    "and punctuation trimmed, the same exclusions and reasons), so the tables equal\n"
    "what those commands print.  The self-report measure is the total over all keyed\n"
    "items.\n\n"
    "Options:\n"
    "      --out OUTDIR          output folder (created; required)\n"
    "      --text                print the summary on standard output\n"
    "      --iat FILE            association log (default DIR/iat.csv)\n"
    "      --choices FILE        choice log (default DIR/choices.csv)\n"
    "      --selfreport FILE     questionnaire answers, long or wide as for `vagap score`\n"
    "                            (default DIR/selfreport.csv)\n"
    "      --key FILE            questionnaire key item,scale,reverse\n"
    "                            (default DIR/selfreport_key.csv)\n"
    "      --unit COL            unit column in every log (default model)\n"
    "      --preset NAME         IAT scoring preset andric2025 (default) or bai2024\n"
    "      --focal NAME, --contrast NAME   IAT targets (default other, self)\n"
    "      --prosocial LIST, --selfish LIST  comma-separated choice codes (default\n"
    "                            other, self), compared like `vagap prop`\n"
    "      --min X, --max X      response scale (default 1, 7)\n"
    "      --min-items K         answered items a run needs for a score (default 1)\n"
    "      --selfreport-scale S  self-report measure = the key's scale S (as `vagap gap\n"
    "                            --selfreport-scale S` on `vagap score` output) instead\n"
    "                            of the total over all keyed items\n"
    "      --tau T               over-claiming when gap > T (default 0.05)\n"
    "      --behavior-cut B      prosocial when behaviour >= B (default 0.65)\n"
    "      --conf-level P        confidence level (default 0.95)\n"
    "      --title TEXT          title of report.md and the plot\n";

enum {
  OPT_OUT = 1, OPT_TEXT, OPT_IAT, OPT_CHOICES, OPT_SELFREPORT, OPT_KEY, OPT_UNIT, OPT_PRESET,
  OPT_FOCAL, OPT_CONTRAST, OPT_PROSOCIAL, OPT_SELFISH, OPT_MIN, OPT_MAX, OPT_MIN_ITEMS, OPT_TAU,
  OPT_CUT, OPT_CONF, OPT_TITLE, OPT_SELFREPORT_SCALE
};

typedef struct {
  cli_common_t c;
  const char *dir, *out, *title;
  const char *iat_path, *choices_path, *selfreport_path, *key_path;
  const char *selfreport_scale; /* NULL: the total over all keyed items */
  int text;
  vagap_study_iat_options_t iat;
  vagap_study_choice_options_t choices;
  vagap_study_scale_options_t scale;
  vagap_gap_options_t gap;
} report_args_t;

/* Everything computed, kept for the writers. */
typedef struct {
  vagap_iat_assoc_t *iat;
  vagap_study_choices_t choices;
  vagap_study_scale_t scale;
  vagap_gap_t gap;
  int have_gap;
  const char *unit_word; /* "models" or "units" */
} study_t;

/* ---- small helpers --------------------------------------------------------------- */

static char *join_path(const char *dir, const char *name) {
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = malloc(n);
  if (p) snprintf(p, n, "%s/%s", dir, name);
  return p;
}

/* mkdir -p: create the missing parents too. */
static int make_dir(const char *path) {
  char *copy = strdup(path);
  if (!copy) return fputs("vagap: out of memory\n", stderr), -1;
  for (char *p = copy + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(copy, 0777) != 0 && errno != EEXIST) break; /* reported below */
    *p = '/';
  }
  free(copy);
  if (mkdir(path, 0777) == 0 || errno == EEXIST) {
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return 0;
  }
  fprintf(stderr, "vagap: %s: cannot create the output folder: %s\n", path, strerror(errno));
  return -1;
}

/* Open OUTDIR/name for writing; prints and returns NULL on failure. */
static FILE *open_out(const report_args_t *a, const char *name, char **path) {
  *path = join_path(a->out, name);
  FILE *f = *path ? cli_output_open(*path) : NULL;
  if (!*path) fprintf(stderr, "vagap: %s: out of memory\n", name);
  return f;
}

static int close_out(FILE *f, char *path, int rc) {
  rc = cli_output_close(f, rc);
  free(path);
  return rc;
}

/* ---- intermediate tables ------------------------------------------------------------ */

typedef void (*table_fn)(cli_writer_t *w, const study_t *s, const report_args_t *a);

static int write_table(const report_args_t *a, const char *name, const char *const *cols,
                       size_t ncols, table_fn fill, const study_t *s) {
  char *path;
  FILE *f = open_out(a, name, &path);
  if (!f) {
    free(path);
    return CLI_EXIT_DATA;
  }
  cli_writer_t *w = cli_writer_open_stream(f, CLI_FORMAT_CSV, a->c.digits, cols, ncols);
  fill(w, s, a);
  return close_out(f, path, cli_writer_close(w));
}

static void fill_iat_trials(cli_writer_t *w, const study_t *s, const report_args_t *a) {
  (void)a;
  size_t n = vagap_iat_assoc_ntrials(s->iat);
  for (size_t i = 0; i < n; i++) {
    vagap_iat_assoc_trial_t t;
    vagap_iat_assoc_trial(s->iat, i, &t);
    cli_put_str(w, t.unit);
    cli_put_str(w, t.trial);
    cli_put_int(w, (long long)t.counts.a);
    cli_put_int(w, (long long)t.counts.b);
    cli_put_int(w, (long long)t.counts.c);
    cli_put_int(w, (long long)t.counts.d);
    cli_put_num(w, t.score);
    cli_put_bool(w, t.valid);
    cli_put_int(w, (long long)t.n_ignored);
  }
}

static void fill_iat_units(cli_writer_t *w, const study_t *s, const report_args_t *a) {
  (void)a;
  size_t n = vagap_iat_assoc_nunits(s->iat);
  for (size_t i = 0; i < n; i++) {
    vagap_iat_assoc_unit_t u;
    vagap_iat_assoc_unit(s->iat, i, &u);
    iat_put_unit(w, &u);
  }
}

static void fill_behavior_units(cli_writer_t *w, const study_t *s, const report_args_t *a) {
  const vagap_study_choices_t *c = &s->choices;
  vagap_prop_options_t po;
  vagap_prop_options_init(&po);
  po.conf_level = a->gap.conf_level;
  po.p0 = a->gap.behavior_null;
  for (size_t u = 0; u < c->units.n; u++) {
    vagap_prop_t p;
    vagap_stats_prop_test(c->prosocial[u], c->prosocial[u] + c->selfish[u], &po, &p, NULL);
    cli_put_str(w, c->units.names[u]);
    cli_put_int(w, (long long)c->prosocial[u]);
    cli_put_int(w, (long long)c->selfish[u]);
    cli_put_int(w, (long long)c->other[u]);
    cli_put_int(w, (long long)(c->prosocial[u] + c->selfish[u]));
    cli_put_num(w, p.estimate);
    cli_put_num(w, p.std_error);
    cli_put_num(w, p.conf_low);
    cli_put_num(w, p.conf_high);
    cli_put_num(w, p.p_value);
  }
}

static void fill_selfreport_units(cli_writer_t *w, const study_t *s, const report_args_t *a) {
  (void)a;
  const vagap_study_scale_t *sc = &s->scale;
  for (size_t u = 0; u < sc->nunits; u++) {
    cli_put_str(w, sc->unit_names[u]);
    cli_put_int(w, (long long)sc->runs[u]);
    cli_put_num(w, sc->total[u]);
    cli_put_num(w, sc->total_pomp[u]);
    for (size_t k = 0; k < sc->nscales; k++) cli_put_num(w, sc->scale_scores[u * sc->nscales + k]);
  }
}

static void fill_alpha(cli_writer_t *w, const study_t *s, const report_args_t *a) {
  (void)a;
  const vagap_study_scale_t *sc = &s->scale;
  for (size_t k = 0; k <= sc->nscales; k++) {
    const vagap_alpha_t *al = &sc->alpha[k];
    int ok = sc->alpha_status[k] == VAGAP_OK;
    broom_row_t r = broom_estimate(k < sc->nscales ? sc->scales[k] : "total", "alpha",
                                   ok ? al->alpha : NAN, al->n,
                                   "Cronbach's alpha over complete unit-runs (reversed items scored)");
    broom_put(w, stats_put_num, &r);
  }
}

static void fill_gap_units(cli_writer_t *w, const study_t *s, const report_args_t *a) {
  (void)a;
  gap_write_units(w, &s->gap);
}

static void fill_gap_tests(cli_writer_t *w, const study_t *s, const report_args_t *a) {
  (void)a;
  gap_write_tests(w, &s->gap);
}

static int write_tables(const report_args_t *a, const study_t *s, const vagap_ledger_t *ledger) {
  static const char *const trial_cols[] = {"model", "trial", "a", "b", "c", "d", "score", "valid", "n_ignored"};
  const char *iat_cols[1 + IAT_NUNIT_COLUMNS] = {"model"};
  memcpy(iat_cols + 1, IAT_UNIT_COLUMNS, sizeof IAT_UNIT_COLUMNS);
  static const char *const beh_cols[] = {"model", "prosocial", "selfish", "excluded", "n", "estimate",
                                         "std.error", "conf.low", "conf.high", "p.value"};
  const vagap_study_scale_t *sc = &s->scale;
  const char **sr_cols = malloc((4 + sc->nscales) * sizeof *sr_cols);
  char **scale_names = calloc(sc->nscales + 1, sizeof *scale_names);
  int rc = (sr_cols && scale_names) ? CLI_EXIT_OK : CLI_EXIT_DATA;
  if (rc == CLI_EXIT_OK) {
    sr_cols[0] = "model";
    sr_cols[1] = "runs";
    sr_cols[2] = "score";
    sr_cols[3] = "selfreport";
    for (size_t k = 0; k < sc->nscales; k++) {
      size_t n = strlen(sc->scales[k]) + 7;
      if (!(scale_names[k] = malloc(n))) {
        rc = CLI_EXIT_DATA;
        break;
      }
      snprintf(scale_names[k], n, "score_%s", sc->scales[k]);
      sr_cols[4 + k] = scale_names[k];
    }
  }
  if (rc == CLI_EXIT_OK) rc = write_table(a, "iat_trials.csv", trial_cols, 9, fill_iat_trials, s);
  if (rc == CLI_EXIT_OK) rc = write_table(a, "iat_units.csv", iat_cols, 1 + IAT_NUNIT_COLUMNS, fill_iat_units, s);
  if (rc == CLI_EXIT_OK) rc = write_table(a, "behavior_units.csv", beh_cols, 10, fill_behavior_units, s);
  if (rc == CLI_EXIT_OK)
    rc = write_table(a, "selfreport_units.csv", sr_cols, 4 + sc->nscales, fill_selfreport_units, s);
  if (rc == CLI_EXIT_OK)
    rc = write_table(a, "selfreport_alpha.csv", BROOM_COLUMN_NAMES, BROOM_NCOLUMNS, fill_alpha, s);
  if (rc == CLI_EXIT_OK)
    rc = write_table(a, "gap_units.csv", GAP_UNIT_COLUMNS, GAP_NUNIT_COLUMNS, fill_gap_units, s);
  if (rc == CLI_EXIT_OK)
    rc = write_table(a, "gap_tests.csv", BROOM_COLUMN_NAMES, BROOM_NCOLUMNS, fill_gap_tests, s);
  if (scale_names)
    for (size_t k = 0; k < sc->nscales; k++) free(scale_names[k]);
  free(scale_names);
  free(sr_cols);
  return rc;
}

/* ---- report.md ------------------------------------------------------------------------- */

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

static void md_units(FILE *out, const study_t *s) {
  const vagap_gap_t *g = &s->gap;
  fprintf(out, "Of %zu %s, %zu had all three measures and entered the cross-task analysis.",
          g->n_units, s->unit_word, g->n_complete);
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

static void md_iat(FILE *out, const study_t *s) {
  const vagap_gap_t *g = &s->gap;
  if (!g->has_iat || g->iat_test_status != VAGAP_OK) return;
  size_t positive = 0;
  for (size_t i = 0; i < g->n_units; i++)
    positive += g->units[i].complete && g->units[i].iat > g->opt.iat_null;
  char p[32];
  gap_format_p(p, sizeof p, g->iat_test.p_value);
  fprintf(out,
          "**Implicit associations.** The mean association-IAT score was %.2f (SD = %.2f, range "
          "%.2f to %.2f; %zu of %zu %s above %g), t(%.0f) = %.2f, %s, 95%% CI [%.2f, %.2f].\n\n",
          g->iat.mean, g->iat.sd, g->iat.min, g->iat.max, positive, g->n_complete, s->unit_word,
          g->opt.iat_null, g->iat_test.df, g->iat_test.statistic, p, g->iat_test.conf_low,
          g->iat_test.conf_high);
}

static void md_behavior(FILE *out, const study_t *s) {
  const vagap_gap_t *g = &s->gap;
  char p[32], sd[32];
  fprintf(out,
          "**Behaviour.** %s chose the prosocial option in %.1f%% of valid trials on average "
          "(SD = %s points, range %.0f%% to %.0f%%)",
          s->unit_word[0] == 'm' ? "Models" : "Units", 100 * g->behavior.mean,
          gap_num(sd, sizeof sd, "%.1f", 100 * g->behavior.sd), 100 * g->behavior.min,
          100 * g->behavior.max);
  if (g->behavior_test_status == VAGAP_OK) {
    gap_format_p(p, sizeof p, g->behavior_test.p_value);
    fprintf(out, ", %s than %g%%, t(%.0f) = %.2f, %s.",
            g->behavior.mean >= g->opt.behavior_null ? "more" : "less", 100 * g->opt.behavior_null,
            g->behavior_test.df, g->behavior_test.statistic, p);
  } else {
    fputs("; the test against chance is undefined for these data.", out);
  }
  if (g->has_counts && g->pooled_status == VAGAP_OK) {
    gap_format_p(p, sizeof p, g->pooled_behavior.p_value);
    fprintf(out, " Pooled over %s, %zu of %zu choices (%.1f%%) were prosocial, exact binomial %s.",
            s->unit_word, g->pooled_behavior.x, g->pooled_behavior.n,
            100 * g->pooled_behavior.estimate, p);
  }
  fputs("\n\n", out);
}

static void md_selfreport(FILE *out, const study_t *s) {
  const vagap_gap_t *g = &s->gap;
  const vagap_study_scale_t *sc = &s->scale;
  char sd[32];
  fprintf(out,
          "**Self-report.** Self-rated prosociality averaged %.1f%% of the scale maximum (SD = %s "
          "points, range %.0f%% to %.0f%%)",
          100 * g->selfreport.mean, gap_num(sd, sizeof sd, "%.1f", 100 * g->selfreport.sd),
          100 * g->selfreport.min, 100 * g->selfreport.max);
  if (sc->alpha_status[sc->nscales] == VAGAP_OK)
    fprintf(out, "; Cronbach's alpha over all %zu items was %.2f (%zu complete runs)", sc->nitems,
            sc->alpha[sc->nscales].alpha, sc->alpha[sc->nscales].n);
  fputs(".\n\n", out);
}

static void md_gap(FILE *out, const study_t *s) {
  const vagap_gap_t *g = &s->gap;
  const vagap_ttest_t *t = &g->paired;
  if (g->paired_status != VAGAP_OK) {
    fputs("**Calibration gap.** The paired test is undefined for these data (too few units or no "
          "variation in the gap).\n\n", out);
    return;
  }
  char p[32];
  gap_format_p(p, sizeof p, t->p_value);
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

static void md_quadrants(FILE *out, const study_t *s) {
  const vagap_gap_t *g = &s->gap;
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

static void md_correlations(FILE *out, const study_t *s) {
  const vagap_gap_t *g = &s->gap;
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
    gap_format_p(p, sizeof p, c->p_value);
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

static int write_markdown(const report_args_t *a, const study_t *s, const vagap_ledger_t *ledger) {
  char *path;
  FILE *out = open_out(a, "report.md", &path);
  if (!out) {
    free(path);
    return CLI_EXIT_DATA;
  }
  const vagap_gap_t *g = &s->gap;
  fprintf(out, "# %s\n\n", a->title);
  fprintf(out,
          "Made by `vagap report` (vagap %s) from %s. Methods: association-count IAT (s = %g), "
          "share of prosocial choices ('%s' vs '%s'), self-report (%s%s%s) as %% of the %g-%g scale "
          "maximum, calibration gap = self-report - behaviour.\n\n",
          vagap_version(), a->dir, a->iat.scoring.smoothing, a->choices.prosocial,
          a->choices.selfish, a->selfreport_scale ? "scale '" : "all keyed items",
          a->selfreport_scale ? a->selfreport_scale : "", a->selfreport_scale ? "'" : "",
          a->scale.min, a->scale.max);
  fputs("## Results\n\n", out);
  md_units(out, s);
  if (g->n_complete > 0) {
    md_iat(out, s);
    md_behavior(out, s);
    md_selfreport(out, s);
    md_gap(out, s);
    md_quadrants(out, s);
    md_correlations(out, s);
  } else {
    fprintf(out, "No %s had every measure, so there is nothing to compare.\n\n", s->unit_word[0] == 'm' ? "model" : "unit");
  }
  md_accounting(out, ledger);
  fputs("![Calibration plot](calibration.svg)\n\n", out);
  fputs("## Per unit\n\n| unit | IAT | behaviour | self-report | gap | quadrant |\n"
        "|---|---|---|---|---|---|\n", out);
  for (size_t i = 0; i < g->n_units; i++) {
    const vagap_gap_unit_t *u = &g->units[i];
    fprintf(out, "| %s | ", u->name);
    if (isnan(u->iat)) fputs("NA | ", out);
    else fprintf(out, "%.3f | ", u->iat);
    if (isnan(u->behavior)) fputs("NA | ", out);
    else fprintf(out, "%.1f%% | ", 100 * u->behavior);
    if (isnan(u->selfreport)) fputs("NA | ", out);
    else fprintf(out, "%.1f%% | ", 100 * u->selfreport);
    if (isnan(u->gap)) fputs("NA | ", out);
    else fprintf(out, "%+.1f | ", 100 * u->gap);
    fprintf(out, "%s |\n", u->complete ? vagap_gap_quadrant_label(u->quadrant) : "excluded");
  }
  fputs("\nAll numbers with full precision are in gap_tests.csv and gap_units.csv.\n", out);
  return close_out(out, path, ferror(out) ? CLI_EXIT_DATA : CLI_EXIT_OK);
}

static int write_plot(const report_args_t *a, const study_t *s) {
  char *path;
  FILE *out = open_out(a, "calibration.svg", &path);
  if (!out) {
    free(path);
    return CLI_EXIT_DATA;
  }
  char title[512];
  snprintf(title, sizeof title, "%s: self-report vs behaviour", a->title);
  int rc = report_write_svg(out, &s->gap, title) ? CLI_EXIT_DATA : CLI_EXIT_OK;
  return close_out(out, path, rc);
}

/* ---- the chain -------------------------------------------------------------------------- */

/*
 * The self-report measure per unit: the total's POMP, or with
 * --selfreport-scale the POMP of that scale's score.  Returns NULL after
 * printing when the key has no such scale or memory runs out.
 */
static double *selfreport_measure(const report_args_t *a, const vagap_study_scale_t *sc) {
  double *v = malloc((sc->nunits ? sc->nunits : 1) * sizeof *v);
  if (!v) return fputs("vagap: out of memory\n", stderr), NULL;
  size_t k = 0;
  if (a->selfreport_scale) {
    while (k < sc->nscales && strcmp(sc->scales[k], a->selfreport_scale) != 0) k++;
    if (k == sc->nscales) {
      fprintf(stderr, "vagap: --selfreport-scale: the key has no scale '%s'\n", a->selfreport_scale);
      free(v);
      return NULL;
    }
  }
  vagap_scale_key_t key = {sc->nitems, sc->nscales, sc->key.item_scale, sc->key.item_reverse,
                           sc->min, sc->max, a->scale.min_items};
  for (size_t u = 0; u < sc->nunits; u++)
    v[u] = a->selfreport_scale ? vagap_scale_pomp(&key, sc->scale_scores[u * sc->nscales + k])
                               : sc->total_pomp[u];
  return v;
}

/* Per-unit measures from the three scorers, joined and analysed. */
static int analyse(const report_args_t *a, study_t *s) {
  size_t ni = vagap_iat_assoc_nunits(s->iat), nb = s->choices.units.n, ns = s->scale.nunits;
  const char **iu = malloc((ni ? ni : 1) * sizeof *iu);
  double *iv = malloc((ni ? ni : 1) * sizeof *iv), *bv = malloc((nb ? nb : 1) * sizeof *bv);
  vagap_gap_joined_t j = {0};
  size_t *x = NULL, *n = NULL;
  vagap_error_t err;
  int rc = CLI_EXIT_DATA;
  double *sv = selfreport_measure(a, &s->scale);
  if (!sv) {
    free(iu), free(iv), free(bv);
    return CLI_EXIT_DATA;
  }
  if (!iu || !iv || !bv) goto done;
  for (size_t i = 0; i < ni; i++) {
    vagap_iat_assoc_unit_t u;
    vagap_iat_assoc_unit(s->iat, i, &u);
    iu[i] = u.unit;
    iv[i] = u.score;
  }
  for (size_t i = 0; i < nb; i++) {
    size_t valid = s->choices.prosocial[i] + s->choices.selfish[i];
    bv[i] = valid ? (double)s->choices.prosocial[i] / (double)valid : NAN;
  }
  vagap_gap_measure_t mi = {ni, iu, iv},
                      mb = {nb, (const char *const *)s->choices.units.names, bv},
                      ms = {ns, s->scale.unit_names, sv};
  if (vagap_gap_join(&mi, &mb, &ms, &j, &err) != VAGAP_OK) {
    rc = cli_report_error(&err);
    goto done;
  }
  x = calloc(j.n ? j.n : 1, sizeof *x);
  n = calloc(j.n ? j.n : 1, sizeof *n);
  if (!x || !n) goto done;
  for (size_t u = 0; u < j.n; u++)
    for (size_t k = 0; k < nb; k++)
      if (strcmp(s->choices.units.names[k], j.units[u]) == 0) {
        x[u] = s->choices.prosocial[k];
        n[u] = s->choices.prosocial[k] + s->choices.selfish[k];
        break;
      }
  vagap_gap_data_t data = {j.n, (const char *const *)j.units, j.iat, j.behavior, j.selfreport, x, n};
  if (vagap_gap_analyze(&data, &a->gap, &s->gap, &err) != VAGAP_OK) {
    rc = cli_report_error(&err);
    goto done;
  }
  s->have_gap = 1;
  rc = CLI_EXIT_OK;
done:
  if (rc == CLI_EXIT_DATA && !s->have_gap && (!iu || !iv || !bv || !x || !n))
    fputs("vagap: out of memory\n", stderr);
  free(iu);
  free(iv);
  free(bv);
  free(sv);
  free(x);
  free(n);
  vagap_gap_joined_free(&j);
  return rc;
}

static int run_chain(report_args_t *a, study_t *s, vagap_ledger_t *ledger) {
  char *iat = a->iat_path ? NULL : join_path(a->dir, "iat.csv");
  char *choices = a->choices_path ? NULL : join_path(a->dir, "choices.csv");
  char *selfreport = a->selfreport_path ? NULL : join_path(a->dir, "selfreport.csv");
  char *key = a->key_path ? NULL : join_path(a->dir, "selfreport_key.csv");
  int rc = CLI_EXIT_DATA;
  vagap_error_t err;
  if ((!a->iat_path && !iat) || (!a->choices_path && !choices) ||
      (!a->selfreport_path && !selfreport) || (!a->key_path && !key))
    goto done;
  if (vagap_study_read_iat(a->iat_path ? a->iat_path : iat, &a->c.table, &a->iat, ledger, &s->iat,
                           &err) ||
      vagap_study_read_choices(a->choices_path ? a->choices_path : choices, &a->c.table,
                               &a->choices, ledger, &s->choices, &err) ||
      vagap_study_read_scale(a->selfreport_path ? a->selfreport_path : selfreport,
                             a->key_path ? a->key_path : key, &a->c.table, &a->scale, ledger,
                             &s->scale, &err)) {
    cli_report_error(&err);
    goto done;
  }
  rc = analyse(a, s);
done:
  free(iat);
  free(choices);
  free(selfreport);
  free(key);
  return rc;
}

static int parse_size(const cli_common_t *c, const char *opt, const char *arg, size_t *out) {
  long v;
  if (cli_parse_long(c, opt, arg, &v)) return -1;
  if (v < 0) return cli_usage_error(c, "--%s: expected a number >= 0", opt), -1;
  *out = (size_t)v;
  return 0;
}

static int parse_options(report_args_t *a, int argc, char **argv) {
  static const struct option options[] = {
      {"out", required_argument, 0, OPT_OUT}, {"text", no_argument, 0, OPT_TEXT},
      {"iat", required_argument, 0, OPT_IAT}, {"choices", required_argument, 0, OPT_CHOICES},
      {"selfreport", required_argument, 0, OPT_SELFREPORT}, {"key", required_argument, 0, OPT_KEY},
      {"unit", required_argument, 0, OPT_UNIT}, {"preset", required_argument, 0, OPT_PRESET},
      {"focal", required_argument, 0, OPT_FOCAL}, {"contrast", required_argument, 0, OPT_CONTRAST},
      {"prosocial", required_argument, 0, OPT_PROSOCIAL},
      {"selfish", required_argument, 0, OPT_SELFISH}, {"min", required_argument, 0, OPT_MIN},
      {"max", required_argument, 0, OPT_MAX}, {"min-items", required_argument, 0, OPT_MIN_ITEMS},
      {"tau", required_argument, 0, OPT_TAU}, {"behavior-cut", required_argument, 0, OPT_CUT},
      {"conf-level", required_argument, 0, OPT_CONF}, {"title", required_argument, 0, OPT_TITLE},
      {"selfreport-scale", required_argument, 0, OPT_SELFREPORT_SCALE},
      CLI_COMMON_LONG_OPTIONS, {0, 0, 0, 0}};
  int opt;
  vagap_error_t err;
  while ((opt = cli_getopt(&a->c, argc, argv, options)) != -1) {
    int handled = cli_common_option(&a->c, opt, optarg);
    if (handled < 0) return CLI_EXIT_USAGE;
    if (handled) continue;
    int bad = 0;
    switch (opt) {
    case OPT_OUT: a->out = optarg; break;
    case OPT_TEXT: a->text = 1; break;
    case OPT_IAT: a->iat_path = optarg; break;
    case OPT_CHOICES: a->choices_path = optarg; break;
    case OPT_SELFREPORT: a->selfreport_path = optarg; break;
    case OPT_KEY: a->key_path = optarg; break;
    case OPT_UNIT: a->iat.unit = a->choices.unit = a->scale.unit = optarg; break;
    case OPT_PRESET:
      if (vagap_iat_assoc_preset(&a->iat.scoring, optarg, &err) != VAGAP_OK)
        return cli_usage_error(&a->c, "--preset: %s", err.message);
      break;
    case OPT_FOCAL: a->iat.focal = optarg; break;
    case OPT_CONTRAST: a->iat.contrast = optarg; break;
    case OPT_PROSOCIAL: a->choices.prosocial = optarg; break;
    case OPT_SELFISH: a->choices.selfish = optarg; break;
    case OPT_MIN: bad = cli_parse_double(&a->c, "min", optarg, &a->scale.min); break;
    case OPT_MAX: bad = cli_parse_double(&a->c, "max", optarg, &a->scale.max); break;
    case OPT_MIN_ITEMS: bad = parse_size(&a->c, "min-items", optarg, &a->scale.min_items); break;
    case OPT_TAU: bad = cli_parse_double(&a->c, "tau", optarg, &a->gap.tau); break;
    case OPT_CUT: bad = cli_parse_double(&a->c, "behavior-cut", optarg, &a->gap.behavior_cut); break;
    case OPT_CONF: bad = cli_parse_double(&a->c, "conf-level", optarg, &a->gap.conf_level); break;
    case OPT_TITLE: a->title = optarg; break;
    case OPT_SELFREPORT_SCALE: a->selfreport_scale = optarg; break;
    case CLI_OPT_HELP: printf("%s\n%s", HELP, CLI_COMMON_OPTIONS_HELP); return -1;
    default: return cli_usage_error(&a->c, "unknown option or missing argument");
    }
    if (bad) return CLI_EXIT_USAGE;
  }
  if (optind >= argc) return cli_usage_error(&a->c, "give the study folder DIR");
  if (argc - optind > 1) return cli_usage_error(&a->c, "report reads one study folder, got %d", argc - optind);
  a->dir = argv[optind];
  if (!a->out) return cli_usage_error(&a->c, "--out OUTDIR is required");
  if (!(a->scale.min < a->scale.max)) return cli_usage_error(&a->c, "--min must be below --max");
  /* the same checks as `vagap iat` and `vagap prop` */
  char both[256];
  int overlap = vagap_study_lists_overlap(a->iat.focal, a->iat.contrast, both, sizeof both, &err);
  if (overlap > 0) return cli_usage_error(&a->c, "--focal and --contrast must differ (both have '%s')", both);
  if (overlap == 0)
    overlap = vagap_study_lists_overlap(a->choices.prosocial, a->choices.selfish, both, sizeof both, &err);
  if (overlap > 0) return cli_usage_error(&a->c, "code '%s' is both a success and a failure", both);
  if (overlap < 0) return cli_report_error(&err), CLI_EXIT_DATA;
  if (vagap_gap_options_check(&a->gap, &err) != VAGAP_OK) return cli_usage_error(&a->c, "%s", err.message);
  return CLI_EXIT_OK;
}

static void free_study(study_t *s) {
  vagap_iat_assoc_free(s->iat);
  vagap_study_choices_free(&s->choices);
  vagap_study_scale_free(&s->scale);
  if (s->have_gap) vagap_gap_free(&s->gap);
}

int cmd_report(int argc, char **argv) {
  report_args_t a;
  memset(&a, 0, sizeof a);
  cli_common_init(&a.c, "report");
  vagap_study_iat_options_init(&a.iat);
  vagap_study_choice_options_init(&a.choices);
  vagap_study_scale_options_init(&a.scale);
  vagap_gap_options_init(&a.gap);
  a.title = "Walk-the-talk study";
  int rc = parse_options(&a, argc, argv);
  if (rc < 0) return CLI_EXIT_OK; /* --help */
  if (rc != CLI_EXIT_OK) return rc;

  study_t s;
  memset(&s, 0, sizeof s);
  s.unit_word = strcmp(a.iat.unit, "model") == 0 ? "models" : "units";
  cli_check_common_outputs(&a.c);
  /* the folder first: its exclusions.csv is written as rows are excluded */
  struct stat before;
  int existed = stat(a.out, &before) == 0;
  if (make_dir(a.out)) return CLI_EXIT_DATA;
  if (!existed) cli_outputs_created_dir(a.out);
  char *exclusions = join_path(a.out, "exclusions.csv");
  vagap_ledger_t *ledger = exclusions ? cli_ledger_alloc_copying(&a.c, exclusions) : NULL;
  free(exclusions);
  if (!ledger) return fputs("vagap: out of memory\n", stderr), CLI_EXIT_DATA;
  rc = run_chain(&a, &s, ledger);
  if (rc == CLI_EXIT_OK) rc = write_tables(&a, &s, ledger);
  if (rc == CLI_EXIT_OK) rc = write_markdown(&a, &s, ledger);
  if (rc == CLI_EXIT_OK) rc = write_plot(&a, &s);
  if (rc == CLI_EXIT_OK && a.text) {
    gap_print_text(stdout, &s.gap);
    if (fflush(stdout) != 0) rc = CLI_EXIT_DATA;
  }
  if (rc == CLI_EXIT_OK) {
    rc = cli_finish_ledger(&a.c, ledger);
    if (!a.c.quiet) fprintf(stderr, "vagap report: wrote tables, report.md and calibration.svg to %s\n", a.out);
  }
  free_study(&s);
  vagap_ledger_free(ledger);
  return rc;
}
