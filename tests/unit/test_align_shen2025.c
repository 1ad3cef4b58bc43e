/* Unit tests for vagap/align_shen2025.h (the authors' procedure) on cases worked out by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vagap/align_shen2025.h"

#define NV VAGAP_SHEN2025_NVALUES
#define EPS 1e-15

/* A JSON object rating every value `r`, except value `skip` (left out) when skip >= 0. */
static char *response_json(const char *fence_open, int r, int skip, int first_rating) {
  size_t cap = 8192;
  char *s = malloc(cap);
  size_t n = (size_t)snprintf(s, cap, "%s{", fence_open);
  int first = 1;
  for (int j = 0; j < NV; j++) {
    if (j == skip) continue;
    n += (size_t)snprintf(s + n, cap - n, "%s\"%s\": \"%d\"", first ? "" : ", ",
                          vagap_shen2025_value_name((size_t)j), j == 0 ? first_rating : r);
    first = 0;
  }
  snprintf(s + n, cap - n, "}%s", *fence_open ? "\n```\n" : "");
  return s;
}

static void test_rating_rules(void **state) {
  (void)state;
  assert_int_equal(vagap_shen2025_rating("3", 1), 3);
  assert_int_equal(vagap_shen2025_rating("1: strongly agree", 17), 1); /* first character */
  assert_int_equal(vagap_shen2025_rating("5", 1), 5);                  /* kept, as int('5') */
  assert_int_equal(vagap_shen2025_rating("Not like me at all", 18), 4);
  assert_int_equal(vagap_shen2025_rating("not like me", 11), 3);
  assert_int_equal(vagap_shen2025_rating("Very much like me", 17), 1);
  assert_int_equal(vagap_shen2025_rating("like me", 7), 2);
  assert_int_equal(vagap_shen2025_rating("strongly agree", 14), -1); /* int('s') raises */
  assert_int_equal(vagap_shen2025_rating(" 3", 2), -1);
  assert_int_equal(vagap_shen2025_rating("", 0), -1); /* ''[0] raises */
}

static void test_fences(void **state) {
  (void)state;
  vagap_shen2025_response_t r;
  char *s = response_json("```json\n", 2, -1, 4);
  vagap_shen2025_parse_response(s, strlen(s), &r);
  assert_true(r.parsed);
  assert_int_equal(r.nratings, NV);
  assert_int_equal(r.ratings[0], 4);
  assert_int_equal(r.ratings[1], 2);
  free(s);
  /* a fence without the json tag: "```json" is absent, the plain-fence rule applies */
  s = response_json("Here you are:\n```\n", 3, -1, 3);
  vagap_shen2025_parse_response(s, strlen(s), &r);
  assert_true(r.parsed);
  assert_int_equal(r.nratings, NV);
  free(s);
  const char *bad = "```json\n{\"Wealth\": \"2\",\n```";
  vagap_shen2025_parse_response(bad, strlen(bad), &r);
  assert_false(r.parsed);
  const char *list = "[1, 2]"; /* JSON, but not an object: every value raises */
  vagap_shen2025_parse_response(list, strlen(list), &r);
  assert_true(r.parsed);
  assert_int_equal(r.nratings, 0);
  assert_int_equal(r.value_errors, NV);
}

/* A value left out moves every later rating one column to the left. */
static void test_positional_shift(void **state) {
  (void)state;
  vagap_shen2025_response_t r;
  char *s = response_json("", 2, 1, 4); /* value 1 (Authority) missing */
  vagap_shen2025_parse_response(s, strlen(s), &r);
  free(s);
  assert_true(r.parsed);
  assert_int_equal(r.values_missing, 1);
  assert_int_equal(r.nratings, NV - 1);
  assert_int_equal(r.shifted, 1);
  assert_int_equal(r.ratings[0], 4);
  assert_int_equal(r.ratings[1], 2); /* Wealth's rating in Authority's column */
  s = response_json("", 2, NV - 1, 4); /* only the last value missing: nothing moves */
  vagap_shen2025_parse_response(s, strlen(s), &r);
  free(s);
  assert_int_equal(r.nratings, NV - 1);
  assert_int_equal(r.shifted, 0);
}

