/*
 * Tests of src/lib/stats*.c.  Expected values are worked out by hand from the
 * definitions (small data, closed-form t distribution functions for 2, 3
 * and 4 df, binomial sums written out), not taken from the code under test.
 * The few reference values from elsewhere say where they come from.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "vagap/stats.h"

#define REL(a, b, tol) assert_true(close_rel((a), (b), (tol)))

static int close_rel(double got, double want, double tol) {
  if (isnan(want)) return isnan(got);
  if (isinf(want)) return got == want;
  double d = fabs(got - want), s = fmax(fabs(want), 1e-300);
  if (d <= tol * s) return 1;
  fprintf(stderr, "  got %.17g, want %.17g (rel diff %.3g, tol %.3g)\n", got, want, d / s, tol);
  return 0;
}

/* Closed forms of the central t distribution function. */
static double t_cdf_df2(double t) { return 0.5 + t / (2.0 * sqrt(t * t + 2.0)); }
static double t_cdf_df3(double t) {
  double u = t / sqrt(3.0);
  return 0.5 + (u / (1.0 + u * u) + atan(u)) / M_PI;
}
static double t_cdf_df4(double t) {
  double s = 1.0 + t * t / 4.0;
  return 0.5 + 0.375 * (t / sqrt(s)) * (1.0 - t * t / (12.0 * s));
}

static const double Z975 = 1.959963984540054;  /* qnorm(0.975) */
static const double T975_DF4 = 2.7764451051977987; /* qt(0.975, 4), statistical tables */

/* ---- t-tests ------------------------------------------------------------------ */

static void test_one_sample(void **state) {
  (void)state;
  vagap_init();
  double x[] = {1, 2, 3, 4, 5, NAN};
  vagap_ttest_t r;
  vagap_error_t err;
  assert_int_equal(vagap_stats_ttest_one(x, 6, NULL, &r, &err), VAGAP_OK);
  assert_int_equal(r.n, 5);
  assert_int_equal(r.n_excluded, 1);
  REL(r.mean1, 3.0, 1e-15);
  REL(r.sd1, sqrt(2.5), 1e-15);
  REL(r.std_error, sqrt(0.5), 1e-15);
  double t = 3.0 * sqrt(2.0);
  REL(r.statistic, t, 1e-14);
  REL(r.df, 4.0, 0);
  REL(r.p_value, 2.0 * (1.0 - t_cdf_df4(t)), 1e-12);
  REL(r.log10_p, log10(2.0 * (1.0 - t_cdf_df4(t))), 1e-12);
  REL(r.conf_low, 3.0 - T975_DF4 * sqrt(0.5), 1e-14);
  REL(r.conf_high, 3.0 + T975_DF4 * sqrt(0.5), 1e-14);
  REL(r.effect.d_z, 3.0 / sqrt(2.5), 1e-14);
  REL(r.effect.d_z0, 3.0 / sqrt(2.0), 1e-14);
  REL(r.effect.d, r.effect.d_z, 0);
  /* J(4) = Gamma(2) / (sqrt(2) Gamma(3/2)) = sqrt(2/pi) */
  REL(r.effect.hedges_j, sqrt(2.0 / M_PI), 1e-14);
  REL(r.effect.g, sqrt(2.0 / M_PI) * 3.0 / sqrt(2.5), 1e-14);
  assert_true(isnan(r.effect.d_av));
  assert_true(isnan(r.mean2));

  /* d CI: the observed t is the 97.5% / 2.5% point of the noncentral t at
     ncp = d_low sqrt(n) / d_high sqrt(n) */
  double p;
  assert_int_equal(vagap_stats_nct_cdf(t, 4, r.effect.d_conf_low * sqrt(5.0), &p, &err), VAGAP_OK);
  REL(p, 0.975, 1e-10);
  assert_int_equal(vagap_stats_nct_cdf(t, 4, r.effect.d_conf_high * sqrt(5.0), &p, &err), VAGAP_OK);
  REL(p, 0.025, 1e-9);
  assert_true(r.effect.d_conf_low < r.effect.d_z && r.effect.d_z < r.effect.d_conf_high);

  /* one-sided: p halves, CI opens on one side; mu shifts t */
  vagap_ttest_options_t o;
  vagap_ttest_options_init(&o);
  o.alternative = VAGAP_ALT_GREATER;
  o.mu = 1.0;
  assert_int_equal(vagap_stats_ttest_one(x, 6, &o, &r, &err), VAGAP_OK);
  t = 2.0 / sqrt(0.5);
  REL(r.statistic, t, 1e-14);
  REL(r.p_value, 1.0 - t_cdf_df4(t), 1e-12);
  assert_true(isinf(r.conf_high) && r.conf_high > 0);
  assert_true(isinf(r.effect.d_conf_high) && r.effect.d_conf_high > 0);
  REL(r.effect.d_z, 2.0 / sqrt(2.5), 1e-14);
  o.alternative = VAGAP_ALT_LESS;
  assert_int_equal(vagap_stats_ttest_one(x, 6, &o, &r, &err), VAGAP_OK);
  REL(r.p_value, t_cdf_df4(t), 1e-14);
  assert_true(isinf(r.conf_low) && r.conf_low < 0);
}

