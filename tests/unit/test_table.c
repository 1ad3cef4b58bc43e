/* Tests of the CSV reader, the in-memory table and number parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "vagap/vagap.h"

/* ---- helpers ------------------------------------------------------------------- */

static vagap_table_t *read_ok(const char *text, vagap_ledger_t *ledger) {
  vagap_table_t *t = NULL;
  vagap_error_t err;
  vagap_status_t st = vagap_table_read_memory(&t, "mem.csv", text, strlen(text), NULL, ledger, &err);
  if (st != VAGAP_OK) fprintf(stderr, "unexpected error: %s\n", err.message);
  assert_int_equal(st, VAGAP_OK);
  return t;
}

/* Read text that must fail; check status, line, column and a message fragment. */
static void read_fails(const char *text, size_t size, const vagap_table_options_t *opt,
                       vagap_status_t status, long line, long column, const char *fragment) {
  vagap_table_t *t = NULL;
  vagap_error_t err;
  vagap_error_clear(&err);
  vagap_status_t st = vagap_table_read_memory(&t, "bad.csv", text, size, opt, NULL, &err);
  assert_int_equal(st, status);
  assert_null(t);
  assert_string_equal(err.file, "bad.csv");
  assert_int_equal(err.line, line);
  assert_int_equal(err.column, column);
  if (!strstr(err.message, fragment)) fail_msg("message '%s' lacks '%s'", err.message, fragment);
}

static void assert_cell(const vagap_table_t *t, size_t i, size_t j, const char *expected) {
  assert_string_equal(vagap_table_cell(t, i, j, NULL), expected);
}

/* ---- reading --------------------------------------------------------------------- */

static void test_basic_table(void **state) {
  (void)state;
  vagap_table_t *t = read_ok("a,b\n1,x\n2,y\n", NULL);
  assert_int_equal(vagap_table_nrows(t), 2);
  assert_int_equal(vagap_table_ncols(t), 2);
  assert_string_equal(vagap_table_colname(t, 1), "b");
  assert_cell(t, 1, 1, "y");
  assert_int_equal(vagap_table_line(t, 0), 2);
  assert_int_equal(vagap_table_line(t, 1), 3);
  vagap_table_free(t);
}

static void test_bom_crlf_and_no_final_newline(void **state) {
  (void)state;
  vagap_table_t *t = read_ok("\xEF\xBB\xBFid,v\r\n1,2\r\n3,4", NULL);
  assert_string_equal(vagap_table_colname(t, 0), "id");
  assert_int_equal(vagap_table_nrows(t), 2);
  assert_cell(t, 0, 1, "2");
  assert_cell(t, 1, 1, "4");
  assert_int_equal(vagap_table_line(t, 1), 3);
  vagap_table_free(t);
}

static void test_cr_only_line_ends(void **state) {
  (void)state;
  vagap_ledger_t *ledger = vagap_ledger_alloc();
  vagap_table_t *t = read_ok("a,b\r1,2\r\r3,4\r", ledger);
  assert_int_equal(vagap_table_nrows(t), 2);
  assert_int_equal(vagap_table_line(t, 0), 2);
  assert_int_equal(vagap_table_line(t, 1), 4);
  assert_int_equal(vagap_ledger_exclusion(ledger, 0)->line, 3); /* the blank line */
  vagap_table_free(t);
  vagap_ledger_free(ledger);
  const char *ragged = "a,b\r1,2\r3\r";
  read_fails(ragged, strlen(ragged), NULL, VAGAP_EPARSE, 3, 2, "ragged row");
}

static void test_quoted_commas_newlines_and_line_numbers(void **state) {
  (void)state;
  vagap_table_t *t = read_ok("k,text\n1,\"a, b\"\n2,\"two\nlines and \"\"quotes\"\"\"\n3,z\n", NULL);
  assert_int_equal(vagap_table_nrows(t), 3);
  assert_cell(t, 0, 1, "a, b");
  assert_cell(t, 1, 1, "two\nlines and \"quotes\"");
  assert_int_equal(vagap_table_line(t, 1), 3); /* the row starts on line 3 */
  assert_int_equal(vagap_table_line(t, 2), 5); /* ... and spans line 4 */
  vagap_table_free(t);
}

