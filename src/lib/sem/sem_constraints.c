/*
 * sem_constraints.c - equality and inequality constraints (==, <, >) and
 * lower()/upper() bounds in ML estimation, the way lavaan 0.6 treats them.
 *
 * lavaan (lav_constraints.R, lav_model_estimate.R, lav_optim_nlminb_constr.R,
 * lav_model_information.R, lav_test.R, lav_utils.R):
 *  - a constraint lhs op rhs is the function lhs - rhs of the free
 *    parameters (with := definitions evaluated first); == asks for 0,
 *    > for lhs - rhs >= 0 and < for rhs - lhs >= 0;
 *  - linear equalities are a reparametrisation (theta = K z + k0), the
 *    others go to an augmented-Lagrangian optimiser; the solution is the
 *    same constrained optimum, which vagap finds with NLopt's SLSQP (then
 *    its augmented Lagrangian around L-BFGS if SLSQP fails) and polishes
 *    by Newton steps on the active constraints with the expected
 *    information (constrained Fisher scoring), so estimates agree to ~1e-8;
 *  - an inequality is active when its slack is <= 1e-5 at the solution;
 *  - the covariance of the estimates is the top-left block of the inverse of
 *    the information bordered by the Jacobian H of the equality and active
 *    inequality constraints, which equals Z (Z' I Z)^-1 Z' with Z a basis of
 *    the null space of H (the form lavaan >= 0.6-20 computes directly);
 *  - df = ndat - npar + rank(H_eq) and npar (AIC, BIC) = npar - rank(H_eq):
 *    inequalities never change the df, active or not;
 *  - lower()/upper() bounds are box constraints of the optimiser only: they
 *    do not enter the covariance (lavaan 0.6-14), the p-value of an
 *    estimate at a bound is NA, and an SE below sqrt(machine
 *    epsilon) is 0 with z and p NA (parameterEstimates()).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <nlopt.h>

#include "sem_internal.h"

#define NOREF ((size_t)-1)

/* ---- compiling ---------------------------------------------------------------- */

static void def_free(vagap_sem_def_t *d) {
  if (!d) return;
  sem_expr_free(d->expr);
  free(d->ref_row);
  free(d->ref_def);
  free(d);
}

void sem_constraints_free(vagap_sem_model_t *m) {
  for (size_t k = 0; k < m->ncon; k++) {
    free(m->con[k].lhs);
    free(m->con[k].rhs);
    if (m->con_expr) def_free(m->con_expr[k]);
  }
  free(m->con);
  free(m->con_expr);
  m->con = NULL;
  m->con_expr = NULL;
  m->ncon = 0;
}

/* Index of the first parameter row labelled `name` (not a := row), or NOREF. */
static size_t label_row(const vagap_sem_model_t *m, const char *name) {
  for (size_t r = 0; r < m->nrows; r++)
    if (m->rows[r].op != VAGAP_SEM_DEFINED && !strcmp(m->rows[r].label, name)) return r;
  return NOREF;
}

static size_t def_index(const vagap_sem_model_t *m, const char *name) {
  size_t first = m->nrows - m->ndefs;
  for (size_t d = 0; d < m->ndefs; d++)
    if (!strcmp(m->rows[first + d].lhs, name)) return d;
  return NOREF;
}

/* Does the compiled expression depend on some free parameter? */
static int depends_on_free(const vagap_sem_model_t *m, const vagap_sem_def_t *d, int depth) {
  if (depth > 64) return 1;
  size_t nn = sem_expr_nnames(d->expr);
  for (size_t k = 0; k < nn; k++) {
    if (d->ref_row[k] != NOREF && m->rows[d->ref_row[k]].free) return 1;
    if (d->ref_def[k] != NOREF && depends_on_free(m, m->defs[d->ref_def[k]], depth + 1)) return 1;
  }
  return 0;
}

static vagap_status_t add_one(vagap_sem_model_t *m, const vagap_sem_statement_t *s, const char *source,
                              vagap_error_t *err) {
  vagap_sem_constraint_t *c = realloc(m->con, (m->ncon + 1) * sizeof *c);
  if (!c) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  m->con = c;
  vagap_sem_def_t **ce = realloc(m->con_expr, (m->ncon + 1) * sizeof *ce);
  if (!ce) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  m->con_expr = ce;
  vagap_sem_constraint_t *k = &m->con[m->ncon];
  memset(k, 0, sizeof *k);
  m->con_expr[m->ncon] = NULL;
  k->lhs = strdup(s->lhs);
  k->rhs = strdup(s->rhs);
  k->op = s->op;
  k->source = source;
  k->line = s->line;
  k->column = s->column;
  k->value = NAN;
  m->ncon++;
  size_t len = strlen(s->lhs) + strlen(s->rhs) + 8;
  char *text = malloc(len);
  vagap_sem_def_t *d = calloc(1, sizeof *d);
  m->con_expr[m->ncon - 1] = d;
  if (!k->lhs || !k->rhs || !text || !d) {
    free(text);
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  }
  snprintf(text, len, "(%s)-(%s)", s->lhs, s->rhs);
  vagap_status_t st = sem_expr_parse(&d->expr, text, source, s->line, s->column, err);
  free(text);
  if (st) return st;
  size_t nn = sem_expr_nnames(d->expr);
  d->ref_row = malloc((nn ? nn : 1) * sizeof *d->ref_row);
  d->ref_def = malloc((nn ? nn : 1) * sizeof *d->ref_def);
  if (!d->ref_row || !d->ref_def) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  for (size_t i = 0; i < nn; i++) {
    const char *name = sem_expr_name(d->expr, i);
    d->ref_row[i] = label_row(m, name);
    d->ref_def[i] = d->ref_row[i] == NOREF ? def_index(m, name) : NOREF;
    if (d->ref_row[i] == NOREF && d->ref_def[i] == NOREF)
      return vagap_error_set(err, VAGAP_EMODEL, source, s->line, s->column,
                             "unknown label '%s' in the constraint %s %s %s (names in a constraint are "
                             "labels of parameters or := names)", name, s->lhs,
                             vagap_sem_op_string(s->op), s->rhs);
  }
  if (!depends_on_free(m, d, 0))
    return vagap_error_set(err, VAGAP_EMODEL, source, s->line, s->column,
                           "the constraint %s %s %s involves no free parameter", s->lhs,
                           vagap_sem_op_string(s->op), s->rhs);
  return VAGAP_OK;
}

