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

#ifdef __cplusplus
extern "C" {
#endif

/* What one replication reports (NAN estimate: not converged / not estimable). */
typedef struct {
  double estimate, std_error, conf_low, conf_high;
  int reject; /* the test rejected H0 at alpha */
} vagap_power_draw_t;

#define VAGAP_POWER_DRAW_NOUT 5 /* the doubles of a draw in vagap_sim_run's output */
void vagap_power_draw_pack(const vagap_power_draw_t *d, double *out);
void vagap_power_draw_unpack(const double *in, vagap_power_draw_t *d);

/* Sufficient statistics of a condition. */
typedef struct {
  uint64_t rep_from, rep_to;  /* the replications covered (one contiguous range) */
  uint64_t replications;      /* rep_to - rep_from + 1 */
  uint64_t converged;         /* replications with a finite estimate and SE */
  uint64_t rejections;        /* among converged */
  uint64_t covered;           /* converged whose CI contains the population value */
  vagap_xsum_t sum_dev;       /* sum of (estimate - population value) */
  vagap_xsum_t sum_dev2;      /* sum of (estimate - population value)^2 */
  vagap_xsum_t sum_se;        /* sum of standard errors */
} vagap_power_acc_t;

void vagap_power_acc_init(vagap_power_acc_t *a, uint64_t rep_from, uint64_t rep_to);
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
 * power at conf_level.
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

#ifdef __cplusplus
}
#endif
#endif
