/*
 * cmd_consistency.c - `vagap consistency`: ValAct-style consistency (Huang et
 * al. 2026) in three modes: the cross-unit correlation matrix of decision
 * vectors, stated-versus-enacted correlation per unit, and the role-play drop
 * with a paired t-test.  The statistics are in include/vagap/consistency.h.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "broom.h"
#include "stats_cli.h"
#include "vagap/consistency.h"

typedef enum { MODE_MATRIX, MODE_STATED_ENACTED, MODE_ROLEPLAY } cons_mode_t;

enum {
  OPT_MODE = 1,
  OPT_UNIT,
  OPT_SCENARIO,
  OPT_CHOICE,
  OPT_SCORE_COL,
  OPT_METHOD,
  OPT_VALUE,
  OPT_ENACTED,
  OPT_PROFILE,
  OPT_CENTRE,
  OPT_CONDITION,
  OPT_CORRECT,
  OPT_A,
  OPT_B,
  OPT_CONF
};

static const char HELP[] =
    "Usage: vagap consistency [--mode MODE] [OPTIONS] [FILE]\n"
    "ValAct-style consistency between units and between stated and enacted values.\n"
    "\n"
    "--mode matrix (default): correlation between every pair of units' decision\n"
    "  vectors.  FILE has one row per decision: --unit (model), --scenario\n"
    "  (scenario) and --choice (choice); a unit's vector holds, for every scenario\n"
    "  and option, the share of its choices of that option in that scenario (NA\n"
    "  where the unit has no decision in the scenario).  With --score COL instead,\n"
    "  the vector is the mean of the numeric COL per scenario.\n"
    "  --method pearson|spearman|both (default pearson; stated-enacted takes one).\n"
    "  Rows: term r (level = other unit; the diagonal included), mean_r per unit\n"
    "  (mean of its off-diagonal r, n = units averaged), mean_r_all (unit NA, mean\n"
    "  over pairs).  Pearson rows have R cor.test's Fisher-z CI and t p-value.\n"
    "\n"
    "--mode stated-enacted: FILE has --unit, --value (value) and --enacted (enacted,\n"
    "  numeric, e.g. 0/1 per opportunity); the enacted share is its mean per unit\n"
    "  and value.  --profile PFILE has --unit, --value and --score (score), one row\n"
    "  per unit and value (e.g. PVQ value means from vagap score).  --centre centres\n"
    "  each unit's profile on its own mean (this leaves per-unit r unchanged and\n"
    "  matters for the per-value rows).  Rows: r per unit, r_value per value across\n"
    "  units (unit NA), mean_r (unit NA): one-sample t-test of the per-unit r with\n"
    "  its t interval (R t.test).\n"
    "\n"
    "--mode roleplay: FILE has --unit, --condition (condition) and --correct\n"
    "  (correct, numeric 0/1 or accuracy); --a LEVEL (select) and --b LEVEL (hold)\n"
    "  name the two conditions.  Rows per unit: accuracy_a, accuracy_b, drop =\n"
    "  accuracy_a - accuracy_b; then drop for unit NA: paired t-test across units\n"
    "  (R t.test(a, b, paired = TRUE)).\n"
    "\n"
    "  --conf-level P        confidence level (default 0.95)\n"
    "\n"
    "Output: UNIT,term,level,estimate,std.error,statistic,df,p.value,conf.low,\n"
    "conf.high,n,method, where UNIT is the --unit name (default model)\n\n";

typedef struct {
  cons_mode_t mode;
  const char *profile;           /* --profile FILE (stated-enacted) */
  vagap_consistency_options_t o; /* columns and settings, the library's defaults */
} cons_args_t;

static const char *const COLUMNS[] = {"unit", "term", "level", "estimate", "std.error",
                                      "statistic", "df", "p.value", "conf.low", "conf.high",
                                      "n", "method"};
enum { NCOLUMNS = sizeof COLUMNS / sizeof COLUMNS[0] };

/* ---- options ------------------------------------------------------------- */

