/*
 * vagap/table.h - CSV input: a streaming row reader and an in-memory table.
 *
 * Parsing is done by libcsv in strict mode.  The reader adds what libcsv does
 * not do: physical line numbers, header handling, a UTF-8 byte-order mark,
 * CRLF, blank-line and ragged-row detection, caps on field and row sizes,
 * embedded NUL detection and transparent gzip input (zlib).  Errors carry the
 * file, the physical line and the 1-based field number.
 *
 * Numbers are parsed in the C locale whatever the process locale is, and are
 * correctly rounded (exact fast path for short decimals, strtod_l otherwise).
 *
 * Parsing runs on worker threads: the input is cut into segments of about
 * `segment_bytes` that end after a line end outside quotes (quote parity
 * decides, which is exact for well-formed CSV; a malformed stretch is
 * reported exactly as a single parser would, because every segment starts
 * where a single parser would be at the start of a row).  Rows, blank lines
 * and errors are handed out in input order, so results never depend on the
 * number of threads or on the segment size.
 */
#ifndef VAGAP_TABLE_H
#define VAGAP_TABLE_H

#include <stddef.h>
#include "vagap/error.h"
#include "vagap/ledger.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VAGAP_DEFAULT_MAX_FIELD ((size_t)1 << 20)   /* 1 MiB */
#define VAGAP_DEFAULT_MAX_ROW ((size_t)64 << 20)    /* 64 MiB */
#define VAGAP_DEFAULT_MAX_COLUMNS ((size_t)100000)

/*
 * What the input is.  JSON Lines (one JSON object per line, decoded by
 * jansson) gives the same rows as CSV: columns are the keys in the order they
 * first appear anywhere in the input (found in a first pass, so standard
 * input and pipes are copied to a temporary file first), nested objects are
 * flattened to "a.b", arrays are kept as their JSON text, numbers as written,
 * true/false as text, and null or an absent key is missing (the empty field,
 * always a missing token for JSON Lines).  Lines are capped by
 * max_row_bytes, values by max_field_bytes, keys by max_columns; errors give
 * the line and the byte column.
 */
typedef enum {
  VAGAP_INPUT_AUTO = 0, /* JSON Lines when the name ends in .jsonl or .ndjson (+ .gz), else CSV */
  VAGAP_INPUT_CSV,
  VAGAP_INPUT_JSONL
} vagap_input_format_t;

typedef struct {
  char delim;               /* field separator, ',' by default */
  const char *na;           /* comma-separated missing-value tokens; default ",NA,NaN"
                               (the empty string, NA and NaN) */
  size_t max_field_bytes;   /* longest field accepted */
  size_t max_row_bytes;     /* longest row accepted */
  size_t max_columns;       /* widest header accepted */
  size_t segment_bytes;     /* input per parsing task; 0: the environment variable
                               VAGAP_SEGMENT_BYTES if set (tests), else 1 MiB; at most 256 MiB */
  size_t threads;           /* parsing threads; 0: the environment variable VAGAP_THREADS
                               if set, else one per CPU the process may run on (its
                               affinity mask, e.g. taskset); at most 4 */
  int infer_numbers;        /* vagap_table_read: also convert every column that is all
                               numbers, on the parsing threads (see
                               vagap_table_inferred_numbers); such columns are then kept
                               as numbers only, about 9 bytes per cell, their text being
                               rebuilt exactly if vagap_table_cell asks for it */
  vagap_input_format_t input_format; /* VAGAP_INPUT_AUTO by default */
  /* Forgiving input, each off by default (see "Forgiving input" below). */
  int exclude_bad_rows;     /* a ragged row is recorded in the ledger as excluded
                               ("ragged row: N fields where the header has M") instead
                               of being an error */
  const char *encoding;     /* the input's character encoding as iconv names it
                               ("UTF-16", "UTF-16LE", "LATIN1", "CP1252", ...); NULL
                               or "UTF-8": UTF-8, except that a UTF-16 byte-order mark
                               is recognised and decoded */
  int decimal_comma;        /* numbers are written 1,5 (a '.' in a number is refused);
                               CSV only: JSON numbers always have a point */
  /* Called (on the caller's thread) with a warning the reader has for the user,
     e.g. invalid UTF-8 replaced; NULL: no warnings. */
  void (*warn)(const char *message, void *ctx);
  void *warn_ctx;
  /* Called on the caller's thread as the input is consumed: bytes done of
     total (0: unknown, e.g. gzip or a pipe), last with done == total (or, when
     the total is unknown, with total set to done); NULL: none. */
  void (*progress)(const char *source, size_t done, size_t total, void *ctx);
  void *progress_ctx;
} vagap_table_options_t;

