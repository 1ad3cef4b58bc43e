/*
 * sem_resample.c - refitting bootstrap resamples of complete-data ML fast.
 *
 * A resample is a small perturbation of the full sample: its optimum lies next
 * to the full-sample estimates x0.  The refit starts there and takes Newton-type
 * steps x <- x - t M^-1 g(x) (t = 1, halved until F does not increase) with a
 * metric M that is kept while it works and refreshed when it stops working:
 *   - first M = I0, the expected information at x0, computed and factored once
 *     per thread (in the group blocks the fit keeps, sem_ws_metric_factor): the
 *     information at x0 does not depend on the sample, so the first step is a
 *     Fisher-scoring step for free;
 *   - when the Newton decrement g' M^-1 g falls by less than RESAMPLE_REFRESH in
 *     a step, M becomes the observed information (the Hessian of F, straight
 *     into the blocks) at the current point, so the steps are Newton's; on these
 *     samples the resample's curvature differs from I0 by factors 0.5-2 in some
 *     directions, and the expected information alone would contract at only
 *     ~0.3 per step.
 * A step costs one objective with its gradient; a resample of the 24-indicator,
 * 4-group benchmark takes about 6 steps and 2 refreshes where sem_fit_from's
 * search takes ~35 evaluations and ~8 information matrices.  The refit stops
 * when g' M^-1 g < RESAMPLE_DECREMENT (1 + |F|): its estimates are then within
 * ~5e-11 of the optimum in double precision on the 4-group benchmarks, as close as
 * sem_fit_from's Newton polish leaves them.  When the step before contracted the
 * decrement so fast that one more whole step predicts it far below that tolerance, that
 * step is taken without evaluating its end (its F could not be told apart anyway).
 * Saturated means (every observed intercept free and its own) are concentrated out:
 * fixed at the resample's means, the iteration runs over the other parameters only
 * (see "saturated means" below).  Where the iteration fails (a metric that is not positive
 * definite, no decrease along a step, no convergence in RESAMPLE_MAX_STEPS) the
 * caller refits the resample by sem_fit_from, so every resample that fitted
 * before fits, and one that fails here fails with sem_fit_from's status.
 * See doc/methods.md, "Bootstrap".
 *
 * The resample's moments come from the distinct drawn rows weighted by their
 * counts, not from a copy of the drawn rows.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_matrix.h>

#include "sem_internal.h"

/* Stop when g' M^-1 g < RESAMPLE_DECREMENT (1 + |F|): a step of about 1e-11 in the
   metric's units (F's scale: one standard error is about 1/sqrt(N) of them), where
   sem_fit_from's Newton polish leaves its estimates too. */
#define RESAMPLE_DECREMENT 1e-22
/* A last step is taken without evaluating its end when the contraction of the step before
   predicts a decrement below RESAMPLE_PREDICTED times the tolerance there. */
#define RESAMPLE_PREDICTED 0.1
/* When the decrement falls by less than RESAMPLE_REFRESH in a step (a rate above 0.1),
   the metric is refreshed at the current point, at most RESAMPLE_MAX_REFRESH times;
   where the refreshed metric had to be the expected information (the Hessian not
   positive definite there), again only below RESAMPLE_REFRESH_EXPECTED: Fisher scoring's
   own rate (~0.27 per step on the benchmark models, 0.07 in the decrement) does not
   improve by refreshing it.  Without a refresh
   left, a step must still cut the decrement by RESAMPLE_SLOW (at most 3 that do not);
   give up (the full path refits) after RESAMPLE_MAX_STEPS or RESAMPLE_HALVINGS halvings. */
#define RESAMPLE_REFRESH 0.01
#define RESAMPLE_REFRESH_EXPECTED 0.25
#define RESAMPLE_MAX_REFRESH 4
#define RESAMPLE_SLOW 0.5
#define RESAMPLE_MAX_SLOW 3
#define RESAMPLE_MAX_STEPS 50
#define RESAMPLE_HALVINGS 12

/* The problem the Newton iteration solves: F of ws (bound to the resample) over its K
   parameters from x0, with ws0's factored metric as the first one. */
typedef struct {
  sem_ws_t *ws0, *ws;
  size_t K;
  double *x0;
} refit_problem_t;

/* Saturated means concentrated out (see concentrate()): the model with every observed
   intercept fixed at the resample's mean, its own parameters numbered 1..K. */
