/*
 * sem_fit.c - ML estimation of a vagap_sem_model_t (RAM form).
 *
 * Model-implied moments per group g (McArdle & McDonald 1984, RAM):
 *   B = (I - A)^-1,  Sigma = F B S B' F',  mu = F B m
 * with A the directed paths (loadings, regressions), S the (co)variances,
 * m the intercepts and F the selection of the observed variables.
 * The fit function is lavaan's (METHODS.md section 6):
 *   F = sum_g n_g/N * F_g,  F_g = 1/2 [log|Sigma| + tr(S Sigma^-1) - log|S| - p
 *                                     + (ybar - mu)' Sigma^-1 (ybar - mu)]
 * The weights are n_g/N also with likelihood "wishart", where S has divisor
 * n_g - 1 and the statistic is chisq = sum_g 2 (n_g - 1) F_g and the vcov
 * divisor N - G (lavaan 0.6: lav_model_objective, lav_model_test).
 * Its gradient is analytic (matrix form below), the optimiser is NLopt's
 * LD_LBFGS (a quasi-Newton method that needs only F and its gradient, which
 * are cheap here; unconstrained models need no SLSQP),
 * followed by Fisher-scoring steps with the expected information, and at the
 * end Newton steps with the closed-form Hessian (sem_hessian.c), which
 * converge quadratically and leave the estimates at the optimum to rounding
 * level, whatever path (or BLAS) led there.
 * If L-BFGS fails, Fisher scoring with step halving from the start values
 * is the fallback.  Models with ==, <, > constraints or lower()/upper()
 * bounds take the constrained path of sem_constraints.c instead (hooks
 * marked "[constraints hook]").
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_sf_gamma.h>
#include <nlopt.h>

#include "sem_internal.h"


/* A sparsity pattern: row i's possibly nonzero columns col[start[i] .. start[i + 1]), ascending. */
typedef struct {
  size_t *start, *col;
} pattern_t;

typedef struct {
  double n;          /* the test statistic's multiplier: n_g, or n_g - 1 for wishart */
  double nobs;       /* n_g */
  gsl_matrix *S;     /* p x p sample covariance (divisor per likelihood) */
  gsl_vector *ybar;
  double logdetS;
  /* model matrices and derived quantities at the current x */
  gsl_matrix *A, *Smat, *B, *FB, *FBt, *BSFt, *Sigma, *SigInv, *Omega, *tmp_pm, *Wt, *M, *N, *SN, *L;
  gsl_vector *m, *mu, *d, *v, *u, *Bm;
  gsl_permutation *perm;
  double logdetSig, Fg;
  /* B by forward substitution (ram_forward): node topo[t] in a topological order of the
     paths, its parents j (A[i][j], a path j -> i) par[par_start[i] .. par_start[i + 1]);
     acyclic 0 when the paths have a cycle (then ram_inverse's series or LU) */
  size_t *topo, *par_start, *par;
  int acyclic;
  /* Where entries of Smat, B and FBt can be nonzero (ram_patterns, from the model rows;
     acyclic groups only, else start NULL): the products skip the others without
     testing them.  pat_Bsrc: B's rows of the paths' sources only (the rows of M that the
     gradient and the Hessian read), pat_Sneed: Smat's rows that those rows of M need. */
  pattern_t pat_S, pat_B, pat_FBt, pat_Bsrc, pat_Sneed;
  /* The low-rank form of a factor-structured group (lowrank_inverse, lowrank_omega):
     factor_form when no path starts at an observed variable and the observed variables'
     (co)variances are residual variances only, so Sigma = Theta + L Psi L'; lowrank when
     SigInv and logdetSig of the current point came from it, with dinv = Theta^-1/2 and
     V = Theta^-1/2 L R Lk^-T (Psi = R R', I + U'U = Lk Lk').  Vq, Zq: p x q; Tq: q x p;
     Rq, Gq: q x q. */
  int factor_form, lowrank;
  gsl_matrix *Vq, *Tq, *Zq, *Rq, *Gq;
  gsl_vector *dinv;
} group_ws_t;

struct sem_ws {
  const vagap_sem_model_t *model;
  const vagap_sem_stats_t *stats;
  size_t G, p, q, mdim, npar;
  double N;            /* N, or N - G for wishart: divisor of the vcov, RMSEA's N */
  double ntotal;       /* sum n_g */
  int wishart;
  size_t *col;         /* model ov -> stats column */
  size_t *grows, *grows_start; /* group g's rows: grows[grows_start[g] .. grows_start[g + 1]), in order */
  int *row_mat;        /* per row: MAT_* */
  size_t *row_i, *row_j;
  group_ws_t *g;
  size_t nx;           /* number of fixed.x covariates */
  size_t evals;
  int lowrank;         /* sem_ws_lowrank: factor-structured groups take the low-rank form */
  size_t max_evals;    /* budget of objective evaluations over all strategies */
  size_t con_rank;     /* rank of the == constraints (sem_constraints.c): df += it, npar -= it */
  sem_discrepancy_t disc; /* [estimator hook] group_value == NULL: ML from the sample moments */
  const unsigned char *only; /* [robust hook] non-NULL: F and its gradient over these groups only */
  /* The model matrices and implied moments of every group (fill_matrices + implied) are
     those of x_implied when implied_valid: the optimiser asks for F, then F with its
     gradient, then the information at one point, and they are computed once for it. */
  double *x_implied;
  int implied_valid;
  /* ... and the gradient's group matrices (Omega, v, N, M, u) are those of x_implied over
     every group when grad_valid: sem_ws_objective(ws, x, grad) just ran there with a
     gradient and no group mask (the Hessian, sem_hessian.c, reads them, sem_ws_grad_at) */
  int grad_valid;
  /* scratch of information_blocks, made once: U, V (p x md), the Gram matrices GFF, GFS,
     GSF, GSS (md x md), per model row an index and (void: rank2_t below) its rank-2 form */
  gsl_matrix *info_U, *info_V, *info_G[4];
  size_t *info_idx;
  void *info_t;
  /* the information's block layout (block_layout), made once: it depends on the model only;
     per parameter its owner (its group, G when groups share it) and place in its block */
  size_t *bf_order, *bf_start, bf_s, *bf_owner, *bf_pos;
  /* the expected information in that layout (information_blocks), made once and kept
     across Fisher-scoring steps: shared x shared (bi_ss), per group shared x own (bi_sg)
     and own x own (bi_gg).  Entries linking two groups' own parameters are zero and
     not stored, so this is O(sum of the groups' blocks), not npar x npar. */
  double *bi_ss, **bi_sg, **bi_gg;
  struct bfact *bf; /* its factorisation (bfact_factor), room made once */
};

static void bfact_destroy(struct bfact *f);


static void group_free(group_ws_t *g) {
  gsl_matrix *mats[] = {g->S, g->A, g->Smat, g->B, g->FB, g->FBt, g->BSFt, g->Sigma, g->SigInv,
                        g->Omega, g->tmp_pm, g->Wt, g->M, g->N, g->SN, g->L};
  for (size_t i = 0; i < sizeof mats / sizeof mats[0]; i++)
    if (mats[i]) gsl_matrix_free(mats[i]);
  gsl_vector *vecs[] = {g->ybar, g->m, g->mu, g->d, g->v, g->u, g->Bm};
  for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++)
    if (vecs[i]) gsl_vector_free(vecs[i]);
  if (g->perm) gsl_permutation_free(g->perm);
  gsl_matrix *low[] = {g->Vq, g->Tq, g->Zq, g->Rq, g->Gq};
  for (size_t i = 0; i < sizeof low / sizeof low[0]; i++)
    if (low[i]) gsl_matrix_free(low[i]);
  if (g->dinv) gsl_vector_free(g->dinv);
  free(g->topo);
  free(g->par_start);
  free(g->par);
  pattern_t *pats[] = {&g->pat_S, &g->pat_B, &g->pat_FBt, &g->pat_Bsrc, &g->pat_Sneed};
  for (size_t i = 0; i < sizeof pats / sizeof pats[0]; i++) {
    free(pats[i]->start);
    free(pats[i]->col);
  }
}

void sem_ws_free(sem_ws_t *ws) {
  if (!ws) return;
  if (ws->g)
    for (size_t g = 0; g < ws->G; g++) group_free(&ws->g[g]);
  free(ws->g);
  free(ws->col);
  free(ws->grows);
  free(ws->grows_start);
  free(ws->row_mat);
  free(ws->row_i);
  free(ws->row_j);
  free(ws->x_implied);
  if (ws->info_U) gsl_matrix_free(ws->info_U);
  if (ws->info_V) gsl_matrix_free(ws->info_V);
  for (int k = 0; k < 4; k++)
    if (ws->info_G[k]) gsl_matrix_free(ws->info_G[k]);
  free(ws->info_idx);
  free(ws->info_t);
  free(ws->bf_order);
  free(ws->bf_start);
  free(ws->bf_owner);
  free(ws->bf_pos);
  free(ws->bi_ss);
  for (size_t g = 0; g < ws->G; g++) {
    if (ws->bi_sg) free(ws->bi_sg[g]);
    if (ws->bi_gg) free(ws->bi_gg[g]);
  }
  free(ws->bi_sg);
  free(ws->bi_gg);
  bfact_destroy(ws->bf);
  free(ws);
}

/*
 * Copies for the small matrices of the hot path: GSL's gsl_matrix_memcpy and
 * gsl_matrix_transpose_memcpy make one BLAS dcopy call per row, which for a
 * 10 x 10 matrix costs more than the copy (the same values either way).
 */
static void mat_copy(gsl_matrix *dst, const gsl_matrix *src) {
  for (size_t i = 0; i < src->size1; i++)
    memcpy(dst->data + i * dst->tda, src->data + i * src->tda, src->size2 * sizeof *src->data);
}

static void mat_transpose_copy(gsl_matrix *dst, const gsl_matrix *src) {
  for (size_t i = 0; i < src->size1; i++) {
    const double *row = src->data + i * src->tda;
    for (size_t j = 0; j < src->size2; j++) dst->data[j * dst->tda + i] = row[j];
  }
}

/* log determinant of a symmetric positive definite matrix via Cholesky (into L). */
static int chol_logdet(const gsl_matrix *X, gsl_matrix *L, double *logdet) {
  mat_copy(L, X);
  if (gsl_linalg_cholesky_decomp1(L) != GSL_SUCCESS) return -1;
  double s = 0;
  for (size_t i = 0; i < L->size1; i++) {
    double dii = gsl_matrix_get(L, i, i);
    if (!(dii > 0)) return -1;
    s += 2 * log(dii);
  }
  *logdet = s;
  return 0;
}

static vagap_status_t group_sample(sem_ws_t *ws, size_t g, vagap_error_t *err);
static int ram_order(sem_ws_t *ws, size_t g);
static int ram_patterns(sem_ws_t *ws, size_t g);
static int lowrank_alloc(sem_ws_t *ws, size_t g);

vagap_status_t sem_ws_alloc(sem_ws_t **out, const vagap_sem_model_t *model,
                            const vagap_sem_stats_t *stats, vagap_sem_likelihood_t lik,
                            vagap_error_t *err) {
  *out = NULL;
  if (stats->ngroups != model->ngroups)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "the model was built for %zu groups but the data have %zu",
                           model->ngroups, stats->ngroups);
  sem_ws_t *ws = calloc(1, sizeof *ws);
  if (!ws) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  ws->model = model;
  ws->stats = stats;
  ws->G = model->ngroups;
  ws->p = model->nov;
  ws->q = model->nlv;
  ws->mdim = ws->p + ws->q;
  ws->npar = model->npar;
  ws->wishart = lik == VAGAP_SEM_LIKELIHOOD_WISHART;
  size_t p = ws->p, md = ws->mdim;
  vagap_status_t st = VAGAP_OK;
  ws->col = calloc(p ? p : 1, sizeof *ws->col);
  ws->row_mat = calloc(model->nrows ? model->nrows : 1, sizeof *ws->row_mat);
  ws->row_i = calloc(model->nrows ? model->nrows : 1, sizeof *ws->row_i);
  ws->row_j = calloc(model->nrows ? model->nrows : 1, sizeof *ws->row_j);
  ws->g = calloc(ws->G, sizeof *ws->g);
  ws->x_implied = calloc(ws->npar ? ws->npar : 1, sizeof *ws->x_implied);
  ws->grows = malloc((model->nrows ? model->nrows : 1) * sizeof *ws->grows);
  ws->grows_start = calloc(ws->G + 1, sizeof *ws->grows_start);
  if (!ws->col || !ws->row_mat || !ws->row_i || !ws->row_j || !ws->g || !ws->x_implied || !ws->grows ||
      !ws->grows_start) {
    st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    goto fail;
  }
  for (size_t i = 0; i < model->nlv; i++)
    for (size_t j = 0; j < stats->nvar; j++)
      if (!strcmp(model->lv[i], stats->var[j])) {
        st = vagap_error_set(err, VAGAP_EMODEL, NULL, 0, 0,
                             "latent variable '%s' has the name of an observed variable in the data",
                             model->lv[i]);
        goto fail;
      }
  for (size_t i = 0; i < p; i++) {
    size_t j;
    for (j = 0; j < stats->nvar; j++)
      if (!strcmp(model->ov[i], stats->var[j])) break;
    if (j == stats->nvar) {
      st = vagap_error_set(err, VAGAP_ECOLUMN, NULL, 0, 0,
                           "observed variable '%s' of the model is not in the data", model->ov[i]);
      goto fail;
    }
    ws->col[i] = j;
    ws->nx += model->ov_is_x[i] != 0;
  }
  for (size_t r = 0; r < model->nrows; r++) {
    const vagap_sem_param_t *row = &model->rows[r];
    size_t a = sem_model_var_index(model, row->lhs), b = sem_model_var_index(model, row->rhs);
    ws->row_mat[r] = MAT_NONE;
    switch (row->op) {
      case VAGAP_SEM_LOADING: ws->row_mat[r] = MAT_A; ws->row_i[r] = b; ws->row_j[r] = a; break;
      case VAGAP_SEM_REGRESSION: ws->row_mat[r] = MAT_A; ws->row_i[r] = a; ws->row_j[r] = b; break;
      case VAGAP_SEM_COVARIANCE: ws->row_mat[r] = MAT_S; ws->row_i[r] = a; ws->row_j[r] = b; break;
      case VAGAP_SEM_INTERCEPT: ws->row_mat[r] = MAT_M; ws->row_i[r] = a; ws->row_j[r] = 0; break;
      default: break;
    }
  }
  /* rows by group (a counting sort; rows of no group, :=, are left out): the per-group
     loops of a model of many groups visit their own rows, not every group's */
  for (size_t r = 0; r < model->nrows; r++)
    if (model->rows[r].group >= 1 && (size_t)model->rows[r].group <= ws->G) ws->grows_start[model->rows[r].group]++;
  for (size_t g = 0; g < ws->G; g++) ws->grows_start[g + 1] += ws->grows_start[g];
  for (size_t r = 0; r < model->nrows; r++)
    if (model->rows[r].group >= 1 && (size_t)model->rows[r].group <= ws->G)
      ws->grows[ws->grows_start[model->rows[r].group - 1]++] = r;
  for (size_t g = ws->G; g > 0; g--) ws->grows_start[g] = ws->grows_start[g - 1];
  ws->grows_start[0] = 0;
  ws->ntotal = 0;
  for (size_t g = 0; g < ws->G; g++) {
    group_ws_t *w = &ws->g[g];
    double n = stats->n[g];
    w->nobs = n;
    w->n = ws->wishart ? n - 1 : n;
    ws->ntotal += n;
    w->S = gsl_matrix_alloc(p, p);
    w->ybar = gsl_vector_alloc(p);
    w->A = gsl_matrix_calloc(md, md);
    w->Smat = gsl_matrix_calloc(md, md);
    w->B = gsl_matrix_alloc(md, md);
    w->FB = gsl_matrix_alloc(p, md);
    w->FBt = gsl_matrix_calloc(md, p); /* zeros outside its pattern (pattern_transpose) */
    w->Wt = gsl_matrix_alloc(md, p);
    w->SN = gsl_matrix_alloc(md, md);
    w->BSFt = gsl_matrix_alloc(md, p);
    w->Sigma = gsl_matrix_alloc(p, p);
    w->SigInv = gsl_matrix_alloc(p, p);
    w->Omega = gsl_matrix_alloc(p, p);
    w->tmp_pm = gsl_matrix_alloc(p, md);
    w->M = gsl_matrix_alloc(md, md);
    w->N = gsl_matrix_alloc(md, md);
    w->L = gsl_matrix_alloc(md > p ? md : p, md > p ? md : p);
    w->m = gsl_vector_calloc(md);
    w->mu = gsl_vector_alloc(p);
    w->d = gsl_vector_alloc(p);
    w->v = gsl_vector_alloc(p);
    w->u = gsl_vector_alloc(md);
    w->Bm = gsl_vector_alloc(md);
    w->perm = gsl_permutation_alloc(md);
    if (!w->S || !w->ybar || !w->A || !w->Smat || !w->B || !w->FB || !w->FBt || !w->Wt || !w->SN || !w->BSFt ||
        !w->Sigma || !w->SigInv || !w->Omega || !w->tmp_pm || !w->M || !w->N || !w->L || !w->m ||
        !w->mu || !w->d || !w->v || !w->u || !w->Bm || !w->perm) {
      st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
      goto fail;
    }
    if ((st = group_sample(ws, g, err))) goto fail;
    if (ram_order(ws, g) || lowrank_alloc(ws, g)) {
      st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
      goto fail;
    }
  }
  ws->N = ws->wishart ? ws->ntotal - (double)ws->G : ws->ntotal;
  *out = ws;
  return VAGAP_OK;
fail:
  sem_ws_free(ws);
  return st;
}

/* Group g's sample moments from ws->stats (n already set) and log|S|. */
static vagap_status_t group_sample(sem_ws_t *ws, size_t g, vagap_error_t *err) {
  const vagap_sem_stats_t *stats = ws->stats;
  group_ws_t *w = &ws->g[g];
  size_t p = ws->p, P = stats->nvar;
  double n = w->nobs;
  for (size_t i = 0; i < p; i++) {
    gsl_vector_set(w->ybar, i, stats->mean[g * P + ws->col[i]]);
    for (size_t j = 0; j < p; j++) {
      double c = stats->cov[g * P * P + ws->col[i] * P + ws->col[j]];
      gsl_matrix_set(w->S, i, j, ws->wishart ? c * n / (n - 1) : c);
    }
  }
  gsl_matrix_view Lp = gsl_matrix_submatrix(w->L, 0, 0, p, p);
  if (chol_logdet(w->S, &Lp.matrix, &w->logdetS))
    return vagap_error_set(err, VAGAP_EDOMAIN, NULL, 0, 0,
                           "the sample covariance matrix of group '%s' is not positive definite "
                           "(a variable is constant or a linear combination of others)",
                           stats->group_label[g]);
  return VAGAP_OK;
}

vagap_status_t sem_ws_set_sample(sem_ws_t *ws, const vagap_sem_stats_t *stats, vagap_error_t *err) {
  if (stats->ngroups != ws->G || stats->nvar != ws->stats->nvar)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "statistics of another shape");
  ws->stats = stats;
  ws->implied_valid = 0; /* fixed.x rows take the sample's values */
  ws->grad_valid = 0;
  ws->evals = 0;
  ws->ntotal = 0;
  for (size_t g = 0; g < ws->G; g++) {
    group_ws_t *w = &ws->g[g];
    w->nobs = stats->n[g];
    w->n = ws->wishart ? w->nobs - 1 : w->nobs;
    ws->ntotal += w->nobs;
    vagap_status_t st = group_sample(ws, g, err);
    if (st) return st;
  }
  ws->N = ws->wishart ? ws->ntotal - (double)ws->G : ws->ntotal;
  return VAGAP_OK;
}

/* The pattern of the rows x cols mask (row-major); -1 when out of memory. */
static int pattern_from_mask(const unsigned char *mask, size_t rows, size_t cols, pattern_t *out) {
  size_t n = 0;
  for (size_t i = 0; i < rows * cols; i++) n += mask[i];
  out->start = malloc((rows + 1) * sizeof *out->start);
  out->col = malloc((n ? n : 1) * sizeof *out->col);
  if (!out->start || !out->col) return -1;
  n = 0;
  for (size_t i = 0; i < rows; i++) {
    out->start[i] = n;
    for (size_t j = 0; j < cols; j++)
      if (mask[i * cols + j]) out->col[n++] = j;
  }
  out->start[rows] = n;
  return 0;
}

/*
 * The patterns of an acyclic group's Smat (its (co)variance rows), B (I and every
 * variable reachable along the paths: a row's pattern is its parents' rows' union, in
 * the topological order) and FBt (B's observed rows, transposed).  -1: out of memory.
 */
