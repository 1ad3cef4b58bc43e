/*
 * vagap ttest: one-sample, paired (two columns or long format) and
 * two-sample (Welch, Student) t-tests with Cohen's d variants, optionally
 * per --by block with p-values adjusted across the blocks.
 *
 * Output: one test row (broom columns plus estimate1/2, sd1/2, n1/2,
 * n_excluded, log10.p, p.adjusted, alternative) followed by one row per
 * effect size (term d_z, d_z0, d_av, d_rm, d_s, g, g_av as the design has
 * them) in every block.
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "stats_cli.h"

static const char HELP[] =
    "Usage: vagap ttest --x COL [DESIGN] [OPTIONS] [FILE]\n"
    "t-tests with effect sizes (R t.test, scipy ttest_1samp/ttest_rel/ttest_ind).\n\n"
    "Designs:\n"
    "  --x COL                      one sample: mean of COL against --mu\n"
    "  --x COL --y COL2 --paired    paired: COL - COL2 row by row\n"
    "  --x COL --y COL2             two independent samples from two columns\n"
    "  --x COL --group G            two independent samples: the two values of G\n"
    "  --x COL --unit COL --condition C   paired, long format: per unit (the --unit\n"
    "                               column; alias --id), the value of COL under the\n"
    "                               first level of C minus under the second\n"
    "Options:\n"
    "      --levels A,B       the two levels of --group/--condition and their order\n"
    "                         (default: the two values present, sorted); rows with\n"
    "                         other levels are excluded\n"
    "      --var-equal        Student's pooled-variance test instead of Welch's\n"
    "      --mu M             null value of the mean or mean difference (default 0)\n"
    "      --alternative A    two.sided (default), less or greater\n"
    "      --conf-level L     confidence level (default 0.95; alias --conf)\n"
    "      --by COL           one test per value of COL\n"
    "      --adjust M         adjust p across the --by tests: none (default), holm,\n"
    "                         hochberg, bonferroni, BH (fdr), BY; column p.adjusted\n\n"
    "Effect sizes, one row each (terms): d_z = D/sd of differences (n-1), d_z0 =\n"
    "D/sd (n divisor, numpy ddof=0), d_av = D/sqrt((s1^2+s2^2)/2), d_rm (Lakens 2013\n"
    "eq. 9), d_s = D/pooled sd, g and g_av = Hedges' exact correction J times d\n"
    "and d_av.  The CI of d (d_z or d_s) and g inverts the noncentral t.\n"
    "Infinite one-sided bounds print as Inf/-Inf (null in JSON).  p-values below\n"
    "1e-300 are kept"
    " on the log scale in log10.p.\n";

enum {
  OPT_X = 1, OPT_Y, OPT_PAIRED, OPT_GROUP, OPT_LEVELS, OPT_ID, OPT_CONDITION,
  OPT_VAR_EQUAL, OPT_MU, OPT_BY
};

typedef enum { DESIGN_ONE, DESIGN_PAIRED_WIDE, DESIGN_TWO_COLUMNS, DESIGN_GROUP, DESIGN_PAIRED_LONG } design_t;

typedef struct {
  const char *x, *y, *group, *levels, *id, *condition, *by;
  int paired, var_equal;
  vagap_ttest_options_t test;
  vagap_p_adjust_t adjust;
} ttest_args_t;

typedef struct {
  vagap_table_t *t;
  vagap_ledger_t *ledger;
  design_t design;
  size_t cx, cy, cgroup, cid, ccond, cby;
  double *x, *y;
  const char *level[2];
  char *level_owned[2]; /* copies of --levels */
  unsigned char *use;   /* per row: 0 not tested, 1 used, 2 in its block but missing the measure */
  char term[512];
} ttest_data_t;

typedef struct {
  const char *key;
  vagap_status_t status;
  vagap_ttest_t res;
  double p_adjusted;
} ttest_block_t;

/* ---- options ------------------------------------------------------------------------- */

