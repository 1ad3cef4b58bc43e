/*
 * polychoric.c - first stage of categorical SEM, as lavaan 0.6's muthen1984
 * (lav_samplestats_step1/step2, lav_uvord.R, lav_bvord.R, lav_muthen1984.R):
 *   1. thresholds of each ordinal variable: probit ML without covariates,
 *      i.e. tau_k = Phi^-1(cumulative proportion k);
 *   2. the polychoric correlation of each pair: the bivariate normal ML of
 *      rho given both variables' thresholds (Olsson 1979's two-step
 *      estimator), maximised with NLopt in [-0.999, 0.999] as lavaan bounds it;
 *   3. their asymptotic covariance (Muthén 1984; Muthén & Satorra 1995):
 *      the sandwich B^-1 (sum_i s_i s_i') B^-T of the casewise scores s_i of
 *      the stacked estimating equations, with lavaan's bread B =
 *      [A11 0; A21 A22] (A11: per-variable outer products of the threshold
 *      scores, A21: cross products of the correlation scores with the
 *      threshold scores, A22: diagonal of the correlation scores' squares).
 *      We form z_i = B^-1 s_i (the influence function) and Gamma = n Z'Z,
 *      which is lavaan's NACOV = WLS.W * n.
 * The bivariate normal CDF is Genz's (2004) BVND, the algorithm behind R's
 * pbivnorm that lavaan calls, on GSL's Gauss-Legendre nodes and normal CDF.
 */
#include "polychoric.h"

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <nlopt.h>

/* ---- bivariate normal --------------------------------------------------------- */

/* Genz's three Gauss-Legendre rules (6, 12, 20 points on [-1, 1]). */
static const size_t gl_size[3] = {6, 12, 20};
static double gl_x[3][20], gl_w[3][20];
static pthread_once_t gl_once = PTHREAD_ONCE_INIT;

static void gl_init(void) {
  for (int r = 0; r < 3; r++) {
    gsl_integration_glfixed_table *t = gsl_integration_glfixed_table_alloc(gl_size[r]);
    for (size_t i = 0; t && i < gl_size[r]; i++)
      gsl_integration_glfixed_point(-1, 1, i, &gl_x[r][i], &gl_w[r][i], t);
    gsl_integration_glfixed_table_free(t);
  }
}

/* P(X > h, Y > k), finite h and k (Genz 2004, BVND). */
static double bvn_upper(double h, double k, double r) {
  pthread_once(&gl_once, gl_init);
  int rule = fabs(r) < 0.3 ? 0 : fabs(r) < 0.75 ? 1 : 2;
  size_t n = gl_size[rule];
  const double *x = gl_x[rule], *w = gl_w[rule];
  double hk = h * k, bvn = 0;
  if (fabs(r) < 0.925) {
    double hs = (h * h + k * k) / 2, asr = asin(r);
    for (size_t i = 0; i < n; i++) {
      double sn = sin(asr * (x[i] + 1) / 2);
      bvn += w[i] * exp((sn * hk - hs) / (1 - sn * sn));
    }
    return bvn * asr / (4 * M_PI) + gsl_cdf_ugaussian_P(-h) * gsl_cdf_ugaussian_P(-k);
  }
  if (r < 0) {
    k = -k;
    hk = -hk;
  }
  if (fabs(r) < 1) {
    double as = (1 - r) * (1 + r), a = sqrt(as), bs = (h - k) * (h - k);
    double c = (4 - hk) / 8, d = (12 - hk) / 16;
    bvn = a * exp(-(bs / as + hk) / 2) * (1 - c * (bs - as) * (1 - d * bs / 5) / 3 + c * d * as * as / 5);
    if (hk > -160) {
      double b = sqrt(bs);
      bvn -= exp(-hk / 2) * sqrt(2 * M_PI) * gsl_cdf_ugaussian_P(-b / a) * b *
             (1 - c * bs * (1 - d * bs / 5) / 3);
    }
    a /= 2;
    for (size_t i = 0; i < n; i++) {
      double xs = a * (x[i] + 1);
      xs *= xs;
      double rs = sqrt(1 - xs), e = -(bs / xs + hk) / 2;
      if (e > -100)
        bvn += a * w[i] * exp(e) * (exp(-hk * xs / (2 * (1 + rs) * (1 + rs))) / rs - (1 + c * xs * (1 + d * xs)));
    }
    bvn = -bvn / (2 * M_PI);
  }
  if (r > 0) return bvn + gsl_cdf_ugaussian_P(-fmax(h, k));
  return -bvn + fmax(0, gsl_cdf_ugaussian_P(-h) - gsl_cdf_ugaussian_P(-k));
}