static void test_paired(void **state) {
  (void)state;
  double x[] = {2, 4, 6, 8, NAN, 1}, y[] = {1, 2, 3, 5, 3, NAN};
  vagap_ttest_t r;
  vagap_error_t err;
  assert_int_equal(vagap_stats_ttest_paired(x, y, 6, NULL, &r, &err), VAGAP_OK);
  assert_int_equal(r.n, 4);
  assert_int_equal(r.n_excluded, 2);
  /* differences 1, 2, 3, 3: mean 2.25, SS 2.75 */
  double sd = sqrt(2.75 / 3.0);
  REL(r.estimate, 2.25, 1e-15);
  REL(r.sd_diff, sd, 1e-15);
  double t = 2.25 / (sd / 2.0);
  REL(r.statistic, t, 1e-14);
  REL(r.df, 3, 0);
  REL(r.p_value, 2.0 * (1.0 - t_cdf_df3(t)), 1e-11);
  REL(r.mean1, 5.0, 1e-15);
  REL(r.mean2, 2.75, 1e-15);
  double s1 = sqrt(20.0 / 3.0), s2 = sqrt(8.75 / 3.0); /* SS 20 and 8.75 */
  REL(r.sd1, s1, 1e-15);
  REL(r.sd2, s2, 1e-15);
  /* cross-products: (-3)(-1.75) + (-1)(-0.75) + (1)(0.25) + (3)(2.25) = 13 */
  double r12 = 13.0 / sqrt(20.0 * 8.75);
  REL(r.r12, r12, 1e-14);
  REL(r.effect.d_z, 2.25 / sd, 1e-14);
  REL(r.effect.d_z0, 2.25 / sqrt(2.75 / 4.0), 1e-14);
  REL(r.effect.d_av, 2.25 / sqrt((s1 * s1 + s2 * s2) / 2.0), 1e-14);
  /* Lakens (2013) eq. 9 written out */
  double d_rm = 2.25 / sqrt(s1 * s1 + s2 * s2 - 2.0 * r12 * s1 * s2) * sqrt(2.0 * (1.0 - r12));
  REL(r.effect.d_rm, d_rm, 1e-12);
  assert_true(isnan(r.effect.d_s));
  /* J(3) = Gamma(3/2) / (sqrt(3/2) Gamma(1)) */
  REL(r.effect.hedges_j, (sqrt(M_PI) / 2.0) / sqrt(1.5), 1e-14);
  REL(r.effect.g_av, r.effect.hedges_j * r.effect.d_av, 1e-15);
}

static void test_two_sample(void **state) {
  (void)state;
  double x[] = {1, 2, 3}, y[] = {4, 5, 6, 7, 8};
  vagap_ttest_t r;
  vagap_error_t err;
  /* Student: pooled variance (2*1 + 4*2.5)/6 = 2, se^2 = 2 (1/3 + 1/5) = 16/15 */
  assert_int_equal(vagap_stats_ttest_two(x, 3, y, 5, VAGAP_TTEST_STUDENT, NULL, &r, &err),
                   VAGAP_OK);
  assert_int_equal(r.n, 8);
  REL(r.estimate, -4.0, 1e-15);
  REL(r.statistic, -sqrt(15.0), 1e-14);
  REL(r.df, 6, 0);
  REL(r.effect.d_s, -4.0 / sqrt(2.0), 1e-14);
  REL(r.effect.d_av, -4.0 / sqrt(1.75), 1e-14);
  assert_true(isnan(r.effect.d_z));
  /* J(6) = Gamma(3) / (sqrt(3) Gamma(5/2)) = 2 / (sqrt(3) * 3 sqrt(pi) / 4) */
  REL(r.effect.hedges_j, 8.0 / (3.0 * sqrt(3.0 * M_PI)), 1e-14);
  double p_student = r.p_value;
  assert_true(p_student > 0.005 && p_student < 0.01); /* t = 3.873 on 6 df: table 0.0082 */

  /* Welch: se^2 = 1/3 + 2.5/5 = 5/6, df = (5/6)^2 / ((1/3)^2/2 + (1/2)^2/4) = 100/17 */
  assert_int_equal(vagap_stats_ttest_two(x, 3, y, 5, VAGAP_TTEST_WELCH, NULL, &r, &err),
                   VAGAP_OK);
  REL(r.statistic, -4.0 / sqrt(5.0 / 6.0), 1e-14);
  REL(r.df, 100.0 / 17.0, 1e-14);
  REL(r.std_error, sqrt(5.0 / 6.0), 1e-15);
  /* d and its CI use the pooled SD and the Student t under Welch too */
  REL(r.effect.d_s, -4.0 / sqrt(2.0), 1e-14);
  double p;
  double scale = sqrt(1.0 / 3.0 + 1.0 / 5.0);
  assert_int_equal(vagap_stats_nct_cdf(-sqrt(15.0), 6, r.effect.d_conf_low / scale, &p, &err),
                   VAGAP_OK);
  REL(p, 0.975, 1e-10);

  /* the summary form gives the same test */
  vagap_ttest_t s;
  assert_int_equal(vagap_stats_ttest_two_summary(3, 2.0, 1.0, 5, 6.0, sqrt(2.5),
                                                 VAGAP_TTEST_WELCH, NULL, &s, &err),
                   VAGAP_OK);
  REL(s.statistic, r.statistic, 1e-14);
  REL(s.p_value, r.p_value, 1e-12);
}

