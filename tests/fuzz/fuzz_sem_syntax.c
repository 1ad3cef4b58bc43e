/*
 * Fuzz the lavaan-syntax parser and the parameter-table builder, plus the
 * other short specification strings: group.equal lists, D-score variants,
 * alternatives and the serialised SEM statistics.
 */
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

  vagap_sem_syntax_t *syn = NULL;
  if (vagap_sem_syntax_parse(&syn, text, "fuzz.model", &err) == VAGAP_OK) {
    for (size_t groups = 1; groups <= 3; groups++) {
      vagap_sem_model_options_t opt;
      vagap_sem_model_options_init(&opt);
      opt.group_equal = groups == 3 ? VAGAP_SEM_EQ_LOADINGS | VAGAP_SEM_EQ_INTERCEPTS : 0;
      opt.std_lv = groups == 2;
      /* lavaan()'s switches from the input's first byte: every combination is reachable */
      unsigned bits = size ? data[0] : 0;
      opt.auto_fix_first = !(bits & 1);
      opt.auto_var = !(bits & 2);
      opt.auto_fix_single = !(bits & 4);
      opt.auto_cov_lv_x = !(bits & 8);
      opt.auto_cov_y = !(bits & 16);
      opt.int_ov_free = !(bits & 32);
      opt.int_lv_free = (bits & 64) != 0;
      opt.orthogonal = (bits & 128) != 0;
      opt.meanstructure = groups == 1 ? (int)(bits % 3) - 1 : -1;
      vagap_sem_model_t *model = NULL;
      if (vagap_sem_model_build(&model, syn, groups, &opt, "fuzz.model", &err) == VAGAP_OK)
        vagap_sem_model_add_constraints(model, syn, "fuzz.constraints", &err); /* lavaan's constraints= */
      vagap_sem_model_free(model);
      /* the same text as a constraints= argument passed through the options */
      opt.constraints = syn;
      opt.constraints_source = "fuzz.constraints";
      if (vagap_sem_model_build(&model, syn, groups, &opt, "fuzz.model", &err) == VAGAP_OK)
        vagap_sem_model_free(model);
    }
  }
  vagap_sem_syntax_free(syn);

  unsigned flags;
  vagap_sem_group_equal_parse(text, &flags, &err);
  vagap_iat_variant_t variant;
  vagap_iat_variant_parse(text, &variant, &err);
  vagap_alternative_t alt;
  vagap_alternative_parse(text, &alt, &err);
  vagap_sem_stats_t *stats = NULL;
  vagap_sem_stats_deserialize(&stats, text, &err);
  vagap_sem_stats_free(stats);
  free(text);
  return 0;
}
