/*
 * cmd_consistency.c - `vagap consistency`: ValAct-style consistency (Huang et
 * al. 2026) in three modes: the cross-unit correlation matrix of decision
 * vectors, stated-versus-enacted correlation per unit, and the role-play drop
 * with a paired t-test.  The statistics are in include/vagap/consistency.h.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "broom.h"
#include "intern.h"
#include "stats_cli.h"
#include "vagap/consistency.h"

typedef enum { MODE_MATRIX, MODE_STATED_ENACTED, MODE_ROLEPLAY } cons_mode_t;

enum {
  OPT_MODE = 1,
  OPT_UNIT,
  OPT_SCENARIO,
  OPT_CHOICE,
  OPT_SCORE_COL,
  OPT_METHOD,
  OPT_VALUE,
  OPT_ENACTED,
  OPT_PROFILE,
  OPT_CENTRE,
  OPT_CONDITION,
  OPT_CORRECT,
  OPT_A,
  OPT_B,
  OPT_CONF
};

static const char HELP[] =
    "Usage: vagap consistency [--mode MODE] [OPTIONS] [FILE]\n"
    "ValAct-style consistency between units and between stated and enacted values.\n"
    "\n"
    "--mode matrix (default): correlation between every pair of units' decision\n"
    "  vectors.  FILE has one row per decision: --unit (model), --scenario\n"
    "  (scenario) and --choice (choice); a unit's vector holds, for every scenario\n"
    "  and option, the share of its choices of that option in that scenario (NA\n"
    "  where the unit has no decision in the scenario).  With --score COL instead,\n"
    "  the vector is the mean of the numeric COL per scenario.\n"
    "  --method pearson|spearman|both (default pearson; stated-enacted takes one).\n"
    "  Rows: term r (level = other unit; the diagonal included), mean_r per unit\n"
    "  (mean of its off-diagonal r, n = units averaged), mean_r_all (unit NA, mean\n"
    "  over pairs).  Pearson rows have R cor.test's Fisher-z CI and t p-value.\n"
    "\n"
    "--mode stated-enacted: FILE has --unit, --value (value) and --enacted (enacted,\n"
    "  numeric, e.g. 0/1 per opportunity); the enacted share is its mean per unit\n"
    "  and value.  --profile PFILE has --unit, --value and --score (score), one row\n"
    "  per unit and value (e.g. PVQ value means from vagap score).  --centre centres\n"
    "  each unit's profile on its own mean (this leaves per-unit r unchanged and\n"
    "  matters for the per-value rows).  Rows: r per unit, r_value per value across\n"
    "  units (unit NA), mean_r (unit NA): one-sample t-test of the per-unit r with\n"
    "  its t interval (R t.test).\n"
    "\n"
    "--mode roleplay: FILE has --unit, --condition (condition) and --correct\n"
    "  (correct, numeric 0/1 or accuracy); --a LEVEL (select) and --b LEVEL (hold)\n"
    "  name the two conditions.  Rows per unit: accuracy_a, accuracy_b, drop =\n"
    "  accuracy_a - accuracy_b; then drop for unit NA: paired t-test across units\n"
    "  (R t.test(a, b, paired = TRUE)).\n"
    "\n"
    "  --conf-level P        confidence level (default 0.95)\n"
    "\n"
    "Output: UNIT,term,level,estimate,std.error,statistic,df,p.value,conf.low,\n"
    "conf.high,n,method, where UNIT is the --unit name (default model)\n\n";

typedef struct {
  cons_mode_t mode;
  const char *unit, *scenario, *choice, *score, *value, *enacted, *profile, *profile_score;
  const char *condition, *correct, *a, *b;
  int method_pearson, method_spearman;
  int centre;
  double conf_level;
} cons_args_t;

static const char *const COLUMNS[] = {"unit", "term", "level", "estimate", "std.error",
                                      "statistic", "df", "p.value", "conf.low", "conf.high",
                                      "n", "method"};
enum { NCOLUMNS = sizeof COLUMNS / sizeof COLUMNS[0] };

/* ---- options ------------------------------------------------------------- */

