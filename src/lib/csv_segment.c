/*
 * libcsv over one segment of input (see csv_segment.h).
 *
 * libcsv runs with CSV_REPALL_NL, so that it reports every line feed as the
 * end of a (possibly empty) row: that is how blank lines are seen (libcsv
 * skips them otherwise) and how physical line numbers are kept without a
 * second scan of the input.  Line feeds inside quoted fields are counted as
 * the fields arrive.  A line ends at LF, CRLF or a lone CR (old Mac files).
 */
#include "csv_segment.h"
#include "grow.h"
#include "numparse_plain.h"
#include "table_typed.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FEED_BYTES ((size_t)1 << 16) /* longest piece handed to libcsv at once */

/* ---- batches ------------------------------------------------------------------ */

void csv_batch_clear(csv_batch_t *b) {
  b->chars_len = b->nfields = b->nrows = b->nblank = 0;
  b->bad_utf8 = 0;
  b->lines = 0;
  b->failed = 0;
  b->error_located = 0;
  b->fused = 0;
  vagap_error_clear(&b->error);
}

void csv_batch_free(csv_batch_t *b) {
  free(b->chars);
  free(b->field_off);
  free(b->row_line);
  free(b->blank_line);
  free(b->blank_fields);
  free(b->values);
  free(b->text_column);
  free(b->shapes);
  memset(b, 0, sizeof *b);
}

/* ---- errors --------------------------------------------------------------------- */

static void fail(csv_segment_parser_t *p, vagap_status_t status, long line, long column,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void fail(csv_segment_parser_t *p, vagap_status_t status, long line, long column,
                 const char *fmt, ...) {
  csv_batch_t *b = p->batch;
  if (b->failed) return;
  char message[VAGAP_ERROR_MESSAGE_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  vagap_error_set(&b->error, status, p->source, line, column, "%s", message);
  b->error_located = status != VAGAP_ENOMEM;
  b->failed = 1;
}

static void out_of_memory(csv_segment_parser_t *p) {
  fail(p, VAGAP_ENOMEM, 0, 0, "out of memory");
}

/* ---- libcsv callbacks ----------------------------------------------------------- */

/* The line the field being parsed starts on. */
static long current_line(const csv_segment_parser_t *p) { return p->lines_done + 1; }

/*
 * Length of the field libcsv is collecting, as it would hand it over if the
 * field ended here: a tentative closing quote (libcsv keeps it in case a
 * second quote follows) and trailing blanks do not count.  It never falls as
 * more bytes arrive, so a field over the cap is over it at every later point,
 * whatever the feeding pieces.
 */
static size_t open_field_len(const csv_segment_parser_t *p) {
  enum { FIELD_MIGHT_HAVE_ENDED = 3 }; /* libcsv's parser state after a quote in a quoted field */
  size_t len = p->parser.entry_pos - p->parser.spaces;
  if (p->parser.pstate == FIELD_MIGHT_HAVE_ENDED && len) len--;
  return len;
}

/* A field over the cap; a NUL byte within the cap (a binary or NUL-filled file) is
   named first.  Only the first cap + 1 bytes are looked at: they are there
   however the input was cut into pieces, so the message does not depend on it. */
static void field_too_long(csv_segment_parser_t *p, const void *field, size_t len) {
  size_t look = len < p->opt->max_field_bytes + 1 ? len : p->opt->max_field_bytes + 1;
  if (p->seen_nul && field && look && memchr(field, '\0', look)) {
    fail(p, VAGAP_EPARSE, current_line(p), (long)p->row_fields + 1, "field contains a NUL byte");
    return;
  }
  fail(p, VAGAP_ELIMIT, current_line(p), (long)p->row_fields + 1,
       "field is longer than the limit of %zu bytes (--max-field)", p->opt->max_field_bytes);
}

/* Line ends in field text: LF, CRLF (once) and a lone CR, as between rows.
   (One plain pass: in quoted files every field comes here, and most are short.) */
static long count_newlines(const char *s, size_t len) {
  long n = 0;
  for (size_t i = 0; i < len; i++)
    if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == len || s[i + 1] != '\n'))) n++;
  return n;
}

/* Space for the fields and rows libcsv can complete from `len` more bytes
   (each needs a delimiter or line end), so that the callbacks never grow. */
