/*
 * sem_robust.c - robust ML after an ML fit on complete raw data: the
 * information matrix of the standard errors (expected, observed, first
 * order), robust standard errors (lavaan's "robust.sem" and
 * "robust.huber.white") and the scaled test statistics (Satorra-Bentler,
 * mean.var.adjusted, scaled.shifted, yuan.bentler.mplus) with the fit
 * measures lavaan derives from them (.scaled and .robust).
 *
 * Everything works in lavaan's "h1" coordinates of one group: the means
 * (with a mean structure) followed by vech(Sigma) in column order,
 * ps = [p +] p(p+1)/2 numbers.  Per group g:
 *   Delta_g   dh1/dtheta (ps x K), from sem_ws_jacobian;
 *   A_g       the expected h1 information at the implied moments
 *             (Sigma^-1 for the means, 1/2 D'(Sigma^-1 (x) Sigma^-1) D for vech Sigma),
 *             rows of the fixed.x covariates zeroed as lavaan does;
 *   Gamma_g   the normal-theory-free asymptotic covariance of the h1 sample
 *             statistics (lavaan's lav_samplestats_Gamma, ADF), from the rows;
 *   B1_g      the first-order h1 information (1/n_g) sum_i s_i s_i' of the
 *             casewise h1 scores s_i = d log L_i / d h1 ("meat").
 * With f_g = n_g / N and E the information of the standard errors (E.inv
 * its inverse under the constraints, = N * the standard vcov):
 *   robust.sem:          vcov = E.inv [sum_g f_g Delta' A Gamma A Delta] E.inv / N
 *   robust.huber.white:  vcov = E.inv [sum_g f_g Delta' B1 Delta] E.inv / N
 *   Satorra-Bentler:     tr(U Gamma) = sum_g tr(A_g Gamma_g) - tr(E.inv Q),
 *                        Q = sum_g f_g Delta' A Gamma A Delta
 *   yuan.bentler.mplus:  tr = sum_g tr(A1_g Gamma_g)[h1, at the sample moments]
 *                             - tr(E.inv sum_g f_g Delta' B1 Delta)
 * (lavaan 0.6: lav_model_vcov.R, lav_test_satorra_bentler.R,
 * lav_test_yuan_bentler.R, lav_samplestats_gamma.R; doc/methods.md 13.)
 *
 * [FIML hook] The meat needs only the casewise h1 scores of each group: for
 * complete data they are computed here from the rows (h1_scores); FIML
 * supplies its own per-row scores (observed-pattern likelihood) through
 * sem_robust_scores_fn and the same sandwich applies.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_linalg.h>

#include "sem_internal.h"

/* ---- h1 coordinates --------------------------------------------------------------- */

typedef struct {
  size_t p, ms, ps;   /* ms: 1 with a mean structure; ps = ms p + p(p+1)/2 */
  size_t *vi, *vj;    /* vech element a = (vi[a], vj[a]), vi >= vj, column order */
  const int *is_x;    /* fixed.x covariates (lavaan's x.idx), or NULL */
} layout_t;

static int layout_init(layout_t *L, size_t p, int ms, const int *is_x) {
  size_t nv = p * (p + 1) / 2;
  L->p = p;
  L->ms = ms ? 1 : 0;
  L->ps = L->ms * p + nv;
  L->vi = malloc((nv ? nv : 1) * sizeof *L->vi);
  L->vj = malloc((nv ? nv : 1) * sizeof *L->vj);
  L->is_x = NULL;
  for (size_t i = 0; is_x && i < p; i++)
    if (is_x[i]) L->is_x = is_x;
  if (!L->vi || !L->vj) return -1;
  size_t a = 0;
  for (size_t j = 0; j < p; j++)
    for (size_t i = j; i < p; i++, a++) {
      L->vi[a] = i;
      L->vj[a] = j;
    }
  return 0;
}

static void layout_free(layout_t *L) {
  free(L->vi);
  free(L->vj);
}

/* 1 when h1 element k belongs to the fixed.x covariates only (lavaan's eliminate.pstar.idx). */
static int h1_is_x(const layout_t *L, size_t k) {
  if (!L->is_x) return 0;
  if (k < L->ms * L->p) return L->is_x[k];
  size_t a = k - L->ms * L->p;
  return L->is_x[L->vi[a]] && L->is_x[L->vj[a]];
}

/* Zero the rows and columns of the fixed.x elements (lavaan's x.idx rule). */
static void zero_x(const layout_t *L, gsl_matrix *A) {
  if (!L->is_x) return;
  for (size_t k = 0; k < L->ps; k++)
    if (h1_is_x(L, k)) {
      gsl_vector_view r = gsl_matrix_row(A, k), c = gsl_matrix_column(A, k);
      gsl_vector_set_zero(&r.vector);
      gsl_vector_set_zero(&c.vector);
    }
}

/* The expected h1 information at Sigma^-1 = W: W for the means, 1/2 D'(W (x) W) D for vech. */
static void h1_expected(const layout_t *L, const gsl_matrix *W, gsl_matrix *A) {
  size_t p = L->p, o = L->ms * p, nv = L->ps - o;
  gsl_matrix_set_zero(A);
  for (size_t i = 0; i < o; i++)
    for (size_t j = 0; j < o; j++) gsl_matrix_set(A, i, j, gsl_matrix_get(W, i, j));
  for (size_t a = 0; a < nv; a++) {
    size_t i = L->vi[a], j = L->vj[a];
    for (size_t b = 0; b <= a; b++) {
      size_t k = L->vi[b], l = L->vj[b];
      /* 1/2 sum over the duplicated positions of (i,j) and (k,l) of W_su W_tv */
      double m = (i != j ? 2.0 : 1.0) * (k != l ? 2.0 : 1.0) * 0.25;
      double v = m * (gsl_matrix_get(W, i, k) * gsl_matrix_get(W, j, l) +
                      gsl_matrix_get(W, i, l) * gsl_matrix_get(W, j, k));
      gsl_matrix_set(A, o + a, o + b, v);
      gsl_matrix_set(A, o + b, o + a, v);
    }
  }
  zero_x(L, A);
}

/*
 * Casewise h1 scores of the normal log-likelihood at (mu, Sigma^-1 = W):
 * W e for the means and, for vech element (i,j), (We)_i (We)_j - W_ij
 * (halved on the diagonal); e = y - mu.  Y is n x p, SC n x ps.
 */
