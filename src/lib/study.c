/*
 * study.c - readers of the walk-the-talk study logs and the row-mapping
 * rules that `vagap iat`, `vagap prop`, `vagap score` and `vagap report`
 * share, and the R and Python bindings call (see vagap/study.h).  They map
 * columns and codes and account for rows; the scoring is in iat.c and
 * scale.c.  Moved from the program (src/cli/study.c) with the same bodies:
 * where the program printed, the error record is filled instead.
 */
#include "vagap/study.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gsl/gsl_statistics_double.h>

#include "table_cells.h"

/* ---- what the program's rows.c did for these readers, with error records ------- */

static vagap_status_t out_of_memory(vagap_error_t *err) {
  return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
}

static vagap_status_t exclude_line(vagap_ledger_t *ledger, size_t source, long line,
                                   const char *reason, vagap_error_t *err) {
  if (vagap_ledger_exclude(ledger, source, line, reason) != VAGAP_OK) return out_of_memory(err);
  return VAGAP_OK;
}

static vagap_status_t exclude_row(vagap_ledger_t *ledger, const vagap_table_t *t, size_t row,
                                  const char *reason, vagap_error_t *err) {
  return exclude_line(ledger, vagap_table_source_id(t), vagap_table_line(t, row), reason, err);
}

/* Column j as numbers (NaN for missing), or NULL with the located error. */
static double *numeric_column(const vagap_table_t *t, size_t j, vagap_error_t *err) {
  size_t n = vagap_table_nrows(t);
  double *v = malloc((n ? n : 1) * sizeof *v);
  if (!v) {
    out_of_memory(err);
    return NULL;
  }
  if (vagap_table_numeric(t, j, v, err) != VAGAP_OK) {
    free(v);
    return NULL;
  }
  return v;
}

/* Handle one data row; col[k] is the field index of the k-th named column. */
typedef vagap_status_t (*row_fn)(void *ctx, const vagap_reader_t *r, const vagap_row_t *row,
                                 const size_t *col, vagap_error_t *err);
enum { MAX_NAMED_COLUMNS = 16 };

/* Look up the ncols named columns in order and call fn on each row until it fails or the input ends. */
static vagap_status_t read_rows(vagap_reader_t *r, const char *const *names, size_t ncols,
                                row_fn fn, void *ctx, vagap_error_t *err) {
  size_t col[MAX_NAMED_COLUMNS];
  for (size_t k = 0; k < ncols; k++)
    if (vagap_reader_column(r, names[k], &col[k], err) != VAGAP_OK) return err->status;
  for (;;) {
    vagap_row_t row;
    int has_row;
    vagap_status_t st = vagap_reader_next(r, &row, &has_row, err);
    if (st != VAGAP_OK || !has_row) return st;
    if ((st = fn(ctx, r, &row, col, err)) != VAGAP_OK) return st;
  }
}

/*
 * read_rows over the rows of a table (e.g. one made from a data frame's
 * columns): the same callbacks, with the reader that owns the table's names
 * and missing-value tokens and each row's cells and line.
 */
static vagap_status_t read_table_rows(const vagap_table_t *t, const char *const *names, size_t ncols,
                                      row_fn fn, void *ctx, vagap_error_t *err) {
  size_t col[MAX_NAMED_COLUMNS], width = vagap_table_ncols(t);
  for (size_t k = 0; k < ncols; k++)
    if (vagap_table_column(t, names[k], &col[k], err) != VAGAP_OK) return err->status;
  const char **fields = malloc((width ? width : 1) * sizeof *fields);
  size_t *lengths = malloc((width ? width : 1) * sizeof *lengths);
  vagap_status_t st = fields && lengths ? VAGAP_OK : out_of_memory(err);
  for (size_t i = 0; st == VAGAP_OK && i < vagap_table_nrows(t); i++) {
    for (size_t j = 0; j < width; j++) fields[j] = vagap_table_cell(t, i, j, &lengths[j]);
    vagap_row_t row = {width, fields, lengths, vagap_table_line(t, i)};
    st = fn(ctx, table_reader(t), &row, col, err);
  }
  free(fields);
  free(lengths);
  return st;
}

/* read_rows over a file ("-" = standard input). */
static vagap_status_t read_file_rows(const char *path, const vagap_table_options_t *topt,
                                     vagap_ledger_t *ledger, const char *const *names,
                                     size_t ncols, row_fn fn, void *ctx, vagap_error_t *err) {
  vagap_reader_t *r = NULL;
  vagap_status_t st = vagap_reader_open(&r, path, topt, ledger, err);
  if (st == VAGAP_OK) st = read_rows(r, names, ncols, fn, ctx, err);
  vagap_reader_close(r);
  return st;
}

size_t vagap_study_normalise_word(const char *s, size_t len, char **buf, size_t *cap) {
  while (len && (isspace((unsigned char)*s) || ispunct((unsigned char)*s))) s++, len--;
  while (len && (isspace((unsigned char)s[len - 1]) || ispunct((unsigned char)s[len - 1]))) len--;
  if (len + 1 > *cap) {
    char *p = realloc(*buf, len + 1);
    if (!p) return (size_t)-1;
    *buf = p;
    *cap = len + 1;
  }
  for (size_t i = 0; i < len; i++) (*buf)[i] = (char)tolower((unsigned char)s[i]);
  (*buf)[len] = '\0';
  return len;
}

/* ---- unit names ---------------------------------------------------------------- */

size_t vagap_study_unit_index(vagap_study_units_t *u, const char *name, size_t len) {
  /* Logs come grouped by unit, so the last unit is the usual hit. */
  for (size_t k = u->n; k-- > 0;)
    if (strlen(u->names[k]) == len && memcmp(u->names[k], name, len) == 0) return k;
  if (u->n == u->cap) {
    size_t cap = u->cap ? 2 * u->cap : 16;
    char **p = realloc(u->names, cap * sizeof *p);
    if (!p) return (size_t)-1;
    u->names = p;
    u->cap = cap;
  }
  char *copy = malloc(len + 1);
  if (!copy) return (size_t)-1;
  memcpy(copy, name, len);
  copy[len] = '\0';
  u->names[u->n] = copy;
  return u->n++;
}

void vagap_study_units_free(vagap_study_units_t *u) {
  for (size_t k = 0; k < u->n; k++) free(u->names[k]);
  free(u->names);
  memset(u, 0, sizeof *u);
}

/* Grow a size_t array to hold index k (zero-filled); -1 when out of memory. */
static int grow_counts(size_t **a, size_t *cap, size_t k) {
  if (k < *cap) return 0;
  size_t n = *cap ? *cap : 16;
  while (n <= k) n *= 2;
  size_t *p = realloc(*a, n * sizeof *p);
  if (!p) return -1;
  memset(p + *cap, 0, (n - *cap) * sizeof *p);
  *a = p;
  *cap = n;
  return 0;
}

/* ---- codes ---------------------------------------------------------------------- */

/* Bounds of a field with surrounding whitespace and punctuation trimmed (as vagap_study_normalise_word). */
static void trim_word(const char **s, size_t *len) {
  while (*len && (isspace((unsigned char)**s) || ispunct((unsigned char)**s))) (*s)++, (*len)--;
  while (*len && (isspace((unsigned char)(*s)[*len - 1]) || ispunct((unsigned char)(*s)[*len - 1])))
    (*len)--;
}

/* Equality of a raw field with a normalised code (lower case, trimmed). */
static int field_is(const char *s, size_t len, const char *code) {
  trim_word(&s, &len);
  return strlen(code) == len && strncasecmp(s, code, len) == 0;
}

