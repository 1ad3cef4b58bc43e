# Verdicts of vagap sem against lavaan on generated boundary cases: lavaan's
# converged flag, its post-check (admissible) and its warnings, and the
# estimates and fit measures where both give a solution.
# Usage: Rscript sem_verdict_lavaan.R VAGAP TMPDIR
suppressMessages(library(lavaan))
args <- commandArgs(TRUE); vagap <- args[1]; tmp <- args[2]
gen <- function(case, seed) {
  set.seed(seed)
  if (case == "underid") { # two factors of two indicators, uncorrelated factors
    n <- 300; f <- MASS::mvrnorm(n, c(0, 0), diag(2)); L <- cbind(c(1, .8, 0, 0), c(0, 0, 1, .8))
    x <- f %*% t(L) + matrix(rnorm(n * 4, sd = sqrt(.5)), n); m <- "f1 =~ x1 + x2\nf2 =~ x3 + x4\n"
  } else if (case == "heywood") { # near-perfect indicator: negative residual variance
    n <- 60; f <- rnorm(n)
    x <- cbind(f + rnorm(n, sd = .05), f + rnorm(n, sd = .7), .5 * f + rnorm(n), .4 * f + rnorm(n))
    m <- "f =~ x1 + x2 + x3 + x4\n"
  } else if (case == "npdlv") { # latent correlation above 1
    n <- 60; f <- MASS::mvrnorm(n, c(0, 0), matrix(c(1, .99, .99, 1), 2))
    L <- cbind(c(1, .9, .8, 0, 0, 0), c(0, 0, 0, 1, .9, .8))
    x <- f %*% t(L) + matrix(rnorm(n * 6, sd = sqrt(.5)), n); m <- "f1 =~ x1 + x2 + x3\nf2 =~ x4 + x5 + x6\n"
  } else if (case == "neglv") { # indicators that do not covary as one factor's
    n <- 200; x <- MASS::mvrnorm(n, rep(0, 4), matrix(c(1, -.25, .1, .1, -.25, 1, .3, .2, .1, .3, 1, .2, .1, .2, .2, 1), 4))
    m <- "f =~ x1 + x2 + x3 + x4\n"
  } else if (case == "npdlv2g") { # two groups, the latent correlation above 1 in the second only
    n <- 60; L <- cbind(c(1, .9, .8, 0, 0, 0), c(0, 0, 0, 1, .9, .8)); x <- NULL
    for (r in c(.5, .99)) {
      f <- MASS::mvrnorm(n, c(0, 0), matrix(c(1, r, r, 1), 2))
      x <- rbind(x, f %*% t(L) + matrix(rnorm(n * 6, sd = sqrt(.5)), n))
    }
    m <- "f1 =~ x1 + x2 + x3\nf2 =~ x4 + x5 + x6\n"
    x <- cbind(x, rep(1:2, each = n))
  } else if (case == "npdtheta") { # a residual covariance above its variances' product: theta not positive definite
    n <- 50; f <- rnorm(n); u <- rnorm(n)
    x <- cbind(f + u + rnorm(n, sd = .05), f + u + rnorm(n, sd = .05), .7 * f + rnorm(n), .6 * f + rnorm(n),
               .5 * f + rnorm(n))
    m <- "f =~ x1 + x2 + x3 + x4 + x5\nx1 ~~ x2\n"
  } else { # saturated regression with a weak baseline
    n <- 50; x1 <- rnorm(n); x2 <- rnorm(n); x <- cbind(0.02 * x1 + rnorm(n), x1, x2)
    m <- "x1 ~ x2 + x3\n"
  }
  x <- round(x, 4); colnames(x) <- paste0("x", seq_len(ncol(x)))
  d <- as.data.frame(x)
  if (case == "npdlv2g") { names(d)[ncol(d)] <- "grp"; d$grp <- paste0("g", d$grp) }
  list(d = d, m = m, group = if (case == "npdlv2g") "grp" else NULL)
}
cases <- list(c("underid", 1), c("underid", 2), c("underid", 3), c("underid", 9), c("underid", 6), c("underid", 10),
              c("underid", 11), c("underid", 12), c("underid", 14), c("underid", 5), c("underid", 8),
              c("heywood", 1), c("heywood", 3), c("heywood", 7), c("npdlv", 1), c("npdlv", 2),
              c("neglv", 1), c("neglv", 2), c("neglv", 3), c("satreg", 1), c("satreg", 2),
              c("npdlv2g", 1), c("npdlv2g", 2), c("npdlv2g", 3), c("npdlv2g", 4),
              c("npdtheta", 5), c("npdtheta", 18), c("npdtheta", 1))
