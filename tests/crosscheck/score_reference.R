# Reference for vagap score, computed from the definitions in base R
# (METHODS.md section 3):  Rscript score_reference.R gen DIR | check DIR
#   gen:   random long responses (fixed seed) with missing answers, a skipped
#          item row, out-of-range answers and an item outside the key; a key
#          with reversed items.
#   check: recompute run scores, unit means (with sd, n, n_excluded), POMP and
#          Cronbach's alpha, and compare with DIR/vagap_{run,unit,alpha}.csv
#          (relative 1e-12); McDonald's omega against lavaan (1e-6) when
#          lavaan is installed.  Exit status 1 on a mismatch.
args <- commandArgs(trailingOnly = TRUE)
mode <- args[1]
dir <- args[2]
lo <- 1
hi <- 5
min_items <- 3

if (mode == "gen") {
  set.seed(20251123)
  key <- data.frame(item = c("A1", "A2", "A3", "A4", "B1", "B2", "B3"),
                    scale = c("A", "A", "A", "A", "B", "B", "B"),
                    reverse = c(0, 0, 1, 0, 0, 1, 0))
  write.csv(key, file.path(dir, "key.csv"), row.names = FALSE, quote = FALSE)
  rows <- NULL
  for (u in sprintf("m%02d", 1:12)) {
    for (r in seq_len(sample(1:4, 1))) {
      trait <- runif(1, 1.5, 4.5)
      for (it in c(key$item, "X9")) {
        if (runif(1) < 0.05) next                      # item row missing entirely
        x <- round(trait + rnorm(1, 0, 0.8))
        x <- if (it %in% c("A3", "B2")) lo + hi - x else x
        x <- min(max(x, lo), hi)
        if (runif(1) < 0.03) x <- hi + 1                # out of range: excluded
        rows <- rbind(rows, data.frame(model = u, run = r, item = it,
                                       response = if (runif(1) < 0.07) NA else x))
      }
    }
  }
  write.csv(rows, file.path(dir, "responses.csv"), row.names = FALSE, quote = FALSE, na = "NA")
  quit(status = 0)
}

key <- read.csv(file.path(dir, "key.csv"), stringsAsFactors = FALSE)
d <- read.csv(file.path(dir, "responses.csv"), stringsAsFactors = FALSE)
d <- d[d$item %in% key$item & !is.na(d$response) & d$response >= lo & d$response <= hi, ]
d$scored <- ifelse(key$reverse[match(d$item, key$item)] == 1, lo + hi - d$response, d$response)
d$scale <- key$scale[match(d$item, key$item)]
runs <- unique(d[, c("model", "run")])
runs <- runs[order(runs$model, runs$run, method = "radix"), ]
scales <- unique(key$scale)
fails <- 0
compare <- function(what, got, want) {
  bad <- !((is.na(got) & is.na(want)) |
           (!is.na(got) & !is.na(want) & abs(got - want) <= 1e-12 * pmax(abs(want), 1e-300)))
  if (any(bad)) {
    cat("MISMATCH", what, ": vagap", format(got[bad], digits = 17), "reference",
        format(want[bad], digits = 17), "\n")
    fails <<- fails + sum(bad)
  }
  max(c(0, abs(got - want) / pmax(abs(want), 1e-300)), na.rm = TRUE)
}

# run level (--min-items 3)
run_score <- function(m, r, s) {
  v <- d$scored[d$model == m & d$run == r & d$scale == s]
  if (length(v) >= min_items) mean(v) else NA
}
ref <- NULL
for (i in seq_len(nrow(runs))) for (s in scales)
  ref <- rbind(ref, data.frame(model = runs$model[i], run = runs$run[i], scale = s,
                               score = run_score(runs$model[i], runs$run[i], s)))
