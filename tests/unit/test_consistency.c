/* Unit tests for vagap/consistency.h on small cases worked out by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "vagap/consistency.h"

#define EPS 1e-12

/*
 * u0 = 1 2 3 4, u1 = 2 4 6 8 (r = 1 with u0), u2 = 4 3 2 1 (r = -1),
 * u3 = 1 3 2 NA: over the first three items r = 0.5 with u0 and u1, -0.5 with u2.
 */
static const double X[] = {1, 2, 3, 4, 2, 4, 6, 8, 4, 3, 2, 1, 1, 3, 2, NAN};

static void check_matrix(vagap_cor_method_t method) {
  vagap_cor_options_t opt;
  vagap_cor_options_init(&opt);
  opt.method = method;
  vagap_consistency_cor_t pairs[16];
  vagap_consistency_unit_t units[4];
  double mean = 0;
  vagap_error_t err;
  assert_int_equal(vagap_consistency_matrix(X, 4, 4, &opt, pairs, units, &mean, &err), VAGAP_OK);
  const double r[4][4] = {{1, 1, -1, 0.5}, {1, 1, -1, 0.5}, {-1, -1, 1, -0.5}, {0.5, 0.5, -0.5, 1}};
  for (size_t i = 0; i < 4; i++)
    for (size_t j = 0; j < 4; j++) {
      assert_int_equal(pairs[i * 4 + j].status, VAGAP_OK);
      assert_float_equal(pairs[i * 4 + j].cor.estimate, r[i][j], EPS);
    }
  assert_int_equal(pairs[0 * 4 + 3].cor.n, 3);
  assert_int_equal(pairs[0 * 4 + 3].cor.n_excluded, 1);
  assert_float_equal(units[0].mean_r, (1 - 1 + 0.5) / 3, EPS);
  assert_float_equal(units[2].mean_r, (-1 - 1 - 0.5) / 3, EPS);
  assert_float_equal(units[3].mean_r, 0.5 / 3, EPS);
  assert_int_equal(units[3].n_defined, 3);
  assert_int_equal(units[3].n_items, 3);
  assert_float_equal(mean, -0.5 / 6, EPS);
}

static void test_matrix_pearson(void **state) {
  (void)state;
  check_matrix(VAGAP_COR_PEARSON);
}

static void test_matrix_spearman(void **state) {
  (void)state;
  check_matrix(VAGAP_COR_SPEARMAN);
}

static void test_matrix_constant_unit(void **state) {
  (void)state;
  /* u1 is constant: its correlations are undefined and left out of the means */
  const double x[] = {1, 2, 3, 4, 5, 5, 5, 5, 1, 3, 2, 4};
  vagap_consistency_cor_t pairs[9];
  vagap_consistency_unit_t units[3];
  double mean = 0;
  vagap_error_t err;
  assert_int_equal(vagap_consistency_matrix(x, 3, 4, NULL, pairs, units, &mean, &err), VAGAP_OK);
  assert_int_equal(pairs[0 * 3 + 1].status, VAGAP_EDOMAIN);
  assert_int_equal(pairs[1 * 3 + 0].status, VAGAP_EDOMAIN);
  assert_true(isnan(units[1].mean_r));
  assert_int_equal(units[1].n_defined, 0);
  /* r(u0, u2) = 0.8: deviations (-1.5,-.5,.5,1.5) and (-1.5,.5,-.5,1.5) */
  assert_float_equal(pairs[0 * 3 + 2].cor.estimate, 0.8, EPS);
  assert_float_equal(units[0].mean_r, 0.8, EPS);
  assert_int_equal(units[0].n_defined, 1);
  assert_float_equal(mean, 0.8, EPS);
}

static void test_centre_rows(void **state) {
  (void)state;
  double x[] = {1, 2, 3, NAN, NAN, NAN};
  vagap_consistency_centre_rows(x, 2, 3);
  assert_float_equal(x[0], -1, EPS);
  assert_float_equal(x[1], 0, EPS);
  assert_float_equal(x[2], 1, EPS);
  assert_true(isnan(x[3]) && isnan(x[4]) && isnan(x[5]));
}

/*
 * u0: stated 1 2 3 4, enacted .1 .2 .3 .4 (r = 1)
 * u1: stated 4 3 2 1, enacted .1 .3 .2 .4 (r = -0.8)
 * u2: stated 3 3 4 4, enacted .4 .3 .2 .1 (r = -2/sqrt(5))
 * Value 0 across units: stated (1, 4, 3) vs enacted (.1, .1, .4) gives
 * r = 0.1/sqrt(0.28); centred stated (-1.5, 1.5, -0.5) gives the opposite sign.
 */
