/*
 * moments_read.c - per-group moments of chosen columns while the input is
 * parsed (vagap/moments.h).
 *
 * On the workers (segment_moments): each row of a parsed segment is sorted
 * into used (by its group, numbered locally in order of first appearance in
 * the segment) or excluded (which column is missing), its chosen fields are
 * converted to numbers, and each local group's rows are reduced to block
 * moments (moments.c).  On the caller's thread (take_segment), segments
 * arrive in input order: local groups are mapped to global ones (so global
 * order is order of first appearance in the input), exclusions are listed
 * and the blocks merged into one accumulator per group.
 */
#include "vagap/moments.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "moments.h"
#include "table_hook.h"

#define NO_COLUMN ((size_t)-1)
#define ROW_NO_GROUP (-1)

/* Read-only once the header is known; shared by the workers. */
typedef struct {
  const char *group_name;
  const char *const *vars;
  size_t p;
  size_t gcol;           /* NO_COLUMN: one group */
  size_t *col;           /* [p] column of each chosen variable */
  int usable;            /* every column is there: rows can be used */
  int group_missing;     /* the group column is not in the input ... */
  vagap_error_t group_error; /* ... and this says so */
  long missing_var;
  vagap_error_t missing_error;
} plan_t;

/* One local group of a segment: its rows, then their block moments. */
typedef struct {
  const char *label;     /* in the segment's text */
  double *rows;
  size_t n, cap;
  moments_block_t block;
  size_t block_cap;      /* p for which block's arrays are sized */
} local_group_t;

/* What the hook leaves with a segment; reused for the segment's next use. */
typedef struct {
  int32_t *row_group;    /* local group of each row, ROW_NO_GROUP when missing */
  int32_t *row_missing;  /* first missing chosen column, -1: none */
  size_t group_cap, missing_cap;
  local_group_t *groups;
  size_t ngroups, groups_cap;
  double *values;        /* [p] one row */
  size_t values_cap;
  int number_failed;
  size_t error_row, error_var;
  vagap_error_t number_error; /* message only */
} segment_state_t;

static vagap_status_t plan_begin(void *ctx, const vagap_reader_t *r, vagap_error_t *err) {
  plan_t *pl = ctx;
  pl->gcol = NO_COLUMN;
  if (pl->group_name && vagap_reader_column(r, pl->group_name, &pl->gcol, &pl->group_error) != VAGAP_OK)
    pl->group_missing = 1;
  pl->missing_var = -1;
  for (size_t k = 0; k < pl->p; k++)
    if (vagap_reader_column(r, pl->vars[k], &pl->col[k],
                            pl->missing_var < 0 ? &pl->missing_error : NULL) != VAGAP_OK) {
      pl->col[k] = NO_COLUMN;
      if (pl->missing_var < 0) pl->missing_var = (long)k;
    }
  pl->usable = !pl->group_missing && pl->missing_var < 0;
  return VAGAP_OK;
}

static void free_state(void *state) {
  segment_state_t *s = state;
  if (!s) return;
  for (size_t g = 0; g < s->groups_cap; g++) {
    free(s->groups[g].rows);
    free(s->groups[g].block.mean);
    free(s->groups[g].block.residual);
    free(s->groups[g].block.cov);
  }
  free(s->groups);
  free(s->row_group);
  free(s->row_missing);
  free(s->values);
  free(s);
}

/* The local group of label s (added when new); -2 when out of memory. */
static long local_group(segment_state_t *st, const char *label, size_t *last) {
  if (*last < st->ngroups && strcmp(st->groups[*last].label, label) == 0) return (long)*last;
  for (size_t g = 0; g < st->ngroups; g++)
    if (strcmp(st->groups[g].label, label) == 0) return (long)(*last = g);
  if (st->ngroups == st->groups_cap) {
    size_t cap = st->groups_cap ? 2 * st->groups_cap : 8;
    local_group_t *gs = realloc(st->groups, cap * sizeof *gs);
    if (!gs) return -2;
    memset(gs + st->groups_cap, 0, (cap - st->groups_cap) * sizeof *gs);
    st->groups = gs;
    st->groups_cap = cap;
  }
  local_group_t *g = &st->groups[st->ngroups];
  g->label = label;
  g->n = 0;
  return (long)(*last = st->ngroups++);
}

/* The chosen fields of row i as numbers; the first missing one, -1 if none. */
static int32_t convert_row(const plan_t *pl, const vagap_reader_t *r, const csv_batch_t *b, size_t i,
                           segment_state_t *st) {
  int32_t missing = -1;
  size_t first = i * vagap_reader_ncols(r);
  for (size_t k = 0; k < pl->p; k++) {
    if (pl->col[k] == NO_COLUMN) continue;
    size_t f = first + pl->col[k];
    const char *s = b->chars + b->field_off[f];
    size_t len = csv_batch_field_len(b, f);
    double v = NAN;
    if (reader_cell_number(r, s, len, &v, st->number_failed ? NULL : &st->number_error) != VAGAP_OK) {
      if (!st->number_failed) {
        st->number_failed = 1;
        st->error_row = i;
        st->error_var = k;
      }
      v = NAN;
    }
    if (isnan(v) && missing < 0) missing = (int32_t)k;
    st->values[k] = v;
  }
  return missing;
}

