/* Tests of the simulation machinery (simulate.c) and Monte Carlo power summaries (power.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "vagap/vagap.h"
#include "vagap/power.h"
#include "vagap/simulate.h"

/* ---- streams ----------------------------------------------------------------- */

static void test_splitmix64_reference(void **state) {
  (void)state;
  /* Vigna's splitmix64.c from state 0: the first two outputs */
  assert_true(vagap_sim_splitmix64(0) == UINT64_C(0xe220a8397b1dcdaf));
  assert_true(vagap_sim_splitmix64(UINT64_C(0x9e3779b97f4a7c15)) == UINT64_C(0x6e789e6aa1b965f4));
}

static void test_stream_keys_distinct(void **state) {
  (void)state;
  /* the key depends on every component and on their order */
  uint64_t k = vagap_sim_stream_key(1, 2, 3);
  assert_true(k != vagap_sim_stream_key(1, 3, 2));
  assert_true(k != vagap_sim_stream_key(2, 2, 3));
  assert_true(k != vagap_sim_stream_key(1, 2, 4));
  assert_true(k == vagap_sim_stream_key(1, 2, 3));
  /* no collision of the 32-bit generator seeds over a small grid */
  enum { NC = 8, NR = 500 };
  uint32_t *seen = malloc(NC * NR * sizeof *seen);
  for (uint64_t c = 0; c < NC; c++)
    for (uint64_t r = 0; r < NR; r++) seen[c * NR + r] = (uint32_t)(vagap_sim_stream_key(9, c + 1, r + 1) >> 32);
  for (size_t i = 0; i < NC * NR; i++)
    for (size_t j = i + 1; j < NC * NR; j++) assert_true(seen[i] != seen[j]);
  free(seen);
}

/* ---- exact sums ----------------------------------------------------------------- */

static void test_xsum_order_independent(void **state) {
  (void)state;
  /* terms of very different magnitudes, where a double sum depends on the order */
  double v[] = {1e100, 1.0, -1e100, 1e-300, 3.5, -2.25e-17, 7e15, -7e15, 0.1, 4.9e-324};
  size_t n = sizeof v / sizeof v[0];
  vagap_xsum_t fwd, bwd, a, b;
  vagap_xsum_init(&fwd);
  vagap_xsum_init(&bwd);
  for (size_t i = 0; i < n; i++) vagap_xsum_add(&fwd, v[i]);
  for (size_t i = n; i-- > 0;) vagap_xsum_add(&bwd, v[i]);
  char sf[VAGAP_XSUM_TEXT_MAX], sb[VAGAP_XSUM_TEXT_MAX];
  vagap_xsum_format(&fwd, sf, sizeof sf);
  vagap_xsum_format(&bwd, sb, sizeof sb);
  assert_string_equal(sf, sb);
  /* the split 0..3 | 4..n merges to the same exact value */
  vagap_xsum_init(&a);
  vagap_xsum_init(&b);
  for (size_t i = 0; i < 4; i++) vagap_xsum_add(&a, v[i]);
  for (size_t i = 4; i < n; i++) vagap_xsum_add(&b, v[i]);
  vagap_xsum_merge(&b, &a);
  vagap_xsum_format(&b, sb, sizeof sb);
  assert_string_equal(sf, sb);
  /* the true sum is 4.6 + 1e-300 - 2.25e-17 + ...: rounded it is 1 + 3.5 + 0.1 - 2.25e-17 */
  assert_true(fabs(vagap_xsum_value(&fwd) - (4.6 - 2.25e-17)) < 1e-15);
}