vagap_status_t vagap_study_codes_parse(const char *list, vagap_study_codes_t *out, vagap_error_t *err) {
  memset(out, 0, sizeof *out);
  size_t n = 1;
  for (const char *p = list; *p; p++) n += *p == ',';
  out->codes = calloc(n, sizeof *out->codes);
  if (!out->codes) return out_of_memory(err);
  const char *p = list;
  for (;;) {
    const char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    char *code = NULL;
    size_t cap = 0, got = vagap_study_normalise_word(p, len, &code, &cap);
    if (got == (size_t)-1) {
      vagap_study_codes_free(out);
      return out_of_memory(err);
    }
    if (got) out->codes[out->n++] = code;
    else free(code);
    if (!comma) break;
    p = comma + 1;
  }
  return VAGAP_OK;
}

void vagap_study_codes_free(vagap_study_codes_t *c) {
  for (size_t k = 0; k < c->n; k++) free(c->codes[k]);
  free(c->codes);
  memset(c, 0, sizeof *c);
}

int vagap_study_codes_match(const vagap_study_codes_t *c, const char *s, size_t len) {
  for (size_t k = 0; k < c->n; k++)
    if (field_is(s, len, c->codes[k])) return 1;
  return 0;
}

const char *vagap_study_codes_overlap(const vagap_study_codes_t *a, const vagap_study_codes_t *b) {
  for (size_t k = 0; k < a->n; k++)
    if (vagap_study_codes_match(b, a->codes[k], strlen(a->codes[k]))) return a->codes[k];
  return NULL;
}

int vagap_study_lists_overlap(const char *a, const char *b, char *both, size_t size,
                              vagap_error_t *err) {
  vagap_study_codes_t ca, cb;
  if (vagap_study_codes_parse(a, &ca, err)) return -1;
  if (vagap_study_codes_parse(b, &cb, err)) {
    vagap_study_codes_free(&ca);
    return -1;
  }
  const char *code = vagap_study_codes_overlap(&ca, &cb);
  if (code) snprintf(both, size, "%s", code);
  int rc = code != NULL;
  vagap_study_codes_free(&ca);
  vagap_study_codes_free(&cb);
  return rc;
}

/* ---- IAT ------------------------------------------------------------------------ */

void vagap_study_iat_options_init(vagap_study_iat_options_t *o) {
  o->unit = "model";
  o->trial = "trial";
  o->word = "word";
  o->valence = "valence";
  o->assigned = "assigned";
  o->focal = "other";
  o->contrast = "self";
  vagap_iat_assoc_options_init(&o->scoring);
}

vagap_status_t vagap_study_iat_reader_init(vagap_study_iat_reader_t *rd, vagap_iat_assoc_t *scorer,
                                          const vagap_study_iat_options_t *o,
                                          vagap_ledger_t *ledger, vagap_study_valence_fn lists,
                                          void *lists_ctx, vagap_error_t *err) {
  memset(rd, 0, sizeof *rd);
  rd->scorer = scorer;
  rd->o = o;
  rd->ledger = ledger;
  rd->lists = lists;
  rd->lists_ctx = lists_ctx;
  if (vagap_study_codes_parse(o->focal, &rd->focal, err) ||
      vagap_study_codes_parse(o->contrast, &rd->contrast, err)) {
    vagap_study_iat_reader_free(rd);
    return err->status;
  }
  return VAGAP_OK;
}

void vagap_study_iat_reader_free(vagap_study_iat_reader_t *rd) {
  vagap_study_codes_free(&rd->focal);
  vagap_study_codes_free(&rd->contrast);
  free(rd->word);
  rd->word = NULL;
  rd->cap = 0;
}

static vagap_iat_valence_t valence_of_field(const char *s, size_t len) {
  if (field_is(s, len, "positive")) return VAGAP_IAT_POSITIVE;
  if (field_is(s, len, "negative")) return VAGAP_IAT_NEGATIVE;
  return VAGAP_IAT_NO_VALENCE;
}

static vagap_iat_target_t target_of(const vagap_study_iat_reader_t *rd, const char *s, size_t len) {
  if (vagap_study_codes_match(&rd->focal, s, len)) return VAGAP_IAT_FOCAL;
  if (vagap_study_codes_match(&rd->contrast, s, len)) return VAGAP_IAT_CONTRAST;
  return VAGAP_IAT_OTHER_TARGET;
}

static vagap_status_t exclude_reader_row(vagap_study_iat_reader_t *rd, const vagap_reader_t *r,
                                         const vagap_row_t *row, const char *reason,
                                         vagap_error_t *err) {
  return exclude_line(rd->ledger, vagap_reader_source_id(r), row->line, reason, err);
}

/* Error of a scorer about a row: add the location. */
static vagap_status_t locate_row_error(vagap_error_t *err, const vagap_reader_t *r,
                                       const vagap_row_t *row, size_t column) {
  if (err->status == VAGAP_ENOMEM) return out_of_memory(err);
  char message[VAGAP_ERROR_MESSAGE_MAX];
  snprintf(message, sizeof message, "%s", err->message);
  return vagap_error_set(err, VAGAP_EDATA, vagap_reader_source(r), row->line, (long)column + 1,
                         "%s", message);
}

enum { IAT_U, IAT_T, IAT_W, IAT_A, IAT_V }; /* order of the names in vagap_study_iat_read */

static int cell_is_na(const vagap_reader_t *r, const vagap_row_t *row, size_t j) {
  return vagap_reader_is_na(r, row->fields[j], row->lengths[j]);
}

static vagap_status_t add_iat_row(void *ctx, const vagap_reader_t *r, const vagap_row_t *row,
                                  const size_t *col, vagap_error_t *err) {
  vagap_study_iat_reader_t *rd = ctx;
  const vagap_study_iat_options_t *o = rd->o;
  const char *const *f = row->fields;
  const size_t *len = row->lengths;
  char reason[300];
  if (cell_is_na(r, row, col[IAT_U]) || cell_is_na(r, row, col[IAT_T])) {
    snprintf(reason, sizeof reason, "missing %s", cell_is_na(r, row, col[IAT_U]) ? o->unit : o->trial);
    return exclude_reader_row(rd, r, row, reason, err);
  }
  const char *word = NULL;
  size_t word_len = 0;
  vagap_iat_valence_t valence = VAGAP_IAT_NO_VALENCE;
  vagap_iat_target_t target = VAGAP_IAT_OTHER_TARGET;
  const char *why = NULL;
  if (cell_is_na(r, row, col[IAT_W])) {
    /* an unparsed response: the library registers the trial, which stays invalid if empty */
    snprintf(reason, sizeof reason, "missing %s (the trial is still counted)", o->word);
    why = reason;
  } else {
    word_len = vagap_study_normalise_word(f[col[IAT_W]], len[col[IAT_W]], &rd->word, &rd->cap);
    if (word_len == (size_t)-1) return out_of_memory(err);
    word = rd->word;
    if (rd->lists) valence = rd->lists(rd->lists_ctx, word);
    else if (!cell_is_na(r, row, col[IAT_V])) valence = valence_of_field(f[col[IAT_V]], len[col[IAT_V]]);
    if (!cell_is_na(r, row, col[IAT_A])) {
      target = target_of(rd, f[col[IAT_A]], len[col[IAT_A]]);
    } else if (valence != VAGAP_IAT_NO_VALENCE) {
      /* a missing cell is not a third target: register the trial, count nothing */
      snprintf(reason, sizeof reason, "missing %s (the trial is still counted)", o->assigned);
      why = reason;
      word = NULL;
    }
  }
  vagap_iat_word_fate_t fate;
  if (vagap_iat_assoc_add(rd->scorer, f[col[IAT_U]], len[col[IAT_U]], f[col[IAT_T]],
                          len[col[IAT_T]], word, word_len, valence, target, &fate, err) != VAGAP_OK)
    return locate_row_error(err, r, row, col[IAT_W]);
  if (fate == VAGAP_IAT_WORD_USED) return VAGAP_OK;
  if (!why) why = vagap_iat_word_fate_reason(fate);
  return exclude_reader_row(rd, r, row, why, err);
}

