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

/* ---- typed columns (infer_numbers) ---------------------------------------------------- */

/* Cells the typed table keeps as numbers (rebuilt text) and as text. */
static const char *const TYPED_CELLS[] = {
    "0", "-0", "-0.0", "1.5", "1.50", "0.000123", "123456789012345", "-98765.4321",
    "0.100000000000001", "NA", "", "NaN", "1e3", "+1", "007", ".5", "5.", " 7", "1.0000000000000001",
    "1234567890123456", "0.1234567890123456", "1E-5", "-", "99999999999999.9"};
enum { NTYPED = sizeof TYPED_CELLS / sizeof TYPED_CELLS[0] };

/* rows of columns: numbers throughout; text from the last row on; text from the first */
static char *typed_input(size_t rows, char mark) {
  size_t cap = rows * 96 + 64, len = 0;
  char *text = malloc(cap);
  len += (size_t)snprintf(text + len, cap - len, "n;late;word\n");
  for (size_t i = 0; i < rows; i++) {
    const char *a = TYPED_CELLS[i % NTYPED], *b = TYPED_CELLS[(i * 7 + 3) % NTYPED];
    char num[64];
    snprintf(num, sizeof num, "%zu%c%zu", i, mark, i % 1000);
    len += (size_t)snprintf(text + len, cap - len, "%s;%s;w%s\n", i % 3 ? a : num,
                            i + 1 == rows ? "text" : b, a);
  }
  return text;
}

/* With infer_numbers the table gives the same cells, missing flags and numbers as without. */
static void check_typed_matches_text(size_t rows, char mark, size_t segment, size_t threads) {
  char *text = typed_input(rows, mark);
  vagap_table_options_t opt;
  vagap_table_options_init(&opt);
  opt.delim = ';';
  opt.decimal_comma = mark == ',';
  opt.segment_bytes = segment;
  opt.threads = threads;
  vagap_error_t err;
  vagap_table_t *plain = NULL, *typed = NULL;
  assert_int_equal(vagap_table_read_memory(&plain, "p.csv", text, strlen(text), &opt, NULL, &err), VAGAP_OK);
  opt.infer_numbers = 1;
  assert_int_equal(vagap_table_read_memory(&typed, "t.csv", text, strlen(text), &opt, NULL, &err), VAGAP_OK);
  assert_int_equal(vagap_table_nrows(typed), rows);
  assert_null(vagap_table_inferred_numbers(typed, 1)); /* text in its last row */
  assert_null(vagap_table_inferred_numbers(typed, 2));
  for (size_t pass = 0; pass < 2; pass++) {
    for (size_t i = 0; i < vagap_table_nrows(typed); i++)
      for (size_t j = 0; j < 3; j++) {
        size_t la, lb;
        const char *a = vagap_table_cell(plain, i, j, &la), *b = vagap_table_cell(typed, i, j, &lb);
        if (la != lb || strcmp(a, b) != 0) fail_msg("row %zu column %zu: '%s' read as '%s'", i, j, a, b);
        assert_int_equal(vagap_table_is_na(plain, i, j), vagap_table_is_na(typed, i, j));
        assert_int_equal(vagap_table_line(plain, i), vagap_table_line(typed, i));
      }
    /* then the same after dropping every third row, numbers included */
    size_t n = vagap_table_nrows(typed);
    unsigned char *drop = calloc(n ? n : 1, 1);
    for (size_t i = 0; i < n; i += 3) drop[i] = 1;
    assert_int_equal(vagap_table_drop_rows(plain, drop, NULL), VAGAP_OK);
    assert_int_equal(vagap_table_drop_rows(typed, drop, NULL), VAGAP_OK);
    free(drop);
  }
  free(text);
  vagap_table_free(plain);
  vagap_table_free(typed);
}

static void test_typed_columns_keep_every_cell(void **state) {
  (void)state;
  check_typed_matches_text(1000, '.', 1 << 20, 1);
  check_typed_matches_text(1000, '.', 256, 2);  /* the late text after many segments */
  check_typed_matches_text(1000, ',', 300, 4);  /* decimal comma */
  check_typed_matches_text(1, '.', 64, 1);
}

/* Numbers of a column that stays numeric: values and rebuilt text. */
static void test_typed_numbers(void **state) {
  (void)state;
  const char *text = "x,y\n1.50,a\nNA,b\n1e3,c\n-0.0,d\n";
  vagap_table_options_t opt;
  vagap_table_options_init(&opt);
  opt.infer_numbers = 1;
  vagap_table_t *t = NULL;
  vagap_error_t err;
  assert_int_equal(vagap_table_read_memory(&t, "m.csv", text, strlen(text), &opt, NULL, &err), VAGAP_OK);
  const double *x = vagap_table_inferred_numbers(t, 0);
  assert_non_null(x);
  assert_true(x[0] == 1.5 && isnan(x[1]) && x[2] == 1000 && x[3] == 0 && signbit(x[3]));
  assert_cell(t, 0, 0, "1.50");
  assert_cell(t, 1, 0, "NA");
  assert_cell(t, 2, 0, "1e3");
  assert_cell(t, 3, 0, "-0.0");
  assert_true(vagap_table_is_na(t, 1, 0) && !vagap_table_is_na(t, 0, 0));
  double y[4];
  assert_int_equal(vagap_table_numeric(t, 0, y, &err), VAGAP_OK);
  assert_true(y[0] == 1.5 && isnan(y[1]) && y[2] == 1000);
  vagap_table_free(t);
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
  /* a token that is also a number is missing, whether read row by row or as typed columns */
  vagap_reader_t *r = NULL;
  assert_int_equal(vagap_reader_open_memory(&r, "m", text, strlen(text), &opt, NULL, NULL), VAGAP_OK);
  vagap_row_t row;
  int has_row;
  assert_int_equal(vagap_reader_next(r, &row, &has_row, NULL), VAGAP_OK);
  assert_int_equal(vagap_reader_number(r, &row, 1, &y[0], NULL), VAGAP_OK);
  assert_true(isnan(y[0]));
  vagap_reader_close(r);
  opt.infer_numbers = 1;
  const char *typed = "x\ty\n1\t-99\n2\t.\n3\t-99.0\n";
  assert_int_equal(vagap_table_read_memory(&t, "m", typed, strlen(typed), &opt, NULL, NULL), VAGAP_OK);
  const double *v = vagap_table_inferred_numbers(t, 1);
  assert_non_null(v);
  assert_true(isnan(v[0]) && isnan(v[1]) && v[2] == -99);
  assert_cell(t, 0, 1, "-99");
  assert_cell(t, 1, 1, ".");
  assert_cell(t, 2, 1, "-99.0");
  vagap_table_free(t);
}

