/*
 * sem_hessian.c - lavaan's observed information: the Hessian of the fit
 * function F = sum_g n_g/N F_g at the estimates.
 *
 * lavaan (lav_model_hessian, 0.6) differentiates its analytic gradient
 * numerically: for each free parameter j, with a fixed absolute step h = 1e-6,
 * the 4-point Richardson formula
 *   H[, j] = (g(x - 2h e_j) - 8 g(x - h e_j) + 8 g(x + h e_j) - g(x + 2h e_j)) / (12 h)
 * then H = (H + H') / 2.  sem_ws_hessian_numeric does the same for whatever
 * discrepancy the workspace has installed (FIML over patterns), which is why
 * the same code gives `--information observed` for complete and missing data.
 *
 * For ML from the sample moments (complete data) the Hessian has a closed
 * form, which is what lavaan's differences approximate (to about 1e-9
 * relative): 4 gradients per free parameter cost more than the whole fit.
 * With W = Sigma^-1, d = ybar - mu, C = S + d d', P = W C W,
 * Omega = W - P and v = W d, F_g = 1/2 [log|Sigma| + tr(S W) + d' W d] + const
 * has, for parameters a and b (Sigma_a = dSigma/da, mu_a = dmu/da, ...),
 *   d2F_g/da db = - 1/2 tr(W Sigma_a W Sigma_b) + tr(W Sigma_a P Sigma_b)
 *                 + v' Sigma_a W mu_b + v' Sigma_b W mu_a + mu_a' W mu_b
 *                 + 1/2 tr(Omega Sigma_ab) - v' mu_ab.
 * The first line needs only the rank-2 forms dSigma_r = alpha (x y' + y x'),
 * dmu_r = mc FB[:, mi] of the model rows (sem_rank2_t): every trace is a sum of
 * products of x' W y and x' P y, read from Gram matrices of the F and S
 * vectors.  The second line needs the second derivatives of the RAM form
 * Sigma = F B Smat B' F', mu = F B m, B = (I - A)^-1, with
 * dB/dA_ij = B E_ij B: for rows (i, j) and (k, l) (N, M, Bm, u as sem_ram_t,
 * T = B Smat B')
 *   A_ij, A_kl:  B_li M_jk + B_jk M_li + N_ki T_jl - u_k B_li Bm_j - u_i B_jk Bm_l
 *   A_ij, Smat_kl:  B_jk N_li + B_jl N_ki   (k != l; B_jk N_ki if k = l)
 *   A_ij, m_k:   - u_i B_jk
 * and zero for the other pairs (Sigma and mu are linear in Smat and m).
 * The cost is O(md^2 p) per group (dense products, hess_group_exact; the
 * bootstrap's metric skips the RAM matrices' zeros instead, hess_group_sparse)
 * and O(1) per pair of rows.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>

#include "sem_internal.h"

static vagap_status_t not_pd(vagap_error_t *err) {
  return vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0,
                         "the observed information cannot be computed: the implied covariance matrix "
                         "is not positive definite next to the solution");
}

/*
 * The nonzeros of a matrix in row-major order.  FB, B and Smat B' are mostly
 * zeros (a loading pattern, the paths, a diagonal of variances), so products
 * with them skip the zeros; each entry of a product is still the sum of its
 * nonzero terms in increasing order of the inner index, as a dense product's.
 */
typedef struct {
  size_t n;
  size_t *i, *j;
  double *x;
} nz_t;

static void nz_free(nz_t *z) {
  free(z->i);
  free(z->j);
  free(z->x);
}

static int nz_alloc(nz_t *z, size_t cap) {
  z->n = 0;
  z->i = malloc(cap * sizeof *z->i);
  z->j = malloc(cap * sizeof *z->j);
  z->x = malloc(cap * sizeof *z->x);
  return z->i && z->j && z->x ? 0 : -1;
}

static void nz_of(nz_t *z, const gsl_matrix *A) {
  z->n = 0;
  for (size_t i = 0; i < A->size1; i++)
    for (size_t j = 0; j < A->size2; j++) {
      double a = A->data[i * A->tda + j];
      if (a == 0) continue;
      z->i[z->n] = i;
      z->j[z->n] = j;
      z->x[z->n++] = a;
    }
}

