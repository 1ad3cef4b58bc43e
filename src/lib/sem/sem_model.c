/*
 * sem_model.c - from parsed syntax to lavaan's parameter table.
 *
 * Follows lavaan 0.6's lavaanify()/lav_partable_flat() with the options that
 * sem() and cfa() set: int.ov.free, auto.fix.first (unless std.lv),
 * auto.fix.single, auto.var, auto.cov.lv.x, auto.cov.y, fixed.x.  The row
 * order is lavaan's: per group, the user's rows in the order written, then
 * the default rows (variances of observed non-covariates and latents,
 * covariances of exogenous latents, of pure dependent variables, the
 * covariate block, intercepts), then the := rows.  Equality (shared labels,
 * group.equal) is one free parameter shared by several rows.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sem_internal.h"
#include "vagap/sem.h"

/* ---- small string sets ---------------------------------------------------- */

typedef struct {
  size_t n, cap;
  char **s;  /* borrowed pointers */
} names_t;

static int names_find(const names_t *v, const char *s) {
  for (size_t i = 0; i < v->n; i++)
    if (!strcmp(v->s[i], s)) return (int)i;
  return -1;
}

static int names_push(names_t *v, char *s) {
  if (v->n == v->cap) {
    size_t cap = v->cap ? 2 * v->cap : 16;
    char **p = realloc(v->s, cap * sizeof *p);
    if (!p) return -1;
    v->s = p;
    v->cap = cap;
  }
  v->s[v->n++] = s;
  return 0;
}

/* Append s unless it is present. */
static int names_add(names_t *v, char *s) {
  return names_find(v, s) >= 0 ? 0 : names_push(v, s);
}

static void names_free(names_t *v) { free(v->s); }

/* Index of a variable among ov (0..nov-1) then lv (nov..), or (size_t)-1: the
   row/column of the model matrices the fitter and the simulator build */
size_t sem_model_var_index(const vagap_sem_model_t *m, const char *name) {
  for (size_t i = 0; i < m->nov; i++)
    if (!strcmp(m->ov[i], name)) return i;
  for (size_t i = 0; i < m->nlv; i++)
    if (!strcmp(m->lv[i], name)) return m->nov + i;
  return (size_t)-1;
}

void vagap_sem_model_options_init(vagap_sem_model_options_t *opt) {
  memset(opt, 0, sizeof *opt);
  opt->fixed_x = 1;
  opt->meanstructure = -1;
  opt->int_ov_free = 1;
  opt->auto_fix_first = opt->auto_fix_single = opt->auto_var = 1;
  opt->auto_cov_lv_x = opt->auto_cov_y = 1;
}

static const struct {
  const char *name;
  unsigned flag;
} group_equal_names[] = {
    {"loadings", VAGAP_SEM_EQ_LOADINGS},
    {"intercepts", VAGAP_SEM_EQ_INTERCEPTS},
    {"regressions", VAGAP_SEM_EQ_REGRESSIONS},
    {"residuals", VAGAP_SEM_EQ_RESIDUALS},
    {"residual.covariances", VAGAP_SEM_EQ_RESIDUAL_COVARIANCES},
    {"lv.variances", VAGAP_SEM_EQ_LV_VARIANCES},
    {"lv.covariances", VAGAP_SEM_EQ_LV_COVARIANCES},
    {"means", VAGAP_SEM_EQ_MEANS},
    {"thresholds", VAGAP_SEM_EQ_THRESHOLDS},
};

vagap_status_t vagap_sem_group_equal_parse(const char *list, unsigned *flags,
                                           vagap_error_t *err) {
  *flags = 0;
  const char *s = list;
  while (s && *s) {
    while (*s == ' ' || *s == ',') s++;
    if (!*s) break;
    const char *e = s;
    while (*e && *e != ',' && *e != ' ') e++;
    size_t len = (size_t)(e - s), k;
    size_t nn = sizeof group_equal_names / sizeof group_equal_names[0];
    for (k = 0; k < nn; k++)
      if (strlen(group_equal_names[k].name) == len && !strncmp(group_equal_names[k].name, s, len))
        break;
    if (k == nn)
      return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                             "unknown group.equal name '%.*s' (known: loadings, intercepts, "
                             "regressions, residuals, residual.covariances, lv.variances, "
                             "lv.covariances, means, thresholds)", (int)len, s);
    *flags |= group_equal_names[k].flag;
    s = e;
  }
  return VAGAP_OK;
}

/* ---- the table under construction ----------------------------------------- */

typedef struct {
  vagap_sem_param_t *rows;
  size_t n, cap;
  const vagap_sem_statement_t **stmt; /* the statement of a user row, else NULL */
} table_t;

static vagap_status_t table_add(table_t *t, const char *lhs, vagap_sem_op_t op, const char *rhs,
                                const vagap_sem_statement_t *stmt, vagap_error_t *err) {
  if (t->n == t->cap) {
    size_t cap = t->cap ? 2 * t->cap : 64;
    vagap_sem_param_t *r = realloc(t->rows, cap * sizeof *r);
    if (!r) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    t->rows = r;
    const vagap_sem_statement_t **s = realloc(t->stmt, cap * sizeof *s);
    if (!s) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    t->stmt = s;
    t->cap = cap;
  }
  vagap_sem_param_t *r = &t->rows[t->n];
  memset(r, 0, sizeof *r);
  r->lhs = strdup(lhs);
  r->rhs = strdup(rhs);
  r->label = strdup("");
  r->op = op;
  r->user = stmt != NULL;
  r->free = 1; /* "free" flag until indices are assigned */
  r->ustart = NAN;
  r->lower = -INFINITY;
  r->upper = INFINITY;
  r->est = r->se = r->z = r->pvalue = r->ci_lower = r->ci_upper = r->std_lv = r->std_all = r->std_nox = NAN;
  t->stmt[t->n] = stmt;
  t->n++;
  if (!r->lhs || !r->rhs || !r->label)
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  return VAGAP_OK;
}

