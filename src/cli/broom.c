/* The broom-like test row (see broom.h). */
#include "broom.h"

#include <math.h>

const char *const BROOM_COLUMN_NAMES[BROOM_NCOLUMNS] = {BROOM_COLUMNS};

void broom_put(cli_writer_t *w, broom_put_num_fn put_num, const broom_row_t *r) {
  cli_put_str(w, r->group);
  cli_put_str(w, r->term);
  broom_put_numbers(w, put_num, r);
}

void broom_put_numbers(cli_writer_t *w, broom_put_num_fn put_num, const broom_row_t *r) {
  put_num(w, r->estimate);
  put_num(w, r->std_error);
  put_num(w, r->statistic);
  put_num(w, r->df);
  put_num(w, r->p_value);
  put_num(w, r->conf_low);
  put_num(w, r->conf_high);
  cli_put_int(w, (long long)r->n);
  cli_put_str(w, r->method);
}

broom_row_t broom_estimate(const char *group, const char *term, double estimate, size_t n,
                           const char *method) {
  return (broom_row_t){group, term, estimate, NAN, NAN, NAN, NAN, NAN, NAN, n, method};
}

broom_row_t broom_ttest(const char *group, const char *term, const vagap_ttest_t *t,
                        const char *method) {
  return (broom_row_t){group,      term,        t->estimate, t->std_error,
                       t->statistic, t->df,     t->p_value,  t->conf_low,
                       t->conf_high, t->n,      method};
}
