/* Tests of the SEM fit: analytic gradient, closed-form solutions, statistics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>

#include "sem_internal.h"
#include "vagap/vagap.h"

static vagap_sem_model_t *build(const char *text, size_t ngroups, const vagap_sem_model_options_t *opt) {
  vagap_sem_syntax_t *syn = NULL;
  vagap_sem_model_t *m = NULL;
  vagap_error_t err;
  assert_int_equal(vagap_sem_syntax_parse(&syn, text, "m", &err), VAGAP_OK);
  vagap_status_t st = vagap_sem_model_build(&m, syn, ngroups, opt, "m", &err);
  if (st) fprintf(stderr, "%s\n", err.message);
  assert_int_equal(st, VAGAP_OK);
  vagap_sem_syntax_free(syn);
  return m;
}

/* Pseudo-data with a factor structure: deterministic, so the test is repeatable. */
static void make_data(double *x, size_t n, size_t p, unsigned seed, double shift) {
  unsigned s = seed;
  double z[4];
  for (size_t i = 0; i < n; i++) {
    for (int k = 0; k < 4; k++) {
      double u1, u2;
      s = s * 1103515245u + 12345u; u1 = ((s >> 8) + 0.5) / 16777216.0;
      s = s * 1103515245u + 12345u; u2 = ((s >> 8) + 0.5) / 16777216.0;
      z[k] = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
    }
    for (size_t j = 0; j < p; j++) {
      double u1, u2;
      s = s * 1103515245u + 12345u; u1 = ((s >> 8) + 0.5) / 16777216.0;
      s = s * 1103515245u + 12345u; u2 = ((s >> 8) + 0.5) / 16777216.0;
      double e = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
      x[i * p + j] = shift + (0.6 + 0.1 * (double)j) * z[j % 3] + 0.3 * z[3] + 0.8 * e;
    }
  }
}

static vagap_sem_stats_t *stats_for(const char *const *vars, size_t p, size_t ngroups, size_t n) {
  vagap_sem_stats_t *s = NULL;
  vagap_error_t err;
  assert_int_equal(vagap_sem_stats_alloc(&s, ngroups, p, vars, NULL, &err), VAGAP_OK);
  double *x = malloc(n * ngroups * p * sizeof *x);
  size_t *g = malloc(n * ngroups * sizeof *g);
  for (size_t k = 0; k < ngroups; k++) {
    make_data(x + k * n * p, n, p, 17u + 31u * (unsigned)k, 0.3 * (double)k);
    for (size_t i = 0; i < n; i++) g[k * n + i] = k;
  }
  assert_int_equal(vagap_sem_stats_compute(s, x, g, n * ngroups, &err), VAGAP_OK);
  free(x);
  free(g);
  return s;
}

/* Two groups of 200 rows of x1..x6, z, and model options with equal loadings. */
static vagap_sem_stats_t *two_groups_equal_loadings(vagap_sem_model_options_t *opt) {
  static const char *const vars[] = {"x1", "x2", "x3", "x4", "x5", "x6", "z"};
  vagap_sem_model_options_init(opt);
  opt->group_equal = VAGAP_SEM_EQ_LOADINGS;
  return stats_for(vars, 7, 2, 200);
}

static void test_gradient_matches_finite_differences(void **state) {
  (void)state;
  vagap_sem_model_options_t opt;
  vagap_sem_stats_t *s = two_groups_equal_loadings(&opt);
  vagap_sem_model_t *m = build("f =~ x1 + x2 + x3\ng =~ x4 + c(l5, l5)*x5 + x6\n"
                               "g ~ f + z\nx1 ~~ x4\nx2 ~ c(0, NA)*1\n", 2, &opt);
  sem_ws_t *ws = NULL;
  vagap_error_t err;
  assert_int_equal(sem_ws_alloc(&ws, m, s, VAGAP_SEM_LIKELIHOOD_NORMAL, &err), VAGAP_OK);
  size_t K = m->npar;
  double *x = malloc(K * sizeof *x), *g = malloc(K * sizeof *g), *xp = malloc(K * sizeof *xp);
  sem_ws_start(ws, x, 0);
  for (size_t k = 0; k < K; k++) x[k] += 0.05 * sin((double)k + 1); /* away from any optimum */
  double F = sem_ws_objective(ws, x, g);
  assert_true(isfinite(F) && F > 0);
  for (size_t k = 0; k < K; k++) {
    double h = 1e-6 * fmax(1, fabs(x[k]));
    memcpy(xp, x, K * sizeof *x);
    xp[k] = x[k] + h;
    double fp = sem_ws_objective(ws, xp, NULL);
    xp[k] = x[k] - h;
    double fm = sem_ws_objective(ws, xp, NULL);
    double fd = (fp - fm) / (2 * h);
    if (fabs(fd - g[k]) > 1e-6 * fmax(1, fabs(fd))) fprintf(stderr, "k=%zu analytic %g numeric %g\n", k, g[k], fd);
    assert_true(fabs(fd - g[k]) <= 1e-6 * fmax(1, fabs(fd)));
  }
  /* a non-positive-definite implied covariance is +infinity, not an error */
  for (size_t r = 0; r < m->nrows; r++)
    if (m->rows[r].free && m->rows[r].op == VAGAP_SEM_COVARIANCE && !strcmp(m->rows[r].lhs, "x1"))
      x[m->rows[r].free - 1] = -50;
  assert_true(isinf(sem_ws_objective(ws, x, NULL)));
  free(x);
  free(g);
  free(xp);
  sem_ws_free(ws);
  vagap_sem_model_free(m);
  vagap_sem_stats_free(s);
}

/* Largest |a - b| / (1 + |b|) over n entries. */
static double max_gap(const double *a, const double *b, size_t n) {
  double m = 0;
  for (size_t i = 0; i < n; i++) m = fmax(m, fabs(a[i] - b[i]) / (1 + fabs(b[i])));
  return m;
}

static double matrix_gap(const gsl_matrix *a, const gsl_matrix *b) {
  double m = 0;
  for (size_t i = 0; i < a->size1; i++) m = fmax(m, max_gap(a->data + i * a->tda, b->data + i * b->tda, a->size2));
  return m;
}

/*
 * F, its gradient, SigInv and N (which holds Omega) of the low-rank (Woodbury) form
 * against the dense path at the start values, points around them and the optimum;
 * returns the largest gap and counts the points where the two differ at all (*differ).
 */
