/*
 * sem_stats.c - per-group sufficient statistics for ML SEM: n, mean vector
 * and covariance matrix with divisor n.  Complete data only; the caller does
 * listwise deletion and records it.  Statistics merge exactly (Chan, Golub &
 * LeVeque 1979 pairwise update), so shards can be reduced elsewhere.
 */
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vagap/sem.h"
#include "moments.h"

void vagap_sem_stats_free(vagap_sem_stats_t *s) {
  if (!s) return;
  for (size_t j = 0; j < s->nvar; j++) free(s->var ? s->var[j] : NULL);
  for (size_t g = 0; g < s->ngroups; g++) free(s->group_label ? s->group_label[g] : NULL);
  free(s->var);
  free(s->group_label);
  free(s->n);
  free(s->mean);
  free(s->cov);
  free(s);
}

vagap_status_t vagap_sem_stats_alloc(vagap_sem_stats_t **out, size_t ngroups, size_t nvar,
                                     const char *const *var, const char *const *group_label,
                                     vagap_error_t *err) {
  *out = NULL;
  if (ngroups == 0 || nvar == 0)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "statistics need at least one group and one variable");
  vagap_sem_stats_t *s = calloc(1, sizeof *s);
  if (!s) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  s->ngroups = ngroups;
  s->nvar = nvar;
  s->var = calloc(nvar, sizeof *s->var);
  s->group_label = calloc(ngroups, sizeof *s->group_label);
  s->n = calloc(ngroups, sizeof *s->n);
  s->mean = calloc(ngroups * nvar, sizeof *s->mean);
  s->cov = calloc(ngroups * nvar * nvar, sizeof *s->cov);
  int bad = !s->var || !s->group_label || !s->n || !s->mean || !s->cov;
  for (size_t j = 0; !bad && j < nvar; j++) bad = !(s->var[j] = strdup(var[j]));
  for (size_t g = 0; !bad && g < ngroups; g++) {
    char buf[32];
    snprintf(buf, sizeof buf, "%zu", g + 1);
    bad = !(s->group_label[g] = strdup(group_label ? group_label[g] : buf));
  }
  if (bad) {
    vagap_sem_stats_free(s);
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  }
  *out = s;
  return VAGAP_OK;
}

vagap_status_t vagap_sem_stats_compute(vagap_sem_stats_t *s, const double *x,
                                       const size_t *group, size_t nobs, vagap_error_t *err) {
  size_t p = s->nvar, G = s->ngroups;
  size_t *count = calloc(G, sizeof *count);
  if (!count) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  for (size_t i = 0; i < nobs; i++) {
    if (group[i] >= G) {
      free(count);
      return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "observation %zu has group %zu >= %zu", i + 1, group[i], G);
    }
    for (size_t j = 0; j < p; j++)
      if (!isfinite(x[i * p + j])) {
        free(count);
        return vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0,
                               "observation %zu has a missing value in '%s'", i + 1, s->var[j]);
      }
    count[group[i]]++;
  }
  vagap_status_t st = VAGAP_OK;
  for (size_t g = 0; g < G && !st; g++) {
    size_t n = count[g];
    if (n < 2) {
      st = vagap_error_set(err, VAGAP_EDOMAIN, NULL, 0, 0, "group '%s' has %zu observation%s (at least 2 are needed)",
                           s->group_label[g], n, n == 1 ? "" : "s");
      break;
    }
    double *buf = malloc(n * p * sizeof *buf);
    if (!buf) { st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory"); break; }
    size_t r = 0;
    for (size_t i = 0; i < nobs; i++)
      if (group[i] == g) memcpy(buf + (r++) * p, x + i * p, p * sizeof *buf);
    double residual[p];
    moments_block_t b = {0, s->mean + g * p, residual, s->cov + g * p * p};
    moments_block(buf, n, p, &b);
    s->n[g] = (double)n;
    free(buf);
  }
  free(count);
  return st;
}

