/*
 * Fuzz the CSV reader: the in-memory table, the streaming reader and number
 * parsing of every cell, and check that cutting the input into segments
 * parsed on threads changes nothing.
 *
 * Input layout:
 *   byte 0  segment_bytes 1 + (b & 31), threads 1 + ((b >> 5) & 3) % 3, for a
 *           second read of the data that must give exactly what a read of the
 *           whole data as one segment on one thread gives (the same rows with
 *           their lines, ledger, status and error, and with bit 7 set, which
 *           turns on infer_numbers for the tables, the same inferred columns,
 *           and every cell of such a typed table as read without infer_numbers);
 *           abort() when it does not
 *   byte 1  options: bits 0-1 delimiter (, TAB ; |), bit 2 max_field_bytes 16,
 *           bit 3 max_columns 4, bit 4 missing tokens "NA,-"; bits 5 and 7
 *           both set put the data behind blank lines so that the reader's first
 *           read (256 KiB, taken whole while it looks for the header) ends
 *           inside the data, at 1/4 of it or (bit 6) at 3/4: only after that
 *           read are segments of about segment_bytes cut (data shorter than that
 *           read is cut at most once, after its last row end).  Such inputs
 *           cost ~15 times more, hence 1 in 4 and none for text seeds.
 *   the rest: the CSV data
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vagap/vagap.h"

#define FIRST_READ ((size_t)1 << 18) /* READ_BYTES in src/lib/table.c */

/* ---- outcomes: everything a caller can observe, as bytes to compare ---- */

typedef struct {
  char *s;
  size_t len, cap;
} outcome_t;

static void put(outcome_t *o, const void *s, size_t n) {
  if (o->len + n > o->cap) {
    size_t cap = o->cap ? o->cap : 4096;
    while (cap < o->len + n) cap *= 2;
    char *p = realloc(o->s, cap);
    if (!p) abort();
    o->s = p;
    o->cap = cap;
  }
  memcpy(o->s + o->len, s, n);
  o->len += n;
}

static void put_size(outcome_t *o, size_t v) { put(o, &v, sizeof v); }
static void put_long(outcome_t *o, long v) { put(o, &v, sizeof v); }

static void put_text(outcome_t *o, const char *s, size_t n) {
  put_size(o, n);
  put(o, s, n);
}

static void put_error(outcome_t *o, vagap_status_t st, const vagap_error_t *err) {
  put_size(o, (size_t)st);
  if (st == VAGAP_OK) return;
  put_text(o, err->file, strlen(err->file));
  put_long(o, err->line);
  put_long(o, err->column);
  put_text(o, err->message, strlen(err->message));
}

static void put_ledger(outcome_t *o, const vagap_ledger_t *ledger) {
  size_t excluded = vagap_ledger_rows_excluded(ledger);
  put_size(o, vagap_ledger_rows_read(ledger));
  put_size(o, excluded);
  for (size_t i = 0; i < excluded; i++) {
    const vagap_exclusion_t *e = vagap_ledger_exclusion(ledger, i);
    put_size(o, e->source);
    put_long(o, e->line);
    put_text(o, e->reason, strlen(e->reason));
  }
}

/* ---- the two ways to read ---- */

/* A table kept as typed columns gives every cell's text exactly as the plain table; abort() if not. */
static void same_cells_as_plain(const vagap_table_t *typed, const uint8_t *data, size_t size,
                                const vagap_table_options_t *opt) {
  vagap_table_options_t plain_opt = *opt;
  plain_opt.infer_numbers = 0;
  vagap_table_t *plain = NULL;
  if (vagap_table_read_memory(&plain, "fuzz", data, size, &plain_opt, NULL, NULL) != VAGAP_OK) abort();
  size_t n = vagap_table_nrows(plain), p = vagap_table_ncols(plain);
  if (n != vagap_table_nrows(typed)) abort();
  for (size_t i = 0; i < n; i++) {
    if (vagap_table_line(plain, i) != vagap_table_line(typed, i)) abort();
    for (size_t j = 0; j < p; j++) {
      size_t la, lb;
      const char *a = vagap_table_cell(plain, i, j, &la), *b = vagap_table_cell(typed, i, j, &lb);
      if (la != lb || memcmp(a, b, la) != 0 || vagap_table_is_na(plain, i, j) != vagap_table_is_na(typed, i, j))
        abort();
    }
  }
  vagap_table_free(plain);
}

