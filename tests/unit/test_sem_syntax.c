/* Tests of the lavaan-syntax parser and of the parameter table built from it. */
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

static vagap_sem_syntax_t *parse_ok(const char *text) {
  vagap_sem_syntax_t *syn = NULL;
  vagap_error_t err;
  vagap_status_t st = vagap_sem_syntax_parse(&syn, text, "model.lav", &err);
  if (st) fprintf(stderr, "unexpected error: %ld:%ld: %s\n", err.line, err.column, err.message);
  assert_int_equal(st, VAGAP_OK);
  return syn;
}

/* The text must fail at line:col with a message containing `fragment`. */
static void parse_fails(const char *text, long line, long col, const char *fragment) {
  vagap_sem_syntax_t *syn = NULL;
  vagap_error_t err;
  vagap_status_t st = vagap_sem_syntax_parse(&syn, text, "model.lav", &err);
  if (st == VAGAP_OK) fprintf(stderr, "parsed but should fail: %s\n", text);
  assert_int_equal(st, VAGAP_EPARSE);
  assert_null(syn);
  assert_string_equal(err.file, "model.lav");
  if (err.line != line || err.column != col || !strstr(err.message, fragment))
    fprintf(stderr, "got %ld:%ld: %s (wanted %ld:%ld: ...%s...)\n", err.line, err.column, err.message,
            line, col, fragment);
  assert_int_equal(err.line, line);
  assert_int_equal(err.column, col);
  assert_non_null(strstr(err.message, fragment));
}

static void expect(const vagap_sem_statement_t *s, const char *lhs, vagap_sem_op_t op, const char *rhs) {
  assert_string_equal(s->lhs, lhs);
  assert_int_equal(s->op, op);
  assert_string_equal(s->rhs, rhs);
}

static void test_every_operator(void **state) {
  (void)state;
  vagap_sem_syntax_t *s = parse_ok(
      "f =~ x1 + x2 + x3   # a comment\n"
      "y ~ f + z\n"
      "x1 ~~ x2\n"
      "y ~ 1\n"
      "d := 2*a\n");
  assert_int_equal(s->n, 8);
  expect(&s->st[0], "f", VAGAP_SEM_LOADING, "x1");
  expect(&s->st[2], "f", VAGAP_SEM_LOADING, "x3");
  expect(&s->st[3], "y", VAGAP_SEM_REGRESSION, "f");
  expect(&s->st[4], "y", VAGAP_SEM_REGRESSION, "z");
  expect(&s->st[5], "x1", VAGAP_SEM_COVARIANCE, "x2");
  expect(&s->st[6], "y", VAGAP_SEM_INTERCEPT, "");
  expect(&s->st[7], "d", VAGAP_SEM_DEFINED, "2*a");
  assert_int_equal(s->st[3].line, 2);
  assert_int_equal(s->st[4].column, 9);
  assert_string_equal(vagap_sem_op_string(VAGAP_SEM_INTERCEPT), "~1");
  vagap_sem_syntax_free(s);
}

/* Thresholds: parsed as lavaan's "|" rows; with --ordered the table gets lavaan's
   categorical rows in its order (thresholds first among the defaults, fixed
   residual variances, ~*~ scale factors before the intercepts) and, with equal
   thresholds across groups, free scale factors and latent means in group 2. */