static void h1_scores(const layout_t *L, const gsl_matrix *Y, const gsl_vector *mu, const gsl_matrix *W,
                      gsl_matrix *SC, gsl_vector *e, gsl_vector *we) {
  size_t p = L->p, o = L->ms * p, nv = L->ps - o;
  for (size_t r = 0; r < Y->size1; r++) {
    for (size_t i = 0; i < p; i++) gsl_vector_set(e, i, gsl_matrix_get(Y, r, i) - gsl_vector_get(mu, i));
    gsl_blas_dsymv(CblasLower, 1.0, W, e, 0.0, we);
    double *row = SC->data + r * SC->tda;
    for (size_t i = 0; i < o; i++) row[i] = gsl_vector_get(we, i);
    for (size_t a = 0; a < nv; a++) {
      size_t i = L->vi[a], j = L->vj[a];
      double s = gsl_vector_get(we, i) * gsl_vector_get(we, j) - gsl_matrix_get(W, i, j);
      row[o + a] = i == j ? 0.5 * s : s;
    }
  }
}

/* The h1 statistics of one row y (p) against centring c: [y,] vech((y - c)(y - c)'). */
static void h1_stat_row(const layout_t *L, const double *y, const double *c, double *z) {
  size_t p = L->p, o = L->ms * p, nv = L->ps - o;
  for (size_t i = 0; i < o; i++) z[i] = y[i];
  for (size_t a = 0; a < nv; a++) z[o + a] = (y[L->vi[a]] - c[L->vi[a]]) * (y[L->vj[a]] - c[L->vj[a]]);
}

/*
 * lavaan's ADF Gamma of one group (lav_samplestats_Gamma, not model based):
 * the covariance (divisor n) of the rows' h1 statistics z_i.  With fixed.x
 * covariates z_i is replaced by z_i(Y) - z_i(Yhat), Yhat the rows with the
 * other variables replaced by their least-squares fit on (1, x).
 */
static vagap_status_t h1_gamma(const layout_t *L, const gsl_matrix *Y, gsl_matrix *Gam, vagap_error_t *err) {
  size_t n = Y->size1, p = L->p, ps = L->ps;
  gsl_matrix *Z = gsl_matrix_alloc(n, ps), *H = L->is_x ? gsl_matrix_alloc(n, p) : NULL;
  double *c = calloc(p, sizeof *c), *ch = calloc(p, sizeof *ch), *z2 = malloc(ps * sizeof *z2);
  vagap_status_t st = VAGAP_OK;
  if (!Z || (L->is_x && !H) || !c || !ch || !z2) {
    st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    goto done;
  }
  for (size_t r = 0; r < n; r++)
    for (size_t i = 0; i < p; i++) c[i] += gsl_matrix_get(Y, r, i) / (double)n;
  if (H) {
    /* Yhat: non-x columns = ybar + (x - xbar) Sxx^-1 Sxy, x columns kept */
    size_t nx = 0;
    for (size_t i = 0; i < p; i++) nx += L->is_x[i] != 0;
    gsl_matrix *Sxx = gsl_matrix_calloc(nx, nx), *Sxy = gsl_matrix_calloc(nx, p);
    if (!Sxx || !Sxy) {
      if (Sxx) gsl_matrix_free(Sxx);
      if (Sxy) gsl_matrix_free(Sxy);
      st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
      goto done;
    }
    for (size_t r = 0; r < n; r++) {
      size_t a = 0;
      for (size_t i = 0; i < p; i++) {
        if (!L->is_x[i]) continue;
        double xi = gsl_matrix_get(Y, r, i) - c[i];
        size_t b = 0;
        for (size_t j = 0; j < p; j++) {
          double yj = gsl_matrix_get(Y, r, j) - c[j];
          if (L->is_x[j]) *gsl_matrix_ptr(Sxx, a, b++) += xi * yj;
          *gsl_matrix_ptr(Sxy, a, j) += xi * yj;
        }
        a++;
      }
    }
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int bad = gsl_linalg_cholesky_decomp1(Sxx);
    for (size_t j = 0; !bad && j < p; j++) {
      gsl_vector_view col = gsl_matrix_column(Sxy, j);
      bad = gsl_linalg_cholesky_svx(Sxx, &col.vector); /* slopes of column j */
    }
    gsl_set_error_handler(old);
    for (size_t r = 0; !bad && r < n; r++)
      for (size_t j = 0; j < p; j++) {
        double v = gsl_matrix_get(Y, r, j);
        if (!L->is_x[j]) {
          v = c[j];
          size_t a = 0;
          for (size_t i = 0; i < p; i++)
            if (L->is_x[i]) v += (gsl_matrix_get(Y, r, i) - c[i]) * gsl_matrix_get(Sxy, a++, j);
        }
        gsl_matrix_set(H, r, j, v);
      }
    gsl_matrix_free(Sxx);
    gsl_matrix_free(Sxy);
    if (bad) {
      st = vagap_error_set(err, VAGAP_EDOMAIN, NULL, 0, 0,
                           "the covariance matrix of the fixed.x covariates is singular");
      goto done;
    }
    for (size_t r = 0; r < n; r++)
      for (size_t i = 0; i < p; i++) ch[i] += gsl_matrix_get(H, r, i) / (double)n;
  }
  for (size_t r = 0; r < n; r++) {
    double *z = Z->data + r * Z->tda;
    h1_stat_row(L, Y->data + r * Y->tda, c, z);
    if (H) {
      h1_stat_row(L, H->data + r * H->tda, ch, z2);
      for (size_t k = 0; k < ps; k++) z[k] -= z2[k];
    }
  }
  for (size_t k = 0; k < ps; k++) {
    gsl_vector_view col = gsl_matrix_column(Z, k);
    double m = 0;
    for (size_t r = 0; r < n; r++) m += gsl_vector_get(&col.vector, r);
    gsl_vector_add_constant(&col.vector, -m / (double)n);
  }
  gsl_blas_dsyrk(CblasLower, CblasTrans, 1.0 / (double)n, Z, 0.0, Gam);
  for (size_t i = 0; i < ps; i++)
    for (size_t j = 0; j < i; j++) gsl_matrix_set(Gam, j, i, gsl_matrix_get(Gam, i, j));
done:
  if (Z) gsl_matrix_free(Z);
  if (H) gsl_matrix_free(H);
  free(c);
  free(ch);
  free(z2);
  return st;
}

/* ---- small linear algebra ------------------------------------------------------------- */

static double trace_prod(const gsl_matrix *A, const gsl_matrix *B) { /* tr(A B), B' stored as is */
  double s = 0;
  for (size_t i = 0; i < A->size1; i++)
    for (size_t j = 0; j < A->size2; j++) s += gsl_matrix_get(A, i, j) * gsl_matrix_get(B, j, i);
  return s;
}

