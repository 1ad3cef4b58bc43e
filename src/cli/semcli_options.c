/*
 * semcli_options.c - lavaan's sem() arguments shared by the SEM commands
 * (see semcli_options.h).
 */
#include "semcli_options.h"
#include "semcli_data.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static const char *const unsupported_names[] = {"conditional-x", "cluster", "sampling-weights",
                                                "ordered", "parameterization", "bounds"};

const char SEMCLI_LAVAAN_OPTIONS_HELP[] =
    "lavaan's sem() arguments (dots written as dashes; a logical is true/false, alone true):\n"
    "      --std-lv[=BOOL]    identify latents by unit variance instead of marker loadings\n"
    "      --fixed-x[=BOOL]   exogenous observed covariates fixed at their sample values\n"
    "                         (default true; --no-fixed-x = --fixed-x=false)\n"
    "      --meanstructure[=BOOL]  means and intercepts (default: with groups or ~1 in the syntax)\n"
    "      --likelihood L     normal (default, divisor n) or wishart (divisor n-1)\n"
    "      --missing M        listwise (default); ml (fiml, direct): full-information ML\n"
    "                         over missing-data patterns (rows missing a fixed.x covariate\n"
    "                         deleted, as lavaan); ml.x: those rows kept too; with\n"
    "                         --ordered also pairwise\n"
    "      --estimator E      ML (default), MLR (Huber-White SEs, Yuan-Bentler test; also\n"
    "                         with --missing ml),\n"
    "                         MLM (robust.sem SEs, Satorra-Bentler), MLMV (scaled.shifted),\n"
    "                         MLMVS (mean.var.adjusted); robust ones need DATA, not --from-stats;\n"
    "                         with --ordered WLSMV (default), DWLS, WLS, ULS, ULSMV\n"
    "      --se S             standard, robust.sem, robust.huber.white, none (default: the\n"
    "                         estimator's)\n"
    "      --test T           standard, satorra.bentler, yuan.bentler, yuan.bentler.mplus,\n"
    "                         scaled.shifted, mean.var.adjusted, none (default: the\n"
    "                         estimator's)\n"
    "      --information I    expected, observed (the Hessian), first.order (default:\n"
    "                         observed with Huber-White SEs or --missing ml, else expected)\n"
    "      --ordered[=COLS]   ordered (categorical) indicators: the listed columns, or alone\n"
    "                         every observed variable of the model (lavaan's ordered=TRUE);\n"
    "                         thresholds, polychoric correlations, WLSMV (see the manual)\n"
    "      --levels LIST      with --ordered: the text codes of the ordered columns in order,\n"
    "                         e.g. 'disagree,neutral,agree' (category k = the k-th)\n"
    "      --parameterization P  the latent responses' scaling with --ordered: delta\n"
    "                         (default; scale factors) or theta (residual variances)\n"
    "      --cfa, --sem       lavaan's cfa() and sem() defaults (the same; the default)\n"
    "      --growth[=BOOL]    lavaan's growth(): observed intercepts fixed to 0, latent\n"
    "                         means free, mean structure on\n"
    "      --lavaan           lavaan's lavaan(): nothing automatic; the model syntax names\n"
    "                         every parameter unless a switch below says otherwise\n"
    "      --orthogonal[=BOOL]  covariances between latent variables fixed to 0\n"
    "      --constraints FILE more ==, <, > lines over the model's labels (lavaan's\n"
    "                         constraints= argument; with --invariance in every model)\n"
    "  lavaan()'s switches (with --lavaan; sem(), cfa() and growth() set them all\n"
    "  themselves and ignore them, as vagap does with a warning):\n"
    "      --int-ov-free[=BOOL]  intercepts of observed variables free (else 0)\n"
    "      --int-lv-free[=BOOL]  means of latent variables free (else 0)\n"
    "      --auto-fix-first[=BOOL]  first loading of each latent fixed to 1\n"
    "      --auto-fix-single[=BOOL] with --auto-var: a single indicator has no residual variance\n"
    "      --auto-var[=BOOL]  (residual) variances free (else those not in the syntax are 0)\n"
    "      --auto-cov-lv-x[=BOOL]  covariances among exogenous latent variables\n"
    "      --auto-cov-y[=BOOL]  covariances among endogenous latents and outcomes\n"
    "      --auto-th, --auto-delta, --auto-efa [=BOOL]  accepted; vagap always adds the\n"
    "                         thresholds and scale factors of ordered variables, and fits no efa()\n"
    "  recognised but not implemented yet (a usage error):\n"
    "      --conditional-x --cluster --sampling-weights --bounds\n";

