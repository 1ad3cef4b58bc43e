/* Tests of the SEM bootstrap (sem_boot.c), invariance sequences
   (sem_invariance.c) and VAAR bootstrap summaries (vaar.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vagap/vagap.h"

/* ---- percentile ------------------------------------------------------------- */

static void test_percentile_type7(void **state) {
  (void)state;
  /* R: quantile(c(3,1,4,1,5,9,2,6), c(.025,.975)) = 1.000 8.475;
     type 7 at p: h = (n-1)p, here h = 0.175 and 6.825 over 1 1 2 3 4 5 6 9 */
  double v[] = {3, 1, 4, 1, 5, 9, 2, 6, NAN};
  double lo, hi;
  size_t used;
  vagap_error_t err;
  assert_int_equal(vagap_sem_boot_percentile(v, 9, 1, 0.95, &lo, &hi, &used, &err), VAGAP_OK);
  assert_int_equal(used, 8);
  assert_true(fabs(lo - 1.0) < 1e-15);
  assert_true(fabs(hi - (6 + 0.825 * 3)) < 1e-12);
  /* R: quantile(c(3,1,4,1,5,9,2,6), c(.05,.95)) = 1.00 7.95 */
  assert_int_equal(vagap_sem_boot_percentile(v, 8, 1, 0.90, &lo, &hi, NULL, &err), VAGAP_OK);
  assert_true(fabs(lo - 1.0) < 1e-15);
  assert_true(fabs(hi - 7.95) < 1e-12);
  /* the input is not reordered; stride picks every other value */
  assert_true(v[0] == 3 && v[5] == 9);
  assert_int_equal(vagap_sem_boot_percentile(v, 4, 2, 0.5, &lo, &hi, &used, &err), VAGAP_OK);
  assert_int_equal(used, 4); /* 3 4 5 2 */
  assert_true(fabs(lo - 2.75) < 1e-12 && fabs(hi - 4.25) < 1e-12);
  double none[] = {NAN, INFINITY};
  assert_int_equal(vagap_sem_boot_percentile(none, 2, 1, 0.95, &lo, &hi, &used, &err), VAGAP_EDOMAIN);
  assert_true(isnan(lo));
}

/* ---- resampling ---------------------------------------------------------------- */

/* rows 0..9: group (i % 3 == 0) ? 1 : 0, interleaved on purpose */
static void small_data(vagap_sem_data_t *d, double *x, size_t *g, size_t n) {
  for (size_t i = 0; i < n; i++) {
    g[i] = i % 3 == 0;
    x[2 * i] = (double)i;
    x[2 * i + 1] = (double)(i * i % 7);
  }
  static const char *const var[] = {"a", "b"};
  static const char *const lab[] = {"g0", "g1"};
  *d = (vagap_sem_data_t){n, 2, 2, x, g, var, lab};
}

static void test_resample_within_groups(void **state) {
  (void)state;
  double x[20];
  size_t g[10], idx[10], idx2[10];
  vagap_sem_data_t d;
  small_data(&d, x, g, 10);
  vagap_error_t err;
  int differs = 0;
  for (size_t b = 0; b < 50; b++) {
    assert_int_equal(vagap_sem_boot_resample(&d, 7, b, idx, &err), VAGAP_OK);
    /* positions are grouped: first the 6 rows of g0, then the 4 of g1 */
    for (size_t k = 0; k < 10; k++) {
      assert_true(idx[k] < 10);
      assert_int_equal(g[idx[k]], k < 6 ? 0 : 1);
    }
    assert_int_equal(vagap_sem_boot_resample(&d, 7, b, idx2, &err), VAGAP_OK);
    assert_memory_equal(idx, idx2, sizeof idx);
    assert_int_equal(vagap_sem_boot_resample(&d, 8, b, idx2, &err), VAGAP_OK);
    differs |= memcmp(idx, idx2, sizeof idx) != 0;
  }
  assert_true(differs);
  size_t bad[10] = {0};
  memcpy(bad, g, sizeof bad);
  bad[4] = 5;
  d.group = bad;
  assert_int_equal(vagap_sem_boot_resample(&d, 7, 0, idx, &err), VAGAP_EINVAL);
}