static double lowrank_gap(const vagap_sem_model_t *m, const vagap_sem_stats_t *s, size_t expect_groups,
                          size_t *differ) {
  sem_ws_t *dense = NULL, *low = NULL;
  vagap_error_t err;
  assert_int_equal(sem_ws_alloc(&dense, m, s, VAGAP_SEM_LIKELIHOOD_NORMAL, &err), VAGAP_OK);
  assert_int_equal(sem_ws_alloc(&low, m, s, VAGAP_SEM_LIKELIHOOD_NORMAL, &err), VAGAP_OK);
  assert_int_equal(sem_ws_lowrank(low, 1), (int)expect_groups);
  size_t K = m->npar;
  double *x0 = malloc(K * sizeof *x0), *x = malloc(K * sizeof *x), *gd = malloc(K * sizeof *gd),
         *gl = malloc(K * sizeof *gl), gap = 0;
  sem_ws_start(dense, x0, 0);
  vagap_sem_fit_t *fit = NULL;
  vagap_status_t st = vagap_sem_fit(&fit, m, s, NULL, &err);
  if (st) fprintf(stderr, "%s\n", err.message);
  assert_int_equal(st, VAGAP_OK);
  *differ = 0;
  for (int pt = 0; pt < 8; pt++) {
    for (size_t k = 0; k < K; k++)
      x[k] = pt == 7 ? fit->x[k] : x0[k] + 0.04 * pt * sin((double)(k + 1) * (pt + 1));
    double Fd = sem_ws_objective(dense, x, gd), Fl = sem_ws_objective(low, x, gl);
    assert_true(isfinite(Fd) && isfinite(Fl));
    assert_true(Fl == sem_ws_objective(low, x, NULL)); /* F alone is F of the gradient's evaluation */
    double g = fmax(fabs(Fl - Fd) / fabs(Fd), max_gap(gl, gd, K));
    for (size_t grp = 0; grp < m->ngroups; grp++) {
      sem_ram_t rd, rl;
      assert_int_equal(sem_ws_ram(dense, grp, &rd), 0);
      assert_int_equal(sem_ws_ram(low, grp, &rl), 0);
      g = fmax(g, fmax(matrix_gap(rl.SigInv, rd.SigInv), matrix_gap(rl.N, rd.N)));
    }
    *differ += g > 0;
    gap = fmax(gap, g);
  }
  vagap_sem_fit_free(fit);
  free(x0);
  free(x);
  free(gd);
  free(gl);
  sem_ws_free(dense);
  sem_ws_free(low);
  return gap;
}

/*
 * x1's residual variance shrunk step by step towards 1e-5 of its start: as it shrinks
 * Sigma grows ill-conditioned and both paths lose digits (the gradient's gap grows like
 * eps Sigma_11^2 / theta^2: 1e-13 at theta = 0.05 Sigma_11, 1.3e-10 at 0.0015), so below
 * LOWRANK_MIN_UNIQUE the group takes the dense path: the gap stays below 1e-11 and at
 * the last points F and the gradient are the dense path's to the bit.
 */
static void lowrank_falls_back(const vagap_sem_model_t *m, const vagap_sem_stats_t *s) {
  sem_ws_t *dense = NULL, *low = NULL;
  vagap_error_t err;
  assert_int_equal(sem_ws_alloc(&dense, m, s, VAGAP_SEM_LIKELIHOOD_NORMAL, &err), VAGAP_OK);
  assert_int_equal(sem_ws_alloc(&low, m, s, VAGAP_SEM_LIKELIHOOD_NORMAL, &err), VAGAP_OK);
  sem_ws_lowrank(low, 1);
  size_t K = m->npar, tiny = 0, differ = 0;
  double *x = malloc(K * sizeof *x), *gd = malloc(K * sizeof *gd), *gl = malloc(K * sizeof *gl), gap = 0;
  sem_ws_start(dense, x, 0);
  for (int step = 0; step < 17; step++) {
    for (size_t r = 0; r < m->nrows; r++)
      if (m->rows[r].free && m->rows[r].op == VAGAP_SEM_COVARIANCE && !strcmp(m->rows[r].lhs, "x1") &&
          !strcmp(m->rows[r].rhs, "x1")) {
        x[m->rows[r].free - 1] *= 0.5;
        tiny += step == 0;
      }
    double Fd = sem_ws_objective(dense, x, gd), Fl = sem_ws_objective(low, x, gl);
    assert_true(isfinite(Fd) && isfinite(Fl));
    double g = fmax(fabs(Fl - Fd) / fabs(Fd), max_gap(gl, gd, K));
    differ += g > 0;
    gap = fmax(gap, g);
    if (step == 16) { /* 1.5e-5 of the start */
      assert_true(Fl == Fd);
      assert_memory_equal(gl, gd, K * sizeof *gd);
    }
  }
  fprintf(stderr, "lowrank shrinking theta: gap %.3g, %zu of 17 points differ\n", gap, differ);
  assert_int_equal(tiny, m->ngroups);
  assert_true(differ > 0 && differ < 17 && gap < 1e-11);
  free(x);
  free(gd);
  free(gl);
  sem_ws_free(dense);
  sem_ws_free(low);
}

static void test_lowrank_equals_dense(void **state) {
  (void)state;
  vagap_sem_model_options_t opt;
  vagap_sem_stats_t *s2 = two_groups_equal_loadings(&opt);
  static const char *const vars[] = {"x1", "x2", "x3", "x4", "x5", "x6", "z"};
  vagap_sem_stats_t *s1 = stats_for(vars, 7, 1, 300);
  struct {
    const char *model;
    int groups;
    size_t factor_groups; /* groups of factor structure */
  } cases[] = {
      {"f1 =~ x1 + x4 + z\nf2 =~ x2 + x5 + x3 + x6\nf2 ~ f1\n", 2, 2},
      {"f1 =~ x1 + x4 + z\nf2 =~ x2 + x5\nf3 =~ x3 + x6\nf1 ~~ f2 + f3\nf2 ~~ f3\n", 1, 1},
      {"f1 =~ x1 + x4\nf2 =~ x2 + x5 + x3 + x6\nf2 ~ f1 + z\n", 1, 0}, /* a path from z */
      {"f1 =~ x1 + x4 + z\nf2 =~ x2 + x5 + x3 + x6\nx3 ~~ x6\n", 2, 0}, /* a residual covariance */
  };
  vagap_sem_model_options_t plain;
  vagap_sem_model_options_init(&plain);
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    vagap_sem_model_t *m = build(cases[c].model, (size_t)cases[c].groups, cases[c].groups == 2 ? &opt : &plain);
    size_t differ = 0;
    double gap = lowrank_gap(m, cases[c].groups == 2 ? s2 : s1, cases[c].factor_groups, &differ);
    fprintf(stderr, "lowrank case %zu: gap %.3g, %zu of 8 points differ\n", c, gap, differ);
    if (cases[c].factor_groups) {
      assert_true(gap < 1e-13);
      assert_true(differ > 0); /* the low-rank form was taken */
    } else {
      assert_true(gap == 0); /* the dense path itself */
    }
    if (c == 0) lowrank_falls_back(m, s2);
    vagap_sem_model_free(m);
  }
  vagap_sem_stats_free(s1);
  vagap_sem_stats_free(s2);
}

/* A feedback loop (non-recursive model): (I - A) is inverted by LU, not by the series. */
static void test_gradient_nonrecursive(void **state) {
  (void)state;
  const char *vars[] = {"x1", "x2", "x3", "x4"};
  vagap_sem_stats_t *s = stats_for(vars, 4, 1, 300);
  vagap_sem_model_t *m = build("x3 ~ x4 + x1\nx4 ~ x3 + x2\n", 1, NULL);
  sem_ws_t *ws = NULL;
  vagap_error_t err;
  assert_int_equal(sem_ws_alloc(&ws, m, s, VAGAP_SEM_LIKELIHOOD_NORMAL, &err), VAGAP_OK);
  size_t K = m->npar;
  double x[16], g[16], xp[16];
  assert_true(K <= 16);
  sem_ws_start(ws, x, 0);
  for (size_t k = 0; k < K; k++) x[k] += 0.1 * cos((double)k);
  sem_ws_objective(ws, x, g);
  for (size_t k = 0; k < K; k++) {
    double h = 1e-6;
    memcpy(xp, x, K * sizeof *x);
    xp[k] += h;
    double fp = sem_ws_objective(ws, xp, NULL);
    xp[k] -= 2 * h;
    double fd = (fp - sem_ws_objective(ws, xp, NULL)) / (2 * h);
    assert_true(fabs(fd - g[k]) <= 1e-6 * fmax(1, fabs(fd)));
  }
  sem_ws_free(ws);
  vagap_sem_model_free(m);
  vagap_sem_stats_free(s);
}

