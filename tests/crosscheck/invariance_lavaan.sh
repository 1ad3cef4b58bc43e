#!/bin/sh
# vagap sem --invariance configural,metric,scalar,strict against lavaan's
# fitMeasures() and lavTestLRT() on Holzinger-Swineford 1939 by school (the
# data are exported from the installed lavaan package, never committed), and
# on the generated privacy-prosocial-sim study; also the sequence ending in
# equal latent means (scalar + means), the sequence with std.lv, and one with
# a --constraints file (lavaan's constraints=) in every model.  Tolerance 1e-4 absolute
# (relative for chi-square, AIC, BIC); df exact.
# Usage: sh invariance_lavaan.sh VAGAP SOURCE_DIR [SHARED_DATASETS]; 77 = skipped.
VAGAP=$1
SRC=$2
command -v Rscript >/dev/null 2>&1 || { echo "skipped: Rscript not found"; exit 77; }
Rscript -e 'quit(status = if (requireNamespace("lavaan", quietly = TRUE)) 0 else 1)' >/dev/null 2>&1 ||
  { echo "skipped: R package lavaan not installed"; exit 77; }
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT INT TERM
cat > "$TMP/hs.lav" <<'LAV'
visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9
LAV
Rscript -e 'utils::write.csv(lavaan::HolzingerSwineford1939, commandArgs(TRUE)[1], row.names = FALSE)' \
  "$TMP/hs.csv" || { echo "FAIL: cannot export HolzingerSwineford1939"; exit 1; }
status=0
cat > "$TMP/hs_cov.lav" <<'LAV'
visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9
visual ~~ c(c1, c2)*textual
LAV
printf 'c1 == c2\n' > "$TMP/hs_cov.constraints"
run() { # name model data group levels [--std-lv|""] [constraints file|""] [missing]
  "$VAGAP" sem --quiet --digits 17 --model "$2" --group "$4" ${6:-} ${7:+--constraints "$7"} ${8:+--missing "$8"} \
    --invariance "$5" "$3" > "$TMP/$1.vagap.csv" ||
    { echo "FAIL: vagap sem --invariance on $1 exited $?"; status=1; return; }
  Rscript - "$2" "$3" "$4" "$TMP/$1.vagap.csv" "$1" "$5" "${6:-}" "${7:-}" "${8:-listwise}" <<'R' || status=1
suppressMessages(library(lavaan))
a <- commandArgs(TRUE)
model <- paste(readLines(a[1]), collapse = "\n")
d <- read.csv(a[2])
all <- list(configural = "", metric = "loadings",
            scalar = c("loadings", "intercepts"),
            strict = c("loadings", "intercepts", "residuals"),
            means = c("loadings", "intercepts", "means"))
levels <- all[strsplit(a[6], ",")[[1]]]
con <- if (nzchar(a[8])) paste(readLines(a[8]), collapse = "\n") else ""
fits <- lapply(levels, function(eq) suppressWarnings(sem(model, d, group = a[3], group.equal = eq,
                                         std.lv = identical(a[7], "--std-lv"), constraints = con, missing = a[9])))
v <- read.csv(a[4])
lrt <- do.call(lavTestLRT, unname(fits))
measures <- c("npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic")
worst <- 0; bad <- 0
check <- function(what, mine, ref, relative = FALSE) {
  d <- abs(mine - ref); if (relative) d <- d / max(1, abs(ref))
  if (!is.finite(d) || d > 1e-4) {
    cat(sprintf("FAIL %s %s: vagap %.10g lavaan %.10g\n", a[5], what, mine, ref)); bad <<- bad + 1
  }
  if (is.finite(d)) worst <<- max(worst, d)
}
for (i in seq_along(fits)) {
  fm <- fitMeasures(fits[[i]], measures)
  stopifnot(v$model[i] == names(levels)[i])
  for (m in measures) check(paste(names(levels)[i], m), v[[m]][i], fm[[m]],
                            relative = m %in% c("chisq", "aic", "bic"))
  if (v$df[i] != fm[["df"]]) { cat("FAIL df differs\n"); bad <- bad + 1 }
  if (i > 1) {
    check(paste(names(levels)[i], "chisq.diff"), v$chisq.diff[i], lrt[["Chisq diff"]][i], TRUE)
    check(paste(names(levels)[i], "df.diff"), v$df.diff[i], lrt[["Df diff"]][i])
    check(paste(names(levels)[i], "pvalue.diff"), v$pvalue.diff[i], lrt[["Pr(>Chisq)"]][i])
    if (!is.null(lrt[["RMSEA"]]))
      check(paste(names(levels)[i], "rmsea.lrt"), v$rmsea.lrt[i], lrt[["RMSEA"]][i])
    pm <- fitMeasures(fits[[i - 1]], c("cfi", "rmsea"))
    check(paste(names(levels)[i], "cfi.diff"), v$cfi.diff[i], fm[["cfi"]] - pm[["cfi"]])
    check(paste(names(levels)[i], "rmsea.diff"), v$rmsea.diff[i], fm[["rmsea"]] - pm[["rmsea"]])
  }
}
cat(sprintf("%s: %d models, max difference %.3g, %d failures\n", a[5], length(fits), worst, bad))
quit(status = if (bad == 0) 0 else 1)
R
}
run hs "$TMP/hs.lav" "$TMP/hs.csv" school configural,metric,scalar,strict
run hs_means "$TMP/hs.lav" "$TMP/hs.csv" school configural,metric,scalar,means
run hs_std_lv "$TMP/hs.lav" "$TMP/hs.csv" school configural,metric,scalar,strict --std-lv
run hs_constraints "$TMP/hs_cov.lav" "$TMP/hs.csv" school configural,metric,scalar,strict "" "$TMP/hs_cov.constraints"
# FIML (issue 15): 12% MCAR planted at test time, one row empty
Rscript -e 'set.seed(15); d <- lavaan::HolzingerSwineford1939; v <- paste0("x", 1:9)
  for (x in v) d[[x]][runif(nrow(d)) < 0.12] <- NA; d[3, v] <- NA
  utils::write.csv(d, commandArgs(TRUE)[1], row.names = FALSE, na = "NA")' "$TMP/hs_na.csv" ||
  { echo "FAIL: cannot write the FIML data"; exit 1; }
run hs_fiml "$TMP/hs.lav" "$TMP/hs_na.csv" school configural,metric,scalar,strict "" "" ml
run privacy "$SRC/examples/vaar/model.lav" "$SRC/datasets/privacy-prosocial-sim/survey.csv" group \
  configural,metric,scalar,strict
exit $status
