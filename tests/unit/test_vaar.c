/* Tests of the VAAR module (src/lib/vaar.c): spec parsing, scoring, orientation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vagap/vaar.h"

/* ---- spec string ----------------------------------------------------------- */

static void test_parse_basic(void **state) {
  (void)state;
  vagap_vaar_spec_t *s;
  vagap_error_t err;
  assert_int_equal(vagap_vaar_spec_parse(&s, " AoDS ~ privacy : - , AoDS~prosocial:+;f=~x1:pos\n"
                                             "# comment\n a ~~ b : negative # trailing comment",
                                         "spec", &err),
                   VAGAP_OK);
  assert_int_equal(s->n, 4);
  assert_string_equal(s->paths[0].lhs, "AoDS");
  assert_string_equal(s->paths[0].op, "~");
  assert_string_equal(s->paths[0].rhs, "privacy");
  assert_int_equal(s->paths[0].sign, -1);
  assert_int_equal(s->paths[0].column, 2);
  assert_int_equal(s->paths[1].sign, 1);
  assert_int_equal(s->paths[1].column, 23);
  assert_string_equal(s->paths[2].op, "=~");
  assert_int_equal(s->paths[2].sign, 1);
  assert_string_equal(s->paths[3].op, "~~");
  assert_int_equal(s->paths[3].sign, -1);
  assert_int_equal(s->paths[3].line, 3);
  assert_int_equal(s->paths[3].column, 2);
  vagap_vaar_spec_free(s);
  vagap_vaar_spec_free(NULL);
}

/* A bad spec must fail at the given column with a message containing `needle`. */
static void expect_parse_error(const char *text, long line, long column, const char *needle) {
  vagap_vaar_spec_t *s = (vagap_vaar_spec_t *)1;
  vagap_error_t err;
  vagap_error_clear(&err);
  assert_int_equal(vagap_vaar_spec_parse(&s, text, "--expect", &err), VAGAP_EPARSE);
  assert_null(s);
  assert_int_equal(err.line, line);
  assert_int_equal(err.column, column);
  assert_string_equal(err.file, "--expect");
  if (!strstr(err.message, needle)) fail_msg("message '%s' lacks '%s'", err.message, needle);
}

static void test_parse_errors(void **state) {
  (void)state;
  expect_parse_error("AoDS~privacy:-,AoDS~prosocial:x", 1, 31, "not a sign");
  expect_parse_error("AoDS~privacy", 1, 13, "':'");
  expect_parse_error("AoDS privacy:+", 1, 6, "operator");
  expect_parse_error("AoDS~:+", 1, 6, "variable name after");
  expect_parse_error("AoDS~privacy:", 1, 14, "a sign");
  expect_parse_error("y~x:+ z~w:-", 1, 7, "','");
  expect_parse_error("y~1:+", 1, 2, "intercepts");
  expect_parse_error("y~x:+,\n  y ~ x:-", 2, 3, "listed twice (first at line 1, column 1)");
  expect_parse_error("a~~b:+,b~~a:+", 1, 8, "listed twice");
  expect_parse_error(" , ; ", 1, 2, "expected a variable name");
  expect_parse_error("", 1, 1, "lists no path");
  expect_parse_error("# only a comment\n", 1, 1, "lists no path");
}

static void test_sign_tokens(void **state) {
  (void)state;
  assert_int_equal(vagap_vaar_sign_parse(" + ", 3), 1);
  assert_int_equal(vagap_vaar_sign_parse("-1", 2), -1);
  assert_int_equal(vagap_vaar_sign_parse("NEG", 3), -1);
  assert_int_equal(vagap_vaar_sign_parse("Positive", 8), 1);
  assert_int_equal(vagap_vaar_sign_parse("0", 1), 0);
  assert_int_equal(vagap_vaar_sign_parse("+-", 2), 0);
  assert_int_equal(vagap_vaar_sign_parse("", 0), 0);
  assert_string_equal(vagap_vaar_sign_text(-1), "-");
  assert_string_equal(vagap_vaar_sign_text(1), "+");
}

/* ---- spec table ------------------------------------------------------------ */

