/*
 * vagap vaar: Value-Action Alignment Rate per group over hypothesised SEM
 * paths (METHODS.md section 7).  Either scores a parameter table written
 * earlier by `vagap sem` (or lavaan's parameterEstimates) - fit once, score
 * many ways - or fits the multi-group model itself, by default with equal
 * loadings (metric invariance): a regression coefficient between factors is
 * comparable across groups only when the factors share a metric, so the
 * weakest assumption under which "same sign in every group" means anything
 * is equal loadings.  --group-equal none gives the configural model.
 *
 * Orientation guard: a factor's sign is fixed by its marker indicator; the
 * command says which indicator fixes each factor and refuses factors without
 * one (std.lv) unless --sign-indicator names it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "simcli_dist.h"
#include "semcli_data.h"
#include "semcli_stream.h"
#include "semcli_options.h"

static const char HELP[] =
    "Usage: vagap vaar (--estimates FILE | --model FILE [DATA]) (--expect SPEC |\n"
    "                  --expect-file FILE | --reference GROUP) [OPTIONS]\n"
    "Value-Action Alignment Rate: per group, the share of hypothesised SEM paths\n"
    "whose sign agrees with the expected sign, strictly (sign and p < alpha) and\n"
    "by sign only, with k/K; one row per group and path, then per group the rows\n"
    "vaar.strict and vaar.sign (est = k/K).\n\n"
    "Input (one of):\n"
    "      --estimates FILE   a parameter table from `vagap sem` (or lavaan's\n"
    "                         parameterEstimates): lhs,op,rhs,est and optionally\n"
    "                         group,se,pvalue,ci.lower,ci.upper,std.all\n"
    "      --group-labels L   with --estimates: names for groups 1,2,... (comma list)\n"
    "      --model FILE       fit this lavaan-syntax model to DATA first\n"
    "      --group COL        one group per value of COL (e.g. human and models)\n"
    "      --group-equal LIST equality constraints (default: loadings = metric\n"
    "                         invariance, the minimum for comparing path signs\n"
    "                         across groups); 'none' for the configural model\n"
    "      --group-partial LIST  exceptions to --group-equal\n"
    "Expected signs (one of --expect/--expect-file, and/or --reference):\n"
    "      --expect SPEC      e.g. 'AoDS~privacy:-,AoDS~prosocial:+'\n"
    "      --expect-file FILE CSV with columns lhs,op,rhs,sign\n"
    "      --reference GROUP  signs from GROUP's own estimates (for the paths of\n"
    "                         --expect/--expect-file, or all regressions)\n"
    "      --reference-alpha X  keep only paths significant at X in the reference\n"
    "Scoring:\n"
    "      --alpha X          significance level of strict agreement (default 0.05)\n"
    "      --sign-indicator L factor=indicator pairs fixing each factor's sign\n"
    "                         (a factor whose indicator loads negatively is reversed)\n"
    "Bootstrap (with --model):\n"
    "      --bootstrap B      B nonparametric resamples within groups: percentile\n"
    "                         intervals of estimates and VAAR, agreement shares\n"
    "      --seed S           random seed (default 1); same seed, same numbers\n"
    "      --threads N        worker threads (default: all cores)\n"
    "      --conf-level X     level of the bootstrap intervals (default 0.95)\n"
    "                         (alias --level)\n"
    "With --model (--std-lv needs --sign-indicator):\n";

enum {
  OPT_ESTIMATES = 1, OPT_GROUP_LABELS, OPT_MODEL, OPT_GROUP, OPT_GROUP_EQUAL, OPT_GROUP_PARTIAL,
  OPT_EXPECT, OPT_EXPECT_FILE, OPT_REFERENCE, OPT_REFERENCE_ALPHA, OPT_ALPHA,
  OPT_SIGN_INDICATOR, OPT_BOOTSTRAP, OPT_SEED, OPT_THREADS, OPT_LEVEL
};

typedef struct {
  const char *estimates, *group_labels, *model, *group, *group_equal, *group_partial;
  const char *expect, *expect_file, *reference, *sign_indicator;
  semcli_lavaan_t lav;
  int lav_given;   /* a lavaan option was given (they apply with --model only) */
  double alpha, reference_alpha, level;
  long bootstrap, threads;
  unsigned long long seed;
} vaar_args_t;

