/*
 * cmd_align.c - `vagap align`: ValueActionLens stated-versus-enacted
 * alignment (Shen, Clark & Mitra 2025) from a long log with one row per
 * (model, scenario, value, prompt variant).  The measures are defined in
 * include/vagap/align.h.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "vagap/align.h"

#define MAX_SCENARIO_COLS VAGAP_ALIGN_MAX_COLUMNS
#define MAX_BY VAGAP_ALIGN_MAX_COLUMNS
/* Joins the scenario columns of a row into one key; never in CSV text fields that users type. */

enum {
  OPT_MODEL = 1,
  OPT_SCENARIO,
  OPT_VALUE,
  OPT_PROMPT,
  OPT_STATED,
  OPT_ACTION,
  OPT_AGREE,
  OPT_DISAGREE,
  OPT_POSITIVE,
  OPT_ZERO_DIVISION,
  OPT_BY,
  OPT_SCENARIOS,
  OPT_PROCEDURE
};

static const char HELP[] =
    "Usage: vagap align [OPTIONS] [FILE...]\n"
    "ValueActionLens alignment between stated values and actions (Shen, Clark &\n"
    "Mitra 2025).  Input: one row per model, scenario, value and prompt variant\n"
    "with a stated answer on a Likert scale 1 (strongly agree) .. 4 (strongly\n"
    "disagree) and the polarity of the chosen action.\n"
    "\n"
    "Columns:\n"
    "  --unit COL            unit column (default model; alias --model); the\n"
    "                        output's first column is named after it\n"
    "  --scenario COLS       scenario column(s), comma-separated, e.g. country,topic\n"
    "                        (default scenario)\n"
    "  --value COL           value column (default value)\n"
    "  --prompt COL          prompt-variant column (default prompt)\n"
    "  --stated COL          stated Likert answer 1-4 (default stated)\n"
    "  --action COL          action polarity (default action)\n"
    "  --agree LIST          action codes meaning agree (default agree,positive)\n"
    "  --disagree LIST       action codes meaning disagree/negative polarity\n"
    "                        (default disagree,negative)\n"
    "Procedure:\n"
    "  --procedure P         vagap (default; the measures below) or shen2025 (the\n"
    "                        authors' notebook computation on their released files;\n"
    "                        see vagap align --procedure shen2025 --help)\n"
    "Measures:\n"
    "  --positive-class C    agree (default) or disagree.  vagap's default; the\n"
    "                        authors' notebooks use scikit-learn's pos_label=1, which\n"
    "                        in their coding is disagree (--procedure shen2025)\n"
    "  --zero-division Z     F1 of a scenario in which neither vector has the positive\n"
    "                        class, as scikit-learn's f1_score(zero_division=Z):\n"
    "                        0 (default), 1, or nan (scenario left out of the mean)\n"
    "  --by COL              alignment distance and its ranking per level of COL (a\n"
    "                        scenario column or the value column); repeatable\n"
    "  --scenarios           also print the F1 of every scenario\n"
    "\n"
    "Output (one row per model and term): model,term,by,level,estimate,n,rank,method\n"
    "  f1                mean over scenarios of the F1 of binarised action vs stated\n"
    "                    (n = scenarios averaged)\n"
    "  f1_undefined      scenarios whose F1 needed the zero-division rule\n"
    "  f1_scenario       per scenario with --scenarios (n = values)\n"
    "  distance          mean |v - a| over cells; per level with --by, with rank\n"
    "                    (1 = most aligned, ties averaged)\n"
    "  n_AA n_AD n_DA n_DD  cells by majority vote (stated, action), ties to disagree\n"
    "                    (n = cells with both votes)\n"
    "  prompt_agreement  share of prompts whose stated polarity equals the action\n"
    "  prompt_consistency_stated, prompt_consistency_action  mean over cells of the\n"
    "                    share of prompt variants agreeing with the majority vote\n"
    "Rows missing model, scenario, value or prompt, rows without any answer, stated\n"
    "answers outside 1-4 and unknown action codes are excluded and counted.\n"
    "\n";

/* The options are the library's (vagap_align_log_options_t, its defaults). */
typedef vagap_align_log_options_t align_args_t;

/* ---- options ------------------------------------------------------------ */

