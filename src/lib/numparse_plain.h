/*
 * numparse_plain.h - internal: the fast path of number parsing (numparse.c),
 * inline, so that the parser's field callback (csv_segment.c) converts most
 * cells without a call.
 *
 * The shape nearly every number in a data file has: [-]digits[.digits], at
 * most 19 digits in all (so the mantissa fits in 64 bits).  One tight loop,
 * then Clinger's exact case (1990): a mantissa m < 2^53 and a power of ten
 * 10^e with e <= 22 are both exact doubles, so m / 10^e rounds correctly.
 */
#ifndef VAGAP_NUMPARSE_PLAIN_H
#define VAGAP_NUMPARSE_PLAIN_H

#include <stddef.h>
#include <stdint.h>

static const double exact_powers_of_ten[] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/*
 * s[0, len) as a number when it has the plain shape (1), else 0: anything
 * else (blanks, '+', exponents, long mantissas) is left to the general parser
 * (vagap_parse_double).  Also gives number_text_decimals(s, len, '.') when it
 * is not -1 (-1 in *decimals otherwise).
 */
static inline __attribute__((always_inline)) int parse_plain_decimal_shape(const char *s, size_t len,
                                                                        double *out, int *decimals) {
  size_t i = 0;
  int negative = len > 0 && s[0] == '-';
  i += (size_t)negative;
  uint64_t mantissa = 0;
  size_t int_digits = 0, frac_digits = 0;
  int has_point = 0;
  *decimals = -1;
  for (; i < len; i++, int_digits++) {
    unsigned d = (unsigned)(unsigned char)s[i] - '0';
    if (d > 9) break;
    mantissa = mantissa * 10 + d;
  }
  if (i < len && s[i] == '.')
    for (i++, has_point = 1; i < len; i++, frac_digits++) {
      unsigned d = (unsigned)(unsigned char)s[i] - '0';
      if (d > 9) break;
      mantissa = mantissa * 10 + d;
    }
  size_t digits = int_digits + frac_digits;
  if (i != len || digits == 0 || digits > 19 || frac_digits > 22 ||
      mantissa >= ((uint64_t)1 << 53))
    return 0;
  double v = (double)mantissa;
  if (frac_digits) v /= exact_powers_of_ten[frac_digits];
  *out = negative ? -v : v;
  /* the digits read as one integer are the significant ones with leading zeros */
  if (int_digits && !(int_digits > 1 && s[negative] == '0') && (!has_point || frac_digits) &&
      mantissa < 1000000000000000ULL)
    *decimals = (int)frac_digits;
  return 1;
}

#endif
