/* Tests of forgiving input: --bad-rows exclude for ragged rows, encodings, the repair
   of invalid UTF-8, the decimal comma, the separator hint, dropping rows, progress. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vagap/vagap.h"

static vagap_table_t *read_with(const void *data, size_t size, const vagap_table_options_t *opt,
                                vagap_ledger_t *ledger) {
  vagap_table_t *t = NULL;
  vagap_error_t err;
  vagap_status_t st = vagap_table_read_memory(&t, "mem.csv", data, size, opt, ledger, &err);
  if (st != VAGAP_OK) fail_msg("unexpected error: %s", err.message);
  return t;
}

static void test_ragged_rows_excluded_on_request(void **state) {
  (void)state;
  const char *text = "a,b\n1,2\n3,4,5\n\n6\n7,8\n";
  vagap_table_options_t opt;
  vagap_table_options_init(&opt);
  vagap_error_t err;
  vagap_table_t *t = NULL;
  assert_int_equal(vagap_table_read_memory(&t, "mem.csv", text, strlen(text), &opt, NULL, &err),
                   VAGAP_EPARSE);
  assert_int_equal(err.line, 3);
  opt.exclude_bad_rows = 1;
  vagap_ledger_t *ledger = vagap_ledger_alloc();
  t = read_with(text, strlen(text), &opt, ledger);
  assert_int_equal(vagap_table_nrows(t), 2);
  assert_string_equal(vagap_table_cell(t, 1, 1, NULL), "8");
  assert_int_equal(vagap_table_line(t, 1), 6);
  assert_int_equal(vagap_ledger_rows_read(ledger), 5);
  assert_int_equal(vagap_ledger_rows_excluded(ledger), 3);
  const vagap_exclusion_t *e = vagap_ledger_exclusion(ledger, 0);
  assert_int_equal(e->line, 3);
  assert_string_equal(e->reason, "ragged row: 3 fields where the header has 2");
  assert_string_equal(vagap_ledger_exclusion(ledger, 1)->reason, "blank line");
  assert_int_equal(vagap_ledger_exclusion(ledger, 2)->line, 5);
  assert_string_equal(vagap_ledger_exclusion(ledger, 2)->reason,
                      "ragged row: 1 fields where the header has 2");
  vagap_table_free(t);
  vagap_ledger_free(ledger);
}

/* Many small segments on several threads: the same rows and exclusions in order. */
static void test_ragged_rows_across_segments(void **state) {
  (void)state;
  size_t n = 5000, cap = n * 16 + 16, len = 0;
  char *text = malloc(cap);
  len += (size_t)sprintf(text, "a,b\n");
  for (size_t i = 0; i < n; i++)
    len += (size_t)sprintf(text + len, i % 7 == 3 ? "%zu\n" : "%zu,%zu\n", i, i);
  vagap_table_options_t opt;
  vagap_table_options_init(&opt);
  opt.exclude_bad_rows = 1;
  opt.segment_bytes = 64;
  opt.threads = 3;
  vagap_ledger_t *ledger = vagap_ledger_alloc();
  vagap_table_t *t = read_with(text, len, &opt, ledger);
  size_t bad = 0;
  for (size_t i = 0; i < n; i++) bad += i % 7 == 3;
  assert_int_equal(vagap_table_nrows(t), n - bad);
  assert_int_equal(vagap_ledger_rows_excluded(ledger), bad);
  long previous = 0;
  for (size_t k = 0; k < bad; k++) {
    long line = vagap_ledger_exclusion(ledger, k)->line;
    assert_true(line > previous);
    assert_int_equal((line - 2) % 7, 3); /* row i is on line i + 2 */
    previous = line;
  }
  vagap_table_free(t);
  vagap_ledger_free(ledger);
  free(text);
}

static void test_utf16_bom_is_decoded_by_itself(void **state) {
  (void)state;
  /* "a,b\r\n1,Zo\u00eb\r\n" in UTF-16LE with its mark */
  const unsigned char le[] = {0xFF, 0xFE, 'a', 0, ',', 0, 'b', 0, '\r', 0, '\n', 0, '1', 0, ',', 0,
                              'Z', 0, 'o', 0, 0xEB, 0, '\r', 0, '\n', 0};
  vagap_table_t *t = read_with(le, sizeof le, NULL, NULL);
  assert_int_equal(vagap_table_nrows(t), 1);
  assert_string_equal(vagap_table_colname(t, 0), "a");
  assert_string_equal(vagap_table_cell(t, 0, 1, NULL), "Zo\xc3\xab");
  vagap_table_free(t);
  /* big-endian, named as bare UTF-16 */
  const unsigned char be[] = {0xFE, 0xFF, 0, 'x', 0, '\n', 0, '2', 0, '\n'};
  vagap_table_options_t opt;
  vagap_table_options_init(&opt);
  opt.encoding = "utf-16";
  t = read_with(be, sizeof be, &opt, NULL);
  assert_string_equal(vagap_table_cell(t, 0, 0, NULL), "2");
  vagap_table_free(t);
}

