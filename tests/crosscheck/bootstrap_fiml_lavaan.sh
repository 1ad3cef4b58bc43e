#!/bin/sh
# vagap sem --missing ml --bootstrap against lavaan's sem(..., missing = "ml",
# se = "bootstrap") with B = 300 on the same data (2 groups x 300 rows of x,
# y = 0.5 x + e, z = 0.4 y + e drawn with awk; 15% of y and of z missing
# completely at random; x complete, as fixed.x needs).  Each resample is a
# FIML fit of the resampled rows, in both programs.  The random streams
# differ, so the numbers agree within Monte-Carlo error only.  Stated
# tolerance: bootstrap SEs of the 4 regression coefficients within 25% of
# lavaan's (the ratio of two independent SD estimates from B = 300 has a
# relative SD of ~5.8%: 25% is ~4.3 SD), percentile bounds within 0.9 SE of
# lavaan's (Monte-Carlo SD of a 2.5% quantile difference ~0.22 SE at
# B = 300), point estimates (the FIML fit of the full sample) within 1e-4.
# Usage: sh bootstrap_fiml_lavaan.sh VAGAP SOURCE_DIR; 77 = skipped.
vagap=$1 src=$2
. "$src/tests/crosscheck/lib/lavaan.sh"
lavaan_setup
tmp=$TMP
awk 'BEGIN {
  srand(15); pi = atan2(0, -1); print "g,x,y,z"
  for (g = 1; g <= 2; g++) for (i = 0; i < 300; i++) {
    x = nrm(); y = 0.5 * x + nrm(); z = 0.4 * y + nrm()
    printf "%s,%.6f,%s,%s\n", (g == 1 ? "a" : "b"), x, rand() < 0.15 ? "NA" : sprintf("%.6f", y),
           rand() < 0.15 ? "NA" : sprintf("%.6f", z)
  }
}
function nrm(  u) { do u = rand(); while (u <= 0); return sqrt(-2 * log(u)) * cos(2 * pi * rand()) }' \
  > "$tmp/d.csv"
printf 'y ~ x\nz ~ y\n' > "$tmp/m.lav"
"$vagap" sem --quiet --model "$tmp/m.lav" --group g --missing ml --bootstrap 300 --seed 3 "$tmp/d.csv" \
  > "$tmp/vagap.csv" || { echo "FAIL: vagap sem --missing ml --bootstrap exited $?"; exit 1; }
Rscript "$src/tests/crosscheck/lib/bootstrap_compare.R" "$tmp/d.csv" "$tmp/vagap.csv" 300 ml 0.25 0.9
