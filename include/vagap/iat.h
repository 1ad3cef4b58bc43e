/*
 * vagap/iat.h - Implicit Association Test scoring.
 *
 * Two families of IAT scores (METHODS.md sections 1 and 2):
 *
 * 1. Association-count IAT for language models (Bai et al. 2024/2025, PNAS,
 *    "LLM Word Association Test"; Andric 2025, arXiv 2512.01568).  In one
 *    trial a model assigns attribute words of known valence to one of two
 *    targets, the focal one (e.g. "other") and the contrast one (e.g. "self").
 *    With the counts
 *        a = contrast & negative   b = contrast & positive
 *        c = focal & negative      d = focal & positive
 *    the trial score is
 *        score = d / (c + d + s) + a / (a + b + s) - 1,   in [-1, +1]
 *    where s >= 0 is a smoothing constant.  Andric 2025: s = 0 and a trial
 *    with c + d = 0 or a + b = 0 is invalid (NaN, excluded, counted).  Bai et
 *    al.: s = 0.01 and a trial with no mapped words at all scores 0.
 *    A unit's (model's) score is the mean over its valid trials.
 *
 * 2. Latency IAT D-score (Greenwald, Nosek & Banaji 2003, JPSP 85:197-216,
 *    Table 4), variants D1..D6, see vagap_iat_dscore_options_t.
 *
 * Both scorers stream: rows are added one at a time and only per-trial counts
 * (association IAT) or per-subject-and-block sufficient statistics (D-score:
 * count, mean and sum of squared deviations of correct and of error
 * latencies) are kept.  No trial latency is stored, so memory grows with the
 * number of subjects, not of trials.  The D-score needs block means of correct
 * trials before error latencies can be replaced; because every error latency
 * of a block is replaced by the same value, the replaced block mean and the
 * pooled SD after replacement follow from those statistics exactly.
 *
 * Latencies are in milliseconds.  All functions are reentrant; objects are not
 * shared between threads.
 */
#ifndef VAGAP_IAT_H
#define VAGAP_IAT_H

#include <stddef.h>
#include "vagap/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- sufficient statistics ------------------------------------------------ */

/*
 * Count, mean and sum of squared deviations (M2) of a sample, updated one
 * value at a time (Welford) and merged with Chan et al.'s formula, so that
 * shards of a log can be reduced separately and combined.  GSL's gsl_rstat
 * computes the same running moments but cannot merge two accumulators, which
 * the D-score needs (pooled SDs over blocks, error groups with a replaced
 * latency).  All-zero is the empty sample.
 */
typedef struct {
  double n;    /* number of values */
  double mean; /* 0 when n = 0 */
  double m2;   /* sum of (x - mean)^2 */
} vagap_iat_moments_t;

void vagap_iat_moments_add(vagap_iat_moments_t *m, double x);
/* into += from (either may be empty). */
void vagap_iat_moments_merge(vagap_iat_moments_t *into, const vagap_iat_moments_t *from);
/* SD with divisor n - 1 (NaN when n < 2) and with divisor n (NaN when n < 1). */
double vagap_iat_moments_sd(const vagap_iat_moments_t *m);
double vagap_iat_moments_sd_pop(const vagap_iat_moments_t *m);

/* ---- association-count IAT ------------------------------------------------ */

typedef enum {
  VAGAP_IAT_EMPTY_INVALID = 0, /* Andric 2025: c+d = 0 or a+b = 0 -> NaN, invalid */
  VAGAP_IAT_EMPTY_ZERO = 1     /* Bai et al.: a+b+c+d = 0 -> 0; a zero denominator
                                  (possible only with s = 0) -> invalid */
} vagap_iat_empty_rule_t;

typedef struct {
  double smoothing;                  /* s >= 0 */
  vagap_iat_empty_rule_t empty_rule;
} vagap_iat_assoc_options_t;

/* Defaults: the Andric 2025 preset (s = 0, empty side invalid). */
void vagap_iat_assoc_options_init(vagap_iat_assoc_options_t *opt);

