/*
 * prop_out.h - the per-unit proportion table, written the same way by
 * `vagap prop` and by `vagap report` (behavior_units), so the two are one table.
 */
#ifndef VAGAP_PROP_OUT_H
#define VAGAP_PROP_OUT_H

#include "cli.h"

/* One unit's counts and test. */
typedef struct {
  const char *key; /* the unit (NULL: pooled) */
  size_t x, n, n_other;
  vagap_status_t status;
  vagap_prop_t res;
  double p_adjusted;
} prop_row_t;

/* The columns; the first ("group") is renamed after the unit column by the caller. */
enum { PROP_NCOLUMNS = 19 };
extern const char *const PROP_COLUMNS[PROP_NCOLUMNS];

void prop_put_row(cli_writer_t *w, const prop_row_t *r);

#endif
