/*
 * sem_verdict.c - is a stationary point of the ML fit function an answer,
 * and is it admissible?  lavaan 0.6's rules (lav_model_estimate,
 * lav_model_vcov, lav_object_post_check):
 *
 *   - conditioning: the information matrix scaled to unit diagonal must not
 *     be nearly singular (VAGAP_SEM_MIN_INFO_RATIO); lavaan has no such test
 *     but its optimiser fails on these models ("a solution has NOT been
 *     found"), and an estimate along a flat direction is not determined;
 *   - vcov check: lavaan warns when the smallest eigenvalue of the
 *     covariance matrix of the estimates is below DBL_EPSILON^(3/4);
 *   - post-check: negative observed or latent variances, a latent covariance
 *     matrix (model-implied, lavTech "cov.lv") or a residual covariance
 *     matrix of the indicators (lavTech "theta") with an eigenvalue below
 *     -DBL_EPSILON^(3/4): the solution is returned but is not admissible,
 *     with lavaan's warning.
 */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_matrix.h>

#include "sem_internal.h"

/* lavaan's tolerance for "negative" eigenvalues: .Machine$double.eps^(3/4) */
static double eig_tol(void) { return pow(DBL_EPSILON, 0.75); }

/*
 * Largest eigenvalue of the symmetric n x n matrix M (destroyed) by GSL's
 * symmetric eigensolver; v (may be NULL) receives its unit eigenvector.  A
 * direct solve costs O(n^3) once per block, where power iteration needed up
 * to hundreds of O(n^2) steps when the top eigenvalues of a block are close
 * (it was a quarter of a small fit's time).  NAN when GSL fails.
 */
static double top_eigenvalue(double *M, size_t n, double *v, gsl_vector *eval, gsl_matrix *evec,
                             gsl_eigen_symm_workspace **ws, gsl_eigen_symmv_workspace **wsv) {
  gsl_matrix_view A = gsl_matrix_view_array(M, n, n);
  gsl_vector_view ev = gsl_vector_subvector(eval, 0, n);
  if (!v) {
    if (!*ws && !(*ws = gsl_eigen_symm_alloc(n))) return NAN;
    if (gsl_eigen_symm(&A.matrix, &ev.vector, *ws)) return NAN;
    return gsl_vector_max(&ev.vector);
  }
  gsl_matrix_view V = gsl_matrix_submatrix(evec, 0, 0, n, n);
  if (!*wsv && !(*wsv = gsl_eigen_symmv_alloc(n))) return NAN;
  if (gsl_eigen_symmv(&A.matrix, &ev.vector, &V.matrix, *wsv)) return NAN;
  size_t k = gsl_vector_max_index(&ev.vector);
  for (size_t i = 0; i < n; i++) v[i] = gsl_matrix_get(&V.matrix, i, k);
  return gsl_vector_get(&ev.vector, k);
}

static size_t find_root(size_t *parent, size_t k) {
  while (parent[k] != k) k = parent[k] = parent[parent[k]];
  return k;
}

/*
 * The blocks of the information matrix: parameters that no nonzero entry
 * links (the groups of a model without equality constraints across them).
 * Its spectrum is the union of theirs, so each block is solved alone:
 * O(sum of n_b^3) rather than O(K^3) for a configural model of many groups.
 * order[] lists the parameters block by block, start[0..nblocks] delimits
 * the blocks; a single block keeps the parameters in their order.  The
 * components do not depend on the order of the unions (a root is always the
 * smallest index of its block), so only the stored nonzeros are visited.
 */
static size_t info_blocks(const sem_sparse_t *info, size_t *order, size_t *start, size_t *parent) {
  size_t K = info->K;
  for (size_t k = 0; k < K; k++) parent[k] = k;
  for (size_t a = 0; a < K; a++)
    for (size_t e = info->rowptr[a]; e < info->rowptr[a + 1]; e++) {
      size_t b = info->col[e];
      if (b <= a || info->val[e] == 0) continue;
      size_t ra = find_root(parent, a), rb = find_root(parent, b);
      if (ra != rb) parent[ra > rb ? ra : rb] = ra < rb ? ra : rb;
    }
  size_t nb = 0, n = 0;
  for (size_t k = 0; k < K; k++) parent[k] = find_root(parent, k);
  for (size_t r = 0; r < K; r++) { /* roots are the smallest index of their block */
    if (parent[r] != r) continue;
    start[nb++] = n;
    for (size_t k = r; k < K; k++)
      if (parent[k] == r) order[n++] = k;
  }
  start[nb] = n;
  return nb;
}

