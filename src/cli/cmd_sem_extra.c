/*
 * vagap sem --invariance LIST | --bootstrap B: the two modes of `vagap sem`
 * that fit a model more than once.  cmd_sem() hands over to cmd_sem_extra()
 * when one of these options is present (a one-line hook), so the
 * single-fit command stays as it is.
 *
 * --invariance configural,metric,scalar,strict: one row per model with its
 *   fit measures and, against the previous model, lavTestLRT's chi-square
 *   difference test and difference RMSEA, plus the changes in CFI and RMSEA.
 * --bootstrap B --seed S: the parameter table of lavaan's
 *   sem(..., se = "bootstrap") + parameterEstimates(boot.ci.type = "perc"):
 *   se = SD of the bootstrap estimates, z = est/se with a normal p-value,
 *   ci.lower/ci.upper = percentile interval; std.lv/std.all of the full
 *   sample.  Resamples that fail to fit are counted on stderr and left out.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>

#include "cli.h"
#include "simcli_dist.h"
#include "semcli_data.h"
#include "semcli_stream.h"
#include "semcli_options.h"

static const char HELP[] =
    "Usage: vagap sem --model FILE --group COL --invariance LIST [OPTIONS] [DATA]\n"
    "       vagap sem --model FILE --bootstrap B [--seed S] [OPTIONS] [DATA]\n"
    "Measurement invariance: fit the model under each level of LIST (configural,\n"
    "metric, scalar, strict; 'means' adds equal latent means) and print one row per\n"
    "model: model,npar,df,aic,bic,chisq,pvalue,cfi,tli,rmsea,srmr and against the\n"
    "previous model chisq.diff,df.diff,pvalue.diff (lavTestLRT's difference test),\n"
    "cfi.diff, rmsea.diff (this minus previous) and rmsea.lrt (lavTestLRT's RMSEA\n"
    "of the difference test).\n"
    "Bootstrap: B nonparametric resamples within groups; prints the parameter table\n"
    "with se = bootstrap SD, z = est/se, normal p and percentile ci.lower/ci.upper.\n\n"
    "Options:\n"
    "      --model FILE       model syntax (as for vagap sem)\n"
    "      --group COL        one group per value of COL\n"
    "      --group-equal LIST equality constraints (bootstrap only; --invariance sets them)\n"
    "      --group-partial LIST  exceptions to the equality constraints\n"
    "      --invariance LIST  e.g. configural,metric,scalar,strict\n"
    "      --from-stats FILE  with --invariance: fit statistics saved by --save-stats\n"
    "      --bootstrap B      number of resamples\n"
    "      --seed S           random seed (default 1); same seed, same numbers for any\n"
    "                         number of threads\n"
    "      --threads N        worker threads (default: all cores)\n"
    "      --conf-level X     level of the percentile intervals (default 0.95)\n"
    "                         (alias --level)\n\n";

enum {
  OPT_MODEL = 1, OPT_GROUP, OPT_GROUP_EQUAL, OPT_GROUP_PARTIAL, OPT_INVARIANCE, OPT_BOOTSTRAP,
  OPT_SEED, OPT_THREADS, OPT_LEVEL, OPT_FROM_STATS
};

typedef struct {
  const char *model, *group, *group_equal, *group_partial, *invariance, *from_stats;
  semcli_lavaan_t lav;
  long bootstrap, threads;
  unsigned long long seed;
  double level;
} extra_args_t;

/* --invariance with --ordered: the levels, each adding to the previous ones
   (lavaan 0.6.14 makes equal intercepts and equal thresholds imply each other) */
static const struct {
  const char *name;
  unsigned flag;
} ordinal_levels[] = {{"configural", 0},
                      {"thresholds", VAGAP_SEM_EQ_THRESHOLDS},
                      {"metric", VAGAP_SEM_EQ_LOADINGS},
                      {"scalar", VAGAP_SEM_EQ_INTERCEPTS | VAGAP_SEM_EQ_THRESHOLDS},
                      {"strict", VAGAP_SEM_EQ_RESIDUALS},
                      {"means", VAGAP_SEM_EQ_MEANS}};