static int parse_args(int argc, char **argv, cli_common_t *c, cons_args_t *a, int *first) {
  static const struct option longopts[] = {
      {"mode", required_argument, 0, OPT_MODE},
      {"unit", required_argument, 0, OPT_UNIT},
      {"scenario", required_argument, 0, OPT_SCENARIO},
      {"choice", required_argument, 0, OPT_CHOICE},
      {"score", required_argument, 0, OPT_SCORE_COL},
      {"method", required_argument, 0, OPT_METHOD},
      {"value", required_argument, 0, OPT_VALUE},
      {"enacted", required_argument, 0, OPT_ENACTED},
      {"profile", required_argument, 0, OPT_PROFILE},
      {"centre", no_argument, 0, OPT_CENTRE},
      {"center", no_argument, 0, OPT_CENTRE},
      {"condition", required_argument, 0, OPT_CONDITION},
      {"correct", required_argument, 0, OPT_CORRECT},
      {"a", required_argument, 0, OPT_A},
      {"b", required_argument, 0, OPT_B},
      {"conf-level", required_argument, 0, OPT_CONF},
      CLI_COMMON_LONG_OPTIONS,
      {0, 0, 0, 0}};
  memset(a, 0, sizeof *a);
  a->mode = MODE_MATRIX;
  a->unit = "model";
  a->scenario = "scenario";
  a->choice = "choice";
  a->value = "value";
  a->enacted = "enacted";
  a->condition = "condition";
  a->correct = "correct";
  a->a = "select";
  a->b = "hold";
  a->method_pearson = 1;
  a->conf_level = 0.95;
  int opt;
  while ((opt = cli_getopt(c, argc, argv, longopts)) != -1) {
    int handled = cli_common_option(c, opt, optarg);
    if (handled < 0) return CLI_EXIT_USAGE;
    if (handled) continue;
    switch (opt) {
    case OPT_MODE:
      if (strcmp(optarg, "matrix") == 0) a->mode = MODE_MATRIX;
      else if (strcmp(optarg, "stated-enacted") == 0) a->mode = MODE_STATED_ENACTED;
      else if (strcmp(optarg, "roleplay") == 0) a->mode = MODE_ROLEPLAY;
      else return cli_usage_error(c, "--mode must be matrix, stated-enacted or roleplay, not '%s'", optarg);
      break;
    case OPT_UNIT: a->unit = optarg; break;
    case OPT_SCENARIO: a->scenario = optarg; break;
    case OPT_CHOICE: a->choice = optarg; break;
    case OPT_SCORE_COL: a->score = optarg; break;
    case OPT_METHOD:
      a->method_pearson = strcmp(optarg, "pearson") == 0 || strcmp(optarg, "both") == 0;
      a->method_spearman = strcmp(optarg, "spearman") == 0 || strcmp(optarg, "both") == 0;
      if (!a->method_pearson && !a->method_spearman)
        return cli_usage_error(c, "--method must be pearson, spearman or both, not '%s'", optarg);
      break;
    case OPT_VALUE: a->value = optarg; break;
    case OPT_ENACTED: a->enacted = optarg; break;
    case OPT_PROFILE: a->profile = optarg; break;
    case OPT_CENTRE: a->centre = 1; break;
    case OPT_CONDITION: a->condition = optarg; break;
    case OPT_CORRECT: a->correct = optarg; break;
    case OPT_A: a->a = optarg; break;
    case OPT_B: a->b = optarg; break;
    case OPT_CONF:
      if (cli_parse_double(c, "--conf-level", optarg, &a->conf_level) < 0) return CLI_EXIT_USAGE;
      if (!(a->conf_level > 0 && a->conf_level < 1))
        return cli_usage_error(c, "--conf-level must be between 0 and 1, not '%s'", optarg);
      break;
    case CLI_OPT_HELP:
      fputs(HELP, stdout);
      fputs(CLI_COMMON_OPTIONS_HELP, stdout);
      return -1;
    default: return cli_usage_error(c, "unknown option or missing argument");
    }
  }
  if (a->mode == MODE_STATED_ENACTED && !a->profile)
    return cli_usage_error(c, "--mode stated-enacted needs --profile FILE");
  if (a->mode == MODE_STATED_ENACTED && a->method_pearson && a->method_spearman)
    return cli_usage_error(c, "--method both is for --mode matrix; run stated-enacted once per method");
  if (a->mode == MODE_ROLEPLAY && strcmp(a->a, a->b) == 0)
    return cli_usage_error(c, "--a and --b must name different conditions");
  if (argc - optind > 1) return cli_usage_error(c, "consistency reads one file, got %d", argc - optind);
  a->profile_score = a->score ? a->score : "score";
  *first = optind;
  return CLI_EXIT_OK;
}

/* ---- a units x items table of means ---------------------------------------- */