/* ---- bootstrap of a regression --------------------------------------------------------- */

static double lcg_normal(unsigned *s) {
  *s = *s * 1103515245u + 12345u;
  double u1 = ((*s >> 8) + 0.5) / 16777216.0;
  *s = *s * 1103515245u + 12345u;
  double u2 = ((*s >> 8) + 0.5) / 16777216.0;
  return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

typedef struct {
  double *x;
  size_t *g;
  vagap_sem_data_t d;
  vagap_sem_model_t *model;
  vagap_sem_stats_t *stats;
} regression_t;

static const char *const REG_VARS[] = {"y", "x"};
static const char *const REG_LABELS[] = {"a", "b"};

static void regression_setup(regression_t *r, size_t n_per_group) {
  size_t n = 2 * n_per_group;
  r->x = malloc(n * 2 * sizeof *r->x);
  r->g = malloc(n * sizeof *r->g);
  unsigned s = 99;
  for (size_t i = 0; i < n; i++) {
    r->g[i] = i >= n_per_group;
    double xv = lcg_normal(&s);
    r->x[2 * i + 1] = xv;
    r->x[2 * i] = (r->g[i] ? -0.3 : 0.6) * xv + lcg_normal(&s);
  }
  r->d = (vagap_sem_data_t){n, 2, 2, r->x, r->g, REG_VARS, REG_LABELS};
  vagap_error_t err;
  vagap_sem_syntax_t *syn;
  assert_int_equal(vagap_sem_syntax_parse(&syn, "y ~ x", "m", &err), VAGAP_OK);
  vagap_sem_model_options_t mopt;
  vagap_sem_model_options_init(&mopt);
  assert_int_equal(vagap_sem_model_build(&r->model, syn, 2, &mopt, "m", &err), VAGAP_OK);
  vagap_sem_syntax_free(syn);
  assert_int_equal(vagap_sem_stats_alloc(&r->stats, 2, 2, REG_VARS, REG_LABELS, &err), VAGAP_OK);
  assert_int_equal(vagap_sem_stats_compute(r->stats, r->x, r->g, n, &err), VAGAP_OK);
}

static void regression_teardown(regression_t *r) {
  vagap_sem_stats_free(r->stats);
  vagap_sem_model_free(r->model);
  free(r->x);
  free(r->g);
}

static vagap_sem_boot_t *boot_with(const regression_t *r, size_t B, uint64_t seed, unsigned threads) {
  vagap_sem_boot_options_t bopt;
  vagap_sem_boot_options_init(&bopt);
  bopt.B = B;
  bopt.seed = seed;
  bopt.threads = threads;
  vagap_sem_fit_options_t fopt;
  vagap_sem_fit_options_init(&fopt);
  vagap_sem_boot_t *b = NULL;
  vagap_error_t err;
  assert_int_equal(vagap_sem_bootstrap(&b, r->model, &r->d, &fopt, &bopt, &err), VAGAP_OK);
  return b;
}

static size_t regression_row(const vagap_sem_model_t *m, int group) {
  for (size_t i = 0; i < m->nrows; i++)
    if (m->rows[i].op == VAGAP_SEM_REGRESSION && m->rows[i].group == group) return i;
  fail_msg("no regression row");
  return 0;
}

static void test_bootstrap_regression(void **state) {
  (void)state;
  regression_t r;
  regression_setup(&r, 300);
  vagap_sem_boot_t *b1 = boot_with(&r, 60, 5, 1), *b3 = boot_with(&r, 60, 5, 3);
  assert_int_equal(b1->nok, 60);
  assert_int_equal(b1->nfailed, 0);
  /* the same numbers whatever the thread count */
  assert_memory_equal(b1->est, b3->est, 60 * b1->nrows * sizeof(double));
  assert_memory_equal(b1->pvalue, b3->pvalue, 60 * b1->nrows * sizeof(double));
  /* resample 0 refitted by hand gives the stored estimates */
  size_t idx[600], g[600];
  double x[1200];
  vagap_error_t err;
  assert_int_equal(vagap_sem_boot_resample(&r.d, 5, 0, idx, &err), VAGAP_OK);
  for (size_t i = 0; i < 600; i++) {
    x[2 * i] = r.x[2 * idx[i]];
    x[2 * i + 1] = r.x[2 * idx[i] + 1];
    g[i] = r.g[idx[i]];
  }
  vagap_sem_stats_t *st;
  assert_int_equal(vagap_sem_stats_alloc(&st, 2, 2, REG_VARS, REG_LABELS, &err), VAGAP_OK);
  assert_int_equal(vagap_sem_stats_compute(st, x, g, 600, &err), VAGAP_OK);
  vagap_sem_fit_options_t fopt;
  vagap_sem_fit_options_init(&fopt);
  vagap_sem_fit_t *fit;
  assert_int_equal(vagap_sem_fit(&fit, r.model, st, &fopt, &err), VAGAP_OK);
  size_t row = regression_row(r.model, 2);
  assert_true(fabs(fit->model->rows[row].est - b1->est[row]) < 1e-9);
  vagap_sem_fit_free(fit);
  vagap_sem_stats_free(st);
  /* the bootstrap distribution is centred near the estimate of each group */
  vagap_sem_fit_t *full;
  assert_int_equal(vagap_sem_fit(&full, r.model, r.stats, &fopt, &err), VAGAP_OK);
  for (int grp = 1; grp <= 2; grp++) {
    size_t rr = regression_row(r.model, grp);
    double mean = 0;
    for (size_t k = 0; k < 60; k++) mean += b1->est[k * b1->nrows + rr] / 60;
    assert_true(fabs(mean - full->model->rows[rr].est) < 0.5 * full->model->rows[rr].se);
  }
  vagap_sem_fit_free(full);
  vagap_sem_boot_free(b1);
  vagap_sem_boot_free(b3);
  regression_teardown(&r);
}

/* A block of resamples (one MPI rank's) holds exactly those resamples of the whole run. */
static void test_bootstrap_block(void **state) {
  (void)state;
  regression_t r;
  regression_setup(&r, 200);
  vagap_sem_boot_t *all = boot_with(&r, 20, 9, 2);
  vagap_sem_boot_options_t bopt;
  vagap_sem_boot_options_init(&bopt);
  bopt.B = 20;
  bopt.seed = 9;
  bopt.threads = 2;
  bopt.b_from = 7;
  bopt.b_to = 13;
  vagap_sem_fit_options_t fopt;
  vagap_sem_fit_options_init(&fopt);
  vagap_sem_boot_t *part = NULL;
  vagap_error_t err;
  assert_int_equal(vagap_sem_bootstrap(&part, r.model, &r.d, &fopt, &bopt, &err), VAGAP_OK);
  size_t nr = all->nrows;
  assert_memory_equal(part->est + 7 * nr, all->est + 7 * nr, 6 * nr * sizeof(double));
  assert_memory_equal(part->se + 7 * nr, all->se + 7 * nr, 6 * nr * sizeof(double));
  assert_int_equal(part->nok, 6);
  assert_int_equal(part->nfailed, 0);
  assert_int_equal(part->ok[6], 0);
  assert_true(isnan(part->est[0]));
  vagap_sem_boot_free(part);
  bopt.b_to = 21; /* beyond B */
  assert_int_equal(vagap_sem_bootstrap(&part, r.model, &r.d, &fopt, &bopt, &err), VAGAP_EINVAL);
  vagap_sem_boot_free(all);
  regression_teardown(&r);
}

/* A group of 3 rows: many resamples repeat a row and have a singular covariance. */
static void test_bootstrap_counts_failures(void **state) {
  (void)state;
  regression_t r;
  regression_setup(&r, 3);
  vagap_sem_boot_t *b = boot_with(&r, 40, 11, 2);
  assert_true(b->nfailed > 0);
  assert_int_equal(b->nok + b->nfailed, 40);
  size_t by_status = 0;
  for (int s = 0; s <= VAGAP_ENUMERIC; s++) by_status += b->failed_by_status[s];
  assert_int_equal(by_status, b->nfailed);
  for (size_t k = 0; k < 40; k++)
    if (!b->ok[k]) assert_true(isnan(b->est[k * b->nrows]));
  vagap_sem_boot_free(b);
  regression_teardown(&r);
}

/* ---- VAAR bootstrap ----------------------------------------------------------- */

static void test_vaar_bootstrap(void **state) {
  (void)state;
  regression_t r;
  regression_setup(&r, 300);
  vagap_sem_boot_t *b = boot_with(&r, 50, 3, 2);
  vagap_error_t err;
  vagap_sem_fit_options_t fopt;
  vagap_sem_fit_options_init(&fopt);
  vagap_sem_fit_t *fit;
  assert_int_equal(vagap_sem_fit(&fit, r.model, r.stats, &fopt, &err), VAGAP_OK);
  const vagap_sem_model_t *m = fit->model;
  vagap_vaar_estimate_t est[64];
  size_t est_row[64], n = 0;
  for (size_t i = 0; i < m->nrows && n < 64; i++) {
    est[n] = (vagap_vaar_estimate_t){REG_LABELS[m->rows[i].group - 1], m->rows[i].lhs,
                                     vagap_sem_op_string(m->rows[i].op), m->rows[i].rhs,
                                     m->rows[i].est, m->rows[i].se, m->rows[i].pvalue,
                                     m->rows[i].ci_lower, m->rows[i].ci_upper, m->rows[i].std_all};
    est_row[n++] = i;
  }
  vagap_vaar_spec_t *spec;
  assert_int_equal(vagap_vaar_spec_parse(&spec, "y~x:+", NULL, &err), VAGAP_OK);
  vagap_vaar_boot_t *vb;
  assert_int_equal(vagap_vaar_bootstrap(&vb, spec, est, n, est_row, b, NULL, NULL, 0, 0.05, 0.9, &err), VAGAP_OK);
  assert_int_equal(vb->nused, 50);
  assert_int_equal(vb->ngroups, 2);
  /* group a: slope 0.6, always positive and significant; group b: -0.3, never agrees */
  assert_true(vb->share_sign[0] == 1.0 && vb->share_strict[0] == 1.0);
  assert_true(vb->share_sign[1] == 0.0);
  assert_true(vb->vaar_strict_lower[0] == 1.0 && vb->vaar_sign_upper[1] == 0.0);
  /* the percentile interval of the slope matches the raw resamples */
  size_t rr = regression_row(r.model, 1);
  double lo, hi;
  assert_int_equal(vagap_sem_boot_percentile(b->est + rr, b->B, b->nrows, 0.9, &lo, &hi, NULL, &err), VAGAP_OK);
  assert_true(lo == vb->est_lower[0] && hi == vb->est_upper[0]);
  vagap_vaar_boot_free(vb);
  vagap_vaar_spec_free(spec);
  vagap_sem_fit_free(fit);
  vagap_sem_boot_free(b);
  regression_teardown(&r);
}

/* ---- invariance levels ----------------------------------------------------------- */

static void test_invariance_parse(void **state) {
  (void)state;
  vagap_sem_invariance_step_t s[VAGAP_SEM_INVARIANCE_MAX_STEPS];
  size_t n;
  vagap_error_t err;
  assert_int_equal(vagap_sem_invariance_parse("configural, metric,scalar,strict", s, &n, &err), VAGAP_OK);
  assert_int_equal(n, 4);
  assert_string_equal(s[1].name, "metric");
  assert_int_equal(s[0].group_equal, 0);
  assert_int_equal(s[1].group_equal, VAGAP_SEM_EQ_LOADINGS);
  assert_int_equal(s[2].group_equal, VAGAP_SEM_EQ_LOADINGS | VAGAP_SEM_EQ_INTERCEPTS);
  assert_int_equal(s[3].group_equal, VAGAP_SEM_EQ_LOADINGS | VAGAP_SEM_EQ_INTERCEPTS | VAGAP_SEM_EQ_RESIDUALS);
  assert_int_equal(vagap_sem_invariance_parse("strict,means", s, &n, &err), VAGAP_OK);
  assert_true(s[1].group_equal & VAGAP_SEM_EQ_RESIDUALS);
  assert_true(s[1].group_equal & VAGAP_SEM_EQ_MEANS);
  assert_int_equal(vagap_sem_invariance_parse("metric,configural", s, &n, &err), VAGAP_EINVAL);
  assert_non_null(strstr(err.message, "configural"));
  assert_int_equal(vagap_sem_invariance_parse("metric,metric", s, &n, &err), VAGAP_EINVAL);
  assert_int_equal(vagap_sem_invariance_parse("weak", s, &n, &err), VAGAP_EINVAL);
  assert_non_null(strstr(err.message, "weak"));
  assert_int_equal(vagap_sem_invariance_parse("", s, &n, &err), VAGAP_EINVAL);
}

/* The difference test on a model pair fitted here: dchisq = chisq_metric - chisq_configural. */
static void test_invariance_fit(void **state) {
  (void)state;
  regression_t r;
  regression_setup(&r, 200);
  vagap_error_t err;
  vagap_sem_syntax_t *syn;
  assert_int_equal(vagap_sem_syntax_parse(&syn, "y ~ x", "m", &err), VAGAP_OK);
  vagap_sem_model_options_t mopt;
  vagap_sem_model_options_init(&mopt);
  vagap_sem_fit_options_t fopt;
  vagap_sem_fit_options_init(&fopt);
  /* "regressions" is not an invariance level, so test via configural + strict:
     the slope is free in both, residual variances differ */
  vagap_sem_invariance_step_t s[2];
  size_t n;
  assert_int_equal(vagap_sem_invariance_parse("configural,strict", s, &n, &err), VAGAP_OK);
  vagap_sem_invariance_t *inv;
  assert_int_equal(vagap_sem_invariance_fit(&inv, syn, r.stats, &mopt, &fopt, s, n, "m", &err), VAGAP_OK);
  assert_int_equal(inv->n, 2);
  assert_true(isnan(inv->rows[0].chisq_diff));
  assert_true(fabs(inv->rows[0].chisq) < 1e-6); /* saturated */
  assert_true(inv->rows[1].df_diff == inv->rows[1].df - inv->rows[0].df);
  assert_true(inv->rows[1].df_diff >= 1);
  assert_true(fabs(inv->rows[1].chisq_diff - (inv->rows[1].chisq - inv->rows[0].chisq)) < 1e-12);
  assert_true(inv->rows[1].pvalue_diff >= 0 && inv->rows[1].pvalue_diff <= 1);
  vagap_sem_invariance_free(inv);
  vagap_sem_syntax_free(syn);
  regression_teardown(&r);
}

int main(void) {
  vagap_init();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_percentile_type7),      cmocka_unit_test(test_resample_within_groups),
      cmocka_unit_test(test_bootstrap_regression),  cmocka_unit_test(test_bootstrap_block),  cmocka_unit_test(test_bootstrap_counts_failures),
      cmocka_unit_test(test_vaar_bootstrap),        cmocka_unit_test(test_invariance_parse),
      cmocka_unit_test(test_invariance_fit),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
