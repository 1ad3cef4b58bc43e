#!/bin/sh
# vagap sem's verdicts (converged / admissible / lavaan's warnings) against
# lavaan on generated near-unidentified, Heywood, non-positive-definite and
# saturated cases.  Exits 77 when Rscript or lavaan is missing.
# Usage: sh sem_verdict_lavaan.sh VAGAP_BINARY SOURCE_DIR [SHARED_DATASETS_DIR]
VAGAP=$1
HERE=$2/tests/crosscheck
command -v Rscript >/dev/null 2>&1 || { echo "skipped: Rscript not found"; exit 77; }
Rscript -e 'quit(status = if (requireNamespace("lavaan", quietly = TRUE) && requireNamespace("MASS", quietly = TRUE)) 0 else 1)' \
  >/dev/null 2>&1 || { echo "skipped: R package lavaan or MASS not installed"; exit 77; }
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT INT TERM
Rscript "$HERE/sem_verdict_lavaan.R" "$VAGAP" "$TMP"
