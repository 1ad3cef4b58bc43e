/*
 * study.h - reading the four logs of a walk-the-talk study (iat.csv,
 * choices.csv, selfreport.csv, selfreport_key.csv) into the library's
 * scorers, for `vagap report`, and the row-mapping rules that `vagap iat --method assoc`,
 * `vagap prop` and `vagap score` share with it, so that the report equals the
 * chain of separate commands on any input.  Conventions: FORMATS.md.
 * Every row read is used or excluded in the ledger with a reason.
 * Functions print their own errors ("vagap: FILE:LINE:COL: ...") and return
 * 0, or -1 after printing.
 */
#ifndef VAGAP_STUDY_H
#define VAGAP_STUDY_H

#include "cli.h"

/* A growable list of distinct unit names in first-seen order. */
typedef struct {
  size_t n, cap;
  char **names;
} study_units_t;

/* Index of `name` (len bytes), added when new; (size_t)-1 when out of memory. */
size_t study_unit_index(study_units_t *u, const char *name, size_t len);
void study_units_free(study_units_t *u);

/* ---- codes ------------------------------------------------------------------------ */

/*
 * A comma-separated list of codes (targets, choice codes), each normalised
 * like an IAT word (cli_normalise_word: ASCII lower case, surrounding
 * whitespace and punctuation trimmed); empty items are dropped.  Every
 * reader compares words, valence values, targets and choice codes this way.
 */
typedef struct {
  size_t n;
  char **codes;
} study_codes_t;

int study_codes_parse(const char *list, study_codes_t *out); /* 0, or -1 (out of memory, printed) */
void study_codes_free(study_codes_t *c);
/* Does the field (len bytes, not normalised) equal one of the codes after normalising? */
int study_codes_match(const study_codes_t *c, const char *s, size_t len);
/* A code in both lists, or NULL. */
const char *study_codes_overlap(const study_codes_t *a, const study_codes_t *b);
/*
 * Do two comma lists share a code (after normalising)?  1 with the code
 * copied into both[size], 0 if not, -1 out of memory (printed).  The
 * commands use it for their usage checks (--focal/--contrast,
 * --prosocial/--selfish), so iat, prop and report refuse the same options.
 */
int study_lists_overlap(const char *a, const char *b, char *both, size_t size);

/* ---- association IAT ------------------------------------------------------------ */

typedef struct {
  const char *unit, *trial, *word, *valence, *assigned; /* column names */
  const char *focal, *contrast;                          /* target names (comma lists) */
  vagap_iat_assoc_options_t scoring;
} study_iat_options_t;

/* Andric 2025 defaults; `vagap iat --method assoc` starts from the same ones. */
void study_iat_options_init(study_iat_options_t *o);

/* Valence of a normalised word from attribute lists (`vagap iat --positive-words`). */
typedef vagap_iat_valence_t (*study_valence_fn)(void *ctx, const char *word);

/*
 * The association-log reader that `vagap iat --method assoc` and `vagap
 * report` share, so both map rows by the same rules:
 *  - a missing unit or trial excludes the row ("missing <column>");
 *  - the word is normalised (cli_normalise_word); a missing word registers the
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
  const study_iat_options_t *o;
  vagap_ledger_t *ledger;
  study_valence_fn lists; /* NULL: the valence column */
  void *lists_ctx;
  study_codes_t focal, contrast;
  char *word;
  size_t cap;
} study_iat_reader_t;

/* 0, or -1 after printing (out of memory). */
int study_iat_reader_init(study_iat_reader_t *rd, vagap_iat_assoc_t *scorer,
                          const study_iat_options_t *o, vagap_ledger_t *ledger,
                          study_valence_fn lists, void *lists_ctx);
void study_iat_reader_free(study_iat_reader_t *rd);
/* Stream one file into the scorer; 0, or non-zero after printing the located error. */
int study_iat_read_file(study_iat_reader_t *rd, const char *path, const vagap_table_options_t *topt);

/*
 * Stream the association log into a new scorer (*out, free with
 * vagap_iat_assoc_free), with the valence column.
 */
int study_read_iat(const char *path, const vagap_table_options_t *topt,
                   const study_iat_options_t *o, vagap_ledger_t *ledger, vagap_iat_assoc_t **out);

/* ---- choices ------------------------------------------------------------------------ */

typedef struct {
  const char *unit, *choice;       /* column names */
  const char *prosocial, *selfish; /* comma lists of codes */
} study_choice_options_t;

void study_choice_options_init(study_choice_options_t *o);

/* The codes of `vagap prop` and `vagap report`, parsed once. */
typedef struct {
  const study_choice_options_t *o;
  study_codes_t prosocial, selfish;
} study_choice_rules_t;

/* 0; -1 out of memory (printed); -2 a code is in both lists (*both names it, nothing printed). */
int study_choice_rules_init(study_choice_rules_t *rules, const study_choice_options_t *o,
                            const char **both);
void study_choice_rules_free(study_choice_rules_t *rules);

enum {
  STUDY_CHOICE_SELFISH = 0,
  STUDY_CHOICE_PROSOCIAL = 1,
  STUDY_CHOICE_OTHER = -1, /* missing or other code: excluded, counted in the unit's n_other */
  STUDY_CHOICE_NO_UNIT = -2 /* missing unit: excluded, counted nowhere */
};