static void test_spec_table(void **state) {
  (void)state;
  const char csv[] = "lhs,op,rhs,sign,note\nAoDS,~,privacy,-,a\nAoDS,~,prosocial,+,b\n";
  vagap_table_t *t;
  vagap_error_t err;
  assert_int_equal(vagap_table_read_memory(&t, "exp.csv", csv, sizeof csv - 1, NULL, NULL, &err), VAGAP_OK);
  vagap_vaar_spec_t *s;
  assert_int_equal(vagap_vaar_spec_from_table(&s, t, &err), VAGAP_OK);
  assert_int_equal(s->n, 2);
  assert_int_equal(s->paths[0].sign, -1);
  assert_int_equal(s->paths[1].sign, 1);
  assert_int_equal(s->paths[1].line, 3);
  vagap_vaar_spec_free(s);
  vagap_table_free(t);

  const char bad[] = "lhs,op,rhs,sign\nAoDS,~,privacy,-\nAoDS,~,prosocial,maybe\n";
  assert_int_equal(vagap_table_read_memory(&t, "bad.csv", bad, sizeof bad - 1, NULL, NULL, &err), VAGAP_OK);
  assert_int_equal(vagap_vaar_spec_from_table(&s, t, &err), VAGAP_EDATA);
  assert_int_equal(err.line, 3);
  assert_int_equal(err.column, 4);
  assert_string_equal(err.file, "bad.csv");
  vagap_table_free(t);

  const char badop[] = "lhs,op,rhs,sign\nAoDS,->,privacy,-\n";
  assert_int_equal(vagap_table_read_memory(&t, "b.csv", badop, sizeof badop - 1, NULL, NULL, &err), VAGAP_OK);
  assert_int_equal(vagap_vaar_spec_from_table(&s, t, &err), VAGAP_EDATA);
  assert_int_equal(err.line, 2);
  assert_int_equal(err.column, 2);
  vagap_table_free(t);

  const char nosign[] = "lhs,op,rhs\nAoDS,~,privacy\n";
  assert_int_equal(vagap_table_read_memory(&t, "c.csv", nosign, sizeof nosign - 1, NULL, NULL, &err), VAGAP_OK);
  assert_int_equal(vagap_vaar_spec_from_table(&s, t, &err), VAGAP_ECOLUMN);
  vagap_table_free(t);
}

/* ---- scoring --------------------------------------------------------------- */

#define E(g, l, o, r, est, se, p) {g, l, o, r, est, se, p, NAN, NAN, (est) / 2}

/* Three groups; human is the reference. */
static const vagap_vaar_estimate_t TABLE[] = {
    E("human", "AoDS", "~", "privacy", -0.40, 0.05, 0.0001),
    E("human", "AoDS", "~", "prosocial", 0.30, 0.05, 0.0002),
    E("human", "privacy", "~~", "prosocial", 0.10, 0.05, 0.04),
    E("m1", "AoDS", "~", "privacy", -0.05, 0.05, 0.30),   /* right sign, not significant */
    E("m1", "AoDS", "~", "prosocial", 0.50, 0.05, 0.001), /* agrees */
    E("m2", "AoDS", "~", "privacy", 0.20, 0.05, 0.001),   /* wrong sign, significant */
    E("m2", "AoDS", "~", "prosocial", 0.0, 0.05, 1.0),    /* exactly zero: no sign */
    E("m1", "privacy", "~~", "prosocial", 0.1, 0.05, 0.05),
    E("m2", "prosocial", "~~", "privacy", -0.1, 0.05, 0.01),
};
enum { NTABLE = sizeof TABLE / sizeof TABLE[0] };

