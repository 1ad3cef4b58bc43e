/*
 * sem_ordinal.c - SEM with ordered indicators, as lavaan 0.6 with
 * ordered= and estimator = "WLSMV" (the default), "DWLS", "WLS", "ULS",
 * "ULSMV" (doc/methods.md "Ordinal indicators").
 *
 * Three stages (Muthén 1984):
 *   1. per group, thresholds, polychoric correlations and their asymptotic
 *      covariance Gamma (polychoric.c);
 *   2. the weighted least-squares fit of the model's implied thresholds and
 *      correlations to them: F = sum_g (n_g - 1)/N (s_g - sigma_g)' W_g (s_g - sigma_g)
 *      (lavaan's fmin is half of it), W_g = Gamma_g^-1 (WLS), diag(Gamma_g)^-1
 *      (DWLS) or I (ULS); in lavaan's delta parameterization
 *        sigma_g: tau*_ik = delta_i (tau_ik - mu_i),  rho*_ij = delta_i delta_j Sigma_ij,
 *      Sigma and mu the usual implied moments of the latent responses
 *      (sem_ws_implied; the residual variances of the ordered variables do
 *      not enter the off-diagonal), delta the scale factors (~*~ rows);
 *   3. standard errors from E = sum_g f_g D_g' W_g D_g (f_g = n_g/N, D_g =
 *      d sigma_g / d theta, from sem_ws_jacobian): E^-1/N ("standard") or
 *      the sandwich E^-1 (sum_g f_g D_g' W_g Gamma_g W_g D_g) E^-1 / N
 *      ("robust.sem"), and the mean- and variance-adjusted (scaled-shifted,
 *      Asparouhov & Muthén 2010) test from the traces of U Gamma, as
 *      lavaan's lav_test_satorra_bentler.
 * The optimisation is Gauss-Newton (the Fisher scoring of least squares)
 * from lavaan-like start values; if it stalls, NLopt's LD_LBFGS and Gauss-
 * Newton again.  A solution needs max |dF/dtheta| < 1e-5 (it usually ends
 * below 1e-12).
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_linalg.h>
#include <nlopt.h>

#include "polychoric.h"
#include "sem_internal.h"

int sem_model_is_categorical(const vagap_sem_model_t *m) {
  for (size_t r = 0; r < m->nrows; r++)
    if (m->rows[r].op == VAGAP_SEM_THRESHOLD) return 1;
  return 0;
}

typedef struct {
  const vagap_sem_model_t *model;
  vagap_sem_model_t *wsmodel; /* the workspace's copy: ordered residual variances set after the fit */
  vagap_sem_fit_options_t opt;
  sem_ws_t *ws;
  vagap_sem_stats_t *stats; /* polychoric correlations as "covariances" (start values, ws) */
  size_t G, p, K, nth, nnum, npair, m;
  int *ncat;                /* [p] categories per variable (0: numeric) */
  size_t *var_slot;         /* [p] numeric variable's variance slot (after the nth threshold slots), or -1 */
  size_t *th_var;           /* [nth] variable of threshold slot */
  size_t *th_row;           /* [G * nth] table row of slot's threshold in group g */
  size_t *scale_row;        /* [G * p] table row of the ~*~ of variable i in g */
  poly_stage1_t *s1;        /* [G] */
  double *s;                /* [G * m] sample thresholds and correlations */
  double *w;                /* [G * m] DWLS/ULS diagonal weights (NULL for WLS) */
  double *W;                /* [G * m * m] WLS weights (NULL otherwise) */
  double *n;                /* [G] */
  double N;
  sem_con_t *con;           /* constraints (==, <, >) and bounds, or NULL */
  /* work */
  double *sig, *J, *dsig, *dmu, *res, *Wr;
  size_t evals;
} ord_t;

static double row_val(const ord_t *o, size_t r, const double *x) {
  const vagap_sem_param_t *row = &o->model->rows[r];
  return row->free ? x[row->free - 1] : row->ustart;
}

/* the scale factor Delta_i of group g: its ~*~ row (delta parameterization) or
   1 / sqrt(Sigma_ii) (theta parameterization, where Sigma has the residual variances) */
static double scale_factor(const ord_t *o, const double *x, size_t g, size_t i, const gsl_matrix *Sigma) {
  if (!o->ncat[i]) return 1; /* numeric */
  if (o->model->parameterization_theta) return 1 / sqrt(gsl_matrix_get(Sigma, i, i));
  return row_val(o, o->scale_row[g * o->p + i], x);
}

/* implied thresholds and correlations of group g at x; with J (m x K) their Jacobian */
static int implied(ord_t *o, const double *x, size_t g, double *sig, double *J) {
  const gsl_matrix *Sigma;
  const gsl_vector *mu;
  if (sem_ws_implied(o->ws, x, g, &Sigma, &mu)) return -1;
  size_t p = o->p, K = o->K, nth = o->nth, nc = nth + o->nnum; /* nc: first covariance slot */
  int theta = o->model->parameterization_theta;
  double delta[p];
  for (size_t i = 0; i < p; i++) delta[i] = scale_factor(o, x, g, i, Sigma);
  /* threshold slots: Delta (tau - mu); a numeric variable's slot is -mu (lavaan's WLS.obs) */
  for (size_t a = 0; a < nth; a++) {
    size_t i = o->th_var[a];
    sig[a] = o->ncat[i] ? delta[i] * (row_val(o, o->th_row[g * nth + a], x) - gsl_vector_get(mu, i))
                        : -gsl_vector_get(mu, i);
  }
  for (size_t i = 0; i < p; i++)
    if (!o->ncat[i]) sig[nth + o->var_slot[i]] = gsl_matrix_get(Sigma, i, i);
  size_t k = 0;
  for (size_t j = 0; j + 1 < p; j++)
    for (size_t i = j + 1; i < p; i++, k++) sig[nc + k] = delta[i] * delta[j] * gsl_matrix_get(Sigma, i, j);
  if (!J) return 0;
  /* copy what the Jacobian needs before sem_ws_jacobian reuses the workspace */
  double tau_mu[nth], sij[o->npair];
  for (size_t a = 0; a < nth; a++) tau_mu[a] = sig[a] / delta[o->th_var[a]];
  k = 0;
  for (size_t j = 0; j + 1 < p; j++)
    for (size_t i = j + 1; i < p; i++, k++) sij[k] = gsl_matrix_get(Sigma, i, j);
  if (sem_ws_jacobian(o->ws, x, g, o->dsig, o->dmu)) return -1;
  memset(J, 0, o->m * K * sizeof *J);
  /* theta: d Delta_i = -Delta_i^3 dSigma_ii / 2 for the ordered variables */
  double *dd = theta ? calloc(p * (K ? K : 1), sizeof *dd) : NULL;
  if (theta && !dd) return -1;
  for (size_t i = 0; theta && i < p; i++)
    for (size_t q = 0; o->ncat[i] && q < K; q++) dd[i * K + q] = -0.5 * pow(delta[i], 3) * o->dsig[q * p * p + i * p + i];
  for (size_t a = 0; a < nth; a++) {
    size_t i = o->th_var[a];
    for (size_t q = 0; q < K; q++) J[a * K + q] = -delta[i] * o->dmu[q * p + i];
    if (!o->ncat[i]) continue;
    const vagap_sem_param_t *tr = &o->model->rows[o->th_row[g * nth + a]];
    if (tr->free) J[a * K + tr->free - 1] += delta[i];
    const vagap_sem_param_t *sr = &o->model->rows[o->scale_row[g * p + i]];
    if (sr->free && !theta) J[a * K + sr->free - 1] += tau_mu[a];
    for (size_t q = 0; theta && q < K; q++) J[a * K + q] += tau_mu[a] * dd[i * K + q];
  }
  for (size_t i = 0; i < p; i++)
    if (!o->ncat[i])
      for (size_t q = 0; q < K; q++) J[(nth + o->var_slot[i]) * K + q] = o->dsig[q * p * p + i * p + i];
  k = 0;
  for (size_t j = 0; j + 1 < p; j++)
    for (size_t i = j + 1; i < p; i++, k++) {
      double *Jr = J + (nc + k) * K;
      for (size_t q = 0; q < K; q++) Jr[q] = delta[i] * delta[j] * o->dsig[q * p * p + i * p + j];
      const vagap_sem_param_t *si = o->ncat[i] ? &o->model->rows[o->scale_row[g * p + i]] : NULL;
      const vagap_sem_param_t *sj = o->ncat[j] ? &o->model->rows[o->scale_row[g * p + j]] : NULL;
      if (si && si->free && !theta) Jr[si->free - 1] += sij[k] * delta[j];
      if (sj && sj->free && !theta) Jr[sj->free - 1] += sij[k] * delta[i];
      for (size_t q = 0; theta && q < K; q++) Jr[q] += sij[k] * (dd[i * K + q] * delta[j] + delta[i] * dd[j * K + q]);
    }
  free(dd);
  return 0;
}

/* r' W r with Wr = W r */
static double weighted(const ord_t *o, size_t g, const double *r, double *Wr) {
  size_t m = o->m;
  double f = 0;
  if (o->W) {
    const double *W = o->W + g * m * m;
    for (size_t a = 0; a < m; a++) {
      double v = 0;
      for (size_t b = 0; b < m; b++) v += W[a * m + b] * r[b];
      Wr[a] = v;
    }
  } else {
    for (size_t a = 0; a < m; a++) Wr[a] = o->w[g * m + a] * r[a];
  }
  for (size_t a = 0; a < m; a++) f += r[a] * Wr[a];
  return f;
}

/* F(x) = sum_g (n_g - 1)/N F_g (= 2 x lavaan's fmin); grad = dF/dx */
static double objective(unsigned nx, const double *x, double *grad, void *data) {
  (void)nx;
  ord_t *o = data;
  o->evals++;
  size_t K = o->K, m = o->m;
  double F = 0;
  if (grad) memset(grad, 0, K * sizeof *grad);
  for (size_t g = 0; g < o->G; g++) {
    if (implied(o, x, g, o->sig, grad ? o->J : NULL)) return HUGE_VAL;
    for (size_t a = 0; a < m; a++) o->res[a] = o->s[g * m + a] - o->sig[a];
    double c = (o->n[g] - 1) / o->N;
    F += c * weighted(o, g, o->res, o->Wr);
    if (grad)
      for (size_t a = 0; a < m; a++)
        for (size_t q = 0; q < K; q++) grad[q] -= 2 * c * o->J[a * K + q] * o->Wr[a];
  }
  return F;
}

/* The columns of J (m x K) that are not all zero (a group's parameters and the
   shared ones) into cols, and their copy into Jc (m x kc); returns kc.  The
   products below run on these: in a multi-group model each group's Jacobian
   touches a fraction of the parameters. */
static size_t active_columns(const double *J, size_t m, size_t K, size_t *cols, double *Jc) {
  size_t kc = 0;
  for (size_t q = 0; q < K; q++) {
    size_t a = 0;
    while (a < m && J[a * K + q] == 0) a++;
    if (a < m) cols[kc++] = q;
  }
  for (size_t a = 0; a < m; a++)
    for (size_t t = 0; t < kc; t++) Jc[a * kc + t] = J[a * K + cols[t]];
  return kc;
}

/* WJ (m x kc) = W_g J (m x kc) */
static void weight_columns(const ord_t *o, size_t g, const double *J, size_t kc, double *WJ) {
  size_t m = o->m;
  if (!o->W) { /* diagonal weights */
    for (size_t a = 0; a < m; a++)
      for (size_t t = 0; t < kc; t++) WJ[a * kc + t] = o->w[g * m + a] * J[a * kc + t];
    return;
  }
  gsl_matrix_const_view Wv = gsl_matrix_const_view_array(o->W + g * m * m, m, m);
  gsl_matrix_const_view Jv = gsl_matrix_const_view_array(J, m, kc);
  gsl_matrix_view Ov = gsl_matrix_view_array(WJ, m, kc);
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &Wv.matrix, &Jv.matrix, 0.0, &Ov.matrix);
}

