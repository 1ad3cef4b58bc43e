/*
 * vagap gap: calibration gap between self-report and behaviour per unit,
 * and the cross-task tests (vagap/gap.h).  Input is either one unit-summary
 * table (model,iat,behavior,selfreport) or up to three per-unit tables (the
 * outputs of `vagap iat`, `vagap prop`, `vagap score`) joined by unit.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gap_out.h"
#include "rows.h"

static const char HELP[] =
    "Usage: vagap gap [OPTIONS] [SUMMARY.csv]\n"
    "       vagap gap [OPTIONS] --behavior FILE --selfreport FILE [--iat FILE]\n"
    "Calibration gap (self-report - behaviour) per unit and across units: paired\n"
    "t-test with d_z, d_z0, d_av, d_rm, Hedges' g; share of units with gap > tau;\n"
    "quadrants by behaviour cut and tau; Pearson r of iat~behavior,\n"
    "selfreport~behavior, iat~selfreport; one-sample tests of IAT vs 0 and\n"
    "behaviour vs 0.5.  Behaviour and self-report are proportions in [0, 1].\n"
    "Units missing a measure are excluded from the cross-task analysis and listed.\n\n"
    "Input:\n"
    "      SUMMARY.csv           one row per unit with the columns below\n"
    "      --iat FILE, --behavior FILE, --selfreport FILE\n"
    "                            one per-unit table per measure, joined by unit name\n"
    "      --unit COL            unit column (default model; in per-measure files\n"
    "                            'group' or 'unit' is used when there is no 'model')\n"
    "      --iat-col COL         IAT column (default iat; per-measure files: else\n"
    "                            score); without one the analysis runs without an\n"
    "                            implicit measure\n"
    "      --behavior-col COL    behaviour column (default behavior; per-measure\n"
    "                            files: else estimate, prop)\n"
    "      --selfreport-col COL  self-report column (default selfreport; per-measure\n"
    "                            files: else pomp)\n"
    "      --selfreport-scale S  use only the rows of the self-report file whose\n"
    "                            'scale' column is S (`vagap score` writes one row\n"
    "                            per unit and scale)\n"
    "      --counts X,N          columns of prosocial and valid choice counts (in the\n"
    "                            summary or the behaviour file): adds the exact\n"
    "                            binomial test of the pooled choices\n"
    "      --no-iat              ignore any IAT column\n"
    "Analysis:\n"
    "      --tau T               over-claiming when gap > T (default 0.05)\n"
    "      --behavior-cut B      prosocial when behaviour >= B (default 0.65)\n"
    "      --iat-null M          null value of the IAT test (default 0)\n"
    "      --behavior-null P     null value of behaviour tests (default 0.5)\n"
    "      --conf-level P        confidence level (default 0.95)\n"
    "Output:\n"
    "      --units               one row per unit (model,iat,behavior,selfreport,gap,\n"
    "                            overclaiming,quadrant,complete,missing) instead of the\n"
    "                            test table\n"
    "      --units-out FILE      also write the per-unit table to FILE\n"
    "      --text                a readable summary on standard error\n"
    "Quadrants: prosocial_calibrated (behavior >= B, gap <= T), prosocial_overclaiming\n"
    "(behavior >= B, gap > T), low_calibrated (behavior < B, gap <= T),\n"
    "low_overclaiming (behavior < B, gap > T).  Thresholds are compared with a\n"
    "tolerance of 1e-9, so values equal to them in exact arithmetic are equal.\n";

enum {
  OPT_IAT = 1, OPT_BEHAVIOR, OPT_SELFREPORT, OPT_UNIT, OPT_IAT_COL, OPT_BEHAVIOR_COL,
  OPT_SELFREPORT_COL, OPT_COUNTS, OPT_NO_IAT, OPT_TAU, OPT_CUT, OPT_IAT_NULL, OPT_BEHAVIOR_NULL,
  OPT_CONF, OPT_UNITS, OPT_UNITS_OUT, OPT_TEXT, OPT_SCALE
};

typedef struct {
  cli_common_t c;
  const char *iat_path, *behavior_path, *selfreport_path;
  const char *unit_col, *iat_col, *behavior_col, *selfreport_col, *counts;
  int no_iat, units_table, text;
  const char *units_out;
  const char *selfreport_scale;
  vagap_gap_options_t opt;
} gap_args_t;

/* One measure read from a table: unit names (owned by the table) and values. */
typedef struct {
  vagap_table_t *table;
  size_t n;
  const char **units;
  double *values;
  size_t *rows;              /* table row of each unit */
  double *count_x, *count_n; /* --counts per unit, or NULL */
} measure_t;