/* A column that turns text keeps a missing-value token of any length as its text (the token is
   not copied through the fixed buffer numbers are rebuilt in), the token and the text in the
   same batch or in different ones. */
static void test_long_na_token_in_column_turned_text(void **state) {
  (void)state;
  size_t len = 100000;
  char *token = malloc(len + 1), *text = malloc(2 * len + 64);
  assert_non_null(token);
  assert_non_null(text);
  memset(token, 'Z', len);
  token[len] = '\0';
  snprintf(text, 2 * len + 64, "a,b\n1,x\n%s,y\nword,z\n", token);
  static const size_t segments[] = {1, (size_t)1 << 20}; /* a batch per row; one batch */
  for (size_t s = 0; s < sizeof segments / sizeof *segments; s++) {
    vagap_table_options_t opt;
    vagap_table_options_init(&opt);
    opt.infer_numbers = 1;
    opt.na = token;
    opt.segment_bytes = segments[s];
    vagap_table_t *t = NULL;
    assert_int_equal(vagap_table_read_memory(&t, "m", text, strlen(text), &opt, NULL, NULL), VAGAP_OK);
    assert_null(vagap_table_inferred_numbers(t, 0));
    assert_cell(t, 0, 0, "1");
    assert_cell(t, 1, 0, token);
    assert_cell(t, 2, 0, "word");
    vagap_table_free(t);
  }
  free(token);
  free(text);
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

/* `text` as one gzip member (deflate with a gzip wrapper), in malloc'd memory. */
static unsigned char *gzip_bytes(const char *text, size_t *size) {
  z_stream z;
  memset(&z, 0, sizeof z);
  assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  size_t cap = deflateBound(&z, (uLong)strlen(text)) + 64;
  unsigned char *out = malloc(cap);
  assert_non_null(out);
  z.next_in = (unsigned char *)text;
  z.avail_in = (uInt)strlen(text);
  z.next_out = out;
  z.avail_out = (uInt)cap;
  assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
  *size = cap - z.avail_out;
  deflateEnd(&z);
  return out;
}

static void write_bytes(const char *path, const void *a, size_t na, const void *b, size_t nb) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(a, 1, na, f), na);
  if (nb) assert_int_equal(fwrite(b, 1, nb, f), nb);
  assert_int_equal(fclose(f), 0);
}

/* vagap_table_read_columns keeps what it is asked for and nothing else. */
static void test_read_named_columns_only(void **state) {
  (void)state;
  char path[] = "/tmp/vagap_test_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  static const char csv[] = "id,grp,x,y,z\n1,a,1.5,2,7\n2,b,NA,3.25,8\n3,a,-0.5,4,9\n";
  write_bytes(path, csv, sizeof csv - 1, NULL, 0);
  const char *const numbers[] = {"x", "nosuch", NULL, "grp"};
  const char *const texts[] = {"grp", "id"};
  vagap_ledger_t *ledger = vagap_ledger_alloc();
  vagap_table_t *t = NULL;
  assert_int_equal(vagap_table_read_columns(&t, path, NULL, numbers, 4, texts, 2, ledger, NULL),
                   VAGAP_OK);
  assert_int_equal(vagap_table_nrows(t), 3);
  assert_int_equal(vagap_table_ncols(t), 5);
  const double *x = vagap_table_inferred_numbers(t, 2);
  assert_non_null(x); /* asked for as numbers */
  assert_true(x[0] == 1.5 && isnan(x[1]) && x[2] == -0.5);
  assert_cell(t, 2, 2, "-0.5"); /* its text rebuilt */
  assert_null(vagap_table_inferred_numbers(t, 1)); /* in both lists: converted, but it is text */
  assert_cell(t, 1, 1, "b");
  assert_null(vagap_table_inferred_numbers(t, 0)); /* kept as text though all numbers */
  assert_cell(t, 2, 0, "3");
  assert_null(vagap_table_inferred_numbers(t, 3)); /* left out: nothing kept */
  assert_cell(t, 1, 3, "");
  assert_cell(t, 0, 4, "");
  assert_int_equal(vagap_table_line(t, 2), 4);
  vagap_table_free(t);
  /* no lists at all: every column is left out, the rows are still read */
  assert_int_equal(vagap_table_read_columns(&t, path, NULL, NULL, 0, NULL, 0, NULL, NULL), VAGAP_OK);
  assert_int_equal(vagap_table_nrows(t), 3);
  assert_null(vagap_table_inferred_numbers(t, 2));
  assert_cell(t, 0, 2, "");
  vagap_table_free(t);
  vagap_ledger_free(ledger);
  unlink(path);
}

/* Rows the streaming reader hands out before its status (or the error). */
static vagap_status_t stream_file(const char *path, size_t segment_bytes, size_t threads,
                                  size_t *rows, vagap_error_t *err) {
  vagap_table_options_t opt;
  vagap_table_options_init(&opt);
  opt.segment_bytes = segment_bytes;
  opt.threads = threads;
  vagap_reader_t *r = NULL;
  *rows = 0;
  vagap_status_t st = vagap_reader_open(&r, path, &opt, NULL, err);
  for (int has = 1; st == VAGAP_OK && has;) {
    vagap_row_t row;
    st = vagap_reader_next(r, &row, &has, err);
    *rows += (size_t)(st == VAGAP_OK && has);
  }
  vagap_reader_close(r);
  return st;
}

/* A gzip file cut anywhere, or with its trailer gone, is an error, never a shorter table
   (zlib's gzread() reads such a file as complete up to the cut). */