static int split_columns(const cli_common_t *c, char *list, const char **out, size_t max,
                         size_t *n, const char *option) {
  *n = 0;
  for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
    if (*n == max) return cli_usage_error(c, "%s takes at most %zu columns", option, max), -1;
    out[(*n)++] = tok;
  }
  if (*n == 0) return cli_usage_error(c, "%s needs at least one column name", option), -1;
  return 0;
}

static int parse_args(int argc, char **argv, cli_common_t *c, align_args_t *a, int *first) {
  static const struct option longopts[] = {
      {"unit", required_argument, 0, OPT_MODEL},
      {"model", required_argument, 0, OPT_MODEL}, /* the older spelling */
      {"scenario", required_argument, 0, OPT_SCENARIO},
      {"value", required_argument, 0, OPT_VALUE},
      {"prompt", required_argument, 0, OPT_PROMPT},
      {"stated", required_argument, 0, OPT_STATED},
      {"action", required_argument, 0, OPT_ACTION},
      {"agree", required_argument, 0, OPT_AGREE},
      {"disagree", required_argument, 0, OPT_DISAGREE},
      {"positive-class", required_argument, 0, OPT_POSITIVE},
      {"zero-division", required_argument, 0, OPT_ZERO_DIVISION},
      {"by", required_argument, 0, OPT_BY},
      {"scenarios", no_argument, 0, OPT_SCENARIOS},
      {"procedure", required_argument, 0, OPT_PROCEDURE},
      CLI_COMMON_LONG_OPTIONS,
      {0, 0, 0, 0}};
  vagap_align_log_options_init(a);
  optind = 1;
  int opt;
  while ((opt = cli_getopt(c, argc, argv, longopts)) != -1) {
    int handled = cli_common_option(c, opt, optarg);
    if (handled < 0) return CLI_EXIT_USAGE;
    if (handled) continue;
    switch (opt) {
    case OPT_MODEL: a->model = optarg; break;
    case OPT_SCENARIO:
      if (split_columns(c, optarg, a->scenario, MAX_SCENARIO_COLS, &a->nscenario, "--scenario"))
        return CLI_EXIT_USAGE;
      break;
    case OPT_VALUE: a->value = optarg; break;
    case OPT_PROMPT: a->prompt = optarg; break;
    case OPT_STATED: a->stated = optarg; break;
    case OPT_ACTION: a->action = optarg; break;
    case OPT_AGREE: a->agree = optarg; break;
    case OPT_DISAGREE: a->disagree = optarg; break;
    case OPT_POSITIVE:
      if (strcmp(optarg, "agree") == 0) a->measures.positive = VAGAP_ALIGN_AGREE;
      else if (strcmp(optarg, "disagree") == 0) a->measures.positive = VAGAP_ALIGN_DISAGREE;
      else return cli_usage_error(c, "--positive-class must be agree or disagree, not '%s'", optarg);
      break;
    case OPT_ZERO_DIVISION:
      if (strcmp(optarg, "0") == 0) a->measures.zero_division = VAGAP_ALIGN_ZERO_DIVISION_0;
      else if (strcmp(optarg, "1") == 0) a->measures.zero_division = VAGAP_ALIGN_ZERO_DIVISION_1;
      else if (strcmp(optarg, "nan") == 0 || strcmp(optarg, "NaN") == 0)
        a->measures.zero_division = VAGAP_ALIGN_ZERO_DIVISION_NAN;
      else return cli_usage_error(c, "--zero-division must be 0, 1 or nan, not '%s'", optarg);
      break;
    case OPT_BY:
      if (a->nby == MAX_BY) return cli_usage_error(c, "at most %d --by options", MAX_BY);
      a->by[a->nby++] = optarg;
      break;
    case OPT_SCENARIOS: a->per_scenario = 1; break;
    case OPT_PROCEDURE:
      if (strcmp(optarg, "vagap") != 0)
        return cli_usage_error(c, "--procedure must be vagap or shen2025, not '%s'", optarg);
      break;
    case CLI_OPT_HELP:
      fputs(HELP, stdout);
      fputs(CLI_COMMON_OPTIONS_HELP, stdout);
      return -1;
    default: return cli_usage_error(c, "unknown option");
    }
  }
  /* --by must name a column whose level is constant within a cell */
  for (size_t k = 0; k < a->nby; k++) {
    int ok = strcmp(a->by[k], a->value) == 0;
    for (size_t j = 0; j < a->nscenario; j++) ok |= strcmp(a->by[k], a->scenario[j]) == 0;
    if (!ok)
      return cli_usage_error(c, "--by %s: must be one of the --scenario columns or the --value column",
                             a->by[k]);
  }
  *first = optind;
  return CLI_EXIT_OK;
}

