/*
 * simcli.h - what `vagap simulate` and `vagap power` share: whole-number and
 * list arguments (--seed, --n, grids), and the population of an SEM read
 * from a lavaan model file with simulateData()'s conventions.
 */
#ifndef VAGAP_SIMCLI_H
#define VAGAP_SIMCLI_H

#include <stdint.h>
#include "cli.h"
#include "vagap/simulate.h"

/* A whole number 0..2^64-1 (no sign); usage error naming --option otherwise. */
int simcli_parse_u64(const cli_common_t *c, const char *option, const char *s, const char *end,
                     uint64_t *out);
/* --seed S */
int simcli_parse_seed(const cli_common_t *c, const char *s, uint64_t *out);

/* A comma list of finite numbers (an empty element is a usage error). */
int simcli_parse_numbers(const cli_common_t *c, const char *option, const char *list,
                         double **out, size_t *n);
/* A comma list of whole numbers in lo..hi; `what` says what they count. */
int simcli_parse_counts(const cli_common_t *c, const char *option, const char *list, size_t lo,
                        size_t hi, const char *what, size_t **out, size_t *n);

/* How a population is made: simulateData()'s standardized, skewness, kurtosis. */
typedef struct {
  int standardized;
  const double *skewness, *kurtosis; /* one value, or one per observed variable; NULL: 0 */
  size_t nskewness, nkurtosis;
} simcli_pop_options_t;

/* The population of an SEM, per group: moments and Cholesky factors. */
typedef struct {
  vagap_sem_syntax_t *syntax;
  vagap_sem_model_t *model;  /* built with simulateData()'s std.lv = TRUE, fixed.x = FALSE */
  size_t ngroups, nvar;
  double *mu, *sigma, *chol; /* [ngroups * nvar], [ngroups * nvar * nvar] x 2 */
  vagap_sim_vm_t *vm;        /* [ngroups] Vale-Maurelli draws, NULL for normal data */
} simcli_pop_t;

/*
 * Read `path` and build its population for `ngroups` groups (opt may be
 * NULL: normal, not standardized).  A warning names the regressions without
 * a value (set to 0, as simulateData); errors (syntax, a covariance matrix
 * that is not positive definite, impossible skewness/kurtosis) are printed
 * with the file and group.  Returns CLI_EXIT_OK or the exit code.
 */
int simcli_population(const cli_common_t *c, const char *path, size_t ngroups,
                      const simcli_pop_options_t *opt, simcli_pop_t *p);

/* n draws of group g into x (n x nvar): normal or Vale-Maurelli. */
void simcli_pop_draw(const simcli_pop_t *p, size_t g, gsl_rng *rng, size_t n, double *x);
void simcli_pop_free(simcli_pop_t *p);

#endif
