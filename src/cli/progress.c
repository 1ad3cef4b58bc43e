/* Progress of long runs on stderr (see progress.h). */
#include "progress.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define QUIET_START 1.0   /* seconds without output at the start */
#define TERMINAL_EVERY 0.25
#define FILE_EVERY 5.0

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int cli_progress_wanted(const cli_common_t *c) {
  return c->progress == 1 || (c->progress == -1 && isatty(STDERR_FILENO));
}

void cli_progress_start(cli_progress_t *p, const cli_common_t *c, const char *what,
                        const char *unit) {
  memset(p, 0, sizeof *p);
  p->c = c;
  p->what = what;
  p->unit = unit;
  p->start = p->last = now_seconds();
}

/* "12 s", "3 min 05 s", "2 h 10 min" */
static void format_duration(char *buf, size_t size, double s) {
  if (s < 0) s = 0;
  long t = (long)(s + 0.5);
  if (t < 60) snprintf(buf, size, "%ld s", t);
  else if (t < 3600) snprintf(buf, size, "%ld min %02ld s", t / 60, t % 60);
  else snprintf(buf, size, "%ld h %02ld min", t / 3600, (t % 3600) / 60);
}

static void print_line(cli_progress_t *p, double done, double total, double elapsed, int last,
                       int tty) {
  char counts[96], rate[48] = "", tail[64] = "";
  int whole = p->unit && strcmp(p->unit, "MB") != 0;
  if (total > 0)
    snprintf(counts, sizeof counts, whole ? "%.0f/%.0f %s (%.0f%%)" : "%.1f/%.1f %s (%.0f%%)",
             done, total, p->unit, 100 * done / total);
  else snprintf(counts, sizeof counts, whole ? "%.0f %s" : "%.1f %s", done, p->unit);
  if (elapsed > 0 && done > 0) snprintf(rate, sizeof rate, ", %.3g %s/s", done / elapsed, p->unit);
  char d[32];
  if (last) {
    format_duration(d, sizeof d, elapsed);
    snprintf(tail, sizeof tail, ", done in %s", d);
  } else if (total > 0 && done > 0) {
    format_duration(d, sizeof d, (total - done) * elapsed / done);
    snprintf(tail, sizeof tail, ", ETA %s", d);
  }
  fprintf(stderr, "%svagap %s: %s %s%s%s%s", tty ? "\r" : "", p->c->command, p->what, counts, rate,
          tail, tty ? "\033[K" : "\n");
  if (tty && last) fputc('\n', stderr);
  fflush(stderr);
  p->shown = 1;
}

void cli_progress_update(cli_progress_t *p, double done, double total) {
  if (p->finished || !cli_progress_wanted(p->c)) return;
  int tty = isatty(STDERR_FILENO);
  double t = now_seconds(), elapsed = t - p->start;
  int last = total > 0 && done >= total;
  if (last) {
    /* the last line: always after an earlier one, and with --progress even for a short run */
    if (p->shown || (p->c->progress == 1 && !p->quiet_when_short) || elapsed >= QUIET_START)
      print_line(p, done, total, elapsed, 1, tty);
    p->finished = 1;
    return;
  }
  if (elapsed < QUIET_START || t - p->last < (tty ? TERMINAL_EVERY : FILE_EVERY)) return;
  p->last = t;
  print_line(p, done, total, elapsed, 0, tty);
}

void cli_progress_tick(cli_progress_t *p, double done, double total) {
  double t = now_seconds();
  if (!(total > 0 && done >= total) && t - p->tick < 0.1) return; /* isatty() only now and then */
  p->tick = t;
  cli_progress_update(p, done, total);
}

void cli_progress_finish(cli_progress_t *p) {
  if (p->finished) return;
  p->finished = 1;
  if (p->shown && isatty(STDERR_FILENO)) fputc('\n', stderr);
}

/* One meter for the input being read; a new source (or a restart) starts it afresh. */
static cli_progress_t read_meter;
static char read_what[300];
static const char *read_source;
static size_t read_done;

void cli_progress_interrupt(void) {
  if (read_source) cli_progress_finish(&read_meter);
}

void cli_read_progress(const char *source, size_t done, size_t total, void *common) {
  const cli_common_t *c = common;
  if (source != read_source || done < read_done) {
    if (read_source) cli_progress_finish(&read_meter);
    snprintf(read_what, sizeof read_what, "reading %s:", source);
    cli_progress_start(&read_meter, c, read_what, "MB");
    read_meter.quiet_when_short = 1; /* small inputs say nothing */
    read_source = source;
  }
  read_done = done;
  cli_progress_update(&read_meter, (double)done / 1e6, (double)total / 1e6);
}
