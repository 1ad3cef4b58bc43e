/*
 * sem_fiml.c - full-information ML over missing-data patterns (lavaan's
 * missing = "ml"), as a discrepancy for the one fitter (sem_fit_with).
 *
 * Rows of group g are grouped by their pattern of observed model variables
 * (o = observed, m = missing).  The casewise log-likelihood of row i is
 *   logL_i = -1/2 [p_o log 2pi + log|Sigma_oo| + r_i' Sigma_oo^-1 r_i],  r_i = y_io - mu_o,
 * and lavaan's per-group fit function (estimator.FIML) is
 *   F_g = 1/2 (fx_g - h1_g),  fx_g = -2/n_g sum_i (logL_i + p_o/2 log 2pi),
 * where h1_g is fx_g at the unrestricted (h1) moments estimated by EM
 * (lav_mvnorm_missing_h1_estimate_moments).  So chisq = 2 sum_g n_g F_g =
 * 2 (logl_h1 - logl), the fitter's objective sum_g n_g/N F_g is lavaan's
 * fmin, and its gradient follows from
 *   Omega = 2 dF_g/dSigma = 1/n_g sum_patterns [n_p Sigma_oo^-1 - sum_i a_i a_i'] (o x o block),
 *   v = -dF_g/dmu        = 1/n_g sum_i a_i,   a_i = Sigma_oo^-1 r_i.
 * Sigma_oo^-1 comes from the full inverse by removing the missing block
 * (Sigma_oo^-1 = K_oo - K_om K_mm^-1 K_mo with K = Sigma^-1, log|Sigma_oo| =
 * log|Sigma| + log|K_mm|), as lavaan's lav_matrix_symmetric_inverse_update,
 * so a pattern costs O(p_o^2 p_m + n_p p_o^2) instead of O(p_o^3).
 *
 * The EM moments are also what lavaan uses as "sample" statistics under
 * missing = "ml": starting values, fixed.x values and SRMR's residuals, so
 * the workspace is built from them (sem_fiml_h1_stats).  Fit measures that
 * are not functions of the chi-square are replaced by the measures hook:
 * logl and unrestricted.logl (FIML log-likelihoods, minus the covariates'
 * own log-likelihood under fixed.x, as lav_mvnorm_missing_loglik_samplestats),
 * aic/bic/bic2, and the baseline model fitted by FIML (diagonal Sigma with
 * free means: every variable's own observed mean and variance; the block of
 * exogenous covariates at lavaan's "sample" values (observed means, rescaled
 * pairwise covariances) when x is fixed, saturated by EM otherwise).
 */
#include <float.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_linalg.h>

#include "sem_internal.h"

typedef struct {
  size_t n;       /* rows with this pattern */
  size_t po, pm;  /* observed and missing variables */
  size_t *obs;    /* [po] model-ov indices observed, then [pm] missing ones */
  double *y;      /* [n * po] the observed values, row-major */
} pattern_t;

typedef struct {
  size_t n;          /* rows used */
  size_t npat;
  pattern_t *pat;
  size_t *row;       /* [n] data row of each used row, data order */
  size_t *pat_of;    /* [n] pattern of each used row */
  size_t *pos_in_pat;/* [n] position of the row within its pattern */
  double h1_fx;      /* lavaan's missing.h1$h1 */
  double *cover;     /* [p * p] */
} fgroup_t;

struct sem_fiml {
  const vagap_sem_model_t *model;
  size_t G, p, nx;
  int ml_x;
  fgroup_t *g;
  vagap_sem_stats_t *h1;  /* EM moments, model ov order */
  size_t nrows;
  size_t *rows;           /* [nrows] data row, data order over all groups */
  size_t *row_group;      /* [nrows] its group */
  size_t *row_local;      /* [nrows] its index among the group's used rows */
  size_t *empty, nempty;  /* data rows missing every model variable (lavaan's empty cases) */
  size_t *empty_group;    /* [nempty] their groups */
  /* scratch, p x p */
  gsl_matrix *K, *Koo, *Kmm, *Kom, *T, *Om;
  gsl_vector *r, *a;
  double *Z;              /* [p * zcap] the gradient's stack (group_m2ll), by columns */
  size_t zcap;            /* max over groups of used rows */
  double *R, *Tr;         /* [zcap * p] a group's residuals and R K (group_m2ll) */
  gsl_matrix *B, *KB;     /* p x p: sum_p n_p K_mm^-1 and K B (group_m2ll) */
};

static vagap_status_t oom(vagap_error_t *err) {
  return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
}

static void group_free(fgroup_t *g) {
  for (size_t k = 0; g->pat && k < g->npat; k++) {
    free(g->pat[k].obs);
    free(g->pat[k].y);
  }
  free(g->pat);
  free(g->row);
  free(g->pat_of);
  free(g->pos_in_pat);
  free(g->cover);
}

void sem_fiml_free(sem_fiml_t *f) {
  if (!f) return;
  for (size_t g = 0; f->g && g < f->G; g++) group_free(&f->g[g]);
  free(f->g);
  vagap_sem_stats_free(f->h1);
  free(f->rows);
  free(f->row_group);
  free(f->row_local);
  free(f->empty);
  free(f->empty_group);
  gsl_matrix *m[] = {f->K, f->Koo, f->Kmm, f->Kom, f->T, f->Om, f->B, f->KB};
  for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
    if (m[i]) gsl_matrix_free(m[i]);
  if (f->r) gsl_vector_free(f->r);
  if (f->a) gsl_vector_free(f->a);
  free(f->Z);
  free(f->R);
  free(f->Tr);
  free(f);
}

/* ---- patterns ------------------------------------------------------------------- */

/* Bit pattern of observed variables of a row (p <= 64 words of bits). */
static int same_pattern(const double *y, const pattern_t *pt, size_t p) {
  size_t k = 0;
  for (size_t j = 0; j < p; j++) {
    int seen = !isnan(y[j]);
    if (seen != (k < pt->po && pt->obs[k] == j)) return 0;
    k += seen;
  }
  return 1;
}

/*
 * Sort the used rows of group g into patterns (in order of first appearance)
 * and keep each pattern's observed values.  y is the group's rows in model
 * ov order (n x p).
 */
static vagap_status_t build_patterns(fgroup_t *G, const double *y, size_t n, size_t p, vagap_error_t *err) {
  size_t cap = 8;
  G->pat = calloc(cap, sizeof *G->pat);
  G->pat_of = malloc((n ? n : 1) * sizeof *G->pat_of);
  G->pos_in_pat = malloc((n ? n : 1) * sizeof *G->pos_in_pat);
  size_t *count = calloc(cap, sizeof *count);
  if (!G->pat || !G->pat_of || !G->pos_in_pat || !count) { free(count); return oom(err); }
  for (size_t i = 0; i < n; i++) {
    const double *yi = y + i * p;
    size_t k = 0;
    while (k < G->npat && !same_pattern(yi, &G->pat[k], p)) k++;
    if (k == G->npat) {
      if (G->npat == cap) {
        pattern_t *np = realloc(G->pat, 2 * cap * sizeof *np);
        size_t *nc = np ? realloc(count, 2 * cap * sizeof *nc) : NULL;
        if (np) G->pat = np;
        if (!np || !nc) { free(np ? nc : count); if (np && !nc) free(count); return oom(err); }
        count = nc;
        memset(G->pat + cap, 0, cap * sizeof *G->pat);
        memset(count + cap, 0, cap * sizeof *count);
        cap *= 2;
      }
      pattern_t *pt = &G->pat[G->npat++];
      if (!(pt->obs = malloc(p * sizeof *pt->obs))) { free(count); return oom(err); }
      for (size_t j = 0; j < p; j++)
        if (!isnan(yi[j])) pt->obs[pt->po++] = j;
      for (size_t j = 0; j < p; j++)
        if (isnan(yi[j])) pt->obs[pt->po + pt->pm++] = j;
    }
    G->pat_of[i] = k;
    G->pos_in_pat[i] = count[k]++;
  }
  for (size_t k = 0; k < G->npat; k++) {
    pattern_t *pt = &G->pat[k];
    pt->n = count[k];
    if (!(pt->y = malloc((pt->n * pt->po > 0 ? pt->n * pt->po : 1) * sizeof *pt->y))) { free(count); return oom(err); }
  }
  for (size_t i = 0; i < n; i++) {
    pattern_t *pt = &G->pat[G->pat_of[i]];
    for (size_t j = 0; j < pt->po; j++) pt->y[G->pos_in_pat[i] * pt->po + j] = y[i * p + pt->obs[j]];
  }
  free(count);
  return VAGAP_OK;
}

/* ---- the per-pattern inverse ----------------------------------------------------- */

/*
 * Sigma_oo^-1 (into f->Koo, po x po) and log|Sigma_oo| of pattern pt from
 * K = Sigma^-1 (p x p) and log|Sigma|.  Returns -1 when not positive definite.
 */
