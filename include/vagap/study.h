/*
 * vagap/study.h - from rows to units and studies: reading the four logs of a
 * walk-the-talk study (iat.csv, choices.csv, selfreport.csv,
 * selfreport_key.csv) into the scorers of vagap/iat.h and vagap/scale.h,
 * and the row-mapping rules that `vagap iat --method assoc`, `vagap prop`,
 * `vagap score` and `vagap report` share, so that the report equals the
 * chain of separate commands on any input, and the R and Python bindings
 * equal the program.  Conventions: FORMATS.md.
 *
 * Input is a file (a path, "-" = standard input), an open reader
 * (vagap_reader_open_memory for data held in memory: the `_from` functions)
 * or a table.  Every row read is used or excluded in the ledger with a
 * reason.  Functions that can fail return a status and fill the error record
 * (located at FILE:LINE:COL where the input has a place).
 */
#ifndef VAGAP_STUDY_H
#define VAGAP_STUDY_H

#include <stddef.h>
#include "vagap/error.h"
#include "vagap/gap.h"
#include "vagap/iat.h"
#include "vagap/ledger.h"
#include "vagap/scale.h"
#include "vagap/stats.h"
#include "vagap/table.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A growable list of distinct unit names in first-seen order. */
typedef struct {
  size_t n, cap;
  char **names;
} vagap_study_units_t;

/* Index of `name` (len bytes), added when new; (size_t)-1 when out of memory. */
size_t vagap_study_unit_index(vagap_study_units_t *u, const char *name, size_t len);
void vagap_study_units_free(vagap_study_units_t *u);

/* ---- codes ------------------------------------------------------------------------ */

/*
 * A word as the IAT readers compare it: ASCII lower-cased, with surrounding
 * whitespace and punctuation trimmed, so "Good." and " good" are the word
 * good.  Writes a NUL-terminated copy into *buf (grown with realloc as
 * needed; the caller frees it); returns its length, or (size_t)-1 when out
 * of memory.
 */
size_t vagap_study_normalise_word(const char *s, size_t len, char **buf, size_t *cap);

/*
 * A comma-separated list of codes (targets, choice codes), each normalised
 * like an IAT word (vagap_study_normalise_word); empty items are dropped.
 * Every reader compares words, valence values, targets and choice codes
 * this way.
 */
typedef struct {
  size_t n;
  char **codes;
} vagap_study_codes_t;

/* VAGAP_OK, or VAGAP_ENOMEM (out is then empty). */
vagap_status_t vagap_study_codes_parse(const char *list, vagap_study_codes_t *out,
                                       vagap_error_t *err);
void vagap_study_codes_free(vagap_study_codes_t *c);
/* Does the field (len bytes, not normalised) equal one of the codes after normalising? */
int vagap_study_codes_match(const vagap_study_codes_t *c, const char *s, size_t len);
/* A code in both lists, or NULL. */
const char *vagap_study_codes_overlap(const vagap_study_codes_t *a, const vagap_study_codes_t *b);
/*
 * Do two comma lists share a code (after normalising)?  1 with the code
 * copied into both[size], 0 if not, -1 out of memory (err filled).  The
 * commands use it for their usage checks (--focal/--contrast,
 * --prosocial/--selfish), so iat, prop and report refuse the same options.
 */
int vagap_study_lists_overlap(const char *a, const char *b, char *both, size_t size,
                              vagap_error_t *err);

/* ---- association IAT ------------------------------------------------------------ */

typedef struct {
  const char *unit, *trial, *word, *valence, *assigned; /* column names */
  const char *focal, *contrast;                          /* target names (comma lists) */
  vagap_iat_assoc_options_t scoring;
} vagap_study_iat_options_t;

/* Andric 2025 defaults; `vagap iat --method assoc` starts from the same ones. */
void vagap_study_iat_options_init(vagap_study_iat_options_t *o);

/* Valence of a normalised word from attribute lists (`vagap iat --positive-words`). */
typedef vagap_iat_valence_t (*vagap_study_valence_fn)(void *ctx, const char *word);

/*
 * Attribute word lists (`vagap iat --positive-words/--negative-words`):
 * words normalised like the log's (vagap_study_normalise_word), empty ones
 * dropped, repeats merged.  A word in both lists is VAGAP_EINVAL ("'w' is
 * in both lists"); free with vagap_study_word_lists_free (after a failure
 * too).  vagap_study_word_lists_valence is a vagap_study_valence_fn with the
 * lists as ctx.
 */
