/*
 * Tests of src/lib/table_columns.c: tables from typed columns (the bindings'
 * way in).  Each cell must be the text the program reads from a file with the
 * same values, rows must be located by their 1-based row number whatever the
 * cells hold, and the study readers must give over such a table what they
 * give over the same log read as CSV.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vagap/study.h"
#include "vagap/table.h"

static vagap_column_t number_column(const char *name, const double *v) {
  return (vagap_column_t){.name = name, .type = VAGAP_COLUMN_DOUBLE, .numbers = v};
}

static vagap_column_t string_column(const char *name, const char *const *v) {
  return (vagap_column_t){.name = name, .type = VAGAP_COLUMN_STRING, .strings = v};
}

static vagap_column_t int_column(const char *name, vagap_column_type_t type, const int *v) {
  return (vagap_column_t){.name = name, .type = type, .integers = v, .na_integer = INT_MIN};
}

static void assert_cell(const vagap_table_t *t, size_t i, size_t j, const char *text) {
  size_t len;
  const char *s = vagap_table_cell(t, i, j, &len);
  assert_string_equal(s, text);
  assert_int_equal(len, strlen(text));
}

static void test_cells_are_the_files_text(void **state) {
  (void)state;
  const double x[] = {0.1, 1, -2.5e-300, NAN, 0.1 + 0.2};
  const int k[] = {7, INT_MIN, -3, 0, 12};
  const int lg[] = {1, 0, INT_MIN, 1, 0};
  const char *levels[] = {"low", "high"};
  const int f[] = {2, 1, INT_MIN, 3, 1}; /* 3 is no level: missing */
  const char *s[] = {"a,b", "line\nbreak", NULL, "say \"hi\"", ""};
  vagap_column_t cols[] = {number_column("x", x), int_column("k", VAGAP_COLUMN_INT, k),
                           int_column("ok", VAGAP_COLUMN_LOGICAL, lg),
                           int_column("level", VAGAP_COLUMN_FACTOR, f), string_column("s", s)};
  cols[3].strings = levels, cols[3].nlevels = 2;
  vagap_ledger_t *ledger = vagap_ledger_alloc();
  vagap_table_t *t = NULL;
  vagap_error_t err;
  assert_int_equal(vagap_table_from_columns(&t, "frame", cols, 5, 5, NULL, ledger, &err), VAGAP_OK);
  assert_int_equal(vagap_table_nrows(t), 5);
  assert_int_equal(vagap_table_ncols(t), 5);
  assert_string_equal(vagap_table_colname(t, 3), "level");
  assert_string_equal(vagap_table_source(t), "frame");
  assert_int_equal(vagap_ledger_rows_read(ledger), 5);
  assert_cell(t, 0, 0, "0.1");
  assert_cell(t, 1, 0, "1");
  assert_cell(t, 2, 0, "-2.5e-300");
  assert_cell(t, 4, 0, "0.30000000000000004"); /* 17 digits: 15 and 16 do not read back */
  /* short decimals take the exact path: the fewest decimals that read back */
  const double d[] = {0.05, -3.25, 1234, 3.333333, 123456789.000000001, 1e15 + 0.5};
  const char *want[] = {"0.05", "-3.25", "1234", "3.333333", "123456789", "1000000000000000.5"};
  vagap_column_t dc = number_column("d", d);
  vagap_table_t *dt = NULL;
  assert_int_equal(vagap_table_from_columns(&dt, "d", &dc, 1, 6, NULL, NULL, &err), VAGAP_OK);
  for (size_t i = 0; i < 6; i++) {
    assert_cell(dt, i, 0, want[i]);
    double back;
    assert_int_equal(vagap_parse_double(want[i], strlen(want[i]), &back, &err), VAGAP_OK);
    assert_true(back == d[i]);
  }
  vagap_table_free(dt);
  assert_true(vagap_table_is_na(t, 3, 0));
  assert_cell(t, 0, 1, "7");
  assert_true(vagap_table_is_na(t, 1, 1));
  assert_cell(t, 2, 1, "-3");
  assert_cell(t, 0, 2, "TRUE");
  assert_cell(t, 1, 2, "FALSE");
  assert_true(vagap_table_is_na(t, 2, 2));
  assert_cell(t, 0, 3, "high");
  assert_cell(t, 1, 3, "low");
  assert_true(vagap_table_is_na(t, 2, 3) && vagap_table_is_na(t, 3, 3));
  assert_cell(t, 0, 4, "a,b");
  assert_cell(t, 1, 4, "line\nbreak");
  assert_true(vagap_table_is_na(t, 2, 4) && vagap_table_is_na(t, 4, 4));
  assert_cell(t, 3, 4, "say \"hi\"");
  for (size_t i = 0; i < 5; i++) assert_int_equal(vagap_table_line(t, i), (long)i + 1);
  /* the numbers read back exactly */
  double back[5];
  assert_int_equal(vagap_table_numeric(t, 0, back, &err), VAGAP_OK);
  for (size_t i = 0; i < 5; i++) assert_true(isnan(x[i]) ? isnan(back[i]) : back[i] == x[i]);
  /* a text cell is located at its row and column */
  assert_int_equal(vagap_table_numeric(t, 4, back, &err), VAGAP_EDATA);
  assert_string_equal(err.file, "frame");
  assert_int_equal(err.line, 1);
  assert_int_equal(err.column, 5);
  vagap_table_free(t);
  vagap_ledger_free(ledger);
}

