/*
 * The in-memory table as typed columns (see table_typed.h): numbers with a
 * byte of shape per cell for the columns that are all numbers, text for the
 * others.  Everything here runs on the caller's thread, in input order,
 * except typed_cell_shape (on the workers) and the on-demand text of a
 * numeric column (any thread, under the table's lock).
 */
#include "table_typed.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"

/* s[0, len) as a number and its shape; -1 (shape untouched) when it is not a number. */
static int number_cell(char mark, const char *s, size_t len, double *value, unsigned char *shape) {
  int d;
  if (parse_number_shape(s, len, mark, value, &d)) return -1;
  *shape = d < 0 ? SHAPE_TEXT : (unsigned char)d;
  return 0;
}

int typed_convert_cell(const typed_text_t *tt, const char *s, size_t len, long na_index,
                       double *value, unsigned char *shape) {
  *value = NAN;
  if (na_index >= 0) {
    *shape = na_index < SHAPE_NA_TOKENS ? (unsigned char)(SHAPE_NA + na_index) : SHAPE_TEXT;
    return 0;
  }
  return number_cell(tt->mark, s, len, value, shape);
}

long typed_na_index(const typed_text_t *tt, const char *s, size_t len) {
  /* called for every cell that is not a number: compare the first byte before calling memcmp */
  for (size_t k = 0; k < tt->n_na; k++)
    if (tt->na_lengths[k] == len && (len == 0 || (tt->na_tokens[k][0] == s[0] &&
                                                  memcmp(tt->na_tokens[k], s, len) == 0)))
      return (long)k;
  return -1;
}

int typed_cell_value(const struct csv_convert *cv, const char *s, size_t len, double *value,
                     unsigned char *shape) {
  if (!cv->na_numeric && number_cell(cv->text.mark, s, len, value, shape) == 0) return 0;
  return typed_convert_cell(&cv->text, s, len, typed_na_index(&cv->text, s, len), value, shape);
}

int typed_init(typed_table_t *t, size_t ncols, const typed_text_t *text) {
  memset(t, 0, sizeof *t);
  t->ncols = ncols;
  t->text = *text;
  t->col = calloc(ncols ? ncols : 1, sizeof *t->col);
  if (!t->col) return -1;
  pthread_mutex_init(&t->lock, NULL);
  return 0;
}

static void free_column(typed_column_t *c) {
  free(c->values);
  free(c->shapes);
  free(c->chars);
  free(c->start);
  memset(c, 0, sizeof *c);
}

void typed_free(typed_table_t *t) {
  if (!t->col) return;
  for (size_t j = 0; j < t->ncols; j++) free_column(&t->col[j]);
  free(t->col);
  pthread_mutex_destroy(&t->lock);
  t->col = NULL;
}

/* ---- text ----------------------------------------------------------------------- */

static int append_text(typed_column_t *c, const char *s, size_t len) {
  if (vagap_reserve((void **)&c->chars, &c->chars_cap, c->chars_len + len + 1, 1)) return -1;
  memcpy(c->chars + c->chars_len, s, len);
  c->chars[c->chars_len + len] = '\0';
  c->chars_len += len + 1;
  return 0;
}

/* Room for a rebuilt number: |x| < 1e16 with up to NUMBER_TEXT_MAX_DECIMALS decimals
   (at most 79 bytes). */
#define REBUILT_CELL_BYTES 400

/*
 * The text of numeric cell (x, shape) that is not kept, and its length: a
 * missing-value token is its own text (a token may be longer than buf: --na
 * takes any length), a number is written into buf (REBUILT_CELL_BYTES).
 */
static const char *rebuild_cell(const typed_text_t *tt, double x, unsigned char shape, char *buf,
                                size_t *len) {
  if (shape >= SHAPE_NA) {
    size_t k = shape - SHAPE_NA;
    *len = tt->na_lengths[k];
    return tt->na_tokens[k];
  }
  int n = snprintf(buf, REBUILT_CELL_BYTES, "%.*f", (int)shape, x);
  if (tt->mark != '.')
    for (int i = 0; i < n; i++)
      if (buf[i] == '.') buf[i] = tt->mark;
  *len = (size_t)n;
  return buf;
}

