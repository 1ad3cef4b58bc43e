/*
 * test_iat.c - association-count IAT and D-score on hand-built trials whose
 * scores are worked out in the comments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "vagap/iat.h"

#define TOL 1e-12

static void assert_close(double got, double want) {
  if (isnan(want)) {
    assert_true(isnan(got));
    return;
  }
  if (fabs(got - want) > TOL * (1.0 + fabs(want)))
    fail_msg("got %.17g, want %.17g", got, want);
}

/* ---- moments ------------------------------------------------------------ */

static void moments_merge_equals_whole(void **state) {
  (void)state;
  /* 1..10 in one accumulator, and 1..3 merged with 4..10: n 10, mean 5.5,
     M2 = sum (x - 5.5)^2 = 82.5, SD(n-1) = sqrt(82.5/9), SD(n) = sqrt(8.25). */
  vagap_iat_moments_t whole = {0, 0, 0}, left = {0, 0, 0}, right = {0, 0, 0};
  for (int i = 1; i <= 10; i++) {
    vagap_iat_moments_add(&whole, i);
    vagap_iat_moments_add(i <= 3 ? &left : &right, i);
  }
  vagap_iat_moments_merge(&left, &right);
  assert_close(left.n, 10);
  assert_close(left.mean, 5.5);
  assert_close(left.m2, 82.5);
  assert_close(whole.m2, 82.5);
  assert_close(vagap_iat_moments_sd(&left), sqrt(82.5 / 9));
  assert_close(vagap_iat_moments_sd_pop(&left), sqrt(8.25));
  vagap_iat_moments_t empty = {0, 0, 0}, one = {0, 0, 0};
  vagap_iat_moments_add(&one, 4);
  assert_true(isnan(vagap_iat_moments_sd(&one)));
  assert_close(vagap_iat_moments_sd_pop(&one), 0);
  assert_true(isnan(vagap_iat_moments_sd_pop(&empty)));
  vagap_iat_moments_merge(&empty, &one); /* merging into empty copies */
  assert_close(empty.mean, 4);
}

/* ---- association-count trial scores ------------------------------------- */

static void assoc_trial_formula(void **state) {
  (void)state;
  vagap_iat_assoc_options_t andric, bai;
  vagap_iat_assoc_options_init(&andric);
  assert_int_equal(vagap_iat_assoc_preset(&bai, "bai2024", NULL), VAGAP_OK);
  double s;
  /* a=3 b=1 c=1 d=3, s=0: 3/4 + 3/4 - 1 = 0.5 */
  vagap_iat_counts_t k = {3, 1, 1, 3};
  assert_int_equal(vagap_iat_assoc_trial_score(&k, &andric, &s), 1);
  assert_close(s, 0.5);
  /* s=0.01: 3/4.01 + 3/4.01 - 1 */
  assert_int_equal(vagap_iat_assoc_trial_score(&k, &bai, &s), 1);
  assert_close(s, 6.0 / 4.01 - 1.0);
  /* All words to the stereotypical side: a=4 d=4 -> 1 + 1 - 1 = +1;
     the reverse b=4 c=4 -> 0 + 0 - 1 = -1. */
  vagap_iat_counts_t pro = {4, 0, 0, 4}, anti = {0, 4, 4, 0};
  vagap_iat_assoc_trial_score(&pro, &andric, &s);
  assert_close(s, 1.0);
  vagap_iat_assoc_trial_score(&anti, &andric, &s);
  assert_close(s, -1.0);
}

