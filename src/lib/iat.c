/*
 * iat.c - association-count IAT scores and Greenwald et al. (2003) D-scores.
 * Formulas and sources: include/vagap/iat.h and METHODS.md sections 1-2.
 */
#include "vagap/iat.h"

#include "grow.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- sufficient statistics ------------------------------------------------ */

void vagap_iat_moments_add(vagap_iat_moments_t *m, double x) {
  m->n += 1.0;
  double delta = x - m->mean;
  m->mean += delta / m->n;
  m->m2 += delta * (x - m->mean);
}

void vagap_iat_moments_merge(vagap_iat_moments_t *into, const vagap_iat_moments_t *from) {
  if (from->n == 0) return;
  if (into->n == 0) {
    *into = *from;
    return;
  }
  double n = into->n + from->n;
  double delta = from->mean - into->mean;
  /* Weighted mean written as a sum of shares: exact when both means are equal. */
  double mean = into->mean * (into->n / n) + from->mean * (from->n / n);
  into->m2 += from->m2 + delta * delta * (into->n * from->n / n);
  into->mean = mean;
  into->n = n;
}

double vagap_iat_moments_sd(const vagap_iat_moments_t *m) {
  if (m->n < 2) return NAN;
  return sqrt(m->m2 / (m->n - 1.0));
}

double vagap_iat_moments_sd_pop(const vagap_iat_moments_t *m) {
  if (m->n < 1) return NAN;
  return sqrt(m->m2 / m->n);
}

/* ---- a byte-string hash map ----------------------------------------------- */
/*
 * Maps byte strings to indices in first-seen order (open addressing, FNV-1a).
 * Keys live in a growing byte pool addressed by offset, so growth never
 * invalidates them; every key is NUL-terminated there so that it can be
 * handed out as a C string once adding has finished.
 */

typedef struct {
  char *bytes;
  size_t len, cap;
} pool_t;

typedef struct {
  uint64_t hash;
  size_t off, len; /* key in the pool */
  size_t value;    /* SIZE_MAX: empty slot */
} slot_t;

typedef struct {
  slot_t *slots;
  size_t cap, count; /* cap is a power of two */
  pool_t keys;
} strmap_t;

static void pool_free(pool_t *p) { free(p->bytes); }

/* Append (s, len) plus a NUL; returns the offset or SIZE_MAX when out of memory. */
static size_t pool_add(pool_t *p, const char *s, size_t len) {
  if (p->len + len + 1 > p->cap) {
    size_t cap = p->cap ? p->cap : 4096;
    while (cap < p->len + len + 1) cap *= 2;
    char *bytes = realloc(p->bytes, cap);
    if (!bytes) return SIZE_MAX;
    p->bytes = bytes;
    p->cap = cap;
  }
  size_t off = p->len;
  if (len) memcpy(p->bytes + off, s, len);
  p->bytes[off + len] = '\0';
  p->len += len + 1;
  return off;
}

static uint64_t hash_bytes(const char *s, size_t len) {
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < len; i++) {
    h ^= (unsigned char)s[i];
    h *= 1099511628211ULL;
  }
  return h;
}

static void strmap_free(strmap_t *m) {
  free(m->slots);
  pool_free(&m->keys);
}

static int strmap_grow(strmap_t *m) {
  size_t cap = m->cap ? m->cap * 2 : 64;
  slot_t *slots = malloc(cap * sizeof *slots);
  if (!slots) return -1;
  for (size_t i = 0; i < cap; i++) slots[i].value = SIZE_MAX;
  for (size_t i = 0; i < m->cap; i++) {
    if (m->slots[i].value == SIZE_MAX) continue;
    size_t j = (size_t)m->slots[i].hash & (cap - 1);
    while (slots[j].value != SIZE_MAX) j = (j + 1) & (cap - 1);
    slots[j] = m->slots[i];
  }
  free(m->slots);
  m->slots = slots;
  m->cap = cap;
  return 0;
}

/*
 * Look `key` up; when absent insert it with value m->count (the next index in
 * first-seen order).  Sets *value and *inserted.  Returns -1 when out of memory.
 */
