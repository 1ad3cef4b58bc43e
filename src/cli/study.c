/*
 * study.c - readers of the walk-the-talk study logs (see study.h).  They map
 * columns and codes and account for rows; the scoring is the library's
 * (vagap/iat.h, vagap/scale.h).
 */
#include "study.h"

#include "rows.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- unit names ---------------------------------------------------------------- */

size_t study_unit_index(study_units_t *u, const char *name, size_t len) {
  /* Logs come grouped by unit, so the last unit is the usual hit. */
  for (size_t k = u->n; k-- > 0;)
    if (strlen(u->names[k]) == len && memcmp(u->names[k], name, len) == 0) return k;
  if (u->n == u->cap) {
    size_t cap = u->cap ? 2 * u->cap : 16;
    char **p = realloc(u->names, cap * sizeof *p);
    if (!p) return (size_t)-1;
    u->names = p;
    u->cap = cap;
  }
  char *copy = malloc(len + 1);
  if (!copy) return (size_t)-1;
  memcpy(copy, name, len);
  copy[len] = '\0';
  u->names[u->n] = copy;
  return u->n++;
}

void study_units_free(study_units_t *u) {
  for (size_t k = 0; k < u->n; k++) free(u->names[k]);
  free(u->names);
  memset(u, 0, sizeof *u);
}

/* Grow a size_t array to hold index k (zero-filled); -1 when out of memory. */
static int grow_counts(size_t **a, size_t *cap, size_t k) {
  if (k < *cap) return 0;
  size_t n = *cap ? *cap : 16;
  while (n <= k) n *= 2;
  size_t *p = realloc(*a, n * sizeof *p);
  if (!p) return -1;
  memset(p + *cap, 0, (n - *cap) * sizeof *p);
  *a = p;
  *cap = n;
  return 0;
}

/* ---- shared field helpers -------------------------------------------------------- */

/* Trim whitespace and punctuation at both ends (as `vagap iat` does). */
static void trim_word(const char **s, size_t *len) {
  while (*len && (isspace((unsigned char)**s) || ispunct((unsigned char)**s))) (*s)++, (*len)--;
  while (*len && (isspace((unsigned char)(*s)[*len - 1]) || ispunct((unsigned char)(*s)[*len - 1])))
    (*len)--;
}

/* Case-insensitive equality with `name` after trimming. */
static int field_is(const char *s, size_t len, const char *name) {
  trim_word(&s, &len);
  return strlen(name) == len && strncasecmp(s, name, len) == 0;
}

static int report(const vagap_error_t *err) {
  cli_report_error(err);
  return -1;
}


/* ---- IAT ------------------------------------------------------------------------ */

void study_iat_options_init(study_iat_options_t *o) {
  o->unit = "model";
  o->trial = "trial";
  o->word = "word";
  o->valence = "valence";
  o->assigned = "assigned";
  o->focal = "other";
  o->contrast = "self";
  vagap_iat_assoc_options_init(&o->scoring);
}

static vagap_iat_valence_t valence_of(const char *s, size_t len) {
  if (field_is(s, len, "positive")) return VAGAP_IAT_POSITIVE;
  if (field_is(s, len, "negative")) return VAGAP_IAT_NEGATIVE;
  return VAGAP_IAT_NO_VALENCE;
}

static vagap_iat_target_t target_of(const char *s, size_t len, const study_iat_options_t *o) {
  if (field_is(s, len, o->focal)) return VAGAP_IAT_FOCAL;
  if (field_is(s, len, o->contrast)) return VAGAP_IAT_CONTRAST;
  return VAGAP_IAT_OTHER_TARGET;
}

typedef struct {
  vagap_iat_assoc_t *scorer;
  const study_iat_options_t *o;
  vagap_ledger_t *ledger;
  char *word; /* normalised word, grown */
  size_t cap;
} iat_reading_t;

