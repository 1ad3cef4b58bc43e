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
  const double *x;         /* numeric columns (NAN missing) */
  size_t n, p;
  const int *ncat;
  poly_stage1_t *s;
  unsigned nthreads;       /* 0: all cores */
  size_t nuni;             /* univariate parameters: nth + nnum */
  size_t *pair_j, *pair_i; /* pair k = (i, j), i > j */
  double *sc_cor;          /* n x npair */
  double *a21;             /* npair x nuni */
  double *a22;             /* npair */
  int want_gamma;
  size_t next;             /* next pair to take */
  pthread_mutex_t lock;
  int failed;              /* 1: out of memory, 2: NLopt failure */
  size_t failed_pair;
} stage_shared_t;

/* ---- pairs with a numeric variable: Pearson and polyserial (lav_bvreg.R, lav_bvmix.R) ---- */

typedef struct {
  size_t m;          /* rows where both are observed */
  const double *z1;  /* the numeric variable standardised by its (univariate) mean and SD */
  const double *z2;  /* Pearson: the other one, standardised */
  const int *b;      /* polyserial: the ordinal variable's category */
  const double *t;   /* its thresholds */
  int C;
} mix_t;

/* log L(rho) of the standardised pairs given the marginals (constants dropped) */
static double pearson_loglik(unsigned nx, const double *x, double *grad, void *data) {
  (void)nx;
  const mix_t *mx = data;
  double rho = x[0], r = 1 - rho * rho, ll = 0, g = 0;
  for (size_t q = 0; q < mx->m; q++) {
    double a = mx->z1[q], b = mx->z2[q], zq = a * a - 2 * rho * a * b + b * b;
    ll += -0.5 * log(r) - zq / (2 * r);
    g += rho / r + (a * b / r - zq * rho / (r * r));
  }
  if (grad) grad[0] = g;
  return ll;
}

/* the category's upper and lower thresholds, +-100 at the ends (lavaan's z1/z2) */
static void cat_bounds(const double *t, int C, int b, double *u, double *l) {
  *u = b < C ? t[b - 1] : 100;
  *l = b > 1 ? t[b - 2] : -100;
}

/* log L(rho) of the polyserial pairs: sum log P(category | numeric), lavaan's clamp at eps */
static double polyserial_loglik(unsigned nx, const double *x, double *grad, void *data) {
  (void)nx;
  const mix_t *mx = data;
  double rho = x[0], r = sqrt(1 - rho * rho), ll = 0, g = 0;
  for (size_t q = 0; q < mx->m; q++) {
    double u, l, z = mx->z1[q];
    cat_bounds(mx->t, mx->C, mx->b[q], &u, &l);
    double au = (u - rho * z) / r, al = (l - rho * z) / r;
    double py = gsl_cdf_ugaussian_P(au) - gsl_cdf_ugaussian_P(al);
    if (py < DBL_EPSILON) py = DBL_EPSILON;
    ll += log(py);
    g += (gsl_ran_ugaussian_pdf(au) * (u * rho - z) - gsl_ran_ugaussian_pdf(al) * (l * rho - z)) / (py * r * r * r);
  }
  if (grad) grad[0] = g;
  return ll;
}

static int maximise_rho(nlopt_func f, void *data, double bound, double *rho) {
  nlopt_opt opt = nlopt_create(NLOPT_LD_LBFGS, 1);
  if (!opt) return 1;
  double lo = -bound, hi = bound, fmax_ = 0;
  nlopt_set_lower_bounds(opt, &lo);
  nlopt_set_upper_bounds(opt, &hi);
  nlopt_set_max_objective(opt, f, data);
  nlopt_set_xtol_abs1(opt, 1e-13);
  nlopt_set_ftol_rel(opt, 1e-15);
  nlopt_set_maxeval(opt, 1000);
  if (!(fabs(*rho) < bound)) *rho = 0;
  nlopt_result res = nlopt_optimize(opt, rho, &fmax_);
  nlopt_destroy(opt);
  return res < 0 && res != NLOPT_ROUNDOFF_LIMITED ? 2 : 0;
}

