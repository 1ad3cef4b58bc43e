/*
 * sem_syntax.c - a small hand-written parser for a subset of lavaan's model
 * syntax (see vagap/sem.h).  The text is tokenised with line and column of
 * every token, split into statements the way lavaan joins lines (a line
 * that ends with an operator, `+`, `*` or `,`, or a following line that
 * starts with `+` or an operator, continues the statement), and each
 * statement is expanded into one vagap_sem_statement_t per lhs/rhs pair.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sem_internal.h"
#include "vagap/sem.h"

typedef enum {
  TK_IDENT, TK_NUMBER, TK_OP, TK_PLUS, TK_STAR, TK_LPAREN, TK_RPAREN, TK_COMMA,
  TK_MINUS, TK_OTHER, TK_NEWLINE, TK_SEMI, TK_STRING, TK_QUESTION, TK_END
} tok_kind_t;

typedef struct {
  tok_kind_t kind;
  const char *s;  /* points into the text (for TK_STRING: inside the quotes) */
  size_t len;
  long line, col;
  vagap_sem_op_t op; /* for TK_OP */
} tok_t;

typedef struct {
  const char *source;
  vagap_error_t *err;
  tok_t *tok;
  size_t ntok, cap;
  vagap_sem_syntax_t *out;
  size_t out_cap;
} parser_t;

const char *vagap_sem_op_string(vagap_sem_op_t op) {
  switch (op) {
    case VAGAP_SEM_LOADING: return "=~";
    case VAGAP_SEM_REGRESSION: return "~";
    case VAGAP_SEM_COVARIANCE: return "~~";
    case VAGAP_SEM_INTERCEPT: return "~1";
    case VAGAP_SEM_DEFINED: return ":=";
    case VAGAP_SEM_CON_EQ: return "==";
    case VAGAP_SEM_CON_LT: return "<";
    case VAGAP_SEM_CON_GT: return ">";
    case VAGAP_SEM_THRESHOLD: return "|";
    case VAGAP_SEM_SCALE: return "~*~";
  }
  return "?";
}

int vagap_sem_op_is_constraint(vagap_sem_op_t op) {
  return op == VAGAP_SEM_CON_EQ || op == VAGAP_SEM_CON_LT || op == VAGAP_SEM_CON_GT;
}

static vagap_status_t fail_at(parser_t *p, long line, long col, const char *msg,
                              const char *what) {
  return vagap_error_set(p->err, VAGAP_EPARSE, p->source, line, col, "%s%s%s", msg,
                         what ? ": " : "", what ? what : "");
}

