/*
 * sem_rows.c - the rows of a table as the data of an SEM fit (vagap/sem_rows.h).
 *
 * Moved from the program (src/cli/semcli_data.c) so that the program and the
 * R and Python bindings apply the same row rules: the bodies are the
 * program's, with the comma-separated option strings replaced by arrays.
 */
#include "vagap/sem_rows.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static vagap_status_t oom(vagap_error_t *err) {
  return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
}

char **vagap_sem_names_split(const char *s, size_t *n) {
  *n = 0;
  size_t cap = 1;
  for (const char *c = s; *c; c++) cap += *c == ',';
  char **v = calloc(cap + 1, sizeof *v);
  if (!v) return NULL;
  const char *b = s;
  for (;;) {
    const char *e = strchr(b, ',');
    size_t len = e ? (size_t)(e - b) : strlen(b);
    while (len && *b == ' ') b++, len--;
    while (len && b[len - 1] == ' ') len--;
    if (len) {
      if (!(v[*n] = strndup(b, len))) {
        vagap_sem_names_free(v, *n);
        return NULL;
      }
      (*n)++;
    }
    if (!e) break;
    b = e + 1;
  }
  return v;
}

void vagap_sem_names_free(char **v, size_t n) {
  if (!v) return;
  for (size_t i = 0; i < n; i++) free(v[i]);
  free(v);
}

void vagap_sem_rows_free(vagap_sem_rows_t *d) {
  vagap_sem_names_free(d->labels, d->ngroups);
  vagap_sem_names_free(d->var, d->nvar);
  free(d->x);
  free(d->group);
  vagap_sem_stats_free(d->stats);
  memset(d, 0, sizeof *d);
}

vagap_sem_data_t vagap_sem_rows_view(const vagap_sem_rows_t *d) {
  vagap_sem_data_t v = {d->nobs, d->nvar, d->ngroups, d->x, d->group,
                        (const char *const *)d->var, (const char *const *)d->labels};
  return v;
}

vagap_status_t vagap_sem_rows_fit(vagap_sem_fit_t **fit, const vagap_sem_model_t *model,
                                  const vagap_sem_rows_t *d, const vagap_sem_fit_options_t *opt,
                                  vagap_error_t *err) {
  if (!d->stats) {
    vagap_sem_data_t v = vagap_sem_rows_view(d);
    return vagap_sem_fit_data(fit, model, &v, opt, err);
  }
  return vagap_sem_fit(fit, model, d->stats, opt, err);
}

static vagap_status_t add_label(vagap_sem_rows_t *d, size_t *cap, const char *v, vagap_error_t *err) {
  if (d->ngroups == *cap) {
    char **l = realloc(d->labels, 2 * *cap * sizeof *l);
    if (!l) return oom(err);
    d->labels = l;
    *cap *= 2;
  }
  if (!(d->labels[d->ngroups] = strdup(v))) return oom(err);
  d->ngroups++;
  return VAGAP_OK;
}

vagap_status_t vagap_sem_rows_groups(const vagap_table_t *t, size_t gcol, vagap_sem_rows_t *d,
                                   vagap_error_t *err) {
  size_t cap = 8;
  if (!(d->labels = calloc(cap, sizeof *d->labels))) return oom(err);
  if (gcol == (size_t)-1) return add_label(d, &cap, "1", err);
  for (size_t i = 0; i < vagap_table_nrows(t); i++) {
    if (vagap_table_is_na(t, i, gcol)) continue;
    const char *v = vagap_table_cell(t, i, gcol, NULL);
    size_t g = 0;
    while (g < d->ngroups && strcmp(d->labels[g], v) != 0) g++;
    if (g == d->ngroups) {
      vagap_status_t st = add_label(d, &cap, v, err);
      if (st) return st;
    }
  }
  if (d->ngroups == 0)
    return vagap_error_set(err, VAGAP_EDATA, vagap_table_source(t), 0, 0,
                           "the group column %s has no non-missing values",
                           vagap_table_colname(t, gcol));
  return VAGAP_OK;
}

