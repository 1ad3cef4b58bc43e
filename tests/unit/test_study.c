/*
 * Tests of src/lib/study.c: the row-to-unit rules on logs held in memory
 * (vagap_reader_open_memory / vagap_table_read_memory), as the bindings use
 * them.  Expected counts and scores are worked out by hand from the rows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vagap/study.h"

static vagap_reader_t *open_text(const char *text, vagap_ledger_t *ledger) {
  vagap_table_options_t topt;
  vagap_table_options_init(&topt);
  topt.threads = 1;
  vagap_reader_t *r = NULL;
  vagap_error_t err;
  assert_int_equal(vagap_reader_open_memory(&r, "log", text, strlen(text), &topt, ledger, &err),
                   VAGAP_OK);
  return r;
}

static vagap_table_t *read_text(const char *text, const char *name, vagap_ledger_t *ledger) {
  vagap_table_options_t topt;
  vagap_table_options_init(&topt);
  topt.threads = 1;
  vagap_table_t *t = NULL;
  vagap_error_t err;
  assert_int_equal(vagap_table_read_memory(&t, name, text, strlen(text), &topt, ledger, &err),
                   VAGAP_OK);
  return t;
}

static void test_normalise_word(void **state) {
  (void)state;
  char *buf = NULL;
  size_t cap = 0;
  assert_int_equal(vagap_study_normalise_word("  Good.", 7, &buf, &cap), 4);
  assert_string_equal(buf, "good");
  assert_int_equal(vagap_study_normalise_word("--", 2, &buf, &cap), 0);
  assert_string_equal(buf, "");
  free(buf);
}

/* b: 1 of 2 counted (one other code); a: 2 of 3; c: only a missing choice */
static const char CHOICES[] = "model,choice\n"
                              "b,other\n"
                              "a,Other\n"
                              "a, self.\n"
                              "b,maybe\n"
                              "a,other\n"
                              ",other\n"
                              "b,self\n"
                              "c,\n";

static void test_prop_per_unit(void **state) {
  (void)state;
  vagap_ledger_t *ledger = vagap_ledger_alloc();
  vagap_reader_t *r = open_text(CHOICES, ledger);
  vagap_study_choice_options_t o;
  vagap_study_choice_options_init(&o);
  vagap_prop_options_t popt;
  vagap_prop_options_init(&popt);
  vagap_study_prop_t p;
  vagap_error_t err;
  assert_int_equal(vagap_study_prop_from(r, &o, &popt, VAGAP_P_ADJUST_BONFERRONI, ledger, &p, &err),
                   VAGAP_OK);
  assert_int_equal(p.choices.units.n, 3); /* sorted: a, b, c */
  assert_string_equal(p.choices.units.names[0], "a");
  assert_string_equal(p.choices.units.names[2], "c");
  assert_int_equal(p.choices.prosocial[0], 2);
  assert_int_equal(p.choices.selfish[0], 1);
  assert_int_equal(p.choices.prosocial[1], 1);
  assert_int_equal(p.choices.other[1], 1);
  assert_int_equal(p.status[2], VAGAP_EDOMAIN);
  assert_true(isnan(p.test[2].estimate));
  assert_int_equal(p.nok, 2);
  assert_true(fabs(p.test[0].estimate - (2.0 / 3.0)) <= 1e-15);
  /* Bonferroni over the two units with a test */
  assert_true(fabs(p.p_adjusted[0] - (fmin(1.0, 2 * p.test[0].p_value))) <= 1e-15);
  /* excluded: maybe (b), no unit, missing choice (c) */
  assert_int_equal(vagap_ledger_rows_excluded(ledger), 3);
  assert_int_equal(vagap_ledger_exclusion(ledger, 1)->line, 7);
  assert_string_equal(vagap_ledger_exclusion(ledger, 1)->reason, "missing model");
  vagap_study_prop_free(&p);
  vagap_reader_close(r);
  vagap_ledger_free(ledger);
}

static void test_codes_in_both_lists(void **state) {
  (void)state;
  vagap_study_choice_options_t o = {"model", "choice", "other,Self", "self"};
  vagap_study_choice_rules_t rules;
  const char *both;
  vagap_error_t err;
  assert_int_equal(vagap_study_choice_rules_init(&rules, &o, &both, &err), VAGAP_EINVAL);
  assert_string_equal(both, "self");
  assert_string_equal(err.message, "code 'self' is both a success and a failure");
  vagap_study_choice_rules_free(&rules);
}

static const char KEY[] = "item,scale,reverse\nA1,a,0\nA2,a,reverse\nB1,b,\n";

/* m1 run 1: A1 6, A2 2 (reversed: 6), B1 4; m1 run 2: A1 5 (A2 missing); m2: X9 not keyed */
static const char LONG[] = "model,run,item,response\n"
                           "m1,1,A1,6\n"
                           "m1,1,A2,2\n"
                           "m1,1,B1,4\n"
                           "m1,2,A1,5\n"
                           "m1,1,A1,1\n"
                           "m2,1,X9,3\n"
                           "m2,1,B1,9\n"
                           "m2,1,B1,2\n";

