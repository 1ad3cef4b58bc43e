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
 * [FIML hook] The meat needs only the casewise scores d log L_i / d theta of
 * each group's rows (n_g x K): for complete data sem_ws_scores computes them
 * from the rows; FIML supplies those of its observed-pattern likelihood to
 * meat_rows and the same sandwich applies (see user_meat).
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

/* One element (a, b) of the expected h1 information below (without the fixed.x zeroing). */
static double h1_expected_at(const layout_t *L, const gsl_matrix *W, size_t a, size_t b) {
  size_t o = L->ms * L->p;
  if (a < o || b < o) return a < o && b < o ? gsl_matrix_get(W, a, b) : 0;
  size_t i = L->vi[a - o], j = L->vj[a - o], k = L->vi[b - o], l = L->vj[b - o];
  double m = (i != j ? 2.0 : 1.0) * (k != l ? 2.0 : 1.0) * 0.25;
  return m * (gsl_matrix_get(W, i, k) * gsl_matrix_get(W, j, l) + gsl_matrix_get(W, i, l) * gsl_matrix_get(W, j, k));
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

/* crossprod_add's AVX2 copy, picked at load time where the CPU has it (GCC's function
   multi-versioning; x86-64 GCC only): its ymm registers take the four columns a step that
   the SSE2 build takes in two, a third less time for the meat.  "avx2" enables no FMA, so
   both copies round every product and sum as written: the same bits. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define CROSSPROD_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define CROSSPROD_CLONES
#endif

/*
 * out = scale Z'Z (symmetric, k x k) for Z n x k (row-major, row stride tz),
 * accumulated row by row as rank-one updates of the lower triangle:
 * contiguous in memory, several times faster here than GSL's reference
 * cblas_dsyrk on a transposed Z.  Four rows go through the triangle at once
 * (a quarter of its loads and stores), each added in row order as one at a
 * time would: the same sums to the last bit.
 */
CROSSPROD_CLONES
static void crossprod_add(const double *Z, size_t n, size_t k, size_t tz, gsl_matrix *out) {
  double *od = out->data;
  size_t ot = out->tda, r = 0;
  for (; r + 4 <= n; r += 4) {
    const double *z0 = Z + r * tz, *z1 = z0 + tz, *z2 = z1 + tz, *z3 = z2 + tz;
    for (size_t i = 0; i < k; i++) {
      double a0 = z0[i], a1 = z1[i], a2 = z2[i], a3 = z3[i];
      double *o = od + i * ot;
      size_t j = 0;
      /* four columns a step, written out so that the compiler's straight-line (SLP)
         vectorizer packs them into SSE2 or AVX2 registers; each column's sum is unchanged */
      for (; j + 3 <= i; j += 4) {
        double v = o[j], w = o[j + 1], x = o[j + 2], y = o[j + 3];
        v += a0 * z0[j];
        w += a0 * z0[j + 1];
        x += a0 * z0[j + 2];
        y += a0 * z0[j + 3];
        v += a1 * z1[j];
        w += a1 * z1[j + 1];
        x += a1 * z1[j + 2];
        y += a1 * z1[j + 3];
        v += a2 * z2[j];
        w += a2 * z2[j + 1];
        x += a2 * z2[j + 2];
        y += a2 * z2[j + 3];
        v += a3 * z3[j];
        w += a3 * z3[j + 1];
        x += a3 * z3[j + 2];
        y += a3 * z3[j + 3];
        o[j] = v;
        o[j + 1] = w;
        o[j + 2] = x;
        o[j + 3] = y;
      }
      for (; j <= i; j++) {
        double v = o[j];
        v += a0 * z0[j];
        v += a1 * z1[j];
        v += a2 * z2[j];
        v += a3 * z3[j];
        o[j] = v;
      }
    }
  }
  for (; r < n; r++) {
    const double *z = Z + r * tz;
    for (size_t i = 0; i < k; i++) {
      double zi = z[i];
      double *o = od + i * ot;
      for (size_t j = 0; j <= i; j++) o[j] += zi * z[j];
    }
  }
}

/* out = scale (its lower triangle), made symmetric */
static void crossprod_finish(gsl_matrix *out, double scale) {
  double *od = out->data;
  size_t ot = out->tda;
  for (size_t i = 0; i < out->size1; i++)
    for (size_t j = 0; j <= i; j++) od[i * ot + j] = od[j * ot + i] = scale * od[i * ot + j];
}

static void crossprod_rows(const double *Z, size_t n, size_t k, size_t tz, double scale, gsl_matrix *out) {
  gsl_matrix_set_zero(out);
  crossprod_add(Z, n, k, tz, out);
  crossprod_finish(out, scale);
}

static void crossprod(const gsl_matrix *Z, double scale, gsl_matrix *out) {
  crossprod_rows(Z->data, Z->size1, Z->size2, Z->tda, scale, out);
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
  crossprod(Z, 1.0 / (double)n, Gam);
done:
  if (Z) gsl_matrix_free(Z);
  if (H) gsl_matrix_free(H);
  free(c);
  free(ch);
  free(z2);
  return st;
}

/* Delta_g (ps x K) of the model at x in L's h1 coordinates (means first with a mean structure). */
static vagap_status_t h1_delta(sem_ws_t *ws, const layout_t *L, const double *x, size_t g, size_t K, gsl_matrix *D,
                               vagap_error_t *err) {
  size_t p = L->p, o = L->ms * p, nv = L->ps - o;
  double *ds = malloc((K ? K : 1) * p * p * sizeof *ds), *dm = malloc((K ? K : 1) * p * sizeof *dm);
  vagap_status_t st = ds && dm ? VAGAP_OK : vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  if (!st && sem_ws_jacobian(ws, x, g, ds, dm))
    st = vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0, "the implied covariance matrix is not positive definite");
  for (size_t k = 0; !st && k < K; k++) {
    for (size_t i = 0; i < o; i++) gsl_matrix_set(D, i, k, dm[k * p + i]);
    for (size_t a = 0; a < nv; a++) gsl_matrix_set(D, o + a, k, ds[k * p * p + L->vi[a] * p + L->vj[a]]);
  }
  free(ds);
  free(dm);
  return st;
}

/* ---- small linear algebra ------------------------------------------------------------- */

static double trace_prod(const gsl_matrix *A, const gsl_matrix *B) { /* tr(A B), B' stored as is */
  double s = 0;
  for (size_t i = 0; i < A->size1; i++) {
    const double *a = A->data + i * A->tda, *b = B->data + i;
    for (size_t j = 0; j < A->size2; j++) s += a[j] * b[j * B->tda];
  }
  return s;
}

/* tr(A (f B)) for B K x K row-major, over the nonzero entries of A only (a multi-group A
   is mostly zero blocks): the terms left out add exact zeros (B finite), the others are
   trace_prod's with f B_ji as the entries of a matrix f B would hold. */
static double trace_prod_nz(const gsl_matrix *A, const double *B, double f) {
  size_t K = A->size1;
  double s = 0;
  for (size_t i = 0; i < K; i++) {
    const double *a = A->data + i * A->tda;
    for (size_t j = 0; j < K; j++)
      if (a[j] != 0) s += a[j] * (f * B[j * K + i]);
  }
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
      gsl_matrix *m[] = {R->g[g].Y, R->g[g].S, R->g[g].D, R->g[g].A, R->g[g].Gam};
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
  for (size_t r = 0; r < data->nobs; r++)
    if (data->group[r] < R->G) R->g[data->group[r]].n++;
  size_t *next = calloc(R->G, sizeof *next); /* rows of each group filled so far */
  if (!next) st = oom(err);
  for (size_t g = 0; g < R->G && !st; g++) {
    rgroup_t *rg = &R->g[g];
    if (!(rg->Y = gsl_matrix_alloc(rg->n ? rg->n : 1, p)) || !(rg->ybar = gsl_vector_calloc(p)) ||
        !(rg->S = gsl_matrix_calloc(p, p)))
      st = oom(err);
  }
  /* one pass over the rows, each into its group's next row of Y (data order) */
  for (size_t r = 0; r < data->nobs && !st; r++) {
    size_t g = data->group[r];
    if (g >= R->G) continue;
    const double *x = data->x + r * data->nvar;
    double *y = R->g[g].Y->data + next[g]++ * R->g[g].Y->tda;
    for (size_t i = 0; i < p && !st; i++) {
      y[i] = x[col[i]];
      if (isnan(y[i]))
        st = vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                             "robust ML with listwise deletion needs complete rows: '%s' is missing "
                             "in data row %zu", R->model->ov[i], r + 1);
    }
  }
  free(next);
  for (size_t g = 0; g < R->G && !st; g++) {
    rgroup_t *rg = &R->g[g];
    /* the sample moments (divisor n) are the workspace's */
    const gsl_matrix *S;
    const gsl_vector *yb;
    sem_ws_sample(R->ws, g, &S, &yb);
    gsl_matrix_memcpy(rg->S, S);
    gsl_vector_memcpy(rg->ybar, yb);
  }
  free(col);
  return st;
}

/* Delta_g (ps x K) in h1 coordinates into R->g[g].D. */
static vagap_status_t delta_group(robust_t *R, const double *x, size_t g, vagap_error_t *err) {
  gsl_matrix *D = R->g[g].D = gsl_matrix_calloc(R->L.ps, R->K ? R->K : 1);
  if (!D) return oom(err);
  return h1_delta(R->ws, &R->L, x, g, R->K, D, err);
}

/* The mean at which the scores are taken (implied; the sample mean without a mean structure)
   and, unless W is NULL, Sigma^-1. */
static vagap_status_t implied_inverse(robust_t *R, const double *x, size_t g, gsl_matrix *W, gsl_vector *mu,
                                      vagap_error_t *err) {
  const gsl_matrix *Sig;
  const gsl_vector *m;
  if (sem_ws_implied(R->ws, x, g, &Sig, &m))
    return vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0, "the implied covariance matrix is not positive definite");
  if (R->L.ms) gsl_vector_memcpy(mu, m);
  else gsl_vector_memcpy(mu, R->g[g].ybar);
  if (!W) return VAGAP_OK; /* the mean only */
  gsl_matrix_memcpy(W, Sig);
  return spd_invert(W) ? vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0, "the implied covariance matrix is singular")
                       : VAGAP_OK;
}

/*
 * M[cols, cols] += scale sum_i s_i s_i' for the casewise score rows of Z
 * (n x k, row-major): the scores of the parameters cols only.
 */
static vagap_status_t meat_cols(const double *Z, size_t n, size_t k, const size_t *cols, double scale, gsl_matrix *M,
                                vagap_error_t *err) {
  if (!k || !n) return VAGAP_OK;
  gsl_matrix *X = gsl_matrix_alloc(k, k);
  if (!X) return oom(err);
  crossprod_rows(Z, n, k, k, scale, X);
  for (size_t a = 0; a < k; a++)
    for (size_t b = 0; b < k; b++) M->data[cols[a] * M->tda + cols[b]] += X->data[a * X->tda + b];
  gsl_matrix_free(X);
  return VAGAP_OK;
}

/*
 * M += scale sum_i s_i s_i' for the casewise score rows rows[0 .. n) of SC
 * (row-major, K columns), over the columns that are not all zero in those
 * rows (a group's own parameters): gathered straight from SC, no copy of the
 * rows first.
 */
static vagap_status_t meat_rows(const double *SC, size_t K, const size_t *rows, size_t n, double scale, gsl_matrix *M,
                                vagap_error_t *err) {
  size_t k = 0;
  size_t *cols = malloc((K ? K : 1) * sizeof *cols);
  if (!cols) return oom(err);
  for (size_t c = 0; c < K; c++)
    for (size_t r = 0; r < n; r++)
      if (SC[rows[r] * K + c] != 0) {
        cols[k++] = c;
        break;
      }
  double *Z = malloc((n ? n : 1) * (k ? k : 1) * sizeof *Z);
  if (!Z) {
    free(cols);
    return oom(err);
  }
  for (size_t r = 0; r < n; r++) {
    const double *sr = SC + rows[r] * K;
    for (size_t a = 0; a < k; a++) Z[r * k + a] = sr[cols[a]];
  }
  vagap_status_t st = meat_cols(Z, n, k, cols, scale, M, err);
  free(cols);
  free(Z);
  return st;
}

/*
 * tr(A1 Gamma) at the sample moments without Gamma when no covariate is fixed.x:
 * p (means) + 1/2 (mean of d_i^4 - p), d_i^2 = (y_i - ybar)' S^-1 (y_i - ybar)
 * (Mardia), W = S^-1.  The rows go in chunks through one symmetric product
 * E W (GSL's dsymm, cheaper than a dsymv per row).  -1: out of memory.
 */
