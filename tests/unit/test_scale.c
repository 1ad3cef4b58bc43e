/* Tests of src/lib/scale.c: reversal, row scores, --min-items, unit means, POMP, alpha. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>

#include "vagap/scale.h"

/* Two scales on a 1..7 range: A = items 0, 1 (1 reversed), B = items 2, 3; item 4 unscored. */
static const long SCALE_OF[] = {0, 0, 1, 1, -1};
static const int REVERSED[] = {0, 1, 0, 0, 0};

static vagap_scale_key_t make_key(size_t min_items) {
  vagap_scale_key_t k = {5, 2, SCALE_OF, REVERSED, 1.0, 7.0, min_items};
  return k;
}

static void test_key_check(void **state) {
  (void)state;
  vagap_error_t err;
  vagap_scale_key_t k = make_key(0);
  assert_int_equal(vagap_scale_key_check(&k, &err), VAGAP_OK);
  assert_int_equal(vagap_scale_nitems(&k, 0), 2);
  assert_int_equal(vagap_scale_nitems(&k, 1), 2);
  k.min_items = 3; /* more than any scale has */
  assert_int_equal(vagap_scale_key_check(&k, &err), VAGAP_EINVAL);
  k = make_key(0);
  k.max = 1.0;
  assert_int_equal(vagap_scale_key_check(&k, &err), VAGAP_EINVAL);
  k = make_key(0);
  k.nscales = 3; /* scale 2 has no items */
  assert_int_equal(vagap_scale_key_check(&k, &err), VAGAP_EINVAL);
  long bad[] = {0, 0, 1, 5, -1};
  k = make_key(0);
  k.item_scale = bad;
  assert_int_equal(vagap_scale_key_check(&k, &err), VAGAP_EINVAL);
}

static void test_reverse_and_pomp(void **state) {
  (void)state;
  vagap_scale_key_t k = make_key(0);
  assert_true(vagap_scale_item_value(&k, 1, 6.0) == 2.0); /* 1 + 7 - 6 */
  assert_true(vagap_scale_item_value(&k, 0, 6.0) == 6.0);
  assert_true(fabs(vagap_scale_pomp(&k, 4.0) - 0.5) < 1e-15);
  assert_true(vagap_scale_pomp(&k, 1.0) == 0.0);
  assert_true(vagap_scale_pomp(&k, 7.0) == 1.0);
  assert_true(isnan(vagap_scale_pomp(&k, NAN)));
}

static void test_score_rows(void **state) {
  (void)state;
  vagap_error_t err;
  double resp[] = {
      2, 6, 5, 7, 1,      /* A = (2 + 2)/2 = 2, B = 6 */
      7, 1, NAN, 4, 3,    /* A = 7, B: one of two items answered */
      NAN, NAN, NAN, NAN, 4, /* nothing answered */
  };
  double scores[6];
  size_t answered[6];
  vagap_scale_key_t k = make_key(0); /* all items required */
  assert_int_equal(vagap_scale_score_rows(&k, resp, 3, scores, answered, &err), VAGAP_OK);
  assert_true(scores[0] == 2.0 && scores[1] == 6.0);
  assert_true(scores[2] == 7.0 && isnan(scores[3]));
  assert_true(isnan(scores[4]) && isnan(scores[5]));
  assert_int_equal(answered[3], 1);
  assert_int_equal(answered[4], 0);
  k.min_items = 1; /* --min-items 1: score from what was answered */
  assert_int_equal(vagap_scale_score_rows(&k, resp, 3, scores, NULL, &err), VAGAP_OK);
  assert_true(scores[3] == 4.0);
  assert_true(isnan(scores[4]));

  double out_of_range[] = {2, 8, 5, 7, 1};
  assert_int_equal(vagap_scale_score_rows(&k, out_of_range, 1, scores, NULL, &err), VAGAP_EDATA);
  /* the unscored item is range-checked too: it is still a response */
  double bad_unscored[] = {2, 3, 5, 7, 0};
  assert_int_equal(vagap_scale_score_rows(&k, bad_unscored, 1, scores, NULL, &err), VAGAP_EDATA);
}

static void test_unit_means(void **state) {
  (void)state;
  vagap_error_t err;
  /* rows: unit 0 has runs with A = 2, 4, NaN; unit 1 has A = 7 and B = NaN only */
  double rs[] = {2, 6,  4, NAN,  NAN, 5,  7, NAN};
  size_t unit[] = {0, 0, 0, 1};
  double us[4];
  size_t nr[4], nm[4];
  assert_int_equal(vagap_scale_unit_means(rs, 4, 2, unit, 2, us, nr, nm, &err), VAGAP_OK);
  assert_true(us[0] == 3.0 && nr[0] == 2 && nm[0] == 1);
  assert_true(fabs(us[1] - 5.5) < 1e-15 && nr[1] == 2 && nm[1] == 1);
  assert_true(us[2] == 7.0 && nr[2] == 1);
  assert_true(isnan(us[3]) && nr[3] == 0 && nm[3] == 1);
  size_t bad_unit[] = {0, 0, 0, 2};
  assert_int_equal(vagap_scale_unit_means(rs, 4, 2, bad_unit, 2, us, nr, NULL, &err),
                   VAGAP_EINVAL);
}

