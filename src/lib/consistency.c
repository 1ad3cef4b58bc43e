/* consistency.c - cross-unit and stated-vs-enacted consistency; see vagap/consistency.h. */
#include "vagap/consistency.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * One correlation; an undefined one (too few pairs, constant vector) is not
 * an error for the caller, only recorded.  Other failures are passed on.
 */
static vagap_status_t correlate(const double *x, const double *y, size_t n,
                                const vagap_cor_options_t *opt, vagap_consistency_cor_t *out,
                                vagap_error_t *err) {
  vagap_error_t local;
  vagap_error_clear(&local);
  out->status = vagap_stats_cor(x, y, n, opt, &out->cor, &local);
  if (out->status == VAGAP_OK || out->status == VAGAP_EDOMAIN) return VAGAP_OK;
  if (err) *err = local;
  return out->status;
}

static const vagap_cor_options_t *cor_defaults(const vagap_cor_options_t *opt,
                                               vagap_cor_options_t *store) {
  if (opt) return opt;
  vagap_cor_options_init(store);
  return store;
}

static size_t count_present(const double *x, size_t n) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (!isnan(x[i])) k++;
  return k;
}

/*
 * A vector with itself: r = 1 by definition (when it varies).  Set directly
 * rather than computed, so that rounding cannot turn it into 0.9999999999999998
 * with a finite t; the test statistic, p-value and CI are not meaningful.
 */
static void diagonal(vagap_consistency_cor_t *d, const vagap_cor_options_t *opt, size_t n,
                     size_t nitems) {
  memset(d, 0, sizeof *d);
  d->status = VAGAP_OK;
  d->cor.method = opt->method;
  d->cor.alternative = opt->alternative;
  d->cor.conf_level = opt->conf_level;
  d->cor.n = n;
  d->cor.n_excluded = nitems - n;
  d->cor.estimate = 1.0;
  d->cor.statistic = d->cor.statistic_s = d->cor.df = NAN;
  d->cor.p_value = d->cor.log10_p = d->cor.fisher_z = d->cor.z_se = NAN;
  d->cor.conf_low = d->cor.conf_high = NAN;
}

vagap_status_t vagap_consistency_matrix(const double *x, size_t nunits, size_t nitems,
                                        const vagap_cor_options_t *opt,
                                        vagap_consistency_cor_t *pairs,
                                        vagap_consistency_unit_t *units,
                                        double *mean_offdiag, vagap_error_t *err) {
  vagap_cor_options_t store;
  opt = cor_defaults(opt, &store);
  double total = 0.0;
  size_t ntotal = 0;
  for (size_t i = 0; i < nunits; i++) {
    units[i].mean_r = 0.0;
    units[i].n_defined = 0;
    units[i].n_items = count_present(&x[i * nitems], nitems);
  }
  for (size_t i = 0; i < nunits; i++) {
    diagonal(&pairs[i * nunits + i], opt, units[i].n_items, nitems);
    for (size_t j = i + 1; j < nunits; j++) {
      vagap_consistency_cor_t *p = &pairs[i * nunits + j];
      vagap_status_t st = correlate(&x[i * nitems], &x[j * nitems], nitems, opt, p, err);
      if (st != VAGAP_OK) return st;
      pairs[j * nunits + i] = *p;
      if (p->status != VAGAP_OK || isnan(p->cor.estimate)) continue;
      units[i].mean_r += p->cor.estimate;
      units[i].n_defined++;
      units[j].mean_r += p->cor.estimate;
      units[j].n_defined++;
      total += p->cor.estimate;
      ntotal++;
    }
  }
  for (size_t i = 0; i < nunits; i++)
    units[i].mean_r = units[i].n_defined ? units[i].mean_r / (double)units[i].n_defined : NAN;
  if (mean_offdiag) *mean_offdiag = ntotal ? total / (double)ntotal : NAN;
  return VAGAP_OK;
}

