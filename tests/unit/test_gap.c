/*
 * test_gap.c - calibration gap on a hand-built study of six units.
 *
 *   unit  iat   behavior  selfreport  gap    quadrant (beta 0.65, tau 0.05)
 *   A     0.1   0.50      0.80        0.30   low, over-claiming
 *   B     0.3   0.70      0.80        0.10   prosocial, over-claiming
 *   C     0.5   0.80      0.80        0.00   prosocial, calibrated
 *   D     0.2   0.60      0.50       -0.10   low, calibrated
 *   E     0.4   0.65      0.85        0.20   prosocial (0.65 >= beta), over-claiming
 *   F     0.9   NA        0.90        NA     excluded: no behaviour
 *
 * Worked out by hand over A..E (n = 5):
 *   gap: mean 0.1, deviations .2 0 -.1 -.2 .1, SS 0.10, sd = sqrt(0.025),
 *        sd(n) = sqrt(0.02); t = 0.1 / (sqrt(0.025)/sqrt(5)) = sqrt(2), df 4;
 *        d_z = 0.1/sqrt(0.025) = 0.632456, d_z0 = 0.1/sqrt(0.02) = 0.707107;
 *        sd(selfreport)^2 = 0.08/4 = 0.02, sd(behavior)^2 = 0.05/4 = 0.0125,
 *        d_av = 0.1 / sqrt(0.01625) = 0.784465.
 *   behaviour: mean 0.65, SS 0.05, se = sqrt(0.0125/5) = 0.05, t vs .5 = 3.
 *   iat: mean 0.3, SS 0.10, se = sqrt(0.025/5), t vs 0 = 3 sqrt(2).
 *   r(iat, behavior) = 0.065 / sqrt(0.10 * 0.05) = 0.919239,
 *   r(selfreport, behavior) = 0.015 / sqrt(0.08 * 0.05) = 0.237171,
 *   r(iat, selfreport) = 0.035 / sqrt(0.10 * 0.08) = 0.391312.
 *   over-claiming 3 of 5 (A, B, E); quadrants 1, 2, 1, 1.
 * p-values and intervals: scipy.stats ttest_rel / ttest_1samp / pearsonr /
 * binomtest and R prop.test(3, 5, correct = FALSE)$conf.int (Wilson).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "vagap/gap.h"

static void assert_close_tol(double got, double want, double tol) {
  if (isnan(want)) {
    if (!isnan(got)) fail_msg("got %.17g, want NaN", got);
    return;
  }
  if (!(fabs(got - want) <= tol * (1.0 + fabs(want))))
    fail_msg("got %.17g, want %.17g", got, want);
}
static void assert_close(double got, double want) { assert_close_tol(got, want, 1e-12); }

static const char *const UNITS[] = {"A", "B", "C", "D", "E", "F"};
static const double IAT[] = {0.1, 0.3, 0.5, 0.2, 0.4, 0.9};
static const double BEHAVIOR[] = {0.5, 0.7, 0.8, 0.6, 0.65, NAN};
static const double SELFREPORT[] = {0.8, 0.8, 0.8, 0.5, 0.85, 0.9};
static const size_t PROSOCIAL[] = {5, 7, 8, 6, 13, 0};
static const size_t VALID[] = {10, 10, 10, 10, 20, 0};

static vagap_gap_data_t study(void) {
  vagap_gap_data_t d = {6, UNITS, IAT, BEHAVIOR, SELFREPORT, PROSOCIAL, VALID};
  return d;
}

static void analyze_ok(const vagap_gap_data_t *d, vagap_gap_t *res) {
  vagap_gap_options_t opt;
  vagap_gap_options_init(&opt);
  vagap_error_t err;
  vagap_status_t st = vagap_gap_analyze(d, &opt, res, &err);
  if (st != VAGAP_OK) fail_msg("analyze: %s", err.message);
}

static void units_and_quadrants(void **state) {
  (void)state;
  vagap_gap_data_t d = study();
  vagap_gap_t r;
  analyze_ok(&d, &r);
  assert_int_equal(r.n_units, 6);
  assert_int_equal(r.n_complete, 5);
  assert_int_equal(r.n_excluded, 1);
  assert_false(r.units[5].complete);
  assert_int_equal(r.units[5].missing, VAGAP_GAP_BEHAVIOR);
  assert_int_equal(r.units[5].quadrant, VAGAP_GAP_NO_QUADRANT);
  assert_string_equal(r.units[5].name, "F");
  assert_close(r.units[0].gap, 0.3);
  static const vagap_gap_quadrant_t want[] = {
      VAGAP_GAP_LOW_OVERCLAIMING, VAGAP_GAP_PROSOCIAL_OVERCLAIMING, VAGAP_GAP_PROSOCIAL_CALIBRATED,
      VAGAP_GAP_LOW_CALIBRATED, VAGAP_GAP_PROSOCIAL_OVERCLAIMING};
  for (int i = 0; i < 5; i++) assert_int_equal(r.units[i].quadrant, want[i]);
  assert_int_equal(r.n_overclaiming, 3);
  assert_close(r.overclaiming.estimate, 0.6);
  assert_close_tol(r.overclaiming.conf_low, 0.230724281276013, 1e-12);
  assert_close_tol(r.overclaiming.conf_high, 0.882379225767352, 1e-12);
  assert_int_equal(r.quadrant_n[VAGAP_GAP_PROSOCIAL_CALIBRATED], 1);
  assert_int_equal(r.quadrant_n[VAGAP_GAP_PROSOCIAL_OVERCLAIMING], 2);
  assert_int_equal(r.quadrant_n[VAGAP_GAP_LOW_CALIBRATED], 1);
  assert_int_equal(r.quadrant_n[VAGAP_GAP_LOW_OVERCLAIMING], 1);
  assert_close(r.quadrant[VAGAP_GAP_PROSOCIAL_CALIBRATED].estimate, 0.2);
  assert_string_equal(vagap_gap_quadrant_name(VAGAP_GAP_PROSOCIAL_CALIBRATED), "prosocial_calibrated");
  vagap_gap_free(&r);
  vagap_gap_free(&r); /* second free is harmless */
  vagap_gap_free(NULL);
}

