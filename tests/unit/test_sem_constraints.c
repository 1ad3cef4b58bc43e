/* Tests of modifiers and constraints in the parameter table and in the fit
   (sem_constraints.c): start values, bounds, ==, <, >, constraints texts. */
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

static vagap_sem_model_t *build(const char *text, size_t ngroups) {
  vagap_sem_syntax_t *syn = NULL;
  vagap_sem_model_t *m = NULL;
  vagap_error_t err;
  vagap_status_t st = vagap_sem_syntax_parse(&syn, text, "m.lav", &err);
  if (!st) st = vagap_sem_model_build(&m, syn, ngroups, NULL, "m.lav", &err);
  if (st) fprintf(stderr, "%ld:%ld: %s\n", err.line, err.column, err.message);
  assert_int_equal(st, VAGAP_OK);
  vagap_sem_syntax_free(syn);
  return m;
}

static void build_fails(const char *text, long line, const char *fragment) {
  vagap_sem_syntax_t *syn = NULL;
  vagap_sem_model_t *m = NULL;
  vagap_error_t err;
  assert_int_equal(vagap_sem_syntax_parse(&syn, text, "m.lav", &err), VAGAP_OK);
  vagap_status_t st = vagap_sem_model_build(&m, syn, 1, NULL, "m.lav", &err);
  vagap_sem_syntax_free(syn);
  if (st == VAGAP_OK || !strstr(err.message, fragment)) fprintf(stderr, "got %d: %s\n", st, err.message);
  assert_int_equal(st, VAGAP_EMODEL);
  assert_null(m);
  assert_int_equal(err.line, line);
  assert_string_equal(err.file, "m.lav");
  assert_non_null(strstr(err.message, fragment));
}

static const vagap_sem_param_t *find(const vagap_sem_model_t *m, const char *lhs, vagap_sem_op_t op,
                                     const char *rhs, int group) {
  for (size_t i = 0; i < m->nrows; i++)
    if (!strcmp(m->rows[i].lhs, lhs) && m->rows[i].op == op && !strcmp(m->rows[i].rhs, rhs) &&
        m->rows[i].group == group)
      return &m->rows[i];
  return NULL;
}

static void test_table_start_bounds_equal(void **state) {
  (void)state;
  vagap_sem_model_t *m = build(
      "f =~ x1 + start(0.8)*x2 + equal(\"f=~x2\")*x3 + 0.4?x4\n"
      "x2 ~~ lower(0.1)*upper(2)*x2\n"
      "g =~ start(2)*y1 + y2 + y3\n", 2);
  const vagap_sem_param_t *r = find(m, "f", VAGAP_SEM_LOADING, "x2", 1);
  assert_int_not_equal(r->free, 0);
  assert_true(r->ustart == 0.8);  /* a free row's ustart is its start value */
  /* equal("f=~x2") labels x3 with x2's lavaan name: one parameter per group */
  assert_int_equal(find(m, "f", VAGAP_SEM_LOADING, "x3", 1)->free, r->free);
  assert_string_equal(find(m, "f", VAGAP_SEM_LOADING, "x3", 1)->label, "f=~x2");
  /* a single label applies to every group: group 2's x3 too (lavaan recycles labels) */
  assert_int_equal(find(m, "f", VAGAP_SEM_LOADING, "x3", 2)->free, r->free);
  assert_true(find(m, "f", VAGAP_SEM_LOADING, "x4", 2)->ustart == 0.4);
  r = find(m, "x2", VAGAP_SEM_COVARIANCE, "x2", 2);
  assert_true(r->lower == 0.1 && r->upper == 2);
  assert_int_equal(m->has_bounds, 1);
  /* lavaan: start() on the fixed marker sets the value it is fixed at */
  r = find(m, "g", VAGAP_SEM_LOADING, "y1", 1);
  assert_int_equal(r->free, 0);
  assert_true(r->ustart == 2);
  vagap_sem_model_free(m);
}