static int h1_trace_mardia(const layout_t *L, const gsl_matrix *Y, const gsl_vector *ybar, const gsl_matrix *W,
                           double *out) {
  enum { CHUNK = 128 };
  size_t n = Y->size1, p = L->p, cap = n < CHUNK ? (n ? n : 1) : CHUNK;
  gsl_matrix *E = gsl_matrix_alloc(cap, p ? p : 1), *U = gsl_matrix_alloc(cap, p ? p : 1);
  if (!E || !U) {
    if (E) gsl_matrix_free(E);
    if (U) gsl_matrix_free(U);
    return -1;
  }
  double m4 = 0;
  for (size_t r0 = 0; p && r0 < n; r0 += CHUNK) {
    size_t m = n - r0 < CHUNK ? n - r0 : CHUNK;
    gsl_matrix_view Ec = gsl_matrix_submatrix(E, 0, 0, m, p), Uc = gsl_matrix_submatrix(U, 0, 0, m, p);
    for (size_t r = 0; r < m; r++)
      for (size_t i = 0; i < p; i++) E->data[r * E->tda + i] = gsl_matrix_get(Y, r0 + r, i) - gsl_vector_get(ybar, i);
    gsl_blas_dsymm(CblasRight, CblasLower, 1.0, W, &Ec.matrix, 0.0, &Uc.matrix);
    for (size_t r = 0; r < m; r++) {
      const double *e = E->data + r * E->tda, *u = U->data + r * U->tda;
      double d2 = 0;
      for (size_t i = 0; i < p; i++) d2 += e[i] * u[i];
      m4 += d2 * d2 / (double)n;
    }
  }
  gsl_matrix_free(E);
  gsl_matrix_free(U);
  *out = (double)(L->ms * p) + 0.5 * (m4 - (double)p);
  return 0;
}

/* ---- products with Delta ------------------------------------------------------------------ */

/*
 * Delta_g has nonzero columns only for the parameters of group g (and the
 * shared ones): the products below use those columns only (D_c, ps x k) and
 * scatter the k x k results into the K x K sums, which makes multi-group
 * fits G times cheaper.
 */
typedef struct {
  gsl_matrix *D;  /* ps x k */
  size_t *cols, k;
} dcols_t;

static int dcols_make(const gsl_matrix *D, dcols_t *c) {
  size_t ps = D->size1, K = D->size2;
  c->D = NULL;
  c->k = 0;
  c->cols = malloc((K ? K : 1) * sizeof *c->cols);
  if (!c->cols) return -1;
  for (size_t k = 0; k < K; k++)
    for (size_t r = 0; r < ps; r++)
      if (D->data[r * D->tda + k] != 0) {
        c->cols[c->k++] = k;
        break;
      }
  if (!(c->D = gsl_matrix_alloc(ps, c->k ? c->k : 1))) return -1;
  for (size_t r = 0; r < ps; r++)
    for (size_t a = 0; a < c->k; a++) c->D->data[r * c->D->tda + a] = D->data[r * D->tda + c->cols[a]];
  return 0;
}

static void dcols_free(dcols_t *c) {
  free(c->cols);
  if (c->D) gsl_matrix_free(c->D);
}

/* M[cols, cols] += f X */
static void scatter_add(gsl_matrix *M, const dcols_t *c, const gsl_matrix *X, double f) {
  for (size_t a = 0; a < c->k; a++)
    for (size_t b = 0; b < c->k; b++) M->data[c->cols[a] * M->tda + c->cols[b]] += f * X->data[a * X->tda + b];
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
  gsl_matrix *Rm = gsl_matrix_calloc(K, K), *HQ = gsl_matrix_alloc(K, K), *VG = tr2 ? gsl_matrix_alloc(ps, ps) : NULL;
  if (!Rm || !HQ || (tr2 && !VG)) {
    if (Rm) gsl_matrix_free(Rm);
    if (HQ) gsl_matrix_free(HQ);
    if (VG) gsl_matrix_free(VG);
    return oom(err);
  }
  gsl_matrix_set_zero(Q);
  double s1 = 0, s2 = 0;
  vagap_status_t st = VAGAP_OK;
  for (size_t g = 0; g < R->G && !st; g++) {
    const rgroup_t *rg = &R->g[g];
    dcols_t c;
    gsl_matrix *VD = NULL, *T = NULL, *VT = NULL, *X = NULL;
    if (dcols_make(D[g], &c) || !(VD = gsl_matrix_alloc(ps, c.k ? c.k : 1)) ||
        !(T = gsl_matrix_alloc(ps, c.k ? c.k : 1)) || !(VT = gsl_matrix_alloc(ps, c.k ? c.k : 1)) ||
        !(X = gsl_matrix_alloc(c.k ? c.k : 1, c.k ? c.k : 1))) {
      st = oom(err);
    } else {
      s1 += trace_prod(V[g], rg->Gam);
      if (c.k) {
        gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, V[g], c.D, 0.0, VD);
        gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, rg->Gam, VD, 0.0, T); /* Gam V D */
        mul_tn(VD, T, X);
        scatter_add(Q, &c, X, rg->f);
      }
      if (tr2) {
        gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, V[g], rg->Gam, 0.0, VG);
        s2 += trace_prod(VG, VG);
        if (c.k) {
          gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, V[g], T, 0.0, VT);
          mul_tn(T, VT, X); /* D'V Gam V Gam V D */
          scatter_add(Rm, &c, X, rg->f);
        }
      }
    }
    dcols_free(&c);
    gsl_matrix *m[] = {VD, T, VT, X};
    for (size_t i = 0; i < 4; i++)
      if (m[i]) gsl_matrix_free(m[i]);
  }
  if (!st) {
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, H, Q, 0.0, HQ);
    double tHQ = 0;
    for (size_t k = 0; k < K; k++) tHQ += gsl_matrix_get(HQ, k, k);
    *tr1 = s1 - tHQ;
    if (tr2) *tr2 = s2 - 2 * trace_prod(H, Rm) + trace_prod(HQ, HQ);
  }
  gsl_matrix_free(Rm);
  gsl_matrix_free(HQ);
  if (VG) gsl_matrix_free(VG);
  return st;
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
  size_t K, per;       /* K = per * G: per free elements in each group, groups apart */
  size_t *sel;         /* the free h1 elements (per) */
  gsl_matrix **D, **A; /* per group (only for the Satorra-Bentler family) */
  gsl_matrix **W;      /* per group Sigma_b^-1 (only for the first-order traces) */
  /* its information E_b = sum_g f_g Delta_b' A_b Delta_b (K x K) has nothing between
     groups: per group its per x per block, inverted in place by baseline_einv (E_b^-1's) */
  gsl_matrix **H;
} baseline_t;

static void baseline_free(baseline_t *b, size_t G) {
  for (size_t g = 0; g < G; g++) {
    if (b->D && b->D[g]) gsl_matrix_free(b->D[g]);
    if (b->A && b->A[g]) gsl_matrix_free(b->A[g]);
    if (b->W && b->W[g]) gsl_matrix_free(b->W[g]);
    if (b->H && b->H[g]) gsl_matrix_free(b->H[g]);
  }
  free(b->D);
  free(b->A);
  free(b->W);
  free(b->H);
  free(b->sel);
}

static int baseline_free_element(const robust_t *R, size_t k) {
  const vagap_sem_model_t *m = R->model;
  size_t p = R->L.p, o = R->L.ms * p;
  if (k < o) return !m->ov_is_x[k];
  size_t i = R->L.vi[k - o], j = R->L.vj[k - o];
  if (i == j) return !m->ov_is_x[i];
  return m->ov_exo[i] && m->ov_exo[j] && !m->ov_is_x[i] && !m->ov_is_x[j];
}

/* The baseline's E_b and, with want_meat (the first-order traces, baseline_meat_trace),
   Sigma_b^-1 per group, else its Delta_b and A_b (the Satorra-Bentler traces). */
static vagap_status_t baseline_build(const robust_t *R, baseline_t *b, int want_meat, vagap_error_t *err) {
  size_t G = R->G, p = R->L.p, ps = R->L.ps, per = 0;
  if (!(b->sel = malloc((ps ? ps : 1) * sizeof *b->sel))) return oom(err);
  for (size_t k = 0; k < ps; k++)
    if (baseline_free_element(R, k)) b->sel[per++] = k;
  b->K = per * G;
  b->per = per;
  b->D = calloc(G, sizeof *b->D);
  b->A = calloc(G, sizeof *b->A);
  b->W = calloc(G, sizeof *b->W);
  b->H = calloc(G, sizeof *b->H);
  size_t kk = b->K ? b->K : 1;
  if (!b->D || !b->A || !b->W || !b->H) return oom(err);
  vagap_status_t st = VAGAP_OK;
  for (size_t g = 0; g < G && !st; g++) {
    const rgroup_t *rg = &R->g[g];
    gsl_matrix *W = b->W[g] = gsl_matrix_alloc(p, p);
    if (!W || !(b->H[g] = gsl_matrix_alloc(per ? per : 1, per ? per : 1)) ||
        (!want_meat && (!(b->D[g] = gsl_matrix_calloc(ps, kk)) || !(b->A[g] = gsl_matrix_alloc(ps, ps))))) {
      st = oom(err);
      break;
    }
    for (size_t c = 0; b->D[g] && c < per; c++) gsl_matrix_set(b->D[g], b->sel[c], g * per + c, 1.0);
    for (size_t i = 0; i < p; i++)
      for (size_t j = 0; j < p; j++) {
        int keep = i == j || (R->model->ov_exo[i] && R->model->ov_exo[j]);
        gsl_matrix_set(W, i, j, keep ? gsl_matrix_get(rg->S, i, j) : 0);
      }
    if (spd_invert(W)) {
      st = vagap_error_set(err, VAGAP_EDOMAIN, NULL, 0, 0, "the baseline model's covariance matrix is singular");
      break;
    }
    if (b->A[g]) h1_expected(&R->L, W, b->A[g]);
    /* E_b: Delta_b selects the free elements, so E_b is made of A_b's (the baseline has no
       fixed.x element among them) */
    for (size_t c = 0; c < per; c++)
      for (size_t d = 0; d < per; d++)
        gsl_matrix_set(b->H[g], c, d, rg->f * h1_expected_at(&R->L, W, b->sel[c], b->sel[d]));
  }
  return st;
}

/* 1 when W has no nonzero entry off its diagonal. */
static int is_diagonal(const gsl_matrix *W) {
  for (size_t i = 0; i < W->size1; i++)
    for (size_t j = 0; j < W->size2; j++)
      if (i != j && gsl_matrix_get(W, i, j) != 0) return 0;
  return 1;
}

/*
 * The baseline's casewise scores of row y of group g: its free h1 elements'
 * scores at (ybar, Sigma_b), u = Sigma_b^-1 (y - ybar): u for a mean,
 * u_i u_j - W_ij for a covariance, halved on the diagonal (row: per values).
 * Without exogenous covariances Sigma_b is diagonal (diag): u_i = W_ii e_i,
 * which is what dsymv gives.
 */
static void baseline_score_row(const robust_t *R, const baseline_t *b, const gsl_matrix *W, int diag, const double *y,
                               const gsl_vector *ybar, gsl_vector *e, gsl_vector *we, double *row) {
  size_t p = R->L.p, o = R->L.ms * p;
  for (size_t i = 0; i < p; i++) e->data[i * e->stride] = y[i] - gsl_vector_get(ybar, i);
  if (diag)
    for (size_t i = 0; i < p; i++) we->data[i * we->stride] = W->data[i * W->tda + i] * e->data[i * e->stride];
  else
    gsl_blas_dsymv(CblasLower, 1.0, W, e, 0.0, we);
  const double *u = we->data;
  size_t us = we->stride;
  for (size_t c = 0; c < b->per; c++) {
    size_t k = b->sel[c];
    if (k < o) {
      row[c] = u[k * us];
    } else {
      size_t i = R->L.vi[k - o], j = R->L.vj[k - o];
      double v = u[i * us] * u[j * us] - W->data[i * W->tda + j];
      row[c] = i == j ? 0.5 * v : v;
    }
  }
}


/*
 * tr(M0 Hb) for the baseline's first-order information M0 = (1/N) sum_i s_i s_i'
 * and Hb = E_b^-1 without forming M0: its entries are needed only where Hb is
 * nonzero (the diagonal, without exogenous covariances: then each row's
 * squares are summed as the row is made, with no room for the scores).  Each
 * entry is summed over the rows, scaled and added to the trace in the order
 * of crossprod and trace_prod on the whole matrices: the same number to the
 * last bit.
 */
