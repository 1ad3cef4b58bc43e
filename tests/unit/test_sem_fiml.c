/* Tests of FIML (sem_fiml.c) and the observed information (sem_hessian.c, sem_fiml.c):
   identities that must hold whatever lavaan prints. */
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

static const char *const VARS[] = {"x1", "x2", "x3", "x4", "x5", "x6"};
enum { P = 6 };

static vagap_sem_model_t *build(const char *text, size_t ngroups) {
  vagap_sem_syntax_t *syn = NULL;
  vagap_sem_model_t *m = NULL;
  vagap_error_t err;
  vagap_sem_model_options_t opt;
  vagap_sem_model_options_init(&opt);
  opt.meanstructure = 1;
  assert_int_equal(vagap_sem_syntax_parse(&syn, text, "m", &err), VAGAP_OK);
  assert_int_equal(vagap_sem_model_build(&m, syn, ngroups, &opt, "m", &err), VAGAP_OK);
  vagap_sem_syntax_free(syn);
  return m;
}

static double unif(unsigned *s) {
  *s = *s * 1103515245u + 12345u;
  return ((*s >> 8) + 0.5) / 16777216.0;
}

/* Deterministic two-factor pseudo-data; with holes when `holes` (about 12%, one row empty). */
static double *make_data(size_t n, unsigned seed, int holes) {
  double *x = malloc(n * P * sizeof *x);
  unsigned s = seed;
  for (size_t i = 0; i < n; i++) {
    double z[2];
    for (int k = 0; k < 2; k++) {
      double u1 = unif(&s), u2 = unif(&s);
      z[k] = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
    }
    z[1] += 0.5 * z[0];
    for (size_t j = 0; j < P; j++) {
      double u1 = unif(&s), u2 = unif(&s);
      double e = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
      x[i * P + j] = 0.2 * (double)j + (0.7 + 0.1 * (double)j) * z[j / 3] + 0.6 * e;
      if (holes && unif(&s) < 0.12) x[i * P + j] = NAN;
    }
  }
  if (holes)
    for (size_t j = 0; j < P; j++) x[3 * P + j] = NAN;
  return x;
}

static const char MODEL[] = "f =~ x1 + x2 + x3\ng =~ x4 + x5 + x6\n";

/* Complete data: FIML is ML (same estimates, chi-square, log-likelihoods, baseline),
   and FIML's expected information is the complete-data one (same SEs). */
static void test_complete_data_fiml_is_ml(void **state) {
  (void)state;
  size_t n = 150, grp[150] = {0};
  double *x = make_data(n, 7u, 0);
  vagap_sem_model_t *m = build(MODEL, 1);
  vagap_error_t err;
  vagap_sem_stats_t *s = NULL;
  assert_int_equal(vagap_sem_stats_alloc(&s, 1, P, VARS, NULL, &err), VAGAP_OK);
  assert_int_equal(vagap_sem_stats_compute(s, x, grp, n, &err), VAGAP_OK);
  vagap_sem_fit_options_t o;
  vagap_sem_fit_options_init(&o);
  vagap_sem_fit_t *ml = NULL, *fiml = NULL;
  assert_int_equal(vagap_sem_fit(&ml, m, s, &o, &err), VAGAP_OK);
  const char *labels[] = {"1"};
  vagap_sem_data_t d = {n, P, 1, x, grp, VARS, labels};
  o.missing = VAGAP_SEM_MISSING_ML;
  o.information = VAGAP_SEM_INFORMATION_EXPECTED;
  assert_int_equal(vagap_sem_fit_data(&fiml, m, &d, &o, &err), VAGAP_OK);
  for (size_t r = 0; r < m->nrows; r++) {
    assert_true(fabs(ml->model->rows[r].est - fiml->model->rows[r].est) < 1e-7);
    assert_true(fabs(ml->model->rows[r].se - fiml->model->rows[r].se) < 1e-7);
  }
  assert_true(fabs(ml->fit.chisq - fiml->fit.chisq) < 1e-7 * fmax(1, ml->fit.chisq));
  assert_true(fabs(ml->fit.logl - fiml->fit.logl) < 1e-7);
  assert_true(fabs(ml->fit.unrestricted_logl - fiml->fit.unrestricted_logl) < 1e-7);
  assert_true(fabs(ml->fit.baseline_chisq - fiml->fit.baseline_chisq) < 1e-7 * ml->fit.baseline_chisq);
  assert_true(fabs(ml->fit.srmr - fiml->fit.srmr) < 1e-9);
  vagap_sem_fit_free(ml);
  vagap_sem_fit_free(fiml);
  vagap_sem_stats_free(s);
  vagap_sem_model_free(m);
  free(x);
}

