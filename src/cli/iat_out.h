/*
 * iat_out.h - the per-unit association-IAT table, written the same way by
 * `vagap iat --method assoc` and by `vagap report` (iat_units.csv).
 */
#ifndef VAGAP_IAT_OUT_H
#define VAGAP_IAT_OUT_H

#include "cli.h"

/* The columns after the unit's own column (named by the caller). */
enum { IAT_NUNIT_COLUMNS = 8 };
extern const char *const IAT_UNIT_COLUMNS[IAT_NUNIT_COLUMNS];

/* One row: the unit name, then IAT_UNIT_COLUMNS. */
void iat_put_unit(cli_writer_t *w, const vagap_iat_assoc_unit_t *u);

/* The per-trial table (`vagap iat --per-trial`, report's iat_trials): the columns
   after the unit's, and one row. */
enum { IAT_NTRIAL_COLUMNS = 10 };
extern const char *const IAT_TRIAL_COLUMNS[IAT_NTRIAL_COLUMNS];
void iat_put_trial(cli_writer_t *w, const vagap_iat_assoc_trial_t *t);

#endif