static int strmap_intern(strmap_t *m, const char *key, size_t len, size_t *value,
                         int *inserted) {
  if (2 * (m->count + 1) > m->cap && strmap_grow(m) != 0) return -1;
  uint64_t h = hash_bytes(key, len);
  size_t j = (size_t)h & (m->cap - 1);
  while (m->slots[j].value != SIZE_MAX) {
    const slot_t *s = &m->slots[j];
    if (s->hash == h && s->len == len && memcmp(m->keys.bytes + s->off, key, len) == 0) {
      *value = s->value;
      *inserted = 0;
      return 0;
    }
    j = (j + 1) & (m->cap - 1);
  }
  size_t off = pool_add(&m->keys, key, len);
  if (off == SIZE_MAX) return -1;
  m->slots[j] = (slot_t){h, off, len, m->count};
  *value = m->count++;
  *inserted = 1;
  return 0;
}

/* A key made of an index and a string: the association scorer's (unit, trial)
   and (trial, word) keys.  Returns -1 when out of memory. */
static int compose_key(pool_t *scratch, size_t index, const char *s, size_t len) {
  scratch->len = 0;
  if (vagap_reserve((void **)&scratch->bytes, &scratch->cap, sizeof index + len + 1, 1) != 0)
    return -1;
  memcpy(scratch->bytes, &index, sizeof index);
  if (len) memcpy(scratch->bytes + sizeof index, s, len);
  scratch->len = sizeof index + len;
  return 0;
}

/* ---- association-count IAT ------------------------------------------------ */

void vagap_iat_assoc_options_init(vagap_iat_assoc_options_t *opt) {
  opt->smoothing = 0.0;
  opt->empty_rule = VAGAP_IAT_EMPTY_INVALID;
}

vagap_status_t vagap_iat_assoc_preset(vagap_iat_assoc_options_t *opt, const char *name,
                                      vagap_error_t *err) {
  if (strcmp(name, "andric2025") == 0) {
    opt->smoothing = 0.0;
    opt->empty_rule = VAGAP_IAT_EMPTY_INVALID;
  } else if (strcmp(name, "bai2024") == 0) {
    opt->smoothing = 0.01;
    opt->empty_rule = VAGAP_IAT_EMPTY_ZERO;
  } else {
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "unknown IAT preset '%s' (known: andric2025, bai2024)", name);
  }
  return VAGAP_OK;
}

int vagap_iat_assoc_trial_score(const vagap_iat_counts_t *k,
                                const vagap_iat_assoc_options_t *opt, double *score) {
  double s = opt->smoothing;
  size_t focal = k->c + k->d, contrast = k->a + k->b;
  if (opt->empty_rule == VAGAP_IAT_EMPTY_INVALID) {
    if (focal == 0 || contrast == 0) {
      *score = NAN;
      return 0;
    }
  } else if (focal + contrast == 0) {
    *score = 0.0;
    return 1;
  }
  double focal_den = (double)focal + s, contrast_den = (double)contrast + s;
  if (focal_den == 0.0 || contrast_den == 0.0) {
    *score = NAN;
    return 0;
  }
  *score = (double)k->d / focal_den + (double)k->a / contrast_den - 1.0;
  return 1;
}

const char *vagap_iat_word_fate_reason(vagap_iat_word_fate_t fate) {
  switch (fate) {
  case VAGAP_IAT_WORD_USED: return "used";
  case VAGAP_IAT_WORD_IGNORED: return "word in neither attribute list";
  case VAGAP_IAT_WORD_OTHER_TARGET: return "assigned to a target that is neither focal nor contrast";
  case VAGAP_IAT_WORD_DUPLICATE: return "word repeated within the trial";
  case VAGAP_IAT_WORD_MISSING: return "no word";
  }
  return "unknown";
}

typedef struct {
  size_t unit;
  size_t name_off; /* trial label in the scorer's names pool */
  vagap_iat_counts_t counts;
  size_t n_ignored, n_other_target, n_duplicate;
} assoc_trial_t;

typedef struct {
  size_t name_off;
  size_t *trials; /* indices of its trials, in first-seen order */
  size_t ntrials, cap;
} assoc_unit_t;

