/*
 * vagap corr: Pearson (t, df, p, Fisher-z CI) and Spearman (average ranks
 * for ties) correlations for named pairs of columns or for every pair of a
 * set of columns (--matrix, long output), per --by block, with pairwise or
 * listwise deletion of missing values and --adjust across all the tests.
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "stats_cli.h"

static const char HELP[] =
    "Usage: vagap corr (--x COL --y COL | --pair X,Y ... | --matrix [--columns LIST])\n"
    "                  [OPTIONS] [FILE]\n"
    "Correlation tests (R cor.test, scipy pearsonr/spearmanr), one row per pair.\n\n"
    "Options:\n"
    "      --x COL --y COL    one pair\n"
    "      --pair X,Y         a pair (repeatable)\n"
    "      --matrix           every pair of --columns (default: every numeric column\n"
    "                         except --by), in column order, long format\n"
    "      --columns LIST     comma-separated columns for --matrix\n"
    "      --method M         pearson (default) or spearman\n"
    "      --deletion D       pairwise (default: complete pairs per test) or listwise\n"
    "                         (rows complete on every column named)\n"
    "      --spearman-p P     t (default; scipy, and R with ties or exact=FALSE) or\n"
    "                         exact (R's default: AS 89 for n < 1290 without ties)\n"
    "      --alternative A    two.sided (default), less or greater\n"
    "      --conf-level L     confidence level of the Fisher-z interval (default 0.95)\n"
    "                         (alias --conf)\n"
    "      --by COL           one set of tests per value of COL\n"
    "      --adjust M         adjust p across all rows of the output: none (default),\n"
    "                         holm, hochberg, bonferroni, BH (fdr), BY\n\n"
    "Columns: std.error is sqrt((1 - r^2)/(n - 2)) so that statistic = r/std.error\n"
    "(the t on n - 2 df); statistic.S is R's S for Spearman; conf.low/high are the\n"
    "Fisher-z interval (Pearson, n > 3); log10.p keeps p-values below 1e-300.\n";

enum {
  OPT_X = 1, OPT_Y, OPT_PAIR, OPT_MATRIX, OPT_COLUMNS, OPT_METHOD, OPT_DELETION,
  OPT_SPEARMAN_P, OPT_BY
};

#define MAX_PAIRS 4096

typedef struct {
  const char *x, *y, *columns, *by;
  const char *pair_arg[MAX_PAIRS];
  size_t npair_args;
  int matrix, listwise;
  vagap_cor_options_t cor;
  vagap_p_adjust_t adjust;
} corr_args_t;

typedef struct {
  size_t a, b; /* indices into the used columns */
} pair_t;

typedef struct {
  vagap_table_t *t;
  size_t ncols;   /* used columns */
  size_t *col;    /* table column of each used column */
  double **val;   /* values of each used column */
  pair_t *pairs;
  size_t npairs;
  size_t cby;
} corr_data_t;

typedef struct {
  const char *key;
  pair_t pair;
  vagap_status_t status;
  vagap_cor_t res;
  double p_adjusted;
} corr_row_t;

/* ---- options ------------------------------------------------------------------------- */

