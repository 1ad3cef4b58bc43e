/*
 * Tidy-table writer: CSV (RFC 4180), TSV (same quoting rules, tab separated,
 * as R's read.delim reads it) and JSON lines (one object per row, NA as null).
 * Numbers are printed with printf's %.*g, which uses the C locale because the
 * program never calls setlocale(); -0 is printed as 0.
 */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct cli_writer {
  FILE *out;
  int owns_stream;
  const char *path;
  cli_format_t format;
  int digits;
  char **columns;
  size_t ncols;
  size_t col; /* next column of the current row */
};

static char **copy_names(const char *const *columns, size_t n) {
  char **names = calloc(n ? n : 1, sizeof *names);
  if (!names) return NULL;
  for (size_t j = 0; j < n; j++) {
    names[j] = strdup(columns[j]);
    if (!names[j]) return NULL; /* the process exits on this path */
  }
  return names;
}

static void put_quoted(cli_writer_t *w, const char *s) {
  char delim = w->format == CLI_FORMAT_TSV ? '\t' : ',';
  int needs_quotes = strchr(s, delim) || strpbrk(s, "\"\r\n");
  if (!needs_quotes) {
    fputs(s, w->out);
    return;
  }
  fputc('"', w->out);
  for (const char *p = s; *p; p++) {
    if (*p == '"') fputc('"', w->out);
    fputc(*p, w->out);
  }
  fputc('"', w->out);
}

static void put_json_string(FILE *out, const char *s) {
  fputc('"', out);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    switch (*p) {
    case '"': fputs("\\\"", out); break;
    case '\\': fputs("\\\\", out); break;
    case '\n': fputs("\\n", out); break;
    case '\r': fputs("\\r", out); break;
    case '\t': fputs("\\t", out); break;
    default:
      if (*p < 0x20) fprintf(out, "\\u%04x", *p);
      else fputc(*p, out);
    }
  }
  fputc('"', out);
}

static void write_header(cli_writer_t *w) {
  if (w->format == CLI_FORMAT_JSON) return;
  for (size_t j = 0; j < w->ncols; j++) {
    if (j) fputc(w->format == CLI_FORMAT_TSV ? '\t' : ',', w->out);
    put_quoted(w, w->columns[j]);
  }
  fputc('\n', w->out);
}

cli_writer_t *cli_writer_open_stream(FILE *out, cli_format_t format, int digits,
                                     const char *const *columns, size_t ncols) {
  cli_writer_t *w = calloc(1, sizeof *w);
  if (!w || !(w->columns = copy_names(columns, ncols))) {
    fputs("vagap: out of memory\n", stderr);
    exit(CLI_EXIT_DATA);
  }
  w->out = out;
  w->format = format;
  w->digits = digits;
  w->ncols = ncols;
  write_header(w);
  return w;
}

cli_writer_t *cli_writer_open(const cli_common_t *c, const char *const *columns, size_t ncols) {
  FILE *out = stdout;
  if (c->output_path && strcmp(c->output_path, "-") != 0) {
    out = fopen(c->output_path, "w");
    if (!out) {
      fprintf(stderr, "vagap: %s: cannot open for writing: %s\n", c->output_path, strerror(errno));
      return NULL;
    }
  }
  cli_writer_t *w = cli_writer_open_stream(out, c->format, c->digits, columns, ncols);
  w->owns_stream = out != stdout;
  w->path = out != stdout ? c->output_path : "<stdout>";
  return w;
}

/* Separator before a cell, and the key in JSON; a new row starts at column 0. */
static void begin_cell(cli_writer_t *w) {
  if (w->format == CLI_FORMAT_JSON) {
    fputs(w->col == 0 ? "{" : ",", w->out);
    put_json_string(w->out, w->columns[w->col]);
    fputc(':', w->out);
  } else if (w->col > 0) {
    fputc(w->format == CLI_FORMAT_TSV ? '\t' : ',', w->out);
  }
}

static void end_cell(cli_writer_t *w) {
  if (++w->col < w->ncols) return;
  fputs(w->format == CLI_FORMAT_JSON ? "}\n" : "\n", w->out);
  w->col = 0;
}

void cli_put_na(cli_writer_t *w) {
  begin_cell(w);
  fputs(w->format == CLI_FORMAT_JSON ? "null" : "NA", w->out);
  end_cell(w);
}

void cli_put_str(cli_writer_t *w, const char *s) {
  if (!s) {
    cli_put_na(w);
    return;
  }
  begin_cell(w);
  if (w->format == CLI_FORMAT_JSON) put_json_string(w->out, s);
  else put_quoted(w, s);
  end_cell(w);
}

cli_format_t cli_writer_format(const cli_writer_t *w) { return w->format; }

void cli_format_number(char *buf, size_t size, double x, int digits) {
  if (x == 0) x = 0; /* turns -0 into 0 */
  snprintf(buf, size, "%.*g", digits, x);
}

void cli_put_num(cli_writer_t *w, double x) {
  if (!isfinite(x)) {
    cli_put_na(w);
    return;
  }
  char buf[64];
  cli_format_number(buf, sizeof buf, x, w->digits);
  begin_cell(w);
  fputs(buf, w->out);
  end_cell(w);
}

void cli_put_int(cli_writer_t *w, long long x) {
  begin_cell(w);
  fprintf(w->out, "%lld", x);
  end_cell(w);
}

void cli_put_bool(cli_writer_t *w, int x) {
  begin_cell(w);
  fputs(w->format == CLI_FORMAT_JSON ? (x ? "true" : "false") : (x ? "TRUE" : "FALSE"), w->out);
  end_cell(w);
}

int cli_writer_close(cli_writer_t *w) {
  if (!w) return CLI_EXIT_OK;
  int failed = fflush(w->out) != 0 || ferror(w->out);
  if (w->owns_stream && fclose(w->out) != 0) failed = 1;
  if (failed) fprintf(stderr, "vagap: %s: write failed: %s\n", w->path ? w->path : "output", strerror(errno));
  for (size_t j = 0; j < w->ncols; j++) free(w->columns[j]);
  free(w->columns);
  free(w);
  return failed ? CLI_EXIT_DATA : CLI_EXIT_OK;
}
