/*
 * vagap/sem_call.h - a lavaan call: sem()/cfa()/growth()/lavaan() with
 * lavaan's argument names and values as text, fitted to a table.
 *
 * The R and Python bindings hand their users' arguments over as they are
 * (R: std.lv = TRUE; Python: std_lv=True, as "std.lv" = "TRUE"), and the
 * library parses them with the same parsers as the program's options
 * (vagap_sem_estimator_parse, vagap_sem_group_equal_parse, ...), applies
 * lavaan's per-function defaults, takes the rows of the table by the program's
 * rules (vagap/sem_rows.h) and fits.  Values are R's spellings: logicals
 * TRUE/FALSE (also true/false/T/F), lists comma-separated.
 */
#ifndef VAGAP_SEM_CALL_H
#define VAGAP_SEM_CALL_H

#include <stddef.h>
#include "vagap/error.h"
#include "vagap/ledger.h"
#include "vagap/sem.h"
#include "vagap/sem_rows.h"
#include "vagap/table.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vagap_sem_call vagap_sem_call_t;

/*
 * A call of lavaan's `function`: "sem" or "cfa" (the same defaults),
 * "growth" (observed intercepts fixed to 0, latent means free, means on) or
 * "lavaan" (nothing automatic: every auto.* switch, int.ov.free and
 * int.lv.free FALSE unless given).  VAGAP_EINVAL for another name.
 */
vagap_status_t vagap_sem_call_new(vagap_sem_call_t **out, const char *function, vagap_error_t *err);
void vagap_sem_call_free(vagap_sem_call_t *c); /* NULL is a no-op */

/*
 * Set one argument: estimator, missing, information, se, test, likelihood,
 * ordered (TRUE: every endogenous observed variable; or a list of names),
 * parameterization (delta, theta), group.equal, group.partial (a list of
 * "lhs op rhs"), meanstructure (TRUE, FALSE, default), std.lv, fixed.x,
 * orthogonal, int.ov.free, int.lv.free, auto.fix.first, auto.fix.single,
 * auto.var, auto.cov.lv.x, auto.cov.y, auto.th, auto.delta, auto.efa,
 * constraints (lavaan's constraints= text), level (of the confidence
 * intervals) and max.evaluations (vagap's cap on objective evaluations per
 * strategy).  VAGAP_EINVAL names an unknown argument (listing the known ones)
 * or a value lavaan does not take.  As in lavaan, sem(), cfa() and growth()
 * set int.ov.free, int.lv.free and the auto.* switches themselves: a value
 * given there is kept as a note (vagap_sem_call_note) and has no effect.
 */
vagap_status_t vagap_sem_call_set(vagap_sem_call_t *c, const char *name, const char *value,
                                  vagap_error_t *err);

/* Notes for the user (ignored arguments), in the order they arose. */
size_t vagap_sem_call_nnotes(const vagap_sem_call_t *c);
const char *vagap_sem_call_note(const vagap_sem_call_t *c, size_t i);

/*
 * Fit the model (lavaan syntax; errors located in "model") to the rows of t,
 * groups from column `group` (NULL: one group), each row left out recorded in
 * the ledger with its reason.  Ordered indicators (ordered=, or thresholds in
 * the syntax) take the categorical route (vagap_sem_rows_build_ordinal).  On
 * success *fit is the fit (vagap_sem_fit_free) and *rows the rows used
 * (vagap_sem_rows_free; its labels are the groups in block order).
 */
vagap_status_t vagap_sem_call_fit(vagap_sem_call_t *c, const char *model, vagap_table_t *t,
                                  const char *group, vagap_ledger_t *ledger, vagap_sem_fit_t **fit,
                                  vagap_sem_rows_t *rows, vagap_error_t *err);

/*
 * The model of the last successful vagap_sem_call_fit (owned by the call,
 * valid until the next fit or vagap_sem_call_free) and the call's fit
 * options: what vagap_sem_bootstrap refits on vagap_sem_rows_view(rows).
 * NULL before a successful fit.
 */
const vagap_sem_model_t *vagap_sem_call_model(const vagap_sem_call_t *c);
const vagap_sem_fit_options_t *vagap_sem_call_fit_options(const vagap_sem_call_t *c);

/*
 * The model options the call builds its model with (initialised first): the
 * arguments given and lavaan's per-function defaults, e.g. growth()'s
 * intercepts fixed to 0 and latent means free, or lavaan()'s switches FALSE
 * unless given.  Its group_partial and constraints point into the call.
 * The program builds a call from its --std-lv, --growth, --auto-* ...
 * options and takes these, so that both apply the same rules.
 */
void vagap_sem_call_model_options(const vagap_sem_call_t *c, vagap_sem_model_options_t *m);

/*
 * lavaan()'s switches that sem(), cfa() and growth() set themselves, by
 * lavaan's name: int.ov.free, int.lv.free, auto.fix.first, auto.fix.single,
 * auto.var, auto.cov.lv.x, auto.cov.y, auto.th, auto.delta, auto.efa
 * (k < VAGAP_SEM_CALL_NSWITCHES, in this order; NULL beyond).
 */
#define VAGAP_SEM_CALL_NSWITCHES 10
const char *vagap_sem_call_switch_name(size_t k);

#ifdef __cplusplus
}
#endif
#endif
