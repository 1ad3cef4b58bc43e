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

static void test_integers(void **state) {
  (void)state;
  static const char *const names[] = {"a", "b", "c", "d"};
  char *buf = NULL;
  size_t size = 0;
  FILE *f = open_memstream(&buf, &size);
  cli_writer_t *w = cli_writer_open_stream(f, CLI_FORMAT_CSV, 15, names, 4);
  cli_put_int(w, 0);
  cli_put_int(w, -7);
  cli_put_int(w, 9223372036854775807LL);
  cli_put_int(w, -9223372036854775807LL - 1);
  assert_int_equal(cli_writer_close(w), CLI_EXIT_OK);
  fclose(f);
  assert_string_equal(buf, "a,b,c,d\n0,-7,9223372036854775807,-9223372036854775808\n");
  free(buf);
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

/* splitmix64: a fixed, portable stream of test values */
static uint64_t next_random(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/* One value of a mix that stresses %g: random bit patterns, short decimals
   (ties in decimal are common there), integers, and neighbours of powers of ten. */
static double test_value(uint64_t *state) {
  uint64_t u = next_random(state);
  double x;
  switch (u % 5) {
  case 0: /* any finite double */
    do {
      uint64_t bits = next_random(state);
      memcpy(&x, &bits, sizeof x);
    } while (!isfinite(x));
    return x;
  case 1: /* a decimal with few digits, e.g. 0.125 or 2.5e-3 */
    return (double)(next_random(state) % 100000) / pow(10.0, (double)(next_random(state) % 12));
  case 2: /* an integer */
    return (double)(int64_t)(next_random(state) >> (next_random(state) % 64));
  case 3: { /* next to a power of ten */
    double p10 = pow(10.0, (double)((int)(next_random(state) % 60) - 30));
    return nextafter(p10, (u >> 8) & 1 ? INFINITY : 0.0);
  }
  default: /* a statistic-like value */
    return ((double)next_random(state) / 18446744073709551616.0 - 0.5) * pow(10.0, (double)(next_random(state) % 9));
  }
}

/* The fast formatter must print exactly what snprintf("%.*g") prints, at every precision. */
static void test_digits_match_printf(void **state) {
  (void)state;
  uint64_t seed = 20261123;
  char fast[64], slow[64];
  for (long i = 0; i < 600000; i++) {
    double x = test_value(&seed);
    int digits = 1 + (int)(i % 17);
    cli_format_number(fast, sizeof fast, x, digits);
    snprintf(slow, sizeof slow, "%.*g", digits, x == 0 ? 0.0 : x);
    if (strcmp(fast, slow) != 0) fail_msg("%.17g at %d digits: got %s, printf gives %s", x, digits, fast, slow);
  }
  /* ties and carries that a scaled value could get wrong */
  const double cases[] = {0.5, 1.5, 2.5, 0.125, 0.375, 9.5, 99.5, 999.5, 0.15, 0.25, 1e15, 1e16,
                          999999999999999.5, 9.9999999999999995, 1e-5, 1e-4, 0.0001, 123456789012345678.0,
                          5e-324, 1.7976931348623157e308, 1e27, 1e28, 1e-27, 1e-28};
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
    for (int digits = 1; digits <= 17; digits++)
      for (int sign = -1; sign <= 1; sign += 2) {
        double x = sign * cases[k];
        cli_format_number(fast, sizeof fast, x, digits);
        snprintf(slow, sizeof slow, "%.*g", digits, x);
        if (strcmp(fast, slow) != 0) fail_msg("%.17g at %d digits: got %s, printf gives %s", x, digits, fast, slow);
      }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_csv_quoting_and_na),
      cmocka_unit_test(test_tsv),
      cmocka_unit_test(test_json_lines),
      cmocka_unit_test(test_digits),
      cmocka_unit_test(test_digits_match_printf),
      cmocka_unit_test(test_integers),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
