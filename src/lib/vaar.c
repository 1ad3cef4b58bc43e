/*
 * vaar.c - Value-Action Alignment Rate: expected-sign specs, scoring per
 * group and path, and factor orientation (see include/vagap/vaar.h).
 */
#include "vagap/vaar.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- small helpers ------------------------------------------------------- */

static char *copy_span(const char *s, size_t len) {
  char *c = malloc(len + 1);
  if (!c) return NULL;
  memcpy(c, s, len);
  c[len] = '\0';
  return c;
}

static int is_name_char(int ch) {
  return isalnum((unsigned char)ch) || ch == '_' || ch == '.';
}

static int same_path(const char *lhs, const char *op, const char *rhs, const vagap_vaar_path_t *p) {
  if (strcmp(op, p->op) != 0) return 0;
  if (strcmp(lhs, p->lhs) == 0 && strcmp(rhs, p->rhs) == 0) return 1;
  /* a covariance is symmetric: x ~~ y is y ~~ x */
  return strcmp(op, "~~") == 0 && strcmp(lhs, p->rhs) == 0 && strcmp(rhs, p->lhs) == 0;
}

int vagap_vaar_sign_parse(const char *s, size_t len) {
  while (len && isspace((unsigned char)*s)) s++, len--;
  while (len && isspace((unsigned char)s[len - 1])) len--;
  static const struct { const char *word; int sign; } WORDS[] = {
      {"+", 1}, {"+1", 1}, {"pos", 1}, {"positive", 1},
      {"-", -1}, {"-1", -1}, {"neg", -1}, {"negative", -1}};
  for (size_t i = 0; i < sizeof WORDS / sizeof WORDS[0]; i++)
    if (strlen(WORDS[i].word) == len && strncasecmp(s, WORDS[i].word, len) == 0) return WORDS[i].sign;
  return 0;
}

int vagap_vaar_sign_of(double est) {
  if (isnan(est)) return 0;
  return (est > 0) - (est < 0);
}

int vagap_vaar_agrees(int expected, double est, double pvalue, double alpha, int strict) {
  int observed = vagap_vaar_sign_of(est);
  if (observed == 0 || observed != expected) return 0;
  if (!strict) return 1;
  return !isnan(pvalue) && pvalue < alpha;
}

/* ---- spec container ------------------------------------------------------ */

void vagap_vaar_spec_free(vagap_vaar_spec_t *spec) {
  if (!spec) return;
  for (size_t i = 0; i < spec->n; i++) {
    free(spec->paths[i].lhs);
    free(spec->paths[i].op);
    free(spec->paths[i].rhs);
  }
  free(spec->paths);
  free(spec);
}

/* Append a path (copies of the strings).  Returns VAGAP_ENOMEM or OK. */
static vagap_status_t spec_append(vagap_vaar_spec_t *spec, size_t *cap, const char *lhs,
                                  size_t lhs_len, const char *op, size_t op_len,
                                  const char *rhs, size_t rhs_len, int sign, long line,
                                  long column, vagap_error_t *err) {
  if (spec->n == *cap) {
    size_t ncap = *cap ? 2 * *cap : 8;
    vagap_vaar_path_t *np = realloc(spec->paths, ncap * sizeof *np);
    if (!np) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    spec->paths = np;
    *cap = ncap;
  }
  vagap_vaar_path_t *p = &spec->paths[spec->n];
  p->lhs = copy_span(lhs, lhs_len);
  p->op = copy_span(op, op_len);
  p->rhs = copy_span(rhs, rhs_len);
  p->sign = sign;
  p->line = line;
  p->column = column;
  if (!p->lhs || !p->op || !p->rhs) {
    free(p->lhs);
    free(p->op);
    free(p->rhs);
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  }
  spec->n++;
  return VAGAP_OK;
}

/* The index of an earlier path equal to the last one, or (size_t)-1. */
static size_t find_duplicate_of_last(const vagap_vaar_spec_t *spec) {
  const vagap_vaar_path_t *last = &spec->paths[spec->n - 1];
  for (size_t i = 0; i + 1 < spec->n; i++)
    if (same_path(last->lhs, last->op, last->rhs, &spec->paths[i])) return i;
  return (size_t)-1;
}

