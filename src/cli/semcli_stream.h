/*
 * semcli_stream.h - SEM input without a table: the per-group statistics are
 * accumulated while the data are parsed (vagap/moments.h), in memory that
 * does not grow with the number of rows.  Same data policy, ledger and
 * messages as semcli_group_levels + semcli_load, in the same order of
 * precedence: errors of the input, of the group column, the model built for
 * the groups found (the caller, between the two calls), a model variable
 * the input lacks, a field that is not a number, a group too small.
 * The raw rows are not kept: the bootstrap takes the table path.
 */
#ifndef VAGAP_SEMCLI_STREAM_H
#define VAGAP_SEMCLI_STREAM_H

#include "semcli_data.h"
#include "semcli_options.h"
#include "vagap/moments.h"

typedef struct {
  vagap_moments_t *moments;
  char *source;       /* the input's name in messages */
  char *group_col;
} semcli_stream_t;

/* Do n, means and covariances suffice?  Decided from the fit options as lavaan resolves
   them: complete-data ML (listwise) with expected information, standard SEs and test;
   not FIML, robust or least-squares estimators or ordinal data (--ordered or thresholds
   in the model), which need the rows; and not with --bad-rows exclude or --decimal-comma,
   whose screening of number fields the table path does. */
int semcli_stream_wanted(const semcli_lavaan_t *lav, const vagap_table_options_t *topt,
                         const vagap_sem_syntax_t *syn);

/*
 * Read `path`: groups into d->labels, d->ngroups and the model's observed
 * variables into d->var, d->nvar (from the model built for one group).
 * *streamed is 0, with nothing read, when that model cannot be built: the
 * caller then takes the table path, which reports the model's error in its
 * place.
 */
vagap_status_t semcli_stream_read(semcli_stream_t *s, const char *path,
                                  const vagap_table_options_t *topt, const char *group_col,
                                  const vagap_sem_syntax_t *syn,
                                  const vagap_sem_model_options_t *mopt, const char *model_path,
                                  vagap_ledger_t *ledger, semcli_data_t *d, int *streamed,
                                  vagap_error_t *err);

/* After the model is built for d->ngroups: exclusions into the ledger and d->stats. */
vagap_status_t semcli_stream_finish(semcli_stream_t *s, const vagap_sem_model_t *m,
                                    semcli_data_t *d, vagap_ledger_t *ledger, vagap_error_t *err);

void semcli_stream_free(semcli_stream_t *s);

#endif
