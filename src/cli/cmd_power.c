/*
 * vagap power: Monte Carlo power and precision of an analysis over a grid
 * of conditions, reproducible under any split of the replications
 * (doc/methods.md, "Monte Carlo power"; vagap/power.h).  The table and
 * --merge are in power_table.c; the distribution of replications over
 * threads and MPI ranks in simcli_dist.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "power_cli.h"
#include "power_svg.h"
#include "progress.h"
#include "semcli_data.h"
#include "semcli_options.h"
#include "simcli.h"
#include "simcli_dist.h"

static const char HELP[] =
    "Usage: vagap power --analysis paired-gap|correlation --dz|--rho LIST --n LIST [OPTIONS]\n"
    "       vagap power --analysis sem-param --model POP.lav [--model ...] [--fit-model FIT.lav]\n"
    "                   --param 'lhs op rhs'|LABEL [--param-group LIST] --n LIST [OPTIONS]\n"
    "       vagap power --analysis invariance --model POP.lav [--fit-model FIT.lav]\n"
    "                   [--test STEP] --n LIST [OPTIONS]\n"
    "       vagap power --analysis vaar --model POP.lav [--fit-model FIT.lav] --expect SPEC\n"
    "                   --groups G [--vaar-group LIST] --n LIST [OPTIONS]\n"
    "       vagap power --analysis f1-diff --alignment PA:PB[,...] --n LIST [--values V]\n"
    "       vagap power --merge FILE...\n"
    "Monte Carlo power, bias, RMSE, coverage and SE accuracy over a grid of conditions\n"
    "(simsem's summaryParam quantities); any split of the replications merges exactly.\n\n"
    "Analyses:\n"
    "  paired-gap    the paired t-test of self-report - behaviour differences drawn\n"
    "                N(dz, 1); the estimate is d_z (power.analytic: power.t.test)\n"
    "  correlation   the test of the IAT-behaviour correlation: n pairs from a bivariate\n"
    "                normal with correlation rho; the estimate is Pearson's r\n"
    "                (power.analytic: pwr.r.test's approximation)\n"
    "  sem-param     data from the population model (lavaan simulateData() conventions,\n"
    "                --n per group), the fit model fitted by ML; the estimate is the\n"
    "                parameter --param (a free or := parameter), tested by its Wald z\n"
    "  invariance    data from a multi-group population model; the invariance LRT of\n"
    "                --test against the step before it (lavTestLRT); the estimate is\n"
    "                the chi-square difference\n"
    "  vaar          data from a multi-group population model, the fit model fitted\n"
    "                (loadings equal across groups unless --group-equal); the estimate\n"
    "                is the strict VAAR of a group against --expect, and a replication\n"
    "                counts as a detection when every path agrees strictly (k = K)\n"
    "  f1-diff       the ValueActionLens alignment rate (F1, as `vagap align`) of two\n"
    "                models over n scenarios of --values values: actions match the\n"
    "                stated vote with probability PA (model A) or PB (B); the estimate\n"
    "                is the mean F1 difference, tested by the paired t-test over\n"
    "                scenarios; its population value is the difference of the F1s of\n"
    "                the expected confusion counts\n\n"
    "Options:\n"
    "      --analysis A       paired-gap, correlation, sem-param, invariance, vaar or f1-diff\n"
    "      --dz LIST          population d_z values (comma-separated; paired-gap)\n"
    "      --rho LIST         population correlations in (-1, 1) (correlation)\n"
    "      --n LIST           units (paired-gap, correlation: >= 2, >= 4) or observations\n"
    "                         per group (sem-param, invariance: >= 2), comma-separated\n"
    "      --model FILE       population model (lavaan syntax with values, as for\n"
    "                         `vagap simulate`); repeat it for several models\n"
    "      --fit-model FILE   the model fitted to each data set (default: the population\n"
    "                         model with its values as starting values)\n"
    "      --param P          sem-param: 'lhs op rhs', a label or a := name; in a multi-group\n"
    "                         model one condition per group in which it is free (a := name:\n"
    "                         one, group 0), as parameterEstimates() lists it\n"
    "      --param-group LIST sem-param: only these groups (1-based, comma-separated), in\n"
    "                         this order\n"
    "      --groups G         number of groups of the population model (default 1;\n"
    "                         invariance: 2)\n"
    "      --alignment LIST   f1-diff: PA:PB pairs of action-stated match probabilities\n"
    "      --values V         f1-diff: values per scenario (default 10)\n"
    "      --stated-agree P   f1-diff: probability of a stated agree vote (default 0.5)\n"
    "      --expect SPEC      vaar: hypothesised paths and signs, e.g. 'y~f:+,y~g:-'\n"
    "      --vaar-group LIST  vaar: the groups scored, one condition each (default: all)\n"
    "      --group-equal LIST equality constraints of the fit across groups (sem-param:\n"
    "                         none; vaar: loadings), as `vagap sem`\n"
    "      --standardized     SEM analyses: the population as simulateData(standardized =\n"
    "                         TRUE), see `vagap simulate --help`\n"
    "      --skewness LIST, --kurtosis LIST   SEM analyses: non-normal data (Vale-Maurelli,\n"
    "                         as `vagap simulate`): one value or one per observed variable\n"
    "      --test STEP        invariance: metric (default), scalar, strict or means,\n"
    "                         tested against the step before it\n"
    "      --replications R   replications 1..R per condition (default 1000), or\n"
    "                         FROM:TO for a part of them (merge the parts with --merge)\n"
    "      --seed S           seed of the random streams, 0..2^64-1 (default 1)\n"
    "      --alpha A          significance level of the test (default 0.05)\n"
    "      --conf-level L     level of the estimate's CI and of power's Wilson CI (alias --conf)\n"
    "                         (default 0.95)\n"
    "      --threads N        worker threads per process (default: all cores); results do\n"
    "                         not depend on it, nor on the number of MPI ranks\n"
    "      --plot FILE        also write an SVG plot of power against n\n"
    "      --merge            the files are partial outputs (CSV) of one study: write the\n"
    "                         table of the whole run\n\n"
    "Conditions are numbered 1, 2, ... over --dz/--rho/--model (outer) and --n (inner);\n"
    "replication r of condition c uses a generator seeded from (seed, c, r) only.\n"
    "Under mpirun (a build with -DVAGAP_MPI=ON) the replications are spread over the\n"
    "ranks and rank 0 writes the table.\n\n";

enum { OPT_ANALYSIS = 1, OPT_DZ, OPT_RHO, OPT_N, OPT_REPS, OPT_SEED, OPT_ALPHA, OPT_CONF,
       OPT_THREADS, OPT_MERGE, OPT_MODEL, OPT_FIT_MODEL, OPT_PARAM, OPT_GROUPS, OPT_TEST,
       OPT_PLOT, OPT_EXPECT, OPT_VAAR_GROUP, OPT_GROUP_EQUAL, OPT_ALIGNMENT, OPT_VALUES,
       OPT_STATED_AGREE, OPT_STANDARDIZED, OPT_SKEWNESS, OPT_KURTOSIS, OPT_PARAM_GROUP };

#define MAX_MODELS 64

typedef struct {
  const power_analysis_t *analysis;
  const char *effect, *n, *fit_model, *param, *param_group, *test, *plot, *expect, *vaar_group;
  const char *group_equal;
  const char *alignment, *skewness, *kurtosis;
  int standardized;
  long values;
  double stated_agree;
  const char *model[MAX_MODELS];
  size_t nmodel;
  long groups;
  uint64_t rep_from, rep_to, seed;
  double alpha, conf;
  long threads;
  int merge;
  semcli_lavaan_t lav;
} power_args_t;

/* ---- option parsing ------------------------------------------------------------ */