/* The same values as CSV and as columns give the same cells. */
static void test_same_as_csv(void **state) {
  (void)state;
  const char *csv = "model,choice,score\nm1,other,1.5\nm1,NA,2\nm2,self,\n";
  vagap_table_options_t opt;
  vagap_table_options_init(&opt);
  opt.threads = 1;
  vagap_table_t *a = NULL, *b = NULL;
  vagap_error_t err;
  assert_int_equal(vagap_table_read_memory(&a, "data", csv, strlen(csv), &opt, NULL, &err), VAGAP_OK);
  const char *model[] = {"m1", "m1", "m2"}, *choice[] = {"other", "NA", "self"};
  const double score[] = {1.5, 2, NAN};
  vagap_column_t cols[] = {string_column("model", model), string_column("choice", choice),
                           number_column("score", score)};
  assert_int_equal(vagap_table_from_columns(&b, "data", cols, 3, 3, &opt, NULL, &err), VAGAP_OK);
  assert_int_equal(vagap_table_nrows(a), vagap_table_nrows(b));
  for (size_t i = 0; i < 3; i++)
    for (size_t j = 0; j < 3; j++) {
      assert_string_equal(vagap_table_cell(a, i, j, NULL), vagap_table_cell(b, i, j, NULL));
      assert_int_equal(vagap_table_is_na(a, i, j), vagap_table_is_na(b, i, j));
    }
  vagap_table_free(a);
  vagap_table_free(b);
}

/* A newline inside a cell no longer shifts the rows after it. */
static void test_prop_rows_located_by_row(void **state) {
  (void)state;
  const char *model[] = {"m\n1", "m\n1", "m2", "m2", NULL};
  const char *choice[] = {"other", "maybe", "self", "other", "self"};
  vagap_column_t cols[] = {string_column("model", model), string_column("choice", choice)};
  vagap_ledger_t *ledger = vagap_ledger_alloc();
  vagap_table_t *t = NULL;
  vagap_error_t err;
  assert_int_equal(vagap_table_from_columns(&t, "data", cols, 2, 5, NULL, ledger, &err), VAGAP_OK);
  vagap_study_choice_options_t o;
  vagap_study_choice_options_init(&o);
  vagap_prop_options_t popt;
  vagap_prop_options_init(&popt);
  vagap_study_prop_t p;
  assert_int_equal(vagap_study_prop_table(t, &o, &popt, VAGAP_P_ADJUST_NONE, ledger, &p, &err),
                   VAGAP_OK);
  assert_int_equal(p.choices.units.n, 2);
  assert_string_equal(p.choices.units.names[0], "m\n1");
  assert_int_equal(p.choices.prosocial[0], 1);
  assert_int_equal(p.choices.other[0], 1);
  assert_int_equal(p.choices.selfish[1], 1);
  assert_int_equal(vagap_ledger_rows_read(ledger), 5);
  assert_int_equal(vagap_ledger_rows_excluded(ledger), 2);
  const vagap_exclusion_t *e = vagap_ledger_exclusion(ledger, 0);
  assert_int_equal(e->line, 2);
  assert_non_null(strstr(e->reason, "'maybe' is neither"));
  e = vagap_ledger_exclusion(ledger, 1);
  assert_int_equal(e->line, 5);
  assert_string_equal(e->reason, "missing model");
  vagap_study_prop_free(&p);
  vagap_table_free(t);
  vagap_ledger_free(ledger);
}

/* A NULL unit column pools every row (prop --pooled): a missing unit is no reason then. */
static void test_prop_pooled(void **state) {
  (void)state;
  const char *model[] = {"a", NULL, "b"}, *choice[] = {"other", "self", "other"};
  vagap_column_t cols[] = {string_column("model", model), string_column("choice", choice)};
  vagap_ledger_t *ledger = vagap_ledger_alloc();
  vagap_table_t *t = NULL;
  vagap_error_t err;
  assert_int_equal(vagap_table_from_columns(&t, "data", cols, 2, 3, NULL, ledger, &err), VAGAP_OK);
  vagap_study_choice_options_t o;
  vagap_study_choice_options_init(&o);
  o.unit = NULL;
  vagap_prop_options_t popt;
  vagap_prop_options_init(&popt);
  vagap_study_prop_t p;
  assert_int_equal(vagap_study_prop_table(t, &o, &popt, VAGAP_P_ADJUST_NONE, ledger, &p, &err), VAGAP_OK);
  assert_int_equal(p.choices.units.n, 1);
  assert_string_equal(p.choices.units.names[0], "");
  assert_int_equal(p.choices.prosocial[0], 2);
  assert_int_equal(p.choices.selfish[0], 1);
  assert_int_equal(vagap_ledger_rows_excluded(ledger), 0);
  vagap_study_prop_free(&p);
  vagap_table_free(t);
  vagap_ledger_free(ledger);
}

