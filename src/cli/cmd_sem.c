/*
 * vagap sem: fit a (multi-group) structural equation model written in
 * lavaan syntax by maximum likelihood and print lavaan's
 * parameterEstimates(fit, standardized = TRUE) columns, the fit measures
 * (--fit) or a human summary (--summary).
 *
 * Data policy (owned here, not in the library): listwise deletion of rows
 * with a missing value in a model variable or in the group column, each
 * recorded in the ledger (under --missing ml/ml.x lavaan's FIML rows instead:
 * semcli_data.c); groups in order of first appearance (lavaan's
 * order for a character group column).
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>


#include "cli.h"
#include "semcli_data.h"
#include "semcli_options.h"
#include "semcli_stream.h"

static const char HELP[] =
    "Usage: vagap sem --model FILE [OPTIONS] [DATA]\n"
    "Fit a structural equation model (lavaan syntax) by maximum likelihood, with\n"
    "lavaan's sem() defaults, and print parameterEstimates(fit, standardized=TRUE):\n"
    "lhs,op,rhs,block,group,label,est,se,z,pvalue,ci.lower,ci.upper,std.lv,std.all,std.nox\n\n"
    "Options:\n"
    "      --model FILE       lavaan model syntax: =~ ~ ~~ ~1 := == < > and modifiers\n"
    "                         1*x NA*x a*x \"a\"*x c(..)*x label() equal() start() 0.5?x\n"
    "                         fixed() lower() upper(), chained: c(a,b)*start(c(.5,.6))*x\n"
    "      --group COL        multiple-group analysis, one group per value of COL\n"
    "      --group-equal LIST equal across groups: loadings,intercepts,regressions,\n"
    "                         residuals,residual.covariances,lv.variances,lv.covariances,means,\n"
    "                         thresholds (with --ordered)\n"
    "      --group-partial LIST  exceptions to --group-equal, e.g. 'visual=~x2,x3~1'\n"
    "      --fit              print fit measures (measure,value) instead of estimates\n"
    "      --summary          print a lavaan-like summary instead of the table\n"
    "      --conf-level X     confidence level of ci.lower/ci.upper (default 0.95)\n"
    "                         (alias --level, lavaan's parameterEstimates name)\n"
    "      --save-stats FILE  also write the per-group sufficient statistics (n, means,\n"
    "                         covariances; mergeable across shards) to FILE\n"
    "      --from-stats FILE  fit to statistics saved by --save-stats instead of DATA\n"
    "      --max-evaluations N  likelihood evaluations per optimisation strategy (default 10000)\n"
    "      --invariance [LIST]  measurement invariance: fit configural, metric (loadings),\n"
    "                         scalar (+intercepts), strict (+residuals), or the levels in\n"
    "                         LIST, one row per model with chi-square difference tests,\n"
    "                         delta CFI and delta RMSEA (lavTestLRT); needs --group\n"
    "      --bootstrap B      nonparametric bootstrap within groups, B resamples:\n"
    "                         percentile CIs (see 'vagap sem --bootstrap 1 --help')\n";

enum {
  OPT_MODEL = 1, OPT_GROUP, OPT_GROUP_EQUAL, OPT_GROUP_PARTIAL, OPT_FIT, OPT_SUMMARY, OPT_LEVEL, OPT_SAVE_STATS, OPT_FROM_STATS,
  OPT_MAX_EVALS, OPT_SAMPSTAT
};

typedef struct {
  const char *model_path, *group_col, *group_equal, *group_partial;
  const char *save_stats, *from_stats;
  int fit, summary, sampstat;
  semcli_lavaan_t lav;
  double level;
  long max_evals;
} sem_args_t;

/* Input (model file, group levels, listwise deletion, statistics) is shared
   with the other SEM-fitting commands: semcli_data.h. */
typedef semcli_data_t sem_data_t;

/* ---- statistics files (the seam between data and fit) ---------------------------- */

static vagap_status_t save_stats(const char *path, const vagap_sem_stats_t *stats, vagap_error_t *err) {
  char *text = NULL;
  vagap_status_t st = vagap_sem_stats_serialize(stats, &text, err);
  if (st) return st;
  FILE *f = cli_output_open(path); /* renamed into place when the command succeeds */
  if (!f) {
    free(text);
    return vagap_error_set(err, VAGAP_EIO, path, 0, 0, "not written");
  }
  int bad = fputs(text, f) < 0;
  if (bad) cli_output_failed(f, errno);
  bad |= cli_output_close(f, CLI_EXIT_OK) != CLI_EXIT_OK;
  free(text);
  return bad ? vagap_error_set(err, VAGAP_EIO, path, 0, 0, "not written") : VAGAP_OK;
}

static vagap_status_t load_stats(const char *path, sem_data_t *d, vagap_error_t *err) {
  char *text = NULL;
  vagap_status_t st = semcli_read_text(path, &text, err);
  if (!st) st = vagap_sem_stats_deserialize(&d->stats, text, err);
  free(text);
  if (st) {
    if (!err->file[0]) snprintf(err->file, sizeof err->file, "%s", path);
    return st;
  }
  d->ngroups = d->stats->ngroups;
  if (!(d->labels = calloc(d->ngroups, sizeof *d->labels)))
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  for (size_t g = 0; g < d->ngroups; g++)
    if (!(d->labels[g] = strdup(d->stats->group_label[g])))
      return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  return VAGAP_OK;
}

/* ---- output ----------------------------------------------------------------------- */

