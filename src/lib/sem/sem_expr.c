/*
 * sem_expr.c - the arithmetic of := defined parameters, with forward-mode
 * derivatives for the delta method (lavaan differentiates numerically; exact
 * derivatives agree with it to its precision).
 *
 * Grammar:  expr := term {(+|-) term};  term := unary {(*|/) unary};
 *           unary := - unary | power;   power := atom [^ unary];
 *           atom := number | name | name(expr) | (expr)
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sem_internal.h"

typedef enum { N_NUM, N_NAME, N_NEG, N_ADD, N_SUB, N_MUL, N_DIV, N_POW, N_FUN } node_kind_t;
typedef enum { F_EXP, F_LOG, F_SQRT, F_ABS } fun_t;

typedef struct node {
  node_kind_t kind;
  double num;
  size_t name;     /* index into names for N_NAME */
  fun_t fun;
  struct node *a, *b;
} node_t;

struct sem_expr {
  node_t *root;
  char **names;
  size_t nnames;
};

typedef struct {
  const char *s, *p;
  const char *source;
  long line, column;
  const long *char_line, *char_col;
  const char *what;  /* the construct, for messages: "a := expression" */
  vagap_error_t *err;
  sem_expr_t *e;
  vagap_status_t st;
} eparse_t;

static void free_node(node_t *n) {
  if (!n) return;
  free_node(n->a);
  free_node(n->b);
  free(n);
}

void sem_expr_free(sem_expr_t *e) {
  if (!e) return;
  free_node(e->root);
  for (size_t i = 0; i < e->nnames; i++) free(e->names[i]);
  free(e->names);
  free(e);
}

size_t sem_expr_nnames(const sem_expr_t *e) { return e->nnames; }
const char *sem_expr_name(const sem_expr_t *e, size_t i) { return e->names[i]; }

static node_t *efail(eparse_t *q, const char *msg) {
  size_t off = (size_t)(q->p - q->s);
  long line = q->char_line ? q->char_line[off] : q->line;
  long col = q->char_col ? q->char_col[off] : q->column + (long)off;
  if (!q->st) q->st = vagap_error_set(q->err, VAGAP_EPARSE, q->source, line, col, "in %s: %s", q->what, msg);
  return NULL;
}