/* Casewise scores add up to -N dF/dtheta; at the EM moments the moment scores add up
   to about zero (EM's tolerance); the observed information is symmetric and close to
   central differences of the gradient. */
static void test_scores_and_hessian(void **state) {
  (void)state;
  size_t n = 240, grp[240];
  for (size_t i = 0; i < n; i++) grp[i] = i < 130 ? 0 : 1;
  double *x = make_data(n, 11u, 1);
  vagap_sem_model_t *m = build(MODEL, 2);
  const char *labels[] = {"a", "b"};
  vagap_sem_data_t d = {n, P, 2, x, grp, VARS, labels};
  vagap_error_t err;
  sem_fiml_t *f = NULL;
  assert_int_equal(sem_fiml_alloc(&f, m, &d, 0, &err), VAGAP_OK);
  assert_int_equal(sem_fiml_nrows(f), n - 1); /* the empty row is skipped */
  assert_true(sem_fiml_row_index(f, 3) == 4);
  assert_true(sem_fiml_npatterns(f, 0) > 5);
  sem_ws_t *ws = NULL;
  assert_int_equal(sem_ws_alloc(&ws, m, sem_fiml_h1_stats(f), VAGAP_SEM_LIKELIHOOD_NORMAL, &err), VAGAP_OK);
  sem_fit_hooks_t h = sem_fiml_hooks(f);
  sem_ws_set_discrepancy(ws, &h.disc);
  size_t K = m->npar, N = n - 1;
  double *th = malloc(K * sizeof *th), *g = malloc(K * sizeof *g), *sc = malloc(N * K * sizeof *sc);
  sem_ws_start(ws, th, 0);
  for (size_t k = 0; k < K; k++) th[k] += 0.03 * sin((double)k + 2);
  assert_true(isfinite(sem_ws_objective(ws, th, g)));
  assert_int_equal(sem_fiml_scores(f, ws, th, sc, &err), VAGAP_OK);
  for (size_t k = 0; k < K; k++) {
    double sum = 0;
    for (size_t i = 0; i < N; i++) sum += sc[i * K + k];
    assert_true(fabs(sum + (double)N * g[k]) <= 1e-8 * fmax(1, fabs(sum)));
  }
  /* moment scores at the EM moments of group 0 */
  const vagap_sem_stats_t *h1 = sem_fiml_h1_stats(f);
  gsl_matrix_const_view S = gsl_matrix_const_view_array(h1->cov, P, P);
  gsl_vector_const_view mu = gsl_vector_const_view_array(h1->mean, P);
  size_t nv = P + P * (P + 1) / 2, n0 = (size_t)h1->n[0];
  double *ms = malloc(n0 * nv * sizeof *ms);
  assert_int_equal(sem_fiml_moment_scores(f, 0, &S.matrix, &mu.vector, ms, &err), VAGAP_OK);
  for (size_t c = 0; c < nv; c++) {
    double sum = 0;
    for (size_t i = 0; i < n0; i++) sum += ms[i * nv + c];
    assert_true(fabs(sum) < 1e-3 * (double)n0);
  }
  /* Hessian: symmetric, and column k close to central differences with a larger step */
  gsl_matrix *H = gsl_matrix_alloc(K, K);
  assert_int_equal(sem_ws_hessian(ws, th, H, &err), VAGAP_OK);
  double *gp = malloc(K * sizeof *gp), *gm = malloc(K * sizeof *gm);
  for (size_t k = 0; k < K; k += 3) {
    double hk = 1e-4, keep = th[k];
    th[k] = keep + hk;
    sem_ws_objective(ws, th, gp);
    th[k] = keep - hk;
    sem_ws_objective(ws, th, gm);
    th[k] = keep;
    for (size_t i = 0; i < K; i++) {
      double fd = (gp[i] - gm[i]) / (2 * hk);
      assert_true(fabs(fd - gsl_matrix_get(H, i, k)) <= 1e-5 * fmax(1, fabs(fd)));
      assert_true(gsl_matrix_get(H, i, k) == gsl_matrix_get(H, k, i));
    }
  }
  /* FIML's observed information by the chain rule (analytic h1 Hessian + the model's
     second derivatives) is lavaan's 4-point differences of the whole gradient, away from
     the optimum too (where the second-derivative term is not small) */
  gsl_matrix *Hc = gsl_matrix_alloc(K, K);
  assert_int_equal(sem_fiml_observed_information(f, ws, th, Hc, &err), VAGAP_OK);
  double worst = 0;
  for (size_t i = 0; i < K; i++)
    for (size_t j = 0; j < K; j++) {
      double a = gsl_matrix_get(Hc, i, j), b = gsl_matrix_get(H, i, j);
      double scale = sqrt(fabs(gsl_matrix_get(H, i, i) * gsl_matrix_get(H, j, j)));
      worst = fmax(worst, fabs(a - b) / scale);
      assert_true(a == gsl_matrix_get(Hc, j, i));
    }
  assert_true(worst < 1e-7);
  gsl_matrix_free(Hc);
  gsl_matrix_free(H);
  free(gp); free(gm); free(ms); free(th); free(g); free(sc);
  sem_ws_free(ws);
  sem_fiml_free(f);
  vagap_sem_model_free(m);
  free(x);
}

