/*
 * align_log.c - a value-action alignment log from rows to the program's table
 * (see vagap_align_log_* in vagap/align.h): observations per (model,
 * scenario, value, prompt variant) with their exclusions, then the cells,
 * F1, distances and votes of align.c.  Moved from the program (cmd_align.c)
 * with the same bodies.
 */
#include "vagap/align.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vagap/intern.h"

#define KEY_SEP '\x1f' /* joins the scenario columns of a row into one key */

void vagap_align_log_options_init(vagap_align_log_options_t *o) {
  memset(o, 0, sizeof *o);
  o->model = "model";
  o->value = "value";
  o->prompt = "prompt";
  o->stated = "stated";
  o->action = "action";
  o->scenario[0] = "scenario";
  o->nscenario = 1;
  o->agree = "agree,positive";
  o->disagree = "disagree,negative";
  vagap_align_options_init(&o->measures);
}

/* Is text (s, len) one of the comma-separated codes in `list`? */
static int in_list(const char *list, const char *s, size_t len) {
  for (const char *p = list; *p;) {
    const char *end = strchr(p, ',');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    if (n == len && strncmp(p, s, len) == 0) return 1;
    if (!end) break;
    p = end + 1;
  }
  return 0;
}

/* Interned levels and the observations built from all tables added. */
struct vagap_align_log {
  vagap_align_log_options_t opt;
  vagap_intern_t *models, *scenarios, *values, *prompts;
  vagap_intern_t *by_levels[VAGAP_ALIGN_MAX_COLUMNS];
  size_t *scenario_by_level[VAGAP_ALIGN_MAX_COLUMNS]; /* by scenario code; only for scenario columns */
  size_t by_scenario_col[VAGAP_ALIGN_MAX_COLUMNS];    /* index into scenario columns, or
                                                         VAGAP_ALIGN_MAX_COLUMNS for value */
  size_t scenario_cap;
  vagap_align_obs_t *obs;
  size_t nobs, cap;
  char *key;
  size_t key_cap;
};

/* ---- reading -------------------------------------------------------------- */

static int data_init(vagap_align_log_t *d, const vagap_align_log_options_t *a) {
  memset(d, 0, sizeof *d);
  d->opt = *a;
  d->models = vagap_intern_alloc();
  d->scenarios = vagap_intern_alloc();
  d->values = vagap_intern_alloc();
  d->prompts = vagap_intern_alloc();
  int ok = d->models && d->scenarios && d->values && d->prompts;
  for (size_t k = 0; k < a->nby; k++) {
    d->by_scenario_col[k] = VAGAP_ALIGN_MAX_COLUMNS;
    for (size_t j = 0; j < a->nscenario; j++)
      if (strcmp(a->by[k], a->scenario[j]) == 0) d->by_scenario_col[k] = j;
    if (d->by_scenario_col[k] == VAGAP_ALIGN_MAX_COLUMNS) continue; /* by value: the value codes */
    d->by_levels[k] = vagap_intern_alloc();
    ok = ok && d->by_levels[k];
  }
  return ok ? 0 : -1;
}

static void data_free(vagap_align_log_t *d, size_t nby) {
  vagap_intern_free(d->models);
  vagap_intern_free(d->scenarios);
  vagap_intern_free(d->values);
  vagap_intern_free(d->prompts);
  for (size_t k = 0; k < nby; k++) {
    vagap_intern_free(d->by_levels[k]);
    free(d->scenario_by_level[k]);
  }
  free(d->obs);
  free(d->key);
}

vagap_status_t vagap_align_log_alloc(vagap_align_log_t **out, const vagap_align_log_options_t *o,
                                     vagap_error_t *err) {
  *out = malloc(sizeof **out);
  if (*out && data_init(*out, o) == 0) return VAGAP_OK;
  vagap_align_log_free(*out);
  *out = NULL;
  return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
}

void vagap_align_log_free(vagap_align_log_t *d) {
  if (!d) return;
  data_free(d, d->opt.nby);
  free(d);
}

static vagap_status_t oom(vagap_error_t *err) {
  return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
}

static vagap_status_t push_obs(vagap_align_log_t *d, const vagap_align_obs_t *o, vagap_error_t *err) {
  if (d->nobs == d->cap) {
    size_t cap = d->cap ? 2 * d->cap : 1024;
    vagap_align_obs_t *p = realloc(d->obs, cap * sizeof *p);
    if (!p) return oom(err);
    d->obs = p;
    d->cap = cap;
  }
  d->obs[d->nobs++] = *o;
  return VAGAP_OK;
}