static int ram_patterns(sem_ws_t *ws, size_t g) {
  group_ws_t *w = &ws->g[g];
  size_t md = ws->mdim, p = ws->p;
  unsigned char *mS = calloc(md * md, 1), *mB = calloc(md * md, 1), *mF = calloc(md * p + 2 * md, 1);
  int rc = -1;
  if (!mS || !mB || !mF) goto done;
  for (size_t e = ws->grows_start[g]; e < ws->grows_start[g + 1]; e++) {
    size_t r = ws->grows[e];
    if (ws->row_mat[r] != MAT_S) continue;
    mS[ws->row_i[r] * md + ws->row_j[r]] = mS[ws->row_j[r] * md + ws->row_i[r]] = 1;
  }
  for (size_t t = 0; t < md; t++) {
    size_t i = w->topo[t];
    mB[i * md + i] = 1;
    for (size_t k = w->par_start[i]; k < w->par_start[i + 1]; k++)
      for (size_t l = 0; l < md; l++) mB[i * md + l] |= mB[w->par[k] * md + l];
  }
  for (size_t k = 0; k < p; k++)
    for (size_t i = 0; i < md; i++) mF[i * p + k] = mB[k * md + i];
  if (pattern_from_mask(mS, md, md, &w->pat_S) || pattern_from_mask(mB, md, md, &w->pat_B) ||
      pattern_from_mask(mF, md, p, &w->pat_FBt))
    goto done;
  /* B's rows of the sources, then Smat's rows in their columns */
  unsigned char *src = mF + md * p, *need = src + md;
  for (size_t k = 0; k < w->par_start[md]; k++) src[w->par[k]] = 1;
  for (size_t i = 0; i < md; i++)
    for (size_t l = 0; l < md; l++) {
      mB[i * md + l] &= src[i];
      need[l] |= mB[i * md + l];
    }
  for (size_t i = 0; i < md; i++)
    for (size_t l = 0; l < md; l++) mS[i * md + l] &= need[i];
  rc = pattern_from_mask(mB, md, md, &w->pat_Bsrc) || pattern_from_mask(mS, md, md, &w->pat_Sneed) ? -1 : 0;
done:
  free(mS);
  free(mB);
  free(mF);
  return rc;
}

/*
 * Group g's paths as parent lists and a topological order of its variables (Kahn's
 * algorithm), made once: the paths of a model do not change with x.  A cycle leaves
 * acyclic 0.  Returns -1 when out of memory.
 */
static int ram_order(sem_ws_t *ws, size_t g) {
  group_ws_t *w = &ws->g[g];
  size_t md = ws->mdim, n = ws->grows_start[g + 1] - ws->grows_start[g];
  w->topo = malloc(md * sizeof *w->topo);
  w->par_start = calloc(md + 1, sizeof *w->par_start);
  w->par = malloc((n ? n : 1) * sizeof *w->par);
  size_t *indeg = calloc(md, sizeof *indeg);
  if (!w->topo || !w->par_start || !w->par || !indeg) {
    free(indeg);
    return -1;
  }
  /* parents by child, from the group's A rows in their order, a repeated entry once */
  size_t npar = 0;
  for (size_t i = 0; i < md; i++) {
    w->par_start[i] = npar;
    for (size_t e = ws->grows_start[g]; e < ws->grows_start[g + 1]; e++) {
      size_t r = ws->grows[e], k;
      if (ws->row_mat[r] != MAT_A || ws->row_i[r] != i) continue;
      for (k = w->par_start[i]; k < npar && w->par[k] != ws->row_j[r]; k++) {}
      if (k == npar) w->par[npar++] = ws->row_j[r];
    }
    indeg[i] = npar - w->par_start[i];
  }
  w->par_start[md] = npar;
  /* Kahn: a variable joins the order when all its parents have */
  size_t done = 0;
  for (size_t i = 0; i < md; i++)
    if (!indeg[i]) w->topo[done++] = i;
  for (size_t t = 0; t < done; t++)
    for (size_t c = 0; c < md; c++)
      for (size_t k = w->par_start[c]; k < w->par_start[c + 1]; k++)
        if (w->par[k] == w->topo[t] && !--indeg[c]) w->topo[done++] = c;
  w->acyclic = done == md;
  free(indeg);
  return w->acyclic ? ram_patterns(ws, g) : 0;
}

/*
 * Does group g have the factor structure of the low-rank form?  No path starts at an
 * observed variable (so FB = [I L] with L the paths into the observed variables from
 * the latents) and the only (co)variances involving observed variables are their own
 * variances (Theta diagonal, no observed-latent covariance), so Sigma = Theta + L Psi L'.
 * Then it makes the form's scratch (returns -1 when out of memory).
 */
static int lowrank_alloc(sem_ws_t *ws, size_t g) {
  group_ws_t *w = &ws->g[g];
  size_t p = ws->p, q = ws->q;
  w->factor_form = 0;
  if (q == 0 || q >= p) return 0;
  for (size_t e = ws->grows_start[g]; e < ws->grows_start[g + 1]; e++) {
    size_t r = ws->grows[e], i = ws->row_i[r], j = ws->row_j[r];
    if (ws->row_mat[r] == MAT_A && j < p) return 0;
    if (ws->row_mat[r] == MAT_S && i != j && (i < p || j < p)) return 0;
  }
  w->Vq = gsl_matrix_alloc(p, q);
  w->Tq = gsl_matrix_alloc(q, p);
  w->Zq = gsl_matrix_alloc(p, q);
  w->Rq = gsl_matrix_alloc(q, q);
  w->Gq = gsl_matrix_alloc(q, q);
  w->dinv = gsl_vector_alloc(p);
  if (!w->Vq || !w->Tq || !w->Zq || !w->Rq || !w->Gq || !w->dinv) return -1;
  w->factor_form = 1;
  return 0;
}

int sem_ws_lowrank(sem_ws_t *ws, int on) {
  ws->lowrank = on != 0;
  ws->implied_valid = 0;
  int n = 0;
  for (size_t g = 0; g < ws->G; g++) n += ws->g[g].factor_form;
  return n;
}

/* Value of row r at parameter vector x (fixed value, sample value for exo rows). */
static double row_value(const sem_ws_t *ws, size_t r, const double *x) {
  const vagap_sem_param_t *row = &ws->model->rows[r];
  if (row->free) return x[row->free - 1];
  if (row->exo) {
    const group_ws_t *w = &ws->g[row->group - 1];
    if (row->op == VAGAP_SEM_INTERCEPT) return gsl_vector_get(w->ybar, ws->row_i[r]);
    return gsl_matrix_get(w->S, ws->row_i[r], ws->row_j[r]);
  }
  return row->ustart;
}

/* The model rows' values at x into A, Smat and m.  Every call sets the same entries
   (those of the rows) and nothing else writes these matrices, so the others keep the
   zeros of their allocation: no clearing per call. */
static void fill_matrices(sem_ws_t *ws, const double *x) {
  ws->grad_valid = 0; /* the group matrices move (and ram_inverse uses M and N as scratch) */
  const vagap_sem_model_t *m = ws->model;
  for (size_t r = 0; r < m->nrows; r++) {
    if (ws->row_mat[r] == MAT_NONE) continue;
    group_ws_t *w = &ws->g[m->rows[r].group - 1];
    double v = row_value(ws, r, x);
    size_t i = ws->row_i[r], j = ws->row_j[r];
    if (ws->row_mat[r] == MAT_A) gsl_matrix_set(w->A, i, j, v);
    else if (ws->row_mat[r] == MAT_S) { gsl_matrix_set(w->Smat, i, j, v); gsl_matrix_set(w->Smat, j, i, v); }
    else gsl_vector_set(w->m, i, v);
  }
}

/*
 * out = S D, skipping the zeros of S.  The RAM matrices are mostly zeros
 * (a loading matrix, a diagonal of residual variances), so this is several
 * times cheaper than a dense product for the sizes of SEM models.
 */
static void sparse_left_mul(const gsl_matrix *S, const gsl_matrix *D, gsl_matrix *out) {
  size_t r = S->size1, k = S->size2, c = D->size2;
  for (size_t i = 0; i < r; i++) {
    const double *srow = S->data + i * S->tda;
    /* out never overlaps S or D (restrict): each orow[l] is still v1 d1 + v2 d2 + ...
       added in j's order, element by element, whatever the compiler makes of the loop */
    double *restrict orow = out->data + i * out->tda;
    memset(orow, 0, c * sizeof *orow);
    for (size_t j = 0; j < k; j++) {
      double v = srow[j];
      if (v == 0) continue;
      const double *restrict drow = D->data + j * D->tda;
      for (size_t l = 0; l < c; l++) orow[l] += v * drow[l];
    }
  }
}

/* out = S D over the entries of S in pattern P (sparse_left_mul's sums, in the same
   order, without testing the entries outside P, which are zero); P without a pattern
   (start NULL): sparse_left_mul. */
static void pattern_left_mul(const pattern_t *P, const gsl_matrix *S, const gsl_matrix *D, gsl_matrix *out) {
  if (!P->start) {
    sparse_left_mul(S, D, out);
    return;
  }
  size_t c = D->size2;
  for (size_t i = 0; i < S->size1; i++) {
    const double *srow = S->data + i * S->tda;
    double *restrict orow = out->data + i * out->tda;
    memset(orow, 0, c * sizeof *orow);
    for (size_t e = P->start[i]; e < P->start[i + 1]; e++) {
      double v = srow[P->col[e]];
      if (v == 0) continue;
      const double *restrict drow = D->data + P->col[e] * D->tda;
      for (size_t l = 0; l < c; l++) orow[l] += v * drow[l];
    }
  }
}

/* out = src' over out's pattern P; out's other entries keep their zeros. */
static void pattern_transpose(const pattern_t *P, const gsl_matrix *src, gsl_matrix *out) {
  for (size_t i = 0; i < out->size1; i++)
    for (size_t e = P->start[i]; e < P->start[i + 1]; e++)
      out->data[i * out->tda + P->col[e]] = src->data[P->col[e] * src->tda + i];
}

/* out = S x over the entries of S in pattern P: the sums of BLAS's dgemv (in the same
   order; of its transposed case when S is a transpose) without the zero terms.  P
   without a pattern: dgemv. */
static void pattern_mul_vector(const pattern_t *P, const gsl_matrix *S, const gsl_vector *x, gsl_vector *out) {
  if (!P->start) {
    gsl_blas_dgemv(CblasNoTrans, 1.0, S, x, 0.0, out);
    return;
  }
  for (size_t i = 0; i < S->size1; i++) {
    const double *srow = S->data + i * S->tda;
    double t = 0;
    for (size_t e = P->start[i]; e < P->start[i + 1]; e++) t += srow[P->col[e]] * x->data[P->col[e] * x->stride];
    out->data[i * out->stride] = t;
  }
}

static int all_zero(const gsl_matrix *M) {
  for (size_t i = 0; i < M->size1; i++)
    for (size_t j = 0; j < M->size2; j++)
      if (M->data[i * M->tda + j] != 0) return 0;
  return 1;
}

/* B = (I - A)^-1 of paths with a cycle (acyclic ones take ram_forward): the finite series
   I + A + A^2 + ... where A's values happen to be nilpotent (a cycle's paths at 0, as at
   the start values), else an LU inverse.  (Where they are not, the series runs md + 1
   terms before the LU: kept because it decides which of the two sums the start sees.) */
static int ram_inverse(sem_ws_t *ws, group_ws_t *w) {
  size_t md = ws->mdim;
  gsl_matrix *P = w->M, *Pn = w->N; /* free scratch until group_objective */
  gsl_matrix_set_identity(w->B);
  mat_copy(P, w->A);
  for (size_t it = 0; it <= md; it++) {
    if (all_zero(P)) return 0;
    for (size_t i = 0; i < md; i++) {
      double *b = w->B->data + i * w->B->tda;
      const double *q = P->data + i * P->tda;
      for (size_t j = 0; j < md; j++) b[j] += q[j];
    }
    sparse_left_mul(w->A, P, Pn);
    gsl_matrix *t = P;
    P = Pn;
    Pn = t;
  }
  /* a cycle (non-recursive model) */
  gsl_matrix_view IA = gsl_matrix_submatrix(w->L, 0, 0, md, md);
  gsl_matrix_set_identity(&IA.matrix);
  gsl_matrix_sub(&IA.matrix, w->A);
  int sgn;
  if (gsl_linalg_LU_decomp(&IA.matrix, w->perm, &sgn) != GSL_SUCCESS) return -1;
  for (size_t i = 0; i < md; i++)
    if (gsl_matrix_get(&IA.matrix, i, i) == 0) return -1;
  return gsl_linalg_LU_invert(&IA.matrix, w->perm, w->B) == GSL_SUCCESS ? 0 : -1;
}

/*
 * B = (I - A)^-1 of acyclic paths by forward substitution, B = I + A B, row by row in
 * the topological order: a variable's row is its own unit row plus its parents' rows
 * times the paths, O(paths x md) instead of the series' md x md products.  Where
 * variables are joined by one path at most (a measurement model with a chain of
 * regressions) every entry is the same product of paths in the same order as the
 * series' terms, so B is the series' to the bit.
 */
static void ram_forward(const sem_ws_t *ws, group_ws_t *w) {
  size_t md = ws->mdim;
  for (size_t t = 0; t < md; t++) {
    size_t i = w->topo[t];
    double *restrict b = w->B->data + i * w->B->tda;
    memset(b, 0, md * sizeof *b);
    b[i] = 1;
    for (size_t k = w->par_start[i]; k < w->par_start[i + 1]; k++) {
      size_t j = w->par[k];
      double a = w->A->data[i * w->A->tda + j];
      if (a == 0) continue;
      /* over the parent's row pattern only: its other entries are zeros */
      const double *restrict bj = w->B->data + j * w->B->tda;
      const pattern_t *P = &w->pat_B;
      for (size_t e = P->start[j]; e < P->start[j + 1]; e++) b[P->col[e]] += a * bj[P->col[e]];
    }
  }
}

/* Below this ratio of a residual variance to its implied variance the dense path: Sigma
   is then ill-conditioned and the two paths' gradients part like eps (Sigma_ii/theta_i)^2
   (1e-13 at a ratio of 0.05, 2e-12 at 0.012, 1.3e-10 at 0.0015; test_sem_fit's
   lowrank_falls_back), so the low-rank form keeps to where it agrees to ~1e-12. */
#define LOWRANK_MIN_UNIQUE 1e-2

/*
 * SigInv and log|Sigma| of a factor-structured group by Woodbury's identity:
 * Sigma = Theta + L Psi L' = D^-1 (I + U U') D^-1 with D = Theta^-1/2, U = D L R,
 * Psi = R R', so with I + U'U = Lk Lk' and V = U Lk^-T
 *   SigInv = D (I - V V') D,  log|Sigma| = log|Theta| + 2 log|Lk|,
 * O(p^2 q) instead of the dense Cholesky and inverse's O(p^3).  Returns 1 (the dense
 * path applies) when a residual variance is not clearly positive (LOWRANK_MIN_UNIQUE)
 * or Psi is not positive definite.
 */
static int lowrank_inverse(sem_ws_t *ws, group_ws_t *w) {
  size_t p = ws->p, q = ws->q;
  double logdet = 0;
  for (size_t i = 0; i < p; i++) {
    double th = gsl_matrix_get(w->Smat, i, i);
    if (!(th > 0) || !(th >= LOWRANK_MIN_UNIQUE * gsl_matrix_get(w->Sigma, i, i))) return 1;
    gsl_vector_set(w->dinv, i, 1 / sqrt(th));
    logdet += log(th);
  }
  gsl_matrix_const_view Psi = gsl_matrix_const_submatrix(w->Smat, p, p, q, q);
  mat_copy(w->Rq, &Psi.matrix);
  if (gsl_linalg_cholesky_decomp1(w->Rq) != GSL_SUCCESS) return 1;
  gsl_matrix_const_view L = gsl_matrix_const_submatrix(w->FB, 0, p, p, q);
  mat_copy(w->Vq, &L.matrix);
  gsl_blas_dtrmm(CblasRight, CblasLower, CblasNoTrans, CblasNonUnit, 1.0, w->Rq, w->Vq); /* L R */
  for (size_t i = 0; i < p; i++) {
    gsl_vector_view row = gsl_matrix_row(w->Vq, i);
    gsl_vector_scale(&row.vector, gsl_vector_get(w->dinv, i));
  }
  /* I + U'U = Lk Lk' */
  gsl_blas_dsyrk(CblasLower, CblasTrans, 1.0, w->Vq, 0.0, w->Gq);
  for (size_t k = 0; k < q; k++) w->Gq->data[k * w->Gq->tda + k] += 1;
  if (gsl_linalg_cholesky_decomp1(w->Gq) != GSL_SUCCESS) return 1;
  for (size_t k = 0; k < q; k++) logdet += 2 * log(gsl_matrix_get(w->Gq, k, k));
  gsl_blas_dtrsm(CblasRight, CblasLower, CblasTrans, CblasNonUnit, 1.0, w->Gq, w->Vq);
  /* SigInv = D (I - V V') D, both triangles.  V V' as q rank-1 updates (dsyr): GSL's
     reference dsyrk forms each entry as a latency-bound dot product of length q (with
     dsyr2 below for dsyr2k: 12.8 -> 11.4 us per big24 group evaluation). */
  gsl_matrix_set_zero(w->SigInv);
  for (size_t k = 0; k < q; k++) {
    gsl_vector_view vk = gsl_matrix_column(w->Vq, k);
    gsl_blas_dsyr(CblasLower, -1.0, &vk.vector, w->SigInv);
  }
  const double *d = w->dinv->data;
  for (size_t i = 0; i < p; i++)
    for (size_t j = 0; j <= i; j++) {
      double *e = w->SigInv->data + i * w->SigInv->tda + j;
      double o = d[i] * d[j] * ((i == j) + *e);
      *e = o;
      w->SigInv->data[j * w->SigInv->tda + i] = o;
    }
  w->logdetSig = logdet;
  return 0;
}

/* Implied moments of group w; returns -1 when Sigma is not positive definite. */
static int implied(sem_ws_t *ws, group_ws_t *w) {
  size_t md = ws->mdim, p = ws->p;
  w->lowrank = 0;
  if (w->acyclic) ram_forward(ws, w);
  else if (ram_inverse(ws, w)) return -1;
  gsl_matrix_const_view FB = gsl_matrix_const_submatrix(w->B, 0, 0, p, md);
  mat_copy(w->FB, &FB.matrix);
  if (w->pat_FBt.start) pattern_transpose(&w->pat_FBt, w->FB, w->FBt);
  else mat_transpose_copy(w->FBt, w->FB);
  /* BSFt = B S FB' (md x p); Sigma = FB S FB' = its first p rows */
  gsl_matrix_view SFt = gsl_matrix_submatrix(w->M, 0, 0, md, p);
  pattern_left_mul(&w->pat_S, w->Smat, w->FBt, &SFt.matrix);
  pattern_left_mul(&w->pat_B, w->B, &SFt.matrix, w->BSFt);
  gsl_matrix_const_view Sg = gsl_matrix_const_submatrix(w->BSFt, 0, 0, p, p);
  mat_copy(w->Sigma, &Sg.matrix);
  /* symmetrise against rounding */
  double *sg = w->Sigma->data;
  size_t ts = w->Sigma->tda;
  for (size_t i = 0; i < p; i++)
    for (size_t j = 0; j < i; j++) sg[i * ts + j] = sg[j * ts + i] = 0.5 * (sg[i * ts + j] + sg[j * ts + i]);
  pattern_mul_vector(&w->pat_B, w->B, w->m, w->Bm);
  gsl_vector_const_view mu = gsl_vector_const_subvector(w->Bm, 0, p);
  gsl_vector_memcpy(w->mu, &mu.vector);
  if (ws->lowrank && w->factor_form && !ws->disc.group_value && !lowrank_inverse(ws, w)) {
    w->lowrank = 1;
    return 0;
  }
  /* Cholesky of Sigma, inverse, log determinant */
  gsl_matrix_view Lp = gsl_matrix_submatrix(w->L, 0, 0, p, p);
  if (chol_logdet(w->Sigma, &Lp.matrix, &w->logdetSig)) return -1;
  mat_copy(w->SigInv, &Lp.matrix);
  if (gsl_linalg_cholesky_invert(w->SigInv) != GSL_SUCCESS) return -1;
  return 0;
}

/* Are the matrices of every group those of x already? */
static int implied_at(const sem_ws_t *ws, const double *x) {
  return ws->implied_valid && !memcmp(x, ws->x_implied, ws->npar * sizeof *x);
}

/* Model matrices and implied moments of every group at x (-1: a Sigma is not positive
   definite, *bad its group); nothing to do when they are those of x already. */
static int implied_all(sem_ws_t *ws, const double *x, size_t *bad) {
  if (implied_at(ws, x)) return 0;
  ws->implied_valid = 0;
  fill_matrices(ws, x);
  for (size_t g = 0; g < ws->G; g++)
    if (implied(ws, &ws->g[g])) {
      *bad = g;
      return -1;
    }
  memcpy(ws->x_implied, x, ws->npar * sizeof *x);
  ws->implied_valid = 1;
  return 0;
}

/* Model matrices at x and the implied moments of group g alone (the others are stale). */
static int implied_one(sem_ws_t *ws, const double *x, size_t g) {
  if (implied_at(ws, x)) return 0;
  ws->implied_valid = 0;
  fill_matrices(ws, x);
  return implied(ws, &ws->g[g]);
}

/*
 * Omega = W - W S W - v v' (W = SigInv) of the low-rank form in O(p^2 q): with
 * P = I - V V' (W = D P D), S~ = D S D, T = S~ V and G = V'T,
 *   P - P S~ P = I - S~ + V Z' + Z V',  Z = T - V (G + I) / 2,
 * a rank-2q update instead of the dense path's two p^3 products.
 */
