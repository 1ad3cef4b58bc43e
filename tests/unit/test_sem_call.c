/*
 * Tests of src/lib/sem/sem_call.c, sem_rows.c and sem_measure_list.c: a
 * lavaan call with its arguments as text, on a table made from typed
 * columns, must give the fit of the library's own three steps on the same
 * rows, leave rows out by lavaan's rules with the data frame's row numbers,
 * and refuse what lavaan refuses with lavaan's argument names.  The data are
 * generated here (a one-factor model, fixed seed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "semcli_options.h"
#include "vagap/vagap.h"

enum { N = 240, P = 4 };
static const char MODEL[] = "f =~ y1 + y2 + y3 + y4";
static const char *const NAMES[P] = {"y1", "y2", "y3", "y4"};

/* Standard normal deviates from a fixed 64-bit LCG (Box-Muller). */
static double normal(uint64_t *s) {
  *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
  double u1 = ((double)(*s >> 11) + 0.5) / 9007199254740992.0;
  *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
  double u2 = ((double)(*s >> 11) + 0.5) / 9007199254740992.0;
  return sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
}

/* y_j = loading_j * f + e_j, columns v[j][i]. */
static void generate(double v[P][N]) {
  static const double loading[P] = {1.0, 0.8, 0.6, 0.9};
  uint64_t s = 18;
  for (size_t i = 0; i < N; i++) {
    double f = normal(&s);
    for (size_t j = 0; j < P; j++) v[j][i] = loading[j] * f + 0.7 * normal(&s);
  }
}

static vagap_table_t *table_of(double v[P][N], vagap_ledger_t *ledger) {
  vagap_column_t cols[P];
  for (size_t j = 0; j < P; j++)
    cols[j] = (vagap_column_t){.name = NAMES[j], .type = VAGAP_COLUMN_DOUBLE, .numbers = v[j]};
  vagap_table_options_t opt;
  vagap_table_options_init(&opt);
  opt.infer_numbers = 1;
  vagap_table_t *t = NULL;
  vagap_error_t err;
  assert_int_equal(vagap_table_from_columns(&t, "data", cols, P, N, &opt, ledger, &err), VAGAP_OK);
  return t;
}

static vagap_sem_call_t *call_with(const char *function, const char *const *args, size_t n) {
  vagap_sem_call_t *c = NULL;
  vagap_error_t err;
  assert_int_equal(vagap_sem_call_new(&c, function, &err), VAGAP_OK);
  for (size_t k = 0; k + 1 < n; k += 2) assert_int_equal(vagap_sem_call_set(c, args[k], args[k + 1], &err), VAGAP_OK);
  return c;
}

/* The call's ML fit is the library's three steps on the same complete rows. */
static void test_same_as_three_steps(void **state) {
  (void)state;
  static double v[P][N];
  generate(v);
  vagap_ledger_t *ledger = vagap_ledger_alloc();
  vagap_table_t *t = table_of(v, ledger);
  vagap_sem_call_t *c = call_with("sem", (const char *const[]){"std.lv", "TRUE"}, 2);
  vagap_sem_fit_t *fit = NULL;
  vagap_sem_rows_t rows;
  vagap_error_t err;
  assert_int_equal(vagap_sem_call_fit(c, MODEL, t, NULL, ledger, &fit, &rows, &err), VAGAP_OK);
  assert_int_equal(rows.nobs, N);
  assert_int_equal(vagap_ledger_rows_excluded(ledger), 0);

  vagap_sem_syntax_t *syn = NULL;
  vagap_sem_model_t *model = NULL;
  vagap_sem_stats_t *stats = NULL;
  vagap_sem_fit_t *ref = NULL;
  vagap_sem_model_options_t mopt;
  vagap_sem_model_options_init(&mopt);
  mopt.std_lv = 1;
  vagap_sem_fit_options_t fopt;
  vagap_sem_fit_options_init(&fopt);
  static double x[N * P];
  static size_t g[N];
  for (size_t i = 0; i < N; i++)
    for (size_t j = 0; j < P; j++) x[i * P + j] = v[j][i];
  assert_int_equal(vagap_sem_syntax_parse(&syn, MODEL, "model", &err), VAGAP_OK);
  assert_int_equal(vagap_sem_model_build(&model, syn, 1, &mopt, "model", &err), VAGAP_OK);
  assert_int_equal(vagap_sem_stats_alloc(&stats, 1, P, NAMES, NULL, &err), VAGAP_OK);
  assert_int_equal(vagap_sem_stats_compute(stats, x, g, N, &err), VAGAP_OK);
  assert_int_equal(vagap_sem_fit(&ref, model, stats, &fopt, &err), VAGAP_OK);
  assert_int_equal(fit->model->nrows, ref->model->nrows);
  for (size_t r = 0; r < ref->model->nrows; r++) {
    assert_true(fabs(fit->model->rows[r].est - ref->model->rows[r].est) < 1e-10);
    assert_true(fabs(fit->model->rows[r].se - ref->model->rows[r].se) < 1e-10);
  }
  /* the measure list: fitMeasures() names in order, the verdict last */
  size_t n = vagap_sem_fit_measure_list(fit, NULL, 0);
  vagap_sem_measure_t *m = calloc(n, sizeof *m);
  assert_int_equal(vagap_sem_fit_measure_list(fit, m, n), n);
  assert_string_equal(m[0].name, "npar");
  assert_string_equal(m[2].name, "chisq");
  assert_true(fabs(m[2].value - ref->fit.chisq) < 1e-8);
  assert_string_equal(m[n - 1].name, "admissible");
  for (size_t k = 0; k < n; k++) assert_null(strstr(m[k].name, ".robust"));
  free(m);
  vagap_sem_fit_free(ref);
  vagap_sem_stats_free(stats);
  vagap_sem_model_free(model);
  vagap_sem_syntax_free(syn);
  vagap_sem_fit_free(fit);
  vagap_sem_rows_free(&rows);
  vagap_sem_call_free(c);
  vagap_table_free(t);
  vagap_ledger_free(ledger);
}