typedef struct {
  char **positive, **negative; /* sorted by strcmp */
  size_t npositive, nnegative;
} vagap_study_word_lists_t;

vagap_status_t vagap_study_word_lists_init(vagap_study_word_lists_t *l, const char *const *positive,
                                           size_t npositive, const char *const *negative,
                                           size_t nnegative, vagap_error_t *err);
vagap_iat_valence_t vagap_study_word_lists_valence(void *lists, const char *word);
void vagap_study_word_lists_free(vagap_study_word_lists_t *l);

/*
 * The association-log reader that `vagap iat --method assoc` and `vagap
 * report` share, so both map rows by the same rules:
 *  - a missing unit or trial excludes the row ("missing <column>");
 *  - the word is normalised (vagap_study_normalise_word); a missing word registers the
 *    trial (an unparsed response) and excludes the row ("missing <word column>
 *    (the trial is still counted)");
 *  - valence comes from the valence column (positive/negative, normalised like
 *    words; anything else means the word is ignored) or, with `lists`, from
 *    the attribute lists;
 *  - a word with a valence but a missing target registers the trial and is
 *    excluded ("missing <assigned column> (the trial is still counted)");
 *  - targets are matched against focal/contrast normalised like words;
 *  - other fates are the library's (vagap_iat_word_fate_reason).
 */
typedef struct {
  vagap_iat_assoc_t *scorer; /* not owned */
  const vagap_study_iat_options_t *o;
  vagap_ledger_t *ledger;
  vagap_study_valence_fn lists; /* NULL: the valence column */
  void *lists_ctx;
  vagap_study_codes_t focal, contrast;
  char *word;
  size_t cap;
} vagap_study_iat_reader_t;

/* VAGAP_OK, or VAGAP_ENOMEM.  The scorer, options and ledger must outlive the reader. */
vagap_status_t vagap_study_iat_reader_init(vagap_study_iat_reader_t *rd, vagap_iat_assoc_t *scorer,
                                          const vagap_study_iat_options_t *o,
                                          vagap_ledger_t *ledger, vagap_study_valence_fn lists,
                                          void *lists_ctx, vagap_error_t *err);
void vagap_study_iat_reader_free(vagap_study_iat_reader_t *rd);
/* Stream one open reader's rows into the scorer (the reader is not closed). */
vagap_status_t vagap_study_iat_read(vagap_study_iat_reader_t *rd, vagap_reader_t *r,
                                    vagap_error_t *err);
/* The same over the rows of a table. */
vagap_status_t vagap_study_iat_read_table(vagap_study_iat_reader_t *rd, const vagap_table_t *t,
                                          vagap_error_t *err);
/* Stream one file into the scorer (the rows counted in the reader's ledger). */
vagap_status_t vagap_study_iat_read_file(vagap_study_iat_reader_t *rd, const char *path,
                                         const vagap_table_options_t *topt, vagap_error_t *err);

/*
 * Stream the association log into a new scorer (*out, free with
 * vagap_iat_assoc_free; NULL after a failure), with the valence column.
 * The reader must have been opened with the same ledger.
 */
vagap_status_t vagap_study_read_iat_from(vagap_reader_t *reader, const vagap_study_iat_options_t *o,
                                         vagap_ledger_t *ledger, vagap_iat_assoc_t **out,
                                         vagap_error_t *err);
/* The same over the rows of a table (e.g. vagap_table_from_columns), the
   valence from `lists` when it is not NULL (else from the valence column). */
vagap_status_t vagap_study_read_iat_table(const vagap_table_t *t, const vagap_study_iat_options_t *o,
                                          const vagap_study_word_lists_t *lists, vagap_ledger_t *ledger,
                                          vagap_iat_assoc_t **out, vagap_error_t *err);
vagap_status_t vagap_study_read_iat(const char *path, const vagap_table_options_t *topt,
                                    const vagap_study_iat_options_t *o, vagap_ledger_t *ledger,
                                    vagap_iat_assoc_t **out, vagap_error_t *err);

/* ---- choices ------------------------------------------------------------------------ */

typedef struct {
  const char *unit, *choice;       /* column names; unit NULL: every row in one pooled
                                      unit named "" (`vagap prop --pooled`) */
  const char *prosocial, *selfish; /* comma lists of codes */
} vagap_study_choice_options_t;

void vagap_study_choice_options_init(vagap_study_choice_options_t *o);