/* H[cols, cols] += alpha A' B for A, B (m x kc) */
static void scatter_crossprod(gsl_matrix *H, const size_t *cols, size_t kc, size_t m, double alpha,
                              const double *A, const double *B, gsl_matrix *tmp) {
  gsl_matrix_const_view Av = gsl_matrix_const_view_array(A, m, kc), Bv = gsl_matrix_const_view_array(B, m, kc);
  gsl_matrix_view T = gsl_matrix_submatrix(tmp, 0, 0, kc, kc);
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, alpha, &Av.matrix, &Bv.matrix, 0.0, &T.matrix);
  for (size_t a = 0; a < kc; a++)
    for (size_t b = 0; b < kc; b++) *gsl_matrix_ptr(H, cols[a], cols[b]) += gsl_matrix_get(&T.matrix, a, b);
}

/* H = sum_g c_g J_g' W_g J_g (c_g given per group), into H (K x K) */
static int normal_matrix(ord_t *o, const double *x, const double *c, gsl_matrix *H) {
  size_t K = o->K, m = o->m;
  gsl_matrix_set_zero(H);
  double *Jc = malloc(m * K * sizeof *Jc), *WJ = malloc(m * K * sizeof *WJ);
  size_t *cols = malloc(K * sizeof *cols);
  gsl_matrix *tmp = gsl_matrix_alloc(K, K);
  int rc = (!Jc || !WJ || !cols || !tmp) ? -1 : 0;
  for (size_t g = 0; g < o->G && !rc; g++) {
    if (implied(o, x, g, o->sig, o->J)) { rc = -1; break; }
    size_t kc = active_columns(o->J, m, K, cols, Jc);
    if (!kc) continue;
    weight_columns(o, g, Jc, kc, WJ);
    scatter_crossprod(H, cols, kc, m, c[g], Jc, WJ, tmp);
  }
  free(Jc);
  free(WJ);
  free(cols);
  if (tmp) gsl_matrix_free(tmp);
  return rc;
}

/* ---- block-diagonal linear algebra -------------------------------------------------- */

/* union-find root with path halving */
static size_t uf_root(size_t *par, size_t q) {
  while (par[q] != q) q = par[q] = par[par[q]];
  return q;
}

/* The connected blocks of a symmetric matrix's nonzero pattern (in a configural
   multi-group model one per group): idx lists the indices block after block,
   start[b]..start[b+1]; returns the number of blocks (0 when out of memory). */
static size_t matrix_blocks(const gsl_matrix *H, size_t *idx, size_t *start) {
  size_t K = H->size1, nb = 0;
  size_t *par = malloc(K * sizeof *par), *cnt = calloc(K + 1, sizeof *cnt);
  if (!par || !cnt) { free(par); free(cnt); return 0; }
  for (size_t q = 0; q < K; q++) par[q] = q;
  for (size_t a = 0; a < K; a++)
    for (size_t b = 0; b < a; b++)
      if (gsl_matrix_get(H, a, b) != 0 || gsl_matrix_get(H, b, a) != 0) {
        size_t ra = uf_root(par, a), rb = uf_root(par, b);
        if (ra != rb) par[ra] = rb;
      }
  /* number the roots in order of first appearance, then bucket the indices */
  size_t *id = cnt; /* reuse: id[root] = block + 1 */
  size_t *bsize = calloc(K + 1, sizeof *bsize);
  if (!bsize) { free(par); free(cnt); return 0; }
  for (size_t q = 0; q < K; q++) {
    size_t r = uf_root(par, q);
    if (!id[r]) id[r] = ++nb;
    bsize[id[r]]++;
  }
  start[0] = 0;
  for (size_t b = 0; b < nb; b++) start[b + 1] = start[b] + bsize[b + 1];
  for (size_t b = 0; b <= nb; b++) bsize[b] = 0;
  for (size_t q = 0; q < K; q++) {
    size_t b = id[uf_root(par, q)] - 1;
    idx[start[b] + bsize[b]++] = q;
  }
  free(bsize);
  free(par);
  free(cnt);
  return nb;
}

/* r := H^-1 r for positive definite H, block by block (Cholesky); -1 when not PD */
static int block_cholesky_solve(const gsl_matrix *H, double *r) {
  size_t K = H->size1;
  size_t *idx = malloc(K * sizeof *idx), *start = malloc((K + 1) * sizeof *start);
  gsl_matrix *sub = gsl_matrix_alloc(K, K);
  double *v = malloc(K * sizeof *v);
  size_t nb = idx && start && sub && v ? matrix_blocks(H, idx, start) : 0;
  int rc = nb ? 0 : -1;
  for (size_t b = 0; b < nb && !rc; b++) {
    size_t k = start[b + 1] - start[b];
    const size_t *ix = idx + start[b];
    gsl_matrix_view S = gsl_matrix_submatrix(sub, 0, 0, k, k);
    for (size_t a = 0; a < k; a++) {
      v[a] = r[ix[a]];
      for (size_t c = 0; c < k; c++) gsl_matrix_set(&S.matrix, a, c, gsl_matrix_get(H, ix[a], ix[c]));
    }
    gsl_vector_view vv = gsl_vector_view_array(v, k);
    if (gsl_linalg_cholesky_decomp1(&S.matrix) != GSL_SUCCESS) { rc = -1; break; }
    gsl_linalg_cholesky_svx(&S.matrix, &vv.vector);
    for (size_t a = 0; a < k; a++) r[ix[a]] = v[a];
  }
  free(idx);
  free(start);
  free(v);
  if (sub) gsl_matrix_free(sub);
  return rc;
}

/* Hinv = H^-1 block by block (LU); -1 when singular */
static int block_invert(const gsl_matrix *H, gsl_matrix *Hinv) {
  size_t K = H->size1;
  size_t *idx = malloc(K * sizeof *idx), *start = malloc((K + 1) * sizeof *start);
  gsl_matrix *sub = gsl_matrix_alloc(K, K), *inv = gsl_matrix_alloc(K, K);
  gsl_permutation **perms = calloc(K + 1, sizeof *perms); /* one per block size, made on demand */
  size_t nb = idx && start && sub && inv && perms ? matrix_blocks(H, idx, start) : 0;
  int rc = nb ? 0 : -1;
  gsl_matrix_set_zero(Hinv);
  for (size_t b = 0; b < nb && !rc; b++) {
    size_t k = start[b + 1] - start[b];
    const size_t *ix = idx + start[b];
    gsl_matrix_view S = gsl_matrix_submatrix(sub, 0, 0, k, k), I = gsl_matrix_submatrix(inv, 0, 0, k, k);
    for (size_t a = 0; a < k; a++)
      for (size_t c = 0; c < k; c++) gsl_matrix_set(&S.matrix, a, c, gsl_matrix_get(H, ix[a], ix[c]));
    if (!perms[k] && !(perms[k] = gsl_permutation_alloc(k))) { rc = -1; break; }
    int sgn;
    if (gsl_linalg_LU_decomp(&S.matrix, perms[k], &sgn) != GSL_SUCCESS) { rc = -1; break; }
    for (size_t a = 0; a < k && !rc; a++)
      if (gsl_matrix_get(&S.matrix, a, a) == 0) rc = -1;
    if (rc || gsl_linalg_LU_invert(&S.matrix, perms[k], &I.matrix) != GSL_SUCCESS) { rc = -1; break; }
    for (size_t a = 0; a < k; a++)
      for (size_t c = 0; c < k; c++) gsl_matrix_set(Hinv, ix[a], ix[c], gsl_matrix_get(&I.matrix, a, c));
  }
  free(idx);
  free(start);
  if (sub) gsl_matrix_free(sub);
  if (inv) gsl_matrix_free(inv);
  for (size_t k = 0; perms && k <= K; k++)
    if (perms[k]) gsl_permutation_free(perms[k]);
  free(perms);
  return rc;
}

/* Gauss-Newton steps with step halving; returns max |grad| at the end */
static double gauss_newton(ord_t *o, double *x, int maxit) {
  size_t K = o->K;
  double c[o->G], grad[K], step[K], xt[K];
  for (size_t g = 0; g < o->G; g++) c[g] = (o->n[g] - 1) / o->N;
  gsl_matrix *H = gsl_matrix_alloc(K, K);
  double f = objective((unsigned)K, x, grad, o), gmax = 0;
  for (int it = 0; it < maxit; it++) {
    gmax = 0;
    for (size_t q = 0; q < K; q++) gmax = fmax(gmax, fabs(grad[q]));
    if (gmax < 1e-11 || normal_matrix(o, x, c, H)) break;
    for (size_t q = 0; q < K; q++) step[q] = -grad[q] / 2;
    if (block_cholesky_solve(H, step)) break;
    double t = 1, ft = HUGE_VAL;
    for (int h = 0; h < 30; h++, t /= 2) {
      for (size_t q = 0; q < K; q++) xt[q] = x[q] + t * step[q];
      ft = objective((unsigned)K, xt, NULL, o);
      if (ft <= f) break;
    }
    if (!(ft <= f)) break;
    memcpy(x, xt, K * sizeof *x);
    double fprev = f;
    f = objective((unsigned)K, x, grad, o);
    if (fprev - f <= 1e-15 * fprev && t < 1) break; /* no progress left at rounding level */
  }
  gmax = 0;
  for (size_t q = 0; q < K; q++) gmax = fmax(gmax, fabs(grad[q]));
  gsl_matrix_free(H);
  return gmax;
}

/* ---- first stage -------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Categories of each model variable: the sorted distinct values over all
   groups, integer or not (lavaan's ordered() levels of a numeric column); codes
   1..ncat into y (0 missing). */
static vagap_status_t code_data(ord_t *o, const vagap_sem_data_t *d, const size_t *col, int *y,
                                vagap_error_t *err) {
  size_t p = o->p, n = d->nobs;
  double *v = malloc((n ? n : 1) * sizeof *v);
  if (!v) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  for (size_t i = 0; i < p; i++) {
    size_t nv = 0;
    if (!o->ncat[i]) continue; /* numeric: read as is */
    for (size_t r = 0; r < n; r++) {
      double x = d->x[r * d->nvar + col[i]];
      if (!isnan(x)) v[nv++] = x;
    }
    qsort(v, nv, sizeof *v, cmp_double);
    size_t nu = 0;
    for (size_t k = 0; k < nv; k++)
      if (!k || v[k] != v[k - 1]) v[nu++] = v[k];
    if (nu < 2) {
      free(v);
      return vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0,
                             "ordered variable '%s' has %s: it needs at least 2 categories",
                             o->model->ov[i], nu ? "a single category" : "no values");
    }
    if (nu > 100) {
      free(v);
      return vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0,
                             "ordered variable '%s' has %zu categories: more than 100 is not an ordinal "
                             "scale (treat it as numeric)", o->model->ov[i], nu);
    }
    if ((int)nu != o->ncat[i]) {
      free(v);
      return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                             "ordered variable '%s' has %zu categories in the data but %d thresholds in the model",
                             o->model->ov[i], nu, o->ncat[i] - 1);
    }
    for (size_t r = 0; r < n; r++) {
      double x = d->x[r * d->nvar + col[i]];
      int code = 0;
      if (!isnan(x)) {
        double *hit = bsearch(&x, v, nu, sizeof *v, cmp_double);
        code = (int)(hit - v) + 1;
      }
      y[r * p + i] = code;
    }
  }
  free(v);
  return VAGAP_OK;
}

