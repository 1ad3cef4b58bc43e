/* Tests of JSON Lines input (src/lib/jsonl.c through the table reader). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "vagap/vagap.h"

/* ---- helpers ------------------------------------------------------------------- */

static vagap_table_t *read_opt(const char *name, const char *text, size_t size,
                               const vagap_table_options_t *opt, vagap_ledger_t *ledger) {
  vagap_table_t *t = NULL;
  vagap_error_t err;
  vagap_error_clear(&err);
  vagap_status_t st = vagap_table_read_memory(&t, name, text, size, opt, ledger, &err);
  if (st != VAGAP_OK) fprintf(stderr, "unexpected error: %ld:%ld: %s\n", err.line, err.column, err.message);
  assert_int_equal(st, VAGAP_OK);
  return t;
}

static vagap_table_t *read_ok(const char *text, vagap_ledger_t *ledger) {
  return read_opt("mem.jsonl", text, strlen(text), NULL, ledger);
}

/* Read text that must fail; check status, line, column and a message fragment. */
static void fails_opt(const char *text, size_t size, const vagap_table_options_t *opt,
                      vagap_status_t status, long line, long column, const char *fragment) {
  vagap_table_t *t = NULL;
  vagap_error_t err;
  vagap_error_clear(&err);
  vagap_status_t st = vagap_table_read_memory(&t, "bad.jsonl", text, size, opt, NULL, &err);
  if (st != status || err.line != line || err.column != column || !strstr(err.message, fragment))
    fail_msg("for %.60s: got status %d at %ld:%ld '%s'; expected %d at %ld:%ld with '%s'", text,
             (int)st, err.line, err.column, err.message, (int)status, line, column, fragment);
  assert_null(t);
  assert_string_equal(err.file, "bad.jsonl");
}

static void fails(const char *text, vagap_status_t status, long line, long column,
                  const char *fragment) {
  fails_opt(text, strlen(text), NULL, status, line, column, fragment);
}

static size_t column(const vagap_table_t *t, const char *name) {
  size_t j = 0;
  vagap_error_t err;
  assert_int_equal(vagap_table_column(t, name, &j, &err), VAGAP_OK);
  return j;
}

static const char *cell(const vagap_table_t *t, size_t i, const char *name) {
  return vagap_table_cell(t, i, column(t, name), NULL);
}

/* ---- columns and values --------------------------------------------------------- */

static void test_columns_are_the_union_of_keys_in_order(void **state) {
  (void)state;
  vagap_table_t *t = read_ok("{\"b\":1,\"a\":2}\n{\"c\":3}\n{\"a\":4,\"d\":5,\"b\":6}\n", NULL);
  assert_int_equal(vagap_table_ncols(t), 4);
  assert_string_equal(vagap_table_colname(t, 0), "b");
  assert_string_equal(vagap_table_colname(t, 1), "a");
  assert_string_equal(vagap_table_colname(t, 2), "c");
  assert_string_equal(vagap_table_colname(t, 3), "d");
  assert_int_equal(vagap_table_nrows(t), 3);
  /* an absent key is missing */
  assert_true(vagap_table_is_na(t, 1, column(t, "a")));
  assert_false(vagap_table_is_na(t, 1, column(t, "c")));
  assert_string_equal(cell(t, 2, "b"), "6");
  assert_int_equal(vagap_table_line(t, 0), 1);
  assert_int_equal(vagap_table_line(t, 2), 3);
  vagap_table_free(t);
}