static int parse_args(int argc, char **argv, cli_common_t *c, cons_args_t *a, int *first) {
  static const struct option longopts[] = {
      {"mode", required_argument, 0, OPT_MODE},
      {"unit", required_argument, 0, OPT_UNIT},
      {"scenario", required_argument, 0, OPT_SCENARIO},
      {"choice", required_argument, 0, OPT_CHOICE},
      {"score", required_argument, 0, OPT_SCORE_COL},
      {"method", required_argument, 0, OPT_METHOD},
      {"value", required_argument, 0, OPT_VALUE},
      {"enacted", required_argument, 0, OPT_ENACTED},
      {"profile", required_argument, 0, OPT_PROFILE},
      {"centre", no_argument, 0, OPT_CENTRE},
      {"center", no_argument, 0, OPT_CENTRE},
      {"condition", required_argument, 0, OPT_CONDITION},
      {"correct", required_argument, 0, OPT_CORRECT},
      {"a", required_argument, 0, OPT_A},
      {"b", required_argument, 0, OPT_B},
      {"conf-level", required_argument, 0, OPT_CONF},
      CLI_COMMON_LONG_OPTIONS,
      {0, 0, 0, 0}};
  memset(a, 0, sizeof *a);
  a->mode = MODE_MATRIX;
  vagap_consistency_options_init(&a->o);
  int opt;
  while ((opt = cli_getopt(c, argc, argv, longopts)) != -1) {
    int handled = cli_common_option(c, opt, optarg);
    if (handled < 0) return CLI_EXIT_USAGE;
    if (handled) continue;
    switch (opt) {
    case OPT_MODE:
      if (strcmp(optarg, "matrix") == 0) a->mode = MODE_MATRIX;
      else if (strcmp(optarg, "stated-enacted") == 0) a->mode = MODE_STATED_ENACTED;
      else if (strcmp(optarg, "roleplay") == 0) a->mode = MODE_ROLEPLAY;
      else return cli_usage_error(c, "--mode must be matrix, stated-enacted or roleplay, not '%s'", optarg);
      break;
    case OPT_UNIT: a->o.unit = optarg; break;
    case OPT_SCENARIO: a->o.scenario = optarg; break;
    case OPT_CHOICE: a->o.choice = optarg; break;
    case OPT_SCORE_COL: a->o.score = optarg; break;
    case OPT_METHOD:
      a->o.method_pearson = strcmp(optarg, "pearson") == 0 || strcmp(optarg, "both") == 0;
      a->o.method_spearman = strcmp(optarg, "spearman") == 0 || strcmp(optarg, "both") == 0;
      if (!a->o.method_pearson && !a->o.method_spearman)
        return cli_usage_error(c, "--method must be pearson, spearman or both, not '%s'", optarg);
      break;
    case OPT_VALUE: a->o.value = optarg; break;
    case OPT_ENACTED: a->o.enacted = optarg; break;
    case OPT_PROFILE: a->profile = optarg; break;
    case OPT_CENTRE: a->o.centre = 1; break;
    case OPT_CONDITION: a->o.condition = optarg; break;
    case OPT_CORRECT: a->o.correct = optarg; break;
    case OPT_A: a->o.a = optarg; break;
    case OPT_B: a->o.b = optarg; break;
    case OPT_CONF:
      if (cli_parse_double(c, "--conf-level", optarg, &a->o.conf_level) < 0) return CLI_EXIT_USAGE;
      if (!(a->o.conf_level > 0 && a->o.conf_level < 1))
        return cli_usage_error(c, "--conf-level must be between 0 and 1, not '%s'", optarg);
      break;
    case CLI_OPT_HELP:
      fputs(HELP, stdout);
      fputs(CLI_COMMON_OPTIONS_HELP, stdout);
      return -1;
    default: return cli_usage_error(c, "unknown option or missing argument");
    }
  }
  if (a->mode == MODE_STATED_ENACTED && !a->profile)
    return cli_usage_error(c, "--mode stated-enacted needs --profile FILE");
  if (a->mode == MODE_STATED_ENACTED && a->o.method_pearson && a->o.method_spearman)
    return cli_usage_error(c, "--method both is for --mode matrix; run stated-enacted once per method");
  if (a->mode == MODE_ROLEPLAY && strcmp(a->o.a, a->o.b) == 0)
    return cli_usage_error(c, "--a and --b must name different conditions");
  if (argc - optind > 1) return cli_usage_error(c, "consistency reads one file, got %d", argc - optind);
  a->o.profile_score = a->o.score ? a->o.score : "score";
  *first = optind;
  return CLI_EXIT_OK;
}