static void lowrank_omega(sem_ws_t *ws, group_ws_t *w) {
  size_t p = ws->p, q = ws->q;
  const double *d = w->dinv->data;
  mat_copy(w->Zq, w->Vq);
  for (size_t i = 0; i < p; i++) {
    gsl_vector_view row = gsl_matrix_row(w->Zq, i);
    gsl_vector_scale(&row.vector, d[i]);
  }
  /* T' = (D V)' S D (q x p: GSL's dgemm forms V'S by rows of S, its dsymm S V by dot
     products of length q), G/2 = T'V/2, Z' = T' - (G + I)/2 V' */
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, w->Zq, w->S, 0.0, w->Tq);
  for (size_t k = 0; k < q; k++) {
    double *row = w->Tq->data + k * w->Tq->tda;
    for (size_t j = 0; j < p; j++) row[j] *= d[j];
  }
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 0.5, w->Tq, w->Vq, 0.0, w->Rq);
  for (size_t k = 0; k < q; k++) w->Rq->data[k * w->Rq->tda + k] += 0.5;
  gsl_blas_dgemm(CblasNoTrans, CblasTrans, -1.0, w->Rq, w->Vq, 1.0, w->Tq);
  gsl_matrix_set_zero(w->Omega); /* V Z' + Z V' as q rank-2 updates (dsyr2, as dsyr above) */
  for (size_t k = 0; k < q; k++) {
    gsl_vector_view vk = gsl_matrix_column(w->Vq, k), zk = gsl_matrix_row(w->Tq, k);
    gsl_blas_dsyr2(CblasLower, 1.0, &vk.vector, &zk.vector, w->Omega);
  }
  const double *v = w->v->data;
  for (size_t i = 0; i < p; i++) {
    const double *srow = w->S->data + i * w->S->tda;
    for (size_t j = 0; j <= i; j++) {
      double *e = w->Omega->data + i * w->Omega->tda + j;
      double o = d[i] * d[j] * ((i == j) + *e - srow[j] * d[i] * d[j]) - v[i] * v[j];
      *e = o;
      w->Omega->data[j * w->Omega->tda + i] = o;
    }
  }
}

/* ML's F_g from the sample moments and, if want_grad, Omega = 2 dF_g/dSigma and v = -dF_g/dmu. */
static double ml_group_value(sem_ws_t *ws, group_ws_t *w, int want_grad) {
  size_t p = ws->p;
  int ms = ws->model->meanstructure;
  double trSSi = 0;
  for (size_t i = 0; i < p; i++) {
    const double *srow = w->S->data + i * w->S->tda, *irow = w->SigInv->data + i * w->SigInv->tda;
    for (size_t j = 0; j < p; j++) trSSi += srow[j] * irow[j]; /* both symmetric */
  }
  double quad = 0;
  if (ms) {
    gsl_vector_memcpy(w->d, w->ybar);
    gsl_vector_sub(w->d, w->mu);
    gsl_blas_dsymv(CblasLower, 1.0, w->SigInv, w->d, 0.0, w->v);
    gsl_blas_ddot(w->d, w->v, &quad);
  } else {
    gsl_vector_set_zero(w->d);
    gsl_vector_set_zero(w->v);
  }
  double Fg = 0.5 * (w->logdetSig + trSSi - w->logdetS - (double)p + quad);
  if (!want_grad) return Fg;
  if (w->lowrank) {
    lowrank_omega(ws, w);
    return Fg;
  }
  /* Omega = SigInv - SigInv (S + d d') SigInv */
  gsl_matrix_view Tp = gsl_matrix_submatrix(w->tmp_pm, 0, 0, p, p);
  gsl_blas_dsymm(CblasLeft, CblasLower, 1.0, w->SigInv, w->S, 0.0, &Tp.matrix);
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &Tp.matrix, w->SigInv, 0.0, w->Omega);
  for (size_t i = 0; i < p; i++)
    for (size_t j = 0; j < p; j++) {
      double o = gsl_matrix_get(w->SigInv, i, j) - gsl_matrix_get(w->Omega, i, j) -
                 gsl_vector_get(w->v, i) * gsl_vector_get(w->v, j);
      gsl_matrix_set(w->Omega, i, j, o);
    }
  return Fg;
}

/* F_g and, if want_grad, the matrices M, N and vector u for the gradient. */
static double group_objective(sem_ws_t *ws, group_ws_t *w, int want_grad) {
  if (ws->disc.group_value)
    w->Fg = ws->disc.group_value(ws->disc.ctx, (size_t)(w - ws->g), w->Sigma, w->SigInv, w->logdetSig,
                                 w->mu, want_grad, w->Omega, w->v);
  else
    w->Fg = ml_group_value(ws, w, want_grad);
  if (!want_grad || !isfinite(w->Fg)) return w->Fg;
  /* Wt = FB' Omega (md x p), W = Omega FB; N = FB' Omega FB; M = BSFt Omega FB = B S N */
  pattern_left_mul(&w->pat_FBt, w->FBt, w->Omega, w->Wt);
  mat_transpose_copy(w->tmp_pm, w->Wt);
  pattern_left_mul(&w->pat_FBt, w->FBt, w->tmp_pm, w->N);
  /* M's rows of the paths' sources only (the others are zero): no other row is read */
  pattern_left_mul(&w->pat_Sneed, w->Smat, w->N, w->SN);
  pattern_left_mul(&w->pat_Bsrc, w->B, w->SN, w->M);
  /* u = FB' v */
  if (w->pat_FBt.start) pattern_mul_vector(&w->pat_FBt, w->FBt, w->v, w->u);
  else gsl_blas_dgemv(CblasTrans, 1.0, w->FB, w->v, 0.0, w->u);
  return w->Fg;
}

double sem_ws_objective(sem_ws_t *ws, const double *x, double *grad) {
  ws->evals++;
  ws->grad_valid = 0;
  int cached = implied_at(ws, x);
  if (!cached) {
    ws->implied_valid = 0;
    fill_matrices(ws, x);
  }
  double F = 0;
  for (size_t g = 0; g < ws->G; g++) {
    group_ws_t *w = &ws->g[g];
    if (ws->only && !ws->only[g]) continue;
    if (!cached && implied(ws, w)) return HUGE_VAL;
    F += (w->nobs / ws->ntotal) * group_objective(ws, w, grad != NULL);
  }
  if (!cached && !ws->only) {
    memcpy(ws->x_implied, x, ws->npar * sizeof *x);
    ws->implied_valid = 1;
  }
  if (!grad) return F;
  ws->grad_valid = !ws->only && ws->implied_valid && isfinite(F);
  memset(grad, 0, ws->npar * sizeof *grad);
  const vagap_sem_model_t *m = ws->model;
  for (size_t r = 0; r < m->nrows; r++) {
    const vagap_sem_param_t *row = &m->rows[r];
    if (!row->free || ws->row_mat[r] == MAT_NONE) continue;
    if (ws->only && !ws->only[row->group - 1]) continue;
    group_ws_t *w = &ws->g[row->group - 1];
    double wt = w->nobs / ws->ntotal;
    size_t i = ws->row_i[r], j = ws->row_j[r];
    double gr = 0; /* raw reads: the indices are the model's, checked when it was built */
    if (ws->row_mat[r] == MAT_A)
      gr = w->M->data[j * w->M->tda + i] - w->u->data[i] * w->Bm->data[j];
    else if (ws->row_mat[r] == MAT_S)
      gr = i == j ? 0.5 * w->N->data[i * w->N->tda + i] : w->N->data[i * w->N->tda + j];
    else
      gr = -w->u->data[i];
    grad[row->free - 1] += wt * gr;
  }
  return F;
}

/* ---- starting values --------------------------------------------------------- */

/*
 * Variance of latent `f` from its marker r and the other observed indicators
 * k: cov(r, k) = lambda_k var(f), averaged over k with the loadings' start
 * values; lavaan's 0.05 when that is not available or not positive.
 */
static double latent_variance_start(const sem_ws_t *ws, const group_ws_t *w, int group, size_t f,
                                    const double *x) {
  const vagap_sem_model_t *m = ws->model;
  size_t p = ws->p, marker = (size_t)-1, count = 0;
  double sum = 0;
  for (size_t e = ws->grows_start[group - 1]; e < ws->grows_start[group]; e++) {
    size_t r = ws->grows[e];
    const vagap_sem_param_t *row = &m->rows[r];
    if (row->op != VAGAP_SEM_LOADING || row->group != group || ws->row_j[r] != f || ws->row_i[r] >= p)
      continue;
    if (marker == (size_t)-1) {
      if (row->free) return 0.05; /* no marker (std.lv or freed): keep lavaan's value */
      marker = ws->row_i[r];
      continue;
    }
    double lam = row->free ? x[row->free - 1] : row->ustart;
    if (!(fabs(lam) > 1e-3) || !isfinite(lam)) continue;
    sum += gsl_matrix_get(w->S, marker, ws->row_i[r]) / lam;
    count++;
  }
  double v = count ? sum / (double)count : 0;
  return v > 0.05 ? v : 0.05;
}

void sem_ws_start(sem_ws_t *ws, double *x, int plain) {
  const vagap_sem_model_t *m = ws->model;
  size_t p = ws->p;
  for (size_t k = 0; k < ws->npar; k++) x[k] = NAN;
  for (size_t r = 0; r < m->nrows; r++) {
    const vagap_sem_param_t *row = &m->rows[r];
    if (!row->free || !isnan(x[row->free - 1])) continue;
    group_ws_t *w = &ws->g[row->group - 1];
    size_t i = ws->row_i[r], j = ws->row_j[r];
    double v = 0;
    switch (row->op) {
      case VAGAP_SEM_LOADING: {
        /* fabin-like: loading of i relative to the latent's first indicator, via a third one */
        v = 1.0;
        if (m->std_lv) { v = i < p ? sqrt(0.5 * gsl_matrix_get(w->S, i, i)) : 1.0; break; }
        size_t first = (size_t)-1, third = (size_t)-1;
        for (size_t e = ws->grows_start[row->group - 1]; e < ws->grows_start[row->group]; e++) {
          size_t k = ws->grows[e];
          const vagap_sem_param_t *o = &m->rows[k];
          if (o->op != VAGAP_SEM_LOADING || o->group != row->group || ws->row_j[k] != j) continue;
          size_t ind = ws->row_i[k];
          if (ind >= p) continue;
          if (first == (size_t)-1) first = ind;
          else if (ind != i && third == (size_t)-1 && ind != first) third = ind;
        }
        if (i < p && first != (size_t)-1 && first != i && third != (size_t)-1) {
          double num = gsl_matrix_get(w->S, i, third), den = gsl_matrix_get(w->S, first, third);
          if (fabs(den) > 1e-8 && isfinite(num / den) && fabs(num / den) < 10) v = num / den;
        }
        break;
      }
      case VAGAP_SEM_REGRESSION: v = 0; break;
      case VAGAP_SEM_COVARIANCE:
        if (i == j && i >= p) v = plain ? 0.05 : latent_variance_start(ws, w, row->group, i, x);
        else if (i == j) v = 0.5 * gsl_matrix_get(w->S, i, i);
        else if (i < p && j < p && m->ov_exo[i] && m->ov_exo[j]) v = gsl_matrix_get(w->S, i, j);
        else v = 0;
        if (i == j && i < p && m->ov_exo[i]) v = gsl_matrix_get(w->S, i, i);
        break;
      case VAGAP_SEM_INTERCEPT: v = i < p ? gsl_vector_get(w->ybar, i) : 0; break;
      default: break;
    }
    x[row->free - 1] = v;
  }
  for (size_t k = 0; k < ws->npar; k++)
    if (isnan(x[k])) x[k] = 0;
  /* [constraints hook] the user's start() / v?x values (lavaan's ustart of a
     free row) replace the computed ones; the first row of a shared parameter wins */
  for (size_t r = m->nrows; r-- > 0;) {
    const vagap_sem_param_t *row = &m->rows[r];
    if (row->free && row->op != VAGAP_SEM_DEFINED && isfinite(row->ustart)) x[row->free - 1] = row->ustart;
  }
}

/* ---- expected information ------------------------------------------------------- */

/*
 * Every parameter-table row moves Sigma by a symmetric rank-2 matrix
 *   dSigma_r = alpha_r (x y' + y x'),
 * where x, y are columns of FB ("F" vectors) or of BSFt' ("S" vectors):
 *   A[i][j] (loading/regression):  x = FB[:,i], y = BSFt[j,:]', alpha = 1
 *   S[i][j], i != j:               x = FB[:,i], y = FB[:,j],   alpha = 1
 *   S[i][i]:                       x = y = FB[:,i],           alpha = 1/2
 * and mu by dmu_r = c_r FB[:,i] (A[i][j]: c = (Bm)_j; m[i]: c = 1).  Hence
 *   tr(SigInv dSig_r SigInv dSig_s)
 *     = 2 alpha_r alpha_s [<x_r,x_s> <y_r,y_s> + <x_r,y_s> <y_r,x_s>]
 * with <u,v> = u' SigInv v read from three m x m Gram matrices, so the
 * information costs O(m^2 p) plus O(1) per pair of rows instead of O(p^3)
 * per parameter.
 */
typedef sem_rank2_t rank2_t; /* sem_internal.h */

static rank2_t row_rank2(const sem_ws_t *ws, const group_ws_t *w, size_t r) {
  rank2_t t = {0, 0, 0, 0, 0, 0, 0};
  size_t i = ws->row_i[r], j = ws->row_j[r];
  int ms = ws->model->meanstructure;
  switch (ws->row_mat[r]) {
    case MAT_A:
      t = (rank2_t){0, 1, i, j, 1.0, i, ms ? gsl_vector_get(w->Bm, j) : 0};
      break;
    case MAT_S: t = (rank2_t){0, 0, i, j, i == j ? 0.5 : 1.0, 0, 0}; break;
    case MAT_M: t = (rank2_t){0, 0, 0, 0, 0, i, ms ? 1.0 : 0}; break;
    default: break;
  }
  return t;
}

int sem_ws_grad_at(sem_ws_t *ws, const double *x) {
  if (!ws->grad_valid || !implied_at(ws, x)) return 0;
  ws->evals++; /* in place of the evaluation it spares: budgets and iteration counts as before */
  return 1;
}

sem_rank2_t sem_ws_row_rank2(const sem_ws_t *ws, size_t g, size_t r) { return row_rank2(ws, &ws->g[g], r); }

int sem_ws_ram(const sem_ws_t *ws, size_t g, sem_ram_t *out) {
  if (ws->disc.group_value) return -1;
  const group_ws_t *w = &ws->g[g];
  *out = (sem_ram_t){ws->p, ws->mdim, w->nobs / ws->ntotal, w->FB, w->BSFt, w->B, w->Smat, w->SigInv, w->S,
                     w->M, w->N, w->Bm, w->u, w->v, w->d, ws->row_mat, ws->row_i, ws->row_j};
  return 0;
}

static double gram(const gsl_matrix *const G[2][2], int ta, size_t ia, int tb, size_t ib) {
  const gsl_matrix *M = G[ta][tb];
  return M->data[ia * M->tda + ib];
}

/*
 * The information's block layout.  A parameter that belongs to one group only
 * touches that group's moments, so the information is block diagonal in those;
 * parameters shared by groups (equality constraints) couple the blocks.  The
 * shared ones come first (order[0 .. s)), then group g's own ones
 * (order[start[g] .. start[g + 1])), each list in increasing parameter index.
 * Made once per workspace (it depends on the model only), with room for the
 * information in that layout.  -1: out of memory.
 */
static int block_layout(sem_ws_t *ws) {
  if (ws->bf_order) return 0;
  size_t K = ws->npar, G = ws->G;
  size_t *order = malloc((K ? K : 1) * sizeof *order), *start = calloc(G + 1, sizeof *start);
  size_t *owner = malloc((K ? K : 1) * sizeof *owner), *pos = malloc((K ? K : 1) * sizeof *pos);
  ws->bi_sg = calloc(G ? G : 1, sizeof *ws->bi_sg);
  ws->bi_gg = calloc(G ? G : 1, sizeof *ws->bi_gg);
  const vagap_sem_model_t *m = ws->model;
  if (!order || !start || !owner || !pos || !ws->bi_sg || !ws->bi_gg) {
    free(order); free(start); free(owner); free(pos);
    return -1;
  }
  for (size_t k = 0; k < K; k++) owner[k] = (size_t)-1;
  for (size_t r = 0; r < m->nrows; r++) {
    const vagap_sem_param_t *row = &m->rows[r];
    if (!row->free || ws->row_mat[r] == MAT_NONE) continue;
    size_t k = row->free - 1, g = (size_t)row->group - 1;
    if (owner[k] == (size_t)-1) owner[k] = g;
    else if (owner[k] != g) owner[k] = G;
  }
  size_t n = 0;
  for (size_t k = 0; k < K; k++)
    if (owner[k] == G || owner[k] == (size_t)-1) {
      owner[k] = G;
      pos[k] = n;
      order[n++] = k;
    }
  size_t s = n;
  for (size_t g = 0; g < G; g++) {
    start[g] = n;
    for (size_t k = 0; k < K; k++)
      if (owner[k] == g) {
        pos[k] = n - start[g];
        order[n++] = k;
      }
  }
  start[G] = n;
  ws->bf_order = order;
  ws->bf_start = start;
  ws->bf_owner = owner;
  ws->bf_pos = pos;
  ws->bf_s = s;
  if (!(ws->bi_ss = malloc((s ? s * s : 1) * sizeof *ws->bi_ss))) return -1;
  for (size_t g = 0; g < G; g++) {
    size_t ng = start[g + 1] - start[g];
    ws->bi_sg[g] = malloc((s * ng > 0 ? s * ng : 1) * sizeof **ws->bi_sg);
    ws->bi_gg[g] = malloc((ng ? ng * ng : 1) * sizeof **ws->bi_gg);
    if (!ws->bi_sg[g] || !ws->bi_gg[g]) return -1;
  }
  return 0;
}

static size_t block_size(const sem_ws_t *ws, size_t g) { return ws->bf_start[g + 1] - ws->bf_start[g]; }

/* Clear the stored blocks of the information (O(their size), not npar x npar). */
static void blocks_zero(sem_ws_t *ws) {
  size_t s = ws->bf_s;
  memset(ws->bi_ss, 0, s * s * sizeof *ws->bi_ss);
  for (size_t g = 0; g < ws->G; g++) {
    size_t ng = block_size(ws, g);
    memset(ws->bi_sg[g], 0, s * ng * sizeof **ws->bi_sg);
    memset(ws->bi_gg[g], 0, ng * ng * sizeof **ws->bi_gg);
  }
}

/* The stored entry (a, b) of the information: both parameters shared, or of one group
   (at least one of them; a shared and an own parameter share the entry of (own, shared)
   and (shared, own), which the dense matrix holds twice with the same value). */
static double *block_entry(const sem_ws_t *ws, size_t a, size_t b) {
  size_t G = ws->G, oa = ws->bf_owner[a], ob = ws->bf_owner[b], s = ws->bf_s;
  size_t pa = ws->bf_pos[a], pb = ws->bf_pos[b];
  if (oa == G && ob == G) return ws->bi_ss + pa * s + pb;
  if (oa == G) return ws->bi_sg[ob] + pa * block_size(ws, ob) + pb;
  if (ob == G) return ws->bi_sg[oa] + pb * block_size(ws, oa) + pa;
  return ws->bi_gg[oa] + pa * block_size(ws, oa) + pb;
}

/* Information entry (a, b), 0 where no block stores it. */
static double block_value(const sem_ws_t *ws, size_t a, size_t b) {
  size_t G = ws->G, oa = ws->bf_owner[a], ob = ws->bf_owner[b];
  if (oa != G && ob != G && oa != ob) return 0;
  return *block_entry(ws, a, b);
}

double sem_ws_info_entry(const sem_ws_t *ws, size_t a, size_t b) { return block_value(ws, a, b); }

/* [hessian hook] the information's blocks filled entry by entry (sem_hessian.c) */
int sem_ws_info_clear(sem_ws_t *ws) {
  if (block_layout(ws)) return -1;
  blocks_zero(ws);
  return 0;
}

void sem_ws_info_add(sem_ws_t *ws, size_t a, size_t b, double v, int mirror) {
  *block_entry(ws, a, b) += v;
  /* a (shared, own) pair is one stored entry */
  if (mirror && (ws->bf_owner[a] == ws->G) == (ws->bf_owner[b] == ws->G)) *block_entry(ws, b, a) += v;
}

void sem_ws_info_add_lower(sem_ws_t *ws, const size_t *k, size_t n, const double *V) {
  size_t G = ws->G, g = n ? ws->bf_owner[k[0]] : G;
  for (size_t a = 0; a < n && g != G; a++)
    if (ws->bf_owner[k[a]] != g) g = G;
  if (g == G) { /* shared parameters among them: entry by entry */
    for (size_t a = 0; a < n; a++)
      for (size_t b = 0; b <= a; b++) sem_ws_info_add(ws, k[a], k[b], V[a * n + b], a != b);
    return;
  }
  /* one group's own parameters: straight into its block (the same additions in the same order) */
  double *blk = ws->bi_gg[g];
  size_t nb = block_size(ws, g);
  const size_t *pos = ws->bf_pos;
  for (size_t a = 0; a < n; a++) {
    size_t pa = pos[k[a]];
    const double *va = V + a * n;
    for (size_t b = 0; b < a; b++) {
      size_t pb = pos[k[b]];
      blk[pa * nb + pb] += va[b];
      blk[pb * nb + pa] += va[b];
    }
    blk[pa * nb + pa] += va[a];
  }
}