static void test_values(void **state) {
  (void)state;
  const char *text =
      "{\"s\":\"caf\\u00e9 \\ud83d\\ude00\\n\\\"q\\\"\", \"n\":1.50, \"big\":123456789012345678901234,"
      " \"e\":-2.5E-3, \"t\":true, \"f\":false, \"z\":null, \"arr\":[1, 0.1, {\"k\":\"v\"}],"
      " \"o\":{\"p\":{\"q\":7}, \"r\":\"x\"}, \"empty\":{}, \"ea\":[]}\n";
  vagap_table_t *t = read_ok(text, NULL);
  assert_string_equal(cell(t, 0, "s"), "caf\xc3\xa9 \xf0\x9f\x98\x80\n\"q\"");
  /* numbers as written, so they are parsed exactly as in CSV */
  assert_string_equal(cell(t, 0, "n"), "1.50");
  assert_string_equal(cell(t, 0, "big"), "123456789012345678901234");
  assert_string_equal(cell(t, 0, "e"), "-2.5E-3");
  assert_string_equal(cell(t, 0, "t"), "true");
  assert_string_equal(cell(t, 0, "f"), "false");
  assert_true(vagap_table_is_na(t, 0, column(t, "z")));
  /* arrays as written; nested objects flattened */
  assert_string_equal(cell(t, 0, "arr"), "[1, 0.1, {\"k\":\"v\"}]");
  assert_string_equal(cell(t, 0, "o.p.q"), "7");
  assert_string_equal(cell(t, 0, "o.r"), "x");
  assert_string_equal(cell(t, 0, "empty"), "{}");
  assert_string_equal(cell(t, 0, "ea"), "[]");
  vagap_error_t err;
  size_t j;
  assert_int_equal(vagap_table_column(t, "o", &j, &err), VAGAP_ECOLUMN);
  double x[1];
  assert_int_equal(vagap_table_numeric(t, column(t, "e"), x, &err), VAGAP_OK);
  assert_true(x[0] == -2.5e-3);
  vagap_table_free(t);
}

/* The same numbers as JSON and as CSV give the same doubles, bit for bit. */
static void test_numbers_equal_csv(void **state) {
  (void)state;
  static const char *const numbers[] = {"0.1", "1e-300", "4.9406564584124654e-324", "123456789.987654321",
                                        "-0", "2.2250738585072011e-308", "9007199254740993", "1E+2"};
  enum { N = sizeof numbers / sizeof *numbers };
  char json[2048] = "", csv[2048] = "x\n";
  for (size_t i = 0; i < N; i++) {
    snprintf(json + strlen(json), sizeof json - strlen(json), "{\"x\": %s}\n", numbers[i]);
    snprintf(csv + strlen(csv), sizeof csv - strlen(csv), "%s\n", numbers[i]);
  }
  vagap_table_t *tj = read_ok(json, NULL);
  vagap_table_t *tc = read_opt("mem.csv", csv, strlen(csv), NULL, NULL);
  double a[N], b[N];
  vagap_error_t err;
  assert_int_equal(vagap_table_numeric(tj, 0, a, &err), VAGAP_OK);
  assert_int_equal(vagap_table_numeric(tc, 0, b, &err), VAGAP_OK);
  assert_memory_equal(a, b, sizeof a);
  vagap_table_free(tj);
  vagap_table_free(tc);
}

static void test_null_is_missing_whatever_the_na_tokens(void **state) {
  (void)state;
  vagap_table_options_t opt;
  vagap_table_options_init(&opt);
  opt.na = "NA"; /* no empty token */
  const char *text = "{\"x\":null}\n{\"x\":2}\n{}\n{\"x\":\"NA\"}\n";
  vagap_table_t *t = read_opt("mem.jsonl", text, strlen(text), &opt, NULL);
  double x[4];
  vagap_error_t err;
  assert_int_equal(vagap_table_numeric(t, 0, x, &err), VAGAP_OK);
  assert_true(isnan(x[0]));
  assert_true(x[1] == 2);
  assert_true(isnan(x[2]));
  assert_true(isnan(x[3])); /* a string that is a missing token, as in CSV */
  vagap_table_free(t);
}