static int add_iat_row(void *ctx, const vagap_reader_t *r, const vagap_row_t *row,
                       const size_t *col) {
  enum { U, T, W, V, A };
  iat_reading_t *in = ctx;
  vagap_iat_assoc_t *a = in->scorer;
  const study_iat_options_t *o = in->o;
  vagap_ledger_t *ledger = in->ledger;
  vagap_error_t err;
  const char *const *f = row->fields;
  const size_t *len = row->lengths;
  if (vagap_reader_is_na(r, f[col[U]], len[col[U]]) || vagap_reader_is_na(r, f[col[T]], len[col[T]]))
    return cli_exclude_line(ledger, vagap_reader_source_id(r), row->line, "missing unit or trial");
  const char *w = NULL;
  size_t wl = 0;
  if (!vagap_reader_is_na(r, f[col[W]], len[col[W]])) {
    if ((wl = cli_normalise_word(f[col[W]], len[col[W]], &in->word, &in->cap)) == (size_t)-1)
      return cli_out_of_memory();
    w = in->word;
  }
  vagap_iat_word_fate_t fate;
  if (vagap_iat_assoc_add(a, f[col[U]], len[col[U]], f[col[T]], len[col[T]], w, wl,
                          valence_of(f[col[V]], len[col[V]]), target_of(f[col[A]], len[col[A]], o),
                          &fate, &err) != VAGAP_OK)
    return report(&err);
  if (fate != VAGAP_IAT_WORD_USED)
    return cli_exclude_line(ledger, vagap_reader_source_id(r), row->line,
                            vagap_iat_word_fate_reason(fate));
  return 0;
}

int study_read_iat(const char *path, const vagap_table_options_t *topt,
                   const study_iat_options_t *o, vagap_ledger_t *ledger, vagap_iat_assoc_t **out) {
  *out = NULL;
  iat_reading_t in = {vagap_iat_assoc_alloc(&o->scoring), o, ledger, NULL, 0};
  if (!in.scorer) return cli_out_of_memory();
  const char *names[] = {o->unit, o->trial, o->word, o->valence, o->assigned};
  int rc = cli_read_rows(path, topt, ledger, names, 5, add_iat_row, &in) ? -1 : 0;
  free(in.word);
  if (rc) vagap_iat_assoc_free(in.scorer);
  else *out = in.scorer;
  return rc;
}

/* ---- choices ------------------------------------------------------------------------ */

void study_choice_options_init(study_choice_options_t *o) {
  o->unit = "model";
  o->choice = "choice";
  o->prosocial = "other";
  o->selfish = "self";
}

void study_choices_free(study_choices_t *c) {
  study_units_free(&c->units);
  free(c->prosocial);
  free(c->selfish);
  free(c->other);
  memset(c, 0, sizeof *c);
}

typedef struct {
  const study_choice_options_t *o;
  vagap_ledger_t *ledger;
  study_choices_t *out;
  size_t cap[3]; /* of prosocial, selfish, other */
} choice_reading_t;

static int add_choice_row(void *ctx, const vagap_reader_t *r, const vagap_row_t *row,
                          const size_t *col) {
  choice_reading_t *in = ctx;
  const study_choice_options_t *o = in->o;
  study_choices_t *out = in->out;
  size_t src = vagap_reader_source_id(r);
  const char *unit = row->fields[col[0]], *choice = row->fields[col[1]];
  size_t ulen = row->lengths[col[0]], clen = row->lengths[col[1]];
  if (vagap_reader_is_na(r, unit, ulen)) return cli_exclude_line(in->ledger, src, row->line, "missing unit");
  size_t u = study_unit_index(&out->units, unit, ulen);
  if (u == (size_t)-1 || grow_counts(&out->prosocial, &in->cap[0], u) ||
      grow_counts(&out->selfish, &in->cap[1], u) || grow_counts(&out->other, &in->cap[2], u))
    return cli_out_of_memory();
  if (field_is(choice, clen, o->prosocial)) out->prosocial[u]++;
  else if (field_is(choice, clen, o->selfish)) out->selfish[u]++;
  else {
    out->other[u]++;
    char reason[160];
    if (vagap_reader_is_na(r, choice, clen)) snprintf(reason, sizeof reason, "missing choice");
    else snprintf(reason, sizeof reason, "choice '%.60s' is neither prosocial (%s) nor selfish (%s)",
                  choice, o->prosocial, o->selfish);
    return cli_exclude_line(in->ledger, src, row->line, reason);
  }
  return 0;
}

