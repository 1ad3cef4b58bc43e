/*
 * vagap iat: Implicit Association Test scores from long logs.
 *   --method assoc   association-count IAT of language models (Bai et al.; Andric 2025)
 *   --method dscore  latency IAT D-score (Greenwald, Nosek & Banaji 2003)
 * The scoring is in the library (vagap/iat.h); this file maps columns and
 * codes, streams the rows, accounts for every row and prints the tables.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "broom.h"
#include "iat_out.h"
#include "rows.h"
#include "stats_cli.h"
#include "vagap/study.h"

static const char HELP[] =
    "Usage: vagap iat --method assoc|dscore [OPTIONS] [FILE...]\n"
    "Score Implicit Association Tests.  Rows of several FILEs are pooled.\n\n"
    "--method assoc: association-count IAT of language models.  One row per word\n"
    "assignment (columns model,trial,word,valence,assigned).  Per trial, with\n"
    "a = contrast&negative, b = contrast&positive, c = focal&negative, d = focal&positive:\n"
    "    score = d/(c+d+s) + a/(a+b+s) - 1\n"
    "Output: one row per unit: score (mean of valid trials), sd (n-1), sd_pop (n),\n"
    "n_valid, n_invalid, n_ignored (words in neither list), n_other_target,\n"
    "n_duplicate; or one row per trial with --per-trial.\n"
    "      --unit COL          unit column (default model)\n"
    "      --trial COL         trial column (default trial)\n"
    "      --word COL          word column (default word)\n"
    "      --valence COL       valence column, values positive/negative (default valence);\n"
    "                          anything else (or missing) means the word is ignored\n"
    "      --assigned COL      chosen-target column (default assigned)\n"
    "      --focal NAME        focal target (default other)\n"
    "      --contrast NAME     contrast target (default self)\n"
    "      --positive-words FILE, --negative-words FILE\n"
    "                          attribute lists, one word per line; when given, valence\n"
    "                          comes from the lists and the valence column is not read.\n"
    "                          Words, valence values and targets are compared\n"
    "                          case-insensitively with surrounding whitespace and\n"
    "                          punctuation trimmed (as `vagap prop` and `vagap report` do)\n"
    "      --smoothing S       s >= 0 (default 0)\n"
    "      --empty-rule RULE   invalid: a trial with c+d = 0 or a+b = 0 is invalid (default);\n"
    "                          zero: a trial without mapped words scores 0\n"
    "      --preset NAME       andric2025 (s = 0, invalid) or bai2024 (s = 0.01, zero)\n"
    "      --per-trial         one row per trial (a,b,c,d, score, valid) instead of per unit\n"
    "Words in neither list, words given to a third target, repeated words in a trial\n"
    "and rows without a unit, trial, word, or (for a valenced word) target are\n"
    "excluded with their reason (see --exclusions); a row without a word or target\n"
    "still registers its trial.\n\n"
    "--method dscore: latency IAT D-score.  One row per trial (columns\n"
    "subject,block,latency,error; latency in ms, error 0/1 or TRUE/FALSE).\n"
    "D = mean of (M_B6 - M_B3)/SD(B3+B6) and (M_B7 - M_B4)/SD(B4+B7); positive D =\n"
    "faster in the compatible pairing.  Output: one row per subject.\n"
    "      --subject COL, --block COL, --latency COL, --error COL   column names\n"
    "      --blocks B3,B4,B6,B7  block codes of practice-compatible, test-compatible,\n"
    "                          practice-incompatible, test-incompatible (default 3,4,6,7);\n"
    "                          other blocks are excluded\n"
    "      --practice-compatible CODE, --test-compatible CODE,\n"
    "      --practice-incompatible CODE, --test-incompatible CODE   the same one by one\n"
    "      --variant D1..D6    D1/D2 latencies as recorded, D3/D5 errors -> correct mean\n"
    "                          + 2 SD, D4/D6 errors -> correct mean + penalty; D2/D5/D6\n"
    "                          drop fast trials (default D6)\n"
    "      --sd-after-replacement  pooled SDs from replaced latencies (default: recorded)\n"
    "      --slow-trial MS     drop trials slower than MS (default 10000)\n"
    "      --fast-trial MS     D2/D5/D6 drop trials faster than MS (default 400)\n"
    "      --fast-subject P    flag subjects with a share > P of fast trials (default 0.10)\n"
    "      --fast-subject-latency MS  what counts as fast for that (default 300)\n"
    "      --keep-fast-subjects  score flagged subjects (default: excluded, D = NA)\n"
    "      --penalty MS        D4/D6 error penalty (default 600)\n"
    "      --reliability       split-half D (odd/even trials within block, each half\n"
    "                          scored on its own): columns D_odd, D_even and, in the\n"
    "                          --test table, split-half r and its Spearman-Brown step-up\n\n"
    "Both methods:\n"
    "      --method METHOD     assoc or dscore (required)\n"
    "      --test FILE         write the group table to FILE (broom columns group,term,\n"
    "                          estimate,std.error,statistic,df,p.value,conf.low,conf.high,\n"
    "                          n,method): one-sample t-test of unit scores (or of D)\n"
    "                          against 0, plus the reliability rows with --reliability.\n"
    "                          Without --test only a one-line note goes to stderr.\n"
    "                          FILE must not be the main output.\n"
    "      --conf-level P      confidence level of the t-test interval (default 0.95)\n";

enum {
  OPT_METHOD = 1, OPT_UNIT, OPT_TRIAL, OPT_WORD, OPT_VALENCE, OPT_ASSIGNED, OPT_FOCAL,
  OPT_CONTRAST, OPT_POSITIVE_WORDS, OPT_NEGATIVE_WORDS, OPT_SMOOTHING, OPT_EMPTY_RULE,
  OPT_PRESET, OPT_PER_TRIAL, OPT_SUBJECT, OPT_BLOCK, OPT_LATENCY, OPT_ERROR, OPT_BLOCKS,
  OPT_PC, OPT_TC, OPT_PI, OPT_TI, OPT_VARIANT, OPT_SD_AFTER, OPT_SLOW_TRIAL, OPT_FAST_TRIAL,
  OPT_FAST_SUBJECT, OPT_FAST_SUBJECT_LATENCY, OPT_KEEP_FAST, OPT_PENALTY, OPT_RELIABILITY,
  OPT_TEST, OPT_CONF_LEVEL
};

typedef enum { METHOD_NONE, METHOD_ASSOC, METHOD_DSCORE } method_t;

typedef struct {
  char **words; /* the lines of a word-list file, as read */
  size_t n;
} word_list_t;