vagap_status_t sem_constraints_compile(vagap_sem_model_t *m, const vagap_sem_syntax_t *syn,
                                       const char *source, vagap_error_t *err) {
  for (size_t i = 0; i < syn->n; i++) {
    if (!vagap_sem_op_is_constraint(syn->st[i].op)) continue;
    vagap_status_t st = add_one(m, &syn->st[i], source, err);
    if (st) return st;
  }
  return VAGAP_OK;
}

vagap_status_t vagap_sem_model_add_constraints(vagap_sem_model_t *m, const vagap_sem_syntax_t *syn,
                                               const char *source, vagap_error_t *err) {
  for (size_t i = 0; i < syn->n; i++)
    if (!vagap_sem_op_is_constraint(syn->st[i].op))
      return vagap_error_set(err, VAGAP_EPARSE, source, syn->st[i].line, syn->st[i].column,
                             "a constraints text holds only ==, < and > lines (put '%s %s %s' in the "
                             "model syntax)", syn->st[i].lhs, vagap_sem_op_string(syn->st[i].op),
                             syn->st[i].rhs);
  return sem_constraints_compile(m, syn, source, err);
}

vagap_status_t sem_constraints_copy(vagap_sem_model_t *dst, const vagap_sem_model_t *src) {
  dst->con = NULL;
  dst->con_expr = NULL;
  dst->ncon = 0;
  if (!src->ncon) return VAGAP_OK;
  dst->con = calloc(src->ncon, sizeof *dst->con);
  dst->con_expr = calloc(src->ncon, sizeof *dst->con_expr);
  if (!dst->con || !dst->con_expr) return VAGAP_ENOMEM;
  for (size_t k = 0; k < src->ncon; k++) {
    dst->con[k] = src->con[k];
    dst->con[k].lhs = strdup(src->con[k].lhs);
    dst->con[k].rhs = strdup(src->con[k].rhs);
    dst->ncon++;
    vagap_sem_def_t *d = calloc(1, sizeof *d);
    dst->con_expr[k] = d;
    if (!dst->con[k].lhs || !dst->con[k].rhs || !d) return VAGAP_ENOMEM;
    const vagap_sem_def_t *o = src->con_expr[k];
    size_t len = strlen(src->con[k].lhs) + strlen(src->con[k].rhs) + 8;
    char *text = malloc(len);
    if (!text) return VAGAP_ENOMEM;
    snprintf(text, len, "(%s)-(%s)", src->con[k].lhs, src->con[k].rhs);
    vagap_status_t st = sem_expr_parse(&d->expr, text, NULL, 0, 0, NULL);
    free(text);
    if (st) return st;
    size_t nn = sem_expr_nnames(d->expr);
    d->ref_row = malloc((nn ? nn : 1) * sizeof *d->ref_row);
    d->ref_def = malloc((nn ? nn : 1) * sizeof *d->ref_def);
    if (!d->ref_row || !d->ref_def) return VAGAP_ENOMEM;
    memcpy(d->ref_row, o->ref_row, nn * sizeof *d->ref_row);
    memcpy(d->ref_def, o->ref_def, nn * sizeof *d->ref_def);
  }
  return VAGAP_OK;
}

/* ---- evaluation ---------------------------------------------------------------- */

struct sem_con {
  const vagap_sem_model_t *m;
  sem_ws_t *ws;
  size_t K, neq, nin;
  size_t *eq, *in;      /* constraint indices of equalities, of inequalities */
  double *lb, *ub;      /* per free parameter */
  int bounded;
  double *defv, *defg;  /* := values and gradients (ndefs, ndefs x K) */
  double *v, *dv;       /* per-name scratch */
  size_t maxnames;
  size_t rank_eq;       /* rank of the equality Jacobian at the solution */
  sem_con_objective_t obj; /* another estimator's objective (value NULL: the workspace's) */
};

void sem_con_set_objective(struct sem_con *c, const sem_con_objective_t *obj) { c->obj = *obj; }

/* The objective, its information (its Hessian's expectation) and start values: the
   workspace's (ML, FIML) or those the estimator installed (sem_con_set_objective). */
static double con_objective(struct sem_con *c, const double *x, double *grad) {
  return c->obj.value ? c->obj.value(c->obj.ctx, x, grad) : sem_ws_objective(c->ws, x, grad);
}
static vagap_status_t con_information(struct sem_con *c, const double *x, gsl_matrix *info, vagap_error_t *err) {
  return c->obj.value ? c->obj.information(c->obj.ctx, x, info, err) : sem_ws_information(c->ws, x, info, err);
}
static void con_start(struct sem_con *c, double *x, int plain) {
  if (c->obj.value) c->obj.start(c->obj.ctx, x, plain);
  else sem_ws_start(c->ws, x, plain);
}