typedef struct {
  vagap_sem_model_t *model;
  refit_problem_t prob;
  size_t *of_full;  /* [full K]: the concentrated index of a full parameter, or SIZE_MAX for an intercept */
  size_t nicpt;
  size_t *icpt_row; /* [nicpt] the intercept's row (the same in both models) */
  size_t *icpt_full; /* [nicpt] its index among the full parameters */
  size_t *icpt_at;  /* [nicpt] its mean's place in the stats' means: group * nvar + column */
  double *x;        /* [K] the concentrated estimates */
} concentrated_t;

struct sem_resample {
  sem_ws_t *ws;         /* the whole model, which fills the result's rows */
  size_t K;             /* its parameters */
  refit_problem_t full; /* the iteration over all of them (ws = the ws above), where conc is NULL */
  concentrated_t *conc; /* the iteration with saturated means concentrated out, or NULL */
  vagap_sem_fit_t *fit; /* the resample's result, reused */
  double ci_level;
  int max_evals;        /* the fit options' evaluation budget (--max-evaluations) */
  double *g, *d, *xn, *gn; /* [K] */
};

static void problem_free(refit_problem_t *pb) {
  sem_ws_free(pb->ws0);
  sem_ws_free(pb->ws);
  free(pb->x0);
}

/* The problem's workspaces for `model` (its x0 set; its iterating ws made unless given):
   the iterating one with the low-rank form of F and its gradient where it applies, and I0,
   the expected information at x0, factored.  VAGAP_EDOMAIN: no workspace, or I0 is
   singular (the full path then refits every resample). */
static vagap_status_t problem_init(refit_problem_t *pb, const vagap_sem_model_t *model,
                                   const vagap_sem_stats_t *stats, vagap_sem_likelihood_t lik) {
  vagap_error_t e;
  vagap_status_t st = sem_ws_alloc(&pb->ws0, model, stats, lik, &e);
  if (!st && !pb->ws) st = sem_ws_alloc(&pb->ws, model, stats, lik, &e);
  if (st) return st == VAGAP_ENOMEM ? st : VAGAP_EDOMAIN;
  sem_ws_lowrank(pb->ws, 1);
  return sem_ws_metric_factor(pb->ws0, pb->x0, 0, NULL) ? VAGAP_EDOMAIN : VAGAP_OK;
}

static void concentrated_free(concentrated_t *c) {
  if (!c) return;
  problem_free(&c->prob);
  vagap_sem_model_free(c->model);
  free(c->of_full);
  free(c->icpt_row);
  free(c->icpt_full);
  free(c->icpt_at);
  free(c->x);
  free(c);
}

void sem_resample_free(sem_resample_t *r) {
  if (!r) return;
  sem_ws_free(r->full.ws0);
  sem_ws_free(r->ws);
  free(r->full.x0);
  concentrated_free(r->conc);
  vagap_sem_fit_free(r->fit);
  free(r->g);
  free(r->d);
  free(r->xn);
  free(r->gn);
  free(r);
}

/* Does the fast refit apply (options resolved)?  Estimates only (the resamples of
   `vagap sem --bootstrap`; vaar's keep their SEs), complete-data ML from the moments, no
   constraints. */
static int applies(const vagap_sem_model_t *model, const vagap_sem_fit_options_t *opt) {
  return (opt->compute == VAGAP_SEM_COMPUTE_ESTIMATES || opt->se == VAGAP_SEM_SE_NONE) &&
         opt->missing == VAGAP_SEM_MISSING_LISTWISE && !sem_model_is_categorical(model) &&
         !sem_con_needed(model) && model->npar > 0;
}

/* ---- saturated means ----------------------------------------------------------------

   When every observed variable of every group has an intercept of its own (free, shared
   with no other row), no path starts at an observed variable and the latent means are
   fixed at 0, the implied means are the intercepts themselves (mu = F B m with B's
   observed columns those of the identity), so F is minimised over them by mu = ybar
   whatever the other parameters: the usual multi-group model without equal intercepts.
   The refit then fixes them at the resample's means and iterates over the other
   parameters only.  At every point it visits, ybar - mu = 0, so the gradient with respect
   to the intercepts is zero and the metric (expected or observed information) has no
   entries linking them to the others: the iteration over the rest is the one the full
   iteration would take, in a smaller system (on the 24-indicator benchmark 51 of 75
   parameters per group). */

/* Are the means saturated by free intercepts (the comment above)?  uses[k]: the rows
   that have parameter k. */
