/*
 * power_table.c - the analyses of `vagap power`, their output columns, the
 * writer of the study table and --merge of partial tables (power_cli.h).
 *
 * Every row carries its condition's counts and exact sums, so `--merge` of
 * partial runs (--replications FROM:TO) rebuilds exactly the table of one run.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "power_cli.h"

const power_analysis_t POWER_ANALYSES[] = {
    {"paired-gap", {"dz", "n"}, 2, 0, 1},
    {"correlation", {"rho", "n"}, 2, 0, 1},
    {"sem-param", {"model", "fit.model", "param", "group", "n"}, 5, 1, 1},
    {"invariance", {"model", "fit.model", "test", "n"}, 4, 1, 0},
    {"vaar", {"model", "fit.model", "expect", "group", "n"}, 5, 1, 0},
    {"f1-diff", {"p.a", "p.b", "stated.agree", "values", "n"}, 5, 0, 1},
};
const size_t POWER_NANALYSES = sizeof POWER_ANALYSES / sizeof POWER_ANALYSES[0];

const power_analysis_t *power_analysis_find(const char *name) {
  for (size_t i = 0; i < POWER_NANALYSES; i++)
    if (strcmp(POWER_ANALYSES[i].name, name) == 0) return &POWER_ANALYSES[i];
  return NULL;
}

double power_analytic(const power_analysis_t *an, const char *const *design, double alpha) {
  int cor = strcmp(an->name, "correlation") == 0;
  if (!cor && strcmp(an->name, "paired-gap") != 0) return NAN;
  double effect = strtod(design[0], NULL), n = strtod(design[1], NULL);
  if (!(n >= 2 && n <= 1e8)) return NAN;
  return cor ? vagap_power_correlation_approx(effect, (size_t)n, alpha)
             : vagap_power_paired_analytic(effect, (size_t)n, alpha);
}

void power_study_free(power_study_t *st) {
  for (size_t i = 0; i < st->ncond; i++)
    for (size_t j = 0; j < POWER_MAX_DESIGN; j++) free(st->cond[i].design[j]);
  free(st->cond);
  free(st->acc);
  st->cond = NULL;
  st->acc = NULL;
  st->ncond = 0;
}

/* ---- columns ------------------------------------------------------------------ */

static const char *const SUMMARY_COLUMNS[] = {
    "alpha", "conf.level", "seed", "rep.from", "rep.to", "replications", "converged",
    "admissible", "power", "power.conf.low", "power.conf.high", "power.analytic",
    "estimate.average", "estimate.sd", "average.se", "average.param", "average.bias", "rmse",
    "coverage", "rel.bias", "std.bias", "rel.se.bias", "rejections", "covered", "sum.dev",
    "sum.dev2", "sum.se"};
enum { NSUMMARY = sizeof SUMMARY_COLUMNS / sizeof SUMMARY_COLUMNS[0],
       MAX_COLUMNS = 2 + POWER_MAX_DESIGN + NSUMMARY };

const char *const *power_columns(const power_analysis_t *an, size_t *n) {
  /* one static array per analysis: built once, read-only afterwards */
  static const char *cols[sizeof POWER_ANALYSES / sizeof POWER_ANALYSES[0]][MAX_COLUMNS];
  size_t a = (size_t)(an - POWER_ANALYSES), k = 0;
  cols[a][k++] = "analysis";
  cols[a][k++] = "condition";
  for (size_t j = 0; j < an->ndesign; j++) cols[a][k++] = an->design[j];
  for (size_t j = 0; j < NSUMMARY; j++) cols[a][k++] = SUMMARY_COLUMNS[j];
  *n = k;
  return cols[a];
}

/* ---- writing ------------------------------------------------------------------- */

void power_format_exact(double x, char buf[40]) {
  snprintf(buf, 40, "%.15g", x);
  if (strtod(buf, NULL) != x) snprintf(buf, 40, "%.17g", x);
}

void power_put_exact(cli_writer_t *w, double x) {
  if (!isfinite(x)) {
    cli_put_na(w);
    return;
  }
  char buf[40];
  power_format_exact(x, buf);
  cli_put_str(w, buf);
}

static void put_u64(cli_writer_t *w, uint64_t x) {
  char buf[24];
  snprintf(buf, sizeof buf, "%" PRIu64, x);
  cli_put_str(w, buf);
}