double poly_bvn_cdf(double h, double k, double r) {
  if (h == -INFINITY || k == -INFINITY) return 0;
  if (h == INFINITY) return gsl_cdf_ugaussian_P(k);
  if (k == INFINITY) return gsl_cdf_ugaussian_P(h);
  return bvn_upper(-h, -k, r);
}

double poly_bvn_pdf(double h, double k, double r) {
  if (!isfinite(h) || !isfinite(k)) return 0;
  double s = 1 - r * r;
  return exp(-(h * h - 2 * r * h * k + k * k) / (2 * s)) / (2 * M_PI * sqrt(s));
}

/* ---- one pair ------------------------------------------------------------------ */

/* lavaan drops a cell probability below eps^(2/3) from the likelihood and the scores */
#define PI_TINY 3.666852862501036e-11 /* DBL_EPSILON^(2/3) */

typedef struct {
  int R, C;              /* categories of y1 (the earlier variable) and y2 */
  const double *t1, *t2; /* thresholds (R - 1 and C - 1) */
  const double *freq;    /* R x C table */
  double *pi, *phi;      /* R x C work */
} pair_t;

/* threshold a of a variable with thresholds t[0..ncat-2]: -inf below, +inf above */
static double thr(const double *t, int ncat, int a) {
  return a <= 0 ? -INFINITY : a >= ncat ? INFINITY : t[a - 1];
}

/* cell probabilities pi (clamped at PI_TINY as lavaan's) and, when phi, d pi / d rho,
   by differencing the CDF (density) on the (R+1) x (C+1) grid of thresholds */
static void pair_cells(pair_t *pr, double rho, int want_phi) {
  int R = pr->R, C = pr->C;
  double cdf[(R + 1) * (C + 1)], pdf[(R + 1) * (C + 1)];
  for (int a = 0; a <= R; a++)
    for (int b = 0; b <= C; b++) {
      double h = thr(pr->t1, R, a), k = thr(pr->t2, C, b);
      cdf[a * (C + 1) + b] = rho == 0 ? (a == 0 || b == 0 ? 0 : gsl_cdf_ugaussian_P(h) * gsl_cdf_ugaussian_P(k))
                                      : poly_bvn_cdf(h, k, rho);
      if (want_phi) pdf[a * (C + 1) + b] = poly_bvn_pdf(h, k, rho);
    }
#define CORNERS(M, a, b) \
  (M[((a) + 1) * (C + 1) + (b) + 1] - M[(a) * (C + 1) + (b) + 1] - M[((a) + 1) * (C + 1) + (b)] + M[(a) * (C + 1) + (b)])
  for (int a = 0; a < R; a++)
    for (int b = 0; b < C; b++) {
      double p = CORNERS(cdf, a, b);
      pr->pi[a * C + b] = p < PI_TINY ? PI_TINY : p;
      if (want_phi) pr->phi[a * C + b] = CORNERS(pdf, a, b);
    }
#undef CORNERS
}

/* the bivariate log-likelihood sum f log pi and its derivative in rho (NLopt's objective) */
static double pair_loglik(unsigned nx, const double *x, double *grad, void *data) {
  (void)nx;
  pair_t *pr = data;
  pair_cells(pr, x[0], grad != NULL);
  double ll = 0, g = 0;
  for (int c = 0; c < pr->R * pr->C; c++) {
    if (pr->freq[c] == 0) continue;
    ll += pr->freq[c] * log(pr->pi[c]);
    if (grad && pr->pi[c] > PI_TINY) g += pr->freq[c] * pr->phi[c] / pr->pi[c];
  }
  if (grad) grad[0] = g;
  return ll;
}

/* lavaan's special 2 x 2 rules (lav_bvord_cor_twostep_fit): a single empty cell
   gets 0.5 moved in keeping the margins; independence gives 0; 1 when done */