typedef struct {
  cli_common_t common;
  method_t method;
  const char *test_path;
  double conf_level;
  /* assoc */
  vagap_study_iat_options_t log; /* column names, targets and scoring options of the log */
  const char *positive_path, *negative_path;
  int per_trial;
  /* dscore */
  const char *subject_col, *block_col, *latency_col, *error_col;
  const char *block_codes[4]; /* by vagap_iat_block_t */
  char *blocks_arg;           /* owned copy of --blocks */
  vagap_iat_dscore_options_t dscore;
  int reliability;
} iat_args_t;

static void free_list(word_list_t *l) {
  for (size_t i = 0; i < l->n; i++) free(l->words[i]);
  free(l->words);
  l->words = NULL;
  l->n = 0;
}

/* Read the lines of a word-list file (the library normalises them).  Returns an exit code. */
static int load_list(const char *path, word_list_t *l) {
  FILE *f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "vagap: %s: cannot open: %s\n", path, strerror(errno));
    return CLI_EXIT_DATA;
  }
  char *line = NULL;
  size_t line_cap = 0, cap = 0;
  int rc = CLI_EXIT_OK;
  while (getline(&line, &line_cap, f) >= 0) {
    if (l->n == cap) {
      cap = cap ? 2 * cap : 64;
      char **w = realloc(l->words, cap * sizeof *w);
      if (!w) { rc = CLI_EXIT_DATA; break; }
      l->words = w;
    }
    if (!(l->words[l->n] = strdup(line))) { rc = CLI_EXIT_DATA; break; }
    l->n++;
  }
  if (rc != CLI_EXIT_OK) fputs("vagap: out of memory\n", stderr);
  else if (ferror(f)) {
    fprintf(stderr, "vagap: %s: read error\n", path);
    rc = CLI_EXIT_DATA;
  }
  free(line);
  fclose(f);
  return rc;
}

/* The two files as the library's word lists (a word in both refuses them). */
static int load_lists(const iat_args_t *a, vagap_study_word_lists_t *lists) {
  word_list_t pos = {NULL, 0}, neg = {NULL, 0};
  int rc = load_list(a->positive_path, &pos);
  if (rc == CLI_EXIT_OK) rc = load_list(a->negative_path, &neg);
  vagap_error_t err;
  if (rc == CLI_EXIT_OK &&
      vagap_study_word_lists_init(lists, (const char *const *)pos.words, pos.n,
                                  (const char *const *)neg.words, neg.n, &err) != VAGAP_OK) {
    fprintf(stderr, "vagap: %s and %s: %s\n", a->positive_path, a->negative_path, err.message);
    rc = CLI_EXIT_DATA;
  }
  free_list(&pos);
  free_list(&neg);
  return rc;
}

/* ---- shared helpers -------------------------------------------------------------- */

static int out_of_memory(void) {
  cli_out_of_memory();
  return CLI_EXIT_DATA;
}

/* Record an excluded row; returns an exit code. */
static int exclude(vagap_ledger_t *ledger, const vagap_reader_t *r, const vagap_row_t *row,
                   const char *reason) {
  return cli_exclude_line(ledger, vagap_reader_source_id(r), row->line, reason) ? CLI_EXIT_DATA
                                                                                 : CLI_EXIT_OK;
}

/* Library error about a row: add the location and report it. */
static int report_row_error(vagap_error_t *err, const vagap_reader_t *r, const vagap_row_t *row,
                            size_t column) {
  if (err->status == VAGAP_ENOMEM) return out_of_memory();
  char message[VAGAP_ERROR_MESSAGE_MAX];
  snprintf(message, sizeof message, "%s", err->message);
  vagap_error_set(err, VAGAP_EDATA, vagap_reader_source(r), row->line, (long)column + 1, "%s",
                  message);
  return cli_report_error(err);
}

static int is_na(const vagap_reader_t *r, const vagap_row_t *row, size_t j) {
  return vagap_reader_is_na(r, row->fields[j], row->lengths[j]);
}

/* Case-insensitive equality of a field, trimmed of blanks, with a name. */
static int field_is(const char *s, size_t len, const char *name) {
  while (len && isspace((unsigned char)*s)) s++, len--;
  while (len && isspace((unsigned char)s[len - 1])) len--;
  return strlen(name) == len && strncasecmp(s, name, len) == 0;
}


static void put_estimate_row(cli_writer_t *w, const char *term, double estimate, size_t n,
                             const char *method) {
  broom_row_t r = broom_estimate(NULL, term, estimate, n, method);
  broom_put(w, stats_put_num, &r);
}