static void test_thresholds_and_ordered_rows(void **state) {
  (void)state;
  vagap_sem_syntax_t *s = parse_ok("f =~ y1 + y2 + y3\ny1 | a*t1 + 0.5*t2\n");
  assert_int_equal(s->n, 5);
  expect(&s->st[3], "y1", VAGAP_SEM_THRESHOLD, "t1");
  assert_string_equal(s->st[3].mod[0].label, "a");
  assert_string_equal(vagap_sem_op_string(VAGAP_SEM_THRESHOLD), "|");
  assert_string_equal(vagap_sem_op_string(VAGAP_SEM_SCALE), "~*~");
  const char *ord[] = {"y1", "y2", "y3"};
  const int nth[] = {2, 1, 2};
  vagap_sem_model_options_t opt;
  vagap_sem_model_options_init(&opt);
  opt.ordered = ord;
  opt.ordered_nth = nth;
  opt.n_ordered = 3;
  opt.group_equal = VAGAP_SEM_EQ_THRESHOLDS | VAGAP_SEM_EQ_LOADINGS;
  vagap_sem_model_t *m = NULL;
  vagap_error_t err;
  assert_int_equal(vagap_sem_model_build(&m, s, 2, &opt, "m", &err), VAGAP_OK);
  static const char *const want[][3] = {
      {"f", "=~", "y1"},  {"f", "=~", "y2"},  {"f", "=~", "y3"},  {"y1", "|", "t1"},  {"y1", "|", "t2"},
      {"y2", "|", "t1"},  {"y3", "|", "t1"},  {"y3", "|", "t2"},  {"y1", "~~", "y1"}, {"y2", "~~", "y2"},
      {"y3", "~~", "y3"}, {"f", "~~", "f"},   {"y1", "~*~", "y1"}, {"y2", "~*~", "y2"}, {"y3", "~*~", "y3"},
      {"y1", "~1", ""},   {"y2", "~1", ""},   {"y3", "~1", ""},   {"f", "~1", ""}};
  size_t per = sizeof want / sizeof want[0];
  assert_int_equal(m->nrows, 2 * per);
  for (size_t r = 0; r < per; r++) {
    assert_string_equal(m->rows[r].lhs, want[r][0]);
    assert_string_equal(vagap_sem_op_string(m->rows[r].op), want[r][1]);
    assert_string_equal(m->rows[r].rhs, want[r][2]);
  }
  assert_true(m->rows[4].free == 0 && m->rows[4].ustart == 0.5);   /* 0.5*t2 */
  assert_true(m->rows[8].free == 0 && m->rows[8].ustart == 1);     /* ordinal residual variance */
  assert_true(m->rows[12].free == 0 && m->rows[12].ustart == 1);   /* ~*~ in group 1 */
  assert_true(m->rows[15].free == 0 && m->rows[15].ustart == 0);   /* ordinal intercept */
  assert_true(m->rows[per + 12].free > 0);                         /* ~*~ free in group 2 */
  assert_true(m->rows[per + 18].free > 0);                         /* f ~1 free in group 2 */
  assert_int_equal(m->rows[per + 5].free, m->rows[5].free);        /* y2|t1 equal across groups */
  vagap_sem_model_free(m);
  /* a threshold that the data do not have, and thresholds of a latent variable */
  vagap_sem_syntax_t *bad = parse_ok("f =~ y1 + y2 + y3\ny2 | t2\n");
  assert_int_equal(vagap_sem_model_build(&m, bad, 1, &opt, "m", &err), VAGAP_EMODEL);
  assert_non_null(strstr(err.message, "threshold 't2' of 'y2'"));
  assert_int_equal(err.line, 2);
  vagap_sem_syntax_free(bad);
  bad = parse_ok("f =~ y1 + y2 + y3\nf | t1\n");
  assert_int_equal(vagap_sem_model_build(&m, bad, 1, &opt, "m", &err), VAGAP_EMODEL);
  assert_non_null(strstr(err.message, "'f' is latent"));
  vagap_sem_syntax_free(bad);
  vagap_sem_syntax_free(s);
}

static void test_multiline_semicolons_and_lhs_lists(void **state) {
  (void)state;
  vagap_sem_syntax_t *s = parse_ok(
      "f =~ x1 +\n"
      "     x2\n"
      "   + x3\n"
      "\n"
      "a ~~ b; c ~~ d\n"
      "y1 + y2 ~ x\n");
  assert_int_equal(s->n, 7);
  expect(&s->st[1], "f", VAGAP_SEM_LOADING, "x2");
  expect(&s->st[2], "f", VAGAP_SEM_LOADING, "x3");
  assert_int_equal(s->st[2].line, 3);
  expect(&s->st[4], "c", VAGAP_SEM_COVARIANCE, "d");
  expect(&s->st[5], "y1", VAGAP_SEM_REGRESSION, "x");
  expect(&s->st[6], "y2", VAGAP_SEM_REGRESSION, "x");
  vagap_sem_syntax_free(s);
}

