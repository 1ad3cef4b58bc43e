# Helper of tests/bench/scale_bench.sh (issue 14).  Modes:
#   Rscript scale_bench.R gen ROWS_PER_GROUP GROUPS INDICATORS OUT.csv
#       writes OUT.csv (column grp + y1..yP, 3 decimals) and OUT.lav: P/6
#       factors of 6 indicators each, a chain of regressions between them.
#   Rscript scale_bench.R lavaan CSV LAV REPS
#       prints "fit_s read_fit_s": the fastest of REPS lavaan::sem() calls on
#       data already in memory, and the fastest of REPS fread(CSV) + sem()
#       (read.csv when data.table is not installed; then read_fit is NA).
#   Rscript scale_bench.R boot CSV LAV R
#       prints seconds per resample of lavaan::bootstrapLavaan(R = R).
#   Rscript scale_bench.R describe CSV REPS
#       prints the fastest fread(nThread = 1) + mean, sd, median of every column.
suppressPackageStartupMessages(library(lavaan))
a <- commandArgs(TRUE)
has_dt <- requireNamespace("data.table", quietly = TRUE)
read_data <- function(f) if (has_dt) as.data.frame(data.table::fread(f, nThread = 1)) else read.csv(f)
best <- function(reps, f) min(sapply(seq_len(reps), function(i) system.time(f())[["elapsed"]]))
if (a[1] == "gen") {
  n <- as.integer(a[2]); G <- as.integer(a[3]); p <- as.integer(a[4]); out <- a[5]
  set.seed(4242); nf <- p %/% 6
  parts <- vector("list", G)
  for (g in 1:G) {
    F <- matrix(rnorm(n * nf), n, nf)
    if (nf > 1) for (k in 2:nf) F[, k] <- 0.4 * F[, k - 1] + rnorm(n, sd = 0.9)
    X <- sapply(1:p, function(j) 2 + 0.05 * g + (0.6 + 0.02 * (j %% 6)) * F[, (j - 1) %/% 6 + 1] + rnorm(n, sd = 0.7))
    colnames(X) <- paste0("y", 1:p)
    parts[[g]] <- data.frame(grp = paste0("g", g), round(X, 3))
  }
  d <- do.call(rbind, parts)
  if (has_dt) data.table::fwrite(d, out) else write.csv(d, out, row.names = FALSE, quote = FALSE)
  m <- paste0(paste0("f", 1:nf, " =~ ", sapply(1:nf, function(k) paste0("y", (k - 1) * 6 + 1:6, collapse = " + ")),
                     collapse = "\n"), "\n")
  if (nf > 1) m <- paste0(m, paste0("f", 2:nf, " ~ f", 1:(nf - 1), collapse = "\n"), "\n")
  writeLines(m, sub("\\.csv$", ".lav", out))
} else if (a[1] == "lavaan") {
  reps <- as.integer(a[4]); m <- paste(readLines(a[3]), collapse = "\n")
  d <- read_data(a[2]); G <- length(unique(d$grp))
  fit <- function(d) if (G > 1) sem(m, d, group = "grp") else sem(m, d)
  t_fit <- best(reps, function() fit(d))
  t_all <- if (has_dt) best(reps, function() fit(read_data(a[2]))) else NA
  cat(t_fit, t_all, "\n")
} else if (a[1] == "boot") {
  R <- as.integer(a[4]); m <- paste(readLines(a[3]), collapse = "\n")
  d <- read_data(a[2]); f <- sem(m, d, group = "grp")
  t <- system.time(bootstrapLavaan(f, R = R, FUN = "coef", parallel = "no"))[["elapsed"]]
  cat(t / R, "\n")
} else if (a[1] == "describe") {
  reps <- as.integer(a[3])
  if (!has_dt) { cat("NA\n"); quit() }
  t <- best(reps, function() {
    d <- data.table::fread(a[2], nThread = 1)
    lapply(d, function(x) if (is.numeric(x)) c(mean(x, na.rm = TRUE), sd(x, na.rm = TRUE), median(x, na.rm = TRUE)))
  })
  cat(t, "\n")
}
