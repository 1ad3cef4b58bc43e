#include "stats_cli.h"
int cmd_score(int argc, char **argv) { (void)argc; (void)argv; return CLI_EXIT_USAGE; }