static int write_estimates(const cli_common_t *c, const vagap_sem_fit_t *fit) {
  static const char *const cols[] = {"lhs", "op", "rhs", "block", "group", "label", "est", "se", "z",
                                     "pvalue", "ci.lower", "ci.upper", "std.lv", "std.all", "std.nox"};
  cli_writer_t *w = cli_writer_open(c, cols, sizeof cols / sizeof cols[0]);
  if (!w) return CLI_EXIT_DATA;
  const vagap_sem_model_t *m = fit->model;
  /* se = "none": lavaan's parameterEstimates() has no se, z, pvalue or CI columns; NA here */
  int no_se = fit->options.se == VAGAP_SEM_SE_NONE;
  for (size_t r = 0; r < m->nrows; r++) {
    const vagap_sem_param_t *row = &m->rows[r];
    cli_put_str(w, row->lhs);
    cli_put_str(w, vagap_sem_op_string(row->op));
    cli_put_str(w, row->rhs);
    cli_put_int(w, row->block);
    cli_put_int(w, row->group);
    cli_put_str(w, row->label);
    cli_put_num(w, row->est);
    cli_put_num(w, no_se ? NAN : row->se);
    cli_put_num(w, no_se ? NAN : row->z);
    cli_put_num(w, no_se ? NAN : row->pvalue);
    cli_put_num(w, no_se ? NAN : row->ci_lower);
    cli_put_num(w, no_se ? NAN : row->ci_upper);
    cli_put_num(w, row->std_lv);
    cli_put_num(w, row->std_all);
    cli_put_num(w, row->std_nox);
  }
  return cli_writer_close(w);
}

/* A printer of fit measures given a fit that was asked for less (printed_compute):
   a programming error, never a table of NA or stale values. */
static int not_computed(void) {
  fputs("vagap sem: internal error: the fit measures were not computed for this output\n", stderr);
  return CLI_EXIT_DATA;
}

static void put_measure(cli_writer_t *w, const char *name, double v) {
  cli_put_str(w, name);
  cli_put_num(w, v);
}

/* fitMeasures()'s rows for this fit, from the library's list (the bindings return the same rows) */
static int write_fit(const cli_common_t *c, const vagap_sem_fit_t *fit) {
  static const char *const cols[] = {"measure", "value"};
  if (!vagap_sem_fit_has_measures(fit)) return not_computed();
  size_t n = vagap_sem_fit_measure_list(fit, NULL, 0);
  vagap_sem_measure_t *m = malloc((n ? n : 1) * sizeof *m);
  if (!m) {
    fprintf(stderr, "vagap sem: out of memory\n");
    return CLI_EXIT_DATA;
  }
  vagap_sem_fit_measure_list(fit, m, n);
  cli_writer_t *w = cli_writer_open(c, cols, 2);
  if (!w) {
    free(m);
    return CLI_EXIT_DATA;
  }
  for (size_t i = 0; i < n; i++) put_measure(w, m[i].name, m[i].value);
  free(m);
  return cli_writer_close(w);
}

/* --sampstat: the first stage of a categorical fit (lavaan's sampstat with the SEs
   sqrt(diag(NACOV) / n)) */
static int write_sampstat(const cli_common_t *c, const vagap_sem_fit_t *fit, const sem_data_t *d) {
  static const char *const cols[] = {"group", "name", "est", "se"};
  cli_writer_t *w = cli_writer_open(c, cols, 4);
  if (!w) return CLI_EXIT_DATA;
  for (size_t g = 0; g < d->ngroups; g++)
    for (size_t a = 0; a < fit->nstage1; a++) {
      cli_put_str(w, d->labels[g]);
      cli_put_str(w, fit->stage1_name[a]);
      cli_put_num(w, fit->stage1_est[g * fit->nstage1 + a]);
      cli_put_num(w, fit->stage1_se[g * fit->nstage1 + a]);
    }
  return cli_writer_close(w);
}

static const char *section_title(vagap_sem_op_t op) {
  switch (op) {
    case VAGAP_SEM_LOADING: return "Latent Variables";
    case VAGAP_SEM_REGRESSION: return "Regressions";
    case VAGAP_SEM_COVARIANCE: return "Covariances and variances";
    case VAGAP_SEM_INTERCEPT: return "Intercepts";
    case VAGAP_SEM_DEFINED: return "Defined Parameters";
    case VAGAP_SEM_CON_EQ:
    case VAGAP_SEM_CON_LT:
    case VAGAP_SEM_CON_GT: return "Constraints";
    case VAGAP_SEM_THRESHOLD: return "Thresholds";
    case VAGAP_SEM_SCALE: return "Scales y*";
  }
  return "";
}

/* observations of group g (the statistics', or the raw rows' for --ordered) */
static double group_n(const sem_data_t *d, size_t g) {
  if (d->stats) return d->stats->n[g];
  double n = 0;
  for (size_t i = 0; i < d->nobs; i++) n += d->group[i] == g;
  return n;
}

/* lavaan's summary header of a categorical fit: estimator, the standard and the
   scaled (scaled-shifted) test side by side, the first-stage sizes */
