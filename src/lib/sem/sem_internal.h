/*
 * sem_internal.h - pieces of the SEM engine shared between src/lib/sem/sem_*.c
 * and the unit tests.  Not installed, not part of the public API.
 */
#ifndef VAGAP_SEM_INTERNAL_H
#define VAGAP_SEM_INTERNAL_H

#include <stddef.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>
#include "vagap/sem.h"
#include "vagap/sem_boot.h"

/* Internal symbols are linked under the vagap__ prefix (like zlib's Z_PREFIX), so the
 * static library defines nothing outside vagap_'s namespace - libcsv's csv_* sits right
 * next to these - and they are hidden from the shared library's symbol table.  The code
 * keeps the short names; tests/install/symbols.sh checks what the library defines. */
#define sem_expr_parse vagap__sem_expr_parse
#define sem_expr_parse_located vagap__sem_expr_parse_located
#define sem_expr_parse_what vagap__sem_expr_parse_what
#define sem_expr_free vagap__sem_expr_free
#define sem_expr_nnames vagap__sem_expr_nnames
#define sem_expr_name vagap__sem_expr_name
#define sem_expr_eval vagap__sem_expr_eval
#define sem_ws_alloc vagap__sem_ws_alloc
#define sem_ws_free vagap__sem_ws_free
#define sem_ws_objective vagap__sem_ws_objective
#define sem_ws_start vagap__sem_ws_start
#define sem_pchisq_nc vagap__sem_pchisq_nc
#define sem_defined_check vagap__sem_defined_check
#define sem_fit_cfi vagap__sem_fit_cfi
#define sem_fit_cn vagap__sem_fit_cn
#define sem_fit_baseline_indices vagap__sem_fit_baseline_indices
#define sem_fit_ifi vagap__sem_fit_ifi
#define sem_fit_nfi vagap__sem_fit_nfi
#define sem_fit_pnfi vagap__sem_fit_pnfi
#define sem_fit_rfi vagap__sem_fit_rfi
#define sem_fit_rni vagap__sem_fit_rni
#define sem_fit_tli vagap__sem_fit_tli
#define cfi_c vagap__sem_cfi_c
#define tli_c vagap__sem_tli_c
#define rni_c vagap__sem_rni_c
#define rmsea_c vagap__sem_rmsea_c
#define rmsea_ci_c vagap__sem_rmsea_ci_c
#define rmsea_p_c vagap__sem_rmsea_p_c
#define sem_info_spectrum vagap__sem_info_spectrum
#define sem_info_spectrum_sparse vagap__sem_info_spectrum_sparse
#define sem_sparse_from_dense vagap__sem_sparse_from_dense
#define sem_sparse_alloc vagap__sem_sparse_alloc
#define sem_sparse_free vagap__sem_sparse_free
#define sem_post_check vagap__sem_post_check
#define sem_vcov_check vagap__sem_vcov_check
#define sem_ws_information vagap__sem_ws_information
#define sem_ws_set_discrepancy vagap__sem_ws_set_discrepancy
#define sem_ws_implied vagap__sem_ws_implied
#define sem_ws_jacobian vagap__sem_ws_jacobian
#define sem_constraints_compile vagap__sem_constraints_compile
#define sem_constraints_free vagap__sem_constraints_free
#define sem_constraints_copy vagap__sem_constraints_copy
#define sem_con_needed vagap__sem_con_needed
#define sem_con_alloc vagap__sem_con_alloc
#define sem_con_free vagap__sem_con_free
#define sem_con_set_objective vagap__sem_con_set_objective
#define sem_con_optimise vagap__sem_con_optimise
#define sem_con_vcov vagap__sem_con_vcov
#define sem_con_rank vagap__sem_con_rank
#define sem_con_finish_rows vagap__sem_con_finish_rows
#define sem_fit_run vagap__sem_fit_run
#define sem_ws_vcov vagap__sem_ws_vcov
#define sem_ws_nobs vagap__sem_ws_nobs
#define sem_ws_N vagap__sem_ws_N
#define sem_ws_scores vagap__sem_ws_scores
#define sem_ws_scores_open vagap__sem_ws_scores_open
#define sem_ws_scores_close vagap__sem_ws_scores_close
#define sem_ws_only_groups vagap__sem_ws_only_groups
#define sem_ws_model vagap__sem_ws_model
#define sem_ws_grad_at vagap__sem_ws_grad_at
#define sem_ws_sample vagap__sem_ws_sample
#define sem_ncp_solve vagap__sem_ncp_solve
#define sem_robust_check vagap__sem_robust_check
#define sem_robust_finish vagap__sem_robust_finish
#define sem_more_measures vagap__sem_more_measures
#define sem_measures_keep vagap__sem_measures_keep
#define sem_model_copy vagap__sem_model_copy
#define sem_ordinal_fit vagap__sem_ordinal_fit
#define sem_model_is_categorical vagap__sem_model_is_categorical
#define sem_measures_scaled_unset vagap__sem_measures_scaled_unset
#define sem_ws_fill_rows vagap__sem_ws_fill_rows
#define sem_ws_fill_defined vagap__sem_ws_fill_defined
#define sem_fit_with vagap__sem_fit_with
#define sem_fit_from vagap__sem_fit_from
#define sem_fit_replication vagap__sem_fit_replication
#define sem_fit_data_replication vagap__sem_fit_data_replication
#define sem_ws_hessian vagap__sem_ws_hessian
#define sem_ws_hessian_numeric vagap__sem_ws_hessian_numeric
#define sem_ws_hessian_blocks vagap__sem_ws_hessian_blocks
#define sem_ws_hessian_metric vagap__sem_ws_hessian_metric
#define sem_ws_info_clear vagap__sem_ws_info_clear
#define sem_ws_info_add vagap__sem_ws_info_add
#define sem_ws_info_add_lower vagap__sem_ws_info_add_lower
#define sem_ws_info_entry vagap__sem_ws_info_entry
#define sem_ws_ram vagap__sem_ws_ram
#define sem_ws_row_rank2 vagap__sem_ws_row_rank2
#define sem_fiml_alloc vagap__sem_fiml_alloc
#define sem_fiml_free vagap__sem_fiml_free
#define sem_fiml_h1_stats vagap__sem_fiml_h1_stats
#define sem_fiml_hooks vagap__sem_fiml_hooks
#define sem_fiml_nrows vagap__sem_fiml_nrows
#define sem_fiml_row_index vagap__sem_fiml_row_index
#define sem_fiml_moment_scores vagap__sem_fiml_moment_scores
#define sem_fiml_scores vagap__sem_fiml_scores
#define sem_fiml_expected_information vagap__sem_fiml_expected_information
#define sem_fiml_observed_information vagap__sem_fiml_observed_information
#define sem_fiml_row_group vagap__sem_fiml_row_group
#define sem_fiml_group_rows vagap__sem_fiml_group_rows
#define sem_fiml_h1_information vagap__sem_fiml_h1_information
#define sem_fiml_baseline_moments vagap__sem_fiml_baseline_moments
#define sem_fiml_warnings vagap__sem_fiml_warnings
#define sem_fit_warning vagap__sem_fit_warning
#define sem_fiml_npatterns vagap__sem_fiml_npatterns
#define sem_fiml_coverage vagap__sem_fiml_coverage
#define sem_model_var_index vagap__sem_model_var_index
#define sem_ws_set_sample vagap__sem_ws_set_sample
#define sem_ws_lowrank vagap__sem_ws_lowrank
#define sem_ws_metric_factor vagap__sem_ws_metric_factor
#define sem_ws_metric_solve vagap__sem_ws_metric_solve
#define sem_resample_alloc vagap__sem_resample_alloc
#define sem_resample_free vagap__sem_resample_free
#define sem_resample_moments vagap__sem_resample_moments
#define sem_resample_fit vagap__sem_resample_fit
#define sem_resample_concentrated vagap__sem_resample_concentrated
#define sem_resample_applies vagap__sem_resample_applies
#define sem_resample_centre vagap__sem_resample_centre
#define sem_resample_centred_free vagap__sem_resample_centred_free
#define sem_bootstrap_run vagap__sem_bootstrap_run
#pragma GCC visibility push(hidden)