static vagap_status_t duplicate_error(const vagap_vaar_spec_t *spec, size_t first,
                                      const char *source, vagap_error_t *err) {
  const vagap_vaar_path_t *last = &spec->paths[spec->n - 1];
  const vagap_vaar_path_t *orig = &spec->paths[first];
  return vagap_error_set(err, VAGAP_EPARSE, source, last->line, last->column,
                         "path %s %s %s is listed twice (first at line %ld, column %ld)",
                         last->lhs, last->op, last->rhs, orig->line, orig->column);
}

/* ---- spec string parser --------------------------------------------------- */

typedef struct {
  const char *text, *pos;
  const char *source;
  long line;
  const char *line_start;
} spec_lexer_t;

static long lex_column(const spec_lexer_t *lx, const char *at) { return (long)(at - lx->line_start) + 1; }

static void skip_blanks(spec_lexer_t *lx) {
  while (*lx->pos == ' ' || *lx->pos == '\t' || *lx->pos == '\r') lx->pos++;
}

static vagap_status_t lex_error(const spec_lexer_t *lx, const char *at, vagap_error_t *err,
                                const char *what) {
  if (*at == '\0' || *at == '\n')
    return vagap_error_set(err, VAGAP_EPARSE, lx->source, lx->line, lex_column(lx, at),
                           "expected %s, found the end of the item", what);
  return vagap_error_set(err, VAGAP_EPARSE, lx->source, lx->line, lex_column(lx, at),
                         "expected %s, found '%c'", what, *at);
}

static vagap_status_t lex_name(spec_lexer_t *lx, const char **start, size_t *len,
                               const char *what, vagap_error_t *err) {
  skip_blanks(lx);
  const char *s = lx->pos;
  while (is_name_char(*lx->pos)) lx->pos++;
  if (lx->pos == s) return lex_error(lx, s, err, what);
  *start = s;
  *len = (size_t)(lx->pos - s);
  return VAGAP_OK;
}

static vagap_status_t lex_op(spec_lexer_t *lx, const char **start, size_t *len, vagap_error_t *err) {
  skip_blanks(lx);
  const char *s = lx->pos;
  if (s[0] == '=' && s[1] == '~') *len = 2;
  else if (s[0] == '~' && s[1] == '~') *len = 2;
  else if (s[0] == '~' && s[1] == '1')
    return vagap_error_set(err, VAGAP_EPARSE, lx->source, lx->line, lex_column(lx, s),
                           "intercepts (~1) have no direction to agree with; use ~, =~ or ~~");
  else if (s[0] == '~') *len = 1;
  else return lex_error(lx, s, err, "an operator (~, =~ or ~~)");
  *start = s;
  lx->pos += *len;
  return VAGAP_OK;
}

static vagap_status_t lex_sign(spec_lexer_t *lx, int *sign, vagap_error_t *err) {
  skip_blanks(lx);
  if (*lx->pos != ':') return lex_error(lx, lx->pos, err, "':' before the expected sign");
  lx->pos++;
  skip_blanks(lx);
  const char *s = lx->pos;
  while (*lx->pos && *lx->pos != ',' && *lx->pos != ';' && *lx->pos != '\n' && *lx->pos != '#' &&
         *lx->pos != ' ' && *lx->pos != '\t' && *lx->pos != '\r')
    lx->pos++;
  *sign = vagap_vaar_sign_parse(s, (size_t)(lx->pos - s));
  if (*sign == 0) {
    if (lx->pos == s) return lex_error(lx, s, err, "a sign (+ or -)");
    return vagap_error_set(err, VAGAP_EPARSE, lx->source, lx->line, lex_column(lx, s),
                           "'%.*s' is not a sign; use + or - (or pos/neg)", (int)(lx->pos - s), s);
  }
  return VAGAP_OK;
}

/* After an item: blanks, then a separator or the end. */
static vagap_status_t lex_separator(spec_lexer_t *lx, vagap_error_t *err) {
  skip_blanks(lx);
  if (*lx->pos == '\0') return VAGAP_OK;
  if (*lx->pos == ',' || *lx->pos == ';') {
    lx->pos++;
    return VAGAP_OK;
  }
  if (*lx->pos == '\n' || *lx->pos == '#') return VAGAP_OK; /* the item loop skips comments, counts lines */
  return lex_error(lx, lx->pos, err, "',' between paths");
}

/* Skip separators, blanks, newlines and '#' comments before an item. */
static void skip_to_item(spec_lexer_t *lx) {
  for (;;) {
    skip_blanks(lx);
    if (*lx->pos == '#') {
      while (*lx->pos && *lx->pos != '\n') lx->pos++;
    } else if (*lx->pos == '\n') {
      lx->pos++;
      lx->line++;
      lx->line_start = lx->pos;
    } else {
      return;
    }
  }
}