int study_read_choices(const char *path, const vagap_table_options_t *topt,
                       const study_choice_options_t *o, vagap_ledger_t *ledger,
                       study_choices_t *out) {
  memset(out, 0, sizeof *out);
  choice_reading_t in = {o, ledger, out, {0, 0, 0}};
  const char *names[] = {o->unit, o->choice};
  int rc = cli_read_rows(path, topt, ledger, names, 2, add_choice_row, &in) ? -1 : 0;
  if (rc) study_choices_free(out);
  return rc;
}

/* ---- questionnaire ---------------------------------------------------------------- */

void study_scale_options_init(study_scale_options_t *o) {
  o->unit = "model";
  o->run = "run";
  o->item = "item";
  o->response = "response";
  o->key_item = "item";
  o->key_scale = "scale";
  o->key_reverse = "reverse";
  o->min = 1;
  o->max = 7;
  o->min_items = 1;
}

void study_scale_free(study_scale_t *s) {
  study_units_free(&s->units);
  for (size_t j = 0; j < s->nitems; j++) free(s->items[j]);
  for (size_t k = 0; k < s->nscales; k++) free(s->scales[k]);
  free(s->items);
  free(s->scales);
  free(s->item_scale);
  free(s->item_reverse);
  free(s->row_unit);
  free(s->responses);
  free(s->total);
  free(s->total_pomp);
  free(s->runs);
  free(s->scale_scores);
  free(s->alpha);
  free(s->alpha_status);
  memset(s, 0, sizeof *s);
}

static size_t find_name(char **names, size_t n, const char *s) {
  for (size_t k = 0; k < n; k++)
    if (strcmp(names[k], s) == 0) return k;
  return (size_t)-1;
}

/* The key: item,scale,reverse (reverse 0/1, TRUE/FALSE, yes/no). */
static int read_key(const char *path, const vagap_table_options_t *topt,
                    const study_scale_options_t *o, vagap_ledger_t *ledger, study_scale_t *s) {
  vagap_error_t err;
  vagap_table_t *t = NULL;
  if (vagap_table_read(&t, path, topt, ledger, &err) != VAGAP_OK) return report(&err);
  size_t ji, js, jr;
  int rc = 0;
  if (cli_column(t, o->key_item, &ji) || cli_column(t, o->key_scale, &js) ||
      cli_column(t, o->key_reverse, &jr)) {
    vagap_table_free(t);
    return -1;
  }
  size_t n = vagap_table_nrows(t);
  s->items = calloc(n ? n : 1, sizeof *s->items);
  s->scales = calloc(n ? n : 1, sizeof *s->scales);
  s->item_scale = calloc(n ? n : 1, sizeof *s->item_scale);
  s->item_reverse = calloc(n ? n : 1, sizeof *s->item_reverse);
  if (!s->items || !s->scales || !s->item_scale || !s->item_reverse) rc = cli_out_of_memory();
  for (size_t i = 0; i < n && rc == 0; i++) {
    const char *item = vagap_table_cell(t, i, ji, NULL), *scale = vagap_table_cell(t, i, js, NULL);
    size_t rlen;
    const char *rev = vagap_table_cell(t, i, jr, &rlen);
    long line = vagap_table_line(t, i);
    if (vagap_table_is_na(t, i, ji)) {
      rc = cli_exclude_row(ledger, t, i, "key row without an item");
      continue;
    }
    if (find_name(s->items, s->nitems, item) != (size_t)-1) {
      fprintf(stderr, "vagap: %s:%ld: item '%s' is keyed twice\n", path, line, item);
      rc = -1;
      break;
    }
    int reverse;
    if (field_is(rev, rlen, "1") || field_is(rev, rlen, "true") || field_is(rev, rlen, "yes")) reverse = 1;
    else if (field_is(rev, rlen, "0") || field_is(rev, rlen, "false") || field_is(rev, rlen, "no")) reverse = 0;
    else {
      fprintf(stderr, "vagap: %s:%ld:%zu: reverse must be 0/1 (or TRUE/FALSE), found '%s'\n", path,
              line, jr + 1, rev);
      rc = -1;
      break;
    }
    const char *scale_name = vagap_table_is_na(t, i, js) ? "total" : scale;
    size_t k = find_name(s->scales, s->nscales, scale_name);
    if (k == (size_t)-1) {
      if (!(s->scales[s->nscales] = strdup(scale_name))) rc = cli_out_of_memory();
      k = s->nscales++;
    }
    if (!(s->items[s->nitems] = strdup(item))) rc = cli_out_of_memory();
    s->item_scale[s->nitems] = (long)k;
    s->item_reverse[s->nitems] = reverse;
    s->nitems++;
  }
  if (rc == 0 && s->nitems == 0) {
    fprintf(stderr, "vagap: %s: the key has no items\n", path);
    rc = -1;
  }
  vagap_table_free(t);
  return rc;
}

