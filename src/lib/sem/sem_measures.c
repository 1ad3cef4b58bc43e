/*
 * sem_measures.c - the rest of lavaan's fitMeasures() for the ML family
 * (lavaan 0.6: lav_fit_gfi.R, lav_fit_srmr.R, lav_residuals.R,
 * lav_fit_rmsea.R), computed per group g from the sample moments (S, ybar)
 * and the implied ones (Sigma, mu), averaged with weights n_g / N:
 *   rmr        residuals S - Sigma (and ybar - mu) as they are;
 *   srmr_bentler  both divided by the sample standard deviations;
 *   crmr       correlation residuals cor(S) - cor(Sigma) without the diagonal,
 *              the mean residuals divided by the sample standard deviations;
 *   each the root mean square over vech (+ the means with a mean structure;
 *   _nomean: without them).  lavaan rescales an element only when it is at
 *   least 1e-5 in absolute value (lav_residuals_rescale).
 *   srmr_mplus  Mplus's: correlation residuals below the diagonal, the
 *              variances as (s_ii - sigma_ii)/s_ii, the means as
 *              ybar/s - mu/sigma (lav_fit_srmr_mplus);
 *   gfi        1 - d'Wd / s'Ws with s = (ybar, vech S), d = s - (mu, vech Sigma)
 *              and W the expected h1 information at Sigma (fixed.x rows zeroed);
 *              agfi = 1 - nel/df (1 - gfi), pgfi = df/nel gfi (nel = G ps);
 *   rmsea.notclose.pvalue = P(X2 <= x; df, N df 0.08^2 / G).
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>

#include "sem_internal.h"

/* lavaan's rescaling of one value: kept as it is when it is below 1e-5 */
static double rescale(double v, double var) {
  return fabs(v) < 1e-5 ? v : v / sqrt(var);
}

typedef struct {
  double rmr, rmr_nm, srmr, srmr_nm, crmr, crmr_nm, mplus, mplus_nm;
} rms_t;

static rms_t group_rms(const gsl_matrix *S, const gsl_vector *ybar, const gsl_matrix *Sig, const gsl_vector *mu,
                       size_t p, int ms) {
  double raw_c = 0, raw_m = 0, ben_c = 0, ben_m = 0, bol_c = 0, mp_cor = 0, mp_var = 0, mp_mean = 0;
  for (size_t i = 0; i < p; i++) {
    double si = gsl_matrix_get(S, i, i), ei = gsl_matrix_get(Sig, i, i);
    for (size_t j = 0; j <= i; j++) {
      double sj = gsl_matrix_get(S, j, j), ej = gsl_matrix_get(Sig, j, j);
      double o = gsl_matrix_get(S, i, j), e = gsl_matrix_get(Sig, i, j);
      double r = o - e;
      raw_c += r * r;
      double b = rescale(o, si * sj) - rescale(e, si * sj);
      ben_c += b * b;
      double c = rescale(o, si * sj) - rescale(e, ei * ej);
      if (i != j) bol_c += c * c;
      if (i != j) {
        double m = o / sqrt(si * sj) - e / sqrt(ei * ej);
        mp_cor += m * m;
      }
    }
    double dv = (si - ei) / si;
    mp_var += dv * dv;
    if (ms) {
      double ob = gsl_vector_get(ybar, i), em = gsl_vector_get(mu, i);
      raw_m += (ob - em) * (ob - em);
      double b = rescale(ob, si) - rescale(em, si);
      ben_m += b * b;
      double m = ob / sqrt(si) - em / sqrt(ei);
      mp_mean += m * m;
    }
  }
  double pc = (double)(p * (p + 1) / 2), P = (double)p;
  rms_t out;
  out.rmr_nm = sqrt(raw_c / pc);
  out.srmr_nm = sqrt(ben_c / pc);
  out.crmr_nm = sqrt(bol_c / (pc - P));
  out.mplus_nm = sqrt((mp_cor + mp_var) / pc);
  if (ms) {
    out.rmr = sqrt((raw_c + raw_m) / (pc + P));
    out.srmr = sqrt((ben_c + ben_m) / (pc + P));
    out.crmr = sqrt((bol_c + ben_m) / pc); /* the means rescaled by the sample variances */
    out.mplus = sqrt((mp_cor + mp_mean + mp_var) / (pc + P));
  } else {
    out.rmr = out.rmr_nm;
    out.srmr = out.srmr_nm;
    out.crmr = out.crmr_nm;
    out.mplus = out.mplus_nm;
  }
  return out;
}