static vagap_status_t baseline_meat_trace(const robust_t *R, const baseline_t *b, double *tr,
                                          vagap_error_t *err) {
  size_t per = b->per, nmax = 1;
  for (size_t g = 0; g < R->G; g++) nmax = R->g[g].n > nmax ? R->g[g].n : nmax;
  double *ST = NULL, *m = calloc(per ? per : 1, sizeof *m), *row = malloc((per ? per : 1) * sizeof *row);
  gsl_vector *e = gsl_vector_alloc(R->L.p), *we = gsl_vector_alloc(R->L.p);
  vagap_status_t st = m && row && e && we ? VAGAP_OK : oom(err);
  double s = 0, scale = 1.0 / R->N;
  for (size_t g = 0; !st && g < R->G && per; g++) {
    const rgroup_t *rg = &R->g[g];
    size_t n = rg->n;
    int diag = is_diagonal(b->W[g]);
    const gsl_matrix *Hg = b->H[g];
    if (is_diagonal(Hg)) {
      memset(m, 0, per * sizeof *m);
      for (size_t r = 0; r < n; r++) {
        baseline_score_row(R, b, b->W[g], diag, rg->Y->data + r * rg->Y->tda, rg->ybar, e, we, row);
        for (size_t a = 0; a < per; a++) m[a] += row[a] * row[a];
      }
      for (size_t a = 0; a < per; a++) {
        double h = gsl_matrix_get(Hg, a, a);
        if (h != 0) s += (scale * m[a]) * h;
      }
      continue;
    }
    if (!ST && !(ST = malloc(nmax * per * sizeof *ST))) {
      st = oom(err);
      break;
    }
    for (size_t r = 0; r < n; r++)
      baseline_score_row(R, b, b->W[g], diag, rg->Y->data + r * rg->Y->tda, rg->ybar, e, we, ST + r * per);
    for (size_t a = 0; a < per; a++)
      for (size_t c = 0; c < per; c++) {
        double h = gsl_matrix_get(Hg, c, a);
        if (h == 0) continue;
        size_t hi = a > c ? a : c, lo = a > c ? c : a; /* crossprod's lower triangle */
        double v = 0;
        for (size_t r = 0; r < n; r++) v += ST[r * per + hi] * ST[r * per + lo];
        s += (scale * v) * h;
      }
  }
  *tr = s;
  free(ST);
  free(m);
  free(row);
  if (e) gsl_vector_free(e);
  if (we) gsl_vector_free(we);
  return st;
}

/* E^-1 in place for a diagonal E with a positive diagonal: 1 / E_cc, and +0 off the
   diagonal (where E may hold -0); 0 (E untouched) when a diagonal entry is not positive. */
static int diagonal_invert(gsl_matrix *E) {
  for (size_t c = 0; c < E->size1; c++)
    if (!(gsl_matrix_get(E, c, c) > 0)) return 0;
  for (size_t c = 0; c < E->size1; c++)
    for (size_t d = 0; d < E->size2; d++) gsl_matrix_set(E, c, d, c == d ? 1.0 / gsl_matrix_get(E, c, c) : 0.0);
  return 1;
}

/* E_b^-1 for the baseline, group block by group block (E_b has nothing between groups):
   H[g], E_b's block on entry, becomes its inverse. */
static vagap_status_t baseline_einv(const baseline_t *b, size_t G, vagap_error_t *err) {
  for (size_t g = 0; b->per && g < G; g++) {
    if (is_diagonal(b->H[g]) && diagonal_invert(b->H[g])) continue;
    if (spd_invert(b->H[g]))
      return vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0, "the baseline model's information matrix is singular");
  }
  return VAGAP_OK;
}

/* Hb (K x K) = E_b^-1 from its group blocks */
static void baseline_einv_dense(const baseline_t *b, size_t G, gsl_matrix *Hb) {
  gsl_matrix_set_zero(Hb);
  for (size_t g = 0; b->per && g < G; g++) {
    gsl_matrix_view Hg = gsl_matrix_submatrix(Hb, g * b->per, g * b->per, b->per, b->per);
    gsl_matrix_memcpy(&Hg.matrix, b->H[g]);
  }
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

double cfi_c(double X2, double df, double X2b, double dfb, double c, double cb) {
  if (isnan(X2) || isnan(df) || isnan(X2b) || isnan(dfb) || isnan(c) || isnan(cb)) return NAN;
  if (!(df > 0 && c != 1 && cb != 1)) c = cb = 1;
  double t1 = fmax(X2 - c * df, 0), t2 = fmax(fmax(X2 - c * df, X2b - cb * dfb), 0);
  if (fabs(t1) < 1.5e-8 && fabs(t2) < 1.5e-8) return 1; /* all.equal(t, 0) */
  return 1 - t1 / t2;
}

double tli_c(double X2, double df, double X2b, double dfb, double c, double cb) {
  if (isnan(X2) || isnan(df) || isnan(X2b) || isnan(dfb) || isnan(c) || isnan(cb)) return NAN;
  if (!(df > 0 && c != 1 && cb != 1)) c = cb = 1;
  double t1 = (X2 - c * df) * dfb, t2 = (X2b - cb * dfb) * df;
  if (df > 0 && fabs(t2) > 0) return 1 - t1 / t2;
  if (!isfinite(t1) || !isfinite(t2)) return NAN;
  return 1;
}

double rni_c(double X2, double df, double X2b, double dfb, double c, double cb) {
  if (isnan(X2) || isnan(df) || isnan(X2b) || isnan(dfb) || isnan(c) || isnan(cb)) return NAN;
  if (!(df > 0 && c != 1 && cb != 1)) c = cb = 1;
  double t1 = X2 - c * df, t2 = X2b - cb * dfb;
  if (fabs(t2) < 1.5e-8 || !isfinite(t1) || !isfinite(t2)) return NAN;
  return 1 - t1 / t2;
}

double rmsea_c(double X2, double df, double N, double G, double c) {
  if (isnan(X2) || isnan(df)) return NAN;
  return df > 0 ? sqrt(fmax(X2 / N / df - c / N, 0)) * sqrt(G) : 0;
}

/* lavaan's lav_fit_rmsea_ci at level 0.90 with c.hat */
void rmsea_ci_c(double X2, double df, double N, double G, double c, double *lo, double *hi) {
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
double rmsea_p_c(double X2, double df, double N, double G, double c, double h0, int upper) {
  if (!isfinite(X2) || !isfinite(df) || !(df > 0)) return NAN;
  double ncp = N * df / c * h0 * h0 / G;
  if (!(ncp >= 0)) return NAN; /* R's pchisq: NaN for a negative ncp (a negative c.hat) */
  double P = sem_pchisq_nc(X2, df, ncp);
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

/*
 * The first-order information B0 = (1/N) sum_i s_i s_i' of the complete-data
 * path, kept as its groups' blocks: group g's casewise scores are nonzero
 * only for its own parameters (cols, k of them, increasing), so B0 is the sum
 * of the k x k blocks X_g put at (cols, cols).  When no parameter belongs to
 * two groups and the vcov has nothing between groups (no shared parameters, no
 * constraints), the sandwich and tr(B0 E^-1) read the blocks and the K x K
 * matrix is never formed: clearing and touching its pages cost as much as the
 * rows' sums.  Otherwise meat_dense scatters them in group order.
 */
typedef struct {
  size_t G, K;
  size_t *k;        /* per group: its number of parameters */
  size_t **cols;    /* per group: its parameters, increasing */
  gsl_matrix **X;   /* per group: the k x k block (NULL: none) */
  size_t *owner;    /* per parameter: its group; G: none, G + 1: several (meat_index) */
  size_t *pos;      /* per parameter: its place in its group's cols */
} meat_t;

static int meat_init(meat_t *mt, size_t G, size_t K) {
  memset(mt, 0, sizeof *mt);
  mt->G = G;
  mt->K = K;
  mt->k = calloc(G ? G : 1, sizeof *mt->k);
  mt->cols = calloc(G ? G : 1, sizeof *mt->cols);
  mt->X = calloc(G ? G : 1, sizeof *mt->X);
  mt->owner = malloc((K ? K : 1) * sizeof *mt->owner);
  mt->pos = malloc((K ? K : 1) * sizeof *mt->pos);
  return mt->k && mt->cols && mt->X && mt->owner && mt->pos ? 0 : -1;
}

static void meat_free(meat_t *mt) {
  for (size_t g = 0; g < mt->G && mt->X && mt->cols; g++) {
    if (mt->X[g]) gsl_matrix_free(mt->X[g]);
    free(mt->cols[g]);
  }
  free(mt->k);
  free(mt->cols);
  free(mt->X);
  free(mt->owner);
  free(mt->pos);
}

/* owner and pos of every parameter; 1 when the blocks are disjoint and cover every
   parameter (the blocks can stand for B0), else 0 */
static int meat_index(meat_t *mt) {
  size_t G = mt->G;
  int disjoint = 1;
  for (size_t j = 0; j < mt->K; j++) mt->owner[j] = G;
  for (size_t g = 0; g < G; g++)
    for (size_t a = 0; a < mt->k[g]; a++) {
      size_t j = mt->cols[g][a];
      if (mt->owner[j] != G) disjoint = 0;
      mt->owner[j] = mt->owner[j] == G ? g : G + 1;
      mt->pos[j] = a;
    }
  for (size_t j = 0; j < mt->K; j++)
    if (mt->owner[j] >= G) disjoint = 0;
  return disjoint;
}

/* B0 (K x K, zero on entry) = the sum of the blocks, group after group */
static void meat_dense(const meat_t *mt, gsl_matrix *B0) {
  for (size_t g = 0; g < mt->G; g++) {
    const gsl_matrix *X = mt->X[g];
    const size_t *cols = mt->cols[g];
    for (size_t a = 0; X && a < mt->k[g]; a++)
      for (size_t b = 0; b < mt->k[g]; b++) B0->data[cols[a] * B0->tda + cols[b]] += gsl_matrix_get(X, a, b);
  }
}

static vagap_status_t meat_make_dense(const meat_t *mt, gsl_matrix **B0, vagap_error_t *err) {
  if (!(*B0 = gsl_matrix_calloc(mt->K, mt->K))) return oom(err);
  meat_dense(mt, *B0);
  return VAGAP_OK;
}

/* B0[a][b] from disjoint blocks (meat_index) */
static double meat_at(const meat_t *mt, size_t a, size_t b) {
  size_t g = mt->owner[a];
  return g == mt->owner[b] && mt->X[g] ? gsl_matrix_get(mt->X[g], mt->pos[a], mt->pos[b]) : 0;
}

/* trace_prod_nz(B0, B, f) from disjoint blocks: row i of B0 is nonzero only at its
   group's parameters, visited in the same (increasing) order */
static double meat_trace_nz(const meat_t *mt, const double *B, double f) {
  size_t K = mt->K;
  double s = 0;
  for (size_t i = 0; i < K; i++) {
    size_t g = mt->owner[i];
    if (!mt->X[g]) continue;
    const double *x = mt->X[g]->data + mt->pos[i] * mt->X[g]->tda;
    const size_t *cols = mt->cols[g];
    for (size_t b = 0; b < mt->k[g]; b++)
      if (x[b] != 0) s += x[b] * (f * B[cols[b] * K + i]);
  }
  return s;
}

/*
 * Group g's block of B0: (1/N) sum_i s_i s_i' over its rows (casewise scores at
 * the estimates), in chunks of rows that stay in cache; the sums go on from
 * chunk to chunk in row order, as over all rows at once.
 */
static vagap_status_t user_meat(robust_t *R, const double *x, size_t g, const gsl_vector *mu, meat_t *mt,
                                vagap_error_t *err) {
  enum { CHUNK = 128 };
  size_t n = R->g[g].n, K = R->K ? R->K : 1, k = 0;
  double *sc = malloc(CHUNK * K * sizeof *sc);
  size_t *cols = malloc(K * sizeof *cols);
  gsl_matrix *X = NULL; /* the k x k sums */
  vagap_status_t st = sc && cols ? VAGAP_OK : oom(err);
  int rc = 0;
  sem_scores_t *sw = st || !n ? NULL : sem_ws_scores_open(R->ws, x, g, cols, &k, &rc);
  if (rc == -2) st = oom(err);
  else if (rc) st = vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0, "the implied covariance matrix is not positive definite");
  else if (sw && !(X = gsl_matrix_calloc(k ? k : 1, k ? k : 1))) st = oom(err);
  for (size_t r0 = 0; !st && sw && r0 < n; r0 += CHUNK) {
    size_t m = n - r0 < CHUNK ? n - r0 : CHUNK;
    gsl_matrix_const_view Yc = gsl_matrix_const_submatrix(R->g[g].Y, r0, 0, m, R->L.p);
    if (sem_ws_scores(sw, &Yc.matrix, mu, sc, k)) st = oom(err);
    else crossprod_add(sc, m, k, k, X);
  }
  sem_ws_scores_close(sw);
  free(sc);
  if (!st && n && k) {
    crossprod_finish(X, 1.0 / R->N);
    mt->X[g] = X;
    mt->cols[g] = cols;
    mt->k[g] = k;
    return VAGAP_OK;
  }
  free(cols);
  if (X) gsl_matrix_free(X);
  return st;
}

/* The root of k in the union-find forest up (path halving). */
static size_t find_root(size_t *up, size_t k) {
  while (up[k] != k) k = up[k] = up[up[k]];
  return k;
}

/* M[a][b]: the dense matrix, or (M NULL) the meat's disjoint blocks */
static double m_at(const gsl_matrix *M, const meat_t *mt, size_t a, size_t b) {
  return M ? gsl_matrix_get(M, a, b) : meat_at(mt, a, b);
}

/* Link a and b (a < b) in up when vb or M has an entry between them. */
static void link_pair(const double *vb, const gsl_matrix *M, const meat_t *mt, size_t K, size_t *up, size_t a,
                      size_t b) {
  if (vb[a * K + b] != 0 || vb[b * K + a] != 0 || m_at(M, mt, a, b) != 0 || m_at(M, mt, b, a) != 0) {
    size_t ra = find_root(up, a), rb = find_root(up, b);
    if (ra != rb) up[ra > rb ? ra : rb] = ra < rb ? ra : rb;
  }
}

/*
 * The blocks of the K x K matrices vb and M: parameters linked through a
 * nonzero entry of either (parameters of different groups that share
 * nothing, no constraint between them, are not).  comp[k] is the block of
 * parameter k, numbered from 0 in order of first parameter; returns how many.
 * With M given by disjoint group blocks (vb zero between groups, checked by
 * the caller) only pairs within a group can be linked: the same blocks from
 * O(sum k_g^2) pairs instead of K^2.
 */
static size_t sandwich_blocks(const double *vb, const gsl_matrix *M, const meat_t *mt, size_t K, size_t *up,
                              size_t *comp) {
  for (size_t k = 0; k < K; k++) up[k] = k;
  if (M)
    for (size_t a = 0; a < K; a++)
      for (size_t b = a + 1; b < K; b++) link_pair(vb, M, mt, K, up, a, b);
  else
    for (size_t g = 0; g < mt->G; g++)
      for (size_t a = 0; a < mt->k[g]; a++)
        for (size_t b = a + 1; b < mt->k[g]; b++) link_pair(vb, M, mt, K, up, mt->cols[g][a], mt->cols[g][b]);
  size_t nb = 0; /* a root is its block's first parameter: numbered before the others reach it */
  for (size_t k = 0; k < K; k++) comp[k] = find_root(up, k) == k ? nb++ : comp[find_root(up, k)];
  return nb;
}

/*
 * The lower triangle (with the diagonal) of O = f T V, in bands of rows: band
 * [r0, r1) needs the columns [0, r1) only, so the bands cost about half the
 * whole product.  Each entry is the whole product's (dgemm sums over the inner
 * index in the same order whatever the band's width).
 */
static void lower_product(const gsl_matrix *T, const gsl_matrix *V, double f, gsl_matrix *O) {
  enum { BAND = 8 };
  size_t k = T->size1;
  for (size_t r0 = 0; r0 < k; r0 += BAND) {
    size_t r1 = r0 + BAND < k ? r0 + BAND : k;
    gsl_matrix_const_view Tr = gsl_matrix_const_submatrix(T, r0, 0, r1 - r0, k),
                          Vc = gsl_matrix_const_submatrix(V, 0, 0, k, r1);
    gsl_matrix_view Or = gsl_matrix_submatrix(O, r0, 0, r1 - r0, r1);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, f, &Tr.matrix, &Vc.matrix, 0.0, &Or.matrix);
  }
}

/* The k x k block of the K x K row-major matrix vb at the parameters ix (increasing), as
   *out: a view of vb when they are consecutive (a group's parameters usually are), else
   gathered into scratch.  The products read the same numbers either way. */
static const gsl_matrix *block_of(const double *vb, size_t K, const size_t *ix, size_t k, gsl_matrix *scratch,
                                  gsl_matrix *out) {
  if (k && ix[k - 1] - ix[0] == k - 1) {
    /* const dropped only to fill the view's struct: nothing writes through it */
    *out = gsl_matrix_view_array_with_tda((double *)vb + ix[0] * K + ix[0], k, k, K).matrix;
    return out;
  }
  for (size_t a = 0; a < k; a++)
    for (size_t b = 0; b < k; b++) scratch->data[a * scratch->tda + b] = vb[ix[a] * K + ix[b]];
  *out = gsl_matrix_submatrix(scratch, 0, 0, k, k).matrix;
  return out;
}

/* The meat at the parameters ix of a sandwich block: the group's own block when ix are
   exactly its parameters (one sandwich block per group, the usual case), else gathered
   into scratch (as *out). */
static const gsl_matrix *meat_block(const gsl_matrix *M, const meat_t *mt, const size_t *ix, size_t k,
                                    gsl_matrix *scratch, gsl_matrix *out) {
  if (!M && k) {
    size_t g = mt->owner[ix[0]];
    if (g < mt->G && mt->X[g] && mt->k[g] == k && !memcmp(mt->cols[g], ix, k * sizeof *ix)) return mt->X[g];
  }
  for (size_t a = 0; a < k; a++)
    for (size_t b = 0; b < k; b++) scratch->data[a * scratch->tda + b] = m_at(M, mt, ix[a], ix[b]);
  *out = gsl_matrix_submatrix(scratch, 0, 0, k, k).matrix;
  return out;
}

/*
 * vcov = N vb M vb (lavaan: E.inv M E.inv / N with E.inv = N vb), block by
 * block of sandwich_blocks (zero between blocks): the products of the whole
 * K x K matrices would add G times as many zeros for G groups.  Within a block
 * the nonzero terms are summed in the same order as the whole product's.
 * vcov is symmetric: the lower triangle of N (vb M) vb (lower_product) is
 * taken for both triangles (a symmetrised 0.5 (O + O') would need the whole
 * product for a change in the last bit off the diagonal; the diagonal, the
 * SEs, is the same number either way).  vcov may be vb itself: each block is
 * read before it is written.
 */
static vagap_status_t sandwich_vcov(const double *vb, const gsl_matrix *M, const meat_t *mt, size_t K, double N,
                                    double *vcov, vagap_error_t *err) {
  size_t *comp = malloc((K ? K : 1) * sizeof *comp), *idx = malloc((K ? K : 1) * sizeof *idx),
         *up = malloc((K ? K : 1) * sizeof *up), *start = NULL;
  if (!comp || !idx || !up) {
    free(comp);
    free(idx);
    free(up);
    return oom(err);
  }
  size_t nb = sandwich_blocks(vb, M, mt, K, up, comp), big = 1;
  /* the parameters of each block in increasing order: idx[start[c] .. start[c + 1]) */
  if (!(start = calloc(nb + 1, sizeof *start))) nb = 0;
  for (size_t a = 0; a < K && start; a++) start[comp[a] + 1]++;
  for (size_t c = 0; c < nb; c++) {
    big = start[c + 1] > big ? start[c + 1] : big; /* the largest block: the scratch size */
    start[c + 1] += start[c];
  }
  for (size_t c = 0; c < nb; c++) up[c] = start[c]; /* up (no longer needed): each block's next place */
  for (size_t a = 0; a < K && start; a++) idx[up[comp[a]]++] = a;
  gsl_matrix *Vc = gsl_matrix_alloc(big, big), *Mc = gsl_matrix_alloc(big, big), *T = gsl_matrix_alloc(big, big),
             *O = gsl_matrix_alloc(big, big);
  vagap_status_t st = start && Vc && Mc && T && O ? VAGAP_OK : oom(err);
  if (st) nb = 0;
  for (size_t c = 0; c < nb; c++) {
    const size_t *ix = idx + start[c];
    size_t k = start[c + 1] - start[c];
    gsl_matrix_view Tb = gsl_matrix_submatrix(T, 0, 0, k, k), Ob = gsl_matrix_submatrix(O, 0, 0, k, k);
    gsl_matrix Vv, Mv;
    const gsl_matrix *V = block_of(vb, K, ix, k, Vc, &Vv), *Mb = meat_block(M, mt, ix, k, Mc, &Mv);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, V, Mb, 0.0, &Tb.matrix);
    lower_product(&Tb.matrix, V, N, &Ob.matrix);
    for (size_t a = 0; a < k; a++)
      for (size_t b = 0; b <= a; b++) vcov[ix[a] * K + ix[b]] = vcov[ix[b] * K + ix[a]] = gsl_matrix_get(&Ob.matrix, a, b);
  }
  /* entries between blocks are zero; in vb they are already (the blocks are vb's), so
     when vcov is vb there is nothing to clear */
  for (size_t a = 0; !st && vcov != vb && a < K; a++)
    for (size_t b = 0; b < K; b++)
      if (comp[a] != comp[b]) vcov[a * K + b] = 0;
  free(comp);
  free(idx);
  free(up);
  free(start);
  gsl_matrix *m[] = {Vc, Mc, T, O};
  for (size_t i = 0; i < 4; i++)
    if (m[i]) gsl_matrix_free(m[i]);
  return st;
}