static int parse_replications(const cli_common_t *c, const char *arg, power_args_t *a) {
  const char *colon = strchr(arg, ':'), *end = arg + strlen(arg);
  if (!colon) {
    a->rep_from = 1;
    if (simcli_parse_u64(c, "replications", arg, end, &a->rep_to)) return -1;
  } else if (simcli_parse_u64(c, "replications", arg, colon, &a->rep_from) ||
             simcli_parse_u64(c, "replications", colon + 1, end, &a->rep_to)) {
    return -1;
  }
  if (a->rep_from < 1 || a->rep_to < a->rep_from)
    return cli_usage_error(c, "--replications: expected R >= 1 or FROM:TO with 1 <= FROM <= TO, "
                              "found '%s'", arg), -1;
  return 0;
}

static int parse_level(const cli_common_t *c, const char *option, const char *arg, double *out) {
  if (cli_parse_double(c, option, arg, out)) return -1;
  if (!(*out > 0 && *out < 1))
    return cli_usage_error(c, "--%s: expected a level in (0, 1), found %s", option, arg), -1;
  return 0;
}

static int take_option(cli_common_t *c, power_args_t *a, int opt, const char *arg) {
  switch (opt) {
  case OPT_ANALYSIS:
    if (!(a->analysis = power_analysis_find(arg)))
      return cli_usage_error(c, "--analysis: expected paired-gap, correlation, sem-param or "
                                "invariance, found '%s'", arg), -1;
    return 0;
  case OPT_DZ: case OPT_RHO: a->effect = arg; return 0;
  case OPT_N: a->n = arg; return 0;
  case OPT_MODEL:
    if (a->nmodel == MAX_MODELS) return cli_usage_error(c, "--model: at most %d models", MAX_MODELS), -1;
    a->model[a->nmodel++] = arg;
    return 0;
  case OPT_FIT_MODEL: a->fit_model = arg; return 0;
  case OPT_PARAM: a->param = arg; return 0;
  case OPT_PARAM_GROUP: a->param_group = arg; return 0;
  case OPT_TEST: a->test = arg; return 0;
  case OPT_EXPECT: a->expect = arg; return 0;
  case OPT_VAAR_GROUP: a->vaar_group = arg; return 0;
  case OPT_GROUP_EQUAL: a->group_equal = arg; return 0;
  case OPT_ALIGNMENT: a->alignment = arg; return 0;
  case OPT_STANDARDIZED: a->standardized = 1; return 0;
  case OPT_SKEWNESS: a->skewness = arg; return 0;
  case OPT_KURTOSIS: a->kurtosis = arg; return 0;
  case OPT_VALUES:
    if (cli_parse_long(c, "values", arg, &a->values)) return -1;
    if (a->values < 1 || a->values > 100000) return cli_usage_error(c, "--values: expected 1..100000"), -1;
    return 0;
  case OPT_STATED_AGREE:
    if (cli_parse_double(c, "stated-agree", arg, &a->stated_agree)) return -1;
    if (!(a->stated_agree > 0 && a->stated_agree < 1))
      return cli_usage_error(c, "--stated-agree: expected a probability in (0, 1)"), -1;
    return 0;
  case OPT_PLOT:
    a->plot = arg;
    cli_outputs_declare(arg);
    return 0;
  case OPT_GROUPS:
    if (cli_parse_long(c, "groups", arg, &a->groups)) return -1;
    if (a->groups < 1 || a->groups > 1000) return cli_usage_error(c, "--groups: expected 1..1000"), -1;
    return 0;
  case OPT_REPS: return parse_replications(c, arg, a);
  case OPT_SEED: return simcli_parse_seed(c, arg, &a->seed);
  case OPT_ALPHA: return parse_level(c, "alpha", arg, &a->alpha);
  case OPT_CONF: return parse_level(c, "conf-level", arg, &a->conf);
  case OPT_THREADS:
    if (cli_parse_long(c, "threads", arg, &a->threads)) return -1;
    if (a->threads < 0 || a->threads > 1024)
      return cli_usage_error(c, "--threads: expected 0..1024"), -1;
    return 0;
  case OPT_MERGE: a->merge = 1; return 0;
  default: return cli_usage_error(c, "unknown option or missing argument"), -1;
  }
}