/* Row index of (unit, run), added when new; rows kept in the order first seen. */
typedef struct {
  size_t n, cap;
  size_t *unit;
  char **run;
} run_rows_t;

static size_t run_row(run_rows_t *rr, size_t unit, const char *run) {
  for (size_t k = rr->n; k-- > 0;)
    if (rr->unit[k] == unit && strcmp(rr->run[k], run) == 0) return k;
  if (rr->n == rr->cap) {
    size_t cap = rr->cap ? 2 * rr->cap : 16;
    size_t *u = realloc(rr->unit, cap * sizeof *u);
    if (!u) return (size_t)-1;
    rr->unit = u;
    char **r = realloc(rr->run, cap * sizeof *r);
    if (!r) return (size_t)-1;
    rr->run = r;
    rr->cap = cap;
  }
  if (!(rr->run[rr->n] = strdup(run))) return (size_t)-1;
  rr->unit[rr->n] = unit;
  return rr->n++;
}

static void run_rows_free(run_rows_t *rr) {
  for (size_t k = 0; k < rr->n; k++) free(rr->run[k]);
  free(rr->run);
  free(rr->unit);
}

/* Put one response into the matrix (grown by rows of nitems). */
static int store_response(study_scale_t *s, size_t row, size_t item, double value, size_t *rows_cap) {
  if (row >= *rows_cap) {
    size_t cap = *rows_cap ? 2 * *rows_cap : 16;
    while (cap <= row) cap *= 2;
    double *p = realloc(s->responses, cap * s->nitems * sizeof *p);
    if (!p) return cli_out_of_memory();
    for (size_t k = *rows_cap * s->nitems; k < cap * s->nitems; k++) p[k] = NAN;
    s->responses = p;
    *rows_cap = cap;
  }
  s->responses[row * s->nitems + item] = value;
  return 0;
}

static int read_responses(const char *path, const vagap_table_options_t *topt,
                          const study_scale_options_t *o, vagap_ledger_t *ledger, study_scale_t *s,
                          run_rows_t *rr) {
  vagap_error_t err;
  vagap_table_t *t = NULL;
  if (vagap_table_read(&t, path, topt, ledger, &err) != VAGAP_OK) return report(&err);
  size_t ju, jr, ji, jv;
  if (cli_column(t, o->unit, &ju) || cli_column(t, o->run, &jr) || cli_column(t, o->item, &ji) ||
      cli_column(t, o->response, &jv)) {
    vagap_table_free(t);
    return -1;
  }
  size_t n = vagap_table_nrows(t), rows_cap = 0;
  double *values = cli_numeric_column(t, jv);
  int rc = values ? 0 : -1;
  for (size_t i = 0; i < n && rc == 0; i++) {
    if (vagap_table_is_na(t, i, ju) || vagap_table_is_na(t, i, jr)) {
      rc = cli_exclude_row(ledger, t, i, "missing unit or run");
      continue;
    }
    size_t item = find_name(s->items, s->nitems, vagap_table_cell(t, i, ji, NULL));
    if (item == (size_t)-1) {
      rc = cli_exclude_row(ledger, t, i, "item not in the key");
      continue;
    }
    if (isnan(values[i])) {
      rc = cli_exclude_row(ledger, t, i, "missing response");
      continue;
    }
    if (values[i] < o->min || values[i] > o->max) {
      char reason[96];
      snprintf(reason, sizeof reason, "response outside the scale %g to %g", o->min, o->max);
      rc = cli_exclude_row(ledger, t, i, reason);
      continue;
    }
    size_t ulen;
    const char *unit = vagap_table_cell(t, i, ju, &ulen);
    size_t u = study_unit_index(&s->units, unit, ulen);
    size_t row = u == (size_t)-1 ? u : run_row(rr, u, vagap_table_cell(t, i, jr, NULL));
    if (row == (size_t)-1) {
      rc = cli_out_of_memory();
      break;
    }
    if (row < rows_cap && !isnan(s->responses[row * s->nitems + item])) {
      rc = cli_exclude_row(ledger, t, i, "second answer to the same item in the same run");
      continue;
    }
    rc = store_response(s, row, item, values[i], &rows_cap);
  }
  free(values);
  vagap_table_free(t);
  s->nrows = rr->n;
  return rc;
}

