/*
 * simcli.c - arguments and SEM populations shared by `vagap simulate` and
 * `vagap power` (simcli.h).
 */
#include "simcli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "semcli_data.h"

int simcli_parse_u64(const cli_common_t *c, const char *option, const char *s, const char *end,
                     uint64_t *out) {
  char *stop;
  errno = 0;
  if (s == end || *s == '-' || *s == '+') goto bad;
  unsigned long long v = strtoull(s, &stop, 10);
  if (errno || stop != end) goto bad;
  *out = (uint64_t)v;
  return 0;
bad:
  return cli_usage_error(c, "--%s: expected a whole number, found '%.*s'", option,
                         (int)(end - s), s), -1;
}

int simcli_parse_seed(const cli_common_t *c, const char *s, uint64_t *out) {
  return simcli_parse_u64(c, "seed", s, s + strlen(s), out);
}

/* Calls `item(ctx, k, text)` for the k-th element of a comma list; -1 stops. */
typedef int (*list_item_fn)(const cli_common_t *c, void *ctx, size_t k, const char *text);

static int each_item(const cli_common_t *c, const char *option, const char *list,
                     list_item_fn item, void *ctx) {
  size_t k = 0;
  if (*list == '\0')
    return cli_usage_error(c, "--%s: an empty list: the grid would have no conditions", option), -1;
  for (const char *s = list;; k++) {
    const char *e = strchr(s, ',');
    size_t len = e ? (size_t)(e - s) : strlen(s);
    char buf[64];
    if (len == 0 || len >= sizeof buf)
      return cli_usage_error(c, "--%s: expected comma-separated numbers, found '%s'", option,
                             list), -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (item(c, ctx, k, buf)) return -1;
    if (!e) return 0;
    s = e + 1;
  }
}

static size_t list_length(const char *list) {
  size_t n = 1;
  for (const char *p = list; *p; p++) n += *p == ',';
  return n;
}

typedef struct {
  const char *option;
  double *v;
} numbers_ctx_t;

static int number_item(const cli_common_t *c, void *ctx, size_t k, const char *text) {
  numbers_ctx_t *x = ctx;
  if (cli_parse_double(c, x->option, text, &x->v[k])) return -1;
  if (!isfinite(x->v[k]))
    return cli_usage_error(c, "--%s: value %zu is not finite", x->option, k + 1), -1;
  return 0;
}

int simcli_parse_numbers(const cli_common_t *c, const char *option, const char *list,
                         double **out, size_t *n) {
  *n = list_length(list);
  *out = malloc(*n * sizeof **out);
  if (!*out) return cli_usage_error(c, "out of memory"), -1;
  numbers_ctx_t x = {option, *out};
  return each_item(c, option, list, number_item, &x);
}

typedef struct {
  const char *option, *what, *list;
  size_t lo, hi, *v;
} counts_ctx_t;

static int count_item(const cli_common_t *c, void *ctx, size_t k, const char *text) {
  counts_ctx_t *x = ctx;
  char *end;
  errno = 0;
  long long v = strtoll(text, &end, 10);
  if (end == text || *end || errno || v < (long long)x->lo || v > (long long)x->hi)
    return cli_usage_error(c, "--%s: value %zu of '%s' is not a number of %s in %zu..%zu",
                           x->option, k + 1, x->list, x->what, x->lo, x->hi), -1;
  x->v[k] = (size_t)v;
  return 0;
}

int simcli_parse_counts(const cli_common_t *c, const char *option, const char *list, size_t lo,
                        size_t hi, const char *what, size_t **out, size_t *n) {
  *n = list_length(list);
  *out = malloc(*n * sizeof **out);
  if (!*out) return cli_usage_error(c, "out of memory"), -1;
  counts_ctx_t x = {option, what, list, lo, hi, *out};
  return each_item(c, option, list, count_item, &x);
}

/* ---- populations ------------------------------------------------------------- */

void simcli_pop_draw(const simcli_pop_t *p, size_t g, gsl_rng *rng, size_t n, double *x) {
  size_t v = p->nvar;
  if (p->vm)
    vagap_sim_vm_draw(rng, n, &p->vm[g], x);
  else
    vagap_sim_mvnorm(rng, n, v, p->mu + g * v, p->chol + g * v * v, x);
}

