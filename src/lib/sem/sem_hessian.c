/*
 * sem_hessian.c - lavaan's observed information: the Hessian of the fit
 * function by numerical differentiation of its analytic gradient
 * (lav_model_hessian, lavaan 0.6): for each free parameter j, with a fixed
 * absolute step h = 1e-6, the 4-point Richardson formula
 *   H[, j] = (g(x - 2h e_j) - 8 g(x - h e_j) + 8 g(x + h e_j) - g(x + 2h e_j)) / (12 h)
 * then H = (H + H') / 2.  It works for whatever discrepancy the workspace
 * has installed (ML from moments, FIML over patterns), which is why the
 * same code gives `--information observed` for complete and missing data.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sem_internal.h"

vagap_status_t sem_ws_hessian(sem_ws_t *ws, const double *x, gsl_matrix *H, vagap_error_t *err) {
  size_t K = H->size1;
  static const double h = 1e-6;
  static const double step[4] = {-2, -1, 1, 2}, weight[4] = {1, -8, 8, -1};
  double *xs = malloc((K ? K : 1) * sizeof *xs), *g = malloc((K ? K : 1) * sizeof *g);
  if (!xs || !g) {
    free(xs);
    free(g);
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  }
  /* the group of each parameter, or (size_t)-1 when groups share it */
  const vagap_sem_model_t *m = sem_ws_model(ws);
  size_t *owner = malloc((K ? K : 1) * sizeof *owner);
  unsigned char *mask = calloc(m->ngroups ? m->ngroups : 1, 1);
  if (!owner || !mask) {
    free(owner);
    free(mask);
    free(xs);
    free(g);
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  }
  for (size_t k = 0; k < K; k++) owner[k] = (size_t)-2;
  for (size_t r = 0; r < m->nrows; r++) {
    const vagap_sem_param_t *row = &m->rows[r];
    if (!row->free || row->op == VAGAP_SEM_DEFINED || row->free > K) continue;
    size_t k = row->free - 1, grp = (size_t)row->group - 1;
    owner[k] = owner[k] == (size_t)-2 || owner[k] == grp ? grp : (size_t)-1;
  }
  gsl_matrix_set_zero(H);
  vagap_status_t st = VAGAP_OK;
  for (size_t j = 0; j < K && !st; j++) {
    memcpy(xs, x, K * sizeof *xs);
    /* a parameter of one group changes only that group's part of the gradient */
    size_t og = owner[j] == (size_t)-2 ? (size_t)-1 : owner[j];
    memset(mask, 0, m->ngroups);
    if (og != (size_t)-1) mask[og] = 1;
    sem_ws_only_groups(ws, og != (size_t)-1 ? mask : NULL);
    for (int s = 0; s < 4; s++) {
      xs[j] = x[j] + step[s] * h;
      if (!isfinite(sem_ws_objective(ws, xs, g))) {
        st = vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0,
                             "the observed information cannot be computed: the implied covariance matrix "
                             "is not positive definite next to the solution");
        break;
      }
      for (size_t i = 0; i < K; i++) *gsl_matrix_ptr(H, i, j) += weight[s] * g[i] / (12 * h);
    }
  }
  sem_ws_only_groups(ws, NULL);
  free(owner);
  free(mask);
  for (size_t i = 0; i < K; i++)
    for (size_t j = 0; j < i; j++) {
      double a = 0.5 * (gsl_matrix_get(H, i, j) + gsl_matrix_get(H, j, i));
      gsl_matrix_set(H, i, j, a);
      gsl_matrix_set(H, j, i, a);
    }
  free(xs);
  free(g);
  return st;
}
