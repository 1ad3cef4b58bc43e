/*
 * Files the program writes (-o, --exclusions, sem's statistics, gap's units,
 * report's folder): each is written to a temporary file in its own folder
 * and renamed over its name only when the whole command has succeeded
 * (cli_outputs_commit, called by main), so a failed or interrupted command
 * leaves every old file as it was and no partial file behind.  A file that is
 * also an input of the command, or two outputs that are one file, are
 * refused before anything is written: files are compared by device and
 * inode, not by name.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
  dev_t dev;
  ino_t ino;
  char *base; /* NULL: (dev, ino) is the file; else the folder that will hold `base` */
} file_id_t;

typedef struct {
  char *path;     /* as the user gave it, for messages */
  char *target;   /* where the file goes (symbolic links resolved) */
  char *temp;     /* NULL when written in place (a device or FIFO such as /dev/null) */
  FILE *f;
  file_id_t id;
  int failed;
} output_t;

static output_t *outputs;
static size_t noutputs;
static int cleanup_registered;
static int argc_seen;
static char **argv_seen;
static int stdin_is_input;
static char *created_dir;

void cli_outputs_created_dir(const char *dir) {
  free(created_dir);
  created_dir = strdup(dir);
}
static const char *declared[8]; /* option arguments that name outputs */
static size_t ndeclared;

void cli_outputs_declare(const char *arg) {
  if (arg && ndeclared < sizeof declared / sizeof *declared) declared[ndeclared++] = arg;
}

/* `p` points into the argument `arg` (getopt's optarg does, for -oX and --output=X too). */
static int points_into(const char *p, const char *arg) {
  uintptr_t a = (uintptr_t)arg, x = (uintptr_t)p;
  return x >= a && x <= a + strlen(arg);
}

static int names_an_output(const char *path, const char *arg) {
  if (points_into(path, arg)) return 1;
  for (size_t k = 0; k < ndeclared; k++)
    if (points_into(declared[k], arg)) return 1;
  return 0;
}

void cli_outputs_set_argv(int argc, char **argv) {
  argc_seen = argc;
  argv_seen = argv;
}

void cli_outputs_stdin_is_input(void) { stdin_is_input = 1; }

static int same_id(const file_id_t *a, const file_id_t *b) {
  if (a->dev != b->dev || a->ino != b->ino || !a->base != !b->base) return 0;
  return !a->base || strcmp(a->base, b->base) == 0;
}

/* The identity of `path` as an output: the file if it exists, else its folder and name. */
static int output_id(const char *path, file_id_t *id) {
  struct stat st;
  id->base = NULL;
  if (stat(path, &st) == 0) {
    id->dev = st.st_dev;
    id->ino = st.st_ino;
    return 0;
  }
  char *d = strdup(path), *b = strdup(path);
  int ok = d && b && stat(dirname(d), &st) == 0;
  if (ok) {
    id->dev = st.st_dev;
    id->ino = st.st_ino;
    id->base = strdup(basename(b));
    ok = id->base != NULL;
  }
  free(d);
  free(b);
  return ok ? 0 : -1;
}

static int is_file(const char *s, const file_id_t *out) {
  struct stat st;
  return out->base == NULL && s[0] && stat(s, &st) == 0 && st.st_dev == out->dev &&
         st.st_ino == out->ino;
}

/* An argument naming the same file as the output `path` (which is itself one of them). */
static const char *input_naming(const char *path, const file_id_t *id) {
  for (int i = 1; i < argc_seen; i++) {
    const char *arg = argv_seen[i];
    if (names_an_output(path, arg)) continue;
    const char *eq = strncmp(arg, "--", 2) == 0 ? strchr(arg, '=') : NULL;
    if (is_file(arg, id)) return arg;
    if (eq && is_file(eq + 1, id)) return eq + 1;
    if (arg[0] == '-' && arg[1] != '-' && arg[1] && is_file(arg + 2, id)) return arg + 2;
  }
  /* standard input is read when asked ("-") or when no file follows the options
     (getopt has finished with the command's arguments, argv_seen + 1, by now) */
  int reads_stdin = stdin_is_input || optind + 1 >= argc_seen;
  for (int i = 1; i < argc_seen && !reads_stdin; i++) reads_stdin = strcmp(argv_seen[i], "-") == 0;
  struct stat st;
  if (reads_stdin && id->base == NULL && fstat(0, &st) == 0 && S_ISREG(st.st_mode) &&
      st.st_dev == id->dev && st.st_ino == id->ino)
    return "<stdin>";
  return NULL;
}