static void put_xsum(cli_writer_t *w, const vagap_xsum_t *s) {
  char buf[VAGAP_XSUM_TEXT_MAX];
  vagap_xsum_format(s, buf, sizeof buf);
  cli_put_str(w, buf);
}

int power_write_study(const cli_common_t *c, const power_study_t *st) {
  size_t ncol;
  const char *const *cols = power_columns(st->analysis, &ncol);
  cli_writer_t *w = cli_writer_open(c, cols, ncol);
  if (!w) return CLI_EXIT_DATA;
  for (size_t i = 0; i < st->ncond; i++) {
    const power_cond_t *k = &st->cond[i];
    const vagap_power_acc_t *acc = &st->acc[i];
    vagap_power_summary_t s;
    vagap_error_t err;
    if (vagap_power_summarize(acc, k->truth, st->conf, &s, &err) != VAGAP_OK) {
      cli_writer_close(w);
      return cli_report_error(&err);
    }
    cli_put_str(w, st->analysis->name);
    cli_put_int(w, (long long)(i + 1));
    for (size_t j = 0; j < st->analysis->ndesign; j++) cli_put_str(w, k->design[j]);
    power_put_exact(w, st->alpha);
    power_put_exact(w, st->conf);
    put_u64(w, st->seed);
    put_u64(w, acc->rep_from);
    put_u64(w, acc->rep_to);
    put_u64(w, acc->replications);
    put_u64(w, acc->converged);
    put_u64(w, acc->admissible);
    cli_put_num(w, s.power);
    cli_put_num(w, s.power_conf_low);
    cli_put_num(w, s.power_conf_high);
    cli_put_num(w, k->analytic);
    cli_put_num(w, s.estimate_average);
    cli_put_num(w, s.estimate_sd);
    cli_put_num(w, s.average_se);
    power_put_exact(w, k->truth);
    if (!st->analysis->has_ci) s.coverage = NAN;
    const double rest[] = {s.average_bias, s.rmse, s.coverage, s.rel_bias, s.std_bias,
                           s.rel_se_bias};
    for (size_t j = 0; j < sizeof rest / sizeof rest[0]; j++) cli_put_num(w, rest[j]);
    put_u64(w, acc->rejections);
    put_u64(w, acc->covered);
    put_xsum(w, &acc->sum_dev);
    put_xsum(w, &acc->sum_dev2);
    put_xsum(w, &acc->sum_se);
  }
  return cli_writer_close(w);
}

/* ---- merge ----------------------------------------------------------------------- */

typedef struct {
  const vagap_table_t *t;
  size_t row;
  const char *const *cols;
  size_t ncol;
  size_t col[MAX_COLUMNS];
} merge_row_t;

static const char *cell(const merge_row_t *m, const char *name) {
  for (size_t j = 0; j < m->ncol; j++)
    if (strcmp(m->cols[j], name) == 0) return vagap_table_cell(m->t, m->row, m->col[j], NULL);
  return "";
}

static int row_error(const merge_row_t *m, const char *fmt, const char *what) {
  fprintf(stderr, "vagap power: %s:%ld: ", vagap_table_source(m->t), vagap_table_line(m->t, m->row));
  fprintf(stderr, fmt, what);
  fputc('\n', stderr);
  return CLI_EXIT_DATA;
}

static int cell_u64(const merge_row_t *m, const char *name, uint64_t *out) {
  const char *s = cell(m, name);
  char *end;
  errno = 0;
  if (*s == '-' || *s == '\0') return row_error(m, "%s: expected a whole number", name);
  *out = (uint64_t)strtoull(s, &end, 10);
  if (errno || *end) return row_error(m, "%s: expected a whole number", name);
  return 0;
}

/* A number; NA (or an empty cell) is NAN when na_ok. */
static int cell_double(const merge_row_t *m, const char *name, int na_ok, double *out) {
  const char *s = cell(m, name);
  if (na_ok && (strcmp(s, "NA") == 0 || *s == '\0')) {
    *out = NAN;
    return 0;
  }
  char *end;
  *out = strtod(s, &end);
  if (*s == '\0' || *end || !isfinite(*out)) return row_error(m, "%s: expected a number", name);
  return 0;
}

typedef struct {
  size_t cond;
  vagap_power_acc_t acc;
} merge_part_t;

typedef struct {
  merge_part_t *v;
  size_t n, cap;
} merge_parts_t;

