/*
 * CSV reading over libcsv (strict mode).
 *
 * libcsv runs with CSV_REPALL_NL, so that it reports every line feed as the
 * end of a (possibly empty) row: that is how blank lines are seen (libcsv
 * skips them otherwise) and how physical line numbers are kept without a
 * second scan of the input.  Line feeds inside quoted fields are counted as
 * the fields arrive.  A line ends at LF, CRLF or a lone CR (old Mac files).
 * Completed rows are appended to an arena of fields; the streaming reader
 * empties the arena at each call, the in-memory table keeps it.
 */
#include "vagap/table.h"

#include <csv.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define READ_CHUNK ((size_t)1 << 18) /* bytes read from the file at a time */
#define FEED_BYTES ((size_t)1 << 16) /* longest piece handed to libcsv at once */

typedef struct {
  size_t first_field;
  size_t nfields;
  long line;
} row_entry_t;

struct vagap_reader {
  char *source;
  size_t source_id;
  vagap_ledger_t *ledger;
  vagap_table_options_t opt;

  /* missing-value tokens */
  char **na_tokens;
  size_t *na_lengths;
  size_t n_na;

  /* input: a gzip (or plain) stream, or a memory buffer */
  gzFile gz;
  const unsigned char *mem;
  size_t mem_size, mem_pos;
  unsigned char *chunk;
  size_t chunk_len, chunk_pos;
  int eof, finished, at_file_start;

  struct csv_parser parser;
  int parser_ready;

  /* position */
  long line;          /* physical line being fed (1-based) */
  long lines_done;      /* line feeds accounted for so far */
  long row_newlines;    /* line feeds inside the completed fields of the open row */
  int last_terminator;  /* terminator of the previous row ('\r' before a CRLF's LF) */
  int seen_quote;       /* a quote occurred in the input: fields may hold line feeds */
  int seen_nul;         /* a NUL occurred in the input: fields must be checked */
  size_t row_fields;  /* fields completed in the row being parsed */
  size_t row_bytes;   /* bytes of the row being parsed */

  /* arena of completed fields and rows */
  char *chars;
  size_t chars_len, chars_cap;
  size_t *field_off;
  size_t nfield, field_cap;
  row_entry_t *rows;
  size_t nrows, rows_cap, rows_head;
  int keep_rows; /* in-memory table: never empty the arena */

  /* header */
  size_t ncols;
  char **colnames;
  int have_header;

  /* the row handed out by vagap_reader_next */
  const char **out_fields;
  size_t *out_lengths;

  vagap_error_t pending; /* error raised inside a libcsv callback */
  int failed;
};

/* ---- options -------------------------------------------------------------- */

void vagap_table_options_init(vagap_table_options_t *opt) {
  opt->delim = ',';
  opt->na = ",NA,NaN";
  opt->max_field_bytes = VAGAP_DEFAULT_MAX_FIELD;
  opt->max_row_bytes = VAGAP_DEFAULT_MAX_ROW;
  opt->max_columns = VAGAP_DEFAULT_MAX_COLUMNS;
}

static int parse_na_tokens(vagap_reader_t *r) {
  const char *list = r->opt.na ? r->opt.na : "";
  size_t n = 1;
  for (const char *p = list; *p; p++) n += (*p == ',');
  r->na_tokens = calloc(n, sizeof *r->na_tokens);
  r->na_lengths = calloc(n, sizeof *r->na_lengths);
  if (!r->na_tokens || !r->na_lengths) return -1;
  const char *start = list;
  for (size_t k = 0; k < n; k++) {
    const char *comma = strchr(start, ',');
    size_t len = comma ? (size_t)(comma - start) : strlen(start);
    r->na_tokens[k] = strndup(start, len);
    if (!r->na_tokens[k]) return -1;
    r->na_lengths[k] = len;
    r->n_na = k + 1;
    start = comma ? comma + 1 : start + len;
  }
  return 0;
}

int vagap_reader_is_na(const vagap_reader_t *r, const char *s, size_t len) {
  for (size_t k = 0; k < r->n_na; k++)
    if (r->na_lengths[k] == len && memcmp(r->na_tokens[k], s, len) == 0) return 1;
  return 0;
}

/* ---- arena ------------------------------------------------------------------ */

