/*
 * vagap score: questionnaire scoring from a key file (item,scale,reverse).
 *
 * Responses come long (unit,run,item,response: one answer per row) or wide
 * (one row per respondent/run with a column per key item; chosen when the
 * file has no item column but has every key item as a column).  Scores per
 * run (--level run), per unit as the mean over runs (--level unit, the
 * default), or Cronbach's alpha per scale (--level alpha).  Method:
 * METHODS.md section 3; library: include/vagap/scale.h.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gsl/gsl_statistics_double.h>

#include "score_out.h"
#include "stats_cli.h"
#include "vagap/study.h"

static const char HELP[] =
    "Usage: vagap score --key KEY --min MIN --max MAX [OPTIONS] [FILE]\n"
    "Score questionnaire responses with a key file of columns item,scale,reverse\n"
    "(reverse: 1/0, true/false, yes/no, reverse/forward; empty = not reversed).  A reversed answer x counts as MIN + MAX - x;\n"
    "a run's scale score is the mean of its answered items, a unit's score the mean\n"
    "over its runs; POMP = (score - MIN)/(MAX - MIN) as a proportion in [0, 1].\n"
    "In long input a second answer to the same item in the same unit and run is\n"
    "excluded (the first in the file is kept), like every unusable row, with its\n"
    "reason; `vagap report` reads the questionnaire by the same rules.\n\n"
    "Options:\n"
    "      --key FILE         the key (required)\n"
    "      --min X, --max Y   the response range (required); answers outside it are\n"
    "                         excluded and counted\n"
    "      --min-items K      answered items a run needs for a scale score (default:\n"
    "                         all items of the scale)\n"
    "      --level L          unit (default): model,scale,score,pomp,sd,n,n_excluded\n"
    "                         run: model,run,scale,score,pomp,n_items,k\n"
    "                         alpha: scale,alpha,alpha_std,mean_r,omega,k,n,n_excluded\n"
    "                         (over runs with every item of the scale answered; omega\n"
    "                         from a one-factor ML fit, std.lv, for 3 or more items)\n"
    "      --wide             unit level as one row per unit: model,<scale>,\n"
    "                         <scale>.pomp, <scale>.sd, <scale>.n, <scale>.n_excluded\n"
    "      --unit COL         unit column (default model)\n"
    "      --run COL          run column (default run; when absent, one run per unit\n"
    "                         in long format and one run per row in wide format)\n"
    "      --item COL         item column of long input (default item)\n"
    "      --response COL     answer column of long input (default response)\n";

enum {
  OPT_KEY = 1, OPT_MIN, OPT_MAX, OPT_MIN_ITEMS, OPT_LEVEL, OPT_UNIT, OPT_RUN, OPT_ITEM, OPT_RESPONSE,
  OPT_WIDE
};

typedef enum { LEVEL_UNIT, LEVEL_RUN, LEVEL_ALPHA } level_t;

typedef struct {
  const char *key_path, *unit, *run, *item, *response;
  int have_min, have_max, unit_given, run_given, item_given, wide;
  double min, max;
  long min_items;
  level_t level;
} score_args_t;

typedef vagap_study_key_t score_key_t;
typedef vagap_study_runs_t runs_t;

/* ---- options ------------------------------------------------------------------------- */

static int parse_args(int argc, char **argv, cli_common_t *c, score_args_t *a) {
  static const struct option options[] = {
      {"key", required_argument, 0, OPT_KEY},
      {"min", required_argument, 0, OPT_MIN},
      {"max", required_argument, 0, OPT_MAX},
      {"min-items", required_argument, 0, OPT_MIN_ITEMS},
      {"level", required_argument, 0, OPT_LEVEL},
      {"unit", required_argument, 0, OPT_UNIT},
      {"run", required_argument, 0, OPT_RUN},
      {"item", required_argument, 0, OPT_ITEM},
      {"response", required_argument, 0, OPT_RESPONSE},
      {"wide", no_argument, 0, OPT_WIDE},
      CLI_COMMON_LONG_OPTIONS,
      {0, 0, 0, 0}};
  int opt;
  while ((opt = cli_getopt(c, argc, argv, options)) != -1) {
    int handled = cli_common_option(c, opt, optarg);
    if (handled < 0) return -1;
    if (handled) continue;
    switch (opt) {
    case OPT_KEY: a->key_path = optarg; break;
    case OPT_MIN:
      if (cli_parse_double(c, "min", optarg, &a->min)) return -1;
      a->have_min = 1;
      break;
    case OPT_MAX:
      if (cli_parse_double(c, "max", optarg, &a->max)) return -1;
      a->have_max = 1;
      break;
    case OPT_MIN_ITEMS:
      if (cli_parse_long(c, "min-items", optarg, &a->min_items)) return -1;
      if (a->min_items < 1) return cli_usage_error(c, "--min-items: expected 1 or more"), -1;
      break;
    case OPT_LEVEL:
      if (!strcmp(optarg, "unit")) a->level = LEVEL_UNIT;
      else if (!strcmp(optarg, "run")) a->level = LEVEL_RUN;
      else if (!strcmp(optarg, "alpha")) a->level = LEVEL_ALPHA;
      else return cli_usage_error(c, "--level: expected unit, run or alpha, found '%s'", optarg), -1;
      break;
    case OPT_UNIT: a->unit = optarg; a->unit_given = 1; break;
    case OPT_RUN: a->run = optarg; a->run_given = 1; break;
    case OPT_ITEM: a->item = optarg; a->item_given = 1; break;
    case OPT_RESPONSE: a->response = optarg; break;
    case OPT_WIDE: a->wide = 1; break;
    case CLI_OPT_HELP: printf("%s\n%s", HELP, CLI_COMMON_OPTIONS_HELP); return 1;
    default: cli_usage_error(c, "unknown option or missing argument"); return -1;
    }
  }
  if (!a->key_path) return cli_usage_error(c, "--key FILE is required"), -1;
  if (!a->have_min || !a->have_max) return cli_usage_error(c, "--min and --max are required"), -1;
  if (!(a->min < a->max)) return cli_usage_error(c, "--min must be below --max"), -1;
  if (a->wide && a->level != LEVEL_UNIT) return cli_usage_error(c, "--wide applies to --level unit"), -1;
  return 0;
}