static vagap_status_t parse_item(spec_lexer_t *lx, vagap_vaar_spec_t *spec, size_t *cap,
                                 vagap_error_t *err) {
  const char *lhs = NULL, *op = NULL, *rhs = NULL;
  size_t lhs_len = 0, op_len = 0, rhs_len = 0;
  int sign = 0;
  skip_blanks(lx);
  long column = lex_column(lx, lx->pos);
  vagap_status_t st = lex_name(lx, &lhs, &lhs_len, "a variable name", err);
  if (!st) st = lex_op(lx, &op, &op_len, err);
  if (!st) st = lex_name(lx, &rhs, &rhs_len, "a variable name after the operator", err);
  if (!st) st = lex_sign(lx, &sign, err);
  if (!st) st = lex_separator(lx, err);
  if (!st)
    st = spec_append(spec, cap, lhs, lhs_len, op, op_len, rhs, rhs_len, sign, lx->line, column, err);
  if (!st) {
    size_t dup = find_duplicate_of_last(spec);
    if (dup != (size_t)-1) st = duplicate_error(spec, dup, lx->source, err);
  }
  return st;
}

vagap_status_t vagap_vaar_spec_parse(vagap_vaar_spec_t **out, const char *text,
                                     const char *source, vagap_error_t *err) {
  *out = NULL;
  if (!text) return vagap_error_set(err, VAGAP_EINVAL, source, 0, 0, "no expected-sign spec given");
  vagap_vaar_spec_t *spec = calloc(1, sizeof *spec);
  if (!spec) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  spec_lexer_t lx = {text, text, source, 1, text};
  size_t cap = 0;
  vagap_status_t st = VAGAP_OK;
  for (;;) {
    skip_to_item(&lx);
    if (*lx.pos == '\0') break;
    if ((st = parse_item(&lx, spec, &cap, err)) != VAGAP_OK) break;
  }
  if (!st && spec->n == 0)
    st = vagap_error_set(err, VAGAP_EPARSE, source, 1, 1,
                         "the expected-sign spec lists no path (write e.g. 'y~x:+')");
  if (st) {
    vagap_vaar_spec_free(spec);
    return st;
  }
  *out = spec;
  return VAGAP_OK;
}

/* ---- spec from a table ------------------------------------------------------ */

/* A name cell: non-empty, only name characters. */
static vagap_status_t check_name_cell(const vagap_table_t *t, size_t i, size_t j,
                                      vagap_error_t *err) {
  size_t len;
  const char *s = vagap_table_cell(t, i, j, &len);
  int ok = len > 0 && !vagap_table_is_na(t, i, j);
  for (size_t k = 0; ok && k < len; k++) ok = is_name_char(s[k]);
  if (ok) return VAGAP_OK;
  return vagap_error_set(err, VAGAP_EDATA, vagap_table_source(t), vagap_table_line(t, i),
                         (long)j + 1, "column '%s': '%s' is not a variable name",
                         vagap_table_colname(t, j), s);
}

vagap_status_t vagap_vaar_spec_from_table(vagap_vaar_spec_t **out, const vagap_table_t *t,
                                          vagap_error_t *err) {
  *out = NULL;
  static const char *const NAMES[4] = {"lhs", "op", "rhs", "sign"};
  size_t col[4];
  for (int k = 0; k < 4; k++) {
    vagap_status_t st = vagap_table_column(t, NAMES[k], &col[k], err);
    if (st) return st;
  }
  vagap_vaar_spec_t *spec = calloc(1, sizeof *spec);
  if (!spec) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  size_t cap = 0;
  vagap_status_t st = VAGAP_OK;
  const char *src = vagap_table_source(t);
  for (size_t i = 0; i < vagap_table_nrows(t) && !st; i++) {
    long line = vagap_table_line(t, i);
    if ((st = check_name_cell(t, i, col[0], err)) || (st = check_name_cell(t, i, col[2], err))) break;
    size_t op_len, sign_len;
    const char *op = vagap_table_cell(t, i, col[1], &op_len);
    const char *sign_s = vagap_table_cell(t, i, col[3], &sign_len);
    if (strcmp(op, "~") != 0 && strcmp(op, "=~") != 0 && strcmp(op, "~~") != 0) {
      st = vagap_error_set(err, VAGAP_EDATA, src, line, (long)col[1] + 1,
                           "column 'op': '%s' is not one of ~ =~ ~~", op);
      break;
    }
    int sign = vagap_vaar_sign_parse(sign_s, sign_len);
    if (sign == 0) {
      st = vagap_error_set(err, VAGAP_EDATA, src, line, (long)col[3] + 1,
                           "column 'sign': '%s' is not a sign; use + or - (or pos/neg)", sign_s);
      break;
    }
    const char *lhs = vagap_table_cell(t, i, col[0], NULL), *rhs = vagap_table_cell(t, i, col[2], NULL);
    st = spec_append(spec, &cap, lhs, strlen(lhs), op, op_len, rhs, strlen(rhs), sign, line,
                     (long)col[0] + 1, err);
    if (!st) {
      size_t dup = find_duplicate_of_last(spec);
      if (dup != (size_t)-1) st = duplicate_error(spec, dup, src, err);
    }
  }
  if (!st && spec->n == 0)
    st = vagap_error_set(err, VAGAP_EDATA, src, 0, 0, "the expected-sign table has no rows");
  if (st) {
    vagap_vaar_spec_free(spec);
    return st;
  }
  *out = spec;
  return VAGAP_OK;
}