/*
 * Open the --test table before any output, so that a file that cannot be
 * written fails the command while standard output is still empty.
 * Returns an exit code; *w stays NULL without --test.
 */
static int open_group_table(const iat_args_t *a, cli_writer_t **w) {
  *w = NULL;
  if (!a->test_path) return CLI_EXIT_OK;
  cli_common_t c = a->common;
  c.output_path = a->test_path;
  *w = cli_writer_open(&c, BROOM_COLUMN_NAMES, BROOM_NCOLUMNS);
  return *w ? CLI_EXIT_OK : CLI_EXIT_DATA;
}

/*
 * The group table: t-test of `scores` against 0 (term `term`) and, when
 * `rel` is not NULL, the reliability rows.  Written to `w` (the --test
 * table, closed here); without it a one-line note goes to stderr.
 */
static int write_group_table(const iat_args_t *a, cli_writer_t *w, const char *term,
                             const double *scores, size_t n,
                             const vagap_iat_reliability_t *rel) {
  vagap_ttest_t t;
  vagap_ttest_options_t opt;
  vagap_ttest_options_init(&opt);
  opt.conf_level = a->conf_level;
  vagap_error_t err;
  vagap_status_t st = vagap_stats_ttest_one(scores, n, &opt, &t, &err);
  if (st == VAGAP_ENOMEM) {
    if (w) cli_writer_close(w);
    return out_of_memory();
  }
  if (st != VAGAP_OK) cli_warn(&a->common, "t-test of %s: %s", term, err.message);
  if (!w) {
    if (!a->common.quiet && st == VAGAP_OK) {
      char est[64], p[64];
      cli_format_number(est, sizeof est, t.estimate, 6);
      cli_format_number(p, sizeof p, t.p_value, 4);
      fprintf(stderr, "vagap iat: mean %s = %s over %zu, t-test against 0: p = %s (--test FILE for the table)\n",
              term, est, t.n, p);
    }
    if (rel && !a->common.quiet && isfinite(rel->r))
      fprintf(stderr, "vagap iat: split-half r = %.4f, Spearman-Brown = %.4f (n = %zu)\n",
              rel->r, rel->spearman_brown, rel->n);
    return CLI_EXIT_OK;
  }
  broom_row_t row = broom_ttest(NULL, term, &t, vagap_ttest_method_name(t.kind));
  broom_put(w, stats_put_num, &row);
  if (rel) {
    put_estimate_row(w, "split-half r", rel->r, rel->n, "Pearson r of odd/even half D");
    put_estimate_row(w, "Spearman-Brown", rel->spearman_brown, rel->n,
                     "split-half reliability, Spearman-Brown 2r/(1+r)");
  }
  return cli_writer_close(w);
}

/* ---- method assoc --------------------------------------------------------------------- */

typedef struct {
  const iat_args_t *args;
  vagap_iat_assoc_t *scorer;
  vagap_ledger_t *ledger;
  vagap_study_word_lists_t lists;
  vagap_study_iat_reader_t reader; /* the row rules, shared with `vagap report` (study.c) */
} assoc_run_t;

static int assoc_file(assoc_run_t *run, const char *path) {
  vagap_error_t err;
  if (vagap_study_iat_read_file(&run->reader, path, &run->args->common.table, &err) == VAGAP_OK)
    return CLI_EXIT_OK;
  cli_report_error(&err);
  return CLI_EXIT_DATA;
}

static int write_trials(const assoc_run_t *run) {
  const char *names[1 + IAT_NTRIAL_COLUMNS];
  names[0] = run->args->log.unit;
  memcpy(names + 1, IAT_TRIAL_COLUMNS, sizeof IAT_TRIAL_COLUMNS);
  cli_writer_t *w = cli_writer_open(&run->args->common, names, sizeof names / sizeof *names);
  if (!w) return CLI_EXIT_DATA;
  size_t n = vagap_iat_assoc_ntrials(run->scorer);
  for (size_t i = 0; i < n; i++) {
    vagap_iat_assoc_trial_t t;
    vagap_iat_assoc_trial(run->scorer, i, &t);
    iat_put_trial(w, &t);
  }
  return cli_writer_close(w);
}

/* Unit table; fills scores[] (one per unit) for the group test. */
static int write_units(const assoc_run_t *run, double *scores) {
  const char *names[1 + IAT_NUNIT_COLUMNS];
  names[0] = run->args->log.unit;
  memcpy(names + 1, IAT_UNIT_COLUMNS, sizeof IAT_UNIT_COLUMNS);
  cli_writer_t *w = NULL;
  if (!run->args->per_trial) {
    w = cli_writer_open(&run->args->common, names, sizeof names / sizeof *names);
    if (!w) return CLI_EXIT_DATA;
  }
  size_t n = vagap_iat_assoc_nunits(run->scorer);
  for (size_t i = 0; i < n; i++) {
    vagap_iat_assoc_unit_t u;
    vagap_iat_assoc_unit(run->scorer, i, &u);
    scores[i] = u.score;
    if (w) iat_put_unit(w, &u);
  }
  return w ? cli_writer_close(w) : CLI_EXIT_OK;
}

