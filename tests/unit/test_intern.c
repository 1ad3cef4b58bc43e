/* Unit tests of the string-to-code table (vagap/intern.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "vagap/intern.h"

static void test_codes_in_first_seen_order(void **state) {
  (void)state;
  vagap_intern_t *t = vagap_intern_alloc();
  assert_non_null(t);
  assert_int_equal(vagap_intern(t, "b", 1), 0);
  assert_int_equal(vagap_intern(t, "a", 1), 1);
  assert_int_equal(vagap_intern(t, "b", 1), 0);
  /* length, not NUL, delimits: "ab" prefix of "abc" is its own string */
  assert_int_equal(vagap_intern(t, "abc", 2), 2);
  assert_string_equal(vagap_intern_string(t, 2), "ab");
  assert_int_equal(vagap_intern(t, "", 0), 3);
  assert_int_equal(vagap_intern_find(t, "a", 1), 1);
  assert_true(vagap_intern_find(t, "zz", 2) == (size_t)-1);
  assert_null(vagap_intern_string(t, 99));
  assert_int_equal(vagap_intern_count(t), 4);
  vagap_intern_free(t);
  vagap_intern_free(NULL);
}

static void test_growth_keeps_codes(void **state) {
  (void)state;
  vagap_intern_t *t = vagap_intern_alloc();
  char buf[32];
  for (int i = 0; i < 5000; i++) {
    int n = snprintf(buf, sizeof buf, "level-%d", i);
    assert_int_equal(vagap_intern(t, buf, (size_t)n), (size_t)i);
  }
  for (int i = 0; i < 5000; i += 7) {
    int n = snprintf(buf, sizeof buf, "level-%d", i);
    assert_int_equal(vagap_intern_find(t, buf, (size_t)n), (size_t)i);
    assert_string_equal(vagap_intern_string(t, (size_t)i), buf);
  }
  assert_int_equal(vagap_intern_count(t), 5000);
  vagap_intern_free(t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_codes_in_first_seen_order),
      cmocka_unit_test(test_growth_keeps_codes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
