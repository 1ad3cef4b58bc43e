/* Tests of the bootstrap resamples' fast refit (sem_resample.c): the same resamples
   refitted by the full path (sem_fit_from) give the same estimates, warnings and
   failures; the weighted moments equal the moments of the copied rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sem_internal.h"
#include "vagap/vagap.h"

static double lcg_normal(unsigned *s) {
  *s = *s * 1103515245u + 12345u;
  double u1 = ((*s >> 8) + 0.5) / 16777216.0;
  *s = *s * 1103515245u + 12345u;
  double u2 = ((*s >> 8) + 0.5) / 16777216.0;
  return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

static const char *const VARS[] = {"x1", "x2", "x3", "x4", "x5", "x6"};
static char LABEL_ROOM[64][8];
static const char *LABELS[64];

typedef struct {
  double *x;
  size_t *g;
  vagap_sem_data_t d;
  vagap_sem_model_t *model;
} sample_t;

/*
 * G groups of n rows of x1..x6 from two correlated factors (x1-x3, x4-x6) with
 * residual variance `resid` for x1 (0.02: in-sample Heywood cases); `shift` moves
 * the means (a large shift tests the moments' centring).
 */
static void sample_setup(sample_t *s, size_t G, size_t n, double resid, double shift, const char *model,
                         int equal_loadings) {
  size_t N = G * n;
  for (size_t g = 0; g < 64; g++) {
    snprintf(LABEL_ROOM[g], sizeof LABEL_ROOM[g], "g%zu", g + 1);
    LABELS[g] = LABEL_ROOM[g];
  }
  s->x = malloc(N * 6 * sizeof *s->x);
  s->g = malloc(N * sizeof *s->g);
  unsigned seed = 2024;
  for (size_t i = 0; i < N; i++) {
    s->g[i] = i / n;
    double f1 = lcg_normal(&seed), f2 = 0.5 * f1 + 0.8 * lcg_normal(&seed);
    for (size_t j = 0; j < 6; j++) {
      double e = lcg_normal(&seed) * (j == 0 ? sqrt(resid) : 0.7);
      s->x[i * 6 + j] = shift + 0.1 * (double)s->g[i] + (j < 3 ? f1 : f2) * (0.6 + 0.1 * (double)j) + e;
    }
  }
  s->d = (vagap_sem_data_t){N, 6, G, s->x, s->g, VARS, (const char *const *)LABELS};
  vagap_error_t err;
  vagap_sem_syntax_t *syn;
  assert_int_equal(vagap_sem_syntax_parse(&syn, model, "m", &err), VAGAP_OK);
  vagap_sem_model_options_t mopt;
  vagap_sem_model_options_init(&mopt);
  if (equal_loadings) mopt.group_equal = VAGAP_SEM_EQ_LOADINGS;
  assert_int_equal(vagap_sem_model_build(&s->model, syn, G, &mopt, "m", &err), VAGAP_OK);
  vagap_sem_syntax_free(syn);
}

static void sample_teardown(sample_t *s) {
  vagap_sem_model_free(s->model);
  free(s->x);
  free(s->g);
}

/* The resamples of `vagap sem --bootstrap` (estimates only), by the fast refit
   (full = 0) or by sem_fit_from for every resample (full = 1). */
static vagap_sem_boot_t *boot(const sample_t *s, size_t B, int full, size_t *nfallback) {
  vagap_sem_boot_options_t bopt;
  vagap_sem_boot_options_init(&bopt);
  bopt.B = B;
  bopt.seed = 3;
  bopt.threads = 2;
  vagap_sem_fit_options_t fopt;
  vagap_sem_fit_options_init(&fopt);
  fopt.compute = VAGAP_SEM_COMPUTE_ESTIMATES;
  vagap_sem_boot_t *b = NULL;
  vagap_error_t err;
  assert_int_equal(sem_bootstrap_run(&b, s->model, &s->d, &fopt, &bopt, full, nfallback, &err), VAGAP_OK);
  return b;
}

