#!/bin/sh
# vagap sem --ordered --bootstrap against lavaan's cfa(..., ordered = TRUE,
# se = "bootstrap") with B = 200 on the same data: one factor, 4 items
# with 3-5 categories, 2 groups x 250 rows cut from continuous factor data
# (generated in R at test time, fixed seed); estimator DWLS, as lavaan allows only (D)WLS with
# se = "bootstrap" (the WLSMV estimates are the DWLS ones).  Each resample redoes the first
# stage (thresholds, polychorics, Gamma) and the DWLS fit of the resampled rows
# in both programs; the random streams differ, so the numbers agree within
# Monte-Carlo error only: the SD of a bootstrap SE from B = 200 is ~5% of it,
# of the ratio of two ~7% (more for loadings, whose resampled values are
# heavy-tailed: across vagap seeds one loading's ratio to lavaan's one run
# was 1.11-1.25).  Stated tolerances: every free parameter's SE within 40% of
# lavaan's, the mean |SE ratio - 1| (what a systematic error would move) below
# 10%, percentile bounds within 1 SE, point estimates (the full-sample fit)
# within 1e-4.
# Usage: sh bootstrap_ordinal_lavaan.sh VAGAP SOURCE_DIR; 77 = skipped.
vagap=$1 src=$2
. "$src/tests/crosscheck/lib/lavaan.sh"
lavaan_setup
Rscript "$src/tests/crosscheck/bootstrap_ordinal_lavaan.R" prepare "$TMP" || { echo "FAIL: lavaan reference"; exit 1; }
"$vagap" sem --quiet --digits 17 --model "$TMP/m.lav" --ordered --estimator DWLS --group g --bootstrap 200 --seed 5 "$TMP/d.csv" \
  > "$TMP/vagap.csv" || { echo "FAIL: vagap sem --ordered --bootstrap exited $?"; exit 1; }
Rscript "$src/tests/crosscheck/bootstrap_ordinal_lavaan.R" compare "$TMP"