/* Score with the library: per-scale rows and unit means, and the total over all keyed items. */
static int score(const study_scale_options_t *o, study_scale_t *s, const run_rows_t *rr) {
  vagap_error_t err;
  size_t nu = s->units.n, ns = s->nscales, nr = s->nrows, ni = s->nitems;
  long *all_total = calloc(ni, sizeof *all_total); /* every item on scale 0 */
  double *row_scale = malloc((nr ? nr : 1) * ns * sizeof(double));
  double *row_total = malloc((nr ? nr : 1) * sizeof(double));
  size_t *unit_rows = malloc((nu ? nu : 1) * ns * sizeof(size_t));
  s->scale_scores = malloc((nu ? nu : 1) * ns * sizeof(double));
  s->total = malloc((nu ? nu : 1) * sizeof(double));
  s->total_pomp = malloc((nu ? nu : 1) * sizeof(double));
  s->runs = malloc((nu ? nu : 1) * sizeof(size_t));
  s->alpha = calloc(ns + 1, sizeof *s->alpha);
  s->alpha_status = calloc(ns + 1, sizeof *s->alpha_status);
  int rc = 0;
  if (!all_total || !row_scale || !row_total || !unit_rows || !s->scale_scores || !s->total ||
      !s->total_pomp || !s->runs || !s->alpha || !s->alpha_status) {
    rc = cli_out_of_memory();
    goto done;
  }
  vagap_scale_key_t key = {ni, ns, s->item_scale, s->item_reverse, o->min, o->max, o->min_items};
  vagap_scale_key_t total = {ni, 1, all_total, s->item_reverse, o->min, o->max, o->min_items};
  if (vagap_scale_key_check(&key, &err) || vagap_scale_key_check(&total, &err) ||
      vagap_scale_score_rows(&key, s->responses, nr, row_scale, NULL, &err) ||
      vagap_scale_score_rows(&total, s->responses, nr, row_total, NULL, &err) ||
      vagap_scale_unit_means(row_scale, nr, ns, rr->unit, nu, s->scale_scores, unit_rows, NULL, &err) ||
      vagap_scale_unit_means(row_total, nr, 1, rr->unit, nu, s->total, s->runs, NULL, &err)) {
    rc = report(&err);
    goto done;
  }
  for (size_t u = 0; u < nu; u++) s->total_pomp[u] = vagap_scale_pomp(&total, s->total[u]);
  for (size_t k = 0; k <= ns; k++) {
    const vagap_scale_key_t *kk = k < ns ? &key : &total;
    s->alpha_status[k] = vagap_scale_alpha(kk, s->responses, nr, k < ns ? k : 0, &s->alpha[k], &err);
  }
done:
  free(all_total);
  free(row_scale);
  free(row_total);
  free(unit_rows);
  return rc;
}

int study_read_scale(const char *path, const char *key_path, const vagap_table_options_t *topt,
                     const study_scale_options_t *o, vagap_ledger_t *ledger, study_scale_t *out) {
  memset(out, 0, sizeof *out);
  out->min = o->min;
  out->max = o->max;
  run_rows_t rr = {0, 0, NULL, NULL};
  int rc = read_key(key_path, topt, o, ledger, out);
  if (rc == 0) rc = read_responses(path, topt, o, ledger, out, &rr);
  if (rc == 0) rc = score(o, out, &rr);
  run_rows_free(&rr);
  if (rc) study_scale_free(out);
  return rc;
}