/* With infer_numbers: numeric columns kept as numbers (their text rebuilt on demand, the
   same as without), string columns as text even when they hold digits. */
static void test_inferred_numbers(void **state) {
  (void)state;
  const double x[] = {1, NAN, 0.1 + 0.2, -2.5, 1e300};
  const int k[] = {7, INT_MIN, -3, 0, 12};
  const char *digits[] = {"3", "NA", "4", "", "5"};
  vagap_column_t cols[] = {number_column("x", x), int_column("k", VAGAP_COLUMN_INT, k),
                           string_column("d", digits)};
  vagap_table_options_t opt;
  vagap_table_options_init(&opt);
  vagap_table_t *plain = NULL, *t = NULL;
  vagap_error_t err;
  assert_int_equal(vagap_table_from_columns(&plain, NULL, cols, 3, 5, &opt, NULL, &err), VAGAP_OK);
  opt.infer_numbers = 1;
  assert_int_equal(vagap_table_from_columns(&t, NULL, cols, 3, 5, &opt, NULL, &err), VAGAP_OK);
  const double *v = vagap_table_inferred_numbers(t, 0);
  assert_non_null(v);
  for (size_t i = 0; i < 5; i++) assert_true(isnan(x[i]) ? isnan(v[i]) : v[i] == x[i]);
  assert_non_null(v = vagap_table_inferred_numbers(t, 1));
  assert_true(v[0] == 7 && isnan(v[1]) && v[2] == -3);
  assert_null(vagap_table_inferred_numbers(t, 2));
  for (size_t i = 0; i < 5; i++)
    for (size_t j = 0; j < 3; j++) {
      assert_string_equal(vagap_table_cell(t, i, j, NULL), vagap_table_cell(plain, i, j, NULL));
      assert_int_equal(vagap_table_is_na(t, i, j), vagap_table_is_na(plain, i, j));
      assert_int_equal(vagap_table_line(t, i), (long)i + 1);
    }
  /* dropping rows keeps numbers, text and rows' lines together */
  const unsigned char drop[] = {1, 0, 1, 0, 0};
  assert_int_equal(vagap_table_drop_rows(t, drop, &err), VAGAP_OK);
  assert_int_equal(vagap_table_nrows(t), 3);
  assert_int_equal(vagap_table_line(t, 0), 2);
  assert_string_equal(vagap_table_cell(t, 1, 0, NULL), "-2.5");
  assert_string_equal(vagap_table_cell(t, 2, 2, NULL), "5");
  vagap_table_free(plain);
  vagap_table_free(t);
}

static void test_bad_columns(void **state) {
  (void)state;
  vagap_table_t *t = NULL;
  vagap_error_t err;
  assert_int_equal(vagap_table_from_columns(&t, "data", NULL, 0, 0, NULL, NULL, &err), VAGAP_EINVAL);
  assert_null(t);
  vagap_column_t unnamed = {.name = "", .type = VAGAP_COLUMN_DOUBLE};
  assert_int_equal(vagap_table_from_columns(&t, "data", &unnamed, 1, 0, NULL, NULL, &err), VAGAP_EINVAL);
  assert_non_null(strstr(err.message, "no name"));
  vagap_column_t empty = {.name = "x", .type = VAGAP_COLUMN_STRING};
  assert_int_equal(vagap_table_from_columns(&t, "data", &empty, 1, 2, NULL, NULL, &err), VAGAP_EINVAL);
  assert_non_null(strstr(err.message, "has no data"));
  /* no rows is a table without rows */
  assert_int_equal(vagap_table_from_columns(&t, "data", &empty, 1, 0, NULL, NULL, &err), VAGAP_OK);
  assert_int_equal(vagap_table_nrows(t), 0);
  assert_string_equal(vagap_table_colname(t, 0), "x");
  vagap_table_free(t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cells_are_the_files_text), cmocka_unit_test(test_same_as_csv),
      cmocka_unit_test(test_prop_rows_located_by_row), cmocka_unit_test(test_prop_pooled),
      cmocka_unit_test(test_inferred_numbers),
      cmocka_unit_test(test_bad_columns)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