static void test_blank_lines_crlf_and_bom(void **state) {
  (void)state;
  vagap_ledger_t *ledger = vagap_ledger_alloc();
  const char *text = "\xEF\xBB\xBF{\"a\":1}\r\n\r\n \t\n{\"a\":2}\r\n\n{\"a\":3}";
  vagap_table_t *t = read_ok(text, ledger);
  assert_int_equal(vagap_table_nrows(t), 3);
  assert_string_equal(vagap_table_colname(t, 0), "a");
  assert_string_equal(vagap_table_cell(t, 2, 0, NULL), "3");
  assert_int_equal(vagap_table_line(t, 1), 4);
  assert_int_equal(vagap_table_line(t, 2), 6);
  assert_int_equal(vagap_ledger_rows_read(ledger), 6);
  assert_int_equal(vagap_ledger_rows_excluded(ledger), 3);
  assert_int_equal(vagap_ledger_exclusion(ledger, 0)->line, 2);
  assert_int_equal(vagap_ledger_exclusion(ledger, 1)->line, 3);
  assert_int_equal(vagap_ledger_exclusion(ledger, 2)->line, 5);
  assert_string_equal(vagap_ledger_exclusion(ledger, 2)->reason, "blank line");
  vagap_table_free(t);
  vagap_ledger_free(ledger);
}

static void test_format_choice(void **state) {
  (void)state;
  const char *text = "{\"a\":1}\n";
  vagap_table_options_t opt;
  vagap_table_options_init(&opt);
  /* a CSV name: the text is a one-column CSV header that libcsv rejects */
  vagap_table_t *t = NULL;
  vagap_error_t err;
  assert_int_not_equal(vagap_table_read_memory(&t, "mem.csv", text, strlen(text), &opt, NULL, &err),
                       VAGAP_OK);
  opt.input_format = VAGAP_INPUT_JSONL;
  t = read_opt("mem.csv", text, strlen(text), &opt, NULL);
  assert_string_equal(vagap_table_colname(t, 0), "a");
  vagap_table_free(t);
  opt.input_format = VAGAP_INPUT_AUTO;
  /* the suffix is compared exactly: upper case is CSV */
  assert_int_not_equal(vagap_table_read_memory(&t, "x.NDJSON", text, strlen(text), &opt, NULL, &err),
                       VAGAP_OK);
  t = read_opt("x.ndjson.gz", text, strlen(text), &opt, NULL);
  assert_string_equal(vagap_table_colname(t, 0), "a");
  vagap_table_free(t);
  const char *csv = "a\n1\n";
  opt.input_format = VAGAP_INPUT_CSV;
  t = read_opt("y.jsonl", csv, strlen(csv), &opt, NULL);
  assert_int_equal(vagap_table_nrows(t), 1);
  vagap_table_free(t);
}

/* ---- malformed lines ------------------------------------------------------------- */