/*
 * Classify one choice row.  unit_na: the unit cell is missing (pass 0 when
 * there is no unit column).  When the row is excluded (result < 0) the
 * reason is written to reason ("missing <column>", or "<choice column>
 * 'CODE' is neither prosocial (LIST) nor selfish (LIST)").
 */
int study_choice_classify(const study_choice_rules_t *rules, int unit_na, const char *choice,
                          size_t len, int choice_na, char *reason, size_t size);

typedef struct {
  study_units_t units;                 /* sorted by strcmp, like `vagap prop` */
  size_t *prosocial, *selfish, *other; /* per unit; other = excluded codes */
} study_choices_t;

int study_read_choices(const char *path, const vagap_table_options_t *topt,
                       const study_choice_options_t *o, vagap_ledger_t *ledger,
                       study_choices_t *out);
void study_choices_free(study_choices_t *c);

/* ---- questionnaire: key and runs, shared by `vagap score` and `vagap report` -------------- */

/* The key file, parsed; names are cells of the key table (owned here). */
typedef struct {
  vagap_table_t *table;
  size_t nitems, nscales;
  const char **item;  /* [nitems] */
  const char **scale; /* [nscales] names in first-appearance order */
  long *item_scale;
  int *item_reverse;
} study_key_t;

/*
 * Read the key (columns item, scale and, when present, reverse).  A row
 * without an item or a scale, an item keyed twice or an unknown reverse code
 * is an error located at the cell.  Reverse codes are compared after
 * normalising like words: 1, true, t, yes, y, r, reverse, reversed mean
 * reversed; 0, false, f, no, n, forward and a missing cell mean not.
 * Returns 0 or -1 after printing.
 */
int study_key_read(const char *path, const vagap_table_options_t *topt, const char *item_col,
                   const char *scale_col, const char *reverse_col, vagap_ledger_t *ledger,
                   study_key_t *k);
void study_key_free(study_key_t *k);
long study_key_index(const study_key_t *k, const char *item); /* -1 when not keyed */

/* Respondent-runs: the rows of the response matrix, sorted by unit, then run label. */
typedef struct {
  size_t nruns, nunits;
  const char **run_unit;  /* [nruns] unit name */
  const char **run_name;  /* [nruns] run label (NULL without a run column) */
  size_t *run_unit_idx;   /* [nruns] */
  const char **unit_name; /* [nunits] */
  double *resp;           /* [nruns * nitems], NaN = not answered */
  char *labels;           /* storage for generated labels (line numbers) */
} study_runs_t;

void study_runs_free(study_runs_t *r);
int study_runs_alloc(study_runs_t *r, size_t nruns, size_t nitems); /* -1 out of memory */
int study_runs_number_units(study_runs_t *r);                         /* -1 out of memory */

/* A total order on labels: numbers first by value (run 2 before run 10), then text by strcmp. */
int study_compare_labels(const char *a, const char *b);

typedef struct {
  const char *unit, *run;
  size_t row;
} study_run_ref_t;

/* By unit, then run label (study_compare_labels), then row. */
int study_compare_run_refs(const void *a, const void *b);

/*
 * Columns of the responses.  run_required: fail when the run column is
 * absent (else one run per unit in long input, one run per row in wide);
 * unit_required (wide input): fail when the unit column is absent (else
 * every row is its own unit, named by its line number).
 */
typedef struct {
  const char *unit, *run, *item, *response;
  int run_required, unit_required;
  /* the reader's options: with exclude_bad_rows (--bad-rows exclude) a response that
     is not a number, and in wide input an answer out of range, excludes its row;
     NULL: the defaults */
  const vagap_table_options_t *topt;
} study_long_columns_t;

/*
 * Long responses (one answer per row) into runs.  Excluded with a reason:
 * a missing unit, run, item or response ("missing <column>"), an item not in
 * the key, a response outside [min, max], and a second answer to the same
 * item in the same unit and run (the first in file order is kept).
 * Returns 0 or -1 after printing.
 */
int study_runs_build_long(const study_long_columns_t *cols, double min, double max,
                          const study_key_t *k, vagap_table_t *t, vagap_ledger_t *ledger,
                          study_runs_t *r);

/*
 * Wide responses (one row per run, a column per key item; `vagap score`
 * chooses it when there is no item column).  A row missing its unit or with
 * no key item answered is excluded; an answer outside [min, max] is an error,
 * or with cols->exclude_bad_rows excludes its row ("response X to item 'I'
 * outside MIN..MAX"), as in long input.
 */
int study_runs_build_wide(const study_long_columns_t *cols, double min, double max,
                          const study_key_t *k, vagap_table_t *t, vagap_ledger_t *ledger,
                          study_runs_t *r);

/* ---- questionnaire scores for `vagap report` ------------------------------------------------ */

typedef struct {
  const char *unit, *run, *item, *response; /* columns of the responses */
  const char *key_item, *key_scale, *key_reverse; /* columns of the key */
  double min, max;
  size_t min_items; /* answered items needed for a row score (0 = all) */
} study_scale_options_t;

void study_scale_options_init(study_scale_options_t *o); /* 1-7, min_items 1 */

typedef struct {
  study_key_t key;
  study_runs_t rr;
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
} study_scale_t;

/* Read the key and the responses and score them (library calls in scale.h). */
int study_read_scale(const char *path, const char *key_path, const vagap_table_options_t *topt,
                     const study_scale_options_t *o, vagap_ledger_t *ledger, study_scale_t *out);
void study_scale_free(study_scale_t *s);

#endif