static void test_modifiers(void **state) {
  (void)state;
  vagap_sem_syntax_t *s = parse_ok(
      "f =~ 1*x1 + NA*x2 + lam*x3 + -0.5*x4 + c(a1, a2)*x5 + c(1, NA)*x6 + c(l1, , 2)*x7\n"
      "x1 ~ 0*1\n"
      "x2 ~ c(m1, m2)*1\n");
  assert_int_equal(s->n, 9);
  assert_int_equal(s->st[0].nmod, 1);
  assert_int_equal(s->st[0].mod[0].kind, VAGAP_SEM_MOD_FIXED);
  assert_true(s->st[0].mod[0].value == 1.0);
  assert_int_equal(s->st[1].mod[0].kind, VAGAP_SEM_MOD_FREE);
  assert_int_equal(s->st[2].mod[0].kind, VAGAP_SEM_MOD_LABEL);
  assert_string_equal(s->st[2].mod[0].label, "lam");
  assert_true(s->st[3].mod[0].value == -0.5);
  assert_int_equal(s->st[4].nmod, 2);
  assert_string_equal(s->st[4].mod[1].label, "a2");
  assert_int_equal(s->st[5].mod[0].kind, VAGAP_SEM_MOD_FIXED);
  assert_int_equal(s->st[5].mod[1].kind, VAGAP_SEM_MOD_FREE);
  assert_int_equal(s->st[6].nmod, 3);
  assert_int_equal(s->st[6].mod[1].kind, VAGAP_SEM_MOD_NONE);
  assert_true(s->st[6].mod[2].value == 2.0);
  expect(&s->st[7], "x1", VAGAP_SEM_INTERCEPT, "");
  assert_true(s->st[7].mod[0].value == 0.0);
  assert_int_equal(s->st[8].nmod, 2);
  assert_string_equal(s->st[8].mod[0].label, "m1");
  vagap_sem_syntax_free(s);
}

static void test_modifier_functions_and_chains(void **state) {
  (void)state;
  vagap_sem_syntax_t *s = parse_ok(
      "f =~ x1 + equal(\"f=~x2\")*x3 + label(\"my lab\")*x4 + \"q\"*x5 + start(0.5)*x6\n"
      "g =~ c(a, b)*start(c(.5, .6))*y1 + 0.7?y2 + c(0.1, 0.2)?y3 + lower(0)*upper(2)*y4\n"
      "h =~ a*1*z1 + fixed(c(1, NA))*z2 + label(c(\"u\", NA))*z3 + start(-1)*NA*z4\n");
  assert_int_equal(s->n, 13);
  const vagap_sem_modifier_t *m = s->st[1].mod;
  assert_int_equal(s->st[1].nmod, 1);
  assert_int_equal(m[0].kind, VAGAP_SEM_MOD_LABEL);
  assert_string_equal(m[0].label, "f=~x2");
  assert_string_equal(s->st[2].mod[0].label, "mylab"); /* lavaan 0.6 drops blanks */
  assert_string_equal(s->st[3].mod[0].label, "q");
  m = s->st[4].mod;
  assert_int_equal(m[0].kind, VAGAP_SEM_MOD_NONE);
  assert_true(m[0].start == 0.5);
  assert_null(m[0].label);
  assert_true(isinf(m[0].lower) && m[0].lower < 0);
  m = s->st[5].mod;  /* c(a, b)*start(c(.5, .6))*y1 */
  assert_int_equal(s->st[5].nmod, 2);
  assert_string_equal(m[0].label, "a");
  assert_string_equal(m[1].label, "b");
  assert_true(m[0].start == 0.5 && m[1].start == 0.6);
  assert_true(s->st[6].mod[0].start == 0.7);  /* 0.7?y2 */
  assert_int_equal(s->st[6].mod[0].kind, VAGAP_SEM_MOD_NONE);
  assert_true(s->st[7].mod[1].start == 0.2);
  assert_true(s->st[8].mod[0].lower == 0 && s->st[8].mod[0].upper == 2);
  m = s->st[9].mod;  /* a*1*z1: labelled and fixed */
  assert_int_equal(m[0].kind, VAGAP_SEM_MOD_FIXED);
  assert_true(m[0].value == 1);
  assert_string_equal(m[0].label, "a");
  assert_int_equal(s->st[10].mod[1].kind, VAGAP_SEM_MOD_FREE);
  assert_string_equal(s->st[11].mod[0].label, "u");
  assert_null(s->st[11].mod[1].label);
  assert_int_equal(s->st[12].mod[0].kind, VAGAP_SEM_MOD_FREE);
  assert_true(s->st[12].mod[0].start == -1);
  vagap_sem_syntax_free(s);
}

