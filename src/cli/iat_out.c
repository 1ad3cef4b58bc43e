/* The per-unit association-IAT table (see iat_out.h). */
#include "iat_out.h"

const char *const IAT_UNIT_COLUMNS[IAT_NUNIT_COLUMNS] = {
    "score", "sd", "sd_pop", "n_valid", "n_invalid", "n_ignored", "n_other_target", "n_duplicate"};

void iat_put_unit(cli_writer_t *w, const vagap_iat_assoc_unit_t *u) {
  cli_put_str(w, u->unit);
  cli_put_num(w, u->score);
  cli_put_num(w, u->sd);
  cli_put_num(w, u->sd_pop);
  cli_put_int(w, (long long)u->n_valid);
  cli_put_int(w, (long long)u->n_invalid);
  cli_put_int(w, (long long)u->n_ignored);
  cli_put_int(w, (long long)u->n_other_target);
  cli_put_int(w, (long long)u->n_duplicate);
}

const char *const IAT_TRIAL_COLUMNS[IAT_NTRIAL_COLUMNS] = {
    "trial", "a", "b", "c", "d", "n_ignored", "n_other_target", "n_duplicate", "score", "valid"};

void iat_put_trial(cli_writer_t *w, const vagap_iat_assoc_trial_t *t) {
  cli_put_str(w, t->unit);
  cli_put_str(w, t->trial);
  cli_put_int(w, (long long)t->counts.a);
  cli_put_int(w, (long long)t->counts.b);
  cli_put_int(w, (long long)t->counts.c);
  cli_put_int(w, (long long)t->counts.d);
  cli_put_int(w, (long long)t->n_ignored);
  cli_put_int(w, (long long)t->n_other_target);
  cli_put_int(w, (long long)t->n_duplicate);
  cli_put_num(w, t->score);
  cli_put_bool(w, t->valid);
}
