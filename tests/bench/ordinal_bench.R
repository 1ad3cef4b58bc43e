# Benchmark data and lavaan timings for tests/bench/ordinal_bench.sh (issue 16).
#   Rscript ordinal_bench.R DIR REPS
# Writes DIR/ord.csv (24 five-category items, 4 factors, 4 groups x 500; and
# DIR/ord10.csv, 10 groups x 2000, when REPS10 > 0), the model file and
# DIR/lavaan_times.csv with the best of REPS times of lavaan's cfa(ordered =
# TRUE) (WLSMV, polychorics included), measured inside R.
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]; reps <- as.integer(args[2]); big <- length(args) > 2 && args[3] == "big"
make <- function(G, n) {
  set.seed(1616)
  out <- NULL
  for (g in 1:G) {
    R <- matrix(0.4, 4, 4); diag(R) <- 1
    F <- matrix(rnorm(n * 4), n, 4) %*% chol(R)
    X <- sapply(1:24, function(j) 0.7 * F[, (j - 1) %/% 6 + 1] + rnorm(n, sd = sqrt(0.51)))
    Y <- apply(X, 2, function(x) cut(x, c(-Inf, -1.5, -0.5, 0.4, 1.3, Inf), labels = FALSE))
    colnames(Y) <- paste0("y", 1:24)
    out <- rbind(out, data.frame(grp = paste0("g", g), Y))
  }
  out
}
m <- paste0("f", 1:4, " =~ ", sapply(1:4, function(k) paste0("y", (k - 1) * 6 + 1:6, collapse = " + ")),
            collapse = "\n")
writeLines(m, file.path(dir, "ord.lav"))
d4 <- make(4, 500); write.csv(d4, file.path(dir, "ord.csv"), row.names = FALSE)
cases <- list(ord_4x500 = function() cfa(m, d4, ordered = TRUE, group = "grp"))
if (big) {
  d10 <- make(10, 2000); write.csv(d10, file.path(dir, "ord10.csv"), row.names = FALSE)
  cases$ord_10x2000 <- function() cfa(m, d10, ordered = TRUE, group = "grp")
}
tm <- sapply(cases, function(f) min(sapply(seq_len(reps), function(i) system.time(f())[["elapsed"]])))
write.csv(data.frame(case = names(tm), lavaan_seconds = tm), file.path(dir, "lavaan_times.csv"), row.names = FALSE)