/*
 * Every cell's text of numeric column c, rows [0, nrows), in new arrays with
 * room for `cap` rows: the kept texts in order, the others rebuilt.
 */
static int build_text(const typed_table_t *t, const typed_column_t *c, size_t cap,
                      typed_column_t *out) {
  memset(out, 0, sizeof *out);
  if (!(out->start = malloc((cap + 1) * sizeof *out->start))) return -1;
  char buf[REBUILT_CELL_BYTES];
  size_t kept = 0;
  for (size_t i = 0; i < t->nrows; i++) {
    out->start[i] = out->chars_len;
    const char *s;
    size_t len;
    if (c->shapes[i] == SHAPE_TEXT) {
      s = c->chars + kept;
      len = strlen(s);
      kept += len + 1;
    } else {
      s = rebuild_cell(&t->text, c->values[i], c->shapes[i], buf, &len);
    }
    if (append_text(out, s, len)) {
      free_column(out);
      return -1;
    }
  }
  out->start[t->nrows] = out->chars_len;
  return 0;
}

/* Column j held numbers until now and has text: it becomes a text column. */
static int make_text_column(typed_table_t *t, size_t j) {
  typed_column_t *c = &t->col[j], text;
  if (build_text(t, c, t->cap, &text)) return -1;
  free_column(c);
  *c = text;
  c->is_text = 1;
  return 0;
}

const char *typed_cell(const typed_table_t *t, size_t i, size_t j, size_t *len) {
  typed_column_t *c = &t->col[j];
  if (c->left_out) {
    if (len) *len = 0;
    return "";
  }
  size_t *start = __atomic_load_n(&c->start, __ATOMIC_ACQUIRE);
  if (!start) { /* a numeric column asked for its text: rebuilt once, kept */
    typed_table_t *mt = (typed_table_t *)t; /* the text is a cache: the table stays the same */
    pthread_mutex_lock(&mt->lock);
    if (!(start = c->start)) {
      typed_column_t text;
      if (build_text(t, c, t->nrows, &text) == 0) {
        free(c->chars);
        c->chars = text.chars;
        c->chars_len = text.chars_len;
        c->chars_cap = text.chars_cap;
        start = text.start;
        __atomic_store_n(&c->start, start, __ATOMIC_RELEASE);
      }
    }
    pthread_mutex_unlock(&mt->lock);
    if (!start) return NULL;
  }
  if (len) *len = start[i + 1] - start[i] - 1;
  return c->chars + start[i];
}

const double *typed_numbers(const typed_table_t *t, size_t j) {
  return j < t->ncols && !t->col[j].is_text ? t->col[j].values : NULL;
}

/* ---- appending ------------------------------------------------------------------- */

/* Room for `need` rows in every per-row array. */
static int reserve_rows(typed_table_t *t, size_t need) {
  if (need <= t->cap) return 0;
  size_t cap = t->cap ? t->cap : 1024;
  while (cap < need) cap *= 2;
  for (size_t j = 0; j < t->ncols; j++) {
    typed_column_t *c = &t->col[j];
    if (!c->is_text) {
      double *v = realloc(c->values, cap * sizeof *v);
      if (v) c->values = v;
      unsigned char *s = realloc(c->shapes, cap);
      if (s) c->shapes = s;
      if (!v || !s) return -1;
    }
    if (c->start) {
      size_t *s = realloc(c->start, (cap + 1) * sizeof *s);
      if (!s) return -1;
      c->start = s;
    }
  }
  t->cap = cap;
  return 0;
}

/* Is field k's text in the batch's chars?  In a batch converted as it was parsed, only
   where it does not follow from the number. */
static int batch_has_text(const csv_batch_t *b, size_t k) {
  return !b->fused || b->shapes[k] == SHAPE_TEXT || b->shapes[k] == SHAPE_NOT_NUMBER;
}

