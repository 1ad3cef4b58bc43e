/*
 * sim_study.c - `vagap simulate --study walktalk|latency-iat --out DIR`:
 * study logs with planted unit effects, in the layouts `vagap report` and
 * `vagap iat --method dscore` read (doc/methods.md 13c; datasets/walktalk-sim
 * documents the walk-the-talk layout).  Unit u draws from the stream
 * (seed, u, 1) of `vagap power`, so a unit's rows do not depend on how many
 * units there are.
 */
#include "sim_study.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "progress.h"
#include "simcli.h"

static const char *const POSITIVE[16] = {"good", "admirable", "excellent", "beautiful",
                                         "wonderful", "pleasant", "kind", "generous", "noble",
                                         "caring", "honorable", "virtuous", "fair", "helpful",
                                         "uplifting", "praiseworthy"};
static const char *const NEGATIVE[16] = {"bad", "awful", "terrible", "ugly", "unpleasant",
                                         "cruel", "selfish", "greedy", "nasty", "shameful",
                                         "immoral", "mean", "harmful", "exploitative", "cold",
                                         "disgraceful"};
static const char SCALE_LETTERS[] = "ABC";
static const char *const SCALES[3] = {"attitudes", "everyday", "sacrifice"};

static double clip(double x, double lo, double hi) { return x < lo ? lo : x > hi ? hi : x; }

void sim_study_init(sim_study_t *s) {
  memset(s, 0, sizeof *s);
  s->units = 40;
  s->iat_q[0] = 0.8, s->iat_q[1] = 0.08;
  s->behaviour[0] = 0.65, s->behaviour[1] = 0.12;
  s->gap[0] = 0.10, s->gap[1] = 0.08;
  s->iat_trials = 30;
  s->choice_trials = 48;
  s->runs = 3;
  s->invalid_rate = 0.02;
  s->missing_rate = 0.01;
  s->d[0] = 0.4, s->d[1] = 0.3;
  s->block_trials[0] = 20, s->block_trials[1] = 40;
  s->latency_ms = 700;
  s->latency_sd_ms = 150;
  s->error_rate = 0.05;
}

static FILE *open_in(const char *dir, const char *name) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = cli_output_open(path);
  return f;
}

/* One unit's planted values: (z_q, z_b) standard bivariate normal with correlation r. */
typedef struct {
  double q, b, gap, s;
} walktalk_unit_t;

static walktalk_unit_t plant_walktalk(const sim_study_t *st, gsl_rng *rng) {
  double z1 = gsl_ran_gaussian_ziggurat(rng, 1.0), e = gsl_ran_gaussian_ziggurat(rng, 1.0);
  double r = st->iat_behaviour_r, z2 = r * z1 + sqrt(1 - r * r) * e;
  walktalk_unit_t u;
  u.q = clip(st->iat_q[0] + st->iat_q[1] * z1, 0.5, 1.0);
  u.b = clip(st->behaviour[0] + st->behaviour[1] * z2, 0.0, 1.0);
  u.gap = st->gap[0] + st->gap[1] * gsl_ran_gaussian_ziggurat(rng, 1.0);
  u.s = clip(u.b + u.gap, 0.05, 0.97);
  return u;
}

/*
 * The expected trial score of a unit with association probability q: c of the 16
 * negative and d of the 16 positive words go to the focal target `other`
 * (c ~ Bin(16, 1 - q), d ~ Bin(16, q), independent), a = 16 - c and b = 16 - d to
 * `self`, score = d/(c+d) + a/(a+b) - 1 (vagap iat's, smoothing 0), averaged over
 * the valid trials (both targets have a word).  Not 2q - 1: the shares are ratios
 * of random counts.
 */
static double expected_trial_score(double q) {
  double sum = 0, pvalid = 0;
  for (unsigned c = 0; c <= 16; c++)
    for (unsigned d = 0; d <= 16; d++) {
      if (c + d == 0 || c + d == 32) continue;
      double p = gsl_ran_binomial_pdf(c, 1 - q, 16) * gsl_ran_binomial_pdf(d, q, 16);
      sum += p * ((double)d / (c + d) + (16.0 - c) / (32.0 - c - d) - 1);
      pvalid += p;
    }
  return sum / pvalid;
}

