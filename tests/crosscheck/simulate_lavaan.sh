#!/bin/sh
# Cross-check: `vagap simulate` against lavaan's simulateData() on the same
# population models.  Distributional, not draw-for-draw: lavaan's population
# moments come from simulateData(empirical = TRUE) (whose ML moments equal the
# model-implied ones), and vagap's sample means and covariances (divisor n) of
# n = 20000 rows per group must lie within 4 Monte Carlo SEs of them
# (SE(mean_j) = sqrt(s_jj / n), SE(s_jk) = sqrt((s_jj s_kk + s_jk^2) / n)).
# The models cover fixed values, values left to the defaults (loadings and
# variances 1, regressions 0), an observed covariate, a second group with
# c() values, and intercepts.  Exit 77 without Rscript or lavaan.
set -u
vagap=$1
command -v Rscript >/dev/null 2>&1 || { echo "skipped: Rscript not installed"; exit 77; }
Rscript -e 'quit(status = !requireNamespace("lavaan", quietly = TRUE))' >/dev/null 2>&1 ||
  { echo "skipped: R package lavaan not installed"; exit 77; }
dir=$(mktemp -d) && trap 'rm -rf "$dir"' EXIT
cat > "$dir/m1.lav" <<'M'
f1 =~ 0.8*x1 + 0.7*x2 + 0.6*x3
f2 =~ 0.7*y1 + 0.6*y2 + 0.5*y3
f2 ~ 0.4*f1
x1 ~~ 0.36*x1
y3 ~~ 0.2*y2
f2 ~~ 0.84*f2
M
cat > "$dir/m2.lav" <<'M'
f =~ x1 + 0.5*x2 + x3
y ~ 0.3*f + z
M
cat > "$dir/m3.lav" <<'M'
f =~ c(0.8, 0.6)*x1 + 0.7*x2 + 0.5*x3
x1 ~ c(0, 0.5)*1
x3 ~ 2*1
f ~~ c(1, 1.5)*f
M
status=0
for m in m1:20000 m2:20000 m3:20000,20000; do
  name=${m%%:*} n=${m#*:}
  "$vagap" simulate --model "$dir/$name.lav" --n "$n" --seed 17 > "$dir/$name.csv" 2> "$dir/$name.err" ||
    { cat "$dir/$name.err"; exit 1; }
  Rscript - "$dir/$name.lav" "$dir/$name.csv" "$n" <<'RS' || status=1
suppressMessages(library(lavaan))
a <- commandArgs(TRUE)
model <- paste(readLines(a[1]), collapse = "\n")
n <- as.integer(strsplit(a[3], ",")[[1]])
v <- read.csv(a[2])
pop <- suppressWarnings(simulateData(model, sample.nobs = rep(1000L, length(n)), empirical = TRUE))
if (length(n) == 1) { v$group <- 1L; pop$group <- 1L }
bad <- 0; worst <- 0
for (g in seq_along(n)) {
  P <- as.matrix(pop[pop$group == g, setdiff(names(pop), "group")])
  X <- as.matrix(v[v$group == g, colnames(P)])
  sig <- cov(P) * (nrow(P) - 1) / nrow(P); mu <- colMeans(P)
  s <- cov(X) * (nrow(X) - 1) / nrow(X); m <- colMeans(X)
  if (nrow(X) != n[g]) { cat("FAIL: group", g, "has", nrow(X), "rows\n"); bad <- bad + 1 }
  zm <- (m - mu) / sqrt(diag(sig) / n[g])
  zs <- (s - sig) / sqrt((outer(diag(sig), diag(sig)) + sig^2) / n[g])
  worst <- max(worst, abs(zm), abs(zs))
  if (any(abs(zm) > 4) || any(abs(zs) > 4)) { cat("FAIL: group", g, "\n"); print(round(s - sig, 4)); bad <- bad + 1 }
}
cat(sprintf("%s: %d group(s), %d variables, largest |z| = %.2f\n", basename(a[1]), length(n),
            ncol(v) - 1, worst))
quit(status = if (bad > 0) 1 else 0)
RS
done
grep -q "set to zero" "$dir/m2.err" || { echo "FAIL: no warning for the regression set to zero"; status=1; }
exit $status
