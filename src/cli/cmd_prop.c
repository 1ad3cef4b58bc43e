/*
 * vagap prop: the share of a category per unit (e.g. the prosocial choice
 * rate per model) with the Wilson score interval and the exact binomial
 * test against --p0.  Codes that are neither the counted nor the
 * contrasting category leave the denominator and are excluded, with the
 * code named in the reason (METHODS.md section 3).
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "prop_out.h"
#include "stats_cli.h"
#include "vagap/study.h"

static const char HELP[] =
    "Usage: vagap prop [OPTIONS] [FILE]\n"
    "Share of a category per unit with the Wilson CI and the exact binomial test\n"
    "(R binom.test, scipy binomtest; Wilson = prop.test(correct=FALSE) interval).\n\n"
    "Options:\n"
    "      --unit COL         unit column (default model)\n"
    "      --pooled           one test over all rows instead of one per unit\n"
    "      --choice COL       category column (default choice)\n"
    "      --prosocial LIST   comma-separated codes counted as successes (default other);\n"
    "                         codes are compared case-insensitively with surrounding\n"
    "                         whitespace and punctuation trimmed\n"
    "      --selfish LIST     codes counted as failures (default self); any other\n"
    "                         code is excluded from the denominator and counted\n"
    "      --success LIST, --failure LIST   the same under neutral names\n"
    "      --p0 P             null proportion (default 0.5)\n"
    "      --alternative A    two.sided (default), less or greater\n"
    "      --conf-level L     confidence level (default 0.95; alias --conf)\n"
    "      --adjust M         adjust p across units: none (default), holm, hochberg,\n"
    "                         bonferroni, BH (fdr), BY\n\n"
    "Columns: statistic = x (successes), n = successes + failures, conf.low/high =\n"
    "Wilson, exact.low/high = Clopper-Pearson, n_other = rows with other codes.\n";

enum {
  OPT_UNIT = 1, OPT_POOLED, OPT_CHOICE, OPT_SUCCESS, OPT_FAILURE, OPT_P0
};

typedef struct {
  const char *unit, *choice, *success, *failure;
  int pooled;
  vagap_prop_options_t prop;
  vagap_p_adjust_t adjust;
} prop_args_t;


static int parse_args(int argc, char **argv, cli_common_t *c, prop_args_t *a) {
  static const struct option options[] = {
      {"unit", required_argument, 0, OPT_UNIT},
      {"pooled", no_argument, 0, OPT_POOLED},
      {"choice", required_argument, 0, OPT_CHOICE},
      {"prosocial", required_argument, 0, OPT_SUCCESS},
      {"success", required_argument, 0, OPT_SUCCESS},
      {"selfish", required_argument, 0, OPT_FAILURE},
      {"failure", required_argument, 0, OPT_FAILURE},
      {"p0", required_argument, 0, OPT_P0},
      STATS_TEST_LONG_OPTIONS,
      CLI_COMMON_LONG_OPTIONS,
      {0, 0, 0, 0}};
  int opt;
  while ((opt = cli_getopt(c, argc, argv, options)) != -1) {
    int handled = cli_common_option(c, opt, optarg);
    if (!handled)
      handled = stats_test_option(c, opt, optarg, &a->prop.alternative, &a->prop.conf_level,
                                  &a->adjust);
    if (handled < 0) return -1;
    if (handled) continue;
    switch (opt) {
    case OPT_UNIT: a->unit = optarg; break;
    case OPT_POOLED: a->pooled = 1; break;
    case OPT_CHOICE: a->choice = optarg; break;
    case OPT_SUCCESS: a->success = optarg; break;
    case OPT_FAILURE: a->failure = optarg; break;
    case OPT_P0:
      if (cli_parse_double(c, "p0", optarg, &a->prop.p0)) return -1;
      if (!(a->prop.p0 >= 0 && a->prop.p0 <= 1))
        return cli_usage_error(c, "--p0: expected a proportion in [0, 1], found %s", optarg), -1;
      break;
    case CLI_OPT_HELP: printf("%s\n%s", HELP, CLI_COMMON_OPTIONS_HELP); return 1;
    default: cli_usage_error(c, "unknown option or missing argument"); return -1;
    }
  }
  return 0;
}

typedef struct {
  const vagap_table_t *t;
  size_t cunit, cchoice;
  const vagap_study_choice_rules_t *rules; /* shared with `vagap report` (study.c) */
  signed char *code; /* per row: 1 success, 0 failure, -1 other code, -2 not counted at all */
} prop_data_t;

static int classify_rows(prop_data_t *d, vagap_ledger_t *ledger, unsigned char *use) {
  size_t n = vagap_table_nrows(d->t);
  char reason[600];
  for (size_t i = 0; i < n; i++) {
    size_t len;
    const char *s = vagap_table_cell(d->t, i, d->cchoice, &len);
    int unit_na = d->cunit != CLI_NO_COLUMN && vagap_table_is_na(d->t, i, d->cunit);
    int code = vagap_study_choice_classify(d->rules, unit_na, s, len,
                                     vagap_table_is_na(d->t, i, d->cchoice), reason, sizeof reason);
    d->code[i] = (signed char)code;
    use[i] = code != VAGAP_STUDY_CHOICE_NO_UNIT;
    if (code < 0 && cli_exclude_row(ledger, d->t, i, reason)) return -1;
  }
  return 0;
}