static void test_xsum_text_round_trip(void **state) {
  (void)state;
  double v[] = {-0.75, 1e-310, 123456.789, -1e200};
  vagap_xsum_t s, t;
  vagap_xsum_init(&s);
  for (size_t i = 0; i < 4; i++) vagap_xsum_add(&s, v[i]);
  char a[VAGAP_XSUM_TEXT_MAX], b[VAGAP_XSUM_TEXT_MAX];
  vagap_xsum_format(&s, a, sizeof a);
  assert_true(a[0] == '-'); /* -1e200 dominates */
  assert_int_equal(vagap_xsum_parse(&t, a, NULL), VAGAP_OK);
  vagap_xsum_format(&t, b, sizeof b);
  assert_string_equal(a, b);
  assert_true(vagap_xsum_value(&t) == vagap_xsum_value(&s));
  /* small exact values read as expected */
  assert_int_equal(vagap_xsum_parse(&t, "0x3p-1", NULL), VAGAP_EPARSE); /* exponent off a limb boundary */
  assert_int_equal(vagap_xsum_parse(&t, "0x3p-32", NULL), VAGAP_OK);
  assert_true(vagap_xsum_value(&t) == 3.0 / 4294967296.0);
  assert_int_equal(vagap_xsum_parse(&t, "0", NULL), VAGAP_OK);
  assert_true(vagap_xsum_value(&t) == 0.0);
  vagap_xsum_format(&t, b, sizeof b);
  assert_string_equal(b, "0");
  vagap_error_t err;
  assert_int_equal(vagap_xsum_parse(&t, "0.5", &err), VAGAP_EPARSE);
  assert_non_null(strstr(err.message, "exact sum"));
  assert_int_equal(vagap_xsum_parse(&t, "0xzp0", &err), VAGAP_EPARSE);
  vagap_xsum_add(&s, NAN);
  assert_true(isnan(vagap_xsum_value(&s)));
  vagap_xsum_format(&s, a, sizeof a);
  assert_string_equal(a, "nan");
}

static void test_xsum_many_terms(void **state) {
  (void)state;
  /* 10^6 terms of 0.1: the exact sum of the double 0.1 a million times */
  vagap_xsum_t s;
  vagap_xsum_init(&s);
  for (int i = 0; i < 1000000; i++) vagap_xsum_add(&s, 0.1);
  /* exactly 1e6 times the double nearest 0.1 = 100000.0000000000055511...; a plain
     double sum drifts to 100000.0000013329 */
  double naive = 0.0;
  for (int i = 0; i < 1000000; i++) naive += 0.1;
  assert_true(fabs(naive - 100000.0) > 1e-7);
  assert_true(fabs(vagap_xsum_value(&s) - 100000.0) <= 1.5e-11);
}

/* ---- runner ------------------------------------------------------------------------ */

static vagap_status_t draw_two(void *ctx, void *ws, size_t cond, uint64_t rep, gsl_rng *rng,
                               double *out, vagap_error_t *err) {
  (void)ctx, (void)ws, (void)err;
  out[0] = gsl_ran_gaussian(rng, 1.0) + (double)cond;
  out[1] = (double)rep;
  return VAGAP_OK;
}

static vagap_status_t fail_at_7(void *ctx, void *ws, size_t cond, uint64_t rep, gsl_rng *rng,
                                double *out, vagap_error_t *err) {
  (void)ctx, (void)ws, (void)rng;
  out[0] = 0;
  if (rep >= 7)
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "fail at %zu/%llu", cond,
                           (unsigned long long)rep);
  return VAGAP_OK;
}

static void test_runner_split_and_threads(void **state) {
  (void)state;
  enum { NC = 3, NR = 40 };
  double all1[NC * NR * 2], all2[NC * NR * 2], part[NC * 25 * 2];
  vagap_sim_plan_t p = {.ncond = NC, .rep_from = 1, .rep_to = NR, .nout = 2, .seed = 42,
                        .threads = 1, .replicate = draw_two};
  assert_int_equal(vagap_sim_run(&p, all1, NULL, NULL), VAGAP_OK);
  p.threads = 2;
  assert_int_equal(vagap_sim_run(&p, all2, NULL, NULL), VAGAP_OK);
  assert_memory_equal(all1, all2, sizeof all1);
  /* replications 16..40 alone give the same draws as inside the whole run */
  p.rep_from = 16;
  p.threads = 3;
  assert_int_equal(vagap_sim_run(&p, part, NULL, NULL), VAGAP_OK);
  for (size_t c = 0; c < NC; c++)
    for (size_t r = 0; r < 25; r++) {
      assert_true(part[(c * 25 + r) * 2] == all1[(c * NR + r + 15) * 2]);
      assert_true(part[(c * 25 + r) * 2 + 1] == (double)(r + 16));
    }
  /* a task range (one MPI rank's block) holds exactly those tasks of the whole run */
  double block[37 * 2];
  vagap_sim_plan_t q = p;
  q.rep_from = 1;
  q.task_from = 31;
  q.task_to = 68;
  assert_int_equal(vagap_sim_run(&q, block, NULL, NULL), VAGAP_OK);
  assert_memory_equal(block, all1 + 31 * 2, sizeof block);
  q.task_to = NC * NR + 1;
  assert_int_equal(vagap_sim_run(&q, block, NULL, NULL), VAGAP_EINVAL);
  /* another seed, other draws */
  p.seed = 43;
  assert_int_equal(vagap_sim_run(&p, part, NULL, NULL), VAGAP_OK);
  assert_true(part[0] != all1[15 * 2]);
}