static void test_score(void **state) {
  (void)state;
  vagap_vaar_spec_t *s;
  vagap_error_t err;
  assert_int_equal(vagap_vaar_spec_parse(&s, "AoDS~privacy:-,AoDS~prosocial:+,privacy~~prosocial:+", NULL, &err), VAGAP_OK);
  vagap_vaar_result_t *r;
  assert_int_equal(vagap_vaar_score(&r, s, TABLE, NTABLE, 0.05, &err), VAGAP_OK);
  assert_int_equal(r->ngroups, 3);
  assert_string_equal(r->group_label[0], "human");
  assert_string_equal(r->group_label[1], "m1");
  assert_string_equal(r->group_label[2], "m2");
  /* human: all three right in sign; the covariance p = 0.04 < 0.05 */
  assert_int_equal(r->groups[0].k_sign, 3);
  assert_int_equal(r->groups[0].k_strict, 3);
  /* m1: three right in sign; strict: only prosocial (privacy p=.30, covariance p=.05 not < .05) */
  assert_int_equal(r->groups[1].k_sign, 3);
  assert_int_equal(r->groups[1].k_strict, 1);
  assert_true(fabs(r->groups[1].vaar_strict - 1.0 / 3.0) < 1e-15);
  /* m2: privacy wrong, prosocial zero, covariance written the other way round and negative */
  assert_int_equal(r->groups[2].k_sign, 0);
  assert_int_equal(r->groups[2].k_strict, 0);
  assert_int_equal(r->groups[2].K, 3);
  const vagap_vaar_path_result_t *p = &r->paths[2 * 3 + 1];
  assert_int_equal(p->observed, 0);
  assert_int_equal(p->expected, 1);
  assert_true(p->est.est == 0.0);
  p = &r->paths[1 * 3 + 0];
  assert_int_equal(p->agree_sign, 1);
  assert_int_equal(p->agree_strict, 0);
  assert_true(p->est.std_all == -0.025);
  vagap_vaar_result_free(r);

  /* a looser alpha changes only strict agreement */
  assert_int_equal(vagap_vaar_score(&r, s, TABLE, NTABLE, 0.5, &err), VAGAP_OK);
  assert_int_equal(r->groups[1].k_strict, 3);
  assert_int_equal(r->groups[1].k_sign, 3);
  vagap_vaar_result_free(r);
  assert_int_equal(vagap_vaar_score(&r, s, TABLE, NTABLE, 1.0, &err), VAGAP_EINVAL);
  vagap_vaar_spec_free(s);
}

static void test_score_missing_path(void **state) {
  (void)state;
  vagap_vaar_spec_t *s;
  vagap_error_t err;
  assert_int_equal(vagap_vaar_spec_parse(&s, "AoDS~privacy:-,\nAoDS~trust:+", NULL, &err), VAGAP_OK);
  vagap_vaar_result_t *r = (vagap_vaar_result_t *)1;
  assert_int_equal(vagap_vaar_score(&r, s, TABLE, NTABLE, 0.05, &err), VAGAP_EDATA);
  assert_null(r);
  assert_int_equal(err.line, 2);
  assert_int_equal(err.column, 1);
  assert_non_null(strstr(err.message, "group 'human' has no estimate for path AoDS ~ trust"));
  vagap_vaar_spec_free(s);

  vagap_vaar_estimate_t dup[] = {E("g", "y", "~", "x", 1, 1, 0.01), E("g", "y", "~", "x", 1, 1, 0.01)};
  assert_int_equal(vagap_vaar_spec_parse(&s, "y~x:+", NULL, &err), VAGAP_OK);
  assert_int_equal(vagap_vaar_score(&r, s, dup, 2, 0.05, &err), VAGAP_EDATA);
  assert_non_null(strstr(err.message, "more than one"));
  vagap_vaar_estimate_t na[] = {E("g", "y", "~", "x", NAN, 1, 0.01)};
  assert_int_equal(vagap_vaar_score(&r, s, na, 1, 0.05, &err), VAGAP_EDATA);
  assert_non_null(strstr(err.message, "missing"));
  vagap_vaar_spec_free(s);
}

