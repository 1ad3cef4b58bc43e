/*
 * .Call glue between R and libvagap (the public headers include/vagap/).
 *
 * Every entry point returns either its result or list(error = list(status,
 * message, file, line, column)); R/vagap.R turns the latter into a condition
 * of class "vagap_error".  No R error is raised while library objects are
 * held, so nothing leaks through a longjmp; scratch arrays come from
 * R_alloc, which R frees when the call returns.
 */
#include <math.h>
#include <string.h>

#include <R.h>
#include <Rinternals.h>
#include <R_ext/Rdynload.h>

#include "vagap/vagap.h"

/* ---- results ------------------------------------------------------------- */

static SEXP error_result(const vagap_error_t *err) {
  const char *names[] = {"status", "message", "file", "line", "column", ""};
  SEXP e = PROTECT(Rf_mkNamed(VECSXP, names));
  SET_VECTOR_ELT(e, 0, Rf_mkString(vagap_strerror(err->status)));
  SET_VECTOR_ELT(e, 1, Rf_mkString(err->message));
  SET_VECTOR_ELT(e, 2, Rf_mkString(err->file));
  SET_VECTOR_ELT(e, 3, Rf_ScalarInteger((int)err->line));
  SET_VECTOR_ELT(e, 4, Rf_ScalarInteger((int)err->column));
  const char *outer[] = {"error", ""};
  SEXP out = PROTECT(Rf_mkNamed(VECSXP, outer));
  SET_VECTOR_ELT(out, 0, e);
  UNPROTECT(2);
  return out;
}

/* A named numeric vector from parallel arrays. */
static SEXP named_numbers(const char *const *names, const double *v, size_t n) {
  SEXP out = PROTECT(Rf_allocVector(REALSXP, (R_xlen_t)n));
  SEXP nm = PROTECT(Rf_allocVector(STRSXP, (R_xlen_t)n));
  for (size_t i = 0; i < n; i++) {
    REAL(out)[i] = v[i];
    SET_STRING_ELT(nm, (R_xlen_t)i, Rf_mkChar(names[i]));
  }
  Rf_setAttrib(out, R_NamesSymbol, nm);
  UNPROTECT(2);
  return out;
}

/* Missing values of R (NA, NaN) become NAN, the library's "missing". */
static double *as_doubles(SEXP x, const char *what, vagap_error_t *err) {
  R_xlen_t n = Rf_xlength(x);
  double *out = (double *)R_alloc((size_t)(n > 0 ? n : 1), sizeof *out);
  if (TYPEOF(x) == REALSXP) {
    for (R_xlen_t i = 0; i < n; i++) out[i] = ISNAN(REAL(x)[i]) ? NAN : REAL(x)[i];
  } else if (TYPEOF(x) == INTSXP && !Rf_isFactor(x)) {
    for (R_xlen_t i = 0; i < n; i++) out[i] = INTEGER(x)[i] == NA_INTEGER ? NAN : INTEGER(x)[i];
  } else {
    vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0, "%s is not numeric (%s)", what,
                    Rf_isFactor(x) ? "a factor" : Rf_type2char(TYPEOF(x)));
    return NULL;
  }
  return out;
}

static int alternative_of(SEXP s, vagap_alternative_t *alt, vagap_error_t *err) {
  return vagap_alternative_parse(CHAR(STRING_ELT(s, 0)), alt, err) != VAGAP_OK;
}

/* ---- t-tests and correlations -------------------------------------------------- */

