/*
 * sem_options.c - lavaan's estimation arguments (estimator=, missing=,
 * information=, se=, test=): their spellings, lavaan's defaults per
 * estimator, and what vagap implements.  The per-estimator defaults follow
 * lavaan 0.6's lav_options_set (estimator "MLR" means se =
 * "robust.huber.white", test = "yuan.bentler.mplus", and so on).
 */
#include <stdio.h>
#include <strings.h>
#include <string.h>

#include "vagap/sem.h"

typedef struct {
  const char *name;
  int value;
} name_value_t;

static const name_value_t estimators[] = {
    {"ML", VAGAP_SEM_ESTIMATOR_ML},       {"MLR", VAGAP_SEM_ESTIMATOR_MLR},
    {"MLM", VAGAP_SEM_ESTIMATOR_MLM},     {"MLMV", VAGAP_SEM_ESTIMATOR_MLMV},
    {"MLMVS", VAGAP_SEM_ESTIMATOR_MLMVS}, {"GLS", VAGAP_SEM_ESTIMATOR_GLS},
    {"ULS", VAGAP_SEM_ESTIMATOR_ULS},     {"WLS", VAGAP_SEM_ESTIMATOR_WLS},
    {"DWLS", VAGAP_SEM_ESTIMATOR_DWLS},   {"WLSMV", VAGAP_SEM_ESTIMATOR_WLSMV},
    {"ULSMV", VAGAP_SEM_ESTIMATOR_ULSMV}, {"DEFAULT", VAGAP_SEM_ESTIMATOR_ML},
    {"ADF", VAGAP_SEM_ESTIMATOR_WLS},     {NULL, 0}};

static const name_value_t missings[] = {
    {"listwise", VAGAP_SEM_MISSING_LISTWISE}, {"ml", VAGAP_SEM_MISSING_ML},
    {"fiml", VAGAP_SEM_MISSING_ML},           {"direct", VAGAP_SEM_MISSING_ML},
    {"ml.x", VAGAP_SEM_MISSING_ML_X},         {"pairwise", VAGAP_SEM_MISSING_PAIRWISE},
    {"default", VAGAP_SEM_MISSING_DEFAULT},   {NULL, 0}};

static const name_value_t informations[] = {
    {"expected", VAGAP_SEM_INFORMATION_EXPECTED}, {"observed", VAGAP_SEM_INFORMATION_OBSERVED},
    {"first.order", VAGAP_SEM_INFORMATION_FIRST_ORDER}, {"default", VAGAP_SEM_INFORMATION_DEFAULT},
    {NULL, 0}};

static const name_value_t ses[] = {
    {"standard", VAGAP_SEM_SE_STANDARD},
    {"robust.sem", VAGAP_SEM_SE_ROBUST_SEM},
    {"robust", VAGAP_SEM_SE_ROBUST_SEM}, /* lavaan: robust.sem with complete data */
    {"robust.huber.white", VAGAP_SEM_SE_ROBUST_HUBER_WHITE},
    {"robust.mlr", VAGAP_SEM_SE_ROBUST_HUBER_WHITE},
    {"sandwich", VAGAP_SEM_SE_ROBUST_HUBER_WHITE},
    {"none", VAGAP_SEM_SE_NONE},
    {"default", VAGAP_SEM_SE_DEFAULT},
    {NULL, 0}};

static const name_value_t tests[] = {
    {"standard", VAGAP_SEM_TEST_STANDARD},
    {"satorra.bentler", VAGAP_SEM_TEST_SATORRA_BENTLER},
    {"yuan.bentler", VAGAP_SEM_TEST_YUAN_BENTLER},
    {"yuan.bentler.mplus", VAGAP_SEM_TEST_YUAN_BENTLER_MPLUS},
    {"mean.var.adjusted", VAGAP_SEM_TEST_MEAN_VAR_ADJUSTED},
    {"scaled.shifted", VAGAP_SEM_TEST_SCALED_SHIFTED},
    {"none", VAGAP_SEM_TEST_NONE},
    {"default", VAGAP_SEM_TEST_DEFAULT},
    {NULL, 0}};

