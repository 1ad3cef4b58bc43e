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
#include <stdio.h>
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

/* names(x) <- names[0..n) */
static void set_names(SEXP x, const char *const *names, size_t n) {
  SEXP nm = PROTECT(Rf_allocVector(STRSXP, (R_xlen_t)n));
  for (size_t i = 0; i < n; i++) SET_STRING_ELT(nm, (R_xlen_t)i, Rf_mkChar(names[i]));
  Rf_setAttrib(x, R_NamesSymbol, nm);
  UNPROTECT(1);
}

/* A named numeric vector from parallel arrays (NaN as NA). */
static SEXP named_numbers(const char *const *names, const double *v, size_t n) {
  SEXP out = PROTECT(Rf_allocVector(REALSXP, (R_xlen_t)n));
  for (size_t i = 0; i < n; i++) REAL(out)[i] = isnan(v[i]) ? NA_REAL : v[i];
  set_names(out, names, n);
  UNPROTECT(1);
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

/* ---- study logs: prop and score ----------------------------------------------------- */

/*
 * A data frame reaches the library as its columns (vagap_table_from_columns):
 * doubles, integers, logicals, factors and strings as R holds them, no text
 * written and parsed again.  The cells mean what the same values read from a
 * file mean (codes, missing values, exclusions follow the program's rules),
 * and rows are located by their row number in the data frame.
 */
static const char *str_arg(SEXP s) { return CHAR(STRING_ELT(s, 0)); }

/* *dst[k] = v[k] (NA_character_ as NULL) for the first n elements of a character vector. */
static void take_strings(SEXP v, const char **const *dst, int n) {
  for (int k = 0; k < n; k++) *dst[k] = STRING_ELT(v, k) == NA_STRING ? NULL : CHAR(STRING_ELT(v, k));
}

/* The strings of a character vector (NA_character_ as NULL), in UTF-8. */
static const char **utf8_strings(SEXP x) {
  R_xlen_t n = Rf_xlength(x);
  const char **out = (const char **)R_alloc((size_t)(n > 0 ? n : 1), sizeof *out);
  for (R_xlen_t i = 0; i < n; i++)
    out[i] = STRING_ELT(x, i) == NA_STRING ? NULL : Rf_translateCharUTF8(STRING_ELT(x, i));
  return out;
}

/* One column of a data frame as the library's typed column. */
static vagap_status_t typed_column(SEXP x, const char *name, vagap_column_t *c, vagap_error_t *err) {
  memset(c, 0, sizeof *c);
  c->name = name;
  c->na_integer = NA_INTEGER;
  if (Rf_isFactor(x)) {
    SEXP levels = Rf_getAttrib(x, R_LevelsSymbol);
    c->type = VAGAP_COLUMN_FACTOR, c->integers = INTEGER(x);
    c->strings = utf8_strings(levels), c->nlevels = (size_t)Rf_xlength(levels);
  } else if (TYPEOF(x) == REALSXP) {
    c->type = VAGAP_COLUMN_DOUBLE, c->numbers = REAL(x);
  } else if (TYPEOF(x) == INTSXP) {
    c->type = VAGAP_COLUMN_INT, c->integers = INTEGER(x);
  } else if (TYPEOF(x) == LGLSXP) {
    c->type = VAGAP_COLUMN_LOGICAL, c->integers = LOGICAL(x);
  } else if (TYPEOF(x) == STRSXP) {
    c->type = VAGAP_COLUMN_STRING, c->strings = utf8_strings(x);
  } else {
    return vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0,
                           "column '%s' is a %s; columns must be numbers, logicals, factors or "
                           "strings", name, Rf_type2char(TYPEOF(x)));
  }
  return VAGAP_OK;
}

/* A data frame (a named list of equal-length vectors) as a table named `name`. */
static vagap_status_t frame_table(vagap_table_t **t, SEXP frame, const char *name, int infer,
                                  vagap_ledger_t *ledger, vagap_error_t *err) {
  *t = NULL;
  SEXP names = Rf_getAttrib(frame, R_NamesSymbol);
  size_t ncols = TYPEOF(frame) == VECSXP ? (size_t)Rf_xlength(frame) : 0;
  if (!ncols || names == R_NilValue)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "%s must be a data frame with named columns",
                           name);
  vagap_column_t *cols = (vagap_column_t *)R_alloc(ncols, sizeof *cols);
  R_xlen_t nrows = Rf_xlength(VECTOR_ELT(frame, 0));
  for (size_t j = 0; j < ncols; j++) {
    SEXP x = VECTOR_ELT(frame, (R_xlen_t)j);
    const char *cname = Rf_translateCharUTF8(STRING_ELT(names, (R_xlen_t)j));
    if (Rf_xlength(x) != nrows)
      return vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0, "%s: column '%s' has %lld values, not %lld",
                             name, cname, (long long)Rf_xlength(x), (long long)nrows);
    if (typed_column(x, cname, &cols[j], err)) return err->status;
  }
  vagap_table_options_t topt;
  vagap_table_options_init(&topt);
  topt.infer_numbers = infer; /* numbers read without parsing their text (sem) */
  return vagap_table_from_columns(t, name, cols, ncols, (size_t)nrows, &topt, ledger, err);
}

/* The ledger's exclusions as list(source, line, reason). */
static SEXP exclusions(const vagap_ledger_t *ledger) {
  size_t n = ledger ? vagap_ledger_rows_excluded(ledger) : 0;
  const char *names[] = {"source", "line", "reason", ""};
  SEXP out = PROTECT(Rf_mkNamed(VECSXP, names));
  SEXP src = PROTECT(Rf_allocVector(STRSXP, (R_xlen_t)n));
  SEXP line = PROTECT(Rf_allocVector(INTSXP, (R_xlen_t)n));
  SEXP why = PROTECT(Rf_allocVector(STRSXP, (R_xlen_t)n));
  for (size_t i = 0; i < n; i++) {
    const vagap_exclusion_t *e = vagap_ledger_exclusion(ledger, i);
    SET_STRING_ELT(src, (R_xlen_t)i, Rf_mkChar(vagap_ledger_source_name(ledger, e->source)));
    INTEGER(line)[i] = (int)e->line;
    SET_STRING_ELT(why, (R_xlen_t)i, Rf_mkChar(e->reason));
  }
  SET_VECTOR_ELT(out, 0, src);
  SET_VECTOR_ELT(out, 1, line);
  SET_VECTOR_ELT(out, 2, why);
  UNPROTECT(4);
  return out;
}

static SEXP strings(const char *const *v, size_t n) {
  SEXP out = PROTECT(Rf_allocVector(STRSXP, (R_xlen_t)n));
  for (size_t i = 0; i < n; i++) SET_STRING_ELT(out, (R_xlen_t)i, v[i] ? Rf_mkChar(v[i]) : NA_STRING);
  UNPROTECT(1);
  return out;
}

static SEXP reals(const double *v, size_t n, size_t stride) {
  SEXP out = PROTECT(Rf_allocVector(REALSXP, (R_xlen_t)n));
  for (size_t i = 0; i < n; i++) REAL(out)[i] = isnan(v[i * stride]) ? NA_REAL : v[i * stride];
  UNPROTECT(1);
  return out;
}

static SEXP counts(const size_t *v, size_t n, size_t stride) {
  SEXP out = PROTECT(Rf_allocVector(REALSXP, (R_xlen_t)n));
  for (size_t i = 0; i < n; i++) REAL(out)[i] = (double)v[i * stride];
  UNPROTECT(1);
  return out;
}

/* list(...) of `n` named elements taken from the arguments. */
static SEXP named_list(const char *const *names, const SEXP *values, size_t n) {
  SEXP out = PROTECT(Rf_allocVector(VECSXP, (R_xlen_t)n));
  for (size_t i = 0; i < n; i++) SET_VECTOR_ELT(out, (R_xlen_t)i, values[i]);
  set_names(out, names, n);
  UNPROTECT(1);
  return out;
}

/* ---- sem ----------------------------------------------------------------------- */

/*
 * The CHARSXPs of one result's strings, each made once: a parameter table
 * names the same few variables, operators and labels on every row, and
 * Rf_mkChar hashes and looks up R's global string cache on every call.  An
 * entry stays alive because it is stored in the result's vectors as soon as
 * it is made (the table itself is scratch from R_alloc).
 */
typedef struct {
  size_t size;          /* a power of two, more than twice the strings entered */
  const char **text;
  SEXP *chars;
} char_memo_t;

static void char_memo_init(char_memo_t *memo, size_t max_strings) {
  size_t size = 16;
  while (size < 2 * max_strings + 1) size *= 2;
  memo->size = size;
  memo->text = (const char **)R_alloc(size, sizeof *memo->text);
  memo->chars = (SEXP *)R_alloc(size, sizeof *memo->chars);
  memset(memo->text, 0, size * sizeof *memo->text);
}

static SEXP char_memo(char_memo_t *memo, const char *s) {
  size_t h = 14695981039346656037u; /* FNV-1a */
  for (const unsigned char *c = (const unsigned char *)s; *c; c++) h = (h ^ *c) * 1099511628211u;
  for (size_t i = h & (memo->size - 1);; i = (i + 1) & (memo->size - 1)) {
    if (!memo->text[i]) {
      memo->text[i] = s;
      return memo->chars[i] = Rf_mkChar(s);
    }
    if (memo->text[i] == s || !strcmp(memo->text[i], s)) return memo->chars[i];
  }
}

