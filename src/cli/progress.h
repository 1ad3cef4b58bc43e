/*
 * progress.h - progress of long runs on standard error: done/total, the rate
 * and the time left (ETA), for bootstrap resamples, invariance models and the
 * bytes of a large input.
 *
 * Shown when stderr is a terminal (a line rewritten in place, at most four
 * times a second) or with --progress (then also into a file or pipe: a line
 * every 5 s and a last one when done); never with --no-progress.  --quiet
 * does not hide it (it silences the row summary only).  Nothing is shown
 * during the first second, so short runs stay silent, except the last line
 * when --progress was given.
 */
#ifndef VAGAP_CLI_PROGRESS_H
#define VAGAP_CLI_PROGRESS_H

#include "cli.h"

typedef struct {
  const cli_common_t *c; /* its --progress / --no-progress, read at each update */
  const char *what;      /* "bootstrap", "invariance", "reading FILE" */
  const char *unit;      /* "resamples", "models", "MB" */
  double start, last;    /* seconds (monotonic) */
  int shown;             /* a line has been printed */
  int finished;
  int quiet_when_short;  /* no last line for a run shorter than a second, even with --progress */
  double tick;           /* cli_progress_tick: when it last passed an update on */
} cli_progress_t;

/* 1 when progress is to be shown for this command (option, else stderr is a terminal). */
int cli_progress_wanted(const cli_common_t *c);

void cli_progress_start(cli_progress_t *p, const cli_common_t *c, const char *what,
                        const char *unit);

/* `done` of `total` units (total 0: unknown, no percentage or ETA).  The last
   update (done >= total > 0) finishes the line. */
void cli_progress_update(cli_progress_t *p, double done, double total);

/* cli_progress_update for fine-grained units (rows, replications), called per unit:
   one clock read, and an update at most every 0.1 s (and the last one). */
void cli_progress_tick(cli_progress_t *p, double done, double total);

/* Finish a meter whose total was unknown, or that stopped early. */
void cli_progress_finish(cli_progress_t *p);

/* Before an error message: end a reading line left open on the terminal. */
void cli_progress_interrupt(void);

/* vagap_table_options_t.progress for every command (set by cli_common_init):
   the bytes of each input read, in MB, for files that take more than a second. */
void cli_read_progress(const char *source, size_t done, size_t total, void *common);

#endif
