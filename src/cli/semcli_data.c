/* semcli_data.c - raw-data input for SEM-fitting commands (see semcli_data.h). */
#include "semcli_data.h"
#include "rows.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static vagap_status_t oom(vagap_error_t *err) {
  return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
}

vagap_status_t semcli_read_text(const char *path, char **out, vagap_error_t *err) {
  *out = NULL;
  FILE *f = fopen(path, "rb");
  if (!f) return vagap_error_set(err, VAGAP_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  while (buf) {
    if (n + 1 >= cap) {
      char *b = realloc(buf, cap *= 2);
      if (!b) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = b;
    }
    size_t k = fread(buf + n, 1, cap - n - 1, f);
    n += k;
    if (k == 0) break;
  }
  int bad = ferror(f);
  fclose(f);
  if (!buf) return oom(err);
  if (bad) {
    free(buf);
    return vagap_error_set(err, VAGAP_EIO, path, 0, 0, "read error");
  }
  buf[n] = '\0';
  if (strlen(buf) != n) {
    free(buf);
    return vagap_error_set(err, VAGAP_EPARSE, path, 0, 0, "the file contains a NUL byte");
  }
  *out = buf;
  return VAGAP_OK;
}

vagap_status_t semcli_group_constraints(const char *group_equal, const char *group_partial,
                                        vagap_sem_model_options_t *mopt, char ***partial,
                                        size_t *npartial, vagap_error_t *err) {
  *partial = NULL;
  *npartial = 0;
  vagap_error_t parse_err;
  if (group_equal &&
      vagap_sem_group_equal_parse(group_equal, &mopt->group_equal, &parse_err) != VAGAP_OK)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "--group-equal: %s", parse_err.message);
  if (group_partial) {
    if (!(*partial = semcli_split_list(group_partial, npartial)))
      return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    mopt->group_partial = (const char *const *)*partial;
    mopt->n_group_partial = *npartial;
  }
  return VAGAP_OK;
}

char **semcli_split_list(const char *s, size_t *n) {
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
        semcli_free_list(v, *n);
        return NULL;
      }
      (*n)++;
    }
    if (!e) break;
    b = e + 1;
  }
  return v;
}

void semcli_free_list(char **v, size_t n) {
  if (!v) return;
  for (size_t i = 0; i < n; i++) free(v[i]);
  free(v);
}

void semcli_data_free(semcli_data_t *d) {
  semcli_free_list(d->labels, d->ngroups);
  semcli_free_list(d->var, d->nvar);
  free(d->x);
  free(d->group);
  vagap_sem_stats_free(d->stats);
  memset(d, 0, sizeof *d);
}

