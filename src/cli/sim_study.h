/*
 * sim_study.h - study logs with planted unit effects for `vagap simulate
 * --study`: the walk-the-talk layout of `vagap report` (iat.csv, choices.csv,
 * selfreport.csv, selfreport_key.csv; see datasets/walktalk-sim) and the
 * latency-IAT trial layout of `vagap iat --method dscore`; planted.csv holds
 * each unit's generating values.
 */
#ifndef VAGAP_SIM_STUDY_H
#define VAGAP_SIM_STUDY_H

#include <stddef.h>
#include <stdint.h>
#include "cli.h"

typedef struct {
  const char *layout;          /* "walktalk" or "latency-iat" */
  size_t units;
  /* walktalk */
  double iat_q[2];             /* mean, SD of q (P(altruistic association)); clipped to [0.5, 1] */
  double behaviour[2];         /* mean, SD of b (P(prosocial choice)); clipped to [0, 1] */
  double gap[2];               /* mean, SD of the planted gap s - b */
  double iat_behaviour_r;      /* correlation of the normal scores behind q and b */
  size_t iat_trials, choice_trials, runs;
  double invalid_rate;         /* unparsed IAT trials and invalid choices */
  double missing_rate;         /* unanswered items */
  /* latency-iat */
  double d[2];                 /* mean, SD of the planted D */
  size_t block_trials[2];      /* trials of practice (3, 6) and test (4, 7) blocks */
  double latency_ms, latency_sd_ms, error_rate;
} sim_study_t;

void sim_study_init(sim_study_t *s);

/* Write the study into `dir` (created if missing), units counted on stderr when it is a
   terminal (or with c's --progress); an exit code. */
int sim_study_write(const cli_common_t *c, const sim_study_t *s, uint64_t seed, const char *dir);

#endif
