/* The table of subcommands: one row per src/cli/cmd_<name>.c, in --help order:
   the whole study first, then its steps, then the general tests, SEM, alignment,
   then simulation. */
#include "cli.h"

const cli_command_t CLI_COMMANDS[] = {
    {"report", cmd_report, "whole walk-the-talk study: IAT, behaviour, self-report, gap; report.md + SVG"},
    {"describe", cmd_describe, "per-column summaries of a CSV file (n, missing, mean, sd, ...)"},
    {"iat", cmd_iat, "IAT scores: association counts of language models, latency D-scores"},
    {"prop", cmd_prop, "share of a category per unit: Wilson CI and exact binomial test"},
    {"score", cmd_score, "questionnaire scoring from a key: scores, POMP, Cronbach's alpha"},
    {"gap", cmd_gap, "calibration gap: self-report vs behaviour per unit, paired test, quadrants, r"},
    {"ttest", cmd_ttest, "one-sample, paired and two-sample t-tests with Cohen's d variants"},
    {"corr", cmd_corr, "Pearson and Spearman correlations for pairs or a matrix of columns"},
    {"sem", cmd_sem, "multi-group structural equation models by ML (lavaan syntax and defaults)"},
    {"vaar", cmd_vaar, "value-action alignment rate: per-group agreement of SEM path signs"},
    {"align", cmd_align, "ValueActionLens alignment of stated values and actions (F1, distance, votes)"},
    {"consistency", cmd_consistency, "ValAct consistency: cross-unit r matrix, stated vs enacted, role-play drop"},
    {"simulate", cmd_simulate, "multivariate normal data from a population SEM (lavaan simulateData)"},
    {"power", cmd_power, "Monte Carlo power and precision over a grid of conditions, mergeable parts"},
};

const size_t CLI_NCOMMANDS = sizeof CLI_COMMANDS / sizeof CLI_COMMANDS[0];