/* The matrices whose largest eigenvalue is wanted. */
typedef enum { SPEC_INFO, SPEC_INFO_SCALED, SPEC_VCOV_SCALED } spec_t;

/*
 * Block idx[0..n) of the matrix `kind` into sub (n x n); pos[k] is k's place in
 * the block.  The information's entries come from its nonzeros (a block holds
 * every nonzero of its rows), the rest are 0, as the dense matrix has them:
 *   SPEC_INFO: info;  SPEC_INFO_SCALED: R = D info D with D = diag(info)^-1/2;
 *   SPEC_VCOV_SCALED: R^-1 = N D^-1 vcov D^-1.
 */
static void block_fill(spec_t kind, const sem_sparse_t *info, const double *diag, const double *vcov, double N,
                       const size_t *idx, size_t n, const size_t *pos, double *sub) {
  size_t K = info->K;
  if (kind == SPEC_VCOV_SCALED) {
    for (size_t i = 0; i < n; i++)
      for (size_t j = 0; j < n; j++)
        sub[i * n + j] = N * vcov[idx[i] * K + idx[j]] * sqrt(diag[idx[i]] * diag[idx[j]]);
    return;
  }
  for (size_t i = 0; i < n * n; i++) sub[i] = 0;
  for (size_t i = 0; i < n; i++) {
    size_t a = idx[i];
    for (size_t e = info->rowptr[a]; e < info->rowptr[a + 1]; e++) {
      size_t b = info->col[e];
      double v = info->val[e];
      if (v == 0) continue; /* a stored zero may link to another block */
      sub[i * n + pos[b]] = kind == SPEC_INFO ? v : v / sqrt(diag[a] * diag[b]);
    }
  }
}

/* Room for the eigensolver on the largest block (n x n).  GSL's eigensolvers take a
   workspace of exactly the matrix's size, so one is made per block size (ws[n - 1]),
   when first needed. */
typedef struct {
  double *sub, *vec;
  gsl_vector *eval;
  gsl_matrix *evec;
  size_t n;
  gsl_eigen_symm_workspace **ws;
  gsl_eigen_symmv_workspace **wsv;
} eig_room_t;

static int eig_room_alloc(eig_room_t *r, size_t n) {
  size_t m = n ? n : 1;
  r->n = m;
  r->sub = malloc(m * m * sizeof *r->sub);
  r->vec = malloc(m * sizeof *r->vec);
  r->eval = gsl_vector_alloc(m);
  r->evec = gsl_matrix_alloc(m, m);
  r->ws = calloc(m, sizeof *r->ws);
  r->wsv = calloc(m, sizeof *r->wsv);
  return r->sub && r->vec && r->eval && r->evec && r->ws && r->wsv ? 0 : -1;
}

static void eig_room_free(eig_room_t *r) {
  free(r->sub);
  free(r->vec);
  if (r->eval) gsl_vector_free(r->eval);
  if (r->evec) gsl_matrix_free(r->evec);
  for (size_t k = 0; r->ws && k < r->n; k++)
    if (r->ws[k]) gsl_eigen_symm_free(r->ws[k]);
  for (size_t k = 0; r->wsv && k < r->n; k++)
    if (r->wsv[k]) gsl_eigen_symmv_free(r->wsv[k]);
  free(r->ws);
  free(r->wsv);
}

/* The information's blocks (info_blocks) with what every block solve needs. */
typedef struct {
  const sem_sparse_t *info;
  const double *vcov;
  double N;
  double *diag;        /* diag(info) */
  size_t *order, *start, *pos, nb;
  eig_room_t room;
} spec_blocks_t;

/* The smallest and largest eigenvalue of the unit-diagonal information over the blocks,
   from one eigensolve per block ([0] = +inf, [1] = -inf when GSL fails). */