/* Value and gradient (K) of compiled expression d at x, := values in c->defv. */
static int eval_def(struct sem_con *c, const vagap_sem_def_t *d, const double *x, double *val, double *grad) {
  size_t nn = sem_expr_nnames(d->expr), K = c->K;
  memset(c->dv, 0, (nn ? nn : 1) * (K ? K : 1) * sizeof *c->dv);
  for (size_t k = 0; k < nn; k++) {
    if (d->ref_row[k] != NOREF) {
      const vagap_sem_param_t *row = &c->m->rows[d->ref_row[k]];
      if (row->free) {
        c->v[k] = x[row->free - 1];
        c->dv[k * K + row->free - 1] = 1;
      } else {
        c->v[k] = row->ustart;
      }
    } else {
      c->v[k] = c->defv[d->ref_def[k]];
      memcpy(c->dv + k * K, c->defg + d->ref_def[k] * K, K * sizeof *c->dv);
    }
  }
  return sem_expr_eval(d->expr, c->v, c->dv, K, val, grad) ? -1 : 0;
}

static int eval_defs(struct sem_con *c, const double *x) {
  for (size_t d = 0; d < c->m->ndefs; d++)
    if (eval_def(c, c->m->defs[d], x, &c->defv[d], c->defg + d * c->K)) return -1;
  return 0;
}

/* g_k(x) in lavaan's sign: == wants 0, inequalities want >= 0. */
static int eval_con(struct sem_con *c, size_t k, const double *x, double *val, double *grad) {
  if (eval_def(c, c->m->con_expr[k], x, val, grad)) return -1;
  if (c->m->con[k].op == VAGAP_SEM_CON_LT) {
    *val = -*val;
    if (grad)
      for (size_t j = 0; j < c->K; j++) grad[j] = -grad[j];
  }
  return 0;
}

void sem_con_free(struct sem_con *c) {
  if (!c) return;
  free(c->eq);
  free(c->in);
  free(c->lb);
  free(c->ub);
  free(c->defv);
  free(c->defg);
  free(c->v);
  free(c->dv);
  free(c);
}

static size_t max_names(const vagap_sem_model_t *m) {
  size_t n = 1;
  for (size_t d = 0; d < m->ndefs; d++)
    if (sem_expr_nnames(m->defs[d]->expr) > n) n = sem_expr_nnames(m->defs[d]->expr);
  for (size_t k = 0; k < m->ncon; k++)
    if (sem_expr_nnames(m->con_expr[k]->expr) > n) n = sem_expr_nnames(m->con_expr[k]->expr);
  return n;
}

int sem_con_needed(const vagap_sem_model_t *m) { return m->ncon > 0 || m->has_bounds; }

struct sem_con *sem_con_alloc(const vagap_sem_model_t *m, sem_ws_t *ws) {
  struct sem_con *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  size_t K = m->npar, nd = m->ndefs;
  c->m = m;
  c->ws = ws;
  c->K = K;
  c->maxnames = max_names(m);
  c->eq = malloc((m->ncon ? m->ncon : 1) * sizeof *c->eq);
  c->in = malloc((m->ncon ? m->ncon : 1) * sizeof *c->in);
  c->lb = malloc((K ? K : 1) * sizeof *c->lb);
  c->ub = malloc((K ? K : 1) * sizeof *c->ub);
  c->defv = calloc(nd ? nd : 1, sizeof *c->defv);
  c->defg = calloc((nd ? nd : 1) * (K ? K : 1), sizeof *c->defg);
  c->v = calloc(c->maxnames, sizeof *c->v);
  c->dv = calloc(c->maxnames * (K ? K : 1), sizeof *c->dv);
  if (!c->eq || !c->in || !c->lb || !c->ub || !c->defv || !c->defg || !c->v || !c->dv) {
    sem_con_free(c);
    return NULL;
  }
  for (size_t k = 0; k < m->ncon; k++) {
    if (m->con[k].op == VAGAP_SEM_CON_EQ) c->eq[c->neq++] = k;
    else c->in[c->nin++] = k;
  }
  for (size_t j = 0; j < K; j++) {
    c->lb[j] = -HUGE_VAL;
    c->ub[j] = HUGE_VAL;
  }
  /* rows sharing a parameter: the widest bounds (lavaanify does so) */
  int *seen_lo = calloc(K ? K : 1, sizeof *seen_lo), *seen_hi = calloc(K ? K : 1, sizeof *seen_hi);
  if (!seen_lo || !seen_hi) {
    free(seen_lo);
    free(seen_hi);
    sem_con_free(c);
    return NULL;
  }
  for (size_t r = 0; r < m->nrows; r++) {
    const vagap_sem_param_t *row = &m->rows[r];
    if (!row->free || row->op == VAGAP_SEM_DEFINED) continue;
    size_t j = row->free - 1;
    if (isfinite(row->lower)) {
      c->lb[j] = seen_lo[j] ? fmin(c->lb[j], row->lower) : row->lower;
      seen_lo[j] = 1;
      c->bounded = 1;
    }
    if (isfinite(row->upper)) {
      c->ub[j] = seen_hi[j] ? fmax(c->ub[j], row->upper) : row->upper;
      seen_hi[j] = 1;
      c->bounded = 1;
    }
  }
  free(seen_lo);
  free(seen_hi);
  return c;
}

/* Clip a starting point into the bounds. */
static void sem_con_clip(const struct sem_con *c, double *x) {
  for (size_t j = 0; j < c->K; j++) {
    if (x[j] < c->lb[j]) x[j] = c->lb[j];
    if (x[j] > c->ub[j]) x[j] = c->ub[j];
  }
}

/* ---- null space and pseudo-inverse of a constraint Jacobian -------------------- */

/*
 * For the m x K Jacobian J: an orthonormal basis Z (K x (K - r)) of its null
 * space, its rank r (singular values above tol * the largest, R's qr()
 * tolerance 1e-7), and if c != NULL the minimum-norm solution dp of J dp = -c.
 */
typedef struct {
  gsl_matrix *Z;  /* K x nz (NULL when nz = 0) */
  size_t nz, rank;
} nullspace_t;

static void nullspace_free(nullspace_t *ns) {
  if (ns->Z) gsl_matrix_free(ns->Z);
  ns->Z = NULL;
}