static void test_runner_first_failure(void **state) {
  (void)state;
  double out[2 * 10];
  vagap_error_t err;
  vagap_sim_plan_t p = {.ncond = 2, .rep_from = 1, .rep_to = 10, .nout = 1, .seed = 1,
                        .threads = 2, .replicate = fail_at_7};
  size_t failed;
  assert_int_equal(vagap_sim_run(&p, out, &failed, &err), VAGAP_ENOMEM);
  assert_string_equal(err.message, "fail at 1/7"); /* the first in task order, whatever the threads */
  assert_int_equal(failed, 6);
  p.rep_from = 3;
  p.rep_to = 2;
  assert_int_equal(vagap_sim_run(&p, out, NULL, &err), VAGAP_EINVAL);
}

/* ---- multivariate normal ------------------------------------------------------------ */

static void test_mvnorm_moments(void **state) {
  (void)state;
  const double sigma[] = {4, 1.2, 0, 1.2, 1, -0.3, 0, -0.3, 2};
  const double mu[] = {1, -2, 0.5};
  double L[9];
  assert_int_equal(vagap_sim_cholesky(sigma, 3, L, NULL), VAGAP_OK);
  enum { N = 40000 };
  double *x = malloc(N * 3 * sizeof *x);
  gsl_rng *rng = gsl_rng_alloc(vagap_sim_rng_type());
  vagap_sim_rng_seed(rng, 5, 1, 1);
  vagap_sim_mvnorm(rng, N, 3, mu, L, x);
  double m[3] = {0}, s[9] = {0};
  for (size_t i = 0; i < N; i++)
    for (size_t j = 0; j < 3; j++) m[j] += x[i * 3 + j] / N;
  for (size_t i = 0; i < N; i++)
    for (size_t j = 0; j < 3; j++)
      for (size_t k = 0; k < 3; k++) s[j * 3 + k] += (x[i * 3 + j] - m[j]) * (x[i * 3 + k] - m[k]) / (N - 1);
  /* 4 Monte Carlo SEs: SE(mean) = sqrt(s_jj / N), SE(cov_jk) = sqrt((s_jj s_kk + s_jk^2) / N) */
  for (size_t j = 0; j < 3; j++) {
    assert_true(fabs(m[j] - mu[j]) < 4 * sqrt(sigma[j * 4] / N));
    for (size_t k = 0; k < 3; k++) {
      double se = sqrt((sigma[j * 4] * sigma[k * 4] + sigma[j * 3 + k] * sigma[j * 3 + k]) / N);
      assert_true(fabs(s[j * 3 + k] - sigma[j * 3 + k]) < 4 * se);
    }
  }
  gsl_rng_free(rng);
  free(x);
  const double bad[] = {1, 2, 2, 1};
  vagap_error_t err;
  assert_int_equal(vagap_sim_cholesky(bad, 2, L, &err), VAGAP_EDOMAIN);
  assert_non_null(strstr(err.message, "not positive definite"));
}

/* ---- power summaries ------------------------------------------------------------------ */

