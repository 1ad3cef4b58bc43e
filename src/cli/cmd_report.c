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
#include "prop_out.h"
#include "report_svg.h"
#include "score_out.h"
#include "stats_cli.h"
#include "vagap/report.h"
#include "vagap/study.h"

static const char HELP[] =
    "Usage: vagap report [OPTIONS] DIR --out OUTDIR\n"
    "Run the walk-the-talk chain on a study folder: association IAT -> behaviour\n"
    "(share of prosocial choices) -> self-report (scale score as % of maximum) ->\n"
    "calibration gap.  Writes to OUTDIR: iat_trials, iat_units, behavior_units,\n"
    "selfreport_units, selfreport_alpha, gap_units and gap_tests (broom columns) as\n"
    ".csv, .tsv or .jsonl after --format, exclusions.csv, report.md and calibration.svg.\n"
    "The IAT is optional: without DIR/iat.csv (and --iat), or with --no-iat, the gap\n"
    "is self-report vs behaviour alone and the IAT tables are not written.\n\n"
    "Defaults are the Andric (2025) presets: IAT s = 0 with empty-side trials invalid,\n"
    "focal target 'other', contrast 'self'; choices 'other' prosocial, 'self' selfish;\n"
    "self-report on 1-7 with reversed items from the key, % = (score - 1)/6;\n"
    "tau 0.05, behaviour cut 0.65.\n"
    "Rows are mapped by the same code as `vagap iat --method assoc`, `vagap prop` and\n"
    "`vagap score --min-items K` (codes compared case-insensitively with whitespace\n"
    "and punctuation trimmed, the same exclusions and reasons), so the tables equal\n"
    "what those commands print, column for column: iat_trials = `vagap iat --method\n"
    "assoc --per-trial`, iat_units = `vagap iat --method assoc`, behavior_units =\n"
    "`vagap prop`, selfreport_units = `vagap score`, selfreport_alpha = `vagap score\n"
    "--level alpha`, gap_units and gap_tests = `vagap gap`; the first column is named\n"
    "after --unit.  The self-report measure is the total over all keyed items.\n\n"
    "Options:\n"
    "      --out OUTDIR          output folder (created; required)\n"
    "      --text                print the summary on standard output\n"
    "      --iat FILE            association log (default DIR/iat.csv, when it exists)\n"
    "      --no-iat              no IAT: the gap from behaviour and self-report alone\n"
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
  OPT_CUT, OPT_CONF, OPT_TITLE, OPT_SELFREPORT_SCALE, OPT_NO_IAT
};

