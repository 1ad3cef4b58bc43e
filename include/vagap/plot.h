/*
 * vagap/plot.h - vagap's SVG plots: the calibration plot of `vagap report`
 * (also the R and Python report(svg = TRUE)) and the pieces every plot
 * shares (power's curves in the program use them too).  Standalone SVG 1.1:
 * no scripts, no external resources.
 */
#ifndef VAGAP_PLOT_H
#define VAGAP_PLOT_H

#include <stdio.h>
#include "vagap/gap.h"

#ifdef __cplusplus
extern "C" {
#endif

/* XML-escape s (& < > "). */
void vagap_svg_put_escaped(FILE *out, const char *s);

/* The document's start: size, the clip rectangle "plot" of the plot area, a
   white background and the title at (left, 30). */
void vagap_svg_begin(FILE *out, int width, int height, int left, int top, int plot_w, int plot_h,
                     const char *title);

/* Close the document; 0, or -1 on a write error. */
int vagap_svg_end(FILE *out);

/*
 * The calibration plot of a gap analysis: self-report (y) against behaviour
 * (x) per unit, the identity line, the tau band, the behaviour cut and unit
 * labels placed so that they do not overlap; `title` is escaped.  Returns
 * 0, or -1 on a write error.
 */
int vagap_gap_plot_svg(FILE *out, const vagap_gap_t *g, const char *title);

/* The label shown for a unit: the name after the last '/' (provider prefixes
   such as "openai/" make labels long), or the full name when two plotted units
   share that short name; the full name is always the point's tooltip. */
const char *vagap_gap_plot_short_name(const char *name);

#ifdef __cplusplus
}
#endif
#endif