static void summary_categorical_header(FILE *out, const vagap_sem_fit_t *fit, const sem_data_t *d,
                                       const sem_args_t *a) {
  const vagap_sem_measures_t *f = &fit->fit;
  vagap_sem_fit_options_t o;
  vagap_error_t err;
  vagap_sem_fit_options_init(&o);
  semcli_lavaan_fit_apply(&a->lav, &o);
  vagap_sem_fit_options_resolve(&o, 1, &err);
  int scaled = isfinite(f->chisq_scaled);
  fprintf(out, "vagap sem (lavaan-compatible, ordered indicators) converged: %zu evaluations, %s\n\n",
          fit->iterations, fit->optimizer);
  fprintf(out, "  Estimator                                     %10s\n", vagap_sem_estimator_name(o.estimator));
  fprintf(out, "  Parameterization                              %10s\n", "delta");
  fprintf(out, "  Number of model parameters                    %10.0f\n", f->npar);
  fprintf(out, "  Number of observations                        %10.0f\n", f->ntotal);
  if (d->ngroups > 1)
    for (size_t g = 0; g < d->ngroups; g++) fprintf(out, "    %-42s%10.0f\n", d->labels[g], group_n(d, g));
  fprintf(out, "  Missing data                                  %10s\n", vagap_sem_missing_name(o.missing));
  fprintf(out, "\nModel Test User Model:\n");
  if (scaled) fprintf(out, "%56s  %10s\n", "Standard", "Scaled");
  fprintf(out, "  Test Statistic                                %10.3f", f->chisq);
  if (scaled) fprintf(out, "  %10.3f", f->chisq_scaled);
  fprintf(out, "\n  Degrees of freedom                            %10.0f", f->df);
  if (scaled) fprintf(out, "  %10.0f", f->df_scaled);
  fprintf(out, "\n  P-value (Chi-square)                          %10.3f", f->pvalue);
  if (scaled) fprintf(out, "  %10.3f", f->pvalue_scaled);
  fputc('\n', out);
  if (scaled) {
    fprintf(out, "  Scaling correction factor                     %10s  %10.3f\n", "", f->chisq_scaling_factor);
    fprintf(out, "  Shift parameter                               %10s  %10.3f\n", "", f->chisq_shift_parameter);
    fprintf(out, "    simple second-order correction\n");
  }
  if (d->ngroups > 1) {
    fprintf(out, "  Test statistic for each group:\n");
    for (size_t g = 0; g < d->ngroups; g++) fprintf(out, "    %-42s%10.3f\n", d->labels[g], f->chisq_group[g]);
  }
  fprintf(out, "\n  Comparative Fit Index (CFI)                   %10.3f", f->cfi);
  if (scaled) fprintf(out, "  %10.3f", f->cfi_scaled);
  fprintf(out, "\n  Tucker-Lewis Index (TLI)                      %10.3f", f->tli);
  if (scaled) fprintf(out, "  %10.3f", f->tli_scaled);
  fprintf(out, "\n  RMSEA                                         %10.3f", f->rmsea);
  if (scaled) fprintf(out, "  %10.3f", f->rmsea_scaled);
  fprintf(out, "\n  SRMR                                          %10.3f\n", f->srmr);
  fprintf(out, "\nParameter Estimates:\n  Standard errors                               %10s\n",
          o.se == VAGAP_SEM_SE_ROBUST_SEM ? "Robust.sem" : vagap_sem_se_name(o.se));
}

/* lavaan's label under the scaling factor (lav_test_print) */
static const char *test_label(vagap_sem_test_t t) {
  switch (t) {
    case VAGAP_SEM_TEST_SATORRA_BENTLER: return "Satorra-Bentler correction";
    case VAGAP_SEM_TEST_YUAN_BENTLER_MPLUS: return "Yuan-Bentler correction (Mplus variant)";
    case VAGAP_SEM_TEST_MEAN_VAR_ADJUSTED: return "mean and variance adjusted correction";
    case VAGAP_SEM_TEST_SCALED_SHIFTED: return "simple second-order correction";
    default: return "";
  }
}

static void row2(FILE *out, const char *label, const char *fmt, double a, double b) {
  char ba[32] = "", bb[32] = "";
  if (!isnan(a)) snprintf(ba, sizeof ba, fmt, a);
  if (!isnan(b)) snprintf(bb, sizeof bb, fmt, b);
  fprintf(out, "  %-42s%12s%12s\n", label, ba, bb);
}

