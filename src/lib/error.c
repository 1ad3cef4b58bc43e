#include "vagap/error.h"

#include <gsl/gsl_errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *vagap_strerror(vagap_status_t status) {
  switch (status) {
  case VAGAP_OK: return "success";
  case VAGAP_ENOMEM: return "out of memory";
  case VAGAP_EIO: return "input/output error";
  case VAGAP_EPARSE: return "malformed input";
  case VAGAP_EDATA: return "unusable data";
  case VAGAP_ECOLUMN: return "missing or duplicated column";
  case VAGAP_ELIMIT: return "size limit exceeded";
  case VAGAP_EINVAL: return "invalid argument";
  case VAGAP_EDOMAIN: return "statistic undefined for these data";
  case VAGAP_ENOCONV: return "optimisation did not converge";
  case VAGAP_EMODEL: return "model not identified or inadmissible";
  case VAGAP_ENUMERIC: return "numerical failure";
  }
  return "unknown status";
}

void vagap_error_clear(vagap_error_t *err) {
  if (!err) return;
  memset(err, 0, sizeof *err);
}

vagap_status_t vagap_error_set(vagap_error_t *err, vagap_status_t status,
                               const char *file, long line, long column,
                               const char *fmt, ...) {
  if (!err) return status;
  err->status = status;
  snprintf(err->file, sizeof err->file, "%s", file ? file : "");
  err->line = line;
  err->column = column;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
  return status;
}

void vagap_init(void) { gsl_set_error_handler_off(); }

const char *vagap_version(void) { return VAGAP_VERSION_STRING; }
