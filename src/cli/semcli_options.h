/*
 * semcli_options.h - the lavaan sem() arguments that vagap's SEM commands
 * share (vagap sem, sem --invariance/--bootstrap, vaar --model), spelled as
 * lavaan spells them with dashes for dots: --std-lv, --fixed-x,
 * --meanstructure, --likelihood, --missing, --estimator, --se, --test,
 * --information, --cfa, --sem, --growth, --lavaan, --orthogonal, --constraints and
 * lavaan()'s switches --int-ov-free, --int-lv-free, --auto-*.  A logical takes true/false (R's spellings
 * TRUE/FALSE/T/F/True/False too) as --opt=value or --opt value, and alone
 * means true.  lavaan arguments vagap does not support yet are recognised
 * and refused as usage errors that name them (never "unknown option").
 */
#ifndef VAGAP_SEMCLI_OPTIONS_H
#define VAGAP_SEMCLI_OPTIONS_H

#include "cli.h"
#include "vagap/sem.h"
#include "vagap/sem_call.h"

/* Which lavaan function the options stand for: sem() and cfa() (the same
   defaults), growth(), or the bare lavaan() where nothing is automatic. */
typedef enum { SEMCLI_FN_SEM = 0, SEMCLI_FN_GROWTH, SEMCLI_FN_LAVAAN } semcli_function_t;

typedef struct {
  int std_lv;                      /* 0 */
  int fixed_x;                     /* 1 */
  int meanstructure;               /* -1: lavaan's "default" (on with groups or ~1) */
  vagap_sem_likelihood_t likelihood;
  semcli_function_t function;      /* SEM; --growth, --lavaan */
  const char *function_option;     /* the option that chose it ("growth", "lavaan"), for messages */
  int orthogonal;                  /* 0; 1: covariances between latents fixed to 0 */
  int sw[VAGAP_SEM_CALL_NSWITCHES]; /* lavaan()'s switches by vagap_sem_call_switch_name's index:
                                      -1 not given, else the value given */
  const char *constraints_path;    /* --constraints FILE (lavaan's constraints=) */
  char *constraints_text;          /* its text and parsed lines (semcli_lavaan_load_constraints) */
  vagap_sem_syntax_t *constraints;
  /* estimation: lavaan's estimator=, missing=, information=, se=, test= (DEFAULT: lavaan's choice) */
  vagap_sem_estimator_t estimator;
  vagap_sem_missing_t missing;
  vagap_sem_information_t information;
  vagap_sem_se_t se;
  vagap_sem_test_t test;
  /* lavaan's ordered=: a list of columns, or all the model's observed variables */
  const char *ordered;             /* NULL */
  int ordered_all;                 /* 0; 1: --ordered alone (lavaan's ordered = TRUE) */
  int theta;                       /* 0; 1: --parameterization theta */
  const char *levels;              /* --levels: text codes of the ordered columns, in order (NULL) */
  int estimator_given;             /* 1 when --estimator was given (ML is refused with --ordered) */
} semcli_lavaan_t;

/* 1 when the analysis has ordered indicators (--ordered). */
int semcli_lavaan_categorical(const semcli_lavaan_t *o);
/* After all options: the estimation choices against --ordered (a usage error, -1, when
   vagap does not implement them; 1 when fine). */
int semcli_lavaan_check(cli_common_t *c, const semcli_lavaan_t *o);

void semcli_lavaan_init(semcli_lavaan_t *o);
/*
 * The command's model options (initialised first) from the model-building
 * choices: std.lv, fixed.x, meanstructure, orthogonal, parameterization, the
 * --constraints file, and the function's int.*.free / auto.* values.  They
 * come from the library's lavaan call built from these options
 * (vagap_sem_call_model_options), which applies lavaan's per-function rules
 * for the program and the bindings alike.  As in lavaan, sem()/cfa()/growth()
 * set the int.*.free and auto.* switches themselves and ignore the user's: a
 * switch given without --lavaan is ignored with a warning on stderr (c may be
 * NULL: no warning).  Exits (CLI_EXIT_DATA) if memory runs out.
 */
void semcli_lavaan_apply(const cli_common_t *c, const semcli_lavaan_t *o, vagap_sem_model_options_t *m);

/* Read and parse the --constraints file (nothing without one), so that
   semcli_lavaan_apply passes it to every model built; errors are located in
   the file.  semcli_lavaan_free releases it after the last model is built. */
vagap_status_t semcli_lavaan_load_constraints(semcli_lavaan_t *o, vagap_error_t *err);
void semcli_lavaan_free(semcli_lavaan_t *o);
/* Copy the estimation choices (likelihood, estimator, missing, information, se, test) into fit options. */
void semcli_lavaan_fit_apply(const semcli_lavaan_t *o, vagap_sem_fit_options_t *f);

