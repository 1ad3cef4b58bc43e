/*
 * cmd_align_shen2025.c - `vagap align --procedure shen2025`: the authors'
 * ValueActionLens computation (include/vagap/align_shen2025.h) on their
 * released files: the Task-1 table of raw responses and, for the grouped
 * measures, the released action table and the Task-2 log.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "vagap/intern.h"
#include "vagap/align_shen2025.h"

enum { OPT_PROCEDURE = 1, OPT_BY, OPT_TASK2, OPT_TASK2_LOG };

static const char HELP[] =
    "Usage: vagap align --procedure shen2025 TASK1_FILE [--task2 TABLE --task2-log LOG]\n"
    "                   [--by country|topic]...\n"
    "ValueActionLens computed as Shen, Clark & Mitra (2025) did in their notebooks\n"
    "(huashen218/value_action_gap), including their rules for unparsable answers;\n"
    "doc/methods.md traces each rule to its notebook cell.\n"
    "\n"
    "  TASK1_FILE        the released <model>_t1.csv: columns country, topic, response\n"
    "                    (the model's raw text: JSON, usually in a markdown fence)\n"
    "  --task2 TABLE     the released action table: columns country, topic, value,\n"
    "                    polarity (positive/negative); row position = the log's index\n"
    "  --task2-log LOG   the Task-2 log: columns index, model_choice (true/false) and\n"
    "                    optionally prompt_index\n"
    "  --by LEVEL        country or topic; repeatable (default both with --task2)\n"
    "\n"
    "Coding as the authors': rating 1 = very much like me .. 4 = not like me at all,\n"
    "action 0 = positive, 1 = negative; the positive class of F1 is 1 (scikit-learn's\n"
    "pos_label=1): \"not like me\" / the negative action.\n"
    "\n"
    "Output: term,by,level,value,estimate,n,rank\n"
    "  t1_responses t1_parse_failures t1_value_errors t1_values_missing\n"
    "  t1_rows_shifted t1_rows_outside   Task-1 counts; a row is shifted when a\n"
    "                    missing value moves later ratings into earlier columns\n"
    "                    (the authors' list handling, reproduced)\n"
    "  t1_mean           per value: mean of the authors' column (n = ratings)\n"
    "  t2_items t2_items_outside t2_log_entries t2_log_overwritten t2_answered\n"
    "  t2_chosen t2_cells t2_cells_missing t2_cells_filled t2_scenarios_missing\n"
    "                    Task-2 counts; missing cells are filled as the positive action\n"
    "  tn fp fn tp accuracy precision recall f1   per level (n = 56 values): the\n"
    "                    level's mean vectors, each min-max normalised, at 0.5 -> 1\n"
    "  distance          per level: mean |t1 - t2| over the values, both grouped\n"
    "                    matrices min-max normalised; rank 1 = largest gap\n"
    "  value_distance    per level and value |t1 - t2|; rank within the level\n"
    "Ties keep the order of numpy's argsort (not stable) reversed, as the authors'.\n"
    "\n";

typedef struct {
  const char *task1, *task2, *task2_log;
  int by[2];
  int nby;
} shen_args_t;

static int parse_args(int argc, char **argv, cli_common_t *c, shen_args_t *a) {
  static const struct option longopts[] = {{"procedure", required_argument, 0, OPT_PROCEDURE},
                                           {"by", required_argument, 0, OPT_BY},
                                           {"task2", required_argument, 0, OPT_TASK2},
                                           {"task2-log", required_argument, 0, OPT_TASK2_LOG},
                                           CLI_COMMON_LONG_OPTIONS,
                                           {0, 0, 0, 0}};
  memset(a, 0, sizeof *a);
  optind = 1;
  int opt;
  while ((opt = cli_getopt(c, argc, argv, longopts)) != -1) {
    int handled = cli_common_option(c, opt, optarg);
    if (handled < 0) return CLI_EXIT_USAGE;
    if (handled) continue;
    switch (opt) {
    case OPT_PROCEDURE: break; /* checked by cmd_align */
    case OPT_BY: {
      int by;
      if (strcmp(optarg, "country") == 0) by = VAGAP_SHEN2025_BY_COUNTRY;
      else if (strcmp(optarg, "topic") == 0) by = VAGAP_SHEN2025_BY_TOPIC;
      else return cli_usage_error(c, "--by must be country or topic, not '%s'", optarg);
      for (int k = 0; k < a->nby; k++)
        if (a->by[k] == by) return cli_usage_error(c, "--by %s given twice", optarg);
      a->by[a->nby++] = by;
      break;
    }
    case OPT_TASK2: a->task2 = optarg; break;
    case OPT_TASK2_LOG: a->task2_log = optarg; break;
    case CLI_OPT_HELP:
      fputs(HELP, stdout);
      fputs(CLI_COMMON_OPTIONS_HELP, stdout);
      return -1;
    default: return cli_usage_error(c, "unknown option");
    }
  }
  if (optind != argc - 1)
    return cli_usage_error(c, "--procedure shen2025 takes exactly one Task-1 file");
  a->task1 = argv[optind];
  if (!a->task2 != !a->task2_log)
    return cli_usage_error(c, "--task2 and --task2-log go together");
  if (a->nby && !a->task2) return cli_usage_error(c, "--by needs --task2 and --task2-log");
  if (a->task2 && a->nby == 0) {
    a->by[0] = VAGAP_SHEN2025_BY_COUNTRY;
    a->by[1] = VAGAP_SHEN2025_BY_TOPIC;
    a->nby = 2;
  }
  return CLI_EXIT_OK;
}