static void test_reference(void **state) {
  (void)state;
  vagap_vaar_spec_t *s;
  vagap_error_t err;
  /* all regressions of the reference group */
  assert_int_equal(vagap_vaar_spec_from_reference(&s, NULL, TABLE, NTABLE, "human", 0, &err), VAGAP_OK);
  assert_int_equal(s->n, 2);
  assert_string_equal(s->paths[0].rhs, "privacy");
  assert_int_equal(s->paths[0].sign, -1);
  assert_int_equal(s->paths[1].sign, 1);
  vagap_vaar_spec_free(s);

  /* a chosen set; the given signs are replaced by the reference's */
  vagap_vaar_spec_t *chosen;
  assert_int_equal(vagap_vaar_spec_parse(&chosen, "prosocial~~privacy:-", NULL, &err), VAGAP_OK);
  assert_int_equal(vagap_vaar_spec_from_reference(&s, chosen, TABLE, NTABLE, "human", 0, &err), VAGAP_OK);
  assert_int_equal(s->n, 1);
  assert_int_equal(s->paths[0].sign, 1);
  vagap_vaar_spec_free(s);
  /* with a reference level, the covariance (p = 0.04) drops out at 0.01 */
  assert_int_equal(vagap_vaar_spec_from_reference(&s, chosen, TABLE, NTABLE, "human", 0.01, &err), VAGAP_EDATA);
  assert_non_null(strstr(err.message, "significant"));
  vagap_vaar_spec_free(chosen);

  /* m2's prosocial path is exactly zero: no sign */
  assert_int_equal(vagap_vaar_spec_from_reference(&s, NULL, TABLE, NTABLE, "m2", 0, &err), VAGAP_EDATA);
  assert_non_null(strstr(err.message, "zero"));
  assert_int_equal(vagap_vaar_spec_from_reference(&s, NULL, TABLE, NTABLE, "robots", 0, &err), VAGAP_EINVAL);
  assert_non_null(strstr(err.message, "robots"));

  /* scored against itself, the reference agrees in sign on every path */
  assert_int_equal(vagap_vaar_spec_from_reference(&s, NULL, TABLE, NTABLE, "m1", 0, &err), VAGAP_OK);
  vagap_vaar_result_t *r;
  assert_int_equal(vagap_vaar_score(&r, s, TABLE, NTABLE, 0.05, &err), VAGAP_OK);
  assert_int_equal(r->groups[1].k_sign, r->groups[1].K);
  assert_int_equal(r->groups[0].k_sign, 2); /* human has m1's signs */
  assert_int_equal(r->groups[2].k_sign, 0);
  vagap_vaar_result_free(r);
  vagap_vaar_spec_free(s);
}

static void test_agrees(void **state) {
  (void)state;
  assert_true(vagap_vaar_agrees(-1, -0.1, 0.049, 0.05, 1));
  assert_false(vagap_vaar_agrees(-1, -0.1, 0.05, 0.05, 1));
  assert_true(vagap_vaar_agrees(-1, -0.1, 0.9, 0.05, 0));
  assert_false(vagap_vaar_agrees(-1, -0.1, NAN, 0.05, 1));
  assert_true(vagap_vaar_agrees(-1, -0.1, NAN, 0.05, 0));
  assert_false(vagap_vaar_agrees(1, NAN, 0.0, 0.05, 0));
  assert_false(vagap_vaar_agrees(1, -0.0, 0.0, 0.05, 0));
  assert_int_equal(vagap_vaar_sign_of(-1e-300), -1);
}

/* ---- orientation ------------------------------------------------------------ */

static void test_markers(void **state) {
  (void)state;
  vagap_vaar_estimate_t t[] = {
      {"1", "f", "=~", "x1", 1, NAN, NAN, NAN, NAN, 0.7},
      {"1", "f", "=~", "x2", 0.8, 0.1, 0.001, 0.6, 1.0, 0.6},
      {"1", "h", "=~", "z1", 0.9, 0.1, 0.001, 0.7, 1.1, 0.6}, /* std.lv style: free */
      {"1", "h", "=~", "z2", 1.1, 0.1, 0.001, 0.9, 1.3, 0.6},
      {"2", "f", "=~", "x1", 1, 0, NAN, 1, 1, 0.7},
      {"2", "h", "=~", "z1", 1.0, NAN, NAN, NAN, NAN, 0.6},
  };
  vagap_vaar_markers_t m;
  vagap_error_t err;
  assert_int_equal(vagap_vaar_markers(&m, t, 6, &err), VAGAP_OK);
  assert_int_equal(m.n, 2);
  assert_string_equal(m.latent[0], "f");
  assert_string_equal(m.indicator[0], "x1");
  assert_true(m.fixed[0]);
  assert_string_equal(m.latent[1], "h");
  assert_string_equal(m.indicator[1], "z1");
  assert_false(m.fixed[1]); /* free in group 1 */
  vagap_vaar_markers_clear(&m);
  vagap_vaar_markers_clear(NULL);
  /* NA*x1 + 1*x2: the second loading fixes the sign */
  vagap_vaar_estimate_t u[] = {
      {"1", "f", "=~", "x1", 0.9, 0.1, 0.001, 0.7, 1.1, 0.6},
      {"1", "f", "=~", "x2", 1, NAN, NAN, NAN, NAN, 0.7},
      {"1", "f", "=~", "x3", 1, NAN, NAN, NAN, NAN, 0.7},
  };
  assert_int_equal(vagap_vaar_markers(&m, u, 3, &err), VAGAP_OK);
  assert_int_equal(m.n, 1);
  assert_string_equal(m.indicator[0], "x2");
  assert_true(m.fixed[0]);
  vagap_vaar_markers_clear(&m);
  /* a marker fixed at -1 does not fix the sign the usual way */
  u[1].est = -1;
  u[2].est = 0.8, u[2].se = 0.1;
  assert_int_equal(vagap_vaar_markers(&m, u, 3, &err), VAGAP_OK);
  assert_string_equal(m.indicator[0], "x1");
  assert_false(m.fixed[0]);
  vagap_vaar_markers_clear(&m);
}

