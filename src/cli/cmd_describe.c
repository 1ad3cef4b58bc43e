/*
 * vagap describe: one row per column (and per group with --by) with n,
 * missing, and mean/sd/min/median/max for numeric columns or the number of
 * distinct values for text columns.  A column is numeric when every
 * non-missing cell parses as a number.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char HELP[] =
    "Usage: vagap describe [OPTIONS] [FILE]\n"
    "Summarise every column of a CSV file: n (non-missing), missing, and for\n"
    "numeric columns mean, sd (n-1), min, median, max; for text columns the\n"
    "number of distinct values.\n\n"
    "Options:\n"
    "      --by COL          one block of rows per value of COL (sorted)\n";

static const char *const COLUMNS[] = {"column", "type", "n", "missing", "distinct",
                                      "mean", "sd", "min", "median", "max"};
enum { NCOLUMNS = sizeof COLUMNS / sizeof COLUMNS[0] };

enum { OPT_BY = 1 };

typedef struct {
  const vagap_table_t *table;
  double **numeric; /* per column: values, or NULL for a text column */
  size_t by;        /* index of the --by column, or (size_t)-1 */
} describe_t;

/* ---- groups ------------------------------------------------------------------- */

typedef struct {
  const vagap_table_t *table;
  size_t column;
} group_sort_ctx_t;

static _Thread_local group_sort_ctx_t sort_ctx;

static int compare_rows_by_key(const void *a, const void *b) {
  size_t i = *(const size_t *)a, k = *(const size_t *)b;
  int c = strcmp(vagap_table_cell(sort_ctx.table, i, sort_ctx.column, NULL),
                 vagap_table_cell(sort_ctx.table, k, sort_ctx.column, NULL));
  return c ? c : (i < k ? -1 : i > k);
}

/* Row indices ordered by the --by key (stable: ties keep file order). */
static size_t *rows_in_group_order(const describe_t *d) {
  size_t n = vagap_table_nrows(d->table);
  size_t *order = malloc((n ? n : 1) * sizeof *order);
  if (!order) return NULL;
  for (size_t i = 0; i < n; i++) order[i] = i;
  if (d->by != (size_t)-1) {
    sort_ctx = (group_sort_ctx_t){d->table, d->by};
    qsort(order, n, sizeof *order, compare_rows_by_key);
  }
  return order;
}

/* ---- one summary row ------------------------------------------------------------ */

static void put_numeric_summary(cli_writer_t *w, const double *values, const size_t *rows,
                                size_t nrows, double *scratch) {
  /* gather the group's values at the end of scratch, then summarise into its start */
  double *group = scratch + nrows;
  for (size_t r = 0; r < nrows; r++) group[r] = values[rows[r]];
  vagap_numeric_summary_t s;
  vagap_describe_numeric(group, nrows, scratch, &s);
  cli_put_int(w, (long long)s.n);
  cli_put_int(w, (long long)s.missing);
  cli_put_na(w); /* distinct: text columns only */
  cli_put_num(w, s.mean);
  cli_put_num(w, s.sd);
  cli_put_num(w, s.min);
  cli_put_num(w, s.median);
  cli_put_num(w, s.max);
}