static int pattern_inverse(sem_fiml_t *f, const pattern_t *pt, const gsl_matrix *K, double logdet,
                           const gsl_matrix *Sigma, double *logdet_oo) {
  size_t po = pt->po, pm = pt->pm;
  gsl_matrix_view Koo = gsl_matrix_submatrix(f->Koo, 0, 0, po ? po : 1, po ? po : 1);
  if (po == 0) return -1;
  /* raw copies: this runs once per pattern and evaluation */
  const double *Kd = K->data;
  size_t kt = K->tda, ot = Koo.matrix.tda;
  double *Od = Koo.matrix.data;
  if (pm == 0) {
    for (size_t a = 0; a < po; a++) memcpy(Od + a * ot, Kd + a * kt, po * sizeof *Od);
    *logdet_oo = logdet;
    return 0;
  }
  if (pm >= po) {
    /* more missing than observed: invert Sigma_oo directly */
    for (size_t a = 0; a < po; a++)
      for (size_t b = 0; b < po; b++)
        gsl_matrix_set(&Koo.matrix, a, b, gsl_matrix_get(Sigma, pt->obs[a], pt->obs[b]));
    if (gsl_linalg_cholesky_decomp1(&Koo.matrix)) return -1;
    double ld = 0;
    for (size_t a = 0; a < po; a++) ld += 2 * log(gsl_matrix_get(&Koo.matrix, a, a));
    if (gsl_linalg_cholesky_invert(&Koo.matrix)) return -1;
    *logdet_oo = ld;
    return 0;
  }
  const size_t *mis = pt->obs + po;
  gsl_matrix_view Kmm = gsl_matrix_submatrix(f->Kmm, 0, 0, pm, pm);
  gsl_matrix_view Kom = gsl_matrix_submatrix(f->Kom, 0, 0, po, pm);
  gsl_matrix_view T = gsl_matrix_submatrix(f->T, 0, 0, po, pm);
  for (size_t a = 0; a < pm; a++)
    for (size_t b = 0; b < pm; b++) Kmm.matrix.data[a * Kmm.matrix.tda + b] = Kd[mis[a] * kt + mis[b]];
  for (size_t a = 0; a < po; a++) {
    const double *krow = Kd + pt->obs[a] * kt;
    double *mrow = Kom.matrix.data + a * Kom.matrix.tda, *orow = Od + a * ot;
    for (size_t b = 0; b < pm; b++) mrow[b] = krow[mis[b]];
    for (size_t b = 0; b < po; b++) orow[b] = krow[pt->obs[b]];
  }
  if (gsl_linalg_cholesky_decomp1(&Kmm.matrix)) return -1;
  double ldm = 0;
  for (size_t a = 0; a < pm; a++) ldm += 2 * log(gsl_matrix_get(&Kmm.matrix, a, a));
  /* T = K_om L^-T, Koo -= T T' */
  gsl_matrix_memcpy(&T.matrix, &Kom.matrix);
  gsl_blas_dtrsm(CblasRight, CblasLower, CblasTrans, CblasNonUnit, 1.0, &Kmm.matrix, &T.matrix);
  gsl_blas_dsyrk(CblasLower, CblasNoTrans, -1.0, &T.matrix, 1.0, &Koo.matrix);
  for (size_t a = 0; a < po; a++)
    for (size_t b = 0; b < a; b++) Od[b * ot + a] = Od[a * ot + b];
  *logdet_oo = logdet + ldm;
  return 0;
}

/* ---- log-likelihood and its derivatives -------------------------------------------- */

/*
 * sum_i r_i' Sigma_oo^-1 r_i + n log|Sigma_oo| over the rows of group g
 * (lavaan's -2 logL without 2 pi) at (Sigma, mu) with inverse K and log
 * determinant ld; with Omega/v (not NULL) also n_g times the derivative
 * parts of the module comment (unscaled: the caller divides).
 *
 * Everything is done in the full p-space, with vectors that are zero at a
 * pattern's missing variables, so nothing is gathered or scattered per row:
 *   a_i = K r_i - K_.m K_mm^-1 (K r_i)_m   (= Sigma_oo^-1 r_i at o, 0 at m),
 * with K r_i for all rows as one product R K (level-3 BLAS over the group's
 * rows, R the residuals with zeros at the missing cells).  The padded
 * Sigma_oo^-1 of a pattern is K - K_.m K_mm^-1 K_m. (its rows and columns at
 * m vanish), so
 *   sum_p n_p Sigma_oo^-1 (padded) = n K - K B K,  B = sum_p n_p K_mm^-1 at (m, m),
 * two p x p products per evaluation whatever the number of patterns, and the
 * rows' a_i a_i' are one product A'A.  Returns +HUGE_VAL when a Sigma_oo is
 * not positive definite.
 */
static double group_m2ll(sem_fiml_t *f, const fgroup_t *G, const gsl_matrix *Sigma, const gsl_matrix *K,
                         double ld, const gsl_vector *mu, gsl_matrix *Omega, gsl_vector *v) {
  (void)Sigma;
  size_t p = f->p, n = G->n;
  double total = 0, *Z = f->Z, *R = f->R, *T = f->Tr;
  if (v) gsl_vector_set_zero(v);
  const double *Kd = K->data, *mud = mu->data;
  size_t kt = K->tda, ms = mu->stride;
  /* the residuals of every row, pattern by pattern, zero at the missing cells; T = R K */
  for (size_t k = 0, row = 0; k < G->npat; k++) {
    const pattern_t *pt = &G->pat[k];
    for (size_t i = 0; i < pt->n; i++, row++) {
      double *ri = R + row * p;
      const double *yi = pt->y + i * pt->po;
      for (size_t j = 0; j < pt->pm; j++) ri[pt->obs[pt->po + j]] = 0;
      for (size_t j = 0; j < pt->po; j++) ri[pt->obs[j]] = yi[j] - mud[pt->obs[j] * ms];
    }
  }
  if (n) {
    gsl_matrix_view Rv = gsl_matrix_view_array(R, n, p), Tv = gsl_matrix_view_array(T, n, p);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &Rv.matrix, K, 0.0, &Tv.matrix);
  }
  if (Omega) gsl_matrix_set_zero(f->B);
  for (size_t k = 0, row = 0; k < G->npat; k++) {
    const pattern_t *pt = &G->pat[k];
    size_t pm = pt->pm;
    const size_t *mis = pt->obs + pt->po;
    double ldm = 0;
    gsl_matrix_view L = gsl_matrix_submatrix(f->Kmm, 0, 0, pm ? pm : 1, pm ? pm : 1);
    if (pm) {
      for (size_t a = 0; a < pm; a++)
        for (size_t b = 0; b < pm; b++) L.matrix.data[a * L.matrix.tda + b] = Kd[mis[a] * kt + mis[b]];
      if (gsl_linalg_cholesky_decomp1(&L.matrix)) return HUGE_VAL;
      for (size_t a = 0; a < pm; a++) ldm += 2 * log(L.matrix.data[a * L.matrix.tda + a]);
      if (Omega) {
        /* B += n_p K_mm^-1 at (m, m); the inverse by column solves with the factor
           (p_m is small: cheaper than a blocked inversion) */
        gsl_matrix_view W = gsl_matrix_submatrix(f->Kom, 0, 0, pm, pm);
        gsl_matrix_set_identity(&W.matrix);
        for (size_t b = 0; b < pm; b++) {
          gsl_vector_view wc = gsl_matrix_column(&W.matrix, b);
          gsl_linalg_cholesky_svx(&L.matrix, &wc.vector);
        }
        for (size_t a = 0; a < pm; a++)
          for (size_t b = 0; b < pm; b++)
            f->B->data[mis[a] * f->B->tda + mis[b]] += (double)pt->n * W.matrix.data[a * W.matrix.tda + b];
      }
    }
    total += (double)pt->n * (ld + ldm);
    double zm[pm ? pm : 1];
    for (size_t i = 0; i < pt->n; i++, row++) {
      const double *rd = R + row * p;
      double *td = T + row * p;
      if (pm) {
        /* z = K_mm^-1 t_m; t -= K_.m z; t_m = 0 */
        for (size_t j = 0; j < pm; j++) zm[j] = td[mis[j]];
        gsl_vector_view zv = gsl_vector_view_array(zm, pm);
        gsl_linalg_cholesky_svx(&L.matrix, &zv.vector);
        for (size_t j = 0; j < pm; j++) {
          const double *kcol = Kd + mis[j] * kt; /* row mis[j] = column by symmetry */
          for (size_t c = 0; c < p; c++) td[c] -= kcol[c] * zm[j];
        }
        for (size_t j = 0; j < pm; j++) td[mis[j]] = 0;
      }
      double q = 0;
      for (size_t c = 0; c < p; c++) q += rd[c] * td[c];
      total += q;
      if (Omega)
        for (size_t c = 0; c < p; c++) Z[c * f->zcap + row] = td[c];
      if (v)
        for (size_t c = 0; c < p; c++) v->data[c * v->stride] += td[c];
    }
  }
  if (Omega) {
    /* Omega = n K - K B K - Z'Z */
    for (size_t a = 0; a < p; a++)
      for (size_t b = 0; b < p; b++) Omega->data[a * Omega->tda + b] = (double)n * Kd[a * kt + b];
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, K, f->B, 0.0, f->KB);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, -1.0, f->KB, K, 1.0, Omega);
    /* Z is stored by columns (p rows of length zcap): Z'Z = Zt Zt', contiguous dot products */
    gsl_matrix_view Zt = gsl_matrix_view_array_with_tda(Z, p, n ? n : 1, f->zcap);
    if (n) gsl_blas_dsyrk(CblasLower, CblasNoTrans, -1.0, &Zt.matrix, 1.0, Omega);
    for (size_t a = 0; a < p; a++)
      for (size_t b = 0; b < a; b++) Omega->data[b * Omega->tda + a] = Omega->data[a * Omega->tda + b];
  }
  return total;
}

/* Inverse and log determinant of Sigma (p x p) into K; -1 if not positive definite. */
static int sym_inverse(const gsl_matrix *Sigma, gsl_matrix *K, double *ld) {
  gsl_matrix_memcpy(K, Sigma);
  if (gsl_linalg_cholesky_decomp1(K)) return -1;
  double s = 0;
  for (size_t a = 0; a < K->size1; a++) s += 2 * log(gsl_matrix_get(K, a, a));
  *ld = s;
  return gsl_linalg_cholesky_invert(K) ? -1 : 0;
}

/* -2 logL (without 2 pi) of group g at (Sigma, mu); +HUGE_VAL if not defined. */
static double group_m2ll_at(sem_fiml_t *f, size_t g, const gsl_matrix *Sigma, const gsl_vector *mu) {
  gsl_matrix *K = gsl_matrix_alloc(f->p, f->p);
  double ld, v = HUGE_VAL;
  if (K && !sym_inverse(Sigma, K, &ld)) v = group_m2ll(f, &f->g[g], Sigma, K, ld, mu, NULL, NULL);
  if (K) gsl_matrix_free(K);
  return v;
}

/* sum over the group's rows of p_o (for the 2 pi constant). */
static double group_nobs_values(const fgroup_t *G) {
  double s = 0;
  for (size_t k = 0; k < G->npat; k++) s += (double)(G->pat[k].n * G->pat[k].po);
  return s;
}

static double fiml_group_value(void *ctx, size_t g, const gsl_matrix *Sigma, const gsl_matrix *SigInv,
                               double logdetSig, const gsl_vector *mu, int want_grad, gsl_matrix *Omega,
                               gsl_vector *v) {
  sem_fiml_t *f = ctx;
  const fgroup_t *G = &f->g[g];
  double n = (double)G->n;
  double m2 = group_m2ll(f, G, Sigma, SigInv, logdetSig, mu, want_grad ? Omega : NULL, want_grad ? v : NULL);
  if (!isfinite(m2)) return HUGE_VAL;
  if (want_grad) {
    gsl_matrix_scale(Omega, 1 / n);
    gsl_vector_scale(v, 1 / n);
  }
  double Fg = 0.5 * (m2 / n - G->h1_fx);
  /* lavaan clamps the group's fx - h1 at zero (a saturated fit off by rounding) */
  return Fg < 0 && !want_grad ? 0 : Fg;
}

