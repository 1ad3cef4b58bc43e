/* semcli_data.c - raw-data input for SEM-fitting commands (see semcli_data.h). */
#include "semcli_data.h"
#include "rows.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static vagap_status_t oom(vagap_error_t *err) {
  return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
}

vagap_status_t semcli_read_text(const char *path, char **out, vagap_error_t *err) {
  *out = NULL;
  FILE *f = fopen(path, "rb");
  if (!f) return vagap_error_set(err, VAGAP_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  while (buf) {
    if (n + 1 >= cap) {
      char *b = realloc(buf, cap *= 2);
      if (!b) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = b;
    }
    size_t k = fread(buf + n, 1, cap - n - 1, f);
    n += k;
    if (k == 0) break;
  }
  int bad = ferror(f);
  fclose(f);
  if (!buf) return oom(err);
  if (bad) {
    free(buf);
    return vagap_error_set(err, VAGAP_EIO, path, 0, 0, "read error");
  }
  buf[n] = '\0';
  if (strlen(buf) != n) {
    free(buf);
    return vagap_error_set(err, VAGAP_EPARSE, path, 0, 0, "the file contains a NUL byte");
  }
  *out = buf;
  return VAGAP_OK;
}

vagap_status_t semcli_group_constraints(const char *group_equal, const char *group_partial,
                                        vagap_sem_model_options_t *mopt, char ***partial,
                                        size_t *npartial, vagap_error_t *err) {
  *partial = NULL;
  *npartial = 0;
  vagap_error_t parse_err;
  if (group_equal &&
      vagap_sem_group_equal_parse(group_equal, &mopt->group_equal, &parse_err) != VAGAP_OK)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0, "--group-equal: %s", parse_err.message);
  if (group_partial) {
    if (!(*partial = semcli_split_list(group_partial, npartial)))
      return vagap_error_set(err, VAGAP_ENOMEM, NULL, 0, 0, "out of memory");
    mopt->group_partial = (const char *const *)*partial;
    mopt->n_group_partial = *npartial;
  }
  return VAGAP_OK;
}

char **semcli_split_list(const char *s, size_t *n) { return vagap_sem_names_split(s, n); }

void semcli_free_list(char **v, size_t n) { vagap_sem_names_free(v, n); }

vagap_status_t semcli_screen(const vagap_table_options_t *topt, vagap_table_t *t,
                             const vagap_sem_model_t *m, vagap_ledger_t *ledger,
                             vagap_error_t *err) {
  if (cli_screen_named(topt, t, ledger, (const char *const *)m->ov, m->nov)) return oom(err);
  return VAGAP_OK;
}

vagap_status_t semcli_load(const vagap_table_t *t, size_t gcol, const vagap_sem_model_t *m,
                           semcli_data_t *d, vagap_ledger_t *ledger, vagap_error_t *err) {
  return vagap_sem_rows_load(t, gcol, m, d, 0, 1, NULL, ledger, err);
}

void semcli_missing_summary(FILE *out, const semcli_data_t *d) {
  if (!vagap_sem_rows_fiml(d)) return;
  size_t p = d->nvar;
  char *pat = malloc(d->nobs * (p + 1) + 1);
  double *cov = calloc(p > 0 ? p * p : 1, sizeof *cov);
  if (!pat || !cov) { free(pat); free(cov); return; }
  for (size_t g = 0; g < d->ngroups; g++) {
    /* patterns as strings of 0/1, counted distinct; coverage = share of rows observing both */
    size_t n = 0, npat = 0;
    memset(cov, 0, p * p * sizeof *cov);
    for (size_t i = 0; i < d->nobs; i++) {
      if (d->group[i] != g) continue;
      const double *y = d->x + i * p;
      char *s = pat + n * (p + 1);
      for (size_t j = 0; j < p; j++) s[j] = isnan(y[j]) ? '0' : '1';
      s[p] = 0;
      size_t k = 0;
      while (k < n && strcmp(pat + k * (p + 1), s)) k++;
      npat += k == n;
      for (size_t a = 0; a < p; a++)
        for (size_t b = 0; b < p; b++) cov[a * p + b] += !isnan(y[a]) && !isnan(y[b]);
      n++;
    }
    if (d->ngroups > 1) fprintf(out, "\nMissing data, group %s:\n", d->labels[g]);
    else fprintf(out, "\nMissing data:\n");
    fprintf(out, "  Number of observations                        %10zu\n", n);
    fprintf(out, "  Number of missing patterns                    %10zu\n", npat);
    fprintf(out, "  Coverage (lavInspect \"coverage\"):\n  %-10s", "");
    for (size_t b = 0; b < p; b++) fprintf(out, " %8.8s", d->var[b]);
    fputc('\n', out);
    for (size_t a = 0; a < p; a++) {
      fprintf(out, "  %-10.10s", d->var[a]);
      for (size_t b = 0; b <= a; b++) fprintf(out, " %8.3f", n ? cov[a * p + b] / (double)n : NAN);
      fputc('\n', out);
    }
  }
  free(pat);
  free(cov);
}