struct vagap_iat_assoc {
  vagap_iat_assoc_options_t opt;
  strmap_t unit_map, trial_map, word_map;
  pool_t names, scratch;
  assoc_unit_t *units;
  size_t nunits, units_cap;
  assoc_trial_t *trials;
  size_t ntrials, trials_cap;
};

vagap_iat_assoc_t *vagap_iat_assoc_alloc(const vagap_iat_assoc_options_t *opt) {
  vagap_iat_assoc_t *a = calloc(1, sizeof *a);
  if (a) a->opt = *opt;
  return a;
}

void vagap_iat_assoc_free(vagap_iat_assoc_t *a) {
  if (!a) return;
  strmap_free(&a->unit_map);
  strmap_free(&a->trial_map);
  strmap_free(&a->word_map);
  pool_free(&a->names);
  pool_free(&a->scratch);
  for (size_t i = 0; i < a->nunits; i++) free(a->units[i].trials);
  free(a->units);
  free(a->trials);
  free(a);
}

static vagap_status_t out_of_memory(vagap_error_t *err) {
  return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
}

static int assoc_unit_index(vagap_iat_assoc_t *a, const char *unit, size_t len, size_t *index) {
  int inserted;
  if (strmap_intern(&a->unit_map, unit, len, index, &inserted) != 0) return -1;
  if (!inserted) return 0;
  if (vagap_reserve((void **)&a->units, &a->units_cap, a->nunits + 1, sizeof *a->units) != 0)
    return -1;
  size_t off = pool_add(&a->names, unit, len);
  if (off == SIZE_MAX) return -1;
  a->units[a->nunits++] = (assoc_unit_t){off, NULL, 0, 0};
  return 0;
}

static int assoc_trial_index(vagap_iat_assoc_t *a, size_t unit, const char *trial,
                             size_t len, size_t *index) {
  int inserted;
  if (compose_key(&a->scratch, unit, trial, len) != 0) return -1;
  if (strmap_intern(&a->trial_map, a->scratch.bytes, a->scratch.len, index, &inserted) != 0)
    return -1;
  if (!inserted) return 0;
  assoc_unit_t *u = &a->units[unit];
  if (vagap_reserve((void **)&a->trials, &a->trials_cap, a->ntrials + 1, sizeof *a->trials) != 0 ||
      vagap_reserve((void **)&u->trials, &u->cap, u->ntrials + 1, sizeof *u->trials) != 0)
    return -1;
  size_t off = pool_add(&a->names, trial, len);
  if (off == SIZE_MAX) return -1;
  a->trials[a->ntrials] = (assoc_trial_t){.unit = unit, .name_off = off};
  u->trials[u->ntrials++] = a->ntrials++;
  return 0;
}

/* Is this the first occurrence of `word` in trial `trial`?  1 yes, 0 no, -1 out of memory. */
static int assoc_first_occurrence(vagap_iat_assoc_t *a, size_t trial, const char *word,
                                  size_t len) {
  size_t ignored;
  int inserted;
  if (compose_key(&a->scratch, trial, word, len) != 0) return -1;
  if (strmap_intern(&a->word_map, a->scratch.bytes, a->scratch.len, &ignored, &inserted) != 0)
    return -1;
  return inserted;
}

static void assoc_count(vagap_iat_counts_t *k, vagap_iat_valence_t valence,
                        vagap_iat_target_t target) {
  int positive = valence == VAGAP_IAT_POSITIVE;
  if (target == VAGAP_IAT_CONTRAST) {
    if (positive) k->b++; else k->a++;
  } else {
    if (positive) k->d++; else k->c++;
  }
}