static int means_saturated(const vagap_sem_model_t *m, const size_t *uses) {
  if (!m->meanstructure) return 0;
  size_t p = m->nov, G = m->ngroups;
  unsigned char *own = calloc(G * p + 1, 1); /* group g's ov i has its own free intercept */
  if (!own) return 0;
  int ok = 1;
  for (size_t r = 0; r < m->nrows && ok; r++) {
    const vagap_sem_param_t *row = &m->rows[r];
    if (row->exo) ok = 0;
    /* a path from an observed variable: y ~ x with x observed */
    else if (row->op == VAGAP_SEM_REGRESSION) ok = sem_model_var_index(m, row->rhs) >= p;
    else if (row->op == VAGAP_SEM_INTERCEPT && row->group >= 1 && (size_t)row->group <= G) {
      size_t i = sem_model_var_index(m, row->lhs);
      if (i >= p) ok = !row->free && row->ustart == 0; /* a latent mean, fixed at 0 */
      else if (!row->free || uses[row->free - 1] != 1 || own[(size_t)(row->group - 1) * p + i]) ok = 0;
      else own[(size_t)(row->group - 1) * p + i] = 1;
    }
  }
  for (size_t k = 0; k < G * p && ok; k++) ok = own[k];
  free(own);
  return ok;
}

/* The concentrated problem into *out (NULL where the means are not saturated or nothing
   would be left); VAGAP_OK, VAGAP_ENOMEM, or VAGAP_EDOMAIN as problem_init. */
static vagap_status_t concentrate(concentrated_t **out, const vagap_sem_model_t *model,
                                  const vagap_sem_stats_t *stats, vagap_sem_likelihood_t lik, const double *x0) {
  size_t K = model->npar, p = model->nov, P = stats->nvar;
  *out = NULL;
  size_t *uses = calloc(K, sizeof *uses);
  if (!uses) return VAGAP_ENOMEM;
  for (size_t r = 0; r < model->nrows; r++)
    if (model->rows[r].free && model->rows[r].free <= K) uses[model->rows[r].free - 1]++;
  int ok = means_saturated(model, uses) && model->ngroups * p < K;
  free(uses);
  if (!ok) return VAGAP_OK;
  concentrated_t *c = calloc(1, sizeof *c);
  if (!c || !(c->model = sem_model_copy(model)) || !(c->of_full = calloc(K, sizeof *c->of_full)) ||
      !(c->icpt_row = malloc(model->ngroups * p * sizeof *c->icpt_row)) ||
      !(c->icpt_full = malloc(model->ngroups * p * sizeof *c->icpt_full)) ||
      !(c->icpt_at = malloc(model->ngroups * p * sizeof *c->icpt_at))) {
    concentrated_free(c);
    return VAGAP_ENOMEM;
  }
  vagap_sem_model_t *cm = c->model;
  for (size_t r = 0; r < cm->nrows; r++) {
    vagap_sem_param_t *row = &cm->rows[r];
    size_t i = sem_model_var_index(cm, row->lhs);
    if (row->op != VAGAP_SEM_INTERCEPT || i >= p) continue;
    size_t col = 0;
    while (col < P && strcmp(stats->var[col], cm->ov[i])) col++;
    c->of_full[row->free - 1] = SIZE_MAX;
    c->icpt_row[c->nicpt] = r;
    c->icpt_full[c->nicpt] = row->free - 1;
    c->icpt_at[c->nicpt++] = (size_t)(row->group - 1) * P + col;
    row->free = 0;
    row->ustart = stats->mean[(size_t)(row->group - 1) * P + col];
  }
  /* the others keep their order (and equalities: rows sharing a parameter share its new number) */
  size_t Kc = 0;
  for (size_t k = 0; k < K; k++)
    if (c->of_full[k] != SIZE_MAX) c->of_full[k] = Kc++;
  for (size_t r = 0; r < cm->nrows; r++)
    if (cm->rows[r].free) cm->rows[r].free = c->of_full[cm->rows[r].free - 1] + 1;
  cm->npar = Kc;
  c->prob.K = Kc;
  if (!(c->prob.x0 = malloc(Kc * sizeof *c->prob.x0)) || !(c->x = malloc(Kc * sizeof *c->x))) {
    concentrated_free(c);
    return VAGAP_ENOMEM;
  }
  for (size_t k = 0; k < K; k++)
    if (c->of_full[k] != SIZE_MAX) c->prob.x0[c->of_full[k]] = x0[k];
  vagap_status_t st = problem_init(&c->prob, cm, stats, lik);
  if (st) concentrated_free(c);
  else *out = c;
  return st;
}

