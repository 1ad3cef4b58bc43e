/*
 * vagap/simulate.h - the machinery of Monte Carlo studies: reproducible
 * random streams, a thread pool over replications, exact (order-independent)
 * sums, and multivariate normal draws.  See doc/methods.md, "Simulation".
 *
 * Reproducible partitioning: replication r (1-based) of condition c (1-based)
 * draws from its own GSL generator (mt19937) seeded only from (seed, c, r)
 * through vagap_sim_stream_key.  Which thread or process runs a replication,
 * and in which order, therefore cannot change its numbers; and because the
 * per-condition sums are exact (vagap_xsum_t), any split of the replications
 * into pieces merges to the same result as one run, to the last bit.
 */
#ifndef VAGAP_SIMULATE_H
#define VAGAP_SIMULATE_H

#include <stddef.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>
#include "vagap/error.h"
#include "vagap/sem.h"

#ifdef __cplusplus
extern "C" {
#endif

/* splitmix64 (Steele, Lea & Flood 2014; Vigna's reference constants). */
uint64_t vagap_sim_splitmix64(uint64_t x);

/*
 * The stream key of replication r of condition c:
 *   key = splitmix64(splitmix64(splitmix64(seed) + c) + r)    (mod 2^64)
 * The generator of that replication is gsl_rng_mt19937 seeded with the high
 * 32 bits of the key (mt19937 takes a 32-bit seed).
 */
uint64_t vagap_sim_stream_key(uint64_t seed, uint64_t condition, uint64_t replication);

/* The generator type every simulation uses (gsl_rng_mt19937). */
const gsl_rng_type *vagap_sim_rng_type(void);

/* Reseed `rng` (of vagap_sim_rng_type) for replication r of condition c. */
void vagap_sim_rng_seed(gsl_rng *rng, uint64_t seed, uint64_t condition, uint64_t replication);

/* ---- exact sums --------------------------------------------------------- */

/*
 * The exact sum of doubles, as a fixed-point integer of 32-bit limbs with
 * weight 2^(32 k - VAGAP_XSUM_BIAS) (covers every finite double and sums up
 * to 2^1100).  Addition is exact, so the sum does not depend on the order or
 * grouping of the terms: partial sums from any split merge to the same value.
 * A non-finite term makes the sum NaN.
 */
#define VAGAP_XSUM_LIMBS 72
#define VAGAP_XSUM_BIAS 1152
typedef struct {
  int64_t limb[VAGAP_XSUM_LIMBS];
  uint32_t pending;  /* additions since the last carry propagation */
  int nonfinite;
} vagap_xsum_t;

void vagap_xsum_init(vagap_xsum_t *s);
void vagap_xsum_add(vagap_xsum_t *s, double x);
void vagap_xsum_merge(vagap_xsum_t *a, const vagap_xsum_t *b);
/* The sum rounded to a double (a function of the exact value only). */
double vagap_xsum_value(const vagap_xsum_t *s);
/*
 * Text form: "0", "nan", or an exact hexadecimal number [-]0x<hex>p<exp>
 * (value = hex integer * 2^exp) of any length.  `size` >= VAGAP_XSUM_TEXT_MAX.
 */
#define VAGAP_XSUM_TEXT_MAX (VAGAP_XSUM_LIMBS * 8 + 16)
void vagap_xsum_format(const vagap_xsum_t *s, char *buf, size_t size);
/* Parse the text form; VAGAP_EPARSE for anything else. */
vagap_status_t vagap_xsum_parse(vagap_xsum_t *s, const char *text, vagap_error_t *err);

/* ---- runner --------------------------------------------------------------- */

/*
 * One replication: fill out[nout] for replication `rep` of condition `cond`
 * (both 1-based) from `rng`, using the thread's workspace `ws`.  A statistic
 * that fails (non-convergence) is written as NAN, not returned as an error;
 * a returned error (out of memory) stops the run.
 */
typedef vagap_status_t (*vagap_sim_replicate_fn)(void *ctx, void *ws, size_t cond, uint64_t rep,
                                                  gsl_rng *rng, double *out, vagap_error_t *err);

typedef struct {
  size_t ncond;             /* conditions 1..ncond */
  uint64_t rep_from, rep_to;/* replications rep_from..rep_to (inclusive, 1-based) */
  size_t nout;              /* doubles per replication */
  uint64_t seed;
  unsigned threads;         /* 0: all online cores */
  void *ctx;                /* read-only, shared by all threads */
  void *(*ws_alloc)(void *ctx);  /* per-thread workspace (may be NULL: no workspace) */
  void (*ws_free)(void *ws);
  vagap_sim_replicate_fn replicate;
  /* Only tasks task_from..task_to-1 of the condition-major order below (both 0:
     all), e.g. one MPI rank's block; out then holds just those tasks. */
  size_t task_from, task_to;
  /* Called after each task with the number of the run's tasks done so far and
     their total (may be NULL); from a worker thread, under the runner's lock. */
  void (*progress)(size_t done, size_t total, void *ctx);
  void *progress_ctx;
} vagap_sim_plan_t;

/*
 * Run every (condition, replication) of the plan; out has
 * ncond * (rep_to - rep_from + 1) * nout doubles, condition-major:
 * out[((c-1) * nrep + (r - rep_from)) * nout + k] (task t = (c-1) * nrep +
 * r - rep_from; with a task range, task t is at out[(t - task_from) * nout]).
 * The first failing task (in that order) is the error reported, whatever the
 * thread count; *failed_task (may be NULL) receives its number, or the
 * number of tasks when none failed.
 */
vagap_status_t vagap_sim_run(const vagap_sim_plan_t *plan, double *out, size_t *failed_task,
                             vagap_error_t *err);

/* The number of tasks of a plan (conditions x replications), 0 if invalid. */
size_t vagap_sim_ntasks(const vagap_sim_plan_t *plan);

/* ---- multivariate normal ------------------------------------------------ */

/*
 * n draws from N(mu, sigma) (p variables) into x (n x p, row-major): per row p
 * standard normals (gsl_ran_gaussian_ziggurat), then mu + L z with L the
 * Cholesky factor of sigma (gsl_blas_dtrmv).  `chol` is the p x p lower factor
 * from vagap_sim_cholesky.
 */
vagap_status_t vagap_sim_cholesky(const double *sigma, size_t p, double *chol,
                                  vagap_error_t *err); /* VAGAP_EDOMAIN: not positive definite */
void vagap_sim_mvnorm(gsl_rng *rng, size_t n, size_t p, const double *mu, const double *chol,
                      double *x);

/* ---- non-normal data (Vale & Maurelli 1983, as lavaan's simulateData) ----- */

/*
 * Fleishman's (1978) coefficients a, b, c, d (a = -c) of Y = a + bZ + cZ^2 +
 * dZ^3, Z standard normal, with mean 0, variance 1, the given skewness and
 * excess kurtosis: GSL's hybrid root finder from b = 1, c = d = 0, as
 * lavaan's nlminb starts.  VAGAP_EDOMAIN when there is no solution (excess
 * kurtosis below about 1.8 skewness^2 - 1.2).
 */
vagap_status_t vagap_sim_fleishman(double skewness, double kurtosis, double coef[4],
                                   vagap_error_t *err);

/*
 * The correlation rho of two standard normals whose Fleishman transforms
 * (coefficients ci, cj) correlate r (Vale & Maurelli 1983, eq. 11): the real
 * root in [-1, 1] of the cubic nearest r.  r = 0 gives 0, as in lavaan.
 */
vagap_status_t vagap_sim_vm_intermediate(const double ci[4], const double cj[4], double r,
                                         double *rho, vagap_error_t *err);

typedef struct {
  size_t p;
  double *coef;   /* [4p] Fleishman coefficients per variable */
  double *sd, *mu;/* [p] */
  double *chol;   /* [p*p] Cholesky factor of the intermediate correlations */
  double *zero;   /* [p] zeros: the normals' means */
} vagap_sim_vm_t;

/* Prepare draws with means mu, covariance sigma (p x p) and per-variable skewness
   and excess kurtosis.  VAGAP_EDOMAIN when they cannot be had together. */
vagap_status_t vagap_sim_vm_prepare(const double *mu, const double *sigma, size_t p,
                                    const double *skewness, const double *kurtosis,
                                    vagap_sim_vm_t *vm, vagap_error_t *err);
void vagap_sim_vm_free(vagap_sim_vm_t *vm);
/* n draws into x (n x p): correlated normals, each through its polynomial, scaled
   by its SD and shifted by its mean (lavaan: Z sd + mu). */
void vagap_sim_vm_draw(gsl_rng *rng, size_t n, const vagap_sim_vm_t *vm, double *x);

/* ---- population moments of an SEM ------------------------------------------ */

/*
 * The model-implied mean vector and covariance matrix of group g (0-based)
 * of `model` with lavaan simulateData()'s population values: a fixed value
 * in the syntax (0.7*x1, c(0.5, 0.6)*x1) is the population value; a
 * parameter without one is 1 for loadings and variances and 0 for everything
 * else (regressions, covariances, intercepts; *n_zero_regressions counts the
 * regressions set to 0, which lavaan warns about).  Build the model with
 * std_lv = 1 and fixed_x = 0, as simulateData does; the one indicator of a
 * single-indicator factor keeps a residual variance of 1 (simulateData's
 * auto.fix.single = FALSE).  mu has model->nov values, sigma nov x nov
 * (row-major), in model->ov order:
 *   Sigma = F (I - A)^-1 S (I - A)^-T F',  mu = F (I - A)^-1 m   (RAM form)
 * VAGAP_EMODEL: I - A is singular (a cyclic model without a solution).
 */
vagap_status_t vagap_sim_sem_moments(const vagap_sem_model_t *model, size_t group, double *mu,
                                     double *sigma, size_t *n_zero_regressions,
                                     vagap_error_t *err);

/*
 * The same, with simulateData(standardized = TRUE) of lavaan 0.6 when
 * `standardized`: loadings without a value are 0.7; the residual variances of
 * the observed variables other than exogenous covariates and of the latent
 * variables that depend on something are set so that implied variances are
 * 1 (latent ones first, then observed ones; doc/methods.md).  Residual
 * variances given in the syntax are replaced (*n_user_residuals counts them,
 * lavaan warns).
 */
vagap_status_t vagap_sim_sem_moments_std(const vagap_sem_model_t *model, size_t group,
                                         int standardized, double *mu, double *sigma,
                                         size_t *n_zero_regressions, size_t *n_user_residuals,
                                         vagap_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
