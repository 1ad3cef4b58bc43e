/*
 * sim_nonnormal.c - non-normal multivariate data with given skewness and
 * excess kurtosis by Vale & Maurelli (1983), as lavaan's simulateData()
 * (its ValeMaurelli1983): Fleishman's (1978) polynomial a + bZ + cZ^2 + dZ^3
 * per variable, an intermediate correlation per pair such that the
 * polynomials of correlated normals have the target correlation, normals
 * with those correlations, then each transformed (vagap/simulate.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_multiroots.h>
#include <gsl/gsl_poly.h>
#include <gsl/gsl_vector.h>

#include "vagap/simulate.h"

typedef struct {
  double skew, kurt;
} fleishman_target_t;

/* Fleishman's equations in b, c, d (a = -c): unit variance, skewness, excess kurtosis. */
static int fleishman_f(const gsl_vector *x, void *params, gsl_vector *f) {
  const fleishman_target_t *t = params;
  double b = gsl_vector_get(x, 0), c = gsl_vector_get(x, 1), d = gsl_vector_get(x, 2);
  gsl_vector_set(f, 0, b * b + 6 * b * d + 2 * c * c + 15 * d * d - 1);
  gsl_vector_set(f, 1, 2 * c * (b * b + 24 * b * d + 105 * d * d + 2) - t->skew);
  gsl_vector_set(f, 2, 24 * (b * d + c * c * (1 + b * b + 28 * b * d) +
                             d * d * (12 + 48 * b * d + 141 * c * c + 225 * d * d)) - t->kurt);
  return GSL_SUCCESS;
}

vagap_status_t vagap_sim_fleishman(double skewness, double kurtosis, double coef[4],
                                   vagap_error_t *err) {
  if (skewness == 0 && kurtosis == 0) { /* the normal case, exactly */
    coef[0] = 0, coef[1] = 1, coef[2] = 0, coef[3] = 0;
    return VAGAP_OK;
  }
  fleishman_target_t t = {skewness, kurtosis};
  gsl_multiroot_function fn = {fleishman_f, 3, &t};
  gsl_vector *x = gsl_vector_alloc(3);
  gsl_multiroot_fsolver *s = gsl_multiroot_fsolver_alloc(gsl_multiroot_fsolver_hybrids, 3);
  if (!x || !s) {
    gsl_vector_free(x);
    gsl_multiroot_fsolver_free(s);
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  }
  gsl_vector_set(x, 0, 1.0); /* lavaan's start: b = 1, c = d = 0 (the normal) */
  gsl_vector_set(x, 1, 0.0);
  gsl_vector_set(x, 2, 0.0);
  gsl_error_handler_t *old = gsl_set_error_handler_off();
  int status = gsl_multiroot_fsolver_set(s, &fn, x);
  for (int iter = 0; status == GSL_SUCCESS && iter < 1000; iter++) {
    if ((status = gsl_multiroot_fsolver_iterate(s)) != GSL_SUCCESS) break;
    status = gsl_multiroot_test_residual(s->f, 1e-13);
    if (status == GSL_SUCCESS) break;
    if (status == GSL_CONTINUE) status = GSL_SUCCESS;
  }
  gsl_set_error_handler(old);
  double b = gsl_vector_get(s->x, 0), c = gsl_vector_get(s->x, 1), d = gsl_vector_get(s->x, 2);
  double r0 = gsl_vector_get(s->f, 0), r1 = gsl_vector_get(s->f, 1), r2 = gsl_vector_get(s->f, 2);
  gsl_vector_free(x);
  gsl_multiroot_fsolver_free(s);
  if (!(r0 * r0 + r1 * r1 + r2 * r2 < 1e-10) || !isfinite(b))
    return vagap_error_set(err, VAGAP_EDOMAIN, NULL, 0, 0,
                           "no Fleishman polynomial has skewness %g and excess kurtosis %g "
                           "(kurtosis must exceed about 1.8 skewness^2 - 1.2)",
                           skewness, kurtosis);
  coef[0] = -c, coef[1] = b, coef[2] = c, coef[3] = d;
  return VAGAP_OK;
}