/*
 * Set both fields from a preset name: "andric2025" (s = 0, invalid) or
 * "bai2024" (s = 0.01, zero).  Unknown names give VAGAP_EINVAL.
 */
vagap_status_t vagap_iat_assoc_preset(vagap_iat_assoc_options_t *opt, const char *name,
                                      vagap_error_t *err);

/* Word counts of one trial (see the letters above). */
typedef struct {
  size_t a, b, c, d;
} vagap_iat_counts_t;

/*
 * Score one trial.  Returns 1 and sets *score when the trial is valid, 0 and
 * sets *score to NaN when it is invalid under opt->empty_rule.
 */
int vagap_iat_assoc_trial_score(const vagap_iat_counts_t *k,
                                const vagap_iat_assoc_options_t *opt, double *score);

typedef enum { VAGAP_IAT_NEGATIVE = 0, VAGAP_IAT_POSITIVE = 1, VAGAP_IAT_NO_VALENCE = 2 } vagap_iat_valence_t;
typedef enum { VAGAP_IAT_CONTRAST = 0, VAGAP_IAT_FOCAL = 1, VAGAP_IAT_OTHER_TARGET = 2 } vagap_iat_target_t;

/* What became of one word assignment given to vagap_iat_assoc_add. */
typedef enum {
  VAGAP_IAT_WORD_USED = 0,
  VAGAP_IAT_WORD_IGNORED,      /* the word is in neither attribute list */
  VAGAP_IAT_WORD_OTHER_TARGET, /* assigned to a target that is neither focal nor contrast */
  VAGAP_IAT_WORD_DUPLICATE,    /* the word already occurred in this trial; the first
                                  occurrence counts, later ones are excluded */
  VAGAP_IAT_WORD_MISSING       /* no word given (word == NULL): the row only registers
                                  its trial, e.g. a trial whose response was unparsable */
} vagap_iat_word_fate_t;

/* A short reason text for the --exclusions table (static storage). */
const char *vagap_iat_word_fate_reason(vagap_iat_word_fate_t fate);

/* Streaming scorer of association-count logs. */
typedef struct vagap_iat_assoc vagap_iat_assoc_t;

/* A new scorer (options are copied), or NULL when out of memory.  Free with vagap_iat_assoc_free. */
vagap_iat_assoc_t *vagap_iat_assoc_alloc(const vagap_iat_assoc_options_t *opt);
void vagap_iat_assoc_free(vagap_iat_assoc_t *a); /* NULL is a no-op */

/*
 * Add one word assignment: in `unit`'s trial `trial` the word `word` (already
 * normalised by the caller; compared byte for byte) of valence `valence` was
 * assigned to `target`.  Strings are (pointer, length) and copied.  Units
 * and trials are reported in first-seen order; rows of a trial need not be
 * contiguous.  *fate (may be NULL) says whether the row was used.  A trial
 * is created even when none of its rows is used, so that it is counted;
 * word == NULL registers the trial without counting anything (fate MISSING).
 * Returns VAGAP_ENOMEM or VAGAP_OK.
 */
vagap_status_t vagap_iat_assoc_add(vagap_iat_assoc_t *a, const char *unit, size_t unit_len,
                                   const char *trial, size_t trial_len,
                                   const char *word, size_t word_len,
                                   vagap_iat_valence_t valence, vagap_iat_target_t target,
                                   vagap_iat_word_fate_t *fate, vagap_error_t *err);

/* The strings below are owned by the scorer and valid until its next add or free. */
typedef struct {
  const char *unit;       /* owned by the scorer */
  const char *trial;      /* owned by the scorer */
  size_t unit_index;      /* index for vagap_iat_assoc_unit */
  vagap_iat_counts_t counts;
  size_t n_ignored, n_other_target, n_duplicate;
  double score;           /* NaN when invalid */
  int valid;
} vagap_iat_assoc_trial_t;

