/*
 * sem_measure_list.c - the fit measures of a fit as (name, value) pairs in
 * fitMeasures()' order (vagap_sem_fit_measure_list): `vagap sem --fit` prints
 * them and the R and Python sem() return them, from this one table.
 */
#include "vagap/sem.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>

/* Which extra blocks fitMeasures() prints: .scaled with a scaled test, .robust
   for the Satorra-Bentler, Yuan-Bentler and scaled-shifted tests and under FIML, the h1/h0
   scaling factors for yuan.bentler.mplus (lavaan 0.6: lav_fit_measures). */
int vagap_sem_fit_has_scaled(const vagap_sem_fit_t *fit) {
  const vagap_sem_measures_t *f = &fit->fit;
  return f->test != VAGAP_SEM_TEST_STANDARD && f->test != VAGAP_SEM_TEST_NONE &&
         f->test != VAGAP_SEM_TEST_DEFAULT;
}
int vagap_sem_fit_has_robust(const vagap_sem_fit_t *fit) {
  const vagap_sem_measures_t *f = &fit->fit;
  /* under missing = "ml" always: the FIML-corrected measures (lav_fit_fiml_corrected) */
  if (fit->options.missing == VAGAP_SEM_MISSING_ML || fit->options.missing == VAGAP_SEM_MISSING_ML_X) return 1;
  return vagap_sem_fit_has_scaled(fit) && f->test != VAGAP_SEM_TEST_MEAN_VAR_ADJUSTED;
}

/* When fitMeasures() prints a row: always; with a scaled test; with the .robust measures;
   with a likelihood (not the least-squares estimators of ordered data); for the
   Yuan-Bentler tests; with a scaled test when it has a value */
enum { FM_ALWAYS, FM_SCALED, FM_ROBUST, FM_LIKELIHOOD, FM_YB, FM_FINITE };

typedef struct {
  const char *name;   /* fitMeasures()'s name */
  size_t field;       /* offset of the value in vagap_sem_measures_t, or NO_FIELD */
  double constant;    /* the value when there is no field (lavaan's fixed h0 and level rows) */
  int when;
} fit_row_t;

#define NO_FIELD ((size_t)-1)
#define FM(name, field, when) {name, offsetof(vagap_sem_measures_t, field), 0, when}
#define FC(name, value) {name, NO_FIELD, value, FM_ALWAYS}

/* fitMeasures()'s rows in its order (lavaan 0.6: lav_fit_measures) */
static const fit_row_t fit_rows[] = {
    FM("npar", npar, FM_ALWAYS), FM("fmin", fmin, FM_ALWAYS), FM("chisq", chisq, FM_ALWAYS),
    FM("df", df, FM_ALWAYS), FM("pvalue", pvalue, FM_ALWAYS),
    FM("chisq.scaled", chisq_scaled, FM_SCALED), FM("df.scaled", df_scaled, FM_SCALED),
    FM("pvalue.scaled", pvalue_scaled, FM_SCALED), FM("chisq.scaling.factor", chisq_scaling_factor, FM_SCALED),
    /* not a fitMeasures() name: lavaan's summary prints it */
    FM("chisq.shift.parameter", chisq_shift_parameter, FM_FINITE),
    FM("baseline.chisq", baseline_chisq, FM_ALWAYS), FM("baseline.df", baseline_df, FM_ALWAYS),
    FM("baseline.pvalue", baseline_pvalue, FM_ALWAYS),
    FM("baseline.chisq.scaled", baseline_chisq_scaled, FM_SCALED),
    FM("baseline.df.scaled", baseline_df_scaled, FM_SCALED),
    FM("baseline.pvalue.scaled", baseline_pvalue_scaled, FM_SCALED),
    FM("baseline.chisq.scaling.factor", baseline_chisq_scaling_factor, FM_SCALED),
    FM("cfi", cfi, FM_ALWAYS), FM("tli", tli, FM_ALWAYS),
    FM("cfi.scaled", cfi_scaled, FM_SCALED), FM("tli.scaled", tli_scaled, FM_SCALED),
    FM("cfi.robust", cfi_robust, FM_ROBUST), FM("tli.robust", tli_robust, FM_ROBUST),
    FM("nnfi", nnfi, FM_ALWAYS), FM("rfi", rfi, FM_ALWAYS), FM("nfi", nfi, FM_ALWAYS),
    FM("pnfi", pnfi, FM_ALWAYS), FM("ifi", ifi, FM_ALWAYS), FM("rni", rni, FM_ALWAYS),
    FM("nnfi.scaled", nnfi_scaled, FM_SCALED), FM("rfi.scaled", rfi_scaled, FM_SCALED),
    FM("nfi.scaled", nfi_scaled, FM_SCALED), FM("pnfi.scaled", pnfi_scaled, FM_SCALED),
    FM("ifi.scaled", ifi_scaled, FM_SCALED), FM("rni.scaled", rni_scaled, FM_SCALED),
    FM("nnfi.robust", nnfi_robust, FM_ROBUST), FM("rni.robust", rni_robust, FM_ROBUST),
    FM("logl", logl, FM_LIKELIHOOD), FM("unrestricted.logl", unrestricted_logl, FM_LIKELIHOOD),
    FM("aic", aic, FM_LIKELIHOOD), FM("bic", bic, FM_LIKELIHOOD), FM("ntotal", ntotal, FM_LIKELIHOOD),
    FM("bic2", bic2, FM_LIKELIHOOD),
    FM("scaling.factor.h1", scaling_factor_h1, FM_YB), FM("scaling.factor.h0", scaling_factor_h0, FM_YB),
    FM("rmsea", rmsea, FM_ALWAYS), FM("rmsea.ci.lower", rmsea_ci_lower, FM_ALWAYS),
    FM("rmsea.ci.upper", rmsea_ci_upper, FM_ALWAYS), FC("rmsea.ci.level", 0.90),
    FM("rmsea.pvalue", rmsea_pvalue, FM_ALWAYS), FC("rmsea.close.h0", 0.05),
    FM("rmsea.notclose.pvalue", rmsea_notclose_pvalue, FM_ALWAYS), FC("rmsea.notclose.h0", 0.08),
    FM("rmsea.scaled", rmsea_scaled, FM_SCALED), FM("rmsea.ci.lower.scaled", rmsea_ci_lower_scaled, FM_SCALED),
    FM("rmsea.ci.upper.scaled", rmsea_ci_upper_scaled, FM_SCALED),
    FM("rmsea.pvalue.scaled", rmsea_pvalue_scaled, FM_SCALED),
    FM("rmsea.notclose.pvalue.scaled", rmsea_notclose_pvalue_scaled, FM_SCALED),
    FM("rmsea.robust", rmsea_robust, FM_ROBUST), FM("rmsea.ci.lower.robust", rmsea_ci_lower_robust, FM_ROBUST),
    FM("rmsea.ci.upper.robust", rmsea_ci_upper_robust, FM_ROBUST),
    FM("rmsea.pvalue.robust", rmsea_pvalue_robust, FM_ROBUST),
    FM("rmsea.notclose.pvalue.robust", rmsea_notclose_pvalue_robust, FM_ROBUST),
    FM("rmr", rmr, FM_ALWAYS), FM("rmr_nomean", rmr_nomean, FM_ALWAYS), FM("srmr", srmr, FM_ALWAYS),
    FM("srmr_bentler", srmr_bentler, FM_ALWAYS), FM("srmr_bentler_nomean", srmr_bentler_nomean, FM_ALWAYS),
    FM("crmr", crmr, FM_ALWAYS), FM("crmr_nomean", crmr_nomean, FM_ALWAYS),
    FM("srmr_mplus", srmr_mplus, FM_ALWAYS), /* NA for categorical fits, as lavaan */
    FM("srmr_mplus_nomean", srmr_mplus_nomean, FM_ALWAYS),
    FM("cn_05", cn_05, FM_ALWAYS), FM("cn_01", cn_01, FM_ALWAYS),
    FM("gfi", gfi, FM_ALWAYS), FM("agfi", agfi, FM_ALWAYS), FM("pgfi", pgfi, FM_ALWAYS),
    FM("mfi", mfi, FM_ALWAYS), FM("ecvi", ecvi, FM_LIKELIHOOD), /* then wrmr for categorical fits */
};

