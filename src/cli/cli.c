/* Shared CLI plumbing: common options, messages, the row-accounting epilogue. */
#include "cli.h"
#include "progress.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char CLI_COMMON_OPTIONS_HELP[] =
    "Common options:\n"
    "  -o, --output FILE     write the table to FILE instead of standard output\n"
    "      --format FMT      csv (default), tsv or json (one object per line)\n"
    "      --digits N        significant digits of numbers (default 15; 17 round-trips)\n"
    "      --delim C         input field separator: one character, or comma (default),\n"
    "                        semicolon, tab ('\\t') or pipe\n"
    "      --decimal-comma   numbers are written 1,5 (the separator becomes ';' unless\n"
    "                        --delim is given)\n"
    "      --encoding ENC    the input's encoding (iconv names: UTF-16, UTF-16LE, LATIN1,\n"
    "                        CP1252, ...); default UTF-8, UTF-16 with a byte-order mark\n"
    "                        is recognised; invalid UTF-8 is replaced by '?' (warning)\n"
    "      --bad-rows MODE   error (default): a ragged row, a cell that is not a number\n"
    "                        where one is needed or an answer out of range stops the\n"
    "                        command; exclude: such rows are excluded with their reason\n"
    "      --na LIST         comma-separated missing-value tokens (default ',NA,NaN':\n"
    "                        the empty field, NA and NaN)\n"
    "      --max-field BYTES longest input field accepted (default 1048576)\n"
    "      --input-format F  csv or jsonl (JSON Lines: one object per line); by default\n"
    "                        jsonl for names ending .jsonl or .ndjson (+ .gz), else csv\n"
    "      --exclusions FILE write every row not used as source,line,reason\n"
    "      --quiet           no 'read R rows, used U, excluded E' line on stderr\n"
    "      --progress        progress with rate and ETA on stderr for long runs (the\n"
    "                        default when stderr is a terminal); --no-progress: none\n"
    "      --help            this help\n"
    "Input FILEs may be gzip-compressed; none or '-' reads standard input.\n";

/*
 * The library reads VAGAP_THREADS and VAGAP_SEGMENT_BYTES and ignores a value
 * that is not a positive whole number (src/lib/table.c, size_from_environment);
 * it cannot print, so the note that such a value is ignored comes from here.
 */
static void note_ignored_environment(const char *command) {
  static const char *const names[] = {"VAGAP_THREADS", "VAGAP_SEGMENT_BYTES"};
  for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
    const char *s = getenv(names[k]);
    if (!s || !*s) continue;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(s, &end, 10);
    if (*end || n == 0 || *s == '-' || n > SIZE_MAX)
      fprintf(stderr, "vagap %s: note: %s='%s' is not a positive whole number; ignored\n", command,
              names[k], s);
  }
}

/* The reader's warnings (invalid UTF-8 replaced) as the command's own. */
static void warn_from_reader(const char *message, void *command) {
  fprintf(stderr, "vagap %s: warning: %s\n", (const char *)command, message);
}

void cli_common_init(cli_common_t *c, const char *command) {
  static int environment_checked;
  if (!environment_checked) note_ignored_environment(command);
  environment_checked = 1;
  memset(c, 0, sizeof *c);
  vagap_table_options_init(&c->table);
  c->format = CLI_FORMAT_CSV;
  c->digits = 15;
  c->command = command;
  c->progress = -1;
  c->table.warn = warn_from_reader;
  c->table.warn_ctx = (void *)command;
  c->table.progress = cli_read_progress;
  c->table.progress_ctx = c;
}

int cli_usage_error(const cli_common_t *c, const char *fmt, ...) {
  fprintf(stderr, "vagap %s: ", c->command);
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\nTry 'vagap %s --help'.\n", c->command);
  return CLI_EXIT_USAGE;
}