static void test_ttest_edge_cases(void **state) {
  (void)state;
  vagap_ttest_t r;
  vagap_error_t err;
  double one[] = {NAN, 4.0};
  assert_int_equal(vagap_stats_ttest_one(one, 2, NULL, &r, &err), VAGAP_EDOMAIN);
  assert_int_equal(r.n, 1);
  assert_int_equal(r.n_excluded, 1);
  REL(r.mean1, 4.0, 0);
  assert_true(isnan(r.statistic) && isnan(r.p_value) && isnan(r.sd1));

  double all_na[] = {NAN, NAN, NAN};
  assert_int_equal(vagap_stats_ttest_one(all_na, 3, NULL, &r, &err), VAGAP_EDOMAIN);
  assert_int_equal(r.n, 0);
  assert_int_equal(r.n_excluded, 3);
  assert_true(isnan(r.mean1));

  double constant[] = {2.5, 2.5, 2.5};
  assert_int_equal(vagap_stats_ttest_one(constant, 3, NULL, &r, &err), VAGAP_EDOMAIN);
  REL(r.mean1, 2.5, 0);
  REL(r.sd1, 0.0, 0);
  assert_true(isnan(r.statistic) && isnan(r.effect.d_z));

  double inf[] = {1, INFINITY, 2};
  assert_int_equal(vagap_stats_ttest_one(inf, 3, NULL, &r, &err), VAGAP_EDATA);

  /* paired with identical columns: constant differences */
  double a[] = {1, 2, 3};
  assert_int_equal(vagap_stats_ttest_paired(a, a, 3, NULL, &r, &err), VAGAP_EDOMAIN);
  REL(r.estimate, 0.0, 0);

  /* Welch needs 2 per group; Student accepts a group of 1 (R does too) */
  double b[] = {5};
  assert_int_equal(vagap_stats_ttest_two(a, 3, b, 1, VAGAP_TTEST_WELCH, NULL, &r, &err),
                   VAGAP_EDOMAIN);
  assert_int_equal(vagap_stats_ttest_two(a, 3, b, 1, VAGAP_TTEST_STUDENT, NULL, &r, &err),
                   VAGAP_OK);
  REL(r.df, 2, 0);
  /* pooled variance 2*1/2 = 1; se = sqrt(1/3 + 1) */
  REL(r.statistic, -3.0 / sqrt(4.0 / 3.0), 1e-14);
  REL(r.p_value, 2.0 * t_cdf_df2(-3.0 / sqrt(4.0 / 3.0)), 1e-12);

  vagap_ttest_options_t o;
  vagap_ttest_options_init(&o);
  o.conf_level = 1.0;
  assert_int_equal(vagap_stats_ttest_one(a, 3, &o, &r, &err), VAGAP_EINVAL);
}

/* ---- t tails and the noncentral t ------------------------------------------------ */

