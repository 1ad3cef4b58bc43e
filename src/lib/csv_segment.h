/*
 * csv_segment.h - internal: libcsv run over one stretch of input.
 *
 * The reader cuts its input into segments that each start at the beginning
 * of a row, and parses them on worker threads (table.c).  A segment parser
 * is libcsv in strict mode plus what the reader adds to it: physical line
 * numbers, blank-line and ragged-row detection, caps on field and row sizes
 * and embedded NUL detection.  Everything it records is relative to the
 * start of its segment; the reader adds the line count of the segments
 * before it when it hands rows out.
 */
#ifndef VAGAP_CSV_SEGMENT_H
#define VAGAP_CSV_SEGMENT_H

#include <csv.h>
#include <stddef.h>

#include "vagap/error.h"
#include "vagap/table.h"

/* Internal symbols are linked under the vagap__ prefix (like zlib's Z_PREFIX), so the
 * static library defines nothing outside vagap_'s namespace - libcsv's csv_* sits right
 * next to these - and they are hidden from the shared library's symbol table.  The code
 * keeps the short names; tests/install/symbols.sh checks what the library defines. */
#define csv_batch_clear vagap__csv_batch_clear
#define csv_batch_free vagap__csv_batch_free
#define csv_segment_init vagap__csv_segment_init
#define csv_segment_free vagap__csv_segment_free
#define csv_segment_begin vagap__csv_segment_begin
#define csv_segment_feed vagap__csv_segment_feed
#define csv_segment_continue vagap__csv_segment_continue
#define csv_segment_fail_read vagap__csv_segment_fail_read
#define csv_segment_end vagap__csv_segment_end
#pragma GCC visibility push(hidden)

/* Complete rows of one segment, each of `ncols` fields, and its blank lines. */
typedef struct {
  char *chars;          /* NUL-terminated fields, back to back */
  size_t chars_len, chars_cap;
  size_t *field_off;    /* start of field k in chars; row i has fields i*ncols ... */
  size_t nfields, field_cap;
  long *row_line;       /* line of each row, 1-based within the segment */
  size_t nrows, rows_cap;
  long *blank_line;     /* blank lines, 1-based within the segment, increasing */
  size_t nblank, blank_cap;
  size_t *blank_fields; /* per blank_line: 0, or the fields of a ragged row left out
                           (opt->exclude_bad_rows), which is excluded like a blank line */
  size_t blank_fields_cap;
  long lines;           /* line ends the segment contains */
  double *values;       /* with infer_numbers: field k as a number (NAN when missing) */
  size_t values_cap;
  unsigned char *text_column; /* with infer_numbers: column j has a cell that is not a number */
  size_t text_cap;
  unsigned char *shapes; /* with infer_numbers: how field k's text follows from its value
                            (table_typed.h), so that numeric text need not be kept */
  size_t shapes_cap;
  int fused;            /* converted by the parser as it went (csv_segment_parser_t.convert):
                           values and shapes are set for every field, and its text is kept
                           only where its shape is SHAPE_TEXT or SHAPE_NOT_NUMBER (elsewhere
                           it reads as "" and follows from the value and shape) */
  size_t bad_utf8;      /* bytes of invalid UTF-8 replaced by '?' in the rows (on the worker), */
  size_t bad_utf8_field; /* the first in field k = this, */
  unsigned char bad_utf8_byte; /* which had this value */
  int failed;
  vagap_error_t error;  /* when failed; its line is relative like row_line ... */
  int error_located;    /* ... when set (a relative line may be 0 or negative) */
} csv_batch_t;

void csv_batch_clear(csv_batch_t *b);
void csv_batch_free(csv_batch_t *b);
/* Length of field k (fields are NUL-terminated and back to back). */
static inline size_t csv_batch_field_len(const csv_batch_t *b, size_t k) {
  size_t end = k + 1 < b->nfields ? b->field_off[k + 1] : b->chars_len;
  return end - b->field_off[k] - 1;
}

struct csv_convert; /* table_typed.h */

typedef struct {
  struct csv_parser parser;
  const struct csv_convert *convert; /* NULL: keep every field's text; else convert each
                                        field as it arrives (batch->fused) */
  int row_not_numbers; /* a field of the open row is not a number (SHAPE_NOT_NUMBER) */
  const vagap_table_options_t *opt;
  const char *source;  /* names the file in error records */
  size_t ncols;        /* fields per row; 0 while the header is read */
  csv_batch_t *batch;
  long lines_done;     /* line ends passed so far */
  long row_newlines;   /* line feeds inside the completed fields of the open row */
  int last_terminator; /* terminator of the previous row ('\r' before a CRLF's LF) */
  int seen_quote;      /* a quote occurred: fields may hold line feeds */
  int seen_nul;        /* a NUL occurred: fields must be checked */
  int header_done;     /* header mode: the first row is complete */
  int ended_with_cr;   /* the last byte fed was a CR */
  size_t row_fields;   /* fields completed in the open row */
  size_t row_bytes;    /* bytes of the open row */
} csv_segment_parser_t;

/* 0 on success, -1 when out of memory. */
int csv_segment_init(csv_segment_parser_t *p, const vagap_table_options_t *opt,
                     const char *source);
void csv_segment_free(csv_segment_parser_t *p);

/*
 * Start a segment whose rows have `ncols` fields (0: read a header, whose
 * fields become the batch's only row, of any width).  Clears `batch`.
 */
void csv_segment_begin(csv_segment_parser_t *p, csv_batch_t *batch, size_t ncols);

/* Parse `len` more bytes of the segment; afterwards batch->failed tells. */
void csv_segment_feed(csv_segment_parser_t *p, const unsigned char *s, size_t len);

/*
 * Go on parsing into `next` (cleared): the rows completed so far stay in the
 * current batch, the fields of the row still open move to `next`, and line
 * numbers in `next` count from the end of the current batch.  This is how a
 * single thread parses input that could not be cut into segments.
 */
void csv_segment_continue(csv_segment_parser_t *p, csv_batch_t *next);

/*
 * The input broke off (a read error, in `e`): the rows completed so far stand,
 * and the error is reported at the line the parser had reached.
 */
void csv_segment_fail_read(csv_segment_parser_t *p, const vagap_error_t *e);

/*
 * End the segment.  At the end of the input libcsv completes a last row
 * without line end (or reports an open quote); anywhere else the segment
 * must end between rows.
 */
void csv_segment_end(csv_segment_parser_t *p, int at_end_of_input);

#pragma GCC visibility pop

#endif
