/*
 * vagap simulate: multivariate normal data from a population SEM in lavaan
 * syntax, with lavaan simulateData()'s conventions for population values
 * (vagap/simulate.h, doc/methods.md "Simulation"), written as a CSV file
 * that `vagap sem` reads (a `group` column when there are several groups).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "semcli_data.h"
#include "vagap/simulate.h"

static const char HELP[] =
    "Usage: vagap simulate --model FILE --n N[,N...] [OPTIONS]\n"
    "Multivariate normal data from a population model in lavaan syntax, as lavaan's\n"
    "simulateData(): fixed values (0.7*x1, c(0.5, 0.6)*x1) are the population values;\n"
    "loadings and variances without a value are 1, everything else 0; latent variances\n"
    "are 1 (std.lv) unless given.\n\n"
    "Options:\n"
    "      --model FILE       the population model (lavaan syntax)\n"
    "      --n LIST           observations per group (lavaan sample.nobs); several values\n"
    "                         make a multi-group model (c() modifiers per group) and a\n"
    "                         'group' column 1, 2, ...\n"
    "      --seed S           seed, 0..2^64-1 (default 1); group g draws from the stream\n"
    "                         (S, g, 1) of `vagap power`\n"
    "      --missing-rate P   each value is missing (NA) independently with\n"
    "                         probability P in [0, 1) (MCAR; default 0)\n";

enum { OPT_MODEL = 1, OPT_N, OPT_SEED, OPT_MISSING_RATE };

typedef struct {
  const char *model, *n;
  uint64_t seed;
  double missing_rate;
} sim_args_t;

static int parse_seed(const cli_common_t *c, const char *s, uint64_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (*s == '\0' || *s == '-' || *s == '+' || *end || errno)
    return cli_usage_error(c, "--seed: expected a whole number 0..2^64-1, found '%s'", s), -1;
  *out = (uint64_t)v;
  return 0;
}

static int parse_args(int argc, char **argv, cli_common_t *c, sim_args_t *a) {
  static const struct option options[] = {
      {"model", required_argument, 0, OPT_MODEL},
      {"n", required_argument, 0, OPT_N},
      {"seed", required_argument, 0, OPT_SEED},
      {"missing-rate", required_argument, 0, OPT_MISSING_RATE},
      CLI_COMMON_LONG_OPTIONS,
      {0, 0, 0, 0}};
  int opt;
  while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT_OPTIONS, options, NULL)) != -1) {
    int handled = cli_common_option(c, opt, optarg);
    if (handled < 0) return -1;
    if (handled) continue;
    switch (opt) {
    case OPT_MODEL: a->model = optarg; break;
    case OPT_N: a->n = optarg; break;
    case OPT_SEED:
      if (parse_seed(c, optarg, &a->seed)) return -1;
      break;
    case OPT_MISSING_RATE:
      if (cli_parse_double(c, "missing-rate", optarg, &a->missing_rate)) return -1;
      if (!(a->missing_rate >= 0 && a->missing_rate < 1))
        return cli_usage_error(c, "--missing-rate: expected a rate in [0, 1), found %s", optarg), -1;
      break;
    case CLI_OPT_HELP: printf("%s\n%s", HELP, CLI_COMMON_OPTIONS_HELP); return 1;
    default: return cli_usage_error(c, "unknown option or missing argument"), -1;
    }
  }
  if (optind < argc) return cli_usage_error(c, "unexpected argument '%s'", argv[optind]), -1;
  if (!a->model) return cli_usage_error(c, "--model FILE is required"), -1;
  if (!a->n) return cli_usage_error(c, "--n is required (observations per group)"), -1;
  return 0;
}

/* --n as a list of per-group sizes, each >= 1. */
static int parse_sizes(const cli_common_t *c, const char *list, size_t **n, size_t *ngroups) {
  size_t cap = 1;
  for (const char *p = list; *p; p++) cap += *p == ',';
  *n = malloc(cap * sizeof **n);
  if (!*n) return cli_usage_error(c, "out of memory"), -1;
  *ngroups = 0;
  for (const char *s = list;;) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || (*end != ',' && *end != '\0') || errno || v < 1 || v > 100000000)
      return cli_usage_error(c, "--n: value %zu of '%s' is not a number of observations in "
                                "1..1e8 (a group with no rows cannot be simulated)",
                             *ngroups + 1, list), -1;
    (*n)[(*ngroups)++] = (size_t)v;
    if (*end == '\0') break;
    s = end + 1;
  }
  return 0;
}

typedef struct {
  vagap_sem_model_t *model;
  size_t ngroups, *n;
  double *mu, *sigma, *chol; /* per group */
} sim_pop_t;

