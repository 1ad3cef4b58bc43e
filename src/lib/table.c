/*
 * CSV reading: the input is cut into segments that start at the beginning of
 * a row, worker threads parse them with libcsv (csv_segment.c), and the
 * caller receives their rows in input order.
 *
 * Cutting.  A segment ends just after a line end (LF, or a CR not followed by
 * LF) before which the segment holds an even number of quote characters.  In
 * well-formed CSV, quotes come only in pairs around and inside quoted fields,
 * so such a line end is outside quotes and the next segment starts a row.
 * In malformed input the first error lies in a segment that starts where a
 * single parser would be, so it is reported exactly as a single parser
 * would; later segments are never looked at.
 *
 * Threads.  Workers take turns at the input (input_lock keeps the cutting in
 * sequence order), parse their segment alone, and publish it in a slot.  The
 * caller's thread alone touches the ledger, so blank lines and errors are
 * recorded in input order, whatever the number of threads.  At most
 * IN_FLIGHT segments are cut and not yet consumed, which bounds memory.
 */
#include "vagap/table.h"

#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv_segment.h"
#include "gzip_input.h"
#include "grow.h"
#include "jsonl.h"
#include "table_cells.h"
#include "table_hook.h"
#include "table_typed.h"
#include "transcode.h"

#define READ_BYTES ((size_t)1 << 18)     /* bytes read at a time while looking for the header */
#define SEGMENT_BYTES ((size_t)1 << 20)  /* default input per parsing task */
#define MAX_SEGMENT_BYTES ((size_t)1 << 28) /* larger requests are capped (no overflow below) */
#define MAX_THREADS 4
#define IN_FLIGHT (2 * MAX_THREADS + 2)  /* segments cut but not yet consumed */

typedef struct {
  unsigned char *bytes; /* the input of the segment */
  size_t len, cap;
  int last;             /* the last segment of the input */
  int read_failed;      /* the input broke off after `bytes` ... */
  vagap_error_t read_error; /* ... with this error */
  csv_batch_t batch;
  void *hook_state;     /* what the hook computed from the batch (table_hook.h) */
} segment_t;

struct vagap_reader {
  char *source;
  size_t source_id;
  vagap_ledger_t *ledger;
  vagap_table_options_t opt;

  /* missing-value tokens */
  char **na_tokens;
  size_t *na_lengths;
  size_t n_na;
  int na_numeric;         /* a token is also a number ("-99"): tokens are looked for first */

  /* input: a gzip (or plain) file, or a memory buffer */
  gzip_input_t *gz;
  const unsigned char *mem;
  size_t mem_size, mem_pos;
  int input_eof;          /* nothing more to read */
  int read_failed;        /* the input broke off (input_eof is set too) ... */
  vagap_error_t read_error; /* ... with this error, reported after the rows before it */
  unsigned char *carry;   /* bytes read but not yet in a segment */
  size_t carry_len, carry_cap;

  /* JSON Lines instead of CSV (jsonl.c makes the same rows) */
  int jsonl;
  jsonl_columns_t jsonl_columns;
  char *jsonl_path;       /* what the first pass reads (NULL: the memory buffer) */
  char *spool_path;       /* a copy of standard input or a pipe, removed once open */

  /* forgiving input (transcode.c) */
  unsigned char *converted; /* the whole input made UTF-8 from opt.encoding (read as mem) */
  size_t bad_utf8;        /* invalid UTF-8 bytes replaced by '?' so far ... */
  long bad_utf8_line;     /* ... the first on this line, */
  size_t bad_utf8_field;  /* in this field (1-based; 0: unknown), */
  unsigned bad_utf8_byte; /* with this value */
  int bad_utf8_told;      /* opt.warn has been called */

  /* opt.progress: bytes of the input consumed, of input_bytes (0: unknown) */
  size_t bytes_done, input_bytes;
  int progress_done;      /* the last call has been made */

  /* header */
  size_t ncols;
  char **colnames;
  long header_lines;      /* line ends up to the end of the header row */

  /* workers; `lock` guards the fields from `slots` to `free_segments` */
  pthread_t threads[MAX_THREADS];
  size_t nthreads;
  pthread_mutex_t input_lock;
  pthread_mutex_t lock;
  pthread_cond_t changed; /* broadcast on every change below */
  int sync_ready;
  segment_t *slots[IN_FLIGHT]; /* parsed segments, by sequence number modulo IN_FLIGHT */
  size_t in_flight;       /* at most this many out at once: 2 per thread and 2 more */
  size_t next_seq;        /* sequence number of the next segment to cut */
  size_t consumed_seq;    /* sequence number of the next segment to consume */
  int input_done;         /* the last segment has been cut */
  int stop;
  segment_t *free_segments[IN_FLIGHT];
  size_t nfree;
  segment_t segments[IN_FLIGHT];

  /* the caller's side */
  segment_t *cur;         /* segment whose rows are being handed out */
  size_t cur_row, cur_blank;
  long base_line;         /* line ends before the current segment */
  const char **out_fields;
  size_t *out_lengths;
  int failed;
  vagap_error_t pending;  /* the error every later call returns */

  reader_hook_t hook;     /* work on the workers (table_hook.h); hook.batch NULL: none */

  /* vagap_table_read_columns: the columns asked for, by name, and per column what
     is kept of it (made once the header is known); NULL: every column, converted */
  const char *const *names[2]; /* [USE_NUMBERS - 1]: converted; [USE_TEXT - 1]: text */
  size_t nnames[2];
  unsigned char *column_use;

  /* infer_numbers: how cells are converted (kept_as_text: the columns that are not) */
  struct csv_convert convert;
  unsigned char *kept_as_text;
  int typed_table;        /* the rows go to a typed table (table_fill), nowhere else */
  int fuse_numbers;       /* the parsers convert cells as they arrive (csv_batch_t.fused) */
};

enum { USE_NOTHING, USE_NUMBERS, USE_TEXT };

/* ---- options -------------------------------------------------------------- */

void vagap_table_options_init(vagap_table_options_t *opt) {
  opt->delim = ',';
  opt->na = ",NA,NaN";
  opt->max_field_bytes = VAGAP_DEFAULT_MAX_FIELD;
  opt->max_row_bytes = VAGAP_DEFAULT_MAX_ROW;
  opt->max_columns = VAGAP_DEFAULT_MAX_COLUMNS;
  opt->segment_bytes = 0;
  opt->threads = 0;
  opt->infer_numbers = 0;
  opt->input_format = VAGAP_INPUT_AUTO;
  opt->exclude_bad_rows = 0;
  opt->encoding = NULL;
  opt->decimal_comma = 0;
  opt->warn = NULL;
  opt->warn_ctx = NULL;
  opt->progress = NULL;
  opt->progress_ctx = NULL;
}