static void test_constraints_parse(void **state) {
  (void)state;
  vagap_sem_syntax_t *s = parse_ok(
      "y ~ b1*x1 + b2*x2\n"
      "b1 == b2\n"
      "a1 == 2 * a2\n"
      "b1^2 + b2^2 == 1\n"
      "a > 0; a < b\n"
      "d := b1 - b2\n"
      "d > 0.1\n");
  assert_int_equal(s->n, 9);
  expect(&s->st[2], "b1", VAGAP_SEM_CON_EQ, "b2");
  expect(&s->st[3], "a1", VAGAP_SEM_CON_EQ, "2*a2");
  expect(&s->st[4], "b1^2+b2^2", VAGAP_SEM_CON_EQ, "1");
  expect(&s->st[5], "a", VAGAP_SEM_CON_GT, "0");
  expect(&s->st[6], "a", VAGAP_SEM_CON_LT, "b");
  assert_int_equal(s->st[6].line, 5);
  assert_int_equal(s->st[6].column, 8);
  expect(&s->st[8], "d", VAGAP_SEM_CON_GT, "0.1");
  assert_true(vagap_sem_op_is_constraint(VAGAP_SEM_CON_LT));
  assert_false(vagap_sem_op_is_constraint(VAGAP_SEM_DEFINED));
  assert_string_equal(vagap_sem_op_string(VAGAP_SEM_CON_EQ), "==");
  vagap_sem_syntax_free(s);
}

static void test_small_tilde(void **state) {
  (void)state;
  /* U+02DC SMALL TILDE, as lavaan accepts it */
  vagap_sem_syntax_t *s = parse_ok("f =\xcb\x9c x1 + x2\ny \xcb\x9c f\nx1 \xcb\x9c\xcb\x9c x2\nx1 ~\xcb\x9c y\n");
  assert_int_equal(s->n, 5);
  expect(&s->st[1], "f", VAGAP_SEM_LOADING, "x2");
  expect(&s->st[2], "y", VAGAP_SEM_REGRESSION, "f");
  expect(&s->st[3], "x1", VAGAP_SEM_COVARIANCE, "x2");
  expect(&s->st[4], "x1", VAGAP_SEM_COVARIANCE, "y");
  vagap_sem_syntax_free(s);
}

static void test_modifier_and_constraint_errors(void **state) {
  (void)state;
  parse_fails("f =~ start(a)*x1\n", 1, 12, "start() takes numbers");
  parse_fails("f =~ label(1)*x1\n", 1, 12, "label must be a name");
  parse_fails("f =~ c(a, b)*start(c(1, 2, 3))*x1\n", 1, 6, "different lengths");
  parse_fails("f =~ start()*x1\n", 1, 6, "needs a value");
  parse_fails("f =~ label(\"a)*x1\n", 1, 12, "unterminated quoted");
  parse_fails("f =~ \"x1\"\n", 1, 6, "cannot be quoted");
  parse_fails("f =~ prior(\"normal(0,1)\")*x1\n", 1, 6, "blavaan");
  parse_fails("f =~ label(\"a\")?x1\n", 1, 16, "'?'");
  parse_fails("efa(\"b1\")*f1 + efa(\"b1\")*f2 =~ x1 + x2\n", 1, 1, "exploratory SEM");
  parse_fails("a <= b\n", 1, 3, "'<=' and '>='");
  parse_fails("a == \n", 1, 3, "missing right-hand side of a constraint");
  parse_fails("== a\n", 1, 1, "missing left-hand side of a constraint");
  parse_fails("a == b == c\n", 1, 8, "second operator");
  parse_fails("a == foo(b)\n", 1, 6, "in a == constraint: unsupported function");
  parse_fails("a > \"b\"\n", 1, 5, "quoted name in a > constraint");
  parse_fails("d := a +\n", 1, 9, "in a := expression");
  parse_fails("group: 1\nf =~ x1 + x2\n", 1, 1, "group: blocks");
  parse_fails("f =~ x1\nlevel: within\n", 2, 1, "multilevel");
  parse_fails("y ~ x1:x2\n", 1, 7, "interaction");
}