typedef struct {
  const char *unit;       /* owned by the scorer */
  double score;           /* mean of valid trial scores; NaN when there are none */
  double sd;              /* SD with divisor n - 1 (NaN when n_valid < 2) */
  double sd_pop;          /* SD with divisor n (NaN when n_valid < 1) */
  size_t n_trials;        /* n_valid + n_invalid */
  size_t n_valid, n_invalid;
  size_t n_ignored;       /* words in neither list */
  size_t n_other_target;  /* words assigned to a third target */
  size_t n_duplicate;     /* repeated words within a trial */
  vagap_iat_moments_t moments; /* of the valid trial scores, for merging shards */
} vagap_iat_assoc_unit_t;

size_t vagap_iat_assoc_ntrials(const vagap_iat_assoc_t *a);
size_t vagap_iat_assoc_nunits(const vagap_iat_assoc_t *a);
/* Trial i (i < ntrials) and unit i (i < nunits), computed on call. */
void vagap_iat_assoc_trial(const vagap_iat_assoc_t *a, size_t i, vagap_iat_assoc_trial_t *out);
void vagap_iat_assoc_unit(const vagap_iat_assoc_t *a, size_t i, vagap_iat_assoc_unit_t *out);

/* ---- latency IAT D-score (Greenwald, Nosek & Banaji 2003) ------------------- */

/* The four scored blocks in Greenwald's numbering. */
typedef enum {
  VAGAP_IAT_B3 = 0, /* practice, compatible pairing */
  VAGAP_IAT_B4 = 1, /* test, compatible pairing */
  VAGAP_IAT_B6 = 2, /* practice, incompatible pairing */
  VAGAP_IAT_B7 = 3  /* test, incompatible pairing */
} vagap_iat_block_t;

/*
 * Variants (Greenwald et al. 2003, Table 4):
 *   D1: latencies as recorded (the built-in error penalty of the task).
 *   D2: D1 and trials faster than fast_trial_ms are dropped.
 *   D3: each error latency replaced by its block's mean of correct trials
 *       + 2 SD (n - 1) of the block's correct trials.
 *   D4: error latency replaced by block mean of correct trials + penalty_ms.
 *   D5: D3 with the fast-trial drop;  D6: D4 with the fast-trial drop.
 */
typedef enum { VAGAP_IAT_D1 = 1, VAGAP_IAT_D2, VAGAP_IAT_D3, VAGAP_IAT_D4,
               VAGAP_IAT_D5, VAGAP_IAT_D6 } vagap_iat_variant_t;

typedef struct {
  vagap_iat_variant_t variant;   /* default D6 */
  int sd_after_replacement;      /* 0 (default, Greenwald's table): the pooled SDs use the
                                    recorded latencies; 1: they use the replaced ones */
  double slow_trial_ms;          /* trials with latency > this are dropped; default 10000 */
  double fast_trial_ms;          /* D2/D5/D6 drop trials with latency < this; default 400 */
  double fast_subject_ms;        /* a trial faster than this counts as fast; default 300 */
  double fast_subject_share;     /* a subject with a share of fast trials > this is
                                    flagged; default 0.10 */
  int exclude_fast_subjects;     /* 1 (default): a flagged subject gets no D */
  double penalty_ms;             /* D4/D6 error penalty; default 600 */
} vagap_iat_dscore_options_t;

void vagap_iat_dscore_options_init(vagap_iat_dscore_options_t *opt);
/* Validate (thresholds finite and >= 0, share in [0,1], variant 1..6). */
vagap_status_t vagap_iat_dscore_options_check(const vagap_iat_dscore_options_t *opt,
                                              vagap_error_t *err);
/* "D1".."D6" (static storage). */
const char *vagap_iat_variant_name(vagap_iat_variant_t v);
/* Parse "D1".."D6" (or "1".."6"); VAGAP_EINVAL otherwise. */
vagap_status_t vagap_iat_variant_parse(const char *s, vagap_iat_variant_t *out, vagap_error_t *err);

/* What became of one trial given to vagap_iat_dscore_add. */
typedef enum {
  VAGAP_IAT_TRIAL_USED = 0,
  VAGAP_IAT_TRIAL_SLOW,  /* latency > slow_trial_ms */
  VAGAP_IAT_TRIAL_FAST   /* latency < fast_trial_ms (D2/D5/D6 only) */
} vagap_iat_trial_fate_t;