int vagap_sem_rows_fiml(const vagap_sem_rows_t *d) {
  return d->missing == VAGAP_SEM_MISSING_ML || d->missing == VAGAP_SEM_MISSING_ML_X;
}

/* lavaan's rows under missing = "ml": a row missing a fixed.x covariate is deleted
   (kept with ml.x), a row missing every model variable is an "empty case". */
static const char *fiml_exclusion(const vagap_sem_rows_t *d, size_t i, double *const *colv, const int *x_of,
                                  char *buf, size_t size) {
  size_t seen = 0;
  for (size_t j = 0; j < d->nvar; j++) seen += !isnan(colv[j][i]);
  if (seen == 0) {
    snprintf(buf, size, "every model variable is missing (--missing %s: an empty case)",
             vagap_sem_missing_name(d->missing));
    return buf;
  }
  if (d->missing == VAGAP_SEM_MISSING_ML)
    for (size_t j = 0; j < d->nvar; j++)
      if (x_of[j] && isnan(colv[j][i])) {
        snprintf(buf, size, "missing value in covariate %s (fixed.x with --missing ml, as lavaan; "
                 "--missing ml.x keeps the row)", d->var[j]);
        return buf;
      }
  return NULL;
}

/* Why row i is not used (NULL: it is used); *g gets its group. */
static const char *exclusion_reason(const vagap_table_t *t, size_t i, size_t gcol,
                                    const vagap_sem_rows_t *d, double *const *colv, int pairwise,
                                    const int *x_of,
                                    size_t *g, char *buf, size_t size) {
  *g = 0;
  if (gcol != (size_t)-1) {
    if (vagap_table_is_na(t, i, gcol)) {
      snprintf(buf, size, "missing group (%s)", vagap_table_colname(t, gcol));
      return buf;
    }
    const char *v = vagap_table_cell(t, i, gcol, NULL);
    while (strcmp(d->labels[*g], v) != 0) (*g)++;
  }
  if (vagap_sem_rows_fiml(d)) return fiml_exclusion(d, i, colv, x_of, buf, size);
  if (pairwise) { /* lavaan drops only the empty cases */
    for (size_t j = 0; j < d->nvar; j++)
      if (!isnan(colv[j][i])) return NULL;
    snprintf(buf, size, "every model variable missing (pairwise deletion)");
    return buf;
  }
  for (size_t j = 0; j < d->nvar; j++)
    if (isnan(colv[j][i])) {
      snprintf(buf, size, "missing value in %s (listwise deletion)", d->var[j]);
      return buf;
    }
  return NULL;
}

/* Column col of t as category codes 1..nlevels by the text's position in levels
   (--levels); a missing cell is NAN, any other text an error at its line. */
static vagap_status_t level_column(const vagap_table_t *t, size_t col, const char *name,
                                   const vagap_sem_levels_t *lv, double *out, vagap_error_t *err) {
  for (size_t i = 0; i < vagap_table_nrows(t); i++) {
    out[i] = NAN;
    if (vagap_table_is_na(t, i, col)) continue;
    size_t len = 0;
    const char *cell = vagap_table_cell(t, i, col, &len);
    size_t k;
    for (k = 0; k < lv->n && !(strlen(lv->levels[k]) == len && !strncmp(lv->levels[k], cell, len)); k++) {}
    if (k == lv->n)
      return vagap_error_set(err, VAGAP_EDATA, vagap_table_source(t), vagap_table_line(t, i), 0,
                             "value '%.*s' of ordered variable '%s' is not one of --levels", (int)len, cell, name);
    out[i] = (double)(k + 1);
  }
  return VAGAP_OK;
}