/* Largest |closed form - numerical| Hessian entry over max(1, |numerical|), at a point x
   that is not an optimum (Omega and d not zero). */
/* max |blocks - H| / max |H| over every entry */
static double blocks_gap(const sem_ws_t *ws, const gsl_matrix *H) {
  double gap = 0, big = 0;
  for (size_t i = 0; i < H->size1; i++)
    for (size_t j = 0; j < H->size2; j++) {
      gap = fmax(gap, fabs(sem_ws_info_entry(ws, i, j) - gsl_matrix_get(H, i, j)));
      big = fmax(big, fabs(gsl_matrix_get(H, i, j)));
    }
  return gap / big;
}

/* The Hessian in the information's blocks equals the dense one (H, at x) to the bit:
   computed afresh, after an evaluation with gradient at x (whose group matrices it
   reuses, sem_ws_grad_at), and after the matrices moved to another point and back without
   a gradient (implied_all by the expected information: the gradient state is stale
   then).  The metric's (sem_ws_hessian_metric, sparse products) equals it to rounding. */
static void blocks_match_hessian(sem_ws_t *ws, const double *x, const gsl_matrix *H) {
  size_t K = H->size1;
  double *g = malloc(K * sizeof *g), *x2 = malloc(K * sizeof *x2);
  vagap_error_t err;
  for (size_t k = 0; k < K; k++) x2[k] = x[k] * 1.01 + 0.001;
  assert_int_equal(sem_ws_hessian_blocks(ws, x, &err), VAGAP_OK);
  assert_true(blocks_gap(ws, H) == 0);
  assert_true(isfinite(sem_ws_objective(ws, x, g)));
  assert_int_equal(sem_ws_hessian_blocks(ws, x, &err), VAGAP_OK);
  assert_true(blocks_gap(ws, H) == 0);
  assert_true(isfinite(sem_ws_objective(ws, x2, g)));
  (void)sem_ws_metric_factor(ws, x, 0, NULL); /* the model matrices at x, without a gradient */
  assert_int_equal(sem_ws_hessian_blocks(ws, x, &err), VAGAP_OK);
  assert_true(blocks_gap(ws, H) == 0);
  assert_int_equal(sem_ws_hessian_metric(ws, x, &err), VAGAP_OK);
  double gap = blocks_gap(ws, H);
  fprintf(stderr, "metric Hessian (sparse products) vs dense: %.2g\n", gap);
  assert_true(gap < 1e-13);
  /* the bootstrap's workspaces take the low-rank form of SigInv and Omega where groups are
     factor-structured (sem_ws_lowrank): the metric from it, to its rounding (~1e-12) */
  if (sem_ws_lowrank(ws, 1) > 0) {
    assert_int_equal(sem_ws_hessian_metric(ws, x, &err), VAGAP_OK);
    gap = blocks_gap(ws, H);
    fprintf(stderr, "metric Hessian, low-rank form, vs dense: %.2g\n", gap);
    assert_true(gap < 1e-10);
  }
  sem_ws_lowrank(ws, 0);
  free(g);
  free(x2);
}

static double hessian_gap(const vagap_sem_model_t *m, const vagap_sem_stats_t *s, double jitter) {
  sem_ws_t *ws = NULL;
  vagap_error_t err;
  assert_int_equal(sem_ws_alloc(&ws, m, s, VAGAP_SEM_LIKELIHOOD_NORMAL, &err), VAGAP_OK);
  size_t K = m->npar;
  double *x = malloc(K * sizeof *x);
  sem_ws_start(ws, x, 0);
  for (size_t k = 0; k < K; k++) x[k] += jitter * sin(1.7 * (double)k + 1);
  gsl_matrix *H = gsl_matrix_alloc(K, K), *Hn = gsl_matrix_alloc(K, K);
  assert_int_equal(sem_ws_hessian(ws, x, H, &err), VAGAP_OK);
  assert_int_equal(sem_ws_hessian_numeric(ws, x, Hn, &err), VAGAP_OK);
  double gap = 0, big = 0;
  for (size_t i = 0; i < K; i++)
    for (size_t j = 0; j < K; j++) {
      double a = gsl_matrix_get(H, i, j), b = gsl_matrix_get(Hn, i, j);
      assert_true(a == gsl_matrix_get(H, j, i));
      gap = fmax(gap, fabs(a - b) / fmax(1, fabs(b)));
      big = fmax(big, fabs(b));
    }
  assert_true(big > 0.1); /* a Hessian that means something */
  blocks_match_hessian(ws, x, H);
  gsl_matrix_free(H);
  gsl_matrix_free(Hn);
  free(x);
  sem_ws_free(ws);
  return gap;
}

static void hessian_case(const char *model, size_t ngroups, const vagap_sem_model_options_t *opt,
                         const vagap_sem_stats_t *s, double jitter, const char *what) {
  vagap_sem_model_t *m = build(model, ngroups, opt);
  double gap = hessian_gap(m, s, jitter);
  fprintf(stderr, "closed-form Hessian vs numerical: %.2g (%s)\n", gap, what);
  assert_true(gap < 1e-7);
  vagap_sem_model_free(m);
}

/* The closed-form observed information (sem_hessian.c) equals lavaan's numerical one
   (4-point Richardson differences of the gradient) to ~1e-9 on models using every kind
   of RAM entry: loadings, latent and observed regressions, free and fixed.x covariates,
   residual and latent covariances, intercepts with and without a mean structure, labels
   shared across groups, a feedback loop (B by LU). */
static void test_hessian_closed_form(void **state) {
  (void)state;
  vagap_sem_model_options_t opt;
  vagap_sem_stats_t *s = two_groups_equal_loadings(&opt);
  opt.meanstructure = 1;
  opt.fixed_x = 0;
  const char *model = "f =~ x1 + x2 + x3\ng =~ x4 + c(l5, l5)*x5 + x6\ng ~ f + z\nx1 ~~ x4\nx3 ~ x2\n"
                      "f ~~ z\nx2 ~ c(0, NA)*1\n";
  hessian_case(model, 2, &opt, s, 0.05, "mean structure, 2 groups");
  opt.meanstructure = 0;
  opt.group_equal = 0;
  hessian_case(model, 2, &opt, s, 0.08, "no mean structure");
  vagap_sem_model_options_init(&opt);
  hessian_case("f =~ x1 + x2 + x3\nf ~ z + x6\nx4 ~ f + x5\n", 2, &opt, s, 0.05, "fixed.x covariates");
  opt.meanstructure = 1;
  hessian_case("f =~ x1 + x2 + x3\ng =~ x4 + x5 + x6\ng ~ f\n", 2, &opt, s, 0.05, "factor structure");
  opt.meanstructure = 0;
  vagap_sem_stats_free(s);
  const char *v4[] = {"x1", "x2", "x3", "x4"};
  s = stats_for(v4, 4, 1, 300);
  opt.meanstructure = 1;
  hessian_case("x3 ~ x4 + x1\nx4 ~ x3 + x2\n", 1, &opt, s, 0.1, "feedback loop");
  vagap_sem_stats_free(s);
}

