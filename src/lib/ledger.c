#include "vagap/ledger.h"

#include "grow.h"

#include <stdlib.h>
#include <string.h>

/* Distinct reasons are few (tens); a linear scan beats a hash table here. */
typedef struct {
  char *text;
  size_t count;
} reason_t;

typedef struct {
  char *name;
  size_t rows_read;
} source_t;

struct vagap_ledger {
  source_t *sources;
  size_t nsources, sources_cap;
  reason_t *reasons;
  size_t nreasons, reasons_cap;
  vagap_exclusion_t *exclusions;
  size_t nexclusions, exclusions_cap;
  size_t last_reason; /* cache: consecutive exclusions usually share a reason */
  size_t nexcluded;   /* all exclusions, kept or streamed */
  int streaming;      /* keep no record per row (vagap_ledger_stream) */
  vagap_ledger_sink_t sink;
  void *sink_ctx;
};

vagap_ledger_t *vagap_ledger_alloc(void) { return calloc(1, sizeof(vagap_ledger_t)); }

void vagap_ledger_free(vagap_ledger_t *ledger) {
  if (!ledger) return;
  for (size_t i = 0; i < ledger->nsources; i++) free(ledger->sources[i].name);
  for (size_t i = 0; i < ledger->nreasons; i++) free(ledger->reasons[i].text);
  free(ledger->sources);
  free(ledger->reasons);
  free(ledger->exclusions);
  free(ledger);
}

size_t vagap_ledger_source(vagap_ledger_t *ledger, const char *name) {
  for (size_t i = 0; i < ledger->nsources; i++)
    if (strcmp(ledger->sources[i].name, name) == 0) return i;
  if (vagap_reserve((void **)&ledger->sources, &ledger->sources_cap, ledger->nsources + 1,
           sizeof(source_t)))
    return (size_t)-1;
  char *copy = strdup(name);
  if (!copy) return (size_t)-1;
  ledger->sources[ledger->nsources] = (source_t){copy, 0};
  return ledger->nsources++;
}

const char *vagap_ledger_source_name(const vagap_ledger_t *ledger, size_t source) {
  return source < ledger->nsources ? ledger->sources[source].name : "";
}

void vagap_ledger_add_read(vagap_ledger_t *ledger, size_t source, size_t n) {
  if (source < ledger->nsources) ledger->sources[source].rows_read += n;
}

static reason_t *intern_reason(vagap_ledger_t *ledger, const char *reason) {
  if (ledger->last_reason < ledger->nreasons &&
      strcmp(ledger->reasons[ledger->last_reason].text, reason) == 0)
    return &ledger->reasons[ledger->last_reason];
  for (size_t i = 0; i < ledger->nreasons; i++)
    if (strcmp(ledger->reasons[i].text, reason) == 0) {
      ledger->last_reason = i;
      return &ledger->reasons[i];
    }
  if (vagap_reserve((void **)&ledger->reasons, &ledger->reasons_cap, ledger->nreasons + 1,
           sizeof(reason_t)))
    return NULL;
  char *copy = strdup(reason);
  if (!copy) return NULL;
  ledger->reasons[ledger->nreasons] = (reason_t){copy, 0};
  ledger->last_reason = ledger->nreasons;
  return &ledger->reasons[ledger->nreasons++];
}

vagap_status_t vagap_ledger_exclude(vagap_ledger_t *ledger, size_t source,
                                    long line, const char *reason) {
  reason_t *r = intern_reason(ledger, reason);
  if (!r) return VAGAP_ENOMEM;
  if (ledger->streaming) {
    if (ledger->sink)
      ledger->sink(vagap_ledger_source_name(ledger, source), line, r->text, ledger->sink_ctx);
  } else {
    if (vagap_reserve((void **)&ledger->exclusions, &ledger->exclusions_cap,
                      ledger->nexclusions + 1, sizeof(vagap_exclusion_t)))
      return VAGAP_ENOMEM;
    ledger->exclusions[ledger->nexclusions++] = (vagap_exclusion_t){source, line, r->text};
  }
  r->count++;
  ledger->nexcluded++;
  return VAGAP_OK;
}

void vagap_ledger_stream(vagap_ledger_t *ledger, vagap_ledger_sink_t sink, void *ctx) {
  ledger->streaming = 1;
  ledger->sink = sink;
  ledger->sink_ctx = ctx;
}

int vagap_ledger_wants_lines(const vagap_ledger_t *ledger) {
  return !ledger->streaming || ledger->sink != NULL;
}

vagap_status_t vagap_ledger_exclude_count(vagap_ledger_t *ledger, size_t source, size_t n,
                                          const char *reason) {
  (void)source; /* exclusions are counted per reason, not per source */
  if (vagap_ledger_wants_lines(ledger)) return VAGAP_EINVAL;
  if (n == 0) return VAGAP_OK;
  reason_t *r = intern_reason(ledger, reason);
  if (!r) return VAGAP_ENOMEM;
  r->count += n;
  ledger->nexcluded += n;
  return VAGAP_OK;
}

int vagap_ledger_keeps_rows(const vagap_ledger_t *ledger) { return !ledger->streaming;
}

size_t vagap_ledger_rows_read(const vagap_ledger_t *ledger) {
  size_t n = 0;
  for (size_t i = 0; i < ledger->nsources; i++) n += ledger->sources[i].rows_read;
  return n;
}

size_t vagap_ledger_rows_excluded(const vagap_ledger_t *ledger) { return ledger->nexcluded; }

size_t vagap_ledger_rows_used(const vagap_ledger_t *ledger) {
  size_t read = vagap_ledger_rows_read(ledger);
  return read > ledger->nexcluded ? read - ledger->nexcluded : 0;
}

const vagap_exclusion_t *vagap_ledger_exclusion(const vagap_ledger_t *ledger, size_t i) {
  return i < ledger->nexclusions ? &ledger->exclusions[i] : NULL;
}

void vagap_ledger_each_reason(const vagap_ledger_t *ledger,
                              void (*visit)(const char *reason, size_t count, void *ctx),
                              void *ctx) {
  for (size_t i = 0; i < ledger->nreasons; i++)
    visit(ledger->reasons[i].text, ledger->reasons[i].count, ctx);
}