static int reserve_for(csv_segment_parser_t *p, size_t len) {
  csv_batch_t *b = p->batch;
  size_t more = len + 2;
  return vagap_reserve((void **)&b->chars, &b->chars_cap, b->chars_len + p->parser.entry_pos + 2 * more, 1) ||
         vagap_reserve((void **)&b->field_off, &b->field_cap, b->nfields + more, sizeof(size_t)) ||
         vagap_reserve((void **)&b->row_line, &b->rows_cap, b->nrows + more, sizeof(long)) ||
         (p->convert && (vagap_reserve((void **)&b->values, &b->values_cap, b->nfields + more, sizeof(double)) ||
                         vagap_reserve((void **)&b->shapes, &b->shapes_cap, b->nfields + more, 1)));
}

/*
 * Bytes that may be read from `data` on: libcsv hands every field over in its
 * own buffer (entry_buf, entry_size bytes allocated, which it grows in blocks
 * of blk_size), so the bytes up to its end are there even past the field.  0
 * when data does not point into that buffer.
 */
static size_t readable_from(const struct csv_parser *cp, const void *data) {
  uintptr_t d = (uintptr_t)data, buf = (uintptr_t)cp->entry_buf;
  if (!data || !cp->entry_buf || d < buf || d - buf >= cp->entry_size) return 0;
  return cp->entry_size - (size_t)(d - buf);
}

/*
 * Append a field's bytes to the batch's text.  Most fields are short: those of
 * up to 16 bytes are moved as two fixed 8-byte words (no library call per
 * field) when 16 bytes may be read from data (`readable`, see readable_from)
 * and the text's free room holds 16; the bytes past the field are overwritten
 * by its NUL and the next field.
 */
static inline void copy_field(csv_batch_t *b, const void *data, size_t len, size_t readable) {
  char *dst = b->chars + b->chars_len;
  if (len == 0) return; /* libcsv may pass NULL for an empty field */
  if (len <= 16 && readable >= 16 && b->chars_cap - b->chars_len >= 16) {
    uint64_t w[2];
    memcpy(w, data, sizeof w);
    memcpy(dst, w, sizeof w);
    return;
  }
  memcpy(dst, data, len);
}

/*
 * Field k, in column row_fields of the open row, as a number and its shape
 * (batch->fused); 1 when its text follows from them and is not kept.  Which
 * columns hold text is settled as rows end (mark_text_columns), so that a
 * ragged row left out does not make a column text.
 */
static int convert_field(csv_segment_parser_t *p, size_t k, const void *data, size_t len) {
  csv_batch_t *b = p->batch;
  size_t j = p->row_fields;
  if (j >= p->ncols || b->text_column[j]) { /* past the header's width (a ragged row), or text */
    b->shapes[k] = SHAPE_TEXT;
    return 0;
  }
  int decimals; /* the usual number first, inline (typed_cell_value's first step) */
  if (!p->convert->na_numeric && p->convert->text.mark == '.' &&
      parse_plain_decimal_shape(data, len, &b->values[k], &decimals)) {
    b->shapes[k] = decimals < 0 ? SHAPE_TEXT : (unsigned char)decimals;
    return decimals >= 0;
  }
  if (typed_cell_value(p->convert, data ? data : "", len, &b->values[k], &b->shapes[k])) {
    b->shapes[k] = SHAPE_NOT_NUMBER;
    p->row_not_numbers = 1;
    return 0;
  }
  return b->shapes[k] != SHAPE_TEXT;
}

/* A row taken: the columns where it has a field that is not a number hold text. */
static void mark_text_columns(csv_segment_parser_t *p) {
  csv_batch_t *b = p->batch;
  size_t first = b->nfields - p->row_fields;
  for (size_t j = 0; j < p->row_fields; j++)
    if (b->shapes[first + j] == SHAPE_NOT_NUMBER) b->text_column[j] = 1;
}