static void test_power_acc_merge_exact(void **state) {
  (void)state;
  gsl_rng *rng = gsl_rng_alloc(vagap_sim_rng_type());
  double work[30];
  vagap_power_acc_t whole, a, b;
  vagap_power_acc_init(&whole, 1, 60);
  vagap_power_acc_init(&a, 1, 25);
  vagap_power_acc_init(&b, 26, 60);
  for (uint64_t r = 1; r <= 60; r++) {
    vagap_power_draw_t d;
    vagap_sim_rng_seed(rng, 3, 1, r);
    assert_int_equal(vagap_power_paired_gap_draw(rng, 0.4, 30, 0.05, 0.95, work, &d, NULL), VAGAP_OK);
    assert_true(d.conf_low < d.estimate && d.estimate < d.conf_high);
    vagap_power_acc_add(&whole, &d, 0.4);
    vagap_power_acc_add(r <= 25 ? &a : &b, &d, 0.4);
  }
  whole.rep_to = 60; /* acc_add does not move the range */
  assert_int_equal(vagap_power_acc_merge(&b, &a, NULL), VAGAP_OK);
  assert_true(b.rep_from == 1 && b.rep_to == 60 && b.replications == 60);
  vagap_power_summary_t s1, s2;
  assert_int_equal(vagap_power_summarize(&whole, 0.4, 0.95, &s1, NULL), VAGAP_OK);
  assert_int_equal(vagap_power_summarize(&b, 0.4, 0.95, &s2, NULL), VAGAP_OK);
  assert_memory_equal(&s1, &s2, sizeof s1);
  assert_true(s1.power_conf_low < s1.power && s1.power < s1.power_conf_high);
  /* overlapping and gapped ranges are refused */
  vagap_power_acc_t c;
  vagap_error_t err;
  vagap_power_acc_init(&c, 50, 70);
  assert_int_equal(vagap_power_acc_merge(&b, &c, &err), VAGAP_EINVAL);
  assert_non_null(strstr(err.message, "overlap"));
  vagap_power_acc_init(&c, 62, 70);
  assert_int_equal(vagap_power_acc_merge(&b, &c, &err), VAGAP_EINVAL);
  assert_non_null(strstr(err.message, "gap"));
  gsl_rng_free(rng);
}

static void test_paired_analytic_power(void **state) {
  (void)state;
  /* R 4.x: power.t.test(n=20, delta=0.5, sd=1, type="paired", strict=TRUE)$power
     = 0.564504418439084, and n=50, delta=0.3: 0.547657038970958 (R's pt(ncp=) is
     accurate to about 1e-12) */
  assert_true(fabs(vagap_power_paired_analytic(0.5, 20, 0.05) - 0.564504418439084) < 1e-10);
  assert_true(fabs(vagap_power_paired_analytic(0.3, 50, 0.05) - 0.547657038970958) < 1e-10);
  /* under H0 the two-sided power is alpha */
  assert_true(fabs(vagap_power_paired_analytic(0.0, 15, 0.05) - 0.05) < 1e-12);
  assert_true(isnan(vagap_power_paired_analytic(0.5, 1, 0.05)));
}

/* ---- population moments ------------------------------------------------------------ */

static vagap_sem_model_t *population_model(const char *text, size_t ngroups) {
  vagap_sem_syntax_t *syn = NULL;
  vagap_sem_model_t *m = NULL;
  vagap_sem_model_options_t o;
  vagap_sem_model_options_init(&o);
  o.std_lv = 1;
  o.fixed_x = 0;
  assert_int_equal(vagap_sem_syntax_parse(&syn, text, "pop", NULL), VAGAP_OK);
  assert_int_equal(vagap_sem_model_build(&m, syn, ngroups, &o, "pop", NULL), VAGAP_OK);
  vagap_sem_syntax_free(syn);
  return m;
}

static size_t ov(const vagap_sem_model_t *m, const char *name) {
  for (size_t i = 0; i < m->nov; i++)
    if (!strcmp(m->ov[i], name)) return i;
  fail_msg("no variable %s", name);
  return 0;
}

/* vagap_power_sem_find finds rows of the groups `want` (n of them; 0 for a := row), in order. */
static void expect_rows(const vagap_sem_model_t *m, const char *param, const size_t *groups,
                        size_t ngroups, const int *want, size_t n) {
  size_t rows[4], got;
  assert_int_equal(vagap_power_sem_find(m, param, groups, ngroups, rows, &got, NULL), VAGAP_OK);
  assert_int_equal(got, n);
  for (size_t k = 0; k < n; k++) assert_int_equal(m->rows[rows[k]].group, want[k]);
}