void semcli_progress_init(semcli_progress_t *p, const cli_common_t *c, const char *what,
                          const char *unit) {
  cli_progress_start(p, c, what, unit);
}

void semcli_progress(size_t done, size_t total, void *ctx) {
  cli_progress_update(ctx, (double)done, (double)total);
}

void semcli_report_boot_failures(const char *command, const vagap_sem_boot_t *b) {
  if (b->nfailed) {
    fprintf(stderr, "vagap %s: %zu of %zu bootstrap resamples failed to fit and are left out:",
            command, b->nfailed, b->B);
    for (int s = 0; s <= VAGAP_ENUMERIC; s++)
      if (b->failed_by_status[s])
        fprintf(stderr, " %zu %s;", b->failed_by_status[s], vagap_strerror((vagap_status_t)s));
    fputc('\n', stderr);
  }
  /* fitted resamples with lavaan's post-check warnings are kept, as lavaan keeps
     them; say how many and which warnings ('#' stands for a group or a number) */
  if (b->nwarned) {
    fprintf(stderr, "vagap %s: warning: %zu of %zu bootstrap resamples were fitted with warnings "
                    "and are kept:", command, b->nwarned, b->B);
    for (size_t k = 0; k < b->nwarn_kinds; k++)
      fprintf(stderr, " %zu \"%s\";", b->warn_count[k], b->warn_kind[k]);
    fputc('\n', stderr);
  }
}

void semcli_report_fit_warnings(const char *command, const char *what, const vagap_sem_fit_t *fit) {
  for (size_t i = 0; i < fit->nwarnings; i++)
    fprintf(stderr, "vagap %s: warning%s%s: %s\n", command, what ? " " : "", what ? what : "", fit->warnings[i]);
}

/* --ordered and --levels as lists of names for the library (sem_rows.c). */
vagap_status_t semcli_build_ordinal(const vagap_table_options_t *topt, vagap_table_t *t, size_t gcol,
                                    const vagap_sem_syntax_t *syn, const char *model_path,
                                    const char *ordered, int ordered_all, int pairwise,
                                    const char *levels, vagap_sem_model_options_t *mopt,
                                    semcli_data_t *d, vagap_sem_model_t **model, char ***onames,
                                    int **onth, vagap_ledger_t *ledger, vagap_error_t *err) {
  (void)topt; /* the table knows whether it excludes bad rows */
  size_t nord = 0, nlev = 0;
  char **ord = ordered ? semcli_split_list(ordered, &nord) : NULL;
  char **lev = levels ? semcli_split_list(levels, &nlev) : NULL;
  vagap_status_t st = (ordered && !ord) || (levels && !lev)
                          ? oom(err)
                          : vagap_sem_rows_build_ordinal(t, gcol, syn, model_path, (const char *const *)ord,
                                                         nord, ordered_all, pairwise,
                                                         (const char *const *)lev, nlev, mopt, d, model,
                                                         onames, onth, ledger, err);
  semcli_free_list(ord, nord);
  semcli_free_list(lev, nlev);
  return st;
}