static const vagap_sem_param_t *row(const vagap_sem_fit_t *f, const char *lhs, vagap_sem_op_t op,
                                    const char *rhs) {
  for (size_t i = 0; i < f->model->nrows; i++) {
    const vagap_sem_param_t *r = &f->model->rows[i];
    if (!strcmp(r->lhs, lhs) && r->op == op && !strcmp(r->rhs, rhs)) return r;
  }
  fail_msg("row %s %s %s not found", lhs, vagap_sem_op_string(op), rhs);
  return NULL;
}

static vagap_sem_fit_t *fit_ok(const vagap_sem_model_t *m, const vagap_sem_stats_t *s) {
  vagap_sem_fit_t *f = NULL;
  vagap_error_t err;
  vagap_status_t st = vagap_sem_fit(&f, m, s, NULL, &err);
  if (st) fprintf(stderr, "%s\n", err.message);
  assert_int_equal(st, VAGAP_OK);
  return f;
}

/* One factor, three indicators: just identified, with a closed-form solution. */
static void test_three_indicator_factor_closed_form(void **state) {
  (void)state;
  const char *vars[] = {"x1", "x2", "x3"};
  vagap_sem_stats_t *s = stats_for(vars, 3, 1, 500);
  vagap_sem_model_t *m = build("f =~ x1 + x2 + x3\n", 1, NULL);
  vagap_sem_fit_t *f = fit_ok(m, s);
  const double *C = s->cov;
  double s12 = C[1], s13 = C[2], s23 = C[5];
  double l2 = s23 / s13, l3 = s23 / s12, phi = s12 * s13 / s23;
  assert_float_equal(row(f, "f", VAGAP_SEM_LOADING, "x2")->est, l2, 1e-8);
  assert_float_equal(row(f, "f", VAGAP_SEM_LOADING, "x3")->est, l3, 1e-8);
  assert_float_equal(row(f, "f", VAGAP_SEM_COVARIANCE, "f")->est, phi, 1e-8);
  assert_float_equal(row(f, "x3", VAGAP_SEM_COVARIANCE, "x3")->est, C[8] - l3 * l3 * phi, 1e-8);
  assert_float_equal(f->fit.chisq, 0, 1e-8);
  assert_float_equal(f->fit.df, 0, 0);
  assert_float_equal(f->fit.npar, 6, 0);
  /* std.all of a loading is the indicator's correlation with the factor */
  assert_float_equal(row(f, "f", VAGAP_SEM_LOADING, "x2")->std_all, l2 * sqrt(phi) / sqrt(C[4]), 1e-8);
  vagap_sem_fit_free(f);
  vagap_sem_model_free(m);
  vagap_sem_stats_free(s);
}

/* A misfitting model (one factor for data with three, two groups, equal loadings):
   Fisher scoring converges only linearly there, and a search stopped by tests on F
   ends ~1e-8 from the optimum at a place its path decides.  The fit ends with Newton
   steps on the closed-form Hessian instead: the gradient is at rounding level, and
   a fit from another start (optimise_from, the bootstrap's path) ends at the same
   estimates to rounding, not merely within the optimiser's tolerance. */
static void test_end_point_is_the_optimum(void **state) {
  (void)state;
  vagap_sem_model_options_t opt;
  vagap_sem_stats_t *s = two_groups_equal_loadings(&opt);
  vagap_sem_model_t *m = build("f =~ x1 + x2 + x3 + x4 + x5 + x6\n", 2, &opt);
  vagap_sem_fit_t *f = fit_ok(m, s);
  assert_true(f->fit.chisq > 100); /* the model misfits */
  assert_true(f->gradient_norm < 1e-12);
  size_t K = f->model->nrows, npar = 0;
  for (size_t i = 0; i < K; i++)
    if (f->model->rows[i].free > npar) npar = f->model->rows[i].free;
  double *start = malloc(npar * sizeof *start);
  for (size_t i = 0; i < K; i++) {
    const vagap_sem_param_t *r = &f->model->rows[i];
    if (r->free) start[r->free - 1] = r->est * (1 + 1e-3 * (double)(r->free % 5));
  }
  vagap_sem_fit_t *g = NULL;
  vagap_error_t err;
  assert_int_equal(sem_fit_from(&g, m, s, NULL, NULL, start, &err), VAGAP_OK);
  assert_true(g->gradient_norm < 1e-12);
  for (size_t i = 0; i < K; i++) {
    const vagap_sem_param_t *a = &f->model->rows[i], *b = &g->model->rows[i];
    if (a->free) assert_float_equal(a->est, b->est, 1e-12 * (1 + fabs(a->est)));
  }
  free(start);
  vagap_sem_fit_free(g);
  vagap_sem_fit_free(f);
  vagap_sem_model_free(m);
  vagap_sem_stats_free(s);
}

/* Simple regression with a fixed covariate: OLS with ML residual variance. */
static void test_regression_closed_form_and_defined(void **state) {
  (void)state;
  const char *vars[] = {"y", "x"};
  vagap_sem_stats_t *s = stats_for(vars, 2, 1, 300);
  vagap_sem_model_t *m = build("y ~ b*x\ny ~ 1\ntwice := 2*b\n", 1, NULL);
  vagap_sem_fit_t *f = fit_ok(m, s);
  double syy = s->cov[0], sxy = s->cov[1], sxx = s->cov[3], n = s->n[0];
  double b = sxy / sxx, res = syy - b * b * sxx;
  const vagap_sem_param_t *rb = row(f, "y", VAGAP_SEM_REGRESSION, "x");
  assert_float_equal(rb->est, b, 1e-9);
  assert_float_equal(rb->se, sqrt(res / (n * sxx)), 1e-9);
  assert_float_equal(row(f, "y", VAGAP_SEM_COVARIANCE, "y")->est, res, 1e-9);
  assert_float_equal(row(f, "y", VAGAP_SEM_INTERCEPT, "")->est, s->mean[0] - b * s->mean[1], 1e-9);
  const vagap_sem_param_t *d = row(f, "twice", VAGAP_SEM_DEFINED, "2*b");
  assert_float_equal(d->est, 2 * b, 1e-9);
  assert_float_equal(d->se, 2 * rb->se, 1e-9);
  /* the covariate's variance is the sample's, fixed */
  const vagap_sem_param_t *vx = row(f, "x", VAGAP_SEM_COVARIANCE, "x");
  assert_float_equal(vx->est, sxx, 1e-12);
  assert_float_equal(vx->se, 0, 0);
  assert_float_equal(f->fit.chisq, 0, 1e-8);
  vagap_sem_fit_free(f);
  vagap_sem_model_free(m);
  vagap_sem_stats_free(s);
}

