#!/bin/sh
# Cross-check: `vagap describe`, with `--by` and on the whole file, against R's
# mean, sd, median, min, max on generated data with missing values, compared as
# printed with 15 significant digits.  The whole file has six numeric columns,
# so describe's passes over several columns at once (a group of four and a pair)
# are compared too.  Exit 77 (skipped) without Rscript.
set -u
vagap=$1
command -v Rscript >/dev/null 2>&1 || { echo "skipped: Rscript not installed"; exit 77; }
dir=$(mktemp -d) && trap 'rm -rf "$dir"' EXIT
Rscript - "$dir/data.csv" <<'RS' || exit 1
set.seed(20261123)
n <- 5000
d <- data.frame(g = sample(c("alpha", "beta", "gamma"), n, TRUE),
                x = rnorm(n, 100, 15), y = rexp(n) * 1e-3, z = round(runif(n, -5, 5), 3),
                big = 1e9 + runif(n), likert = sample(1:7, n, TRUE), w = rt(n, 3) * 1e-8)
d$x[sample(n, 50)] <- NA
d$z[sample(n, 10)] <- NA
d$w[sample(n, 2500)] <- NA
write.csv(d, commandArgs(TRUE)[1], row.names = FALSE, na = "NA")
RS
"$vagap" describe --quiet --by g "$dir/data.csv" > "$dir/vagap.csv" || exit 1
"$vagap" describe --quiet "$dir/data.csv" | grep -v '^g,' > "$dir/whole.csv" || exit 1
Rscript - "$dir/data.csv" "$dir/vagap.csv" "$dir/whole.csv" <<'RS'
a <- commandArgs(TRUE)
d <- read.csv(a[1]); v <- read.csv(a[2], colClasses = "character")
whole <- read.csv(a[3], colClasses = "character")
whole$g <- ""
v <- rbind(v, whole[names(v)])
f <- function(x) if (is.na(x)) "NA" else sprintf("%.15g", x)
bad <- 0
for (i in seq_len(nrow(v))) {
  x <- d[[v$column[i]]]
  if (v$g[i] != "") x <- x[d$g == v$g[i]]
  ok <- x[!is.na(x)]
  ref <- c(n = length(ok), missing = sum(is.na(x)), mean = f(mean(ok)), sd = f(sd(ok)),
           min = f(min(ok)), median = f(median(ok)), max = f(max(ok)))
  got <- c(n = v$n[i], missing = v$missing[i], mean = v$mean[i], sd = v$sd[i],
           min = v$min[i], median = v$median[i], max = v$max[i])
  for (k in names(ref)) if (as.character(ref[[k]]) != got[[k]]) {
    bad <- bad + 1
    cat(sprintf("MISMATCH %s %s %s: R %s, vagap %s\n", v$g[i], v$column[i], k, ref[[k]], got[[k]]))
  }
}
cat(sprintf("describe vs R: %d rows compared, %d mismatches\n", nrow(v), bad))
quit(status = bad > 0)
RS
