/*
 * consistency_rows.c - the three modes of `vagap consistency` from rows to
 * the program's table (see vagap/consistency.h): decision vectors per unit
 * from a decision log, enacted shares against stated profiles, and the
 * role-play drop.  Moved from the program (cmd_consistency.c): where it
 * printed a warning, a note is added to the table.
 */
#include "vagap/consistency.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vagap/intern.h"

void vagap_consistency_options_init(vagap_consistency_options_t *o) {
  memset(o, 0, sizeof *o);
  o->unit = "model";
  o->scenario = "scenario";
  o->choice = "choice";
  o->value = "value";
  o->enacted = "enacted";
  o->profile_score = "score";
  o->condition = "condition";
  o->correct = "correct";
  o->a = "select";
  o->b = "hold";
  o->method_pearson = 1;
  o->conf_level = 0.95;
}

/* ---- a units x items table of means ---------------------------------------- */

/* Sums and counts per (unit, item), both keyed by interned strings. */
typedef struct {
  vagap_intern_t *units, *items;
  double *sum;
  size_t *count;
  size_t cap_units, cap_items; /* allocated dimensions */
} grid_t;

static int grid_init(grid_t *g) {
  memset(g, 0, sizeof *g);
  g->units = vagap_intern_alloc();
  g->items = vagap_intern_alloc();
  return g->units && g->items ? 0 : -1;
}

static void grid_free(grid_t *g) {
  vagap_intern_free(g->units);
  vagap_intern_free(g->items);
  free(g->sum);
  free(g->count);
}

/* Make room for unit u and item k, keeping the layout sum[u * cap_items + k]. */
static int grid_reserve(grid_t *g, size_t u, size_t k) {
  if (u < g->cap_units && k < g->cap_items) return 0;
  size_t cu = g->cap_units ? g->cap_units : 8, ck = g->cap_items ? g->cap_items : 8;
  while (cu <= u) cu *= 2;
  while (ck <= k) ck *= 2;
  double *sum = calloc(cu * ck, sizeof *sum);
  size_t *count = calloc(cu * ck, sizeof *count);
  if (!sum || !count) {
    free(sum);
    free(count);
    return -1;
  }
  for (size_t i = 0; i < g->cap_units; i++)
    for (size_t j = 0; j < g->cap_items; j++) {
      sum[i * ck + j] = g->sum[i * g->cap_items + j];
      count[i * ck + j] = g->count[i * g->cap_items + j];
    }
  free(g->sum);
  free(g->count);
  g->sum = sum;
  g->count = count;
  g->cap_units = cu;
  g->cap_items = ck;
  return 0;
}

/* Add x to (unit, item); returns -1 when out of memory. */
static int grid_add(grid_t *g, const char *unit, size_t ulen, const char *item, size_t ilen,
                    double x, size_t *u_out, size_t *k_out) {
  size_t u = vagap_intern(g->units, unit, ulen), k = vagap_intern(g->items, item, ilen);
  if (u == (size_t)-1 || k == (size_t)-1 || grid_reserve(g, u, k)) return -1;
  g->sum[u * g->cap_items + k] += x;
  g->count[u * g->cap_items + k]++;
  if (u_out) *u_out = u;
  if (k_out) *k_out = k;
  return 0;
}

/* Dense nunits x nitems matrix of means (NaN where no observation); caller frees. */
static double *grid_means(const grid_t *g) {
  size_t nu = vagap_intern_count(g->units), ni = vagap_intern_count(g->items);
  double *m = malloc((nu * ni + 1) * sizeof *m);
  if (!m) return NULL;
  for (size_t i = 0; i < nu; i++)
    for (size_t j = 0; j < ni; j++) {
      size_t n = g->count[i * g->cap_items + j];
      m[i * ni + j] = n ? g->sum[i * g->cap_items + j] / (double)n : NAN;
    }
  return m;
}

/* ---- shared reading helpers -------------------------------------------------- */

static vagap_status_t oom(vagap_error_t *err) {
  return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
}