static void test_errors_are_located_and_named(void **state) {
  (void)state;
  parse_fails("f =~ x1\ny || t1\n", 2, 3, "'||' is not a lavaan operator");
  parse_fails("f <~ x1 + x2\n", 1, 3, "formative");
  parse_fails("f =~ x1\nf ~*~ f\n", 2, 3, "scaling");
  parse_fails("y ~ x1:x2\n", 1, 7, "interaction");
  parse_fails("f =~ foo(1)*x1\n", 1, 6, "foo()");
  parse_fails("f =~ efa(\"b1\")*x1\n", 1, 6, "exploratory SEM");
  parse_fails("f =~ x1 + \n", 1, 9, "dangling");
  parse_fails("f =~\n", 1, 3, "missing right-hand side");
  parse_fails("=~ x1\n", 1, 1, "missing left-hand side");
  parse_fails("f x1 x2\n", 1, 1, "without an operator");
  parse_fails("f =~ x1 x2\n", 1, 9, "expected '+'");
  parse_fails("f =~ x1 ~ x2\n", 1, 9, "second operator");
  parse_fails("f =~ c(a, b*x1\n", 1, 12, "expected ',' or ')'");
  parse_fails("y ~ 2\n", 1, 5, "only the number 1");
  parse_fails("f*2 =~ x1\n", 1, 2, "left-hand side");
  parse_fails("f =~ x1 @ x2\n", 1, 9, "unexpected character");
  parse_fails("d := a +\n", 1, 9, "unexpected end");
  parse_fails("d := foo(a)\n", 1, 6, "unsupported function");
  parse_fails("d + e := a\n", 1, 1, "one name");
  parse_fails("# only a comment\n", 1, 1, "no statements");
  parse_fails("f =~ 'x1'\n", 1, 6, "quoted");
}

/* ---- parameter table ----------------------------------------------------------- */

static vagap_sem_model_t *build(const char *text, size_t ngroups, const vagap_sem_model_options_t *opt) {
  vagap_sem_syntax_t *syn = parse_ok(text);
  vagap_sem_model_t *m = NULL;
  vagap_error_t err;
  vagap_status_t st = vagap_sem_model_build(&m, syn, ngroups, opt, "model.lav", &err);
  if (st) fprintf(stderr, "unexpected error: %s\n", err.message);
  assert_int_equal(st, VAGAP_OK);
  vagap_sem_syntax_free(syn);
  return m;
}

static const vagap_sem_param_t *find(const vagap_sem_model_t *m, const char *lhs, vagap_sem_op_t op,
                                     const char *rhs, int group) {
  for (size_t i = 0; i < m->nrows; i++)
    if (!strcmp(m->rows[i].lhs, lhs) && m->rows[i].op == op && !strcmp(m->rows[i].rhs, rhs) &&
        m->rows[i].group == group)
      return &m->rows[i];
  return NULL;
}

static void test_cfa_defaults_and_row_order(void **state) {
  (void)state;
  vagap_sem_model_t *m = build("v =~ x1 + x2 + x3\nt =~ x4 + x5 + x6\n", 1, NULL);
  /* 6 loadings, 6 residual variances, 2 latent variances, 1 covariance; no means */
  assert_int_equal(m->nrows, 15);
  assert_int_equal(m->npar, 13);
  assert_int_equal(m->meanstructure, 0);
  assert_int_equal(m->rows[0].free, 0); /* marker */
  assert_true(m->rows[0].ustart == 1.0);
  assert_int_equal(m->rows[1].free, 1);
  assert_string_equal(m->rows[6].lhs, "x1"); /* variances follow the user rows */
  assert_string_equal(m->rows[12].lhs, "v");
  assert_string_equal(m->rows[14].lhs, "v");
  assert_string_equal(m->rows[14].rhs, "t");
  vagap_sem_model_free(m);
}

