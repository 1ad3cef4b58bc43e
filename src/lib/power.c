/*
 * power.c - Monte Carlo power summaries and the paired gap test's
 * replication (vagap/power.h).
 */
#include "vagap/power.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "vagap/align.h"
#include "vagap/stats.h"

void vagap_power_draw_pack(const vagap_power_draw_t *d, double *out) {
  out[0] = d->estimate;
  out[1] = d->std_error;
  out[2] = d->conf_low;
  out[3] = d->conf_high;
  out[4] = d->reject ? 1.0 : 0.0;
  out[5] = d->admissible ? 1.0 : 0.0;
}

void vagap_power_draw_unpack(const double *in, vagap_power_draw_t *d) {
  d->estimate = in[0];
  d->std_error = in[1];
  d->conf_low = in[2];
  d->conf_high = in[3];
  d->reject = in[4] != 0.0;
  d->admissible = in[5] != 0.0;
}

void vagap_power_acc_init(vagap_power_acc_t *a, uint64_t rep_from, uint64_t rep_to) {
  memset(a, 0, sizeof *a);
  a->rep_from = rep_from;
  a->rep_to = rep_to;
  vagap_xsum_init(&a->sum_dev);
  vagap_xsum_init(&a->sum_dev2);
  vagap_xsum_init(&a->sum_se);
}

void vagap_power_acc_add(vagap_power_acc_t *a, const vagap_power_draw_t *d, double truth) {
  a->replications++;
  if (!isfinite(d->estimate)) return; /* not converged */
  int known = isfinite(truth);
  double dev = d->estimate - (known ? truth : 0.0);
  a->converged++;
  a->admissible += d->admissible != 0;
  a->rejections += d->reject != 0;
  a->covered += known && d->conf_low <= truth && truth <= d->conf_high;
  vagap_xsum_add(&a->sum_dev, dev);
  vagap_xsum_add(&a->sum_dev2, dev * dev);
  vagap_xsum_add(&a->sum_se, d->std_error);
}

vagap_status_t vagap_power_acc_merge(vagap_power_acc_t *a, const vagap_power_acc_t *b,
                                     vagap_error_t *err) {
  if (b->rep_from == a->rep_to + 1)
    a->rep_to = b->rep_to;
  else if (a->rep_from == b->rep_to + 1)
    a->rep_from = b->rep_from;
  else
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "replications %llu:%llu and %llu:%llu %s",
                           (unsigned long long)a->rep_from, (unsigned long long)a->rep_to,
                           (unsigned long long)b->rep_from, (unsigned long long)b->rep_to,
                           (b->rep_from <= a->rep_to && a->rep_from <= b->rep_to)
                               ? "overlap" : "leave a gap");
  a->replications += b->replications;
  a->converged += b->converged;
  a->admissible += b->admissible;
  a->rejections += b->rejections;
  a->covered += b->covered;
  vagap_xsum_merge(&a->sum_dev, &b->sum_dev);
  vagap_xsum_merge(&a->sum_dev2, &b->sum_dev2);
  vagap_xsum_merge(&a->sum_se, &b->sum_se);
  return VAGAP_OK;
}