static void test_t_pvalue_underflow(void **state) {
  (void)state;
  vagap_error_t err;
  double p, l;
  /* P(T > t) = I_x(df/2, 1/2)/2 with x = df/(df+t^2); for tiny x the series
     I_x(a,b) = x^a (1-x)^b / (a B(a,b)) (1 + O(x)) gives the log directly. */
  double t = 1e12, df = 30;
  double x = df / (df + t * t), a = df / 2, b = 0.5;
  double lnB = lgamma(a) + lgamma(b) - lgamma(a + b);
  double want = (log(2.0) - log(2.0) + a * log(x) + b * log1p(-x) - log(a) - lnB) / log(10.0);
  assert_int_equal(vagap_stats_t_pvalue(t, df, VAGAP_ALT_TWO_SIDED, &p, &l, &err), VAGAP_OK);
  REL(l, want, 1e-10);
  assert_true(p < 1e-300);
  /* continuity around the switch to the log-scale path */
  double l1, l2, p1, p2;
  assert_int_equal(vagap_stats_t_pvalue(1e10, 30, VAGAP_ALT_GREATER, &p1, &l1, &err), VAGAP_OK);
  assert_int_equal(vagap_stats_t_pvalue(1e10 * 1.0001, 30, VAGAP_ALT_GREATER, &p2, &l2, &err),
                   VAGAP_OK);
  assert_true(l2 < l1 && l1 - l2 < 30 * 1e-4 / log(10.0) * 1.01);
  /* far tails at df > 30, where gsl_cdf_tdist_Q's asymptotic series loses up
     to 1e-7; references from mpmath betainc at 40 digits */
  assert_int_equal(vagap_stats_t_pvalue(12, 40, VAGAP_ALT_GREATER, &p, &l, &err), VAGAP_OK);
  REL(p, 3.9120856521279863115e-15, 1e-13);
  assert_int_equal(vagap_stats_t_pvalue(-14, 31, VAGAP_ALT_LESS, &p, &l, &err), VAGAP_OK);
  REL(p, 3.0148039362351981382e-15, 1e-13);
  assert_int_equal(vagap_stats_t_pvalue(6.4572712423469731, 79, VAGAP_ALT_TWO_SIDED, &p, &l, &err),
                   VAGAP_OK);
  REL(p, 2 * 3.9924105125420467884e-9, 1e-13);
  assert_int_equal(vagap_stats_t_pvalue(INFINITY, 5, VAGAP_ALT_TWO_SIDED, &p, &l, &err), VAGAP_OK);
  assert_true(p == 0 && isinf(l) && l < 0);
  assert_int_equal(vagap_stats_t_pvalue(NAN, 5, VAGAP_ALT_TWO_SIDED, &p, &l, &err), VAGAP_EINVAL);
}

static void test_nct(void **state) {
  (void)state;
  vagap_error_t err;
  double p;
  /* ncp = 0 is the central t */
  for (double t = -4; t <= 4; t += 0.5) {
    assert_int_equal(vagap_stats_nct_cdf(t, 2, 0.0, &p, &err), VAGAP_OK);
    REL(p, t_cdf_df2(t), 1e-13);
  }
  /* P(T <= 0) = Phi(-ncp) exactly */
  assert_int_equal(vagap_stats_nct_cdf(0.0, 7, 1.3, &p, &err), VAGAP_OK);
  REL(p, 0.5 * erfc(1.3 / sqrt(2.0)), 1e-14);
  /* Reference values from a 40-digit quadrature of
     P(T<=t) = Phi(-d) + int_{-d}^inf phi(z) Q_chi2((z+d)^2 df / t^2; df) dz (mpmath) */
  assert_int_equal(vagap_stats_nct_cdf(-3.0, 7.5, 1.7, &p, &err), VAGAP_OK);
  REL(p, 7.16203867115264e-05, 1e-10);
  assert_int_equal(vagap_stats_nct_cdf(35.0, 20, 30.0, &p, &err), VAGAP_OK);
  REL(p, 0.7898316111656453, 1e-12);
  assert_int_equal(vagap_stats_nct_cdf(2.0, 20, 30.0, &p, &err), VAGAP_OK);
  REL(p, 6.446735155628245e-153, 1e-9);
  /* R 4.2.2 pt(q, df, ncp) (AS 243, error bound 1e-12 absolute): a random
     grid of 400 points agreed within 7.7e-13 absolute; a few of them: */
  static const double r_pt[][4] = {
      {10.894, 9.99, 3.918, 0.9976041123667968},  {4.582, 1.07, 3.545, 0.46008956295488257},
      {-6.764, 345.04, -8.731, 0.97189440798012272}, {5.74, 104.19, 4.278, 0.91092155552016418},
      {-0.399, 75.13, -0.291, 0.45754609620145315}, {-7.732, 1.7, -1.199, 0.053080280123124823},
      {8.547, 1.92, 6.034, 0.60007753098360772},  {8.419, 1.29, 26.975, 0.00052601367409141786},
  };
  for (size_t i = 0; i < sizeof r_pt / sizeof r_pt[0]; i++) {
    assert_int_equal(vagap_stats_nct_cdf(r_pt[i][0], r_pt[i][1], r_pt[i][2], &p, &err), VAGAP_OK);
    assert_true(fabs(p - r_pt[i][3]) < 2e-12);
  }
  /* reflection: F(t; ncp) + F(-t; -ncp) = 1 */
  double q;
  assert_int_equal(vagap_stats_nct_cdf(1.1, 9, 0.7, &p, &err), VAGAP_OK);
  assert_int_equal(vagap_stats_nct_cdf(-1.1, 9, -0.7, &q, &err), VAGAP_OK);
  REL(p + q, 1.0, 1e-14);
  /* inversion round-trips */
  double ncp;
  assert_int_equal(vagap_stats_nct_ncp(2.3, 11, 0.9, &ncp, &err), VAGAP_OK);
  assert_int_equal(vagap_stats_nct_cdf(2.3, 11, ncp, &p, &err), VAGAP_OK);
  REL(p, 0.9, 1e-11);
  assert_int_equal(vagap_stats_nct_ncp(2.3, 11, 0.0, &ncp, &err), VAGAP_EINVAL);
  /* far out (|ncp| > 632) the normal approximation keeps the inversion
     defined: Phi((t (1 - s) - ncp) / sqrt(1 + 2 t^2 s)), s = 1/(4 df) */
  assert_int_equal(vagap_stats_nct_ncp(20000, 10, 0.025, &ncp, &err), VAGAP_OK);
  REL(ncp, 20000 * (1 - 1 / 40.0) + Z975 * sqrt(1 + 2 * 20000.0 * 20000.0 / 40.0), 1e-10);
  assert_int_equal(vagap_stats_nct_cdf(1, 0, 1, &p, &err), VAGAP_EINVAL);
}