static int nullspace(const double *J, size_t m, size_t K, double tol, const double *cval, double *dp,
                     nullspace_t *ns) {
  ns->Z = NULL;
  ns->nz = K;
  ns->rank = 0;
  if (dp) memset(dp, 0, K * sizeof *dp);
  if (m == 0) {
    if (K) {
      ns->Z = gsl_matrix_calloc(K, K);
      if (!ns->Z) return -1;
      gsl_matrix_set_identity(ns->Z);
    }
    return 0;
  }
  /* B: K x r orthonormal basis of range(J'); pinv pieces from the SVD */
  int rc = 0;
  gsl_matrix *A, *V;
  gsl_vector *S, *work;
  int transposed = K >= m;  /* SVD of J' (K x m) or of J (m x K); GSL needs rows >= cols */
  size_t rows = transposed ? K : m, cols = transposed ? m : K;
  A = gsl_matrix_alloc(rows, cols);
  V = gsl_matrix_alloc(cols, cols);
  S = gsl_vector_alloc(cols);
  work = gsl_vector_alloc(cols);
  gsl_matrix *B = NULL, *Q = NULL, *R = NULL;
  gsl_vector *tau = NULL;
  if (!A || !V || !S || !work) { rc = -1; goto done; }
  for (size_t i = 0; i < m; i++)
    for (size_t j = 0; j < K; j++) {
      if (transposed) gsl_matrix_set(A, j, i, J[i * K + j]);
      else gsl_matrix_set(A, i, j, J[i * K + j]);
    }
  if (gsl_linalg_SV_decomp(A, V, S, work)) { rc = -1; goto done; }
  double smax = gsl_vector_get(S, 0);
  size_t r = 0;
  for (size_t k = 0; k < cols; k++)
    if (gsl_vector_get(S, k) > tol * smax && smax > 0) r++;
  ns->rank = r;
  ns->nz = K - r;
  /* transposed: J' = A S V' -> range(J') = A[:, :r], J+ = A S+ V'
     else:       J  = A S V' -> range(J') = V[:, :r], J+ = V S+ A' */
  const gsl_matrix *range = transposed ? A : V;
  if (dp && cval) {
    for (size_t k = 0; k < r; k++) {
      double coef = 0; /* (other factor)' (-c) / s_k */
      for (size_t i = 0; i < m; i++)
        coef -= (transposed ? gsl_matrix_get(V, i, k) : gsl_matrix_get(A, i, k)) * cval[i];
      coef /= gsl_vector_get(S, k);
      for (size_t j = 0; j < K; j++) dp[j] += gsl_matrix_get(range, j, k) * coef;
    }
  }
  if (ns->nz == 0) goto done;
  ns->Z = gsl_matrix_alloc(K, ns->nz);
  if (!ns->Z) { rc = -1; goto done; }
  if (r == 0) {
    gsl_matrix_set_identity(ns->Z);
    goto done;
  }
  /* complete B to an orthonormal basis of R^K: the last K - r columns of Q in B = QR */
  B = gsl_matrix_alloc(K, r);
  Q = gsl_matrix_alloc(K, K);
  R = gsl_matrix_alloc(K, r);
  tau = gsl_vector_alloc(r);
  if (!B || !Q || !R || !tau) { rc = -1; goto done; }
  for (size_t j = 0; j < K; j++)
    for (size_t k = 0; k < r; k++) gsl_matrix_set(B, j, k, gsl_matrix_get(range, j, k));
  if (gsl_linalg_QR_decomp(B, tau) || gsl_linalg_QR_unpack(B, tau, Q, R)) { rc = -1; goto done; }
  for (size_t j = 0; j < K; j++)
    for (size_t k = 0; k < ns->nz; k++) gsl_matrix_set(ns->Z, j, k, gsl_matrix_get(Q, j, r + k));
done:
  if (A) gsl_matrix_free(A);
  if (V) gsl_matrix_free(V);
  if (S) gsl_vector_free(S);
  if (work) gsl_vector_free(work);
  if (B) gsl_matrix_free(B);
  if (Q) gsl_matrix_free(Q);
  if (R) gsl_matrix_free(R);
  if (tau) gsl_vector_free(tau);
  if (rc) nullspace_free(ns);
  return rc;
}

/* ---- the active set --------------------------------------------------------------- */

#define ACTIVE_SLACK 1e-5  /* lavaan's nlminb.constr: an inequality with slack <= 1e-5 is active */

/*
 * Rows of the active constraints at x: all equalities, inequalities flagged
 * in `act`, and (if with_bounds) the coordinates at a flagged bound.  J is
 * (ncon + K) x K, cval the values (for a bound: x - bound).
 */
static size_t active_rows(struct sem_con *c, const double *x, const int *act, const int *bact, int with_bounds,
                          double *J, double *cval) {
  size_t K = c->K, m = 0;
  if (eval_defs(c, x)) return (size_t)-1;
  for (size_t e = 0; e < c->neq; e++, m++)
    if (eval_con(c, c->eq[e], x, &cval[m], J + m * K)) return (size_t)-1;
  for (size_t i = 0; i < c->nin; i++) {
    if (!act[i]) continue;
    if (eval_con(c, c->in[i], x, &cval[m], J + m * K)) return (size_t)-1;
    m++;
  }
  if (with_bounds)
    for (size_t j = 0; j < K; j++) {
      if (!bact[j]) continue;
      memset(J + m * K, 0, K * sizeof *J);
      J[m * K + j] = 1;
      cval[m] = x[j] - (bact[j] < 0 ? c->lb[j] : c->ub[j]);
      m++;
    }
  return m;
}

/* ---- NLopt callbacks ------------------------------------------------------------ */

static double obj_cb(unsigned n, const double *x, double *grad, void *data) {
  (void)n;
  struct sem_con *c = data;
  return con_objective(c, x, grad);
}

