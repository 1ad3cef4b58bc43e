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
#include "progress.h"
#include "sim_study.h"
#include "simcli.h"
#include "vagap/simulate.h"

static const char HELP[] =
    "Usage: vagap simulate --model FILE --n N[,N...] [OPTIONS]\n"
    "       vagap simulate --study walktalk|latency-iat --out DIR [--units N] [OPTIONS]\n"
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
    "      --missing-rate P   share of missing values (NA), in [0, 1) (default 0)\n"
    "      --missing-mechanism M  mcar (default): every value missing with probability P;\n"
    "                         mar: values of the other variables of a row missing with\n"
    "                         probability rising with the rank u of the row's value of\n"
    "                         --missing-given within its group: 2Pu (P <= 0.5), else\n"
    "                         1 - 2(1-P)(1-u); the mean rate is P either way\n"
    "      --missing-given VAR  the variable MAR missingness depends on (default: the\n"
    "                         first observed variable); it is never missing itself\n"
    "      --standardized     as simulateData(standardized = TRUE): loadings without a\n"
    "                         value are 0.7 and residual variances make every implied\n"
    "                         variance 1 (lavaan 0.6's two stages)\n"
    "      --skewness LIST    skewness of the observed variables (one value, or one per\n"
    "                         variable in the model's order): Vale-Maurelli, as lavaan\n"
    "      --kurtosis LIST    excess kurtosis, likewise\n"
    "      --thresholds SPEC  ordinal variables: 'x1=-1,0,1;x2=0.5' cuts x1 into the\n"
    "                         categories 1..4 and x2 into 1..2 (a value equal to a threshold\n"
    "                         stays below it, as R's cut); thresholds must increase\n\n"
    "Study logs (--study) with planted unit effects; planted.csv holds them:\n"
    "      --study LAYOUT     walktalk: iat.csv, choices.csv, selfreport.csv and\n"
    "                         selfreport_key.csv, as `vagap report DIR` reads them;\n"
    "                         latency-iat: iat_trials.csv for `vagap iat --method dscore`\n"
    "      --out DIR          the folder to write (created if missing)\n"
    "      --units N          units (models, subjects; default 40)\n"
    "      --iat-q M,SD       walktalk: P(altruistic association) per unit, N(M, SD)\n"
    "                         clipped to [0.5, 1] (default 0.8,0.08); IAT score 2q - 1\n"
    "      --behavior M,SD    P(prosocial choice) per unit (default 0.65,0.12), in [0, 1]\n"
    "      --gap M,SD         self-report minus behaviour per unit (default 0.10,0.08)\n"
    "      --iat-behavior-r R  correlation of the normal scores behind q and b (default 0)\n"
    "      --iat-trials N, --choice-trials N, --runs N   (default 30, 48, 3)\n"
    "      --invalid-rate P   unparsed IAT trials and invalid choices (default 0.02);\n"
    "                         --missing-rate: unanswered items (default 0.01)\n"
    "      --d M,SD           latency-iat: planted D per subject (default 0.4,0.3)\n"
    "      --block-trials P,T trials of blocks 3/6 and 4/7 (default 20,40)\n"
    "      --error-rate P     latency-iat: share of error trials (default 0.05)\n";

enum { OPT_MODEL = 1, OPT_N, OPT_SEED, OPT_MISSING_RATE, OPT_MECHANISM, OPT_GIVEN,
       OPT_THRESHOLDS, OPT_STANDARDIZED, OPT_SKEWNESS, OPT_KURTOSIS, OPT_STUDY, OPT_OUT,
       OPT_UNITS, OPT_IAT_Q, OPT_BEHAVIOUR, OPT_GAP, OPT_IAT_R, OPT_IAT_TRIALS,
       OPT_CHOICE_TRIALS, OPT_RUNS, OPT_INVALID_RATE, OPT_D, OPT_BLOCK_TRIALS, OPT_ERROR_RATE };

typedef struct {
  const char *model, *n, *given, *thresholds, *skewness, *kurtosis;
  int standardized;
  const char *out;
  int missing_rate_given;
  sim_study_t study;
  uint64_t seed;
  double missing_rate;
  int mar;
} sim_args_t;