vagap_status_t vagap_iat_assoc_add(vagap_iat_assoc_t *a, const char *unit, size_t unit_len,
                                   const char *trial, size_t trial_len,
                                   const char *word, size_t word_len,
                                   vagap_iat_valence_t valence, vagap_iat_target_t target,
                                   vagap_iat_word_fate_t *fate, vagap_error_t *err) {
  size_t u, t;
  if (assoc_unit_index(a, unit, unit_len, &u) != 0 ||
      assoc_trial_index(a, u, trial, trial_len, &t) != 0)
    return out_of_memory(err);
  assoc_trial_t *tr = &a->trials[t];
  vagap_iat_word_fate_t result;
  if (!word) {
    result = VAGAP_IAT_WORD_MISSING;
  } else if (valence == VAGAP_IAT_NO_VALENCE) {
    tr->n_ignored++;
    result = VAGAP_IAT_WORD_IGNORED;
  } else {
    int first = assoc_first_occurrence(a, t, word, word_len);
    if (first < 0) return out_of_memory(err);
    if (!first) {
      tr->n_duplicate++;
      result = VAGAP_IAT_WORD_DUPLICATE;
    } else if (target == VAGAP_IAT_OTHER_TARGET) {
      tr->n_other_target++;
      result = VAGAP_IAT_WORD_OTHER_TARGET;
    } else {
      assoc_count(&tr->counts, valence, target);
      result = VAGAP_IAT_WORD_USED;
    }
  }
  if (fate) *fate = result;
  return VAGAP_OK;
}

size_t vagap_iat_assoc_ntrials(const vagap_iat_assoc_t *a) { return a->ntrials; }
size_t vagap_iat_assoc_nunits(const vagap_iat_assoc_t *a) { return a->nunits; }

void vagap_iat_assoc_trial(const vagap_iat_assoc_t *a, size_t i, vagap_iat_assoc_trial_t *out) {
  const assoc_trial_t *t = &a->trials[i];
  out->unit = a->names.bytes + a->units[t->unit].name_off;
  out->trial = a->names.bytes + t->name_off;
  out->unit_index = t->unit;
  out->counts = t->counts;
  out->n_ignored = t->n_ignored;
  out->n_other_target = t->n_other_target;
  out->n_duplicate = t->n_duplicate;
  out->valid = vagap_iat_assoc_trial_score(&t->counts, &a->opt, &out->score);
}

void vagap_iat_assoc_unit(const vagap_iat_assoc_t *a, size_t i, vagap_iat_assoc_unit_t *out) {
  const assoc_unit_t *u = &a->units[i];
  memset(out, 0, sizeof *out);
  out->unit = a->names.bytes + u->name_off;
  for (size_t j = 0; j < u->ntrials; j++) {
    const assoc_trial_t *t = &a->trials[u->trials[j]];
    double score;
    if (vagap_iat_assoc_trial_score(&t->counts, &a->opt, &score)) {
      out->n_valid++;
      vagap_iat_moments_add(&out->moments, score);
    } else {
      out->n_invalid++;
    }
    out->n_ignored += t->n_ignored;
    out->n_other_target += t->n_other_target;
    out->n_duplicate += t->n_duplicate;
  }
  out->n_trials = u->ntrials;
  out->score = out->n_valid ? out->moments.mean : NAN;
  out->sd = vagap_iat_moments_sd(&out->moments);
  out->sd_pop = vagap_iat_moments_sd_pop(&out->moments);
}

/* ---- latency IAT D-score ---------------------------------------------------- */

void vagap_iat_dscore_options_init(vagap_iat_dscore_options_t *opt) {
  opt->variant = VAGAP_IAT_D6;
  opt->sd_after_replacement = 0;
  opt->slow_trial_ms = 10000.0;
  opt->fast_trial_ms = 400.0;
  opt->fast_subject_ms = 300.0;
  opt->fast_subject_share = 0.10;
  opt->exclude_fast_subjects = 1;
  opt->penalty_ms = 600.0;
}

vagap_status_t vagap_iat_dscore_options_check(const vagap_iat_dscore_options_t *opt,
                                              vagap_error_t *err) {
  if (opt->variant < VAGAP_IAT_D1 || opt->variant > VAGAP_IAT_D6)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "D-score variant must be D1..D6");
  const double ms[] = {opt->slow_trial_ms, opt->fast_trial_ms, opt->fast_subject_ms,
                       opt->penalty_ms};
  for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++)
    if (!isfinite(ms[i]) || ms[i] < 0)
      return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                             "latency thresholds and the penalty must be finite and >= 0 ms");
  if (!(opt->fast_subject_share >= 0 && opt->fast_subject_share <= 1))
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "the share of fast trials must be in [0, 1]");
  return VAGAP_OK;
}

const char *vagap_iat_variant_name(vagap_iat_variant_t v) {
  static const char *const names[] = {"D1", "D2", "D3", "D4", "D5", "D6"};
  if (v < VAGAP_IAT_D1 || v > VAGAP_IAT_D6) return "D?";
  return names[v - 1];
}