/* The association-log columns: the valence column is read only without word lists. */
static size_t iat_columns(const vagap_study_iat_reader_t *rd, const char **names) {
  const vagap_study_iat_options_t *o = rd->o;
  names[IAT_U] = o->unit, names[IAT_T] = o->trial, names[IAT_W] = o->word;
  names[IAT_A] = o->assigned, names[IAT_V] = o->valence;
  return rd->lists ? 4 : 5;
}

vagap_status_t vagap_study_iat_read(vagap_study_iat_reader_t *rd, vagap_reader_t *r,
                                    vagap_error_t *err) {
  const char *names[5];
  return read_rows(r, names, iat_columns(rd, names), add_iat_row, rd, err);
}

vagap_status_t vagap_study_iat_read_file(vagap_study_iat_reader_t *rd, const char *path,
                                         const vagap_table_options_t *topt, vagap_error_t *err) {
  const char *names[5];
  return read_file_rows(path, topt, rd->ledger, names, iat_columns(rd, names), add_iat_row, rd, err);
}

vagap_status_t vagap_study_iat_read_table(vagap_study_iat_reader_t *rd, const vagap_table_t *t,
                                          vagap_error_t *err) {
  const char *names[5];
  return read_table_rows(t, names, iat_columns(rd, names), add_iat_row, rd, err);
}

/* The association log from a reader or (reader NULL) a table into a new scorer. */
static vagap_status_t read_iat(vagap_reader_t *reader, const vagap_table_t *table,
                               const vagap_study_iat_options_t *o, const vagap_study_word_lists_t *lists,
                               vagap_ledger_t *ledger, vagap_iat_assoc_t **out, vagap_error_t *err) {
  *out = NULL;
  vagap_iat_assoc_t *scorer = vagap_iat_assoc_alloc(&o->scoring);
  if (!scorer) return out_of_memory(err);
  vagap_study_iat_reader_t rd;
  vagap_status_t rc = vagap_study_iat_reader_init(&rd, scorer, o, ledger,
                                                  lists ? vagap_study_word_lists_valence : NULL,
                                                  (void *)lists, err);
  if (rc == VAGAP_OK)
    rc = reader ? vagap_study_iat_read(&rd, reader, err) : vagap_study_iat_read_table(&rd, table, err);
  vagap_study_iat_reader_free(&rd);
  if (rc) vagap_iat_assoc_free(scorer);
  else *out = scorer;
  return rc;
}

vagap_status_t vagap_study_read_iat_from(vagap_reader_t *reader, const vagap_study_iat_options_t *o,
                                         vagap_ledger_t *ledger, vagap_iat_assoc_t **out,
                                         vagap_error_t *err) {
  return read_iat(reader, NULL, o, NULL, ledger, out, err);
}

vagap_status_t vagap_study_read_iat_table(const vagap_table_t *t, const vagap_study_iat_options_t *o,
                                          const vagap_study_word_lists_t *lists, vagap_ledger_t *ledger,
                                          vagap_iat_assoc_t **out, vagap_error_t *err) {
  return read_iat(NULL, t, o, lists, ledger, out, err);
}

/* ---- attribute word lists ------------------------------------------------------------ */

static int compare_words(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int in_words(char *const *words, size_t n, const char *word) {
  return n && bsearch(&word, words, n, sizeof *words, compare_words) != NULL;
}

/* The words normalised, sorted, without empty ones and repeats. */
static vagap_status_t word_list(const char *const *in, size_t n, char ***out, size_t *nout,
                                vagap_error_t *err) {
  *nout = 0;
  if (!(*out = calloc(n ? n : 1, sizeof **out))) return out_of_memory(err);
  char *norm = NULL;
  size_t cap = 0;
  int failed = 0;
  for (size_t i = 0; i < n && !failed; i++) {
    size_t len = in[i] ? vagap_study_normalise_word(in[i], strlen(in[i]), &norm, &cap) : 0;
    failed = len == (size_t)-1 || (len && !((*out)[*nout] = strdup(norm)));
    if (len && !failed) (*nout)++;
  }
  free(norm);
  if (failed) return out_of_memory(err);
  qsort(*out, *nout, sizeof **out, compare_words);
  size_t k = 0;
  for (size_t i = 0; i < *nout; i++) {
    if (k && !strcmp((*out)[k - 1], (*out)[i])) free((*out)[i]);
    else (*out)[k++] = (*out)[i];
  }
  *nout = k;
  return VAGAP_OK;
}

vagap_status_t vagap_study_word_lists_init(vagap_study_word_lists_t *l, const char *const *positive,
                                           size_t npositive, const char *const *negative,
                                           size_t nnegative, vagap_error_t *err) {
  memset(l, 0, sizeof *l);
  if (word_list(positive, npositive, &l->positive, &l->npositive, err) ||
      word_list(negative, nnegative, &l->negative, &l->nnegative, err))
    return err->status;
  for (size_t i = 0; i < l->npositive; i++)
    if (in_words(l->negative, l->nnegative, l->positive[i]))
      return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "'%s' is in both word lists", l->positive[i]);
  return VAGAP_OK;
}

vagap_iat_valence_t vagap_study_word_lists_valence(void *lists, const char *word) {
  const vagap_study_word_lists_t *l = lists;
  if (in_words(l->positive, l->npositive, word)) return VAGAP_IAT_POSITIVE;
  if (in_words(l->negative, l->nnegative, word)) return VAGAP_IAT_NEGATIVE;
  return VAGAP_IAT_NO_VALENCE;
}

void vagap_study_word_lists_free(vagap_study_word_lists_t *l) {
  for (size_t i = 0; i < l->npositive; i++) free(l->positive[i]);
  for (size_t i = 0; i < l->nnegative; i++) free(l->negative[i]);
  free(l->positive);
  free(l->negative);
  memset(l, 0, sizeof *l);
}

vagap_status_t vagap_study_read_iat(const char *path, const vagap_table_options_t *topt,
                                    const vagap_study_iat_options_t *o, vagap_ledger_t *ledger,
                                    vagap_iat_assoc_t **out, vagap_error_t *err) {
  *out = NULL;
  vagap_reader_t *r = NULL;
  vagap_status_t rc = vagap_reader_open(&r, path, topt, ledger, err);
  if (rc == VAGAP_OK) rc = vagap_study_read_iat_from(r, o, ledger, out, err);
  vagap_reader_close(r);
  return rc;
}

/* ---- choices ------------------------------------------------------------------------ */

void vagap_study_choice_options_init(vagap_study_choice_options_t *o) {
  o->unit = "model";
  o->choice = "choice";
  o->prosocial = "other";
  o->selfish = "self";
}

vagap_status_t vagap_study_choice_rules_init(vagap_study_choice_rules_t *rules,
                                            const vagap_study_choice_options_t *o,
                                            const char **both, vagap_error_t *err) {
  memset(rules, 0, sizeof *rules);
  rules->o = o;
  *both = NULL;
  if (vagap_study_codes_parse(o->prosocial, &rules->prosocial, err) ||
      vagap_study_codes_parse(o->selfish, &rules->selfish, err)) {
    vagap_study_choice_rules_free(rules);
    return err->status;
  }
  if ((*both = vagap_study_codes_overlap(&rules->prosocial, &rules->selfish)))
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "code '%s' is both a success and a failure", *both);
  return VAGAP_OK;
}