/* The fit block of lavaan's summary(fit, fit.measures = TRUE) with its Scaled / Robust column. */
static void write_summary_scaled(FILE *out, const vagap_sem_fit_t *fit, const sem_data_t *d, int rb) {
  const vagap_sem_measures_t *f = &fit->fit;
  int ss = f->test == VAGAP_SEM_TEST_SCALED_SHIFTED, ybm = f->test == VAGAP_SEM_TEST_YUAN_BENTLER_MPLUS;
  fprintf(out, "\nModel Test User Model:\n  %-42s%12s%12s\n", "", "Standard", "Scaled");
  row2(out, "Test Statistic", "%.3f", f->chisq, f->chisq_scaled);
  row2(out, "Degrees of freedom", f->df_scaled == floor(f->df_scaled) ? "%.0f" : "%.3f", f->df, f->df_scaled);
  row2(out, "P-value (Chi-square)", "%.3f", f->pvalue, f->pvalue_scaled);
  row2(out, "Scaling correction factor", "%.3f", NAN, f->chisq_scaling_factor);
  if (ss) row2(out, "Shift parameter", "%.3f", NAN, f->chisq_shift_parameter);
  fprintf(out, "    %s\n", test_label((vagap_sem_test_t)f->test));
  if (d->ngroups > 1) {
    fprintf(out, "  Test statistic for each group:\n");
    for (size_t g = 0; g < d->ngroups; g++) {
      char name[128];
      snprintf(name, sizeof name, "  %s", d->labels[g]);
      row2(out, name, "%.3f", f->chisq_group[g], f->chisq_group_scaled[g]);
    }
  }
  fprintf(out, "\nModel Test Baseline Model:\n\n");
  row2(out, "Test statistic", "%.3f", f->baseline_chisq, f->baseline_chisq_scaled);
  row2(out, "Degrees of freedom", f->baseline_df_scaled == floor(f->baseline_df_scaled) ? "%.0f" : "%.3f",
       f->baseline_df, f->baseline_df_scaled);
  row2(out, "P-value", "%.3f", f->baseline_pvalue, f->baseline_pvalue_scaled);
  row2(out, "Scaling correction factor", "%.3f", NAN, f->baseline_chisq_scaling_factor);
  fprintf(out, "\nUser Model versus Baseline Model:\n\n");
  row2(out, "Comparative Fit Index (CFI)", "%.3f", f->cfi, f->cfi_scaled);
  row2(out, "Tucker-Lewis Index (TLI)", "%.3f", f->tli, f->tli_scaled);
  if (rb) {
    fputc('\n', out);
    row2(out, "Robust Comparative Fit Index (CFI)", "%.3f", NAN, f->cfi_robust);
    row2(out, "Robust Tucker-Lewis Index (TLI)", "%.3f", NAN, f->tli_robust);
  }
  fprintf(out, "\nLoglikelihood and Information Criteria:\n\n");
  row2(out, "Loglikelihood user model (H0)", "%.3f", f->logl, f->logl);
  if (ybm) {
    row2(out, "Scaling correction factor", "%.3f", NAN, f->scaling_factor_h0);
    fprintf(out, "      for the MLR correction\n");
  }
  row2(out, "Loglikelihood unrestricted model (H1)", "%.3f", f->unrestricted_logl, f->unrestricted_logl);
  if (ybm) {
    row2(out, "Scaling correction factor", "%.3f", NAN, f->scaling_factor_h1);
    fprintf(out, "      for the MLR correction\n");
  }
  fputc('\n', out);
  row2(out, "Akaike (AIC)", "%.3f", f->aic, f->aic);
  row2(out, "Bayesian (BIC)", "%.3f", f->bic, f->bic);
  row2(out, "Sample-size adjusted Bayesian (SABIC)", "%.3f", f->bic2, f->bic2);
  fprintf(out, "\nRoot Mean Square Error of Approximation:\n\n");
  row2(out, "RMSEA", "%.3f", f->rmsea, f->rmsea_scaled);
  row2(out, "90 Percent confidence interval - lower", "%.3f", f->rmsea_ci_lower, f->rmsea_ci_lower_scaled);
  row2(out, "90 Percent confidence interval - upper", "%.3f", f->rmsea_ci_upper, f->rmsea_ci_upper_scaled);
  row2(out, "P-value H_0: RMSEA <= 0.050", "%.3f", f->rmsea_pvalue, f->rmsea_pvalue_scaled);
  row2(out, "P-value H_0: RMSEA >= 0.080", "%.3f", f->rmsea_notclose_pvalue, f->rmsea_notclose_pvalue_scaled);
  if (rb) {
    fputc('\n', out);
    row2(out, "Robust RMSEA", "%.3f", NAN, f->rmsea_robust);
    row2(out, "90 Percent confidence interval - lower", "%.3f", NAN, f->rmsea_ci_lower_robust);
    row2(out, "90 Percent confidence interval - upper", "%.3f", NAN, f->rmsea_ci_upper_robust);
    row2(out, "P-value H_0: Robust RMSEA <= 0.050", "%.3f", NAN, f->rmsea_pvalue_robust);
    row2(out, "P-value H_0: Robust RMSEA >= 0.080", "%.3f", NAN, f->rmsea_notclose_pvalue_robust);
  }
  fprintf(out, "\nStandardized Root Mean Square Residual:\n\n");
  row2(out, "SRMR", "%.3f", f->srmr, f->srmr);
}

/* lavaan's "Parameter Estimates" header: which SEs and information. */
static void write_se_header(FILE *out, const vagap_sem_fit_options_t *o) {
  if (o->se == VAGAP_SEM_SE_STANDARD && o->information == VAGAP_SEM_INFORMATION_EXPECTED) return;
  const char *se = o->se == VAGAP_SEM_SE_ROBUST_HUBER_WHITE ? "Sandwich"
                   : o->se == VAGAP_SEM_SE_ROBUST_SEM        ? "Robust.sem"
                                                             : "Standard";
  const char *info = o->information == VAGAP_SEM_INFORMATION_OBSERVED    ? "Observed"
                     : o->information == VAGAP_SEM_INFORMATION_FIRST_ORDER ? "First.order"
                                                                         : "Expected";
  fprintf(out, "\nParameter Estimates:\n\n  %-42s%24s\n", "Standard errors", se);
  fprintf(out, "  %-42s%24s\n", o->se == VAGAP_SEM_SE_ROBUST_HUBER_WHITE ? "Information bread" : "Information", info);
  if (o->information == VAGAP_SEM_INFORMATION_OBSERVED)
    fprintf(out, "  %-42s%24s\n", "Observed information based on", "Hessian");
}