#define N_ORDINAL_LEVELS (sizeof ordinal_levels / sizeof ordinal_levels[0])

/* "configural,thresholds,metric": the steps' cumulative flags (increasing order); -1 if not such a list */
static int ordinal_level_list(const char *s, unsigned *flags, char names[][32], size_t *n) {
  size_t k = 0, last = 0;
  unsigned acc = 0;
  const char *c = s;
  while (*c) {
    const char *e = strchr(c, ',');
    size_t len = e ? (size_t)(e - c) : strlen(c), j;
    for (j = 0; j < N_ORDINAL_LEVELS && !(strlen(ordinal_levels[j].name) == len &&
                                           !strncmp(ordinal_levels[j].name, c, len)); j++) {}
    if (j == N_ORDINAL_LEVELS || (k && j <= last) || k >= VAGAP_SEM_INVARIANCE_MAX_STEPS) return -1;
    acc |= ordinal_levels[j].flag;
    if (flags) flags[k] = acc;
    if (names) snprintf(names[k], 32, "%s", ordinal_levels[j].name);
    k++, last = j;
    c = e ? e + 1 : c + len;
  }
  if (n) *n = k;
  return k ? 0 : -1;
}

/* Is `s` a list of invariance levels ("configural,metric,..." or, for ordered data, with "thresholds")? */
static int is_level_list(const char *s) {
  vagap_sem_invariance_step_t steps[VAGAP_SEM_INVARIANCE_MAX_STEPS];
  size_t n;
  return vagap_sem_invariance_parse(s, steps, &n, NULL) == VAGAP_OK || ordinal_level_list(s, NULL, NULL, NULL) == 0;
}

/*
 * This file takes --bootstrap and --invariance.  --invariance takes a list of
 * levels (--invariance LIST or --invariance=LIST); a bare --invariance
 * (followed by an option, the data file or nothing) means the whole
 * configural,metric,scalar,strict sequence.  A word after it that is neither
 * a list nor an existing file is taken as a misspelt list, so that it gets a
 * message about levels.
 */
static const char DEFAULT_LEVELS[] = "--invariance=configural,metric,scalar,strict";

static int bare_invariance(int argc, char **argv, int i) {
  if (strcmp(argv[i], "--invariance") != 0) return 0;
  if (i + 1 >= argc) return 1;
  const char *next = argv[i + 1];
  return !is_level_list(next) && (next[0] == '-' || access(next, F_OK) == 0);
}

int cmd_sem_extra_wanted(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) break;
    if (strncmp(argv[i], "--bootstrap", 11) == 0 || strncmp(argv[i], "--invariance", 12) == 0)
      return 1;
  }
  return 0;
}

static int handle_option(cli_common_t *c, extra_args_t *a, int opt, const char *arg) {
  long v;
  switch (opt) {
  case OPT_MODEL: a->model = arg; return 0;
  case OPT_GROUP: a->group = arg; return 0;
  case OPT_GROUP_EQUAL: a->group_equal = arg; return 0;
  case OPT_GROUP_PARTIAL: a->group_partial = arg; return 0;
  case OPT_INVARIANCE: a->invariance = arg; return 0;
  case OPT_FROM_STATS: a->from_stats = arg; return 0;
  case OPT_BOOTSTRAP:
    if (cli_parse_long(c, "bootstrap", arg, &a->bootstrap)) return -1;
    if (a->bootstrap < 2) return cli_usage_error(c, "--bootstrap: expected at least 2 resamples"), -1;
    return 0;
  case OPT_THREADS:
    if (cli_parse_long(c, "threads", arg, &a->threads)) return -1;
    if (a->threads < 0 || a->threads > 1024) return cli_usage_error(c, "--threads: expected 0..1024"), -1;
    return 0;
  case OPT_SEED:
    if (cli_parse_long(c, "seed", arg, &v)) return -1;
    a->seed = (unsigned long long)v;
    return 0;
  case OPT_LEVEL:
    if (cli_parse_double(c, "conf-level", arg, &a->level)) return -1;
    if (!(a->level > 0 && a->level < 1)) return cli_usage_error(c, "--conf-level: expected a number in (0, 1)"), -1;
    return 0;
  default: return cli_usage_error(c, "unknown option or missing argument (with --invariance or "
                                     "--bootstrap)"), -1;
  }
}