vagap_status_t vagap_iat_variant_parse(const char *s, vagap_iat_variant_t *out,
                                       vagap_error_t *err) {
  const char *digit = (s[0] == 'D' || s[0] == 'd') ? s + 1 : s;
  if (digit[0] >= '1' && digit[0] <= '6' && digit[1] == '\0') {
    *out = (vagap_iat_variant_t)(digit[0] - '0');
    return VAGAP_OK;
  }
  return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                         "unknown D-score variant '%s' (expected D1..D6)", s);
}

const char *vagap_iat_trial_fate_reason(vagap_iat_trial_fate_t fate) {
  switch (fate) {
  case VAGAP_IAT_TRIAL_USED: return "used";
  case VAGAP_IAT_TRIAL_SLOW: return "latency above the slow-trial limit";
  case VAGAP_IAT_TRIAL_FAST: return "latency below the fast-trial limit";
  }
  return "unknown";
}

enum { HALF_ALL = 0, HALF_ODD = 1, HALF_EVEN = 2, NHALVES = 3, NBLOCKS = 4 };

typedef struct {
  size_t name_off, name_len;
  vagap_iat_moments_t correct[NHALVES][NBLOCKS], error[NHALVES][NBLOCKS];
  size_t kept[NBLOCKS]; /* kept trials so far, for the odd/even split */
  size_t n_trials, n_slow, n_fast, n_errors, n_fast_subject;
} dsubject_t;

struct vagap_iat_dscore {
  vagap_iat_dscore_options_t opt;
  strmap_t subject_map;
  dsubject_t *subjects;
  size_t nsubjects, cap;
  size_t last; /* subject of the previous row: logs come sorted, skip the hash */
};

vagap_iat_dscore_t *vagap_iat_dscore_alloc(const vagap_iat_dscore_options_t *opt) {
  vagap_iat_dscore_t *d = calloc(1, sizeof *d);
  if (d) {
    d->opt = *opt;
    d->last = SIZE_MAX;
  }
  return d;
}

void vagap_iat_dscore_free(vagap_iat_dscore_t *d) {
  if (!d) return;
  strmap_free(&d->subject_map);
  free(d->subjects);
  free(d);
}

static int drops_fast_trials(vagap_iat_variant_t v) {
  return v == VAGAP_IAT_D2 || v == VAGAP_IAT_D5 || v == VAGAP_IAT_D6;
}

static int dscore_subject_index(vagap_iat_dscore_t *d, const char *subject, size_t len,
                                size_t *index) {
  if (d->last != SIZE_MAX) {
    const dsubject_t *s = &d->subjects[d->last];
    if (s->name_len == len && memcmp(d->subject_map.keys.bytes + s->name_off, subject, len) == 0) {
      *index = d->last;
      return 0;
    }
  }
  int inserted;
  if (strmap_intern(&d->subject_map, subject, len, index, &inserted) != 0) return -1;
  if (inserted) {
    if (vagap_reserve((void **)&d->subjects, &d->cap, d->nsubjects + 1, sizeof *d->subjects) != 0)
      return -1;
    dsubject_t *s = &d->subjects[d->nsubjects++];
    memset(s, 0, sizeof *s);
    /* The map's pool holds the key followed by a NUL: its offset names the subject. */
    s->name_off = d->subject_map.keys.len - len - 1;
    s->name_len = len;
  }
  d->last = *index;
  return 0;
}