static vagap_status_t first_stage(ord_t *o, const vagap_sem_data_t *d, vagap_error_t *err) {
  size_t p = o->p, n = d->nobs, G = o->G;
  size_t col[p];
  for (size_t i = 0; i < p; i++) {
    size_t j;
    for (j = 0; j < d->nvar && strcmp(d->var[j], o->model->ov[i]); j++) {}
    if (j == d->nvar)
      return vagap_error_set(err, VAGAP_ECOLUMN, NULL, 0, 0, "observed variable '%s' of the model is not in the data",
                             o->model->ov[i]);
    col[i] = j;
  }
  int *y = calloc((n ? n : 1) * p, sizeof *y), *yg = malloc((n ? n : 1) * p * sizeof *yg);
  double *xg = malloc((n ? n : 1) * p * sizeof *xg);
  vagap_status_t st = VAGAP_OK;
  if (!y || !yg || !xg) st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  if (!st) st = code_data(o, d, col, y, err);
  int need_gamma = o->opt.estimator != VAGAP_SEM_ESTIMATOR_ULS || o->opt.se != VAGAP_SEM_SE_STANDARD ||
                   o->opt.test != VAGAP_SEM_TEST_STANDARD;
  (void)need_gamma; /* Gamma is always computed: the SEs of the first stage are reported */
  for (size_t g = 0; g < G && !st; g++) {
    size_t ng = 0;
    for (size_t r = 0; r < n; r++)
      if (d->group[r] == g) {
        memcpy(yg + ng * p, y + r * p, p * sizeof *y);
        for (size_t i = 0; i < p; i++) xg[ng * p + i] = d->x[r * d->nvar + col[i]];
        ng++;
      }
    const char *const *names = (const char *const *)o->model->ov;
    st = poly_stage1(&o->s1[g], yg, xg, ng, p, o->ncat, 1, 0, names, d->group_label[g], err);
    if (st) break;
    o->n[g] = (double)ng;
    o->N += (double)ng;
    memcpy(o->s + g * o->m, o->s1[g].obs, o->m * sizeof *o->s);
  }
  free(y);
  free(yg);
  free(xg);
  return st;
}

/* lavaan's weight matrices from Gamma (NACOV) */
static vagap_status_t weights(ord_t *o, vagap_error_t *err) {
  size_t m = o->m;
  for (size_t g = 0; g < o->G; g++) {
    const double *Gm = o->s1[g].gamma;
    if (o->W) {
      double *W = o->W + g * m * m;
      memcpy(W, Gm, m * m * sizeof *W);
      gsl_matrix_view Wv = gsl_matrix_view_array(W, m, m);
      if (gsl_linalg_cholesky_decomp1(&Wv.matrix) != GSL_SUCCESS || gsl_linalg_cholesky_invert(&Wv.matrix))
        return vagap_error_set(err, VAGAP_EDOMAIN, NULL, 0, 0,
                               "the asymptotic covariance (Gamma) of the thresholds and polychoric correlations "
                               "of group '%s' is singular: WLS cannot weight by its inverse (use DWLS/WLSMV)",
                               o->stats->group_label[g]);
    } else {
      for (size_t a = 0; a < m; a++)
        o->w[g * m + a] = o->opt.estimator == VAGAP_SEM_ESTIMATOR_ULS ? 1.0 : 1.0 / Gm[a * m + a];
    }
  }
  return VAGAP_OK;
}

/* ---- robust corrections ------------------------------------------------------------ */

/*
 * For per-group Jacobians D_g (m x k, stacked in Dall[g]) and the weights:
 * E = sum_g f_g D_g' W_g D_g (k x k) inverted into Einv (einv_given: Einv holds
 * the inverse to use already, the constrained one); when B, the robust
 * "meat" sum_g f_g D_g' W_g Gamma_g W_g D_g; when tr1/tr2, the traces of
 * U Gamma and (U Gamma)^2 with lavaan's stacking (U = V - V D E^-1 D' V,
 * V = bdiag(f_g W_g), Gamma = bdiag(Gamma_g / f_g)).
 */
static int sandwich(const ord_t *o, double *const *Dall, size_t k, double *Einv, int einv_given, double *B,
                    double *tr1, double *tr2) {
  size_t m = o->m, G = o->G;
  int rc = -1;
  size_t *cols = malloc(G * k * sizeof *cols), *kcs = calloc(G, sizeof *kcs);
  double *Dc = malloc(G * m * k * sizeof *Dc), *WD = malloc(G * m * k * sizeof *WD);
  double *A = malloc(m * m * sizeof *A), *P = malloc(k * m * sizeof *P), *PA = malloc(k * m * sizeof *PA);
  gsl_matrix *E = gsl_matrix_calloc(k, k), *PQ = gsl_matrix_calloc(k, k), *S = gsl_matrix_calloc(k, k);
  gsl_matrix *tmp = gsl_matrix_alloc(k, k);
  if (!cols || !kcs || !Dc || !WD || !A || !P || !PA || !E || !PQ || !S || !tmp) goto done;
  /* E = sum_g f_g D_g' W_g D_g on each group's active columns */
  for (size_t g = 0; g < G; g++) {
    double f = o->n[g] / o->N;
    kcs[g] = active_columns(Dall[g], m, k, cols + g * k, Dc + g * m * k);
    weight_columns(o, g, Dc + g * m * k, kcs[g], WD + g * m * k);
    if (kcs[g]) scatter_crossprod(E, cols + g * k, kcs[g], m, f, Dc + g * m * k, WD + g * m * k, tmp);
  }
  gsl_matrix_view Ei = gsl_matrix_view_array(Einv, k, k);
  if (!einv_given && block_invert(E, &Ei.matrix)) goto done;
  double t1 = 0, t2 = 0;
  for (size_t g = 0; g < G; g++) {
    double f = o->n[g] / o->N;
    size_t kc = kcs[g];
    const size_t *cg = cols + g * k;
    const double *Gm = o->s1[g].gamma;
    /* A_g = W_g Gamma_g: tr(A_g) and tr(A_g^2) */
    for (size_t b = 0; b < m; b++) {
      double col[m], wc[m];
      for (size_t a = 0; a < m; a++) col[a] = Gm[a * m + b];
      weighted(o, g, col, wc);
      for (size_t a = 0; a < m; a++) A[a * m + b] = wc[a];
    }
    for (size_t a = 0; a < m; a++) {
      t1 += A[a * m + a];
      for (size_t b = 0; b < m; b++) t2 += A[a * m + b] * A[b * m + a];
    }
    if (!kc) continue;
    gsl_matrix_const_view Gv = gsl_matrix_const_view_array(Gm, m, m);
    gsl_matrix_view WDv = gsl_matrix_view_array(WD + g * m * k, m, kc);
    gsl_matrix_view Yv = gsl_matrix_view_array(P, m, kc), WYv = gsl_matrix_view_array(PA, m, kc);
    gsl_matrix_view T = gsl_matrix_submatrix(tmp, 0, 0, kc, kc);
    /* Y_g = Gamma_g W_g D_g (P_g = D_g' W_g Gamma_g = Y_g'); the meat S += f_g P_g W_g D_g
       = f_g Y_g' W_g D_g */
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &Gv.matrix, &WDv.matrix, 0.0, &Yv.matrix);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, f, &Yv.matrix, &WDv.matrix, 0.0, &T.matrix);
    for (size_t a = 0; a < kc; a++)
      for (size_t b = 0; b < kc; b++) *gsl_matrix_ptr(S, cg[a], cg[b]) += gsl_matrix_get(&T.matrix, a, b);
    /* tr(P A Q) with Q_g = f_g W_g D_g E^-1: tr(E^-1 [f_g P_g A_g W_g D_g]), and
       P_g A_g W_g D_g = D_g' W_g Gamma_g W_g Gamma_g W_g D_g = Y_g' W_g Y_g */
    weight_columns(o, g, P, kc, PA);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, f, &Yv.matrix, &WYv.matrix, 0.0, &T.matrix);
    for (size_t a = 0; a < kc; a++)
      for (size_t b = 0; b < kc; b++)
        t2 -= 2 * gsl_matrix_get(&Ei.matrix, cg[a], cg[b]) * gsl_matrix_get(&T.matrix, b, a);
  }
  /* PQ = (sum_g f_g P_g W_g D_g) E^-1 = S E^-1 */
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, S, &Ei.matrix, 0.0, PQ);
  for (size_t a = 0; a < k; a++) {
    t1 -= gsl_matrix_get(PQ, a, a);
    for (size_t b = 0; b < k; b++) t2 += gsl_matrix_get(PQ, a, b) * gsl_matrix_get(PQ, b, a);
  }
  if (B) memcpy(B, S->data, k * k * sizeof *B);
  if (tr1) *tr1 = t1;
  if (tr2) *tr2 = t2;
  rc = 0;
done:
  free(cols);
  free(kcs);
  free(Dc);
  free(WD);
  free(A);
  free(P);
  free(PA);
  if (E) gsl_matrix_free(E);
  if (PQ) gsl_matrix_free(PQ);
  if (S) gsl_matrix_free(S);
  if (tmp) gsl_matrix_free(tmp);
  return rc;
}

/* ---- results --------------------------------------------------------------------------- */

/* the scaled-shifted statistic (lavaan's scaled.shifted): a X2 + (df - a tr1), a = sqrt(df / tr2) */
static void scaled_shifted(double X2, double df, double tr1, double tr2, double *stat, double *scaling,
                           double *shift) {
  double a = sqrt(df / tr2);
  *shift = df - a * tr1;
  *stat = X2 * a + *shift;
  *scaling = 1 / a;
}

static void rmsea_measures(double X2, double df, double N, double G, double *r, double *lo, double *hi,
                           double *pv) {
  *r = df > 0 ? sqrt(fmax(X2 / N / df - 1 / N, 0)) * sqrt(G) : 0;
  if (!lo) return;
  if (df < 1) {
    *lo = *hi = 0;
  } else {
    if (sem_pchisq_nc(X2, df, 0) - 0.95 < 0) *lo = 0;
    else *lo = sqrt(sem_ncp_solve(X2, df, 0.95, 0, X2) / (N * df)) * sqrt(G);
    double NR = fmax(N, X2 * 4);
    if (sem_pchisq_nc(X2, df, NR) - 0.05 > 0 || sem_pchisq_nc(X2, df, 0) - 0.05 < 0) *hi = 0;
    else *hi = sqrt(sem_ncp_solve(X2, df, 0.05, 0, NR) / (N * df)) * sqrt(G);
  }
  *pv = df > 0 ? 1 - sem_pchisq_nc(X2, df, N * df * 0.0025 / G) : NAN;
}

/* baseline (independence) model: thresholds free, correlations 0 -> X2_b, and
   the traces of its scaled test */