static int parse_args(int argc, char **argv, cli_common_t *c, extra_args_t *a) {
  static const struct option options[] = {
      {"model", required_argument, 0, OPT_MODEL},
      {"group", required_argument, 0, OPT_GROUP},
      {"group-equal", required_argument, 0, OPT_GROUP_EQUAL},
      {"group-partial", required_argument, 0, OPT_GROUP_PARTIAL},
      {"invariance", required_argument, 0, OPT_INVARIANCE},
      {"from-stats", required_argument, 0, OPT_FROM_STATS},
      {"bootstrap", required_argument, 0, OPT_BOOTSTRAP},
      {"seed", required_argument, 0, OPT_SEED},
      {"threads", required_argument, 0, OPT_THREADS},
      {"conf-level", required_argument, 0, OPT_LEVEL},
      {"level", required_argument, 0, OPT_LEVEL}, /* lavaan's parameterEstimates(level =) */
      SEMCLI_LAVAAN_LONG_OPTIONS,
      CLI_COMMON_LONG_OPTIONS,
      {0, 0, 0, 0}};
  int opt;
  while ((opt = cli_getopt(c, argc, argv, options)) != -1) {
    int handled = cli_common_option(c, opt, optarg);
    if (handled < 0) return CLI_EXIT_USAGE;
    if (handled) continue;
    if (opt == CLI_OPT_HELP) {
      printf("%s%s\n%s", HELP, SEMCLI_LAVAAN_OPTIONS_HELP, CLI_COMMON_OPTIONS_HELP);
      return -1;
    }
    if ((handled = semcli_lavaan_option(c, &a->lav, opt, optarg, argc, argv, &optind)) < 0) return CLI_EXIT_USAGE;
    if (handled) continue;
    if (handle_option(c, a, opt, optarg)) return CLI_EXIT_USAGE;
  }
  if (!a->model) return cli_usage_error(c, "--model FILE is required");
  if (a->invariance && a->bootstrap) return cli_usage_error(c, "--invariance and --bootstrap are exclusive");
  if (semcli_lavaan_categorical(&a->lav) && a->from_stats)
    return cli_usage_error(c, "--ordered needs the raw data, not --from-stats");
  if (semcli_lavaan_categorical(&a->lav) && a->invariance && ordinal_level_list(a->invariance, NULL, NULL, NULL))
    return cli_usage_error(c, "--invariance with --ordered: expected levels among configural, thresholds, metric, "
                              "scalar, strict, means in that order, found '%s'", a->invariance);
  if (semcli_lavaan_check(c, &a->lav) < 0) return CLI_EXIT_USAGE;
  if (a->from_stats && (a->bootstrap || a->group || argc - optind > 0))
    return cli_usage_error(c, "--from-stats replaces DATA and --group, and works with --invariance "
                              "only (the bootstrap resamples raw rows)");
  if (a->invariance && !a->group && !a->from_stats)
    return cli_usage_error(c, "--invariance needs --group COL with at least two groups");
  if (a->invariance && a->group_equal)
    return cli_usage_error(c, "--invariance sets the equality constraints itself; drop --group-equal");
  if (argc - optind > 1) return cli_usage_error(c, "sem reads one data file, got %d", argc - optind);
  return CLI_EXIT_OK;
}

/* ---- shared set-up ----------------------------------------------------------------- */

typedef struct {
  vagap_ledger_t *ledger;
  vagap_table_t *table;
  char *text;
  char **partial;
  size_t npartial;
  vagap_sem_syntax_t *syn;
  vagap_sem_model_t *model;
  vagap_sem_fit_t *fit;
  semcli_data_t data;
  semcli_stream_t stream; /* --invariance: statistics accumulated while parsing */
  size_t gcol;
  vagap_sem_model_options_t mopt;
  vagap_sem_fit_options_t fopt;
  char **onames; /* --ordered: the ordered variables and their thresholds (mopt points to them) */
  int *onth;
} extra_state_t;

