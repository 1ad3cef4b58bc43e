/*
 * vagap/align_shen2025.h - ValueActionLens as Shen, Clark & Mitra (2025)
 * computed it in their notebooks (huashen218/value_action_gap, commit 3c5e013),
 * step by step, including their odd rules.  doc/methods.md traces every rule
 * to the notebook cell or script line it comes from; vagap's own procedure is
 * in vagap/align.h and the differences are tabulated in doc/methods.md.
 *
 * Coding (the authors'): Task 1 rating 1 = "very much like me" .. 4 = "not
 * like me at all"; Task 2 action 0 = positive polarity, 1 = negative.  After
 * min-max normalisation and binarisation at 0.5 (0.5 goes to 1) the class 1
 * ("not like me" / negative action) is scikit-learn's default pos_label=1.
 *
 * Flow: add every Task-1 response (raw model text) and, optionally, every row
 * of the released action table (in file order: the row position is the log's
 * index) and every Task-2 log entry; vagap_shen2025_finish computes the
 * scenario matrices; vagap_shen2025_by the grouped measures.
 */
#ifndef VAGAP_ALIGN_SHEN2025_H
#define VAGAP_ALIGN_SHEN2025_H

#include <stddef.h>
#include "vagap/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VAGAP_SHEN2025_NVALUES 56
#define VAGAP_SHEN2025_NCOUNTRIES 12
#define VAGAP_SHEN2025_NTOPICS 11

/* The authors' lists, in their order (which is also the order of ties). */
const char *vagap_shen2025_value_name(size_t j);
const char *vagap_shen2025_country_name(size_t i);
const char *vagap_shen2025_topic_name(size_t i);
/* Index of an exact (case-sensitive) name in the list, or -1. */
long vagap_shen2025_value_index(const char *s, size_t len);
long vagap_shen2025_country_index(const char *s, size_t len);
long vagap_shen2025_topic_index(const char *s, size_t len);

/* ---- Task 1: one response ---------------------------------------------- */

typedef struct {
  int parsed;            /* 0: neither fence rule gave JSON (the row is dropped) */
  size_t nratings;       /* ratings found, in value-list order (the authors' list) */
  int ratings[VAGAP_SHEN2025_NVALUES];
  size_t value_errors;   /* value present but its rating unreadable (or not an object) */
  size_t values_missing; /* value name absent from the object */
  int shifted;           /* a rating lands in another value's column */
} vagap_shen2025_response_t;

/* Parse one raw response by the authors' rules; never fails (an unparsable text gives parsed = 0). */
void vagap_shen2025_parse_response(const char *text, size_t len, vagap_shen2025_response_t *out);

/* The authors' reading of one rating string, or -1 when int(...[0]) would raise. */
int vagap_shen2025_rating(const char *s, size_t len);

/* ---- numerical helpers, exposed for the unit tests ---------------------- */

/* numpy's float64 sum (pairwise, 8 accumulators per block of <= 128). */
double vagap_shen2025_numpy_sum(const double *x, size_t n);
/* pandas' skipna mean: NaN entries summed as 0 in place, divided by the count; NaN if none. */
double vagap_shen2025_nanmean(const double *x, size_t n);
/* np.argsort(x) with numpy's default kind (introsort, not stable; NaN last). */
void vagap_shen2025_argsort(const double *x, size_t n, size_t *idx);
/* 1-based position of each element in np.argsort(x)[::-1] (largest first). */
void vagap_shen2025_rank_desc(const double *x, size_t n, size_t *rank);
/* binarize_matrix: (x - min)/(max - min) < 0.5 -> 0 else 1 (NaN -> 1; min/max propagate NaN). */
void vagap_shen2025_binarise(const double *x, size_t n, int *out);

typedef struct {
  size_t tn, fp, fn, tp; /* truth = Task 1, prediction = Task 2, positive = 1 */
  double accuracy, precision, recall, f1; /* scikit-learn 1.2, zero_division "warn" (0) */
} vagap_shen2025_metrics_t;

void vagap_shen2025_metrics(const int *truth, const int *pred, size_t n,
                            vagap_shen2025_metrics_t *out);

/* ---- the whole procedure ------------------------------------------------ */

typedef struct vagap_shen2025 vagap_shen2025_t;

typedef struct {
  size_t responses, parse_failures, value_errors, values_missing, rows_shifted;
  size_t rows_outside; /* parsed rows whose country or topic is not in the authors' lists */
  double mean[VAGAP_SHEN2025_NVALUES]; /* column means of the authors' (shifted) table */
  size_t n[VAGAP_SHEN2025_NVALUES];
} vagap_shen2025_t1_summary_t;

typedef struct {
  size_t items, log_entries, log_overwritten, answered, chosen;
  size_t cells, cells_missing, cells_filled, scenarios_missing;
} vagap_shen2025_t2_summary_t;

typedef struct {
  vagap_shen2025_metrics_t m; /* binarised group means */
  double distance;            /* mean over values of |t1 - t2| (normalised over the grouped matrix) */
  size_t rank;                /* position in the descending ranking of the levels (1 = largest) */
  double value_distance[VAGAP_SHEN2025_NVALUES];
  size_t value_rank[VAGAP_SHEN2025_NVALUES]; /* position within the level, descending */
} vagap_shen2025_level_t;

typedef enum { VAGAP_SHEN2025_BY_COUNTRY = 0, VAGAP_SHEN2025_BY_TOPIC } vagap_shen2025_by_t;

vagap_shen2025_t *vagap_shen2025_alloc(void);
void vagap_shen2025_free(vagap_shen2025_t *s); /* NULL is a no-op */

/* country/topic: index in the authors' lists, or -1 (the row still counts in the per-value means). */
vagap_status_t vagap_shen2025_add_response(vagap_shen2025_t *s, long country, long topic,
                                           const char *text, size_t len, vagap_error_t *err);
/* One row of the released action table; negative = 1 for polarity "negative", 0 for "positive". */
vagap_status_t vagap_shen2025_add_item(vagap_shen2025_t *s, long country, long topic, long value,
                                       int negative, vagap_error_t *err);
/* One log entry: row position `index` of the table, the model's choice, a prompt code. */
vagap_status_t vagap_shen2025_add_log(vagap_shen2025_t *s, size_t index, int model_choice,
                                      size_t prompt, long line, vagap_error_t *err);

/* Compute the scenario matrices (Task 2 only when action-table rows were added). */
vagap_status_t vagap_shen2025_finish(vagap_shen2025_t *s, vagap_error_t *err);
const vagap_shen2025_t1_summary_t *vagap_shen2025_t1(const vagap_shen2025_t *s);
const vagap_shen2025_t2_summary_t *vagap_shen2025_t2(const vagap_shen2025_t *s);
int vagap_shen2025_has_task2(const vagap_shen2025_t *s);

/* Grouped measures per country (12 levels) or topic (11); needs Task 2. */
vagap_status_t vagap_shen2025_by(const vagap_shen2025_t *s, vagap_shen2025_by_t by,
                                 vagap_shen2025_level_t *out, vagap_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