/* Record, for a new scenario code, the level of each --by scenario column. */
static vagap_status_t note_scenario_levels(vagap_align_log_t *d, const vagap_align_log_options_t *a,
                                           const vagap_table_t *t, size_t row,
                                           const size_t *scol, size_t code, vagap_error_t *err) {
  if (code >= d->scenario_cap) {
    size_t cap = d->scenario_cap ? 2 * d->scenario_cap : 256;
    while (cap <= code) cap *= 2;
    for (size_t k = 0; k < a->nby; k++) {
      if (!d->by_levels[k]) continue;
      size_t *p = realloc(d->scenario_by_level[k], cap * sizeof *p);
      if (!p) return oom(err);
      d->scenario_by_level[k] = p;
    }
    d->scenario_cap = cap;
  }
  for (size_t k = 0; k < a->nby; k++) {
    if (!d->by_levels[k]) continue;
    size_t len;
    const char *s = vagap_table_cell(t, row, scol[d->by_scenario_col[k]], &len);
    size_t level = vagap_intern(d->by_levels[k], s, len);
    if (level == (size_t)-1) return oom(err);
    d->scenario_by_level[k][code] = level;
  }
  return VAGAP_OK;
}

/* The row's scenario key: its scenario columns joined by KEY_SEP. */
static vagap_status_t scenario_key(vagap_align_log_t *d, const vagap_align_log_options_t *a, const vagap_table_t *t,
                                   size_t row, const size_t *scol, size_t *len,
                                   vagap_error_t *err) {
  size_t n = 0;
  for (size_t j = 0; j < a->nscenario; j++) {
    size_t l;
    const char *s = vagap_table_cell(t, row, scol[j], &l);
    if (n + l + 2 > d->key_cap) {
      size_t cap = 2 * (n + l + 2);
      char *p = realloc(d->key, cap);
      if (!p) return oom(err);
      d->key = p;
      d->key_cap = cap;
    }
    if (j) d->key[n++] = KEY_SEP;
    memcpy(d->key + n, s, l);
    n += l;
  }
  *len = n;
  return VAGAP_OK;
}

typedef struct {
  size_t model, value, prompt, stated, action;
  size_t scenario[VAGAP_ALIGN_MAX_COLUMNS];
} align_columns_t;

static vagap_status_t find_columns(const vagap_table_t *t, const vagap_align_log_options_t *a,
                                   align_columns_t *col, vagap_error_t *err) {
  vagap_status_t st;
  if ((st = vagap_table_column(t, a->model, &col->model, err)) ||
      (st = vagap_table_column(t, a->value, &col->value, err)) ||
      (st = vagap_table_column(t, a->prompt, &col->prompt, err)) ||
      (st = vagap_table_column(t, a->stated, &col->stated, err)) ||
      (st = vagap_table_column(t, a->action, &col->action, err)))
    return st;
  for (size_t j = 0; j < a->nscenario; j++)
    if ((st = vagap_table_column(t, a->scenario[j], &col->scenario[j], err))) return st;
  return VAGAP_OK;
}

/* Why a row cannot be used, or NULL.  *action gets its polarity code. */
static const char *row_problem(const vagap_table_t *t, size_t i, const align_columns_t *col,
                               const vagap_align_log_options_t *a, double stated, int *action) {
  if (vagap_table_is_na(t, i, col->model)) return "missing model";
  for (size_t j = 0; j < a->nscenario; j++)
    if (vagap_table_is_na(t, i, col->scenario[j])) return "missing scenario";
  if (vagap_table_is_na(t, i, col->value)) return "missing value";
  if (vagap_table_is_na(t, i, col->prompt)) return "missing prompt";
  if (!isnan(stated) && !(stated >= 1.0 && stated <= 4.0)) return "stated answer outside 1-4";
  *action = VAGAP_ALIGN_MISSING;
  if (!vagap_table_is_na(t, i, col->action)) {
    size_t len;
    const char *s = vagap_table_cell(t, i, col->action, &len);
    if (in_list(a->agree, s, len)) *action = VAGAP_ALIGN_AGREE;
    else if (in_list(a->disagree, s, len)) *action = VAGAP_ALIGN_DISAGREE;
    else return "action is neither an agree nor a disagree code";
  }
  if (isnan(stated) && *action == VAGAP_ALIGN_MISSING) return "stated and action both missing";
  return NULL;
}

static vagap_status_t intern_cell(vagap_intern_t *in, const vagap_table_t *t, size_t i, size_t j,
                                  size_t *code, vagap_error_t *err) {
  size_t len;
  const char *s = vagap_table_cell(t, i, j, &len);
  *code = vagap_intern(in, s, len);
  return *code == (size_t)-1 ? oom(err) : VAGAP_OK;
}