vagap_status_t vagap_sem_stats_merge(vagap_sem_stats_t *a, const vagap_sem_stats_t *b,
                                     vagap_error_t *err) {
  if (a->nvar != b->nvar || a->ngroups != b->ngroups)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "statistics to merge differ in shape");
  for (size_t j = 0; j < a->nvar; j++)
    if (strcmp(a->var[j], b->var[j]))
      return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "statistics to merge differ in variable %zu", j + 1);
  size_t p = a->nvar;
  for (size_t g = 0; g < a->ngroups; g++) {
    moments_merge_cov(&a->n[g], a->mean + g * p, a->cov + g * p * p, b->n[g], b->mean + g * p,
                      b->cov + g * p * p, p);
  }
  return VAGAP_OK;
}

/* ---- text form ------------------------------------------------------------- */

typedef struct {
  char *buf;
  size_t len, cap;
  int oom;
} sbuf_t;

static void sb_printf(sbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#include <stdarg.h>
static void sb_printf(sbuf_t *b, const char *fmt, ...) {
  if (b->oom) return;
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(b->buf ? b->buf + b->len : NULL, b->buf ? b->cap - b->len : 0, fmt, ap);
    va_end(ap);
    if (k < 0) { b->oom = 1; return; }
    if (b->buf && b->len + (size_t)k < b->cap) { b->len += (size_t)k; return; }
    size_t cap = (b->cap ? 2 * b->cap : 256) + (size_t)k;
    char *nb = realloc(b->buf, cap);
    if (!nb) { b->oom = 1; return; }
    b->buf = nb;
    b->cap = cap;
  }
}

vagap_status_t vagap_sem_stats_serialize(const vagap_sem_stats_t *s, char **text,
                                         vagap_error_t *err) {
  /* names become comma-separated fields: they must not contain separators */
  for (size_t j = 0; j < s->nvar; j++)
    if (strpbrk(s->var[j], ",\n\r"))
      return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "variable name '%s' contains a comma or newline", s->var[j]);
  for (size_t g = 0; g < s->ngroups; g++)
    if (strpbrk(s->group_label[g], ",\n\r"))
      return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "group label '%s' contains a comma or newline", s->group_label[g]);
  /* C locale numbers whatever the process locale */
  locale_t c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
  locale_t old = c ? uselocale(c) : (locale_t)0;
  sbuf_t b = {0};
  size_t p = s->nvar;
  sb_printf(&b, "vars");
  for (size_t j = 0; j < p; j++) sb_printf(&b, ",%s", s->var[j]);
  sb_printf(&b, "\n");
  for (size_t g = 0; g < s->ngroups; g++) {
    sb_printf(&b, "group,%s,n,%.17g\n", s->group_label[g], s->n[g]);
    sb_printf(&b, "group,%s,mean", s->group_label[g]);
    for (size_t j = 0; j < p; j++) sb_printf(&b, ",%.17g", s->mean[g * p + j]);
    sb_printf(&b, "\n");
    for (size_t j = 0; j < p; j++) {
      sb_printf(&b, "group,%s,cov", s->group_label[g]);
      for (size_t k = 0; k < p; k++) sb_printf(&b, ",%.17g", s->cov[g * p * p + j * p + k]);
      sb_printf(&b, "\n");
    }
  }
  if (c) { uselocale(old); freelocale(c); }
  if (b.oom) {
    free(b.buf);
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  }
  *text = b.buf;
  return VAGAP_OK;
}

/* Split a line at commas in place; returns the number of fields (up to max). */
static size_t split(char *line, char **f, size_t max) {
  size_t n = 0;
  char *s = line;
  while (n < max) {
    f[n++] = s;
    char *c = strchr(s, ',');
    if (!c) break;
    *c = '\0';
    s = c + 1;
  }
  return n;
}

