/* Unit tests for number parsing (numparse.c): every fast path gives strtod's double, bit for
   bit, accepts and refuses exactly what the grammar says, and reports the same shape
   (number_text_decimals) as the text itself; random and edge inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table_typed.h"
#include "vagap/table.h"

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* The grammar: [blanks][+-](digits[.digits] | .digits)[e[+-]digits][blanks], where
   "digits." is allowed too (inputs here stay far from overflow); sets the trimmed span. */
static int oracle_accepts(const char *s, size_t len, size_t *from, size_t *to) {
  size_t i = 0, end = len;
  while (i < end && (s[i] == ' ' || s[i] == '\t')) i++;
  while (end > i && (s[end - 1] == ' ' || s[end - 1] == '\t')) end--;
  *from = i;
  *to = end;
  if (i < end && (s[i] == '+' || s[i] == '-')) i++;
  size_t digits = 0;
  while (i < end && is_digit(s[i])) i++, digits++;
  if (i < end && s[i] == '.')
    for (i++; i < end && is_digit(s[i]); i++) digits++;
  if (digits && i < end && (s[i] == 'e' || s[i] == 'E')) { /* an exponent: one digit at least */
    i++;
    if (i < end && (s[i] == '+' || s[i] == '-')) i++;
    if (i == end || !is_digit(s[i])) return 0;
    while (i < end && is_digit(s[i])) i++;
  }
  return i == end && digits > 0;
}

static void check_text(const char *s, size_t len) {
  size_t from, to;
  int ok = oracle_accepts(s, len, &from, &to);
  double got = 0, shaped = 0;
  int decimals = -7;
  vagap_status_t st = vagap_parse_double(s, len, &got, NULL);
  int shape_st = parse_number_shape(s, len, '.', &shaped, &decimals);
  if (!ok) {
    if (st == VAGAP_OK || shape_st == 0) fail_msg("accepted '%.*s'", (int)len, s);
    return;
  }
  if (st != VAGAP_OK || shape_st != 0) fail_msg("refused '%.*s'", (int)len, s);
  char copy[64];
  snprintf(copy, sizeof copy, "%.*s", (int)(to - from), s + from);
  double want = strtod(copy, NULL);
  if (memcmp(&got, &want, sizeof got) || memcmp(&shaped, &want, sizeof got))
    fail_msg("'%s': %.17g and %.17g, strtod %.17g", copy, got, shaped, want);
  int want_decimals = number_text_decimals(s, len, '.');
  if (decimals != want_decimals) fail_msg("'%.*s': decimals %d, text says %d", (int)len, s, decimals, want_decimals);
}

static void check(const char *s) { check_text(s, strlen(s)); }

static void test_edge_inputs(void **state) {
  (void)state;
  static const char *const edges[] = {
      "0", "-0", "00", "-00", "0.0", "-0.0", "1", "9", "-9", "12", "123", "1234", "12345678",
      "123456789", "1234567890123456", "9999999999999999", "-999999999999999", "9007199254740991",
      "9007199254740992", "9007199254740993", "900719925474099.1", "0.000000000000001",
      "0.0000000000000001", "-0.000000000000001", "123456789012345.6", "12345678901234.56",
      "1.", "-1.", ".5", "-.5", ".", "-.", "-", "", "..", "1.2.3", "1..2", "-1-", "--1", "+1",
      " 1", "1 ", "1.5 ", "0x10", "1e5", "1E-3", "nan", "inf", "007", "0.5", "-0.5", "10.00",
      "123.4560", "1234567.", "1234567.8", "12345678.9", "0000000000000001", "00000000000000001",
      "1.000000000000000", "57.123456", "-0.499999", "9999.999999", "\xC3\xA9", "1\xC3\xA9"};
  for (size_t k = 0; k < sizeof edges / sizeof edges[0]; k++) check(edges[k]);
  check_text("1\0002", 3); /* a NUL inside */
  check_text("12345678\0", 9);
}

/* Plain decimals of every shape: sign, integer and fraction lengths 0..18, leading zeros. */
static void test_random_plain_decimals(void **state) {
  (void)state;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 20261205);
  char s[64];
  for (int trial = 0; trial < 400000; trial++) {
    size_t n = 0;
    if (gsl_rng_uniform(r) < 0.3) s[n++] = '-';
    size_t int_len = gsl_rng_uniform_int(r, 19), frac_len = gsl_rng_uniform_int(r, 19);
    int zeros = gsl_rng_uniform(r) < 0.2; /* runs of zeros: leading zeros, 0.000x */
    for (size_t i = 0; i < int_len; i++) s[n++] = (char)('0' + (zeros ? 0 : gsl_rng_uniform_int(r, 10)));
    if (gsl_rng_uniform(r) < 0.8) {
      s[n++] = '.';
      for (size_t i = 0; i < frac_len; i++)
        s[n++] = (char)('0' + (zeros && i + 1 < frac_len ? 0 : gsl_rng_uniform_int(r, 10)));
    }
    check_text(s, n);
  }
  gsl_rng_free(r);
}

/* Short strings over digits, points, signs, blanks and other bytes: accepted exactly when
   the grammar says, and then strtod's value. */
static void test_random_text(void **state) {
  (void)state;
  static const char alphabet[] = "0123456789012345678901234567890123456789..--+ \tax\xC3";
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 77);
  char s[32];
  for (int trial = 0; trial < 400000; trial++) {
    size_t n = gsl_rng_uniform_int(r, 21);
    for (size_t i = 0; i < n; i++) s[i] = alphabet[gsl_rng_uniform_int(r, sizeof alphabet - 1)];
    check_text(s, n);
  }
  gsl_rng_free(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_edge_inputs),
      cmocka_unit_test(test_random_plain_decimals),
      cmocka_unit_test(test_random_text),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