static void test_blank_lines_are_excluded_with_their_line(void **state) {
  (void)state;
  vagap_ledger_t *ledger = vagap_ledger_alloc();
  vagap_table_t *t = read_ok("a,b\n1,2\n\n  \n3,4\n", ledger);
  assert_int_equal(vagap_table_nrows(t), 2);
  assert_int_equal(vagap_ledger_rows_read(ledger), 4);
  assert_int_equal(vagap_ledger_rows_excluded(ledger), 2);
  assert_int_equal(vagap_ledger_rows_used(ledger), 2);
  assert_int_equal(vagap_ledger_exclusion(ledger, 0)->line, 3);
  assert_int_equal(vagap_ledger_exclusion(ledger, 1)->line, 4);
  assert_string_equal(vagap_ledger_exclusion(ledger, 0)->reason, "blank line");
  vagap_table_free(t);
  vagap_ledger_free(ledger);
}

static void test_blank_line_inside_quotes_is_data(void **state) {
  (void)state;
  vagap_ledger_t *ledger = vagap_ledger_alloc();
  vagap_table_t *t = read_ok("a,b\n1,\"x\n\ny\"\n", ledger);
  assert_int_equal(vagap_table_nrows(t), 1);
  assert_cell(t, 0, 1, "x\n\ny");
  assert_int_equal(vagap_ledger_rows_excluded(ledger), 0);
  vagap_table_free(t);
  vagap_ledger_free(ledger);
}

static void test_header_only_and_empty(void **state) {
  (void)state;
  vagap_table_t *t = read_ok("a,b\n", NULL);
  assert_int_equal(vagap_table_nrows(t), 0);
  vagap_table_free(t);
  read_fails("", 0, NULL, VAGAP_EPARSE, 1, 0, "empty input");
  read_fails("\n\n", 2, NULL, VAGAP_EPARSE, 1, 0, "empty input");
}

static void test_syntax_errors_are_located(void **state) {
  (void)state;
  const char *ragged = "a,b\n1,2\n3,4,5\n";
  read_fails(ragged, strlen(ragged), NULL, VAGAP_EPARSE, 3, 3, "ragged row: 3 fields where the header has 2");
  const char *short_row = "a,b,c\n1,2\n";
  read_fails(short_row, strlen(short_row), NULL, VAGAP_EPARSE, 2, 3, "ragged row: 2 fields");
  const char *open_quote = "a,b\n1,2\n3,\"never closed\n4,5\n";
  read_fails(open_quote, strlen(open_quote), NULL, VAGAP_EPARSE, 3, 2, "unterminated quoted field");
  const char *after_quote = "a,b\n1,\"x\"y\n";
  read_fails(after_quote, strlen(after_quote), NULL, VAGAP_EPARSE, 2, 2, "text after the closing quote");
  const char *stray = "a,b\n1,x\"y\n";
  read_fails(stray, strlen(stray), NULL, VAGAP_EPARSE, 2, 2, "quote character inside an unquoted field");
  const char nul[] = "a,b\n1,x\0y\n";
  read_fails(nul, sizeof nul - 1, NULL, VAGAP_EPARSE, 2, 2, "NUL byte");
  const char *dup = "a,b,a\n1,2,3\n";
  read_fails(dup, strlen(dup), NULL, VAGAP_ECOLUMN, 1, 3, "duplicated column name 'a'");
}

static void test_field_cap(void **state) {
  (void)state;
  vagap_table_options_t opt;
  vagap_table_options_init(&opt);
  opt.max_field_bytes = 10;
  const char *long_field = "a,b\n1,12345678901\n";
  read_fails(long_field, strlen(long_field), &opt, VAGAP_ELIMIT, 2, 2, "longer than the limit of 10 bytes");
  /* a huge quoted field is refused before it is all buffered */
  size_t n = (size_t)1 << 21;
  char *big = malloc(n + 16);
  strcpy(big, "a\n\"");
  memset(big + 3, 'x', n);
  big[n + 3] = '\0';
  opt.max_field_bytes = 1000;
  read_fails(big, n + 3, &opt, VAGAP_ELIMIT, 2, 1, "longer than the limit");
  free(big);
}

static void test_missing_column_lists_the_columns(void **state) {
  (void)state;
  vagap_table_t *t = read_ok("model,trial,score\n1,2,3\n", NULL);
  size_t j;
  vagap_error_t err;
  assert_int_equal(vagap_table_column(t, "trial", &j, &err), VAGAP_OK);
  assert_int_equal(j, 1);
  assert_int_equal(vagap_table_column(t, "subject", &j, &err), VAGAP_ECOLUMN);
  assert_non_null(strstr(err.message, "no column named 'subject'; the columns are: model, trial, score"));
  vagap_table_free(t);
}