void semcli_lavaan_init(semcli_lavaan_t *o) {
  o->std_lv = 0;
  o->fixed_x = 1;
  o->meanstructure = -1;
  o->likelihood = VAGAP_SEM_LIKELIHOOD_NORMAL;
  o->function = SEMCLI_FN_SEM;
  o->function_option = NULL;
  o->orthogonal = 0;
  for (int i = 0; i < VAGAP_SEM_CALL_NSWITCHES; i++) o->sw[i] = -1;
  o->constraints_path = NULL;
  o->constraints_text = NULL;
  o->constraints = NULL;
  o->estimator = VAGAP_SEM_ESTIMATOR_ML;
  o->missing = VAGAP_SEM_MISSING_DEFAULT;
  o->information = VAGAP_SEM_INFORMATION_DEFAULT;
  o->se = VAGAP_SEM_SE_DEFAULT;
  o->test = VAGAP_SEM_TEST_DEFAULT;
  o->ordered = NULL;
  o->ordered_all = 0;
  o->theta = 0;
  o->levels = NULL;
  o->estimator_given = 0;
}

int semcli_lavaan_categorical(const semcli_lavaan_t *o) { return o->ordered != NULL || o->ordered_all; }

void semcli_lavaan_fit_apply(const semcli_lavaan_t *o, vagap_sem_fit_options_t *f) {
  f->likelihood = o->likelihood;
  f->estimator = o->estimator;
  f->missing = o->missing;
  f->information = o->information;
  f->se = o->se;
  f->test = o->test;
}

/* The estimation choices so far must name lavaan values that vagap implements:
   a usage error with the library's message otherwise (1 ok, -1 error). */
static int estimation_supported(cli_common_t *c, const semcli_lavaan_t *o) {
  vagap_sem_fit_options_t f;
  vagap_error_t err;
  vagap_sem_fit_options_init(&f);
  semcli_lavaan_fit_apply(o, &f);
  vagap_error_clear(&err);
  int cat = semcli_lavaan_categorical(o);
  /* the categorical estimators wait for --ordered, which may come later (semcli_lavaan_check) */
  if (!cat && (o->estimator == VAGAP_SEM_ESTIMATOR_WLSMV || o->estimator == VAGAP_SEM_ESTIMATOR_DWLS ||
               o->estimator == VAGAP_SEM_ESTIMATOR_ULSMV || o->estimator == VAGAP_SEM_ESTIMATOR_WLS ||
               o->estimator == VAGAP_SEM_ESTIMATOR_ULS))
    return 1;
  if (vagap_sem_fit_options_resolve(&f, cat, &err)) return cli_usage_error(c, "%s", err.message), -1;
  return 1;
}

int semcli_lavaan_check(cli_common_t *c, const semcli_lavaan_t *o) {
  if (o->levels && !semcli_lavaan_categorical(o)) return cli_usage_error(c, "--levels needs --ordered"), -1;
  if (semcli_lavaan_categorical(o) && o->estimator_given && o->estimator == VAGAP_SEM_ESTIMATOR_ML)
    return cli_usage_error(c, "--estimator ML is not available for ordered data (as in lavaan): use WLSMV "
                              "(the default with --ordered)"), -1;
  vagap_sem_fit_options_t f;
  vagap_error_t err;
  vagap_sem_fit_options_init(&f);
  semcli_lavaan_fit_apply(o, &f);
  vagap_error_clear(&err);
  if (vagap_sem_fit_options_resolve(&f, semcli_lavaan_categorical(o), &err))
    return cli_usage_error(c, "%s", err.message), -1;
  return 1;
}