static int parse_args(int argc, char **argv, cli_common_t *c, corr_args_t *a) {
  static const struct option options[] = {
      {"x", required_argument, 0, OPT_X},
      {"y", required_argument, 0, OPT_Y},
      {"pair", required_argument, 0, OPT_PAIR},
      {"matrix", no_argument, 0, OPT_MATRIX},
      {"columns", required_argument, 0, OPT_COLUMNS},
      {"method", required_argument, 0, OPT_METHOD},
      {"deletion", required_argument, 0, OPT_DELETION},
      {"spearman-p", required_argument, 0, OPT_SPEARMAN_P},
      {"by", required_argument, 0, OPT_BY},
      STATS_TEST_LONG_OPTIONS,
      CLI_COMMON_LONG_OPTIONS,
      {0, 0, 0, 0}};
  int opt;
  while ((opt = cli_getopt(c, argc, argv, options)) != -1) {
    int handled = cli_common_option(c, opt, optarg);
    if (!handled)
      handled = stats_test_option(c, opt, optarg, &a->cor.alternative, &a->cor.conf_level,
                                  &a->adjust);
    if (handled < 0) return -1;
    if (handled) continue;
    switch (opt) {
    case OPT_X: a->x = optarg; break;
    case OPT_Y: a->y = optarg; break;
    case OPT_PAIR:
      if (a->npair_args == MAX_PAIRS) return cli_usage_error(c, "too many --pair options"), -1;
      a->pair_arg[a->npair_args++] = optarg;
      break;
    case OPT_MATRIX: a->matrix = 1; break;
    case OPT_COLUMNS: a->columns = optarg; break;
    case OPT_METHOD:
      if (!strcmp(optarg, "pearson")) a->cor.method = VAGAP_COR_PEARSON;
      else if (!strcmp(optarg, "spearman")) a->cor.method = VAGAP_COR_SPEARMAN;
      else return cli_usage_error(c, "--method: expected pearson or spearman, found '%s'", optarg), -1;
      break;
    case OPT_DELETION:
      if (!strcmp(optarg, "pairwise")) a->listwise = 0;
      else if (!strcmp(optarg, "listwise")) a->listwise = 1;
      else return cli_usage_error(c, "--deletion: expected pairwise or listwise, found '%s'", optarg), -1;
      break;
    case OPT_SPEARMAN_P:
      if (!strcmp(optarg, "t")) a->cor.spearman_p = VAGAP_SPEARMAN_P_T;
      else if (!strcmp(optarg, "exact")) a->cor.spearman_p = VAGAP_SPEARMAN_P_AS89;
      else return cli_usage_error(c, "--spearman-p: expected t or exact, found '%s'", optarg), -1;
      break;
    case OPT_BY: a->by = optarg; break;
    case CLI_OPT_HELP: printf("%s\n%s", HELP, CLI_COMMON_OPTIONS_HELP); return 1;
    default: cli_usage_error(c, "unknown option or missing argument"); return -1;
    }
  }
  int kinds = (a->x || a->y) + (a->npair_args > 0) + a->matrix;
  if (kinds != 1)
    return cli_usage_error(c, "give exactly one of --x/--y, --pair, --matrix"), -1;
  if ((a->x || a->y) && !(a->x && a->y)) return cli_usage_error(c, "--x and --y go together"), -1;
  if (a->columns && !a->matrix) return cli_usage_error(c, "--columns applies to --matrix"), -1;
  return 0;
}

/* ---- columns and pairs ------------------------------------------------------------------- */

/* Index of table column j among the used columns, adding it if new. */
static int use_column(corr_data_t *d, size_t j, size_t *idx) {
  for (size_t k = 0; k < d->ncols; k++)
    if (d->col[k] == j) {
      *idx = k;
      return 0;
    }
  if (!(d->val[d->ncols] = cli_numeric_column(d->t, j))) return -1;
  d->col[d->ncols] = j;
  *idx = d->ncols++;
  return 0;
}

static int add_pair(corr_data_t *d, const char *x, const char *y) {
  size_t jx, jy;
  if (cli_column(d->t, x, &jx) || cli_column(d->t, y, &jy)) return -1;
  pair_t p;
  if (use_column(d, jx, &p.a) || use_column(d, jy, &p.b)) return -1;
  d->pairs[d->npairs++] = p;
  return 0;
}

static int matrix_pairs(const cli_common_t *c, corr_data_t *d, const char *columns) {
  size_t n = vagap_table_ncols(d->t);
  if (columns) {
    char *buf;
    const char **items;
    size_t k = stats_split_list(columns, &buf, &items);
    if (k == (size_t)-1) return fputs("vagap: out of memory\n", stderr), -1;
    int rc = 0;
    for (size_t i = 0; i < k && !rc; i++) {
      size_t j, idx;
      rc = cli_column(d->t, items[i], &j) || use_column(d, j, &idx);
    }
    free(buf);
    free(items);
    if (rc) return -1;
  } else {
    size_t nrows = vagap_table_nrows(d->t);
    double *probe = malloc((nrows ? nrows : 1) * sizeof *probe);
    if (!probe) return fputs("vagap: out of memory\n", stderr), -1;
    for (size_t j = 0; j < n; j++) {
      size_t idx;
      if (j == d->cby || vagap_table_numeric(d->t, j, probe, NULL) != VAGAP_OK) continue;
      if (use_column(d, j, &idx)) {
        free(probe);
        return -1;
      }
    }
    free(probe);
  }
  if (d->ncols < 2) {
    cli_usage_error(c, "--matrix needs at least 2 numeric columns, found %zu", d->ncols);
    return -2;
  }
  for (size_t a = 0; a < d->ncols; a++)
    for (size_t b = a + 1; b < d->ncols; b++) d->pairs[d->npairs++] = (pair_t){a, b};
  return 0;
}