enum {
  SEMCLI_OPT_STD_LV = 1100, SEMCLI_OPT_FIXED_X, SEMCLI_OPT_NO_FIXED_X, SEMCLI_OPT_MEANSTRUCTURE,
  SEMCLI_OPT_LIKELIHOOD, SEMCLI_OPT_MISSING, SEMCLI_OPT_ESTIMATOR, SEMCLI_OPT_SE, SEMCLI_OPT_TEST,
  SEMCLI_OPT_INFORMATION, SEMCLI_OPT_CFA, SEMCLI_OPT_SEM, SEMCLI_OPT_GROWTH, SEMCLI_OPT_ORTHOGONAL,
  SEMCLI_OPT_LAVAAN, SEMCLI_OPT_CONSTRAINTS, SEMCLI_OPT_ORDERED, SEMCLI_OPT_PARAMETERIZATION, SEMCLI_OPT_LEVELS,
  SEMCLI_OPT_SWITCH = 1120,     /* + k: vagap_sem_call_switch_name(k) */
  SEMCLI_OPT_UNSUPPORTED = 1150 /* + index in unsupported_names (semcli_options.c) */
};

/* getopt_long entries: append to a command's option table.  The switches are lavaan's
   names with dashes for dots, in vagap_sem_call_switch_name's order (test_semcli checks). */
#define SEMCLI_LAVAAN_LONG_OPTIONS                                                      \
  {"std-lv", optional_argument, 0, SEMCLI_OPT_STD_LV},                                  \
  {"fixed-x", optional_argument, 0, SEMCLI_OPT_FIXED_X},                                \
  {"no-fixed-x", no_argument, 0, SEMCLI_OPT_NO_FIXED_X},                                \
  {"meanstructure", optional_argument, 0, SEMCLI_OPT_MEANSTRUCTURE},                    \
  {"likelihood", required_argument, 0, SEMCLI_OPT_LIKELIHOOD},                          \
  {"missing", required_argument, 0, SEMCLI_OPT_MISSING},                                \
  {"estimator", required_argument, 0, SEMCLI_OPT_ESTIMATOR},                            \
  {"se", required_argument, 0, SEMCLI_OPT_SE},                                          \
  {"test", required_argument, 0, SEMCLI_OPT_TEST},                                      \
  {"information", required_argument, 0, SEMCLI_OPT_INFORMATION},                        \
  {"cfa", no_argument, 0, SEMCLI_OPT_CFA},                                              \
  {"sem", no_argument, 0, SEMCLI_OPT_SEM},                                              \
  {"growth", optional_argument, 0, SEMCLI_OPT_GROWTH},                                  \
  {"lavaan", no_argument, 0, SEMCLI_OPT_LAVAAN},                                        \
  {"constraints", required_argument, 0, SEMCLI_OPT_CONSTRAINTS},                        \
  {"orthogonal", optional_argument, 0, SEMCLI_OPT_ORTHOGONAL},                          \
  {"int-ov-free", optional_argument, 0, SEMCLI_OPT_SWITCH + 0},                         \
  {"int-lv-free", optional_argument, 0, SEMCLI_OPT_SWITCH + 1},                         \
  {"auto-fix-first", optional_argument, 0, SEMCLI_OPT_SWITCH + 2},                      \
  {"auto-fix-single", optional_argument, 0, SEMCLI_OPT_SWITCH + 3},                     \
  {"auto-var", optional_argument, 0, SEMCLI_OPT_SWITCH + 4},                            \
  {"auto-cov-lv-x", optional_argument, 0, SEMCLI_OPT_SWITCH + 5},                       \
  {"auto-cov-y", optional_argument, 0, SEMCLI_OPT_SWITCH + 6},                          \
  {"auto-th", optional_argument, 0, SEMCLI_OPT_SWITCH + 7},                             \
  {"auto-delta", optional_argument, 0, SEMCLI_OPT_SWITCH + 8},                          \
  {"auto-efa", optional_argument, 0, SEMCLI_OPT_SWITCH + 9},                            \
  {"conditional-x", optional_argument, 0, SEMCLI_OPT_UNSUPPORTED + 0},                  \
  {"cluster", required_argument, 0, SEMCLI_OPT_UNSUPPORTED + 1},                        \
  {"sampling-weights", required_argument, 0, SEMCLI_OPT_UNSUPPORTED + 2},               \
  {"ordered", optional_argument, 0, SEMCLI_OPT_ORDERED},                                \
  {"parameterization", required_argument, 0, SEMCLI_OPT_PARAMETERIZATION},              \
  {"levels", required_argument, 0, SEMCLI_OPT_LEVELS},                                  \
  {"bounds", required_argument, 0, SEMCLI_OPT_UNSUPPORTED + 5}

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