/* ---- := expressions (sem_expr.c) ----------------------------------------- */

typedef struct sem_expr sem_expr_t;

/*
 * Parse an arithmetic expression over names and numbers: + - * / ^, unary
 * minus, parentheses and the functions exp, log, sqrt, abs.  Errors are
 * located at line/column + offset of the bad character.
 */
vagap_status_t sem_expr_parse(sem_expr_t **out, const char *text, const char *source,
                              long line, long column, vagap_error_t *err);
/* The same with the line and column of every character of text (and one past its end). */
vagap_status_t sem_expr_parse_located(sem_expr_t **out, const char *text, const char *source,
                                      const long *char_line, const long *char_col,
                                      vagap_error_t *err);
/* The same, naming the construct in messages ("a == constraint"). */
vagap_status_t sem_expr_parse_what(sem_expr_t **out, const char *text, const char *source,
                                   const long *char_line, const long *char_col, const char *what,
                                   vagap_error_t *err);
void sem_expr_free(sem_expr_t *e);
size_t sem_expr_nnames(const sem_expr_t *e);
const char *sem_expr_name(const sem_expr_t *e, size_t i);

/*
 * Evaluate with forward-mode derivatives: `val[i]` is the value of name i,
 * `dval` (may be NULL) is nnames x npar row-major, the derivative of name i
 * with respect to the free parameters; on return *out is the value and
 * `grad` (npar, may be NULL) its gradient.
 */
vagap_status_t sem_expr_eval(const sem_expr_t *e, const double *val, const double *dval,
                             size_t npar, double *out, double *grad);

/* A compiled := row: the expression and, per name, what it refers to. */
struct vagap_sem_def {
  sem_expr_t *expr;
  size_t *ref_row;  /* per name: parameter-table row, or (size_t)-1 */
  size_t *ref_def;  /* per name: index of an earlier defined parameter, or (size_t)-1 */
};

/* ---- fitting (sem_fit.c) -------------------------------------------------- */

typedef struct sem_ws sem_ws_t;

/* A workspace binding a model to statistics (variables matched by name). */
vagap_status_t sem_ws_alloc(sem_ws_t **out, const vagap_sem_model_t *model,
                            const vagap_sem_stats_t *stats, vagap_sem_likelihood_t lik,
                            vagap_error_t *err);
void sem_ws_free(sem_ws_t *ws);

/*
 * [estimator hook] The discrepancy function of one group.  An estimator other
 * than ML-from-moments (FIML over missing-data patterns, DWLS/ULS/WLS on
 * polychorics, ...) supplies group_value; the workspace computes the implied
 * Sigma_g (with its inverse and log determinant) and mu_g from the parameters,
 * calls it, and chains the derivative to the free parameters, so constraints,
 * bounds, start values and verdicts work for every estimator alike.
 *   returns F_g (+HUGE_VAL or NAN: not defined there);
 *   when want_grad: Omega (p x p, symmetric) = 2 dF_g/dSigma and v = -dF_g/dmu.
 * (For ML: Omega = SigInv - SigInv (S + d d') SigInv, v = SigInv d, d = ybar - mu.)
 * The objective is sum_g n_g/N F_g; an estimator defines F_g to fit that weighting.
 */