/* out = Z D (trans = 0) or Z' D (trans = 1), Z sparse, D dense. */
static void nz_left(const nz_t *z, int trans, const gsl_matrix *D, gsl_matrix *out) {
  size_t c = D->size2;
  gsl_matrix_set_zero(out);
  for (size_t e = 0; e < z->n; e++) {
    size_t r = trans ? z->j[e] : z->i[e], k = trans ? z->i[e] : z->j[e];
    double a = z->x[e], *restrict o = out->data + r * out->tda;
    const double *restrict d = D->data + k * D->tda;
    for (size_t l = 0; l < c; l++) o[l] += a * d[l];
  }
}

/* out = D Z, D dense, Z sparse. */
static void nz_right(const gsl_matrix *D, const nz_t *z, gsl_matrix *out) {
  gsl_matrix_set_zero(out);
  for (size_t r = 0; r < D->size1; r++) {
    const double *restrict d = D->data + r * D->tda;
    double *restrict o = out->data + r * out->tda;
    for (size_t e = 0; e < z->n; e++) o[z->j[e]] += d[z->i[e]] * z->x[e];
  }
}

/* One group's products for the closed form (md x md unless said otherwise).  The Gram
   matrices X_s' W X_t are the blocks (s, t) of one 2md x 2md matrix GWall (GPall for P),
   so that a vector of type t and index i is row or column t md + i of it. */
typedef struct {
  nz_t FB, B, Y;           /* the nonzeros of FB, B and Y = Smat B' */
  gsl_matrix *WF, *FW;     /* p x md: W FB; md x p: FB' W */
  gsl_matrix *GWall, *GPall;
  gsl_matrix_view GW[2][2]; /* X_s' W X_t */
  gsl_matrix_view GP[2][2]; /* X_s' P X_t */
  gsl_matrix *T, *tmp;
  gsl_vector *pv;          /* 2md: X_t' v at t md + i */
  /* the sparse products' room for the S vectors the rows use (hess_group_sparse) */
  size_t *J, nJ;           /* their indices, increasing */
  unsigned char *used;     /* md: used[j] when S vector j is among them */
  nz_t YJ;                 /* the nonzeros of Y[:, J] (md x nJ) */
  gsl_matrix *YJd, *GYJ, *YGYJ, *TJ; /* md x md room: Y[:, J], G Y[:, J], Y[:, J]' G Y[:, J], T[J, J] */
  /* the dense products' room (hess_group_exact) */
  gsl_matrix *X1;          /* p x md: the S vectors, BSFt' */
  gsl_matrix *WX[2];       /* p x md: W FB, W BSFt' */
  gsl_matrix *CWX[2];      /* p x md: C W FB, C W BSFt' */
  gsl_matrix *C;           /* p x p: S + d d' */
} hess_group_t;

static void hess_group_free(hess_group_t *h) {
  gsl_matrix *m[] = {h->WF, h->FW, h->GWall, h->GPall, h->T, h->tmp,
                     h->X1, h->WX[0], h->WX[1], h->CWX[0], h->CWX[1], h->C};
  for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
    if (m[i]) gsl_matrix_free(m[i]);
  if (h->pv) gsl_vector_free(h->pv);
  gsl_matrix *q[] = {h->YJd, h->GYJ, h->YGYJ, h->TJ};
  for (size_t i = 0; i < sizeof q / sizeof q[0]; i++)
    if (q[i]) gsl_matrix_free(q[i]);
  free(h->J);
  free(h->used);
  nz_free(&h->YJ);
  nz_free(&h->FB);
  nz_free(&h->B);
  nz_free(&h->Y);
}

static int hess_group_alloc(hess_group_t *h, size_t p, size_t md) {
  memset(h, 0, sizeof *h);
  int ok = !nz_alloc(&h->FB, p * md) && !nz_alloc(&h->B, md * md) && !nz_alloc(&h->Y, md * md) &&
           (h->WF = gsl_matrix_alloc(p, md)) && (h->FW = gsl_matrix_alloc(md, p)) &&
           (h->GWall = gsl_matrix_alloc(2 * md, 2 * md)) && (h->GPall = gsl_matrix_alloc(2 * md, 2 * md)) &&
           (h->T = gsl_matrix_alloc(md, md)) && (h->tmp = gsl_matrix_alloc(md, md)) &&
           (h->pv = gsl_vector_alloc(2 * md)) && (h->X1 = gsl_matrix_alloc(p, md)) &&
           (h->WX[0] = gsl_matrix_alloc(p, md)) && (h->WX[1] = gsl_matrix_alloc(p, md)) &&
           (h->CWX[0] = gsl_matrix_alloc(p, md)) && (h->CWX[1] = gsl_matrix_alloc(p, md)) &&
           (h->C = gsl_matrix_alloc(p, p)) && !nz_alloc(&h->YJ, md * md) && (h->J = malloc(md * sizeof *h->J)) &&
           (h->used = malloc(md)) && (h->YJd = gsl_matrix_alloc(md, md)) && (h->GYJ = gsl_matrix_alloc(md, md)) &&
           (h->YGYJ = gsl_matrix_alloc(md, md)) && (h->TJ = gsl_matrix_alloc(md, md));
  for (size_t s = 0; ok && s < 2; s++)
    for (size_t t = 0; t < 2; t++) {
      h->GW[s][t] = gsl_matrix_submatrix(h->GWall, s * md, t * md, md, md);
      h->GP[s][t] = gsl_matrix_submatrix(h->GPall, s * md, t * md, md, md);
    }
  return ok ? 0 : -1;
}