static void test_malformed(void **state) {
  (void)state;
  fails("{\"a\":1}\n{\"a\":tru}\n", VAGAP_EPARSE, 2, 8, "invalid JSON");
  fails("{\"a\":1}\n{\"a\":1,}\n", VAGAP_EPARSE, 2, 8, "invalid JSON");
  fails("{\"a\":1}\n[1,2]\n", VAGAP_EPARSE, 2, 1, "holds an array, not a JSON object");
  fails("{\"a\":1}\n  42\n", VAGAP_EPARSE, 2, 3, "holds a number");
  fails("\"s\"\n", VAGAP_EPARSE, 1, 1, "holds a string");
  fails("null\n", VAGAP_EPARSE, 1, 1, "holds null");
  fails("{\"a\":1,\"a\":2}\n", VAGAP_EPARSE, 1, 10, "duplicate object key");
  fails("{\"x\":{\"a\":1,\"a\":2}}\n", VAGAP_EPARSE, 1, 15, "duplicate object key");
  fails("{\"a.b\":1,\"a\":{\"b\":2}}\n", VAGAP_EPARSE, 1, 19, "'a.b' occurs twice");
  fails("{\"a\":{\"b\":null},\"a.b\":3}\n", VAGAP_EPARSE, 1, 23, "'a.b' occurs twice");
  fails("{\"a\":1} {\"b\":2}\n", VAGAP_EPARSE, 1, 9, "end of file expected");
  fails("{\"a\":\"\\u0000\"}\n", VAGAP_EPARSE, 1, 13, "\\u0000 is not allowed");
  fails("{\"a\":\"x\\ud800\"}\n", VAGAP_EPARSE, 1, 14, "invalid Unicode");
  fails("{\"a\":\"\xff\"}\n", VAGAP_EPARSE, 1, 6, "unable to decode byte 0xff");
  fails("{\"a\":1e400}\n", VAGAP_EPARSE, 1, 10, "real number overflow");
  fails("{\"a\":01}\n", VAGAP_EPARSE, 1, 6, "invalid token");
  fails("{\"a\":1}\n{\"a\":\"x\ny\"}\n", VAGAP_EPARSE, 2, 7, "premature end of input");
  fails("", VAGAP_EPARSE, 1, 0, "empty input");
  fails("\n \n\r\n", VAGAP_EPARSE, 1, 0, "empty input");
  fails("{}\n{}\n", VAGAP_EPARSE, 1, 0, "every object in the input is empty");
  static const char nul[] = "{\"a\":1}\n{\"a\":\"x\0y\"}\n";
  fails_opt(nul, sizeof nul - 1, NULL, VAGAP_EPARSE, 2, 7, "control character 0x0");
  static const char nul_outside[] = "{\"a\":1}\n{\"a\":2}\0\n";
  fails_opt(nul_outside, sizeof nul_outside - 1, NULL, VAGAP_EPARSE, 2, 8, "invalid JSON");
}

static void test_caps(void **state) {
  (void)state;
  vagap_table_options_t opt;
  vagap_table_options_init(&opt);
  opt.max_row_bytes = 20;
  const char *text = "{\"a\":1}\n{\"a\":\"0123456789012345\"}\n";
  fails_opt(text, strlen(text), &opt, VAGAP_ELIMIT, 2, 21, "line is longer than the limit of 20");
  /* also when the line does not end */
  fails_opt(text, strlen(text) - 1, &opt, VAGAP_ELIMIT, 2, 21, "line is longer");
  vagap_table_options_init(&opt);
  opt.max_field_bytes = 4;
  text = "{\"a\":\"abcd\"}\n{\"a\":\"abcde\"}\n";
  fails_opt(text, strlen(text), &opt, VAGAP_ELIMIT, 2, 6, "value of 'a' is 5 bytes");
  text = "{\"a\":[1,2,3]}\n";
  fails_opt(text, strlen(text), &opt, VAGAP_ELIMIT, 1, 6, "value of 'a' is 7 bytes");
  vagap_table_options_init(&opt);
  opt.max_columns = 2;
  text = "{\"a\":1,\"b\":2}\n{\"b\":1,\"c\":{\"d\":2}}\n";
  fails_opt(text, strlen(text), &opt, VAGAP_ELIMIT, 2, 17, "'c.d' would be column 3");
}

/* ---- the streaming reader, segments and threads ----------------------------------------- */