static void free_state(extra_state_t *s) {
  vagap_sem_fit_free(s->fit);
  vagap_sem_model_free(s->model);
  vagap_sem_syntax_free(s->syn);
  semcli_data_free(&s->data);
  semcli_stream_free(&s->stream);
  semcli_free_list(s->partial, s->npartial);
  semcli_free_list(s->onames, s->mopt.n_ordered);
  free(s->onth);
  free(s->text);
  vagap_table_free(s->table);
  vagap_ledger_free(s->ledger);
}

/* Statistics saved by `vagap sem --save-stats` (the data/fit seam). */
static vagap_status_t load_stats(extra_state_t *s, const char *path, vagap_error_t *err) {
  char *text = NULL;
  vagap_status_t st = semcli_read_text(path, &text, err);
  if (!st) st = vagap_sem_stats_deserialize(&s->data.stats, text, err);
  free(text);
  if (st && !err->file[0]) snprintf(err->file, sizeof err->file, "%s", path);
  return st;
}

/* Model options, syntax, data, groups, and the model with the user's equalities. */
static vagap_status_t set_up(extra_state_t *s, const extra_args_t *a, const cli_common_t *c,
                             const char *path, vagap_error_t *err) {
  vagap_sem_model_options_init(&s->mopt);
  semcli_lavaan_apply(c, &a->lav, &s->mopt);
  vagap_status_t cst = semcli_group_constraints(a->group_equal, a->group_partial, &s->mopt,
                                                 &s->partial, &s->npartial, err);
  if (cst != VAGAP_OK) return cst;
  vagap_sem_fit_options_init(&s->fopt);
  semcli_lavaan_fit_apply(&a->lav, &s->fopt);
  s->fopt.ci_level = a->level;
  s->gcol = (size_t)-1;
  vagap_status_t st = semcli_read_text(a->model, &s->text, err);
  if (!st) st = vagap_sem_syntax_parse(&s->syn, s->text, a->model, err);
  if (!st && a->from_stats) return load_stats(s, a->from_stats, err);
  if (!st && a->invariance && semcli_stream_wanted(&a->lav, &c->table, s->syn)) { /* the bootstrap resamples raw rows: the table path */
    int streamed = 0;
    st = semcli_stream_read(&s->stream, path, &c->table, a->group, s->syn, &s->mopt, a->model,
                            s->ledger, &s->data, &streamed, err);
    if (!st && streamed) {
      st = vagap_sem_model_build(&s->model, s->syn, s->data.ngroups, &s->mopt, a->model, err);
      return st ? st : semcli_stream_finish(&s->stream, s->model, &s->data, s->ledger, err);
    }
  }
  if (!st) st = vagap_table_read(&s->table, path, &c->table, s->ledger, err);
  if (!st && a->group) st = vagap_table_column(s->table, a->group, &s->gcol, err);
  int thresholds = 0;
  for (size_t i = 0; !st && i < s->syn->n; i++) thresholds |= s->syn->st[i].op == VAGAP_SEM_THRESHOLD;
  if (!st && (semcli_lavaan_categorical(&a->lav) || thresholds)) { /* the bootstrap of a categorical fit */
    s->data.missing = a->lav.missing;
    return semcli_build_ordinal(&c->table, s->table, s->gcol, s->syn, a->model, a->lav.ordered, a->lav.ordered_all,
                                a->lav.missing == VAGAP_SEM_MISSING_PAIRWISE, a->lav.levels, &s->mopt, &s->data,
                                &s->model, &s->onames, &s->onth, s->ledger, err);
  }
  if (!st) st = semcli_group_levels(s->table, s->gcol, &s->data, err);
  if (!st) st = vagap_sem_model_build(&s->model, s->syn, s->data.ngroups, &s->mopt, a->model, err);
  s->data.missing = a->lav.missing;
  if (!st) st = semcli_screen(&c->table, s->table, s->model, s->ledger, err);
  if (!st) st = semcli_load(s->table, s->gcol, s->model, &s->data, s->ledger, err);
  return st;
}

/* ---- invariance with ordered indicators --------------------------------------------------- */

/*
 * Each level's model fitted by the categorical estimator (WLSMV by default) to
 * the thresholds and polychorics of the groups, and compared with the previous
 * level by lavTestLRT's scaled difference test (vagap_sem_ordinal_lrt).
 */
