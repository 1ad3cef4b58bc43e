/*
 * gap_svg.c - the calibration plot of a gap analysis (vagap/plot.h:
 * vagap_gap_plot_svg; moved from the program's report_svg.c).
 *
 * Layout: a square plot area (so that the identity line is at 45 degrees)
 * with the legend to its right.  Axis ranges are the same on both axes,
 * from the data rounded out to tenths and clamped to [0, 1].  Labels are
 * placed greedily: for each point the first of 16 candidate positions
 * (8 directions, near and far) that overlaps no point, no placed label and
 * no region caption and stays inside the plot; otherwise the candidate with
 * the least overlap, joined to its point by a leader line.  Text widths are
 * estimated (0.6 em per character), which is conservative for sans-serif.
 */
#include "vagap/plot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { WIDTH = 900, HEIGHT = 700, LEFT = 76, TOP = 64, SIZE = 550, FONT = 11 };
static const double CHAR_W = 0.6 * FONT; /* estimated advance of one character */

static const char *const COLORS[VAGAP_GAP_NQUADRANTS] = {"#009E73", "#E69F00", "#0072B2",
                                                         "#D55E00"}; /* Okabe-Ito */

typedef struct { double x0, y0, x1, y1; } box_t;

typedef struct {
  double lo, hi; /* axis range, same on both axes */
} axes_t;

static double px(const axes_t *a, double v) { return LEFT + (v - a->lo) / (a->hi - a->lo) * SIZE; }
static double py(const axes_t *a, double v) { return TOP + SIZE - (v - a->lo) / (a->hi - a->lo) * SIZE; }

const char *vagap_gap_plot_short_name(const char *name) {
  const char *slash = strrchr(name, '/');
  return slash && slash[1] ? slash + 1 : name;
}

static axes_t axes_for(const vagap_gap_t *g) {
  double lo = g->opt.behavior_cut, hi = g->opt.behavior_cut;
  for (size_t i = 0; i < g->n_units; i++) {
    const vagap_gap_unit_t *u = &g->units[i];
    if (!u->complete) continue;
    lo = fmin(lo, fmin(u->behavior, u->selfreport));
    hi = fmax(hi, fmax(u->behavior, u->selfreport));
  }
  axes_t a = {floor((lo - 0.02) * 10) / 10, ceil((hi + 0.02) * 10) / 10};
  if (a.lo < 0) a.lo = 0;
  if (a.hi > 1) a.hi = 1;
  if (a.hi - a.lo < 0.2) a.hi = fmin(1, a.lo + 0.2), a.lo = a.hi - 0.2;
  return a;
}

static double overlap(const box_t *a, const box_t *b) {
  double w = fmin(a->x1, b->x1) - fmax(a->x0, b->x0);
  double h = fmin(a->y1, b->y1) - fmax(a->y0, b->y0);
  return (w > 0 && h > 0) ? w * h : 0;
}

/* Area of `b` outside the plot area (labels must stay inside). */
static double outside(const box_t *b) {
  box_t plot = {LEFT, TOP, LEFT + SIZE, TOP + SIZE};
  double area = (b->x1 - b->x0) * (b->y1 - b->y0);
  return area - overlap(b, &plot);
}

typedef struct {
  box_t *boxes;
  size_t n;
} obstacles_t;

static double cost(const box_t *b, const obstacles_t *ob) {
  double c = 10 * outside(b);
  for (size_t k = 0; k < ob->n; k++) c += overlap(b, &ob->boxes[k]);
  return c;
}

/* A label's box when its anchor (text start, baseline) is at (x, y). */
static box_t label_box(double x, double y, double width) {
  box_t b = {x - 1, y - FONT + 1, x + width + 1, y + 3};
  return b;
}

typedef struct {
  double x, y;  /* text anchor (start, baseline) */
  int leader;   /* draw a line from the point */
} placement_t;

static placement_t place_label(double cx, double cy, double width, obstacles_t *ob) {
  static const double dirs[8][2] = {{1, 0}, {-1, 0}, {0, -1}, {0, 1},
                                    {1, -1}, {-1, -1}, {1, 1}, {-1, 1}};
  placement_t best = {cx + 8, cy + 4, 0};
  double best_cost = INFINITY;
  for (int ring = 0; ring < 3; ring++) {
    double d = ring == 0 ? 8 : ring == 1 ? 20 : 34;
    for (int k = 0; k < 8; k++) {
      double dx = dirs[k][0], dy = dirs[k][1];
      /* Anchor so that the box sits on the side of the point given by (dx, dy). */
      double x = dx > 0 ? cx + d : dx < 0 ? cx - d - width : cx - width / 2;
      double y = dy < 0 ? cy - d : dy > 0 ? cy + d + FONT - 2 : cy + 4;
      box_t b = label_box(x, y, width);
      double c = cost(&b, ob) + ring * 0.5; /* prefer near positions on ties */
      if (c < best_cost) {
        best_cost = c;
        best = (placement_t){x, y, ring > 0};
      }
      if (c < 1) goto done;
    }
  }
done:
  ob->boxes[ob->n++] = label_box(best.x, best.y, width);
  return best;
}

