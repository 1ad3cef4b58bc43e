/*
 * vagap/vaar.h - Value-Action Alignment Rate over SEM paths.
 *
 * Chen, Yu & Hu (2026) describe VAAR as a human-referenced directional
 * agreement rate over structural paths; their formula is not public.  vagap
 * defines it openly (doc METHODS.md section 7): for group g and the set K of
 * hypothesised paths with expected signs s_k,
 *
 *   VAAR_g (strict) = (1/|K|) sum_k 1[sign(est_gk) = s_k and p_gk < alpha]
 *   VAAR_g (sign)   = (1/|K|) sum_k 1[sign(est_gk) = s_k]
 *
 * reported together with the counts k (agreeing paths) and K = |K|.
 *
 * The expected signs come from a spec string ("AoDS~privacy:-,AoDS~prosocial:+"),
 * from a table with columns lhs,op,rhs,sign, or from a reference group's own
 * estimates (e.g. the human respondents in the same multi-group fit).
 *
 * Orientation: a latent factor has no sign of its own; the sign of a path
 * into or out of a factor is defined only relative to the factor's marker
 * (sign-fixing) indicator.  vagap_vaar_markers finds the markers in a
 * parameter table and vagap_vaar_orient re-orients factors whose named
 * sign-fixing indicator loads negatively (needed after std.lv fits).
 *
 * The library only computes; the CLI chooses what to print.
 */
#ifndef VAGAP_VAAR_H
#define VAGAP_VAAR_H

#include <stddef.h>
#include "vagap/error.h"
#include "vagap/sem_boot.h"
#include "vagap/table.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- expected signs ------------------------------------------------------ */

/* One hypothesised path with its expected sign. */
typedef struct {
  char *lhs;       /* e.g. "AoDS" */
  char *op;        /* "~" (regression), "=~" (loading) or "~~" (covariance) */
  char *rhs;       /* e.g. "privacy" */
  int sign;        /* +1 or -1 */
  long line;       /* where the path was written (1-based; 0 if derived) */
  long column;     /* 1-based character column (spec string) or field (table) */
} vagap_vaar_path_t;

typedef struct {
  size_t n;
  vagap_vaar_path_t *paths; /* in the order written */
} vagap_vaar_spec_t;

/*
 * Parse a spec string: items separated by ',' or ';' or newlines, each
 * "LHS OP RHS : SIGN" (blanks allowed around every part), OP one of ~ =~ ~~,
 * names made of letters, digits, '_' and '.', SIGN one of + - pos neg
 * positive negative +1 -1; '#' starts a comment that runs to the end of the
 * line.  A path written twice is an error.  Errors are
 * VAGAP_EPARSE with err->line/column at the offending character and `source`
 * (may be NULL) as the file.  *out is owned by the caller (vagap_vaar_spec_free).
 */
vagap_status_t vagap_vaar_spec_parse(vagap_vaar_spec_t **out, const char *text,
                                     const char *source, vagap_error_t *err);

/*
 * Expected signs from a table with columns lhs, op, rhs, sign (others are
 * ignored).  Each row must give a path; errors are located at the row's line
 * and the field's number.  *out is owned by the caller.
 */
vagap_status_t vagap_vaar_spec_from_table(vagap_vaar_spec_t **out, const vagap_table_t *t,
                                          vagap_error_t *err);

void vagap_vaar_spec_free(vagap_vaar_spec_t *spec); /* NULL is a no-op */

/*
 * Parse one sign token (+ - pos neg positive negative +1 -1, case-insensitive,
 * blanks around it allowed).  Returns +1, -1, or 0 when it is not a sign.
 */
int vagap_vaar_sign_parse(const char *s, size_t len);

/* "+", "-" (or "0" for 0): how signs are printed. */
const char *vagap_vaar_sign_text(int sign);

/* ---- estimates ----------------------------------------------------------- */

/*
 * One row of a (multi-group) parameter table, as printed by `vagap sem` or
 * lavaan's parameterEstimates(standardized = TRUE).  Strings are borrowed:
 * they must outlive every call that uses the row.  Missing numbers are NAN.
 */
typedef struct {
  const char *group;          /* group label (or number as text) */
  const char *lhs, *op, *rhs;
  double est, se, pvalue;     /* unstandardised estimate, its SE, two-sided p */
  double ci_lower, ci_upper;  /* confidence interval of est */
  double std_all;             /* completely standardised estimate */
} vagap_vaar_estimate_t;