/* Look s up in table (case-insensitively when fold); VAGAP_EINVAL listing the names otherwise. */
static vagap_status_t lookup(const name_value_t *table, const char *what, const char *s, int fold,
                             int *out, vagap_error_t *err) {
  for (const name_value_t *t = table; t->name; t++)
    if (fold ? !strcasecmp(s, t->name) : !strcmp(s, t->name)) {
      *out = t->value;
      return VAGAP_OK;
    }
  char list[256];
  size_t o = 0;
  list[0] = 0;
  for (const name_value_t *t = table; t->name && o + 32 < sizeof list; t++)
    o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", o ? ", " : "", t->name);
  return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "%s: unknown value '%s' (lavaan's values: %s)",
                         what, s, list);
}

static const char *name_of(const name_value_t *table, int v) {
  for (const name_value_t *t = table; t->name; t++)
    if (t->value == v) return t->name;
  return "?";
}

#define PARSER(fn, type, table, what, fold)                                  \
  vagap_status_t fn(const char *s, type *out, vagap_error_t *err) {          \
    int v = 0;                                                               \
    vagap_status_t st = lookup(table, what, s, fold, &v, err);               \
    if (!st) *out = (type)v;                                                 \
    return st;                                                               \
  }

PARSER(vagap_sem_estimator_parse, vagap_sem_estimator_t, estimators, "--estimator", 1)
PARSER(vagap_sem_missing_parse, vagap_sem_missing_t, missings, "--missing", 0)
PARSER(vagap_sem_information_parse, vagap_sem_information_t, informations, "--information", 0)
PARSER(vagap_sem_se_parse, vagap_sem_se_t, ses, "--se", 0)
PARSER(vagap_sem_test_parse, vagap_sem_test_t, tests, "--test", 0)

const char *vagap_sem_estimator_name(vagap_sem_estimator_t e) { return name_of(estimators, (int)e); }
const char *vagap_sem_missing_name(vagap_sem_missing_t m) { return name_of(missings, (int)m); }
const char *vagap_sem_information_name(vagap_sem_information_t i) { return name_of(informations, (int)i); }
const char *vagap_sem_se_name(vagap_sem_se_t s) { return name_of(ses, (int)s); }
const char *vagap_sem_test_name(vagap_sem_test_t t) { return name_of(tests, (int)t); }

/* lavaan's se= and test= for each estimator (lav_options_set) */
static void estimator_defaults(vagap_sem_estimator_t e, vagap_sem_se_t *se, vagap_sem_test_t *test) {
  switch (e) {
    case VAGAP_SEM_ESTIMATOR_MLR:
      *se = VAGAP_SEM_SE_ROBUST_HUBER_WHITE;
      *test = VAGAP_SEM_TEST_YUAN_BENTLER_MPLUS;
      break;
    case VAGAP_SEM_ESTIMATOR_MLM:
      *se = VAGAP_SEM_SE_ROBUST_SEM;
      *test = VAGAP_SEM_TEST_SATORRA_BENTLER;
      break;
    case VAGAP_SEM_ESTIMATOR_MLMV: /* lavaan 0.6-14: MLMV is the scaled-shifted test, MLMVS the
                                      mean- and variance-adjusted one */
      *se = VAGAP_SEM_SE_ROBUST_SEM;
      *test = VAGAP_SEM_TEST_SCALED_SHIFTED;
      break;
    case VAGAP_SEM_ESTIMATOR_MLMVS:
      *se = VAGAP_SEM_SE_ROBUST_SEM;
      *test = VAGAP_SEM_TEST_MEAN_VAR_ADJUSTED;
      break;
    case VAGAP_SEM_ESTIMATOR_WLSMV:
    case VAGAP_SEM_ESTIMATOR_ULSMV:
      *se = VAGAP_SEM_SE_ROBUST_SEM;
      *test = VAGAP_SEM_TEST_SCALED_SHIFTED;
      break;
    default:
      *se = VAGAP_SEM_SE_STANDARD;
      *test = VAGAP_SEM_TEST_STANDARD;
      break;
  }
}

/* ordered indicators (sem_ordinal.c): DWLS/WLS/ULS and their MV variants with
   pairwise or listwise deletion, expected information, standard or robust.sem
   SEs, standard or scaled-shifted test */
