/*
 * vagap/sem_rows.h - the rows of a table as the data of an SEM fit.
 *
 * What `vagap sem`, `vagap vaar` and the R and Python sem() share between a
 * table and the fitter: the groups (labels in order of first appearance),
 * which rows enter under each missing-data method (lavaan's rules, each
 * excluded row recorded in the ledger with its reason), the raw matrix and
 * the per-group statistics, and for ordered indicators the variables and
 * their number of thresholds.  The table may come from a file
 * (vagap_table_read) or from typed columns (vagap_table_from_columns).
 */
#ifndef VAGAP_SEM_ROWS_H
#define VAGAP_SEM_ROWS_H

#include <stddef.h>
#include "vagap/error.h"
#include "vagap/ledger.h"
#include "vagap/sem.h"
#include "vagap/table.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  size_t ngroups;
  char **labels;            /* [ngroups] */
  size_t nobs, nvar;        /* rows used, model observed variables */
  double *x;                /* [nobs * nvar], NAN = missing (FIML, pairwise) */
  size_t *group;            /* [nobs] */
  char **var;               /* [nvar] copies of the model's observed names */
  vagap_sem_stats_t *stats; /* NULL under FIML and for raw-data estimators */
  /* set by the caller before loading: listwise (default) or FIML's row policy */
  vagap_sem_missing_t missing;
} vagap_sem_rows_t;

/* Free everything (the struct is zeroed, ready for reuse). */
void vagap_sem_rows_free(vagap_sem_rows_t *d);

/* 1 when the rows are for FIML (d->missing ml or ml.x). */
int vagap_sem_rows_fiml(const vagap_sem_rows_t *d);

/* A borrowed view for vagap_sem_fit_data and vagap_sem_bootstrap. */
vagap_sem_data_t vagap_sem_rows_view(const vagap_sem_rows_t *d);

/* Group labels of column gcol ((size_t)-1: one group "1"), in order of first appearance. */
vagap_status_t vagap_sem_rows_groups(const vagap_table_t *t, size_t gcol, vagap_sem_rows_t *d,
                                     vagap_error_t *err);

/* Text codes of ordered columns (the program's --levels): category k + 1 is
   levels[k]; coded[j] is 1 for the model variables read through them. */
typedef struct {
  const char *const *levels;
  size_t n;
  const int *coded;
} vagap_sem_levels_t;

/*
 * The rows of t (groups already set by vagap_sem_rows_groups) for model m:
 * the model's observed columns as numbers, and per row either its values and
 * group or an exclusion in the ledger:
 *   - a missing group: "missing group (COLUMN)";
 *   - listwise: "missing value in X (listwise deletion)";
 *   - pairwise = 1 (lavaan's missing = "pairwise"): only rows missing every
 *     model variable;
 *   - d->missing ml / ml.x (FIML): rows missing every model variable (an
 *     "empty case"), and under ml rows missing a fixed.x covariate.
 * want_stats: also the per-group statistics (not under FIML).  lv (may be
 * NULL) reads the coded columns' text as category codes.
 */
vagap_status_t vagap_sem_rows_load(const vagap_table_t *t, size_t gcol, const vagap_sem_model_t *m,
                                   vagap_sem_rows_t *d, int pairwise, int want_stats,
                                   const vagap_sem_levels_t *lv, vagap_ledger_t *ledger,
                                   vagap_error_t *err);

/*
 * The ordered variables (the names given, or with `all` every endogenous
 * observed variable of m, and as lavaan the left-hand sides of threshold
 * statements in syn) and their number of thresholds (distinct values in d
 * minus 1: the sorted distinct values are the categories, as lavaan's
 * ordered()) into mopt->ordered, ordered_nth and n_ordered; the arrays are
 * malloc'ed into *names (free with
 * vagap_sem_names_free(*names, mopt->n_ordered)) and *nth (free()).
 */
vagap_status_t vagap_sem_rows_ordered(const char *const *ordered, size_t n_ordered, int all,
                                      const vagap_sem_syntax_t *syn, const vagap_sem_model_t *m,
                                      const vagap_sem_rows_t *d, vagap_sem_model_options_t *mopt,
                                      char ***names, int **nth, vagap_error_t *err);

/*
 * The whole preparation of a model with ordered indicators: group levels, a
 * first model of the syntax's relations (for its observed variables), rows
 * with a non-number in a model column dropped when the table excludes bad
 * rows (vagap_table_exclude_non_numbers; not with levels), the rows
 * (pairwise = 1 keeps partly missing rows), the ordered variables and their
 * categories (vagap_sem_rows_ordered), and the model rebuilt with them into
 * *model.  levels (n_levels of them, may be NULL): the text codes of the
 * ordered columns in order.  Free *onames with vagap_sem_names_free(*onames,
 * mopt->n_ordered) and *onth with free() once no more models are built.
 */
vagap_status_t vagap_sem_rows_build_ordinal(vagap_table_t *t, size_t gcol, const vagap_sem_syntax_t *syn,
                                            const char *model_source, const char *const *ordered,
                                            size_t n_ordered, int ordered_all, int pairwise,
                                            const char *const *levels, size_t n_levels,
                                            vagap_sem_model_options_t *mopt, vagap_sem_rows_t *d,
                                            vagap_sem_model_t **model, char ***onames, int **onth,
                                            vagap_ledger_t *ledger, vagap_error_t *err);

/* Fit `model` to d: vagap_sem_fit on the statistics, else vagap_sem_fit_data on the rows. */
vagap_status_t vagap_sem_rows_fit(vagap_sem_fit_t **fit, const vagap_sem_model_t *model,
                                  const vagap_sem_rows_t *d, const vagap_sem_fit_options_t *opt,
                                  vagap_error_t *err);

/* Split "a, b,c" at commas into *n malloc'ed names, blanks around them trimmed and
   empty ones dropped (NULL when out of memory); free with vagap_sem_names_free. */
char **vagap_sem_names_split(const char *s, size_t *n);
/* Free n malloc'ed names and their array (NULL is a no-op). */
void vagap_sem_names_free(char **v, size_t n);

#ifdef __cplusplus
}
#endif
#endif
