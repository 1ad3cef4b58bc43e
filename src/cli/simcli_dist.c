/*
 * simcli_dist.c - replications over threads and MPI ranks (simcli_dist.h).
 */
#include "simcli_dist.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#ifdef VAGAP_MPI
#include <mpi.h>
#endif

static int dist_rank = 0, dist_size = 1, saved_stderr = -1;
#ifdef VAGAP_MPI
static int dist_joined = 0, dist_ran = 0;
#endif

int simcli_dist_rank(void) { return dist_rank; }
int simcli_dist_size(void) { return dist_size; }

/* Started by a process manager (mpirun, srun)?  A plain run never starts MPI. */
static int under_launcher(void) {
  static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"};
  for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
    if (getenv(vars[i])) return 1;
  return 0;
}

void simcli_dist_begin(void) {
#ifdef VAGAP_MPI
  if (dist_joined || !under_launcher()) return;
  int ready = 0;
  MPI_Initialized(&ready);
  if (!ready && MPI_Init(NULL, NULL) != MPI_SUCCESS) return;
  dist_joined = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &dist_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &dist_size);
  if (dist_rank != 0) { /* every rank parses the same arguments: rank 0 speaks for them */
    fflush(stderr);
    saved_stderr = dup(STDERR_FILENO);
    int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) {
      dup2(devnull, STDERR_FILENO);
      close(devnull);
    }
  }
#else
  (void)under_launcher;
#endif
}

static void restore_stderr(void) {
  if (saved_stderr < 0) return;
  fflush(stderr);
  dup2(saved_stderr, STDERR_FILENO);
  close(saved_stderr);
  saved_stderr = -1;
}

static int run_local(const vagap_sim_plan_t *plan, double **out) {
  size_t ntasks = vagap_sim_ntasks(plan);
  *out = malloc((ntasks ? ntasks : 1) * plan->nout * sizeof **out);
  if (!*out) return fputs("vagap: out of memory for the replications\n", stderr), CLI_EXIT_DATA;
  vagap_error_t err;
  if (vagap_sim_run(plan, *out, NULL, &err) != VAGAP_OK) {
    free(*out);
    *out = NULL;
    return cli_report_error(&err);
  }
  return CLI_EXIT_OK;
}

#ifdef VAGAP_MPI
/* Block k of n over `total` tasks: the first total % n blocks have one more. */
static void block_of(size_t total, int k, int n, size_t *from, size_t *to) {
  size_t q = total / (size_t)n, r = total % (size_t)n, uk = (size_t)k;
  *from = uk * q + (uk < r ? uk : r);
  *to = *from + q + (uk < r);
}

/* The first collective of every rank: 1 from a rank that stopped before the run
   (simcli_dist_finish), 0 from the ranks that reached it; so none waits for a rank
   that has left. */
