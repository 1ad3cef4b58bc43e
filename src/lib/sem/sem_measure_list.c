/*
 * sem_measure_list.c - the fit measures of a fit as (name, value) pairs in
 * fitMeasures()' order (vagap_sem_fit_measure_list), so that the R and
 * Python sem() return the rows `vagap sem --fit` prints without each keeping
 * its own copy of the list.
 */
#include "vagap/sem.h"

#include <math.h>
#include <stdio.h>

typedef struct {
  vagap_sem_measure_t *out;
  size_t cap, n;
} measure_list_t;

static void put(measure_list_t *l, const char *name, double value) {
  if (l->n < l->cap) {
    snprintf(l->out[l->n].name, sizeof l->out[l->n].name, "%s", name);
    l->out[l->n].value = value;
  }
  l->n++;
}

/* lavaan 0.6 (lav_fit_measures): .scaled with a scaled test, .robust for the
   Satorra-Bentler, Yuan-Bentler and scaled-shifted tests */
static int scaled_test(const vagap_sem_measures_t *f) {
  return f->test != VAGAP_SEM_TEST_STANDARD && f->test != VAGAP_SEM_TEST_NONE &&
         f->test != VAGAP_SEM_TEST_DEFAULT;
}

static void chisq_block(measure_list_t *l, const vagap_sem_measures_t *f, int sc) {
  put(l, "npar", f->npar);
  put(l, "fmin", f->fmin);
  put(l, "chisq", f->chisq);
  put(l, "df", f->df);
  put(l, "pvalue", f->pvalue);
  if (sc) {
    put(l, "chisq.scaled", f->chisq_scaled);
    put(l, "df.scaled", f->df_scaled);
    put(l, "pvalue.scaled", f->pvalue_scaled);
    put(l, "chisq.scaling.factor", f->chisq_scaling_factor);
    if (isfinite(f->chisq_shift_parameter)) put(l, "chisq.shift.parameter", f->chisq_shift_parameter);
  }
  put(l, "baseline.chisq", f->baseline_chisq);
  put(l, "baseline.df", f->baseline_df);
  put(l, "baseline.pvalue", f->baseline_pvalue);
  if (sc) {
    put(l, "baseline.chisq.scaled", f->baseline_chisq_scaled);
    put(l, "baseline.df.scaled", f->baseline_df_scaled);
    put(l, "baseline.pvalue.scaled", f->baseline_pvalue_scaled);
    put(l, "baseline.chisq.scaling.factor", f->baseline_chisq_scaling_factor);
  }
}

static void incremental_block(measure_list_t *l, const vagap_sem_measures_t *f, int sc, int rb) {
  put(l, "cfi", f->cfi);
  put(l, "tli", f->tli);
  if (sc) put(l, "cfi.scaled", f->cfi_scaled), put(l, "tli.scaled", f->tli_scaled);
  if (rb) put(l, "cfi.robust", f->cfi_robust), put(l, "tli.robust", f->tli_robust);
  put(l, "nnfi", f->nnfi);
  put(l, "rfi", f->rfi);
  put(l, "nfi", f->nfi);
  put(l, "pnfi", f->pnfi);
  put(l, "ifi", f->ifi);
  put(l, "rni", f->rni);
  if (sc) {
    put(l, "nnfi.scaled", f->nnfi_scaled);
    put(l, "rfi.scaled", f->rfi_scaled);
    put(l, "nfi.scaled", f->nfi_scaled);
    put(l, "pnfi.scaled", f->pnfi_scaled);
    put(l, "ifi.scaled", f->ifi_scaled);
    put(l, "rni.scaled", f->rni_scaled);
  }
  if (rb) put(l, "nnfi.robust", f->nnfi_robust), put(l, "rni.robust", f->rni_robust);
}