/* Both refits agree: fitted or not (with the same status), estimates and standardised
   estimates within tol, the same warnings; returns the largest estimate difference. */
static double assert_same_resamples(const vagap_sem_boot_t *a, const vagap_sem_boot_t *b, double tol) {
  assert_int_equal(a->nok, b->nok);
  assert_memory_equal(a->ok, b->ok, a->B * sizeof *a->ok);
  assert_memory_equal(a->failed_by_status, b->failed_by_status, sizeof a->failed_by_status);
  assert_int_equal(a->nwarned, b->nwarned);
  assert_int_equal(a->nwarn_kinds, b->nwarn_kinds);
  for (size_t k = 0; k < a->nwarn_kinds; k++) {
    assert_string_equal(a->warn_kind[k], b->warn_kind[k]);
    assert_int_equal(a->warn_count[k], b->warn_count[k]);
  }
  double worst = 0;
  for (size_t i = 0; i < a->B * a->nrows; i++) {
    if (!a->ok[i / a->nrows]) continue;
    double e = fabs(a->est[i] - b->est[i]), sa = fabs(a->std_all[i] - b->std_all[i]);
    assert_true(e < tol * (1 + fabs(a->est[i])));
    assert_true(sa < tol * (1 + fabs(a->std_all[i])) || (isnan(a->std_all[i]) && isnan(b->std_all[i])));
    assert_true(isnan(a->se[i]) == isnan(b->se[i]));
    if (e > worst) worst = e;
  }
  return worst;
}

static const char *const TWO_FACTORS = "f1 =~ x1 + x2 + x3\nf2 =~ x4 + x5 + x6\n";

/* Three groups with loadings shared by the groups (the information's Schur path). */
static void test_fast_refit_equal_loadings(void **state) {
  (void)state;
  sample_t s;
  sample_setup(&s, 3, 250, 0.5, 0, TWO_FACTORS, 1);
  size_t nfb_full = 0, nfb = 0;
  vagap_sem_boot_t *full = boot(&s, 40, 1, &nfb_full), *fast = boot(&s, 40, 0, &nfb);
  assert_int_equal(nfb_full, 0);
  assert_true(nfb < 40); /* most resamples take the fast refit */
  double worst = assert_same_resamples(full, fast, 1e-6);
  fprintf(stderr, "equal loadings: %zu of 40 resamples refitted by the full path, largest estimate difference %.3g\n",
          nfb, worst);
  assert_int_equal(fast->nok, 40);
  vagap_sem_boot_free(full);
  vagap_sem_boot_free(fast);
  sample_teardown(&s);
}

/* Heywood cases (x1's residual variance negative in many resamples): the same warnings. */
static void test_fast_refit_heywood(void **state) {
  (void)state;
  sample_t s;
  sample_setup(&s, 1, 60, 0.0004, 0, TWO_FACTORS, 0);
  size_t nfb = 0;
  vagap_sem_boot_t *full = boot(&s, 60, 1, NULL), *fast = boot(&s, 60, 0, &nfb);
  double worst = assert_same_resamples(full, fast, 1e-5);
  fprintf(stderr, "Heywood: %zu of 60 resamples refitted by the full path, %zu with warnings, largest estimate "
          "difference %.3g\n", nfb, fast->nwarned, worst);
  assert_true(fast->nwarned > 0);
  vagap_sem_boot_free(full);
  vagap_sem_boot_free(fast);
  sample_teardown(&s);
}

/* 55 groups, 1045 parameters: many groups' blocks (the Hessian refreshed into them, no
   npar x npar matrix). */
static void test_fast_refit_many_parameters(void **state) {
  (void)state;
  sample_t s;
  sample_setup(&s, 55, 200, 0.5, 0, TWO_FACTORS, 0);
  assert_true(s.model->npar > 1000);
  size_t nfb = 0;
  vagap_sem_boot_t *full = boot(&s, 4, 1, NULL), *fast = boot(&s, 4, 0, &nfb);
  double worst = assert_same_resamples(full, fast, 1e-5);
  fprintf(stderr, "%zu parameters: %zu of 4 resamples refitted by the full path, largest estimate difference %.3g\n",
          s.model->npar, nfb, worst);
  assert_int_equal(nfb, 0);
  vagap_sem_boot_free(full);
  vagap_sem_boot_free(fast);
  sample_teardown(&s);
}