/* ---- the table ---------------------------------------------------------------------- */

/* The notes as warnings, then the rows: unit, term, level and the broom numbers. */
static int write_table(const cli_common_t *c, const cons_args_t *a, const vagap_tidy_t *t) {
  for (size_t k = 0; k < t->nnotes; k++) cli_warn(c, "%s", t->notes[k]);
  cli_writer_t *w = cli_writer_open_unit(c, a->o.unit, COLUMNS, NCOLUMNS);
  if (!w) return CLI_EXIT_DATA;
  for (size_t k = 0; k < t->n; k++) {
    const vagap_tidy_row_t *r = &t->rows[k];
    cli_put_str(w, r->group);
    cli_put_str(w, r->term);
    cli_put_str(w, r->level);
    broom_put_numbers(w, stats_put_num,
                      &(broom_row_t){r->group, r->term, r->estimate, r->std_error, r->statistic,
                                     r->df, r->p_value, r->conf_low, r->conf_high, r->n,
                                     r->method});
  }
  return cli_writer_close(w);
}

/* The profile of --mode stated-enacted, screened like the log (--bad-rows). */
static vagap_status_t read_profile(const cli_common_t *c, const cons_args_t *a,
                                   vagap_ledger_t *ledger, vagap_table_t **pt, vagap_error_t *err) {
  vagap_status_t st = vagap_table_read(pt, a->profile, &c->table, ledger, err);
  const char *numeric[1] = {a->o.profile_score};
  if (st == VAGAP_OK && cli_screen_named(&c->table, *pt, ledger, numeric, 1))
    st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  return st;
}

static int run(const cli_common_t *c, const cons_args_t *a, const vagap_table_t *t,
               vagap_ledger_t *ledger) {
  vagap_error_t err;
  vagap_error_clear(&err);
  vagap_tidy_t rows;
  vagap_tidy_init(&rows);
  vagap_table_t *pt = NULL;
  vagap_status_t st = VAGAP_OK;
  switch (a->mode) {
  case MODE_MATRIX: st = vagap_consistency_matrix_rows(t, &a->o, ledger, &rows, &err); break;
  case MODE_STATED_ENACTED:
    st = read_profile(c, a, ledger, &pt, &err);
    if (st == VAGAP_OK) st = vagap_consistency_stated_enacted_rows(t, pt, &a->o, ledger, &rows, &err);
    break;
  case MODE_ROLEPLAY: st = vagap_consistency_roleplay_rows(t, &a->o, ledger, &rows, &err); break;
  }
  int rc = st ? cli_report_error(&err) : write_table(c, a, &rows);
  vagap_tidy_free(&rows);
  vagap_table_free(pt);
  return rc;
}

int cmd_consistency(int argc, char **argv) {
  cli_common_t c;
  cli_common_init(&c, "consistency");
  cons_args_t a;
  int first = 0;
  int rc = parse_args(argc, argv, &c, &a, &first);
  if (rc < 0) return CLI_EXIT_OK; /* --help */
  if (rc != CLI_EXIT_OK) return rc;
  const char *path = first < argc ? argv[first] : "-";
  vagap_error_t err;
  vagap_error_clear(&err);
  vagap_ledger_t *ledger = cli_ledger_alloc(&c);
  vagap_table_t *t = NULL;
  if (!ledger) {
    vagap_error_set(&err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    return cli_report_error(&err);
  }
  /* --bad-rows exclude: rows whose number column (each mode's one) holds text */
  const char *numeric[3] = {a.mode == MODE_MATRIX ? a.o.score : NULL,
                            a.mode == MODE_STATED_ENACTED ? a.o.enacted : NULL,
                            a.mode == MODE_ROLEPLAY ? a.o.correct : NULL};
  if (vagap_table_read(&t, path, &c.table, ledger, &err) != VAGAP_OK) {
    rc = cli_report_error(&err);
  } else if (cli_screen_named(&c.table, t, ledger, numeric, 3)) {
    rc = CLI_EXIT_DATA;
  } else {
    rc = run(&c, &a, t, ledger);
  }
  if (rc == CLI_EXIT_OK) rc = cli_finish_ledger(&c, ledger);
  vagap_table_free(t);
  vagap_ledger_free(ledger);
  return rc;
}