vagap_status_t semcli_lavaan_load_constraints(semcli_lavaan_t *o, vagap_error_t *err) {
  if (!o->constraints_path || o->constraints) return VAGAP_OK;
  vagap_status_t st = semcli_read_text(o->constraints_path, &o->constraints_text, err);
  if (!st) st = vagap_sem_syntax_parse(&o->constraints, o->constraints_text, o->constraints_path, err);
  return st;
}

void semcli_lavaan_free(semcli_lavaan_t *o) {
  vagap_sem_syntax_free(o->constraints);
  free(o->constraints_text);
  o->constraints = NULL;
  o->constraints_text = NULL;
}

/* lavaan's name of switch k as the option spells it (dashes for dots) */
static const char *switch_option(size_t k, char *buf, size_t size) {
  snprintf(buf, size, "%s", vagap_sem_call_switch_name(k));
  for (char *q = buf; *q; q++)
    if (*q == '.') *q = '-';
  return buf;
}

static const char *logical_text(int v) { return v ? "TRUE" : "FALSE"; }

/* The lavaan call these options stand for (its model-building arguments); NULL when
   memory runs out (every value here is one the call's parser takes). */
static vagap_sem_call_t *lavaan_call(const semcli_lavaan_t *o) {
  static const char *const functions[] = {"sem", "growth", "lavaan"}; /* by semcli_function_t */
  vagap_sem_call_t *call;
  vagap_error_t err;
  if (vagap_sem_call_new(&call, functions[o->function], &err)) return NULL;
  const char *args[][2] = {
      {"std.lv", logical_text(o->std_lv)},
      {"fixed.x", logical_text(o->fixed_x)},
      {"meanstructure", o->meanstructure < 0 ? "default" : logical_text(o->meanstructure)},
      {"orthogonal", logical_text(o->orthogonal)},
      {"missing", vagap_sem_missing_name(o->missing)}, /* missing = "ml" forces the mean structure */
      {"parameterization", o->theta ? "theta" : "delta"}};
  vagap_status_t st = VAGAP_OK;
  for (size_t i = 0; !st && i < sizeof args / sizeof args[0]; i++)
    st = vagap_sem_call_set(call, args[i][0], args[i][1], &err);
  for (size_t k = 0; !st && k < VAGAP_SEM_CALL_NSWITCHES; k++)
    if (o->sw[k] >= 0) st = vagap_sem_call_set(call, vagap_sem_call_switch_name(k), logical_text(o->sw[k]), &err);
  if (st) {
    vagap_sem_call_free(call);
    return NULL;
  }
  return call;
}

void semcli_lavaan_apply(const cli_common_t *c, const semcli_lavaan_t *o, vagap_sem_model_options_t *m) {
  vagap_sem_call_t *call = lavaan_call(o);
  if (!call) {
    fputs("vagap: out of memory\n", stderr);
    exit(CLI_EXIT_DATA);
  }
  const vagap_sem_model_options_t own = *m; /* the command's: group equalities, ordered variables */
  vagap_sem_call_model_options(call, m);
  vagap_sem_call_free(call);
  m->group_equal = own.group_equal;
  m->group_partial = own.group_partial;
  m->n_group_partial = own.n_group_partial;
  m->ordered = own.ordered;
  m->ordered_nth = own.ordered_nth;
  m->n_ordered = own.n_ordered;
  m->constraints = o->constraints;
  m->constraints_source = o->constraints_path;
  if (o->function == SEMCLI_FN_LAVAAN || !c) return;
  for (size_t k = 0; k < VAGAP_SEM_CALL_NSWITCHES; k++) { /* sem()/cfa()/growth() overwrite them */
    char name[32];
    if (o->sw[k] >= 0)
      cli_warn(c, "--%s is ignored without --lavaan: lavaan's %s() sets it itself (use --lavaan "
                  "for the bare lavaan() function)", switch_option(k, name, sizeof name),
               o->function == SEMCLI_FN_GROWTH ? "growth" : "sem");
  }
}