/* ---- spec from a reference group ------------------------------------------- */

/* The reference group's row for a path, or NULL; *count gets the number found. */
static const vagap_vaar_estimate_t *find_estimate(const vagap_vaar_estimate_t *est, size_t nest,
                                                  const char *group, const vagap_vaar_path_t *p,
                                                  size_t *count) {
  const vagap_vaar_estimate_t *found = NULL;
  *count = 0;
  for (size_t i = 0; i < nest; i++)
    if (strcmp(est[i].group, group) == 0 && same_path(est[i].lhs, est[i].op, est[i].rhs, p)) {
      if (!found) found = &est[i];
      (*count)++;
    }
  return found;
}

static vagap_status_t reference_sign(const vagap_vaar_estimate_t *e, const char *reference,
                                     int *sign, vagap_error_t *err) {
  *sign = vagap_vaar_sign_of(e->est);
  if (*sign != 0) return VAGAP_OK;
  return vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0,
                         "reference group '%s': path %s %s %s has %s estimate, so no sign to "
                         "agree with",
                         reference, e->lhs, e->op, e->rhs, isnan(e->est) ? "a missing" : "a zero");
}

/* Add the reference path e to spec unless ref_alpha excludes it. */
static vagap_status_t add_reference_path(vagap_vaar_spec_t *spec, size_t *cap,
                                         const vagap_vaar_estimate_t *e, const char *reference,
                                         double ref_alpha, long line, long column,
                                         vagap_error_t *err) {
  if (ref_alpha > 0 && !(e->pvalue < ref_alpha)) return VAGAP_OK;
  int sign;
  vagap_status_t st = reference_sign(e, reference, &sign, err);
  if (st) return st;
  return spec_append(spec, cap, e->lhs, strlen(e->lhs), e->op, strlen(e->op), e->rhs,
                     strlen(e->rhs), sign, line, column, err);
}

vagap_status_t vagap_vaar_spec_from_reference(vagap_vaar_spec_t **out,
                                              const vagap_vaar_spec_t *paths,
                                              const vagap_vaar_estimate_t *est, size_t nest,
                                              const char *reference, double ref_alpha,
                                              vagap_error_t *err) {
  *out = NULL;
  int present = 0;
  for (size_t i = 0; i < nest && !present; i++) present = strcmp(est[i].group, reference) == 0;
  if (!present) return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                                       "reference group '%s' is not among the groups of the "
                                       "estimates", reference);
  vagap_vaar_spec_t *spec = calloc(1, sizeof *spec);
  if (!spec) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  size_t cap = 0;
  vagap_status_t st = VAGAP_OK;
  if (paths) {
    for (size_t k = 0; k < paths->n && !st; k++) {
      size_t count;
      const vagap_vaar_estimate_t *e = find_estimate(est, nest, reference, &paths->paths[k], &count);
      if (!e)
        st = vagap_error_set(err, VAGAP_EDATA, NULL, paths->paths[k].line, paths->paths[k].column,
                             "reference group '%s' has no estimate for path %s %s %s", reference,
                             paths->paths[k].lhs, paths->paths[k].op, paths->paths[k].rhs);
      else
        st = add_reference_path(spec, &cap, e, reference, ref_alpha, paths->paths[k].line,
                                paths->paths[k].column, err);
    }
  } else {
    for (size_t i = 0; i < nest && !st; i++)
      if (strcmp(est[i].group, reference) == 0 && strcmp(est[i].op, "~") == 0)
        st = add_reference_path(spec, &cap, &est[i], reference, ref_alpha, 0, 0, err);
  }
  if (!st && spec->n == 0)
    st = vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0,
                         "reference group '%s' gives no hypothesised path%s", reference,
                         ref_alpha > 0 ? " significant at the reference level" : "");
  if (st) {
    vagap_vaar_spec_free(spec);
    return st;
  }
  *out = spec;
  return VAGAP_OK;
}

