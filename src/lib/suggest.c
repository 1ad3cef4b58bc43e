/*
 * suggest.c - "did you mean": the nearest of a list of names to a misspelt one, by the
 * optimal-string-alignment distance (Levenshtein plus swaps of neighbours, as typing
 * errors go), ignoring case so that 'Score' finds 'score'.
 */
#include "vagap/error.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Names longer than this are never suggested (nor compared): no typo is that long. */
#define SUGGEST_MAX_LEN 64

static int fold(char ch) { return tolower((unsigned char)ch); }

static size_t min3(size_t a, size_t b, size_t c) {
  size_t m = a < b ? a : b;
  return m < c ? m : c;
}

/* Distance between a and b (both at most SUGGEST_MAX_LEN long), three rolling rows. */
static size_t osa_distance(const char *a, size_t la, const char *b, size_t lb) {
  size_t rows[3][SUGGEST_MAX_LEN + 1];
  size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
  for (size_t j = 0; j <= lb; j++) prev[j] = j;
  for (size_t i = 1; i <= la; i++) {
    cur[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t cost = fold(a[i - 1]) != fold(b[j - 1]);
      cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) && fold(a[i - 2]) == fold(b[j - 1]) &&
          prev2[j - 2] + 1 < cur[j])
        cur[j] = prev2[j - 2] + 1;
    }
    size_t *t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  return prev[lb];
}

const char *vagap_suggest(const char *name, const char *const *candidates, size_t n) {
  if (!name || !candidates) return NULL;
  size_t len = strlen(name);
  if (len == 0 || len > SUGGEST_MAX_LEN) return NULL;
  size_t limit = len / 3;
  if (limit < 1) limit = 1;
  if (limit > 3) limit = 3;
  const char *best = NULL;
  size_t best_d = limit + 1;
  for (size_t i = 0; i < n; i++) {
    const char *c = candidates[i];
    if (!c) continue;
    size_t lc = strlen(c);
    if (lc > SUGGEST_MAX_LEN || (lc > len ? lc - len : len - lc) > limit) continue;
    size_t d = osa_distance(name, len, c, lc);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}
