/*
 * sem_boot.c - nonparametric within-group bootstrap of a SEM, on POSIX
 * threads, reproducible per seed whatever the thread count (see
 * include/vagap/sem_boot.h).
 */
#include "vagap/sem_boot.h"

#include <math.h>
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "sem_internal.h"

void vagap_sem_boot_options_init(vagap_sem_boot_options_t *opt) {
  memset(opt, 0, sizeof *opt);
  opt->B = 1000;
  opt->seed = 1;
}

void vagap_sem_boot_free(vagap_sem_boot_t *boot) {
  if (!boot) return;
  free(boot->ok);
  free(boot->est);
  free(boot->se);
  free(boot->pvalue);
  free(boot->std_all);
  for (size_t k = 0; k < boot->nwarn_kinds; k++) free(boot->warn_kind[k]);
  free(boot->warn_kind);
  free(boot->warn_count);
  free(boot);
}

/* SplitMix64 (Steele, Lea & Flood 2014): decorrelates the seeds of
   consecutive resamples so that each gets an independent-looking stream. */
static uint64_t splitmix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static unsigned long resample_seed(uint64_t seed, size_t b) {
  uint64_t s = splitmix64(splitmix64(seed) ^ (uint64_t)b);
  /* MT19937 takes an unsigned long; 0 would be replaced by GSL's default */
  unsigned long v = (unsigned long)(s & 0xffffffffULL);
  return v ? v : 1;
}

/* Rows of each group: order[start[g] .. start[g+1]) are the rows of group g. */
typedef struct {
  size_t *order;
  size_t *start; /* [ngroups + 1] */
} group_index_t;

static vagap_status_t index_groups(const vagap_sem_data_t *d, group_index_t *gi, vagap_error_t *err) {
  gi->order = malloc((d->nobs ? d->nobs : 1) * sizeof *gi->order);
  gi->start = calloc(d->ngroups + 1, sizeof *gi->start);
  if (!gi->order || !gi->start) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  for (size_t i = 0; i < d->nobs; i++) {
    if (d->group[i] >= d->ngroups)
      return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "row %zu has group index %zu of %zu", i,
                             d->group[i], d->ngroups);
    gi->start[d->group[i] + 1]++;
  }
  for (size_t g = 0; g < d->ngroups; g++) {
    if (gi->start[g + 1] == 0)
      return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "group '%s' has no rows to resample",
                             d->group_label ? d->group_label[g] : "?");
    gi->start[g + 1] += gi->start[g];
  }
  size_t *fill = malloc((d->ngroups ? d->ngroups : 1) * sizeof *fill);
  if (!fill) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  memcpy(fill, gi->start, d->ngroups * sizeof *fill);
  for (size_t i = 0; i < d->nobs; i++) gi->order[fill[d->group[i]]++] = i;
  free(fill);
  return VAGAP_OK;
}

static void free_group_index(group_index_t *gi) {
  free(gi->order);
  free(gi->start);
}

/* idx[k] for k in group g's positions: draws from group g's rows, by rng reseeded for b. */
static void draw_resample(const group_index_t *gi, size_t ngroups, gsl_rng *rng, uint64_t seed, size_t b,
                          size_t *idx) {
  gsl_rng_set(rng, resample_seed(seed, b));
  for (size_t g = 0; g < ngroups; g++) {
    size_t lo = gi->start[g], n = gi->start[g + 1] - lo;
    for (size_t k = 0; k < n; k++) idx[lo + k] = gi->order[lo + gsl_rng_uniform_int(rng, n)];
  }
}

vagap_status_t vagap_sem_boot_resample(const vagap_sem_data_t *data, uint64_t seed, size_t b,
                                       size_t *idx, vagap_error_t *err) {
  group_index_t gi = {0};
  vagap_status_t st = index_groups(data, &gi, err);
  gsl_rng *rng = st ? NULL : gsl_rng_alloc(gsl_rng_mt19937);
  if (!st && !rng) st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  if (!st) draw_resample(&gi, data->ngroups, rng, seed, b, idx);
  if (rng) gsl_rng_free(rng);
  free_group_index(&gi);
  return st;
}