static int any_rank_stopped(int stopped) {
  int any = 0;
  MPI_Allreduce(&stopped, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return any;
}

static int run_ranks(const vagap_sim_plan_t *plan, double **out) {
  restore_stderr(); /* a rank's own failure is worth hearing */
  dist_ran = 1;
  if (any_rank_stopped(0)) {
    if (dist_rank == 0) fputs("vagap: MPI: another rank stopped before the run\n", stderr);
    return CLI_EXIT_DATA;
  }
  size_t total = vagap_sim_ntasks(plan), from, to;
  block_of(total, dist_rank, dist_size, &from, &to);
  if (total * plan->nout > (size_t)INT32_MAX) {
    if (dist_rank == 0)
      fputs("vagap: too many replications for one MPI run; split them with FROM:TO\n", stderr);
    return CLI_EXIT_DATA;
  }
  vagap_sim_plan_t mine = *plan;
  mine.task_from = from;
  mine.task_to = to;
  double *block = malloc((to > from ? to - from : 1) * plan->nout * sizeof *block);
  vagap_error_t err;
  vagap_error_clear(&err);
  size_t failed = total;
  if (!block)
    failed = from, vagap_error_set(&err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory on rank %d", dist_rank);
  else if (to > from && vagap_sim_run(&mine, block, &failed, &err) != VAGAP_OK && failed >= total)
    failed = from;
  /* every rank learns the first failing task before anyone waits for data */
  unsigned long long mine_failed = failed, first_failed = 0;
  MPI_Allreduce(&mine_failed, &first_failed, 1, MPI_UNSIGNED_LONG_LONG, MPI_MIN, MPI_COMM_WORLD);
  if (first_failed < total) {
    if (mine_failed == first_failed) {
      fprintf(stderr, "vagap: MPI rank %d of %d failed: ", dist_rank, dist_size);
      cli_report_error(&err);
    }
    free(block);
    return CLI_EXIT_DATA;
  }
  int *counts = NULL, *displs = NULL;
  if (dist_rank == 0) {
    counts = malloc((size_t)dist_size * sizeof *counts);
    displs = malloc((size_t)dist_size * sizeof *displs);
    *out = malloc((total ? total : 1) * plan->nout * sizeof **out);
    if (!counts || !displs || !*out) {
      fputs("vagap: out of memory on rank 0\n", stderr);
      MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_DATA);
    }
    for (int k = 0; k < dist_size; k++) {
      size_t f, t;
      block_of(total, k, dist_size, &f, &t);
      counts[k] = (int)((t - f) * plan->nout);
      displs[k] = (int)(f * plan->nout);
    }
  }
  int rc = MPI_Gatherv(block, (int)((to - from) * plan->nout), MPI_DOUBLE, dist_rank == 0 ? *out : NULL,
                       counts, displs, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  free(block);
  free(counts);
  free(displs);
  if (rc != MPI_SUCCESS) {
    fprintf(stderr, "vagap: MPI rank %d: gathering the replications failed\n", dist_rank);
    MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_DATA);
  }
  return CLI_EXIT_OK;
}
#endif

#ifdef VAGAP_MPI
/* Gather one [B * nrows] array of doubles (blocks of whole resamples) on rank 0. */
static int gather_rows(double *all, size_t B, size_t nrows) {
  int *counts = malloc((size_t)dist_size * sizeof *counts), *displs = malloc((size_t)dist_size * sizeof *displs);
  if (!counts || !displs) MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_DATA);
  for (int k = 0; k < dist_size; k++) {
    size_t f, t;
    block_of(B, k, dist_size, &f, &t);
    counts[k] = (int)((t - f) * nrows);
    displs[k] = (int)(f * nrows);
  }
  int rc = MPI_Gatherv(dist_rank == 0 ? MPI_IN_PLACE : all + displs[dist_rank], counts[dist_rank],
                       MPI_DOUBLE, all, counts, displs, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  free(counts);
  free(displs);
  return rc;
}

/* Add `count` resamples of warning `kind` to b's kinds (a new kind is appended). */
static int add_warning_kind(vagap_sem_boot_t *b, const char *kind, size_t len, size_t count) {
  for (size_t k = 0; k < b->nwarn_kinds; k++)
    if (strlen(b->warn_kind[k]) == len && strncmp(b->warn_kind[k], kind, len) == 0) {
      b->warn_count[k] += count;
      return 0;
    }
  char **wk = realloc(b->warn_kind, (b->nwarn_kinds + 1) * sizeof *wk);
  if (!wk) return -1;
  b->warn_kind = wk;
  size_t *wc = realloc(b->warn_count, (b->nwarn_kinds + 1) * sizeof *wc);
  if (!wc) return -1;
  b->warn_count = wc;
  if (!(b->warn_kind[b->nwarn_kinds] = strndup(kind, len))) return -1;
  b->warn_count[b->nwarn_kinds++] = count;
  return 0;
}

/*
 * The resamples' warning kinds of every rank on rank 0: each rank sends
 * "count<TAB>kind<NL>" lines; rank 0 sums the counts per kind and sorts the
 * kinds by text, as vagap_sem_bootstrap does for one process.
 */
static int gather_warnings(vagap_sem_boot_t *b) {
  size_t len = 1;
  for (size_t k = 0; k < b->nwarn_kinds; k++) len += strlen(b->warn_kind[k]) + 24;
  char *text = malloc(len), *all = NULL;
  if (!text) return -1;
  size_t used = 0;
  for (size_t k = 0; k < b->nwarn_kinds; k++) {
    used += (size_t)snprintf(text + used, len - used, "%zu\t", b->warn_count[k]);
    for (const char *c = b->warn_kind[k]; *c; c++) text[used++] = *c == '\n' ? ' ' : *c;
    text[used++] = '\n';
  }
  int mine = (int)used, *lens = NULL, *displs = NULL, total = 0;
  if (dist_rank == 0) {
    lens = malloc((size_t)dist_size * sizeof *lens);
    displs = malloc((size_t)dist_size * sizeof *displs);
    if (!lens || !displs) MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_DATA);
  }
  unsigned long long warned = b->nwarned, warned_all = 0;
  int rc = MPI_Reduce(&warned, &warned_all, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
  if (rc == MPI_SUCCESS) rc = MPI_Gather(&mine, 1, MPI_INT, lens, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (rc == MPI_SUCCESS && dist_rank == 0) {
    for (int k = 0; k < dist_size; k++) displs[k] = total, total += lens[k];
    if (!(all = malloc(total ? (size_t)total : 1))) MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_DATA);
  }
  if (rc == MPI_SUCCESS)
    rc = MPI_Gatherv(text, mine, MPI_CHAR, all, lens, displs, MPI_CHAR, 0, MPI_COMM_WORLD);
  free(text);
  free(lens);
  free(displs);
  if (rc != MPI_SUCCESS) return -1;
  if (dist_rank != 0) return 0;
  for (size_t k = 0; k < b->nwarn_kinds; k++) free(b->warn_kind[k]);
  b->nwarn_kinds = 0;
  b->nwarned = (size_t)warned_all;
  for (const char *p = all, *end = all + total; p < end;) {
    char *tab;
    size_t count = strtoull(p, &tab, 10);
    const char *kind = tab + 1, *nl = memchr(kind, '\n', (size_t)(end - kind));
    if (add_warning_kind(b, kind, (size_t)(nl - kind), count)) MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_DATA);
    p = nl + 1;
  }
  free(all);
  vagap_sem_boot_sort_warnings(b); /* sorted by text, as one process sorts them */
  return 0;
}