/* Sums and counts per (unit, item), both keyed by interned strings. */
typedef struct {
  cli_intern_t *units, *items;
  double *sum;
  size_t *count;
  size_t cap_units, cap_items; /* allocated dimensions */
} grid_t;

static int grid_init(grid_t *g) {
  memset(g, 0, sizeof *g);
  g->units = cli_intern_alloc();
  g->items = cli_intern_alloc();
  return g->units && g->items ? 0 : -1;
}

static void grid_free(grid_t *g) {
  cli_intern_free(g->units);
  cli_intern_free(g->items);
  free(g->sum);
  free(g->count);
}

/* Make room for unit u and item k, keeping the layout sum[u * cap_items + k]. */
static int grid_reserve(grid_t *g, size_t u, size_t k) {
  if (u < g->cap_units && k < g->cap_items) return 0;
  size_t cu = g->cap_units ? g->cap_units : 8, ck = g->cap_items ? g->cap_items : 8;
  while (cu <= u) cu *= 2;
  while (ck <= k) ck *= 2;
  double *sum = calloc(cu * ck, sizeof *sum);
  size_t *count = calloc(cu * ck, sizeof *count);
  if (!sum || !count) {
    free(sum);
    free(count);
    return -1;
  }
  for (size_t i = 0; i < g->cap_units; i++)
    for (size_t j = 0; j < g->cap_items; j++) {
      sum[i * ck + j] = g->sum[i * g->cap_items + j];
      count[i * ck + j] = g->count[i * g->cap_items + j];
    }
  free(g->sum);
  free(g->count);
  g->sum = sum;
  g->count = count;
  g->cap_units = cu;
  g->cap_items = ck;
  return 0;
}

/* Add x to (unit, item); returns -1 when out of memory. */
static int grid_add(grid_t *g, const char *unit, size_t ulen, const char *item, size_t ilen,
                    double x, size_t *u_out, size_t *k_out) {
  size_t u = cli_intern(g->units, unit, ulen), k = cli_intern(g->items, item, ilen);
  if (u == (size_t)-1 || k == (size_t)-1 || grid_reserve(g, u, k)) return -1;
  g->sum[u * g->cap_items + k] += x;
  g->count[u * g->cap_items + k]++;
  if (u_out) *u_out = u;
  if (k_out) *k_out = k;
  return 0;
}

/* Dense nunits x nitems matrix of means (NaN where no observation); caller frees. */
static double *grid_means(const grid_t *g) {
  size_t nu = cli_intern_count(g->units), ni = cli_intern_count(g->items);
  double *m = malloc((nu * ni + 1) * sizeof *m);
  if (!m) return NULL;
  for (size_t i = 0; i < nu; i++)
    for (size_t j = 0; j < ni; j++) {
      size_t n = g->count[i * g->cap_items + j];
      m[i * ni + j] = n ? g->sum[i * g->cap_items + j] / (double)n : NAN;
    }
  return m;
}

/* ---- shared reading helpers -------------------------------------------------- */

static vagap_status_t oom(vagap_error_t *err) {
  return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
}

/* Exclude row i when any of the columns is missing; returns 1 if excluded. */
static int exclude_missing(const vagap_table_t *t, size_t i, const size_t *cols,
                           const char *const *names, size_t ncols, vagap_ledger_t *ledger,
                           vagap_status_t *st) {
  for (size_t k = 0; k < ncols; k++)
    if (vagap_table_is_na(t, i, cols[k])) {
      char reason[256];
      snprintf(reason, sizeof reason, "missing %s", names[k]);
      *st = vagap_ledger_exclude(ledger, vagap_table_source_id(t), vagap_table_line(t, i), reason);
      return 1;
    }
  return 0;
}

static vagap_status_t find_columns(const vagap_table_t *t, const char *const *names, size_t n,
                                   size_t *cols, vagap_error_t *err) {
  for (size_t k = 0; k < n; k++) {
    vagap_status_t st = vagap_table_column(t, names[k], &cols[k], err);
    if (st != VAGAP_OK) return st;
  }
  return VAGAP_OK;
}

/* ---- writing rows ---------------------------------------------------------------- */

/* unit, term, level, then the broom numbers of r (whose group is the unit). */
static void put_row(cli_writer_t *w, const char *level, const broom_row_t *r) {
  cli_put_str(w, r->group);
  cli_put_str(w, r->term);
  cli_put_str(w, level);
  broom_put_numbers(w, stats_put_num, r);
}