static void assoc_empty_rules(void **state) {
  (void)state;
  vagap_iat_assoc_options_t andric, bai, bai_s0;
  vagap_iat_assoc_options_init(&andric);
  vagap_iat_assoc_preset(&bai, "bai2024", NULL);
  bai_s0 = bai;
  bai_s0.smoothing = 0;
  double s;
  /* Focal side empty (c+d = 0): Andric invalid; Bai 0/0.01 + 2/2.01 - 1. */
  vagap_iat_counts_t one_side = {2, 0, 0, 0};
  assert_int_equal(vagap_iat_assoc_trial_score(&one_side, &andric, &s), 0);
  assert_true(isnan(s));
  assert_int_equal(vagap_iat_assoc_trial_score(&one_side, &bai, &s), 1);
  assert_close(s, 2.0 / 2.01 - 1.0);
  /* Bai's empty rule without smoothing: the zero denominator is invalid. */
  assert_int_equal(vagap_iat_assoc_trial_score(&one_side, &bai_s0, &s), 0);
  /* No mapped word at all: Andric invalid, Bai 0 (with or without s). */
  vagap_iat_counts_t none = {0, 0, 0, 0};
  assert_int_equal(vagap_iat_assoc_trial_score(&none, &andric, &s), 0);
  assert_int_equal(vagap_iat_assoc_trial_score(&none, &bai, &s), 1);
  assert_close(s, 0.0);
  assert_int_equal(vagap_iat_assoc_trial_score(&none, &bai_s0, &s), 1);
  assert_close(s, 0.0);
  vagap_error_t err;
  assert_int_equal(vagap_iat_assoc_preset(&bai, "nosuch", &err), VAGAP_EINVAL);
  assert_non_null(strstr(err.message, "nosuch"));
}

static void add(vagap_iat_assoc_t *a, const char *unit, const char *trial, const char *word,
                vagap_iat_valence_t v, vagap_iat_target_t t, vagap_iat_word_fate_t want) {
  vagap_iat_word_fate_t fate;
  assert_int_equal(vagap_iat_assoc_add(a, unit, strlen(unit), trial, strlen(trial), word,
                                       strlen(word), v, t, &fate, NULL),
                   VAGAP_OK);
  assert_int_equal(fate, want);
}

#define NEG VAGAP_IAT_NEGATIVE
#define POS VAGAP_IAT_POSITIVE
#define NOVAL VAGAP_IAT_NO_VALENCE
#define SELF VAGAP_IAT_CONTRAST
#define OTHER VAGAP_IAT_FOCAL
#define THIRD VAGAP_IAT_OTHER_TARGET
#define USED VAGAP_IAT_WORD_USED

