/*
 * Decimal number parsing in the C locale, correctly rounded.
 *
 * Fast paths (Clinger 1990): a decimal with at most 19 significant digits whose
 * integer mantissa m < 2^53 and decimal exponent |e| <= 22 is exactly m * 10^e
 * or m / 10^e, because both operands are exact doubles and IEEE division and
 * multiplication round correctly.  Everything else goes to strtod_l with a C
 * locale object, which glibc rounds correctly.  The grammar is checked here
 * first, so strtod's extras (hex, inf, nan, locale digits) never get through.
 */
#include "vagap/table.h"
#include "numparse_plain.h"
#include "table_typed.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static void make_c_locale(void) { c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0); }

static int is_blank(char c) { return c == ' ' || c == '\t'; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* A short printable excerpt of the offending text for messages. */
static void excerpt(char *buf, size_t size, const char *s, size_t len) {
  size_t n = len < size - 4 ? len : size - 4;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) buf[k++] = (s[i] >= 32 && s[i] < 127) ? s[i] : '?';
  if (n < len) buf[k++] = '.', buf[k++] = '.', buf[k++] = '.';
  buf[k] = '\0';
}

static vagap_status_t reject(const char *s, size_t len, vagap_error_t *err) {
  char text[64];
  excerpt(text, sizeof text, s, len);
  const char *hint = "";
  if (memchr(s, ',', len)) hint = " (a decimal comma? numbers use '.' unless --decimal-comma is given)";
  else if (len >= 2 && (memchr(s, 'x', len) || memchr(s, 'X', len))) hint = " (hexadecimal is not accepted)";
  else if (strcasestr(text, "nan") || strcasestr(text, "inf"))
    hint = " (infinities and NaN variants are not numbers; missing values are the --na tokens)";
  return vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0, "expected a number, found '%s'%s", text, hint);
}

static int parse_plain_decimal(const char *s, size_t len, double *out) {
  int decimals;
  return parse_plain_decimal_shape(s, len, out, &decimals);
}

int parse_number_shape(const char *s, size_t len, char mark, double *out, int *decimals) {
  if (mark == '.' && parse_plain_decimal_shape(s, len, out, decimals)) return 0;
  if (vagap_parse_double_mark(s, len, mark == ',', out, NULL) != VAGAP_OK) return -1;
  *decimals = number_text_decimals(s, len, mark);
  return 0;
}

vagap_status_t vagap_parse_double(const char *s, size_t len, double *out, vagap_error_t *err) {
  if (parse_plain_decimal(s, len, out)) return VAGAP_OK;
  size_t i = 0, end = len;
  while (i < end && is_blank(s[i])) i++;
  while (end > i && is_blank(s[end - 1])) end--;
  size_t start = i;
  int negative = 0;
  if (i < end && (s[i] == '+' || s[i] == '-')) negative = (s[i++] == '-');

  uint64_t mantissa = 0;
  int significant = 0, digits = 0, dropped = 0, exp10 = 0;
  for (; i < end && is_digit(s[i]); i++, digits++) {
    if (mantissa == 0 && s[i] == '0') continue;
    if (significant < 19) mantissa = mantissa * 10 + (uint64_t)(s[i] - '0'), significant++;
    else dropped = 1, exp10++;
  }
  if (i < end && s[i] == '.') {
    for (i++; i < end && is_digit(s[i]); i++, digits++) {
      if (mantissa == 0 && s[i] == '0') { exp10--; continue; }
      if (significant < 19) mantissa = mantissa * 10 + (uint64_t)(s[i] - '0'), significant++, exp10--;
      else dropped = 1;
    }
  }
  if (digits == 0) return reject(s, len, err);
  if (i < end && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    int eneg = 0;
    if (i < end && (s[i] == '+' || s[i] == '-')) eneg = (s[i++] == '-');
    if (i >= end || !is_digit(s[i])) return reject(s, len, err);
    long e = 0;
    for (; i < end && is_digit(s[i]); i++)
      if (e < 100000) e = e * 10 + (s[i] - '0');
    exp10 += (int)(eneg ? -e : e);
  }
  if (i != end) return reject(s, len, err);

  if (mantissa == 0) {
    *out = negative ? -0.0 : 0.0;
    return VAGAP_OK;
  }
  if (!dropped && mantissa < ((uint64_t)1 << 53) && exp10 >= -22 && exp10 <= 22) {
    double m = (double)mantissa;
    double v = exp10 >= 0 ? m * exact_powers_of_ten[exp10] : m / exact_powers_of_ten[-exp10];
    *out = negative ? -v : v;
    return VAGAP_OK;
  }

  /* Slow path: strtod_l on a NUL-terminated copy of the validated token. */
  char stack[128];
  size_t n = end - start;
  char *copy = n < sizeof stack ? stack : malloc(n + 1);
  if (!copy) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  memcpy(copy, s + start, n);
  copy[n] = '\0';
  pthread_once(&c_locale_once, make_c_locale);
  errno = 0;
  double v = strtod_l(copy, NULL, c_locale);
  if (copy != stack) free(copy);
  if (isinf(v)) {
    char text[64];
    excerpt(text, sizeof text, s, len);
    return vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0,
                           "number '%s' is out of the range of a double", text);
  }
  if (v == 0) {
    /* nonzero digits that round to 0 (1e-400): R reads such a value as 0 without
       a word, as it reads 1e309 as Inf; both would silently change the data, so
       both are errors here.  Subnormal results (1e-320) are correctly rounded
       and are kept. */
    char text[64];
    excerpt(text, sizeof text, s, len);
    return vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0,
                           "number '%s' is too small for a double (it would be read as 0; the "
                           "smallest is about 4.9e-324)", text);
  }
  *out = v; /* ERANGE with a subnormal result is a correct rounding */
  return VAGAP_OK;
}