static void pop_free(sim_pop_t *p) {
  vagap_sem_model_free(p->model);
  free(p->n);
  free(p->mu);
  free(p->sigma);
  free(p->chol);
}

/* Model file -> per-group population moments and their Cholesky factors. */
static int build_population(const cli_common_t *c, const sim_args_t *a, sim_pop_t *p) {
  vagap_error_t err;
  char *text = NULL;
  vagap_sem_syntax_t *syn = NULL;
  vagap_sem_model_options_t mopt;
  vagap_sem_model_options_init(&mopt);
  mopt.std_lv = 1;  /* simulateData's defaults */
  mopt.fixed_x = 0;
  int rc = CLI_EXIT_DATA;
  if (semcli_read_text(a->model, &text, &err) || vagap_sem_syntax_parse(&syn, text, a->model, &err) ||
      vagap_sem_model_build(&p->model, syn, p->ngroups, &mopt, a->model, &err)) {
    rc = cli_report_error(&err);
    goto done;
  }
  size_t v = p->model->nov;
  p->mu = malloc(p->ngroups * v * sizeof *p->mu);
  p->sigma = malloc(p->ngroups * v * v * sizeof *p->sigma);
  p->chol = malloc(p->ngroups * v * v * sizeof *p->chol);
  if (!p->mu || !p->sigma || !p->chol) {
    fputs("vagap simulate: out of memory\n", stderr);
    goto done;
  }
  size_t nzero = 0;
  for (size_t g = 0; g < p->ngroups; g++) {
    if (vagap_sim_sem_moments(p->model, g, p->mu + g * v, p->sigma + g * v * v, &nzero, &err) ||
        vagap_sim_cholesky(p->sigma + g * v * v, v, p->chol + g * v * v, &err)) {
      fprintf(stderr, "vagap: %s: group %zu: %s\n", a->model, g + 1, err.message);
      goto done;
    }
    if (nzero && g == 0)
      cli_warn(c, "%zu regression coefficient(s) have no value in %s and are set to zero "
                  "(as lavaan's simulateData)", nzero, a->model);
  }
  rc = CLI_EXIT_OK;
done:
  vagap_sem_syntax_free(syn);
  free(text);
  return rc;
}

static int write_data(const cli_common_t *c, const sim_args_t *a, const sim_pop_t *p) {
  size_t v = p->model->nov, ncol = v + (p->ngroups > 1);
  const char **cols = malloc(ncol * sizeof *cols);
  size_t maxn = 0;
  for (size_t g = 0; g < p->ngroups; g++) maxn = p->n[g] > maxn ? p->n[g] : maxn;
  double *x = malloc(maxn * v * sizeof *x);
  gsl_rng *rng = gsl_rng_alloc(vagap_sim_rng_type());
  cli_writer_t *w = NULL;
  int rc = CLI_EXIT_DATA;
  if (!cols || !x || !rng) {
    fputs("vagap simulate: out of memory\n", stderr);
    goto done;
  }
  if (p->ngroups > 1) cols[0] = "group";
  for (size_t j = 0; j < v; j++) cols[j + (p->ngroups > 1)] = p->model->ov[j];
  if (!(w = cli_writer_open(c, cols, ncol))) goto done;
  for (size_t g = 0; g < p->ngroups; g++) {
    vagap_sim_rng_seed(rng, a->seed, g + 1, 1);
    vagap_sim_mvnorm(rng, p->n[g], v, p->mu + g * v, p->chol + g * v * v, x);
    /* MCAR after the values, from the same stream, one uniform per cell in row order */
    if (a->missing_rate > 0)
      for (size_t i = 0; i < p->n[g] * v; i++)
        if (gsl_rng_uniform(rng) < a->missing_rate) x[i] = NAN;
    for (size_t i = 0; i < p->n[g]; i++) {
      if (p->ngroups > 1) cli_put_int(w, (long long)(g + 1));
      for (size_t j = 0; j < v; j++) cli_put_num(w, x[i * v + j]);
    }
  }
  rc = cli_writer_close(w);
done:
  free(cols);
  free(x);
  gsl_rng_free(rng);
  return rc;
}

int cmd_simulate(int argc, char **argv) {
  cli_common_t c;
  cli_common_init(&c, "simulate");
  sim_args_t a = {.seed = 1};
  int p = parse_args(argc, argv, &c, &a);
  if (p) return p < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
  sim_pop_t pop = {0};
  if (parse_sizes(&c, a.n, &pop.n, &pop.ngroups)) {
    pop_free(&pop);
    return CLI_EXIT_USAGE;
  }
  int rc = build_population(&c, &a, &pop);
  if (rc == CLI_EXIT_OK) rc = write_data(&c, &a, &pop);
  pop_free(&pop);
  return rc;
}