static void test_covariances_in_lavaan_orientation(void **state) {
  (void)state;
  /* latents before observed, each in model order; the user row replaces the default */
  vagap_sem_model_t *m = build("v =~ x1 + x2 + x3\nt =~ x4 + x5 + x6\nt ~~ v\nx6 ~~ x1\nx2 ~~ t\n", 1, NULL);
  assert_non_null(find(m, "v", VAGAP_SEM_COVARIANCE, "t", 1));
  assert_null(find(m, "t", VAGAP_SEM_COVARIANCE, "v", 1));
  assert_non_null(find(m, "x1", VAGAP_SEM_COVARIANCE, "x6", 1));
  assert_non_null(find(m, "t", VAGAP_SEM_COVARIANCE, "x2", 1));
  assert_string_equal(m->rows[6].lhs, "v"); /* still at the user's position */
  assert_int_equal(m->nrows, 17);
  vagap_sem_model_free(m);
}

static void test_std_lv_frees_markers(void **state) {
  (void)state;
  vagap_sem_model_options_t opt;
  vagap_sem_model_options_init(&opt);
  opt.std_lv = 1;
  vagap_sem_model_t *m = build("v =~ x1 + x2 + x3\n", 1, &opt);
  assert_int_not_equal(find(m, "v", VAGAP_SEM_LOADING, "x1", 1)->free, 0);
  const vagap_sem_param_t *var = find(m, "v", VAGAP_SEM_COVARIANCE, "v", 1);
  assert_int_equal(var->free, 0);
  assert_true(var->ustart == 1.0);
  vagap_sem_model_free(m);
}

static void test_fixed_x_and_pure_y_covariances(void **state) {
  (void)state;
  vagap_sem_model_t *m = build("m ~ x1 + x2\ny ~ m + x1\nz ~ x2\n", 1, NULL);
  const vagap_sem_param_t *r = find(m, "x1", VAGAP_SEM_COVARIANCE, "x2", 1);
  assert_non_null(r);
  assert_int_equal(r->exo, 1);
  assert_int_equal(r->free, 0);
  /* y and z are pure dependent variables: their residuals covary; m is not pure */
  assert_non_null(find(m, "y", VAGAP_SEM_COVARIANCE, "z", 1));
  assert_null(find(m, "m", VAGAP_SEM_COVARIANCE, "y", 1));
  /* a user variance of a covariate makes it random */
  vagap_sem_model_free(m);
  m = build("y ~ x1\nx1 ~~ x1\n", 1, NULL);
  assert_int_not_equal(find(m, "x1", VAGAP_SEM_COVARIANCE, "x1", 1)->free, 0);
  vagap_sem_model_free(m);
}

static void test_groups_labels_and_group_equal(void **state) {
  (void)state;
  vagap_sem_model_options_t opt;
  vagap_sem_model_options_init(&opt);
  assert_int_equal(vagap_sem_group_equal_parse("loadings,intercepts", &opt.group_equal, NULL), VAGAP_OK);
  const char *partial[] = {"f =~ x3"};
  opt.group_partial = partial;
  opt.n_group_partial = 1;
  vagap_sem_model_t *m = build("f =~ x1 + x2 + x3\nx1 ~~ c(v1, v1)*x1\n", 2, &opt);
  assert_int_equal(m->meanstructure, 1);
  const vagap_sem_param_t *a = find(m, "f", VAGAP_SEM_LOADING, "x2", 1);
  const vagap_sem_param_t *b = find(m, "f", VAGAP_SEM_LOADING, "x2", 2);
  assert_int_equal(a->free, b->free);
  assert_string_equal(a->label, ".p2.");
  /* group.partial exempts x3 */
  assert_int_not_equal(find(m, "f", VAGAP_SEM_LOADING, "x3", 1)->free,
                       find(m, "f", VAGAP_SEM_LOADING, "x3", 2)->free);
  /* intercepts equal, latent mean free in group 2 only */
  assert_int_equal(find(m, "x1", VAGAP_SEM_INTERCEPT, "", 1)->free, find(m, "x1", VAGAP_SEM_INTERCEPT, "", 2)->free);
  assert_int_equal(find(m, "f", VAGAP_SEM_INTERCEPT, "", 1)->free, 0);
  assert_int_not_equal(find(m, "f", VAGAP_SEM_INTERCEPT, "", 2)->free, 0);
  /* the shared label v1 makes one parameter */
  assert_int_equal(find(m, "x1", VAGAP_SEM_COVARIANCE, "x1", 1)->free,
                   find(m, "x1", VAGAP_SEM_COVARIANCE, "x1", 2)->free);
  assert_string_equal(find(m, "x1", VAGAP_SEM_COVARIANCE, "x1", 2)->label, "v1");
  vagap_sem_model_free(m);
  vagap_error_t err;
  assert_int_equal(vagap_sem_group_equal_parse("loadings,slopes", &opt.group_equal, &err), VAGAP_EINVAL);
  assert_non_null(strstr(err.message, "slopes"));
}