static void put_cor(cli_writer_t *w, const char *unit, const char *term, const char *level,
                    const vagap_consistency_cor_t *r) {
  const vagap_cor_t *c = &r->cor;
  /* std.error NA: cor.test reports none */
  put_row(w, level,
          &(broom_row_t){unit, term, c->estimate, NAN, c->statistic, c->df, c->p_value,
                         c->conf_low, c->conf_high, c->n,
                         c->method == VAGAP_COR_PEARSON ? "pearson" : "spearman"});
}

static void put_value(cli_writer_t *w, const char *unit, const char *term, const char *level,
                      double estimate, size_t n, const char *method) {
  broom_row_t r = broom_estimate(unit, term, estimate, n, method);
  put_row(w, level, &r);
}

static void put_ttest(cli_writer_t *w, const char *term, const char *level,
                      const vagap_ttest_t *t, const char *method) {
  broom_row_t r = broom_ttest(NULL, term, t, method);
  put_row(w, level, &r);
}

/* ---- mode matrix ------------------------------------------------------------------ */

/* Decision vectors: (scenario, option) shares or per-scenario means of --score. */
static vagap_status_t read_decisions(const vagap_table_t *t, const cons_args_t *a, grid_t *g,
                                     vagap_ledger_t *ledger, vagap_error_t *err) {
  const char *names[3] = {a->unit, a->scenario, a->score ? a->score : a->choice};
  size_t col[3];
  vagap_status_t st = find_columns(t, names, 3, col, err);
  if (st != VAGAP_OK) return st;
  size_t n = vagap_table_nrows(t);
  double *score = NULL;
  if (a->score) {
    score = malloc((n ? n : 1) * sizeof *score);
    if (!score) return oom(err);
    if ((st = vagap_table_numeric(t, col[2], score, err))) goto done;
  }
  grid_t options; /* per-row (unit, scenario) tallies for choice shares */
  if (grid_init(&options)) {
    st = oom(err);
    goto done;
  }
  for (size_t i = 0; i < n && st == VAGAP_OK; i++) {
    if (exclude_missing(t, i, col, names, 3, ledger, &st)) continue;
    size_t ul, sl, cl;
    const char *u = vagap_table_cell(t, i, col[0], &ul);
    const char *s = vagap_table_cell(t, i, col[1], &sl);
    if (a->score) {
      if (grid_add(g, u, ul, s, sl, score[i], NULL, NULL)) st = oom(err);
      continue;
    }
    /* item key "scenario\x1foption"; the per-scenario total goes in `options` */
    const char *ch = vagap_table_cell(t, i, col[2], &cl);
    char *key = malloc(sl + cl + 2);
    if (!key) {
      st = oom(err);
      break;
    }
    memcpy(key, s, sl);
    key[sl] = '\x1f';
    memcpy(key + sl + 1, ch, cl);
    key[sl + cl + 1] = '\0';
    if (grid_add(g, u, ul, key, sl + cl + 1, 1.0, NULL, NULL) ||
        grid_add(&options, u, ul, s, sl, 1.0, NULL, NULL))
      st = oom(err);
    free(key);
  }
  if (st == VAGAP_OK && !a->score) {
    /* convert counts to shares: count(unit, s, option) / count(unit, s), 0 if the unit saw s */
    size_t nu = cli_intern_count(g->units), ni = cli_intern_count(g->items);
    for (size_t k = 0; k < ni && st == VAGAP_OK; k++) {
      const char *item = cli_intern_string(g->items, k);
      size_t slen = (size_t)(strchr(item, '\x1f') - item);
      size_t sk = cli_intern_find(options.items, item, slen);
      for (size_t u = 0; u < nu; u++) {
        size_t uo = cli_intern_find(options.units, cli_intern_string(g->units, u),
                                    strlen(cli_intern_string(g->units, u)));
        size_t total = uo == (size_t)-1 ? 0 : options.count[uo * options.cap_items + sk];
        double *sum = &g->sum[u * g->cap_items + k];
        size_t *count = &g->count[u * g->cap_items + k];
        /* the mean of the grid becomes the share: sum = chosen, count = total */
        *count = total;
        if (total == 0) *sum = 0.0;
      }
    }
  }
  grid_free(&options);
done:
  free(score);
  return st;
}