int cli_outputs_check(const char *path) {
  file_id_t id;
  if (output_id(path, &id) != 0) return 0; /* opening it will say why it cannot be written */
  int rc = 0;
  for (size_t k = 0; k < noutputs && rc == 0; k++)
    if (same_id(&outputs[k].id, &id)) {
      fprintf(stderr, "vagap: %s: is also the output %s; refusing to write one file twice\n",
              path, outputs[k].path);
      rc = -1;
    }
  const char *input = rc == 0 ? input_naming(path, &id) : NULL;
  if (input) {
    fprintf(stderr, "vagap: %s: is also an input (%s); refusing to overwrite it\n", path, input);
    rc = -1;
  }
  free(id.base);
  return rc;
}

int cli_outputs_check_pair(const char *a, const char *b) {
  file_id_t ia, ib;
  if (output_id(a, &ia) != 0) return 0;
  if (output_id(b, &ib) != 0) {
    free(ia.base);
    return 0;
  }
  int same = same_id(&ia, &ib);
  if (same) fprintf(stderr, "vagap: %s: is also the output %s; refusing to write one file twice\n", b, a);
  free(ia.base);
  free(ib.base);
  return same ? -1 : 0;
}

static void remove_temps(void) {
  for (size_t k = 0; k < noutputs; k++) {
    if (outputs[k].f) fclose(outputs[k].f);
    outputs[k].f = NULL;
    if (outputs[k].temp) unlink(outputs[k].temp);
    free(outputs[k].temp);
    outputs[k].temp = NULL;
  }
}

static void free_outputs(void) {
  for (size_t k = 0; k < noutputs; k++) {
    free(outputs[k].path);
    free(outputs[k].target);
    free(outputs[k].id.base);
  }
  free(outputs);
  outputs = NULL;
  noutputs = 0;
}

/* The mode a new file gets from open(..., 0666): what the umask leaves. */
static mode_t new_file_mode(void) {
  mode_t mask = umask(0);
  umask(mask);
  return 0666 & ~mask;
}

/* A temporary file next to `target`, with the mode the target has or would get. */
static FILE *open_temp(const char *target, char **temp) {
  char *d = strdup(target), *b = strdup(target);
  *temp = NULL;
  FILE *f = NULL;
  if (d && b && asprintf(temp, "%s/.%s.vagap-XXXXXX", dirname(d), basename(b)) > 0) {
    int fd = mkostemp(*temp, O_CLOEXEC);
    if (fd >= 0) {
      struct stat st;
      (void)fchmod(fd, stat(target, &st) == 0 ? (st.st_mode & 07777) : new_file_mode());
      if (!(f = fdopen(fd, "w"))) close(fd);
    }
    if (!f) {
      int e = errno;
      if (fd >= 0) unlink(*temp);
      free(*temp);
      *temp = NULL;
      errno = e;
    }
  } else {
    errno = ENOMEM;
  }
  free(d);
  free(b);
  return f;
}

/* Interrupted (Ctrl-C, kill): the temporary files go, then the signal does what it would. */
static void remove_temps_on_signal(int sig) {
  for (size_t k = 0; k < noutputs; k++)
    if (outputs[k].temp) unlink(outputs[k].temp); /* async-signal-safe */
  signal(sig, SIG_DFL);
  raise(sig);
}