/* A cell as a number, with the reader's decimal mark. */
static vagap_status_t parse_cell(const vagap_reader_t *r, const char *s, size_t len, double *out,
                                 vagap_error_t *err) {
  if (!r->opt.decimal_comma) return vagap_parse_double(s, len, out, err);
  return vagap_parse_double_mark(s, len, 1, out, err);
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

/* JSON Lines: null and absent keys are empty fields, which must always be missing. */
static int add_empty_na_token(vagap_reader_t *r) {
  for (size_t k = 0; k < r->n_na; k++)
    if (r->na_lengths[k] == 0) return 0;
  char **tokens = realloc(r->na_tokens, (r->n_na + 1) * sizeof *tokens);
  if (!tokens) return -1;
  r->na_tokens = tokens;
  size_t *lengths = realloc(r->na_lengths, (r->n_na + 1) * sizeof *lengths);
  if (!lengths) return -1;
  r->na_lengths = lengths;
  if (!(r->na_tokens[r->n_na] = strdup(""))) return -1;
  r->na_lengths[r->n_na++] = 0;
  return 0;
}

static typed_text_t typed_text_of(const vagap_reader_t *r) {
  return (typed_text_t){r->na_tokens, r->na_lengths, r->n_na, r->opt.decimal_comma ? ',' : '.'};
}

/* Index of the missing-value token that s[0, len) is, or -1. */
static long na_index(const vagap_reader_t *r, const char *s, size_t len) {
  typed_text_t tt = typed_text_of(r);
  return typed_na_index(&tt, s, len);
}

int vagap_reader_is_na(const vagap_reader_t *r, const char *s, size_t len) {
  return na_index(r, s, len) >= 0;
}

/* Does any missing-value token read as a number (with either decimal mark)? */
static void note_numeric_na_tokens(vagap_reader_t *r) {
  r->na_numeric = 0;
  for (size_t k = 0; k < r->n_na; k++) {
    double x;
    if (vagap_parse_double_mark(r->na_tokens[k], r->na_lengths[k], 0, &x, NULL) == VAGAP_OK ||
        vagap_parse_double_mark(r->na_tokens[k], r->na_lengths[k], 1, &x, NULL) == VAGAP_OK)
      r->na_numeric = 1;
  }
}

/*
 * A cell as a number, NAN when it is a missing-value token; the parser's
 * error otherwise.  When no token is a number (the usual "", NA, NaN), the
 * number is tried first: most cells are numbers, and the tokens are looked
 * for only in the cells that are not.
 */
vagap_status_t reader_cell_number(const vagap_reader_t *r, const char *s, size_t len, double *out,
                                  vagap_error_t *err) {
  if (!r->na_numeric && parse_cell(r, s, len, out, NULL) == VAGAP_OK) return VAGAP_OK;
  if (na_index(r, s, len) >= 0) {
    *out = NAN;
    return VAGAP_OK;
  }
  return parse_cell(r, s, len, out, err);
}

/* ---- input ---------------------------------------------------------------------- */

/* Read up to `size` bytes into `dst`, fewer only at the end of the input or
   when it fails (*failed set and *err filled; the bytes before are stored). */
static size_t read_input(vagap_reader_t *r, unsigned char *dst, size_t size, int *failed,
                         vagap_error_t *err) {
  *failed = 0;
  if (r->mem) {
    size_t n = r->mem_size - r->mem_pos;
    if (n > size) n = size;
    memcpy(dst, r->mem + r->mem_pos, n);
    r->mem_pos += n;
    return n;
  }
  return gzip_input_read(r->gz, dst, size, failed, err);
}

/* Append up to `size` more input bytes to (bytes, len); sets input_eof at the
   end.  A read that fails ends the input too (read_failed): the bytes before
   the failure are appended and parsed, and the error follows their rows, so
   a truncated file is never taken for a complete one.  -1 only when out of memory. */
static int read_more(vagap_reader_t *r, unsigned char **bytes, size_t *len, size_t *cap,
                     size_t size, vagap_error_t *err) {
  /* a small buffer in memory needs no room beyond its own end */
  if (r->mem && size > r->mem_size - r->mem_pos) size = r->mem_size - r->mem_pos;
  if (size > INT_MAX / 2) size = INT_MAX / 2;
  if (size == 0) {
    r->input_eof = 1;
    return 0;
  }
  if (vagap_reserve((void **)bytes, cap, *len + size, 1)) {
    vagap_error_set(err, VAGAP_ENOMEM, r->source, 0, 0, "out of memory");
    return -1;
  }
  int failed;
  size_t n = read_input(r, *bytes + *len, size, &failed, &r->read_error);
  *len += n;
  if (failed) r->read_failed = 1;
  /* reads are short only at the end; a buffer in memory is at its end when it is used up
     (without this, a header alone in memory started a parsing thread for no rows) */
  if (failed || n < size || (r->mem && r->mem_pos == r->mem_size)) r->input_eof = 1;
  return 0;
}

/* ---- cutting the input into segments ---------------------------------------------- */

/* Number of bytes equal to '"' in s[0, len), eight at a time. */
static size_t count_quotes(const unsigned char *s, size_t len) {
  if (!memchr(s, '"', len)) return 0;
  const uint64_t ones = 0x0101010101010101ULL, low7 = 0x7F7F7F7F7F7F7F7FULL;
  size_t n = 0, i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t w;
    memcpy(&w, s + i, 8);
    uint64_t x = w ^ (ones * '"');                /* zero bytes where there was a quote */
    uint64_t zero = ~(((x & low7) + low7) | x | low7); /* 0x80 in exactly those bytes */
    n += (size_t)(((zero >> 7) * ones) >> 56);         /* their count, summed in the top byte */
  }
  for (; i < len; i++) n += s[i] == '"';
  return n;
}

/*
 * Where a segment of s[0, window) may end: just after the last line end with
 * an even number of quotes before it; 0 when there is none.  The bytes up to
 * `len` (>= window) tell whether a CR is followed by an LF; a CR at the very
 * end of them is not taken, since an LF may follow in the next read.
 */
static size_t last_row_end(const unsigned char *s, size_t window, size_t len) {
  size_t quotes = count_quotes(s, window), quotes_after = 0;
  for (size_t i = window; i-- > 0;) {
    unsigned char c = s[i];
    if (c == '"') {
      quotes_after++;
      continue;
    }
    int line_end = c == '\n' || (c == '\r' && i + 1 < len && s[i + 1] != '\n');
    if (line_end && (quotes - quotes_after) % 2 == 0) return i + 1;
  }
  return 0;
}

typedef enum {
  CUT_ROWS,      /* the segment ends between rows */
  CUT_LAST,      /* the segment ends with the input (or with a read error) */
  CUT_TOO_LONG   /* no row end in SEQUENTIAL_AFTER segment sizes: parse the rest on one thread */
} cut_t;

#define SEQUENTIAL_AFTER 8

/*
 * Fill `seg` with the next segment: the bytes carried over from the previous
 * cut, then input until about segment_bytes, cut after the last possible row
 * end (the window doubles while there is none).  Called under input_lock.
 */
static cut_t cut_segment(vagap_reader_t *r, segment_t *seg) {
  csv_batch_clear(&seg->batch);
  seg->len = 0;
  seg->last = 0;
  seg->read_failed = 0;
  size_t target = r->opt.segment_bytes;
  if (vagap_reserve((void **)&seg->bytes, &seg->cap, r->carry_len + 1, 1))
    goto oom;
  if (r->carry_len) memcpy(seg->bytes, r->carry, r->carry_len);
  seg->len = r->carry_len;
  r->carry_len = 0;
  for (;;) {
    while (seg->len < target && !r->input_eof)
      if (read_more(r, &seg->bytes, &seg->len, &seg->cap, target - seg->len, &seg->read_error)) {
        seg->read_failed = 1; /* what was read is still parsed */
        seg->last = 1;
        return CUT_LAST;
      }
    if (r->input_eof && seg->len <= target) {
      seg->last = 1;
      if (r->read_failed) {
        seg->read_failed = 1;
        seg->read_error = r->read_error;
      }
      return CUT_LAST;
    }
    /* the carried bytes may exceed the target (the header is read in large pieces) */
    size_t window = seg->len < target ? seg->len : target;
    size_t cut = r->jsonl ? jsonl_last_line_end(seg->bytes, window)
                          : last_row_end(seg->bytes, window, seg->len);
    if (cut) {
      if (vagap_reserve((void **)&r->carry, &r->carry_cap, seg->len - cut, 1)) goto oom;
      memcpy(r->carry, seg->bytes + cut, seg->len - cut);
      r->carry_len = seg->len - cut;
      seg->len = cut;
      return CUT_ROWS;
    }
    /* a long quoted stretch, CR-only line ends or a field over the cap:
       memory must stay bounded, so stop looking for a cut */
    if (r->jsonl && window > r->opt.max_row_bytes) {
      seg->last = 1; /* a line over the cap: jsonl_parse_segment reports it */
      return CUT_LAST;
    }
    if (!r->jsonl && target >= SEQUENTIAL_AFTER * r->opt.segment_bytes) return CUT_TOO_LONG;
    target *= 2;
  }
oom:
  vagap_error_set(&seg->batch.error, VAGAP_ENOMEM, r->source, 0, 0, "out of memory");
  seg->batch.failed = 1;
  seg->last = 1;
  return CUT_LAST;
}

static void parse_segment(vagap_reader_t *r, csv_segment_parser_t *parser, int parser_ok,
                          segment_t *seg) {
  if (seg->batch.failed) return; /* the cut failed: its error stands */
  if (!parser_ok) {
    vagap_error_set(&seg->batch.error, VAGAP_ENOMEM, r->source, 0, 0, "out of memory");
    seg->batch.failed = 1;
    return;
  }
  /* the fields' text is at most the segment's bytes plus a NUL each, which
     replaces a delimiter or line end; sizing it once spares repeated growth
     (the table takes these arrays over, so they start empty each time there) */
  (void)vagap_reserve((void **)&seg->batch.chars, &seg->batch.chars_cap, seg->len + 2, 1);
  if (r->jsonl) {
    jsonl_parse_segment(&r->jsonl_columns, &r->opt, r->source, seg->bytes, seg->len, seg->last,
                        seg->read_failed ? &seg->read_error : NULL, &seg->batch);
    return;
  }
  csv_segment_begin(parser, &seg->batch, r->ncols);
  csv_segment_feed(parser, seg->bytes, seg->len);
  if (seg->read_failed) csv_segment_fail_read(parser, &seg->read_error);
  else csv_segment_end(parser, seg->last);
}

/* ---- workers -------------------------------------------------------------------- */

/* A free segment and its sequence number, once fewer than in_flight are out; NULL when stopping. */
static segment_t *acquire_segment(vagap_reader_t *r, size_t *seq) {
  pthread_mutex_lock(&r->lock);
  while (!r->stop && !r->input_done && r->next_seq - r->consumed_seq >= r->in_flight)
    pthread_cond_wait(&r->changed, &r->lock);
  segment_t *seg = NULL;
  if (!r->stop && !r->input_done) {
    *seq = r->next_seq++;
    seg = r->free_segments[--r->nfree]; /* the in-flight bound leaves one free */
  }
  pthread_mutex_unlock(&r->lock);
  return seg;
}

/*
 * With infer_numbers: every cell of the batch as a number and its shape (how
 * its text follows from the number: table_typed.h), on the worker that
 * parsed it, noting the columns that hold text.  Converting is about as much
 * work as parsing on numeric files, and the workers share it.  A batch that
 * the parser converted as it went (fused) needs nothing more.
 */