static void eq_cb(unsigned mres, double *result, unsigned n, const double *x, double *grad, void *data) {
  (void)n;
  struct sem_con *c = data;
  if (eval_defs(c, x)) return;
  for (unsigned e = 0; e < mres; e++) eval_con(c, c->eq[e], x, &result[e], grad ? grad + e * c->K : NULL);
}

/* NLopt wants fc(x) <= 0: fc = -g. */
static void in_cb(unsigned mres, double *result, unsigned n, const double *x, double *grad, void *data) {
  (void)n;
  struct sem_con *c = data;
  if (eval_defs(c, x)) return;
  for (unsigned i = 0; i < mres; i++) {
    double *gr = grad ? grad + i * c->K : NULL;
    eval_con(c, c->in[i], x, &result[i], gr);
    result[i] = -result[i];
    if (gr)
      for (size_t j = 0; j < c->K; j++) gr[j] = -gr[j];
  }
}

static double run_nlopt(struct sem_con *c, nlopt_algorithm alg, double *x, int max_eval) {
  size_t K = c->K;
  nlopt_opt opt = nlopt_create(alg, (unsigned)K), local = NULL;
  if (!opt) return HUGE_VAL;
  double *tol = malloc((c->neq + c->nin + 1) * sizeof *tol);
  nlopt_result rc = tol ? nlopt_set_min_objective(opt, obj_cb, c) : NLOPT_OUT_OF_MEMORY;
  for (size_t k = 0; tol && k < c->neq + c->nin + 1; k++) tol[k] = 1e-10;
  if (rc > 0 && c->bounded) rc = nlopt_set_lower_bounds(opt, c->lb);
  if (rc > 0 && c->bounded) rc = nlopt_set_upper_bounds(opt, c->ub);
  if (rc > 0 && c->neq) rc = nlopt_add_equality_mconstraint(opt, (unsigned)c->neq, eq_cb, c, tol);
  if (rc > 0 && c->nin) rc = nlopt_add_inequality_mconstraint(opt, (unsigned)c->nin, in_cb, c, tol);
  if (rc > 0) rc = nlopt_set_ftol_rel(opt, 1e-14);
  if (rc > 0) rc = nlopt_set_xtol_rel(opt, 1e-12);
  if (rc > 0) rc = nlopt_set_maxeval(opt, max_eval);
  if (rc > 0 && alg == NLOPT_AUGLAG) {
    local = nlopt_create(NLOPT_LD_LBFGS, (unsigned)K);
    if (!local) rc = NLOPT_OUT_OF_MEMORY;
    if (rc > 0) rc = nlopt_set_ftol_rel(local, 1e-12);
    if (rc > 0) rc = nlopt_set_xtol_rel(local, 1e-10);
    if (rc > 0) rc = nlopt_set_maxeval(local, max_eval);
    if (rc > 0) rc = nlopt_set_local_optimizer(opt, local);
  }
  double fmin = HUGE_VAL;
  if (rc > 0) rc = nlopt_optimize(opt, x, &fmin);
  if (local) nlopt_destroy(local);
  nlopt_destroy(opt);
  free(tol);
  return (rc > 0 || rc == NLOPT_ROUNDOFF_LIMITED) && isfinite(fmin) ? fmin : HUGE_VAL;
}

/* ---- Newton polish on the active set (constrained Fisher scoring) ----------------- */

typedef struct {
  double F, pg, viol;  /* objective, max |projected gradient|, max |violation| */
} kkt_t;

/* Flag active inequalities and bounds at x. */
static void flag_active(struct sem_con *c, const double *x, int *act, int *bact, double slack) {
  eval_defs(c, x);
  for (size_t i = 0; i < c->nin; i++) {
    double g;
    eval_con(c, c->in[i], x, &g, NULL);
    act[i] = g <= slack;
  }
  for (size_t j = 0; j < c->K; j++) {
    bact[j] = 0;
    if (isfinite(c->lb[j]) && x[j] <= c->lb[j] + 1e-9 * (1 + fabs(c->lb[j]))) bact[j] = -1;
    if (isfinite(c->ub[j]) && x[j] >= c->ub[j] - 1e-9 * (1 + fabs(c->ub[j]))) bact[j] = 1;
  }
}

/* Projected gradient and violation at x for the active set. */
static int measure(struct sem_con *c, const double *x, const int *act, const int *bact, double *J,
                   double *cval, double *grad, kkt_t *out) {
  size_t K = c->K;
  out->F = con_objective(c, x, grad);
  if (!isfinite(out->F)) return -1;
  size_t m = active_rows(c, x, act, bact, 1, J, cval);
  if (m == (size_t)-1) return -1;
  nullspace_t ns;
  if (nullspace(J, m, K, 1e-10, NULL, NULL, &ns)) return -1;
  out->pg = 0;
  for (size_t k = 0; k < ns.nz; k++) {
    double s = 0;
    for (size_t j = 0; j < K; j++) s += gsl_matrix_get(ns.Z, j, k) * grad[j];
    out->pg = fmax(out->pg, fabs(s)); /* the gradient along a feasible direction */
  }
  out->viol = 0;
  for (size_t i = 0; i < m; i++) out->viol = fmax(out->viol, fabs(cval[i]));
  /* inactive inequalities must hold */
  for (size_t i = 0; i < c->nin; i++) {
    if (act[i]) continue;
    double g;
    eval_con(c, c->in[i], x, &g, NULL);
    if (g < -1e-10) out->viol = fmax(out->viol, -g);
  }
  nullspace_free(&ns);
  return 0;
}

/*
 * Newton steps d = dp + Z u with J d = -c (dp minimum norm) and
 * (Z' I Z) u = -Z' (g + I dp): the quadratic model with the expected
 * information on the linearised active constraints, with step halving on
 * F + 10 * violation.  x ends at the iterate with the smallest projected
 * gradient (stopping early below 1e-10 with violation below 1e-13).
 */