static vagap_status_t resolve_categorical(vagap_sem_fit_options_t *opt, vagap_error_t *err) {
  switch (opt->estimator) {
    case VAGAP_SEM_ESTIMATOR_WLSMV: opt->estimator = VAGAP_SEM_ESTIMATOR_DWLS; break;
    case VAGAP_SEM_ESTIMATOR_ULSMV: opt->estimator = VAGAP_SEM_ESTIMATOR_ULS; break;
    case VAGAP_SEM_ESTIMATOR_DWLS:
    case VAGAP_SEM_ESTIMATOR_WLS:
    case VAGAP_SEM_ESTIMATOR_ULS: break;
    default:
      return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                             "--estimator %s is not available for ordered indicators: use WLSMV (the default), "
                             "DWLS, WLS, ULS or ULSMV", vagap_sem_estimator_name(opt->estimator));
  }
  if (opt->missing != VAGAP_SEM_MISSING_PAIRWISE && opt->missing != VAGAP_SEM_MISSING_LISTWISE)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "--missing %s is not implemented for ordered indicators: use listwise (the default) "
                           "or pairwise", vagap_sem_missing_name(opt->missing));
  if (opt->information != VAGAP_SEM_INFORMATION_EXPECTED)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "--information %s is not implemented for ordered indicators: only the expected "
                           "information is", vagap_sem_information_name(opt->information));
  if (opt->se != VAGAP_SEM_SE_STANDARD && opt->se != VAGAP_SEM_SE_ROBUST_SEM && opt->se != VAGAP_SEM_SE_NONE)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "--se %s is not implemented for ordered indicators: use standard, robust.sem or none",
                           vagap_sem_se_name(opt->se));
  if (opt->test != VAGAP_SEM_TEST_STANDARD && opt->test != VAGAP_SEM_TEST_SCALED_SHIFTED)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "--test %s is not implemented for ordered indicators: use standard or scaled.shifted",
                           vagap_sem_test_name(opt->test));
  return VAGAP_OK;
}