/*
 * The shared lavaan options (SEMCLI_LAVAAN_LONG_OPTIONS) power honours: the
 * model's specification and the ML family's estimation choices.  Every other
 * shared option, including any added to the table later, is refused by name
 * until it is declared here: the replications are continuous data, on which
 * the categorical ones (--ordered, --parameterization, --levels) mean nothing.
 * (The table's --test is power's own --test STEP, found first.)
 */
static const int POWER_LAVAAN_HONOURED[] = {
    SEMCLI_OPT_STD_LV,      SEMCLI_OPT_FIXED_X,     SEMCLI_OPT_NO_FIXED_X, SEMCLI_OPT_MEANSTRUCTURE,
    SEMCLI_OPT_LIKELIHOOD,  SEMCLI_OPT_MISSING,     SEMCLI_OPT_ESTIMATOR,  SEMCLI_OPT_SE,
    SEMCLI_OPT_INFORMATION, SEMCLI_OPT_CFA,         SEMCLI_OPT_SEM,        SEMCLI_OPT_GROWTH,
    SEMCLI_OPT_ORTHOGONAL,  SEMCLI_OPT_LAVAAN,      SEMCLI_OPT_CONSTRAINTS};

/* 1 when shared option `opt` is honoured by power or refused by the shared code itself
   (lavaan arguments vagap does not support: SEMCLI_OPT_UNSUPPORTED + k). */
static int power_honours(int opt) {
  if (opt >= SEMCLI_OPT_SWITCH && opt < SEMCLI_OPT_SWITCH + VAGAP_SEM_CALL_NSWITCHES) return 1;
  if (opt >= SEMCLI_OPT_UNSUPPORTED) return 1;
  for (size_t k = 0; k < sizeof POWER_LAVAAN_HONOURED / sizeof POWER_LAVAAN_HONOURED[0]; k++)
    if (POWER_LAVAAN_HONOURED[k] == opt) return 1;
  return 0;
}

/* A usage error for a shared option power does not honour, named from the option table. */
static int refuse_shared(const cli_common_t *c, const struct option *options, int opt) {
  const char *name = "?";
  for (const struct option *o = options; o->name; o++)
    if (o->val == opt) name = o->name;
  return cli_usage_error(c, "--%s is not supported by power: replications are continuous data fitted by the "
                            "ML family (simulate --thresholds writes ordinal data for sem --ordered)", name);
}

static int parse_args(int argc, char **argv, cli_common_t *c, power_args_t *a) {
  static const struct option options[] = {
      {"analysis", required_argument, 0, OPT_ANALYSIS},
      {"dz", required_argument, 0, OPT_DZ},
      {"rho", required_argument, 0, OPT_RHO},
      {"n", required_argument, 0, OPT_N},
      {"model", required_argument, 0, OPT_MODEL},
      {"fit-model", required_argument, 0, OPT_FIT_MODEL},
      {"param", required_argument, 0, OPT_PARAM},
      {"param-group", required_argument, 0, OPT_PARAM_GROUP},
      {"groups", required_argument, 0, OPT_GROUPS},
      {"test", required_argument, 0, OPT_TEST},
      {"expect", required_argument, 0, OPT_EXPECT},
      {"vaar-group", required_argument, 0, OPT_VAAR_GROUP},
      {"group-equal", required_argument, 0, OPT_GROUP_EQUAL},
      {"alignment", required_argument, 0, OPT_ALIGNMENT},
      {"standardized", no_argument, 0, OPT_STANDARDIZED},
      {"skewness", required_argument, 0, OPT_SKEWNESS},
      {"kurtosis", required_argument, 0, OPT_KURTOSIS},
      {"values", required_argument, 0, OPT_VALUES},
      {"stated-agree", required_argument, 0, OPT_STATED_AGREE},
      {"replications", required_argument, 0, OPT_REPS},
      {"seed", required_argument, 0, OPT_SEED},
      {"alpha", required_argument, 0, OPT_ALPHA},
      {"conf-level", required_argument, 0, OPT_CONF},
      {"conf", required_argument, 0, OPT_CONF}, /* the older spelling */
      {"threads", required_argument, 0, OPT_THREADS},
      {"plot", required_argument, 0, OPT_PLOT},
      {"merge", no_argument, 0, OPT_MERGE},
      SEMCLI_LAVAAN_LONG_OPTIONS,
      CLI_COMMON_LONG_OPTIONS,
      {0, 0, 0, 0}};
  int opt;
  while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT_OPTIONS, options, NULL)) != -1) {
    int handled = cli_common_option(c, opt, optarg);
    if (handled < 0) return -1;
    if (handled) continue;
    if (opt >= SEMCLI_OPT_STD_LV && !power_honours(opt)) return refuse_shared(c, options, opt), -1;
    if ((handled = semcli_lavaan_option(c, &a->lav, opt, optarg, argc, argv, &optind)) < 0)
      return -1;
    if (handled) continue;
    if (opt == CLI_OPT_HELP) {
      printf("%s%s\n%s", HELP, SEMCLI_LAVAAN_OPTIONS_HELP, CLI_COMMON_OPTIONS_HELP);
      return 1;
    }
    if (take_option(c, a, opt, optarg)) return -1;
  }
  return 0;
}

/* ---- the grid -------------------------------------------------------------------- */