static void free_rows(vagap_sem_param_t *rows, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(rows[i].lhs);
    free(rows[i].rhs);
    free(rows[i].label);
  }
  free(rows);
}

static void free_def(vagap_sem_def_t *d) {
  if (!d) return;
  sem_expr_free(d->expr);
  free(d->ref_row);
  free(d->ref_def);
  free(d);
}

void vagap_sem_model_free(vagap_sem_model_t *m) {
  if (!m) return;
  free_rows(m->rows, m->nrows);
  for (size_t i = 0; i < m->nov; i++) free(m->ov[i]);
  for (size_t i = 0; i < m->nlv; i++) free(m->lv[i]);
  free(m->ov);
  free(m->ov_is_x);
  free(m->ov_exo);
  free(m->lv);
  for (size_t i = 0; i < m->ndefs; i++) free_def(m->defs[i]);
  free(m->defs);
  sem_constraints_free(m);
  free(m);
}

/* Same relation?  ~~ is symmetric. */
static int same_relation(const char *l1, vagap_sem_op_t o1, const char *r1, const char *l2,
                         vagap_sem_op_t o2, const char *r2) {
  if (o1 != o2) return 0;
  if (!strcmp(l1, l2) && !strcmp(r1, r2)) return 1;
  return o1 == VAGAP_SEM_COVARIANCE && !strcmp(l1, r2) && !strcmp(r1, l2);
}

/* ---- variable classes (lav_partable_vnames) -------------------------------- */

typedef struct {
  names_t lv, v_ind, eqs_y, eqs_x, ov_ind, ov, ov_x, ov_nox, lv_x, lv_y, ov_y_pure;
} vnames_t;

static void vnames_free(vnames_t *v) {
  names_free(&v->lv); names_free(&v->v_ind); names_free(&v->eqs_y); names_free(&v->eqs_x);
  names_free(&v->ov_ind); names_free(&v->ov); names_free(&v->ov_x); names_free(&v->ov_nox);
  names_free(&v->lv_x); names_free(&v->lv_y); names_free(&v->ov_y_pure);
}

static int classify(const vagap_sem_syntax_t *syn, vnames_t *v) {
  int bad = 0;
  const vagap_sem_statement_t *st = syn->st;
  size_t n = syn->n;
  for (size_t i = 0; i < n; i++)
    if (st[i].op == VAGAP_SEM_LOADING) bad |= names_add(&v->lv, st[i].lhs);
  for (size_t i = 0; i < n; i++) {
    if (st[i].op == VAGAP_SEM_LOADING) bad |= names_add(&v->v_ind, st[i].rhs);
    if (st[i].op == VAGAP_SEM_REGRESSION) {
      bad |= names_add(&v->eqs_y, st[i].lhs);
    }
  }
  for (size_t i = 0; i < n; i++)
    if (st[i].op == VAGAP_SEM_REGRESSION) bad |= names_add(&v->eqs_x, st[i].rhs);
  names_t ov_y = {0}, ov_xr = {0}, extra = {0};
  for (size_t i = 0; i < v->v_ind.n; i++)
    if (names_find(&v->lv, v->v_ind.s[i]) < 0) bad |= names_add(&v->ov_ind, v->v_ind.s[i]);
  for (size_t i = 0; i < v->eqs_y.n; i++) {
    char *s = v->eqs_y.s[i];
    if (names_find(&v->lv, s) < 0 && names_find(&v->ov_ind, s) < 0) bad |= names_add(&ov_y, s);
  }
  for (size_t i = 0; i < v->eqs_x.n; i++) {
    char *s = v->eqs_x.s[i];
    if (names_find(&v->lv, s) < 0 && names_find(&v->ov_ind, s) < 0 && names_find(&ov_y, s) < 0)
      bad |= names_add(&ov_xr, s);
  }
  /* orphans: ~~ lhs, then ~~ rhs, then ~1 lhs */
  for (size_t i = 0; i < n; i++)
    if (st[i].op == VAGAP_SEM_COVARIANCE && names_find(&v->lv, st[i].lhs) < 0)
      bad |= names_add(&extra, st[i].lhs);
  for (size_t i = 0; i < n; i++)
    if (st[i].op == VAGAP_SEM_COVARIANCE && names_find(&v->lv, st[i].rhs) < 0)
      bad |= names_add(&extra, st[i].rhs);
  for (size_t i = 0; i < n; i++)
    if (st[i].op == VAGAP_SEM_INTERCEPT && names_find(&v->lv, st[i].lhs) < 0)
      bad |= names_add(&extra, st[i].lhs);
  for (size_t i = 0; i < v->ov_ind.n; i++) bad |= names_add(&v->ov, v->ov_ind.s[i]);
  for (size_t i = 0; i < ov_y.n; i++) bad |= names_add(&v->ov, ov_y.s[i]);
  for (size_t i = 0; i < ov_xr.n; i++) bad |= names_add(&v->ov, ov_xr.s[i]);
  for (size_t i = 0; i < extra.n; i++) bad |= names_add(&v->ov, extra.s[i]);
  /* covariates lose that status when the user gives them a (co)variance or intercept */
  for (size_t i = 0; i < ov_xr.n; i++) {
    int mentioned = 0;
    for (size_t k = 0; k < n; k++)
      if ((st[k].op == VAGAP_SEM_COVARIANCE &&
           (!strcmp(st[k].lhs, ov_xr.s[i]) || !strcmp(st[k].rhs, ov_xr.s[i]))) ||
          (st[k].op == VAGAP_SEM_INTERCEPT && !strcmp(st[k].lhs, ov_xr.s[i])))
        mentioned = 1;
    if (!mentioned) bad |= names_add(&v->ov_x, ov_xr.s[i]);
  }
  for (size_t i = 0; i < v->ov.n; i++)
    if (names_find(&v->ov_x, v->ov.s[i]) < 0) bad |= names_add(&v->ov_nox, v->ov.s[i]);
  for (size_t i = 0; i < v->lv.n; i++) {
    char *s = v->lv.s[i];
    if (names_find(&v->v_ind, s) < 0 && names_find(&v->eqs_y, s) < 0) bad |= names_add(&v->lv_x, s);
    if (names_find(&v->eqs_y, s) >= 0 && names_find(&v->v_ind, s) < 0 &&
        names_find(&v->eqs_x, s) < 0)
      bad |= names_add(&v->lv_y, s);
  }
  for (size_t i = 0; i < v->ov.n; i++) {
    char *s = v->ov.s[i];
    if (names_find(&v->eqs_y, s) >= 0 && names_find(&v->v_ind, s) < 0 &&
        names_find(&v->eqs_x, s) < 0 && names_find(&v->lv, s) < 0)
      bad |= names_add(&v->ov_y_pure, s);
  }
  names_free(&ov_y);
  names_free(&ov_xr);
  names_free(&extra);
  return bad;
}