/* Everything the command owns; freed in one place. */
typedef struct {
  vagap_ledger_t *ledger;
  vagap_table_t *est_table, *data_table, *expect_table;
  char **group_labels;
  size_t n_group_labels;
  char *model_text;
  vagap_sem_syntax_t *syn;
  vagap_sem_model_t *model;
  vagap_sem_fit_t *fit;
  semcli_data_t data;
  vagap_vaar_estimate_t *est;
  size_t nest;
  size_t *est_row;           /* parameter-table row of each estimate (model mode) */
  vagap_vaar_orientation_t orient; /* --sign-indicator */
  vagap_vaar_analysis_t an;         /* markers, spec and result */
  vagap_sem_boot_t *boot;
  vagap_vaar_boot_t *vboot;
} vaar_state_t;

static void free_state(vaar_state_t *s) {
  vagap_vaar_boot_free(s->vboot);
  vagap_sem_boot_free(s->boot);
  vagap_vaar_analysis_clear(&s->an);
  vagap_vaar_orientation_clear(&s->orient);
  free(s->est);
  free(s->est_row);
  semcli_data_free(&s->data);
  vagap_sem_fit_free(s->fit);
  vagap_sem_model_free(s->model);
  vagap_sem_syntax_free(s->syn);
  free(s->model_text);
  semcli_free_list(s->group_labels, s->n_group_labels);
  vagap_table_free(s->expect_table);
  vagap_table_free(s->data_table);
  vagap_table_free(s->est_table);
  vagap_ledger_free(s->ledger);
}

/* ---- arguments ------------------------------------------------------------------ */

static int parse_unit_interval(const cli_common_t *c, const char *name, const char *arg, double *out) {
  if (cli_parse_double(c, name, arg, out)) return -1;
  if (!(*out > 0 && *out < 1)) {
    cli_usage_error(c, "--%s: expected a number in (0, 1), got %s", name, arg);
    return -1;
  }
  return 0;
}

static int handle_option(cli_common_t *c, vaar_args_t *a, int opt, const char *arg) {
  long v;
  switch (opt) {
  case OPT_ESTIMATES: a->estimates = arg; return 0;
  case OPT_GROUP_LABELS: a->group_labels = arg; return 0;
  case OPT_MODEL: a->model = arg; return 0;
  case OPT_GROUP: a->group = arg; return 0;
  case OPT_GROUP_EQUAL: a->group_equal = arg; return 0;
  case OPT_GROUP_PARTIAL: a->group_partial = arg; return 0;
  case OPT_EXPECT: a->expect = arg; return 0;
  case OPT_EXPECT_FILE: a->expect_file = arg; return 0;
  case OPT_REFERENCE: a->reference = arg; return 0;
  case OPT_SIGN_INDICATOR: a->sign_indicator = arg; return 0;
  case OPT_ALPHA: return parse_unit_interval(c, "alpha", arg, &a->alpha);
  case OPT_REFERENCE_ALPHA: return parse_unit_interval(c, "reference-alpha", arg, &a->reference_alpha);
  case OPT_LEVEL: return parse_unit_interval(c, "conf-level", arg, &a->level);
  case OPT_BOOTSTRAP:
    if (cli_parse_long(c, "bootstrap", arg, &a->bootstrap)) return -1;
    if (a->bootstrap < 1) return cli_usage_error(c, "--bootstrap: expected at least 1 resample"), -1;
    return 0;
  case OPT_THREADS:
    if (cli_parse_long(c, "threads", arg, &a->threads)) return -1;
    if (a->threads < 0 || a->threads > 1024) return cli_usage_error(c, "--threads: expected 0..1024"), -1;
    return 0;
  case OPT_SEED:
    if (cli_parse_long(c, "seed", arg, &v)) return -1;
    a->seed = (unsigned long long)v;
    return 0;
  default: return cli_usage_error(c, "unknown option or missing argument"), -1;
  }
}