vagap_status_t vagap_sim_vm_intermediate(const double ci[4], const double cj[4], double r,
                                         double *rho, vagap_error_t *err) {
  double b1 = ci[1], c1 = ci[2], d1 = ci[3], b2 = cj[1], c2 = cj[2], d2 = cj[3];
  /* r = rho (b1 b2 + 3 b1 d2 + 3 d1 b2 + 9 d1 d2) + rho^2 (2 c1 c2) + rho^3 (6 d1 d2) */
  double k1 = b1 * b2 + 3 * b1 * d2 + 3 * d1 * b2 + 9 * d1 * d2, k2 = 2 * c1 * c2,
         k3 = 6 * d1 * d2;
  double roots[3];
  int n;
  if (r == 0) { /* lavaan keeps 0 */
    *rho = 0;
    return VAGAP_OK;
  }
  if (k3 != 0) {
    n = gsl_poly_solve_cubic(k2 / k3, k1 / k3, -r / k3, &roots[0], &roots[1], &roots[2]);
  } else if (k2 != 0) {
    n = gsl_poly_solve_quadratic(k2, k1, -r, &roots[0], &roots[1]);
  } else {
    n = k1 != 0 ? (roots[0] = r / k1, 1) : 0;
  }
  /* the real root in [-1, 1] nearest r: where lavaan's nlminb, started at r, ends */
  int best = -1;
  for (int k = 0; k < n; k++)
    if (fabs(roots[k]) <= 1 && (best < 0 || fabs(roots[k] - r) < fabs(roots[best] - r))) best = k;
  if (best < 0)
    return vagap_error_set(err, VAGAP_EDOMAIN, NULL, 0, 0,
                           "no intermediate correlation gives correlation %g with these "
                           "skewness and kurtosis values", r);
  *rho = roots[best];
  return VAGAP_OK;
}

vagap_status_t vagap_sim_vm_prepare(const double *mu, const double *sigma, size_t p,
                                    const double *skewness, const double *kurtosis,
                                    vagap_sim_vm_t *vm, vagap_error_t *err) {
  memset(vm, 0, sizeof *vm);
  vm->p = p;
  vm->coef = malloc(4 * p * sizeof *vm->coef);
  vm->sd = malloc(p * sizeof *vm->sd);
  vm->mu = malloc(p * sizeof *vm->mu);
  vm->chol = malloc(p * p * sizeof *vm->chol);
  vm->zero = calloc(p, sizeof *vm->zero);
  double *icor = malloc(p * p * sizeof *icor);
  vagap_status_t st = VAGAP_OK;
  if (!vm->coef || !vm->sd || !vm->mu || !vm->chol || !vm->zero || !icor) {
    st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < p && !st; i++) {
    vm->sd[i] = sqrt(sigma[i * p + i]);
    vm->mu[i] = mu[i];
    st = vagap_sim_fleishman(skewness[i], kurtosis[i], vm->coef + 4 * i, err);
  }
  for (size_t i = 0; i < p && !st; i++) {
    icor[i * p + i] = 1.0;
    for (size_t j = 0; j < i && !st; j++) {
      double r = sigma[i * p + j] / (vm->sd[i] * vm->sd[j]);
      st = vagap_sim_vm_intermediate(vm->coef + 4 * i, vm->coef + 4 * j, r, &icor[i * p + j], err);
      icor[j * p + i] = icor[i * p + j];
    }
  }
  if (!st && vagap_sim_cholesky(icor, p, vm->chol, err) != VAGAP_OK)
    st = vagap_error_set(err, VAGAP_EDOMAIN, NULL, 0, 0,
                         "the intermediate correlation matrix of Vale-Maurelli is not positive "
                         "definite: these skewness and kurtosis values cannot have the model's "
                         "correlations");
done:
  free(icor);
  if (st) vagap_sim_vm_free(vm);
  return st;
}

void vagap_sim_vm_free(vagap_sim_vm_t *vm) {
  free(vm->coef);
  free(vm->sd);
  free(vm->mu);
  free(vm->chol);
  free(vm->zero);
  memset(vm, 0, sizeof *vm);
}

void vagap_sim_vm_draw(gsl_rng *rng, size_t n, const vagap_sim_vm_t *vm, double *x) {
  size_t p = vm->p;
  vagap_sim_mvnorm(rng, n, p, vm->zero, vm->chol, x);
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < p; j++) {
      const double *c = vm->coef + 4 * j;
      double z = x[i * p + j];
      x[i * p + j] = (c[0] + z * (c[1] + z * (c[2] + z * c[3]))) * vm->sd[j] + vm->mu[j];
    }
}
