/*
 * sem_call.c - a lavaan call with lavaan's argument names as text (vagap/sem_call.h).
 *
 * The values are parsed with the library's own parsers (sem_options.c,
 * vagap_sem_group_equal_parse), and lavaan's per-function defaults are
 * applied here only: the program builds a call from its --cfa/--growth/
 * --lavaan/--auto-* options (semcli_options.c) and takes its model options
 * (vagap_sem_call_model_options), so that a binding's sem(..., estimator =
 * "MLR") is the program's `vagap sem --estimator MLR`.
 */
#include "vagap/sem_call.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { FN_SEM, FN_GROWTH, FN_LAVAAN };

/* lavaan's switches that its sem(), cfa() and growth() set themselves */
enum { SW_INT_OV_FREE, SW_INT_LV_FREE, SW_AUTO_FIX_FIRST, SW_AUTO_FIX_SINGLE, SW_AUTO_VAR,
       SW_AUTO_COV_LV_X, SW_AUTO_COV_Y, SW_AUTO_TH, SW_AUTO_DELTA, SW_AUTO_EFA, NSWITCH };
_Static_assert(NSWITCH == VAGAP_SEM_CALL_NSWITCHES, "vagap/sem_call.h counts the switches");
static const char *const switch_names[NSWITCH] = {
    "int.ov.free", "int.lv.free", "auto.fix.first", "auto.fix.single", "auto.var",
    "auto.cov.lv.x", "auto.cov.y", "auto.th", "auto.delta", "auto.efa"};

static const char *const argument_names[] = {
    "estimator", "missing", "information", "se", "test", "likelihood", "ordered", "parameterization",
    "group.equal", "group.partial", "meanstructure", "std.lv", "fixed.x", "orthogonal",
    "constraints", "level", "max.evaluations"};

struct vagap_sem_call {
  int function;
  const char *function_name;
  int std_lv, fixed_x, meanstructure, orthogonal, theta;
  int sw[NSWITCH];                 /* -1: not given */
  int estimator_given;
  unsigned group_equal;
  char **partial;
  size_t npartial;
  char **ordered;
  size_t nordered;
  int ordered_all;
  char *constraints_text;
  vagap_sem_syntax_t *constraints;
  vagap_sem_fit_options_t fopt;
  char **notes;
  size_t nnotes;
  char **onames;                   /* the ordered variables of the last fit (its model options) */
  int *onth;
  size_t nonames;
  vagap_sem_model_t *model;        /* of the last successful fit */
};

static vagap_status_t oom(vagap_error_t *err) {
  return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
}

vagap_status_t vagap_sem_call_new(vagap_sem_call_t **out, const char *function, vagap_error_t *err) {
  *out = NULL;
  int fn;
  if (!strcmp(function, "sem") || !strcmp(function, "cfa")) fn = FN_SEM; /* the same defaults in lavaan 0.6 */
  else if (!strcmp(function, "growth")) fn = FN_GROWTH;
  else if (!strcmp(function, "lavaan")) fn = FN_LAVAAN;
  else
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "unknown lavaan function '%s': sem, cfa, growth or lavaan", function);
  vagap_sem_call_t *c = calloc(1, sizeof *c);
  if (!c) return oom(err);
  c->function = fn;
  c->function_name = fn == FN_GROWTH ? "growth" : fn == FN_LAVAAN ? "lavaan" : "sem";
  c->fixed_x = 1;
  c->meanstructure = -1;
  for (int i = 0; i < NSWITCH; i++) c->sw[i] = -1;
  vagap_sem_fit_options_init(&c->fopt);
  *out = c;
  return VAGAP_OK;
}

void vagap_sem_call_free(vagap_sem_call_t *c) {
  if (!c) return;
  vagap_sem_names_free(c->partial, c->npartial);
  vagap_sem_names_free(c->ordered, c->nordered);
  free(c->constraints_text);
  vagap_sem_syntax_free(c->constraints);
  vagap_sem_names_free(c->notes, c->nnotes);
  vagap_sem_model_free(c->model);
  vagap_sem_names_free(c->onames, c->nonames);
  free(c->onth);
  free(c);
}

size_t vagap_sem_call_nnotes(const vagap_sem_call_t *c) { return c->nnotes; }
const vagap_sem_model_t *vagap_sem_call_model(const vagap_sem_call_t *c) { return c->model; }
const vagap_sem_fit_options_t *vagap_sem_call_fit_options(const vagap_sem_call_t *c) { return &c->fopt; }
const char *vagap_sem_call_note(const vagap_sem_call_t *c, size_t i) { return i < c->nnotes ? c->notes[i] : NULL; }
const char *vagap_sem_call_switch_name(size_t k) { return k < NSWITCH ? switch_names[k] : NULL; }

