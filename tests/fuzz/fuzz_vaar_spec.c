/*
 * Fuzz the VAAR expected-sign spec parser and the invariance level list;
 * a parsed spec is also scored against a small fixed parameter table.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vagap/vagap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  vagap_error_t err;
  vagap_vaar_spec_t *spec = NULL;
  if (vagap_vaar_spec_parse(&spec, text, "fuzz", &err) == VAGAP_OK) {
    static const vagap_vaar_estimate_t est[] = {
        {"1", "y", "~", "x", 0.5, 0.1, 0.001, 0.3, 0.7, 0.4},
        {"2", "y", "~", "x", -0.5, 0.1, 0.001, -0.7, -0.3, -0.4},
    };
    vagap_vaar_result_t *res = NULL;
    vagap_vaar_score(&res, spec, est, 2, 0.05, &err);
    vagap_vaar_result_free(res);
  }
  vagap_vaar_spec_free(spec);
  vagap_sem_invariance_step_t steps[VAGAP_SEM_INVARIANCE_MAX_STEPS];
  size_t n;
  vagap_sem_invariance_parse(text, steps, &n, &err);
  free(text);
  return 0;
}