/* ---- rows ---------------------------------------------------------------------------------- */

static int row_complete(const corr_data_t *d, size_t i) {
  for (size_t k = 0; k < d->ncols; k++)
    if (isnan(d->val[k][i])) return 0;
  return 1;
}

static int row_in_some_pair(const corr_data_t *d, size_t i) {
  for (size_t p = 0; p < d->npairs; p++)
    if (!isnan(d->val[d->pairs[p].a][i]) && !isnan(d->val[d->pairs[p].b][i])) return 1;
  return 0;
}

/* use[i]: 1 = row belongs to a block; the ledger gets the rows no test uses. */
static int account_rows(corr_data_t *d, int listwise, vagap_ledger_t *ledger, unsigned char *use) {
  size_t n = vagap_table_nrows(d->t);
  char reason[600];
  for (size_t i = 0; i < n; i++) {
    use[i] = 1;
    const char *why = NULL;
    if (d->cby != CLI_NO_COLUMN && vagap_table_is_na(d->t, i, d->cby)) {
      snprintf(reason, sizeof reason, "missing %s (--by)", vagap_table_colname(d->t, d->cby));
      why = reason;
      use[i] = 0;
    } else if (listwise && !row_complete(d, i)) {
      why = "missing value (listwise deletion)";
    } else if (!listwise && !row_in_some_pair(d, i)) {
      why = d->npairs == 1 ? "incomplete pair" : "no complete pair in this row";
    }
    if (why && cli_exclude_row(ledger, d->t, i, why)) return -1;
  }
  return 0;
}

/* ---- output -------------------------------------------------------------------------------- */

static const char *const COLUMNS[] = {BROOM_COLUMNS, "x", "y", "n_excluded", "log10.p",
                                      "p.adjusted", "statistic.S", "deletion", "alternative"};
enum { NCOLUMNS = sizeof COLUMNS / sizeof COLUMNS[0] };

static void put_row(cli_writer_t *w, const corr_data_t *d, const corr_row_t *r, int listwise) {
  const vagap_cor_t *c = &r->res;
  double se = NAN;
  if (!isnan(c->estimate) && c->df > 0) se = sqrt((1.0 - c->estimate * c->estimate) / c->df);
  broom_put(w, stats_put_num,
            &(broom_row_t){r->key, c->method == VAGAP_COR_PEARSON ? "cor" : "rho", c->estimate, se,
                           c->statistic, c->df, c->p_value, c->conf_low, c->conf_high, c->n,
                           vagap_cor_method_name(c->method)});
  cli_put_str(w, vagap_table_colname(d->t, d->col[r->pair.a]));
  cli_put_str(w, vagap_table_colname(d->t, d->col[r->pair.b]));
  cli_put_int(w, (long long)c->n_excluded);
  stats_put_num(w, c->log10_p);
  stats_put_num(w, r->p_adjusted);
  stats_put_num(w, c->statistic_s);
  cli_put_str(w, listwise ? "listwise" : "pairwise");
  cli_put_str(w, vagap_alternative_name(c->alternative));
}

static int run_tests(const cli_common_t *c, corr_data_t *d, const corr_args_t *a,
                     const stats_blocks_t *bl, corr_row_t *rows, size_t *nok) {
  size_t nmax = vagap_table_nrows(d->t);
  double *x = malloc((nmax ? nmax : 1) * sizeof *x), *y = malloc((nmax ? nmax : 1) * sizeof *y);
  if (!x || !y) {
    free(x), free(y);
    return fputs("vagap: out of memory\n", stderr), CLI_EXIT_DATA;
  }
  size_t ok = 0, k = 0;
  int rc = CLI_EXIT_OK;
  for (size_t b = 0; b < bl->nblocks && rc == CLI_EXIT_OK; b++) {
    const size_t *br = bl->rows + bl->start[b];
    size_t nb = bl->start[b + 1] - bl->start[b];
    for (size_t p = 0; p < d->npairs && rc == CLI_EXIT_OK; p++, k++) {
      for (size_t i = 0; i < nb; i++) {
        int drop = a->listwise && !row_complete(d, br[i]);
        x[i] = drop ? NAN : d->val[d->pairs[p].a][br[i]];
        y[i] = drop ? NAN : d->val[d->pairs[p].b][br[i]];
      }
      vagap_error_t err;
      vagap_error_clear(&err);
      rows[k].key = bl->key[b];
      rows[k].pair = d->pairs[p];
      rows[k].status = vagap_stats_cor(x, y, nb, &a->cor, &rows[k].res, &err);
      if (rows[k].status == VAGAP_OK) {
        ok++;
      } else if (rows[k].status == VAGAP_EDOMAIN) {
        cli_warn(c, "%s%s%s%s%s ~ %s: %s", bl->key[b] ? a->by : "", bl->key[b] ? " = " : "",
                 bl->key[b] ? bl->key[b] : "", bl->key[b] ? ", " : "",
                 vagap_table_colname(d->t, d->col[d->pairs[p].a]),
                 vagap_table_colname(d->t, d->col[d->pairs[p].b]), err.message);
      } else {
        rc = cli_report_error(&err);
      }
    }
  }
  free(x), free(y);
  *nok = ok;
  return rc;
}