static int test_units(const cli_common_t *c, const prop_args_t *a, const prop_data_t *d,
                      const stats_blocks_t *bl, prop_row_t *rows, size_t *nok) {
  *nok = 0;
  for (size_t b = 0; b < bl->nblocks; b++) {
    prop_row_t *r = &rows[b];
    r->key = bl->key[b];
    for (size_t k = bl->start[b]; k < bl->start[b + 1]; k++) {
      signed char code = d->code[bl->rows[k]];
      if (code >= 0) r->n++, r->x += (size_t)code;
      else r->n_other++;
    }
    vagap_error_t err;
    vagap_error_clear(&err);
    r->status = vagap_stats_prop_test(r->x, r->n, &a->prop, &r->res, &err);
    if (r->status == VAGAP_OK) (*nok)++;
    else if (r->status == VAGAP_EDOMAIN)
      cli_warn(c, "%s%s%s", r->key ? r->key : "", r->key ? ": " : "", "no counted choices");
    else return cli_report_error(&err);
  }
  return CLI_EXIT_OK;
}

int cmd_prop(int argc, char **argv) {
  cli_common_t c;
  cli_common_init(&c, "prop");
  prop_args_t a = {"model", "choice", "other", "self", 0, {0}, VAGAP_P_ADJUST_NONE};
  vagap_prop_options_init(&a.prop);
  int prc = parse_args(argc, argv, &c, &a);
  if (prc) return prc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  if (argc - optind > 1) return cli_usage_error(&c, "prop reads one file, got %d", argc - optind);
  const char *path = optind < argc ? argv[optind] : "-";

  prop_data_t d;
  memset(&d, 0, sizeof d);
  vagap_study_choice_options_t co = {a.unit, a.choice, a.success, a.failure};
  vagap_study_choice_rules_t rules;
  const char *both = NULL;
  vagap_error_t err;
  vagap_status_t rrc = vagap_study_choice_rules_init(&rules, &co, &both, &err);
  d.rules = &rules;
  int rc = CLI_EXIT_DATA;
  vagap_table_t *table = NULL;
  unsigned char *use = NULL;
  prop_row_t *rows = NULL;
  stats_blocks_t bl;
  memset(&bl, 0, sizeof bl);
  vagap_ledger_t *ledger = cli_ledger_alloc(&c);
  if (rrc == VAGAP_EINVAL) {
    rc = cli_usage_error(&c, "code '%s' is both a success and a failure", both);
    goto done;
  }
  if (rrc) {
    cli_report_error(&err);
    goto done;
  }
  if (!ledger) goto done;
  if (vagap_table_read(&table, path, &c.table, ledger, &err) != VAGAP_OK) {
    rc = cli_report_error(&err);
    goto done;
  }
  d.t = table;
  d.cunit = CLI_NO_COLUMN;
  if (!a.pooled && cli_column(table, a.unit, &d.cunit)) goto done;
  if (cli_column(table, a.choice, &d.cchoice)) goto done;
  size_t n = vagap_table_nrows(table);
  use = malloc(n + 1);
  d.code = malloc(n + 1);
  if (!use || !d.code || classify_rows(&d, ledger, use)) goto done;
  if (stats_blocks_make(table, d.cunit, use, &bl)) goto done;
  rows = calloc(bl.nblocks ? bl.nblocks : 1, sizeof *rows);
  if (!rows) goto done;
  size_t nok;
  rc = test_units(&c, &a, &d, &bl, rows, &nok);
  if (rc != CLI_EXIT_OK) goto done;
  rc = CLI_EXIT_DATA;
  if (stats_adjust_rows(rows, bl.nblocks, sizeof *rows, offsetof(prop_row_t, res.p_value),
                        offsetof(prop_row_t, p_adjusted), a.adjust))
    goto done;
  cli_writer_t *w = cli_writer_open_unit(&c, a.unit, PROP_COLUMNS, PROP_NCOLUMNS);
  if (!w) goto done;
  for (size_t b = 0; b < bl.nblocks; b++) prop_put_row(w, &rows[b]);
  rc = cli_writer_close(w);
  if (rc == CLI_EXIT_OK) rc = cli_finish_ledger(&c, ledger);
  if (rc == CLI_EXIT_OK && nok == 0) {
    fputs("vagap prop: no unit has a counted choice\n", stderr);
    rc = CLI_EXIT_DATA;
  }
done:
  vagap_study_choice_rules_free(&rules);
  free(use), free(d.code), free(rows);
  stats_blocks_free(&bl);
  vagap_table_free(table);
  vagap_ledger_free(ledger);
  return rc;
}