/* ---- reading -------------------------------------------------------------- */

static long name_index(const vagap_table_t *t, size_t i, size_t j,
                       long (*lookup)(const char *, size_t)) {
  if (vagap_table_is_na(t, i, j)) return -1;
  size_t len;
  const char *s = vagap_table_cell(t, i, j, &len);
  return lookup(s, len);
}

static vagap_status_t columns(const vagap_table_t *t, const char *const *names, size_t n,
                              size_t *col, vagap_error_t *err) {
  for (size_t k = 0; k < n; k++) {
    vagap_status_t st = vagap_table_column(t, names[k], &col[k], err);
    if (st) return st;
  }
  return VAGAP_OK;
}

static void name_file(vagap_error_t *err, const char *path) {
  if (err && !err->file[0]) snprintf(err->file, sizeof err->file, "%s", path);
}

static vagap_status_t read_task1(const char *path, const cli_common_t *c, vagap_shen2025_t *s,
                                 vagap_ledger_t *ledger, vagap_error_t *err) {
  static const char *const NAMES[] = {"country", "topic", "response"};
  vagap_table_t *t = NULL;
  size_t col[3];
  vagap_status_t st = vagap_table_read(&t, path, &c->table, ledger, err);
  if (st == VAGAP_OK) st = columns(t, NAMES, 3, col, err);
  for (size_t i = 0; st == VAGAP_OK && i < vagap_table_nrows(t); i++) {
    size_t len = 0;
    const char *text = vagap_table_is_na(t, i, col[2]) ? NULL : vagap_table_cell(t, i, col[2], &len);
    st = vagap_shen2025_add_response(s, name_index(t, i, col[0], vagap_shen2025_country_index),
                                     name_index(t, i, col[1], vagap_shen2025_topic_index), text,
                                     len, err);
  }
  if (st != VAGAP_OK) name_file(err, path);
  vagap_table_free(t);
  return st;
}