static vagap_status_t add_note(vagap_sem_call_t *c, vagap_error_t *err, const char *fmt, ...) {
  char text[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  char **grown = realloc(c->notes, (c->nnotes + 1) * sizeof *grown);
  if (!grown) return oom(err);
  c->notes = grown;
  if (!(c->notes[c->nnotes] = strdup(text))) return oom(err);
  c->nnotes++;
  return VAGAP_OK;
}

/* R's as.logical spellings (and 1/0): 1 true, 0 false, -1 not a logical */
static int logical_word(const char *s) {
  static const char *const yes[] = {"TRUE", "true", "True", "T", "1"};
  static const char *const no[] = {"FALSE", "false", "False", "F", "0"};
  for (size_t i = 0; i < 5; i++) {
    if (!strcmp(s, yes[i])) return 1;
    if (!strcmp(s, no[i])) return 0;
  }
  return -1;
}

static vagap_status_t set_logical(int *out, const char *name, const char *value, vagap_error_t *err) {
  int v = logical_word(value);
  if (v < 0)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "%s: expected TRUE or FALSE, found '%s'", name, value);
  *out = v;
  return VAGAP_OK;
}

/* A list argument: its names replace the previous ones. */
static vagap_status_t set_list(char ***list, size_t *n, const char *value, vagap_error_t *err) {
  vagap_sem_names_free(*list, *n);
  *list = NULL;
  *n = 0;
  if (!(*list = vagap_sem_names_split(value, n))) return oom(err);
  return VAGAP_OK;
}

/* estimator, missing, information, se, test: the library's parsers, messages as lavaan's names */
static vagap_status_t set_estimation(vagap_sem_call_t *c, const char *name, const char *value,
                                     vagap_error_t *err) {
  vagap_sem_fit_options_t *f = &c->fopt;
  vagap_error_t why;
  vagap_status_t st;
  if (!strcmp(name, "estimator")) {
    st = vagap_sem_estimator_parse(value, &f->estimator, &why);
    c->estimator_given = strcasecmp(value, "default") != 0;
  } else if (!strcmp(name, "missing")) {
    st = vagap_sem_missing_parse(value, &f->missing, &why);
  } else if (!strcmp(name, "information")) {
    st = vagap_sem_information_parse(value, &f->information, &why);
  } else if (!strcmp(name, "se")) {
    if (!strcmp(value, "bootstrap"))
      return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                             "se = \"bootstrap\" is not available here: bootstrap with the program "
                             "(vagap sem --bootstrap B)");
    st = vagap_sem_se_parse(value, &f->se, &why);
  } else {
    st = vagap_sem_test_parse(value, &f->test, &why);
  }
  if (st) return vagap_error_set(err, st, NULL, 0, 0, "%s", why.message);
  return VAGAP_OK;
}

static vagap_status_t set_switch(vagap_sem_call_t *c, int k, const char *value, vagap_error_t *err) {
  vagap_status_t st = set_logical(&c->sw[k], switch_names[k], value, err);
  if (st || c->function == FN_LAVAAN) return st;
  return add_note(c, err, "%s is ignored: lavaan's %s() sets it itself (lavaan() is the function "
                          "without automatic parameters)", switch_names[k], c->function_name);
}

static vagap_status_t set_number(double *out, const char *name, const char *value, vagap_error_t *err) {
  if (vagap_parse_double(value, strlen(value), out, NULL) != VAGAP_OK)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "%s: expected a number, found '%s'", name, value);
  return VAGAP_OK;
}