static void write_iat_unit(FILE *f, const sim_study_t *st, const char *name, double q,
                           gsl_rng *rng) {
  const char *words[32];
  for (size_t t = 1; t <= st->iat_trials; t++) {
    if (gsl_rng_uniform(rng) < st->invalid_rate) { /* an unparsed answer: counted, invalid */
      fprintf(f, "%s,%zu,,,\n", name, t);
      continue;
    }
    for (int k = 0; k < 16; k++) words[k] = POSITIVE[k], words[16 + k] = NEGATIVE[k];
    gsl_ran_shuffle(rng, words, 32, sizeof words[0]);
    for (int k = 0; k < 32; k++) {
      int positive = 0;
      for (int j = 0; j < 16 && !positive; j++) positive = words[k] == POSITIVE[j];
      int altruistic = gsl_rng_uniform(rng) < q; /* positive -> other, negative -> self */
      const char *target = (positive == altruistic) ? "other" : "self";
      fprintf(f, "%s,%zu,%s,%s,%s\n", name, t, words[k], positive ? "positive" : "negative",
              target);
    }
  }
}

static void write_choices_unit(FILE *f, const sim_study_t *st, const char *name, double b,
                               gsl_rng *rng) {
  for (size_t t = 1; t <= st->choice_trials; t++) {
    const char *choice = gsl_rng_uniform(rng) < st->invalid_rate ? "invalid"
                         : gsl_rng_uniform(rng) < b                ? "other"
                                                                   : "self";
    fprintf(f, "%s,%zu,scenario_%zu,%s\n", name, t, (t - 1) % 12 + 1, choice);
  }
}

static void write_selfreport_unit(FILE *f, const sim_study_t *st, const char *name, double s,
                                  gsl_rng *rng) {
  for (size_t r = 1; r <= st->runs; r++)
    for (int sc = 0; sc < 3; sc++)
      for (int i = 1; i <= 5; i++) {
        if (gsl_rng_uniform(rng) < st->missing_rate) {
          fprintf(f, "%s,%zu,%c%d,\n", name, r, SCALE_LETTERS[sc], i);
          continue;
        }
        int answer = (int)clip(round(1 + 6 * s + gsl_ran_gaussian_ziggurat(rng, 0.7)), 1, 7);
        fprintf(f, "%s,%zu,%c%d,%d\n", name, r, SCALE_LETTERS[sc], i, i == 4 ? 8 - answer : answer);
      }
}

static int write_walktalk(const sim_study_t *st, uint64_t seed, const char *dir,
                          cli_progress_t *meter) {
  FILE *iat = open_in(dir, "iat.csv"), *ch = open_in(dir, "choices.csv");
  FILE *sr = open_in(dir, "selfreport.csv"), *key = open_in(dir, "selfreport_key.csv");
  FILE *pl = open_in(dir, "planted.csv");
  gsl_rng *rng = gsl_rng_alloc(vagap_sim_rng_type());
  int rc = CLI_EXIT_DATA;
  if (!iat || !ch || !sr || !key || !pl || !rng) goto done;
  fputs("model,trial,word,valence,assigned\n", iat);
  fputs("model,trial,scenario,choice\n", ch);
  fputs("model,run,item,response\n", sr);
  fputs("item,scale,reverse\n", key);
  for (int sc = 0; sc < 3; sc++)
    for (int i = 1; i <= 5; i++) fprintf(key, "%c%d,%s,%d\n", SCALE_LETTERS[sc], i, SCALES[sc], i == 4);
  fputs("model,q,b,gap,s,iat_expected\n", pl);
  for (size_t u = 1; u <= st->units; u++) {
    char name[32];
    snprintf(name, sizeof name, "unit%04zu", u);
    vagap_sim_rng_seed(rng, seed, u, 1);
    walktalk_unit_t p = plant_walktalk(st, rng);
    write_iat_unit(iat, st, name, p.q, rng);
    write_choices_unit(ch, st, name, p.b, rng);
    write_selfreport_unit(sr, st, name, p.s, rng);
    fprintf(pl, "%s,%.17g,%.17g,%.17g,%.17g,%.17g\n", name, p.q, p.b, p.gap, p.s,
            expected_trial_score(p.q));
    cli_progress_tick(meter, (double)u, (double)st->units);
  }
  rc = CLI_EXIT_OK;
done:
  gsl_rng_free(rng);
  FILE *files[] = {iat, ch, sr, key, pl};
  for (size_t i = 0; i < 5; i++)
    if (files[i]) rc = cli_output_close(files[i], rc);
  return rc;
}