static SEXP estimates_frame(const vagap_sem_model_t *m) {
  const char *names[] = {"lhs", "op", "rhs", "block", "group", "label", "est", "se", "z", "pvalue",
                         "ci.lower", "ci.upper", "std.lv", "std.all", "std.nox", ""};
  SEXP df = PROTECT(Rf_mkNamed(VECSXP, names));
  R_xlen_t n = (R_xlen_t)m->nrows;
  for (int c = 0; c < 15; c++)
    SET_VECTOR_ELT(df, c, Rf_allocVector(c < 3 || c == 5 ? STRSXP : c < 5 ? INTSXP : REALSXP, n));
  SEXP lhs = VECTOR_ELT(df, 0), op = VECTOR_ELT(df, 1), rhs = VECTOR_ELT(df, 2), label = VECTOR_ELT(df, 5);
  int *block = INTEGER(VECTOR_ELT(df, 3)), *group = INTEGER(VECTOR_ELT(df, 4));
  double *num[9];
  for (int c = 0; c < 9; c++) num[c] = REAL(VECTOR_ELT(df, 6 + c));
  char_memo_t memo;
  char_memo_init(&memo, 4 * (size_t)n);
  for (R_xlen_t r = 0; r < n; r++) {
    const vagap_sem_param_t *p = &m->rows[r];
    SET_STRING_ELT(lhs, r, char_memo(&memo, p->lhs));
    SET_STRING_ELT(op, r, char_memo(&memo, vagap_sem_op_string(p->op)));
    SET_STRING_ELT(rhs, r, char_memo(&memo, p->rhs));
    block[r] = p->block;
    group[r] = p->group;
    SET_STRING_ELT(label, r, char_memo(&memo, p->label));
    const double v[] = {p->est, p->se, p->z, p->pvalue, p->ci_lower, p->ci_upper, p->std_lv, p->std_all,
                        p->std_nox};
    for (int c = 0; c < 9; c++) num[c][r] = isnan(v[c]) ? NA_REAL : v[c];
  }
  UNPROTECT(1);
  return df;
}

static SEXP list_elt(SEXP list, const char *name) {
  SEXP names = Rf_getAttrib(list, R_NamesSymbol);
  for (R_xlen_t i = 0; i < Rf_xlength(list); i++)
    if (!strcmp(CHAR(STRING_ELT(names, i)), name)) return VECTOR_ELT(list, i);
  return R_NilValue;
}

/* fitMeasures() of the fit: the rows of `vagap sem --fit` (vagap_sem_fit_measure_list). */
static SEXP fit_measures(const vagap_sem_fit_t *fit) {
  size_t n = vagap_sem_fit_measure_list(fit, NULL, 0);
  vagap_sem_measure_t *m = (vagap_sem_measure_t *)R_alloc(n ? n : 1, sizeof *m);
  vagap_sem_fit_measure_list(fit, m, n);
  const char **names = (const char **)R_alloc(n ? n : 1, sizeof *names);
  double *v = (double *)R_alloc(n ? n : 1, sizeof *v);
  for (size_t i = 0; i < n; i++) names[i] = m[i].name, v[i] = m[i].value;
  return named_numbers(names, v, n);
}

/* lavaan's arguments, as text, into a call of `function` (sem, cfa, growth, lavaan). */
static vagap_status_t sem_call(vagap_sem_call_t **call, SEXP function, SEXP args, vagap_error_t *err) {
  vagap_status_t st = vagap_sem_call_new(call, CHAR(STRING_ELT(function, 0)), err);
  SEXP names = Rf_getAttrib(args, R_NamesSymbol);
  for (R_xlen_t i = 0; !st && i < Rf_xlength(args); i++)
    st = vagap_sem_call_set(*call, CHAR(STRING_ELT(names, i)), Rf_translateCharUTF8(STRING_ELT(args, i)), err);
  return st;
}

/* The call's notes (ignored switches; call may be NULL) and lavaan's warnings on the fit. */
static SEXP fit_warnings(const vagap_sem_fit_t *fit, const vagap_sem_call_t *call) {
  size_t nnotes = call ? vagap_sem_call_nnotes(call) : 0;
  SEXP w = PROTECT(Rf_allocVector(STRSXP, (R_xlen_t)(nnotes + fit->nwarnings)));
  for (size_t i = 0; i < nnotes; i++) SET_STRING_ELT(w, (R_xlen_t)i, Rf_mkChar(vagap_sem_call_note(call, i)));
  for (size_t i = 0; i < fit->nwarnings; i++) SET_STRING_ELT(w, (R_xlen_t)(nnotes + i), Rf_mkChar(fit->warnings[i]));
  UNPROTECT(1);
  return w;
}

/* list x (columns of n values) as a data.frame, as R's data.frame() makes it but
   without its checks, which a loop of a thousand fits would pay for */
static SEXP as_data_frame(SEXP x, R_xlen_t n) {
  PROTECT(x);
  SEXP rn = PROTECT(Rf_allocVector(INTSXP, n ? 2 : 0)); /* .set_row_names(n): compact 1..n */
  if (n) INTEGER(rn)[0] = NA_INTEGER, INTEGER(rn)[1] = -(int)n;
  Rf_setAttrib(x, R_RowNamesSymbol, rn);
  Rf_setAttrib(x, R_ClassSymbol, Rf_mkString("data.frame"));
  UNPROTECT(2);
  return x;
}

/* The ledger's exclusions as data.frame(row, reason): rows of the one data frame. */
static SEXP excluded_frame(const vagap_ledger_t *ledger) {
  SEXP e = PROTECT(exclusions(ledger));
  const char *names[] = {"row", "reason", ""};
  SEXP out = PROTECT(Rf_mkNamed(VECSXP, names));
  SET_VECTOR_ELT(out, 0, VECTOR_ELT(e, 1));
  SET_VECTOR_ELT(out, 1, VECTOR_ELT(e, 2));
  out = as_data_frame(out, Rf_xlength(VECTOR_ELT(e, 1)));
  UNPROTECT(2);
  return out;
}

/* list(estimates, fit, groups, excluded, warnings, iterations), both tables data frames */
static SEXP sem_result(const vagap_sem_fit_t *fit, const vagap_sem_rows_t *rows,
                       const vagap_sem_call_t *call, const vagap_ledger_t *ledger) {
  const char *names[] = {"estimates", "fit", "groups", "excluded", "warnings", "iterations", ""};
  SEXP out = PROTECT(Rf_mkNamed(VECSXP, names));
  SET_VECTOR_ELT(out, 0, as_data_frame(estimates_frame(fit->model), (R_xlen_t)fit->model->nrows));
  SET_VECTOR_ELT(out, 1, fit_measures(fit));
  SET_VECTOR_ELT(out, 2, strings((const char *const *)rows->labels, rows->ngroups));
  SET_VECTOR_ELT(out, 3, excluded_frame(ledger));
  SET_VECTOR_ELT(out, 4, fit_warnings(fit, call));
  SET_VECTOR_ELT(out, 5, Rf_ScalarReal((double)fit->iterations));
  UNPROTECT(1);
  return out;
}