/* ---- building --------------------------------------------------------------- */

/* number of thresholds of an ordered variable (opt->ordered), -1 when not ordered */
static int ordered_nth(const vagap_sem_model_options_t *opt, const char *name) {
  for (size_t k = 0; k < opt->n_ordered; k++)
    if (!strcmp(opt->ordered[k], name)) return opt->ordered_nth[k];
  return -1;
}

/* The default rows of lav_partable_flat: every (residual) variance (fixed to
   0 later when !auto_var), the covariances auto.cov.lv.x and auto.cov.y ask
   for, those of the covariates, and with a mean structure every intercept. */
static vagap_status_t add_defaults(table_t *t, const vnames_t *v, int meanstructure,
                                   const vagap_sem_model_options_t *opt, const table_t *user,
                                   vagap_error_t *err) {
  table_t d = {0};
  vagap_status_t st = VAGAP_OK;
  /* lavaan's flat table: thresholds of the ordered variables come first */
  for (size_t i = 0; !st && i < v->ov.n; i++)
    for (int k = 1; !st && k <= ordered_nth(opt, v->ov.s[i]); k++) {
      char th[24];
      snprintf(th, sizeof th, "t%d", k);
      st = table_add(&d, v->ov.s[i], VAGAP_SEM_THRESHOLD, th, NULL, err);
    }
  for (size_t i = 0; !st && i < v->ov_nox.n; i++)
    st = table_add(&d, v->ov_nox.s[i], VAGAP_SEM_COVARIANCE, v->ov_nox.s[i], NULL, err);
  for (size_t i = 0; !st && i < v->lv.n; i++)
    st = table_add(&d, v->lv.s[i], VAGAP_SEM_COVARIANCE, v->lv.s[i], NULL, err);
  for (size_t i = 0; !st && opt->auto_cov_lv_x && i < v->lv_x.n; i++)
    for (size_t j = i + 1; !st && j < v->lv_x.n; j++)
      st = table_add(&d, v->lv_x.s[i], VAGAP_SEM_COVARIANCE, v->lv_x.s[j], NULL, err);
  names_t y = {0};
  for (size_t i = 0; i < v->lv_y.n; i++) names_push(&y, v->lv_y.s[i]);
  for (size_t i = 0; i < v->ov_y_pure.n; i++) names_push(&y, v->ov_y_pure.s[i]);
  for (size_t i = 0; !st && opt->auto_cov_y && i < y.n; i++)
    for (size_t j = i + 1; !st && j < y.n; j++)
      st = table_add(&d, y.s[i], VAGAP_SEM_COVARIANCE, y.s[j], NULL, err);
  names_free(&y);
  for (size_t j = 0; !st && j < v->ov_x.n; j++)
    for (size_t i = j; !st && i < v->ov_x.n; i++)
      st = table_add(&d, v->ov_x.s[j], VAGAP_SEM_COVARIANCE, v->ov_x.s[i], NULL, err);
  /* then the scale factors of the latent responses (delta parameterization) */
  for (size_t i = 0; !st && i < v->ov.n; i++)
    if (ordered_nth(opt, v->ov.s[i]) >= 0)
      st = table_add(&d, v->ov.s[i], VAGAP_SEM_SCALE, v->ov.s[i], NULL, err);
  if (meanstructure) {
    for (size_t i = 0; !st && i < v->ov.n; i++)
      st = table_add(&d, v->ov.s[i], VAGAP_SEM_INTERCEPT, "", NULL, err);
    for (size_t i = 0; !st && i < v->lv.n; i++)
      st = table_add(&d, v->lv.s[i], VAGAP_SEM_INTERCEPT, "", NULL, err);
  }
  for (size_t i = 0; !st && i < d.n; i++) {
    const vagap_sem_param_t *r = &d.rows[i];
    int dup = 0;
    for (size_t k = 0; k < user->n && !dup; k++)
      dup = same_relation(r->lhs, r->op, r->rhs, user->rows[k].lhs, user->rows[k].op,
                          user->rows[k].rhs);
    if (!dup) st = table_add(t, r->lhs, r->op, r->rhs, NULL, err);
  }
  free_rows(d.rows, d.n);
  free(d.stmt);
  return st;
}

static int is_in(const names_t *v, const char *s) { return names_find(v, s) >= 0; }

/* Fix and free defaults of one group's rows (lav_partable_flat), in its
   order: auto.var, std.lv, auto.fix.first, auto.fix.single, orthogonal,
   intercepts, fixed.x; the user's modifiers come later and win. */
