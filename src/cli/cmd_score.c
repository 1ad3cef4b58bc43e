/*
 * vagap score: questionnaire scoring from a key file (item,scale,reverse).
 *
 * Responses come long (unit,run,item,response: one answer per row) or wide
 * (one row per respondent/run with a column per key item; chosen when the
 * file has no item column but has every key item as a column).  Scores per
 * run (--level run), per unit as the mean over runs (--level unit, the
 * default), or Cronbach's alpha per scale (--level alpha).  Method:
 * METHODS.md section 3; library: include/vagap/scale.h.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gsl/gsl_statistics_double.h>

#include "stats_cli.h"

static const char HELP[] =
    "Usage: vagap score --key KEY --min MIN --max MAX [OPTIONS] [FILE]\n"
    "Score questionnaire responses with a key file of columns item,scale,reverse\n"
    "(reverse: 1/0, true/false, yes/no).  A reversed answer x counts as MIN + MAX - x;\n"
    "a run's scale score is the mean of its answered items, a unit's score the mean\n"
    "over its runs; POMP = (score - MIN)/(MAX - MIN) as a proportion in [0, 1].\n\n"
    "Options:\n"
    "      --key FILE         the key (required)\n"
    "      --min X, --max Y   the response range (required); answers outside it are\n"
    "                         excluded and counted\n"
    "      --min-items K      answered items a run needs for a scale score (default:\n"
    "                         all items of the scale)\n"
    "      --level L          unit (default): model,scale,score,pomp,sd,n,n_excluded\n"
    "                         run: model,run,scale,score,pomp,n_items,k\n"
    "                         alpha: scale,alpha,alpha_std,mean_r,omega,k,n,n_excluded\n"
    "                         (over runs with every item of the scale answered; omega\n"
    "                         from a one-factor ML fit, std.lv, for 3 or more items)\n"
    "      --wide             unit level as one row per unit: model,<scale>,\n"
    "                         <scale>.pomp, <scale>.sd, <scale>.n, <scale>.n_excluded\n"
    "      --unit COL         unit column (default model)\n"
    "      --run COL          run column (default run; when absent, one run per unit\n"
    "                         in long format and one run per row in wide format)\n"
    "      --item COL         item column of long input (default item)\n"
    "      --response COL     answer column of long input (default response)\n";

enum {
  OPT_KEY = 1, OPT_MIN, OPT_MAX, OPT_MIN_ITEMS, OPT_LEVEL, OPT_UNIT, OPT_RUN, OPT_ITEM, OPT_RESPONSE,
  OPT_WIDE
};

typedef enum { LEVEL_UNIT, LEVEL_RUN, LEVEL_ALPHA } level_t;

typedef struct {
  const char *key_path, *unit, *run, *item, *response;
  int have_min, have_max, unit_given, run_given, item_given, wide;
  double min, max;
  long min_items;
  level_t level;
} score_args_t;

/* The key file, parsed. */
typedef struct {
  vagap_table_t *table;
  size_t nitems, nscales;
  const char **item;   /* [nitems] names (cells of the key table) */
  const char **scale;  /* [nscales] names in first-appearance order */
  long *item_scale;
  int *item_reverse;
} score_key_t;

/* Respondent-runs: the rows of the response matrix. */
typedef struct {
  size_t nruns, nunits;
  const char **run_unit;  /* [nruns] unit name */
  const char **run_name;  /* [nruns] run label */
  size_t *run_unit_idx;   /* [nruns] */
  const char **unit_name; /* [nunits] */
  double *resp;           /* [nruns * nitems] */
  char *labels;           /* storage for generated labels (line numbers) */
} runs_t;

/* ---- options ------------------------------------------------------------------------- */