vagap_status_t vagap_power_summarize(const vagap_power_acc_t *a, double truth, double conf_level,
                                     vagap_power_summary_t *s, vagap_error_t *err) {
  double n = (double)a->converged;
  int known = isfinite(truth);
  double s1 = vagap_xsum_value(&a->sum_dev), s2 = vagap_xsum_value(&a->sum_dev2);
  s->average_param = truth;
  double mean_dev = n > 0 ? s1 / n : NAN;
  s->average_bias = known ? mean_dev : NAN;
  s->estimate_average = (known ? truth : 0.0) + mean_dev;
  s->rmse = n > 0 && known ? sqrt(s2 / n) : NAN;
  /* sums centred at the population value: little cancellation when the bias is small */
  double var = n > 1 ? (s2 - s1 * s1 / n) / (n - 1) : NAN;
  s->estimate_sd = var > 0 ? sqrt(var) : (var == 0 ? 0.0 : NAN);
  s->average_se = n > 0 ? vagap_xsum_value(&a->sum_se) / n : NAN;
  s->coverage = n > 0 && known ? (double)a->covered / n : NAN;
  s->rel_bias = known && truth != 0 ? s->average_bias / truth : NAN;
  s->std_bias = s->estimate_sd > 0 ? s->average_bias / s->estimate_sd : NAN;
  s->rel_se_bias = s->estimate_sd > 0 ? (s->average_se - s->estimate_sd) / s->estimate_sd : NAN;
  s->power = s->power_conf_low = s->power_conf_high = NAN;
  if (a->converged == 0) return VAGAP_OK;
  vagap_prop_options_t po;
  vagap_prop_options_init(&po);
  po.conf_level = conf_level;
  vagap_prop_t pr;
  vagap_error_t perr;
  vagap_status_t st = vagap_stats_prop_test((size_t)a->rejections, (size_t)a->converged, &po,
                                            &pr, &perr);
  /* Only the Wilson bounds are used here.  prop_test also computes the exact
     binomial test and Clopper-Pearson bounds, whose GSL quantiles fail far in
     the tail (e.g. x = 1870 of n = 2000: gsl_cdf_beta_Pinv gives NaN); the
     Wilson bounds, computed first, are still valid then. */
  if (st == VAGAP_ENUMERIC && isfinite(pr.conf_low) && isfinite(pr.conf_high)) st = VAGAP_OK;
  if (st != VAGAP_OK) {
    if (err) *err = perr;
    return st;
  }
  s->power = pr.estimate;
  s->power_conf_low = pr.conf_low;
  s->power_conf_high = pr.conf_high;
  return VAGAP_OK;
}

/* ---- shared by the draws ------------------------------------------------------- */

/* A draw before its statistic: not estimable until filled. */
static void draw_reset(vagap_power_draw_t *d) {
  d->estimate = d->std_error = d->conf_low = d->conf_high = NAN;
  d->reject = 0;
  d->admissible = 1;
}

/* The two-sided one-sample t-test of mean 0 at conf_level; *estimable = 0 when the
   data do not allow one (fewer than 2 values, zero variance): then VAGAP_OK. */
static vagap_status_t t_test(const double *x, size_t n, double conf_level, vagap_ttest_t *t,
                             int *estimable, vagap_error_t *err) {
  vagap_ttest_options_t to;
  vagap_ttest_options_init(&to);
  to.conf_level = conf_level;
  vagap_status_t st = vagap_stats_ttest_one(x, n, &to, t, err);
  *estimable = st == VAGAP_OK;
  return st == VAGAP_EDOMAIN || st == VAGAP_ENUMERIC ? VAGAP_OK : st;
}

/* ---- paired gap ------------------------------------------------------------- */

vagap_status_t vagap_power_paired_gap_draw(gsl_rng *rng, double dz, size_t n, double alpha,
                                           double conf_level, double *work,
                                           vagap_power_draw_t *d, vagap_error_t *err) {
  for (size_t i = 0; i < n; i++) work[i] = dz + gsl_ran_gaussian_ziggurat(rng, 1.0);
  vagap_ttest_t t;
  int estimable;
  draw_reset(d);
  vagap_status_t st = t_test(work, n, conf_level, &t, &estimable, err);
  if (st != VAGAP_OK || !estimable) return st; /* not estimable: counted */
  double dhat = t.effect.d_z;
  d->estimate = dhat;
  d->std_error = sqrt(1.0 / (double)n + dhat * dhat / (2.0 * (double)n));
  d->conf_low = t.effect.d_conf_low;
  d->conf_high = t.effect.d_conf_high;
  d->reject = t.p_value < alpha;
  return VAGAP_OK;
}

double vagap_power_paired_analytic(double dz, size_t n, double alpha) {
  if (n < 2 || !(alpha > 0 && alpha < 1)) return NAN;
  double df = (double)n - 1.0, ncp = dz * sqrt((double)n);
  double q = gsl_cdf_tdist_Pinv(1.0 - alpha / 2.0, df);
  double upper, lower;
  if (vagap_stats_nct_cdf(q, df, ncp, &upper, NULL) != VAGAP_OK) return NAN;
  if (vagap_stats_nct_cdf(-q, df, ncp, &lower, NULL) != VAGAP_OK) return NAN;
  return (1.0 - upper) + lower;
}

/* ---- IAT-behaviour correlation ------------------------------------------------- */

