/*
 * The steps of a VAAR analysis between the estimates and the scores:
 * orientation guard, expected signs, scoring.  `vagap vaar` and the R and
 * Python bindings call vagap_vaar_analyse, so a fit scored from either gives
 * the same rows and the same errors (METHODS.md section 7).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vagap/vaar.h"

void vagap_vaar_orientation_clear(vagap_vaar_orientation_t *o) {
  if (!o) return;
  for (size_t i = 0; i < o->n; i++) free(o->storage[i]);
  free(o->storage);
  free(o->latent);
  free(o->indicator);
  memset(o, 0, sizeof *o);
}

/* One trimmed comma item [b, b + len) as "factor\0indicator" in o; 1 when malformed. */
static int add_pair(vagap_vaar_orientation_t *o, const char *b, size_t len) {
  char *pair = malloc(len + 1);
  if (!pair) return -1;
  memcpy(pair, b, len);
  pair[len] = '\0';
  o->storage[o->n] = pair; /* owned from here, freed by the clear */
  char *eq = strchr(pair, '=');
  if (!eq || eq == pair || !eq[1]) return 1;
  *eq = '\0';
  o->latent[o->n] = pair;
  o->indicator[o->n++] = eq + 1;
  return 0;
}

vagap_status_t vagap_vaar_orientation_parse(vagap_vaar_orientation_t *o, const char *list,
                                            vagap_error_t *err) {
  memset(o, 0, sizeof *o);
  size_t cap = 1;
  for (const char *c = list; *c; c++) cap += *c == ',';
  o->storage = calloc(cap + 1, sizeof *o->storage);
  o->latent = calloc(cap, sizeof *o->latent);
  o->indicator = calloc(cap, sizeof *o->indicator);
  if (!o->storage || !o->latent || !o->indicator)
    return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
  for (const char *b = list;;) {
    const char *e = strchr(b, ',');
    size_t len = e ? (size_t)(e - b) : strlen(b);
    while (len && *b == ' ') b++, len--;
    while (len && b[len - 1] == ' ') len--;
    int bad = len ? add_pair(o, b, len) : 0;
    if (bad < 0) return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    if (bad) {
      /* the malformed item's storage is kept past n for the clear to free */
      vagap_status_t st = vagap_error_set(err, VAGAP_EINVAL, "--sign-indicator", 0, 0,
                                          "'%s' is not factor=indicator", o->storage[o->n]);
      free(o->storage[o->n]);
      o->storage[o->n] = NULL;
      return st;
    }
    if (!e) break;
    b = e + 1;
  }
  return VAGAP_OK;
}

const char *vagap_vaar_orientation_find(const vagap_vaar_orientation_t *o, const char *latent) {
  for (size_t i = 0; o && i < o->n; i++)
    if (strcmp(o->latent[i], latent) == 0) return o->indicator[i];
  return NULL;
}

void vagap_vaar_options_init(vagap_vaar_options_t *o) {
  memset(o, 0, sizeof *o);
  o->expect_source = "--expect";
  o->alpha = 0.05;
}

void vagap_vaar_analysis_clear(vagap_vaar_analysis_t *a) {
  if (!a) return;
  vagap_vaar_markers_clear(&a->markers);
  vagap_vaar_spec_free(a->spec);
  vagap_vaar_result_free(a->result);
  memset(a, 0, sizeof *a);
}

/* A factor whose sign no fixed loading and no named indicator pins is refused:
   its paths' signs would be whatever the optimiser landed on. */
static vagap_status_t guard_orientation(vagap_vaar_analysis_t *a, vagap_vaar_estimate_t *est,
                                        size_t nest, const vagap_vaar_orientation_t *o,
                                        vagap_error_t *err) {
  const vagap_vaar_markers_t *mk = &a->markers;
  for (size_t m = 0; m < mk->n; m++)
    if (!mk->fixed[m] && !vagap_vaar_orientation_find(o, mk->latent[m]))
      return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                             "factor %s has no fixed marker loading (as with std.lv), so its sign is "
                             "arbitrary; name its sign-fixing indicator with --sign-indicator %s=%s",
                             mk->latent[m], mk->latent[m], mk->indicator[m]);
  return vagap_vaar_orient(est, nest, o ? o->latent : NULL, o ? o->indicator : NULL, o ? o->n : 0,
                           &a->nflipped, err);
}

/* K and the expected signs: a spec (string or table), then the reference group's signs. */
static vagap_status_t build_spec(vagap_vaar_analysis_t *a, const vagap_vaar_estimate_t *est,
                                 size_t nest, const vagap_vaar_options_t *o, vagap_error_t *err) {
  vagap_vaar_spec_t *paths = NULL;
  vagap_status_t st = VAGAP_OK;
  if (o->expect && (st = vagap_vaar_spec_parse(&paths, o->expect, o->expect_source, err)) == VAGAP_EPARSE)
    err->status = VAGAP_EINVAL; /* a malformed option value is a usage error */
  if (!st && o->expect_table) st = vagap_vaar_spec_from_table(&paths, o->expect_table, err);
  if (st) return st;
  if (!o->reference) {
    a->spec = paths;
    return VAGAP_OK;
  }
  st = vagap_vaar_spec_from_reference(&a->spec, paths, est, nest, o->reference, o->reference_alpha, err);
  vagap_vaar_spec_free(paths);
  if (st == VAGAP_EINVAL && o->reference_hint) {
    size_t len = strlen(err->message);
    snprintf(err->message + len, sizeof err->message - len, "%s", o->reference_hint);
  }
  return st;
}

vagap_status_t vagap_vaar_analyse(vagap_vaar_analysis_t *out, vagap_vaar_estimate_t *est,
                                  size_t nest, const vagap_vaar_options_t *o, vagap_error_t *err) {
  memset(out, 0, sizeof *out);
  if (!o->expect && !o->expect_table && !o->reference)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "give the expected signs: --expect, --expect-file or --reference");
  vagap_status_t st = vagap_vaar_markers(&out->markers, est, nest, err);
  if (!st) st = guard_orientation(out, est, nest, o->orientation, err);
  if (!st) st = build_spec(out, est, nest, o, err);
  if (!st) {
    st = vagap_vaar_score(&out->result, out->spec, est, nest, o->alpha, err);
    /* errors located in the spec name where the spec came from */
    if (st && err->line > 0 && !err->file[0])
      snprintf(err->file, sizeof err->file, "%s",
               o->expect_table ? vagap_table_source(o->expect_table) : o->expect_source);
  }
  return st;
}
