/*
 * Fuzz whole subcommands on arbitrary files: the first byte picks a command
 * line, the rest is split at the first 0xFF byte into a data file and a
 * second file (a questionnaire key, a model, word lists).  This reaches every
 * text the program parses through its real option handling.  Run with
 * -close_fd_mask=3 to silence the commands' output.
 */
#include <getopt.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static void write_file(const char *path, const uint8_t *data, size_t size) {
  FILE *f = fopen(path, "wb");
  if (!f) return;
  fwrite(data, 1, size, f);
  fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  char data_path[64], aux_path[64];
  snprintf(data_path, sizeof data_path, "/tmp/vagap-fuzz-%d.csv", (int)getpid());
  snprintf(aux_path, sizeof aux_path, "/tmp/vagap-fuzz-%d.aux", (int)getpid());
  const uint8_t *body = data + 1, *sep = memchr(body, 0xFF, size - 1);
  size_t first = sep ? (size_t)(sep - body) : size - 1;
  write_file(data_path, body, first);
  write_file(aux_path, sep ? sep + 1 : body, sep ? size - 1 - first - 1 : 0);

  char *argv[16];
  int argc = 0;
  switch (data[0] % 10) {
  case 0: argv[argc++] = "describe"; argv[argc++] = "--by"; argv[argc++] = "g"; break;
  case 1: argv[argc++] = "iat"; argv[argc++] = "--method"; argv[argc++] = "assoc"; break;
  case 2: argv[argc++] = "iat"; argv[argc++] = "--method"; argv[argc++] = "dscore"; argv[argc++] = "--reliability"; break;
  case 3: argv[argc++] = "score"; argv[argc++] = "--key"; argv[argc++] = aux_path; break;
  case 4: argv[argc++] = "sem"; argv[argc++] = "--model"; argv[argc++] = aux_path; argv[argc++] = "--fit"; break;
  case 5: argv[argc++] = "sem"; argv[argc++] = "--model"; argv[argc++] = aux_path; argv[argc++] = "--group"; argv[argc++] = "g"; break;
  case 6: argv[argc++] = "align"; break;
  case 7: argv[argc++] = "gap"; break;
  case 8: argv[argc++] = "ttest"; argv[argc++] = "--x"; argv[argc++] = "x"; argv[argc++] = "--mu"; argv[argc++] = "0.5"; break;
  default: argv[argc++] = "corr"; argv[argc++] = "--matrix"; break;
  }
  argv[argc++] = "--quiet";
  argv[argc++] = data_path;
  argv[argc] = NULL;
  for (size_t i = 0; i < CLI_NCOMMANDS; i++)
    if (strcmp(CLI_COMMANDS[i].name, argv[0]) == 0) {
      optind = 0; /* getopt_long restarts for every run */
      cli_outputs_commit(CLI_COMMANDS[i].run(argc, argv));
    }
  unlink(data_path);
  unlink(aux_path);
  return 0;
}