static void test_scale_alpha(void **state) {
  (void)state;
  vagap_error_t err;
  vagap_alpha_t a;
  /* scale A: item 0 and reversed item 1.  Raw item 1 = 8 - (1,2,3,5) -> scored
     1,2,3,5: with item 0 = 1,2,3,4 the scored items have variances 5/3 and
     35/12, totals 2,4,6,9 variance 107/12 -> alpha = 2 (1 - 55/107) */
  double resp[] = {
      1, 7, 1, 1, 1,
      2, 6, 2, 2, 1,
      3, 5, 3, 2, 1,
      4, 3, 4, 4, 1,
      5, NAN, 1, 1, 1, /* incomplete for A: excluded from A's alpha only */
  };
  vagap_scale_key_t k = make_key(0);
  assert_int_equal(vagap_scale_alpha(&k, resp, 5, 0, &a, &err), VAGAP_OK);
  assert_int_equal(a.n, 4);
  assert_int_equal(a.n_excluded, 1);
  assert_true(fabs(a.alpha - 104.0 / 107.0) < 1e-14);
  assert_int_equal(vagap_scale_alpha(&k, resp, 5, 1, &a, &err), VAGAP_OK);
  assert_int_equal(a.n, 5);
  assert_int_equal(vagap_scale_alpha(&k, resp, 5, 2, &a, &err), VAGAP_EINVAL);
  /* one-item scale */
  static const long one_item[] = {0, 0, 0, 0, 1};
  k.item_scale = one_item;
  assert_int_equal(vagap_scale_alpha(&k, resp, 5, 1, &a, &err), VAGAP_EDOMAIN);
}

/* Covariance with divisor n of columns a and b of an n x 3 matrix. */
static double cov_n(const double *m, size_t n, int a, int b) {
  double ma = 0, mb = 0, s = 0;
  for (size_t i = 0; i < n; i++) ma += m[i * 3 + a], mb += m[i * 3 + b];
  ma /= (double)n, mb /= (double)n;
  for (size_t i = 0; i < n; i++) s += (m[i * 3 + a] - ma) * (m[i * 3 + b] - mb);
  return s / (double)n;
}

static void test_scale_omega(void **state) {
  (void)state;
  vagap_error_t err;
  vagap_omega_t om;
  /* three items, the last reversed: a one-factor model with 3 indicators is
     just identified, so the ML solution is closed-form:
     lambda_1^2 = s12 s13 / s23 (and cyclically), theta_i = s_ii - lambda_i^2 */
  static const long scale3[] = {0, 0, 0};
  static const int rev3[] = {0, 0, 1};
  vagap_scale_key_t k = {3, 1, scale3, rev3, 1.0, 7.0, 0};
  double resp[] = {2, 3, 6,  4, 4, 5,  5, 6, 2,  3, 2, 5,  6, 5, 3,  1, 2, 7,  4, 5, 4,
                   NAN, 3, 3};
  double scored[7 * 3];
  for (int i = 0; i < 7; i++)
    for (int j = 0; j < 3; j++) scored[i * 3 + j] = j == 2 ? 8 - resp[i * 3 + j] : resp[i * 3 + j];
  double s12 = cov_n(scored, 7, 0, 1), s13 = cov_n(scored, 7, 0, 2), s23 = cov_n(scored, 7, 1, 2);
  double l1 = sqrt(s12 * s13 / s23), l2 = sqrt(s12 * s23 / s13), l3 = sqrt(s13 * s23 / s12);
  double th = cov_n(scored, 7, 0, 0) - l1 * l1 + cov_n(scored, 7, 1, 1) - l2 * l2 +
              cov_n(scored, 7, 2, 2) - l3 * l3;
  double sl = l1 + l2 + l3;
  assert_int_equal(vagap_scale_omega(&k, resp, 8, 0, &om, &err), VAGAP_OK);
  assert_int_equal(om.n, 7);
  assert_int_equal(om.n_excluded, 1);
  assert_int_equal(om.k, 3);
  assert_true(fabs(om.omega - sl * sl / (sl * sl + th)) < 1e-10);
  assert_true(fabs(om.df) < 1e-12 && isnan(om.cfi));
  /* two items: not identified */
  static const long scale2[] = {0, 0, -1};
  k.item_scale = scale2;
  assert_int_equal(vagap_scale_omega(&k, resp, 8, 0, &om, &err), VAGAP_EDOMAIN);
  assert_true(isnan(om.omega));
}

int main(void) {
  vagap_init();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_key_check),  cmocka_unit_test(test_reverse_and_pomp),
      cmocka_unit_test(test_score_rows), cmocka_unit_test(test_unit_means),
      cmocka_unit_test(test_scale_alpha),  cmocka_unit_test(test_scale_omega),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
