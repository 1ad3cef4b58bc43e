/*
 * layout.c - the sizes of the public structures as this library was built,
 * so that a binding that mirrors them by hand (Python's ctypes) or was
 * compiled against other headers (the R glue) can refuse to run instead of
 * reading fields at the wrong offsets (see vagap_struct_size in vagap/error.h).
 */
#include "vagap/vagap.h"
#include "vagap/align_shen2025.h"

#include <string.h>

#define TYPE(t) {#t, sizeof(t)}

static const struct {
  const char *name;
  size_t size;
} PUBLIC_TYPES[] = {
    TYPE(vagap_align_obs_t),
    TYPE(vagap_align_cell_t),
    TYPE(vagap_align_scenario_t),
    TYPE(vagap_align_model_t),
    TYPE(vagap_align_options_t),
    TYPE(vagap_align_group_t),
    TYPE(vagap_align_log_options_t),
    TYPE(vagap_shen2025_response_t),
    TYPE(vagap_shen2025_metrics_t),
    TYPE(vagap_shen2025_t1_summary_t),
    TYPE(vagap_shen2025_t2_summary_t),
    TYPE(vagap_shen2025_level_t),
    TYPE(vagap_consistency_cor_t),
    TYPE(vagap_consistency_unit_t),
    TYPE(vagap_consistency_options_t),
    TYPE(vagap_numeric_summary_t),
    TYPE(vagap_error_t),
    TYPE(vagap_gap_options_t),
    TYPE(vagap_gap_measure_t),
    TYPE(vagap_gap_data_t),
    TYPE(vagap_gap_joined_t),
    TYPE(vagap_gap_unit_t),
    TYPE(vagap_gap_describe_t),
    TYPE(vagap_gap_t),
    TYPE(vagap_iat_moments_t),
    TYPE(vagap_iat_assoc_options_t),
    TYPE(vagap_iat_counts_t),
    TYPE(vagap_iat_assoc_trial_t),
    TYPE(vagap_iat_assoc_unit_t),
    TYPE(vagap_iat_dscore_options_t),
    TYPE(vagap_iat_subject_t),
    TYPE(vagap_iat_reliability_t),
    TYPE(vagap_exclusion_t),
    TYPE(vagap_power_draw_t),
    TYPE(vagap_power_acc_t),
    TYPE(vagap_power_summary_t),
    TYPE(vagap_power_sem_t),
    TYPE(vagap_scale_key_t),
    TYPE(vagap_omega_t),
    TYPE(vagap_sem_modifier_t),
    TYPE(vagap_sem_statement_t),
    TYPE(vagap_sem_syntax_t),
    TYPE(vagap_sem_model_options_t),
    TYPE(vagap_sem_param_t),
    TYPE(vagap_sem_constraint_t),
    TYPE(vagap_sem_model_t),
    TYPE(vagap_sem_stats_t),
    TYPE(vagap_sem_data_t),
    TYPE(vagap_sem_fit_options_t),
    TYPE(vagap_sem_measures_t),
    TYPE(vagap_sem_fit_t),
    TYPE(vagap_sem_lrt_t),
    TYPE(vagap_sem_boot_options_t),
    TYPE(vagap_sem_boot_t),
    TYPE(vagap_sem_invariance_step_t),
    TYPE(vagap_sem_invariance_row_t),
    TYPE(vagap_sem_invariance_t),
    TYPE(vagap_xsum_t),
    TYPE(vagap_sim_plan_t),
    TYPE(vagap_sim_vm_t),
    TYPE(vagap_ttest_options_t),
    TYPE(vagap_effect_size_t),
    TYPE(vagap_ttest_t),
    TYPE(vagap_cor_options_t),
    TYPE(vagap_cor_t),
    TYPE(vagap_prop_options_t),
    TYPE(vagap_prop_t),
    TYPE(vagap_alpha_t),
    TYPE(vagap_study_units_t),
    TYPE(vagap_study_codes_t),
    TYPE(vagap_study_iat_options_t),
    TYPE(vagap_study_iat_reader_t),
    TYPE(vagap_study_choice_options_t),
    TYPE(vagap_study_choice_rules_t),
    TYPE(vagap_study_choices_t),
    TYPE(vagap_study_prop_t),
    TYPE(vagap_study_key_t),
    TYPE(vagap_study_runs_t),
    TYPE(vagap_study_long_columns_t),
    TYPE(vagap_study_scores_t),
    TYPE(vagap_study_score_t),
    TYPE(vagap_study_scale_options_t),
    TYPE(vagap_study_scale_t),
    TYPE(vagap_table_options_t),
    TYPE(vagap_row_t),
    TYPE(vagap_tidy_row_t),
    TYPE(vagap_tidy_t),
    TYPE(vagap_vaar_path_t),
    TYPE(vagap_vaar_spec_t),
    TYPE(vagap_vaar_estimate_t),
    TYPE(vagap_vaar_path_result_t),
    TYPE(vagap_vaar_group_result_t),
    TYPE(vagap_vaar_result_t),
    TYPE(vagap_vaar_markers_t),
    TYPE(vagap_vaar_boot_t),
    TYPE(vagap_vaar_orientation_t),
    TYPE(vagap_vaar_options_t),
    TYPE(vagap_vaar_analysis_t),
};

size_t vagap_struct_size(const char *type_name) {
  if (!type_name) return 0;
  for (size_t k = 0; k < sizeof PUBLIC_TYPES / sizeof PUBLIC_TYPES[0]; k++)
    if (!strcmp(PUBLIC_TYPES[k].name, type_name)) return PUBLIC_TYPES[k].size;
  return 0;
}