/* A Pearson (both numeric) or polyserial pair k and, if asked, its scores. */
static int pair_work_numeric(stage_shared_t *sh, size_t k) {
  poly_stage1_t *s = sh->s;
  size_t j = sh->pair_j[k], i = sh->pair_i[k], p = sh->p, n = sh->n;
  int pearson = !sh->ncat[i] && !sh->ncat[j];
  size_t v1 = pearson ? i : (sh->ncat[i] ? j : i), v2 = v1 == i ? j : i; /* v1 numeric */
  double mu1 = s->th[s->th_start[v1]], sd1 = sqrt(s->var[v1]);
  double mu2 = pearson ? s->th[s->th_start[v2]] : 0, sd2 = pearson ? sqrt(s->var[v2]) : 1;
  double *z1 = malloc((n ? n : 1) * 2 * sizeof *z1);
  int *b = malloc((n ? n : 1) * sizeof *b);
  if (!z1 || !b) { free(z1); free(b); return 1; }
  mix_t mx = {0, z1, z1 + n, b, s->th + s->th_start[v2], sh->ncat[v2]};
  size_t missing = 0;
  double s12 = 0, s1 = 0, s2 = 0, s11 = 0, s22 = 0;
  for (size_t r = 0; r < n; r++) {
    double x1 = sh->x[r * p + v1];
    int c2 = pearson ? 0 : sh->y[r * p + v2];
    double x2 = pearson ? sh->x[r * p + v2] : (double)c2;
    if (isnan(x1) || (pearson ? isnan(x2) : !c2)) { missing++; continue; }
    z1[mx.m] = (x1 - mu1) / sd1;
    if (pearson) z1[n + mx.m] = (x2 - mu2) / sd2;
    else b[mx.m] = c2;
    s1 += x1, s2 += x2, s11 += x1 * x1, s22 += x2 * x2, s12 += x1 * x2;
    mx.m++;
  }
  double mm = (double)mx.m, cov = s12 - s1 * s2 / mm, v11 = s11 - s1 * s1 / mm, v22 = s22 - s2 * s2 / mm;
  double rho = cov / sqrt(v11 * v22); /* Pearson's r: lavaan's value with complete pairs */
  if (!isfinite(rho) || fabs(rho) >= 1) rho = 0;
  int rc = 0;
  if (pearson && missing) {
    rc = maximise_rho(pearson_loglik, &mx, 0.999, &rho);
  } else if (!pearson) { /* lavaan's start: cor * sd(category) / sum dnorm(thresholds) */
    double dn = 0;
    for (int c = 0; c + 1 < mx.C; c++) dn += gsl_ran_ugaussian_pdf(mx.t[c]);
    double st = rho * sqrt(v22 / mm) / dn;
    if (fabs(st) > 0.9) st /= 2;
    rho = isfinite(st) ? st : 0;
    rc = maximise_rho(polyserial_loglik, &mx, 0.995, &rho);
  }
  if (rc) { free(z1); free(b); return rc; }
  s->rho[k] = rho;
  if (sh->want_gamma) {
    double *a21 = sh->a21 + k * sh->nuni, a22 = 0;
    size_t m1 = s->th_start[v1], var1 = s->nth + s->var_slot[v1];
    size_t m2 = s->th_start[v2], var2 = pearson ? s->nth + s->var_slot[v2] : 0;
    double ev1 = s->var[v1], ev2 = pearson ? s->var[v2] : 1, R = 1 - rho * rho, r = sqrt(R);
    for (size_t row = 0; row < n; row++) {
      double x1 = sh->x[row * p + v1], sc = 0;
      if (pearson) {
        double x2 = sh->x[row * p + v2];
        if (!isnan(x1) && !isnan(x2)) {
          double y1c = x1 - mu1, y2c = x2 - mu2, zq = y1c * y1c / ev1 - 2 * rho * y1c * y2c / (sd1 * sd2) + y2c * y2c / ev2;
          sc = rho / R + (y1c * y2c / (sd1 * sd2 * R) - zq * rho / (R * R));
          a21[m1] += sc * (2 * y1c / ev1 - 2 * rho * y2c / (sd1 * sd2)) / (2 * R);
          a21[m2] += sc * -(2 * rho * y1c / (sd1 * sd2) - 2 * y2c / ev2) / (2 * R);
          a21[var1] += sc * -(0.5 / ev1 - (y1c * y1c / (ev1 * ev1) - rho * y1c * y2c / (ev1 * sd1 * sd2)) / (2 * R));
          a21[var2] += sc * -(0.5 / ev2 + (rho * y1c * y2c / (ev2 * sd1 * sd2) - y2c * y2c / (ev2 * ev2)) / (2 * R));
        }
      } else {
        int c2 = sh->y[row * p + v2];
        if (!isnan(x1) && c2) {
          double u, l, z = (x1 - mu1) / sd1;
          cat_bounds(mx.t, mx.C, c2, &u, &l);
          double au = (u - rho * z) / r, al = (l - rho * z) / r;
          double py = gsl_cdf_ugaussian_P(au) - gsl_cdf_ugaussian_P(al);
          if (py < DBL_EPSILON) py = DBL_EPSILON;
          double pu = gsl_ran_ugaussian_pdf(au), pl = gsl_ran_ugaussian_pdf(al);
          sc = (pu * (u * rho - z) - pl * (l * rho - z)) / (py * R * r);
          a21[m1] += sc * (z + (rho / r) * (pu - pl) / py) / sd1;
          a21[var1] += sc * ((z * z - 1) + (rho * z / r) * (pu - pl) / py) / (2 * ev1);
          if (c2 < mx.C) a21[m2 + c2 - 1] += sc * pu / (r * py);
          if (c2 > 1) a21[m2 + c2 - 2] -= sc * pl / (r * py);
        }
      }
      sh->sc_cor[row * s->npair + k] = sc;
      a22 += sc * sc;
    }
    sh->a22[k] = a22;
  }
  free(z1);
  free(b);
  return 0;
}