vagap_status_t vagap_power_correlation_draw(gsl_rng *rng, double rho, size_t n, double alpha,
                                            double conf_level, double *work,
                                            vagap_power_draw_t *d, vagap_error_t *err) {
  double *x = work, *y = work + n, resid = sqrt(1.0 - rho * rho);
  for (size_t i = 0; i < n; i++) { /* x first, then y, per unit: the order is the stream's */
    x[i] = gsl_ran_gaussian_ziggurat(rng, 1.0);
    y[i] = rho * x[i] + resid * gsl_ran_gaussian_ziggurat(rng, 1.0);
  }
  vagap_cor_options_t co;
  vagap_cor_options_init(&co);
  co.conf_level = conf_level;
  vagap_cor_t r;
  draw_reset(d);
  vagap_status_t st = vagap_stats_cor(x, y, n, &co, &r, err);
  if (st == VAGAP_EDOMAIN || st == VAGAP_ENUMERIC) return VAGAP_OK; /* not estimable: counted */
  if (st != VAGAP_OK) return st;
  d->estimate = r.estimate;
  /* delta method on Fisher's z: SE(z) = 1/sqrt(n-3), dr/dz = 1 - r^2 */
  d->std_error = n > 3 ? (1.0 - r.estimate * r.estimate) / sqrt((double)n - 3.0) : NAN;
  d->conf_low = r.conf_low;
  d->conf_high = r.conf_high;
  d->reject = r.p_value < alpha;
  return VAGAP_OK;
}

double vagap_power_correlation_approx(double rho, size_t n, double alpha) {
  if (n < 4 || !(alpha > 0 && alpha < 1) || !(fabs(rho) < 1)) return NAN;
  double df = (double)n - 2.0;
  double t = gsl_cdf_tdist_Qinv(alpha / 2.0, df);
  double rc = sqrt(t * t / (t * t + df));       /* the critical |r| of the t-test */
  double zr = atanh(rho) + rho / (2.0 * ((double)n - 1.0)), zc = atanh(rc);
  double s = sqrt((double)n - 3.0);
  return gsl_cdf_ugaussian_P((zr - zc) * s) + gsl_cdf_ugaussian_P((-zr - zc) * s);
}

/* ---- ValueActionLens F1 difference ------------------------------------------------- */

/* One model's F1 in one scenario: `values` cells, the stated vote agree with
   probability stated_agree, the action equal to it with probability p. */
static double scenario_f1(gsl_rng *rng, size_t values, double stated_agree, double p) {
  size_t tp = 0, fp = 0, fn = 0;
  for (size_t v = 0; v < values; v++) {
    int stated = gsl_rng_uniform(rng) < stated_agree; /* 1 = agree (the positive class) */
    int action = gsl_rng_uniform(rng) < p ? stated : !stated;
    tp += stated && action;
    fp += !stated && action;
    fn += stated && !action;
  }
  return vagap_align_f1(tp, fp, fn, VAGAP_ALIGN_ZERO_DIVISION_0, NULL);
}

vagap_status_t vagap_power_f1_diff_draw(gsl_rng *rng, double p_a, double p_b, double stated_agree,
                                        size_t values, size_t scenarios, double alpha,
                                        double conf_level, double *work, vagap_power_draw_t *d,
                                        vagap_error_t *err) {
  for (size_t s = 0; s < scenarios; s++) { /* model A then model B, per scenario */
    double fa = scenario_f1(rng, values, stated_agree, p_a);
    work[s] = fa - scenario_f1(rng, values, stated_agree, p_b);
  }
  vagap_ttest_t t;
  int estimable;
  draw_reset(d);
  vagap_status_t st = t_test(work, scenarios, conf_level, &t, &estimable, err);
  if (st != VAGAP_OK || !estimable) return st; /* all differences equal: not estimable */
  d->estimate = t.estimate;
  d->std_error = t.std_error;
  d->conf_low = t.conf_low;
  d->conf_high = t.conf_high;
  d->reject = t.p_value < alpha;
  return VAGAP_OK;
}

double vagap_power_f1_population(double p, double stated_agree) {
  double tp = stated_agree * p, fp = (1 - stated_agree) * (1 - p), fn = stated_agree * (1 - p);
  return 2 * tp + fp + fn > 0 ? 2 * tp / (2 * tp + fp + fn) : 0.0;
}