/* 1 when some non-missing cell of column col is not a number (then --levels reads it) */
static int column_has_text(const vagap_table_t *t, size_t col) {
  for (size_t i = 0; i < vagap_table_nrows(t); i++) {
    if (vagap_table_is_na(t, i, col)) continue;
    size_t len = 0;
    const char *cell = vagap_table_cell(t, i, col, &len);
    char buf[64], *end = NULL;
    if (len == 0 || len >= sizeof buf) return 1;
    memcpy(buf, cell, len);
    buf[len] = 0;
    strtod(buf, &end);
    if (*end) return 1;
  }
  return 0;
}

static vagap_status_t read_columns(const vagap_table_t *t, vagap_sem_rows_t *d, double **colv,
                                   const vagap_sem_levels_t *lv, vagap_error_t *err) {
  size_t n = vagap_table_nrows(t), nnum = 0;
  size_t *cols = malloc((d->nvar ? d->nvar : 1) * sizeof *cols);
  double **numv = malloc((d->nvar ? d->nvar : 1) * sizeof *numv);
  if (!cols || !numv) { free(cols); free(numv); return oom(err); }
  vagap_status_t st = VAGAP_OK;
  for (size_t j = 0; j < d->nvar && !st; j++) {
    size_t col = 0;
    st = vagap_table_column(t, d->var[j], &col, err);
    if (!st && !(colv[j] = malloc((n ? n : 1) * sizeof **colv))) st = oom(err);
    if (st) break;
    const double *known = vagap_table_inferred_numbers(t, col); /* already numbers: no parsing */
    if (lv && lv->coded[j] && column_has_text(t, col)) st = level_column(t, col, d->var[j], lv, colv[j], err);
    else if (known) memcpy(colv[j], known, n * sizeof **colv);
    else cols[nnum] = col, numv[nnum++] = colv[j];
  }
  if (!st && nnum) st = vagap_table_numeric_columns(t, cols, nnum, numv, 0, NULL, err);
  free(cols);
  free(numv);
  return st;
}

vagap_status_t vagap_sem_rows_load(const vagap_table_t *t, size_t gcol, const vagap_sem_model_t *m,
                               vagap_sem_rows_t *d, int pairwise, int want_stats, const vagap_sem_levels_t *lv,
                               vagap_ledger_t *ledger, vagap_error_t *err) {
  size_t n = vagap_table_nrows(t), p = m->nov;
  d->nvar = 0;
  if (!(d->var = calloc(p ? p : 1, sizeof *d->var))) return oom(err);
  for (size_t j = 0; j < p; j++) {
    if (!(d->var[j] = strdup(m->ov[j]))) return oom(err);
    d->nvar++;
  }
  double **colv = calloc(p ? p : 1, sizeof *colv);
  d->x = malloc((n ? n : 1) * (p ? p : 1) * sizeof *d->x);
  d->group = malloc((n ? n : 1) * sizeof *d->group);
  vagap_status_t st = (!colv || !d->x || !d->group) ? oom(err) : read_columns(t, d, colv, lv, err);
  size_t src = vagap_table_source_id(t);
  for (size_t i = 0; i < n && !st; i++) {
    char reason[300];
    size_t g;
    const char *why = exclusion_reason(t, i, gcol, d, colv, pairwise, m->ov_is_x, &g, reason, sizeof reason);
    if (why) {
      st = vagap_ledger_exclude(ledger, src, vagap_table_line(t, i), why);
      continue;
    }
    for (size_t j = 0; j < p; j++) d->x[d->nobs * p + j] = colv[j][i];
    d->group[d->nobs++] = g;
  }
  if (colv)
    for (size_t j = 0; j < p; j++) free(colv[j]);
  free(colv);
  if (!st && want_stats && !vagap_sem_rows_fiml(d))
    st = vagap_sem_stats_alloc(&d->stats, d->ngroups, p, (const char *const *)d->var,
                               (const char *const *)d->labels, err);
  if (!st && want_stats && !vagap_sem_rows_fiml(d)) st = vagap_sem_stats_compute(d->stats, d->x, d->group, d->nobs, err);
  if (st && err && !err->file[0]) snprintf(err->file, sizeof err->file, "%s", vagap_table_source(t));
  return st;
}