static int pair_2x2(pair_t *pr, double *f, double *rho) {
  int zeros = 0, zi = -1;
  for (int c = 0; c < 4; c++)
    if (f[c] == 0) zeros++, zi = c;
  if (zeros == 2) {
    *rho = f[0] > 0 ? 1.0 : -1.0;
    return 1;
  }
  if (zeros == 1) {
    double s = (zi == 0 || zi == 3) ? 0.5 : -0.5; /* main diagonal (row-major 0 and 3) */
    f[0] += s, f[3] += s, f[1] -= s, f[2] -= s;
  }
  if (f[0] * f[3] == f[1] * f[2]) {
    *rho = 0;
    return 1;
  }
  if (pr->t1[0] == 0 && pr->t2[0] == 0) {
    *rho = -cos(2 * M_PI * f[0] / (f[0] + f[1] + f[2] + f[3]));
    return 1;
  }
  return 0;
}

/* ---- the group ------------------------------------------------------------------- */

typedef struct {
  const int *y;
  size_t n, p;
  const int *ncat;
  poly_stage1_t *s;
  size_t *pair_j, *pair_i; /* pair k = (i, j), i > j */
  double *sc_cor;          /* n x npair */
  double *a21;             /* npair x nth */
  double *a22;             /* npair */
  int want_gamma;
  size_t next;             /* next pair to take */
  pthread_mutex_t lock;
  int failed;              /* 1: out of memory, 2: NLopt failure */
  size_t failed_pair;
} stage_shared_t;

/* Fit the polychoric correlation of pair k and, if asked, its casewise
   scores (d log L_i / d rho and d / d thresholds of both variables). */
static int pair_work(stage_shared_t *sh, size_t k) {
  poly_stage1_t *s = sh->s;
  size_t j = sh->pair_j[k], i = sh->pair_i[k], p = sh->p, n = sh->n;
  int R = sh->ncat[j], C = sh->ncat[i];
  double *freq = calloc((size_t)(R * C) * 3, sizeof *freq);
  if (!freq) return 1;
  pair_t pr = {R, C, s->th + s->th_start[j], s->th + s->th_start[i], freq, freq + R * C, freq + 2 * R * C};
  double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, m = 0;
  for (size_t r = 0; r < n; r++) {
    int a = sh->y[r * p + j], b = sh->y[r * p + i];
    if (!a || !b) continue;
    freq[(a - 1) * C + (b - 1)] += 1;
    sx += a, sy += b, sxx += (double)a * a, syy += (double)b * b, sxy += (double)a * b, m += 1;
  }
  double rho = 0, vx = sxx - sx * sx / m, vy = syy - sy * sy / m;
  int done = R == 2 && C == 2 && pair_2x2(&pr, freq, &rho);
  if (!done) {
    double start = vx > 0 && vy > 0 ? (sxy - sx * sy / m) / sqrt(vx * vy) : 0;
    if (!isfinite(start) || fabs(start) >= 0.999) start = 0;
    nlopt_opt opt = nlopt_create(NLOPT_LD_LBFGS, 1);
    if (!opt) {
      free(freq);
      return 1;
    }
    double lo = -0.999, hi = 0.999, fmax_ = 0;
    nlopt_set_lower_bounds(opt, &lo);
    nlopt_set_upper_bounds(opt, &hi);
    nlopt_set_max_objective(opt, pair_loglik, &pr);
    nlopt_set_xtol_abs1(opt, 1e-13);
    nlopt_set_ftol_rel(opt, 1e-15);
    nlopt_set_maxeval(opt, 1000);
    rho = start;
    nlopt_result res = nlopt_optimize(opt, &rho, &fmax_);
    nlopt_destroy(opt);
    if (res < 0 && res != NLOPT_ROUNDOFF_LIMITED) {
      free(freq);
      return 2;
    }
  }
  s->rho[k] = rho;
  if (sh->want_gamma) {
    pair_cells(&pr, rho, 1);
    double rr = sqrt(1 - rho * rho), a22 = 0;
    double *a21 = sh->a21 + k * s->nth;
    size_t o1 = s->th_start[j], o2 = s->th_start[i];
    for (size_t r = 0; r < n; r++) {
      int a = sh->y[r * p + j], b = sh->y[r * p + i];
      double sc = 0;
      if (a && b && pr.pi[(a - 1) * C + (b - 1)] > PI_TINY) {
        double lik = pr.pi[(a - 1) * C + (b - 1)];
        sc = pr.phi[(a - 1) * C + (b - 1)] / lik;
        /* lavaan's z1/z2: the category's upper and lower thresholds, +-100 at the ends */
        double u1 = a < R ? pr.t1[a - 1] : 100, l1 = a > 1 ? pr.t1[a - 2] : -100;
        double u2 = b < C ? pr.t2[b - 1] : 100, l2 = b > 1 ? pr.t2[b - 2] : -100;
        double y1u = gsl_ran_ugaussian_pdf(u1) * (gsl_cdf_ugaussian_P((u2 - rho * u1) / rr) -
                                                 gsl_cdf_ugaussian_P((l2 - rho * u1) / rr));
        double y1l = gsl_ran_ugaussian_pdf(l1) * (gsl_cdf_ugaussian_P((u2 - rho * l1) / rr) -
                                                 gsl_cdf_ugaussian_P((l2 - rho * l1) / rr));
        double y2u = gsl_ran_ugaussian_pdf(u2) * (gsl_cdf_ugaussian_P((u1 - rho * u2) / rr) -
                                                 gsl_cdf_ugaussian_P((l1 - rho * u2) / rr));
        double y2l = gsl_ran_ugaussian_pdf(l2) * (gsl_cdf_ugaussian_P((u1 - rho * l2) / rr) -
                                                 gsl_cdf_ugaussian_P((l1 - rho * l2) / rr));
        if (a < R) a21[o1 + a - 1] += sc * y1u / lik;
        if (a > 1) a21[o1 + a - 2] -= sc * y1l / lik;
        if (b < C) a21[o2 + b - 1] += sc * y2u / lik;
        if (b > 1) a21[o2 + b - 2] -= sc * y2l / lik;
      }
      sh->sc_cor[r * s->npair + k] = sc;
      a22 += sc * sc;
    }
    sh->a22[k] = a22;
  }
  free(freq);
  return 0;
}

