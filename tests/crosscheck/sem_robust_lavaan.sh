#!/bin/sh
# Cross-check of vagap sem's robust ML (MLR, MLM, MLMV, --se/--test/--information)
# and of every fit measure lavaan prints, against R/lavaan (issue 15).
# Usage: sh sem_robust_lavaan.sh VAGAP_BINARY SOURCE_DIR
# Exits 77 (skipped) when Rscript or lavaan is not installed.
VAGAP=$1
SRC=$2
HERE=$SRC/tests/crosscheck
. "$HERE/lib/lavaan.sh"
lavaan_setup
Rscript "$HERE/sem_robust_lavaan.R" prepare "$TMP" || { echo "FAIL: lavaan reference fits"; exit 1; }
status=0
lavaan_fit_cases
Rscript "$HERE/sem_robust_lavaan.R" compare "$TMP" || status=1
# sem --invariance with MLR and MLM: lavTestLRT's scaled difference (satorra.bentler.2001)
printf 'f1 =~ y1 + y2 + y3\nf2 =~ y4 + y5 + y6\n' > "$TMP/lrt.lav"
for est in MLR MLM; do
  "$VAGAP" sem --quiet --digits 17 --model "$TMP/lrt.lav" --group grp --estimator $est \
    --invariance configural,metric,scalar,strict "$TMP/two.csv" > "$TMP/lrt_$est.csv" ||
    { echo "FAIL: vagap sem --invariance --estimator $est"; status=1; continue; }
  for step in configural:"" metric:loadings scalar:loadings,intercepts strict:loadings,intercepts,residuals; do
    name=${step%%:*} eq=${step#*:}
    "$VAGAP" sem --quiet --digits 17 --model "$TMP/lrt.lav" --group grp --estimator $est \
      ${eq:+--group-equal "$eq"} "$TMP/two.csv" > "$TMP/lrt_${est}_$name.csv" ||
      { echo "FAIL: vagap sem $name --estimator $est"; status=1; }
  done
  Rscript "$HERE/sem_robust_lavaan.R" lrt "$TMP" $est || status=1
done
exit $status