static int model_word_char(unsigned char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_'; }

/*
 * Which of a data frame's columns a lavaan call may use: those named as a word
 * of the model text (a run of letters, digits, '.' and '_', as R's
 * strsplit(model, "[^A-Za-z0-9._]+") splits it) or as the group.  Only these
 * go to the library; R/vagap.R did this with strsplit and %in%, which on a
 * loop of fits costs more than the scan.
 */
SEXP vagap_r_model_columns(SEXP model_text, SEXP names, SEXP group) {
  const char *text = CHAR(STRING_ELT(model_text, 0));
  const char *g = Rf_length(group) ? CHAR(STRING_ELT(group, 0)) : "";
  R_xlen_t n = Rf_xlength(names);
  SEXP keep = PROTECT(Rf_allocVector(LGLSXP, n));
  for (R_xlen_t j = 0; j < n; j++) {
    const char *name = STRING_ELT(names, j) == NA_STRING ? NULL : CHAR(STRING_ELT(names, j));
    size_t len = name ? strlen(name) : 0;
    int found = name && g[0] && !strcmp(name, g);
    for (const char *w = text; name && len && !found && *w;) {
      while (*w && !model_word_char((unsigned char)*w)) w++;
      const char *end = w;
      while (*end && model_word_char((unsigned char)*end)) end++;
      found = (size_t)(end - w) == len && !memcmp(w, name, len);
      w = end;
    }
    LOGICAL(keep)[j] = found;
  }
  UNPROTECT(1);
  return keep;
}

/* A lavaan call fitted to a data frame, and what it holds (freed by fitted_free). */
typedef struct {
  vagap_sem_call_t *call;
  vagap_ledger_t *ledger;
  vagap_table_t *table;
  vagap_sem_fit_t *fit;
  vagap_sem_rows_t rows;
} fitted_t;

/*
 * lavaan's `function` (sem, cfa, growth, lavaan) on a data frame: data holds
 * the columns the model may use (and the group column); group is "" for one
 * group; args are lavaan's arguments as text, named (vagap/sem_call.h).
 */
static vagap_status_t fitted_run(fitted_t *f, SEXP model_text, SEXP data, SEXP group, SEXP function,
                                 SEXP args, vagap_error_t *err) {
  memset(f, 0, sizeof *f);
  const char *g = CHAR(STRING_ELT(group, 0));
  vagap_status_t st = (f->ledger = vagap_ledger_alloc()) ? sem_call(&f->call, function, args, err)
                                                         : vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  if (!st) st = frame_table(&f->table, data, "data", 1, f->ledger, err);
  if (!st)
    st = vagap_sem_call_fit(f->call, CHAR(STRING_ELT(model_text, 0)), f->table, g[0] ? g : NULL, f->ledger,
                            &f->fit, &f->rows, err);
  return st;
}

static void fitted_free(fitted_t *f) {
  vagap_sem_fit_free(f->fit);
  vagap_sem_rows_free(&f->rows);
  vagap_table_free(f->table);
  vagap_sem_call_free(f->call);
  vagap_ledger_free(f->ledger);
}

SEXP vagap_r_sem(SEXP model_text, SEXP data, SEXP group, SEXP function, SEXP args) {
  vagap_error_t err;
  vagap_error_clear(&err);
  fitted_t f;
  vagap_status_t st = fitted_run(&f, model_text, data, group, function, args, &err);
  SEXP out = st ? error_result(&err) : sem_result(f.fit, &f.rows, f.call, f.ledger);
  fitted_free(&f);
  return out;
}

static SEXP prop_result(const vagap_study_prop_t *p, const vagap_ledger_t *ledger) {
  size_t n = p->choices.units.n;
  double *x = (double *)R_alloc(n + 1, sizeof *x), *tot = (double *)R_alloc(n + 1, sizeof *tot);
  for (size_t u = 0; u < n; u++) {
    x[u] = (double)p->choices.prosocial[u];
    tot[u] = (double)(p->choices.prosocial[u] + p->choices.selfish[u]);
  }
  const vagap_prop_t *t = p->test;
  const char *names[] = {"unit", "x", "n", "n_other", "estimate", "std.error", "p.value",
                         "conf.low", "conf.high", "exact.low", "exact.high", "p0", "log10.p",
                         "p.adjusted", "excluded"};
  SEXP v[15];
  int np = 0;
  v[0] = PROTECT(strings((const char *const *)p->choices.units.names, n)), np++;
  v[1] = PROTECT(reals(x, n, 1)), np++;
  v[2] = PROTECT(reals(tot, n, 1)), np++;
  v[3] = PROTECT(counts(p->choices.other, n, 1)), np++;
  double *f = (double *)R_alloc(11 * (n + 1), sizeof *f);
  for (size_t u = 0; u < n; u++) {
    const double row[] = {t[u].estimate, t[u].std_error, t[u].p_value, t[u].conf_low,
                          t[u].conf_high, t[u].exact_low, t[u].exact_high, t[u].p0,
                          t[u].log10_p, p->p_adjusted[u]};
    for (int c = 0; c < 10; c++) f[c * (n + 1) + u] = row[c];
  }
  for (int c = 0; c < 10; c++) v[4 + c] = PROTECT(reals(f + c * (n + 1), n, 1)), np++;
  v[14] = PROTECT(exclusions(ledger)), np++;
  SEXP out = named_list(names, v, 15);
  UNPROTECT(np);
  return out;
}

SEXP vagap_r_prop(SEXP data, SEXP cols, SEXP codes, SEXP p0, SEXP alternative, SEXP conf_level,
                  SEXP adjust) {
  vagap_error_t err;
  vagap_error_clear(&err);
  /* an NA unit column: every row in one pooled unit (`vagap prop --pooled`) */
  vagap_study_choice_options_t o = {STRING_ELT(cols, 0) == NA_STRING ? NULL : CHAR(STRING_ELT(cols, 0)),
                                    CHAR(STRING_ELT(cols, 1)), CHAR(STRING_ELT(codes, 0)),
                                    CHAR(STRING_ELT(codes, 1))};
  vagap_prop_options_t popt;
  vagap_prop_options_init(&popt);
  popt.p0 = Rf_asReal(p0);
  popt.conf_level = Rf_asReal(conf_level);
  vagap_p_adjust_t method;
  if (alternative_of(alternative, &popt.alternative, &err) ||
      vagap_p_adjust_parse(str_arg(adjust), &method, &err))
    return error_result(&err);
  vagap_ledger_t *ledger = vagap_ledger_alloc();
  vagap_table_t *t = NULL;
  vagap_study_prop_t res;
  memset(&res, 0, sizeof res);
  vagap_status_t st = ledger ? frame_table(&t, data, "data", 0, ledger, &err)
                             : vagap_error_set(&err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  if (!st) st = vagap_study_prop_table(t, &o, &popt, method, ledger, &res, &err);
  vagap_table_free(t);
  SEXP out = st ? error_result(&err) : prop_result(&res, ledger);
  vagap_study_prop_free(&res);
  vagap_ledger_free(ledger);
  return out;
}

static SEXP score_result(const vagap_study_key_t *k, const vagap_scale_key_t *sk,
                         const vagap_study_score_t *sc, const vagap_ledger_t *ledger) {
  const vagap_study_runs_t *r = &sc->runs;
  size_t ns = k->nscales, nrun = r->nruns * ns, nunit = r->nunits * ns;
  const char **run_unit = (const char **)R_alloc(nrun + 1, sizeof(char *));
  const char **run_name = (const char **)R_alloc(nrun + 1, sizeof(char *));
  const char **run_scale = (const char **)R_alloc(nrun + 1, sizeof(char *));
  double *run_pomp = (double *)R_alloc(nrun + 1, sizeof(double));
  double *run_k = (double *)R_alloc(nrun + 1, sizeof(double));
  for (size_t i = 0; i < r->nruns; i++)
    for (size_t s = 0; s < ns; s++) {
      size_t c = i * ns + s;
      run_unit[c] = r->run_unit[i], run_name[c] = r->run_name[i], run_scale[c] = k->scale[s];
      run_pomp[c] = vagap_scale_pomp(sk, sc->scores.run_score[c]);
      run_k[c] = (double)vagap_scale_nitems(sk, s);
    }
  const char **unit = (const char **)R_alloc(nunit + 1, sizeof(char *));
  const char **unit_scale = (const char **)R_alloc(nunit + 1, sizeof(char *));
  double *unit_pomp = (double *)R_alloc(nunit + 1, sizeof(double));
  for (size_t u = 0; u < r->nunits; u++)
    for (size_t s = 0; s < ns; s++) {
      size_t c = u * ns + s;
      unit[c] = r->unit_name[u], unit_scale[c] = k->scale[s];
      unit_pomp[c] = vagap_scale_pomp(sk, sc->scores.unit_score[c]);
    }
  /* alpha level: as `vagap score --level alpha` (alpha/omega failures leave NA, with a note) */
  double *al = (double *)R_alloc(8 * (ns + 1), sizeof(double));
  const char **note = (const char **)R_alloc(2 * (ns + 1), sizeof(char *));
  for (size_t s = 0; s < ns; s++) {
    vagap_alpha_t a;
    vagap_omega_t om;
    vagap_error_t e;
    vagap_status_t st = vagap_scale_alpha(sk, r->resp, r->nruns, s, &a, &e);
    note[s] = st == VAGAP_OK ? NULL : strcpy(R_alloc(strlen(e.message) + 1, 1), e.message);
    st = vagap_scale_omega(sk, r->resp, r->nruns, s, &om, &e);
    note[ns + s] = st == VAGAP_OK || vagap_scale_nitems(sk, s) < 3
                       ? NULL : strcpy(R_alloc(strlen(e.message) + 1, 1), e.message);
    const double row[] = {a.alpha, a.alpha_std, a.mean_r, om.omega, (double)vagap_scale_nitems(sk, s),
                          (double)a.n, (double)a.n_excluded};
    for (int c = 0; c < 7; c++) al[c * (ns + 1) + s] = row[c];
  }
  const char *names[] = {"run.unit", "run.run", "run.scale", "run.score", "run.pomp",
                         "run.n_items", "run.k", "unit.unit", "unit.scale", "unit.score",
                         "unit.pomp", "unit.sd", "unit.n", "unit.n_excluded", "alpha.scale",
                         "alpha.alpha", "alpha.alpha_std", "alpha.mean_r", "alpha.omega",
                         "alpha.k", "alpha.n", "alpha.n_excluded", "alpha.note", "omega.note",
                         "excluded"};
  SEXP v[25];
  int np = 0;
  v[np] = PROTECT(strings(run_unit, nrun)), np++;
  v[np] = PROTECT(strings(run_name, nrun)), np++;
  v[np] = PROTECT(strings(run_scale, nrun)), np++;
  v[np] = PROTECT(reals(sc->scores.run_score, nrun, 1)), np++;
  v[np] = PROTECT(reals(run_pomp, nrun, 1)), np++;
  v[np] = PROTECT(counts(sc->scores.answered, nrun, 1)), np++;
  v[np] = PROTECT(reals(run_k, nrun, 1)), np++;
  v[np] = PROTECT(strings(unit, nunit)), np++;
  v[np] = PROTECT(strings(unit_scale, nunit)), np++;
  v[np] = PROTECT(reals(sc->scores.unit_score, nunit, 1)), np++;
  v[np] = PROTECT(reals(unit_pomp, nunit, 1)), np++;
  v[np] = PROTECT(reals(sc->scores.unit_sd, nunit, 1)), np++;
  v[np] = PROTECT(counts(sc->scores.unit_runs, nunit, 1)), np++;
  v[np] = PROTECT(counts(sc->scores.unit_missing, nunit, 1)), np++;
  v[np] = PROTECT(strings(k->scale, ns)), np++;
  for (int c = 0; c < 7; c++) v[np] = PROTECT(reals(al + c * (ns + 1), ns, 1)), np++;
  v[np] = PROTECT(strings(note, ns)), np++;
  v[np] = PROTECT(strings(note + ns, ns)), np++;
  v[np] = PROTECT(exclusions(ledger)), np++;
  SEXP out = named_list(names, v, 25);
  UNPROTECT(np);
  return out;
}

SEXP vagap_r_score(SEXP responses, SEXP key, SEXP cols, SEXP range, SEXP min_items,
                   SEXP long_input, SEXP required) {
  vagap_error_t err;
  vagap_error_clear(&err);
  vagap_study_long_columns_t c = {CHAR(STRING_ELT(cols, 0)), CHAR(STRING_ELT(cols, 1)),
                                  CHAR(STRING_ELT(cols, 2)), CHAR(STRING_ELT(cols, 3)),
                                  LOGICAL(required)[0] == 1, LOGICAL(required)[1] == 1};
  vagap_ledger_t *ledger = vagap_ledger_alloc();
  vagap_table_t *kt = NULL, *t = NULL;
  vagap_study_key_t k;
  memset(&k, 0, sizeof k);
  vagap_study_score_t sc;
  memset(&sc, 0, sizeof sc);
  vagap_scale_key_t sk;
  vagap_status_t st = ledger ? frame_table(&kt, key, "key", 0, ledger, &err)
                             : vagap_error_set(&err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  if (!st) st = vagap_study_key_from(kt, "item", "scale", "reverse", &k, &err);
  if (!st) {
    sk = (vagap_scale_key_t){k.nitems, k.nscales, k.item_scale, k.item_reverse, REAL(range)[0],
                             REAL(range)[1], (size_t)Rf_asInteger(min_items)};
    st = vagap_scale_key_check(&sk, &err);
  }
  if (!st) st = frame_table(&t, responses, "data", 0, ledger, &err);
  if (!st) {
    size_t ci;
    int is_long = LOGICAL(long_input)[0] == 1 || vagap_table_column(t, c.item, &ci, NULL) == VAGAP_OK;
    st = vagap_study_score(&c, is_long, &k, &sk, t, ledger, &sc, &err);
  }
  SEXP out = st ? error_result(&err) : score_result(&k, &sk, &sc, ledger);
  vagap_study_score_free(&sc);
  vagap_study_key_free(&k);
  vagap_table_free(t);
  vagap_ledger_free(ledger);
  return out;
}

/* ---- iat (association counts) -------------------------------------------------------- */

static SEXP iat_units(const vagap_iat_assoc_t *scorer) {
  size_t n = vagap_iat_assoc_nunits(scorer);
  const char *names[] = {"unit", "score", "sd", "sd_pop", "n_valid", "n_invalid", "n_ignored",
                         "n_other_target", "n_duplicate", ""};
  SEXP df = PROTECT(Rf_mkNamed(VECSXP, names));
  SET_VECTOR_ELT(df, 0, Rf_allocVector(STRSXP, (R_xlen_t)n));
  for (int c = 1; c < 9; c++) SET_VECTOR_ELT(df, c, Rf_allocVector(REALSXP, (R_xlen_t)n));
  for (size_t i = 0; i < n; i++) {
    vagap_iat_assoc_unit_t u;
    vagap_iat_assoc_unit(scorer, i, &u);
    SET_STRING_ELT(VECTOR_ELT(df, 0), (R_xlen_t)i, Rf_mkChar(u.unit));
    const double v[] = {u.score, u.sd, u.sd_pop, (double)u.n_valid, (double)u.n_invalid,
                        (double)u.n_ignored, (double)u.n_other_target, (double)u.n_duplicate};
    for (int c = 0; c < 8; c++) REAL(VECTOR_ELT(df, 1 + c))[i] = isnan(v[c]) ? NA_REAL : v[c];
  }
  UNPROTECT(1);
  return df;
}

static SEXP iat_trials(const vagap_iat_assoc_t *scorer) {
  size_t n = vagap_iat_assoc_ntrials(scorer);
  const char *names[] = {"unit", "trial", "a", "b", "c", "d", "n_ignored", "n_other_target",
                         "n_duplicate", "score", "valid", ""};
  SEXP df = PROTECT(Rf_mkNamed(VECSXP, names));
  for (int c = 0; c < 11; c++)
    SET_VECTOR_ELT(df, c, Rf_allocVector(c < 2 ? STRSXP : c == 10 ? LGLSXP : REALSXP, (R_xlen_t)n));
  for (size_t i = 0; i < n; i++) {
    vagap_iat_assoc_trial_t t;
    vagap_iat_assoc_trial(scorer, i, &t);
    SET_STRING_ELT(VECTOR_ELT(df, 0), (R_xlen_t)i, Rf_mkChar(t.unit));
    SET_STRING_ELT(VECTOR_ELT(df, 1), (R_xlen_t)i, Rf_mkChar(t.trial));
    const double v[] = {(double)t.counts.a, (double)t.counts.b, (double)t.counts.c,
                        (double)t.counts.d, (double)t.n_ignored, (double)t.n_other_target,
                        (double)t.n_duplicate, t.score};
    for (int c = 0; c < 8; c++) REAL(VECTOR_ELT(df, 2 + c))[i] = isnan(v[c]) ? NA_REAL : v[c];
    LOGICAL(VECTOR_ELT(df, 10))[i] = t.valid != 0;
  }
  UNPROTECT(1);
  return df;
}

/* The valence from word lists (list(positive, negative) of character vectors) or NULL. */
static vagap_status_t word_lists(SEXP words, vagap_study_word_lists_t *l, vagap_error_t *err) {
  SEXP pos = VECTOR_ELT(words, 0), neg = VECTOR_ELT(words, 1);
  return vagap_study_word_lists_init(l, utf8_strings(pos), (size_t)Rf_xlength(pos), utf8_strings(neg),
                                     (size_t)Rf_xlength(neg), err);
}

SEXP vagap_r_iat(SEXP data, SEXP cols, SEXP targets, SEXP preset, SEXP words) {
  vagap_error_t err;
  vagap_error_clear(&err);
  vagap_study_iat_options_t o;
  vagap_study_iat_options_init(&o);
  take_strings(cols, (const char **[]){&o.unit, &o.trial, &o.word, &o.valence, &o.assigned}, 5);
  take_strings(targets, (const char **[]){&o.focal, &o.contrast}, 2);
  if (vagap_iat_assoc_preset(&o.scoring, str_arg(preset), &err)) return error_result(&err);
  char both[256];
  int overlap = vagap_study_lists_overlap(o.focal, o.contrast, both, sizeof both, &err);
  if (overlap < 0) return error_result(&err);
  if (overlap) {
    vagap_error_set(&err, VAGAP_EINVAL, NULL, 0, 0, "focal and contrast must differ (both have '%s')", both);
    return error_result(&err);
  }
  vagap_ledger_t *ledger = vagap_ledger_alloc();
  vagap_table_t *t = NULL;
  vagap_iat_assoc_t *scorer = NULL;
  vagap_study_word_lists_t lists = {0};
  vagap_status_t st = ledger ? frame_table(&t, data, "data", 0, ledger, &err)
                             : vagap_error_set(&err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  if (!st && words != R_NilValue) st = word_lists(words, &lists, &err);
  if (!st) st = vagap_study_read_iat_table(t, &o, words != R_NilValue ? &lists : NULL, ledger, &scorer, &err);
  vagap_study_word_lists_free(&lists);
  vagap_table_free(t);
  SEXP out;
  if (st) out = error_result(&err);
  else {
    const char *names[] = {"units", "trials", "excluded", ""};
    out = PROTECT(Rf_mkNamed(VECSXP, names));
    SET_VECTOR_ELT(out, 0, iat_units(scorer));
    SET_VECTOR_ELT(out, 1, iat_trials(scorer));
    SET_VECTOR_ELT(out, 2, exclusions(ledger));
    UNPROTECT(1);
  }
  vagap_iat_assoc_free(scorer);
  vagap_ledger_free(ledger);
  return out;
}

/* ---- gap ------------------------------------------------------------------------------ */

static SEXP text_or_na(const char *s) { return s ? Rf_mkChar(s) : NA_STRING; }

/* The rows of a tidy table: group, term, (level,) the broom numbers, method. */
static SEXP tidy_frame(const vagap_tidy_t *t, int with_level) {
  const char *names[] = {"group", "term", "level", "estimate", "std.error", "statistic", "df",
                         "p.value", "conf.low", "conf.high", "n", "method", ""};
  const char *without[] = {"group", "term", "estimate", "std.error", "statistic", "df", "p.value",
                           "conf.low", "conf.high", "n", "method", ""};
  SEXP df = PROTECT(Rf_mkNamed(VECSXP, with_level ? names : without));
  R_xlen_t n = (R_xlen_t)t->n;
  int first = with_level ? 3 : 2, ncols = first + 9;
  for (int c = 0; c < ncols; c++)
    SET_VECTOR_ELT(df, c, Rf_allocVector(c < first || c == ncols - 1 ? STRSXP : REALSXP, n));
  for (R_xlen_t i = 0; i < n; i++) {
    const vagap_tidy_row_t *r = &t->rows[i];
    SET_STRING_ELT(VECTOR_ELT(df, 0), i, text_or_na(r->group));
    SET_STRING_ELT(VECTOR_ELT(df, 1), i, text_or_na(r->term));
    if (with_level) SET_STRING_ELT(VECTOR_ELT(df, 2), i, text_or_na(r->level));
    const double v[] = {r->estimate, r->std_error, r->statistic, r->df, r->p_value, r->conf_low,
                        r->conf_high, (double)r->n};
    for (int c = 0; c < 8; c++) REAL(VECTOR_ELT(df, first + c))[i] = isnan(v[c]) ? NA_REAL : v[c];
    SET_STRING_ELT(VECTOR_ELT(df, ncols - 1), i, text_or_na(r->method));
  }
  UNPROTECT(1);
  return df;
}

static SEXP gap_units_frame(const vagap_gap_t *g) {
  const char *names[] = {"unit", "iat", "behavior", "selfreport", "gap", "overclaiming",
                         "quadrant", "complete", "missing", ""};
  SEXP df = PROTECT(Rf_mkNamed(VECSXP, names));
  R_xlen_t n = (R_xlen_t)g->n_units;
  const SEXPTYPE type[] = {STRSXP, REALSXP, REALSXP, REALSXP, REALSXP, LGLSXP, STRSXP, LGLSXP, STRSXP};
  for (int c = 0; c < 9; c++) SET_VECTOR_ELT(df, c, Rf_allocVector(type[c], n));
  for (R_xlen_t i = 0; i < n; i++) {
    const vagap_gap_unit_t *u = &g->units[i];
    char missing[64];
    vagap_gap_missing_names(u->missing, missing, sizeof missing);
    SET_STRING_ELT(VECTOR_ELT(df, 0), i, Rf_mkChar(u->name));
    const double v[] = {u->iat, u->behavior, u->selfreport, u->gap};
    for (int c = 0; c < 4; c++) REAL(VECTOR_ELT(df, 1 + c))[i] = isnan(v[c]) ? NA_REAL : v[c];
    LOGICAL(VECTOR_ELT(df, 5))[i] = u->complete ? u->overclaiming != 0 : NA_LOGICAL;
    const char *q = vagap_gap_quadrant_name(u->quadrant);
    SET_STRING_ELT(VECTOR_ELT(df, 6), i, q ? Rf_mkChar(q) : NA_STRING);
    LOGICAL(VECTOR_ELT(df, 7))[i] = u->complete != 0;
    SET_STRING_ELT(VECTOR_ELT(df, 8), i, u->missing ? Rf_mkChar(missing) : NA_STRING);
  }
  UNPROTECT(1);
  return df;
}

/* Whole, non-negative counts with x <= n (both missing: a unit without choices). */
static vagap_status_t gap_counts(SEXP x, SEXP n, size_t len, size_t **cx, size_t **cn,
                                 vagap_error_t *err) {
  *cx = *cn = NULL;
  if (x == R_NilValue) return VAGAP_OK;
  double *xs = as_doubles(x, "counts x", err), *ns = xs ? as_doubles(n, "counts n", err) : NULL;
  if (!ns) return err->status;
  *cx = (size_t *)R_alloc(len + 1, sizeof(size_t));
  *cn = (size_t *)R_alloc(len + 1, sizeof(size_t));
  for (size_t i = 0; i < len; i++) {
    double a = xs[i], b = ns[i];
    if (isnan(a) && isnan(b)) a = b = 0;
    if (!(a >= 0 && b >= a && a == floor(a) && b == floor(b) && b < 1e15))
      return vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0,
                             "row %zu: counts %g, %g are not whole numbers with 0 <= X <= N",
                             i + 1, a, b);
    (*cx)[i] = (size_t)a, (*cn)[i] = (size_t)b;
  }
  return VAGAP_OK;
}

SEXP vagap_r_gap(SEXP units, SEXP iat, SEXP behavior, SEXP selfreport, SEXP x, SEXP n, SEXP opts) {
  vagap_error_t err;
  vagap_error_clear(&err);
  size_t len = (size_t)Rf_xlength(units);
  const char **names = (const char **)R_alloc(len + 1, sizeof *names);
  for (size_t i = 0; i < len; i++) names[i] = CHAR(STRING_ELT(units, (R_xlen_t)i));
  double *vi = iat == R_NilValue ? NULL : as_doubles(iat, "iat", &err);
  double *vb = as_doubles(behavior, "behavior", &err), *vs = as_doubles(selfreport, "selfreport", &err);
  if ((iat != R_NilValue && !vi) || !vb || !vs) return error_result(&err);
  size_t *cx, *cn;
  if (gap_counts(x, n, len, &cx, &cn, &err)) return error_result(&err);
  vagap_gap_options_t opt;
  vagap_gap_options_init(&opt);
  opt.tau = REAL(opts)[0], opt.behavior_cut = REAL(opts)[1], opt.iat_null = REAL(opts)[2];
  opt.behavior_null = REAL(opts)[3], opt.conf_level = REAL(opts)[4];
  if (vagap_gap_options_check(&opt, &err)) return error_result(&err);
  vagap_gap_measure_t mi = {len, names, vi}, mb = {len, names, vb}, ms = {len, names, vs};
  vagap_gap_joined_t j;
  memset(&j, 0, sizeof j);
  if (vagap_gap_join(vi ? &mi : NULL, &mb, &ms, &j, &err)) {
    vagap_gap_joined_free(&j);
    return error_result(&err);
  }
  /* counts follow the joined units by name (the join keeps first-seen order) */
  size_t *jx = NULL, *jn = NULL;
  if (cx) {
    jx = (size_t *)R_alloc(j.n + 1, sizeof *jx), jn = (size_t *)R_alloc(j.n + 1, sizeof *jn);
    for (size_t k = 0; k < j.n; k++)
      for (size_t i = 0; i < len; i++)
        if (!strcmp(j.units[k], names[i])) {
          jx[k] = cx[i], jn[k] = cn[i];
          break;
        }
  }
  vagap_gap_data_t data = {j.n, (const char *const *)j.units, j.iat, j.behavior, j.selfreport,
                           jx, jn};
  vagap_gap_t g;
  vagap_tidy_t t;
  vagap_tidy_init(&t);
  vagap_status_t st = vagap_gap_analyze(&data, &opt, &g, &err);
  vagap_gap_joined_free(&j);
  if (st) return error_result(&err);
  if ((st = vagap_gap_tidy(&g, &t, &err))) {
    vagap_gap_free(&g);
    return error_result(&err);
  }
  const char *outer[] = {"tests", "units", ""};
  SEXP out = PROTECT(Rf_mkNamed(VECSXP, outer));
  SET_VECTOR_ELT(out, 0, tidy_frame(&t, 0));
  SET_VECTOR_ELT(out, 1, gap_units_frame(&g));
  vagap_tidy_free(&t);
  vagap_gap_free(&g);
  UNPROTECT(1);
  return out;
}

/* ---- consistency ------------------------------------------------------------------------ */

SEXP vagap_r_consistency(SEXP data, SEXP profile, SEXP mode, SEXP cols, SEXP flags, SEXP conf) {
  vagap_error_t err;
  vagap_error_clear(&err);
  vagap_consistency_options_t o;
  vagap_consistency_options_init(&o);
  take_strings(cols, (const char **[]){&o.unit, &o.scenario, &o.choice, &o.score, &o.value, &o.enacted,
                                       &o.profile_score, &o.condition, &o.correct, &o.a, &o.b}, 11);
  o.method_pearson = LOGICAL(flags)[0] == 1, o.method_spearman = LOGICAL(flags)[1] == 1;
  o.centre = LOGICAL(flags)[2] == 1;
  o.conf_level = Rf_asReal(conf);
  vagap_ledger_t *ledger = vagap_ledger_alloc();
  vagap_table_t *t = NULL, *pt = NULL;
  vagap_tidy_t rows;
  vagap_tidy_init(&rows);
  int m = Rf_asInteger(mode);
  vagap_status_t st = ledger ? frame_table(&t, data, "data", 0, ledger, &err)
                             : vagap_error_set(&err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  if (!st && m == 1) st = frame_table(&pt, profile, "profile", 0, ledger, &err);
  if (!st) {
    if (m == 0) st = vagap_consistency_matrix_rows(t, &o, ledger, &rows, &err);
    else if (m == 1) st = vagap_consistency_stated_enacted_rows(t, pt, &o, ledger, &rows, &err);
    else st = vagap_consistency_roleplay_rows(t, &o, ledger, &rows, &err);
  }
  SEXP out;
  if (st) out = error_result(&err);
  else {
    const char *names[] = {"rows", "notes", "excluded", ""};
    out = PROTECT(Rf_mkNamed(VECSXP, names));
    SET_VECTOR_ELT(out, 0, tidy_frame(&rows, 1));
    SET_VECTOR_ELT(out, 1, strings((const char *const *)rows.notes, rows.nnotes));
    SET_VECTOR_ELT(out, 2, exclusions(ledger));
    UNPROTECT(1);
  }
  vagap_tidy_free(&rows);
  vagap_table_free(t);
  vagap_table_free(pt);
  vagap_ledger_free(ledger);
  return out;
}

/* ---- align ------------------------------------------------------------------------------ */

static SEXP align_frame(const vagap_tidy_t *t) {
  const char *names[] = {"model", "term", "by", "level", "estimate", "n", "rank", "method", ""};
  SEXP df = PROTECT(Rf_mkNamed(VECSXP, names));
  R_xlen_t n = (R_xlen_t)t->n;
  for (int c = 0; c < 8; c++)
    SET_VECTOR_ELT(df, c, Rf_allocVector(c < 4 || c == 7 ? STRSXP : REALSXP, n));
  for (R_xlen_t i = 0; i < n; i++) {
    const vagap_tidy_row_t *r = &t->rows[i];
    const char *text[] = {r->group, r->term, r->by, r->level};
    for (int c = 0; c < 4; c++) SET_STRING_ELT(VECTOR_ELT(df, c), i, text_or_na(text[c]));
    const double v[] = {r->estimate, (double)r->n, r->rank};
    for (int c = 0; c < 3; c++) REAL(VECTOR_ELT(df, 4 + c))[i] = isnan(v[c]) ? NA_REAL : v[c];
    SET_STRING_ELT(VECTOR_ELT(df, 7), i, text_or_na(r->method));
  }
  UNPROTECT(1);
  return df;
}

SEXP vagap_r_align(SEXP data, SEXP cols, SEXP scenario, SEXP by, SEXP codes, SEXP measures,
                   SEXP per_scenario) {
  vagap_error_t err;
  vagap_error_clear(&err);
  vagap_align_log_options_t o;
  vagap_align_log_options_init(&o);
  take_strings(cols, (const char **[]){&o.model, &o.value, &o.prompt, &o.stated, &o.action}, 5);
  take_strings(codes, (const char **[]){&o.agree, &o.disagree}, 2);
  if (Rf_xlength(scenario) < 1 || Rf_xlength(scenario) > VAGAP_ALIGN_MAX_COLUMNS ||
      Rf_xlength(by) > VAGAP_ALIGN_MAX_COLUMNS) {
    vagap_error_set(&err, VAGAP_EINVAL, NULL, 0, 0, "scenario takes 1 to %d columns, by at most %d",
                    VAGAP_ALIGN_MAX_COLUMNS, VAGAP_ALIGN_MAX_COLUMNS);
    return error_result(&err);
  }
  o.nscenario = (size_t)Rf_xlength(scenario);
  for (size_t k = 0; k < o.nscenario; k++) o.scenario[k] = CHAR(STRING_ELT(scenario, (R_xlen_t)k));
  o.nby = (size_t)Rf_xlength(by);
  for (size_t k = 0; k < o.nby; k++) o.by[k] = CHAR(STRING_ELT(by, (R_xlen_t)k));
  o.measures.positive = INTEGER(measures)[0] ? VAGAP_ALIGN_DISAGREE : VAGAP_ALIGN_AGREE;
  o.measures.zero_division = (vagap_align_zero_division_t)INTEGER(measures)[1];
  o.per_scenario = LOGICAL(per_scenario)[0] == 1;
  vagap_ledger_t *ledger = vagap_ledger_alloc();
  vagap_table_t *t = NULL;
  vagap_align_log_t *log = NULL;
  vagap_tidy_t rows;
  vagap_tidy_init(&rows);
  vagap_status_t st = ledger ? frame_table(&t, data, "data", 0, ledger, &err)
                             : vagap_error_set(&err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  if (!st) st = vagap_align_log_alloc(&log, &o, &err);
  if (!st) st = vagap_align_log_add(log, t, ledger, &err);
  if (!st) st = vagap_align_log_rows(log, &rows, &err);
  /* observations are located by line only: the one table is "data" (as the program names its file) */
  if (st && err.line > 0 && !err.file[0]) snprintf(err.file, sizeof err.file, "data");
  SEXP out;
  if (st) out = error_result(&err);
  else {
    const char *names[] = {"rows", "excluded", ""};
    out = PROTECT(Rf_mkNamed(VECSXP, names));
    SET_VECTOR_ELT(out, 0, align_frame(&rows));
    SET_VECTOR_ELT(out, 1, exclusions(ledger));
    UNPROTECT(1);
  }
  vagap_tidy_free(&rows);
  vagap_align_log_free(log);
  vagap_table_free(t);
  vagap_ledger_free(ledger);
  return out;
}

/* ---- vaar ---------------------------------------------------------------------- */

/* A string argument, or NULL when it is "" (the R side's "not given"). */
static const char *optional_str(SEXP s) {
  const char *v = CHAR(STRING_ELT(s, 0));
  return v[0] ? v : NULL;
}

/* The rows of `vagap vaar`: per group its paths, then vaar.strict and vaar.sign; the
   bootstrap columns from b (NA without a bootstrap). */
static SEXP vaar_frame(const vagap_vaar_analysis_t *an, const vagap_vaar_boot_t *b) {
  const vagap_vaar_result_t *r = an->result;
  size_t n = r->ngroups * (r->npaths + 2);
  const char *names[] = {"group", "type", "lhs", "op", "rhs", "expected", "est", "se", "pvalue",
                         "std.all", "ci.lower", "ci.upper", "agree.strict", "agree.sign", "k", "K",
                         "boot.lower", "boot.upper", "boot.agree.strict", "boot.agree.sign", "boot.n", ""};
  SEXP df = PROTECT(Rf_mkNamed(VECSXP, names));
  for (int c = 0; c < 21; c++)
    SET_VECTOR_ELT(df, c, Rf_allocVector(c < 6 ? STRSXP : c < 12 || (c >= 16 && c < 20) ? REALSXP
                                         : c < 14 ? LGLSXP : INTSXP, (R_xlen_t)n));
  size_t i = 0;
#define NUM(c, v) (REAL(VECTOR_ELT(df, c))[i] = isnan(v) ? NA_REAL : (v))
  for (size_t g = 0; g < r->ngroups; g++) {
    for (size_t k = 0; k < r->npaths; k++, i++) {
      size_t cell = g * r->npaths + k;
      const vagap_vaar_path_result_t *p = &r->paths[cell];
      const vagap_vaar_path_t *path = &an->spec->paths[p->path];
      const char *text[] = {r->group_label[g], "path", path->lhs, path->op, path->rhs,
                            vagap_vaar_sign_text(p->expected)};
      for (int c = 0; c < 6; c++) SET_STRING_ELT(VECTOR_ELT(df, c), (R_xlen_t)i, Rf_mkChar(text[c]));
      const double v[] = {p->est.est, p->est.se, p->est.pvalue, p->est.std_all, p->est.ci_lower,
                          p->est.ci_upper, b ? b->est_lower[cell] : NAN, b ? b->est_upper[cell] : NAN,
                          b ? b->share_strict[cell] : NAN, b ? b->share_sign[cell] : NAN};
      for (int c = 0; c < 10; c++) NUM(c < 6 ? 6 + c : 10 + c, v[c]);
      LOGICAL(VECTOR_ELT(df, 12))[i] = p->agree_strict;
      LOGICAL(VECTOR_ELT(df, 13))[i] = p->agree_sign;
      INTEGER(VECTOR_ELT(df, 14))[i] = INTEGER(VECTOR_ELT(df, 15))[i] = NA_INTEGER;
      INTEGER(VECTOR_ELT(df, 20))[i] = b ? (int)b->nused : NA_INTEGER;
    }
    for (int strict = 1; strict >= 0; strict--, i++) {
      const vagap_vaar_group_result_t *gr = &r->groups[g];
      SET_STRING_ELT(VECTOR_ELT(df, 0), (R_xlen_t)i, Rf_mkChar(r->group_label[g]));
      SET_STRING_ELT(VECTOR_ELT(df, 1), (R_xlen_t)i, Rf_mkChar(strict ? "vaar.strict" : "vaar.sign"));
      for (int c = 2; c < 6; c++) SET_STRING_ELT(VECTOR_ELT(df, c), (R_xlen_t)i, NA_STRING);
      NUM(6, strict ? gr->vaar_strict : gr->vaar_sign);
      for (int c = 7; c < 12; c++) REAL(VECTOR_ELT(df, c))[i] = NA_REAL;
      LOGICAL(VECTOR_ELT(df, 12))[i] = LOGICAL(VECTOR_ELT(df, 13))[i] = NA_LOGICAL;
      INTEGER(VECTOR_ELT(df, 14))[i] = (int)(strict ? gr->k_strict : gr->k_sign);
      INTEGER(VECTOR_ELT(df, 15))[i] = (int)gr->K;
      NUM(16, b ? (strict ? b->vaar_strict_lower[g] : b->vaar_sign_lower[g]) : NAN);
      NUM(17, b ? (strict ? b->vaar_strict_upper[g] : b->vaar_sign_upper[g]) : NAN);
      REAL(VECTOR_ELT(df, 18))[i] = REAL(VECTOR_ELT(df, 19))[i] = NA_REAL;
      INTEGER(VECTOR_ELT(df, 20))[i] = b ? (int)b->nused : NA_INTEGER;
    }
  }
#undef NUM
  UNPROTECT(1);
  return df;
}

/* What `vagap vaar` is asked besides the estimates: spec c(expect, reference,
   sign.indicator) ("" for "not given"), expect_frame (lhs, op, rhs, sign) or
   NULL, num c(alpha, reference.alpha, ...), hint appended to a reference error. */
typedef struct {
  vagap_vaar_options_t o;
  vagap_vaar_orientation_t orient;
  vagap_table_t *expect;
} vaar_setup_t;

static vagap_status_t vaar_setup(vaar_setup_t *v, SEXP spec, SEXP expect_frame, SEXP num, SEXP hint,
                                 vagap_error_t *err) {
  memset(v, 0, sizeof *v);
  vagap_vaar_options_init(&v->o);
  const char *text_of[3];
  for (int k = 0; k < 3; k++) text_of[k] = CHAR(STRING_ELT(spec, k));
  v->o.expect = text_of[0][0] ? text_of[0] : NULL;
  v->o.reference = text_of[1][0] ? text_of[1] : NULL;
  v->o.alpha = REAL(num)[0];
  v->o.reference_alpha = REAL(num)[1];
  v->o.reference_hint = optional_str(hint);
  v->o.orientation = &v->orient;
  vagap_status_t st = VAGAP_OK;
  if (text_of[2][0]) st = vagap_vaar_orientation_parse(&v->orient, text_of[2], err);
  if (!st && expect_frame != R_NilValue) {
    st = frame_table(&v->expect, expect_frame, "expect", 0, NULL, err);
    v->o.expect_table = v->expect;
  }
  return st;
}

static void vaar_setup_clear(vaar_setup_t *v) {
  vagap_vaar_orientation_clear(&v->orient);
  vagap_table_free(v->expect);
}

/*
 * est: list(group, lhs, op, rhs, est, se, pvalue, ci.lower, ci.upper, std.all)
 * of one parameter table (":=" rows already dropped); spec: c(expect,
 * reference, sign.indicator) with "" for "not given"; expect_frame: a data
 * frame lhs, op, rhs, sign or NULL; num: c(alpha, reference.alpha); hint:
 * appended to a reference error.
 */
SEXP vagap_r_vaar(SEXP est, SEXP spec, SEXP expect_frame, SEXP num, SEXP hint) {
  vagap_error_t err;
  vagap_error_clear(&err);
  size_t n = (size_t)Rf_xlength(VECTOR_ELT(est, 0));
  vagap_vaar_estimate_t *e = (vagap_vaar_estimate_t *)R_alloc(n + 1, sizeof *e);
  double *col[6];
  static const char *const NUM[6] = {"est", "se", "pvalue", "ci.lower", "ci.upper", "std.all"};
  for (int c = 0; c < 6; c++)
    if (!(col[c] = as_doubles(list_elt(est, NUM[c]), NUM[c], &err))) return error_result(&err);
  for (size_t i = 0; i < n; i++) {
    e[i].group = CHAR(STRING_ELT(VECTOR_ELT(est, 0), (R_xlen_t)i));
    e[i].lhs = CHAR(STRING_ELT(VECTOR_ELT(est, 1), (R_xlen_t)i));
    e[i].op = CHAR(STRING_ELT(VECTOR_ELT(est, 2), (R_xlen_t)i));
    e[i].rhs = CHAR(STRING_ELT(VECTOR_ELT(est, 3), (R_xlen_t)i));
    e[i].est = col[0][i], e[i].se = col[1][i], e[i].pvalue = col[2][i];
    e[i].ci_lower = col[3][i], e[i].ci_upper = col[4][i], e[i].std_all = col[5][i];
  }
  vaar_setup_t v;
  vagap_vaar_analysis_t an = {0};
  vagap_status_t st = vaar_setup(&v, spec, expect_frame, num, hint, &err);
  if (!st) st = vagap_vaar_analyse(&an, e, n, &v.o, &err);
  SEXP out = st ? error_result(&err) : vaar_frame(&an, NULL);
  vagap_vaar_analysis_clear(&an);
  vaar_setup_clear(&v);
  return out;
}

/* The estimate rows of a fit for VAAR (":=" rows skipped) and each one's parameter-table row. */
static size_t vaar_estimates_of(const vagap_sem_fit_t *fit, const vagap_sem_rows_t *rows,
                                vagap_vaar_estimate_t *e, size_t *est_row) {
  const vagap_sem_model_t *m = fit->model;
  size_t n = 0;
  for (size_t r = 0; r < m->nrows; r++) {
    const vagap_sem_param_t *p = &m->rows[r];
    if (p->group < 1) continue;
    e[n] = (vagap_vaar_estimate_t){rows->labels[p->group - 1], p->lhs, vagap_sem_op_string(p->op), p->rhs,
                                   p->est, p->se, p->pvalue, p->ci_lower, p->ci_upper, p->std_all};
    est_row[n++] = r;
  }
  return n;
}

/* `vagap vaar --bootstrap B --seed S --threads T --conf-level L` on the call's rows. */
static vagap_status_t vaar_bootstrap(const vagap_sem_call_t *call, const vagap_sem_rows_t *rows,
                                     const vagap_vaar_analysis_t *an, const vaar_setup_t *v,
                                     const vagap_vaar_estimate_t *e, size_t n, const size_t *est_row,
                                     SEXP boot, double level, vagap_sem_boot_t **sb,
                                     vagap_vaar_boot_t **vb, vagap_error_t *err) {
  vagap_sem_boot_options_t bopt;
  vagap_sem_boot_options_init(&bopt);
  bopt.B = (size_t)REAL(boot)[0];
  bopt.seed = (uint64_t)REAL(boot)[1];
  bopt.threads = (unsigned)REAL(boot)[2];
  vagap_sem_data_t view = vagap_sem_rows_view(rows);
  vagap_status_t st = vagap_sem_bootstrap(sb, vagap_sem_call_model(call), &view,
                                          vagap_sem_call_fit_options(call), &bopt, err);
  if (!st)
    st = vagap_vaar_bootstrap(vb, an->spec, e, n, est_row, *sb, v->orient.latent, v->orient.indicator,
                              v->orient.n, v->o.alpha, level, err);
  return st;
}

/*
 * `vagap vaar --model`: lavaan's `function` fitted to data (as vagap_r_sem,
 * group "" for one group, args lavaan's arguments as text), then the analysis
 * of vagap_r_vaar (spec, expect_frame, num c(alpha, reference.alpha, level),
 * hint) and with boot c(B, seed, threads), B > 0, the bootstrap columns.
 */
SEXP vagap_r_vaar_fit(SEXP model_text, SEXP data, SEXP group, SEXP function, SEXP args, SEXP spec,
                      SEXP expect_frame, SEXP num, SEXP hint, SEXP boot) {
  vagap_error_t err;
  vagap_error_clear(&err);
  fitted_t f;
  vaar_setup_t v;
  memset(&v, 0, sizeof v);
  vagap_vaar_analysis_t an = {0};
  vagap_sem_boot_t *sb = NULL;
  vagap_vaar_boot_t *vb = NULL;
  vagap_status_t st = fitted_run(&f, model_text, data, group, function, args, &err);
  size_t nrows = f.fit ? f.fit->model->nrows : 0, n = 0;
  vagap_vaar_estimate_t *e = (vagap_vaar_estimate_t *)R_alloc(nrows + 1, sizeof *e);
  size_t *est_row = (size_t *)R_alloc(nrows + 1, sizeof *est_row);
  if (!st) n = vaar_estimates_of(f.fit, &f.rows, e, est_row);
  if (!st) st = vaar_setup(&v, spec, expect_frame, num, hint, &err);
  if (!st) st = vagap_vaar_analyse(&an, e, n, &v.o, &err);
  if (!st && REAL(boot)[0] > 0)
    st = vaar_bootstrap(f.call, &f.rows, &an, &v, e, n, est_row, boot, REAL(num)[2], &sb, &vb, &err);
  SEXP out;
  if (st) out = error_result(&err);
  else {
    const char *names[] = {"rows", "excluded", "warnings", "boot.failed", ""};
    out = PROTECT(Rf_mkNamed(VECSXP, names));
    SET_VECTOR_ELT(out, 0, vaar_frame(&an, vb));
    SET_VECTOR_ELT(out, 1, exclusions(f.ledger));
    SET_VECTOR_ELT(out, 2, fit_warnings(f.fit, f.call));
    SET_VECTOR_ELT(out, 3, Rf_ScalarReal(sb ? (double)sb->nfailed : 0));
    UNPROTECT(1);
  }
  vagap_vaar_boot_free(vb);
  vagap_sem_boot_free(sb);
  vagap_vaar_analysis_clear(&an);
  vaar_setup_clear(&v);
  fitted_free(&f);
  return out;
}

/* ---- report: the cross-task gap ------------------------------------------------------ */

/* The four logs into the library's readers in the program's order (iat, choices, key,
   responses), every exclusion in `ledger`; logs: list(iat or NULL, choices, selfreport, key). */
static vagap_status_t report_read(SEXP logs, const vagap_study_iat_options_t *io,
                                  const vagap_study_choice_options_t *co,
                                  const vagap_study_scale_options_t *so, vagap_ledger_t *ledger,
                                  vagap_iat_assoc_t **iat, vagap_study_choices_t *choices,
                                  vagap_study_scale_t *scale, vagap_error_t *err) {
  vagap_table_t *t = NULL, *key = NULL, *responses = NULL;
  vagap_status_t st = VAGAP_OK;
  if (VECTOR_ELT(logs, 0) != R_NilValue) {
    st = frame_table(&t, VECTOR_ELT(logs, 0), "iat", 0, ledger, err);
    if (!st) st = vagap_study_read_iat_table(t, io, NULL, ledger, iat, err);
    vagap_table_free(t);
    t = NULL;
  }
  if (!st) st = frame_table(&t, VECTOR_ELT(logs, 1), "choices", 0, ledger, err);
  if (!st) st = vagap_study_read_choices_table(t, co, ledger, choices, err);
  vagap_table_free(t);
  if (!st) st = frame_table(&key, VECTOR_ELT(logs, 3), "key", 0, ledger, err);
  if (!st) st = frame_table(&responses, VECTOR_ELT(logs, 2), "selfreport", 0, ledger, err);
  if (!st) return vagap_study_scale_from(responses, key, so, ledger, scale, err); /* owns both */
  vagap_table_free(key);
  vagap_table_free(responses);
  return st;
}

/*
 * `vagap report`'s gap_tests and gap_units and the exclusions of all four
 * logs.  logs: list(iat or NULL, choices, selfreport, key) data frames; cols: c(unit,
 * focal, contrast, prosocial, selfish, preset, selfreport.scale or "");
 * num: c(min, max, min.items, tau, behavior.cut, conf.level).
 */
/* The calibration plot of g as SVG text (vagap_gap_plot_svg into memory). */
/* What a writer puts into a FILE, as one R string (NA if writing failed). */
typedef int (*text_writer_t)(FILE *out, const void *what);

static SEXP written_text(text_writer_t write, const void *what) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  int bad = !f || write(f, what) != 0;
  if (f) bad |= fclose(f) != 0;
  SEXP out = PROTECT(Rf_allocVector(STRSXP, 1));
  SET_STRING_ELT(out, 0, bad || !text ? NA_STRING : Rf_mkCharLenCE(text, (int)len, CE_UTF8));
  free(text);
  UNPROTECT(1);
  return out;
}

typedef struct {
  const vagap_gap_t *g;
  const char *title;
} svg_job_t;

static int write_svg(FILE *out, const void *what) {
  const svg_job_t *j = what;
  return vagap_gap_plot_svg(out, j->g, j->title);
}

typedef struct {
  const vagap_gap_t *g;
  const vagap_study_scale_t *scale;
  const vagap_ledger_t *ledger;
  const vagap_report_options_t *opt;
} markdown_job_t;

static int write_markdown(FILE *out, const void *what) {
  const markdown_job_t *j = what;
  return vagap_report_markdown(out, j->g, j->scale, j->ledger, j->opt);
}

/* report.md (vagap/report.h): md is c(title, source), the other options are the study's. */
static SEXP report_markdown(const vagap_gap_t *g, const vagap_study_scale_t *scale, const vagap_ledger_t *ledger,
                            SEXP md, const vagap_study_iat_options_t *io, const vagap_study_choice_options_t *co,
                            const vagap_study_scale_options_t *so, const char *selfreport_scale) {
  vagap_report_options_t o;
  vagap_report_options_init(&o);
  o.title = Rf_translateCharUTF8(STRING_ELT(md, 0));
  o.source = Rf_translateCharUTF8(STRING_ELT(md, 1));
  o.unit = io->unit;
  o.prosocial = co->prosocial;
  o.selfish = co->selfish;
  o.selfreport_scale = selfreport_scale;
  o.scale_min = so->min;
  o.scale_max = so->max;
  o.iat_smoothing = io->scoring.smoothing;
  return written_text(write_markdown, &(markdown_job_t){g, scale, ledger, &o});
}

SEXP vagap_r_report_gap(SEXP logs, SEXP cols, SEXP num, SEXP svg_title, SEXP md) {
  vagap_error_t err;
  vagap_error_clear(&err);
  const char *c[7];
  for (int k = 0; k < 7; k++) c[k] = CHAR(STRING_ELT(cols, k));
  vagap_study_iat_options_t io;
  vagap_study_choice_options_t co;
  vagap_study_scale_options_t so;
  vagap_gap_options_t go;
  vagap_study_iat_options_init(&io);
  vagap_study_choice_options_init(&co);
  vagap_study_scale_options_init(&so);
  vagap_gap_options_init(&go);
  io.unit = co.unit = so.unit = c[0];
  io.focal = c[1], io.contrast = c[2], co.prosocial = c[3], co.selfish = c[4];
  so.min = REAL(num)[0], so.max = REAL(num)[1], so.min_items = (size_t)REAL(num)[2];
  go.tau = REAL(num)[3], go.behavior_cut = REAL(num)[4], go.conf_level = REAL(num)[5];
  if (vagap_iat_assoc_preset(&io.scoring, c[5], &err) || vagap_gap_options_check(&go, &err))
    return error_result(&err);
  vagap_ledger_t *ledger = vagap_ledger_alloc();
  vagap_iat_assoc_t *iat = NULL;
  vagap_study_choices_t choices;
  vagap_study_scale_t scale;
  vagap_gap_t g;
  vagap_tidy_t t;
  memset(&choices, 0, sizeof choices);
  memset(&scale, 0, sizeof scale);
  vagap_tidy_init(&t);
  vagap_status_t st = ledger ? report_read(logs, &io, &co, &so, ledger, &iat, &choices, &scale, &err)
                             : vagap_error_set(&err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  int have_gap = 0;
  if (!st) st = vagap_study_gap(iat, &choices, &scale, c[6][0] ? c[6] : NULL, so.min_items, &go, &g, &err);
  if (!st) have_gap = 1, st = vagap_gap_tidy(&g, &t, &err);
  SEXP out;
  if (st) out = error_result(&err);
  else {
    const char *names[] = {"tests", "units", "excluded", "svg", "markdown", ""};
    out = PROTECT(Rf_mkNamed(VECSXP, names));
    SET_VECTOR_ELT(out, 0, tidy_frame(&t, 0));
    SET_VECTOR_ELT(out, 1, gap_units_frame(&g));
    SET_VECTOR_ELT(out, 2, exclusions(ledger));
    if (svg_title != R_NilValue)
      SET_VECTOR_ELT(out, 3, written_text(write_svg, &(svg_job_t){&g, Rf_translateCharUTF8(STRING_ELT(svg_title, 0))}));
    if (md != R_NilValue)
      SET_VECTOR_ELT(out, 4, report_markdown(&g, &scale, ledger, md, &io, &co, &so, c[6][0] ? c[6] : NULL));
    UNPROTECT(1);
  }
  vagap_tidy_free(&t);
  if (have_gap) vagap_gap_free(&g);
  vagap_study_scale_free(&scale);
  vagap_study_choices_free(&choices);
  vagap_iat_assoc_free(iat);
  vagap_ledger_free(ledger);
  return out;
}

/* ---- registration ---------------------------------------------------------------- */

static const R_CallMethodDef CALLS[] = {
    {"vagap_r_ttest", (DL_FUNC)&vagap_r_ttest, 6},
    {"vagap_r_cor", (DL_FUNC)&vagap_r_cor, 6},
    {"vagap_r_sem", (DL_FUNC)&vagap_r_sem, 5},
    {"vagap_r_model_columns", (DL_FUNC)&vagap_r_model_columns, 3},
    {"vagap_r_prop", (DL_FUNC)&vagap_r_prop, 7},
    {"vagap_r_score", (DL_FUNC)&vagap_r_score, 7},
    {"vagap_r_gap", (DL_FUNC)&vagap_r_gap, 7},
    {"vagap_r_iat", (DL_FUNC)&vagap_r_iat, 5},
    {"vagap_r_consistency", (DL_FUNC)&vagap_r_consistency, 6},
    {"vagap_r_align", (DL_FUNC)&vagap_r_align, 7},
    {"vagap_r_vaar", (DL_FUNC)&vagap_r_vaar, 5},
    {"vagap_r_vaar_fit", (DL_FUNC)&vagap_r_vaar_fit, 10},
    {"vagap_r_report_gap", (DL_FUNC)&vagap_r_report_gap, 5},
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
  X(vagap_sem_model_t) X(vagap_sem_fit_options_t) X(vagap_sem_measures_t) X(vagap_sem_measure_t) \
  X(vagap_sem_fit_t) X(vagap_sem_rows_t) X(vagap_prop_options_t) X(vagap_prop_t)                 \
  X(vagap_study_choice_options_t) X(vagap_study_choices_t) X(vagap_study_scale_options_t)        \
  X(vagap_study_scale_t) X(vagap_alpha_t) X(vagap_table_options_t) X(vagap_column_t)             \
  X(vagap_study_word_lists_t) X(vagap_gap_t) X(vagap_gap_unit_t)                                 \
  X(vagap_gap_options_t) X(vagap_tidy_t) X(vagap_tidy_row_t) X(vagap_study_iat_options_t)        \
  X(vagap_iat_assoc_unit_t) X(vagap_iat_assoc_trial_t) X(vagap_consistency_options_t)             \
  X(vagap_align_log_options_t) X(vagap_vaar_estimate_t) X(vagap_vaar_options_t)                 \
  X(vagap_vaar_analysis_t) X(vagap_vaar_result_t) X(vagap_vaar_path_result_t)                    \
  X(vagap_vaar_group_result_t) X(vagap_vaar_boot_t) X(vagap_sem_boot_options_t)                 \
  X(vagap_sem_boot_t) X(vagap_vaar_spec_t) X(vagap_vaar_path_t) X(vagap_vaar_orientation_t) \
  X(vagap_report_options_t)

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