static int baseline(ord_t *o, double *X2b, double *tr1, double *tr2) {
  size_t m = o->m, nth = o->nth + o->nnum, G = o->G; /* nth: the free slots (thresholds, means, variances) */
  *X2b = 0;
  for (size_t g = 0; g < G; g++) {
    const double *s = o->s + g * m;
    double F;
    if (!o->W) { /* diagonal weights: the thresholds fit exactly */
      F = 0;
      for (size_t a = nth; a < m; a++) F += o->w[g * m + a] * s[a] * s[a];
    } else { /* F = s_r' (W_rr - W_rt W_tt^-1 W_tr) s_r */
      const double *W = o->W + g * m * m;
      gsl_matrix *Wtt = gsl_matrix_alloc(nth, nth);
      for (size_t a = 0; a < nth; a++)
        for (size_t b = 0; b < nth; b++) gsl_matrix_set(Wtt, a, b, W[a * m + b]);
      gsl_linalg_cholesky_decomp1(Wtt);
      double v[nth], wr[m];
      for (size_t a = 0; a < nth; a++) {
        v[a] = 0;
        for (size_t b = nth; b < m; b++) v[a] += W[a * m + b] * s[b];
      }
      gsl_vector_view vv = gsl_vector_view_array(v, nth);
      gsl_linalg_cholesky_svx(Wtt, &vv.vector);
      gsl_matrix_free(Wtt);
      F = 0;
      for (size_t a = nth; a < m; a++) {
        wr[a] = 0;
        for (size_t b = nth; b < m; b++) wr[a] += W[a * m + b] * s[b];
        for (size_t b = 0; b < nth; b++) wr[a] -= W[a * m + b] * v[b];
        F += s[a] * wr[a];
      }
    }
    *X2b += (o->n[g] - 1) * F;
  }
  if (!tr1) return 0;
  if (!o->W) {
    /* diagonal weights: V D (D'VD)^-1 D'V is V on the free slots, so U = V on the
       correlation slots only, and tr(U Gamma) = sum_g sum_c w_c Gamma_cc,
       tr((U Gamma)^2) = sum_g sum_cc' w_c Gamma_cc' w_c' Gamma_c'c (f_g cancels) */
    *tr1 = *tr2 = 0;
    for (size_t g = 0; g < G; g++) {
      const double *Gm = o->s1[g].gamma, *w = o->w + g * m;
      for (size_t a = nth; a < m; a++) {
        *tr1 += w[a] * Gm[a * m + a];
        for (size_t b = nth; b < m; b++) *tr2 += w[a] * Gm[a * m + b] * w[b] * Gm[b * m + a];
      }
    }
    return 0;
  }
  size_t k = G * nth;
  double **D = calloc(G, sizeof *D), *Einv = malloc(k * k * sizeof *Einv);
  int rc = -1;
  if (D && Einv) {
    rc = 0;
    for (size_t g = 0; g < G && !rc; g++) {
      if (!(D[g] = calloc(m * k, sizeof **D))) rc = -1;
      for (size_t a = 0; !rc && a < nth; a++) D[g][a * k + g * nth + a] = 1;
    }
    if (!rc) rc = sandwich(o, D, k, Einv, 0, NULL, tr1, tr2);
  }
  for (size_t g = 0; D && g < G; g++) free(D[g]);
  free(D);
  free(Einv);
  return rc;
}

/* std.lv / std.all of the threshold and scale rows (the others: sem_ws_fill_rows) */
static void standardize(ord_t *o, vagap_sem_model_t *out, const double *x) {
  size_t p = o->p;
  for (size_t g = 0; g < o->G; g++) {
    const gsl_matrix *Sigma;
    const gsl_vector *mu;
    if (sem_ws_implied(o->ws, x, g, &Sigma, &mu)) continue;
    double sd_ov[p];
    for (size_t i = 0; i < p; i++) sd_ov[i] = 1 / fabs(scale_factor(o, x, g, i, Sigma));
    for (size_t r = 0; r < out->nrows; r++) {
      vagap_sem_param_t *row = &out->rows[r];
      if (row->group != (int)g + 1) continue;
      size_t i = p;
      for (size_t k = 0; k < p; k++)
        if (!strcmp(out->ov[k], row->lhs)) i = k;
      double e = row->est;
      switch (row->op) {
        case VAGAP_SEM_THRESHOLD: row->std_lv = e; row->std_all = i < p ? e / sd_ov[i] : e; break;
        case VAGAP_SEM_SCALE: row->std_lv = e, row->std_all = 1; break; /* delta / delta */
        default: break;
      }
    }
  }
}

/* ---- the rest of fitMeasures() for categorical fits -------------------------------- */

/* lavaan's rescaling of one residual component (lav_residuals_rescale): kept as it is
   below 1e-5 in absolute value */
static double rescaled(double v, double var) { return fabs(v) < 1e-5 ? v : v / sqrt(var); }

/* root mean square of a sum of squares over n elements (0 without elements, as lavaan) */
static double rms(double ss, double n) { return n > 0 ? sqrt(ss / n) : 0; }

/*
 * rmr, srmr_bentler and crmr (+ _nomean) as lavaan's lav_residuals_summary for
 * categorical data: per group the residuals of the correlations (covariances
 * with numeric variables) below the diagonal - raw (rmr), both divided by the
 * sample SDs (srmr, "cor.bentler"), the correlations of each (crmr, "cor.bollen")
 * - and of the ordered variables' thresholds, unscaled; the denominators count p
 * more elements except for crmr; averaged with weights n_g / N.  srmr is
 * srmr_bentler_nomean; srmr_mplus is NA for categorical data.  gfi per group
 * 1 - r'Wr / s'Ws on lavaan's WLS.obs s and residuals r, averaged with n_g / N,
 * agfi and pgfi from it with nel = G m.
 */
static void residual_measures(ord_t *o, const double *x, vagap_sem_measures_t *fm) {
  size_t p = o->p, m = o->m, G = o->G, nc = o->nth + o->nnum;
  double nth_ord = 0, P = (double)p, npair = (double)o->npair;
  for (size_t a = 0; a < o->nth; a++) nth_ord += o->ncat[o->th_var[a]] ? 1 : 0;
  fm->rmr = fm->rmr_nomean = fm->srmr_bentler = fm->srmr_bentler_nomean = fm->crmr = fm->crmr_nomean = 0;
  fm->gfi = 0;
  for (size_t g = 0; g < G; g++) {
    if (implied(o, x, g, o->sig, NULL)) {
      fm->rmr = fm->rmr_nomean = fm->srmr_bentler = fm->srmr_bentler_nomean = fm->crmr = fm->crmr_nomean = NAN;
      fm->gfi = NAN;
      break;
    }
    const double *s = o->s + g * m, *var = o->s1[g].var;
    double ev[p], th = 0, raw = 0, ben = 0, bol = 0;
    for (size_t i = 0; i < p; i++) ev[i] = o->ncat[i] ? 1 : o->sig[o->nth + o->var_slot[i]];
    for (size_t a = 0; a < o->nth; a++)
      if (o->ncat[o->th_var[a]]) th += (s[a] - o->sig[a]) * (s[a] - o->sig[a]);
    size_t k = nc;
    for (size_t j = 0; j + 1 < p; j++)
      for (size_t i = j + 1; i < p; i++, k++) {
        double ob = s[k], e = o->sig[k], v = var[i] * var[j];
        double b = rescaled(ob, v) - rescaled(e, v), c = rescaled(ob, v) - rescaled(e, ev[i] * ev[j]);
        raw += (ob - e) * (ob - e);
        ben += b * b;
        bol += c * c;
      }
    double f = o->n[g] / o->N;
    fm->rmr_nomean += f * rms(raw, npair + P);
    fm->rmr += f * rms(raw + th, npair + nth_ord + P);
    fm->srmr_bentler_nomean += f * rms(ben, npair + P);
    fm->srmr_bentler += f * rms(ben + th, npair + nth_ord + P);
    fm->crmr_nomean += f * rms(bol, npair);
    fm->crmr += f * rms(bol + th, npair + nth_ord);
    for (size_t a = 0; a < m; a++) o->res[a] = s[a] - o->sig[a];
    double t1 = weighted(o, g, o->res, o->Wr), t2 = weighted(o, g, s, o->Wr);
    fm->gfi += f * (1 - t1 / t2);
  }
  fm->srmr = fm->srmr_bentler_nomean;
  fm->srmr_mplus = fm->srmr_mplus_nomean = NAN;
  double nel = (double)(G * m), df = fm->df;
  fm->agfi = !isfinite(fm->gfi) ? NAN : df > 0 ? 1 - nel / df * (1 - fm->gfi) : 1;
  fm->pgfi = !isfinite(fm->gfi) ? NAN : df / nel * fm->gfi;
}

/* 1 when row r's parameter goes with what catML removes (thresholds, intercepts) */
static int catml_removed(const vagap_sem_param_t *row) {
  return row->op == VAGAP_SEM_THRESHOLD || row->op == VAGAP_SEM_INTERCEPT;
}

/*
 * Whether lavaan's catML refit of the model exists: the model without its
 * thresholds and intercepts must still parse, so no equality may tie a removed
 * row's parameter to another row (group.equal thresholds, a shared label) and no
 * := may use a removed row's label (lavaan's lav_object_catml fails then and the
 * .robust measures are NA); the same for a constraint (==, <, >) on a removed row.
 * Returns the number of free parameters left (npar3, before the == constraints'
 * rank), or -1.
 */
static long catml_npar(const vagap_sem_model_t *md) {
  size_t K = md->npar;
  unsigned char *kept = calloc(K ? K : 1, 1), *gone = calloc(K ? K : 1, 1);
  size_t *uses = calloc(K ? K : 1, sizeof *uses);
  long n = -1;
  if (!kept || !gone || !uses) goto done;
  for (size_t r = 0; r < md->nrows; r++) {
    const vagap_sem_param_t *row = &md->rows[r];
    if (!row->free) continue;
    (catml_removed(row) ? gone : kept)[row->free - 1] = 1;
    uses[row->free - 1]++;
  }
  for (size_t q = 0; q < K; q++) /* an equality (shared parameter) on a removed row */
    if (gone[q] && uses[q] > 1) goto done;
  for (size_t d = 0; d < md->ndefs + md->ncon; d++) { /* := and constraints */
    const struct vagap_sem_def *def = d < md->ndefs ? md->defs[d] : md->con_expr[d - md->ndefs];
    for (size_t k = 0; k < sem_expr_nnames(def->expr); k++)
      if (def->ref_row[k] != (size_t)-1 && catml_removed(&md->rows[def->ref_row[k]])) goto done;
  }
  n = 0;
  for (size_t q = 0; q < K; q++) n += kept[q];
done:
  free(kept);
  free(gone);
  free(uses);
  return n;
}

/* log det of the symmetric positive definite A (p x p, destroyed); NAN when not PD */
static double log_det_pd(gsl_matrix *A) {
  gsl_error_handler_t *old = gsl_set_error_handler_off();
  int bad = gsl_linalg_cholesky_decomp1(A);
  gsl_set_error_handler(old);
  if (bad) return NAN;
  double ld = 0;
  for (size_t i = 0; i < A->size1; i++) ld += 2 * log(gsl_matrix_get(A, i, i));
  return ld;
}

/* the smallest eigenvalue of the symmetric A (p x p, destroyed) */
static double min_eigenvalue(gsl_matrix *A) {
  gsl_vector *ev = gsl_vector_alloc(A->size1);
  gsl_eigen_symm_workspace *w = gsl_eigen_symm_alloc(A->size1);
  double lo = NAN;
  if (ev && w && gsl_eigen_symm(A, ev, w) == GSL_SUCCESS) lo = gsl_vector_min(ev);
  if (ev) gsl_vector_free(ev);
  if (w) gsl_eigen_symm_free(w);
  return lo;
}

/* the correlation matrix of group g with the off-diagonal slots of v (sample or implied) */
static void corr_matrix(const ord_t *o, const double *v, gsl_matrix *R) {
  size_t p = o->p, k = o->nth + o->nnum;
  gsl_matrix_set_identity(R);
  for (size_t j = 0; j + 1 < p; j++)
    for (size_t i = j + 1; i < p; i++, k++) {
      gsl_matrix_set(R, i, j, v[k]);
      gsl_matrix_set(R, j, i, v[k]);
    }
}

typedef struct {
  double XX3, df3, c3, XX3null, df3null, c3null;
} catml_t;

/*
 * The pieces of lavaan 0.6-14's lav_fit_catml_dwls for one group g: the ML
 * discrepancies n_g (log|S| + tr(S^-1 R) - log|R| - p) of the implied (S) and the
 * independence (I) correlation matrices against the polychoric one (R), and the
 * ML weight of the correlations at S, V_ab = S^ik S^jl + S^il S^jk for the pairs
 * a = (i,j), b = (k,l) (0.5 D'(S^-1 (x) S^-1) D off the diagonal).  -1 when R is
 * not positive definite (eigenvalue below sqrt(eps): lavaan gives NA then).
 */