static int run_assoc(const iat_args_t *a, cli_inputs_t in) {
  assoc_run_t run;
  memset(&run, 0, sizeof run);
  run.args = a;
  int rc = CLI_EXIT_DATA;
  double *scores = NULL;
  run.ledger = cli_ledger_alloc(&a->common);
  run.scorer = vagap_iat_assoc_alloc(&a->log.scoring);
  if (!run.ledger || !run.scorer) {
    rc = out_of_memory();
    goto done;
  }
  if (a->positive_path && (rc = load_lists(a, &run.lists)) != CLI_EXIT_OK) goto done;
  vagap_error_t err;
  if (vagap_study_iat_reader_init(&run.reader, run.scorer, &a->log, run.ledger,
                                  a->positive_path ? vagap_study_word_lists_valence : NULL, &run.lists,
                                  &err)) {
    cli_report_error(&err);
    rc = CLI_EXIT_DATA;
    goto done;
  }
  rc = CLI_EXIT_OK;
  for (size_t i = 0; i < in.n && rc == CLI_EXIT_OK; i++) rc = assoc_file(&run, in.paths[i]);
  if (rc != CLI_EXIT_OK) goto done;
  size_t nunits = vagap_iat_assoc_nunits(run.scorer);
  scores = malloc((nunits ? nunits : 1) * sizeof *scores);
  if (!scores) {
    rc = out_of_memory();
    goto done;
  }
  cli_writer_t *test = NULL;
  if ((rc = open_group_table(a, &test)) != CLI_EXIT_OK) goto done;
  if (a->per_trial) rc = write_trials(&run);
  if (rc == CLI_EXIT_OK) rc = write_units(&run, scores);
  if (rc == CLI_EXIT_OK) rc = write_group_table(a, test, "score", scores, nunits, NULL);
  else if (test) cli_writer_close(test);
  if (rc == CLI_EXIT_OK) rc = cli_finish_ledger(&a->common, run.ledger);
done:
  free(scores);
  vagap_study_iat_reader_free(&run.reader);
  vagap_study_word_lists_free(&run.lists);
  vagap_iat_assoc_free(run.scorer);
  vagap_ledger_free(run.ledger);
  return rc;
}

/* ---- method dscore ---------------------------------------------------------------------- */

typedef struct {
  size_t subject, block, latency, error;
} dscore_cols_t;

/*
 * Rows used for a subject, as runs of consecutive lines, so that all of a
 * subject's rows can be excluded with their lines when the subject is (too
 * many fast trials, D undefined) and --exclusions lists them.  A log grouped
 * by subject makes few runs; an interleaved one makes one per row, so runs
 * beyond RUNS_IN_MEMORY go to a temporary file: memory stays constant per
 * subject either way.  Without --exclusions no run is kept: the subject's
 * used-row count (n_used) is all the ledger needs.
 */
typedef struct {
  size_t subject, source;
  long first_line, nlines;
} used_run_t;

enum { RUNS_IN_MEMORY = 1 << 15 };

typedef struct {
  const iat_args_t *args;
  vagap_iat_dscore_t *scorer;
  vagap_ledger_t *ledger;
  int track_rows;  /* the ledger wants each excluded row's line */
  used_run_t *runs;
  size_t nruns, runs_cap;
  FILE *spill;     /* runs before those in `runs`, in order */
  double codes[4]; /* numeric values of the block codes, NaN when not numbers */
  size_t code_len[4];
} dscore_run_t;

/* Which scored block a row belongs to; -1 for a block that is not scored. */
static int block_of(const dscore_run_t *run, const char *s, size_t len) {
  /* called for every trial: compare the first byte before calling memcmp */
  for (int b = 0; b < 4; b++) {
    const char *code = run->args->block_codes[b];
    if (run->code_len[b] == len && (len == 0 || (code[0] == s[0] && memcmp(code, s, len) == 0)))
      return b;
  }
  /* "3" and "3.0" are the same block when both are numbers. */
  double x;
  if (vagap_parse_double(s, len, &x, NULL) != VAGAP_OK) return -1;
  for (int b = 0; b < 4; b++)
    if (run->codes[b] == x) return b;
  return -1;
}

/* Error flag: 0/1 (as numbers) or TRUE/FALSE; -1 when it is neither. */
static int error_flag(const char *s, size_t len) {
  if (len == 1 && (s[0] == '0' || s[0] == '1')) return s[0] - '0';
  if (field_is(s, len, "true")) return 1;
  if (field_is(s, len, "false")) return 0;
  double x;
  if (vagap_parse_double(s, len, &x, NULL) == VAGAP_OK && (x == 0 || x == 1)) return (int)x;
  return -1;
}

static int exclude_missing(dscore_run_t *run, const vagap_reader_t *r, const vagap_row_t *row,
                           const char *column) {
  char reason[300];
  snprintf(reason, sizeof reason, "missing %s", column);
  return exclude(run->ledger, r, row, reason);
}

static int spill_runs(dscore_run_t *run) {
  if (!run->spill && !(run->spill = tmpfile())) {
    fprintf(stderr, "vagap: cannot create a temporary file: %s\n", strerror(errno));
    return CLI_EXIT_DATA;
  }
  if (fwrite(run->runs, sizeof *run->runs, run->nruns, run->spill) != run->nruns) {
    fprintf(stderr, "vagap: temporary file: write failed: %s\n", strerror(errno));
    return CLI_EXIT_DATA;
  }
  run->nruns = 0;
  return CLI_EXIT_OK;
}

static int remember_used_row(dscore_run_t *run, size_t subject, size_t source, long line) {
  used_run_t *last = run->nruns ? &run->runs[run->nruns - 1] : NULL;
  if (last && last->subject == subject && last->source == source &&
      last->first_line + last->nlines == line) {
    last->nlines++;
    return CLI_EXIT_OK;
  }
  if (run->nruns == RUNS_IN_MEMORY && spill_runs(run) != CLI_EXIT_OK) return CLI_EXIT_DATA;
  if (run->nruns == run->runs_cap) {
    size_t cap = run->runs_cap ? 2 * run->runs_cap : 1024;
    used_run_t *p = realloc(run->runs, cap * sizeof *p);
    if (!p) return out_of_memory();
    run->runs = p;
    run->runs_cap = cap;
  }
  run->runs[run->nruns++] = (used_run_t){subject, source, line, 1};
  return CLI_EXIT_OK;
}