/* ---- correlation ---------------------------------------------------------------- */

static void test_pearson(void **state) {
  (void)state;
  double x[] = {1, 2, 3, 4, 5, NAN}, y[] = {2, 1, 4, 3, 5, 7};
  vagap_cor_t r;
  vagap_error_t err;
  assert_int_equal(vagap_stats_cor(x, y, 6, NULL, &r, &err), VAGAP_OK);
  assert_int_equal(r.n, 5);
  assert_int_equal(r.n_excluded, 1);
  /* SSx = SSy = 10, SP = 8 */
  REL(r.estimate, 0.8, 1e-14);
  double t = 0.8 * sqrt(3.0) / 0.6;
  REL(r.statistic, t, 1e-13);
  REL(r.df, 3, 0);
  REL(r.p_value, 2.0 * (1.0 - t_cdf_df3(t)), 1e-11);
  REL(r.conf_low, tanh(atanh(0.8) - Z975 / sqrt(2.0)), 1e-13);
  REL(r.conf_high, tanh(atanh(0.8) + Z975 / sqrt(2.0)), 1e-13);
  REL(r.z_se, 1.0 / sqrt(2.0), 1e-15);
  assert_true(isnan(r.statistic_s));

  vagap_cor_options_t o;
  vagap_cor_options_init(&o);
  o.alternative = VAGAP_ALT_GREATER;
  assert_int_equal(vagap_stats_cor(x, y, 6, &o, &r, &err), VAGAP_OK);
  REL(r.p_value, 1.0 - t_cdf_df3(t), 1e-11);
  REL(r.conf_high, 1.0, 0);
  REL(r.conf_low, tanh(atanh(0.8) - 1.6448536269514722 / sqrt(2.0)), 1e-13);
}

static void test_cor_edge_cases(void **state) {
  (void)state;
  vagap_cor_t r;
  vagap_error_t err;
  double x[] = {1, 2, 3, 4}, y[] = {1, 2, 3, 4}, c[] = {2, 2, 2, 2}, neg[] = {-1, -2, -3, -4};
  assert_int_equal(vagap_stats_cor(x, neg, 4, NULL, &r, &err), VAGAP_OK);
  REL(r.estimate, -1.0, 0);
  assert_true(isinf(r.statistic) && r.statistic < 0);
  assert_int_equal(vagap_stats_cor(x, y, 4, NULL, &r, &err), VAGAP_OK);
  REL(r.estimate, 1.0, 0);
  assert_true(isinf(r.statistic) && r.statistic > 0);
  REL(r.p_value, 0.0, 0);
  assert_true(isinf(r.log10_p) && r.log10_p < 0);
  REL(r.conf_low, 1.0, 0);
  REL(r.conf_high, 1.0, 0);
  assert_int_equal(vagap_stats_cor(x, c, 4, NULL, &r, &err), VAGAP_EDOMAIN);
  assert_true(isnan(r.estimate));
  assert_int_equal(r.n, 4);
  /* n = 3: test but no interval (R) */
  double y3[] = {1, 3, 2};
  assert_int_equal(vagap_stats_cor(x, y3, 3, NULL, &r, &err), VAGAP_OK);
  REL(r.estimate, 0.5, 1e-14);
  assert_true(isnan(r.conf_low) && isnan(r.conf_high));
  assert_int_equal(vagap_stats_cor(x, y, 2, NULL, &r, &err), VAGAP_EDOMAIN);
  double na[] = {NAN, NAN, NAN, NAN};
  assert_int_equal(vagap_stats_cor(x, na, 4, NULL, &r, &err), VAGAP_EDOMAIN);
  assert_int_equal(r.n, 0);
  assert_int_equal(r.n_excluded, 4);
}