static int parse_args(int argc, char **argv, cli_common_t *c, ttest_args_t *a) {
  static const struct option options[] = {
      {"x", required_argument, 0, OPT_X},          {"y", required_argument, 0, OPT_Y},
      {"paired", no_argument, 0, OPT_PAIRED},      {"group", required_argument, 0, OPT_GROUP},
      {"levels", required_argument, 0, OPT_LEVELS}, {"id", required_argument, 0, OPT_ID},
      {"unit", required_argument, 0, OPT_ID},
      {"condition", required_argument, 0, OPT_CONDITION},
      {"var-equal", no_argument, 0, OPT_VAR_EQUAL}, {"mu", required_argument, 0, OPT_MU},
      {"by", required_argument, 0, OPT_BY},        STATS_TEST_LONG_OPTIONS,
      CLI_COMMON_LONG_OPTIONS,                     {0, 0, 0, 0}};
  int opt;
  while ((opt = cli_getopt(c, argc, argv, options)) != -1) {
    int handled = cli_common_option(c, opt, optarg);
    if (!handled)
      handled = stats_test_option(c, opt, optarg, &a->test.alternative, &a->test.conf_level,
                                  &a->adjust);
    if (handled < 0) return -1;
    if (handled) continue;
    switch (opt) {
    case OPT_X: a->x = optarg; break;
    case OPT_Y: a->y = optarg; break;
    case OPT_PAIRED: a->paired = 1; break;
    case OPT_GROUP: a->group = optarg; break;
    case OPT_LEVELS: a->levels = optarg; break;
    case OPT_ID: a->id = optarg; break;
    case OPT_CONDITION: a->condition = optarg; break;
    case OPT_VAR_EQUAL: a->var_equal = 1; break;
    case OPT_MU:
      if (cli_parse_double(c, "mu", optarg, &a->test.mu)) return -1;
      break;
    case OPT_BY: a->by = optarg; break;
    case CLI_OPT_HELP: printf("%s\n%s", HELP, CLI_COMMON_OPTIONS_HELP); return 1;
    default: cli_usage_error(c, "unknown option or missing argument"); return -1;
    }
  }
  return 0;
}

static int choose_design(const cli_common_t *c, const ttest_args_t *a, design_t *d) {
  if (!a->x) return cli_usage_error(c, "--x COL is required"), -1;
  int long_paired = a->id || a->condition;
  if (long_paired && !(a->id && a->condition))
    return cli_usage_error(c, "the long paired design needs both --unit and --condition"), -1;
  if (long_paired && (a->y || a->group))
    return cli_usage_error(c, "--unit/--condition cannot be combined with --y or --group"), -1;
  if (a->group && a->y) return cli_usage_error(c, "give either --y or --group, not both"), -1;
  if (a->paired && !a->y && !long_paired)
    return cli_usage_error(c, "--paired needs --y (or use --unit and --condition)"), -1;
  if (a->levels && !a->group && !long_paired)
    return cli_usage_error(c, "--levels applies to --group or --condition"), -1;
  if (a->var_equal && (a->paired || long_paired || (!a->y && !a->group)))
    return cli_usage_error(c, "--var-equal applies to two independent samples"), -1;
  if (long_paired) *d = DESIGN_PAIRED_LONG;
  else if (a->group) *d = DESIGN_GROUP;
  else if (a->y) *d = a->paired ? DESIGN_PAIRED_WIDE : DESIGN_TWO_COLUMNS;
  else *d = DESIGN_ONE;
  return 0;
}

/* ---- levels of --group / --condition ------------------------------------------------------ */

