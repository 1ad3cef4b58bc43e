/* Unit tests for vagap/align.h on small cases worked out by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "vagap/align.h"

#define A VAGAP_ALIGN_AGREE
#define D VAGAP_ALIGN_DISAGREE
#define M VAGAP_ALIGN_MISSING
#define EPS 1e-12

/*
 * Model 0, scenario 0, four values, two prompts each:
 *   value 0: stated 1,2 (v = 1/6, A)  actions A,A (a = 0, A)    D = 1/6
 *   value 1: stated 4,3 (v = 5/6, D)  actions D,A (a = .5, D)   D = 1/3
 *   value 2: stated 1,1 (v = 0, A)    actions D,D (a = 1, D)    D = 1
 *   value 3: stated 3,2 (v = .5, D)   actions A,A (a = 0, A)    D = 1/2
 * Scenario 1: values 0, 1 stated 1 and action A (all agree).
 */
static const vagap_align_obs_t CASE[] = {
    {0, 0, 0, 0, 1, A, 2},  {0, 0, 0, 1, 2, A, 3},  {0, 0, 1, 0, 4, D, 4},
    {0, 0, 1, 1, 3, A, 5},  {0, 0, 2, 0, 1, D, 6},  {0, 0, 2, 1, 1, D, 7},
    {0, 0, 3, 0, 3, A, 8},  {0, 0, 3, 1, 2, A, 9},  {0, 1, 0, 0, 1, A, 10},
    {0, 1, 1, 0, 1, A, 11},
};
#define NCASE (sizeof CASE / sizeof CASE[0])

static void test_f1_definition(void **state) {
  (void)state;
  int undef = -1;
  assert_float_equal(vagap_align_f1(1, 1, 1, VAGAP_ALIGN_ZERO_DIVISION_0, &undef), 0.5, EPS);
  assert_int_equal(undef, 0);
  /* no true positive but errors: a genuine 0 under every rule */
  assert_float_equal(vagap_align_f1(0, 2, 1, VAGAP_ALIGN_ZERO_DIVISION_1, &undef), 0.0, EPS);
  assert_int_equal(undef, 0);
  /* empty positive class on both sides: scikit-learn's zero_division */
  assert_float_equal(vagap_align_f1(0, 0, 0, VAGAP_ALIGN_ZERO_DIVISION_0, &undef), 0.0, EPS);
  assert_int_equal(undef, 1);
  assert_float_equal(vagap_align_f1(0, 0, 0, VAGAP_ALIGN_ZERO_DIVISION_1, &undef), 1.0, EPS);
  assert_true(isnan(vagap_align_f1(0, 0, 0, VAGAP_ALIGN_ZERO_DIVISION_NAN, &undef)));
}

static void test_polarity_ties(void **state) {
  (void)state;
  assert_int_equal(vagap_align_stated_polarity(1), A);
  assert_int_equal(vagap_align_stated_polarity(2), A);
  assert_int_equal(vagap_align_stated_polarity(2.5), D); /* (2.5-1)/3 = 0.5: tie to disagree */
  assert_int_equal(vagap_align_stated_polarity(3), D);
  assert_int_equal(vagap_align_stated_polarity(4), D);
}

static void test_cells(void **state) {
  (void)state;
  vagap_align_cell_t *cells = NULL;
  size_t n = 0;
  vagap_error_t err;
  assert_int_equal(vagap_align_cells(CASE, NCASE, &cells, &n, &err), VAGAP_OK);
  assert_int_equal(n, 6);
  const double v[] = {1.0 / 6, 5.0 / 6, 0, 0.5, 0, 0};
  const double a[] = {0, 0.5, 1, 0, 0, 0};
  const int vb[] = {A, D, A, D, A, A}, ab[] = {A, D, D, A, A, A};
  const int sv[] = {A, D, A, D, A, A}, av[] = {A, D, D, A, A, A};
  for (size_t i = 0; i < n; i++) {
    assert_float_equal(cells[i].v, v[i], EPS);
    assert_float_equal(cells[i].a, a[i], EPS);
    assert_float_equal(cells[i].distance, fabs(v[i] - a[i]), EPS);
    assert_int_equal(cells[i].v_bin, vb[i]);
    assert_int_equal(cells[i].a_bin, ab[i]);
    assert_int_equal(cells[i].stated_vote, sv[i]);
    assert_int_equal(cells[i].action_vote, av[i]);
  }
  assert_int_equal(cells[3].n_pairs_agree, 1); /* (3,A) differs, (2,A) agrees */
  free(cells);
}

static void summarise_case(int positive, vagap_align_zero_division_t zd,
                           vagap_align_model_t *model, vagap_align_scenario_t **sc,
                           size_t *nsc) {
  vagap_align_cell_t *cells = NULL;
  size_t n = 0;
  vagap_error_t err;
  assert_int_equal(vagap_align_cells(CASE, NCASE, &cells, &n, &err), VAGAP_OK);
  vagap_align_options_t opt;
  vagap_align_options_init(&opt);
  opt.positive = positive;
  opt.zero_division = zd;
  assert_int_equal(vagap_align_summarise(cells, n, 1, &opt, sc, nsc, model, &err), VAGAP_OK);
  free(cells);
}