/* growth() (int.ov.free = FALSE, int.lv.free = TRUE) and orthogonal = TRUE */
static void test_growth_and_orthogonal_tables(void **state) {
  (void)state;
  vagap_sem_syntax_t *syn = NULL;
  vagap_sem_model_t *m = NULL;
  vagap_error_t err;
  vagap_sem_model_options_t opt;
  vagap_sem_model_options_init(&opt);
  assert_int_equal(opt.int_ov_free, 1);
  assert_int_equal(opt.int_lv_free, 0);
  opt.meanstructure = 1;
  opt.int_ov_free = 0;
  opt.int_lv_free = 1;
  opt.orthogonal = 1;
  assert_int_equal(vagap_sem_syntax_parse(&syn, "i =~ 1*t1 + 1*t2 + 1*t3\ns =~ 0*t1 + 1*t2 + 2*t3\n",
                                          "g.lav", &err), VAGAP_OK);
  assert_int_equal(vagap_sem_model_build(&m, syn, 1, &opt, "g.lav", &err), VAGAP_OK);
  const vagap_sem_param_t *r = find(m, "t2", VAGAP_SEM_INTERCEPT, "", 1);
  assert_int_equal(r->free, 0);
  assert_true(r->ustart == 0);
  assert_int_not_equal(find(m, "s", VAGAP_SEM_INTERCEPT, "", 1)->free, 0);
  r = find(m, "i", VAGAP_SEM_COVARIANCE, "s", 1);
  assert_non_null(r);  /* kept in the table, fixed to 0 */
  assert_int_equal(r->free, 0);
  assert_true(r->ustart == 0);
  vagap_sem_model_free(m);
  vagap_sem_syntax_free(syn);
}

/* lavaan(): nothing automatic; each auto.* switch adds back its part of sem() */
static void test_lavaan_switch_tables(void **state) {
  (void)state;
  vagap_sem_syntax_t *syn = NULL, *con = NULL;
  vagap_sem_model_t *m = NULL;
  vagap_error_t err;
  vagap_sem_model_options_t opt;
  vagap_sem_model_options_init(&opt);
  assert_true(opt.auto_fix_first && opt.auto_fix_single && opt.auto_var && opt.auto_cov_lv_x &&
              opt.auto_cov_y && !opt.constraints);
  opt.auto_fix_first = opt.auto_fix_single = opt.auto_var = opt.auto_cov_lv_x = opt.auto_cov_y = 0;
  opt.int_ov_free = 0;
  assert_int_equal(vagap_sem_syntax_parse(&syn, "a =~ x1 + b1*x2\nb =~ x3 + x4\nc =~ x5 + x6\n"
                                          "d =~ x7\nc ~ a\nd ~ a\nx4 ~~ x4\n", "l.lav", &err), VAGAP_OK);
  assert_int_equal(vagap_sem_model_build(&m, syn, 1, &opt, "l.lav", &err), VAGAP_OK);
  const vagap_sem_param_t *r = find(m, "a", VAGAP_SEM_LOADING, "x1", 1);
  assert_int_not_equal(r->free, 0);                      /* no marker */
  r = find(m, "x1", VAGAP_SEM_COVARIANCE, "x1", 1);
  assert_int_equal(r->free, 0);                          /* auto.var = FALSE: 0 */
  assert_true(r->ustart == 0);
  assert_int_not_equal(find(m, "x4", VAGAP_SEM_COVARIANCE, "x4", 1)->free, 0); /* written: free */
  assert_null(find(m, "a", VAGAP_SEM_COVARIANCE, "b", 1)); /* no auto.cov.lv.x */
  assert_null(find(m, "c", VAGAP_SEM_COVARIANCE, "d", 1)); /* no auto.cov.y */
  vagap_sem_model_free(m);

  opt.auto_fix_first = opt.auto_var = opt.auto_fix_single = opt.auto_cov_lv_x = opt.auto_cov_y = 1;
  opt.orthogonal = 1;
  assert_int_equal(vagap_sem_syntax_parse(&con, "b1 > 0.5\n", "l.con", &err), VAGAP_OK);
  opt.constraints = con;
  opt.constraints_source = "l.con";
  assert_int_equal(vagap_sem_model_build(&m, syn, 1, &opt, "l.lav", &err), VAGAP_OK);
  assert_int_equal(find(m, "a", VAGAP_SEM_LOADING, "x1", 1)->free, 0);
  assert_int_equal(find(m, "x7", VAGAP_SEM_COVARIANCE, "x7", 1)->free, 0); /* auto.fix.single */
  assert_int_not_equal(find(m, "x1", VAGAP_SEM_COVARIANCE, "x1", 1)->free, 0);
  /* orthogonal fixes every default latent covariance, also c ~~ d between
     endogenous latents (lavaan 0.6: lv.names, not only the exogenous ones) */
  r = find(m, "a", VAGAP_SEM_COVARIANCE, "b", 1);
  assert_true(r && r->free == 0 && r->ustart == 0);
  r = find(m, "c", VAGAP_SEM_COVARIANCE, "d", 1);
  assert_true(r && r->free == 0 && r->ustart == 0);
  assert_int_equal(m->ncon, 1);                          /* the constraints text */
  assert_string_equal(m->con[0].source, "l.con");
  vagap_sem_model_free(m);
  opt.auto_var = 0;                                      /* auto.fix.single needs auto.var */
  opt.auto_fix_single = 1;
  assert_int_equal(vagap_sem_model_build(&m, syn, 1, &opt, "l.lav", &err), VAGAP_OK);
  assert_true(find(m, "x7", VAGAP_SEM_COVARIANCE, "x7", 1)->ustart == 0);
  vagap_sem_model_free(m);
  vagap_sem_syntax_free(con);
  assert_int_equal(vagap_sem_syntax_parse(&con, "b2 > 0.5\n", "l.con", &err), VAGAP_OK);
  opt.constraints = con;
  assert_int_equal(vagap_sem_model_build(&m, syn, 1, &opt, "l.lav", &err), VAGAP_EMODEL);
  assert_string_equal(err.file, "l.con");                /* located in the constraints text */
  assert_null(m);
  vagap_sem_syntax_free(con);
  vagap_sem_syntax_free(syn);
}