typedef struct {
  simcli_pop_t pop[MAX_MODELS];
  vagap_sem_model_t *fit[MAX_MODELS];
  vagap_sem_syntax_t *fit_syntax[MAX_MODELS];
  size_t *target[MAX_MODELS];     /* sem-param: the fit model's rows of --param, one per group */
  size_t ntarget[MAX_MODELS];
  double *start[MAX_MODELS];      /* the fit model's estimates on the population moments */
  vagap_sem_model_options_t mopt;
  vagap_sem_fit_options_t fopt;
  vagap_sem_invariance_step_t steps[2];
  size_t ngroups;
  vagap_vaar_spec_t *vaar_spec;
  simcli_pop_options_t popt;      /* --standardized, --skewness, --kurtosis */
  double *skewness, *kurtosis;
} sem_setup_t;

static void sem_setup_free(sem_setup_t *s, size_t nmodel) {
  vagap_vaar_spec_free(s->vaar_spec);
  free(s->skewness);
  free(s->kurtosis);
  for (size_t i = 0; i < nmodel; i++) {
    simcli_pop_free(&s->pop[i]);
    vagap_sem_model_free(s->fit[i]);
    vagap_sem_syntax_free(s->fit_syntax[i]);
    free(s->target[i]);
    free(s->start[i]);
  }
}

static char *format_exact(double x) {
  char buf[40];
  power_format_exact(x, buf);
  return strdup(buf);
}

static char *format_count(size_t n) {
  char buf[24];
  snprintf(buf, sizeof buf, "%zu", n);
  return strdup(buf);
}

static int fill_condition(power_cond_t *k, const char *const *cells, size_t ncells) {
  for (size_t j = 0; j < ncells; j++)
    if (!(k->design[j] = cells[j] ? strdup(cells[j]) : NULL)) return -1;
  return 0;
}

/* paired-gap and correlation: effect (outer) x n (inner). */
static int build_simple_grid(const cli_common_t *c, const power_args_t *a, power_study_t *st) {
  int is_cor = strcmp(a->analysis->name, "correlation") == 0;
  const char *eff_opt = is_cor ? "rho" : "dz";
  if (!a->effect || !a->n) return cli_usage_error(c, "--%s and --n are required", eff_opt);
  double *eff = NULL;
  size_t *n = NULL, ne = 0, nn = 0;
  int rc = CLI_EXIT_USAGE;
  if (simcli_parse_numbers(c, eff_opt, a->effect, &eff, &ne) ||
      simcli_parse_counts(c, "n", a->n, is_cor ? 4 : 2, 100000000, "units", &n, &nn))
    goto done;
  for (size_t i = 0; i < ne && is_cor; i++)
    if (!(fabs(eff[i]) < 1)) {
      cli_usage_error(c, "--rho: value %zu (%g) is not a correlation in (-1, 1)", i + 1, eff[i]);
      goto done;
    }
  st->ncond = ne * nn;
  if (!(st->cond = calloc(st->ncond, sizeof *st->cond))) goto done;
  for (size_t i = 0; i < ne; i++)
    for (size_t j = 0; j < nn; j++) {
      power_cond_t *k = &st->cond[i * nn + j];
      k->effect = eff[i];
      k->n = n[j];
      k->truth = eff[i];
      if (!(k->design[0] = format_exact(eff[i])) || !(k->design[1] = format_count(n[j]))) goto done;
      k->analytic = power_analytic(a->analysis, (const char *const *)k->design, a->alpha);
    }
  rc = 0;
done:
  free(eff);
  free(n);
  return rc;
}

/* f1-diff: --alignment PA:PB pairs (outer) x --n scenarios (inner). */
static int build_f1_grid(const cli_common_t *c, const power_args_t *a, power_study_t *st) {
  if (!a->alignment || !a->n) return cli_usage_error(c, "--alignment and --n are required for f1-diff");
  size_t npairs = 1, *n = NULL, nn = 0;
  for (const char *p = a->alignment; *p; p++) npairs += *p == ',';
  double *pa = malloc(npairs * sizeof *pa), *pb = malloc(npairs * sizeof *pb);
  int rc = CLI_EXIT_USAGE;
  if (!pa || !pb) goto done;
  const char *s = a->alignment;
  for (size_t i = 0; i < npairs; i++) {
    char *end;
    pa[i] = strtod(s, &end);
    if (end == s || *end != ':') goto bad;
    s = end + 1;
    pb[i] = strtod(s, &end);
    if (end == s || (*end != ',' && *end != '\0')) goto bad;
    if (!(pa[i] >= 0 && pa[i] <= 1 && pb[i] >= 0 && pb[i] <= 1)) goto bad;
    s = end + 1;
  }
  if (simcli_parse_counts(c, "n", a->n, 2, 1000000, "scenarios", &n, &nn)) goto done;
  st->ncond = npairs * nn;
  if (!(st->cond = calloc(st->ncond, sizeof *st->cond))) goto done;
  rc = CLI_EXIT_DATA;
  double agree = a->stated_agree;
  for (size_t i = 0; i < npairs; i++)
    for (size_t j = 0; j < nn; j++) {
      power_cond_t *k = &st->cond[i * nn + j];
      k->effect = pa[i];
      k->effect_b = pb[i];
      k->n = n[j];
      k->truth = vagap_power_f1_population(pa[i], agree) - vagap_power_f1_population(pb[i], agree);
      k->analytic = NAN;
      if (!(k->design[0] = format_exact(pa[i])) || !(k->design[1] = format_exact(pb[i])) ||
          !(k->design[2] = format_exact(agree)) || !(k->design[3] = format_count((size_t)a->values)) ||
          !(k->design[4] = format_count(n[j])))
        goto done;
    }
  rc = 0;
  goto done;
bad:
  rc = cli_usage_error(c, "--alignment: expected PA:PB pairs of probabilities in [0, 1], "
                          "comma-separated, found '%s'", a->alignment);
done:
  free(pa);
  free(pb);
  free(n);
  return rc;
}

