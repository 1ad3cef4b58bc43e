/*
 * vagap/power.h - Monte Carlo power and precision of an analysis over a grid
 * of conditions (doc/methods.md, "Monte Carlo power").
 *
 * Each replication yields one estimate, its standard error, its confidence
 * interval and a test decision.  A condition's summary is kept as exact sums
 * (vagap/simulate.h) and counts, so partial runs over disjoint replication
 * ranges merge into exactly the summary of one run over their union.
 */
#ifndef VAGAP_POWER_H
#define VAGAP_POWER_H

#include <stddef.h>
#include <stdint.h>
#include "vagap/error.h"
#include "vagap/simulate.h"
#include "vagap/sem.h"
#include "vagap/sem_invariance.h"
#include "vagap/vaar.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * What one replication reports.  A NAN estimate means not converged / not
 * estimable; a NAN standard error or CI (a statistic that has none, such as
 * a chi-square difference) leaves the estimate counted.
 */
typedef struct {
  double estimate, std_error, conf_low, conf_high;
  int reject;     /* the test rejected H0 at alpha */
  int admissible; /* 0: an improper solution (lavaan's post.check); 1 otherwise */
} vagap_power_draw_t;

#define VAGAP_POWER_DRAW_NOUT 6 /* the doubles of a draw in vagap_sim_run's output */
void vagap_power_draw_pack(const vagap_power_draw_t *d, double *out);
void vagap_power_draw_unpack(const double *in, vagap_power_draw_t *d);

/* Sufficient statistics of a condition. */
typedef struct {
  uint64_t rep_from, rep_to;  /* the replications covered (one contiguous range) */
  uint64_t replications;      /* rep_to - rep_from + 1 */
  uint64_t converged;         /* replications with a finite estimate */
  uint64_t admissible;        /* converged with an admissible solution */
  uint64_t rejections;        /* among converged */
  uint64_t covered;           /* converged whose CI contains the population value */
  vagap_xsum_t sum_dev;       /* sum of (estimate - population value) */
  vagap_xsum_t sum_dev2;      /* sum of (estimate - population value)^2 */
  vagap_xsum_t sum_se;        /* sum of standard errors */
} vagap_power_acc_t;

void vagap_power_acc_init(vagap_power_acc_t *a, uint64_t rep_from, uint64_t rep_to);
/*
 * Add one replication.  `truth` is the population value of the estimate; NAN
 * when there is none (a test statistic): then the deviations are taken from
 * 0, so the summary still has the mean and SD of the estimates, and bias,
 * RMSE and coverage are NAN.  A non-finite SE makes average_se NAN.
 */
void vagap_power_acc_add(vagap_power_acc_t *a, const vagap_power_draw_t *d, double truth);
/*
 * Merge b into a; the ranges must be adjacent (b right after a, or before):
 * VAGAP_EINVAL names the ranges otherwise (overlap or gap).
 */
vagap_status_t vagap_power_acc_merge(vagap_power_acc_t *a, const vagap_power_acc_t *b,
                                     vagap_error_t *err);

/*
 * The summary, with simsem's summaryParam() quantities:
 *   estimate_average  "Estimate Average"   mean of the estimates
 *   estimate_sd       "Estimate SD"        their SD (divisor converged - 1)
 *   average_se        "Average SE"         mean of the SEs
 *   power             "Power (Not equal 0)" rejections / converged
 *   average_param     "Average Param"      the population value
 *   average_bias      "Average Bias"       estimate_average - population value
 *   coverage          "Coverage"           share of CIs containing the population value
 *   rel_bias          "Rel Bias"           average_bias / population value (NaN if 0)
 *   std_bias          "Std Bias"           average_bias / estimate_sd
 *   rel_se_bias       "Rel SE Bias"        (average_se - estimate_sd) / estimate_sd
 * plus rmse = sqrt(mean (estimate - value)^2), and the Wilson score interval of
 * power at conf_level.  All are over the converged replications (simsem's
 * summaryParam with improper = TRUE: improper solutions are counted in
 * `admissible` but not left out).
 */
typedef struct {
  double estimate_average, estimate_sd, average_se, power, power_conf_low, power_conf_high;
  double average_param, average_bias, rmse, coverage, rel_bias, std_bias, rel_se_bias;
} vagap_power_summary_t;

vagap_status_t vagap_power_summarize(const vagap_power_acc_t *a, double truth, double conf_level,
                                     vagap_power_summary_t *s, vagap_error_t *err);