/* ---- EM for the unrestricted moments ------------------------------------------------ */

/*
 * lavaan's lav_mvnorm_missing_h1_estimate_moments on the variables `sub`
 * (ns of them, model ov indices) of group g: start at the observed means and
 * variances (1 when not positive), E-steps with conditional expectations,
 * a ridge of max(diag) 1e-8 when an eigenvalue falls below 1e-6, stop when
 * no mean or (co)variance moves by tol or more (lavaan: 1e-5, 500 steps).
 */
static vagap_status_t em_moments(const sem_fiml_t *f, size_t g, const size_t *sub, size_t ns, double tol,
                                 int max_iter, gsl_vector *mu, gsl_matrix *Sigma, vagap_error_t *err) {
  const fgroup_t *G = &f->g[g];
  size_t *loc = malloc(f->p * sizeof *loc); /* model ov -> position in sub, or -1 */
  gsl_vector *mu0 = gsl_vector_calloc(ns), *T1 = gsl_vector_alloc(ns), *yc = gsl_vector_alloc(ns),
             *ev = gsl_vector_alloc(ns), *ro = gsl_vector_alloc(ns);
  gsl_matrix *S0 = gsl_matrix_calloc(ns, ns), *T2 = gsl_matrix_alloc(ns, ns), *Soo = gsl_matrix_alloc(ns, ns),
             *B = gsl_matrix_alloc(ns, ns), *E = gsl_matrix_alloc(ns, ns);
  gsl_eigen_symm_workspace *ew = gsl_eigen_symm_alloc(ns);
  size_t *os = malloc(ns * sizeof *os), *ms = malloc(ns * sizeof *ms);
  vagap_status_t st = VAGAP_OK;
  if (!loc || !mu0 || !T1 || !yc || !ev || !ro || !S0 || !T2 || !Soo || !B || !E || !ew || !os || !ms) {
    st = oom(err);
    goto done;
  }
  for (size_t j = 0; j < f->p; j++) loc[j] = (size_t)-1;
  for (size_t s = 0; s < ns; s++) loc[sub[s]] = s;
  /* rows observing none of sub do not count (lavaan's empty cases of this block) */
  double N = 0;
  for (size_t k = 0; k < G->npat; k++) {
    size_t c = 0;
    for (size_t j = 0; j < G->pat[k].po; j++) c += loc[G->pat[k].obs[j]] != (size_t)-1;
    if (c) N += (double)G->pat[k].n;
  }
  /* start: observed means, variances with divisor = number observed */
  {
    double *cnt = calloc(ns, sizeof *cnt), *sum = calloc(ns, sizeof *sum), *ss = calloc(ns, sizeof *ss);
    if (!cnt || !sum || !ss) { free(cnt); free(sum); free(ss); st = oom(err); goto done; }
    for (int pass = 0; pass < 2; pass++)
      for (size_t k = 0; k < G->npat; k++) {
        const pattern_t *pt = &G->pat[k];
        for (size_t i = 0; i < pt->n; i++)
          for (size_t j = 0; j < pt->po; j++) {
            size_t s = loc[pt->obs[j]];
            if (s == (size_t)-1) continue;
            double y = pt->y[i * pt->po + j];
            if (pass == 0) { cnt[s] += 1; sum[s] += y; }
            else ss[s] += (y - sum[s] / cnt[s]) * (y - sum[s] / cnt[s]);
          }
      }
    for (size_t s = 0; s < ns; s++) {
      double m = sum[s] / cnt[s], v = ss[s] / cnt[s];
      gsl_vector_set(mu0, s, isfinite(m) ? m : 0);
      gsl_matrix_set(S0, s, s, isfinite(v) && v != 0 ? v : 1);
    }
    free(cnt); free(sum); free(ss);
  }
  gsl_vector_memcpy(mu, mu0);
  gsl_matrix_memcpy(Sigma, S0);
  for (int it = 0; it < max_iter; it++) {
    gsl_vector_set_zero(T1);
    gsl_matrix_set_zero(T2);
    /* K = Sigma^-1: per pattern, the regression of the missing on the observed part
       is B = -K_mm^-1 K_mo and the conditional covariance K_mm^-1 */
    double ldK;
    if (sym_inverse(Sigma, Soo, &ldK)) {
      st = vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0,
                           "the EM estimate of the unrestricted moments of group '%s' is not positive definite",
                           f->h1->group_label[g]);
      goto done;
    }
    const double *Kd = Soo->data, *mud = mu->data;
    double *t1 = T1->data, *t2 = T2->data, *y = yc->data, *rv = ro->data;
    size_t kt = Soo->tda, t2t = T2->tda;
    for (size_t k = 0; k < G->npat; k++) {
      const pattern_t *pt = &G->pat[k];
      size_t no = 0, nm = 0;
      for (size_t j = 0; j < pt->po; j++)
        if (loc[pt->obs[j]] != (size_t)-1) os[no++] = loc[pt->obs[j]];
      if (no == 0) continue;
      for (size_t s = 0; s < ns; s++) {
        int seen = 0;
        for (size_t j = 0; j < no; j++) seen |= os[j] == s;
        if (!seen) ms[nm++] = s;
      }
      gsl_matrix_view Bv = gsl_matrix_view_array(B->data, nm ? nm : 1, no);
      gsl_matrix_view Cm = gsl_matrix_view_array(E->data, nm ? nm : 1, nm ? nm : 1);
      double *Bd = B->data, *Cd = E->data;
      if (nm) {
        for (size_t a = 0; a < nm; a++) {
          for (size_t b = 0; b < nm; b++) Cd[a * nm + b] = Kd[ms[a] * kt + ms[b]];
          for (size_t b = 0; b < no; b++) Bd[a * no + b] = -Kd[ms[a] * kt + os[b]];
        }
        if (gsl_linalg_cholesky_decomp1(&Cm.matrix)) {
          st = vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0,
                               "the EM estimate of the unrestricted moments of group '%s' is not positive definite",
                               f->h1->group_label[g]);
          goto done;
        }
        gsl_blas_dtrsm(CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, 1.0, &Cm.matrix, &Bv.matrix);
        gsl_blas_dtrsm(CblasLeft, CblasLower, CblasTrans, CblasNonUnit, 1.0, &Cm.matrix, &Bv.matrix);
        gsl_linalg_cholesky_invert(&Cm.matrix); /* the conditional covariance */
      }
      for (size_t i = 0; i < pt->n; i++) {
        const double *yi = pt->y + i * pt->po;
        size_t c = 0;
        for (size_t j = 0; j < pt->po; j++)
          if (loc[pt->obs[j]] != (size_t)-1) {
            y[os[c]] = yi[j];
            rv[c] = yi[j] - mud[os[c] * mu->stride];
            c++;
          }
        for (size_t a = 0; a < nm; a++) {
          double sum = mud[ms[a] * mu->stride];
          const double *brow = Bd + a * no;
          for (size_t b = 0; b < no; b++) sum += brow[b] * rv[b];
          y[ms[a]] = sum;
        }
        for (size_t a = 0; a < ns; a++) {
          double ya = y[a];
          double *row = t2 + a * t2t;
          t1[a] += ya;
          for (size_t b = 0; b <= a; b++) row[b] += ya * y[b];
        }
      }
      for (size_t a = 0; a < nm; a++)
        for (size_t b = 0; b < nm; b++)
          if (ms[a] >= ms[b]) t2[ms[a] * t2t + ms[b]] += Cd[a * nm + b] * (double)pt->n;
    }
    for (size_t a = 0; a < ns; a++) {
      gsl_vector_set(mu, a, gsl_vector_get(T1, a) / N);
    }
    for (size_t a = 0; a < ns; a++)
      for (size_t b = 0; b <= a; b++) {
        double s = gsl_matrix_get(T2, a, b) / N - gsl_vector_get(mu, a) * gsl_vector_get(mu, b);
        gsl_matrix_set(Sigma, a, b, s);
        gsl_matrix_set(Sigma, b, a, s);
      }
    gsl_matrix_memcpy(E, Sigma);
    gsl_eigen_symm(E, ev, ew);
    if (gsl_vector_min(ev) < 1e-6) {
      double md = 0;
      for (size_t a = 0; a < ns; a++) md = fmax(md, gsl_matrix_get(Sigma, a, a));
      for (size_t a = 0; a < ns; a++) *gsl_matrix_ptr(Sigma, a, a) += md * 1e-8;
    }
    double delta = 0;
    for (size_t a = 0; a < ns; a++) {
      delta = fmax(delta, fabs(gsl_vector_get(mu, a) - gsl_vector_get(mu0, a)));
      for (size_t b = 0; b <= a; b++) delta = fmax(delta, fabs(gsl_matrix_get(Sigma, a, b) - gsl_matrix_get(S0, a, b)));
    }
    if (delta < tol) break;
    gsl_vector_memcpy(mu0, mu);
    gsl_matrix_memcpy(S0, Sigma);
  }
done:
  free(loc); free(os); free(ms);
  gsl_vector *vs[] = {mu0, T1, yc, ev, ro};
  for (size_t i = 0; i < 5; i++) if (vs[i]) gsl_vector_free(vs[i]);
  gsl_matrix *ms2[] = {S0, T2, Soo, B, E};
  for (size_t i = 0; i < 5; i++) if (ms2[i]) gsl_matrix_free(ms2[i]);
  if (ew) gsl_eigen_symm_free(ew);
  return st;
}

/* ---- setup ------------------------------------------------------------------------------ */

static int all_missing(const double *y, size_t p) {
  for (size_t j = 0; j < p; j++)
    if (!isnan(y[j])) return 0;
  return 1;
}

