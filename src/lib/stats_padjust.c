/*
 * stats_padjust.c - p-value adjustment as R's p.adjust (see
 * include/vagap/stats.h).  Split from stats.c without changes.
 */
#include "stats_internal.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_erf.h>
#include <gsl/gsl_sf_hyperg.h>
#include <gsl/gsl_sf_log.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>


/* ---- p-value adjustment --------------------------------------------------------------- */

const char *vagap_p_adjust_name(vagap_p_adjust_t method) {
  switch (method) {
  case VAGAP_P_ADJUST_NONE: return "none";
  case VAGAP_P_ADJUST_BONFERRONI: return "bonferroni";
  case VAGAP_P_ADJUST_HOLM: return "holm";
  case VAGAP_P_ADJUST_HOCHBERG: return "hochberg";
  case VAGAP_P_ADJUST_BH: return "BH";
  case VAGAP_P_ADJUST_BY: return "BY";
  }
  return "unknown";
}

vagap_status_t vagap_p_adjust_parse(const char *s, vagap_p_adjust_t *method, vagap_error_t *err) {
  static const struct {
    const char *name;
    vagap_p_adjust_t m;
  } names[] = {{"none", VAGAP_P_ADJUST_NONE},   {"bonferroni", VAGAP_P_ADJUST_BONFERRONI},
               {"holm", VAGAP_P_ADJUST_HOLM},   {"hochberg", VAGAP_P_ADJUST_HOCHBERG},
               {"bh", VAGAP_P_ADJUST_BH},       {"fdr", VAGAP_P_ADJUST_BH},
               {"by", VAGAP_P_ADJUST_BY}};
  for (size_t i = 0; s && i < sizeof names / sizeof names[0]; i++)
    if (!strcasecmp(s, names[i].name)) {
      *method = names[i].m;
      return VAGAP_OK;
    }
  return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                         "p-value adjustment '%s' is not one of none, bonferroni, holm, "
                         "hochberg, BH (fdr), BY", s ? s : "(null)");
}

vagap_status_t vagap_stats_p_adjust(const double *p, size_t n, vagap_p_adjust_t method,
                                    double *adjusted, vagap_error_t *err) {
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    if (isnan(p[i])) continue;
    if (!(p[i] >= 0.0 && p[i] <= 1.0))
      return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "p-value %zu (%g) is not in [0, 1]",
                             i + 1, p[i]);
    m++;
  }
  if (method < VAGAP_P_ADJUST_NONE || method > VAGAP_P_ADJUST_BY)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "unknown p-value adjustment");
  /* the non-missing p-values and where they came from */
  double *v = alloc_doubles(m);
  size_t *where = malloc((m ? m : 1) * sizeof *where);
  size_t *order = malloc((m ? m : 1) * sizeof *order);
  double *out = alloc_doubles(m);
  if (!v || !where || !order || !out) {
    free(v), free(where), free(order), free(out);
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  }
  for (size_t i = 0, k = 0; i < n; i++)
    if (!isnan(p[i])) where[k] = i, v[k++] = p[i];
  double dm = (double)m;
  if (m > 0) gsl_sort_index(order, v, 1, m); /* ascending */
  switch (method) {
  case VAGAP_P_ADJUST_NONE:
    for (size_t k = 0; k < m; k++) out[k] = v[k];
    break;
  case VAGAP_P_ADJUST_BONFERRONI:
    for (size_t k = 0; k < m; k++) out[k] = fmin(1.0, dm * v[k]);
    break;
  case VAGAP_P_ADJUST_HOLM: {
    /* step-down: running maximum of (m - i + 1) p_(i) over ascending i */
    double run = 0.0;
    for (size_t i = 0; i < m; i++) {
      run = fmax(run, (dm - (double)i) * v[order[i]]);
      out[order[i]] = fmin(1.0, run);
    }
    break;
  }
  case VAGAP_P_ADJUST_HOCHBERG:
  case VAGAP_P_ADJUST_BH:
  case VAGAP_P_ADJUST_BY: {
    /* step-up: running minimum from the largest p-value down */
    double q = 1.0;
    if (method == VAGAP_P_ADJUST_BY) {
      q = 0.0;
      for (size_t i = 1; i <= m; i++) q += 1.0 / (double)i;
    }
    double run = INFINITY;
    for (size_t i = m; i-- > 0;) {
      double rank = (double)i + 1.0; /* 1-based ascending rank */
      double f = method == VAGAP_P_ADJUST_HOCHBERG ? (dm - rank + 1.0) : q * dm / rank;
      run = fmin(run, f * v[order[i]]);
      out[order[i]] = fmin(1.0, run);
    }
    break;
  }
  }
  for (size_t i = 0; i < n; i++)
    if (isnan(p[i])) adjusted[i] = NAN;
  for (size_t k = 0; k < m; k++) adjusted[where[k]] = out[k];
  free(v), free(where), free(order), free(out);
  return VAGAP_OK;
}