static void test_cp1252_and_unknown_encoding(void **state) {
  (void)state;
  const char *text = "name;x\n5\x80 cr\xe8me;1,5\n";
  vagap_table_options_t opt;
  vagap_table_options_init(&opt);
  opt.encoding = "CP1252";
  opt.delim = ';';
  opt.decimal_comma = 1;
  vagap_table_t *t = read_with(text, strlen(text), &opt, NULL);
  assert_string_equal(vagap_table_cell(t, 0, 0, NULL), "5\xe2\x82\xac cr\xc3\xa8me");
  double x;
  vagap_error_t err;
  assert_int_equal(vagap_table_numeric(t, 1, &x, &err), VAGAP_OK);
  assert_true(x == 1.5);
  vagap_table_free(t);
  opt.encoding = "no-such-encoding";
  t = NULL;
  assert_int_equal(vagap_table_read_memory(&t, "mem.csv", text, strlen(text), &opt, NULL, &err),
                   VAGAP_EINVAL);
  assert_non_null(strstr(err.message, "unknown encoding"));
  /* a byte that is not valid in the named encoding is located */
  opt.encoding = "UTF-16LE";
  const unsigned char odd[] = {'a', 0, '\n', 0, '1'};
  assert_int_equal(vagap_table_read_memory(&t, "mem.csv", odd, sizeof odd, &opt, NULL, &err),
                   VAGAP_EDATA);
}

typedef struct {
  int calls;
  char message[1024];
} warnings_t;

static void collect_warning(const char *message, void *ctx) {
  warnings_t *w = ctx;
  w->calls++;
  snprintf(w->message, sizeof w->message, "%s", message);
}

static void test_invalid_utf8_is_replaced_with_one_warning(void **state) {
  (void)state;
  /* Latin-1 e-acute, an overlong slash, a lone continuation byte, a surrogate; valid 4 bytes kept */
  const char *text = "n\xe9m,b\nok,x\n\xc0\xaf,\x80y\n\xed\xa0\x80,\xf0\x9f\x98\x80\n";
  warnings_t w = {0, ""};
  vagap_table_options_t opt;
  vagap_table_options_init(&opt);
  opt.warn = collect_warning;
  opt.warn_ctx = &w;
  vagap_table_t *t = read_with(text, strlen(text), &opt, NULL);
  assert_string_equal(vagap_table_colname(t, 0), "n?m");
  assert_string_equal(vagap_table_cell(t, 1, 0, NULL), "??");
  assert_string_equal(vagap_table_cell(t, 1, 1, NULL), "?y");
  assert_string_equal(vagap_table_cell(t, 2, 0, NULL), "???");
  assert_string_equal(vagap_table_cell(t, 2, 1, NULL), "\xf0\x9f\x98\x80");
  assert_int_equal(w.calls, 1);
  assert_non_null(strstr(w.message, "mem.csv:1:1: 7 bytes of invalid UTF-8"));
  assert_non_null(strstr(w.message, "0xE9"));
  vagap_table_free(t);
}

static void test_streaming_reader_repairs_and_warns_at_the_end(void **state) {
  (void)state;
  const char *text = "a\nfine\nbad\xff\n";
  warnings_t w = {0, ""};
  vagap_table_options_t opt;
  vagap_table_options_init(&opt);
  opt.warn = collect_warning;
  opt.warn_ctx = &w;
  vagap_reader_t *r = NULL;
  vagap_error_t err;
  assert_int_equal(vagap_reader_open_memory(&r, "s.csv", text, strlen(text), &opt, NULL, &err),
                   VAGAP_OK);
  vagap_row_t row;
  int has;
  assert_int_equal(vagap_reader_next(r, &row, &has, &err), VAGAP_OK);
  assert_int_equal(vagap_reader_next(r, &row, &has, &err), VAGAP_OK);
  assert_string_equal(row.fields[0], "bad?");
  assert_int_equal(w.calls, 0);
  assert_int_equal(vagap_reader_next(r, &row, &has, &err), VAGAP_OK);
  assert_int_equal(has, 0);
  assert_int_equal(w.calls, 1);
  assert_non_null(strstr(w.message, "s.csv:3:1: 1 byte of invalid UTF-8"));
  vagap_reader_close(r);
}