SEXP vagap_r_ttest(SEXP x, SEXP y, SEXP kind, SEXP alternative, SEXP conf_level, SEXP mu) {
  vagap_error_t err;
  vagap_error_clear(&err);
  vagap_ttest_options_t opt;
  vagap_ttest_options_init(&opt);
  opt.conf_level = Rf_asReal(conf_level);
  opt.mu = Rf_asReal(mu);
  if (alternative_of(alternative, &opt.alternative, &err)) return error_result(&err);
  int k = Rf_asInteger(kind);
  double *xs = as_doubles(x, "x", &err), *ys = NULL;
  if (!xs) return error_result(&err);
  if (k != VAGAP_TTEST_ONE_SAMPLE && !(ys = as_doubles(y, "y", &err))) return error_result(&err);
  size_t nx = (size_t)Rf_xlength(x), ny = ys ? (size_t)Rf_xlength(y) : 0;
  vagap_ttest_t r;
  vagap_status_t st;
  if (k == VAGAP_TTEST_ONE_SAMPLE) st = vagap_stats_ttest_one(xs, nx, &opt, &r, &err);
  else if (k == VAGAP_TTEST_PAIRED) {
    if (nx != ny) {
      vagap_error_set(&err, VAGAP_EINVAL, NULL, 0, 0, "paired x and y have different lengths (%zu, %zu)", nx, ny);
      return error_result(&err);
    }
    st = vagap_stats_ttest_paired(xs, ys, nx, &opt, &r, &err);
  } else st = vagap_stats_ttest_two(xs, nx, ys, ny, (vagap_ttest_kind_t)k, &opt, &r, &err);
  if (st) return error_result(&err);
  const vagap_effect_size_t *e = &r.effect;
  const char *names[] = {"n", "n1", "n2", "n_excluded", "mean1", "sd1", "mean2", "sd2", "estimate",
                         "std.error", "statistic", "df", "p.value", "log10.p", "conf.low", "conf.high",
                         "d_z", "d_z0", "d_av", "d_rm", "d_s", "g", "g_av", "d.conf.low",
                         "d.conf.high", "g.conf.low", "g.conf.high"};
  double v[] = {(double)r.n, (double)r.n1, (double)r.n2, (double)r.n_excluded, r.mean1, r.sd1,
                r.mean2, r.sd2, r.estimate, r.std_error, r.statistic, r.df, r.p_value, r.log10_p,
                r.conf_low, r.conf_high, e->d_z, e->d_z0, e->d_av, e->d_rm, e->d_s, e->g, e->g_av,
                e->d_conf_low, e->d_conf_high, e->g_conf_low, e->g_conf_high};
  return named_numbers(names, v, sizeof v / sizeof v[0]);
}

SEXP vagap_r_cor(SEXP x, SEXP y, SEXP method, SEXP alternative, SEXP conf_level, SEXP exact) {
  vagap_error_t err;
  vagap_error_clear(&err);
  vagap_cor_options_t opt;
  vagap_cor_options_init(&opt);
  opt.method = Rf_asInteger(method) ? VAGAP_COR_SPEARMAN : VAGAP_COR_PEARSON;
  opt.conf_level = Rf_asReal(conf_level);
  opt.spearman_p = Rf_asLogical(exact) == 1 ? VAGAP_SPEARMAN_P_AS89 : VAGAP_SPEARMAN_P_T;
  if (alternative_of(alternative, &opt.alternative, &err)) return error_result(&err);
  double *xs = as_doubles(x, "x", &err), *ys = xs ? as_doubles(y, "y", &err) : NULL;
  if (!ys) return error_result(&err);
  if (Rf_xlength(x) != Rf_xlength(y)) {
    vagap_error_set(&err, VAGAP_EINVAL, NULL, 0, 0, "x and y have different lengths");
    return error_result(&err);
  }
  vagap_cor_t r;
  if (vagap_stats_cor(xs, ys, (size_t)Rf_xlength(x), &opt, &r, &err)) return error_result(&err);
  /* the program's std.error: statistic = r / std.error, the t on n - 2 df */
  double se = !isnan(r.estimate) && r.df > 0 ? sqrt((1.0 - r.estimate * r.estimate) / r.df) : NAN;
  const char *names[] = {"estimate", "std.error", "statistic", "df", "p.value", "conf.low",
                         "conf.high", "n", "n_excluded", "log10.p", "statistic.S"};
  double v[] = {r.estimate, se, r.statistic, r.df, r.p_value, r.conf_low, r.conf_high,
                (double)r.n, (double)r.n_excluded, r.log10_p, r.statistic_s};
  return named_numbers(names, v, sizeof v / sizeof v[0]);
}

/* ---- sem ----------------------------------------------------------------------- */

typedef struct {
  vagap_sem_syntax_t *syn;
  vagap_sem_model_t *model;
  vagap_sem_stats_t *stats;
  vagap_sem_fit_t *fit;
} sem_objects_t;

static void sem_objects_free(sem_objects_t *o) {
  vagap_sem_fit_free(o->fit);
  vagap_sem_stats_free(o->stats);
  vagap_sem_model_free(o->model);
  vagap_sem_syntax_free(o->syn);
}

static SEXP list_elt(SEXP list, const char *name) {
  SEXP names = Rf_getAttrib(list, R_NamesSymbol);
  for (R_xlen_t i = 0; i < Rf_xlength(list); i++)
    if (!strcmp(CHAR(STRING_ELT(names, i)), name)) return VECTOR_ELT(list, i);
  return R_NilValue;
}

