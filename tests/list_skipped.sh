#!/bin/sh
# Lists the tests that ctest skipped (exit 77, SKIP_RETURN_CODE) with the reason each
# printed, from ctest's JUnit file (ctest --output-junit FILE), so that a skip is never
# read as a pass: ctest itself counts a skipped test among the passed ones.
#   sh tests/list_skipped.sh JUNIT.xml [TITLE]
set -u
junit=$1 title=${2:-ctest}
[ -f "$junit" ] || { echo "$title: no test results in $junit"; exit 0; }
awk -v title="$title" '
  function unxml(s) { gsub(/&lt;/, "<", s); gsub(/&gt;/, ">", s); gsub(/&quot;/, "\"", s)
                      gsub(/&apos;/, "\047", s); gsub(/&amp;/, "\\&", s); return s }
  /<testcase / { name = $0; sub(/.*<testcase name="/, "", name); sub(/".*/, "", name)
                 skipped = 0; inout = 0; reason = ""; last = "" }
  /<skipped / { skipped = 1 }
  /<system-out>/ { inout = 1; sub(/.*<system-out>/, "") }
  inout { line = $0; done = sub(/<\/system-out>.*/, "", line)
          if (line ~ /[^ \t]/) { last = line; if (line ~ /^ *(SKIPPED|[Ss]kipped)/) reason = line }
          if (done) inout = 0 }
  /<\/testcase>/ { if (skipped) { n++; why[n] = name ": " unxml(reason != "" ? reason : (last != "" ? last : "(no reason printed)")) } }
  END { if (n == 0) { printf "%s: no test was skipped\n", title; exit }
        printf "%s: %d test(s) SKIPPED, not passed:\n", title, n
        for (i = 1; i <= n; i++) printf "  %s\n", why[i] }' "$junit"