static void set_default_freedom(table_t *t, const vnames_t *v, const vagap_sem_model_options_t *opt,
                                int meanstructure) {
  vagap_sem_param_t *r = t->rows;
  if (!opt->auto_var) /* lavaan(): a variance not in the syntax is zero */
    for (size_t i = 0; i < t->n; i++)
      if (!r[i].user && r[i].op == VAGAP_SEM_COVARIANCE && !strcmp(r[i].lhs, r[i].rhs)) {
        r[i].free = 0;
        r[i].ustart = 0;
      }
  if (opt->std_lv)
    for (size_t i = 0; i < t->n; i++)
      if (r[i].op == VAGAP_SEM_COVARIANCE && !strcmp(r[i].lhs, r[i].rhs) && is_in(&v->lv, r[i].lhs)) {
        r[i].free = 0;
        r[i].ustart = 1;
      }
  if (opt->auto_fix_first && !opt->std_lv) {  /* marker: first indicator of each latent */
    names_t seen = {0};
    for (size_t i = 0; i < t->n; i++)
      if (r[i].op == VAGAP_SEM_LOADING && !is_in(&seen, r[i].lhs)) {
        names_push(&seen, r[i].lhs);
        r[i].free = 0;
        r[i].ustart = 1;
      }
    names_free(&seen);
  }
  /* auto.fix.single: the one indicator of a single-indicator latent has no residual variance */
  for (size_t i = 0; opt->auto_var && opt->auto_fix_single && i < t->n; i++) {
    if (r[i].op != VAGAP_SEM_LOADING) continue;
    size_t nind = 0, nuse = 0;
    for (size_t k = 0; k < t->n; k++)
      if (r[k].op == VAGAP_SEM_LOADING) {
        if (!strcmp(r[k].lhs, r[i].lhs)) nind++;
        if (!strcmp(r[k].rhs, r[i].rhs)) nuse++;
      }
    if (nind == 1 && nuse == 1 && strcmp(r[i].lhs, r[i].rhs))
      for (size_t k = 0; k < t->n; k++)
        if (!r[k].user && r[k].op == VAGAP_SEM_COVARIANCE && !strcmp(r[k].lhs, r[i].rhs) &&
            !strcmp(r[k].rhs, r[i].rhs)) {
          r[k].free = 0;
          r[k].ustart = 0;
        }
  }
  /* int.lv.free / int.ov.free: growth() frees the latent means and fixes the
     observed intercepts (of the non-covariates) to 0 */
  if (meanstructure)
    for (size_t i = 0; i < t->n; i++)
      if (!r[i].user && r[i].op == VAGAP_SEM_INTERCEPT &&
          ((is_in(&v->lv, r[i].lhs) && !opt->int_lv_free) ||
           (!opt->int_ov_free && is_in(&v->ov, r[i].lhs)))) { /* covariates: fixed.x below */
        r[i].free = 0;
        r[i].ustart = 0;
      }
  /* ordered variables (lavaan's categorical defaults, delta parameterization):
     intercept 0, residual variance fixed (its value follows from the others:
     diag of the latent response covariance = 1 / delta^2), scale factor 1 */
  for (size_t i = 0; i < t->n; i++) {
    if (r[i].user || ordered_nth(opt, r[i].lhs) < 0) continue;
    if (r[i].op == VAGAP_SEM_INTERCEPT || r[i].op == VAGAP_SEM_SCALE ||
        (r[i].op == VAGAP_SEM_COVARIANCE && !strcmp(r[i].lhs, r[i].rhs))) {
      r[i].free = 0;
      r[i].ustart = r[i].op == VAGAP_SEM_INTERCEPT ? 0 : 1;
    }
  }
  /* orthogonal: every default covariance between two latents stays in the
     table, fixed to 0 (lavaan 0.6: lv.names, so also those auto.cov.y adds
     between endogenous latents) */
  if (opt->orthogonal)
    for (size_t i = 0; i < t->n; i++)
      if (!r[i].user && r[i].op == VAGAP_SEM_COVARIANCE && strcmp(r[i].lhs, r[i].rhs) &&
          is_in(&v->lv, r[i].lhs) && is_in(&v->lv, r[i].rhs)) {
        r[i].free = 0;
        r[i].ustart = 0;
      }
  for (size_t i = 0; i < t->n; i++) {
    if (r[i].user) continue;
    int xvar = r[i].op == VAGAP_SEM_COVARIANCE && is_in(&v->ov_x, r[i].lhs) && is_in(&v->ov_x, r[i].rhs);
    int xint = r[i].op == VAGAP_SEM_INTERCEPT && is_in(&v->ov_x, r[i].lhs);
    if (opt->fixed_x && (xvar || xint)) {
      r[i].free = 0;
      r[i].exo = 1;
      r[i].ustart = NAN;
    }
  }
}

static vagap_status_t replicate_groups(table_t *t, size_t per_group, size_t ngroups,
                                       vagap_error_t *err) {
  for (size_t g = 1; g < ngroups; g++)
    for (size_t i = 0; i < per_group; i++) {
      vagap_sem_param_t src = t->rows[i];
      vagap_status_t st = table_add(t, src.lhs, src.op, src.rhs, t->stmt[i], err);
      if (st) return st;
      vagap_sem_param_t *r = &t->rows[t->n - 1];
      r->user = src.user;
      r->exo = src.exo;
      r->free = src.free;
      r->ustart = src.ustart;
      r->group = r->block = (int)g + 1;
    }
  for (size_t i = 0; i < per_group; i++) t->rows[i].group = t->rows[i].block = 1;
  return VAGAP_OK;
}

