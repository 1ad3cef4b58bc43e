/*
 * table_typed.h - internal: the in-memory table kept as typed columns.
 *
 * A table read with infer_numbers keeps a column that is all numbers as its
 * doubles and one byte per cell, the cell's shape: how its text follows
 * from the double ("%.*f" with d decimals, see number_text_decimals), which
 * missing-value token it was, or that its text is kept because it follows
 * from nothing.  A column with text keeps every cell's text.  The worker
 * that parses a segment computes numbers and shapes (csv_batch_t.values,
 * .shapes); the caller's thread appends them column by column.  So a
 * numeric file costs about 9 bytes per cell instead of its text, the
 * offsets and the doubles together.  Text of a numeric column is rebuilt
 * only when asked for (vagap_table_cell), once, under a lock; a column that
 * turns out to hold text is rebuilt as text when that is found.
 */
#ifndef VAGAP_TABLE_TYPED_H
#define VAGAP_TABLE_TYPED_H

#include <pthread.h>
#include <stddef.h>

#include "csv_segment.h"

#define number_text_decimals vagap__number_text_decimals
#define parse_number_shape vagap__parse_number_shape
#define typed_init vagap__typed_init
#define typed_free vagap__typed_free
#define typed_append vagap__typed_append
#define typed_finish vagap__typed_finish
#define typed_convert_cell vagap__typed_convert_cell
#define typed_numbers vagap__typed_numbers
#define typed_drop_rows vagap__typed_drop_rows
#define typed_cell vagap__typed_cell
#define typed_leave_out vagap__typed_leave_out
#define typed_na_index vagap__typed_na_index
#define typed_cell_value vagap__typed_cell_value
#pragma GCC visibility push(hidden)

#define NUMBER_TEXT_MAX_DECIMALS 60
#define SHAPE_NA 64     /* SHAPE_NA + k: missing-value token k (k < SHAPE_NA_TOKENS) */
#define SHAPE_NA_TOKENS 64
#define SHAPE_TEXT 255  /* the text is kept */
#define SHAPE_NOT_NUMBER 254 /* in a batch converted by the parser (csv_batch_t.fused): the text,
                                kept, is not a number (never in a numeric column of the table) */

int number_text_decimals(const char *s, size_t len, char mark);
/* A number (vagap_parse_double_mark) and its number_text_decimals in one scan
   where it can; 0, or -1 when the text is not a number. */
int parse_number_shape(const char *s, size_t len, char mark, double *out, int *decimals);

/* missing-value tokens and the decimal mark, to rebuild text (owned by the reader) */
typedef struct {
  char *const *na_tokens;
  const size_t *na_lengths;
  size_t n_na;
  char mark;
} typed_text_t;

/* Cell s[0, len) as a number and its shape (worker side); -1 when it is not a number.
   na_index: the cell's missing-value token, or -1. */
int typed_convert_cell(const typed_text_t *tt, const char *s, size_t len, long na_index, double *value,
                           unsigned char *shape);
/* Index of the missing-value token that s[0, len) is, or -1. */
long typed_na_index(const typed_text_t *tt, const char *s, size_t len);

/* How the parsing workers convert cells as libcsv hands them over (csv_segment.h). */
struct csv_convert {
  typed_text_t text;
  int na_numeric;                    /* a missing-value token is a number: tokens come first */
  const unsigned char *kept_as_text; /* per column, 1: never converted (NULL: none is) */
};
/* typed_convert_cell with the token looked up: a number first unless a token is one
   (most cells are numbers, and tokens are looked for only in those that are not). */
int typed_cell_value(const struct csv_convert *cv, const char *s, size_t len, double *value,
                     unsigned char *shape);

typedef struct {
  double *values;         /* numeric column: per row (NAN when missing); NULL for text */
  unsigned char *shapes;  /* numeric column: per row */
  char *chars;            /* NUL-terminated texts in row order: every cell's when `start`
                             is set, else those of SHAPE_TEXT cells */
  size_t chars_len, chars_cap;
  size_t *start;          /* row i's text is chars + start[i]; start[nrows] == chars_len */
  int is_text;
  int left_out;           /* nothing is kept: every cell reads as "" (typed_leave_out) */
} typed_column_t;

typedef struct {
  size_t ncols, nrows;
  size_t cap;             /* rows the per-row arrays have room for */
  typed_column_t *col;
  typed_text_t text;
  pthread_mutex_t lock;   /* rebuilding a numeric column's text on demand */
} typed_table_t;

int typed_init(typed_table_t *t, size_t ncols, const typed_text_t *text); /* -1: no memory */
void typed_free(typed_table_t *t);
/* Append a batch's rows (values, shapes, text_column and chars set); -1: no memory. */
int typed_append(typed_table_t *t, const csv_batch_t *b);
/* Once every row is in: give empty numeric columns an array; -1: no memory. */
int typed_finish(typed_table_t *t);
/* Cell text (rebuilt for a numeric column on first use; NULL only when out of memory). */
const char *typed_cell(const typed_table_t *t, size_t i, size_t j, size_t *len);
const double *typed_numbers(const typed_table_t *t, size_t j); /* NULL: a text column */
void typed_drop_rows(typed_table_t *t, const unsigned char *drop);
/* Before any row is appended: keep nothing of column j (its batches mark it as text). */
void typed_leave_out(typed_table_t *t, size_t j);

#pragma GCC visibility pop
#endif