/*
 * The Gram matrices, projections and second-derivative factors of group r.
 * The S vectors are X1 = BSFt' = FB Y with Y = Smat B' (md x md), so every
 * Gram matrix comes from the two md x md ones of the F vectors X0 = FB:
 * G = FB' W FB and FB' P FB = G - N (P = W C W = W - Omega, and the
 * objective left N = FB' Omega FB):
 *   X0' W X1 = G Y,  X1' W X1 = Y' G Y  (likewise with G - N for P),
 *   X0' v = u,  X1' v = Y' u,  T = B Smat B' = B Y.
 * The rows read S vectors j of J only (the columns of their A entries), and T
 * at J x J only, so only Y's columns J are formed: Y[:, j] = Smat B[j, :]'.
 * Nothing p x p x md remains; the products with FB, B and Y skip their zeros.
 * Entries of X1 and T outside J are left unset.
 */
static void hess_group_sparse(const sem_ram_t *r, hess_group_t *h, const sem_rank2_t *forms, size_t n) {
  size_t md = r->md, nJ = 0;
  memset(h->used, 0, md);
  for (size_t a = 0; a < n; a++) {
    if (forms[a].alpha == 0) continue;
    if (forms[a].xt) h->used[forms[a].xi] = 1;
    if (forms[a].yt) h->used[forms[a].yi] = 1;
  }
  for (size_t j = 0; j < md; j++)
    if (h->used[j]) h->J[nJ++] = j;
  h->nJ = nJ;
  nz_of(&h->FB, r->FB);
  /* W FB = (FB' W)' (W symmetric, stored whole) */
  nz_left(&h->FB, 1, r->SigInv, h->FW);
  gsl_matrix_transpose_memcpy(h->WF, h->FW);
  gsl_matrix *G = &h->GW[0][0].matrix, *Q = &h->GP[0][0].matrix;
  nz_left(&h->FB, 1, h->WF, G);
  gsl_matrix_memcpy(Q, G);
  gsl_matrix_sub(Q, r->N);
  if (nJ == 0) {
    gsl_vector_view pv0 = gsl_vector_subvector(h->pv, 0, md);
    gsl_vector_memcpy(&pv0.vector, r->u);
    return;
  }
  /* Y[:, J][k][c] = sum_l B[J[c]][l] Smat[l][k] over B's nonzeros (Smat symmetric) */
  gsl_matrix_view YJ = gsl_matrix_submatrix(h->YJd, 0, 0, md, nJ);
  gsl_matrix_set_zero(&YJ.matrix);
  for (size_t c = 0; c < nJ; c++) {
    const double *brow = r->B->data + h->J[c] * r->B->tda;
    for (size_t l = 0; l < md; l++) {
      if (brow[l] == 0) continue;
      const double *srow = r->Smat->data + l * r->Smat->tda;
      for (size_t k = 0; k < md; k++) YJ.matrix.data[k * YJ.matrix.tda + c] += brow[l] * srow[k];
    }
  }
  nz_of(&h->YJ, &YJ.matrix);
  gsl_matrix_view GY = gsl_matrix_submatrix(h->GYJ, 0, 0, md, nJ), YGY = gsl_matrix_submatrix(h->YGYJ, 0, 0, nJ, nJ);
  for (int k = 0; k < 2; k++) {
    gsl_matrix_view(*X)[2] = k ? h->GP : h->GW;
    nz_right(&X[0][0].matrix, &h->YJ, &GY.matrix);
    nz_left(&h->YJ, 1, &GY.matrix, &YGY.matrix);
    for (size_t c = 0; c < nJ; c++) {
      size_t j = h->J[c];
      for (size_t i = 0; i < md; i++) {
        double x = gsl_matrix_get(&GY.matrix, i, c);
        gsl_matrix_set(&X[0][1].matrix, i, j, x);
        gsl_matrix_set(&X[1][0].matrix, j, i, x);
      }
      for (size_t e = 0; e < nJ; e++) gsl_matrix_set(&X[1][1].matrix, j, h->J[e], gsl_matrix_get(&YGY.matrix, c, e));
    }
  }
  gsl_vector_view pv0 = gsl_vector_subvector(h->pv, 0, md);
  gsl_vector_memcpy(&pv0.vector, r->u);
  gsl_matrix_const_view u = gsl_matrix_const_view_vector(r->u, md, 1);
  gsl_matrix_view pvJ = gsl_matrix_submatrix(h->tmp, 0, 0, nJ, 1);
  nz_left(&h->YJ, 1, &u.matrix, &pvJ.matrix);
  for (size_t c = 0; c < nJ; c++) gsl_vector_set(h->pv, md + h->J[c], gsl_matrix_get(&pvJ.matrix, c, 0));
  /* T[J, J] = B[J, :] Y[:, J] */
  for (size_t c = 0; c < nJ; c++) {
    const double *brow = r->B->data + h->J[c] * r->B->tda;
    gsl_vector_view trow = gsl_matrix_subrow(h->TJ, c, 0, nJ);
    gsl_vector_set_zero(&trow.vector);
    for (size_t k = 0; k < md; k++) {
      if (brow[k] == 0) continue;
      for (size_t e = 0; e < nJ; e++)
        trow.vector.data[e] += brow[k] * YJ.matrix.data[k * YJ.matrix.tda + e];
    }
    for (size_t e = 0; e < nJ; e++) gsl_matrix_set(h->T, h->J[c], h->J[e], gsl_vector_get(&trow.vector, e));
  }
}