static vagap_status_t model_options(SEXP opts, vagap_sem_model_options_t *mopt, vagap_error_t *err) {
  vagap_sem_model_options_init(mopt);
  mopt->std_lv = Rf_asLogical(list_elt(opts, "std.lv")) == 1;
  mopt->fixed_x = Rf_asLogical(list_elt(opts, "fixed.x")) == 1;
  mopt->meanstructure = Rf_asInteger(list_elt(opts, "meanstructure"));
  mopt->int_ov_free = Rf_asLogical(list_elt(opts, "int.ov.free")) == 1;
  mopt->int_lv_free = Rf_asLogical(list_elt(opts, "int.lv.free")) == 1;
  mopt->orthogonal = Rf_asLogical(list_elt(opts, "orthogonal")) == 1;
  const char *equal = CHAR(STRING_ELT(list_elt(opts, "group.equal"), 0));
  if (equal[0] && vagap_sem_group_equal_parse(equal, &mopt->group_equal, err)) return err->status;
  SEXP partial = list_elt(opts, "group.partial");
  size_t np = (size_t)Rf_xlength(partial);
  const char **names = (const char **)R_alloc(np ? np : 1, sizeof *names);
  for (size_t i = 0; i < np; i++) names[i] = CHAR(STRING_ELT(partial, (R_xlen_t)i));
  mopt->group_partial = names;
  mopt->n_group_partial = np;
  return VAGAP_OK;
}

/* Columns of the model's observed variables, listwise deletion, statistics.
   excluded[i] is set to a reason (static text) for each row dropped. */
static vagap_status_t sem_statistics(sem_objects_t *o, SEXP data, SEXP group, SEXP labels,
                                     const char **excluded, size_t nrow, vagap_error_t *err) {
  const vagap_sem_model_t *m = o->model;
  size_t nvar = m->nov, ngroups = (size_t)Rf_xlength(labels);
  double **col = (double **)R_alloc(nvar ? nvar : 1, sizeof *col);
  for (size_t j = 0; j < nvar; j++) {
    SEXP c = list_elt(data, m->ov[j]);
    if (c == R_NilValue)
      return vagap_error_set(err, VAGAP_ECOLUMN, NULL, 0, 0, "no column '%s' in data", m->ov[j]);
    if ((size_t)Rf_xlength(c) != nrow)
      return vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0, "column '%s' has %lld values, not %zu",
                             m->ov[j], (long long)Rf_xlength(c), nrow);
    char what[300];
    snprintf(what, sizeof what, "column '%s'", m->ov[j]);
    if (!(col[j] = as_doubles(c, what, err))) return err->status;
  }
  double *x = (double *)R_alloc(nrow * nvar + 1, sizeof *x);
  size_t *g = (size_t *)R_alloc(nrow + 1, sizeof *g), nobs = 0;
  for (size_t i = 0; i < nrow; i++) {
    int gi = group == R_NilValue ? 1 : INTEGER(group)[i];
    excluded[i] = NULL;
    if (gi == NA_INTEGER) {
      excluded[i] = ""; /* the group, not a variable */
      continue;
    }
    for (size_t j = 0; j < nvar && !excluded[i]; j++)
      if (isnan(col[j][i])) excluded[i] = m->ov[j];
    if (excluded[i]) continue;
    for (size_t j = 0; j < nvar; j++) x[nobs * nvar + j] = col[j][i];
    g[nobs++] = (size_t)(gi - 1);
  }
  const char **glabel = (const char **)R_alloc(ngroups, sizeof *glabel);
  for (size_t k = 0; k < ngroups; k++) glabel[k] = CHAR(STRING_ELT(labels, (R_xlen_t)k));
  vagap_status_t st = vagap_sem_stats_alloc(&o->stats, ngroups, nvar, (const char *const *)m->ov,
                                            glabel, err);
  return st ? st : vagap_sem_stats_compute(o->stats, x, g, nobs, err);
}

/* lavaan's constraints= text: ==, <, > lines over the model's labels. */
static vagap_status_t add_constraints(vagap_sem_model_t *model, SEXP opts, vagap_error_t *err) {
  const char *text = CHAR(STRING_ELT(list_elt(opts, "constraints"), 0));
  if (!text[0]) return VAGAP_OK;
  static const char source[] = "constraints"; /* the model keeps this pointer */
  vagap_sem_syntax_t *syn = NULL;
  vagap_status_t st = vagap_sem_syntax_parse(&syn, text, source, err);
  if (!st) st = vagap_sem_model_add_constraints(model, syn, source, err);
  vagap_sem_syntax_free(syn);
  return st;
}