static int catml_group(ord_t *o, size_t g, gsl_matrix *S, gsl_matrix *R, gsl_matrix *T, double *V, catml_t *c) {
  size_t p = o->p, np = o->npair;
  corr_matrix(o, o->s + g * o->m, R);
  gsl_matrix_memcpy(T, R);
  if (!(min_eigenvalue(T) >= sqrt(DBL_EPSILON))) return -1;
  corr_matrix(o, o->sig, S);
  gsl_matrix_memcpy(T, R);
  double ldR = log_det_pd(T);
  gsl_matrix_memcpy(T, S);
  double ldS = log_det_pd(T);
  if (!isfinite(ldR) || !isfinite(ldS) || gsl_linalg_cholesky_invert(T)) return -1; /* T = S^-1 */
  double tr = 0;
  for (size_t i = 0; i < p; i++)
    for (size_t j = 0; j < p; j++) tr += gsl_matrix_get(T, i, j) * gsl_matrix_get(R, j, i);
  c->XX3 += o->n[g] * (ldS + tr - ldR - (double)p);
  c->XX3null -= o->n[g] * ldR;
  size_t a = 0;
  for (size_t j = 0; j + 1 < p; j++)
    for (size_t i = j + 1; i < p; i++, a++) {
      size_t b = 0;
      for (size_t l = 0; l + 1 < p; l++)
        for (size_t k = l + 1; k < p; k++, b++)
          V[a * np + b] = gsl_matrix_get(T, i, k) * gsl_matrix_get(T, j, l) +
                          gsl_matrix_get(T, i, l) * gsl_matrix_get(T, j, k);
    }
  return 0;
}

/*
 * lavaan 0.6-14's .robust cfi/tli/nnfi/rni/rmsea of a categorical fit
 * (lav_fit_catml_dwls, Savalei 2021): the model refitted by ML to the
 * polychoric correlations without thresholds and intercepts ("catML"; with
 * every variable ordered lavaan keeps the DWLS estimates), its test XX3 on
 * df3 = G p* - npar3 and the baseline -sum n_g log|R_g| on G p*; their
 * scaling c3 = tr(U' V U Gamma) / df3 with U = I - Dc E^-1 Dc' W (Dc the
 * correlation rows of the Jacobians, E the DWLS information, V the catML
 * weights, each per group with f_g = n_g/N, Gamma_g / f_g) and c3null =
 * sum_g tr(Gamma_g) / f_g / (G p*).  Left NA as lavaan when a numeric variable
 * is in the model, a polychoric matrix is not positive definite or catML
 * cannot be formed (catml_npar).
 */
static void catml_robust(ord_t *o, const double *x, double *const *D, const double *Einv,
                         vagap_sem_measures_t *fm) {
  size_t p = o->p, np = o->npair, G = o->G, K = o->K, m = o->m, nc = o->nth + o->nnum;
  long npar3 = o->nnum || o->W ? -1 : catml_npar(o->model);
  if (npar3 < 0 || !np || !K) return;
  catml_t c = {0};
  c.df3 = (double)(G * np) - (double)npar3 + (double)sem_con_rank(o->con); /* lavaan's df: + rank of == */
  c.df3null = (double)(G * np);
  gsl_matrix *S = gsl_matrix_alloc(p, p), *R = gsl_matrix_alloc(p, p), *T = gsl_matrix_alloc(p, p);
  double *V = malloc(np * np * sizeof *V), *Gc = malloc(np * np * sizeof *Gc);
  double *Dcc = malloc(np * K * sizeof *Dcc), *VD = malloc(np * K * sizeof *VD);
  double *WD = malloc(np * K * sizeof *WD), *GWD = malloc(np * K * sizeof *GWD);
  size_t *cols = malloc(K * sizeof *cols), *u = malloc(K * sizeof *u);
  gsl_matrix *Mv = gsl_matrix_calloc(K, K), *Mw = gsl_matrix_calloc(K, K), *tmp = gsl_matrix_alloc(K, K);
  unsigned char *used = calloc(K, 1);
  int ok = S && R && T && V && Gc && Dcc && VD && WD && GWD && cols && u && Mv && Mw && tmp && used;
  double ks = 0, kbs = 0;
  for (size_t g = 0; ok && g < G; g++) {
    double f = o->n[g] / o->N;
    if (implied(o, x, g, o->sig, NULL) || catml_group(o, g, S, R, T, V, &c)) { ok = 0; break; }
    const double *Gm = o->s1[g].gamma, *w = o->w + g * m + nc;
    for (size_t a = 0; a < np; a++)
      for (size_t b = 0; b < np; b++) Gc[a * np + b] = Gm[(nc + a) * m + nc + b];
    for (size_t a = 0; a < np; a++) {
      kbs += Gc[a * np + a] / f;
      for (size_t b = 0; b < np; b++) ks += V[a * np + b] * Gc[b * np + a]; /* tr(V Gamma) */
    }
    size_t kc = active_columns(D[g] + nc * K, np, K, cols, Dcc);
    if (!kc) continue;
    for (size_t t = 0; t < kc; t++) used[cols[t]] = 1;
    for (size_t a = 0; a < np; a++)
      for (size_t t = 0; t < kc; t++) WD[a * kc + t] = w[a] * Dcc[a * kc + t];
    gsl_matrix_const_view Vv = gsl_matrix_const_view_array(V, np, np), Gv = gsl_matrix_const_view_array(Gc, np, np);
    gsl_matrix_view Dv = gsl_matrix_view_array(Dcc, np, kc), VDv = gsl_matrix_view_array(VD, np, kc);
    gsl_matrix_view WDv = gsl_matrix_view_array(WD, np, kc), GWDv = gsl_matrix_view_array(GWD, np, kc);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &Vv.matrix, &Dv.matrix, 0.0, &VDv.matrix);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &Gv.matrix, &WDv.matrix, 0.0, &GWDv.matrix);
    scatter_crossprod(Mv, cols, kc, np, f, Dcc, VD, tmp);   /* Dc' V Dc */
    scatter_crossprod(Mw, cols, kc, np, f, WD, GWD, tmp);   /* Dc' W Gamma W Dc */
    /* -2 f tr(E^-1 Dc' V Gamma W Dc): the cross terms of U' V U Gamma */
    gsl_matrix_view Tg = gsl_matrix_submatrix(tmp, 0, 0, kc, kc);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, &VDv.matrix, &GWDv.matrix, 0.0, &Tg.matrix);
    for (size_t a = 0; a < kc; a++)
      for (size_t b = 0; b < kc; b++) ks -= 2 * f * Einv[cols[a] * K + cols[b]] * gsl_matrix_get(&Tg.matrix, b, a);
  }
  if (ok) { /* + tr(Mv E^-1 Mw E^-1) on the columns the correlations use */
    size_t ku = 0;
    for (size_t q = 0; q < K; q++)
      if (used[q]) u[ku++] = q;
    gsl_matrix *A = gsl_matrix_alloc(ku, ku), *B = gsl_matrix_alloc(ku, ku), *E = gsl_matrix_alloc(ku, ku);
    gsl_matrix *AE = gsl_matrix_alloc(ku, ku), *BE = gsl_matrix_alloc(ku, ku);
    ok = A && B && E && AE && BE;
    if (ok) {
      for (size_t a = 0; a < ku; a++)
        for (size_t b = 0; b < ku; b++) {
          gsl_matrix_set(A, a, b, gsl_matrix_get(Mv, u[a], u[b]));
          gsl_matrix_set(B, a, b, gsl_matrix_get(Mw, u[a], u[b]));
          gsl_matrix_set(E, a, b, Einv[u[a] * K + u[b]]);
        }
      gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, A, E, 0.0, AE);
      gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, B, E, 0.0, BE);
      for (size_t a = 0; a < ku; a++)
        for (size_t b = 0; b < ku; b++) ks += gsl_matrix_get(AE, a, b) * gsl_matrix_get(BE, b, a);
    }
    gsl_matrix *all[] = {A, B, E, AE, BE};
    for (size_t i = 0; i < 5; i++)
      if (all[i]) gsl_matrix_free(all[i]);
  }
  if (ok && c.df3 > 0) {
    c.c3 = ks / c.df3;
    c.c3null = kbs / c.df3null;
    double Nr = o->N - (double)G, df = fm->df, dfb = fm->baseline_df, X3s = c.XX3 / c.c3;
    fm->cfi_robust = cfi_c(c.XX3, df, c.XX3null, dfb, c.c3, c.c3null);
    fm->tli_robust = fm->nnfi_robust = tli_c(c.XX3, df, c.XX3null, dfb, c.c3, c.c3null);
    fm->rni_robust = rni_c(c.XX3, df, c.XX3null, dfb, c.c3, c.c3null);
    fm->rmsea_robust = rmsea_c(c.XX3, c.df3, Nr, (double)G, c.c3);
    rmsea_ci_c(X3s, c.df3, Nr, (double)G, c.c3, &fm->rmsea_ci_lower_robust, &fm->rmsea_ci_upper_robust);
    fm->rmsea_pvalue_robust = rmsea_p_c(X3s, c.df3, Nr, (double)G, c.c3, 0.05, 1);
    fm->rmsea_notclose_pvalue_robust = rmsea_p_c(X3s, c.df3, Nr, (double)G, c.c3, 0.08, 0);
  }
  gsl_matrix *mats[] = {S, R, T, Mv, Mw, tmp};
  for (size_t i = 0; i < 6; i++)
    if (mats[i]) gsl_matrix_free(mats[i]);
  free(V);
  free(Gc);
  free(Dcc);
  free(VD);
  free(WD);
  free(GWD);
  free(cols);
  free(u);
  free(used);
}

static vagap_status_t fill_rows_and_measures(ord_t *o, vagap_sem_fit_t *fit, double *const *D, const double *Einv,
                                             double tr1, double tr2, vagap_error_t *err);

/* Under == constraints and active inequalities: Einv = Z (Z' E Z)^-1 Z' with Z a basis
   of their Jacobian's null space (lavaan's augmented information inverse), from
   sem_con_vcov with unit N; it also records the constraints' values in fit->model. */
static vagap_status_t constrained_inverse(ord_t *o, vagap_sem_fit_t *fit, double *Einv, vagap_error_t *err) {
  size_t K = o->K;
  double f[o->G];
  for (size_t g = 0; g < o->G; g++) f[g] = o->n[g] / o->N;
  gsl_matrix *E = gsl_matrix_alloc(K, K);
  if (!E) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  vagap_status_t st = VAGAP_OK;
  if (normal_matrix(o, fit->x, f, E))
    st = vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0, "the implied covariance is not positive definite at the solution");
  if (!st) st = sem_con_vcov(o->con, fit->x, E, 1.0, Einv, fit->model, err);
  gsl_matrix_free(E);
  return st;
}

static vagap_status_t fill_results(ord_t *o, vagap_sem_fit_t *fit, vagap_error_t *err) {
  size_t K = o->K, m = o->m, G = o->G;
  const double *x = fit->x;
  double **D = calloc(G, sizeof *D), *Einv = malloc((K ? K * K : 1) * sizeof *Einv);
  double *B = malloc((K ? K * K : 1) * sizeof *B);
  vagap_status_t st = VAGAP_OK;
  double tr1 = NAN, tr2 = NAN;
  if (!D || !Einv || !B) st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  for (size_t g = 0; g < G && !st; g++) {
    if (!(D[g] = malloc(m * (K ? K : 1) * sizeof **D))) st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    else if (implied(o, x, g, o->sig, D[g]))
      st = vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0, "the implied covariance is not positive definite at the solution");
  }
  int constrained = o->con && o->model->ncon;
  if (!st && K && constrained) st = constrained_inverse(o, fit, Einv, err);
  if (!st && K && sandwich(o, D, K, Einv, constrained, B, &tr1, &tr2))
    st = vagap_error_set(err, VAGAP_EMODEL, NULL, 0, 0,
                         "the model is not identified: the information matrix is singular at the solution");
  if (!st && K) {
    /* vcov: E^-1 / (N - G), or E^-1 B E^-1 / (N - G) for robust.sem (lavaan divides
       by N - G with the least-squares estimators, as in its lav_inspect_ntotal) */
    double NG = o->N - (double)G;
    if (o->opt.se == VAGAP_SEM_SE_ROBUST_SEM) {
      gsl_matrix_view Ev = gsl_matrix_view_array(Einv, K, K), Bv = gsl_matrix_view_array(B, K, K);
      gsl_matrix *T = gsl_matrix_alloc(K, K);
      gsl_matrix_view Vv = gsl_matrix_view_array(fit->vcov, K, K);
      gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &Ev.matrix, &Bv.matrix, 0.0, T);
      gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0 / NG, T, &Ev.matrix, 0.0, &Vv.matrix);
      gsl_matrix_free(T);
    } else {
      for (size_t a = 0; a < K * K; a++) fit->vcov[a] = Einv[a] / NG;
    }
  }
  free(B);
  if (!st) st = fill_rows_and_measures(o, fit, D, Einv, tr1, tr2, err);
  for (size_t g = 0; D && g < G; g++) free(D[g]);
  free(D);
  free(Einv);
  return st;
}

