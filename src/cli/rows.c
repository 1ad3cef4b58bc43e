/* Streaming rows and shared field helpers of the log readers (see rows.h). */
#include "rows.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int cli_read_rows(const char *path, const vagap_table_options_t *topt, vagap_ledger_t *ledger,
                  const char *const *names, size_t ncols, cli_row_fn fn, void *ctx) {
  vagap_error_t err;
  vagap_reader_t *r = NULL;
  if (vagap_reader_open(&r, path, topt, ledger, &err) != VAGAP_OK) return cli_report_error(&err);
  size_t col[CLI_ROWS_MAX_COLUMNS];
  int rc = 0;
  for (size_t k = 0; k < ncols && rc == 0; k++)
    if (vagap_reader_column(r, names[k], &col[k], &err) != VAGAP_OK) rc = cli_report_error(&err);
  while (rc == 0) {
    vagap_row_t row;
    int has_row;
    if (vagap_reader_next(r, &row, &has_row, &err) != VAGAP_OK) {
      rc = cli_report_error(&err);
      break;
    }
    if (!has_row) break;
    rc = fn(ctx, r, &row, col);
  }
  vagap_reader_close(r);
  return rc;
}

int cli_out_of_memory(void) {
  fputs("vagap: out of memory\n", stderr);
  return -1;
}

int cli_exclude_line(vagap_ledger_t *ledger, size_t source, long line, const char *reason) {
  if (vagap_ledger_exclude(ledger, source, line, reason) != VAGAP_OK) return cli_out_of_memory();
  return 0;
}

int cli_column(const vagap_table_t *t, const char *name, size_t *j) {
  vagap_error_t err;
  if (vagap_table_column(t, name, j, &err) != VAGAP_OK) {
    cli_report_error(&err);
    return -1;
  }
  return 0;
}

double *cli_numeric_column(const vagap_table_t *t, size_t j) {
  size_t n = vagap_table_nrows(t);
  double *v = malloc((n ? n : 1) * sizeof *v);
  if (!v) {
    fputs("vagap: out of memory\n", stderr);
    return NULL;
  }
  vagap_error_t err;
  if (vagap_table_numeric(t, j, v, &err) != VAGAP_OK) {
    cli_report_error(&err);
    free(v);
    return NULL;
  }
  return v;
}

int cli_exclude_row(vagap_ledger_t *ledger, const vagap_table_t *t, size_t row, const char *reason) {
  return cli_exclude_line(ledger, vagap_table_source_id(t), vagap_table_line(t, row), reason);
}

int cli_screen_numbers(const vagap_table_options_t *topt, vagap_table_t *t,
                       vagap_ledger_t *ledger, const size_t *cols, size_t n) {
  if (!topt->exclude_bad_rows) return 0;
  vagap_error_t err;
  if (vagap_table_exclude_non_numbers(t, cols, n, ledger, &err) != VAGAP_OK) return cli_out_of_memory();
  return 0;
}

int cli_screen_named(const vagap_table_options_t *topt, vagap_table_t *t, vagap_ledger_t *ledger,
                     const char *const *names, size_t n) {
  if (!topt->exclude_bad_rows) return 0;
  size_t *cols = malloc((n ? n : 1) * sizeof *cols), m = 0;
  if (!cols) return cli_out_of_memory();
  for (size_t k = 0; k < n; k++)
    if (names[k] && vagap_table_column(t, names[k], &cols[m], NULL) == VAGAP_OK) m++;
  int rc = cli_screen_numbers(topt, t, ledger, cols, m);
  free(cols);
  return rc;
}

int cli_row_number(const vagap_table_options_t *topt, vagap_ledger_t *ledger,
                   const vagap_reader_t *r, const vagap_row_t *row, size_t j, double *out) {
  vagap_error_t err;
  if (vagap_reader_number(r, row, j, out, &err) == VAGAP_OK) return 0;
  if (!topt->exclude_bad_rows || err.status != VAGAP_EDATA) return cli_report_error(&err), -1;
  char reason[VAGAP_ERROR_MESSAGE_MAX];
  /* the located message already names the column: "column 'C': ..." */
  snprintf(reason, sizeof reason, "%.900s", err.message);
  if (cli_exclude_line(ledger, vagap_reader_source_id(r), row->line, reason)) return -1;
  return 1;
}