/* Exclude row i when any of the columns is missing; returns 1 if excluded. */
static int exclude_missing(const vagap_table_t *t, size_t i, const size_t *cols,
                           const char *const *names, size_t ncols, vagap_ledger_t *ledger,
                           vagap_status_t *st) {
  for (size_t k = 0; k < ncols; k++)
    if (vagap_table_is_na(t, i, cols[k])) {
      char reason[256];
      snprintf(reason, sizeof reason, "missing %s", names[k]);
      *st = vagap_ledger_exclude(ledger, vagap_table_source_id(t), vagap_table_line(t, i), reason);
      return 1;
    }
  return 0;
}

static vagap_status_t find_columns(const vagap_table_t *t, const char *const *names, size_t n,
                                   size_t *cols, vagap_error_t *err) {
  for (size_t k = 0; k < n; k++) {
    vagap_status_t st = vagap_table_column(t, names[k], &cols[k], err);
    if (st != VAGAP_OK) return st;
  }
  return VAGAP_OK;
}

/* ---- rows of the table ------------------------------------------------------------ */

/* The rows being written and the first failure (rows after it are dropped). */
typedef struct {
  vagap_tidy_t *out;
  vagap_error_t *err;
  vagap_status_t status;
} rows_t;

/* unit (the row's group), term, level, then the broom numbers. */
static void put_row(rows_t *w, const char *unit, const char *term, const char *level,
                    double estimate, double se, double statistic, double df, double p, double lo,
                    double hi, size_t n, const char *method) {
  if (w->status) return;
  vagap_tidy_row_t r = {.group = unit, .term = term, .level = level, .estimate = estimate,
                        .std_error = se, .statistic = statistic, .df = df, .p_value = p,
                        .conf_low = lo, .conf_high = hi, .n = n, .rank = NAN, .method = method};
  w->status = vagap_tidy_add(w->out, &r, w->err);
}

static void put_cor(rows_t *w, const char *unit, const char *term, const char *level,
                    const vagap_consistency_cor_t *r) {
  const vagap_cor_t *c = &r->cor;
  /* std.error NA: cor.test reports none */
  put_row(w, unit, term, level, c->estimate, NAN, c->statistic, c->df, c->p_value, c->conf_low,
          c->conf_high, c->n, c->method == VAGAP_COR_PEARSON ? "pearson" : "spearman");
}

static void put_value(rows_t *w, const char *unit, const char *term, const char *level,
                      double estimate, size_t n, const char *method) {
  put_row(w, unit, term, level, estimate, NAN, NAN, NAN, NAN, NAN, NAN, n, method);
}

static void put_ttest(rows_t *w, const char *term, const char *level, const vagap_ttest_t *t,
                      const char *method) {
  put_row(w, NULL, term, level, t->estimate, t->std_error, t->statistic, t->df, t->p_value,
          t->conf_low, t->conf_high, t->n, method);
}

/* A warning for the caller to print (the program) or raise (the bindings). */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void note(rows_t *w, const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (!w->status) w->status = vagap_tidy_note(w->out, w->err, "%s", buf);
}

/* ---- mode matrix ------------------------------------------------------------------ */