static int run_invariance_ordinal(const extra_args_t *a, const cli_common_t *c, const char *path,
                                  vagap_ledger_t *ledger, vagap_error_t *err) {
  unsigned flags[VAGAP_SEM_INVARIANCE_MAX_STEPS];
  char names[VAGAP_SEM_INVARIANCE_MAX_STEPS][32];
  size_t nsteps = 0;
  ordinal_level_list(a->invariance, flags, names, &nsteps);
  vagap_table_t *table = NULL;
  vagap_sem_syntax_t *syn = NULL;
  vagap_sem_model_t *models[VAGAP_SEM_INVARIANCE_MAX_STEPS] = {0};
  vagap_sem_fit_t *fits[VAGAP_SEM_INVARIANCE_MAX_STEPS] = {0};
  semcli_data_t data = {0};
  char *text = NULL, **partial = NULL, **onames = NULL;
  int *onth = NULL;
  size_t npartial = 0, gcol = (size_t)-1;
  vagap_sem_model_options_t mopt;
  vagap_sem_model_options_init(&mopt);
  semcli_lavaan_apply(c, &a->lav, &mopt);
  vagap_sem_fit_options_t fopt;
  vagap_sem_fit_options_init(&fopt);
  semcli_lavaan_fit_apply(&a->lav, &fopt);
  int rc = CLI_EXIT_DATA;
  vagap_status_t st = semcli_group_constraints(NULL, a->group_partial, &mopt, &partial, &npartial, err);
  if (!st) st = semcli_read_text(a->model, &text, err);
  if (!st) st = vagap_sem_syntax_parse(&syn, text, a->model, err);
  if (!st) st = vagap_table_read(&table, path, &c->table, ledger, err);
  if (!st) st = vagap_table_column(table, a->group, &gcol, err);
  if (!st) st = semcli_build_ordinal(&c->table, table, gcol, syn, a->model, a->lav.ordered, a->lav.ordered_all,
                                     a->lav.missing == VAGAP_SEM_MISSING_PAIRWISE, a->lav.levels, &mopt, &data,
                                     &models[0], &onames, &onth, ledger, err);
  vagap_sem_data_t view = semcli_view(&data);
  for (size_t k = 0; !st && k < nsteps; k++) {
    mopt.group_equal = flags[k];
    if (k || flags[0]) { /* the first model was built without equalities */
      vagap_sem_model_free(models[k]);
      models[k] = NULL;
      st = vagap_sem_model_build(&models[k], syn, data.ngroups, &mopt, a->model, err);
    }
    if (!st) st = vagap_sem_fit_data(&fits[k], models[k], &view, &fopt, err);
  }
  if (st) {
    rc = err->status == VAGAP_EINVAL ? cli_usage_error((cli_common_t *)c, "%s", err->message) : cli_report_error(err);
    goto done;
  }
  static const char *const cols[] = {"model", "npar", "df", "chisq", "pvalue", "chisq.scaled", "pvalue.scaled",
                                     "cfi.scaled", "tli.scaled", "rmsea.scaled", "srmr", "chisq.diff",
                                     "df.diff", "pvalue.diff"};
  cli_writer_t *w = cli_writer_open(c, cols, sizeof cols / sizeof cols[0]);
  if (!w) goto done;
  for (size_t k = 0; k < nsteps && !st; k++) {
    const vagap_sem_measures_t *f = &fits[k]->fit;
    vagap_sem_lrt_t lrt = {0};
    lrt.chisq_diff = lrt.df_diff = lrt.pvalue = NAN;
    if (k) st = vagap_sem_ordinal_lrt(&lrt, models[k - 1], models[k], &view, &fopt, err);
    if (st) break;
    cli_put_str(w, names[k]);
    cli_put_num(w, f->npar);
    cli_put_num(w, f->df);
    cli_put_num(w, f->chisq);
    cli_put_num(w, f->pvalue);
    cli_put_num(w, f->chisq_scaled);
    cli_put_num(w, f->pvalue_scaled);
    cli_put_num(w, f->cfi_scaled);
    cli_put_num(w, f->tli_scaled);
    cli_put_num(w, f->rmsea_scaled);
    cli_put_num(w, f->srmr);
    cli_put_num(w, lrt.chisq_diff);
    cli_put_num(w, lrt.df_diff);
    cli_put_num(w, lrt.pvalue);
  }
  rc = cli_writer_close(w);
  if (st) rc = cli_report_error(err);
done:
  for (size_t k = 0; k < VAGAP_SEM_INVARIANCE_MAX_STEPS; k++) {
    vagap_sem_fit_free(fits[k]);
    vagap_sem_model_free(models[k]);
  }
  semcli_data_free(&data);
  semcli_free_list(onames, mopt.n_ordered);
  free(onth);
  semcli_free_list(partial, npartial);
  vagap_sem_syntax_free(syn);
  free(text);
  vagap_table_free(table);
  return rc;
}