const char *vagap_iat_trial_fate_reason(vagap_iat_trial_fate_t fate);

typedef struct vagap_iat_dscore vagap_iat_dscore_t;

/* A new scorer (options copied; check them first), or NULL when out of memory. */
vagap_iat_dscore_t *vagap_iat_dscore_alloc(const vagap_iat_dscore_options_t *opt);
void vagap_iat_dscore_free(vagap_iat_dscore_t *d); /* NULL is a no-op */

/*
 * Add one trial of `subject` (copied; subjects are reported in first-seen
 * order, their rows need not be contiguous) in `block`.  `latency` must be
 * finite and >= 0 (VAGAP_EDATA otherwise), `error` is 0 (correct) or 1.
 * Split halves: the trials kept in a subject's block are numbered in input
 * order; odd numbers form one half, even numbers the other.
 */
vagap_status_t vagap_iat_dscore_add(vagap_iat_dscore_t *d, const char *subject,
                                    size_t subject_len, vagap_iat_block_t block,
                                    double latency, int error,
                                    vagap_iat_trial_fate_t *fate, vagap_error_t *err);

/* Per-subject result.  D values are NaN when undefined (see `reason`). */
typedef struct {
  const char *subject;     /* owned by the scorer; valid until its next add or free */
  double d;                /* (d_practice + d_test) / 2; positive = faster when compatible */
  double d_practice;       /* (M_B6 - M_B3) / SD(B3+B6) */
  double d_test;           /* (M_B7 - M_B4) / SD(B4+B7) */
  double d_odd, d_even;    /* D of the odd and of the even half, each scored on its own */
  double mean[4];          /* block means after error treatment, by vagap_iat_block_t */
  double sd_practice, sd_test; /* the pooled inclusive SDs (n - 1) */
  size_t n_trials;         /* trials given for this subject */
  size_t n_used;           /* trials kept (n_trials - n_slow - n_fast) */
  size_t n_slow, n_fast;   /* dropped trials per reason */
  size_t n_errors;         /* error trials among the kept ones */
  double error_rate;       /* n_errors / n_used (NaN when n_used = 0) */
  size_t n_fast_subject;   /* trials (among those not too slow) < fast_subject_ms */
  double fast_share;       /* n_fast_subject / (n_trials - n_slow) */
  int flagged_fast;        /* fast_share > fast_subject_share */
  int excluded;            /* no D: flagged and excluded, or D undefined */
  const char *reason;      /* why excluded or why D is NaN; NULL when fine (static) */
} vagap_iat_subject_t;

size_t vagap_iat_dscore_nsubjects(const vagap_iat_dscore_t *d);
/* Index of the subject of the most recent successful vagap_iat_dscore_add
   (SIZE_MAX before the first), so that a caller can keep per-subject records. */
size_t vagap_iat_dscore_last_subject(const vagap_iat_dscore_t *d);
/* Score subject i (i < nsubjects). */
void vagap_iat_dscore_subject(const vagap_iat_dscore_t *d, size_t i, vagap_iat_subject_t *out);

/* ---- group statistics -------------------------------------------------------- */
/* The t-test of unit scores against 0 is the stats module's vagap_stats_ttest_one. */

/* Split-half reliability across subjects. */
typedef struct {
  double r;              /* Pearson r between the halves' scores */
  double spearman_brown; /* 2r / (1 + r) */
  size_t n;              /* pairs used (both halves finite) */
  size_t n_excluded;     /* pairs with a non-finite half */
} vagap_iat_reliability_t;

/*
 * Pearson r of (odd[i], even[i]) over the pairs where both are finite, and
 * its Spearman-Brown step-up.  VAGAP_EDOMAIN when fewer than 3 pairs remain
 * or a half has zero variance.
 */
vagap_status_t vagap_iat_split_half(const double *odd, const double *even, size_t n,
                                    vagap_iat_reliability_t *out, vagap_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