/* Combinations that make no sense are usage errors, said before any work. */
static int check_args(const cli_common_t *c, const vaar_args_t *a, int nfiles) {
  if (!a->estimates == !a->model)
    return cli_usage_error(c, "give either --estimates FILE or --model FILE with data");
  if (a->expect && a->expect_file) return cli_usage_error(c, "--expect and --expect-file are exclusive");
  if (!a->expect && !a->expect_file && !a->reference)
    return cli_usage_error(c, "give the expected signs: --expect, --expect-file or --reference");
  if (a->reference_alpha > 0 && !a->reference)
    return cli_usage_error(c, "--reference-alpha needs --reference");
  if (a->estimates) {
    if (a->group || a->group_equal || a->group_partial || a->lav_given)
      return cli_usage_error(c, "--group, --group-equal, --group-partial and the lavaan options (--std-lv, ...) apply to "
                                "--model; an --estimates table is already fitted");
    if (a->bootstrap) return cli_usage_error(c, "--bootstrap needs the data: use --model");
    if (nfiles > 0) return cli_usage_error(c, "with --estimates, give no data file");
  } else {
    if (a->group_labels) return cli_usage_error(c, "--group-labels applies to --estimates");
    if (nfiles > 1) return cli_usage_error(c, "vaar reads one data file, got %d", nfiles);
    if (semcli_lavaan_check((cli_common_t *)c, &a->lav) < 0) return CLI_EXIT_USAGE;
    if (a->lav.std_lv && !a->sign_indicator)
      return cli_usage_error(c, "--std-lv leaves every factor's sign arbitrary (each fit may "
                                "flip it); name the sign-fixing indicators with --sign-indicator "
                                "factor=indicator,...");
  }
  return CLI_EXIT_OK;
}

static int parse_args(int argc, char **argv, cli_common_t *c, vaar_args_t *a) {
  static const struct option options[] = {
      {"estimates", required_argument, 0, OPT_ESTIMATES},
      {"group-labels", required_argument, 0, OPT_GROUP_LABELS},
      {"model", required_argument, 0, OPT_MODEL},
      {"group", required_argument, 0, OPT_GROUP},
      {"group-equal", required_argument, 0, OPT_GROUP_EQUAL},
      {"group-partial", required_argument, 0, OPT_GROUP_PARTIAL},
      {"expect", required_argument, 0, OPT_EXPECT},
      {"expect-file", required_argument, 0, OPT_EXPECT_FILE},
      {"reference", required_argument, 0, OPT_REFERENCE},
      {"reference-alpha", required_argument, 0, OPT_REFERENCE_ALPHA},
      {"alpha", required_argument, 0, OPT_ALPHA},
      {"sign-indicator", required_argument, 0, OPT_SIGN_INDICATOR},
      {"bootstrap", required_argument, 0, OPT_BOOTSTRAP},
      {"seed", required_argument, 0, OPT_SEED},
      {"threads", required_argument, 0, OPT_THREADS},
      {"conf-level", required_argument, 0, OPT_LEVEL},
      {"level", required_argument, 0, OPT_LEVEL}, /* the older spelling */
      SEMCLI_LAVAAN_LONG_OPTIONS,
      CLI_COMMON_LONG_OPTIONS,
      {0, 0, 0, 0}};
  int opt;
  while ((opt = cli_getopt(c, argc, argv, options)) != -1) {
    int handled = cli_common_option(c, opt, optarg);
    if (handled < 0) return CLI_EXIT_USAGE;
    if (handled) continue;
    if ((handled = semcli_lavaan_option(c, &a->lav, opt, optarg, argc, argv, &optind)) < 0) return CLI_EXIT_USAGE;
    if (handled) {
      a->lav_given = 1;
      continue;
    }
    if (opt == CLI_OPT_HELP) {
      printf("%s%s\n%s", HELP, SEMCLI_LAVAAN_OPTIONS_HELP, CLI_COMMON_OPTIONS_HELP);
      return -1;
    }
    if (handle_option(c, a, opt, optarg)) return CLI_EXIT_USAGE;
  }
  return check_args(c, a, argc - optind);
}