/* The dense npar x npar information from the blocks. */
static void blocks_to_dense(const sem_ws_t *ws, gsl_matrix *info) {
  size_t K = ws->npar, G = ws->G;
  gsl_matrix_set_zero(info);
  for (size_t a = 0; a < K; a++) {
    double *row = info->data + a * info->tda;
    size_t oa = ws->bf_owner[a];
    for (size_t b = 0; b < K; b++) {
      size_t ob = ws->bf_owner[b];
      if (oa == G || ob == G || oa == ob) row[b] = *block_entry(ws, a, b);
    }
  }
}

/* The blocks from a dense information (another estimator's, or the Hessian): the entries
   block_factor reads, (shared, own) for the coupling. */
static void blocks_from_dense(sem_ws_t *ws, const gsl_matrix *info) {
  size_t s = ws->bf_s;
  const size_t *order = ws->bf_order;
  for (size_t a = 0; a < s; a++)
    for (size_t b = 0; b < s; b++) ws->bi_ss[a * s + b] = gsl_matrix_get(info, order[a], order[b]);
  for (size_t g = 0; g < ws->G; g++) {
    const size_t *own = order + ws->bf_start[g];
    size_t ng = block_size(ws, g);
    for (size_t a = 0; a < s; a++)
      for (size_t b = 0; b < ng; b++) ws->bi_sg[g][a * ng + b] = gsl_matrix_get(info, order[a], own[b]);
    for (size_t a = 0; a < ng; a++)
      for (size_t b = 0; b < ng; b++) ws->bi_gg[g][a * ng + b] = gsl_matrix_get(info, own[a], own[b]);
  }
}

/*
 * The expected information sum_g n_g/N [dmu' SigInv dmu + 1/2 tr(SigInv dSig SigInv dSig)]
 * at x into the blocks (block_layout): each group adds to the pairs of its free
 * parameters only.  The sums run in the order of the dense matrix's (groups in turn,
 * rows in turn), so every entry is the same to the last bit.
 */
static vagap_status_t information_blocks(sem_ws_t *ws, const double *x, vagap_error_t *err) {
  size_t p = ws->p, md = ws->mdim, nr = ws->model->nrows;
  const vagap_sem_param_t *rows = ws->model->rows;
  size_t bad = 0;
  int not_pd = implied_all(ws, x, &bad);
  if (!ws->info_U) { /* once per workspace: Fisher scoring calls this at every step */
    ws->info_U = gsl_matrix_alloc(p, md);
    ws->info_V = gsl_matrix_alloc(p, md);
    for (int k = 0; k < 4; k++) ws->info_G[k] = gsl_matrix_alloc(md, md);
    ws->info_idx = malloc((nr ? nr : 1) * sizeof *ws->info_idx);
    ws->info_t = malloc((nr ? nr : 1) * sizeof(rank2_t));
  }
  gsl_matrix *U = ws->info_U, *V = ws->info_V;
  gsl_matrix *GFF = ws->info_G[0], *GFS = ws->info_G[1], *GSF = ws->info_G[2], *GSS = ws->info_G[3];
  size_t *idx = ws->info_idx;
  rank2_t *t = ws->info_t;
  if (!U || !V || !GFF || !GFS || !GSF || !GSS || !idx || !t || block_layout(ws))
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  blocks_zero(ws);
  const gsl_matrix *G[2][2] = {{GFF, GFS}, {GSF, GSS}};
  if (not_pd)
    return vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0,
                           "the implied covariance matrix of group '%s' is not positive definite at the solution",
                           ws->stats->group_label[bad]);
  for (size_t g = 0; g < ws->G; g++) {
    group_ws_t *w = &ws->g[g];
    double wt = w->nobs / ws->ntotal;
    /* U = SigInv FB, V = SigInv BSFt' ; Gram matrices */
    gsl_blas_dsymm(CblasLeft, CblasLower, 1.0, w->SigInv, w->FB, 0.0, U);
    mat_transpose_copy(V, w->BSFt); /* p x md = BSFt' */
    gsl_matrix_view Vt = gsl_matrix_view_array(w->tmp_pm->data, p, md);
    gsl_blas_dsymm(CblasLeft, CblasLower, 1.0, w->SigInv, V, 0.0, &Vt.matrix);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, w->FB, U, 0.0, GFF);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, w->FB, &Vt.matrix, 0.0, GFS);
    mat_transpose_copy(GSF, GFS);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, V, &Vt.matrix, 0.0, GSS);
    size_t n = 0;
    for (size_t e = ws->grows_start[g]; e < ws->grows_start[g + 1]; e++) { /* group g's rows only */
      size_t r = ws->grows[e];
      if (!rows[r].free || ws->row_mat[r] == MAT_NONE) continue;
      idx[n] = r;
      t[n++] = row_rank2(ws, w, r);
    }
    for (size_t a = 0; a < n; a++) {
      const rank2_t *ra = &t[a];
      size_t ka = rows[idx[a]].free - 1;
      for (size_t b = 0; b <= a; b++) {
        const rank2_t *rb = &t[b];
        /* a pair with neither a covariance nor a mean term adds +0 (e.g. an intercept and a
           loading): skipped, every sum stays the same */
        if ((ra->alpha == 0 || rb->alpha == 0) && (ra->mc == 0 || rb->mc == 0)) continue;
        size_t kb = rows[idx[b]].free - 1;
        double v = 0;
        if (ra->alpha != 0 && rb->alpha != 0) {
          double xx = gram(G, ra->xt, ra->xi, rb->xt, rb->xi), yy = gram(G, ra->yt, ra->yi, rb->yt, rb->yi);
          double xy = gram(G, ra->xt, ra->xi, rb->yt, rb->yi), yx = gram(G, ra->yt, ra->yi, rb->xt, rb->xi);
          v += ra->alpha * rb->alpha * (xx * yy + xy * yx); /* = 1/2 tr(...) */
        }
        if (ra->mc != 0 && rb->mc != 0) v += ra->mc * rb->mc * gsl_matrix_get(GFF, ra->mi, rb->mi);
        v *= wt;
        /* the dense matrix adds v at (ka, kb) and (kb, ka); a (shared, own) pair is one entry */
        *block_entry(ws, ka, kb) += v;
        int one_entry = (ws->bf_owner[ka] == ws->G) != (ws->bf_owner[kb] == ws->G);
        if (a != b && !one_entry) *block_entry(ws, kb, ka) += v;
      }
    }
  }
  return VAGAP_OK;
}

/* info (npar x npar) = the expected information at x (information_blocks), dense. */
static vagap_status_t expected_information(sem_ws_t *ws, const double *x, gsl_matrix *info,
                                           vagap_error_t *err) {
  vagap_status_t st = information_blocks(ws, x, err);
  if (!st) blocks_to_dense(ws, info);
  return st;
}

/* The parameters with a component of at least 0.1 in the unit vector `dir` (a null direction). */
static void name_parameters(const sem_ws_t *ws, const double *dir, size_t K, char *names, size_t size) {
  size_t o = 0;
  names[0] = 0;
  for (size_t k = 0; k < K && o + 80 < size; k++) {
    if (fabs(dir[k]) < 0.1) continue;
    for (size_t r = 0; r < ws->model->nrows; r++)
      if (ws->model->rows[r].free == k + 1) {
        const vagap_sem_param_t *row = &ws->model->rows[r];
        o += (size_t)snprintf(names + o, size - o, "%s%s%s%s (group %d)", o ? ", " : "", row->lhs,
                              vagap_sem_op_string(row->op), row->rhs, row->group);
        break;
      }
  }
}

vagap_status_t sem_ws_information(sem_ws_t *ws, const double *x, gsl_matrix *info, vagap_error_t *err) {
  return expected_information(ws, x, info, err);
}


void sem_ws_set_discrepancy(sem_ws_t *ws, const sem_discrepancy_t *d) {
  ws->grad_valid = 0; /* Omega and v are the discrepancy's */
  if (d) ws->disc = *d;
  else memset(&ws->disc, 0, sizeof ws->disc);
}

int sem_ws_implied(sem_ws_t *ws, const double *x, size_t g, const gsl_matrix **Sigma,
                   const gsl_vector **mu) {
  group_ws_t *w = &ws->g[g];
  if (implied_one(ws, x, g)) return -1;
  *Sigma = w->Sigma;
  *mu = w->mu;
  return 0;
}

/* Column i of FB (t = 0) or row i of BSFt (t = 1): the two kinds of rank-one factor. */
static double factor_at(const group_ws_t *w, int t, size_t i, size_t k) {
  return t ? gsl_matrix_get(w->BSFt, i, k) : gsl_matrix_get(w->FB, k, i);
}

/*
 * The Jacobian from the rank-two form of row_rank2: dSigma_r = alpha (x y' + y x'),
 * dmu_r = mc FB[:, mi]; rows sharing a free parameter add up.
 */
int sem_ws_jacobian(sem_ws_t *ws, const double *x, size_t g, double *dsigma, double *dmu) {
  size_t p = ws->p, K = ws->npar;
  memset(dsigma, 0, K * p * p * sizeof *dsigma);
  memset(dmu, 0, K * p * sizeof *dmu);
  group_ws_t *w = &ws->g[g];
  if (implied_one(ws, x, g)) return -1;
  const vagap_sem_param_t *rows = ws->model->rows;
  for (size_t r = 0; r < ws->model->nrows; r++) {
    if (!rows[r].free || (size_t)rows[r].group != g + 1 || ws->row_mat[r] == MAT_NONE) continue;
    size_t k = rows[r].free - 1;
    rank2_t t = row_rank2(ws, w, r);
    double *D = dsigma + k * p * p;
    if (t.alpha != 0)
      for (size_t a = 0; a < p; a++) {
        double xa = factor_at(w, t.xt, t.xi, a), ya = factor_at(w, t.yt, t.yi, a);
        for (size_t b = 0; b < p; b++)
          D[a * p + b] += t.alpha * (xa * factor_at(w, t.yt, t.yi, b) + ya * factor_at(w, t.xt, t.xi, b));
      }
    if (t.mc != 0)
      for (size_t a = 0; a < p; a++) dmu[k * p + a] += t.mc * gsl_matrix_get(w->FB, a, t.mi);
  }
  return 0;
}

/*
 * [robust hook] Casewise scores d log L_i / d theta of the normal likelihood
 * for group g's rows Y (n x p, model order) at x and mean mu: with
 * e = y - mu and u = Sigma^-1 e, a row's contribution is
 *   dmu_r' u + 1/2 (u' dSigma_r u - tr(Sigma^-1 dSigma_r)),
 * and from the rank-two form dSigma_r = alpha (a b' + b a') this is
 *   mc (FB' u)_mi + alpha ((a'u)(b'u) - a' Sigma^-1 b):
 * O(p^2 + m p) per row instead of O(K p^2).  Only the group's own
 * parameters have nonzero scores: sc holds those columns only (n x *k,
 * row-major; cols[c] the parameter of column c, increasing), which keeps the
 * meat's products at the group's size.  What depends on x and g only (the
 * rank-two forms, a' Sigma^-1 b, the sparsity of FB and B Smat) is made once
 * by sem_ws_scores_open, however many chunks of rows follow.
 */
struct sem_scores {
  const group_ws_t *w;
  size_t p, md, n;       /* n: the group's free rows */
  rank2_t *t;            /* per free row: its rank-two form */
  double *c;             /* per free row: a' Sigma^-1 b */
  size_t *col;           /* per free row: its column of sc */
  double *proj;          /* 2 md x cap, row f for FB' u (f < md), then B Smat FB' u, a
                            column per row of the chunk */
  double *U;             /* cap x p: the chunk's u = Sigma^-1 e, a row each */
  size_t cap;            /* rows of room in proj and U */
  gsl_vector *e;
  /* FB's nonzeros row by row (its columns of observed variables are unit vectors, a
     loading matrix is mostly zeros): FB' u adds only them, in dgemv's order */
  size_t *nz_start, *nz_col;
  /* BSFt u = (B Smat) (FB' u): B Smat is as sparse as B (Smat: variances, a few
     covariances), BSFt is dense */
  gsl_matrix *BS;
  size_t *bs_start, *bs_col;
};

void sem_ws_scores_close(sem_scores_t *s) {
  if (!s) return;
  free(s->t);
  free(s->c);
  free(s->col);
  free(s->proj);
  free(s->U);
  if (s->e) gsl_vector_free(s->e);
  free(s->nz_start);
  free(s->nz_col);
  if (s->BS) gsl_matrix_free(s->BS);
  free(s->bs_start);
  free(s->bs_col);
  free(s);
}

sem_scores_t *sem_ws_scores_open(sem_ws_t *ws, const double *x, size_t g, size_t *cols, size_t *ncols, int *rc) {
  size_t p = ws->p, md = ws->mdim, nr = ws->model->nrows, K = ws->npar;
  group_ws_t *w = &ws->g[g];
  *rc = 0;
  if (implied_one(ws, x, g)) {
    *rc = -1;
    return NULL;
  }
  const vagap_sem_param_t *rows = ws->model->rows;
  sem_scores_t *s = calloc(1, sizeof *s);
  size_t *col_of = malloc((K ? K : 1) * sizeof *col_of), *idx = malloc((nr ? nr : 1) * sizeof *idx);
  gsl_vector *wb = gsl_vector_alloc(p);
  if (s) {
    s->w = w;
    s->p = p;
    s->md = md;
    s->t = malloc((nr ? nr : 1) * sizeof *s->t);
    s->c = malloc((nr ? nr : 1) * sizeof *s->c);
    s->col = malloc((nr ? nr : 1) * sizeof *s->col);
    s->e = gsl_vector_alloc(p);
    s->nz_start = malloc((p + 1) * sizeof *s->nz_start);
    s->nz_col = malloc((p + 1) * (md + 1) * sizeof *s->nz_col);
    s->BS = gsl_matrix_alloc(md, md);
    s->bs_start = malloc((md + 1) * sizeof *s->bs_start);
    s->bs_col = malloc((md + 1) * (md + 1) * sizeof *s->bs_col);
  }
  if (!s || !col_of || !idx || !wb || !s->t || !s->c || !s->col || !s->e || !s->nz_start ||
      !s->nz_col || !s->BS || !s->bs_start || !s->bs_col) {
    *rc = -2;
    sem_ws_scores_close(s);
    s = NULL;
  }
  for (size_t a = 0, z = 0; s && a < p; a++) {
    s->nz_start[a] = z;
    for (size_t b = 0; b < md; b++)
      if (gsl_matrix_get(w->FB, a, b) != 0) s->nz_col[z++] = b;
    s->nz_start[a + 1] = z;
  }
  if (s) sparse_left_mul(w->B, w->Smat, s->BS);
  for (size_t a = 0, z = 0; s && a < md; a++) {
    s->bs_start[a] = z;
    for (size_t b = 0; b < md; b++)
      if (gsl_matrix_get(s->BS, a, b) != 0) s->bs_col[z++] = b;
    s->bs_start[a + 1] = z;
  }
  size_t n = 0;
  for (size_t r = 0; s && r < nr; r++) {
    if (!rows[r].free || (size_t)rows[r].group != g + 1 || ws->row_mat[r] == MAT_NONE) continue;
    idx[n] = r;
    rank2_t *t = &s->t[n];
    *t = row_rank2(ws, w, r);
    s->c[n] = 0;
    if (t->alpha != 0) { /* a' Sigma^-1 b */
      for (size_t k = 0; k < p; k++) gsl_vector_set(s->e, k, factor_at(w, t->yt, t->yi, k));
      gsl_blas_dsymv(CblasLower, 1.0, w->SigInv, s->e, 0.0, wb);
      for (size_t k = 0; k < p; k++) s->c[n] += factor_at(w, t->xt, t->xi, k) * gsl_vector_get(wb, k);
    }
    n++;
  }
  /* the group's parameters, in increasing order, and the column of each free row */
  *ncols = 0;
  for (size_t j = 0; s && j < K; j++) col_of[j] = (size_t)-1;
  for (size_t q = 0; s && q < n; q++) col_of[rows[idx[q]].free - 1] = 0;
  for (size_t j = 0; s && j < K; j++)
    if (col_of[j] == 0) {
      col_of[j] = *ncols;
      cols[(*ncols)++] = j;
    }
  for (size_t q = 0; s && q < n; q++) s->col[q] = col_of[rows[idx[q]].free - 1];
  if (s) s->n = n;
  free(col_of);
  free(idx);
  if (wb) gsl_vector_free(wb);
  return s;
}

/*
 * The rows of a chunk go through each step together, a column of proj per
 * row (the loops over rows innermost, where the compiler can pack them):
 * every entry is still the same terms added in the same order as row by row.
 * -2: out of memory.
 */
int sem_ws_scores(sem_scores_t *s, const gsl_matrix *Y, const gsl_vector *mu, double *sc, size_t ncols) {
  const group_ws_t *w = s->w;
  size_t p = s->p, md = s->md, m = Y->size1;
  if (m > s->cap) {
    free(s->proj);
    free(s->U);
    s->cap = m;
    s->proj = malloc(2 * md * m * sizeof *s->proj);
    s->U = malloc(m * (p ? p : 1) * sizeof *s->U);
    if (!s->proj || !s->U) {
      s->cap = 0;
      return -2;
    }
  }
  double *proj = s->proj, *U = s->U;
  memset(sc, 0, m * ncols * sizeof *sc);
  for (size_t i = 0; i < m; i++) { /* u = Sigma^-1 (y - mu), row by row */
    const double *y = Y->data + i * Y->tda;
    for (size_t k = 0; k < p; k++) s->e->data[k * s->e->stride] = y[k] - gsl_vector_get(mu, k);
    gsl_vector_view ui = gsl_vector_view_array(U + i * p, p);
    gsl_blas_dsymv(CblasLower, 1.0, w->SigInv, s->e, 0.0, &ui.vector);
  }
  /* proj[f] = FB' u over FB's nonzeros, a ascending; a zero u_a adds nothing either way */
  memset(proj, 0, md * m * sizeof *proj);
  for (size_t a = 0; a < p; a++) {
    const double *fb = w->FB->data + a * w->FB->tda;
    for (size_t z = s->nz_start[a]; z < s->nz_start[a + 1]; z++) {
      double f = fb[s->nz_col[z]], *pr = proj + s->nz_col[z] * m;
      for (size_t i = 0; i < m; i++) pr[i] += U[i * p + a] * f;
    }
  }
  /* proj[md + a] = BSFt u = B Smat proj[0..md) */
  for (size_t a = 0; a < md; a++) {
    const double *bs = s->BS->data + a * s->BS->tda;
    double *pr = proj + (md + a) * m;
    memset(pr, 0, m * sizeof *pr);
    for (size_t z = s->bs_start[a]; z < s->bs_start[a + 1]; z++) {
      double b = bs[s->bs_col[z]];
      const double *pc = proj + s->bs_col[z] * m;
      for (size_t i = 0; i < m; i++) pr[i] += b * pc[i];
    }
  }
  for (size_t q = 0; q < s->n; q++) {
    const rank2_t *tq = &s->t[q];
    double *out = sc + s->col[q];
    const double *px = proj + (tq->xt * md + tq->xi) * m, *py = proj + (tq->yt * md + tq->yi) * m,
                 *pm = proj + tq->mi * m;
    double alpha = tq->alpha, cq = s->c[q], mc = tq->mc;
    if (alpha != 0 && mc != 0)
      for (size_t i = 0; i < m; i++) out[i * ncols] += alpha * (px[i] * py[i] - cq) + mc * pm[i];
    else if (alpha != 0)
      for (size_t i = 0; i < m; i++) out[i * ncols] += alpha * (px[i] * py[i] - cq);
    else if (mc != 0)
      for (size_t i = 0; i < m; i++) out[i * ncols] += mc * pm[i];
  }
  return 0;
}

/* Name the parameters that load most on the null direction of a singular information matrix. */
static vagap_status_t singular_message(const sem_ws_t *ws, const gsl_matrix *info, vagap_error_t *err) {
  size_t K = info->size1;
  gsl_matrix *c = gsl_matrix_alloc(K, K), *evec = gsl_matrix_alloc(K, K);
  gsl_vector *eval = gsl_vector_alloc(K);
  gsl_eigen_symmv_workspace *wk = gsl_eigen_symmv_alloc(K);
  double *dir = malloc(K * sizeof *dir);
  char names[600] = "";
  if (c && evec && eval && wk && dir) {
    gsl_matrix_memcpy(c, info);
    if (gsl_eigen_symmv(c, eval, evec, wk) == GSL_SUCCESS) {
      gsl_eigen_symmv_sort(eval, evec, GSL_EIGEN_SORT_VAL_ASC);
      for (size_t k = 0; k < K; k++) dir[k] = gsl_matrix_get(evec, k, 0);
      name_parameters(ws, dir, K, names, sizeof names);
    }
  }
  free(dir);
  if (c) gsl_matrix_free(c);
  if (evec) gsl_matrix_free(evec);
  if (eval) gsl_vector_free(eval);
  if (wk) gsl_eigen_symmv_free(wk);
  return vagap_error_set(err, VAGAP_EMODEL, NULL, 0, 0,
                         "the model is not identified: the information matrix is singular; "
                         "involved parameters: %s", names[0] ? names : "(unknown)");
}