/* ---- invariance ------------------------------------------------------------------------- */

static int write_invariance(const cli_common_t *c, const vagap_sem_invariance_t *inv) {
  /* the columns of cmd_sem.c's bare --invariance, plus rmsea.lrt (lavTestLRT's "RMSEA") */
  static const char *const cols[] = {"model", "npar", "df", "aic", "bic", "chisq", "pvalue", "cfi",
                                     "tli", "rmsea", "srmr", "chisq.diff", "df.diff", "pvalue.diff",
                                     "cfi.diff", "rmsea.diff", "rmsea.lrt"};
  /* with a scaled test: chisq.diff is lavTestLRT's scaled difference, and the models'
     scaled statistics and the difference's scaling factor follow */
  static const char *const scols[] = {"model", "npar", "df", "aic", "bic", "chisq", "pvalue", "cfi",
                                      "tli", "rmsea", "srmr", "chisq.diff", "df.diff", "pvalue.diff",
                                      "cfi.diff", "rmsea.diff", "rmsea.lrt", "chisq.scaled",
                                      "chisq.scaling.factor", "diff.scaling.factor"};
  size_t nc = inv->scaled ? sizeof scols / sizeof scols[0] : sizeof cols / sizeof cols[0];
  cli_writer_t *w = cli_writer_open(c, inv->scaled ? scols : cols, nc);
  if (!w) return CLI_EXIT_DATA;
  for (size_t i = 0; i < inv->n; i++) {
    const vagap_sem_invariance_row_t *r = &inv->rows[i];
    cli_put_str(w, r->step.name);
    const double v[] = {r->npar, r->df, r->aic, r->bic, r->chisq, r->pvalue, r->cfi, r->tli,
                        r->rmsea, r->srmr, r->chisq_diff, r->df_diff, r->pvalue_diff,
                        r->cfi_change, r->rmsea_change, r->rmsea_diff, r->chisq_scaled,
                        r->chisq_scaling_factor, r->diff_scaling_factor};
    for (size_t k = 0; k + 1 < nc; k++) cli_put_num(w, v[k]);
  }
  return cli_writer_close(w);
}

static int run_invariance(extra_state_t *s, const extra_args_t *a, const cli_common_t *c,
                          vagap_error_t *err) {
  vagap_sem_invariance_step_t steps[VAGAP_SEM_INVARIANCE_MAX_STEPS];
  size_t nsteps;
  if (vagap_sem_invariance_parse(a->invariance, steps, &nsteps, err))
    return cli_usage_error(c, "--invariance: %s", err->message);
  vagap_sem_invariance_t *inv = NULL;
  semcli_progress_t progress;
  semcli_progress_init(&progress, c, "invariance", "models");
  /* raw rows when there are any (robust ML needs them), else the saved or streamed statistics */
  vagap_sem_data_t rows = semcli_view(&s->data);
  vagap_status_t st =
      a->from_stats || !s->data.x ? vagap_sem_invariance_fit_progress(&inv, s->syn, s->data.stats, &s->mopt, &s->fopt, steps,
                                                        nsteps, semcli_progress, &progress, a->model, err)
                    : vagap_sem_invariance_fit_data(&inv, s->syn, &rows, &s->mopt, &s->fopt, steps, nsteps,
                                                    semcli_progress, &progress, a->model, err);
  cli_progress_finish(&progress);
  if (st) return cli_report_error(err);
  for (size_t i = 0; i < inv->n; i++)
    if (inv->rows[i].nwarnings)
      fprintf(stderr, "vagap sem: warning (model %s): %s%s\n", inv->rows[i].step.name, inv->rows[i].warning,
              inv->rows[i].nwarnings > 1 ? " (and more: fit this model alone to see them)" : "");
  int rc = write_invariance(c, inv);
  vagap_sem_invariance_free(inv);
  return rc;
}

