/*
 * study.c - readers of the walk-the-talk study logs and the row-mapping
 * rules that `vagap iat`, `vagap prop`, `vagap score` and `vagap report`
 * share (see study.h).  They map columns and codes and account for rows;
 * the scoring is the library's (vagap/iat.h, vagap/scale.h).
 */
#include "study.h"

#include "stats_cli.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- unit names ---------------------------------------------------------------- */

size_t study_unit_index(study_units_t *u, const char *name, size_t len) {
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

void study_units_free(study_units_t *u) {
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

/* Bounds of a field with surrounding whitespace and punctuation trimmed (as cli_normalise_word). */
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

int study_codes_parse(const char *list, study_codes_t *out) {
  memset(out, 0, sizeof *out);
  size_t n = 1;
  for (const char *p = list; *p; p++) n += *p == ',';
  out->codes = calloc(n, sizeof *out->codes);
  if (!out->codes) return cli_out_of_memory();
  const char *p = list;
  for (;;) {
    const char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    char *code = NULL;
    size_t cap = 0, got = cli_normalise_word(p, len, &code, &cap);
    if (got == (size_t)-1) {
      study_codes_free(out);
      return cli_out_of_memory();
    }
    if (got) out->codes[out->n++] = code;
    else free(code);
    if (!comma) break;
    p = comma + 1;
  }
  return 0;
}

void study_codes_free(study_codes_t *c) {
  for (size_t k = 0; k < c->n; k++) free(c->codes[k]);
  free(c->codes);
  memset(c, 0, sizeof *c);
}

int study_codes_match(const study_codes_t *c, const char *s, size_t len) {
  for (size_t k = 0; k < c->n; k++)
    if (field_is(s, len, c->codes[k])) return 1;
  return 0;
}

const char *study_codes_overlap(const study_codes_t *a, const study_codes_t *b) {
  for (size_t k = 0; k < a->n; k++)
    if (study_codes_match(b, a->codes[k], strlen(a->codes[k]))) return a->codes[k];
  return NULL;
}

int study_lists_overlap(const char *a, const char *b, char *both, size_t size) {
  study_codes_t ca, cb;
  if (study_codes_parse(a, &ca)) return -1;
  if (study_codes_parse(b, &cb)) {
    study_codes_free(&ca);
    return -1;
  }
  const char *code = study_codes_overlap(&ca, &cb);
  if (code) snprintf(both, size, "%s", code);
  int rc = code != NULL;
  study_codes_free(&ca);
  study_codes_free(&cb);
  return rc;
}

static int report(const vagap_error_t *err) {
  cli_report_error(err);
  return -1;
}

/* ---- IAT ------------------------------------------------------------------------ */

void study_iat_options_init(study_iat_options_t *o) {
  o->unit = "model";
  o->trial = "trial";
  o->word = "word";
  o->valence = "valence";
  o->assigned = "assigned";
  o->focal = "other";
  o->contrast = "self";
  vagap_iat_assoc_options_init(&o->scoring);
}

int study_iat_reader_init(study_iat_reader_t *rd, vagap_iat_assoc_t *scorer,
                          const study_iat_options_t *o, vagap_ledger_t *ledger,
                          study_valence_fn lists, void *lists_ctx) {
  memset(rd, 0, sizeof *rd);
  rd->scorer = scorer;
  rd->o = o;
  rd->ledger = ledger;
  rd->lists = lists;
  rd->lists_ctx = lists_ctx;
  if (study_codes_parse(o->focal, &rd->focal) || study_codes_parse(o->contrast, &rd->contrast)) {
    study_iat_reader_free(rd);
    return -1;
  }
  return 0;
}

void study_iat_reader_free(study_iat_reader_t *rd) {
  study_codes_free(&rd->focal);
  study_codes_free(&rd->contrast);
  free(rd->word);
  rd->word = NULL;
  rd->cap = 0;
}

static vagap_iat_valence_t valence_of_field(const char *s, size_t len) {
  if (field_is(s, len, "positive")) return VAGAP_IAT_POSITIVE;
  if (field_is(s, len, "negative")) return VAGAP_IAT_NEGATIVE;
  return VAGAP_IAT_NO_VALENCE;
}

static vagap_iat_target_t target_of(const study_iat_reader_t *rd, const char *s, size_t len) {
  if (study_codes_match(&rd->focal, s, len)) return VAGAP_IAT_FOCAL;
  if (study_codes_match(&rd->contrast, s, len)) return VAGAP_IAT_CONTRAST;
  return VAGAP_IAT_OTHER_TARGET;
}

static int exclude_reader_row(study_iat_reader_t *rd, const vagap_reader_t *r,
                              const vagap_row_t *row, const char *reason) {
  return cli_exclude_line(rd->ledger, vagap_reader_source_id(r), row->line, reason);
}

/* Library error about a row: add the location and report it. */
static int report_row_error(vagap_error_t *err, const vagap_reader_t *r, const vagap_row_t *row,
                            size_t column) {
  if (err->status == VAGAP_ENOMEM) return cli_out_of_memory();
  char message[VAGAP_ERROR_MESSAGE_MAX];
  snprintf(message, sizeof message, "%s", err->message);
  vagap_error_set(err, VAGAP_EDATA, vagap_reader_source(r), row->line, (long)column + 1, "%s",
                  message);
  return report(err);
}

enum { IAT_U, IAT_T, IAT_W, IAT_A, IAT_V }; /* order of the names in study_iat_read_file */

static int cell_is_na(const vagap_reader_t *r, const vagap_row_t *row, size_t j) {
  return vagap_reader_is_na(r, row->fields[j], row->lengths[j]);
}

static int add_iat_row(void *ctx, const vagap_reader_t *r, const vagap_row_t *row,
                       const size_t *col) {
  study_iat_reader_t *rd = ctx;
  const study_iat_options_t *o = rd->o;
  const char *const *f = row->fields;
  const size_t *len = row->lengths;
  char reason[300];
  if (cell_is_na(r, row, col[IAT_U]) || cell_is_na(r, row, col[IAT_T])) {
    snprintf(reason, sizeof reason, "missing %s", cell_is_na(r, row, col[IAT_U]) ? o->unit : o->trial);
    return exclude_reader_row(rd, r, row, reason);
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
    word_len = cli_normalise_word(f[col[IAT_W]], len[col[IAT_W]], &rd->word, &rd->cap);
    if (word_len == (size_t)-1) return cli_out_of_memory();
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
  vagap_error_t err;
  vagap_iat_word_fate_t fate;
  if (vagap_iat_assoc_add(rd->scorer, f[col[IAT_U]], len[col[IAT_U]], f[col[IAT_T]],
                          len[col[IAT_T]], word, word_len, valence, target, &fate, &err) != VAGAP_OK)
    return report_row_error(&err, r, row, col[IAT_W]);
  if (fate == VAGAP_IAT_WORD_USED) return 0;
  if (!why) why = vagap_iat_word_fate_reason(fate);
  return exclude_reader_row(rd, r, row, why);
}

int study_iat_read_file(study_iat_reader_t *rd, const char *path, const vagap_table_options_t *topt) {
  const study_iat_options_t *o = rd->o;
  const char *names[] = {o->unit, o->trial, o->word, o->assigned, o->valence};
  /* The valence column is read only without word lists. */
  return cli_read_rows(path, topt, rd->ledger, names, rd->lists ? 4 : 5, add_iat_row, rd) ? -1 : 0;
}

int study_read_iat(const char *path, const vagap_table_options_t *topt,
                   const study_iat_options_t *o, vagap_ledger_t *ledger, vagap_iat_assoc_t **out) {
  *out = NULL;
  vagap_iat_assoc_t *scorer = vagap_iat_assoc_alloc(&o->scoring);
  if (!scorer) return cli_out_of_memory();
  study_iat_reader_t rd;
  int rc = study_iat_reader_init(&rd, scorer, o, ledger, NULL, NULL);
  if (rc == 0) rc = study_iat_read_file(&rd, path, topt);
  study_iat_reader_free(&rd);
  if (rc) vagap_iat_assoc_free(scorer);
  else *out = scorer;
  return rc;
}

/* ---- choices ------------------------------------------------------------------------ */

void study_choice_options_init(study_choice_options_t *o) {
  o->unit = "model";
  o->choice = "choice";
  o->prosocial = "other";
  o->selfish = "self";
}

int study_choice_rules_init(study_choice_rules_t *rules, const study_choice_options_t *o,
                            const char **both) {
  memset(rules, 0, sizeof *rules);
  rules->o = o;
  *both = NULL;
  if (study_codes_parse(o->prosocial, &rules->prosocial) ||
      study_codes_parse(o->selfish, &rules->selfish)) {
    study_choice_rules_free(rules);
    return -1;
  }
  if ((*both = study_codes_overlap(&rules->prosocial, &rules->selfish))) return -2;
  return 0;
}

void study_choice_rules_free(study_choice_rules_t *rules) {
  study_codes_free(&rules->prosocial);
  study_codes_free(&rules->selfish);
}

int study_choice_classify(const study_choice_rules_t *rules, int unit_na, const char *choice,
                          size_t len, int choice_na, char *reason, size_t size) {
  const study_choice_options_t *o = rules->o;
  if (unit_na) {
    snprintf(reason, size, "missing %s", o->unit);
    return STUDY_CHOICE_NO_UNIT;
  }
  if (choice_na) {
    snprintf(reason, size, "missing %s", o->choice);
    return STUDY_CHOICE_OTHER;
  }
  if (study_codes_match(&rules->prosocial, choice, len)) return STUDY_CHOICE_PROSOCIAL;
  if (study_codes_match(&rules->selfish, choice, len)) return STUDY_CHOICE_SELFISH;
  snprintf(reason, size, "%s '%.*s' is neither prosocial (%s) nor selfish (%s)", o->choice,
           (int)(len > 200 ? 200 : len), choice, o->prosocial, o->selfish);
  return STUDY_CHOICE_OTHER;
}

void study_choices_free(study_choices_t *c) {
  study_units_free(&c->units);
  free(c->prosocial);
  free(c->selfish);
  free(c->other);
  memset(c, 0, sizeof *c);
}

typedef struct {
  const study_choice_rules_t *rules;
  vagap_ledger_t *ledger;
  study_choices_t *out;
  size_t cap[3]; /* of prosocial, selfish, other */
} choice_reading_t;

static int add_choice_row(void *ctx, const vagap_reader_t *r, const vagap_row_t *row,
                          const size_t *col) {
  choice_reading_t *in = ctx;
  study_choices_t *out = in->out;
  size_t src = vagap_reader_source_id(r);
  const char *unit = row->fields[col[0]], *choice = row->fields[col[1]];
  size_t ulen = row->lengths[col[0]], clen = row->lengths[col[1]];
  char reason[600];
  int code = study_choice_classify(in->rules, vagap_reader_is_na(r, unit, ulen), choice, clen,
                                   vagap_reader_is_na(r, choice, clen), reason, sizeof reason);
  if (code == STUDY_CHOICE_NO_UNIT) return cli_exclude_line(in->ledger, src, row->line, reason);
  size_t u = study_unit_index(&out->units, unit, ulen);
  if (u == (size_t)-1 || grow_counts(&out->prosocial, &in->cap[0], u) ||
      grow_counts(&out->selfish, &in->cap[1], u) || grow_counts(&out->other, &in->cap[2], u))
    return cli_out_of_memory();
  if (code == STUDY_CHOICE_PROSOCIAL) out->prosocial[u]++;
  else if (code == STUDY_CHOICE_SELFISH) out->selfish[u]++;
  else {
    out->other[u]++;
    return cli_exclude_line(in->ledger, src, row->line, reason);
  }
  return 0;
}

static int compare_names(const void *a, const void *b) {
  return strcmp(**(char **const *)a, **(char **const *)b);
}

/* Units sorted by strcmp, as `vagap prop` orders its blocks (stats_blocks_make). */
static int sort_choice_units(study_choices_t *c) {
  size_t n = c->units.n;
  char ***order = malloc((n ? n : 1) * sizeof *order);
  size_t *counts = malloc((n ? n : 1) * 3 * sizeof *counts);
  char **names = malloc((n ? n : 1) * sizeof *names);
  if (!order || !counts || !names) {
    free(order), free(counts), free(names);
    return cli_out_of_memory();
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
  return 0;
}

int study_read_choices(const char *path, const vagap_table_options_t *topt,
                       const study_choice_options_t *o, vagap_ledger_t *ledger,
                       study_choices_t *out) {
  memset(out, 0, sizeof *out);
  study_choice_rules_t rules;
  const char *both;
  int rc = study_choice_rules_init(&rules, o, &both);
  if (rc == -2) {
    fprintf(stderr, "vagap: code '%s' is both a success and a failure\n", both);
    study_choice_rules_free(&rules);
    return -1;
  }
  if (rc) return -1;
  choice_reading_t in = {&rules, ledger, out, {0, 0, 0}};
  const char *names[] = {o->unit, o->choice};
  rc = cli_read_rows(path, topt, ledger, names, 2, add_choice_row, &in) ? -1 : 0;
  if (rc == 0) rc = sort_choice_units(out);
  study_choice_rules_free(&rules);
  if (rc) study_choices_free(out);
  return rc;
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

void study_key_free(study_key_t *k) {
  vagap_table_free(k->table);
  free(k->item), free(k->scale), free(k->item_scale), free(k->item_reverse);
  memset(k, 0, sizeof *k);
}

long study_key_index(const study_key_t *k, const char *item) {
  for (size_t j = 0; j < k->nitems; j++)
    if (!strcmp(k->item[j], item)) return (long)j;
  return -1;
}

int study_key_read(const char *path, const vagap_table_options_t *topt, const char *item_col,
                   const char *scale_col, const char *reverse_col, vagap_ledger_t *ledger,
                   study_key_t *k) {
  memset(k, 0, sizeof *k);
  vagap_error_t err;
  if (vagap_table_read(&k->table, path, topt, ledger, &err) != VAGAP_OK) return report(&err);
  size_t ci, cs, cr;
  if (cli_column(k->table, item_col, &ci) || cli_column(k->table, scale_col, &cs)) return -1;
  int has_reverse = vagap_table_column(k->table, reverse_col, &cr, NULL) == VAGAP_OK;
  size_t n = vagap_table_nrows(k->table);
  k->item = malloc((n + 1) * sizeof *k->item);
  k->scale = malloc((n + 1) * sizeof *k->scale);
  k->item_scale = malloc((n + 1) * sizeof *k->item_scale);
  k->item_reverse = malloc((n + 1) * sizeof *k->item_reverse);
  if (!k->item || !k->scale || !k->item_scale || !k->item_reverse) return cli_out_of_memory();
  const char *src = vagap_table_source(k->table);
  for (size_t i = 0; i < n; i++) {
    long line = vagap_table_line(k->table, i);
    if (vagap_table_is_na(k->table, i, ci) || vagap_table_is_na(k->table, i, cs)) {
      int no_item = vagap_table_is_na(k->table, i, ci);
      fprintf(stderr, "vagap: %s:%ld:%zu: key row without %s (every row needs an item and a scale)\n",
              src, line, (no_item ? ci : cs) + 1, no_item ? "an item" : "a scale");
      return -1;
    }
    const char *item = vagap_table_cell(k->table, i, ci, NULL);
    if (study_key_index(k, item) >= 0) {
      fprintf(stderr, "vagap: %s:%ld:%zu: item '%s' is keyed twice\n", src, line, ci + 1, item);
      return -1;
    }
    int rev = 0;
    if (has_reverse && !vagap_table_is_na(k->table, i, cr)) {
      size_t rlen;
      const char *code = vagap_table_cell(k->table, i, cr, &rlen);
      if (parse_reverse(code, rlen, &rev)) {
        fprintf(stderr,
                "vagap: %s:%ld:%zu: reverse must be 1/0, true/false, yes/no or reverse/forward, "
                "found '%s'\n", src, line, cr + 1, code);
        return -1;
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
  if (k->nitems == 0) {
    fprintf(stderr, "vagap: %s: the key has no items\n", src);
    return -1;
  }
  return 0;
}

/* ---- questionnaire runs ------------------------------------------------------------ */

void study_runs_free(study_runs_t *r) {
  free(r->run_unit), free(r->run_name), free(r->run_unit_idx), free(r->unit_name);
  free(r->resp), free(r->labels);
  memset(r, 0, sizeof *r);
}

int study_compare_labels(const char *a, const char *b) {
  char *ea, *eb;
  double x = strtod(a, &ea), y = strtod(b, &eb);
  int na = ea != a && !*ea && isfinite(x), nb = eb != b && !*eb && isfinite(y);
  if (na != nb) return na ? -1 : 1;
  if (na && x != y) return x < y ? -1 : 1;
  return strcmp(a, b);
}

int study_compare_run_refs(const void *a, const void *b) {
  const study_run_ref_t *p = a, *q = b;
  int c = study_compare_labels(p->unit, q->unit);
  if (!c) c = study_compare_labels(p->run, q->run);
  return c ? c : (p->row < q->row ? -1 : p->row > q->row);
}

int study_runs_number_units(study_runs_t *r) {
  r->unit_name = malloc((r->nruns + 1) * sizeof *r->unit_name);
  r->run_unit_idx = malloc((r->nruns + 1) * sizeof *r->run_unit_idx);
  if (!r->unit_name || !r->run_unit_idx) return -1;
  for (size_t i = 0; i < r->nruns; i++) {
    if (r->nunits == 0 || study_compare_labels(r->run_unit[i], r->unit_name[r->nunits - 1]) != 0)
      r->unit_name[r->nunits++] = r->run_unit[i];
    r->run_unit_idx[i] = r->nunits - 1;
  }
  return 0;
}

int study_runs_alloc(study_runs_t *r, size_t nruns, size_t nitems) {
  r->nruns = nruns;
  r->run_unit = malloc((nruns + 1) * sizeof *r->run_unit);
  r->run_name = malloc((nruns + 1) * sizeof *r->run_name);
  r->resp = malloc((nruns * nitems + 1) * sizeof *r->resp);
  if (!r->run_unit || !r->run_name || !r->resp) return -1;
  for (size_t i = 0; i < nruns * nitems; i++) r->resp[i] = NAN;
  return 0;
}

/* Why a long row is not used, or NULL; item_of gets the key index. */
static const char *long_row_problem(const study_long_columns_t *cols, const study_key_t *k,
                                    const vagap_table_t *t, size_t i, size_t cu, size_t cr,
                                    size_t ci, double x, double min, double max, long *item_of,
                                    char *reason, size_t size) {
  const char *missing = NULL;
  if (vagap_table_is_na(t, i, cu)) missing = cols->unit;
  else if (cr != CLI_NO_COLUMN && vagap_table_is_na(t, i, cr)) missing = cols->run;
  else if (vagap_table_is_na(t, i, ci)) missing = cols->item;
  if (missing) {
    snprintf(reason, size, "missing %s", missing);
    return reason;
  }
  const char *item = vagap_table_cell(t, i, ci, NULL);
  if ((*item_of = study_key_index(k, item)) < 0) {
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

int study_runs_build_long(const study_long_columns_t *cols, double min, double max,
                          const study_key_t *k, vagap_table_t *t, vagap_ledger_t *ledger,
                          study_runs_t *r) {
  size_t cu, cr = CLI_NO_COLUMN, ci, cx;
  if (cli_column(t, cols->unit, &cu) || cli_column(t, cols->item, &ci) ||
      cli_column(t, cols->response, &cx))
    return -1;
  if ((cols->run_required || vagap_table_column(t, cols->run, &cr, NULL) == VAGAP_OK) &&
      cli_column(t, cols->run, &cr))
    return -1;
  if (cols->topt && cli_screen_numbers(cols->topt, t, ledger, &cx, 1)) return -1;
  double *x = cli_numeric_column(t, cx);
  if (!x) return -1;
  size_t n = vagap_table_nrows(t), m = 0;
  study_run_ref_t *refs = malloc((n + 1) * sizeof *refs);
  long *item_of = malloc((n + 1) * sizeof *item_of);
  long *first_line = malloc((k->nitems + 1) * sizeof *first_line);
  int rc = -1;
  char reason[600];
  if (!refs || !item_of || !first_line) {
    cli_out_of_memory();
    goto done;
  }
  for (size_t i = 0; i < n; i++) {
    const char *why = long_row_problem(cols, k, t, i, cu, cr, ci, x[i], min, max, &item_of[i],
                                       reason, sizeof reason);
    if (why) {
      if (cli_exclude_row(ledger, t, i, why)) goto done;
      continue;
    }
    refs[m].unit = vagap_table_cell(t, i, cu, NULL);
    refs[m].run = cr == CLI_NO_COLUMN ? "" : vagap_table_cell(t, i, cr, NULL);
    refs[m].row = i;
    m++;
  }
  /* Sorted by unit, run and then row, so the first answer of a run is the first in the file. */
  qsort(refs, m, sizeof *refs, study_compare_run_refs);
  size_t nruns = 0;
  for (size_t q = 0; q < m; q++)
    if (q == 0 || strcmp(refs[q].unit, refs[q - 1].unit) || strcmp(refs[q].run, refs[q - 1].run))
      nruns++;
  if (study_runs_alloc(r, nruns, k->nitems)) {
    cli_out_of_memory();
    goto done;
  }
  size_t run = (size_t)-1;
  for (size_t q = 0; q < m; q++) {
    if (q == 0 || strcmp(refs[q].unit, refs[q - 1].unit) || strcmp(refs[q].run, refs[q - 1].run)) {
      run++;
      r->run_unit[run] = refs[q].unit;
      r->run_name[run] = cr == CLI_NO_COLUMN ? NULL : refs[q].run;
      for (size_t j = 0; j < k->nitems; j++) first_line[j] = 0;
    }
    size_t row = refs[q].row;
    long j = item_of[row];
    if (first_line[j]) {
      snprintf(reason, sizeof reason, "second answer to item '%.100s' for %s '%.100s'%s%.100s%s (first at line %ld)",
               k->item[j], cols->unit, refs[q].unit, cr == CLI_NO_COLUMN ? "" : " run '",
               refs[q].run, cr == CLI_NO_COLUMN ? "" : "'", first_line[j]);
      if (cli_exclude_row(ledger, t, row, reason)) goto done;
      continue;
    }
    first_line[j] = vagap_table_line(t, row);
    r->resp[run * k->nitems + (size_t)j] = x[row];
  }
  if (study_runs_number_units(r)) {
    cli_out_of_memory();
    goto done;
  }
  rc = 0;
done:
  free(x), free(refs), free(item_of), free(first_line);
  return rc;
}

/* Wide input without a run column: runs of a unit stay in file order. */
static int compare_refs_by_row(const void *a, const void *b) {
  const study_run_ref_t *p = a, *q = b;
  int c = study_compare_labels(p->unit, q->unit);
  return c ? c : (p->row < q->row ? -1 : p->row > q->row);
}

/* Wide input: one row per run, one column per key item. */
/* --bad-rows exclude in wide input: each row with an answer outside [min, max] is
   excluded (the first such answer is the reason) and dropped from t.  0 or -1. */
static int wide_exclude_out_of_range(const study_key_t *k, double min, double max, vagap_table_t *t,
                                     const size_t *col, vagap_ledger_t *ledger) {
  size_t n = vagap_table_nrows(t), ndrop = 0;
  unsigned char *drop = calloc(n + 1, 1);
  double *vals = malloc((n + 1) * sizeof *vals);
  int rc = drop && vals ? 0 : cli_out_of_memory();
  for (size_t j = 0; j < k->nitems && rc == 0; j++) {
    vagap_error_t err;
    if (vagap_table_numeric(t, col[j], vals, &err) != VAGAP_OK) {
      rc = -1;
      cli_report_error(&err);
      break;
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
      if (drop[i] || isnan(vals[i]) || (vals[i] >= min && vals[i] <= max)) continue;
      char reason[300];
      snprintf(reason, sizeof reason, "response %g to item '%.100s' outside %g..%g", vals[i],
               k->item[j], min, max);
      rc = cli_exclude_row(ledger, t, i, reason);
      drop[i] = 1;
      ndrop++;
    }
  }
  if (rc == 0 && ndrop) vagap_table_drop_rows(t, drop, NULL);
  free(drop);
  free(vals);
  return rc;
}

int study_runs_build_wide(const study_long_columns_t *cols, double min, double max,
                          const study_key_t *k, vagap_table_t *t, vagap_ledger_t *ledger,
                          study_runs_t *r) {
  size_t n = vagap_table_nrows(t);
  size_t cu = CLI_NO_COLUMN, cr = CLI_NO_COLUMN;
  if ((cols->unit_required || vagap_table_column(t, cols->unit, &cu, NULL) == VAGAP_OK) &&
      cli_column(t, cols->unit, &cu))
    return -1;
  if ((cols->run_required || vagap_table_column(t, cols->run, &cr, NULL) == VAGAP_OK) &&
      cli_column(t, cols->run, &cr))
    return -1;
  size_t *col = malloc((k->nitems + 1) * sizeof *col);
  double *vals = malloc((n + 1) * sizeof *vals);
  study_run_ref_t *refs = malloc((n + 1) * sizeof *refs);
  r->labels = malloc(n * 24 + 1);
  int rc = -1;
  if (!col || !vals || !refs || !r->labels) goto done;
  for (size_t j = 0; j < k->nitems; j++)
    if (cli_column(t, k->item[j], &col[j])) goto done;
  if (cols->topt && cli_screen_numbers(cols->topt, t, ledger, col, k->nitems)) goto done;
  if (cols->topt && cols->topt->exclude_bad_rows &&
      wide_exclude_out_of_range(k, min, max, t, col, ledger))
    goto done;
  n = vagap_table_nrows(t);
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    if (cu != CLI_NO_COLUMN && vagap_table_is_na(t, i, cu)) {
      char reason[300];
      snprintf(reason, sizeof reason, "missing %s", cols->unit);
      if (cli_exclude_row(ledger, t, i, reason)) goto done;
      continue;
    }
    char *label = r->labels + i * 24;
    snprintf(label, 24, "%ld", vagap_table_line(t, i));
    refs[m].unit = cu != CLI_NO_COLUMN ? vagap_table_cell(t, i, cu, NULL) : label;
    refs[m].run = cr != CLI_NO_COLUMN && !vagap_table_is_na(t, i, cr) ? vagap_table_cell(t, i, cr, NULL) : label;
    refs[m].row = i;
    m++;
  }
  if (cu == CLI_NO_COLUMN) {
    /* every row its own unit: keep file order */
  } else if (cr == CLI_NO_COLUMN) {
    qsort(refs, m, sizeof *refs, compare_refs_by_row);
  } else {
    qsort(refs, m, sizeof *refs, study_compare_run_refs);
  }
  if (study_runs_alloc(r, m, k->nitems)) goto done;
  for (size_t j = 0; j < k->nitems; j++) {
    vagap_error_t err;
    if (vagap_table_numeric(t, col[j], vals, &err) != VAGAP_OK) {
      cli_report_error(&err);
      goto done;
    }
    for (size_t q = 0; q < m; q++) {
      double x = vals[refs[q].row];
      if (!isnan(x) && !(x >= min && x <= max)) {
        fprintf(stderr, "vagap: %s:%ld:%zu: response %g to item '%s' is outside %g..%g (--bad-rows exclude excludes such rows)\n",
                vagap_table_source(t), vagap_table_line(t, refs[q].row), col[j] + 1, x,
                k->item[j], min, max);
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
    if (!answered && cli_exclude_row(ledger, t, refs[q].row, "no key item answered")) goto done;
  }
  rc = study_runs_number_units(r);
  if (rc) fputs("vagap: out of memory\n", stderr);
done:
  free(col), free(vals), free(refs);
  return rc;
}

/* ---- questionnaire scores for the report ---------------------------------------------- */

void study_scale_options_init(study_scale_options_t *o) {
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

void study_scale_free(study_scale_t *s) {
  study_key_free(&s->key);
  study_runs_free(&s->rr);
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
static int score(const study_scale_options_t *o, study_scale_t *s) {
  vagap_error_t err;
  const study_runs_t *rr = &s->rr;
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
  int rc = 0;
  if (!all_total || !row_scale || !row_total || !unit_rows || !s->scale_scores || !s->total ||
      !s->total_pomp || !s->runs || !s->alpha || !s->alpha_status) {
    rc = cli_out_of_memory();
    goto done;
  }
  const study_key_t *k = &s->key;
  vagap_scale_key_t key = {ni, ns, k->item_scale, k->item_reverse, o->min, o->max, o->min_items};
  vagap_scale_key_t total = {ni, 1, all_total, k->item_reverse, o->min, o->max, o->min_items};
  if (vagap_scale_key_check(&key, &err) || vagap_scale_key_check(&total, &err) ||
      vagap_scale_score_rows(&key, rr->resp, nr, row_scale, NULL, &err) ||
      vagap_scale_score_rows(&total, rr->resp, nr, row_total, NULL, &err) ||
      vagap_scale_unit_means(row_scale, nr, ns, rr->run_unit_idx, nu, s->scale_scores, unit_rows, NULL, &err) ||
      vagap_scale_unit_means(row_total, nr, 1, rr->run_unit_idx, nu, s->total, s->runs, NULL, &err)) {
    rc = report(&err);
    goto done;
  }
  for (size_t u = 0; u < nu; u++) s->total_pomp[u] = vagap_scale_pomp(&total, s->total[u]);
  for (size_t j = 0; j <= ns; j++) {
    const vagap_scale_key_t *kk = j < ns ? &key : &total;
    s->alpha_status[j] = vagap_scale_alpha(kk, rr->resp, nr, j < ns ? j : 0, &s->alpha[j], &err);
  }
done:
  free(all_total);
  free(row_scale);
  free(row_total);
  free(unit_rows);
  return rc;
}

int study_read_scale(const char *path, const char *key_path, const vagap_table_options_t *topt,
                     const study_scale_options_t *o, vagap_ledger_t *ledger, study_scale_t *out) {
  memset(out, 0, sizeof *out);
  out->min = o->min;
  out->max = o->max;
  vagap_error_t err;
  study_long_columns_t cols = {o->unit, o->run, o->item, o->response, 0, 0, topt};
  int rc = study_key_read(key_path, topt, o->key_item, o->key_scale, o->key_reverse, ledger, &out->key);
  if (rc == 0 && vagap_table_read(&out->table, path, topt, ledger, &err) != VAGAP_OK) rc = report(&err);
  /* long when there is an item column, else wide: the same test as `vagap score` */
  size_t ci;
  int is_long = rc == 0 && vagap_table_column(out->table, o->item, &ci, NULL) == VAGAP_OK;
  if (rc == 0)
    rc = (is_long ? study_runs_build_long : study_runs_build_wide)(&cols, o->min, o->max, &out->key,
                                                                 out->table, ledger, &out->rr);
  if (rc == 0) {
    out->nunits = out->rr.nunits;
    out->unit_names = out->rr.unit_name;
    out->nitems = out->key.nitems;
    out->nscales = out->key.nscales;
    out->scales = out->key.scale;
    rc = score(o, out);
  }
  if (rc) study_scale_free(out);
  return rc;
}