static int parse_rate(const cli_common_t *c, const char *option, const char *arg, double *out) {
  if (cli_parse_double(c, option, arg, out)) return -1;
  if (!(*out >= 0 && *out < 1))
    return cli_usage_error(c, "--%s: expected a rate in [0, 1), found %s", option, arg), -1;
  return 0;
}

/* "M,SD" with SD >= 0. */
static int parse_pair(const cli_common_t *c, const char *option, const char *arg, double out[2]) {
  double *v = NULL;
  size_t n = 0;
  int bad = simcli_parse_numbers(c, option, arg, &v, &n);
  if (!bad && (n != 2 || v[1] < 0))
    bad = cli_usage_error(c, "--%s: expected MEAN,SD with SD >= 0, found '%s'", option, arg);
  if (!bad) out[0] = v[0], out[1] = v[1];
  free(v);
  return bad ? -1 : 0;
}

static int parse_count(const cli_common_t *c, const char *option, const char *arg, size_t lo,
                       size_t *out) {
  long v;
  if (cli_parse_long(c, option, arg, &v)) return -1;
  if (v < (long)lo || v > 1000000)
    return cli_usage_error(c, "--%s: expected %zu..1000000, found %s", option, lo, arg), -1;
  *out = (size_t)v;
  return 0;
}

/* The --study options; 0 when handled (or not one of them: then a usage error). */
static int study_option(const cli_common_t *c, sim_study_t *s, int opt, const char *arg) {
  switch (opt) {
  case OPT_STUDY:
    if (strcmp(arg, "walktalk") != 0 && strcmp(arg, "latency-iat") != 0)
      return cli_usage_error(c, "--study: expected walktalk or latency-iat, found '%s'", arg), -1;
    s->layout = arg;
    return 0;
  case OPT_OUT: cli_outputs_declare(arg); return 0;
  case OPT_UNITS: return parse_count(c, "units", arg, 1, &s->units);
  case OPT_IAT_Q: return parse_pair(c, "iat-q", arg, s->iat_q);
  case OPT_BEHAVIOUR: return parse_pair(c, "behavior", arg, s->behaviour);
  case OPT_GAP: return parse_pair(c, "gap", arg, s->gap);
  case OPT_D: return parse_pair(c, "d", arg, s->d);
  case OPT_IAT_R:
    if (cli_parse_double(c, "iat-behavior-r", arg, &s->iat_behaviour_r)) return -1;
    if (!(fabs(s->iat_behaviour_r) <= 1))
      return cli_usage_error(c, "--iat-behavior-r: expected a correlation in [-1, 1]"), -1;
    return 0;
  case OPT_IAT_TRIALS: return parse_count(c, "iat-trials", arg, 1, &s->iat_trials);
  case OPT_CHOICE_TRIALS: return parse_count(c, "choice-trials", arg, 1, &s->choice_trials);
  case OPT_RUNS: return parse_count(c, "runs", arg, 1, &s->runs);
  case OPT_INVALID_RATE: return parse_rate(c, "invalid-rate", arg, &s->invalid_rate);
  case OPT_ERROR_RATE: return parse_rate(c, "error-rate", arg, &s->error_rate);
  case OPT_BLOCK_TRIALS: {
    size_t *v = NULL, n = 0;
    int bad = simcli_parse_counts(c, "block-trials", arg, 2, 100000, "trials", &v, &n);
    if (!bad && n != 2) bad = cli_usage_error(c, "--block-trials: expected two counts P,T");
    if (!bad) s->block_trials[0] = v[0], s->block_trials[1] = v[1];
    free(v);
    return bad ? -1 : 0;
  }
  default: return cli_usage_error(c, "unknown option or missing argument"), -1;
  }
}