/* ---- scoring ------------------------------------------------------------- */

void vagap_vaar_result_free(vagap_vaar_result_t *res) {
  if (!res) return;
  free(res->group_label);
  free(res->groups);
  free(res->paths);
  free(res);
}

/* Distinct group labels of est in first-seen order (borrowed pointers). */
static vagap_status_t collect_groups(const vagap_vaar_estimate_t *est, size_t nest,
                                     const char ***labels, size_t *n, vagap_error_t *err) {
  *labels = malloc((nest ? nest : 1) * sizeof **labels);
  if (!*labels) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  *n = 0;
  for (size_t i = 0; i < nest; i++) {
    size_t g = 0;
    while (g < *n && strcmp((*labels)[g], est[i].group) != 0) g++;
    if (g == *n) (*labels)[(*n)++] = est[i].group;
  }
  return VAGAP_OK;
}

static vagap_status_t score_path(vagap_vaar_path_result_t *r, const vagap_vaar_path_t *p,
                                 const vagap_vaar_estimate_t *est, size_t nest, const char *group,
                                 double alpha, vagap_error_t *err) {
  size_t count;
  const vagap_vaar_estimate_t *e = find_estimate(est, nest, group, p, &count);
  if (count != 1)
    return vagap_error_set(err, VAGAP_EDATA, NULL, p->line, p->column,
                           "group '%s' has %s estimate for path %s %s %s", group,
                           count ? "more than one" : "no", p->lhs, p->op, p->rhs);
  if (isnan(e->est))
    return vagap_error_set(err, VAGAP_EDATA, NULL, p->line, p->column,
                           "group '%s': the estimate of path %s %s %s is missing", group, p->lhs,
                           p->op, p->rhs);
  r->est = *e;
  r->expected = p->sign;
  r->observed = vagap_vaar_sign_of(e->est);
  r->agree_sign = vagap_vaar_agrees(p->sign, e->est, e->pvalue, alpha, 0);
  r->agree_strict = vagap_vaar_agrees(p->sign, e->est, e->pvalue, alpha, 1);
  return VAGAP_OK;
}

vagap_status_t vagap_vaar_score(vagap_vaar_result_t **out, const vagap_vaar_spec_t *spec,
                                const vagap_vaar_estimate_t *est, size_t nest,
                                double alpha, vagap_error_t *err) {
  *out = NULL;
  if (!(alpha > 0 && alpha < 1))
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "alpha must lie in (0, 1), got %g", alpha);
  if (!spec || spec->n == 0)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "no hypothesised paths");
  vagap_vaar_result_t *res = calloc(1, sizeof *res);
  if (!res) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  res->alpha = alpha;
  res->npaths = spec->n;
  vagap_status_t st = collect_groups(est, nest, &res->group_label, &res->ngroups, err);
  if (!st && res->ngroups == 0)
    st = vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0, "the parameter table has no rows");
  if (!st) {
    res->groups = calloc(res->ngroups, sizeof *res->groups);
    res->paths = calloc(res->ngroups * spec->n, sizeof *res->paths);
    if (!res->groups || !res->paths) st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  }
  for (size_t g = 0; g < res->ngroups && !st; g++) {
    vagap_vaar_group_result_t *gr = &res->groups[g];
    gr->K = spec->n;
    for (size_t k = 0; k < spec->n && !st; k++) {
      vagap_vaar_path_result_t *r = &res->paths[g * spec->n + k];
      r->group = g;
      r->path = k;
      st = score_path(r, &spec->paths[k], est, nest, res->group_label[g], alpha, err);
      if (!st) {
        gr->k_sign += (size_t)r->agree_sign;
        gr->k_strict += (size_t)r->agree_strict;
      }
    }
    gr->vaar_sign = (double)gr->k_sign / (double)gr->K;
    gr->vaar_strict = (double)gr->k_strict / (double)gr->K;
  }
  if (st) {
    vagap_vaar_result_free(res);
    return st;
  }
  *out = res;
  return VAGAP_OK;
}