/* ---- workers -------------------------------------------------------------- */

typedef struct {
  const vagap_sem_model_t *model;
  const vagap_sem_data_t *data;
  const vagap_sem_fit_options_t *fit_opt;
  const vagap_sem_boot_options_t *opt;
  group_index_t gi;
  vagap_sem_boot_t *res;
  pthread_mutex_t lock;
  size_t next;        /* next resample to take (under lock) */
  size_t end;         /* one past the last resample to take */
  size_t done;        /* resamples finished (under lock) */
  const double *start;  /* full-sample estimates the resamples start from (NULL: usual starts) */
  const vagap_sem_stats_t *full; /* the full sample's moments (with start) */
  sem_centred_t centred;  /* the rows centred at their group's full-sample mean (z NULL: not made) */
  int full_refit;       /* 1: every resample by sem_fit_from, not sem_resample_fit first */
  size_t nfallback;     /* resamples sem_resample_fit passed to sem_fit_from (under lock) */
  vagap_status_t fatal; /* out of memory in a worker (under lock) */
  vagap_error_t fatal_err;
} boot_shared_t;

typedef struct {
  double *x;           /* [nobs * nvar] resampled data (the full path's) */
  size_t *idx;         /* [nobs] drawn rows */
  vagap_sem_stats_t *stats;
  gsl_rng *rng;
  size_t *grp;         /* [nobs] group of each position */
  sem_resample_t *fast;   /* the fast refit (NULL where it does not apply) and its room: */
  double *count, *scratch; /* [nobs] zero, [nobs] */
  size_t *rows;           /* [nobs] */
} boot_ws_t;

static void free_ws(boot_ws_t *w) {
  free(w->x);
  free(w->idx);
  vagap_sem_stats_free(w->stats);
  if (w->rng) gsl_rng_free(w->rng);
  free(w->grp);
  sem_resample_free(w->fast);
  free(w->count);
  free(w->scratch);
  free(w->rows);
}

static vagap_status_t alloc_ws(boot_ws_t *w, const boot_shared_t *sh, vagap_error_t *err) {
  const vagap_sem_data_t *d = sh->data;
  size_t n = d->nobs ? d->nobs : 1;
  memset(w, 0, sizeof *w);
  w->x = malloc(n * d->nvar * sizeof *w->x);
  w->idx = malloc(n * sizeof *w->idx);
  w->rng = gsl_rng_alloc(gsl_rng_mt19937);
  w->grp = malloc(n * sizeof *w->grp);
  if (!w->x || !w->idx || !w->rng || !w->grp) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  for (size_t g = 0; g < d->ngroups; g++)
    for (size_t k = sh->gi.start[g]; k < sh->gi.start[g + 1]; k++) w->grp[k] = g;
  vagap_status_t st = vagap_sem_stats_alloc(&w->stats, d->ngroups, d->nvar, d->var, d->group_label, err);
  if (st || sh->full_refit || !sh->start || !sh->centred.z) return st;
  if ((st = sem_resample_alloc(&w->fast, sh->model, sh->full, sh->fit_opt, sh->start, err)) || !w->fast) return st;
  w->count = calloc(n, sizeof *w->count);
  w->rows = malloc(n * sizeof *w->rows);
  w->scratch = malloc(n * sizeof *w->scratch);
  if (!w->count || !w->rows || !w->scratch) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  return VAGAP_OK;
}