void vagap_study_choice_rules_free(vagap_study_choice_rules_t *rules) {
  vagap_study_codes_free(&rules->prosocial);
  vagap_study_codes_free(&rules->selfish);
}

int vagap_study_choice_classify(const vagap_study_choice_rules_t *rules, int unit_na, const char *choice,
                          size_t len, int choice_na, char *reason, size_t size) {
  const vagap_study_choice_options_t *o = rules->o;
  if (unit_na) {
    snprintf(reason, size, "missing %s", o->unit);
    return VAGAP_STUDY_CHOICE_NO_UNIT;
  }
  if (choice_na) {
    snprintf(reason, size, "missing %s", o->choice);
    return VAGAP_STUDY_CHOICE_OTHER;
  }
  if (vagap_study_codes_match(&rules->prosocial, choice, len)) return VAGAP_STUDY_CHOICE_PROSOCIAL;
  if (vagap_study_codes_match(&rules->selfish, choice, len)) return VAGAP_STUDY_CHOICE_SELFISH;
  snprintf(reason, size, "%s '%.*s' is neither prosocial (%s) nor selfish (%s)", o->choice,
           (int)(len > 200 ? 200 : len), choice, o->prosocial, o->selfish);
  return VAGAP_STUDY_CHOICE_OTHER;
}

void vagap_study_choices_free(vagap_study_choices_t *c) {
  vagap_study_units_free(&c->units);
  free(c->prosocial);
  free(c->selfish);
  free(c->other);
  memset(c, 0, sizeof *c);
}

typedef struct {
  const vagap_study_choice_rules_t *rules;
  vagap_ledger_t *ledger;
  vagap_study_choices_t *out;
  size_t cap[3]; /* of prosocial, selfish, other */
} choice_reading_t;

static vagap_status_t add_choice_row(void *ctx, const vagap_reader_t *r, const vagap_row_t *row,
                                     const size_t *col, vagap_error_t *err) {
  choice_reading_t *in = ctx;
  vagap_study_choices_t *out = in->out;
  size_t src = vagap_reader_source_id(r);
  int pooled = in->rules->o->unit == NULL; /* one unit "", no unit column */
  size_t cu = col[0], cc = col[pooled ? 0 : 1];
  const char *unit = pooled ? "" : row->fields[cu], *choice = row->fields[cc];
  size_t ulen = pooled ? 0 : row->lengths[cu], clen = row->lengths[cc];
  char reason[600];
  int code = vagap_study_choice_classify(in->rules, !pooled && vagap_reader_is_na(r, unit, ulen), choice,
                                         clen, vagap_reader_is_na(r, choice, clen), reason, sizeof reason);
  if (code == VAGAP_STUDY_CHOICE_NO_UNIT) return exclude_line(in->ledger, src, row->line, reason, err);
  size_t u = vagap_study_unit_index(&out->units, unit, ulen);
  if (u == (size_t)-1 || grow_counts(&out->prosocial, &in->cap[0], u) ||
      grow_counts(&out->selfish, &in->cap[1], u) || grow_counts(&out->other, &in->cap[2], u))
    return out_of_memory(err);
  if (code == VAGAP_STUDY_CHOICE_PROSOCIAL) out->prosocial[u]++;
  else if (code == VAGAP_STUDY_CHOICE_SELFISH) out->selfish[u]++;
  else {
    out->other[u]++;
    return exclude_line(in->ledger, src, row->line, reason, err);
  }
  return VAGAP_OK;
}

static int compare_names(const void *a, const void *b) {
  return strcmp(**(char **const *)a, **(char **const *)b);
}

/* Units sorted by strcmp, as `vagap prop` orders its blocks (stats_blocks_make). */
static vagap_status_t sort_choice_units(vagap_study_choices_t *c, vagap_error_t *err) {
  size_t n = c->units.n;
  char ***order = malloc((n ? n : 1) * sizeof *order);
  size_t *counts = malloc((n ? n : 1) * 3 * sizeof *counts);
  char **names = malloc((n ? n : 1) * sizeof *names);
  if (!order || !counts || !names) {
    free(order), free(counts), free(names);
    return out_of_memory(err);
  }
  for (size_t u = 0; u < n; u++) order[u] = &c->units.names[u];
  qsort(order, n, sizeof *order, compare_names);
  for (size_t k = 0; k < n; k++) {
    size_t u = (size_t)(order[k] - c->units.names);
    names[k] = c->units.names[u];
    counts[k] = c->prosocial[u];
    counts[n + k] = c->selfish[u];
    counts[2 * n + k] = c->other[u];
  }
  for (size_t k = 0; k < n; k++) {
    c->units.names[k] = names[k];
    c->prosocial[k] = counts[k];
    c->selfish[k] = counts[n + k];
    c->other[k] = counts[2 * n + k];
  }
  free(order), free(counts), free(names);
  return VAGAP_OK;
}

/* The choice log from a reader or (reader NULL) a table. */
static vagap_status_t read_choices(vagap_reader_t *reader, const vagap_table_t *table,
                                   const vagap_study_choice_options_t *o, vagap_ledger_t *ledger,
                                   vagap_study_choices_t *out, vagap_error_t *err) {
  memset(out, 0, sizeof *out);
  vagap_study_choice_rules_t rules;
  const char *both;
  vagap_status_t rc = vagap_study_choice_rules_init(&rules, o, &both, err);
  if (rc == VAGAP_EINVAL) vagap_study_choice_rules_free(&rules);
  if (rc) return rc;
  choice_reading_t in = {&rules, ledger, out, {0, 0, 0}};
  const char *names[] = {o->unit, o->choice};
  const char *const *cols = o->unit ? names : names + 1;
  size_t ncols = o->unit ? 2 : 1;
  rc = reader ? read_rows(reader, cols, ncols, add_choice_row, &in, err)
              : read_table_rows(table, cols, ncols, add_choice_row, &in, err);
  if (rc == VAGAP_OK) rc = sort_choice_units(out, err);
  vagap_study_choice_rules_free(&rules);
  if (rc) vagap_study_choices_free(out);
  return rc;
}

vagap_status_t vagap_study_read_choices_from(vagap_reader_t *reader,
                                             const vagap_study_choice_options_t *o,
                                             vagap_ledger_t *ledger, vagap_study_choices_t *out,
                                             vagap_error_t *err) {
  return read_choices(reader, NULL, o, ledger, out, err);
}

vagap_status_t vagap_study_read_choices_table(const vagap_table_t *t,
                                              const vagap_study_choice_options_t *o,
                                              vagap_ledger_t *ledger, vagap_study_choices_t *out,
                                              vagap_error_t *err) {
  return read_choices(NULL, t, o, ledger, out, err);
}

vagap_status_t vagap_study_read_choices(const char *path, const vagap_table_options_t *topt,
                                        const vagap_study_choice_options_t *o,
                                        vagap_ledger_t *ledger, vagap_study_choices_t *out,
                                        vagap_error_t *err) {
  memset(out, 0, sizeof *out);
  vagap_reader_t *r = NULL;
  vagap_status_t rc = vagap_reader_open(&r, path, topt, ledger, err);
  if (rc == VAGAP_OK) rc = vagap_study_read_choices_from(r, o, ledger, out, err);
  vagap_reader_close(r);
  return rc;
}

/* ---- proportions per unit ------------------------------------------------------------ */

void vagap_study_prop_free(vagap_study_prop_t *p) {
  vagap_study_choices_free(&p->choices);
  free(p->status), free(p->test), free(p->p_adjusted);
  memset(p, 0, sizeof *p);
}