vagap_status_t sem_fiml_alloc(sem_fiml_t **out, const vagap_sem_model_t *model, const vagap_sem_data_t *data,
                              int ml_x, vagap_error_t *err) {
  *out = NULL;
  if (data->ngroups != model->ngroups)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "the model was built for %zu groups but the data have %zu",
                           model->ngroups, data->ngroups);
  sem_fiml_t *f = calloc(1, sizeof *f);
  if (!f) return oom(err);
  size_t p = model->nov, G = model->ngroups;
  f->model = model;
  f->G = G;
  f->p = p;
  f->ml_x = ml_x;
  for (size_t j = 0; j < p; j++) f->nx += model->ov_is_x[j] != 0;
  size_t *col = malloc((p ? p : 1) * sizeof *col);
  double *y = malloc((data->nobs ? data->nobs : 1) * (p ? p : 1) * sizeof *y);
  f->g = calloc(G, sizeof *f->g);
  f->rows = malloc((data->nobs ? data->nobs : 1) * sizeof *f->rows);
  f->row_group = malloc((data->nobs ? data->nobs : 1) * sizeof *f->row_group);
  f->row_local = malloc((data->nobs ? data->nobs : 1) * sizeof *f->row_local);
  size_t pp = p ? p : 1;
  f->K = gsl_matrix_alloc(pp, pp);
  f->Koo = gsl_matrix_alloc(pp, pp);
  f->Kmm = gsl_matrix_alloc(pp, pp);
  f->Kom = gsl_matrix_alloc(pp, pp);
  f->T = gsl_matrix_alloc(pp, pp);
  f->Om = gsl_matrix_alloc(pp, pp);
  f->B = gsl_matrix_alloc(pp, pp);
  f->KB = gsl_matrix_alloc(pp, pp);
  f->r = gsl_vector_alloc(pp);
  f->a = gsl_vector_alloc(pp);
  vagap_status_t st = VAGAP_OK;
  if (!col || !y || !f->g || !f->rows || !f->row_group || !f->row_local || !f->K || !f->Koo || !f->Kmm ||
      !f->Kom || !f->T || !f->Om || !f->B || !f->KB || !f->r || !f->a) {
    st = oom(err);
    goto done;
  }
  for (size_t j = 0; j < p; j++) {
    size_t c;
    for (c = 0; c < data->nvar; c++)
      if (!strcmp(model->ov[j], data->var[c])) break;
    if (c == data->nvar) {
      st = vagap_error_set(err, VAGAP_ECOLUMN, NULL, 0, 0, "observed variable '%s' of the model is not in the data",
                           model->ov[j]);
      goto done;
    }
    col[j] = c;
  }
  st = vagap_sem_stats_alloc(&f->h1, G, p, (const char *const *)model->ov, data->group_label, err);
  if (st) goto done;
  /* used rows in data order; a missing fixed.x covariate is the caller's to delete */
  for (size_t i = 0; i < data->nobs; i++) {
    const double *src = data->x + i * data->nvar;
    double yi[p ? p : 1];
    for (size_t j = 0; j < p; j++) yi[j] = src[col[j]];
    if (p == 0 || all_missing(yi, p)) {
      if (!f->empty) {
        f->empty = malloc(data->nobs * sizeof *f->empty);
        f->empty_group = malloc(data->nobs * sizeof *f->empty_group);
        if (!f->empty || !f->empty_group) {
          st = oom(err);
          goto done;
        }
      }
      f->empty_group[f->nempty] = data->group[i];
      f->empty[f->nempty++] = i;
      continue;
    }
    if (!ml_x)
      for (size_t j = 0; j < p; j++)
        if (model->ov_is_x[j] && isnan(yi[j])) {
          st = vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                               "row %zu: covariate '%s' is missing; with fixed.x, --missing ml needs "
                               "complete covariates (lavaan deletes such rows; --missing ml.x keeps them)",
                               i + 1, model->ov[j]);
          goto done;
        }
    size_t g = data->group[i];
    f->rows[f->nrows] = i;
    f->row_group[f->nrows] = g;
    f->row_local[f->nrows] = f->g[g].n++;
    f->nrows++;
  }
  for (size_t g = 0; g < G && !st; g++) {
    fgroup_t *Gg = &f->g[g];
    if (Gg->n == 0) {
      st = vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0,
                           "group '%s' has no row with an observed model variable", data->group_label[g]);
      break;
    }
    if (Gg->n == 1) {
      st = vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0,
                           "group '%s' has a single observation (lavaan: \"data contains only a single "
                           "observation\"): its moments cannot be estimated", data->group_label[g]);
      break;
    }
    if (!(Gg->row = malloc(Gg->n * sizeof *Gg->row)) || !(Gg->cover = calloc(p * p, sizeof *Gg->cover))) {
      st = oom(err);
      break;
    }
    size_t n = 0;
    for (size_t r = 0; r < f->nrows; r++)
      if (f->row_group[r] == g) {
        const double *src = data->x + f->rows[r] * data->nvar;
        for (size_t j = 0; j < p; j++) y[n * p + j] = src[col[j]];
        Gg->row[n++] = f->rows[r];
      }
    for (size_t i = 0; i < n; i++)
      for (size_t a = 0; a < p; a++)
        for (size_t b = 0; b < p; b++)
          Gg->cover[a * p + b] += (!isnan(y[i * p + a]) && !isnan(y[i * p + b])) / (double)n;
    for (size_t j = 0; j < p && !st; j++)
      if (Gg->cover[j * p + j] == 0)
        st = vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0,
                             "variable '%s' is missing in every row of group '%s': its mean and variance "
                             "cannot be estimated", model->ov[j], data->group_label[g]);
    if (!st) st = build_patterns(Gg, y, n, p, err);
  }
  size_t zmax = 0;
  for (size_t g = 0; g < G && !st; g++) zmax = f->g[g].n > zmax ? f->g[g].n : zmax;
  f->zcap = zmax ? zmax : 1;
  if (!st && (!(f->Z = malloc(f->zcap * pp * sizeof *f->Z)) || !(f->R = malloc(f->zcap * pp * sizeof *f->R)) ||
              !(f->Tr = malloc(f->zcap * pp * sizeof *f->Tr))))
    st = oom(err);
  /* EM moments (lavaan's em.h1.iter.max = 500, em.h1.tol = 1e-5) and h1's fx */
  size_t *all = malloc(pp * sizeof *all);
  if (!st && !all) st = oom(err);
  for (size_t j = 0; all && j < p; j++) all[j] = j;
  for (size_t g = 0; g < G && !st; g++) {
    gsl_vector *mu = gsl_vector_alloc(pp);
    gsl_matrix *S = gsl_matrix_alloc(pp, pp);
    if (!mu || !S) st = oom(err);
    if (!st) st = em_moments(f, g, all, p, 1e-5, 500, mu, S, err);
    if (!st) {
      fgroup_t *Gg = &f->g[g];
      f->h1->n[g] = (double)Gg->n;
      for (size_t a = 0; a < p; a++) {
        f->h1->mean[g * p + a] = gsl_vector_get(mu, a);
        for (size_t b = 0; b < p; b++) f->h1->cov[g * p * p + a * p + b] = gsl_matrix_get(S, a, b);
      }
      double m2 = group_m2ll_at(f, g, S, mu);
      if (!isfinite(m2))
        st = vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0,
                             "the unrestricted (EM) covariance matrix of group '%s' is not positive definite "
                             "(a variable is constant or a linear combination of others)",
                             data->group_label[g]);
      Gg->h1_fx = m2 / (double)Gg->n;
    }
    if (mu) gsl_vector_free(mu);
    if (S) gsl_matrix_free(S);
  }
  free(all);
done:
  free(col);
  free(y);
  if (st) {
    sem_fiml_free(f);
    return st;
  }
  *out = f;
  return VAGAP_OK;
}

const vagap_sem_stats_t *sem_fiml_h1_stats(const sem_fiml_t *f) { return f->h1; }
size_t sem_fiml_nrows(const sem_fiml_t *f) { return f->nrows; }
size_t sem_fiml_row_index(const sem_fiml_t *f, size_t i) { return f->rows[i]; }
size_t sem_fiml_npatterns(const sem_fiml_t *f, size_t g) { return f->g[g].npat; }
void sem_fiml_coverage(const sem_fiml_t *f, size_t g, double *coverage) {
  memcpy(coverage, f->g[g].cover, f->p * f->p * sizeof *coverage);
}

/* ---- fit measures ---------------------------------------------------------------------- */

static const double LOG2PI = 1.8378770664093454836;


/*
 * Covariance of the pairwise-complete values of variables a and b in group g
 * (R's cov(use = "pairwise"): means and divisor n_ab - 1 over the rows
 * observing both).
 */
static double pairwise_cov(const sem_fiml_t *f, size_t g, size_t a, size_t b) {
  const fgroup_t *G = &f->g[g];
  double n = 0, sa = 0, sb = 0, sab = 0;
  for (int pass = 0; pass < 2; pass++)
    for (size_t k = 0; k < G->npat; k++) {
      const pattern_t *pt = &G->pat[k];
      size_t ia = (size_t)-1, ib = (size_t)-1;
      for (size_t j = 0; j < pt->po; j++) {
        if (pt->obs[j] == a) ia = j;
        if (pt->obs[j] == b) ib = j;
      }
      if (ia == (size_t)-1 || ib == (size_t)-1) continue;
      for (size_t i = 0; i < pt->n; i++) {
        double ya = pt->y[i * pt->po + ia], yb = pt->y[i * pt->po + ib];
        if (pass == 0) { n += 1; sa += ya; sb += yb; }
        else sab += (ya - sa / n) * (yb - sb / n);
      }
    }
  return sab / (n - 1);
}

/*
 * lavaan's loglik.x: the fixed.x covariates' own log-likelihood, subtracted
 * from logl and unrestricted.logl (0 without covariates).  lavaan evaluates
 * it at the h1 (EM) covariance of x for the model's logl, but at its
 * "sample" cov.x for the unrestricted logl: the pairwise-complete covariance
 * rescaled by (n - 1)/n (pairwise = 1).  The two agree when x is complete
 * (missing = "ml"), not under "ml.x".
 */
