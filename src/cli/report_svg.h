/*
 * report_svg.h - the calibration plot of `vagap report`: self-report (y)
 * against behaviour (x) per unit, the identity line, the tau band, the
 * behaviour cut and unit labels placed so that they do not overlap.
 * Standalone SVG 1.1 (no scripts, no external resources).
 */
#ifndef VAGAP_REPORT_SVG_H
#define VAGAP_REPORT_SVG_H

#include <stdio.h>
#include "vagap/vagap.h"

/* Write the plot; `title` is escaped.  Returns 0, or -1 on a write error. */
int report_write_svg(FILE *out, const vagap_gap_t *g, const char *title);

/* The label shown for a unit: the name after the last '/' (provider prefixes
   such as "openai/" make labels long), or the full name when two plotted units
   share that short name; the full name is always the point's tooltip. */
const char *report_short_name(const char *name);

#endif