static SEXP estimates_frame(const vagap_sem_model_t *m) {
  const char *names[] = {"lhs", "op", "rhs", "block", "group", "label", "est", "se", "z", "pvalue",
                         "ci.lower", "ci.upper", "std.lv", "std.all", ""};
  SEXP df = PROTECT(Rf_mkNamed(VECSXP, names));
  R_xlen_t n = (R_xlen_t)m->nrows;
  for (int c = 0; c < 14; c++)
    SET_VECTOR_ELT(df, c, Rf_allocVector(c < 3 || c == 5 ? STRSXP : c < 5 ? INTSXP : REALSXP, n));
  for (R_xlen_t r = 0; r < n; r++) {
    const vagap_sem_param_t *p = &m->rows[r];
    SET_STRING_ELT(VECTOR_ELT(df, 0), r, Rf_mkChar(p->lhs));
    SET_STRING_ELT(VECTOR_ELT(df, 1), r, Rf_mkChar(vagap_sem_op_string(p->op)));
    SET_STRING_ELT(VECTOR_ELT(df, 2), r, Rf_mkChar(p->rhs));
    INTEGER(VECTOR_ELT(df, 3))[r] = p->block;
    INTEGER(VECTOR_ELT(df, 4))[r] = p->group;
    SET_STRING_ELT(VECTOR_ELT(df, 5), r, Rf_mkChar(p->label));
    const double v[] = {p->est, p->se, p->z, p->pvalue, p->ci_lower, p->ci_upper, p->std_lv, p->std_all};
    for (int c = 0; c < 8; c++) REAL(VECTOR_ELT(df, 6 + c))[r] = isnan(v[c]) ? NA_REAL : v[c];
  }
  UNPROTECT(1);
  return df;
}

static SEXP fit_measures(const vagap_sem_fit_t *fit) {
  const vagap_sem_measures_t *f = &fit->fit;
  /* the program's --fit rows, in its order */
  const char *fixed[] = {"npar", "fmin", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df",
                         "baseline.pvalue", "cfi", "tli", "logl", "unrestricted.logl", "aic", "bic",
                         "ntotal", "bic2", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper",
                         "rmsea.pvalue", "srmr", "nnfi", "rfi", "nfi", "pnfi", "ifi", "rni", "mfi",
                         "ecvi", "cn_05", "cn_01"};
  const double fv[] = {f->npar, f->fmin, f->chisq, f->df, f->pvalue, f->baseline_chisq, f->baseline_df,
                       f->baseline_pvalue, f->cfi, f->tli, f->logl, f->unrestricted_logl, f->aic, f->bic,
                       f->ntotal, f->bic2, f->rmsea, f->rmsea_ci_lower, f->rmsea_ci_upper,
                       f->rmsea_pvalue, f->srmr, f->nnfi, f->rfi, f->nfi, f->pnfi, f->ifi, f->rni,
                       f->mfi, f->ecvi, f->cn_05, f->cn_01};
  size_t nfixed = sizeof fv / sizeof fv[0];
  size_t ng = fit->model->ngroups, n = nfixed + ng + 2;
  const char **names = (const char **)R_alloc(n, sizeof *names);
  double *v = (double *)R_alloc(n, sizeof *v);
  for (size_t i = 0; i < nfixed; i++) names[i] = fixed[i], v[i] = fv[i];
  for (size_t g = 0; g < ng; g++) {
    char *nm = R_alloc(32, 1);
    snprintf(nm, 32, "chisq.group.%zu", g + 1);
    names[nfixed + g] = nm;
    v[nfixed + g] = f->chisq_group[g];
  }
  names[nfixed + ng] = "converged", v[nfixed + ng] = fit->converged;
  names[nfixed + ng + 1] = "admissible", v[nfixed + ng + 1] = fit->admissible;
  return named_numbers(names, v, n);
}