/* C = A' B (A: n x k, B: n x m) */
static void mul_tn(const gsl_matrix *A, const gsl_matrix *B, gsl_matrix *C) {
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, A, B, 0.0, C);
}

/* Inverse of a symmetric positive definite matrix in place; -1 if it is not. */
static int spd_invert(gsl_matrix *A) {
  gsl_error_handler_t *old = gsl_set_error_handler_off();
  int bad = gsl_linalg_cholesky_decomp1(A) || gsl_linalg_cholesky_invert(A);
  gsl_set_error_handler(old);
  return bad ? -1 : 0;
}

/* ---- per-group pieces ------------------------------------------------------------------ */

typedef struct {
  size_t n;
  double f;            /* n_g / N */
  gsl_matrix *Y;       /* n x p rows in the model's variable order */
  gsl_vector *ybar;
  gsl_matrix *S;       /* divisor n */
  gsl_matrix *D;       /* Delta: ps x K */
  gsl_matrix *A;       /* expected h1 information at the implied moments */
  gsl_matrix *Gam;     /* ADF Gamma (NULL unless needed) */
  gsl_matrix *B1;      /* first-order h1 information at the implied moments (NULL unless needed) */
} rgroup_t;

typedef struct {
  sem_ws_t *ws;
  const vagap_sem_model_t *model;
  layout_t L;
  size_t G, K;
  double N;
  rgroup_t *g;
} robust_t;

static void robust_free(robust_t *R) {
  if (R->g)
    for (size_t g = 0; g < R->G; g++) {
      gsl_matrix *m[] = {R->g[g].Y, R->g[g].S, R->g[g].D, R->g[g].A, R->g[g].Gam, R->g[g].B1};
      for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (m[i]) gsl_matrix_free(m[i]);
      if (R->g[g].ybar) gsl_vector_free(R->g[g].ybar);
    }
  free(R->g);
  layout_free(&R->L);
}

static vagap_status_t oom(vagap_error_t *err) {
  return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
}

/* The rows of each group in the model's variable order, their mean and covariance. */
static vagap_status_t load_rows(robust_t *R, const vagap_sem_data_t *data, vagap_error_t *err) {
  size_t p = R->L.p;
  size_t *col = malloc((p ? p : 1) * sizeof *col);
  if (!col) return oom(err);
  for (size_t i = 0; i < p; i++) {
    col[i] = (size_t)-1;
    for (size_t j = 0; j < data->nvar; j++)
      if (!strcmp(R->model->ov[i], data->var[j])) col[i] = j;
    if (col[i] == (size_t)-1) {
      free(col);
      return vagap_error_set(err, VAGAP_ECOLUMN, NULL, 0, 0,
                             "observed variable '%s' of the model is not in the data", R->model->ov[i]);
    }
  }
  vagap_status_t st = VAGAP_OK;
  for (size_t g = 0; g < R->G && !st; g++) {
    rgroup_t *rg = &R->g[g];
    for (size_t r = 0; r < data->nobs; r++) rg->n += data->group[r] == g;
    if (!(rg->Y = gsl_matrix_alloc(rg->n ? rg->n : 1, p)) || !(rg->ybar = gsl_vector_calloc(p)) ||
        !(rg->S = gsl_matrix_calloc(p, p))) {
      st = oom(err);
      break;
    }
    size_t k = 0;
    for (size_t r = 0; r < data->nobs; r++) {
      if (data->group[r] != g) continue;
      for (size_t i = 0; i < p; i++) {
        double v = data->x[r * data->nvar + col[i]];
        if (isnan(v)) {
          st = vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                               "robust ML with listwise deletion needs complete rows: '%s' is missing "
                               "in data row %zu", R->model->ov[i], r + 1);
          break;
        }
        gsl_matrix_set(rg->Y, k, i, v);
      }
      k++;
    }
    for (size_t r = 0; r < rg->n; r++)
      for (size_t i = 0; i < p; i++) *gsl_vector_ptr(rg->ybar, i) += gsl_matrix_get(rg->Y, r, i) / (double)rg->n;
    for (size_t r = 0; r < rg->n; r++)
      for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < p; j++)
          *gsl_matrix_ptr(rg->S, i, j) += (gsl_matrix_get(rg->Y, r, i) - gsl_vector_get(rg->ybar, i)) *
                                          (gsl_matrix_get(rg->Y, r, j) - gsl_vector_get(rg->ybar, j)) /
                                          (double)rg->n;
  }
  free(col);
  return st;
}

/* Delta_g (ps x K) in h1 coordinates from the full p x p Jacobian. */
static vagap_status_t delta_group(robust_t *R, const double *x, size_t g, vagap_error_t *err) {
  size_t p = R->L.p, K = R->K, o = R->L.ms * p, nv = R->L.ps - o;
  double *ds = malloc((K ? K : 1) * p * p * sizeof *ds), *dm = malloc((K ? K : 1) * p * sizeof *dm);
  gsl_matrix *D = R->g[g].D = gsl_matrix_calloc(R->L.ps, K ? K : 1);
  vagap_status_t st = VAGAP_OK;
  if (!ds || !dm || !D) st = oom(err);
  else if (sem_ws_jacobian(R->ws, x, g, ds, dm))
    st = vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0, "the implied covariance matrix is not positive definite");
  for (size_t k = 0; !st && k < K; k++) {
    for (size_t i = 0; i < o; i++) gsl_matrix_set(D, i, k, dm[k * p + i]);
    for (size_t a = 0; a < nv; a++) gsl_matrix_set(D, o + a, k, ds[k * p * p + R->L.vi[a] * p + R->L.vj[a]]);
  }
  free(ds);
  free(dm);
  return st;
}

/* Sigma^-1 and the mean at which the scores are taken (implied; the sample mean without a mean structure). */
static vagap_status_t implied_inverse(robust_t *R, const double *x, size_t g, gsl_matrix *W, gsl_vector *mu,
                                      vagap_error_t *err) {
  const gsl_matrix *Sig;
  const gsl_vector *m;
  if (sem_ws_implied(R->ws, x, g, &Sig, &m))
    return vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0, "the implied covariance matrix is not positive definite");
  gsl_matrix_memcpy(W, Sig);
  if (R->L.ms) gsl_vector_memcpy(mu, m);
  else gsl_vector_memcpy(mu, R->g[g].ybar);
  return spd_invert(W) ? vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0, "the implied covariance matrix is singular")
                       : VAGAP_OK;
}