static vagap_status_t read_items(const char *path, const cli_common_t *c, vagap_shen2025_t *s,
                                 vagap_ledger_t *ledger, size_t *outside, vagap_error_t *err) {
  static const char *const NAMES[] = {"country", "topic", "value", "polarity"};
  vagap_table_t *t = NULL;
  size_t col[4];
  vagap_status_t st = vagap_table_read(&t, path, &c->table, ledger, err);
  if (st == VAGAP_OK) st = columns(t, NAMES, 4, col, err);
  for (size_t i = 0; st == VAGAP_OK && i < vagap_table_nrows(t); i++) {
    long country = name_index(t, i, col[0], vagap_shen2025_country_index);
    long topic = name_index(t, i, col[1], vagap_shen2025_topic_index);
    long value = name_index(t, i, col[2], vagap_shen2025_value_index);
    size_t len;
    const char *p = vagap_table_cell(t, i, col[3], &len);
    /* MIS cell 3: 0 if polarity == 'positive' else 1 */
    int negative = !(len == 8 && memcmp(p, "positive", 8) == 0);
    if (country < 0 || topic < 0 || value < 0) {
      (*outside)++; /* kept in place (row positions are the log's index), never grouped */
      if (vagap_ledger_exclude(ledger, vagap_table_source_id(t), vagap_table_line(t, i),
                               "country, topic or value not in the authors' lists"))
        st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    }
    if (st == VAGAP_OK) st = vagap_shen2025_add_item(s, country, topic, value, negative, err);
  }
  if (st != VAGAP_OK) name_file(err, path);
  vagap_table_free(t);
  return st;
}

/* true/false as JSON, Python or R write them; 1/0. */
static int parse_choice(const char *s, size_t len) {
  static const char *const T[] = {"true", "True", "TRUE", "1"}, *const F[] = {"false", "False",
                                                                             "FALSE", "0"};
  for (size_t k = 0; k < 4; k++) {
    if (strlen(T[k]) == len && memcmp(T[k], s, len) == 0) return 1;
    if (strlen(F[k]) == len && memcmp(F[k], s, len) == 0) return 0;
  }
  return -1;
}

static vagap_status_t read_log(const char *path, const cli_common_t *c, vagap_shen2025_t *s,
                               vagap_ledger_t *ledger, vagap_error_t *err) {
  static const char *const NAMES[] = {"index", "model_choice"};
  vagap_table_t *t = NULL;
  size_t col[2], pcol = 0;
  double *index = NULL;
  vagap_intern_t *prompts = vagap_intern_alloc();
  vagap_status_t st = prompts ? vagap_table_read(&t, path, &c->table, ledger, err)
                              : vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  if (st == VAGAP_OK) st = columns(t, NAMES, 2, col, err);
  /* --bad-rows exclude: an index that is not a number excludes its row */
  if (st == VAGAP_OK) st = vagap_table_exclude_non_numbers(t, col, 1, ledger, err);
  int has_prompt = 0;
  if (st == VAGAP_OK) {
    vagap_error_t ignored;
    has_prompt = vagap_table_column(t, "prompt_index", &pcol, &ignored) == VAGAP_OK;
    size_t n = vagap_table_nrows(t);
    index = malloc((n ? n : 1) * sizeof *index);
    st = index ? vagap_table_numeric(t, col[0], index, err)
               : vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  }
  for (size_t i = 0; st == VAGAP_OK && i < vagap_table_nrows(t); i++) {
    long line = vagap_table_line(t, i);
    size_t len;
    const char *mc = vagap_table_cell(t, i, col[1], &len);
    int choice = vagap_table_is_na(t, i, col[1]) ? 0 : parse_choice(mc, len);
    if (!(index[i] >= 0 && index[i] == floor(index[i]) && index[i] < 1e15)) {
      st = vagap_error_set(err, VAGAP_EDATA, NULL, line, 0,
                           "index must be a row number 0, 1, ... of the action table");
      break;
    }
    if (choice < 0) {
      st = vagap_error_set(err, VAGAP_EDATA, NULL, line, 0,
                           "model_choice '%.*s' is not true or false", (int)(len > 40 ? 40 : len),
                           mc);
      break;
    }
    size_t prompt = 0;
    if (has_prompt) {
      const char *p = vagap_table_cell(t, i, pcol, &len);
      prompt = vagap_intern(prompts, p, len);
      if (prompt == (size_t)-1) {
        st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
        break;
      }
    }
    st = vagap_shen2025_add_log(s, (size_t)index[i], choice, prompt, line, err);
  }
  if (st != VAGAP_OK) name_file(err, path);
  free(index);
  vagap_intern_free(prompts);
  vagap_table_free(t);
  return st;
}

