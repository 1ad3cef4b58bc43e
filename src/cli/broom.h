/*
 * broom.h - one row of the broom-like test table that ttest, corr, iat, gap
 * and report write: group,term,estimate,std.error,statistic,df,p.value,
 * conf.low,conf.high,n,method (NA where a number does not apply, never
 * dropped).  Commands append their own columns after these eleven.
 */
#ifndef VAGAP_BROOM_H
#define VAGAP_BROOM_H

#include "cli.h"

/* The eleven column names, for a command's own column list. */
#define BROOM_COLUMNS                                                                        \
  "group", "term", "estimate", "std.error", "statistic", "df", "p.value", "conf.low",        \
      "conf.high", "n", "method"

/* The same as an array, for a table that has only these columns. */
extern const char *const BROOM_COLUMN_NAMES[];
enum { BROOM_NCOLUMNS = 11 };

/*
 * How a number cell is printed: the statistics commands pass stats_put_num
 * (+-Inf as Inf/-Inf, which R reads back, except null in JSON); NaN prints NA.
 */
typedef void (*broom_put_num_fn)(cli_writer_t *w, double x);

typedef struct {
  const char *group, *term; /* NULL prints NA */
  double estimate, std_error, statistic, df, p_value, conf_low, conf_high; /* NAN: NA */
  size_t n;
  const char *method;
} broom_row_t;

/* Write the eleven cells of r. */
void broom_put(cli_writer_t *w, broom_put_num_fn put_num, const broom_row_t *r);

/*
 * Write only estimate .. method (the nine cells after group and term), for
 * a table that puts columns of its own before them.
 */
void broom_put_numbers(cli_writer_t *w, broom_put_num_fn put_num, const broom_row_t *r);

/* A row that has an estimate (and n) only: the other numbers are NaN. */
broom_row_t broom_estimate(const char *group, const char *term, double estimate, size_t n,
                           const char *method);

/* A t-test's estimate, SE, t, df, p and CI with its n. */
broom_row_t broom_ttest(const char *group, const char *term, const vagap_ttest_t *t,
                        const char *method);

#endif