static int robust_sem_se(const vagap_sem_fit_options_t *opt) { return opt->se == VAGAP_SEM_SE_ROBUST_SEM; }

/* lavaan's nx.free: one parameter per free row (equal labels are equality constraints there) */
static size_t free_rows(const vagap_sem_model_t *m) {
  size_t n = 0;
  for (size_t r = 0; r < m->nrows; r++) n += m->rows[r].free && m->rows[r].op != VAGAP_SEM_DEFINED;
  return n;
}

/*
 * yuan.bentler.mplus: tr(U Gamma) = h1 - h0 with h1 = sum_g tr(B1u A1u^-1) at the
 * sample moments (= tr(A1 Gamma): Mardia's kurtosis without fixed.x covariates)
 * and h0 = tr(B0 E^-1), B0 the first-order information of the model's parameters.
 */
static vagap_status_t ybm_h1(robust_t *R, gsl_matrix *W, double *h1, double *ndat, vagap_error_t *err) {
  size_t ps = R->L.ps;
  gsl_matrix *A1 = R->L.is_x ? gsl_matrix_alloc(ps, ps) : NULL;
  vagap_status_t st = A1 || !R->L.is_x ? VAGAP_OK : oom(err);
  *h1 = *ndat = 0;
  for (size_t g = 0; !st && g < R->G; g++) {
    gsl_matrix_memcpy(W, R->g[g].S);
    if (spd_invert(W)) {
      st = vagap_error_set(err, VAGAP_EDOMAIN, NULL, 0, 0, "a sample covariance matrix is singular");
      break;
    }
    if (A1) {
      h1_expected(&R->L, W, A1);
      *h1 += trace_prod(A1, R->g[g].Gam);
    } else {
      double t;
      if (h1_trace_mardia(&R->L, R->g[g].Y, R->g[g].ybar, W, &t)) {
        st = oom(err);
        break;
      }
      *h1 += t;
    }
    for (size_t k = 0; k < ps; k++) *ndat += !h1_is_x(&R->L, k);
  }
  if (A1) gsl_matrix_free(A1);
  return st;
}

/* The .robust fields to NA. */
static void fiml_robust_unset(vagap_sem_measures_t *f) {
  double *v[] = {&f->cfi_robust, &f->tli_robust, &f->nnfi_robust, &f->rni_robust, &f->rmsea_robust,
                 &f->rmsea_ci_lower_robust, &f->rmsea_ci_upper_robust, &f->rmsea_pvalue_robust,
                 &f->rmsea_notclose_pvalue_robust};
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) *v[i] = NAN;
}

/* ---- robust ML under FIML ------------------------------------------------------------------ */

/*
 * B0 += (1/N) sum_i s_i s_i' over the used rows, s_i the FIML casewise scores
 * d logL_i / dtheta at x (sem_fiml_scores), group by group so that each
 * product runs over the columns of that group's parameters only.  The rows
 * are placed into their groups in one pass (order keeps each group's rows in
 * data order; the groups' sizes are sem_fiml_group_rows), not one pass over
 * all rows per group.
 */
static vagap_status_t fiml_meat(sem_fiml_t *fm, sem_ws_t *ws, const double *x, size_t K, size_t G, double N,
                                gsl_matrix *B0, vagap_error_t *err) {
  size_t n = sem_fiml_nrows(fm);
  double *sc = malloc((n ? n : 1) * K * sizeof *sc);
  /* group g's rows: order[start[g] .. start[g + 1]); next[g] its next place while filling */
  size_t *start = malloc((G + 1) * sizeof *start), *next = malloc((G ? G : 1) * sizeof *next),
         *order = malloc((n ? n : 1) * sizeof *order);
  vagap_status_t st = sc && start && next && order ? sem_fiml_scores(fm, ws, x, sc, err) : oom(err);
  for (size_t g = 0; !st && g <= G; g++) start[g] = g ? start[g - 1] + sem_fiml_group_rows(fm, g - 1) : 0;
  if (!st) memcpy(next, start, G * sizeof *next);
  for (size_t i = 0; !st && i < n; i++) order[next[sem_fiml_row_group(fm, i)]++] = i;
  for (size_t g = 0; !st && g < G; g++)
    if (start[g + 1] > start[g]) st = meat_rows(sc, K, order + start[g], start[g + 1] - start[g], 1.0 / N, B0, err);
  free(sc);
  free(start);
  free(next);
  free(order);
  return st;
}

