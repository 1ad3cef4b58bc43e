/*
 * vagap power: Monte Carlo power and precision of an analysis over a grid
 * of conditions, reproducible under any split of the replications
 * (doc/methods.md, "Monte Carlo power"; vagap/power.h).
 *
 * Every output row carries its condition's exact sums, so `--merge` of
 * partial runs (--replications FROM:TO) rebuilds exactly the table of one run.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "vagap/power.h"
#include "vagap/simulate.h"

static const char HELP[] =
    "Usage: vagap power --analysis paired-gap --dz D[,D...] --n N[,N...] [OPTIONS]\n"
    "       vagap power --merge FILE...\n"
    "Monte Carlo power, bias, RMSE, coverage and SE accuracy over a grid of conditions\n"
    "(simsem's summaryParam quantities); any split of the replications merges exactly.\n\n"
    "Options:\n"
    "      --analysis A       paired-gap: the paired t-test of self-report - behaviour\n"
    "                         differences drawn N(dz, 1); the estimate is d_z\n"
    "      --dz LIST          population d_z values (comma-separated)\n"
    "      --n LIST           numbers of units (pairs), each >= 2 (comma-separated)\n"
    "      --replications R   replications 1..R per condition (default 1000), or\n"
    "                         FROM:TO for a part of them (merge the parts with --merge)\n"
    "      --seed S           seed of the random streams, 0..2^64-1 (default 1)\n"
    "      --alpha A          significance level of the test (default 0.05)\n"
    "      --conf-level L     level of the estimate's CI and of power's Wilson CI (alias --conf)\n"
    "                         (default 0.95)\n"
    "      --threads N        worker threads (default: all cores); results do not depend on it\n"
    "      --merge            the files are partial outputs (CSV) of one study: write the\n"
    "                         table of the whole run\n\n"
    "Conditions are numbered 1, 2, ... over --dz (outer) and --n (inner); replication r\n"
    "of condition c uses a generator seeded from (seed, c, r) only.\n";

enum { OPT_ANALYSIS = 1, OPT_DZ, OPT_N, OPT_REPS, OPT_SEED, OPT_ALPHA, OPT_CONF, OPT_THREADS,
       OPT_MERGE };

typedef struct {
  double dz;
  size_t n;
} power_cond_t;

typedef struct {
  const char *analysis;
  uint64_t seed;
  double alpha, conf;
  size_t ncond;
  power_cond_t *cond;
  vagap_power_acc_t *acc; /* [ncond] */
} power_study_t;

typedef struct {
  const char *analysis, *dz, *n;
  uint64_t rep_from, rep_to, seed;
  double alpha, conf;
  long threads;
  int merge;
} power_args_t;

/* ---- option parsing ------------------------------------------------------------ */

static int parse_u64(const cli_common_t *c, const char *option, const char *s, const char *end,
                     uint64_t *out) {
  char *stop;
  errno = 0;
  if (s == end || *s == '-' || *s == '+') goto bad;
  unsigned long long v = strtoull(s, &stop, 10);
  if (errno || stop != end) goto bad;
  *out = (uint64_t)v;
  return 0;
bad:
  return cli_usage_error(c, "--%s: expected a whole number, found '%.*s'", option,
                         (int)(end - s), s), -1;
}

static int parse_replications(const cli_common_t *c, const char *arg, power_args_t *a) {
  const char *colon = strchr(arg, ':'), *end = arg + strlen(arg);
  if (!colon) {
    a->rep_from = 1;
    if (parse_u64(c, "replications", arg, end, &a->rep_to)) return -1;
  } else if (parse_u64(c, "replications", arg, colon, &a->rep_from) ||
             parse_u64(c, "replications", colon + 1, end, &a->rep_to)) {
    return -1;
  }
  if (a->rep_from < 1 || a->rep_to < a->rep_from)
    return cli_usage_error(c, "--replications: expected R >= 1 or FROM:TO with 1 <= FROM <= TO, "
                              "found '%s'", arg), -1;
  return 0;
}