/* The two levels: from --levels, or the two distinct values present (sorted). */
static int find_levels(const cli_common_t *c, ttest_data_t *d, size_t col, const char *levels) {
  if (levels) {
    char *buf;
    const char **items;
    size_t n = stats_split_list(levels, &buf, &items);
    if (n == (size_t)-1) return fputs("vagap: out of memory\n", stderr), -1;
    int ok = n == 2 && items[0][0] && items[1][0] && strcmp(items[0], items[1]) != 0;
    if (ok) {
      d->level_owned[0] = strdup(items[0]);
      d->level_owned[1] = strdup(items[1]);
      d->level[0] = d->level_owned[0];
      d->level[1] = d->level_owned[1];
      if (!d->level[0] || !d->level[1]) {
        free(buf), free(items);
        return fputs("vagap: out of memory\n", stderr), -1;
      }
    }
    free(buf);
    free(items);
    if (!ok) return cli_usage_error(c, "--levels: expected two different levels A,B"), -1;
    return 0;
  }
  const char *lv[3] = {NULL, NULL, NULL};
  size_t nl = 0, n = vagap_table_nrows(d->t);
  for (size_t i = 0; i < n && nl < 3; i++) {
    if (vagap_table_is_na(d->t, i, col)) continue;
    const char *s = vagap_table_cell(d->t, i, col, NULL);
    size_t k = 0;
    while (k < nl && strcmp(lv[k], s) != 0) k++;
    if (k == nl) lv[nl++] = s;
  }
  if (nl != 2) {
    fprintf(stderr, "vagap: %s: column '%s' has %s distinct values; a two-sample or paired "
                    "comparison needs exactly 2 (choose them with --levels A,B)\n",
            vagap_table_source(d->t), vagap_table_colname(d->t, col),
            nl < 2 ? (nl ? "1" : "no") : "more than 2");
    return -1;
  }
  int swap = strcmp(lv[0], lv[1]) > 0;
  d->level[0] = lv[swap];
  d->level[1] = lv[!swap];
  return 0;
}

/* 0 or 1 for a row's level, -1 for another value or missing. */
static int level_of(const ttest_data_t *d, size_t row, size_t col) {
  if (vagap_table_is_na(d->t, row, col)) return -1;
  const char *s = vagap_table_cell(d->t, row, col, NULL);
  if (strcmp(s, d->level[0]) == 0) return 0;
  if (strcmp(s, d->level[1]) == 0) return 1;
  return -1;
}

/* ---- row accounting --------------------------------------------------------------------- */

/*
 * Why row i cannot be used (NULL if it can).  *in_block says whether the row
 * still belongs to its block's sample as a missing value (so that the test's
 * n_excluded counts it) or is outside the comparison altogether.
 */
static const char *row_problem(const ttest_data_t *d, size_t i, char *reason, size_t size,
                               int *in_block) {
  const vagap_table_t *t = d->t;
  *in_block = 0;
  if (d->cby != CLI_NO_COLUMN && vagap_table_is_na(t, i, d->cby)) {
    snprintf(reason, size, "missing %s (--by)", vagap_table_colname(t, d->cby));
    return reason;
  }
  if (d->design == DESIGN_GROUP || d->design == DESIGN_PAIRED_LONG) {
    size_t col = d->design == DESIGN_GROUP ? d->cgroup : d->ccond;
    if (vagap_table_is_na(t, i, col)) {
      snprintf(reason, size, "missing %s", vagap_table_colname(t, col));
      return reason;
    }
    if (level_of(d, i, col) < 0) {
      snprintf(reason, size, "%s is neither %s nor %s", vagap_table_colname(t, col), d->level[0],
               d->level[1]);
      return reason;
    }
    if (d->design == DESIGN_PAIRED_LONG && vagap_table_is_na(t, i, d->cid)) {
      snprintf(reason, size, "missing %s", vagap_table_colname(t, d->cid));
      return reason;
    }
  }
  *in_block = 1;
  switch (d->design) {
  case DESIGN_PAIRED_WIDE:
    if (isnan(d->x[i]) || isnan(d->y[i])) {
      snprintf(reason, size, "incomplete pair: missing %s",
               vagap_table_colname(t, isnan(d->x[i]) ? d->cx : d->cy));
      return reason;
    }
    return NULL;
  case DESIGN_TWO_COLUMNS:
    if (isnan(d->x[i]) && isnan(d->y[i])) {
      *in_block = 0;
      snprintf(reason, size, "missing %s and %s", vagap_table_colname(t, d->cx),
               vagap_table_colname(t, d->cy));
      return reason;
    }
    return NULL;
  default:
    if (isnan(d->x[i])) {
      snprintf(reason, size, "missing %s", vagap_table_colname(t, d->cx));
      return reason;
    }
    return NULL;
  }
}