/* A decimal comma becomes a point in a copy; a point is refused, since in
   such files it is a thousands separator ("1.234,5") or a slip. */
vagap_status_t vagap_parse_double_mark(const char *s, size_t len, int decimal_comma,
                                       double *out, vagap_error_t *err) {
  if (!decimal_comma) return vagap_parse_double(s, len, out, err);
  if (memchr(s, '.', len)) {
    char text[64];
    excerpt(text, sizeof text, s, len);
    return vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0,
                           "expected a number with a decimal comma, found '%s' (a '.' is not "
                           "accepted with --decimal-comma)", text);
  }
  char stack[128];
  char *copy = len < sizeof stack ? stack : malloc(len + 1);
  if (!copy) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  for (size_t i = 0; i < len; i++) copy[i] = s[i] == ',' ? '.' : s[i];
  copy[len] = '\0';
  vagap_status_t st = vagap_parse_double(copy, len, out, err);
  if (st != VAGAP_OK && err && err->status == VAGAP_EDATA) {
    char text[64];
    excerpt(text, sizeof text, s, len);
    vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0, "expected a number, found '%s'", text);
  }
  if (copy != stack) free(copy);
  return st;
}

/*
 * How many decimals printf("%.*f") needs to write exactly the text s[0, len),
 * or -1 when it never would.  Such text is an optional '-', an integer part
 * without leading zeros ("0" alone may lead), and optionally `mark` and at
 * least one digit; nothing else (no '+', blanks, exponent or lone mark).
 * With at most 15 significant digits, the digit string read as an integer
 * is below 2^52, so the correctly rounded double x of the text lies within
 * |text| * 2^-53 < 0.5 * 10^-d of it and glibc's exact "%.*f" of x rounds
 * back to the same digits: the text need not be kept beside the number.
 */
int number_text_decimals(const char *s, size_t len, char mark) {
  size_t i = 0, significant = 0;
  if (i < len && s[i] == '-') i++;
  size_t int_start = i;
  while (i < len && is_digit(s[i])) {
    if (significant || s[i] != '0') significant++;
    i++;
  }
  size_t int_digits = i - int_start;
  if (int_digits == 0 || (int_digits > 1 && s[int_start] == '0')) return -1;
  if (i == len) return significant <= 15 ? 0 : -1;
  if (s[i] != mark) return -1;
  size_t frac_start = ++i;
  while (i < len && is_digit(s[i])) {
    if (significant || s[i] != '0') significant++;
    i++;
  }
  size_t decimals = i - frac_start;
  if (i != len || decimals == 0 || significant > 15 || decimals > NUMBER_TEXT_MAX_DECIMALS) return -1;
  return (int)decimals;
}