static void test_modifier_semantics(void **state) {
  (void)state;
  vagap_sem_model_t *m = build("f =~ NA*x1 + c(1, 0.5)*x2 + x3\nf ~~ 1*f\nx3 ~ c(NA, 2)*1\n", 2, NULL);
  assert_int_not_equal(find(m, "f", VAGAP_SEM_LOADING, "x1", 1)->free, 0);
  const vagap_sem_param_t *r = find(m, "f", VAGAP_SEM_LOADING, "x2", 2);
  assert_int_equal(r->free, 0);
  assert_true(r->ustart == 0.5);
  assert_int_not_equal(find(m, "x3", VAGAP_SEM_INTERCEPT, "", 1)->free, 0);
  assert_true(find(m, "x3", VAGAP_SEM_INTERCEPT, "", 2)->ustart == 2.0);
  vagap_sem_model_free(m);
}

static void build_fails(const char *text, size_t ngroups, vagap_status_t status, long line,
                        const char *fragment) {
  vagap_sem_syntax_t *syn = parse_ok(text);
  vagap_sem_model_t *m = NULL;
  vagap_error_t err;
  vagap_status_t st = vagap_sem_model_build(&m, syn, ngroups, NULL, "model.lav", &err);
  vagap_sem_syntax_free(syn);
  if (st != status || !strstr(err.message, fragment)) fprintf(stderr, "got %d: %s\n", st, err.message);
  assert_int_equal(st, status);
  assert_null(m);
  assert_int_equal(err.line, line);
  assert_non_null(strstr(err.message, fragment));
}

static void test_model_errors(void **state) {
  (void)state;
  build_fails("f =~ c(a, b, c)*x1 + x2 + x3\n", 2, VAGAP_EMODEL, 1, "3 elements");
  build_fails("f =~ x1 + x2 + x3\nd := a*b\n", 1, VAGAP_EMODEL, 2, "unknown label 'a'");
  build_fails("f =~ x1 + x2\nf =~ x1\n", 1, VAGAP_EMODEL, 2, "duplicate");
  build_fails("f =~ f\n", 1, VAGAP_EMODEL, 1, "own indicator");
  build_fails("y ~ y\n", 1, VAGAP_EMODEL, 1, "regressed on itself");
}

static void test_defined_parameters(void **state) {
  (void)state;
  vagap_sem_model_t *m = build("m ~ a*x\ny ~ b*m\nind := a*b\ntot := ind + 1\n", 1, NULL);
  assert_int_equal(m->ndefs, 2);
  const vagap_sem_param_t *d = &m->rows[m->nrows - 2];
  assert_int_equal(d->op, VAGAP_SEM_DEFINED);
  assert_string_equal(d->label, "ind");
  assert_string_equal(d->rhs, "a*b");
  assert_int_equal(d->group, 0);
  assert_int_equal(d->block, 0);
  vagap_sem_model_free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_operator),
      cmocka_unit_test(test_thresholds_and_ordered_rows),
      cmocka_unit_test(test_multiline_semicolons_and_lhs_lists),
      cmocka_unit_test(test_modifiers),
      cmocka_unit_test(test_errors_are_located_and_named),
      cmocka_unit_test(test_modifier_functions_and_chains),
      cmocka_unit_test(test_constraints_parse),
      cmocka_unit_test(test_small_tilde),
      cmocka_unit_test(test_modifier_and_constraint_errors),
      cmocka_unit_test(test_cfa_defaults_and_row_order),
      cmocka_unit_test(test_covariances_in_lavaan_orientation),
      cmocka_unit_test(test_std_lv_frees_markers),
      cmocka_unit_test(test_fixed_x_and_pure_y_covariances),
      cmocka_unit_test(test_groups_labels_and_group_equal),
      cmocka_unit_test(test_modifier_semantics),
      cmocka_unit_test(test_model_errors),
      cmocka_unit_test(test_defined_parameters),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