/* Decision vectors: (scenario, option) shares or per-scenario means of --score. */
static vagap_status_t read_decisions(const vagap_table_t *t, const vagap_consistency_options_t *a, grid_t *g,
                                     vagap_ledger_t *ledger, vagap_error_t *err) {
  const char *names[3] = {a->unit, a->scenario, a->score ? a->score : a->choice};
  size_t col[3];
  vagap_status_t st = find_columns(t, names, 3, col, err);
  if (st != VAGAP_OK) return st;
  size_t n = vagap_table_nrows(t);
  double *score = NULL;
  if (a->score) {
    score = malloc((n ? n : 1) * sizeof *score);
    if (!score) return oom(err);
    if ((st = vagap_table_numeric(t, col[2], score, err))) goto done;
  }
  grid_t options; /* per-row (unit, scenario) tallies for choice shares */
  if (grid_init(&options)) {
    st = oom(err);
    goto done;
  }
  for (size_t i = 0; i < n && st == VAGAP_OK; i++) {
    if (exclude_missing(t, i, col, names, 3, ledger, &st)) continue;
    size_t ul, sl, cl;
    const char *u = vagap_table_cell(t, i, col[0], &ul);
    const char *s = vagap_table_cell(t, i, col[1], &sl);
    if (a->score) {
      if (grid_add(g, u, ul, s, sl, score[i], NULL, NULL)) st = oom(err);
      continue;
    }
    /* item key "scenario\x1foption"; the per-scenario total goes in `options` */
    const char *ch = vagap_table_cell(t, i, col[2], &cl);
    char *key = malloc(sl + cl + 2);
    if (!key) {
      st = oom(err);
      break;
    }
    memcpy(key, s, sl);
    key[sl] = '\x1f';
    memcpy(key + sl + 1, ch, cl);
    key[sl + cl + 1] = '\0';
    if (grid_add(g, u, ul, key, sl + cl + 1, 1.0, NULL, NULL) ||
        grid_add(&options, u, ul, s, sl, 1.0, NULL, NULL))
      st = oom(err);
    free(key);
  }
  if (st == VAGAP_OK && !a->score) {
    /* convert counts to shares: count(unit, s, option) / count(unit, s), 0 if the unit saw s */
    size_t nu = vagap_intern_count(g->units), ni = vagap_intern_count(g->items);
    for (size_t k = 0; k < ni && st == VAGAP_OK; k++) {
      const char *item = vagap_intern_string(g->items, k);
      size_t slen = (size_t)(strchr(item, '\x1f') - item);
      size_t sk = vagap_intern_find(options.items, item, slen);
      for (size_t u = 0; u < nu; u++) {
        size_t uo = vagap_intern_find(options.units, vagap_intern_string(g->units, u),
                                    strlen(vagap_intern_string(g->units, u)));
        size_t total = uo == (size_t)-1 ? 0 : options.count[uo * options.cap_items + sk];
        double *sum = &g->sum[u * g->cap_items + k];
        size_t *count = &g->count[u * g->cap_items + k];
        /* the mean of the grid becomes the share: sum = chosen, count = total */
        *count = total;
        if (total == 0) *sum = 0.0;
      }
    }
  }
  grid_free(&options);
done:
  free(score);
  return st;
}

static vagap_status_t run_matrix_method(rows_t *w, const grid_t *g, const double *x,
                                        vagap_cor_method_t method, double conf,
                                        vagap_error_t *err) {
  size_t nu = vagap_intern_count(g->units), ni = vagap_intern_count(g->items);
  vagap_cor_options_t opt;
  vagap_cor_options_init(&opt);
  opt.method = method;
  opt.conf_level = conf;
  vagap_consistency_cor_t *pairs = malloc((nu * nu + 1) * sizeof *pairs);
  vagap_consistency_unit_t *units = malloc((nu ? nu : 1) * sizeof *units);
  double mean_all = NAN;
  vagap_status_t st = pairs && units ? VAGAP_OK : oom(err);
  if (st == VAGAP_OK) st = vagap_consistency_matrix(x, nu, ni, &opt, pairs, units, &mean_all, err);
  const char *mname = method == VAGAP_COR_PEARSON ? "pearson" : "spearman";
  for (size_t i = 0; st == VAGAP_OK && i < nu; i++)
    for (size_t j = 0; j < nu; j++)
      put_cor(w, vagap_intern_string(g->units, i), "r", vagap_intern_string(g->units, j),
              &pairs[i * nu + j]);
  size_t ndefined = 0;
  for (size_t i = 0; st == VAGAP_OK && i < nu; i++) {
    put_value(w, vagap_intern_string(g->units, i), "mean_r", NULL, units[i].mean_r,
              units[i].n_defined, mname);
    ndefined += units[i].n_defined;
  }
  if (st == VAGAP_OK) put_value(w, NULL, "mean_r_all", NULL, mean_all, ndefined / 2, mname);
  free(pairs);
  free(units);
  return st ? st : w->status;
}