vagap_status_t vagap_iat_dscore_add(vagap_iat_dscore_t *d, const char *subject,
                                    size_t subject_len, vagap_iat_block_t block,
                                    double latency, int error,
                                    vagap_iat_trial_fate_t *fate, vagap_error_t *err) {
  if (!isfinite(latency) || latency < 0)
    return vagap_error_set(err, VAGAP_EDATA, NULL, 0, 0,
                           "latency must be a finite number of ms >= 0, got %g", latency);
  if ((unsigned)block >= NBLOCKS)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "block must be B3, B4, B6 or B7");
  size_t i;
  if (dscore_subject_index(d, subject, subject_len, &i) != 0) return out_of_memory(err);
  dsubject_t *s = &d->subjects[i];
  const vagap_iat_dscore_options_t *o = &d->opt;
  vagap_iat_trial_fate_t result = VAGAP_IAT_TRIAL_USED;
  s->n_trials++;
  if (latency > o->slow_trial_ms) {
    result = VAGAP_IAT_TRIAL_SLOW;
    s->n_slow++;
  } else {
    if (latency < o->fast_subject_ms) s->n_fast_subject++;
    if (drops_fast_trials(o->variant) && latency < o->fast_trial_ms) {
      result = VAGAP_IAT_TRIAL_FAST;
      s->n_fast++;
    }
  }
  if (result == VAGAP_IAT_TRIAL_USED) {
    int half = (s->kept[block]++ % 2 == 0) ? HALF_ODD : HALF_EVEN;
    vagap_iat_moments_t(*m)[NBLOCKS] = error ? s->error : s->correct;
    vagap_iat_moments_add(&m[HALF_ALL][block], latency);
    vagap_iat_moments_add(&m[half][block], latency);
    if (error) s->n_errors++;
  }
  if (fate) *fate = result;
  return VAGAP_OK;
}

size_t vagap_iat_dscore_nsubjects(const vagap_iat_dscore_t *d) { return d->nsubjects; }

size_t vagap_iat_dscore_last_subject(const vagap_iat_dscore_t *d) { return d->last; }

static const char *const NO_TRIALS[NBLOCKS] = {
    "no kept trials in block B3", "no kept trials in block B4",
    "no kept trials in block B6", "no kept trials in block B7"};
static const char *const NO_CORRECT[NBLOCKS] = {
    "too few correct trials in block B3 to replace error latencies",
    "too few correct trials in block B4 to replace error latencies",
    "too few correct trials in block B6 to replace error latencies",
    "too few correct trials in block B7 to replace error latencies"};

/*
 * One block after error treatment: *mean is the block mean, *for_sd the
 * sample that enters the pooled SD.  Returns a reason when undefined.
 */
static const char *treat_block(const vagap_iat_dscore_options_t *o,
                               const vagap_iat_moments_t *correct,
                               const vagap_iat_moments_t *error, vagap_iat_block_t b,
                               double *mean, vagap_iat_moments_t *for_sd) {
  vagap_iat_moments_t recorded = *correct;
  vagap_iat_moments_merge(&recorded, error);
  if (recorded.n == 0) return NO_TRIALS[b];
  vagap_iat_moments_t treated = recorded;
  int replaces = o->variant >= VAGAP_IAT_D3;
  if (replaces && error->n > 0) {
    int plus_2sd = o->variant == VAGAP_IAT_D3 || o->variant == VAGAP_IAT_D5;
    double add = plus_2sd ? 2.0 * vagap_iat_moments_sd(correct) : o->penalty_ms;
    if (correct->n == 0 || !isfinite(add)) return NO_CORRECT[b];
    /* Every error latency becomes the same value: a group with zero spread. */
    vagap_iat_moments_t replaced = {error->n, correct->mean + add, 0.0};
    treated = *correct;
    vagap_iat_moments_merge(&treated, &replaced);
  }
  *mean = treated.mean;
  *for_sd = (replaces && o->sd_after_replacement) ? treated : recorded;
  return NULL;
}

/* (mean of incompatible - mean of compatible) / pooled SD of the two blocks. */
static const char *score_pair(const vagap_iat_dscore_options_t *o, const dsubject_t *s,
                              int half, vagap_iat_block_t compatible,
                              vagap_iat_block_t incompatible, double means[NBLOCKS],
                              double *sd, double *part) {
  vagap_iat_moments_t pooled = {0, 0, 0}, other;
  const vagap_iat_moments_t *c = s->correct[half], *e = s->error[half];
  *part = NAN;
  *sd = NAN;
  const char *why = treat_block(o, &c[compatible], &e[compatible], compatible,
                                &means[compatible], &pooled);
  if (!why)
    why = treat_block(o, &c[incompatible], &e[incompatible], incompatible,
                      &means[incompatible], &other);
  if (why) return why;
  vagap_iat_moments_merge(&pooled, &other);
  *sd = vagap_iat_moments_sd(&pooled);
  if (!(*sd > 0))
    return compatible == VAGAP_IAT_B3 ? "pooled SD of B3 and B6 is undefined or zero"
                                      : "pooled SD of B4 and B7 is undefined or zero";
  *part = (means[incompatible] - means[compatible]) / *sd;
  return NULL;
}