/* The full estimates from the concentrated ones and the resample's means. */
static void expand(const concentrated_t *c, const vagap_sem_stats_t *stats, size_t K, double *x) {
  for (size_t k = 0; k < K; k++)
    if (c->of_full[k] != SIZE_MAX) x[k] = c->x[c->of_full[k]];
  for (size_t a = 0; a < c->nicpt; a++) x[c->icpt_full[a]] = stats->mean[c->icpt_at[a]];
}

int sem_resample_applies(const vagap_sem_model_t *model, const vagap_sem_fit_options_t *opt_in) {
  vagap_sem_fit_options_t opt;
  if (opt_in) opt = *opt_in;
  else vagap_sem_fit_options_init(&opt);
  return !vagap_sem_fit_options_resolve(&opt, 0, NULL) && applies(model, &opt);
}

vagap_status_t sem_resample_alloc(sem_resample_t **out, const vagap_sem_model_t *model,
                                  const vagap_sem_stats_t *stats, const vagap_sem_fit_options_t *opt_in,
                                  const double *x0, vagap_error_t *err) {
  *out = NULL;
  if (!x0 || !sem_resample_applies(model, opt_in)) return VAGAP_OK;
  vagap_sem_fit_options_t opt;
  if (opt_in) opt = *opt_in;
  else vagap_sem_fit_options_init(&opt);
  vagap_sem_fit_options_resolve(&opt, 0, NULL);
  size_t K = model->npar;
  sem_resample_t *r = calloc(1, sizeof *r);
  if (!r) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  r->ci_level = opt.ci_level;
  r->max_evals = opt.max_iter > 0 ? opt.max_iter : 10000;
  r->K = K;
  r->g = malloc(K * sizeof *r->g);
  r->d = malloc(K * sizeof *r->d);
  r->xn = malloc(K * sizeof *r->xn);
  r->gn = malloc(K * sizeof *r->gn);
  r->fit = calloc(1, sizeof *r->fit);
  if (!r->g || !r->d || !r->xn || !r->gn || !r->fit ||
      !(r->fit->x = malloc(K * sizeof *r->fit->x)) || !(r->fit->model = sem_model_copy(model))) {
    sem_resample_free(r);
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  }
  opt.se = VAGAP_SEM_SE_NONE;
  opt.compute = VAGAP_SEM_COMPUTE_ESTIMATES;
  r->fit->options = opt;
  vagap_error_t e;
  vagap_status_t st = sem_ws_alloc(&r->ws, model, stats, opt.likelihood, &e);
  if (!st) st = concentrate(&r->conc, model, stats, opt.likelihood, x0);
  if (!st && !r->conc) { /* the iteration over all parameters, in the rows' workspace */
    r->full.ws = r->ws;
    r->full.K = K;
    if (!(r->full.x0 = malloc(K * sizeof *r->full.x0))) st = VAGAP_ENOMEM;
    else memcpy(r->full.x0, x0, K * sizeof *x0);
    if (!st) st = problem_init(&r->full, model, stats, opt.likelihood);
  }
  /* a singular information at x0 (or no workspace): the full path for every resample */
  if (st) {
    sem_resample_free(r);
    return st == VAGAP_ENOMEM ? vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory") : VAGAP_OK;
  }
  *out = r;
  return VAGAP_OK;
}

size_t sem_resample_concentrated(const sem_resample_t *r) { return r && r->conc ? r->conc->nicpt : 0; }

/* ---- the resample's moments ------------------------------------------------------ */

vagap_status_t sem_resample_centre(sem_centred_t *c, const vagap_sem_data_t *data, const double *shift) {
  size_t n = data->nobs, p = data->nvar;
  memset(c, 0, sizeof *c);
  c->shift = shift;
  c->z = malloc((n * p + 1) * sizeof *c->z);
  c->finite = malloc(n ? n : 1);
  if (!c->z || !c->finite) {
    sem_resample_centred_free(c);
    return VAGAP_ENOMEM;
  }
  for (size_t i = 0; i < n; i++) {
    const double *xr = data->x + i * p, *s = shift + data->group[i] * p;
    double *zr = c->z + i * p;
    int finite = 1;
    for (size_t j = 0; j < p; j++) {
      zr[j] = xr[j] - s[j];
      finite &= isfinite(xr[j]) != 0;
    }
    c->finite[i] = (unsigned char)finite;
  }
  return VAGAP_OK;
}