/* ---- bootstrap ---------------------------------------------------------------------------- */

/* se, z, p and percentile CI of row r from the resamples. */
static void boot_row(const vagap_sem_boot_t *b, size_t r, double level, const vagap_sem_param_t *row,
                     double *se, double *z, double *p, double *lo, double *hi) {
  double *v = malloc((b->B ? b->B : 1) * sizeof *v);
  size_t m = 0;
  for (size_t k = 0; v && k < b->B; k++)
    if (b->ok[k] && isfinite(b->est[k * b->nrows + r])) v[m++] = b->est[k * b->nrows + r];
  *se = *z = *p = *lo = *hi = NAN;
  if (v && m >= 2 && (row->free > 0 || row->op == VAGAP_SEM_DEFINED)) {
    *se = gsl_stats_sd(v, 1, m);
    *z = *se > 0 ? row->est / *se : NAN;
    *p = isfinite(*z) ? 2 * gsl_cdf_ugaussian_Q(fabs(*z)) : NAN;
    vagap_sem_boot_percentile(v, m, 1, level, lo, hi, NULL, NULL);
  } else if (row->free == 0 && row->op != VAGAP_SEM_DEFINED) {
    /* fixed: keep what the single fit reports */
    *se = row->se;
    *z = row->z;
    *p = row->pvalue;
    *lo = row->ci_lower;
    *hi = row->ci_upper;
  }
  free(v);
}

static int write_bootstrap(const cli_common_t *c, const vagap_sem_fit_t *fit,
                           const vagap_sem_boot_t *b, double level) {
  static const char *const cols[] = {"lhs", "op", "rhs", "block", "group", "label", "est", "se", "z",
                                     "pvalue", "ci.lower", "ci.upper", "std.lv", "std.all"};
  cli_writer_t *w = cli_writer_open(c, cols, sizeof cols / sizeof cols[0]);
  if (!w) return CLI_EXIT_DATA;
  const vagap_sem_model_t *m = fit->model;
  for (size_t r = 0; r < m->nrows; r++) {
    const vagap_sem_param_t *row = &m->rows[r];
    double se, z, p, lo, hi;
    boot_row(b, r, level, row, &se, &z, &p, &lo, &hi);
    cli_put_str(w, row->lhs);
    cli_put_str(w, vagap_sem_op_string(row->op));
    cli_put_str(w, row->rhs);
    cli_put_int(w, row->block);
    cli_put_int(w, row->group);
    cli_put_str(w, row->label);
    cli_put_num(w, row->est);
    cli_put_num(w, se);
    cli_put_num(w, z);
    cli_put_num(w, p);
    cli_put_num(w, lo);
    cli_put_num(w, hi);
    cli_put_num(w, row->std_lv);
    cli_put_num(w, row->std_all);
  }
  return cli_writer_close(w);
}