static void test_orient(void **state) {
  (void)state;
  vagap_vaar_estimate_t t[] = {
      {"a", "f", "=~", "x1", -0.9, 0.1, 0.001, -1.1, -0.7, -0.8},
      {"a", "f", "=~", "x2", -0.5, 0.1, 0.001, -0.7, -0.3, -0.4},
      {"a", "h", "=~", "z1", 0.7, 0.1, 0.001, 0.5, 0.9, 0.6},
      {"a", "y", "~", "f", 0.3, 0.1, 0.01, 0.1, 0.5, 0.2},
      {"a", "h", "~", "f", 0.4, 0.1, 0.01, 0.2, 0.6, 0.3},
      {"a", "f", "~~", "f", 1.0, NAN, NAN, NAN, NAN, 1.0},
      {"a", "f", "~1", "", 0.2, 0.1, 0.05, 0.0, 0.4, 0.2},
      {"b", "f", "=~", "x1", 0.9, 0.1, 0.001, 0.7, 1.1, 0.8},
      {"b", "h", "=~", "z1", -0.7, 0.1, 0.001, -0.9, -0.5, -0.6},
      {"b", "h", "~", "f", 0.4, 0.1, 0.01, 0.2, 0.6, 0.3},
      {"b", "y", "~", "f", 0.3, 0.1, 0.01, 0.1, 0.5, 0.2},
  };
  const char *lat[] = {"f", "h"}, *ind[] = {"x1", "z1"};
  size_t flipped;
  vagap_error_t err;
  assert_int_equal(vagap_vaar_orient(t, 11, lat, ind, 2, &flipped, &err), VAGAP_OK);
  assert_int_equal(flipped, 2);
  /* group a: f reversed */
  assert_true(t[0].est == 0.9 && t[0].ci_lower == 0.7 && t[0].ci_upper == 1.1 && t[0].std_all == 0.8);
  assert_true(t[1].est == 0.5);
  assert_true(t[2].est == 0.7);  /* h untouched in a */
  assert_true(t[3].est == -0.3 && t[3].se == 0.1 && t[3].pvalue == 0.01);
  assert_true(t[4].est == -0.4);
  assert_true(t[5].est == 1.0);  /* variance */
  assert_true(t[6].est == -0.2); /* mean */
  /* group b: h reversed */
  assert_true(t[8].est == 0.7);
  assert_true(t[9].est == -0.4);
  assert_true(t[10].est == 0.3);

  /* both sides reversed: a path between them keeps its sign */
  vagap_vaar_estimate_t u[] = {
      {"a", "f", "=~", "x1", -1, 0.1, 0.01, NAN, NAN, NAN},
      {"a", "h", "=~", "z1", -1, 0.1, 0.01, NAN, NAN, NAN},
      {"a", "h", "~", "f", 0.4, 0.1, 0.01, NAN, NAN, NAN},
  };
  assert_int_equal(vagap_vaar_orient(u, 3, lat, ind, 2, NULL, &err), VAGAP_OK);
  assert_true(u[2].est == 0.4);
  assert_true(u[0].est == 1 && u[1].est == 1);

  const char *bad[] = {"x9"};
  assert_int_equal(vagap_vaar_orient(t, 11, lat, bad, 1, NULL, &err), VAGAP_EINVAL);
  assert_non_null(strstr(err.message, "f =~ x9"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse_basic),  cmocka_unit_test(test_parse_errors),
      cmocka_unit_test(test_sign_tokens),  cmocka_unit_test(test_spec_table),
      cmocka_unit_test(test_score),        cmocka_unit_test(test_score_missing_path),
      cmocka_unit_test(test_reference),    cmocka_unit_test(test_agrees),
      cmocka_unit_test(test_markers),      cmocka_unit_test(test_orient),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