/* The observed h1 information (sem_fiml_h1_information) is minus the derivative of the
   summed casewise h1 scores over n_g, by central differences, at a point that is not the
   EM optimum (the data terms matter there); its expectation is symmetric too. */
static void test_h1_observed_information(void **state) {
  (void)state;
  size_t n = 200, grp[200];
  for (size_t i = 0; i < n; i++) grp[i] = 0;
  double *x = make_data(n, 13u, 1);
  vagap_sem_model_t *m = build(MODEL, 1);
  const char *labels[] = {"a"};
  vagap_sem_data_t d = {n, P, 1, x, grp, VARS, labels};
  vagap_error_t err;
  sem_fiml_t *f = NULL;
  assert_int_equal(sem_fiml_alloc(&f, m, &d, 0, &err), VAGAP_OK);
  const vagap_sem_stats_t *h1 = sem_fiml_h1_stats(f);
  size_t nv = P + P * (P + 1) / 2, n0 = sem_fiml_group_rows(f, 0);
  gsl_matrix *Sig = gsl_matrix_alloc(P, P);
  gsl_vector *mu = gsl_vector_alloc(P);
  for (size_t i = 0; i < P; i++) {
    gsl_vector_set(mu, i, h1->mean[i] + 0.1 * sin((double)i));
    for (size_t j = 0; j < P; j++) gsl_matrix_set(Sig, i, j, h1->cov[i * P + j] * (i == j ? 1.1 : 0.95));
  }
  double *A = malloc(nv * nv * sizeof *A), *Ae = malloc(nv * nv * sizeof *Ae), *sp = malloc(n0 * nv * sizeof *sp),
         *sm = malloc(n0 * nv * sizeof *sm);
  assert_int_equal(sem_fiml_h1_information(f, 0, Sig, mu, 0, A, &err), VAGAP_OK);
  assert_int_equal(sem_fiml_h1_information(f, 0, Sig, mu, 1, Ae, &err), VAGAP_OK);
  /* perturb h1 element k: a mean, or Sigma's (i, j) and (j, i) together (vech, counted once) */
  for (size_t k = 0; k < nv; k++) {
    double h = 1e-5;
    size_t i = k, j = k;
    if (k >= P) {
      size_t a = k - P;
      for (j = 0; j < P; j++) {
        if (a < P - j) { i = j + a; break; }
        a -= P - j;
      }
    }
    for (int sgn = 1; sgn >= -1; sgn -= 2) {
      if (k < P) *gsl_vector_ptr(mu, i) += sgn * h;
      else {
        *gsl_matrix_ptr(Sig, i, j) += sgn * h;
        if (i != j) *gsl_matrix_ptr(Sig, j, i) += sgn * h;
      }
      assert_int_equal(sem_fiml_moment_scores(f, 0, Sig, mu, sgn > 0 ? sp : sm, &err), VAGAP_OK);
      if (k < P) *gsl_vector_ptr(mu, i) -= sgn * h;
      else {
        *gsl_matrix_ptr(Sig, i, j) -= sgn * h;
        if (i != j) *gsl_matrix_ptr(Sig, j, i) -= sgn * h;
      }
    }
    for (size_t c = 0; c < nv; c++) {
      double dsum = 0;
      for (size_t r = 0; r < n0; r++) dsum += sp[r * nv + c] - sm[r * nv + c];
      double fd = -dsum / (2 * h) / (double)n0;
      assert_true(fabs(fd - A[c * nv + k]) <= 1e-6 * fmax(1, fabs(fd)));
      assert_true(A[c * nv + k] == A[k * nv + c] && Ae[c * nv + k] == Ae[k * nv + c]);
    }
  }
  free(A); free(Ae); free(sp); free(sm);
  gsl_matrix_free(Sig);
  gsl_vector_free(mu);
  sem_fiml_free(f);
  vagap_sem_model_free(m);
  free(x);
}

