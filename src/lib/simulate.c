/*
 * simulate.c - reproducible random streams, exact sums, the replication
 * thread pool and multivariate normal draws (vagap/simulate.h).
 */
#include "vagap/simulate.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_vector.h>

/* ---- streams -------------------------------------------------------------- */

uint64_t vagap_sim_splitmix64(uint64_t x) {
  uint64_t z = x + UINT64_C(0x9e3779b97f4a7c15);
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

uint64_t vagap_sim_stream_key(uint64_t seed, uint64_t condition, uint64_t replication) {
  return vagap_sim_splitmix64(vagap_sim_splitmix64(vagap_sim_splitmix64(seed) + condition) +
                              replication);
}

const gsl_rng_type *vagap_sim_rng_type(void) { return gsl_rng_mt19937; }

void vagap_sim_rng_seed(gsl_rng *rng, uint64_t seed, uint64_t condition, uint64_t replication) {
  gsl_rng_set(rng, (unsigned long)(vagap_sim_stream_key(seed, condition, replication) >> 32));
}

/* ---- exact sums ------------------------------------------------------------ */

#define LIMB_MASK UINT64_C(0xffffffff)

void vagap_xsum_init(vagap_xsum_t *s) { memset(s, 0, sizeof *s); }

/* Carry propagation: every limb but the top one into [0, 2^32). */
static void xsum_normalize(vagap_xsum_t *s) {
  for (size_t k = 0; k + 1 < VAGAP_XSUM_LIMBS; k++) {
    int64_t low = (int64_t)((uint64_t)s->limb[k] & LIMB_MASK);
    int64_t carry = (s->limb[k] - low) / (INT64_C(1) << 32); /* exact: a multiple of 2^32 */
    s->limb[k] = low;
    s->limb[k + 1] += carry;
  }
  s->pending = 0;
}

/* Replace a sum by its magnitude in canonical limbs (all in [0, 2^32)); returns 1 if it was negative. */
static int xsum_magnitude(vagap_xsum_t *t) {
  xsum_normalize(t);
  if (t->limb[VAGAP_XSUM_LIMBS - 1] >= 0) return 0;
  for (size_t k = 0; k < VAGAP_XSUM_LIMBS; k++) t->limb[k] = -t->limb[k];
  xsum_normalize(t);
  return 1;
}

void vagap_xsum_add(vagap_xsum_t *s, double x) {
  if (!isfinite(x)) {
    s->nonfinite = 1;
    return;
  }
  if (x == 0.0) return;
  int e;
  double m = frexp(x, &e);                      /* x = m 2^e, 0.5 <= |m| < 1 */
  int64_t mant = (int64_t)ldexp(m, 53);         /* exact: 53 significant bits */
  int pos = e - 53 + VAGAP_XSUM_BIAS;           /* bit position of mant's unit, >= 26 */
  int sign = mant < 0 ? -1 : 1;
  uint64_t u = (uint64_t)(mant < 0 ? -mant : mant);
  size_t k = (size_t)(pos / 32);
  int sh = pos % 32;
  uint64_t lo = (u & LIMB_MASK) << sh, hi = (u >> 32) << sh; /* < 2^63, < 2^52 */
  s->limb[k] += sign * (int64_t)(lo & LIMB_MASK);
  s->limb[k + 1] += sign * ((int64_t)(lo >> 32) + (int64_t)(hi & LIMB_MASK));
  s->limb[k + 2] += sign * (int64_t)(hi >> 32);
  /* each addition moves a limb by < 2^33: 2^29 of them cannot overflow int64 */
  if (++s->pending >= (UINT32_C(1) << 29)) xsum_normalize(s);
}

void vagap_xsum_merge(vagap_xsum_t *a, const vagap_xsum_t *b) {
  vagap_xsum_t nb = *b;
  xsum_normalize(&nb);
  xsum_normalize(a);
  for (size_t k = 0; k < VAGAP_XSUM_LIMBS; k++) a->limb[k] += nb.limb[k];
  a->nonfinite |= b->nonfinite;
  xsum_normalize(a);
}

double vagap_xsum_value(const vagap_xsum_t *s) {
  if (s->nonfinite) return NAN;
  vagap_xsum_t t = *s;
  int negative = xsum_magnitude(&t);
  /* from the top limb down over the magnitude's canonical limbs: equal sums give equal doubles */
  double v = 0.0;
  for (size_t k = VAGAP_XSUM_LIMBS; k-- > 0;)
    if (t.limb[k] != 0) v += ldexp((double)t.limb[k], (int)(32 * k) - VAGAP_XSUM_BIAS);
  return negative ? -v : v;
}

void vagap_xsum_format(const vagap_xsum_t *s, char *buf, size_t size) {
  if (s->nonfinite) {
    snprintf(buf, size, "nan");
    return;
  }
  vagap_xsum_t t = *s;
  int negative = xsum_magnitude(&t);
  size_t top = VAGAP_XSUM_LIMBS, low = 0;
  while (top > 0 && t.limb[top - 1] == 0) top--;
  if (top == 0) {
    snprintf(buf, size, "0");
    return;
  }
  while (t.limb[low] == 0) low++;
  size_t used = (size_t)snprintf(buf, size, "%s0x%llx", negative ? "-" : "",
                                 (unsigned long long)t.limb[top - 1]);
  for (size_t k = top - 1; k-- > low && used < size;)
    used += (size_t)snprintf(buf + used, size - used, "%08llx", (unsigned long long)t.limb[k]);
  if (used < size)
    snprintf(buf + used, size - used, "p%d", (int)(32 * low) - VAGAP_XSUM_BIAS);
}

static int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

vagap_status_t vagap_xsum_parse(vagap_xsum_t *s, const char *text, vagap_error_t *err) {
  vagap_xsum_init(s);
  if (strcmp(text, "0") == 0) return VAGAP_OK;
  if (strcmp(text, "nan") == 0) {
    s->nonfinite = 1;
    return VAGAP_OK;
  }
  const char *p = text;
  int negative = *p == '-';
  if (negative) p++;
  if (p[0] != '0' || (p[1] != 'x' && p[1] != 'X')) goto bad;
  p += 2;
  const char *digits = p;
  while (hex_digit(*p) >= 0) p++;
  size_t ndig = (size_t)(p - digits);
  if (ndig == 0 || *p != 'p') goto bad;
  char *end;
  errno = 0;
  long exp = strtol(p + 1, &end, 10);
  if (*end != '\0' || errno || end == p + 1) goto bad;
  /* the exponent must sit on a limb boundary, as vagap_xsum_format writes it */
  long base = exp + VAGAP_XSUM_BIAS;
  if (base < 0 || base % 32 != 0 || base / 32 + (long)((ndig + 7) / 8) > VAGAP_XSUM_LIMBS) goto bad;
  for (size_t i = 0; i < ndig; i++) { /* digit i from the right has weight 16^i */
    size_t from_right = ndig - 1 - i;
    size_t k = (size_t)(base / 32) + from_right / 8;
    s->limb[k] += (int64_t)hex_digit(digits[i]) << (4 * (from_right % 8));
  }
  if (negative)
    for (size_t k = 0; k < VAGAP_XSUM_LIMBS; k++) s->limb[k] = -s->limb[k];
  xsum_normalize(s);
  return VAGAP_OK;
bad:
  return vagap_error_set(err, VAGAP_EPARSE, NULL, 0, 0,
                         "'%.60s' is not an exact sum (expected 0, nan or [-]0x<hex>p<exponent>)",
                         text);
}

/* ---- runner ------------------------------------------------------------------ */

typedef struct {
  const vagap_sim_plan_t *plan;
  double *out;
  size_t first, ntasks, next; /* tasks first..ntasks-1; next handed out (guarded by lock) */
  size_t done;              /* tasks finished (guarded by lock) */
  size_t failed_task;       /* lowest failing task, ntasks if none */
  vagap_error_t failed_err;
  pthread_mutex_t lock;
} run_state_t;

/* The next task; `finished`: the caller has finished one (counted for progress under the
   same lock). */
static size_t take_task(run_state_t *st, int finished) {
  pthread_mutex_lock(&st->lock);
  if (finished && st->plan->progress)
    st->plan->progress(++st->done, st->ntasks - st->first, st->plan->progress_ctx);
  /* tasks beyond a failure need not run; earlier ones must, to find the first failure */
  size_t t = st->next < st->failed_task ? st->next++ : st->ntasks;
  pthread_mutex_unlock(&st->lock);
  return t;
}

static void record_failure(run_state_t *st, size_t task, const vagap_error_t *e) {
  pthread_mutex_lock(&st->lock);
  if (task < st->failed_task) {
    st->failed_task = task;
    st->failed_err = *e;
  }
  pthread_mutex_unlock(&st->lock);
}

static void *worker(void *arg) {
  run_state_t *st = arg;
  const vagap_sim_plan_t *p = st->plan;
  uint64_t nrep = p->rep_to - p->rep_from + 1;
  vagap_error_t e;
  gsl_rng *rng = gsl_rng_alloc(vagap_sim_rng_type());
  void *ws = p->ws_alloc ? p->ws_alloc(p->ctx) : NULL;
  if (!rng || (p->ws_alloc && !ws)) {
    vagap_error_set(&e, VAGAP_ENOMEM, NULL, 0, 0, "out of memory for a simulation workspace");
    record_failure(st, st->first, &e);
  } else {
    size_t t;
    int finished = 0;
    while ((t = take_task(st, finished)) < st->ntasks) {
      size_t cond = (size_t)(t / nrep) + 1;
      uint64_t rep = p->rep_from + t % nrep;
      vagap_sim_rng_seed(rng, p->seed, cond, rep);
      vagap_error_clear(&e);
      vagap_status_t s =
          p->replicate(p->ctx, ws, cond, rep, rng, st->out + (t - st->first) * p->nout, &e);
      if (s != VAGAP_OK) record_failure(st, t, &e);
      finished = 1;
    }
  }
  if (ws && p->ws_free) p->ws_free(ws);
  gsl_rng_free(rng);
  return NULL;
}

size_t vagap_sim_ntasks(const vagap_sim_plan_t *plan) {
  if (plan->ncond == 0 || plan->rep_from < 1 || plan->rep_to < plan->rep_from) return 0;
  return plan->ncond * (size_t)(plan->rep_to - plan->rep_from + 1);
}

static unsigned thread_count(unsigned asked, size_t ntasks) {
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  unsigned n = asked ? asked : (cores > 0 ? (unsigned)cores : 1);
  if (n > ntasks) n = ntasks ? (unsigned)ntasks : 1;
  return n;
}

vagap_status_t vagap_sim_run(const vagap_sim_plan_t *plan, double *out, size_t *failed_task,
                             vagap_error_t *err) {
  size_t all = vagap_sim_ntasks(plan);
  if (failed_task) *failed_task = all;
  if (all == 0)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "a simulation needs at least one condition and replications FROM:TO "
                           "with 1 <= FROM <= TO");
  run_state_t st = {.plan = plan, .out = out};
  st.first = plan->task_to ? plan->task_from : 0;
  st.ntasks = plan->task_to ? plan->task_to : all;
  if (st.ntasks > all || st.first > st.ntasks)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "tasks %zu..%zu of %zu", st.first,
                           st.ntasks, all);
  st.next = st.first;
  st.failed_task = st.ntasks;
  pthread_mutex_init(&st.lock, NULL);
  unsigned n = thread_count(plan->threads, st.ntasks - st.first);
  pthread_t *tid = calloc(n, sizeof *tid);
  if (!tid) {
    pthread_mutex_destroy(&st.lock);
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory for %u threads", n);
  }
  unsigned started = 0;
  for (; started + 1 < n; started++)
    if (pthread_create(&tid[started], NULL, worker, &st) != 0) break;
  worker(&st); /* the calling thread works too */
  for (unsigned i = 0; i < started; i++) pthread_join(tid[i], NULL);
  free(tid);
  pthread_mutex_destroy(&st.lock);
  if (st.failed_task < st.ntasks) {
    if (failed_task) *failed_task = st.failed_task;
    if (err) *err = st.failed_err;
    return st.failed_err.status != VAGAP_OK ? st.failed_err.status : VAGAP_ENUMERIC;
  }
  return VAGAP_OK;
}

