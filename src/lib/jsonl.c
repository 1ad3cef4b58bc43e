/*
 * JSON Lines input: jansson decodes and checks each line; this file turns
 * the decoded object into the row of fields the table reader hands out.
 * See jsonl.h for the rules.
 *
 * Why a walk over the line's text besides jansson's tree: jansson converts
 * numbers to doubles and has no way to give their text back, and it would
 * print an array's numbers anew (0.1 as 0.10000000000000001).  Numbers must
 * reach vagap_parse_double as written (so that a JSON Lines file and the
 * same data as CSV give the same numbers, bit for bit), and arrays are kept
 * as written.  So, on a line jansson has accepted, the walk below finds the
 * text span of each value, in step with jansson's members: object members
 * come in the order they are written (jansson keeps insertion order, and
 * JSON_REJECT_DUPLICATES means each key is inserted once).  The walk only
 * skips over strings and brackets of text already known to be valid JSON,
 * and checks at every value that the text starts as the decoded value's
 * type requires, so the two cannot get out of step silently.
 */
#include "jsonl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


#include "grow.h"
#include "gzip_input.h"

#define SCAN_READ_BYTES ((size_t)1 << 18)
#define DECODE_FLAGS (JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL)

/* ---- names ------------------------------------------------------------------- */

static int ends_with(const char *s, size_t n, const char *tail) {
  size_t k = strlen(tail);
  return n >= k && strcmp(s + n - k, tail) == 0;
}

int jsonl_name_is_jsonl(const char *name) {
  if (!name) return 0;
  size_t n = strlen(name);
  if (ends_with(name, n, ".gz")) n -= 3;
  char *base = strndup(name, n);
  if (!base) return 0;
  int yes = ends_with(base, n, ".jsonl") || ends_with(base, n, ".ndjson");
  free(base);
  return yes;
}

/* ---- one line ------------------------------------------------------------------ */

typedef struct {
  const vagap_table_options_t *opt;
  const char *source;
  jsonl_columns_t *grow;       /* first pass: columns are added here ... */
  const jsonl_columns_t *cols; /* ... second pass: looked up here */
  size_t *stamp;               /* per column: serial of the last line that set it */
  size_t stamp_n, stamp_cap;   /* entries set (0 for columns not yet seen), room */
  size_t serial;               /* lines decoded so far, from 1 */
  const char **cell;           /* second pass: the current line's field texts ... */
  size_t *cell_len;            /* ... and lengths; NULL text = missing */
  char *key;                   /* the flattened key being built */
  size_t key_len, key_cap;
  const unsigned char *s;      /* the line */
  size_t len;
  long line;                   /* its line number (relative in the second pass) */
  csv_batch_t *batch;          /* the error goes here */
} line_ctx_t;