/* Arguments other than the estimation choices and the switches. */
static vagap_status_t set_other(vagap_sem_call_t *c, const char *name, const char *value, vagap_error_t *err) {
  if (!strcmp(name, "likelihood")) {
    if (!strcmp(value, "normal") || !strcmp(value, "default")) c->fopt.likelihood = VAGAP_SEM_LIKELIHOOD_NORMAL;
    else if (!strcmp(value, "wishart")) c->fopt.likelihood = VAGAP_SEM_LIKELIHOOD_WISHART;
    else return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "likelihood: expected normal or wishart, found '%s'", value);
    return VAGAP_OK;
  }
  if (!strcmp(name, "ordered")) {
    int all = logical_word(value);
    c->ordered_all = all == 1;
    if (all >= 0) return set_list(&c->ordered, &c->nordered, "", err);
    return set_list(&c->ordered, &c->nordered, value, err);
  }
  if (!strcmp(name, "parameterization")) {
    if (!strcmp(value, "delta") || !strcmp(value, "default")) c->theta = 0;
    else if (!strcmp(value, "theta")) c->theta = 1;
    else return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "parameterization: expected delta or theta, found '%s'", value);
    return VAGAP_OK;
  }
  if (!strcmp(name, "group.equal")) {
    vagap_error_t why;
    c->group_equal = 0;
    if (value[0] && strcmp(value, "none") && vagap_sem_group_equal_parse(value, &c->group_equal, &why))
      return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "group.equal: %s", why.message);
    return VAGAP_OK;
  }
  if (!strcmp(name, "group.partial")) return set_list(&c->partial, &c->npartial, value, err);
  if (!strcmp(name, "meanstructure")) {
    if (!strcmp(value, "default")) c->meanstructure = -1;
    else return set_logical(&c->meanstructure, name, value, err);
    return VAGAP_OK;
  }
  if (!strcmp(name, "std.lv")) return set_logical(&c->std_lv, name, value, err);
  if (!strcmp(name, "fixed.x")) return set_logical(&c->fixed_x, name, value, err);
  if (!strcmp(name, "orthogonal")) return set_logical(&c->orthogonal, name, value, err);
  if (!strcmp(name, "constraints")) {
    vagap_sem_syntax_free(c->constraints);
    free(c->constraints_text);
    c->constraints = NULL;
    if (!(c->constraints_text = strdup(value))) return oom(err);
    if (!value[0]) return VAGAP_OK;
    return vagap_sem_syntax_parse(&c->constraints, c->constraints_text, "constraints", err);
  }
  if (!strcmp(name, "level")) {
    double v;
    if (set_number(&v, name, value, err)) return err->status;
    if (!(v > 0 && v < 1))
      return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "level: expected a number between 0 and 1, found '%s'", value);
    c->fopt.ci_level = v;
    return VAGAP_OK;
  }
  /* max.evaluations */
  double v;
  if (set_number(&v, name, value, err)) return err->status;
  if (!(v >= 1 && v <= 1e9 && v == floor(v)))
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "max.evaluations: expected a positive whole number, found '%s'", value);
  c->fopt.max_iter = (int)v;
  return VAGAP_OK;
}

vagap_status_t vagap_sem_call_set(vagap_sem_call_t *c, const char *name, const char *value,
                                  vagap_error_t *err) {
  static const char *const estimation[] = {"estimator", "missing", "information", "se", "test"};
  for (size_t i = 0; i < 5; i++)
    if (!strcmp(name, estimation[i])) return set_estimation(c, name, value, err);
  for (int k = 0; k < NSWITCH; k++)
    if (!strcmp(name, switch_names[k])) return set_switch(c, k, value, err);
  for (size_t i = 5; i < sizeof argument_names / sizeof argument_names[0]; i++)
    if (!strcmp(name, argument_names[i])) return set_other(c, name, value, err);
  char known[1024] = "";
  size_t used = 0;
  for (size_t i = 0; i < sizeof argument_names / sizeof argument_names[0] && used < sizeof known; i++)
    used += (size_t)snprintf(known + used, sizeof known - used, "%s, ", argument_names[i]);
  for (int k = 0; k < NSWITCH && used < sizeof known; k++)
    used += (size_t)snprintf(known + used, sizeof known - used, k + 1 < NSWITCH ? "%s, " : "%s", switch_names[k]);
  return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "unsupported argument '%s'; supported: %s", name, known);
}

void vagap_sem_call_model_options(const vagap_sem_call_t *c, vagap_sem_model_options_t *m) {
  vagap_sem_model_options_init(m);
  m->std_lv = c->std_lv;
  m->fixed_x = c->fixed_x;
  m->meanstructure = c->meanstructure;
  m->orthogonal = c->orthogonal;
  /* lavaan: "missing argument forces meanstructure = TRUE" */
  if (c->fopt.missing == VAGAP_SEM_MISSING_ML || c->fopt.missing == VAGAP_SEM_MISSING_ML_X) m->meanstructure = 1;
  m->parameterization_theta = c->theta;
  m->group_equal = c->group_equal;
  m->group_partial = (const char *const *)c->partial;
  m->n_group_partial = c->npartial;
  m->constraints = c->constraints;
  m->constraints_source = "constraints";
  int v[NSWITCH];
  for (int i = 0; i < NSWITCH; i++) v[i] = c->function == FN_LAVAAN ? c->sw[i] > 0 : 1;
  if (c->function != FN_LAVAAN) { /* sem()/cfa()/growth() set these in their call to lavaan() */
    v[SW_INT_OV_FREE] = c->function != FN_GROWTH;
    v[SW_INT_LV_FREE] = c->function == FN_GROWTH;
    if (c->function == FN_GROWTH) m->meanstructure = 1;
  }
  m->int_ov_free = v[SW_INT_OV_FREE];
  m->int_lv_free = v[SW_INT_LV_FREE];
  m->auto_fix_first = v[SW_AUTO_FIX_FIRST];
  m->auto_fix_single = v[SW_AUTO_FIX_SINGLE];
  m->auto_var = v[SW_AUTO_VAR];
  m->auto_cov_lv_x = v[SW_AUTO_COV_LV_X];
  m->auto_cov_y = v[SW_AUTO_COV_Y];
  /* auto.th, auto.delta, auto.efa act only on thresholds, scale factors of ordered
     variables and efa() blocks, which vagap always adds (or has none of) */
}