void cli_warn(const cli_common_t *c, const char *fmt, ...) {
  fprintf(stderr, "vagap %s: warning: ", c->command);
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

int cli_report_error(const vagap_error_t *err) {
  cli_progress_interrupt();
  fputs("vagap: ", stderr);
  if (err->file[0]) {
    fputs(err->file, stderr);
    if (err->line > 0) fprintf(stderr, ":%ld", err->line);
    if (err->line > 0 && err->column > 0) fprintf(stderr, ":%ld", err->column);
    fputs(": ", stderr);
  }
  fprintf(stderr, "%s\n", err->message[0] ? err->message : vagap_strerror(err->status));
  return err->status == VAGAP_EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_DATA;
}

int cli_parse_double(const cli_common_t *c, const char *option, const char *arg, double *out) {
  vagap_error_t err;
  if (vagap_parse_double(arg, strlen(arg), out, &err) != VAGAP_OK) {
    cli_usage_error(c, "--%s: %s", option, err.message);
    return -1;
  }
  return 0;
}

int cli_parse_long(const cli_common_t *c, const char *option, const char *arg, long *out) {
  char *end;
  errno = 0;
  long v = strtol(arg, &end, 10);
  if (errno || end == arg || *end) {
    cli_usage_error(c, "--%s: expected a whole number, found '%s'", option, arg);
    return -1;
  }
  *out = v;
  return 0;
}

static int parse_delim(cli_common_t *c, const char *arg) {
  static const struct { const char *name; char delim; } names[] = {
      {"tab", '\t'}, {"\\t", '\t'}, {"semicolon", ';'}, {"comma", ','}, {"pipe", '|'}};
  char d = 0;
  for (size_t k = 0; k < sizeof names / sizeof *names; k++)
    if (strcasecmp(arg, names[k].name) == 0) d = names[k].delim;
  if (!d && strlen(arg) == 1 && arg[0] != '"' && arg[0] != '\n' && arg[0] != '\r') d = arg[0];
  if (!d)
    return cli_usage_error(c, "--delim: expected one character, or comma, semicolon, tab or pipe; "
                              "found '%s'", arg), -1;
  if (d == ',' && c->table.decimal_comma)
    return cli_usage_error(c, "--delim ',' cannot go with --decimal-comma"), -1;
  c->table.delim = d;
  c->delim_given = 1;
  return 1;
}

static int parse_bad_rows(cli_common_t *c, const char *arg) {
  if (strcmp(arg, "error") == 0) c->table.exclude_bad_rows = 0;
  else if (strcmp(arg, "exclude") == 0) c->table.exclude_bad_rows = 1;
  else return cli_usage_error(c, "--bad-rows: expected error or exclude, found '%s'", arg), -1;
  return 1;
}

static int take_decimal_comma(cli_common_t *c) {
  if (c->delim_given && c->table.delim == ',')
    return cli_usage_error(c, "--decimal-comma cannot go with --delim ','"), -1;
  c->table.decimal_comma = 1;
  if (!c->delim_given) c->table.delim = ';';
  return 1;
}


static int parse_input_format(cli_common_t *c, const char *arg) {
  if (strcmp(arg, "csv") == 0) c->table.input_format = VAGAP_INPUT_CSV;
  else if (strcmp(arg, "jsonl") == 0) c->table.input_format = VAGAP_INPUT_JSONL;
  else return cli_usage_error(c, "--input-format: expected csv or jsonl, found '%s'", arg), -1;
  return 1;
}

static int parse_format(cli_common_t *c, const char *arg) {
  if (strcmp(arg, "csv") == 0) c->format = CLI_FORMAT_CSV;
  else if (strcmp(arg, "tsv") == 0) c->format = CLI_FORMAT_TSV;
  else if (strcmp(arg, "json") == 0) c->format = CLI_FORMAT_JSON;
  else return cli_usage_error(c, "--format: expected csv, tsv or json, found '%s'", arg), -1;
  return 1;
}

int cli_common_option(cli_common_t *c, int opt, const char *arg) {
  long n;
  switch (opt) {
  case CLI_OPT_DELIM: return parse_delim(c, arg);
  case CLI_OPT_NA: c->table.na = arg; return 1;
  case CLI_OPT_FORMAT: return parse_format(c, arg);
  case CLI_OPT_DIGITS:
    if (cli_parse_long(c, "digits", arg, &n)) return -1;
    if (n < 1 || n > 17) return cli_usage_error(c, "--digits: expected 1 to 17, found %ld", n), -1;
    c->digits = (int)n;
    return 1;
  case CLI_OPT_MAX_FIELD:
    if (cli_parse_long(c, "max-field", arg, &n)) return -1;
    if (n < 1) return cli_usage_error(c, "--max-field: expected a positive number of bytes"), -1;
    c->table.max_field_bytes = (size_t)n;
    return 1;
  case CLI_OPT_INPUT_FORMAT: return parse_input_format(c, arg);
  case CLI_OPT_EXCLUSIONS:
    c->exclusions_path = arg;
    cli_outputs_declare(arg);
    return 1;
  case CLI_OPT_QUIET: c->quiet = 1; return 1;
  case CLI_OPT_BAD_ROWS: return parse_bad_rows(c, arg);
  case CLI_OPT_ENCODING: c->table.encoding = arg; return 1;
  case CLI_OPT_DECIMAL_COMMA: return take_decimal_comma(c);
  case CLI_OPT_PROGRESS: c->progress = 1; return 1;
  case CLI_OPT_NO_PROGRESS: c->progress = 0; return 1;
  case CLI_OPT_OUTPUT:
    c->output_path = arg;
    cli_outputs_declare(arg);
    return 1;
  case CLI_OPT_BAD: return -1; /* cli_getopt has said what was wrong */
  default: return 0;
  }
}

cli_inputs_t cli_inputs(int argc, char **argv, int first) {
  static const char *standard_input[] = {"-"};
  cli_inputs_t in;
  if (first >= argc) {
    in.paths = standard_input;
    in.n = 1;
  } else {
    in.paths = (const char **)(argv + first);
    in.n = (size_t)(argc - first);
  }
  for (size_t i = 0; i < in.n; i++)
    if (strcmp(in.paths[i], "-") == 0) cli_outputs_stdin_is_input();
  return in;
}

static const char *const EXCLUSION_COLUMNS[] = {"source", "line", "reason"};

static void put_exclusion(cli_writer_t *w, const char *source, long line, const char *reason) {
  cli_put_str(w, source);
  if (line > 0) cli_put_int(w, line);
  else cli_put_na(w);
  cli_put_str(w, reason);
}

/* --exclusions of a ledger that kept its rows (vagap report's). */
static int write_exclusions(const cli_common_t *c, const vagap_ledger_t *ledger) {
  FILE *f = cli_output_open(c->exclusions_path);
  if (!f) return CLI_EXIT_DATA;
  cli_writer_t *w = cli_writer_open_stream(f, CLI_FORMAT_CSV, c->digits, EXCLUSION_COLUMNS, 3);
  size_t n = vagap_ledger_rows_excluded(ledger);
  for (size_t i = 0; i < n; i++) {
    const vagap_exclusion_t *e = vagap_ledger_exclusion(ledger, i);
    if (e) put_exclusion(w, vagap_ledger_source_name(ledger, e->source), e->line, e->reason);
  }
  return cli_output_close(f, cli_writer_close(w));
}

/* The files a streaming ledger writes as rows are excluded (--exclusions, and a
   copy such as report's folder exclusions.csv); one ledger per process. */
static FILE *exclusions_file[2];
static cli_writer_t *exclusions_writer[2];
static size_t nexclusion_files;

static void exclusion_sink(const char *source, long line, const char *reason, void *ctx) {
  (void)ctx;
  for (size_t k = 0; k < nexclusion_files; k++) put_exclusion(exclusions_writer[k], source, line, reason);
}

static void open_exclusions(const cli_common_t *c, const char *path) {
  FILE *f = cli_output_open(path);
  if (!f) exit(CLI_EXIT_DATA);
  exclusions_file[nexclusion_files] = f;
  exclusions_writer[nexclusion_files++] =
      cli_writer_open_stream(f, CLI_FORMAT_CSV, c->digits, EXCLUSION_COLUMNS, 3);
}

void cli_check_common_outputs(const cli_common_t *c) {
  const char *out = c->output_path && strcmp(c->output_path, "-") != 0 ? c->output_path : NULL;
  if ((out && c->exclusions_path && cli_outputs_check_pair(out, c->exclusions_path)) ||
      (out && cli_outputs_check(out)) || (c->exclusions_path && cli_outputs_check(c->exclusions_path)))
    exit(CLI_EXIT_USAGE);
}

vagap_ledger_t *cli_ledger_alloc_copying(const cli_common_t *c, const char *copy_path) {
  cli_check_common_outputs(c);
  vagap_ledger_t *ledger = vagap_ledger_alloc();
  if (!ledger) return NULL;
  if (nexclusion_files == 0) {
    if (c->exclusions_path) open_exclusions(c, c->exclusions_path);
    if (copy_path) open_exclusions(c, copy_path);
  }
  vagap_ledger_stream(ledger, nexclusion_files ? exclusion_sink : NULL, NULL);
  return ledger;
}

vagap_ledger_t *cli_ledger_alloc(const cli_common_t *c) { return cli_ledger_alloc_copying(c, NULL); }

static void print_reason(const char *reason, size_t count, void *ctx) {
  (void)ctx;
  fprintf(stderr, "  excluded %zu: %s\n", count, reason);
}

int cli_finish_ledger(const cli_common_t *c, const vagap_ledger_t *ledger) {
  int rc = CLI_EXIT_OK;
  if (nexclusion_files) {
    for (size_t k = 0; k < nexclusion_files; k++) {
      int krc = cli_output_close(exclusions_file[k], cli_writer_close(exclusions_writer[k]));
      if (rc == CLI_EXIT_OK) rc = krc;
    }
    nexclusion_files = 0;
  } else if (c->exclusions_path && vagap_ledger_keeps_rows(ledger)) {
    rc = write_exclusions(c, ledger);
  }
  if (!c->quiet) {
    fprintf(stderr, "vagap %s: read %zu rows, used %zu, excluded %zu\n", c->command,
            vagap_ledger_rows_read(ledger), vagap_ledger_rows_used(ledger),
            vagap_ledger_rows_excluded(ledger));
    vagap_ledger_each_reason(ledger, print_reason, NULL);
  }
  return rc;
}

/* The long option named by `arg` ("--name" or "--name=value"): exact name, else the
   only one it abbreviates; NULL if none or several (then *nprefix counts them). */
static const struct option *find_long(const struct option *longopts, const char *arg,
                                      size_t *nprefix) {
  size_t len = strcspn(arg, "=");
  const struct option *prefix = NULL;
  *nprefix = 0;
  for (const struct option *o = longopts; o->name; o++) {
    if (strncmp(o->name, arg, len) != 0) continue;
    if (o->name[len] == '\0') return o;
    /* aliases of one option (same flag and value) do not make an abbreviation ambiguous */
    if (prefix && prefix->val == o->val && prefix->has_arg == o->has_arg) continue;
    prefix = o;
    (*nprefix)++;
  }
  return *nprefix == 1 ? prefix : NULL;
}

static int report_bad_long(const cli_common_t *c, const struct option *longopts, const char *arg) {
  size_t len = strcspn(arg, "=");
  size_t nprefix;
  const struct option *o = find_long(longopts, arg, &nprefix);
  if (o && o->has_arg == no_argument && arg[len] == '=')
    return cli_usage_error(c, "option '--%s' takes no value", o->name);
  if (o) return cli_usage_error(c, "option '--%s' needs a value", o->name);
  if (nprefix > 1) {
    char list[512];
    size_t used = 0;
    list[0] = '\0';
    for (const struct option *p = longopts; p->name && used + 64 < sizeof list; p++)
      if (strncmp(p->name, arg, len) == 0)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s--%s", used ? ", " : "", p->name);
    return cli_usage_error(c, "option '--%.*s' is ambiguous: %s", (int)len, arg, list);
  }
  const char *names[256];
  size_t n = 0;
  for (const struct option *p = longopts; p->name && n < sizeof names / sizeof names[0]; p++)
    names[n++] = p->name;
  char word[128];
  snprintf(word, sizeof word, "%.*s", (int)len, arg);
  const char *near = vagap_suggest(word, names, n);
  if (near) return cli_usage_error(c, "unknown option '--%s'; did you mean '--%s'?", word, near);
  return cli_usage_error(c, "unknown option '--%s'", word);
}

/* --help among the options (before "--"), whatever the other options say. */
static int asks_for_help(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) return 0;
    if (strcmp(argv[i], "--help") == 0) return 1;
  }
  return 0;
}

