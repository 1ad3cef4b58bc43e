/*
 * table_hook.h - internal: work on the reader's parsing threads.
 *
 * A hooked reader calls `begin` once the header is known (on the caller's
 * thread, before any worker starts) and `batch` on the worker that parsed a
 * segment, right after parsing it, so that per-row work (converting numbers,
 * accumulating statistics) runs in parallel.  `batch` keeps what it computes
 * in *state, which belongs to the segment and is reused for later segments
 * (freed with `free_state` when the reader closes).  The caller then takes
 * whole segments, in input order, with reader_next_batch: their rows, their
 * first line and the state the hook left, so that it merges in input order
 * and results never depend on the number of threads.
 */
#ifndef VAGAP_TABLE_HOOK_H
#define VAGAP_TABLE_HOOK_H

#include "csv_segment.h"
#include "vagap/table.h"

#define reader_open_hooked vagap__reader_open_hooked
#define reader_next_batch vagap__reader_next_batch
#define reader_cell_number vagap__reader_cell_number
#pragma GCC visibility push(hidden)

typedef struct {
  vagap_status_t (*begin)(void *ctx, const vagap_reader_t *r, vagap_error_t *err);
  void (*batch)(void *ctx, const vagap_reader_t *r, const csv_batch_t *b, void **state);
  void (*free_state)(void *state);
  void *ctx;
} reader_hook_t;

/* vagap_reader_open with a hook (copied; ctx must outlive the reader). */
vagap_status_t reader_open_hooked(vagap_reader_t **out, const char *path,
                                  const vagap_table_options_t *opt, vagap_ledger_t *ledger,
                                  const reader_hook_t *hook, vagap_error_t *err);

/*
 * The next segment with rows, whole: *batch (NULL at the end of the input),
 * the state its hook left, and the line ends before it (row i starts at line
 * base_line + batch->row_line[i]).  The rows count as read in the ledger; the
 * segment's blank lines are recorded when the next one is taken.  Do not mix
 * with vagap_reader_next.
 */
vagap_status_t reader_next_batch(vagap_reader_t *r, const csv_batch_t **batch, void **state,
                                 long *base_line, vagap_error_t *err);

/* A cell as a number (NAN: a missing-value token); the parser's error, unlocated, otherwise.
   For the workers: the fastest way to read a cell that should be a number. */
vagap_status_t reader_cell_number(const vagap_reader_t *r, const char *s, size_t len, double *out,
                                  vagap_error_t *err);

#pragma GCC visibility pop
#endif