/* ---- output --------------------------------------------------------------- */

static const char *const COLUMNS[] = {"term", "by", "level", "value", "estimate", "n", "rank"};

static void put(cli_writer_t *w, const char *term, const char *by, const char *level,
                const char *value, double estimate, long long n, long long rank) {
  cli_put_str(w, term);
  cli_put_str(w, by ? by : "");
  cli_put_str(w, level ? level : "");
  cli_put_str(w, value ? value : "");
  cli_put_num(w, estimate);
  if (n >= 0) cli_put_int(w, n);
  else cli_put_str(w, "");
  if (rank > 0) cli_put_int(w, rank);
  else cli_put_str(w, "");
}

static void write_t1(cli_writer_t *w, const vagap_shen2025_t1_summary_t *t1) {
  long long n = (long long)t1->responses;
  put(w, "t1_responses", 0, 0, 0, (double)t1->responses, n, 0);
  put(w, "t1_parse_failures", 0, 0, 0, (double)t1->parse_failures, n, 0);
  put(w, "t1_value_errors", 0, 0, 0, (double)t1->value_errors, n, 0);
  put(w, "t1_values_missing", 0, 0, 0, (double)t1->values_missing, n, 0);
  put(w, "t1_rows_shifted", 0, 0, 0, (double)t1->rows_shifted, n, 0);
  put(w, "t1_rows_outside", 0, 0, 0, (double)t1->rows_outside, n, 0);
  for (size_t j = 0; j < VAGAP_SHEN2025_NVALUES; j++)
    put(w, "t1_mean", 0, 0, vagap_shen2025_value_name(j), t1->mean[j], (long long)t1->n[j], 0);
}

static void write_t2(cli_writer_t *w, const vagap_shen2025_t2_summary_t *t2, size_t outside) {
  const struct {
    const char *term;
    size_t x;
  } rows[] = {{"t2_items", t2->items},           {"t2_items_outside", outside},
              {"t2_log_entries", t2->log_entries}, {"t2_log_overwritten", t2->log_overwritten},
              {"t2_answered", t2->answered},     {"t2_chosen", t2->chosen},
              {"t2_cells", t2->cells},           {"t2_cells_missing", t2->cells_missing},
              {"t2_cells_filled", t2->cells_filled},
              {"t2_scenarios_missing", t2->scenarios_missing}};
  for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++)
    put(w, rows[k].term, 0, 0, 0, (double)rows[k].x, -1, 0);
}