static int write_summary(const cli_common_t *c, const vagap_sem_fit_t *fit,
                         const sem_data_t *d, const sem_args_t *a) {
  FILE *out = stdout;
  if (!vagap_sem_fit_has_measures(fit)) return not_computed();
  if (c->output_path && strcmp(c->output_path, "-") != 0 && !(out = cli_output_open(c->output_path)))
    return CLI_EXIT_DATA;
  const vagap_sem_measures_t *f = &fit->fit;
  const vagap_sem_model_t *m = fit->model;
  int sc = vagap_sem_fit_has_scaled(fit), rb = vagap_sem_fit_has_robust(fit);
  const vagap_sem_fit_options_t *o = &fit->options;
  if (fit->nstage1) summary_categorical_header(out, fit, d, a);
  if (!fit->nstage1) {
  fprintf(out, "vagap sem (lavaan-compatible ML) converged: %zu evaluations, %s\n",
          fit->iterations, fit->optimizer);
  fprintf(out, "  Solution %s\n", fit->admissible ? "admissible" : "NOT admissible (post-check failed):");
  for (size_t i = 0; i < fit->nwarnings; i++) fprintf(out, "    %s\n", fit->warnings[i]);
  fputc('\n', out);
  fprintf(out, "  Estimator                                         %s\n",
          o->estimator == VAGAP_SEM_ESTIMATOR_ML ? "ML" : vagap_sem_estimator_name(o->estimator));
  fprintf(out, "  Likelihood                                        %s\n",
          a->lav.likelihood == VAGAP_SEM_LIKELIHOOD_WISHART ? "wishart" : "normal");
  fprintf(out, "  Number of model parameters                        %.0f\n", f->npar);
  fprintf(out, "  Number of observations                            %.0f\n", f->ntotal);
  if (d->ngroups > 1)
    for (size_t g = 0; g < d->ngroups; g++)
      fprintf(out, "    %-46s  %.0f\n", d->labels[g], group_n(d, g));
  }
  if (semcli_fiml(d)) {
    fprintf(out, "  Missing                                           %s\n", vagap_sem_missing_name(d->missing));
    fprintf(out, "  Information                                       %s\n",
            a->lav.information == VAGAP_SEM_INFORMATION_EXPECTED ? "expected" : "observed");
  }
  if (fit->nstage1) {
  } else if (o->test == VAGAP_SEM_TEST_NONE) { /* lavaan prints neither a test nor fit measures */
    semcli_missing_summary(out, d);
  } else if (!sc) {
    fprintf(out, "\nModel Test User Model:\n");
    fprintf(out, "  Test statistic                                %10.3f\n", f->chisq);
    fprintf(out, "  Degrees of freedom                            %10.0f\n", f->df);
    fprintf(out, "  P-value (Chi-square)                          %10.3f\n", f->pvalue);
    if (d->ngroups > 1) {
      fprintf(out, "  Test statistic for each group:\n");
      for (size_t g = 0; g < d->ngroups; g++)
        fprintf(out, "    %-42s%10.3f\n", d->labels[g], f->chisq_group[g]);
    }
    fprintf(out, "\n  Comparative Fit Index (CFI)                   %10.3f\n", f->cfi);
    fprintf(out, "  Tucker-Lewis Index (TLI)                      %10.3f\n", f->tli);
    fprintf(out, "  Loglikelihood user model (H0)                 %10.3f\n", f->logl);
    fprintf(out, "  Loglikelihood unrestricted model (H1)         %10.3f\n", f->unrestricted_logl);
    fprintf(out, "  Akaike (AIC)                                  %10.3f\n", f->aic);
    fprintf(out, "  Bayesian (BIC)                                %10.3f\n", f->bic);
    fprintf(out, "  Sample-size adjusted Bayesian (SABIC)         %10.3f\n", f->bic2);
    fprintf(out, "  RMSEA                                         %10.3f\n", f->rmsea);
    fprintf(out, "  90 Percent confidence interval - lower        %10.3f\n", f->rmsea_ci_lower);
    fprintf(out, "  90 Percent confidence interval - upper        %10.3f\n", f->rmsea_ci_upper);
    fprintf(out, "  P-value H_0: RMSEA <= 0.050                   %10.3f\n", f->rmsea_pvalue);
    fprintf(out, "  SRMR                                          %10.3f\n", f->srmr);
    semcli_missing_summary(out, d);
  } else {
    write_summary_scaled(out, fit, d, rb);
  }
  if (!fit->nstage1) write_se_header(out, o);
  int block = -1;
  vagap_sem_op_t op = VAGAP_SEM_DEFINED;
  for (size_t r = 0; r < m->nrows; r++) {
    const vagap_sem_param_t *row = &m->rows[r];
    if (row->block != block) {
      block = row->block;
      if (block > 0 && d->ngroups > 1) fprintf(out, "\n\nGroup %d [%s]:\n", block, d->labels[block - 1]);
      op = (vagap_sem_op_t)-1;
    }
    if (row->op != op) {
      op = row->op;
      fprintf(out, "\n%s:\n  %-24s %9s %9s %9s %9s %9s %9s\n", section_title(op), "", "Estimate",
              "Std.Err", "z-value", "P(>|z|)", "Std.lv", "Std.all");
    }
    char name[256];
    if (row->op == VAGAP_SEM_INTERCEPT) snprintf(name, sizeof name, "%s", row->lhs);
    else if (row->op == VAGAP_SEM_DEFINED) snprintf(name, sizeof name, "%s := %s", row->lhs, row->rhs);
    else snprintf(name, sizeof name, "%s %s %s", row->lhs, vagap_sem_op_string(row->op), row->rhs);
    if (row->label[0] && row->op != VAGAP_SEM_DEFINED) {
      size_t l = strlen(name);
      snprintf(name + l, sizeof name - l, " (%s)", row->label);
    }
    fprintf(out, "  %-24s %9.3f", name, row->est);
    if (row->op == VAGAP_SEM_DEFINED || (isfinite(row->z)))
      fprintf(out, " %9.3f %9.3f %9.3f", row->se, row->z, row->pvalue);
    else
      fprintf(out, " %9s %9s %9s", "", "", "");
    fprintf(out, " %9.3f %9.3f\n", row->std_lv, row->std_all);
  }
  if (m->ncon) {
    /* lavaan's summary: each constraint as lhs - (rhs) with |Slack| */
    fprintf(out, "\nConstraints:\n  %-40s %9s\n", "", "|Slack|");
    for (size_t k = 0; k < m->ncon; k++) {
      const vagap_sem_constraint_t *cn = &m->con[k];
      char name[256];
      if (cn->op == VAGAP_SEM_CON_LT) snprintf(name, sizeof name, "%s - (%s)", cn->rhs, cn->lhs);
      else snprintf(name, sizeof name, "%s - (%s)", cn->lhs, cn->rhs);
      double slack = cn->op == VAGAP_SEM_CON_LT ? -cn->value : cn->value;
      fprintf(out, "  %-40s %9.3f%s\n", name, fabs(slack),
              cn->op != VAGAP_SEM_CON_EQ && cn->active ? "  (active)" : "");
    }
  }
  if (out != stdout) return cli_output_close(out, CLI_EXIT_OK);
  if (ferror(out) || fflush(out) != 0) {
    fprintf(stderr, "vagap: <stdout>: write failed: %s\n", strerror(errno));
    return CLI_EXIT_DATA;
  }
  return CLI_EXIT_OK;
}