/*
 * The h1 matrices of one group under FIML, all at the EM (unrestricted)
 * moments as lavaan takes them with h1.information = "unstructured"
 * (ps x ps, means then vech; fixed.x elements zeroed and, as lavaan does
 * with zero diagonal entries, left out of the inverse):
 *   Jm   the first-order information of the casewise h1 scores (B1);
 *   Wm   the observed h1 information (A1); Wmi its inverse on the elements
 *        kept (nk of them); Wx, Wxi the expected one with information = "expected";
 *   Wc   the complete-data h1 information at the EM moments
 *        (1/2 D'(S^-1 (x) S^-1) D and S^-1), the "tilde" fit's.
 */
typedef struct {
  gsl_matrix *Jm, *Wm, *Wmi, *Wc;
  gsl_matrix *Wx, *Wxi; /* with information = "expected": the expected h1 information, its inverse */
  size_t nk, nkx;
  double f; /* n_g / N */
} fimlc_t;

static void fimlc_free(fimlc_t *c, size_t G) {
  for (size_t g = 0; c && g < G; g++) {
    gsl_matrix *m[] = {c[g].Jm, c[g].Wm, c[g].Wmi, c[g].Wc, c[g].Wx, c[g].Wxi};
    for (size_t i = 0; i < 6; i++)
      if (m[i]) gsl_matrix_free(m[i]);
  }
  free(c);
}

/* Mi = M^-1 on the elements with a nonzero diagonal (zero elsewhere); *nk counts them. */
static vagap_status_t invert_kept(const gsl_matrix *M, gsl_matrix *Mi, size_t *nk, vagap_error_t *err) {
  size_t nv = M->size1, n = 0;
  size_t *keep = malloc(nv * sizeof *keep);
  gsl_matrix *A = gsl_matrix_alloc(nv, nv);
  vagap_status_t st = keep && A ? VAGAP_OK : oom(err);
  for (size_t k = 0; !st && k < nv; k++)
    if (gsl_matrix_get(M, k, k) != 0) keep[n++] = k;
  gsl_matrix_view As = gsl_matrix_submatrix(A ? A : Mi, 0, 0, n ? n : 1, n ? n : 1);
  for (size_t a = 0; !st && a < n; a++)
    for (size_t b = 0; b < n; b++) gsl_matrix_set(&As.matrix, a, b, gsl_matrix_get(M, keep[a], keep[b]));
  if (!st && n && spd_invert(&As.matrix))
    st = vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0, "the information of the unrestricted (EM) moments is singular");
  if (!st) {
    gsl_matrix_set_zero(Mi);
    for (size_t a = 0; a < n; a++)
      for (size_t b = 0; b < n; b++) gsl_matrix_set(Mi, keep[a], keep[b], gsl_matrix_get(&As.matrix, a, b));
  }
  *nk = n;
  free(keep);
  if (A) gsl_matrix_free(A);
  return st;
}

static vagap_status_t fimlc_group(sem_fiml_t *fm, const layout_t *L, const int *exo, size_t g,
                                  vagap_sem_information_t info, fimlc_t *c, vagap_error_t *err) {
  const vagap_sem_stats_t *s = sem_fiml_h1_stats(fm);
  size_t p = L->p, nv = L->ps, ng = sem_fiml_group_rows(fm, g);
  int ex = info == VAGAP_SEM_INFORMATION_EXPECTED;
  double *sc = malloc((ng ? ng : 1) * nv * sizeof *sc), *A = malloc(nv * nv * sizeof *A);
  gsl_matrix *W = gsl_matrix_alloc(p, p);
  c->Jm = gsl_matrix_alloc(nv, nv);
  c->Wm = gsl_matrix_alloc(nv, nv);
  c->Wmi = gsl_matrix_alloc(nv, nv);
  c->Wc = gsl_matrix_alloc(nv, nv);
  if (ex) {
    c->Wx = gsl_matrix_alloc(nv, nv);
    c->Wxi = gsl_matrix_alloc(nv, nv);
  }
  vagap_status_t st = sc && A && W && c->Jm && c->Wm && c->Wmi && c->Wc && (!ex || (c->Wx && c->Wxi)) ? VAGAP_OK
                                                                                                     : oom(err);
  gsl_matrix_const_view Sig = gsl_matrix_const_view_array(s->cov + g * p * p, p, p);
  gsl_vector_const_view mu = gsl_vector_const_view_array(s->mean + g * p, p);
  gsl_matrix_view Av = gsl_matrix_view_array(A, nv, nv);
  if (!st) st = sem_fiml_moment_scores(fm, g, &Sig.matrix, &mu.vector, sc, err);
  if (!st) {
    gsl_matrix_view Z = gsl_matrix_view_array(sc, ng ? ng : 1, nv);
    crossprod(&Z.matrix, 1.0 / (double)ng, c->Jm);
    zero_x(L, c->Jm);
    st = sem_fiml_h1_information(fm, g, &Sig.matrix, &mu.vector, 0, A, err);
  }
  if (!st) {
    gsl_matrix_memcpy(c->Wm, &Av.matrix);
    zero_x(L, c->Wm);
    st = invert_kept(c->Wm, c->Wmi, &c->nk, err);
  }
  if (!st && ex && !(st = sem_fiml_h1_information(fm, g, &Sig.matrix, &mu.vector, 1, A, err))) {
    gsl_matrix_memcpy(c->Wx, &Av.matrix);
    zero_x(L, c->Wx);
    st = invert_kept(c->Wx, c->Wxi, &c->nkx, err);
  }
  if (!st) {
    gsl_matrix_memcpy(W, &Sig.matrix);
    if (spd_invert(W)) st = vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0, "the EM covariance matrix is singular");
    else h1_expected(L, W, c->Wc);
    /* lavaan's "tilde" fit is a plain lavaan() call, which makes every exogenous covariate
       fixed.x whatever the user's fixed.x: their elements are zeroed in Wc */
    layout_t Lx = *L;
    Lx.is_x = exo;
    zero_x(&Lx, c->Wc);
  }
  free(sc);
  free(A);
  if (W) gsl_matrix_free(W);
  return st;
}

enum { WM, JM, WC, WX };
static const gsl_matrix *fimlc_pick(const fimlc_t *c, int which) {
  return which == JM ? c->Jm : which == WC ? c->Wc : which == WX ? c->Wx : c->Wm;
}

/* E += sum_g f_g D_g' M_g D_g (K x K) over the columns of D_g that are not zero (a group's
   own parameters: G times fewer operations with G groups); T is nv x K scratch */
static void sum_dmd(gsl_matrix *const *M, const double *f, gsl_matrix *const *D, size_t G, gsl_matrix *E,
                    gsl_matrix *T) {
  for (size_t g = 0; g < G; g++) {
    dcols_t c;
    gsl_matrix *X = NULL;
    if (!dcols_make(D[g], &c) && c.k && (X = gsl_matrix_alloc(c.k, c.k))) {
      gsl_matrix_view Tv = gsl_matrix_submatrix(T, 0, 0, D[g]->size1, c.k);
      gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, M[g], c.D, 0.0, &Tv.matrix);
      gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, c.D, &Tv.matrix, 0.0, X);
      scatter_add(E, &c, X, f[g]);
    } else if (c.k) { /* out of memory for the compact form: the full product */
      gsl_matrix_view Tv = gsl_matrix_submatrix(T, 0, 0, D[g]->size1, D[g]->size2);
      gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, M[g], D[g], 0.0, &Tv.matrix);
      gsl_blas_dgemm(CblasTrans, CblasNoTrans, f[g], D[g], &Tv.matrix, 1.0, E);
    }
    if (X) gsl_matrix_free(X);
    dcols_free(&c);
  }
}

/* E = sum_g f_g D_g' X_g D_g, X_g one of the fimlc_t matrices */
static void sum_dxd(const fimlc_t *c, gsl_matrix *const *D, size_t G, int which, gsl_matrix *E, gsl_matrix *T) {
  gsl_matrix_set_zero(E);
  for (size_t g = 0; g < G; g++) {
    gsl_matrix *M = (gsl_matrix *)fimlc_pick(&c[g], which);
    sum_dmd(&M, &c[g].f, &D[g], 1, E, T);
  }
}

/*
 * lavaan's k of the FIML-corrected robust measures (lav_fit_fiml_corrected)
 * for a model with per-group Delta D_g (ps x K) and Einv = E^-1,
 * E = sum_g f_g D' Wm D (its "h1" observed information).  With the
 * block-diagonal Wm, Wmi, Wc, Gamma = Wmi Jm Wmi / f_g of lavaan's formulas
 * and U = Wm - Wm D Einv D' Wm, written group by group:
 *   V6: tr(Wc Wmi U Wmi) = sum_g [tr(Wc Wmi) - f_g tr(D' Wc D Einv)]
 *   V3: tr(U Wmi Wc Wmi U Gamma) = sum_g [tr(Wc Wmi Jm Wmi) - 2 f_g tr(Einv D' Jm Wmi Wc D)]
 *                                  + tr(Einv Q Einv R),
 *       Q = sum_g f_g D' Wc D, R = sum_g f_g D' Jm D.
 */
static vagap_status_t fimlc_k(const fimlc_t *c, gsl_matrix *const *D, size_t G, const gsl_matrix *Einv, int v3,
                              double *k, vagap_error_t *err) {
  size_t K = Einv->size1, nv = c[0].Wc->size1;
  gsl_matrix *Q = gsl_matrix_alloc(K, K), *R = gsl_matrix_alloc(K, K), *T = gsl_matrix_alloc(nv, K),
             *T2 = gsl_matrix_alloc(nv, K), *X = gsl_matrix_alloc(nv, nv), *Y = gsl_matrix_alloc(nv, nv),
             *KK = gsl_matrix_alloc(K, K), *KK2 = gsl_matrix_alloc(K, K);
  if (!Q || !R || !T || !T2 || !X || !Y || !KK || !KK2) {
    gsl_matrix *m[] = {Q, R, T, T2, X, Y, KK, KK2};
    for (size_t i = 0; i < 8; i++)
      if (m[i]) gsl_matrix_free(m[i]);
    return oom(err);
  }
  double sum = 0;
  sum_dxd(c, D, G, WC, Q, T);
  for (size_t g = 0; g < G; g++) {
    if (!v3) {
      sum += trace_prod(c[g].Wc, c[g].Wmi);
      continue;
    }
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, c[g].Wc, c[g].Wmi, 0.0, X); /* Wc Wmi */
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, c[g].Jm, c[g].Wmi, 0.0, Y); /* Jm Wmi */
    sum += trace_prod(X, Y);
    /* D' (Jm Wmi) (Wc D) */
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, c[g].Wc, D[g], 0.0, T);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, Y, T, 0.0, T2);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, D[g], T2, 0.0, KK);
    sum -= 2 * c[g].f * trace_prod(Einv, KK);
  }
  if (!v3) {
    sum -= trace_prod(Q, Einv);
  } else {
    sum_dxd(c, D, G, JM, R, T);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, Einv, Q, 0.0, KK);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, Einv, R, 0.0, KK2);
    sum += trace_prod(KK, KK2);
  }
  *k = sum;
  gsl_matrix *m[] = {Q, R, T, T2, X, Y, KK, KK2};
  for (size_t i = 0; i < 8; i++) gsl_matrix_free(m[i]);
  return VAGAP_OK;
}

/* sum_g n_g F_ML(S_g, ybar_g; Sigma_g, mu_g): the complete-data ML chi-square
   against the EM moments (lavaan's "tilde" fits); NAN if Sigma is not PD. */
static double em_chisq(sem_fiml_t *fm, size_t G, size_t p, gsl_matrix *const *Sig, gsl_vector *const *mu) {
  const vagap_sem_stats_t *s = sem_fiml_h1_stats(fm);
  gsl_matrix *W = gsl_matrix_alloc(p, p), *S = gsl_matrix_alloc(p, p);
  double X2 = 0;
  if (!W || !S) X2 = NAN;
  for (size_t g = 0; g < G && isfinite(X2); g++) {
    gsl_matrix_memcpy(W, Sig[g]);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int bad = gsl_linalg_cholesky_decomp1(W);
    double ldS = 0, ld = 0;
    for (size_t a = 0; !bad && a < p; a++) ld += 2 * log(gsl_matrix_get(W, a, a));
    bad = bad || gsl_linalg_cholesky_invert(W);
    gsl_matrix_const_view Sv = gsl_matrix_const_view_array(s->cov + g * p * p, p, p);
    gsl_matrix_memcpy(S, &Sv.matrix);
    bad = bad || gsl_linalg_cholesky_decomp1(S);
    gsl_set_error_handler(old);
    if (bad) { X2 = NAN; break; }
    for (size_t a = 0; a < p; a++) ldS += 2 * log(gsl_matrix_get(S, a, a));
    double tr = 0, q = 0;
    for (size_t a = 0; a < p; a++) {
      double da = s->mean[g * p + a] - gsl_vector_get(mu[g], a);
      for (size_t b = 0; b < p; b++) {
        double db = s->mean[g * p + b] - gsl_vector_get(mu[g], b);
        tr += s->cov[g * p * p + a * p + b] * gsl_matrix_get(W, b, a);
        q += da * gsl_matrix_get(W, a, b) * db;
      }
    }
    X2 += s->n[g] * (ld - ldS + tr - (double)p + q);
  }
  if (W) gsl_matrix_free(W);
  if (S) gsl_matrix_free(S);
  return X2;
}

