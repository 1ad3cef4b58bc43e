/*
 * power_cli.h - the study table of `vagap power`, shared by the run
 * (cmd_power.c) and --merge (power_merge.c).
 *
 * A study is a list of conditions; each row of the output is one condition:
 * analysis, condition, the analysis' design columns (written as given, so
 * --merge can compare them as text), then the summary columns and the exact
 * sums that let partial runs merge.
 */
#ifndef VAGAP_POWER_CLI_H
#define VAGAP_POWER_CLI_H

#include "cli.h"
#include "vagap/power.h"

#define POWER_MAX_DESIGN 5

typedef struct {
  const char *name;                 /* --analysis */
  const char *design[POWER_MAX_DESIGN];
  size_t ndesign;
  int sem;                          /* data from a population SEM, n per group */
  int has_ci;                       /* the estimate has a CI (else coverage is NA) */
} power_analysis_t;

/* The analyses, and the one named `name` (NULL if none). */
extern const power_analysis_t POWER_ANALYSES[];
extern const size_t POWER_NANALYSES;
const power_analysis_t *power_analysis_find(const char *name);

typedef struct {
  char *design[POWER_MAX_DESIGN]; /* the design cells (owned) */
  double truth;                   /* the population value (NAN: none) */
  double analytic;                /* analytic power (NAN: none) */
  double effect;                  /* dz, rho, or f1-diff's p.a */
  double effect_b;                /* f1-diff's p.b */
  size_t n;                       /* units, or observations per group */
  size_t model;                   /* SEM: index of the population model */
  size_t group;                   /* vaar: the group scored; sem-param: the group of its row
                                     (1-based; 0 for a := parameter) */
  size_t target;                  /* sem-param: the fit model's row of the parameter */
} power_cond_t;

typedef struct {
  const power_analysis_t *analysis;
  uint64_t seed;
  double alpha, conf;
  size_t ncond;
  power_cond_t *cond;
  vagap_power_acc_t *acc; /* [ncond] */
} power_study_t;

void power_study_free(power_study_t *st);

/* Analytic power of a condition from its design cells (paired-gap: power.t.test;
   correlation: pwr.r.test's approximation); NAN for the other analyses. */
double power_analytic(const power_analysis_t *an, const char *const *design, double alpha);

/* The output columns of an analysis (*n of them; a static array). */
const char *const *power_columns(const power_analysis_t *an, size_t *n);

/* Write the table of a summarised study (CSV or the --format chosen). */
int power_write_study(const cli_common_t *c, const power_study_t *st);

/* `vagap power --merge FILE...` (files from argv[optind..]). */
int power_merge_files(cli_common_t *c, int argc, char **argv, power_study_t *st);

/* A number that must round-trip through the table (design and population values):
   15 significant digits when they do, else 17. */
void power_format_exact(double x, char buf[40]);
void power_put_exact(cli_writer_t *w, double x);

#endif