/* The codes of `vagap prop` and `vagap report`, parsed once. */
typedef struct {
  const vagap_study_choice_options_t *o;
  vagap_study_codes_t prosocial, selfish;
} vagap_study_choice_rules_t;

/*
 * VAGAP_OK; VAGAP_ENOMEM; VAGAP_EINVAL when a code is in both lists (*both
 * names it, valid until vagap_study_choice_rules_free, which the caller
 * then still calls).
 */
vagap_status_t vagap_study_choice_rules_init(vagap_study_choice_rules_t *rules,
                                            const vagap_study_choice_options_t *o,
                                            const char **both, vagap_error_t *err);
void vagap_study_choice_rules_free(vagap_study_choice_rules_t *rules);

enum {
  VAGAP_STUDY_CHOICE_SELFISH = 0,
  VAGAP_STUDY_CHOICE_PROSOCIAL = 1,
  VAGAP_STUDY_CHOICE_OTHER = -1, /* missing or other code: excluded, counted in the unit's n_other */
  VAGAP_STUDY_CHOICE_NO_UNIT = -2 /* missing unit: excluded, counted nowhere */
};

/*
 * Classify one choice row.  unit_na: the unit cell is missing (pass 0 when
 * there is no unit column).  When the row is excluded (result < 0) the
 * reason is written to reason ("missing <column>", or "<choice column>
 * 'CODE' is neither prosocial (LIST) nor selfish (LIST)").
 */
int vagap_study_choice_classify(const vagap_study_choice_rules_t *rules, int unit_na, const char *choice,
                          size_t len, int choice_na, char *reason, size_t size);

typedef struct {
  vagap_study_units_t units;                 /* sorted by strcmp, like `vagap prop` */
  size_t *prosocial, *selfish, *other; /* per unit; other = excluded codes */
} vagap_study_choices_t;

/* Count the choices per unit (*out freed by vagap_study_choices_free; empty after a failure). */
vagap_status_t vagap_study_read_choices_from(vagap_reader_t *reader,
                                             const vagap_study_choice_options_t *o,
                                             vagap_ledger_t *ledger, vagap_study_choices_t *out,
                                             vagap_error_t *err);
/* The same over the rows of a table (e.g. vagap_table_from_columns). */
vagap_status_t vagap_study_read_choices_table(const vagap_table_t *t,
                                              const vagap_study_choice_options_t *o,
                                              vagap_ledger_t *ledger, vagap_study_choices_t *out,
                                              vagap_error_t *err);
vagap_status_t vagap_study_read_choices(const char *path, const vagap_table_options_t *topt,
                                        const vagap_study_choice_options_t *o,
                                        vagap_ledger_t *ledger, vagap_study_choices_t *out,
                                        vagap_error_t *err);
void vagap_study_choices_free(vagap_study_choices_t *c);

/*
 * `vagap prop` per unit on the choice log: the counts of
 * vagap_study_read_choices_from, the exact binomial test and Wilson interval
 * of vagap_stats_prop_test on successes / (successes + failures), and the
 * p-values adjusted across units (vagap_stats_p_adjust).  A unit with no
 * counted choice has status VAGAP_EDOMAIN and NaN numbers; when no unit has
 * one, VAGAP_EDOMAIN "no unit has a counted choice" (*out is still filled,
 * as the program still prints the table).  Free with vagap_study_prop_free.
 */
typedef struct {
  vagap_study_choices_t choices; /* units (sorted by strcmp) and their counts */
  vagap_status_t *status;        /* [units] */
  vagap_prop_t *test;            /* [units] */
  double *p_adjusted;            /* [units] */
  size_t nok;                    /* units with a test */
} vagap_study_prop_t;

vagap_status_t vagap_study_prop_from(vagap_reader_t *reader, const vagap_study_choice_options_t *o,
                                     const vagap_prop_options_t *test, vagap_p_adjust_t adjust,
                                     vagap_ledger_t *ledger, vagap_study_prop_t *out,
                                     vagap_error_t *err);
/* The same over the rows of a table (e.g. vagap_table_from_columns). */
vagap_status_t vagap_study_prop_table(const vagap_table_t *t, const vagap_study_choice_options_t *o,
                                      const vagap_prop_options_t *test, vagap_p_adjust_t adjust,
                                      vagap_ledger_t *ledger, vagap_study_prop_t *out,
                                      vagap_error_t *err);
void vagap_study_prop_free(vagap_study_prop_t *p);

/* ---- questionnaire: key and runs, shared by `vagap score` and `vagap report` -------------- */