vagap_status_t vagap_sem_stats_deserialize(vagap_sem_stats_t **out, const char *text,
                                           vagap_error_t *err) {
  *out = NULL;
  char *copy = strdup(text);
  if (!copy) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  size_t nlines = 0;
  for (const char *c = text; *c; c++) nlines += *c == '\n';
  char **lines = calloc(nlines + 2, sizeof *lines);
  vagap_status_t st = VAGAP_OK;
  vagap_sem_stats_t *s = NULL;
  char **f = NULL;
  if (!lines) { free(copy); return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory"); }
  size_t nl = 0;
  for (char *tok = strtok(copy, "\n"); tok; tok = strtok(NULL, "\n")) lines[nl++] = tok;
  size_t maxf = strlen(text) + 2;
  f = malloc(maxf * sizeof *f);
  if (!f || nl < 1) { st = vagap_error_set(err, f ? VAGAP_EPARSE : VAGAP_ENOMEM, NULL, 1, 0, "empty statistics"); goto done; }
  size_t nf = split(lines[0], f, maxf);
  if (strcmp(f[0], "vars") || nf < 2) { st = vagap_error_set(err, VAGAP_EPARSE, NULL, 1, 1, "statistics must start with a 'vars' line"); goto done; }
  size_t p = nf - 1;
  if ((nl - 1) % (p + 2)) { st = vagap_error_set(err, VAGAP_EPARSE, NULL, 0, 0, "statistics have %zu lines, not a multiple of %zu per group", nl - 1, p + 2); goto done; }
  size_t G = (nl - 1) / (p + 2);
  char **labels = calloc(G ? G : 1, sizeof *labels);
  char **vars = malloc(p * sizeof *vars);
  if (!labels || !vars) { free(labels); free(vars); st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory"); goto done; }
  for (size_t j = 0; j < p; j++) vars[j] = f[j + 1];
  /* labels first (split modifies lines, so take them from a scan of each block's n line) */
  for (size_t g = 0; g < G; g++) {
    char *ln = lines[1 + g * (p + 2)];
    char *c1 = strchr(ln, ',');
    char *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
    if (!c1 || !c2) { st = vagap_error_set(err, VAGAP_EPARSE, NULL, (long)(2 + g * (p + 2)), 0, "malformed group line"); break; }
    *c2 = '\0';
    labels[g] = c1 + 1;
    ln = c2 + 1;
    lines[1 + g * (p + 2)] = ln;  /* now "n,<value>" */
  }
  if (!st) st = vagap_sem_stats_alloc(&s, G, p, (const char *const *)vars, (const char *const *)labels, err);
  free(vars);
  free(labels);
  if (st) goto done;
  locale_t c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
  locale_t old = c ? uselocale(c) : (locale_t)0;
  for (size_t g = 0; g < G && !st; g++) {
    size_t base = 1 + g * (p + 2);
    nf = split(lines[base], f, maxf);
    if (nf != 2 || strcmp(f[0], "n")) { st = vagap_error_set(err, VAGAP_EPARSE, NULL, (long)base + 1, 0, "expected the n line"); break; }
    s->n[g] = strtod(f[1], NULL);
    for (size_t r = 0; r <= p && !st; r++) {
      nf = split(lines[base + 1 + r], f, maxf);
      const char *kind = r == 0 ? "mean" : "cov";
      if (nf != p + 3 || strcmp(f[2], kind)) { st = vagap_error_set(err, VAGAP_EPARSE, NULL, (long)(base + 2 + r), 0, "expected a %s line with %zu values", kind, p); break; }
      for (size_t j = 0; j < p; j++) {
        char *end;
        double v = strtod(f[3 + j], &end);
        if (*end || end == f[3 + j]) { st = vagap_error_set(err, VAGAP_EPARSE, NULL, (long)(base + 2 + r), (long)(4 + j), "not a number"); break; }
        if (r == 0) s->mean[g * p + j] = v;
        else s->cov[g * p * p + (r - 1) * p + j] = v;
      }
    }
  }
  if (c) { uselocale(old); freelocale(c); }
done:
  free(f);
  free(lines);
  free(copy);
  if (st) { vagap_sem_stats_free(s); return st; }
  *out = s;
  return VAGAP_OK;
}