static void test_tsv_and_custom_na(void **state) {
  (void)state;
  vagap_table_options_t opt;
  vagap_table_options_init(&opt);
  opt.delim = '\t';
  opt.na = "-99,.";
  vagap_table_t *t = NULL;
  const char *text = "x\ty\n1\t-99\n\t.\n";
  assert_int_equal(vagap_table_read_memory(&t, "m", text, strlen(text), &opt, NULL, NULL), VAGAP_OK);
  assert_int_equal(vagap_table_nrows(t), 2);
  double y[2], x[2];
  assert_int_equal(vagap_table_numeric(t, 1, y, NULL), VAGAP_OK);
  assert_true(isnan(y[0]) && isnan(y[1]));
  /* the empty string is not a missing token here */
  vagap_error_t err;
  assert_int_equal(vagap_table_numeric(t, 0, x, &err), VAGAP_EDATA);
  assert_int_equal(err.line, 3);
  assert_int_equal(err.column, 1);
  vagap_table_free(t);
}

static void test_numeric_column_error_location(void **state) {
  (void)state;
  vagap_table_t *t = read_ok("id,latency\n1,350\n2,NA\n3,4OO\n", NULL);
  double v[3];
  vagap_error_t err;
  assert_int_equal(vagap_table_numeric(t, 1, v, &err), VAGAP_EDATA);
  assert_string_equal(err.file, "mem.csv");
  assert_int_equal(err.line, 4);
  assert_int_equal(err.column, 2);
  assert_non_null(strstr(err.message, "column 'latency': expected a number, found '4OO'"));
  vagap_table_free(t);
}

static void test_streaming_reader(void **state) {
  (void)state;
  vagap_reader_t *r;
  vagap_ledger_t *ledger = vagap_ledger_alloc();
  const char *text = "s,lat\nA,300\nB,\"4\n00\"\n\nC,500\n";
  assert_int_equal(vagap_reader_open_memory(&r, "m", text, strlen(text), NULL, ledger, NULL), VAGAP_OK);
  vagap_row_t row;
  int has;
  const char *names[] = {"A", "B", "C"};
  long lines[] = {2, 3, 6};
  for (int k = 0; k < 3; k++) {
    assert_int_equal(vagap_reader_next(r, &row, &has, NULL), VAGAP_OK);
    assert_true(has);
    assert_string_equal(row.fields[0], names[k]);
    assert_int_equal(row.line, lines[k]);
  }
  assert_int_equal(row.lengths[1], 3);
  assert_int_equal(vagap_reader_next(r, &row, &has, NULL), VAGAP_OK);
  assert_false(has);
  assert_int_equal(vagap_ledger_rows_read(ledger), 4);
  assert_int_equal(vagap_ledger_rows_used(ledger), 3);
  vagap_reader_close(r);
  vagap_ledger_free(ledger);
}

static void test_gzip_and_file_input(void **state) {
  (void)state;
  char path[] = "/tmp/vagap_test_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  gzFile gz = gzopen(path, "wb");
  gzputs(gz, "a,b\n1,2\n3,4\n");
  gzclose(gz);
  vagap_table_t *t = NULL;
  assert_int_equal(vagap_table_read(&t, path, NULL, NULL, NULL), VAGAP_OK);
  assert_int_equal(vagap_table_nrows(t), 2);
  assert_cell(t, 1, 0, "3");
  vagap_table_free(t);
  unlink(path);
  vagap_error_t err;
  assert_int_equal(vagap_table_read(&t, "/nonexistent/x.csv", NULL, NULL, &err), VAGAP_EIO);
  assert_string_equal(err.file, "/nonexistent/x.csv");
}

static void test_long_input_crosses_buffers(void **state) {
  (void)state;
  /* 200k rows cross the reader's internal chunk boundaries many times */
  size_t rows = 200000, cap = rows * 24 + 16, len = 0;
  char *text = malloc(cap);
  len += (size_t)sprintf(text, "i,x\r\n");
  for (size_t i = 0; i < rows; i++) len += (size_t)sprintf(text + len, "%zu,\"%zu.5\"\r\n", i, i);
  vagap_table_t *t = read_ok(text, NULL);
  assert_int_equal(vagap_table_nrows(t), rows);
  double *x = malloc(rows * sizeof *x);
  assert_int_equal(vagap_table_numeric(t, 1, x, NULL), VAGAP_OK);
  for (size_t i = 0; i < rows; i += 9973) assert_true(x[i] == (double)i + 0.5);
  assert_int_equal(vagap_table_line(t, rows - 1), (long)rows + 1);
  free(x);
  free(text);
  vagap_table_free(t);
}

/* ---- numbers --------------------------------------------------------------------- */

static double parse(const char *s) {
  double v = -12345;
  vagap_error_t err;
  vagap_status_t st = vagap_parse_double(s, strlen(s), &v, &err);
  if (st != VAGAP_OK) fail_msg("'%s' rejected: %s", s, err.message);
  return v;
}

