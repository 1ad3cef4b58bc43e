/*
 * intern.h - string-to-code tables for the CLI: each distinct string gets the
 * next code 0, 1, 2, ... in first-seen order (so output follows input order).
 * Open addressing with FNV-1a hashing; strings are copied.
 */
#ifndef VAGAP_CLI_INTERN_H
#define VAGAP_CLI_INTERN_H

#include <stddef.h>

typedef struct cli_intern cli_intern_t;

/* A new empty table, or NULL when out of memory.  Free with cli_intern_free. */
cli_intern_t *cli_intern_alloc(void);
void cli_intern_free(cli_intern_t *t); /* NULL is a no-op */

/* The code of s[0..len), adding it if new; (size_t)-1 when out of memory. */
size_t cli_intern(cli_intern_t *t, const char *s, size_t len);
/* The code of s if present, else (size_t)-1. */
size_t cli_intern_find(const cli_intern_t *t, const char *s, size_t len);

size_t cli_intern_count(const cli_intern_t *t);
/* The string of a code (NUL-terminated, owned by the table). */
const char *cli_intern_string(const cli_intern_t *t, size_t code);

#endif