/* lavaan's baseline model: h1 element k is free (means, with a mean structure, and variances
   of the variables that are not fixed.x, covariances among the other exogenous covariates) */
static int fiml_baseline_free(const vagap_sem_model_t *m, const layout_t *L, size_t k) {
  size_t p = L->p;
  if (k < p) return m->meanstructure && !m->ov_is_x[k];
  size_t i = L->vi[k - p], j = L->vj[k - p];
  if (i == j) return !m->ov_is_x[i];
  return m->ov_exo[i] && m->ov_exo[j] && !m->ov_is_x[i] && !m->ov_is_x[j];
}

/*
 * The h0 part tr(B0_b E_b^-1) of the FIML baseline model's scaled test: its
 * parameters are h1 elements, so at its estimates (SB, mB) its casewise
 * scores and information are the h1 ones restricted to its free elements;
 * group by group (f_g cancels).
 */
static vagap_status_t fiml_baseline_h0(sem_fiml_t *fm, const vagap_sem_model_t *m, const layout_t *L, size_t G,
                                       gsl_matrix *const *SB, gsl_vector *const *mB, int expected, double *h0,
                                       vagap_error_t *err) {
  size_t nv = L->ps, nf = 0;
  size_t *sel = malloc(nv * sizeof *sel);
  double *A = malloc(nv * nv * sizeof *A), *sc = NULL;
  gsl_matrix *B1 = gsl_matrix_alloc(nv, nv), *As = NULL;
  vagap_status_t st = sel && A && B1 ? VAGAP_OK : oom(err);
  for (size_t k = 0; !st && k < nv; k++)
    if (fiml_baseline_free(m, L, k)) sel[nf++] = k;
  if (!st && !(As = gsl_matrix_alloc(nf ? nf : 1, nf ? nf : 1))) st = oom(err);
  *h0 = 0;
  for (size_t g = 0; !st && g < G; g++) {
    size_t ng = sem_fiml_group_rows(fm, g);
    free(sc);
    if (!(sc = malloc((ng ? ng : 1) * nv * sizeof *sc))) {
      st = oom(err);
      break;
    }
    if ((st = sem_fiml_moment_scores(fm, g, SB[g], mB[g], sc, err)) ||
        (st = sem_fiml_h1_information(fm, g, SB[g], mB[g], expected, A, err)))
      break;
    gsl_matrix_view Z = gsl_matrix_view_array(sc, ng ? ng : 1, nv);
    crossprod(&Z.matrix, 1.0 / (double)ng, B1);
    for (size_t a = 0; a < nf; a++)
      for (size_t b = 0; b < nf; b++) gsl_matrix_set(As, a, b, A[sel[a] * nv + sel[b]]);
    if (nf && spd_invert(As)) {
      st = vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0, "the baseline model's information matrix is singular");
      break;
    }
    for (size_t a = 0; a < nf; a++)
      for (size_t b = 0; b < nf; b++) *h0 += gsl_matrix_get(B1, sel[a], sel[b]) * gsl_matrix_get(As, b, a);
  }
  free(sel);
  free(A);
  free(sc);
  if (B1) gsl_matrix_free(B1);
  if (As) gsl_matrix_free(As);
  return st;
}

/*
 * What the FIML-corrected measures and the yuan.bentler traces share, per
 * group: the fimlc_t h1 matrices, the model's Delta and implied moments, and
 * lavaan's baseline model (its Delta DB selecting its free h1 elements,
 * per of them in each group, and its estimates SB, mB).
 */
typedef struct {
  size_t G, K, KB, per;
  fimlc_t *c;
  gsl_matrix **D, **DB, **SB, **Sg;
  gsl_vector **mB, **mg;
  int base_ok;
} fpieces_t;

static void fpieces_free(fpieces_t *P) {
  fimlc_free(P->c, P->G);
  for (size_t g = 0; g < P->G; g++) {
    gsl_matrix *m[] = {P->D ? P->D[g] : NULL, P->DB ? P->DB[g] : NULL, P->SB ? P->SB[g] : NULL,
                       P->Sg ? P->Sg[g] : NULL};
    for (size_t i = 0; i < 4; i++)
      if (m[i]) gsl_matrix_free(m[i]);
    if (P->mB && P->mB[g]) gsl_vector_free(P->mB[g]);
    if (P->mg && P->mg[g]) gsl_vector_free(P->mg[g]);
  }
  free(P->D); free(P->DB); free(P->SB); free(P->Sg); free(P->mB); free(P->mg);
}

static vagap_status_t fpieces_build(sem_ws_t *ws, const vagap_sem_fit_t *fit, sem_fiml_t *fm, const layout_t *L,
                                    vagap_sem_information_t info, fpieces_t *P, vagap_error_t *err) {
  size_t G = fit->model->ngroups, K = fit->model->npar, p = L->p, nv = L->ps;
  memset(P, 0, sizeof *P);
  P->G = G;
  P->K = K;
  P->base_ok = 1;
  for (size_t k = 0; k < nv; k++) P->per += (size_t)fiml_baseline_free(fit->model, L, k);
  P->KB = G * P->per;
  P->c = calloc(G, sizeof *P->c);
  P->D = calloc(G, sizeof *P->D);
  P->DB = calloc(G, sizeof *P->DB);
  P->SB = calloc(G, sizeof *P->SB);
  P->Sg = calloc(G, sizeof *P->Sg);
  P->mB = calloc(G, sizeof *P->mB);
  P->mg = calloc(G, sizeof *P->mg);
  vagap_status_t st = P->c && P->D && P->DB && P->SB && P->Sg && P->mB && P->mg ? VAGAP_OK : oom(err);
  for (size_t g = 0; !st && g < G; g++) {
    P->c[g].f = sem_ws_nobs(ws, g) / fit->fit.ntotal;
    if ((st = fimlc_group(fm, L, fit->model->ov_exo, g, info, &P->c[g], err))) break;
    if (!(P->D[g] = gsl_matrix_calloc(nv, K ? K : 1)) || !(P->DB[g] = gsl_matrix_calloc(nv, P->KB ? P->KB : 1)) ||
        !(P->SB[g] = gsl_matrix_alloc(p, p)) || !(P->mB[g] = gsl_vector_alloc(p)) ||
        !(P->Sg[g] = gsl_matrix_alloc(p, p)) || !(P->mg[g] = gsl_vector_alloc(p))) {
      st = oom(err);
      break;
    }
    if ((st = h1_delta(ws, L, fit->x, g, K, P->D[g], err))) break;
    const gsl_matrix *Sig;
    const gsl_vector *mu;
    sem_ws_implied(ws, fit->x, g, &Sig, &mu);
    gsl_matrix_memcpy(P->Sg[g], Sig);
    if (fit->model->meanstructure) {
      gsl_vector_memcpy(P->mg[g], mu);
    } else { /* lavaan takes the sample means then (its MEAN without a mean structure) */
      gsl_vector_const_view ybar = gsl_vector_const_view_array(sem_fiml_h1_stats(fm)->mean + g * p, p);
      gsl_vector_memcpy(P->mg[g], &ybar.vector);
    }
    for (size_t k = 0, col = g * P->per; k < nv; k++)
      if (fiml_baseline_free(fit->model, L, k)) gsl_matrix_set(P->DB[g], k, col++, 1.0);
    if (sem_fiml_baseline_moments(fm, g, P->SB[g], P->mB[g])) P->base_ok = 0;
  }
  return st;
}

/*
 * lavaan's .robust measures under missing = "ml" (lav_fit_fiml_corrected,
 * Zhang and Savalei): the model and its baseline evaluated as complete-data
 * ML fits to the EM moments (XX3, XX3.null), scaled by c = k / df with k of
 * fimlc_k (V3 with a scaled test, V6 without).  Sets the .robust fields;
 * also yuan.bentler.mplus's h1 part sum_g tr(B1 A1^-1) (*h1, over *ndat
 * elements) and, with a scaled test, the baseline's h0 (*h0b).
 */
static vagap_status_t fiml_robust_measures(sem_ws_t *ws, sem_con_t *con, vagap_sem_fit_t *fit, sem_fiml_t *fm,
                                           const layout_t *L, vagap_sem_information_t info, int v3,
                                           const fpieces_t *P, double *h1, double *ndat, double *h0b,
                                           vagap_error_t *err) {
  vagap_sem_measures_t *f = &fit->fit;
  size_t G = P->G, K = P->K, KB = P->KB, p = L->p, nv = L->ps;
  double N = f->ntotal;
  const fimlc_t *c = P->c;
  double *vb = malloc((K ? K : 1) * K * sizeof *vb);
  gsl_matrix *E = gsl_matrix_alloc(K ? K : 1, K ? K : 1), *T = gsl_matrix_alloc(nv, K ? K : 1), *EB = NULL,
             *TB = NULL;
  vagap_status_t st = vb && E && T ? VAGAP_OK : oom(err);
  if (st) goto done;
  /* yuan.bentler.mplus's h1 part: sum_g tr(B1 A1^-1), A1 the h1 information of the options */
  *h1 = *ndat = 0;
  int ex = info == VAGAP_SEM_INFORMATION_EXPECTED, fo = info == VAGAP_SEM_INFORMATION_FIRST_ORDER;
  for (size_t g = 0; g < G; g++) {
    *h1 += trace_prod(c[g].Jm, ex ? c[g].Wxi : c[g].Wmi);
    *ndat += (double)(ex ? c[g].nkx : c[g].nk);
  }
  /* the model's E = sum_g f_g D' A1 D (lavaan: observed.information = "h1", h1.information
     = "unstructured"; A1 of the options) and k */
  double k, kb = NAN;
  sum_dxd(c, P->D, G, ex ? WX : fo ? JM : WM, E, T);
  if ((st = sem_ws_vcov(ws, con, fit->x, E, fit->model, vb, err))) goto done;
  for (size_t a = 0; a < K * K; a++) E->data[(a / K) * E->tda + a % K] = N * vb[a];
  if ((st = fimlc_k(c, P->D, G, E, v3, &k, err))) goto done;
  double XX3 = em_chisq(fm, G, p, P->Sg, P->mg), df = f->df, c3 = k / df;
  double XX3b = NAN, dfb = f->baseline_df, c3b = NAN;
  *h0b = NAN;
  if (P->base_ok && KB) {
    if (!(EB = gsl_matrix_alloc(KB, KB)) || !(TB = gsl_matrix_alloc(nv, KB))) {
      st = oom(err);
      goto done;
    }
    sum_dxd(c, P->DB, G, ex ? WX : fo ? JM : WM, EB, TB);
    if (spd_invert(EB)) {
      st = vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0, "the baseline model's information matrix is singular");
      goto done;
    }
    if ((st = fimlc_k(c, P->DB, G, EB, v3, &kb, err))) goto done;
    XX3b = em_chisq(fm, G, p, P->SB, P->mB);
    c3b = kb / dfb;
    if (v3 && (st = fiml_baseline_h0(fm, fit->model, L, G, P->SB, P->mB, ex, h0b, err))) goto done;
  }
  f->cfi_robust = cfi_c(XX3, df, XX3b, dfb, c3, c3b);
  f->tli_robust = tli_c(XX3, df, XX3b, dfb, c3, c3b);
  f->nnfi_robust = f->tli_robust;
  f->rni_robust = rni_c(XX3, df, XX3b, dfb, c3, c3b);
  f->rmsea_robust = rmsea_c(XX3, df, N, (double)G, c3);
  rmsea_ci_c(XX3 / c3, df, N, (double)G, c3, &f->rmsea_ci_lower_robust, &f->rmsea_ci_upper_robust);
  f->rmsea_pvalue_robust = rmsea_p_c(XX3 / c3, df, N, (double)G, c3, 0.05, 1);
  f->rmsea_notclose_pvalue_robust = rmsea_p_c(XX3 / c3, df, N, (double)G, c3, 0.08, 0);
done:
  free(vb);
  gsl_matrix *m[] = {E, T, EB, TB};
  for (size_t i = 0; i < 4; i++)
    if (m[i]) gsl_matrix_free(m[i]);
  return st;
}

/* ---- lavaan's yuan.bentler test (not the Mplus variant) --------------------------------- */