static int read_counts(const merge_row_t *m, vagap_power_acc_t *acc) {
  memset(acc, 0, sizeof *acc);
  if (cell_u64(m, "rep.from", &acc->rep_from) || cell_u64(m, "rep.to", &acc->rep_to) ||
      cell_u64(m, "replications", &acc->replications) ||
      cell_u64(m, "converged", &acc->converged) || cell_u64(m, "admissible", &acc->admissible) ||
      cell_u64(m, "rejections", &acc->rejections) || cell_u64(m, "covered", &acc->covered))
    return CLI_EXIT_DATA;
  const char *sums[] = {"sum.dev", "sum.dev2", "sum.se"};
  vagap_xsum_t *dst[] = {&acc->sum_dev, &acc->sum_dev2, &acc->sum_se};
  for (size_t j = 0; j < 3; j++) {
    vagap_error_t err;
    if (vagap_xsum_parse(dst[j], cell(m, sums[j]), &err) != VAGAP_OK)
      return row_error(m, "%s", err.message);
  }
  if (acc->rep_from < 1 || acc->rep_to < acc->rep_from ||
      acc->replications != acc->rep_to - acc->rep_from + 1 ||
      acc->converged > acc->replications || acc->admissible > acc->converged ||
      acc->rejections > acc->converged || acc->covered > acc->converged)
    return row_error(m, "%s", "inconsistent counts (rep.from/to, replications, converged, ...)");
  return 0;
}

/* The condition's design, population value and analytic power, checked against earlier rows. */
static int read_condition(const merge_row_t *m, power_study_t *st, size_t cond) {
  double truth;
  if (cell_double(m, "average.param", 1, &truth)) return CLI_EXIT_DATA;
  if (cond > st->ncond) {
    power_cond_t *nc = realloc(st->cond, cond * sizeof *nc);
    if (!nc) return row_error(m, "%s", "out of memory");
    memset(nc + st->ncond, 0, (cond - st->ncond) * sizeof *nc);
    st->cond = nc;
    st->ncond = cond;
  }
  power_cond_t *k = &st->cond[cond - 1];
  const power_analysis_t *an = st->analysis;
  if (!k->design[0]) {
    for (size_t j = 0; j < an->ndesign; j++)
      if (!(k->design[j] = strdup(cell(m, an->design[j]))))
        return row_error(m, "%s", "out of memory");
    k->truth = truth;
    k->analytic = power_analytic(an, (const char *const *)k->design, st->alpha);
    return 0;
  }
  for (size_t j = 0; j < an->ndesign; j++)
    if (strcmp(k->design[j], cell(m, an->design[j])) != 0)
      return row_error(m, "%s differs from an earlier row of the same condition", an->design[j]);
  if (memcmp(&truth, &k->truth, sizeof truth) != 0 && !(isnan(truth) && isnan(k->truth)))
    return row_error(m, "%s", "average.param differs from an earlier row of the same condition");
  return 0;
}

static int merge_row(const merge_row_t *m, power_study_t *st, merge_parts_t *parts) {
  uint64_t cond, seed;
  double alpha, conf;
  vagap_power_acc_t acc;
  if (strcmp(cell(m, "analysis"), st->analysis->name) != 0)
    return row_error(m, "analysis: expected the first row's analysis, found '%s'",
                     cell(m, "analysis"));
  if (cell_u64(m, "condition", &cond) || cell_u64(m, "seed", &seed) ||
      cell_double(m, "alpha", 0, &alpha) || cell_double(m, "conf.level", 0, &conf) ||
      read_counts(m, &acc))
    return CLI_EXIT_DATA;
  if (cond < 1 || cond > 1000000) return row_error(m, "%s", "condition: expected 1..1000000");
  if (parts->n == 0) {
    st->seed = seed;
    st->alpha = alpha;
    st->conf = conf;
  } else if (seed != st->seed || alpha != st->alpha || conf != st->conf) {
    return row_error(m, "%s", "seed, alpha or conf.level differ from the first row: not one study");
  }
  if (read_condition(m, st, (size_t)cond)) return CLI_EXIT_DATA;
  if (parts->n == parts->cap) {
    size_t nc = parts->cap ? 2 * parts->cap : 16;
    merge_part_t *np = realloc(parts->v, nc * sizeof *np);
    if (!np) return row_error(m, "%s", "out of memory");
    parts->v = np;
    parts->cap = nc;
  }
  parts->v[parts->n++] = (merge_part_t){(size_t)cond, acc};
  return 0;
}