/* --param names one row per group, as parameterEstimates() lists them; --param-group picks groups. */
static void test_power_param_rows_per_group(void **state) {
  (void)state;
  vagap_sem_syntax_t *syn = NULL;
  vagap_sem_model_t *m = NULL;
  vagap_sem_model_options_t o;
  vagap_sem_model_options_init(&o);
  const char *text = "f =~ c(1, NA)*x1 + x2 + x3\ny ~ c(b1, b2)*f\nd := b1 - b2\n";
  assert_int_equal(vagap_sem_syntax_parse(&syn, text, "fit", NULL), VAGAP_OK);
  assert_int_equal(vagap_sem_model_build(&m, syn, 2, &o, "fit", NULL), VAGAP_OK);
  size_t rows[2], n, one[] = {1}, both[] = {2, 1};
  vagap_error_t err;
  expect_rows(m, "y ~ f", NULL, 0, (const int[]){1, 2}, 2);
  expect_rows(m, "b2", NULL, 0, (const int[]){2}, 1);
  /* the marker loading is fixed in group 1 only: every group asks for group 2's row */
  expect_rows(m, "f=~x1", NULL, 0, (const int[]){2}, 1);
  assert_int_equal(vagap_power_sem_find(m, "f=~x1", one, 1, rows, &n, &err), VAGAP_EINVAL);
  assert_non_null(strstr(err.message, "fixed in group 1"));
  expect_rows(m, "f=~x2", both, 2, (const int[]){2, 1}, 2);
  expect_rows(m, "d", NULL, 0, (const int[]){0}, 1);
  assert_int_equal(vagap_power_sem_find(m, "d", one, 1, rows, &n, &err), VAGAP_EINVAL);
  assert_int_equal(vagap_power_sem_find(m, "b1", both, 2, rows, &n, &err), VAGAP_EINVAL);
  assert_non_null(strstr(err.message, "in group 2"));
  assert_int_equal(vagap_power_sem_find(m, "y~x9", NULL, 0, rows, &n, &err), VAGAP_EINVAL);
  vagap_sem_model_free(m);
  vagap_sem_syntax_free(syn);
}

static void test_sem_moments_by_hand(void **state) {
  (void)state;
  /* var(x1) = .8^2 + .36 = 1; cov(x1, x2) = .8 * .7; cov(x1, y1) = .8 * .4 * .7;
     var(f2) = .4^2 + .84 = 1 so var(y1) = .49 + .51; unspecified y2 residual: 1 */
  vagap_sem_model_t *m = population_model(
      "f1 =~ 0.8*x1 + 0.7*x2\nf2 =~ 0.7*y1 + 0.6*y2\nf2 ~ 0.4*f1\n"
      "x1 ~~ 0.36*x1\ny1 ~~ 0.51*y1\nf2 ~~ 0.84*f2\nx2 ~ 3*1\n", 1);
  size_t p = m->nov, nzero = 9;
  double mu[4], sigma[16];
  assert_int_equal(p, 4);
  assert_int_equal(vagap_sim_sem_moments(m, 0, mu, sigma, &nzero, NULL), VAGAP_OK);
  assert_int_equal(nzero, 0);
  size_t x1 = ov(m, "x1"), x2 = ov(m, "x2"), y1 = ov(m, "y1"), y2 = ov(m, "y2");
  assert_true(fabs(sigma[x1 * p + x1] - 1.0) < 1e-15);
  assert_true(fabs(sigma[x1 * p + x2] - 0.56) < 1e-15);
  assert_true(fabs(sigma[x1 * p + y1] - 0.224) < 1e-15);
  assert_true(fabs(sigma[y1 * p + x1] - 0.224) < 1e-15);
  assert_true(fabs(sigma[y1 * p + y1] - 1.0) < 1e-15);
  assert_true(fabs(sigma[y2 * p + y2] - (0.36 + 1.0)) < 1e-15);
  assert_true(mu[x2] == 3.0 && mu[x1] == 0.0);
  assert_int_equal(vagap_sim_sem_moments(m, 1, mu, sigma, NULL, NULL), VAGAP_EINVAL);
  vagap_sem_model_free(m);
  /* a regression without a value is 0, and counted */
  m = population_model("y ~ x + 0.5*z\n", 1);
  double mu3[3], s3[9];
  assert_int_equal(vagap_sim_sem_moments(m, 0, mu3, s3, &nzero, NULL), VAGAP_OK);
  assert_int_equal(nzero, 1);
  size_t y = ov(m, "y"), z = ov(m, "z");
  assert_true(fabs(s3[y * 3 + y] - 1.25) < 1e-15 && fabs(s3[y * 3 + z] - 0.5) < 1e-15);
  vagap_sem_model_free(m);
}