typedef struct {
  cli_common_t c;
  const char *dir, *out, *title;
  const char *iat_path, *choices_path, *selfreport_path, *key_path;
  const char *selfreport_scale; /* NULL: the total over all keyed items */
  int text;
  int no_iat;                   /* --no-iat, or no DIR/iat.csv: the gap without the IAT */
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

/* One table file of OUTDIR: its name is the stem plus the --format's extension. */
typedef struct {
  const report_args_t *a;
  const char *stem;
  FILE *f;
  char *path;
} report_file_t;

static const char *table_extension(cli_format_t format) {
  return format == CLI_FORMAT_TSV ? "tsv" : format == CLI_FORMAT_JSON ? "jsonl" : "csv";
}

/* score_open_fn: open OUTDIR/<stem>.<ext> and a writer on it in the --format. */
static cli_writer_t *open_report_table(void *ctx, const char *const *cols, size_t ncols) {
  report_file_t *rf = ctx;
  char name[96];
  snprintf(name, sizeof name, "%s.%s", rf->stem, table_extension(rf->a->c.format));
  rf->f = open_out(rf->a, name, &rf->path);
  if (!rf->f) return NULL;
  return cli_writer_open_stream(rf->f, rf->a->c.format, rf->a->c.digits, cols, ncols);
}

/* Close what open_report_table opened, after the writer: rc, or a write failure. */
static int close_report_table(report_file_t *rf, int rc) {
  if (!rf->f) {
    free(rf->path);
    return CLI_EXIT_DATA;
  }
  return close_out(rf->f, rf->path, rc);
}

static int write_table(const report_args_t *a, const char *stem, const char *const *cols,
                       size_t ncols, table_fn fill, const study_t *s) {
  report_file_t rf = {a, stem, NULL, NULL};
  cli_writer_t *w = open_report_table(&rf, cols, ncols);
  if (!w) return close_report_table(&rf, CLI_EXIT_DATA);
  fill(w, s, a);
  return close_report_table(&rf, cli_writer_close(w));
}

/* The columns `rest` after (replace_first: instead of the first of them) the unit
   column, in buf (room for n + 1). */
static const char *const *unit_columns(const char **buf, const char *unit, const char *const *rest,
                                       size_t n, int replace_first) {
  buf[0] = unit;
  for (size_t k = replace_first; k < n; k++) buf[k + !replace_first] = rest[k];
  return buf;
}

static void fill_iat_trials(cli_writer_t *w, const study_t *s, const report_args_t *a) {
  (void)a;
  size_t n = vagap_iat_assoc_ntrials(s->iat);
  for (size_t i = 0; i < n; i++) {
    vagap_iat_assoc_trial_t t;
    vagap_iat_assoc_trial(s->iat, i, &t);
    iat_put_trial(w, &t);
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

/* As `vagap prop` writes them: the same test per unit, no p adjustment. */
static void fill_behavior_units(cli_writer_t *w, const study_t *s, const report_args_t *a) {
  const vagap_study_choices_t *c = &s->choices;
  vagap_prop_options_t po;
  vagap_prop_options_init(&po);
  po.conf_level = a->gap.conf_level;
  po.p0 = a->gap.behavior_null;
  for (size_t u = 0; u < c->units.n; u++) {
    prop_row_t r = {c->units.names[u], c->prosocial[u], c->prosocial[u] + c->selfish[u],
                    c->other[u], VAGAP_OK, {0}, NAN};
    r.status = vagap_stats_prop_test(r.x, r.n, &po, &r.res, NULL);
    r.p_adjusted = r.res.p_value;
    prop_put_row(w, &r);
  }
}

static void fill_gap_units(cli_writer_t *w, const study_t *s, const report_args_t *a) {
  (void)a;
  gap_write_units(w, &s->gap);
}

static void fill_gap_tests(cli_writer_t *w, const study_t *s, const report_args_t *a) {
  (void)a;
  (void)gap_write_tests(w, &s->gap); /* only out of memory fails, and says so */
}

/* selfreport_units and selfreport_alpha, as `vagap score` and `--level alpha` write them. */
static int write_scale_tables(const report_args_t *a, const study_t *s) {
  const vagap_study_scale_t *sc = &s->scale;
  const vagap_study_runs_t *r = &sc->rr;
  vagap_scale_key_t sk = {sc->nitems, sc->nscales, sc->key.item_scale, sc->key.item_reverse,
                          sc->min, sc->max, a->scale.min_items};
  vagap_study_scores_t scores;
  vagap_error_t err;
  int rc = CLI_EXIT_DATA;
  if (vagap_study_scores(&sk, r, &scores, &err) != VAGAP_OK) {
    rc = cli_report_error(&err);
    goto done;
  }
  report_file_t units = {a, "selfreport_units", NULL, NULL};
  rc = score_write_units(open_report_table, &units, a->scale.unit, &sc->key, &sk, r, &scores, 0);
  rc = close_report_table(&units, rc);
  if (rc == CLI_EXIT_OK) {
    report_file_t alpha = {a, "selfreport_alpha", NULL, NULL};
    rc = close_report_table(&alpha, score_write_alpha(&a->c, open_report_table, &alpha, &sc->key,
                                                      &sk, r));
  }
done:
  vagap_study_scores_free(&scores);
  return rc;
}

static int write_tables(const report_args_t *a, const study_t *s) {
  const char *unit = a->iat.unit;
  const char *trial_cols[1 + IAT_NTRIAL_COLUMNS], *iat_cols[1 + IAT_NUNIT_COLUMNS];
  const char *beh_cols[PROP_NCOLUMNS], **gap_cols = malloc(GAP_NUNIT_COLUMNS * sizeof *gap_cols);
  if (!gap_cols) return fputs("vagap: out of memory\n", stderr), CLI_EXIT_DATA;
  int rc = CLI_EXIT_OK;
  if (s->iat) {
    rc = write_table(a, "iat_trials",
                     unit_columns(trial_cols, unit, IAT_TRIAL_COLUMNS, IAT_NTRIAL_COLUMNS, 0),
                     1 + IAT_NTRIAL_COLUMNS, fill_iat_trials, s);
    if (rc == CLI_EXIT_OK)
      rc = write_table(a, "iat_units",
                       unit_columns(iat_cols, unit, IAT_UNIT_COLUMNS, IAT_NUNIT_COLUMNS, 0),
                       1 + IAT_NUNIT_COLUMNS, fill_iat_units, s);
  }
  if (rc == CLI_EXIT_OK)
    rc = write_table(a, "behavior_units", unit_columns(beh_cols, unit, PROP_COLUMNS, PROP_NCOLUMNS, 1),
                     PROP_NCOLUMNS, fill_behavior_units, s);
  if (rc == CLI_EXIT_OK) rc = write_scale_tables(a, s);
  if (rc == CLI_EXIT_OK)
    rc = write_table(a, "gap_units",
                     unit_columns(gap_cols, unit, GAP_UNIT_COLUMNS, GAP_NUNIT_COLUMNS, 1),
                     GAP_NUNIT_COLUMNS, fill_gap_units, s);
  if (rc == CLI_EXIT_OK)
    rc = write_table(a, "gap_tests", BROOM_COLUMN_NAMES, BROOM_NCOLUMNS, fill_gap_tests, s);
  free(gap_cols);
  return rc;
}

/* ---- report.md (the library's writer, vagap/report.h) ------------------------------------ */

static int write_markdown(const report_args_t *a, const study_t *s, const vagap_ledger_t *ledger) {
  char *path;
  FILE *out = open_out(a, "report.md", &path);
  if (!out) {
    free(path);
    return CLI_EXIT_DATA;
  }
  vagap_report_options_t o;
  vagap_report_options_init(&o);
  o.title = a->title;
  o.source = a->dir;
  o.unit = a->iat.unit;
  o.prosocial = a->choices.prosocial;
  o.selfish = a->choices.selfish;
  o.selfreport_scale = a->selfreport_scale;
  o.scale_min = a->scale.min;
  o.scale_max = a->scale.max;
  o.iat_smoothing = a->iat.scoring.smoothing;
  o.tables_extension = table_extension(a->c.format);
  int bad = vagap_report_markdown(out, &s->gap, &s->scale, ledger, &o);
  return close_out(out, path, bad ? CLI_EXIT_DATA : CLI_EXIT_OK);
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

/* Per-unit measures from the three scorers, joined and analysed (the library's step). */
static int analyse(const report_args_t *a, study_t *s) {
  vagap_error_t err;
  if (vagap_study_gap(s->iat, &s->choices, &s->scale, a->selfreport_scale, a->scale.min_items,
                      &a->gap, &s->gap, &err) != VAGAP_OK)
    return cli_report_error(&err);
  s->have_gap = 1;
  return CLI_EXIT_OK;
}

static int run_chain(report_args_t *a, study_t *s, vagap_ledger_t *ledger) {
  /* the IAT is optional; behaviour and self-report are what the gap is made of */
  char *iat = a->iat_path || a->no_iat ? NULL : join_path(a->dir, "iat.csv");
  char *choices = a->choices_path ? NULL : join_path(a->dir, "choices.csv");
  char *selfreport = a->selfreport_path ? NULL : join_path(a->dir, "selfreport.csv");
  char *key = a->key_path ? NULL : join_path(a->dir, "selfreport_key.csv");
  int rc = CLI_EXIT_DATA;
  if ((!a->iat_path && !a->no_iat && !iat) || (!a->choices_path && !choices) ||
      (!a->selfreport_path && !selfreport) || (!a->key_path && !key))
    goto done;
  struct stat st;
  if (iat && stat(iat, &st) != 0 && errno == ENOENT) {
    /* a questionnaire + behaviour study: the gap needs no IAT */
    if (!a->c.quiet)
      fprintf(stderr, "vagap report: note: no %s: the report goes without the IAT (as --no-iat)\n",
              iat);
    a->no_iat = 1;
  }
  vagap_error_t err;
  if ((!a->no_iat && vagap_study_read_iat(a->iat_path ? a->iat_path : iat, &a->c.table, &a->iat,
                                          ledger, &s->iat, &err)) ||
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
      {"no-iat", no_argument, 0, OPT_NO_IAT},
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
    case OPT_NO_IAT: a->no_iat = 1; break;
    case CLI_OPT_HELP: printf("%s\n%s", HELP, CLI_COMMON_OPTIONS_HELP); return -1;
    default: return cli_usage_error(&a->c, "unknown option or missing argument");
    }
    if (bad) return CLI_EXIT_USAGE;
  }
  if (optind >= argc) return cli_usage_error(&a->c, "give the study folder DIR");
  if (argc - optind > 1) return cli_usage_error(&a->c, "report reads one study folder, got %d", argc - optind);
  a->dir = argv[optind];
  if (!a->out) return cli_usage_error(&a->c, "--out OUTDIR is required");
  if (a->no_iat && a->iat_path) return cli_usage_error(&a->c, "--iat and --no-iat exclude each other");
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
  if (rc == CLI_EXIT_OK) rc = write_tables(&a, &s);
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