/* The population syntax as a fit model: its fixed values become starting values
   (simsem's way of fitting the model that generated the data). */
static void release_values(vagap_sem_syntax_t *syn) {
  for (size_t i = 0; i < syn->n; i++)
    for (size_t k = 0; k < syn->st[i].nmod; k++) {
      vagap_sem_modifier_t *m = &syn->st[i].mod[k];
      if (m->kind != VAGAP_SEM_MOD_FIXED) continue;
      if (!isfinite(m->start)) m->start = m->value;
      m->kind = m->label ? VAGAP_SEM_MOD_LABEL : VAGAP_SEM_MOD_NONE;
    }
}

/* The fit syntax: --fit-model, or the population syntax with its values released. */
static int load_fit_syntax(const power_args_t *a, size_t model, vagap_sem_syntax_t **out) {
  const char *path = a->fit_model ? a->fit_model : a->model[model];
  char *text = NULL;
  vagap_error_t err;
  vagap_status_t s = semcli_read_text(path, &text, &err);
  if (!s) s = vagap_sem_syntax_parse(out, text, path, &err);
  free(text);
  if (s) return cli_report_error(&err);
  if (!a->fit_model) release_values(*out);
  return 0;
}

/* The population value of the target: the fit model's estimate on the population
   moments (the pseudo-true value; the population value itself when the fit model is
   the population model, whatever its identification). */
static int population_value(const power_args_t *a, sem_setup_t *s, size_t m, size_t n,
                            size_t group, size_t target, double *truth) {
  simcli_pop_t *p = &s->pop[m];
  vagap_sem_stats_t *stats = NULL;
  vagap_sem_fit_t *fit = NULL;
  vagap_error_t err;
  vagap_status_t st = vagap_sem_stats_alloc(&stats, p->ngroups, p->nvar,
                                            (const char *const *)p->model->ov, NULL, &err);
  if (!st) {
    for (size_t g = 0; g < p->ngroups; g++) {
      stats->n[g] = (double)n;
      memcpy(stats->mean + g * p->nvar, p->mu + g * p->nvar, p->nvar * sizeof(double));
      memcpy(stats->cov + g * p->nvar * p->nvar, p->sigma + g * p->nvar * p->nvar,
             p->nvar * p->nvar * sizeof(double));
    }
    /* plain ML on the moments: a robust estimator changes SEs and tests, not estimates */
    vagap_sem_fit_options_t ml;
    vagap_sem_fit_options_init(&ml);
    ml.likelihood = s->fopt.likelihood;
    ml.ci_level = s->fopt.ci_level;
    st = vagap_sem_fit(&fit, s->fit[m], stats, &ml, &err);
  }
  if (!st && s->vaar_spec) {
    double strict;
    int all;
    char label[24];
    snprintf(label, sizeof label, "%zu", group);
    /* the sign-only VAAR at the population: a path whose population value is 0
       (below 1e-6 after the fit) has no sign and does not agree */
    st = vagap_power_vaar_of_fit(fit, s->vaar_spec, label, 0.05, 1e-6, &strict, truth, &all, &err);
  } else if (!st) {
    *truth = fit->model->rows[target].est;
  }
  /* the replications' start: the population optimum is next to each sample's */
  if (!st && !s->start[m] && fit->model->npar &&
      (s->start[m] = malloc(fit->model->npar * sizeof *s->start[m])))
    memcpy(s->start[m], fit->x, fit->model->npar * sizeof *s->start[m]);
  vagap_sem_fit_free(fit);
  vagap_sem_stats_free(stats);
  if (st) {
    fprintf(stderr, "vagap power: %s fitted to the population moments of %s: %s\n",
            a->fit_model ? a->fit_model : a->model[m], a->model[m], err.message);
    return CLI_EXIT_DATA;
  }
  return 0;
}

/* The population, the fit syntax and model of --model m, and (sem-param) the rows of --param
   in the groups asked (param_groups, n of them; NULL: every group where it is free). */
static int prepare_sem_model(const cli_common_t *c, const power_args_t *a, sem_setup_t *s,
                             size_t m, int invariance, const size_t *param_groups, size_t n) {
  int rc = simcli_population(c, a->model[m], s->ngroups, &s->popt, &s->pop[m]);
  if (rc || (rc = load_fit_syntax(a, m, &s->fit_syntax[m]))) return rc;
  if (invariance) return 0;
  vagap_error_t err;
  const char *path = a->fit_model ? a->fit_model : a->model[m];
  if (vagap_sem_model_build(&s->fit[m], s->fit_syntax[m], s->ngroups, &s->mopt, path, &err))
    return cli_report_error(&err);
  if (s->vaar_spec) return 0;
  if (!(s->target[m] = malloc((s->ngroups + 1) * sizeof *s->target[m])))
    return cli_usage_error(c, "out of memory");
  if (vagap_power_sem_find(s->fit[m], a->param, param_groups, n, s->target[m], &s->ntarget[m], &err))
    return cli_report_error(&err);
  return 0;
}

/* Which analysis-specific options apply: a usage error names the first that does not. */
static int check_sem_options(const cli_common_t *c, const power_args_t *a) {
  const char *an = a->analysis->name;
  int inv = strcmp(an, "invariance") == 0, vaar = strcmp(an, "vaar") == 0, par = !inv && !vaar;
  if (a->nmodel == 0 || !a->n) return cli_usage_error(c, "--model and --n are required");
  if (par != (a->param != NULL))
    return cli_usage_error(c, par ? "--param is required for sem-param"
                                  : "--param belongs to sem-param, not %s", an);
  if (vaar != (a->expect != NULL))
    return cli_usage_error(c, vaar ? "--expect is required for vaar"
                                   : "--expect belongs to vaar, not %s", an);
  if (!vaar && a->vaar_group) return cli_usage_error(c, "--vaar-group belongs to vaar, not %s", an);
  if (!par && a->param_group)
    return cli_usage_error(c, "--param-group belongs to sem-param, not %s", an);
  if (!inv && a->test) return cli_usage_error(c, "--test belongs to invariance, not %s", an);
  if (inv && a->group_equal)
    return cli_usage_error(c, "--group-equal: invariance sets the constraints of each step (--test)");
  return 0;
}