static double loglik_x(const sem_fiml_t *f, size_t g, int pairwise) {
  if (!f->nx) return 0;
  size_t p = f->p, nx = f->nx, a = 0;
  double n = (double)f->g[g].n;
  gsl_matrix *Sx = gsl_matrix_alloc(nx, nx);
  if (!Sx) return NAN;
  for (size_t i = 0; i < p; i++) {
    if (!f->model->ov_is_x[i]) continue;
    size_t b = 0;
    for (size_t j = 0; j < p; j++)
      if (f->model->ov_is_x[j])
        gsl_matrix_set(Sx, a, b++, pairwise ? pairwise_cov(f, g, i, j) * (n - 1) / n
                                            : f->h1->cov[g * p * p + i * p + j]);
    a++;
  }
  double ld = 0;
  if (gsl_linalg_cholesky_decomp1(Sx)) ld = NAN;
  for (size_t i = 0; i < nx && isfinite(ld); i++) ld += 2 * log(gsl_matrix_get(Sx, i, i));
  gsl_matrix_free(Sx);
  return -0.5 * (double)f->g[g].n * ((double)nx * LOG2PI + ld + (double)nx);
}

/* FIML log-likelihood (with 2 pi) of group g on the variables `sub` at (Sigma, mu) restricted to them. */
static double subset_loglik(sem_fiml_t *f, size_t g, const size_t *sub, size_t ns, const gsl_matrix *Sigma,
                            const gsl_vector *mu) {
  const fgroup_t *G = &f->g[g];
  int *in = calloc(f->p, sizeof *in);
  gsl_matrix *L = gsl_matrix_alloc(ns ? ns : 1, ns ? ns : 1);
  gsl_vector *r = gsl_vector_alloc(ns ? ns : 1);
  size_t *os = malloc((ns ? ns : 1) * sizeof *os), *oj = malloc((ns ? ns : 1) * sizeof *oj);
  double ll = NAN;
  if (!in || !L || !r || !os || !oj) goto done;
  for (size_t s = 0; s < ns; s++) in[sub[s]] = 1;
  ll = 0;
  for (size_t k = 0; k < G->npat && isfinite(ll); k++) {
    const pattern_t *pt = &G->pat[k];
    size_t no = 0;
    for (size_t j = 0; j < pt->po; j++)
      if (in[pt->obs[j]]) { os[no] = pt->obs[j]; oj[no++] = j; }
    if (!no) continue;
    gsl_matrix_view Lv = gsl_matrix_submatrix(L, 0, 0, no, no);
    for (size_t a = 0; a < no; a++)
      for (size_t b = 0; b < no; b++) gsl_matrix_set(&Lv.matrix, a, b, gsl_matrix_get(Sigma, os[a], os[b]));
    if (gsl_linalg_cholesky_decomp1(&Lv.matrix)) { ll = NAN; break; }
    double ld = 0;
    for (size_t a = 0; a < no; a++) ld += 2 * log(gsl_matrix_get(&Lv.matrix, a, a));
    gsl_vector_view rv = gsl_vector_subvector(r, 0, no);
    for (size_t i = 0; i < pt->n; i++) {
      for (size_t a = 0; a < no; a++)
        gsl_vector_set(&rv.vector, a, pt->y[i * pt->po + oj[a]] - gsl_vector_get(mu, os[a]));
      gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, &Lv.matrix, &rv.vector);
      double q;
      gsl_blas_ddot(&rv.vector, &rv.vector, &q);
      ll += -0.5 * ((double)no * LOG2PI + ld + q);
    }
  }
done:
  free(in); free(os); free(oj);
  if (L) gsl_matrix_free(L);
  if (r) gsl_vector_free(r);
  return ll;
}

/* Mean of the observed values of variable j in group g (R's colMeans(na.rm = TRUE)). */
static double observed_mean(const sem_fiml_t *f, size_t g, size_t j) {
  const fgroup_t *G = &f->g[g];
  double s = 0, n = 0;
  for (size_t k = 0; k < G->npat; k++) {
    const pattern_t *pt = &G->pat[k];
    for (size_t c = 0; c < pt->po; c++)
      if (pt->obs[c] == j)
        for (size_t i = 0; i < pt->n; i++) {
          s += pt->y[i * pt->po + c];
          n += 1;
        }
  }
  return s / n;
}

/*
 * The baseline (independence) model by FIML: its likelihood factors into
 * one term per non-exogenous variable (its observed mean and variance are
 * the ML estimates) and one for the block of exogenous covariates (with
 * fixed.x at lavaan's "sample" statistics, see below; saturated by EM
 * otherwise).
 */
static double baseline_loglik(sem_fiml_t *f, size_t g) {
  size_t p = f->p;
  const vagap_sem_model_t *m = f->model;
  size_t *sub = malloc((p ? p : 1) * sizeof *sub), ne = 0;
  if (!sub) return NAN;
  double ll = 0;
  for (size_t j = 0; j < p; j++) {
    if (m->ov_exo[j]) { sub[ne++] = j; continue; }
    /* the ML variance (divisor n_j) of the n_j observed values */
    double n = 0, v = pairwise_cov(f, g, j, j);
    const fgroup_t *G = &f->g[g];
    for (size_t k = 0; k < G->npat; k++)
      for (size_t c = 0; c < G->pat[k].po; c++) n += G->pat[k].obs[c] == j ? (double)G->pat[k].n : 0;
    ll += -0.5 * n * (LOG2PI + log(v * (n - 1) / n) + 1);
  }
  if (ne) {
    if (f->nx) {
      /* lavaan's independence model fixes the covariates at its "sample" statistics:
         observed means and the pairwise covariance rescaled by (n - 1)/n (the EM
         values when x is complete, not under ml.x) */
      gsl_vector *mx = gsl_vector_calloc(p);
      gsl_matrix *Sx = gsl_matrix_calloc(p, p);
      double n = (double)f->g[g].n;
      if (mx && Sx) {
        for (size_t a = 0; a < ne; a++) {
          gsl_vector_set(mx, sub[a], observed_mean(f, g, sub[a]));
          for (size_t b = 0; b < ne; b++)
            gsl_matrix_set(Sx, sub[a], sub[b], pairwise_cov(f, g, sub[a], sub[b]) * (n - 1) / n);
        }
        ll += subset_loglik(f, g, sub, ne, Sx, mx);
      } else {
        ll = NAN;
      }
      if (mx) gsl_vector_free(mx);
      if (Sx) gsl_matrix_free(Sx);
    } else {
      gsl_vector *me = gsl_vector_alloc(ne), *mf = gsl_vector_calloc(p);
      gsl_matrix *Se = gsl_matrix_alloc(ne, ne), *Sf = gsl_matrix_calloc(p, p);
      if (me && mf && Se && Sf && !em_moments(f, g, sub, ne, 1e-12, 10000, me, Se, NULL)) {
        for (size_t a = 0; a < ne; a++) {
          gsl_vector_set(mf, sub[a], gsl_vector_get(me, a));
          for (size_t b = 0; b < ne; b++) gsl_matrix_set(Sf, sub[a], sub[b], gsl_matrix_get(Se, a, b));
        }
        ll += subset_loglik(f, g, sub, ne, Sf, mf);
      } else {
        ll = NAN;
      }
      if (me) gsl_vector_free(me);
      if (mf) gsl_vector_free(mf);
      if (Se) gsl_matrix_free(Se);
      if (Sf) gsl_matrix_free(Sf);
    }
  }
  free(sub);
  return ll;
}

/*
 * lavaan's gfi of group g under missing = "ml" (lav_fit_gfi on its WLS.obs,
 * WLS.est and WLS.V): 1 - d'Wd / s'Ws with s = (observed means, vech of the
 * pairwise-complete covariances rescaled by (n - 1)/n), d = s - (mu, vech
 * Sigma) at the estimates and W the FIML expected h1 information at the
 * implied moments (sem_fiml_h1_information), fixed.x elements zeroed.
 */
static double group_gfi(sem_fiml_t *f, sem_ws_t *ws, const double *x, size_t g) {
  size_t p = f->p, nv = p + p * (p + 1) / 2;
  const gsl_matrix *Sigma;
  const gsl_vector *mu;
  double *W = malloc(nv * nv * sizeof *W), *s = malloc(nv * sizeof *s), *d = malloc(nv * sizeof *d);
  double gfi = NAN, n = (double)f->g[g].n;
  vagap_error_t err;
  if (!W || !s || !d || sem_ws_implied(ws, x, g, &Sigma, &mu) ||
      sem_fiml_h1_information(f, g, Sigma, mu, 1, W, &err))
    goto done;
  for (size_t j = 0; j < p; j++) {
    s[j] = observed_mean(f, g, j);
    d[j] = s[j] - gsl_vector_get(mu, j);
  }
  for (size_t b = 0, k = p; b < p; b++)
    for (size_t a = b; a < p; a++, k++) {
      int xx = f->model->ov_is_x[a] && f->model->ov_is_x[b];
      s[k] = pairwise_cov(f, g, a, b) * (n - 1) / n;
      d[k] = xx ? 0 : s[k] - gsl_matrix_get(Sigma, a, b);
      if (xx) s[k] = 0;
    }
  for (size_t j = 0; j < p; j++)
    if (f->model->ov_is_x[j]) s[j] = d[j] = 0;
  double t1 = 0, t2 = 0;
  for (size_t a = 0; a < nv; a++)
    for (size_t b = 0; b < nv; b++) {
      t1 += d[a] * W[a * nv + b] * d[b];
      t2 += s[a] * W[a * nv + b] * s[b];
    }
  gfi = 1 - t1 / t2;
done:
  free(W);
  free(s);
  free(d);
  return gfi;
}

static void fiml_measures(void *ctx, sem_ws_t *ws, const double *x, vagap_sem_measures_t *fm) {
  sem_fiml_t *f = ctx;
  double logl = 0, ulogl = 0, bchisq = 0;
  for (size_t g = 0; g < f->G; g++) {
    const gsl_matrix *Sigma;
    const gsl_vector *mu;
    double c = group_nobs_values(&f->g[g]) * LOG2PI;
    double lx = loglik_x(f, g, 0), lx1 = loglik_x(f, g, 1);
    double l0 = NAN;
    if (!sem_ws_implied(ws, x, g, &Sigma, &mu)) l0 = -0.5 * (group_m2ll_at(f, g, Sigma, mu) + c);
    double l1 = -0.5 * ((double)f->g[g].n * f->g[g].h1_fx + c);
    logl += l0 - lx;
    ulogl += l1 - lx1;
    double bg = 2 * (l1 - baseline_loglik(f, g));
    bchisq += bg > 0 ? bg : 0;
  }
  fm->logl = logl;
  fm->unrestricted_logl = ulogl;
  double k = fm->npar, N = fm->ntotal;
  fm->aic = -2 * logl + 2 * k;
  fm->bic = -2 * logl + k * log(N);
  fm->bic2 = -2 * logl + k * log((N + 2) / 24);
  fm->baseline_chisq = bchisq;
  sem_fit_baseline_indices(fm);
  /* gfi/agfi/pgfi: lavaan's "sample" statistics and weight under missing = "ml" */
  double gfi = 0;
  for (size_t g = 0; g < f->G; g++) gfi += (double)f->g[g].n / N * group_gfi(f, ws, x, g);
  size_t p = f->p;
  double nel = (double)f->G * (double)(p + p * (p + 1) / 2), df = fm->df;
  fm->gfi = gfi;
  fm->agfi = !isfinite(gfi) ? NAN : df > 0 ? 1 - nel / df * (1 - gfi) : 1;
  fm->pgfi = !isfinite(gfi) || nel == 0 ? NAN : df / nel * gfi;
}