vagap_status_t vagap_consistency_matrix_rows(const vagap_table_t *t,
                                             const vagap_consistency_options_t *a,
                                             vagap_ledger_t *ledger, vagap_tidy_t *out,
                                             vagap_error_t *err) {
  vagap_tidy_init(out);
  rows_t w = {out, err, VAGAP_OK};
  grid_t g;
  double *x = NULL;
  vagap_status_t st = grid_init(&g) ? oom(err) : VAGAP_OK;
  if (st == VAGAP_OK) st = read_decisions(t, a, &g, ledger, err);
  if (st == VAGAP_OK && !(x = grid_means(&g))) st = oom(err);
  if (st == VAGAP_OK) {
    size_t nu = vagap_intern_count(g.units);
    if (nu < 2) note(&w, "only %zu unit(s): no pair to correlate", nu);
    if (a->method_pearson) st = run_matrix_method(&w, &g, x, VAGAP_COR_PEARSON, a->conf_level, err);
    if (st == VAGAP_OK && a->method_spearman)
      st = run_matrix_method(&w, &g, x, VAGAP_COR_SPEARMAN, a->conf_level, err);
  }
  free(x);
  grid_free(&g);
  if (st) vagap_tidy_free(out);
  return st;
}

/* ---- mode stated-enacted ------------------------------------------------------------ */

/* Mean of a numeric column per (unit, value) into g. */
static vagap_status_t read_unit_value(const vagap_table_t *t, const char *unit, const char *value,
                                      const char *number, int unique, grid_t *g,
                                      vagap_ledger_t *ledger, vagap_error_t *err) {
  const char *names[3] = {unit, value, number};
  size_t col[3];
  vagap_status_t st = find_columns(t, names, 3, col, err);
  if (st != VAGAP_OK) return st;
  size_t n = vagap_table_nrows(t);
  double *x = malloc((n ? n : 1) * sizeof *x);
  if (!x) return oom(err);
  if ((st = vagap_table_numeric(t, col[2], x, err))) goto done;
  for (size_t i = 0; i < n && st == VAGAP_OK; i++) {
    if (exclude_missing(t, i, col, names, 3, ledger, &st)) continue;
    size_t ul, vl, u, k;
    const char *us = vagap_table_cell(t, i, col[0], &ul);
    const char *vs = vagap_table_cell(t, i, col[1], &vl);
    if (grid_add(g, us, ul, vs, vl, x[i], &u, &k)) {
      st = oom(err);
      break;
    }
    if (unique && g->count[u * g->cap_items + k] > 1)
      st = vagap_error_set(err, VAGAP_EDATA, vagap_table_source(t), vagap_table_line(t, i), 0,
                           "second row for %s '%s' and %s '%s'", unit, us, value, vs);
  }
done:
  free(x);
  return st;
}

/* Align the profile grid onto the enactment grid's units and values (NaN where absent). */
static double *profile_on(const grid_t *profile, const grid_t *enact) {
  size_t nu = vagap_intern_count(enact->units), nv = vagap_intern_count(enact->items);
  double *m = malloc((nu * nv + 1) * sizeof *m);
  if (!m) return NULL;
  for (size_t i = 0; i < nu; i++) {
    const char *us = vagap_intern_string(enact->units, i);
    size_t pu = vagap_intern_find(profile->units, us, strlen(us));
    for (size_t j = 0; j < nv; j++) {
      const char *vs = vagap_intern_string(enact->items, j);
      size_t pv = vagap_intern_find(profile->items, vs, strlen(vs));
      double x = NAN;
      if (pu != (size_t)-1 && pv != (size_t)-1) {
        size_t at = pu * profile->cap_items + pv;
        if (profile->count[at]) x = profile->sum[at] / (double)profile->count[at];
      }
      m[i * nv + j] = x;
    }
  }
  return m;
}

/*
 * Profile rows whose unit or value never occurs in the enactment log take no
 * part in any correlation: they are excluded, so that the row count is honest.
 */
static vagap_status_t exclude_unmatched_profile_rows(const vagap_table_t *pt,
                                                     const vagap_consistency_options_t *a,
                                                     const grid_t *enact, vagap_ledger_t *ledger,
                                                     vagap_error_t *err) {
  size_t ucol, vcol;
  vagap_status_t st;
  if ((st = vagap_table_column(pt, a->unit, &ucol, err)) ||
      (st = vagap_table_column(pt, a->value, &vcol, err)))
    return st;
  for (size_t i = 0; i < vagap_table_nrows(pt); i++) {
    if (vagap_table_is_na(pt, i, ucol) || vagap_table_is_na(pt, i, vcol))
      continue; /* already excluded as missing */
    size_t ul, vl;
    const char *us = vagap_table_cell(pt, i, ucol, &ul);
    const char *vs = vagap_table_cell(pt, i, vcol, &vl);
    const char *why = NULL;
    if (vagap_intern_find(enact->units, us, ul) == (size_t)-1) why = "profile unit has no enactment rows";
    else if (vagap_intern_find(enact->items, vs, vl) == (size_t)-1) why = "profile value has no enactment rows";
    if (why && vagap_ledger_exclude(ledger, vagap_table_source_id(pt), vagap_table_line(pt, i), why))
      return oom(err);
  }
  return VAGAP_OK;
}