/* ---- orientation --------------------------------------------------------- */

void vagap_vaar_markers_clear(vagap_vaar_markers_t *m) {
  if (!m) return;
  free(m->latent);
  free(m->indicator);
  free(m->fixed);
  memset(m, 0, sizeof *m);
}

/* Is a loading row fixed (no SE) at a positive value? */
static int fixed_positive(const vagap_vaar_estimate_t *e) {
  int no_se = isnan(e->se) || e->se == 0;
  return no_se && e->est > 0;
}

/* Does every group's loading latent =~ indicator stay fixed and positive? */
static int marker_fixed_everywhere(const vagap_vaar_estimate_t *est, size_t nest,
                                   const char *latent, const char *indicator) {
  int any = 0;
  for (size_t i = 0; i < nest; i++)
    if (strcmp(est[i].op, "=~") == 0 && strcmp(est[i].lhs, latent) == 0 &&
        strcmp(est[i].rhs, indicator) == 0) {
      any = 1;
      if (!fixed_positive(&est[i])) return 0;
    }
  return any;
}

vagap_status_t vagap_vaar_markers(vagap_vaar_markers_t *out, const vagap_vaar_estimate_t *est,
                                  size_t nest, vagap_error_t *err) {
  memset(out, 0, sizeof *out);
  if (nest == 0) return VAGAP_OK;
  const char *first_group = est[0].group;
  size_t cap = 0;
  for (size_t i = 0; i < nest; i++)
    if (strcmp(est[i].op, "=~") == 0 && strcmp(est[i].group, first_group) == 0) cap++;
  if (cap == 0) return VAGAP_OK;
  out->latent = malloc(cap * sizeof *out->latent);
  out->indicator = malloc(cap * sizeof *out->indicator);
  out->fixed = malloc(cap * sizeof *out->fixed);
  if (!out->latent || !out->indicator || !out->fixed) {
    vagap_vaar_markers_clear(out);
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  }
  for (size_t i = 0; i < nest; i++) {
    if (strcmp(est[i].op, "=~") != 0 || strcmp(est[i].group, first_group) != 0) continue;
    size_t m = 0;
    while (m < out->n && strcmp(out->latent[m], est[i].lhs) != 0) m++;
    int fixed = marker_fixed_everywhere(est, nest, est[i].lhs, est[i].rhs);
    if (m == out->n) { /* first loading of this latent */
      out->latent[m] = est[i].lhs;
      out->indicator[m] = est[i].rhs;
      out->fixed[m] = fixed;
      out->n++;
    } else if (!out->fixed[m] && fixed) { /* a later loading fixes the sign (NA*x1 + 1*x2) */
      out->indicator[m] = est[i].rhs;
      out->fixed[m] = 1;
    }
  }
  return VAGAP_OK;
}

/* In group `group`, which of the latents are reversed (flip[i] = 1)? */
static vagap_status_t find_reversals(const vagap_vaar_estimate_t *est, size_t nest,
                                     const char *group, const char *const *latent,
                                     const char *const *indicator, size_t n, int *flip,
                                     vagap_error_t *err) {
  for (size_t m = 0; m < n; m++) {
    const vagap_vaar_estimate_t *load = NULL;
    for (size_t i = 0; i < nest && !load; i++)
      if (strcmp(est[i].group, group) == 0 && strcmp(est[i].op, "=~") == 0 &&
          strcmp(est[i].lhs, latent[m]) == 0 && strcmp(est[i].rhs, indicator[m]) == 0)
        load = &est[i];
    if (!load)
      return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                             "group '%s' has no loading %s =~ %s to fix the sign of %s", group,
                             latent[m], indicator[m], latent[m]);
    if (isnan(load->est) || load->est == 0)
      return vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0,
                             "group '%s': the loading %s =~ %s is %s and cannot fix a sign", group,
                             latent[m], indicator[m], isnan(load->est) ? "missing" : "zero");
    flip[m] = load->est < 0;
  }
  return VAGAP_OK;
}

static int is_reversed(const char *name, const char *const *latent, const int *flip, size_t n) {
  for (size_t m = 0; m < n; m++)
    if (flip[m] && strcmp(name, latent[m]) == 0) return 1;
  return 0;
}

static void negate_row(vagap_vaar_estimate_t *e) {
  double lo = e->ci_lower;
  e->est = -e->est;
  e->std_all = -e->std_all;
  e->ci_lower = -e->ci_upper;
  e->ci_upper = -lo;
}