/* ---- command ------------------------------------------------------------------------ */

static int parse_args(int argc, char **argv, cli_common_t *c, sem_args_t *a) {
  static const struct option options[] = {
      {"model", required_argument, 0, OPT_MODEL},
      {"group", required_argument, 0, OPT_GROUP},
      {"group-equal", required_argument, 0, OPT_GROUP_EQUAL},
      {"group-partial", required_argument, 0, OPT_GROUP_PARTIAL},
      {"fit", no_argument, 0, OPT_FIT},
      {"summary", no_argument, 0, OPT_SUMMARY},
      {"conf-level", required_argument, 0, OPT_LEVEL},
      {"level", required_argument, 0, OPT_LEVEL}, /* lavaan's parameterEstimates(level =) */
      {"save-stats", required_argument, 0, OPT_SAVE_STATS},
      {"from-stats", required_argument, 0, OPT_FROM_STATS},
      {"max-evaluations", required_argument, 0, OPT_MAX_EVALS},
      SEMCLI_LAVAAN_LONG_OPTIONS,
      {"sampstat", no_argument, 0, OPT_SAMPSTAT},
      CLI_COMMON_LONG_OPTIONS,
      {0, 0, 0, 0}};
  int opt;
  while ((opt = cli_getopt(c, argc, argv, options)) != -1) {
    int handled = cli_common_option(c, opt, optarg);
    if (handled < 0) return CLI_EXIT_USAGE;
    if (handled) continue;
    if ((handled = semcli_lavaan_option(c, &a->lav, opt, optarg, argc, argv, &optind)) < 0) return CLI_EXIT_USAGE;
    if (handled) continue;
    switch (opt) {
      case OPT_MODEL: a->model_path = optarg; break;
      case OPT_GROUP: a->group_col = optarg; break;
      case OPT_GROUP_EQUAL: a->group_equal = optarg; break;
      case OPT_GROUP_PARTIAL: a->group_partial = optarg; break;
      case OPT_FIT: a->fit = 1; break;
      case OPT_SUMMARY: a->summary = 1; break;
      case OPT_SAMPSTAT: a->sampstat = 1; break;
      case OPT_SAVE_STATS: a->save_stats = optarg; cli_outputs_declare(optarg); break;
      case OPT_MAX_EVALS:
        if (cli_parse_long(c, "max-evaluations", optarg, &a->max_evals)) return CLI_EXIT_USAGE;
        if (a->max_evals < 1 || a->max_evals > 100000000)
          return cli_usage_error(c, "--max-evaluations: expected 1 to 100000000");
        break;
      case OPT_FROM_STATS: a->from_stats = optarg; break;
      case OPT_LEVEL:
        if (cli_parse_double(c, "conf-level", optarg, &a->level)) return CLI_EXIT_USAGE;
        if (!(a->level > 0 && a->level < 1)) return cli_usage_error(c, "--conf-level: expected a number in (0, 1)");
        break;
      case CLI_OPT_HELP: printf("%s%s\n%s", HELP, SEMCLI_LAVAAN_OPTIONS_HELP, CLI_COMMON_OPTIONS_HELP); return -1;
      default: return cli_usage_error(c, "unknown option or missing argument");
    }
  }
  if (!a->model_path) return cli_usage_error(c, "--model FILE is required");
  if (a->fit + a->summary + a->sampstat > 1)
    return cli_usage_error(c, "--fit, --summary and --sampstat are exclusive");
  if (semcli_lavaan_check(c, &a->lav) < 0) return CLI_EXIT_USAGE;
  if (a->fit && a->lav.test == VAGAP_SEM_TEST_NONE) /* lavaan's fitMeasures() refuses them too */
    return cli_usage_error(c, "--fit: fit measures not available if --test none (lavaan: test = \"none\")");
  if (semcli_lavaan_categorical(&a->lav) && (a->from_stats || a->save_stats))
    return cli_usage_error(c, "--ordered needs the raw data: --from-stats and --save-stats are not available "
                              "with it");
  if (a->sampstat && !semcli_lavaan_categorical(&a->lav))
    return cli_usage_error(c, "--sampstat prints the first stage of an --ordered analysis");
  if (argc - optind > 1) return cli_usage_error(c, "sem reads one data file, got %d", argc - optind);
  if (a->from_stats && (argc - optind > 0 || a->group_col || a->save_stats))
    return cli_usage_error(c, "--from-stats replaces DATA, --group and --save-stats");
  return CLI_EXIT_OK;
}