static vagap_status_t apply_modifiers(table_t *t, size_t ngroups, const char *source,
                                      vagap_error_t *err) {
  for (size_t i = 0; i < t->n; i++) {
    const vagap_sem_statement_t *s = t->stmt[i];
    if (!s || !s->nmod) continue;
    if (s->nmod != 1 && s->nmod != ngroups)
      return vagap_error_set(err, VAGAP_EMODEL, source, s->line, s->column,
                             "c(...) has %zu elements but there %s %zu group%s (%s %s %s)",
                             s->nmod, ngroups == 1 ? "is" : "are", ngroups,
                             ngroups == 1 ? "" : "s", s->lhs, vagap_sem_op_string(s->op), s->rhs);
    vagap_sem_param_t *r = &t->rows[i];
    const vagap_sem_modifier_t *m = &s->mod[s->nmod == 1 ? 0 : (size_t)r->group - 1];
    /* lavaan's order (lavaanify): fixed/NA, then start (which also sets the
       value of a fixed row), then bounds, then the label */
    switch (m->kind) {
      case VAGAP_SEM_MOD_FIXED: r->free = 0; r->ustart = m->value; r->exo = 0; break;
      case VAGAP_SEM_MOD_FREE: r->free = 1; r->ustart = NAN; r->exo = 0; break;
      case VAGAP_SEM_MOD_LABEL:
      case VAGAP_SEM_MOD_NONE: break;
    }
    if (isfinite(m->start)) {
      r->ustart = m->start;
      r->exo = 0;
    }
    if (m->lower > -INFINITY) r->lower = m->lower;
    if (m->upper < INFINITY) r->upper = m->upper;
    if (m->label) {
      char *l = strdup(m->label);
      if (!l) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
      free(r->label);
      r->label = l;
    }
  }
  return VAGAP_OK;
}

/* lavaan's equality label of each row (lav_partable_labels). */
static char **equality_labels(const table_t *t, size_t ngroups, const vnames_t *v,
                              const vagap_sem_model_options_t *opt) {
  char **lab = calloc(t->n, sizeof *lab);
  if (!lab) return NULL;
  for (size_t i = 0; i < t->n; i++) {
    const vagap_sem_param_t *r = &t->rows[i];
    size_t len = strlen(r->lhs) + strlen(r->rhs) + 32;
    if (!(lab[i] = malloc(len))) goto fail;
    snprintf(lab[i], len, "%s%s%s", r->lhs, vagap_sem_op_string(r->op),
             r->op == VAGAP_SEM_INTERCEPT ? "" : r->rhs);
    if (r->group > 1) {
      size_t l0 = strlen(lab[i]);
      snprintf(lab[i] + l0, len - l0, ".g%d", r->group);
    }
  }
  unsigned ge = opt->group_equal;
  if (ngroups > 1 && ge) {
    size_t per = t->n / ngroups;
    for (size_t i = 0; i < per; i++) {
      const vagap_sem_param_t *r = &t->rows[i];
      int same = r->lhs && !strcmp(r->lhs, r->rhs);
      int flag = 0;
      switch (r->op) {
        case VAGAP_SEM_LOADING: flag = (ge & VAGAP_SEM_EQ_LOADINGS) != 0; break;
        case VAGAP_SEM_REGRESSION: flag = (ge & VAGAP_SEM_EQ_REGRESSIONS) != 0; break;
        case VAGAP_SEM_THRESHOLD: flag = (ge & VAGAP_SEM_EQ_THRESHOLDS) != 0; break;
        case VAGAP_SEM_INTERCEPT:
          flag = ((ge & VAGAP_SEM_EQ_INTERCEPTS) && is_in(&v->ov_nox, r->lhs)) ||
                 ((ge & VAGAP_SEM_EQ_MEANS) && is_in(&v->lv, r->lhs));
          break;
        case VAGAP_SEM_COVARIANCE:
          if (is_in(&v->ov_nox, r->lhs))
            flag = same ? (ge & VAGAP_SEM_EQ_RESIDUALS) != 0 : (ge & VAGAP_SEM_EQ_RESIDUAL_COVARIANCES) != 0;
          else if (is_in(&v->lv, r->lhs))
            flag = same ? (ge & VAGAP_SEM_EQ_LV_VARIANCES) != 0 : (ge & VAGAP_SEM_EQ_LV_COVARIANCES) != 0;
          break;
        default: break;
      }
      for (size_t k = 0; flag && k < opt->n_group_partial; k++) {
        /* compare with blanks removed */
        char buf[512];
        size_t o = 0;
        for (const char *c = opt->group_partial[k]; *c && o + 1 < sizeof buf; c++)
          if (*c != ' ' && *c != '\t') buf[o++] = *c;
        buf[o] = '\0';
        if (!strcmp(buf, lab[i])) flag = 0;
      }
      if (!flag) continue;
      for (size_t g = 1; g < ngroups; g++) {
        size_t j = g * per + i;
        char *c = strdup(lab[i]);
        if (!c) goto fail;
        free(lab[j]);
        lab[j] = c;
      }
    }
  }
  for (size_t i = 0; i < t->n; i++)
    if (t->rows[i].label[0]) {
      char *c = strdup(t->rows[i].label);
      if (!c) goto fail;
      free(lab[i]);
      lab[i] = c;
    }
  return lab;
fail:
  for (size_t i = 0; i < t->n; i++) free(lab[i]);
  free(lab);
  return NULL;
}

/* A row's label and index, sorted by label then index: rows sharing a label become
   neighbours, the first of them the smallest index. */
typedef struct {
  const char *label;
  size_t row;
} labelled_row_t;

static int labelled_row_cmp(const void *a, const void *b) {
  const labelled_row_t *x = a, *y = b;
  int c = strcmp(x->label, y->label);
  if (c) return c;
  return (x->row > y->row) - (x->row < y->row);
}