static int compare_strings(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void put_text_summary(cli_writer_t *w, const vagap_table_t *t, size_t col,
                             const size_t *rows, size_t nrows, const char **scratch) {
  size_t n = 0;
  for (size_t r = 0; r < nrows; r++)
    if (!vagap_table_is_na(t, rows[r], col)) scratch[n++] = vagap_table_cell(t, rows[r], col, NULL);
  qsort(scratch, n, sizeof *scratch, compare_strings);
  size_t distinct = 0;
  for (size_t i = 0; i < n; i++)
    if (i == 0 || strcmp(scratch[i], scratch[i - 1]) != 0) distinct++;
  cli_put_int(w, (long long)n);
  cli_put_int(w, (long long)(nrows - n));
  cli_put_int(w, (long long)distinct);
  for (int k = 0; k < 5; k++) cli_put_na(w);
}

static void put_group(cli_writer_t *w, const describe_t *d, const char *key,
                      const size_t *rows, size_t nrows, void *scratch) {
  size_t ncols = vagap_table_ncols(d->table);
  for (size_t j = 0; j < ncols; j++) {
    if (j == d->by) continue;
    if (d->by != (size_t)-1) {
      if (vagap_table_is_na(d->table, rows[0], d->by)) cli_put_na(w);
      else cli_put_str(w, key);
    }
    cli_put_str(w, vagap_table_colname(d->table, j));
    cli_put_str(w, d->numeric[j] ? "numeric" : "text");
    if (d->numeric[j]) put_numeric_summary(w, d->numeric[j], rows, nrows, scratch);
    else put_text_summary(w, d->table, j, rows, nrows, scratch);
  }
}

static int write_summaries(const cli_common_t *c, const describe_t *d) {
  const char *names[NCOLUMNS + 1];
  size_t k = 0;
  if (d->by != (size_t)-1) names[k++] = vagap_table_colname(d->table, d->by);
  for (size_t j = 0; j < NCOLUMNS; j++) names[k++] = COLUMNS[j];

  size_t n = vagap_table_nrows(d->table);
  size_t *order = rows_in_group_order(d);
  void *scratch = malloc((n ? 2 * n : 1) * sizeof(double)); /* values and a work copy */
  if (!order || !scratch) {
    free(order);
    free(scratch);
    fputs("vagap: out of memory\n", stderr);
    return CLI_EXIT_DATA;
  }
  cli_writer_t *w = cli_writer_open(c, names, k);
  if (!w) {
    free(order);
    free(scratch);
    return CLI_EXIT_DATA;
  }
  size_t start = 0;
  while (start < n || (start == 0 && d->by == (size_t)-1)) {
    size_t end = n;
    const char *key = NULL;
    if (d->by != (size_t)-1) {
      key = vagap_table_cell(d->table, order[start], d->by, NULL);
      for (end = start + 1; end < n && strcmp(vagap_table_cell(d->table, order[end], d->by, NULL), key) == 0;)
        end++;
    }
    put_group(w, d, key, order + start, end - start, scratch);
    start = end;
    if (n == 0) break;
  }
  free(order);
  free(scratch);
  return cli_writer_close(w);
}

/* ---- column typing ------------------------------------------------------------- */

/* One share of the columns to convert, for a thread of its own. */
typedef struct {
  const vagap_table_t *table;
  size_t *cols;
  double **out;
  int *is_numeric;
  size_t ncols;
} conversion_t;

static void *convert_share(void *arg) {
  conversion_t *c = arg;
  vagap_table_numeric_columns(c->table, c->cols, c->ncols, c->out, 1, c->is_numeric, NULL);
  return NULL;
}

/*
 * Try every column as numbers.  Converting text to numbers is about half the
 * work on a large file, so the columns are split between two threads
 * (alternate columns, so that wide and narrow columns are shared evenly).
 */
static int type_columns(describe_t *d) {
  size_t ncols = vagap_table_ncols(d->table), n = vagap_table_nrows(d->table);
  size_t cap = ncols ? ncols : 1;
  d->numeric = calloc(cap, sizeof *d->numeric);
  size_t *cols = malloc(cap * sizeof *cols);
  double **out = malloc(cap * sizeof *out);
  int *is_numeric = malloc(cap * sizeof *is_numeric);
  int failed = !d->numeric || !cols || !out || !is_numeric;
  /* shares: even columns first, then odd ones */
  size_t k = 0;
  for (size_t parity = 0; parity < 2; parity++)
    for (size_t j = parity; j < ncols; j += 2) cols[k++] = j;
  for (size_t i = 0; i < ncols && !failed; i++)
    failed = !(out[i] = d->numeric[cols[i]] = malloc((n ? n : 1) * sizeof(double)));
  if (!failed) {
    size_t half = (ncols + 1) / 2;
    conversion_t shares[2] = {{d->table, cols, out, is_numeric, half},
                              {d->table, cols + half, out + half, is_numeric + half, ncols - half}};
    pthread_t helper;
    int threaded = n > 100000 && shares[1].ncols > 0 && pthread_create(&helper, NULL, convert_share, &shares[1]) == 0;
    convert_share(&shares[0]);
    if (threaded) pthread_join(helper, NULL);
    else convert_share(&shares[1]);
    for (size_t i = 0; i < ncols; i++)
      if (!is_numeric[i]) {
        free(d->numeric[cols[i]]);
        d->numeric[cols[i]] = NULL;
      }
  }
  free(cols);
  free(out);
  free(is_numeric);
  return failed ? -1 : 0;
}

static void free_describe(describe_t *d) {
  if (d->numeric)
    for (size_t j = 0; j < vagap_table_ncols(d->table); j++) free(d->numeric[j]);
  free(d->numeric);
}

int cmd_describe(int argc, char **argv) {
  cli_common_t c;
  cli_common_init(&c, "describe");
  const char *by = NULL;
  static const struct option options[] = {{"by", required_argument, 0, OPT_BY},
                                          CLI_COMMON_LONG_OPTIONS, {0, 0, 0, 0}};
  int opt;
  while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT_OPTIONS, options, NULL)) != -1) {
    int handled = cli_common_option(&c, opt, optarg);
    if (handled < 0) return CLI_EXIT_USAGE;
    if (handled) continue;
    switch (opt) {
    case OPT_BY: by = optarg; break;
    case CLI_OPT_HELP: printf("%s\n%s", HELP, CLI_COMMON_OPTIONS_HELP); return CLI_EXIT_OK;
    default: return cli_usage_error(&c, "unknown option or missing argument");
    }
  }
  if (argc - optind > 1) return cli_usage_error(&c, "describe reads one file, got %d", argc - optind);
  const char *path = optind < argc ? argv[optind] : "-";

  vagap_error_t err;
  vagap_ledger_t *ledger = vagap_ledger_alloc();
  vagap_table_t *table = NULL;
  describe_t d = {0};
  int rc = CLI_EXIT_DATA;
  if (!ledger) goto done;
  if (vagap_table_read(&table, path, &c.table, ledger, &err) != VAGAP_OK) {
    rc = cli_report_error(&err);
    goto done;
  }
  d.table = table;
  d.by = (size_t)-1;
  if (by && vagap_table_column(table, by, &d.by, &err) != VAGAP_OK) {
    rc = cli_report_error(&err);
    goto done;
  }
  if (type_columns(&d)) {
    fputs("vagap: out of memory\n", stderr);
    goto done;
  }
  rc = write_summaries(&c, &d);
  if (rc == CLI_EXIT_OK) rc = cli_finish_ledger(&c, ledger);
done:
  free_describe(&d);
  vagap_table_free(table);
  vagap_ledger_free(ledger);
  return rc;
}
