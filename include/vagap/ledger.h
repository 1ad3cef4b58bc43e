/*
 * vagap/ledger.h - row accounting.
 *
 * Every row a command reads is either used or excluded with a reason.  The
 * ledger counts rows read per source and keeps one record per excluded row,
 * so that the program can print "read R rows, used U, excluded E" and write
 * the --exclusions table (source,line,reason).  used = read - excluded: a
 * caller excludes a row at most once.
 *
 * Reasons are copied into a pool of distinct strings, so excluding millions of
 * rows for the same reason costs one record (24 bytes) per row - unless the
 * ledger streams (vagap_ledger_stream): then it keeps only counts per reason
 * and hands each excluded row to a callback as it is recorded, so its memory
 * does not grow with the number of excluded rows.
 */
#ifndef VAGAP_LEDGER_H
#define VAGAP_LEDGER_H

#include <stddef.h>
#include "vagap/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vagap_ledger vagap_ledger_t;

typedef struct {
  size_t source;      /* index into the ledger's sources */
  long line;          /* physical line of the row's first character */
  const char *reason; /* owned by the ledger */
} vagap_exclusion_t;

/* A new, empty ledger, or NULL when out of memory.  Free with vagap_ledger_free. */
vagap_ledger_t *vagap_ledger_alloc(void);
void vagap_ledger_free(vagap_ledger_t *ledger); /* NULL is a no-op */

/*
 * Register an input (a file name, "-" for stdin, or a label such as
 * "key file"); returns its index, or (size_t)-1 when out of memory.
 * Registering the same name twice returns the first index.
 */
size_t vagap_ledger_source(vagap_ledger_t *ledger, const char *name);
const char *vagap_ledger_source_name(const vagap_ledger_t *ledger, size_t source);

/* Count `n` more rows read from `source`. */
void vagap_ledger_add_read(vagap_ledger_t *ledger, size_t source, size_t n);

/* Record an excluded row.  Returns VAGAP_ENOMEM on allocation failure. */
vagap_status_t vagap_ledger_exclude(vagap_ledger_t *ledger, size_t source,
                                    long line, const char *reason);

/* Called for each excluded row of a streaming ledger, in the order recorded. */
typedef void (*vagap_ledger_sink_t)(const char *source, long line, const char *reason, void *ctx);

/*
 * From now on keep no record per excluded row: count them per reason and pass
 * each to `sink` (NULL: only count).  vagap_ledger_exclusion returns NULL for
 * rows recorded after this call.
 */
void vagap_ledger_stream(vagap_ledger_t *ledger, vagap_ledger_sink_t sink, void *ctx);

/* 1 unless the ledger streams. */
int vagap_ledger_keeps_rows(const vagap_ledger_t *ledger);

/* 1 when the ledger keeps or passes on each excluded row's line (0: it only counts). */
int vagap_ledger_wants_lines(const vagap_ledger_t *ledger);

/*
 * Record `n` excluded rows of `source` without their lines, for a ledger that
 * only counts (vagap_ledger_wants_lines is 0); VAGAP_EINVAL for any other.
 */
vagap_status_t vagap_ledger_exclude_count(vagap_ledger_t *ledger, size_t source, size_t n,
                                          const char *reason);

size_t vagap_ledger_rows_read(const vagap_ledger_t *ledger);
size_t vagap_ledger_rows_excluded(const vagap_ledger_t *ledger);
size_t vagap_ledger_rows_used(const vagap_ledger_t *ledger);

/* The i-th exclusion in the order recorded (i < vagap_ledger_rows_excluded). */
const vagap_exclusion_t *vagap_ledger_exclusion(const vagap_ledger_t *ledger, size_t i);

/*
 * Number of exclusions per distinct reason, for summaries: calls `visit` once
 * per reason in first-seen order.
 */
void vagap_ledger_each_reason(const vagap_ledger_t *ledger,
                              void (*visit)(const char *reason, size_t count, void *ctx),
                              void *ctx);

#ifdef __cplusplus
}
#endif
#endif