static void test_identification_and_data_errors(void **state) {
  (void)state;
  const char *vars[] = {"x1", "x2"};
  vagap_sem_stats_t *s = stats_for(vars, 2, 1, 50);
  vagap_sem_model_options_t opt;
  vagap_sem_model_options_init(&opt);
  opt.std_lv = 1;
  vagap_sem_model_t *m = build("f =~ x1 + x2\n", 1, &opt);
  vagap_sem_fit_t *f = NULL;
  vagap_error_t err;
  assert_int_equal(vagap_sem_fit(&f, m, s, NULL, &err), VAGAP_EMODEL);
  assert_null(f);
  assert_non_null(strstr(err.message, "not identified"));
  vagap_sem_model_free(m);
  /* an evaluation budget too small to converge: an error, no estimates */
  {
    const char *v3[] = {"x1", "x2", "x3"};
    vagap_sem_stats_t *s3 = stats_for(v3, 3, 1, 200);
    vagap_sem_model_t *m3 = build("f =~ x1 + x2\nf ~~ x3\n", 1, NULL);
    vagap_sem_fit_options_t fo;
    vagap_sem_fit_options_init(&fo);
    fo.max_iter = 3;
    assert_int_equal(vagap_sem_fit(&f, m3, s3, &fo, &err), VAGAP_ENOCONV);
    assert_null(f);
    assert_non_null(strstr(err.message, "did not converge"));
    vagap_sem_model_free(m3);
    vagap_sem_stats_free(s3);
  }
  /* a model variable that the data lack */
  m = build("x1 ~ x3\n", 1, NULL);
  assert_int_equal(vagap_sem_fit(&f, m, s, NULL, &err), VAGAP_ECOLUMN);
  assert_non_null(strstr(err.message, "x3"));
  vagap_sem_model_free(m);
  vagap_sem_stats_free(s);
  /* enough moments, but two factors on the same indicators rotate freely */
  {
    const char *v6[] = {"x1", "x2", "x3", "x4", "x5", "x6", "z"};
    vagap_sem_stats_t *s6 = stats_for(v6, 7, 1, 300);
    m = build("f =~ x1 + x2 + x3 + x4 + x5 + x6\ng =~ x1 + x2 + x3 + x4 + x5 + x6\n", 1, NULL);
    assert_int_equal(vagap_sem_fit(&f, m, s6, NULL, &err), VAGAP_EMODEL);
    assert_non_null(strstr(err.message, "singular"));
    assert_non_null(strstr(err.message, "involved parameters: f=~x"));
    vagap_sem_model_free(m);
    vagap_sem_stats_free(s6);
  }
  /* collinear data: the sample covariance is singular */
  const double x[] = {1, 2, 2, 4, 3, 6, 4, 8};
  const size_t g[] = {0, 0, 0, 0};
  assert_int_equal(vagap_sem_stats_alloc(&s, 1, 2, vars, NULL, &err), VAGAP_OK);
  assert_int_equal(vagap_sem_stats_compute(s, x, g, 4, &err), VAGAP_OK);
  m = build("x1 ~ x2\n", 1, NULL);
  assert_int_equal(vagap_sem_fit(&f, m, s, NULL, &err), VAGAP_EDOMAIN);
  assert_non_null(strstr(err.message, "not positive definite"));
  vagap_sem_model_free(m);
  vagap_sem_stats_free(s);
}

static void test_stats_merge_and_serialize(void **state) {
  (void)state;
  const char *vars[] = {"a", "b", "c"};
  double x[60 * 3];
  make_data(x, 60, 3, 5, 1.0);
  size_t g[60] = {0};
  vagap_error_t err;
  vagap_sem_stats_t *all, *part1, *part2, *back;
  assert_int_equal(vagap_sem_stats_alloc(&all, 1, 3, vars, NULL, &err), VAGAP_OK);
  assert_int_equal(vagap_sem_stats_alloc(&part1, 1, 3, vars, NULL, &err), VAGAP_OK);
  assert_int_equal(vagap_sem_stats_alloc(&part2, 1, 3, vars, NULL, &err), VAGAP_OK);
  assert_int_equal(vagap_sem_stats_compute(all, x, g, 60, &err), VAGAP_OK);
  assert_int_equal(vagap_sem_stats_compute(part1, x, g, 25, &err), VAGAP_OK);
  assert_int_equal(vagap_sem_stats_compute(part2, x + 25 * 3, g, 35, &err), VAGAP_OK);
  assert_int_equal(vagap_sem_stats_merge(part1, part2, &err), VAGAP_OK);
  assert_float_equal(part1->n[0], 60, 0);
  for (size_t j = 0; j < 3; j++) assert_float_equal(part1->mean[j], all->mean[j], 1e-13);
  for (size_t j = 0; j < 9; j++) assert_float_equal(part1->cov[j], all->cov[j], 1e-13);
  char *text = NULL;
  assert_int_equal(vagap_sem_stats_serialize(all, &text, &err), VAGAP_OK);
  assert_int_equal(vagap_sem_stats_deserialize(&back, text, &err), VAGAP_OK);
  assert_string_equal(back->var[2], "c");
  assert_string_equal(back->group_label[0], "1");
  for (size_t j = 0; j < 9; j++) assert_true(back->cov[j] == all->cov[j]); /* round trip */
  free(text);
  vagap_sem_stats_t *bad = NULL;
  assert_int_equal(vagap_sem_stats_deserialize(&bad, "vars,a\ngroup,1,n,3\n", &err), VAGAP_EPARSE);
  assert_null(bad);
  vagap_sem_stats_free(back);
  vagap_sem_stats_free(all);
  vagap_sem_stats_free(part1);
  vagap_sem_stats_free(part2);
}

/* Against R's pchisq(x, df, ncp), which sums the same series (Ding 1992). */
static void test_noncentral_chisq_cdf(void **state) {
  (void)state;
  assert_float_equal(sem_pchisq_nc(85.3, 24, 30), 0.9848396701491553, 1e-13);
  assert_float_equal(sem_pchisq_nc(10, 3, 0.5), 0.96552026793853996, 1e-13);
  assert_float_equal(sem_pchisq_nc(500, 60, 400), 0.83312668310110005, 1e-12);
  assert_float_equal(sem_pchisq_nc(1200, 300, 800), 0.94505496810840284, 1e-12);
  assert_true(fabs(sem_pchisq_nc(2, 40, 5) - 1.4670083996574922e-20) < 1e-30);
  assert_float_equal(sem_pchisq_nc(0, 3, 2), 0, 0);
  /* a noncentrality the Poisson mixture cannot sum (an infinite or enormous scaled
     statistic): NaN, where its loops used to run forever (j - 1 == j past 2^53) */
  assert_true(isnan(sem_pchisq_nc(INFINITY, 5, INFINITY)));
  assert_true(isnan(sem_pchisq_nc(1e16, 5, 4e16)));
  assert_true(isnan(sem_pchisq_nc(10, 5, NAN)));
  assert_true(isnan(sem_ncp_solve(1e20, 5, 0.95, 0, 1e20)));
}