static int reserve(void **array, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return 0;
  size_t cap2 = *cap ? *cap : 256;
  while (cap2 < need) cap2 *= 2;
  void *p = realloc(*array, cap2 * elem);
  if (!p) return -1;
  *array = p;
  *cap = cap2;
  return 0;
}

static void fail(vagap_reader_t *r, vagap_status_t status, long line, long column,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void fail(vagap_reader_t *r, vagap_status_t status, long line, long column,
                 const char *fmt, ...) {
  if (r->failed) return;
  char message[VAGAP_ERROR_MESSAGE_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  vagap_error_set(&r->pending, status, r->source, line, column, "%s", message);
  r->failed = 1;
}

static void out_of_memory(vagap_reader_t *r) {
  fail(r, VAGAP_ENOMEM, 0, 0, "out of memory");
}

/* ---- libcsv callbacks --------------------------------------------------------- */

/* The line the field being parsed starts on. */
static long current_line(const vagap_reader_t *r) { return r->lines_done + 1; }

static long count_newlines(const char *s, size_t len) {
  long n = 0;
  for (const char *p = s, *end = s + len; (p = memchr(p, '\n', (size_t)(end - p))); p++) n++;
  return n;
}

static void on_field(void *data, size_t len, void *ctx) {
  vagap_reader_t *r = ctx;
  if (r->failed) return;
  long column = (long)r->row_fields + 1;
  if (len > r->opt.max_field_bytes) {
    fail(r, VAGAP_ELIMIT, current_line(r), column,
         "field is longer than the limit of %zu bytes (--max-field)", r->opt.max_field_bytes);
    return;
  }
  if (r->seen_nul && len && memchr(data, '\0', len)) {
    fail(r, VAGAP_EPARSE, current_line(r), column, "field contains a NUL byte");
    return;
  }
  if (r->seen_quote && len) {
    long k = count_newlines(data, len);
    r->lines_done += k;
    r->row_newlines += k;
  }
  r->row_bytes += len + 1;
  if (r->row_bytes > r->opt.max_row_bytes) {
    fail(r, VAGAP_ELIMIT, current_line(r), column,
         "row is longer than the limit of %zu bytes", r->opt.max_row_bytes);
    return;
  }
  if (reserve((void **)&r->chars, &r->chars_cap, r->chars_len + len + 1, 1) ||
      reserve((void **)&r->field_off, &r->field_cap, r->nfield + 1, sizeof(size_t))) {
    out_of_memory(r);
    return;
  }
  r->field_off[r->nfield++] = r->chars_len;
  if (len) memcpy(r->chars + r->chars_len, data, len);
  r->chars_len += len;
  r->chars[r->chars_len++] = '\0';
  r->row_fields++;
}

static const char *arena_field(const vagap_reader_t *r, size_t k) { return r->chars + r->field_off[k]; }

static int compare_names(const void *a, const void *b, void *names) {
  size_t i = *(const size_t *)a, k = *(const size_t *)b;
  int c = strcmp(((char **)names)[i], ((char **)names)[k]);
  return c ? c : (i < k ? -1 : i > k);
}

/* Duplicated header names are an error naming the first repeat in file order.
   Sorting keeps this O(n log n) for very wide files. */
static void check_duplicate_names(vagap_reader_t *r) {
  size_t n = r->ncols, first = 0, second = SIZE_MAX;
  size_t *order = malloc((n ? n : 1) * sizeof *order);
  if (!order) { out_of_memory(r); return; }
  for (size_t j = 0; j < n; j++) order[j] = j;
  qsort_r(order, n, sizeof *order, compare_names, r->colnames);
  for (size_t j = 1; j < n; j++)
    if (strcmp(r->colnames[order[j]], r->colnames[order[j - 1]]) == 0 && order[j] < second) {
      first = order[j - 1];
      second = order[j];
    }
  free(order);
  if (second != SIZE_MAX)
    fail(r, VAGAP_ECOLUMN, 1, (long)second + 1,
         "duplicated column name '%s' (fields %zu and %zu)", r->colnames[second], first + 1, second + 1);
}

static void take_header(vagap_reader_t *r) {
  const size_t first = 0;
  size_t n = r->row_fields;
  if (n > r->opt.max_columns) {
    fail(r, VAGAP_ELIMIT, 1, (long)r->opt.max_columns + 1,
         "header has %zu columns, more than the limit of %zu", n, r->opt.max_columns);
    return;
  }
  r->colnames = calloc(n, sizeof *r->colnames);
  if (!r->colnames) { out_of_memory(r); return; }
  r->ncols = n;
  for (size_t j = 0; j < n; j++) {
    r->colnames[j] = strdup(arena_field(r, first + j));
    if (!r->colnames[j]) { out_of_memory(r); return; }
  }
  check_duplicate_names(r);
  r->have_header = 1;
  /* the header is the first row, and its names are copied: empty the arena */
  r->nfield = 0;
  r->chars_len = 0;
}

/* A row without fields: the LF of a CRLF, or a line holding nothing but blanks. */
static void on_empty_row(vagap_reader_t *r, int terminator) {
  int crlf = terminator == '\n' && r->last_terminator == '\r';
  if (!crlf && terminator != -1 && r->have_header && r->ledger) {
    vagap_ledger_add_read(r->ledger, r->source_id, 1);
    if (vagap_ledger_exclude(r->ledger, r->source_id, current_line(r), "blank line") != VAGAP_OK)
      out_of_memory(r);
  }
}

static void on_row(int terminator, void *ctx) {
  vagap_reader_t *r = ctx;
  if (r->failed) return;
  if (r->row_fields == 0) {
    on_empty_row(r, terminator);
    /* lines end at LF, CRLF or a lone CR: the LF of a CRLF arrives as an empty row */
    int crlf = terminator == '\n' && r->last_terminator == '\r';
    if (terminator == '\r' || (terminator == '\n' && !crlf)) r->lines_done++;
    r->last_terminator = terminator;
    return;
  }
  long row_line = r->lines_done + 1 - r->row_newlines;
  size_t first = r->nfield - r->row_fields;
  if (!r->have_header) {
    take_header(r);
  } else if (r->row_fields != r->ncols) {
    size_t col = r->row_fields < r->ncols ? r->row_fields + 1 : r->ncols + 1;
    fail(r, VAGAP_EPARSE, row_line, (long)col,
         "ragged row: %zu fields where the header has %zu", r->row_fields, r->ncols);
  } else if (reserve((void **)&r->rows, &r->rows_cap, r->nrows + 1, sizeof(row_entry_t))) {
    out_of_memory(r);
  } else {
    r->rows[r->nrows++] = (row_entry_t){first, r->row_fields, row_line};
  }
  if (terminator == '\n' || terminator == '\r') r->lines_done++;
  r->last_terminator = terminator;
  r->row_fields = 0;
  r->row_bytes = 0;
  r->row_newlines = 0;
}

/* ---- feeding ------------------------------------------------------------------ */

/* The line of a syntax error: line feeds in the field libcsv is still collecting count too. */
static long error_line(const vagap_reader_t *r) {
  return current_line(r) + count_newlines((const char *)r->parser.entry_buf, r->parser.entry_pos);
}

static void describe_parse_error(vagap_reader_t *r) {
  long column = (long)r->row_fields + 1;
  if (r->parser.quoted)
    fail(r, VAGAP_EPARSE, error_line(r), column,
         "text after the closing quote of a quoted field");
  else
    fail(r, VAGAP_EPARSE, error_line(r), column,
         "quote character inside an unquoted field (quote the whole field and double inner quotes)");
}

/* Hand `len` bytes to libcsv. */
static void feed(vagap_reader_t *r, const unsigned char *s, size_t len) {
  size_t done = csv_parse(&r->parser, s, len, on_field, on_row, r);
  if (r->failed) return;
  if (done != len) {
    if (csv_error(&r->parser) == CSV_EPARSE) describe_parse_error(r);
    else out_of_memory(r);
    return;
  }
  if (r->parser.entry_pos > r->opt.max_field_bytes)
    fail(r, VAGAP_ELIMIT, current_line(r), (long)r->row_fields + 1,
         "field is longer than the limit of %zu bytes (--max-field)", r->opt.max_field_bytes);
}

static void strip_bom(vagap_reader_t *r) {
  if (!r->at_file_start) return;
  if (r->chunk_len - r->chunk_pos >= 3 && memcmp(r->chunk + r->chunk_pos, "\xEF\xBB\xBF", 3) == 0)
    r->chunk_pos += 3;
  r->at_file_start = 0;
}

static int refill(vagap_reader_t *r) {
  if (r->mem) {
    size_t n = r->mem_size - r->mem_pos;
    if (n > READ_CHUNK) n = READ_CHUNK;
    memcpy(r->chunk, r->mem + r->mem_pos, n);
    r->mem_pos += n;
    r->chunk_len = n;
  } else {
    int n = gzread(r->gz, r->chunk, (unsigned)READ_CHUNK);
    if (n < 0) {
      int code;
      const char *msg = gzerror(r->gz, &code);
      /* zlib prefixes its message with the path, which the error record already has */
      size_t path_len = strlen(r->source);
      if (msg && strncmp(msg, r->source, path_len) == 0 && strncmp(msg + path_len, ": ", 2) == 0)
        msg += path_len + 2;
      fail(r, VAGAP_EIO, current_line(r), 0, "read error: %s", msg ? msg : "unknown");
      return -1;
    }
    r->chunk_len = (size_t)n;
  }
  r->chunk_pos = 0;
  if (r->chunk_len == 0) r->eof = 1;
  else strip_bom(r);
  /* sticky flags let the per-field checks be skipped on the usual clean input */
  if (!r->seen_quote && memchr(r->chunk, '"', r->chunk_len)) r->seen_quote = 1;
  if (!r->seen_nul && memchr(r->chunk, '\0', r->chunk_len)) r->seen_nul = 1;
  return 0;
}

static void finish_input(vagap_reader_t *r) {
  /* libcsv's csv_fini returns -1 and sets the status to CSV_EPARSE for an open quote */
  if (csv_fini(&r->parser, on_field, on_row, r) != 0 && !r->failed) {
    if (csv_error(&r->parser) == CSV_EPARSE)
      fail(r, VAGAP_EPARSE, current_line(r), (long)r->row_fields + 1,
           "unterminated quoted field (the quote opens on this line)");
    else
      out_of_memory(r);
  }
  r->finished = 1;
}

/* Feed input until at least one more row is complete or the input ends. */
static void pump(vagap_reader_t *r) {
  size_t target = r->nrows + 1;
  while (!r->failed && !r->finished && r->nrows < target) {
    if (r->chunk_pos == r->chunk_len) {
      if (r->eof || refill(r) || r->eof) {
        if (!r->failed) finish_input(r);
        break;
      }
    }
    const unsigned char *start = r->chunk + r->chunk_pos;
    size_t len = r->chunk_len - r->chunk_pos;
    if (len > FEED_BYTES) len = FEED_BYTES; /* bounds the field buffer between cap checks */
    r->chunk_pos += len;
    feed(r, start, len);
  }
}

/* ---- opening ------------------------------------------------------------------- */

static vagap_status_t reader_init(vagap_reader_t **out, const char *name,
                                  const vagap_table_options_t *opt,
                                  vagap_ledger_t *ledger, vagap_error_t *err) {
  vagap_reader_t *r = calloc(1, sizeof *r);
  if (!r) return vagap_error_set(err, VAGAP_ENOMEM, name, 0, 0, "out of memory");
  *out = r;
  if (opt) r->opt = *opt;
  else vagap_table_options_init(&r->opt);
  if (r->opt.max_field_bytes == 0) r->opt.max_field_bytes = VAGAP_DEFAULT_MAX_FIELD;
  if (r->opt.max_row_bytes == 0) r->opt.max_row_bytes = VAGAP_DEFAULT_MAX_ROW;
  if (r->opt.max_columns == 0) r->opt.max_columns = VAGAP_DEFAULT_MAX_COLUMNS;
  if (r->opt.delim == '"' || r->opt.delim == '\n' || r->opt.delim == '\r' || r->opt.delim == '\0')
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "invalid field delimiter");
  r->source = strdup(name);
  r->chunk = malloc(READ_CHUNK);
  if (!r->source || !r->chunk || parse_na_tokens(r))
    return vagap_error_set(err, VAGAP_ENOMEM, name, 0, 0, "out of memory");
  if (csv_init(&r->parser, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL) != 0)
    return vagap_error_set(err, VAGAP_ENOMEM, name, 0, 0, "out of memory");
  r->parser_ready = 1;
  csv_set_delim(&r->parser, (unsigned char)r->opt.delim);
  r->ledger = ledger;
  if (ledger) {
    r->source_id = vagap_ledger_source(ledger, name);
    if (r->source_id == (size_t)-1) return vagap_error_set(err, VAGAP_ENOMEM, name, 0, 0, "out of memory");
  }
  r->at_file_start = 1;
  return VAGAP_OK;
}

static vagap_status_t read_header(vagap_reader_t *r, vagap_error_t *err) {
  while (!r->have_header && !r->failed && !r->finished) pump(r);
  if (r->failed) {
    if (err) *err = r->pending;
    return r->pending.status;
  }
  if (!r->have_header)
    return vagap_error_set(err, VAGAP_EPARSE, r->source, 1, 0, "empty input: no header row");
  r->out_fields = calloc(r->ncols ? r->ncols : 1, sizeof *r->out_fields);
  r->out_lengths = calloc(r->ncols ? r->ncols : 1, sizeof *r->out_lengths);
  if (!r->out_fields || !r->out_lengths)
    return vagap_error_set(err, VAGAP_ENOMEM, r->source, 0, 0, "out of memory");
  return VAGAP_OK;
}

vagap_status_t vagap_reader_open(vagap_reader_t **out, const char *path,
                                 const vagap_table_options_t *opt,
                                 vagap_ledger_t *ledger, vagap_error_t *err) {
  *out = NULL;
  int from_stdin = strcmp(path, "-") == 0;
  vagap_reader_t *r;
  vagap_status_t st = reader_init(&r, from_stdin ? "<stdin>" : path, opt, ledger, err);
  if (st == VAGAP_OK) {
    r->gz = from_stdin ? gzdopen(dup(0), "rb") : gzopen(path, "rb");
    if (!r->gz) st = vagap_error_set(err, VAGAP_EIO, r->source, 0, 0, "cannot open: %m");
    else gzbuffer(r->gz, (unsigned)READ_CHUNK);
  }
  if (st == VAGAP_OK) st = read_header(r, err);
  if (st != VAGAP_OK) {
    vagap_reader_close(r);
    return st;
  }
  *out = r;
  return VAGAP_OK;
}

vagap_status_t vagap_reader_open_memory(vagap_reader_t **out, const char *name,
                                        const void *data, size_t size,
                                        const vagap_table_options_t *opt,
                                        vagap_ledger_t *ledger, vagap_error_t *err) {
  *out = NULL;
  vagap_reader_t *r;
  vagap_status_t st = reader_init(&r, name, opt, ledger, err);
  if (st == VAGAP_OK) {
    r->mem = data ? data : (const void *)"";
    r->mem_size = size;
    st = read_header(r, err);
  }
  if (st != VAGAP_OK) {
    vagap_reader_close(r);
    return st;
  }
  *out = r;
  return VAGAP_OK;
}

void vagap_reader_close(vagap_reader_t *r) {
  if (!r) return;
  if (r->gz) gzclose(r->gz);
  if (r->parser_ready) csv_free(&r->parser);
  for (size_t k = 0; k < r->n_na; k++) free(r->na_tokens[k]);
  free(r->na_tokens);
  free(r->na_lengths);
  for (size_t j = 0; j < r->ncols && r->colnames; j++) free(r->colnames[j]);
  free(r->colnames);
  free(r->chars);
  free(r->field_off);
  free(r->rows);
  free(r->out_fields);
  free(r->out_lengths);
  free(r->chunk);
  free(r->source);
  free(r);
}

size_t vagap_reader_ncols(const vagap_reader_t *r) { return r->ncols; }
const char *vagap_reader_colname(const vagap_reader_t *r, size_t j) { return j < r->ncols ? r->colnames[j] : NULL; }
const char *vagap_reader_source(const vagap_reader_t *r) { return r->source; }
size_t vagap_reader_source_id(const vagap_reader_t *r) { return r->source_id; }

static vagap_status_t missing_column(const char *source, const char *name, char *const *names,
                                     size_t n, vagap_error_t *err) {
  char list[VAGAP_ERROR_MESSAGE_MAX / 2];
  size_t used = 0;
  list[0] = '\0';
  for (size_t j = 0; j < n && used + 8 < sizeof list; j++) {
    int w = snprintf(list + used, sizeof list - used, "%s%s", j ? ", " : "", names[j]);
    if (w < 0 || (size_t)w >= sizeof list - used) {
      snprintf(list + used, sizeof list - used, ", ...");
      break;
    }
    used += (size_t)w;
  }
  return vagap_error_set(err, VAGAP_ECOLUMN, source, 1, 0,
                         "no column named '%s'; the columns are: %s", name, list);
}

vagap_status_t vagap_reader_column(const vagap_reader_t *r, const char *name,
                                   size_t *index, vagap_error_t *err) {
  for (size_t j = 0; j < r->ncols; j++)
    if (strcmp(r->colnames[j], name) == 0) {
      *index = j;
      return VAGAP_OK;
    }
  return missing_column(r->source, name, r->colnames, r->ncols, err);
}

vagap_status_t vagap_reader_next(vagap_reader_t *r, vagap_row_t *row, int *has_row,
                                 vagap_error_t *err) {
  *has_row = 0;
  if (r->rows_head == r->nrows && !r->keep_rows) {
    r->nrows = r->rows_head = 0;
    size_t open_first = r->nfield - r->row_fields; /* fields of a row still being parsed */
    size_t open_chars = r->row_fields ? r->field_off[open_first] : r->chars_len;
    memmove(r->chars, r->chars + open_chars, r->chars_len - open_chars);
    for (size_t k = 0; k < r->row_fields; k++) r->field_off[k] = r->field_off[open_first + k] - open_chars;
    r->chars_len -= open_chars;
    r->nfield = r->row_fields;
  }
  if (r->rows_head == r->nrows) pump(r);
  if (r->failed) {
    if (err) *err = r->pending;
    return r->pending.status;
  }
  if (r->rows_head == r->nrows) return VAGAP_OK;
  const row_entry_t *e = &r->rows[r->rows_head++];
  for (size_t j = 0; j < e->nfields; j++) {
    size_t k = e->first_field + j;
    r->out_fields[j] = r->chars + r->field_off[k];
    size_t end = k + 1 < r->nfield ? r->field_off[k + 1] : r->chars_len;
    r->out_lengths[j] = end - r->field_off[k] - 1;
  }
  row->nfields = e->nfields;
  row->fields = r->out_fields;
  row->lengths = r->out_lengths;
  row->line = e->line;
  if (r->ledger) vagap_ledger_add_read(r->ledger, r->source_id, 1);
  *has_row = 1;
  return VAGAP_OK;
}

static vagap_status_t locate_number_error(const char *source, long line, size_t j,
                                          const char *colname, vagap_error_t *err) {
  char detail[VAGAP_ERROR_MESSAGE_MAX / 2];
  snprintf(detail, sizeof detail, "%.*s", (int)sizeof detail - 1, err ? err->message : "");
  return vagap_error_set(err, VAGAP_EDATA, source, line, (long)j + 1, "column '%.200s': %s",
                         colname, detail);
}

vagap_status_t vagap_reader_number(const vagap_reader_t *r, const vagap_row_t *row,
                                   size_t j, double *out, vagap_error_t *err) {
  const char *s = row->fields[j];
  size_t len = row->lengths[j];
  if (vagap_reader_is_na(r, s, len)) {
    *out = NAN;
    return VAGAP_OK;
  }
  if (vagap_parse_double(s, len, out, err) == VAGAP_OK) return VAGAP_OK;
  return locate_number_error(r->source, row->line, j, r->colnames[j], err);
}

/* ---- in-memory table ------------------------------------------------------------ */

struct vagap_table {
  vagap_reader_t *reader; /* owns the arena, names and options */
  size_t nrows;
  long *lines;
};

static vagap_status_t table_fill(vagap_table_t *t, vagap_error_t *err) {
  vagap_reader_t *r = t->reader;
  r->keep_rows = 1;
  while (!r->failed && !r->finished) pump(r);
  if (r->failed) {
    if (err) *err = r->pending;
    return r->pending.status;
  }
  t->nrows = r->nrows;
  if (r->ledger) vagap_ledger_add_read(r->ledger, r->source_id, r->nrows);
  t->lines = malloc((t->nrows ? t->nrows : 1) * sizeof *t->lines);
  if (!t->lines) return vagap_error_set(err, VAGAP_ENOMEM, r->source, 0, 0, "out of memory");
  for (size_t i = 0; i < t->nrows; i++) t->lines[i] = r->rows[i].line;
  return VAGAP_OK;
}

static vagap_status_t table_from_reader(vagap_table_t **out, vagap_reader_t *r, vagap_status_t st,
                                        vagap_error_t *err) {
  *out = NULL;
  if (st != VAGAP_OK) return st;
  vagap_table_t *t = calloc(1, sizeof *t);
  if (!t) {
    vagap_reader_close(r);
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  }
  t->reader = r;
  st = table_fill(t, err);
  if (st != VAGAP_OK) {
    vagap_table_free(t);
    return st;
  }
  *out = t;
  return VAGAP_OK;
}

vagap_status_t vagap_table_read(vagap_table_t **out, const char *path,
                                const vagap_table_options_t *opt,
                                vagap_ledger_t *ledger, vagap_error_t *err) {
  vagap_reader_t *r = NULL;
  vagap_status_t st = vagap_reader_open(&r, path, opt, ledger, err);
  return table_from_reader(out, r, st, err);
}

vagap_status_t vagap_table_read_memory(vagap_table_t **out, const char *name,
                                       const void *data, size_t size,
                                       const vagap_table_options_t *opt,
                                       vagap_ledger_t *ledger, vagap_error_t *err) {
  vagap_reader_t *r = NULL;
  vagap_status_t st = vagap_reader_open_memory(&r, name, data, size, opt, ledger, err);
  return table_from_reader(out, r, st, err);
}

void vagap_table_free(vagap_table_t *t) {
  if (!t) return;
  vagap_reader_close(t->reader);
  free(t->lines);
  free(t);
}

size_t vagap_table_nrows(const vagap_table_t *t) { return t->nrows; }
size_t vagap_table_ncols(const vagap_table_t *t) { return t->reader->ncols; }
const char *vagap_table_colname(const vagap_table_t *t, size_t j) { return vagap_reader_colname(t->reader, j); }
const char *vagap_table_source(const vagap_table_t *t) { return t->reader->source; }
size_t vagap_table_source_id(const vagap_table_t *t) { return t->reader->source_id; }
long vagap_table_line(const vagap_table_t *t, size_t i) { return i < t->nrows ? t->lines[i] : 0; }

const char *vagap_table_cell(const vagap_table_t *t, size_t i, size_t j, size_t *len) {
  const vagap_reader_t *r = t->reader;
  size_t k = i * r->ncols + j;
  if (len) {
    size_t end = k + 1 < r->nfield ? r->field_off[k + 1] : r->chars_len;
    *len = end - r->field_off[k] - 1;
  }
  return r->chars + r->field_off[k];
}

int vagap_table_is_na(const vagap_table_t *t, size_t i, size_t j) {
  size_t len;
  const char *s = vagap_table_cell(t, i, j, &len);
  return vagap_reader_is_na(t->reader, s, len);
}

vagap_status_t vagap_table_column(const vagap_table_t *t, const char *name, size_t *index,
                                  vagap_error_t *err) {
  return vagap_reader_column(t->reader, name, index, err);
}

vagap_status_t vagap_table_numeric(const vagap_table_t *t, size_t j, double *out,
                                   vagap_error_t *err) {
  for (size_t i = 0; i < t->nrows; i++) {
    size_t len;
    const char *s = vagap_table_cell(t, i, j, &len);
    if (vagap_reader_is_na(t->reader, s, len)) {
      out[i] = NAN;
      continue;
    }
    if (vagap_parse_double(s, len, &out[i], err) != VAGAP_OK)
      return locate_number_error(t->reader->source, t->lines[i], j, t->reader->colnames[j], err);
  }
  return VAGAP_OK;
}

vagap_status_t vagap_table_numeric_columns(const vagap_table_t *t, const size_t *cols,
                                           size_t ncols, double *const *out, int inferring,
                                           int *is_numeric, vagap_error_t *err) {
  if (is_numeric)
    for (size_t k = 0; k < ncols; k++) is_numeric[k] = 1;
  for (size_t i = 0; i < t->nrows; i++)
    for (size_t k = 0; k < ncols; k++) {
      if (is_numeric && !is_numeric[k]) continue;
      size_t len, j = cols[k];
      const char *s = vagap_table_cell(t, i, j, &len);
      if (vagap_reader_is_na(t->reader, s, len)) {
        out[k][i] = NAN;
      } else if (vagap_parse_double(s, len, &out[k][i], inferring ? NULL : err) != VAGAP_OK) {
        if (!inferring)
          return locate_number_error(t->reader->source, t->lines[i], j, t->reader->colnames[j], err);
        is_numeric[k] = 0;
      }
    }
  return VAGAP_OK;
}
