/*
 * semcli_options.c - lavaan's sem() arguments shared by the SEM commands
 * (see semcli_options.h).
 */
#include "semcli_options.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const char *const unsupported_names[] = {"growth","lavaan","orthogonal","int-ov-free","int-lv-free","auto-fix-first","auto-fix-single","auto-var","auto-cov-lv-x","auto-cov-y","conditional-x","cluster","sampling-weights","ordered","parameterization","bounds"};

const char SEMCLI_LAVAAN_OPTIONS_HELP[] =
    "lavaan's sem() arguments (dots written as dashes; a logical is true/false, alone true):\n"
    "      --std-lv[=BOOL]    identify latents by unit variance instead of marker loadings\n"
    "      --fixed-x[=BOOL]   exogenous observed covariates fixed at their sample values\n"
    "                         (default true; --no-fixed-x = --fixed-x=false)\n"
    "      --meanstructure[=BOOL]  means and intercepts (default: with groups or ~1 in the syntax)\n"
    "      --likelihood L     normal (default, divisor n) or wishart (divisor n-1)\n"
    "      --missing M        listwise (default); ml (fiml, direct): full-information ML\n"
    "                         over missing-data patterns (rows missing a fixed.x covariate\n"
    "                         deleted, as lavaan); ml.x: those rows kept too\n"
    "      --estimator ML     maximum likelihood (the only one implemented)\n"
    "      --se standard      standard errors from the expected information\n"
    "      --test standard    the likelihood-ratio chi-square\n"
    "      --information I    expected (default) or observed (the default under --missing ml)\n"
    "      --cfa, --sem       lavaan's cfa() and sem() defaults (the same; the default)\n"
    "      --growth[=BOOL]    lavaan's growth(): observed intercepts fixed to 0, latent\n"
    "                         means free, mean structure on\n"
    "      --orthogonal[=BOOL]  covariances of exogenous latent variables fixed to 0\n"
    "  recognised but not implemented yet (a usage error): --lavaan\n"
    "      --int-ov-free --int-lv-free --auto-fix-first --auto-fix-single --auto-var\n"
    "      --auto-cov-lv-x --auto-cov-y --conditional-x --cluster --sampling-weights\n"
    "      --ordered --parameterization --bounds\n";

void semcli_lavaan_init(semcli_lavaan_t *o) {
  o->std_lv = 0;
  o->fixed_x = 1;
  o->meanstructure = -1;
  o->likelihood = VAGAP_SEM_LIKELIHOOD_NORMAL;
  o->growth = 0;
  o->orthogonal = 0;
  o->estimator = VAGAP_SEM_ESTIMATOR_ML;
  o->missing = VAGAP_SEM_MISSING_DEFAULT;
  o->information = VAGAP_SEM_INFORMATION_DEFAULT;
  o->se = VAGAP_SEM_SE_DEFAULT;
  o->test = VAGAP_SEM_TEST_DEFAULT;
}

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
  if (vagap_sem_fit_options_resolve(&f, 0, &err)) return cli_usage_error(c, "%s", err.message), -1;
  return 1;
}

void semcli_lavaan_apply(const semcli_lavaan_t *o, vagap_sem_model_options_t *m) {
  m->std_lv = o->std_lv;
  m->fixed_x = o->fixed_x;
  m->meanstructure = o->meanstructure;
  m->orthogonal = o->orthogonal;
  /* lavaan: "missing argument forces meanstructure = TRUE" */
  if (o->missing == VAGAP_SEM_MISSING_ML || o->missing == VAGAP_SEM_MISSING_ML_X) m->meanstructure = 1;
  if (o->growth) { /* growth(): intercepts of observed variables 0, latent means free */
    m->meanstructure = 1;
    m->int_ov_free = 0;
    m->int_lv_free = 1;
  }
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
    case SEMCLI_OPT_ESTIMATOR: st = vagap_sem_estimator_parse(arg, &o->estimator, &err); break;
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
    case SEMCLI_OPT_SEM: return 1; /* cfa() and sem() have the same defaults in lavaan 0.6 */
    case SEMCLI_OPT_GROWTH:
      if ((v = logical_value(c, "growth", arg, argc, argv, optind_p)) < 0) return -1;
      o->growth = v;
      return 1;
    case SEMCLI_OPT_ORTHOGONAL:
      if ((v = logical_value(c, "orthogonal", arg, argc, argv, optind_p)) < 0) return -1;
      o->orthogonal = v;
      return 1;
    default: break;
  }
  if (opt >= SEMCLI_OPT_UNSUPPORTED &&
      opt < SEMCLI_OPT_UNSUPPORTED + (int)(sizeof unsupported_names / sizeof unsupported_names[0])) {
    const char *name = unsupported_names[opt - SEMCLI_OPT_UNSUPPORTED];
    char dotted[32];
    snprintf(dotted, sizeof dotted, "%s", name);
    for (char *q = dotted; *q; q++)
      if (*q == '-') *q = '.';
    if (!strcmp(name, "lavaan"))
      return cli_usage_error(c, "--lavaan (lavaan's lavaan() function, nothing automatic) is not supported "
                                "by vagap yet; vagap fits sem()/cfa() (the default) and growth() (--growth)"), -1;
    return cli_usage_error(c, "--%s (lavaan's %s argument) is not supported by vagap yet", name, dotted), -1;
  }
  return 0;
}