static vagap_status_t run_matrix_method(cli_writer_t *w, const grid_t *g, const double *x,
                                        vagap_cor_method_t method, double conf,
                                        vagap_error_t *err) {
  size_t nu = cli_intern_count(g->units), ni = cli_intern_count(g->items);
  vagap_cor_options_t opt;
  vagap_cor_options_init(&opt);
  opt.method = method;
  opt.conf_level = conf;
  vagap_consistency_cor_t *pairs = malloc((nu * nu + 1) * sizeof *pairs);
  vagap_consistency_unit_t *units = malloc((nu ? nu : 1) * sizeof *units);
  double mean_all = NAN;
  vagap_status_t st = pairs && units ? VAGAP_OK : oom(err);
  if (st == VAGAP_OK) st = vagap_consistency_matrix(x, nu, ni, &opt, pairs, units, &mean_all, err);
  const char *mname = method == VAGAP_COR_PEARSON ? "pearson" : "spearman";
  for (size_t i = 0; st == VAGAP_OK && i < nu; i++)
    for (size_t j = 0; j < nu; j++)
      put_cor(w, cli_intern_string(g->units, i), "r", cli_intern_string(g->units, j),
              &pairs[i * nu + j]);
  size_t ndefined = 0;
  for (size_t i = 0; st == VAGAP_OK && i < nu; i++) {
    put_value(w, cli_intern_string(g->units, i), "mean_r", NULL, units[i].mean_r,
              units[i].n_defined, mname);
    ndefined += units[i].n_defined;
  }
  if (st == VAGAP_OK) put_value(w, NULL, "mean_r_all", NULL, mean_all, ndefined / 2, mname);
  free(pairs);
  free(units);
  return st;
}

static int run_matrix(const cli_common_t *c, const cons_args_t *a, const vagap_table_t *t,
                      vagap_ledger_t *ledger) {
  vagap_error_t err;
  vagap_error_clear(&err);
  grid_t g;
  double *x = NULL;
  int rc = CLI_EXIT_OK;
  vagap_status_t st = grid_init(&g) ? oom(&err) : VAGAP_OK;
  if (st == VAGAP_OK) st = read_decisions(t, a, &g, ledger, &err);
  if (st == VAGAP_OK && !(x = grid_means(&g))) st = oom(&err);
  if (st == VAGAP_OK) {
    size_t nu = cli_intern_count(g.units);
    if (nu < 2) cli_warn(c, "only %zu unit(s): no pair to correlate", nu);
    cli_writer_t *w = cli_writer_open_unit(c, a->unit, COLUMNS, NCOLUMNS);
    if (!w) rc = CLI_EXIT_DATA;
    if (w && a->method_pearson) st = run_matrix_method(w, &g, x, VAGAP_COR_PEARSON, a->conf_level, &err);
    if (w && st == VAGAP_OK && a->method_spearman)
      st = run_matrix_method(w, &g, x, VAGAP_COR_SPEARMAN, a->conf_level, &err);
    if (w) {
      int wrc = cli_writer_close(w);
      if (rc == CLI_EXIT_OK) rc = wrc;
    }
  }
  if (st != VAGAP_OK) rc = cli_report_error(&err);
  free(x);
  grid_free(&g);
  return rc;
}

/* ---- mode stated-enacted ------------------------------------------------------------ */

/* Mean of a numeric column per (unit, value) into g. */
static vagap_status_t read_unit_value(const vagap_table_t *t, const char *unit, const char *value,
                                      const char *number, int unique, grid_t *g,
                                      vagap_ledger_t *ledger, vagap_error_t *err) {
  const char *names[3] = {unit, value, number};
  size_t col[3];
  vagap_status_t st = find_columns(t, names, 3, col, err);
  if (st != VAGAP_OK) return st;
  size_t n = vagap_table_nrows(t);
  double *x = malloc((n ? n : 1) * sizeof *x);
  if (!x) return oom(err);
  if ((st = vagap_table_numeric(t, col[2], x, err))) goto done;
  for (size_t i = 0; i < n && st == VAGAP_OK; i++) {
    if (exclude_missing(t, i, col, names, 3, ledger, &st)) continue;
    size_t ul, vl, u, k;
    const char *us = vagap_table_cell(t, i, col[0], &ul);
    const char *vs = vagap_table_cell(t, i, col[1], &vl);
    if (grid_add(g, us, ul, vs, vl, x[i], &u, &k)) {
      st = oom(err);
      break;
    }
    if (unique && g->count[u * g->cap_items + k] > 1)
      st = vagap_error_set(err, VAGAP_EDATA, vagap_table_source(t), vagap_table_line(t, i), 0,
                           "second row for %s '%s' and %s '%s'", unit, us, value, vs);
  }
done:
  free(x);
  return st;
}

