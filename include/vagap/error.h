/*
 * vagap/error.h - status codes and the error record every library call fills.
 *
 * The library never prints and never exits.  A function that can fail returns
 * a vagap_status_t and, when it is given a non-NULL vagap_error_t, writes a
 * message and (where the failure has one) the file, line and column of the
 * offending input.  Lines are 1-based physical lines of the input file;
 * columns are 1-based field numbers in a table and 1-based character columns
 * in text such as model syntax.  0 means "not applicable".
 */
#ifndef VAGAP_ERROR_H
#define VAGAP_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  VAGAP_OK = 0,
  VAGAP_ENOMEM,     /* memory allocation failed */
  VAGAP_EIO,        /* file could not be opened, read or written */
  VAGAP_EPARSE,     /* malformed text: CSV syntax, model syntax, spec strings */
  VAGAP_EDATA,      /* well-formed but unusable data (non-numeric, out of range) */
  VAGAP_ECOLUMN,    /* a required column is missing or duplicated */
  VAGAP_ELIMIT,     /* a size cap was exceeded (field, row, columns) */
  VAGAP_EINVAL,     /* invalid argument or option value */
  VAGAP_EDOMAIN,    /* a statistic is undefined for the data (n < 2, zero variance) */
  VAGAP_ENOCONV,    /* an optimisation did not converge */
  VAGAP_EMODEL,     /* a statistical model is unidentified or inadmissible */
  VAGAP_ENUMERIC    /* a numerical routine (GSL, NLopt) failed */
} vagap_status_t;

#define VAGAP_ERROR_MESSAGE_MAX 1024
#define VAGAP_ERROR_FILE_MAX 512

typedef struct {
  vagap_status_t status;
  char message[VAGAP_ERROR_MESSAGE_MAX];
  char file[VAGAP_ERROR_FILE_MAX]; /* empty when not about a file */
  long line;                       /* 0 when unknown */
  long column;                     /* 0 when unknown */
} vagap_error_t;

/* A short description of a status code ("out of memory", ...). */
const char *vagap_strerror(vagap_status_t status);

/* Reset an error record to VAGAP_OK with no message.  NULL is a no-op. */
void vagap_error_clear(vagap_error_t *err);

/*
 * Fill an error record (NULL is a no-op) and return `status`, so that a
 * failing path can be written `return vagap_error_set(err, ...)`.
 * `file` may be NULL; `line` and `column` may be 0.
 */
vagap_status_t vagap_error_set(vagap_error_t *err, vagap_status_t status,
                               const char *file, long line, long column,
                               const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

/*
 * One-time library set-up: turns off GSL's aborting error handler so that
 * GSL failures come back as return codes.  Safe to call more than once.
 */
void vagap_init(void);

/*
 * For "did you mean" messages: the candidate nearest to a misspelt `name`, or NULL when
 * none is near.  Near means an edit distance (insertions, deletions, substitutions and
 * swaps of neighbours, ignoring case) of at most a third of the name's length (at least
 * 1, at most 3); the first of equally near candidates wins.  NULL entries are skipped.
 */
const char *vagap_suggest(const char *name, const char *const *candidates, size_t n);

/* The library version, "MAJOR.MINOR.PATCH". */
const char *vagap_version(void);

/*
 * sizeof the public structure named `type_name` ("vagap_sem_fit_t") as this
 * library was compiled, or 0 for a name that is not a public structure.
 * Bindings that mirror structures (Python's ctypes) or were compiled against
 * other headers (the R glue) compare it with their own size at load time and
 * refuse to run on a mismatch, instead of reading fields at wrong offsets.
 */
size_t vagap_struct_size(const char *type_name);

#ifdef __cplusplus
}
#endif
#endif