static void convert_numbers(const vagap_reader_t *r, csv_batch_t *b) {
  size_t ncols = r->ncols;
  if (b->fused) return;
  if (vagap_reserve((void **)&b->values, &b->values_cap, b->nfields + 1, sizeof(double)) ||
      vagap_reserve((void **)&b->shapes, &b->shapes_cap, b->nfields + 1, 1) ||
      vagap_reserve((void **)&b->text_column, &b->text_cap, ncols + 1, 1)) {
    vagap_error_set(&b->error, VAGAP_ENOMEM, r->source, 0, 0, "out of memory");
    b->failed = 1;
    return;
  }
  /* a column not to be converted is not, as if it held text */
  for (size_t j = 0; j < ncols; j++) b->text_column[j] = r->kept_as_text && r->kept_as_text[j];
  for (size_t i = 0, k = 0; i < b->nrows; i++)
    for (size_t j = 0; j < ncols; j++, k++) {
      if (b->text_column[j]) continue; /* the table keeps this column's text */
      if (typed_cell_value(&r->convert, b->chars + b->field_off[k], csv_batch_field_len(b, k),
                           &b->values[k], &b->shapes[k]))
        b->text_column[j] = 1;
    }
}

static void repair_batch(const vagap_reader_t *r, csv_batch_t *b);

static void publish_segment(vagap_reader_t *r, segment_t *seg, size_t seq) {
  if (!seg->batch.failed || seg->batch.nrows) repair_batch(r, &seg->batch);
  if (r->opt.infer_numbers && !seg->batch.failed) convert_numbers(r, &seg->batch);
  if (r->hook.batch && !seg->batch.failed) r->hook.batch(r->hook.ctx, r, &seg->batch, &seg->hook_state);
  pthread_mutex_lock(&r->lock);
  if (seg->last) r->input_done = 1;
  r->slots[seq % IN_FLIGHT] = seg;
  pthread_cond_broadcast(&r->changed);
  pthread_mutex_unlock(&r->lock);
}

static void mark_input_done(vagap_reader_t *r) {
  pthread_mutex_lock(&r->lock);
  r->input_done = 1;
  pthread_cond_broadcast(&r->changed);
  pthread_mutex_unlock(&r->lock);
}

/*
 * Parse `seg` and the rest of the input on this thread, handing out the rows
 * completed after each read.  Called under input_lock, which it keeps.
 */
static void parse_rest_in_sequence(vagap_reader_t *r, csv_segment_parser_t *parser,
                                   segment_t *seg, size_t seq) {
  csv_segment_begin(parser, &seg->batch, r->ncols);
  csv_segment_feed(parser, seg->bytes, seg->len);
  for (;;) {
    if (!seg->batch.failed && r->input_eof) {
      if (r->read_failed) csv_segment_fail_read(parser, &r->read_error);
      else csv_segment_end(parser, 1);
    }
    if (seg->batch.failed || r->input_eof) {
      seg->last = 1;
      publish_segment(r, seg, seq);
      return;
    }
    size_t next_seq;
    segment_t *next = acquire_segment(r, &next_seq);
    if (!next) return; /* stopping */
    csv_segment_continue(parser, &next->batch);
    publish_segment(r, seg, seq);
    seg = next;
    seq = next_seq;
    seg->len = 0;
    seg->last = 0;
    vagap_error_t read_error;
    if (read_more(r, &seg->bytes, &seg->len, &seg->cap, r->opt.segment_bytes, &read_error))
      csv_segment_fail_read(parser, &read_error);
    else
      csv_segment_feed(parser, seg->bytes, seg->len);
  }
}

static void *worker_main(void *arg) {
  vagap_reader_t *r = arg;
  csv_segment_parser_t parser;
  int parser_ok = csv_segment_init(&parser, &r->opt, r->source) == 0;
  if (r->fuse_numbers) parser.convert = &r->convert;
  for (;;) {
    pthread_mutex_lock(&r->input_lock);
    size_t seq;
    segment_t *seg = acquire_segment(r, &seq);
    if (!seg) {
      pthread_mutex_unlock(&r->input_lock);
      break;
    }
    cut_t cut = cut_segment(r, seg);
    if (cut == CUT_TOO_LONG && parser_ok) {
      parse_rest_in_sequence(r, &parser, seg, seq);
      pthread_mutex_unlock(&r->input_lock);
      break;
    }
    if (cut != CUT_ROWS) {
      seg->last = 1;
      mark_input_done(r);
    }
    pthread_mutex_unlock(&r->input_lock);
    parse_segment(r, &parser, parser_ok, seg);
    publish_segment(r, seg, seq);
  }
  if (parser_ok) csv_segment_free(&parser);
  return NULL;
}

/* The CPUs this process may run on (its affinity mask: `taskset -c 0` gives 1), else
   those online: more parsing threads than that only take turns. */
static size_t usable_cpus(void) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return (size_t)CPU_COUNT(&set);
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  return cpus > 0 ? (size_t)cpus : 1;
}

static size_t thread_count(const vagap_reader_t *r) {
  size_t n = r->opt.threads;
  if (n == 0) n = usable_cpus();
  if (n > MAX_THREADS) n = MAX_THREADS;
  /* input that is already read whole needs no more than one */
  if (r->input_eof && r->carry_len <= r->opt.segment_bytes) n = 1;
  return n;
}

static vagap_status_t start_workers(vagap_reader_t *r, vagap_error_t *err) {
  for (size_t k = 0; k < IN_FLIGHT; k++) r->free_segments[r->nfree++] = &r->segments[k];
  if (r->input_eof && r->carry_len == 0 && !r->read_failed) {
    r->input_done = 1; /* nothing after the header */
    return VAGAP_OK;
  }
  size_t want = thread_count(r);
  /* segments waiting for a caller that is slower than the parsers are memory
     that buys nothing: each thread may be two ahead */
  r->in_flight = 2 * want + 2;
  for (size_t k = 0; k < want; k++) {
    if (pthread_create(&r->threads[k], NULL, worker_main, r) != 0) break;
    r->nthreads++;
  }
  if (r->nthreads == 0)
    return vagap_error_set(err, VAGAP_ENOMEM, r->source, 0, 0, "cannot start a parsing thread");
  return VAGAP_OK;
}

static void stop_workers(vagap_reader_t *r) {
  if (!r->sync_ready) return;
  pthread_mutex_lock(&r->lock);
  r->stop = 1;
  pthread_cond_broadcast(&r->changed);
  pthread_mutex_unlock(&r->lock);
  for (size_t k = 0; k < r->nthreads; k++) pthread_join(r->threads[k], NULL);
  r->nthreads = 0;
}

/* ---- the caller's side ----------------------------------------------------------- */

/* The next segment in input order, or NULL at the end of the input. */
static segment_t *await_segment(vagap_reader_t *r) {
  pthread_mutex_lock(&r->lock);
  size_t seq = r->consumed_seq;
  segment_t *seg;
  while (!(seg = r->slots[seq % IN_FLIGHT]) && !(r->input_done && seq == r->next_seq))
    pthread_cond_wait(&r->changed, &r->lock);
  r->slots[seq % IN_FLIGHT] = NULL;
  pthread_mutex_unlock(&r->lock);
  return seg;
}

static void release_segment(vagap_reader_t *r, segment_t *seg) {
  pthread_mutex_lock(&r->lock);
  r->free_segments[r->nfree++] = seg;
  r->consumed_seq++;
  pthread_cond_broadcast(&r->changed);
  pthread_mutex_unlock(&r->lock);
}

/* Record the current segment's blank lines that come before relative line `before`. */
static vagap_status_t flush_blank_lines(vagap_reader_t *r, long before) {
  const csv_batch_t *b = &r->cur->batch;
  for (; r->cur_blank < b->nblank && b->blank_line[r->cur_blank] < before; r->cur_blank++) {
    if (!r->ledger) continue;
    vagap_ledger_add_read(r->ledger, r->source_id, 1);
    char reason[96] = "blank line";
    size_t nfields = b->blank_fields ? b->blank_fields[r->cur_blank] : 0;
    if (nfields) /* a ragged row left out (exclude_bad_rows) */
      snprintf(reason, sizeof reason, "ragged row: %zu fields where the header has %zu", nfields,
               r->ncols);
    if (vagap_ledger_exclude(r->ledger, r->source_id, r->base_line + b->blank_line[r->cur_blank],
                             reason) != VAGAP_OK)
      return vagap_error_set(&r->pending, VAGAP_ENOMEM, r->source, 0, 0, "out of memory");
  }
  return VAGAP_OK;
}

static vagap_status_t fail_with(vagap_reader_t *r, vagap_error_t *err) {
  r->failed = 1;
  if (err) *err = r->pending;
  return r->pending.status;
}

/* The separator a one-field header seems to use instead of opt.delim, or 0. */
static char likely_delimiter(char *const *names, size_t n, char delim) {
  static const char candidates[] = {';', '\t', '|', ','};
  if (n != 1) return 0;
  for (size_t k = 0; k < sizeof candidates; k++)
    if (candidates[k] != delim && strchr(names[0], candidates[k])) return candidates[k];
  return 0;
}

