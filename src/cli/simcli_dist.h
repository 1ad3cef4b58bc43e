/*
 * simcli_dist.h - where the replications of a simulation run: the threads of
 * this process, or, in a build with -DVAGAP_MPI=ON started by mpirun/srun,
 * every MPI rank (each with its threads).
 *
 * Rank k of N runs the k-th contiguous block of the plan's tasks (conditions
 * x replications, condition-major) and rank 0 gathers them in task order.
 * Because replication r of condition c draws from a stream of (seed, c, r)
 * only, the gathered draws, and everything computed from them, are those
 * of a single-process run, byte for byte.  A failure on any rank is
 * reported (by the rank that owns the first failing task) and every rank
 * returns an error: no rank waits for one that has given up.
 */
#ifndef VAGAP_SIMCLI_DIST_H
#define VAGAP_SIMCLI_DIST_H

#include "vagap/simulate.h"

/* Join the MPI job when started by mpirun/srun (once; a no-op otherwise).
   Ranks other than 0 keep quiet until the run: only rank 0 reports usage
   errors and writes. */
void simcli_dist_begin(void);
int simcli_dist_rank(void);  /* 0 without MPI */
int simcli_dist_size(void);  /* 1 without MPI */

/*
 * Run the plan.  On rank 0 *out receives every task's doubles (malloc'ed,
 * task order); on other ranks *out is NULL.  Returns CLI_EXIT_OK or
 * CLI_EXIT_DATA (the failure printed once).
 */
int simcli_dist_run(const vagap_sim_plan_t *plan, double **out);

/*
 * vagap_sem_bootstrap over the ranks: rank k fits the k-th block of the B
 * resamples (resample b draws from a stream of (seed, b) only), rank 0 gathers
 * every resample's estimates and the failure counts, so its result equals a
 * single-process bootstrap's.  On other ranks *out is NULL after success.
 * Returns the status of the bootstrap (a failed rank is reported by itself;
 * the others return VAGAP_ENUMERIC with a message saying so).
 */
#include "vagap/sem_boot.h"
vagap_status_t simcli_dist_bootstrap(vagap_sem_boot_t **out, const vagap_sem_model_t *model,
                                     const vagap_sem_data_t *data,
                                     const vagap_sem_fit_options_t *fit_opt,
                                     const vagap_sem_boot_options_t *opt, vagap_error_t *err);

/* Leave the MPI job; returns rc (every rank's exit code). */
int simcli_dist_finish(int rc);

#endif