/* The groups vaar scores: --vaar-group, or all. */
static int vaar_groups(const cli_common_t *c, const power_args_t *a, size_t ngroups,
                       size_t **out, size_t *n) {
  if (!a->vaar_group) {
    if (!(*out = malloc(ngroups * sizeof **out))) return cli_usage_error(c, "out of memory");
    for (size_t g = 0; g < ngroups; g++) (*out)[g] = g + 1;
    *n = ngroups;
    return 0;
  }
  return simcli_parse_counts(c, "vaar-group", a->vaar_group, 1, ngroups, "a group of the model",
                             out, n) ? CLI_EXIT_USAGE : 0;
}

static int build_sem_grid(const cli_common_t *c, const power_args_t *a, power_study_t *st,
                          sem_setup_t *s) {
  int inv = strcmp(a->analysis->name, "invariance") == 0, vaar = strcmp(a->analysis->name, "vaar") == 0;
  int par = !inv && !vaar;
  int rc0 = check_sem_options(c, a);
  if (rc0) return rc0;
  s->ngroups = a->groups ? (size_t)a->groups : inv ? 2 : 1;
  if (inv && s->ngroups < 2) return cli_usage_error(c, "--groups: invariance needs at least 2");
  vagap_sem_model_options_init(&s->mopt);
  semcli_lavaan_apply(c, &a->lav, &s->mopt);
  vagap_error_t gerr;
  if (vaar) s->mopt.group_equal = VAGAP_SEM_EQ_LOADINGS; /* as `vagap vaar` */
  if (a->group_equal && strcmp(a->group_equal, "none") == 0)
    s->mopt.group_equal = 0;
  else if (a->group_equal && vagap_sem_group_equal_parse(a->group_equal, &s->mopt.group_equal, &gerr))
    return cli_report_error(&gerr);
  if (vaar && vagap_vaar_spec_parse(&s->vaar_spec, a->expect, "--expect", &gerr))
    return cli_report_error(&gerr);
  s->popt.standardized = a->standardized;
  if ((a->skewness && simcli_parse_numbers(c, "skewness", a->skewness, &s->skewness, &s->popt.nskewness)) ||
      (a->kurtosis && simcli_parse_numbers(c, "kurtosis", a->kurtosis, &s->kurtosis, &s->popt.nkurtosis)))
    return CLI_EXIT_USAGE;
  s->popt.skewness = s->skewness;
  s->popt.kurtosis = s->kurtosis;
  vagap_sem_fit_options_init(&s->fopt);
  semcli_lavaan_fit_apply(&a->lav, &s->fopt); /* estimator, se, test, information, likelihood */
  s->fopt.ci_level = a->conf;
  const char *test = a->test ? a->test : "metric";
  if (inv) {
    static const char *const order[] = {"configural", "metric", "scalar", "strict", "means"};
    size_t k = 1;
    while (k < 5 && strcmp(order[k], test) != 0) k++;
    if (k == 5)
      return cli_usage_error(c, "--test: expected metric, scalar, strict or means, found '%s'",
                             test);
    char list[64];
    snprintf(list, sizeof list, "%s,%s", order[k - 1] , order[k]);
    if (k == 4) snprintf(list, sizeof list, "scalar,means"); /* means follow scalar */
    size_t nsteps;
    vagap_error_t err;
    if (vagap_sem_invariance_parse(list, s->steps, &nsteps, &err)) return cli_report_error(&err);
  }
  size_t *n = NULL, nn = 0, *groups = NULL, ng = 1, *pgroups = NULL, npg = 0;
  if (simcli_parse_counts(c, "n", a->n, 2, 10000000, "observations per group", &n, &nn) ||
      (vaar && vaar_groups(c, a, s->ngroups, &groups, &ng)) ||
      (a->param_group && simcli_parse_counts(c, "param-group", a->param_group, 1, s->ngroups,
                                             "a group of the model", &pgroups, &npg))) {
    free(n);
    free(groups);
    free(pgroups);
    return CLI_EXIT_USAGE;
  }
  int rc = CLI_EXIT_DATA;
  for (size_t m = 0; m < a->nmodel; m++)
    if ((rc = prepare_sem_model(c, a, s, m, inv, pgroups, npg))) goto done;
  rc = CLI_EXIT_DATA;
  /* conditions: model (outer), then the group scored (vaar) or of --param's row (sem-param), n */
  st->ncond = 0;
  for (size_t m = 0; m < a->nmodel; m++) st->ncond += (par ? s->ntarget[m] : ng) * nn;
  if (!(st->cond = calloc(st->ncond, sizeof *st->cond))) goto done;
  power_cond_t *k = st->cond;
  for (size_t m = 0; m < a->nmodel; m++)
    for (size_t gi = 0; gi < (par ? s->ntarget[m] : ng); gi++)
      for (size_t j = 0; j < nn; j++, k++) {
        k->model = m;
        k->n = n[j];
        k->target = par ? s->target[m][gi] : 0;
        k->group = vaar ? groups[gi] : par ? (size_t)s->fit[m]->rows[k->target].group : 0;
        k->analytic = NAN;
        k->truth = NAN;
        if (!inv && (rc = population_value(a, s, m, n[j], k->group, k->target, &k->truth)))
          goto done;
        rc = CLI_EXIT_DATA;
        const char *cells[] = {a->model[m], a->fit_model ? a->fit_model : a->model[m],
                               inv ? test : vaar ? a->expect : a->param};
        if (fill_condition(k, cells, 3)) goto done;
        if (!inv && !(k->design[3] = format_count(k->group))) goto done;
        if (!(k->design[inv ? 3 : 4] = format_count(n[j]))) goto done;
      }
  rc = 0;
done:
  free(n);
  free(groups);
  free(pgroups);
  return rc;
}