/*
 * The same quantities from the dense p x md vectors, as every printed standard error
 * (observed information, MLR, FIML's) and the fit's Newton end steps have them: their
 * sums run as they always did, so those numbers keep their last digits.
 * hess_group_sparse differs from them by rounding only (~1e-15 relative).
 */
static void hess_group_exact(const sem_ram_t *r, hess_group_t *h) {
  size_t p = r->p, md = r->md;
  gsl_matrix_transpose_memcpy(h->X1, r->BSFt);
  const gsl_matrix *X[2] = {r->FB, h->X1};
  for (size_t i = 0; i < p; i++)
    for (size_t j = 0; j < p; j++)
      gsl_matrix_set(h->C, i, j, gsl_matrix_get(r->S, i, j) + gsl_vector_get(r->d, i) * gsl_vector_get(r->d, j));
  for (size_t s = 0; s < 2; s++) {
    gsl_blas_dsymm(CblasLeft, CblasLower, 1.0, r->SigInv, X[s], 0.0, h->WX[s]);
    gsl_blas_dsymm(CblasLeft, CblasLower, 1.0, h->C, h->WX[s], 0.0, h->CWX[s]);
    gsl_vector_view pv = gsl_vector_subvector(h->pv, s * md, md);
    gsl_blas_dgemv(CblasTrans, 1.0, X[s], r->v, 0.0, &pv.vector);
  }
  for (size_t s = 0; s < 2; s++)
    for (size_t t = s; t < 2; t++) {
      gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, X[s], h->WX[t], 0.0, &h->GW[s][t].matrix);
      gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, h->WX[s], h->CWX[t], 0.0, &h->GP[s][t].matrix);
    }
  gsl_matrix_transpose_memcpy(&h->GW[1][0].matrix, &h->GW[0][1].matrix);
  gsl_matrix_transpose_memcpy(&h->GP[1][0].matrix, &h->GP[0][1].matrix);
  /* T = B Smat B' */
  gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, r->Smat, r->B, 0.0, h->tmp);
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, r->B, h->tmp, 0.0, h->T);
}

static double mget(const gsl_matrix *M, size_t i, size_t j) { return M->data[i * M->tda + j]; }

/* A model row's rank-2 form with its vectors as indices into GWall/GPall and pv. */
typedef struct {
  size_t x, y, m;      /* xt md + xi, yt md + yi, mi */
  double alpha, mc;
  double px, py;       /* X_t' v of its x and y vectors */
} hrow_t;