typedef struct {
  double (*group_value)(void *ctx, size_t g, const gsl_matrix *Sigma, const gsl_matrix *SigInv,
                        double logdetSig, const gsl_vector *mu, int want_grad, gsl_matrix *Omega,
                        gsl_vector *v);
  void *ctx;
} sem_discrepancy_t;

/* Install (d != NULL) or remove (NULL: ML from the sample moments) a discrepancy. */
void sem_ws_set_discrepancy(sem_ws_t *ws, const sem_discrepancy_t *d);

/* The implied covariance and mean of group g at x (views into the workspace,
   valid until the next call); -1 when Sigma is not positive definite. */
int sem_ws_implied(sem_ws_t *ws, const double *x, size_t g, const gsl_matrix **Sigma,
                   const gsl_vector **mu);

/*
 * lavaan's Delta for group g at x: dsigma (npar x p x p, row-major per
 * parameter, full symmetric matrices) = dSigma_g/dtheta_k and dmu (npar x p)
 * = dmu_g/dtheta_k (zero without a mean structure); p = model->nov in the
 * model's ov order.  -1 when Sigma is not positive definite.
 */
int sem_ws_jacobian(sem_ws_t *ws, const double *x, size_t g, double *dsigma, double *dmu);

/* Bind the workspace to other statistics of the same groups and variables (a bootstrap
   resample's): n, S, ybar, log|S|; VAGAP_EDOMAIN when a sample covariance is not positive
   definite.  The factored metric (sem_ws_metric_factor) stays. */
vagap_status_t sem_ws_set_sample(sem_ws_t *ws, const vagap_sem_stats_t *stats, vagap_error_t *err);
/* on != 0: groups of factor structure (no path from an observed variable, residual
   variances the only observed (co)variances) compute SigInv, log|Sigma| and the
   gradient's Omega in O(p^2 q) by Woodbury's identity instead of O(p^3); equal to the
   dense path's to ~1e-14 relative (~1e-12 where a residual variance nears 1e-2 of its
   implied variance).  Points where a residual variance is below that, or Psi is not
   positive definite, take the dense path.  Off by default.
   Returns the number of groups of that structure. */
int sem_ws_lowrank(sem_ws_t *ws, int on);
/* Factor the expected information at x, or the observed one (observed = 1: the Hessian
   of F, sem_ws_hessian_metric), in the block structure the fit keeps, and keep it as a
   fixed metric for sem_ws_metric_solve until the workspace's next information (Fisher
   scoring, SEs).  -1: singular, not positive definite or no memory. */
int sem_ws_metric_factor(sem_ws_t *ws, const double *x, int observed, vagap_error_t *err);
/* z = I0^-1 r with that metric (r and z may alias); not thread-safe (the factor's room). */
void sem_ws_metric_solve(const sem_ws_t *ws, const double *r, double *z);

/* F(x) = sum_g n_g/N * F_g (lavaan's fmin) and, if grad != NULL, dF/dx.
   Returns +HUGE_VAL when a model-implied covariance is not positive definite. */
double sem_ws_objective(sem_ws_t *ws, const double *x, double *grad);

/* est, se, z, p, CI, std.lv, std.all of every row of fit->model at x with vcov,
   and lavaan's post-check (as vagap_sem_fit does). */
vagap_status_t sem_ws_fill_rows(sem_ws_t *ws, vagap_sem_fit_t *fit, const double *x, const double *vcov,
                                double ci_level, vagap_error_t *err);
/* value, delta-method SE and standardised values of the := rows of out (as vagap_sem_fit does) */
vagap_status_t sem_ws_fill_defined(sem_ws_t *ws, vagap_sem_model_t *out, const double *vcov, double ci_level,
                                   vagap_error_t *err);
/* A deep copy of a model (NULL when out of memory). */
vagap_sem_model_t *sem_model_copy(const vagap_sem_model_t *m);

/*
 * The RAM form of a group (sem_fit.c): Sigma = FB Smat FB', mu = FB m with
 * B = (I - A)^-1 (md x md) and FB its first p rows.  Each model row is one
 * entry of A, of Smat or of m (row_mat below), and moves Sigma by a
 * symmetric rank-2 matrix dSigma_r = alpha (x y' + y x') with x, y columns
 * of FB ("F" vectors, type 0) or of BSFt' ("S" vectors, type 1), and mu by
 * mc FB[:, mi] (see row_rank2 in sem_fit.c).
 */
enum { MAT_A, MAT_S, MAT_M, MAT_NONE };
typedef struct {
  int xt, yt;     /* 0 = F vector, 1 = S vector */
  size_t xi, yi;
  double alpha;   /* 0: no covariance part */
  size_t mi;
  double mc;      /* mean part: mc * FB[:, mi] (0: none) */
} sem_rank2_t;

/* The matrices of group g at the point of the last sem_ws_objective(ws, x, grad) call
   with a gradient and no group mask (views into the workspace).  With
   W = Sigma^-1, d = ybar - mu, v = W d, Omega = W - W (S + d d') W (ML's
   2 dF_g/dSigma): N = FB' Omega FB, M = B Smat N, u = FB' v, Bm = B m.  Of M only
   the rows of the paths' sources (row_j of the MAT_A rows) are computed (the gradient
   and the Hessian read no other; acyclic models leave the others zero). */
typedef struct {
  size_t p, md;
  double weight;  /* n_g / N: F = sum_g weight F_g */
  const gsl_matrix *FB, *BSFt, *B, *Smat, *SigInv, *S, *M, *N;
  const gsl_vector *Bm, *u, *v, *d;
  const int *row_mat;          /* per model row: MAT_A, MAT_S, MAT_M or MAT_NONE */
  const size_t *row_i, *row_j; /* its matrix entry */
} sem_ram_t;
/* -1 when an estimator's discrepancy is installed (F is not ML from the moments). */
int sem_ws_ram(const sem_ws_t *ws, size_t g, sem_ram_t *out);
/* 1 when the matrices above are those of x already (the last evaluation that changed them
   was sem_ws_objective(ws, x, grad) with a gradient, no group mask and a finite F), counted
   as the evaluation it spares; 0: evaluate. */