static int run_bootstrap(extra_state_t *s, const extra_args_t *a, const cli_common_t *c,
                         vagap_error_t *err) {
  vagap_sem_data_t rows = semcli_view(&s->data);
  /* the full sample: its estimates, and its SEs for the verdict and lavaan's warnings;
     no fit measures are printed */
  vagap_sem_fit_options_t fopt = s->fopt;
  fopt.compute = VAGAP_SEM_COMPUTE_SE;
  if (vagap_sem_fit_data(&s->fit, s->model, &rows, &fopt, err)) {
    if (err->status == VAGAP_ENOCONV)
      fputs("vagap sem: the model did not converge on the full sample; no bootstrap\n", stderr);
    return cli_report_error(err);
  }
  semcli_report_fit_warnings("sem", "(full sample)", s->fit);
  vagap_sem_boot_options_t bopt;
  vagap_sem_boot_options_init(&bopt);
  bopt.B = (size_t)a->bootstrap;
  bopt.seed = a->seed;
  bopt.threads = (unsigned)a->threads;
  semcli_progress_t progress; /* --quiet leaves it: --no-progress silences it */
  semcli_progress_init(&progress, c, "bootstrap", "resamples");
  bopt.progress = semcli_progress;
  bopt.progress_ctx = &progress;
  vagap_sem_data_t view = semcli_view(&s->data);
  vagap_sem_boot_t *b = NULL;
  /* the resamples need only their estimates (lavaan's bootstrapLavaan(FUN = "coef") refits
     with se = "none", test = "none"); the ML family's robust variants (MLR, MLM, ...) have
     ML's estimates, so their resamples, FIML's and complete data's, are fitted as ML without
     a scaled test; categorical ones keep their estimator */
  vagap_sem_fit_options_t ropt = s->fopt;
  ropt.se = VAGAP_SEM_SE_NONE;
  ropt.compute = VAGAP_SEM_COMPUTE_ESTIMATES;
  if (!s->onames) {
    ropt.estimator = VAGAP_SEM_ESTIMATOR_ML;
    ropt.test = VAGAP_SEM_TEST_STANDARD;
  }
  if (simcli_dist_bootstrap(&b, s->model, &view, &ropt, &bopt, err)) return cli_report_error(err);
  if (!b) return CLI_EXIT_OK; /* an MPI rank other than 0: rank 0 writes */
  semcli_report_boot_failures("sem", b);
  int rc = CLI_EXIT_DATA;
  if (b->nok < 2) fputs("vagap sem: fewer than 2 bootstrap resamples could be fitted\n", stderr);
  else rc = write_bootstrap(c, s->fit, b, a->level);
  vagap_sem_boot_free(b);
  return rc;
}

int cmd_sem_extra(int argc, char **argv) {
  /* a bare --invariance becomes the full list; argv is copied, never modified */
  char *args[argc + 1];
  for (int i = 0; i < argc; i++) args[i] = bare_invariance(argc, argv, i) ? (char *)DEFAULT_LEVELS : argv[i];
  args[argc] = NULL;
  argv = args;
  cli_common_t c;
  cli_common_init(&c, "sem");
  simcli_dist_begin(); /* under mpirun the bootstrap's resamples are spread over the ranks */
  extra_args_t a = {0};
  semcli_lavaan_init(&a.lav);
  a.level = 0.95;
  a.seed = 1;
  int prc = parse_args(argc, argv, &c, &a);
  if (prc < 0) return simcli_dist_finish(CLI_EXIT_OK);
  if (prc) return simcli_dist_finish(prc);
  const char *path = optind < argc ? argv[optind] : "-";
  vagap_init();
  vagap_error_t err;
  vagap_error_clear(&err);
  extra_state_t s = {0};
  int rc = CLI_EXIT_DATA;
  if (!(s.ledger = cli_ledger_alloc(&c))) {
    fputs("vagap: out of memory\n", stderr);
    return simcli_dist_finish(rc);
  }
  if (a.invariance && semcli_lavaan_categorical(&a.lav)) {
    rc = run_invariance_ordinal(&a, &c, path, s.ledger, &err);
    if (rc == CLI_EXIT_OK) rc = cli_finish_ledger(&c, s.ledger);
    free_state(&s);
    semcli_lavaan_free(&a.lav);
    return rc;
  }
  if (semcli_lavaan_load_constraints(&a.lav, &err) || set_up(&s, &a, &c, path, &err))
    rc = cli_report_error(&err);
  else if (a.invariance && simcli_dist_rank() != 0) rc = CLI_EXIT_OK; /* rank 0 alone */
  else if (a.invariance) rc = run_invariance(&s, &a, &c, &err);
  else rc = run_bootstrap(&s, &a, &c, &err);
  if (rc == CLI_EXIT_OK && simcli_dist_rank() == 0) rc = cli_finish_ledger(&c, s.ledger);
  free_state(&s);
  semcli_lavaan_free(&a.lav);
  return simcli_dist_finish(rc);
}