/* Everything observable of a streaming read, as text. */
static char *stream_outcome(const char *text, size_t size, const vagap_table_options_t *opt) {
  char *out = NULL;
  size_t out_len = 0;
  FILE *f = open_memstream(&out, &out_len);
  vagap_ledger_t *ledger = vagap_ledger_alloc();
  vagap_reader_t *r = NULL;
  vagap_error_t err;
  vagap_error_clear(&err);
  vagap_status_t st = vagap_reader_open_memory(&r, "s.jsonl", text, size, opt, ledger, &err);
  if (st == VAGAP_OK) {
    for (size_t j = 0; j < vagap_reader_ncols(r); j++) fprintf(f, "[%s]", vagap_reader_colname(r, j));
    vagap_row_t row;
    int has;
    while ((st = vagap_reader_next(r, &row, &has, &err)) == VAGAP_OK && has) {
      fprintf(f, "\n%ld %zu %zu:", row.line, vagap_ledger_rows_read(ledger),
              vagap_ledger_rows_excluded(ledger));
      for (size_t j = 0; j < row.nfields; j++) fprintf(f, "[%s]", row.fields[j]);
    }
  }
  fprintf(f, "\nstatus %d %ld:%ld %s; read %zu excluded %zu\n", (int)st, err.line, err.column,
          st ? err.message : "", vagap_ledger_rows_read(ledger), vagap_ledger_rows_excluded(ledger));
  vagap_reader_close(r);
  vagap_ledger_free(ledger);
  fclose(f);
  return out;
}

static void test_streaming_independent_of_segments_and_threads(void **state) {
  (void)state;
  static const char *const inputs[] = {
      "{\"g\":\"a\",\"x\":1}\n\n{\"x\":2.5,\"y\":{\"z\":[1,\"]\\\"\"]}}\n  \n{\"g\":\"b\"}\n{\"x\":3}",
      "{\"a\":1}\n{\"a\":2}\n\n{\"a\":\"\\\"}\"}\n{\"a\":3,}\n{\"a\":4}\n",
      "{\"a\":\"\\n\\n\"}\r\n\r\n{\"b\":null}\r\n",
  };
  for (size_t k = 0; k < sizeof inputs / sizeof *inputs; k++) {
    vagap_table_options_t whole;
    vagap_table_options_init(&whole);
    whole.segment_bytes = strlen(inputs[k]) + 1;
    whole.threads = 1;
    char *expected = stream_outcome(inputs[k], strlen(inputs[k]), &whole);
    for (size_t seg = 1; seg <= 12; seg++)
      for (size_t threads = 1; threads <= 3; threads++) {
        vagap_table_options_t opt = whole;
        opt.segment_bytes = seg;
        opt.threads = threads;
        char *got = stream_outcome(inputs[k], strlen(inputs[k]), &opt);
        if (strcmp(got, expected) != 0)
          fail_msg("input %zu, segments of %zu on %zu threads:\n%s\nwhole:\n%s", k, seg, threads,
                   got, expected);
        free(got);
      }
    if (k == 0) /* spot-check the content itself */
      assert_string_equal(expected,
                          "[g][x][y.z]\n1 1 0:[a][1][]\n3 3 1:[][2.5][[1,\"]\\\"\"]]\n5 5 2:[b][][]"
                          "\n6 6 2:[][3][]\nstatus 0 0:0 ; read 6 excluded 2\n");
    /* a bad line is found by the first pass, before any row is handed out */
    if (k == 1)
      assert_string_equal(expected, "\nstatus 3 5:8 invalid JSON: string or '}' expected near '}'; "
                                    "read 0 excluded 0\n");
    free(expected);
  }
}

static void test_long_lines_across_segments(void **state) {
  (void)state;
  /* lines much longer than a segment, and one over the cap */
  size_t n = 5000;
  char *text = malloc(3 * n + 100);
  strcpy(text, "{\"a\":\"");
  memset(text + strlen(text), 'x', n);
  strcpy(text + 6 + n, "\"}\n{\"a\":1}\n");
  vagap_table_options_t opt;
  vagap_table_options_init(&opt);
  opt.segment_bytes = 16;
  opt.threads = 2;
  vagap_table_t *t = read_opt("l.jsonl", text, strlen(text), &opt, NULL);
  assert_int_equal(vagap_table_nrows(t), 2);
  size_t len;
  vagap_table_cell(t, 0, 0, &len);
  assert_int_equal(len, n);
  vagap_table_free(t);
  /* the same line over a row cap, in the second pass too */
  opt.max_row_bytes = 1000;
  fails_opt(text, strlen(text), &opt, VAGAP_ELIMIT, 1, 1001, "line is longer");
  free(text);
}

