#!/bin/sh
# vagap sem --bootstrap against lavaan's sem(..., se = "bootstrap") with the
# same B = 500 on the same data (2 groups x 500 rows of x, y = 0.5 x + e,
# z = 0.4 y + e drawn with awk; model y ~ x; z ~ y).  The random streams
# differ, so the numbers agree within Monte-Carlo error only.  Stated
# tolerance: bootstrap SEs of the 4 regression coefficients within 20% of
# lavaan's (the ratio of two independent SD estimates from B = 500 has a
# relative SD of ~4.5%: 20% is ~4.4 SD), percentile bounds within 0.6 SE of
# lavaan's percentile bounds (Monte-Carlo SD of a 2.5% quantile difference
# ~0.17 SE at B = 500), point estimates within 1e-4.  Twice: as is, and with
# the y ~ x paths labelled per group and equal through a constraints text
# (--constraints; lavaan's constraints=), which every resample obeys.
# Usage: sh bootstrap_lavaan.sh VAGAP SOURCE_DIR SHARED_DATASETS; 77 = skipped.
vagap=$1 src=$2
command -v Rscript >/dev/null 2>&1 || { echo "skipped: Rscript not found"; exit 77; }
Rscript -e 'quit(status = if (requireNamespace("lavaan", quietly = TRUE)) 0 else 1)' >/dev/null 2>&1 ||
  { echo "skipped: R package lavaan not installed"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
awk 'BEGIN {
  srand(7); pi = atan2(0, -1); print "g,x,y,z"
  for (g = 1; g <= 2; g++) for (i = 0; i < 500; i++) {
    x = nrm(); y = 0.5 * x + nrm(); z = 0.4 * y + nrm()
    printf "%s,%.6f,%.6f,%.6f\n", (g == 1 ? "a" : "b"), x, y, z
  }
}
function nrm(  u) { do u = rand(); while (u <= 0); return sqrt(-2 * log(u)) * cos(2 * pi * rand()) }' \
  > "$tmp/d.csv"
printf 'y ~ x\nz ~ y\n' > "$tmp/plain.lav"
: > "$tmp/plain.constraints"
printf 'y ~ c(a1, a2)*x\nz ~ y\n' > "$tmp/constrained.lav"
printf 'a1 == a2\n' > "$tmp/constrained.constraints"
status=0
for case in plain constrained; do
set --
if [ -s "$tmp/$case.constraints" ]; then set -- --constraints "$tmp/$case.constraints"; fi
"$vagap" sem --quiet --model "$tmp/$case.lav" "$@" --group g --bootstrap 500 --seed 3 "$tmp/d.csv" \
  > "$tmp/vagap.csv" || { echo "FAIL: vagap sem --bootstrap ($case) exited $?"; exit 1; }
Rscript "$src/tests/crosscheck/lib/bootstrap_compare.R" "$tmp/d.csv" "$tmp/vagap.csv" 500 listwise 0.20 0.6 \
  "$tmp/$case.lav" "$tmp/$case.constraints" "$case" || status=1
done
exit $status
