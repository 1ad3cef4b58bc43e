/*
 * power_svg.h - `vagap power --plot FILE`: Monte Carlo power against n, one
 * curve per design (the conditions that differ only in n), with the Wilson
 * CI of each point, the analytic power where there is one (dashed), and
 * reference lines at power 0.8 and at alpha.
 */
#ifndef VAGAP_POWER_SVG_H
#define VAGAP_POWER_SVG_H

#include <stdio.h>
#include "power_cli.h"

/* Write the plot of a summarised study to `out`; 0, or -1 on a write error. */
int power_svg_write(FILE *out, const power_study_t *st);

/* The same into the file `path` (written whole or not at all); an exit code. */
int power_write_plot(const char *path, const power_study_t *st);

#endif