/* Groups of 4 rows: resamples with a singular covariance fail as before (status and count). */
static void test_fast_refit_failures(void **state) {
  (void)state;
  sample_t s;
  sample_setup(&s, 2, 5, 0.5, 0, "x1 ~ x2\n", 0);
  vagap_sem_boot_t *full = boot(&s, 50, 1, NULL), *fast = boot(&s, 50, 0, NULL);
  assert_true(full->nfailed > 0);
  assert_same_resamples(full, fast, 1e-5);
  vagap_sem_boot_free(full);
  vagap_sem_boot_free(fast);
  sample_teardown(&s);
}

/* --max-evaluations binds the fast refit too: over the budget it gives up (the caller then
   refits by the full path, which honours the same budget). */
static void test_fast_refit_honours_the_budget(void **state) {
  (void)state;
  sample_t s;
  sample_setup(&s, 2, 150, 0.5, 0, TWO_FACTORS, 0);
  size_t N = s.d.nobs, idx[300], grp[300];
  double x[300 * 6];
  vagap_error_t err;
  vagap_sem_stats_t *full, *drawn;
  assert_int_equal(vagap_sem_stats_alloc(&full, 2, 6, VARS, (const char *const *)LABELS, &err), VAGAP_OK);
  assert_int_equal(vagap_sem_stats_alloc(&drawn, 2, 6, VARS, (const char *const *)LABELS, &err), VAGAP_OK);
  assert_int_equal(vagap_sem_stats_compute(full, s.x, s.g, N, &err), VAGAP_OK);
  assert_int_equal(vagap_sem_boot_resample(&s.d, 7, 1, idx, &err), VAGAP_OK);
  for (size_t i = 0; i < N; i++) {
    memcpy(x + i * 6, s.x + idx[i] * 6, 6 * sizeof *x);
    grp[i] = s.g[idx[i]];
  }
  assert_int_equal(vagap_sem_stats_compute(drawn, x, grp, N, &err), VAGAP_OK);
  vagap_sem_fit_options_t fopt;
  vagap_sem_fit_options_init(&fopt);
  vagap_sem_fit_t *fit;
  assert_int_equal(vagap_sem_fit(&fit, s.model, full, &fopt, &err), VAGAP_OK);
  fopt.compute = VAGAP_SEM_COMPUTE_ESTIMATES;
  for (int budget = 2; budget <= 10000; budget += 9998) { /* two evaluations, then the default */
    fopt.max_iter = budget;
    sem_resample_t *r;
    const vagap_sem_fit_t *out;
    assert_int_equal(sem_resample_alloc(&r, s.model, full, &fopt, fit->x, &err), VAGAP_OK);
    assert_non_null(r);
    vagap_status_t st = sem_resample_fit(r, drawn, &out, &err);
    if (budget == 2) assert_int_not_equal(st, VAGAP_OK);
    else assert_int_equal(st, VAGAP_OK);
    sem_resample_free(r);
  }
  vagap_sem_fit_free(fit);
  vagap_sem_stats_free(full);
  vagap_sem_stats_free(drawn);
  sample_teardown(&s);
}