/* The key file, parsed; names are cells of the key table (owned here). */
typedef struct {
  vagap_table_t *table;
  size_t nitems, nscales;
  const char **item;  /* [nitems] */
  const char **scale; /* [nscales] names in first-appearance order */
  long *item_scale;
  int *item_reverse;
} vagap_study_key_t;

/*
 * Read the key (columns item, scale and, when present, reverse).  A row
 * without an item or a scale, an item keyed twice or an unknown reverse code
 * is an error located at the cell.  Reverse codes are compared after
 * normalising like words: 1, true, t, yes, y, r, reverse, reversed mean
 * reversed; 0, false, f, no, n, forward and a missing cell mean not.
 * The key owns its table; vagap_study_key_free frees it, after a failure too.
 */
vagap_status_t vagap_study_key_from(vagap_table_t *table, const char *item_col,
                                    const char *scale_col, const char *reverse_col,
                                    vagap_study_key_t *k, vagap_error_t *err);
vagap_status_t vagap_study_key_read(const char *path, const vagap_table_options_t *topt,
                                    const char *item_col, const char *scale_col,
                                    const char *reverse_col, vagap_ledger_t *ledger,
                                    vagap_study_key_t *k, vagap_error_t *err);
void vagap_study_key_free(vagap_study_key_t *k);
long vagap_study_key_index(const vagap_study_key_t *k, const char *item); /* -1 when not keyed */

/* Respondent-runs: the rows of the response matrix, sorted by unit, then run label. */
typedef struct {
  size_t nruns, nunits;
  const char **run_unit;  /* [nruns] unit name */
  const char **run_name;  /* [nruns] run label (NULL without a run column) */
  size_t *run_unit_idx;   /* [nruns] */
  const char **unit_name; /* [nunits] */
  double *resp;           /* [nruns * nitems], NaN = not answered */
  char *labels;           /* storage for generated labels (line numbers) */
} vagap_study_runs_t;

void vagap_study_runs_free(vagap_study_runs_t *r);

/* A total order on labels: numbers first by value (run 2 before run 10), then text by strcmp. */
int vagap_study_compare_labels(const char *a, const char *b);

/*
 * Columns of the responses.  run_required: fail when the run column is
 * absent (else one run per unit in long input, one run per row in wide);
 * unit_required (wide input): fail when the unit column is absent (else
 * every row is its own unit, named by its line number).
 */
typedef struct {
  const char *unit, *run, *item, *response;
  int run_required, unit_required;
} vagap_study_long_columns_t;

/*
 * Long responses (one answer per row) into runs.  Excluded with a reason:
 * a missing unit, run, item or response ("missing <column>"), an item not in
 * the key, a response outside [min, max], and a second answer to the same
 * item in the same unit and run (the first in file order is kept).
 * Run and unit names point into t, which must outlive r.
 */
vagap_status_t vagap_study_runs_build_long(const vagap_study_long_columns_t *cols, double min,
                                           double max, const vagap_study_key_t *k,
                                           vagap_table_t *t, vagap_ledger_t *ledger,
                                           vagap_study_runs_t *r, vagap_error_t *err);

/*
 * Wide responses (one row per run, a column per key item; `vagap score`
 * chooses it when there is no item column).  A row missing its unit or with
 * no key item answered is excluded; an answer outside [min, max] is an error,
 * or, when t was read with exclude_bad_rows (--bad-rows exclude), excludes its
 * row ("response X to item 'I' outside MIN..MAX") as in long input.  With that
 * option a response that is not a number excludes its row too (in both
 * layouts; vagap_table_exclude_non_numbers), and such rows are dropped from t.
 */
vagap_status_t vagap_study_runs_build_wide(const vagap_study_long_columns_t *cols, double min,
                                           double max, const vagap_study_key_t *k,
                                           vagap_table_t *t, vagap_ledger_t *ledger,
                                           vagap_study_runs_t *r, vagap_error_t *err);

/*
 * Scores of runs (vagap_scale_score_rows with `sk`, built from the key) and
 * per unit the mean over its runs with the SD over runs (n - 1; NaN below
 * two runs), the runs with a score and the runs without one: the numbers of
 * `vagap score` at its run and unit levels.  Free with vagap_study_scores_free
 * (after a failure too).
 */