static int reduce_groups(segment_state_t *st, size_t p) {
  for (size_t g = 0; g < st->ngroups; g++) {
    local_group_t *lg = &st->groups[g];
    if (lg->n == 0) continue;
    if (lg->block_cap < p) {
      free(lg->block.mean);
      free(lg->block.residual);
      free(lg->block.cov);
      lg->block.mean = malloc(p * sizeof(double));
      lg->block.residual = malloc(p * sizeof(double));
      lg->block.cov = malloc(p * p * sizeof(double));
      lg->block_cap = (lg->block.mean && lg->block.residual && lg->block.cov) ? p : 0;
      if (!lg->block_cap) return -1;
    }
    moments_block(lg->rows, lg->n, p, &lg->block);
  }
  return 0;
}

/* On a worker: classify, convert and reduce the rows of one segment. */
static void segment_moments(void *ctx, const vagap_reader_t *r, const csv_batch_t *b, void **state) {
  const plan_t *pl = ctx;
  segment_state_t *st = *state;
  if (!st && !(st = *state = calloc(1, sizeof *st))) return;
  st->ngroups = 0;
  st->number_failed = 0;
  size_t p = pl->p, n = b->nrows, last = 0;
  if (pl->group_missing ||
      vagap_reserve((void **)&st->row_group, &st->group_cap, n + 1, sizeof *st->row_group) ||
      vagap_reserve((void **)&st->row_missing, &st->missing_cap, n + 1, sizeof *st->row_missing) ||
      vagap_reserve((void **)&st->values, &st->values_cap, p + 1, sizeof *st->values))
    goto fail;
  for (size_t i = 0; i < n; i++) {
    long g = 0;
    if (pl->gcol == NO_COLUMN) {
      g = local_group(st, "1", &last);
    } else {
      size_t f = i * vagap_reader_ncols(r) + pl->gcol;
      const char *s = b->chars + b->field_off[f];
      g = vagap_reader_is_na(r, s, csv_batch_field_len(b, f)) ? ROW_NO_GROUP : local_group(st, s, &last);
    }
    if (g < ROW_NO_GROUP) goto fail;
    st->row_group[i] = (int32_t)g;
    st->row_missing[i] = convert_row(pl, r, b, i, st);
    if (g == ROW_NO_GROUP || st->row_missing[i] >= 0 || !pl->usable) continue;
    local_group_t *lg = &st->groups[g];
    if (vagap_reserve((void **)&lg->rows, &lg->cap, (lg->n + 1) * p, sizeof(double))) goto fail;
    memcpy(lg->rows + lg->n * p, st->values, p * sizeof(double));
    lg->n++;
  }
  if (reduce_groups(st, p) == 0) return;
fail:
  /* out of memory: the caller sees no state and says so */
  free_state(st);
  *state = NULL;
}

/* ---- the caller's side ---------------------------------------------------------- */

typedef struct {
  vagap_moments_t *m;
  moments_acc_t *acc;     /* [groups_cap] */
  size_t groups_cap, excluded_cap;
  size_t *global;         /* local -> global group of the current segment */
  size_t global_cap;
} merge_t;

static long global_group(merge_t *mg, const char *label) {
  vagap_moments_t *m = mg->m;
  for (size_t g = 0; g < m->ngroups; g++)
    if (strcmp(m->group_label[g], label) == 0) return (long)g;
  if (m->ngroups == mg->groups_cap) {
    size_t cap = mg->groups_cap ? 2 * mg->groups_cap : 8;
    char **labels = realloc(m->group_label, cap * sizeof *labels);
    if (!labels) return -1;
    m->group_label = labels;
    moments_acc_t *acc = realloc(mg->acc, cap * sizeof *acc);
    if (!acc) return -1;
    mg->acc = acc;
    mg->groups_cap = cap;
  }
  if (moments_acc_init(&mg->acc[m->ngroups], m->nvar)) return -1;
  if (!(m->group_label[m->ngroups] = strdup(label))) {
    moments_acc_free(&mg->acc[m->ngroups]);
    return -1;
  }
  return (long)m->ngroups++;
}