/* ---- the paired gap test --------------------------------------------------- */

/*
 * One replication of the paired gap test: n differences self-report minus
 * behaviour drawn i.i.d. N(dz, 1), so the population d_z is dz; the paired
 * t-test of mean 0 (vagap_stats_ttest_one, two-sided) at alpha; the
 * estimate is the sample d_z with its noncentral-t CI at conf_level (as
 * `vagap ttest` reports it) and the large-sample SE sqrt(1/n + d_z^2/(2n))
 * (Borenstein et al. 2009, eq. 4.28 for the one-sample/paired d).
 * `work` holds n doubles.
 */
vagap_status_t vagap_power_paired_gap_draw(gsl_rng *rng, double dz, size_t n, double alpha,
                                           double conf_level, double *work,
                                           vagap_power_draw_t *d, vagap_error_t *err);

/* Analytic power of the two-sided paired t-test (R power.t.test(type="paired", sd = 1)):
   P(|T| > t_{1-alpha/2, n-1}) with T noncentral t(n-1, dz sqrt(n)). */
double vagap_power_paired_analytic(double dz, size_t n, double alpha);

/* ---- the IAT-behaviour correlation ---------------------------------------- */

/*
 * One replication of the test of a correlation between a unit's IAT score and
 * its behaviour: n pairs from a standard bivariate normal with correlation
 * rho (x ~ N(0,1), y = rho x + sqrt(1 - rho^2) e, drawn x then y per unit);
 * Pearson's r with R cor.test()'s t-test (two-sided, at alpha) and Fisher-z
 * CI at conf_level (vagap_stats_cor); the SE of r is the delta-method
 * (1 - r^2)/sqrt(n - 3).  `work` holds 2n doubles.
 */
vagap_status_t vagap_power_correlation_draw(gsl_rng *rng, double rho, size_t n, double alpha,
                                            double conf_level, double *work,
                                            vagap_power_draw_t *d, vagap_error_t *err);

/* Approximate power of that test, as R pwr::pwr.r.test (Cohen 1988, ch. 3):
   z_r = atanh(rho) + rho/(2(n-1)), r_c = t_c/sqrt(t_c^2 + n - 2) with
   t_c = t_{1-alpha/2, n-2}; power = Phi((z_r - atanh r_c) sqrt(n-3)) +
   Phi((-z_r - atanh r_c) sqrt(n-3)).  NAN for n < 4 or |rho| >= 1. */
double vagap_power_correlation_approx(double rho, size_t n, double alpha);

/* ---- a ValueActionLens F1 difference ------------------------------------- */

/*
 * One replication of comparing the ValueActionLens alignment rate (F1, positive
 * class agree; Shen, Clark & Mitra 2025; vagap align) of two models over
 * `scenarios` scenarios of `values` values each: per scenario and model, each
 * value's stated vote is agree with probability stated_agree and the action
 * equals the stated vote with probability p_a (model A) or p_b (B); the
 * scenario's F1 is vagap_align_f1 (zero division 0).  The estimate is the mean
 * over scenarios of F1_A - F1_B, tested by the paired t-test over scenarios
 * (two-sided, alpha) with its t CI.  `work` holds `scenarios` doubles.  When
 * every scenario has the same difference there is no test: not estimable.
 */
vagap_status_t vagap_power_f1_diff_draw(gsl_rng *rng, double p_a, double p_b, double stated_agree,
                                        size_t values, size_t scenarios, double alpha,
                                        double conf_level, double *work, vagap_power_draw_t *d,
                                        vagap_error_t *err);

/* The population F1 of a model with alignment p: F1 of the expected confusion
   counts, 2 pi p / (2 pi p + (1 - pi)(1 - p) + pi (1 - p)) with pi = stated_agree. */
double vagap_power_f1_population(double p, double stated_agree);

/* ---- an SEM parameter ---------------------------------------------------- */