static void test_summary_agree(void **state) {
  (void)state;
  vagap_align_model_t m;
  vagap_align_scenario_t *sc = NULL;
  size_t nsc = 0;
  summarise_case(A, VAGAP_ALIGN_ZERO_DIVISION_0, &m, &sc, &nsc);
  assert_int_equal(nsc, 2);
  assert_int_equal(sc[0].tp, 1);
  assert_int_equal(sc[0].fp, 1); /* value 3: stated D, action A */
  assert_int_equal(sc[0].fn, 1); /* value 2: stated A, action D */
  assert_int_equal(sc[0].tn, 1);
  assert_float_equal(sc[0].f1, 0.5, EPS);
  assert_float_equal(sc[1].f1, 1.0, EPS);
  assert_float_equal(m.f1, 0.75, EPS);
  assert_int_equal(m.n_scenarios, 2);
  /* distances (1/6 + 1/3 + 1 + 1/2 + 0 + 0) / 6 */
  assert_float_equal(m.distance, 2.0 / 6, EPS);
  assert_int_equal(m.n_aa, 3);
  assert_int_equal(m.n_ad, 1);
  assert_int_equal(m.n_da, 1);
  assert_int_equal(m.n_dd, 1);
  /* prompt pairs agreeing: 2 + 1 + 0 + 1 + 1 + 1 out of 10 */
  assert_int_equal(m.n_prompt_pairs, 10);
  assert_float_equal(m.prompt_agreement, 0.6, EPS);
  /* variants agreeing with the majority: value 3 stated (3,2) and value 1 actions (D,A) are split */
  assert_int_equal(m.n_cells_stated, 6);
  assert_float_equal(m.prompt_consistency_stated, 5.5 / 6, EPS);
  assert_float_equal(m.prompt_consistency_action, 5.5 / 6, EPS);
  free(sc);
}

static void test_summary_disagree_zero_division(void **state) {
  (void)state;
  vagap_align_model_t m;
  vagap_align_scenario_t *sc = NULL;
  size_t nsc = 0;
  /* scenario 1 has no disagree anywhere: F1 undefined */
  summarise_case(D, VAGAP_ALIGN_ZERO_DIVISION_0, &m, &sc, &nsc);
  assert_float_equal(sc[0].f1, 0.5, EPS);
  assert_float_equal(sc[1].f1, 0.0, EPS);
  assert_int_equal(sc[1].zero_division, 1);
  assert_float_equal(m.f1, 0.25, EPS);
  assert_int_equal(m.n_scenarios_undefined, 1);
  free(sc);
  summarise_case(D, VAGAP_ALIGN_ZERO_DIVISION_1, &m, &sc, &nsc);
  assert_float_equal(m.f1, 0.75, EPS);
  free(sc);
  summarise_case(D, VAGAP_ALIGN_ZERO_DIVISION_NAN, &m, NULL, NULL);
  assert_float_equal(m.f1, 0.5, EPS);
  assert_int_equal(m.n_scenarios, 1);
  assert_int_equal(m.n_scenarios_dropped, 1);
}

static void test_missing_prompts(void **state) {
  (void)state;
  /* value 0: stated only; value 1: prompt 0 complete, prompt 1 has no stated answer */
  const vagap_align_obs_t obs[] = {
      {0, 0, 0, 0, 2, M, 2},
      {0, 0, 0, 1, 3, M, 3},
      {0, 0, 1, 0, 1, A, 4},
      {0, 0, 1, 1, NAN, D, 5},
  };
  vagap_align_cell_t *cells = NULL;
  size_t n = 0;
  vagap_error_t err;
  assert_int_equal(vagap_align_cells(obs, 4, &cells, &n, &err), VAGAP_OK);
  assert_int_equal(n, 2);
  assert_float_equal(cells[0].v, 0.5, EPS);
  assert_true(isnan(cells[0].a));
  assert_int_equal(cells[0].a_bin, M);
  assert_int_equal(cells[0].action_vote, M);
  assert_int_equal(cells[1].n_stated, 1);
  assert_int_equal(cells[1].n_action, 2);
  assert_float_equal(cells[1].v, 0.0, EPS);
  assert_float_equal(cells[1].a, 0.5, EPS);
  vagap_align_model_t m;
  vagap_align_scenario_t *sc = NULL;
  size_t nsc = 0;
  assert_int_equal(vagap_align_summarise(cells, n, 1, NULL, &sc, &nsc, &m, &err), VAGAP_OK);
  assert_int_equal(sc[0].n_values, 1);
  assert_int_equal(sc[0].n_incomplete, 1);
  assert_int_equal(sc[0].fn, 1); /* stated A, action tie -> D */
  assert_float_equal(m.f1, 0.0, EPS);
  assert_int_equal(m.n_cells, 2);
  assert_int_equal(m.n_cells_complete, 1);
  assert_int_equal(m.n_voted, 1);
  assert_int_equal(m.n_ad, 1);
  assert_int_equal(m.n_prompt_pairs, 1);
  assert_float_equal(m.prompt_agreement, 1.0, EPS);
  /* stated votes: value 0 (2,3) tie -> D, share .5; value 1 (1) share 1; action only value 1: .5 */
  assert_int_equal(m.n_cells_stated, 2);
  assert_float_equal(m.prompt_consistency_stated, 0.75, EPS);
  assert_int_equal(m.n_cells_action, 1);
  assert_float_equal(m.prompt_consistency_action, 0.5, EPS);
  free(sc);
  free(cells);
}