static int append_text_cells(typed_table_t *t, typed_column_t *c, const csv_batch_t *b, size_t j) {
  char buf[REBUILT_CELL_BYTES];
  for (size_t i = 0, k = j; i < b->nrows; i++, k += t->ncols) {
    c->start[t->nrows + i] = c->chars_len;
    size_t len;
    const char *s;
    if (batch_has_text(b, k)) {
      s = b->chars + b->field_off[k];
      len = csv_batch_field_len(b, k);
    } else {
      s = rebuild_cell(&t->text, b->values[k], b->shapes[k], buf, &len);
    }
    if (append_text(c, s, len)) return -1;
  }
  c->start[t->nrows + b->nrows] = c->chars_len;
  return 0;
}

static int append_numeric_cells(typed_table_t *t, typed_column_t *c, const csv_batch_t *b, size_t j) {
  double *v = c->values + t->nrows;
  unsigned char *s = c->shapes + t->nrows;
  for (size_t i = 0, k = j; i < b->nrows; i++, k += t->ncols) {
    v[i] = b->values[k];
    s[i] = b->shapes[k];
    if (s[i] == SHAPE_TEXT && append_text(c, b->chars + b->field_off[k], csv_batch_field_len(b, k)))
      return -1;
  }
  return 0;
}

int typed_append(typed_table_t *t, const csv_batch_t *b) {
  if (reserve_rows(t, t->nrows + b->nrows)) return -1;
  for (size_t j = 0; j < t->ncols; j++) {
    typed_column_t *c = &t->col[j];
    if (c->left_out) continue;
    if (!c->is_text && b->text_column[j] && make_text_column(t, j)) return -1;
    if (c->is_text ? append_text_cells(t, c, b, j) : append_numeric_cells(t, c, b, j)) return -1;
  }
  t->nrows += b->nrows;
  return 0;
}

int typed_finish(typed_table_t *t) {
  for (size_t j = 0; j < t->ncols; j++) {
    typed_column_t *c = &t->col[j];
    if (c->left_out) continue;
    if (c->is_text && !c->start && !(c->start = calloc(1, sizeof *c->start))) return -1;
    if (!c->is_text && !c->values && (!(c->values = malloc(sizeof(double))) ||
                                      !(c->shapes = malloc(1))))
      return -1;
  }
  return 0;
}

void typed_leave_out(typed_table_t *t, size_t j) {
  t->col[j].is_text = 1; /* no numbers: typed_numbers gives NULL */
  t->col[j].left_out = 1;
}

/* ---- dropping rows ------------------------------------------------------------------ */

/* Every cell's text (start set): the kept rows' texts moved to the front, in order. */
static void drop_dense_text(typed_column_t *c, size_t nrows, const unsigned char *drop) {
  size_t w = 0, kept = 0;
  for (size_t i = 0; i < nrows; i++) {
    if (drop[i]) continue;
    size_t len = c->start[i + 1] - c->start[i];
    memmove(c->chars + w, c->chars + c->start[i], len);
    c->start[kept++] = w;
    w += len;
  }
  c->start[kept] = w;
  c->chars_len = w;
}

/* The texts of SHAPE_TEXT cells only (start not set), before the shapes are compacted. */
static void drop_kept_text(typed_column_t *c, size_t nrows, const unsigned char *drop) {
  size_t r = 0, w = 0;
  for (size_t i = 0; i < nrows; i++) {
    if (c->shapes[i] != SHAPE_TEXT) continue;
    size_t len = strlen(c->chars + r) + 1;
    if (!drop[i]) {
      memmove(c->chars + w, c->chars + r, len);
      w += len;
    }
    r += len;
  }
  c->chars_len = w;
}

void typed_drop_rows(typed_table_t *t, const unsigned char *drop) {
  size_t kept = 0;
  for (size_t j = 0; j < t->ncols; j++) {
    typed_column_t *c = &t->col[j];
    if (c->start) drop_dense_text(c, t->nrows, drop);
    else if (!c->is_text) drop_kept_text(c, t->nrows, drop);
    if (c->is_text) continue;
    kept = 0;
    for (size_t i = 0; i < t->nrows; i++) {
      if (drop[i]) continue;
      c->values[kept] = c->values[i];
      c->shapes[kept++] = c->shapes[i];
    }
  }
  kept = 0;
  for (size_t i = 0; i < t->nrows; i++) kept += !drop[i];
  t->nrows = kept;
}