/* The tests of vagap_study_prop_from on the counts in out->choices. */
static vagap_status_t prop_tests(const vagap_prop_options_t *test, vagap_p_adjust_t adjust,
                                 vagap_study_prop_t *out, vagap_error_t *err) {
  vagap_status_t rc;
  size_t nu = out->choices.units.n, m = nu ? nu : 1;
  out->status = malloc(m * sizeof *out->status);
  out->test = malloc(m * sizeof *out->test);
  out->p_adjusted = malloc(m * sizeof *out->p_adjusted);
  if (!out->status || !out->test || !out->p_adjusted) return out_of_memory(err);
  for (size_t u = 0; u < nu; u++) {
    size_t x = out->choices.prosocial[u], n = x + out->choices.selfish[u];
    vagap_error_t unit_err;
    out->status[u] = vagap_stats_prop_test(x, n, test, &out->test[u], &unit_err);
    if (out->status[u] == VAGAP_OK) out->nok++;
    else if (out->status[u] != VAGAP_EDOMAIN) {
      *err = unit_err;
      return err->status;
    }
    out->p_adjusted[u] = out->test[u].p_value;
  }
  if ((rc = vagap_stats_p_adjust(out->p_adjusted, nu, adjust, out->p_adjusted, err))) return rc;
  if (out->nok == 0)
    return vagap_error_set(err, VAGAP_EDOMAIN, NULL, 0, 0, "no unit has a counted choice");
  return VAGAP_OK;
}

vagap_status_t vagap_study_prop_from(vagap_reader_t *reader, const vagap_study_choice_options_t *o,
                                     const vagap_prop_options_t *test, vagap_p_adjust_t adjust,
                                     vagap_ledger_t *ledger, vagap_study_prop_t *out,
                                     vagap_error_t *err) {
  memset(out, 0, sizeof *out);
  vagap_status_t rc = vagap_study_read_choices_from(reader, o, ledger, &out->choices, err);
  return rc ? rc : prop_tests(test, adjust, out, err);
}

vagap_status_t vagap_study_prop_table(const vagap_table_t *t, const vagap_study_choice_options_t *o,
                                      const vagap_prop_options_t *test, vagap_p_adjust_t adjust,
                                      vagap_ledger_t *ledger, vagap_study_prop_t *out,
                                      vagap_error_t *err) {
  memset(out, 0, sizeof *out);
  vagap_status_t rc = vagap_study_read_choices_table(t, o, ledger, &out->choices, err);
  return rc ? rc : prop_tests(test, adjust, out, err);
}

/* ---- questionnaire key ------------------------------------------------------------ */

/* Reverse codes: the union of what score and report accepted, normalised like words. */
static int parse_reverse(const char *s, size_t len, int *out) {
  static const char *const yes[] = {"1", "true", "t", "yes", "y", "r", "reverse", "reversed"};
  static const char *const no[] = {"0", "false", "f", "no", "n", "forward"};
  for (size_t k = 0; k < sizeof yes / sizeof yes[0]; k++)
    if (field_is(s, len, yes[k])) return *out = 1, 0;
  for (size_t k = 0; k < sizeof no / sizeof no[0]; k++)
    if (field_is(s, len, no[k])) return *out = 0, 0;
  return -1;
}

void vagap_study_key_free(vagap_study_key_t *k) {
  vagap_table_free(k->table);
  free(k->item), free(k->scale), free(k->item_scale), free(k->item_reverse);
  memset(k, 0, sizeof *k);
}

long vagap_study_key_index(const vagap_study_key_t *k, const char *item) {
  for (size_t j = 0; j < k->nitems; j++)
    if (!strcmp(k->item[j], item)) return (long)j;
  return -1;
}

vagap_status_t vagap_study_key_from(vagap_table_t *table, const char *item_col,
                                    const char *scale_col, const char *reverse_col,
                                    vagap_study_key_t *k, vagap_error_t *err) {
  memset(k, 0, sizeof *k);
  k->table = table;
  size_t ci, cs, cr;
  if (vagap_table_column(k->table, item_col, &ci, err) ||
      vagap_table_column(k->table, scale_col, &cs, err))
    return err->status;
  int has_reverse = vagap_table_column(k->table, reverse_col, &cr, NULL) == VAGAP_OK;
  size_t n = vagap_table_nrows(k->table);
  k->item = malloc((n + 1) * sizeof *k->item);
  k->scale = malloc((n + 1) * sizeof *k->scale);
  k->item_scale = malloc((n + 1) * sizeof *k->item_scale);
  k->item_reverse = malloc((n + 1) * sizeof *k->item_reverse);
  if (!k->item || !k->scale || !k->item_scale || !k->item_reverse) return out_of_memory(err);
  const char *src = vagap_table_source(k->table);
  for (size_t i = 0; i < n; i++) {
    long line = vagap_table_line(k->table, i);
    if (vagap_table_is_na(k->table, i, ci) || vagap_table_is_na(k->table, i, cs)) {
      int no_item = vagap_table_is_na(k->table, i, ci);
      return vagap_error_set(err, VAGAP_EDATA, src, line, (long)(no_item ? ci : cs) + 1,
                             "key row without %s (every row needs an item and a scale)",
                             no_item ? "an item" : "a scale");
    }
    const char *item = vagap_table_cell(k->table, i, ci, NULL);
    if (vagap_study_key_index(k, item) >= 0) {
      return vagap_error_set(err, VAGAP_EDATA, src, line, (long)ci + 1, "item '%s' is keyed twice",
                             item);
    }
    int rev = 0;
    if (has_reverse && !vagap_table_is_na(k->table, i, cr)) {
      size_t rlen;
      const char *code = vagap_table_cell(k->table, i, cr, &rlen);
      if (parse_reverse(code, rlen, &rev)) {
        return vagap_error_set(err, VAGAP_EDATA, src, line, (long)cr + 1,
                               "reverse must be 1/0, true/false, yes/no or reverse/forward, "
                               "found '%s'", code);
      }
    }
    const char *scale = vagap_table_cell(k->table, i, cs, NULL);
    size_t s = 0;
    while (s < k->nscales && strcmp(k->scale[s], scale) != 0) s++;
    if (s == k->nscales) k->scale[k->nscales++] = scale;
    k->item[k->nitems] = item;
    k->item_scale[k->nitems] = (long)s;
    k->item_reverse[k->nitems] = rev;
    k->nitems++;
  }
  if (k->nitems == 0) return vagap_error_set(err, VAGAP_EDATA, src, 0, 0, "the key has no items");
  return VAGAP_OK;
}

vagap_status_t vagap_study_key_read(const char *path, const vagap_table_options_t *topt,
                                    const char *item_col, const char *scale_col,
                                    const char *reverse_col, vagap_ledger_t *ledger,
                                    vagap_study_key_t *k, vagap_error_t *err) {
  memset(k, 0, sizeof *k);
  vagap_table_t *table = NULL;
  if (vagap_table_read(&table, path, topt, ledger, err) != VAGAP_OK) return err->status;
  return vagap_study_key_from(table, item_col, scale_col, reverse_col, k, err);
}

/* ---- questionnaire runs ------------------------------------------------------------ */

void vagap_study_runs_free(vagap_study_runs_t *r) {
  free(r->run_unit), free(r->run_name), free(r->run_unit_idx), free(r->unit_name);
  free(r->resp), free(r->labels);
  memset(r, 0, sizeof *r);
}

int vagap_study_compare_labels(const char *a, const char *b) {
  char *ea, *eb;
  double x = strtod(a, &ea), y = strtod(b, &eb);
  int na = ea != a && !*ea && isfinite(x), nb = eb != b && !*eb && isfinite(y);
  if (na != nb) return na ? -1 : 1;
  if (na && x != y) return x < y ? -1 : 1;
  return strcmp(a, b);
}