static int build_grid(const cli_common_t *c, const power_args_t *a, power_study_t *st,
                      sem_setup_t *s) {
  if (!a->analysis)
    return cli_usage_error(c, "--analysis is required (paired-gap, correlation, sem-param, "
                              "invariance)");
  int is_sem = a->analysis->sem;
  if (!is_sem && (a->nmodel || a->fit_model || a->param || a->param_group || a->groups || a->test || a->expect ||
                  a->vaar_group || a->group_equal || a->standardized || a->skewness || a->kurtosis))
    return cli_usage_error(c, "--model, --fit-model, --param, --param-group, --groups, --test, --expect, "
                              "--vaar-group, --group-equal, --standardized, --skewness and "
                              "--kurtosis belong to the SEM analyses");
  int f1 = strcmp(a->analysis->name, "f1-diff") == 0;
  if ((is_sem || f1) && a->effect)
    return cli_usage_error(c, "--dz and --rho belong to paired-gap and correlation");
  if (!f1 && (a->alignment || a->values || a->stated_agree != 0.5))
    return cli_usage_error(c, "--alignment, --values and --stated-agree belong to f1-diff");
  if (f1) {
    power_args_t b = *a;
    if (!b.values) b.values = 10;
    return build_f1_grid(c, &b, st);
  }
  return is_sem ? build_sem_grid(c, a, st, s) : build_simple_grid(c, a, st);
}

/* ---- running ----------------------------------------------------------------------- */

typedef struct {
  const power_study_t *st;
  const sem_setup_t *sem;
  vagap_power_sem_t *design; /* [ncond] for SEM analyses */
  size_t max_n;
} run_ctx_t;

typedef struct {
  double *work;
  vagap_power_sem_ws_t **sem; /* [ncond] */
} run_ws_t;

static void run_ws_free_ctx(const run_ctx_t *r, run_ws_t *ws) {
  if (!ws) return;
  free(ws->work);
  for (size_t i = 0; ws->sem && i < r->st->ncond; i++) vagap_power_sem_ws_free(ws->sem[i]);
  free(ws->sem);
  free(ws);
}

static const run_ctx_t *ws_owner; /* set before the run: ws_free has no context */

static void run_ws_free(void *p) { run_ws_free_ctx(ws_owner, p); }

static void *run_ws_alloc(void *ctx) {
  const run_ctx_t *r = ctx;
  run_ws_t *ws = calloc(1, sizeof *ws);
  if (!ws) return NULL;
  if (!r->design) {
    if (!(ws->work = malloc(2 * r->max_n * sizeof(double)))) goto fail;
    return ws;
  }
  /* SEM workspaces are made per condition when first needed */
  if (!(ws->sem = calloc(r->st->ncond, sizeof *ws->sem))) goto fail;
  return ws;
fail:
  run_ws_free_ctx(r, ws);
  return NULL;
}

static vagap_status_t run_replicate(void *ctx, void *wsp, size_t cond, uint64_t rep,
                                    gsl_rng *rng, double *out, vagap_error_t *err) {
  const run_ctx_t *r = ctx;
  run_ws_t *ws = wsp;
  const power_study_t *st = r->st;
  const power_cond_t *k = &st->cond[cond - 1];
  vagap_power_draw_t d;
  vagap_status_t s;
  const char *name = st->analysis->name;
  if (r->design) {
    vagap_power_sem_ws_t **w = &ws->sem[cond - 1];
    if (!*w && !(*w = vagap_power_sem_ws_alloc(&r->design[cond - 1])))
      return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory for a data set");
    s = vagap_power_sem_draw(rng, &r->design[cond - 1], *w, &d, err);
  } else if (strcmp(name, "f1-diff") == 0) {
    s = vagap_power_f1_diff_draw(rng, k->effect, k->effect_b, strtod(k->design[2], NULL),
                                 strtoul(k->design[3], NULL, 10), k->n, st->alpha, st->conf,
                                 ws->work, &d, err);
  } else if (strcmp(name, "correlation") == 0) {
    s = vagap_power_correlation_draw(rng, k->effect, k->n, st->alpha, st->conf, ws->work, &d, err);
  } else {
    s = vagap_power_paired_gap_draw(rng, k->effect, k->n, st->alpha, st->conf, ws->work, &d, err);
  }
  vagap_power_draw_pack(&d, out);
  (void)rep;
  return s;
}

/* The SEM design of every condition (borrowing from the setup). */
static vagap_power_sem_t *sem_designs(const power_study_t *st, const sem_setup_t *s,
                                      size_t **nbuf) {
  vagap_power_sem_t *d = calloc(st->ncond, sizeof *d);
  *nbuf = malloc(st->ncond * s->ngroups * sizeof **nbuf);
  if (!d || !*nbuf) {
    free(d);
    return NULL;
  }
  int inv = strcmp(st->analysis->name, "invariance") == 0;
  for (size_t i = 0; i < st->ncond; i++) {
    const power_cond_t *k = &st->cond[i];
    const simcli_pop_t *p = &s->pop[k->model];
    size_t *n = *nbuf + i * s->ngroups;
    for (size_t g = 0; g < s->ngroups; g++) n[g] = k->n;
    d[i] = (vagap_power_sem_t){.ngroups = s->ngroups, .nvar = p->nvar,
                               .var = (const char *const *)p->model->ov, .n = n, .mu = p->mu,
                               .chol = p->chol, .vm = p->vm, .fit_model = s->fit[k->model],
                               .target = k->target, .fit_opt = &s->fopt,
                               .start = inv ? NULL : s->start[k->model],
                               .alpha = st->alpha,
                               .invariance_syntax = inv ? s->fit_syntax[k->model] : NULL,
                               .invariance_base = &s->mopt, .steps = s->steps,
                               .vaar_spec = s->vaar_spec, .vaar_group = k->design[3]};
  }
  return d;
}