static void assoc_units(void **state) {
  (void)state;
  vagap_iat_assoc_options_t opt;
  vagap_iat_assoc_options_init(&opt); /* Andric: s = 0, empty side invalid */
  vagap_iat_assoc_t *a = vagap_iat_assoc_alloc(&opt);
  assert_non_null(a);
  /* m1 t1: good->other (d), bad->self (a), kind->other (d), cruel->other (c);
     a=1 b=0 c=1 d=2: 2/3 + 1/1 - 1 = 2/3.  Its rows are interleaved with t3's. */
  add(a, "m1", "t1", "good", POS, OTHER, USED);
  add(a, "m1", "t1", "bad", NEG, SELF, USED);
  add(a, "m1", "t3", "good", POS, OTHER, USED);
  add(a, "m1", "t1", "kind", POS, OTHER, USED);
  add(a, "m1", "t1", "cruel", NEG, OTHER, USED);
  /* m1 t2: good->self (b), bad->self (a), "xyz" in neither list (ignored),
     good again (duplicate, first occurrence kept), kind->"both" (third target).
     a=1 b=1 c=0 d=0: the focal side is empty, so the trial is invalid. */
  add(a, "m1", "t2", "good", POS, SELF, USED);
  add(a, "m1", "t2", "bad", NEG, SELF, USED);
  add(a, "m1", "t2", "xyz", NOVAL, OTHER, VAGAP_IAT_WORD_IGNORED);
  add(a, "m1", "t2", "good", POS, OTHER, VAGAP_IAT_WORD_DUPLICATE);
  add(a, "m1", "t2", "kind", POS, THIRD, VAGAP_IAT_WORD_OTHER_TARGET);
  /* m1 t4: no word at all (an unparsable response): registered, invalid. */
  vagap_iat_word_fate_t fate;
  assert_int_equal(vagap_iat_assoc_add(a, "m1", 2, "t4", 2, NULL, 0, NOVAL, THIRD, &fate, NULL),
                   VAGAP_OK);
  assert_int_equal(fate, VAGAP_IAT_WORD_MISSING);
  /* m1 t3: good->other (d, above), bad->self (a): 1 + 1 - 1 = 1. */
  add(a, "m1", "t3", "bad", NEG, SELF, USED);
  /* m2 t1 (same trial label, other unit): a=1 b=1 c=1 d=1 -> 1/2 + 1/2 - 1 = 0. */
  add(a, "m2", "t1", "good", POS, OTHER, USED);
  add(a, "m2", "t1", "bad", NEG, OTHER, USED);
  add(a, "m2", "t1", "kind", POS, SELF, USED);
  add(a, "m2", "t1", "cruel", NEG, SELF, USED);
  /* "good" in t1 of m1 is not a duplicate of "good" in t1 of m2 (checked above). */

  assert_int_equal(vagap_iat_assoc_ntrials(a), 5);
  assert_int_equal(vagap_iat_assoc_nunits(a), 2);
  vagap_iat_assoc_trial_t t;
  vagap_iat_assoc_trial(a, 1, &t); /* first seen order: m1/t1, m1/t3, m1/t2, m1/t4, m2/t1 */
  assert_string_equal(t.trial, "t3");
  assert_close(t.score, 1.0);
  vagap_iat_assoc_trial(a, 2, &t);
  assert_string_equal(t.trial, "t2");
  assert_int_equal(t.valid, 0);
  assert_int_equal(t.counts.a, 1);
  assert_int_equal(t.counts.b, 1);
  assert_int_equal(t.n_ignored, 1);
  assert_int_equal(t.n_duplicate, 1);
  assert_int_equal(t.n_other_target, 1);

  /* m1: valid scores 2/3 and 1 (t2, t4 invalid): mean 5/6, SD(n-1) = (1/3)/sqrt(2), SD(n) = 1/6. */
  vagap_iat_assoc_unit_t u;
  vagap_iat_assoc_unit(a, 0, &u);
  assert_string_equal(u.unit, "m1");
  assert_close(u.score, 5.0 / 6.0);
  assert_close(u.sd, (1.0 / 3.0) / sqrt(2.0));
  assert_close(u.sd_pop, 1.0 / 6.0);
  assert_int_equal(u.n_valid, 2);
  assert_int_equal(u.n_invalid, 2);
  assert_int_equal(u.n_trials, 4);
  assert_int_equal(u.n_ignored, 1);
  assert_int_equal(u.n_other_target, 1);
  assert_int_equal(u.n_duplicate, 1);
  /* m2: one valid trial scoring 0: SD(n-1) undefined, SD(n) = 0. */
  vagap_iat_assoc_unit(a, 1, &u);
  assert_string_equal(u.unit, "m2");
  assert_close(u.score, 0.0);
  assert_true(isnan(u.sd));
  assert_close(u.sd_pop, 0.0);
  vagap_iat_assoc_free(a);
  vagap_iat_assoc_free(NULL);
}

static void assoc_many_units_grow_maps(void **state) {
  (void)state;
  /* 3000 units x 2 trials: forces the hash maps and pools to grow; each trial
     a=1 d=1 scores +1 and names must survive the growth. */
  vagap_iat_assoc_options_t opt;
  vagap_iat_assoc_options_init(&opt);
  vagap_iat_assoc_t *a = vagap_iat_assoc_alloc(&opt);
  char unit[32];
  for (int i = 0; i < 3000; i++) {
    snprintf(unit, sizeof unit, "unit-%d", i);
    add(a, unit, "1", "good", POS, OTHER, USED);
    add(a, unit, "2", "good", POS, OTHER, USED);
    add(a, unit, "1", "bad", NEG, SELF, USED);
    add(a, unit, "2", "bad", NEG, SELF, USED);
  }
  assert_int_equal(vagap_iat_assoc_nunits(a), 3000);
  assert_int_equal(vagap_iat_assoc_ntrials(a), 6000);
  vagap_iat_assoc_unit_t u;
  vagap_iat_assoc_unit(a, 2999, &u);
  assert_string_equal(u.unit, "unit-2999");
  assert_close(u.score, 1.0);
  assert_int_equal(u.n_valid, 2);
  vagap_iat_assoc_free(a);
}

/* ---- D-score ---------------------------------------------------------------- */

