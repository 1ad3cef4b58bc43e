/* vagap: dispatch to the subcommand named by the first argument. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void print_usage(FILE *out) {
  fprintf(out,
          "Usage: vagap COMMAND [OPTIONS] [FILE...]\n"
          "Statistics for value-action gap studies, from CSV logs to tidy tables.\n\n"
          "Commands:\n");
  for (size_t i = 0; i < CLI_NCOMMANDS; i++)
    fprintf(out, "  %-12s %s\n", CLI_COMMANDS[i].name, CLI_COMMANDS[i].summary);
  fprintf(out,
          "\n'vagap COMMAND --help' describes a command; 'man vagap' has the details.\n"
          "Tables go to standard output, messages to standard error.\n"
          "Exit status: 0 success, 1 data error, 2 usage error.\n");
}

int main(int argc, char **argv) {
  vagap_init();
  if (argc < 2) {
    print_usage(stderr);
    return CLI_EXIT_USAGE;
  }
  const char *name = argv[1];
  if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
    print_usage(stdout);
    return CLI_EXIT_OK;
  }
  if (strcmp(name, "--version") == 0) {
    printf("vagap %s\n", vagap_version());
    return CLI_EXIT_OK;
  }
  for (size_t i = 0; i < CLI_NCOMMANDS; i++)
    if (strcmp(name, CLI_COMMANDS[i].name) == 0) {
      cli_outputs_set_argv(argc, argv);
      /* the files written go into place only now, and only if the whole command succeeded */
      return cli_outputs_commit(CLI_COMMANDS[i].run(argc - 1, argv + 1));
    }
  const char *names[64];
  size_t n = 0;
  for (size_t i = 0; i < CLI_NCOMMANDS && n < sizeof names / sizeof names[0]; i++)
    names[n++] = CLI_COMMANDS[i].name;
  const char *near = vagap_suggest(name, names, n);
  if (near) fprintf(stderr, "vagap: unknown command '%s'; did you mean '%s'?\n", name, near);
  else fprintf(stderr, "vagap: unknown command '%s'\n", name);
  fprintf(stderr, "Try 'vagap --help' for the list of commands.\n");
  return CLI_EXIT_USAGE;
}
