/*
 * cli.h - what every vagap subcommand shares: common options, error and usage
 * reporting, the tidy-table writer and the row-accounting epilogue.
 *
 * Policy lives here, not in the library: output format, digits, where tables
 * and diagnostics go, exit codes (0 ok, 1 data error, 2 usage error).
 */
#ifndef VAGAP_CLI_H
#define VAGAP_CLI_H

#include <getopt.h>
#include <stdio.h>
#include "vagap/vagap.h"

#define CLI_EXIT_OK 0
#define CLI_EXIT_DATA 1
#define CLI_EXIT_USAGE 2

typedef enum { CLI_FORMAT_CSV, CLI_FORMAT_TSV, CLI_FORMAT_JSON } cli_format_t;

/* Options every command accepts (see CLI_COMMON_OPTIONS_HELP). */
typedef struct {
  vagap_table_options_t table; /* --delim, --na, --max-field */
  cli_format_t format;         /* --format csv|tsv|json */
  int digits;                  /* --digits N (significant digits, default 15) */
  const char *output_path;     /* -o FILE, default stdout */
  const char *exclusions_path; /* --exclusions FILE */
  int quiet;                   /* --quiet: no "read R rows" line */
  int progress;                /* --progress 1, --no-progress 0, else -1: when stderr is a terminal */
  int delim_given;             /* --delim was given (--decimal-comma then keeps it) */
  const char *command;         /* the subcommand's name, for messages */
} cli_common_t;

/* getopt_long codes of the common options; a command numbers its own options below 1000. */
enum {
  CLI_OPT_DELIM = 1000,
  CLI_OPT_NA,
  CLI_OPT_FORMAT,
  CLI_OPT_DIGITS,
  CLI_OPT_EXCLUSIONS,
  CLI_OPT_QUIET,
  CLI_OPT_MAX_FIELD,
  CLI_OPT_INPUT_FORMAT,
  CLI_OPT_HELP,
  CLI_OPT_BAD, /* cli_getopt: an unknown option or a missing value, already reported */
  CLI_OPT_BAD_ROWS,
  CLI_OPT_ENCODING,
  CLI_OPT_DECIMAL_COMMA,
  CLI_OPT_PROGRESS,
  CLI_OPT_NO_PROGRESS,
  CLI_OPT_OUTPUT = 'o'
};

/* Append to a command's struct option table (before the terminating zero entry). */
#define CLI_COMMON_LONG_OPTIONS                                   \
  {"delim", required_argument, 0, CLI_OPT_DELIM},                 \
  {"na", required_argument, 0, CLI_OPT_NA},                       \
  {"format", required_argument, 0, CLI_OPT_FORMAT},               \
  {"digits", required_argument, 0, CLI_OPT_DIGITS},               \
  {"exclusions", required_argument, 0, CLI_OPT_EXCLUSIONS},       \
  {"quiet", no_argument, 0, CLI_OPT_QUIET},                       \
  {"max-field", required_argument, 0, CLI_OPT_MAX_FIELD},         \
  {"input-format", required_argument, 0, CLI_OPT_INPUT_FORMAT},   \
  {"bad-rows", required_argument, 0, CLI_OPT_BAD_ROWS},           \
  {"encoding", required_argument, 0, CLI_OPT_ENCODING},           \
  {"decimal-comma", no_argument, 0, CLI_OPT_DECIMAL_COMMA},       \
  {"progress", no_argument, 0, CLI_OPT_PROGRESS},                 \
  {"no-progress", no_argument, 0, CLI_OPT_NO_PROGRESS},           \
  {"output", required_argument, 0, CLI_OPT_OUTPUT},               \
  {"help", no_argument, 0, CLI_OPT_HELP}

/* The short options string part for the common options ("o:"). */
#define CLI_COMMON_SHORT_OPTIONS "o:"

/*
 * getopt_long with CLI_COMMON_SHORT_OPTIONS and one message per mistake: an unknown
 * option (with the nearest known one, "did you mean"), an ambiguous abbreviation, a
 * missing or unwanted value.  It prints that message and returns CLI_OPT_BAD, which
 * cli_common_option turns into a usage error without a second message.
 */
int cli_getopt(const cli_common_t *c, int argc, char **argv, const struct option *longopts);

/* Help text for the common options, to print after a command's own. */
extern const char CLI_COMMON_OPTIONS_HELP[];

void cli_common_init(cli_common_t *c, const char *command);

/*
 * Handle one getopt_long result if it is a common option.  Returns 1 if it
 * was handled, 0 if it is not a common option, and -1 after printing a usage
 * error (the caller returns CLI_EXIT_USAGE).  CLI_OPT_HELP is not handled
 * here (returns 0) because each command prints its own help.
 */
int cli_common_option(cli_common_t *c, int opt, const char *arg);