sem_fit_hooks_t sem_fiml_hooks(sem_fiml_t *f) {
  sem_fit_hooks_t h;
  memset(&h, 0, sizeof h);
  h.disc.group_value = fiml_group_value;
  h.disc.ctx = f;
  h.information = sem_fiml_expected_information;
  h.hessian = sem_fiml_observed_information;
  h.measures = fiml_measures;
  h.ctx = f;
  h.fiml = f;
  return h;
}

/* ---- casewise scores and the expected information ------------------------------------ */

/* h1 position of Sigma's element (a, b) for a, b < p: the means first, then vech
   (lower triangle, column by column), as lavaan orders them; NULL when out of memory. */
static size_t *h1_positions(size_t p) {
  size_t *vpos = malloc((p ? p * p : 1) * sizeof *vpos);
  for (size_t b = 0, k = 0; vpos && b < p; b++)
    for (size_t a = b; a < p; a++, k++) vpos[a * p + b] = vpos[b * p + a] = p + k;
  return vpos;
}

/* Sigma_oo^-1 of pattern pt (po x po view of f->Koo), from K = Sigma^-1 in f->K with
   log|Sigma| = ld; -1 when not positive definite. */
static int pattern_koo(sem_fiml_t *f, const pattern_t *pt, double ld, const gsl_matrix *Sigma, gsl_matrix_view *Koo) {
  double ldo;
  if (pattern_inverse(f, pt, f->K, ld, Sigma, &ldo)) return -1;
  *Koo = gsl_matrix_submatrix(f->Koo, 0, 0, pt->po, pt->po);
  return 0;
}

/* K = Sigma^-1 into f->K, its log determinant and the h1 positions (h1_positions). */
static vagap_status_t h1_setup(sem_fiml_t *f, const gsl_matrix *Sigma, double *ld, size_t **vpos, vagap_error_t *err) {
  if (sym_inverse(Sigma, f->K, ld))
    return vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0, "Sigma is not positive definite");
  return (*vpos = h1_positions(f->p)) ? VAGAP_OK : oom(err);
}

vagap_status_t sem_fiml_moment_scores(const sem_fiml_t *fc, size_t g, const gsl_matrix *Sigma,
                                      const gsl_vector *mu, double *scores, vagap_error_t *err) {
  sem_fiml_t *f = (sem_fiml_t *)fc;
  size_t p = f->p, nv = p + p * (p + 1) / 2, *vpos;
  const fgroup_t *G = &f->g[g];
  double ld;
  vagap_status_t st0 = h1_setup(f, Sigma, &ld, &vpos, err);
  if (st0) return st0;
  memset(scores, 0, G->n * nv * sizeof *scores);
  gsl_matrix_view Koo;
  for (size_t i = 0, t = (size_t)-1; i < G->n; i++) {
    const pattern_t *pt = &G->pat[G->pat_of[i]];
    size_t po = pt->po;
    /* Sigma_oo^-1 once per run of rows with the same pattern */
    if (G->pat_of[i] != t && pattern_koo(f, pt, ld, Sigma, &Koo)) {
      free(vpos);
      return vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0, "Sigma is not positive definite");
    }
    t = G->pat_of[i];
    gsl_vector_view r = gsl_vector_subvector(f->r, 0, po), a = gsl_vector_subvector(f->a, 0, po);
    const double *yi = pt->y + G->pos_in_pat[i] * po;
    for (size_t j = 0; j < po; j++) gsl_vector_set(&r.vector, j, yi[j] - gsl_vector_get(mu, pt->obs[j]));
    gsl_blas_dsymv(CblasLower, 1.0, &Koo.matrix, &r.vector, 0.0, &a.vector);
    double *s = scores + i * nv;
    for (size_t j = 0; j < po; j++) {
      s[pt->obs[j]] = gsl_vector_get(&a.vector, j);
      for (size_t l = 0; l <= j; l++) {
        double d = gsl_vector_get(&a.vector, j) * gsl_vector_get(&a.vector, l) - gsl_matrix_get(&Koo.matrix, j, l);
        s[vpos[pt->obs[j] * p + pt->obs[l]]] = l == j ? 0.5 * d : d;
      }
    }
  }
  free(vpos);
  return VAGAP_OK;
}

vagap_status_t sem_fiml_scores(sem_fiml_t *f, sem_ws_t *ws, const double *x, double *scores,
                               vagap_error_t *err) {
  size_t p = f->p, K = f->model->npar, nv = p + p * (p + 1) / 2;
  double *ds = malloc((K ? K : 1) * p * p * sizeof *ds), *dm = malloc((K ? K : 1) * p * sizeof *dm);
  double *ms = NULL;
  size_t maxn = 0;
  for (size_t g = 0; g < f->G; g++) maxn = f->g[g].n > maxn ? f->g[g].n : maxn;
  ms = malloc((maxn ? maxn : 1) * nv * sizeof *ms);
  /* each group's rows in data order: rows[start[g] + l] is the used row whose row_local is l
     (the group sizes and row_local place every row, one pass, nothing to count) */
  size_t *start = malloc((f->G + 1) * sizeof *start), *rows = malloc((f->nrows ? f->nrows : 1) * sizeof *rows);
  vagap_status_t st = (!ds || !dm || !ms || !start || !rows) ? oom(err) : VAGAP_OK;
  memset(scores, 0, f->nrows * (K ? K : 1) * sizeof *scores);
  for (size_t g = 0; !st && g <= f->G; g++) start[g] = g ? start[g - 1] + f->g[g - 1].n : 0;
  for (size_t r = 0; !st && r < f->nrows; r++) rows[start[f->row_group[r]] + f->row_local[r]] = r;
  for (size_t g = 0; g < f->G && !st; g++) {
    const gsl_matrix *Sigma;
    const gsl_vector *mu;
    if (sem_ws_jacobian(ws, x, g, ds, dm) || sem_ws_implied(ws, x, g, &Sigma, &mu)) {
      st = vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0, "the implied covariance matrix is not positive definite");
      break;
    }
    if ((st = sem_fiml_moment_scores(f, g, Sigma, mu, ms, err))) break;
    /* chain: d/dtheta_k = sum_a s_mu[a] dmu_k[a] + sum_{a>=b} s_vech[a,b] dSigma_k[a,b] */
    for (size_t l = 0; l < f->g[g].n; l++) {
      size_t r = rows[start[g] + l];
      const double *s = ms + l * nv;
      double *out = scores + r * K;
      for (size_t k = 0; k < K; k++) {
        double v = 0;
        const double *dmk = dm + k * p, *dsk = ds + k * p * p;
        for (size_t a = 0; a < p; a++) v += s[a] * dmk[a];
        size_t q = p;
        for (size_t b = 0; b < p; b++)
          for (size_t a = b; a < p; a++, q++) v += s[q] * dsk[a * p + b];
        out[k] = v;
      }
    }
  }
  free(ds);
  free(dm);
  free(ms);
  free(start);
  free(rows);
  return st;
}

/* Group g at x: the Jacobian of its moments (ds, dm), its implied moments, K = Sigma^-1
   into f->K and log|Sigma|; -1 when Sigma is not positive definite. */
static int group_at(sem_fiml_t *f, sem_ws_t *ws, const double *x, size_t g, double *ds, double *dm,
                    const gsl_matrix **Sigma, const gsl_vector **mu, double *ld) {
  if (sem_ws_jacobian(ws, x, g, ds, dm) || sem_ws_implied(ws, x, g, Sigma, mu)) return -1;
  return sym_inverse(*Sigma, f->K, ld);
}

/* The parameters that move a group's moments (non-zero Jacobian columns ds, dm) into act; how many. */
static size_t moving_parameters(const double *ds, const double *dm, size_t K, size_t p, size_t *act) {
  size_t na = 0;
  for (size_t k = 0; k < K; k++) {
    int nz = 0;
    for (size_t a = 0; a < p * p && !nz; a++) nz = ds[k * p * p + a] != 0;
    for (size_t a = 0; a < p && !nz; a++) nz = dm[k * p + a] != 0;
    if (nz) act[na++] = k;
  }
  return na;
}