/*
 * Expected signs taken from the reference group's own estimates.  `paths`
 * chooses the set K (its signs are ignored); NULL means every regression
 * (op "~") of the reference group, in table order.  With `ref_alpha` > 0 only
 * paths whose reference p-value is below ref_alpha enter K (a path the
 * reference group does not support has no direction to agree with); 0 keeps
 * all.  A reference estimate that is missing or exactly 0 has no sign and is
 * an error (VAGAP_EDATA), as is a reference group absent from `est`
 * (VAGAP_EINVAL) or an empty K.  *out is owned by the caller.
 */
vagap_status_t vagap_vaar_spec_from_reference(vagap_vaar_spec_t **out,
                                              const vagap_vaar_spec_t *paths,
                                              const vagap_vaar_estimate_t *est, size_t nest,
                                              const char *reference, double ref_alpha,
                                              vagap_error_t *err);

/* ---- scoring ------------------------------------------------------------- */

/* Sign of an estimate: -1, 0 or +1 (0 also for NAN). */
int vagap_vaar_sign_of(double est);

/*
 * Does an estimate agree with the expected sign?  Sign mode (strict = 0):
 * sign(est) == expected.  Strict mode: additionally p < alpha (a missing p
 * never agrees strictly).
 */
int vagap_vaar_agrees(int expected, double est, double pvalue, double alpha, int strict);

/* Result for one group and one hypothesised path. */
typedef struct {
  size_t group;              /* index into result->group_label */
  size_t path;               /* index into the spec's paths */
  vagap_vaar_estimate_t est; /* copy of the group's estimate row (borrowed strings) */
  int expected;              /* +1 / -1 */
  int observed;              /* sign of est: -1, 0, +1 */
  int agree_strict, agree_sign;
} vagap_vaar_path_result_t;

/* VAAR of one group. */
typedef struct {
  size_t K;                    /* number of hypothesised paths */
  size_t k_strict, k_sign;     /* paths agreeing in each mode */
  double vaar_strict, vaar_sign; /* k / K */
} vagap_vaar_group_result_t;

typedef struct {
  double alpha;
  size_t ngroups;
  const char **group_label;          /* [ngroups] borrowed from the estimates, first-seen order */
  vagap_vaar_group_result_t *groups; /* [ngroups] */
  size_t npaths;                     /* K of the spec */
  vagap_vaar_path_result_t *paths;   /* [ngroups * npaths], group-major, spec order */
} vagap_vaar_result_t;

/*
 * Score every group found in `est` against `spec` at level alpha (0 < alpha
 * < 1).  Rows of `est` that are not hypothesised paths are ignored.  A group
 * without an estimate for some path, or with two, is VAGAP_EDATA naming the
 * group and the path (located at the path's line/column in the spec when it
 * has one); a missing estimate (NAN) is VAGAP_EDATA too.  *out is owned by
 * the caller (vagap_vaar_result_free) and borrows strings from `est`.
 */
vagap_status_t vagap_vaar_score(vagap_vaar_result_t **out, const vagap_vaar_spec_t *spec,
                                const vagap_vaar_estimate_t *est, size_t nest,
                                double alpha, vagap_error_t *err);
void vagap_vaar_result_free(vagap_vaar_result_t *res); /* NULL is a no-op */

/* ---- orientation --------------------------------------------------------- */

/*
 * The indicator that fixes each latent factor's sign.  A latent is the lhs of
 * "=~" rows; its marker is the first of its loadings (in the first group's
 * order) that is fixed (se missing or 0) at a positive value in every group,
 * and fixed[i] = 1; when no loading is, indicator[i] is the first loading's
 * indicator and fixed[i] = 0 (the factor's sign is arbitrary, as with std.lv).
 * indicator[i] is borrowed from est.
 * Arrays are malloc'ed and owned by the caller (free each; NULL when n = 0).
 */
typedef struct {
  size_t n;
  const char **latent;    /* borrowed from est */
  const char **indicator; /* borrowed from est */
  int *fixed;
} vagap_vaar_markers_t;

vagap_status_t vagap_vaar_markers(vagap_vaar_markers_t *out, const vagap_vaar_estimate_t *est,
                                  size_t nest, vagap_error_t *err);
void vagap_vaar_markers_clear(vagap_vaar_markers_t *m); /* frees the arrays; NULL is a no-op */

/*
 * Re-orient factors by named sign-fixing indicators: for every group in which
 * the loading latent[i] =~ indicator[i] is negative, the factor's sign is
 * reversed in that group.  A row then changes sign (estimate, std.all, CI
 * with bounds swapped; SE and p unchanged) when an odd number of its two
 * sides were reversed: "=~", "~" and "~~" rows between different variables,
 * and "~1" rows (means) of a reversed latent; variances never change.  A latent with no such loading in a group
 * is VAGAP_EINVAL.  *nflipped (may be NULL) receives the number of
 * (group, latent) reversals.
 */