static int parse_args(int argc, char **argv, cli_common_t *c, score_args_t *a) {
  static const struct option options[] = {
      {"key", required_argument, 0, OPT_KEY},
      {"min", required_argument, 0, OPT_MIN},
      {"max", required_argument, 0, OPT_MAX},
      {"min-items", required_argument, 0, OPT_MIN_ITEMS},
      {"level", required_argument, 0, OPT_LEVEL},
      {"unit", required_argument, 0, OPT_UNIT},
      {"run", required_argument, 0, OPT_RUN},
      {"item", required_argument, 0, OPT_ITEM},
      {"response", required_argument, 0, OPT_RESPONSE},
      {"wide", no_argument, 0, OPT_WIDE},
      CLI_COMMON_LONG_OPTIONS,
      {0, 0, 0, 0}};
  int opt;
  while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT_OPTIONS, options, NULL)) != -1) {
    int handled = cli_common_option(c, opt, optarg);
    if (handled < 0) return -1;
    if (handled) continue;
    switch (opt) {
    case OPT_KEY: a->key_path = optarg; break;
    case OPT_MIN:
      if (cli_parse_double(c, "min", optarg, &a->min)) return -1;
      a->have_min = 1;
      break;
    case OPT_MAX:
      if (cli_parse_double(c, "max", optarg, &a->max)) return -1;
      a->have_max = 1;
      break;
    case OPT_MIN_ITEMS:
      if (cli_parse_long(c, "min-items", optarg, &a->min_items)) return -1;
      if (a->min_items < 1) return cli_usage_error(c, "--min-items: expected 1 or more"), -1;
      break;
    case OPT_LEVEL:
      if (!strcmp(optarg, "unit")) a->level = LEVEL_UNIT;
      else if (!strcmp(optarg, "run")) a->level = LEVEL_RUN;
      else if (!strcmp(optarg, "alpha")) a->level = LEVEL_ALPHA;
      else return cli_usage_error(c, "--level: expected unit, run or alpha, found '%s'", optarg), -1;
      break;
    case OPT_UNIT: a->unit = optarg; a->unit_given = 1; break;
    case OPT_RUN: a->run = optarg; a->run_given = 1; break;
    case OPT_ITEM: a->item = optarg; a->item_given = 1; break;
    case OPT_RESPONSE: a->response = optarg; break;
    case OPT_WIDE: a->wide = 1; break;
    case CLI_OPT_HELP: printf("%s\n%s", HELP, CLI_COMMON_OPTIONS_HELP); return 1;
    default: cli_usage_error(c, "unknown option or missing argument"); return -1;
    }
  }
  if (!a->key_path) return cli_usage_error(c, "--key FILE is required"), -1;
  if (!a->have_min || !a->have_max) return cli_usage_error(c, "--min and --max are required"), -1;
  if (!(a->min < a->max)) return cli_usage_error(c, "--min must be below --max"), -1;
  if (a->wide && a->level != LEVEL_UNIT) return cli_usage_error(c, "--wide applies to --level unit"), -1;
  return 0;
}

/* ---- key ------------------------------------------------------------------------------------- */

static int parse_reverse(const char *s, int *out) {
  static const char *const yes[] = {"1", "true", "yes", "t", "y", "r", "reverse", "reversed"};
  static const char *const no[] = {"0", "false", "no", "f", "n", ""};
  for (size_t k = 0; k < sizeof yes / sizeof yes[0]; k++)
    if (!strcasecmp(s, yes[k])) return *out = 1, 0;
  for (size_t k = 0; k < sizeof no / sizeof no[0]; k++)
    if (!strcasecmp(s, no[k])) return *out = 0, 0;
  return -1;
}

static void key_free(score_key_t *k) {
  vagap_table_free(k->table);
  free(k->item), free(k->scale), free(k->item_scale), free(k->item_reverse);
  memset(k, 0, sizeof *k);
}