/* The weighted moments of a resample equal those of its copied rows, also far from 0. */
static void test_resample_moments(void **state) {
  (void)state;
  sample_t s;
  sample_setup(&s, 3, 200, 0.5, 1e6, "x1 ~ x2\n", 0);
  size_t N = s.d.nobs, idx[600], order[600], start[4] = {0, 200, 400, 600}, rows[600], grp[600];
  double count[600] = {0}, scratch[600], x[600 * 6];
  vagap_error_t err;
  for (size_t i = 0; i < N; i++) order[i] = i;
  assert_int_equal(vagap_sem_boot_resample(&s.d, 5, 2, idx, &err), VAGAP_OK);
  vagap_sem_stats_t *a, *b;
  assert_int_equal(vagap_sem_stats_alloc(&a, 3, 6, VARS, (const char *const *)LABELS, &err), VAGAP_OK);
  assert_int_equal(vagap_sem_stats_alloc(&b, 3, 6, VARS, (const char *const *)LABELS, &err), VAGAP_OK);
  for (size_t i = 0; i < N; i++) {
    memcpy(x + i * 6, s.x + idx[i] * 6, 6 * sizeof *x);
    grp[i] = s.g[idx[i]];
  }
  assert_int_equal(vagap_sem_stats_compute(a, x, grp, N, &err), VAGAP_OK);
  /* the rows centred at the full sample's group means (b's room holds them first) */
  assert_int_equal(vagap_sem_stats_compute(b, s.x, s.g, N, &err), VAGAP_OK);
  double shift[3 * 6];
  memcpy(shift, b->mean, sizeof shift);
  sem_centred_t cz;
  assert_int_equal(sem_resample_centre(&cz, &s.d, shift), VAGAP_OK);
  assert_int_equal(sem_resample_moments(b, &s.d, &cz, idx, order, start, count, rows, scratch, &err), VAGAP_OK);
  for (size_t k = 0; k < N; k++) assert_true(count[k] == 0); /* left zero for the next resample */
  for (size_t g = 0; g < 3; g++) {
    assert_true(a->n[g] == b->n[g]);
    for (size_t j = 0; j < 6; j++) assert_true(fabs(a->mean[g * 6 + j] - b->mean[g * 6 + j]) < 1e-15 * 1e6);
    for (size_t i = 0; i < 6; i++)
      for (size_t j = 0; j < 6; j++) {
        double ai = a->cov[g * 36 + i * 6 + i], aj = a->cov[g * 36 + j * 6 + j];
        assert_true(fabs(a->cov[g * 36 + i * 6 + j] - b->cov[g * 36 + i * 6 + j]) < 1e-9 * sqrt(ai * aj));
        assert_true(b->cov[g * 36 + i * 6 + j] == b->cov[g * 36 + j * 6 + i]);
      }
  }
  /* a missing value among the drawn rows is left to the full path, which reports it */
  s.x[idx[0] * 6 + 2] = NAN;
  sem_resample_centred_free(&cz);
  assert_int_equal(sem_resample_centre(&cz, &s.d, shift), VAGAP_OK);
  assert_int_equal(sem_resample_moments(b, &s.d, &cz, idx, order, start, count, rows, scratch, &err), VAGAP_EDATA);
  sem_resample_centred_free(&cz);
  vagap_sem_stats_free(a);
  vagap_sem_stats_free(b);
  sample_teardown(&s);
}

/*
 * A two-group chain x -> x2 -> x3 (lavaan's y ~ x; z ~ y, fixed.x), 150 rows a group:
 * the fast refit fits every resample, and where the full path fits one too the two agree.
 * The full path may fail some (sem_fit_from's plain L-BFGS takes NLopt's NLOPT_FAILURE
 * at the optimum its scoring warm start reached for no solution; doc/methods.md,
 * "Bootstrap"): the fast refit must not copy that.
 */