typedef struct {
  size_t nscales;
  double *run_score;     /* [nruns * nscales], NaN below the scale's min_items */
  size_t *answered;      /* [nruns * nscales] items answered */
  double *unit_score;    /* [nunits * nscales] */
  double *unit_sd;       /* [nunits * nscales] */
  size_t *unit_runs;     /* [nunits * nscales] runs with a score */
  size_t *unit_missing;  /* [nunits * nscales] runs without one */
} vagap_study_scores_t;

vagap_status_t vagap_study_scores(const vagap_scale_key_t *sk, const vagap_study_runs_t *r,
                                  vagap_study_scores_t *out, vagap_error_t *err);
void vagap_study_scores_free(vagap_study_scores_t *s);

/*
 * `vagap score`: the responses (long when long_input, else wide) into runs
 * by the rules above, then their scores.  Run and unit names point into `t`,
 * which must outlive *out.  Free with vagap_study_score_free (after a
 * failure too).
 */
typedef struct {
  vagap_study_runs_t runs;
  vagap_study_scores_t scores;
} vagap_study_score_t;

vagap_status_t vagap_study_score(const vagap_study_long_columns_t *cols, int long_input,
                                 const vagap_study_key_t *k, const vagap_scale_key_t *sk,
                                 vagap_table_t *t, vagap_ledger_t *ledger,
                                 vagap_study_score_t *out, vagap_error_t *err);
void vagap_study_score_free(vagap_study_score_t *s);

/* ---- questionnaire scores for `vagap report` ------------------------------------------------ */

typedef struct {
  const char *unit, *run, *item, *response; /* columns of the responses */
  const char *key_item, *key_scale, *key_reverse; /* columns of the key */
  double min, max;
  size_t min_items; /* answered items needed for a row score (0 = all) */
} vagap_study_scale_options_t;

void vagap_study_scale_options_init(vagap_study_scale_options_t *o); /* 1-7, min_items 1 */

typedef struct {
  vagap_study_key_t key;
  vagap_study_runs_t rr;
  vagap_table_t *table;    /* the responses (run and unit names point into it) */
  size_t nunits;
  const char **unit_names; /* [nunits], sorted like `vagap score` */
  size_t nitems, nscales;
  const char **scales;     /* [nscales] */
  /* scores */
  double *total;         /* [nunits] mean over runs of the mean scored item (all keyed items) */
  double *total_pomp;    /* [nunits] (total - min)/(max - min) */
  size_t *runs;          /* [nunits] runs with a total score */
  double *scale_scores;  /* [nunits * nscales] */
  vagap_alpha_t *alpha;  /* [nscales + 1]: each scale, then the total */
  vagap_status_t *alpha_status;
  double min, max;
} vagap_study_scale_t;

/*
 * Score the responses with the key (vagap/scale.h); *out takes both tables
 * (freed by vagap_study_scale_free, and already freed after a failure).
 */
vagap_status_t vagap_study_scale_from(vagap_table_t *responses, vagap_table_t *key,
                                      const vagap_study_scale_options_t *o,
                                      vagap_ledger_t *ledger, vagap_study_scale_t *out,
                                      vagap_error_t *err);
/* Read the key and the responses and score them. */
vagap_status_t vagap_study_read_scale(const char *path, const char *key_path,
                                      const vagap_table_options_t *topt,
                                      const vagap_study_scale_options_t *o, vagap_ledger_t *ledger,
                                      vagap_study_scale_t *out, vagap_error_t *err);
void vagap_study_scale_free(vagap_study_scale_t *s);

/* ---- the calibration gap of `vagap report` ------------------------------------------------ */

/*
 * The report's cross-task analysis on the three scored logs: per unit the IAT
 * score (iat may be NULL: a study without the IAT), behaviour = prosocial /
 * (prosocial + selfish) choices (NaN without one), self-report = the POMP of
 * the total over all keyed items, or with selfreport_scale that scale's POMP
 * (an unknown scale is VAGAP_EDATA "--selfreport-scale: the key has no scale
 * 'S'"); joined by unit name (vagap_gap_join) with the choice counts for the
 * pooled binomial test, then vagap_gap_analyze.  `vagap report` and the
 * bindings' report() call it.  *out is freed with vagap_gap_free on success.
 */
vagap_status_t vagap_study_gap(const vagap_iat_assoc_t *iat, const vagap_study_choices_t *choices,
                               const vagap_study_scale_t *scale, const char *selfreport_scale,
                               size_t min_items, const vagap_gap_options_t *opt, vagap_gap_t *out,
                               vagap_error_t *err);

#ifdef __cplusplus
}
#endif

#endif