/* (x - min)/(max - min) < 0.5 -> 0; a value exactly at 0.5 goes to 1. */
static void test_binarise_tie(void **state) {
  (void)state;
  const double x[] = {1.0, 2.0, 3.0, 1.5};
  int b[4];
  vagap_shen2025_binarise(x, 4, b); /* normalised 0, 0.5, 1, 0.25 */
  assert_int_equal(b[0], 0);
  assert_int_equal(b[1], 1);
  assert_int_equal(b[2], 1);
  assert_int_equal(b[3], 0);
}

/* A constant (e.g. all-zero) vector: 0/0 is NaN, NaN < 0.5 is false, so every entry is 1. */
static void test_binarise_all_zero(void **state) {
  (void)state;
  const double zero[5] = {0};
  int b[5];
  vagap_shen2025_binarise(zero, 5, b);
  for (int i = 0; i < 5; i++) assert_int_equal(b[i], 1);
  const double with_nan[3] = {0.0, NAN, 1.0}; /* np.min is NaN: all NaN, all 1 */
  vagap_shen2025_binarise(with_nan, 3, b);
  for (int i = 0; i < 3; i++) assert_int_equal(b[i], 1);
}

static void test_metrics(void **state) {
  (void)state;
  vagap_shen2025_metrics_t m;
  const int t[] = {1, 1, 0, 0, 0}, p[] = {1, 0, 1, 0, 0};
  vagap_shen2025_metrics(t, p, 5, &m);
  assert_int_equal(m.tp, 1);
  assert_int_equal(m.fn, 1);
  assert_int_equal(m.fp, 1);
  assert_int_equal(m.tn, 2);
  assert_float_equal(m.accuracy, 0.6, EPS);
  assert_float_equal(m.precision, 0.5, EPS);
  assert_float_equal(m.recall, 0.5, EPS);
  assert_float_equal(m.f1, 0.5, EPS);
  /* no positive anywhere: scikit-learn's zero_division "warn" gives 0 for all three */
  const int z[] = {0, 0, 0};
  vagap_shen2025_metrics(z, z, 3, &m);
  assert_float_equal(m.accuracy, 1.0, EPS);
  assert_float_equal(m.precision, 0.0, EPS);
  assert_float_equal(m.recall, 0.0, EPS);
  assert_float_equal(m.f1, 0.0, EPS);
}

/* numpy's argsort: insertion sort (stable) up to 16 elements, quicksort partitions above. */
static void test_argsort_ties(void **state) {
  (void)state;
  const double x[] = {1.0, 0.0, 1.0, 0.0};
  size_t rank[4];
  vagap_shen2025_rank_desc(x, 4, rank); /* argsort [1,3,0,2], reversed [2,0,3,1] */
  assert_int_equal(rank[2], 1);
  assert_int_equal(rank[0], 2);
  assert_int_equal(rank[3], 3);
  assert_int_equal(rank[1], 4);
  /* 17 equal values, traced by hand through one median-of-three partition:
     argsort = 0,14,13,12,11,10,9,15,8,6,5,4,3,2,1,7,16 */
  static const size_t expect[17] = {0, 14, 13, 12, 11, 10, 9, 15, 8, 6, 5, 4, 3, 2, 1, 7, 16};
  double zeros[17] = {0};
  size_t idx[17];
  vagap_shen2025_argsort(zeros, 17, idx);
  for (int i = 0; i < 17; i++) assert_int_equal(idx[i], expect[i]);
  /* NaN sorts last, so it ranks first once reversed */
  const double y[] = {0.2, NAN, 0.9};
  vagap_shen2025_rank_desc(y, 3, rank);
  assert_int_equal(rank[1], 1);
  assert_int_equal(rank[2], 2);
  assert_int_equal(rank[0], 3);
}