/* Record the fit of resample b (or its failure). */
static void store_fit(vagap_sem_boot_t *res, size_t b, const vagap_sem_fit_t *fit) {
  double *est = res->est + b * res->nrows, *se = res->se + b * res->nrows;
  double *p = res->pvalue + b * res->nrows, *sa = res->std_all + b * res->nrows;
  for (size_t r = 0; r < res->nrows; r++) {
    const vagap_sem_param_t *row = fit ? &fit->model->rows[r] : NULL;
    est[r] = row ? row->est : NAN;
    se[r] = row ? row->se : NAN;
    p[r] = row ? row->pvalue : NAN;
    sa[r] = row ? row->std_all : NAN;
  }
  res->ok[b] = fit != NULL;
}

/* ---- warnings of the fitted resamples ----------------------------------------- */

/* A warning's kind: numbers that start a word ("in group 2", "(= -1e-12)")
   become '#', so that resamples differing only in them count together;
   digits inside names (x1, a1*b1) stay. */
static char *warning_kind(const char *w) {
  size_t n = strlen(w);
  char *k = malloc(n + 1);
  if (!k) return NULL;
  size_t o = 0;
  for (size_t i = 0; i < n;) {
    int boundary = i == 0 || w[i - 1] == ' ' || w[i - 1] == '=' || w[i - 1] == '(';
    size_t j = i;
    if (boundary && (w[j] == '-' || w[j] == '+')) j++;
    if (boundary && isdigit((unsigned char)w[j])) {
      while (j < n && (isdigit((unsigned char)w[j]) || w[j] == '.' ||
                       ((w[j] == 'e' || w[j] == 'E') && j + 1 < n &&
                        (isdigit((unsigned char)w[j + 1]) || w[j + 1] == '-' || w[j + 1] == '+')) ||
                       ((w[j] == '-' || w[j] == '+') && (w[j - 1] == 'e' || w[j - 1] == 'E'))))
        j++;
      k[o++] = '#';
      i = j;
    } else {
      k[o++] = w[i++];
    }
  }
  k[o] = '\0';
  return k;
}

/* Count the distinct warning kinds of one fitted resample (under the lock). */
static vagap_status_t count_warnings(vagap_sem_boot_t *res, const vagap_sem_fit_t *fit) {
  if (!fit->nwarnings) return VAGAP_OK;
  res->nwarned++;
  for (size_t i = 0; i < fit->nwarnings; i++) {
    char *kind = warning_kind(fit->warnings[i]);
    if (!kind) return VAGAP_ENOMEM;
    int seen_in_fit = 0; /* the same kind twice in one fit (two groups) counts once */
    for (size_t j = 0; j < i && !seen_in_fit; j++) {
      char *other = warning_kind(fit->warnings[j]);
      if (!other) { free(kind); return VAGAP_ENOMEM; }
      seen_in_fit = !strcmp(other, kind);
      free(other);
    }
    size_t k = 0;
    while (k < res->nwarn_kinds && strcmp(res->warn_kind[k], kind)) k++;
    if (k < res->nwarn_kinds) {
      if (!seen_in_fit) res->warn_count[k]++;
      free(kind);
      continue;
    }
    char **wk = realloc(res->warn_kind, (k + 1) * sizeof *wk);
    if (!wk) { free(kind); return VAGAP_ENOMEM; }
    res->warn_kind = wk;
    size_t *wc = realloc(res->warn_count, (k + 1) * sizeof *wc);
    if (!wc) { free(kind); return VAGAP_ENOMEM; }
    res->warn_count = wc;
    wk[k] = kind;
    wc[k] = 1;
    res->nwarn_kinds++;
  }
  return VAGAP_OK;
}

