/*
 * power_svg.c - power against n (power_svg.h).
 *
 * Layout: plot area on the left, legend on the right.  x is n on a linear
 * axis from 0 to the largest n rounded up to a "nice" step; y is power from
 * 0 to 1.  A curve joins the conditions of one design (every design column
 * but n equal) in the order of n.  Text widths are not measured: legend
 * labels longer than 40 characters are shortened from the left.
 */
#include "power_svg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "svg.h"

enum { WIDTH = 900, HEIGHT = 560, LEFT = 76, TOP = 64, PLOT_W = 520, PLOT_H = 400, FONT = 11 };

static const char *const COLORS[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                     "#E69F00", "#56B4E9", "#000000", "#F0E442"}; /* Okabe-Ito */
enum { NCOLORS = sizeof COLORS / sizeof COLORS[0] };

typedef struct {
  double xmax;
} axes_t;

static double px(const axes_t *a, double n) { return LEFT + n / a->xmax * PLOT_W; }
static double py(double power) { return TOP + PLOT_H - power * PLOT_H; }

/* 1, 2 or 5 times a power of ten, about a fifth of the range. */
static double nice_step(double range) {
  double raw = range / 5, mag = pow(10, floor(log10(raw))), f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

static size_t n_column(const power_analysis_t *an) {
  for (size_t j = 0; j < an->ndesign; j++)
    if (strcmp(an->design[j], "n") == 0) return j;
  return an->ndesign;
}

/* Same curve: every design cell but n equal. */
static int same_series(const power_study_t *st, size_t i, size_t k) {
  size_t nc = n_column(st->analysis);
  for (size_t j = 0; j < st->analysis->ndesign; j++)
    if (j != nc && strcmp(st->cond[i].design[j], st->cond[k].design[j]) != 0) return 0;
  return 1;
}

static double cond_n(const power_study_t *st, size_t i) {
  return strtod(st->cond[i].design[n_column(st->analysis)], NULL);
}

static void write_axes(FILE *out, const axes_t *a, const power_study_t *st) {
  fprintf(out, "<g font-size=\"%d\" fill=\"#333\">\n", FONT);
  double step = nice_step(a->xmax);
  for (double v = 0; v <= a->xmax + 1e-9 * a->xmax; v += step) {
    fprintf(out, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>\n", px(a, v),
            TOP, px(a, v), TOP + PLOT_H);
    fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%g</text>\n", px(a, v),
            TOP + PLOT_H + 16, v);
  }
  for (int k = 0; k <= 10; k += 2) {
    double y = py(k / 10.0);
    fprintf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>\n", LEFT, y,
            LEFT + PLOT_W, y);
    fprintf(out, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.1f</text>\n", LEFT - 6, y + 4,
            k / 10.0);
  }
  fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>\n",
          LEFT, TOP, PLOT_W, PLOT_H);
  int per_group = st->analysis->sem;
  fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"13\">n (%s)</text>\n",
          LEFT + PLOT_W / 2, TOP + PLOT_H + 40, per_group ? "observations per group" : "units");
  fprintf(out, "<text transform=\"translate(%d %d) rotate(-90)\" text-anchor=\"middle\" "
               "font-size=\"13\">Power (Monte Carlo, %g%% Wilson CI)</text>\n",
          LEFT - 48, TOP + PLOT_H / 2, 100 * st->conf);
  /* reference lines: the conventional 0.8 and the nominal alpha */
  fprintf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#777\" stroke-dasharray=\"2 3\"/>\n",
          LEFT, py(0.8), LEFT + PLOT_W, py(0.8));
  fprintf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#777\" stroke-dasharray=\"2 3\"/>\n",
          LEFT, py(st->alpha), LEFT + PLOT_W, py(st->alpha));
  fputs("</g>\n", out);
}

/* The summary of condition i; 0 when it has a power to plot. */
static int summary_of(const power_study_t *st, size_t i, vagap_power_summary_t *s) {
  vagap_error_t err;
  return vagap_power_summarize(&st->acc[i], st->cond[i].truth, st->conf, s, &err) ||
         !isfinite(s->power);
}