static void test_constraints_compile_and_errors(void **state) {
  (void)state;
  vagap_sem_model_t *m = build("y ~ b1*x1 + b2*x2\nd := b1 + b2\nb1 == 2*b2\nd > 0\n", 1);
  assert_int_equal(m->ncon, 2);
  assert_int_equal(m->con[0].op, VAGAP_SEM_CON_EQ);
  assert_string_equal(m->con[0].rhs, "2*b2");
  assert_int_equal(m->con[1].line, 4);
  assert_int_equal(m->ndefs, 1);
  /* a constraints text (lavaan's constraints=): only ==, <, > */
  vagap_sem_syntax_t *syn = NULL;
  vagap_error_t err;
  assert_int_equal(vagap_sem_syntax_parse(&syn, "\nb2 < 1\n", "c.txt", &err), VAGAP_OK);
  assert_int_equal(vagap_sem_model_add_constraints(m, syn, "c.txt", &err), VAGAP_OK);
  assert_int_equal(m->ncon, 3);
  assert_string_equal(m->con[2].source, "c.txt");
  assert_int_equal(m->con[2].line, 2);
  vagap_sem_syntax_free(syn);
  assert_int_equal(vagap_sem_syntax_parse(&syn, "b1 == q\n", "c.txt", &err), VAGAP_OK);
  assert_int_equal(vagap_sem_model_add_constraints(m, syn, "c.txt", &err), VAGAP_EMODEL);
  assert_string_equal(err.file, "c.txt");
  assert_non_null(strstr(err.message, "unknown label 'q'"));
  vagap_sem_syntax_free(syn);
  assert_int_equal(vagap_sem_syntax_parse(&syn, "e := b1\n", "c.txt", &err), VAGAP_OK);
  assert_int_equal(vagap_sem_model_add_constraints(m, syn, "c.txt", &err), VAGAP_EPARSE);
  assert_non_null(strstr(err.message, "only ==, < and >"));
  vagap_sem_syntax_free(syn);
  vagap_sem_model_free(m);
  build_fails("y ~ b1*x1 + b2*x2\nb1 == zz\n", 2, "unknown label 'zz'");
  build_fails("y ~ q*1*x1 + b2*x2\nq > 0\n", 2, "no free parameter");
}

/* ---- fits on generated data ------------------------------------------------------- */

static vagap_sem_stats_t *factor_data(size_t ngroups, size_t n) {
  const char *vars[] = {"x1", "x2", "x3", "x4", "x5", "x6"};
  vagap_sem_stats_t *s = NULL;
  vagap_error_t err;
  assert_int_equal(vagap_sem_stats_alloc(&s, ngroups, 6, vars, NULL, &err), VAGAP_OK);
  double *x = malloc(n * ngroups * 6 * sizeof *x);
  size_t *g = malloc(n * ngroups * sizeof *g);
  unsigned st = 12345u;
  for (size_t i = 0; i < n * ngroups; i++) {
    double z[8];
    for (int k = 0; k < 8; k++) {  /* Box-Muller from a linear congruential generator */
      st = st * 1103515245u + 12345u;
      double u1 = ((st >> 8) + 0.5) / 16777216.0;
      st = st * 1103515245u + 12345u;
      double u2 = ((st >> 8) + 0.5) / 16777216.0;
      z[k] = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
    }
    g[i] = i / n;
    double f1 = z[0], f2 = 0.4 * z[0] + 0.9 * z[1];
    for (size_t j = 0; j < 6; j++)
      x[i * 6 + j] = (j < 3 ? f1 : f2) * (0.7 + 0.15 * (double)(j % 3)) + 0.6 * z[2 + j] + 0.2 * (double)g[i];
  }
  assert_int_equal(vagap_sem_stats_compute(s, x, g, n * ngroups, &err), VAGAP_OK);
  free(x);
  free(g);
  return s;
}

