/*
 * sim_sem.c - population moments of an SEM with lavaan simulateData()'s
 * population values (vagap/simulate.h), for `vagap simulate`.
 *
 * Deliberately independent of the fitter (sem_fit.c): it needs only the
 * parameter table, and computes the RAM-form moments once per group.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_permutation.h>

#include "vagap/simulate.h"
#include "sem_internal.h"


static int is_single_indicator_residual(const vagap_sem_model_t *m, const vagap_sem_param_t *r) {
  /* the builder's auto.fix.single: a default ov variance fixed at 0 (nothing else is) */
  return !r->user && r->free == 0 && r->ustart == 0.0 && r->op == VAGAP_SEM_COVARIANCE &&
         !strcmp(r->lhs, r->rhs) && sem_model_var_index(m, r->lhs) < m->nov;
}

/* simulateData's value of a row: its fixed value, else 1 for loadings (0.7 when
   standardized) and variances, else 0. */
static double population_value(const vagap_sem_model_t *m, const vagap_sem_param_t *r,
                               int standardized, size_t *n_zero_regressions) {
  if (is_single_indicator_residual(m, r)) return 1.0;
  if (isfinite(r->ustart)) return r->ustart;
  if (r->op == VAGAP_SEM_LOADING) return standardized ? 0.7 : 1.0;
  if (r->op == VAGAP_SEM_COVARIANCE && !strcmp(r->lhs, r->rhs)) return 1.0;
  if (r->op == VAGAP_SEM_REGRESSION) ++*n_zero_regressions;
  return 0.0;
}

/* A (directed paths), S (symmetric) and m (intercepts) of one group. */
static vagap_status_t fill_ram(const vagap_sem_model_t *m, int group, int standardized,
                               gsl_matrix *A, gsl_matrix *S, gsl_vector *mean, size_t *nzero,
                               vagap_error_t *err) {
  gsl_matrix_set_zero(A);
  gsl_matrix_set_zero(S);
  gsl_vector_set_zero(mean);
  for (size_t i = 0; i < m->nrows; i++) {
    const vagap_sem_param_t *r = &m->rows[i];
    if (r->op == VAGAP_SEM_DEFINED || r->group != group) continue;
    double v = population_value(m, r, standardized, nzero);
    size_t a = sem_model_var_index(m, r->lhs);
    size_t b = r->op == VAGAP_SEM_INTERCEPT ? 0 : sem_model_var_index(m, r->rhs);
    if (a == (size_t)-1 || b == (size_t)-1)
      return vagap_error_set(err, VAGAP_EMODEL, NULL, 0, 0,
                             "parameter %s %s %s names an unknown variable", r->lhs,
                             vagap_sem_op_string(r->op), r->rhs);
    switch (r->op) {
    case VAGAP_SEM_LOADING: gsl_matrix_set(A, b, a, v); break;    /* indicator <- factor */
    case VAGAP_SEM_REGRESSION: gsl_matrix_set(A, a, b, v); break; /* lhs <- rhs */
    case VAGAP_SEM_COVARIANCE:
      gsl_matrix_set(S, a, b, v);
      gsl_matrix_set(S, b, a, v);
      break;
    case VAGAP_SEM_INTERCEPT: gsl_vector_set(mean, a, v); break;
    default: break;
    }
  }
  return VAGAP_OK;
}

/*
 * lavaan's "nox" variables, whose residual variances standardized = TRUE
 * replaces: observed variables other than exogenous covariates (ov.nox), and
 * latent variables that depend on something (lv.nox: the lhs of a regression
 * or the indicator of a higher-order factor).
 */
static int is_nox(const vagap_sem_model_t *m, size_t v) {
  if (v < m->nov) return !m->ov_exo[v];
  const char *name = m->lv[v - m->nov];
  for (size_t i = 0; i < m->nrows; i++) {
    const vagap_sem_param_t *r = &m->rows[i];
    if ((r->op == VAGAP_SEM_REGRESSION && !strcmp(r->lhs, name)) ||
        (r->op == VAGAP_SEM_LOADING && !strcmp(r->rhs, name)))
      return 1;
  }
  return 0;
}

/* T = B S B' */
static void implied(const gsl_matrix *B, const gsl_matrix *S, gsl_matrix *C, gsl_matrix *T) {
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, B, S, 0.0, C);
  gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, C, B, 0.0, T);
}