static int parse_args(int argc, char **argv, cli_common_t *c, sim_args_t *a) {
  static const struct option options[] = {
      {"model", required_argument, 0, OPT_MODEL},
      {"n", required_argument, 0, OPT_N},
      {"seed", required_argument, 0, OPT_SEED},
      {"missing-rate", required_argument, 0, OPT_MISSING_RATE},
      {"missing-mechanism", required_argument, 0, OPT_MECHANISM},
      {"missing-given", required_argument, 0, OPT_GIVEN},
      {"thresholds", required_argument, 0, OPT_THRESHOLDS},
      {"standardized", no_argument, 0, OPT_STANDARDIZED},
      {"skewness", required_argument, 0, OPT_SKEWNESS},
      {"kurtosis", required_argument, 0, OPT_KURTOSIS},
      {"study", required_argument, 0, OPT_STUDY},
      {"out", required_argument, 0, OPT_OUT},
      {"units", required_argument, 0, OPT_UNITS},
      {"iat-q", required_argument, 0, OPT_IAT_Q},
      {"behavior", required_argument, 0, OPT_BEHAVIOUR},
      {"gap", required_argument, 0, OPT_GAP},
      {"iat-behavior-r", required_argument, 0, OPT_IAT_R},
      {"iat-trials", required_argument, 0, OPT_IAT_TRIALS},
      {"choice-trials", required_argument, 0, OPT_CHOICE_TRIALS},
      {"runs", required_argument, 0, OPT_RUNS},
      {"invalid-rate", required_argument, 0, OPT_INVALID_RATE},
      {"d", required_argument, 0, OPT_D},
      {"block-trials", required_argument, 0, OPT_BLOCK_TRIALS},
      {"error-rate", required_argument, 0, OPT_ERROR_RATE},
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
      if (parse_rate(c, "missing-rate", optarg, &a->missing_rate)) return -1;
      a->missing_rate_given = 1;
      break;
    case OPT_MECHANISM:
      if (strcmp(optarg, "mcar") != 0 && strcmp(optarg, "mar") != 0)
        return cli_usage_error(c, "--missing-mechanism: expected mcar or mar, found '%s'", optarg), -1;
      a->mar = strcmp(optarg, "mar") == 0;
      break;
    case OPT_GIVEN: a->given = optarg; break;
    case OPT_THRESHOLDS: a->thresholds = optarg; break;
    case OPT_STANDARDIZED: a->standardized = 1; break;
    case OPT_SKEWNESS: a->skewness = optarg; break;
    case OPT_KURTOSIS: a->kurtosis = optarg; break;
    case CLI_OPT_HELP: printf("%s\n%s", HELP, CLI_COMMON_OPTIONS_HELP); return 1;
    default:
      if (study_option(c, &a->study, opt, optarg)) return -1;
      if (opt == OPT_OUT) a->out = optarg;
    }
  }
  if (optind < argc) return cli_usage_error(c, "unexpected argument '%s'", argv[optind]), -1;
  if (a->study.layout) {
    if (a->model || a->n) return cli_usage_error(c, "--study writes logs: --model and --n do not apply"), -1;
    if (!a->out) return cli_usage_error(c, "--study needs --out DIR"), -1;
    if (a->missing_rate_given) a->study.missing_rate = a->missing_rate;
    return 0;
  }
  if (a->out) return cli_usage_error(c, "--out belongs to --study (data go to standard output or -o)"), -1;
  if (!a->model) return cli_usage_error(c, "--model FILE is required"), -1;
  if (!a->n) return cli_usage_error(c, "--n is required (observations per group)"), -1;
  if (a->given && !a->mar)
    return cli_usage_error(c, "--missing-given needs --missing-mechanism mar"), -1;
  return 0;
}

/* ---- ordinal variables and missingness ---------------------------------------- */

typedef struct {
  size_t *nthr;     /* [nvar] thresholds per variable (0: continuous) */
  double **thr;     /* [nvar] increasing thresholds */
  size_t given;     /* MAR: the variable missingness depends on */
} sim_shape_t;

static void shape_free(sim_shape_t *sh, size_t nvar) {
  for (size_t j = 0; sh->thr && j < nvar; j++) free(sh->thr[j]);
  free(sh->thr);
  free(sh->nthr);
}

static size_t var_of(const simcli_pop_t *p, const char *name, size_t len) {
  for (size_t j = 0; j < p->nvar; j++)
    if (strlen(p->model->ov[j]) == len && strncmp(p->model->ov[j], name, len) == 0) return j;
  return p->nvar;
}