/* What the output uses: --fit and --summary print the fit measures; the estimates
   table needs the SEs (which also give the verdict and lavaan's warnings) only. */
static vagap_sem_compute_t printed_compute(const sem_args_t *a) {
  return a->fit || a->summary ? VAGAP_SEM_COMPUTE_ALL : VAGAP_SEM_COMPUTE_SE;
}

/* --ordered: the model's variables with pairwise (or listwise) deletion, their
   categories from the data, the model rebuilt with thresholds, the fit from the
   raw data (vagap_sem_fit_data) and the chosen output. */
static int fit_ordinal(cli_common_t *c, const sem_args_t *a, vagap_table_t *table, size_t gcol,
                       const vagap_sem_syntax_t *syn, vagap_sem_model_options_t *mopt, vagap_ledger_t *ledger) {
  vagap_error_t err;
  vagap_error_clear(&err);
  sem_data_t data = {0};
  vagap_sem_model_t *model = NULL;
  vagap_sem_fit_t *fit = NULL;
  char **onames = NULL;
  int *onth = NULL, rc = CLI_EXIT_DATA;
  int pairwise = a->lav.missing == VAGAP_SEM_MISSING_PAIRWISE;
  if (semcli_build_ordinal(&c->table, table, gcol, syn, a->model_path, a->lav.ordered, a->lav.ordered_all, pairwise, a->lav.levels, mopt,
                           &data, &model, &onames, &onth, ledger, &err)) {
    rc = err.status == VAGAP_EINVAL ? cli_usage_error(c, "%s", err.message) : cli_report_error(&err);
    goto done;
  }
  vagap_sem_fit_options_t fopt;
  vagap_sem_fit_options_init(&fopt);
  semcli_lavaan_fit_apply(&a->lav, &fopt);
  fopt.ci_level = a->level;
  if (a->max_evals > 0) fopt.max_iter = (int)a->max_evals;
  fopt.compute = printed_compute(a);
  if (pairwise && !c->quiet) { /* the row accounting of pairwise deletion */
    size_t partial = 0;
    for (size_t i = 0; i < data.nobs; i++)
      for (size_t j = 0; j < data.nvar; j++)
        if (isnan(data.x[i * data.nvar + j])) {
          partial++;
          break;
        }
    if (partial)
      fprintf(stderr, "vagap sem: %zu of the used rows have missing answers; each statistic of the first "
                      "stage uses the rows where its variables are observed (pairwise deletion)\n", partial);
  }
  vagap_sem_data_t view = semcli_view(&data);
  if (vagap_sem_fit_data(&fit, model, &view, &fopt, &err)) {
    if (err.status == VAGAP_EDATA && !err.file[0]) snprintf(err.file, sizeof err.file, "%s", vagap_table_source(table));
    if (err.status == VAGAP_ENOCONV) fputs("vagap sem: the model did not converge; no estimates are printed\n", stderr);
    rc = cli_report_error(&err);
    goto done;
  }
  if (!c->quiet)
    fprintf(stderr, "vagap sem: converged after %zu evaluations (%s), max |gradient| %.2g\n", fit->iterations,
            fit->optimizer, fit->gradient_norm);
  semcli_report_fit_warnings("sem", NULL, fit);
  if (a->sampstat) rc = write_sampstat(c, fit, &data);
  else if (a->summary) rc = write_summary(c, fit, &data, a);
  else if (a->fit) rc = write_fit(c, fit);
  else rc = write_estimates(c, fit);
  if (rc == CLI_EXIT_OK) rc = cli_finish_ledger(c, ledger);
done:
  vagap_sem_fit_free(fit);
  vagap_sem_model_free(model);
  semcli_data_free(&data);
  semcli_free_list(onames, mopt->n_ordered);
  free(onth);
  return rc;
}