/*
 * The design of SEM power: data from a population (per-group means and
 * Cholesky factors of the covariances, vagap_sim_sem_moments and
 * vagap_sim_cholesky, over the variables `var`), n[g] observations per
 * group drawn group after group from the replication's stream; then either
 *   - the fit model fitted to the drawn rows with fit_opt's estimator
 *     (vagap_sem_fit_data: ML, or MLR/MLM/... from the rows) and its row `target`
 *     (a free parameter or a := parameter) read: estimate, SE, Wald CI at
 *     fit_opt->ci_level, reject when its p-value < alpha; or, when
 *     `invariance_syntax` is set,
 *   - with `vaar_spec`, the VAAR of group `vaar_group` of the fit
 *     (vagap_power_vaar_of_fit): the estimate is its strict VAAR, and a
 *     replication "rejects" when every hypothesised path agrees strictly
 *     (right sign and p < alpha); it has no SE or CI; or
 *   - the invariance sequence of the two steps `steps` fitted
 *     (vagap_sem_invariance_fit): the estimate is the chi-square difference
 *     of the second step against the first, reject when its p-value < alpha
 *     (lavTestLRT); it has no SE or CI.
 * Estimation failures (no convergence, under-identification, a sample
 * covariance matrix that is not positive definite) are a NAN estimate;
 * admissible is the fit's post-check.
 */
typedef struct {
  size_t ngroups, nvar;
  const char *const *var;        /* names of the simulated variables */
  const size_t *n;               /* [ngroups] observations per group */
  const double *mu, *chol;       /* [ngroups * nvar], [ngroups * nvar * nvar] */
  const vagap_sim_vm_t *vm;      /* [ngroups] Vale-Maurelli draws instead (NULL: normal) */
  const vagap_sem_model_t *fit_model;
  size_t target;                 /* row of fit_model */
  const vagap_sem_fit_options_t *fit_opt;
  /* fit_model's estimates on the population moments (npar values; NULL: none): each
     complete-data ML fit of a replication starts there (L-BFGS whitened by the expected
     information, a scoring polish), the same optimum reached in fewer evaluations; where
     that finds no stationary point, vagap_sem_fit_data's whole search */
  const double *start;
  double alpha;
  const vagap_sem_syntax_t *invariance_syntax;   /* NULL: a parameter */
  const vagap_sem_model_options_t *invariance_base;
  const vagap_sem_invariance_step_t *steps;       /* [2] */
  /* VAAR of one group: set vaar_spec to score the fit instead of reading `target` */
  const vagap_vaar_spec_t *vaar_spec;
  const char *vaar_group;                         /* its label: "1", "2", ... */
} vagap_power_sem_t;

typedef struct vagap_power_sem_ws vagap_power_sem_ws_t;
vagap_power_sem_ws_t *vagap_power_sem_ws_alloc(const vagap_power_sem_t *design);
void vagap_power_sem_ws_free(vagap_power_sem_ws_t *ws); /* NULL is a no-op */

/*
 * VAAR of group `group` ("1", "2", ...: the fit's group numbers) of a fitted
 * model, any number of groups, against `spec` at alpha (vagap_vaar_score
 * over that group's "=~", "~" and "~~" rows): *strict and *sign are its strict and sign-only VAAR,
 * *all_strict is 1 when every hypothesised path agrees strictly (k = K).
 * Estimates with |est| < zero_below count as 0 (no sign): for a fit to
 * population moments, where a zero path comes out as rounding noise.
 */
vagap_status_t vagap_power_vaar_of_fit(const vagap_sem_fit_t *fit, const vagap_vaar_spec_t *spec,
                                       const char *group, double alpha, double zero_below,
                                       double *strict, double *sign, int *all_strict,
                                       vagap_error_t *err);

vagap_status_t vagap_power_sem_draw(gsl_rng *rng, const vagap_power_sem_t *design,
                                    vagap_power_sem_ws_t *ws, vagap_power_draw_t *d,
                                    vagap_error_t *err);

/*
 * The rows of `model` that a --param text names, one per group, as lavaan's
 * parameterEstimates() lists them (its group column): "lhs op rhs" (blanks
 * ignored) names that row of each group; a label names the rows carrying it
 * (in each group its first row: a label repeated within a group is an
 * equality); a := name its one row (group 0).  With `groups` (ngroups group
 * numbers, 1-based) the rows of those groups, in that order, each of which
 * must exist and be free; with groups NULL the rows of every group in which
 * the parameter is free (fixed rows have no estimate to test).  `rows` needs
 * room for model->ngroups indices (1 for a := name).  VAGAP_EINVAL with a
 * message when the parameter is unknown, fixed everywhere asked, missing from
 * a group asked, or a := name with `groups`.
 */
vagap_status_t vagap_power_sem_find(const vagap_sem_model_t *model, const char *param,
                                    const size_t *groups, size_t ngroups, size_t *rows,
                                    size_t *nrows, vagap_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