static void replication_done(size_t done, size_t total, void *meter) {
  cli_progress_tick(meter, (double)done, (double)total);
}

static int run_study(const cli_common_t *c, const power_args_t *a, power_study_t *st,
                     const sem_setup_t *sem) {
  run_ctx_t ctx = {.st = st, .sem = sem};
  size_t *nbuf = NULL;
  for (size_t i = 0; i < st->ncond; i++)
    if (st->cond[i].n > ctx.max_n) ctx.max_n = st->cond[i].n;
  if (st->analysis->sem && !(ctx.design = sem_designs(st, sem, &nbuf))) {
    fputs("vagap power: out of memory\n", stderr);
    return CLI_EXIT_DATA;
  }
  size_t nrep = (size_t)(a->rep_to - a->rep_from + 1);
  int rc = CLI_EXIT_OK;
  if (nrep > SIZE_MAX / VAGAP_POWER_DRAW_NOUT / st->ncond / sizeof(double)) {
    fputs("vagap power: too many replications for one run; split them with FROM:TO\n", stderr);
    rc = CLI_EXIT_USAGE;
    goto done;
  }
  ws_owner = &ctx;
  vagap_sim_plan_t plan = {.ncond = st->ncond, .rep_from = a->rep_from, .rep_to = a->rep_to,
                           .nout = VAGAP_POWER_DRAW_NOUT, .seed = a->seed,
                           .threads = (unsigned)a->threads, .ctx = &ctx,
                           .ws_alloc = run_ws_alloc, .ws_free = run_ws_free,
                           .replicate = run_replicate};
  /* progress on stderr (a terminal, or --progress); under MPI rank 0 shows its own block */
  cli_progress_t meter;
  char what[64] = "simulation";
  if (simcli_dist_size() > 1) snprintf(what, sizeof what, "simulation (rank 0 of %d)", simcli_dist_size());
  cli_progress_start(&meter, c, what, "replications");
  if (simcli_dist_rank() == 0 && cli_progress_wanted(c)) {
    plan.progress = replication_done;
    plan.progress_ctx = &meter;
  }
  double *out = NULL;
  rc = simcli_dist_run(&plan, &out);
  cli_progress_finish(&meter);
  if (rc != CLI_EXIT_OK || !out) goto done; /* !out: an MPI rank other than 0 */
  st->acc = calloc(st->ncond, sizeof *st->acc);
  if (!st->acc) {
    fputs("vagap power: out of memory\n", stderr);
    rc = CLI_EXIT_DATA;
  }
  for (size_t k = 0; k < st->ncond && st->acc; k++) {
    vagap_power_acc_init(&st->acc[k], a->rep_from, a->rep_to);
    for (size_t r = 0; r < nrep; r++) {
      vagap_power_draw_t d;
      vagap_power_draw_unpack(out + (k * nrep + r) * VAGAP_POWER_DRAW_NOUT, &d);
      vagap_power_acc_add(&st->acc[k], &d, st->cond[k].truth);
    }
  }
  free(out);
done:
  free(ctx.design);
  free(nbuf);
  return rc;
}

static int write_outputs(const cli_common_t *c, const power_study_t *st, const char *plot) {
  int rc = power_write_study(c, st);
  if (rc == CLI_EXIT_OK && plot) rc = power_write_plot(plot, st);
  return rc;
}

int cmd_power(int argc, char **argv) {
  cli_common_t c;
  cli_common_init(&c, "power");
  simcli_dist_begin();
  power_args_t a = {.rep_from = 1, .rep_to = 1000, .seed = 1, .alpha = 0.05, .conf = 0.95,
                    .stated_agree = 0.5};
  semcli_lavaan_init(&a.lav);
  int p = parse_args(argc, argv, &c, &a);
  if (p) return simcli_dist_finish(p < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK);
  power_study_t st = {0};
  sem_setup_t sem;
  memset(&sem, 0, sizeof sem);
  int rc;
  if (a.merge) {
    if (a.analysis || a.effect || a.n || a.nmodel)
      rc = cli_usage_error(&c, "--merge takes the design from the files, not from options");
    else if (simcli_dist_rank() != 0)
      rc = CLI_EXIT_OK; /* one process merges */
    else
      rc = power_merge_files(&c, argc, argv, &st);
    if (rc == CLI_EXIT_OK && a.plot && st.acc) rc = power_write_plot(a.plot, &st);
  } else if (optind < argc) {
    rc = cli_usage_error(&c, "unexpected argument '%s'", argv[optind]);
  } else {
    st.analysis = a.analysis;
    st.seed = a.seed;
    st.alpha = a.alpha;
    st.conf = a.conf;
    vagap_error_t cerr;
    rc = semcli_lavaan_load_constraints(&a.lav, &cerr) ? cli_report_error(&cerr) : CLI_EXIT_OK;
    if (rc == CLI_EXIT_OK) rc = build_grid(&c, &a, &st, &sem);
    if (rc == CLI_EXIT_OK) rc = run_study(&c, &a, &st, &sem);
    if (rc == CLI_EXIT_OK && st.acc) rc = write_outputs(&c, &st, a.plot);
  }
  sem_setup_free(&sem, a.nmodel);
  semcli_lavaan_free(&a.lav);
  power_study_free(&st);
  return simcli_dist_finish(rc);
}