static void test_truncated_gzip_is_an_error(void **state) {
  (void)state;
  size_t nrows = 3000, size;
  char *text = malloc(nrows * 32 + 16);
  assert_non_null(text);
  size_t len = (size_t)sprintf(text, "id,x\n");
  unsigned long h = 1;
  for (size_t i = 0; i < nrows; i++) {
    h = h * 6364136223846793005UL + 1442695040888963407UL;
    len += (size_t)sprintf(text + len, "%zu,%lu\n", i, h >> 40);
  }
  unsigned char *gz = gzip_bytes(text, &size);
  char path[] = "/tmp/vagap_test_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  size_t rows;
  vagap_error_t err;
  write_bytes(path, gz, size, NULL, 0);
  assert_int_equal(stream_file(path, 0, 1, &rows, &err), VAGAP_OK);
  assert_int_equal(rows, nrows);
  size_t cuts = 0;
  for (size_t cut = 1; cut < size; cut += (cut < 40 || cut > size - 40) ? 1 : 97) {
    write_bytes(path, gz, cut, NULL, 0);
    size_t segment = cut % 3 == 0 ? 64 : 0, threads = 1 + cut % 3;
    vagap_status_t st = stream_file(path, segment, threads, &rows, &err);
    if (st == VAGAP_OK || !strstr(err.message, "truncated gzip data")) {
      fprintf(stderr, "cut at %zu of %zu: status %d after %zu rows: %s\n", cut, size, st, rows,
              err.message);
      fail();
    }
    vagap_table_t *t = NULL;
    assert_int_not_equal(vagap_table_read(&t, path, NULL, NULL, &err), VAGAP_OK);
    assert_null(t);
    cuts++;
  }
  assert_true(cuts > 100);
  free(gz);
  free(text);
  unlink(path);
}