/* B1 = (1/n) sum_i s_i s_i' of the casewise h1 scores at (mu, W). */
static vagap_status_t first_order(const layout_t *L, const gsl_matrix *Y, const gsl_vector *mu, const gsl_matrix *W,
                                  gsl_matrix *B1, vagap_error_t *err) {
  size_t n = Y->size1;
  gsl_matrix *SC = gsl_matrix_alloc(n, L->ps);
  gsl_vector *e = gsl_vector_alloc(L->p), *we = gsl_vector_alloc(L->p);
  if (!SC || !e || !we) {
    if (SC) gsl_matrix_free(SC);
    if (e) gsl_vector_free(e);
    if (we) gsl_vector_free(we);
    return oom(err);
  }
  h1_scores(L, Y, mu, W, SC, e, we);
  gsl_blas_dsyrk(CblasLower, CblasTrans, 1.0 / (double)n, SC, 0.0, B1);
  for (size_t i = 0; i < L->ps; i++)
    for (size_t j = 0; j < i; j++) gsl_matrix_set(B1, j, i, gsl_matrix_get(B1, i, j));
  gsl_matrix_free(SC);
  gsl_vector_free(e);
  gsl_vector_free(we);
  return VAGAP_OK;
}

/* ---- traces of U Gamma ------------------------------------------------------------------ */

/*
 * For per-group V_g, Gamma_g, Delta_g and H = E^-1 (K x K):
 *   tr1 = tr(U Gamma)     = sum_g tr(V Gam) - tr(H Q)
 *   tr2 = tr((U Gamma)^2) = sum_g tr((V Gam)^2) - 2 tr(H R) + tr(H Q H Q)
 * with Q = sum_g f_g Delta' V Gam V Delta, R = sum_g f_g Delta' V Gam V Gam V Delta
 * (lavaan's U = V - V Delta E^-1 Delta' V over the stacked groups, V = bdiag(f_g V_g),
 * Gamma = bdiag(Gamma_g / f_g)).  Q is also robust.sem's meat.
 */
static vagap_status_t ugamma(const robust_t *R, gsl_matrix *const *V, gsl_matrix *const *D, size_t K,
                             const gsl_matrix *H, double *tr1, double *tr2, gsl_matrix *Q, vagap_error_t *err) {
  size_t ps = R->L.ps;
  gsl_matrix *VD = gsl_matrix_alloc(ps, K), *T = gsl_matrix_alloc(ps, K), *VT = gsl_matrix_alloc(ps, K),
             *VG = gsl_matrix_alloc(ps, ps), *Rm = gsl_matrix_calloc(K, K), *Qg = gsl_matrix_alloc(K, K),
             *HQ = gsl_matrix_alloc(K, K);
  if (!VD || !T || !VT || !VG || !Rm || !Qg || !HQ) {
    gsl_matrix *m[] = {VD, T, VT, VG, Rm, Qg, HQ};
    for (size_t i = 0; i < 7; i++)
      if (m[i]) gsl_matrix_free(m[i]);
    return oom(err);
  }
  gsl_matrix_set_zero(Q);
  double s1 = 0, s2 = 0;
  for (size_t g = 0; g < R->G; g++) {
    const rgroup_t *rg = &R->g[g];
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, V[g], D[g], 0.0, VD);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, rg->Gam, VD, 0.0, T); /* Gam V D */
    mul_tn(VD, T, Qg);
    gsl_matrix_scale(Qg, rg->f);
    gsl_matrix_add(Q, Qg);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, V[g], rg->Gam, 0.0, VG);
    s1 += trace_prod(V[g], rg->Gam);
    if (tr2) {
      s2 += trace_prod(VG, VG);
      gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, V[g], T, 0.0, VT);
      mul_tn(T, VT, Qg); /* D'V Gam V Gam V D */
      gsl_matrix_scale(Qg, rg->f);
      gsl_matrix_add(Rm, Qg);
    }
  }
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, H, Q, 0.0, HQ);
  double tHQ = 0;
  for (size_t k = 0; k < K; k++) tHQ += gsl_matrix_get(HQ, k, k);
  *tr1 = s1 - tHQ;
  if (tr2) *tr2 = s2 - 2 * trace_prod(H, Rm) + trace_prod(HQ, HQ);
  gsl_matrix *m[] = {VD, T, VT, VG, Rm, Qg, HQ};
  for (size_t i = 0; i < 7; i++) gsl_matrix_free(m[i]);
  return VAGAP_OK;
}

/* M = sum_g f_g Delta' B Delta (K x K) */
static vagap_status_t sandwich_meat(const robust_t *R, gsl_matrix *const *B, gsl_matrix *const *D, size_t K,
                                    gsl_matrix *M, vagap_error_t *err) {
  gsl_matrix *BD = gsl_matrix_alloc(R->L.ps, K), *Mg = gsl_matrix_alloc(K, K);
  if (!BD || !Mg) {
    if (BD) gsl_matrix_free(BD);
    if (Mg) gsl_matrix_free(Mg);
    return oom(err);
  }
  gsl_matrix_set_zero(M);
  for (size_t g = 0; g < R->G; g++) {
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, B[g], D[g], 0.0, BD);
    mul_tn(D[g], BD, Mg);
    gsl_matrix_scale(Mg, R->g[g].f);
    gsl_matrix_add(M, Mg);
  }
  gsl_matrix_free(BD);
  gsl_matrix_free(Mg);
  return VAGAP_OK;
}

/* ---- the baseline (independence) model in h1 coordinates -------------------------------- */

/*
 * lavaan's baseline: per group the variances (and, with a mean structure,
 * the means) of the variables other than the fixed.x covariates are free,
 * and so are the covariances among exogenous covariates that are not fixed.x;
 * its solution is Sigma_b = diag(S) with the exogenous block of S, mu = ybar.
 * Delta_b is a selection (one column per free element, groups apart); at that
 * solution the observed information equals the expected one.
 */
typedef struct {
  size_t K;
  gsl_matrix **D, **A, **B1; /* per group */
} baseline_t;

static void baseline_free(baseline_t *b, size_t G) {
  for (size_t g = 0; g < G; g++) {
    if (b->D && b->D[g]) gsl_matrix_free(b->D[g]);
    if (b->A && b->A[g]) gsl_matrix_free(b->A[g]);
    if (b->B1 && b->B1[g]) gsl_matrix_free(b->B1[g]);
  }
  free(b->D);
  free(b->A);
  free(b->B1);
}

static int baseline_free_element(const robust_t *R, size_t k) {
  const vagap_sem_model_t *m = R->model;
  size_t p = R->L.p, o = R->L.ms * p;
  if (k < o) return !m->ov_is_x[k];
  size_t i = R->L.vi[k - o], j = R->L.vj[k - o];
  if (i == j) return !m->ov_is_x[i];
  return m->ov_exo[i] && m->ov_exo[j] && !m->ov_is_x[i] && !m->ov_is_x[j];
}