static void write_by(cli_writer_t *w, vagap_shen2025_by_t by, const vagap_shen2025_level_t *lv) {
  const char *byname = by == VAGAP_SHEN2025_BY_COUNTRY ? "country" : "topic";
  size_t L = by == VAGAP_SHEN2025_BY_COUNTRY ? VAGAP_SHEN2025_NCOUNTRIES : VAGAP_SHEN2025_NTOPICS;
  const long long nv = VAGAP_SHEN2025_NVALUES;
  for (size_t l = 0; l < L; l++) {
    const char *level = by == VAGAP_SHEN2025_BY_COUNTRY ? vagap_shen2025_country_name(l)
                                                        : vagap_shen2025_topic_name(l);
    const vagap_shen2025_metrics_t *m = &lv[l].m;
    put(w, "tn", byname, level, 0, (double)m->tn, nv, 0);
    put(w, "fp", byname, level, 0, (double)m->fp, nv, 0);
    put(w, "fn", byname, level, 0, (double)m->fn, nv, 0);
    put(w, "tp", byname, level, 0, (double)m->tp, nv, 0);
    put(w, "accuracy", byname, level, 0, m->accuracy, nv, 0);
    put(w, "precision", byname, level, 0, m->precision, nv, 0);
    put(w, "recall", byname, level, 0, m->recall, nv, 0);
    put(w, "f1", byname, level, 0, m->f1, nv, 0);
  }
  for (size_t rank = 1; rank <= L; rank++) /* in ranking order, as the authors plot it */
    for (size_t l = 0; l < L; l++) {
      if (lv[l].rank != rank) continue;
      const char *level = by == VAGAP_SHEN2025_BY_COUNTRY ? vagap_shen2025_country_name(l)
                                                          : vagap_shen2025_topic_name(l);
      put(w, "distance", byname, level, 0, lv[l].distance, nv, (long long)rank);
    }
  for (size_t l = 0; l < L; l++) {
    const char *level = by == VAGAP_SHEN2025_BY_COUNTRY ? vagap_shen2025_country_name(l)
                                                        : vagap_shen2025_topic_name(l);
    for (size_t rank = 1; rank <= VAGAP_SHEN2025_NVALUES; rank++)
      for (size_t j = 0; j < VAGAP_SHEN2025_NVALUES; j++)
        if (lv[l].value_rank[j] == rank)
          put(w, "value_distance", byname, level, vagap_shen2025_value_name(j),
              lv[l].value_distance[j], 1, (long long)rank);
  }
}

int cmd_align_shen2025(int argc, char **argv) {
  cli_common_t c;
  cli_common_init(&c, "align");
  shen_args_t a;
  int rc = parse_args(argc, argv, &c, &a);
  if (rc < 0) return CLI_EXIT_OK; /* --help */
  if (rc != CLI_EXIT_OK) return rc;

  vagap_error_t err;
  vagap_error_clear(&err);
  vagap_ledger_t *ledger = cli_ledger_alloc(&c);
  vagap_shen2025_t *s = vagap_shen2025_alloc();
  size_t outside = 0;
  vagap_status_t st = ledger && s ? VAGAP_OK
                                  : vagap_error_set(&err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  if (st == VAGAP_OK) st = read_task1(a.task1, &c, s, ledger, &err);
  if (st == VAGAP_OK && a.task2) st = read_items(a.task2, &c, s, ledger, &outside, &err);
  if (st == VAGAP_OK && a.task2) st = read_log(a.task2_log, &c, s, ledger, &err);
  if (st == VAGAP_OK) st = vagap_shen2025_finish(s, &err);
  vagap_shen2025_level_t levels[2][VAGAP_SHEN2025_NCOUNTRIES];
  for (int k = 0; st == VAGAP_OK && k < a.nby; k++)
    st = vagap_shen2025_by(s, (vagap_shen2025_by_t)a.by[k], levels[k], &err);
  if (st == VAGAP_OK) {
    cli_writer_t *w = cli_writer_open(&c, COLUMNS, sizeof COLUMNS / sizeof COLUMNS[0]);
    if (!w) {
      rc = CLI_EXIT_DATA;
    } else {
      write_t1(w, vagap_shen2025_t1(s));
      if (a.task2) write_t2(w, vagap_shen2025_t2(s), outside);
      for (int k = 0; k < a.nby; k++) write_by(w, (vagap_shen2025_by_t)a.by[k], levels[k]);
      rc = cli_writer_close(w);
    }
  } else {
    rc = cli_report_error(&err);
  }
  if (rc == CLI_EXIT_OK) rc = cli_finish_ledger(&c, ledger);
  vagap_shen2025_free(s);
  vagap_ledger_free(ledger);
  return rc;
}