static int by_condition_then_from(const void *x, const void *y) {
  const merge_part_t *a = x, *b = y;
  if (a->cond != b->cond) return a->cond < b->cond ? -1 : 1;
  return a->acc.rep_from < b->acc.rep_from ? -1 : a->acc.rep_from > b->acc.rep_from;
}

static int combine_parts(power_study_t *st, merge_parts_t *parts) {
  qsort(parts->v, parts->n, sizeof *parts->v, by_condition_then_from);
  st->acc = calloc(st->ncond ? st->ncond : 1, sizeof *st->acc);
  if (!st->acc) return fputs("vagap power: out of memory\n", stderr), CLI_EXIT_DATA;
  size_t i = 0;
  for (size_t c = 1; c <= st->ncond; c++) {
    if (i >= parts->n || parts->v[i].cond != c) {
      fprintf(stderr, "vagap power: --merge: no row for condition %zu\n", c);
      return CLI_EXIT_DATA;
    }
    st->acc[c - 1] = parts->v[i++].acc;
    for (; i < parts->n && parts->v[i].cond == c; i++) {
      vagap_error_t err;
      if (vagap_power_acc_merge(&st->acc[c - 1], &parts->v[i].acc, &err) != VAGAP_OK) {
        fprintf(stderr, "vagap power: --merge: condition %zu: %s\n", c, err.message);
        return CLI_EXIT_DATA;
      }
    }
  }
  return CLI_EXIT_OK;
}

/* The analysis of a partial table: its first row's; the table must have its columns. */
static int bind_columns(vagap_table_t *t, power_study_t *st, merge_row_t *m) {
  vagap_error_t err;
  size_t acol;
  if (vagap_table_column(t, "analysis", &acol, &err) != VAGAP_OK) return cli_report_error(&err);
  if (!st->analysis) {
    const char *name = vagap_table_nrows(t) ? vagap_table_cell(t, 0, acol, NULL) : "";
    if (!(st->analysis = power_analysis_find(name))) {
      fprintf(stderr, "vagap power: %s:%ld: analysis: unknown analysis '%s'\n",
              vagap_table_source(t), vagap_table_line(t, 0), name);
      return CLI_EXIT_DATA;
    }
  }
  m->t = t;
  m->cols = power_columns(st->analysis, &m->ncol);
  for (size_t j = 0; j < m->ncol; j++)
    if (vagap_table_column(t, m->cols[j], &m->col[j], &err) != VAGAP_OK)
      return cli_report_error(&err);
  return CLI_EXIT_OK;
}

int power_merge_files(cli_common_t *c, int argc, char **argv, power_study_t *st) {
  if (optind >= argc) return cli_usage_error(c, "--merge needs the partial output files");
  vagap_ledger_t *ledger = vagap_ledger_alloc();
  merge_parts_t parts = {0};
  int rc = ledger ? CLI_EXIT_OK : CLI_EXIT_DATA;
  for (int f = optind; f < argc && rc == CLI_EXIT_OK; f++) {
    vagap_table_t *t = NULL;
    vagap_error_t err;
    if (vagap_table_read(&t, argv[f], &c->table, ledger, &err) != VAGAP_OK) {
      rc = cli_report_error(&err);
      break;
    }
    merge_row_t m;
    rc = vagap_table_nrows(t) ? bind_columns(t, st, &m) : CLI_EXIT_OK;
    for (size_t i = 0; i < vagap_table_nrows(t) && rc == CLI_EXIT_OK; i++) {
      m.row = i;
      rc = merge_row(&m, st, &parts);
    }
    vagap_table_free(t);
  }
  if (rc == CLI_EXIT_OK && parts.n == 0) {
    fputs("vagap power: --merge: the files hold no rows\n", stderr);
    rc = CLI_EXIT_DATA;
  }
  if (rc == CLI_EXIT_OK) rc = combine_parts(st, &parts);
  if (rc == CLI_EXIT_OK) rc = power_write_study(c, st);
  if (rc == CLI_EXIT_OK) rc = cli_finish_ledger(c, ledger);
  free(parts.v);
  vagap_ledger_free(ledger);
  return rc;
}