/* Zero the rows and columns of the means (a model without a mean structure has none in h1). */
static void zero_means(size_t p, gsl_matrix *M) {
  for (size_t k = 0; M && k < p; k++) {
    gsl_vector_view r = gsl_matrix_row(M, k), c = gsl_matrix_column(M, k);
    gsl_vector_set_zero(&r.vector);
    gsl_vector_set_zero(&c.vector);
  }
}

/*
 * lavaan's lav_test_yuan_bentler_trace for one model (the user's or the
 * baseline) with per-group Delta D_g and implied moments (Sig_g, mu_g):
 *   tr(U Gamma) = sum_g [tr(A1s Om) - f_g tr(Einv D' A1s Om A1s D)],
 * A1s the structured h1 information (at the implied moments; expected or
 * observed), Om = A1u^-1 B1u A1u^-1 from the unstructured ones (the fimlc_t
 * of each group: at the EM or, with complete data, the sample moments),
 * and Einv the inverse of E = sum_g f_g D' A1s D (lavaan's information of
 * the test: expected, or observed.information = "h1").  *h0 = sum_g f_g
 * tr(Einv D' B1s D) with B1s the first-order information at the implied
 * moments (scaling.factor.h0).  model != NULL: E is inverted under its
 * constraints (sem_ws_vcov), else plainly.
 */
static vagap_status_t yb_trace(sem_fiml_t *fm, const fimlc_t *c, const layout_t *L, size_t G, int ms,
                               gsl_matrix *const *D, gsl_matrix *const *Sig, gsl_vector *const *mu, int expected,
                               sem_ws_t *ws, sem_con_t *con, const double *x, vagap_sem_model_t *model, double N,
                               double *tr, double *h0, vagap_error_t *err) {
  size_t nv = L->ps, p = L->p, K = D[0]->size2;
  gsl_matrix **A1s = calloc(G, sizeof *A1s), **B1s = calloc(G, sizeof *B1s);
  double *f = malloc(G * sizeof *f);
  gsl_matrix *E = gsl_matrix_alloc(K, K), *T = gsl_matrix_alloc(nv, K), *T2 = gsl_matrix_alloc(nv, K),
             *Om = gsl_matrix_alloc(nv, nv), *X = gsl_matrix_alloc(nv, nv), *KK = gsl_matrix_alloc(K, K);
  double *A = malloc(nv * nv * sizeof *A), *vb = malloc(K * K * sizeof *vb), *sc = NULL;
  vagap_status_t st = A1s && B1s && f && E && T && T2 && Om && X && KK && A && vb ? VAGAP_OK : oom(err);
  for (size_t g = 0; !st && g < G; g++) {
    size_t ng = sem_fiml_group_rows(fm, g);
    f[g] = c[g].f;
    free(sc);
    if (!(A1s[g] = gsl_matrix_alloc(nv, nv)) || !(B1s[g] = gsl_matrix_alloc(nv, nv)) ||
        !(sc = malloc((ng ? ng : 1) * nv * sizeof *sc))) {
      st = oom(err);
      break;
    }
    if ((st = sem_fiml_h1_information(fm, g, Sig[g], mu[g], expected, A, err)) ||
        (st = sem_fiml_moment_scores(fm, g, Sig[g], mu[g], sc, err)))
      break;
    gsl_matrix_view Av = gsl_matrix_view_array(A, nv, nv), Z = gsl_matrix_view_array(sc, ng ? ng : 1, nv);
    gsl_matrix_memcpy(A1s[g], &Av.matrix);
    crossprod(&Z.matrix, 1.0 / (double)ng, B1s[g]);
    zero_x(L, A1s[g]);
    zero_x(L, B1s[g]);
    if (!ms) {
      zero_means(p, A1s[g]);
      zero_means(p, B1s[g]);
    }
  }
  /* Einv: the test's information E = sum_g f_g D' A1s D, inverted */
  if (!st) {
    gsl_matrix_set_zero(E);
    sum_dmd(A1s, f, D, G, E, T);
    if (model) {
      if (!(st = sem_ws_vcov(ws, con, x, E, model, vb, err)))
        for (size_t k = 0; k < K * K; k++) E->data[(k / K) * E->tda + k % K] = N * vb[k];
    } else if (spd_invert(E)) {
      st = vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0, "the baseline model's information matrix is singular");
    }
  }
  *tr = *h0 = 0;
  for (size_t g = 0; !st && g < G; g++) {
    const gsl_matrix *Aui = expected ? c[g].Wxi : c[g].Wmi;
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, Aui, c[g].Jm, 0.0, X);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, X, Aui, 0.0, Om); /* A1u^-1 B1u A1u^-1 */
    *tr += trace_prod(A1s[g], Om);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, A1s[g], D[g], 0.0, T);  /* A1s D */
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, Om, T, 0.0, T2);         /* Om A1s D */
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, T, T2, 0.0, KK);           /* D' A1s Om A1s D */
    *tr -= f[g] * trace_prod(E, KK);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, B1s[g], D[g], 0.0, T);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, D[g], T, 0.0, KK);         /* D' B1s D */
    *h0 += f[g] * trace_prod(E, KK);
  }
  free(sc);
  for (size_t g = 0; g < G; g++) {
    if (A1s && A1s[g]) gsl_matrix_free(A1s[g]);
    if (B1s && B1s[g]) gsl_matrix_free(B1s[g]);
  }
  free(A1s); free(B1s); free(f); free(A); free(vb);
  gsl_matrix *m[] = {E, T, T2, Om, X, KK};
  for (size_t i = 0; i < 6; i++)
    if (m[i]) gsl_matrix_free(m[i]);
  return st;
}

/* yuan.bentler's traces of the model (*tr) and its baseline (*trb, NAN without one), and the
   model's h0 (scaling.factor.h0) */
static vagap_status_t yb_traces(sem_fiml_t *fm, const fpieces_t *P, const layout_t *L, vagap_sem_fit_t *fit,
                                sem_ws_t *ws, sem_con_t *con, vagap_sem_information_t info, double *tr, double *trb,
                                double *h0, vagap_error_t *err) {
  int ex = info == VAGAP_SEM_INFORMATION_EXPECTED, ms = fit->model->meanstructure;
  double hb;
  vagap_status_t st = yb_trace(fm, P->c, L, P->G, ms, P->D, P->Sg, P->mg, ex, ws, con, fit->x, fit->model,
                               fit->fit.ntotal, tr, h0, err);
  *trb = NAN;
  if (!st && P->base_ok && P->KB)
    st = yb_trace(fm, P->c, L, P->G, ms, P->DB, P->SB, P->mB, ex, ws, con, fit->x, NULL, fit->fit.ntotal, trb, &hb,
                  err);
  return st;
}

/*
 * yuan.bentler with complete data: lavaan's h1 matrices are those of the
 * one-pattern case, so the FIML machinery on the complete rows gives them
 * (its EM moments are the sample moments).
 */
static vagap_status_t yb_complete(sem_ws_t *ws, sem_con_t *con, vagap_sem_fit_t *fit, vagap_sem_information_t info,
                                  const vagap_sem_data_t *data, double *tr, double *trb, double *h1, double *ndat,
                                  double *h0, vagap_error_t *err) {
  sem_fiml_t *fm = NULL;
  layout_t L = {0};
  fpieces_t P = {0};
  vagap_status_t st = sem_fiml_alloc(&fm, fit->model, data, 0, err);
  if (!st && layout_init(&L, fit->model->nov, 1, fit->model->ov_is_x)) st = oom(err);
  if (!st) st = fpieces_build(ws, fit, fm, &L, info, &P, err);
  int ex = info == VAGAP_SEM_INFORMATION_EXPECTED, ms = fit->model->meanstructure;
  /* without a mean structure lavaan's h1 has no means: the vech block alone */
  for (size_t g = 0; !st && !ms && g < P.G; g++) {
    gsl_matrix *M[] = {P.c[g].Jm, P.c[g].Wm, P.c[g].Wx};
    for (size_t i = 0; i < 3; i++) zero_means(L.p, M[i]);
    st = invert_kept(ex ? P.c[g].Wx : P.c[g].Wm, ex ? P.c[g].Wxi : P.c[g].Wmi, ex ? &P.c[g].nkx : &P.c[g].nk, err);
  }
  if (!st) st = yb_traces(fm, &P, &L, fit, ws, con, info, tr, trb, h0, err);
  *h1 = *ndat = 0;
  for (size_t g = 0; !st && g < P.G; g++) {
    *h1 += trace_prod(P.c[g].Jm, ex ? P.c[g].Wxi : P.c[g].Wmi);
    *ndat += (double)(ex ? P.c[g].nkx : P.c[g].nk);
  }
  fpieces_free(&P);
  layout_free(&L);
  sem_fiml_free(fm);
  return st;
}

/*
 * sem_robust_finish under FIML (lavaan's MLR with missing = "ml"): the
 * bread E is the information the options ask for (info: lavaan's Hessian by
 * default, or FIML's expected information; the first-order one B0 with
 * information = "first.order"); robust.huber.white SEs E^-1 B0 E^-1 / N with
 * B0 the casewise FIML scores' cross-product; yuan.bentler.mplus with
 * tr(U Gamma) = h1 - tr(B0 E^-1), h1 from the EM moments (fiml_robust_measures),
 * and the baseline's h0 from its own scores and information (fiml_baseline_h0);
 * the .robust measures are lavaan's FIML-corrected ones, with any test.
 */
static vagap_status_t finish_fiml(sem_ws_t *ws, sem_con_t *con, vagap_sem_fit_t *fit, const gsl_matrix *info,
                                  const vagap_sem_fit_options_t *opt, sem_fiml_t *fm, vagap_error_t *err) {
  vagap_sem_measures_t *f = &fit->fit;
  size_t K = fit->model->npar, G = fit->model->ngroups;
  int scaled = opt->test != VAGAP_SEM_TEST_STANDARD && opt->test != VAGAP_SEM_TEST_NONE;
  int hw = opt->se == VAGAP_SEM_SE_ROBUST_HUBER_WHITE, fo = opt->information == VAGAP_SEM_INFORMATION_FIRST_ORDER;
  int need_e = scaled || hw || (fo && opt->se != VAGAP_SEM_SE_NONE);
  if (K == 0) return VAGAP_OK;
  double N = f->ntotal;
  double *vb = malloc(K * K * sizeof *vb);
  gsl_matrix *E = gsl_matrix_alloc(K, K), *Einv = gsl_matrix_alloc(K, K), *B0 = gsl_matrix_calloc(K, K);
  layout_t L = {0};
  vagap_status_t st = vb && E && Einv && B0 ? VAGAP_OK : oom(err);
  if (!st && layout_init(&L, fit->model->nov, 1, fit->model->ov_is_x)) st = oom(err);
  double h1 = NAN, ndat = NAN, h0b = NAN;
  fpieces_t P = {0};
  /* estimates only (--se none, as bootstrap resamples are fitted): no .robust measures;
     nor when the caller asked for no fit measures (opt->compute) and no scaled test needs h1 */
  if (!st && opt->se == VAGAP_SEM_SE_NONE && !scaled) goto done;
  int want_robust = scaled || opt->compute == VAGAP_SEM_COMPUTE_ALL;
  if (!st && want_robust) st = fpieces_build(ws, fit, fm, &L, opt->information, &P, err);
  if (!st && want_robust)
    st = fiml_robust_measures(ws, con, fit, fm, &L, opt->information, scaled, &P, &h1, &ndat, &h0b, err);
  /* as lavaan: the .robust measures that cannot be computed are NA with a warning; the
     fit stands (a scaled test, which needs the same h1 matrices, cannot) */
  if (st && st != VAGAP_ENOMEM && !scaled) {
    fiml_robust_unset(f);
    st = sem_fit_warning(fit, "computation of robust CFI failed (lavaan's words): the .robust measures are NA");
  }
  if (!st && need_e) st = fiml_meat(fm, ws, fit->x, K, G, N, B0, err);
  if (st || !need_e) goto done;
  if (fo) gsl_matrix_memcpy(E, B0);
  else if (info) gsl_matrix_memcpy(E, info);
  else if (opt->information == VAGAP_SEM_INFORMATION_OBSERVED) st = sem_fiml_observed_information(fm, ws, fit->x, E, err);
  else st = sem_fiml_expected_information(fm, ws, fit->x, E, err);
  if (!st) st = sem_ws_vcov(ws, con, fit->x, E, fit->model, vb, err);
  if (st) goto done;
  for (size_t a = 0; a < K; a++)
    for (size_t b = 0; b < K; b++) gsl_matrix_set(Einv, a, b, N * vb[a * K + b]);
  if (hw) st = sandwich_vcov(vb, B0, NULL, K, N, fit->vcov, err);
  else if (opt->se != VAGAP_SEM_SE_NONE) memcpy(fit->vcov, vb, K * K * sizeof *vb);
  if (st || !scaled) goto done;
  double h0 = trace_prod(B0, Einv), tr = h1 - h0, trb = h1 - h0b;
  if (opt->test == VAGAP_SEM_TEST_YUAN_BENTLER &&
      (st = yb_traces(fm, &P, &L, fit, ws, con, opt->information, &tr, &trb, &h0, err)))
    goto done;
  f->scaling_factor_h1 = h1 / ndat;
  f->scaling_factor_h0 = h0 / (double)free_rows(fit->model);
  scaled_t u = scale_test(opt->test, f->chisq, f->df, tr, NAN, 0);
  scaled_t b = scale_test(opt->test, f->baseline_chisq, f->baseline_df, trb, NAN, 0);
  /* scaled_measures' complete-data .robust would replace the FIML-corrected ones */
  vagap_sem_measures_t robust = *f;
  scaled_measures(f, opt->test, &u, &b, N, (double)G);
  f->cfi_robust = robust.cfi_robust;
  f->tli_robust = robust.tli_robust;
  f->nnfi_robust = robust.nnfi_robust;
  f->rni_robust = robust.rni_robust;
  f->rmsea_robust = robust.rmsea_robust;
  f->rmsea_ci_lower_robust = robust.rmsea_ci_lower_robust;
  f->rmsea_ci_upper_robust = robust.rmsea_ci_upper_robust;
  f->rmsea_pvalue_robust = robust.rmsea_pvalue_robust;
  f->rmsea_notclose_pvalue_robust = robust.rmsea_notclose_pvalue_robust;
  for (size_t g = 0; g < G && f->chisq_group_scaled; g++)
    f->chisq_group_scaled[g] = isnan(u.c) ? f->chisq_group[g] : f->chisq_group[g] / u.c;
done:
  fpieces_free(&P);
  layout_free(&L);
  free(vb);
  gsl_matrix *m[] = {E, Einv, B0};
  for (size_t i = 0; i < 3; i++)
    if (m[i]) gsl_matrix_free(m[i]);
  return st;
}