static void on_field(void *data, size_t len, void *ctx) {
  csv_segment_parser_t *p = ctx;
  csv_batch_t *b = p->batch;
  if (b->failed) return;
  long column = (long)p->row_fields + 1;
  if (len > p->opt->max_field_bytes) {
    field_too_long(p, data, len);
    return;
  }
  if (p->seen_nul && len && memchr(data, '\0', len)) {
    fail(p, VAGAP_EPARSE, current_line(p), column, "field contains a NUL byte");
    return;
  }
  if (p->seen_quote && len) {
    long k = count_newlines(data, len);
    p->lines_done += k;
    p->row_newlines += k;
  }
  p->row_bytes += len + 1;
  if (p->row_bytes > p->opt->max_row_bytes) {
    fail(p, VAGAP_ELIMIT, current_line(p), column, "row is longer than the limit of %zu bytes",
         p->opt->max_row_bytes);
    return;
  }
  /* reserve_for made room before this piece was handed to libcsv */
  size_t k = b->nfields++;
  b->field_off[k] = b->chars_len;
  if (!p->convert || !convert_field(p, k, data, len)) {
    copy_field(b, data, len, readable_from(&p->parser, data));
    b->chars_len += len;
  }
  b->chars[b->chars_len++] = '\0'; /* a number's text is left empty */
  p->row_fields++;
}

/* A line that is not a row: blank (nfields 0) or ragged and left out (its field count). */
static int record_non_row(csv_segment_parser_t *p, long line, size_t nfields) {
  csv_batch_t *b = p->batch;
  /* blank_fields exists from the first ragged row on (NULL: all 0), so that files
     of blank lines cost no more memory than before */
  int fields = b->blank_fields || nfields;
  int had = b->blank_fields != NULL;
  if (vagap_reserve((void **)&b->blank_line, &b->blank_cap, b->nblank + 1, sizeof(long)) ||
      (fields && vagap_reserve((void **)&b->blank_fields, &b->blank_fields_cap, b->nblank + 1,
                               sizeof(size_t)))) {
    out_of_memory(p);
    return -1;
  }
  if (fields && !had) memset(b->blank_fields, 0, b->nblank * sizeof(size_t));
  b->blank_line[b->nblank] = line;
  if (fields) b->blank_fields[b->nblank] = nfields;
  b->nblank++;
  return 0;
}

/* A row without fields: the LF of a CRLF, or a line holding nothing but blanks. */
static void on_empty_row(csv_segment_parser_t *p, int terminator) {
  int crlf = terminator == '\n' && p->last_terminator == '\r';
  if (!crlf && terminator != -1 && p->ncols && record_non_row(p, current_line(p), 0)) return;
  /* lines end at LF, CRLF or a lone CR: the LF of a CRLF arrives as an empty row */
  if (terminator == '\r' || (terminator == '\n' && !crlf)) p->lines_done++;
}

static void take_header_row(csv_segment_parser_t *p, long row_line) {
  size_t n = p->row_fields;
  if (n > p->opt->max_columns) {
    fail(p, VAGAP_ELIMIT, row_line, (long)p->opt->max_columns + 1,
         "header has %zu columns, more than the limit of %zu", n, p->opt->max_columns);
    return;
  }
  p->batch->row_line[p->batch->nrows++] = row_line;
  p->header_done = 1;
}

static void on_row(int terminator, void *ctx) {
  csv_segment_parser_t *p = ctx;
  csv_batch_t *b = p->batch;
  if (b->failed) return;
  if (p->row_fields == 0) {
    on_empty_row(p, terminator);
    p->last_terminator = terminator;
    return;
  }
  long row_line = p->lines_done + 1 - p->row_newlines;
  if (p->ncols == 0) {
    if (!p->header_done) take_header_row(p, row_line);
  } else if (p->row_fields != p->ncols && p->opt->exclude_bad_rows) {
    /* take the row's fields back out and record it as excluded */
    b->nfields -= p->row_fields;
    b->chars_len = b->field_off[b->nfields];
    if (record_non_row(p, row_line, p->row_fields)) return;
  } else if (p->row_fields != p->ncols) {
    size_t col = p->row_fields < p->ncols ? p->row_fields + 1 : p->ncols + 1;
    fail(p, VAGAP_EPARSE, row_line, (long)col, "ragged row: %zu fields where the header has %zu",
         p->row_fields, p->ncols);
  } else {
    if (p->row_not_numbers) mark_text_columns(p);
    b->row_line[b->nrows++] = row_line;
  }
  if (terminator == '\n' || terminator == '\r') p->lines_done++;
  p->last_terminator = terminator;
  p->row_not_numbers = 0;
  p->row_fields = 0;
  p->row_bytes = 0;
  p->row_newlines = 0;
}

/* ---- feeding -------------------------------------------------------------------- */