/* Decide which rows take part and record the others in the ledger. */
static int account_rows(ttest_data_t *d) {
  size_t n = vagap_table_nrows(d->t);
  char reason[600];
  for (size_t i = 0; i < n; i++) {
    int in_block;
    const char *why = row_problem(d, i, reason, sizeof reason, &in_block);
    d->use[i] = why ? (in_block ? 2 : 0) : 1;
    if (why && cli_exclude_row(d->ledger, d->t, i, why)) return -1;
  }
  return 0;
}

/* ---- one block ------------------------------------------------------------------------------ */

typedef struct {
  size_t row;
  const char *id;
  int level;
} long_row_t;

static int compare_long_rows(const void *a, const void *b) {
  const long_row_t *p = a, *q = b;
  int c = strcmp(p->id, q->id);
  if (c) return c;
  if (p->level != q->level) return p->level - q->level;
  return p->row < q->row ? -1 : p->row > q->row;
}

/*
 * Long paired design: match the two rows of each id.  A duplicate is an
 * error; an id with one level only is excluded.
 */
static int pair_long_rows(ttest_data_t *d, const size_t *rows, size_t n, double *xa, double *xb,
                          size_t *npairs) {
  long_row_t *lr = malloc((n ? n : 1) * sizeof *lr);
  if (!lr) return fputs("vagap: out of memory\n", stderr), -1;
  size_t m = 0;
  for (size_t k = 0; k < n; k++) {
    if (d->use[rows[k]] == 0) continue;
    lr[m].row = rows[k];
    lr[m].id = vagap_table_cell(d->t, rows[k], d->cid, NULL);
    lr[m].level = level_of(d, rows[k], d->ccond);
    m++;
  }
  qsort(lr, m, sizeof *lr, compare_long_rows);
  size_t np = 0;
  char reason[600];
  for (size_t k = 0; k < m;) {
    size_t e = k + 1;
    while (e < m && strcmp(lr[e].id, lr[k].id) == 0) e++;
    for (size_t q = k + 1; q < e; q++)
      if (lr[q].level == lr[q - 1].level) {
        fprintf(stderr, "vagap: %s:%ld:%zu: %s '%s' has a second row for %s '%s' (first at line %ld)\n",
                vagap_table_source(d->t), vagap_table_line(d->t, lr[q].row), d->ccond + 1,
                vagap_table_colname(d->t, d->cid), lr[q].id, vagap_table_colname(d->t, d->ccond),
                d->level[lr[q].level], vagap_table_line(d->t, lr[q - 1].row));
        free(lr);
        return -1;
      }
    if (e - k == 2) {
      xa[np] = d->x[lr[k].row];
      xb[np] = d->x[lr[k + 1].row];
      np++;
      /* a missing value leaves its partner unused too (its own row is
         already excluded as missing) */
      for (int side = 0; side < 2; side++) {
        size_t row = lr[k + side].row, other = lr[k + !side].row;
        if (isnan(d->x[other]) && !isnan(d->x[row])) {
          snprintf(reason, sizeof reason, "incomplete pair: %s missing in the %s '%s' row",
                   vagap_table_colname(d->t, d->cx), vagap_table_colname(d->t, d->ccond),
                   d->level[lr[k + !side].level]);
          if (cli_exclude_row(d->ledger, d->t, row, reason)) {
            free(lr);
            return -1;
          }
        }
      }
    } else if (!isnan(d->x[lr[k].row])) {
      snprintf(reason, sizeof reason, "%s '%s' has no %s '%s' row to pair with",
               vagap_table_colname(d->t, d->cid), lr[k].id, vagap_table_colname(d->t, d->ccond),
               d->level[!lr[k].level]);
      if (cli_exclude_row(d->ledger, d->t, lr[k].row, reason)) {
        free(lr);
        return -1;
      }
    }
    k = e;
  }
  free(lr);
  *npairs = np;
  return 0;
}