int sem_ws_grad_at(sem_ws_t *ws, const double *x);
/* The rank-2 form of model row r of group g at the same point. */
sem_rank2_t sem_ws_row_rank2(const sem_ws_t *ws, size_t g, size_t r);

/* ---- categorical indicators (sem_ordinal.c) ------------------------------------ */

/* The .scaled fit measures to NAN (a standard test). */
void sem_measures_scaled_unset(vagap_sem_measures_t *fm);
/* 1 when the model has threshold rows (ordered indicators). */
int sem_model_is_categorical(const vagap_sem_model_t *m);
/* DWLS/WLS/ULS (and their MV variants) on thresholds and polychoric
   correlations from raw data: lavaan's categorical estimation. */
vagap_status_t sem_ordinal_fit(vagap_sem_fit_t **out, const vagap_sem_model_t *model,
                               const vagap_sem_data_t *data, const vagap_sem_fit_options_t *opt,
                               vagap_error_t *err);

/* Noncentral chi-square CDF P(X <= x; df, ncp) (GSL has only the central one). */
double sem_pchisq_nc(double x, double df, double ncp);

/* Starting values in lavaan's spirit; plain = 1: latent variances 0.05 as
   lavaan's, else estimated from the markers' covariances. */
void sem_ws_start(sem_ws_t *ws, double *x, int plain);

/* ---- incremental and other fit indices (sem_indices.c) ----------------------------- */

/* lavaan's lav_fit_* functions with their edge rules: the user model's
   chi-square X2 and df against the baseline's X2b and dfb. */
double sem_fit_cfi(double X2, double df, double X2b, double dfb);
double sem_fit_tli(double X2, double df, double X2b, double dfb); /* = nnfi */
double sem_fit_rfi(double X2, double df, double X2b, double dfb);
double sem_fit_nfi(double X2, double df, double X2b, double dfb);
double sem_fit_pnfi(double X2, double df, double X2b, double dfb);
double sem_fit_ifi(double X2, double df, double X2b, double dfb);
double sem_fit_rni(double X2, double df, double X2b, double dfb);
/* Hoelter's critical N at level alpha */
double sem_fit_cn(double X2, double df, double N, double alpha);
/* baseline.pvalue, cfi, tli, nnfi, rfi, nfi, pnfi, ifi, rni of fm from its chisq, df,
   baseline.chisq and baseline.df */
void sem_fit_baseline_indices(vagap_sem_measures_t *fm);

/* ---- verdict (sem_verdict.c) ----------------------------------------------------- */

/*
 * Spectrum of the information matrix `info` (K x K row-major, weighted as
 * sem_ws_objective's F) and vcov = (N info)^-1: *ratio = smallest / largest
 * eigenvalue of info scaled to unit diagonal, `flat` (K, may be NULL) the
 * eigenvector of the smallest one in that scaling (only computed when *ratio is
 * below VAGAP_SEM_MIN_INFO_RATIO, to name the parameters), *vcov_min_eig the
 * smallest eigenvalue of vcov (when that is above lavaan's eps^(3/4) by
 * Gershgorin's bound, the bound: a lower bound above eps^(3/4)).  VAGAP_ENOMEM only.
 */
vagap_status_t sem_info_spectrum(const double *info, const double *vcov, size_t K, double N,
                                 double *ratio, double *flat, double *vcov_min_eig);

/* The nonzeros of a symmetric K x K matrix row by row (columns ascending within a
   row; stored entries may be 0): the information of a model of many groups, whose
   entries linking two groups' own parameters are all zero. */
typedef struct {
  size_t K;
  size_t *rowptr; /* [K + 1]: row a is entries rowptr[a] .. rowptr[a + 1] - 1 */
  size_t *col;
  double *val;
} sem_sparse_t;
/* Room for K rows and nnz entries (rowptr, col, val left to fill; -1: out of memory). */
int sem_sparse_alloc(sem_sparse_t *sp, size_t K, size_t nnz);
/* The nonzeros of the dense row-major M (-1: out of memory); sem_sparse_free frees. */
int sem_sparse_from_dense(sem_sparse_t *sp, const double *M, size_t K);
void sem_sparse_free(sem_sparse_t *sp);
/* sem_info_spectrum with the information as its nonzeros (vcov stays K x K dense, read
   only within the information's blocks). */
vagap_status_t sem_info_spectrum_sparse(const sem_sparse_t *info, const double *vcov, double N, double *ratio,
                                        double *flat, double *vcov_min_eig);

/* lavaan's post-check on fit->model's estimates; cov_lv[g] is the
   model-implied covariance matrix of the latent variables of group g.
   Sets fit->admissible and appends lavaan's warnings.  VAGAP_ENOMEM only. */
vagap_status_t sem_post_check(vagap_sem_fit_t *fit, const gsl_matrix *const *cov_lv);
/* lavaan's warning when the smallest eigenvalue of vcov is below eps^(3/4). */
vagap_status_t sem_vcov_check(vagap_sem_fit_t *fit, double vcov_min_eig);
/* A warning for every := whose value is not finite at the estimates (no SE then). */
vagap_status_t sem_defined_check(vagap_sem_fit_t *fit);

/* The expected information (npar x npar, unit weight: N * info is the
   Fisher information) at x, as used for the standard errors. */
vagap_status_t sem_ws_information(sem_ws_t *ws, const double *x, gsl_matrix *info, vagap_error_t *err);

