/*
 * Tidy-table writer: CSV (RFC 4180), TSV (same quoting rules, tab separated,
 * as R's read.delim reads it) and JSON lines (one object per row, NA as null).
 * Numbers are printed as printf's %.*g would (C locale: the program never
 * calls setlocale()), by a faster route for most values; -0 is printed as 0.
 */
#include "cli.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
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
    out = cli_output_open(c->output_path);
    if (!out) return NULL;
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

/* ---- numbers -------------------------------------------------------------- */
/*
 * printf's %.*g, faster.  Tables of numbers are most of what vagap writes,
 * and glibc formats every double with exact multi-precision arithmetic.
 * Here |x| is scaled to `digits` significant digits in long double: powers of
 * ten up to 10^27 are exact there, so the scaled value is within 2^-63
 * (relative) of the true one, and that decides the rounding unless the value
 * lies within a wide margin of a tie between two neighbours.  Those cases,
 * exponents beyond the exact powers, and platforms whose long double is not
 * the 64-bit-significand type go to snprintf.  The layout follows %g (C11
 * 7.21.6.1): style e when the exponent is below -4 or not below the
 * precision, trailing zeros and a bare decimal point removed.
 * tests/unit/test_output.c compares it with snprintf on many values.
 */

#define EXACT_POW10_MAX 27

static const long double POW10[EXACT_POW10_MAX + 1] = {
    1e0L,  1e1L,  1e2L,  1e3L,  1e4L,  1e5L,  1e6L,  1e7L,  1e8L,  1e9L,
    1e10L, 1e11L, 1e12L, 1e13L, 1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L,
    1e20L, 1e21L, 1e22L, 1e23L, 1e24L, 1e25L, 1e26L, 1e27L};

/* a * 10^k with k in [-27, 27]; 0 when k is outside. */
static long double scale_pow10(double a, int k) {
  if (k > EXACT_POW10_MAX || k < -EXACT_POW10_MAX) return 0.0L;
  return k >= 0 ? (long double)a * POW10[k] : (long double)a / POW10[-k];
}

/*
 * The `digits` significant digits of a > 0 as an integer *n in
 * [10^(digits-1), 10^digits), and the decimal exponent *e of its first
 * digit.  Returns 0 when the fast path cannot decide.
 */
static int significant_digits(double a, int digits, uint64_t *n, int *e) {
  int exp10 = (int)floor(log10(a));
  long double y = 0.0L;
  for (int tries = 0;; tries++) {
    if (tries > 2) return 0;
    y = scale_pow10(a, digits - 1 - exp10);
    if (y == 0.0L) return 0;
    if (y < POW10[digits - 1]) exp10--;
    else if (y >= POW10[digits]) exp10++;
    else break;
  }
  long double whole = floorl(y), frac = y - whole;
  if (fabsl(frac - 0.5L) <= y * 0x1p-58L) return 0; /* too near a tie to trust */
  uint64_t m = (uint64_t)whole + (frac > 0.5L);
  if (m == (uint64_t)POW10[digits]) { /* 9.99... rounded up to 10.0 */
    m /= 10;
    exp10++;
  }
  *n = m;
  *e = exp10;
  return 1;
}

static char *put_exponent(char *out, int e) {
  *out++ = 'e';
  *out++ = e < 0 ? '-' : '+';
  unsigned u = (unsigned)(e < 0 ? -e : e);
  if (u >= 100) *out++ = (char)('0' + u / 100);
  *out++ = (char)('0' + u / 10 % 10);
  *out++ = (char)('0' + u % 10);
  return out;
}

/*
 * The error bound above needs long double arithmetic with its 64-bit
 * significand.  valgrind (and an x87 unit set to double precision) computes
 * it at double precision, so that is checked once, at run time.
 */
static int long_double_is_extended(void) {
  static _Atomic int state; /* 0: not checked yet, 1: extended, 2: not */
  int s = atomic_load_explicit(&state, memory_order_relaxed);
  if (s == 0) {
    volatile long double one = 1.0L, tiny = 0x1p-60L;
    s = (one + tiny != one) ? 1 : 2;
    atomic_store_explicit(&state, s, memory_order_relaxed);
  }
  return s == 1;
}

/* %.*g of a finite nonzero x into buf (at least 32 bytes); 0 when it must go to snprintf. */
static int format_g_fast(char *buf, double x, int digits) {
#if LDBL_MANT_DIG >= 64
  if (digits < 1 || digits > 17 || !long_double_is_extended()) return 0;
  uint64_t n;
  int e;
  if (!significant_digits(fabs(x), digits, &n, &e)) return 0;
  char d[20];
  for (int i = digits - 1; i >= 0; i--, n /= 10) d[i] = (char)('0' + n % 10);
  int nd = digits; /* digits left once trailing zeros go */
  while (nd > 1 && d[nd - 1] == '0') nd--;
  char *out = buf;
  if (x < 0) *out++ = '-';
  if (e < -4 || e >= digits) {
    *out++ = d[0];
    if (nd > 1) {
      *out++ = '.';
      for (int i = 1; i < nd; i++) *out++ = d[i];
    }
    out = put_exponent(out, e);
  } else if (e >= 0) {
    for (int i = 0; i <= e; i++) *out++ = d[i];
    if (nd > e + 1) {
      *out++ = '.';
      for (int i = e + 1; i < nd; i++) *out++ = d[i];
    }
  } else {
    *out++ = '0';
    *out++ = '.';
    for (int i = 0; i < -e - 1; i++) *out++ = '0';
    for (int i = 0; i < nd; i++) *out++ = d[i];
  }
  *out = '\0';
  return 1;
#else
  (void)buf, (void)x, (void)digits;
  return 0;
#endif
}

void cli_format_number(char *buf, size_t size, double x, int digits) {
  if (x == 0) x = 0; /* turns -0 into 0 */
  if (size >= 32 && isfinite(x) && x != 0 && format_g_fast(buf, x, digits)) return;
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
  /* digits written backwards into a small buffer: printf's machinery costs more than the number */
  char buf[24], *p = buf + sizeof buf;
  unsigned long long u = x < 0 ? 0ULL - (unsigned long long)x : (unsigned long long)x;
  *--p = '\0';
  do *--p = (char)('0' + u % 10); while (u /= 10);
  if (x < 0) *--p = '-';
  begin_cell(w);
  fputs(p, w->out);
  end_cell(w);
}

void cli_put_bool(cli_writer_t *w, int x) {
  begin_cell(w);
  fputs(w->format == CLI_FORMAT_JSON ? (x ? "true" : "false") : (x ? "TRUE" : "FALSE"), w->out);
  end_cell(w);
}

int cli_writer_close(cli_writer_t *w) {
  if (!w) return CLI_EXIT_OK;
  errno = 0;
  int failed = fflush(w->out) != 0 || ferror(w->out);
  int e = errno;
  if (failed && cli_output_path(w->out)) cli_output_failed(w->out, e); /* says which file */
  else if (failed)
    fprintf(stderr, "vagap: %s: write failed: %s\n", w->path ? w->path : "output",
            strerror(e ? e : EIO));
  if (w->owns_stream && cli_output_close(w->out, CLI_EXIT_OK) != CLI_EXIT_OK) failed = 1;
  for (size_t j = 0; j < w->ncols; j++) free(w->columns[j]);
  free(w->columns);
  free(w);
  return failed ? CLI_EXIT_DATA : CLI_EXIT_OK;
}
