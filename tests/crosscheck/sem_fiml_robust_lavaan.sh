#!/bin/sh
# Cross-check of vagap sem --missing ml with robust ML (MLR's Huber-White SEs and
# yuan.bentler.mplus test, --information expected/first.order, the FIML-corrected
# .robust measures) against R/lavaan (issue 15): the FIML cases of
# sem_robust_lavaan.R, on data with planted MCAR/MAR missingness.
# Usage: sh sem_fiml_robust_lavaan.sh VAGAP_BINARY SOURCE_DIR
# Exits 77 (skipped) when Rscript or lavaan is not installed.
VAGAP=$1
SRC=$2
HERE=$SRC/tests/crosscheck
. "$HERE/lib/lavaan.sh"
lavaan_setup
export CASES=fiml
Rscript "$HERE/sem_robust_lavaan.R" prepare "$TMP" || { echo "FAIL: lavaan reference fits"; exit 1; }
status=0
lavaan_fit_cases
Rscript "$HERE/sem_robust_lavaan.R" compare "$TMP" || status=1
# sem --invariance with MLR and missing = ml: lavTestLRT's scaled difference
printf 'f1 =~ y1 + y2 + y3\nf2 =~ y4 + y5 + y6\n' > "$TMP/lrt.lav"
"$VAGAP" sem --quiet --digits 17 --model "$TMP/lrt.lav" --group grp --estimator MLR --missing ml \
  --invariance configural,metric,scalar,strict "$TMP/two_mar.csv" > "$TMP/lrt_MLR.csv" ||
  { echo "FAIL: vagap sem --invariance --estimator MLR --missing ml"; status=1; }
for step in configural:"" metric:loadings scalar:loadings,intercepts strict:loadings,intercepts,residuals; do
  name=${step%%:*} eq=${step#*:}
  "$VAGAP" sem --quiet --digits 17 --model "$TMP/lrt.lav" --group grp --estimator MLR --missing ml \
    ${eq:+--group-equal "$eq"} "$TMP/two_mar.csv" > "$TMP/lrt_MLR_$name.csv" ||
    { echo "FAIL: vagap sem $name --estimator MLR --missing ml"; status=1; }
done
Rscript "$HERE/sem_robust_lavaan.R" lrt "$TMP" MLR || status=1
exit $status