/* Rows sharing a label form one parameter: fixed if any is fixed, else one free index.
   The rows are grouped by sorting their labels (O(n log n): a model of many groups
   has thousands of rows). */
static vagap_status_t assign_free_indices(table_t *t, char **lab, size_t *npar,
                                          vagap_error_t *err) {
  size_t n = t->n;
  size_t *ref = malloc((n ? n : 1) * sizeof *ref);
  labelled_row_t *by = malloc((n ? n : 1) * sizeof *by);
  if (!ref || !by) {
    free(ref);
    free(by);
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  }
  for (size_t i = 0; i < n; i++) by[i] = (labelled_row_t){lab[i], i};
  qsort(by, n, sizeof *by, labelled_row_cmp);
  vagap_sem_param_t *r = t->rows;
  for (size_t a = 0, b; a < n; a = b) {
    /* by[a .. b): the rows of one label, by[a].row the first */
    size_t first = by[a].row, fixed_at = n;
    for (b = a; b < n && !strcmp(by[b].label, by[a].label); b++) {
      ref[by[b].row] = first;
      if (!r[by[b].row].free && fixed_at == n) fixed_at = by[b].row;
    }
    if (b - a < 2) continue;
    for (size_t c = a; c < b; c++) {
      size_t k = by[c].row;
      if (fixed_at < n) {
        r[k].free = 0;
        r[k].ustart = r[fixed_at].ustart;
      } else if (!r[k].label[0]) {
        char buf[32];
        snprintf(buf, sizeof buf, ".p%zu.", first + 1);
        char *dup = strdup(buf);
        if (!dup) {
          free(ref);
          free(by);
          return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
        }
        free(r[k].label);
        r[k].label = dup;
      }
    }
  }
  free(by);
  size_t *idx = calloc(n, sizeof *idx);
  if (!idx) { free(ref); return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory"); }
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (!r[i].free) { r[i].free = 0; continue; }
    if (ref[i] != i && idx[ref[i]]) r[i].free = idx[ref[i]];
    else r[i].free = idx[i] = ++k;
  }
  *npar = k;
  free(idx);
  free(ref);
  return VAGAP_OK;
}

/* Bounds of a fixed row mean nothing (lavaan sets them to its value); the
   optimiser reads the widest bounds of the rows of a shared parameter. */
static void merge_bounds(table_t *t, size_t npar) {
  (void)npar;
  for (size_t i = 0; i < t->n; i++)
    if (!t->rows[i].free) {
      t->rows[i].lower = -INFINITY;
      t->rows[i].upper = INFINITY;
    }
}

/* lavaan writes a covariance with the variable that comes first in
   (latents, observed) order on the left (lav_partable_covariance_reorder). */
static int covariance_swapped(const vnames_t *v, const char *lhs, const char *rhs) {
  if (!strcmp(lhs, rhs)) return 0;
  int a = names_find(&v->lv, lhs), b = names_find(&v->lv, rhs);
  long ia = a >= 0 ? a : (long)v->lv.n + names_find(&v->ov, lhs);
  long ib = b >= 0 ? b : (long)v->lv.n + names_find(&v->ov, rhs);
  return ia > ib;
}

static vagap_status_t check_user_rows(const vagap_sem_syntax_t *syn, const vnames_t *v,
                                      const char *source, vagap_error_t *err) {
  for (size_t i = 0; i < syn->n; i++) {
    const vagap_sem_statement_t *s = &syn->st[i];
    if (vagap_sem_op_is_constraint(s->op)) continue;
    if (s->op == VAGAP_SEM_DEFINED) {
      if (is_in(&v->lv, s->lhs) || is_in(&v->ov, s->lhs))
        return vagap_error_set(err, VAGAP_EMODEL, source, s->line, s->column,
                               "defined parameter '%s' has the name of a variable", s->lhs);
      continue;
    }
    if (s->op == VAGAP_SEM_LOADING && !strcmp(s->lhs, s->rhs))
      return vagap_error_set(err, VAGAP_EMODEL, source, s->line, s->column,
                             "latent variable '%s' cannot be its own indicator", s->lhs);
    if (s->op == VAGAP_SEM_REGRESSION && !strcmp(s->lhs, s->rhs))
      return vagap_error_set(err, VAGAP_EMODEL, source, s->line, s->column,
                             "'%s' cannot be regressed on itself", s->lhs);
    for (size_t k = 0; k < i; k++) {
      const vagap_sem_statement_t *u = &syn->st[k];
      if (vagap_sem_op_is_constraint(u->op)) continue;
      if (u->op != VAGAP_SEM_DEFINED && same_relation(s->lhs, s->op, s->rhs, u->lhs, u->op, u->rhs))
        return vagap_error_set(err, VAGAP_EMODEL, source, s->line, s->column,
                               "duplicate statement %s %s %s (first at line %ld)", s->lhs,
                               vagap_sem_op_string(s->op), s->rhs, u->line);
      if (s->op == VAGAP_SEM_DEFINED && u->op == VAGAP_SEM_DEFINED && !strcmp(s->lhs, u->lhs))
        return vagap_error_set(err, VAGAP_EMODEL, source, s->line, s->column,
                               "defined parameter '%s' is defined twice", s->lhs);
    }
  }
  return VAGAP_OK;
}

/* --ordered names must be observed variables of the model (not fixed.x
   covariates), and a threshold statement y | tk must name an ordered y and
   one of its thresholds t1..t(categories - 1). */