static void rmsea_block(measure_list_t *l, const vagap_sem_measures_t *f, int sc, int rb) {
  put(l, "rmsea", f->rmsea);
  put(l, "rmsea.ci.lower", f->rmsea_ci_lower);
  put(l, "rmsea.ci.upper", f->rmsea_ci_upper);
  put(l, "rmsea.ci.level", 0.90);
  put(l, "rmsea.pvalue", f->rmsea_pvalue);
  put(l, "rmsea.close.h0", 0.05);
  put(l, "rmsea.notclose.pvalue", f->rmsea_notclose_pvalue);
  put(l, "rmsea.notclose.h0", 0.08);
  if (sc) {
    put(l, "rmsea.scaled", f->rmsea_scaled);
    put(l, "rmsea.ci.lower.scaled", f->rmsea_ci_lower_scaled);
    put(l, "rmsea.ci.upper.scaled", f->rmsea_ci_upper_scaled);
    put(l, "rmsea.pvalue.scaled", f->rmsea_pvalue_scaled);
    put(l, "rmsea.notclose.pvalue.scaled", f->rmsea_notclose_pvalue_scaled);
  }
  if (rb) {
    put(l, "rmsea.robust", f->rmsea_robust);
    put(l, "rmsea.ci.lower.robust", f->rmsea_ci_lower_robust);
    put(l, "rmsea.ci.upper.robust", f->rmsea_ci_upper_robust);
    put(l, "rmsea.pvalue.robust", f->rmsea_pvalue_robust);
    put(l, "rmsea.notclose.pvalue.robust", f->rmsea_notclose_pvalue_robust);
  }
}

/* the residual measures and the rest; a categorical fit has wrmr where ML has ecvi */
static void residual_block(measure_list_t *l, const vagap_sem_fit_t *fit, int cat) {
  const vagap_sem_measures_t *f = &fit->fit;
  put(l, "rmr", f->rmr);
  put(l, "rmr_nomean", f->rmr_nomean);
  put(l, "srmr", f->srmr);
  put(l, "srmr_bentler", f->srmr_bentler);
  put(l, "srmr_bentler_nomean", f->srmr_bentler_nomean);
  put(l, "crmr", f->crmr);
  put(l, "crmr_nomean", f->crmr_nomean);
  put(l, "srmr_mplus", f->srmr_mplus); /* NA for categorical fits, as lavaan */
  put(l, "srmr_mplus_nomean", f->srmr_mplus_nomean);
  put(l, "cn_05", f->cn_05);
  put(l, "cn_01", f->cn_01);
  put(l, "gfi", f->gfi);
  put(l, "agfi", f->agfi);
  put(l, "pgfi", f->pgfi);
  put(l, "mfi", f->mfi);
  if (!cat) put(l, "ecvi", f->ecvi);
  else put(l, "wrmr", sqrt(f->chisq / (double)fit->nstage1)); /* lavaan: group 1's WLS.obs length */
}

size_t vagap_sem_fit_measure_list(const vagap_sem_fit_t *fit, vagap_sem_measure_t *out, size_t cap) {
  measure_list_t l = {out, cap, 0};
  const vagap_sem_measures_t *f = &fit->fit;
  int cat = fit->nstage1 > 0, sc = scaled_test(f);
  int rb = sc && f->test != VAGAP_SEM_TEST_MEAN_VAR_ADJUSTED;
  chisq_block(&l, f, sc);
  incremental_block(&l, f, sc, rb);
  if (!cat) { /* least-squares estimators have no likelihood (lavaan prints none) */
    put(&l, "logl", f->logl);
    put(&l, "unrestricted.logl", f->unrestricted_logl);
    put(&l, "aic", f->aic);
    put(&l, "bic", f->bic);
    put(&l, "ntotal", f->ntotal);
    put(&l, "bic2", f->bic2);
  }
  if (f->test == VAGAP_SEM_TEST_YUAN_BENTLER_MPLUS) {
    put(&l, "scaling.factor.h1", f->scaling_factor_h1);
    put(&l, "scaling.factor.h0", f->scaling_factor_h0);
  }
  rmsea_block(&l, f, sc, rb);
  residual_block(&l, fit, cat);
  for (size_t g = 0; g < fit->model->ngroups; g++) {
    char name[48];
    snprintf(name, sizeof name, "chisq.group.%zu", g + 1);
    put(&l, name, f->chisq_group[g]);
    if (sc) {
      snprintf(name, sizeof name, "chisq.scaled.group.%zu", g + 1);
      put(&l, name, f->chisq_group_scaled[g]);
    }
  }
  /* the verdict: lavInspect(fit, "converged") and lavInspect(fit, "post.check") */
  put(&l, "converged", fit->converged);
  put(&l, "admissible", fit->admissible);
  return l.n;
}