static void test_fast_refit_path_model(void **state) {
  (void)state;
  enum { N = 300, B = 300 };
  double *x = malloc(N * 3 * sizeof *x);
  size_t *g = malloc(N * sizeof *g);
  unsigned seed = 77;
  for (size_t i = 0; i < N; i++) {
    g[i] = i % 2;
    double a = lcg_normal(&seed), b = 0.5 * a + 0.3 * lcg_normal(&seed), c = 0.4 * b + 0.3 * lcg_normal(&seed);
    x[i * 3] = a, x[i * 3 + 1] = b, x[i * 3 + 2] = c;
  }
  for (size_t k = 0; k < 2; k++) {
    snprintf(LABEL_ROOM[k], sizeof LABEL_ROOM[k], "g%zu", k + 1);
    LABELS[k] = LABEL_ROOM[k];
  }
  sample_t s = {x, g, {N, 3, 2, x, g, VARS, (const char *const *)LABELS}, NULL};
  vagap_error_t err;
  vagap_sem_syntax_t *syn;
  assert_int_equal(vagap_sem_syntax_parse(&syn, "x2 ~ x1\nx3 ~ x2\n", "m", &err), VAGAP_OK);
  vagap_sem_model_options_t mopt;
  vagap_sem_model_options_init(&mopt);
  assert_int_equal(vagap_sem_model_build(&s.model, syn, 2, &mopt, "m", &err), VAGAP_OK);
  vagap_sem_syntax_free(syn);
  size_t nfb = 0;
  vagap_sem_boot_t *full = boot(&s, B, 1, NULL), *fast = boot(&s, B, 0, &nfb);
  assert_int_equal(fast->nok, B);
  assert_int_equal(nfb, 0);
  double worst = 0;
  for (size_t i = 0; i < B * full->nrows; i++) {
    if (!full->ok[i / full->nrows]) continue;
    double e = fabs(full->est[i] - fast->est[i]);
    assert_true(e < 1e-6 * (1 + fabs(full->est[i])));
    if (e > worst) worst = e;
  }
  fprintf(stderr, "path model: the full path fits %zu of %d resamples, the fast refit all; largest estimate "
          "difference %.3g\n", full->nok, B, worst);
  /* the full path fits them all too since plain L-BFGS accepts NLopt's FAILURE stop at the
     warm start's optimum (it failed 1 of these 300, 6 of 300 with the program's seed 5) */
  assert_int_equal(full->nok, B);
  vagap_sem_boot_free(full);
  vagap_sem_boot_free(fast);
  sample_teardown(&s);
}

/* The intercepts concentrated out by a refit of s's model (allocated at its own full-sample fit). */
static size_t concentrated(const sample_t *s) {
  vagap_error_t err;
  vagap_sem_stats_t *st;
  assert_int_equal(vagap_sem_stats_alloc(&st, s->d.ngroups, 6, VARS, (const char *const *)LABELS, &err), VAGAP_OK);
  assert_int_equal(vagap_sem_stats_compute(st, s->x, s->g, s->d.nobs, &err), VAGAP_OK);
  vagap_sem_fit_options_t fopt;
  vagap_sem_fit_options_init(&fopt);
  fopt.compute = VAGAP_SEM_COMPUTE_ESTIMATES;
  vagap_sem_fit_t *fit;
  assert_int_equal(vagap_sem_fit(&fit, s->model, st, &fopt, &err), VAGAP_OK);
  sem_resample_t *r;
  assert_int_equal(sem_resample_alloc(&r, s->model, st, &fopt, fit->x, &err), VAGAP_OK);
  assert_non_null(r);
  size_t n = sem_resample_concentrated(r);
  sem_resample_free(r);
  vagap_sem_fit_free(fit);
  vagap_sem_stats_free(st);
  return n;
}

/*
 * Saturated means are concentrated out (every observed intercept free and its own, latent
 * means fixed at 0, no path from an observed variable) and only then; either way the refit
 * agrees with the full path.  Equal intercepts (group.equal, whose latent means are then
 * free, or one intercept labelled alike in all groups), a fixed intercept and a
 * regression on an observed variable are not saturated that way.
 */