/* lavaan's lav_fit_cfi/lav_fit_tli edge rules */
static void test_cfi_tli_edges(void **state) {
  (void)state;
  /* a saturated model whose chi-square is rounding noise and whose baseline
     fits within its df: lavaan says 1 (the old rule said 0) */
  assert_true(sem_fit_cfi(1e-12, 0, 0.5, 2) == 1);
  assert_true(sem_fit_cfi(0, 0, 0.5, 2) == 1);
  /* above all.equal's tolerance the ratio is used */
  assert_true(fabs(sem_fit_cfi(3, 1, 12, 4) - (1 - 2.0 / 8)) < 1e-15);
  assert_true(sem_fit_cfi(1e-6, 0, 0.5, 2) == 0);
  assert_true(isnan(sem_fit_cfi(NAN, 1, 2, 3)));
  /* TLI: df = 0 or a baseline exactly at its df -> 1; else 1 - t1/t2 */
  assert_true(sem_fit_tli(0, 0, 10, 3) == 1);
  assert_true(sem_fit_tli(5, 2, 4, 4) == 1);
  assert_true(fabs(sem_fit_tli(5, 2, 20, 4) - (1 - (3.0 * 4) / (16.0 * 2))) < 1e-15);
}

/* the spectrum of a nearly singular information matrix and its flat direction */
static void test_info_spectrum(void **state) {
  (void)state;
  /* info = diag(1, 4) rotated with a nearly collinear pair: [[1, r], [r, 1]] has eigenvalues 1 -+ r */
  double r = 1 - 1e-9;
  double info[4] = {1, r, r, 1}, det = 1 - r * r;
  double N = 100, vcov[4] = {1 / det / N, -r / det / N, -r / det / N, 1 / det / N};
  double ratio, flat[2], vmin;
  assert_int_equal(sem_info_spectrum(info, vcov, 2, N, &ratio, flat, &vmin), VAGAP_OK);
  assert_true(fabs(ratio - (1 - r) / (1 + r)) < 1e-3 * (1 - r));
  assert_true(fabs(fabs(flat[0]) - sqrt(0.5)) < 1e-6 && flat[0] * flat[1] < 0);
  assert_true(fabs(vmin - 1 / (N * (1 + r))) < 1e-9);
}

/* two blocks (the groups of a configural model): the spectrum is the union of theirs, from
   the dense matrix and from its nonzeros with stored zeros linking the blocks alike */
static void test_info_spectrum_blocks(void **state) {
  (void)state;
  /* block {0, 2}: [[2, 1], [1, 2]] (unit-diagonal eigenvalues 0.5, 1.5); block {1}: [4] (1) */
  double info[9] = {2, 0, 1, 0, 4, 0, 1, 0, 2};
  double N = 10, vcov[9] = {2.0 / 3 / N, 0, -1.0 / 3 / N, 0, 0.25 / N, 0, -1.0 / 3 / N, 0, 2.0 / 3 / N};
  double ratio, vmin, ratio_sp, vmin_sp;
  assert_int_equal(sem_info_spectrum(info, vcov, 3, N, &ratio, NULL, &vmin), VAGAP_OK);
  assert_true(fabs(ratio - 0.5 / 1.5) < 1e-14);
  sem_sparse_t sp;
  assert_int_equal(sem_sparse_from_dense(&sp, info, 3), 0);
  assert_int_equal(sp.rowptr[3], 5); /* the nonzeros only */
  assert_int_equal(sp.col[1], 2);
  sem_sparse_free(&sp);
  /* every entry stored, zeros included (as the fitter's blocks store a shared row) */
  assert_int_equal(sem_sparse_alloc(&sp, 3, 9), 0);
  for (size_t a = 0; a < 3; a++) {
    sp.rowptr[a] = 3 * a;
    for (size_t b = 0; b < 3; b++) {
      sp.col[3 * a + b] = b;
      sp.val[3 * a + b] = info[3 * a + b];
    }
  }
  sp.rowptr[3] = 9;
  assert_int_equal(sem_info_spectrum_sparse(&sp, vcov, N, &ratio_sp, NULL, &vmin_sp), VAGAP_OK);
  assert_true(ratio_sp == ratio && vmin_sp == vmin);
  sem_sparse_free(&sp);
}

/* lavaan's Delta (sem_ws_jacobian) against central differences of the implied moments,
   and a discrepancy hook that reproduces ML gives ML's objective and gradient. */
static double ml_again(void *ctx, size_t g, const gsl_matrix *Sigma, const gsl_matrix *SigInv, double logdetSig,
                       const gsl_vector *mu, int want_grad, gsl_matrix *Omega, gsl_vector *v) {
  const vagap_sem_stats_t *s = ctx;
  size_t p = Sigma->size1, P = s->nvar;
  (void)g;
  gsl_matrix *S = gsl_matrix_alloc(p, p), *T = gsl_matrix_alloc(p, p);
  gsl_vector *d = gsl_vector_alloc(p);
  for (size_t i = 0; i < p; i++) {
    gsl_vector_set(d, i, s->mean[g * P + i] - gsl_vector_get(mu, i));
    for (size_t j = 0; j < p; j++) gsl_matrix_set(S, i, j, s->cov[g * P * P + i * P + j]);
  }
  gsl_matrix_memcpy(T, S);
  gsl_linalg_cholesky_decomp1(T);
  double logdetS = 0, tr = 0, quad = 0;
  for (size_t i = 0; i < p; i++) logdetS += 2 * log(gsl_matrix_get(T, i, i));
  for (size_t i = 0; i < p; i++)
    for (size_t j = 0; j < p; j++) tr += gsl_matrix_get(S, i, j) * gsl_matrix_get(SigInv, j, i);
  gsl_vector *w = gsl_vector_alloc(p);
  gsl_blas_dgemv(CblasNoTrans, 1.0, SigInv, d, 0.0, w);
  gsl_blas_ddot(d, w, &quad);
  double F = 0.5 * (logdetSig + tr - logdetS - (double)p + quad);
  if (want_grad) {
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, SigInv, S, 0.0, T);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, T, SigInv, 0.0, Omega);
    for (size_t i = 0; i < p; i++)
      for (size_t j = 0; j < p; j++)
        gsl_matrix_set(Omega, i, j, gsl_matrix_get(SigInv, i, j) - gsl_matrix_get(Omega, i, j) -
                                        gsl_vector_get(w, i) * gsl_vector_get(w, j));
    gsl_vector_memcpy(v, w);
  }
  gsl_matrix_free(S);
  gsl_matrix_free(T);
  gsl_vector_free(d);
  gsl_vector_free(w);
  return F;
}