static vagap_status_t push_tok(parser_t *p, tok_kind_t kind, const char *s, size_t len,
                               long line, long col, vagap_sem_op_t op) {
  if (p->ntok == p->cap) {
    size_t cap = p->cap ? 2 * p->cap : 64;
    tok_t *t = realloc(p->tok, cap * sizeof *t);
    if (!t) return vagap_error_set(p->err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    p->tok = t;
    p->cap = cap;
  }
  p->tok[p->ntok++] = (tok_t){kind, s, len, line, col, op};
  return VAGAP_OK;
}

static int tok_is(const tok_t *t, const char *word);

/* '~', or lavaan's other tilde U+02DC (UTF-8 CB 9C, which some keyboards and
   word processors produce; lavaan reads it as '~'): its length in bytes, else 0. */
static size_t tilde_len(const char *s) {
  if (*s == '~') return 1;
  if ((unsigned char)s[0] == 0xcb && (unsigned char)s[1] == 0x9c) return 2;
  return 0;
}

static int ident_start(int c) { return isalpha(c) || c == '.' || c == '_'; }
static int ident_char(int c) { return isalnum(c) || c == '.' || c == '_'; }

/* Name the lavaan feature that starts at s, for "not supported" messages. */
static const char *unsupported_operator(const char *s) {
  if (!strncmp(s, "~*~", 3)) return "scaling factors (~*~) are not supported";
  if (!strncmp(s, "<~", 2)) return "formative indicators (<~) are not supported";
  if (!strncmp(s, "<=", 2) || !strncmp(s, ">=", 2))
    return "'<=' and '>=' are not lavaan operators (write < or >)";
  if (*s == '|' && s[1] == '|') return "'||' is not a lavaan operator (thresholds are written y | t1)";
  if (*s == ':') return "interaction terms (x:z) are not supported";
  if (*s == '%') return "blocks (%) are not supported";
  if (*s == '=') return "'=' is not an operator (use =~ or :=)";
  return NULL;
}

static vagap_status_t tokenize(parser_t *p, const char *text) {
  long line = 1;
  const char *line_start = text;
  const char *s = text;
  vagap_status_t st;
  while (*s) {
    long col = (long)(s - line_start) + 1;
    unsigned char c = (unsigned char)*s;
    if (c == '\n') {
      if ((st = push_tok(p, TK_NEWLINE, s, 1, line, col, 0))) return st;
      line++;
      s++;
      line_start = s;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') { s++; continue; }
    if (c == '#' || c == '!') {  /* comment to end of line */
      while (*s && *s != '\n') s++;
      continue;
    }
    if (ident_start(c) && !(c == '.' && isdigit((unsigned char)s[1]))) {
      const char *b = s;
      while (ident_char((unsigned char)*s)) s++;
      if ((st = push_tok(p, TK_IDENT, b, (size_t)(s - b), line, col, 0))) return st;
      continue;
    }
    if (isdigit(c) || (c == '.' && isdigit((unsigned char)s[1]))) {
      char *end;
      strtod(s, &end);
      if ((st = push_tok(p, TK_NUMBER, s, (size_t)(end - s), line, col, 0))) return st;
      s = end;
      continue;
    }
    if (c == '"' || c == '\'') {  /* a quoted label; lavaan's strings do not span lines */
      const char *b = s + 1, *e = b;
      while (*e && *e != (char)c && *e != '\n') e++;
      if (*e != (char)c) return fail_at(p, line, col, "unterminated quoted name", NULL);
      if ((st = push_tok(p, TK_STRING, b, (size_t)(e - b), line, col, 0))) return st;
      s = e + 1;
      continue;
    }
    if (!strncmp(s, "~*~", 3) || !strncmp(s, "<~", 2) || !strncmp(s, "<=", 2) || !strncmp(s, ">=", 2))
      return fail_at(p, line, col, unsupported_operator(s), NULL);
    if (!strncmp(s, "==", 2)) { st = push_tok(p, TK_OP, s, 2, line, col, VAGAP_SEM_CON_EQ); s += 2; }
    else if (c == '<') { st = push_tok(p, TK_OP, s, 1, line, col, VAGAP_SEM_CON_LT); s++; }
    else if (c == '>') { st = push_tok(p, TK_OP, s, 1, line, col, VAGAP_SEM_CON_GT); s++; }
    else if (c == '?') { st = push_tok(p, TK_QUESTION, s, 1, line, col, 0); s++; }
    else if (c == '|' && s[1] != '|') { st = push_tok(p, TK_OP, s, 1, line, col, VAGAP_SEM_THRESHOLD); s++; }
    else if (c == '=' && tilde_len(s + 1)) {
      size_t n = 1 + tilde_len(s + 1);
      st = push_tok(p, TK_OP, s, n, line, col, VAGAP_SEM_LOADING);
      s += n;
    } else if (tilde_len(s) && tilde_len(s + tilde_len(s))) {
      size_t n = tilde_len(s) + tilde_len(s + tilde_len(s));
      st = push_tok(p, TK_OP, s, n, line, col, VAGAP_SEM_COVARIANCE);
      s += n;
    } else if (tilde_len(s) == 2) { st = push_tok(p, TK_OP, s, 2, line, col, VAGAP_SEM_REGRESSION); s += 2; }
    else if (!strncmp(s, ":=", 2)) { st = push_tok(p, TK_OP, s, 2, line, col, VAGAP_SEM_DEFINED); s += 2; }
    else if (c == '~') { st = push_tok(p, TK_OP, s, 1, line, col, VAGAP_SEM_REGRESSION); s++; }
    else if (c == '+') { st = push_tok(p, TK_PLUS, s, 1, line, col, 0); s++; }
    else if (c == '*') { st = push_tok(p, TK_STAR, s, 1, line, col, 0); s++; }
    else if (c == '(') { st = push_tok(p, TK_LPAREN, s, 1, line, col, 0); s++; }
    else if (c == ')') { st = push_tok(p, TK_RPAREN, s, 1, line, col, 0); s++; }
    else if (c == ',') { st = push_tok(p, TK_COMMA, s, 1, line, col, 0); s++; }
    else if (c == '-') { st = push_tok(p, TK_MINUS, s, 1, line, col, 0); s++; }
    else if (c == ';') { st = push_tok(p, TK_SEMI, s, 1, line, col, 0); s++; }
    else if (c == '/' || c == '^') { st = push_tok(p, TK_OTHER, s, 1, line, col, 0); s++; }
    else {
      /* lavaan's block headers "group: 1", "level: within" at the start of a line */
      if (c == ':' && p->ntok > 0 && p->tok[p->ntok - 1].kind == TK_IDENT &&
          (p->ntok == 1 || p->tok[p->ntok - 2].kind == TK_NEWLINE || p->tok[p->ntok - 2].kind == TK_SEMI)) {
        const tok_t *h = &p->tok[p->ntok - 1];
        if (tok_is(h, "group") || tok_is(h, "block") || tok_is(h, "class"))
          return fail_at(p, h->line, h->col,
                         "group: blocks (a separate model per group) are not supported", NULL);
        if (tok_is(h, "level"))
          return fail_at(p, h->line, h->col, "level: blocks (multilevel SEM) are not supported", NULL);
      }
      const char *why = unsupported_operator(s);
      if (why) return fail_at(p, line, col, why, NULL);
      char buf[8];
      if (c < 0x20 || c >= 0x7f) snprintf(buf, sizeof buf, "0x%02x", c);
      else snprintf(buf, sizeof buf, "'%c'", c);
      return fail_at(p, line, col, "unexpected character", buf);
    }
    if (st) return st;
  }
  return push_tok(p, TK_END, s, 0, line, (long)(s - line_start) + 1, 0);
}

/* ---- statements ---------------------------------------------------------- */

static char *dup_tok(const tok_t *t) {
  char *s = malloc(t->len + 1);
  if (s) { memcpy(s, t->s, t->len); s[t->len] = '\0'; }
  return s;
}

static void free_statement(vagap_sem_statement_t *st) {
  free(st->lhs);
  free(st->rhs);
  for (size_t k = 0; k < st->nmod; k++) free(st->mod[k].label);
  free(st->mod);
}

void vagap_sem_syntax_free(vagap_sem_syntax_t *syn) {
  if (!syn) return;
  for (size_t i = 0; i < syn->n; i++) free_statement(&syn->st[i]);
  free(syn->st);
  free(syn);
}

static int continues(tok_kind_t k) {
  return k == TK_OP || k == TK_PLUS || k == TK_STAR || k == TK_COMMA || k == TK_LPAREN ||
         k == TK_MINUS || k == TK_OTHER || k == TK_QUESTION;
}

/* A parsed rhs term before expansion. */
typedef struct {
  const tok_t *start; /* first token of the term (the modifier if any) */
  const tok_t *name;  /* identifier or the number 1 */
  size_t nmod;
  vagap_sem_modifier_t *mod;
} term_t;

static void free_mods(vagap_sem_modifier_t *m, size_t n) {
  for (size_t k = 0; k < n; k++) free(m[k].label);
  free(m);
}

static void free_terms(term_t *t, size_t n) {
  for (size_t i = 0; i < n; i++) free_mods(t[i].mod, t[i].nmod);
  free(t);
}

static int tok_is(const tok_t *t, const char *word) {
  return t->kind != TK_STRING && t->len == strlen(word) && !strncmp(t->s, word, t->len);
}

static vagap_status_t oom(parser_t *p) {
  return vagap_error_set(p->err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
}

/* ---- modifiers --------------------------------------------------------------
 * lavaan (0.6-17's parser, lav_parse_modifier) evaluates each modifier
 * before '*' on its own: a number or NA fixes or frees, a name or a quoted
 * string labels, and the functions label(), equal() (a label that names a
 * parameter as "lhs op rhs"), start(), fixed(), lower() and upper() set one
 * attribute each, their arguments being values or c(...) vectors, one per
 * group.  'v?x' is start(v)*x.  Chained modifiers combine; a later one
 * overrides an earlier one of the same kind.
 */
typedef enum { MV_EMPTY, MV_NUM, MV_NA, MV_NAME } mval_kind_t;
typedef struct {
  mval_kind_t kind;
  double num;
  const tok_t *tok; /* MV_NAME: the identifier or string */
} mval_t;

typedef enum { MF_BARE, MF_FIXED, MF_LABEL, MF_START, MF_LOWER, MF_UPPER } mfun_t;

typedef struct {
  mfun_t fun;
  const tok_t *at;  /* where the modifier starts, for messages */
  size_t n, cap;
  mval_t *v;
} modvec_t;

static vagap_status_t modvec_push(parser_t *p, modvec_t *mv, mval_t v) {
  if (mv->n == mv->cap) {
    size_t cap = mv->cap ? 2 * mv->cap : 4;
    mval_t *n = realloc(mv->v, cap * sizeof *n);
    if (!n) return oom(p);
    mv->v = n;
    mv->cap = cap;
  }
  mv->v[mv->n++] = v;
  return VAGAP_OK;
}

static vagap_status_t parse_values(parser_t *p, size_t *i, size_t end, modvec_t *mv, int in_list);

/* One value: [-]number, NA, a name, a "string", or c(...) spliced in. */
static vagap_status_t parse_value(parser_t *p, size_t *i, size_t end, modvec_t *mv, int in_list) {
  const tok_t *t = &p->tok[*i];
  if (in_list && (t->kind == TK_COMMA || t->kind == TK_RPAREN))  /* c(a, , b): no modifier */
    return modvec_push(p, mv, (mval_t){MV_EMPTY, 0, t});
  if (t->kind == TK_IDENT && tok_is(t, "c") && *i + 1 < end && p->tok[*i + 1].kind == TK_LPAREN) {
    *i += 2;
    return parse_values(p, i, end, mv, 1);
  }
  int neg = 0;
  if ((t->kind == TK_MINUS || t->kind == TK_PLUS) && *i + 1 < end && p->tok[*i + 1].kind == TK_NUMBER) {
    neg = t->kind == TK_MINUS;
    t = &p->tok[++*i];
  }
  mval_t v = {MV_NAME, 0, t};
  if (t->kind == TK_NUMBER) {
    char *num = dup_tok(t);
    if (!num) return oom(p);
    v.kind = MV_NUM;
    v.num = strtod(num, NULL) * (neg ? -1.0 : 1.0);
    free(num);
  } else if (t->kind == TK_IDENT && tok_is(t, "NA")) {
    v.kind = MV_NA;
  } else if (t->kind == TK_IDENT && *i + 1 < end && p->tok[*i + 1].kind == TK_LPAREN) {
    char name[64];
    snprintf(name, sizeof name, "%.*s()", (int)(t->len < 40 ? t->len : 40), t->s);
    return fail_at(p, t->line, t->col, "a function inside a modifier's values", name);
  } else if (t->kind != TK_IDENT && t->kind != TK_STRING) {
    return fail_at(p, t->line, t->col, "expected a number, NA, a label or c(...) in a modifier", NULL);
  }
  (*i)++;
  return modvec_push(p, mv, v);
}

/* values {, values} ')' when in_list, else one value. */
static vagap_status_t parse_values(parser_t *p, size_t *i, size_t end, modvec_t *mv, int in_list) {
  const tok_t *open = &p->tok[*i > 0 ? *i - 1 : 0];
  vagap_status_t st;
  if (!in_list) return parse_value(p, i, end, mv, 0);
  for (;;) {
    if (*i >= end) return fail_at(p, open->line, open->col, "unterminated '(' in a modifier", NULL);
    if ((st = parse_value(p, i, end, mv, 1))) return st;
    if (*i >= end) return fail_at(p, open->line, open->col, "unterminated '(' in a modifier", NULL);
    if (p->tok[*i].kind == TK_RPAREN) { (*i)++; return VAGAP_OK; }
    if (p->tok[*i].kind != TK_COMMA)
      return fail_at(p, p->tok[*i].line, p->tok[*i].col, "expected ',' or ')' in c(...)", NULL);
    (*i)++;
  }
}

/* One modifier (the text before one '*' or '?'). */
static vagap_status_t parse_modifier(parser_t *p, size_t *i, size_t end, modvec_t *mv) {
  const tok_t *t = &p->tok[*i];
  mv->at = t;
  mv->fun = MF_BARE;
  if (t->kind == TK_IDENT && *i + 1 < end && p->tok[*i + 1].kind == TK_LPAREN && !tok_is(t, "c")) {
    char name[64];
    snprintf(name, sizeof name, "%.*s()", (int)(t->len < 40 ? t->len : 40), t->s);
    if (tok_is(t, "label") || tok_is(t, "equal")) mv->fun = MF_LABEL;
    else if (tok_is(t, "start")) mv->fun = MF_START;
    else if (tok_is(t, "fixed")) mv->fun = MF_FIXED;
    else if (tok_is(t, "lower")) mv->fun = MF_LOWER;
    else if (tok_is(t, "upper")) mv->fun = MF_UPPER;
    else if (tok_is(t, "efa"))
      return fail_at(p, t->line, t->col,
                     "efa() blocks (exploratory SEM with rotated factors) are not supported", name);
    else if (tok_is(t, "prior"))
      return fail_at(p, t->line, t->col, "prior() is for Bayesian estimation (blavaan), not supported", name);
    else if (tok_is(t, "rv"))
      return fail_at(p, t->line, t->col, "rv() random slopes are not supported", name);
    else
      return fail_at(p, t->line, t->col,
                     "unknown modifier function (lavaan's are label, equal, start, fixed, lower, upper)", name);
    *i += 2;
    if (*i < end && p->tok[*i].kind == TK_RPAREN)
      return fail_at(p, t->line, t->col, "a modifier function needs a value", name);
    return parse_values(p, i, end, mv, 1);
  }
  return parse_values(p, i, end, mv, 0);
}

static const char *modfun_name(mfun_t f) {
  switch (f) {
    case MF_FIXED: return "fixed()";
    case MF_LABEL: return "label()";
    case MF_START: return "start()";
    case MF_LOWER: return "lower()";
    case MF_UPPER: return "upper()";
    default: return "a modifier";
  }
}

/* Apply value v of modifier mv to the element m (lavaan's order: later wins). */
static vagap_status_t apply_value(parser_t *p, const modvec_t *mv, const mval_t *v, int numeric,
                                  vagap_sem_modifier_t *m) {
  if (v->kind == MV_EMPTY) return VAGAP_OK;
  const tok_t *at = v->tok ? v->tok : mv->at;
  int want_label = mv->fun == MF_LABEL || (mv->fun == MF_BARE && (!numeric || v->kind == MV_NAME));
  if (want_label) {
    if (v->kind == MV_NUM)
      return fail_at(p, at->line, at->col, "a label must be a name or a quoted string", NULL);
    if (v->kind == MV_NA) return VAGAP_OK;  /* lavaan: an NA label is no label */
    char *l = dup_tok(v->tok);
    if (!l) return oom(p);
    /* lavaan 0.6 removes all blanks from the syntax, inside quotes too */
    size_t o = 0;
    for (size_t c = 0; l[c]; c++)
      if (l[c] != ' ' && l[c] != '\t') l[o++] = l[c];
    l[o] = '\0';
    if (o == 0) {
      free(l);
      return fail_at(p, at->line, at->col, "an empty label", NULL);
    }
    free(m->label);
    m->label = l;
    if (m->kind == VAGAP_SEM_MOD_NONE) m->kind = VAGAP_SEM_MOD_LABEL;
    return VAGAP_OK;
  }
  if (v->kind == MV_NAME) {  /* a name given to a numeric function */
    char buf[96];
    snprintf(buf, sizeof buf, "%s takes numbers (or NA), not the name '%.*s'", modfun_name(mv->fun),
             (int)(v->tok->len < 40 ? v->tok->len : 40), v->tok->s);
    return fail_at(p, at->line, at->col, buf, NULL);
  }
  switch (mv->fun) {
    case MF_BARE:
    case MF_FIXED:
      if (v->kind == MV_NA) m->kind = VAGAP_SEM_MOD_FREE;
      else { m->kind = VAGAP_SEM_MOD_FIXED; m->value = v->num; }
      break;
    case MF_START: m->start = v->kind == MV_NA ? NAN : v->num; break;
    case MF_LOWER: m->lower = v->kind == MV_NA ? -INFINITY : v->num; break;
    case MF_UPPER: m->upper = v->kind == MV_NA ? INFINITY : v->num; break;
    default: break;
  }
  return VAGAP_OK;
}

/* Merge the modifiers of one term into one element per group (or one for all). */
static vagap_status_t merge_modifiers(parser_t *p, const modvec_t *mv, size_t nmv, term_t *term) {
  size_t L = 1;
  for (size_t k = 0; k < nmv; k++)
    if (mv[k].n > L) L = mv[k].n;
  for (size_t k = 0; k < nmv; k++)
    if (mv[k].n != 1 && mv[k].n != L)
      return fail_at(p, mv[k].at->line, mv[k].at->col, "modifiers of one term have different lengths", NULL);
  term->mod = calloc(L, sizeof *term->mod);
  if (!term->mod) return oom(p);
  term->nmod = L;
  for (size_t g = 0; g < L; g++) {
    term->mod[g].start = NAN;
    term->mod[g].lower = -INFINITY;
    term->mod[g].upper = INFINITY;
  }
  for (size_t k = 0; k < nmv; k++) {
    /* a bare vector is numeric (fixed/free) unless it holds names */
    int numeric = 1;
    for (size_t e = 0; e < mv[k].n; e++)
      if (mv[k].v[e].kind == MV_NAME) numeric = 0;
    /* vagap also reads a bare c() that mixes them per group, c(l1, , 2):
       a name labels, a number fixes; NA frees when numbers are present */
    int has_num = 0;
    for (size_t e = 0; e < mv[k].n; e++)
      if (mv[k].v[e].kind == MV_NUM) has_num = 1;
    if (mv[k].fun == MF_BARE && has_num) numeric = 1;
    for (size_t g = 0; g < L; g++) {
      const mval_t *v = &mv[k].v[mv[k].n == 1 ? 0 : g];
      vagap_status_t st = apply_value(p, &mv[k], v, numeric, &term->mod[g]);
      if (st) return st;
    }
  }
  return VAGAP_OK;
}

/* Index of the next '*' or '?' at depth 0 before the next '+' (or end). */
static size_t next_modifier_end(const parser_t *p, size_t j, size_t end) {
  int depth = 0;
  for (size_t k = j; k < end; k++) {
    tok_kind_t kk = p->tok[k].kind;
    if (kk == TK_LPAREN) depth++;
    else if (kk == TK_RPAREN) depth--;
    else if (depth == 0 && (kk == TK_PLUS || kk == TK_OP)) break;
    else if (depth == 0 && (kk == TK_STAR || kk == TK_QUESTION)) return k;
  }
  return end;
}

/* term := {modifier ('*' | '?')} (identifier | 1) */
static vagap_status_t parse_term(parser_t *p, size_t *i, size_t end, vagap_sem_op_t op,
                                 term_t *term) {
  vagap_status_t st = VAGAP_OK;
  size_t j = *i;
  term->start = &p->tok[j];
  modvec_t mv[16];
  size_t nmv = 0;
  memset(mv, 0, sizeof mv);
  for (size_t stop; !st && (stop = next_modifier_end(p, j, end)) < end;) {
    if (nmv == sizeof mv / sizeof mv[0]) {
      st = fail_at(p, p->tok[j].line, p->tok[j].col, "too many modifiers on one term", NULL);
      break;
    }
    if (stop == j) {
      st = fail_at(p, p->tok[j].line, p->tok[j].col, "a modifier is missing before this", NULL);
      break;
    }
    modvec_t *m = &mv[nmv++];
    if ((st = parse_modifier(p, &j, stop, m))) break;
    if (j != stop) {
      st = fail_at(p, p->tok[j].line, p->tok[j].col, "expected '*' after a modifier", NULL);
      break;
    }
    if (p->tok[stop].kind == TK_QUESTION) {  /* v?x is start(v)*x */
      if (m->fun != MF_BARE) {
        st = fail_at(p, p->tok[stop].line, p->tok[stop].col,
                     "'?' gives a starting value and follows a number (v?x), not a function", NULL);
        break;
      }
      m->fun = MF_START;
    }
    j = stop + 1;
  }
  /* c( or f( with no '*' after it at depth 0: read it as a modifier for a precise message */
  if (!st && j + 1 < end && p->tok[j].kind == TK_IDENT && p->tok[j + 1].kind == TK_LPAREN &&
      next_modifier_end(p, j, end) == end && nmv < sizeof mv / sizeof mv[0]) {
    int is_mod = tok_is(&p->tok[j], "c") || tok_is(&p->tok[j], "label") || tok_is(&p->tok[j], "equal") ||
                 tok_is(&p->tok[j], "start") || tok_is(&p->tok[j], "fixed") || tok_is(&p->tok[j], "lower") ||
                 tok_is(&p->tok[j], "upper") || tok_is(&p->tok[j], "efa");
    if (is_mod) {
      st = parse_modifier(p, &j, end, &mv[nmv++]);
      if (!st) {
        const tok_t *t = j < end ? &p->tok[j] : &p->tok[end - 1];
        st = fail_at(p, t->line, t->col, "expected '*' after a modifier", NULL);
      }
    }
  }
  if (!st && nmv) st = merge_modifiers(p, mv, nmv, term);
  for (size_t k = 0; k < nmv; k++) free(mv[k].v);
  if (st) return st;
  if (j >= end) {
    const tok_t *t = &p->tok[end > 0 ? end - 1 : 0];
    return fail_at(p, t->line, t->col, "missing variable name", NULL);
  }
  const tok_t *t = &p->tok[j];
  if (t->kind == TK_NUMBER && op == VAGAP_SEM_REGRESSION && t->len == 1 && t->s[0] == '1') {
    term->name = t;
  } else if (t->kind == TK_IDENT) {
    if (j + 1 < end && p->tok[j + 1].kind == TK_LPAREN) {
      char name[64];
      snprintf(name, sizeof name, "%.*s()", (int)(t->len < 40 ? t->len : 40), t->s);
      return fail_at(p, t->line, t->col, "functions of variables are not supported", name);
    }
    term->name = t;
  } else if (t->kind == TK_STRING) {
    return fail_at(p, t->line, t->col, "a variable name cannot be quoted (quotes are for labels)", NULL);
  } else if (t->kind == TK_NUMBER) {
    return fail_at(p, t->line, t->col,
                   op == VAGAP_SEM_REGRESSION ? "only the number 1 (an intercept) may stand alone on the right of ~"
                                              : "a number needs '*' and a variable name after it", NULL);
  } else {
    return fail_at(p, t->line, t->col, "expected a variable name", NULL);
  }
  j++;
  if (j < end && p->tok[j].kind != TK_PLUS) {
    const tok_t *u = &p->tok[j];
    if (u->kind == TK_OP)
      return fail_at(p, u->line, u->col, "a second operator in one statement", NULL);
    return fail_at(p, u->line, u->col, "expected '+' or the end of the statement", NULL);
  }
  *i = j;
  return VAGAP_OK;
}

static vagap_status_t add_statement(parser_t *p, const tok_t *lhs, vagap_sem_op_t op,
                                    const char *rhs, size_t rhs_len, const term_t *term,
                                    long line, long col) {
  vagap_sem_syntax_t *out = p->out;
  if (out->n == p->out_cap) {
    size_t cap = p->out_cap ? 2 * p->out_cap : 32;
    vagap_sem_statement_t *s = realloc(out->st, cap * sizeof *s);
    if (!s) return vagap_error_set(p->err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    out->st = s;
    p->out_cap = cap;
  }
  vagap_sem_statement_t *s = &out->st[out->n];
  memset(s, 0, sizeof *s);
  s->lhs = dup_tok(lhs);
  s->op = op;
  s->rhs = malloc(rhs_len + 1);
  if (s->rhs) { memcpy(s->rhs, rhs, rhs_len); s->rhs[rhs_len] = '\0'; }
  s->line = line;
  s->column = col;
  if (term && term->nmod) {
    s->mod = calloc(term->nmod, sizeof *s->mod);
    if (s->mod) {
      s->nmod = term->nmod;
      for (size_t k = 0; k < term->nmod; k++) {
        s->mod[k] = term->mod[k];
        s->mod[k].label = term->mod[k].label ? strdup(term->mod[k].label) : NULL;
        if (term->mod[k].label && !s->mod[k].label) s->rhs = (free(s->rhs), NULL);
      }
    }
  }
  out->n++;
  if (!s->lhs || !s->rhs || (term && term->nmod && !s->mod))
    return vagap_error_set(p->err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  return VAGAP_OK;
}

/*
 * Rebuild an expression from tokens from..to-1 without blanks (lavaan shows
 * := and constraint expressions so) and check it with sem_expr_parse; `what`
 * names the construct in messages.  *out is malloc'ed.
 */
static vagap_status_t tokens_to_expr(parser_t *p, size_t from, size_t to, const char *what,
                                     char **out) {
  *out = NULL;
  size_t len = 0;
  for (size_t k = from; k < to; k++) {
    tok_kind_t kk = p->tok[k].kind;
    if (kk == TK_OP || kk == TK_SEMI || kk == TK_STRING || kk == TK_QUESTION) {
      char msg[96];
      snprintf(msg, sizeof msg, "unexpected %s in %s",
               kk == TK_OP ? "operator" : kk == TK_STRING ? "quoted name" : "character", what);
      return fail_at(p, p->tok[k].line, p->tok[k].col, msg, NULL);
    }
    len += p->tok[k].len;
  }
  char *text = malloc(len + 1);
  long *cl = malloc((len + 1) * sizeof *cl), *cc = malloc((len + 1) * sizeof *cc);
  if (!text || !cl || !cc) {
    free(text); free(cl); free(cc);
    return oom(p);
  }
  size_t o = 0;
  for (size_t k = from; k < to; k++) {
    memcpy(text + o, p->tok[k].s, p->tok[k].len);
    for (size_t c = 0; c < p->tok[k].len; c++) {  /* where each character came from */
      cl[o + c] = p->tok[k].line;
      cc[o + c] = p->tok[k].col + (long)c;
    }
    o += p->tok[k].len;
  }
  text[o] = '\0';
  cl[o] = p->tok[to - 1].line;
  cc[o] = p->tok[to - 1].col + (long)p->tok[to - 1].len;
  sem_expr_t *e = NULL;
  vagap_status_t st = sem_expr_parse_what(&e, text, p->source, cl, cc, what, p->err);
  sem_expr_free(e);
  free(cl);
  free(cc);
  if (st) free(text);
  else *out = text;
  return st;
}

/* := lhs is one name; the rhs is kept as text (validated by sem_expr_parse). */
static vagap_status_t parse_defined(parser_t *p, size_t b, size_t opi, size_t end) {
  const tok_t *lhs = &p->tok[b];
  if (opi != b + 1 || lhs->kind != TK_IDENT)
    return fail_at(p, lhs->line, lhs->col, "the left of := must be one name", NULL);
  if (opi + 1 >= end)
    return fail_at(p, p->tok[opi].line, p->tok[opi].col, "missing expression after :=", NULL);
  char *text = NULL;
  vagap_status_t st = tokens_to_expr(p, opi + 1, end, "a := expression", &text);
  if (!st) st = add_statement(p, lhs, VAGAP_SEM_DEFINED, text, strlen(text), NULL, lhs->line, lhs->col);
  free(text);
  return st;
}

/* e1 == e2, e1 < e2, e1 > e2: both sides expressions over labels and numbers. */
static vagap_status_t parse_constraint(parser_t *p, size_t b, size_t opi, size_t end) {
  const tok_t *optok = &p->tok[opi];
  vagap_sem_op_t op = optok->op;
  char what[48];
  snprintf(what, sizeof what, "a %s constraint", vagap_sem_op_string(op));
  if (opi == b) return fail_at(p, optok->line, optok->col, "missing left-hand side of a constraint", NULL);
  if (opi + 1 >= end) return fail_at(p, optok->line, optok->col, "missing right-hand side of a constraint", NULL);
  for (size_t k = opi + 1; k < end; k++)
    if (p->tok[k].kind == TK_OP)
      return fail_at(p, p->tok[k].line, p->tok[k].col, "a second operator in one constraint", NULL);
  char *lt = NULL, *rt = NULL;
  vagap_status_t st = tokens_to_expr(p, b, opi, what, &lt);
  if (!st) st = tokens_to_expr(p, opi + 1, end, what, &rt);
  if (!st) {
    tok_t lhs = p->tok[b];
    lhs.s = lt;
    lhs.len = strlen(lt);
    st = add_statement(p, &lhs, op, rt, strlen(rt), NULL, p->tok[b].line, p->tok[b].col);
  }
  free(lt);
  free(rt);
  return st;
}

/*
 * lavaan merges a variable named twice on one right-hand side into one term
 * whose modifiers combine (f =~ x1 + a*x2 + start(0.5)*x2, the way lavaan
 * < 0.6-17 wrote chained modifiers); the later one wins per attribute.
 */
static vagap_status_t merge_duplicate_term(parser_t *p, term_t *terms, size_t *nterm) {
  term_t *t = &terms[*nterm - 1];
  for (size_t u = 0; u + 1 < *nterm; u++) {
    term_t *o = &terms[u];
    if (o->name->kind != t->name->kind || o->name->len != t->name->len ||
        strncmp(o->name->s, t->name->s, t->name->len))
      continue;
    if (!t->nmod) { free_mods(t->mod, t->nmod); (*nterm)--; return VAGAP_OK; }
    size_t L = o->nmod > t->nmod ? o->nmod : t->nmod;
    if (o->nmod > 1 && t->nmod > 1 && o->nmod != t->nmod)
      return fail_at(p, t->start->line, t->start->col,
                     "the modifiers of a repeated term have different lengths", NULL);
    vagap_sem_modifier_t *m = calloc(L, sizeof *m);
    if (!m) return oom(p);
    for (size_t g = 0; g < L; g++) {
      const vagap_sem_modifier_t *a = o->nmod ? &o->mod[o->nmod == 1 ? 0 : g] : NULL;
      const vagap_sem_modifier_t *b = &t->mod[t->nmod == 1 ? 0 : g];
      vagap_sem_modifier_t r = {VAGAP_SEM_MOD_NONE, 0, NULL, NAN, -INFINITY, INFINITY};
      if (a) r = *a;
      if (b->kind == VAGAP_SEM_MOD_FIXED || b->kind == VAGAP_SEM_MOD_FREE) { r.kind = b->kind; r.value = b->value; }
      else if (b->kind == VAGAP_SEM_MOD_LABEL && r.kind == VAGAP_SEM_MOD_NONE) r.kind = VAGAP_SEM_MOD_LABEL;
      const char *lab = b->label ? b->label : r.label;
      r.label = lab ? strdup(lab) : NULL;
      if (lab && !r.label) { free_mods(m, g); return oom(p); }
      if (!isnan(b->start)) r.start = b->start;
      if (b->lower > -INFINITY) r.lower = b->lower;
      if (b->upper < INFINITY) r.upper = b->upper;
      m[g] = r;
    }
    free_mods(o->mod, o->nmod);
    o->mod = m;
    o->nmod = L;
    free_mods(t->mod, t->nmod);
    t->mod = NULL;
    t->nmod = 0;
    (*nterm)--;
    return VAGAP_OK;
  }
  return VAGAP_OK;
}

static vagap_status_t parse_statement(parser_t *p, size_t b, size_t end) {
  size_t opi = end;
  for (size_t k = b; k < end; k++)
    if (p->tok[k].kind == TK_OP) { opi = k; break; }
  const tok_t *first = &p->tok[b];
  if (opi == end) {
    if (first->kind == TK_IDENT && b + 1 < end && p->tok[b + 1].kind == TK_LPAREN)
      return fail_at(p, first->line, first->col, "unsupported function",
                     "only =~ ~ ~~ ~1 := == < > statements are allowed");
    return fail_at(p, first->line, first->col,
                   "a statement without an operator (=~, ~, ~~, :=, ==, <, >)", NULL);
  }
  vagap_sem_op_t op = p->tok[opi].op;
  if (op == VAGAP_SEM_DEFINED) return parse_defined(p, b, opi, end);
  if (vagap_sem_op_is_constraint(op)) return parse_constraint(p, b, opi, end);
  if (first->kind == TK_IDENT && tok_is(first, "efa") && b + 1 < opi && p->tok[b + 1].kind == TK_LPAREN)
    return fail_at(p, first->line, first->col,
                   "efa() blocks (exploratory SEM with rotated factors) are not supported", "efa()");
  /* lhs: name { + name } */
  if (opi == b) return fail_at(p, first->line, first->col, "missing left-hand side", NULL);
  size_t nlhs = 0;
  for (size_t k = b; k < opi; k++) {
    const tok_t *t = &p->tok[k];
    int want_name = ((k - b) % 2 == 0);
    if (want_name && t->kind != TK_IDENT) {
      if (t->kind == TK_STAR || (k + 1 < opi && p->tok[k + 1].kind == TK_STAR))
        return fail_at(p, t->line, t->col, "a modifier on the left-hand side (lavaan allows only efa() there)", NULL);
      return fail_at(p, t->line, t->col, "expected a variable name on the left-hand side", NULL);
    }
    if (!want_name && t->kind != TK_PLUS) {
      if (t->kind == TK_STAR)
        return fail_at(p, t->line, t->col, "a modifier on the left-hand side (lavaan allows only efa() there)", NULL);
      return fail_at(p, t->line, t->col, "expected '+' between left-hand side names", NULL);
    }
    if (want_name) nlhs++;
  }
  if ((opi - b) % 2 == 0)
    return fail_at(p, p->tok[opi - 1].line, p->tok[opi - 1].col, "dangling '+' before the operator", NULL);
  /* rhs terms */
  if (opi + 1 >= end)
    return fail_at(p, p->tok[opi].line, p->tok[opi].col, "missing right-hand side", NULL);
  size_t nterm = 0, cap = 8;
  term_t *terms = calloc(cap, sizeof *terms);
  if (!terms) return vagap_error_set(p->err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  vagap_status_t st = VAGAP_OK;
  size_t i = opi + 1;
  while (i < end) {
    if (nterm == cap) {
      term_t *t2 = realloc(terms, 2 * cap * sizeof *t2);
      if (!t2) { st = vagap_error_set(p->err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory"); break; }
      memset(t2 + cap, 0, cap * sizeof *t2);
      terms = t2;
      cap *= 2;
    }
    if ((st = parse_term(p, &i, end, op, &terms[nterm]))) { nterm++; break; }
    nterm++;
    if ((st = merge_duplicate_term(p, terms, &nterm))) break;
    if (i < end) {  /* at '+' */
      i++;
      if (i >= end) {
        st = fail_at(p, p->tok[i - 1].line, p->tok[i - 1].col, "dangling '+' at the end of a statement", NULL);
        break;
      }
    }
  }
  for (size_t k = b; !st && k < opi; k += 2) {
    for (size_t t = 0; !st && t < nterm; t++) {
      const tok_t *nm = terms[t].name;
      vagap_sem_op_t top = op;
      const char *rhs = nm->s;
      size_t rlen = nm->len;
      if (nm->kind == TK_NUMBER) { top = VAGAP_SEM_INTERCEPT; rhs = ""; rlen = 0; }
      st = add_statement(p, &p->tok[k], top, rhs, rlen, &terms[t], terms[t].start->line,
                         terms[t].start->col);
    }
  }
  free_terms(terms, nterm);
  return st;
}

vagap_status_t vagap_sem_syntax_parse(vagap_sem_syntax_t **out, const char *text,
                                      const char *source, vagap_error_t *err) {
  *out = NULL;
  parser_t p = {source, err, NULL, 0, 0, NULL, 0};
  vagap_status_t st = tokenize(&p, text ? text : "");
  if (!st && !(p.out = calloc(1, sizeof *p.out)))
    st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  size_t b = 0;
  int depth = 0;
  for (size_t i = 0; !st && i < p.ntok; i++) {
    tok_kind_t k = p.tok[i].kind;
    if (k == TK_LPAREN) depth++;
    if (k == TK_RPAREN) depth--;
    int boundary = (k == TK_END || k == TK_SEMI);
    if (k == TK_NEWLINE && depth <= 0) {
      /* continue when the statement so far is open, or the next token continues it */
      size_t prev = i;
      while (prev > b && p.tok[prev - 1].kind == TK_NEWLINE) prev--;
      int open = prev > b && continues(p.tok[prev - 1].kind);
      size_t next = i + 1;
      while (next < p.ntok && p.tok[next].kind == TK_NEWLINE) next++;
      int next_cont = next < p.ntok && (p.tok[next].kind == TK_PLUS || p.tok[next].kind == TK_OP ||
                                        p.tok[next].kind == TK_STAR || p.tok[next].kind == TK_COMMA);
      boundary = !(open || next_cont) || prev == b;
    }
    if (!boundary) continue;
    /* statement = tokens b..i excluding newlines */
    size_t n = 0;
    for (size_t j = b; j < i; j++)
      if (p.tok[j].kind != TK_NEWLINE) p.tok[b + n++] = p.tok[j];
    if (n > 0) st = parse_statement(&p, b, b + n);
    depth = 0;
    b = i + 1;
  }
  if (!st && p.out->n == 0)
    st = vagap_error_set(err, VAGAP_EPARSE, source, 1, 1, "the model syntax has no statements");
  free(p.tok);
  if (st) {
    vagap_sem_syntax_free(p.out);
    return st;
  }
  *out = p.out;
  return VAGAP_OK;
}
