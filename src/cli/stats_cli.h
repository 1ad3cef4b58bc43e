/*
 * stats_cli.h - what the test commands (ttest, corr, prop, score) share:
 * row blocks for --by, the broom-like output columns, infinite bounds,
 * comma lists and --adjust.
 */
#ifndef VAGAP_STATS_CLI_H
#define VAGAP_STATS_CLI_H

#include "broom.h"
#include "rows.h"

#define CLI_NO_COLUMN ((size_t)-1)

/*
 * Rows of a table split into blocks by the text of one column (sorted by
 * strcmp, rows in file order within a block), or one block of all rows
 * when there is no --by column.  Only rows with use[i] != 0 take part
 * (use may be NULL: all rows).
 */
typedef struct {
  size_t nblocks;
  size_t *rows;        /* row indices, block after block */
  size_t *start;       /* [nblocks + 1]: block b is rows[start[b] .. start[b+1]) */
  const char **key;    /* [nblocks]: the --by value, NULL without --by */
} stats_blocks_t;

/* 0 on success, -1 when out of memory (after printing so). */
int stats_blocks_make(const vagap_table_t *t, size_t by, const unsigned char *use,
                      stats_blocks_t *b);
void stats_blocks_free(stats_blocks_t *b);

/* A number cell that prints +-Inf as "Inf"/"-Inf" (R reads them back) in CSV/TSV and
   null in JSON (which has no infinity), NaN as NA/null. */
void stats_put_num(cli_writer_t *w, double x);

/*
 * Split a comma-separated list into *items (pointers into a copy owned by
 * *buf; free both with free()).  Empty items are kept as "".  Returns the
 * count, or (size_t)-1 when out of memory.
 */
size_t stats_split_list(const char *s, char **buf, const char ***items);

/*
 * --adjust over a table of result rows: rows is n structs of `size` bytes,
 * each holding its raw p-value (a double) at byte offset p_offset; the
 * adjusted p-value is written to the double at adjusted_offset (use
 * offsetof).  Returns 0, or -1 after printing why.
 */
int stats_adjust_rows(void *rows, size_t n, size_t size, size_t p_offset, size_t adjusted_offset,
                      vagap_p_adjust_t m);

/*
 * --alternative, --conf and --adjust, which ttest, corr and prop share.
 * Their getopt codes sit between a command's own (from 1) and the common
 * ones (from 1000).  Put STATS_TEST_LONG_OPTIONS in the option table.
 */
enum { STATS_OPT_ALTERNATIVE = 900, STATS_OPT_CONF, STATS_OPT_ADJUST };
#define STATS_TEST_LONG_OPTIONS                                     \
  {"alternative", required_argument, 0, STATS_OPT_ALTERNATIVE},     \
  {"conf-level", required_argument, 0, STATS_OPT_CONF},             \
  {"conf", required_argument, 0, STATS_OPT_CONF}, /* old spelling */ \
  {"adjust", required_argument, 0, STATS_OPT_ADJUST}

/*
 * Handle one getopt_long result if it is one of those three, storing into
 * *alt, *conf and *adjust.  Returns 1 if handled, 0 if not one of them, -1
 * after printing a usage error (like cli_common_option).
 */
int stats_test_option(const cli_common_t *c, int opt, const char *arg, vagap_alternative_t *alt,
                      double *conf, vagap_p_adjust_t *adjust);

/* Parse --adjust; prints a usage error and returns -1 on failure. */
int stats_parse_adjust(const cli_common_t *c, const char *arg, vagap_p_adjust_t *m);
int stats_parse_alternative(const cli_common_t *c, const char *arg, vagap_alternative_t *alt);
/* --conf: a level in (0, 1) */
int stats_parse_conf(const cli_common_t *c, const char *arg, double *conf);


#endif