static void paired_test_and_effect_sizes(void **state) {
  (void)state;
  vagap_gap_data_t d = study();
  vagap_gap_t r;
  analyze_ok(&d, &r);
  assert_int_equal(r.paired_status, VAGAP_OK);
  assert_int_equal(r.paired.n, 5);
  assert_close(r.paired.estimate, 0.1);
  assert_close(r.paired.statistic, sqrt(2.0));
  assert_close(r.paired.df, 4);
  assert_close_tol(r.paired.p_value, 0.23019964108049865, 1e-10);
  assert_close_tol(r.paired.conf_low, -0.09632431614775606, 1e-10);
  assert_close_tol(r.paired.conf_high, 0.2963243161477561, 1e-10);
  assert_close(r.paired.effect.d_z, 0.1 / sqrt(0.025));
  assert_close(r.paired.effect.d_z0, 0.1 / sqrt(0.02));
  assert_close(r.paired.effect.d_av, 0.1 / sqrt(0.01625));
  assert_close(r.gap.mean, 0.1);
  assert_close(r.gap.min, -0.1);
  assert_close(r.gap.max, 0.3);
  assert_close(r.selfreport.mean, 0.75);
  vagap_gap_free(&r);
}

static void one_sample_tests_and_pooled_choices(void **state) {
  (void)state;
  vagap_gap_data_t d = study();
  vagap_gap_t r;
  analyze_ok(&d, &r);
  assert_close(r.behavior.mean, 0.65);
  assert_close(r.behavior.min, 0.5);
  assert_close(r.behavior.max, 0.8);
  assert_close(r.behavior_test.statistic, 3.0);
  assert_close(r.behavior_test.std_error, 0.05);
  assert_close_tol(r.behavior_test.p_value, 0.0399419680717188, 1e-10);
  assert_close(r.iat.mean, 0.3);            /* F's 0.9 is excluded */
  assert_close(r.iat_test.statistic, 3.0 * sqrt(2.0));
  assert_close_tol(r.iat_test.p_value, 0.013235599563682695, 1e-10);
  assert_int_equal(r.pooled_status, VAGAP_OK);
  assert_int_equal(r.pooled_behavior.x, 39); /* 5+7+8+6+13 of 60, F excluded */
  assert_int_equal(r.pooled_behavior.n, 60);
  assert_close_tol(r.pooled_behavior.p_value, 0.027340133868077935, 1e-9);
  vagap_gap_free(&r);
}

