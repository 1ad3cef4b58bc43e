#!/bin/sh
# Cross-check: the per-group statistics that `vagap sem` accumulates while
# parsing (vagap/moments.h; written by --save-stats) against R on data like
# 1e9 + noise, cut into many small segments (VAGAP_SEGMENT_BYTES) so that
# hundreds of blocks are merged, with missing values and missing groups.
# R's cov() is computed on the data minus their first row (an exact
# subtraction that leaves the covariance unchanged and R's sums accurate;
# on the raw values R's own error is ~1e-11).  Asserts: covariances to
# 1e-12 relative (to the group's largest), means to 1e-15 relative (to |mean| + sd), n per
# group and the row ledger as R counts them, and the same bytes with one and
# with two parsing threads.  Exit 77 (skipped) without Rscript.
set -u
vagap=$1
command -v Rscript >/dev/null 2>&1 || { echo "skipped: Rscript not installed"; exit 77; }
dir=$(mktemp -d) && trap 'rm -rf "$dir"' EXIT
Rscript - "$dir/data.csv" <<'RS' || exit 1
set.seed(20261204)
n <- 60000
f <- rnorm(n)
d <- data.frame(g = sample(c("b", "a", "c"), n, TRUE, prob = c(0.5, 0.3, 0.2)),
                x1 = 1e9 + f + rnorm(n, 0, 0.5), x2 = 1e9 + 0.8 * f + rnorm(n, 0, 0.5),
                x3 = -2e9 + 1.2 * f + rnorm(n, 0, 0.7), x4 = 3e-3 * (f + rnorm(n)))
d$x2[sample(n, 40)] <- NA
d$g[sample(n, 25)] <- NA
out <- d
for (v in c("x1", "x2", "x3", "x4")) out[[v]] <- ifelse(is.na(d[[v]]), "NA", sprintf("%.17g", d[[v]]))
write.csv(out, commandArgs(TRUE)[1], row.names = FALSE, quote = FALSE)
RS
printf 'f =~ x1 + x2 + x3 + x4\n' > "$dir/model.lav"
for t in 1 2; do
  VAGAP_SEGMENT_BYTES=65536 VAGAP_THREADS=$t "$vagap" sem --model "$dir/model.lav" --group g \
    --save-stats "$dir/stats$t.csv" "$dir/data.csv" > /dev/null 2> "$dir/err$t.txt" || { cat "$dir/err$t.txt"; exit 1; }
done
cmp "$dir/stats1.csv" "$dir/stats2.csv" || { echo "FAIL: statistics differ between 1 and 2 threads"; exit 1; }
Rscript - "$dir/data.csv" "$dir/stats1.csv" "$dir/err1.txt" <<'RS'
a <- commandArgs(TRUE)
d <- read.csv(a[1]); L <- readLines(a[2]); e <- readLines(a[3])
vars <- c("x1", "x2", "x3", "x4"); bad <- 0; worst <- 0; worst_raw <- 0; worst_mean <- 0
num <- function(line) as.numeric(strsplit(line, ",")[[1]][-(1:3)])
ok <- !is.na(d$g) & complete.cases(d[vars])
for (lv in unique(d$g[!is.na(d$g)])) {
  s <- as.matrix(d[ok & d$g == lv, vars]); m <- nrow(s)
  shifted <- sweep(s, 2, s[1, ])
  C <- cov(shifted) * (m - 1) / m; mu <- s[1, ] + colMeans(shifted)
  n <- num(grep(paste0("^group,", lv, ",n,"), L, value = TRUE))
  M <- num(grep(paste0("^group,", lv, ",mean"), L, value = TRUE))
  V <- t(sapply(grep(paste0("^group,", lv, ",cov"), L, value = TRUE), num))
  if (n != m) { bad <- bad + 1; cat(sprintf("MISMATCH group %s: n %g, R %d\n", lv, n, m)) }
  rel <- max(abs(V - C)) / max(abs(C)); worst <- max(worst, rel)
  worst_raw <- max(worst_raw, max(abs(cov(s) * (m - 1) / m - C)) / max(abs(C)))
  relm <- max(abs(M - mu) / (abs(mu) + sqrt(diag(C)))); worst_mean <- max(worst_mean, relm)
  if (rel > 1e-12) { bad <- bad + 1; cat(sprintf("MISMATCH group %s: covariance off by %.3g relative\n", lv, rel)) }
  if (relm > 1e-15) { bad <- bad + 1; cat(sprintf("MISMATCH group %s: means off by %.3g relative\n", lv, relm)) }
}
want <- sprintf("read %d rows, used %d, excluded %d", nrow(d), sum(ok), sum(!ok))
if (!any(grepl(want, e, fixed = TRUE))) { bad <- bad + 1; cat("MISMATCH ledger: expected '", want, "' in: ", e, "\n") }
cat(sprintf("moments vs R: max relative difference %.3g (covariances), %.3g (means); R's cov() on the raw values is %.3g off\n",
            worst, worst_mean, worst_raw))
quit(status = bad > 0)
RS
