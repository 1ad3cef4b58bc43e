/*
 * jsonl.h - internal: JSON Lines input for the table reader (table.c).
 *
 * A JSON Lines input is turned into the same stream of rows as a CSV file:
 * jansson decodes each line, which must hold one JSON object, and the
 * object's leaves become the row's fields (csv_batch_t, as csv_segment.c
 * produces them), so every command reads JSON Lines unchanged.
 *
 * Columns.  The header is the union of every line's keys in the order they
 * first appear, found in a first pass over the whole input (jsonl_scan_*),
 * so that a key that only some lines have is a column and nothing is lost;
 * a line without a key has the field missing.  Nested objects are flattened:
 * {"a": {"b": 1}} gives the column "a.b"; an empty object is the text "{}".
 * Arrays are kept as their JSON text, exactly as written.
 *
 * Values.  A string is its decoded UTF-8 text (jansson checks the encoding
 * and rejects \u0000 and lone surrogates); a number is its literal text, so
 * that numbers are parsed exactly as in CSV; true and false are the text
 * "true" and "false"; null is missing (the empty field, which the reader
 * always counts as a missing token for JSON Lines).
 *
 * Errors are located at the physical line and the 1-based byte column
 * (jansson's position: the end of the offending token): invalid JSON, a line
 * that is not an object, a duplicated key (JSON_REJECT_DUPLICATES, and keys
 * that coincide once nested objects are flattened), a line over
 * max_row_bytes, a value over max_field_bytes, more keys than max_columns.
 * Lines holding only blanks (space, tab, CR) are blank lines, as in CSV.
 */
#ifndef VAGAP_JSONL_H
#define VAGAP_JSONL_H

#include <jansson.h>
#include <stddef.h>

#include "csv_segment.h"
#include "vagap/error.h"
#include "vagap/table.h"

/* Linked as vagap__jsonl_* and hidden from the shared library, as in csv_segment.h. */
#define jsonl_name_is_jsonl vagap__jsonl_name_is_jsonl
#define jsonl_spool_if_needed vagap__jsonl_spool_if_needed
#define jsonl_scan_file vagap__jsonl_scan_file
#define jsonl_scan_memory vagap__jsonl_scan_memory
#define jsonl_columns_free vagap__jsonl_columns_free
#define jsonl_last_line_end vagap__jsonl_last_line_end
#define jsonl_parse_segment vagap__jsonl_parse_segment
#pragma GCC visibility push(hidden)

/* The columns: name -> index (a JSON integer); jansson keeps insertion order. */
typedef struct {
  json_t *index;
  size_t ncols;
} jsonl_columns_t;

/* Does `name` end in .jsonl or .ndjson, optionally followed by .gz? */
int jsonl_name_is_jsonl(const char *name);

/*
 * Standard input ("-") and anything that is not a regular file (a pipe, a
 * FIFO) cannot be read twice: copy it as it is (gzip or not) into a new
 * temporary file, whose path goes to *spool_path (the caller unlinks and
 * frees it).  For a regular file *spool_path is left NULL.
 */
vagap_status_t jsonl_spool_if_needed(const char *path, const char *source, char **spool_path,
                                     vagap_error_t *err);

/*
 * The first pass: every line of the file at `path` (gzip detected by
 * content) or of the memory buffer is decoded and checked; the columns are
 * collected into `cols` and their names become the one row of `names`.
 * The first bad line is a located error.
 */
vagap_status_t jsonl_scan_file(const char *path, const char *source,
                               const vagap_table_options_t *opt, jsonl_columns_t *cols,
                               csv_batch_t *names, vagap_error_t *err);
vagap_status_t jsonl_scan_memory(const unsigned char *data, size_t size, const char *source,
                                 const vagap_table_options_t *opt, jsonl_columns_t *cols,
                                 csv_batch_t *names, vagap_error_t *err);
void jsonl_columns_free(jsonl_columns_t *cols);

/* Where a segment of s[0, window) may end: after its last line feed; 0 if none. */
size_t jsonl_last_line_end(const unsigned char *s, size_t window);

/*
 * Parse one segment (whole lines, except that the last segment's last line
 * may lack its line feed) into `b` (cleared first): rows of cols->ncols
 * fields, blank lines, line count and the first error, located relative to
 * the segment like csv_segment.c's.  With `read_error`, the input broke off
 * after these bytes: the complete lines stand and the error is reported at
 * the line reached.
 */
void jsonl_parse_segment(const jsonl_columns_t *cols, const vagap_table_options_t *opt,
                         const char *source, const unsigned char *s, size_t len, int at_end,
                         const vagap_error_t *read_error, csv_batch_t *b);

#pragma GCC visibility pop

#endif