static void correlations(void **state) {
  (void)state;
  vagap_gap_data_t d = study();
  vagap_gap_t r;
  analyze_ok(&d, &r);
  const vagap_cor_t *ib = &r.cor[VAGAP_GAP_COR_IAT_BEHAVIOR];
  assert_close(ib->estimate, 0.065 / sqrt(0.005));
  assert_close(ib->df, 3);
  assert_close_tol(ib->p_value, 0.02721482900772161, 1e-10);
  assert_close_tol(ib->conf_low, 0.1956351298459778, 1e-10);
  assert_close_tol(ib->conf_high, 0.9947497339596743, 1e-10);
  assert_close(r.cor[VAGAP_GAP_COR_SELFREPORT_BEHAVIOR].estimate, 0.015 / sqrt(0.004));
  assert_close_tol(r.cor[VAGAP_GAP_COR_SELFREPORT_BEHAVIOR].p_value, 0.7008801256966908, 1e-10);
  assert_close(r.cor[VAGAP_GAP_COR_IAT_SELFREPORT].estimate, 0.035 / sqrt(0.008));
  assert_close_tol(r.cor[VAGAP_GAP_COR_IAT_SELFREPORT].conf_low, -0.7498251883566683, 1e-10);
  assert_string_equal(vagap_gap_cor_name(VAGAP_GAP_COR_IAT_BEHAVIOR), "iat~behavior");
  vagap_gap_free(&r);
}

/* 0.7 - 0.65 is 0.04999999999999993 in doubles and 0.75 - 0.7 is
   0.05000000000000004: both equal tau in exact arithmetic, so neither is
   over-claiming.  0.65 behaviour is at the cut: prosocial. */
static void thresholds_use_exact_arithmetic(void **state) {
  (void)state;
  static const char *const units[] = {"x", "y", "z"};
  static const double beh[] = {0.65, 0.7, 0.2};
  static const double sr[] = {0.7, 0.75, 0.9};
  vagap_gap_data_t d = {3, units, NULL, beh, sr, NULL, NULL};
  vagap_gap_t r;
  analyze_ok(&d, &r);
  assert_false(r.units[0].overclaiming);
  assert_false(r.units[1].overclaiming);
  assert_true(r.units[2].overclaiming);
  assert_int_equal(r.units[0].quadrant, VAGAP_GAP_PROSOCIAL_CALIBRATED);
  /* No IAT: its analyses are undefined, the rest still runs; no counts: no binomial. */
  assert_false(r.has_iat);
  assert_int_equal(r.iat_test_status, VAGAP_EDOMAIN);
  assert_int_equal(r.cor_status[VAGAP_GAP_COR_IAT_BEHAVIOR], VAGAP_EDOMAIN);
  assert_true(isnan(r.cor[VAGAP_GAP_COR_IAT_BEHAVIOR].estimate));
  assert_int_equal(r.cor_status[VAGAP_GAP_COR_SELFREPORT_BEHAVIOR], VAGAP_OK);
  assert_int_equal(r.pooled_status, VAGAP_EDOMAIN);
  assert_int_equal(r.paired_status, VAGAP_OK);
  vagap_gap_free(&r);
}