static void *stage_worker(void *arg) {
  stage_shared_t *sh = arg;
  for (;;) {
    pthread_mutex_lock(&sh->lock);
    size_t k = sh->next++;
    int stop = sh->failed || k >= sh->s->npair;
    pthread_mutex_unlock(&sh->lock);
    if (stop) return NULL;
    int rc = pair_work(sh, k);
    if (rc) {
      pthread_mutex_lock(&sh->lock);
      if (!sh->failed) sh->failed = rc, sh->failed_pair = k;
      pthread_mutex_unlock(&sh->lock);
    }
  }
}

void poly_stage1_free(poly_stage1_t *s) {
  if (!s) return;
  free(s->th_start);
  free(s->th);
  free(s->rho);
  free(s->gamma);
  free(s->nobs_var);
  memset(s, 0, sizeof *s);
}

/* thresholds of variable i: Phi^-1 of the cumulative proportions */
static vagap_status_t thresholds(poly_stage1_t *s, const int *y, size_t n, size_t p, size_t i, int ncat,
                                 const char *name, const char *group, vagap_error_t *err) {
  double *cnt = calloc((size_t)ncat, sizeof *cnt);
  if (!cnt) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  double tot = 0;
  for (size_t r = 0; r < n; r++) {
    int a = y[r * p + i];
    if (a) cnt[a - 1] += 1, tot += 1;
  }
  s->nobs_var[i] = (size_t)tot;
  int seen = 0, last = 0;
  for (int c = 0; c < ncat; c++)
    if (cnt[c] > 0) seen++, last = c + 1;
  if (seen <= 1) {
    free(cnt);
    if (!seen)
      return vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0, "ordinal variable '%s' has no answers in group '%s'",
                             name, group);
    return vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0,
                           "ordinal variable '%s' is constant in group '%s' (every answer is category %d of %d)",
                           name, group, last, ncat);
  }
  for (int c = 0; c < ncat; c++)
    if (cnt[c] == 0) {
      free(cnt);
      return vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0,
                             "ordinal variable '%s' has no answer in category %d of %d in group '%s' "
                             "(every category must be observed in every group)",
                             name, c + 1, ncat, group);
    }
  double cum = 0;
  for (int c = 0; c + 1 < ncat; c++) {
    cum += cnt[c];
    s->th[s->th_start[i] + (size_t)c] = gsl_cdf_ugaussian_Pinv(cum / tot);
  }
  free(cnt);
  return VAGAP_OK;
}