/* Fit the polychoric correlation of pair k and, if asked, its casewise
   scores (d log L_i / d rho and d / d thresholds of both variables). */
static int pair_work(stage_shared_t *sh, size_t k) {
  poly_stage1_t *s = sh->s;
  size_t j = sh->pair_j[k], i = sh->pair_i[k], p = sh->p, n = sh->n;
  if (!sh->ncat[i] || !sh->ncat[j]) return pair_work_numeric(sh, k);
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
    double *a21 = sh->a21 + k * sh->nuni;
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
  free(s->var_slot);
  free(s->th);
  free(s->var);
  free(s->rho);
  free(s->obs);
  free(s->gamma);
  free(s->nobs_var);
  memset(s, 0, sizeof *s);
}

/* thresholds of ordinal variable i: Phi^-1 of the cumulative proportions */
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

/* mean and ML variance of numeric variable i (lavaan's lav_uvreg_fit without covariates) */
static vagap_status_t moments(poly_stage1_t *s, const double *x, size_t n, size_t p, size_t i, const char *name,
                              const char *group, vagap_error_t *err) {
  double sum = 0, m = 0;
  for (size_t r = 0; r < n; r++)
    if (!isnan(x[r * p + i])) sum += x[r * p + i], m += 1;
  double mu = sum / m, ss = 0;
  for (size_t r = 0; r < n; r++)
    if (!isnan(x[r * p + i])) ss += (x[r * p + i] - mu) * (x[r * p + i] - mu);
  s->nobs_var[i] = (size_t)m;
  if (!(m >= 2) || !(ss > 0))
    return vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0, "numeric variable '%s' is constant in group '%s'", name,
                           group);
  s->th[s->th_start[i]] = mu;
  s->var[i] = ss / m;
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

/* the univariate parameters of variable i: its threshold slots, and its variance slot if numeric */
static size_t uni_slots(const poly_stage1_t *s, size_t i, size_t *idx) {
  size_t k = 0;
  for (size_t c = s->th_start[i]; c < s->th_start[i + 1]; c++) idx[k++] = c;
  if (s->var_slot[i] != (size_t)-1) idx[k++] = s->nth + s->var_slot[i];
  return k;
}