static void too_few_units_and_bad_input(void **state) {
  (void)state;
  static const char *const units[] = {"only"};
  double beh[] = {0.5}, sr[] = {0.9};
  vagap_gap_data_t d = {1, units, NULL, beh, sr, NULL, NULL};
  vagap_gap_t r;
  analyze_ok(&d, &r);
  assert_int_equal(r.paired_status, VAGAP_EDOMAIN);
  assert_true(isnan(r.paired.statistic));
  assert_int_equal(r.cor_status[VAGAP_GAP_COR_SELFREPORT_BEHAVIOR], VAGAP_EDOMAIN);
  assert_int_equal(r.n_overclaiming, 1);
  vagap_gap_free(&r);

  vagap_gap_options_t opt;
  vagap_gap_options_init(&opt);
  vagap_error_t err;
  beh[0] = 48; /* a percentage where a proportion belongs */
  assert_int_equal(vagap_gap_analyze(&d, &opt, &r, &err), VAGAP_EDATA);
  assert_non_null(strstr(err.message, "'only'"));
  beh[0] = 0.5;
  opt.conf_level = 95;
  assert_int_equal(vagap_gap_analyze(&d, &opt, &r, &err), VAGAP_EINVAL);
}

static void join_by_unit_name(void **state) {
  (void)state;
  static const char *const iu[] = {"m1", "m2", "m3"};
  static const double iv[] = {0.9, 0.8, 0.7};
  static const char *const bu[] = {"m2", "m1"};
  static const double bv[] = {0.6, 0.5};
  static const char *const su[] = {"m4", "m1", "m2"};
  static const double sv[] = {0.75, 0.7, 0.65};
  vagap_gap_measure_t im = {3, iu, iv}, bm = {2, bu, bv}, sm = {3, su, sv};
  vagap_gap_joined_t j;
  vagap_error_t err;
  assert_int_equal(vagap_gap_join(&im, &bm, &sm, &j, &err), VAGAP_OK);
  assert_int_equal(j.n, 4); /* m1 m2 m3 (iat order), then m4 */
  assert_string_equal(j.units[0], "m1");
  assert_string_equal(j.units[2], "m3");
  assert_string_equal(j.units[3], "m4");
  assert_close(j.behavior[0], 0.5);
  assert_close(j.behavior[1], 0.6);
  assert_true(isnan(j.behavior[2]));
  assert_true(isnan(j.iat[3]));
  assert_close(j.selfreport[3], 0.75);
  assert_close(j.selfreport[0], 0.7);
  vagap_gap_joined_free(&j);
  vagap_gap_joined_free(NULL);

  static const char *const dup[] = {"m1", "m1"};
  vagap_gap_measure_t dm = {2, dup, bv};
  assert_int_equal(vagap_gap_join(NULL, &dm, &sm, &j, &err), VAGAP_EDATA);
  assert_non_null(strstr(err.message, "m1"));
}

static void missing_names(void **state) {
  (void)state;
  char buf[64];
  vagap_gap_missing_names(VAGAP_GAP_IAT | VAGAP_GAP_SELFREPORT, buf, sizeof buf);
  assert_string_equal(buf, "iat,selfreport");
  vagap_gap_missing_names(0, buf, sizeof buf);
  assert_string_equal(buf, "");
}

int main(void) {
  vagap_init();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(units_and_quadrants),
      cmocka_unit_test(paired_test_and_effect_sizes),
      cmocka_unit_test(one_sample_tests_and_pooled_choices),
      cmocka_unit_test(correlations),
      cmocka_unit_test(thresholds_use_exact_arithmetic),
      cmocka_unit_test(too_few_units_and_bad_input),
      cmocka_unit_test(join_by_unit_name),
      cmocka_unit_test(missing_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