static void test_inferred_numbers(void **state) {
  (void)state;
  vagap_table_options_t opt;
  vagap_table_options_init(&opt);
  opt.infer_numbers = 1;
  const char *text = "{\"x\":1,\"s\":\"a\",\"b\":true}\n{\"x\":null,\"s\":\"2\",\"b\":false}\n";
  vagap_table_t *t = read_opt("n.jsonl", text, strlen(text), &opt, NULL);
  const double *x = vagap_table_inferred_numbers(t, 0);
  assert_non_null(x);
  assert_true(x[0] == 1 && isnan(x[1]));
  assert_null(vagap_table_inferred_numbers(t, 1));
  assert_null(vagap_table_inferred_numbers(t, 2));
  vagap_table_free(t);
}

static void test_gzip_file(void **state) {
  (void)state;
  char path[] = "/tmp/vagap-test-jsonl-XXXXXX.jsonl.gz";
  int fd = mkstemps(path, 9);
  assert_true(fd >= 0);
  gzFile gz = gzdopen(fd, "wb");
  const char *text = "{\"a\":1,\"b\":{\"c\":\"x\"}}\n\n{\"a\":2}\n";
  gzwrite(gz, text, (unsigned)strlen(text));
  gzclose(gz);
  vagap_ledger_t *ledger = vagap_ledger_alloc();
  vagap_table_t *t = NULL;
  vagap_error_t err;
  assert_int_equal(vagap_table_read(&t, path, NULL, ledger, &err), VAGAP_OK);
  assert_int_equal(vagap_table_nrows(t), 2);
  assert_string_equal(vagap_table_colname(t, 1), "b.c");
  assert_string_equal(vagap_table_cell(t, 0, 1, NULL), "x");
  assert_int_equal(vagap_table_line(t, 1), 3);
  assert_int_equal(vagap_ledger_rows_excluded(ledger), 1);
  vagap_table_free(t);
  vagap_ledger_free(ledger);
  unlink(path);
}

/* A gzip file cut short (here at a line end, so every line is valid JSON) is an error. */
static void test_truncated_gzip(void **state) {
  (void)state;
  char path[] = "/tmp/vagap-test-jsonl-XXXXXX.jsonl.gz";
  int fd = mkstemps(path, 9);
  assert_true(fd >= 0);
  gzFile gz = gzdopen(dup(fd), "wb");
  for (int i = 0; i < 2000; i++) gzprintf(gz, "{\"a\": %d, \"b\": \"%d\"}\n", i, i * 7919 % 1000);
  gzclose(gz);
  off_t size = lseek(fd, 0, SEEK_END);
  assert_int_equal(ftruncate(fd, size - 8), 0); /* the CRC and length trailer */
  close(fd);
  vagap_table_t *t = NULL;
  vagap_error_t err;
  assert_int_equal(vagap_table_read(&t, path, NULL, NULL, &err), VAGAP_EIO);
  assert_null(t);
  assert_non_null(strstr(err.message, "truncated"));
  assert_int_equal(err.line, 2001);
  unlink(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_columns_are_the_union_of_keys_in_order),
      cmocka_unit_test(test_values),
      cmocka_unit_test(test_numbers_equal_csv),
      cmocka_unit_test(test_null_is_missing_whatever_the_na_tokens),
      cmocka_unit_test(test_blank_lines_crlf_and_bom),
      cmocka_unit_test(test_format_choice),
      cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_caps),
      cmocka_unit_test(test_streaming_independent_of_segments_and_threads),
      cmocka_unit_test(test_long_lines_across_segments),
      cmocka_unit_test(test_inferred_numbers),
      cmocka_unit_test(test_gzip_file),
      cmocka_unit_test(test_truncated_gzip),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