static void polish(struct sem_con *c, double *x, const int *act, const int *bact, int max_steps,
                   vagap_error_t *err) {
  size_t K = c->K, mmax = c->neq + c->nin + K;
  double *J = malloc(mmax * K * sizeof *J), *cval = malloc(mmax * sizeof *cval),
         *grad = malloc(K * sizeof *grad), *dp = malloc(K * sizeof *dp), *xn = malloc(K * sizeof *xn),
         *d = malloc(K * sizeof *d), *best = malloc(K * sizeof *best);
  gsl_matrix *info = gsl_matrix_alloc(K, K);
  kkt_t cur, nxt;
  if (!J || !cval || !grad || !dp || !xn || !d || !best || !info) goto done;
  if (measure(c, x, act, bact, J, cval, grad, &cur)) goto done;
  memcpy(best, x, K * sizeof *x);
  kkt_t bestm = cur;
  for (int it = 0; it < max_steps; it++) {
    if (cur.pg < 1e-10 && cur.viol < 1e-13) break;
    size_t m = active_rows(c, x, act, bact, 1, J, cval);
    if (m == (size_t)-1) break;
    con_objective(c, x, grad);
    nullspace_t ns;
    if (nullspace(J, m, K, 1e-10, cval, dp, &ns)) break;
    if (con_information(c, x, info, err)) { nullspace_free(&ns); break; }
    size_t nz = ns.nz;
    memcpy(d, dp, K * sizeof *d);
    if (nz) {
      gsl_matrix *ZIZ = gsl_matrix_alloc(nz, nz), *IZ = gsl_matrix_alloc(K, nz);
      gsl_vector *rhs = gsl_vector_alloc(nz), *u = gsl_vector_alloc(nz), *h = gsl_vector_alloc(K);
      int ok = ZIZ && IZ && rhs && u && h;
      if (ok) {
        gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, info, ns.Z, 0.0, IZ);
        gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, ns.Z, IZ, 0.0, ZIZ);
        for (size_t j = 0; j < K; j++) {  /* h = g + I dp */
          double s = grad[j];
          for (size_t l = 0; l < K; l++) s += gsl_matrix_get(info, j, l) * dp[l];
          gsl_vector_set(h, j, s);
        }
        gsl_blas_dgemv(CblasTrans, -1.0, ns.Z, h, 0.0, rhs);
        gsl_error_handler_t *old = gsl_set_error_handler_off();
        ok = !gsl_linalg_cholesky_decomp1(ZIZ) && !gsl_linalg_cholesky_solve(ZIZ, rhs, u);
        gsl_set_error_handler(old);
        if (ok)
          for (size_t j = 0; j < K; j++) {
            double s = 0;
            for (size_t k = 0; k < nz; k++) s += gsl_matrix_get(ns.Z, j, k) * gsl_vector_get(u, k);
            d[j] += s;
          }
      }
      if (ZIZ) gsl_matrix_free(ZIZ);
      if (IZ) gsl_matrix_free(IZ);
      if (rhs) gsl_vector_free(rhs);
      if (u) gsl_vector_free(u);
      if (h) gsl_vector_free(h);
      if (!ok) { nullspace_free(&ns); break; }
    }
    nullspace_free(&ns);
    /* step halving on the merit F + rho * violation */
    double rho = 10, merit = cur.F + rho * cur.viol, t = 1;
    int accepted = 0;
    for (int h = 0; h < 20; h++, t *= 0.5) {
      for (size_t j = 0; j < K; j++) xn[j] = x[j] + t * d[j];
      sem_con_clip(c, xn);
      if (measure(c, xn, act, bact, J, cval, grad, &nxt)) continue;
      if (nxt.F + rho * nxt.viol <= merit + 1e-15 * (1 + fabs(merit)) || (nxt.pg < cur.pg && nxt.viol <= cur.viol)) {
        accepted = 1;
        break;
      }
    }
    if (!accepted) break;
    memcpy(x, xn, K * sizeof *x);
    cur = nxt;
    if (cur.viol <= bestm.viol * 10 + 1e-14 && cur.pg < bestm.pg) {
      bestm = cur;
      memcpy(best, x, K * sizeof *x);
    }
  }
  memcpy(x, best, K * sizeof *x);
done:
  free(J);
  free(cval);
  free(grad);
  free(dp);
  free(xn);
  free(d);
  free(best);
  if (info) gsl_matrix_free(info);
  vagap_error_clear(err);
}