static vagap_status_t bootstrap_ranks(vagap_sem_boot_t **out, const vagap_sem_model_t *model,
                                      const vagap_sem_data_t *data,
                                      const vagap_sem_fit_options_t *fit_opt,
                                      const vagap_sem_boot_options_t *opt, vagap_error_t *err) {
  restore_stderr();
  dist_ran = 1;
  if (any_rank_stopped(0)) {
    return vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0, "MPI: another rank stopped before "
                           "the bootstrap");
  }
  if ((size_t)model->nrows * opt->B > (size_t)INT32_MAX)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "too many resamples for one MPI run");
  vagap_sem_boot_options_t mine = *opt;
  block_of(opt->B, dist_rank, dist_size, &mine.b_from, &mine.b_to);
  mine.progress = NULL; /* per-rank counts would mislead */
  vagap_sem_boot_t *b = NULL;
  vagap_status_t st = vagap_sem_bootstrap(&b, model, data, fit_opt, &mine, err);
  int failed = st != VAGAP_OK, any = 0;
  MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (any) {
    vagap_sem_boot_free(b);
    if (!failed)
      vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0, "MPI: the bootstrap failed on another rank");
    else
      fprintf(stderr, "vagap: MPI rank %d of %d failed: %s\n", dist_rank, dist_size, err->message);
    return failed ? st : VAGAP_ENUMERIC;
  }
  /* ok flags as doubles, then the four tables, then the failure counts */
  size_t B = opt->B, nrows = b->nrows;
  double *okd = malloc(B * sizeof *okd);
  if (!okd) MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_DATA);
  for (size_t i = 0; i < B; i++) okd[i] = b->ok[i];
  int rc = gather_rows(okd, B, 1);
  double *tables[] = {b->est, b->se, b->pvalue, b->std_all};
  for (size_t t = 0; t < 4 && rc == MPI_SUCCESS; t++) rc = gather_rows(tables[t], B, nrows);
  unsigned long long counts[VAGAP_ENUMERIC + 1], total[VAGAP_ENUMERIC + 1];
  for (size_t i = 0; i <= VAGAP_ENUMERIC; i++) counts[i] = b->failed_by_status[i];
  if (rc == MPI_SUCCESS)
    rc = MPI_Reduce(counts, total, VAGAP_ENUMERIC + 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM, 0,
                    MPI_COMM_WORLD);
  if (rc == MPI_SUCCESS && gather_warnings(b)) rc = MPI_ERR_OTHER;
  if (rc != MPI_SUCCESS) {
    fprintf(stderr, "vagap: MPI rank %d: gathering the bootstrap failed\n", dist_rank);
    MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_DATA);
  }
  if (dist_rank != 0) {
    free(okd);
    vagap_sem_boot_free(b);
    *out = NULL;
    return VAGAP_OK;
  }
  b->nok = 0;
  for (size_t i = 0; i < B; i++) b->nok += (size_t)(b->ok[i] = okd[i] != 0);
  b->nfailed = B - b->nok;
  for (size_t i = 0; i <= VAGAP_ENUMERIC; i++) b->failed_by_status[i] = (size_t)total[i];
  free(okd);
  *out = b;
  return VAGAP_OK;
}
#endif

vagap_status_t simcli_dist_bootstrap(vagap_sem_boot_t **out, const vagap_sem_model_t *model,
                                     const vagap_sem_data_t *data,
                                     const vagap_sem_fit_options_t *fit_opt,
                                     const vagap_sem_boot_options_t *opt, vagap_error_t *err) {
  *out = NULL;
#ifdef VAGAP_MPI
  if (dist_joined && dist_size > 1) {
    if (opt->B < (size_t)dist_size) /* every rank knows: all stop alike */
      return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                             "%zu resamples for %d MPI ranks: give at least one per rank",
                             opt->B, dist_size);
    return bootstrap_ranks(out, model, data, fit_opt, opt, err);
  }
#endif
  return vagap_sem_bootstrap(out, model, data, fit_opt, opt, err);
}

int simcli_dist_run(const vagap_sim_plan_t *plan, double **out) {
  *out = NULL;
#ifdef VAGAP_MPI
  if (dist_joined && dist_size > 1) return run_ranks(plan, out);
#endif
  return run_local(plan, out);
}

int simcli_dist_finish(int rc) {
  restore_stderr();
#ifdef VAGAP_MPI
  if (dist_joined) {
    /* a rank that stopped before the run tells the others, which may be waiting */
    if (!dist_ran && dist_size > 1) any_rank_stopped(1);
    MPI_Finalize();
    dist_joined = 0;
  }
#endif
  return rc;
}