/* ---- estimator hooks around the one fitter (sem_fit.c) ------------------------ */

/*
 * What an estimator other than ML-from-moments changes in vagap_sem_fit's
 * run (the workspace is still built from `stats`: for FIML these are the
 * EM (h1) moments, which give lavaan's start values and fixed.x values):
 *   disc         the per-group discrepancy (group_value NULL: ML from moments);
 *   information  the information matrix (unit weight, N * info = Fisher
 *                information) used for SEs when the options ask for the
 *                expected one; NULL: the complete-data expected information;
 *   measures     called after the ML fit measures were computed from the
 *                workspace, to replace what the estimator defines otherwise
 *                (FIML: baseline, logl, unrestricted.logl, aic, bic, ...).
 * With information = observed, the SEs come from sem_ws_hessian for every
 * estimator (lavaan's observed.information = "hessian").
 */
typedef struct sem_fiml sem_fiml_t; /* sem_fiml.c */

typedef struct {
  sem_discrepancy_t disc;
  vagap_status_t (*information)(void *ctx, sem_ws_t *ws, const double *x, gsl_matrix *info,
                                vagap_error_t *err);
  void (*measures)(void *ctx, sem_ws_t *ws, const double *x, vagap_sem_measures_t *fm);
  /* the observed information (the Hessian of the objective at x); NULL: sem_ws_hessian */
  vagap_status_t (*hessian)(void *ctx, sem_ws_t *ws, const double *x, gsl_matrix *info, vagap_error_t *err);
  void *ctx;
  sem_fiml_t *fiml; /* FIML's patterns for robust SEs and scaled tests (sem_robust.c), or NULL */
} sem_fit_hooks_t;

/* vagap_sem_fit with an estimator's hooks (NULL: plain ML, missing must be listwise). */
vagap_status_t sem_fit_with(vagap_sem_fit_t **out, const vagap_sem_model_t *model,
                            const vagap_sem_stats_t *stats, const vagap_sem_data_t *data,
                            const vagap_sem_fit_options_t *opt, const sem_fit_hooks_t *hooks,
                            vagap_error_t *err);

/*
 * lavaan's observed information (lav_model_hessian): the Hessian of the
 * objective F = sum_g n_g/N F_g, H npar x npar (unit weight like
 * sem_ws_information).  ML from the sample moments: in closed form from the
 * RAM matrices (sem_ws_ram); an installed discrepancy (FIML): as lavaan,
 * sem_ws_hessian_numeric.
 */
vagap_status_t sem_ws_hessian(sem_ws_t *ws, const double *x, gsl_matrix *H, vagap_error_t *err);
/* The same closed form straight into the workspace's information blocks (no npar x npar
   matrix: the fit's SEs and conditioning read the blocks); VAGAP_EINVAL with a
   discrepancy installed. */
vagap_status_t sem_ws_hessian_blocks(sem_ws_t *ws, const double *x, vagap_error_t *err);
/* The same from cheaper products that skip the RAM matrices' zeros (sem_hessian.c): equal
   to rounding (~1e-15 relative), not to the last bit, so for an optimisation metric
   (sem_ws_metric_factor), never for printed numbers. */
vagap_status_t sem_ws_hessian_metric(sem_ws_t *ws, const double *x, vagap_error_t *err);
/* The information's blocks filled entry by entry (sem_ws_hessian_blocks): sem_ws_info_clear
   lays them out and zeroes them (-1: out of memory); sem_ws_info_add adds v at (a, b) and,
   with mirror, at (b, a), as a dense symmetric matrix would receive it. */
int sem_ws_info_clear(sem_ws_t *ws);
void sem_ws_info_add(sem_ws_t *ws, size_t a, size_t b, double v, int mirror);
/* The same for a symmetric matrix V over parameters k[0 .. n) (row-major n x n, lower
   triangle read): sem_ws_info_add(ws, k[a], k[b], V[a][b], a != b) for b <= a in turn. */
void sem_ws_info_add_lower(sem_ws_t *ws, const size_t *k, size_t n, const double *V);
/* The blocks' entry (a, b) (0 where none stores it: two groups' own parameters). */
double sem_ws_info_entry(const sem_ws_t *ws, size_t a, size_t b);
/* The Hessian by 4-point Richardson differences of the analytic gradient with step 1e-6,
   symmetrised (lav_model_hessian's own formula), for whatever discrepancy is installed. */
vagap_status_t sem_ws_hessian_numeric(sem_ws_t *ws, const double *x, gsl_matrix *H, vagap_error_t *err);

/* ---- FIML over missing-data patterns (sem_fiml.c) ------------------------------ */

/*
 * Missing-data patterns and the unrestricted (h1) moments by EM (lavaan's
 * lav_mvnorm_missing_h1_estimate_moments, same start, tolerance and
 * iteration) of every group of `data` for `model`'s observed variables
 * (looked up by name).  Rows missing every model variable are skipped
 * (lavaan's "empty cases"; the caller's ledger records them); with ml_x = 0
 * a row with a missing fixed.x covariate is VAGAP_EINVAL (lavaan deletes
 * those rows: the caller does, recording why).  VAGAP_EDATA when a group
 * has no usable row or a variable is missing in every row of a group.
 */
vagap_status_t sem_fiml_alloc(sem_fiml_t **out, const vagap_sem_model_t *model,
                              const vagap_sem_data_t *data, int ml_x, vagap_error_t *err);
void sem_fiml_free(sem_fiml_t *f);
/* The EM moments (mean, covariance with divisor n) and n per group, in the model's ov order. */
const vagap_sem_stats_t *sem_fiml_h1_stats(const sem_fiml_t *f);
/* The hooks for sem_fit_with (f must outlive the fit). */
sem_fit_hooks_t sem_fiml_hooks(sem_fiml_t *f);