/*
 * The information in block_layout's order,
 *     I = [ A   B  ]      A: shared x shared, D = diag(D_1..D_G)
 *         [ B'  D  ]
 * is factored through the Schur complement S = A - B D^-1 B', which costs
 * sum_g n_g^3 + s^3 instead of K^3 (a configural model has s = 0), from the
 * stored blocks (information_blocks).  The matrix is first scaled to unit
 * diagonal so that the identification test (reciprocal condition numbers of
 * the Cholesky factors) is unit-free.
 */
typedef struct bfact {
  size_t K, s, G;
  const size_t *order;    /* order[new] = parameter index; shared first, then by group */
  const size_t *start;    /* block g is order[start[g] .. start[g+1]); start[0] = s */
  double *sc;             /* 1 / sqrt(diag(I)) */
  gsl_matrix **L;         /* Cholesky factors of D_g (lower triangle) */
  gsl_matrix **B;         /* B_g: s x n_g */
  gsl_matrix **E;         /* D_g^-1 B_g': n_g x s */
  gsl_matrix *S;          /* Cholesky factor of the Schur complement */
  double *y;              /* bfact_solve's room (K) */
} bfact_t;

static void bfact_destroy(bfact_t *f) {
  if (!f) return;
  for (size_t g = 0; f->L && g < f->G; g++) {
    if (f->L[g]) gsl_matrix_free(f->L[g]);
    if (f->B[g]) gsl_matrix_free(f->B[g]);
    if (f->E[g]) gsl_matrix_free(f->E[g]);
  }
  free(f->L);
  free(f->B);
  free(f->E);
  if (f->S) gsl_matrix_free(f->S);
  free(f->sc); /* order and start belong to the workspace */
  free(f->y);
  free(f);
}

/* The factorisation's room, made at the first factorisation of a workspace and kept
   (Fisher scoring factors the information at every step; the sizes depend on the
   model only).  NULL: out of memory. */
static bfact_t *bfact_room(sem_ws_t *ws) {
  if (ws->bf) return ws->bf;
  if (block_layout(ws)) return NULL;
  bfact_t *f = calloc(1, sizeof *f);
  if (!f) return NULL;
  size_t K = f->K = ws->npar, s = f->s = ws->bf_s, G = f->G = ws->G;
  f->order = ws->bf_order;
  f->start = ws->bf_start;
  f->sc = malloc((K ? K : 1) * sizeof *f->sc);
  f->y = malloc((K ? K : 1) * sizeof *f->y);
  f->L = calloc(G ? G : 1, sizeof *f->L);
  f->B = calloc(G ? G : 1, sizeof *f->B);
  f->E = calloc(G ? G : 1, sizeof *f->E);
  int bad = !f->sc || !f->y || !f->L || !f->B || !f->E || (s > 0 && !(f->S = gsl_matrix_alloc(s, s)));
  for (size_t g = 0; !bad && g < G; g++) {
    size_t n = f->start[g + 1] - f->start[g];
    if (n == 0) continue;
    bad = !(f->L[g] = gsl_matrix_alloc(n, n)) ||
          (s > 0 && (!(f->B[g] = gsl_matrix_alloc(s, n)) || !(f->E[g] = gsl_matrix_alloc(n, s))));
  }
  if (bad) {
    bfact_destroy(f);
    return NULL;
  }
  return ws->bf = f;
}

/* Cholesky in place; with check_rcond also require a reciprocal condition
   number above 1e-12 (the identification test, done once at the solution). */
static int chol_ok(gsl_matrix *M, int check_rcond) {
  size_t n = M->size1;
  if (n == 0) return 1;
  if (gsl_linalg_cholesky_decomp1(M) != GSL_SUCCESS) return 0;
  if (!check_rcond) return 1;
  gsl_vector *work = gsl_vector_alloc(3 * n);
  double rcond = 0;
  int ok = work && gsl_linalg_cholesky_rcond(M, &rcond, work) == GSL_SUCCESS && rcond > 1e-12;
  if (work) gsl_vector_free(work);
  return ok;
}

/* out[a][b] = blk[a][b] sc[ra[a]] sc[cb[b]] (blk na x nb row-major): a block of the
   unit-diagonal information; with lower, b <= a only (what GSL's Cholesky reads; it
   writes the upper triangle itself). */
static void scaled_block(const double *blk, const double *sc, const size_t *ra, size_t na, const size_t *cb,
                         size_t nb, int lower, gsl_matrix *out) {
  for (size_t a = 0; a < na; a++) {
    const double *row = blk + a * nb;
    double sa = sc[ra[a]], *o = out->data + a * out->tda;
    for (size_t b = 0, end = lower ? a + 1 : nb; b < end; b++) o[b] = row[b] * sa * sc[cb[b]];
  }
}

/* Factor the information stored in the workspace's blocks into the workspace's
   factorisation (*out); returns 0, or -1 when it is singular (or out of memory). */
static int bfact_factor(sem_ws_t *ws, bfact_t **out, int check_rcond) {
  bfact_t *f = *out = bfact_room(ws);
  if (!f) return -1;
  size_t K = f->K, s = f->s, G = f->G;
  for (size_t k = 0; k < K; k++) {
    double d = *block_entry(ws, k, k);
    if (!(d > 0)) return -1;
    f->sc[k] = 1 / sqrt(d);
  }
  if (s > 0) scaled_block(ws->bi_ss, f->sc, f->order, s, f->order, s, 0, f->S);
  for (size_t g = 0; g < G; g++) {
    size_t o = f->start[g], n = f->start[g + 1] - o;
    if (n == 0) continue;
    scaled_block(ws->bi_gg[g], f->sc, f->order + o, n, f->order + o, n, 1, f->L[g]);
    if (!chol_ok(f->L[g], check_rcond)) return -1;
    if (s == 0) continue;
    scaled_block(ws->bi_sg[g], f->sc, f->order, s, f->order + o, n, 0, f->B[g]);
    mat_transpose_copy(f->E[g], f->B[g]);
    /* E = L^-T L^-1 B' */
    if (gsl_blas_dtrsm(CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, 1.0, f->L[g], f->E[g]) ||
        gsl_blas_dtrsm(CblasLeft, CblasLower, CblasTrans, CblasNonUnit, 1.0, f->L[g], f->E[g]))
      return -1;
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, -1.0, f->B[g], f->E[g], 1.0, f->S);
  }
  if (s > 0 && !chol_ok(f->S, check_rcond)) return -1;
  return 0;
}

/* Solve info z = r with the factorisation (r and z in parameter order; may alias). */
static int bfact_solve(const bfact_t *f, const double *r, double *z) {
  size_t K = f->K, s = f->s;
  double *y = f->y;
  for (size_t a = 0; a < K; a++) y[a] = r[f->order[a]] * f->sc[f->order[a]];
  for (size_t g = 0; g < f->G; g++) {
    size_t o = f->start[g], n = f->start[g + 1] - o;
    if (n == 0) continue;
    gsl_vector_view v = gsl_vector_view_array(y + o, n);
    gsl_linalg_cholesky_svx(f->L[g], &v.vector);            /* t_g = D_g^-1 r_g */
    if (s > 0) {
      gsl_vector_view ys = gsl_vector_view_array(y, s);
      gsl_blas_dgemv(CblasNoTrans, -1.0, f->B[g], &v.vector, 1.0, &ys.vector);
    }
  }
  if (s > 0) {
    gsl_vector_view ys = gsl_vector_view_array(y, s);
    gsl_linalg_cholesky_svx(f->S, &ys.vector);               /* z_s */
    for (size_t g = 0; g < f->G; g++) {
      size_t o = f->start[g], n = f->start[g + 1] - o;
      if (n == 0) continue;
      gsl_vector_view v = gsl_vector_view_array(y + o, n);
      gsl_blas_dgemv(CblasNoTrans, -1.0, f->E[g], &ys.vector, 1.0, &v.vector); /* z_g */
    }
  }
  for (size_t a = 0; a < K; a++) z[f->order[a]] = y[a] * f->sc[f->order[a]];
  return 0;
}

/* The expected information at x, or the observed one (observed = 1: the closed-form
   Hessian, straight into the blocks), factored and kept as a fixed metric (sem_resample.c);
   it stays valid until the next information of this workspace.  -1: singular, not
   positive definite, no closed form (a discrepancy installed) or no memory. */
int sem_ws_metric_factor(sem_ws_t *ws, const double *x, int observed, vagap_error_t *err) {
  bfact_t *f;
  int rc = (observed ? sem_ws_hessian_metric(ws, x, err) : information_blocks(ws, x, err)) ? -1 : bfact_factor(ws, &f, 0);
  vagap_error_clear(err);
  return rc;
}

void sem_ws_metric_solve(const sem_ws_t *ws, const double *r, double *z) { bfact_solve(ws->bf, r, z); }

/* vcov[i][j] = sign M[a][b] sc[i] sc[j] / N for i = rows[a], j = cols[b]: a block of the
   unit-diagonal inverse M back in parameter order and scale. */
static void put_block(double *vcov, size_t K, const bfact_t *f, double N, const size_t *rows, const size_t *cols,
                      const gsl_matrix *M, double sign) {
  for (size_t a = 0; a < M->size1; a++) {
    size_t i = rows[a];
    const double *m = M->data + a * M->tda;
    for (size_t b = 0; b < M->size2; b++) vcov[i * K + cols[b]] = sign * m[b] * f->sc[i] * f->sc[cols[b]] / N;
  }
}

/* The inverse of a Cholesky factor's matrix (NULL: singular or out of memory). */
static gsl_matrix *chol_inverse(const gsl_matrix *L) {
  gsl_matrix *inv = gsl_matrix_alloc(L->size1, L->size2);
  if (!inv) return NULL;
  gsl_matrix_memcpy(inv, L);
  if (gsl_linalg_cholesky_invert(inv)) {
    gsl_matrix_free(inv);
    return NULL;
  }
  return inv;
}

/*
 * vcov = (N info)^-1 (K x K row-major, parameter order) from the factorisation:
 *   V_ss = S^-1,  V_gs = -E_g V_ss,  V_gh = [g = h] D_g^-1 + E_g V_ss E_h'.
 * Without shared parameters the inverse is block diagonal like the information
 * and only the groups' blocks are written: the rest must be zero already
 * (`zeroed`, e.g. calloc'ed, whose untouched pages are never even mapped), else
 * it is cleared.
 */
static int bfact_inverse(const bfact_t *f, double N, double *vcov, int zeroed) {
  size_t K = f->K, s = f->s, G = f->G;
  gsl_matrix *Vss = NULL, **W = calloc(G ? G : 1, sizeof *W), **Dinv = calloc(G ? G : 1, sizeof *Dinv);
  int rc = -1;
  if (!W || !Dinv) goto done;
  if (s == 0 && !zeroed) memset(vcov, 0, K * K * sizeof *vcov);
  if (s > 0) {
    if (!(Vss = chol_inverse(f->S))) goto done;
    put_block(vcov, K, f, N, f->order, f->order, Vss, 1);
  }
  for (size_t g = 0; g < G; g++) {
    size_t o = f->start[g], n = f->start[g + 1] - o;
    if (n == 0) continue;
    if (!(Dinv[g] = chol_inverse(f->L[g]))) goto done;
    if (s == 0) {
      put_block(vcov, K, f, N, f->order + o, f->order + o, Dinv[g], 1);
      continue;
    }
    /* W_g = E_g Vss: V_gs = -W_g, V_sg = -W_g' */
    if (!(W[g] = gsl_matrix_alloc(n, s))) goto done;
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, f->E[g], Vss, 0.0, W[g]);
    put_block(vcov, K, f, N, f->order + o, f->order, W[g], -1);
    for (size_t a = 0; a < n; a++)
      for (size_t b = 0; b < s; b++) {
        size_t i = f->order[b], j = f->order[o + a];
        vcov[i * K + j] = -gsl_matrix_get(W[g], a, b) * f->sc[i] * f->sc[j] / N;
      }
  }
  for (size_t g = 0; s > 0 && g < G; g++) {
    size_t o = f->start[g], n = f->start[g + 1] - o;
    for (size_t h = 0; n && h < G; h++) {
      size_t oh = f->start[h], nh = f->start[h + 1] - oh;
      if (!nh) continue;
      gsl_matrix *P = gsl_matrix_alloc(n, nh);
      if (!P) goto done;
      gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, W[g], f->E[h], 0.0, P);
      /* V_gh = (g = h: D_g^-1, else 0) + P */
      for (size_t a = 0; a < n; a++)
        for (size_t b = 0; b < nh; b++)
          *gsl_matrix_ptr(P, a, b) = (g == h ? gsl_matrix_get(Dinv[g], a, b) : 0.0) + gsl_matrix_get(P, a, b);
      put_block(vcov, K, f, N, f->order + o, f->order + oh, P, 1);
      gsl_matrix_free(P);
    }
  }
  rc = 0;
done:
  for (size_t g = 0; W && g < G; g++)
    if (W[g]) gsl_matrix_free(W[g]);
  for (size_t g = 0; Dinv && g < G; g++)
    if (Dinv[g]) gsl_matrix_free(Dinv[g]);
  free(W);
  free(Dinv);
  if (Vss) gsl_matrix_free(Vss);
  return rc;
}

/* vcov = (N info)^-1 of the information in the workspace's blocks (`zeroed`: see
   bfact_inverse); a singular information matrix -> VAGAP_EMODEL naming parameters. */
static vagap_status_t invert_information(sem_ws_t *ws, double *vcov, int zeroed, vagap_error_t *err) {
  size_t K = ws->npar;
  if (K == 0) return VAGAP_OK;
  bfact_t *f;
  int bad = bfact_factor(ws, &f, 1) || bfact_inverse(f, ws->N, vcov, zeroed);
  if (!bad) return VAGAP_OK;
  gsl_matrix *info = gsl_matrix_alloc(K, K); /* the naming needs the whole matrix */
  if (!info) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  blocks_to_dense(ws, info);
  vagap_status_t st = singular_message(ws, info, err);
  gsl_matrix_free(info);
  return st;
}

/* [robust hook] vcov = (N info)^-1 for any information matrix, under the
   model's equality and active inequality constraints as the standard one. */
vagap_status_t sem_ws_vcov(sem_ws_t *ws, sem_con_t *con, const double *x, const gsl_matrix *info,
                           vagap_sem_model_t *out, double *vcov, vagap_error_t *err) {
  if (con && out->ncon) return sem_con_vcov(con, x, info, ws->N, vcov, out, err);
  if (ws->npar == 0) return VAGAP_OK;
  if (block_layout(ws)) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  blocks_from_dense(ws, info);
  return invert_information(ws, vcov, 0, err);
}

double sem_ws_nobs(const sem_ws_t *ws, size_t g) { return ws->g[g].nobs; }
double sem_ws_N(const sem_ws_t *ws) { return ws->N; }
void sem_ws_only_groups(sem_ws_t *ws, const unsigned char *mask) { ws->only = mask; }
const vagap_sem_model_t *sem_ws_model(const sem_ws_t *ws) { return ws->model; }
void sem_ws_sample(const sem_ws_t *ws, size_t g, const gsl_matrix **S, const gsl_vector **ybar) {
  *S = ws->g[g].S;
  *ybar = ws->g[g].ybar;
}

/*
 * The information in the workspace's blocks as its rows' entries for the
 * verdict (sem_info_spectrum_sparse): a group's own parameter has the shared
 * ones and its group's, a shared one every parameter; columns ascending, as
 * the dense matrix's rows have them.  -1: out of memory.
 */
static int blocks_sparse(const sem_ws_t *ws, sem_sparse_t *sp) {
  size_t K = ws->npar, G = ws->G, s = ws->bf_s, nnz = 0;
  for (size_t a = 0; a < K; a++) nnz += ws->bf_owner[a] == G ? K : s + block_size(ws, ws->bf_owner[a]);
  if (sem_sparse_alloc(sp, K, nnz)) return -1;
  size_t e = 0;
  for (size_t a = 0; a < K; a++) {
    sp->rowptr[a] = e;
    size_t g = ws->bf_owner[a];
    if (g == G) {
      for (size_t b = 0; b < K; b++) {
        sp->col[e] = b;
        sp->val[e++] = block_value(ws, a, b);
      }
      continue;
    }
    /* merge the shared list and the group's, both ascending */
    const size_t *sh = ws->bf_order, *own = ws->bf_order + ws->bf_start[g];
    size_t i = 0, j = 0, n = block_size(ws, g);
    while (i < s || j < n) {
      size_t b = j == n || (i < s && sh[i] < own[j]) ? sh[i++] : own[j++];
      sp->col[e] = b;
      sp->val[e++] = *block_entry(ws, a, b);
    }
  }
  sp->rowptr[K] = e;
  return 0;
}

/*
 * A stationary point where the information is nearly singular is not an
 * answer (VAGAP_SEM_MIN_INFO_RATIO), from the information in the workspace's
 * blocks or, when another estimator's or the Hessian was used, from `dense`: the model is empirically
 * under-identified there.  Otherwise lavaan's vcov warning may apply.
 */
static vagap_status_t conditioning_check(const sem_ws_t *ws, vagap_sem_fit_t *fit, const gsl_matrix *dense,
                                         vagap_error_t *err) {
  size_t K = ws->npar;
  double *flat = malloc(K * sizeof *flat), ratio, vmin;
  sem_sparse_t sp;
  int bad = !flat || (dense ? sem_sparse_from_dense(&sp, dense->data, K) : blocks_sparse(ws, &sp));
  if (!bad) {
    bad = sem_info_spectrum_sparse(&sp, fit->vcov, ws->N, &ratio, flat, &vmin) != VAGAP_OK;
    sem_sparse_free(&sp);
  }
  if (bad) {
    free(flat);
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  }
  fit->info_ratio = ratio;
  vagap_status_t st = VAGAP_OK;
  if (!(ratio >= VAGAP_SEM_MIN_INFO_RATIO)) {
    char names[600];
    name_parameters(ws, flat, K, names, sizeof names);
    st = vagap_error_set(err, VAGAP_ENOCONV, NULL, 0, 0,
                         "no solution: the model is empirically under-identified (the information matrix "
                         "is nearly singular at the best point found: eigenvalue ratio %.2g < %.2g); "
                         "involved parameters: %s", ratio, VAGAP_SEM_MIN_INFO_RATIO,
                         names[0] ? names : "(unknown)");
  } else if (sem_vcov_check(fit, vmin)) {
    st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  }
  free(flat);
  return st;
}

/* Expected decrease of the chi-square (2 N F) by a Newton step from x:
   N g' info^-1 g = N^2 g' vcov g. */
static double chisq_decrement(sem_ws_t *ws, const double *x, const double *vcov) {
  size_t K = ws->npar;
  double *g = malloc(K * sizeof *g), dec = 0;
  if (!g) return 0;
  sem_ws_objective(ws, x, g);
  /* without shared parameters vcov is zero off the groups' blocks: their terms add
     nothing, and the others are summed in the same order */
  int blocks = ws->bf_order && ws->bf_s == 0;
  for (size_t a = 0; a < K; a++) {
    const size_t *cols = blocks ? ws->bf_order + ws->bf_start[ws->bf_owner[a]] : NULL;
    size_t n = blocks ? block_size(ws, ws->bf_owner[a]) : K;
    for (size_t c = 0; c < n; c++) {
      size_t b = cols ? cols[c] : c;
      dec += g[a] * vcov[a * K + b] * g[b];
    }
  }
  free(g);
  return dec * ws->N * ws->N;
}

/* ---- optimisation ------------------------------------------------------------------ */

static double nlopt_objective(unsigned n, const double *x, double *grad, void *data) {
  (void)n;
  return sem_ws_objective((sem_ws_t *)data, x, grad);
}

static double max_abs(const double *g, size_t n) {
  double m = 0;
  for (size_t i = 0; i < n; i++) m = fmax(m, fabs(g[i]));
  return m;
}

/* Solve info * step = -grad with the information in the workspace's blocks; returns -1
   if it is singular. */
static int scoring_step(sem_ws_t *ws, const double *grad, double *step) {
  bfact_t *f;
  int rc = bfact_factor(ws, &f, 0);
  if (!rc) {
    for (size_t k = 0; k < ws->npar; k++) step[k] = -grad[k];
    rc = bfact_solve(f, step, step);
  }
  return rc;
}

typedef enum {
  FS_WARM,    /* from the start: stop once near the optimum or when steps need halving */
  FS_OPEN,    /* as FS_WARM, and stop once in the optimum's basin (Newton decrement below
                 1e-3): whitened L-BFGS goes on from there (complete-data ML) */
  FS_POLISH,  /* near the optimum: stop when the gradient stops shrinking */
  FS_FULL     /* fallback: run to convergence */
} fs_mode_t;

/*
 * Fisher scoring (Newton steps with the expected information) with step
 * halving.  Near the optimum of a well-fitting model it converges
 * quadratically; for badly misfitting models the expected information is a
 * poor Hessian, which is why the modes stop early and L-BFGS does the rest.
 * Returns F at x (x is left at the best point accepted).
 */