/* ---- estimates from a table --------------------------------------------------------- */

/* Optional numeric column: values or all NAN. */
static vagap_status_t optional_numeric(const vagap_table_t *t, const char *name, double **out,
                                       vagap_error_t *err) {
  size_t n = vagap_table_nrows(t), j;
  *out = malloc((n ? n : 1) * sizeof **out);
  if (!*out) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  if (vagap_table_column(t, name, &j, NULL) != VAGAP_OK) {
    for (size_t i = 0; i < n; i++) (*out)[i] = NAN;
    return VAGAP_OK;
  }
  return vagap_table_numeric(t, j, *out, err);
}

/* The group label of a row: the group cell, mapped through --group-labels. */
static vagap_status_t row_group(const vaar_state_t *s, const vagap_table_t *t, size_t i, size_t gcol,
                                const char **out, vagap_error_t *err) {
  if (gcol == (size_t)-1) {
    *out = s->n_group_labels ? s->group_labels[0] : "1";
    return VAGAP_OK;
  }
  const char *cell = vagap_table_cell(t, i, gcol, NULL);
  *out = cell;
  if (!s->n_group_labels) return VAGAP_OK;
  char *end;
  long k = strtol(cell, &end, 10);
  if (*cell && !*end && k >= 1 && (size_t)k <= s->n_group_labels) {
    *out = s->group_labels[k - 1];
    return VAGAP_OK;
  }
  return vagap_error_set(err, VAGAP_EDATA, vagap_table_source(t), vagap_table_line(t, i), (long)gcol + 1,
                         "group '%s' is not a number 1..%zu that --group-labels can name", cell,
                         s->n_group_labels);
}

/* Strict agreement needs p-values: say so when the table has none. */
static void warn_missing_columns(const cli_common_t *c, const vagap_table_t *t) {
  size_t j;
  if (vagap_table_column(t, "pvalue", &j, NULL) != VAGAP_OK)
    cli_warn(c, "%s has no pvalue column: no path can agree strictly (agree.strict is FALSE)",
             vagap_table_source(t));
}

static vagap_status_t estimates_from_table(vaar_state_t *s, const vagap_table_t *t, vagap_error_t *err) {
  size_t n = vagap_table_nrows(t), lhs, op, rhs, gcol = (size_t)-1;
  vagap_status_t st = vagap_table_column(t, "lhs", &lhs, err);
  if (!st) st = vagap_table_column(t, "op", &op, err);
  if (!st) st = vagap_table_column(t, "rhs", &rhs, err);
  if (st) return st;
  if (vagap_table_column(t, "group", &gcol, NULL) != VAGAP_OK) gcol = (size_t)-1;
  double *col[6] = {0};
  static const char *const NAMES[6] = {"est", "se", "pvalue", "ci.lower", "ci.upper", "std.all"};
  size_t jest;
  st = vagap_table_column(t, "est", &jest, err);
  for (int k = 0; k < 6 && !st; k++) st = optional_numeric(t, NAMES[k], &col[k], err);
  if (!st && !(s->est = calloc(n ? n : 1, sizeof *s->est)))
    st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  for (size_t i = 0; i < n && !st; i++) {
    /* defined parameters (:=) belong to no group (lavaan writes group 0) */
    if (strcmp(vagap_table_cell(t, i, op, NULL), ":=") == 0) continue;
    vagap_vaar_estimate_t *e = &s->est[s->nest++];
    st = row_group(s, t, i, gcol, &e->group, err);
    e->lhs = vagap_table_cell(t, i, lhs, NULL);
    e->op = vagap_table_cell(t, i, op, NULL);
    e->rhs = vagap_table_cell(t, i, rhs, NULL);
    e->est = col[0][i];
    e->se = col[1][i];
    e->pvalue = col[2][i];
    e->ci_lower = col[3][i];
    e->ci_upper = col[4][i];
    e->std_all = col[5][i];
  }
  for (int k = 0; k < 6; k++) free(col[k]);
  return st;
}