void sem_resample_centred_free(sem_centred_t *c) {
  free(c->z);
  free(c->finite);
  c->z = NULL;
  c->finite = NULL;
}

/* Group g's mean and covariance (divisor n) from the distinct rows rows[0..m) with counts
   c (sum n) of the rows z centred at s: delta = sum c z / n, mean = s + delta,
   cov = sum (c / n) z z' - delta delta', by rank-1 updates (BLAS dsyr) of the lower
   triangle.  With s the full sample's mean of the group, delta is of the order of a
   standard error, so the subtraction loses no digits (the shifted-data algorithm).
   (GSL's reference dsyrk forms each entry as a dot product, bound by the latency of its
   additions: 2.5 times slower here than the rank-1 updates, whose inner loop is an axpy.) */
static void weighted_moments(const double *z, size_t p, const size_t *rows, size_t m, const double *c, double n,
                             const double *s, double *mean, double *cov) {
  double delta[p];
  memset(delta, 0, sizeof delta);
  gsl_matrix_view C = gsl_matrix_view_array(cov, p, p);
  gsl_matrix_set_zero(&C.matrix);
  for (size_t a = 0; a < m; a++) {
    const double *zr = z + rows[a] * p;
    for (size_t j = 0; j < p; j++) delta[j] += c[a] * zr[j];
    gsl_vector_const_view zv = gsl_vector_const_view_array(zr, p);
    gsl_blas_dsyr(CblasLower, c[a] / n, &zv.vector, &C.matrix);
  }
  for (size_t j = 0; j < p; j++) {
    delta[j] /= n;
    mean[j] = s[j] + delta[j];
  }
  gsl_vector_view dv = gsl_vector_view_array(delta, p);
  gsl_blas_dsyr(CblasLower, -1.0, &dv.vector, &C.matrix);
  for (size_t i = 0; i < p; i++)
    for (size_t j = 0; j < i; j++) cov[j * p + i] = cov[i * p + j];
}

vagap_status_t sem_resample_moments(vagap_sem_stats_t *stats, const vagap_sem_data_t *data, const sem_centred_t *cz,
                                    const size_t *idx, const size_t *order, const size_t *start, double *count,
                                    size_t *rows, double *scratch, vagap_error_t *err) {
  size_t p = data->nvar;
  for (size_t g = 0; g < data->ngroups; g++) {
    size_t lo = start[g], n = start[g + 1] - lo;
    if (n < 2) return vagap_error_set(err, VAGAP_EDOMAIN, NULL, 0, 0, "a group has fewer than 2 rows");
    for (size_t k = lo; k < lo + n; k++) count[idx[k]] += 1;
    /* the distinct drawn rows in the group's row order, their counts alongside */
    size_t m = 0;
    double *c = scratch;
    int finite = 1;
    for (size_t k = lo; k < lo + n; k++) {
      size_t i = order[k];
      if (count[i] == 0) continue;
      finite &= cz->finite[i];
      rows[m] = i;
      c[m++] = count[i];
      count[i] = 0;
    }
    if (!finite) return vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0, "a drawn row has a missing value");
    weighted_moments(cz->z, p, rows, m, c, (double)n, cz->shift + g * p, stats->mean + g * p, stats->cov + g * p * p);
    stats->n[g] = (double)n;
  }
  return VAGAP_OK;
}

/* ---- the refit --------------------------------------------------------------------- */

/* d = M^-1 g for the factored metric M, and the Newton decrement g' d. */
static double decrement(const sem_ws_t *metric, const double *g, double *d, size_t K) {
  sem_ws_metric_solve(metric, g, d);
  double dec = 0;
  for (size_t k = 0; k < K; k++) dec += g[k] * d[k];
  return dec;
}