/* Align the profile grid onto the enactment grid's units and values (NaN where absent). */
static double *profile_on(const grid_t *profile, const grid_t *enact) {
  size_t nu = cli_intern_count(enact->units), nv = cli_intern_count(enact->items);
  double *m = malloc((nu * nv + 1) * sizeof *m);
  if (!m) return NULL;
  for (size_t i = 0; i < nu; i++) {
    const char *us = cli_intern_string(enact->units, i);
    size_t pu = cli_intern_find(profile->units, us, strlen(us));
    for (size_t j = 0; j < nv; j++) {
      const char *vs = cli_intern_string(enact->items, j);
      size_t pv = cli_intern_find(profile->items, vs, strlen(vs));
      double x = NAN;
      if (pu != (size_t)-1 && pv != (size_t)-1) {
        size_t at = pu * profile->cap_items + pv;
        if (profile->count[at]) x = profile->sum[at] / (double)profile->count[at];
      }
      m[i * nv + j] = x;
    }
  }
  return m;
}

/*
 * Profile rows whose unit or value never occurs in the enactment log take no
 * part in any correlation: they are excluded, so that the row count is honest.
 */
static vagap_status_t exclude_unmatched_profile_rows(const vagap_table_t *pt, const cons_args_t *a,
                                                     const grid_t *enact, vagap_ledger_t *ledger,
                                                     vagap_error_t *err) {
  size_t ucol, vcol;
  vagap_status_t st;
  if ((st = vagap_table_column(pt, a->unit, &ucol, err)) ||
      (st = vagap_table_column(pt, a->value, &vcol, err)))
    return st;
  for (size_t i = 0; i < vagap_table_nrows(pt); i++) {
    if (vagap_table_is_na(pt, i, ucol) || vagap_table_is_na(pt, i, vcol))
      continue; /* already excluded as missing */
    size_t ul, vl;
    const char *us = vagap_table_cell(pt, i, ucol, &ul);
    const char *vs = vagap_table_cell(pt, i, vcol, &vl);
    const char *why = NULL;
    if (cli_intern_find(enact->units, us, ul) == (size_t)-1) why = "profile unit has no enactment rows";
    else if (cli_intern_find(enact->items, vs, vl) == (size_t)-1) why = "profile value has no enactment rows";
    if (why && vagap_ledger_exclude(ledger, vagap_table_source_id(pt), vagap_table_line(pt, i), why))
      return oom(err);
  }
  return VAGAP_OK;
}