static void write_axes(FILE *out, const axes_t *a) {
  double step = (a->hi - a->lo) > 0.45 ? 0.1 : 0.05;
  fprintf(out, "<g font-size=\"%d\" fill=\"#333\">\n", FONT);
  for (double v = a->lo; v <= a->hi + 1e-9; v += step) {
    double x = px(a, v), y = py(a, v);
    fprintf(out, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>\n", x, TOP, x, TOP + SIZE);
    fprintf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>\n", LEFT, y, LEFT + SIZE, y);
    fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.0f%%</text>\n", x, TOP + SIZE + 16, 100 * v);
    fprintf(out, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.0f%%</text>\n", LEFT - 6, y + 4, 100 * v);
  }
  fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>\n",
          LEFT, TOP, SIZE, SIZE);
  fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"13\">Behaviour: prosocial choices (%% of valid trials)</text>\n",
          LEFT + SIZE / 2, TOP + SIZE + 40);
  fprintf(out, "<text transform=\"translate(%d %d) rotate(-90)\" text-anchor=\"middle\" font-size=\"13\">Self-report (%% of scale maximum)</text>\n",
          LEFT - 48, TOP + SIZE / 2);
  fputs("</g>\n", out);
}

/* Identity line, the tau band above it, the over-claiming line and the behaviour cut. */
static void write_guides(FILE *out, const vagap_gap_t *g, const axes_t *a) {
  double tau = g->opt.tau, lo = a->lo, hi = a->hi, beta = g->opt.behavior_cut;
  fprintf(out, "<g clip-path=\"url(#plot)\">\n");
  fprintf(out, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"#999\" fill-opacity=\"0.15\"/>\n",
          px(a, lo), py(a, lo), px(a, hi), py(a, hi), px(a, hi), py(a, hi + tau), px(a, lo), py(a, lo + tau));
  fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#555\" stroke-width=\"1.2\"/>\n",
          px(a, lo), py(a, lo), px(a, hi), py(a, hi));
  fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#555\" stroke-dasharray=\"6 4\"/>\n",
          px(a, lo), py(a, lo + tau), px(a, hi), py(a, hi + tau));
  if (beta > lo && beta < hi)
    fprintf(out, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#555\" stroke-dasharray=\"2 3\"/>\n",
            px(a, beta), TOP, px(a, beta), TOP + SIZE);
  fputs("</g>\n", out);
}

/* Region captions in the corners of the four regions; their boxes become obstacles. */
static void write_regions(FILE *out, const vagap_gap_t *g, const axes_t *a, obstacles_t *ob) {
  double xb = px(a, g->opt.behavior_cut);
  struct { vagap_gap_quadrant_t q; double x, y; const char *anchor; } cap[4] = {
      {VAGAP_GAP_LOW_OVERCLAIMING, LEFT + 6, TOP + 16, "start"},
      {VAGAP_GAP_PROSOCIAL_OVERCLAIMING, xb + 6, TOP + 16, "start"},
      {VAGAP_GAP_PROSOCIAL_CALIBRATED, LEFT + SIZE - 6, TOP + SIZE - 8, "end"},
      {VAGAP_GAP_LOW_CALIBRATED, xb - 6, TOP + SIZE - 8, "end"}};
  fputs("<g font-size=\"11\" font-style=\"italic\">\n", out);
  for (int k = 0; k < 4; k++) {
    const char *text = vagap_gap_quadrant_label(cap[k].q);
    double w = CHAR_W * (double)strlen(text);
    double x0 = strcmp(cap[k].anchor, "end") == 0 ? cap[k].x - w : cap[k].x;
    if (x0 < LEFT || x0 + w > LEFT + SIZE) continue; /* no room beside the cut */
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" fill=\"%s\">%s</text>\n", cap[k].x,
            cap[k].y, cap[k].anchor, COLORS[cap[k].q], text);
    ob->boxes[ob->n++] = label_box(x0, cap[k].y, w);
  }
  fputs("</g>\n", out);
}

/* The short name, unless another plotted unit has the same one (then the full name). */
static const char *label_of(const vagap_gap_t *g, size_t i) {
  const char *mine = vagap_gap_plot_short_name(g->units[i].name);
  for (size_t k = 0; k < g->n_units; k++)
    if (k != i && g->units[k].complete && strcmp(vagap_gap_plot_short_name(g->units[k].name), mine) == 0)
      return g->units[i].name;
  return mine;
}