static vagap_sem_fit_t *fit(const char *text, const vagap_sem_stats_t *s) {
  vagap_sem_model_t *m = build(text, s->ngroups);
  vagap_sem_fit_t *f = NULL;
  vagap_error_t err;
  vagap_status_t st = vagap_sem_fit(&f, m, s, NULL, &err);
  if (st) fprintf(stderr, "%s\n", err.message);
  assert_int_equal(st, VAGAP_OK);
  vagap_sem_model_free(m);
  return f;
}

static const vagap_sem_param_t *row(const vagap_sem_fit_t *f, const char *lhs, const char *rhs, int g) {
  const vagap_sem_param_t *r = find(f->model, lhs, VAGAP_SEM_LOADING, rhs, g);
  if (!r) r = find(f->model, lhs, VAGAP_SEM_COVARIANCE, rhs, g);
  assert_non_null(r);
  return r;
}

/* Start values move where the optimiser begins, not where it ends. */
static void test_start_values_do_not_move_the_optimum(void **state) {
  (void)state;
  vagap_sem_stats_t *s = factor_data(1, 300);
  vagap_sem_fit_t *a = fit("f =~ x1 + x2 + x3\ng =~ x4 + x5 + x6\n", s);
  vagap_sem_fit_t *b = fit("f =~ x1 + start(9)*x2 + -4?x3\ng =~ x4 + x5 + x6\nx1 ~~ start(20)*x1\n"
                           "f ~~ start(-0.9)*g\n", s);
  assert_int_equal(a->model->nrows, b->model->nrows);
  for (size_t r = 0; r < a->model->nrows; r++) {  /* b's user rows come first: match by name */
    const vagap_sem_param_t *ra = &a->model->rows[r];
    const vagap_sem_param_t *rb = find(b->model, ra->lhs, ra->op, ra->rhs, ra->group);
    assert_non_null(rb);
    assert_true(fabs(ra->est - rb->est) < 1e-7);
    assert_true(fabs(ra->se - rb->se) < 1e-7);
  }
  assert_true(fabs(a->fit.chisq - b->fit.chisq) < 1e-8);
  vagap_sem_fit_free(a);
  vagap_sem_fit_free(b);
  vagap_sem_stats_free(s);
}

/* a == b is the same model as the shared label: same optimum, SEs, df. */
static void test_linear_equality_equals_shared_label(void **state) {
  (void)state;
  vagap_sem_stats_t *s = factor_data(2, 200);
  vagap_sem_fit_t *shared = fit("f =~ x1 + a*x2 + a*x3\ng =~ x4 + c(b1, b1)*x5 + x6\n", s);
  vagap_sem_fit_t *con = fit("f =~ x1 + a*x2 + a2*x3\ng =~ x4 + c(b1, b2)*x5 + x6\na == a2\nb1 == b2\n", s);
  assert_int_equal(shared->model->nrows, con->model->nrows);
  for (size_t r = 0; r < con->model->nrows; r++) {
    assert_true(fabs(shared->model->rows[r].est - con->model->rows[r].est) < 1e-6);
    assert_true(fabs(shared->model->rows[r].se / con->model->rows[r].se - 1) < 1e-5 ||
                shared->model->rows[r].se == 0);
  }
  assert_true(fabs(shared->fit.chisq - con->fit.chisq) < 1e-7);
  assert_true(shared->fit.df == con->fit.df);
  assert_true(shared->fit.npar == con->fit.npar);
  assert_true(fabs(shared->fit.aic - con->fit.aic) < 1e-6);
  assert_int_equal(con->model->ncon, 2);
  assert_true(fabs(con->model->con[0].value) < 1e-9);
  vagap_sem_fit_free(shared);
  vagap_sem_fit_free(con);
  vagap_sem_stats_free(s);
}