static void test_score_long(void **state) {
  (void)state;
  vagap_ledger_t *ledger = vagap_ledger_alloc();
  vagap_error_t err;
  vagap_study_key_t k;
  assert_int_equal(vagap_study_key_from(read_text(KEY, "key", ledger), "item", "scale", "reverse",
                                        &k, &err),
                   VAGAP_OK);
  assert_int_equal(k.nitems, 3);
  assert_int_equal(k.item_reverse[1], 1);
  vagap_scale_key_t sk = {k.nitems, k.nscales, k.item_scale, k.item_reverse, 1, 7, 1};
  vagap_table_t *t = read_text(LONG, "log", ledger);
  vagap_study_long_columns_t cols = {"model", "run", "item", "response", 0, 0};
  vagap_study_score_t sc;
  assert_int_equal(vagap_study_score(&cols, 1, &k, &sk, t, ledger, &sc, &err), VAGAP_OK);
  assert_int_equal(sc.runs.nruns, 3);
  assert_int_equal(sc.runs.nunits, 2);
  /* m1: scale a = mean(run 1: (6 + 6)/2, run 2: 5) = 5.5, SD over runs sqrt(0.5) */
  assert_true(fabs(sc.scores.unit_score[0] - (5.5)) <= 1e-15);
  assert_true(fabs(sc.scores.unit_sd[0] - (sqrt(0.5))) <= 1e-15);
  assert_int_equal(sc.scores.unit_runs[0], 2);
  /* m1 scale b: one run with a score, one without */
  assert_true(fabs(sc.scores.unit_score[1] - (4)) <= 1e-15);
  assert_true(isnan(sc.scores.unit_sd[1]));
  assert_int_equal(sc.scores.unit_missing[1], 1);
  /* m2: only B1 = 2 */
  assert_true(fabs(sc.scores.unit_score[3] - (2)) <= 1e-15);
  /* excluded: the second A1 of m1 run 1, X9, the 9 */
  assert_int_equal(vagap_ledger_rows_excluded(ledger), 3);
  assert_string_equal(vagap_ledger_exclusion(ledger, 0)->reason, "item 'X9' is not in the key");
  assert_string_equal(vagap_ledger_exclusion(ledger, 1)->reason, "response outside 1..7");
  vagap_study_score_free(&sc);
  vagap_study_key_free(&k);
  vagap_table_free(t);
  vagap_ledger_free(ledger);
}

static void test_key_errors_located(void **state) {
  (void)state;
  vagap_error_t err;
  vagap_study_key_t k;
  assert_int_equal(vagap_study_key_from(read_text("item,scale,reverse\nA1,a,maybe\n", "key", NULL),
                                        "item", "scale", "reverse", &k, &err),
                   VAGAP_EDATA);
  assert_string_equal(err.file, "key");
  assert_int_equal(err.line, 2);
  assert_int_equal(err.column, 3);
  vagap_study_key_free(&k);
  assert_int_equal(vagap_study_key_from(read_text("item,scale\nA1,a\nA1,b\n", "key", NULL), "item",
                                        "scale", "reverse", &k, &err),
                   VAGAP_EDATA);
  assert_string_equal(err.message, "item 'A1' is keyed twice");
  vagap_study_key_free(&k);
}

static void test_iat_from_reader(void **state) {
  (void)state;
  vagap_ledger_t *ledger = vagap_ledger_alloc();
  vagap_reader_t *r = open_text("model,trial,word,valence,assigned\n"
                                "m,1,Good,positive,other\n"
                                "m,1,bad,negative,self\n"
                                "m,1,,positive,other\n",
                                ledger);
  vagap_study_iat_options_t o;
  vagap_study_iat_options_init(&o);
  vagap_iat_assoc_t *scorer = NULL;
  vagap_error_t err;
  assert_int_equal(vagap_study_read_iat_from(r, &o, ledger, &scorer, &err), VAGAP_OK);
  assert_int_equal(vagap_iat_assoc_nunits(scorer), 1);
  assert_int_equal(vagap_ledger_rows_excluded(ledger), 1);
  assert_string_equal(vagap_ledger_exclusion(ledger, 0)->reason,
                      "missing word (the trial is still counted)");
  vagap_iat_assoc_free(scorer);
  vagap_reader_close(r);
  vagap_ledger_free(ledger);
}

static void test_struct_sizes(void **state) {
  (void)state;
  assert_int_equal(vagap_struct_size("vagap_study_score_t"), sizeof(vagap_study_score_t));
  assert_int_equal(vagap_struct_size("vagap_error_t"), sizeof(vagap_error_t));
  assert_int_equal(vagap_struct_size("vagap_no_such_t"), 0);
  assert_int_equal(vagap_struct_size(NULL), 0);
}

int main(void) {
  vagap_init();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_normalise_word),     cmocka_unit_test(test_prop_per_unit),
      cmocka_unit_test(test_codes_in_both_lists), cmocka_unit_test(test_score_long),
      cmocka_unit_test(test_key_errors_located),  cmocka_unit_test(test_iat_from_reader),
      cmocka_unit_test(test_struct_sizes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