/* ---- output ----------------------------------------------------------------- */

static const char *const COLUMNS[] = {"model", "term", "by", "level", "estimate",
                                      "n", "rank", "method"};

/* The library's rows: model (named after --unit), term, by, level, estimate, n, rank, method. */
static int write_rows(const cli_common_t *c, const align_args_t *a, const vagap_tidy_t *t) {
  cli_writer_t *w = cli_writer_open_unit(c, a->model, COLUMNS, sizeof COLUMNS / sizeof COLUMNS[0]);
  if (!w) return CLI_EXIT_DATA;
  for (size_t k = 0; k < t->n; k++) {
    const vagap_tidy_row_t *r = &t->rows[k];
    cli_put_str(w, r->group);
    cli_put_str(w, r->term);
    cli_put_str(w, r->by);
    cli_put_str(w, r->level);
    cli_put_num(w, r->estimate);
    cli_put_int(w, (long long)r->n);
    cli_put_num(w, r->rank);
    cli_put_str(w, r->method);
  }
  return cli_writer_close(w);
}

/*
 * The library locates bad observations by line only; with a single input file
 * the file name is known too.  (With several files the message has no file.)
 */
static int analyse_and_write(const cli_common_t *c, const align_args_t *a,
                             const vagap_align_log_t *log, const char *only_file) {
  vagap_error_t err;
  vagap_error_clear(&err);
  vagap_tidy_t rows;
  if (vagap_align_log_rows(log, &rows, &err) != VAGAP_OK) {
    if (only_file && err.line > 0 && !err.file[0])
      snprintf(err.file, sizeof err.file, "%s", only_file);
    return cli_report_error(&err);
  }
  int rc = write_rows(c, a, &rows);
  vagap_tidy_free(&rows);
  return rc;
}

static vagap_status_t read_file(const char *path, const cli_common_t *c, vagap_align_log_t *log,
                                vagap_ledger_t *ledger, vagap_error_t *err) {
  vagap_table_t *t = NULL;
  vagap_status_t st = vagap_table_read(&t, path, &c->table, ledger, err);
  if (st == VAGAP_OK) st = vagap_align_log_add(log, t, ledger, err);
  vagap_table_free(t);
  return st;
}

/* --procedure shen2025 anywhere on the command line selects the authors' computation. */
static int wants_shen2025(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) break;
    if (strcmp(argv[i], "--procedure=shen2025") == 0) return 1;
    if (strcmp(argv[i], "--procedure") == 0 && i + 1 < argc && strcmp(argv[i + 1], "shen2025") == 0)
      return 1;
  }
  return 0;
}

int cmd_align(int argc, char **argv) {
  if (wants_shen2025(argc, argv)) return cmd_align_shen2025(argc, argv);
  cli_common_t c;
  cli_common_init(&c, "align");
  align_args_t a;
  int first = 0;
  int rc = parse_args(argc, argv, &c, &a, &first);
  if (rc < 0) return CLI_EXIT_OK; /* --help */
  if (rc != CLI_EXIT_OK) return rc;

  vagap_align_log_t *log = NULL;
  vagap_ledger_t *ledger = cli_ledger_alloc(&c);
  vagap_error_t err;
  vagap_error_clear(&err);
  if (!ledger || vagap_align_log_alloc(&log, &a, &err) != VAGAP_OK) {
    vagap_ledger_free(ledger);
    vagap_error_set(&err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    return cli_report_error(&err);
  }
  cli_inputs_t in = cli_inputs(argc, argv, first);
  for (size_t f = 0; f < in.n && rc == CLI_EXIT_OK; f++)
    if (read_file(in.paths[f], &c, log, ledger, &err) != VAGAP_OK) rc = cli_report_error(&err);
  if (rc == CLI_EXIT_OK && vagap_align_log_nobs(log) == 0) cli_warn(&c, "no usable rows");
  if (rc == CLI_EXIT_OK) rc = analyse_and_write(&c, &a, log, in.n == 1 ? in.paths[0] : NULL);
  if (rc == CLI_EXIT_OK) rc = cli_finish_ledger(&c, ledger);
  vagap_align_log_free(log);
  vagap_ledger_free(ledger);
  return rc;
}
