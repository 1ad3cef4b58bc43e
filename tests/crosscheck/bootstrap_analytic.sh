#!/bin/sh
# vagap sem --bootstrap against the analytic (expected-information) standard
# errors and Wald intervals on normal data, where both estimate the same
# sampling distribution.  Data: 2 groups x 2000 rows of x ~ N(0,1),
# y = 0.5 x + e, z = 0.4 y + e (e ~ N(0,1)), drawn with awk's srand(20260523).
# Model: y ~ x; z ~ y.  B = 1000, seed 42.
# Stated tolerance, for the 4 regression coefficients: bootstrap SE within 10%
# of the analytic SE (Monte-Carlo relative error of an SD from B = 1000 is
# ~2.2%; bootstrap and normal-theory SEs differ by O(1/sqrt(n)) at n = 2000),
# and each percentile bound within 0.35 analytic SE of the Wald bound (the
# Monte-Carlo SD of a 2.5% quantile from B = 1000 is ~0.085 SE; 0.35 is 4 of
# them).  Observed with five awk seeds: SE <= 4.7%, bounds <= 0.25 SE.  lavaan's
# se = "bootstrap" gives SEs within Monte-Carlo error of vagap's on such data.
# Also: the same seed gives the same table with 1 and 2 threads, and
# another seed a different one.
# Usage: sh bootstrap_analytic.sh VAGAP SOURCE_DIR SHARED_DATASETS
set -u
vagap=$1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
awk 'BEGIN {
  srand(20260523); pi = atan2(0, -1); print "g,x,y,z"
  for (g = 1; g <= 2; g++) for (i = 0; i < 2000; i++) {
    x = nrm(); y = 0.5 * x + nrm(); z = 0.4 * y + nrm()
    printf "%s,%.6f,%.6f,%.6f\n", (g == 1 ? "a" : "b"), x, y, z
  }
}
function nrm(  u) { do u = rand(); while (u <= 0); return sqrt(-2 * log(u)) * cos(2 * pi * rand()) }' \
  > "$tmp/d.csv"
printf 'y ~ x\nz ~ y\n' > "$tmp/m.lav"
status=0
"$vagap" sem --quiet --model "$tmp/m.lav" --group g "$tmp/d.csv" > "$tmp/analytic.csv" || exit 1
"$vagap" sem --quiet --model "$tmp/m.lav" --group g --bootstrap 1000 --seed 42 --threads 2 \
  "$tmp/d.csv" > "$tmp/boot.csv" || { echo "FAIL: bootstrap exited $?"; exit 1; }
"$vagap" sem --quiet --model "$tmp/m.lav" --group g --bootstrap 1000 --seed 42 --threads 1 \
  "$tmp/d.csv" > "$tmp/boot1.csv" || exit 1
"$vagap" sem --quiet --model "$tmp/m.lav" --group g --bootstrap 1000 --seed 43 --threads 2 \
  "$tmp/d.csv" > "$tmp/boot43.csv" || exit 1
cmp -s "$tmp/boot.csv" "$tmp/boot1.csv" || { echo "FAIL: 1 and 2 threads differ for one seed"; status=1; }
cmp -s "$tmp/boot.csv" "$tmp/boot43.csv" && { echo "FAIL: seeds 42 and 43 give the same table"; status=1; }
awk -F, '
  FNR == 1 { next }
  FILENAME == ARGV[1] { if ($2 == "~") { se[FNR] = $8; lo[FNR] = $11; hi[FNR] = $12; est[FNR] = $7 }; next }
  $2 == "~" {
    n++
    if ($7 != est[FNR]) { print "FAIL: point estimate changed in row " FNR; bad++ }
    r = $8 / se[FNR] - 1; if (r < 0) r = -r; if (r > maxr) maxr = r
    dl = ($11 - lo[FNR]) / se[FNR]; if (dl < 0) dl = -dl
    du = ($12 - hi[FNR]) / se[FNR]; if (du < 0) du = -du
    if (dl > maxb) maxb = dl; if (du > maxb) maxb = du
    if (r > 0.10) { print "FAIL: row " FNR " bootstrap SE " $8 " vs analytic " se[FNR]; bad++ }
    if (dl > 0.35 || du > 0.35) { print "FAIL: row " FNR " percentile [" $11 ", " $12 "] vs Wald [" lo[FNR] ", " hi[FNR] "]"; bad++ }
  }
  END {
    if (n != 4) { print "FAIL: expected 4 regression rows, found " n; bad++ }
    printf "bootstrap vs analytic: %d paths, max |SE ratio - 1| %.3f, max bound difference %.3f SE\n", n, maxr, maxb
    exit bad > 0
  }' "$tmp/analytic.csv" "$tmp/boot.csv" || status=1
exit $status