static void test_saturated_means_concentrated(void **state) {
  (void)state;
  static const struct {
    const char *model;
    unsigned equal;
    size_t expect;
  } cases[] = {{"f1 =~ x1 + x2 + x3\nf2 =~ x4 + x5 + x6\nf2 ~ f1\n", VAGAP_SEM_EQ_LOADINGS, 18},
               {"f1 =~ x1 + x2 + x3\nf2 =~ x4 + x5 + x6\n", VAGAP_SEM_EQ_LOADINGS | VAGAP_SEM_EQ_INTERCEPTS, 0},
               {"f1 =~ x1 + x2 + x3\nf2 =~ x4 + x5\nf2 ~ x6\n", 0, 0},
               {"f1 =~ x1 + x2 + x3\nf2 =~ x4 + x5 + x6\nx1 ~ 0.5 * 1\n", 0, 0},
               {"f1 =~ x1 + x2 + x3\nf2 =~ x4 + x5 + x6\nx1 ~ c(i, i, i) * 1\n", 0, 0}};
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    sample_t s;
    sample_setup(&s, 3, 200, 0.5, 0, cases[c].model, 0);
    vagap_sem_model_free(s.model);
    vagap_sem_syntax_t *syn;
    vagap_error_t err;
    assert_int_equal(vagap_sem_syntax_parse(&syn, cases[c].model, "m", &err), VAGAP_OK);
    vagap_sem_model_options_t mopt;
    vagap_sem_model_options_init(&mopt);
    mopt.group_equal = cases[c].equal;
    assert_int_equal(vagap_sem_model_build(&s.model, syn, 3, &mopt, "m", &err), VAGAP_OK);
    vagap_sem_syntax_free(syn);
    assert_int_equal(concentrated(&s), cases[c].expect);
    size_t nfb = 0;
    vagap_sem_boot_t *full = boot(&s, 30, 1, NULL), *fast = boot(&s, 30, 0, &nfb);
    double worst = assert_same_resamples(full, fast, 1e-6);
    fprintf(stderr, "means case %zu: %zu intercepts concentrated out, %zu of 30 resamples by the full path, largest "
            "estimate difference %.3g\n", c, cases[c].expect, nfb, worst);
    assert_int_equal(fast->nok, 30);
    vagap_sem_boot_free(full);
    vagap_sem_boot_free(fast);
    sample_teardown(&s);
  }
}

/* Estimates only: no vcov at all (NULL), SEs NAN, estimates those of a full fit. */
static void test_estimates_only_has_no_vcov(void **state) {
  (void)state;
  sample_t s;
  sample_setup(&s, 2, 150, 0.5, 0, TWO_FACTORS, 0);
  vagap_sem_stats_t *st;
  vagap_error_t err;
  assert_int_equal(vagap_sem_stats_alloc(&st, 2, 6, VARS, (const char *const *)LABELS, &err), VAGAP_OK);
  assert_int_equal(vagap_sem_stats_compute(st, s.x, s.g, s.d.nobs, &err), VAGAP_OK);
  vagap_sem_fit_options_t fopt;
  vagap_sem_fit_options_init(&fopt);
  vagap_sem_fit_t *all, *est;
  assert_int_equal(vagap_sem_fit(&all, s.model, st, &fopt, &err), VAGAP_OK);
  fopt.compute = VAGAP_SEM_COMPUTE_ESTIMATES;
  assert_int_equal(vagap_sem_fit(&est, s.model, st, &fopt, &err), VAGAP_OK);
  assert_non_null(all->vcov);
  assert_null(est->vcov);
  for (size_t r = 0; r < est->model->nrows; r++) {
    const vagap_sem_param_t *row = &est->model->rows[r];
    assert_true(row->est == all->model->rows[r].est);
    if (row->free) assert_true(isnan(row->se) && isnan(row->pvalue));
  }
  vagap_sem_fit_free(all);
  vagap_sem_fit_free(est);
  vagap_sem_stats_free(st);
  sample_teardown(&s);
}

int main(void) {
  vagap_init();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fast_refit_equal_loadings), cmocka_unit_test(test_fast_refit_heywood),
      cmocka_unit_test(test_fast_refit_failures),       cmocka_unit_test(test_fast_refit_many_parameters),
      cmocka_unit_test(test_fast_refit_honours_the_budget),
      cmocka_unit_test(test_resample_moments),
      cmocka_unit_test(test_fast_refit_path_model),
      cmocka_unit_test(test_saturated_means_concentrated),
      cmocka_unit_test(test_estimates_only_has_no_vcov),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