/* An active inequality pins its parameter (SE 0, z and p NA) and leaves df alone;
   an inactive one changes nothing. */
static void test_inequalities(void **state) {
  (void)state;
  vagap_sem_stats_t *s = factor_data(1, 300);
  vagap_sem_fit_t *free_fit = fit("f =~ x1 + a*x2 + x3\ng =~ x4 + x5 + x6\n", s);
  double a_hat = row(free_fit, "f", "x2", 1)->est;
  char text[256];
  snprintf(text, sizeof text, "f =~ x1 + a*x2 + x3\ng =~ x4 + x5 + x6\na > %.6f\n", a_hat + 0.2);
  vagap_sem_fit_t *act = fit(text, s);
  const vagap_sem_param_t *r = row(act, "f", "x2", 1);
  assert_true(fabs(r->est - (a_hat + 0.2)) < 1e-6);
  assert_true(r->se == 0 && isnan(r->z) && isnan(r->pvalue));
  assert_int_equal(act->model->con[0].active, 1);
  assert_true(act->fit.df == free_fit->fit.df);   /* lavaan: inequalities never change df */
  assert_true(act->fit.chisq > free_fit->fit.chisq);
  snprintf(text, sizeof text, "f =~ x1 + a*x2 + x3\ng =~ x4 + x5 + x6\na < %.6f\n", a_hat + 0.2);
  vagap_sem_fit_t *inact = fit(text, s);
  assert_int_equal(inact->model->con[0].active, 0);
  assert_true(fabs(row(inact, "f", "x2", 1)->est - a_hat) < 1e-6);
  assert_true(fabs(row(inact, "f", "x2", 1)->se / row(free_fit, "f", "x2", 1)->se - 1) < 1e-5);
  vagap_sem_fit_free(free_fit);
  vagap_sem_fit_free(act);
  vagap_sem_fit_free(inact);
  vagap_sem_stats_free(s);
}

/* A nonlinear equality holds at the solution and takes one df. */
static void test_nonlinear_equality_and_bounds(void **state) {
  (void)state;
  vagap_sem_stats_t *s = factor_data(1, 300);
  vagap_sem_fit_t *f0 = fit("f =~ x1 + a*x2 + b*x3\ng =~ x4 + x5 + x6\n", s);
  vagap_sem_fit_t *f = fit("f =~ x1 + a*x2 + b*x3\ng =~ x4 + x5 + x6\na^2 + b^2 == 2\n", s);
  double a = row(f, "f", "x2", 1)->est, b = row(f, "f", "x3", 1)->est;
  assert_true(fabs(a * a + b * b - 2) < 1e-9);
  assert_true(f->fit.df == f0->fit.df + 1);
  assert_true(f->fit.npar == f0->fit.npar - 1);
  assert_true(row(f, "f", "x2", 1)->se > 0);
  /* a bound that binds: estimate at the bound, p NA, SE as without the bound (lavaan 0.6-14) */
  double v = row(f0, "x1", "x1", 1)->est;
  char text[256];
  char bound[32];
  snprintf(bound, sizeof bound, "%.6f", v + 0.1);
  snprintf(text, sizeof text, "f =~ x1 + a*x2 + b*x3\ng =~ x4 + x5 + x6\nx1 ~~ lower(%s)*x1\n", bound);
  vagap_sem_fit_t *fb = fit(text, s);
  const vagap_sem_param_t *r = row(fb, "x1", "x1", 1);
  assert_true(fabs(r->est - strtod(bound, NULL)) < 1e-9);
  assert_true(isnan(r->pvalue) && r->se > 0 && isfinite(r->z));
  assert_true(fb->fit.df == f0->fit.df);
  vagap_sem_fit_free(f0);
  vagap_sem_fit_free(f);
  vagap_sem_fit_free(fb);
  vagap_sem_stats_free(s);
}

int main(void) {
  vagap_init();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_table_start_bounds_equal),
      cmocka_unit_test(test_growth_and_orthogonal_tables),
      cmocka_unit_test(test_lavaan_switch_tables),
      cmocka_unit_test(test_constraints_compile_and_errors),
      cmocka_unit_test(test_start_values_do_not_move_the_optimum),
      cmocka_unit_test(test_linear_equality_equals_shared_label),
      cmocka_unit_test(test_inequalities),
      cmocka_unit_test(test_nonlinear_equality_and_bounds),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