static vagap_iat_dscore_t *dscorer(vagap_iat_variant_t v, int sd_after) {
  vagap_iat_dscore_options_t opt;
  vagap_iat_dscore_options_init(&opt);
  opt.variant = v;
  opt.sd_after_replacement = sd_after;
  assert_int_equal(vagap_iat_dscore_options_check(&opt, NULL), VAGAP_OK);
  vagap_iat_dscore_t *d = vagap_iat_dscore_alloc(&opt);
  assert_non_null(d);
  return d;
}

static void trial(vagap_iat_dscore_t *d, const char *subject, vagap_iat_block_t b,
                  double latency, int error, vagap_iat_trial_fate_t want) {
  vagap_iat_trial_fate_t fate;
  assert_int_equal(vagap_iat_dscore_add(d, subject, strlen(subject), b, latency, error,
                                        &fate, NULL),
                   VAGAP_OK);
  assert_int_equal(fate, want);
}

#define KEEP VAGAP_IAT_TRIAL_USED

/*
 * Subject S1:  B3: 500, 700 correct, 900 error   B6: 800, 1000 correct
 *              B4: 600, 600 correct               B7: 900, 1100 correct
 * Recorded pooled SD of B3+B6 (500,700,900,800,1000; mean 780):
 *   deviations -280,-80,120,20,220 -> squares sum 148000 -> SD = sqrt(148000/4) = sqrt(37000).
 * Pooled SD of B4+B7 (600,600,900,1100; mean 800): 40000+40000+10000+90000 = 180000
 *   -> SD = sqrt(60000).  B7 - B4 = 1000 - 600 = 400 in every variant (no errors there).
 */
static void s1(vagap_iat_dscore_t *d) {
  trial(d, "S1", VAGAP_IAT_B3, 500, 0, KEEP);
  trial(d, "S1", VAGAP_IAT_B3, 700, 0, KEEP);
  trial(d, "S1", VAGAP_IAT_B6, 800, 0, KEEP);
  trial(d, "S1", VAGAP_IAT_B3, 900, 1, KEEP);
  trial(d, "S1", VAGAP_IAT_B6, 1000, 0, KEEP);
  trial(d, "S1", VAGAP_IAT_B4, 600, 0, KEEP);
  trial(d, "S1", VAGAP_IAT_B7, 900, 0, KEEP);
  trial(d, "S1", VAGAP_IAT_B4, 600, 0, KEEP);
  trial(d, "S1", VAGAP_IAT_B7, 1100, 0, KEEP);
}

static void dscore_d1_recorded_latencies(void **state) {
  (void)state;
  vagap_iat_dscore_t *d = dscorer(VAGAP_IAT_D1, 0);
  s1(d);
  vagap_iat_subject_t r;
  vagap_iat_dscore_subject(d, 0, &r);
  /* D1: B3 mean (500+700+900)/3 = 700, B6 900: (900-700)/sqrt(37000). */
  assert_string_equal(r.subject, "S1");
  assert_close(r.mean[VAGAP_IAT_B3], 700);
  assert_close(r.sd_practice, sqrt(37000));
  assert_close(r.d_practice, 200 / sqrt(37000));
  assert_close(r.d_test, 400 / sqrt(60000));
  assert_close(r.d, (200 / sqrt(37000) + 400 / sqrt(60000)) / 2);
  assert_int_equal(r.n_trials, 9);
  assert_int_equal(r.n_used, 9);
  assert_int_equal(r.n_errors, 1);
  assert_close(r.error_rate, 1.0 / 9.0);
  assert_int_equal(r.excluded, 0);
  assert_null(r.reason);
  /* Halves, numbered within block in input order:
     even: B3 {700}, B6 {1000}: SD of (700,1000) = 300/sqrt2 -> part sqrt2;
           B4 {600}, B7 {1100}: SD = 500/sqrt2 -> part sqrt2.  d_even = sqrt2.
     odd:  B3 {500, 900e} mean 700, B6 {800}: values 500,900,800 (mean 2200/3),
           squares (-700/3)^2+(500/3)^2+(200/3)^2 = 780000/9, SD = sqrt(390000/9);
           part = 100/sqrt(390000/9);  B4 {600}, B7 {900}: part = 300/(300/sqrt2) = sqrt2. */
  assert_close(r.d_even, sqrt(2.0));
  assert_close(r.d_odd, (100 / sqrt(390000.0 / 9) + sqrt(2.0)) / 2);
  vagap_iat_dscore_free(d);
}

