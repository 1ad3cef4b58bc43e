/* Tests of the categorical first stage: the bivariate normal CDF against a
   one-dimensional quadrature, thresholds, polychoric estimating equation,
   lavaan's 2 x 2 rules and the asymptotic covariance's structure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "polychoric.h"

typedef struct {
  double k, r;
} bvn_arg_t;

/* phi(x) Phi((k - r x) / sqrt(1 - r^2)): integrated over x <= h it is P(X <= h, Y <= k) */
static double integrand(double x, void *p) {
  const bvn_arg_t *a = p;
  return gsl_ran_ugaussian_pdf(x) * gsl_cdf_ugaussian_P((a->k - a->r * x) / sqrt(1 - a->r * a->r));
}

static double bvn_quadrature(double h, double k, double r) {
  gsl_integration_workspace *w = gsl_integration_workspace_alloc(1000);
  bvn_arg_t a = {k, r};
  gsl_function f = {integrand, &a};
  double v, e;
  gsl_integration_qagil(&f, h, 1e-15, 1e-13, 1000, w, &v, &e);
  gsl_integration_workspace_free(w);
  return v;
}

static void test_bvn_cdf_against_quadrature(void **state) {
  (void)state;
  const double hs[] = {-2.5, -1, -0.3, 0, 0.7, 1.9};
  const double rs[] = {-0.99, -0.95, -0.8, -0.5, -0.1, 0, 0.2, 0.6, 0.9, 0.93, 0.99};
  double worst = 0;
  for (size_t a = 0; a < 6; a++)
    for (size_t b = 0; b < 6; b++)
      for (size_t c = 0; c < sizeof rs / sizeof rs[0]; c++) {
        double d = fabs(poly_bvn_cdf(hs[a], hs[b], rs[c]) - bvn_quadrature(hs[a], hs[b], rs[c]));
        if (d > worst) worst = d;
      }
  assert_true(worst < 1e-12);
  /* limits: infinite arguments and independence */
  assert_true(fabs(poly_bvn_cdf(INFINITY, 0.3, 0.5) - gsl_cdf_ugaussian_P(0.3)) < 1e-15);
  assert_true(poly_bvn_cdf(-INFINITY, 0.3, 0.5) == 0);
  assert_true(fabs(poly_bvn_cdf(0.4, -0.2, 0) - gsl_cdf_ugaussian_P(0.4) * gsl_cdf_ugaussian_P(-0.2)) < 1e-15);
  /* Sheppard: P(X <= 0, Y <= 0) = 1/4 + asin(r) / (2 pi) */
  assert_true(fabs(poly_bvn_cdf(0, 0, 0.95) - (0.25 + asin(0.95) / (2 * M_PI))) < 1e-14);
}

/* ordinal data cut from a bivariate normal with correlation rho */
static int *cut_data(size_t n, double rho, unsigned long seed) {
  gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(g, seed);
  int *y = malloc(n * 3 * sizeof *y);
  const double c1[] = {-1, 0, 1.2}, c2[] = {0.3}, c3[] = {-1.5, -0.5, 0.5, 1.8};
  for (size_t i = 0; i < n; i++) {
    double z1 = gsl_ran_ugaussian(g), z2 = rho * z1 + sqrt(1 - rho * rho) * gsl_ran_ugaussian(g);
    double z3 = 0.4 * z1 + sqrt(1 - 0.16) * gsl_ran_ugaussian(g);
    int a = 1, b = 1, c = 1;
    for (int k = 0; k < 3; k++) a += z1 > c1[k];
    b += z2 > c2[0];
    for (int k = 0; k < 4; k++) c += z3 > c3[k];
    y[i * 3] = a, y[i * 3 + 1] = b, y[i * 3 + 2] = c;
  }
  gsl_rng_free(g);
  return y;
}

static void test_stage1_estimating_equations(void **state) {
  (void)state;
  size_t n = 2000;
  int *y = cut_data(n, 0.6, 7);
  const int ncat[] = {4, 2, 5};
  const char *names[] = {"a", "b", "c"};
  poly_stage1_t s;
  vagap_error_t err;
  assert_int_equal(poly_stage1(&s, y, NULL, n, 3, ncat, 1, 2, names, "1", &err), VAGAP_OK);
  assert_int_equal(s.nth, 3 + 1 + 4);
  assert_int_equal(s.npair, 3);
  /* thresholds: probit of the cumulative proportions */
  size_t below = 0;
  for (size_t i = 0; i < n; i++) below += y[i * 3] <= 2;
  assert_true(fabs(s.th[1] - gsl_cdf_ugaussian_Pinv((double)below / (double)n)) < 1e-12);
  /* polychorics near the generating values (n = 2000: SE about 0.02) */
  assert_true(fabs(s.rho[0] - 0.6) < 0.08);  /* (b, a) */
  assert_true(fabs(s.rho[1] - 0.4) < 0.08);  /* (c, a) */
  assert_true(fabs(s.rho[2] - 0.24) < 0.08); /* (c, b) */
  /* Gamma: symmetric with a positive diagonal; the SE of a threshold near
     the binomial delta-method value sqrt(P (1-P)) / phi(tau) */
  size_t m = s.nth + s.npair;
  for (size_t a = 0; a < m; a++) {
    assert_true(s.gamma[a * m + a] > 0);
    for (size_t b = 0; b < a; b++) assert_true(fabs(s.gamma[a * m + b] - s.gamma[b * m + a]) < 1e-12);
  }
  double P = gsl_cdf_ugaussian_P(s.th[1]);
  double v = P * (1 - P) / pow(gsl_ran_ugaussian_pdf(s.th[1]), 2);
  assert_true(fabs(s.gamma[1 * m + 1] - v) < 1e-8 * v);
  poly_stage1_free(&s);
  free(y);
}