/* ---- main ------------------------------------------------------------------------------------ */

/* --bad-rows exclude: rows where a named column (x, y, --pair, --columns) holds text
   are excluded before any column is converted.  0, or -1 after printing. */
static int screen_named_columns(const cli_common_t *c, const corr_args_t *a, vagap_table_t *t,
                                vagap_ledger_t *ledger) {
  if (!c->table.exclude_bad_rows) return 0;
  const char *named[2] = {a->x, a->y};
  int rc = cli_screen_named(&c->table, t, ledger, named, 2);
  for (size_t k = 0; k <= a->npair_args && rc == 0; k++) {
    const char *list = k < a->npair_args ? a->pair_arg[k] : a->columns;
    if (!list) continue;
    char *buf;
    const char **items;
    size_t m = stats_split_list(list, &buf, &items);
    if (m == (size_t)-1) return cli_out_of_memory();
    rc = cli_screen_named(&c->table, t, ledger, items, m);
    free(buf);
    free(items);
  }
  return rc;
}

static int setup(const cli_common_t *c, const corr_args_t *a, corr_data_t *d) {
  size_t n = vagap_table_ncols(d->t);
  d->cby = CLI_NO_COLUMN;
  if (a->by && cli_column(d->t, a->by, &d->cby)) return -1;
  d->col = malloc((n + 1) * sizeof *d->col);
  d->val = calloc(n + 1, sizeof *d->val);
  size_t maxpairs = a->matrix ? n * (n - 1) / 2 + 1 : a->npair_args + 1;
  d->pairs = malloc(maxpairs * sizeof *d->pairs);
  if (!d->col || !d->val || !d->pairs) return fputs("vagap: out of memory\n", stderr), -1;
  if (a->matrix) return matrix_pairs(c, d, a->columns);
  if (a->x) return add_pair(d, a->x, a->y);
  for (size_t k = 0; k < a->npair_args; k++) {
    char *buf;
    const char **items;
    size_t m = stats_split_list(a->pair_arg[k], &buf, &items);
    if (m == (size_t)-1) return fputs("vagap: out of memory\n", stderr), -1;
    int rc = m == 2 ? add_pair(d, items[0], items[1]) : -2;
    free(buf);
    free(items);
    if (rc == -2) {
      cli_usage_error(c, "--pair: expected X,Y, found '%s'", a->pair_arg[k]);
      return -2;
    }
    if (rc) return -1;
  }
  return 0;
}

/* The names --x, --y, --pair and --columns give, in a new array (*bufs and *nbufs hold
   what to free); NULL when out of memory. */
static const char **named_columns(const corr_args_t *a, size_t *n, char ***bufs, size_t *nbufs) {
  size_t nlists = a->npair_args + 1, cap = 2;
  const char **names = malloc(cap * sizeof *names);
  *bufs = calloc(nlists, sizeof **bufs);
  *n = *nbufs = 0;
  if (!names || !*bufs) return free(names), NULL;
  names[(*n)++] = a->x;
  names[(*n)++] = a->y;
  for (size_t k = 0; k < nlists; k++) {
    const char *list = k < a->npair_args ? a->pair_arg[k] : a->columns;
    if (!list) continue;
    const char **items;
    size_t m = stats_split_list(list, &(*bufs)[*nbufs], &items);
    if (m == (size_t)-1) return free(names), NULL;
    (*nbufs)++;
    const char **more = *n + m > cap ? realloc(names, (cap = 2 * (*n + m)) * sizeof *names) : names;
    if (!more) return free(items), free(names), NULL;
    names = more;
    for (size_t i = 0; i < m; i++) names[(*n)++] = items[i];
    free(items);
  }
  return names;
}

