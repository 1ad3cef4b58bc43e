/* The stacked test table in broom's columns (see vagap/tidy.h). */
#include "vagap/tidy.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vagap_tidy_init(vagap_tidy_t *t) { memset(t, 0, sizeof *t); }

void vagap_tidy_free(vagap_tidy_t *t) {
  for (size_t k = 0; k < t->nstrings; k++) free(t->strings[k]);
  free(t->strings);
  for (size_t k = 0; k < t->nnotes; k++) free(t->notes[k]);
  free(t->notes);
  free(t->rows);
  memset(t, 0, sizeof *t);
}

/* A copy of s kept by the table (NULL stays NULL); 0, or -1 out of memory. */
static int keep(vagap_tidy_t *t, const char *s, const char **out) {
  *out = NULL;
  if (!s) return 0;
  if (t->nstrings == t->strings_cap) {
    size_t cap = t->strings_cap ? 2 * t->strings_cap : 32;
    char **p = realloc(t->strings, cap * sizeof *p);
    if (!p) return -1;
    t->strings = p;
    t->strings_cap = cap;
  }
  char *copy = strdup(s);
  if (!copy) return -1;
  t->strings[t->nstrings++] = copy;
  *out = copy;
  return 0;
}

vagap_status_t vagap_tidy_add(vagap_tidy_t *t, const vagap_tidy_row_t *row, vagap_error_t *err) {
  if (t->n == t->cap) {
    size_t cap = t->cap ? 2 * t->cap : 32;
    vagap_tidy_row_t *p = realloc(t->rows, cap * sizeof *p);
    if (!p) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    t->rows = p;
    t->cap = cap;
  }
  vagap_tidy_row_t r = *row;
  if (keep(t, row->group, &r.group) || keep(t, row->term, &r.term) ||
      keep(t, row->by, &r.by) || keep(t, row->level, &r.level) || keep(t, row->method, &r.method))
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  t->rows[t->n++] = r;
  return VAGAP_OK;
}

vagap_status_t vagap_tidy_note(vagap_tidy_t *t, vagap_error_t *err, const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  char **p = realloc(t->notes, (t->nnotes + 1) * sizeof *p);
  if (!p) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  t->notes = p;
  if (!(p[t->nnotes] = strdup(buf))) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  t->nnotes++;
  return VAGAP_OK;
}
