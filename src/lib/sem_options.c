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
    case VAGAP_SEM_ESTIMATOR_MLMV:
      *se = VAGAP_SEM_SE_ROBUST_SEM;
      *test = VAGAP_SEM_TEST_MEAN_VAR_ADJUSTED;
      break;
    case VAGAP_SEM_ESTIMATOR_MLMVS:
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

vagap_status_t vagap_sem_fit_options_resolve(vagap_sem_fit_options_t *opt, int categorical,
                                             vagap_error_t *err) {
  vagap_sem_se_t se;
  vagap_sem_test_t test;
  estimator_defaults(opt->estimator, &se, &test);
  if (opt->se == VAGAP_SEM_SE_DEFAULT) opt->se = se;
  if (opt->test == VAGAP_SEM_TEST_DEFAULT) opt->test = test;
  if (opt->missing == VAGAP_SEM_MISSING_DEFAULT)
    opt->missing = categorical ? VAGAP_SEM_MISSING_PAIRWISE : VAGAP_SEM_MISSING_LISTWISE;
  if (opt->information == VAGAP_SEM_INFORMATION_DEFAULT) {
    /* lavaan: observed information under FIML, expected otherwise */
    int fiml = opt->missing == VAGAP_SEM_MISSING_ML || opt->missing == VAGAP_SEM_MISSING_ML_X;
    opt->information = fiml ? VAGAP_SEM_INFORMATION_OBSERVED : VAGAP_SEM_INFORMATION_EXPECTED;
  }
  /* What vagap implements so far; each estimation feature widens this as it lands. */
  if (opt->estimator != VAGAP_SEM_ESTIMATOR_ML)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "--estimator %s is not implemented yet: vagap fits ML", 
                           vagap_sem_estimator_name(opt->estimator));
  /* FIML (sem_fiml.c) */
  if (opt->missing != VAGAP_SEM_MISSING_LISTWISE && opt->missing != VAGAP_SEM_MISSING_ML &&
      opt->missing != VAGAP_SEM_MISSING_ML_X)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "--missing %s is not implemented yet: use listwise (the default), ml or ml.x",
                           vagap_sem_missing_name(opt->missing));
  /* observed (lavaan's Hessian, sem_hessian.c) and expected information */
  if (opt->information != VAGAP_SEM_INFORMATION_EXPECTED && opt->information != VAGAP_SEM_INFORMATION_OBSERVED)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "--information %s is not implemented yet: only expected and observed are",
                           vagap_sem_information_name(opt->information));
  if (opt->se != VAGAP_SEM_SE_STANDARD && opt->se != VAGAP_SEM_SE_NONE)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "--se %s is not implemented yet: only standard errors from the expected "
                           "information are", vagap_sem_se_name(opt->se));
  if (opt->test != VAGAP_SEM_TEST_STANDARD)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "--test %s is not implemented yet: only the standard chi-square is",
                           vagap_sem_test_name(opt->test));
  return VAGAP_OK;
}