/* x from the problem's x0 to the resample's optimum; 0, or -1 when the iteration fails. */
static int newton_refit(sem_resample_t *r, const refit_problem_t *pb, double *x) {
  sem_ws_t *ws = pb->ws;
  const sem_ws_t *metric = pb->ws0; /* I0 = I(x0), the expected information at the start */
  size_t K = pb->K;
  double *g = r->g, *d = r->d, *xn = r->xn, *gn = r->gn;
  memcpy(x, pb->x0, K * sizeof *x);
  double F = sem_ws_objective(ws, x, g), dec_prev = HUGE_VAL;
  int refreshes = 0, slow = 0, expected = 0; /* expected: the refreshed metric is the expected information */
  int evals = 1; /* objective evaluations: over the budget, the full path (which honours it too) decides */
  int full_step = 0; /* the last step was a whole one (t = 1) with the metric in use */
  if (!isfinite(F)) return -1; /* fixed.x rows: the resample's values may not fit x0 */
  for (int step = 0; step < RESAMPLE_MAX_STEPS; step++) {
    double dec = decrement(metric, g, d, K);
    if (!(dec >= 0)) return -1;
    double tol = RESAMPLE_DECREMENT * (1 + fabs(F));
    if (dec < tol) return 0; /* x is the last point evaluated */
    if (full_step && dec * (dec / dec_prev) < RESAMPLE_PREDICTED * tol) {
      /* the last whole step cut the decrement by dec / dec_prev with this metric; one more
         leaves it far below tol: take it without evaluating its end (whose F could not be
         told from this one's in double precision anyway) */
      for (size_t k = 0; k < K; k++) x[k] -= d[k];
      return 0;
    }
    full_step = 0;
    double refresh_at = expected ? RESAMPLE_REFRESH_EXPECTED : RESAMPLE_REFRESH;
    if (dec > refresh_at * dec_prev && refreshes < RESAMPLE_MAX_REFRESH) {
      /* the metric has drifted from the curvature: the observed information at x (the
         expected one where that is not positive definite), kept while it contracts */
      expected = sem_ws_metric_factor(ws, x, 1, NULL) != 0;
      if (expected && sem_ws_metric_factor(ws, x, 0, NULL)) return -1;
      refreshes++;
      metric = ws;
      if (!((dec = decrement(metric, g, d, K)) >= 0)) return -1;
    } else if (dec > RESAMPLE_SLOW * dec_prev && ++slow >= RESAMPLE_MAX_SLOW) {
      return -1;
    }
    dec_prev = dec;
    double t = 1, Fn = HUGE_VAL, slack = 1e-14 * (1 + fabs(F));
    int h = 0;
    for (; h < RESAMPLE_HALVINGS; h++, t *= 0.5) {
      if (++evals > r->max_evals) return -1;
      for (size_t k = 0; k < K; k++) xn[k] = x[k] - t * d[k];
      Fn = sem_ws_objective(ws, xn, gn);
      if (isfinite(Fn) && Fn <= F + slack) break;
    }
    if (h == RESAMPLE_HALVINGS) return -1;
    full_step = h == 0;
    memcpy(x, xn, K * sizeof *x);
    double *s = g;
    g = gn;
    gn = s;
    F = Fn;
  }
  return -1;
}

vagap_status_t sem_resample_fit(sem_resample_t *r, const vagap_sem_stats_t *stats, const vagap_sem_fit_t **out,
                                vagap_error_t *err) {
  *out = NULL;
  vagap_sem_fit_t *fit = r->fit;
  /* the workspace that iterates takes the resample's moments; with the means concentrated
     out, the whole model's (which fills the rows) needs none: it has no fixed.x rows */
  concentrated_t *c = r->conc;
  if (c)
    for (size_t a = 0; a < c->nicpt; a++) c->model->rows[c->icpt_row[a]].ustart = stats->mean[c->icpt_at[a]];
  vagap_status_t st = sem_ws_set_sample(c ? c->prob.ws : r->full.ws, stats, err);
  if (st) return st;
  if (c ? newton_refit(r, &c->prob, c->x) : newton_refit(r, &r->full, fit->x))
    return vagap_error_set(err, VAGAP_ENOCONV, NULL, 0, 0, "the resample's refit did not converge");
  if (c) expand(c, stats, r->K, fit->x);
  for (size_t i = 0; i < fit->nwarnings; i++) free(fit->warnings[i]);
  free(fit->warnings);
  fit->warnings = NULL;
  fit->nwarnings = 0;
  fit->converged = 1;
  fit->iterations = 0;
  /* what sem_fit_from fills with se = "none": rows (NAN SEs, lavaan's post-check), := rows */
  if ((st = sem_ws_fill_rows(r->ws, fit, fit->x, NULL, r->ci_level, err)) ||
      (st = sem_ws_fill_defined(r->ws, fit->model, NULL, r->ci_level, err)))
    return st;
  if (sem_defined_check(fit)) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  *out = fit;
  return VAGAP_OK;
}