/* The table: every column for --matrix without --columns; otherwise only the named
   columns, converted on the parsing threads, and --by as text, the others left out
   (converting them would be work for nothing). */
static vagap_status_t read_table(cli_common_t *c, const corr_args_t *a, const char *path,
                                 vagap_ledger_t *ledger, vagap_table_t **out, vagap_error_t *err) {
  c->table.infer_numbers = 1;
  size_t n = 0, nbufs = 0;
  char **bufs = NULL;
  const char **names = a->matrix && !a->columns ? NULL : named_columns(a, &n, &bufs, &nbufs);
  const char *const texts[1] = {a->by};
  vagap_status_t st = names ? vagap_table_read_columns(out, path, &c->table, names, n, texts, 1, ledger, err)
                            : vagap_table_read(out, path, &c->table, ledger, err);
  for (size_t k = 0; k < nbufs; k++) free(bufs[k]);
  free(bufs);
  free(names);
  return st;
}

int cmd_corr(int argc, char **argv) {
  cli_common_t c;
  cli_common_init(&c, "corr");
  corr_args_t a;
  memset(&a, 0, sizeof a);
  vagap_cor_options_init(&a.cor);
  int prc = parse_args(argc, argv, &c, &a);
  if (prc) return prc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  if (argc - optind > 1) return cli_usage_error(&c, "corr reads one file, got %d", argc - optind);
  const char *path = optind < argc ? argv[optind] : "-";

  vagap_error_t err;
  int rc = CLI_EXIT_DATA;
  vagap_table_t *table = NULL;
  corr_data_t d;
  memset(&d, 0, sizeof d);
  unsigned char *use = NULL;
  corr_row_t *rows = NULL;
  stats_blocks_t bl;
  memset(&bl, 0, sizeof bl);
  cli_writer_t *w;
  vagap_ledger_t *ledger = cli_ledger_alloc(&c);
  if (!ledger) goto done;
  if (read_table(&c, &a, path, ledger, &table, &err) != VAGAP_OK) {
    rc = cli_report_error(&err);
    goto done;
  }
  d.t = table;
  if (screen_named_columns(&c, &a, table, ledger)) goto done;
  int src = setup(&c, &a, &d);
  if (src) {
    rc = src == -2 ? CLI_EXIT_USAGE : CLI_EXIT_DATA;
    goto done;
  }
  use = malloc(vagap_table_nrows(table) + 1);
  if (!use || account_rows(&d, a.listwise, ledger, use)) goto done;
  if (stats_blocks_make(table, d.cby, use, &bl)) goto done;
  size_t nrows = bl.nblocks * d.npairs;
  rows = calloc(nrows ? nrows : 1, sizeof *rows);
  if (!rows) goto done;
  size_t nok = 0;
  rc = run_tests(&c, &d, &a, &bl, rows, &nok);
  if (rc != CLI_EXIT_OK) goto done;
  rc = CLI_EXIT_DATA;
  if (stats_adjust_rows(rows, nrows, sizeof *rows, offsetof(corr_row_t, res.p_value),
                        offsetof(corr_row_t, p_adjusted), a.adjust))
    goto done;
  if (!(w = cli_writer_open(&c, COLUMNS, NCOLUMNS))) goto done;
  for (size_t k = 0; k < nrows; k++) put_row(w, &d, &rows[k], a.listwise);
  rc = cli_writer_close(w);
  if (rc == CLI_EXIT_OK) rc = cli_finish_ledger(&c, ledger);
  if (rc == CLI_EXIT_OK && nok == 0) {
    fputs("vagap corr: no correlation could be computed\n", stderr);
    rc = CLI_EXIT_DATA;
  }
done:
  if (d.val)
    for (size_t k = 0; k < d.ncols; k++) free(d.val[k]);
  free(d.val);
  free(d.col);
  free(d.pairs);
  free(use);
  free(rows);
  stats_blocks_free(&bl);
  vagap_table_free(table);
  vagap_ledger_free(ledger);
  return rc;
}