vagap_status_t vagap_vaar_orient(vagap_vaar_estimate_t *est, size_t nest,
                                 const char *const *latent, const char *const *indicator,
                                 size_t n, size_t *nflipped, vagap_error_t *err);

/* ---- the whole analysis: what `vagap vaar` and the bindings run ------------- */

/*
 * Sign-fixing indicators from a list "factor=indicator,..." (blanks around
 * items trimmed, empty items dropped).  A pair without a factor or an
 * indicator is VAGAP_EINVAL located at "--sign-indicator" (the option the
 * program reads it from).  Free with vagap_vaar_orientation_clear (after a
 * failure too).
 */
typedef struct {
  size_t n;
  const char **latent, **indicator; /* [n], pointing into storage */
  char **storage;                   /* [n] owned "factor\0indicator" strings */
} vagap_vaar_orientation_t;

vagap_status_t vagap_vaar_orientation_parse(vagap_vaar_orientation_t *o, const char *list,
                                            vagap_error_t *err);
void vagap_vaar_orientation_clear(vagap_vaar_orientation_t *o);

typedef struct {
  const char *expect;                 /* spec string (vagap_vaar_spec_parse), or NULL */
  const vagap_table_t *expect_table;  /* or a table lhs,op,rhs,sign, or NULL */
  const char *expect_source;          /* the spec's name in errors (default "--expect") */
  const char *reference;              /* group whose estimates give the signs, or NULL */
  double reference_alpha;             /* 0: every path of the reference */
  const char *reference_hint;         /* appended to a reference group's error, or NULL */
  const vagap_vaar_orientation_t *orientation; /* named sign-fixing indicators, or NULL */
  double alpha;                       /* strict agreement level (default 0.05) */
} vagap_vaar_options_t;

void vagap_vaar_options_init(vagap_vaar_options_t *o);

/*
 * `vagap vaar` after its estimates are in hand: find each factor's marker,
 * refuse a factor without a fixed marker loading and without a named
 * indicator (VAGAP_EINVAL, the program's message), re-orient by the named
 * indicators (est is changed in place), build the expected signs (spec text
 * or table, then from the reference group when given; a malformed spec
 * string is VAGAP_EINVAL located in expect_source) and score.  `markers`
 * is filled as soon as it is known (so a caller can say what fixes each
 * sign even when a later step fails) and nflipped counts the reversals.
 * Free with vagap_vaar_analysis_clear (after a failure too).
 */
typedef struct {
  vagap_vaar_markers_t markers;
  size_t nflipped;
  vagap_vaar_spec_t *spec;
  vagap_vaar_result_t *result; /* borrows strings from est */
} vagap_vaar_analysis_t;

vagap_status_t vagap_vaar_analyse(vagap_vaar_analysis_t *out, vagap_vaar_estimate_t *est,
                                  size_t nest, const vagap_vaar_options_t *o, vagap_error_t *err);
void vagap_vaar_analysis_clear(vagap_vaar_analysis_t *a);

/* The named indicator of `latent` in o (NULL when o is NULL or names none). */
const char *vagap_vaar_orientation_find(const vagap_vaar_orientation_t *o, const char *latent);

/* ---- bootstrap -------------------------------------------------------------- */

/*
 * Bootstrap summaries of a VAAR analysis, from the resamples of
 * vagap_sem_bootstrap.  Every successful resample b is turned into a copy of
 * the estimate rows (est, se, p and std.all of resample b; row i of `est`
 * is parameter-table row est_row[i] of the bootstrap), re-oriented when
 * sign-fixing indicators are given (n_orient > 0: needed with std.lv, whose
 * factor signs are arbitrary in every refit), and scored like the original.
 */
typedef struct {
  size_t ngroups, npaths;
  size_t nused;               /* resamples scored (successful fits) */
  size_t nfailed;             /* resamples whose fit failed (not scored) */
  /* per group x path, group-major like vagap_vaar_result_t.paths: */
  double *est_lower, *est_upper;          /* percentile interval of the estimate */
  double *share_strict, *share_sign;      /* share of resamples agreeing */
  /* per group: */
  double *vaar_strict_lower, *vaar_strict_upper;
  double *vaar_sign_lower, *vaar_sign_upper;
} vagap_vaar_boot_t;

vagap_status_t vagap_vaar_bootstrap(vagap_vaar_boot_t **out, const vagap_vaar_spec_t *spec,
                                    const vagap_vaar_estimate_t *est, size_t nest,
                                    const size_t *est_row, const vagap_sem_boot_t *boot,
                                    const char *const *latent, const char *const *indicator,
                                    size_t n_orient, double alpha, double level,
                                    vagap_error_t *err);
void vagap_vaar_boot_free(vagap_vaar_boot_t *b); /* NULL is a no-op */

#ifdef __cplusplus
}
#endif
#endif