/* ---- multivariate normal ------------------------------------------------------ */

vagap_status_t vagap_sim_cholesky(const double *sigma, size_t p, double *chol,
                                  vagap_error_t *err) {
  memcpy(chol, sigma, p * p * sizeof *chol);
  gsl_matrix_view L = gsl_matrix_view_array(chol, p, p);
  if (gsl_linalg_cholesky_decomp1(&L.matrix) != GSL_SUCCESS)
    return vagap_error_set(err, VAGAP_EDOMAIN, NULL, 0, 0,
                           "the population covariance matrix is not positive definite");
  for (size_t i = 0; i < p; i++) /* keep only the lower factor */
    for (size_t j = i + 1; j < p; j++) chol[i * p + j] = 0.0;
  return VAGAP_OK;
}

void vagap_sim_mvnorm(gsl_rng *rng, size_t n, size_t p, const double *mu, const double *chol,
                      double *x) {
  gsl_matrix_const_view L = gsl_matrix_const_view_array(chol, p, p);
  gsl_vector_const_view m = gsl_vector_const_view_array(mu, p);
  /* Ziggurat normals: gsl_ran_multivariate_gaussian draws Box-Muller-polar ones (a log and
     a rejection loop per pair), which made up most of a power replication's data cost */
  for (size_t i = 0; i < n; i++) {
    gsl_vector_view xi = gsl_vector_view_array(x + i * p, p);
    for (size_t j = 0; j < p; j++) x[i * p + j] = gsl_ran_gaussian_ziggurat(rng, 1.0);
    gsl_blas_dtrmv(CblasLower, CblasNoTrans, CblasNonUnit, &L.matrix, &xi.vector);
    gsl_vector_add(&xi.vector, &m.vector);
  }
}