static node_t *mk(eparse_t *q, node_kind_t k, node_t *a, node_t *b) {
  node_t *n = calloc(1, sizeof *n);
  if (!n) {
    free_node(a);
    free_node(b);
    if (!q->st) q->st = vagap_error_set(q->err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    return NULL;
  }
  n->kind = k;
  n->a = a;
  n->b = b;
  return n;
}

static node_t *p_expr(eparse_t *q);
static node_t *p_unary(eparse_t *q);

static void skip(eparse_t *q) {
  while (*q->p == ' ' || *q->p == '\t') q->p++;
}

static size_t intern(eparse_t *q, const char *s, size_t len) {
  sem_expr_t *e = q->e;
  for (size_t i = 0; i < e->nnames; i++)
    if (strlen(e->names[i]) == len && !strncmp(e->names[i], s, len)) return i;
  char **nn = realloc(e->names, (e->nnames + 1) * sizeof *nn);
  if (!nn) return (size_t)-1;
  e->names = nn;
  if (!(nn[e->nnames] = strndup(s, len))) return (size_t)-1;
  return e->nnames++;
}

static node_t *p_atom(eparse_t *q) {
  skip(q);
  const char *b = q->p;
  if (*q->p == '(') {
    q->p++;
    node_t *n = p_expr(q);
    skip(q);
    if (!n) return NULL;
    if (*q->p != ')') { free_node(n); return efail(q, "missing ')'"); }
    q->p++;
    return n;
  }
  if (isdigit((unsigned char)*q->p) || (*q->p == '.' && isdigit((unsigned char)q->p[1]))) {
    char *end;
    double v = strtod(q->p, &end);
    q->p = end;
    node_t *n = mk(q, N_NUM, NULL, NULL);
    if (n) n->num = v;
    return n;
  }
  if (isalpha((unsigned char)*q->p) || *q->p == '.' || *q->p == '_') {
    while (isalnum((unsigned char)*q->p) || *q->p == '.' || *q->p == '_') q->p++;
    size_t len = (size_t)(q->p - b);
    skip(q);
    if (*q->p == '(') {
      fun_t f;
      if (len == 3 && !strncmp(b, "exp", 3)) f = F_EXP;
      else if (len == 3 && !strncmp(b, "log", 3)) f = F_LOG;
      else if (len == 4 && !strncmp(b, "sqrt", 4)) f = F_SQRT;
      else if (len == 3 && !strncmp(b, "abs", 3)) f = F_ABS;
      else { q->p = b; return efail(q, "unsupported function (only exp, log, sqrt, abs)"); }
      q->p++;
      node_t *arg = p_expr(q);
      skip(q);
      if (!arg) return NULL;
      if (*q->p != ')') { free_node(arg); return efail(q, "missing ')'"); }
      q->p++;
      node_t *n = mk(q, N_FUN, arg, NULL);
      if (n) n->fun = f;
      return n;
    }
    size_t idx = intern(q, b, len);
    if (idx == (size_t)-1) {
      if (!q->st) q->st = vagap_error_set(q->err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
      return NULL;
    }
    node_t *n = mk(q, N_NAME, NULL, NULL);
    if (n) n->name = idx;
    return n;
  }
  return efail(q, *q->p ? "unexpected character" : "unexpected end of expression");
}

static node_t *p_power(eparse_t *q) {
  node_t *a = p_atom(q);
  if (!a) return NULL;
  skip(q);
  if (*q->p == '^') {
    q->p++;
    node_t *b = p_unary(q);
    if (!b) { free_node(a); return NULL; }
    return mk(q, N_POW, a, b);
  }
  return a;
}

static node_t *p_unary(eparse_t *q) {
  skip(q);
  if (*q->p == '-') {
    q->p++;
    node_t *a = p_unary(q);
    return a ? mk(q, N_NEG, a, NULL) : NULL;
  }
  if (*q->p == '+') { q->p++; return p_unary(q); }
  return p_power(q);
}

static node_t *p_term(eparse_t *q) {
  node_t *a = p_unary(q);
  while (a) {
    skip(q);
    char c = *q->p;
    if (c != '*' && c != '/') break;
    q->p++;
    node_t *b = p_unary(q);
    if (!b) { free_node(a); return NULL; }
    a = mk(q, c == '*' ? N_MUL : N_DIV, a, b);
  }
  return a;
}

static node_t *p_expr(eparse_t *q) {
  node_t *a = p_term(q);
  while (a) {
    skip(q);
    char c = *q->p;
    if (c != '+' && c != '-') break;
    q->p++;
    node_t *b = p_term(q);
    if (!b) { free_node(a); return NULL; }
    a = mk(q, c == '+' ? N_ADD : N_SUB, a, b);
  }
  return a;
}

static vagap_status_t parse_any(sem_expr_t **out, const char *text, const char *source,
                                long line, long column, const long *char_line,
                                const long *char_col, const char *what, vagap_error_t *err) {
  *out = NULL;
  sem_expr_t *e = calloc(1, sizeof *e);
  if (!e) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  eparse_t q = {text, text, source, line, column, char_line, char_col,
                what ? what : "a := expression", err, e, VAGAP_OK};
  e->root = p_expr(&q);
  skip(&q);
  if (e->root && *q.p) efail(&q, "unexpected text after the expression");
  if (q.st || !e->root) {
    vagap_status_t st = q.st ? q.st : VAGAP_EPARSE;
    sem_expr_free(e);
    return st;
  }
  *out = e;
  return VAGAP_OK;
}

vagap_status_t sem_expr_parse(sem_expr_t **out, const char *text, const char *source,
                              long line, long column, vagap_error_t *err) {
  return parse_any(out, text, source, line, column, NULL, NULL, NULL, err);
}

vagap_status_t sem_expr_parse_located(sem_expr_t **out, const char *text, const char *source,
                                      const long *char_line, const long *char_col,
                                      vagap_error_t *err) {
  return parse_any(out, text, source, 0, 0, char_line, char_col, NULL, err);
}

vagap_status_t sem_expr_parse_what(sem_expr_t **out, const char *text, const char *source,
                                   const long *char_line, const long *char_col, const char *what,
                                   vagap_error_t *err) {
  return parse_any(out, text, source, 0, 0, char_line, char_col, what, err);
}

/* Forward mode: value v and gradient g[npar] of each node. */
static vagap_status_t eval_node(const node_t *n, const double *val, const double *dval,
                                size_t npar, double *v, double *g) {
  double va = 0, vb = 0;
  double *ga = NULL, *gb = NULL;
  vagap_status_t st = VAGAP_OK;
  if (g) memset(g, 0, npar * sizeof *g);
  switch (n->kind) {
    case N_NUM: *v = n->num; return VAGAP_OK;
    case N_NAME:
      *v = val[n->name];
      if (g && dval) memcpy(g, dval + n->name * npar, npar * sizeof *g);
      return VAGAP_OK;
    default: break;
  }
  if (g && npar) {
    ga = calloc(npar, sizeof *ga);
    gb = calloc(npar, sizeof *gb);
    if (!ga || !gb) { free(ga); free(gb); return VAGAP_ENOMEM; }
  }
  if ((st = eval_node(n->a, val, dval, npar, &va, ga))) goto done;
  if (n->b && (st = eval_node(n->b, val, dval, npar, &vb, gb))) goto done;
  double da = 0, db = 0; /* partial derivatives of this node wrt a and b */
  switch (n->kind) {
    case N_NEG: *v = -va; da = -1; break;
    case N_ADD: *v = va + vb; da = 1; db = 1; break;
    case N_SUB: *v = va - vb; da = 1; db = -1; break;
    case N_MUL: *v = va * vb; da = vb; db = va; break;
    case N_DIV: *v = va / vb; da = 1 / vb; db = -va / (vb * vb); break;
    case N_POW:
      *v = pow(va, vb);
      da = vb * pow(va, vb - 1);
      db = va > 0 ? *v * log(va) : 0;
      break;
    case N_FUN:
      switch (n->fun) {
        case F_EXP: *v = exp(va); da = *v; break;
        case F_LOG: *v = log(va); da = 1 / va; break;
        case F_SQRT: *v = sqrt(va); da = 0.5 / *v; break;
        case F_ABS: *v = fabs(va); da = va < 0 ? -1 : 1; break;
      }
      break;
    default: break;
  }
  if (g)
    for (size_t k = 0; k < npar; k++) g[k] = da * ga[k] + (n->b ? db * gb[k] : 0);
done:
  free(ga);
  free(gb);
  return st;
}

vagap_status_t sem_expr_eval(const sem_expr_t *e, const double *val, const double *dval,
                             size_t npar, double *out, double *grad) {
  return eval_node(e->root, val, dval, npar, out, grad);
}
