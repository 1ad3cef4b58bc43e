/* The per-unit proportion table (see prop_out.h). */
#include "prop_out.h"

#include "stats_cli.h"

const char *const PROP_COLUMNS[PROP_NCOLUMNS] = {BROOM_COLUMNS, "x", "n_other", "exact.low",
                                      "exact.high", "p0", "log10.p", "p.adjusted", "alternative"};

void prop_put_row(cli_writer_t *w, const prop_row_t *r) {
  const vagap_prop_t *p = &r->res;
  cli_put_str(w, r->key);
  cli_put_str(w, "proportion");
  stats_put_num(w, p->estimate);
  stats_put_num(w, p->std_error);
  cli_put_int(w, (long long)r->x);
  cli_put_na(w);
  stats_put_num(w, p->p_value);
  stats_put_num(w, p->conf_low);
  stats_put_num(w, p->conf_high);
  cli_put_int(w, (long long)r->n);
  cli_put_str(w, "Exact binomial test; Wilson score interval");
  cli_put_int(w, (long long)r->x);
  cli_put_int(w, (long long)r->n_other);
  stats_put_num(w, p->exact_low);
  stats_put_num(w, p->exact_high);
  stats_put_num(w, p->p0);
  stats_put_num(w, p->log10_p);
  stats_put_num(w, r->p_adjusted);
  cli_put_str(w, vagap_alternative_name(p->alternative));
}