static void read_table(const uint8_t *data, size_t size, const vagap_table_options_t *opt,
                       int exercise, outcome_t *o) {
  vagap_ledger_t *ledger = vagap_ledger_alloc();
  if (!ledger) abort();
  vagap_table_t *t = NULL;
  vagap_error_t err;
  vagap_error_clear(&err);
  vagap_status_t st = vagap_table_read_memory(&t, "fuzz", data, size, opt, ledger, &err);
  if (st == VAGAP_OK) {
    size_t n = vagap_table_nrows(t), p = vagap_table_ncols(t);
    put_size(o, n);
    put_size(o, p);
    for (size_t j = 0; j < p; j++) put_text(o, vagap_table_colname(t, j), strlen(vagap_table_colname(t, j)));
    for (size_t i = 0; i < n; i++) {
      put_long(o, vagap_table_line(t, i));
      for (size_t j = 0; j < p; j++) {
        size_t len;
        const char *cell = vagap_table_cell(t, i, j, &len);
        put_text(o, cell, len);
      }
    }
    for (size_t j = 0; j < p && opt->infer_numbers; j++) {
      const double *x = vagap_table_inferred_numbers(t, j);
      put_size(o, x != NULL);
      for (size_t i = 0; x && i < n; i++) {
        double v = isnan(x[i]) ? NAN : x[i]; /* one NaN */
        put(o, &v, sizeof v);
      }
    }
    if (opt->infer_numbers) same_cells_as_plain(t, data, size, opt);
    if (exercise) {
      vagap_error_t e2;
      double *x = malloc((n ? n : 1) * sizeof *x);
      for (size_t j = 0; j < p && x; j++) vagap_table_numeric(t, j, x, &e2);
      free(x);
      size_t j;
      vagap_table_column(t, "x", &j, &e2);
    }
  }
  put_error(o, st, &err);
  put_ledger(o, ledger);
  vagap_table_free(t);
  vagap_ledger_free(ledger);
}

static void stream(const uint8_t *data, size_t size, const vagap_table_options_t *opt, int exercise,
                   outcome_t *o) {
  vagap_ledger_t *ledger = vagap_ledger_alloc();
  if (!ledger) abort();
  vagap_reader_t *r = NULL;
  vagap_error_t err;
  vagap_error_clear(&err);
  vagap_status_t st = vagap_reader_open_memory(&r, "fuzz", data, size, opt, ledger, &err);
  if (st == VAGAP_OK) {
    put_size(o, vagap_reader_ncols(r));
    vagap_row_t row;
    int has = 0;
    while ((st = vagap_reader_next(r, &row, &has, &err)) == VAGAP_OK && has) {
      /* the row, and the ledger as it stands when the row is handed out */
      put_long(o, row.line);
      put_size(o, vagap_ledger_rows_read(ledger));
      put_size(o, vagap_ledger_rows_excluded(ledger));
      put_size(o, row.nfields);
      for (size_t j = 0; j < row.nfields; j++) put_text(o, row.fields[j], row.lengths[j]);
      if (exercise) {
        vagap_error_t e2;
        double v;
        for (size_t j = 0; j < row.nfields; j++) vagap_reader_number(r, &row, j, &v, &e2);
      }
    }
  }
  put_error(o, st, &err);
  put_ledger(o, ledger);
  vagap_reader_close(r);
  vagap_ledger_free(ledger);
}

static void compare(const char *what, const outcome_t *whole, const outcome_t *cut,
                    const vagap_table_options_t *opt) {
  if (whole->len == cut->len && memcmp(whole->s, cut->s, whole->len) == 0) return;
  size_t at = 0;
  while (at < whole->len && at < cut->len && whole->s[at] == cut->s[at]) at++;
  fprintf(stderr,
          "fuzz_csv: %s read with segment_bytes %zu and %zu threads differs from the whole-input "
          "read (outcomes of %zu and %zu bytes part at byte %zu)\n",
          what, opt->segment_bytes, opt->threads, whole->len, cut->len, at);
  abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2) return 0;
  vagap_table_options_t opt;
  vagap_table_options_init(&opt);
  uint8_t cut = data[0], mode = data[1];
  static const char delims[] = {',', '\t', ';', '|'};
  opt.delim = delims[mode & 3];
  if (mode & 4) opt.max_field_bytes = 16;
  if (mode & 8) opt.max_columns = 4;
  if (mode & 16) opt.na = "NA,-";
  opt.infer_numbers = cut >> 7;
  const uint8_t *csv = data + 2;
  size_t len = size - 2;

  uint8_t *padded = NULL;
  if ((mode & 0xA0) == 0xA0 && len) {
    /* blank lines (spaces, LF) before the data, which the reader skips before the header */
    size_t boundary = (mode & 0x40) ? len * 3 / 4 : len / 4, fill = FIRST_READ - boundary;
    padded = malloc(fill + len);
    if (!padded) return 0;
    memset(padded, ' ', fill);
    for (size_t i = 999; i < fill; i += 1000) padded[i] = '\n';
    padded[fill - 1] = '\n';
    memcpy(padded + fill, csv, len);
    csv = padded;
    len += fill;
  }

  /* the whole input as one segment, on one thread */
  vagap_table_options_t whole = opt;
  whole.segment_bytes = len + 1;
  whole.threads = 1;
  /* segments of 1-32 bytes on 1-3 threads */
  vagap_table_options_t pieces = opt;
  pieces.segment_bytes = 1 + (cut & 31u);
  pieces.threads = 1 + (size_t)((cut >> 5) & 3) % 3;

  outcome_t a = {0}, b = {0};
  read_table(csv, len, &whole, 1, &a);
  read_table(csv, len, &pieces, 0, &b);
  compare("table", &a, &b, &pieces);
  a.len = b.len = 0;
  stream(csv, len, &whole, 1, &a);
  stream(csv, len, &pieces, 0, &b);
  compare("streaming", &a, &b, &pieces);
  free(a.s);
  free(b.s);
  free(padded);

  double v;
  vagap_parse_double((const char *)data + 2, size - 2, &v, NULL);
  return 0;
}