static const char *delimiter_hint(char d) {
  switch (d) {
  case ';': return "; the header is one field holding ';': is the file separated by semicolons "
                   "(--delim ';')?";
  case '\t': return "; the header is one field holding tabs: is the file separated by tabs "
                    "(--delim tab)?";
  case '|': return "; the header is one field holding '|': is the file separated by '|' (--delim '|')?";
  case ',': return "; the header is one field holding ',': is the file separated by commas "
                   "(--delim ',')?";
  default: return "";
  }
}

/* A ragged row under a one-field header: say which separator the header seems to use. */
static void append_delimiter_hint(const vagap_reader_t *r, vagap_error_t *e) {
  char d = likely_delimiter(r->colnames, r->ncols, r->opt.delim);
  if (!d || e->status != VAGAP_EPARSE || !strstr(e->message, "ragged row")) return;
  size_t used = strlen(e->message);
  snprintf(e->message + used, sizeof e->message - used, "%s", delimiter_hint(d));
}

/* Finish the current segment: its remaining blank lines, then its error if any. */
static vagap_status_t close_segment(vagap_reader_t *r) {
  segment_t *seg = r->cur;
  vagap_status_t st = flush_blank_lines(r, LONG_MAX);
  if (st == VAGAP_OK && seg->batch.failed) {
    r->pending = seg->batch.error;
    if (seg->batch.error_located) r->pending.line += r->base_line;
    append_delimiter_hint(r, &r->pending);
    st = r->pending.status;
  }
  r->base_line += seg->batch.lines;
  r->cur = NULL;
  r->bytes_done += seg->len;
  release_segment(r, seg);
  if (r->opt.progress && !r->progress_done && st == VAGAP_OK) {
    size_t total = r->input_bytes >= r->bytes_done ? r->input_bytes : 0;
    r->opt.progress(r->source, r->bytes_done, total, r->opt.progress_ctx);
  }
  return st;
}

static void note_batch_utf8(vagap_reader_t *r, const csv_batch_t *b);

/* Make r->cur a segment with a row left to hand out; NULL cur at the end of input. */
static vagap_status_t next_segment_with_rows(vagap_reader_t *r) {
  while (!r->cur || r->cur_row == r->cur->batch.nrows) {
    if (r->cur) {
      vagap_status_t st = close_segment(r);
      if (st != VAGAP_OK) return st;
    }
    r->cur = await_segment(r);
    if (!r->cur) {
      if (r->opt.progress && !r->progress_done) { /* the end: the last call */
        r->progress_done = 1;
        r->opt.progress(r->source, r->bytes_done, r->bytes_done, r->opt.progress_ctx);
      }
      return VAGAP_OK;
    }
    r->cur_row = r->cur_blank = 0;
    note_batch_utf8(r, &r->cur->batch);
  }
  return VAGAP_OK;
}

/* ---- the header ------------------------------------------------------------------ */

static int compare_names(const void *a, const void *b, void *names) {
  size_t i = *(const size_t *)a, k = *(const size_t *)b;
  int c = strcmp(((char **)names)[i], ((char **)names)[k]);
  return c ? c : (i < k ? -1 : i > k);
}

/* Duplicated header names are an error naming the first repeat in file order.
   Sorting keeps this O(n log n) for very wide files. */
static vagap_status_t check_duplicate_names(vagap_reader_t *r, vagap_error_t *err) {
  size_t n = r->ncols, first = 0, second = SIZE_MAX;
  size_t *order = malloc((n ? n : 1) * sizeof *order);
  if (!order) return vagap_error_set(err, VAGAP_ENOMEM, r->source, 0, 0, "out of memory");
  for (size_t j = 0; j < n; j++) order[j] = j;
  qsort_r(order, n, sizeof *order, compare_names, r->colnames);
  for (size_t j = 1; j < n; j++)
    if (strcmp(r->colnames[order[j]], r->colnames[order[j - 1]]) == 0 && order[j] < second) {
      first = order[j - 1];
      second = order[j];
    }
  free(order);
  if (second == SIZE_MAX) return VAGAP_OK;
  return vagap_error_set(err, VAGAP_ECOLUMN, r->source, 1, (long)second + 1,
                         "duplicated column name '%s' (fields %zu and %zu)", r->colnames[second],
                         first + 1, second + 1);
}

/* ---- text that is not UTF-8 -------------------------------------------------------- */

/* Note n bytes replaced, the first at (line, field) with value `byte`. */
static void note_bad_utf8(vagap_reader_t *r, size_t n, long line, size_t field, unsigned byte) {
  if (!r->bad_utf8) {
    r->bad_utf8_line = line;
    r->bad_utf8_field = field;
    r->bad_utf8_byte = byte;
  }
  r->bad_utf8 += n;
}

/* Make s[0, len) valid UTF-8 in place (a header name: `line`, `field`). */
static void repair_text(vagap_reader_t *r, unsigned char *s, size_t len, long line, size_t field) {
  size_t first = 0;
  unsigned char byte = 0;
  size_t n = utf8_repair(s, len, &first, &byte);
  if (n) note_bad_utf8(r, n, line, field, byte);
}

/*
 * The rows of a batch made valid UTF-8 in place, on the worker that parsed
 * it (a pass over every byte, which the caller's thread need not make); the
 * first replacement is kept by field so that the caller, which takes batches
 * in input order, can locate it (note_batch_utf8).
 */
static void repair_batch(const vagap_reader_t *r, csv_batch_t *b) {
  size_t ncols = r->ncols, nrow_fields = b->nrows * ncols;
  b->bad_utf8 = 0;
  if (nrow_fields == 0) return;
  size_t end = nrow_fields < b->nfields ? b->field_off[nrow_fields] : b->chars_len;
  size_t first = 0;
  unsigned char byte = 0;
  size_t n = utf8_repair((unsigned char *)b->chars, end, &first, &byte);
  if (!n) return;
  size_t k = 0;
  while (k + 1 < nrow_fields && b->field_off[k + 1] <= first) k++;
  b->bad_utf8 = n;
  b->bad_utf8_field = k;
  b->bad_utf8_byte = byte;
}

/* The replacements the worker made in the current segment, in input order. */
static void note_batch_utf8(vagap_reader_t *r, const csv_batch_t *b) {
  if (!b->bad_utf8) return;
  size_t k = b->bad_utf8_field, ncols = r->ncols;
  note_bad_utf8(r, b->bad_utf8, r->base_line + b->row_line[k / ncols], k % ncols + 1,
                b->bad_utf8_byte);
}

/* Once the input is read: the warning about replaced bytes, if any. */
static void tell_bad_utf8(vagap_reader_t *r) {
  if (!r->bad_utf8 || r->bad_utf8_told || !r->opt.warn) return;
  r->bad_utf8_told = 1;
  char message[VAGAP_ERROR_MESSAGE_MAX];
  char byte[16] = "";
  if (r->bad_utf8_byte) snprintf(byte, sizeof byte, " (0x%02X)", r->bad_utf8_byte);
  snprintf(message, sizeof message,
           "%s:%ld:%zu: %zu byte%s of invalid UTF-8 replaced by '?', the first%s here; if the file "
           "is in another encoding, name it with --encoding (e.g. cp1252 or latin1)",
           r->source, r->bad_utf8_line, r->bad_utf8_field, r->bad_utf8, r->bad_utf8 == 1 ? "" : "s",
           byte);
  r->opt.warn(message, r->opt.warn_ctx);
}

static vagap_status_t take_column_names(vagap_reader_t *r, const csv_batch_t *header,
                                        vagap_error_t *err) {
  r->ncols = header->nfields;
  r->colnames = calloc(r->ncols ? r->ncols : 1, sizeof *r->colnames);
  r->out_fields = calloc(r->ncols ? r->ncols : 1, sizeof *r->out_fields);
  r->out_lengths = calloc(r->ncols ? r->ncols : 1, sizeof *r->out_lengths);
  if (!r->colnames || !r->out_fields || !r->out_lengths)
    return vagap_error_set(err, VAGAP_ENOMEM, r->source, 0, 0, "out of memory");
  for (size_t j = 0; j < r->ncols; j++) {
    if (!(r->colnames[j] = strdup(header->chars + header->field_off[j])))
      return vagap_error_set(err, VAGAP_ENOMEM, r->source, 0, 0, "out of memory");
    repair_text(r, (unsigned char *)r->colnames[j], strlen(r->colnames[j]), 1, j + 1);
  }
  return check_duplicate_names(r, err);
}

/* Position of the first line-end character in s[from, len), or len. */
static size_t next_line_end(const unsigned char *s, size_t from, size_t len) {
  for (size_t i = from; i < len; i++)
    if (s[i] == '\n' || s[i] == '\r') return i;
  return len;
}

/*
 * Parse the header row on the calling thread, a line at a time, so that the
 * rest of the input (left in carry) starts exactly at the next row.  The LF
 * of a CRLF that ends the header belongs to the header.
 */
