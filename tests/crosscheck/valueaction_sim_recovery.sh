#!/bin/sh
# vagap recovers the truths planted in datasets/valueaction-sim (see its README):
#   align:        F1 aligned > middling > gappy; distance in the reverse order;
#                 per model, country ranks Aland 1, Borduria 2, Carpania 3, Dorne 4
#   consistency:  mean r of m1, m2, m3 each > m4 > m5
#   stated-enacted: every coherent unit (p1-p4) has a larger r than every incoherent one (p5-p8)
#   roleplay:     paired drop select - hold > 0 with p < 0.05
# Usage: sh valueaction_sim_recovery.sh VAGAP SOURCE_DIR SHARED_DATASETS
set -u
vagap=$1 src=$2
d=$src/datasets/valueaction-sim
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # check "description" awk-program file
  if awk -F, "$2" "$3"; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi
}

"$vagap" align --scenario country,topic --by country --quiet "$d/alignment.csv" > "$tmp/align.csv" || exit 1
check "F1 ordered aligned > middling > gappy" '
  $2 == "f1" && $3 == "NA" { f[$1] = $5 }
  END { exit !(f["aligned"] > f["middling"] && f["middling"] > f["gappy"]) }' "$tmp/align.csv"
check "distance ordered aligned < middling < gappy" '
  $2 == "distance" && $3 == "NA" { x[$1] = $5 }
  END { exit !(x["aligned"] < x["middling"] && x["middling"] < x["gappy"]) }' "$tmp/align.csv"
check "country ranking Aland < Borduria < Carpania < Dorne for every model" '
  BEGIN { want["Aland"] = 1; want["Borduria"] = 2; want["Carpania"] = 3; want["Dorne"] = 4 }
  $2 == "distance" && $3 == "country" { n++; if ($7 != want[$4]) bad++ }
  END { exit !(n == 12 && bad == 0) }' "$tmp/align.csv"

"$vagap" consistency --quiet "$d/choices.csv" > "$tmp/matrix.csv" || exit 1
check "mean r: m1, m2, m3 > m4 > m5" '
  $2 == "mean_r" { r[$1] = $4 }
  END { lo = r["m1"]; if (r["m2"] < lo) lo = r["m2"]; if (r["m3"] < lo) lo = r["m3"]
        exit !(lo > r["m4"] && r["m4"] > r["m5"]) }' "$tmp/matrix.csv"

"$vagap" consistency --mode stated-enacted --profile "$d/profile.csv" --quiet \
  "$d/enactment.csv" > "$tmp/se.csv" || exit 1
check "stated-enacted r: p1-p4 all above p5-p8" '
  $2 == "r" { u = substr($1, 2) + 0; if (u <= 4) { if (lo == "" || $4 < lo) lo = $4 }
                                     else { if (hi == "" || $4 > hi) hi = $4 } }
  END { exit !(lo != "" && hi != "" && lo > hi) }' "$tmp/se.csv"

"$vagap" consistency --mode roleplay --quiet "$d/roleplay.csv" > "$tmp/rp.csv" || exit 1
check "role-play drop > 0, p < 0.05" '
  $1 == "NA" && $2 == "drop" { found = 1; ok = ($4 > 0 && $8 < 0.05) }
  END { exit !(found && ok) }' "$tmp/rp.csv"
exit $fail
