/*
 * semcli_options.h - the lavaan sem() arguments that vagap's SEM commands
 * share (vagap sem, sem --invariance/--bootstrap, vaar --model), spelled as
 * lavaan spells them with dashes for dots: --std-lv, --fixed-x,
 * --meanstructure, --likelihood, --missing, --estimator, --se, --test,
 * --information, --cfa, --sem.  A logical takes true/false (R's spellings
 * TRUE/FALSE/T/F/True/False too) as --opt=value or --opt value, and alone
 * means true.  lavaan arguments vagap does not support yet are recognised
 * and refused as usage errors that name them (never "unknown option").
 */
#ifndef VAGAP_SEMCLI_OPTIONS_H
#define VAGAP_SEMCLI_OPTIONS_H

#include "cli.h"
#include "vagap/sem.h"

typedef struct {
  int std_lv;                      /* 0 */
  int fixed_x;                     /* 1 */
  int meanstructure;               /* -1: lavaan's "default" (on with groups or ~1) */
  vagap_sem_likelihood_t likelihood;
  int growth;                      /* 0; 1: lavaan's growth() defaults */
  int orthogonal;                  /* 0; 1: exogenous latent covariances fixed to 0 */
  /* estimation: lavaan's estimator=, missing=, information=, se=, test= (DEFAULT: lavaan's choice) */
  vagap_sem_estimator_t estimator;
  vagap_sem_missing_t missing;
  vagap_sem_information_t information;
  vagap_sem_se_t se;
  vagap_sem_test_t test;
} semcli_lavaan_t;

void semcli_lavaan_init(semcli_lavaan_t *o);
/* Copy the model-building choices (std.lv, fixed.x, meanstructure, growth(),
   orthogonal) into a command's model options. */
void semcli_lavaan_apply(const semcli_lavaan_t *o, vagap_sem_model_options_t *m);
/* Copy the estimation choices (likelihood, estimator, missing, information, se, test) into fit options. */
void semcli_lavaan_fit_apply(const semcli_lavaan_t *o, vagap_sem_fit_options_t *f);

enum {
  SEMCLI_OPT_STD_LV = 1100, SEMCLI_OPT_FIXED_X, SEMCLI_OPT_NO_FIXED_X, SEMCLI_OPT_MEANSTRUCTURE,
  SEMCLI_OPT_LIKELIHOOD, SEMCLI_OPT_MISSING, SEMCLI_OPT_ESTIMATOR, SEMCLI_OPT_SE, SEMCLI_OPT_TEST,
  SEMCLI_OPT_INFORMATION, SEMCLI_OPT_CFA, SEMCLI_OPT_SEM, SEMCLI_OPT_GROWTH, SEMCLI_OPT_ORTHOGONAL,
  SEMCLI_OPT_UNSUPPORTED = 1150 /* + index in semcli_unsupported_names */
};

/* getopt_long entries: append to a command's option table. */
#define SEMCLI_LAVAAN_LONG_OPTIONS                                       \
  {"std-lv", optional_argument, 0, SEMCLI_OPT_STD_LV},                   \
  {"fixed-x", optional_argument, 0, SEMCLI_OPT_FIXED_X},                 \
  {"no-fixed-x", no_argument, 0, SEMCLI_OPT_NO_FIXED_X},                 \
  {"meanstructure", optional_argument, 0, SEMCLI_OPT_MEANSTRUCTURE},     \
  {"likelihood", required_argument, 0, SEMCLI_OPT_LIKELIHOOD},           \
  {"missing", required_argument, 0, SEMCLI_OPT_MISSING},                 \
  {"estimator", required_argument, 0, SEMCLI_OPT_ESTIMATOR},             \
  {"se", required_argument, 0, SEMCLI_OPT_SE},                           \
  {"test", required_argument, 0, SEMCLI_OPT_TEST},                       \
  {"information", required_argument, 0, SEMCLI_OPT_INFORMATION},         \
  {"cfa", no_argument, 0, SEMCLI_OPT_CFA},                               \
  {"sem", no_argument, 0, SEMCLI_OPT_SEM},                               \
  {"growth", optional_argument, 0, SEMCLI_OPT_GROWTH},                   \
  {"lavaan", optional_argument, 0, SEMCLI_OPT_UNSUPPORTED + 1},                     \
  {"orthogonal", optional_argument, 0, SEMCLI_OPT_ORTHOGONAL},           \
  {"int-ov-free", optional_argument, 0, SEMCLI_OPT_UNSUPPORTED + 3},                     \
  {"int-lv-free", optional_argument, 0, SEMCLI_OPT_UNSUPPORTED + 4},                     \
  {"auto-fix-first", optional_argument, 0, SEMCLI_OPT_UNSUPPORTED + 5},                     \
  {"auto-fix-single", optional_argument, 0, SEMCLI_OPT_UNSUPPORTED + 6},                     \
  {"auto-var", optional_argument, 0, SEMCLI_OPT_UNSUPPORTED + 7},                     \
  {"auto-cov-lv-x", optional_argument, 0, SEMCLI_OPT_UNSUPPORTED + 8},                     \
  {"auto-cov-y", optional_argument, 0, SEMCLI_OPT_UNSUPPORTED + 9},                     \
  {"conditional-x", optional_argument, 0, SEMCLI_OPT_UNSUPPORTED + 10},                     \
  {"cluster", required_argument, 0, SEMCLI_OPT_UNSUPPORTED + 11},                     \
  {"sampling-weights", required_argument, 0, SEMCLI_OPT_UNSUPPORTED + 12},                     \
  {"ordered", required_argument, 0, SEMCLI_OPT_UNSUPPORTED + 13},                     \
  {"parameterization", required_argument, 0, SEMCLI_OPT_UNSUPPORTED + 14},                     \
  {"bounds", required_argument, 0, SEMCLI_OPT_UNSUPPORTED + 15}

/*
 * Handle option `opt` (with optarg `arg`; a logical without "=value" may
 * take the next argument argv[*optind] when it is a logical word, and then
 * advances *optind).  Returns 1 when handled, 0 when not one of these
 * options, -1 after reporting a usage error.
 */
int semcli_lavaan_option(cli_common_t *c, semcli_lavaan_t *o, int opt, const char *arg, int argc,
                         char **argv, int *optind_p);

/* The --help lines of these options, in lavaan's words. */
extern const char SEMCLI_LAVAAN_OPTIONS_HELP[];

#endif