static vagap_status_t parse_header(vagap_reader_t *r, csv_segment_parser_t *p, csv_batch_t *hb,
                                   vagap_error_t *err) {
  vagap_error_t local;
  if (!err) err = &local;
  size_t pos = 0;
  while (r->carry_len < 3 && !r->input_eof)
    if (read_more(r, &r->carry, &r->carry_len, &r->carry_cap, READ_BYTES, err)) return err->status;
  if (r->carry_len >= 3 && memcmp(r->carry, "\xEF\xBB\xBF", 3) == 0) pos = 3;
  csv_segment_begin(p, hb, 0);
  while (!hb->failed) {
    /* the header's line is incomplete, or its CR may be followed by an LF */
    int need_byte = !p->header_done || p->last_terminator == '\r';
    if (need_byte && pos == r->carry_len && !r->input_eof) {
      if (read_more(r, &r->carry, &r->carry_len, &r->carry_cap, READ_BYTES, err)) return err->status;
      continue;
    }
    if (p->header_done) {
      if (p->last_terminator == '\r' && pos < r->carry_len && r->carry[pos] == '\n')
        csv_segment_feed(p, r->carry + pos++, 1);
      break;
    }
    if (pos == r->carry_len) { /* the end of the input */
      if (r->read_failed) {
        *err = r->read_error;
        err->line = 1;
        return err->status;
      }
      csv_segment_end(p, 1);
      break;
    }
    size_t end = next_line_end(r->carry, pos, r->carry_len);
    if (end < r->carry_len) end++;
    csv_segment_feed(p, r->carry + pos, end - pos);
    pos = end;
  }
  if (hb->failed) {
    if (err) *err = hb->error;
    return hb->error.status;
  }
  if (!p->header_done)
    return vagap_error_set(err, VAGAP_EPARSE, r->source, 1, 0, "empty input: no header row");
  if (r->carry_len > pos) memmove(r->carry, r->carry + pos, r->carry_len - pos);
  r->carry_len -= pos;
  r->header_lines = p->lines_done;
  return take_column_names(r, hb, err);
}

static vagap_status_t read_header(vagap_reader_t *r, vagap_error_t *err) {
  csv_segment_parser_t parser;
  if (csv_segment_init(&parser, &r->opt, r->source) != 0)
    return vagap_error_set(err, VAGAP_ENOMEM, r->source, 0, 0, "out of memory");
  csv_batch_t header = {0};
  vagap_status_t st = parse_header(r, &parser, &header, err);
  csv_batch_free(&header);
  csv_segment_free(&parser);
  return st;
}

/* ---- opening ------------------------------------------------------------------- */

/* A positive whole number from the environment, else `fallback`. */
static size_t size_from_environment(const char *name, size_t fallback) {
  const char *s = getenv(name);
  if (!s || !*s) return fallback;
  char *end;
  unsigned long long n = strtoull(s, &end, 10);
  return (*end || n == 0 || *s == '-' || n > SIZE_MAX) ? fallback : (size_t)n;
}

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
  if (r->opt.segment_bytes == 0)
    r->opt.segment_bytes = size_from_environment("VAGAP_SEGMENT_BYTES", SEGMENT_BYTES);
  if (r->opt.segment_bytes > MAX_SEGMENT_BYTES) r->opt.segment_bytes = MAX_SEGMENT_BYTES;
  if (r->opt.threads == 0) r->opt.threads = size_from_environment("VAGAP_THREADS", 0);
  if (r->opt.delim == '"' || r->opt.delim == '\n' || r->opt.delim == '\r' || r->opt.delim == '\0')
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "invalid field delimiter");
  if (pthread_mutex_init(&r->input_lock, NULL) || pthread_mutex_init(&r->lock, NULL) ||
      pthread_cond_init(&r->changed, NULL))
    return vagap_error_set(err, VAGAP_ENOMEM, name, 0, 0, "out of memory");
  r->sync_ready = 1;
  r->source = strdup(name);
  if (!r->source || parse_na_tokens(r))
    return vagap_error_set(err, VAGAP_ENOMEM, name, 0, 0, "out of memory");
  r->jsonl = r->opt.input_format == VAGAP_INPUT_JSONL ||
             (r->opt.input_format == VAGAP_INPUT_AUTO && jsonl_name_is_jsonl(name));
  char probe[8];
  size_t skip;
  if (r->jsonl && transcode_choose(NULL, 0, r->opt.encoding, &skip, probe, sizeof probe))
    return vagap_error_set(err, VAGAP_EINVAL, name, 0, 0,
                           "JSON Lines input is UTF-8; --encoding applies to CSV only");
  if (r->jsonl) r->opt.decimal_comma = 0; /* JSON numbers always have a point */
  if (r->jsonl && add_empty_na_token(r))
    return vagap_error_set(err, VAGAP_ENOMEM, name, 0, 0, "out of memory");
  note_numeric_na_tokens(r);
  r->ledger = ledger;
  if (ledger) {
    r->source_id = vagap_ledger_source(ledger, name);
    if (r->source_id == (size_t)-1) return vagap_error_set(err, VAGAP_ENOMEM, name, 0, 0, "out of memory");
  }
  return VAGAP_OK;
}

/* JSON Lines: the columns from a first pass over the input; a byte-order mark is skipped. */
static vagap_status_t read_jsonl_columns(vagap_reader_t *r, vagap_error_t *err) {
  csv_batch_t names = {0};
  vagap_status_t st =
      r->jsonl_path ? jsonl_scan_file(r->jsonl_path, r->source, &r->opt, &r->jsonl_columns, &names, err)
                    : jsonl_scan_memory(r->mem, r->mem_size, r->source, &r->opt, &r->jsonl_columns,
                                        &names, err);
  if (st == VAGAP_OK) st = take_column_names(r, &names, err);
  csv_batch_free(&names);
  while (st == VAGAP_OK && r->carry_len < 3 && !r->input_eof)
    if (read_more(r, &r->carry, &r->carry_len, &r->carry_cap, 3 - r->carry_len, err)) st = err->status;
  if (st == VAGAP_OK && r->carry_len >= 3 && memcmp(r->carry, "\xEF\xBB\xBF", 3) == 0) {
    memmove(r->carry, r->carry + 3, r->carry_len - 3);
    r->carry_len -= 3;
  }
  return st;
}

/*
 * CSV in another encoding (opt.encoding, or a UTF-16 byte-order mark) is read
 * whole and converted to UTF-8 before parsing, then read from memory: the
 * cutting into segments and the parser see UTF-8 only.
 */
static vagap_status_t convert_encoding(vagap_reader_t *r, vagap_error_t *err) {
  vagap_error_t local;
  if (!err) err = &local;
  while (r->carry_len < 4 && !r->input_eof)
    if (read_more(r, &r->carry, &r->carry_len, &r->carry_cap, READ_BYTES, err)) return err->status;
  char name[64];
  size_t skip;
  const char *from = transcode_choose(r->carry, r->carry_len, r->opt.encoding, &skip, name,
                                      sizeof name);
  if (!from) return VAGAP_OK;
  while (!r->input_eof)
    if (read_more(r, &r->carry, &r->carry_len, &r->carry_cap, r->carry_len + READ_BYTES, err))
      return err->status;
  if (r->read_failed) {
    *err = r->read_error;
    return err->status;
  }
  size_t n;
  vagap_status_t st = transcode_to_utf8(r->carry + skip, r->carry_len - skip, from, r->source,
                                        &r->converted, &n, err);
  if (st != VAGAP_OK) return st;
  r->mem = r->converted;
  r->mem_size = n;
  r->input_bytes = n; /* progress counts the converted bytes */
  r->mem_pos = 0;
  r->carry_len = 0;
  r->input_eof = 0;
  return VAGAP_OK;
}

/* What is kept of each column, from the names asked for (names that are not
   columns are left to the caller, which reports them when it looks them up);
   a column named as both numbers and text is converted. */
static vagap_status_t choose_column_use(vagap_reader_t *r, vagap_error_t *err) {
  if (!r->names[0] && !r->names[1]) return VAGAP_OK;
  if (!(r->column_use = calloc(r->ncols ? r->ncols : 1, 1)))
    return vagap_error_set(err, VAGAP_ENOMEM, r->source, 0, 0, "out of memory");
  for (int use = USE_TEXT; use >= USE_NUMBERS; use--)
    for (size_t k = 0; k < r->nnames[use - 1]; k++)
      for (size_t j = 0; j < r->ncols; j++)
        if (r->names[use - 1][k] && strcmp(r->colnames[j], r->names[use - 1][k]) == 0)
          r->column_use[j] = (unsigned char)use;
  r->names[0] = r->names[1] = NULL; /* the caller's arrays need not outlive the opening */
  return VAGAP_OK;
}

/*
 * With infer_numbers: how cells are converted.  When the rows go only to a
 * typed table, the parsers convert each CSV cell as libcsv hands it over and
 * keep no text that follows from the number (csv_batch_t.fused): the text
 * is neither copied nor read a second time.  Other readers (rows handed out
 * as text, hooks) keep every cell's text, converted after parsing.
 */
static vagap_status_t prepare_conversion(vagap_reader_t *r, vagap_error_t *err) {
  if (!r->opt.infer_numbers) return VAGAP_OK;
  if (r->column_use) {
    if (!(r->kept_as_text = malloc(r->ncols ? r->ncols : 1)))
      return vagap_error_set(err, VAGAP_ENOMEM, r->source, 0, 0, "out of memory");
    for (size_t j = 0; j < r->ncols; j++) r->kept_as_text[j] = r->column_use[j] != USE_NUMBERS;
  }
  r->convert = (struct csv_convert){typed_text_of(r), r->na_numeric, r->kept_as_text};
  r->fuse_numbers = r->typed_table && !r->jsonl && !r->hook.batch;
  return VAGAP_OK;
}

