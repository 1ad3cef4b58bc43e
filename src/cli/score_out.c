/* The questionnaire tables of `vagap score` and `vagap report` (see score_out.h). */
#include "score_out.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* Column names of the wide unit table: <scale>, <scale>.pomp, <scale>.sd, <scale>.n, <scale>.n_excluded. */
static const char *const WIDE_SUFFIX[] = {"", ".pomp", ".sd", ".n", ".n_excluded"};
enum { NWIDE = sizeof WIDE_SUFFIX / sizeof WIDE_SUFFIX[0] };

static cli_writer_t *open_unit_writer(score_open_fn open, void *ctx, const char *unit_col,
                                      const vagap_study_key_t *k, int wide, char **names_buf) {
  *names_buf = NULL;
  if (!wide) {
    const char *cols[] = {unit_col, "scale", "score", "pomp", "sd", "n", "n_excluded"};
    return open(ctx, cols, 7);
  }
  size_t ncols = 1 + NWIDE * k->nscales, len = 0;
  for (size_t s = 0; s < k->nscales; s++) len += NWIDE * (strlen(k->scale[s]) + 16);
  const char **cols = malloc(ncols * sizeof *cols);
  char *buf = malloc(len + 1), *p = buf;
  if (!cols || !buf) {
    free(cols), free(buf);
    fputs("vagap: out of memory\n", stderr);
    return NULL;
  }
  cols[0] = unit_col;
  for (size_t s = 0; s < k->nscales; s++)
    for (size_t f = 0; f < NWIDE; f++) {
      cols[1 + s * NWIDE + f] = p;
      p += sprintf(p, "%s%s", k->scale[s], WIDE_SUFFIX[f]) + 1;
    }
  cli_writer_t *w = open(ctx, cols, ncols);
  free(cols);
  *names_buf = buf;
  return w;
}

int score_write_units(score_open_fn open, void *ctx, const char *unit_col, const vagap_study_key_t *k,
                      const vagap_scale_key_t *sk, const vagap_study_runs_t *r,
                      const vagap_study_scores_t *sc, int wide) {
  char *names = NULL;
  cli_writer_t *w = open_unit_writer(open, ctx, unit_col, k, wide, &names);
  if (!w) return CLI_EXIT_DATA;
  for (size_t u = 0; u < r->nunits; u++) {
    if (wide) cli_put_str(w, r->unit_name[u]);
    for (size_t s = 0; s < k->nscales; s++) {
      size_t cell = u * k->nscales + s;
      if (!wide) {
        cli_put_str(w, r->unit_name[u]);
        cli_put_str(w, k->scale[s]);
      }
      cli_put_num(w, sc->unit_score[cell]);
      cli_put_num(w, vagap_scale_pomp(sk, sc->unit_score[cell]));
      cli_put_num(w, sc->unit_sd[cell]);
      cli_put_int(w, (long long)sc->unit_runs[cell]);
      cli_put_int(w, (long long)sc->unit_missing[cell]);
    }
  }
  int rc = cli_writer_close(w);
  free(names);
  return rc;
}

int score_write_alpha(const cli_common_t *c, score_open_fn open, void *ctx, const vagap_study_key_t *k,
                      const vagap_scale_key_t *sk, const vagap_study_runs_t *r) {
  const char *cols[] = {"scale", "alpha", "alpha_std", "mean_r", "omega", "k", "n", "n_excluded"};
  cli_writer_t *w = open(ctx, cols, 8);
  if (!w) return CLI_EXIT_DATA;
  for (size_t s = 0; s < k->nscales; s++) {
    vagap_alpha_t al;
    vagap_omega_t om;
    vagap_error_t err;
    vagap_status_t st = vagap_scale_alpha(sk, r->resp, r->nruns, s, &al, &err);
    if (st != VAGAP_OK && st != VAGAP_EDOMAIN) {
      cli_writer_close(w);
      return cli_report_error(&err);
    }
    if (st == VAGAP_EDOMAIN) cli_warn(c, "scale %s: %s", k->scale[s], err.message);
    /* omega's failures (too few items, a fit that does not converge) leave NA */
    if (vagap_scale_omega(sk, r->resp, r->nruns, s, &om, &err) != VAGAP_OK &&
        vagap_scale_nitems(sk, s) >= 3)
      cli_warn(c, "scale %s: omega: %s", k->scale[s], err.message);
    cli_put_str(w, k->scale[s]);
    cli_put_num(w, al.alpha);
    cli_put_num(w, al.alpha_std);
    cli_put_num(w, al.mean_r);
    cli_put_num(w, om.omega);
    cli_put_int(w, (long long)vagap_scale_nitems(sk, s));
    cli_put_int(w, (long long)al.n);
    cli_put_int(w, (long long)al.n_excluded);
  }
  return cli_writer_close(w);
}