static double fisher_scoring(sem_ws_t *ws, double *x, int max_steps, fs_mode_t mode, vagap_error_t *err) {
  size_t K = ws->npar;
  double *grad = malloc(K * sizeof *grad), *step = malloc(K * sizeof *step), *xn = malloc(K * sizeof *xn),
         *gn = malloc(K * sizeof *gn);
  double F = sem_ws_objective(ws, x, grad);
  double *xbest = mode == FS_POLISH ? malloc(K * sizeof *xbest) : NULL;
  double best_g = grad ? max_abs(grad, K) : HUGE_VAL, best_F = F;
  if (xbest) memcpy(xbest, x, K * sizeof *x);
  for (int it = 0; K && grad && step && xn && gn && it < max_steps && isfinite(F) && ws->evals < ws->max_evals;
       it++) {
    double gmax = max_abs(grad, K);
    int warm = mode == FS_WARM || mode == FS_OPEN;
    if (gmax < (warm ? 1e-4 : 1e-12)) break;
    if (information_blocks(ws, x, err) || scoring_step(ws, grad, step)) break;
    /* expected decrease of F along the step (the Newton decrement); when it is
       at rounding level the optimum is reached in double precision */
    double decrement = 0;
    for (size_t k = 0; k < K; k++) decrement -= grad[k] * step[k];
    int last = 0.5 * decrement < 1e-15 * (1 + fabs(F));
    /* scoring converges only linearly on a misfitting model: L-BFGS whitened by this
       information needs fewer evaluations from here than further scoring steps */
    if (mode == FS_OPEN && decrement < 1e-3) break;
    double t = 1.0, Fn = HUGE_VAL, slack = 1e-14 * (1 + fabs(F));
    int halvings = 0;
    for (; halvings < 30; halvings++, t *= 0.5) {
      for (size_t k = 0; k < K; k++) xn[k] = x[k] + t * step[k];
      Fn = sem_ws_objective(ws, xn, NULL);
      if (isfinite(Fn) && Fn <= F + slack) break;
      if (last) break;
    }
    if (!(isfinite(Fn) && Fn <= F + slack)) break;
    double Fnew = sem_ws_objective(ws, xn, gn);
    memcpy(x, xn, K * sizeof *x);
    memcpy(grad, gn, K * sizeof *grad);
    F = Fnew;
    /* polishing returns the point with the smallest gradient: with a misfitting
       model scoring converges only linearly and not monotonically in |g| */
    double g_new = max_abs(gn, K);
    if (mode == FS_POLISH && g_new < best_g) {
      best_g = g_new;
      best_F = F;
      memcpy(xbest, x, K * sizeof *x);
    }
    if (last || (warm && halvings > 0 && it >= 2)) break;
  }
  if (mode == FS_POLISH && xbest && isfinite(best_F)) {
    memcpy(x, xbest, K * sizeof *x);
    F = best_F;
  }
  free(xbest);
  free(grad);
  free(step);
  free(xn);
  free(gn);
  vagap_error_clear(err);
  return F;
}

/* NLopt L-BFGS from x; returns F at the result (+inf on failure). */
static double lbfgs(sem_ws_t *ws, double *x, double ftol, double xtol, int max_eval) {
  size_t K = ws->npar;
  nlopt_opt opt = nlopt_create(NLOPT_LD_LBFGS, (unsigned)K);
  if (!opt) return HUGE_VAL;
  double fmin = HUGE_VAL;
  nlopt_result rc = nlopt_set_min_objective(opt, nlopt_objective, ws);
  if (rc > 0) rc = nlopt_set_ftol_rel(opt, ftol);
  if (rc > 0) rc = nlopt_set_xtol_rel(opt, xtol);
  if (rc > 0) rc = nlopt_set_maxeval(opt, max_eval);
  if (rc > 0) rc = nlopt_set_vector_storage(opt, K < 20 ? (unsigned)K : 20);
  if (rc > 0) rc = nlopt_optimize(opt, x, &fmin);
  nlopt_destroy(opt);
  /* ROUNDOFF_LIMITED: no further progress in double precision.  FAILURE: luksan's
     line search gave up, mostly because the start (a warm Fisher point) is already
     the optimum to rounding level; x is the best point found.  In both cases the
     polish and the gradient check decide whether that is an optimum (taking FAILURE
     as "no admissible point" failed bootstrap resamples that had converged). */
  return (rc > 0 || rc == NLOPT_ROUNDOFF_LIMITED || rc == NLOPT_FAILURE) && isfinite(fmin) ? fmin : HUGE_VAL;
}

/*
 * Three strategies, tried in order until one reaches a stationary point
 * (max |dF/dtheta| < 1e-6):
 *   1. Fisher-scoring warm start, NLopt LD_LBFGS (whitened by the expected
 *      information for complete-data ML), polish (fast);
 *   2. LD_LBFGS from the starting values with tight tolerances, polish;
 *   3. Fisher scoring from the starting values to convergence;
 * polish: Newton steps with the closed-form Hessian, else Fisher scoring.
 * L-BFGS (rather than SLSQP) because the problem is unconstrained: equality
 * constraints are shared parameters, not constraints.
 */
static int remaining(const sem_ws_t *ws) {
  size_t r = ws->evals < ws->max_evals ? ws->max_evals - ws->evals : 1;
  return r > 1000000 ? 1000000 : (int)r;
}

/* The outcome of the best point found: x at it, its largest gradient component. */
static vagap_status_t optimise_verdict(sem_ws_t *ws, double *x, const double *best, double best_F, double best_g,
                                       double *gnorm, vagap_error_t *err) {
  if (!isfinite(best_F))
    return vagap_error_set(err, VAGAP_ENOCONV, NULL, 0, 0,
                           "the optimiser did not find an admissible solution (implied covariance matrix "
                           "not positive definite everywhere it searched)");
  if (best != x) memcpy(x, best, ws->npar * sizeof *x);
  *gnorm = best_g;
  if (!(best_g < 1e-5))
    return vagap_error_set(err, VAGAP_ENOCONV, NULL, 0, 0,
                           "the optimiser did not converge: largest gradient component %.3g after %zu evaluations",
                           best_g, ws->evals);
  return VAGAP_OK;
}

/* The chi-square's expected decrease by one more Newton (scoring) step,
   N g' I^-1 g - chisq_decrement's value without the vcov; +inf when the
   expected information is singular (as the SE path fails then). */
static double newton_decrement(sem_ws_t *ws, const double *x, vagap_error_t *err) {
  size_t K = ws->npar;
  double *g = malloc(K * sizeof *g), *step = malloc(K * sizeof *step), dec = HUGE_VAL;
  if (g && step) {
    sem_ws_objective(ws, x, g);
    if (!information_blocks(ws, x, err) && !scoring_step(ws, g, step)) {
      dec = 0;
      for (size_t k = 0; k < K; k++) dec -= g[k] * step[k];
      dec *= ws->N;
    }
  }
  free(g);
  free(step);
  vagap_error_clear(err);
  return dec;
}

/*
 * Newton steps with the observed information, the closed-form Hessian of F
 * (sem_ws_hessian; complete-data ML, no other discrepancy installed).  Fisher
 * scoring converges only linearly on a sample the model misfits (there the
 * expected information is not the Hessian), and once F's decrease is at its
 * rounding level no test on F tells points apart: a search that stops on F
 * ends ~1e-8 from the optimum, at a place that depends on its path, and so on
 * the BLAS's rounding.  Newton's steps converge quadratically: from there one
 * step reaches the optimum to rounding level.  A step is kept only if it
 * lowers the largest gradient component (and F does not rise above rounding);
 * the steps end after one that was too small to leave work for another
 * (largest |step| / (1 + |x|) below 1e-7, so the next would be ~1e-14), or
 * at a step below 1e-10 that is not kept (x is at the optimum already).
 * Returns 1 when so ended, 0 when a step failed (x at the best point kept,
 * *F its objective), -1 when there is no closed form (x unchanged).
 */
static int newton_finish(sem_ws_t *ws, double *x, double *F, int max_steps, vagap_error_t *err) {
  size_t K = ws->npar;
  if (!K || ws->disc.group_value || !isfinite(*F) || block_layout(ws)) return -1;
  double *buf = malloc(4 * K * sizeof *buf);
  int done = 0;
  if (buf) {
    double *g = buf, *gn = buf + K, *xn = buf + 2 * K, *step = buf + 3 * K;
    *F = sem_ws_objective(ws, x, g);
    double gmax = max_abs(g, K);
    for (int it = 0; !done && it < max_steps && ws->evals < ws->max_evals; it++) {
      /* the Hessian straight into the information's blocks (its nonzero pattern is
         theirs: a group's parameters meet only the shared ones), solved as a scoring
         step is */
      if (sem_ws_hessian_blocks(ws, x, err) || scoring_step(ws, g, step)) break;
      double smax = 0;
      for (size_t k = 0; k < K; k++) {
        xn[k] = x[k] + step[k];
        smax = fmax(smax, fabs(step[k]) / (1 + fabs(x[k])));
      }
      double Fn = sem_ws_objective(ws, xn, gn), gn_max = max_abs(gn, K);
      if (!(isfinite(Fn) && Fn <= *F + 1e-14 * (1 + fabs(*F)) && gn_max < gmax)) {
        done = smax < 1e-10; /* x was at the optimum already: the gradient is rounding noise */
        break;
      }
      memcpy(x, xn, K * sizeof *x);
      memcpy(g, gn, K * sizeof *g);
      *F = Fn;
      gmax = gn_max;
      done = smax < 1e-7;
    }
  }
  free(buf);
  vagap_error_clear(err);
  return done;
}

/* The end of every strategy: Newton steps with the observed information where
   it has a closed form; where they do not reach the optimum (or there is none),
   Fisher scoring's polish, then Newton's steps again from its point. */
static double polish(sem_ws_t *ws, double *x, double F, vagap_error_t *err) {
  int newton = newton_finish(ws, x, &F, 4, err);
  if (newton == 1) return F;
  F = fisher_scoring(ws, x, 50, FS_POLISH, err);
  if (newton == 0) newton_finish(ws, x, &F, 4, err);
  return F;
}

/*
 * A bootstrap resample: one attempt of strategy 1 from `start` (the
 * full-sample estimates), as lavaan's bootstrapLavaan refits each resample
 * once (optim.attempts = 1) from the full-sample solution and drops it when
 * that does not converge.  The five-strategy search of optimise() spent its
 * whole budget on the resamples that fail (about 0.45 s each on HS).
 */
/* The opening of a fit from given values: the evaluation budget, x = start, and *grad
   (npar) for the caller to free; *grad NULL when there is nothing to fit (npar = 0). */
static vagap_status_t open_from(sem_ws_t *ws, double *x, const double *start, int max_iter, double *gnorm,
                                double **grad, vagap_error_t *err) {
  size_t K = ws->npar;
  ws->max_evals = max_iter > 0 ? (size_t)max_iter : 10000;
  *gnorm = 0;
  *grad = NULL;
  if (K == 0) return VAGAP_OK;
  if (!(*grad = malloc(K * sizeof **grad))) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  memcpy(x, start, K * sizeof *x);
  return VAGAP_OK;
}

static vagap_status_t optimise_from(sem_ws_t *ws, double *x, const double *start, int max_iter,
                                    const char **method, double *gnorm, vagap_error_t *err) {
  size_t K = ws->npar;
  double *grad;
  vagap_status_t st0 = open_from(ws, x, start, max_iter, gnorm, &grad, err);
  if (st0 || !grad) return st0;
  /* the implied moments at the start do not depend on the data: finite unless
     the model has fixed.x rows, whose values are the resample's */
  double F = sem_ws_objective(ws, x, NULL), g = HUGE_VAL;
  if (isfinite(F)) {
    fisher_scoring(ws, x, 30, FS_WARM, err);
    F = lbfgs(ws, x, 1e-10, 1e-8, remaining(ws));
  }
  if (isfinite(F)) F = polish(ws, x, F, err);
  if (isfinite(F)) {
    sem_ws_objective(ws, x, grad);
    g = max_abs(grad, K);
  }
  /* a small gradient along a nearly flat direction (a variance running off to
     minus infinity) is no optimum: the fit with SEs catches it by the Newton
     decrement of its vcov; here the same decrement without the vcov, with as
     many more scoring steps before giving up */
  if (g < 1e-5 && newton_decrement(ws, x, err) > 1e-6) {
    F = fisher_scoring(ws, x, 500, FS_FULL, err);
    if (newton_decrement(ws, x, err) > 1e-6) {
      free(grad);
      return vagap_error_set(err, VAGAP_ENOCONV, NULL, 0, 0,
                             "the optimiser did not converge: the chi-square could still decrease "
                             "(Newton decrement above 1e-6)");
    }
    sem_ws_objective(ws, x, grad);
    g = max_abs(grad, K);
  }
  *method = "Fisher scoring + nlopt LD_LBFGS (from the full-sample estimates)";
  vagap_status_t st = optimise_verdict(ws, x, x, F, g, gnorm, err);
  free(grad);
  return st;
}

static vagap_status_t optimise(sem_ws_t *ws, double *x, int max_iter, const char **method,
                               double *gnorm, vagap_error_t *err);

/*
 * Whitened coordinates from the factored information (bfact_factor):
 * with Sc = diag(sc), Sc info Sc = M M' where, shared parameters first,
 *   M = [ P  B L^-T ]     P P' = S (the Schur complement), L = diag(L_g),
 *       [ 0  L      ]
 * z = M' Sc^-1 (x - x0), so x = x0 + Sc M'^-T z and dF/dz = M^-1 Sc dF/dx;
 * both are block solves with the factor's pieces (E_g = D_g^-1 B_g').
 */
static void bfact_whiten_x(const bfact_t *f, const double *z, double *u, double *dx) {
  size_t K = f->K, s = f->s;
  memcpy(u, z, K * sizeof *u);
  gsl_vector_view us = gsl_vector_view_array(u, s ? s : 1);
  if (s > 0) gsl_blas_dtrsv(CblasLower, CblasTrans, CblasNonUnit, f->S, &us.vector); /* P' u_S = z_S */
  for (size_t g = 0; g < f->G; g++) {
    size_t o = f->start[g], n = f->start[g + 1] - o;
    if (n == 0) continue;
    gsl_vector_view v = gsl_vector_view_array(u + o, n);
    gsl_blas_dtrsv(CblasLower, CblasTrans, CblasNonUnit, f->L[g], &v.vector); /* L_g'^-1 z_g */
    if (s > 0) gsl_blas_dgemv(CblasNoTrans, -1.0, f->E[g], &us.vector, 1.0, &v.vector); /* - E_g u_S */
  }
  for (size_t a = 0; a < K; a++) dx[f->order[a]] = u[a] * f->sc[f->order[a]];
}

static void bfact_whiten_grad(const bfact_t *f, const double *grad, double *v) {
  size_t K = f->K, s = f->s;
  for (size_t a = 0; a < K; a++) v[a] = grad[f->order[a]] * f->sc[f->order[a]];
  gsl_vector_view vs = gsl_vector_view_array(v, s ? s : 1);
  for (size_t g = 0; g < f->G; g++) {
    size_t o = f->start[g], n = f->start[g + 1] - o;
    if (n == 0) continue;
    gsl_vector_view vg = gsl_vector_view_array(v + o, n);
    if (s > 0) gsl_blas_dgemv(CblasTrans, -1.0, f->E[g], &vg.vector, 1.0, &vs.vector); /* y_S - E_g' y_g */
    gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, f->L[g], &vg.vector);       /* L_g^-1 y_g */
  }
  if (s > 0) gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, f->S, &vs.vector); /* P^-1 (...) */
}

typedef struct {
  sem_ws_t *ws;
  const bfact_t *f;
  const double *x0;
  double *x, *gx, *u;     /* [K] scratch */
} whitened_t;

static void whitened_x(const whitened_t *w, const double *z) {
  bfact_whiten_x(w->f, z, w->u, w->x);
  for (size_t k = 0; k < w->f->K; k++) w->x[k] += w->x0[k];
}

static double whitened_objective(unsigned n, const double *z, double *gz, void *data) {
  const whitened_t *w = data;
  (void)n;
  whitened_x(w, z);
  double F = sem_ws_objective(w->ws, w->x, gz ? w->gx : NULL);
  if (gz) bfact_whiten_grad(w->f, w->gx, gz);
  return F;
}

/*
 * NLopt L-BFGS in coordinates whitened by the expected information at x
 * (bfact_whiten_x).  Near the optimum the Hessian in z is close to the
 * identity, L-BFGS's own first guess, so it needs fewer evaluations than
 * Fisher scoring (linear on a sample, whose Hessian is not the information)
 * followed by plain L-BFGS.  Returns F at the result, x moved there; +inf
 * (x unchanged) when the information is singular or the run fails.
 */
static double lbfgs_whitened(sem_ws_t *ws, double *x, double ftol, int max_eval, vagap_error_t *err) {
  size_t K = ws->npar;
  double *buf = malloc(5 * (K ? K : 1) * sizeof *buf), fmin = HUGE_VAL;
  bfact_t *f = NULL; /* the workspace's: no other factorisation until L-BFGS is done */
  nlopt_opt opt = NULL;
  if (!K || !buf || information_blocks(ws, x, err) || bfact_factor(ws, &f, 0)) goto done;
  double *x0 = buf, *z = buf + K;
  memcpy(x0, x, K * sizeof *x);
  memset(z, 0, K * sizeof *z);
  whitened_t w = {ws, f, x0, buf + 2 * K, buf + 3 * K, buf + 4 * K};
  if (!(opt = nlopt_create(NLOPT_LD_LBFGS, (unsigned)K))) goto done;
  nlopt_result rc = nlopt_set_min_objective(opt, whitened_objective, &w);
  if (rc > 0) rc = nlopt_set_ftol_rel(opt, ftol);
  if (rc > 0) rc = nlopt_set_maxeval(opt, max_eval);
  if (rc > 0) rc = nlopt_set_vector_storage(opt, K < 20 ? (unsigned)K : 20);
  if (rc > 0) rc = nlopt_optimize(opt, z, &fmin);
  /* NLOPT_FAILURE: luksan's line search gave up, mostly at rounding level next to the
     optimum; z is the best point found, and the polish and gradient test judge it */
  if ((rc > 0 || rc == NLOPT_ROUNDOFF_LIMITED || rc == NLOPT_FAILURE) && isfinite(fmin)) {
    whitened_x(&w, z);
    memcpy(x, w.x, K * sizeof *x);
  } else {
    fmin = HUGE_VAL;
  }
done:
  if (opt) nlopt_destroy(opt);
  free(buf);
  vagap_error_clear(err);
  return fmin;
}

/*
 * A Monte Carlo replication (vagap power): from `start`, the fit model's
 * estimates on the population moments, which lie next to every sample's
 * optimum, L-BFGS whitened by the expected information there, then
 * optimise()'s Fisher-scoring polish (the same stopping rule); optimise()'s
 * warm start and plain L-BFGS are skipped.  Where no stationary point is
 * reached (|g| >= 1e-6, as optimise() asks), optimise()'s whole search from
 * its own starting values, as for any fit.
 */
static vagap_status_t optimise_replication(sem_ws_t *ws, double *x, const double *start, int max_iter,
                                           const char **method, double *gnorm, vagap_error_t *err) {
  size_t K = ws->npar;
  double *grad;
  vagap_status_t st0 = open_from(ws, x, start, max_iter, gnorm, &grad, err);
  if (st0 || !grad) return st0;
  /* +inf also when Sigma is not positive definite at the start (the information fails) */
  double g = HUGE_VAL, F = lbfgs_whitened(ws, x, 1e-14, remaining(ws), err);
  if (isfinite(F)) F = fisher_scoring(ws, x, 50, FS_POLISH, err);
  if (isfinite(F)) {
    sem_ws_objective(ws, x, grad);
    g = max_abs(grad, K);
  }
  free(grad);
  if (g < 1e-6) {
    *method = "nlopt LD_LBFGS whitened by the expected information, Fisher scoring (from the population estimates)";
    return optimise_verdict(ws, x, x, F, g, gnorm, err);
  }
  ws->evals = 0; /* the budget and the path of a fit without a start */
  return optimise(ws, x, max_iter, method, gnorm, err);
}