static void test_rank_and_spearman(void **state) {
  (void)state;
  vagap_error_t err;
  double v[] = {3, 1, 2, 2, 5}, rk[5];
  int ties;
  assert_int_equal(vagap_stats_rank(v, 5, rk, &ties, &err), VAGAP_OK);
  double want[] = {4, 1, 2.5, 2.5, 5};
  for (int i = 0; i < 5; i++) REL(rk[i], want[i], 0);
  assert_int_equal(ties, 1);

  /* ranks of y: 1, 2, 3.5, 5, 3.5; SP = 8, SSx = 10, SSy = 9.5 */
  double x[] = {1, 2, 3, 4, 5}, y[] = {5, 6, 7, 8, 7};
  vagap_cor_options_t o;
  vagap_cor_options_init(&o);
  o.method = VAGAP_COR_SPEARMAN;
  vagap_cor_t r;
  assert_int_equal(vagap_stats_cor(x, y, 5, &o, &r, &err), VAGAP_OK);
  double rho = 8.0 / sqrt(95.0);
  REL(r.estimate, rho, 1e-14);
  assert_int_equal(r.ties, 1);
  double t = rho * sqrt(3.0 / (1.0 - rho * rho));
  REL(r.statistic, t, 1e-13);
  REL(r.p_value, 2.0 * (1.0 - t_cdf_df3(t)), 1e-11);
  REL(r.statistic_s, (125.0 - 5.0) * (1.0 - rho) / 6.0, 1e-13);
  assert_true(isnan(r.conf_low));
  /* with ties the AS 89 option falls back to the t approximation, as R */
  o.spearman_p = VAGAP_SPEARMAN_P_AS89;
  double p_t = r.p_value;
  assert_int_equal(vagap_stats_cor(x, y, 5, &o, &r, &err), VAGAP_OK);
  REL(r.p_value, p_t, 0);

  /* exact: y = 1,3,2,4 gives S = 2; of the 24 permutations S <= 2 for the
     identity and the 3 adjacent swaps: P = 4/24, two-sided 1/3 */
  double y2[] = {1, 3, 2, 4};
  assert_int_equal(vagap_stats_cor(x, y2, 4, &o, &r, &err), VAGAP_OK);
  REL(r.estimate, 0.8, 1e-14);
  REL(r.statistic_s, 2.0, 1e-13);
  REL(r.p_value, 1.0 / 3.0, 1e-15);
  o.alternative = VAGAP_ALT_GREATER;
  assert_int_equal(vagap_stats_cor(x, y2, 4, &o, &r, &err), VAGAP_OK);
  REL(r.p_value, 4.0 / 24.0, 1e-15);

  /* n = 10 uses the Edgeworth series; reference: R 4.2 cor.test(a, b,
     method = "spearman") on these data (S = 72): 0.095791569143582, and
     0.047895784571791 / 0.956115978369318 for greater / less */
  double a10[] = {0.91, 0.85, 0.78, 0.95, 0.88, 0.69, 0.97, 0.82, 0.90, 0.74};
  double b10[] = {0.60, 0.72, 0.55, 0.81, 0.64, 0.48, 0.85, 0.66, 0.58, 0.70};
  o.alternative = VAGAP_ALT_TWO_SIDED;
  assert_int_equal(vagap_stats_cor(a10, b10, 10, &o, &r, &err), VAGAP_OK);
  REL(r.statistic_s, 72.0, 1e-12);
  REL(r.p_value, 0.095791569143582, 1e-12);
  o.alternative = VAGAP_ALT_GREATER;
  assert_int_equal(vagap_stats_cor(a10, b10, 10, &o, &r, &err), VAGAP_OK);
  REL(r.p_value, 0.047895784571791, 1e-12);
  o.alternative = VAGAP_ALT_LESS;
  assert_int_equal(vagap_stats_cor(a10, b10, 10, &o, &r, &err), VAGAP_OK);
  REL(r.p_value, 0.956115978369318, 1e-12);
}

/* ---- proportions ------------------------------------------------------------------ */

static double choose(int n, int k) {
  double c = 1;
  for (int i = 1; i <= k; i++) c = c * (n - k + i) / i;
  return c;
}
static double dbinom(int k, int n, double p) { return choose(n, k) * pow(p, k) * pow(1 - p, n - k); }
static double log_dbinom(int k, int n, double p) {
  return lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0) + k * log(p) + (n - k) * log1p(-p);
}