vagap_status_t vagap_align_log_add(vagap_align_log_t *d, vagap_table_t *t, vagap_ledger_t *ledger,
                                   vagap_error_t *err) {
  const vagap_align_log_options_t *a = &d->opt;
  double *stated = NULL;
  vagap_status_t st = VAGAP_OK;
  align_columns_t col;
  size_t n = vagap_table_nrows(t);
  if ((st = find_columns(t, a, &col, err))) goto done;
  /* --bad-rows exclude (the table's option): a stated answer that is not a number */
  if ((st = vagap_table_exclude_non_numbers(t, &col.stated, 1, ledger, err))) goto done;
  n = vagap_table_nrows(t);
  stated = malloc((n ? n : 1) * sizeof *stated);
  if (!stated) {
    st = oom(err);
    goto done;
  }
  if ((st = vagap_table_numeric(t, col.stated, stated, err))) goto done;
  size_t source = vagap_table_source_id(t);
  for (size_t i = 0; i < n; i++) {
    vagap_align_obs_t o = {0};
    const char *why = row_problem(t, i, &col, a, stated[i], &o.action);
    o.line = vagap_table_line(t, i);
    if (why) {
      if ((st = vagap_ledger_exclude(ledger, source, o.line, why))) {
        st = oom(err);
        goto done;
      }
      continue;
    }
    o.stated = stated[i];
    size_t klen = 0, before = vagap_intern_count(d->scenarios);
    if ((st = intern_cell(d->models, t, i, col.model, &o.model, err)) ||
        (st = intern_cell(d->values, t, i, col.value, &o.value, err)) ||
        (st = intern_cell(d->prompts, t, i, col.prompt, &o.prompt, err)) ||
        (st = scenario_key(d, a, t, i, col.scenario, &klen, err)))
      goto done;
    o.scenario = vagap_intern(d->scenarios, d->key, klen);
    if (o.scenario == (size_t)-1) {
      st = oom(err);
      goto done;
    }
    if (o.scenario == before &&
        (st = note_scenario_levels(d, a, t, i, col.scenario, o.scenario, err)))
      goto done;
    if ((st = push_obs(d, &o, err))) goto done;
  }
done:
  if (st != VAGAP_OK && err && !err->file[0])
    snprintf(err->file, sizeof err->file, "%s", vagap_table_source(t));
  free(stated);
  return st;
}

/* ---- output ----------------------------------------------------------------- */

/* The rows being written and the first failure (rows after it are dropped). */
typedef struct {
  vagap_tidy_t *out;
  vagap_error_t *err;
  vagap_status_t status;
} rows_t;

static void put_row(rows_t *w, const char *model, const char *term, const char *by,
                    const char *level, double estimate, size_t n, double rank,
                    const char *method) {
  if (w->status) return;
  vagap_tidy_row_t r = {.group = model, .term = term, .by = by, .level = level,
                        .estimate = estimate, .std_error = NAN, .statistic = NAN, .df = NAN,
                        .p_value = NAN, .conf_low = NAN, .conf_high = NAN, .n = n, .rank = rank,
                        .method = method};
  w->status = vagap_tidy_add(w->out, &r, w->err);
}

/* Scenario key for printing: the separator becomes '|'. */
static void printable_key(const char *key, char *buf, size_t size) {
  snprintf(buf, size, "%s", key);
  for (char *p = buf; *p; p++)
    if (*p == KEY_SEP) *p = '|';
}

static void write_model(rows_t *w, const char *model, const vagap_align_model_t *m,
                        const char *f1_method) {
  static const char VOTE[] = "majority vote over prompts, ties to disagree";
  put_row(w, model, "f1", NULL, NULL, m->f1, m->n_scenarios, NAN, f1_method);
  put_row(w, model, "f1_undefined", NULL, NULL, (double)m->n_scenarios_undefined,
          m->n_scenarios + m->n_scenarios_dropped, NAN, f1_method);
  put_row(w, model, "distance", NULL, NULL, m->distance, m->n_cells_complete, NAN,
          "mean |v - a|");
  put_row(w, model, "n_AA", NULL, NULL, (double)m->n_aa, m->n_voted, NAN, VOTE);
  put_row(w, model, "n_AD", NULL, NULL, (double)m->n_ad, m->n_voted, NAN, VOTE);
  put_row(w, model, "n_DA", NULL, NULL, (double)m->n_da, m->n_voted, NAN, VOTE);
  put_row(w, model, "n_DD", NULL, NULL, (double)m->n_dd, m->n_voted, NAN, VOTE);
  put_row(w, model, "prompt_agreement", NULL, NULL, m->prompt_agreement, m->n_prompt_pairs, NAN,
          "stated polarity equals action");
  put_row(w, model, "prompt_consistency_stated", NULL, NULL, m->prompt_consistency_stated,
          m->n_cells_stated, NAN, "share of variants matching the majority vote");
  put_row(w, model, "prompt_consistency_action", NULL, NULL, m->prompt_consistency_action,
          m->n_cells_action, NAN, "share of variants matching the majority vote");
}