vagap_status_t sem_robust_finish(sem_ws_t *ws, sem_con_t *con, vagap_sem_fit_t *fit, const gsl_matrix *info,
                                 const vagap_sem_fit_options_t *opt, const vagap_sem_data_t *data,
                                 sem_fiml_t *fiml, vagap_error_t *err) {
  vagap_sem_measures_t *f = &fit->fit;
  measures_init(f);
  fit->options = *opt;
  f->test = (int)opt->test;
  size_t K = fit->model->npar, G = fit->model->ngroups;
  int scaled = opt->test != VAGAP_SEM_TEST_STANDARD && opt->test != VAGAP_SEM_TEST_NONE;
  int robust_se = opt->se == VAGAP_SEM_SE_ROBUST_SEM || opt->se == VAGAP_SEM_SE_ROBUST_HUBER_WHITE;
  int ybm = opt->test == VAGAP_SEM_TEST_YUAN_BENTLER_MPLUS;
  int satt = opt->test == VAGAP_SEM_TEST_MEAN_VAR_ADJUSTED || opt->test == VAGAP_SEM_TEST_SCALED_SHIFTED;
  int no_se = opt->se == VAGAP_SEM_SE_NONE;
  if (fiml) return finish_fiml(ws, con, fit, info, opt, fiml, err);
  if (!scaled && !robust_se && (opt->information == VAGAP_SEM_INFORMATION_EXPECTED || no_se)) return VAGAP_OK;
  if (K == 0) return VAGAP_OK;
  robust_t R = {0};
  R.ws = ws;
  R.model = fit->model;
  R.G = G;
  R.K = K;
  R.N = fit->fit.ntotal;
  double N = R.N;
  vagap_status_t st = VAGAP_OK;
  double *vb = malloc(K * K * sizeof *vb);
  /* M: robust.sem's meat and the Satorra-Bentler family's Q (ugamma) */
  int need_q = opt->se == VAGAP_SEM_SE_ROBUST_SEM || (scaled && !ybm && opt->test != VAGAP_SEM_TEST_YUAN_BENTLER);
  gsl_matrix *E = gsl_matrix_alloc(K, K), *Einv = need_q ? gsl_matrix_alloc(K, K) : NULL,
             *M = need_q ? gsl_matrix_alloc(K, K) : NULL,
             *B0 = NULL, *Hb = NULL, *Mb = NULL;
  meat_t mt; /* B0 as its groups' blocks (meat_t); B0 dense only when they cannot stand for it */
  gsl_matrix **Ds = calloc(G, sizeof *Ds), **As = calloc(G, sizeof *As);
  gsl_matrix *W = NULL;
  gsl_vector *mu = NULL;
  baseline_t base = {0};
  R.g = calloc(G, sizeof *R.g);
  if (meat_init(&mt, G, K) || !vb || !E || (need_q && (!M || !Einv)) || !Ds || !As || !R.g ||
      layout_init(&R.L, fit->model->nov, fit->model->meanstructure, fit->model->ov_is_x)) {
    st = oom(err);
    goto done;
  }
  size_t p = R.L.p, ps = R.L.ps;
  if (!(W = gsl_matrix_alloc(p, p)) || !(mu = gsl_vector_alloc(p))) { st = oom(err); goto done; }
  /* per group: Delta, A at the implied moments, Gamma (robust.sem, Satorra-Bentler family;
     yuan.bentler.mplus with fixed.x covariates), the casewise scores' meat B0 */
  int need_rows = wants_rows(opt);
  int need_gamma = opt->se == VAGAP_SEM_SE_ROBUST_SEM || (scaled && !ybm) || (ybm && R.L.is_x);
  int need_meat = opt->se == VAGAP_SEM_SE_ROBUST_HUBER_WHITE || ybm ||
                  opt->information == VAGAP_SEM_INFORMATION_FIRST_ORDER;
  if (need_rows && (st = load_rows(&R, data, err))) goto done;
  for (size_t g = 0; need_rows && g < G && !st; g++) {
    rgroup_t *rg = &R.g[g];
    rg->f = sem_ws_nobs(ws, g) / N;
    int need_a = need_gamma && !(ybm && !robust_sem_se(opt));
    if ((st = implied_inverse(&R, fit->x, g, need_a ? W : NULL, mu, err))) break;
    if (need_a) { /* Delta and A: the Satorra-Bentler family */
      if ((st = delta_group(&R, fit->x, g, err))) break;
      if (!(rg->A = gsl_matrix_alloc(ps, ps))) { st = oom(err); break; }
      h1_expected(&R.L, W, rg->A);
    }
    if (need_gamma) {
      if (!(rg->Gam = gsl_matrix_alloc(ps, ps))) { st = oom(err); break; }
      if ((st = h1_gamma(&R.L, rg->Y, rg->Gam, err))) break;
    }
    if (need_meat && (st = user_meat(&R, fit->x, g, mu, &mt, err))) break;
    Ds[g] = rg->D;
    As[g] = rg->A;
  }
  if (st) goto done;
  /* the dense B0 for the first-order information, with == constraints, or when groups share
     parameters.  Otherwise vb is zero between groups (no shared parameter: disjoint blocks;
     no constraint ties them, sem_con_vcov; the inverse of the information's group blocks,
     invert_information) and the blocks stand for B0 (meat_index also indexes them). */
  if (need_meat &&
      (opt->information == VAGAP_SEM_INFORMATION_FIRST_ORDER || (con && fit->model->ncon) || !meat_index(&mt)) &&
      (st = meat_make_dense(&mt, &B0, err)))
    goto done;
  /* the bread: the information matrix of the standard errors */
  int have_vb = 0;
  const double *vbr = vb; /* E^-1 / N */
  switch (opt->information) {
    case VAGAP_SEM_INFORMATION_OBSERVED:
      /* with SEs the fit's information is already the Hessian (fit_information: dense with
         constraints, else in the workspace's blocks), fit->vcov its inverse */
      if (info || !no_se) {
        have_vb = 1;
        vbr = fit->vcov;
        break;
      }
      st = sem_ws_hessian(ws, fit->x, E, err); /* lavaan's (numerical) Hessian, in closed form */
      sem_ws_objective(ws, fit->x, NULL);     /* leave the workspace at the solution */
      break;
    case VAGAP_SEM_INFORMATION_FIRST_ORDER: gsl_matrix_memcpy(E, B0); break;
    default: st = info ? gsl_matrix_memcpy(E, info), VAGAP_OK : sem_ws_information(ws, fit->x, E, err); break;
  }
  if (!st && !have_vb) st = sem_ws_vcov(ws, con, fit->x, E, fit->model, vb, err);
  if (st) goto done;
  for (size_t a = 0; Einv && a < K; a++)
    for (size_t b = 0; b < K; b++) gsl_matrix_set(Einv, a, b, N * vbr[a * K + b]);
  /* yuan.bentler.mplus's tr(B0 E^-1), before the sandwich takes the place of vbr */
  double ybm_h0 = !ybm ? NAN : B0 ? trace_prod_nz(B0, vbr, N) : meat_trace_nz(&mt, vbr, N);
  /* standard errors */
  double tr1 = NAN, tr2 = NAN, tb1 = NAN, tb2 = NAN;
  if (opt->se == VAGAP_SEM_SE_ROBUST_HUBER_WHITE) {
    st = sandwich_vcov(vbr, B0, B0 ? NULL : &mt, K, N, fit->vcov, err);
  } else if (opt->se == VAGAP_SEM_SE_ROBUST_SEM) {
    /* Q of the Satorra-Bentler trace is robust.sem's meat */
    if (!(st = ugamma(&R, As, Ds, K, Einv, &tr1, satt ? &tr2 : NULL, M, err)))
      st = sandwich_vcov(vbr, M, NULL, K, N, fit->vcov, err);
  } else if (!no_se) {
    if (vbr != fit->vcov) memcpy(fit->vcov, vbr, K * K * sizeof *vbr);
  }
  if (st || !scaled) goto done;
  /* scaled tests: user model and baseline */
  if ((st = baseline_build(&R, &base, ybm, err))) goto done;
  if (base.K && (st = baseline_einv(&base, G, err))) goto done;
  /* the Satorra-Bentler family's traces take E_b^-1 whole */
  if (!ybm && opt->test != VAGAP_SEM_TEST_YUAN_BENTLER &&
      (!(Hb = gsl_matrix_alloc(base.K ? base.K : 1, base.K ? base.K : 1)) ||
       !(Mb = gsl_matrix_alloc(base.K ? base.K : 1, base.K ? base.K : 1)))) {
    st = oom(err);
    goto done;
  }
  if (Hb && base.K) baseline_einv_dense(&base, G, Hb);
  if (opt->test == VAGAP_SEM_TEST_YUAN_BENTLER) {
    double h1, ndat, h0;
    if ((st = yb_complete(ws, con, fit, opt->information, data, &tr1, &tb1, &h1, &ndat, &h0, err))) goto done;
    f->scaling_factor_h1 = h1 / ndat;
    f->scaling_factor_h0 = h0 / (double)free_rows(fit->model);
  } else if (!ybm) {
    if (isnan(tr1)) st = ugamma(&R, As, Ds, K, Einv, &tr1, satt ? &tr2 : NULL, M, err);
    if (!st && base.K) st = ugamma(&R, base.A, base.D, base.K, Hb, &tb1, satt ? &tb2 : NULL, Mb, err);
  } else {
    double h1, ndat;
    if ((st = ybm_h1(&R, W, &h1, &ndat, err))) goto done;
    double h0 = ybm_h0, h0b = 0;
    if (base.K && (st = baseline_meat_trace(&R, &base, &h0b, err))) goto done;
    tr1 = h1 - h0;
    tb1 = h1 - h0b;
    f->scaling_factor_h1 = h1 / ndat;
    f->scaling_factor_h0 = h0 / (double)free_rows(fit->model);
  }
  if (st) goto done;
  scaled_t u = scale_test(opt->test, f->chisq, f->df, tr1, tr2, 0);
  scaled_t b = scale_test(opt->test, f->baseline_chisq, f->baseline_df, tb1, tb2, 0);
  scaled_measures(f, opt->test, &u, &b, N, (double)G);
  for (size_t g = 0; g < G && f->chisq_group_scaled; g++) {
    if (opt->test == VAGAP_SEM_TEST_SCALED_SHIFTED)
      f->chisq_group_scaled[g] = f->chisq_group[g] / u.c + R.g[g].f * u.shift;
    else
      f->chisq_group_scaled[g] = isnan(u.c) ? f->chisq_group[g] : f->chisq_group[g] / u.c;
  }
done:
  baseline_free(&base, G);
  meat_free(&mt);
  gsl_matrix *mats[] = {W, E, Einv, M, B0, Hb, Mb};
  for (size_t k = 0; k < sizeof mats / sizeof mats[0]; k++)
    if (mats[k]) gsl_matrix_free(mats[k]);
  if (mu) gsl_vector_free(mu);
  free(vb);
  free(Ds);
  free(As);
  robust_free(&R);
  return st;
}
