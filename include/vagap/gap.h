/*
 * vagap/gap.h - the calibration ("virtue-signalling") gap between what a unit
 * (a language model, a person) says about itself and what it does.
 *
 * Method: METHODS.md section 4 (Andric 2025, "Do Large Language Models Walk
 * Their Talk?", arXiv 2512.01568).  Per unit three measures are joined by
 * unit name:
 *   iat         implicit score (association-count IAT in [-1, 1], or any
 *               other implicit score; optional)
 *   behavior    share of prosocial choices, a proportion in [0, 1]
 *   selfreport  self-reported prosociality as a proportion in [0, 1]
 *               (Andric 2025: (mean 1-7 score - 1) / 6)
 * and the unit's calibration gap is
 *   gap = selfreport - behavior     (positive = claims more than it does).
 *
 * Across units (the "cross-task analysis", which uses only the units that
 * have every measure the study provides; the others are listed as excluded):
 * - a paired t-test of selfreport against behavior (= one-sample t-test of
 *   the gaps against 0) with the effect sizes d_z (sd n-1), d_z0 (sd n,
 *   numpy's default, which reproduces Andric's d = 1.08), d_av, d_rm and
 *   Hedges' g (vagap_stats_ttest_paired);
 * - the share of over-claiming units, gap > tau (default 0.05), with a
 *   Wilson interval;
 * - four quadrants from the behaviour cut beta (default 0.65) and tau:
 *       PROSOCIAL_CALIBRATED      behavior >= beta and gap <= tau
 *       PROSOCIAL_OVERCLAIMING    behavior >= beta and gap >  tau
 *       LOW_CALIBRATED            behavior <  beta and gap <= tau
 *       LOW_OVERCLAIMING          behavior <  beta and gap >  tau
 *   ("calibrated" means "does not over-claim by more than tau"; a unit that
 *   under-claims, gap < -tau, is in a calibrated quadrant too.  Andric's
 *   12.5% "prosocial and calibrated" is PROSOCIAL_CALIBRATED);
 * - Pearson r with t, df, p and Fisher-z CI for iat~behavior,
 *   selfreport~behavior and iat~selfreport;
 * - one-sample t-tests of iat against iat_null (default 0) and of behavior
 *   against behavior_null (default 0.5), and, when choice counts are given,
 *   the exact binomial test of the pooled prosocial choices against
 *   behavior_null.
 *
 * Threshold comparisons (gap > tau, behavior >= beta) are made with an
 * absolute tolerance of VAGAP_GAP_TOLERANCE, so that a value equal to the
 * threshold in exact arithmetic (say 0.7 - 0.65) counts as equal even when
 * floating-point subtraction lands a few ulps to either side of it.
 */
#ifndef VAGAP_GAP_H
#define VAGAP_GAP_H

#include <stddef.h>
#include "vagap/error.h"
#include "vagap/stats.h"
#include "vagap/tidy.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VAGAP_GAP_TOLERANCE 1e-9

typedef enum {
  VAGAP_GAP_PROSOCIAL_CALIBRATED = 0,
  VAGAP_GAP_PROSOCIAL_OVERCLAIMING,
  VAGAP_GAP_LOW_CALIBRATED,
  VAGAP_GAP_LOW_OVERCLAIMING,
  VAGAP_GAP_NQUADRANTS,
  VAGAP_GAP_NO_QUADRANT = -1 /* an excluded unit */
} vagap_gap_quadrant_t;

/* Machine name ("prosocial_calibrated", ...; static storage) and a label for
   prose ("prosocial and calibrated", ...).  NULL for an invalid value. */
const char *vagap_gap_quadrant_name(vagap_gap_quadrant_t q);
const char *vagap_gap_quadrant_label(vagap_gap_quadrant_t q);

/* The measures, as bit flags (for a unit's missing measures). */
enum { VAGAP_GAP_IAT = 1, VAGAP_GAP_BEHAVIOR = 2, VAGAP_GAP_SELFREPORT = 4 };

typedef struct {
  double tau;           /* over-claiming threshold on the gap, default 0.05 */
  double behavior_cut;  /* beta, the prosocial cut on behaviour, default 0.65 */
  double iat_null;      /* null value of the IAT one-sample test, default 0 */
  double behavior_null; /* null value of behaviour (t-test and binomial), default 0.5 */
  double conf_level;    /* default 0.95, in (0, 1) */
} vagap_gap_options_t;

void vagap_gap_options_init(vagap_gap_options_t *opt);
/* Finite tau and behavior_cut, behavior_null in [0, 1], conf_level in (0, 1). */
vagap_status_t vagap_gap_options_check(const vagap_gap_options_t *opt, vagap_error_t *err);

/* ---- joining measures by unit ------------------------------------------- */

/* One measure as (unit name, value) pairs; NaN = missing for that unit. */
typedef struct {
  size_t n;
  const char *const *units;
  const double *values;
} vagap_gap_measure_t;

/*
 * The joined data: n units, each with its three measures (NaN where the unit
 * has none).  iat is NULL when the study has no implicit measure.
 * prosocial / valid are optional (both NULL or both set): per unit the number
 * of prosocial choices and of valid (prosocial + selfish) choices, used for
 * the pooled binomial test.
 */
typedef struct {
  size_t n;
  const char *const *units;
  const double *iat;
  const double *behavior;
  const double *selfreport;
  const size_t *prosocial;
  const size_t *valid;
} vagap_gap_data_t;