static void blocks_range(spec_blocks_t *sb, double range[2]) {
  eig_room_t *room = &sb->room;
  range[0] = HUGE_VAL;
  range[1] = -HUGE_VAL;
  for (size_t b = 0; b < sb->nb; b++) {
    const size_t *idx = sb->order + sb->start[b];
    size_t n = sb->start[b + 1] - sb->start[b];
    block_fill(SPEC_INFO_SCALED, sb->info, sb->diag, sb->vcov, sb->N, idx, n, sb->pos, room->sub);
    gsl_matrix_view A = gsl_matrix_view_array(room->sub, n, n);
    gsl_vector_view ev = gsl_vector_subvector(room->eval, 0, n);
    gsl_eigen_symm_workspace **ws = &room->ws[n - 1];
    if ((!*ws && !(*ws = gsl_eigen_symm_alloc(n))) || gsl_eigen_symm(&A.matrix, &ev.vector, *ws)) {
      range[0] = HUGE_VAL;
      range[1] = -HUGE_VAL;
      return;
    }
    double lo, hi;
    gsl_vector_minmax(&ev.vector, &lo, &hi);
    if (lo < range[0]) range[0] = lo;
    if (hi > range[1]) range[1] = hi;
  }
}

/* Gershgorin's bound on the largest eigenvalue of the symmetric `info`: the largest
   absolute row sum (over the nonzeros in column order, as the dense sum adds them). */
static double row_sum_bound(const sem_sparse_t *info) {
  double best = 0;
  for (size_t a = 0; a < info->K; a++) {
    double s = 0;
    for (size_t e = info->rowptr[a]; e < info->rowptr[a + 1]; e++) s += fabs(info->val[e]);
    if (s > best) best = s;
  }
  return best;
}

/* The largest eigenvalue over the blocks; its unit vector into v (K values, 0 off its block)
   when v is not NULL. */
static double blocks_max(spec_blocks_t *sb, spec_t kind, double *v) {
  eig_room_t *room = &sb->room;
  size_t K = sb->info->K;
  double best = -HUGE_VAL;
  if (v)
    for (size_t k = 0; k < K; k++) v[k] = 0;
  for (size_t b = 0; b < sb->nb; b++) {
    const size_t *idx = sb->order + sb->start[b];
    size_t n = sb->start[b + 1] - sb->start[b];
    block_fill(kind, sb->info, sb->diag, sb->vcov, sb->N, idx, n, sb->pos, room->sub);
    double l = top_eigenvalue(room->sub, n, v ? room->vec : NULL, room->eval, room->evec, &room->ws[n - 1],
                              &room->wsv[n - 1]);
    if (l > best) {
      best = l;
      if (v) {
        for (size_t k = 0; k < K; k++) v[k] = 0;
        for (size_t k = 0; k < n; k++) v[idx[k]] = room->vec[k];
      }
    }
  }
  return best;
}

static void spec_blocks_free(spec_blocks_t *sb) {
  free(sb->diag);
  free(sb->order);
  free(sb->start);
  free(sb->pos);
  eig_room_free(&sb->room);
}

/* The blocks of `info`, each parameter's place in its block, the room for the largest. */
static int spec_blocks_init(spec_blocks_t *sb, const sem_sparse_t *info, const double *vcov, double N) {
  size_t K = info->K;
  memset(sb, 0, sizeof *sb);
  sb->info = info;
  sb->vcov = vcov;
  sb->N = N;
  sb->diag = calloc(K, sizeof *sb->diag);
  sb->order = malloc(K * sizeof *sb->order);
  sb->start = malloc((K + 1) * sizeof *sb->start);
  sb->pos = malloc(K * sizeof *sb->pos); /* the union-find's parents first */
  if (!sb->diag || !sb->order || !sb->start || !sb->pos) return -1;
  for (size_t a = 0; a < K; a++)
    for (size_t e = info->rowptr[a]; e < info->rowptr[a + 1]; e++)
      if (info->col[e] == a) sb->diag[a] = info->val[e];
  sb->nb = info_blocks(info, sb->order, sb->start, sb->pos);
  size_t big = 0;
  for (size_t b = 0; b < sb->nb; b++) {
    size_t n = sb->start[b + 1] - sb->start[b];
    if (n > big) big = n;
    for (size_t i = 0; i < n; i++) sb->pos[sb->order[sb->start[b] + i]] = i;
  }
  return eig_room_alloc(&sb->room, big);
}

