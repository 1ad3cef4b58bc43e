/*
 * table_columns.c - a table from typed columns (vagap_table_from_columns).
 *
 * The R and Python bindings hold data frames as arrays of doubles, integers,
 * factors and strings.  Writing them as CSV only for the reader to parse
 * them again cost time on every call and located rows by physical line, so
 * a cell holding a newline shifted every exclusion after it.  Here each cell
 * becomes the text the program would have read from a file, written straight
 * into the table's storage, and row i is located as "line" i + 1: the data
 * frame's own row number.
 *
 * The column names, the source name in the ledger and the missing-value
 * tokens are those of a reader opened on a one-line CSV header, so that the
 * table answers every vagap_table_* call exactly as a table read from a file.
 */
#include "vagap/table.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "table_cells.h"

/* The growing text of the cells (then the header) and where each cell starts. */
typedef struct {
  char *chars;
  size_t len, cap;
  size_t *cell_off;
  size_t ncells;
} cell_text_t;

static int append(cell_text_t *c, const char *s, size_t n) {
  if (vagap_reserve((void **)&c->chars, &c->cap, c->len + n + 1, 1)) return -1;
  memcpy(c->chars + c->len, s, n);
  c->len += n;
  c->chars[c->len] = '\0';
  return 0;
}

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static void make_c_locale(void) { c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0); }