static int exclude_run(dscore_run_t *run, const used_run_t *u, const char *const *reason) {
  if (!reason[u->subject]) return CLI_EXIT_OK;
  char text[200];
  snprintf(text, sizeof text, "subject excluded: %s", reason[u->subject]);
  for (long j = 0; j < u->nlines; j++)
    if (vagap_ledger_exclude(run->ledger, u->source, u->first_line + j, text) != VAGAP_OK)
      return out_of_memory();
  return CLI_EXIT_OK;
}

/* The runs in order: those in the temporary file, then those in memory. */
static int exclude_runs(dscore_run_t *run, const char *const *reason) {
  int rc = CLI_EXIT_OK;
  if (run->spill) {
    rewind(run->spill);
    used_run_t u;
    while (rc == CLI_EXIT_OK && fread(&u, sizeof u, 1, run->spill) == 1) rc = exclude_run(run, &u, reason);
    if (rc == CLI_EXIT_OK && ferror(run->spill)) {
      fprintf(stderr, "vagap: temporary file: read failed: %s\n", strerror(errno));
      rc = CLI_EXIT_DATA;
    }
  }
  for (size_t k = 0; k < run->nruns && rc == CLI_EXIT_OK; k++) rc = exclude_run(run, &run->runs[k], reason);
  return rc;
}

/* Move the used rows of excluded subjects to the ledger's exclusions. */
static int exclude_rows_of_excluded_subjects(dscore_run_t *run) {
  size_t n = vagap_iat_dscore_nsubjects(run->scorer);
  const char **reason = calloc(n ? n : 1, sizeof *reason);
  if (!reason) return out_of_memory();
  int rc = CLI_EXIT_OK;
  for (size_t i = 0; i < n && rc == CLI_EXIT_OK; i++) {
    vagap_iat_subject_t s;
    vagap_iat_dscore_subject(run->scorer, i, &s);
    if (!s.excluded) continue;
    reason[i] = s.reason ? s.reason : "subject excluded";
    if (!run->track_rows) { /* counts only: the subject's used rows, without their lines */
      char text[200];
      snprintf(text, sizeof text, "subject excluded: %s", reason[i]);
      if (vagap_ledger_exclude_count(run->ledger, 0, s.n_used, text) != VAGAP_OK) rc = out_of_memory();
    }
  }
  if (rc == CLI_EXIT_OK && run->track_rows) rc = exclude_runs(run, reason);
  free(reason);
  return rc;
}

/*
 * One trial row.  Missing-value checks come after the cheap code matches
 * fail (a block code or a 0/1 flag is never a missing token), which keeps
 * the per-row cost low on long logs.
 */
static int dscore_row(dscore_run_t *run, const vagap_reader_t *r, const vagap_row_t *row,
                      const dscore_cols_t *col) {
  const iat_args_t *a = run->args;
  if (is_na(r, row, col->subject)) return exclude_missing(run, r, row, a->subject_col);
  int block = block_of(run, row->fields[col->block], row->lengths[col->block]);
  if (block < 0) {
    if (is_na(r, row, col->block)) return exclude_missing(run, r, row, a->block_col);
    return exclude(run->ledger, r, row, "block not scored");
  }
  vagap_error_t err;
  double latency;
  int got = cli_row_number(&a->common.table, run->ledger, r, row, col->latency, &latency);
  if (got) return got > 0 ? CLI_EXIT_OK : CLI_EXIT_DATA; /* 1: excluded (--bad-rows exclude) */
  if (isnan(latency)) return exclude_missing(run, r, row, a->latency_col);
  int error = error_flag(row->fields[col->error], row->lengths[col->error]);
  if (error < 0) {
    if (is_na(r, row, col->error)) return exclude_missing(run, r, row, a->error_col);
    vagap_error_set(&err, VAGAP_EDATA, vagap_reader_source(r), row->line, (long)col->error + 1,
                    "column %s: expected 0/1 or TRUE/FALSE, found '%s'", a->error_col,
                    row->fields[col->error]);
    if (a->common.table.exclude_bad_rows) return exclude(run->ledger, r, row, err.message);
    return cli_report_error(&err);
  }
  vagap_iat_trial_fate_t fate;
  if (vagap_iat_dscore_add(run->scorer, row->fields[col->subject], row->lengths[col->subject],
                           (vagap_iat_block_t)block, latency, error, &fate, &err) != VAGAP_OK)
    return report_row_error(&err, r, row, col->latency);
  if (fate == VAGAP_IAT_TRIAL_USED && !run->track_rows) return CLI_EXIT_OK;
  if (fate == VAGAP_IAT_TRIAL_USED)
    return remember_used_row(run, vagap_iat_dscore_last_subject(run->scorer),
                             vagap_reader_source_id(r), row->line);
  return exclude(run->ledger, r, row, vagap_iat_trial_fate_reason(fate));
}

static int dscore_row_of(void *run, const vagap_reader_t *r, const vagap_row_t *row,
                         const size_t *c) {
  dscore_cols_t col = {c[0], c[1], c[2], c[3]};
  return dscore_row(run, r, row, &col);
}