/* Record resample b's fit (NULL: failed with status fst) and count it (under the lock). */
static void finish_resample(boot_shared_t *sh, size_t b, const vagap_sem_fit_t *fit, vagap_status_t fst) {
  store_fit(sh->res, b, fit);
  pthread_mutex_lock(&sh->lock);
  if (fit && count_warnings(sh->res, fit) && !sh->fatal) {
    sh->fatal = VAGAP_ENOMEM;
    vagap_error_set(&sh->fatal_err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  }
  if (!fit) sh->res->failed_by_status[fst]++;
  sh->done++;
  if (sh->opt->progress) sh->opt->progress(sh->done, sh->res->B, sh->opt->progress_ctx);
  pthread_mutex_unlock(&sh->lock);
}

/* Resample b (drawn into w->idx) by the fast refit: 0 when done (recorded), 1 when the
   full path must refit it, -1 when out of memory. */
static int fast_resample(boot_shared_t *sh, boot_ws_t *w, size_t b, vagap_error_t *err) {
  const vagap_sem_fit_t *fit = NULL;
  vagap_status_t st = sem_resample_moments(w->stats, sh->data, &sh->centred, w->idx, sh->gi.order, sh->gi.start,
                                           w->count, w->rows, w->scratch, err);
  if (!st) st = sem_resample_fit(w->fast, w->stats, &fit, err);
  if (st == VAGAP_ENOMEM) return -1;
  if (st) {
    pthread_mutex_lock(&sh->lock);
    sh->nfallback++;
    pthread_mutex_unlock(&sh->lock);
    return 1;
  }
  finish_resample(sh, b, fit, VAGAP_OK);
  return 0;
}

static void *worker(void *arg) {
  boot_shared_t *sh = arg;
  const vagap_sem_data_t *d = sh->data;
  boot_ws_t w;
  vagap_error_t err;
  vagap_status_t st = alloc_ws(&w, sh, &err);
  /* FIML refits the resampled rows with their missing values; a categorical model
     its first stage (thresholds, polychorics, Gamma) from the resampled rows */
  int fiml = (sh->fit_opt && (sh->fit_opt->missing == VAGAP_SEM_MISSING_ML ||
                              sh->fit_opt->missing == VAGAP_SEM_MISSING_ML_X)) ||
             sem_model_is_categorical(sh->model);
  for (;;) {
    pthread_mutex_lock(&sh->lock);
    if (st && !sh->fatal) {
      sh->fatal = st;
      sh->fatal_err = err;
    }
    size_t b = sh->fatal ? sh->end : sh->next++;
    pthread_mutex_unlock(&sh->lock);
    if (b >= sh->end) break;

    draw_resample(&sh->gi, d->ngroups, w.rng, sh->opt->seed, b, w.idx);
    int fast = w.fast ? fast_resample(sh, &w, b, &err) : 1;
    if (fast < 0) st = vagap_error_set(&err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    if (fast <= 0) continue;
    /* the full path: the drawn rows, their moments, sem_fit_from's search */
    vagap_sem_fit_t *fit = NULL;
    vagap_status_t fst = VAGAP_OK;
    for (size_t i = 0; i < d->nobs; i++)
      memcpy(w.x + i * d->nvar, d->x + w.idx[i] * d->nvar, d->nvar * sizeof *w.x);
    if (!fiml) fst = vagap_sem_stats_compute(w.stats, w.x, w.grp, d->nobs, &err);
    if (fst == VAGAP_ENOMEM) { st = fst; continue; }
    /* the resampled rows go along: robust ML (MLR, MLM) needs them for its SEs; FIML fits them */
    vagap_sem_data_t rows = {d->nobs, d->nvar, d->ngroups, w.x, w.grp, d->var, d->group_label};
    if (!fst) fst = fiml ? vagap_sem_fit_data(&fit, sh->model, &rows, sh->fit_opt, &err)
                         : sem_fit_from(&fit, sh->model, w.stats, &rows, sh->fit_opt, sh->start, &err);
    if (fst == VAGAP_ENOMEM) { st = fst; continue; }
    finish_resample(sh, b, fst ? NULL : fit, fst);
    vagap_sem_fit_free(fit);
  }
  free_ws(&w);
  return NULL;
}

static unsigned thread_count(const vagap_sem_boot_options_t *opt) {
  unsigned n = opt->threads;
  if (n == 0) {
    long c = sysconf(_SC_NPROCESSORS_ONLN);
    n = c > 0 ? (unsigned)c : 1;
  }
  if (n > opt->B) n = (unsigned)opt->B;
  return n ? n : 1;
}

static vagap_status_t alloc_result(vagap_sem_boot_t **out, size_t B, size_t nrows, vagap_error_t *err) {
  vagap_sem_boot_t *r = calloc(1, sizeof *r);
  if (!r) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  r->B = B;
  r->nrows = nrows;
  size_t cells = B * (nrows ? nrows : 1);
  r->ok = calloc(B, sizeof *r->ok);
  r->est = malloc(cells * sizeof *r->est);
  r->se = malloc(cells * sizeof *r->se);
  r->pvalue = malloc(cells * sizeof *r->pvalue);
  r->std_all = malloc(cells * sizeof *r->std_all);
  if (!r->ok || !r->est || !r->se || !r->pvalue || !r->std_all) {
    vagap_sem_boot_free(r);
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  }
  for (size_t k = 0; k < cells; k++) /* resamples outside a range stay "not fitted" */
    r->est[k] = r->se[k] = r->pvalue[k] = r->std_all[k] = NAN;
  *out = r;
  return VAGAP_OK;
}

void vagap_sem_boot_sort_warnings(vagap_sem_boot_t *r) {
  for (size_t i = 1; i < r->nwarn_kinds; i++)
    for (size_t j = i; j > 0 && strcmp(r->warn_kind[j - 1], r->warn_kind[j]) > 0; j--) {
      char *tk = r->warn_kind[j];
      r->warn_kind[j] = r->warn_kind[j - 1];
      r->warn_kind[j - 1] = tk;
      size_t tc = r->warn_count[j];
      r->warn_count[j] = r->warn_count[j - 1];
      r->warn_count[j - 1] = tc;
    }
}

/*
 * The full-sample moments and estimates, where the resamples start as in lavaan's
 * bootstrapLavaan (complete-data ML; FIML and categorical models refit from the
 * rows with their usual starts).  *x NULL when the full sample does not fit: the
 * resamples then take the usual starting values and strategies.
 */
static void full_sample_start(const vagap_sem_model_t *model, const vagap_sem_data_t *d,
                              const vagap_sem_fit_options_t *fit_opt, vagap_sem_stats_t **stats, double **x) {
  *stats = NULL;
  *x = NULL;
  if (fit_opt && (fit_opt->missing == VAGAP_SEM_MISSING_ML || fit_opt->missing == VAGAP_SEM_MISSING_ML_X))
    return;
  if (sem_model_is_categorical(model) || model->npar == 0) return;
  vagap_sem_fit_t *fit = NULL;
  vagap_error_t err;
  if (!vagap_sem_stats_alloc(stats, d->ngroups, d->nvar, d->var, d->group_label, &err) &&
      !vagap_sem_stats_compute(*stats, d->x, d->group, d->nobs, &err) &&
      !sem_fit_run(&fit, model, *stats, d, fit_opt, &err) && (*x = malloc(model->npar * sizeof **x)))
    memcpy(*x, fit->x, model->npar * sizeof **x);
  vagap_sem_fit_free(fit);
}

vagap_status_t vagap_sem_bootstrap(vagap_sem_boot_t **out, const vagap_sem_model_t *model,
                                   const vagap_sem_data_t *data,
                                   const vagap_sem_fit_options_t *fit_opt,
                                   const vagap_sem_boot_options_t *opt, vagap_error_t *err) {
  return sem_bootstrap_run(out, model, data, fit_opt, opt, 0, NULL, err);
}

vagap_status_t sem_bootstrap_run(vagap_sem_boot_t **out, const vagap_sem_model_t *model,
                                 const vagap_sem_data_t *data, const vagap_sem_fit_options_t *fit_opt,
                                 const vagap_sem_boot_options_t *opt, int full_refit, size_t *nfallback,
                                 vagap_error_t *err) {
  *out = NULL;
  if (nfallback) *nfallback = 0;
  if (!opt || opt->B == 0)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "the number of resamples must be at least 1");
  if (data->ngroups != model->ngroups)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "the model has %zu groups, the data %zu",
                           model->ngroups, data->ngroups);
  if (opt->b_to && (opt->b_to > opt->B || opt->b_from >= opt->b_to))
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "resamples %zu..%zu of %zu",
                           opt->b_from, opt->b_to, opt->B);
  boot_shared_t sh = {.model = model, .data = data, .fit_opt = fit_opt, .opt = opt, .full_refit = full_refit,
                      .next = opt->b_to ? opt->b_from : 0, .end = opt->b_to ? opt->b_to : opt->B};
  vagap_status_t st = index_groups(data, &sh.gi, err);
  if (!st) st = alloc_result(&sh.res, opt->B, model->nrows, err);
  if (st) {
    free_group_index(&sh.gi);
    return st;
  }
  vagap_sem_stats_t *full;
  double *start;
  full_sample_start(model, data, fit_opt, &full, &start);
  sh.start = start;
  sh.full = full;
  /* the fast refit's centred rows, where it applies (without them every resample takes the
     full path) */
  if (start && !full_refit && sem_resample_applies(model, fit_opt) &&
      sem_resample_centre(&sh.centred, data, full->mean))
    st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  pthread_mutex_init(&sh.lock, NULL);
  unsigned nthreads = thread_count(opt), started = 0;
  pthread_t *tid = malloc(nthreads * sizeof *tid);
  if (!tid) st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  for (unsigned t = 0; t < nthreads && !st; t++) {
    if (pthread_create(&tid[t], NULL, worker, &sh) != 0) {
      if (started == 0) st = vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0, "cannot start a thread");
      break; /* fewer threads than asked: the started ones take all resamples */
    }
    started++;
  }
  for (unsigned t = 0; t < started; t++) pthread_join(tid[t], NULL);
  free(tid);
  pthread_mutex_destroy(&sh.lock);
  free(start);
  sem_resample_centred_free(&sh.centred);
  vagap_sem_stats_free(full);
  free_group_index(&sh.gi);
  if (!st && sh.fatal) {
    st = sh.fatal;
    if (err) *err = sh.fatal_err;
  }
  if (st) {
    vagap_sem_boot_free(sh.res);
    return st;
  }
  /* threads finish resamples in any order: sort the kinds so that the output
     does not depend on the number of threads */
  vagap_sem_boot_sort_warnings(sh.res);
  for (size_t b = 0; b < sh.res->B; b++) sh.res->nok += (size_t)sh.res->ok[b];
  sh.res->nfailed = (sh.end - (opt->b_to ? opt->b_from : 0)) - sh.res->nok;
  if (nfallback) *nfallback = sh.nfallback;
  *out = sh.res;
  return VAGAP_OK;
}

/* ---- percentile intervals --------------------------------------------------- */

vagap_status_t vagap_sem_boot_percentile(const double *v, size_t n, size_t stride, double level,
                                         double *lower, double *upper, size_t *n_used,
                                         vagap_error_t *err) {
  *lower = *upper = NAN;
  if (n_used) *n_used = 0;
  if (!(level > 0 && level < 1))
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "level must lie in (0, 1), got %g", level);
  double *w = malloc((n ? n : 1) * sizeof *w);
  if (!w) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    if (isfinite(v[i * stride])) w[m++] = v[i * stride];
  if (n_used) *n_used = m;
  if (m == 0) {
    free(w);
    return vagap_error_set(err, VAGAP_EDOMAIN, NULL, 0, 0, "no finite bootstrap value");
  }
  gsl_sort(w, 1, m);
  /* gsl_stats_quantile_from_sorted_data interpolates at (m-1)f, which is R's type 7 */
  *lower = gsl_stats_quantile_from_sorted_data(w, 1, m, (1 - level) / 2);
  *upper = gsl_stats_quantile_from_sorted_data(w, 1, m, (1 + level) / 2);
  free(w);
  return VAGAP_OK;
}