/*
 * Forgiving input.  Text that reaches a table is always valid UTF-8: CSV
 * input in another encoding is converted first (glibc iconv; the whole input
 * is converted in memory before parsing, so line numbers are those of the
 * file), and in UTF-8 input each byte that is not part of a valid UTF-8
 * sequence is replaced by '?', the first place and the count being passed
 * to opt->warn once the input is read.  JSON Lines must be UTF-8 (jansson
 * refuses anything else).  A header of one field that holds ';', a tab or
 * '|' makes "no such column" and "ragged row" errors name that separator.
 */

/* Fill `opt` with the defaults above. */
void vagap_table_options_init(vagap_table_options_t *opt);

/* ---- number parsing ---------------------------------------------------- */

/*
 * Parse a decimal number (optional sign, digits, optional fraction, optional
 * exponent; surrounding blanks allowed).  Hexadecimal, "inf", "nan", a decimal
 * comma and values that overflow a double are rejected with VAGAP_EDATA
 * (message only; the caller adds the location).  Subnormal results are kept.
 */
vagap_status_t vagap_parse_double(const char *s, size_t len, double *out,
                                  vagap_error_t *err);

/*
 * The same with a decimal comma when `decimal_comma` is set: "1,5" is 1.5,
 * and a '.' anywhere in the text is refused (it would be a thousands
 * separator or a mistake).  With decimal_comma 0 it is vagap_parse_double.
 */
vagap_status_t vagap_parse_double_mark(const char *s, size_t len, int decimal_comma,
                                       double *out, vagap_error_t *err);

/* ---- streaming reader --------------------------------------------------- */

typedef struct vagap_reader vagap_reader_t;

typedef struct {
  size_t nfields;
  const char *const *fields; /* NUL-terminated, valid until the next call */
  const size_t *lengths;
  long line;                 /* physical line where the row starts */
} vagap_row_t;

/*
 * Open `path` ("-" = standard input; gzip detected by content) and read the
 * header row.  On success *out owns the reader (free with vagap_reader_close).
 * Blank lines are not rows: they are recorded in `ledger` (which may be NULL)
 * as excluded with the reason "blank line".
 */
vagap_status_t vagap_reader_open(vagap_reader_t **out, const char *path,
                                 const vagap_table_options_t *opt,
                                 vagap_ledger_t *ledger, vagap_error_t *err);

/* The same over a memory buffer (tests, fuzzing).  `name` labels errors. */
vagap_status_t vagap_reader_open_memory(vagap_reader_t **out, const char *name,
                                        const void *data, size_t size,
                                        const vagap_table_options_t *opt,
                                        vagap_ledger_t *ledger, vagap_error_t *err);

void vagap_reader_close(vagap_reader_t *r); /* NULL is a no-op */

size_t vagap_reader_ncols(const vagap_reader_t *r);
const char *vagap_reader_colname(const vagap_reader_t *r, size_t j);
const char *vagap_reader_source(const vagap_reader_t *r);
/* Index in the ledger of this reader's source (0 if no ledger). */
size_t vagap_reader_source_id(const vagap_reader_t *r);

/*
 * Find a column by exact name.  On failure returns VAGAP_ECOLUMN with a
 * message that lists the columns the file does have.
 */
vagap_status_t vagap_reader_column(const vagap_reader_t *r, const char *name,
                                   size_t *index, vagap_error_t *err);