static hrow_t hess_row(const hess_group_t *h, size_t md, const sem_rank2_t *f) {
  hrow_t r = {(size_t)f->xt * md + f->xi, (size_t)f->yt * md + f->yi, f->mi, f->alpha, f->mc, 0, 0};
  r.px = gsl_vector_get(h->pv, r.x);
  r.py = gsl_vector_get(h->pv, r.y);
  return r;
}

/* The first line of the header's formula for rows a and b (W, P: GWall, GPall's data). */
static double first_order(const double *W, const double *P, size_t ld, const hrow_t *a, const hrow_t *b) {
  double v = 0;
  if (a->alpha != 0 && b->alpha != 0) {
    double wxx = W[a->x * ld + b->x], wyy = W[a->y * ld + b->y];
    double wxy = W[a->x * ld + b->y], wyx = W[a->y * ld + b->x];
    double pxx = P[a->x * ld + b->x], pyy = P[a->y * ld + b->y];
    double pxy = P[a->x * ld + b->y], pyx = P[a->y * ld + b->x];
    v += a->alpha * b->alpha * (-(wxx * wyy + wxy * wyx) + wyx * pxy + wxx * pyy + wyy * pxx + wxy * pyx);
  }
  if (a->alpha != 0 && b->mc != 0) v += a->alpha * b->mc * (a->px * W[a->y * ld + b->m] + a->py * W[a->x * ld + b->m]);
  if (b->alpha != 0 && a->mc != 0) v += b->alpha * a->mc * (b->px * W[b->y * ld + a->m] + b->py * W[b->x * ld + a->m]);
  if (a->mc != 0 && b->mc != 0) v += a->mc * b->mc * W[a->m * ld + b->m];
  return v;
}

/* 1/2 tr(Omega Sigma_ab) - v' mu_ab for an A row (i, j) and a row of kind kb at (k, l). */
static double second_order_a(const sem_ram_t *r, const hess_group_t *h, size_t i, size_t j, int kb, size_t k,
                             size_t l) {
  const gsl_matrix *B = r->B;
  const double *u = r->u->data, *Bm = r->Bm->data;
  size_t us = r->u->stride, bs = r->Bm->stride;
  switch (kb) {
    case MAT_A:
      return mget(B, l, i) * mget(r->M, j, k) + mget(B, j, k) * mget(r->M, l, i) + mget(r->N, k, i) * mget(h->T, j, l) -
             u[k * us] * mget(B, l, i) * Bm[j * bs] - u[i * us] * mget(B, j, k) * Bm[l * bs];
    case MAT_S:
      return k == l ? mget(B, j, k) * mget(r->N, k, i)
                    : mget(B, j, k) * mget(r->N, l, i) + mget(B, j, l) * mget(r->N, k, i);
    case MAT_M: return -u[i * us] * mget(B, j, k);
    default: return 0;
  }
}

static double second_order(const sem_ram_t *r, const hess_group_t *h, size_t ra, size_t rb) {
  int ka = r->row_mat[ra], kb = r->row_mat[rb];
  if (ka == MAT_A) return second_order_a(r, h, r->row_i[ra], r->row_j[ra], kb, r->row_i[rb], r->row_j[rb]);
  if (kb == MAT_A) return second_order_a(r, h, r->row_i[rb], r->row_j[rb], ka, r->row_i[ra], r->row_j[ra]);
  return 0;
}

/* H += the closed-form Hessian of weight * F_g over the free rows of group g (H NULL: into
   the workspace's information blocks, the same sums in the same order).  V: room for the
   group's n x n row pairs. */