static int run_stated_enacted(const cli_common_t *c, const cons_args_t *a,
                              const vagap_table_t *t, vagap_ledger_t *ledger) {
  vagap_error_t err;
  vagap_error_clear(&err);
  grid_t enact, profile;
  vagap_table_t *pt = NULL;
  double *e = NULL, *s = NULL;
  vagap_consistency_cor_t *unit = NULL, *value = NULL;
  int rc = CLI_EXIT_OK;
  int g1 = grid_init(&enact), g2 = grid_init(&profile);
  vagap_status_t st = g1 || g2 ? oom(&err) : VAGAP_OK;
  if (st == VAGAP_OK)
    st = read_unit_value(t, a->unit, a->value, a->enacted, 0, &enact, ledger, &err);
  if (st == VAGAP_OK) st = vagap_table_read(&pt, a->profile, &c->table, ledger, &err);
  const char *numeric[1] = {a->profile_score};
  if (st == VAGAP_OK && cli_screen_named(&c->table, pt, ledger, numeric, 1)) st = oom(&err);
  if (st == VAGAP_OK)
    st = read_unit_value(pt, a->unit, a->value, a->profile_score, 1, &profile, ledger, &err);
  size_t nu = cli_intern_count(enact.units), nv = cli_intern_count(enact.items);
  if (st == VAGAP_OK) {
    e = grid_means(&enact);
    s = profile_on(&profile, &enact);
    unit = malloc((nu ? nu : 1) * sizeof *unit);
    value = malloc((nv ? nv : 1) * sizeof *value);
    if (!e || !s || !unit || !value) st = oom(&err);
  }
  for (size_t i = 0; st == VAGAP_OK && i < cli_intern_count(profile.units); i++) {
    const char *us = cli_intern_string(profile.units, i);
    if (cli_intern_find(enact.units, us, strlen(us)) == (size_t)-1)
      cli_warn(c, "unit '%s' has a profile but no enactment rows; it is left out", us);
  }
  if (st == VAGAP_OK) st = exclude_unmatched_profile_rows(pt, a, &enact, ledger, &err);
  for (size_t i = 0; st == VAGAP_OK && i < nu; i++) {
    const char *us = cli_intern_string(enact.units, i);
    if (cli_intern_find(profile.units, us, strlen(us)) == (size_t)-1)
      cli_warn(c, "unit '%s' has enactment rows but no profile; its r is undefined", us);
  }
  vagap_ttest_t mean;
  vagap_status_t mean_status = VAGAP_OK;
  size_t undefined = 0;
  if (st == VAGAP_OK) {
    vagap_cor_options_t copt;
    vagap_cor_options_init(&copt);
    copt.method = a->method_spearman && !a->method_pearson ? VAGAP_COR_SPEARMAN : VAGAP_COR_PEARSON;
    copt.conf_level = a->conf_level;
    vagap_ttest_options_t topt;
    vagap_ttest_options_init(&topt);
    topt.conf_level = a->conf_level;
    st = vagap_consistency_stated_enacted(s, e, nu, nv, a->centre, &copt, &topt, unit, value,
                                          &mean, &mean_status, &undefined, &err);
  }
  if (st == VAGAP_OK) {
    if (undefined) cli_warn(c, "%zu unit(s) with an undefined r (fewer than 3 values or constant) are left out of mean_r", undefined);
    cli_writer_t *w = cli_writer_open_unit(c, a->unit, COLUMNS, NCOLUMNS);
    if (!w) rc = CLI_EXIT_DATA;
    if (w) {
      for (size_t i = 0; i < nu; i++)
        put_cor(w, cli_intern_string(enact.units, i), "r", NULL, &unit[i]);
      for (size_t j = 0; j < nv; j++)
        put_cor(w, NULL, "r_value", cli_intern_string(enact.items, j), &value[j]);
      put_ttest(w, "mean_r", NULL, &mean,
                a->centre ? "one-sample t-test of per-unit r (profiles centred)"
                          : "one-sample t-test of per-unit r");
      int wrc = cli_writer_close(w);
      if (rc == CLI_EXIT_OK) rc = wrc;
    }
  }
  if (st != VAGAP_OK) rc = cli_report_error(&err);
  (void)mean_status;
  vagap_table_free(pt);
  free(e);
  free(s);
  free(unit);
  free(value);
  grid_free(&enact);
  grid_free(&profile);
  return rc;
}

/* ---- mode roleplay ------------------------------------------------------------------- */