vagap_status_t sem_info_spectrum_sparse(const sem_sparse_t *info, const double *vcov, double N, double *ratio,
                                        double *flat, double *vcov_min_eig) {
  *ratio = 1;
  *vcov_min_eig = HUGE_VAL;
  if (info->K == 0) return VAGAP_OK;
  spec_blocks_t sb;
  /* the inverse of a block-diagonal matrix has the same blocks, so one layout serves all three */
  if (spec_blocks_init(&sb, info, vcov, N)) {
    spec_blocks_free(&sb);
    return VAGAP_ENOMEM;
  }
  /* unscaled: lambda_min(vcov) = 1 / lambda_max(N info); when even Gershgorin's bound on
     lambda_max keeps it above lavaan's eps^(3/4), that lower bound is the answer (the
     warning needs the exact value only below) */
  double gersh = row_sum_bound(info);
  if (gersh > 0 && 1 / (N * gersh) >= eig_tol()) {
    *vcov_min_eig = 1 / (N * gersh);
  } else {
    double lmax_info = blocks_max(&sb, SPEC_INFO, NULL);
    *vcov_min_eig = lmax_info > 0 ? 1 / (N * lmax_info) : HUGE_VAL;
  }
  /* the ratio from one eigensolve of the scaled information: its smallest eigenvalue is
     exact to ~1e-15 absolute, plenty when the ratio is far above the threshold; near or
     below it, the smallest eigenvalue comes from the inverse (vcov) as the largest of
     its own, exact in relative terms, with the eigenvector of the flat direction */
  double range[2];
  blocks_range(&sb, range);
  *ratio = range[0] > 0 && range[1] > 0 ? range[0] / range[1] : 0;
  if (!(*ratio >= 1e-6)) {
    double lmax = blocks_max(&sb, SPEC_INFO_SCALED, NULL);
    double lmax_inv = blocks_max(&sb, SPEC_VCOV_SCALED, flat);
    *ratio = lmax > 0 && lmax_inv > 0 ? 1 / (lmax * lmax_inv) : 0;
  }
  spec_blocks_free(&sb);
  return VAGAP_OK;
}

vagap_status_t sem_info_spectrum(const double *info, const double *vcov, size_t K, double N,
                                 double *ratio, double *flat, double *vcov_min_eig) {
  sem_sparse_t sp;
  if (sem_sparse_from_dense(&sp, info, K)) return VAGAP_ENOMEM;
  vagap_status_t st = sem_info_spectrum_sparse(&sp, vcov, N, ratio, flat, vcov_min_eig);
  sem_sparse_free(&sp);
  return st;
}

/* ---- the nonzeros of a symmetric matrix, row by row ------------------------------------ */

int sem_sparse_alloc(sem_sparse_t *sp, size_t K, size_t nnz) {
  memset(sp, 0, sizeof *sp);
  sp->K = K;
  sp->rowptr = malloc((K + 1) * sizeof *sp->rowptr);
  sp->col = malloc((nnz ? nnz : 1) * sizeof *sp->col);
  sp->val = malloc((nnz ? nnz : 1) * sizeof *sp->val);
  if (sp->rowptr && sp->col && sp->val) return 0;
  sem_sparse_free(sp);
  return -1;
}

int sem_sparse_from_dense(sem_sparse_t *sp, const double *M, size_t K) {
  size_t nnz = 0;
  for (size_t k = 0; k < K * K; k++) nnz += M[k] != 0;
  if (sem_sparse_alloc(sp, K, nnz)) return -1;
  size_t e = 0;
  for (size_t a = 0; a < K; a++) {
    sp->rowptr[a] = e;
    for (size_t b = 0; b < K; b++)
      if (M[a * K + b] != 0) {
        sp->col[e] = b;
        sp->val[e++] = M[a * K + b];
      }
  }
  sp->rowptr[K] = e;
  return 0;
}

void sem_sparse_free(sem_sparse_t *sp) {
  free(sp->rowptr);
  free(sp->col);
  free(sp->val);
  memset(sp, 0, sizeof *sp);
}

/* ---- post-check ---------------------------------------------------------------------- */

static vagap_status_t add_warning(vagap_sem_fit_t *fit, const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  char **w = realloc(fit->warnings, (fit->nwarnings + 1) * sizeof *w);
  if (!w) return VAGAP_ENOMEM;
  fit->warnings = w;
  if (!(w[fit->nwarnings] = strdup(buf))) return VAGAP_ENOMEM;
  fit->nwarnings++;
  return VAGAP_OK;
}