/* Does this row change sign when the latents marked in flip are reversed? */
static int row_changes_sign(const vagap_vaar_estimate_t *e, const char *const *latent,
                            const int *flip, size_t n) {
  int l = is_reversed(e->lhs, latent, flip, n);
  if (strcmp(e->op, "~1") == 0) return l;
  if (strcmp(e->op, "~") != 0 && strcmp(e->op, "=~") != 0 && strcmp(e->op, "~~") != 0) return 0;
  if (strcmp(e->lhs, e->rhs) == 0) return 0; /* a variance */
  return l ^ is_reversed(e->rhs, latent, flip, n);
}

vagap_status_t vagap_vaar_orient(vagap_vaar_estimate_t *est, size_t nest,
                                 const char *const *latent, const char *const *indicator,
                                 size_t n, size_t *nflipped, vagap_error_t *err) {
  if (nflipped) *nflipped = 0;
  if (n == 0 || nest == 0) return VAGAP_OK;
  const char **groups = NULL;
  size_t ngroups = 0;
  int *flip = malloc(n * sizeof *flip);
  vagap_status_t st = flip ? collect_groups(est, nest, &groups, &ngroups, err)
                           : vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  for (size_t g = 0; g < ngroups && !st; g++) {
    st = find_reversals(est, nest, groups[g], latent, indicator, n, flip, err);
    if (st) break;
    for (size_t m = 0; m < n && nflipped; m++) *nflipped += (size_t)flip[m];
    /* flip[] was decided before any row of the group is negated (the deciding loading is one of them) */
    for (size_t i = 0; i < nest; i++)
      if (strcmp(est[i].group, groups[g]) == 0 && row_changes_sign(&est[i], latent, flip, n))
        negate_row(&est[i]);
  }
  free(groups);
  free(flip);
  return st;
}

const char *vagap_vaar_sign_text(int sign) { return sign > 0 ? "+" : sign < 0 ? "-" : "0"; }

/* ---- bootstrap --------------------------------------------------------------- */

void vagap_vaar_boot_free(vagap_vaar_boot_t *b) {
  if (!b) return;
  free(b->est_lower);
  free(b->est_upper);
  free(b->share_strict);
  free(b->share_sign);
  free(b->vaar_strict_lower);
  free(b->vaar_strict_upper);
  free(b->vaar_sign_lower);
  free(b->vaar_sign_upper);
  free(b);
}

static vagap_vaar_boot_t *alloc_boot(size_t ngroups, size_t npaths) {
  vagap_vaar_boot_t *b = calloc(1, sizeof *b);
  if (!b) return NULL;
  size_t cells = ngroups * npaths, g = ngroups ? ngroups : 1;
  if (cells == 0) cells = 1;
  b->ngroups = ngroups;
  b->npaths = npaths;
  b->est_lower = malloc(cells * sizeof(double));
  b->est_upper = malloc(cells * sizeof(double));
  b->share_strict = calloc(cells, sizeof(double));
  b->share_sign = calloc(cells, sizeof(double));
  b->vaar_strict_lower = malloc(g * sizeof(double));
  b->vaar_strict_upper = malloc(g * sizeof(double));
  b->vaar_sign_lower = malloc(g * sizeof(double));
  b->vaar_sign_upper = malloc(g * sizeof(double));
  if (!b->est_lower || !b->est_upper || !b->share_strict || !b->share_sign ||
      !b->vaar_strict_lower || !b->vaar_strict_upper || !b->vaar_sign_lower || !b->vaar_sign_upper) {
    vagap_vaar_boot_free(b);
    return NULL;
  }
  return b;
}

/* Copy of est with resample b's numbers; CIs are not resampled (NAN). */
static void fill_resample(vagap_vaar_estimate_t *dst, const vagap_vaar_estimate_t *est, size_t nest,
                          const size_t *est_row, const vagap_sem_boot_t *boot, size_t b) {
  for (size_t i = 0; i < nest; i++) {
    size_t r = b * boot->nrows + est_row[i];
    dst[i] = est[i];
    dst[i].est = boot->est[r];
    dst[i].se = boot->se[r];
    dst[i].pvalue = boot->pvalue[r];
    dst[i].std_all = boot->std_all[r];
    dst[i].ci_lower = dst[i].ci_upper = NAN;
  }
}