/* Owned, joined measures made by vagap_gap_join. */
typedef struct {
  size_t n;
  char **units;        /* [n] owned copies, first-seen order (iat, then behavior, then selfreport) */
  double *iat;         /* [n], or NULL when the iat measure was NULL */
  double *behavior;    /* [n] */
  double *selfreport;  /* [n] */
} vagap_gap_joined_t;

/*
 * Join up to three measures by exact unit name.  `iat` may be NULL.  A unit
 * that occurs twice in one measure -> VAGAP_EDATA naming it.  On success
 * *out owns its arrays (free with vagap_gap_joined_free).
 */
vagap_status_t vagap_gap_join(const vagap_gap_measure_t *iat, const vagap_gap_measure_t *behavior,
                              const vagap_gap_measure_t *selfreport, vagap_gap_joined_t *out,
                              vagap_error_t *err);
void vagap_gap_joined_free(vagap_gap_joined_t *j); /* frees the arrays; NULL is a no-op */

/* ---- the analysis --------------------------------------------------------- */

typedef struct {
  char *name;                   /* owned copy */
  double iat, behavior, selfreport;
  double gap;                   /* selfreport - behavior, NaN when either is missing */
  int complete;                 /* has every measure of the study: in the cross-task analysis */
  int missing;                  /* VAGAP_GAP_* flags of the missing measures */
  int overclaiming;             /* gap > tau (0 for an excluded unit) */
  vagap_gap_quadrant_t quadrant;
} vagap_gap_unit_t;

/* Descriptives of one measure over the complete units. */
typedef struct {
  size_t n;
  double mean, sd, min, max; /* sd with n-1 (NaN when n < 2) */
} vagap_gap_describe_t;

typedef enum { VAGAP_GAP_COR_IAT_BEHAVIOR = 0, VAGAP_GAP_COR_SELFREPORT_BEHAVIOR,
               VAGAP_GAP_COR_IAT_SELFREPORT, VAGAP_GAP_NCOR } vagap_gap_cor_pair_t;

/* "iat~behavior", ... (static storage). */
const char *vagap_gap_cor_name(vagap_gap_cor_pair_t pair);

/*
 * Every number of the analysis.  Each test keeps its own status: VAGAP_OK, or
 * VAGAP_EDOMAIN when the test is undefined for these data (fewer than 2 or 3
 * units, zero variance), in which case its numbers are NaN where they cannot
 * be computed; statuses of IAT analyses are VAGAP_EDOMAIN without an IAT.
 */
typedef struct {
  vagap_gap_options_t opt;
  int has_iat;
  int has_counts;
  size_t n_units;          /* all units given */
  size_t n_complete;       /* units in the cross-task analysis */
  size_t n_excluded;       /* units missing a measure */
  vagap_gap_unit_t *units; /* [n_units], in input order */

  vagap_gap_describe_t iat, behavior, selfreport, gap;

  vagap_ttest_t paired;    /* selfreport vs behavior: estimate = mean gap */
  vagap_status_t paired_status;

  size_t n_overclaiming;
  vagap_prop_t overclaiming;  /* share gap > tau with Wilson CI (p vs 0.5 not meaningful) */
  vagap_status_t overclaiming_status;

  size_t quadrant_n[VAGAP_GAP_NQUADRANTS];
  vagap_prop_t quadrant[VAGAP_GAP_NQUADRANTS]; /* share of complete units, Wilson CI */
  vagap_status_t quadrant_status[VAGAP_GAP_NQUADRANTS];

  vagap_cor_t cor[VAGAP_GAP_NCOR];
  vagap_status_t cor_status[VAGAP_GAP_NCOR];

  vagap_ttest_t iat_test;        /* one-sample vs iat_null */
  vagap_status_t iat_test_status;
  vagap_ttest_t behavior_test;   /* one-sample vs behavior_null */
  vagap_status_t behavior_test_status;
  vagap_prop_t pooled_behavior;  /* exact binomial of pooled choices vs behavior_null */
  vagap_status_t pooled_status;  /* VAGAP_EDOMAIN without counts */
} vagap_gap_t;

/*
 * Run the whole analysis.  behavior and selfreport are required and must be
 * in [0, 1] where not NaN (VAGAP_EDATA naming the unit otherwise); iat values
 * must be finite or NaN.  Returns VAGAP_OK even when single tests are
 * undefined (see the per-test statuses), VAGAP_EINVAL for bad options,
 * VAGAP_ENOMEM.  On success *res owns memory: free with vagap_gap_free.
 */
vagap_status_t vagap_gap_analyze(const vagap_gap_data_t *data, const vagap_gap_options_t *opt,
                                 vagap_gap_t *res, vagap_error_t *err);
void vagap_gap_free(vagap_gap_t *res); /* frees what analyze allocated; NULL is a no-op */

/*
 * The analysis as one stacked test table in broom's columns (vagap/tidy.h),
 * the rows `vagap gap` prints: unit counts (complete, excluded with what
 * they miss), each measure's one-sample test and description, the pooled
 * binomial test when counts were given, the paired test with every d
 * variant, the over-claiming share, the quadrants and the correlations.
 * Free *out with vagap_tidy_free (it is empty after a failure).
 */
vagap_status_t vagap_gap_tidy(const vagap_gap_t *g, vagap_tidy_t *out, vagap_error_t *err);

/* The excluded units with what they miss, "a (no behavior); b (no iat)", cut at size. */
void vagap_gap_excluded_list(const vagap_gap_t *g, char *buf, size_t size);

/* Names of the missing measures of a unit ("behavior", "iat,selfreport"),
   written into buf (NUL-terminated, truncated to size). */
void vagap_gap_missing_names(int missing, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