static void dscore_d4_penalty_sd_before_and_after(void **state) {
  (void)state;
  /* D4: B3 correct mean 600, the error becomes 600 + 600 = 1200:
     block mean (500+700+1200)/3 = 800; B6 900.
     SD before replacement: sqrt(37000) -> part 100/sqrt(37000).
     SD after: 500,700,1200,800,1000 (mean 840): 115600+19600+129600+1600+25600
     = 292000 -> sqrt(73000) -> part 100/sqrt(73000). */
  vagap_iat_dscore_t *before = dscorer(VAGAP_IAT_D4, 0), *after = dscorer(VAGAP_IAT_D4, 1);
  s1(before);
  s1(after);
  vagap_iat_subject_t r;
  vagap_iat_dscore_subject(before, 0, &r);
  assert_close(r.mean[VAGAP_IAT_B3], 800);
  assert_close(r.d_practice, 100 / sqrt(37000));
  assert_close(r.d, (100 / sqrt(37000) + 400 / sqrt(60000)) / 2);
  vagap_iat_dscore_subject(after, 0, &r);
  assert_close(r.sd_practice, sqrt(73000));
  assert_close(r.d, (100 / sqrt(73000) + 400 / sqrt(60000)) / 2);
  vagap_iat_dscore_free(before);
  vagap_iat_dscore_free(after);
}

static void dscore_d3_two_sd(void **state) {
  (void)state;
  /* D3: B3 correct 500, 700: mean 600, SD sqrt(20000); replacement
     r = 600 + 2 sqrt(20000); block mean (1200 + r)/3; part (900 - mean)/sqrt(37000). */
  vagap_iat_dscore_t *d = dscorer(VAGAP_IAT_D3, 0);
  s1(d);
  vagap_iat_subject_t r;
  vagap_iat_dscore_subject(d, 0, &r);
  double rep = 600 + 2 * sqrt(20000.0), m3 = (1200 + rep) / 3;
  assert_close(r.mean[VAGAP_IAT_B3], m3);
  assert_close(r.d_practice, (900 - m3) / sqrt(37000));
  vagap_iat_dscore_free(d);
}

/*
 * Subject S2: B3 500, 600; B6 700, 800; B4 350, 500, 600; B7 11000, 700, 800 (all correct).
 * 11000 > 10000 is dropped in every variant.  D2 also drops 350 < 400; then both
 * pairs are (550 vs 750) over {500,600,700,800}: SD sqrt(50000/3), part 200/sqrt(50000/3).
 * D1 keeps 350: B4 mean 1450/3, pooled {350,500,600,700,800} mean 590, squares
 * 57600+8100+100+12100+44100 = 122000 -> SD sqrt(30500); part (750 - 1450/3)/sqrt(30500).
 */
static void s2(vagap_iat_dscore_t *d, vagap_iat_trial_fate_t fate_350) {
  trial(d, "S2", VAGAP_IAT_B3, 500, 0, KEEP);
  trial(d, "S2", VAGAP_IAT_B3, 600, 0, KEEP);
  trial(d, "S2", VAGAP_IAT_B6, 700, 0, KEEP);
  trial(d, "S2", VAGAP_IAT_B6, 800, 0, KEEP);
  trial(d, "S2", VAGAP_IAT_B4, 350, 0, fate_350);
  trial(d, "S2", VAGAP_IAT_B4, 500, 0, KEEP);
  trial(d, "S2", VAGAP_IAT_B4, 600, 0, KEEP);
  trial(d, "S2", VAGAP_IAT_B7, 11000, 0, VAGAP_IAT_TRIAL_SLOW);
  trial(d, "S2", VAGAP_IAT_B7, 700, 0, KEEP);
  trial(d, "S2", VAGAP_IAT_B7, 800, 0, KEEP);
}