static int parse_args(int argc, char **argv, cli_common_t *c, power_args_t *a) {
  static const struct option options[] = {
      {"analysis", required_argument, 0, OPT_ANALYSIS},
      {"dz", required_argument, 0, OPT_DZ},
      {"n", required_argument, 0, OPT_N},
      {"replications", required_argument, 0, OPT_REPS},
      {"seed", required_argument, 0, OPT_SEED},
      {"alpha", required_argument, 0, OPT_ALPHA},
      {"conf-level", required_argument, 0, OPT_CONF},
      {"conf", required_argument, 0, OPT_CONF}, /* the older spelling */
      {"threads", required_argument, 0, OPT_THREADS},
      {"merge", no_argument, 0, OPT_MERGE},
      CLI_COMMON_LONG_OPTIONS,
      {0, 0, 0, 0}};
  int opt;
  while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT_OPTIONS, options, NULL)) != -1) {
    int handled = cli_common_option(c, opt, optarg);
    if (handled < 0) return -1;
    if (handled) continue;
    switch (opt) {
    case OPT_ANALYSIS:
      if (strcmp(optarg, "paired-gap") != 0)
        return cli_usage_error(c, "--analysis: expected paired-gap, found '%s'", optarg), -1;
      a->analysis = optarg;
      break;
    case OPT_DZ: a->dz = optarg; break;
    case OPT_N: a->n = optarg; break;
    case OPT_REPS:
      if (parse_replications(c, optarg, a)) return -1;
      break;
    case OPT_SEED:
      if (parse_u64(c, "seed", optarg, optarg + strlen(optarg), &a->seed)) return -1;
      break;
    case OPT_ALPHA:
      if (cli_parse_double(c, "alpha", optarg, &a->alpha)) return -1;
      if (!(a->alpha > 0 && a->alpha < 1))
        return cli_usage_error(c, "--alpha: expected a level in (0, 1), found %s", optarg), -1;
      break;
    case OPT_CONF:
      if (cli_parse_double(c, "conf-level", optarg, &a->conf)) return -1;
      if (!(a->conf > 0 && a->conf < 1))
        return cli_usage_error(c, "--conf-level: expected a level in (0, 1), found %s", optarg), -1;
      break;
    case OPT_THREADS:
      if (cli_parse_long(c, "threads", optarg, &a->threads)) return -1;
      if (a->threads < 0 || a->threads > 1024)
        return cli_usage_error(c, "--threads: expected 0..1024"), -1;
      break;
    case OPT_MERGE: a->merge = 1; break;
    case CLI_OPT_HELP: printf("%s\n%s", HELP, CLI_COMMON_OPTIONS_HELP); return 1;
    default: return cli_usage_error(c, "unknown option or missing argument"), -1;
    }
  }
  return 0;
}

/* Split a comma list into numbers; an empty list or element is a usage error. */
static int parse_list(const cli_common_t *c, const char *option, const char *list, double **out,
                      size_t *n) {
  size_t cap = 1;
  for (const char *p = list; *p; p++) cap += *p == ',';
  *out = malloc(cap * sizeof **out);
  if (!*out) return cli_usage_error(c, "out of memory"), -1;
  *n = 0;
  const char *s = list;
  for (;;) {
    const char *e = strchr(s, ',');
    size_t len = e ? (size_t)(e - s) : strlen(s);
    char buf[64];
    if (len == 0 || len >= sizeof buf)
      return cli_usage_error(c, "--%s: expected comma-separated numbers, found '%s'", option,
                             list), -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (cli_parse_double(c, option, buf, &(*out)[(*n)++])) return -1;
    if (!e) break;
    s = e + 1;
  }
  return 0;
}