/* --thresholds 'x1=-1,0,1;x2=0.5' */
static int parse_thresholds(const cli_common_t *c, const char *spec, const simcli_pop_t *p,
                            sim_shape_t *sh) {
  for (const char *s = spec; *s;) {
    const char *semi = strchr(s, ';'), *end = semi ? semi : s + strlen(s);
    const char *eq = memchr(s, '=', (size_t)(end - s));
    if (!eq || eq == s)
      return cli_usage_error(c, "--thresholds: expected VAR=T1,T2,... items separated by ';', "
                                "found '%.*s'", (int)(end - s), s);
    size_t j = var_of(p, s, (size_t)(eq - s));
    if (j == p->nvar)
      return cli_usage_error(c, "--thresholds: '%.*s' is not an observed variable of the model",
                             (int)(eq - s), s);
    if (sh->thr[j])
      return cli_usage_error(c, "--thresholds: '%.*s' is given twice", (int)(eq - s), s);
    char *list = strndup(eq + 1, (size_t)(end - eq - 1));
    int bad = !list || simcli_parse_numbers(c, "thresholds", list, &sh->thr[j], &sh->nthr[j]);
    free(list);
    if (bad) return CLI_EXIT_USAGE;
    for (size_t k = 1; k < sh->nthr[j]; k++)
      if (!(sh->thr[j][k] > sh->thr[j][k - 1]))
        return cli_usage_error(c, "--thresholds: the thresholds of %s are out of order: "
                                  "threshold %zu (%g) is not above threshold %zu (%g)",
                               p->model->ov[j], k + 1, sh->thr[j][k], k, sh->thr[j][k - 1]);
    s = semi ? semi + 1 : end;
  }
  return CLI_EXIT_OK;
}

static int build_shape(const cli_common_t *c, const sim_args_t *a, const simcli_pop_t *p,
                       sim_shape_t *sh) {
  sh->nthr = calloc(p->nvar, sizeof *sh->nthr);
  sh->thr = calloc(p->nvar, sizeof *sh->thr);
  if (!sh->nthr || !sh->thr) return fputs("vagap simulate: out of memory\n", stderr), CLI_EXIT_DATA;
  if (a->thresholds) {
    int rc = parse_thresholds(c, a->thresholds, p, sh);
    if (rc) return rc;
  }
  sh->given = 0;
  if (a->given && (sh->given = var_of(p, a->given, strlen(a->given))) == p->nvar)
    return cli_usage_error(c, "--missing-given: '%s' is not an observed variable of the model",
                           a->given);
  return CLI_EXIT_OK;
}

/* The category (1..k+1) of x among k increasing thresholds: R's cut(x, c(-Inf, thr, Inf)),
   whose intervals are closed on the right. */
static double category(double x, const double *thr, size_t k) {
  size_t below = 0;
  while (below < k && x > thr[below]) below++;
  return (double)(below + 1);
}

static int by_value(const void *x, const void *y) {
  double a = **(const double *const *)x, b = **(const double *const *)y;
  return a < b ? -1 : a > b;
}

/* MAR: per row the probability that its other values are missing, from the rank of
   its value of the given variable (ties cannot occur in continuous draws). */
static int mar_probabilities(const double *x, size_t n, size_t v, size_t given, double rate,
                             double *prob) {
  const double **order = malloc(n * sizeof *order);
  if (!order) return -1;
  for (size_t i = 0; i < n; i++) order[i] = &x[i * v + given];
  qsort(order, n, sizeof *order, by_value);
  for (size_t r = 0; r < n; r++) {
    size_t i = (size_t)(order[r] - (x + given)) / v;
    double u = ((double)r + 0.5) / (double)n;
    prob[i] = rate <= 0.5 ? 2 * rate * u : 1 - 2 * (1 - rate) * (1 - u);
  }
  free(order);
  return 0;
}

typedef struct {
  simcli_pop_t pop;
  size_t *n; /* [pop.ngroups] */
} sim_pop_t;