static void dscore_trial_drops(void **state) {
  (void)state;
  vagap_iat_dscore_t *d2 = dscorer(VAGAP_IAT_D2, 0), *d1 = dscorer(VAGAP_IAT_D1, 0);
  s2(d2, VAGAP_IAT_TRIAL_FAST);
  s2(d1, KEEP);
  vagap_iat_subject_t r;
  vagap_iat_dscore_subject(d2, 0, &r);
  assert_close(r.d, 200 / sqrt(50000.0 / 3));
  assert_int_equal(r.n_trials, 10);
  assert_int_equal(r.n_slow, 1);
  assert_int_equal(r.n_fast, 1);
  assert_int_equal(r.n_used, 8);
  assert_close(r.fast_share, 0.0); /* nothing under 300 ms among the 9 not-slow trials */
  vagap_iat_dscore_subject(d1, 0, &r);
  assert_close(r.d_test, (750 - 1450.0 / 3) / sqrt(30500));
  assert_close(r.d, (200 / sqrt(50000.0 / 3) + (750 - 1450.0 / 3) / sqrt(30500)) / 2);
  assert_int_equal(r.n_fast, 0);
  vagap_iat_dscore_free(d1);
  vagap_iat_dscore_free(d2);
}

/* Ten trials with `nfast` of them at 250 ms (< 300), the rest 500..800. */
static void fast_subject(vagap_iat_dscore_t *d, const char *name, int nfast) {
  static const double slow[] = {500, 600, 700, 800, 650, 750, 550, 850, 720, 580};
  for (int i = 0; i < 10; i++) {
    vagap_iat_block_t b = (vagap_iat_block_t)(i % 4);
    double lat = i < nfast ? 250 : slow[i];
    vagap_iat_dscore_add(d, name, strlen(name), b, lat, 0, NULL, NULL);
  }
}

static void dscore_fast_subjects(void **state) {
  (void)state;
  /* 2 of 10 trials < 300 ms: share 0.2 > 0.10, flagged and (by default)
     excluded; 1 of 10 is exactly 0.10, which is not "more than 10%". */
  vagap_iat_dscore_t *d = dscorer(VAGAP_IAT_D1, 0);
  fast_subject(d, "fast", 2);
  fast_subject(d, "edge", 1);
  vagap_iat_subject_t r;
  vagap_iat_dscore_subject(d, 0, &r);
  assert_close(r.fast_share, 0.2);
  assert_int_equal(r.flagged_fast, 1);
  assert_int_equal(r.excluded, 1);
  assert_true(isnan(r.d));
  assert_non_null(r.reason);
  vagap_iat_dscore_subject(d, 1, &r);
  assert_close(r.fast_share, 0.1);
  assert_int_equal(r.flagged_fast, 0);
  assert_int_equal(r.excluded, 0);
  assert_true(isfinite(r.d));
  vagap_iat_dscore_free(d);

  /* With exclusion off the subject is flagged but scored. */
  vagap_iat_dscore_options_t opt;
  vagap_iat_dscore_options_init(&opt);
  opt.variant = VAGAP_IAT_D1;
  opt.exclude_fast_subjects = 0;
  d = vagap_iat_dscore_alloc(&opt);
  fast_subject(d, "fast", 2);
  vagap_iat_dscore_subject(d, 0, &r);
  assert_int_equal(r.flagged_fast, 1);
  assert_int_equal(r.excluded, 0);
  assert_true(isfinite(r.d));
  vagap_iat_dscore_free(d);
}

