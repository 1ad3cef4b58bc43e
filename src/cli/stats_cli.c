/* Shared pieces of the test commands (see stats_cli.h). */
#include "stats_cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  const vagap_table_t *table;
  size_t column;
} block_sort_ctx_t;

/* qsort has no context argument; one sort at a time per thread. */
static _Thread_local block_sort_ctx_t sort_ctx;

static int compare_by_key(const void *a, const void *b) {
  size_t i = *(const size_t *)a, k = *(const size_t *)b;
  int c = strcmp(vagap_table_cell(sort_ctx.table, i, sort_ctx.column, NULL),
                 vagap_table_cell(sort_ctx.table, k, sort_ctx.column, NULL));
  return c ? c : (i < k ? -1 : i > k);
}

int stats_blocks_make(const vagap_table_t *t, size_t by, const unsigned char *use,
                      stats_blocks_t *b) {
  memset(b, 0, sizeof *b);
  size_t n = vagap_table_nrows(t), m = 0;
  b->rows = malloc((n ? n : 1) * sizeof *b->rows);
  b->start = malloc((n + 2) * sizeof *b->start);
  b->key = malloc((n + 1) * sizeof *b->key);
  if (!b->rows || !b->start || !b->key) {
    stats_blocks_free(b);
    fputs("vagap: out of memory\n", stderr);
    return -1;
  }
  for (size_t i = 0; i < n; i++)
    if (!use || use[i]) b->rows[m++] = i;
  if (by == CLI_NO_COLUMN) {
    b->nblocks = 1;
    b->start[0] = 0;
    b->start[1] = m;
    b->key[0] = NULL;
    return 0;
  }
  sort_ctx = (block_sort_ctx_t){t, by};
  qsort(b->rows, m, sizeof *b->rows, compare_by_key);
  for (size_t i = 0; i < m; i++) {
    const char *k = vagap_table_cell(t, b->rows[i], by, NULL);
    if (i == 0 || strcmp(k, b->key[b->nblocks - 1]) != 0) {
      b->start[b->nblocks] = i;
      b->key[b->nblocks++] = k;
    }
  }
  b->start[b->nblocks] = m;
  return 0;
}

void stats_blocks_free(stats_blocks_t *b) {
  free(b->rows);
  free(b->start);
  free(b->key);
  memset(b, 0, sizeof *b);
}

void stats_put_num(cli_writer_t *w, double x) {
  /* JSON has no infinity: there it stays null like every non-finite number */
  if (isinf(x) && cli_writer_format(w) != CLI_FORMAT_JSON) cli_put_str(w, x > 0 ? "Inf" : "-Inf");
  else cli_put_num(w, x);
}

size_t stats_split_list(const char *s, char **buf, const char ***items) {
  *buf = strdup(s);
  size_t n = 1;
  for (const char *p = s; *p; p++) n += *p == ',';
  *items = malloc(n * sizeof **items);
  if (!*buf || !*items) {
    free(*buf);
    free(*items);
    *buf = NULL;
    *items = NULL;
    return (size_t)-1;
  }
  size_t k = 0;
  char *p = *buf;
  (*items)[k++] = p;
  for (; *p; p++)
    if (*p == ',') {
      *p = '\0';
      (*items)[k++] = p + 1;
    }
  return n;
}

int stats_parse_adjust(const cli_common_t *c, const char *arg, vagap_p_adjust_t *m) {
  vagap_error_t err;
  if (vagap_p_adjust_parse(arg, m, &err) != VAGAP_OK) {
    cli_usage_error(c, "--adjust: %s", err.message);
    return -1;
  }
  return 0;
}

int stats_parse_alternative(const cli_common_t *c, const char *arg, vagap_alternative_t *alt) {
  vagap_error_t err;
  if (vagap_alternative_parse(arg, alt, &err) != VAGAP_OK) {
    cli_usage_error(c, "--alternative: %s", err.message);
    return -1;
  }
  return 0;
}

int stats_parse_conf(const cli_common_t *c, const char *arg, double *conf) {
  if (cli_parse_double(c, "conf-level", arg, conf)) return -1;
  if (!(*conf > 0 && *conf < 1)) {
    cli_usage_error(c, "--conf-level: expected a level between 0 and 1, found %s", arg);
    return -1;
  }
  return 0;
}

int stats_adjust_rows(void *rows, size_t n, size_t size, size_t p_offset, size_t adjusted_offset,
                      vagap_p_adjust_t m) {
  double *p = calloc(n ? n : 1, sizeof *p);
  if (!p) return fputs("vagap: out of memory\n", stderr), -1;
  unsigned char *base = rows;
  /* memcpy: the doubles sit at byte offsets inside the caller's structs */
  for (size_t k = 0; k < n; k++) memcpy(&p[k], base + k * size + p_offset, sizeof p[k]);
  vagap_error_t err;
  int rc = 0;
  if (vagap_stats_p_adjust(p, n, m, p, &err) != VAGAP_OK) {
    cli_report_error(&err);
    rc = -1;
  }
  for (size_t k = 0; k < n && !rc; k++) memcpy(base + k * size + adjusted_offset, &p[k], sizeof p[k]);
  free(p);
  return rc;
}

int stats_test_option(const cli_common_t *c, int opt, const char *arg, vagap_alternative_t *alt,
                      double *conf, vagap_p_adjust_t *adjust) {
  int bad;
  switch (opt) {
  case STATS_OPT_ALTERNATIVE: bad = stats_parse_alternative(c, arg, alt); break;
  case STATS_OPT_CONF: bad = stats_parse_conf(c, arg, conf); break;
  case STATS_OPT_ADJUST: bad = stats_parse_adjust(c, arg, adjust); break;
  default: return 0;
  }
  return bad ? -1 : 1;
}