/* the rows (estimates, SEs, standardised values), the fit measures and the first stage
   of the fit at its solution; D and Einv the Jacobians and the inverse information there,
   tr1 and tr2 the traces of the scaled-shifted test */
static vagap_status_t fill_rows_and_measures(ord_t *o, vagap_sem_fit_t *fit, double *const *D, const double *Einv,
                                             double tr1, double tr2, vagap_error_t *err) {
  size_t K = o->K, m = o->m, G = o->G, p = o->p;
  const double *x = fit->x;
  vagap_status_t st;
  /* delta: the residual variances of the ordered variables follow from the rest,
     1/delta^2 - (Sigma_ii - theta_ii) (the workspace had theta_ii = 1); theta: the
     scale factors do, 1/sqrt(Sigma_ii) */
  vagap_sem_model_t *mo = fit->model, *wm = o->wsmodel;
  for (size_t g = 0; g < G; g++) {
    const gsl_matrix *Sigma;
    const gsl_vector *mu;
    if (sem_ws_implied(o->ws, x, g, &Sigma, &mu)) continue;
    int theta = o->model->parameterization_theta;
    for (size_t r = 0; r < wm->nrows; r++) {
      vagap_sem_param_t *row = &wm->rows[r];
      if (row->group != (int)g + 1 || row->free) continue;
      int resvar = row->op == VAGAP_SEM_COVARIANCE && !strcmp(row->lhs, row->rhs);
      if (!(theta ? row->op == VAGAP_SEM_SCALE : resvar)) continue;
      for (size_t i = 0; i < p; i++)
        if (!strcmp(wm->ov[i], row->lhs)) {
          double d = scale_factor(o, x, g, i, Sigma);
          row->ustart = theta ? d : 1 / (d * d) - (gsl_matrix_get(Sigma, i, i) - row->ustart);
        }
    }
  }
  if ((st = sem_ws_fill_rows(o->ws, fit, x, fit->vcov, o->opt.ci_level, err))) return st;
  if (o->con) sem_con_finish_rows(fit->model);
  standardize(o, mo, x); /* the thresholds' and scales' std values, which := may use */
  if ((st = sem_ws_fill_defined(o->ws, fit->model, fit->vcov, o->opt.ci_level, err))) return st;
  if (sem_defined_check(fit)) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  /* fit measures */
  vagap_sem_measures_t *fm = &fit->fit;
  double F = objective((unsigned)K, x, NULL, o);
  double rank = (double)sem_con_rank(o->con); /* lavaan: npar - rank of the == constraints */
  fm->npar = (double)K - rank;
  fm->fmin = F / 2;
  fm->chisq = 0;
  for (size_t g = 0; g < G; g++) {
    const double *s = o->s + g * m;
    if (implied(o, x, g, o->sig, NULL)) continue;
    for (size_t a = 0; a < m; a++) o->res[a] = s[a] - o->sig[a];
    fm->chisq_group[g] = (o->n[g] - 1) * weighted(o, g, o->res, o->Wr);
    fm->chisq += fm->chisq_group[g];
  }
  fm->df = (double)(G * m) - fm->npar;
  fm->pvalue = fm->df > 0 ? gsl_cdf_chisq_Q(fm->chisq, fm->df) : NAN;
  fm->ntotal = o->N;
  fm->logl = fm->unrestricted_logl = fm->aic = fm->bic = fm->bic2 = NAN;
  fm->mfi = fm->ecvi = NAN;
  double X2b = 0, btr1 = NAN, btr2 = NAN;
  int scaled = o->opt.test == VAGAP_SEM_TEST_SCALED_SHIFTED;
  baseline(o, &X2b, scaled ? &btr1 : NULL, &btr2);
  double dfb = (double)(G * o->npair);
  fm->baseline_chisq = X2b;
  fm->baseline_df = dfb;
  fm->baseline_pvalue = dfb > 0 ? gsl_cdf_chisq_Q(X2b, dfb) : NAN;
  if (o->opt.estimator == VAGAP_SEM_ESTIMATOR_ULS) /* lavaan: the ULS statistic is not chi-square */
    fm->pvalue = fm->baseline_pvalue = NAN;
  fm->cfi = sem_fit_cfi(fm->chisq, fm->df, X2b, dfb);
  fm->tli = fm->nnfi = sem_fit_tli(fm->chisq, fm->df, X2b, dfb);
  fm->rfi = sem_fit_rfi(fm->chisq, fm->df, X2b, dfb);
  fm->nfi = sem_fit_nfi(fm->chisq, fm->df, X2b, dfb);
  fm->pnfi = sem_fit_pnfi(fm->chisq, fm->df, X2b, dfb);
  fm->ifi = sem_fit_ifi(fm->chisq, fm->df, X2b, dfb);
  fm->rni = sem_fit_rni(fm->chisq, fm->df, X2b, dfb);
  /* lavaan's N for RMSEA and Hoelter's CN with least-squares estimators: N - G */
  double Nr = o->N - (double)G;
  fm->cn_05 = sem_fit_cn(fm->chisq, fm->df, Nr, 0.05);
  fm->cn_01 = sem_fit_cn(fm->chisq, fm->df, Nr, 0.01);
  rmsea_measures(fm->chisq, fm->df, Nr, (double)G, &fm->rmsea, &fm->rmsea_ci_lower, &fm->rmsea_ci_upper,
                 &fm->rmsea_pvalue);
  fm->rmsea_notclose_pvalue = rmsea_p_c(fm->chisq, fm->df, Nr, (double)G, 1, 0.08, 0);
  fm->mfi = exp(-0.5 * (fm->chisq - fm->df) / Nr);
  residual_measures(o, x, fm);
  if (scaled && fm->df > 0) {
    scaled_shifted(fm->chisq, fm->df, tr1, tr2, &fm->chisq_scaled, &fm->chisq_scaling_factor,
                   &fm->chisq_shift_parameter);
    fm->df_scaled = fm->df;
    fm->pvalue_scaled = gsl_cdf_chisq_Q(fm->chisq_scaled, fm->df);
    scaled_shifted(X2b, dfb, btr1, btr2, &fm->baseline_chisq_scaled, &fm->baseline_chisq_scaling_factor, &tr1);
    fm->baseline_df_scaled = dfb;
    fm->baseline_pvalue_scaled = gsl_cdf_chisq_Q(fm->baseline_chisq_scaled, dfb);
    double Xs = fm->chisq_scaled, Xb = fm->baseline_chisq_scaled;
    fm->cfi_scaled = sem_fit_cfi(Xs, fm->df, Xb, dfb);
    fm->tli_scaled = fm->nnfi_scaled = sem_fit_tli(Xs, fm->df, Xb, dfb);
    fm->rfi_scaled = sem_fit_rfi(Xs, fm->df, Xb, dfb);
    fm->nfi_scaled = sem_fit_nfi(Xs, fm->df, Xb, dfb);
    fm->pnfi_scaled = sem_fit_pnfi(Xs, fm->df, Xb, dfb);
    fm->ifi_scaled = sem_fit_ifi(Xs, fm->df, Xb, dfb);
    fm->rni_scaled = sem_fit_rni(Xs, fm->df, Xb, dfb);
    /* per group as lavaan's stat.group: a X2_g + f_g shift */
    for (size_t g = 0; g < G; g++)
      fm->chisq_group_scaled[g] = fm->chisq_group[g] / fm->chisq_scaling_factor + o->n[g] / o->N * fm->chisq_shift_parameter;
    rmsea_measures(fm->chisq_scaled, fm->df, Nr, (double)G, &fm->rmsea_scaled, &fm->rmsea_ci_lower_scaled,
                   &fm->rmsea_ci_upper_scaled, &fm->rmsea_pvalue_scaled);
    fm->rmsea_notclose_pvalue_scaled = rmsea_p_c(fm->chisq_scaled, fm->df, Nr, (double)G, 1, 0.08, 0);
    catml_robust(o, x, D, Einv, fm);
  }
  /* the first stage, for --sampstat and summaries */
  fit->nstage1 = m;
  fit->stage1_name = calloc(m, sizeof *fit->stage1_name);
  fit->stage1_est = malloc(G * m * sizeof *fit->stage1_est);
  fit->stage1_se = malloc(G * m * sizeof *fit->stage1_se);
  if (!fit->stage1_name || !fit->stage1_est || !fit->stage1_se)
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  for (size_t a = 0; a < o->nth; a++) { /* a numeric variable's slot is lavaan's -mean: "-y~1" */
    size_t i = o->th_var[a], k = a - o->s1[0].th_start[i] + 1;
    char buf[300];
    if (o->ncat[i]) snprintf(buf, sizeof buf, "%s|t%zu", mo->ov[i], k);
    else snprintf(buf, sizeof buf, "-%s~1", mo->ov[i]);
    fit->stage1_name[a] = strdup(buf);
  }
  for (size_t i = 0; i < p; i++)
    if (!o->ncat[i]) {
      char buf[300];
      snprintf(buf, sizeof buf, "%s~~%s", mo->ov[i], mo->ov[i]);
      fit->stage1_name[o->nth + o->var_slot[i]] = strdup(buf);
    }
  size_t k = o->nth + o->nnum;
  for (size_t j = 0; j + 1 < p; j++)
    for (size_t i = j + 1; i < p; i++, k++) {
      char buf[300];
      snprintf(buf, sizeof buf, "%s~~%s", mo->ov[j], mo->ov[i]);
      fit->stage1_name[k] = strdup(buf);
    }
  for (size_t a = 0; a < m; a++)
    if (!fit->stage1_name[a]) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  for (size_t g = 0; g < G; g++)
    for (size_t a = 0; a < m; a++) {
      fit->stage1_est[g * m + a] = o->s[g * m + a];
      fit->stage1_se[g * m + a] = sqrt(o->s1[g].gamma[a * m + a] / o->n[g]);
    }
  return VAGAP_OK;
}

/* ---- setup --------------------------------------------------------------------------- */

