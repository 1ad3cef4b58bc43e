#!/bin/sh
# Cross-check: `vagap simulate` against lavaan's simulateData() on the same
# population models.  Distributional, not draw-for-draw: lavaan's population
# moments come from simulateData(empirical = TRUE) (whose ML moments equal the
# model-implied ones), and vagap's sample means and covariances (divisor n) of
# n = 20000 rows per group must lie within 4 Monte Carlo SEs of them
# (SE(mean_j) = sqrt(s_jj / n), SE(s_jk) = sqrt((s_jj s_kk + s_jk^2) / n)).
# The models cover fixed values, values left to the defaults (loadings and
# variances 1, regressions 0), an observed covariate, a second group with
# c() values, and intercepts; m4 and m5 are simulated with --standardized (and
# simulateData(standardized = TRUE)): loadings left to the default 0.7, a
# chain of latent variables, an observed covariate, a residual variance in the
# syntax that standardized replaces.  Non-normal data (--skewness/--kurtosis,
# Vale-Maurelli) are checked below against their targets and against
# simulateData()'s own draws.  Exit 77 without Rscript or lavaan.
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
cat > "$dir/m4.lav" <<'M'
f1 =~ x1 + x2 + x3
f2 =~ 0.6*y1 + y2 + y3
f3 =~ 0.8*w1 + 0.5*w2
f2 ~ 0.5*f1
f3 ~ 0.4*f2
y1 ~ 0.3*z
x2 ~~ 0.3*x2
M
cat > "$dir/m5.lav" <<'M'
f =~ c(0.8, 0.6)*x1 + 0.7*x2 + 0.5*x3
M
status=0
for m in m1:20000 m2:20000 m3:20000,20000 m4:20000:std m5:20000,20000:std; do
  name=${m%%:*} rest=${m#*:}; n=${rest%%:*}; std=""
  case $rest in *:std) std=--standardized ;; esac
  "$vagap" simulate --model "$dir/$name.lav" --n "$n" --seed 17 $std > "$dir/$name.csv" 2> "$dir/$name.err" ||
    { cat "$dir/$name.err"; exit 1; }
  Rscript - "$dir/$name.lav" "$dir/$name.csv" "$n" "${std:-no}" <<'RS' || status=1
suppressMessages(library(lavaan))
a <- commandArgs(TRUE)
model <- paste(readLines(a[1]), collapse = "\n")
n <- as.integer(strsplit(a[3], ",")[[1]])
v <- read.csv(a[2])
pop <- suppressWarnings(simulateData(model, sample.nobs = rep(1000L, length(n)), empirical = TRUE,
                                    standardized = a[4] != "no"))
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
cat(sprintf("%s%s: %d group(s), %d variables, largest |z| = %.2f\n", basename(a[1]),
            if (a[4] != "no") " (standardized)" else "", length(n), ncol(v) - 1, worst))
quit(status = if (bad > 0) 1 else 0)
RS
done
grep -q "set to zero" "$dir/m2.err" || { echo "FAIL: no warning for the regression set to zero"; status=1; }
grep -q "replaces the 1 residual variance" "$dir/m4.err" || { echo "FAIL: no warning for the replaced residual variance"; status=1; }

# Vale-Maurelli: n = 100000 rows of m1 with skewness 0, 1, 2, -1, 1.5, 0.5 and excess
# kurtosis 0, 1.5, 7, 3, 4, 2.  vagap's and simulateData()'s sample skewness and
# kurtosis must be near the targets (|d| < 0.12 and 0.8: their Monte Carlo SEs at
# this n are about 0.03 and 0.2 for the most non-normal variable), and vagap's
# covariances within 4 distribution-free SEs (sd of the centred cross-products /
# sqrt(n)) of the population ones.
sk=0,1,2,-1,1.5,0.5 ku=0,1.5,7,3,4,2
"$vagap" simulate --model "$dir/m1.lav" --n 100000 --seed 5 --skewness $sk --kurtosis $ku > "$dir/vm.csv" ||
  { echo "FAIL: vagap simulate --skewness"; exit 1; }
Rscript - "$dir/m1.lav" "$dir/vm.csv" "$sk" "$ku" <<'RS' || status=1
suppressMessages(library(lavaan))
a <- commandArgs(TRUE)
model <- paste(readLines(a[1]), collapse = "\n")
sk <- as.numeric(strsplit(a[3], ",")[[1]]); ku <- as.numeric(strsplit(a[4], ",")[[1]])
v <- as.matrix(read.csv(a[2])); n <- nrow(v)
l <- as.matrix(suppressWarnings(simulateData(model, sample.nobs = n, skewness = sk, kurtosis = ku, seed = 3)))
l <- l[, colnames(v)]
moments <- function(x) { z <- scale(x, scale = FALSE); s <- sqrt(colMeans(z^2))
  rbind(skew = colMeans(z^3) / s^3, kurt = colMeans(z^4) / s^4 - 3) }
mv <- moments(v); ml <- moments(l)
pop <- suppressWarnings(simulateData(model, sample.nobs = 1000L, empirical = TRUE))
sig <- cov(pop) * 999 / 1000; sig <- sig[colnames(v), colnames(v)]
z <- scale(v, scale = FALSE); zs <- matrix(0, ncol(v), ncol(v))
for (j in 1:ncol(v)) for (k in 1:ncol(v)) { p <- z[, j] * z[, k]; zs[j, k] <- (mean(p) - sig[j, k]) / (sd(p) / sqrt(n)) }
bad <- 0
for (w in list(list("vagap", mv), list("simulateData", ml))) {
  d <- w[[2]] - rbind(sk, ku)
  cat(sprintf("%-12s skewness %s | kurtosis %s\n", w[[1]], paste(sprintf("%5.2f", w[[2]][1, ]), collapse = " "),
              paste(sprintf("%5.2f", w[[2]][2, ]), collapse = " ")))
  if (any(abs(d[1, ]) > 0.12) || any(abs(d[2, ]) > 0.8)) { cat("FAIL:", w[[1]], "moments far from the targets\n"); bad <- bad + 1 }
}
cat(sprintf("targets      skewness %s | kurtosis %s\n", paste(sprintf("%5.2f", sk), collapse = " "), paste(sprintf("%5.2f", ku), collapse = " ")))
cat(sprintf("vagap covariances vs population: largest |z| = %.2f\n", max(abs(zs))))
if (max(abs(zs)) > 4) { cat("FAIL: covariances\n"); bad <- bad + 1 }
quit(status = if (bad > 0) 1 else 0)
RS
exit $status