/* Multipliers of the active inequalities at x (least squares); 1 if one has the wrong sign. */
static int release_wrong_sign(struct sem_con *c, const double *x, int *act, int *bact) {
  size_t K = c->K, mmax = c->neq + c->nin + K;
  double *J = malloc(mmax * K * sizeof *J), *cval = malloc(mmax * sizeof *cval), *grad = malloc(K * sizeof *grad);
  int changed = 0;
  if (!J || !cval || !grad) goto done;
  con_objective(c, x, grad);
  size_t m = active_rows(c, x, act, bact, 1, J, cval);
  if (m == (size_t)-1 || m == 0 || m > K) goto done;
  /* solve min |J' lambda - grad| by SVD of J' (K x m) */
  gsl_matrix *A = gsl_matrix_alloc(K, m), *V = gsl_matrix_alloc(m, m);
  gsl_vector *S = gsl_vector_alloc(m), *w = gsl_vector_alloc(m), *lam = gsl_vector_alloc(m),
             *b = gsl_vector_alloc(K);
  if (A && V && S && w && lam && b) {
    for (size_t i = 0; i < m; i++)
      for (size_t j = 0; j < K; j++) gsl_matrix_set(A, j, i, J[i * K + j]);
    for (size_t j = 0; j < K; j++) gsl_vector_set(b, j, grad[j]);
    if (!gsl_linalg_SV_decomp(A, V, S, w)) {
      double smax = gsl_vector_get(S, 0);
      for (size_t k = 0; k < m; k++)
        if (gsl_vector_get(S, k) <= 1e-10 * smax) gsl_vector_set(S, k, 0);
      if (!gsl_linalg_SV_solve(A, V, S, b, lam)) {
        /* grad = J' lambda; an active g >= 0 needs lambda >= 0, a lower bound
           lambda >= 0, an upper bound lambda <= 0 */
        size_t row = c->neq;
        for (size_t i = 0; i < c->nin; i++) {
          if (!act[i]) continue;
          if (gsl_vector_get(lam, row) < -1e-8) { act[i] = 0; changed = 1; }
          row++;
        }
        for (size_t j = 0; j < K; j++) {
          if (!bact[j]) continue;
          double l = gsl_vector_get(lam, row++);
          if ((bact[j] < 0 && l < -1e-8) || (bact[j] > 0 && l > 1e-8)) { bact[j] = 0; changed = 1; }
        }
      }
    }
  }
  if (A) gsl_matrix_free(A);
  if (V) gsl_matrix_free(V);
  if (S) gsl_vector_free(S);
  if (w) gsl_vector_free(w);
  if (lam) gsl_vector_free(lam);
  if (b) gsl_vector_free(b);
done:
  free(J);
  free(cval);
  free(grad);
  return changed;
}

/*
 * The constrained optimum (x need not hold anything on entry: each strategy
 * starts from sem_ws_start's values, informed then plain).  Returns
 * VAGAP_ENOCONV when no strategy reaches a KKT point (max projected
 * gradient < 1e-5, violation < 1e-8).
 */
vagap_status_t sem_con_optimise(struct sem_con *c, double *x, int max_iter, const char **method,
                                double *gnorm, vagap_error_t *err) {
  if (c->K == 0) {
    *gnorm = 0;
    return VAGAP_OK;
  }
  size_t K = c->K, mmax = c->neq + c->nin + K;
  int budget = max_iter > 0 ? max_iter : 10000;
  double *x0 = malloc(K * sizeof *x0), *best = malloc(K * sizeof *best), *J = malloc(mmax * K * sizeof *J),
         *cval = malloc(mmax * sizeof *cval), *grad = malloc(K * sizeof *grad);
  int *act = calloc(c->nin ? c->nin : 1, sizeof *act), *bact = calloc(K ? K : 1, sizeof *bact);
  vagap_status_t st = VAGAP_OK;
  if (!x0 || !best || !J || !cval || !grad || !act || !bact) {
    st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    goto done;
  }
  static const struct { nlopt_algorithm alg; int plain; const char *name; } plan[] = {
      {NLOPT_LD_SLSQP, 0, "nlopt LD_SLSQP + constrained Fisher scoring"},
      {NLOPT_AUGLAG, 0, "nlopt AUGLAG (LD_LBFGS) + constrained Fisher scoring"},
      {NLOPT_LD_SLSQP, 1, "nlopt LD_SLSQP + constrained Fisher scoring (plain start)"},
      {NLOPT_AUGLAG, 1, "nlopt AUGLAG (LD_LBFGS) + constrained Fisher scoring (plain start)"}};
  kkt_t bestm = {HUGE_VAL, HUGE_VAL, HUGE_VAL};
  for (size_t a = 0; a < sizeof plan / sizeof plan[0]; a++) {
    if (a > 0 && bestm.pg < 1e-5 && bestm.viol < 1e-8) break;
    /* starting values as the unconstrained fit's (user start() values included) */
    con_start(c, x0, plan[a].plain);
    sem_con_clip(c, x0);
    if (!isfinite(con_objective(c, x0, NULL))) {
      /* start values give a non-positive-definite Sigma: drop covariances */
      for (size_t r = 0; r < c->m->nrows; r++) {
        const vagap_sem_param_t *row = &c->m->rows[r];
        if (row->free && row->op == VAGAP_SEM_COVARIANCE && strcmp(row->lhs, row->rhs)) x0[row->free - 1] = 0;
      }
      sem_con_clip(c, x0);
    }
    memcpy(x, x0, K * sizeof *x);
    double F = run_nlopt(c, plan[a].alg, x, budget);
    if (!isfinite(F)) {
      memcpy(x, x0, K * sizeof *x);  /* polish from the start values instead */
      if (!isfinite(con_objective(c, x, NULL))) continue;
    }
    /* active set from the optimiser's point; release constraints whose
       multipliers have the wrong sign and re-polish (a few rounds) */
    flag_active(c, x, act, bact, 1e-7);
    for (int round = 0; round < 4; round++) {
      polish(c, x, act, bact, 100, err);
      int changed = release_wrong_sign(c, x, act, bact);
      /* an inactive inequality or bound that the polish violated becomes active */
      eval_defs(c, x);
      for (size_t i = 0; i < c->nin; i++) {
        double g;
        eval_con(c, c->in[i], x, &g, NULL);
        if (!act[i] && g < -1e-10) { act[i] = 1; changed = 1; }
      }
      if (!changed) break;
    }
    kkt_t m;
    if (measure(c, x, act, bact, J, cval, grad, &m)) continue;
    if (m.viol < 1e-8 && (m.pg < bestm.pg || bestm.viol >= 1e-8)) {
      bestm = m;
      memcpy(best, x, K * sizeof *x);
      *method = plan[a].name;
    }
    if (bestm.pg < 1e-6 && bestm.viol < 1e-8) break;
  }
  if (!isfinite(bestm.F)) {
    st = vagap_error_set(err, VAGAP_ENOCONV, NULL, 0, 0,
                         "the constrained optimiser found no point that satisfies the constraints");
    goto done;
  }
  memcpy(x, best, K * sizeof *x);
  *gnorm = bestm.pg;
  if (!(bestm.pg < 1e-5))
    st = vagap_error_set(err, VAGAP_ENOCONV, NULL, 0, 0,
                         "the constrained optimiser did not converge: largest projected gradient "
                         "component %.3g", bestm.pg);
done:
  free(x0);
  free(best);
  free(J);
  free(cval);
  free(grad);
  free(act);
  free(bact);
  return st;
}