/* Listwise deletion and FIML's empty cases, at the data frame's row numbers. */
static void test_rows_left_out(void **state) {
  (void)state;
  static double v[P][N];
  generate(v);
  v[1][4] = NAN;                                           /* row 5: y2 missing */
  for (size_t j = 0; j < P; j++) v[j][9] = NAN;            /* row 10: every variable */
  const char *const *none = NULL;
  const char *const ml[] = {"missing", "ml"};
  for (int fiml = 0; fiml <= 1; fiml++) {
    vagap_ledger_t *ledger = vagap_ledger_alloc();
    vagap_table_t *t = table_of(v, ledger);
    vagap_sem_call_t *c = call_with("cfa", fiml ? ml : none, fiml ? 2 : 0);
    vagap_sem_fit_t *fit = NULL;
    vagap_sem_rows_t rows;
    vagap_error_t err;
    assert_int_equal(vagap_sem_call_fit(c, MODEL, t, NULL, ledger, &fit, &rows, &err), VAGAP_OK);
    assert_int_equal(rows.nobs, fiml ? N - 1 : N - 2);
    assert_int_equal(vagap_ledger_rows_excluded(ledger), fiml ? 1 : 2);
    const vagap_exclusion_t *e = vagap_ledger_exclusion(ledger, 0);
    if (!fiml) {
      assert_int_equal(e->line, 5);
      assert_string_equal(e->reason, "missing value in y2 (listwise deletion)");
      e = vagap_ledger_exclusion(ledger, 1);
    }
    assert_int_equal(e->line, 10);
    assert_non_null(strstr(e->reason, fiml ? "an empty case" : "missing value in y1"));
    vagap_sem_fit_free(fit);
    vagap_sem_rows_free(&rows);
    vagap_sem_call_free(c);
    vagap_table_free(t);
    vagap_ledger_free(ledger);
  }
}

/* lavaan's names in the refusals; switches sem() sets itself are notes. */
static void test_arguments(void **state) {
  (void)state;
  vagap_sem_call_t *c = NULL;
  vagap_error_t err;
  assert_int_equal(vagap_sem_call_new(&c, "semm", &err), VAGAP_EINVAL);
  assert_int_equal(vagap_sem_call_new(&c, "sem", &err), VAGAP_OK);
  assert_int_equal(vagap_sem_call_set(c, "cluster", "g", &err), VAGAP_EINVAL);
  assert_non_null(strstr(err.message, "unsupported argument 'cluster'; supported: estimator"));
  assert_int_equal(vagap_sem_call_set(c, "std.lv", "maybe", &err), VAGAP_EINVAL);
  assert_string_equal(err.message, "std.lv: expected TRUE or FALSE, found 'maybe'");
  assert_int_equal(vagap_sem_call_set(c, "estimator", "MLX", &err), VAGAP_EINVAL);
  assert_int_equal(vagap_sem_call_set(c, "group.equal", "loading", &err), VAGAP_EINVAL);
  assert_non_null(strstr(err.message, "group.equal: "));
  assert_int_equal(vagap_sem_call_set(c, "level", "1.5", &err), VAGAP_EINVAL);
  assert_int_equal(vagap_sem_call_nnotes(c), 0);
  assert_int_equal(vagap_sem_call_set(c, "auto.var", "FALSE", &err), VAGAP_OK);
  assert_int_equal(vagap_sem_call_nnotes(c), 1);
  assert_non_null(strstr(vagap_sem_call_note(c, 0), "auto.var is ignored"));
  assert_null(vagap_sem_call_model(c));
  vagap_sem_call_free(c);
  /* lavaan(): the switch counts, and no note */
  assert_int_equal(vagap_sem_call_new(&c, "lavaan", &err), VAGAP_OK);
  assert_int_equal(vagap_sem_call_set(c, "auto.var", "TRUE", &err), VAGAP_OK);
  assert_int_equal(vagap_sem_call_nnotes(c), 0);
  vagap_sem_call_free(c);
}