static int write_data(const cli_common_t *c, const sim_args_t *a, const sim_pop_t *p,
                      const sim_shape_t *sh) {
  size_t v = p->pop.nvar, ng = p->pop.ngroups, ncol = v + (ng > 1);
  const char **cols = malloc(ncol * sizeof *cols);
  size_t maxn = 0;
  for (size_t g = 0; g < ng; g++) maxn = p->n[g] > maxn ? p->n[g] : maxn;
  double *x = malloc(maxn * v * sizeof *x), *prob = malloc(maxn * sizeof *prob);
  gsl_rng *rng = gsl_rng_alloc(vagap_sim_rng_type());
  cli_writer_t *w = NULL;
  int rc = CLI_EXIT_DATA;
  if (!cols || !x || !prob || !rng) {
    fputs("vagap simulate: out of memory\n", stderr);
    goto done;
  }
  if (ng > 1) cols[0] = "group";
  for (size_t j = 0; j < v; j++) cols[j + (ng > 1)] = p->pop.model->ov[j];
  if (!(w = cli_writer_open(c, cols, ncol))) goto done;
  cli_progress_t meter; /* rows written, on stderr when it is a terminal (or --progress) */
  cli_progress_start(&meter, c, "writing", "rows");
  size_t total = 0, written = 0;
  for (size_t g = 0; g < ng; g++) total += p->n[g];
  for (size_t g = 0; g < ng; g++) {
    vagap_sim_rng_seed(rng, a->seed, g + 1, 1);
    simcli_pop_draw(&p->pop, g, rng, p->n[g], x);
    /* MAR probabilities from the continuous values; then the ordinal categories */
    if (a->mar && a->missing_rate > 0 && mar_probabilities(x, p->n[g], v, sh->given, a->missing_rate, prob)) {
      fputs("vagap simulate: out of memory\n", stderr);
      goto done;
    }
    for (size_t i = 0; i < p->n[g]; i++)
      for (size_t j = 0; j < v; j++)
        if (sh->nthr[j]) x[i * v + j] = category(x[i * v + j], sh->thr[j], sh->nthr[j]);
    /* missingness after the values, from the same stream, one uniform per cell in row order */
    if (a->missing_rate > 0)
      for (size_t i = 0; i < p->n[g] * v; i++) {
        double u = gsl_rng_uniform(rng);
        if (!a->mar ? u < a->missing_rate : (i % v != sh->given && u < prob[i / v])) x[i] = NAN;
      }
    for (size_t i = 0; i < p->n[g]; i++) {
      if (ng > 1) cli_put_int(w, (long long)(g + 1));
      for (size_t j = 0; j < v; j++) cli_put_num(w, x[i * v + j]);
      cli_progress_tick(&meter, (double)++written, (double)total);
    }
  }
  cli_progress_finish(&meter);
  rc = cli_writer_close(w);
done:
  free(cols);
  free(x);
  free(prob);
  gsl_rng_free(rng);
  return rc;
}

int cmd_simulate(int argc, char **argv) {
  cli_common_t c;
  cli_common_init(&c, "simulate");
  sim_args_t a = {.seed = 1};
  sim_study_init(&a.study);
  int p = parse_args(argc, argv, &c, &a);
  if (p) return p < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
  if (a.study.layout) return sim_study_write(&c, &a.study, a.seed, a.out);
  sim_pop_t pop = {0};
  size_t ngroups = 0;
  int rc = CLI_EXIT_USAGE;
  double *skew = NULL, *kurt = NULL;
  simcli_pop_options_t popt = {.standardized = a.standardized};
  if ((a.skewness && simcli_parse_numbers(&c, "skewness", a.skewness, &skew, &popt.nskewness)) ||
      (a.kurtosis && simcli_parse_numbers(&c, "kurtosis", a.kurtosis, &kurt, &popt.nkurtosis))) {
    free(skew);
    free(kurt);
    return CLI_EXIT_USAGE;
  }
  popt.skewness = skew;
  popt.kurtosis = kurt;
  if (simcli_parse_counts(&c, "n", a.n, 1, 100000000,
                          "observations (a group with no rows cannot be simulated)", &pop.n,
                          &ngroups) == 0)
    rc = simcli_population(&c, a.model, ngroups, &popt, &pop.pop);
  sim_shape_t shape = {0};
  if (rc == CLI_EXIT_OK) rc = build_shape(&c, &a, &pop.pop, &shape);
  if (rc == CLI_EXIT_OK) rc = write_data(&c, &a, &pop, &shape);
  shape_free(&shape, pop.pop.nvar);
  simcli_pop_free(&pop.pop);
  free(pop.n);
  free(skew);
  free(kurt);
  return rc;
}