/* Bad input: a variable missing in a whole group, a group of one row, a missing
   fixed.x covariate under ml (lavaan deletes the row; the caller must). */
static void test_bad_input(void **state) {
  (void)state;
  size_t n = 40, grp[40];
  for (size_t i = 0; i < n; i++) grp[i] = i < 20 ? 0 : 1;
  double *x = make_data(n, 5u, 0);
  vagap_sem_model_t *m = build(MODEL, 2);
  const char *labels[] = {"a", "b"};
  vagap_sem_data_t d = {n, P, 2, x, grp, VARS, labels};
  vagap_error_t err;
  sem_fiml_t *f = NULL;
  for (size_t i = 20; i < n; i++) x[i * P + 4] = NAN;
  assert_int_equal(sem_fiml_alloc(&f, m, &d, 0, &err), VAGAP_EDATA);
  assert_non_null(strstr(err.message, "'x5' is missing in every row of group 'b'"));
  free(x);
  x = make_data(n, 5u, 0);
  d.x = x;
  for (size_t i = 0; i < n; i++) grp[i] = i < 39 ? 0 : 1;
  assert_int_equal(sem_fiml_alloc(&f, m, &d, 0, &err), VAGAP_EDATA);
  assert_non_null(strstr(err.message, "single observation"));
  vagap_sem_model_free(m);
  m = build("x4 ~ x1 + x2\n", 2);
  for (size_t i = 0; i < n; i++) grp[i] = i < 20 ? 0 : 1;
  x[7 * P + 1] = NAN;
  assert_int_equal(sem_fiml_alloc(&f, m, &d, 0, &err), VAGAP_EINVAL);
  assert_non_null(strstr(err.message, "covariate 'x2'"));
  assert_int_equal(sem_fiml_alloc(&f, m, &d, 1, &err), VAGAP_OK); /* ml.x keeps it */
  sem_fiml_free(f);
  vagap_sem_model_free(m);
  free(x);
}

/* vagap_sem_fit_options_t.compute: each level gives bit-identical estimates (and SEs
   from SE up, the test from TEST up) to a full fit, leaves what it did not compute
   NAN, and lists no fit measures below ALL; for FIML + MLR and complete-data MLR. */