static int dscore_file(dscore_run_t *run, const char *path) {
  const iat_args_t *a = run->args;
  const char *names[] = {a->subject_col, a->block_col, a->latency_col, a->error_col};
  return cli_read_rows(path, &a->common.table, run->ledger, names, 4, dscore_row_of, run);
}

static const char *const SUBJECT_COLUMNS[] = {
    "variant", "D", "D_practice", "D_test", "D_odd", "D_even", "mean_B3", "mean_B4", "mean_B6",
    "mean_B7", "sd_practice", "sd_test", "n_trials", "n_used", "n_slow", "n_fast", "n_errors",
    "error_rate", "fast_share", "flagged_fast", "excluded", "reason"};
enum { NSUBJECT_COLUMNS = sizeof SUBJECT_COLUMNS / sizeof SUBJECT_COLUMNS[0] };

static void put_subject(cli_writer_t *w, const iat_args_t *a, const vagap_iat_subject_t *s) {
  cli_put_str(w, s->subject);
  cli_put_str(w, vagap_iat_variant_name(a->dscore.variant));
  cli_put_num(w, s->d);
  cli_put_num(w, s->d_practice);
  cli_put_num(w, s->d_test);
  if (a->reliability) {
    cli_put_num(w, s->d_odd);
    cli_put_num(w, s->d_even);
  }
  for (int b = 0; b < 4; b++) cli_put_num(w, s->mean[b]);
  cli_put_num(w, s->sd_practice);
  cli_put_num(w, s->sd_test);
  cli_put_int(w, (long long)s->n_trials);
  cli_put_int(w, (long long)s->n_used);
  cli_put_int(w, (long long)s->n_slow);
  cli_put_int(w, (long long)s->n_fast);
  cli_put_int(w, (long long)s->n_errors);
  cli_put_num(w, s->error_rate);
  cli_put_num(w, s->fast_share);
  cli_put_bool(w, s->flagged_fast);
  cli_put_bool(w, s->excluded);
  cli_put_str(w, s->reason);
}

static int write_subjects(const dscore_run_t *run, double *d, double *odd, double *even) {
  const iat_args_t *a = run->args;
  const char *names[1 + NSUBJECT_COLUMNS];
  size_t k = 0;
  names[k++] = a->subject_col;
  for (size_t j = 0; j < NSUBJECT_COLUMNS; j++) {
    int half = strcmp(SUBJECT_COLUMNS[j], "D_odd") == 0 || strcmp(SUBJECT_COLUMNS[j], "D_even") == 0;
    if (!half || a->reliability) names[k++] = SUBJECT_COLUMNS[j];
  }
  cli_writer_t *w = cli_writer_open(&a->common, names, k);
  if (!w) return CLI_EXIT_DATA;
  size_t n = vagap_iat_dscore_nsubjects(run->scorer);
  for (size_t i = 0; i < n; i++) {
    vagap_iat_subject_t s;
    vagap_iat_dscore_subject(run->scorer, i, &s);
    d[i] = s.d;
    odd[i] = s.d_odd;
    even[i] = s.d_even;
    put_subject(w, a, &s);
  }
  return cli_writer_close(w);
}

static int run_dscore(const iat_args_t *a, cli_inputs_t in) {
  dscore_run_t run = {.args = a, .codes = {NAN, NAN, NAN, NAN}};
  for (int b = 0; b < 4; b++) {
    double x;
    const char *code = a->block_codes[b];
    run.code_len[b] = strlen(code);
    if (vagap_parse_double(code, strlen(code), &x, NULL) == VAGAP_OK) run.codes[b] = x;
  }
  int rc = CLI_EXIT_DATA;
  double *d = NULL;
  run.ledger = cli_ledger_alloc(&a->common);
  run.scorer = vagap_iat_dscore_alloc(&a->dscore);
  if (!run.ledger || !run.scorer) {
    rc = out_of_memory();
    goto done;
  }
  run.track_rows = vagap_ledger_wants_lines(run.ledger);
  rc = CLI_EXIT_OK;
  for (size_t i = 0; i < in.n && rc == CLI_EXIT_OK; i++) rc = dscore_file(&run, in.paths[i]);
  if (rc != CLI_EXIT_OK) goto done;
  size_t n = vagap_iat_dscore_nsubjects(run.scorer);
  d = malloc((n ? n : 1) * 3 * sizeof *d);
  if (!d) {
    rc = out_of_memory();
    goto done;
  }
  cli_writer_t *test = NULL;
  if ((rc = open_group_table(a, &test)) != CLI_EXIT_OK) goto done;
  rc = write_subjects(&run, d, d + n, d + 2 * n);
  vagap_iat_reliability_t rel, *relp = NULL;
  if (rc == CLI_EXIT_OK && a->reliability) {
    vagap_error_t err;
    vagap_status_t st = vagap_iat_split_half(d + n, d + 2 * n, n, &rel, &err);
    if (st == VAGAP_ENOMEM) rc = out_of_memory();
    else if (st != VAGAP_OK) cli_warn(&a->common, "%s", err.message);
    relp = &rel;
  }
  if (rc == CLI_EXIT_OK) rc = write_group_table(a, test, "D", d, n, relp);
  else if (test) cli_writer_close(test);
  if (rc == CLI_EXIT_OK) rc = exclude_rows_of_excluded_subjects(&run);
  if (rc == CLI_EXIT_OK) rc = cli_finish_ledger(&a->common, run.ledger);
done:
  free(run.runs);
  if (run.spill) fclose(run.spill);
  free(d);
  vagap_iat_dscore_free(run.scorer);
  vagap_ledger_free(run.ledger);
  return rc;
}

/* ---- arguments ---------------------------------------------------------------------------- */

