/*
 * Fuzz the authors' Task-1 response parsing (align --procedure shen2025):
 * markdown fences, JSON through jansson, the rating rules.  Every value is
 * accounted for exactly once (rating, value error or missing), ratings are
 * digits, and the whole procedure runs on the response.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "vagap/align_shen2025.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  vagap_shen2025_response_t r;
  vagap_shen2025_parse_response((const char *)data, size, &r);
  if (r.parsed) {
    if (r.nratings + r.value_errors + r.values_missing != VAGAP_SHEN2025_NVALUES) abort();
    for (size_t j = 0; j < r.nratings; j++)
      if (r.ratings[j] < 0 || r.ratings[j] > 9) abort();
  } else if (r.nratings || r.value_errors || r.values_missing) {
    abort();
  }
  vagap_shen2025_t *s = vagap_shen2025_alloc();
  if (!s) return 0;
  vagap_error_t err;
  vagap_shen2025_add_response(s, 0, 0, (const char *)data, size, &err);
  vagap_shen2025_add_item(s, 0, 0, 0, 1, &err);
  vagap_shen2025_add_log(s, 0, 1, 0, 1, &err);
  if (vagap_shen2025_finish(s, &err) == VAGAP_OK) {
    vagap_shen2025_level_t lv[VAGAP_SHEN2025_NCOUNTRIES];
    vagap_shen2025_by(s, VAGAP_SHEN2025_BY_COUNTRY, lv, &err);
  }
  vagap_shen2025_free(s);
  return 0;
}