static void test_jacobian_and_discrepancy_hook(void **state) {
  (void)state;
  const char *vars[] = {"x1", "x2", "x3", "x4", "x5", "x6"};
  vagap_sem_stats_t *s = stats_for(vars, 6, 2, 200);
  vagap_sem_model_options_t opt;
  vagap_sem_model_options_init(&opt);
  opt.group_equal = VAGAP_SEM_EQ_LOADINGS;
  vagap_sem_model_t *m = build("f =~ x1 + x2 + x3\ng =~ x4 + x5 + x6\ng ~ f\nx1 ~~ x4\n", 2, &opt);
  sem_ws_t *ws = NULL;
  vagap_error_t err;
  assert_int_equal(sem_ws_alloc(&ws, m, s, VAGAP_SEM_LIKELIHOOD_NORMAL, &err), VAGAP_OK);
  size_t K = m->npar, p = m->nov;
  double *x = malloc(K * sizeof *x), *xp = malloc(K * sizeof *xp);
  double *ds = malloc(K * p * p * sizeof *ds), *dm = malloc(K * p * sizeof *dm);
  double *sp = malloc(p * p * sizeof *sp), *mp = malloc(p * sizeof *mp);
  sem_ws_start(ws, x, 0);
  for (size_t k = 0; k < K; k++) x[k] += 0.05 * sin((double)k + 1);
  for (size_t g = 0; g < 2; g++) {
    assert_int_equal(sem_ws_jacobian(ws, x, g, ds, dm), 0);
    for (size_t k = 0; k < K; k++) {
      double h = 1e-6 * fmax(1, fabs(x[k]));
      const gsl_matrix *Sig;
      const gsl_vector *mu;
      memcpy(xp, x, K * sizeof *x);
      xp[k] = x[k] + h;
      assert_int_equal(sem_ws_implied(ws, xp, g, &Sig, &mu), 0);
      memcpy(sp, Sig->data, p * p * sizeof *sp); /* tda == p: allocated whole */
      for (size_t i = 0; i < p; i++) mp[i] = gsl_vector_get(mu, i);
      xp[k] = x[k] - h;
      assert_int_equal(sem_ws_implied(ws, xp, g, &Sig, &mu), 0);
      for (size_t i = 0; i < p * p; i++) {
        double fd = (sp[i] - Sig->data[i]) / (2 * h);
        assert_true(fabs(fd - ds[k * p * p + i]) <= 1e-6 * fmax(1, fabs(fd)));
      }
      for (size_t i = 0; i < p; i++) {
        double fd = (mp[i] - gsl_vector_get(mu, i)) / (2 * h);
        assert_true(fabs(fd - dm[k * p + i]) <= 1e-6 * fmax(1, fabs(fd)));
      }
    }
  }
  /* the hook: the same function written again gives the same objective and gradient */
  double *g1 = malloc(K * sizeof *g1), *g2 = malloc(K * sizeof *g2);
  double F1 = sem_ws_objective(ws, x, g1);
  sem_discrepancy_t d = {ml_again, s};
  sem_ws_set_discrepancy(ws, &d);
  double F2 = sem_ws_objective(ws, x, g2);
  assert_true(fabs(F1 - F2) <= 1e-12 * fabs(F1));
  for (size_t k = 0; k < K; k++) assert_true(fabs(g1[k] - g2[k]) <= 1e-10 * fmax(1, fabs(g1[k])));
  sem_ws_set_discrepancy(ws, NULL);
  assert_true(sem_ws_objective(ws, x, NULL) == F1);
  free(g1); free(g2);
  free(x); free(xp); free(ds); free(dm); free(sp); free(mp);
  sem_ws_free(ws);
  vagap_sem_model_free(m);
  vagap_sem_stats_free(s);
}

/* The casewise scores (the Huber-White meat) sum to -N times the gradient of F at any point:
   F = -(1/N) log L + const. */
