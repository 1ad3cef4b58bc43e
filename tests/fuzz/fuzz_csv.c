/*
 * Fuzz the CSV reader: the in-memory table, the streaming reader and number
 * parsing of every cell.  The first input byte picks options (delimiter, a
 * tiny field cap) so that those paths are explored too.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "vagap/vagap.h"

static void read_table(const uint8_t *data, size_t size, const vagap_table_options_t *opt) {
  vagap_ledger_t *ledger = vagap_ledger_alloc();
  vagap_table_t *t = NULL;
  vagap_error_t err;
  if (vagap_table_read_memory(&t, "fuzz", data, size, opt, ledger, &err) == VAGAP_OK) {
    size_t n = vagap_table_nrows(t), p = vagap_table_ncols(t);
    double *x = malloc((n ? n : 1) * sizeof *x);
    for (size_t j = 0; j < p && x; j++) vagap_table_numeric(t, j, x, &err);
    free(x);
    size_t j;
    vagap_table_column(t, "x", &j, &err);
  }
  vagap_table_free(t);
  vagap_ledger_free(ledger);
}

static void stream(const uint8_t *data, size_t size, const vagap_table_options_t *opt) {
  vagap_reader_t *r = NULL;
  vagap_error_t err;
  if (vagap_reader_open_memory(&r, "fuzz", data, size, opt, NULL, &err) != VAGAP_OK) return;
  vagap_row_t row;
  int has = 1;
  while (has && vagap_reader_next(r, &row, &has, &err) == VAGAP_OK && has) {
    double v;
    for (size_t j = 0; j < row.nfields; j++) vagap_reader_number(r, &row, j, &v, &err);
  }
  vagap_reader_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  vagap_table_options_t opt;
  vagap_table_options_init(&opt);
  uint8_t mode = data[0];
  static const char delims[] = {',', '\t', ';', '|'};
  opt.delim = delims[mode & 3];
  if (mode & 4) opt.max_field_bytes = 16;
  if (mode & 8) opt.max_columns = 4;
  if (mode & 16) opt.na = "NA,-";
  read_table(data + 1, size - 1, &opt);
  stream(data + 1, size - 1, &opt);
  double v;
  vagap_parse_double((const char *)data + 1, size - 1, &v, NULL);
  return 0;
}