static void test_decimal_comma_numbers(void **state) {
  (void)state;
  double x;
  vagap_error_t err;
  assert_int_equal(vagap_parse_double_mark("1,5", 3, 1, &x, &err), VAGAP_OK);
  assert_true(x == 1.5);
  assert_int_equal(vagap_parse_double_mark("-0,125e2", 8, 1, &x, &err), VAGAP_OK);
  assert_true(x == -12.5);
  assert_int_equal(vagap_parse_double_mark("1.5", 3, 1, &x, &err), VAGAP_EDATA);
  assert_non_null(strstr(err.message, "decimal comma"));
  assert_int_equal(vagap_parse_double_mark("1.234,5", 7, 1, &x, &err), VAGAP_EDATA);
  assert_int_equal(vagap_parse_double_mark("1,2,3", 5, 1, &x, &err), VAGAP_EDATA);
  assert_int_equal(vagap_parse_double_mark("1.5", 3, 0, &x, &err), VAGAP_OK);
  assert_int_equal(vagap_parse_double_mark("1,5", 3, 0, &x, &err), VAGAP_EDATA);
}

static void test_one_field_header_names_the_separator(void **state) {
  (void)state;
  const char *text = "a;b;c\n1;2;3\n";
  vagap_table_t *t = read_with(text, strlen(text), NULL, NULL);
  size_t j;
  vagap_error_t err;
  assert_int_equal(vagap_table_column(t, "b", &j, &err), VAGAP_ECOLUMN);
  assert_non_null(strstr(err.message, "separated by semicolons (--delim ';')"));
  vagap_table_free(t);
  const char *tabs = "a\tb\n1,5\t2\n";
  t = NULL;
  assert_int_equal(vagap_table_read_memory(&t, "t.csv", tabs, strlen(tabs), NULL, NULL, &err),
                   VAGAP_EPARSE);
  assert_non_null(strstr(err.message, "ragged row"));
  assert_non_null(strstr(err.message, "separated by tabs (--delim tab)"));
}

static void test_drop_rows_keeps_order_and_numbers(void **state) {
  (void)state;
  const char *text = "x,y\n1,a\n2,b\n3,c\n4,d\n";
  vagap_table_options_t opt;
  vagap_table_options_init(&opt);
  opt.infer_numbers = 1;
  vagap_table_t *t = read_with(text, strlen(text), &opt, NULL);
  const unsigned char drop[] = {0, 1, 0, 1};
  assert_int_equal(vagap_table_drop_rows(t, drop, NULL), VAGAP_OK);
  assert_int_equal(vagap_table_nrows(t), 2);
  assert_string_equal(vagap_table_cell(t, 1, 1, NULL), "c");
  assert_int_equal(vagap_table_line(t, 1), 4);
  const double *x = vagap_table_inferred_numbers(t, 0);
  assert_non_null(x);
  assert_true(x[0] == 1 && x[1] == 3);
  vagap_table_free(t);
}

typedef struct {
  size_t calls, last_done, last_total, bytes;
} progress_t;

static void count_progress(const char *source, size_t done, size_t total, void *ctx) {
  (void)source;
  progress_t *p = ctx;
  assert_true(done >= p->last_done); /* never backwards */
  p->calls++;
  p->last_done = done;
  p->last_total = total;
}

static void test_progress_reaches_the_end(void **state) {
  (void)state;
  size_t n = 20000, len = 0;
  char *text = malloc(n * 12 + 8);
  len += (size_t)sprintf(text, "a,b\n");
  for (size_t i = 0; i < n; i++) len += (size_t)sprintf(text + len, "%zu,%zu\n", i, i % 9);
  progress_t p = {0, 0, 0, 0};
  vagap_table_options_t opt;
  vagap_table_options_init(&opt);
  opt.segment_bytes = 4096;
  opt.progress = count_progress;
  opt.progress_ctx = &p;
  vagap_table_t *t = read_with(text, len, &opt, NULL);
  assert_int_equal(vagap_table_nrows(t), n);
  assert_true(p.calls > 10);
  assert_int_equal(p.last_done, len - 4); /* the rows' bytes: all after the header */
  assert_int_equal(p.last_total, p.last_done);
  vagap_table_free(t);
  free(text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ragged_rows_excluded_on_request),
      cmocka_unit_test(test_ragged_rows_across_segments),
      cmocka_unit_test(test_utf16_bom_is_decoded_by_itself),
      cmocka_unit_test(test_cp1252_and_unknown_encoding),
      cmocka_unit_test(test_invalid_utf8_is_replaced_with_one_warning),
      cmocka_unit_test(test_streaming_reader_repairs_and_warns_at_the_end),
      cmocka_unit_test(test_decimal_comma_numbers),
      cmocka_unit_test(test_one_field_header_names_the_separator),
      cmocka_unit_test(test_drop_rows_keeps_order_and_numbers),
      cmocka_unit_test(test_progress_reaches_the_end),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