/* Score resample b into the per-resample arrays (column `used`). */
static vagap_status_t score_resample(vagap_vaar_estimate_t *work, const vagap_vaar_spec_t *spec,
                                     size_t nest, const char *const *latent,
                                     const char *const *indicator, size_t n_orient, double alpha,
                                     size_t used, size_t nboot, double *path_est, double *vs,
                                     double *vg, vagap_vaar_boot_t *out, vagap_error_t *err) {
  vagap_status_t st = vagap_vaar_orient(work, nest, latent, indicator, n_orient, NULL, err);
  vagap_vaar_result_t *r = NULL;
  if (!st) st = vagap_vaar_score(&r, spec, work, nest, alpha, err);
  if (st) return st;
  size_t cells = out->ngroups * out->npaths;
  for (size_t c = 0; c < cells; c++) {
    path_est[c * nboot + used] = r->paths[c].est.est;
    out->share_strict[c] += r->paths[c].agree_strict;
    out->share_sign[c] += r->paths[c].agree_sign;
  }
  for (size_t g = 0; g < out->ngroups; g++) {
    vs[g * nboot + used] = r->groups[g].vaar_strict;
    vg[g * nboot + used] = r->groups[g].vaar_sign;
  }
  vagap_vaar_result_free(r);
  return VAGAP_OK;
}

static void finish_intervals(vagap_vaar_boot_t *out, const double *path_est, const double *vs,
                             const double *vg, size_t nboot, double level) {
  size_t cells = out->ngroups * out->npaths;
  for (size_t c = 0; c < cells; c++) {
    out->share_strict[c] /= (double)out->nused;
    out->share_sign[c] /= (double)out->nused;
    vagap_sem_boot_percentile(path_est + c * nboot, out->nused, 1, level, &out->est_lower[c],
                              &out->est_upper[c], NULL, NULL);
  }
  for (size_t g = 0; g < out->ngroups; g++) {
    vagap_sem_boot_percentile(vs + g * nboot, out->nused, 1, level, &out->vaar_strict_lower[g],
                              &out->vaar_strict_upper[g], NULL, NULL);
    vagap_sem_boot_percentile(vg + g * nboot, out->nused, 1, level, &out->vaar_sign_lower[g],
                              &out->vaar_sign_upper[g], NULL, NULL);
  }
}

vagap_status_t vagap_vaar_bootstrap(vagap_vaar_boot_t **out, const vagap_vaar_spec_t *spec,
                                    const vagap_vaar_estimate_t *est, size_t nest,
                                    const size_t *est_row, const vagap_sem_boot_t *boot,
                                    const char *const *latent, const char *const *indicator,
                                    size_t n_orient, double alpha, double level,
                                    vagap_error_t *err) {
  *out = NULL;
  if (boot->nok == 0)
    return vagap_error_set(err, VAGAP_ENOCONV, NULL, 0, 0,
                           "none of the %zu bootstrap resamples could be fitted", boot->B);
  for (size_t i = 0; i < nest; i++)
    if (est_row[i] >= boot->nrows)
      return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "estimate row %zu maps outside the table", i);
  const char **groups = NULL;
  size_t ngroups = 0;
  vagap_status_t st = collect_groups(est, nest, &groups, &ngroups, err);
  free(groups);
  if (st) return st;
  vagap_vaar_boot_t *res = alloc_boot(ngroups, spec->n);
  size_t nboot = boot->nok, cells = ngroups * spec->n;
  double *path_est = malloc((cells ? cells : 1) * nboot * sizeof *path_est);
  double *vs = malloc((ngroups ? ngroups : 1) * nboot * sizeof *vs);
  double *vg = malloc((ngroups ? ngroups : 1) * nboot * sizeof *vg);
  vagap_vaar_estimate_t *work = malloc((nest ? nest : 1) * sizeof *work);
  if (!res || !path_est || !vs || !vg || !work) st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  for (size_t b = 0; b < boot->B && !st; b++) {
    if (!boot->ok[b]) continue;
    fill_resample(work, est, nest, est_row, boot, b);
    st = score_resample(work, spec, nest, latent, indicator, n_orient, alpha, res->nused, nboot,
                        path_est, vs, vg, res, err);
    if (!st) res->nused++;
  }
  if (!st) {
    res->nfailed = boot->nfailed;
    finish_intervals(res, path_est, vs, vg, nboot, level);
  }
  free(path_est);
  free(vs);
  free(vg);
  free(work);
  if (st) {
    vagap_vaar_boot_free(res);
    return st;
  }
  *out = res;
  return VAGAP_OK;
}
