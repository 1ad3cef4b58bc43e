#!/bin/sh
# `vagap simulate --study` writes logs whose planted unit effects the analysis
# commands recover:
#  - walktalk, 200 units, planted IAT-behaviour correlation 0.5: `vagap report`
#    reads the four files; per unit its IAT score minus the expected trial score
#    of q (planted.csv's iat_expected: the exact expectation over the binomial
#    word counts, not 2q - 1) and its behaviour
#    minus b average 0 within 3.5 Monte Carlo SEs (both are unbiased), its
#    self-report minus s within 0.02 (rounding and clipping of 1..7 answers),
#    the report's r(IAT, behaviour) CI covers the planted units' r attenuated by
#    the behaviour's binomial noise (reliability var(b) / (var(b) + mean
#    b(1-b)/valid choices)); every unparsed IAT trial, invalid choice and
#    unanswered item written is in the report's exclusions, and nothing else;
#  - latency-iat, 150 subjects: `vagap iat --method dscore --variant D1` gives
#    D whose mean difference from the planted D is within 3.5 MC SEs + 0.01
#    (the small-sample bias of a ratio).
set -u
vagap=$1
dir=$(mktemp -d) && trap 'rm -rf "$dir"' EXIT
"$vagap" simulate --study walktalk --out "$dir/wt" --units 200 --seed 11 --iat-behavior-r 0.5 ||
  { echo "FAIL: simulate --study walktalk"; exit 1; }
"$vagap" report "$dir/wt" --out "$dir/rep" --quiet || { echo "FAIL: report"; exit 1; }
status=0
awk -F, -v choices=48 '
FNR == 1 { file++; next }
file == 1 { q[$1] = $6; b[$1] = $3; s[$1] = $5; next }
file == 2 { n++; d1 = $2 - q[$1]; d2 = $3 - b[$1]; d3 = $4 - s[$1]
            a1 += d1; aa1 += d1 * d1; a2 += d2; aa2 += d2 * d2; a3 += d3
            pb += b[$1]; pbb += b[$1] * b[$1]; pq += q[$1]; pqq += q[$1] * q[$1]; pqb += q[$1] * b[$1]
            bin += b[$1] * (1 - b[$1]) / (choices * 0.98) }
file == 3 && $1 == "correlation" && $2 == "iat~behavior" { r = $3; lo = $8; hi = $9 }
END {
  bad = 0
  m1 = a1 / n; se1 = sqrt((aa1 / n - m1 * m1) / (n - 1)); m2 = a2 / n; se2 = sqrt((aa2 / n - m2 * m2) / (n - 1))
  printf "units %d: IAT - expected %+.4f (%.2f SE), behaviour - b %+.4f (%.2f SE), self-report - s %+.4f\n",
         n, m1, m1 / se1, m2, m2 / se2, a3 / n
  if (n != 200) { print "FAIL: units"; bad++ }
  if (m1 > 3.5 * se1 || -m1 > 3.5 * se1) { print "FAIL: IAT scores"; bad++ }
  if (m2 > 3.5 * se2 || -m2 > 3.5 * se2) { print "FAIL: behaviour"; bad++ }
  if (a3 / n > 0.02 || -a3 / n > 0.02) { print "FAIL: self-report"; bad++ }
  vb = pbb / n - (pb / n) ^ 2; vq = pqq / n - (pq / n) ^ 2
  rp = (pqb / n - pq / n * pb / n) / sqrt(vq * vb); rel = vb / (vb + bin / n)
  printf "r(IAT, behaviour): report %.3f [%.3f, %.3f]; planted units %.3f, attenuated %.3f\n", r, lo, hi, rp, rp * sqrt(rel)
  if (!(lo <= rp * sqrt(rel) && rp * sqrt(rel) <= hi)) { print "FAIL: correlation"; bad++ }
  exit bad > 0
}' "$dir/wt/planted.csv" "$dir/rep/gap_units.csv" "$dir/rep/gap_tests.csv" || status=1
# exclusions: exactly the irregular rows written
unparsed=$(awk -F, 'NR > 1 && $3 == ""' "$dir/wt/iat.csv" | wc -l)
invalid=$(awk -F, 'NR > 1 && $4 == "invalid"' "$dir/wt/choices.csv" | wc -l)
missing=$(awk -F, 'NR > 1 && $4 == ""' "$dir/wt/selfreport.csv" | wc -l)
ex_unparsed=$(grep -c "iat.csv,.*missing word" "$dir/rep/exclusions.csv")
ex_invalid=$(grep -c "choices.csv,.*invalid" "$dir/rep/exclusions.csv")
ex_missing=$(grep -c "selfreport.csv,.*missing response" "$dir/rep/exclusions.csv")
ex_all=$(($(wc -l < "$dir/rep/exclusions.csv") - 1))
echo "written: $unparsed unparsed IAT trials, $invalid invalid choices, $missing unanswered items; excluded: $ex_unparsed, $ex_invalid, $ex_missing (all $ex_all)"
if [ "$unparsed" != "$ex_unparsed" ] || [ "$invalid" != "$ex_invalid" ] || [ "$missing" != "$ex_missing" ] ||
   [ "$ex_all" != $((unparsed + invalid + missing)) ] || [ "$unparsed" = 0 ] || [ "$invalid" = 0 ] || [ "$missing" = 0 ]; then
  echo "FAIL: exclusions differ from the irregular rows written"; status=1
fi

"$vagap" simulate --study latency-iat --out "$dir/lat" --units 150 --seed 4 || { echo "FAIL: simulate --study latency-iat"; exit 1; }
"$vagap" iat --method dscore --variant D1 --quiet "$dir/lat/iat_trials.csv" > "$dir/d.csv" || { echo "FAIL: iat --method dscore"; exit 1; }
awk -F, '
FNR == 1 { file++; for (j = 1; j <= NF; j++) col[file, $j] = j; next }
file == 1 { D[$1] = $2; next }
{ d = $(col[2, "D"]) - D[$1]; n++; s += d; ss += d * d }
END {
  m = s / n; se = sqrt((ss / n - m * m) / (n - 1))
  printf "latency IAT, %d subjects: D - planted D %+.4f (SE %.4f)\n", n, m, se
  if (n != 150 || m > 3.5 * se + 0.01 || -m > 3.5 * se + 0.01) { print "FAIL: D"; exit 1 }
}' "$dir/lat/planted.csv" "$dir/d.csv" || status=1
exit $status
