#!/bin/sh
# Cross-check of `vagap sem --test none` against lavaan's test = "none" (issue 15):
# the estimates and SEs of ML, MLR (robust.huber.white SEs without a test) and
# MLM (robust.sem SEs) equal lavaan's; lavaan has no test statistic then and its
# fitMeasures() refuses ("fit measures not available if test = "none""), and so
# does `vagap sem --fit`; --test none leaves the estimates and SEs of the
# standard test unchanged.  Data: skewed, two groups, generated in R (fixed seed).
# Usage: sh sem_test_none_lavaan.sh VAGAP_BINARY SOURCE_DIR
# Exits 77 (skipped) when Rscript or lavaan is not installed.
VAGAP=$1
HERE=$2/tests/crosscheck
. "$HERE/lib/lavaan.sh"
lavaan_setup
status=0
printf 'f1 =~ y1 + y2 + y3\nf2 =~ y4 + y5 + y6\nf2 ~ f1\ny1 ~~ y4\n' > "$TMP/m.lav"
Rscript - "$TMP" <<'R' || { echo "FAIL: lavaan reference fits"; exit 1; }
suppressPackageStartupMessages(library(lavaan))
dir <- commandArgs(TRUE)[1]
set.seed(20261205)
gen <- function(n, shift) {
  f1 <- rexp(n) - 1; f2 <- 0.5 * f1 + rnorm(n, sd = 0.8)
  Y <- cbind(f1, f1, f1, f2, f2, f2) * rep(c(1, 0.8, 1.2, 1, 0.9, 1.1), each = n) +
    matrix(rchisq(6 * n, df = 3) / sqrt(6) - sqrt(1.5), n, 6) + shift
  colnames(Y) <- paste0("y", 1:6)
  as.data.frame(Y)
}
d <- rbind(cbind(grp = "a", gen(180, 0)), cbind(grp = "b", gen(220, 0.3)))
write.csv(d, file.path(dir, "d.csv"), row.names = FALSE)
m <- paste(readLines(file.path(dir, "m.lav")), collapse = "\n")
for (est in c("ML", "MLR", "MLM")) {
  f <- sem(m, d, group = "grp", estimator = est, test = "none")
  if (!is.na(lavInspect(f, "test")[[1]]$stat)) stop("lavaan reports a test statistic under test = none")
  refused <- tryCatch({ fitMeasures(f); FALSE }, error = function(e) grepl("not available", conditionMessage(e)))
  if (!refused) stop("lavaan's fitMeasures() no longer refuses test = none: vagap --fit should follow it")
  pe <- parameterEstimates(f)
  write.csv(pe[, c("lhs", "op", "rhs", "group", "est", "se")], file.path(dir, paste0("lav_", est, ".csv")),
            row.names = FALSE)
}
R
for est in ML MLR MLM; do
  "$VAGAP" sem --quiet --digits 17 --model "$TMP/m.lav" --group grp --estimator $est --test none "$TMP/d.csv" \
    > "$TMP/vag_$est.csv" || { echo "FAIL: vagap sem --estimator $est --test none"; status=1; }
done
# --test none changes nothing but the test: the same table as the standard test (ML)
"$VAGAP" sem --quiet --digits 17 --model "$TMP/m.lav" --group grp "$TMP/d.csv" > "$TMP/vag_ML_standard.csv" ||
  { echo "FAIL: vagap sem (standard test)"; status=1; }
cmp -s "$TMP/vag_ML.csv" "$TMP/vag_ML_standard.csv" ||
  { echo "FAIL: --test none changed the estimates table"; status=1; }
# --fit is refused, as fitMeasures() is
"$VAGAP" sem --quiet --fit --model "$TMP/m.lav" --group grp --test none "$TMP/d.csv" > "$TMP/fit.out" 2> "$TMP/fit.err"
code=$?
if [ "$code" != 2 ] || [ -s "$TMP/fit.out" ] || ! grep -q "fit measures not available" "$TMP/fit.err"; then
  echo "FAIL: vagap sem --fit --test none: exit $code, expected 2 and lavaan's refusal"; status=1
fi
Rscript - "$TMP" <<'R' || status=1
dir <- commandArgs(TRUE)[1]
ok <- TRUE
for (est in c("ML", "MLR", "MLM")) {
  l <- read.csv(file.path(dir, paste0("lav_", est, ".csv")))
  v <- read.csv(file.path(dir, paste0("vag_", est, ".csv")))
  v$rhs[is.na(v$rhs)] <- ""; l$rhs[is.na(l$rhs)] <- ""
  key <- function(x) paste(x$lhs, x$op, x$rhs, x$group)
  mm <- match(key(l), key(v))
  if (anyNA(mm)) { cat("FAIL:", est, "rows missing in vagap:", key(l)[is.na(mm)], "\n"); ok <- FALSE; next }
  v <- v[mm, ]
  de <- max(abs(v$est - l$est))
  free <- l$se > 0
  ds <- max(abs(v$se[free] - l$se[free]) / l$se[free])
  cat(sprintf("%-4s --test none: %d rows, est max |diff| %.2g, se max rel diff %.2g\n", est, nrow(l), de, ds))
  if (!(de < 1e-4)) { cat("FAIL:", est, "estimates differ from lavaan's\n"); ok <- FALSE }
  if (!(ds < 1e-3)) { cat("FAIL:", est, "SEs differ from lavaan's\n"); ok <- FALSE }
}
quit(status = if (ok) 0 else 1)
R
exit $status