/* The line of a syntax error: line feeds in the field libcsv is still collecting count too. */
static long error_line(const csv_segment_parser_t *p) {
  return current_line(p) + count_newlines((const char *)p->parser.entry_buf, p->parser.entry_pos);
}

static void describe_parse_error(csv_segment_parser_t *p) {
  long column = (long)p->row_fields + 1;
  /* the field went over the cap before the syntax error: that comes first */
  if (open_field_len(p) > p->opt->max_field_bytes) {
    field_too_long(p, p->parser.entry_buf, p->parser.entry_pos);
    return;
  }
  if (p->parser.quoted)
    fail(p, VAGAP_EPARSE, error_line(p), column, "text after the closing quote of a quoted field");
  else
    fail(p, VAGAP_EPARSE, error_line(p), column,
         "quote character inside an unquoted field (quote the whole field and double inner quotes)");
}

int csv_segment_init(csv_segment_parser_t *p, const vagap_table_options_t *opt,
                     const char *source) {
  memset(p, 0, sizeof *p);
  if (csv_init(&p->parser, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL) != 0) return -1;
  csv_set_delim(&p->parser, (unsigned char)opt->delim);
  p->opt = opt;
  p->source = source;
  return 0;
}

void csv_segment_free(csv_segment_parser_t *p) { csv_free(&p->parser); }

/* A batch that the parser converts as it goes starts with the columns never converted as text. */
static int start_fused(csv_segment_parser_t *p, csv_batch_t *b) {
  if (!p->convert || p->ncols == 0) return 0;
  if (vagap_reserve((void **)&b->text_column, &b->text_cap, p->ncols + 1, 1)) return -1;
  for (size_t j = 0; j < p->ncols; j++) b->text_column[j] = p->convert->kept_as_text && p->convert->kept_as_text[j];
  b->fused = 1;
  return 0;
}

void csv_segment_begin(csv_segment_parser_t *p, csv_batch_t *batch, size_t ncols) {
  csv_batch_clear(batch);
  p->batch = batch;
  p->ncols = ncols;
  p->row_not_numbers = 0;
  p->lines_done = p->row_newlines = 0;
  p->last_terminator = 0;
  p->seen_quote = p->seen_nul = p->header_done = p->ended_with_cr = 0;
  p->row_fields = p->row_bytes = 0;
  /* A segment that failed leaves libcsv mid-field; the next one starts clean.
     (csv_fini would refuse to reset a parser inside an open quote.) */
  p->parser.pstate = 0; /* libcsv's ROW_NOT_BEGUN */
  p->parser.quoted = 0;
  p->parser.spaces = 0;
  p->parser.entry_pos = 0;
  p->parser.status = 0;
  if (start_fused(p, batch)) out_of_memory(p);
}

/* Hand one piece to libcsv and check what it leaves open; 0 when all went well. */
static int parse_piece(csv_segment_parser_t *p, const unsigned char *s, size_t n) {
  /* sticky flags let the per-field checks be skipped on the usual clean input */
  if (!p->seen_quote && memchr(s, '"', n)) p->seen_quote = 1;
  if (!p->seen_nul && memchr(s, '\0', n)) p->seen_nul = 1;
  if (reserve_for(p, n)) {
    out_of_memory(p);
    return -1;
  }
  size_t done = csv_parse(&p->parser, s, n, on_field, on_row, p);
  if (p->batch->failed) return -1;
  if (done != n) {
    if (csv_error(&p->parser) == CSV_EPARSE) describe_parse_error(p);
    else out_of_memory(p);
    return -1;
  }
  if (open_field_len(p) > p->opt->max_field_bytes) {
    field_too_long(p, p->parser.entry_buf, p->parser.entry_pos);
    return -1;
  }
  return 0;
}

static int is_blank(unsigned char c) { return c == ' ' || c == '\t'; }

/*
 * Length of the piece to feed next, at most `n`: up to and including a CR
 * that a blank follows, if there is one.  libcsv skips blanks at the start of
 * a line, so in "\r \n" the LF would reach on_row right after the CR's row
 * and pass for the second half of a CRLF; feeding up to such a CR lets the
 * caller forget it (*cr_then_blank).
 */
