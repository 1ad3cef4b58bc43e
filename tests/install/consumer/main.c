/* A program outside the vagap tree: uses the installed headers and library
 * (the CSV reader needs libcsv and zlib, the p-value GSL), as a user would. */
#include <stdio.h>
#include <string.h>

#include <vagap/vagap.h>

int main(void) {
  vagap_error_t err;
  memset(&err, 0, sizeof err);
  vagap_table_options_t opt;
  vagap_table_options_init(&opt);
  static const char csv[] = "x,y\n1,2\n3,4\n5,6\n";
  vagap_table_t *t = NULL;
  if (vagap_table_read_memory(&t, "inline.csv", csv, strlen(csv), &opt, NULL, &err) != VAGAP_OK) {
    fprintf(stderr, "consumer: %s\n", err.message);
    return 1;
  }
  double p = 0;
  if (vagap_stats_t_pvalue(2.0, 10.0, VAGAP_ALT_TWO_SIDED, &p, NULL, &err) != VAGAP_OK) {
    fprintf(stderr, "consumer: %s\n", err.message);
    return 1;
  }
  printf("vagap %s rows=%zu cols=%zu p=%.6f\n", vagap_version(), vagap_table_nrows(t),
         vagap_table_ncols(t), p);
  vagap_table_free(t);
  return 0;
}