/* ---- estimates from a fit ------------------------------------------------------------ */

static vagap_status_t fit_model(vaar_state_t *s, const vaar_args_t *a, const char *path,
                                const cli_common_t *c, vagap_error_t *err) {
  vagap_sem_model_options_t mopt;
  vagap_sem_model_options_init(&mopt);
  semcli_lavaan_apply(c, &a->lav, &mopt);
  /* vaar's default is metric invariance; "none" (or empty) asks for no equalities */
  const char *equal = a->group_equal ? a->group_equal : "loadings";
  if (strcmp(equal, "none") == 0 || strcmp(equal, "") == 0) equal = NULL;
  mopt.group_equal = 0;
  char **partial = NULL;
  size_t npartial = 0;
  vagap_status_t st =
      semcli_group_constraints(equal, a->group_partial, &mopt, &partial, &npartial, err);
  if (st) return st;
  size_t gcol = (size_t)-1;
  if (!st) st = semcli_read_text(a->model, &s->model_text, err);
  if (!st) st = vagap_sem_syntax_parse(&s->syn, s->model_text, a->model, err);
  int has_thresholds = 0;
  for (size_t i = 0; !st && i < s->syn->n; i++) has_thresholds |= s->syn->st[i].op == VAGAP_SEM_THRESHOLD;
  int ordinal = semcli_lavaan_categorical(&a->lav) || has_thresholds;
  /* statistics accumulated while parsing; the table path when they cannot be, when
     the bootstrap needs the raw rows, or for ordinal data */
  semcli_stream_t stream = {0};
  int streamed = 0;
  if (!st && !ordinal && !a->bootstrap && semcli_stream_wanted(&a->lav, &c->table, s->syn))
    st = semcli_stream_read(&stream, path, &c->table, a->group, s->syn, &mopt, a->model, s->ledger,
                            &s->data, &streamed, err);
  if (!st && streamed) {
    st = vagap_sem_model_build(&s->model, s->syn, s->data.ngroups, &mopt, a->model, err);
    if (!st) st = semcli_stream_finish(&stream, s->model, &s->data, s->ledger, err);
  }
  semcli_stream_free(&stream);
  if (!st && !streamed) st = vagap_table_read(&s->data_table, path, &c->table, s->ledger, err);
  if (!st && !streamed && a->group) st = vagap_table_column(s->data_table, a->group, &gcol, err);
  char **onames = NULL;
  int *onth = NULL;
  if (!st && ordinal) /* --ordered: thresholds and polychorics, WLSMV (as vagap sem --ordered) */
    st = semcli_build_ordinal(&c->table, s->data_table, gcol, s->syn, a->model, a->lav.ordered, a->lav.ordered_all,
                              a->lav.missing == VAGAP_SEM_MISSING_PAIRWISE, a->lav.levels, &mopt, &s->data, &s->model, &onames,
                              &onth, s->ledger, err);
  if (!st && !ordinal && !streamed) st = semcli_group_levels(s->data_table, gcol, &s->data, err);
  if (!st && !ordinal && !streamed) st = vagap_sem_model_build(&s->model, s->syn, s->data.ngroups, &mopt, a->model, err);
  if (!st && !ordinal && !streamed) st = semcli_screen(&c->table, s->data_table, s->model, s->ledger, err);
  s->data.missing = a->lav.missing;
  if (!st && !ordinal && !streamed) st = semcli_load(s->data_table, gcol, s->model, &s->data, s->ledger, err);
  vagap_sem_fit_options_t fopt;
  vagap_sem_fit_options_init(&fopt);
  semcli_lavaan_fit_apply(&a->lav, &fopt);
  fopt.compute = VAGAP_SEM_COMPUTE_SE; /* vaar uses estimates, SEs and p-values, no fit measures */
  vagap_sem_data_t rows = semcli_view(&s->data);
  if (!st) /* rows for robust ML; streamed statistics otherwise */
    st = streamed ? vagap_sem_fit(&s->fit, s->model, s->data.stats, &fopt, err)
                  : vagap_sem_fit_data(&s->fit, s->model, &rows, &fopt, err);
  semcli_free_list(onames, mopt.n_ordered);
  free(onth);
  if (st == VAGAP_ENOCONV) fputs("vagap vaar: the model did not converge; nothing is scored\n", stderr);
  if (!st) semcli_report_fit_warnings("vaar", NULL, s->fit);
  semcli_free_list(partial, npartial);
  return st;
}