static size_t piece_length(const unsigned char *s, size_t n, size_t len, int *cr_then_blank) {
  *cr_then_blank = 0;
  for (const unsigned char *q = s; (q = memchr(q, '\r', n - (size_t)(q - s))); q++)
    if ((size_t)(q + 1 - s) < len && is_blank(q[1])) {
      *cr_then_blank = 1;
      return (size_t)(q + 1 - s);
    }
  return n;
}

void csv_segment_feed(csv_segment_parser_t *p, const unsigned char *s, size_t len) {
  csv_batch_t *b = p->batch;
  if (len && p->ended_with_cr && is_blank(s[0]) && p->last_terminator == '\r')
    p->last_terminator = 0; /* the previous feed ended with that CR */
  if (len) p->ended_with_cr = s[len - 1] == '\r';
  while (len && !b->failed) {
    size_t n = len > FEED_BYTES ? FEED_BYTES : len; /* bounds the field buffer between cap checks */
    int cr_then_blank;
    n = piece_length(s, n, len, &cr_then_blank);
    if (parse_piece(p, s, n)) return;
    if (cr_then_blank && p->last_terminator == '\r') p->last_terminator = 0;
    s += n;
    len -= n;
  }
}

void csv_segment_continue(csv_segment_parser_t *p, csv_batch_t *next) {
  csv_batch_t *b = p->batch;
  csv_batch_clear(next);
  size_t first = b->nfields - p->row_fields;
  size_t from = p->row_fields ? b->field_off[first] : b->chars_len;
  size_t bytes = b->chars_len - from;
  size_t nconv = b->fused ? p->row_fields + 1 : 0; /* the open row's values and shapes move too */
  if (vagap_reserve((void **)&next->chars, &next->chars_cap, bytes + 1, 1) ||
      vagap_reserve((void **)&next->field_off, &next->field_cap, p->row_fields + 1, sizeof(size_t)) ||
      vagap_reserve((void **)&next->values, &next->values_cap, nconv, sizeof(double)) ||
      vagap_reserve((void **)&next->shapes, &next->shapes_cap, nconv, 1) ||
      (b->fused && start_fused(p, next))) {
    b->lines = p->lines_done;
    p->batch = next;
    out_of_memory(p);
    return;
  }
  memcpy(next->chars, b->chars + from, bytes);
  for (size_t k = 0; k < p->row_fields; k++) next->field_off[k] = b->field_off[first + k] - from;
  if (b->fused && p->row_fields) {
    memcpy(next->values, b->values + first, p->row_fields * sizeof *next->values);
    memcpy(next->shapes, b->shapes + first, p->row_fields);
  }
  next->chars_len = bytes;
  next->nfields = p->row_fields;
  b->chars_len = from;
  b->nfields = first;
  b->lines = p->lines_done;
  /* the open row's line may now be 0 or negative: it began in the previous batch */
  p->lines_done = 0;
  p->batch = next;
}

void csv_segment_fail_read(csv_segment_parser_t *p, const vagap_error_t *e) {
  csv_batch_t *b = p->batch;
  b->lines = p->lines_done;
  if (b->failed) return; /* an error earlier in the input comes first */
  b->error = *e;
  b->error.line = current_line(p);
  b->error.column = 0;
  b->error_located = 1;
  b->failed = 1;
}

void csv_segment_end(csv_segment_parser_t *p, int at_end_of_input) {
  csv_batch_t *b = p->batch;
  if (b->failed) return;
  if (!at_end_of_input) {
    /* The reader cuts only after a line end outside quotes; a row still open
       here would be a reader bug, and must not pass as a short row. */
    if (p->row_fields || p->parser.entry_pos || p->parser.pstate != 0)
      fail(p, VAGAP_EPARSE, current_line(p), (long)p->row_fields + 1,
           "internal error: input segment ends inside a row");
    b->lines = p->lines_done;
    return;
  }
  if (reserve_for(p, 0)) {
    out_of_memory(p);
    return;
  }
  /* libcsv's csv_fini returns -1 and sets the status to CSV_EPARSE for an open quote */
  if (csv_fini(&p->parser, on_field, on_row, p) != 0 && !b->failed) {
    if (csv_error(&p->parser) == CSV_EPARSE)
      fail(p, VAGAP_EPARSE, current_line(p), (long)p->row_fields + 1,
           "unterminated quoted field (the quote opens on this line)");
    else
      out_of_memory(p);
  }
  b->lines = p->lines_done;
}
