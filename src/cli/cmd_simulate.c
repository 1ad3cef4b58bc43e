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
#include "simcli.h"
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
      if (simcli_parse_seed(c, optarg, &a->seed)) return -1;
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

typedef struct {
  simcli_pop_t pop;
  size_t *n; /* [pop.ngroups] */
} sim_pop_t;

static int write_data(const cli_common_t *c, const sim_args_t *a, const sim_pop_t *p) {
  size_t v = p->pop.nvar, ng = p->pop.ngroups, ncol = v + (ng > 1);
  const char **cols = malloc(ncol * sizeof *cols);
  size_t maxn = 0;
  for (size_t g = 0; g < ng; g++) maxn = p->n[g] > maxn ? p->n[g] : maxn;
  double *x = malloc(maxn * v * sizeof *x);
  gsl_rng *rng = gsl_rng_alloc(vagap_sim_rng_type());
  cli_writer_t *w = NULL;
  int rc = CLI_EXIT_DATA;
  if (!cols || !x || !rng) {
    fputs("vagap simulate: out of memory\n", stderr);
    goto done;
  }
  if (ng > 1) cols[0] = "group";
  for (size_t j = 0; j < v; j++) cols[j + (ng > 1)] = p->pop.model->ov[j];
  if (!(w = cli_writer_open(c, cols, ncol))) goto done;
  for (size_t g = 0; g < ng; g++) {
    vagap_sim_rng_seed(rng, a->seed, g + 1, 1);
    vagap_sim_mvnorm(rng, p->n[g], v, p->pop.mu + g * v, p->pop.chol + g * v * v, x);
    /* MCAR after the values, from the same stream, one uniform per cell in row order */
    if (a->missing_rate > 0)
      for (size_t i = 0; i < p->n[g] * v; i++)
        if (gsl_rng_uniform(rng) < a->missing_rate) x[i] = NAN;
    for (size_t i = 0; i < p->n[g]; i++) {
      if (ng > 1) cli_put_int(w, (long long)(g + 1));
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
  size_t ngroups = 0;
  int rc = CLI_EXIT_USAGE;
  if (simcli_parse_counts(&c, "n", a.n, 1, 100000000,
                          "observations (a group with no rows cannot be simulated)", &pop.n,
                          &ngroups) == 0)
    rc = simcli_population(&c, a.model, ngroups, &pop.pop);
  if (rc == CLI_EXIT_OK) rc = write_data(&c, &a, &pop);
  simcli_pop_free(&pop.pop);
  free(pop.n);
  return rc;
}