/* One value for every variable, or one each; NULL: all 0. */
static int expand(const cli_common_t *c, const char *what, const double *v, size_t n,
                  size_t nvar, double *out) {
  for (size_t j = 0; j < nvar; j++) out[j] = !v ? 0.0 : n == 1 ? v[0] : v[j < n ? j : 0];
  if (v && n != 1 && n != nvar)
    return cli_usage_error(c, "--%s: expected one value or one per observed variable (%zu), "
                              "found %zu", what, nvar, n);
  return 0;
}

/* Vale-Maurelli draws for every group when skewness or kurtosis is given. */
static int nonnormal(const cli_common_t *c, const char *path, const simcli_pop_options_t *opt,
                     simcli_pop_t *p) {
  if (!opt || (!opt->skewness && !opt->kurtosis)) return CLI_EXIT_OK;
  size_t v = p->nvar;
  double *sk = malloc(v * sizeof *sk), *ku = malloc(v * sizeof *ku);
  p->vm = calloc(p->ngroups, sizeof *p->vm);
  int rc = CLI_EXIT_DATA;
  if (!sk || !ku || !p->vm) {
    fprintf(stderr, "vagap %s: out of memory\n", c->command);
    goto done;
  }
  if ((rc = expand(c, "skewness", opt->skewness, opt->nskewness, v, sk)) ||
      (rc = expand(c, "kurtosis", opt->kurtosis, opt->nkurtosis, v, ku)))
    goto done;
  for (size_t g = 0; g < p->ngroups; g++) {
    vagap_error_t err;
    if (vagap_sim_vm_prepare(p->mu + g * v, p->sigma + g * v * v, v, sk, ku, &p->vm[g], &err)) {
      fprintf(stderr, "vagap: %s: group %zu: %s\n", path, g + 1, err.message);
      rc = CLI_EXIT_DATA;
      goto done;
    }
  }
  rc = CLI_EXIT_OK;
done:
  free(sk);
  free(ku);
  return rc;
}

void simcli_pop_free(simcli_pop_t *p) {
  for (size_t g = 0; p->vm && g < p->ngroups; g++) vagap_sim_vm_free(&p->vm[g]);
  free(p->vm);
  vagap_sem_syntax_free(p->syntax);
  vagap_sem_model_free(p->model);
  free(p->mu);
  free(p->sigma);
  free(p->chol);
  memset(p, 0, sizeof *p);
}

int simcli_population(const cli_common_t *c, const char *path, size_t ngroups,
                      const simcli_pop_options_t *opt, simcli_pop_t *p) {
  vagap_error_t err;
  char *text = NULL;
  vagap_sem_model_options_t mopt;
  vagap_sem_model_options_init(&mopt);
  mopt.std_lv = 1; /* simulateData's defaults */
  mopt.fixed_x = 0;
  int rc = CLI_EXIT_DATA;
  p->ngroups = ngroups;
  if (semcli_read_text(path, &text, &err) || vagap_sem_syntax_parse(&p->syntax, text, path, &err) ||
      vagap_sem_model_build(&p->model, p->syntax, ngroups, &mopt, path, &err)) {
    rc = cli_report_error(&err);
    goto done;
  }
  size_t v = p->nvar = p->model->nov;
  p->mu = malloc(ngroups * v * sizeof *p->mu);
  p->sigma = malloc(ngroups * v * v * sizeof *p->sigma);
  p->chol = malloc(ngroups * v * v * sizeof *p->chol);
  if (!p->mu || !p->sigma || !p->chol) {
    fprintf(stderr, "vagap %s: out of memory\n", c->command);
    goto done;
  }
  size_t nzero = 0, nuser = 0;
  int std = opt && opt->standardized;
  for (size_t g = 0; g < ngroups; g++) {
    if (vagap_sim_sem_moments_std(p->model, g, std, p->mu + g * v, p->sigma + g * v * v, &nzero,
                                  &nuser, &err) ||
        vagap_sim_cholesky(p->sigma + g * v * v, v, p->chol + g * v * v, &err)) {
      fprintf(stderr, "vagap: %s: group %zu: %s\n", path, g + 1, err.message);
      goto done;
    }
    if (nzero && g == 0)
      cli_warn(c, "%zu regression coefficient(s) have no value in %s and are set to zero "
                  "(as lavaan's simulateData)", nzero, path);
    if (nuser && g == 0)
      cli_warn(c, "--standardized replaces the %zu residual variance(s) given in %s "
                  "(lavaan: if residual variances are specified, please use standardized=FALSE)",
               nuser, path);
  }
  rc = nonnormal(c, path, opt, p);
done:
  free(text);
  return rc;
}