static void check_levels(const vagap_sem_model_t *m, const vagap_sem_data_t *d, vagap_sem_fit_options_t o) {
  vagap_error_t err;
  vagap_sem_fit_t *full = NULL;
  o.compute = VAGAP_SEM_COMPUTE_ALL;
  assert_int_equal(vagap_sem_fit_data(&full, m, d, &o, &err), VAGAP_OK);
  assert_true(vagap_sem_fit_has_measures(full));
  assert_true(vagap_sem_fit_measure_list(full, NULL, 0) > 20);
  assert_true(isfinite(full->fit.cfi) && isfinite(full->fit.chisq_scaled) && isfinite(full->fit.cfi_robust));
  const vagap_sem_compute_t levels[] = {VAGAP_SEM_COMPUTE_ESTIMATES, VAGAP_SEM_COMPUTE_SE, VAGAP_SEM_COMPUTE_TEST};
  for (size_t l = 0; l < 3; l++) {
    vagap_sem_fit_t *f = NULL;
    o.compute = levels[l];
    assert_int_equal(vagap_sem_fit_data(&f, m, d, &o, &err), VAGAP_OK);
    assert_int_equal(f->options.compute, levels[l]);
    assert_false(vagap_sem_fit_has_measures(f));
    assert_int_equal(vagap_sem_fit_measure_list(f, NULL, 0), 0);
    for (size_t r = 0; r < m->nrows; r++) {
      const vagap_sem_param_t *a = &full->model->rows[r], *b = &f->model->rows[r];
      assert_true(a->est == b->est || (isnan(a->est) && isnan(b->est)));
      if (levels[l] == VAGAP_SEM_COMPUTE_ESTIMATES) {
        assert_int_equal(f->options.se, VAGAP_SEM_SE_NONE);
      } else if (a->free) {
        assert_true(a->se == b->se);
      }
    }
    int test = levels[l] == VAGAP_SEM_COMPUTE_TEST;
    assert_true(test ? f->fit.chisq == full->fit.chisq : isnan(f->fit.chisq));
    assert_true(test ? f->fit.chisq_group[0] == full->fit.chisq_group[0] : isnan(f->fit.chisq_group[0]));
    assert_true(test ? f->fit.chisq_scaled == full->fit.chisq_scaled : isnan(f->fit.chisq_scaled));
    const double never[] = {f->fit.cfi, f->fit.tli, f->fit.rmsea, f->fit.rmsea_ci_upper, f->fit.srmr,
                            f->fit.logl, f->fit.aic, f->fit.baseline_chisq, f->fit.gfi, f->fit.cfi_robust,
                            f->fit.rmsea_robust, f->fit.cfi_scaled, f->fit.baseline_chisq_scaled};
    for (size_t k = 0; k < sizeof never / sizeof never[0]; k++) assert_true(isnan(never[k]));
    vagap_sem_fit_free(f);
  }
  vagap_sem_fit_free(full);
}

static void test_compute_levels(void **state) {
  (void)state;
  size_t n = 240, grp[240];
  for (size_t i = 0; i < n; i++) grp[i] = i < 130 ? 0 : 1;
  vagap_sem_model_t *m = build(MODEL, 2);
  const char *labels[] = {"a", "b"};
  vagap_sem_fit_options_t o;
  vagap_sem_fit_options_init(&o);
  o.estimator = VAGAP_SEM_ESTIMATOR_MLR;
  double *holes = make_data(n, 11u, 1), *complete = make_data(n, 13u, 0);
  vagap_sem_data_t dh = {n, P, 2, holes, grp, VARS, labels}, dc = {n, P, 2, complete, grp, VARS, labels};
  o.missing = VAGAP_SEM_MISSING_ML;
  check_levels(m, &dh, o);
  o.missing = VAGAP_SEM_MISSING_LISTWISE;
  check_levels(m, &dc, o);
  free(holes);
  free(complete);
  vagap_sem_model_free(m);
}

/* The meat gathers each group's casewise scores in one pass over the rows: rows of the
   groups interleaved give the same estimates, SEs and scaled test, bit for bit, as the
   same rows sorted by group (each group's rows keep their order), with FIML and with
   complete data, three groups. */