/* Estimate rows borrowed from the fitted parameter table (defined := rows skipped). */
static vagap_status_t estimates_from_fit(vaar_state_t *s, vagap_error_t *err) {
  const vagap_sem_model_t *m = s->fit->model;
  s->est = calloc(m->nrows ? m->nrows : 1, sizeof *s->est);
  s->est_row = calloc(m->nrows ? m->nrows : 1, sizeof *s->est_row);
  if (!s->est || !s->est_row) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  for (size_t r = 0; r < m->nrows; r++) {
    const vagap_sem_param_t *row = &m->rows[r];
    if (row->group < 1) continue;
    vagap_vaar_estimate_t *e = &s->est[s->nest];
    e->group = s->data.labels[row->group - 1];
    e->lhs = row->lhs;
    e->op = vagap_sem_op_string(row->op);
    e->rhs = row->rhs;
    e->est = row->est;
    e->se = row->se;
    e->pvalue = row->pvalue;
    e->ci_lower = row->ci_lower;
    e->ci_upper = row->ci_upper;
    e->std_all = row->std_all;
    s->est_row[s->nest++] = r;
  }
  return VAGAP_OK;
}

/* ---- orientation and scoring ------------------------------------------------------------ */

/* Say what fixes each factor's sign (the library refuses a factor nothing fixes). */
static void note_orientation(const vaar_state_t *s, const cli_common_t *c) {
  const vagap_vaar_markers_t *mk = &s->an.markers;
  if (mk->n > 0 && !c->quiet) {
    fputs("vagap vaar: note: a factor's sign is fixed by its sign-fixing indicator; path signs "
          "read 'as the indicator goes':", stderr);
    for (size_t m = 0; m < mk->n; m++) {
      const char *named = vagap_vaar_orientation_find(&s->orient, mk->latent[m]);
      if (named) fprintf(stderr, "%s %s by %s (named)", m ? "," : "", mk->latent[m], named);
      else if (mk->fixed[m]) fprintf(stderr, "%s %s by %s (marker)", m ? "," : "", mk->latent[m], mk->indicator[m]);
      else fprintf(stderr, "%s %s by nothing (free loadings)", m ? "," : "", mk->latent[m]);
    }
    fputc('\n', stderr);
  }
  if (s->an.nflipped && !c->quiet)
    fprintf(stderr, "vagap vaar: note: %zu factor(s) reversed to load positively on their "
                    "sign-fixing indicator\n", s->an.nflipped);
}

static vagap_status_t analyse(vaar_state_t *s, const vaar_args_t *a, const cli_common_t *c,
                              vagap_error_t *err) {
  vagap_vaar_options_t o;
  vagap_vaar_options_init(&o);
  o.expect = a->expect;
  o.reference = a->reference;
  o.reference_alpha = a->reference_alpha;
  o.orientation = &s->orient;
  o.alpha = a->alpha;
  if (a->estimates && !a->group_labels)
    o.reference_hint = " (a parameter table numbers its groups 1, 2, ...; name them with --group-labels)";
  vagap_status_t st = VAGAP_OK;
  if (a->expect_file) {
    /* read first: the markers note comes after the table, as before the move */
    st = vagap_table_read(&s->expect_table, a->expect_file, &c->table, s->ledger, err);
    o.expect_table = s->expect_table;
  }
  if (!st) {
    st = vagap_vaar_analyse(&s->an, s->est, s->nest, &o, err);
    note_orientation(s, c);
  }
  return st;
}