/* Draw replication r of a design with and without its start; both fits' draws. */
static void draw_both(vagap_power_sem_t *d, const double *start, uint64_t r, vagap_power_draw_t *with,
                      vagap_power_draw_t *without) {
  gsl_rng *rng = gsl_rng_alloc(vagap_sim_rng_type());
  vagap_power_sem_ws_t *ws = vagap_power_sem_ws_alloc(d);
  vagap_error_t err;
  assert_non_null(ws);
  d->start = start;
  vagap_sim_rng_seed(rng, 11, 1, r);
  assert_int_equal(vagap_power_sem_draw(rng, d, ws, with, &err), VAGAP_OK);
  d->start = NULL;
  vagap_sim_rng_seed(rng, 11, 1, r);
  assert_int_equal(vagap_power_sem_draw(rng, d, ws, without, &err), VAGAP_OK);
  vagap_power_sem_ws_free(ws);
  gsl_rng_free(rng);
}

/* A replication fitted from the population estimates (design.start: whitened L-BFGS and
   scoring polish) reaches the optimum of the fit without a start; a start where the
   implied covariance matrix is singular falls back to exactly the fit without one. */
static void test_power_sem_start_same_optimum(void **state) {
  (void)state;
  vagap_sem_model_t *pop = population_model("f1 =~ 0.7*x1 + 0.6*x2 + 0.5*x3\nf2 =~ 0.7*y1 + 0.6*y2 + 0.5*y3\n"
                                            "f1 ~~ 0.3*f2\n", 2);
  size_t p = pop->nov;
  double mu[2 * 6], sigma[2 * 36], chol[2 * 36];
  assert_int_equal(p, 6);
  for (size_t g = 0; g < 2; g++) {
    assert_int_equal(vagap_sim_sem_moments(pop, g, mu + g * p, sigma + g * p * p, NULL, NULL), VAGAP_OK);
    assert_int_equal(vagap_sim_cholesky(sigma + g * p * p, p, chol + g * p * p, NULL), VAGAP_OK);
  }
  vagap_sem_syntax_t *syn = NULL;
  vagap_sem_model_t *fit_model = NULL;
  vagap_sem_model_options_t mo;
  vagap_sem_model_options_init(&mo);
  assert_int_equal(vagap_sem_syntax_parse(&syn, "f1 =~ x1 + x2 + x3\nf2 =~ y1 + y2 + y3\n", "fit", NULL), VAGAP_OK);
  assert_int_equal(vagap_sem_model_build(&fit_model, syn, 2, &mo, "fit", NULL), VAGAP_OK);
  /* the start: the fit model on the population moments */
  vagap_sem_stats_t *stats = NULL;
  assert_int_equal(vagap_sem_stats_alloc(&stats, 2, p, (const char *const *)pop->ov, NULL, NULL), VAGAP_OK);
  for (size_t g = 0; g < 2; g++) {
    stats->n[g] = 120;
    memcpy(stats->mean + g * p, mu + g * p, p * sizeof *mu);
    memcpy(stats->cov + g * p * p, sigma + g * p * p, p * p * sizeof *sigma);
  }
  vagap_sem_fit_t *popfit = NULL;
  assert_int_equal(vagap_sem_fit(&popfit, fit_model, stats, NULL, NULL), VAGAP_OK);
  size_t rows[2], nrows;
  assert_int_equal(vagap_power_sem_find(fit_model, "f1~~f2", NULL, 0, rows, &nrows, NULL), VAGAP_OK);
  vagap_sem_fit_options_t fo;
  vagap_sem_fit_options_init(&fo);
  const size_t n[2] = {120, 120};
  vagap_power_sem_t d = {.ngroups = 2, .nvar = p, .var = (const char *const *)pop->ov, .n = n, .mu = mu,
                         .chol = chol, .fit_model = fit_model, .target = rows[1], .fit_opt = &fo,
                         .alpha = 0.05};
  double worst = 0;
  int converged = 0;
  for (uint64_t r = 1; r <= 25; r++) {
    vagap_power_draw_t a, b;
    draw_both(&d, popfit->x, r, &a, &b);
    assert_int_equal(isfinite(a.estimate), isfinite(b.estimate)); /* converged both, or neither */
    if (!isfinite(b.estimate)) continue;
    converged++;
    worst = fmax(worst, fabs(a.estimate - b.estimate));
    assert_true(fabs(a.std_error - b.std_error) < 1e-6 * b.std_error);
    assert_int_equal(a.reject, b.reject);
    assert_int_equal(a.admissible, b.admissible);
  }
  assert_true(converged >= 20);
  assert_true(worst < 1e-6);
  /* residual variances 0: Sigma singular at the start, the ordinary search decides */
  double *zero = calloc(fit_model->npar, sizeof *zero);
  vagap_power_draw_t a, b;
  draw_both(&d, zero, 3, &a, &b);
  assert_true(a.estimate == b.estimate && a.std_error == b.std_error);
  free(zero);
  vagap_sem_fit_free(popfit);
  vagap_sem_stats_free(stats);
  vagap_sem_model_free(fit_model);
  vagap_sem_syntax_free(syn);
  vagap_sem_model_free(pop);
}