static void test_bad_observations(void **state) {
  (void)state;
  vagap_align_cell_t *cells = NULL;
  size_t n = 0;
  vagap_error_t err;
  const vagap_align_obs_t dup[] = {{0, 0, 0, 7, 1, A, 2}, {0, 0, 1, 7, 1, A, 3},
                                   {0, 0, 0, 7, 2, D, 4}};
  assert_int_equal(vagap_align_cells(dup, 3, &cells, &n, &err), VAGAP_EDATA);
  assert_int_equal(err.line, 4);
  assert_null(cells);
  const vagap_align_obs_t range[] = {{0, 0, 0, 0, 5, A, 9}};
  assert_int_equal(vagap_align_cells(range, 1, &cells, &n, &err), VAGAP_EDATA);
  assert_int_equal(err.line, 9);
  const vagap_align_obs_t code[] = {{0, 0, 0, 0, 1, 3, 11}};
  assert_int_equal(vagap_align_cells(code, 1, &cells, &n, &err), VAGAP_EDATA);
  assert_int_equal(err.line, 11);
}

static void test_distance_by_and_ties(void **state) {
  (void)state;
  /* two models, three group levels; model 1 has no cell in level 2 */
  vagap_align_cell_t cells[6] = {{0}};
  const size_t model[] = {0, 0, 0, 0, 1, 1};
  const size_t group[] = {0, 1, 1, 2, 0, 1};
  const double dist[] = {0.2, 0.1, 0.3, 0.2, 0.5, NAN};
  for (size_t i = 0; i < 6; i++) {
    cells[i].model = model[i];
    cells[i].distance = dist[i];
  }
  vagap_align_group_t out[6];
  vagap_error_t err;
  assert_int_equal(vagap_align_distance_by(cells, 6, group, 3, 2, out, &err), VAGAP_OK);
  /* model 0: levels 0.2, 0.2, 0.2 -> all tied at rank 2 */
  for (size_t g = 0; g < 3; g++) {
    assert_float_equal(out[g].distance, 0.2, EPS);
    assert_float_equal(out[g].rank, 2.0, EPS);
  }
  assert_int_equal(out[1].n_cells, 2);
  assert_float_equal(out[3].distance, 0.5, EPS);
  assert_float_equal(out[3].rank, 1.0, EPS);
  assert_true(isnan(out[4].distance)); /* only an incomplete cell */
  assert_true(isnan(out[4].rank));
  assert_true(isnan(out[5].rank));
  const size_t badgroup[] = {0, 1, 1, 3, 0, 1};
  assert_int_equal(vagap_align_distance_by(cells, 6, badgroup, 3, 2, out, &err), VAGAP_EINVAL);
}

static void test_ranking_order(void **state) {
  (void)state;
  vagap_align_cell_t cells[4] = {{0}};
  const double dist[] = {0.4, 0.1, 0.4, 0.05};
  const size_t group[] = {0, 1, 2, 3};
  for (size_t i = 0; i < 4; i++) cells[i].distance = dist[i];
  vagap_align_group_t out[4];
  vagap_error_t err;
  assert_int_equal(vagap_align_distance_by(cells, 4, group, 4, 1, out, &err), VAGAP_OK);
  assert_float_equal(out[3].rank, 1.0, EPS);
  assert_float_equal(out[1].rank, 2.0, EPS);
  assert_float_equal(out[0].rank, 3.5, EPS);
  assert_float_equal(out[2].rank, 3.5, EPS);
}

static void test_unsorted_cells_rejected(void **state) {
  (void)state;
  vagap_align_cell_t cells[2] = {{0}};
  cells[0].value = 1;
  cells[1].value = 0;
  vagap_align_model_t m;
  vagap_error_t err;
  assert_int_equal(vagap_align_summarise(cells, 2, 1, NULL, NULL, NULL, &m, &err), VAGAP_EINVAL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_f1_definition),
      cmocka_unit_test(test_polarity_ties),
      cmocka_unit_test(test_cells),
      cmocka_unit_test(test_summary_agree),
      cmocka_unit_test(test_summary_disagree_zero_division),
      cmocka_unit_test(test_missing_prompts),
      cmocka_unit_test(test_bad_observations),
      cmocka_unit_test(test_distance_by_and_ties),
      cmocka_unit_test(test_ranking_order),
      cmocka_unit_test(test_unsorted_cells_rejected),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