/*
 * simulateData(standardized = TRUE) of lavaan 0.6: the residual variances of
 * the nox variables are first set to 0; then each latent one becomes 1 minus
 * its implied variance, and, with those, each observed one 1 minus its
 * implied variance.  (Two stages as lavaan does them: a latent variable
 * downstream of another endogenous one does not end at variance 1, as in
 * lavaan.)  *n_user counts residual variances given in the syntax that were
 * replaced (lavaan warns).
 */
static void standardize(const vagap_sem_model_t *m, int group, const gsl_matrix *B, gsl_matrix *S,
                        gsl_matrix *C, gsl_matrix *T, size_t *n_user) {
  size_t q = m->nov + m->nlv;
  for (size_t v = 0; v < q; v++)
    if (is_nox(m, v)) gsl_matrix_set(S, v, v, 0.0);
  for (size_t i = 0; i < m->nrows; i++) {
    const vagap_sem_param_t *r = &m->rows[i];
    if (r->group == group && r->user && r->op == VAGAP_SEM_COVARIANCE && !strcmp(r->lhs, r->rhs) &&
        is_nox(m, sem_model_var_index(m, r->lhs)))
      ++*n_user;
  }
  implied(B, S, C, T);
  for (size_t v = m->nov; v < q; v++)
    if (is_nox(m, v)) gsl_matrix_set(S, v, v, 1.0 - gsl_matrix_get(T, v, v));
  implied(B, S, C, T);
  for (size_t v = 0; v < m->nov; v++)
    if (is_nox(m, v)) gsl_matrix_set(S, v, v, 1.0 - gsl_matrix_get(T, v, v));
}

vagap_status_t vagap_sim_sem_moments(const vagap_sem_model_t *model, size_t group, double *mu,
                                     double *sigma, size_t *n_zero_regressions,
                                     vagap_error_t *err) {
  return vagap_sim_sem_moments_std(model, group, 0, mu, sigma, n_zero_regressions, NULL, err);
}

vagap_status_t vagap_sim_sem_moments_std(const vagap_sem_model_t *model, size_t group,
                                         int standardized, double *mu, double *sigma,
                                         size_t *n_zero_regressions, size_t *n_user_residuals,
                                         vagap_error_t *err) {
  size_t p = model->nov, q = model->nov + model->nlv, nzero = 0, nuser = 0;
  if (group >= model->ngroups)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "group %zu of a %zu-group model",
                           group + 1, model->ngroups);
  gsl_matrix *A = gsl_matrix_alloc(q, q), *S = gsl_matrix_alloc(q, q);
  gsl_matrix *B = gsl_matrix_alloc(q, q), *T = gsl_matrix_alloc(q, q), *C = gsl_matrix_alloc(q, q);
  gsl_vector *mean = gsl_vector_alloc(q), *mall = gsl_vector_alloc(q);
  gsl_permutation *perm = gsl_permutation_alloc(q);
  vagap_status_t st = VAGAP_ENOMEM;
  if (!A || !S || !B || !T || !C || !mean || !mall || !perm) {
    vagap_error_set(err, st, NULL, 0, 0, "out of memory");
    goto done;
  }
  if ((st = fill_ram(model, (int)group + 1, standardized, A, S, mean, &nzero, err))) goto done;
  /* B = (I - A)^-1 by LU */
  gsl_matrix_set_identity(T);
  gsl_matrix_sub(T, A);
  int sign;
  st = VAGAP_EMODEL;
  if (gsl_linalg_LU_decomp(T, perm, &sign) != GSL_SUCCESS || gsl_linalg_LU_det(T, sign) == 0.0 ||
      gsl_linalg_LU_invert(T, perm, B) != GSL_SUCCESS) {
    vagap_error_set(err, st, NULL, 0, 0,
                    "group %zu: the regressions have no solution (I - B is singular)", group + 1);
    goto done;
  }
  if (standardized) standardize(model, (int)group + 1, B, S, C, T, &nuser);
  implied(B, S, C, T);
  gsl_blas_dgemv(CblasNoTrans, 1.0, B, mean, 0.0, mall);
  for (size_t i = 0; i < p; i++) {
    mu[i] = gsl_vector_get(mall, i);
    for (size_t j = 0; j < p; j++) sigma[i * p + j] = gsl_matrix_get(T, i, j);
  }
  if (n_zero_regressions) *n_zero_regressions = nzero;
  if (n_user_residuals) *n_user_residuals = nuser;
  st = VAGAP_OK;
done:
  gsl_matrix_free(A);
  gsl_matrix_free(S);
  gsl_matrix_free(B);
  gsl_matrix_free(T);
  gsl_matrix_free(C);
  gsl_vector_free(mean);
  gsl_vector_free(mall);
  gsl_permutation_free(perm);
  return st;
}