static void free_measure(measure_t *m) {
  free(m->units);
  free(m->rows);
  free(m->values);
  free(m->count_x);
  free(m->count_n);
  vagap_table_free(m->table);
  memset(m, 0, sizeof *m);
}

/* The first of `candidates` (NULL-terminated) that the table has, or -1. */
static long find_candidate(const vagap_table_t *t, const char *const *candidates) {
  for (size_t k = 0; candidates[k]; k++) {
    size_t j;
    if (vagap_table_column(t, candidates[k], &j, NULL) == VAGAP_OK) return (long)j;
  }
  return -1;
}

/*
 * Resolve a column: the explicit name (required), or the first default
 * candidate present.  Returns 0 and sets *j, 1 when absent and optional, -1
 * after printing an error.
 */
static int resolve_column(const vagap_table_t *t, const char *explicit_name,
                          const char *const *candidates, int required, size_t *j) {
  vagap_error_t err;
  if (explicit_name) {
    if (vagap_table_column(t, explicit_name, j, &err) != VAGAP_OK) return cli_report_error(&err), -1;
    return 0;
  }
  long k = find_candidate(t, candidates);
  if (k >= 0) {
    *j = (size_t)k;
    return 0;
  }
  if (!required) return 1;
  vagap_table_column(t, candidates[0], j, &err); /* for its message listing the columns */
  return cli_report_error(&err), -1;
}

/* Split "X,N" into two column names (static buffers of the caller). */
static int split_counts(const char *spec, char *x, char *n, size_t size) {
  const char *comma = strchr(spec, ',');
  if (!comma || comma == spec || !comma[1] || strchr(comma + 1, ',')) return -1;
  snprintf(x, size, "%.*s", (int)(comma - spec), spec);
  snprintf(n, size, "%s", comma + 1);
  return 0;
}

/* Read the counts columns of --counts for m's units (0 ok, -1 after printing). */
static int read_counts(const gap_args_t *a, measure_t *m) {
  char xname[256], nname[256];
  if (split_counts(a->counts, xname, nname, sizeof xname))
    return cli_usage_error(&a->c, "--counts: expected two column names X,N, found '%s'", a->counts), -1;
  size_t jx, jn;
  if (resolve_column(m->table, xname, NULL, 1, &jx) || resolve_column(m->table, nname, NULL, 1, &jn))
    return -1;
  double *xs = cli_numeric_column(m->table, jx), *ns = xs ? cli_numeric_column(m->table, jn) : NULL;
  m->count_x = malloc((m->n ? m->n : 1) * sizeof(double));
  m->count_n = malloc((m->n ? m->n : 1) * sizeof(double));
  int rc = (xs && ns && m->count_x && m->count_n) ? 0 : -1;
  for (size_t k = 0; k < m->n && rc == 0; k++) {
    double x = xs[m->rows[k]], n = ns[m->rows[k]];
    if (isnan(x) && isnan(n)) x = n = 0; /* a unit without choices */
    m->count_x[k] = x;
    m->count_n[k] = n;
    if (!(x >= 0 && n >= x && x == floor(x) && n == floor(n) && n < 1e15)) {
      fprintf(stderr,
              "vagap: %s:%ld: counts %s = %g, %s = %g are not whole numbers with 0 <= X <= N\n",
              vagap_table_source(m->table), vagap_table_line(m->table, m->rows[k]), xname, x,
              nname, n);
      rc = -1;
    }
  }
  free(xs);
  free(ns);
  return rc;
}

/* Units and values of column jv (unit column ju) of m->table; rows without a
   unit name, and with `keep` set the rows whose column jfilter is not `keep`,
   are excluded in the ledger.  0, or -1 after printing. */