/* What the program checks before reading data (semcli_lavaan_check). */
static vagap_status_t check_estimation(const vagap_sem_call_t *c, int categorical, vagap_error_t *err) {
  if (categorical && c->estimator_given && c->fopt.estimator == VAGAP_SEM_ESTIMATOR_ML)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "estimator ML is not available for ordered data (as in lavaan): use WLSMV "
                           "(the default with ordered variables)");
  vagap_sem_fit_options_t f = c->fopt;
  return vagap_sem_fit_options_resolve(&f, categorical, err);
}

/* The rows and the model: the categorical route when variables are ordered. */
static vagap_status_t rows_and_model(vagap_sem_call_t *c, const vagap_sem_syntax_t *syn, int categorical,
                                     vagap_table_t *t, size_t gcol, vagap_sem_model_options_t *mopt,
                                     vagap_ledger_t *ledger, vagap_sem_rows_t *rows,
                                     vagap_sem_model_t **model, vagap_error_t *err) {
  rows->missing = c->fopt.missing;
  if (categorical) {
    vagap_sem_names_free(c->onames, c->nonames);
    free(c->onth);
    c->onames = NULL, c->onth = NULL, c->nonames = 0;
    vagap_status_t st = vagap_sem_rows_build_ordinal(
        t, gcol, syn, "model", (const char *const *)c->ordered, c->nordered, c->ordered_all,
        c->fopt.missing == VAGAP_SEM_MISSING_PAIRWISE, NULL, 0, mopt, rows, model, &c->onames, &c->onth,
        ledger, err);
    c->nonames = mopt->n_ordered;
    return st;
  }
  vagap_status_t st = vagap_sem_rows_groups(t, gcol, rows, err);
  if (!st) st = vagap_sem_model_build(model, syn, rows->ngroups, mopt, "model", err);
  if (!st) st = vagap_sem_rows_load(t, gcol, *model, rows, 0, 0, NULL, ledger, err);
  return st;
}

vagap_status_t vagap_sem_call_fit(vagap_sem_call_t *c, const char *model_text, vagap_table_t *t,
                                  const char *group, vagap_ledger_t *ledger, vagap_sem_fit_t **fit,
                                  vagap_sem_rows_t *rows, vagap_error_t *err) {
  *fit = NULL;
  memset(rows, 0, sizeof *rows);
  vagap_sem_syntax_t *syn = NULL;
  vagap_sem_model_t *model = NULL;
  size_t gcol = (size_t)-1;
  vagap_status_t st = vagap_sem_syntax_parse(&syn, model_text, "model", err);
  int categorical = c->ordered_all || c->nordered > 0;
  for (size_t i = 0; !st && i < syn->n; i++) categorical |= syn->st[i].op == VAGAP_SEM_THRESHOLD;
  if (!st) st = check_estimation(c, categorical, err);
  if (!st && group) st = vagap_table_column(t, group, &gcol, err);
  vagap_sem_model_options_t mopt;
  vagap_sem_call_model_options(c, &mopt);
  if (!st) st = rows_and_model(c, syn, categorical, t, gcol, &mopt, ledger, rows, &model, err);
  if (!st) {
    vagap_sem_data_t view = vagap_sem_rows_view(rows);
    st = vagap_sem_fit_data(fit, model, &view, &c->fopt, err);
  }
  if (st == VAGAP_EDATA && !err->file[0]) snprintf(err->file, sizeof err->file, "%s", vagap_table_source(t));
  if (st) {
    vagap_sem_rows_free(rows);
    vagap_sem_model_free(model);
  } else { /* kept for a bootstrap of the same model */
    vagap_sem_model_free(c->model);
    c->model = model;
  }
  vagap_sem_syntax_free(syn);
  return st;
}