/* A unit, run label and row of a run being assembled. */
typedef struct {
  const char *unit, *run;
  size_t row;
} run_ref_t;

/* By unit, then run label (vagap_study_compare_labels), then row. */
static int compare_run_refs(const void *a, const void *b) {
  const run_ref_t *p = a, *q = b;
  int c = vagap_study_compare_labels(p->unit, q->unit);
  if (!c) c = vagap_study_compare_labels(p->run, q->run);
  return c ? c : (p->row < q->row ? -1 : p->row > q->row);
}

/* Number the units of sorted runs; -1 out of memory. */
static int runs_number_units(vagap_study_runs_t *r) {
  r->unit_name = malloc((r->nruns + 1) * sizeof *r->unit_name);
  r->run_unit_idx = malloc((r->nruns + 1) * sizeof *r->run_unit_idx);
  if (!r->unit_name || !r->run_unit_idx) return -1;
  for (size_t i = 0; i < r->nruns; i++) {
    if (r->nunits == 0 || vagap_study_compare_labels(r->run_unit[i], r->unit_name[r->nunits - 1]) != 0)
      r->unit_name[r->nunits++] = r->run_unit[i];
    r->run_unit_idx[i] = r->nunits - 1;
  }
  return 0;
}

/* -1 out of memory */
static int runs_alloc(vagap_study_runs_t *r, size_t nruns, size_t nitems) {
  r->nruns = nruns;
  r->run_unit = malloc((nruns + 1) * sizeof *r->run_unit);
  r->run_name = malloc((nruns + 1) * sizeof *r->run_name);
  r->resp = malloc((nruns * nitems + 1) * sizeof *r->resp);
  if (!r->run_unit || !r->run_name || !r->resp) return -1;
  for (size_t i = 0; i < nruns * nitems; i++) r->resp[i] = NAN;
  return 0;
}

#define NO_COLUMN ((size_t)-1) /* an optional column that is absent */

/* Why a long row is not used, or NULL; item_of gets the key index. */
static const char *long_row_problem(const vagap_study_long_columns_t *cols, const vagap_study_key_t *k,
                                    const vagap_table_t *t, size_t i, size_t cu, size_t cr,
                                    size_t ci, double x, double min, double max, long *item_of,
                                    char *reason, size_t size) {
  const char *missing = NULL;
  if (vagap_table_is_na(t, i, cu)) missing = cols->unit;
  else if (cr != NO_COLUMN && vagap_table_is_na(t, i, cr)) missing = cols->run;
  else if (vagap_table_is_na(t, i, ci)) missing = cols->item;
  if (missing) {
    snprintf(reason, size, "missing %s", missing);
    return reason;
  }
  const char *item = vagap_table_cell(t, i, ci, NULL);
  if ((*item_of = vagap_study_key_index(k, item)) < 0) {
    snprintf(reason, size, "item '%.400s' is not in the key", item);
    return reason;
  }
  if (isnan(x)) {
    snprintf(reason, size, "missing %s", cols->response);
    return reason;
  }
  if (!(x >= min && x <= max)) {
    snprintf(reason, size, "response outside %g..%g", min, max);
    return reason;
  }
  return NULL;
}

vagap_status_t vagap_study_runs_build_long(const vagap_study_long_columns_t *cols, double min,
                                           double max, const vagap_study_key_t *k,
                                           vagap_table_t *t, vagap_ledger_t *ledger,
                                           vagap_study_runs_t *r, vagap_error_t *err) {
  size_t cu, cr = NO_COLUMN, ci, cx;
  if (vagap_table_column(t, cols->unit, &cu, err) || vagap_table_column(t, cols->item, &ci, err) ||
      vagap_table_column(t, cols->response, &cx, err))
    return err->status;
  if ((cols->run_required || vagap_table_column(t, cols->run, &cr, NULL) == VAGAP_OK) &&
      vagap_table_column(t, cols->run, &cr, err))
    return err->status;
  /* --bad-rows exclude: a response that is not a number excludes its row */
  if (vagap_table_exclude_non_numbers(t, &cx, 1, ledger, err)) return err->status;
  double *x = numeric_column(t, cx, err);
  if (!x) return err->status;
  size_t n = vagap_table_nrows(t), m = 0;
  run_ref_t *refs = malloc((n + 1) * sizeof *refs);
  long *item_of = malloc((n + 1) * sizeof *item_of);
  long *first_line = malloc((k->nitems + 1) * sizeof *first_line);
  vagap_status_t rc = VAGAP_ENOMEM;
  char reason[600];
  if (!refs || !item_of || !first_line) {
    out_of_memory(err);
    goto done;
  }
  for (size_t i = 0; i < n; i++) {
    const char *why = long_row_problem(cols, k, t, i, cu, cr, ci, x[i], min, max, &item_of[i],
                                       reason, sizeof reason);
    if (why) {
      if ((rc = exclude_row(ledger, t, i, why, err))) goto done;
      continue;
    }
    refs[m].unit = vagap_table_cell(t, i, cu, NULL);
    refs[m].run = cr == NO_COLUMN ? "" : vagap_table_cell(t, i, cr, NULL);
    refs[m].row = i;
    m++;
  }
  /* Sorted by unit, run and then row, so the first answer of a run is the first in the file. */
  qsort(refs, m, sizeof *refs, compare_run_refs);
  size_t nruns = 0;
  for (size_t q = 0; q < m; q++)
    if (q == 0 || strcmp(refs[q].unit, refs[q - 1].unit) || strcmp(refs[q].run, refs[q - 1].run))
      nruns++;
  if (runs_alloc(r, nruns, k->nitems)) {
    rc = out_of_memory(err);
    goto done;
  }
  size_t run = (size_t)-1;
  for (size_t q = 0; q < m; q++) {
    if (q == 0 || strcmp(refs[q].unit, refs[q - 1].unit) || strcmp(refs[q].run, refs[q - 1].run)) {
      run++;
      r->run_unit[run] = refs[q].unit;
      r->run_name[run] = cr == NO_COLUMN ? NULL : refs[q].run;
      for (size_t j = 0; j < k->nitems; j++) first_line[j] = 0;
    }
    size_t row = refs[q].row;
    long j = item_of[row];
    if (first_line[j]) {
      snprintf(reason, sizeof reason, "second answer to item '%.100s' for %s '%.100s'%s%.100s%s (first at line %ld)",
               k->item[j], cols->unit, refs[q].unit, cr == NO_COLUMN ? "" : " run '",
               refs[q].run, cr == NO_COLUMN ? "" : "'", first_line[j]);
      if ((rc = exclude_row(ledger, t, row, reason, err))) goto done;
      continue;
    }
    first_line[j] = vagap_table_line(t, row);
    r->resp[run * k->nitems + (size_t)j] = x[row];
  }
  if (runs_number_units(r)) {
    rc = out_of_memory(err);
    goto done;
  }
  rc = VAGAP_OK;
done:
  free(x), free(refs), free(item_of), free(first_line);
  return rc;
}

/* Wide input without a run column: runs of a unit stay in file order. */
static int compare_refs_by_row(const void *a, const void *b) {
  const run_ref_t *p = a, *q = b;
  int c = vagap_study_compare_labels(p->unit, q->unit);
  return c ? c : (p->row < q->row ? -1 : p->row > q->row);
}

/* --bad-rows exclude in wide input: each row with an answer outside [min, max]
   is excluded (its first such answer is the reason) and dropped from t. */
