/*
 * grow.h - internal: how the library grows its arrays.
 */
#ifndef VAGAP_GROW_H
#define VAGAP_GROW_H

#include <stdint.h>
#include <stdlib.h>

/*
 * Make *array (of `elem`-byte elements, *cap of them) hold at least `need`,
 * doubling from 16.  Returns -1 when out of memory (or the size overflows),
 * leaving the array as it was.
 */
static inline int vagap_reserve(void **array, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return 0;
  size_t cap2 = *cap ? *cap : 16;
  while (cap2 < need) cap2 = cap2 > SIZE_MAX / 2 ? need : 2 * cap2; /* no wrap to 0 */
  if (elem && cap2 > SIZE_MAX / elem) return -1;
  void *p = realloc(*array, cap2 * elem);
  if (!p) return -1;
  *array = p;
  *cap = cap2;
  return 0;
}

#endif