static void test_prop(void **state) {
  (void)state;
  vagap_prop_t r;
  vagap_error_t err;
  /* symmetric case: 2 P(X <= 3), n = 10 = 2 (1 + 10 + 45 + 120) / 1024 */
  assert_int_equal(vagap_stats_prop_test(3, 10, NULL, &r, &err), VAGAP_OK);
  REL(r.p_value, 352.0 / 1024.0, 1e-14);
  REL(r.estimate, 0.3, 1e-15);
  /* Wilson interval written out */
  double n = 10, ph = 0.3, z = Z975;
  double centre = (ph + z * z / (2 * n)) / (1 + z * z / n);
  double half = z / (1 + z * z / n) * sqrt(ph * (1 - ph) / n + z * z / (4 * n * n));
  REL(r.conf_low, centre - half, 1e-14);
  REL(r.conf_high, centre + half, 1e-14);

  /* asymmetric: x = 7 of 20 at p0 = 0.3.  mean 6 < 7, so R sums P(X >= 7)
     and the outcomes below the mean no more likely than P(X = 7). */
  vagap_prop_options_t o;
  vagap_prop_options_init(&o);
  o.p0 = 0.3;
  assert_int_equal(vagap_stats_prop_test(7, 20, &o, &r, &err), VAGAP_OK);
  double d = dbinom(7, 20, 0.3), want = 0;
  for (int k = 0; k <= 20; k++)
    if (k >= 7 || dbinom(k, 20, 0.3) <= d * (1 + 1e-7)) want += dbinom(k, 20, 0.3);
  REL(r.p_value, want, 1e-12);
  o.alternative = VAGAP_ALT_GREATER;
  assert_int_equal(vagap_stats_prop_test(7, 20, &o, &r, &err), VAGAP_OK);
  want = 0;
  for (int k = 7; k <= 20; k++) want += dbinom(k, 20, 0.3);
  REL(r.p_value, want, 1e-12);
  assert_true(r.conf_high == 1.0 && r.exact_high == 1.0);
  /* Clopper-Pearson lower bound: P(X >= 7 | p = low) = alpha */
  want = 0;
  for (int k = 7; k <= 20; k++) want += dbinom(k, 20, r.exact_low);
  REL(want, 0.05, 1e-10);

  /* 1870 of 2000: GSL's gsl_cdf_beta_Pinv gave NaN for the lower bound.
     Clopper-Pearson by definition: P(X >= 1870 | low) = P(X <= 1870 | high) = 0.025. */
  o.p0 = 0.5;
  o.alternative = VAGAP_ALT_TWO_SIDED;
  assert_int_equal(vagap_stats_prop_test(1870, 2000, &o, &r, &err), VAGAP_OK);
  double up = 0, down = 0;
  for (int k = 1870; k <= 2000; k++) up += exp(log_dbinom(k, 2000, r.exact_low));
  for (int k = 0; k <= 1870; k++) down += exp(log_dbinom(k, 2000, r.exact_high));
  REL(up, 0.025, 1e-10);
  REL(down, 0.025, 1e-10);
  assert_true(r.exact_low > 0.9 && r.exact_low < r.estimate && r.exact_high > r.estimate);

  /* underflow: 0 of 2000 at 0.5, less: p = 2^-2000 */
  o.p0 = 0.5;
  o.alternative = VAGAP_ALT_LESS;
  assert_int_equal(vagap_stats_prop_test(0, 2000, &o, &r, &err), VAGAP_OK);
  REL(r.log10_p, -2000 * log10(2.0), 1e-12);
  o.alternative = VAGAP_ALT_TWO_SIDED;
  assert_int_equal(vagap_stats_prop_test(0, 2000, &o, &r, &err), VAGAP_OK);
  REL(r.log10_p, -1999 * log10(2.0), 1e-12);
  REL(r.conf_low, 0.0, 0);
  REL(r.exact_low, 0.0, 0);

  /* edges */
  assert_int_equal(vagap_stats_prop_test(0, 0, NULL, &r, &err), VAGAP_EDOMAIN);
  assert_true(isnan(r.estimate));
  assert_int_equal(vagap_stats_prop_test(5, 4, NULL, &r, &err), VAGAP_EINVAL);
  o.p0 = 1.0;
  assert_int_equal(vagap_stats_prop_test(4, 4, &o, &r, &err), VAGAP_OK);
  REL(r.p_value, 1.0, 0);
  assert_int_equal(vagap_stats_prop_test(3, 4, &o, &r, &err), VAGAP_OK);
  REL(r.p_value, 0.0, 0);
}

/* ---- p.adjust ------------------------------------------------------------------------ */