static void args_init(iat_args_t *a) {
  memset(a, 0, sizeof *a);
  cli_common_init(&a->common, "iat");
  a->conf_level = 0.95;
  vagap_study_iat_options_init(&a->log);
  a->subject_col = "subject";
  a->block_col = "block";
  a->latency_col = "latency";
  a->error_col = "error";
  static const char *const default_blocks[4] = {"3", "4", "6", "7"};
  for (int b = 0; b < 4; b++) a->block_codes[b] = default_blocks[b];
  vagap_iat_dscore_options_init(&a->dscore);
}

/* --blocks B3,B4,B6,B7: four comma-separated codes. */
static int parse_blocks(iat_args_t *a, const char *arg) {
  free(a->blocks_arg);
  a->blocks_arg = strdup(arg);
  if (!a->blocks_arg) return out_of_memory(), -1;
  char *p = a->blocks_arg;
  for (int b = 0; b < 4; b++) {
    a->block_codes[b] = p;
    char *comma = strchr(p, ',');
    if ((b < 3) != (comma != NULL) || comma == p || *p == '\0')
      return cli_usage_error(&a->common, "--blocks: expected four comma-separated codes, found '%s'", arg), -1;
    if (comma) {
      *comma = '\0';
      p = comma + 1;
    }
  }
  return 0;
}

static int parse_nonnegative(iat_args_t *a, const char *option, const char *arg, double *out) {
  if (cli_parse_double(&a->common, option, arg, out)) return -1;
  if (!(*out >= 0)) return cli_usage_error(&a->common, "--%s: expected a number >= 0", option), -1;
  return 0;
}

/* Options that take a column name or a code: returns 1 if `opt` was one. */
static int string_option(iat_args_t *a, int opt, const char *arg) {
  switch (opt) {
  case OPT_UNIT: a->log.unit = arg; return 1;
  case OPT_TRIAL: a->log.trial = arg; return 1;
  case OPT_WORD: a->log.word = arg; return 1;
  case OPT_VALENCE: a->log.valence = arg; return 1;
  case OPT_ASSIGNED: a->log.assigned = arg; return 1;
  case OPT_FOCAL: a->log.focal = arg; return 1;
  case OPT_CONTRAST: a->log.contrast = arg; return 1;
  case OPT_POSITIVE_WORDS: a->positive_path = arg; return 1;
  case OPT_NEGATIVE_WORDS: a->negative_path = arg; return 1;
  case OPT_SUBJECT: a->subject_col = arg; return 1;
  case OPT_BLOCK: a->block_col = arg; return 1;
  case OPT_LATENCY: a->latency_col = arg; return 1;
  case OPT_ERROR: a->error_col = arg; return 1;
  case OPT_PC: a->block_codes[VAGAP_IAT_B3] = arg; return 1;
  case OPT_TC: a->block_codes[VAGAP_IAT_B4] = arg; return 1;
  case OPT_PI: a->block_codes[VAGAP_IAT_B6] = arg; return 1;
  case OPT_TI: a->block_codes[VAGAP_IAT_B7] = arg; return 1;
  case OPT_TEST:
    a->test_path = arg;
    cli_outputs_declare(arg);
    return 1;
  default: return 0;
  }
}

/* Options with a value to check: 0 ok, -1 usage error printed, 1 not one of them. */
static int value_option(iat_args_t *a, int opt, const char *arg) {
  vagap_error_t err;
  switch (opt) {
  case OPT_METHOD:
    if (strcmp(arg, "assoc") == 0) a->method = METHOD_ASSOC;
    else if (strcmp(arg, "dscore") == 0) a->method = METHOD_DSCORE;
    else return cli_usage_error(&a->common, "--method: expected assoc or dscore, found '%s'", arg), -1;
    return 0;
  case OPT_SMOOTHING: return parse_nonnegative(a, "smoothing", arg, &a->log.scoring.smoothing);
  case OPT_EMPTY_RULE:
    if (strcmp(arg, "invalid") == 0) a->log.scoring.empty_rule = VAGAP_IAT_EMPTY_INVALID;
    else if (strcmp(arg, "zero") == 0) a->log.scoring.empty_rule = VAGAP_IAT_EMPTY_ZERO;
    else return cli_usage_error(&a->common, "--empty-rule: expected invalid or zero, found '%s'", arg), -1;
    return 0;
  case OPT_PRESET:
    if (vagap_iat_assoc_preset(&a->log.scoring, arg, &err) != VAGAP_OK)
      return cli_usage_error(&a->common, "--preset: %s", err.message), -1;
    return 0;
  case OPT_BLOCKS: return parse_blocks(a, arg);
  case OPT_VARIANT:
    if (vagap_iat_variant_parse(arg, &a->dscore.variant, &err) != VAGAP_OK)
      return cli_usage_error(&a->common, "--variant: %s", err.message), -1;
    return 0;
  case OPT_SLOW_TRIAL: return parse_nonnegative(a, "slow-trial", arg, &a->dscore.slow_trial_ms);
  case OPT_FAST_TRIAL: return parse_nonnegative(a, "fast-trial", arg, &a->dscore.fast_trial_ms);
  case OPT_FAST_SUBJECT:
    if (parse_nonnegative(a, "fast-subject", arg, &a->dscore.fast_subject_share)) return -1;
    if (a->dscore.fast_subject_share > 1)
      return cli_usage_error(&a->common, "--fast-subject: expected a share in [0, 1]"), -1;
    return 0;
  case OPT_FAST_SUBJECT_LATENCY:
    return parse_nonnegative(a, "fast-subject-latency", arg, &a->dscore.fast_subject_ms);
  case OPT_PENALTY: return parse_nonnegative(a, "penalty", arg, &a->dscore.penalty_ms);
  case OPT_CONF_LEVEL:
    if (cli_parse_double(&a->common, "conf-level", arg, &a->conf_level)) return -1;
    if (!(a->conf_level > 0 && a->conf_level < 1))
      return cli_usage_error(&a->common, "--conf-level: expected a number in (0, 1)"), -1;
    return 0;
  case OPT_PER_TRIAL: a->per_trial = 1; return 0;
  case OPT_SD_AFTER: a->dscore.sd_after_replacement = 1; return 0;
  case OPT_KEEP_FAST: a->dscore.exclude_fast_subjects = 0; return 0;
  case OPT_RELIABILITY: a->reliability = 1; return 0;
  default: return 1;
  }
}

