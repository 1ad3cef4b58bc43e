/* Tests of the tidy-table writer (src/cli/output.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *const COLS[] = {"name", "value", "n", "flag"};

/* Write one row through a writer into memory and return the text (caller frees). */
static char *write_row(cli_format_t format, int digits, const char *name, double value) {
  char *buf = NULL;
  size_t size = 0;
  FILE *f = open_memstream(&buf, &size);
  cli_writer_t *w = cli_writer_open_stream(f, format, digits, COLS, 4);
  cli_put_str(w, name);
  cli_put_num(w, value);
  cli_put_int(w, 42);
  cli_put_bool(w, 1);
  assert_int_equal(cli_writer_close(w), CLI_EXIT_OK);
  fclose(f);
  return buf;
}

static void test_csv_quoting_and_na(void **state) {
  (void)state;
  char *s = write_row(CLI_FORMAT_CSV, 15, "a \"b\", c", NAN);
  assert_string_equal(s, "name,value,n,flag\n\"a \"\"b\"\", c\",NA,42,TRUE\n");
  free(s);
  s = write_row(CLI_FORMAT_CSV, 15, NULL, 1.5);
  assert_string_equal(s, "name,value,n,flag\nNA,1.5,42,TRUE\n");
  free(s);
}

static void test_tsv(void **state) {
  (void)state;
  char *s = write_row(CLI_FORMAT_TSV, 15, "x,y", -0.0);
  assert_string_equal(s, "name\tvalue\tn\tflag\nx,y\t0\t42\tTRUE\n");
  free(s);
}

static void test_json_lines(void **state) {
  (void)state;
  char *s = write_row(CLI_FORMAT_JSON, 15, "tab\there \"q\"\n", INFINITY);
  assert_string_equal(s, "{\"name\":\"tab\\there \\\"q\\\"\\n\",\"value\":null,\"n\":42,\"flag\":true}\n");
  free(s);
}

static void test_digits(void **state) {
  (void)state;
  char buf[64];
  cli_format_number(buf, sizeof buf, 0.1 + 0.2, 15);
  assert_string_equal(buf, "0.3");
  cli_format_number(buf, sizeof buf, 0.1 + 0.2, 17);
  assert_true(strtod(buf, NULL) == 0.1 + 0.2); /* round trip */
  cli_format_number(buf, sizeof buf, 1e-320, 17);
  assert_true(strtod(buf, NULL) == 1e-320);
  cli_format_number(buf, sizeof buf, 123456.0, 15);
  assert_string_equal(buf, "123456");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_csv_quoting_and_na),
      cmocka_unit_test(test_tsv),
      cmocka_unit_test(test_json_lines),
      cmocka_unit_test(test_digits),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