static vagap_status_t check_ordered(const vagap_sem_syntax_t *syn, const vnames_t *v,
                                    const vagap_sem_model_options_t *opt, const char *source,
                                    vagap_error_t *err) {
  for (size_t k = 0; k < opt->n_ordered; k++) {
    if (!is_in(&v->ov, opt->ordered[k]))
      return vagap_error_set(err, VAGAP_EMODEL, NULL, 0, 0,
                             "ordered variable '%s' is not an observed variable of the model", opt->ordered[k]);
    if (is_in(&v->ov_x, opt->ordered[k]) && opt->fixed_x)
      return vagap_error_set(err, VAGAP_EMODEL, NULL, 0, 0,
                             "ordered variable '%s' is an exogenous covariate: ordered covariates are not "
                             "supported (lavaan treats them as numeric)", opt->ordered[k]);
  }
  for (size_t i = 0; i < syn->n; i++) {
    const vagap_sem_statement_t *s = &syn->st[i];
    if (s->op != VAGAP_SEM_THRESHOLD) continue;
    int nth = ordered_nth(opt, s->lhs);
    if (is_in(&v->lv, s->lhs))
      return vagap_error_set(err, VAGAP_EMODEL, source, s->line, s->column,
                             "thresholds (|) belong to ordered observed variables, but '%s' is latent", s->lhs);
    if (!is_in(&v->ov, s->lhs))
      return vagap_error_set(err, VAGAP_EMODEL, source, s->line, s->column,
                             "'%s' has thresholds (|) but is not a variable of the model", s->lhs);
    if (nth < 0)
      return vagap_error_set(err, VAGAP_EMODEL, source, s->line, s->column,
                             "'%s' has thresholds (|) but is not ordered (use --ordered)", s->lhs);
    char *end = NULL;
    long k = s->rhs[0] == 't' ? strtol(s->rhs + 1, &end, 10) : 0;
    if (!end || *end || end == s->rhs + 1 || k < 1 || k > nth)
      return vagap_error_set(err, VAGAP_EMODEL, source, s->line, s->column,
                             "threshold '%s' of '%s': the data give it %d threshold%s, written t1..t%d",
                             s->rhs, s->lhs, nth, nth == 1 ? "" : "s", nth);
  }
  return VAGAP_OK;
}

static vagap_status_t add_defined(table_t *t, vagap_sem_model_t *m, const vagap_sem_syntax_t *syn,
                                  const char *source, vagap_error_t *err) {
  size_t nd = 0;
  for (size_t i = 0; i < syn->n; i++) nd += syn->st[i].op == VAGAP_SEM_DEFINED;
  if (!nd) return VAGAP_OK;
  if (!(m->defs = calloc(nd, sizeof *m->defs)))
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  size_t nparam_rows = t->n;
  for (size_t i = 0; i < syn->n; i++) {
    const vagap_sem_statement_t *s = &syn->st[i];
    if (s->op != VAGAP_SEM_DEFINED) continue;
    vagap_status_t st = table_add(t, s->lhs, VAGAP_SEM_DEFINED, s->rhs, s, err);
    if (st) return st;
    vagap_sem_param_t *r = &t->rows[t->n - 1];
    r->free = 0;
    r->group = r->block = 0;
    free(r->label);
    if (!(r->label = strdup(s->lhs))) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    vagap_sem_def_t *d = calloc(1, sizeof *d);
    if (!d) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    m->defs[m->ndefs++] = d;
    if ((st = sem_expr_parse(&d->expr, s->rhs, source, s->line, s->column, err))) return st;
    size_t nn = sem_expr_nnames(d->expr);
    d->ref_row = malloc((nn ? nn : 1) * sizeof *d->ref_row);
    d->ref_def = malloc((nn ? nn : 1) * sizeof *d->ref_def);
    if (!d->ref_row || !d->ref_def) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t k = 0; k < nn; k++) {
      const char *name = sem_expr_name(d->expr, k);
      d->ref_row[k] = d->ref_def[k] = (size_t)-1;
      for (size_t j = 0; j < nparam_rows && d->ref_row[k] == (size_t)-1; j++)
        if (!strcmp(t->rows[j].label, name)) d->ref_row[k] = j;
      for (size_t j = 0; j + 1 < m->ndefs && d->ref_row[k] == (size_t)-1 && d->ref_def[k] == (size_t)-1; j++)
        if (!strcmp(t->rows[nparam_rows + j].lhs, name)) d->ref_def[k] = j;
      if (d->ref_row[k] == (size_t)-1 && d->ref_def[k] == (size_t)-1)
        return vagap_error_set(err, VAGAP_EMODEL, source, s->line, s->column,
                               "unknown label '%s' in the definition of '%s'", name, s->lhs);
    }
  }
  return VAGAP_OK;
}

static vagap_status_t copy_names(char ***dst, size_t *n, const names_t *src) {
  *n = src->n;
  *dst = calloc(src->n ? src->n : 1, sizeof **dst);
  if (!*dst) return VAGAP_ENOMEM;
  for (size_t i = 0; i < src->n; i++)
    if (!((*dst)[i] = strdup(src->s[i]))) return VAGAP_ENOMEM;
  return VAGAP_OK;
}