static int fail(line_ctx_t *c, vagap_status_t status, long column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(line_ctx_t *c, vagap_status_t status, long column, const char *fmt, ...) {
  csv_batch_t *b = c->batch;
  if (b->failed) return -1;
  char message[VAGAP_ERROR_MESSAGE_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  vagap_error_set(&b->error, status, c->source, status == VAGAP_ENOMEM ? 0 : c->line,
                  status == VAGAP_ENOMEM ? 0 : column, "%s", message);
  b->error_located = status != VAGAP_ENOMEM;
  b->failed = 1;
  return -1;
}

static int out_of_memory(line_ctx_t *c) { return fail(c, VAGAP_ENOMEM, 0, "out of memory"); }

static int is_blank_byte(unsigned char ch) { return ch == ' ' || ch == '\t' || ch == '\r'; }

static size_t skip_ws(const line_ctx_t *c, size_t i) {
  while (i < c->len && (is_blank_byte(c->s[i]) || c->s[i] == '\n')) i++;
  return i;
}

/* s[i] is the opening quote of a valid string: the index after its closing quote. */
static size_t skip_string(const line_ctx_t *c, size_t i) {
  for (i++; i < c->len; i++) {
    if (c->s[i] == '\\') i++;
    else if (c->s[i] == '"') return i + 1;
  }
  return c->len;
}

static int ends_scalar(unsigned char ch) {
  return is_blank_byte(ch) || ch == '\n' || ch == ',' || ch == ']' || ch == '}';
}

/* The index just after the valid JSON value that starts at s[i]. */
static size_t skip_value(const line_ctx_t *c, size_t i) {
  unsigned char ch = c->s[i];
  if (ch == '"') return skip_string(c, i);
  if (ch == '{' || ch == '[') {
    size_t depth = 0;
    while (i < c->len) {
      ch = c->s[i];
      if (ch == '"') {
        i = skip_string(c, i);
        continue;
      }
      if (ch == '{' || ch == '[') depth++;
      else if ((ch == '}' || ch == ']') && --depth == 0) return i + 1;
      i++;
    }
    return c->len;
  }
  while (i < c->len && !ends_scalar(c->s[i])) i++;
  return i;
}

static int out_of_step(line_ctx_t *c, size_t i) {
  return fail(c, VAGAP_EPARSE, (long)i + 1,
              "internal error: the JSON text and jansson's decoding disagree here");
}

/* Does the text at s[i] start a value of the decoded value's type? */
static int starts_as(const line_ctx_t *c, size_t i, const json_t *v) {
  if (i >= c->len) return 0;
  unsigned char ch = c->s[i];
  switch (json_typeof(v)) {
  case JSON_OBJECT: return ch == '{';
  case JSON_ARRAY: return ch == '[';
  case JSON_STRING: return ch == '"';
  case JSON_INTEGER:
  case JSON_REAL: return ch == '-' || (ch >= '0' && ch <= '9');
  case JSON_TRUE: return ch == 't';
  case JSON_FALSE: return ch == 'f';
  case JSON_NULL: return ch == 'n';
  }
  return 0;
}

/* The column of the current key: found (second pass) or added (first pass); -1 on error. */
static long column_of(line_ctx_t *c, size_t at) {
  json_t *idx = json_object_getn(c->grow ? c->grow->index : c->cols->index, c->key, c->key_len);
  if (idx) return (long)json_integer_value(idx);
  if (!c->grow)
    return fail(c, VAGAP_EDATA, (long)at + 1,
                "key '%.200s' was not in the input when its columns were collected "
                "(did the input change while it was read?)", c->key);
  jsonl_columns_t *g = c->grow;
  if (g->ncols >= c->opt->max_columns)
    return fail(c, VAGAP_ELIMIT, (long)at + 1,
                "key '%.200s' would be column %zu, more than the limit of %zu", c->key,
                g->ncols + 1, c->opt->max_columns);
  if (json_object_setn_new(g->index, c->key, c->key_len, json_integer((json_int_t)g->ncols)))
    return out_of_memory(c);
  return (long)g->ncols++;
}

/* One leaf of the object: its flattened key (c->key) and text (NULL: null, missing). */
static int take_leaf(line_ctx_t *c, const char *text, size_t len, size_t at) {
  if (text && len > c->opt->max_field_bytes)
    return fail(c, VAGAP_ELIMIT, (long)at + 1,
                "value of '%.200s' is %zu bytes, longer than the limit of %zu", c->key, len,
                c->opt->max_field_bytes);
  long j = column_of(c, at);
  if (j < 0) return -1;
  if (vagap_reserve((void **)&c->stamp, &c->stamp_cap, (size_t)j + 1, sizeof *c->stamp))
    return out_of_memory(c);
  while (c->stamp_n <= (size_t)j) c->stamp[c->stamp_n++] = 0;
  if (c->stamp[j] == c->serial)
    return fail(c, VAGAP_EPARSE, (long)at + 1,
                "key '%.200s' occurs twice once nested objects are flattened", c->key);
  c->stamp[j] = c->serial;
  if (c->cell) {
    c->cell[j] = text;
    c->cell_len[j] = len;
  }
  return 0;
}

/* c->key becomes the first `prefix` bytes of it, a dot when there are any, then `name`. */
static int set_key(line_ctx_t *c, size_t prefix, const char *name, size_t name_len) {
  size_t need = prefix + (prefix ? 1 : 0) + name_len + 1;
  if (vagap_reserve((void **)&c->key, &c->key_cap, need, 1)) return out_of_memory(c);
  size_t k = prefix;
  if (prefix) c->key[k++] = '.';
  memcpy(c->key + k, name, name_len);
  c->key_len = k + name_len;
  c->key[c->key_len] = '\0';
  return 0;
}

static int walk_object(line_ctx_t *c, json_t *obj, size_t *pos, size_t prefix);

/* The member value v whose text starts at *pos, under key c->key (of key_len bytes). */
static int take_value(line_ctx_t *c, json_t *v, size_t *pos) {
  size_t i = *pos;
  if (!starts_as(c, i, v)) return out_of_step(c, i);
  if (json_is_object(v) && json_object_size(v) > 0) return walk_object(c, v, pos, c->key_len);
  size_t end = skip_value(c, i);
  *pos = end;
  const char *span = (const char *)c->s + i;
  switch (json_typeof(v)) {
  case JSON_STRING: return take_leaf(c, json_string_value(v), json_string_length(v), i);
  case JSON_TRUE: return take_leaf(c, "true", 4, i);
  case JSON_FALSE: return take_leaf(c, "false", 5, i);
  case JSON_NULL: return take_leaf(c, NULL, 0, i);
  default: return take_leaf(c, span, end - i, i); /* numbers, arrays, {} as written */
  }
}

/* The non-empty object obj written at s[*pos]; its keys go after c->key's first `prefix` bytes. */
static int walk_object(line_ctx_t *c, json_t *obj, size_t *pos, size_t prefix) {
  size_t i = *pos + 1;
  for (void *it = json_object_iter(obj); it; it = json_object_iter_next(obj, it)) {
    i = skip_ws(c, i);
    if (i >= c->len || c->s[i] != '"') return out_of_step(c, i);
    i = skip_ws(c, skip_string(c, i));
    if (i >= c->len || c->s[i] != ':') return out_of_step(c, i);
    i = skip_ws(c, i + 1);
    const char *name = json_object_iter_key(it);
    if (set_key(c, prefix, name, strlen(name))) return -1;
    if (take_value(c, json_object_iter_value(it), &i)) return -1;
    i = skip_ws(c, i);
    if (i < c->len && c->s[i] == ',') i++;
  }
  i = skip_ws(c, i);
  if (i >= c->len || c->s[i] != '}') return out_of_step(c, i);
  *pos = i + 1;
  return 0;
}

static const char *type_name(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_ARRAY: return "an array";
  case JSON_STRING: return "a string";
  case JSON_INTEGER:
  case JSON_REAL: return "a number";
  case JSON_TRUE:
  case JSON_FALSE: return "a boolean";
  case JSON_NULL: return "null";
  default: return "an object";
  }
}

typedef enum { LINE_ROW, LINE_BLANK, LINE_FAILED } line_kind_t;

/* Decode line (s, len) and walk its object into the columns (and, second pass, c->cell). */
static line_kind_t take_line(line_ctx_t *c, const unsigned char *s, size_t len, long line) {
  c->s = s;
  c->len = len;
  c->line = line;
  if (len > c->opt->max_row_bytes) {
    fail(c, VAGAP_ELIMIT, (long)c->opt->max_row_bytes + 1,
         "line is longer than the limit of %zu bytes", c->opt->max_row_bytes);
    return LINE_FAILED;
  }
  size_t first = 0;
  while (first < len && is_blank_byte(s[first])) first++;
  if (first == len) return LINE_BLANK;
  json_error_t je;
  json_t *v = json_loadb((const char *)s, len, DECODE_FLAGS, &je);
  if (!v) {
    fail(c, VAGAP_EPARSE, je.position > 0 ? (long)je.position : 1, "invalid JSON: %s", je.text);
    return LINE_FAILED;
  }
  line_kind_t kind = LINE_ROW;
  c->serial++;
  if (!json_is_object(v)) {
    fail(c, VAGAP_EPARSE, (long)first + 1, "the line holds %s, not a JSON object", type_name(v));
    kind = LINE_FAILED;
  } else if (json_object_size(v) > 0) {
    size_t pos = first;
    c->key_len = 0;
    if (walk_object(c, v, &pos, 0)) kind = LINE_FAILED;
  }
  /* the second pass copies the fields before the decoded strings go */
  if (kind == LINE_ROW && c->cell) {
    csv_batch_t *b = c->batch;
    size_t ncols = c->cols->ncols;
    size_t bytes = ncols;
    for (size_t j = 0; j < ncols; j++) bytes += c->cell[j] ? c->cell_len[j] : 0;
    if (vagap_reserve((void **)&b->chars, &b->chars_cap, b->chars_len + bytes + 1, 1) ||
        vagap_reserve((void **)&b->field_off, &b->field_cap, b->nfields + ncols + 1, sizeof(size_t)) ||
        vagap_reserve((void **)&b->row_line, &b->rows_cap, b->nrows + 1, sizeof(long))) {
      out_of_memory(c);
      kind = LINE_FAILED;
    } else {
      for (size_t j = 0; j < ncols; j++) {
        b->field_off[b->nfields++] = b->chars_len;
        if (c->cell[j] && c->cell_len[j]) memcpy(b->chars + b->chars_len, c->cell[j], c->cell_len[j]);
        b->chars_len += c->cell[j] ? c->cell_len[j] : 0;
        b->chars[b->chars_len++] = '\0';
        c->cell[j] = NULL;
      }
      b->row_line[b->nrows++] = line;
    }
  }
  if (c->cell)
    for (size_t j = 0; j < c->cols->ncols; j++) c->cell[j] = NULL;
  json_decref(v);
  return kind;
}

static void ctx_free(line_ctx_t *c) {
  free(c->stamp);
  free(c->key);
  free((void *)c->cell);
  free(c->cell_len);
}

/* ---- the second pass: one segment ------------------------------------------------ */

size_t jsonl_last_line_end(const unsigned char *s, size_t window) {
  if (window == 0) return 0;
  const unsigned char *nl = memrchr(s, '\n', window);
  return nl ? (size_t)(nl - s) + 1 : 0;
}

static int add_blank_line(csv_batch_t *b, long line) {
  if (vagap_reserve((void **)&b->blank_line, &b->blank_cap, b->nblank + 1, sizeof(long))) return -1;
  b->blank_line[b->nblank++] = line;
  return 0;
}

void jsonl_parse_segment(const jsonl_columns_t *cols, const vagap_table_options_t *opt,
                         const char *source, const unsigned char *s, size_t len, int at_end,
                         const vagap_error_t *read_error, csv_batch_t *b) {
  csv_batch_clear(b);
  line_ctx_t c = {.opt = opt, .source = source, .cols = cols, .batch = b};
  size_t n = cols->ncols ? cols->ncols : 1;
  c.cell = calloc(n, sizeof *c.cell);
  c.cell_len = calloc(n, sizeof *c.cell_len);
  if (!c.cell || !c.cell_len) out_of_memory(&c);
  size_t start = 0;
  while (start < len && !b->failed) {
    const unsigned char *nl = memchr(s + start, '\n', len - start);
    if (!nl && (!at_end || read_error)) break; /* an incomplete line */
    size_t end = nl ? (size_t)(nl - s) : len;
    long line = b->lines + 1;
    line_kind_t kind = take_line(&c, s + start, end - start, line);
    if (kind == LINE_FAILED) break;
    if (kind == LINE_BLANK && add_blank_line(b, line)) {
      out_of_memory(&c);
      break;
    }
    if (nl) b->lines++;
    start = end + 1;
  }
  if (!b->failed && read_error) {
    b->error = *read_error;
    b->error.line = b->lines + 1;
    b->error.column = 0;
    b->error_located = 1;
    b->failed = 1;
  } else if (!b->failed && start < len) {
    c.line = b->lines + 1;
    fail(&c, VAGAP_EPARSE, 0, "internal error: input segment ends inside a line");
  }
  ctx_free(&c);
}

/* ---- the first pass: the columns --------------------------------------------------- */

typedef struct {
  gzip_input_t *gz; /* the same gzip layer as the reader's second pass (gzip_input.h) */
  int failed;       /* the input broke off after the bytes already returned */
  const unsigned char *mem;
  size_t mem_size, mem_pos;
  const char *source;
} scan_input_t;

/* Up to `size` bytes; 0 at the end, -1 on a read error (in *err). */
static long scan_read(scan_input_t *in, unsigned char *dst, size_t size, vagap_error_t *err) {
  if (!in->gz) {
    size_t n = in->mem_size - in->mem_pos;
    if (n > size) n = size;
    if (n) memcpy(dst, in->mem + in->mem_pos, n);
    in->mem_pos += n;
    return (long)n;
  }
  if (in->failed) {
    gzip_input_read(in->gz, dst, 0, &in->failed, err); /* the error again */
    return -1;
  }
  size_t n = gzip_input_read(in->gz, dst, size, &in->failed, err);
  /* the lines before a damage are scanned first, so that the error has their line */
  if (in->failed && n == 0) return -1;
  return (long)n;
}

/* The columns' names, in order, as the one row of `names`. */
static vagap_status_t names_row(const jsonl_columns_t *cols, csv_batch_t *names, const char *source,
                                vagap_error_t *err) {
  csv_batch_clear(names);
  size_t n = cols->ncols;
  if (vagap_reserve((void **)&names->field_off, &names->field_cap, n + 1, sizeof(size_t)) ||
      vagap_reserve((void **)&names->row_line, &names->rows_cap, 1, sizeof(long)))
    return vagap_error_set(err, VAGAP_ENOMEM, source, 0, 0, "out of memory");
  const char *key;
  size_t key_len;
  json_t *value;
  json_object_keylen_foreach(cols->index, key, key_len, value) {
    (void)value;
    if (vagap_reserve((void **)&names->chars, &names->chars_cap, names->chars_len + key_len + 1, 1))
      return vagap_error_set(err, VAGAP_ENOMEM, source, 0, 0, "out of memory");
    names->field_off[names->nfields++] = names->chars_len;
    memcpy(names->chars + names->chars_len, key, key_len);
    names->chars_len += key_len;
    names->chars[names->chars_len++] = '\0';
  }
  names->row_line[names->nrows++] = 1;
  return VAGAP_OK;
}

static vagap_status_t scan(scan_input_t *in, const vagap_table_options_t *opt,
                           jsonl_columns_t *cols, csv_batch_t *names, vagap_error_t *err) {
  cols->ncols = 0;
  cols->index = json_object();
  csv_batch_t errors = {0}; /* take_line reports into a batch */
  line_ctx_t c = {.opt = opt, .source = in->source, .grow = cols, .batch = &errors};
  unsigned char *buf = NULL;
  size_t buf_len = 0, buf_cap = 0, start = 0;
  long line = 0, objects = 0;
  int eof = 0, bom_checked = 0;
  vagap_status_t st = VAGAP_OK;
  if (!cols->index) st = vagap_error_set(err, VAGAP_ENOMEM, in->source, 0, 0, "out of memory");
  while (st == VAGAP_OK && !errors.failed) {
    const unsigned char *nl;
    while (!errors.failed && start < buf_len && (nl = memchr(buf + start, '\n', buf_len - start))) {
      line_kind_t kind = take_line(&c, buf + start, (size_t)(nl - buf) - start, ++line);
      objects += kind == LINE_ROW;
      start = (size_t)(nl - buf) + 1;
    }
    if (errors.failed) break;
    if (eof || buf_len - start > opt->max_row_bytes) { /* the last line, or one over the cap */
      if (start < buf_len) objects += take_line(&c, buf + start, buf_len - start, ++line) == LINE_ROW;
      break;
    }
    if (start) memmove(buf, buf + start, buf_len - start);
    buf_len -= start;
    start = 0;
    if (vagap_reserve((void **)&buf, &buf_cap, buf_len + SCAN_READ_BYTES, 1)) {
      st = vagap_error_set(err, VAGAP_ENOMEM, in->source, 0, 0, "out of memory");
      break;
    }
    long n = scan_read(in, buf + buf_len, SCAN_READ_BYTES, err);
    if (n < 0) {
      st = err ? err->status : VAGAP_EIO;
      if (err) err->line = line + 1;
      break;
    }
    eof = n == 0;
    buf_len += (size_t)n;
    if (!bom_checked && (buf_len >= 3 || eof)) { /* a UTF-8 byte-order mark is not data */
      bom_checked = 1;
      if (buf_len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) start = 3;
    }
  }
  if (st == VAGAP_OK && errors.failed) {
    st = errors.error.status;
    if (err) *err = errors.error;
  }
  if (st == VAGAP_OK && objects == 0)
    st = vagap_error_set(err, VAGAP_EPARSE, in->source, 1, 0, "empty input: no JSON object");
  if (st == VAGAP_OK && cols->ncols == 0)
    st = vagap_error_set(err, VAGAP_EPARSE, in->source, 1, 0,
                         "no columns: every object in the input is empty");
  if (st == VAGAP_OK) st = names_row(cols, names, in->source, err);
  free(buf);
  ctx_free(&c);
  csv_batch_free(&errors);
  return st;
}

vagap_status_t jsonl_scan_file(const char *path, const char *source,
                               const vagap_table_options_t *opt, jsonl_columns_t *cols,
                               csv_batch_t *names, vagap_error_t *err) {
  scan_input_t in = {.source = source};
  in.gz = gzip_input_open(path, source, err);
  if (!in.gz) return err ? err->status : VAGAP_EIO;
  vagap_status_t st = scan(&in, opt, cols, names, err);
  gzip_input_close(in.gz);
  return st;
}

vagap_status_t jsonl_scan_memory(const unsigned char *data, size_t size, const char *source,
                                 const vagap_table_options_t *opt, jsonl_columns_t *cols,
                                 csv_batch_t *names, vagap_error_t *err) {
  scan_input_t in = {.mem = data, .mem_size = size, .source = source};
  return scan(&in, opt, cols, names, err);
}

void jsonl_columns_free(jsonl_columns_t *cols) {
  if (!cols) return;
  json_decref(cols->index);
  cols->index = NULL;
  cols->ncols = 0;
}

/* ---- inputs that cannot be read twice ---------------------------------------------- */

static int copy_all(int from, int to) {
  char buf[1 << 16];
  for (;;) {
    ssize_t n = read(from, buf, sizeof buf);
    if (n == 0) return 0;
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    for (ssize_t done = 0; done < n;) {
      ssize_t w = write(to, buf + done, (size_t)(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return -1;
      done += w;
    }
  }
}

vagap_status_t jsonl_spool_if_needed(const char *path, const char *source, char **spool_path,
                                     vagap_error_t *err) {
  *spool_path = NULL;
  int from_stdin = strcmp(path, "-") == 0;
  struct stat sb;
  if (!from_stdin && (stat(path, &sb) != 0 || S_ISREG(sb.st_mode))) return VAGAP_OK;
  const char *dir = getenv("TMPDIR");
  if (!dir || !*dir) dir = "/tmp";
  size_t n = strlen(dir) + sizeof "/vagap-jsonl-XXXXXX";
  char *tmp = malloc(n);
  if (!tmp) return vagap_error_set(err, VAGAP_ENOMEM, source, 0, 0, "out of memory");
  snprintf(tmp, n, "%s/vagap-jsonl-XXXXXX", dir);
  int out = mkstemp(tmp);
  if (out < 0) {
    vagap_error_set(err, VAGAP_EIO, source, 0, 0,
                    "cannot create a temporary file in %s to read JSON Lines twice: %s", dir,
                    strerror(errno));
    free(tmp);
    return VAGAP_EIO;
  }
  int in = from_stdin ? 0 : open(path, O_RDONLY);
  int failed = in < 0 || copy_all(in, out) != 0;
  int saved = errno;
  if (!from_stdin && in >= 0) close(in);
  if (close(out) != 0 && !failed) {
    failed = 1;
    saved = errno;
  }
  if (failed) {
    unlink(tmp);
    free(tmp);
    return vagap_error_set(err, VAGAP_EIO, source, 0, 0,
                           "cannot copy the input to a temporary file to read JSON Lines twice: %s",
                           strerror(saved));
  }
  *spool_path = tmp;
  return VAGAP_OK;
}
