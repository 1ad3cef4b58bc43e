/*
 * vagap/intern.h - string-to-code tables: each distinct string gets the next
 * code 0, 1, 2, ... in first-seen order (so output follows input order), as
 * the readers that turn rows into units, scenarios and values need them.
 * Open addressing with FNV-1a hashing; strings are copied.
 */
#ifndef VAGAP_INTERN_H
#define VAGAP_INTERN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#ifdef __cplusplus
}
#endif

#endif

typedef struct vagap_intern vagap_intern_t;

/* A new empty table, or NULL when out of memory.  Free with vagap_intern_free. */
vagap_intern_t *vagap_intern_alloc(void);
void vagap_intern_free(vagap_intern_t *t); /* NULL is a no-op */

/* The code of s[0..len), adding it if new; (size_t)-1 when out of memory. */
size_t vagap_intern(vagap_intern_t *t, const char *s, size_t len);
/* The code of s if present, else (size_t)-1. */
size_t vagap_intern_find(const vagap_intern_t *t, const char *s, size_t len);

size_t vagap_intern_count(const vagap_intern_t *t);
/* The string of a code (NUL-terminated, owned by the table). */
const char *vagap_intern_string(const vagap_intern_t *t, size_t code);

#ifdef __cplusplus
}
#endif

#endif
