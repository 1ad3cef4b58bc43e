/*
 * vagap/consistency.h - ValAct-style consistency between units (models,
 * personas) and between what a unit states and what it enacts.
 *
 * Source: Huang et al. (2026), ValAct-15k; contract in METHODS.md section 8.
 * Correlations and t-tests come from vagap/stats.h (R cor.test / t.test
 * conventions: Pearson with a Fisher-z CI, Spearman with the t p-value).
 *
 * Matrices are row-major: x[i * ncols + j] is unit i's value on item j.
 * NaN means missing; correlations use the complete pairs of the two vectors.
 */
#ifndef VAGAP_CONSISTENCY_H
#define VAGAP_CONSISTENCY_H

#include <stddef.h>
#include "vagap/error.h"
#include "vagap/ledger.h"
#include "vagap/stats.h"
#include "vagap/table.h"
#include "vagap/tidy.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One correlation and whether it could be computed. */
typedef struct {
  vagap_status_t status; /* VAGAP_OK, or VAGAP_EDOMAIN when undefined (n < 3, constant) */
  vagap_cor_t cor;       /* always filled; undefined numbers are NaN */
} vagap_consistency_cor_t;

/* Per-unit summary of the cross-unit matrix. */
typedef struct {
  double mean_r;    /* arithmetic mean of the defined r with every other unit; NAN if none */
  size_t n_defined; /* other units with a defined r */
  size_t n_items;   /* non-missing entries of the unit's decision vector */
} vagap_consistency_unit_t;

/*
 * Cross-unit consistency: the correlation between every pair of units'
 * decision vectors x[nunits x nitems] (for example the share of choices of
 * each option in each scenario).  pairs has nunits * nunits entries,
 * pairs[i * nunits + j], symmetric; the diagonal is each vector with itself,
 * set to r = 1 with n = its non-missing entries and no test (NaN statistic,
 * p-value and CI) rather than computed (rounding would give 1 - 2e-16).
 * units (nunits entries) gets the mean off-diagonal r per unit.
 * *mean_offdiag (may be NULL) gets the mean of the defined r over pairs i < j.
 * Undefined correlations are not errors: they are marked in `status`.
 */
vagap_status_t vagap_consistency_matrix(const double *x, size_t nunits, size_t nitems,
                                        const vagap_cor_options_t *opt,
                                        vagap_consistency_cor_t *pairs,
                                        vagap_consistency_unit_t *units,
                                        double *mean_offdiag, vagap_error_t *err);

/*
 * Centre each row of x[nrows x ncols] on its own mean over its non-missing
 * entries (ipsative scores, as usual for Schwartz value surveys; Schwartz
 * 1992).  A row with no entries stays all-NaN.  In place.
 */
void vagap_consistency_centre_rows(double *x, size_t nrows, size_t ncols);

/*
 * Stated versus enacted.  stated[nunits x nvalues] is a self-report value
 * profile (e.g. PVQ value means), enacted[nunits x nvalues] the share of
 * choices enacting each value.  With `centre` the stated profile is first
 * centred on the unit's mean (see vagap_consistency_centre_rows); note that
 * this leaves the per-unit Pearson and Spearman r unchanged (both are
 * invariant to adding a constant to one vector) and changes only the
 * per-value correlations across units.
 *
 * per_unit (nunits entries): r between the unit's stated and enacted vectors
 * over values.  per_value (nvalues entries, may be NULL): r between stated and
 * enacted across units for each value.  mean_test: one-sample t-test of the
 * defined per-unit r against 0 (its estimate is the mean r, its CI the t
 * interval of the mean; R t.test(r)).  *n_undefined counts units whose r was
 * undefined and were left out of the mean.
 * The return is VAGAP_OK even when some correlations are undefined; the
 * status of the mean's t-test is in *mean_status.
 */
vagap_status_t vagap_consistency_stated_enacted(const double *stated, const double *enacted,
                                                size_t nunits, size_t nvalues, int centre,
                                                const vagap_cor_options_t *cor_opt,
                                                const vagap_ttest_options_t *t_opt,
                                                vagap_consistency_cor_t *per_unit,
                                                vagap_consistency_cor_t *per_value,
                                                vagap_ttest_t *mean_test,
                                                vagap_status_t *mean_status,
                                                size_t *n_undefined, vagap_error_t *err);

/*
 * Role-play drop: drop_i = acc_a[i] - acc_b[i] per unit (METHODS: accuracy
 * when asked to select a value minus accuracy when asked to hold it), and a
 * paired t-test across units (R t.test(acc_a, acc_b, paired = TRUE)).
 * Units with a missing accuracy get drop NaN and are left out of the test.
 * drop has nunits entries (may be NULL).  Returns the t-test's status
 * (VAGAP_EDOMAIN with the descriptive fields filled when fewer than two
 * complete units or constant differences).
 */
vagap_status_t vagap_consistency_roleplay_drop(const double *acc_a, const double *acc_b,
                                               size_t nunits, const vagap_ttest_options_t *opt,
                                               double *drop, vagap_ttest_t *test,
                                               vagap_error_t *err);

/* ---- from rows: the three modes of `vagap consistency` --------------------------- */

/* Column names and settings; the defaults are the program's. */
typedef struct {
  const char *unit, *scenario, *choice; /* matrix: one row per decision */
  const char *score;                    /* matrix: a numeric column instead of choice shares (NULL) */
  const char *value, *enacted;          /* stated-enacted: the enactment log */
  const char *profile_score;            /* stated-enacted: the profile (unit, value, this) */
  const char *condition, *correct;      /* roleplay */
  const char *a, *b;                    /* roleplay: the two conditions (select, hold) */
  int method_pearson, method_spearman;  /* matrix: either or both; stated-enacted: Spearman
                                           only when Pearson is off */
  int centre;                           /* stated-enacted: centre each unit's profile */
  double conf_level;
} vagap_consistency_options_t;

void vagap_consistency_options_init(vagap_consistency_options_t *o);

/*
 * The program's table as rows of *out (vagap/tidy.h: group = the unit,
 * term, level, broom numbers; free with vagap_tidy_free, empty after a
 * failure); warnings go to out->notes.  Rows missing a needed cell are
 * excluded in the ledger ("missing <column>"); roleplay rows of another
 * condition and profile rows without enactment rows are excluded too.
 *  - matrix: r between every pair of units' decision vectors (the share of
 *    each option per scenario, or the mean of `score` per scenario), per
 *    method: term r (level = the other unit), mean_r per unit, mean_r_all;
 *  - stated-enacted: r per unit between its profile (one row per unit and
 *    value in `profile`) and its enacted shares, r_value per value across
 *    units, mean_r (one-sample t-test of the per-unit r);
 *  - roleplay: accuracy_a, accuracy_b and drop per unit, then drop (paired
 *    t-test across units).
 */
vagap_status_t vagap_consistency_matrix_rows(const vagap_table_t *t,
                                             const vagap_consistency_options_t *a,
                                             vagap_ledger_t *ledger, vagap_tidy_t *out,
                                             vagap_error_t *err);
vagap_status_t vagap_consistency_stated_enacted_rows(const vagap_table_t *t, const vagap_table_t *profile,
                                                     const vagap_consistency_options_t *a,
                                                     vagap_ledger_t *ledger, vagap_tidy_t *out,
                                                     vagap_error_t *err);
vagap_status_t vagap_consistency_roleplay_rows(const vagap_table_t *t,
                                               const vagap_consistency_options_t *a,
                                               vagap_ledger_t *ledger, vagap_tidy_t *out,
                                               vagap_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