vagap_status_t sem_fiml_expected_information(void *ctx, sem_ws_t *ws, const double *x, gsl_matrix *info,
                                             vagap_error_t *err) {
  sem_fiml_t *f = ctx;
  size_t p = f->p, K = f->model->npar;
  double N = (double)f->nrows;
  double *ds = malloc((K ? K : 1) * p * p * sizeof *ds), *dm = malloc((K ? K : 1) * p * sizeof *dm);
  double *A = malloc((K ? K : 1) * p * p * sizeof *A), *bv = malloc((K ? K : 1) * p * sizeof *bv);
  size_t *act = malloc((K ? K : 1) * sizeof *act);
  vagap_status_t st = (!ds || !dm || !A || !bv || !act) ? oom(err) : VAGAP_OK;
  gsl_matrix_set_zero(info);
  for (size_t g = 0; g < f->G && !st; g++) {
    const gsl_matrix *Sigma;
    const gsl_vector *mu;
    double ld;
    if (group_at(f, ws, x, g, ds, dm, &Sigma, &mu, &ld)) {
      st = vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0, "the implied covariance matrix is not positive definite");
      break;
    }
    size_t na = moving_parameters(ds, dm, K, p, act);
    const fgroup_t *G = &f->g[g];
    for (size_t t = 0; t < G->npat && !st; t++) {
      const pattern_t *pt = &G->pat[t];
      size_t po = pt->po;
      gsl_matrix_view Koo;
      if (pattern_koo(f, pt, ld, Sigma, &Koo)) {
        st = vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0, "the implied covariance matrix is not positive definite");
        break;
      }
      /* A_k = Sigma_oo^-1 dSigma_k,oo ; b_k = Sigma_oo^-1 dmu_k,o */
      for (size_t c = 0; c < na; c++) {
        size_t k = act[c];
        gsl_matrix_view D = gsl_matrix_view_array(f->T->data, po, po); /* scratch, tda = po */
        for (size_t a = 0; a < po; a++)
          for (size_t b = 0; b < po; b++) gsl_matrix_set(&D.matrix, a, b, ds[k * p * p + pt->obs[a] * p + pt->obs[b]]);
        gsl_matrix_view Ak = gsl_matrix_view_array(A + c * p * p, po, po);
        gsl_blas_dsymm(CblasLeft, CblasLower, 1.0, &Koo.matrix, &D.matrix, 0.0, &Ak.matrix);
        for (size_t a = 0; a < po; a++) {
          double s = 0;
          for (size_t b = 0; b < po; b++) s += gsl_matrix_get(&Koo.matrix, a, b) * dm[k * p + pt->obs[b]];
          bv[c * p + a] = s;
        }
      }
      double w = (double)pt->n / N;
      for (size_t c = 0; c < na; c++)
        for (size_t e = 0; e <= c; e++) {
          const double *Ac = A + c * p * p, *Ae = A + e * p * p;
          double tr = 0, mm = 0;
          for (size_t a = 0; a < po; a++)
            for (size_t b = 0; b < po; b++) tr += Ac[a * po + b] * Ae[b * po + a];
          for (size_t a = 0; a < po; a++) mm += dm[act[c] * p + pt->obs[a]] * bv[e * p + a];
          double v = w * (0.5 * tr + mm);
          *gsl_matrix_ptr(info, act[c], act[e]) += v;
          if (c != e) *gsl_matrix_ptr(info, act[e], act[c]) += v;
        }
    }
  }
  free(ds); free(dm); free(A); free(bv); free(act);
  return st;
}

/* ---- the observed information ------------------------------------------------------------ */

/*
 * The Hessian of the objective F = sum_g w_g F_g (w_g = n_g/N) at x, lavaan's
 * observed information under missing = "ml", by the chain rule through the
 * group's moments m_g = (mu_g, vech Sigma_g):
 *   d2F/dtheta2 = sum_g w_g [Delta_g' A_g Delta_g + sum_k (dF_g/dm_k) d2m_k/dtheta2],
 * A_g = d2F_g/dm2 the observed h1 information at the implied moments
 * (sem_fiml_h1_information, analytic) and Delta_g the Jacobian of the moments
 * (sem_ws_jacobian).  The second term needs only the model: it is the Hessian
 * of sum_g w_g [1/2 tr(Omega_g Sigma_g(theta)) - v_g' mu_g(theta)] with Omega_g,
 * v_g (FIML's gradient parts at x) held fixed, which sem_ws_hessian
 * differentiates numerically with no pass over the data.  lavaan differentiates
 * the whole FIML gradient numerically (lav_model_hessian: 4 gradients per
 * parameter, each a pass over every row); the two agree to the rounding noise of
 * those differences (about 1e-8 relative, unit test test_observed_information).
 */
typedef struct {
  size_t p;
  double *Omega, *v; /* [G * p * p], [G * p]: FIML's 2 dF_g/dSigma and -dF_g/dmu at x */
} fixed_grad_t;

static double fixed_group_value(void *ctx, size_t g, const gsl_matrix *Sigma, const gsl_matrix *SigInv,
                                double logdetSig, const gsl_vector *mu, int want_grad, gsl_matrix *Omega,
                                gsl_vector *v) {
  (void)Sigma, (void)SigInv, (void)logdetSig, (void)mu;
  const fixed_grad_t *c = ctx;
  size_t p = c->p;
  if (want_grad) {
    for (size_t a = 0; a < p; a++)
      for (size_t b = 0; b < p; b++) Omega->data[a * Omega->tda + b] = c->Omega[g * p * p + a * p + b];
    for (size_t a = 0; a < p; a++) v->data[a * v->stride] = c->v[g * p + a];
  }
  return 0;
}

/* H += w Delta' A Delta over the parameters `act` (na of them) that move group g's moments. */
static vagap_status_t add_h1_part(const double *ds, const double *dm, const size_t *act, size_t na, size_t p,
                                  const double *A, double w, gsl_matrix *H, vagap_error_t *err) {
  size_t nv = p + p * (p + 1) / 2;
  gsl_matrix *D = gsl_matrix_alloc(nv, na ? na : 1), *AD = gsl_matrix_alloc(nv, na ? na : 1),
             *DAD = gsl_matrix_alloc(na ? na : 1, na ? na : 1);
  vagap_status_t st = D && AD && DAD ? VAGAP_OK : oom(err);
  if (!st && na) {
    for (size_t c = 0; c < na; c++) {
      size_t k = act[c];
      for (size_t a = 0; a < p; a++) gsl_matrix_set(D, a, c, dm[k * p + a]);
      for (size_t b = 0, q = p; b < p; b++) /* vech, column by column (h1_positions) */
        for (size_t a = b; a < p; a++, q++) gsl_matrix_set(D, q, c, ds[k * p * p + a * p + b]);
    }
    gsl_matrix_const_view Av = gsl_matrix_const_view_array(A, nv, nv);
    gsl_blas_dsymm(CblasLeft, CblasLower, 1.0, &Av.matrix, D, 0.0, AD);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, D, AD, 0.0, DAD);
    for (size_t c = 0; c < na; c++)
      for (size_t e = 0; e < na; e++) *gsl_matrix_ptr(H, act[c], act[e]) += w * gsl_matrix_get(DAD, c, e);
  }
  if (D) gsl_matrix_free(D);
  if (AD) gsl_matrix_free(AD);
  if (DAD) gsl_matrix_free(DAD);
  return st;
}

vagap_status_t sem_fiml_observed_information(void *ctx, sem_ws_t *ws, const double *x, gsl_matrix *info,
                                             vagap_error_t *err) {
  sem_fiml_t *f = ctx;
  size_t p = f->p, K = f->model->npar, nv = p + p * (p + 1) / 2;
  double N = (double)f->nrows;
  double *ds = malloc((K ? K : 1) * p * p * sizeof *ds), *dm = malloc((K ? K : 1) * p * sizeof *dm);
  double *A = malloc(nv * nv * sizeof *A);
  size_t *act = malloc((K ? K : 1) * sizeof *act);
  fixed_grad_t fg = {p, malloc(f->G * p * p * sizeof(double)), malloc(f->G * p * sizeof(double))};
  gsl_matrix *H2 = gsl_matrix_alloc(K ? K : 1, K ? K : 1);
  vagap_status_t st = (!ds || !dm || !A || !act || !fg.Omega || !fg.v || !H2) ? oom(err) : VAGAP_OK;
  if (!st) gsl_matrix_set_zero(info);
  for (size_t g = 0; g < f->G && !st; g++) {
    const gsl_matrix *Sigma;
    const gsl_vector *mu;
    double ld;
    if (group_at(f, ws, x, g, ds, dm, &Sigma, &mu, &ld)) {
      st = vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0,
                           "the observed information cannot be computed: the implied covariance matrix "
                           "is not positive definite at the solution");
      break;
    }
    /* FIML's gradient parts at x as fiml_group_value returns them (2 dF_g/dSigma, -dF_g/dmu) */
    gsl_matrix_view Om = gsl_matrix_view_array(fg.Omega + g * p * p, p, p);
    gsl_vector_view vv = gsl_vector_view_array(fg.v + g * p, p);
    if (!isfinite(fiml_group_value(f, g, Sigma, f->K, ld, mu, 1, &Om.matrix, &vv.vector))) {
      st = vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0,
                           "the observed information cannot be computed: a pattern's implied covariance "
                           "matrix is not positive definite at the solution");
      break;
    }
    size_t na = moving_parameters(ds, dm, K, p, act);
    if (!st) st = sem_fiml_h1_information(f, g, Sigma, mu, 0, A, err);
    if (!st) st = add_h1_part(ds, dm, act, na, p, A, (double)f->g[g].n / N, info, err);
  }
  if (!st && K) {
    /* the model's second derivatives: the workspace's numerical Hessian of the linear form */
    sem_discrepancy_t fixed = {fixed_group_value, &fg}, fiml = sem_fiml_hooks(f).disc;
    sem_ws_set_discrepancy(ws, &fixed);
    st = sem_ws_hessian(ws, x, H2, err);
    sem_ws_set_discrepancy(ws, &fiml);
    if (!st) gsl_matrix_add(info, H2);
    for (size_t a = 0; !st && a < K; a++)
      for (size_t b = 0; b < a; b++) {
        double m = 0.5 * (gsl_matrix_get(info, a, b) + gsl_matrix_get(info, b, a));
        gsl_matrix_set(info, a, b, m);
        gsl_matrix_set(info, b, a, m);
      }
  }
  free(ds); free(dm); free(A); free(act); free(fg.Omega); free(fg.v);
  if (H2) gsl_matrix_free(H2);
  return st;
}

/* ---- robust ML under FIML (sem_robust.c) ------------------------------------------------ */

size_t sem_fiml_row_group(const sem_fiml_t *f, size_t i) { return f->row_group[i]; }
size_t sem_fiml_group_rows(const sem_fiml_t *f, size_t g) { return f->g[g].n; }

/*
 * One pattern's part of the observed h1 information (the module comment's
 * log-likelihood differentiated twice, summed over the pattern's n rows,
 * sign reversed), with K = Sigma_oo^-1, abar = K (ybar_p - mu_o) and
 * M = K C K, C the rows' mean cross-product about mu_o:
 *   mu_m, mu_n:             n K_mn
 *   mu_m, Sigma_kl:         n (K dS_kl abar)_m
 *   Sigma_ij, Sigma_kl:     n [tr(K dS_kl M dS_ij) - 1/2 tr(K dS_ij K dS_kl)]
 * where dS_kl = E_kl + E_lk (E_kk on the diagonal) and tr(X E_kl Y E_ij) = X_jk Y_li.
 * Only the lower triangle of A (in global h1 positions) is accumulated.
 */