/* --growth, --lavaan (and --cfa/--sem): one lavaan function per call */
static int set_function(cli_common_t *c, semcli_lavaan_t *o, semcli_function_t f, const char *option) {
  if (o->function != SEMCLI_FN_SEM && f != o->function)
    return cli_usage_error(c, "--%s and --%s choose different lavaan functions; give one of them",
                           o->function_option, option), -1;
  o->function = f;
  o->function_option = option;
  return 1;
}

/* R's as.logical spellings: 1 true, 0 false, -1 not a logical word */
static int logical_word(const char *s) {
  static const char *const yes[] = {"true", "TRUE", "True", "T"}, *const no[] = {"false", "FALSE", "False", "F"};
  for (size_t i = 0; i < 4; i++) {
    if (!strcmp(s, yes[i])) return 1;
    if (!strcmp(s, no[i])) return 0;
  }
  return -1;
}

/* --opt, --opt=BOOL or --opt BOOL; -1 after a usage error */
static int logical_value(cli_common_t *c, const char *name, const char *arg, int argc, char **argv,
                         int *optind_p) {
  if (arg) {
    int v = logical_word(arg);
    if (v < 0) return cli_usage_error(c, "--%s: expected true or false, found '%s'", name, arg), -1;
    return v;
  }
  if (*optind_p < argc) {
    int v = logical_word(argv[*optind_p]);
    if (v >= 0) {
      (*optind_p)++;
      return v;
    }
  }
  return 1;
}

/* --missing, --estimator, --se, --test, --information: lavaan's values, then what vagap implements */
static int estimation_option(cli_common_t *c, semcli_lavaan_t *o, int opt, const char *arg) {
  vagap_error_t err;
  vagap_error_clear(&err);
  vagap_status_t st = VAGAP_OK;
  switch (opt) {
    case SEMCLI_OPT_MISSING: st = vagap_sem_missing_parse(arg, &o->missing, &err); break;
    case SEMCLI_OPT_ESTIMATOR:
      st = vagap_sem_estimator_parse(arg, &o->estimator, &err);
      o->estimator_given = strcasecmp(arg, "default") != 0;
      break;
    case SEMCLI_OPT_INFORMATION: st = vagap_sem_information_parse(arg, &o->information, &err); break;
    case SEMCLI_OPT_TEST: st = vagap_sem_test_parse(arg, &o->test, &err); break;
    default:
      if (!strcmp(arg, "bootstrap"))
        return cli_usage_error(c, "--se bootstrap: use --bootstrap B (lavaan's se = \"bootstrap\" "
                                  "with B resamples)"), -1;
      st = vagap_sem_se_parse(arg, &o->se, &err);
      break;
  }
  if (st) return cli_usage_error(c, "%s", err.message), -1;
  return estimation_supported(c, o);
}

