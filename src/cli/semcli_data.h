/*
 * semcli_data.h - CLI-side input for commands that fit SEMs on raw data
 * (vagap vaar, vagap sem --invariance/--bootstrap): model file, group levels,
 * listwise deletion recorded in the ledger, raw matrix and statistics.
 * Same data policy as cmd_sem.c: groups in order of first appearance,
 * a row with a missing group or model variable is excluded with its reason.
 */
#ifndef VAGAP_SEMCLI_DATA_H
#define VAGAP_SEMCLI_DATA_H

#include "cli.h"
#include "progress.h"

/* The rows of the data (vagap/sem_rows.h: the library applies the row rules, so
   that the R and Python sem() apply the same). */
typedef vagap_sem_rows_t semcli_data_t;
#define semcli_group_levels vagap_sem_rows_groups
#define semcli_fiml vagap_sem_rows_fiml
#define semcli_fit vagap_sem_rows_fit
#define semcli_view vagap_sem_rows_view
#define semcli_data_free vagap_sem_rows_free

/* Read a whole text file (the model) into *out (caller frees). */
vagap_status_t semcli_read_text(const char *path, char **out, vagap_error_t *err);

/* --bad-rows exclude: rows where an observed variable of the model holds text are
   excluded and dropped from t before semcli_load (cli_screen_numbers). */
vagap_status_t semcli_screen(const vagap_table_options_t *topt, vagap_table_t *t,
                             const vagap_sem_model_t *m, vagap_ledger_t *ledger,
                             vagap_error_t *err);

/* Listwise deletion into the ledger, raw matrix and per-group statistics.
   With d->missing ml/ml.x (FIML, lavaan's row policy): rows missing every model
   variable, and under ml rows with a missing fixed.x covariate, are excluded
   with their reason; the others are kept with their NANs and no statistics. */
vagap_status_t semcli_load(const vagap_table_t *t, size_t gcol, const vagap_sem_model_t *m,
                           semcli_data_t *d, vagap_ledger_t *ledger, vagap_error_t *err);

/*
 * The whole --ordered preparation shared by sem and vaar: group levels, a first
 * model of the syntax's relations (for its observed variables), --bad-rows
 * screening (not with levels, the --levels list of text codes
 * in order for the ordered columns), the raw rows
 * (pairwise = 1 keeps partly missing rows), the ordered variables and their
 * categories (vagap_sem_rows_ordered), and the model rebuilt with them into *model.
 * The caller frees onames with semcli_free_list(onames, mopt->n_ordered) and
 * onth with free() once no more models are built.
 */
vagap_status_t semcli_build_ordinal(const vagap_table_options_t *topt, vagap_table_t *t, size_t gcol, const vagap_sem_syntax_t *syn,
                                    const char *model_path, const char *ordered, int ordered_all, int pairwise,
                                    const char *levels, vagap_sem_model_options_t *mopt, semcli_data_t *d, vagap_sem_model_t **model,
                                    char ***onames, int **onth, vagap_ledger_t *ledger, vagap_error_t *err);

/* --summary's missing-data part (lavaan's "Number of missing patterns" per
   group and lavInspect(fit, "coverage")), nothing without FIML. */
void semcli_missing_summary(FILE *out, const semcli_data_t *d);
/*
 * --group-equal and --group-partial into mopt (initialised by the caller; a
 * NULL string leaves its part as it is).  A bad --group-equal is VAGAP_EINVAL
 * with a message naming the option; the partial names are split into
 * *partial, which the caller frees with semcli_free_list(*partial, *npartial)
 * once the model is built.
 */
vagap_status_t semcli_group_constraints(const char *group_equal, const char *group_partial,
                                        vagap_sem_model_options_t *mopt, char ***partial,
                                        size_t *npartial, vagap_error_t *err);

/* Split "a,b,c" into *n copies (NULL on out of memory); free with semcli_free_list. */
char **semcli_split_list(const char *s, size_t *n);
void semcli_free_list(char **v, size_t n);

/* Progress of bootstrap resamples and invariance models on stderr (progress.h):
   ctx is a semcli_progress_t set up with semcli_progress_init. */
typedef cli_progress_t semcli_progress_t;
void semcli_progress_init(semcli_progress_t *p, const cli_common_t *c, const char *what,
                          const char *unit);
void semcli_progress(size_t done, size_t total, void *ctx);

/* "vagap CMD: F of B bootstrap resamples failed ...: n reason; ..." on stderr (nothing if none). */
void semcli_report_boot_failures(const char *command, const vagap_sem_boot_t *b);

/* lavaan's warnings on a converged fit (inadmissible solution, vcov, :=), one line each on
   stderr: "vagap CMD: warning[ WHAT]: ..." (WHAT, e.g. "(model metric)", may be NULL).
   Printed also under --quiet: they qualify the numbers on stdout. */
void semcli_report_fit_warnings(const char *command, const char *what, const vagap_sem_fit_t *fit);

#endif