/* ---- output ------------------------------------------------------------------------------------ */

static int write_runs(const cli_common_t *c, const char *unit_col, const score_key_t *k,
                      const vagap_scale_key_t *sk, const vagap_study_score_t *sc) {
  const runs_t *r = &sc->runs;
  const double *scores = sc->scores.run_score;
  const size_t *answered = sc->scores.answered;
  const char *cols[] = {unit_col, "run", "scale", "score", "pomp", "n_items", "k"};
  cli_writer_t *w = cli_writer_open(c, cols, 7);
  if (!w) return CLI_EXIT_DATA;
  for (size_t i = 0; i < r->nruns; i++)
    for (size_t s = 0; s < k->nscales; s++) {
      double v = scores[i * k->nscales + s];
      cli_put_str(w, r->run_unit[i]);
      cli_put_str(w, r->run_name[i]);
      cli_put_str(w, k->scale[s]);
      cli_put_num(w, v);
      cli_put_num(w, vagap_scale_pomp(sk, v));
      cli_put_int(w, (long long)answered[i * k->nscales + s]);
      cli_put_int(w, (long long)vagap_scale_nitems(sk, s));
    }
  return cli_writer_close(w);
}

/* The unit and alpha tables are score_out.c's, shared with `vagap report`. */
static cli_writer_t *open_for_command(void *c, const char *const *cols, size_t ncols) {
  return cli_writer_open(c, cols, ncols);
}

/* Say how many runs got no score under the --min-items rule. */
static void report_unscored(const cli_common_t *c, const score_key_t *k, const vagap_scale_key_t *sk,
                            const runs_t *r, const double *scores) {
  if (c->quiet) return;
  for (size_t s = 0; s < k->nscales; s++) {
    size_t none = 0;
    for (size_t i = 0; i < r->nruns; i++) none += isnan(scores[i * k->nscales + s]);
    if (none)
      fprintf(stderr, "vagap score: scale %s: %zu of %zu runs have no score (fewer than %zu of %zu items answered)\n",
              k->scale[s], none, r->nruns, sk->min_items ? sk->min_items : vagap_scale_nitems(sk, s),
              vagap_scale_nitems(sk, s));
  }
}

int cmd_score(int argc, char **argv) {
  cli_common_t c;
  cli_common_init(&c, "score");
  score_args_t a;
  memset(&a, 0, sizeof a);
  a.unit = "model", a.run = "run", a.item = "item", a.response = "response";
  int prc = parse_args(argc, argv, &c, &a);
  if (prc) return prc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  if (argc - optind > 1) return cli_usage_error(&c, "score reads one file, got %d", argc - optind);
  const char *path = optind < argc ? argv[optind] : "-";

  int rc = CLI_EXIT_DATA;
  vagap_error_t err;
  score_key_t k;
  memset(&k, 0, sizeof k);
  vagap_study_score_t sc;
  memset(&sc, 0, sizeof sc);
  vagap_table_t *t = NULL;
  vagap_ledger_t *ledger = cli_ledger_alloc(&c);
  if (!ledger) goto done;
  if (vagap_study_key_read(a.key_path, &c.table, "item", "scale", "reverse", ledger, &k, &err)) {
    cli_report_error(&err);
    goto done;
  }
  vagap_scale_key_t sk = {k.nitems, k.nscales, k.item_scale, k.item_reverse, a.min, a.max,
                          (size_t)a.min_items};
  if (vagap_scale_key_check(&sk, &err) != VAGAP_OK) {
    /* only --min-items can make a parsed key invalid */
    rc = cli_usage_error(&c, "--min-items %ld: %s", a.min_items, err.message);
    goto done;
  }
  if (vagap_table_read(&t, path, &c.table, ledger, &err) != VAGAP_OK) {
    rc = cli_report_error(&err);
    goto done;
  }
  size_t ci;
  int is_long = a.item_given || vagap_table_column(t, a.item, &ci, NULL) == VAGAP_OK;
  vagap_study_long_columns_t cols = {a.unit, a.run, a.item, a.response, a.run_given, a.unit_given};
  if (vagap_study_score(&cols, is_long, &k, &sk, t, ledger, &sc, &err)) {
    cli_report_error(&err);
    goto done;
  }
  const char *unit_col = is_long || vagap_table_column(t, a.unit, &ci, NULL) == VAGAP_OK ? a.unit : "unit";
  switch (a.level) {
  case LEVEL_RUN: rc = write_runs(&c, unit_col, &k, &sk, &sc); break;
  case LEVEL_UNIT:
    rc = score_write_units(open_for_command, &c, unit_col, &k, &sk, &sc.runs, &sc.scores, a.wide);
    break;
  case LEVEL_ALPHA: rc = score_write_alpha(&c, open_for_command, &c, &k, &sk, &sc.runs); break;
  }
  report_unscored(&c, &k, &sk, &sc.runs, sc.scores.run_score);
  if (rc == CLI_EXIT_OK) rc = cli_finish_ledger(&c, ledger);
done:
  vagap_study_score_free(&sc);
  vagap_study_key_free(&k);
  vagap_table_free(t);
  vagap_ledger_free(ledger);
  return rc;
}