/* ---- results ---------------------------------------------------------------------- */

/*
 * vcov = Z (Z' I Z)^-1 Z' / N over the equality and active inequality
 * constraints (not the bounds); records each constraint's value and
 * activity and the rank of the equality Jacobian (for df and npar).
 */
vagap_status_t sem_con_vcov(struct sem_con *c, const double *x, const gsl_matrix *info, double N,
                            double *vcov, vagap_sem_model_t *out, vagap_error_t *err) {
  size_t K = c->K, m = 0;
  double *J = malloc((c->neq + c->nin + 1) * (K ? K : 1) * sizeof *J);
  if (!J) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  vagap_status_t st = VAGAP_OK;
  eval_defs(c, x);
  for (size_t k = 0; k < out->ncon; k++) {
    double g;
    eval_con(c, k, x, &g, NULL);
    out->con[k].value = out->con[k].op == VAGAP_SEM_CON_LT ? -g : g; /* lhs - rhs */
    out->con[k].active = out->con[k].op == VAGAP_SEM_CON_EQ || g <= ACTIVE_SLACK;
  }
  for (size_t e = 0; e < c->neq; e++, m++) {
    double g;
    eval_con(c, c->eq[e], x, &g, J + m * K);
  }
  nullspace_t ns;
  if (nullspace(J, m, K, 1e-7, NULL, NULL, &ns)) { st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory"); goto done; }
  c->rank_eq = ns.rank;
  nullspace_free(&ns);
  for (size_t i = 0; i < c->nin; i++) {
    if (!out->con[c->in[i]].active) continue;
    double g;
    eval_con(c, c->in[i], x, &g, J + m * K);
    m++;
  }
  if (nullspace(J, m, K, 1e-10, NULL, NULL, &ns)) { st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory"); goto done; }
  memset(vcov, 0, K * K * sizeof *vcov);
  if (ns.nz) {
    size_t nz = ns.nz;
    gsl_matrix *IZ = gsl_matrix_alloc(K, nz), *ZIZ = gsl_matrix_alloc(nz, nz), *W = gsl_matrix_alloc(nz, K);
    if (!IZ || !ZIZ || !W) st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    if (!st) {
      gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, info, ns.Z, 0.0, IZ);
      gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, ns.Z, IZ, 0.0, ZIZ);
      gsl_error_handler_t *old = gsl_set_error_handler_off();
      int bad = gsl_linalg_cholesky_decomp1(ZIZ);
      gsl_set_error_handler(old);
      if (bad) {
        st = vagap_error_set(err, VAGAP_EMODEL, NULL, 0, 0,
                             "the information matrix restricted by the constraints is singular: the model "
                             "is not identified under its constraints");
      } else {
        /* W = (Z'IZ)^-1 Z' column by column, vcov = Z W / N */
        gsl_vector *col = gsl_vector_alloc(nz);
        for (size_t j = 0; col && j < K; j++) {
          for (size_t k = 0; k < nz; k++) gsl_vector_set(col, k, gsl_matrix_get(ns.Z, j, k));
          gsl_linalg_cholesky_svx(ZIZ, col);
          for (size_t k = 0; k < nz; k++) gsl_matrix_set(W, k, j, gsl_vector_get(col, k));
        }
        if (col) gsl_vector_free(col);
        for (size_t a = 0; a < K; a++)
          for (size_t b = 0; b < K; b++) {
            double s = 0;
            for (size_t k = 0; k < nz; k++) s += gsl_matrix_get(ns.Z, a, k) * gsl_matrix_get(W, k, b);
            vcov[a * K + b] = s / N;
          }
        for (size_t a = 0; a < K; a++)  /* exact symmetry, as lavaan enforces */
          for (size_t b = a + 1; b < K; b++) vcov[a * K + b] = vcov[b * K + a] = 0.5 * (vcov[a * K + b] + vcov[b * K + a]);
      }
    }
    if (IZ) gsl_matrix_free(IZ);
    if (ZIZ) gsl_matrix_free(ZIZ);
    if (W) gsl_matrix_free(W);
  }
  nullspace_free(&ns);
done:
  free(J);
  return st;
}

size_t sem_con_rank(const struct sem_con *c) { return c ? c->rank_eq : 0; }

/*
 * lavaan's parameterEstimates(): an SE below sqrt(machine epsilon) is 0
 * with z and p NA (an active constraint pins the estimate), and with bounds
 * the p-value of an estimate at its lower bound is NA.
 */
void sem_con_finish_rows(vagap_sem_model_t *out) {
  const double tiny = sqrt(2.220446049250313e-16);
  int bounds = out->has_bounds;
  for (size_t r = 0; r < out->nrows; r++) {
    vagap_sem_param_t *row = &out->rows[r];
    if (!row->free && row->op != VAGAP_SEM_DEFINED) continue;
    if (isfinite(row->se) && row->se < tiny) {
      row->se = 0;
      row->z = row->pvalue = NAN;
      row->ci_lower = row->ci_upper = row->est;
    } else if (isnan(row->se)) {
      row->z = row->pvalue = NAN;
    }
    if (bounds && row->op != VAGAP_SEM_DEFINED &&
        (fabs(row->lower - row->est) < tiny || fabs(row->upper - row->est) < tiny))
      row->pvalue = NAN;
  }
}