/* 1 - d'Wd / s'Ws of one group, W the expected h1 information at Sigma. */
static double group_gfi(const gsl_matrix *S, const gsl_vector *ybar, const gsl_matrix *Sig, const gsl_vector *mu,
                        size_t p, int ms, const int *is_x) {
  gsl_matrix *W = gsl_matrix_alloc(p, p);
  if (!W) return NAN;
  gsl_matrix_memcpy(W, Sig);
  gsl_error_handler_t *old = gsl_set_error_handler_off();
  int bad = gsl_linalg_cholesky_decomp1(W) || gsl_linalg_cholesky_invert(W);
  gsl_set_error_handler(old);
  double t1 = 0, t2 = 0;
  if (!bad) {
    /* means: d' W d over the non-x means */
    if (ms)
      for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < p; j++) {
          if (is_x[i] || is_x[j]) continue;
          double w = gsl_matrix_get(W, i, j);
          double di = gsl_vector_get(ybar, i) - gsl_vector_get(mu, i), dj = gsl_vector_get(ybar, j) - gsl_vector_get(mu, j);
          t1 += di * w * dj;
          t2 += gsl_vector_get(ybar, i) * w * gsl_vector_get(ybar, j);
        }
    /* covariances: the quadratic form of 1/2 D'(W (x) W) D on vech, i.e. 1/2 tr(W C W C)
       for the symmetric C, with the elements among fixed.x covariates set to 0 */
    gsl_matrix *C = gsl_matrix_alloc(p, p), *WC = gsl_matrix_alloc(p, p);
    if (!C || !WC) {
      bad = 1;
    } else {
      for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < p; i++)
          for (size_t j = 0; j < p; j++) {
            double v = gsl_matrix_get(S, i, j) - (pass == 0 ? gsl_matrix_get(Sig, i, j) : 0);
            gsl_matrix_set(C, i, j, is_x[i] && is_x[j] ? 0 : v);
          }
        gsl_blas_dsymm(CblasLeft, CblasLower, 1.0, W, C, 0.0, WC);
        double tr = 0;
        for (size_t i = 0; i < p; i++)
          for (size_t j = 0; j < p; j++) tr += gsl_matrix_get(WC, i, j) * gsl_matrix_get(WC, j, i);
        if (pass == 0) t1 += 0.5 * tr;
        else t2 += 0.5 * tr;
      }
    }
    if (C) gsl_matrix_free(C);
    if (WC) gsl_matrix_free(WC);
  }
  gsl_matrix_free(W);
  return bad ? NAN : 1 - t1 / t2;
}