static int build_grid(const cli_common_t *c, const power_args_t *a, power_study_t *st) {
  if (!a->analysis) return cli_usage_error(c, "--analysis is required (paired-gap)"), -1;
  if (!a->dz || !a->n) return cli_usage_error(c, "--dz and --n are required"), -1;
  double *dz = NULL, *n = NULL;
  size_t ndz = 0, nn = 0;
  int rc = -1;
  if (parse_list(c, "dz", a->dz, &dz, &ndz) || parse_list(c, "n", a->n, &n, &nn)) goto done;
  for (size_t i = 0; i < ndz; i++)
    if (!isfinite(dz[i])) {
      cli_usage_error(c, "--dz: value %zu is not finite", i + 1);
      goto done;
    }
  for (size_t j = 0; j < nn; j++)
    if (!(n[j] >= 2 && n[j] <= 1e8 && n[j] == floor(n[j]))) {
      cli_usage_error(c, "--n: value %zu (%g) is not a whole number of units in 2..1e8", j + 1,
                      n[j]);
      goto done;
    }
  st->ncond = ndz * nn;
  st->cond = calloc(st->ncond, sizeof *st->cond);
  if (!st->cond) goto done;
  for (size_t i = 0; i < ndz; i++)
    for (size_t j = 0; j < nn; j++) st->cond[i * nn + j] = (power_cond_t){dz[i], (size_t)n[j]};
  rc = 0;
done:
  free(dz);
  free(n);
  return rc;
}

/* ---- running ----------------------------------------------------------------------- */

typedef struct {
  const power_study_t *st;
  size_t max_n;
} paired_ctx_t;

static void *paired_ws_alloc(void *ctx) {
  const paired_ctx_t *p = ctx;
  return malloc(p->max_n * sizeof(double));
}

static vagap_status_t paired_replicate(void *ctx, void *ws, size_t cond, uint64_t rep,
                                       gsl_rng *rng, double *out, vagap_error_t *err) {
  const paired_ctx_t *p = ctx;
  const power_cond_t *k = &p->st->cond[cond - 1];
  vagap_power_draw_t d;
  vagap_status_t s = vagap_power_paired_gap_draw(rng, k->dz, k->n, p->st->alpha, p->st->conf,
                                                 ws, &d, err);
  vagap_power_draw_pack(&d, out);
  return s;
}

static int run_study(const power_args_t *a, power_study_t *st) {
  paired_ctx_t ctx = {.st = st};
  for (size_t i = 0; i < st->ncond; i++)
    if (st->cond[i].n > ctx.max_n) ctx.max_n = st->cond[i].n;
  size_t nrep = (size_t)(a->rep_to - a->rep_from + 1);
  if (nrep > SIZE_MAX / VAGAP_POWER_DRAW_NOUT / st->ncond / sizeof(double)) {
    fputs("vagap power: too many replications for one run; split them with FROM:TO\n", stderr);
    return CLI_EXIT_USAGE;
  }
  double *out = malloc(st->ncond * nrep * VAGAP_POWER_DRAW_NOUT * sizeof *out);
  st->acc = calloc(st->ncond, sizeof *st->acc);
  if (!out || !st->acc) {
    free(out);
    fputs("vagap power: out of memory (split the replications with FROM:TO)\n", stderr);
    return CLI_EXIT_DATA;
  }
  vagap_sim_plan_t plan = {.ncond = st->ncond, .rep_from = a->rep_from, .rep_to = a->rep_to,
                           .nout = VAGAP_POWER_DRAW_NOUT, .seed = a->seed,
                           .threads = (unsigned)a->threads, .ctx = &ctx,
                           .ws_alloc = paired_ws_alloc, .ws_free = free,
                           .replicate = paired_replicate};
  vagap_error_t err;
  if (vagap_sim_run(&plan, out, &err) != VAGAP_OK) {
    free(out);
    return cli_report_error(&err);
  }
  for (size_t c = 0; c < st->ncond; c++) {
    vagap_power_acc_init(&st->acc[c], a->rep_from, a->rep_to);
    for (size_t r = 0; r < nrep; r++) {
      vagap_power_draw_t d;
      vagap_power_draw_unpack(out + (c * nrep + r) * VAGAP_POWER_DRAW_NOUT, &d);
      vagap_power_acc_add(&st->acc[c], &d, st->cond[c].dz);
    }
  }
  free(out);
  return CLI_EXIT_OK;
}