static vagap_status_t baseline_build(const robust_t *R, baseline_t *b, int want_b1, vagap_error_t *err) {
  size_t G = R->G, p = R->L.p, ps = R->L.ps, per = 0;
  for (size_t k = 0; k < ps; k++) per += (size_t)baseline_free_element(R, k);
  b->K = per * G;
  b->D = calloc(G, sizeof *b->D);
  b->A = calloc(G, sizeof *b->A);
  b->B1 = calloc(G, sizeof *b->B1);
  if (!b->D || !b->A || !b->B1) return oom(err);
  gsl_matrix *W = gsl_matrix_alloc(p, p);
  if (!W) return oom(err);
  vagap_status_t st = VAGAP_OK;
  for (size_t g = 0; g < G && !st; g++) {
    const rgroup_t *rg = &R->g[g];
    if (!(b->D[g] = gsl_matrix_calloc(ps, b->K)) || !(b->A[g] = gsl_matrix_alloc(ps, ps)) ||
        (want_b1 && !(b->B1[g] = gsl_matrix_alloc(ps, ps)))) {
      st = oom(err);
      break;
    }
    for (size_t k = 0, c = g * per; k < ps; k++)
      if (baseline_free_element(R, k)) gsl_matrix_set(b->D[g], k, c++, 1.0);
    for (size_t i = 0; i < p; i++)
      for (size_t j = 0; j < p; j++) {
        int keep = i == j || (R->model->ov_exo[i] && R->model->ov_exo[j]);
        gsl_matrix_set(W, i, j, keep ? gsl_matrix_get(rg->S, i, j) : 0);
      }
    if (spd_invert(W)) {
      st = vagap_error_set(err, VAGAP_EDOMAIN, NULL, 0, 0, "the baseline model's covariance matrix is singular");
      break;
    }
    h1_expected(&R->L, W, b->A[g]);
    if (want_b1) st = first_order(&R->L, rg->Y, rg->ybar, W, b->B1[g], err);
  }
  gsl_matrix_free(W);
  return st;
}

/* E_b^-1 for the baseline: E_b = sum_g f_g Delta_b' A_b Delta_b. */
static vagap_status_t baseline_einv(const robust_t *R, const baseline_t *b, gsl_matrix *H, vagap_error_t *err) {
  vagap_status_t st = sandwich_meat(R, b->A, b->D, b->K, H, err);
  if (!st && spd_invert(H))
    st = vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0, "the baseline model's information matrix is singular");
  return st;
}

/* ---- observed information --------------------------------------------------------------- */

/* The Hessian of F at x by Richardson differences of the analytic gradient (lavaan: lav_model_hessian). */
static vagap_status_t observed_information(sem_ws_t *ws, const double *x, size_t K, gsl_matrix *Hs,
                                           vagap_error_t *err) {
  double *xx = malloc(K * sizeof *xx), *g[4];
  for (int i = 0; i < 4; i++) g[i] = malloc(K * sizeof *g[i]);
  vagap_status_t st = VAGAP_OK;
  if (!xx || !g[0] || !g[1] || !g[2] || !g[3]) st = oom(err);
  static const double steps[4] = {-2, -1, 1, 2};
  for (size_t k = 0; !st && k < K; k++) {
    double h = 1e-5 * (fabs(x[k]) > 1 ? fabs(x[k]) : 1);
    for (int s = 0; s < 4; s++) {
      memcpy(xx, x, K * sizeof *xx);
      xx[k] += steps[s] * h;
      if (!isfinite(sem_ws_objective(ws, xx, g[s]))) {
        st = vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0,
                             "the observed information cannot be computed: the implied covariance matrix "
                             "is not positive definite next to the solution");
        break;
      }
    }
    for (size_t j = 0; !st && j < K; j++)
      gsl_matrix_set(Hs, j, k, (g[0][j] - 8 * g[1][j] + 8 * g[2][j] - g[3][j]) / (12 * h));
  }
  for (size_t i = 0; !st && i < K; i++)
    for (size_t j = 0; j < i; j++) {
      double v = 0.5 * (gsl_matrix_get(Hs, i, j) + gsl_matrix_get(Hs, j, i));
      gsl_matrix_set(Hs, i, j, v);
      gsl_matrix_set(Hs, j, i, v);
    }
  sem_ws_objective(ws, x, NULL); /* leave the workspace at the solution */
  free(xx);
  for (int i = 0; i < 4; i++) free(g[i]);
  return st;
}

/* ---- fit measures from a scaled test ------------------------------------------------------ */

typedef struct {
  double stat, df, pvalue, c, shift, trace;  /* scaled statistic, its df, p, scaling factor, shift, tr(U Gamma) */
} scaled_t;

/* lavaan's scaled statistic of X2 (df) from tr(U Gamma) (and tr((U Gamma)^2)). */
static scaled_t scale_test(vagap_sem_test_t test, double X2, double df, double tr1, double tr2, double f_shift) {
  scaled_t s = {X2, df, NAN, NAN, NAN, tr1};
  (void)f_shift;
  if (!(df > 0)) return s; /* lavaan: the standard test with scaling factor NA */
  switch (test) {
    case VAGAP_SEM_TEST_MEAN_VAR_ADJUSTED:
      s.df = tr1 * tr1 / tr2;
      s.c = tr1 / s.df;
      s.stat = X2 / s.c;
      break;
    case VAGAP_SEM_TEST_SCALED_SHIFTED: {
      double a = sqrt(df / tr2);
      s.c = 1 / a;
      s.shift = df - a * tr1;
      s.stat = X2 * a + s.shift;
      break;
    }
    default:
      s.c = tr1 / df;
      s.stat = X2 / s.c;
      break;
  }
  if (s.c < 0) s.c = NAN;
  s.pvalue = gsl_cdf_chisq_Q(s.stat, s.df);
  return s;
}

static double cfi_c(double X2, double df, double X2b, double dfb, double c, double cb) {
  if (isnan(X2) || isnan(df) || isnan(X2b) || isnan(dfb) || isnan(c) || isnan(cb)) return NAN;
  if (!(df > 0 && c != 1 && cb != 1)) c = cb = 1;
  double t1 = fmax(X2 - c * df, 0), t2 = fmax(fmax(X2 - c * df, X2b - cb * dfb), 0);
  if (fabs(t1) < 1.5e-8 && fabs(t2) < 1.5e-8) return 1; /* all.equal(t, 0) */
  return 1 - t1 / t2;
}

