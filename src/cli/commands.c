/* The table of subcommands: one row per src/cli/cmd_<name>.c, in --help order. */
#include "cli.h"

const cli_command_t CLI_COMMANDS[] = {
    {"describe", cmd_describe, "per-column summaries of a CSV file (n, missing, mean, sd, ...)"},
    {"sem", cmd_sem, "multi-group structural equation models by ML (lavaan syntax and defaults)"},
    {"vaar", cmd_vaar, "value-action alignment rate: per-group agreement of SEM path signs"},
};

const size_t CLI_NCOMMANDS = sizeof CLI_COMMANDS / sizeof CLI_COMMANDS[0];
