/*
 * sem_fit_time.c - fit-only CPU time of vagap_sem_fit_data (tests/bench/sem_robust_bench.sh):
 * the data are read and the model built once, then each estimator is fitted REPS
 * times; prints "ESTIMATOR best_cpu_ms" per estimator (CPU of the process, so that
 * other load on the shared machine does not count).  On demand, not part of ctest:
 *   sem_fit_time MODEL.lav DATA.csv GROUP_COLUMN REPS EST...
 * EST "objective" times one ML objective evaluation instead (sem_ws_objective, with
 * and without its gradient, at the ML estimates and a point next to them in turn,
 * so that no evaluation is served from the workspace's cache): prints
 * "objective_grad us" and "objective us" per group evaluation, best of REPS rounds
 * of 2000 evaluations; "objective-lowrank" the same with sem_ws_lowrank on.  It reaches the library's internals (sem_internal.h), so it is
 * compiled with -I src/lib/sem.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vagap/ledger.h"
#include "vagap/sem.h"
#include "vagap/sem_rows.h"
#include "vagap/table.h"
#include "sem_internal.h"

static double cpu_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return 1e3 * (double)t.tv_sec + 1e-6 * (double)t.tv_nsec;
}

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *s = malloc((size_t)n + 1);
  if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
    free(s);
    s = NULL;
  }
  if (s) s[n] = 0;
  fclose(f);
  return s;
}

static int fail(const vagap_error_t *err) {
  fprintf(stderr, "sem_fit_time: %s\n", err->message);
  return 1;
}

/* Best CPU microseconds per group evaluation of F (with its gradient if grad) over reps
   rounds; x and a point next to it alternate. */
static double objective_us(sem_ws_t *ws, const double *x, const double *x2, double *grad, size_t G, int reps) {
  enum { EVALS = 2000 };
  double best = -1, sink = 0;
  for (int r = 0; r < reps; r++) {
    double t0 = cpu_ms();
    for (int e = 0; e < EVALS; e++) sink += sem_ws_objective(ws, e % 2 ? x2 : x, grad);
    double t = (cpu_ms() - t0) * 1e3 / EVALS / (double)G;
    if (best < 0 || t < best) best = t;
  }
  if (!(sink > -HUGE_VAL)) fprintf(stderr, "sem_fit_time: F not finite\n");
  return best;
}

static int time_objective(const vagap_sem_model_t *model, const vagap_sem_data_t *view,
                          const vagap_sem_rows_t *rows, int reps, int lowrank) {
  vagap_error_t err;
  vagap_sem_fit_options_t fopt;
  vagap_sem_fit_options_init(&fopt);
  vagap_sem_fit_t *fit = NULL;
  sem_ws_t *ws = NULL;
  if (vagap_sem_fit_data(&fit, model, view, &fopt, &err) ||
      sem_ws_alloc(&ws, model, rows->stats, VAGAP_SEM_LIKELIHOOD_NORMAL, &err))
    return fail(&err);
  sem_ws_lowrank(ws, lowrank);
  size_t K = model->npar;
  double *x2 = malloc(K * sizeof *x2), *grad = malloc(K * sizeof *grad);
  if (!x2 || !grad) return 1;
  for (size_t k = 0; k < K; k++) x2[k] = fit->x[k] * (1 + 1e-3);
  const char *tag = lowrank ? "-lowrank" : "";
  printf("objective_grad%s %.3f\n", tag, objective_us(ws, fit->x, x2, grad, model->ngroups, reps));
  printf("objective%s %.3f\n", tag, objective_us(ws, fit->x, x2, NULL, model->ngroups, reps));
  free(x2);
  free(grad);
  sem_ws_free(ws);
  vagap_sem_fit_free(fit);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: sem_fit_time MODEL.lav DATA.csv GROUP_COLUMN REPS EST...\n");
    return 2;
  }
  int reps = atoi(argv[4]);
  vagap_error_t err;
  char *text = slurp(argv[1]);
  vagap_sem_syntax_t *syn = NULL;
  vagap_sem_model_t *model = NULL;
  vagap_table_t *table = NULL;
  vagap_table_options_t topt;
  vagap_table_options_init(&topt);
  vagap_ledger_t *ledger = vagap_ledger_alloc();
  vagap_sem_rows_t rows;
  memset(&rows, 0, sizeof rows);
  vagap_sem_model_options_t mopt;
  vagap_sem_model_options_init(&mopt);
  size_t gcol = (size_t)-1;
  if (!text || !ledger) return 1;
  if (vagap_sem_syntax_parse(&syn, text, argv[1], &err) || vagap_table_read(&table, argv[2], &topt, ledger, &err) ||
      vagap_table_column(table, argv[3], &gcol, &err) || vagap_sem_rows_groups(table, gcol, &rows, &err) ||
      vagap_sem_model_build(&model, syn, rows.ngroups, &mopt, argv[1], &err) ||
      vagap_sem_rows_load(table, gcol, model, &rows, 0, 1, NULL, ledger, &err))
    return fail(&err);
  vagap_sem_data_t view = vagap_sem_rows_view(&rows);
  for (int a = 5; a < argc; a++) {
    if (!strncmp(argv[a], "objective", 9)) {
      if (time_objective(model, &view, &rows, reps, !strcmp(argv[a], "objective-lowrank"))) return 1;
      continue;
    }
    vagap_sem_fit_options_t fopt;
    vagap_sem_fit_options_init(&fopt);
    if (vagap_sem_estimator_parse(argv[a], &fopt.estimator, &err)) return fail(&err);
    double best = -1;
    for (int r = 0; r < reps; r++) {
      vagap_sem_fit_t *fit = NULL;
      double t0 = cpu_ms();
      if (vagap_sem_fit_data(&fit, model, &view, &fopt, &err)) return fail(&err);
      double t = cpu_ms() - t0;
      vagap_sem_fit_free(fit);
      if (best < 0 || t < best) best = t;
    }
    printf("%s %.3f\n", argv[a], best);
  }
  vagap_sem_rows_free(&rows);
  vagap_sem_model_free(model);
  vagap_sem_syntax_free(syn);
  vagap_table_free(table);
  vagap_ledger_free(ledger);
  free(text);
  return 0;
}