static double lbfgs_whitened(sem_ws_t *ws, double *x, double ftol, int max_eval, vagap_error_t *err);
static vagap_status_t optimise(sem_ws_t *ws, double *x, int max_iter, const char **method,
                               double *gnorm, vagap_error_t *err) {
  size_t per_attempt = max_iter > 0 ? (size_t)max_iter : 10000;
  ws->max_evals = 5 * per_attempt;
  size_t K = ws->npar;
  *gnorm = 0;
  if (K == 0) return VAGAP_OK;
  double *x0 = malloc(K * sizeof *x0), *grad = malloc(K * sizeof *grad), *best = malloc(K * sizeof *best);
  if (!x0 || !grad || !best) {
    free(x0); free(grad); free(best);
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  }
  /* strategies (see above), first from the informed starting values, then
     from lavaan's plain ones (latent variances 0.05), which lead some badly
     misfitting models to a better basin */
  static const struct { int plain_start, strategy; const char *name; } plan[] = {
      {0, 0, "Fisher scoring + nlopt LD_LBFGS"},
      {0, 1, "nlopt LD_LBFGS + Fisher scoring"},
      {1, 0, "Fisher scoring + nlopt LD_LBFGS (plain start)"},
      {1, 1, "nlopt LD_LBFGS + Fisher scoring (plain start)"},
      {1, 2, "Fisher scoring (plain start)"}};
  double best_g = HUGE_VAL, best_F = HUGE_VAL, F;
  for (size_t attempt = 0; attempt < sizeof plan / sizeof plan[0] && ws->evals < ws->max_evals; attempt++) {
    sem_ws_start(ws, x, plan[attempt].plain_start);
    if (!isfinite(sem_ws_objective(ws, x, NULL))) {
      /* start values give a non-positive-definite Sigma: drop covariances */
      for (size_t r = 0; r < ws->model->nrows; r++) {
        const vagap_sem_param_t *row = &ws->model->rows[r];
        if (row->free && row->op == VAGAP_SEM_COVARIANCE && strcmp(row->lhs, row->rhs)) x[row->free - 1] = 0;
      }
      if (!isfinite(sem_ws_objective(ws, x, NULL))) continue;
    }
    memcpy(x0, x, K * sizeof *x);
    size_t budget = ws->evals + per_attempt < ws->max_evals ? per_attempt : (size_t)remaining(ws);
    if (plan[attempt].strategy == 0) {
      /* complete-data ML: scoring steps into the optimum's basin, then L-BFGS in
         coordinates whitened by the expected information there (as power's
         replications), about half the evaluations of scoring and plain L-BFGS (plain
         L-BFGS alone where the information cannot be factored); other estimators'
         discrepancies (FIML) keep their path */
      int whiten = !ws->disc.group_value;
      fisher_scoring(ws, x, 30, whiten ? FS_OPEN : FS_WARM, err);
      if (whiten) lbfgs_whitened(ws, x, 1e-14, (int)budget, err);
      /* plain L-BFGS from there: a few evaluations at an optimum, and on a badly
         misfitting model it goes on along flat directions the whitened run stopped in */
      F = lbfgs(ws, x, 1e-10, 1e-8, (int)budget);
    } else if (plan[attempt].strategy == 1) {
      F = lbfgs(ws, x, 1e-14, 1e-12, (int)budget);
    } else {
      F = fisher_scoring(ws, x, 500, FS_FULL, err);
    }
    if (!isfinite(F)) continue;
    F = polish(ws, x, F, err);
    if (!isfinite(F)) continue;
    sem_ws_objective(ws, x, grad);
    double g = max_abs(grad, K);
    if (g < best_g) {
      best_g = g;
      best_F = F;
      memcpy(best, x, K * sizeof *x);
      *method = plan[attempt].name;
    }
    if (g < 1e-6) break;
  }
  vagap_status_t st = optimise_verdict(ws, x, best, best_F, best_g, gnorm, err);
  free(x0);
  free(grad);
  free(best);
  return st;
}

/* ---- noncentral chi-square (not in GSL): Poisson mixture of central CDFs ---------- */

/*
 * P(X <= x) for X ~ chi-square(df, ncp) as the Poisson(ncp/2) mixture of
 * central chi-square CDFs.  Only the CDF at the Poisson mode comes from GSL;
 * its neighbours follow from P(nu + 2) = P(nu) - (x/2)^(nu/2) e^(-x/2) / Gamma(nu/2 + 1)
 * and the weights from w(j+1) = w(j) lambda / (j+1), summed outwards from the
 * mode until the weights vanish.
 */
/* The largest Poisson mean lambda = ncp/2 the mixture below is summed for: its mode m is
   GSL's unsigned Poisson index, and the loops step j in double.  Beyond it (and for a
   NaN or infinite ncp, as a scaled statistic X2/c with c ~ 0 gives) the mode does not
   convert (undefined behaviour, a wrong weight), and from 2^53 on j +- 1 == j, so the
   loops never ended: NAN instead (rmsea's CI is then NaN, as its Brent solve fails). */
#define PCHISQ_NC_MAX_LAMBDA 4294967295.0

double sem_pchisq_nc(double x, double df, double ncp) {
  if (!(x > 0)) return 0;
  if (ncp <= 0) return gsl_cdf_chisq_P(x, df);
  if (!(ncp / 2 <= PCHISQ_NC_MAX_LAMBDA)) return NAN;
  double lam = ncp / 2, m = floor(lam), h = x / 2;
  double wm = gsl_ran_poisson_pdf((unsigned)m, lam);
  double num = df + 2 * m;
  double Pm = gsl_cdf_chisq_P(x, num);
  double fm = exp((num / 2) * log(h) - h - gsl_sf_lngamma(num / 2 + 1)); /* f(num) */
  double sum = wm * Pm;
  /* upwards: j = m+1, m+2, ... */
  double w = wm, P = Pm, f = fm, nu = num;
  for (double j = m + 1; j < m + 100000; j++) {
    P -= f;
    if (P < 0) P = 0;
    f *= h / (nu / 2 + 1);
    nu += 2;
    w *= lam / j;
    sum += w * P;
    if (w < 1e-18 && j > lam) break;
  }
  /* downwards: j = m-1, ..., 0 */
  w = wm;
  P = Pm;
  nu = num;
  f = fm;
  for (double j = m; j >= 1; j--) {
    f *= (nu / 2) / h;   /* f(nu - 2) */
    nu -= 2;
    P += f;
    if (P > 1) P = 1;
    w *= j / lam;
    sum += w * P;
    if (w < 1e-18) break;
  }
  return sum > 1 ? 1 : sum;
}

typedef struct { double x, df, target; } ncp_root_t;

static double ncp_fn(double lambda, void *p) {
  ncp_root_t *r = p;
  return sem_pchisq_nc(r->x, r->df, lambda) - r->target;
}

/* root in [lo, hi] of pchisq(x, df, ncp) = target (GSL Brent) */
double sem_ncp_solve(double x, double df, double target, double lo, double hi) {
  ncp_root_t par = {x, df, target};
  gsl_function f = {ncp_fn, &par};
  gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
  if (!s) return NAN;
  double root = NAN;
  if (gsl_root_fsolver_set(s, &f, lo, hi) == GSL_SUCCESS) {
    for (int it = 0; it < 200; it++) {
      if (gsl_root_fsolver_iterate(s) != GSL_SUCCESS) break;
      root = gsl_root_fsolver_root(s);
      double a = gsl_root_fsolver_x_lower(s), b = gsl_root_fsolver_x_upper(s);
      if (gsl_root_test_interval(a, b, 1e-10, 1e-10) == GSL_SUCCESS) break;
    }
  }
  gsl_root_fsolver_free(s);
  return root;
}

/* ---- results -------------------------------------------------------------------------- */


/* The ML fit measures at x: the test (npar, fmin, chisq per group, df, pvalue) always
   (its objective also leaves the implied moments at x for fill_rows); the baseline,
   likelihoods, information criteria, rmsea and srmr only when `all` (they stay NAN
   otherwise: sem_measures_keep). */
static void fit_measures(sem_ws_t *ws, const double *x, vagap_sem_measures_t *fm, int all) {
  const vagap_sem_model_t *m = ws->model;
  size_t p = ws->p, G = ws->G, nx = ws->nx;
  double F = sem_ws_objective(ws, x, NULL); /* also leaves implied moments in the groups */
  double N = ws->N, G_d = (double)G;
  fm->npar = (double)ws->npar - (double)ws->con_rank; /* lavaan: npar - rank of == constraints */
  fm->fmin = F;
  fm->chisq = 0;
  double ndat = 0;
  for (size_t g = 0; g < G; g++) {
    ndat += (double)(p * (p + 1) / 2 - nx * (nx + 1) / 2);
    if (m->meanstructure) ndat += (double)(p - nx);
  }
  fm->df = ndat - fm->npar;
  /* per group: chisq_g = 2 n_g F_g, logl, baseline, srmr */
  double bchisq = 0, bdf = 0, logl = 0, ulogl = 0, srmr = 0;
  const double log2pi = log(2 * M_PI);
  for (size_t g = 0; g < G; g++) {
    group_ws_t *w = &ws->g[g];
    fm->chisq_group[g] = 2 * w->n * w->Fg;
    if (fm->chisq_group[g] < 0) fm->chisq_group[g] = 0; /* rounding at a perfect fit, as lavaan */
    fm->chisq += fm->chisq_group[g];
    if (!all) continue;
    /* baseline: diagonal Sigma for the other variables, the block of exogenous
       covariates saturated (lavaan does so whether or not x is fixed) */
    double ld = 0, ldx_g = 0;
    size_t ne = 0;
    for (size_t i = 0; i < p; i++) {
      if (!m->ov_exo[i]) ld += log(gsl_matrix_get(w->S, i, i));
      ne += m->ov_exo[i] != 0;
    }
    if (ne > 0) {
      gsl_matrix *Sx = gsl_matrix_alloc(ne, ne), *Lx = gsl_matrix_alloc(ne, ne);
      size_t a = 0;
      for (size_t i = 0; i < p; i++) {
        if (!m->ov_exo[i]) continue;
        size_t b = 0;
        for (size_t j = 0; j < p; j++)
          if (m->ov_exo[j]) gsl_matrix_set(Sx, a, b++, gsl_matrix_get(w->S, i, j));
        a++;
      }
      if (chol_logdet(Sx, Lx, &ldx_g)) ldx_g = NAN;
      ld += ldx_g;
      gsl_matrix_free(Sx);
      gsl_matrix_free(Lx);
    }
    bchisq += w->n * (ld - w->logdetS);
    bdf += (double)(p * (p + 1) / 2 - p - ne * (ne - 1) / 2);
    /* log-likelihoods with the divisor-n sample covariance */
    double tr = 0, quad = 0;
    for (size_t i = 0; i < p; i++)
      for (size_t j = 0; j < p; j++) tr += gsl_matrix_get(w->S, i, j) * gsl_matrix_get(w->SigInv, j, i);
    if (m->meanstructure) {
      for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < p; j++)
          quad += (gsl_vector_get(w->ybar, i) - gsl_vector_get(w->mu, i)) * gsl_matrix_get(w->SigInv, i, j) *
                  (gsl_vector_get(w->ybar, j) - gsl_vector_get(w->mu, j));
    }
    logl += -0.5 * w->nobs * ((double)p * log2pi + w->logdetSig + tr + quad);
    ulogl += -0.5 * w->nobs * ((double)p * log2pi + w->logdetS + (double)p);
    /* with fixed.x the covariates' own (saturated) likelihood is not part of the
       model: lavaan reports the log-likelihood of the rest given them */
    if (nx > 0) {  /* nx > 0 only with fixed.x, when the covariates are all exogenous */
      double lx = -0.5 * w->nobs * ((double)nx * log2pi + ldx_g + (double)nx);
      logl -= lx;
      ulogl -= lx;
    }
    /* SRMR (Bentler): residuals standardised by the sample standard deviations */
    double ss = 0;
    for (size_t i = 0; i < p; i++) {
      double si = sqrt(gsl_matrix_get(w->S, i, i));
      for (size_t j = 0; j <= i; j++) {
        double sj = sqrt(gsl_matrix_get(w->S, j, j));
        double r = (gsl_matrix_get(w->S, i, j) - gsl_matrix_get(w->Sigma, i, j)) / (si * sj);
        ss += r * r;
      }
      if (m->meanstructure) {
        double r = (gsl_vector_get(w->ybar, i) - gsl_vector_get(w->mu, i)) / si;
        ss += r * r;
      }
    }
    double nel = (double)(p * (p + 1) / 2) + (m->meanstructure ? (double)p : 0);
    srmr += (w->nobs / ws->ntotal) * sqrt(ss / nel);
  }
  fm->pvalue = fm->df > 0 ? gsl_cdf_chisq_Q(fm->chisq, fm->df) : NAN;
  fm->ntotal = ws->ntotal;
  if (!all) return;
  fm->baseline_chisq = bchisq;
  fm->baseline_df = bdf;
  sem_fit_baseline_indices(fm);
  fm->mfi = exp(-0.5 * (fm->chisq - fm->df) / N);
  fm->ecvi = fm->chisq / N + 2 * fm->npar / N;
  fm->cn_05 = sem_fit_cn(fm->chisq, fm->df, N, 0.05);
  fm->cn_01 = sem_fit_cn(fm->chisq, fm->df, N, 0.01);
  fm->logl = logl;
  fm->unrestricted_logl = ulogl;
  double k = fm->npar;
  fm->aic = -2 * logl + 2 * k;
  fm->bic = -2 * logl + k * log(ws->ntotal);
  fm->bic2 = -2 * logl + k * log((ws->ntotal + 2) / 24);
  double X2 = fm->chisq, df = fm->df;
  fm->rmsea = df > 0 ? sqrt(fmax(X2 / N / df - 1 / N, 0)) * sqrt(G_d) : 0;
  if (df < 1) {
    fm->rmsea_ci_lower = fm->rmsea_ci_upper = 0;
  } else {
    if (sem_pchisq_nc(X2, df, 0) - 0.95 < 0) fm->rmsea_ci_lower = 0;
    else fm->rmsea_ci_lower = sqrt(sem_ncp_solve(X2, df, 0.95, 0, X2) / (N * df)) * sqrt(G_d);
    double NR = fmax(N, X2 * 4);
    if (sem_pchisq_nc(X2, df, NR) - 0.05 > 0 || sem_pchisq_nc(X2, df, 0) - 0.05 < 0) fm->rmsea_ci_upper = 0;
    else fm->rmsea_ci_upper = sqrt(sem_ncp_solve(X2, df, 0.05, 0, NR) / (N * df)) * sqrt(G_d);
  }
  fm->rmsea_pvalue = df > 0 ? 1 - sem_pchisq_nc(X2, df, N * df * 0.0025 / G_d) : NAN;
  fm->srmr = srmr;
}

/*
 * lavaan's std.nox (lav_standardize_all_nox): std.all, except that the
 * exogenous observed covariates keep their metric: a regression on one is
 * divided by the sd of the outcome only, and their (co)variances and means
 * stay as estimated; a covariance with one is divided by the other side's
 * residual sd only.
 */
static double std_nox(const sem_ws_t *ws, const vagap_sem_param_t *row, size_t i, size_t j, double sd_i,
                      double sd_j, const group_ws_t *w) {
  size_t p = ws->p;
  int xi = i < p && ws->model->ov_exo[i], xj = j < p && ws->model->ov_exo[j];
  switch (row->op) {
    case VAGAP_SEM_REGRESSION: return xj ? row->est / sd_i : row->std_all;
    case VAGAP_SEM_COVARIANCE:
      if (i == j) return xi ? row->est : row->std_all;
      if (!xi && !xj) return row->std_all;
      return row->est / (xi ? 1 : sqrt(gsl_matrix_get(w->Smat, i, i))) /
             (xj ? 1 : sqrt(gsl_matrix_get(w->Smat, j, j)));
    case VAGAP_SEM_INTERCEPT: return xi ? row->est : row->std_all;
    default: return row->std_all;
  }
}

/* The model matrices and B = (I - A)^-1 of every group at x (not the implied moments:
   the standardisation needs B and Smat only).  Where x's implied moments are cached,
   B is already x's. */
static void model_matrices_at(sem_ws_t *ws, const double *x) {
  if (implied_at(ws, x)) return;
  ws->implied_valid = 0;
  fill_matrices(ws, x);
  for (size_t g = 0; g < ws->G; g++) {
    group_ws_t *w = &ws->g[g];
    if (w->acyclic) ram_forward(ws, w);
    else ram_inverse(ws, w); /* singular I - A (not at a solution): B as it is left, as before */
  }
}

/*
 * The entries of C = B Smat B' (group w's total covariances) that the standardisation and
 * lavaan's post-check read: the diagonal and the latent block (lavTech "cov.lv"); the
 * others are left unset.  Each sum is the one GSL's reference dgemm forms for the two
 * dense products this replaces - B Smat row by row, adding B_il Smat_l. over l in order
 * where B_il != 0, then the dot product of that row with B's row j over l in order - with
 * the zero terms skipped, which leaves every sum unchanged: the same values, bit for bit,
 * for O(md (nnz(B row) + q) md) instead of 2 md^3.  bs: room for md.
 */
static void total_covariances(const sem_ws_t *ws, const group_ws_t *w, gsl_matrix *C, double *bs) {
  size_t md = ws->mdim, p = ws->p;
  const gsl_matrix *B = w->B, *S = w->Smat;
  for (size_t i = 0; i < md; i++) {
    const double *brow = B->data + i * B->tda;
    for (size_t k = 0; k < md; k++) bs[k] = 0.0;
    for (size_t l = 0; l < md; l++) {
      double b = brow[l];
      if (b == 0.0) continue;
      const double *srow = S->data + l * S->tda;
      for (size_t k = 0; k < md; k++) bs[k] += b * srow[k];
    }
    for (size_t j = i < p ? i : p; j < (i < p ? i + 1 : md); j++) {
      const double *bj = B->data + j * B->tda;
      double t = 0.0;
      for (size_t l = 0; l < md; l++) t += bs[l] * bj[l];
      gsl_matrix_set(C, i, j, t);
    }
  }
}

/* Estimates, SEs, z, p, CIs and the standardised solutions of every row. */
static vagap_status_t fill_rows(sem_ws_t *ws, vagap_sem_fit_t *fit, const double *x,
                                const double *vcov, double ci_level, vagap_error_t *err) {
  vagap_sem_model_t *out = fit->model;
  size_t p = ws->p, md = ws->mdim, K = ws->npar;
  double zc = gsl_cdf_ugaussian_Qinv((1 - ci_level) / 2);
  model_matrices_at(ws, x);
  /* total covariances C = B S B' per group for standardisation */
  gsl_matrix **C = calloc(ws->G, sizeof *C);
  double *bs = malloc(md * sizeof *bs);
  if (!C || !bs) {
    free(C);
    free(bs);
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  }
  for (size_t g = 0; g < ws->G; g++) {
    if (!(C[g] = gsl_matrix_alloc(md, md))) {
      for (size_t h = 0; h < g; h++) gsl_matrix_free(C[h]);
      free(C);
      free(bs);
      return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    }
    total_covariances(ws, &ws->g[g], C[g], bs);
  }
  free(bs);
  for (size_t r = 0; r < out->nrows; r++) {
    vagap_sem_param_t *row = &out->rows[r];
    if (row->op == VAGAP_SEM_DEFINED) continue;
    row->est = row_value(ws, r, x);
    if (row->free) {
      size_t k = row->free - 1;
      row->se = vcov ? sqrt(vcov[k * K + k]) : NAN; /* no vcov: se = "none" */
      row->z = row->est / row->se;
      row->pvalue = 2 * gsl_cdf_ugaussian_Q(fabs(row->z));
      row->ci_lower = row->est - zc * row->se;
      row->ci_upper = row->est + zc * row->se;
    } else {
      row->se = 0;
      row->z = row->pvalue = NAN;
      row->ci_lower = row->ci_upper = row->est;
    }
    const gsl_matrix *Cg = C[row->group - 1];
    const group_ws_t *w = &ws->g[row->group - 1];
    size_t i = ws->row_i[r], j = ws->row_j[r];
    double sd_i = sqrt(gsl_matrix_get(Cg, i, i));
    double sd_j = ws->row_mat[r] == MAT_M ? 1 : sqrt(gsl_matrix_get(Cg, j, j));
    double lv_i = i >= p ? sd_i : 1, lv_j = j >= p ? sd_j : 1;
    switch (row->op) {
      case VAGAP_SEM_LOADING: /* A[ind][lv]: i = indicator, j = latent */
      case VAGAP_SEM_REGRESSION:
        row->std_lv = row->est * lv_j / lv_i;
        row->std_all = row->est * sd_j / sd_i;
        break;
      case VAGAP_SEM_COVARIANCE:
        if (i == j) {
          row->std_lv = i >= p ? row->est / gsl_matrix_get(Cg, i, i) : row->est;
          row->std_all = row->est / gsl_matrix_get(Cg, i, i);
        } else {
          /* residual covariances become residual correlations (lavaan's cov.std) */
          double ri = sqrt(gsl_matrix_get(w->Smat, i, i)), rj = sqrt(gsl_matrix_get(w->Smat, j, j));
          row->std_all = row->est / (ri * rj);
          row->std_lv = (i >= p && j >= p) ? row->std_all
                        : (i >= p) ? row->est / sd_i
                        : (j >= p) ? row->est / sd_j
                        : row->est;
        }
        break;
      case VAGAP_SEM_INTERCEPT:
        row->std_lv = i >= p ? row->est / sd_i : row->est;
        row->std_all = row->est / sd_i;
        break;
      default: break;
    }
    row->std_nox = std_nox(ws, row, i, j, sd_i, sd_j, w);
  }
  /* lavaan's post-check on the latent block of C (lavTech "cov.lv") */
  vagap_status_t st = VAGAP_OK;
  gsl_matrix_view *lv = malloc(ws->G * sizeof *lv);
  const gsl_matrix **cov_lv = malloc(ws->G * sizeof *cov_lv);
  if (!lv || !cov_lv) st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  for (size_t g = 0; !st && g < ws->G; g++) {
    lv[g] = gsl_matrix_submatrix(C[g], p, p, ws->q ? ws->q : 1, ws->q ? ws->q : 1);
    cov_lv[g] = &lv[g].matrix;
  }
  if (!st && ws->q > 0 && sem_post_check(fit, cov_lv))
    st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  if (!st && ws->q == 0 && sem_post_check(fit, NULL))
    st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  free(lv);
  free(cov_lv);
  for (size_t g = 0; g < ws->G; g++) gsl_matrix_free(C[g]);
  free(C);
  return st;
}

