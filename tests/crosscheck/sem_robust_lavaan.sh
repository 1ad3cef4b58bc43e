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
exit $status