static void register_cleanup(void) {
  atexit(remove_temps); /* exit() on a path that did not commit */
  static const int signals[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
  for (size_t k = 0; k < sizeof signals / sizeof *signals; k++) {
    struct sigaction old;
    /* a signal the caller ignores (nohup, SIGPIPE ignored) stays ignored */
    if (sigaction(signals[k], NULL, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = remove_temps_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(signals[k], &sa, NULL);
  }
}

FILE *cli_output_open(const char *path) {
  if (cli_outputs_check(path) != 0) exit(CLI_EXIT_USAGE); /* a usage error, whatever the command */
  if (!cleanup_registered) {
    register_cleanup();
    cleanup_registered = 1;
  }
  output_t o = {0};
  struct stat st;
  int exists = stat(path, &st) == 0;
  o.path = strdup(path);
  /* only a regular file is replaced through its real path; /dev/stdout on a pipe
     has no real path (its link names "pipe:[...]") and is written directly */
  o.target = exists && S_ISREG(st.st_mode) ? realpath(path, NULL) : strdup(path);
  if (!o.path || !o.target || output_id(path, &o.id) != 0) {
    fprintf(stderr, "vagap: %s: cannot open for writing: %s\n", path, strerror(errno ? errno : ENOMEM));
    goto fail;
  }
  if (exists && !S_ISREG(st.st_mode)) {
    /* a device or pipe (/dev/null, /dev/stdout, a FIFO) cannot be replaced: write to it */
    o.f = fopen(path, "w");
  } else {
    o.f = open_temp(o.target, &o.temp);
  }
  if (!o.f) {
    fprintf(stderr, "vagap: %s: cannot open for writing: %s\n", path, strerror(errno));
    goto fail;
  }
  output_t *grown = realloc(outputs, (noutputs + 1) * sizeof *outputs);
  if (!grown) {
    fprintf(stderr, "vagap: out of memory\n");
    fclose(o.f);
    if (o.temp) unlink(o.temp);
    goto fail;
  }
  outputs = grown;
  outputs[noutputs++] = o;
  return o.f;
fail:
  free(o.path);
  free(o.target);
  free(o.temp);
  free(o.id.base);
  return NULL;
}

static void report_failure(output_t *o, int e) {
  if (!o->failed) fprintf(stderr, "vagap: %s: write failed: %s\n", o->path, strerror(e ? e : EIO));
  o->failed = 1;
}

void cli_output_failed(FILE *f, int e) {
  for (size_t k = 0; k < noutputs; k++)
    if (outputs[k].f == f) report_failure(&outputs[k], e);
}

/* Flush and close one output; a failure is printed with its path. */
static int close_output(output_t *o) {
  int e = 0;
  errno = 0;
  if (fflush(o->f) != 0 || ferror(o->f)) e = errno ? errno : EIO;
  if (!e && o->temp && fsync(fileno(o->f)) != 0) e = errno;
  if (fclose(o->f) != 0 && !e) e = errno;
  o->f = NULL;
  if (e) report_failure(o, e);
  return o->failed ? CLI_EXIT_DATA : CLI_EXIT_OK;
}

int cli_output_close(FILE *f, int rc) {
  for (size_t k = 0; k < noutputs; k++)
    if (outputs[k].f == f) {
      int crc = close_output(&outputs[k]);
      return rc != CLI_EXIT_OK ? rc : crc;
    }
  return rc;
}

const char *cli_output_path(FILE *f) {
  for (size_t k = 0; k < noutputs; k++)
    if (outputs[k].f == f) return outputs[k].path;
  return NULL;
}

int cli_outputs_commit(int rc) {
  for (size_t k = 0; k < noutputs; k++) {
    if (outputs[k].f && close_output(&outputs[k]) != CLI_EXIT_OK && rc == CLI_EXIT_OK) rc = CLI_EXIT_DATA;
    if (outputs[k].failed && rc == CLI_EXIT_OK) rc = CLI_EXIT_DATA;
  }
  for (size_t k = 0; k < noutputs && rc == CLI_EXIT_OK; k++) {
    output_t *o = &outputs[k];
    if (o->temp && rename(o->temp, o->target) != 0) {
      fprintf(stderr, "vagap: %s: cannot replace: %s\n", o->path, strerror(errno));
      rc = CLI_EXIT_DATA; /* the files renamed before stay: each is complete */
    } else if (o->temp) {
      free(o->temp);
      o->temp = NULL;
    }
  }
  remove_temps();
  free_outputs();
  if (created_dir && rc != CLI_EXIT_OK) rmdir(created_dir); /* only when empty */
  free(created_dir);
  created_dir = NULL;
  return rc;
}
