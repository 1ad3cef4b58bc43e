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