static int run_block(ttest_data_t *d, const ttest_args_t *a, const size_t *rows, size_t n,
                     ttest_block_t *out, vagap_error_t *err) {
  double *xa = malloc((n ? n : 1) * sizeof *xa), *xb = malloc((n ? n : 1) * sizeof *xb);
  if (!xa || !xb) {
    free(xa), free(xb);
    return fputs("vagap: out of memory\n", stderr), -1;
  }
  size_t na = 0, nb = 0;
  vagap_ttest_kind_t kind = a->var_equal ? VAGAP_TTEST_STUDENT : VAGAP_TTEST_WELCH;
  vagap_error_clear(err);
  switch (d->design) {
  case DESIGN_ONE:
    for (size_t k = 0; k < n; k++) xa[na++] = d->x[rows[k]];
    out->status = vagap_stats_ttest_one(xa, na, &a->test, &out->res, err);
    break;
  case DESIGN_PAIRED_WIDE:
    for (size_t k = 0; k < n; k++) {
      xa[na++] = d->x[rows[k]];
      xb[nb++] = d->y[rows[k]];
    }
    out->status = vagap_stats_ttest_paired(xa, xb, na, &a->test, &out->res, err);
    break;
  case DESIGN_TWO_COLUMNS:
    for (size_t k = 0; k < n; k++) {
      if (d->use[rows[k]] != 1) continue; /* both missing: not part of either sample */
      xa[na++] = d->x[rows[k]];
      xb[nb++] = d->y[rows[k]];
    }
    out->status = vagap_stats_ttest_two(xa, na, xb, nb, kind, &a->test, &out->res, err);
    break;
  case DESIGN_GROUP:
    for (size_t k = 0; k < n; k++) {
      if (d->use[rows[k]] == 0) continue;
      if (level_of(d, rows[k], d->cgroup) == 0) xa[na++] = d->x[rows[k]];
      else xb[nb++] = d->x[rows[k]];
    }
    out->status = vagap_stats_ttest_two(xa, na, xb, nb, kind, &a->test, &out->res, err);
    break;
  case DESIGN_PAIRED_LONG:
    if (pair_long_rows(d, rows, n, xa, xb, &na)) {
      free(xa), free(xb);
      return -1;
    }
    out->status = vagap_stats_ttest_paired(xa, xb, na, &a->test, &out->res, err);
    break;
  }
  free(xa), free(xb);
  return 0;
}

/* ---- output ---------------------------------------------------------------------------------- */

static const char *const COLUMNS[] = {BROOM_COLUMNS, "estimate1", "estimate2", "sd1",
                                      "sd2", "n1", "n2", "n_excluded", "log10.p", "p.adjusted",
                                      "alternative"};
enum { NCOLUMNS = sizeof COLUMNS / sizeof COLUMNS[0] };

static void put_test_row(cli_writer_t *w, const ttest_data_t *d, const ttest_block_t *b) {
  const vagap_ttest_t *r = &b->res;
  broom_row_t head = broom_ttest(b->key, d->term, r, vagap_ttest_method_name(r->kind));
  broom_put(w, stats_put_num, &head);
  stats_put_num(w, r->mean1);
  stats_put_num(w, r->mean2);
  stats_put_num(w, r->sd1);
  stats_put_num(w, r->sd2);
  cli_put_int(w, (long long)r->n1);
  if (r->kind == VAGAP_TTEST_ONE_SAMPLE) cli_put_na(w);
  else cli_put_int(w, (long long)r->n2);
  cli_put_int(w, (long long)r->n_excluded);
  stats_put_num(w, r->log10_p);
  stats_put_num(w, b->p_adjusted);
  cli_put_str(w, vagap_alternative_name(r->alternative));
}

static void put_effect_row(cli_writer_t *w, const ttest_block_t *b, const char *term,
                           double value, double lo, double hi, const char *method) {
  broom_row_t head = broom_estimate(b->key, term, value, b->res.n, method);
  head.conf_low = lo;
  head.conf_high = hi;
  broom_put(w, stats_put_num, &head);
  for (size_t k = 11; k < NCOLUMNS - 1; k++) cli_put_na(w);
  cli_put_str(w, vagap_alternative_name(b->res.alternative));
}

