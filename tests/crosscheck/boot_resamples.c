/*
 * boot_resamples - cross-check helper: runs vagap_sem_bootstrap on a numeric
 * file and prints, per resample, whether it was fitted, its estimates (free
 * parameters in order) and the rows it drew (1-based), so that a reference
 * can refit the very same resampled rows.
 *   boot_resamples DATA MODEL NGROUPS B SEED
 * DATA: one row per line, the 0-based group index then the variables x1..xP
 * (blank-separated, P read from the first line); MODEL: lavaan syntax (cfa
 * defaults), fitted as vagap sem --bootstrap does (se none).  Output lines: "b ok est_1 .. est_K | row_1 .. row_n".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vagap/sem.h"
#include "vagap/sem_boot.h"
#include "vagap/vagap.h"

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  rewind(f);
  char *s = malloc((size_t)n + 1);
  if (s && fread(s, 1, (size_t)n, f) != (size_t)n) { free(s); s = NULL; }
  if (s) s[n] = '\0';
  fclose(f);
  return s;
}

/* Reads the data file into x (row-major) and group; returns the row count. */
static size_t read_rows(const char *text, size_t *nvar, double **x, size_t **group) {
  const char *eol = strchr(text, '\n');
  size_t fields = 0;
  for (const char *p = text; p < (eol ? eol : text + strlen(text));) {
    while (*p == ' ') p++;
    if (*p == '\n' || !*p) break;
    fields++;
    while (*p && *p != ' ' && *p != '\n') p++;
  }
  *nvar = fields - 1;
  size_t cap = 1024, n = 0;
  *x = malloc(cap * *nvar * sizeof **x);
  *group = malloc(cap * sizeof **group);
  char *end;
  for (const char *p = text;; n++) {
    unsigned long g = strtoul(p, &end, 10);
    if (end == p) break;
    if (n == cap) {
      cap *= 2;
      *x = realloc(*x, cap * *nvar * sizeof **x);
      *group = realloc(*group, cap * sizeof **group);
    }
    (*group)[n] = g;
    p = end;
    for (size_t j = 0; j < *nvar; j++, p = end) (*x)[n * *nvar + j] = strtod(p, &end);
  }
  return n;
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fputs("usage: boot_resamples DATA MODEL NGROUPS B SEED\n", stderr);
    return 2;
  }
  vagap_init();
  size_t ngroups = strtoul(argv[3], NULL, 10), B = strtoul(argv[4], NULL, 10), nvar;
  char *data_text = slurp(argv[1]), *model_text = slurp(argv[2]);
  if (!data_text || !model_text) { fputs("boot_resamples: cannot read the inputs\n", stderr); return 2; }
  double *x;
  size_t *group;
  size_t n = read_rows(data_text, &nvar, &x, &group);
  char **var = malloc(nvar * sizeof *var), **label = malloc(ngroups * sizeof *label);
  for (size_t j = 0; j < nvar; j++) { var[j] = malloc(24); snprintf(var[j], 24, "x%zu", j + 1); }
  for (size_t g = 0; g < ngroups; g++) { label[g] = malloc(24); snprintf(label[g], 24, "g%zu", g + 1); }
  vagap_sem_data_t d = {n, nvar, ngroups, x, group, (const char *const *)var, (const char *const *)label};
  vagap_error_t err;
  vagap_sem_syntax_t *syn = NULL;
  vagap_sem_model_t *m = NULL;
  vagap_sem_model_options_t mo;
  vagap_sem_model_options_init(&mo);
  vagap_sem_fit_options_t fo;
  vagap_sem_fit_options_init(&fo);
  fo.se = VAGAP_SEM_SE_NONE; /* as vagap sem --bootstrap fits its resamples (lavaan: se = "none") */
  vagap_sem_boot_options_t bo;
  vagap_sem_boot_options_init(&bo);
  bo.B = B;
  bo.seed = strtoull(argv[5], NULL, 10);
  vagap_sem_boot_t *r = NULL;
  size_t *idx = malloc(n * sizeof *idx);
  if (vagap_sem_syntax_parse(&syn, model_text, argv[2], &err) ||
      vagap_sem_model_build(&m, syn, ngroups, &mo, argv[2], &err) ||
      vagap_sem_bootstrap(&r, m, &d, &fo, &bo, &err)) {
    fprintf(stderr, "boot_resamples: %s\n", err.message);
    return 1;
  }
  for (size_t b = 0; b < B; b++) {
    printf("%zu %d", b + 1, r->ok[b]);
    for (size_t k = 1; k <= m->npar; k++) {
      size_t row = 0;
      while (m->rows[row].free != k) row++;
      printf(" %.10g", r->est[b * r->nrows + row]);
    }
    printf(" |");
    if (vagap_sem_boot_resample(&d, bo.seed, b, idx, &err)) return 1;
    for (size_t i = 0; i < n; i++) printf(" %zu", idx[i] + 1);
    printf("\n");
  }
  vagap_sem_boot_free(r);
  vagap_sem_model_free(m);
  vagap_sem_syntax_free(syn);
  for (size_t j = 0; j < nvar; j++) free(var[j]);
  for (size_t g = 0; g < ngroups; g++) free(label[g]);
  free(var); free(label); free(idx); free(x); free(group); free(data_text); free(model_text);
  return 0;
}
