/* intern.c - string-to-code tables (see vagap/intern.h); moved from the program. */
#include "vagap/intern.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct vagap_intern {
  char **strings;  /* by code */
  size_t *lengths; /* by code */
  size_t count, cap;
  size_t *slots;   /* code + 1, 0 = empty; size is a power of two */
  size_t nslots;
};

static uint64_t hash(const char *s, size_t len) {
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < len; i++) {
    h ^= (unsigned char)s[i];
    h *= 1099511628211ULL;
  }
  return h;
}

vagap_intern_t *vagap_intern_alloc(void) {
  vagap_intern_t *t = calloc(1, sizeof *t);
  if (!t) return NULL;
  t->nslots = 64;
  t->slots = calloc(t->nslots, sizeof *t->slots);
  if (!t->slots) {
    free(t);
    return NULL;
  }
  return t;
}

void vagap_intern_free(vagap_intern_t *t) {
  if (!t) return;
  for (size_t i = 0; i < t->count; i++) free(t->strings[i]);
  free(t->strings);
  free(t->lengths);
  free(t->slots);
  free(t);
}

/* Slot holding s, or the empty slot where it would go. */
static size_t probe(const vagap_intern_t *t, const char *s, size_t len) {
  size_t mask = t->nslots - 1, i = (size_t)hash(s, len) & mask;
  while (t->slots[i]) {
    size_t c = t->slots[i] - 1;
    if (t->lengths[c] == len && memcmp(t->strings[c], s, len) == 0) return i;
    i = (i + 1) & mask;
  }
  return i;
}

static int grow_slots(vagap_intern_t *t) {
  size_t n = t->nslots * 2;
  size_t *slots = calloc(n, sizeof *slots);
  if (!slots) return -1;
  free(t->slots);
  t->slots = slots;
  t->nslots = n;
  for (size_t c = 0; c < t->count; c++) t->slots[probe(t, t->strings[c], t->lengths[c])] = c + 1;
  return 0;
}

size_t vagap_intern_find(const vagap_intern_t *t, const char *s, size_t len) {
  size_t i = probe(t, s, len);
  return t->slots[i] ? t->slots[i] - 1 : (size_t)-1;
}

size_t vagap_intern(vagap_intern_t *t, const char *s, size_t len) {
  size_t i = probe(t, s, len);
  if (t->slots[i]) return t->slots[i] - 1;
  if (t->count == t->cap) {
    size_t cap = t->cap ? 2 * t->cap : 16;
    char **strings = realloc(t->strings, cap * sizeof *strings);
    if (!strings) return (size_t)-1;
    t->strings = strings;
    size_t *lengths = realloc(t->lengths, cap * sizeof *lengths);
    if (!lengths) return (size_t)-1;
    t->lengths = lengths;
    t->cap = cap;
  }
  char *copy = malloc(len + 1);
  if (!copy) return (size_t)-1;
  memcpy(copy, s, len);
  copy[len] = '\0';
  size_t code = t->count++;
  t->strings[code] = copy;
  t->lengths[code] = len;
  t->slots[i] = code + 1;
  if (2 * t->count > t->nslots && grow_slots(t) != 0) return (size_t)-1;
  return code;
}

size_t vagap_intern_count(const vagap_intern_t *t) { return t->count; }

const char *vagap_intern_string(const vagap_intern_t *t, size_t code) {
  return code < t->count ? t->strings[code] : NULL;
}