static vagap_status_t index_rows(ord_t *o, vagap_error_t *err) {
  const vagap_sem_model_t *md = o->model;
  size_t p = o->p, G = o->G;
  for (size_t i = 0; i < p; i++) o->ncat[i] = 1; /* 1 + thresholds; 1 left = numeric */
  for (size_t r = 0; r < md->nrows; r++) {
    const vagap_sem_param_t *row = &md->rows[r];
    if (row->op != VAGAP_SEM_THRESHOLD || row->group != 1) continue;
    for (size_t i = 0; i < p; i++)
      if (!strcmp(md->ov[i], row->lhs)) o->ncat[i]++;
  }
  o->nth = o->nnum = 0;
  for (size_t i = 0; i < p; i++) {
    if (o->ncat[i] < 2) o->ncat[i] = 0; /* numeric: a mean slot and a variance slot */
    o->nth += o->ncat[i] ? (size_t)(o->ncat[i] - 1) : 1;
    o->var_slot[i] = o->ncat[i] ? (size_t)-1 : o->nnum++;
  }
  o->npair = p * (p - 1) / 2;
  o->m = o->nth + o->nnum + o->npair;
  o->th_var = malloc(o->nth * sizeof *o->th_var);
  o->th_row = malloc(G * o->nth * sizeof *o->th_row);
  o->scale_row = malloc(G * p * sizeof *o->scale_row);
  if (!o->th_var || !o->th_row || !o->scale_row) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  size_t a = 0;
  for (size_t i = 0; i < p; i++)
    for (int k = 0; k + 1 < (o->ncat[i] ? o->ncat[i] : 2); k++) o->th_var[a++] = i;
  for (size_t q = 0; q < G * o->nth; q++) o->th_row[q] = (size_t)-1;
  for (size_t q = 0; q < G * p; q++) o->scale_row[q] = (size_t)-1;
  for (size_t r = 0; r < md->nrows; r++) {
    const vagap_sem_param_t *row = &md->rows[r];
    if (row->op != VAGAP_SEM_THRESHOLD && row->op != VAGAP_SEM_SCALE) continue;
    size_t g = (size_t)row->group - 1, i;
    for (i = 0; i < p && strcmp(md->ov[i], row->lhs); i++) {}
    if (i == p) continue;
    if (row->op == VAGAP_SEM_SCALE) {
      o->scale_row[g * p + i] = r;
      continue;
    }
    size_t k = (size_t)atol(row->rhs + 1), slot = 0;
    for (size_t v = 0; v < i; v++) slot += o->ncat[v] ? (size_t)(o->ncat[v] - 1) : 1;
    o->th_row[g * o->nth + slot + k - 1] = r;
  }
  for (size_t q = 0; q < G * o->nth; q++)
    if (o->th_row[q] == (size_t)-1 && o->ncat[o->th_var[q % o->nth]])
      return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "a threshold row is missing");
  for (size_t q = 0; q < G * p; q++)
    if (o->scale_row[q] == (size_t)-1 && o->ncat[q % p])
      return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "a scale row is missing");
  return VAGAP_OK;
}

static void ord_free(ord_t *o) {
  sem_con_free(o->con);
  if (o->ws) sem_ws_free(o->ws);
  vagap_sem_model_free(o->wsmodel);
  vagap_sem_stats_free(o->stats);
  for (size_t g = 0; o->s1 && g < o->G; g++) poly_stage1_free(&o->s1[g]);
  free(o->s1);
  free(o->ncat);
  free(o->var_slot);
  free(o->th_var);
  free(o->th_row);
  free(o->scale_row);
  free(o->s);
  free(o->w);
  free(o->W);
  free(o->n);
  free(o->sig);
  free(o->J);
  free(o->dsig);
  free(o->dmu);
  free(o->res);
  free(o->Wr);
}

/* the workspace on "statistics" that are the polychoric correlations (the
   start values read them), with zero means */
static vagap_status_t make_workspace(ord_t *o, const vagap_sem_data_t *d, vagap_error_t *err) {
  size_t p = o->p, G = o->G;
  vagap_status_t st = vagap_sem_stats_alloc(&o->stats, G, p, (const char *const *)o->model->ov,
                                            d->group_label, err);
  if (st) return st;
  for (size_t g = 0; g < G; g++) {
    o->stats->n[g] = o->n[g];
    double *C = o->stats->cov + g * p * p;
    const poly_stage1_t *s1 = &o->s1[g];
    for (size_t i = 0; i < p; i++) {
      C[i * p + i] = s1->var[i];
      o->stats->mean[g * p + i] = o->ncat[i] ? 0 : s1->th[s1->th_start[i]];
    }
    size_t k = 0;
    for (size_t j = 0; j + 1 < p; j++)
      for (size_t i = j + 1; i < p; i++, k++) C[i * p + j] = C[j * p + i] = s1->obs[s1->nth + s1->nnum + k];
  }
  if (!(o->wsmodel = sem_model_copy(o->model))) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  st = sem_ws_alloc(&o->ws, o->wsmodel, o->stats, VAGAP_SEM_LIKELIHOOD_NORMAL, err);
  if (st && st == VAGAP_EDOMAIN) {
    /* a non-positive-definite polychoric matrix: lavaan goes on (WLS needs no inverse) */
    for (size_t g = 0; g < G; g++)
      for (size_t i = 0; i < p; i++) o->stats->cov[g * p * p + i * p + i] *= 1 + 1e-3;
    st = sem_ws_alloc(&o->ws, o->wsmodel, o->stats, VAGAP_SEM_LIKELIHOOD_NORMAL, err);
  }
  return st;
}

/* start values (sem_con's start hook too): lavaan-like values on the polychoric matrix
   (plain: sem_ws_start's second set), the sample thresholds, scale factors 1 */
static void ordinal_start(void *ctx, double *x, int plain) {
  ord_t *o = ctx;
  const vagap_sem_model_t *model = o->model;
  sem_ws_start(o->ws, x, plain);
  for (size_t r = 0; r < model->nrows; r++) {
    const vagap_sem_param_t *row = &model->rows[r];
    if (!row->free) continue;
    if (row->op == VAGAP_SEM_SCALE) x[row->free - 1] = 1;
    if (row->op == VAGAP_SEM_THRESHOLD) {
      size_t g = (size_t)row->group - 1;
      for (size_t a = 0; a < o->nth; a++)
        if (o->th_row[g * o->nth + a] == r) x[row->free - 1] = o->s[g * o->m + a];
    }
  }
}

/* the objective F and its expected Hessian 2 sum_g (n_g - 1)/N J_g' W_g J_g for sem_con */
static double con_value(void *ctx, const double *x, double *grad) {
  ord_t *o = ctx;
  return objective((unsigned)o->K, x, grad, o);
}
static vagap_status_t con_information(void *ctx, const double *x, gsl_matrix *info, vagap_error_t *err) {
  ord_t *o = ctx;
  double c[o->G];
  for (size_t g = 0; g < o->G; g++) c[g] = 2 * (o->n[g] - 1) / o->N;
  if (normal_matrix(o, x, c, info))
    return vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0, "the implied covariance is not positive definite");
  return VAGAP_OK;
}

/* The fit; with keep, the state (first stage, weights, workspace) is handed to the
   caller (ord_free) for the difference test, else freed. */