/* Print "vagap CMD: message" and a pointer to --help; returns CLI_EXIT_USAGE. */
int cli_usage_error(const cli_common_t *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Print a library error as "vagap: FILE:LINE:COL: message" (the parts that
 * are known) and return the exit code: CLI_EXIT_USAGE for VAGAP_EINVAL,
 * CLI_EXIT_DATA otherwise.
 */
int cli_report_error(const vagap_error_t *err);

/* A warning on stderr: "vagap CMD: warning: ..." (suppressed by nothing). */
void cli_warn(const cli_common_t *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Parse helpers for option arguments; print a usage error and return -1 on failure. */
int cli_parse_double(const cli_common_t *c, const char *option, const char *arg, double *out);
int cli_parse_long(const cli_common_t *c, const char *option, const char *arg, long *out);

/* ---- tidy-table writer ---------------------------------------------------- */

typedef struct cli_writer cli_writer_t;

/*
 * Start a table with the given column names on c->output_path (or stdout).
 * Returns NULL (after printing why) if the output cannot be opened.
 */
cli_writer_t *cli_writer_open(const cli_common_t *c, const char *const *columns,
                              size_t ncols);
/* Same, writing to an already open stream that the caller keeps owning. */
/* cli_writer_open with the first column named `unit`: the --unit column's name, so that
   the table joins on that name with the input and with the other commands' tables. */
cli_writer_t *cli_writer_open_unit(const cli_common_t *c, const char *unit,
                                   const char *const *columns, size_t ncols);
cli_writer_t *cli_writer_open_stream(FILE *out, cli_format_t format, int digits,
                                     const char *const *columns, size_t ncols);

void cli_put_str(cli_writer_t *w, const char *s);   /* NULL prints NA */
void cli_put_num(cli_writer_t *w, double x);        /* non-finite prints NA */
void cli_put_int(cli_writer_t *w, long long x);
void cli_put_na(cli_writer_t *w);
void cli_put_bool(cli_writer_t *w, int x);          /* TRUE / FALSE as R reads them */

/*
 * Finish the table and close it (unless it is a caller-owned stream).
 * Returns CLI_EXIT_OK, or CLI_EXIT_DATA after printing a message if a write failed.
 */
int cli_writer_close(cli_writer_t *w);

/* The format a writer was opened with. */
cli_format_t cli_writer_format(const cli_writer_t *w);

/* Format a number the way the writer does (C locale, `digits` significant). */
void cli_format_number(char *buf, size_t size, double x, int digits);

/* ---- epilogue --------------------------------------------------------------- */

/*
 * Write --exclusions if asked, and "read R rows, used U, excluded E" on stderr
 * unless --quiet.  Returns CLI_EXIT_OK or CLI_EXIT_DATA if the file failed.
 */
int cli_finish_ledger(const cli_common_t *c, const vagap_ledger_t *ledger);

/*
 * The ledger of a command: the -o and --exclusions paths are checked first
 * (neither may be an input of the command nor the other: refused with exit
 * 2 before anything is written); with --exclusions its rows go to that file
 * as they are excluded, without it only their counts are kept.  Exits when
 * the exclusions file cannot be opened; NULL when out of memory.
 */
vagap_ledger_t *cli_ledger_alloc(const cli_common_t *c);
/* The same, the excluded rows also going to `copy_path` (report's folder exclusions.csv). */
vagap_ledger_t *cli_ledger_alloc_copying(const cli_common_t *c, const char *copy_path);
/* The checks of cli_ledger_alloc alone (for a command whose ledger keeps its rows). */
void cli_check_common_outputs(const cli_common_t *c);

/* ---- output files (outfile.c) ----------------------------------------------- */

/* main() hands over its arguments: any of them naming an existing file counts as an input. */
void cli_outputs_set_argv(int argc, char **argv);
/* An option argument (getopt's optarg) that names an output, not an input. */
void cli_outputs_declare(const char *arg);
/* The command reads standard input (a regular file there is an input too). */
void cli_outputs_stdin_is_input(void);
/* -1 (after printing why) when `path` is an input or an output already opened. */
int cli_outputs_check(const char *path);
/* -1 (after printing why) when the two outputs are one file. */
int cli_outputs_check_pair(const char *a, const char *b);
/*
 * Open `path` for writing: a temporary file in the same folder, renamed over
 * `path` by cli_outputs_commit; devices and pipes are written in place.
 * NULL (after printing why) when it cannot be opened; exits with status 2 when refused.
 */
FILE *cli_output_open(const char *path);
/* Close an output of cli_output_open; returns rc, or CLI_EXIT_DATA (printed) if writing failed. */
int cli_output_close(FILE *f, int rc);
/* The path an output stream was opened for; NULL for other streams. */
const char *cli_output_path(FILE *f);
/* Record that writing to output `f` failed with errno `e` (printed once, with its path). */
void cli_output_failed(FILE *f, int e);
/*
 * After the command: with rc == CLI_EXIT_OK rename every output into place,
 * else (or if one failed) remove them all, leaving the old files.  Returns the exit code.
 */
int cli_outputs_commit(int rc);
/* A folder the command created for its outputs: removed (when empty) if the command fails. */
void cli_outputs_created_dir(const char *dir);

/* The input files of a command: none or "-" means standard input. */
typedef struct {
  const char **paths;
  size_t n;
} cli_inputs_t;
cli_inputs_t cli_inputs(int argc, char **argv, int first);

/* ---- command table ---------------------------------------------------------- */

typedef int (*cli_command_fn)(int argc, char **argv);
typedef struct {
  const char *name;
  cli_command_fn run;
  const char *summary;
} cli_command_t;

/* Defined in commands.c: the subcommands, in the order --help lists them. */
extern const cli_command_t CLI_COMMANDS[];
extern const size_t CLI_NCOMMANDS;

/* One prototype per subcommand (src/cli/cmd_<name>.c). */
int cmd_describe(int argc, char **argv);
int cmd_align(int argc, char **argv);
int cmd_align_shen2025(int argc, char **argv); /* align --procedure shen2025 */
int cmd_consistency(int argc, char **argv);
int cmd_iat(int argc, char **argv);
int cmd_ttest(int argc, char **argv);
int cmd_corr(int argc, char **argv);
int cmd_prop(int argc, char **argv);
int cmd_score(int argc, char **argv);
int cmd_sem(int argc, char **argv);
int cmd_vaar(int argc, char **argv);
/* vagap sem --invariance/--bootstrap (cmd_sem_extra.c), entered from cmd_sem. */
int cmd_sem_extra_wanted(int argc, char **argv);
int cmd_sem_extra(int argc, char **argv);
int cmd_gap(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_power(int argc, char **argv);
int cmd_simulate(int argc, char **argv);

#endif