/* n Z'Z (lower triangle) on row blocks in parallel threads: each thread's block
   product Z_b' Z_b with GSL's dsyrk into its own matrix, then the sum */
typedef struct {
  const gsl_matrix *Z;
  size_t r0, r1;
  gsl_matrix *out;
} syrk_part_t;

static void *syrk_worker(void *arg) {
  syrk_part_t *w = arg;
  if (w->r1 > w->r0) {
    gsl_matrix_const_view Zb = gsl_matrix_const_submatrix(w->Z, w->r0, 0, w->r1 - w->r0, w->Z->size2);
    gsl_blas_dsyrk(CblasLower, CblasTrans, 1.0, &Zb.matrix, 0.0, w->out);
  }
  return NULL;
}

static unsigned thread_count(unsigned asked, size_t work);

static int crossprod_parallel(const gsl_matrix *Z, double scale, gsl_matrix *G, unsigned nthreads) {
  size_t n = Z->size1, m = Z->size2;
  /* 64 rows a thread at least: a part costs rows x m^2 / 2 flops, its own m x m sum little */
  unsigned T = thread_count(nthreads, n / 64 ? n / 64 : 1);
  syrk_part_t part[64];
  pthread_t tid[64];
  if (T > 64) T = 64;
  for (unsigned t = 0; t < T; t++) {
    part[t].Z = Z;
    part[t].r0 = n * t / T;
    part[t].r1 = n * (t + 1) / T;
    part[t].out = t ? gsl_matrix_calloc(m, m) : G;
    if (!part[t].out) T = t;
  }
  unsigned started = 0;
  int joined[64] = {0};
  for (unsigned t = 1; t < T; t++)
    if (pthread_create(&tid[t], NULL, syrk_worker, &part[t]) == 0) joined[t] = 1, started++;
  syrk_worker(&part[0]);
  for (unsigned t = 1; t < T; t++) {
    if (joined[t]) pthread_join(tid[t], NULL);
    else syrk_worker(&part[t]); /* no thread: this one does it */
    gsl_matrix_add(G, part[t].out);
    gsl_matrix_free(part[t].out);
  }
  (void)started;
  gsl_matrix_scale(G, scale);
  return 0;
}

/* Gamma = n Z'Z with z = H B^-1 s per row (see the top of the file): the bread B
   inverted block by block, lavaan's delta rule H from correlations to the
   covariances of numeric variables, and the sign of numeric means flipped
   (WLS.obs holds -mean). */