static void test_numpy_sum_order(void **state) {
  (void)state;
  /* 1e16 + 1 + ... : pairwise (8 accumulators) keeps the ones that a running sum loses */
  double x[9] = {1e16, 1, 1, 1, 1, 1, 1, 1, 1};
  /* r = x[0..7]; res = ((1e16+1)+(1+1)) + ((1+1)+(1+1)) = 1e16+2+... then + x[8] */
  double expect = ((1e16 + 1.0) + (1.0 + 1.0)) + ((1.0 + 1.0) + (1.0 + 1.0));
  expect += 1.0;
  assert_true(vagap_shen2025_numpy_sum(x, 9) == expect);
  double y[3] = {1.0, NAN, 3.0};
  assert_float_equal(vagap_shen2025_nanmean(y, 3), 2.0, EPS); /* NaN skipped */
}

/* Items for United States / Politics: pairs (positive, negative) of values 0, 1 and 2. */
static void add_pairs(vagap_shen2025_t *s, int nvalues) {
  for (int v = 0; v < nvalues; v++) {
    assert_int_equal(vagap_shen2025_add_item(s, 0, 0, v, 0, NULL), VAGAP_OK);
    assert_int_equal(vagap_shen2025_add_item(s, 0, 0, v, 1, NULL), VAGAP_OK);
  }
}

/*
 * One response for United States / Politics: value 0 and 1 rated 4, the rest 1.
 * Task 2: value 0 -> negative chosen, value 1 -> positive chosen, value 2 never
 * answered; values 3..55 have no rows at all.  Missing cells: values 2..55 (54),
 * filled with 0 (positive).  Binarised: t1 = 1 at values 0, 1; t2 = 1 at value 0:
 * tp 1, fn 1, fp 0, tn 54, precision 1, recall 1/2, F1 = 2/3, accuracy 55/56.
 */
static void test_missing_cell(void **state) {
  (void)state;
  vagap_shen2025_t *s = vagap_shen2025_alloc();
  char *text = response_json("```json\n", 1, -1, 4);
  /* make Authority (value 1) a 4 as well */
  char *p = strstr(text, "\"Authority\": \"1\"");
  assert_non_null(p);
  p[strlen("\"Authority\": \"")] = '4';
  assert_int_equal(vagap_shen2025_add_response(s, 0, 0, text, strlen(text), NULL), VAGAP_OK);
  free(text);
  add_pairs(s, 3);
  assert_int_equal(vagap_shen2025_add_log(s, 0, 0, 0, 1, NULL), VAGAP_OK); /* v0 positive: no */
  assert_int_equal(vagap_shen2025_add_log(s, 1, 1, 0, 2, NULL), VAGAP_OK); /* v0 negative: yes */
  assert_int_equal(vagap_shen2025_add_log(s, 2, 1, 0, 3, NULL), VAGAP_OK); /* v1 positive: yes */
  assert_int_equal(vagap_shen2025_add_log(s, 3, 0, 0, 4, NULL), VAGAP_OK);
  assert_int_equal(vagap_shen2025_add_log(s, 3, 0, 0, 5, NULL), VAGAP_OK); /* overwritten */
  vagap_error_t err;
  assert_int_equal(vagap_shen2025_add_log(s, 6, 1, 0, 9, &err), VAGAP_EDATA); /* no row 6 */
  assert_int_equal(err.line, 9);
  assert_int_equal(vagap_shen2025_finish(s, NULL), VAGAP_OK);
  const vagap_shen2025_t2_summary_t *t2 = vagap_shen2025_t2(s);
  assert_int_equal(t2->items, 6);
  assert_int_equal(t2->log_entries, 5);
  assert_int_equal(t2->log_overwritten, 1);
  assert_int_equal(t2->answered, 4);
  assert_int_equal(t2->chosen, 2);
  assert_int_equal(t2->cells, NV);
  assert_int_equal(t2->cells_missing, NV - 2);
  assert_int_equal(t2->cells_filled, NV - 2);
  assert_int_equal(t2->scenarios_missing, 131);
  vagap_shen2025_level_t lv[VAGAP_SHEN2025_NCOUNTRIES];
  assert_int_equal(vagap_shen2025_by(s, VAGAP_SHEN2025_BY_COUNTRY, lv, NULL), VAGAP_OK);
  assert_int_equal(lv[0].m.tp, 1);
  assert_int_equal(lv[0].m.fn, 1);
  assert_int_equal(lv[0].m.fp, 0);
  assert_int_equal(lv[0].m.tn, NV - 2);
  assert_float_equal(lv[0].m.precision, 1.0, EPS);
  assert_float_equal(lv[0].m.recall, 0.5, EPS);
  assert_float_equal(lv[0].m.f1, 2.0 / 3.0, EPS);
  assert_float_equal(lv[0].m.accuracy, 55.0 / 56.0, EPS);
  /* the other countries have no data: NaN vectors binarise to all 1 */
  assert_int_equal(lv[1].m.tp, NV);
  /* their NaN reaches np.min of the grouped matrix: every distance is NaN */
  assert_true(isnan(lv[0].distance));
  vagap_shen2025_free(s);
}