static int read_key(const cli_common_t *c, const char *path, vagap_ledger_t *ledger, score_key_t *k) {
  vagap_error_t err;
  if (vagap_table_read(&k->table, path, &c->table, ledger, &err) != VAGAP_OK)
    return cli_report_error(&err), -1;
  size_t ci, cs, cr;
  if (cli_column(k->table, "item", &ci) || cli_column(k->table, "scale", &cs)) return -1;
  int has_reverse = vagap_table_column(k->table, "reverse", &cr, NULL) == VAGAP_OK;
  size_t n = vagap_table_nrows(k->table);
  k->item = malloc((n + 1) * sizeof *k->item);
  k->scale = malloc((n + 1) * sizeof *k->scale);
  k->item_scale = malloc((n + 1) * sizeof *k->item_scale);
  k->item_reverse = malloc((n + 1) * sizeof *k->item_reverse);
  if (!k->item || !k->scale || !k->item_scale || !k->item_reverse)
    return fputs("vagap: out of memory\n", stderr), -1;
  const char *src = vagap_table_source(k->table);
  for (size_t i = 0; i < n; i++) {
    long line = vagap_table_line(k->table, i);
    if (vagap_table_is_na(k->table, i, ci) || vagap_table_is_na(k->table, i, cs)) {
      fprintf(stderr, "vagap: %s:%ld:%zu: the key needs an item and a scale on every row\n", src,
              line, vagap_table_is_na(k->table, i, ci) ? ci + 1 : cs + 1);
      return -1;
    }
    const char *item = vagap_table_cell(k->table, i, ci, NULL);
    for (size_t j = 0; j < k->nitems; j++)
      if (!strcmp(k->item[j], item)) {
        fprintf(stderr, "vagap: %s:%ld:%zu: item '%s' is keyed twice\n", src, line, ci + 1, item);
        return -1;
      }
    int rev = 0;
    if (has_reverse && parse_reverse(vagap_table_cell(k->table, i, cr, NULL), &rev)) {
      fprintf(stderr, "vagap: %s:%ld:%zu: reverse must be 1/0, true/false or yes/no, found '%s'\n",
              src, line, cr + 1, vagap_table_cell(k->table, i, cr, NULL));
      return -1;
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

static long key_index(const score_key_t *k, const char *item) {
  for (size_t j = 0; j < k->nitems; j++)
    if (!strcmp(k->item[j], item)) return (long)j;
  return -1;
}

/* ---- runs ----------------------------------------------------------------------------------- */

static void runs_free(runs_t *r) {
  free(r->run_unit), free(r->run_name), free(r->run_unit_idx), free(r->unit_name);
  free(r->resp), free(r->labels);
  memset(r, 0, sizeof *r);
}

typedef struct {
  const char *unit, *run;
  size_t row;
} run_ref_t;

/*
 * A total order on labels: numbers first, by value (run 2 before run 10),
 * then other text by strcmp; ties by strcmp, so only equal strings compare
 * equal.
 */
static int compare_labels(const char *a, const char *b) {
  char *ea, *eb;
  double x = strtod(a, &ea), y = strtod(b, &eb);
  int na = ea != a && !*ea && isfinite(x), nb = eb != b && !*eb && isfinite(y);
  if (na != nb) return na ? -1 : 1;
  if (na && x != y) return x < y ? -1 : 1;
  return strcmp(a, b);
}

static int compare_run_refs(const void *a, const void *b) {
  const run_ref_t *p = a, *q = b;
  int c = compare_labels(p->unit, q->unit);
  if (!c) c = compare_labels(p->run, q->run);
  return c ? c : (p->row < q->row ? -1 : p->row > q->row);
}

/* Wide input without a run column: runs of a unit stay in file order. */
static int compare_run_refs_by_row(const void *a, const void *b) {
  const run_ref_t *p = a, *q = b;
  int c = compare_labels(p->unit, q->unit);
  return c ? c : (p->row < q->row ? -1 : p->row > q->row);
}

/* Number the distinct units of the runs (runs sorted by unit already). */
static int number_units(runs_t *r) {
  r->unit_name = malloc((r->nruns + 1) * sizeof *r->unit_name);
  r->run_unit_idx = malloc((r->nruns + 1) * sizeof *r->run_unit_idx);
  if (!r->unit_name || !r->run_unit_idx) return -1;
  for (size_t i = 0; i < r->nruns; i++) {
    if (r->nunits == 0 || compare_labels(r->run_unit[i], r->unit_name[r->nunits - 1]) != 0)
      r->unit_name[r->nunits++] = r->run_unit[i];
    r->run_unit_idx[i] = r->nunits - 1;
  }
  return 0;
}

static int alloc_runs(runs_t *r, size_t nruns, size_t nitems) {
  r->nruns = nruns;
  r->run_unit = malloc((nruns + 1) * sizeof *r->run_unit);
  r->run_name = malloc((nruns + 1) * sizeof *r->run_name);
  r->resp = malloc((nruns * nitems + 1) * sizeof *r->resp);
  if (!r->run_unit || !r->run_name || !r->resp) return -1;
  for (size_t i = 0; i < nruns * nitems; i++) r->resp[i] = NAN;
  return 0;
}

/* Exclude a response outside [min, max]; returns 1 if excluded, -1 on failure. */
static int check_range(const score_args_t *a, vagap_ledger_t *ledger, const vagap_table_t *t,
                       size_t row, double x) {
  if (isnan(x) || (x >= a->min && x <= a->max)) return 0;
  char reason[128];
  snprintf(reason, sizeof reason, "response outside %g..%g", a->min, a->max);
  return cli_exclude_row(ledger, t, row, reason) ? -1 : 1;
}

/* Long input: one answer per row. */
static int build_long(const score_args_t *a, const score_key_t *k, const vagap_table_t *t,
                      vagap_ledger_t *ledger, runs_t *r) {
  size_t cu, cr = CLI_NO_COLUMN, ci, cx;
  if (cli_column(t, a->unit, &cu) || cli_column(t, a->item, &ci) ||
      cli_column(t, a->response, &cx))
    return -1;
  if ((a->run_given || vagap_table_column(t, a->run, &cr, NULL) == VAGAP_OK) &&
      cli_column(t, a->run, &cr))
    return -1;
  double *x = cli_numeric_column(t, cx);
  if (!x) return -1;
  size_t n = vagap_table_nrows(t), m = 0;
  run_ref_t *refs = malloc((n + 1) * sizeof *refs);
  long *item_of = malloc((n + 1) * sizeof *item_of);
  int rc = -1;
  char reason[600];
  if (!refs || !item_of) goto done;
  for (size_t i = 0; i < n; i++) {
    const char *why = NULL;
    if (vagap_table_is_na(t, i, cu)) why = "missing unit";
    else if (cr != CLI_NO_COLUMN && vagap_table_is_na(t, i, cr)) why = "missing run";
    else if (vagap_table_is_na(t, i, ci)) why = "missing item";
    else if ((item_of[i] = key_index(k, vagap_table_cell(t, i, ci, NULL))) < 0) {
      snprintf(reason, sizeof reason, "item '%.400s' is not in the key", vagap_table_cell(t, i, ci, NULL));
      why = reason;
    } else if (isnan(x[i])) why = "missing response";
    if (why) {
      if (cli_exclude_row(ledger, t, i, why)) goto done;
      continue;
    }
    int out = check_range(a, ledger, t, i, x[i]);
    if (out < 0) goto done;
    if (out) continue;
    refs[m].unit = vagap_table_cell(t, i, cu, NULL);
    refs[m].run = cr == CLI_NO_COLUMN ? "" : vagap_table_cell(t, i, cr, NULL);
    refs[m].row = i;
    m++;
  }
  qsort(refs, m, sizeof *refs, compare_run_refs);
  size_t nruns = 0;
  for (size_t q = 0; q < m; q++)
    if (q == 0 || compare_run_refs(&(run_ref_t){refs[q].unit, refs[q].run, 0},
                                   &(run_ref_t){refs[q - 1].unit, refs[q - 1].run, 0}) != 0)
      nruns++;
  if (alloc_runs(r, nruns, k->nitems)) goto done;
  size_t run = (size_t)-1;
  long *first_line = malloc((k->nitems + 1) * sizeof *first_line);
  if (!first_line) goto done;
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
      fprintf(stderr, "vagap: %s:%ld:%zu: a second answer to item '%s' for %s '%s'%s%s%s "
                      "(first at line %ld)\n",
              vagap_table_source(t), vagap_table_line(t, row), ci + 1, k->item[j],
              vagap_table_colname(t, cu), refs[q].unit, cr == CLI_NO_COLUMN ? "" : " run '",
              refs[q].run, cr == CLI_NO_COLUMN ? "" : "'", first_line[j]);
      free(first_line);
      goto done;
    }
    first_line[j] = vagap_table_line(t, row);
    r->resp[run * k->nitems + (size_t)j] = x[row];
  }
  free(first_line);
  rc = number_units(r);
  if (rc) fputs("vagap: out of memory\n", stderr);
done:
  free(x), free(refs), free(item_of);
  return rc;
}

/* Wide input: one row per run, one column per key item. */
static int build_wide(const score_args_t *a, const score_key_t *k, const vagap_table_t *t,
                      vagap_ledger_t *ledger, runs_t *r) {
  size_t n = vagap_table_nrows(t);
  size_t cu = CLI_NO_COLUMN, cr = CLI_NO_COLUMN;
  if ((a->unit_given || vagap_table_column(t, a->unit, &cu, NULL) == VAGAP_OK) &&
      cli_column(t, a->unit, &cu))
    return -1;
  if ((a->run_given || vagap_table_column(t, a->run, &cr, NULL) == VAGAP_OK) &&
      cli_column(t, a->run, &cr))
    return -1;
  size_t *col = malloc((k->nitems + 1) * sizeof *col);
  double *vals = malloc((n + 1) * sizeof *vals);
  run_ref_t *refs = malloc((n + 1) * sizeof *refs);
  r->labels = malloc(n * 24 + 1);
  int rc = -1;
  if (!col || !vals || !refs || !r->labels) goto done;
  for (size_t j = 0; j < k->nitems; j++)
    if (cli_column(t, k->item[j], &col[j])) goto done;
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    if (cu != CLI_NO_COLUMN && vagap_table_is_na(t, i, cu)) {
      if (cli_exclude_row(ledger, t, i, "missing unit")) goto done;
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
    qsort(refs, m, sizeof *refs, compare_run_refs_by_row);
  } else {
    qsort(refs, m, sizeof *refs, compare_run_refs);
  }
  if (alloc_runs(r, m, k->nitems)) goto done;
  for (size_t j = 0; j < k->nitems; j++) {
    vagap_error_t err;
    if (vagap_table_numeric(t, col[j], vals, &err) != VAGAP_OK) {
      cli_report_error(&err);
      goto done;
    }
    for (size_t q = 0; q < m; q++) {
      double x = vals[refs[q].row];
      if (!isnan(x) && !(x >= a->min && x <= a->max)) {
        fprintf(stderr, "vagap: %s:%ld:%zu: response %g to item '%s' is outside %g..%g\n",
                vagap_table_source(t), vagap_table_line(t, refs[q].row), col[j] + 1, x,
                k->item[j], a->min, a->max);
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
  rc = number_units(r);
  if (rc) fputs("vagap: out of memory\n", stderr);
done:
  free(col), free(vals), free(refs);
  return rc;
}

/* ---- output ------------------------------------------------------------------------------------ */

static int write_runs(const cli_common_t *c, const char *unit_col, const score_key_t *k,
                      const vagap_scale_key_t *sk, const runs_t *r, const double *scores,
                      const size_t *answered) {
  const char *cols[] = {unit_col, "run", "scale", "score", "pomp", "n_items", "k"};
  cli_writer_t *w = cli_writer_open(c, cols, 7);
  if (!w) return CLI_EXIT_DATA;
  for (size_t i = 0; i < r->nruns; i++)
    for (size_t s = 0; s < k->nscales; s++) {
      double v = scores[i * k->nscales + s];
      cli_put_str(w, r->run_unit[i]);
      cli_put_str(w, r->run_name[i]);
      cli_put_str(w, k->scale[s]);
      cli_put_num(w, v);
      cli_put_num(w, vagap_scale_pomp(sk, v));
      cli_put_int(w, (long long)answered[i * k->nscales + s]);
      cli_put_int(w, (long long)vagap_scale_nitems(sk, s));
    }
  return cli_writer_close(w);
}

/* Column names of the wide unit table: <scale>, <scale>.pomp, <scale>.sd, <scale>.n, <scale>.n_excluded. */
static const char *const WIDE_SUFFIX[] = {"", ".pomp", ".sd", ".n", ".n_excluded"};
enum { NWIDE = sizeof WIDE_SUFFIX / sizeof WIDE_SUFFIX[0] };

static cli_writer_t *open_unit_writer(const cli_common_t *c, const char *unit_col,
                                      const score_key_t *k, int wide, char **names_buf) {
  *names_buf = NULL;
  if (!wide) {
    const char *cols[] = {unit_col, "scale", "score", "pomp", "sd", "n", "n_excluded"};
    return cli_writer_open(c, cols, 7);
  }
  size_t ncols = 1 + NWIDE * k->nscales, len = 0;
  for (size_t s = 0; s < k->nscales; s++) len += NWIDE * (strlen(k->scale[s]) + 16);
  const char **cols = malloc(ncols * sizeof *cols);
  char *buf = malloc(len + 1), *p = buf;
  if (!cols || !buf) {
    free(cols), free(buf);
    fputs("vagap: out of memory\n", stderr);
    return NULL;
  }
  cols[0] = unit_col;
  for (size_t s = 0; s < k->nscales; s++)
    for (size_t f = 0; f < NWIDE; f++) {
      cols[1 + s * NWIDE + f] = p;
      p += sprintf(p, "%s%s", k->scale[s], WIDE_SUFFIX[f]) + 1;
    }
  cli_writer_t *w = cli_writer_open(c, cols, ncols);
  free(cols);
  *names_buf = buf;
  return w;
}

static int write_units(const cli_common_t *c, const char *unit_col, const score_key_t *k,
                       const vagap_scale_key_t *sk, const runs_t *r, const double *scores,
                       int wide) {
  size_t cells = r->nunits * k->nscales;
  double *us = malloc((cells + 1) * sizeof *us), *tmp = malloc((r->nruns + 1) * sizeof *tmp);
  size_t *nr = malloc((cells + 1) * sizeof *nr), *nm = malloc((cells + 1) * sizeof *nm);
  char *names = NULL;
  int rc = CLI_EXIT_DATA;
  vagap_error_t err;
  cli_writer_t *w = NULL;
  if (!us || !tmp || !nr || !nm) goto done;
  if (vagap_scale_unit_means(scores, r->nruns, k->nscales, r->run_unit_idx, r->nunits, us, nr,
                             nm, &err) != VAGAP_OK) {
    rc = cli_report_error(&err);
    goto done;
  }
  if (!(w = open_unit_writer(c, unit_col, k, wide, &names))) goto done;
  size_t first = 0;
  for (size_t u = 0; u < r->nunits; u++) {
    size_t end = first;
    while (end < r->nruns && r->run_unit_idx[end] == u) end++;
    if (wide) cli_put_str(w, r->unit_name[u]);
    for (size_t s = 0; s < k->nscales; s++) {
      size_t m = 0;
      for (size_t i = first; i < end; i++)
        if (!isnan(scores[i * k->nscales + s])) tmp[m++] = scores[i * k->nscales + s];
      double v = us[u * k->nscales + s];
      if (!wide) {
        cli_put_str(w, r->unit_name[u]);
        cli_put_str(w, k->scale[s]);
      }
      cli_put_num(w, v);
      cli_put_num(w, vagap_scale_pomp(sk, v));
      cli_put_num(w, m > 1 ? gsl_stats_sd(tmp, 1, m) : NAN);
      cli_put_int(w, (long long)nr[u * k->nscales + s]);
      cli_put_int(w, (long long)nm[u * k->nscales + s]);
    }
    first = end;
  }
  rc = cli_writer_close(w);
done:
  free(us), free(tmp), free(nr), free(nm), free(names);
  return rc;
}

static int write_alpha(const cli_common_t *c, const score_key_t *k, const vagap_scale_key_t *sk,
                       const runs_t *r) {
  const char *cols[] = {"scale", "alpha", "alpha_std", "mean_r", "omega", "k", "n", "n_excluded"};
  cli_writer_t *w = cli_writer_open(c, cols, 8);
  if (!w) return CLI_EXIT_DATA;
  for (size_t s = 0; s < k->nscales; s++) {
    vagap_alpha_t al;
    vagap_omega_t om;
    vagap_error_t err;
    vagap_status_t st = vagap_scale_alpha(sk, r->resp, r->nruns, s, &al, &err);
    if (st != VAGAP_OK && st != VAGAP_EDOMAIN) {
      cli_writer_close(w);
      return cli_report_error(&err);
    }
    if (st == VAGAP_EDOMAIN) cli_warn(c, "scale %s: %s", k->scale[s], err.message);
    /* omega's failures (too few items, a fit that does not converge) leave NA */
    if (vagap_scale_omega(sk, r->resp, r->nruns, s, &om, &err) != VAGAP_OK &&
        vagap_scale_nitems(sk, s) >= 3)
      cli_warn(c, "scale %s: omega: %s", k->scale[s], err.message);
    cli_put_str(w, k->scale[s]);
    cli_put_num(w, al.alpha);
    cli_put_num(w, al.alpha_std);
    cli_put_num(w, al.mean_r);
    cli_put_num(w, om.omega);
    cli_put_int(w, (long long)vagap_scale_nitems(sk, s));
    cli_put_int(w, (long long)al.n);
    cli_put_int(w, (long long)al.n_excluded);
  }
  return cli_writer_close(w);
}

/* Say how many runs got no score under the --min-items rule. */
static void report_unscored(const cli_common_t *c, const score_key_t *k, const vagap_scale_key_t *sk,
                            const runs_t *r, const double *scores) {
  if (c->quiet) return;
  for (size_t s = 0; s < k->nscales; s++) {
    size_t none = 0;
    for (size_t i = 0; i < r->nruns; i++) none += isnan(scores[i * k->nscales + s]);
    if (none)
      fprintf(stderr, "vagap score: scale %s: %zu of %zu runs have no score (fewer than %zu of %zu items answered)\n",
              k->scale[s], none, r->nruns, sk->min_items ? sk->min_items : vagap_scale_nitems(sk, s),
              vagap_scale_nitems(sk, s));
  }
}

int cmd_score(int argc, char **argv) {
  cli_common_t c;
  cli_common_init(&c, "score");
  score_args_t a;
  memset(&a, 0, sizeof a);
  a.unit = "model", a.run = "run", a.item = "item", a.response = "response";
  int prc = parse_args(argc, argv, &c, &a);
  if (prc) return prc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  if (argc - optind > 1) return cli_usage_error(&c, "score reads one file, got %d", argc - optind);
  const char *path = optind < argc ? argv[optind] : "-";

  int rc = CLI_EXIT_DATA;
  vagap_error_t err;
  score_key_t k;
  memset(&k, 0, sizeof k);
  runs_t r;
  memset(&r, 0, sizeof r);
  vagap_table_t *t = NULL;
  double *scores = NULL;
  size_t *answered = NULL;
  vagap_ledger_t *ledger = vagap_ledger_alloc();
  if (!ledger || read_key(&c, a.key_path, ledger, &k)) goto done;
  vagap_scale_key_t sk = {k.nitems, k.nscales, k.item_scale, k.item_reverse, a.min, a.max,
                          (size_t)a.min_items};
  if (vagap_scale_key_check(&sk, &err) != VAGAP_OK) {
    /* only --min-items can make a parsed key invalid */
    rc = cli_usage_error(&c, "--min-items %ld: %s", a.min_items, err.message);
    goto done;
  }
  if (vagap_table_read(&t, path, &c.table, ledger, &err) != VAGAP_OK) {
    rc = cli_report_error(&err);
    goto done;
  }
  size_t ci;
  int is_long = a.item_given || vagap_table_column(t, a.item, &ci, NULL) == VAGAP_OK;
  if ((is_long ? build_long(&a, &k, t, ledger, &r) : build_wide(&a, &k, t, ledger, &r))) goto done;
  scores = malloc((r.nruns * k.nscales + 1) * sizeof *scores);
  answered = malloc((r.nruns * k.nscales + 1) * sizeof *answered);
  if (!scores || !answered) goto done;
  if (vagap_scale_score_rows(&sk, r.resp, r.nruns, scores, answered, &err) != VAGAP_OK) {
    rc = cli_report_error(&err);
    goto done;
  }
  const char *unit_col = is_long || vagap_table_column(t, a.unit, &ci, NULL) == VAGAP_OK ? a.unit : "unit";
  switch (a.level) {
  case LEVEL_RUN: rc = write_runs(&c, unit_col, &k, &sk, &r, scores, answered); break;
  case LEVEL_UNIT: rc = write_units(&c, unit_col, &k, &sk, &r, scores, a.wide); break;
  case LEVEL_ALPHA: rc = write_alpha(&c, &k, &sk, &r); break;
  }
  report_unscored(&c, &k, &sk, &r, scores);
  if (rc == CLI_EXIT_OK) rc = cli_finish_ledger(&c, ledger);
done:
  free(scores), free(answered);
  runs_free(&r);
  key_free(&k);
  vagap_table_free(t);
  vagap_ledger_free(ledger);
  return rc;
}