static void test_groups_interleaved(void **state) {
  (void)state;
  enum { N = 270, G = 3 };
  size_t gi[N], gs[N];
  vagap_sem_model_t *m = build(MODEL, G);
  const char *labels[] = {"a", "b", "c"};
  for (int holes = 0; holes < 2; holes++) {
    double *xi = make_data(N, 17u + (unsigned)holes, holes), *xs = malloc(N * P * sizeof *xs);
    for (size_t i = 0; i < N; i++) gi[i] = (i * 7 + i / 5) % G; /* interleaved, unequal runs */
    size_t r = 0;
    for (size_t g = 0; g < G; g++)
      for (size_t i = 0; i < N; i++)
        if (gi[i] == g) {
          memcpy(xs + r * P, xi + i * P, P * sizeof *xs);
          gs[r++] = g;
        }
    vagap_sem_data_t di = {N, P, G, xi, gi, VARS, labels}, ds = {N, P, G, xs, gs, VARS, labels};
    vagap_sem_fit_options_t o;
    vagap_sem_fit_options_init(&o);
    o.estimator = VAGAP_SEM_ESTIMATOR_MLR;
    o.missing = holes ? VAGAP_SEM_MISSING_ML : VAGAP_SEM_MISSING_LISTWISE;
    vagap_error_t err;
    vagap_sem_fit_t *a = NULL, *b = NULL;
    assert_int_equal(vagap_sem_fit_data(&a, m, &di, &o, &err), VAGAP_OK);
    assert_int_equal(vagap_sem_fit_data(&b, m, &ds, &o, &err), VAGAP_OK);
    for (size_t q = 0; q < m->nrows; q++) {
      assert_true(a->model->rows[q].est == b->model->rows[q].est);
      assert_true(a->model->rows[q].se == b->model->rows[q].se ||
                  (isnan(a->model->rows[q].se) && isnan(b->model->rows[q].se)));
    }
    assert_true(isfinite(a->fit.chisq_scaled) && a->fit.chisq_scaled == b->fit.chisq_scaled);
    vagap_sem_fit_free(a);
    vagap_sem_fit_free(b);
    free(xi);
    free(xs);
  }
  vagap_sem_model_free(m);
}

/* lavaan's FIML data warnings (here: pairwise coverage below 10%) come with every fit that
   computes more than estimates, se = "none" included (lavaan raises them while reading the
   data); a fit asking for estimates only (compute = ESTIMATES, bootstrap resamples) has none. */
static void test_warnings_by_compute_level(void **state) {
  (void)state;
  enum { N = 200 };
  size_t grp[N] = {0};
  double *x = make_data(N, 23u, 0);
  for (size_t i = 10; i < N; i++) x[i * P + 1] = NAN; /* x2 seen in 10 rows: 5% coverage */
  vagap_sem_model_t *m = build(MODEL, 1);
  const char *labels[] = {"1"};
  vagap_sem_data_t d = {N, P, 1, x, grp, VARS, labels};
  const vagap_sem_se_t se[] = {VAGAP_SEM_SE_STANDARD, VAGAP_SEM_SE_NONE, VAGAP_SEM_SE_NONE};
  const vagap_sem_compute_t compute[] = {VAGAP_SEM_COMPUTE_SE, VAGAP_SEM_COMPUTE_SE, VAGAP_SEM_COMPUTE_ESTIMATES};
  for (size_t c = 0; c < 3; c++) {
    vagap_sem_fit_options_t o;
    vagap_sem_fit_options_init(&o);
    o.missing = VAGAP_SEM_MISSING_ML;
    o.se = se[c];
    o.compute = compute[c];
    vagap_error_t err;
    vagap_sem_fit_t *f = NULL;
    assert_int_equal(vagap_sem_fit_data(&f, m, &d, &o, &err), VAGAP_OK);
    size_t coverage = 0;
    for (size_t w = 0; w < f->nwarnings; w++) coverage += strstr(f->warnings[w], "less than 10% coverage") != NULL;
    assert_int_equal(coverage, compute[c] == VAGAP_SEM_COMPUTE_ESTIMATES ? 0 : 1);
    vagap_sem_fit_free(f);
  }
  vagap_sem_model_free(m);
  free(x);
}

int main(void) {
  vagap_init();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_complete_data_fiml_is_ml),
      cmocka_unit_test(test_scores_and_hessian),
      cmocka_unit_test(test_h1_observed_information),
      cmocka_unit_test(test_bad_input),
      cmocka_unit_test(test_compute_levels),
      cmocka_unit_test(test_groups_interleaved),
      cmocka_unit_test(test_warnings_by_compute_level),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