/*
 * The latency IAT: blocks 3 and 4 compatible, 6 and 7 incompatible (Greenwald et
 * al. 2003's seven-block layout, practice blocks 1, 2, 5 not written).  A
 * subject's latencies are normal with SD sigma and mean m (compatible) or
 * m + delta (incompatible), truncated below at 200 ms; delta is chosen so that
 * the planted D = delta / sqrt(sigma^2 + delta^2/4) (the mean difference over the
 * SD of the pooled blocks of equal size) is the subject's draw from N(d_mean, d_sd).
 */
static int write_latency(const sim_study_t *st, uint64_t seed, const char *dir,
                         cli_progress_t *meter) {
  FILE *tr = open_in(dir, "iat_trials.csv"), *pl = open_in(dir, "planted.csv");
  gsl_rng *rng = gsl_rng_alloc(vagap_sim_rng_type());
  int rc = CLI_EXIT_DATA;
  if (!tr || !pl || !rng) goto done;
  fputs("subject,block,trial,latency,error\n", tr);
  fputs("subject,D,delta_ms\n", pl);
  static const int blocks[4] = {3, 4, 6, 7};
  for (size_t u = 1; u <= st->units; u++) {
    char name[32];
    snprintf(name, sizeof name, "s%04zu", u);
    vagap_sim_rng_seed(rng, seed, u, 1);
    double D = clip(st->d[0] + st->d[1] * gsl_ran_gaussian_ziggurat(rng, 1.0), -1.9, 1.9);
    double sigma = st->latency_sd_ms;
    double delta = 2 * sigma * D / sqrt(4 - D * D); /* inverts D = delta/sqrt(sigma^2 + delta^2/4) */
    for (int k = 0; k < 4; k++) {
      size_t n = st->block_trials[k == 1 || k == 3];
      double mean = st->latency_ms + (k >= 2 ? delta : 0);
      for (size_t t = 1; t <= n; t++) {
        double lat = fmax(200, mean + gsl_ran_gaussian_ziggurat(rng, sigma));
        int err = gsl_rng_uniform(rng) < st->error_rate;
        fprintf(tr, "%s,%d,%zu,%.0f,%d\n", name, blocks[k], t, lat, err);
      }
    }
    fprintf(pl, "%s,%.17g,%.17g\n", name, D, delta);
    cli_progress_tick(meter, (double)u, (double)st->units);
  }
  rc = CLI_EXIT_OK;
done:
  gsl_rng_free(rng);
  if (tr) rc = cli_output_close(tr, rc);
  if (pl) rc = cli_output_close(pl, rc);
  return rc;
}

int sim_study_write(const cli_common_t *c, const sim_study_t *st, uint64_t seed, const char *dir) {
  if (mkdir(dir, 0777) == 0) cli_outputs_created_dir(dir);
  cli_progress_t meter;
  cli_progress_start(&meter, c, "writing", "units");
  int rc = strcmp(st->layout, "walktalk") == 0 ? write_walktalk(st, seed, dir, &meter)
                                                : write_latency(st, seed, dir, &meter);
  cli_progress_finish(&meter);
  return rc;
}
