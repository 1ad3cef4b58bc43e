/*
 * polychoric.h - the first stage of categorical SEM (lavaan's muthen1984):
 * per group, univariate probit thresholds of every ordinal variable,
 * polychoric correlations of every pair (bivariate normal ML given the
 * thresholds, Olsson 1979) and the asymptotic covariance matrix of both
 * (Muthén 1984), from which the WLS/DWLS weight matrices come.  Internal:
 * linked as vagap__* and hidden, like sem_internal.h.
 */
#ifndef VAGAP_POLYCHORIC_H
#define VAGAP_POLYCHORIC_H

#include <stddef.h>
#include "vagap/error.h"

#define poly_bvn_cdf vagap__poly_bvn_cdf
#define poly_bvn_pdf vagap__poly_bvn_pdf
#define poly_stage1 vagap__poly_stage1
#define poly_stage1_free vagap__poly_stage1_free
#pragma GCC visibility push(hidden)

/* P(X <= h, Y <= k) for standard bivariate normal (X, Y) with correlation r,
   |r| <= 1, h and k may be infinite (Genz 2004's BVND; about 1e-15 absolute). */
double poly_bvn_cdf(double h, double k, double r);
/* the bivariate standard normal density at (h, k); 0 when h or k is infinite */
double poly_bvn_pdf(double h, double k, double r);

/* The first-stage statistics of one group: ordinal variables (ncat >= 2) and
   numeric ones (ncat 0: mean, variance; polyserial and Pearson correlations). */
typedef struct {
  size_t p;         /* variables */
  size_t n;         /* rows of the group (lavaan's nobs: the weight of NACOV) */
  size_t nth;       /* threshold slots: ncat_i - 1 per ordinal variable, 1 (the mean) per numeric */
  size_t nnum;      /* numeric variables (one variance slot each, after the threshold slots) */
  size_t npair;     /* p (p - 1) / 2 */
  size_t m;         /* nth + nnum + npair: lavaan's WLS.obs length */
  size_t *th_start; /* [p + 1]: slots of variable i are th[th_start[i] .. th_start[i+1]) */
  size_t *var_slot; /* [p]: numeric i's variance is obs[nth + var_slot[i]]; (size_t)-1 for ordinal */
  double *th;       /* [nth] thresholds, and the means of numeric variables */
  double *var;      /* [p] variances (ML, divisor n) of numeric variables, 1 for ordinal */
  double *rho;      /* [npair] correlations, lavaan's order: (2,1), (3,1), ..., (p,1), (3,2), ... */
  double *obs;      /* [m] lavaan's WLS.obs: thresholds (minus the mean for numeric), numeric
                       variances, covariances (correlations scaled by the numeric SDs) */
  double *gamma;    /* [m * m] NACOV = n * acov of obs (lavaan's order); NULL unless asked */
  size_t *nobs_var; /* [p] rows where variable i is observed */
} poly_stage1_t;

/*
 * y: n x p row-major category codes 1..ncat[i], 0 = missing, for the ordinal
 * columns; x (may be NULL without numeric columns): n x p values, NAN =
 * missing, for the columns with ncat[i] = 0 (numeric).  Pairwise deletion:
 * univariate statistics from the rows where the variable is observed,
 * correlations from the rows where both are.  Every category of every
 * variable must be observed in the group (VAGAP_EDATA naming variable,
 * category and group otherwise, as lavaan refuses empty categories).
 * want_gamma: also the asymptotic covariance (Muthén 1984's sandwich of
 * casewise scores).  nthreads 0 = all cores; the pairs are spread over them.
 * names[p] and group (for messages).
 */
vagap_status_t poly_stage1(poly_stage1_t *out, const int *y, const double *x, size_t n, size_t p, const int *ncat,
                           int want_gamma, unsigned nthreads, const char *const *names,
                           const char *group, vagap_error_t *err);
void poly_stage1_free(poly_stage1_t *s);

#pragma GCC visibility pop
#endif