vagap_status_t vagap_sem_fit_options_resolve(vagap_sem_fit_options_t *opt, int categorical,
                                             vagap_error_t *err) {
  vagap_sem_se_t se;
  vagap_sem_test_t test;
  /* lavaan: ordered data take WLSMV by default (ML is not available for them) */
  if (categorical && opt->estimator == VAGAP_SEM_ESTIMATOR_ML) opt->estimator = VAGAP_SEM_ESTIMATOR_WLSMV;
  estimator_defaults(opt->estimator, &se, &test);
  if (opt->se == VAGAP_SEM_SE_DEFAULT) opt->se = se;
  /* lavaan takes union(the estimator's test, test=): "standard" adds nothing to a
     robust estimator's scaled test; another scaled test would be a second one; "none"
     replaces them all (lav_options_set: no test statistic, e.g. MLR's SEs alone) */
  if (opt->test == VAGAP_SEM_TEST_DEFAULT || (opt->test == VAGAP_SEM_TEST_STANDARD && test != VAGAP_SEM_TEST_STANDARD))
    opt->test = test;
  if (test != VAGAP_SEM_TEST_STANDARD && opt->test != test && opt->test != VAGAP_SEM_TEST_NONE)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "--estimator %s with --test %s: lavaan would report two scaled tests (%s and %s); "
                           "vagap reports one: use --estimator ML --se %s --test %s",
                           vagap_sem_estimator_name(opt->estimator), vagap_sem_test_name(opt->test),
                           vagap_sem_test_name(test), vagap_sem_test_name(opt->test),
                           vagap_sem_se_name(opt->se), vagap_sem_test_name(opt->test));
  if (opt->missing == VAGAP_SEM_MISSING_DEFAULT)
    opt->missing = VAGAP_SEM_MISSING_LISTWISE; /* lavaan 0.6, categorical data too (pairwise on request) */
  if (opt->information == VAGAP_SEM_INFORMATION_DEFAULT) {
    /* lavaan: observed information under FIML and for Huber-White SEs (MLR), expected otherwise */
    int fiml = opt->missing == VAGAP_SEM_MISSING_ML || opt->missing == VAGAP_SEM_MISSING_ML_X;
    opt->information = fiml || opt->se == VAGAP_SEM_SE_ROBUST_HUBER_WHITE ? VAGAP_SEM_INFORMATION_OBSERVED
                                                                          : VAGAP_SEM_INFORMATION_EXPECTED;
  }
  /* What vagap implements so far; each estimation feature widens this as it lands. */
  if (categorical) return resolve_categorical(opt, err);
  if (opt->estimator != VAGAP_SEM_ESTIMATOR_ML && opt->estimator != VAGAP_SEM_ESTIMATOR_MLR &&
      opt->estimator != VAGAP_SEM_ESTIMATOR_MLM && opt->estimator != VAGAP_SEM_ESTIMATOR_MLMV &&
      opt->estimator != VAGAP_SEM_ESTIMATOR_MLMVS)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "--estimator %s is not implemented yet: vagap fits ML, MLR, MLM, MLMV and MLMVS",
                           vagap_sem_estimator_name(opt->estimator));
  /* FIML (sem_fiml.c) */
  if (opt->missing != VAGAP_SEM_MISSING_LISTWISE && opt->missing != VAGAP_SEM_MISSING_ML &&
      opt->missing != VAGAP_SEM_MISSING_ML_X)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "--missing %s is not implemented yet: use listwise (the default), ml or ml.x",
                           vagap_sem_missing_name(opt->missing));
  /* lavaan's own refusals (lav_options_set) */
  int scaled = opt->test != VAGAP_SEM_TEST_STANDARD && opt->test != VAGAP_SEM_TEST_NONE;
  int robust_se = opt->se == VAGAP_SEM_SE_ROBUST_SEM || opt->se == VAGAP_SEM_SE_ROBUST_HUBER_WHITE;
  if (opt->information == VAGAP_SEM_INFORMATION_FIRST_ORDER && (robust_se || scaled))
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "--information first.order cannot be used with robust standard errors or a "
                           "scaled test (lavaan: information must be expected or observed)");
  /* FIML (sem_fiml.c): lavaan's MLR with missing = "ml" (robust.huber.white SEs from the
     casewise scores, the yuan.bentler.mplus test); the Satorra-Bentler family and
     robust.sem need complete data (lavaan refuses them as well) */
  int fiml_on = opt->missing == VAGAP_SEM_MISSING_ML || opt->missing == VAGAP_SEM_MISSING_ML_X;
  if (fiml_on && (opt->se == VAGAP_SEM_SE_ROBUST_SEM ||
                  (scaled && opt->test != VAGAP_SEM_TEST_YUAN_BENTLER_MPLUS &&
                   opt->test != VAGAP_SEM_TEST_YUAN_BENTLER)))
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "--missing %s with --estimator %s (--se %s, --test %s): with missing data lavaan "
                           "offers robust.huber.white SEs and the yuan.bentler(.mplus) tests (--estimator MLR); "
                           "--se robust.sem and the Satorra-Bentler tests need complete data",
                           vagap_sem_missing_name(opt->missing), vagap_sem_estimator_name(opt->estimator),
                           vagap_sem_se_name(opt->se), vagap_sem_test_name(opt->test));
  if (opt->information == VAGAP_SEM_INFORMATION_OBSERVED && opt->se == VAGAP_SEM_SE_ROBUST_SEM)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "--se robust.sem with --information observed is not implemented yet");
  if (opt->information == VAGAP_SEM_INFORMATION_OBSERVED && scaled &&
      opt->test != VAGAP_SEM_TEST_YUAN_BENTLER_MPLUS && opt->test != VAGAP_SEM_TEST_YUAN_BENTLER)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "--test %s with --information observed is not implemented yet (it takes lavaan's "
                           "h1 observed information); use --information expected",
                           vagap_sem_test_name(opt->test));
  if (opt->likelihood == VAGAP_SEM_LIKELIHOOD_WISHART && (robust_se || scaled ||
                                                          opt->information != VAGAP_SEM_INFORMATION_EXPECTED))
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "--likelihood wishart is implemented only with expected information, standard "
                           "errors and the standard test");
  return VAGAP_OK;
}