static void put_effect_rows(cli_writer_t *w, const ttest_block_t *b) {
  const vagap_effect_size_t *e = &b->res.effect;
  switch (b->res.kind) {
  case VAGAP_TTEST_ONE_SAMPLE:
  case VAGAP_TTEST_PAIRED:
    put_effect_row(w, b, "d_z", e->d_z, e->d_conf_low, e->d_conf_high,
                   "Cohen's d_z: mean difference / SD (n-1); CI from the noncentral t");
    put_effect_row(w, b, "d_z0", e->d_z0, NAN, NAN,
                   "Cohen's d_z with the population SD (n divisor, numpy ddof=0)");
    if (b->res.kind == VAGAP_TTEST_PAIRED) {
      put_effect_row(w, b, "d_av", e->d_av, NAN, NAN,
                     "Cohen's d_av: mean difference / sqrt((s1^2 + s2^2)/2)");
      put_effect_row(w, b, "d_rm", e->d_rm, NAN, NAN,
                     "Cohen's d_rm: d_z * sqrt(2 (1 - r)) (Lakens 2013)");
    }
    put_effect_row(w, b, "g", e->g, e->g_conf_low, e->g_conf_high,
                   "Hedges' g: exact J(n-1) * d_z");
    if (b->res.kind == VAGAP_TTEST_PAIRED)
      put_effect_row(w, b, "g_av", e->g_av, NAN, NAN, "Hedges' g_av: exact J(n-1) * d_av");
    break;
  default:
    put_effect_row(w, b, "d_s", e->d_s, e->d_conf_low, e->d_conf_high,
                   "Cohen's d_s: mean difference / pooled SD; CI from the noncentral t");
    put_effect_row(w, b, "d_av", e->d_av, NAN, NAN,
                   "Cohen's d_av: mean difference / sqrt((s1^2 + s2^2)/2)");
    put_effect_row(w, b, "g", e->g, e->g_conf_low, e->g_conf_high,
                   "Hedges' g: exact J(n1+n2-2) * d_s");
    put_effect_row(w, b, "g_av", e->g_av, NAN, NAN, "Hedges' g_av: exact J(n1+n2-2) * d_av");
    break;
  }
}

static void make_term(ttest_data_t *d) {
  const char *x = vagap_table_colname(d->t, d->cx);
  switch (d->design) {
  case DESIGN_ONE: snprintf(d->term, sizeof d->term, "%s", x); break;
  case DESIGN_PAIRED_WIDE:
  case DESIGN_TWO_COLUMNS:
    snprintf(d->term, sizeof d->term, "%s - %s", x, vagap_table_colname(d->t, d->cy));
    break;
  default: snprintf(d->term, sizeof d->term, "%s: %s - %s", x, d->level[0], d->level[1]); break;
  }
}

/* ---- main ---------------------------------------------------------------------------------------- */

static int setup_columns(const cli_common_t *c, const ttest_args_t *a, ttest_data_t *d) {
  d->cy = d->cgroup = d->cid = d->ccond = d->cby = CLI_NO_COLUMN;
  if (cli_column(d->t, a->x, &d->cx)) return -1;
  if (a->y && cli_column(d->t, a->y, &d->cy)) return -1;
  if (a->group && cli_column(d->t, a->group, &d->cgroup)) return -1;
  if (a->id && cli_column(d->t, a->id, &d->cid)) return -1;
  if (a->condition && cli_column(d->t, a->condition, &d->ccond)) return -1;
  if (a->by && cli_column(d->t, a->by, &d->cby)) return -1;
  size_t numeric[2] = {d->cx, d->cy};
  if (cli_screen_numbers(&c->table, d->t, d->ledger, numeric, a->y ? 2 : 1)) return -1;
  if (!(d->x = cli_numeric_column(d->t, d->cx))) return -1;
  if (a->y && !(d->y = cli_numeric_column(d->t, d->cy))) return -1;
  if (a->group && find_levels(c, d, d->cgroup, a->levels)) return -1;
  if (a->condition && find_levels(c, d, d->ccond, a->levels)) return -1;
  return 0;
}