static const double exact_powers_of_ten[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

/*
 * Most data values are short decimals (3.333333, 0.5, 12): x = m / 10^k with
 * an integer m < 2^53 and k <= 9.  Then m and 10^k are exact doubles and the
 * division is correctly rounded, so the text "m with the point k places from
 * the right" reads back as x (it is the parser's own exact case), and the
 * smallest such k has no trailing zeros.  This costs a few multiplications
 * where snprintf and a parse back cost a microsecond, which a data frame of
 * thousands of cells would pay on every call.  Returns k (and m), or -1 when
 * x is not such a decimal.
 */
static int short_decimal_places(double x, double *m_out) {
  double a = fabs(x);
  if (!(a < 9007199254740992.0)) return -1;
  for (int k = 0; k <= 9; k++) {
    double m = a * exact_powers_of_ten[k];
    if (m >= 9007199254740992.0) return -1;
    /* m < 2^53: truncating to an integer is exact, and inline where floor() is a call */
    if (m != (double)(long long)m || m / exact_powers_of_ten[k] != a) continue;
    *m_out = m;
    return k;
  }
  return -1;
}

/* A short decimal's text is at most 18 bytes: a sign, the point and at most 16 digits
   (those of m < 2^53, or k + 1 <= 10 with a leading zero). */
enum { SHORT_DECIMAL_MAX_LEN = 18 };

/* The text of a short decimal into buf (k as short_decimal_places gives it), or -1. */
static int format_short_decimal(double x, char *buf, size_t size) {
  double m;
  int k = short_decimal_places(x, &m);
  if (k < 0 || size < 32) return -1;
  char digits[24];
  int n = 0;
  for (unsigned long long u = (unsigned long long)m; u || n <= k; u /= 10) digits[n++] = (char)('0' + u % 10);
  size_t len = 0;
  if (signbit(x)) buf[len++] = '-'; /* -0 too, as printf writes it */
  while (n > k) buf[len++] = digits[--n];
  if (k) buf[len++] = '.';
  while (n > 0) buf[len++] = digits[--n];
  buf[len] = '\0';
  return k;
}

/*
 * The shortest of %.15g, %.16g, %.17g that reads back as x, in the C locale
 * whatever the process's is (R and Python may have set LC_NUMERIC).  Reading
 * back uses the library's own parser, so the cell means exactly x.
 */
static void format_double(double x, char *buf, size_t size) {
  if (format_short_decimal(x, buf, size) >= 0) return;
  pthread_once(&c_locale_once, make_c_locale);
  locale_t old = c_locale ? uselocale(c_locale) : (locale_t)0;
  for (int digits = 15; digits <= 17; digits++) {
    snprintf(buf, size, "%.*g", digits, x);
    double back;
    if (isinf(x) || (vagap_parse_double(buf, strlen(buf), &back, NULL) == VAGAP_OK && back == x))
      break;
  }
  if (c_locale) uselocale(old);
}

/* Cell i of column c as text; NULL when it is missing. */
static const char *cell_of(const vagap_column_t *c, size_t i, char *buf, size_t size) {
  switch (c->type) {
  case VAGAP_COLUMN_DOUBLE:
    if (isnan(c->numbers[i])) return NULL;
    format_double(c->numbers[i], buf, size);
    return buf;
  case VAGAP_COLUMN_INT:
    if (c->integers[i] == c->na_integer) return NULL;
    snprintf(buf, size, "%d", c->integers[i]);
    return buf;
  case VAGAP_COLUMN_LOGICAL:
    if (c->integers[i] == c->na_integer) return NULL;
    return c->integers[i] ? "TRUE" : "FALSE";
  case VAGAP_COLUMN_STRING:
    return c->strings[i];
  case VAGAP_COLUMN_FACTOR: {
    int code = c->integers[i];
    return code != c->na_integer && code >= 1 && (size_t)code <= c->nlevels ? c->strings[code - 1]
                                                                              : NULL;
  }
  }
  return NULL;
}

static vagap_status_t check_columns(const char *name, const vagap_column_t *cols, size_t ncols,
                                    size_t nrows, vagap_error_t *err) {
  if (ncols == 0) return vagap_error_set(err, VAGAP_EINVAL, name, 0, 0, "the data have no columns");
  for (size_t j = 0; j < ncols; j++) {
    const vagap_column_t *c = &cols[j];
    if (!c->name || !c->name[0])
      return vagap_error_set(err, VAGAP_EINVAL, name, 0, (long)j + 1, "column %zu has no name", j + 1);
    int has_data = 0;
    switch (c->type) {
    case VAGAP_COLUMN_DOUBLE: has_data = c->numbers != NULL; break;
    case VAGAP_COLUMN_INT:
    case VAGAP_COLUMN_LOGICAL: has_data = c->integers != NULL; break;
    case VAGAP_COLUMN_STRING: has_data = c->strings != NULL; break;
    case VAGAP_COLUMN_FACTOR: has_data = c->integers != NULL && (c->strings || !c->nlevels); break;
    default:
      return vagap_error_set(err, VAGAP_EINVAL, name, 0, (long)j + 1,
                             "column '%.200s': unknown column type %d", c->name, (int)c->type);
    }
    if (!has_data && nrows > 0)
      return vagap_error_set(err, VAGAP_EINVAL, name, 0, (long)j + 1, "column '%.200s' has no data",
                             c->name);
  }
  return VAGAP_OK;
}

/* Every cell, row by row, NUL-terminated; a cell longer than max_field is an error. */
static vagap_status_t write_cells(cell_text_t *text, const char *name, const vagap_column_t *cols,
                                  size_t ncols, size_t nrows, size_t max_field,
                                  vagap_error_t *err) {
  if (!(text->cell_off = malloc((nrows * ncols + 1) * sizeof *text->cell_off)))
    return vagap_error_set(err, VAGAP_ENOMEM, name, 0, 0, "out of memory");
  char buf[40];
  for (size_t i = 0; i < nrows; i++)
    for (size_t j = 0; j < ncols; j++) {
      const char *s = cell_of(&cols[j], i, buf, sizeof buf);
      size_t n = s ? strlen(s) : 0;
      if (n > max_field)
        return vagap_error_set(err, VAGAP_EDATA, name, (long)i + 1, (long)j + 1,
                               "column '%.200s': a value of %zu bytes (at most %zu)", cols[j].name,
                               n, max_field);
      text->cell_off[text->ncells++] = text->len;
      if (append(text, s ? s : "", n) || append(text, "", 1))
        return vagap_error_set(err, VAGAP_ENOMEM, name, 0, 0, "out of memory");
    }
  text->cell_off[text->ncells] = text->len;
  return VAGAP_OK;
}

/* The names as one quoted CSV header line (the reader's names and source come from it). */
static int write_header(cell_text_t *text, const vagap_column_t *cols, size_t ncols) {
  for (size_t j = 0; j < ncols; j++) {
    if (append(text, j ? ",\"" : "\"", j ? 2 : 1)) return -1;
    for (const char *p = cols[j].name; *p; p++)
      if ((*p == '"' && append(text, "\"", 1)) || append(text, p, 1)) return -1;
    if (append(text, "\"", 1)) return -1;
  }
  return append(text, "\n", 1);
}

/* The options' missing tokens with the empty cell among them (what a missing value becomes). */
static char *missing_tokens(const vagap_table_options_t *opt) {
  const char *na = opt->na ? opt->na : "";
  char *out = malloc(strlen(na) + 2);
  if (out) snprintf(out, strlen(na) + 2, ",%s", na);
  return out;
}

/* A reader positioned at the end of the header text (it has no rows). */
static vagap_status_t header_reader(vagap_reader_t **r, const char *name, const char *header,
                                    size_t len, const vagap_table_options_t *opt,
                                    vagap_ledger_t *ledger, vagap_error_t *err) {
  vagap_table_options_t o = *opt;
  o.delim = ',';
  o.threads = 1;
  o.segment_bytes = 0;
  o.input_format = VAGAP_INPUT_CSV;
  o.encoding = NULL;
  o.decimal_comma = 0; /* the cells are written with a point */
  o.exclude_bad_rows = 0;
  o.max_row_bytes = len + 1 > o.max_row_bytes ? len + 1 : o.max_row_bytes;
  o.max_field_bytes = len + 1 > o.max_field_bytes ? len + 1 : o.max_field_bytes;
  o.progress = NULL;
  char *na = missing_tokens(opt);
  if (!na) return vagap_error_set(err, VAGAP_ENOMEM, name, 0, 0, "out of memory");
  o.na = na;
  vagap_status_t st = vagap_reader_open_memory(r, name, header, len, &o, ledger, err);
  free(na); /* the reader keeps its own copy of the tokens */
  vagap_row_t row;
  int has_row = 0;
  if (st == VAGAP_OK) st = vagap_reader_next(*r, &row, &has_row, err);
  return st;
}

/* Column c as a typed column: the numbers of a DOUBLE or INT column with their shapes
   (the text kept where "%.*f" does not give it), every cell's text otherwise. */
static vagap_status_t typed_column(const vagap_column_t *c, size_t nrows, typed_column_t *out,
                                   size_t max_field, const char *name, size_t j, vagap_error_t *err) {
  memset(out, 0, sizeof *out);
  int numeric = c->type == VAGAP_COLUMN_DOUBLE || c->type == VAGAP_COLUMN_INT;
  cell_text_t text = {0};
  size_t n = nrows ? nrows : 1;
  if (numeric ? !(out->values = malloc(n * sizeof *out->values)) || !(out->shapes = malloc(n))
              : !(out->start = malloc((nrows + 1) * sizeof *out->start)))
    return vagap_error_set(err, VAGAP_ENOMEM, name, 0, 0, "out of memory");
  out->is_text = !numeric;
  char buf[40];
  for (size_t i = 0; i < nrows; i++) {
    if (numeric && max_field >= SHORT_DECIMAL_MAX_LEN) { /* most cells: no text at all */
      int na = c->type == VAGAP_COLUMN_DOUBLE ? isnan(c->numbers[i]) : c->integers[i] == c->na_integer;
      double x = na ? NAN : c->type == VAGAP_COLUMN_DOUBLE ? c->numbers[i] : (double)c->integers[i], m;
      int k = na ? 0 : short_decimal_places(x, &m);
      out->values[i] = x;
      out->shapes[i] = na ? SHAPE_NA : k >= 0 ? (unsigned char)k : SHAPE_TEXT;
      if (na || k >= 0) continue;
    }
    const char *s = cell_of(c, i, buf, sizeof buf);
    size_t len = s ? strlen(s) : 0;
    if (len > max_field)
      return vagap_error_set(err, VAGAP_EDATA, name, (long)i + 1, (long)j + 1,
                             "column '%.200s': a value of %zu bytes (at most %zu)", c->name, len, max_field);
    int kept = !numeric;
    if (numeric) {
      double x = c->type == VAGAP_COLUMN_DOUBLE ? c->numbers[i] : (double)c->integers[i];
      out->values[i] = s ? x : NAN;
      int k = s ? format_short_decimal(x, buf, sizeof buf) : 0;
      out->shapes[i] = !s ? SHAPE_NA : k >= 0 ? (unsigned char)k : SHAPE_TEXT;
      kept = s && k < 0;
    } else {
      out->start[i] = text.len;
    }
    if (kept && (append(&text, s ? s : "", len) || append(&text, "", 1)))
      return vagap_error_set(err, VAGAP_ENOMEM, name, 0, 0, "out of memory");
  }
  if (!numeric) out->start[nrows] = text.len;
  out->chars = text.chars, out->chars_len = text.len, out->chars_cap = text.cap;
  return VAGAP_OK;
}

static void free_typed_columns(typed_column_t *cols, size_t ncols) {
  for (size_t j = 0; cols && j < ncols; j++)
    free(cols[j].values), free(cols[j].shapes), free(cols[j].chars), free(cols[j].start);
  free(cols);
}

/* With infer_numbers: the columns typed, taken over by the table. */
static vagap_status_t typed_table(vagap_table_t **out, vagap_reader_t *r, const char *name,
                                  const vagap_column_t *cols, size_t ncols, size_t nrows,
                                  size_t max_field, char *header, vagap_error_t *err) {
  typed_column_t *typed = calloc(ncols, sizeof *typed);
  vagap_status_t st = typed ? VAGAP_OK : vagap_error_set(err, VAGAP_ENOMEM, name, 0, 0, "out of memory");
  for (size_t j = 0; !st && j < ncols; j++) st = typed_column(&cols[j], nrows, &typed[j], max_field, name, j, err);
  if (st) {
    free_typed_columns(typed, ncols);
    vagap_reader_close(r);
    free(header);
    return st;
  }
  st = table_adopt_typed(out, r, nrows, typed, header, err); /* takes the columns' arrays */
  free(typed);
  return st;
}

vagap_status_t vagap_table_from_columns(vagap_table_t **out, const char *name,
                                        const vagap_column_t *cols, size_t ncols, size_t nrows,
                                        const vagap_table_options_t *opt, vagap_ledger_t *ledger,
                                        vagap_error_t *err) {
  *out = NULL;
  vagap_table_options_t defaults;
  if (!opt) vagap_table_options_init(&defaults), opt = &defaults;
  if (!name) name = "data";
  cell_text_t header = {0}, text = {0};
  vagap_reader_t *r = NULL;
  vagap_status_t st = check_columns(name, cols, ncols, nrows, err);
  if (!st && write_header(&header, cols, ncols))
    st = vagap_error_set(err, VAGAP_ENOMEM, name, 0, 0, "out of memory");
  /* the header text stays allocated until the table closes the reader */
  if (!st) st = header_reader(&r, name, header.chars, header.len, opt, ledger, err);
  if (st) {
    vagap_reader_close(r);
    free(header.chars);
    return st;
  }
  if (opt->infer_numbers)
    st = typed_table(out, r, name, cols, ncols, nrows, opt->max_field_bytes, header.chars, err);
  else if ((st = write_cells(&text, name, cols, ncols, nrows, opt->max_field_bytes, err))) {
    vagap_reader_close(r);
    free(header.chars), free(text.chars), free(text.cell_off);
  } else {
    st = table_adopt_cells(out, r, nrows, text.chars, text.cell_off, header.chars, err);
  }
  if (st == VAGAP_OK && ledger) vagap_ledger_add_read(ledger, vagap_table_source_id(*out), nrows);
  return st;
}
