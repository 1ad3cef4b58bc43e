/*
 * score_out.h - the per-unit scale table and the alpha table, written the
 * same way by `vagap score` (--level unit, --level alpha) and by `vagap
 * report` (selfreport_units, selfreport_alpha), so the two are one table.
 */
#ifndef VAGAP_SCORE_OUT_H
#define VAGAP_SCORE_OUT_H

#include "cli.h"
#include "vagap/study.h"

/* Opens the table with these columns (the command's output or a report file). */
typedef cli_writer_t *(*score_open_fn)(void *ctx, const char *const *cols, size_t ncols);

/* unit,scale,score,pomp,sd,n,n_excluded per unit and scale (wide: one row per
   unit, <scale>, <scale>.pomp, ...) from vagap_study_scores of the runs r. */
int score_write_units(score_open_fn open, void *ctx, const char *unit_col, const vagap_study_key_t *k,
                      const vagap_scale_key_t *sk, const vagap_study_runs_t *r,
                      const vagap_study_scores_t *sc, int wide);

/* scale,alpha,alpha_std,mean_r,omega,k,n,n_excluded per scale (warnings through c). */
int score_write_alpha(const cli_common_t *c, score_open_fn open, void *ctx, const vagap_study_key_t *k,
                      const vagap_scale_key_t *sk, const vagap_study_runs_t *r);

#endif