static vagap_status_t wide_exclude_out_of_range(const vagap_study_key_t *k, double min,
                                                double max, vagap_table_t *t, const size_t *col,
                                                vagap_ledger_t *ledger, vagap_error_t *err) {
  size_t n = vagap_table_nrows(t), ndrop = 0;
  unsigned char *drop = calloc(n + 1, 1);
  double *vals = malloc((n + 1) * sizeof *vals);
  vagap_status_t rc = drop && vals ? VAGAP_OK : out_of_memory(err);
  for (size_t j = 0; j < k->nitems && rc == VAGAP_OK; j++) {
    if ((rc = vagap_table_numeric(t, col[j], vals, err))) break;
    for (size_t i = 0; i < n && rc == VAGAP_OK; i++) {
      if (drop[i] || isnan(vals[i]) || (vals[i] >= min && vals[i] <= max)) continue;
      char reason[300];
      snprintf(reason, sizeof reason, "response %g to item '%.100s' outside %g..%g", vals[i],
               k->item[j], min, max);
      rc = exclude_row(ledger, t, i, reason, err);
      drop[i] = 1;
      ndrop++;
    }
  }
  if (rc == VAGAP_OK && ndrop) rc = vagap_table_drop_rows(t, drop, err);
  free(drop);
  free(vals);
  return rc;
}

/* Wide input: one row per run, one column per key item. */
vagap_status_t vagap_study_runs_build_wide(const vagap_study_long_columns_t *cols, double min,
                                           double max, const vagap_study_key_t *k,
                                           vagap_table_t *t, vagap_ledger_t *ledger,
                                           vagap_study_runs_t *r, vagap_error_t *err) {
  size_t n = vagap_table_nrows(t);
  size_t cu = NO_COLUMN, cr = NO_COLUMN;
  if ((cols->unit_required || vagap_table_column(t, cols->unit, &cu, NULL) == VAGAP_OK) &&
      vagap_table_column(t, cols->unit, &cu, err))
    return err->status;
  if ((cols->run_required || vagap_table_column(t, cols->run, &cr, NULL) == VAGAP_OK) &&
      vagap_table_column(t, cols->run, &cr, err))
    return err->status;
  size_t *col = malloc((k->nitems + 1) * sizeof *col);
  double *vals = malloc((n + 1) * sizeof *vals);
  run_ref_t *refs = malloc((n + 1) * sizeof *refs);
  r->labels = malloc(n * 24 + 1);
  vagap_status_t rc = VAGAP_ENOMEM;
  if (!col || !vals || !refs || !r->labels) {
    out_of_memory(err);
    goto done;
  }
  for (size_t j = 0; j < k->nitems; j++)
    if ((rc = vagap_table_column(t, k->item[j], &col[j], err))) goto done;
  /* --bad-rows exclude: an answer that is not a number, or out of range, excludes its row
     (as in long input); the rows are dropped before the runs are made */
  if ((rc = vagap_table_exclude_non_numbers(t, col, k->nitems, ledger, err)) ||
      (vagap_table_excludes_bad_rows(t) &&
       (rc = wide_exclude_out_of_range(k, min, max, t, col, ledger, err))))
    goto done;
  n = vagap_table_nrows(t);
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    if (cu != NO_COLUMN && vagap_table_is_na(t, i, cu)) {
      char reason[300];
      snprintf(reason, sizeof reason, "missing %s", cols->unit);
      if ((rc = exclude_row(ledger, t, i, reason, err))) goto done;
      continue;
    }
    char *label = r->labels + i * 24;
    snprintf(label, 24, "%ld", vagap_table_line(t, i));
    refs[m].unit = cu != NO_COLUMN ? vagap_table_cell(t, i, cu, NULL) : label;
    refs[m].run = cr != NO_COLUMN && !vagap_table_is_na(t, i, cr) ? vagap_table_cell(t, i, cr, NULL) : label;
    refs[m].row = i;
    m++;
  }
  if (cu == NO_COLUMN) {
    /* every row its own unit: keep file order */
  } else if (cr == NO_COLUMN) {
    qsort(refs, m, sizeof *refs, compare_refs_by_row);
  } else {
    qsort(refs, m, sizeof *refs, compare_run_refs);
  }
  if (runs_alloc(r, m, k->nitems)) {
    rc = out_of_memory(err);
    goto done;
  }
  for (size_t j = 0; j < k->nitems; j++) {
    if ((rc = vagap_table_numeric(t, col[j], vals, err))) goto done;
    for (size_t q = 0; q < m; q++) {
      double x = vals[refs[q].row];
      if (!isnan(x) && !(x >= min && x <= max)) {
        rc = vagap_error_set(err, VAGAP_EDATA, vagap_table_source(t),
                             vagap_table_line(t, refs[q].row), (long)col[j] + 1,
                             "response %g to item '%s' is outside %g..%g (--bad-rows exclude "
                             "excludes such rows)", x, k->item[j], min, max);
        goto done;
      }
      r->resp[q * k->nitems + j] = x;
    }
  }
  for (size_t q = 0; q < m; q++) {
    r->run_unit[q] = refs[q].unit;
    r->run_name[q] = refs[q].run;
    size_t answered = 0;
    for (size_t j = 0; j < k->nitems; j++) answered += !isnan(r->resp[q * k->nitems + j]);
    if (!answered && (rc = exclude_row(ledger, t, refs[q].row, "no key item answered", err)))
      goto done;
  }
  rc = runs_number_units(r) ? out_of_memory(err) : VAGAP_OK;
done:
  free(col), free(vals), free(refs);
  return rc;
}

/* ---- questionnaire scores per run and unit --------------------------------------------- */

void vagap_study_scores_free(vagap_study_scores_t *s) {
  free(s->run_score), free(s->answered), free(s->unit_score), free(s->unit_sd);
  free(s->unit_runs), free(s->unit_missing);
  memset(s, 0, sizeof *s);
}

void vagap_study_score_free(vagap_study_score_t *s) {
  vagap_study_runs_free(&s->runs);
  vagap_study_scores_free(&s->scores);
}

/* SD over the runs of each unit (runs of a unit are consecutive); tmp holds nruns values. */
static void unit_sds(const vagap_study_runs_t *r, vagap_study_scores_t *s, double *tmp) {
  size_t ns = s->nscales, first = 0;
  for (size_t u = 0; u < r->nunits; u++) {
    size_t end = first;
    while (end < r->nruns && r->run_unit_idx[end] == u) end++;
    for (size_t j = 0; j < ns; j++) {
      size_t m = 0;
      for (size_t i = first; i < end; i++)
        if (!isnan(s->run_score[i * ns + j])) tmp[m++] = s->run_score[i * ns + j];
      s->unit_sd[u * ns + j] = m > 1 ? gsl_stats_sd(tmp, 1, m) : NAN;
    }
    first = end;
  }
}

vagap_status_t vagap_study_scores(const vagap_scale_key_t *sk, const vagap_study_runs_t *r,
                                  vagap_study_scores_t *out, vagap_error_t *err) {
  memset(out, 0, sizeof *out);
  size_t ns = out->nscales = sk->nscales, runs = r->nruns * ns + 1, units = r->nunits * ns + 1;
  out->run_score = malloc(runs * sizeof *out->run_score);
  out->answered = malloc(runs * sizeof *out->answered);
  out->unit_score = malloc(units * sizeof *out->unit_score);
  out->unit_sd = malloc(units * sizeof *out->unit_sd);
  out->unit_runs = malloc(units * sizeof *out->unit_runs);
  out->unit_missing = malloc(units * sizeof *out->unit_missing);
  double *tmp = malloc((r->nruns + 1) * sizeof *tmp);
  vagap_status_t rc = VAGAP_OK;
  if (!out->run_score || !out->answered || !out->unit_score || !out->unit_sd || !out->unit_runs ||
      !out->unit_missing || !tmp)
    rc = out_of_memory(err);
  if (!rc) rc = vagap_scale_score_rows(sk, r->resp, r->nruns, out->run_score, out->answered, err);
  if (!rc)
    rc = vagap_scale_unit_means(out->run_score, r->nruns, ns, r->run_unit_idx, r->nunits,
                                out->unit_score, out->unit_runs, out->unit_missing, err);
  if (!rc) unit_sds(r, out, tmp);
  free(tmp);
  return rc;
}

