/*
 * rows.h - what the commands' readers share: streaming a log row by row with
 * named columns (`vagap iat --method dscore`), column lookup and numeric
 * columns of a whole table, and excluding a row with a reason (the study
 * readers are the library's: vagap/study.h).  I/O policy only: errors are
 * printed here as "vagap: FILE:LINE:COL: message" and the functions return
 * -1 (or an exit code, where said); the statistics stay in the library.
 */
#ifndef VAGAP_CLI_ROWS_H
#define VAGAP_CLI_ROWS_H

#include "cli.h"

/*
 * Handle one data row; col[k] is the field index of the k-th named column.
 * Return 0 to go on; anything else stops the file and is returned by
 * cli_read_rows (the caller's own error convention, printed by the callback).
 */
typedef int (*cli_row_fn)(void *ctx, const vagap_reader_t *r, const vagap_row_t *row,
                          const size_t *col);

/*
 * Open `path` (with the ledger counting its rows), look up the ncols named
 * columns in order and call fn on each row until it returns non-zero or the
 * file ends.  Returns 0, fn's non-zero result, or cli_report_error's exit
 * code after printing a reader error (cannot open, no such column, bad row).
 * ncols is at most CLI_ROWS_MAX_COLUMNS.
 */
enum { CLI_ROWS_MAX_COLUMNS = 16 };
int cli_read_rows(const char *path, const vagap_table_options_t *topt, vagap_ledger_t *ledger,
                  const char *const *names, size_t ncols, cli_row_fn fn, void *ctx);

/* "vagap: out of memory" on stderr; returns -1. */
int cli_out_of_memory(void);

/*
 * Record row `line` of source `source` as excluded with `reason`.  Returns 0,
 * or -1 after printing when out of memory.
 */
int cli_exclude_line(vagap_ledger_t *ledger, size_t source, long line, const char *reason);

/* ---- whole tables ------------------------------------------------------------- */

/* Look up a column; on failure prints the library's message and returns -1. */
int cli_column(const vagap_table_t *t, const char *name, size_t *j);

/* Column j as numbers (NaN for missing); prints the located error and returns NULL. */
double *cli_numeric_column(const vagap_table_t *t, size_t j);

/*
 * --bad-rows exclude (topt->exclude_bad_rows): each row of t with a cell in
 * columns cols[0, n) that is neither missing nor a number is excluded with
 * the reason "column 'C': expected a number, found 'X'" and removed from t,
 * so that converting those columns afterwards cannot fail.  Without the
 * option nothing happens (the conversion reports the first such cell as an
 * error).  Call it before anything is computed from t's rows.  0, or -1
 * after printing when out of memory.
 */
int cli_screen_numbers(const vagap_table_options_t *topt, vagap_table_t *t,
                       vagap_ledger_t *ledger, const size_t *cols, size_t n);

/* The same for columns given by name; names that are not columns (or NULL) are
   skipped here (the command reports them when it looks them up). */
int cli_screen_named(const vagap_table_options_t *topt, vagap_table_t *t, vagap_ledger_t *ledger,
                     const char *const *names, size_t n);

/*
 * Field j of a streamed row as a number.  Returns 0 (*out set; NAN when
 * missing), 1 when the row was excluded instead (--bad-rows exclude), or -1
 * after printing the located error.
 */
int cli_row_number(const vagap_table_options_t *topt, vagap_ledger_t *ledger,
                   const vagap_reader_t *r, const vagap_row_t *row, size_t j, double *out);

/* cli_exclude_line for row `row` of table t. */
int cli_exclude_row(vagap_ledger_t *ledger, const vagap_table_t *t, size_t row, const char *reason);

#endif