/* for the categorical fit (sem_ordinal.c): the same rows from its own estimates and vcov */
vagap_status_t sem_ws_fill_rows(sem_ws_t *ws, vagap_sem_fit_t *fit, const double *x, const double *vcov,
                                double ci_level, vagap_error_t *err) {
  return fill_rows(ws, fit, x, vcov, ci_level, err);
}

/* := rows: value, delta-method SE, standardised values. */
static vagap_status_t fill_defined(sem_ws_t *ws, vagap_sem_model_t *out, const double *vcov,
                                   double ci_level, vagap_error_t *err) {
  size_t K = ws->npar, nd = out->ndefs;
  if (!nd) return VAGAP_OK;
  double zc = gsl_cdf_ugaussian_Qinv((1 - ci_level) / 2);
  size_t first = out->nrows - nd;
  double *dval_all = calloc(nd * (K ? K : 1), sizeof *dval_all);
  double *vals[4];
  for (int s = 0; s < 4; s++) vals[s] = calloc(nd, sizeof *vals[s]);
  vagap_status_t st = VAGAP_OK;
  if (!dval_all || !vals[0] || !vals[1] || !vals[2] || !vals[3]) { st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory"); goto done; }
  for (size_t d = 0; d < nd && !st; d++) {
    const vagap_sem_def_t *def = out->defs[d];
    size_t nn = sem_expr_nnames(def->expr);
    double *v = calloc(nn ? nn : 1, sizeof *v), *dv = calloc((nn ? nn : 1) * (K ? K : 1), sizeof *dv);
    if (!v || !dv) { free(v); free(dv); st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory"); break; }
    for (int s = 0; s < 4 && !st; s++) {
      for (size_t k = 0; k < nn; k++) {
        if (def->ref_row[k] != (size_t)-1) {
          const vagap_sem_param_t *row = &out->rows[def->ref_row[k]];
          v[k] = s == 0 ? row->est : s == 1 ? row->std_lv : s == 2 ? row->std_all : row->std_nox;
          if (s == 0 && row->free) dv[k * K + row->free - 1] = 1;
        } else {
          v[k] = vals[s][def->ref_def[k]];
          if (s == 0) memcpy(dv + k * K, dval_all + def->ref_def[k] * K, K * sizeof *dv);
        }
      }
      double val;
      if (sem_expr_eval(def->expr, v, s == 0 ? dv : NULL, K, &val, s == 0 ? dval_all + d * K : NULL))
        st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
      vals[s][d] = val;
    }
    free(v);
    free(dv);
    vagap_sem_param_t *row = &out->rows[first + d];
    const double *gr = dval_all + d * K;
    double var = vcov ? 0 : NAN;
    for (size_t a = 0; vcov && a < K; a++)
      for (size_t b = 0; b < K; b++) var += gr[a] * vcov[a * K + b] * gr[b];
    row->est = vals[0][d];
    row->std_lv = vals[1][d];
    row->std_all = vals[2][d];
    row->std_nox = vals[3][d];
    row->se = sqrt(var);
    /* a value outside the function's domain (log of a negative number) has
       no standard error either */
    if (!isfinite(row->est)) row->se = NAN;
    /* a function of fixed parameters only has no sampling variance: no test */
    row->z = row->se > 0 && isfinite(row->est) ? row->est / row->se : NAN;
    row->pvalue = row->se > 0 ? 2 * gsl_cdf_ugaussian_Q(fabs(row->z)) : NAN;
    row->ci_lower = row->est - zc * row->se;
    row->ci_upper = row->est + zc * row->se;
  }
done:
  free(dval_all);
  for (int s = 0; s < 4; s++) free(vals[s]);
  return st;
}

/* for the categorical fit (sem_ordinal.c) */
vagap_status_t sem_ws_fill_defined(sem_ws_t *ws, vagap_sem_model_t *out, const double *vcov, double ci_level,
                                   vagap_error_t *err) {
  return fill_defined(ws, out, vcov, ci_level, err);
}

/* ---- model copy -------------------------------------------------------------------- */

static vagap_sem_model_t *copy_model(const vagap_sem_model_t *m);
/* for the categorical fit (sem_ordinal.c), which reports on its own copy */
vagap_sem_model_t *sem_model_copy(const vagap_sem_model_t *m) { return copy_model(m); }

static vagap_sem_model_t *copy_model(const vagap_sem_model_t *m) {
  vagap_sem_model_t *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  *c = *m;
  c->con = NULL;      /* [constraints hook] copied below */
  c->con_expr = NULL;
  c->ncon = 0;
  c->rows = calloc(m->nrows, sizeof *c->rows);
  c->ov = calloc(m->nov ? m->nov : 1, sizeof *c->ov);
  c->lv = calloc(m->nlv ? m->nlv : 1, sizeof *c->lv);
  c->ov_is_x = calloc(m->nov ? m->nov : 1, sizeof *c->ov_is_x);
  c->ov_exo = calloc(m->nov ? m->nov : 1, sizeof *c->ov_exo);
  c->defs = NULL;
  c->ndefs = 0;
  c->nrows = 0;
  c->nov = c->nlv = 0;
  if (!c->rows || !c->ov || !c->lv || !c->ov_is_x || !c->ov_exo) { vagap_sem_model_free(c); return NULL; }
  for (size_t i = 0; i < m->nrows; i++) {
    c->rows[i] = m->rows[i];
    c->rows[i].lhs = strdup(m->rows[i].lhs);
    c->rows[i].rhs = strdup(m->rows[i].rhs);
    c->rows[i].label = strdup(m->rows[i].label);
    c->nrows++;
    if (!c->rows[i].lhs || !c->rows[i].rhs || !c->rows[i].label) { vagap_sem_model_free(c); return NULL; }
  }
  for (size_t i = 0; i < m->nov; i++) {
    if (!(c->ov[i] = strdup(m->ov[i]))) { vagap_sem_model_free(c); return NULL; }
    c->nov++;
    c->ov_is_x[i] = m->ov_is_x[i];
    c->ov_exo[i] = m->ov_exo[i];
  }
  for (size_t i = 0; i < m->nlv; i++) {
    if (!(c->lv[i] = strdup(m->lv[i]))) { vagap_sem_model_free(c); return NULL; }
    c->nlv++;
  }
  if (m->ndefs) {
    if (!(c->defs = calloc(m->ndefs, sizeof *c->defs))) { vagap_sem_model_free(c); return NULL; }
    for (size_t d = 0; d < m->ndefs; d++) {
      vagap_sem_def_t *nd = calloc(1, sizeof *nd);
      if (!nd) { vagap_sem_model_free(c); return NULL; }
      c->defs[c->ndefs++] = nd;
      const vagap_sem_def_t *od = m->defs[d];
      size_t nn = sem_expr_nnames(od->expr);
      const vagap_sem_param_t *row = &m->rows[m->nrows - m->ndefs + d];
      if (sem_expr_parse(&nd->expr, row->rhs, NULL, 0, 0, NULL)) { vagap_sem_model_free(c); return NULL; }
      nd->ref_row = malloc((nn ? nn : 1) * sizeof *nd->ref_row);
      nd->ref_def = malloc((nn ? nn : 1) * sizeof *nd->ref_def);
      if (!nd->ref_row || !nd->ref_def) { vagap_sem_model_free(c); return NULL; }
      memcpy(nd->ref_row, od->ref_row, nn * sizeof *nd->ref_row);
      memcpy(nd->ref_def, od->ref_def, nn * sizeof *nd->ref_def);
    }
  }
  if (sem_constraints_copy(c, m)) { vagap_sem_model_free(c); return NULL; }
  return c;
}

void vagap_sem_fit_options_init(vagap_sem_fit_options_t *opt) {
  opt->likelihood = VAGAP_SEM_LIKELIHOOD_NORMAL;
  opt->ci_level = 0.95;
  opt->max_iter = 10000;
  opt->estimator = VAGAP_SEM_ESTIMATOR_ML;
  opt->missing = VAGAP_SEM_MISSING_DEFAULT;
  opt->information = VAGAP_SEM_INFORMATION_DEFAULT;
  opt->se = VAGAP_SEM_SE_DEFAULT;
  opt->test = VAGAP_SEM_TEST_DEFAULT;
  opt->compute = VAGAP_SEM_COMPUTE_ALL;
}

void vagap_sem_fit_free(vagap_sem_fit_t *fit) {
  if (!fit) return;
  vagap_sem_model_free(fit->model);
  free(fit->fit.chisq_group);
  free(fit->fit.chisq_group_scaled);
  free(fit->x);
  free(fit->vcov);
  for (size_t i = 0; i < fit->nwarnings; i++) free(fit->warnings[i]);
  free(fit->warnings);
  for (size_t i = 0; i < fit->nstage1; i++) free(fit->stage1_name[i]);
  free(fit->stage1_name);
  free(fit->stage1_est);
  free(fit->stage1_se);
  free(fit);
}

/* The information matrix for the SEs: observed (Hessian) or the estimator's expected one,
   into the workspace's blocks and, when info is not NULL, into info (dense). */
static vagap_status_t fit_information(sem_ws_t *ws, const sem_fit_hooks_t *hooks,
                                      const vagap_sem_fit_options_t *opt, const double *x,
                                      gsl_matrix *info, vagap_error_t *err) {
  /* observed: lavaan's Hessian (closed form for ML from the moments; FIML's by the chain
     rule through its moments, its hooks->hessian), which sem_robust_finish takes over with
     its inverse; first.order: replaced there by the casewise scores' cross-products */
  vagap_status_t st;
  if (!info)
    return opt->information == VAGAP_SEM_INFORMATION_OBSERVED ? sem_ws_hessian_blocks(ws, x, err)
                                                              : information_blocks(ws, x, err);
  if (opt->information == VAGAP_SEM_INFORMATION_OBSERVED)
    st = hooks && hooks->hessian ? hooks->hessian(hooks->ctx, ws, x, info, err) : sem_ws_hessian(ws, x, info, err);
  else if (hooks && hooks->information) st = hooks->information(hooks->ctx, ws, x, info, err);
  else return expected_information(ws, x, info, err);
  if (!st && block_layout(ws)) st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  if (!st) blocks_from_dense(ws, info);
  return st;
}

vagap_status_t vagap_sem_fit(vagap_sem_fit_t **out, const vagap_sem_model_t *model,
                             const vagap_sem_stats_t *stats, const vagap_sem_fit_options_t *opt_in,
                             vagap_error_t *err) {
  return sem_fit_with(out, model, stats, NULL, opt_in, NULL, err);
}

vagap_status_t sem_fit_run(vagap_sem_fit_t **out, const vagap_sem_model_t *model,
                           const vagap_sem_stats_t *stats, const vagap_sem_data_t *data,
                           const vagap_sem_fit_options_t *opt_in, vagap_error_t *err) {
  return sem_fit_with(out, model, stats, data, opt_in, NULL, err);
}

static vagap_status_t fit_impl(vagap_sem_fit_t **out, const vagap_sem_model_t *model,
                               const vagap_sem_stats_t *stats, const vagap_sem_data_t *data,
                               const vagap_sem_fit_options_t *opt_in, const sem_fit_hooks_t *hooks,
                               const double *start, int replication, vagap_error_t *err);

vagap_status_t sem_fit_with(vagap_sem_fit_t **out, const vagap_sem_model_t *model,
                            const vagap_sem_stats_t *stats, const vagap_sem_data_t *data,
                            const vagap_sem_fit_options_t *opt_in, const sem_fit_hooks_t *hooks,
                            vagap_error_t *err) {
  return fit_impl(out, model, stats, data, opt_in, hooks, NULL, 0, err);
}

vagap_status_t sem_fit_from(vagap_sem_fit_t **out, const vagap_sem_model_t *model,
                            const vagap_sem_stats_t *stats, const vagap_sem_data_t *data,
                            const vagap_sem_fit_options_t *opt, const double *start, vagap_error_t *err) {
  return fit_impl(out, model, stats, data, opt, NULL, start, 0, err);
}

vagap_status_t sem_fit_replication(vagap_sem_fit_t **out, const vagap_sem_model_t *model,
                                   const vagap_sem_stats_t *stats, const vagap_sem_data_t *data,
                                   const vagap_sem_fit_options_t *opt, const double *start,
                                   vagap_error_t *err) {
  return fit_impl(out, model, stats, data, opt, NULL, start, start != NULL, err);
}

static vagap_status_t fit_impl(vagap_sem_fit_t **out, const vagap_sem_model_t *model,
                               const vagap_sem_stats_t *stats, const vagap_sem_data_t *data,
                               const vagap_sem_fit_options_t *opt_in, const sem_fit_hooks_t *hooks,
                               const double *start, int replication, vagap_error_t *err) {
  *out = NULL;
  vagap_sem_fit_options_t opt;
  if (opt_in) opt = *opt_in;
  else vagap_sem_fit_options_init(&opt);
  sem_ws_t *ws = NULL;
  sem_con_t *con = NULL;
  vagap_status_t st = vagap_sem_fit_options_resolve(&opt, 0, err);
  if (st) return st;
  /* what the caller will use (vagap_sem_compute_t): estimates only means no SEs */
  int all = opt.compute == VAGAP_SEM_COMPUTE_ALL;
  if (opt.compute == VAGAP_SEM_COMPUTE_ESTIMATES) opt.se = VAGAP_SEM_SE_NONE;
  if (sem_model_is_categorical(model))
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "a model with ordered indicators (thresholds) needs the raw data "
                           "(vagap_sem_fit_data), not sample statistics");
  if (opt.missing != VAGAP_SEM_MISSING_LISTWISE && !hooks)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "--missing %s fits the raw rows (vagap_sem_fit_data), not sample statistics (--from-stats)",
                           vagap_sem_missing_name(opt.missing));
  /* [robust hook] robust SEs and scaled tests need the raw rows */
  if (!(hooks && hooks->fiml) && (st = sem_robust_check(&opt, data, err))) return st;
  st = sem_ws_alloc(&ws, model, stats, opt.likelihood, err);
  if (st) return st;
  if (hooks) sem_ws_set_discrepancy(ws, &hooks->disc); /* [estimator hook] */
  size_t K = ws->npar;
  vagap_sem_fit_t *fit = calloc(1, sizeof *fit);
  /* ML's expected information and its closed-form Hessian (observed) stay in the
     workspace's blocks (information_blocks, sem_ws_hessian_blocks), O(sum of the groups'
     blocks); a dense npar x npar one only for another estimator's information or Hessian
     (hooks) and the constraints' vcov */
  int dense = hooks || (model->ncon && sem_con_needed(model));
  gsl_matrix *info = K && dense ? gsl_matrix_alloc(K, K) : NULL;
  if (!fit || (K && dense && !info)) { st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory"); goto done; }
  /* se = "none" (lavaan's bootstrap resamples): no information matrix, no vcov (NULL);
     a model with constraints still takes the vcov path, which fills their values */
  int no_se = opt.se == VAGAP_SEM_SE_NONE && !(model->ncon && sem_con_needed(model));
  fit->x = calloc(K ? K : 1, sizeof *fit->x);
  fit->vcov = no_se ? NULL : calloc(K ? K * K : 1, sizeof *fit->vcov);
  fit->fit.chisq_group = calloc(ws->G, sizeof *fit->fit.chisq_group);
  fit->fit.chisq_group_scaled = calloc(ws->G, sizeof *fit->fit.chisq_group_scaled);
  if (!fit->x || (!no_se && !fit->vcov) || !fit->fit.chisq_group || !fit->fit.chisq_group_scaled || !(fit->model = copy_model(model))) {
    st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    goto done;
  }
  sem_measures_scaled_unset(&fit->fit);
  /* identification: no more free parameters than sample moments */
  {
    size_t p = ws->p, nx = ws->nx;
    double ndat = (double)ws->G * ((double)(p * (p + 1) / 2 - nx * (nx + 1) / 2) +
                                   (model->meanstructure ? (double)(p - nx) : 0));
    if ((double)K > ndat) {
      st = vagap_error_set(err, VAGAP_EMODEL, NULL, 0, 0,
                           "the model is not identified: %zu free parameters but only %.0f sample moments",
                           K, ndat);
      goto done;
    }
  }
  /* [constraints hook] ==, <, > and lower()/upper() take sem_constraints.c's path */
  if (sem_con_needed(model) && !(con = sem_con_alloc(model, ws))) {
    st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    goto done;
  }
  if (con) st = sem_con_optimise(con, fit->x, opt.max_iter, &fit->optimizer, &fit->gradient_norm, err);
  else if (start && replication)
    st = optimise_replication(ws, fit->x, start, opt.max_iter, &fit->optimizer, &fit->gradient_norm, err);
  else if (start) st = optimise_from(ws, fit->x, start, opt.max_iter, &fit->optimizer, &fit->gradient_norm, err);
  else st = optimise(ws, fit->x, opt.max_iter, &fit->optimizer, &fit->gradient_norm, err);
  fit->iterations = ws->evals;
  if (st) goto done;
  if (K && !no_se) {
    if ((st = fit_information(ws, hooks, &opt, fit->x, info, err))) goto done;
    if (con && model->ncon) {
      if ((st = sem_con_vcov(con, fit->x, info, ws->N, fit->vcov, fit->model, err))) goto done;
    } else {
      /* fit->vcov is calloc'ed: zero off the blocks, as an inverse without shared
         parameters is */
      if ((st = invert_information(ws, fit->vcov, 1, err))) goto done;
      /* a small gradient along a nearly flat direction can still leave the
         chi-square well above its minimum: more scoring steps, else no answer */
      if (!con && chisq_decrement(ws, fit->x, fit->vcov) > 1e-6) {
        fisher_scoring(ws, fit->x, 500, FS_FULL, err);
        fit->iterations = ws->evals;
        if ((st = fit_information(ws, hooks, &opt, fit->x, info, err))) goto done;
        if ((st = invert_information(ws, fit->vcov, 1, err))) {
          /* singular where the data led the optimiser, not at the start */
          const char *names = err ? strstr(err->message, "involved parameters: ") : NULL;
          char buf[sizeof err->message];
          snprintf(buf, sizeof buf, "%s", names ? names + 21 : "(unknown)");
          st = vagap_error_set(err, VAGAP_ENOCONV, NULL, 0, 0,
                               "no solution: the model is empirically under-identified (the information "
                               "matrix is singular at the best point found); involved parameters: %s", buf);
          goto done;
        }
        double dec = chisq_decrement(ws, fit->x, fit->vcov);
        if (dec > 1e-6) {
          st = conditioning_check(ws, fit, info, err); /* the likely reason, named if it applies */
          if (!st)
            st = vagap_error_set(err, VAGAP_ENOCONV, NULL, 0, 0,
                                 "the optimiser did not converge: at the best point found the chi-square "
                                 "could still decrease by about %.2g (Newton decrement)", dec);
          goto done;
        }
        double *g = malloc(K * sizeof *g);
        if (g) {
          sem_ws_objective(ws, fit->x, g);
          fit->gradient_norm = max_abs(g, K);
          free(g);
        }
      }
      if ((st = conditioning_check(ws, fit, info, err))) goto done;
    }
    ws->con_rank = sem_con_rank(con);
  }
  fit_measures(ws, fit->x, &fit->fit, all);
  if (all) sem_more_measures(ws, fit->x, &fit->fit);
  /* [estimator hook] what the estimator defines otherwise (FIML: logl, baseline, ...),
     before the scaled tests, which scale that baseline */
  if (all && hooks && hooks->measures) hooks->measures(hooks->ctx, ws, fit->x, &fit->fit);
  /* [robust hook] other information matrices, robust vcov, scaled tests, more measures;
     FIML's info is already the one asked for (fit_information), its meat its casewise scores;
     NULL without SEs (se = "none"): computed there when a scaled test needs it.  Below
     COMPUTE_TEST no scaled test is computed (the options keep the one asked for). */
  {
    vagap_sem_fit_options_t ropt = opt;
    if (opt.compute == VAGAP_SEM_COMPUTE_ESTIMATES || opt.compute == VAGAP_SEM_COMPUTE_SE)
      ropt.test = VAGAP_SEM_TEST_STANDARD;
    if ((st = sem_robust_finish(ws, con, fit, K && !no_se ? info : NULL, &ropt, data,
                                hooks ? hooks->fiml : NULL, err)))
      goto done;
    fit->options = opt; /* the options asked for; fit.test is the test in effect */
    sem_measures_keep(&fit->fit, opt.compute, ws->G);
  }
  fit->converged = 1;
  if ((st = fill_rows(ws, fit, fit->x, fit->vcov, opt.ci_level, err))) goto done;
  if ((st = fill_defined(ws, fit->model, fit->vcov, opt.ci_level, err))) goto done;
  if (sem_defined_check(fit)) st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  if (con) sem_con_finish_rows(fit->model);
done:
  sem_con_free(con);
  if (info) gsl_matrix_free(info);
  sem_ws_free(ws);
  if (st) {
    vagap_sem_fit_free(fit);
    return st;
  }
  *out = fit;
  return VAGAP_OK;
}
