#include "stats_cli.h"
int cmd_prop(int argc, char **argv) { (void)argc; (void)argv; return CLI_EXIT_USAGE; }