vagap_status_t vagap_consistency_stated_enacted_rows(const vagap_table_t *t, const vagap_table_t *pt,
                                                     const vagap_consistency_options_t *a,
                                                     vagap_ledger_t *ledger, vagap_tidy_t *out,
                                                     vagap_error_t *err) {
  vagap_tidy_init(out);
  rows_t w = {out, err, VAGAP_OK};
  grid_t enact, profile;
  double *e = NULL, *s = NULL;
  vagap_consistency_cor_t *unit = NULL, *value = NULL;
  int g1 = grid_init(&enact), g2 = grid_init(&profile);
  vagap_status_t st = g1 || g2 ? oom(err) : VAGAP_OK;
  if (st == VAGAP_OK)
    st = read_unit_value(t, a->unit, a->value, a->enacted, 0, &enact, ledger, err);
  if (st == VAGAP_OK)
    st = read_unit_value(pt, a->unit, a->value, a->profile_score, 1, &profile, ledger, err);
  size_t nu = vagap_intern_count(enact.units), nv = vagap_intern_count(enact.items);
  if (st == VAGAP_OK) {
    e = grid_means(&enact);
    s = profile_on(&profile, &enact);
    unit = malloc((nu ? nu : 1) * sizeof *unit);
    value = malloc((nv ? nv : 1) * sizeof *value);
    if (!e || !s || !unit || !value) st = oom(err);
  }
  for (size_t i = 0; st == VAGAP_OK && i < vagap_intern_count(profile.units); i++) {
    const char *us = vagap_intern_string(profile.units, i);
    if (vagap_intern_find(enact.units, us, strlen(us)) == (size_t)-1)
      note(&w, "unit '%s' has a profile but no enactment rows; it is left out", us);
  }
  if (st == VAGAP_OK) st = exclude_unmatched_profile_rows(pt, a, &enact, ledger, err);
  for (size_t i = 0; st == VAGAP_OK && i < nu; i++) {
    const char *us = vagap_intern_string(enact.units, i);
    if (vagap_intern_find(profile.units, us, strlen(us)) == (size_t)-1)
      note(&w, "unit '%s' has enactment rows but no profile; its r is undefined", us);
  }
  vagap_ttest_t mean;
  vagap_status_t mean_status = VAGAP_OK;
  size_t undefined = 0;
  if (st == VAGAP_OK) {
    vagap_cor_options_t copt;
    vagap_cor_options_init(&copt);
    copt.method = a->method_spearman && !a->method_pearson ? VAGAP_COR_SPEARMAN : VAGAP_COR_PEARSON;
    copt.conf_level = a->conf_level;
    vagap_ttest_options_t topt;
    vagap_ttest_options_init(&topt);
    topt.conf_level = a->conf_level;
    st = vagap_consistency_stated_enacted(s, e, nu, nv, a->centre, &copt, &topt, unit, value,
                                          &mean, &mean_status, &undefined, err);
  }
  if (st == VAGAP_OK) {
    if (undefined)
      note(&w, "%zu unit(s) with an undefined r (fewer than 3 values or constant) are left out of mean_r",
           undefined);
    for (size_t i = 0; i < nu; i++)
      put_cor(&w, vagap_intern_string(enact.units, i), "r", NULL, &unit[i]);
    for (size_t j = 0; j < nv; j++)
      put_cor(&w, NULL, "r_value", vagap_intern_string(enact.items, j), &value[j]);
    put_ttest(&w, "mean_r", NULL, &mean,
              a->centre ? "one-sample t-test of per-unit r (profiles centred)"
                        : "one-sample t-test of per-unit r");
    st = w.status;
  }
  (void)mean_status;
  free(e);
  free(s);
  free(unit);
  free(value);
  grid_free(&enact);
  grid_free(&profile);
  if (st) vagap_tidy_free(out);
  return st;
}