static vagap_status_t asymptotic_cov(stage_shared_t *sh, vagap_error_t *err) {
  poly_stage1_t *s = sh->s;
  size_t n = sh->n, p = sh->p, nth = s->nth, nu = sh->nuni, np = s->npair, m = s->m;
  gsl_matrix *Z = gsl_matrix_calloc(n ? n : 1, m);
  gsl_matrix *A = gsl_matrix_calloc(nu ? nu : 1, nu ? nu : 1);
  size_t maxk = 2;
  for (size_t i = 0; i < p; i++)
    if (s->th_start[i + 1] - s->th_start[i] + 1 > maxk) maxk = s->th_start[i + 1] - s->th_start[i] + 1;
  gsl_matrix *blk = gsl_matrix_alloc(maxk, maxk);
  gsl_vector *v = gsl_vector_alloc(maxk);
  size_t *idx = malloc(3 * maxk * sizeof *idx), *ii = idx + maxk, *jj = idx + 2 * maxk;
  vagap_status_t st = VAGAP_OK;
  if (!Z || !A || !blk || !v || !idx) {
    st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    goto done;
  }
  /* univariate scores into Z's first nu columns; A11 blocks per variable */
  for (size_t r = 0; r < n; r++) {
    double *zr = gsl_matrix_ptr(Z, r, 0);
    for (size_t i = 0; i < p; i++) {
      if (sh->ncat[i]) {
        threshold_scores(s, sh->y[r * p + i], i, sh->ncat[i], zr + s->th_start[i]);
      } else {
        double xv = sh->x[r * p + i], d = xv - s->th[s->th_start[i]], ev = s->var[i];
        zr[s->th_start[i]] = isnan(xv) ? 0 : d / ev;
        zr[nth + s->var_slot[i]] = isnan(xv) ? 0 : -1 / (2 * ev) + d * d / (2 * ev * ev);
      }
      size_t k = uni_slots(s, i, idx);
      for (size_t a = 0; a < k; a++)
        for (size_t b = 0; b < k; b++) *gsl_matrix_ptr(A, idx[a], idx[b]) += zr[idx[a]] * zr[idx[b]];
    }
  }
  /* z_uni = A11^-1 s_uni, block by block */
  for (size_t i = 0; i < p; i++) {
    size_t k = uni_slots(s, i, idx);
    gsl_matrix_view Bk = gsl_matrix_submatrix(blk, 0, 0, k, k);
    for (size_t a = 0; a < k; a++)
      for (size_t b = 0; b < k; b++) gsl_matrix_set(&Bk.matrix, a, b, gsl_matrix_get(A, idx[a], idx[b]));
    if (gsl_linalg_cholesky_decomp1(&Bk.matrix) != GSL_SUCCESS) {
      st = vagap_error_set(err, VAGAP_ENUMERIC, NULL, 0, 0,
                           "the information of the univariate statistics of a variable is singular");
      goto done;
    }
    gsl_vector_view vk = gsl_vector_subvector(v, 0, k);
    for (size_t r = 0; r < n; r++) {
      double *zr = gsl_matrix_ptr(Z, r, 0);
      for (size_t a = 0; a < k; a++) gsl_vector_set(&vk.vector, a, zr[idx[a]]);
      gsl_linalg_cholesky_svx(&Bk.matrix, &vk.vector);
      for (size_t a = 0; a < k; a++) zr[idx[a]] = gsl_vector_get(&vk.vector, a);
    }
  }
  /* z_cor = (s_cor - A21 z_uni) / A22, then the delta rule to covariances */
  for (size_t r = 0; r < n; r++) {
    double *zr = gsl_matrix_ptr(Z, r, 0);
    for (size_t k = 0; k < np; k++) {
      const double *a21 = sh->a21 + k * nu;
      size_t i = sh->pair_i[k], j = sh->pair_j[k];
      size_t ki = uni_slots(s, i, ii), kj = uni_slots(s, j, jj);
      double val = sh->sc_cor[r * np + k];
      for (size_t c = 0; c < ki; c++) val -= a21[ii[c]] * zr[ii[c]];
      for (size_t c = 0; c < kj; c++) val -= a21[jj[c]] * zr[jj[c]];
      val = sh->a22[k] > 0 ? val / sh->a22[k] : 0;
      double rho = s->rho[k], sdi = sqrt(s->var[i]), sdj = sqrt(s->var[j]);
      int ni = !sh->ncat[i], nj = !sh->ncat[j];
      if (ni || nj) { /* lavaan's H21, H22 */
        double zi = ni ? zr[nth + s->var_slot[i]] : 0, zj = nj ? zr[nth + s->var_slot[j]] : 0;
        if (ni && nj) val = sdi * sdj * val + sdj * rho / (2 * sdi) * zi + sdi * rho / (2 * sdj) * zj;
        else if (ni) val = sdi * val + rho / (2 * sdi) * zi;
        else val = sdj * val + rho / (2 * sdj) * zj;
      }
      zr[nu + k] = val;
    }
    for (size_t i = 0; i < p; i++)
      if (!sh->ncat[i]) zr[s->th_start[i]] = -zr[s->th_start[i]];
  }
  s->gamma = malloc(m * m * sizeof *s->gamma);
  if (!s->gamma) {
    st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    goto done;
  }
  gsl_matrix_view G = gsl_matrix_view_array(s->gamma, m, m);
  gsl_matrix_set_zero(&G.matrix);
  crossprod_parallel(Z, (double)n, &G.matrix, sh->nthreads);
  for (size_t a = 0; a < m; a++)
    for (size_t b = 0; b < a; b++) s->gamma[b * m + a] = s->gamma[a * m + b];
done:
  if (Z) gsl_matrix_free(Z);
  if (A) gsl_matrix_free(A);
  if (blk) gsl_matrix_free(blk);
  if (v) gsl_vector_free(v);
  free(idx);
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

/* lavaan's WLS.obs: thresholds (-mean for numeric), numeric variances, covariances */
static void wls_obs(poly_stage1_t *s, const int *ncat) {
  size_t p = s->p, k = 0;
  for (size_t a = 0; a < s->nth; a++) s->obs[a] = s->th[a];
  for (size_t i = 0; i < p; i++)
    if (!ncat[i]) {
      s->obs[s->th_start[i]] = -s->th[s->th_start[i]];
      s->obs[s->nth + s->var_slot[i]] = s->var[i];
    }
  for (size_t j = 0; j + 1 < p; j++)
    for (size_t i = j + 1; i < p; i++, k++)
      s->obs[s->nth + s->nnum + k] = s->rho[k] * sqrt(s->var[i]) * sqrt(s->var[j]);
}

vagap_status_t poly_stage1(poly_stage1_t *s, const int *y, const double *x, size_t n, size_t p, const int *ncat,
                           int want_gamma, unsigned nthreads, const char *const *names,
                           const char *group, vagap_error_t *err) {
  memset(s, 0, sizeof *s);
  s->p = p;
  s->n = n;
  s->npair = p * (p - 1) / 2;
  s->th_start = malloc((p + 1) * sizeof *s->th_start);
  s->var_slot = malloc((p ? p : 1) * sizeof *s->var_slot);
  s->var = malloc((p ? p : 1) * sizeof *s->var);
  s->nobs_var = calloc(p ? p : 1, sizeof *s->nobs_var);
  if (!s->th_start || !s->var_slot || !s->var || !s->nobs_var)
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  s->th_start[0] = 0;
  for (size_t i = 0; i < p; i++) {
    s->th_start[i + 1] = s->th_start[i] + (ncat[i] ? (size_t)(ncat[i] - 1) : 1);
    s->var_slot[i] = ncat[i] ? (size_t)-1 : s->nnum++;
    s->var[i] = 1;
  }
  s->nth = s->th_start[p];
  s->m = s->nth + s->nnum + s->npair;
  s->th = malloc((s->nth ? s->nth : 1) * sizeof *s->th);
  s->rho = malloc((s->npair ? s->npair : 1) * sizeof *s->rho);
  s->obs = malloc((s->m ? s->m : 1) * sizeof *s->obs);
  stage_shared_t sh = {.y = y, .x = x, .n = n, .p = p, .ncat = ncat, .s = s, .want_gamma = want_gamma,
                       .nuni = s->nth + s->nnum, .nthreads = nthreads};
  sh.pair_i = malloc((s->npair ? s->npair : 1) * sizeof *sh.pair_i);
  sh.pair_j = malloc((s->npair ? s->npair : 1) * sizeof *sh.pair_j);
  if (want_gamma) {
    sh.sc_cor = calloc((n ? n : 1) * (s->npair ? s->npair : 1), sizeof *sh.sc_cor);
    sh.a21 = calloc((s->npair ? s->npair : 1) * (sh.nuni ? sh.nuni : 1), sizeof *sh.a21);
    sh.a22 = calloc(s->npair ? s->npair : 1, sizeof *sh.a22);
  }
  vagap_status_t st = VAGAP_OK;
  if (!s->th || !s->rho || !s->obs || !sh.pair_i || !sh.pair_j ||
      (want_gamma && (!sh.sc_cor || !sh.a21 || !sh.a22))) {
    st = vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < p && !st; i++)
    st = ncat[i] ? thresholds(s, y, n, p, i, ncat[i], names[i], group, err)
                 : moments(s, x, n, p, i, names[i], group, err);
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
                         "the correlation of '%s' and '%s' in group '%s' could not be estimated",
                         names[sh.pair_j[sh.failed_pair]], names[sh.pair_i[sh.failed_pair]], group);
  if (!st) wls_obs(s, ncat);
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