/* ---- bootstrap ---------------------------------------------------------------------------------- */

static vagap_status_t run_bootstrap(vaar_state_t *s, const vaar_args_t *a, const cli_common_t *c,
                                    vagap_error_t *err) {
  vagap_sem_boot_options_t bopt;
  vagap_sem_boot_options_init(&bopt);
  bopt.B = (size_t)a->bootstrap;
  bopt.seed = a->seed;
  bopt.threads = (unsigned)a->threads;
  semcli_progress_t progress; /* --quiet leaves it: --no-progress silences it */
  semcli_progress_init(&progress, c, "bootstrap", "resamples");
  bopt.progress = semcli_progress;
  bopt.progress_ctx = &progress;
  vagap_sem_fit_options_t fopt;
  vagap_sem_fit_options_init(&fopt);
  semcli_lavaan_fit_apply(&a->lav, &fopt);
  fopt.compute = VAGAP_SEM_COMPUTE_SE; /* the resamples' estimates, SEs and p-values */
  vagap_sem_data_t view = semcli_view(&s->data);
  vagap_status_t st = simcli_dist_bootstrap(&s->boot, s->model, &view, &fopt, &bopt, err);
  if (st || !s->boot) return st; /* no result: an MPI rank other than 0 */
  semcli_report_boot_failures("vaar", s->boot);
  return vagap_vaar_bootstrap(&s->vboot, s->an.spec, s->est, s->nest, s->est_row, s->boot,
                              s->orient.latent, s->orient.indicator, s->orient.n, a->alpha,
                              a->level, err);
}

/* ---- output ---------------------------------------------------------------------------------------- */

static const char *const COLUMNS[] = {
    "group", "type", "lhs", "op", "rhs", "expected", "est", "se", "pvalue", "std.all",
    "ci.lower", "ci.upper", "agree.strict", "agree.sign", "k", "K",
    "boot.lower", "boot.upper", "boot.agree.strict", "boot.agree.sign", "boot.n"};
enum { NCOLUMNS = sizeof COLUMNS / sizeof COLUMNS[0] };

static void put_path(cli_writer_t *w, const vaar_state_t *s, size_t cell) {
  const vagap_vaar_path_result_t *p = &s->an.result->paths[cell];
  const vagap_vaar_path_t *path = &s->an.spec->paths[p->path];
  cli_put_str(w, s->an.result->group_label[p->group]);
  cli_put_str(w, "path");
  cli_put_str(w, path->lhs);
  cli_put_str(w, path->op);
  cli_put_str(w, path->rhs);
  cli_put_str(w, vagap_vaar_sign_text(p->expected));
  cli_put_num(w, p->est.est);
  cli_put_num(w, p->est.se);
  cli_put_num(w, p->est.pvalue);
  cli_put_num(w, p->est.std_all);
  cli_put_num(w, p->est.ci_lower);
  cli_put_num(w, p->est.ci_upper);
  cli_put_bool(w, p->agree_strict);
  cli_put_bool(w, p->agree_sign);
  cli_put_na(w);
  cli_put_na(w);
  const vagap_vaar_boot_t *b = s->vboot;
  cli_put_num(w, b ? b->est_lower[cell] : NAN);
  cli_put_num(w, b ? b->est_upper[cell] : NAN);
  cli_put_num(w, b ? b->share_strict[cell] : NAN);
  cli_put_num(w, b ? b->share_sign[cell] : NAN);
  if (b) cli_put_int(w, (long long)b->nused);
  else cli_put_na(w);
}