static int run_and_write(const cli_common_t *c, ttest_data_t *d, const ttest_args_t *a,
                         size_t *nok) {
  stats_blocks_t bl;
  int rc = CLI_EXIT_DATA;
  ttest_block_t *blocks = NULL;
  cli_writer_t *w = NULL;
  if (stats_blocks_make(d->t, d->cby, d->use, &bl)) return CLI_EXIT_DATA;
  blocks = calloc(bl.nblocks ? bl.nblocks : 1, sizeof *blocks);
  if (!blocks) goto done;
  size_t ok = 0;
  for (size_t b = 0; b < bl.nblocks; b++) {
    vagap_error_t err;
    blocks[b].key = bl.key[b];
    if (run_block(d, a, bl.rows + bl.start[b], bl.start[b + 1] - bl.start[b], &blocks[b], &err))
      goto done;
    if (blocks[b].status == VAGAP_OK) {
      ok++;
    } else if (blocks[b].status == VAGAP_EDOMAIN) {
      if (bl.key[b]) cli_warn(c, "%s = %s: %s", a->by, bl.key[b], err.message);
      else cli_warn(c, "%s", err.message);
    } else {
      rc = cli_report_error(&err);
      goto done;
    }
  }
  if (stats_adjust_rows(blocks, bl.nblocks, sizeof *blocks, offsetof(ttest_block_t, res.p_value),
                        offsetof(ttest_block_t, p_adjusted), a->adjust))
    goto done;
  make_term(d);
  if (!(w = cli_writer_open(c, COLUMNS, NCOLUMNS))) goto done;
  for (size_t b = 0; b < bl.nblocks; b++) {
    put_test_row(w, d, &blocks[b]);
    put_effect_rows(w, &blocks[b]);
  }
  rc = cli_writer_close(w);
  *nok = ok;
done:
  free(blocks);
  stats_blocks_free(&bl);
  return rc;
}

int cmd_ttest(int argc, char **argv) {
  cli_common_t c;
  cli_common_init(&c, "ttest");
  ttest_args_t a;
  memset(&a, 0, sizeof a);
  vagap_ttest_options_init(&a.test);
  a.adjust = VAGAP_P_ADJUST_NONE;
  int prc = parse_args(argc, argv, &c, &a);
  if (prc) return prc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  ttest_data_t d;
  memset(&d, 0, sizeof d);
  if (choose_design(&c, &a, &d.design)) return CLI_EXIT_USAGE;
  if (argc - optind > 1) return cli_usage_error(&c, "ttest reads one file, got %d", argc - optind);
  const char *path = optind < argc ? argv[optind] : "-";

  vagap_error_t err;
  int rc = CLI_EXIT_DATA;
  vagap_table_t *table = NULL;
  d.ledger = cli_ledger_alloc(&c);
  if (!d.ledger) goto done;
  /* only the columns the test reads: the tested ones converted on the parsing
     threads (not kept as text), the design's kept as text, the rest left out */
  const char *const numbers[2] = {a.x, a.y};
  const char *const texts[4] = {a.group, a.id, a.condition, a.by};
  if (vagap_table_read_columns(&table, path, &c.table, numbers, 2, texts, 4, d.ledger, &err) !=
      VAGAP_OK) {
    rc = cli_report_error(&err);
    goto done;
  }
  d.t = table;
  if (setup_columns(&c, &a, &d)) goto done;
  d.use = malloc(vagap_table_nrows(table) + 1);
  if (!d.use || account_rows(&d)) goto done;
  size_t nok = 0;
  rc = run_and_write(&c, &d, &a, &nok);
  if (rc == CLI_EXIT_OK) rc = cli_finish_ledger(&c, d.ledger);
  if (rc == CLI_EXIT_OK && nok == 0) {
    fputs("vagap ttest: no test could be computed\n", stderr);
    rc = CLI_EXIT_DATA;
  }
done:
  free(d.x);
  free(d.y);
  free(d.use);
  free(d.level_owned[0]);
  free(d.level_owned[1]);
  vagap_table_free(table);
  vagap_ledger_free(d.ledger);
  return rc;
}