/* ---- Vale-Maurelli ---------------------------------------------------------------- */

/* Fleishman coefficients (b, c, d) as R's nlminb finds them from (1, 0, 0) on lavaan's
   objective (lavaan 0.6-14 ValeMaurelli1983; objective below 2e-18 at each). */
static void test_fleishman_matches_lavaan(void **state) {
  (void)state;
  const double t[][5] = {{1, 1.5, 0.9530768971, 0.1631942763, 0.0065973698},
                         {2, 7, 0.7615852749, 0.2600225990, 0.0530722735},
                         {-1, 3, 0.8322163229, -0.1283967094, 0.0480320591},
                         {0.5, 0, 1.0399460397, 0.0926235741, -0.0164608565}};
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
    double c[4];
    assert_int_equal(vagap_sim_fleishman(t[i][0], t[i][1], c, NULL), VAGAP_OK);
    assert_true(fabs(c[1] - t[i][2]) < 1e-8 && fabs(c[2] - t[i][3]) < 1e-8 &&
                fabs(c[3] - t[i][4]) < 1e-8);
    assert_true(c[0] == -c[2]);
  }
  double c[4];
  vagap_error_t err;
  assert_int_equal(vagap_sim_fleishman(3, 0, c, &err), VAGAP_EDOMAIN); /* below the kurtosis bound */
  assert_non_null(strstr(err.message, "no Fleishman polynomial"));
}

static void test_intermediate_correlation(void **state) {
  (void)state;
  double a[4], b[4], rho;
  assert_int_equal(vagap_sim_fleishman(2, 7, a, NULL), VAGAP_OK);
  assert_int_equal(vagap_sim_fleishman(-1, 3, b, NULL), VAGAP_OK);
  assert_int_equal(vagap_sim_vm_intermediate(a, b, 0.4, &rho, NULL), VAGAP_OK);
  double back = rho * (a[1] * b[1] + 3 * a[1] * b[3] + 3 * a[3] * b[1] + 9 * a[3] * b[3]) +
                rho * rho * 2 * a[2] * b[2] + rho * rho * rho * 6 * a[3] * b[3];
  assert_true(fabs(back - 0.4) < 1e-12 && rho > 0.4);
  assert_int_equal(vagap_sim_vm_intermediate(a, b, 0, &rho, NULL), VAGAP_OK);
  assert_true(rho == 0);
}

int main(void) {
  vagap_init();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_splitmix64_reference),
      cmocka_unit_test(test_stream_keys_distinct),
      cmocka_unit_test(test_xsum_order_independent),
      cmocka_unit_test(test_xsum_text_round_trip),
      cmocka_unit_test(test_xsum_many_terms),
      cmocka_unit_test(test_runner_split_and_threads),
      cmocka_unit_test(test_runner_first_failure),
      cmocka_unit_test(test_fleishman_matches_lavaan),
      cmocka_unit_test(test_intermediate_correlation),
      cmocka_unit_test(test_mvnorm_moments),
      cmocka_unit_test(test_power_acc_merge_exact),
      cmocka_unit_test(test_paired_analytic_power),
      cmocka_unit_test(test_power_param_rows_per_group),
      cmocka_unit_test(test_power_sem_start_same_optimum),
      cmocka_unit_test(test_sem_moments_by_hand),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