int cmd_sem(int argc, char **argv) {
  if (cmd_sem_extra_wanted(argc, argv)) return cmd_sem_extra(argc, argv); /* --invariance, --bootstrap */
  cli_common_t c;
  cli_common_init(&c, "sem");
  sem_args_t a = {0};
  semcli_lavaan_init(&a.lav);
  a.level = 0.95;
  int prc = parse_args(argc, argv, &c, &a);
  if (prc < 0) return CLI_EXIT_OK;
  if (prc) return prc;
  const char *path = optind < argc ? argv[optind] : "-";

  vagap_error_t err;
  vagap_error_clear(&err);
  vagap_init();
  vagap_ledger_t *ledger = cli_ledger_alloc(&c);
  vagap_table_t *table = NULL;
  char *text = NULL, **partial = NULL;
  size_t npartial = 0;
  vagap_sem_syntax_t *syn = NULL;
  vagap_sem_model_t *model = NULL;
  vagap_sem_fit_t *fit = NULL;
  sem_data_t data = {0};
  semcli_stream_t stream = {0};
  int rc = CLI_EXIT_DATA;
  vagap_sem_model_options_t mopt;
  vagap_sem_model_options_init(&mopt);
  if (!ledger) goto done;
  vagap_status_t cst =
      semcli_group_constraints(a.group_equal, a.group_partial, &mopt, &partial, &npartial, &err);
  if (cst != VAGAP_OK) {
    rc = cst == VAGAP_EINVAL ? cli_usage_error(&c, "%s", err.message) : cli_report_error(&err);
    goto done;
  }
  if (semcli_read_text(a.model_path, &text, &err) || vagap_sem_syntax_parse(&syn, text, a.model_path, &err) ||
      semcli_lavaan_load_constraints(&a.lav, &err)) {
    rc = cli_report_error(&err);
    goto done;
  }
  semcli_lavaan_apply(&c, &a.lav, &mopt);
  if (a.from_stats) {
    if (load_stats(a.from_stats, &data, &err) ||
        vagap_sem_model_build(&model, syn, data.ngroups, &mopt, a.model_path, &err)) {
      rc = cli_report_error(&err);
      goto done;
    }
  } else {
    /* statistics accumulated while parsing; the table path when they cannot be */
    int streamed = 0;
    if ((semcli_stream_wanted(&a.lav, &c.table, syn) &&
         semcli_stream_read(&stream, path, &c.table, a.group_col, syn, &mopt, a.model_path, ledger,
                            &data, &streamed, &err)) ||
        (streamed && (vagap_sem_model_build(&model, syn, data.ngroups, &mopt, a.model_path, &err) ||
                      semcli_stream_finish(&stream, model, &data, ledger, &err) ||
                      (a.save_stats && save_stats(a.save_stats, data.stats, &err))))) {
      rc = cli_report_error(&err);
      goto done;
    }
  }
  if (!a.from_stats && !stream.moments) {
    if (vagap_table_read(&table, path, &c.table, ledger, &err)) {
      rc = cli_report_error(&err);
      goto done;
    }
    size_t gcol = (size_t)-1;
    if (a.group_col && vagap_table_column(table, a.group_col, &gcol, &err)) {
      rc = cli_report_error(&err);
      goto done;
    }
    data.missing = a.lav.missing;
    if (a.save_stats && semcli_fiml(&data)) {
      rc = cli_usage_error(&c, "--save-stats writes complete-data statistics; FIML (--missing %s) fits the raw rows",
                           vagap_sem_missing_name(a.lav.missing));
      goto done;
    }
    int has_thresholds = 0;
    for (size_t i = 0; i < syn->n; i++) has_thresholds |= syn->st[i].op == VAGAP_SEM_THRESHOLD;
    if (semcli_lavaan_categorical(&a.lav) || has_thresholds) {
      rc = fit_ordinal(&c, &a, table, gcol, syn, &mopt, ledger);
      goto done;
    }
    if (semcli_group_levels(table, gcol, &data, &err) ||
        vagap_sem_model_build(&model, syn, data.ngroups, &mopt, a.model_path, &err) ||
        semcli_screen(&c.table, table, model, ledger, &err) ||
        semcli_load(table, gcol, model, &data, ledger, &err) ||
        (a.save_stats && save_stats(a.save_stats, data.stats, &err))) {
      rc = cli_report_error(&err);
      goto done;
    }
  }
  if (data.ngroups > 1 && !c.quiet)
    for (size_t i = 0; i < syn->n; i++)
      if (syn->st[i].nmod == 1 && syn->st[i].mod[0].kind == VAGAP_SEM_MOD_LABEL) {
        cli_warn(&c, "%s:%ld:%ld: the single label '%s' applies to every group and makes the "
                     "parameter equal across groups (as in lavaan); use c(...) for one label per group",
                 a.model_path, syn->st[i].line, syn->st[i].column, syn->st[i].mod[0].label);
        break;
      }
  vagap_sem_fit_options_t fopt;
  vagap_sem_fit_options_init(&fopt);
  semcli_lavaan_fit_apply(&a.lav, &fopt);
  fopt.ci_level = a.level;
  if (a.max_evals > 0) fopt.max_iter = (int)a.max_evals;
  fopt.compute = printed_compute(&a);
  /* raw rows when there are any (robust ML needs them), else the saved or streamed statistics */
  vagap_sem_data_t rows = semcli_view(&data);
  if (a.from_stats || !data.x ? vagap_sem_fit(&fit, model, data.stats, &fopt, &err)
                   : vagap_sem_fit_data(&fit, model, &rows, &fopt, &err)) {
    if (err.status == VAGAP_EDATA && !err.file[0] && !a.from_stats) /* FIML's data errors: name the file */
      snprintf(err.file, sizeof err.file, "%s", path);
    if (err.status == VAGAP_ENOCONV) fputs("vagap sem: the model did not converge; no estimates are printed\n", stderr);
    rc = cli_report_error(&err);
    goto done;
  }
  if (!c.quiet)
    fprintf(stderr, "vagap sem: converged after %zu evaluations (%s), max |gradient| %.2g%s\n",
            fit->iterations, fit->optimizer, fit->gradient_norm,
            fit->admissible ? "" : "; the solution is not admissible");
  semcli_report_fit_warnings("sem", NULL, fit);
  if (a.summary) rc = write_summary(&c, fit, &data, &a);
  else if (a.fit) rc = write_fit(&c, fit);
  else rc = write_estimates(&c, fit);
  if (rc == CLI_EXIT_OK) rc = cli_finish_ledger(&c, ledger);
done:
  vagap_sem_fit_free(fit);
  vagap_sem_model_free(model);
  vagap_sem_syntax_free(syn);
  semcli_lavaan_free(&a.lav);
  semcli_data_free(&data);
  semcli_stream_free(&stream);
  semcli_free_list(partial, npartial);
  free(text);
  vagap_table_free(table);
  vagap_ledger_free(ledger);
  return rc;
}