/* One curve: the conditions of `series` in order of n. */
static void write_series(FILE *out, const axes_t *a, const power_study_t *st, const size_t *idx,
                         size_t m, const char *color) {
  fprintf(out, "<g clip-path=\"url(#plot)\" stroke=\"%s\" fill=\"%s\">\n", color, color);
  fputs("<polyline fill=\"none\" stroke-width=\"1.6\" points=\"", out);
  vagap_power_summary_t s;
  for (size_t k = 0; k < m; k++)
    if (!summary_of(st, idx[k], &s))
      fprintf(out, "%s%.1f,%.1f", k ? " " : "", px(a, cond_n(st, idx[k])), py(s.power));
  fputs("\"/>\n", out);
  int any_analytic = 0;
  for (size_t k = 0; k < m; k++) any_analytic |= isfinite(st->cond[idx[k]].analytic);
  if (any_analytic) {
    fputs("<polyline fill=\"none\" stroke-dasharray=\"6 4\" points=\"", out);
    for (size_t k = 0; k < m; k++)
      if (isfinite(st->cond[idx[k]].analytic))
        fprintf(out, "%s%.1f,%.1f", k ? " " : "", px(a, cond_n(st, idx[k])),
                py(st->cond[idx[k]].analytic));
    fputs("\"/>\n", out);
  }
  for (size_t k = 0; k < m; k++) {
    if (summary_of(st, idx[k], &s)) continue;
    double x = px(a, cond_n(st, idx[k]));
    fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", x,
            py(s.power_conf_low), x, py(s.power_conf_high));
    fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\"><title>condition %zu: power %.3f "
                 "[%.3f, %.3f], %llu converged</title></circle>\n",
            x, py(s.power), idx[k] + 1, s.power, s.power_conf_low, s.power_conf_high,
            (unsigned long long)st->acc[idx[k]].converged);
  }
  fputs("</g>\n", out);
}

/* The legend text of a series: its design cells other than n. */
static void write_label(FILE *out, const power_study_t *st, size_t i) {
  size_t nc = n_column(st->analysis);
  const char *sep = "";
  for (size_t j = 0; j < st->analysis->ndesign; j++) {
    if (j == nc) continue;
    const char *v = st->cond[i].design[j];
    size_t len = strlen(v);
    fprintf(out, "%s%s = ", sep, st->analysis->design[j]);
    svg_put_escaped(out, len > 40 ? v + len - 40 : v);
    sep = ", ";
  }
}

static int by_n(const power_study_t *st, const size_t *a, const size_t *b) {
  double x = cond_n(st, *a), y = cond_n(st, *b);
  return x < y ? -1 : x > y;
}

int power_svg_write(FILE *out, const power_study_t *st) {
  axes_t a = {1};
  for (size_t i = 0; i < st->ncond; i++) a.xmax = fmax(a.xmax, cond_n(st, i));
  double step = nice_step(a.xmax);
  a.xmax = ceil(a.xmax * 1.04 / step) * step; /* room for the last point's marker */
  size_t *idx = malloc((st->ncond ? st->ncond : 1) * sizeof *idx);
  char *done = calloc(st->ncond ? st->ncond : 1, 1);
  if (!idx || !done) {
    free(idx);
    free(done);
    return -1;
  }
  char title[128];
  snprintf(title, sizeof title, "vagap power: %s", st->analysis->name);
  svg_begin(out, WIDTH, HEIGHT, LEFT, TOP, PLOT_W, PLOT_H, title);
  write_axes(out, &a, st);
  /* curves first, remembering each one's first condition for the legend */
  size_t nseries = 0;
  for (size_t i = 0; i < st->ncond; i++) {
    if (done[i]) continue;
    size_t m = 0;
    for (size_t k = i; k < st->ncond; k++)
      if (!done[k] && same_series(st, i, k)) idx[m++] = k, done[k] = 1;
    for (size_t p = 1; p < m; p++) /* insertion sort by n: grids are small */
      for (size_t q = p; q > 0 && by_n(st, &idx[q - 1], &idx[q]) > 0; q--) {
        size_t t = idx[q];
        idx[q] = idx[q - 1];
        idx[q - 1] = t;
      }
    write_series(out, &a, st, idx, m, COLORS[nseries++ % NCOLORS]);
    done[i] = 2; /* first of its series */
  }
  double lx = LEFT + PLOT_W + 18, ly = TOP + 8;
  fprintf(out, "<g font-size=\"11.5\" fill=\"#222\">\n");
  for (size_t i = 0, k = 0; i < st->ncond; i++, ly += done[i - 1] == 2 ? 20 : 0) {
    if (done[i] != 2) continue;
    fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"/>\n",
            lx, ly - 4, lx + 14, ly - 4, COLORS[k++ % NCOLORS]);
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">", lx + 20, ly);
    write_label(out, st, i);
    fputs("</text>\n", out);
  }
  ly += 10;
  fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#555\" stroke-dasharray=\"6 4\"/>\n",
          lx, ly - 4, lx + 14, ly - 4);
  fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">analytic power (where known)</text>\n", lx + 20, ly);
  ly += 20;
  fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#777\" stroke-dasharray=\"2 3\"/>\n",
          lx, ly - 4, lx + 14, ly - 4);
  fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">power 0.8 and alpha = %g</text>\n", lx + 20, ly, st->alpha);
  fputs("</g>\n", out);
  free(idx);
  free(done);
  return svg_end(out);
}

int power_write_plot(const char *path, const power_study_t *st) {
  FILE *out = cli_output_open(path);
  if (!out) return CLI_EXIT_DATA;
  int rc = power_svg_write(out, st) ? CLI_EXIT_DATA : CLI_EXIT_OK;
  return cli_output_close(out, rc);
}