static vagap_status_t add_label(semcli_data_t *d, size_t *cap, const char *v, vagap_error_t *err) {
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

vagap_status_t semcli_group_levels(const vagap_table_t *t, size_t gcol, semcli_data_t *d,
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

int semcli_fiml(const semcli_data_t *d) {
  return d->missing == VAGAP_SEM_MISSING_ML || d->missing == VAGAP_SEM_MISSING_ML_X;
}

/* lavaan's rows under missing = "ml": a row missing a fixed.x covariate is deleted
   (kept with ml.x), a row missing every model variable is an "empty case". */
static const char *fiml_exclusion(const semcli_data_t *d, size_t i, double *const *colv, const int *x_of,
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
                                    const semcli_data_t *d, double *const *colv, int pairwise,
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
  if (semcli_fiml(d)) return fiml_exclusion(d, i, colv, x_of, buf, size);
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
                                   const semcli_levels_t *lv, double *out, vagap_error_t *err) {
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

static vagap_status_t read_columns(const vagap_table_t *t, semcli_data_t *d, double **colv,
                                   const semcli_levels_t *lv, vagap_error_t *err) {
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
    if (lv && lv->coded[j] && column_has_text(t, col)) st = level_column(t, col, d->var[j], lv, colv[j], err);
    else cols[nnum] = col, numv[nnum++] = colv[j];
  }
  if (!st && nnum) st = vagap_table_numeric_columns(t, cols, nnum, numv, 0, NULL, err);
  free(cols);
  free(numv);
  return st;
}

vagap_status_t semcli_screen(const vagap_table_options_t *topt, vagap_table_t *t,
                             const vagap_sem_model_t *m, vagap_ledger_t *ledger,
                             vagap_error_t *err) {
  if (cli_screen_named(topt, t, ledger, (const char *const *)m->ov, m->nov)) return oom(err);
  return VAGAP_OK;
}

vagap_status_t semcli_load(const vagap_table_t *t, size_t gcol, const vagap_sem_model_t *m,
                           semcli_data_t *d, vagap_ledger_t *ledger, vagap_error_t *err) {
  return semcli_load_raw(t, gcol, m, d, 0, 1, NULL, ledger, err);
}

vagap_status_t semcli_load_raw(const vagap_table_t *t, size_t gcol, const vagap_sem_model_t *m,
                               semcli_data_t *d, int pairwise, int want_stats, const semcli_levels_t *lv,
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
  if (!st && want_stats && !semcli_fiml(d))
    st = vagap_sem_stats_alloc(&d->stats, d->ngroups, p, (const char *const *)d->var,
                               (const char *const *)d->labels, err);
  if (!st && want_stats && !semcli_fiml(d)) st = vagap_sem_stats_compute(d->stats, d->x, d->group, d->nobs, err);
  if (st && err && !err->file[0]) snprintf(err->file, sizeof err->file, "%s", vagap_table_source(t));
  return st;
}

vagap_status_t semcli_fit(vagap_sem_fit_t **fit, const vagap_sem_model_t *model, const semcli_data_t *d,
                          const vagap_sem_fit_options_t *opt, vagap_error_t *err) {
  if (!d->stats) {
    vagap_sem_data_t v = semcli_view(d);
    return vagap_sem_fit_data(fit, model, &v, opt, err);
  }
  return vagap_sem_fit(fit, model, d->stats, opt, err);
}

void semcli_missing_summary(FILE *out, const semcli_data_t *d) {
  if (!semcli_fiml(d)) return;
  size_t p = d->nvar;
  char *pat = malloc(d->nobs * (p + 1) + 1);
  double *cov = calloc(p > 0 ? p * p : 1, sizeof *cov);
  if (!pat || !cov) { free(pat); free(cov); return; }
  for (size_t g = 0; g < d->ngroups; g++) {
    /* patterns as strings of 0/1, counted distinct; coverage = share of rows observing both */
    size_t n = 0, npat = 0;
    memset(cov, 0, p * p * sizeof *cov);
    for (size_t i = 0; i < d->nobs; i++) {
      if (d->group[i] != g) continue;
      const double *y = d->x + i * p;
      char *s = pat + n * (p + 1);
      for (size_t j = 0; j < p; j++) s[j] = isnan(y[j]) ? '0' : '1';
      s[p] = 0;
      size_t k = 0;
      while (k < n && strcmp(pat + k * (p + 1), s)) k++;
      npat += k == n;
      for (size_t a = 0; a < p; a++)
        for (size_t b = 0; b < p; b++) cov[a * p + b] += !isnan(y[a]) && !isnan(y[b]);
      n++;
    }
    if (d->ngroups > 1) fprintf(out, "\nMissing data, group %s:\n", d->labels[g]);
    else fprintf(out, "\nMissing data:\n");
    fprintf(out, "  Number of observations                        %10zu\n", n);
    fprintf(out, "  Number of missing patterns                    %10zu\n", npat);
    fprintf(out, "  Coverage (lavInspect \"coverage\"):\n  %-10s", "");
    for (size_t b = 0; b < p; b++) fprintf(out, " %8.8s", d->var[b]);
    fputc('\n', out);
    for (size_t a = 0; a < p; a++) {
      fprintf(out, "  %-10.10s", d->var[a]);
      for (size_t b = 0; b <= a; b++) fprintf(out, " %8.3f", n ? cov[a * p + b] / (double)n : NAN);
      fputc('\n', out);
    }
  }
  free(pat);
  free(cov);
}

vagap_sem_data_t semcli_view(const semcli_data_t *d) {
  vagap_sem_data_t v = {d->nobs, d->nvar, d->ngroups, d->x, d->group,
                        (const char *const *)d->var, (const char *const *)d->labels};
  return v;
}

void semcli_progress_init(semcli_progress_t *p, const cli_common_t *c, const char *what,
                          const char *unit) {
  cli_progress_start(p, c, what, unit);
}

void semcli_progress(size_t done, size_t total, void *ctx) {
  cli_progress_update(ctx, (double)done, (double)total);
}

void semcli_report_boot_failures(const char *command, const vagap_sem_boot_t *b) {
  if (b->nfailed) {
    fprintf(stderr, "vagap %s: %zu of %zu bootstrap resamples failed to fit and are left out:",
            command, b->nfailed, b->B);
    for (int s = 0; s <= VAGAP_ENUMERIC; s++)
      if (b->failed_by_status[s])
        fprintf(stderr, " %zu %s;", b->failed_by_status[s], vagap_strerror((vagap_status_t)s));
    fputc('\n', stderr);
  }
  /* fitted resamples with lavaan's post-check warnings are kept, as lavaan keeps
     them; say how many and which warnings ('#' stands for a group or a number) */
  if (b->nwarned) {
    fprintf(stderr, "vagap %s: warning: %zu of %zu bootstrap resamples were fitted with warnings "
                    "and are kept:", command, b->nwarned, b->B);
    for (size_t k = 0; k < b->nwarn_kinds; k++)
      fprintf(stderr, " %zu \"%s\";", b->warn_count[k], b->warn_kind[k]);
    fputc('\n', stderr);
  }
}

void semcli_report_fit_warnings(const char *command, const char *what, const vagap_sem_fit_t *fit) {
  for (size_t i = 0; i < fit->nwarnings; i++)
    fprintf(stderr, "vagap %s: warning%s%s: %s\n", command, what ? " " : "", what ? what : "", fit->warnings[i]);
}

static int cmp_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

vagap_status_t semcli_ordered(const char *list, int all, const vagap_sem_syntax_t *syn, const vagap_sem_model_t *m,
                              const semcli_data_t *d,
                              vagap_sem_model_options_t *mopt, char ***names, int **nth, vagap_error_t *err) {
  size_t n = 0;
  *names = NULL;
  *nth = NULL;
  if (!all && !list) { /* only threshold statements make variables ordered */
    if (!(*names = calloc(syn->n ? syn->n : 1, sizeof **names))) return oom(err);
  } else if (all) {
    if (!(*names = calloc(m->nov ? m->nov : 1, sizeof **names))) return oom(err);
    for (size_t i = 0; i < m->nov; i++)
      if (!m->ov_is_x[i]) { /* lavaan's ordered = TRUE: the endogenous observed variables */
        if (!((*names)[n] = strdup(m->ov[i]))) return oom(err);
        n++;
      }
  } else if (!(*names = semcli_split_list(list, &n))) {
    return oom(err);
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

/* 1 for the observed variables of m that are ordered: the list, all of them, or
   with thresholds in syn (as semcli_ordered decides) */
static void ordered_flags(const char *list, int all, const vagap_sem_syntax_t *syn, const vagap_sem_model_t *m,
                          int *coded) {
  for (size_t j = 0; j < m->nov; j++) {
    coded[j] = all && !m->ov_is_x[j];
    for (size_t i = 0; i < syn->n; i++)
      if (syn->st[i].op == VAGAP_SEM_THRESHOLD && !strcmp(syn->st[i].lhs, m->ov[j])) coded[j] = 1;
    if (!list) continue;
    size_t len = strlen(m->ov[j]);
    for (const char *c = list; *c;) { /* the names of list, comma-separated, blanks trimmed */
      while (*c == ' ' || *c == ',') c++;
      const char *e = c;
      while (*e && *e != ',') e++;
      const char *b = e;
      while (b > c && b[-1] == ' ') b--;
      if ((size_t)(b - c) == len && !strncmp(c, m->ov[j], len)) coded[j] = 1;
      c = e;
    }
  }
}

vagap_status_t semcli_build_ordinal(const vagap_table_options_t *topt, vagap_table_t *t, size_t gcol, const vagap_sem_syntax_t *syn,
                                    const char *model_path, const char *ordered, int ordered_all, int pairwise,
                                    const char *levels,
                                    vagap_sem_model_options_t *mopt, semcli_data_t *d, vagap_sem_model_t **model,
                                    char ***onames, int **onth, vagap_ledger_t *ledger, vagap_error_t *err) {
  /* the model's variables come from a first build of its relations alone (no thresholds,
     whose number the data give, and no := or constraints, which may name their labels) */
  vagap_sem_syntax_t rel = {0, malloc((syn->n ? syn->n : 1) * sizeof *syn->st)};
  vagap_sem_model_t *model0 = NULL;
  if (!rel.st) return oom(err);
  for (size_t i = 0; i < syn->n; i++)
    if (syn->st[i].op <= VAGAP_SEM_INTERCEPT) rel.st[rel.n++] = syn->st[i];
  vagap_status_t st = semcli_group_levels(t, gcol, d, err);
  vagap_sem_model_options_t opt0 = *mopt; /* the relations alone: no constraints either */
  opt0.constraints = NULL;
  if (!st) st = vagap_sem_model_build(&model0, &rel, d->ngroups, &opt0, model_path, err);
  semcli_levels_t lv = {NULL, 0, NULL};
  if (!st && levels) { /* --levels: text codes of the ordered columns, in order */
    lv.levels = semcli_split_list(levels, &lv.n);
    int *coded = calloc(model0->nov ? model0->nov : 1, sizeof *coded);
    lv.coded = coded;
    if (!lv.levels || !coded) st = oom(err);
    else ordered_flags(ordered, ordered_all, syn, model0, coded);
  }
  /* --bad-rows screening would drop the text codes that --levels reads */
  if (!st && !levels) st = semcli_screen(topt, t, model0, ledger, err);
  if (!st) st = semcli_load_raw(t, gcol, model0, d, pairwise, 0, levels ? &lv : NULL, ledger, err);
  semcli_free_list(lv.levels, lv.n);
  free((int *)lv.coded);
  if (!st) st = semcli_ordered(ordered, ordered_all, syn, model0, d, mopt, onames, onth, err);
  if (!st) st = vagap_sem_model_build(model, syn, d->ngroups, mopt, model_path, err);
  if (st == VAGAP_EDATA && !err->file[0]) snprintf(err->file, sizeof err->file, "%s", vagap_table_source(t));
  vagap_sem_model_free(model0);
  free(rel.st);
  return st;
}
