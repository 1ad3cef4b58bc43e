/*
 * svg.h - the pieces every SVG plot of vagap shares (report's calibration
 * plot, power's curves): the document with a white background, a title and
 * a clip path "plot" over the plot area; escaped text.
 */
#ifndef VAGAP_SVG_H
#define VAGAP_SVG_H

#include <stdio.h>

/* XML-escape s (& < > "). */
void svg_put_escaped(FILE *out, const char *s);

/* The document's start: size, the clip rectangle of the plot area, the title at (left, 30). */
void svg_begin(FILE *out, int width, int height, int left, int top, int plot_w, int plot_h,
               const char *title);

/* Close the document; 0, or -1 on a write error. */
int svg_end(FILE *out);

#endif