void sem_more_measures(sem_ws_t *ws, const double *x, vagap_sem_measures_t *fm) {
  const vagap_sem_model_t *m = NULL;
  size_t G = 0;
  fm->rmr = fm->rmr_nomean = fm->srmr_bentler = fm->srmr_bentler_nomean = 0;
  fm->crmr = fm->crmr_nomean = fm->srmr_mplus = fm->srmr_mplus_nomean = 0;
  fm->gfi = 0;
  double N = sem_ws_N(ws), X2 = fm->chisq, df = fm->df;
  m = sem_ws_model(ws);
  G = m->ngroups;
  size_t p = m->nov;
  int ms = m->meanstructure;
  for (size_t g = 0; g < G; g++) {
    const gsl_matrix *S, *Sig;
    const gsl_vector *ybar, *mu;
    sem_ws_sample(ws, g, &S, &ybar);
    if (sem_ws_implied(ws, x, g, &Sig, &mu)) {
      fm->gfi = NAN;
      continue;
    }
    double f = sem_ws_nobs(ws, g) / fm->ntotal;
    rms_t r = group_rms(S, ybar, Sig, mu, p, ms);
    fm->rmr += f * r.rmr;
    fm->rmr_nomean += f * r.rmr_nm;
    fm->srmr_bentler += f * r.srmr;
    fm->srmr_bentler_nomean += f * r.srmr_nm;
    fm->crmr += f * r.crmr;
    fm->crmr_nomean += f * r.crmr_nm;
    fm->srmr_mplus += f * r.mplus;
    fm->srmr_mplus_nomean += f * r.mplus_nm;
    fm->gfi += f * group_gfi(S, ybar, Sig, mu, p, ms, m->ov_is_x);
  }
  double nel = (double)G * ((double)(p * (p + 1) / 2) + (ms ? (double)p : 0));
  fm->agfi = !isfinite(fm->gfi) ? NAN : df > 0 ? 1 - nel / df * (1 - fm->gfi) : 1;
  fm->pgfi = !isfinite(fm->gfi) || nel == 0 ? NAN : df / nel * fm->gfi;
  fm->srmr = fm->srmr_bentler; /* lavaan: srmr is srmr_bentler (with its 1e-5 rescaling rule) */
  fm->rmsea_notclose_pvalue = df > 0 ? sem_pchisq_nc(X2, df, N * df * 0.08 * 0.08 / (double)G) : NAN;
}

/* Every double of fm in [from, to) (offsets of vagap_sem_measures_t) to NAN. */
static void nan_range(vagap_sem_measures_t *fm, size_t from, size_t to) {
  for (size_t off = from; off + sizeof(double) <= to; off += sizeof(double)) *(double *)((char *)fm + off) = NAN;
}

/*
 * vagap_sem_measures_t is two runs of doubles (npar .. cn_01 and chisq_scaled ..
 * pgfi) around the per-group arrays, so "everything but the test" is those runs
 * minus the test's fields, saved and put back.
 */
_Static_assert(offsetof(vagap_sem_measures_t, cn_01) + sizeof(double) == offsetof(vagap_sem_measures_t, chisq_group),
               "the first run of doubles ends at chisq_group");
_Static_assert(offsetof(vagap_sem_measures_t, pgfi) + sizeof(double) ==
                   offsetof(vagap_sem_measures_t, chisq_group_scaled),
               "the second run of doubles ends at chisq_group_scaled");

void sem_measures_keep(vagap_sem_measures_t *fm, vagap_sem_compute_t compute, size_t ngroups) {
  if (compute == VAGAP_SEM_COMPUTE_ALL) return;
  vagap_sem_measures_t t = *fm;
  nan_range(fm, offsetof(vagap_sem_measures_t, npar), offsetof(vagap_sem_measures_t, chisq_group));
  nan_range(fm, offsetof(vagap_sem_measures_t, chisq_scaled), offsetof(vagap_sem_measures_t, chisq_group_scaled));
  if (compute == VAGAP_SEM_COMPUTE_TEST) {
    fm->npar = t.npar;
    fm->fmin = t.fmin;
    fm->chisq = t.chisq;
    fm->df = t.df;
    fm->pvalue = t.pvalue;
    fm->ntotal = t.ntotal;
    fm->chisq_scaled = t.chisq_scaled;
    fm->df_scaled = t.df_scaled;
    fm->pvalue_scaled = t.pvalue_scaled;
    fm->chisq_scaling_factor = t.chisq_scaling_factor;
    fm->chisq_shift_parameter = t.chisq_shift_parameter;
    return;
  }
  for (size_t g = 0; g < ngroups; g++) {
    if (fm->chisq_group) fm->chisq_group[g] = NAN;
    if (fm->chisq_group_scaled) fm->chisq_group_scaled[g] = NAN;
  }
}