static int extract_measure(measure_t *m, size_t ju, size_t jv, vagap_ledger_t *ledger,
                           size_t jfilter, const char *keep) {
  size_t nrows = vagap_table_nrows(m->table);
  double *values = cli_numeric_column(m->table, jv);
  m->units = malloc((nrows ? nrows : 1) * sizeof *m->units);
  m->values = malloc((nrows ? nrows : 1) * sizeof *m->values);
  m->rows = malloc((nrows ? nrows : 1) * sizeof *m->rows);
  if (!values || !m->units || !m->values || !m->rows) {
    if (values) fputs("vagap: out of memory\n", stderr);
    free(values);
    return -1;
  }
  m->n = 0;
  for (size_t i = 0; i < nrows; i++) {
    if (vagap_table_is_na(m->table, i, ju)) {
      if (ledger)
        vagap_ledger_exclude(ledger, vagap_table_source_id(m->table), vagap_table_line(m->table, i),
                             "missing unit name");
      continue;
    }
    if (keep && strcmp(vagap_table_cell(m->table, i, jfilter, NULL), keep) != 0) {
      if (ledger)
        vagap_ledger_exclude(ledger, vagap_table_source_id(m->table), vagap_table_line(m->table, i),
                             "another scale than --selfreport-scale");
      continue;
    }
    m->units[m->n] = vagap_table_cell(m->table, i, ju, NULL);
    m->values[m->n] = values[i];
    m->rows[m->n] = i;
    m->n++;
  }
  free(values);
  return 0;
}

static const char *const UNIT_SUMMARY[] = {"model", NULL};
static const char *const UNIT_MEASURE_FILE[] = {"model", "group", "unit", NULL};
static const char *const IAT_CANDIDATES[] = {"iat", "score", NULL};
static const char *const BEHAVIOR_CANDIDATES[] = {"behavior", "estimate", "prop", NULL};
static const char *const SELFREPORT_CANDIDATES[] = {"selfreport", "pomp", NULL};
static const char *const IAT_SUMMARY[] = {"iat", NULL};
static const char *const BEHAVIOR_SUMMARY[] = {"behavior", NULL};
static const char *const SELFREPORT_SUMMARY[] = {"selfreport", NULL};

/*
 * --selfreport-scale S must be a scale of the file (else every row would be
 * excluded and the gap would fail later without saying why): 0, or -2 after a
 * usage error that lists the file's scales and the nearest one.
 */