bad <- 0
for (cs in cases) {
  name <- paste0(cs[1], "_", cs[2]); g <- gen(cs[1], as.integer(cs[2]))
  dfile <- file.path(tmp, paste0(name, ".csv")); mfile <- file.path(tmp, paste0(name, ".lav"))
  write.csv(g$d, dfile, row.names = FALSE, quote = FALSE); cat(g$m, file = mfile)
  w <- character(0)
  fit <- withCallingHandlers(sem(g$m, data = g$d, group = g$group), warning = function(e) {
    w <<- c(w, gsub("\\s+", " ", sub("^lavaan WARNING: ", "", conditionMessage(e)))); invokeRestart("muffleWarning") })
  conv <- lavInspect(fit, "converged")
  errf <- file.path(tmp, paste0(name, ".err"))
  gargs <- if (is.null(g$group)) character(0) else c("--group", g$group)
  out <- suppressWarnings(system2(vagap, c("sem", "--quiet", "--digits", "17", "--fit", gargs, "--model", mfile, dfile),
                                  stdout = TRUE, stderr = errf))
  vconv <- is.null(attr(out, "status"))
  verr <- readLines(errf)
  msg <- NULL
  if (conv != vconv) msg <- c(msg, sprintf("converged: lavaan %s, vagap %s (%s)", conv, vconv, paste(verr, collapse = " ")))
  if (conv && vconv) {
    fm <- read.csv(text = out); v <- setNames(fm$value, fm$measure)
    post <- suppressWarnings(lavInspect(fit, "post.check"))
    if (as.logical(v[["admissible"]]) != post) msg <- c(msg, sprintf("admissible: lavaan %s, vagap %s", post, v[["admissible"]]))
    vw <- sub("^vagap sem: warning: ", "", grep("^vagap sem: warning: ", verr, value = TRUE))
    lw <- w[!grepl("NaNs produced", w)]
    if (!setequal(vw, lw)) msg <- c(msg, sprintf("warnings: lavaan [%s], vagap [%s]", paste(lw, collapse = "|"), paste(vw, collapse = "|")))
    lf <- fitMeasures(fit, c("chisq", "cfi", "tli", "rmsea", "srmr"))
    for (k in names(lf)) if (abs(lf[[k]] - v[[k]]) > 1e-6 * max(1, abs(lf[[k]]))) msg <- c(msg, sprintf("%s: lavaan %.10g vagap %.10g", k, lf[[k]], v[[k]]))
    est <- read.csv(text = system2(vagap, c("sem", "--quiet", "--digits", "17", gargs, "--model", mfile, dfile), stdout = TRUE, stderr = FALSE))
    pe <- parameterEstimates(fit)
    pg <- if (is.null(pe$group)) rep(1L, nrow(pe)) else pe$group
    key <- paste(pe$lhs, pe$op, pe$rhs, pg); vi <- match(key, paste(est$lhs, est$op, est$rhs, est$group))
    de <- max(abs(pe$est - est$est[vi])); dse <- max(abs(pe$se - est$se[vi]) / pmax(abs(pe$se), 1e-8))
    if (de > 1e-4 || dse > 1e-3) msg <- c(msg, sprintf("estimates differ: max |d est| %.3g, max rel d se %.3g", de, dse))
  }
  cat(sprintf("%-12s lavaan converged=%s vagap converged=%s %s\n", name, conv, vconv,
              if (is.null(msg)) "ok" else paste("MISMATCH:", paste(msg, collapse = "; "))))
  if (!is.null(msg)) bad <- bad + 1
}
quit(status = if (bad > 0) 1 else 0)
