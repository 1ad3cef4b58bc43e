/*
 * study.h - reading the four logs of a walk-the-talk study (iat.csv,
 * choices.csv, selfreport.csv, selfreport_key.csv) into the library's
 * scorers, for `vagap report`.  File and column conventions: FORMATS.md.
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

/* ---- association IAT ------------------------------------------------------------ */

typedef struct {
  const char *unit, *trial, *word, *valence, *assigned; /* column names */
  const char *focal, *contrast;                          /* target names */
  vagap_iat_assoc_options_t scoring;
} study_iat_options_t;

/* Andric 2025 defaults; `vagap iat --method assoc` starts from the same ones. */
void study_iat_options_init(study_iat_options_t *o);

/*
 * Stream the association log into a new scorer (*out, free with
 * vagap_iat_assoc_free).  Valence is positive/negative (else the word is
 * ignored); targets are compared case-insensitively after trimming
 * whitespace and punctuation, as `vagap iat` does.  A row without a word
 * registers its trial (an unparsed response).
 */
int study_read_iat(const char *path, const vagap_table_options_t *topt,
                   const study_iat_options_t *o, vagap_ledger_t *ledger, vagap_iat_assoc_t **out);

/* ---- choices ------------------------------------------------------------------------ */

typedef struct {
  const char *unit, *choice;       /* column names */
  const char *prosocial, *selfish; /* codes */
} study_choice_options_t;

void study_choice_options_init(study_choice_options_t *o);

typedef struct {
  study_units_t units;
  size_t *prosocial, *selfish, *other; /* per unit; other = excluded codes */
} study_choices_t;

int study_read_choices(const char *path, const vagap_table_options_t *topt,
                       const study_choice_options_t *o, vagap_ledger_t *ledger,
                       study_choices_t *out);
void study_choices_free(study_choices_t *c);

/* ---- questionnaire --------------------------------------------------------------------- */

typedef struct {
  const char *unit, *run, *item, *response; /* columns of the responses */
  const char *key_item, *key_scale, *key_reverse; /* columns of the key */
  double min, max;
  size_t min_items; /* answered items needed for a row score (0 = all) */
} study_scale_options_t;

void study_scale_options_init(study_scale_options_t *o); /* 1-7, min_items 1 */

typedef struct {
  study_units_t units;
  size_t nitems;
  char **items;          /* [nitems] */
  size_t nscales;        /* the key's scales */
  char **scales;         /* [nscales] */
  long *item_scale;      /* [nitems] index in scales */
  int *item_reverse;     /* [nitems] */
  size_t nrows;          /* unit x run rows */
  size_t *row_unit;      /* [nrows] */
  double *responses;     /* [nrows * nitems], NaN = not answered */
  /* scores */
  double *total;         /* [units.n] mean over runs of the mean scored item (all keyed items) */
  double *total_pomp;    /* [units.n] (total - min)/(max - min) */
  size_t *runs;          /* [units.n] runs with a total score */
  double *scale_scores;  /* [units.n * nscales] */
  vagap_alpha_t *alpha;  /* [nscales + 1]: each scale, then the total */
  vagap_status_t *alpha_status;
  double min, max;
} study_scale_t;

/* Read the key and the responses and score them (library calls in scale.h). */
int study_read_scale(const char *path, const char *key_path, const vagap_table_options_t *topt,
                     const study_scale_options_t *o, vagap_ledger_t *ledger, study_scale_t *out);
void study_scale_free(study_scale_t *s);

#endif