static void test_stage1_2x2_rules_and_empty_category(void **state) {
  (void)state;
  /* independent 2 x 2 table: rho = 0 exactly (lavaan's rule) */
  int y[8 * 2] = {1, 1, 1, 2, 2, 1, 2, 2, 1, 1, 1, 2, 2, 1, 2, 2};
  const int ncat[] = {2, 2};
  const char *names[] = {"u", "v"};
  poly_stage1_t s;
  vagap_error_t err;
  assert_int_equal(poly_stage1(&s, y, NULL, 8, 2, ncat, 0, 1, names, "g", &err), VAGAP_OK);
  assert_true(s.rho[0] == 0);
  poly_stage1_free(&s);
  /* a category without answers is refused with the variable, category and group */
  const int ncat3[] = {3, 2};
  assert_int_equal(poly_stage1(&s, y, NULL, 8, 2, ncat3, 0, 1, names, "g", &err), VAGAP_EDATA);
  assert_non_null(strstr(err.message, "'u'"));
  assert_non_null(strstr(err.message, "category 3"));
}

/* numeric columns: WLS.obs holds -mean and the ML variance; their Gamma block is lavaan's
   n (sum s s')^-1 of the casewise scores s = ((y-mu)/v, -1/(2v) + (y-mu)^2/(2v^2)) (the
   mean's sign flipped); a complete numeric pair's correlation is Pearson's r */
static void test_stage1_numeric_and_polyserial(void **state) {
  (void)state;
  size_t n = 1500, p = 3;
  gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(g, 11);
  int *y = calloc(n * p, sizeof *y);
  double *x = malloc(n * p * sizeof *x);
  for (size_t r = 0; r < n; r++) {
    double f = gsl_ran_ugaussian(g);
    double z = 0.6 * f + 0.8 * gsl_ran_ugaussian(g);
    x[r * p + 0] = 3 + 2 * (0.7 * f + sqrt(0.51) * gsl_ran_ugaussian(g));
    x[r * p + 1] = -1 + 0.5 * (0.5 * f + sqrt(0.75) * gsl_ran_ugaussian(g));
    x[r * p + 2] = NAN;
    y[r * p + 2] = 1 + (z > -0.5) + (z > 0.8);
  }
  gsl_rng_free(g);
  const int ncat[] = {0, 0, 3};
  const char *names[] = {"a", "b", "c"};
  poly_stage1_t s;
  vagap_error_t err;
  assert_int_equal(poly_stage1(&s, y, x, n, p, ncat, 1, 2, names, "1", &err), VAGAP_OK);
  assert_int_equal(s.nth, 1 + 1 + 2);
  assert_int_equal(s.nnum, 2);
  assert_int_equal(s.m, 4 + 2 + 3);
  double mu = 0, m2 = 0, s12 = 0, mu2 = 0, v2 = 0;
  for (size_t r = 0; r < n; r++) mu += x[r * p] / (double)n, mu2 += x[r * p + 1] / (double)n;
  for (size_t r = 0; r < n; r++) {
    double d = x[r * p] - mu, d2 = x[r * p + 1] - mu2;
    m2 += d * d / (double)n, s12 += d * d2 / (double)n, v2 += d2 * d2 / (double)n;
  }
  double a = 0, b = 0, c = 0; /* sum s s' of (mean, variance) scores */
  for (size_t r = 0; r < n; r++) {
    double d = x[r * p] - mu, su = d / m2, sv = -1 / (2 * m2) + d * d / (2 * m2 * m2);
    a += su * su, b += su * sv, c += sv * sv;
  }
  double det = a * c - b * b;
  size_t m = s.m;
  assert_true(fabs(s.obs[0] + mu) < 1e-12);                 /* -mean */
  assert_true(fabs(s.obs[4] - m2) < 1e-12 * m2);            /* variance */
  assert_true(fabs(s.gamma[0] - (double)n * c / det) < 1e-9 * s.gamma[0]);
  assert_true(fabs(s.gamma[4 * m + 4] - (double)n * a / det) < 1e-9 * s.gamma[4 * m + 4]);
  assert_true(fabs(s.gamma[0 * m + 4] - (double)n * b / det) < 1e-9 * fabs(s.gamma[4])); /* sign: -(-b) */
  assert_true(fabs(s.rho[0] - s12 / sqrt(m2 * v2)) < 1e-12); /* Pearson (b, a) */
  /* the covariance in WLS.obs is the correlation times the SDs */
  assert_true(fabs(s.obs[6] - s12) < 1e-12);
  /* polyserial (c, a): near its population value 0.7 * 0.6 = 0.42 (lavaan's estimator:
     the cross-check ordinal_lavaan agrees with lavaan to 1e-5) */
  assert_true(fabs(s.rho[1] - 0.42) < 0.1); /* about 4 standard errors at n = 1500 */
  for (size_t q = 0; q < m; q++) assert_true(s.gamma[q * m + q] > 0);
  poly_stage1_free(&s);
  free(y);
  free(x);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bvn_cdf_against_quadrature),
      cmocka_unit_test(test_stage1_estimating_equations),
      cmocka_unit_test(test_stage1_2x2_rules_and_empty_category),
      cmocka_unit_test(test_stage1_numeric_and_polyserial),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