static int pattern_observed_information(const pattern_t *pt, const gsl_matrix *K, const double *abar,
                                        const gsl_matrix *M, const size_t *vpos, size_t p, double *A, size_t nv) {
  size_t po = pt->po;
  double n = (double)pt->n;
  const size_t *o = pt->obs;
#define AT(r, c) A[((r) > (c) ? (r) * nv + (c) : (c) * nv + (r))]
#define KK(a, b) K->data[(a) * K->tda + (b)]
#define MM(a, b) M->data[(a) * M->tda + (b)]
  for (size_t a = 0; a < po; a++)
    for (size_t b = 0; b <= a; b++) AT(o[a], o[b]) += n * KK(a, b);
  for (size_t m = 0; m < po; m++)
    for (size_t l = 0; l < po; l++)
      for (size_t k = l; k < po; k++) {
        double v = KK(m, k) * abar[l] + (k != l ? KK(m, l) * abar[k] : 0);
        AT(o[m], vpos[o[k] * p + o[l]]) += n * v;
      }
  /* covariance pairs: with N = M - K/2 each is n sum over the duplicated positions of
     K_j'k' N_l'i'; the pattern's vech elements in local (j, i) order have increasing
     global positions, so b <= a is the lower triangle */
  size_t nl = po * (po + 1) / 2;
  size_t *li = malloc((3 * nl + 1) * sizeof *li), *lj = li + nl, *lr = lj + nl;
  double *Nm = malloc((po * po + 1) * sizeof *Nm);
  if (!li || !Nm) {
    free(li);
    free(Nm);
    return -1;
  }
  for (size_t a = 0; a < po; a++)
    for (size_t b = 0; b < po; b++) Nm[a * po + b] = MM(a, b) - 0.5 * KK(a, b);
  for (size_t j = 0, q = 0; j < po; j++)
    for (size_t i = j; i < po; i++, q++) {
      li[q] = i;
      lj[q] = j;
      lr[q] = vpos[o[i] * p + o[j]];
    }
  for (size_t a = 0; a < nl; a++) {
    size_t i = li[a], j = lj[a];
    double *row = A + lr[a] * nv;
    const double *Ki = K->data + i * K->tda, *Kj = K->data + j * K->tda, *Ni = Nm + i * po, *Nj = Nm + j * po;
    for (size_t b = 0; b <= a; b++) {
      size_t k = li[b], l = lj[b];
      /* N is symmetric: N_li = Ni[l] */
      double v = Kj[k] * Ni[l];
      if (k != l) v += Kj[l] * Ni[k];
      if (i != j) v += Ki[k] * Nj[l] + (k != l ? Ki[l] * Nj[k] : 0);
      row[lr[b]] += n * v;
    }
  }
  free(li);
  free(Nm);
  return 0;
#undef AT
#undef KK
#undef MM
}

vagap_status_t sem_fiml_h1_information(const sem_fiml_t *fc, size_t g, const gsl_matrix *Sigma,
                                       const gsl_vector *mu, int expected, double *A, vagap_error_t *err) {
  sem_fiml_t *f = (sem_fiml_t *)fc;
  size_t p = f->p, nv = p + p * (p + 1) / 2, *vpos;
  const fgroup_t *G = &f->g[g];
  double ld;
  vagap_status_t st0 = h1_setup(f, Sigma, &ld, &vpos, err);
  if (st0) return st0;
  gsl_matrix *C = gsl_matrix_alloc(p, p), *KC = gsl_matrix_alloc(p, p), *M = gsl_matrix_alloc(p, p);
  double *abar = malloc(p * sizeof *abar), *r = malloc(p * sizeof *r);
  vagap_status_t st = C && KC && M && abar && r ? VAGAP_OK : oom(err);
  if (!st) memset(A, 0, nv * nv * sizeof *A);
  for (size_t t = 0; !st && t < G->npat; t++) {
    const pattern_t *pt = &G->pat[t];
    size_t po = pt->po;
    gsl_matrix_view Koo;
    if (pattern_koo(f, pt, ld, Sigma, &Koo)) {
      st = vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0, "Sigma is not positive definite");
      break;
    }
    gsl_matrix_view Cv = gsl_matrix_submatrix(C, 0, 0, po, po), KCv = gsl_matrix_submatrix(KC, 0, 0, po, po),
                    Mv = gsl_matrix_submatrix(M, 0, 0, po, po);
    gsl_matrix_set_zero(&Cv.matrix);
    double rbar[po];
    memset(rbar, 0, sizeof rbar);
    for (size_t i = 0; i < pt->n; i++) {
      const double *yi = pt->y + i * po;
      for (size_t a = 0; a < po; a++) r[a] = yi[a] - gsl_vector_get(mu, pt->obs[a]);
      for (size_t a = 0; a < po; a++) {
        rbar[a] += r[a] / (double)pt->n;
        for (size_t b = 0; b <= a; b++) *gsl_matrix_ptr(&Cv.matrix, a, b) += r[a] * r[b] / (double)pt->n;
      }
    }
    for (size_t a = 0; a < po; a++)
      for (size_t b = 0; b < a; b++) gsl_matrix_set(&Cv.matrix, b, a, gsl_matrix_get(&Cv.matrix, a, b));
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &Koo.matrix, &Cv.matrix, 0.0, &KCv.matrix);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &KCv.matrix, &Koo.matrix, 0.0, &Mv.matrix);
    for (size_t a = 0; a < po; a++) {
      double s = 0;
      for (size_t b = 0; b < po; b++) s += gsl_matrix_get(&Koo.matrix, a, b) * rbar[b];
      abar[a] = s;
    }
    if (expected) { /* the expectations of the data terms: C -> Sigma_oo, rbar -> 0 */
      gsl_matrix_memcpy(&Mv.matrix, &Koo.matrix);
      memset(abar, 0, po * sizeof *abar);
    }
    if (pattern_observed_information(pt, &Koo.matrix, abar, &Mv.matrix, vpos, p, A, nv)) st = oom(err);
  }
  if (!st) {
    double n = (double)G->n;
    for (size_t a = 0; a < nv; a++)
      for (size_t b = 0; b <= a; b++) A[a * nv + b] = A[b * nv + a] = A[a * nv + b] / n;
  }
  free(vpos);
  free(abar);
  free(r);
  if (C) gsl_matrix_free(C);
  if (KC) gsl_matrix_free(KC);
  if (M) gsl_matrix_free(M);
  return st;
}


/*
 * The estimates of lavaan's FIML baseline model in group g (see
 * baseline_loglik): every other variable's observed mean and ML variance,
 * the block of exogenous covariates at lavaan's "sample" values (observed
 * means, pairwise covariances rescaled by (n - 1)/n) when they are fixed.x,
 * saturated by EM otherwise.  -1 when that EM fails.
 */
int sem_fiml_baseline_moments(const sem_fiml_t *fc, size_t g, gsl_matrix *Sigma, gsl_vector *mu) {
  sem_fiml_t *f = (sem_fiml_t *)fc;
  size_t p = f->p, ne = 0;
  double n = (double)f->g[g].n;
  const int *x = f->model->ov_is_x, *exo = f->model->ov_exo;
  size_t sub[p ? p : 1];
  gsl_matrix_set_zero(Sigma);
  for (size_t a = 0; a < p; a++) {
    gsl_vector_set(mu, a, observed_mean(f, g, a));
    if (exo[a]) {
      sub[ne++] = a;
      continue;
    }
    double na = 0;
    const fgroup_t *G = &f->g[g];
    for (size_t k = 0; k < G->npat; k++)
      for (size_t c = 0; c < G->pat[k].po; c++) na += G->pat[k].obs[c] == a ? (double)G->pat[k].n : 0;
    gsl_matrix_set(Sigma, a, a, pairwise_cov(f, g, a, a) * (na - 1) / na);
  }
  if (!ne) return 0;
  if (f->nx) {
    for (size_t a = 0; a < ne; a++)
      for (size_t b = 0; b < ne; b++)
        gsl_matrix_set(Sigma, sub[a], sub[b], x[sub[a]] && x[sub[b]] ? pairwise_cov(f, g, sub[a], sub[b]) * (n - 1) / n
                                                                     : 0);
    return 0;
  }
  gsl_vector *me = gsl_vector_alloc(ne);
  gsl_matrix *Se = gsl_matrix_alloc(ne, ne);
  int bad = !me || !Se || em_moments(f, g, sub, ne, 1e-12, 10000, me, Se, NULL);
  for (size_t a = 0; !bad && a < ne; a++) {
    gsl_vector_set(mu, sub[a], gsl_vector_get(me, a));
    for (size_t b = 0; b < ne; b++) gsl_matrix_set(Sigma, sub[a], sub[b], gsl_matrix_get(Se, a, b));
  }
  if (me) gsl_vector_free(me);
  if (Se) gsl_matrix_free(Se);
  return bad ? -1 : 0;
}

/*
 * lavaan's data warnings under missing = "ml" (lav_data_full), per group:
 * the empty cases (data rows, 1-based) and pairwise coverage of 0 or below
 * 10%.  VAGAP_ENOMEM only.
 */
vagap_status_t sem_fiml_warnings(const sem_fiml_t *f, const vagap_sem_data_t *data, vagap_sem_fit_t *fit) {
  size_t p = f->p;
  for (size_t g = 0; g < f->G; g++) {
    char buf[512];
    size_t o = (size_t)snprintf(buf, sizeof buf, "some cases are empty and will be ignored:");
    int any = 0;
    for (size_t k = 0; k < f->nempty && o + 24 < sizeof buf; k++)
      if (f->empty_group[k] == g) {
        o += (size_t)snprintf(buf + o, sizeof buf - o, " %zu", f->empty[k] + 1);
        any = 1;
      }
    if (f->G > 1 && any) snprintf(buf + o, sizeof buf - o, " (group %s)", data->group_label[g]);
    if (any && sem_fit_warning(fit, buf)) return VAGAP_ENOMEM;
    double low = 1;
    for (size_t a = 0; a < p * p; a++) low = f->g[g].cover[a] < low ? f->g[g].cover[a] : low;
    if (low < 0.1) {
      snprintf(buf, sizeof buf, "due to missing values, some pairwise combinations have %s coverage%s%s; see the "
               "coverage matrix of --summary (lavInspect(fit, \"coverage\"))", low == 0 ? "0%" : "less than 10%",
               f->G > 1 ? " in group " : "", f->G > 1 ? data->group_label[g] : "");
      if (sem_fit_warning(fit, buf)) return VAGAP_ENOMEM;
    }
  }
  return VAGAP_OK;
}