static int run_roleplay(const cli_common_t *c, const cons_args_t *a, const vagap_table_t *t,
                        vagap_ledger_t *ledger) {
  vagap_error_t err;
  vagap_error_clear(&err);
  const char *names[3] = {a->unit, a->condition, a->correct};
  size_t col[3];
  grid_t g;
  double *x = NULL, *acc = NULL, *acc_a = NULL, *acc_b = NULL, *drop = NULL;
  int rc = CLI_EXIT_OK;
  vagap_status_t st = grid_init(&g) ? oom(&err) : VAGAP_OK;
  if (st == VAGAP_OK) st = find_columns(t, names, 3, col, &err);
  size_t n = vagap_table_nrows(t);
  if (st == VAGAP_OK && !(x = malloc((n ? n : 1) * sizeof *x))) st = oom(&err);
  if (st == VAGAP_OK) st = vagap_table_numeric(t, col[2], x, &err);
  /* the two conditions are items 0 (a) and 1 (b) whatever order the file has */
  if (st == VAGAP_OK && (cli_intern(g.items, a->a, strlen(a->a)) == (size_t)-1 ||
                         cli_intern(g.items, a->b, strlen(a->b)) == (size_t)-1))
    st = oom(&err);
  for (size_t i = 0; st == VAGAP_OK && i < n; i++) {
    if (exclude_missing(t, i, col, names, 3, ledger, &st)) continue;
    size_t ul, cl;
    const char *us = vagap_table_cell(t, i, col[0], &ul);
    const char *cs = vagap_table_cell(t, i, col[1], &cl);
    if (cli_intern_find(g.items, cs, cl) == (size_t)-1) {
      st = vagap_ledger_exclude(ledger, vagap_table_source_id(t), vagap_table_line(t, i),
                                "condition is neither --a nor --b");
      continue;
    }
    if (grid_add(&g, us, ul, cs, cl, x[i], NULL, NULL)) st = oom(&err);
  }
  size_t nu = cli_intern_count(g.units);
  if (st == VAGAP_OK) {
    acc = grid_means(&g);
    acc_a = malloc((nu ? nu : 1) * sizeof *acc_a);
    acc_b = malloc((nu ? nu : 1) * sizeof *acc_b);
    drop = malloc((nu ? nu : 1) * sizeof *drop);
    if (!acc || !acc_a || !acc_b || !drop) st = oom(&err);
  }
  vagap_ttest_t test;
  if (st == VAGAP_OK) {
    for (size_t i = 0; i < nu; i++) {
      acc_a[i] = acc[i * 2 + 0];
      acc_b[i] = acc[i * 2 + 1];
    }
    vagap_ttest_options_t topt;
    vagap_ttest_options_init(&topt);
    topt.conf_level = a->conf_level;
    vagap_error_t terr;
    vagap_status_t ts = vagap_consistency_roleplay_drop(acc_a, acc_b, nu, &topt, drop, &test, &terr);
    if (ts == VAGAP_EDOMAIN) cli_warn(c, "paired t-test undefined: %s", terr.message);
    else if (ts != VAGAP_OK) {
      err = terr;
      st = ts;
    }
  }
  if (st == VAGAP_OK) {
    cli_writer_t *w = cli_writer_open_unit(c, a->unit, COLUMNS, NCOLUMNS);
    if (!w) rc = CLI_EXIT_DATA;
    if (w) {
      for (size_t i = 0; i < nu; i++) {
        const char *u = cli_intern_string(g.units, i);
        put_value(w, u, "accuracy_a", a->a, acc_a[i], g.count[i * g.cap_items + 0], "mean");
        put_value(w, u, "accuracy_b", a->b, acc_b[i], g.count[i * g.cap_items + 1], "mean");
        put_value(w, u, "drop", NULL, drop[i],
                  g.count[i * g.cap_items + 0] + g.count[i * g.cap_items + 1], "accuracy_a - accuracy_b");
      }
      put_ttest(w, "drop", NULL, &test, "Paired t-test");
      int wrc = cli_writer_close(w);
      if (rc == CLI_EXIT_OK) rc = wrc;
    }
  }
  if (st != VAGAP_OK) rc = cli_report_error(&err);
  free(x);
  free(acc);
  free(acc_a);
  free(acc_b);
  free(drop);
  grid_free(&g);
  return rc;
}

int cmd_consistency(int argc, char **argv) {
  cli_common_t c;
  cli_common_init(&c, "consistency");
  cons_args_t a;
  int first = 0;
  int rc = parse_args(argc, argv, &c, &a, &first);
  if (rc < 0) return CLI_EXIT_OK; /* --help */
  if (rc != CLI_EXIT_OK) return rc;
  const char *path = first < argc ? argv[first] : "-";
  vagap_error_t err;
  vagap_error_clear(&err);
  vagap_ledger_t *ledger = cli_ledger_alloc(&c);
  vagap_table_t *t = NULL;
  if (!ledger) {
    vagap_error_set(&err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    return cli_report_error(&err);
  }
  /* --bad-rows exclude: rows whose number column (each mode's one) holds text */
  const char *numeric[3] = {a.mode == MODE_MATRIX ? a.score : NULL,
                            a.mode == MODE_STATED_ENACTED ? a.enacted : NULL,
                            a.mode == MODE_ROLEPLAY ? a.correct : NULL};
  if (vagap_table_read(&t, path, &c.table, ledger, &err) != VAGAP_OK) {
    rc = cli_report_error(&err);
  } else if (cli_screen_named(&c.table, t, ledger, numeric, 3)) {
    rc = CLI_EXIT_DATA;
  } else {
    switch (a.mode) {
    case MODE_MATRIX: rc = run_matrix(&c, &a, t, ledger); break;
    case MODE_STATED_ENACTED: rc = run_stated_enacted(&c, &a, t, ledger); break;
    case MODE_ROLEPLAY: rc = run_roleplay(&c, &a, t, ledger); break;
    }
  }
  if (rc == CLI_EXIT_OK) rc = cli_finish_ledger(&c, ledger);
  vagap_table_free(t);
  vagap_ledger_free(ledger);
  return rc;
}