/*
 * Read the next data row.  *has_row is set to 0 at the end of input.  A row
 * with a different number of fields than the header is an error.
 */
vagap_status_t vagap_reader_next(vagap_reader_t *r, vagap_row_t *row,
                                 int *has_row, vagap_error_t *err);

/* Is field text (s, len) one of the reader's missing-value tokens? */
int vagap_reader_is_na(const vagap_reader_t *r, const char *s, size_t len);

/*
 * Parse field `j` of `row` as a number.  Missing tokens give NAN and OK.
 * Errors are located at the row's line and field j+1 and name the column.
 */
vagap_status_t vagap_reader_number(const vagap_reader_t *r, const vagap_row_t *row,
                                   size_t j, double *out, vagap_error_t *err);

/* ---- in-memory table ---------------------------------------------------- */

typedef struct vagap_table vagap_table_t;

/* Read a whole file into memory (cells are kept as text; see vagap_table_numeric). */
vagap_status_t vagap_table_read(vagap_table_t **out, const char *path,
                                const vagap_table_options_t *opt,
                                vagap_ledger_t *ledger, vagap_error_t *err);
/*
 * vagap_table_read of the named columns only, for a command that reads a few
 * columns of a wide file: `numbers` are converted on the parsing threads as
 * with infer_numbers (vagap_table_inferred_numbers), `texts` are kept as text
 * (a column in both lists is converted), and every other column is left out:
 * nothing of it is converted or kept, and its cells read as empty text.  The
 * header, rows, lines and ledger are those of vagap_table_read.  Names that
 * are not columns are ignored here (the caller reports them when it looks
 * them up), NULL entries too; the lists need not outlive the call.
 */
vagap_status_t vagap_table_read_columns(vagap_table_t **out, const char *path,
                                        const vagap_table_options_t *opt,
                                        const char *const *numbers, size_t nnumbers,
                                        const char *const *texts, size_t ntexts,
                                        vagap_ledger_t *ledger, vagap_error_t *err);
vagap_status_t vagap_table_read_memory(vagap_table_t **out, const char *name,
                                       const void *data, size_t size,
                                       const vagap_table_options_t *opt,
                                       vagap_ledger_t *ledger, vagap_error_t *err);
void vagap_table_free(vagap_table_t *t); /* NULL is a no-op */

size_t vagap_table_nrows(const vagap_table_t *t);
size_t vagap_table_ncols(const vagap_table_t *t);
const char *vagap_table_colname(const vagap_table_t *t, size_t j);
const char *vagap_table_source(const vagap_table_t *t);
size_t vagap_table_source_id(const vagap_table_t *t);
long vagap_table_line(const vagap_table_t *t, size_t i);  /* physical line of row i */

/* Cell text (NUL-terminated, owned by the table); *len may be NULL.  Safe from several
   threads at once (a typed numeric column's text is rebuilt once, under a lock). */
const char *vagap_table_cell(const vagap_table_t *t, size_t i, size_t j, size_t *len);
int vagap_table_is_na(const vagap_table_t *t, size_t i, size_t j);

/* Required column by name; VAGAP_ECOLUMN lists the available columns. */
vagap_status_t vagap_table_column(const vagap_table_t *t, const char *name,
                                  size_t *index, vagap_error_t *err);

/*
 * Column j as numbers into out[nrows] (NAN for missing).  The first cell that
 * is not a number is an error located at its line and field.
 */
vagap_status_t vagap_table_numeric(const vagap_table_t *t, size_t j, double *out,
                                   vagap_error_t *err);

/*
 * With the option infer_numbers set when the table was read: column j as
 * numbers (NAN for missing values) when every cell that is not missing is a
 * number, else NULL (a text column).  Without the option: NULL.  The array
 * has nrows values and belongs to the table.
 */
const double *vagap_table_inferred_numbers(const vagap_table_t *t, size_t j);

/*
 * Several columns at once, in one row-major pass over the table (much faster
 * than one call per column on large tables).  out[k] receives column cols[k].
 * With `inferring` set, a column whose cell is not a number is not an error:
 * its is_numeric[k] becomes 0 and out[k] is left partly filled; otherwise the
 * first such cell is a located error.  is_numeric may be NULL when not inferring.
 */
