/* The table of subcommands: one row per src/cli/cmd_<name>.c, in --help order. */
#include "cli.h"

const cli_command_t CLI_COMMANDS[] = {
    {"describe", cmd_describe, "per-column summaries of a CSV file (n, missing, mean, sd, ...)"},
    {"iat", cmd_iat, "IAT scores: association counts of language models, latency D-scores"},
    {"gap", cmd_gap, "calibration gap: self-report vs behaviour per unit, paired test, quadrants, r"},
    {"report", cmd_report, "whole walk-the-talk study: IAT, behaviour, self-report, gap; report.md + SVG"},
};

const size_t CLI_NCOMMANDS = sizeof CLI_COMMANDS / sizeof CLI_COMMANDS[0];