/* Rows used (all groups, in data order) and the data row of the i-th one. */
size_t sem_fiml_nrows(const sem_fiml_t *f);
size_t sem_fiml_row_index(const sem_fiml_t *f, size_t i);
/* Missing-data patterns of group g; coverage (p x p, model ov order) as
   lavInspect(fit, "coverage"): share of rows observing both variables. */
size_t sem_fiml_npatterns(const sem_fiml_t *f, size_t g);
void sem_fiml_coverage(const sem_fiml_t *f, size_t g, double *coverage);

/*
 * Casewise scores of the FIML log-likelihood with respect to the moments of
 * group g at (Sigma, mu) (p x p and p, model ov order): `scores` is
 * n_g x (p + p(p+1)/2), row i (the i-th used row of group g, data order)
 * = d logL_i / d(mu', vech(Sigma)') with vech lavaan's (lower triangle,
 * column by column) and each off-diagonal element counted once.  At the EM
 * moments these are the h1 scores (lavaan's B1 = crossprod / n_g).
 */
vagap_status_t sem_fiml_moment_scores(const sem_fiml_t *f, size_t g, const gsl_matrix *Sigma,
                                      const gsl_vector *mu, double *scores, vagap_error_t *err);
/*
 * Casewise scores with respect to the free parameters at x:
 * scores is sem_fiml_nrows(f) x npar, row i = d logL_i / dtheta (the
 * chain through sem_ws_jacobian; sum over rows = -N dF/dtheta).  With
 * ws's observed information (sem_ws_hessian) this is what a Huber-White
 * sandwich (MLR with missing = "ml") needs: A = N H, B = scores' scores.
 */
vagap_status_t sem_fiml_scores(sem_fiml_t *f, sem_ws_t *ws, const double *x, double *scores,
                               vagap_error_t *err);
/* lavaan's expected information under missing = "ml" with h1.information =
   "structured": per pattern the observed part's normal information at the
   implied moments, weighted by the pattern's rows (unit weight). */
/* lavaan's observed information under missing = "ml" (the Hessian of the objective at x)
   from the analytic h1 Hessian and the model's second derivatives (sem_fiml.c). */
vagap_status_t sem_fiml_observed_information(void *f, sem_ws_t *ws, const double *x, gsl_matrix *info,
                                             vagap_error_t *err);
vagap_status_t sem_fiml_expected_information(void *f, sem_ws_t *ws, const double *x,
                                             gsl_matrix *info, vagap_error_t *err);
/* Group of the i-th used row; used rows of group g. */
size_t sem_fiml_row_group(const sem_fiml_t *f, size_t i);
size_t sem_fiml_group_rows(const sem_fiml_t *f, size_t g);
/*
 * lavaan's observed h1 information of group g at (Sigma, mu)
 * (lav_mvnorm_missing_information_observed_samplestats): minus the Hessian
 * of the FIML log-likelihood with respect to (mu', vech(Sigma)') over n_g,
 * in sem_fiml_moment_scores' layout; A is (p + p(p+1)/2)^2, row-major.
 * expected = 1: its expectation (lav_mvnorm_missing_information_expected).
 */
vagap_status_t sem_fiml_h1_information(const sem_fiml_t *f, size_t g, const gsl_matrix *Sigma,
                                       const gsl_vector *mu, int expected, double *A, vagap_error_t *err);
/* lavaan's data warnings (empty cases, pairwise coverage below 10%) appended to fit. */
vagap_status_t sem_fiml_warnings(const sem_fiml_t *f, const vagap_sem_data_t *data, vagap_sem_fit_t *fit);
/* Append a warning with a ready message to fit (sem_verdict.c); VAGAP_ENOMEM only. */
vagap_status_t sem_fit_warning(vagap_sem_fit_t *fit, const char *msg);
/* The estimates (Sigma p x p, mu p) of lavaan's FIML baseline model in group g; -1 if they fail. */
int sem_fiml_baseline_moments(const sem_fiml_t *f, size_t g, gsl_matrix *Sigma, gsl_vector *mu);

/* ---- constraints and bounds (sem_constraints.c) ------------------------------ */

typedef struct sem_con sem_con_t;

/* Compile the ==, <, > statements of syn into m->con (names resolved to rows or := rows). */
vagap_status_t sem_constraints_compile(vagap_sem_model_t *m, const vagap_sem_syntax_t *syn,
                                       const char *source, vagap_error_t *err);
void sem_constraints_free(vagap_sem_model_t *m);
/* Deep copy of src's constraints into dst (whose con fields are overwritten). */
vagap_status_t sem_constraints_copy(vagap_sem_model_t *dst, const vagap_sem_model_t *src);

/* 1 when the fit needs the constrained path (constraints or bounds). */
int sem_con_needed(const vagap_sem_model_t *m);
sem_con_t *sem_con_alloc(const vagap_sem_model_t *m, sem_ws_t *ws);
void sem_con_free(sem_con_t *c);
/* An estimator's own objective for the constrained optimiser (the ordinal fit's, whose
   thresholds and scale factors the workspace's objective does not see): value (and
   gradient), information = its Hessian's expectation in the same scale (the Newton
   polish), start values (plain = 1: the second set, as sem_ws_start). */
typedef struct {
  double (*value)(void *ctx, const double *x, double *grad);
  vagap_status_t (*information)(void *ctx, const double *x, gsl_matrix *info, vagap_error_t *err);
  void (*start)(void *ctx, double *x, int plain);
  void *ctx;
} sem_con_objective_t;
void sem_con_set_objective(sem_con_t *c, const sem_con_objective_t *obj);
/* Constrained ML from the workspace's starting values. */
vagap_status_t sem_con_optimise(sem_con_t *c, double *x, int max_iter, const char **method,
                                double *gnorm, vagap_error_t *err);