static void rejects(const char *s, const char *fragment) {
  double v;
  vagap_error_t err;
  assert_int_equal(vagap_parse_double(s, strlen(s), &v, &err), VAGAP_EDATA);
  if (!strstr(err.message, fragment)) fail_msg("message '%s' lacks '%s'", err.message, fragment);
}

static void test_number_grammar(void **state) {
  (void)state;
  assert_true(parse("0.1") == 0.1);
  assert_true(parse("-2.5e3") == -2500.0);
  assert_true(parse(" 7 ") == 7.0);
  assert_true(parse("+.5") == 0.5);
  assert_true(parse("5.") == 5.0);
  assert_true(parse("1E-2") == 0.01);
  assert_true(parse("1e-320") == strtod("1e-320", NULL)); /* subnormal kept */
  assert_true(parse("1e-320") > 0);
  assert_true(parse("4.9406564584124654e-324") == 4.9406564584124654e-324);
  assert_true(parse("1e-400") == 0.0);
  assert_true(parse("1.7976931348623157e308") == 1.7976931348623157e308);
  assert_true(parse("123456789012345678901234567890") == 123456789012345678901234567890.0);
  assert_true(signbit(parse("-0")));
  rejects("1e999", "out of the range");
  rejects("0x10", "hexadecimal");
  rejects("1,5", "decimal comma");
  rejects("-nan", "NaN");
  rejects("inf", "infinities");
  rejects("", "expected a number");
  rejects("1.2.3", "expected a number");
  rejects("e5", "expected a number");
  rejects("1e", "expected a number");
  rejects("- 1", "expected a number");
}

/* The fast path must give exactly what a correctly rounding strtod gives. */
static void test_number_rounding_matches_strtod(void **state) {
  (void)state;
  uint64_t seed = 88172645463325252ULL;
  char buf[64];
  for (int k = 0; k < 200000; k++) {
    seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
    int digits = 1 + (int)(seed % 19), point = (int)((seed >> 8) % 22), exp10 = (int)((seed >> 16) % 60) - 30;
    uint64_t m = seed >> 20;
    int len = snprintf(buf, sizeof buf, "%0*llu", digits, (unsigned long long)(m % 10000000000000000000ULL));
    len = len > digits ? digits : len;
    buf[len] = '\0';
    if (point < len) {
      memmove(buf + point + 1, buf + point, (size_t)(len - point) + 1);
      buf[point] = '.';
    }
    if (k % 3 == 0) snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "e%d", exp10);
    double expected = strtod(buf, NULL), got = parse(buf);
    if (memcmp(&expected, &got, sizeof got) != 0) fail_msg("'%s': %.17g != %.17g", buf, got, expected);
  }
}

static void test_numbers_ignore_the_process_locale(void **state) {
  (void)state;
  const char *names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", NULL};
  const char *found = NULL;
  for (int k = 0; names[k] && !found; k++)
    if (setlocale(LC_ALL, names[k])) found = names[k];
  if (!found) skip(); /* no comma-decimal locale installed on this machine */
  assert_true(parse("1.5") == 1.5);
  assert_true(parse("2.25e1") == 22.5);
  assert_true(parse("123456789012345678901.5e-3") == 123456789012345678.9015);
  double v;
  assert_int_equal(vagap_parse_double("1,5", 3, &v, NULL), VAGAP_EDATA);
  setlocale(LC_ALL, "C");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_basic_table),
      cmocka_unit_test(test_bom_crlf_and_no_final_newline),
      cmocka_unit_test(test_quoted_commas_newlines_and_line_numbers),
      cmocka_unit_test(test_cr_only_line_ends),
      cmocka_unit_test(test_blank_lines_are_excluded_with_their_line),
      cmocka_unit_test(test_blank_line_inside_quotes_is_data),
      cmocka_unit_test(test_header_only_and_empty),
      cmocka_unit_test(test_syntax_errors_are_located),
      cmocka_unit_test(test_field_cap),
      cmocka_unit_test(test_missing_column_lists_the_columns),
      cmocka_unit_test(test_tsv_and_custom_na),
      cmocka_unit_test(test_numeric_column_error_location),
      cmocka_unit_test(test_streaming_reader),
      cmocka_unit_test(test_gzip_and_file_input),
      cmocka_unit_test(test_long_input_crosses_buffers),
      cmocka_unit_test(test_number_grammar),
      cmocka_unit_test(test_number_rounding_matches_strtod),
      cmocka_unit_test(test_numbers_ignore_the_process_locale),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