int cli_getopt(const cli_common_t *c, int argc, char **argv, const struct option *longopts) {
  opterr = 0; /* our own messages: glibc's would come on top of them */
  /* GNU programs print their help whatever else is on the line (so 'sem --bootstrap 1
     --help' describes the bootstrap instead of judging the 1); the rest is not parsed */
  if (optind <= 1 && asks_for_help(argc, argv)) {
    optind = argc;
    return CLI_OPT_HELP;
  }
  int prev = optind;
  int opt = getopt_long(argc, argv, CLI_COMMON_SHORT_OPTIONS, longopts, NULL);
  if (opt != '?' && opt != ':') return opt;
  /* the offending word is the last one getopt consumed */
  const char *arg = optind > prev ? argv[optind - 1] : argv[prev];
  if (arg && strncmp(arg, "--", 2) == 0) report_bad_long(c, longopts, arg + 2);
  else if (optopt && strchr(CLI_COMMON_SHORT_OPTIONS, optopt))
    cli_usage_error(c, "option '-%c' needs a value", optopt);
  else if (optopt) cli_usage_error(c, "unknown option '-%c'", optopt);
  else cli_usage_error(c, "unknown option '%s'", arg ? arg : "?");
  return CLI_OPT_BAD;
}

cli_writer_t *cli_writer_open_unit(const cli_common_t *c, const char *unit,
                                   const char *const *columns, size_t ncols) {
  const char *named[64];
  if (ncols == 0 || ncols > sizeof named / sizeof named[0]) return cli_writer_open(c, columns, ncols);
  memcpy(named, columns, ncols * sizeof *named);
  named[0] = unit;
  return cli_writer_open(c, named, ncols);
}