/* vcov over the equality and active inequality constraints; fills out->con values. */
vagap_status_t sem_con_vcov(sem_con_t *c, const double *x, const gsl_matrix *info, double N,
                            double *vcov, vagap_sem_model_t *out, vagap_error_t *err);
/* Rank of the equality constraints' Jacobian (after sem_con_vcov): df += rank, npar -= rank. */
size_t sem_con_rank(const sem_con_t *c);
/* lavaan's SE/z/p conventions for constrained and bounded fits. */
void sem_con_finish_rows(vagap_sem_model_t *out);

/* ---- robust ML (sem_robust.c) ------------------------------------------------------ */

/* vagap_sem_fit with the raw rows behind stats (data may be NULL: moments only). */
vagap_status_t sem_fit_run(vagap_sem_fit_t **out, const vagap_sem_model_t *model,
                           const vagap_sem_stats_t *stats, const vagap_sem_data_t *data,
                           const vagap_sem_fit_options_t *opt, vagap_error_t *err);
/* sem_fit_run for a bootstrap resample (lavaan's bootstrapLavaan policy):
   one optimisation (Fisher-scoring warm start, L-BFGS, the fit's polish) from
   `start` (the full-sample estimates, npar values), no fallback strategies; a
   resample where it does not reach a stationary point fails (VAGAP_ENOCONV).
   start NULL, or a model with constraints or bounds: sem_fit_run. */
vagap_status_t sem_fit_from(vagap_sem_fit_t **out, const vagap_sem_model_t *model,
                            const vagap_sem_stats_t *stats, const vagap_sem_data_t *data,
                            const vagap_sem_fit_options_t *opt, const double *start, vagap_error_t *err);
/* ---- bootstrap resamples (sem_resample.c) -------------------------------------------- */

/* One thread's fast refit of complete-data ML resamples from the full-sample estimates
   (sem_resample.c's comment). */
typedef struct sem_resample sem_resample_t;
/*
 * For `model` fitted to the full sample (stats) at x0 with options opt: a workspace whose
 * metric is the expected information at x0, factored once.  *out NULL (VAGAP_OK) when the
 * fast refit does not apply (FIML, categorical, constraints or bounds, a singular
 * information): the caller keeps sem_fit_from.
 */
vagap_status_t sem_resample_alloc(sem_resample_t **out, const vagap_sem_model_t *model,
                                  const vagap_sem_stats_t *stats, const vagap_sem_fit_options_t *opt,
                                  const double *x0, vagap_error_t *err);
void sem_resample_free(sem_resample_t *r);
/* Does the fast refit apply to `model` under opt (estimates only, complete-data ML from the
   moments, no constraints or bounds)? */
int sem_resample_applies(const vagap_sem_model_t *model, const vagap_sem_fit_options_t *opt);
/* The intercepts the refit concentrates out (saturated means: fixed at the resample's
   means, the iteration over the other parameters); 0 where it does not. */
size_t sem_resample_concentrated(const sem_resample_t *r);
/* The rows centred at their group's full-sample mean, once for all resamples. */
typedef struct {
  double *z;              /* [nobs * nvar] x - shift of the row's group */
  unsigned char *finite;  /* [nobs] 1: every value of the row is finite */
  const double *shift;    /* [ngroups * nvar] borrowed */
} sem_centred_t;
vagap_status_t sem_resample_centre(sem_centred_t *c, const vagap_sem_data_t *data, const double *shift);
void sem_resample_centred_free(sem_centred_t *c);
/*
 * The moments of a resample into stats (allocated for data's groups and variables):
 * group g's rows are order[start[g] .. start[g+1]) and its draws idx[start[g] ..
 * start[g+1]).  As cross-products of the centred rows cz over the distinct drawn rows
 * weighted by their counts (count: room for nobs, zero, left zero; rows, scratch: room
 * for nobs).  VAGAP_EDATA: a drawn value is not finite; VAGAP_EDOMAIN: a group has fewer
 * than 2 rows (the caller's full path reports either in its own words).
 */
vagap_status_t sem_resample_moments(vagap_sem_stats_t *stats, const vagap_sem_data_t *data, const sem_centred_t *cz,
                                    const size_t *idx, const size_t *order, const size_t *start, double *count,
                                    size_t *rows, double *scratch, vagap_error_t *err);
/*
 * Refit the resample whose moments are stats from x0: Newton-type steps with a metric
 * (first I0, then the observed information where I0 stops working) and a step-halving
 * guard on F, to the fit's own precision.  VAGAP_OK: *fit (owned by r, valid until the
 * next call) has the estimates, NAN SEs and lavaan's post-check warnings, as
 * sem_fit_from gives them with se = "none".  VAGAP_ENOCONV: the iteration failed (the
 * caller refits by sem_fit_from); VAGAP_EDOMAIN: a sample covariance is not positive
 * definite (sem_fit_from says so in its words); VAGAP_ENOMEM.
 */
vagap_status_t sem_resample_fit(sem_resample_t *r, const vagap_sem_stats_t *stats, const vagap_sem_fit_t **fit,
                                vagap_error_t *err);

/* vagap_sem_bootstrap (sem_boot.c); full_refit = 1: every resample by sem_fit_from (the
   path before sem_resample_fit, for comparisons); *nfallback (may be NULL): the resamples
   sem_resample_fit passed to sem_fit_from. */
vagap_status_t sem_bootstrap_run(vagap_sem_boot_t **out, const vagap_sem_model_t *model,
                                 const vagap_sem_data_t *data, const vagap_sem_fit_options_t *fit_opt,
                                 const vagap_sem_boot_options_t *opt, int full_refit, size_t *nfallback,
                                 vagap_error_t *err);