void vagap_consistency_centre_rows(double *x, size_t nrows, size_t ncols) {
  for (size_t i = 0; i < nrows; i++) {
    double *row = &x[i * ncols];
    double sum = 0.0;
    size_t k = 0;
    for (size_t j = 0; j < ncols; j++)
      if (!isnan(row[j])) {
        sum += row[j];
        k++;
      }
    if (k == 0) continue;
    double mean = sum / (double)k;
    for (size_t j = 0; j < ncols; j++)
      if (!isnan(row[j])) row[j] -= mean;
  }
}

/* Column j of a row-major matrix, copied into out[nrows]. */
static void column(const double *x, size_t nrows, size_t ncols, size_t j, double *out) {
  for (size_t i = 0; i < nrows; i++) out[i] = x[i * ncols + j];
}

vagap_status_t vagap_consistency_stated_enacted(const double *stated, const double *enacted,
                                                size_t nunits, size_t nvalues, int centre,
                                                const vagap_cor_options_t *cor_opt,
                                                const vagap_ttest_options_t *t_opt,
                                                vagap_consistency_cor_t *per_unit,
                                                vagap_consistency_cor_t *per_value,
                                                vagap_ttest_t *mean_test,
                                                vagap_status_t *mean_status,
                                                size_t *n_undefined, vagap_error_t *err) {
  vagap_cor_options_t store;
  cor_opt = cor_defaults(cor_opt, &store);
  size_t cells = nunits * nvalues;
  double *s = malloc((cells ? cells : 1) * sizeof *s);
  double *r = malloc((nunits ? nunits : 1) * sizeof *r);
  double *col_s = malloc((nunits ? nunits : 1) * sizeof *col_s);
  double *col_e = malloc((nunits ? nunits : 1) * sizeof *col_e);
  vagap_status_t st = VAGAP_OK;
  if (!s || !r || !col_s || !col_e) {
    st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    goto done;
  }
  memcpy(s, stated, cells * sizeof *s);
  if (centre) vagap_consistency_centre_rows(s, nunits, nvalues);

  size_t undefined = 0;
  for (size_t i = 0; i < nunits; i++) {
    st = correlate(&s[i * nvalues], &enacted[i * nvalues], nvalues, cor_opt, &per_unit[i], err);
    if (st != VAGAP_OK) goto done;
    int ok = per_unit[i].status == VAGAP_OK && !isnan(per_unit[i].cor.estimate);
    r[i] = ok ? per_unit[i].cor.estimate : NAN;
    if (!ok) undefined++;
  }
  if (n_undefined) *n_undefined = undefined;

  if (per_value)
    for (size_t j = 0; j < nvalues; j++) {
      column(s, nunits, nvalues, j, col_s);
      column(enacted, nunits, nvalues, j, col_e);
      st = correlate(col_s, col_e, nunits, cor_opt, &per_value[j], err);
      if (st != VAGAP_OK) goto done;
    }

  /* NaN r (undefined units) are dropped by the t-test as missing. */
  vagap_ttest_options_t t_store;
  if (!t_opt) {
    vagap_ttest_options_init(&t_store);
    t_opt = &t_store;
  }
  vagap_error_t local;
  vagap_error_clear(&local);
  vagap_status_t ts = vagap_stats_ttest_one(r, nunits, t_opt, mean_test, &local);
  if (mean_status) *mean_status = ts;
  if (ts != VAGAP_OK && ts != VAGAP_EDOMAIN) {
    if (err) *err = local;
    st = ts;
  }
done:
  free(s);
  free(r);
  free(col_s);
  free(col_e);
  return st;
}

vagap_status_t vagap_consistency_roleplay_drop(const double *acc_a, const double *acc_b,
                                               size_t nunits, const vagap_ttest_options_t *opt,
                                               double *drop, vagap_ttest_t *test,
                                               vagap_error_t *err) {
  if (drop)
    for (size_t i = 0; i < nunits; i++) drop[i] = acc_a[i] - acc_b[i]; /* NaN propagates */
  vagap_ttest_options_t store;
  if (!opt) {
    vagap_ttest_options_init(&store);
    opt = &store;
  }
  return vagap_stats_ttest_paired(acc_a, acc_b, nunits, opt, test, err);
}
