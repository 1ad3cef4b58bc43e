/*
 * vagap/report.h - report.md, the prose summary of a walk-the-talk study:
 * what `vagap report` writes next to its tables, and what the R and Python
 * report(markdown = TRUE) return, from the same gap analysis
 * (vagap_study_gap), the self-report scale (for Cronbach's alpha) and the
 * ledger of the four logs.  Numbers are rounded for reading (APA style); the
 * tables hold them with full precision.
 */
#ifndef VAGAP_REPORT_H
#define VAGAP_REPORT_H

#include <stddef.h>
#include <stdio.h>
#include "vagap/gap.h"
#include "vagap/ledger.h"
#include "vagap/study.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  const char *title;            /* the heading ("Walk-the-talk study") */
  const char *source;           /* what the logs were read from, named in the methods line
                                   (the program: its DIR; default "data frames") */
  const char *unit;             /* the unit column: "model" (the default) says "models", else "units" */
  const char *prosocial;        /* the choice codes ("other", "self") */
  const char *selfish;
  const char *selfreport_scale; /* the key's scale used as self-report (NULL: all keyed items) */
  double scale_min, scale_max;  /* the response scale (1, 7) */
  double iat_smoothing;         /* s of the association-count IAT, when the analysis has one (0) */
  const char *tables_extension; /* the closing line names gap_tests.EXT and gap_units.EXT ("csv") */
} vagap_report_options_t;

/* The defaults above (those of `vagap report`). */
void vagap_report_options_init(vagap_report_options_t *opt);

/*
 * Write report.md of the gap analysis g to out: methods, one paragraph per
 * result, the quadrant table, the data accounting from the ledger and the
 * per-unit table.  scale is the self-report scale g was made from (its
 * alpha over all items is quoted); ledger holds the rows of the four logs.
 * Returns 0, or -1 on a write error.
 */
int vagap_report_markdown(FILE *out, const vagap_gap_t *g, const vagap_study_scale_t *scale,
                          const vagap_ledger_t *ledger, const vagap_report_options_t *opt);

/* APA-style p into buf: "p = .292", "p = .0399", "p < .0001", "p = NA". */
void vagap_report_format_p(char *buf, size_t size, double p);

/* x with the printf format fmt (one double), or "NA" when x is not finite; returns buf. */
const char *vagap_report_format_number(char *buf, size_t size, const char *fmt, double x);

#ifdef __cplusplus
}
#endif
#endif