static int check_scale_exists(const gap_args_t *a, const vagap_table_t *t, size_t js,
                              const char *scale) {
  size_t n = vagap_table_nrows(t), nnames = 0;
  const char *names[32];
  for (size_t i = 0; i < n; i++) {
    const char *s = vagap_table_cell(t, i, js, NULL);
    if (strcmp(s, scale) == 0) return 0;
    size_t k = 0;
    while (k < nnames && strcmp(names[k], s) != 0) k++;
    if (k == nnames && nnames < sizeof names / sizeof *names) names[nnames++] = s;
  }
  char list[512] = "";
  for (size_t k = 0, used = 0; k < nnames && used < sizeof list; k++)
    used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", k ? ", " : "", names[k]);
  const char *near = vagap_suggest(scale, names, nnames);
  cli_usage_error(&a->c, "--selfreport-scale: %s has no scale '%s'; its scales are: %s%s%s%s",
                  vagap_table_source(t), scale, nnames ? list : "(none)",
                  near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
  return -2;
}

/*
 * One per-measure file: read it, find its unit and value columns.  Returns
 * 0, -2 after a usage error, or -1 after printing an error.
 */
static int read_measure_file(const gap_args_t *a, const char *path, const char *explicit_col,
                             const char *const *candidates, const char *scale,
                             vagap_ledger_t *ledger, measure_t *m) {
  vagap_error_t err;
  if (vagap_table_read(&m->table, path, &a->c.table, ledger, &err) != VAGAP_OK)
    return cli_report_error(&err), -1;
  size_t ju, jv, js = 0;
  if (resolve_column(m->table, a->unit_col, UNIT_MEASURE_FILE, 1, &ju) ||
      resolve_column(m->table, explicit_col, candidates, 1, &jv) ||
      (scale && resolve_column(m->table, "scale", NULL, 1, &js)))
    return -1;
  if (scale && check_scale_exists(a, m->table, js, scale)) return -2;
  if (cli_screen_numbers(&a->c.table, m->table, ledger, &jv, 1)) return -1;
  return extract_measure(m, ju, jv, ledger, js, scale);
}

/* The three measures from one unit-summary table (which mb owns). */
static int read_summary(const gap_args_t *a, const char *path, vagap_ledger_t *ledger,
                        measure_t *mi, measure_t *mb, measure_t *ms) {
  vagap_error_t err;
  if (vagap_table_read(&mb->table, path, &a->c.table, ledger, &err) != VAGAP_OK)
    return cli_report_error(&err), -1;
  size_t ju, jb, js, ji;
  if (resolve_column(mb->table, a->unit_col, UNIT_SUMMARY, 1, &ju) ||
      resolve_column(mb->table, a->behavior_col, BEHAVIOR_SUMMARY, 1, &jb) ||
      resolve_column(mb->table, a->selfreport_col, SELFREPORT_SUMMARY, 1, &js))
    return -1;
  const char *numeric[3] = {vagap_table_colname(mb->table, jb), vagap_table_colname(mb->table, js),
                           a->no_iat ? NULL : a->iat_col ? a->iat_col : "iat"};
  if (cli_screen_named(&a->c.table, mb->table, ledger, numeric, 3)) return -1;
  ms->table = mb->table; /* borrowed; not freed through ms */
  if (extract_measure(mb, ju, jb, ledger, 0, NULL) || extract_measure(ms, ju, js, NULL, 0, NULL)) return -1;
  if (a->no_iat) return 0;
  int r = resolve_column(mb->table, a->iat_col, IAT_SUMMARY, a->iat_col != NULL, &ji);
  if (r < 0) return -1;
  if (r == 0) {
    mi->table = mb->table;
    if (extract_measure(mi, ju, ji, NULL, 0, NULL)) return -1;
  }
  return 0;
}

/* Counts aligned with the joined units by name (0, or -1 out of memory). */
static int align_counts(const measure_t *m, const vagap_gap_joined_t *j, size_t **x, size_t **n) {
  *x = calloc(j->n ? j->n : 1, sizeof **x);
  *n = calloc(j->n ? j->n : 1, sizeof **n);
  if (!*x || !*n) return fputs("vagap: out of memory\n", stderr), -1;
  for (size_t u = 0; u < j->n; u++)
    for (size_t k = 0; k < m->n; k++)
      if (strcmp(m->units[k], j->units[u]) == 0) {
        (*x)[u] = (size_t)m->count_x[k];
        (*n)[u] = (size_t)m->count_n[k];
        break;
      }
  return 0;
}

static int write_outputs(const gap_args_t *a, const vagap_gap_t *g) {
  int rc = CLI_EXIT_OK;
  /* the per-unit table names its unit column after --unit (model when not given) */
  const char *unit_columns[16];
  if (GAP_NUNIT_COLUMNS > sizeof unit_columns / sizeof unit_columns[0]) return CLI_EXIT_DATA;
  memcpy(unit_columns, GAP_UNIT_COLUMNS, GAP_NUNIT_COLUMNS * sizeof *unit_columns);
  if (a->unit_col) unit_columns[0] = a->unit_col;
  if (a->units_out) {
    FILE *f = cli_output_open(a->units_out);
    if (!f) return CLI_EXIT_DATA;
    cli_writer_t *w = cli_writer_open_stream(f, a->c.format, a->c.digits, unit_columns,
                                             GAP_NUNIT_COLUMNS);
    gap_write_units(w, g);
    rc = cli_output_close(f, cli_writer_close(w));
    if (rc != CLI_EXIT_OK) return rc;
  }
  cli_writer_t *w = a->units_table
                        ? cli_writer_open(&a->c, unit_columns, GAP_NUNIT_COLUMNS)
                        : cli_writer_open(&a->c, BROOM_COLUMN_NAMES, BROOM_NCOLUMNS);
  if (!w) return CLI_EXIT_DATA;
  if (a->units_table) gap_write_units(w, g);
  else rc = gap_write_tests(w, g);
  int closed = cli_writer_close(w);
  if (rc == CLI_EXIT_OK) rc = closed;
  if (a->text) gap_print_text(stderr, g);
  return rc;
}

static int run(const gap_args_t *a, const char *summary_path, vagap_ledger_t *ledger) {
  measure_t mi = {0}, mb = {0}, ms = {0};
  vagap_gap_joined_t j = {0};
  size_t *cx = NULL, *cn = NULL;
  vagap_error_t err;
  int rc = CLI_EXIT_DATA;
  int summary = summary_path != NULL;

  if (summary) {
    if (read_summary(a, summary_path, ledger, &mi, &mb, &ms)) goto done;
  } else {
    int r = read_measure_file(a, a->behavior_path, a->behavior_col, BEHAVIOR_CANDIDATES, NULL,
                              ledger, &mb);
    if (!r)
      r = read_measure_file(a, a->selfreport_path, a->selfreport_col, SELFREPORT_CANDIDATES,
                            a->selfreport_scale, ledger, &ms);
    if (r) {
      if (r == -2) rc = CLI_EXIT_USAGE;
      goto done;
    }
    if (a->iat_path && !a->no_iat &&
        read_measure_file(a, a->iat_path, a->iat_col, IAT_CANDIDATES, NULL, ledger, &mi))
      goto done;
  }
  vagap_gap_measure_t gi = {mi.n, mi.units, mi.values}, gb = {mb.n, mb.units, mb.values},
                      gs = {ms.n, ms.units, ms.values};
  if (vagap_gap_join(mi.units ? &gi : NULL, &gb, &gs, &j, &err) != VAGAP_OK) {
    if (summary) snprintf(err.file, sizeof err.file, "%s", summary_path);
    rc = cli_report_error(&err);
    if (!summary && strstr(err.message, "selfreport measure") && !a->selfreport_scale)
      fputs("  (a `vagap score` table has one row per unit and scale: pick one with "
            "--selfreport-scale)\n", stderr);
    goto done;
  }
  if (a->counts && (read_counts(a, &mb) || align_counts(&mb, &j, &cx, &cn))) goto done;
  vagap_gap_data_t data = {j.n, (const char *const *)j.units, j.iat, j.behavior, j.selfreport,
                           cx, cn};
  vagap_gap_t g;
  if (vagap_gap_analyze(&data, &a->opt, &g, &err) != VAGAP_OK) {
    if (summary && err.status == VAGAP_EDATA) snprintf(err.file, sizeof err.file, "%s", summary_path);
    rc = cli_report_error(&err);
    goto done;
  }
  rc = write_outputs(a, &g);
  vagap_gap_free(&g);
done:
  free(cx);
  free(cn);
  vagap_gap_joined_free(&j);
  if (mi.table == mb.table) mi.table = NULL;
  if (ms.table == mb.table) ms.table = NULL;
  free_measure(&mi);
  free_measure(&mb);
  free_measure(&ms);
  return rc;
}

static int parse_options(gap_args_t *a, int argc, char **argv) {
  static const struct option options[] = {
      {"iat", required_argument, 0, OPT_IAT},
      {"behavior", required_argument, 0, OPT_BEHAVIOR},
      {"selfreport", required_argument, 0, OPT_SELFREPORT},
      {"unit", required_argument, 0, OPT_UNIT},
      {"iat-col", required_argument, 0, OPT_IAT_COL},
      {"behavior-col", required_argument, 0, OPT_BEHAVIOR_COL},
      {"selfreport-col", required_argument, 0, OPT_SELFREPORT_COL},
      {"counts", required_argument, 0, OPT_COUNTS},
      {"no-iat", no_argument, 0, OPT_NO_IAT},
      {"tau", required_argument, 0, OPT_TAU},
      {"behavior-cut", required_argument, 0, OPT_CUT},
      {"iat-null", required_argument, 0, OPT_IAT_NULL},
      {"behavior-null", required_argument, 0, OPT_BEHAVIOR_NULL},
      {"conf-level", required_argument, 0, OPT_CONF},
      {"units", no_argument, 0, OPT_UNITS},
      {"units-out", required_argument, 0, OPT_UNITS_OUT},
      {"text", no_argument, 0, OPT_TEXT},
      {"selfreport-scale", required_argument, 0, OPT_SCALE},
      CLI_COMMON_LONG_OPTIONS,
      {0, 0, 0, 0}};
  int opt;
  while ((opt = cli_getopt(&a->c, argc, argv, options)) != -1) {
    int handled = cli_common_option(&a->c, opt, optarg);
    if (handled < 0) return CLI_EXIT_USAGE;
    if (handled) continue;
    switch (opt) {
    case OPT_IAT: a->iat_path = optarg; break;
    case OPT_BEHAVIOR: a->behavior_path = optarg; break;
    case OPT_SELFREPORT: a->selfreport_path = optarg; break;
    case OPT_UNIT: a->unit_col = optarg; break;
    case OPT_IAT_COL: a->iat_col = optarg; break;
    case OPT_BEHAVIOR_COL: a->behavior_col = optarg; break;
    case OPT_SELFREPORT_COL: a->selfreport_col = optarg; break;
    case OPT_COUNTS: a->counts = optarg; break;
    case OPT_NO_IAT: a->no_iat = 1; break;
    case OPT_TAU: if (cli_parse_double(&a->c, "tau", optarg, &a->opt.tau)) return CLI_EXIT_USAGE; break;
    case OPT_CUT:
      if (cli_parse_double(&a->c, "behavior-cut", optarg, &a->opt.behavior_cut)) return CLI_EXIT_USAGE;
      break;
    case OPT_IAT_NULL:
      if (cli_parse_double(&a->c, "iat-null", optarg, &a->opt.iat_null)) return CLI_EXIT_USAGE;
      break;
    case OPT_BEHAVIOR_NULL:
      if (cli_parse_double(&a->c, "behavior-null", optarg, &a->opt.behavior_null)) return CLI_EXIT_USAGE;
      break;
    case OPT_CONF:
      if (cli_parse_double(&a->c, "conf-level", optarg, &a->opt.conf_level)) return CLI_EXIT_USAGE;
      break;
    case OPT_UNITS: a->units_table = 1; break;
    case OPT_UNITS_OUT:
      a->units_out = optarg;
      cli_outputs_declare(optarg);
      break;
    case OPT_TEXT: a->text = 1; break;
    case OPT_SCALE: a->selfreport_scale = optarg; break;
    case CLI_OPT_HELP: printf("%s\n%s", HELP, CLI_COMMON_OPTIONS_HELP); return -1;
    default: return cli_usage_error(&a->c, "unknown option or missing argument");
    }
  }
  return CLI_EXIT_OK;
}

int cmd_gap(int argc, char **argv) {
  gap_args_t a;
  memset(&a, 0, sizeof a);
  cli_common_init(&a.c, "gap");
  vagap_gap_options_init(&a.opt);
  int rc = parse_options(&a, argc, argv);
  if (rc < 0) return CLI_EXIT_OK; /* --help */
  if (rc != CLI_EXIT_OK) return rc;
  vagap_error_t err;
  if (vagap_gap_options_check(&a.opt, &err) != VAGAP_OK) return cli_usage_error(&a.c, "%s", err.message);
  int separate = a.behavior_path || a.selfreport_path || a.iat_path;
  if (separate && (!a.behavior_path || !a.selfreport_path))
    return cli_usage_error(&a.c, "per-measure input needs both --behavior and --selfreport");
  if (separate && optind < argc)
    return cli_usage_error(&a.c, "give either a summary file or --behavior/--selfreport, not both");
  if (argc - optind > 1) return cli_usage_error(&a.c, "gap reads one summary file, got %d", argc - optind);
  const char *summary = separate ? NULL : (optind < argc ? argv[optind] : "-");

  vagap_ledger_t *ledger = cli_ledger_alloc(&a.c);
  if (!ledger) return fputs("vagap: out of memory\n", stderr), CLI_EXIT_DATA;
  rc = run(&a, summary, ledger);
  if (rc == CLI_EXIT_OK) rc = cli_finish_ledger(&a.c, ledger);
  vagap_ledger_free(ledger);
  return rc;
}