static vagap_status_t ordinal_fit_keep(vagap_sem_fit_t **out, const vagap_sem_model_t *model,
                                       const vagap_sem_data_t *data, const vagap_sem_fit_options_t *opt,
                                       ord_t *keep, vagap_error_t *err) {
  *out = NULL;
  for (size_t i = 0; i < model->nov; i++)
    if (model->ov_is_x[i])
      return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                             "'%s' is an exogenous covariate: with ordered indicators lavaan conditions on "
                             "covariates (conditional.x), which is not implemented yet", model->ov[i]);
  ord_t o = {.model = model, .opt = *opt, .G = model->ngroups, .p = model->nov, .K = model->npar};
  vagap_sem_fit_t *fit = NULL;
  size_t G = o.G, p = o.p, K = o.K;
  vagap_status_t st = VAGAP_OK;
  o.ncat = calloc(p, sizeof *o.ncat);
  o.var_slot = calloc(p ? p : 1, sizeof *o.var_slot);
  o.s1 = calloc(G, sizeof *o.s1);
  o.n = calloc(G, sizeof *o.n);
  if (!o.ncat || !o.var_slot || !o.s1 || !o.n) { st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory"); goto done; }
  if ((st = index_rows(&o, err))) goto done;
  size_t m = o.m;
  o.s = malloc(G * m * sizeof *o.s);
  if (opt->estimator == VAGAP_SEM_ESTIMATOR_WLS) o.W = malloc(G * m * m * sizeof *o.W);
  else o.w = malloc(G * m * sizeof *o.w);
  o.sig = malloc(m * sizeof *o.sig);
  o.res = malloc(m * sizeof *o.res);
  o.Wr = malloc(m * sizeof *o.Wr);
  o.J = malloc(m * (K ? K : 1) * sizeof *o.J);
  o.dsig = malloc((K ? K : 1) * p * p * sizeof *o.dsig);
  o.dmu = malloc((K ? K : 1) * p * sizeof *o.dmu);
  if (!o.s || (!o.W && !o.w) || !o.sig || !o.res || !o.Wr || !o.J || !o.dsig || !o.dmu) {
    st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    goto done;
  }
  if ((st = first_stage(&o, data, err))) goto done;
  if ((st = weights(&o, err))) goto done;
  if ((st = make_workspace(&o, data, err))) goto done;
  if ((double)K > (double)(G * m)) {
    st = vagap_error_set(err, VAGAP_EMODEL, NULL, 0, 0,
                         "the model is not identified: %zu free parameters but only %zu sample statistics "
                         "(thresholds and polychoric correlations)", K, G * m);
    goto done;
  }
  fit = calloc(1, sizeof *fit);
  if (!fit || !(fit->x = calloc(K ? K : 1, sizeof *fit->x)) || !(fit->vcov = calloc(K ? K * K : 1, sizeof *fit->vcov)) ||
      !(fit->fit.chisq_group = calloc(G, sizeof *fit->fit.chisq_group)) ||
      !(fit->fit.chisq_group_scaled = calloc(G, sizeof *fit->fit.chisq_group_scaled)) ||
      !(fit->model = sem_model_copy(model))) {
    st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    goto done;
  }
  sem_measures_scaled_unset(&fit->fit);
  fit->fit.test = (int)opt->test;
  fit->options = *opt;
  ordinal_start(&o, fit->x, 0);
  double gnorm = HUGE_VAL;
  if (K && sem_con_needed(model)) { /* constraints and bounds: the constrained optimiser on this objective */
    if (!(o.con = sem_con_alloc(model, o.ws))) { st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory"); goto done; }
    sem_con_objective_t obj = {con_value, con_information, ordinal_start, &o};
    sem_con_set_objective(o.con, &obj);
    if ((st = sem_con_optimise(o.con, fit->x, opt->max_iter, &fit->optimizer, &gnorm, err))) goto done;
  } else if (K) {
    /* Gauss-Newton (Fisher scoring of least squares) from the start values; when it
       stalls, NLopt's LD_LBFGS from the start values and Gauss-Newton again */
    double *x0 = malloc(K * sizeof *x0);
    if (!x0) { st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory"); goto done; }
    memcpy(x0, fit->x, K * sizeof *x0);
    gnorm = gauss_newton(&o, fit->x, 200);
    fit->optimizer = "Gauss-Newton";
    nlopt_opt nl = gnorm < 1e-9 ? NULL : nlopt_create(NLOPT_LD_LBFGS, (unsigned)K);
    if (nl) {
      double fmin_ = 0;
      nlopt_set_min_objective(nl, objective, &o);
      nlopt_set_ftol_rel(nl, 1e-14);
      nlopt_set_xtol_rel(nl, 1e-12);
      nlopt_set_maxeval(nl, opt->max_iter > 0 ? opt->max_iter : 10000);
      nlopt_result res = nlopt_optimize(nl, x0, &fmin_);
      nlopt_destroy(nl);
      if (res > 0 || res == NLOPT_ROUNDOFF_LIMITED) {
        double g2 = gauss_newton(&o, x0, 200);
        if (g2 < gnorm) {
          memcpy(fit->x, x0, K * sizeof *x0);
          gnorm = g2;
          fit->optimizer = "NLopt LD_LBFGS + Gauss-Newton";
        }
      }
    }
    free(x0);
    if (!(gnorm < 1e-5)) {
      st = vagap_error_set(err, VAGAP_ENOCONV, NULL, 0, 0,
                           "the optimiser did not converge (max |gradient| %.2g at the best point found)", gnorm);
      goto done;
    }
  } else {
    gnorm = 0;
  }
  fit->gradient_norm = gnorm;
  fit->iterations = o.evals;
  fit->converged = 1;
  fit->admissible = 1;
  if ((st = fill_results(&o, fit, err))) goto done;
done:
  if (keep && !st) *keep = o;
  else ord_free(&o);
  if (st) {
    vagap_sem_fit_free(fit);
    return st;
  }
  *out = fit;
  return VAGAP_OK;
}

vagap_status_t sem_ordinal_fit(vagap_sem_fit_t **out, const vagap_sem_model_t *model,
                               const vagap_sem_data_t *data, const vagap_sem_fit_options_t *opt,
                               vagap_error_t *err) {
  return ordinal_fit_keep(out, model, data, opt, NULL, err);
}

/* the Jacobians of every group stacked (G m x K, row-major) at x */
static double *stacked_jacobian(ord_t *o, const double *x) {
  size_t m = o->m, K = o->K;
  double *D = malloc(o->G * m * (K ? K : 1) * sizeof *D);
  for (size_t g = 0; D && g < o->G; g++)
    if (implied(o, x, g, o->sig, D + g * m * K)) {
      free(D);
      return NULL;
    }
  return D;
}

/*
 * lavTestLRT(m1, m0) for nested models with ordered indicators (lavaan's
 * lav_test_diff_Satorra2000 with A.method = "delta", scaled.shifted): with D1, D0
 * the stacked Jacobians at each model's estimates, H = D1^+ D0, A the orthogonal
 * complement of H's columns (m = K1 - K0 rows), E1 = sum_g f_g D1_g' W_g D1_g,
 * P = E1^-1 A' (A E1^-1 A')^-1 A E1^-1, U = V D1 P D1' V with V = bdiag(W_g) and
 * Gamma_f = bdiag(f_g Gamma_g): tr1 = tr(U Gamma_f), tr2 = tr((U Gamma_f)^2),
 * a = sqrt(m / tr2), T = (X2_0 - X2_1) a + m - a tr1 on m df.  With a standard
 * test, the plain difference X2_0 - X2_1.
 */
vagap_status_t vagap_sem_ordinal_lrt(vagap_sem_lrt_t *out, const vagap_sem_model_t *m1, const vagap_sem_model_t *m0,
                                     const vagap_sem_data_t *data, const vagap_sem_fit_options_t *opt_in,
                                     vagap_error_t *err) {
  vagap_sem_fit_options_t opt;
  if (opt_in) opt = *opt_in;
  else vagap_sem_fit_options_init(&opt);
  vagap_status_t st = vagap_sem_fit_options_resolve(&opt, 1, err);
  if (st) return st;
  if (m1->ncon || m0->ncon)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "the scaled difference test of ordinal models with constraints (==, <, >) is not "
                           "implemented");
  ord_t o1, o0;
  vagap_sem_fit_t *f1 = NULL, *f0 = NULL;
  memset(&o1, 0, sizeof o1);
  memset(&o0, 0, sizeof o0);
  double *D1 = NULL, *D0 = NULL, *Einv = NULL, *Hm = NULL, *T = NULL;
  gsl_matrix *Q = NULL, *Pm = NULL, *UG = NULL;
  st = ordinal_fit_keep(&f1, m1, data, &opt, &o1, err);
  if (!st) st = ordinal_fit_keep(&f0, m0, data, &opt, &o0, err);
  if (st) goto done;
  out->chisq1 = f1->fit.chisq, out->df1 = f1->fit.df;
  out->chisq0 = f0->fit.chisq, out->df0 = f0->fit.df;
  out->df_diff = out->df0 - out->df1;
  out->chisq_diff = out->chisq0 - out->chisq1;
  out->scaling_factor = out->shift_parameter = NAN;
  size_t K1 = o1.K, K0 = o0.K, M = o1.G * o1.m, mm = K1 > K0 ? K1 - K0 : 0;
  if (!(out->df_diff > 0) || opt.test != VAGAP_SEM_TEST_SCALED_SHIFTED || !mm) {
    out->pvalue = out->df_diff > 0 ? gsl_cdf_chisq_Q(out->chisq_diff, out->df_diff) : NAN;
    goto done;
  }
  D1 = stacked_jacobian(&o1, f1->x);
  D0 = stacked_jacobian(&o0, f0->x);
  Einv = malloc(K1 * K1 * sizeof *Einv);
  Hm = malloc(K1 * (K0 ? K0 : 1) * sizeof *Hm);
  if (!D1 || !D0 || !Einv || !Hm) { st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory"); goto done; }
  {
    double *Dg[o1.G];
    for (size_t g = 0; g < o1.G; g++) Dg[g] = D1 + g * o1.m * K1;
    if (sandwich(&o1, Dg, K1, Einv, 0, NULL, NULL, NULL)) {
      st = vagap_error_set(err, VAGAP_EMODEL, NULL, 0, 0, "the information matrix of the less restricted model is singular");
      goto done;
    }
  }
  /* H = (D1'D1)^-1 D1' D0, then the orthogonal complement of its columns (QR) */
  gsl_matrix_view D1v = gsl_matrix_view_array(D1, M, K1), D0v = gsl_matrix_view_array(D0, M, K0);
  gsl_matrix *DtD = gsl_matrix_alloc(K1, K1), *DtD0 = gsl_matrix_alloc(K1, K0 ? K0 : 1);
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, &D1v.matrix, &D1v.matrix, 0.0, DtD);
  if (K0) gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, &D1v.matrix, &D0v.matrix, 0.0, DtD0);
  gsl_linalg_cholesky_decomp1(DtD);
  for (size_t c = 0; c < K0; c++) {
    gsl_vector_view col = gsl_matrix_column(DtD0, c);
    gsl_linalg_cholesky_svx(DtD, &col.vector);
  }
  gsl_matrix_free(DtD);
  Q = gsl_matrix_alloc(K1, K1);
  gsl_matrix *R = gsl_matrix_alloc(K1, K0 ? K0 : 1);
  gsl_vector *tau = gsl_vector_alloc(K0 ? K0 : 1);
  if (K0) {
    gsl_linalg_QR_decomp(DtD0, tau);
    gsl_linalg_QR_unpack(DtD0, tau, Q, R);
  } else {
    gsl_matrix_set_identity(Q);
  }
  gsl_matrix_free(DtD0);
  gsl_matrix_free(R);
  gsl_vector_free(tau);
  /* A (mm x K1): the last mm columns of Q, transposed */
  gsl_matrix_view At = gsl_matrix_submatrix(Q, 0, K1 - mm, K1, mm); /* A' (K1 x mm) */
  gsl_matrix_view Ei = gsl_matrix_view_array(Einv, K1, K1);
  gsl_matrix *EA = gsl_matrix_alloc(K1, mm), *AEA = gsl_matrix_alloc(mm, mm);
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &Ei.matrix, &At.matrix, 0.0, EA);     /* E^-1 A' */
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, &At.matrix, EA, 0.0, AEA);              /* A E^-1 A' */
  gsl_linalg_cholesky_decomp1(AEA);
  gsl_linalg_cholesky_invert(AEA);
  gsl_matrix *tmp = gsl_matrix_alloc(K1, mm);
  Pm = gsl_matrix_alloc(K1, K1);
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, EA, AEA, 0.0, tmp);
  gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, tmp, EA, 0.0, Pm);                     /* P (K1 x K1) */
  gsl_matrix_free(tmp);
  gsl_matrix_free(EA);
  gsl_matrix_free(AEA);
  /* U Gamma_f = V D1 P D1' V Gamma_f, stacked over groups (M x M) */
  size_t m = o1.m;
  gsl_matrix *VD = gsl_matrix_alloc(M, K1), *VDP = gsl_matrix_alloc(M, K1), *U = gsl_matrix_alloc(M, M);
  for (size_t g = 0; g < o1.G; g++) {
    double col[m], wc[m];
    for (size_t q = 0; q < K1; q++) {
      for (size_t a = 0; a < m; a++) col[a] = D1[(g * m + a) * K1 + q];
      weighted(&o1, g, col, wc);
      for (size_t a = 0; a < m; a++) gsl_matrix_set(VD, g * m + a, q, wc[a]);
    }
  }
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, VD, Pm, 0.0, VDP);
  gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, VDP, VD, 0.0, U);
  UG = gsl_matrix_calloc(M, M);
  for (size_t g = 0; g < o1.G; g++) { /* U[:, block g] Gamma_g f_g */
    double f = o1.n[g] / o1.N;
    gsl_matrix_view Ub = gsl_matrix_submatrix(U, 0, g * m, M, m), UGb = gsl_matrix_submatrix(UG, 0, g * m, M, m);
    gsl_matrix_const_view Gv = gsl_matrix_const_view_array(o1.s1[g].gamma, m, m);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, f, &Ub.matrix, &Gv.matrix, 0.0, &UGb.matrix);
  }
  double tr1 = 0, tr2 = 0;
  for (size_t a = 0; a < M; a++) {
    tr1 += gsl_matrix_get(UG, a, a);
    for (size_t b = 0; b < M; b++) tr2 += gsl_matrix_get(UG, a, b) * gsl_matrix_get(UG, b, a);
  }
  gsl_matrix_free(VD);
  gsl_matrix_free(VDP);
  gsl_matrix_free(U);
  double a = sqrt((double)mm / tr2), b = (double)mm - a * tr1;
  out->chisq_diff = (out->chisq0 - out->chisq1) * a + b;
  out->df_diff = (double)mm;
  out->scaling_factor = 1 / a;
  out->shift_parameter = b;
  out->pvalue = gsl_cdf_chisq_Q(out->chisq_diff, out->df_diff);
done:
  free(D1);
  free(D0);
  free(Einv);
  free(Hm);
  free(T);
  if (Q) gsl_matrix_free(Q);
  if (Pm) gsl_matrix_free(Pm);
  if (UG) gsl_matrix_free(UG);
  if (f1) ord_free(&o1);
  if (f0) ord_free(&o0);
  vagap_sem_fit_free(f1);
  vagap_sem_fit_free(f0);
  return st;
}

void sem_measures_scaled_unset(vagap_sem_measures_t *fm) {
  /* every measure after chisq_group (the robust and extra ones): NAN until computed */
  double *more[] = {&fm->cfi_robust, &fm->tli_robust, &fm->nnfi_scaled, &fm->rfi_scaled, &fm->nfi_scaled,
                    &fm->pnfi_scaled, &fm->ifi_scaled, &fm->rni_scaled, &fm->nnfi_robust, &fm->rni_robust,
                    &fm->scaling_factor_h1, &fm->scaling_factor_h0, &fm->rmsea_notclose_pvalue_scaled,
                    &fm->rmsea_robust, &fm->rmsea_ci_lower_robust, &fm->rmsea_ci_upper_robust,
                    &fm->rmsea_pvalue_robust, &fm->rmsea_notclose_pvalue_robust, &fm->rmsea_notclose_pvalue,
                    &fm->rmr, &fm->rmr_nomean, &fm->srmr_bentler, &fm->srmr_bentler_nomean, &fm->crmr,
                    &fm->crmr_nomean, &fm->srmr_mplus, &fm->srmr_mplus_nomean, &fm->gfi, &fm->agfi, &fm->pgfi};
  for (size_t i = 0; i < sizeof more / sizeof more[0]; i++) *more[i] = NAN;
  fm->chisq_scaled = fm->df_scaled = fm->pvalue_scaled = fm->chisq_scaling_factor = NAN;
  fm->chisq_shift_parameter = NAN;
  fm->baseline_chisq_scaled = fm->baseline_df_scaled = fm->baseline_pvalue_scaled = NAN;
  fm->baseline_chisq_scaling_factor = NAN;
  fm->cfi_scaled = fm->tli_scaled = fm->rmsea_scaled = fm->rmsea_ci_lower_scaled = NAN;
  fm->rmsea_ci_upper_scaled = fm->rmsea_pvalue_scaled = NAN;
}