vagap_status_t vagap_sem_model_build(vagap_sem_model_t **out, const vagap_sem_syntax_t *syn,
                                     size_t ngroups, const vagap_sem_model_options_t *opt_in,
                                     const char *source, vagap_error_t *err) {
  *out = NULL;
  vagap_sem_model_options_t defaults;
  vagap_sem_model_options_init(&defaults);
  const vagap_sem_model_options_t *opt = opt_in ? opt_in : &defaults;
  if (ngroups < 1) return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "no groups");
  /* lavaan 0.6 (lav_options): with ordered indicators, equal intercepts imply equal
     thresholds and vice versa */
  vagap_sem_model_options_t cat_opt;
  if (opt->n_ordered && (opt->group_equal & (VAGAP_SEM_EQ_INTERCEPTS | VAGAP_SEM_EQ_THRESHOLDS))) {
    cat_opt = *opt;
    cat_opt.group_equal |= VAGAP_SEM_EQ_INTERCEPTS | VAGAP_SEM_EQ_THRESHOLDS;
    opt = &cat_opt;
  }
  vnames_t v = {0};
  table_t t = {0};
  char **lab = NULL;
  size_t nlab = 0;
  vagap_sem_model_t *m = calloc(1, sizeof *m);
  vagap_status_t st = VAGAP_OK;
  if (!m || classify(syn, &v)) { st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory"); goto done; }
  if ((st = check_user_rows(syn, &v, source, err))) goto done;
  if (v.ov.n == 0) {
    st = vagap_error_set(err, VAGAP_EMODEL, source, 1, 1, "the model has no observed variables");
    goto done;
  }
  int meanstructure = opt->meanstructure;
  if (meanstructure < 0) {
    meanstructure = ngroups > 1;
    for (size_t i = 0; i < syn->n; i++) meanstructure |= syn->st[i].op == VAGAP_SEM_INTERCEPT;
  }
  for (size_t i = 0; !st && i < syn->n; i++) {
    const vagap_sem_statement_t *u = &syn->st[i];
    if (u->op == VAGAP_SEM_DEFINED || vagap_sem_op_is_constraint(u->op)) continue;
    const char *l = u->lhs, *r = u->rhs;
    if (u->op == VAGAP_SEM_COVARIANCE && covariance_swapped(&v, l, r)) {
      l = u->rhs;
      r = u->lhs;
    }
    st = table_add(&t, l, u->op, r, u, err);
  }
  if (st) goto done;
  if ((st = check_ordered(syn, &v, opt, source, err))) goto done;
  if (opt->n_ordered) meanstructure = 1; /* lavaan: categorical models have a mean structure */
  if ((st = add_defaults(&t, &v, meanstructure, opt, &t, err))) goto done;
  set_default_freedom(&t, &v, opt, meanstructure);
  size_t per_group = t.n;
  if ((st = replicate_groups(&t, per_group, ngroups, err))) goto done;
  for (size_t i = per_group; i < t.n; i++) {
    vagap_sem_param_t *r = &t.rows[i];
    if (meanstructure && !opt->int_lv_free && !r->user && r->op == VAGAP_SEM_INTERCEPT && is_in(&v.lv, r->lhs) &&
        (opt->group_equal & (VAGAP_SEM_EQ_INTERCEPTS | VAGAP_SEM_EQ_THRESHOLDS)) &&
        !(opt->group_equal & VAGAP_SEM_EQ_MEANS)) {
      r->free = 1;
      r->ustart = NAN;
    }
    /* lavaan 0.6 (as 0.6.14): equal thresholds free, in the later groups, the scale
       factors of the ordered variables (delta) or their residual variances (theta),
       and, above, the latent means */
    int theta = opt->parameterization_theta;
    if (!r->user && (opt->group_equal & VAGAP_SEM_EQ_THRESHOLDS) && ordered_nth(opt, r->lhs) >= 1 &&
        ((!theta && r->op == VAGAP_SEM_SCALE) ||
         (theta && r->op == VAGAP_SEM_COVARIANCE && !strcmp(r->lhs, r->rhs)))) {
      r->free = 1;
      r->ustart = NAN;
    }
    if (opt->std_lv && (opt->group_equal & VAGAP_SEM_EQ_LOADINGS) &&
        !(opt->group_equal & VAGAP_SEM_EQ_LV_VARIANCES) && !r->user &&
        r->op == VAGAP_SEM_COVARIANCE && !strcmp(r->lhs, r->rhs) && is_in(&v.lv, r->lhs)) {
      r->free = 1;
      r->ustart = NAN;
    }
  }
  if ((st = apply_modifiers(&t, ngroups, source, err))) goto done;
  nlab = t.n;
  if (!(lab = equality_labels(&t, ngroups, &v, opt))) {
    st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    goto done;
  }
  if ((st = assign_free_indices(&t, lab, &m->npar, err))) goto done;
  if ((st = add_defined(&t, m, syn, source, err))) goto done;
  merge_bounds(&t, m->npar);
  m->ngroups = ngroups;
  m->meanstructure = meanstructure;
  m->std_lv = opt->std_lv;
  m->parameterization_theta = opt->parameterization_theta;
  if (copy_names(&m->ov, &m->nov, &v.ov) || copy_names(&m->lv, &m->nlv, &v.lv) ||
      !(m->ov_is_x = calloc(v.ov.n, sizeof *m->ov_is_x)) ||
      !(m->ov_exo = calloc(v.ov.n, sizeof *m->ov_exo))) {
    st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < v.ov.n; i++) {
    m->ov_exo[i] = is_in(&v.ov_x, v.ov.s[i]);
    m->ov_is_x[i] = opt->fixed_x && m->ov_exo[i];
  }
  m->rows = t.rows;
  m->nrows = t.n;
  t.rows = NULL;
  t.n = 0;
  for (size_t i = 0; i < m->nrows; i++)
    if (m->rows[i].free && (isfinite(m->rows[i].lower) || isfinite(m->rows[i].upper))) m->has_bounds = 1;
  if ((st = sem_constraints_compile(m, syn, source, err))) goto done;
  if (opt->constraints &&
      (st = vagap_sem_model_add_constraints(m, opt->constraints,
                                            opt->constraints_source ? opt->constraints_source : source, err)))
    goto done;
done:
  if (lab) {
    for (size_t i = 0; i < nlab; i++) free(lab[i]);
    free(lab);
  }
  free_rows(t.rows, t.n);
  free(t.stmt);
  vnames_free(&v);
  if (st) {
    vagap_sem_model_free(m);
    return st;
  }
  *out = m;
  return VAGAP_OK;
}