static vagap_status_t take_segment(merge_t *mg, const plan_t *pl, const vagap_reader_t *r,
                                   const csv_batch_t *b, const segment_state_t *st, long base_line,
                                   vagap_error_t *err) {
  vagap_moments_t *m = mg->m;
  const char *source = vagap_reader_source(r);
  if (!st) return vagap_error_set(err, VAGAP_ENOMEM, source, 0, 0, "out of memory");
  if (vagap_reserve((void **)&mg->global, &mg->global_cap, st->ngroups + 1, sizeof *mg->global))
    return vagap_error_set(err, VAGAP_ENOMEM, source, 0, 0, "out of memory");
  for (size_t g = 0; g < st->ngroups; g++) {
    long id = global_group(mg, st->groups[g].label);
    if (id < 0) return vagap_error_set(err, VAGAP_ENOMEM, source, 0, 0, "out of memory");
    mg->global[g] = (size_t)id;
  }
  if (st->number_failed && !m->number_failed) {
    size_t j = pl->col[st->error_var];
    m->number_failed = 1;
    vagap_error_set(&m->number_error, VAGAP_EDATA, source, base_line + b->row_line[st->error_row],
                    (long)j + 1, "column '%.200s': %.*s", vagap_reader_colname(r, j),
                    (int)(VAGAP_ERROR_MESSAGE_MAX / 2 - 1), st->number_error.message);
  }
  for (size_t i = 0; i < b->nrows; i++) {
    if (st->row_group[i] != ROW_NO_GROUP && st->row_missing[i] < 0) continue;
    if (vagap_reserve((void **)&m->excluded, &mg->excluded_cap, m->nexcluded + 1, sizeof *m->excluded))
      return vagap_error_set(err, VAGAP_ENOMEM, source, 0, 0, "out of memory");
    m->excluded[m->nexcluded++] = (vagap_moments_exclusion_t){
        base_line + b->row_line[i], st->row_group[i] == ROW_NO_GROUP ? -1 : st->row_missing[i]};
  }
  if (pl->usable)
    for (size_t g = 0; g < st->ngroups; g++)
      if (st->groups[g].n) moments_acc_add(&mg->acc[mg->global[g]], &st->groups[g].block);
  return VAGAP_OK;
}

static vagap_status_t finish(merge_t *mg, vagap_error_t *err) {
  vagap_moments_t *m = mg->m;
  size_t p = m->nvar, G = m->ngroups ? m->ngroups : 1;
  m->n = calloc(G, sizeof *m->n);
  m->mean = calloc(G * p, sizeof *m->mean);
  m->cov = calloc(G * p * p, sizeof *m->cov);
  if (!m->n || !m->mean || !m->cov) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  for (size_t g = 0; g < m->ngroups; g++)
    moments_acc_result(&mg->acc[g], &m->n[g], m->mean + g * p, m->cov + g * p * p);
  return VAGAP_OK;
}

void vagap_moments_free(vagap_moments_t *m) {
  if (!m) return;
  for (size_t g = 0; g < m->ngroups; g++) free(m->group_label[g]);
  free(m->group_label);
  free(m->n);
  free(m->mean);
  free(m->cov);
  free(m->excluded);
  free(m);
}

vagap_status_t vagap_moments_read(vagap_moments_t **out, const char *path,
                                  const vagap_table_options_t *opt, const char *group_column,
                                  const char *const *vars, size_t nvar, vagap_ledger_t *ledger,
                                  vagap_error_t *err) {
  *out = NULL;
  plan_t pl = {group_column, vars, nvar, NO_COLUMN, NULL, 0, 0, {0}, -1, {0}};
  merge_t mg = {0};
  vagap_reader_t *r = NULL;
  vagap_status_t st = VAGAP_OK;
  if (!(pl.col = calloc(nvar ? nvar : 1, sizeof *pl.col)) || !(mg.m = calloc(1, sizeof *mg.m)))
    st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  if (!st) {
    mg.m->nvar = nvar;
    reader_hook_t hook = {plan_begin, segment_moments, free_state, &pl};
    st = reader_open_hooked(&r, path, opt, ledger, &hook, err);
  }
  while (!st) {
    const csv_batch_t *b;
    void *state = NULL;
    long base_line = 0;
    st = reader_next_batch(r, &b, &state, &base_line, err);
    if (st || !b) break;
    if (!pl.group_missing) st = take_segment(&mg, &pl, r, b, state, base_line, err);
  }
  if (!st && pl.group_missing) {
    if (err) *err = pl.group_error;
    st = pl.group_error.status;
  }
  if (!st) {
    mg.m->missing_var = pl.missing_var;
    mg.m->missing_error = pl.missing_error;
    st = finish(&mg, err);
  }
  vagap_reader_close(r);
  for (size_t g = 0; mg.m && g < mg.m->ngroups; g++) moments_acc_free(&mg.acc[g]);
  free(mg.acc);
  free(mg.global);
  free(pl.col);
  if (st) {
    vagap_moments_free(mg.m);
    return st;
  }
  *out = mg.m;
  return VAGAP_OK;
}
