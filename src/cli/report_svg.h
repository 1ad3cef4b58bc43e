/*
 * report_svg.h - the calibration plot of `vagap report`, now in the library
 * (vagap/plot.h: vagap_gap_plot_svg), so that the R and Python report() can
 * return it too.
 */
#ifndef VAGAP_REPORT_SVG_H
#define VAGAP_REPORT_SVG_H

#include "vagap/plot.h"

#define report_write_svg vagap_gap_plot_svg
#define report_short_name vagap_gap_plot_short_name

#endif