/* ---- mode roleplay ------------------------------------------------------------------- */

vagap_status_t vagap_consistency_roleplay_rows(const vagap_table_t *t,
                                               const vagap_consistency_options_t *a,
                                               vagap_ledger_t *ledger, vagap_tidy_t *out,
                                               vagap_error_t *err) {
  vagap_tidy_init(out);
  rows_t w = {out, err, VAGAP_OK};
  const char *names[3] = {a->unit, a->condition, a->correct};
  size_t col[3];
  grid_t g;
  double *x = NULL, *acc = NULL, *acc_a = NULL, *acc_b = NULL, *drop = NULL;
  vagap_status_t st = grid_init(&g) ? oom(err) : VAGAP_OK;
  if (st == VAGAP_OK) st = find_columns(t, names, 3, col, err);
  size_t n = vagap_table_nrows(t);
  if (st == VAGAP_OK && !(x = malloc((n ? n : 1) * sizeof *x))) st = oom(err);
  if (st == VAGAP_OK) st = vagap_table_numeric(t, col[2], x, err);
  /* the two conditions are items 0 (a) and 1 (b) whatever order the file has */
  if (st == VAGAP_OK && (vagap_intern(g.items, a->a, strlen(a->a)) == (size_t)-1 ||
                         vagap_intern(g.items, a->b, strlen(a->b)) == (size_t)-1))
    st = oom(err);
  for (size_t i = 0; st == VAGAP_OK && i < n; i++) {
    if (exclude_missing(t, i, col, names, 3, ledger, &st)) continue;
    size_t ul, cl;
    const char *us = vagap_table_cell(t, i, col[0], &ul);
    const char *cs = vagap_table_cell(t, i, col[1], &cl);
    if (vagap_intern_find(g.items, cs, cl) == (size_t)-1) {
      st = vagap_ledger_exclude(ledger, vagap_table_source_id(t), vagap_table_line(t, i),
                                "condition is neither --a nor --b");
      continue;
    }
    if (grid_add(&g, us, ul, cs, cl, x[i], NULL, NULL)) st = oom(err);
  }
  size_t nu = vagap_intern_count(g.units);
  if (st == VAGAP_OK) {
    acc = grid_means(&g);
    acc_a = malloc((nu ? nu : 1) * sizeof *acc_a);
    acc_b = malloc((nu ? nu : 1) * sizeof *acc_b);
    drop = malloc((nu ? nu : 1) * sizeof *drop);
    if (!acc || !acc_a || !acc_b || !drop) st = oom(err);
  }
  vagap_ttest_t test;
  if (st == VAGAP_OK) {
    for (size_t i = 0; i < nu; i++) {
      acc_a[i] = acc[i * 2 + 0];
      acc_b[i] = acc[i * 2 + 1];
    }
    vagap_ttest_options_t topt;
    vagap_ttest_options_init(&topt);
    topt.conf_level = a->conf_level;
    vagap_error_t terr;
    vagap_status_t ts = vagap_consistency_roleplay_drop(acc_a, acc_b, nu, &topt, drop, &test, &terr);
    if (ts == VAGAP_EDOMAIN) note(&w, "paired t-test undefined: %s", terr.message);
    else if (ts != VAGAP_OK) {
      *err = terr;
      st = ts;
    }
  }
  if (st == VAGAP_OK) {
    for (size_t i = 0; i < nu; i++) {
      const char *u = vagap_intern_string(g.units, i);
      put_value(&w, u, "accuracy_a", a->a, acc_a[i], g.count[i * g.cap_items + 0], "mean");
      put_value(&w, u, "accuracy_b", a->b, acc_b[i], g.count[i * g.cap_items + 1], "mean");
      put_value(&w, u, "drop", NULL, drop[i],
                g.count[i * g.cap_items + 0] + g.count[i * g.cap_items + 1], "accuracy_a - accuracy_b");
    }
    put_ttest(&w, "drop", NULL, &test, "Paired t-test");
    st = w.status;
  }
  free(x);
  free(acc);
  free(acc_a);
  free(acc_b);
  free(drop);
  grid_free(&g);
  if (st) vagap_tidy_free(out);
  return st;
}