v <- read.csv(file.path(dir, "vagap_run.csv"), stringsAsFactors = FALSE)
stopifnot(nrow(v) == nrow(ref), all(v$model == ref$model), all(v$run == ref$run), all(v$scale == ref$scale))
m1 <- compare("run score", v$score, ref$score)
m2 <- compare("run pomp", v$pomp, (ref$score - lo) / (hi - lo))

# unit level
u <- read.csv(file.path(dir, "vagap_unit.csv"), stringsAsFactors = FALSE)
uref <- NULL
for (m in sort(unique(runs$model), method = "radix")) for (s in scales) {
  sc <- ref$score[ref$model == m & ref$scale == s]
  ok <- sc[!is.na(sc)]
  uref <- rbind(uref, data.frame(model = m, scale = s, score = if (length(ok)) mean(ok) else NA,
                                 sd = if (length(ok) > 1) sd(ok) else NA, n = length(ok),
                                 n_excluded = sum(is.na(sc))))
}
stopifnot(nrow(u) == nrow(uref), all(u$model == uref$model), all(u$scale == uref$scale))
m3 <- compare("unit score", u$score, uref$score)
m4 <- compare("unit sd", u$sd, uref$sd)
invisible(compare("unit n", u$n, uref$n))
invisible(compare("unit n_excluded", u$n_excluded, uref$n_excluded))

# alpha over runs with every item of the scale answered
a <- read.csv(file.path(dir, "vagap_alpha.csv"), stringsAsFactors = FALSE)
for (s in scales) {
  items <- key$item[key$scale == s]
  mat <- t(sapply(seq_len(nrow(runs)), function(i) {
    w <- d[d$model == runs$model[i] & d$run == runs$run[i], ]
    w$scored[match(items, w$item)]
  }))
  cc <- mat[complete.cases(mat), , drop = FALSE]
  k <- length(items)
  alpha <- k / (k - 1) * (1 - sum(apply(cc, 2, var)) / var(rowSums(cc)))
  r <- cor(cc)
  mr <- mean(r[upper.tri(r)])
  row <- a[a$scale == s, ]
  m5 <- compare(paste("alpha", s), row$alpha, alpha)
  invisible(compare(paste("alpha_std", s), row$alpha_std, k * mr / (1 + (k - 1) * mr)))
  invisible(compare(paste("alpha n", s), row$n, nrow(cc)))
}
# omega against lavaan's cfa(std.lv = TRUE) when lavaan is installed; both
# sides stop their optimisers at about 1e-8, so 1e-6 relative here
m6 <- NA
if (requireNamespace("lavaan", quietly = TRUE)) {
  m6 <- 0
  for (s in scales) {
    items <- key$item[key$scale == s]
    mat <- t(sapply(seq_len(nrow(runs)), function(i) {
      w <- d[d$model == runs$model[i] & d$run == runs$run[i], ]
      w$scored[match(items, w$item)]
    }))
    x <- as.data.frame(mat[complete.cases(mat), , drop = FALSE])
    names(x) <- items
    fit <- lavaan::cfa(paste("f =~", paste(items, collapse = " + ")), data = x, std.lv = TRUE)
    pe <- lavaan::parameterEstimates(fit)
    l <- pe$est[pe$op == "=~"]
    th <- pe$est[pe$op == "~~" & pe$lhs == pe$rhs & pe$lhs %in% items]
    om <- sum(l)^2 / (sum(l)^2 + sum(th))
    got <- a$omega[a$scale == s]
    rel <- abs(got - om) / abs(om)
    if (!(rel <= 1e-6)) {
      cat("MISMATCH omega", s, ": vagap", format(got, digits = 17), "lavaan", format(om, digits = 17), "\n")
      fails <- fails + 1
    }
    m6 <- max(m6, rel)
  }
}
cat(sprintf("score cross-check: max relative difference run %.3g, pomp %.3g, unit %.3g, sd %.3g, alpha %.3g, omega (lavaan) %.3g; %d mismatches\n",
            m1, m2, m3, m4, m5, m6, fails))
quit(status = if (fails) 1 else 0)
