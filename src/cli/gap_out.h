/*
 * gap_out.h - printing a calibration-gap analysis (vagap/gap.h) as tidy
 * tables and as text; shared by `vagap gap` and `vagap report`.
 */
#ifndef VAGAP_GAP_OUT_H
#define VAGAP_GAP_OUT_H

#include <stdio.h>
#include "broom.h"
#include "vagap/report.h" /* vagap_report_format_p, vagap_report_format_number */

/* The test table has the broom columns (BROOM_COLUMN_NAMES). */
/* model,iat,behavior,selfreport,gap,overclaiming,quadrant,complete,missing */
extern const char *const GAP_UNIT_COLUMNS[];
extern const size_t GAP_NUNIT_COLUMNS;

/*
 * The stacked test table (group,term,estimate,std.error,statistic,df,
 * p.value,conf.low,conf.high,n,method): the rows of vagap_gap_tidy.
 * CLI_EXIT_OK, or an exit code after printing (out of memory).
 */
int gap_write_tests(cli_writer_t *w, const vagap_gap_t *g);

/* One row per unit (GAP_UNIT_COLUMNS; the first column is named by the writer). */
void gap_write_units(cli_writer_t *w, const vagap_gap_t *g);

/* A human-readable summary (several lines) of the analysis. */
void gap_print_text(FILE *out, const vagap_gap_t *g);

#endif
