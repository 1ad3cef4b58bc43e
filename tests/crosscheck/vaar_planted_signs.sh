#!/bin/sh
# vagap vaar on the generated privacy-prosocial-sim study recovers the path
# signs planted by its generator (datasets/privacy-prosocial-sim/planted.csv):
#  - a planted non-zero path agrees (strict and sign-only) exactly when its
#    planted sign is the expected one;
#  - a planted zero path never agrees strictly (its sign is noise);
#  - per group, strict k equals the number of planted non-zero paths with the
#    expected sign, and K = 2;
# both with --expect (the human literature's signs) and with --reference human,
# and through the fit-once path (vagap sem, then vaar --estimates).
# Usage: sh vaar_planted_signs.sh VAGAP SOURCE_DIR SHARED_DATASETS
set -u
vagap=$1 src=$2
d=$src/datasets/privacy-prosocial-sim
model=$src/examples/vaar/model.lav
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
status=0

check() { # name output.csv
  awk -F, -v name="$1" '
    FNR == 1 { next }
    FILENAME == ARGV[1] { planted[$1 "|" $2 $3 $4] = $5 + 0; next }
    $2 == "path" {
      p = planted[$1 "|" $3 $4 $5]; ex = ($6 == "+") ? 1 : -1
      ps = (p > 0) - (p < 0); key = $1 "|" $5
      if (ps != 0) {
        want = (ps == ex) ? "TRUE" : "FALSE"
        if ($13 != want || $14 != want) { print "FAIL " name ": " key " agree " $13 "/" $14 ", planted " p; bad++ }
        if (ps == ex) k[$1]++
      } else if ($13 != "FALSE") { print "FAIL " name ": " key " planted zero but agrees strictly (p=" $9 ")"; bad++ }
      checked++
    }
    $2 == "vaar.strict" {
      if ($15 != k[$1] + 0 || $16 != 2) { print "FAIL " name ": " $1 " strict k/K " $15 "/" $16 ", planted " k[$1] + 0 "/2"; bad++ }
      groups++
    }
    END {
      if (checked != 14 || groups != 7) { print "FAIL " name ": checked " checked " paths in " groups " groups"; bad++ }
      printf "%s: %d paths, %d groups, %d failures\n", name, checked, groups, bad
      exit bad > 0
    }' "$d/planted.csv" "$2" || status=1
}

"$vagap" vaar --quiet --model "$model" --group group --expect 'AoDS~privacy:-,AoDS~prosocial:+' \
  "$d/survey.csv" > "$tmp/expect.csv" || { echo "FAIL: vaar --expect exited $?"; status=1; }
check expect "$tmp/expect.csv"

"$vagap" vaar --quiet --model "$model" --group group --reference human "$d/survey.csv" \
  > "$tmp/reference.csv" || { echo "FAIL: vaar --reference exited $?"; status=1; }
check reference "$tmp/reference.csv"

"$vagap" sem --quiet --model "$model" --group group --group-equal loadings "$d/survey.csv" \
  > "$tmp/pe.csv" || { echo "FAIL: sem exited $?"; status=1; }
printf 'lhs,op,rhs,sign\nAoDS,~,privacy,-\nAoDS,~,prosocial,+\n' > "$tmp/expect_file.csv"
"$vagap" vaar --quiet --estimates "$tmp/pe.csv" --expect-file "$tmp/expect_file.csv" \
  --group-labels human,llm_a,llm_b,llm_c,llm_d,llm_e,llm_f > "$tmp/estimates.csv" ||
  { echo "FAIL: vaar --estimates exited $?"; status=1; }
check estimates "$tmp/estimates.csv"
# the fit-once route gives the same table as fitting inside vaar
cmp -s "$tmp/expect.csv" "$tmp/estimates.csv" || { echo "FAIL: --estimates and --model tables differ"; status=1; }

# bootstrap: the same seed gives the same table with 1 and 2 threads, and a
# planted non-zero path agrees in (almost) every resample exactly when its
# planted sign is the expected one (share >= 0.9, else <= 0.1)
for t in 1 2; do
  "$vagap" vaar --quiet --model "$model" --group group --expect 'AoDS~privacy:-,AoDS~prosocial:+' \
    --bootstrap 40 --seed 11 --threads $t "$d/survey.csv" > "$tmp/boot$t.csv" ||
    { echo "FAIL: vaar --bootstrap exited $?"; status=1; }
done
cmp -s "$tmp/boot1.csv" "$tmp/boot2.csv" || { echo "FAIL: vaar --bootstrap differs between 1 and 2 threads"; status=1; }
awk -F, '
  FNR == 1 { next }
  FILENAME == ARGV[1] { planted[$1 "|" $2 $3 $4] = $5 + 0; next }
  $2 == "path" {
    p = planted[$1 "|" $3 $4 $5]; ex = ($6 == "+") ? 1 : -1; ps = (p > 0) - (p < 0)
    if (ps == 0) next
    n++
    if (ps == ex && ($19 < 0.9 || $20 < 0.9)) { print "FAIL: " $1 " " $5 " agrees in only " $19 "/" $20 " of resamples"; bad++ }
    if (ps != ex && ($19 > 0.1 || $20 > 0.1)) { print "FAIL: " $1 " " $5 " agrees in " $19 "/" $20 " of resamples"; bad++ }
    if ($21 != 40) { print "FAIL: boot.n " $21; bad++ }
  }
  END { printf "bootstrap agreement shares: %d planted paths, %d failures\n", n, bad; exit (bad > 0 || n != 12) }
' "$d/planted.csv" "$tmp/boot2.csv" || status=1
exit $status
