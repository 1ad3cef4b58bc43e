/*
 * vagap/tidy.h - a stacked test table in broom's columns (group, term,
 * estimate, std.error, statistic, df, p.value, conf.low, conf.high, n,
 * method): what an analysis that reports many tests (vagap_gap_tidy) hands
 * to the program, which prints it, and to the R and Python bindings, which
 * make a data frame of it, so that both show the same rows.
 */
#ifndef VAGAP_TIDY_H
#define VAGAP_TIDY_H

#include <stddef.h>
#include "vagap/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  const char *group, *term; /* NULL: NA */
  const char *by;           /* the column whose levels split the term (align --by); NULL: NA */
  const char *level;        /* a level of the term (consistency's other unit or value); NULL: NA */
  double estimate, std_error, statistic, df, p_value, conf_low, conf_high; /* NaN: NA */
  size_t n;
  double rank;              /* rank of the estimate among the levels (align); NaN: NA */
  const char *method;
} vagap_tidy_row_t;

/*
 * Rows in order; the strings of the rows belong to the table.  Notes are
 * warnings about the analysis (a test that is undefined, units left out) that
 * the program prints on standard error and the bindings pass on as warnings.
 */
typedef struct {
  size_t n, cap;
  vagap_tidy_row_t *rows;
  size_t nstrings, strings_cap;
  char **strings;
  size_t nnotes;
  char **notes;
} vagap_tidy_t;

void vagap_tidy_init(vagap_tidy_t *t);
void vagap_tidy_free(vagap_tidy_t *t); /* and empties it */

/* Append a copy of `row` (its strings copied).  VAGAP_ENOMEM. */
vagap_status_t vagap_tidy_add(vagap_tidy_t *t, const vagap_tidy_row_t *row, vagap_error_t *err);

/* Append a note (printf format).  VAGAP_ENOMEM. */
vagap_status_t vagap_tidy_note(vagap_tidy_t *t, vagap_error_t *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#ifdef __cplusplus
}
#endif

#endif