static vagap_status_t reader_start(vagap_reader_t *r, vagap_error_t *err) {
  vagap_status_t st = r->jsonl ? read_jsonl_columns(r, err) : convert_encoding(r, err);
  if (st == VAGAP_OK && !r->jsonl) st = read_header(r, err);
  if (st == VAGAP_OK) st = choose_column_use(r, err);
  if (st == VAGAP_OK) st = prepare_conversion(r, err);
  if (st == VAGAP_OK && r->hook.begin) st = r->hook.begin(r->hook.ctx, r, err);
  if (st == VAGAP_OK) st = start_workers(r, err);
  r->base_line = r->header_lines;
  return st;
}

static void remove_spool(vagap_reader_t *r) {
  if (r->spool_path) unlink(r->spool_path);
  free(r->spool_path);
  r->spool_path = NULL;
}

/* The size of a regular file that is not gzip-compressed (progress); 0 when unknown. */
static size_t plain_file_size(const char *path) {
  struct stat st;
  if (!path || stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
  FILE *f = fopen(path, "rb");
  unsigned char magic[2] = {0, 0};
  size_t n = f ? fread(magic, 1, 2, f) : 0;
  if (f) fclose(f);
  if (n == 2 && magic[0] == 0x1F && magic[1] == 0x8B) return 0;
  return (size_t)st.st_size;
}

vagap_status_t vagap_reader_open(vagap_reader_t **out, const char *path,
                                 const vagap_table_options_t *opt,
                                 vagap_ledger_t *ledger, vagap_error_t *err) {
  return reader_open_hooked(out, path, opt, ledger, NULL, err);
}

/* vagap_table_read_columns' names: [0] converted, [1] kept as text (both NULL: all converted);
   typed_table: the reader fills a table (table_fill) and hands out no rows itself. */
typedef struct {
  const char *const *names[2];
  size_t n[2];
  int typed_table;
} infer_names_t;

static vagap_status_t reader_open_file(vagap_reader_t **out, const char *path,
                                       const vagap_table_options_t *opt, vagap_ledger_t *ledger,
                                       const reader_hook_t *hook, infer_names_t infer,
                                       vagap_error_t *err) {
  *out = NULL;
  int from_stdin = strcmp(path, "-") == 0;
  vagap_reader_t *r;
  vagap_status_t st = reader_init(&r, from_stdin ? "<stdin>" : path, opt, ledger, err);
  if (st == VAGAP_OK && hook) r->hook = *hook;
  for (int k = 0; k < 2 && st == VAGAP_OK; k++) r->names[k] = infer.names[k], r->nnames[k] = infer.n[k];
  if (st == VAGAP_OK) r->typed_table = infer.typed_table;
  if (st == VAGAP_OK && r->jsonl) { /* two passes: the first finds the columns */
    st = jsonl_spool_if_needed(path, r->source, &r->spool_path, err);
    if (st == VAGAP_OK && r->spool_path) {
      path = r->spool_path;
      from_stdin = 0;
    }
    if (st == VAGAP_OK && !(r->jsonl_path = strdup(path)))
      st = vagap_error_set(err, VAGAP_ENOMEM, r->source, 0, 0, "out of memory");
  }
  if (st == VAGAP_OK) {
    r->gz = gzip_input_open(from_stdin ? NULL : path, r->source, err);
    if (!r->gz) st = err ? err->status : VAGAP_EIO;
    r->input_bytes = plain_file_size(from_stdin ? NULL : path);
  }
  if (st == VAGAP_OK) st = reader_start(r, err);
  remove_spool(r); /* both passes have it open by now */
  if (st != VAGAP_OK) {
    vagap_reader_close(r);
    return st;
  }
  *out = r;
  return VAGAP_OK;
}

vagap_status_t reader_open_hooked(vagap_reader_t **out, const char *path,
                                  const vagap_table_options_t *opt, vagap_ledger_t *ledger,
                                  const reader_hook_t *hook, vagap_error_t *err) {
  return reader_open_file(out, path, opt, ledger, hook, (infer_names_t){{NULL, NULL}, {0, 0}, 0}, err);
}

static vagap_status_t reader_open_memory(vagap_reader_t **out, const char *name, const void *data,
                                         size_t size, const vagap_table_options_t *opt,
                                         vagap_ledger_t *ledger, int typed_table, vagap_error_t *err) {
  *out = NULL;
  vagap_reader_t *r;
  vagap_status_t st = reader_init(&r, name, opt, ledger, err);
  if (st == VAGAP_OK) {
    r->typed_table = typed_table;
    r->mem = data ? data : (const void *)"";
    r->mem_size = size;
    r->input_bytes = size;
    st = reader_start(r, err);
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
  stop_workers(r);
  if (r->sync_ready) {
    pthread_mutex_destroy(&r->input_lock);
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->changed);
  }
  gzip_input_close(r->gz);
  for (size_t k = 0; k < IN_FLIGHT; k++) {
    free(r->segments[k].bytes);
    csv_batch_free(&r->segments[k].batch);
    if (r->hook.free_state) r->hook.free_state(r->segments[k].hook_state);
  }
  for (size_t k = 0; k < r->n_na; k++) free(r->na_tokens[k]);
  free(r->na_tokens);
  free(r->na_lengths);
  for (size_t j = 0; j < r->ncols && r->colnames; j++) free(r->colnames[j]);
  free(r->colnames);
  free(r->carry);
  free(r->out_fields);
  free(r->out_lengths);
  remove_spool(r);
  free(r->column_use);
  free(r->kept_as_text);
  free(r->converted);
  free(r->jsonl_path);
  jsonl_columns_free(&r->jsonl_columns);
  free(r->source);
  free(r);
}

vagap_status_t vagap_reader_open_memory(vagap_reader_t **out, const char *name,
                                        const void *data, size_t size,
                                        const vagap_table_options_t *opt,
                                        vagap_ledger_t *ledger, vagap_error_t *err) {
  return reader_open_memory(out, name, data, size, opt, ledger, 0, err);
}

size_t vagap_reader_ncols(const vagap_reader_t *r) { return r->ncols; }
const char *vagap_reader_colname(const vagap_reader_t *r, size_t j) { return j < r->ncols ? r->colnames[j] : NULL; }
const char *vagap_reader_source(const vagap_reader_t *r) { return r->source; }
size_t vagap_reader_source_id(const vagap_reader_t *r) { return r->source_id; }

static vagap_status_t missing_column(const char *source, const char *name, char *const *names,
                                     size_t n, char delim, vagap_error_t *err) {
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
  const char *near = vagap_suggest(name, (const char *const *)names, n);
  char d = likely_delimiter(names, n, delim);
  if (d) near = NULL; /* the hint below is the useful one */
  return vagap_error_set(err, VAGAP_ECOLUMN, source, 1, 0,
                         "no column named '%s'; the columns are: %s%s%s%s%s", name, list,
                         near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "",
                         delimiter_hint(d));
}

vagap_status_t vagap_reader_column(const vagap_reader_t *r, const char *name,
                                   size_t *index, vagap_error_t *err) {
  for (size_t j = 0; j < r->ncols; j++)
    if (strcmp(r->colnames[j], name) == 0) {
      *index = j;
      return VAGAP_OK;
    }
  return missing_column(r->source, name, r->colnames, r->ncols, r->opt.delim, err);
}

vagap_status_t vagap_reader_next(vagap_reader_t *r, vagap_row_t *row, int *has_row,
                                 vagap_error_t *err) {
  *has_row = 0;
  if (r->failed) return fail_with(r, err);
  if (next_segment_with_rows(r) != VAGAP_OK) return fail_with(r, err);
  if (!r->cur) {
    tell_bad_utf8(r);
    return VAGAP_OK;
  }
  const csv_batch_t *b = &r->cur->batch;
  size_t i = r->cur_row++;
  if (r->cur_blank < b->nblank && flush_blank_lines(r, b->row_line[i]) != VAGAP_OK)
    return fail_with(r, err);
  size_t first = i * r->ncols;
  for (size_t j = 0; j < r->ncols; j++) {
    r->out_fields[j] = b->chars + b->field_off[first + j];
    r->out_lengths[j] = csv_batch_field_len(b, first + j);
  }
  row->nfields = r->ncols;
  row->fields = r->out_fields;
  row->lengths = r->out_lengths;
  row->line = r->base_line + b->row_line[i];
  if (r->ledger) vagap_ledger_add_read(r->ledger, r->source_id, 1);
  *has_row = 1;
  return VAGAP_OK;
}

vagap_status_t reader_next_batch(vagap_reader_t *r, const csv_batch_t **batch, void **state,
                                 long *base_line, vagap_error_t *err) {
  *batch = NULL;
  if (r->failed) return fail_with(r, err);
  for (;;) {
    if (next_segment_with_rows(r) != VAGAP_OK) return fail_with(r, err);
    if (!r->cur) return VAGAP_OK;
    if (!r->cur->batch.failed) break;
    r->cur_row = r->cur->batch.nrows; /* its error ends the read at the next step */
  }
  const csv_batch_t *b = &r->cur->batch;
  r->cur_row = b->nrows;
  *batch = b;
  *state = r->cur->hook_state;
  *base_line = r->base_line;
  if (r->ledger) vagap_ledger_add_read(r->ledger, r->source_id, b->nrows);
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
  if (reader_cell_number(r, row->fields[j], row->lengths[j], out, err) == VAGAP_OK) return VAGAP_OK;
  return locate_number_error(r->source, row->line, j, r->colnames[j], err);
}

/* ---- in-memory table ------------------------------------------------------------ */

/* The text arrays of one segment, kept by the table. */
typedef struct {
  char *chars;
  size_t *field_off;
} table_chunk_t;

struct vagap_table {
  vagap_reader_t *reader; /* owns the names, options and missing-value tokens */
  size_t nrows;
  table_chunk_t *chunks;  /* the segments' own arrays, taken over without copying */
  size_t nchunks, chunks_cap;
  const char **row_chars;   /* cell (i, j) is row_chars[i] + row_offs[i][j] */
  const size_t **row_offs;  /* row_offs[i][ncols] is where the last cell's NUL ends */
  long *lines;              /* physical line of each row */
  size_t row_chars_cap, row_offs_cap, lines_cap;
  long line0;               /* while lines is NULL, row i is on line line0 + i */
  typed_table_t *typed;   /* with infer_numbers: the rows as typed columns instead of
                             row_chars/row_offs (table_typed.h) */
};

/* Every row's line in t->lines (from line0 + i); -1: out of memory. */
static int keep_lines(vagap_table_t *t, size_t need) {
  int had = t->lines != NULL;
  if (vagap_reserve((void **)&t->lines, &t->lines_cap, need ? need : 1, sizeof(long))) return -1;
  if (!had)
    for (size_t i = 0; i < t->nrows; i++) t->lines[i] = t->line0 + (long)i;
  return 0;
}

/*
 * The lines of the current segment's rows.  While every row is on the line
 * after the one before (no blank line, no line end inside a quoted field,
 * nothing dropped) they are not stored: 8 bytes per row of a plain file.
 */
static int append_lines(vagap_table_t *t, const csv_batch_t *b) {
  long base = t->reader->base_line;
  if (!t->lines) {
    if (t->nrows == 0 && b->nrows) t->line0 = base + b->row_line[0];
    size_t i = 0;
    while (i < b->nrows && base + b->row_line[i] == t->line0 + (long)(t->nrows + i)) i++;
    if (i == b->nrows) return 0;
  }
  if (keep_lines(t, t->nrows + b->nrows)) return -1;
  for (size_t i = 0; i < b->nrows; i++) t->lines[t->nrows + i] = base + b->row_line[i];
  return 0;
}

/* With infer_numbers: the segment's rows go into typed columns, its text is not kept. */
static vagap_status_t append_typed(vagap_table_t *t, vagap_error_t *err) {
  vagap_reader_t *r = t->reader;
  const csv_batch_t *b = &r->cur->batch;
  if (append_lines(t, b) || typed_append(t->typed, b))
    return vagap_error_set(err, VAGAP_ENOMEM, r->source, 0, 0, "out of memory");
  t->nrows += b->nrows;
  r->cur_row = b->nrows;
  return VAGAP_OK;
}

/* Take over the rows of the reader's current segment (its arrays, not copies). */
static vagap_status_t append_segment(vagap_table_t *t, vagap_error_t *err) {
  vagap_reader_t *r = t->reader;
  csv_batch_t *b = &r->cur->batch;
  size_t need = t->nrows + b->nrows;
  if (vagap_reserve((void **)&b->field_off, &b->field_cap, b->nfields + 1, sizeof(size_t)) ||
      vagap_reserve((void **)&t->chunks, &t->chunks_cap, t->nchunks + 1, sizeof(table_chunk_t)) ||
      append_lines(t, b) ||
      vagap_reserve((void **)&t->row_chars, &t->row_chars_cap, need, sizeof(char *)) ||
      vagap_reserve((void **)&t->row_offs, &t->row_offs_cap, need, sizeof(size_t *)))
    return vagap_error_set(err, VAGAP_ENOMEM, r->source, 0, 0, "out of memory");

  b->field_off[b->nfields] = b->chars_len; /* ends the last cell */
  table_chunk_t *chunk = &t->chunks[t->nchunks++];
  *chunk = (table_chunk_t){b->chars, b->field_off};
  b->chars = NULL; /* the segment allocates anew next time */
  b->chars_cap = 0;
  b->field_off = NULL;
  b->field_cap = 0;
  size_t ncols = r->ncols;
  for (size_t i = 0; i < b->nrows; i++) {
    t->row_chars[t->nrows + i] = chunk->chars;
    t->row_offs[t->nrows + i] = chunk->field_off + i * ncols;
  }
  t->nrows = need;
  r->cur_row = b->nrows;
  return VAGAP_OK;
}

static vagap_status_t table_fill(vagap_table_t *t, vagap_error_t *err) {
  vagap_reader_t *r = t->reader;
  if (r->opt.infer_numbers) {
    typed_text_t text = typed_text_of(r);
    if (!(t->typed = malloc(sizeof *t->typed)) || typed_init(t->typed, r->ncols, &text)) {
      free(t->typed);
      t->typed = NULL;
      return vagap_error_set(err, VAGAP_ENOMEM, r->source, 0, 0, "out of memory");
    }
    for (size_t j = 0; r->column_use && j < r->ncols; j++)
      if (r->column_use[j] == USE_NOTHING) typed_leave_out(t->typed, j);
  }
  for (;;) {
    if (next_segment_with_rows(r) != VAGAP_OK) return fail_with(r, err);
    if (!r->cur) break;
    if (r->cur->batch.failed) { /* its error ends the read at the next step */
      r->cur_row = r->cur->batch.nrows;
      continue;
    }
    vagap_status_t st = t->typed ? append_typed(t, err) : append_segment(t, err);
    if (st != VAGAP_OK) return st;
  }
  if (t->typed && typed_finish(t->typed))
    return vagap_error_set(err, VAGAP_ENOMEM, r->source, 0, 0, "out of memory");
  tell_bad_utf8(r);
  if (r->ledger) vagap_ledger_add_read(r->ledger, r->source_id, t->nrows);
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
  infer_names_t every_column = {{NULL, NULL}, {0, 0}, 1};
  vagap_status_t st = reader_open_file(&r, path, opt, ledger, NULL, every_column, err);
  return table_from_reader(out, r, st, err);
}

vagap_status_t vagap_table_read_columns(vagap_table_t **out, const char *path,
                                        const vagap_table_options_t *opt,
                                        const char *const *numbers, size_t nnumbers,
                                        const char *const *texts, size_t ntexts,
                                        vagap_ledger_t *ledger, vagap_error_t *err) {
  vagap_table_options_t o;
  if (opt) o = *opt;
  else vagap_table_options_init(&o);
  o.infer_numbers = 1;
  /* an empty list is still a list: NULL would mean every column */
  static const char *const none[1] = {NULL};
  infer_names_t names = {{numbers ? numbers : none, texts ? texts : none}, {nnumbers, ntexts}, 1};
  vagap_reader_t *r = NULL;
  vagap_status_t st = reader_open_file(&r, path, &o, ledger, NULL, names, err);
  return table_from_reader(out, r, st, err);
}

vagap_status_t vagap_table_read_memory(vagap_table_t **out, const char *name,
                                       const void *data, size_t size,
                                       const vagap_table_options_t *opt,
                                       vagap_ledger_t *ledger, vagap_error_t *err) {
  vagap_reader_t *r = NULL;
  vagap_status_t st = reader_open_memory(&r, name, data, size, opt, ledger, 1, err);
  return table_from_reader(out, r, st, err);
}

void vagap_table_free(vagap_table_t *t) {
  if (!t) return;
  if (t->typed) typed_free(t->typed);
  free(t->typed);
  vagap_reader_close(t->reader);
  for (size_t k = 0; k < t->nchunks; k++) {
    free(t->chunks[k].chars);
    free(t->chunks[k].field_off);
  }
  free(t->chunks);
  free(t->row_chars);
  free(t->row_offs);
  free(t->lines);
  free(t);
}

size_t vagap_table_nrows(const vagap_table_t *t) { return t->nrows; }
size_t vagap_table_ncols(const vagap_table_t *t) { return t->reader->ncols; }
const char *vagap_table_colname(const vagap_table_t *t, size_t j) { return vagap_reader_colname(t->reader, j); }
const char *vagap_table_source(const vagap_table_t *t) { return t->reader->source; }
size_t vagap_table_source_id(const vagap_table_t *t) { return t->reader->source_id; }
long vagap_table_line(const vagap_table_t *t, size_t i) {
  if (i >= t->nrows) return 0;
  return t->lines ? t->lines[i] : t->line0 + (long)i;
}

const char *vagap_table_cell(const vagap_table_t *t, size_t i, size_t j, size_t *len) {
  if (t->typed) {
    const char *s = typed_cell(t->typed, i, j, len);
    if (s) return s;
    if (len) *len = 0; /* out of memory rebuilding the column's text */
    return "";
  }
  const size_t *off = t->row_offs[i];
  if (len) *len = off[j + 1] - off[j] - 1;
  return t->row_chars[i] + off[j];
}

const double *vagap_table_inferred_numbers(const vagap_table_t *t, size_t j) {
  return t->typed ? typed_numbers(t->typed, j) : NULL;
}

int vagap_table_is_na(const vagap_table_t *t, size_t i, size_t j) {
  const double *typed = vagap_table_inferred_numbers(t, j);
  if (typed) return isnan(typed[i]); /* missing cells, and only they, are NAN */
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
  const double *typed = vagap_table_inferred_numbers(t, j);
  if (typed) { /* the same numbers, converted while reading */
    if (t->nrows) memcpy(out, typed, t->nrows * sizeof *out);
    return VAGAP_OK;
  }
  for (size_t i = 0; i < t->nrows; i++) {
    size_t len;
    const char *s = vagap_table_cell(t, i, j, &len);
    if (vagap_reader_is_na(t->reader, s, len)) {
      out[i] = NAN;
      continue;
    }
    if (parse_cell(t->reader, s, len, &out[i], err) != VAGAP_OK)
      return locate_number_error(t->reader->source, vagap_table_line(t, i), j, t->reader->colnames[j], err);
  }
  return VAGAP_OK;
}

static vagap_status_t parse_columns(const vagap_table_t *t, const size_t *cols, size_t ncols,
                                    double *const *out, int inferring, int *is_numeric,
                                    const unsigned char *done, vagap_error_t *err);

vagap_status_t vagap_table_numeric_columns(const vagap_table_t *t, const size_t *cols,
                                           size_t ncols, double *const *out, int inferring,
                                           int *is_numeric, vagap_error_t *err) {
  if (is_numeric)
    for (size_t k = 0; k < ncols; k++) is_numeric[k] = 1;
  /* columns converted while reading are copied; the others parsed here */
  unsigned char *done = calloc(ncols ? ncols : 1, 1);
  if (!done) return vagap_error_set(err, VAGAP_ENOMEM, t->reader->source, 0, 0, "out of memory");
  for (size_t k = 0; k < ncols; k++) {
    const double *typed = vagap_table_inferred_numbers(t, cols[k]);
    if (!typed) continue;
    if (t->nrows) memcpy(out[k], typed, t->nrows * sizeof *out[k]);
    done[k] = 1;
  }
  vagap_status_t st = parse_columns(t, cols, ncols, out, inferring, is_numeric, done, err);
  free(done);
  return st;
}

/* vagap_table_numeric_columns for the columns not done yet. */
static vagap_status_t parse_columns(const vagap_table_t *t, const size_t *cols, size_t ncols,
                                    double *const *out, int inferring, int *is_numeric,
                                    const unsigned char *done, vagap_error_t *err) {
  for (size_t i = 0; i < t->nrows; i++)
    for (size_t k = 0; k < ncols; k++) {
      if (done[k] || (is_numeric && !is_numeric[k])) continue;
      size_t len, j = cols[k];
      const char *s = vagap_table_cell(t, i, j, &len);
      if (vagap_reader_is_na(t->reader, s, len)) {
        out[k][i] = NAN;
      } else if (parse_cell(t->reader, s, len, &out[k][i], inferring ? NULL : err) != VAGAP_OK) {
        if (!inferring)
          return locate_number_error(t->reader->source, vagap_table_line(t, i), j, t->reader->colnames[j], err);
        is_numeric[k] = 0;
      }
    }
  return VAGAP_OK;
}

vagap_status_t vagap_table_drop_rows(vagap_table_t *t, const unsigned char *drop,
                                     vagap_error_t *err) {
  /* compacting needs no memory, but the lines of what is left must be stored */
  if (keep_lines(t, t->nrows))
    return vagap_error_set(err, VAGAP_ENOMEM, t->reader->source, 0, 0, "out of memory");
  size_t kept = 0;
  if (t->typed) typed_drop_rows(t->typed, drop);
  for (size_t i = 0; i < t->nrows; i++) {
    if (drop[i]) continue;
    if (!t->typed) {
      t->row_chars[kept] = t->row_chars[i];
      t->row_offs[kept] = t->row_offs[i];
    }
    t->lines[kept] = t->lines[i];
    kept++;
  }
  t->nrows = kept;
  return VAGAP_OK;
}

int vagap_table_excludes_bad_rows(const vagap_table_t *t) { return t->reader->opt.exclude_bad_rows; }

vagap_status_t vagap_table_exclude_non_numbers(vagap_table_t *t, const size_t *cols, size_t n,
                                               vagap_ledger_t *ledger, vagap_error_t *err) {
  vagap_reader_t *r = t->reader;
  if (!r->opt.exclude_bad_rows) return VAGAP_OK;
  unsigned char *drop = calloc(t->nrows ? t->nrows : 1, 1);
  if (!drop) return vagap_error_set(err, VAGAP_ENOMEM, r->source, 0, 0, "out of memory");
  size_t ndrop = 0;
  vagap_status_t st = VAGAP_OK;
  for (size_t i = 0; i < t->nrows && st == VAGAP_OK; i++)
    for (size_t k = 0; k < n; k++) {
      if (vagap_table_inferred_numbers(t, cols[k])) continue; /* numbers or missing throughout */
      size_t len;
      const char *s = vagap_table_cell(t, i, cols[k], &len);
      double x;
      vagap_error_t why;
      if (vagap_reader_is_na(r, s, len) || parse_cell(r, s, len, &x, &why) == VAGAP_OK) continue;
      char reason[VAGAP_ERROR_MESSAGE_MAX];
      snprintf(reason, sizeof reason, "column '%.200s': %.700s", r->colnames[cols[k]], why.message);
      if (ledger && vagap_ledger_exclude(ledger, r->source_id, vagap_table_line(t, i), reason) != VAGAP_OK)
        st = vagap_error_set(err, VAGAP_ENOMEM, r->source, 0, 0, "out of memory");
      drop[i] = 1;
      ndrop++;
      break;
    }
  if (st == VAGAP_OK && ndrop) st = vagap_table_drop_rows(t, drop, err);
  free(drop);
  return st;
}

/* ---- tables whose cells arrive split or typed (table_columns.c) ------------------------ */

/* A table of nrows rows over r's columns, row i on line i + 1; `keep` (the text r
   reads its header from) is freed after r is closed, as a chunk of the table. */
static vagap_table_t *adopted_table(vagap_reader_t *r, size_t nrows, char *keep) {
  vagap_table_t *t = calloc(1, sizeof *t);
  if (!t || !(t->chunks = calloc(2, sizeof *t->chunks))) {
    free(t);
    return NULL;
  }
  t->chunks_cap = 2;
  t->chunks[t->nchunks++] = (table_chunk_t){keep, NULL};
  t->reader = r;
  t->nrows = nrows;
  t->line0 = 1; /* rows, not lines: no line array */
  return t;
}

vagap_status_t table_adopt_cells(vagap_table_t **out, vagap_reader_t *r, size_t nrows, char *chars,
                                 size_t *cell_off, char *keep, vagap_error_t *err) {
  *out = NULL;
  size_t n = nrows ? nrows : 1, ncols = r->ncols;
  vagap_table_t *t = adopted_table(r, nrows, keep);
  if (!t || !(t->row_chars = malloc(n * sizeof *t->row_chars)) ||
      !(t->row_offs = malloc(n * sizeof *t->row_offs))) {
    if (t) t->chunks[t->nchunks++] = (table_chunk_t){chars, cell_off};
    else free(keep), free(chars), free(cell_off), vagap_reader_close(r);
    vagap_table_free(t);
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  }
  t->chunks[t->nchunks++] = (table_chunk_t){chars, cell_off};
  t->row_chars_cap = t->row_offs_cap = nrows;
  for (size_t i = 0; i < nrows; i++) t->row_chars[i] = chars, t->row_offs[i] = cell_off + i * ncols;
  *out = t;
  return VAGAP_OK;
}

vagap_status_t table_adopt_typed(vagap_table_t **out, vagap_reader_t *r, size_t nrows,
                                 typed_column_t *cols, char *keep, vagap_error_t *err) {
  *out = NULL;
  size_t ncols = r->ncols;
  typed_text_t text = typed_text_of(r);
  long empty = na_index(r, "", 0); /* what a missing cell is: table_columns.c adds the token */
  vagap_table_t *t = adopted_table(r, nrows, keep);
  if (!t || !(t->typed = malloc(sizeof *t->typed)) || typed_init(t->typed, ncols, &text)) {
    if (t) free(t->typed), t->typed = NULL;
    else free(keep), vagap_reader_close(r);
    vagap_table_free(t);
    for (size_t j = 0; j < ncols; j++)
      free(cols[j].values), free(cols[j].shapes), free(cols[j].chars), free(cols[j].start);
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  }
  for (size_t j = 0; j < ncols; j++) {
    typed_column_t *c = &t->typed->col[j];
    *c = cols[j];
    for (size_t i = 0; !c->is_text && i < nrows; i++)
      if (c->shapes[i] == SHAPE_NA)
        c->shapes[i] = empty >= 0 && empty < SHAPE_NA_TOKENS ? (unsigned char)(SHAPE_NA + empty) : SHAPE_TEXT;
  }
  t->typed->nrows = t->typed->cap = nrows;
  *out = t;
  return VAGAP_OK;
}

const vagap_reader_t *table_reader(const vagap_table_t *t) { return t->reader; }