static vagap_status_t hessian_group(sem_ws_t *ws, size_t g, hess_group_t *h, int sparse, size_t *rows_g,
                                    size_t *ks, sem_rank2_t *forms, hrow_t *hr, double *V, gsl_matrix *H) {
  sem_ram_t r;
  if (sem_ws_ram(ws, g, &r)) return VAGAP_EINVAL;
  const vagap_sem_model_t *m = sem_ws_model(ws);
  size_t n = 0, K = m->npar;
  for (size_t q = 0; q < m->nrows; q++) {
    const vagap_sem_param_t *row = &m->rows[q];
    if (!row->free || row->free > K || (size_t)row->group != g + 1 || r.row_mat[q] == MAT_NONE) continue;
    rows_g[n] = q;
    ks[n] = row->free - 1;
    forms[n++] = sem_ws_row_rank2(ws, g, q);
  }
  if (sparse) hess_group_sparse(&r, h, forms, n);
  else hess_group_exact(&r, h);
  for (size_t a = 0; a < n; a++) hr[a] = hess_row(h, r.md, &forms[a]);
  const double *W = h->GWall->data, *P = h->GPall->data;
  size_t ld = h->GWall->tda;
  for (size_t a = 0; a < n; a++)
    for (size_t b = 0; b <= a; b++)
      V[a * n + b] = r.weight * (first_order(W, P, ld, &hr[a], &hr[b]) + second_order(&r, h, rows_g[a], rows_g[b]));
  if (!H) {
    sem_ws_info_add_lower(ws, ks, n, V);
    return VAGAP_OK;
  }
  for (size_t a = 0; a < n; a++)
    for (size_t b = 0; b <= a; b++) {
      *gsl_matrix_ptr(H, ks[a], ks[b]) += V[a * n + b];
      if (a != b) *gsl_matrix_ptr(H, ks[b], ks[a]) += V[a * n + b];
    }
  return VAGAP_OK;
}

/* The closed form into H (NULL: the workspace's blocks); VAGAP_EINVAL when a discrepancy is
   installed (no closed form here). */
static vagap_status_t hessian_ml(sem_ws_t *ws, const double *x, gsl_matrix *H, int sparse, vagap_error_t *err) {
  const vagap_sem_model_t *m = sem_ws_model(ws);
  sem_ram_t r0;
  if (m->ngroups == 0 || sem_ws_ram(ws, 0, &r0)) return VAGAP_EINVAL;
  size_t K = m->npar, nmax = 0;
  for (size_t g = 0; g < m->ngroups; g++) {
    size_t n = 0;
    for (size_t q = 0; q < m->nrows; q++) n += m->rows[q].free && (size_t)m->rows[q].group == g + 1;
    nmax = n > nmax ? n : nmax;
  }
  double *grad = malloc((K ? K : 1) * sizeof *grad), *V = malloc((nmax ? nmax * nmax : 1) * sizeof *V);
  size_t *rows_g = malloc((nmax ? nmax : 1) * sizeof *rows_g), *ks = malloc((nmax ? nmax : 1) * sizeof *ks);
  hrow_t *hr = malloc((nmax ? nmax : 1) * sizeof *hr);
  sem_rank2_t *forms = malloc((nmax ? nmax : 1) * sizeof *forms);
  hess_group_t h;
  int bad_alloc = hess_group_alloc(&h, r0.p, r0.md);
  vagap_status_t st = VAGAP_OK;
  if (!grad || !V || !rows_g || !ks || !hr || !forms || bad_alloc)
    st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  sem_ws_only_groups(ws, NULL);
  /* N, M, u, v, ... at x: newton_finish and the bootstrap's refit have just evaluated F
     with its gradient there */
  if (!st && !sem_ws_grad_at(ws, x) && !isfinite(sem_ws_objective(ws, x, grad))) st = not_pd(err);
  if (!st && H) gsl_matrix_set_zero(H);
  if (!st && !H && sem_ws_info_clear(ws)) st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  for (size_t g = 0; !st && g < m->ngroups; g++) st = hessian_group(ws, g, &h, sparse, rows_g, ks, forms, hr, V, H);
  hess_group_free(&h);
  free(grad);
  free(V);
  free(rows_g);
  free(ks);
  free(hr);
  free(forms);
  return st;
}

vagap_status_t sem_ws_hessian(sem_ws_t *ws, const double *x, gsl_matrix *H, vagap_error_t *err) {
  vagap_status_t st = hessian_ml(ws, x, H, 0, err);
  return st == VAGAP_EINVAL ? sem_ws_hessian_numeric(ws, x, H, err) : st;
}

vagap_status_t sem_ws_hessian_blocks(sem_ws_t *ws, const double *x, vagap_error_t *err) {
  return hessian_ml(ws, x, NULL, 0, err);
}

vagap_status_t sem_ws_hessian_metric(sem_ws_t *ws, const double *x, vagap_error_t *err) {
  return hessian_ml(ws, x, NULL, 1, err);
}

vagap_status_t sem_ws_hessian_numeric(sem_ws_t *ws, const double *x, gsl_matrix *H, vagap_error_t *err) {
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