static double tli_c(double X2, double df, double X2b, double dfb, double c, double cb) {
  if (isnan(X2) || isnan(df) || isnan(X2b) || isnan(dfb) || isnan(c) || isnan(cb)) return NAN;
  if (!(df > 0 && c != 1 && cb != 1)) c = cb = 1;
  double t1 = (X2 - c * df) * dfb, t2 = (X2b - cb * dfb) * df;
  if (df > 0 && fabs(t2) > 0) return 1 - t1 / t2;
  if (!isfinite(t1) || !isfinite(t2)) return NAN;
  return 1;
}

static double rni_c(double X2, double df, double X2b, double dfb, double c, double cb) {
  if (isnan(X2) || isnan(df) || isnan(X2b) || isnan(dfb) || isnan(c) || isnan(cb)) return NAN;
  if (!(df > 0 && c != 1 && cb != 1)) c = cb = 1;
  double t1 = X2 - c * df, t2 = X2b - cb * dfb;
  if (fabs(t2) < 1.5e-8 || !isfinite(t1) || !isfinite(t2)) return NAN;
  return 1 - t1 / t2;
}

static double rmsea_c(double X2, double df, double N, double G, double c) {
  if (isnan(X2) || isnan(df)) return NAN;
  return df > 0 ? sqrt(fmax(X2 / N / df - c / N, 0)) * sqrt(G) : 0;
}

/* lavaan's lav_fit_rmsea_ci at level 0.90 with c.hat */
static void rmsea_ci_c(double X2, double df, double N, double G, double c, double *lo, double *hi) {
  if (!isfinite(X2) || !isfinite(df)) {
    *lo = *hi = NAN;
    return;
  }
  if (df < 1 || sem_pchisq_nc(X2, df, 0) - 0.95 < 0) *lo = 0;
  else *lo = sqrt(c * sem_ncp_solve(X2, df, 0.95, 0, X2) / (N * df)) * (G > 1 ? sqrt(G) : 1);
  double NR = fmax(N, X2 * 4);
  if (df < 1 || sem_pchisq_nc(X2, df, NR) - 0.05 > 0 || sem_pchisq_nc(X2, df, 0) - 0.05 < 0) *hi = 0;
  else *hi = sqrt(c * sem_ncp_solve(X2, df, 0.05, 0, NR) / (N * df)) * (G > 1 ? sqrt(G) : 1);
}

/* close fit (upper = 1: P(X > x), h0 0.05) and not-close fit (upper = 0: P(X <= x), h0 0.08) */
static double rmsea_p_c(double X2, double df, double N, double G, double c, double h0, int upper) {
  if (!isfinite(X2) || !isfinite(df) || !(df > 0)) return NAN;
  double P = sem_pchisq_nc(X2, df, N * df / c * h0 * h0 / G);
  return upper ? 1 - P : P;
}

static void scaled_measures(vagap_sem_measures_t *f, vagap_sem_test_t test, const scaled_t *u, const scaled_t *b,
                            double N, double G) {
  f->chisq_scaled = u->stat;
  f->df_scaled = u->df;
  f->pvalue_scaled = u->pvalue;
  f->chisq_scaling_factor = u->c;
  f->chisq_shift_parameter = u->shift;
  f->baseline_chisq_scaled = b->stat;
  f->baseline_df_scaled = b->df;
  f->baseline_pvalue_scaled = b->pvalue;
  f->baseline_chisq_scaling_factor = b->c;
  double X2 = f->chisq, df = f->df, X2b = f->baseline_chisq, dfb = f->baseline_df;
  f->cfi_scaled = cfi_c(u->stat, u->df, b->stat, b->df, 1, 1);
  f->tli_scaled = tli_c(u->stat, u->df, b->stat, b->df, 1, 1);
  f->nnfi_scaled = f->tli_scaled;
  f->rfi_scaled = sem_fit_rfi(u->stat, u->df, b->stat, b->df);
  f->nfi_scaled = sem_fit_nfi(u->stat, u->df, b->stat, b->df);
  f->pnfi_scaled = sem_fit_pnfi(u->stat, u->df, b->stat, b->df);
  f->ifi_scaled = sem_fit_ifi(u->stat, u->df, b->stat, b->df);
  f->rni_scaled = sem_fit_rni(u->stat, u->df, b->stat, b->df);
  /* rmsea.scaled: the unscaled X2 over tr(U Gamma) (scaled.shifted: the shifted statistic) */
  int ss = test == VAGAP_SEM_TEST_SCALED_SHIFTED;
  double XX2 = ss ? u->stat : X2, df2 = ss ? df : u->trace;
  if (!ss && (!isfinite(df2) || df2 == 0)) df2 = NAN;
  f->rmsea_scaled = rmsea_c(XX2, df2, N, G, 1);
  rmsea_ci_c(XX2, df2, N, G, 1, &f->rmsea_ci_lower_scaled, &f->rmsea_ci_upper_scaled);
  f->rmsea_pvalue_scaled = rmsea_p_c(XX2, df2, N, G, 1, 0.05, 1);
  f->rmsea_notclose_pvalue_scaled = rmsea_p_c(XX2, df2, N, G, 1, 0.08, 0);
  /* .robust (Brosseau-Liard & Savalei): not for mean.var.adjusted, as lavaan */
  if (test == VAGAP_SEM_TEST_MEAN_VAR_ADJUSTED) return;
  double chat = u->c, chatb = b->c, chat3 = chat;
  if (ss) {
    chat = chat3 = u->c * (df - u->shift) / df;
    chatb = b->c * (dfb - b->shift) / dfb;
  }
  f->cfi_robust = cfi_c(X2, df, X2b, dfb, chat, chatb);
  f->tli_robust = tli_c(X2, df, X2b, dfb, chat, chatb);
  f->nnfi_robust = f->tli_robust;
  f->rni_robust = rni_c(X2, df, X2b, dfb, chat, chatb);
  f->rmsea_robust = rmsea_c(X2, df, N, G, chat3);
  double cr = u->c; /* the CI and p-values use the scaling factor itself */
  rmsea_ci_c(u->stat, df, N, G, cr, &f->rmsea_ci_lower_robust, &f->rmsea_ci_upper_robust);
  f->rmsea_pvalue_robust = rmsea_p_c(u->stat, df, N, G, cr, 0.05, 1);
  f->rmsea_notclose_pvalue_robust = rmsea_p_c(u->stat, df, N, G, cr, 0.08, 0);
}

/* ---- entry points -------------------------------------------------------------------------- */

static int wants_rows(const vagap_sem_fit_options_t *opt) {
  return opt->se == VAGAP_SEM_SE_ROBUST_SEM || opt->se == VAGAP_SEM_SE_ROBUST_HUBER_WHITE ||
         (opt->test != VAGAP_SEM_TEST_STANDARD && opt->test != VAGAP_SEM_TEST_NONE) ||
         opt->information == VAGAP_SEM_INFORMATION_FIRST_ORDER;
}