vagap_status_t vagap_table_numeric_columns(const vagap_table_t *t, const size_t *cols,
                                           size_t ncols, double *const *out, int inferring,
                                           int *is_numeric, vagap_error_t *err);

/*
 * Remove the rows whose drop[i] is non-zero (i < nrows); the others keep
 * their order, text, lines and inferred numbers.  For readers that exclude
 * rows after reading, e.g. a cell that is not a number where one is needed
 * (the caller records the exclusion in the ledger).
 */
vagap_status_t vagap_table_drop_rows(vagap_table_t *t, const unsigned char *drop,
                                     vagap_error_t *err);

/* 1 when the table was read with exclude_bad_rows (--bad-rows exclude). */
int vagap_table_excludes_bad_rows(const vagap_table_t *t);

/*
 * With exclude_bad_rows: each row with a cell in columns cols[0, n) that is
 * neither missing nor a number (with the table's decimal mark) is recorded
 * in `ledger` as excluded, "column 'C': expected a number, found 'X'", and
 * dropped, so that converting those columns afterwards cannot fail.
 * Without the option nothing happens (the conversion reports the first such
 * cell).  Call it before anything is computed from the rows.
 */
vagap_status_t vagap_table_exclude_non_numbers(vagap_table_t *t, const size_t *cols, size_t n,
                                               vagap_ledger_t *ledger, vagap_error_t *err);

/* ---- a table from typed columns (the R and Python bindings) ------------------ */

/*
 * A data frame's columns handed in as they are held in memory, so that no
 * CSV text is written and parsed again.  Cells become the text the program
 * would have read: numbers in the shortest form that reads back as the same
 * double (C locale), integers in decimal, logicals TRUE/FALSE, strings as
 * given (UTF-8); a missing value becomes the empty cell, which is a missing
 * token whatever the options' `na` list holds.  A non-missing string that is
 * one of the `na` tokens ("NA", "NaN" by default) is missing too, as it is in
 * a file.
 */
typedef enum {
  VAGAP_COLUMN_DOUBLE = 0, /* numbers[i]; NaN is missing */
  VAGAP_COLUMN_INT,        /* integers[i]; na_integer is missing (R's NA_integer_ is INT_MIN) */
  VAGAP_COLUMN_LOGICAL,    /* integers[i]: 0 FALSE, else TRUE; na_integer is missing */
  VAGAP_COLUMN_STRING,     /* strings[i]; NULL is missing */
  VAGAP_COLUMN_FACTOR      /* strings[integers[i] - 1] (the levels, nlevels of them); a code
                              outside 1..nlevels (or na_integer) is missing */
} vagap_column_type_t;

typedef struct {
  const char *name;
  vagap_column_type_t type;
  const double *numbers;       /* DOUBLE */
  const int *integers;         /* INT, LOGICAL, FACTOR */
  int na_integer;
  const char *const *strings;  /* STRING: one per row; FACTOR: the levels */
  size_t nlevels;              /* FACTOR */
} vagap_column_t;

/*
 * A table of `nrows` rows from `ncols` columns, named `name` in errors and
 * in the ledger (the source, with nrows rows read).  Row i (0-based) is
 * located as line i + 1: exclusions and errors name the data frame's 1-based
 * row, not a line of a file.  Of `opt` (NULL: the defaults) only `na`,
 * max_field_bytes and infer_numbers apply; with infer_numbers a DOUBLE or INT
 * column is kept as its numbers (vagap_table_inferred_numbers; the text of a
 * cell is built when asked for) and the others as text.  VAGAP_EINVAL for a column without a name or
 * data, an unknown type, or no columns; VAGAP_ENOMEM.
 */
vagap_status_t vagap_table_from_columns(vagap_table_t **out, const char *name,
                                        const vagap_column_t *cols, size_t ncols, size_t nrows,
                                        const vagap_table_options_t *opt, vagap_ledger_t *ledger,
                                        vagap_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