static void write_points(FILE *out, const vagap_gap_t *g, const axes_t *a, obstacles_t *ob) {
  /* Points first as obstacles, so that no label covers any point. */
  for (size_t i = 0; i < g->n_units; i++) {
    const vagap_gap_unit_t *u = &g->units[i];
    if (!u->complete) continue;
    double x = px(a, u->behavior), y = py(a, u->selfreport);
    ob->boxes[ob->n++] = (box_t){x - 5, y - 5, x + 5, y + 5};
  }
  fputs("<g font-size=\"11\" fill=\"#222\">\n", out);
  for (size_t i = 0; i < g->n_units; i++) {
    const vagap_gap_unit_t *u = &g->units[i];
    if (!u->complete) continue;
    double x = px(a, u->behavior), y = py(a, u->selfreport);
    const char *label = label_of(g, i);
    placement_t p = place_label(x, y, CHAR_W * (double)strlen(label), ob);
    if (p.leader) {
      double lx = fmin(fmax(x, p.x), p.x + CHAR_W * (double)strlen(label));
      double ly = fmin(fmax(y, p.y - FONT + 2), p.y + 2);
      fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#777\" stroke-width=\"0.9\"/>\n",
              x, y, lx, ly);
    }
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">", p.x, p.y);
    vagap_svg_put_escaped(out, label);
    fputs("</text>\n", out);
  }
  fputs("</g>\n<g stroke=\"#fff\" stroke-width=\"1\">\n", out);
  for (size_t i = 0; i < g->n_units; i++) {
    const vagap_gap_unit_t *u = &g->units[i];
    if (!u->complete) continue;
    fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\"><title>", px(a, u->behavior),
            py(a, u->selfreport), COLORS[u->quadrant]);
    vagap_svg_put_escaped(out, u->name);
    fprintf(out, ": behaviour %.1f%%, self-report %.1f%%, gap %+.1f points</title></circle>\n",
            100 * u->behavior, 100 * u->selfreport, 100 * u->gap);
  }
  fputs("</g>\n", out);
}

static void write_legend(FILE *out, const vagap_gap_t *g) {
  double x = LEFT + SIZE + 18, y = TOP + 8;
  fprintf(out, "<g font-size=\"11.5\" fill=\"#222\">\n");
  for (int q = 0; q < VAGAP_GAP_NQUADRANTS; q++, y += 22) {
    fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\"/>\n", x + 5, y - 4, COLORS[q]);
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">%s (%zu)</text>\n", x + 16, y,
            vagap_gap_quadrant_label((vagap_gap_quadrant_t)q), g->quadrant_n[q]);
  }
  y += 10;
  fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#555\" stroke-width=\"1.2\"/>\n", x, y - 4, x + 12, y - 4);
  fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">self-report = behaviour</text>\n", x + 16, y);
  y += 22;
  fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"10\" fill=\"#999\" fill-opacity=\"0.3\"/>\n", x, y - 9);
  fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">0 &lt; gap &#8804; &#964; = %g</text>\n", x + 16, y, g->opt.tau);
  y += 22;
  fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#555\" stroke-dasharray=\"6 4\"/>\n", x, y - 4, x + 12, y - 4);
  fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">gap = &#964; (over-claiming above)</text>\n", x + 16, y);
  y += 22;
  fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#555\" stroke-dasharray=\"2 3\"/>\n", x + 6, y - 10, x + 6, y + 2);
  fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">behaviour cut &#946; = %g</text>\n", x + 16, y, g->opt.behavior_cut);
  y += 34;
  fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#555\">%zu units plotted", x, y, g->n_complete);
  if (g->n_excluded) fprintf(out, "; %zu excluded", g->n_excluded);
  fputs("</text>\n", out);
  if (g->paired_status == VAGAP_OK)
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#555\">mean gap %+.1f points, d_z0 = %.2f</text>\n",
            x, y + 18, 100 * g->paired.estimate, g->paired.effect.d_z0);
  fputs("</g>\n", out);
}

int vagap_gap_plot_svg(FILE *out, const vagap_gap_t *g, const char *title) {
  axes_t a = axes_for(g);
  obstacles_t ob = {malloc((2 * g->n_units + 8) * sizeof(box_t)), 0};
  if (!ob.boxes) return -1;
  vagap_svg_begin(out, WIDTH, HEIGHT, LEFT, TOP, SIZE, SIZE, title);
  write_axes(out, &a);
  write_guides(out, g, &a);
  write_regions(out, g, &a, &ob);
  write_points(out, g, &a, &ob);
  write_legend(out, g);
  free(ob.boxes);
  return vagap_svg_end(out);
}