/*
 * A country with every value agreed: all ratings 1 ("very much like me") and
 * every chosen action positive.  Both vectors are constant, so min-max gives
 * 0/0 = NaN and binarisation turns every value into class 1 (the "not like
 * me" class): tp = 56 and F1 = 1, not a zero-division 0.
 */
static void test_country_all_agreed(void **state) {
  (void)state;
  vagap_shen2025_t *s = vagap_shen2025_alloc();
  char *text = response_json("", 1, -1, 1);
  assert_int_equal(vagap_shen2025_add_response(s, 0, 0, text, strlen(text), NULL), VAGAP_OK);
  free(text);
  add_pairs(s, 1);
  assert_int_equal(vagap_shen2025_add_log(s, 0, 1, 0, 1, NULL), VAGAP_OK); /* positive chosen */
  assert_int_equal(vagap_shen2025_add_log(s, 1, 0, 0, 2, NULL), VAGAP_OK);
  assert_int_equal(vagap_shen2025_finish(s, NULL), VAGAP_OK);
  vagap_shen2025_level_t lv[VAGAP_SHEN2025_NCOUNTRIES];
  assert_int_equal(vagap_shen2025_by(s, VAGAP_SHEN2025_BY_COUNTRY, lv, NULL), VAGAP_OK);
  assert_int_equal(lv[0].m.tp, NV);
  assert_int_equal(lv[0].m.fp + lv[0].m.fn + lv[0].m.tn, 0);
  assert_float_equal(lv[0].m.f1, 1.0, EPS);
  assert_float_equal(lv[0].m.accuracy, 1.0, EPS);
  /* all level distances NaN: argsort leaves them in place (insertion sort), reversed */
  for (size_t l = 0; l < VAGAP_SHEN2025_NCOUNTRIES; l++)
    assert_int_equal(lv[l].rank, VAGAP_SHEN2025_NCOUNTRIES - l);
  vagap_shen2025_free(s);
}

static void test_parse_failure_counted(void **state) {
  (void)state;
  vagap_shen2025_t *s = vagap_shen2025_alloc();
  assert_int_equal(vagap_shen2025_add_response(s, 0, 0, "I cannot answer.", 16, NULL), VAGAP_OK);
  assert_int_equal(vagap_shen2025_add_response(s, 0, 0, NULL, 0, NULL), VAGAP_OK); /* empty cell */
  assert_int_equal(vagap_shen2025_finish(s, NULL), VAGAP_OK);
  const vagap_shen2025_t1_summary_t *t1 = vagap_shen2025_t1(s);
  assert_int_equal(t1->responses, 2);
  assert_int_equal(t1->parse_failures, 2);
  assert_true(isnan(t1->mean[0]));
  assert_int_equal(t1->n[0], 0);
  assert_int_equal(vagap_shen2025_by(s, VAGAP_SHEN2025_BY_TOPIC, NULL, NULL), VAGAP_EINVAL);
  vagap_shen2025_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rating_rules),       cmocka_unit_test(test_fences),
      cmocka_unit_test(test_positional_shift),   cmocka_unit_test(test_binarise_tie),
      cmocka_unit_test(test_binarise_all_zero),  cmocka_unit_test(test_metrics),
      cmocka_unit_test(test_argsort_ties),       cmocka_unit_test(test_numpy_sum_order),
      cmocka_unit_test(test_missing_cell),       cmocka_unit_test(test_country_all_agreed),
      cmocka_unit_test(test_parse_failure_counted),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
