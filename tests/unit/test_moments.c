/* Unit tests: per-group moments accumulated while parsing (vagap/moments.h, moments.c). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_statistics_double.h>

#include "moments.h"
#include "vagap/moments.h"
#include "vagap/sem.h"

static const char *const VARS[] = {"x1", "x2", "x3"};

/* xorshift: the same data on every run */
static double uniform(uint64_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return (double)(*s >> 11) / 9007199254740992.0;
}

static double normal(uint64_t *s) {
  double u = uniform(s) + 1e-300, v = uniform(s);
  return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

/* Rows "g,x1,x2,x3" around `level`; every 17th row lacks x2, every 29th its group. */
static char *write_data(size_t n, double level, const char *extra_line, size_t extra_at) {
  static char path[64];
  snprintf(path, sizeof path, "/tmp/vagap_moments_XXXXXX");
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *f = fdopen(fd, "w");
  uint64_t s = 88172645463325252ULL;
  fprintf(f, "g,x1,x2,x3\n");
  for (size_t i = 0; i < n; i++) {
    if (extra_line && i == extra_at) fprintf(f, "%s\n", extra_line);
    double z = normal(&s);
    const char *g = i % 29 == 3 ? "NA" : (uniform(&s) < 0.6 ? "b" : "a");
    if (i % 17 == 5) fprintf(f, "%s,%.17g,NA,%.17g\n", g, level + z, -level + normal(&s));
    else
      fprintf(f, "%s,%.17g,%.17g,%.17g\n", g, level + z + 0.5 * normal(&s), level + 0.8 * z + normal(&s),
              -level + 1.2 * z + normal(&s));
  }
  fclose(f);
  return path;
}

static vagap_moments_t *read_moments(const char *path, size_t segment, size_t threads) {
  vagap_table_options_t opt;
  vagap_table_options_init(&opt);
  opt.segment_bytes = segment;
  opt.threads = threads;
  vagap_moments_t *m = NULL;
  vagap_error_t err;
  assert_int_equal(vagap_moments_read(&m, path, &opt, "g", VARS, 3, NULL, &err), VAGAP_OK);
  return m;
}

/* The complete rows of each group, as the table path selects them. */
typedef struct {
  double *x;
  size_t *group, n;
  size_t ngroups;
  char labels[2][8];
} rows_t;

static rows_t complete_rows(const char *path) {
  rows_t r = {malloc(100000 * 3 * sizeof(double)), malloc(100000 * sizeof(size_t)), 0, 0, {{0}}};
  FILE *f = fopen(path, "r");
  char line[256];
  assert_non_null(fgets(line, sizeof line, f));
  while (fgets(line, sizeof line, f)) {
    char g[8];
    char a[40], b[40], c[40];
    if (sscanf(line, "%7[^,],%39[^,],%39[^,],%39s", g, a, b, c) != 4) continue;
    if (!strcmp(g, "NA")) continue;
    size_t k = 0;
    while (k < r.ngroups && strcmp(r.labels[k], g)) k++;
    if (k == r.ngroups) snprintf(r.labels[r.ngroups++], 8, "%s", g);
    if (!strcmp(b, "NA")) continue;
    r.x[r.n * 3] = strtod(a, NULL);
    r.x[r.n * 3 + 1] = strtod(b, NULL);
    r.x[r.n * 3 + 2] = strtod(c, NULL);
    r.group[r.n++] = k;
  }
  fclose(f);
  return r;
}

/* A group in one segment: exactly vagap_sem_stats_compute's numbers; exclusions in order. */
static void test_one_segment_is_the_table_path(void **state) {
  (void)state;
  char *path = write_data(300, 10, NULL, 0);
  vagap_moments_t *m = read_moments(path, 0, 2);
  rows_t r = complete_rows(path);
  vagap_sem_stats_t *s = NULL;
  vagap_error_t err;
  assert_int_equal(vagap_sem_stats_alloc(&s, r.ngroups, 3, VARS, NULL, &err), VAGAP_OK);
  assert_int_equal(vagap_sem_stats_compute(s, r.x, r.group, r.n, &err), VAGAP_OK);
  assert_int_equal(m->ngroups, r.ngroups);
  for (size_t g = 0; g < r.ngroups; g++) {
    assert_string_equal(m->group_label[g], r.labels[g]);
    assert_true(m->n[g] == s->n[g]);
  }
  assert_memory_equal(m->mean, s->mean, r.ngroups * 3 * sizeof(double));
  assert_memory_equal(m->cov, s->cov, r.ngroups * 9 * sizeof(double));
  /* rows 3 (no group; line 5) and 5 (no x2; line 7) are the first exclusions */
  assert_true(m->nexcluded >= 2);
  assert_int_equal(m->excluded[0].line, 5);
  assert_int_equal(m->excluded[0].var, -1);
  assert_int_equal(m->excluded[1].line, 7);
  assert_int_equal(m->excluded[1].var, 1);
  assert_false(m->number_failed);
  assert_int_equal(m->missing_var, -1);
  vagap_sem_stats_free(s);
  vagap_moments_free(m);
  free(r.x);
  free(r.group);
  unlink(path);
}

/* Many small segments, 1e9 + noise: the same bytes with 1 and 2 threads, and within
   1e-13 of a long double two-pass computation. */
static void test_merged_blocks_are_accurate_and_thread_free(void **state) {
  (void)state;
  char *path = write_data(20000, 1e9, NULL, 0);
  vagap_moments_t *m1 = read_moments(path, 4096, 1), *m2 = read_moments(path, 4096, 2);
  assert_int_equal(m1->ngroups, m2->ngroups);
  assert_memory_equal(m1->mean, m2->mean, m1->ngroups * 3 * sizeof(double));
  assert_memory_equal(m1->cov, m2->cov, m1->ngroups * 9 * sizeof(double));
  rows_t r = complete_rows(path);
  for (size_t g = 0; g < r.ngroups; g++) {
    long double mean[3] = {0}, cov[9] = {0}, n = 0, worst = 0, scale = 0;
    for (size_t i = 0; i < r.n; i++)
      if (r.group[i] == g) {
        n++;
        for (int j = 0; j < 3; j++) mean[j] += r.x[i * 3 + j];
      }
    for (int j = 0; j < 3; j++) mean[j] /= n;
    for (size_t i = 0; i < r.n; i++)
      if (r.group[i] == g)
        for (int j = 0; j < 3; j++)
          for (int k = 0; k < 3; k++) cov[j * 3 + k] += (r.x[i * 3 + j] - mean[j]) * (r.x[i * 3 + k] - mean[k]);
    for (int j = 0; j < 9; j++) {
      cov[j] /= n;
      if (fabsl(cov[j]) > scale) scale = fabsl(cov[j]);
    }
    for (int j = 0; j < 9; j++) worst = fmaxl(worst, fabsl(m1->cov[g * 9 + j] - cov[j]) / scale);
    assert_true(m1->n[g] == (double)n);
    assert_true(worst < 1e-13);
    for (int j = 0; j < 3; j++) assert_true(fabsl(m1->mean[g * 3 + j] - mean[j]) <= 1e-15L * fabsl(mean[j]));
  }
  vagap_moments_free(m1);
  vagap_moments_free(m2);
  free(r.x);
  free(r.group);
  unlink(path);
}

/* The first field that is not a number in input order, located, whatever segment it is in. */
static void test_number_error_is_located(void **state) {
  (void)state;
  char *path = write_data(5000, 0, "a,1,2,oops", 4000);
  vagap_moments_t *m = read_moments(path, 2048, 2);
  assert_true(m->number_failed);
  assert_int_equal(m->number_error.status, VAGAP_EDATA);
  assert_int_equal(m->number_error.line, 4002);
  assert_int_equal(m->number_error.column, 4);
  assert_non_null(strstr(m->number_error.message, "column 'x3'"));
  vagap_moments_free(m);
  unlink(path);
}

/* A chosen column the input lacks is returned, not raised; a missing group column is an error. */
static void test_missing_columns(void **state) {
  (void)state;
  char *path = write_data(50, 0, NULL, 0);
  const char *vars[] = {"x1", "nope"};
  vagap_moments_t *m = NULL;
  vagap_error_t err;
  assert_int_equal(vagap_moments_read(&m, path, NULL, "g", vars, 2, NULL, &err), VAGAP_OK);
  assert_int_equal(m->missing_var, 1);
  assert_int_equal(m->missing_error.status, VAGAP_ECOLUMN);
  assert_int_equal(m->ngroups, 2); /* the groups are still found */
  vagap_moments_free(m);
  assert_int_equal(vagap_moments_read(&m, path, NULL, "grp", VARS, 3, NULL, &err), VAGAP_ECOLUMN);
  assert_null(m);
  assert_non_null(strstr(err.message, "no column named 'grp'"));
  unlink(path);
}

/* The merge of blocks about their shifts: the pairwise update of the whole, exactly in exact arithmetic. */
static void test_accumulator_merges_like_one_block(void **state) {
  (void)state;
  double rows[40 * 2], copy[40 * 2];
  uint64_t s = 7;
  for (int i = 0; i < 80; i++) rows[i] = 3 + normal(&s);
  memcpy(copy, rows, sizeof rows);
  double mean[2], res[2], cov[4];
  moments_block_t whole = {0, mean, res, cov};
  moments_block(copy, 40, 2, &whole);
  moments_acc_t acc;
  assert_int_equal(moments_acc_init(&acc, 2), 0);
  for (int b = 0; b < 4; b++) {
    double bm[2], br[2], bc[4];
    moments_block_t blk = {0, bm, br, bc};
    moments_block(rows + b * 20, 10, 2, &blk);
    moments_acc_add(&acc, &blk);
  }
  double n, m[2], c[4];
  moments_acc_result(&acc, &n, m, c);
  assert_true(n == 40);
  for (int j = 0; j < 2; j++) assert_true(fabs(m[j] - mean[j]) < 1e-14);
  for (int j = 0; j < 4; j++) assert_true(fabs(c[j] - cov[j]) < 1e-14);
  moments_acc_free(&acc);
}

/* The block statistics are GSL's running mean and reference dsyrk, bit for bit
   (what vagap_sem_stats_compute computed before the loops were reordered). */
static void test_block_is_gsl_bit_for_bit(void **state) {
  (void)state;
  enum { N = 5000, P = 13 };
  double *rows = malloc(N * P * sizeof *rows), *copy = malloc(N * P * sizeof *copy);
  uint64_t s = 99;
  for (int i = 0; i < N * P; i++) rows[i] = (i % P == 3 ? 1e9 : 0) + 50 * normal(&s) + (i % 7);
  memcpy(copy, rows, N * P * sizeof *rows);
  double mean[P], res[P], cov[P * P], gmean[P], gcov[P * P];
  moments_block_t b = {0, mean, res, cov};
  moments_block(rows, N, P, &b);
  for (int j = 0; j < P; j++) gmean[j] = gsl_stats_mean(copy + j, P, N);
  for (int i = 0; i < N; i++)
    for (int j = 0; j < P; j++) copy[i * P + j] -= gmean[j];
  gsl_matrix_view X = gsl_matrix_view_array(copy, N, P), C = gsl_matrix_view_array(gcov, P, P);
  gsl_blas_dsyrk(CblasLower, CblasTrans, 1.0 / N, &X.matrix, 0.0, &C.matrix);
  for (int j = 0; j < P; j++)
    for (int k = 0; k < j; k++) gcov[k * P + j] = gcov[j * P + k];
  assert_memory_equal(mean, gmean, sizeof mean);
  assert_memory_equal(cov, gcov, sizeof cov);
  assert_memory_equal(rows, copy, N * P * sizeof *rows); /* centred in place alike */
  free(rows);
  free(copy);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_one_segment_is_the_table_path),
      cmocka_unit_test(test_merged_blocks_are_accurate_and_thread_free),
      cmocka_unit_test(test_number_error_is_located),
      cmocka_unit_test(test_missing_columns),
      cmocka_unit_test(test_accumulator_merges_like_one_block),
      cmocka_unit_test(test_block_is_gsl_bit_for_bit),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
