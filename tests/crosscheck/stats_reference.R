# Reference values from R's stats package for stats_reference.sh:
#   Rscript stats_reference.R DIR
# reads DIR/manifest.csv (written by stats_reference.py gen) and writes
# DIR/r_<id>.csv for each case: t.test, cor.test, binom.test,
# prop.test(correct = FALSE) (the Wilson interval) and p.adjust.  The CI of
# Cohen's d inverts pt(q, df, ncp) with uniroot.
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
man <- read.csv(file.path(dir, "manifest.csv"), stringsAsFactors = FALSE, na.strings = "")

num_out <- function(df, path) {
  write.csv(format(df, digits = 17), path, row.names = FALSE, quote = FALSE, na = "NA")
}

ncp_root <- function(t, df, prob) {
  # pt warns about precision at the far probes of the search, not at the root
  f <- function(ncp) suppressWarnings(pt(t, df, ncp)) - prob
  uniroot(f, c(t - 10 - abs(t), t + 10 + abs(t)), tol = 1e-14, maxiter = 1000)$root
}

d_interval <- function(t, df, conf, alt, scale) {
  a <- 1 - conf
  if (abs(t) > 37) return(c(NA, NA))  # R's pt switches to an approximation there
  lo <- if (alt == "less") -Inf else ncp_root(t, df, if (alt == "two.sided") 1 - a / 2 else 1 - a)
  hi <- if (alt == "greater") Inf else ncp_root(t, df, if (alt == "two.sided") a / 2 else a)
  c(lo, hi) * scale
}

for (i in seq_len(nrow(man))) {
  m <- man[i, ]
  out <- file.path(dir, paste0("r_", m$id, ".csv"))
  d <- read.csv(file.path(dir, m$file), stringsAsFactors = FALSE, na.strings = "NA")
  alt <- m$alternative
  conf <- m$conf
  if (m$kind %in% c("ttest_one", "ttest_paired", "ttest_welch", "ttest_student")) {
    if (m$kind == "ttest_one") {
      x <- d$x[!is.na(d$x)]
      r <- t.test(x, mu = m$null, alternative = alt, conf.level = conf)
      est <- unname(r$estimate)
      di <- d_interval(unname(r$statistic), length(x) - 1, conf, alt, 1 / sqrt(length(x)))
    } else if (m$kind == "ttest_paired") {
      ok <- complete.cases(d$x, d$y)
      r <- t.test(d$x[ok], d$y[ok], paired = TRUE, mu = m$null, alternative = alt, conf.level = conf)
      est <- unname(r$estimate)
      di <- d_interval(unname(r$statistic), sum(ok) - 1, conf, alt, 1 / sqrt(sum(ok)))
    } else {
      a <- d$x[d$grp == "a"]
      b <- d$x[d$grp == "b"]
      r <- t.test(a, b, var.equal = (m$kind == "ttest_student"), mu = m$null,
                  alternative = alt, conf.level = conf)
      est <- unname(r$estimate[1] - r$estimate[2])
      s <- t.test(a, b, var.equal = TRUE, mu = m$null)
      di <- d_interval(unname(s$statistic), length(a) + length(b) - 2, conf, alt,
                       sqrt(1 / length(a) + 1 / length(b)))
    }
    num_out(data.frame(estimate = est, statistic = unname(r$statistic), df = unname(r$parameter),
                       p.value = r$p.value, conf.low = r$conf.int[1], conf.high = r$conf.int[2],
                       d.low = di[1], d.high = di[2]), out)
  } else if (m$kind == "ttest_by") {
    groups <- sort(unique(d$blk), method = "radix")
    p <- sapply(groups, function(g) t.test(d$x[d$blk == g], mu = m$null)$p.value)
    num_out(data.frame(group = groups, p.value = p, p.adjusted = p.adjust(p, m$adjust)), out)
  } else if (m$kind %in% c("pearson", "spearman", "spearman_exact")) {
    r <- switch(m$kind,
      pearson = cor.test(d[[m$x]], d[[m$y]], alternative = alt, conf.level = conf),
      spearman = cor.test(d[[m$x]], d[[m$y]], method = "spearman", exact = FALSE, alternative = alt),
      spearman_exact = cor.test(d[[m$x]], d[[m$y]], method = "spearman", alternative = alt))
    ci <- if (is.null(r$conf.int)) c(NA, NA) else r$conf.int
    num_out(data.frame(estimate = unname(r$estimate), statistic = unname(r$statistic),
                       p.value = r$p.value, conf.low = ci[1], conf.high = ci[2]), out)
  } else if (m$kind == "matrix") {
    cols <- strsplit(m$x, ",")[[1]]
    res <- NULL
    for (a in seq_along(cols)) for (b in seq_along(cols)) if (a < b) {
      r <- cor.test(d[[cols[a]]], d[[cols[b]]], alternative = alt, conf.level = conf)
      res <- rbind(res, data.frame(estimate = unname(r$estimate), statistic = unname(r$statistic),
                                   p.value = r$p.value, conf.low = r$conf.int[1],
                                   conf.high = r$conf.int[2]))
    }
    res$p.adjusted <- p.adjust(res$p.value, m$adjust)
    num_out(res, out)
  } else if (m$kind == "binom") {
    units <- sort(unique(d$model), method = "radix")
    res <- NULL
    for (u in units) {
      ch <- d$choice[d$model == u]
      x <- sum(ch == "other")
      n <- sum(ch %in% c("other", "self"))
      b <- binom.test(x, n, m$null, alternative = alt, conf.level = conf)
      w <- suppressWarnings(prop.test(x, n, m$null, alternative = alt, conf.level = conf,
                                      correct = FALSE))
      res <- rbind(res, data.frame(group = u, p.value = b$p.value, conf.low = w$conf.int[1],
                                   conf.high = w$conf.int[2], exact.low = b$conf.int[1],
                                   exact.high = b$conf.int[2]))
    }
    res$p.adjusted <- p.adjust(res$p.value, m$adjust)
    num_out(res, out)
  }
}