/* Parse argv; returns -1 to go on, or the exit code to return. */
static int parse_args(iat_args_t *a, int argc, char **argv) {
  static const struct option options[] = {
      {"method", required_argument, 0, OPT_METHOD},
      {"unit", required_argument, 0, OPT_UNIT},
      {"trial", required_argument, 0, OPT_TRIAL},
      {"word", required_argument, 0, OPT_WORD},
      {"valence", required_argument, 0, OPT_VALENCE},
      {"assigned", required_argument, 0, OPT_ASSIGNED},
      {"focal", required_argument, 0, OPT_FOCAL},
      {"contrast", required_argument, 0, OPT_CONTRAST},
      {"positive-words", required_argument, 0, OPT_POSITIVE_WORDS},
      {"negative-words", required_argument, 0, OPT_NEGATIVE_WORDS},
      {"smoothing", required_argument, 0, OPT_SMOOTHING},
      {"empty-rule", required_argument, 0, OPT_EMPTY_RULE},
      {"preset", required_argument, 0, OPT_PRESET},
      {"per-trial", no_argument, 0, OPT_PER_TRIAL},
      {"subject", required_argument, 0, OPT_SUBJECT},
      {"block", required_argument, 0, OPT_BLOCK},
      {"latency", required_argument, 0, OPT_LATENCY},
      {"error", required_argument, 0, OPT_ERROR},
      {"blocks", required_argument, 0, OPT_BLOCKS},
      {"practice-compatible", required_argument, 0, OPT_PC},
      {"test-compatible", required_argument, 0, OPT_TC},
      {"practice-incompatible", required_argument, 0, OPT_PI},
      {"test-incompatible", required_argument, 0, OPT_TI},
      {"variant", required_argument, 0, OPT_VARIANT},
      {"sd-after-replacement", no_argument, 0, OPT_SD_AFTER},
      {"slow-trial", required_argument, 0, OPT_SLOW_TRIAL},
      {"fast-trial", required_argument, 0, OPT_FAST_TRIAL},
      {"fast-subject", required_argument, 0, OPT_FAST_SUBJECT},
      {"fast-subject-latency", required_argument, 0, OPT_FAST_SUBJECT_LATENCY},
      {"keep-fast-subjects", no_argument, 0, OPT_KEEP_FAST},
      {"penalty", required_argument, 0, OPT_PENALTY},
      {"reliability", no_argument, 0, OPT_RELIABILITY},
      {"test", required_argument, 0, OPT_TEST},
      {"conf-level", required_argument, 0, OPT_CONF_LEVEL},
      CLI_COMMON_LONG_OPTIONS,
      {0, 0, 0, 0}};
  int opt;
  while ((opt = cli_getopt(&a->common, argc, argv, options)) != -1) {
    int handled = cli_common_option(&a->common, opt, optarg);
    if (handled < 0) return CLI_EXIT_USAGE;
    if (handled || string_option(a, opt, optarg)) continue;
    int v = value_option(a, opt, optarg);
    if (v < 0) return CLI_EXIT_USAGE;
    if (v == 0) continue;
    if (opt == CLI_OPT_HELP) {
      printf("%s\n%s", HELP, CLI_COMMON_OPTIONS_HELP);
      return CLI_EXIT_OK;
    }
    return cli_usage_error(&a->common, "unknown option or missing argument");
  }
  if (a->method == METHOD_NONE) return cli_usage_error(&a->common, "--method assoc|dscore is required");
  if ((a->positive_path == NULL) != (a->negative_path == NULL))
    return cli_usage_error(&a->common, "--positive-words and --negative-words go together");
  for (int b = 0; b < 4; b++)
    for (int k = 0; k < b; k++)
      if (strcmp(a->block_codes[b], a->block_codes[k]) == 0)
        return cli_usage_error(&a->common, "block code '%s' is given to two blocks", a->block_codes[b]);
  if (a->method == METHOD_ASSOC) {
    char both[256];
    vagap_error_t err;
    int overlap = vagap_study_lists_overlap(a->log.focal, a->log.contrast, both, sizeof both, &err);
    if (overlap < 0) return cli_report_error(&err), CLI_EXIT_DATA;
    if (overlap) return cli_usage_error(&a->common, "--focal and --contrast must differ (both have '%s')", both);
  }
  return -1;
}

int cmd_iat(int argc, char **argv) {
  iat_args_t a;
  args_init(&a);
  int rc = parse_args(&a, argc, argv);
  if (rc < 0) {
    cli_inputs_t in = cli_inputs(argc, argv, optind);
    rc = a.method == METHOD_ASSOC ? run_assoc(&a, in) : run_dscore(&a, in);
  }
  free(a.blocks_arg);
  return rc;
}