static int is_latent(const vagap_sem_model_t *m, const char *name) {
  for (size_t i = 0; i < m->nlv; i++)
    if (!strcmp(m->lv[i], name)) return 1;
  return 0;
}

static int is_observed(const vagap_sem_model_t *m, const char *name) {
  for (size_t i = 0; i < m->nov; i++)
    if (!strcmp(m->ov[i], name)) return 1;
  return 0;
}

/* Does a symmetric n x n matrix have an eigenvalue below -eps^(3/4)? (-1: no memory) */
static int has_negative_eigenvalue(const gsl_matrix *M) {
  size_t n = M->size1;
  if (n == 0) return 0;
  gsl_matrix *c = gsl_matrix_alloc(n, n);
  gsl_vector *ev = gsl_vector_alloc(n);
  gsl_eigen_symm_workspace *wk = gsl_eigen_symm_alloc(n);
  int rc = -1;
  if (c && ev && wk) {
    gsl_matrix_memcpy(c, M);
    if (gsl_eigen_symm(c, ev, wk) == 0) {
      rc = 0;
      for (size_t i = 0; i < n; i++)
        if (gsl_vector_get(ev, i) < -eig_tol()) rc = 1;
    }
  }
  if (c) gsl_matrix_free(c);
  if (ev) gsl_vector_free(ev);
  if (wk) gsl_eigen_symm_free(wk);
  return rc;
}

static size_t ov_index(const vagap_sem_model_t *m, const char *name) {
  for (size_t i = 0; i < m->nov; i++)
    if (!strcmp(m->ov[i], name)) return i;
  return (size_t)-1;
}

/*
 * lavaan's theta holds the residual (co)variances of the indicators; an
 * observed variable on either side of a regression is represented by a
 * latent "dummy" there (residual variance in psi, zero in theta), so it is
 * left out, as are the exogenous covariates.  pos[i]: observed variable i's place
 * in theta, or (size_t)-1; returns theta's order.
 */
static size_t theta_positions(const vagap_sem_model_t *m, size_t *pos) {
  for (size_t i = 0; i < m->nov; i++) pos[i] = m->ov_exo[i] ? (size_t)-1 : 0;
  for (size_t r = 0; r < m->nrows; r++) {
    const vagap_sem_param_t *row = &m->rows[r];
    if (row->op != VAGAP_SEM_REGRESSION) continue;
    size_t a = ov_index(m, row->lhs), b = ov_index(m, row->rhs);
    if (a != (size_t)-1) pos[a] = (size_t)-1;
    if (b != (size_t)-1) pos[b] = (size_t)-1;
  }
  size_t n = 0;
  for (size_t i = 0; i < m->nov; i++)
    if (pos[i] != (size_t)-1) pos[i] = n++;
  return n;
}

/* theta of group g (1-based) restricted to the indicators (see theta_positions); *diagonal:
   no covariance off its diagonal */
static gsl_matrix *theta_matrix(const vagap_sem_model_t *m, const size_t *pos, size_t n, int g, int *diagonal) {
  gsl_matrix *T = n ? gsl_matrix_calloc(n, n) : NULL;
  *diagonal = 1;
  for (size_t r = 0; T && r < m->nrows; r++) {
    const vagap_sem_param_t *row = &m->rows[r];
    if (row->op != VAGAP_SEM_COVARIANCE || row->group != g) continue;
    size_t a = ov_index(m, row->lhs), b = ov_index(m, row->rhs);
    if (a == (size_t)-1 || b == (size_t)-1 || pos[a] == (size_t)-1 || pos[b] == (size_t)-1) continue;
    gsl_matrix_set(T, pos[a], pos[b], row->est);
    gsl_matrix_set(T, pos[b], pos[a], row->est);
    if (pos[a] != pos[b] && row->est != 0) *diagonal = 0;
  }
  return T;
}

/* 1 when a diagonal matrix has an entry below -eig_tol() (its eigenvalues are its entries). */
static int diagonal_negative(const gsl_matrix *M) {
  for (size_t i = 0; i < M->size1; i++)
    if (gsl_matrix_get(M, i, i) < -eig_tol()) return 1;
  return 0;
}

/* lavaan's post-check of theta per group (observed variances all non-negative): a warning
   where it is not positive definite. */