static const double STATED[] = {1, 2, 3, 4, 4, 3, 2, 1, 3, 3, 4, 4};
static const double ENACTED[] = {.1, .2, .3, .4, .1, .3, .2, .4, .4, .3, .2, .1};

static void test_stated_enacted(void **state) {
  (void)state;
  const double r_unit[] = {1, -0.8, -2 / sqrt(5)};
  const double r_value0 = 0.1 / sqrt(0.28);
  for (int centre = 0; centre <= 1; centre++) {
    vagap_consistency_cor_t unit[3], value[4];
    vagap_ttest_t t;
    vagap_status_t ts = VAGAP_EINVAL;
    size_t undef = 99;
    vagap_error_t err;
    assert_int_equal(vagap_consistency_stated_enacted(STATED, ENACTED, 3, 4, centre, NULL, NULL,
                                                      unit, value, &t, &ts, &undef, &err),
                     VAGAP_OK);
    for (size_t i = 0; i < 3; i++) assert_float_equal(unit[i].cor.estimate, r_unit[i], 1e-12);
    assert_float_equal(value[0].cor.estimate, centre ? -r_value0 : r_value0, 1e-12);
    assert_int_equal(undef, 0);
    assert_int_equal(ts, VAGAP_OK);
    assert_int_equal(t.n, 3);
    assert_float_equal(t.estimate, (r_unit[0] + r_unit[1] + r_unit[2]) / 3, 1e-12);
  }
}

static void test_stated_enacted_missing(void **state) {
  (void)state;
  /* u1 has only two enacted values: its r is undefined and left out of the mean */
  const double stated[] = {1, 2, 3, 4, 4, 3, 2, 1, 3, 3, 4, 4};
  const double enacted[] = {.1, .2, .3, .4, NAN, .3, NAN, .4, .4, .3, .2, .1};
  vagap_consistency_cor_t unit[3];
  vagap_ttest_t t;
  vagap_status_t ts;
  size_t undef = 0;
  vagap_error_t err;
  assert_int_equal(vagap_consistency_stated_enacted(stated, enacted, 3, 4, 1, NULL, NULL, unit,
                                                    NULL, &t, &ts, &undef, &err),
                   VAGAP_OK);
  assert_int_equal(unit[1].status, VAGAP_EDOMAIN);
  assert_int_equal(undef, 1);
  assert_int_equal(t.n, 2);
  assert_float_equal(t.estimate, (1 - 2 / sqrt(5)) / 2, 1e-12);
}

static void test_roleplay_drop(void **state) {
  (void)state;
  const double a[] = {0.9, 0.8, 0.7, NAN};
  const double b[] = {0.5, 0.6, 0.6, 0.4};
  double drop[4];
  vagap_ttest_t t;
  vagap_error_t err;
  assert_int_equal(vagap_consistency_roleplay_drop(a, b, 4, NULL, drop, &t, &err), VAGAP_OK);
  assert_float_equal(drop[0], 0.4, 1e-12);
  assert_float_equal(drop[2], 0.1, 1e-12);
  assert_true(isnan(drop[3]));
  assert_int_equal(t.n, 3);
  assert_int_equal(t.n_excluded, 1);
  assert_float_equal(t.estimate, 0.7 / 3, 1e-12);
  /* differences .4 .2 .1: sd = sqrt(((1/6)^2 + (1/30)^2 + (2/15)^2) / 2) */
  double sd = sqrt((1.0 / 36 + 1.0 / 900 + 4.0 / 225) / 2);
  assert_float_equal(t.statistic, (0.7 / 3) / (sd / sqrt(3)), 1e-9);
  assert_float_equal(t.df, 2, 1e-12);
  /* fewer than two complete units: undefined, not a crash */
  assert_int_equal(vagap_consistency_roleplay_drop(a, b, 1, NULL, NULL, &t, &err), VAGAP_EDOMAIN);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_matrix_pearson),
      cmocka_unit_test(test_matrix_spearman),
      cmocka_unit_test(test_matrix_constant_unit),
      cmocka_unit_test(test_centre_rows),
      cmocka_unit_test(test_stated_enacted),
      cmocka_unit_test(test_stated_enacted_missing),
      cmocka_unit_test(test_roleplay_drop),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