vagap_status_t sem_robust_check(const vagap_sem_fit_options_t *opt, const vagap_sem_data_t *data,
                                vagap_error_t *err) {
  if (!wants_rows(opt) || data) return VAGAP_OK;
  return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                         "--estimator %s (--se %s, --test %s, --information %s) needs the raw data rows "
                         "(casewise scores and fourth moments), not sample statistics: fit DATA instead "
                         "of --from-stats", vagap_sem_estimator_name(opt->estimator), vagap_sem_se_name(opt->se),
                         vagap_sem_test_name(opt->test), vagap_sem_information_name(opt->information));
}

static void measures_init(vagap_sem_measures_t *f) {
  double *v[] = {&f->chisq_scaled, &f->df_scaled, &f->pvalue_scaled, &f->chisq_scaling_factor,
                 &f->chisq_shift_parameter, &f->baseline_chisq_scaled, &f->baseline_df_scaled,
                 &f->baseline_pvalue_scaled, &f->baseline_chisq_scaling_factor, &f->cfi_scaled, &f->tli_scaled,
                 &f->cfi_robust, &f->tli_robust, &f->nnfi_scaled, &f->rfi_scaled, &f->nfi_scaled, &f->pnfi_scaled,
                 &f->ifi_scaled, &f->rni_scaled, &f->nnfi_robust, &f->rni_robust, &f->scaling_factor_h1,
                 &f->scaling_factor_h0, &f->rmsea_scaled, &f->rmsea_ci_lower_scaled, &f->rmsea_ci_upper_scaled,
                 &f->rmsea_pvalue_scaled, &f->rmsea_notclose_pvalue_scaled, &f->rmsea_robust,
                 &f->rmsea_ci_lower_robust, &f->rmsea_ci_upper_robust, &f->rmsea_pvalue_robust,
                 &f->rmsea_notclose_pvalue_robust};
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) *v[i] = NAN;
}

/* vcov = N vb M vb (lavaan: E.inv M E.inv / N with E.inv = N vb) */
static vagap_status_t sandwich_vcov(const double *vb, const gsl_matrix *M, size_t K, double N, double *vcov,
                                    vagap_error_t *err) {
  gsl_matrix *T = gsl_matrix_alloc(K, K), *O = gsl_matrix_alloc(K, K);
  if (!T || !O) {
    if (T) gsl_matrix_free(T);
    if (O) gsl_matrix_free(O);
    return oom(err);
  }
  gsl_matrix_const_view B = gsl_matrix_const_view_array(vb, K, K);
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &B.matrix, M, 0.0, T);
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, N, T, &B.matrix, 0.0, O);
  for (size_t a = 0; a < K; a++)
    for (size_t b = 0; b < K; b++) vcov[a * K + b] = 0.5 * (gsl_matrix_get(O, a, b) + gsl_matrix_get(O, b, a));
  gsl_matrix_free(T);
  gsl_matrix_free(O);
  return VAGAP_OK;
}