/* sem_fit_run for a Monte Carlo replication (vagap power): from `start` (npar
   values: the fit model's estimates on the population moments), L-BFGS whitened
   by the expected information there and a Fisher-scoring polish; where that
   does not reach a stationary point, the full search of sem_fit_run.  start
   NULL, or a model with constraints or bounds: sem_fit_run. */
vagap_status_t sem_fit_replication(vagap_sem_fit_t **out, const vagap_sem_model_t *model,
                                   const vagap_sem_stats_t *stats, const vagap_sem_data_t *data,
                                   const vagap_sem_fit_options_t *opt, const double *start,
                                   vagap_error_t *err);
/* vagap_sem_fit_data for many data sets of one design: complete-data ML (and robust
   ML) computes the sample moments into `stats` (allocated for data's groups and
   variables, reused) and, with `start`, fits by sem_fit_replication; other
   estimators and missing-data methods are vagap_sem_fit_data's. */
vagap_status_t sem_fit_data_replication(vagap_sem_fit_t **out, const vagap_sem_model_t *model,
                                        const vagap_sem_data_t *data, vagap_sem_stats_t *stats,
                                        const vagap_sem_fit_options_t *opt, const double *start,
                                        vagap_error_t *err);
/* vcov = (N info)^-1 under the model's constraints, for any information matrix. */
vagap_status_t sem_ws_vcov(sem_ws_t *ws, sem_con_t *con, const double *x, const gsl_matrix *info,
                           vagap_sem_model_t *out, double *vcov, vagap_error_t *err);
double sem_ws_nobs(const sem_ws_t *ws, size_t g);
/* N of the test statistic and RMSEA (N, or N - G for wishart) */
double sem_ws_N(const sem_ws_t *ws);
/* [robust hook] Casewise scores d log L_i / d theta of group g's rows (model variable order)
   taken at mean mu: the meat of the Huber-White sandwich.  sem_ws_scores_open prepares
   group g at x (what the rows share); only its *k parameters (cols, increasing; room for
   npar) have nonzero scores.  rc: -1 Sigma not positive definite, -2 out of memory (NULL
   returned).  sem_ws_scores then fills sc with Y's n x k scores, row-major (-2: out of
   memory); the workspace must not move to another point between the two. */
typedef struct sem_scores sem_scores_t;
sem_scores_t *sem_ws_scores_open(sem_ws_t *ws, const double *x, size_t g, size_t *cols, size_t *k, int *rc);
int sem_ws_scores(sem_scores_t *s, const gsl_matrix *Y, const gsl_vector *mu, double *sc, size_t k);
void sem_ws_scores_close(sem_scores_t *s);
/* Restrict sem_ws_objective to the groups with mask[g] != 0 (NULL: all groups again):
   the terms of the other groups do not depend on their parameters. */
void sem_ws_only_groups(sem_ws_t *ws, const unsigned char *mask);
const vagap_sem_model_t *sem_ws_model(const sem_ws_t *ws);
/* The sample covariance (the likelihood's divisor) and mean of group g. */
void sem_ws_sample(const sem_ws_t *ws, size_t g, const gsl_matrix **S, const gsl_vector **ybar);
/* root in [lo, hi] of pchisq(x, df, ncp) = target */
double sem_ncp_solve(double x, double df, double target, double lo, double hi);
/* VAGAP_EINVAL when the options need the raw rows and data is NULL. */
vagap_status_t sem_robust_check(const vagap_sem_fit_options_t *opt, const vagap_sem_data_t *data,
                                vagap_error_t *err);
/* After the ML fit: the information of the SEs, robust vcov, scaled tests and their measures. */
/* FIML (fiml != NULL, data NULL): info is already the information the options ask for
   (Hessian or FIML expected), the meat comes from the FIML casewise scores. */
vagap_status_t sem_robust_finish(sem_ws_t *ws, sem_con_t *con, vagap_sem_fit_t *fit, const gsl_matrix *info,
                                 const vagap_sem_fit_options_t *opt, const vagap_sem_data_t *data,
                                 sem_fiml_t *fiml, vagap_error_t *err);
/* lavaan's cfi, tli, rni with the scaling corrections c.hat / c.hat.null of the
   .robust measures (Brosseau-Liard & Savalei 2014), rmsea with c.hat, its 90% CI and
   the close (upper = 1, h0 0.05) / not-close (upper = 0, h0 0.08) fit p-values
   (lav_fit_cfi, lav_fit_rmsea, lav_fit_rmsea_ci, lav_fit_rmsea_closefit/notclosefit). */
double cfi_c(double X2, double df, double X2b, double dfb, double c, double cb);
double tli_c(double X2, double df, double X2b, double dfb, double c, double cb);
double rni_c(double X2, double df, double X2b, double dfb, double c, double cb);
double rmsea_c(double X2, double df, double N, double G, double c);
void rmsea_ci_c(double X2, double df, double N, double G, double c, double *lo, double *hi);
double rmsea_p_c(double X2, double df, double N, double G, double c, double h0, int upper);
/* gfi, agfi, pgfi, rmr, srmr_bentler, crmr, srmr_mplus (+ _nomean) at x (sem_measures.c). */
void sem_more_measures(sem_ws_t *ws, const double *x, vagap_sem_measures_t *fm);
/* The measures a fit asked for by vagap_sem_fit_options_t.compute are kept, the others
   set to NAN (so a printer never sees a value from an unfinished computation). */
void sem_measures_keep(vagap_sem_measures_t *fm, vagap_sem_compute_t compute, size_t ngroups);

/* Index of a variable among the model's ov (0..nov-1) then lv (nov..), or (size_t)-1. */
size_t sem_model_var_index(const vagap_sem_model_t *m, const char *name);

#pragma GCC visibility pop

#endif