static void test_p_adjust(void **state) {
  (void)state;
  vagap_error_t err;
  double p[] = {0.01, 0.04, NAN, 0.03, 0.2, 0.04}, a[6];
  /* 5 tests; sorted 0.01 0.03 0.04 0.04 0.2 */
  double bonf[] = {0.05, 0.2, NAN, 0.15, 1.0, 0.2};
  double holm[] = {0.05, 0.12, NAN, 0.12, 0.2, 0.12};    /* 5p, 4p, max(3p,2p) ... */
  double hoch[] = {0.05, 0.08, NAN, 0.08, 0.2, 0.08};    /* min from the top of (m-i+1) p */
  double bh[] = {0.05, 0.05, NAN, 0.05, 0.2, 0.05};      /* min over 5/i p_(i) from the top */
  double hsum = 1 + 1 / 2.0 + 1 / 3.0 + 1 / 4.0 + 1 / 5.0;
  double by[] = {0.05 * hsum, 0.05 * hsum, NAN, 0.05 * hsum, 0.2 * hsum, 0.05 * hsum};
  const double *want[] = {p, bonf, holm, hoch, bh, by};
  for (int m = VAGAP_P_ADJUST_NONE; m <= VAGAP_P_ADJUST_BY; m++) {
    assert_int_equal(vagap_stats_p_adjust(p, 6, (vagap_p_adjust_t)m, a, &err), VAGAP_OK);
    for (int i = 0; i < 6; i++) REL(a[i], want[m][i], 1e-14);
  }
  vagap_p_adjust_t m;
  assert_int_equal(vagap_p_adjust_parse("fdr", &m, &err), VAGAP_OK);
  assert_int_equal(m, VAGAP_P_ADJUST_BH);
  assert_int_equal(vagap_p_adjust_parse("Holm", &m, &err), VAGAP_OK);
  assert_int_equal(m, VAGAP_P_ADJUST_HOLM);
  assert_int_equal(vagap_p_adjust_parse("sidak", &m, &err), VAGAP_EINVAL);
  double bad[] = {0.5, 1.5};
  assert_int_equal(vagap_stats_p_adjust(bad, 2, VAGAP_P_ADJUST_HOLM, a, &err), VAGAP_EINVAL);
  /* in place */
  double q[] = {0.02, 0.01};
  assert_int_equal(vagap_stats_p_adjust(q, 2, VAGAP_P_ADJUST_HOLM, q, &err), VAGAP_OK);
  REL(q[0], 0.02, 1e-15);
  REL(q[1], 0.02, 1e-15);
}

/* ---- alpha ------------------------------------------------------------------------------ */

static void test_alpha(void **state) {
  (void)state;
  vagap_error_t err;
  vagap_alpha_t a;
  /* item variances 5/3, 19/12, 11/12 (sum 25/6); totals 6, 8, 10, 14 have
     variance 35/3: alpha = 3/2 (1 - (25/6)/(35/3)) = 27/28 */
  double d[] = {1, 2, 3,  2, 3, 3,  3, 3, 4,  4, 5, 5,  1, NAN, 2};
  assert_int_equal(vagap_stats_cronbach_alpha(d, 5, 3, 3, &a, &err), VAGAP_OK);
  assert_int_equal(a.n, 4);
  assert_int_equal(a.n_excluded, 1);
  assert_int_equal(a.k, 3);
  REL(a.alpha, 27.0 / 28.0, 1e-14);
  assert_true(a.mean_r > 0 && a.mean_r < 1);
  REL(a.alpha_std, 3 * a.mean_r / (1 + 2 * a.mean_r), 1e-14);
  /* stride > k: only the first k columns */
  double wide[] = {1, 2, 99,  2, 3, -5,  3, 5, 0};
  assert_int_equal(vagap_stats_cronbach_alpha(wide, 3, 2, 3, &a, &err), VAGAP_OK);
  /* items (1,2,3), (2,3,5): vars 1, 7/3; totals 3,5,8 var 19/3 */
  REL(a.alpha, 2.0 * (1.0 - (10.0 / 3.0) / (19.0 / 3.0)), 1e-14);
  /* edges */
  assert_int_equal(vagap_stats_cronbach_alpha(d, 5, 1, 3, &a, &err), VAGAP_EDOMAIN);
  double c[] = {1, 1, 1, 1};
  assert_int_equal(vagap_stats_cronbach_alpha(c, 2, 2, 2, &a, &err), VAGAP_EDOMAIN);
  assert_true(isnan(a.alpha));
  double nan2[] = {NAN, 1, 2, NAN};
  assert_int_equal(vagap_stats_cronbach_alpha(nan2, 2, 2, 2, &a, &err), VAGAP_EDOMAIN);
  assert_int_equal(a.n, 0);
}

static void test_names(void **state) {
  (void)state;
  vagap_alternative_t alt;
  vagap_error_t err;
  assert_int_equal(vagap_alternative_parse("greater", &alt, &err), VAGAP_OK);
  assert_int_equal(alt, VAGAP_ALT_GREATER);
  assert_int_equal(vagap_alternative_parse("bigger", &alt, &err), VAGAP_EINVAL);
  assert_string_equal(vagap_alternative_name(VAGAP_ALT_TWO_SIDED), "two.sided");
  assert_string_equal(vagap_ttest_method_name(VAGAP_TTEST_WELCH), "Welch Two Sample t-test");
  assert_string_equal(vagap_p_adjust_name(VAGAP_P_ADJUST_BH), "BH");
}

int main(void) {
  vagap_init();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_one_sample),        cmocka_unit_test(test_paired),
      cmocka_unit_test(test_two_sample),        cmocka_unit_test(test_ttest_edge_cases),
      cmocka_unit_test(test_t_pvalue_underflow), cmocka_unit_test(test_nct),
      cmocka_unit_test(test_pearson),           cmocka_unit_test(test_cor_edge_cases),
      cmocka_unit_test(test_rank_and_spearman), cmocka_unit_test(test_prop),
      cmocka_unit_test(test_p_adjust),          cmocka_unit_test(test_alpha),
      cmocka_unit_test(test_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