/* MLR adds the robust measures; a combination lavaan would report twice is refused. */
static void test_robust(void **state) {
  (void)state;
  static double v[P][N];
  generate(v);
  vagap_table_t *t = table_of(v, NULL);
  vagap_sem_call_t *c = call_with("sem", (const char *const[]){"estimator", "MLR"}, 2);
  vagap_sem_fit_t *fit = NULL;
  vagap_sem_rows_t rows;
  vagap_error_t err;
  assert_int_equal(vagap_sem_call_fit(c, MODEL, t, NULL, NULL, &fit, &rows, &err), VAGAP_OK);
  assert_non_null(vagap_sem_call_model(c));
  size_t n = vagap_sem_fit_measure_list(fit, NULL, 0);
  vagap_sem_measure_t *m = calloc(n, sizeof *m);
  vagap_sem_fit_measure_list(fit, m, n);
  int robust = 0;
  for (size_t k = 0; k < n; k++) robust |= !strcmp(m[k].name, "cfi.robust");
  assert_true(robust);
  free(m);
  vagap_sem_fit_free(fit);
  vagap_sem_rows_free(&rows);
  vagap_sem_call_free(c);
  c = call_with("sem", (const char *const[]){"estimator", "MLR", "test", "satorra.bentler"}, 4);
  assert_int_equal(vagap_sem_call_fit(c, MODEL, t, NULL, NULL, &fit, &rows, &err), VAGAP_EINVAL);
  assert_null(fit);
  vagap_sem_call_free(c);
  vagap_table_free(t);
}

static void test_word_lists(void **state) {
  (void)state;
  const char *pos[] = {"Good", "  kind.", "good", ""}, *neg[] = {"bad", "cruel!"};
  vagap_study_word_lists_t l;
  vagap_error_t err;
  assert_int_equal(vagap_study_word_lists_init(&l, pos, 4, neg, 2, &err), VAGAP_OK);
  assert_int_equal(l.npositive, 2); /* "good" once, the empty line dropped */
  assert_int_equal(vagap_study_word_lists_valence(&l, "kind"), VAGAP_IAT_POSITIVE);
  assert_int_equal(vagap_study_word_lists_valence(&l, "cruel"), VAGAP_IAT_NEGATIVE);
  assert_int_equal(vagap_study_word_lists_valence(&l, "table"), VAGAP_IAT_NO_VALENCE);
  vagap_study_word_lists_free(&l);
  const char *both[] = {"Bad"};
  assert_int_equal(vagap_study_word_lists_init(&l, both, 1, neg, 2, &err), VAGAP_EINVAL);
  assert_string_equal(err.message, "'bad' is in both word lists");
  vagap_study_word_lists_free(&l);
}

/* The program's --int-ov-free ... --auto-efa options are the library's switches, dashes for dots. */
static void test_program_switches(void **state) {
  (void)state;
  static const struct option options[] = {SEMCLI_LAVAAN_LONG_OPTIONS, {0, 0, 0, 0}};
  size_t seen = 0;
  for (const struct option *o = options; o->name; o++) {
    if (o->val < SEMCLI_OPT_SWITCH || o->val >= SEMCLI_OPT_SWITCH + VAGAP_SEM_CALL_NSWITCHES) continue;
    char dotted[32];
    snprintf(dotted, sizeof dotted, "%s", o->name);
    for (char *q = dotted; *q; q++)
      if (*q == '-') *q = '.';
    assert_string_equal(dotted, vagap_sem_call_switch_name((size_t)(o->val - SEMCLI_OPT_SWITCH)));
    seen++;
  }
  assert_int_equal(seen, VAGAP_SEM_CALL_NSWITCHES);
  assert_null(vagap_sem_call_switch_name(VAGAP_SEM_CALL_NSWITCHES));
}

/* The program's model options are the call's: growth() and lavaan() with a switch given. */
static void test_program_model_options(void **state) {
  (void)state;
  semcli_lavaan_t o;
  semcli_lavaan_init(&o);
  o.function = SEMCLI_FN_GROWTH;
  vagap_sem_model_options_t m;
  vagap_sem_model_options_init(&m);
  m.group_equal = VAGAP_SEM_EQ_LOADINGS; /* the command's own, kept */
  semcli_lavaan_apply(NULL, &o, &m);
  assert_int_equal(m.int_ov_free, 0);
  assert_int_equal(m.int_lv_free, 1);
  assert_int_equal(m.meanstructure, 1);
  assert_int_equal(m.group_equal, VAGAP_SEM_EQ_LOADINGS);
  semcli_lavaan_init(&o);
  o.function = SEMCLI_FN_LAVAAN;
  o.sw[4] = 1; /* auto.var */
  o.missing = VAGAP_SEM_MISSING_ML;
  vagap_sem_model_options_init(&m);
  semcli_lavaan_apply(NULL, &o, &m);
  assert_int_equal(m.auto_var, 1);
  assert_int_equal(m.int_ov_free + m.auto_fix_first + m.auto_cov_y, 0);
  assert_int_equal(m.meanstructure, 1); /* forced by missing = "ml" */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_same_as_three_steps), cmocka_unit_test(test_rows_left_out),
      cmocka_unit_test(test_arguments), cmocka_unit_test(test_robust), cmocka_unit_test(test_word_lists),
      cmocka_unit_test(test_program_switches), cmocka_unit_test(test_program_model_options)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
