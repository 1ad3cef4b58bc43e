#!/bin/sh
# Cross-check: vagap power's analytic columns against the pwr package and R's
# stats, and the correlation test's Monte Carlo power against its exact power.
#  - paired-gap: power.analytic equals pwr::pwr.t.test(type = "paired") and
#    power.t.test(type = "paired", sd = 1, strict = TRUE) within 1e-10, on a
#    grid of d_z (negative, zero, large), n (2 to 100) and two alphas;
#  - correlation: power.analytic equals pwr::pwr.r.test (its Fisher-z
#    approximation, Cohen 1988) within 1e-12, on rho in (-1, 1), n 4 to 1000,
#    two alphas;
#  - correlation: the Monte Carlo power (4000 replications per condition) is
#    within 3.5 Monte Carlo SEs of the exact power of cor.test's t-test, which
#    is computed here from the conditional distribution of the slope's t given
#    the x values: with S = sum (x - xbar)^2 ~ chi-square(n - 1), t is
#    noncentral t(n - 2, rho sqrt(S / (1 - rho^2))), so
#    power = E_S[P(|t| > t_{1-alpha/2, n-2})] (one integrate() over S).
#    pwr.r.test's approximation is printed beside it (it is not exact: 0.0488
#    for 0.05 at n = 10).
# Exit 77 without Rscript or without the pwr package.
set -u
vagap=$1
command -v Rscript >/dev/null 2>&1 || { echo "skipped: Rscript not installed"; exit 77; }
Rscript -e 'library(pwr)' >/dev/null 2>&1 || { echo "skipped: R package pwr not installed"; exit 77; }
dir=$(mktemp -d) && trap 'rm -rf "$dir"' EXIT
for alpha in 0.05 0.01; do
  "$vagap" power --analysis paired-gap --dz -0.5,0,0.3,1.2 --n 2,5,20,100 --alpha $alpha \
    --replications 1 --quiet > "$dir/paired$alpha.csv" &&
  "$vagap" power --analysis correlation --rho -0.45,0,0.1,0.3,0.8 --n 4,10,100,1000 --alpha $alpha \
    --replications 1 --quiet > "$dir/cor$alpha.csv" || { echo "FAIL: vagap power failed"; exit 1; }
done
"$vagap" power --analysis correlation --rho -0.45,0,0.3 --n 5,20,100 --replications 4000 --seed 2027 \
  --quiet > "$dir/cor_mc.csv" || { echo "FAIL: vagap power failed"; exit 1; }
Rscript - "$dir" <<'RS'
suppressMessages(library(pwr))
dir <- commandArgs(TRUE)[1]
bad <- 0
fail <- function(msg) { cat("  FAIL:", msg, "\n"); bad <<- bad + 1 }
worst <- c(t = 0, tt = 0, r = 0)
for (alpha in c("0.05", "0.01")) {
  v <- read.csv(file.path(dir, paste0("paired", alpha, ".csv")))
  for (i in seq_len(nrow(v))) {
    a <- v$alpha[i]; n <- v$n[i]; d <- v$dz[i]
    p1 <- pwr.t.test(n = n, d = d, sig.level = a, type = "paired")$power
    p2 <- power.t.test(n = n, delta = d, sd = 1, sig.level = a, type = "paired", strict = TRUE)$power
    worst["t"] <- max(worst["t"], abs(v$power.analytic[i] - p1))
    worst["tt"] <- max(worst["tt"], abs(v$power.analytic[i] - p2))
    if (abs(v$power.analytic[i] - p1) > 1e-10 || abs(v$power.analytic[i] - p2) > 1e-10)
      fail(sprintf("paired dz=%g n=%d alpha=%g: vagap %.15g, pwr.t.test %.15g, power.t.test %.15g",
                   d, n, a, v$power.analytic[i], p1, p2))
  }
  v <- read.csv(file.path(dir, paste0("cor", alpha, ".csv")))
  for (i in seq_len(nrow(v))) {
    ref <- pwr.r.test(n = v$n[i], r = v$rho[i], sig.level = v$alpha[i])$power
    worst["r"] <- max(worst["r"], abs(v$power.analytic[i] - ref))
    if (abs(v$power.analytic[i] - ref) > 1e-12)
      fail(sprintf("correlation rho=%g n=%d alpha=%g: vagap %.15g, pwr.r.test %.15g",
                   v$rho[i], v$n[i], v$alpha[i], v$power.analytic[i], ref))
  }
}
cat(sprintf("max |vagap - pwr.t.test| %.2g, |vagap - power.t.test| %.2g, |vagap - pwr.r.test| %.2g\n",
            worst["t"], worst["tt"], worst["r"]))
exact_cor_power <- function(rho, n, alpha) {
  tc <- qt(alpha / 2, n - 2, lower.tail = FALSE)
  f <- function(s) {
    ncp <- rho * sqrt(s / (1 - rho^2))
    dchisq(s, n - 1) * (pt(tc, n - 2, ncp, lower.tail = FALSE) + pt(-tc, n - 2, ncp))
  }
  integrate(f, 0, Inf, rel.tol = 1e-10)$value
}
v <- read.csv(file.path(dir, "cor_mc.csv"))
for (i in seq_len(nrow(v))) {
  ex <- exact_cor_power(v$rho[i], v$n[i], v$alpha[i])
  mcse <- sqrt(ex * (1 - ex) / v$converged[i])
  cat(sprintf("rho=%5.2f n=%3d  MC power %.4f  exact %.4f (%+.2f MC SE)  pwr.r.test %.4f\n",
              v$rho[i], v$n[i], v$power[i], ex, (v$power[i] - ex) / mcse, v$power.analytic[i]))
  if (v$converged[i] < 3990) fail("too few converged")
  if (abs(v$power[i] - ex) > 3.5 * mcse) fail("Monte Carlo power outside 3.5 MC SEs of the exact power")
}
quit(status = if (bad > 0) 1 else 0)
RS