static void dscore_undefined(void **state) {
  (void)state;
  /* No B7 trials: the test pair is undefined, so D is NaN with a reason.
     D6 with only an error in B4: no correct trial to replace it from. */
  vagap_iat_dscore_t *d = dscorer(VAGAP_IAT_D6, 0);
  trial(d, "x", VAGAP_IAT_B3, 500, 0, KEEP);
  trial(d, "x", VAGAP_IAT_B6, 700, 0, KEEP);
  trial(d, "x", VAGAP_IAT_B4, 600, 0, KEEP);
  trial(d, "y", VAGAP_IAT_B3, 500, 0, KEEP);
  trial(d, "y", VAGAP_IAT_B6, 700, 0, KEEP);
  trial(d, "y", VAGAP_IAT_B4, 600, 1, KEEP);
  trial(d, "y", VAGAP_IAT_B7, 800, 0, KEEP);
  vagap_iat_subject_t r;
  vagap_iat_dscore_subject(d, 0, &r);
  assert_true(isnan(r.d));
  assert_true(isfinite(r.d_practice)); /* 200 / (200/sqrt2) */
  assert_close(r.d_practice, sqrt(2.0));
  assert_int_equal(r.excluded, 1);
  assert_string_equal(r.reason, "no kept trials in block B7");
  vagap_iat_dscore_subject(d, 1, &r);
  assert_true(isnan(r.d));
  assert_non_null(strstr(r.reason, "B4"));
  /* Bad input */
  vagap_error_t err;
  assert_int_equal(vagap_iat_dscore_add(d, "z", 1, VAGAP_IAT_B3, -1, 0, NULL, &err),
                   VAGAP_EDATA);
  assert_int_equal(vagap_iat_dscore_add(d, "z", 1, VAGAP_IAT_B3, NAN, 0, NULL, &err),
                   VAGAP_EDATA);
  vagap_iat_dscore_free(d);
  vagap_iat_dscore_options_t opt;
  vagap_iat_dscore_options_init(&opt);
  opt.fast_subject_share = 1.5;
  assert_int_equal(vagap_iat_dscore_options_check(&opt, &err), VAGAP_EINVAL);
}

static void variant_names(void **state) {
  (void)state;
  vagap_iat_variant_t v;
  assert_int_equal(vagap_iat_variant_parse("D5", &v, NULL), VAGAP_OK);
  assert_int_equal(v, VAGAP_IAT_D5);
  assert_int_equal(vagap_iat_variant_parse("2", &v, NULL), VAGAP_OK);
  assert_int_equal(v, VAGAP_IAT_D2);
  assert_int_equal(vagap_iat_variant_parse("D7", &v, NULL), VAGAP_EINVAL);
  assert_int_equal(vagap_iat_variant_parse("D", &v, NULL), VAGAP_EINVAL);
  assert_string_equal(vagap_iat_variant_name(VAGAP_IAT_D6), "D6");
}

/* ---- group statistics ------------------------------------------------------------ */

static void split_half_spearman_brown(void **state) {
  (void)state;
  /* odd 1,2,3,4 vs even 1,3,2,4: deviations (+-1.5, +-0.5); cross products
     2.25 - 0.25 - 0.25 + 2.25 = 4, sums of squares 5 and 5: r = 0.8,
     Spearman-Brown 1.6/1.8.  The NaN pair is left out and counted. */
  double odd[] = {1, 2, NAN, 3, 4}, even[] = {1, 3, 7, 2, 4};
  vagap_iat_reliability_t rel;
  assert_int_equal(vagap_iat_split_half(odd, even, 5, &rel, NULL), VAGAP_OK);
  assert_close(rel.r, 0.8);
  assert_close(rel.spearman_brown, 1.6 / 1.8);
  assert_int_equal(rel.n, 4);
  assert_int_equal(rel.n_excluded, 1);
  double flat[] = {1, 1, 1};
  assert_int_equal(vagap_iat_split_half(flat, even, 3, &rel, NULL), VAGAP_EDOMAIN);
  assert_int_equal(vagap_iat_split_half(odd, even, 2, &rel, NULL), VAGAP_EDOMAIN);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(moments_merge_equals_whole),
      cmocka_unit_test(assoc_trial_formula),
      cmocka_unit_test(assoc_empty_rules),
      cmocka_unit_test(assoc_units),
      cmocka_unit_test(assoc_many_units_grow_maps),
      cmocka_unit_test(dscore_d1_recorded_latencies),
      cmocka_unit_test(dscore_d4_penalty_sd_before_and_after),
      cmocka_unit_test(dscore_d3_two_sd),
      cmocka_unit_test(dscore_trial_drops),
      cmocka_unit_test(dscore_fast_subjects),
      cmocka_unit_test(dscore_undefined),
      cmocka_unit_test(variant_names),
      cmocka_unit_test(split_half_spearman_brown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
