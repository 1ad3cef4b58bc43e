/*
 * vagap describe: one row per column (and per group with --by) with n,
 * missing, and mean/sd/min/median/max for numeric columns or the number of
 * distinct values for text columns.  A column is numeric when every
 * non-missing cell parses as a number.
 */
#include <math.h>
#include <pthread.h>
#include <sched.h>
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
  const double **numeric; /* per column: values (owned by the table), or NULL for text */
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

/* ---- summaries ------------------------------------------------------------------ */

typedef struct {
  vagap_numeric_summary_t num; /* numeric columns */
  size_t n, missing, distinct; /* text columns */
} column_summary_t;

static int compare_strings(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void summarise_text(const vagap_table_t *t, size_t col, const size_t *rows, size_t nrows,
                           const char **scratch, column_summary_t *s) {
  size_t n = 0;
  for (size_t r = 0; r < nrows; r++) {
    size_t i = rows ? rows[r] : r;
    if (!vagap_table_is_na(t, i, col)) scratch[n++] = vagap_table_cell(t, i, col, NULL);
  }
  qsort(scratch, n, sizeof *scratch, compare_strings);
  size_t distinct = 0;
  for (size_t i = 0; i < n; i++)
    if (i == 0 || strcmp(scratch[i], scratch[i - 1]) != 0) distinct++;
  s->n = n;
  s->missing = nrows - n;
  s->distinct = distinct;
}

/* rows NULL: the whole column, read in place */
static void summarise_numeric(const double *values, const size_t *rows, size_t nrows,
                              double *scratch, column_summary_t *s) {
  if (!rows) {
    vagap_describe_numeric(values, nrows, scratch, &s->num);
    return;
  }
  /* gather the group's values at the end of scratch, then summarise into its start */
  double *group = scratch + nrows;
  for (size_t r = 0; r < nrows; r++) group[r] = values[rows[r]];
  vagap_describe_numeric(group, nrows, scratch, &s->num);
}

/* The columns first, first + step, ... of one group, for a thread of its own. */
typedef struct {
  const describe_t *d;
  const size_t *rows;
  size_t nrows, first, step;
  void *scratch; /* 2 * nrows doubles (nrows when rows is NULL) */
  column_summary_t *out;
} summary_share_t;

/* The share's numeric columns of the whole table, several at a time (vagap_describe_numeric_columns);
   0, or -1 when out of memory for the lists (then they are done one by one). */
static int summarise_whole_columns(const summary_share_t *sh) {
  const describe_t *d = sh->d;
  size_t ncols = vagap_table_ncols(d->table), k = 0;
  const double **x = malloc((ncols ? ncols : 1) * sizeof *x);
  vagap_numeric_summary_t *num = malloc((ncols ? ncols : 1) * sizeof *num);
  if (!x || !num) {
    free(x), free(num);
    return -1;
  }
  for (size_t j = sh->first; j < ncols; j += sh->step)
    if (d->numeric[j]) x[k++] = d->numeric[j];
  vagap_describe_numeric_columns(x, k, sh->nrows, sh->scratch, num);
  k = 0;
  for (size_t j = sh->first; j < ncols; j += sh->step)
    if (d->numeric[j]) sh->out[j].num = num[k++];
  free(x);
  free(num);
  return 0;
}

static void *summarise_share(void *arg) {
  const summary_share_t *sh = arg;
  const describe_t *d = sh->d;
  int numeric_done = !sh->rows && summarise_whole_columns(sh) == 0;
  for (size_t j = sh->first; j < vagap_table_ncols(d->table); j += sh->step) {
    if (j == d->by || (numeric_done && d->numeric[j])) continue;
    if (d->numeric[j]) summarise_numeric(d->numeric[j], sh->rows, sh->nrows, sh->scratch, &sh->out[j]);
    else summarise_text(d->table, j, sh->rows, sh->nrows, sh->scratch, &sh->out[j]);
  }
  return NULL;
}

/* Worth a second thread: medians and sorts of large groups, when the process may run on
   two CPUs (pinned to one, e.g. by taskset, the second would only take turns). */
#define THREADED_SUMMARY_ROWS 100000

static int two_cpus(void) {
  cpu_set_t set;
  return sched_getaffinity(0, sizeof set, &set) != 0 || CPU_COUNT(&set) > 1;
}

static void summarise_group(const describe_t *d, const size_t *rows, size_t nrows,
                            void *const scratch[2], column_summary_t *out) {
  summary_share_t shares[2] = {{d, rows, nrows, 0, 2, scratch[0], out},
                               {d, rows, nrows, 1, 2, scratch[1], out}};
  pthread_t helper;
  int threaded = scratch[1] && nrows >= THREADED_SUMMARY_ROWS &&
                 pthread_create(&helper, NULL, summarise_share, &shares[1]) == 0;
  if (!threaded) { /* one thread does every column */
    shares[0].step = 1;
    summarise_share(&shares[0]);
    return;
  }
  summarise_share(&shares[0]);
  pthread_join(helper, NULL);
}

static void put_summary(cli_writer_t *w, int numeric, const column_summary_t *s) {
  if (numeric) {
    cli_put_int(w, (long long)s->num.n);
    cli_put_int(w, (long long)s->num.missing);
    cli_put_na(w); /* distinct: text columns only */
    cli_put_num(w, s->num.mean);
    cli_put_num(w, s->num.sd);
    cli_put_num(w, s->num.min);
    cli_put_num(w, s->num.median);
    cli_put_num(w, s->num.max);
    return;
  }
  cli_put_int(w, (long long)s->n);
  cli_put_int(w, (long long)s->missing);
  cli_put_int(w, (long long)s->distinct);
  for (int k = 0; k < 5; k++) cli_put_na(w);
}

static void put_group(cli_writer_t *w, const describe_t *d, const char *key, const size_t *rows,
                      size_t nrows, void *const scratch[2], column_summary_t *summaries) {
  size_t ncols = vagap_table_ncols(d->table);
  summarise_group(d, rows, nrows, scratch, summaries);
  for (size_t j = 0; j < ncols; j++) {
    if (j == d->by) continue;
    if (d->by != (size_t)-1) {
      if (vagap_table_is_na(d->table, rows[0], d->by)) cli_put_na(w);
      else cli_put_str(w, key);
    }
    cli_put_str(w, vagap_table_colname(d->table, j));
    cli_put_str(w, d->numeric[j] ? "numeric" : "text");
    put_summary(w, d->numeric[j] != NULL, &summaries[j]);
  }
}

static int write_summaries(const cli_common_t *c, const describe_t *d) {
  const char *names[NCOLUMNS + 1];
  size_t k = 0;
  if (d->by != (size_t)-1) names[k++] = vagap_table_colname(d->table, d->by);
  for (size_t j = 0; j < NCOLUMNS; j++) names[k++] = COLUMNS[j];

  size_t n = vagap_table_nrows(d->table), ncols = vagap_table_ncols(d->table);
  int grouped = d->by != (size_t)-1;
  size_t *order = grouped ? rows_in_group_order(d) : NULL;
  /* per thread: a group's values (with --by) and a work copy */
  size_t per_thread = (grouped ? 2 : 1) * (n ? n : 1) * sizeof(double);
  void *scratch[2] = {malloc(per_thread), NULL};
  if (n >= THREADED_SUMMARY_ROWS && two_cpus()) scratch[1] = malloc(per_thread); /* optional */
  column_summary_t *summaries = calloc(ncols ? ncols : 1, sizeof *summaries);
  cli_writer_t *w = NULL;
  int rc = CLI_EXIT_DATA;
  if ((grouped && !order) || !scratch[0] || !summaries) {
    fputs("vagap: out of memory\n", stderr);
    goto done;
  }
  if (!(w = cli_writer_open(c, names, k))) goto done;
  size_t start = 0;
  while (start < n || (start == 0 && !grouped)) {
    size_t end = n;
    const char *key = NULL;
    if (grouped) {
      key = vagap_table_cell(d->table, order[start], d->by, NULL);
      for (end = start + 1; end < n && strcmp(vagap_table_cell(d->table, order[end], d->by, NULL), key) == 0;)
        end++;
    }
    /* without --by the one group is every row in file order */
    const size_t *rows = grouped ? order + start : NULL;
    put_group(w, d, key, rows, end - start, scratch, summaries);
    start = end;
    if (n == 0) break;
  }
  rc = cli_writer_close(w);
done:
  free(order);
  free(scratch[0]);
  free(scratch[1]);
  free(summaries);
  return rc;
}

/* ---- column typing ------------------------------------------------------------- */

/* The table converted every all-number column while it was read (infer_numbers). */
static int type_columns(describe_t *d) {
  size_t ncols = vagap_table_ncols(d->table);
  d->numeric = calloc(ncols ? ncols : 1, sizeof *d->numeric);
  if (!d->numeric) return -1;
  for (size_t j = 0; j < ncols; j++) d->numeric[j] = vagap_table_inferred_numbers(d->table, j);
  return 0;
}

static void free_describe(describe_t *d) { free(d->numeric); }

/* Decimal digits outside ASCII in UTF-8: Arabic-Indic, Extended Arabic-Indic,
   Devanagari and fullwidth digits, the ones data files carry most. */
static int has_other_digits(const unsigned char *s, size_t len) {
  for (size_t i = 0; i + 1 < len; i++) {
    if ((s[i] == 0xD9 && s[i + 1] >= 0xA0 && s[i + 1] <= 0xA9) ||
        (s[i] == 0xDB && s[i + 1] >= 0xB0 && s[i + 1] <= 0xB9))
      return 1;
    if (i + 2 < len && ((s[i] == 0xE0 && s[i + 1] == 0xA5 && s[i + 2] >= 0xA6 && s[i + 2] <= 0xAF) ||
                        (s[i] == 0xEF && s[i + 1] == 0xBC && s[i + 2] >= 0x90 && s[i + 2] <= 0x99)))
      return 1;
  }
  return 0;
}

/*
 * A column typed as text because of a cell that looks like a number
 * (0x1p3, 1_000, 1,5, inf, 1e999, Arabic-Indic digits) gets a note on stderr
 * naming the cell, so that a column meant to be numeric does not pass for
 * text without a word.  Only the first cell that is not a number is looked
 * at: it is the one that decided the type.
 */
static void note_number_like_text(const cli_common_t *c, const vagap_table_t *t, size_t j) {
  size_t n = vagap_table_nrows(t);
  for (size_t i = 0; i < n; i++) {
    if (vagap_table_is_na(t, i, j)) continue;
    size_t len;
    const char *cell = vagap_table_cell(t, i, j, &len);
    double x;
    vagap_error_t err;
    if (vagap_parse_double(cell, len, &x, &err) == VAGAP_OK) continue;
    int other_digits = has_other_digits((const unsigned char *)cell, len);
    if (strchr(err.message, '(') || strpbrk(cell, "0123456789") || other_digits)
      fprintf(stderr, "vagap %s: note: column '%s' is typed as text: %s:%ld: %s%s\n", c->command,
              vagap_table_colname(t, j), vagap_table_source(t), vagap_table_line(t, i), err.message,
              other_digits ? " (digits other than 0-9 are not read as numbers)" : "");
    return;
  }
}

int cmd_describe(int argc, char **argv) {
  cli_common_t c;
  cli_common_init(&c, "describe");
  const char *by = NULL;
  static const struct option options[] = {{"by", required_argument, 0, OPT_BY},
                                          CLI_COMMON_LONG_OPTIONS, {0, 0, 0, 0}};
  int opt;
  while ((opt = cli_getopt(&c, argc, argv, options)) != -1) {
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
  vagap_ledger_t *ledger = cli_ledger_alloc(&c);
  vagap_table_t *table = NULL;
  describe_t d = {0};
  int rc = CLI_EXIT_DATA;
  if (!ledger) goto done;
  c.table.infer_numbers = 1;
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
  for (size_t j = 0; j < vagap_table_ncols(table); j++)
    if (!d.numeric[j] && j != d.by) note_number_like_text(&c, table, j);
  rc = write_summaries(&c, &d);
  if (rc == CLI_EXIT_OK) rc = cli_finish_ledger(&c, ledger);
done:
  free_describe(&d);
  vagap_table_free(table);
  vagap_ledger_free(ledger);
  return rc;
}
