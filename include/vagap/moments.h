/*
 * vagap/moments.h - per-group sufficient statistics (n, means, covariances
 * with divisor n) of chosen numeric columns, computed while the input is
 * parsed, without keeping its rows.
 *
 * The reader's parsing threads convert the chosen columns of each segment of
 * the input to numbers and reduce each group's complete rows to two-pass
 * block moments; the calling thread merges the blocks in input order with
 * Chan, Golub & LeVeque's pairwise update about a shift (exact for data far
 * from zero, like 1e9 + noise).  Memory is O(groups x columns^2) plus the
 * segments in flight, whatever the number of rows; the results do not depend
 * on the number of threads.  A group whose rows all lie in one segment (any
 * group of a file under VAGAP_SEGMENT_BYTES, 1 MiB by default) gets exactly
 * the numbers of vagap_sem_stats_compute on the same rows.
 *
 * Data policy (listwise): a row is used when its group (if there is a group
 * column) and every chosen column are present; otherwise it is listed in
 * `excluded` with why, in input order, for the caller's ledger.  Groups are
 * the group column's values in order of first appearance among rows whose
 * group is not missing (rows excluded for another reason still make a group).
 */
#ifndef VAGAP_MOMENTS_H
#define VAGAP_MOMENTS_H

#include <stddef.h>
#include "vagap/error.h"
#include "vagap/ledger.h"
#include "vagap/table.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  long line; /* physical line of the row */
  long var;  /* index of the first chosen column that is missing; -1: the group is missing */
} vagap_moments_exclusion_t;

typedef struct {
  size_t nvar, ngroups;
  char **group_label;        /* [ngroups]; "1" when there is no group column */
  double *n;                 /* [ngroups] rows used */
  double *mean;              /* [ngroups * nvar] */
  double *cov;               /* [ngroups * nvar * nvar], divisor n */
  size_t nexcluded;
  vagap_moments_exclusion_t *excluded; /* in input order */
  /* Problems that leave the statistics unusable, returned rather than raised
     so that the caller reports them in its own order: */
  long missing_var;            /* first chosen column the input lacks (-1: none); then ... */
  vagap_error_t missing_error; /* ... its error (the columns the input has) */
  int number_failed;           /* a chosen column holds a field that is not a number; then ... */
  vagap_error_t number_error;  /* ... the first in input order, located at its line and field */
} vagap_moments_t;

/*
 * Read `path` ("-": standard input; CSV or JSON Lines as vagap_table_read)
 * and compute the statistics of columns vars[0..nvar) by the values of
 * `group_column` (NULL: one group).  Errors of the input itself (and a
 * group column the input lacks, reported after the input was read whole, as
 * a table reader would) are returned; blank lines and rows read go to
 * `ledger`.  Free *out with vagap_moments_free.
 */
vagap_status_t vagap_moments_read(vagap_moments_t **out, const char *path,
                                  const vagap_table_options_t *opt, const char *group_column,
                                  const char *const *vars, size_t nvar, vagap_ledger_t *ledger,
                                  vagap_error_t *err);
void vagap_moments_free(vagap_moments_t *m); /* NULL is a no-op */

#ifdef __cplusplus
}
#endif
#endif