static void test_casewise_scores_sum_to_gradient(void **state) {
  (void)state;
  const char *vars[] = {"x1", "x2", "x3", "x4", "x5", "x6", "z"};
  size_t p = 7, n = 150, G = 2;
  double *rows = malloc(n * G * p * sizeof *rows);
  size_t *grp = malloc(n * G * sizeof *grp);
  for (size_t k = 0; k < G; k++) {
    make_data(rows + k * n * p, n, p, 5u + 7u * (unsigned)k, 0.2 * (double)k);
    for (size_t i = 0; i < n; i++) grp[k * n + i] = k;
  }
  vagap_sem_stats_t *s = NULL;
  vagap_error_t err;
  assert_int_equal(vagap_sem_stats_alloc(&s, G, p, vars, NULL, &err), VAGAP_OK);
  assert_int_equal(vagap_sem_stats_compute(s, rows, grp, n * G, &err), VAGAP_OK);
  vagap_sem_model_options_t opt;
  vagap_sem_model_options_init(&opt);
  opt.group_equal = VAGAP_SEM_EQ_LOADINGS;
  vagap_sem_model_t *m = build("f =~ x1 + x2 + x3\ng =~ x4 + x5 + x6\ng ~ f + z\nx1 ~~ x4\n", G, &opt);
  sem_ws_t *ws = NULL;
  assert_int_equal(sem_ws_alloc(&ws, m, s, VAGAP_SEM_LIKELIHOOD_NORMAL, &err), VAGAP_OK);
  size_t K = m->npar, P = m->nov;
  double *x = malloc(K * sizeof *x), *grad = malloc(K * sizeof *grad), *sum = calloc(K, sizeof *sum);
  sem_ws_start(ws, x, 0);
  for (size_t k = 0; k < K; k++) x[k] += 0.05 * cos((double)k + 2);
  sem_ws_objective(ws, x, grad);
  gsl_matrix *Y = gsl_matrix_alloc(n, P);
  double *sc = malloc(n * K * sizeof *sc);
  size_t *cols = malloc(K * sizeof *cols), kg = 0, kall = 0;
  for (size_t g = 0; g < G; g++) {
    for (size_t i = 0; i < n; i++)   /* the model's variable order */
      for (size_t a = 0; a < P; a++)
        for (size_t c = 0; c < p; c++)
          if (!strcmp(m->ov[a], vars[c])) gsl_matrix_set(Y, i, a, rows[(g * n + i) * p + c]);
    const gsl_matrix *Sig;
    const gsl_vector *mu;
    assert_int_equal(sem_ws_implied(ws, x, g, &Sig, &mu), 0);
    gsl_vector *mu_copy = gsl_vector_alloc(P);
    gsl_vector_memcpy(mu_copy, mu);
    int rc = 1;
    sem_scores_t *sw = sem_ws_scores_open(ws, x, g, cols, &kg, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(sw);
    assert_int_equal(sem_ws_scores(sw, Y, mu_copy, sc, kg), 0);
    /* in two chunks of rows (as the meat takes them), and in chunks of 1, 2, 3, ... rows:
       the same numbers, bit for bit */
    double *sc2 = malloc(n * K * sizeof *sc2);
    size_t half = n / 2;
    gsl_matrix_const_view top = gsl_matrix_const_submatrix(Y, 0, 0, half, P),
                          bottom = gsl_matrix_const_submatrix(Y, half, 0, n - half, P);
    assert_int_equal(sem_ws_scores(sw, &top.matrix, mu_copy, sc2, kg), 0);
    assert_int_equal(sem_ws_scores(sw, &bottom.matrix, mu_copy, sc2 + half * kg, kg), 0);
    assert_memory_equal(sc, sc2, n * kg * sizeof *sc);
    memset(sc2, 0, n * kg * sizeof *sc2);
    for (size_t r0 = 0, len = 1; r0 < n; r0 += len, len++) {
      size_t rows_here = n - r0 < len ? n - r0 : len;
      gsl_matrix_const_view part = gsl_matrix_const_submatrix(Y, r0, 0, rows_here, P);
      assert_int_equal(sem_ws_scores(sw, &part.matrix, mu_copy, sc2 + r0 * kg, kg), 0);
    }
    assert_memory_equal(sc, sc2, n * kg * sizeof *sc);
    free(sc2);
    sem_ws_scores_close(sw);
    gsl_vector_free(mu_copy);
    assert_true(kg > 0 && kg < K);
    kall += kg;
    for (size_t c = 1; c < kg; c++) assert_true(cols[c] > cols[c - 1]);
    for (size_t i = 0; i < n; i++)
      for (size_t c = 0; c < kg; c++) sum[cols[c]] += sc[i * kg + c];
  }
  assert_true(kall >= K); /* every parameter is some group's (the equal loadings several) */
  for (size_t k = 0; k < K; k++)
    assert_true(fabs(sum[k] + (double)(n * G) * grad[k]) <= 1e-8 * fmax(1, fabs(sum[k])));
  gsl_matrix_free(Y);
  free(sc); free(cols);
  free(x); free(grad); free(sum); free(rows); free(grp);
  sem_ws_free(ws);
  vagap_sem_model_free(m);
  vagap_sem_stats_free(s);
}

/* lavaan's spellings and per-estimator defaults; what is not implemented is refused by name. */
static void test_estimation_options(void **state) {
  (void)state;
  vagap_error_t err;
  vagap_sem_estimator_t e;
  vagap_sem_missing_t mi;
  vagap_sem_se_t se;
  assert_int_equal(vagap_sem_estimator_parse("mlr", &e, &err), VAGAP_OK);
  assert_int_equal(e, VAGAP_SEM_ESTIMATOR_MLR);
  assert_int_equal(vagap_sem_estimator_parse("XYZ", &e, &err), VAGAP_EINVAL);
  assert_non_null(strstr(err.message, "WLSMV"));
  assert_int_equal(vagap_sem_missing_parse("fiml", &mi, &err), VAGAP_OK);
  assert_int_equal(mi, VAGAP_SEM_MISSING_ML);
  assert_int_equal(vagap_sem_missing_parse("ML", &mi, &err), VAGAP_EINVAL); /* lavaan: lower case */
  assert_int_equal(vagap_sem_se_parse("robust.mlr", &se, &err), VAGAP_OK);
  assert_int_equal(se, VAGAP_SEM_SE_ROBUST_HUBER_WHITE);
  vagap_sem_fit_options_t o;
  vagap_sem_fit_options_init(&o);
  assert_int_equal(vagap_sem_fit_options_resolve(&o, 0, &err), VAGAP_OK);
  assert_int_equal(o.missing, VAGAP_SEM_MISSING_LISTWISE);
  assert_int_equal(o.information, VAGAP_SEM_INFORMATION_EXPECTED);
  assert_int_equal(o.se, VAGAP_SEM_SE_STANDARD);
  assert_int_equal(o.test, VAGAP_SEM_TEST_STANDARD);
  vagap_sem_fit_options_init(&o);
  o.estimator = VAGAP_SEM_ESTIMATOR_MLR;
  vagap_sem_fit_options_resolve(&o, 0, &err);
  assert_int_equal(o.se, VAGAP_SEM_SE_ROBUST_HUBER_WHITE);
  assert_int_equal(o.test, VAGAP_SEM_TEST_YUAN_BENTLER_MPLUS);
  assert_int_equal(o.information, VAGAP_SEM_INFORMATION_OBSERVED); /* lavaan: with Huber-White SEs */
  vagap_sem_fit_options_init(&o);
  o.missing = VAGAP_SEM_MISSING_ML;
  vagap_sem_fit_options_resolve(&o, 0, &err);
  assert_int_equal(o.information, VAGAP_SEM_INFORMATION_OBSERVED);
  /* lavaan 0.6-14: MLMV is scaled.shifted, MLMVS mean.var.adjusted; a robust estimator's
     test plus "standard" is its own; plus another scaled test is refused */
  vagap_sem_fit_options_init(&o);
  o.estimator = VAGAP_SEM_ESTIMATOR_MLMV;
  assert_int_equal(vagap_sem_fit_options_resolve(&o, 0, &err), VAGAP_OK);
  assert_int_equal(o.test, VAGAP_SEM_TEST_SCALED_SHIFTED);
  assert_int_equal(o.se, VAGAP_SEM_SE_ROBUST_SEM);
  vagap_sem_fit_options_init(&o);
  o.estimator = VAGAP_SEM_ESTIMATOR_MLMVS;
  assert_int_equal(vagap_sem_fit_options_resolve(&o, 0, &err), VAGAP_OK);
  assert_int_equal(o.test, VAGAP_SEM_TEST_MEAN_VAR_ADJUSTED);
  vagap_sem_fit_options_init(&o);
  o.estimator = VAGAP_SEM_ESTIMATOR_MLR;
  o.test = VAGAP_SEM_TEST_STANDARD;
  assert_int_equal(vagap_sem_fit_options_resolve(&o, 0, &err), VAGAP_OK);
  assert_int_equal(o.test, VAGAP_SEM_TEST_YUAN_BENTLER_MPLUS);
  vagap_sem_fit_options_init(&o);
  o.estimator = VAGAP_SEM_ESTIMATOR_MLM;
  o.test = VAGAP_SEM_TEST_SCALED_SHIFTED;
  assert_int_equal(vagap_sem_fit_options_resolve(&o, 0, &err), VAGAP_EINVAL);
  assert_non_null(strstr(err.message, "two scaled tests"));
  vagap_sem_fit_options_init(&o);
  o.estimator = VAGAP_SEM_ESTIMATOR_MLR;
  o.information = VAGAP_SEM_INFORMATION_FIRST_ORDER;
  assert_int_equal(vagap_sem_fit_options_resolve(&o, 0, &err), VAGAP_EINVAL);
  /* robust ML from moments only: refused with a message saying why */
  const char *vars[] = {"x1", "x2", "x3", "x4", "x5", "x6"};
  vagap_sem_stats_t *s = stats_for(vars, 6, 1, 100);
  vagap_sem_model_t *m = build("f =~ x1 + x2 + x3\ng =~ x4 + x5 + x6\n", 1, NULL);
  vagap_sem_fit_t *fit = NULL;
  vagap_sem_fit_options_init(&o);
  o.estimator = VAGAP_SEM_ESTIMATOR_MLR;
  assert_int_equal(vagap_sem_fit(&fit, m, s, &o, &err), VAGAP_EINVAL);
  assert_non_null(strstr(err.message, "raw data rows"));
  assert_null(fit);
  vagap_sem_model_free(m);
  vagap_sem_stats_free(s);
}

int main(void) {
  vagap_init();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_gradient_matches_finite_differences),
      cmocka_unit_test(test_gradient_nonrecursive),
      cmocka_unit_test(test_lowrank_equals_dense),
      cmocka_unit_test(test_hessian_closed_form),
      cmocka_unit_test(test_three_indicator_factor_closed_form),
      cmocka_unit_test(test_regression_closed_form_and_defined),
      cmocka_unit_test(test_end_point_is_the_optimum),
      cmocka_unit_test(test_identification_and_data_errors),
      cmocka_unit_test(test_stats_merge_and_serialize),
      cmocka_unit_test(test_noncentral_chisq_cdf),
      cmocka_unit_test(test_cfi_tli_edges),
      cmocka_unit_test(test_info_spectrum),
      cmocka_unit_test(test_info_spectrum_blocks),
      cmocka_unit_test(test_jacobian_and_discrepancy_hook),
      cmocka_unit_test(test_estimation_options),
      cmocka_unit_test(test_casewise_scores_sum_to_gradient),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