vagap_status_t sem_robust_finish(sem_ws_t *ws, sem_con_t *con, vagap_sem_fit_t *fit, const gsl_matrix *info,
                                 const vagap_sem_fit_options_t *opt, const vagap_sem_data_t *data,
                                 vagap_error_t *err) {
  vagap_sem_measures_t *f = &fit->fit;
  measures_init(f);
  fit->options = *opt;
  f->test = (int)opt->test;
  size_t K = fit->model->npar, G = fit->model->ngroups;
  int scaled = opt->test != VAGAP_SEM_TEST_STANDARD && opt->test != VAGAP_SEM_TEST_NONE;
  int robust_se = opt->se == VAGAP_SEM_SE_ROBUST_SEM || opt->se == VAGAP_SEM_SE_ROBUST_HUBER_WHITE;
  if (!scaled && !robust_se && opt->information == VAGAP_SEM_INFORMATION_EXPECTED) return VAGAP_OK;
  if (K == 0) return VAGAP_OK;
  robust_t R = {0};
  R.ws = ws;
  R.model = fit->model;
  R.G = G;
  R.K = K;
  vagap_status_t st = VAGAP_OK;
  double *vb = malloc(K * K * sizeof *vb);
  gsl_matrix *E = gsl_matrix_alloc(K, K), *Einv = gsl_matrix_alloc(K, K), *M = gsl_matrix_alloc(K, K);
  gsl_matrix **Ds = calloc(G, sizeof *Ds), **As = calloc(G, sizeof *As), **Bs = calloc(G, sizeof *Bs);
  gsl_matrix *W = NULL;
  gsl_vector *mu = NULL;
  baseline_t base = {0};
  R.g = calloc(G, sizeof *R.g);
  if (!vb || !E || !Einv || !M || !Ds || !As || !Bs || !R.g ||
      layout_init(&R.L, fit->model->nov, fit->model->meanstructure, fit->model->ov_is_x)) {
    st = oom(err);
    goto done;
  }
  size_t p = R.L.p, ps = R.L.ps;
  if (!(W = gsl_matrix_alloc(p, p)) || !(mu = gsl_vector_alloc(p))) { st = oom(err); goto done; }
  int need_rows = wants_rows(opt);
  int need_gamma = opt->se == VAGAP_SEM_SE_ROBUST_SEM || (scaled && opt->test != VAGAP_SEM_TEST_YUAN_BENTLER_MPLUS);
  int need_b1 = opt->se == VAGAP_SEM_SE_ROBUST_HUBER_WHITE || opt->test == VAGAP_SEM_TEST_YUAN_BENTLER_MPLUS ||
                opt->information == VAGAP_SEM_INFORMATION_FIRST_ORDER;
  if (opt->test == VAGAP_SEM_TEST_YUAN_BENTLER_MPLUS) need_gamma = 1; /* its h1 trace is tr(A1 Gamma) */
  if (need_rows && (st = load_rows(&R, data, err))) goto done;
  for (size_t g = 0; need_rows && g < G && !st; g++) {
    rgroup_t *rg = &R.g[g];
    rg->f = sem_ws_nobs(ws, g) / fit->fit.ntotal;
    if ((st = delta_group(&R, fit->x, g, err))) break;
    if ((st = implied_inverse(&R, fit->x, g, W, mu, err))) break;
    if (!(rg->A = gsl_matrix_alloc(ps, ps))) { st = oom(err); break; }
    h1_expected(&R.L, W, rg->A);
    if (need_gamma) {
      if (!(rg->Gam = gsl_matrix_alloc(ps, ps))) { st = oom(err); break; }
      if ((st = h1_gamma(&R.L, rg->Y, rg->Gam, err))) break;
    }
    if (need_b1) {
      if (!(rg->B1 = gsl_matrix_alloc(ps, ps))) { st = oom(err); break; }
      if ((st = first_order(&R.L, rg->Y, mu, W, rg->B1, err))) break;
    }
    Ds[g] = rg->D;
    As[g] = rg->A;
    Bs[g] = rg->B1;
  }
  if (st) goto done;
  /* the bread: the information matrix of the standard errors */
  switch (opt->information) {
    case VAGAP_SEM_INFORMATION_OBSERVED: st = observed_information(ws, fit->x, K, E, err); break;
    case VAGAP_SEM_INFORMATION_FIRST_ORDER: st = sandwich_meat(&R, Bs, Ds, K, E, err); break;
    default: gsl_matrix_memcpy(E, info); break;
  }
  if (!st) st = sem_ws_vcov(ws, con, fit->x, E, fit->model, vb, err);
  if (st) goto done;
  double N = fit->fit.ntotal;
  for (size_t a = 0; a < K; a++)
    for (size_t b = 0; b < K; b++) gsl_matrix_set(Einv, a, b, N * vb[a * K + b]);
  /* standard errors */
  if (opt->se == VAGAP_SEM_SE_ROBUST_HUBER_WHITE) {
    if (!(st = sandwich_meat(&R, Bs, Ds, K, M, err))) st = sandwich_vcov(vb, M, K, N, fit->vcov, err);
  } else if (opt->se != VAGAP_SEM_SE_ROBUST_SEM) {
    memcpy(fit->vcov, vb, K * K * sizeof *vb);
  }
  if (st || !scaled) {
    if (!st && opt->se == VAGAP_SEM_SE_ROBUST_SEM) {
      double t1;
      if (!(st = ugamma(&R, As, Ds, K, Einv, &t1, NULL, M, err))) st = sandwich_vcov(vb, M, K, N, fit->vcov, err);
    }
    goto done;
  }
  /* scaled tests: user model and baseline */
  int satt = opt->test == VAGAP_SEM_TEST_MEAN_VAR_ADJUSTED || opt->test == VAGAP_SEM_TEST_SCALED_SHIFTED;
  int ybm = opt->test == VAGAP_SEM_TEST_YUAN_BENTLER_MPLUS;
  if ((st = baseline_build(&R, &base, ybm, err))) goto done;
  gsl_matrix *Hb = gsl_matrix_alloc(base.K ? base.K : 1, base.K ? base.K : 1),
             *Mb = gsl_matrix_alloc(base.K ? base.K : 1, base.K ? base.K : 1);
  double tr1 = NAN, tr2 = NAN, tb1 = NAN, tb2 = NAN;
  if (!Hb || !Mb) st = oom(err);
  if (!st && base.K) st = baseline_einv(&R, &base, Hb, err);
  if (!st && opt->se == VAGAP_SEM_SE_ROBUST_SEM) {
    double t1;
    if (!(st = ugamma(&R, As, Ds, K, Einv, &t1, NULL, M, err))) st = sandwich_vcov(vb, M, K, N, fit->vcov, err);
  }
  if (!st && !ybm) {
    st = ugamma(&R, As, Ds, K, Einv, &tr1, satt ? &tr2 : NULL, M, err);
    if (!st && base.K) st = ugamma(&R, base.A, base.D, base.K, Hb, &tb1, satt ? &tb2 : NULL, Mb, err);
  } else if (!st) {
    /* h1 part: sum_g tr(B1u A1u^-1) = sum_g tr(A1u Gamma) at the sample moments */
    double h1 = 0, ndat = 0, h0 = 0, h0b = 0;
    gsl_matrix *A1 = gsl_matrix_alloc(ps, ps);
    if (!A1) st = oom(err);
    for (size_t g = 0; !st && g < G; g++) {
      gsl_matrix_memcpy(W, R.g[g].S);
      if (spd_invert(W)) {
        st = vagap_error_set(err, VAGAP_EDOMAIN, NULL, 0, 0, "a sample covariance matrix is singular");
        break;
      }
      h1_expected(&R.L, W, A1);
      h1 += trace_prod(A1, R.g[g].Gam);
      for (size_t k = 0; k < ps; k++) ndat += !h1_is_x(&R.L, k);
    }
    if (A1) gsl_matrix_free(A1);
    if (!st) st = sandwich_meat(&R, Bs, Ds, K, M, err);
    if (!st) h0 = trace_prod(M, Einv);
    if (!st && base.K) {
      if (!(st = sandwich_meat(&R, base.B1, base.D, base.K, Mb, err))) h0b = trace_prod(Mb, Hb);
    }
    tr1 = h1 - h0;
    tb1 = h1 - h0b;
    f->scaling_factor_h1 = h1 / ndat;
    /* lavaan divides by nx.free: one parameter per free row (equal labels are
       equality constraints there, shared parameters here) */
    size_t nfree = 0;
    for (size_t r = 0; r < fit->model->nrows; r++)
      nfree += fit->model->rows[r].free && fit->model->rows[r].op != VAGAP_SEM_DEFINED;
    f->scaling_factor_h0 = h0 / (double)nfree;
  }
  if (!st) {
    scaled_t u = scale_test(opt->test, f->chisq, f->df, tr1, tr2, 0);
    scaled_t b = scale_test(opt->test, f->baseline_chisq, f->baseline_df, tb1, tb2, 0);
    scaled_measures(f, opt->test, &u, &b, ws ? fit->fit.ntotal : N, (double)G);
    for (size_t g = 0; g < G && f->chisq_group_scaled; g++) {
      double fg = R.g[g].f;
      if (opt->test == VAGAP_SEM_TEST_SCALED_SHIFTED)
        f->chisq_group_scaled[g] = f->chisq_group[g] / u.c + fg * u.shift;
      else
        f->chisq_group_scaled[g] = isnan(u.c) ? f->chisq_group[g] : f->chisq_group[g] / u.c;
    }
  }
  if (Hb) gsl_matrix_free(Hb);
  if (Mb) gsl_matrix_free(Mb);
done:
  baseline_free(&base, G);
  if (W) gsl_matrix_free(W);
  if (mu) gsl_vector_free(mu);
  free(vb);
  if (E) gsl_matrix_free(E);
  if (Einv) gsl_matrix_free(Einv);
  if (M) gsl_matrix_free(M);
  free(Ds);
  free(As);
  free(Bs);
  robust_free(&R);
  return st;
}