/* casewise threshold scores of row r for variable i into sc (its ncat - 1 slots) */
static void threshold_scores(const poly_stage1_t *s, int a, size_t i, int ncat, double *sc) {
  const double *t = s->th + s->th_start[i];
  for (int c = 0; c + 1 < ncat; c++) sc[c] = 0;
  if (!a) return;
  double u = a < ncat ? t[a - 1] : 100, l = a > 1 ? t[a - 2] : -100;
  double pa = gsl_cdf_ugaussian_P(u) - gsl_cdf_ugaussian_P(l);
  if (l > 1) pa = gsl_cdf_ugaussian_Q(l) - gsl_cdf_ugaussian_Q(u);
  if (a < ncat) sc[a - 1] += gsl_ran_ugaussian_pdf(u) / pa;
  if (a > 1) sc[a - 2] -= gsl_ran_ugaussian_pdf(l) / pa;
}

/* Gamma = n Z'Z with z = B^-1 s per row (see the top of the file). */
static vagap_status_t asymptotic_cov(stage_shared_t *sh, vagap_error_t *err) {
  poly_stage1_t *s = sh->s;
  size_t n = sh->n, p = sh->p, nth = s->nth, np = s->npair, m = nth + np;
  gsl_matrix *Z = gsl_matrix_calloc(n ? n : 1, m);
  gsl_matrix *A = gsl_matrix_alloc(nth ? nth : 1, nth ? nth : 1);
  double *sc = malloc((nth ? nth : 1) * sizeof *sc);
  vagap_status_t st = VAGAP_OK;
  if (!Z || !A || !sc) {
    st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    goto done;
  }
  /* threshold scores into Z's first nth columns, A11 blocks per variable */
  gsl_matrix_set_zero(A);
  for (size_t r = 0; r < n; r++) {
    for (size_t i = 0; i < p; i++) {
      size_t o = s->th_start[i], k = s->th_start[i + 1] - o;
      threshold_scores(s, sh->y[r * p + i], i, sh->ncat[i], sc + o);
      for (size_t a = 0; a < k; a++)
        for (size_t b = 0; b < k; b++) *gsl_matrix_ptr(A, o + a, o + b) += sc[o + a] * sc[o + b];
    }
    for (size_t c = 0; c < nth; c++) gsl_matrix_set(Z, r, c, sc[c]);
  }
  /* z_th = A11^-1 s_th, block by block */
  for (size_t i = 0; i < p; i++) {
    size_t o = s->th_start[i], k = s->th_start[i + 1] - o;
    gsl_matrix_view Ai = gsl_matrix_submatrix(A, o, o, k, k);
    if (gsl_linalg_cholesky_decomp1(&Ai.matrix) != GSL_SUCCESS) {
      st = vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0,
                           "the threshold information of an ordinal variable is singular");
      goto done;
    }
    for (size_t r = 0; r < n; r++) {
      gsl_vector_view zr = gsl_matrix_subrow(Z, r, o, k);
      gsl_linalg_cholesky_svx(&Ai.matrix, &zr.vector);
    }
  }
  /* z_cor = (s_cor - A21 z_th) / A22 */
  for (size_t r = 0; r < n; r++) {
    double *zr = gsl_matrix_ptr(Z, r, 0);
    for (size_t k = 0; k < np; k++) {
      const double *a21 = sh->a21 + k * nth;
      size_t i = sh->pair_i[k], j = sh->pair_j[k];
      double v = sh->sc_cor[r * np + k];
      for (size_t c = s->th_start[j]; c < s->th_start[j + 1]; c++) v -= a21[c] * zr[c];
      for (size_t c = s->th_start[i]; c < s->th_start[i + 1]; c++) v -= a21[c] * zr[c];
      zr[nth + k] = sh->a22[k] > 0 ? v / sh->a22[k] : 0;
    }
  }
  s->gamma = malloc(m * m * sizeof *s->gamma);
  if (!s->gamma) {
    st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    goto done;
  }
  gsl_matrix_view G = gsl_matrix_view_array(s->gamma, m, m);
  gsl_blas_dsyrk(CblasLower, CblasTrans, (double)n, Z, 0.0, &G.matrix);
  for (size_t a = 0; a < m; a++)
    for (size_t b = 0; b < a; b++) s->gamma[b * m + a] = s->gamma[a * m + b];