SEXP vagap_r_sem(SEXP model_text, SEXP data, SEXP group, SEXP labels, SEXP opts) {
  vagap_error_t err;
  vagap_error_clear(&err);
  sem_objects_t o = {0};
  vagap_sem_model_options_t mopt;
  vagap_sem_fit_options_t fopt;
  vagap_sem_fit_options_init(&fopt);
  fopt.likelihood = Rf_asInteger(list_elt(opts, "likelihood")) ? VAGAP_SEM_LIKELIHOOD_WISHART
                                                                : VAGAP_SEM_LIKELIHOOD_NORMAL;
  fopt.ci_level = Rf_asReal(list_elt(opts, "level"));
  int max_evals = Rf_asInteger(list_elt(opts, "max.evaluations"));
  if (max_evals != NA_INTEGER) fopt.max_iter = max_evals;
  size_t nrow = group != R_NilValue ? (size_t)Rf_xlength(group)
                : Rf_xlength(data) > 0 ? (size_t)Rf_xlength(VECTOR_ELT(data, 0)) : 0;
  const char **excluded = (const char **)R_alloc(nrow + 1, sizeof *excluded);
  if (model_options(opts, &mopt, &err) ||
      vagap_sem_syntax_parse(&o.syn, CHAR(STRING_ELT(model_text, 0)), "model", &err) ||
      vagap_sem_model_build(&o.model, o.syn, (size_t)Rf_xlength(labels), &mopt, "model", &err) ||
      add_constraints(o.model, opts, &err) ||
      sem_statistics(&o, data, group, labels, excluded, nrow, &err) ||
      vagap_sem_fit(&o.fit, o.model, o.stats, &fopt, &err)) {
    sem_objects_free(&o);
    return error_result(&err);
  }
  size_t nex = 0;
  for (size_t i = 0; i < nrow; i++) nex += excluded[i] != NULL;
  const char *names[] = {"estimates", "fit", "excluded.row", "excluded.variable", "iterations", ""};
  SEXP out = PROTECT(Rf_mkNamed(VECSXP, names));
  SET_VECTOR_ELT(out, 0, estimates_frame(o.fit->model));
  SET_VECTOR_ELT(out, 1, fit_measures(o.fit));
  SEXP rows = PROTECT(Rf_allocVector(INTSXP, (R_xlen_t)nex));
  SEXP why = PROTECT(Rf_allocVector(STRSXP, (R_xlen_t)nex));
  for (size_t i = 0, k = 0; i < nrow; i++)
    if (excluded[i]) {
      INTEGER(rows)[k] = (int)i + 1;
      SET_STRING_ELT(why, (R_xlen_t)k++, Rf_mkChar(excluded[i]));
    }
  SET_VECTOR_ELT(out, 2, rows);
  SET_VECTOR_ELT(out, 3, why);
  SET_VECTOR_ELT(out, 4, Rf_ScalarReal((double)o.fit->iterations));
  sem_objects_free(&o);
  UNPROTECT(3);
  return out;
}

/* ---- registration ---------------------------------------------------------------- */

static const R_CallMethodDef CALLS[] = {
    {"vagap_r_ttest", (DL_FUNC)&vagap_r_ttest, 6},
    {"vagap_r_cor", (DL_FUNC)&vagap_r_cor, 6},
    {"vagap_r_sem", (DL_FUNC)&vagap_r_sem, 5},
    {NULL, NULL, 0}};

/*
 * The structures this glue reads, compared with the loaded library's sizes:
 * a libvagap built from other headers than the package was compiled with
 * (an older installed library, fields appended since) stops library(vagap)
 * with the names, instead of giving numbers read at wrong offsets.
 */
#define GLUE_TYPES(X)                                                                            \
  X(vagap_error_t) X(vagap_ttest_options_t) X(vagap_effect_size_t) X(vagap_ttest_t)              \
  X(vagap_cor_options_t) X(vagap_cor_t) X(vagap_sem_model_options_t) X(vagap_sem_param_t)        \
  X(vagap_sem_model_t) X(vagap_sem_stats_t) X(vagap_sem_fit_options_t) X(vagap_sem_measures_t)   \
  X(vagap_sem_fit_t) X(vagap_prop_options_t) X(vagap_prop_t) X(vagap_study_choice_options_t)     \
  X(vagap_study_choices_t) X(vagap_study_scale_options_t) X(vagap_study_scale_t)                 \
  X(vagap_alpha_t) X(vagap_table_options_t)

static void check_layout(void) {
  char bad[2048] = "";
  size_t used = 0;
#define CHECK_TYPE(t)                                                                            \
  if (vagap_struct_size(#t) != sizeof(t) && used < sizeof bad)                                    \
    used += (size_t)snprintf(bad + used, sizeof bad - used, "%s%s (library %lu bytes, package %lu)", \
                             used ? "; " : "", #t, (unsigned long)vagap_struct_size(#t),          \
                             (unsigned long)sizeof(t));
  GLUE_TYPES(CHECK_TYPE)
#undef CHECK_TYPE
  if (used)
    Rf_error("vagap: the loaded libvagap was built from other headers than this package: %s; "
             "reinstall the package against the library in use", bad);
}

void R_init_vagap(DllInfo *dll) {
  check_layout();
  vagap_init();
  R_registerRoutines(dll, NULL, CALLS, NULL, NULL);
  R_useDynamicSymbols(dll, FALSE);
  R_forceSymbols(dll, TRUE);
}