static int row_wanted(int when, double v, int sc, int rb, int lik, int yb) {
  switch (when) {
    case FM_SCALED: return sc;
    case FM_ROBUST: return rb;
    case FM_LIKELIHOOD: return lik;
    case FM_YB: return yb;
    case FM_FINITE: return sc && isfinite(v);
    default: return 1;
  }
}

static void put(vagap_sem_measure_t *out, size_t cap, size_t *n, const char *name, double value) {
  if (*n < cap) {
    snprintf(out[*n].name, sizeof out[*n].name, "%s", name);
    out[*n].value = value;
  }
  (*n)++;
}

int vagap_sem_fit_has_measures(const vagap_sem_fit_t *fit) { return fit->options.compute == VAGAP_SEM_COMPUTE_ALL; }

size_t vagap_sem_fit_measure_list(const vagap_sem_fit_t *fit, vagap_sem_measure_t *out, size_t cap) {
  const vagap_sem_measures_t *f = &fit->fit;
  /* a fit asked for less than every measure lists none (they are NAN, not stale) */
  if (!vagap_sem_fit_has_measures(fit)) return 0;
  int cat = fit->nstage1 > 0, sc = vagap_sem_fit_has_scaled(fit), rb = vagap_sem_fit_has_robust(fit);
  int yb = f->test == VAGAP_SEM_TEST_YUAN_BENTLER_MPLUS || f->test == VAGAP_SEM_TEST_YUAN_BENTLER;
  size_t n = 0;
  for (size_t i = 0; i < sizeof fit_rows / sizeof fit_rows[0]; i++) {
    const fit_row_t *r = &fit_rows[i];
    double v = r->field == NO_FIELD ? r->constant : *(const double *)((const char *)f + r->field);
    if (row_wanted(r->when, v, sc, rb, !cat, yb)) put(out, cap, &n, r->name, v);
  }
  if (cat) put(out, cap, &n, "wrmr", sqrt(f->chisq / (double)fit->nstage1)); /* lavaan: group 1's WLS.obs length */
  for (size_t g = 0; g < fit->model->ngroups; g++) {
    char name[48];
    snprintf(name, sizeof name, "chisq.group.%zu", g + 1);
    put(out, cap, &n, name, f->chisq_group[g]);
    if (sc) {
      snprintf(name, sizeof name, "chisq.scaled.group.%zu", g + 1);
      put(out, cap, &n, name, f->chisq_group_scaled[g]);
    }
  }
  /* the verdict: lavInspect(fit, "converged") and lavInspect(fit, "post.check") */
  put(out, cap, &n, "converged", fit->converged);
  put(out, cap, &n, "admissible", fit->admissible);
  return n;
}
