/* Unit tests for vagap_suggest, the "did you mean" of unknown columns, commands, options. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "vagap/error.h"

static const char *const columns[] = {"subject", "group", "score", "note", "conf-level"};
#define NCOL (sizeof columns / sizeof columns[0])

static void test_typos_find_the_name(void **state) {
  (void)state;
  assert_string_equal(vagap_suggest("grup", columns, NCOL), "group");      /* deletion */
  assert_string_equal(vagap_suggest("scoore", columns, NCOL), "score");    /* insertion */
  assert_string_equal(vagap_suggest("subjekt", columns, NCOL), "subject"); /* substitution */
  assert_string_equal(vagap_suggest("gruop", columns, NCOL), "group");     /* neighbours swapped: 1 edit */
  assert_string_equal(vagap_suggest("Score", columns, NCOL), "score");     /* case ignored */
  assert_string_equal(vagap_suggest("conf-levle", columns, NCOL), "conf-level");
}

static void test_far_names_are_not_suggested(void **state) {
  (void)state;
  assert_null(vagap_suggest("zzzzz", columns, NCOL));
  assert_null(vagap_suggest("x", columns, NCOL));  /* one letter: 1 edit allowed, none that near */
  assert_null(vagap_suggest("grp", columns, NCOL)); /* 2 edits, more than a third of 3 letters */
  assert_null(vagap_suggest("", columns, NCOL));
  assert_null(vagap_suggest(NULL, columns, NCOL));
  assert_null(vagap_suggest("group", NULL, 0));
}

static void test_nearest_and_first_wins(void **state) {
  (void)state;
  static const char *const c[] = {"note", NULL, "nope", "node"};
  /* "nose": 1 edit from note, nope and node; the first listed wins; NULL is skipped */
  assert_string_equal(vagap_suggest("nose", c, 4), "note");
  assert_string_equal(vagap_suggest("nop", c, 4), "nope"); /* 1 edit beats note's 2 */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_typos_find_the_name),
      cmocka_unit_test(test_far_names_are_not_suggested),
      cmocka_unit_test(test_nearest_and_first_wins),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