static void put_vaar(cli_writer_t *w, const vaar_state_t *s, size_t g, int strict) {
  const vagap_vaar_group_result_t *gr = &s->an.result->groups[g];
  cli_put_str(w, s->an.result->group_label[g]);
  cli_put_str(w, strict ? "vaar.strict" : "vaar.sign");
  for (int k = 0; k < 4; k++) cli_put_na(w); /* lhs op rhs expected */
  cli_put_num(w, strict ? gr->vaar_strict : gr->vaar_sign);
  for (int k = 0; k < 7; k++) cli_put_na(w); /* se .. agree.sign */
  cli_put_int(w, (long long)(strict ? gr->k_strict : gr->k_sign));
  cli_put_int(w, (long long)gr->K);
  const vagap_vaar_boot_t *b = s->vboot;
  cli_put_num(w, b ? (strict ? b->vaar_strict_lower[g] : b->vaar_sign_lower[g]) : NAN);
  cli_put_num(w, b ? (strict ? b->vaar_strict_upper[g] : b->vaar_sign_upper[g]) : NAN);
  cli_put_na(w);
  cli_put_na(w);
  if (b) cli_put_int(w, (long long)b->nused);
  else cli_put_na(w);
}

static int write_result(const cli_common_t *c, const vaar_state_t *s) {
  cli_writer_t *w = cli_writer_open(c, COLUMNS, NCOLUMNS);
  if (!w) return CLI_EXIT_DATA;
  const vagap_vaar_result_t *r = s->an.result;
  for (size_t g = 0; g < r->ngroups; g++) {
    for (size_t k = 0; k < r->npaths; k++) put_path(w, s, g * r->npaths + k);
    put_vaar(w, s, g, 1);
    put_vaar(w, s, g, 0);
  }
  return cli_writer_close(w);
}

/* ---- command ------------------------------------------------------------------------------------------ */

static vagap_status_t run(vaar_state_t *s, const vaar_args_t *a, const cli_common_t *c,
                          const char *data_path, vagap_error_t *err) {
  vagap_status_t st = VAGAP_OK;
  if (a->group_labels && !(s->group_labels = semcli_split_list(a->group_labels, &s->n_group_labels)))
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  if (a->sign_indicator && (st = vagap_vaar_orientation_parse(&s->orient, a->sign_indicator, err)))
    return st;
  if (a->estimates) {
    st = vagap_table_read(&s->est_table, a->estimates, &c->table, s->ledger, err);
    if (!st) st = estimates_from_table(s, s->est_table, err);
    if (!st) warn_missing_columns(c, s->est_table);
  } else {
    st = fit_model(s, a, data_path, c, err);
    if (!st) st = estimates_from_fit(s, err);
  }
  if (!st) st = analyse(s, a, c, err);
  if (!st && a->bootstrap) st = run_bootstrap(s, a, c, err);
  return st;
}

int cmd_vaar(int argc, char **argv) {
  cli_common_t c;
  cli_common_init(&c, "vaar");
  simcli_dist_begin(); /* under mpirun the bootstrap's resamples are spread over the ranks */
  vaar_args_t a = {0};
  semcli_lavaan_init(&a.lav);
  a.alpha = 0.05;
  a.level = 0.95;
  a.seed = 1;
  int prc = parse_args(argc, argv, &c, &a);
  if (prc < 0) return simcli_dist_finish(CLI_EXIT_OK);
  if (prc) return simcli_dist_finish(prc);
  const char *data_path = optind < argc ? argv[optind] : "-";

  vagap_init();
  vagap_error_t err;
  vagap_error_clear(&err);
  vaar_state_t s = {0};
  int rc = CLI_EXIT_DATA;
  if (!(s.ledger = cli_ledger_alloc(&c))) {
    fputs("vagap: out of memory\n", stderr);
    return simcli_dist_finish(CLI_EXIT_DATA);
  }
  if (semcli_lavaan_load_constraints(&a.lav, &err) || run(&s, &a, &c, data_path, &err) != VAGAP_OK) {
    rc = cli_report_error(&err);
  } else if (simcli_dist_rank() != 0) {
    rc = CLI_EXIT_OK; /* rank 0 writes */
  } else {
    rc = write_result(&c, &s);
    if (rc == CLI_EXIT_OK) rc = cli_finish_ledger(&c, s.ledger);
  }
  free_state(&s);
  semcli_lavaan_free(&a.lav);
  return simcli_dist_finish(rc);
}
