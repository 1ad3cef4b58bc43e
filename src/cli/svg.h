/*
 * svg.h - the pieces every SVG plot of vagap shares, now in the library
 * (vagap/plot.h), under the names the program's plots use.
 */
#ifndef VAGAP_SVG_H
#define VAGAP_SVG_H

#include "vagap/plot.h"

#define svg_put_escaped vagap_svg_put_escaped
#define svg_begin vagap_svg_begin
#define svg_end vagap_svg_end

#endif
