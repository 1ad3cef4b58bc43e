# Shared by the lavaan cross-check scripts (sourced, not a test of its own).

# Exit 77 (skipped) unless Rscript and the lavaan package are there; then make
# $TMP, removed on exit.
lavaan_setup() {
  command -v Rscript >/dev/null 2>&1 || { echo "skipped: Rscript not found"; exit 77; }
  Rscript -e 'quit(status = if (requireNamespace("lavaan", quietly = TRUE)) 0 else 1)' >/dev/null 2>&1 ||
    { echo "skipped: R package lavaan not installed"; exit 77; }
  TMP=$(mktemp -d) || exit 1
  trap 'rm -rf "$TMP"' EXIT INT TERM
}

# Fit every case the R script prepared ($TMP/CASE.lav, CASE.data naming the
# CSV, CASE.args one vagap argument a line) with `vagap sem`, estimates to
# CASE.out.est.csv and fit measures to CASE.out.fit.csv.  A failed run is
# reported and sets status=1.
lavaan_fit_cases() {
  for lav in "$TMP"/*.lav; do
    [ -f "$lav" ] || continue
    case=$(basename "$lav" .lav)
    data="$TMP/$(cat "$TMP/$case.data").csv"
    set --
    while IFS= read -r a; do [ -n "$a" ] && set -- "$@" "$a"; done < "$TMP/$case.args"
    "$VAGAP" sem --quiet --digits 17 --model "$lav" "$@" "$data" > "$TMP/$case.out.est.csv" ||
      { echo "FAIL: vagap sem $case exited $?"; status=1; }
    "$VAGAP" sem --quiet --digits 17 --fit --model "$lav" "$@" "$data" > "$TMP/$case.out.fit.csv" ||
      { echo "FAIL: vagap sem --fit $case exited $?"; status=1; }
  done
}