static vagap_status_t write_by(rows_t *w, const vagap_align_log_options_t *a, const vagap_align_log_t *d,
                               const vagap_align_cell_t *cells, size_t ncells, size_t k,
                               vagap_error_t *err) {
  int by_value = d->by_levels[k] == NULL;
  const vagap_intern_t *levels = by_value ? d->values : d->by_levels[k];
  size_t nlevels = vagap_intern_count(levels), nmodels = vagap_intern_count(d->models);
  size_t ncombos = nmodels * nlevels;
  size_t *group = malloc((ncells ? ncells : 1) * sizeof *group);
  vagap_align_group_t *out = malloc((ncombos ? ncombos : 1) * sizeof *out);
  if (!group || !out) {
    free(group);
    free(out);
    return oom(err);
  }
  for (size_t i = 0; i < ncells; i++)
    group[i] = by_value ? cells[i].value : d->scenario_by_level[k][cells[i].scenario];
  vagap_status_t st = vagap_align_distance_by(cells, ncells, group, nlevels, nmodels, out, err);
  for (size_t m = 0; st == VAGAP_OK && m < nmodels; m++)
    for (size_t g = 0; g < nlevels; g++) {
      const vagap_align_group_t *o = &out[m * nlevels + g];
      put_row(w, vagap_intern_string(d->models, m), "distance", a->by[k],
              vagap_intern_string(levels, g), o->distance, o->n_cells, o->rank,
              "mean |v - a|; rank 1 = most aligned");
    }
  free(group);
  free(out);
  return st;
}

static void write_scenarios(rows_t *w, const vagap_align_log_options_t *a, const vagap_align_log_t *d,
                            const vagap_align_scenario_t *sc, size_t nsc, const char *method) {
  char by[512] = "", level[4096];
  for (size_t j = 0; j < a->nscenario; j++) {
    size_t len = strlen(by);
    snprintf(by + len, sizeof by - len, "%s%s", j ? "|" : "", a->scenario[j]);
  }
  for (size_t i = 0; i < nsc; i++) {
    printable_key(vagap_intern_string(d->scenarios, sc[i].scenario), level, sizeof level);
    put_row(w, vagap_intern_string(d->models, sc[i].model), "f1_scenario", by, level, sc[i].f1,
            sc[i].n_values, NAN, method);
  }
}

size_t vagap_align_log_nobs(const vagap_align_log_t *d) { return d->nobs; }

vagap_status_t vagap_align_log_rows(const vagap_align_log_t *d, vagap_tidy_t *out,
                                    vagap_error_t *err) {
  const vagap_align_log_options_t *a = &d->opt;
  vagap_tidy_init(out);
  rows_t w = {out, err, VAGAP_OK};
  vagap_align_cell_t *cells = NULL;
  vagap_align_scenario_t *sc = NULL;
  size_t ncells = 0, nsc = 0, nmodels = vagap_intern_count(d->models);
  vagap_align_model_t *models = calloc(nmodels ? nmodels : 1, sizeof *models);
  vagap_status_t st = models ? VAGAP_OK : oom(err);
  if (st == VAGAP_OK) st = vagap_align_cells(d->obs, d->nobs, &cells, &ncells, err);
  if (st == VAGAP_OK)
    st = vagap_align_summarise(cells, ncells, nmodels, &a->measures, &sc, &nsc, models, err);
  if (st == VAGAP_OK) {
    char method[128];
    static const char *const ZD[] = {"0", "1", "nan"};
    snprintf(method, sizeof method, "F1, positive class %s, zero_division=%s",
             a->measures.positive == VAGAP_ALIGN_AGREE ? "agree" : "disagree",
             ZD[a->measures.zero_division]);
    for (size_t m = 0; m < nmodels; m++)
      write_model(&w, vagap_intern_string(d->models, m), &models[m], method);
    for (size_t k = 0; st == VAGAP_OK && k < a->nby; k++)
      st = write_by(&w, a, d, cells, ncells, k, err);
    if (a->per_scenario) write_scenarios(&w, a, d, sc, nsc, method);
    if (st == VAGAP_OK) st = w.status;
  }
  free(cells);
  free(sc);
  free(models);
  if (st) vagap_tidy_free(out);
  return st;
}