done:
  gsl_matrix_free(Z);
  gsl_matrix_free(A);
  free(sc);
  return st;
}

static unsigned thread_count(unsigned asked, size_t work) {
  unsigned t = asked;
  if (!t) {
    long c = sysconf(_SC_NPROCESSORS_ONLN);
    t = c > 0 ? (unsigned)c : 1;
  }
  if (t > work) t = (unsigned)work;
  return t ? t : 1;
}

vagap_status_t poly_stage1(poly_stage1_t *s, const int *y, size_t n, size_t p, const int *ncat,
                           int want_gamma, unsigned nthreads, const char *const *names,
                           const char *group, vagap_error_t *err) {
  memset(s, 0, sizeof *s);
  s->p = p;
  s->n = n;
  s->npair = p * (p - 1) / 2;
  s->th_start = malloc((p + 1) * sizeof *s->th_start);
  s->nobs_var = calloc(p ? p : 1, sizeof *s->nobs_var);
  if (!s->th_start || !s->nobs_var) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  s->th_start[0] = 0;
  for (size_t i = 0; i < p; i++) s->th_start[i + 1] = s->th_start[i] + (size_t)(ncat[i] - 1);
  s->nth = s->th_start[p];
  s->th = malloc((s->nth ? s->nth : 1) * sizeof *s->th);
  s->rho = malloc((s->npair ? s->npair : 1) * sizeof *s->rho);
  stage_shared_t sh = {.y = y, .n = n, .p = p, .ncat = ncat, .s = s, .want_gamma = want_gamma};
  sh.pair_i = malloc((s->npair ? s->npair : 1) * sizeof *sh.pair_i);
  sh.pair_j = malloc((s->npair ? s->npair : 1) * sizeof *sh.pair_j);
  if (want_gamma) {
    sh.sc_cor = calloc((n ? n : 1) * (s->npair ? s->npair : 1), sizeof *sh.sc_cor);
    sh.a21 = calloc((s->npair ? s->npair : 1) * (s->nth ? s->nth : 1), sizeof *sh.a21);
    sh.a22 = calloc(s->npair ? s->npair : 1, sizeof *sh.a22);
  }
  vagap_status_t st = VAGAP_OK;
  if (!s->th || !s->rho || !sh.pair_i || !sh.pair_j || (want_gamma && (!sh.sc_cor || !sh.a21 || !sh.a22))) {
    st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < p && !st; i++) st = thresholds(s, y, n, p, i, ncat[i], names[i], group, err);
  if (st) goto done;
  size_t k = 0;
  for (size_t j = 0; j + 1 < p; j++) /* lavaan's vech order: column j, rows i > j */
    for (size_t i = j + 1; i < p; i++) sh.pair_j[k] = j, sh.pair_i[k] = i, k++;
  pthread_mutex_init(&sh.lock, NULL);
  unsigned T = thread_count(nthreads, s->npair), started = 0;
  pthread_t tid[64];
  if (T > 64) T = 64;
  for (unsigned t = 1; t < T; t++)
    if (pthread_create(&tid[started], NULL, stage_worker, &sh) == 0) started++;
  stage_worker(&sh); /* this thread works too */
  for (unsigned t = 0; t < started; t++) pthread_join(tid[t], NULL);
  pthread_mutex_destroy(&sh.lock);
  if (sh.failed == 1) st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  else if (sh.failed)
    st = vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0,
                         "the polychoric correlation of '%s' and '%s' in group '%s' could not be estimated",
                         names[sh.pair_j[sh.failed_pair]], names[sh.pair_i[sh.failed_pair]], group);
  if (!st && want_gamma) st = asymptotic_cov(&sh, err);
done:
  free(sh.pair_i);
  free(sh.pair_j);
  free(sh.sc_cor);
  free(sh.a21);
  free(sh.a22);
  if (st) poly_stage1_free(s);
  return st;
}
