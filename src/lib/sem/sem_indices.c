/*
 * sem_indices.c - fit indices computed from the user model's and the
 * baseline model's chi-square and df, with the edge rules of lavaan 0.6's
 * lav_fit_cfi, lav_fit_tli/nnfi, lav_fit_rfi, lav_fit_nfi, lav_fit_pnfi,
 * lav_fit_ifi, lav_fit_rni and lav_fit_cn (NA where lavaan gives NA).
 */
#include <float.h>
#include <math.h>

#include <gsl/gsl_cdf.h>

#include "sem_internal.h"

/* R's isTRUE(all.equal(t, 0)): below sqrt(DBL_EPSILON) the difference is absolute */
static int all_equal_zero(double t) { return fabs(t) < sqrt(DBL_EPSILON); }

static int any_nan(double a, double b, double c, double d) { return isnan(a) || isnan(b) || isnan(c) || isnan(d); }

/* 1 when both the model and the baseline fit within their df (a chi-square
   at rounding level counts as 0, as all.equal does) */
double sem_fit_cfi(double X2, double df, double X2b, double dfb) {
  if (any_nan(X2, df, X2b, dfb)) return NAN;
  double t1 = fmax(X2 - df, 0), t2 = fmax(fmax(X2 - df, X2b - dfb), 0);
  if (all_equal_zero(t1) && all_equal_zero(t2)) return 1;
  return 1 - t1 / t2;
}

double sem_fit_tli(double X2, double df, double X2b, double dfb) {
  if (any_nan(X2, df, X2b, dfb)) return NAN;
  double t1 = (X2 - df) * dfb, t2 = (X2b - dfb) * df;
  if (df > 0 && fabs(t2) > 0) return 1 - t1 / t2;
  if (!isfinite(t1) || !isfinite(t2)) return NAN;
  return 1;
}

double sem_fit_rfi(double X2, double df, double X2b, double dfb) {
  if (any_nan(X2, df, X2b, dfb)) return NAN;
  if (df > dfb) return NAN;
  if (!(df > 0 && dfb > 0)) return 1;
  double t1 = X2b / dfb - X2 / df, t2 = X2b / dfb;
  if (!isfinite(t1) || !isfinite(t2)) return NAN;
  if (t1 < 0 || t2 < 0) return 1;
  return t1 / t2;
}

double sem_fit_nfi(double X2, double df, double X2b, double dfb) {
  if (any_nan(X2, df, X2b, dfb)) return NAN;
  if (df > dfb || all_equal_zero(X2b)) return NAN;
  if (df > 0) return (X2b - X2) / X2b;
  return 1;
}

double sem_fit_pnfi(double X2, double df, double X2b, double dfb) {
  if (any_nan(X2, df, X2b, dfb)) return NAN;
  if (dfb > 0 && X2b > 0) return (df / dfb) * ((X2b - X2) / X2b);
  return NAN;
}

double sem_fit_ifi(double X2, double df, double X2b, double dfb) {
  if (any_nan(X2, df, X2b, dfb)) return NAN;
  double t1 = X2b - X2, t2 = X2b - df;
  if (!isfinite(t1) || !isfinite(t2)) return NAN;
  if (t2 < 0) return 1;
  if (all_equal_zero(t2)) return NAN;
  return t1 / t2;
}

double sem_fit_rni(double X2, double df, double X2b, double dfb) {
  if (any_nan(X2, df, X2b, dfb)) return NAN;
  double t1 = X2 - df, t2 = X2b - dfb;
  if (all_equal_zero(t2)) return NAN;
  if (!isfinite(t1) || !isfinite(t2)) return NAN;
  return 1 - t1 / t2;
}

/* qchisq(1 - alpha, df) / (X2 / N) + 1.  For a saturated model lavaan's value
   depends on rounding: NA when its chi-square is below DBL_EPSILON, else 1
   (R's qchisq(p, 0) is 0). */
double sem_fit_cn(double X2, double df, double N, double alpha) {
  if (isnan(X2) || isnan(df)) return NAN;
  if (df == 0 && X2 < DBL_EPSILON) return NAN;
  double q = df > 0 ? gsl_cdf_chisq_Qinv(alpha, df) : 0;
  return q / (X2 / N) + 1;
}

void sem_fit_baseline_indices(vagap_sem_measures_t *fm) {
  double X2 = fm->chisq, df = fm->df, X2b = fm->baseline_chisq, dfb = fm->baseline_df;
  fm->baseline_pvalue = dfb > 0 ? gsl_cdf_chisq_Q(X2b, dfb) : NAN;
  fm->cfi = sem_fit_cfi(X2, df, X2b, dfb);
  fm->tli = sem_fit_tli(X2, df, X2b, dfb);
  fm->nnfi = fm->tli;
  fm->rfi = sem_fit_rfi(X2, df, X2b, dfb);
  fm->nfi = sem_fit_nfi(X2, df, X2b, dfb);
  fm->pnfi = sem_fit_pnfi(X2, df, X2b, dfb);
  fm->ifi = sem_fit_ifi(X2, df, X2b, dfb);
  fm->rni = sem_fit_rni(X2, df, X2b, dfb);
}
