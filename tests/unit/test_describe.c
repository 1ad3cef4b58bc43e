/* Unit tests for vagap_describe_numeric and vagap_describe_numeric_columns: the gathering, the
   bucketed median and the long-double passes of several columns at once give exactly what the
   plain computation (GSL's median, R's two-pass mean) gives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vagap/describe.h"

/* The summary as computed value by value: gather, R's mean, variance, GSL's median. */
static void reference_summary(const double *x, size_t n, vagap_numeric_summary_t *s) {
  double *v = malloc((n ? n : 1) * sizeof *v);
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    if (!isnan(x[i])) v[m++] = x[i];
  s->n = m;
  s->mean = vagap_describe_mean(v, m);
  s->sd = sqrt(vagap_describe_variance(v, m, s->mean));
  s->median = m ? gsl_stats_median(v, 1, m) : NAN;
  free(v);
}

static void assert_same_bits(double a, double b) {
  if (isnan(a) && isnan(b)) return;
  assert_memory_equal(&a, &b, sizeof a);
}

static void check_sample(const double *x, size_t n) {
  double *scratch = malloc((n ? n : 1) * sizeof *scratch);
  vagap_numeric_summary_t got, want;
  vagap_describe_numeric(x, n, scratch, &got);
  reference_summary(x, n, &want);
  assert_int_equal(got.n, want.n);
  assert_same_bits(got.mean, want.mean);
  assert_same_bits(got.sd, want.sd);
  assert_same_bits(got.median, want.median);
  free(scratch);
}

typedef double (*draw_t)(gsl_rng *r);
static double draw_uniform(gsl_rng *r) { return gsl_rng_uniform(r) * 100; }
static double draw_signed(gsl_rng *r) { return (gsl_rng_uniform(r) - 0.5) * 1e-3; }
static double draw_likert(gsl_rng *r) { return (double)(1 + gsl_rng_uniform_int(r, 7)); }
static double draw_offset(gsl_rng *r) { return 1e9 + gsl_rng_uniform(r); }
static double draw_wide(gsl_rng *r) { /* many binades, both signs, some missing */
  double u = gsl_rng_uniform(r);
  if (u < 0.05) return NAN;
  return (u < 0.5 ? -1 : 1) * exp(60 * (gsl_rng_uniform(r) - 0.5));
}
static double draw_constant(gsl_rng *r) { (void)r; return 3.25; }
static double draw_two_values(gsl_rng *r) { return gsl_rng_uniform(r) < 0.5 ? -2.0 : 7.0; }

static void test_median_and_moments_match_plain_computation(void **state) {
  (void)state;
  static const draw_t draws[] = {draw_uniform, draw_signed, draw_likert, draw_offset,
                                 draw_wide, draw_constant, draw_two_values};
  /* around the size where the bucketed median starts, odd and even */
  static const size_t sizes[] = {1, 2, 3, 10, 4095, 4096, 4097, 5000, 5001, 65536, 100001, 300000};
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 20261205);
  for (size_t d = 0; d < sizeof draws / sizeof draws[0]; d++)
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
      size_t n = sizes[k];
      double *x = malloc(n * sizeof *x);
      for (size_t i = 0; i < n; i++) x[i] = draws[d](r);
      check_sample(x, n);
      free(x);
    }
  gsl_rng_free(r);
}

/* The two middle values in different buckets, and a median bucket at either end. */
static void test_median_across_buckets(void **state) {
  (void)state;
  size_t n = 10000;
  double *x = malloc(n * sizeof *x);
  for (size_t i = 0; i < n; i++) x[i] = i < n / 2 ? -1.0 - (double)i : 1e6 + (double)i;
  check_sample(x, n); /* lhs is the largest negative, rhs the smallest positive */
  for (size_t i = 0; i < n; i++) x[i] = i == 0 ? 1e300 : -1e-300 * (double)(i + 1);
  check_sample(x, n);
  /* (0.1 + 0.7) / 2 and 0.1 + (0.7 - 0.1) / 2 differ in the last bit: GSL's form is kept */
  for (size_t i = 0; i < n; i++) x[i] = i % 2 ? 0.1 : 0.7;
  check_sample(x, n);
  for (size_t i = 0; i < n; i++) x[i] = i % 2 ? NAN : (double)i; /* half missing */
  check_sample(x, n);
  free(x);
}

/* Several columns at once (their sums advance together) give each column's own summary, bit
   for bit: every count of columns up to two groups of four and a remainder, columns with and
   without missing values, below and above the bucketed median's threshold. */
static void test_columns_together_match_one_by_one(void **state) {
  (void)state;
  static const draw_t draws[] = {draw_uniform, draw_wide, draw_offset, draw_likert, draw_signed,
                                 draw_constant, draw_two_values, draw_wide, draw_uniform};
  enum { NDRAWS = sizeof draws / sizeof draws[0] };
  static const size_t sizes[] = {0, 1, 2, 3, 4095, 4096, 20001};
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 20261206);
  for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
    size_t n = sizes[k];
    double *x[NDRAWS], *scratch = malloc((n ? n : 1) * sizeof *scratch);
    for (size_t c = 0; c < NDRAWS; c++) {
      x[c] = malloc((n ? n : 1) * sizeof *x[c]);
      for (size_t i = 0; i < n; i++) x[c][i] = draws[c](r);
    }
    for (size_t ncols = 1; ncols <= NDRAWS; ncols++) {
      vagap_numeric_summary_t together[NDRAWS], alone;
      vagap_describe_numeric_columns((const double *const *)x, ncols, n, scratch, together);
      for (size_t c = 0; c < ncols; c++) {
        vagap_describe_numeric(x[c], n, scratch, &alone);
        assert_int_equal(together[c].n, alone.n);
        assert_int_equal(together[c].missing, alone.missing);
        assert_same_bits(together[c].mean, alone.mean);
        assert_same_bits(together[c].sd, alone.sd);
        assert_same_bits(together[c].min, alone.min);
        assert_same_bits(together[c].median, alone.median);
        assert_same_bits(together[c].max, alone.max);
      }
    }
    for (size_t c = 0; c < NDRAWS; c++) free(x[c]);
    free(scratch);
  }
  gsl_rng_free(r);
}

static void test_all_missing(void **state) {
  (void)state;
  size_t n = 5000;
  double *x = malloc(n * sizeof *x), *scratch = malloc(n * sizeof *scratch);
  for (size_t i = 0; i < n; i++) x[i] = NAN;
  vagap_numeric_summary_t s;
  vagap_describe_numeric(x, n, scratch, &s);
  assert_int_equal(s.n, 0);
  assert_int_equal(s.missing, n);
  assert_true(isnan(s.median) && isnan(s.mean));
  free(x);
  free(scratch);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_median_and_moments_match_plain_computation),
      cmocka_unit_test(test_median_across_buckets),
      cmocka_unit_test(test_columns_together_match_one_by_one),
      cmocka_unit_test(test_all_missing),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