/* Members after the first are read (as gzip -d does); other bytes after the last are an error. */
static void test_gzip_members_and_trailing_data(void **state) {
  (void)state;
  size_t n1, n2;
  unsigned char *m1 = gzip_bytes("a,b\n1,2\n", &n1), *m2 = gzip_bytes("3,4\n5,6\n", &n2);
  char path[] = "/tmp/vagap_test_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  size_t rows;
  vagap_error_t err;
  write_bytes(path, m1, n1, m2, n2);
  assert_int_equal(stream_file(path, 0, 1, &rows, &err), VAGAP_OK);
  assert_int_equal(rows, 3);
  write_bytes(path, m1, n1, "x", 1);
  assert_int_equal(stream_file(path, 0, 1, &rows, &err), VAGAP_EIO);
  assert_non_null(strstr(err.message, "trailing data"));
  assert_int_equal(err.line, 3); /* after the rows that were read */
  write_bytes(path, m1, n1, "\x1f\x8b\x08\0garbage", 11);
  assert_int_equal(stream_file(path, 0, 1, &rows, &err), VAGAP_EIO);
  /* damaged check value */
  m1[n1 - 5] ^= 1;
  write_bytes(path, m1, n1, NULL, 0);
  assert_int_equal(stream_file(path, 0, 1, &rows, &err), VAGAP_EIO);
  assert_non_null(strstr(err.message, "corrupt gzip data"));
  free(m1);
  free(m2);
  unlink(path);
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

/* ---- segments and threads change nothing ----------------------------------------- */

/*
 * Differential test of the segmented, multi-threaded reader: random CSV inputs
 * are read with every segment size in DIFF_SEGMENTS and every thread count in
 * DIFF_THREADS, through the streaming reader and through the in-memory table,
 * and each outcome must equal the reference read (the whole input as one
 * segment of up to 1 GiB, on one thread): the same rows (line, field texts
 * and lengths, and the ledger's counts when each row is handed out), the same
 * ledger (rows read, exclusions in order with line and reason), the same
 * final status and the same error (file, line, column, message).
 *
 * Half the inputs are read with infer_numbers, whose numbers (converted per
 * segment on the workers) must be the same too; about 30% are mostly numbers.
 *
 * The inputs come from fixed seeds (splitmix64), so a failure is reproducible:
 *   DIFF_SEED_SMALL  0x5E6D1FF5EED00001  150 inputs of a few hundred bytes
 *   DIFF_SEED_SHORT  0x5E6D1FF5EED00002  150 inputs of one or two narrow columns:
 *                                        many line ends and blank lines per byte
 *   DIFF_SEED_LONG   0x5E6D1FF5EED00003  30 inputs of either kind behind ~256 KiB
 *                                        of blank lines before the header
 * The reader takes its first 256 KiB in one read while it looks for the header
 * and cuts that at its last row end; only input after it is cut into segments
 * of about segment_bytes.  So the small inputs exercise that one cut and the
 * sequential fallback (no cut within 8 segment sizes: with 1-13 byte segments,
 * any row longer than that), and the long ones the cutting proper.
 * About 40% of the inputs are malformed (ragged row, quote inside an
 * unquoted field, text after a closing quote, unterminated quote, NUL byte,
 * field over a small max_field_bytes, row over a small max_row_bytes).
 */
#define DIFF_SEED_SMALL 0x5E6D1FF5EED00001ULL
#define DIFF_SEED_SHORT 0x5E6D1FF5EED00002ULL
#define DIFF_SEED_LONG 0x5E6D1FF5EED00003ULL
#define DIFF_FIRST_READ ((size_t)1 << 18) /* the reader's first read (READ_BYTES in table.c) */

static const size_t DIFF_SEGMENTS[] = {1, 2, 3, 5, 8, 13, 64, (size_t)1 << 20};
static const size_t DIFF_THREADS[] = {1, 2, 4};

typedef struct {
  char *s;
  size_t len, cap;
} text_t;

static void text_put(text_t *t, const void *s, size_t n) {
  if (t->len + n + 1 > t->cap) {
    size_t cap = t->cap ? t->cap : 256;
    while (cap < t->len + n + 1) cap *= 2;
    char *p = realloc(t->s, cap);
    assert_non_null(p);
    t->s = p;
    t->cap = cap;
  }
  memcpy(t->s + t->len, s, n);
  t->len += n;
  t->s[t->len] = '\0';
}

static void text_str(text_t *t, const char *s) { text_put(t, s, strlen(s)); }

static void text_printf(text_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void text_printf(text_t *t, const char *fmt, ...) {
  char buf[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  assert_true(n >= 0 && (size_t)n < sizeof buf);
  text_put(t, buf, (size_t)n);
}

/* (s, n) as the body of a C string literal. */
static void text_escaped(text_t *t, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '\n') text_str(t, "\\n");
    else if (c == '\r') text_str(t, "\\r");
    else if (c == '\t') text_str(t, "\\t");
    else if (c == '"' || c == '\\') text_printf(t, "\\%c", c);
    else if (c < 0x20 || c > 0x7e) text_printf(t, "\\%03o", c);
    else text_put(t, &c, 1);
  }
}

typedef struct {
  uint64_t state;
} rng_t;

static uint64_t rng_next(rng_t *g) { /* splitmix64 */
  uint64_t z = (g->state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

static unsigned rnd(rng_t *g, unsigned n) { return (unsigned)(rng_next(g) % n); }
static int chance(rng_t *g, unsigned percent) { return rnd(g, 100) < percent; }

typedef enum {
  BAD_NONE, BAD_RAGGED, BAD_STRAY_QUOTE, BAD_AFTER_QUOTE, BAD_UNTERMINATED, BAD_NUL,
  BAD_FIELD_CAP, BAD_ROW_CAP, BAD_KINDS
} bad_t;

typedef struct {
  rng_t *g;
  text_t text;
  vagap_table_options_t opt;
  unsigned eol_style;  /* 0 LF, 1 CRLF, 2 CR, 3 a mix */
  int narrow;          /* short fields only */
  int numeric;         /* mostly numbers, for infer_numbers */
  int quotes_allowed;  /* 0 after an unterminated quote, so that it stays open */
} gen_t;

static void gen_eol(gen_t *c) {
  unsigned k = c->eol_style < 3 ? c->eol_style : rnd(c->g, 3);
  text_str(&c->text, k == 0 ? "\n" : k == 1 ? "\r\n" : "\r");
}

static void gen_chars(gen_t *c, unsigned n) {
  static const char set[] = "abcxyz0123456789._-";
  for (unsigned i = 0; i < n; i++) text_put(&c->text, &set[rnd(c->g, sizeof set - 1)], 1);
}

static void gen_field(gen_t *c) {
  rng_t *g = c->g;
  text_t *t = &c->text;
  if (c->numeric && chance(g, 90)) { /* numbers, missing values, a quoted number */
    unsigned k = rnd(g, 10);
    if (k < 7) text_printf(t, k < 5 ? "%d" : "%d.%ue-%u", (int)rnd(g, 2001) - 1000, rnd(g, 1000), rnd(g, 9));
    else if (k == 7) text_str(t, chance(g, 50) ? "NA" : "");
    else if (k == 8 && c->quotes_allowed) text_printf(t, "\"%u.5\"", rnd(g, 100));
    else text_printf(t, " %u ", rnd(g, 10));
    return;
  }
  unsigned kind = c->narrow ? rnd(g, 5) : rnd(g, 11);
  if (!c->quotes_allowed && kind >= 4) kind = 3;
  switch (kind) {
  case 0: break; /* empty */
  case 1: gen_chars(c, 1 + rnd(g, 2)); break;
  case 2: text_printf(t, "%d.%u", (int)rnd(g, 2001) - 1000, rnd(g, 100)); break;
  case 3: gen_chars(c, 1 + rnd(g, 12)); break;
  case 4: /* a short quoted field: an embedded line end or doubled quote in few bytes */
    text_str(t, "\"");
    text_str(t, (const char *[]){"", "\n", "\r\n", "\r", "\"\"", "a"}[rnd(g, 6)]);
    text_str(t, "\"");
    break;
  case 5: /* quoted, with the delimiter inside */
    text_str(t, "\"");
    gen_chars(c, rnd(g, 4));
    text_put(t, &c->opt.delim, 1);
    gen_chars(c, rnd(g, 4));
    text_str(t, "\"");
    break;
  case 6: /* quoted, with doubled quotes */
    text_str(t, "\"");
    for (unsigned k = 1 + rnd(g, 3); k--;) {
      gen_chars(c, rnd(g, 3));
      text_str(t, "\"\"");
    }
    text_str(t, "\"");
    break;
  case 7: /* quoted, over several lines (LF, CRLF, lone CR, blank lines) */
    text_str(t, "\"");
    for (unsigned k = 1 + rnd(g, 3); k--;) {
      gen_chars(c, rnd(g, 4));
      text_str(t, (const char *[]){"\n", "\r\n", "\r", "\n\n", "\r\n\r\n", "\r\r"}[rnd(g, 6)]);
    }
    gen_chars(c, rnd(g, 3));
    text_str(t, "\"");
    break;
  case 8: /* spaces around a quoted field */
    text_str(t, (const char *[]){" ", "  ", ""}[rnd(g, 3)]);
    text_str(t, "\"");
    gen_chars(c, rnd(g, 5));
    if (chance(g, 30)) text_put(t, &c->opt.delim, 1);
    text_str(t, "\"");
    text_str(t, (const char *[]){" ", "  ", ""}[rnd(g, 3)]);
    break;
  case 9: text_str(t, "\"\""); break;
  default: /* unquoted with inner and outer spaces */
    text_str(t, " ");
    gen_chars(c, 1 + rnd(g, 3));
    text_str(t, " ");
    gen_chars(c, rnd(g, 3));
    if (chance(g, 50)) text_str(t, " ");
    break;
  }
}

/* A field that breaks the input in the way `bad` says (NUL, quotes, length). */
static void gen_bad_field(gen_t *c, bad_t bad) {
  rng_t *g = c->g;
  text_t *t = &c->text;
  switch (bad) {
  case BAD_STRAY_QUOTE:
    gen_chars(c, 1 + rnd(g, 3));
    text_str(t, (const char *[]){"\"", "\"\"", "\"x\""}[rnd(g, 3)]);
    gen_chars(c, rnd(g, 3));
    break;
  case BAD_AFTER_QUOTE:
    text_str(t, "\"");
    gen_chars(c, rnd(g, 3));
    if (chance(g, 40)) text_str(t, (const char *[]){"\n", "\r\n", "\r"}[rnd(g, 3)]);
    text_str(t, "\"");
    text_str(t, (const char *[]){"x", " x", "\"x", " \""}[rnd(g, 4)]);
    break;
  case BAD_UNTERMINATED:
    text_str(t, chance(g, 30) ? " \"" : "\"");
    gen_chars(c, rnd(g, 5));
    c->quotes_allowed = 0;
    break;
  case BAD_NUL:
    if (chance(g, 50)) {
      gen_chars(c, rnd(g, 3));
      text_put(t, "\0", 1);
      gen_chars(c, rnd(g, 3));
    } else {
      text_str(t, "\"");
      gen_chars(c, rnd(g, 3));
      text_put(t, "\0", 1);
      text_str(t, chance(g, 50) ? "\n\"" : "\"");
    }
    break;
  case BAD_FIELD_CAP: { /* around the cap: one byte short, exact, just over, far over */
    size_t cap = c->opt.max_field_bytes;
    unsigned len = (unsigned)cap - 1 + rnd(g, 4 + (unsigned)cap);
    unsigned form = rnd(g, 4);
    if (form == 0) {
      gen_chars(c, len);
    } else if (form == 1) { /* quoted, with line ends that count as bytes */
      text_str(t, "\"");
      for (unsigned k = 0; k < len; k++) text_str(t, chance(g, 20) ? "\n" : "q");
      text_str(t, "\"");
    } else if (form == 2) { /* trailing blanks are not part of the field */
      gen_chars(c, (unsigned)cap);
      for (unsigned k = 1 + rnd(g, 4); k--;) text_str(t, " ");
    } else { /* an over-long quoted field that is malformed too */
      text_str(t, "\"");
      gen_chars(c, len);
      text_str(t, (const char *[]){"\"x", "\"  ", "\"\"", "\""}[rnd(g, 4)]);
    }
    break;
  }
  default: gen_field(c); break;
  }
}

static void gen_row(gen_t *c, size_t ncols, bad_t bad) {
  size_t n = ncols, bad_col = rnd(c->g, (unsigned)ncols);
  /* a ragged row is located at its first line: start it with a field over several lines */
  int multiline_first = bad == BAD_RAGGED && c->quotes_allowed && chance(c->g, 50);
  if (bad == BAD_RAGGED) n = (ncols == 1 || chance(c->g, 50)) ? ncols + 1 + rnd(c->g, 2) : ncols - 1;
  for (size_t j = 0; j < n; j++) {
    if (j) text_put(&c->text, &c->opt.delim, 1);
    if (j == 0 && multiline_first) {
      text_str(&c->text, "\"");
      gen_chars(c, rnd(c->g, 3));
      text_str(&c->text, (const char *[]){"\n", "\r\n", "\n\n"}[rnd(c->g, 3)]);
      gen_chars(c, rnd(c->g, 3));
      text_str(&c->text, "\"");
    } else if (bad != BAD_NONE && j == bad_col) {
      gen_bad_field(c, bad);
    } else {
      gen_field(c);
    }
  }
}

/* Blank lines of `len` bytes in all (the reader skips them before the header). */
static void gen_filler(text_t *t, size_t len) {
  while (len) {
    size_t spaces = len - 1 > 999 ? 999 : len - 1;
    for (size_t k = 0; k < spaces; k++) text_str(t, " ");
    text_str(t, "\n");
    len -= spaces + 1;
  }
}

/*
 * A random input in c->text and its options in c->opt.  With `filler`, blank
 * lines before the header make the reader's first read (DIFF_FIRST_READ
 * bytes, taken whole while it looks for the header) end within the first
 * 300 bytes of the rows, so that the rows after it are cut into segments of
 * about segment_bytes.
 */
static void gen_input(gen_t *c, int narrow, int filler) {
  rng_t *g = c->g;
  c->text.len = 0;
  vagap_table_options_init(&c->opt);
  c->opt.delim = chance(g, 80) ? ',' : chance(g, 50) ? ';' : '\t';
  c->eol_style = rnd(g, 5) % 4; /* mixed line ends twice as often */
  c->narrow = narrow;
  c->numeric = chance(g, 30);
  c->opt.infer_numbers = chance(g, 50);
  c->quotes_allowed = 1;
  bad_t bad = chance(g, 40) ? (bad_t)(1 + rnd(g, BAD_KINDS - 1)) : BAD_NONE;
  if (bad == BAD_FIELD_CAP || chance(g, 5)) c->opt.max_field_bytes = 4 + rnd(g, 12);
  if (bad == BAD_ROW_CAP || chance(g, 5)) c->opt.max_row_bytes = 12 + rnd(g, 40);

  size_t ncols = narrow ? 1 + rnd(g, 2) : 1 + rnd(g, 4);
  size_t nrows = narrow ? rnd(g, 40) : rnd(g, 25);
  /* the last row often: it ends the input, maybe without a line end */
  size_t bad_row = !nrows ? 0 : chance(g, 40) ? nrows - 1 : rnd(g, (unsigned)nrows);
  size_t bom = chance(g, 10) ? 3 : 0;
  if (bom) text_str(&c->text, "\xEF\xBB\xBF");
  if (chance(g, 5)) gen_eol(c); /* a blank line before the header */
  for (size_t j = 0; j < ncols; j++) {
    if (j) text_put(&c->text, &c->opt.delim, 1);
    if (chance(g, 15)) text_printf(&c->text, "\"c%zu%s\"", j, chance(g, 30) ? "\n," : "");
    else text_printf(&c->text, "c%zu", j);
  }
  if (nrows || chance(g, 70)) gen_eol(c);
  size_t header_end = c->text.len, offset = rnd(g, 300);
  for (size_t i = 0; i < nrows; i++) {
    if (chance(g, 12)) { /* blank line: nothing or blanks */
      text_str(&c->text, (const char *[]){"", "", " ", "  "}[rnd(g, 4)]);
    } else {
      gen_row(c, ncols, i == bad_row ? bad : BAD_NONE);
    }
    if (i + 1 < nrows || chance(g, 70)) gen_eol(c); /* maybe no final line end */
  }
  if (filler && header_end + offset < DIFF_FIRST_READ) {
    text_t rest = {0};
    text_put(&rest, c->text.s + bom, c->text.len - bom);
    c->text.len = bom;
    gen_filler(&c->text, DIFF_FIRST_READ - header_end - offset);
    text_put(&c->text, rest.s, rest.len);
    free(rest.s);
  }
}

/* ---- outcomes ---- */

static void describe_fields(text_t *d, size_t n, const char *const *fields, const size_t *lengths) {
  for (size_t j = 0; j < n; j++) {
    text_printf(d, " [%zu]\"", lengths[j]);
    text_escaped(d, fields[j], lengths[j]);
    text_str(d, "\"");
    if (strlen(fields[j]) != lengths[j]) text_str(d, "(NUL inside)");
  }
  text_str(d, "\n");
}

static void describe_error(text_t *d, vagap_status_t st, const vagap_error_t *err) {
  text_printf(d, "status %d", (int)st);
  if (st != VAGAP_OK) {
    text_printf(d, " %s:%ld:%ld: ", err->file, err->line, err->column);
    text_escaped(d, err->message, strlen(err->message));
  }
  text_str(d, "\n");
}

static void describe_ledger(text_t *d, const vagap_ledger_t *ledger) {
  size_t excluded = vagap_ledger_rows_excluded(ledger);
  text_printf(d, "ledger: read %zu, excluded %zu\n", vagap_ledger_rows_read(ledger), excluded);
  for (size_t i = 0; i < excluded; i++) {
    const vagap_exclusion_t *e = vagap_ledger_exclusion(ledger, i);
    text_printf(d, "  excluded: source %zu line %ld: %s\n", e->source, e->line, e->reason);
  }
}

static void read_streaming(text_t *d, const text_t *input, const vagap_table_options_t *opt) {
  vagap_ledger_t *ledger = vagap_ledger_alloc();
  assert_non_null(ledger);
  vagap_reader_t *r = NULL;
  vagap_error_t err;
  vagap_error_clear(&err);
  vagap_status_t st = vagap_reader_open_memory(&r, "diff.csv", input->s, input->len, opt, ledger, &err);
  if (st == VAGAP_OK) {
    size_t ncols = vagap_reader_ncols(r);
    text_printf(d, "columns %zu:", ncols);
    for (size_t j = 0; j < ncols; j++) text_printf(d, " '%s'", vagap_reader_colname(r, j));
    text_str(d, "\n");
    vagap_row_t row;
    int has = 0;
    while ((st = vagap_reader_next(r, &row, &has, &err)) == VAGAP_OK && has) {
      text_printf(d, "row line %ld (ledger read %zu, excluded %zu):", row.line,
                  vagap_ledger_rows_read(ledger), vagap_ledger_rows_excluded(ledger));
      describe_fields(d, row.nfields, row.fields, row.lengths);
    }
  }
  describe_error(d, st, &err);
  if (r && st != VAGAP_OK) { /* the error sticks */
    vagap_row_t row;
    int has = 1;
    vagap_error_t again;
    vagap_error_clear(&again);
    vagap_status_t st2 = vagap_reader_next(r, &row, &has, &again);
    text_printf(d, "next call: status %d, has_row %d, same error %d\n", (int)st2, has,
                strcmp(again.message, err.message) == 0 && again.line == err.line &&
                    again.column == err.column);
  }
  describe_ledger(d, ledger);
  vagap_reader_close(r);
  vagap_ledger_free(ledger);
}

static void read_table(text_t *d, const text_t *input, const vagap_table_options_t *opt) {
  vagap_ledger_t *ledger = vagap_ledger_alloc();
  assert_non_null(ledger);
  vagap_table_t *t = NULL;
  vagap_error_t err;
  vagap_error_clear(&err);
  vagap_status_t st = vagap_table_read_memory(&t, "diff.csv", input->s, input->len, opt, ledger, &err);
  if (st == VAGAP_OK) {
    size_t ncols = vagap_table_ncols(t), nrows = vagap_table_nrows(t);
    text_printf(d, "columns %zu:", ncols);
    for (size_t j = 0; j < ncols; j++) text_printf(d, " '%s'", vagap_table_colname(t, j));
    text_printf(d, "\nrows %zu\n", nrows);
    const char **fields = malloc((ncols ? ncols : 1) * sizeof *fields);
    size_t *lengths = malloc((ncols ? ncols : 1) * sizeof *lengths);
    assert_true(fields && lengths);
    for (size_t i = 0; i < nrows; i++) {
      for (size_t j = 0; j < ncols; j++) fields[j] = vagap_table_cell(t, i, j, &lengths[j]);
      text_printf(d, "row line %ld:", vagap_table_line(t, i));
      describe_fields(d, ncols, fields, lengths);
    }
    for (size_t j = 0; j < ncols && opt->infer_numbers; j++) {
      const double *x = vagap_table_inferred_numbers(t, j);
      text_printf(d, "column %zu inferred:%s", j, x ? "" : " text");
      for (size_t i = 0; x && i < nrows; i++)
        if (isnan(x[i])) text_str(d, " NaN");
        else text_printf(d, " %a", x[i]);
      text_str(d, "\n");
    }
    free(fields);
    free(lengths);
  } else {
    assert_null(t);
  }
  describe_error(d, st, &err);
  describe_ledger(d, ledger);
  vagap_table_free(t);
  vagap_ledger_free(ledger);
}

/*
 * The outcome read_table gives, made from the streaming reader's rows (every
 * cell's text as libcsv gave it) by parsing the text afterwards; 0 when the
 * read fails (a failed table read reports differently).  With infer_numbers
 * the table's parsers convert cells as they arrive and keep no text that
 * follows from the number: this must not show.
 */
static int read_streaming_as_table(text_t *d, const text_t *input, const vagap_table_options_t *opt) {
  vagap_ledger_t *ledger = vagap_ledger_alloc();
  vagap_reader_t *r = NULL;
  vagap_error_t err;
  vagap_error_clear(&err);
  vagap_status_t st = vagap_reader_open_memory(&r, "diff.csv", input->s, input->len, opt, ledger, &err);
  text_t rows = {0};
  size_t nrows = 0, ncols = 0, cap = 0;
  double *values = NULL; /* row-major */
  long *lines = NULL;
  unsigned char *text = NULL; /* per column: a cell is not a number */
  if (st == VAGAP_OK) {
    ncols = vagap_reader_ncols(r);
    assert_non_null(text = calloc(ncols + 1, 1));
    vagap_row_t row;
    int has = 0;
    while ((st = vagap_reader_next(r, &row, &has, &err)) == VAGAP_OK && has) {
      if (nrows == cap) {
        cap = cap ? 2 * cap : 64;
        assert_non_null(values = realloc(values, cap * (ncols + 1) * sizeof *values));
        assert_non_null(lines = realloc(lines, cap * sizeof *lines));
      }
      lines[nrows] = row.line;
      for (size_t j = 0; j < ncols; j++) {
        vagap_error_t why;
        if (vagap_reader_number(r, &row, j, &values[nrows * ncols + j], &why) != VAGAP_OK) text[j] = 1;
      }
      text_printf(&rows, "row line %ld:", row.line);
      describe_fields(&rows, row.nfields, row.fields, row.lengths);
      nrows++;
    }
  }
  int ok = st == VAGAP_OK;
  if (ok) {
    text_printf(d, "columns %zu:", ncols);
    for (size_t j = 0; j < ncols; j++) text_printf(d, " '%s'", vagap_reader_colname(r, j));
    text_printf(d, "\nrows %zu\n", nrows);
    if (rows.len) text_put(d, rows.s, rows.len);
    for (size_t j = 0; j < ncols && opt->infer_numbers; j++) {
      text_printf(d, "column %zu inferred:%s", j, text[j] ? " text" : "");
      for (size_t i = 0; !text[j] && i < nrows; i++)
        if (isnan(values[i * ncols + j])) text_str(d, " NaN");
        else text_printf(d, " %a", values[i * ncols + j]);
      text_str(d, "\n");
    }
    describe_error(d, st, &err);
    describe_ledger(d, ledger);
  }
  free(rows.s);
  free(values);
  free(lines);
  free(text);
  vagap_reader_close(r);
  vagap_ledger_free(ledger);
  return ok;
}

/* Print where two outcomes part: the first differing line of each. */
static void print_difference(const char *expected, const char *got) {
  size_t line = 1;
  while (*expected && *expected == *got) {
    if (*expected == '\n') line++;
    expected++, got++;
  }
  while (line > 1 && expected[-1] != '\n') expected--, got--;
  int ne = (int)strcspn(expected, "\n"), ng = (int)strcspn(got, "\n");
  fprintf(stderr, "  outcome line %zu:\n    reference: %.*s\n    this read: %.*s\n", line,
          ne > 300 ? 300 : ne, expected, ng > 300 ? 300 : ng, got);
}

typedef struct {
  size_t inputs, reads, mismatches, inputs_failed;
} diff_stats_t;

/* The input, with a long run of leading blank lines (the filler) abbreviated. */
static void print_input(const text_t *input) {
  size_t from = input->len >= 3 && memcmp(input->s, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0, skip = from;
  while (skip < input->len && (input->s[skip] == ' ' || input->s[skip] == '\n')) skip++;
  while (skip > from && input->s[skip - 1] != '\n') skip--;
  text_t shown = {0};
  text_escaped(&shown, input->s + skip, input->len - skip);
  if (skip - from > 64)
    fprintf(stderr, "  input (%zu bytes): \"%s\" + %zu bytes of blank lines (up to 999 spaces "
            "and LF each) + \"%s\"\n", input->len, from ? "\\xEF\\xBB\\xBF" : "", skip - from,
            shown.s);
  else
    fprintf(stderr, "  input (%zu bytes): \"%s%s\"\n", input->len, from ? "\\xEF\\xBB\\xBF" : "",
            shown.s);
  free(shown.s);
}

/* Read c->text every way and compare with the reference; details for the first
   few inputs that differ. */
static void compare_all_ways(const gen_t *c, const char *label, size_t index, diff_stats_t *stats) {
  text_t expected = {0}, got = {0}, which = {0};
  size_t before = stats->mismatches;
  for (int mode = 0; mode < 2; mode++) {
    void (*read)(text_t *, const text_t *, const vagap_table_options_t *) =
        mode == 0 ? read_streaming : read_table;
    vagap_table_options_t opt = c->opt;
    opt.segment_bytes = (size_t)1 << 30;
    opt.threads = 1;
    expected.len = 0;
    read(&expected, &c->text, &opt);
    if (mode == 1 && c->opt.infer_numbers) { /* converted while parsing == parsed afterwards */
      got.len = 0;
      if (read_streaming_as_table(&got, &c->text, &opt) && strcmp(expected.s, got.s) != 0) {
        text_str(&which, " table/as-streamed");
        if (stats->mismatches++ == before && stats->inputs_failed < 10) {
          fprintf(stderr, "MISMATCH %s input %zu: table vs the streaming reader's text parsed "
                  "afterwards (infer_numbers)\n", label, index);
          print_input(&c->text);
          print_difference(got.s, expected.s);
        }
      }
    }
    for (size_t s = 0; s < sizeof DIFF_SEGMENTS / sizeof *DIFF_SEGMENTS; s++)
      for (size_t k = 0; k < sizeof DIFF_THREADS / sizeof *DIFF_THREADS; k++) {
        opt.segment_bytes = DIFF_SEGMENTS[s];
        opt.threads = DIFF_THREADS[k];
        got.len = 0;
        read(&got, &c->text, &opt);
        stats->reads++;
        if (strcmp(expected.s, got.s) == 0) continue;
        text_printf(&which, " %s/%zu/%zu", mode == 0 ? "stream" : "table", opt.segment_bytes, opt.threads);
        if (stats->mismatches++ > before || stats->inputs_failed >= 10) continue;
        fprintf(stderr,
                "MISMATCH %s input %zu: %s, segment_bytes %zu, threads %zu "
                "(max_field_bytes %zu, max_row_bytes %zu, delim '%s', infer_numbers %d)\n",
                label, index, mode == 0 ? "streaming reader" : "table", opt.segment_bytes,
                opt.threads, opt.max_field_bytes, opt.max_row_bytes,
                c->opt.delim == '\t' ? "\\t" : (char[]){c->opt.delim, '\0'}, opt.infer_numbers);
        print_input(&c->text);
        print_difference(expected.s, got.s);
      }
  }
  if (stats->mismatches > before && stats->inputs_failed++ < 10)
    fprintf(stderr, "  differing reads (mode/segment_bytes/threads):%s\n", which.s);
  free(expected.s);
  free(got.s);
  free(which.s);
  stats->inputs++;
}

/*
 * VAGAP_TEST_DIFF_SCALE=N runs N times as many inputs and VAGAP_TEST_DIFF_SEED=S
 * adds S to the seeds, for a longer search than the default run.
 */
static size_t diff_env(const char *name, size_t otherwise) {
  const char *s = getenv(name);
  return s && *s ? (size_t)strtoull(s, NULL, 0) : otherwise;
}

static void run_differential(const char *label, uint64_t seed, size_t inputs, int narrow, int filler) {
  seed += diff_env("VAGAP_TEST_DIFF_SEED", 0);
  inputs *= diff_env("VAGAP_TEST_DIFF_SCALE", 1);
  rng_t g = {seed};
  gen_t c = {.g = &g};
  diff_stats_t stats = {0};
  for (size_t i = 0; i < inputs; i++) {
    gen_input(&c, narrow < 0 ? (int)(i % 2) : narrow, filler);
    compare_all_ways(&c, label, i, &stats);
  }
  free(c.text.s);
  if (stats.mismatches)
    fail_msg("%s (seed 0x%llX): %zu of %zu reads, of %zu of %zu inputs, differ from the reference",
             label, (unsigned long long)seed, stats.mismatches, stats.reads, stats.inputs_failed,
             stats.inputs);
}

static void test_segments_and_threads_small_inputs(void **state) {
  (void)state;
  run_differential("small", DIFF_SEED_SMALL, 150, 0, 0);
}

static void test_segments_and_threads_short_rows(void **state) {
  (void)state;
  run_differential("short", DIFF_SEED_SHORT, 150, 1, 0);
}

static void test_segments_and_threads_past_first_read(void **state) {
  (void)state;
  run_differential("long", DIFF_SEED_LONG, 30, -1, 1);
}

/* One input read every way (1 if some read differs); `behind` puts it after blank
   lines that make the reader's first read end just after its first line. */
static int differs_some_way(const char *csv, size_t max_field_bytes, int behind) {
  rng_t g = {0};
  gen_t c = {.g = &g};
  vagap_table_options_init(&c.opt);
  if (max_field_bytes) c.opt.max_field_bytes = max_field_bytes;
  if (behind) gen_filler(&c.text, DIFF_FIRST_READ - (strcspn(csv, "\n") + 1));
  text_str(&c.text, csv);
  diff_stats_t stats = {0};
  compare_all_ways(&c, behind ? "regression (behind the first read)" : "regression", 0, &stats);
  free(c.text.s);
  return stats.mismatches != 0;
}

/*
 * What the differential test found, reduced.  Segments of 1-3 bytes make the
 * reader give up cutting and parse on in sequence, handing libcsv one read of
 * segment_bytes at a time.
 */
static void test_segments_regressions(void **state) {
  (void)state;
  int failed = 0;
  /* a ragged row that began before the last read is located at its first line (not 0 or -1) */
  failed += differs_some_way("a,b\n\"x\ny\",1,2", 0, 0);
  failed += differs_some_way("a,b\n\"x\ny\nz\",1,2", 0, 0);
  failed += differs_some_way("a,b\n\"x\ny\",1,2\n3,4\n", 0, 1);
  /* a field of exactly max_field_bytes is accepted wherever a read ends: not after
     its closing quote or in the blanks after it */
  failed += differs_some_way("a,b\n1,\"abcdefghij\"\n2,3\n", 10, 1);
  failed += differs_some_way("a,b\n1,abcdefghij  \n2,3\n", 10, 1);
  failed += differs_some_way("a,b\n1,\"abcdefghij\"  \n2,3\n", 10, 1);
  /* a quoted field over the cap with text after its closing quote: one error,
     whichever the reads */
  failed += differs_some_way("a,b\n1,\"abcdefghijklmnopqrst\"x\n2,3\n", 10, 1);
  /* ... and at the very end of the input, without a line end, as with one */
  vagap_table_options_t opt;
  vagap_table_options_init(&opt);
  opt.max_field_bytes = 10;
  const char *ends[] = {"a,b\n1,\"abcdefghij\"\n", "a,b\n1,\"abcdefghij\"", "a,b\n1,abcdefghij  ",
                        "a,b\n1,\"abcdefghij\"  "};
  for (size_t k = 0; k < sizeof ends / sizeof *ends; k++) {
    vagap_table_t *t = NULL;
    vagap_error_t err;
    vagap_error_clear(&err);
    if (vagap_table_read_memory(&t, "m", ends[k], strlen(ends[k]), &opt, NULL, &err) != VAGAP_OK) {
      text_t shown = {0};
      text_escaped(&shown, ends[k], strlen(ends[k]));
      fprintf(stderr, "MISMATCH \"%s\" with max_field_bytes 10: a field of exactly the limit is "
              "refused: %s:%ld:%ld: %s\n", shown.s, err.file, err.line, err.column, err.message);
      free(shown.s);
      failed++;
    }
    vagap_table_free(t);
  }
  /* a lone CR ends a line even when blanks and an LF follow it ("\r \n" is two line
     ends around a blank line, not a CRLF): libcsv skips the blanks, so the LF must
     not be taken for the second half of a CRLF, whether or not a cut falls after the CR */
  failed += differs_some_way("a\n\r \n2\n", 0, 1);
  failed += differs_some_way("a\n1\r \n2\n", 0, 1);
  failed += differs_some_way("a\n1\r\t\t\n2\n", 0, 1);
  vagap_ledger_t *ledger = vagap_ledger_alloc();
  vagap_table_t *t = NULL;
  const char *cr_blank = "a\n1\r \n2\n";
  assert_int_equal(vagap_table_read_memory(&t, "m", cr_blank, strlen(cr_blank), NULL, ledger, NULL),
                   VAGAP_OK);
  if (vagap_table_line(t, 1) != 4 || vagap_ledger_rows_excluded(ledger) != 1) {
    fprintf(stderr, "MISMATCH \"a\\n1\\r \\n2\\n\": row 2 on line %ld (expected 4), %zu blank lines "
            "(expected 1, line 3)\n", vagap_table_line(t, 1), vagap_ledger_rows_excluded(ledger));
    failed++;
  }
  vagap_table_free(t);
  vagap_ledger_free(ledger);
  if (failed) fail_msg("%d of the regression inputs fail", failed);
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
  rejects("1e-400", "too small for a double"); /* R reads 0 silently: an error, like 1e999 */
  rejects("-2.4e-324", "too small for a double");
  assert_true(parse("0e-400") == 0.0);
  assert_true(parse("0.000e-999") == 0.0);
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
      cmocka_unit_test(test_long_na_token_in_column_turned_text),
      cmocka_unit_test(test_numeric_column_error_location),
      cmocka_unit_test(test_streaming_reader),
      cmocka_unit_test(test_gzip_and_file_input),
      cmocka_unit_test(test_read_named_columns_only),
      cmocka_unit_test(test_truncated_gzip_is_an_error),
      cmocka_unit_test(test_gzip_members_and_trailing_data),
      cmocka_unit_test(test_long_input_crosses_buffers),
      cmocka_unit_test(test_segments_and_threads_small_inputs),
      cmocka_unit_test(test_segments_and_threads_short_rows),
      cmocka_unit_test(test_segments_and_threads_past_first_read),
      cmocka_unit_test(test_segments_regressions),
      cmocka_unit_test(test_number_grammar),
      cmocka_unit_test(test_typed_columns_keep_every_cell),
      cmocka_unit_test(test_typed_numbers),
      cmocka_unit_test(test_number_rounding_matches_strtod),
      cmocka_unit_test(test_numbers_ignore_the_process_locale),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