static int cmp_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

vagap_status_t vagap_sem_rows_ordered(const char *const *ordered, size_t n_ordered, int all,
                                      const vagap_sem_syntax_t *syn, const vagap_sem_model_t *m,
                                      const vagap_sem_rows_t *d, vagap_sem_model_options_t *mopt,
                                      char ***names, int **nth, vagap_error_t *err) {
  size_t n = 0;
  *names = NULL;
  *nth = NULL;
  if (all) {
    if (!(*names = calloc(m->nov ? m->nov : 1, sizeof **names))) return oom(err);
    for (size_t i = 0; i < m->nov; i++)
      if (!m->ov_is_x[i]) { /* lavaan's ordered = TRUE: the endogenous observed variables */
        if (!((*names)[n] = strdup(m->ov[i]))) return oom(err);
        n++;
      }
  } else { /* the names given (none: only threshold statements make variables ordered) */
    if (!(*names = calloc(n_ordered ? n_ordered : 1, sizeof **names))) return oom(err);
    for (; n < n_ordered; n++)
      if (!((*names)[n] = strdup(ordered[n]))) return oom(err);
  }
  /* lavaan: a variable with thresholds in the syntax is ordered */
  size_t cap = n + syn->n;
  char **grown = realloc(*names, (cap ? cap : 1) * sizeof **names);
  if (!grown) return oom(err);
  *names = grown;
  for (size_t i = 0; i < syn->n; i++) {
    if (syn->st[i].op != VAGAP_SEM_THRESHOLD) continue;
    size_t j, k;
    for (j = 0; j < d->nvar && strcmp(d->var[j], syn->st[i].lhs); j++) {}
    if (j == d->nvar) continue; /* not an observed variable: the model build says so, located */
    for (k = 0; k < n && strcmp((*names)[k], syn->st[i].lhs); k++) {}
    if (k == n && !((*names)[n++] = strdup(syn->st[i].lhs))) return oom(err);
  }
  if (!(*nth = calloc(n ? n : 1, sizeof **nth))) return oom(err);
  double *v = malloc((d->nobs ? d->nobs : 1) * sizeof *v);
  if (!v) return oom(err);
  vagap_status_t st = VAGAP_OK;
  for (size_t k = 0; k < n && !st; k++) {
    size_t j;
    for (j = 0; j < d->nvar && strcmp(d->var[j], (*names)[k]); j++) {}
    if (j == d->nvar) {
      st = vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "--ordered: '%s' is not an observed variable of the model", (*names)[k]);
      break;
    }
    size_t nv = 0;
    for (size_t r = 0; r < d->nobs; r++) {
      double x = d->x[r * d->nvar + j];
      if (!isnan(x)) v[nv++] = x; /* the categories: the sorted distinct values, as lavaan's ordered() */
    }
    qsort(v, nv, sizeof *v, cmp_value);
    size_t nu = 0;
    for (size_t r = 0; r < nv; r++)
      if (!r || v[r] != v[r - 1]) nu++;
    if (nu < 2)
      st = vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0,
                           "ordered variable '%s' has %s: it needs at least 2 categories", (*names)[k],
                           nu ? "a single category" : "no values");
    else if (nu > 100)
      st = vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0,
                           "ordered variable '%s' has %zu categories: more than 100 is not an ordinal scale "
                           "(leave it out of --ordered)", (*names)[k], nu);
    (*nth)[k] = (int)nu - 1;
  }
  free(v);
  mopt->ordered = (const char *const *)*names;
  mopt->ordered_nth = *nth;
  mopt->n_ordered = n;
  return st;
}

/* 1 for the observed variables of m that are ordered: the names given, all of
   them, or with thresholds in syn (as vagap_sem_rows_ordered decides) */