vagap_status_t vagap_study_score(const vagap_study_long_columns_t *cols, int long_input,
                                 const vagap_study_key_t *k, const vagap_scale_key_t *sk,
                                 vagap_table_t *t, vagap_ledger_t *ledger,
                                 vagap_study_score_t *out, vagap_error_t *err) {
  memset(out, 0, sizeof *out);
  vagap_status_t rc = (long_input ? vagap_study_runs_build_long : vagap_study_runs_build_wide)(
      cols, sk->min, sk->max, k, t, ledger, &out->runs, err);
  return rc ? rc : vagap_study_scores(sk, &out->runs, &out->scores, err);
}

/* ---- questionnaire scores for the report ---------------------------------------------- */

void vagap_study_scale_options_init(vagap_study_scale_options_t *o) {
  o->unit = "model";
  o->run = "run";
  o->item = "item";
  o->response = "response";
  o->key_item = "item";
  o->key_scale = "scale";
  o->key_reverse = "reverse";
  o->min = 1;
  o->max = 7;
  o->min_items = 1;
}

void vagap_study_scale_free(vagap_study_scale_t *s) {
  vagap_study_key_free(&s->key);
  vagap_study_runs_free(&s->rr);
  vagap_table_free(s->table);
  free(s->total);
  free(s->total_pomp);
  free(s->runs);
  free(s->scale_scores);
  free(s->alpha);
  free(s->alpha_status);
  memset(s, 0, sizeof *s);
}

/* Score with the library: per-scale rows and unit means, and the total over all keyed items. */
static vagap_status_t score(const vagap_study_scale_options_t *o, vagap_study_scale_t *s,
                            vagap_error_t *err) {
  const vagap_study_runs_t *rr = &s->rr;
  size_t nu = s->nunits, ns = s->nscales, nr = rr->nruns, ni = s->nitems;
  long *all_total = calloc(ni, sizeof *all_total); /* every item on scale 0 */
  double *row_scale = malloc((nr ? nr : 1) * ns * sizeof(double));
  double *row_total = malloc((nr ? nr : 1) * sizeof(double));
  size_t *unit_rows = malloc((nu ? nu : 1) * ns * sizeof(size_t));
  s->scale_scores = malloc((nu ? nu : 1) * ns * sizeof(double));
  s->total = malloc((nu ? nu : 1) * sizeof(double));
  s->total_pomp = malloc((nu ? nu : 1) * sizeof(double));
  s->runs = malloc((nu ? nu : 1) * sizeof(size_t));
  s->alpha = calloc(ns + 1, sizeof *s->alpha);
  s->alpha_status = calloc(ns + 1, sizeof *s->alpha_status);
  vagap_status_t rc = VAGAP_OK;
  if (!all_total || !row_scale || !row_total || !unit_rows || !s->scale_scores || !s->total ||
      !s->total_pomp || !s->runs || !s->alpha || !s->alpha_status) {
    rc = out_of_memory(err);
    goto done;
  }
  const vagap_study_key_t *k = &s->key;
  vagap_scale_key_t key = {ni, ns, k->item_scale, k->item_reverse, o->min, o->max, o->min_items};
  vagap_scale_key_t total = {ni, 1, all_total, k->item_reverse, o->min, o->max, o->min_items};
  if (vagap_scale_key_check(&key, err) || vagap_scale_key_check(&total, err) ||
      vagap_scale_score_rows(&key, rr->resp, nr, row_scale, NULL, err) ||
      vagap_scale_score_rows(&total, rr->resp, nr, row_total, NULL, err) ||
      vagap_scale_unit_means(row_scale, nr, ns, rr->run_unit_idx, nu, s->scale_scores, unit_rows, NULL, err) ||
      vagap_scale_unit_means(row_total, nr, 1, rr->run_unit_idx, nu, s->total, s->runs, NULL, err)) {
    rc = err->status;
    goto done;
  }
  for (size_t u = 0; u < nu; u++) s->total_pomp[u] = vagap_scale_pomp(&total, s->total[u]);
  for (size_t j = 0; j <= ns; j++) {
    const vagap_scale_key_t *kk = j < ns ? &key : &total;
    vagap_error_t alpha_err; /* an undefined alpha is a status in the result, not a failure */
    s->alpha_status[j] = vagap_scale_alpha(kk, rr->resp, nr, j < ns ? j : 0, &s->alpha[j], &alpha_err);
  }
done:
  free(all_total);
  free(row_scale);
  free(row_total);
  free(unit_rows);
  return rc;
}

/* Score the responses in out->table with the key in out->key. */
static vagap_status_t scale_of_tables(const vagap_study_scale_options_t *o, vagap_ledger_t *ledger,
                                      vagap_study_scale_t *out, vagap_error_t *err) {
  vagap_study_long_columns_t cols = {o->unit, o->run, o->item, o->response, 0, 0};
  /* long when there is an item column, else wide: the same test as `vagap score` */
  size_t ci;
  int is_long = vagap_table_column(out->table, o->item, &ci, NULL) == VAGAP_OK;
  vagap_status_t rc = (is_long ? vagap_study_runs_build_long : vagap_study_runs_build_wide)(
      &cols, o->min, o->max, &out->key, out->table, ledger, &out->rr, err);
  if (rc == VAGAP_OK) {
    out->nunits = out->rr.nunits;
    out->unit_names = out->rr.unit_name;
    out->nitems = out->key.nitems;
    out->nscales = out->key.nscales;
    out->scales = out->key.scale;
    rc = score(o, out, err);
  }
  return rc;
}

vagap_status_t vagap_study_scale_from(vagap_table_t *responses, vagap_table_t *key,
                                      const vagap_study_scale_options_t *o,
                                      vagap_ledger_t *ledger, vagap_study_scale_t *out,
                                      vagap_error_t *err) {
  memset(out, 0, sizeof *out);
  out->min = o->min;
  out->max = o->max;
  out->table = responses;
  vagap_status_t rc =
      vagap_study_key_from(key, o->key_item, o->key_scale, o->key_reverse, &out->key, err);
  if (rc == VAGAP_OK) rc = scale_of_tables(o, ledger, out, err);
  if (rc) vagap_study_scale_free(out);
  return rc;
}

vagap_status_t vagap_study_read_scale(const char *path, const char *key_path,
                                      const vagap_table_options_t *topt,
                                      const vagap_study_scale_options_t *o, vagap_ledger_t *ledger,
                                      vagap_study_scale_t *out, vagap_error_t *err) {
  memset(out, 0, sizeof *out);
  out->min = o->min;
  out->max = o->max;
  vagap_status_t rc = vagap_study_key_read(key_path, topt, o->key_item, o->key_scale,
                                           o->key_reverse, ledger, &out->key, err);
  if (rc == VAGAP_OK) rc = vagap_table_read(&out->table, path, topt, ledger, err);
  if (rc == VAGAP_OK) rc = scale_of_tables(o, ledger, out, err);
  if (rc) vagap_study_scale_free(out);
  return rc;
}