/* D of one half (or of all trials); *reason (may be NULL) says why it is NaN. */
static double score_half(const vagap_iat_dscore_options_t *o, const dsubject_t *s, int half,
                         vagap_iat_subject_t *out, const char **reason) {
  double means[NBLOCKS] = {NAN, NAN, NAN, NAN}, sd36, sd47, p36, p47;
  const char *why36 = score_pair(o, s, half, VAGAP_IAT_B3, VAGAP_IAT_B6, means, &sd36, &p36);
  const char *why47 = score_pair(o, s, half, VAGAP_IAT_B4, VAGAP_IAT_B7, means, &sd47, &p47);
  if (out) {
    memcpy(out->mean, means, sizeof means);
    out->sd_practice = sd36;
    out->sd_test = sd47;
    out->d_practice = p36;
    out->d_test = p47;
  }
  if (reason) *reason = why36 ? why36 : why47;
  return (p36 + p47) / 2.0;
}

void vagap_iat_dscore_subject(const vagap_iat_dscore_t *d, size_t i, vagap_iat_subject_t *out) {
  const dsubject_t *s = &d->subjects[i];
  const vagap_iat_dscore_options_t *o = &d->opt;
  memset(out, 0, sizeof *out);
  out->subject = d->subject_map.keys.bytes + s->name_off;
  out->n_trials = s->n_trials;
  out->n_slow = s->n_slow;
  out->n_fast = s->n_fast;
  out->n_used = s->n_trials - s->n_slow - s->n_fast;
  out->n_errors = s->n_errors;
  out->error_rate = out->n_used ? (double)s->n_errors / (double)out->n_used : NAN;
  out->n_fast_subject = s->n_fast_subject;
  size_t not_slow = s->n_trials - s->n_slow;
  out->fast_share = not_slow ? (double)s->n_fast_subject / (double)not_slow : NAN;
  out->flagged_fast = not_slow && out->fast_share > o->fast_subject_share;

  const char *reason = NULL;
  out->d = score_half(o, s, HALF_ALL, out, &reason);
  out->d_odd = score_half(o, s, HALF_ODD, NULL, NULL);
  out->d_even = score_half(o, s, HALF_EVEN, NULL, NULL);
  if (out->flagged_fast && o->exclude_fast_subjects) {
    reason = "share of fast trials above the limit";
    out->d = out->d_practice = out->d_test = out->d_odd = out->d_even = NAN;
  }
  out->excluded = reason != NULL;
  out->reason = reason;
}

/* ---- group statistics -------------------------------------------------------- */

vagap_status_t vagap_iat_split_half(const double *odd, const double *even, size_t n,
                                    vagap_iat_reliability_t *out, vagap_error_t *err) {
  memset(out, 0, sizeof *out);
  out->r = out->spearman_brown = NAN;
  double *x = malloc((n ? n : 1) * 2 * sizeof *x);
  if (!x) return out_of_memory(err);
  double *y = x + n;
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    if (isfinite(odd[i]) && isfinite(even[i])) {
      x[m] = odd[i];
      y[m++] = even[i];
    }
  }
  out->n = m;
  out->n_excluded = n - m;
  vagap_status_t st = VAGAP_OK;
  if (m < 3) {
    st = vagap_error_set(err, VAGAP_EDOMAIN, NULL, 0, 0,
                         "split-half reliability needs at least 3 subjects with both halves scored (have %zu)", m);
  } else if (!(gsl_stats_variance(x, 1, m) > 0) || !(gsl_stats_variance(y, 1, m) > 0)) {
    st = vagap_error_set(err, VAGAP_EDOMAIN, NULL, 0, 0,
                         "split-half reliability is undefined: a half has zero variance");
  } else {
    out->r = gsl_stats_correlation(x, 1, y, 1, m);
    out->spearman_brown = 2.0 * out->r / (1.0 + out->r);
  }
  free(x);
  return st;
}