static void ordered_flags(const char *const *ordered, size_t n_ordered, int all,
                          const vagap_sem_syntax_t *syn, const vagap_sem_model_t *m, int *coded) {
  for (size_t j = 0; j < m->nov; j++) {
    coded[j] = all && !m->ov_is_x[j];
    for (size_t i = 0; i < syn->n; i++)
      if (syn->st[i].op == VAGAP_SEM_THRESHOLD && !strcmp(syn->st[i].lhs, m->ov[j])) coded[j] = 1;
    for (size_t k = 0; k < n_ordered; k++)
      if (!strcmp(ordered[k], m->ov[j])) coded[j] = 1;
  }
}

/* With the table's --bad-rows exclude: rows with text in a model column are dropped. */
static vagap_status_t screen_model_columns(vagap_table_t *t, const vagap_sem_model_t *m,
                                           vagap_ledger_t *ledger, vagap_error_t *err) {
  if (!vagap_table_excludes_bad_rows(t)) return VAGAP_OK;
  size_t *cols = malloc((m->nov ? m->nov : 1) * sizeof *cols), n = 0;
  if (!cols) return oom(err);
  for (size_t k = 0; k < m->nov; k++)
    if (vagap_table_column(t, m->ov[k], &cols[n], NULL) == VAGAP_OK) n++;
  vagap_status_t st = vagap_table_exclude_non_numbers(t, cols, n, ledger, err);
  free(cols);
  return st;
}

vagap_status_t vagap_sem_rows_build_ordinal(vagap_table_t *t, size_t gcol, const vagap_sem_syntax_t *syn,
                                            const char *model_source, const char *const *ordered,
                                            size_t n_ordered, int ordered_all, int pairwise,
                                            const char *const *levels, size_t n_levels,
                                            vagap_sem_model_options_t *mopt, vagap_sem_rows_t *d,
                                            vagap_sem_model_t **model, char ***onames, int **onth,
                                            vagap_ledger_t *ledger, vagap_error_t *err) {
  /* the model's variables come from a first build of its relations alone (no thresholds,
     whose number the data give, and no := or constraints, which may name their labels) */
  vagap_sem_syntax_t rel = {0, malloc((syn->n ? syn->n : 1) * sizeof *syn->st)};
  vagap_sem_model_t *model0 = NULL;
  if (!rel.st) return oom(err);
  for (size_t i = 0; i < syn->n; i++)
    if (syn->st[i].op <= VAGAP_SEM_INTERCEPT) rel.st[rel.n++] = syn->st[i];
  vagap_status_t st = vagap_sem_rows_groups(t, gcol, d, err);
  vagap_sem_model_options_t opt0 = *mopt; /* the relations alone: no constraints either */
  opt0.constraints = NULL;
  if (!st) st = vagap_sem_model_build(&model0, &rel, d->ngroups, &opt0, model_source, err);
  vagap_sem_levels_t lv = {levels, n_levels, NULL};
  int *coded = NULL;
  if (!st && levels) { /* text codes of the ordered columns, in order */
    if (!(coded = calloc(model0->nov ? model0->nov : 1, sizeof *coded))) st = oom(err);
    else ordered_flags(ordered, n_ordered, ordered_all, syn, model0, coded);
    lv.coded = coded;
  }
  /* --bad-rows screening would drop the text codes that levels reads */
  if (!st && !levels) st = screen_model_columns(t, model0, ledger, err);
  if (!st) st = vagap_sem_rows_load(t, gcol, model0, d, pairwise, 0, levels ? &lv : NULL, ledger, err);
  free(coded);
  if (!st)
    st = vagap_sem_rows_ordered(ordered, n_ordered, ordered_all, syn, model0, d, mopt, onames, onth, err);
  if (!st) st = vagap_sem_model_build(model, syn, d->ngroups, mopt, model_source, err);
  if (st == VAGAP_EDATA && !err->file[0]) snprintf(err->file, sizeof err->file, "%s", vagap_table_source(t));
  vagap_sem_model_free(model0);
  free(rel.st);
  return st;
}