static vagap_status_t theta_check(vagap_sem_fit_t *fit) {
  const vagap_sem_model_t *m = fit->model;
  size_t *pos = malloc((m->nov ? m->nov : 1) * sizeof *pos), nt;
  if (!pos) return VAGAP_ENOMEM;
  nt = theta_positions(m, pos);
  vagap_status_t st = VAGAP_OK;
  for (size_t g = 0; g < m->ngroups && !st; g++) {
    int diagonal;
    gsl_matrix *T = theta_matrix(m, pos, nt, (int)g + 1, &diagonal);
    int neg = !T ? (nt ? -1 : 0) : diagonal ? diagonal_negative(T) : has_negative_eigenvalue(T);
    if (T) gsl_matrix_free(T);
    if (neg < 0) st = VAGAP_ENOMEM;
    if (neg <= 0) continue;
    char gtxt[64] = "";
    if (m->ngroups > 1) snprintf(gtxt, sizeof gtxt, " in group %zu", g + 1);
    if (add_warning(fit, "the covariance matrix of the residuals of the observed variables (theta) "
                         "is not positive definite%s; use lavInspect(fit, \"theta\") to investigate.", gtxt))
      st = VAGAP_ENOMEM;
    fit->admissible = 0;
  }
  free(pos);
  return st;
}

vagap_status_t sem_post_check(vagap_sem_fit_t *fit, const gsl_matrix *const *cov_lv) {
  const vagap_sem_model_t *m = fit->model;
  int ov_ok = 1, lv_ok = 1;
  fit->admissible = 1;
  for (size_t r = 0; r < m->nrows; r++) {
    const vagap_sem_param_t *row = &m->rows[r];
    if (row->op != VAGAP_SEM_COVARIANCE || strcmp(row->lhs, row->rhs) || !(row->est < 0)) continue;
    if (is_observed(m, row->lhs)) ov_ok = 0;
    else if (is_latent(m, row->lhs)) lv_ok = 0;
  }
  if (!ov_ok && add_warning(fit, "some estimated ov variances are negative")) return VAGAP_ENOMEM;
  if (!lv_ok && add_warning(fit, "some estimated lv variances are negative")) return VAGAP_ENOMEM;
  fit->admissible = ov_ok && lv_ok;
  char gtxt[64] = "";
  if (lv_ok && m->nlv > 0)
    for (size_t g = 0; g < m->ngroups; g++) {
      int neg = has_negative_eigenvalue(cov_lv[g]);
      if (neg < 0) return VAGAP_ENOMEM;
      if (!neg) continue;
      if (m->ngroups > 1) snprintf(gtxt, sizeof gtxt, " in group %zu", g + 1);
      if (add_warning(fit, "covariance matrix of latent variables is not positive definite%s; "
                           "use lavInspect(fit, \"cov.lv\") to investigate.", gtxt))
        return VAGAP_ENOMEM;
      fit->admissible = 0;
    }
  return ov_ok ? theta_check(fit) : VAGAP_OK;
}

vagap_status_t sem_vcov_check(vagap_sem_fit_t *fit, double vcov_min_eig) {
  if (!(vcov_min_eig < eig_tol())) return VAGAP_OK;
  return add_warning(fit, "The variance-covariance matrix of the estimated parameters (vcov) does not "
                          "appear to be positive definite! The smallest eigenvalue (= %e) is close to "
                          "zero. This may be a symptom that the model is not identified.", vcov_min_eig)
             ? VAGAP_ENOMEM : VAGAP_OK;
}

vagap_status_t sem_defined_check(vagap_sem_fit_t *fit) {
  const vagap_sem_model_t *m = fit->model;
  for (size_t r = 0; r < m->nrows; r++) {
    const vagap_sem_param_t *row = &m->rows[r];
    if (row->op != VAGAP_SEM_DEFINED || isfinite(row->est)) continue;
    if (add_warning(fit, "defined parameter %s := %s is %s at the estimates (outside its function's "
                         "domain); its estimate, standard error and test are NA",
                    row->lhs, row->rhs, isnan(row->est) ? "undefined" : "infinite"))
      return VAGAP_ENOMEM;
  }
  return VAGAP_OK;
}

/* A warning with a ready message (sem_fiml.c's data warnings). */
vagap_status_t sem_fit_warning(vagap_sem_fit_t *fit, const char *msg) { return add_warning(fit, "%s", msg); }