int semcli_lavaan_option(cli_common_t *c, semcli_lavaan_t *o, int opt, const char *arg, int argc,
                         char **argv, int *optind_p) {
  int v;
  switch (opt) {
    case SEMCLI_OPT_STD_LV:
      if ((v = logical_value(c, "std-lv", arg, argc, argv, optind_p)) < 0) return -1;
      o->std_lv = v;
      return 1;
    case SEMCLI_OPT_FIXED_X:
      if ((v = logical_value(c, "fixed-x", arg, argc, argv, optind_p)) < 0) return -1;
      o->fixed_x = v;
      return 1;
    case SEMCLI_OPT_NO_FIXED_X: o->fixed_x = 0; return 1;
    case SEMCLI_OPT_MEANSTRUCTURE:
      if (arg && !strcmp(arg, "default")) { o->meanstructure = -1; return 1; }
      if ((v = logical_value(c, "meanstructure", arg, argc, argv, optind_p)) < 0) return -1;
      o->meanstructure = v;
      return 1;
    case SEMCLI_OPT_LIKELIHOOD:
      if (!strcmp(arg, "normal") || !strcmp(arg, "default")) o->likelihood = VAGAP_SEM_LIKELIHOOD_NORMAL;
      else if (!strcmp(arg, "wishart")) o->likelihood = VAGAP_SEM_LIKELIHOOD_WISHART;
      else return cli_usage_error(c, "--likelihood: expected normal or wishart, found '%s'", arg), -1;
      return 1;
    case SEMCLI_OPT_MISSING:
    case SEMCLI_OPT_ESTIMATOR:
    case SEMCLI_OPT_SE:
    case SEMCLI_OPT_TEST:
    case SEMCLI_OPT_INFORMATION: return estimation_option(c, o, opt, arg);
    case SEMCLI_OPT_CFA:
    case SEMCLI_OPT_SEM: /* cfa() and sem() have the same defaults in lavaan 0.6 */
      if (o->function != SEMCLI_FN_SEM)
        return cli_usage_error(c, "--%s and --%s choose different lavaan functions; give one of them",
                               o->function_option, opt == SEMCLI_OPT_CFA ? "cfa" : "sem"), -1;
      return 1;
    case SEMCLI_OPT_GROWTH:
      if ((v = logical_value(c, "growth", arg, argc, argv, optind_p)) < 0) return -1;
      if (v) return set_function(c, o, SEMCLI_FN_GROWTH, "growth");
      if (o->function == SEMCLI_FN_GROWTH) o->function = SEMCLI_FN_SEM;
      return 1;
    case SEMCLI_OPT_LAVAAN: return set_function(c, o, SEMCLI_FN_LAVAAN, "lavaan");
    case SEMCLI_OPT_CONSTRAINTS: o->constraints_path = arg; return 1;
    case SEMCLI_OPT_ORTHOGONAL:
      if ((v = logical_value(c, "orthogonal", arg, argc, argv, optind_p)) < 0) return -1;
      o->orthogonal = v;
      return 1;
    case SEMCLI_OPT_ORDERED: {
      /* --ordered=COLS, --ordered COLS (when the next argument is not an option nor an
         existing file: the data), or --ordered alone (every observed variable) */
      struct stat sb;
      if (!arg && *optind_p < argc && argv[*optind_p][0] != '-' && stat(argv[*optind_p], &sb) != 0)
        arg = argv[(*optind_p)++];
      if (arg && (!strcmp(arg, "TRUE") || !strcmp(arg, "true"))) arg = NULL;
      o->ordered = arg;
      o->ordered_all = arg == NULL;
      return estimation_supported(c, o);
    }
    case SEMCLI_OPT_LEVELS: o->levels = arg; return 1;
    case SEMCLI_OPT_PARAMETERIZATION:
      if (!strcmp(arg, "delta") || !strcmp(arg, "default")) { o->theta = 0; return 1; }
      if (!strcmp(arg, "theta")) { o->theta = 1; return 1; }
      return cli_usage_error(c, "--parameterization: expected delta or theta, found '%s'", arg), -1;
    default: break;
  }
  if (opt >= SEMCLI_OPT_SWITCH && opt < SEMCLI_OPT_SWITCH + VAGAP_SEM_CALL_NSWITCHES) {
    int k = opt - SEMCLI_OPT_SWITCH;
    char name[32];
    if ((v = logical_value(c, switch_option((size_t)k, name, sizeof name), arg, argc, argv, optind_p)) < 0)
      return -1;
    o->sw[k] = v;
    return 1;
  }
  if (opt >= SEMCLI_OPT_UNSUPPORTED &&
      opt < SEMCLI_OPT_UNSUPPORTED + (int)(sizeof unsupported_names / sizeof unsupported_names[0])) {
    const char *name = unsupported_names[opt - SEMCLI_OPT_UNSUPPORTED];
    char dotted[32];
    snprintf(dotted, sizeof dotted, "%s", name);
    for (char *q = dotted; *q; q++)
      if (*q == '-') *q = '.';
    return cli_usage_error(c, "--%s (lavaan's %s argument) is not supported by vagap yet", name, dotted), -1;
  }
  return 0;
}