/* ---- output -------------------------------------------------------------------------- */

static const char *const COLUMNS[] = {
    "analysis", "condition", "dz", "n", "alpha", "conf.level", "seed", "rep.from", "rep.to",
    "replications", "converged", "power", "power.conf.low", "power.conf.high", "power.analytic",
    "estimate.average", "estimate.sd", "average.se", "average.param", "average.bias", "rmse",
    "coverage", "rel.bias", "std.bias", "rel.se.bias", "rejections", "covered", "sum.dev",
    "sum.dev2", "sum.se"};
enum { NCOLUMNS = sizeof COLUMNS / sizeof COLUMNS[0] };

/* Design values are written to round trip, whatever --digits says: --merge reads them back. */
static void put_exact(cli_writer_t *w, double x) {
  char buf[40];
  snprintf(buf, sizeof buf, "%.15g", x);
  if (strtod(buf, NULL) != x) snprintf(buf, sizeof buf, "%.17g", x);
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

static int write_study(const cli_common_t *c, const power_study_t *st) {
  cli_writer_t *w = cli_writer_open(c, COLUMNS, NCOLUMNS);
  if (!w) return CLI_EXIT_DATA;
  for (size_t i = 0; i < st->ncond; i++) {
    const power_cond_t *k = &st->cond[i];
    const vagap_power_acc_t *acc = &st->acc[i];
    vagap_power_summary_t s;
    vagap_error_t err;
    if (vagap_power_summarize(acc, k->dz, st->conf, &s, &err) != VAGAP_OK) {
      cli_writer_close(w);
      return cli_report_error(&err);
    }
    cli_put_str(w, st->analysis);
    cli_put_int(w, (long long)(i + 1));
    put_exact(w, k->dz);
    cli_put_int(w, (long long)k->n);
    put_exact(w, st->alpha);
    put_exact(w, st->conf);
    put_u64(w, st->seed);
    put_u64(w, acc->rep_from);
    put_u64(w, acc->rep_to);
    put_u64(w, acc->replications);
    put_u64(w, acc->converged);
    cli_put_num(w, s.power);
    cli_put_num(w, s.power_conf_low);
    cli_put_num(w, s.power_conf_high);
    cli_put_num(w, vagap_power_paired_analytic(k->dz, k->n, st->alpha));
    const double rest[] = {s.estimate_average, s.estimate_sd, s.average_se, s.average_param,
                           s.average_bias, s.rmse, s.coverage, s.rel_bias, s.std_bias,
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

/* ---- merge ----------------------------------------------------------------------------- */

typedef struct {
  const vagap_table_t *t;
  size_t row;
  size_t col[NCOLUMNS];
} merge_row_t;

static const char *cell(const merge_row_t *m, const char *name) {
  for (size_t j = 0; j < NCOLUMNS; j++)
    if (strcmp(COLUMNS[j], name) == 0) return vagap_table_cell(m->t, m->row, m->col[j], NULL);
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

static int cell_double(const merge_row_t *m, const char *name, double *out) {
  const char *s = cell(m, name);
  char *end;
  *out = strtod(s, &end);
  if (*s == '\0' || *end || !isfinite(*out)) return row_error(m, "%s: expected a number", name);
  return 0;
}

/* Read one partial-output row into its condition, checking that it belongs to the same study. */
typedef struct {
  size_t cond;
  vagap_power_acc_t acc;
} merge_part_t;

static int merge_row(const merge_row_t *m, power_study_t *st, merge_part_t **parts,
                     size_t *nparts, size_t *cap) {
  uint64_t cond, n, seed;
  double dz, alpha, conf;
  vagap_power_acc_t acc;
  memset(&acc, 0, sizeof acc);
  if (strcmp(cell(m, "analysis"), "paired-gap") != 0)
    return row_error(m, "analysis: expected paired-gap, found '%s'", cell(m, "analysis"));
  if (cell_u64(m, "condition", &cond) || cell_u64(m, "n", &n) || cell_u64(m, "seed", &seed) ||
      cell_double(m, "dz", &dz) || cell_double(m, "alpha", &alpha) ||
      cell_double(m, "conf.level", &conf) || cell_u64(m, "rep.from", &acc.rep_from) ||
      cell_u64(m, "rep.to", &acc.rep_to) || cell_u64(m, "replications", &acc.replications) ||
      cell_u64(m, "converged", &acc.converged) || cell_u64(m, "rejections", &acc.rejections) ||
      cell_u64(m, "covered", &acc.covered))
    return CLI_EXIT_DATA;
  const char *sums[] = {"sum.dev", "sum.dev2", "sum.se"};
  vagap_xsum_t *dst[] = {&acc.sum_dev, &acc.sum_dev2, &acc.sum_se};
  for (size_t j = 0; j < 3; j++) {
    vagap_error_t err;
    if (vagap_xsum_parse(dst[j], cell(m, sums[j]), &err) != VAGAP_OK)
      return row_error(m, "%s", err.message);
  }
  if (cond < 1 || cond > 1000000 || acc.rep_from < 1 || acc.rep_to < acc.rep_from ||
      acc.replications != acc.rep_to - acc.rep_from + 1 || acc.converged > acc.replications ||
      acc.rejections > acc.converged || acc.covered > acc.converged || n < 2)
    return row_error(m, "%s", "inconsistent counts (condition, rep.from/to, replications, ...)");
  if (st->ncond == 0 && *nparts == 0) {
    st->seed = seed;
    st->alpha = alpha;
    st->conf = conf;
  } else if (seed != st->seed || alpha != st->alpha || conf != st->conf) {
    return row_error(m, "%s", "seed, alpha or conf.level differ from the first row: not one study");
  }
  if (cond > st->ncond) {
    power_cond_t *nc = realloc(st->cond, cond * sizeof *nc);
    if (!nc) return row_error(m, "%s", "out of memory");
    for (size_t i = st->ncond; i < cond; i++) nc[i] = (power_cond_t){NAN, 0};
    st->cond = nc;
    st->ncond = cond;
  }
  power_cond_t *k = &st->cond[cond - 1];
  if (k->n == 0) {
    *k = (power_cond_t){dz, (size_t)n};
  } else if (k->dz != dz || k->n != n) {
    return row_error(m, "%s", "dz or n differ from an earlier row of the same condition");
  }
  if (*nparts == *cap) {
    size_t nc = *cap ? 2 * *cap : 16;
    merge_part_t *np = realloc(*parts, nc * sizeof *np);
    if (!np) return row_error(m, "%s", "out of memory");
    *parts = np;
    *cap = nc;
  }
  (*parts)[(*nparts)++] = (merge_part_t){(size_t)cond, acc};
  return 0;
}

static int by_condition_then_from(const void *x, const void *y) {
  const merge_part_t *a = x, *b = y;
  if (a->cond != b->cond) return a->cond < b->cond ? -1 : 1;
  return a->acc.rep_from < b->acc.rep_from ? -1 : a->acc.rep_from > b->acc.rep_from;
}

static int combine_parts(power_study_t *st, merge_part_t *parts, size_t nparts) {
  qsort(parts, nparts, sizeof *parts, by_condition_then_from);
  st->acc = calloc(st->ncond ? st->ncond : 1, sizeof *st->acc);
  if (!st->acc) return fputs("vagap power: out of memory\n", stderr), CLI_EXIT_DATA;
  size_t i = 0;
  for (size_t c = 1; c <= st->ncond; c++) {
    if (i >= nparts || parts[i].cond != c) {
      fprintf(stderr, "vagap power: --merge: no row for condition %zu\n", c);
      return CLI_EXIT_DATA;
    }
    st->acc[c - 1] = parts[i++].acc;
    for (; i < nparts && parts[i].cond == c; i++) {
      vagap_error_t err;
      if (vagap_power_acc_merge(&st->acc[c - 1], &parts[i].acc, &err) != VAGAP_OK) {
        fprintf(stderr, "vagap power: --merge: condition %zu: %s\n", c, err.message);
        return CLI_EXIT_DATA;
      }
    }
  }
  return CLI_EXIT_OK;
}

static int merge_files(cli_common_t *c, int argc, char **argv, power_study_t *st) {
  if (optind >= argc) return cli_usage_error(c, "--merge needs the partial output files");
  vagap_ledger_t *ledger = vagap_ledger_alloc();
  merge_part_t *parts = NULL;
  size_t nparts = 0, cap = 0;
  int rc = ledger ? CLI_EXIT_OK : CLI_EXIT_DATA;
  for (int f = optind; f < argc && rc == CLI_EXIT_OK; f++) {
    vagap_table_t *t = NULL;
    vagap_error_t err;
    if (vagap_table_read(&t, argv[f], &c->table, ledger, &err) != VAGAP_OK) {
      rc = cli_report_error(&err);
      break;
    }
    merge_row_t m = {.t = t};
    for (size_t j = 0; j < NCOLUMNS && rc == CLI_EXIT_OK; j++)
      if (vagap_table_column(t, COLUMNS[j], &m.col[j], &err) != VAGAP_OK) rc = cli_report_error(&err);
    for (size_t i = 0; i < vagap_table_nrows(t) && rc == CLI_EXIT_OK; i++) {
      m.row = i;
      rc = merge_row(&m, st, &parts, &nparts, &cap);
    }
    vagap_table_free(t);
  }
  if (rc == CLI_EXIT_OK && nparts == 0) {
    fputs("vagap power: --merge: the files hold no rows\n", stderr);
    rc = CLI_EXIT_DATA;
  }
  st->analysis = "paired-gap";
  if (rc == CLI_EXIT_OK) rc = combine_parts(st, parts, nparts);
  if (rc == CLI_EXIT_OK) rc = write_study(c, st);
  if (rc == CLI_EXIT_OK) rc = cli_finish_ledger(c, ledger);
  free(parts);
  vagap_ledger_free(ledger);
  return rc;
}

int cmd_power(int argc, char **argv) {
  cli_common_t c;
  cli_common_init(&c, "power");
  power_args_t a = {.rep_from = 1, .rep_to = 1000, .seed = 1, .alpha = 0.05, .conf = 0.95};
  int p = parse_args(argc, argv, &c, &a);
  if (p) return p < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
  power_study_t st = {0};
  int rc;
  if (a.merge) {
    if (a.analysis || a.dz || a.n)
      return cli_usage_error(&c, "--merge takes the design from the files, not from options");
    rc = merge_files(&c, argc, argv, &st);
  } else {
    if (optind < argc) return cli_usage_error(&c, "unexpected argument '%s'", argv[optind]);
    if (build_grid(&c, &a, &st)) return CLI_EXIT_USAGE;
    st.analysis = a.analysis;
    st.seed = a.seed;
    st.alpha = a.alpha;
    st.conf = a.conf;
    rc = run_study(&a, &st);
    if (rc == CLI_EXIT_OK) rc = write_study(&c, &st);
  }
  free(st.cond);
  free(st.acc);
  return rc;
}
