# Randomised differential test of vagap sem against lavaan (tests/crosscheck/sem_lavaan_random.sh).
#   Rscript sem_lavaan_random.R gen SEED DIR   -> DIR/m.lav, d.csv, args, ref.csv, reffit.csv
#   Rscript sem_lavaan_random.R cmp DIR        -> exit 1 beyond the tolerances of issue 6
# A random model per seed: 1-4 factors with 3-4 indicators, acyclic latent regressions,
# 0-2 observed covariates, maybe a residual covariance, 1-3 groups, a random group.equal
# and std.lv; data simulated from a population model with lavaan's simulateData().
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
if (args[1] == "gen") {
  seed <- as.integer(args[2]); dir <- args[3]
  set.seed(seed)
  nf <- sample(1:4, 1); ni <- sample(3:4, nf, replace = TRUE)
  lines <- character(); pop <- character(); k <- 0
  for (f in 1:nf) {
    ind <- paste0("y", k + seq_len(ni[f])); k <- k + ni[f]
    lam <- round(runif(ni[f], 0.5, 1.2), 2)
    lines <- c(lines, paste0("f", f, " =~ ", paste(ind, collapse = " + ")))
    pop <- c(pop, paste0("f", f, " =~ ", paste(paste0(lam, "*", ind), collapse = " + ")))
  }
  nx <- sample(0:2, 1)
  for (f in 2:nf) if (nf >= 2 && runif(1) < 0.6) {
    pred <- paste0("f", sample(1:(f - 1), 1))
    lines <- c(lines, paste0("f", f, " ~ ", pred)); pop <- c(pop, paste0("f", f, " ~ 0.4*", pred))
  }
  if (nx > 0) for (j in 1:nx) {
    tgt <- paste0("f", sample(1:nf, 1))
    lines <- c(lines, paste0(tgt, " ~ x", j)); pop <- c(pop, paste0(tgt, " ~ 0.3*x", j))
  }
  if (k >= 4 && runif(1) < 0.4) lines <- c(lines, "y1 ~~ y4")
  G <- sample(1:3, 1); n <- sample(c(150, 300), 1)
  dat <- NULL
  for (g in 1:G) {
    d <- simulateData(paste(pop, collapse = "\n"), sample.nobs = n, seed = seed * 10 + g)
    d$grp <- paste0("g", g); dat <- rbind(dat, d)
  }
  ge <- if (G > 1) sample(list("", "loadings", c("loadings", "intercepts"), c("loadings", "intercepts", "residuals", "lv.variances")), 1)[[1]] else ""
  stdlv <- runif(1) < 0.3
  model <- paste(lines, collapse = "\n")
  writeLines(model, file.path(dir, "m.lav"))
  write.csv(dat, file.path(dir, "d.csv"), row.names = FALSE)
  opts <- list(model = model, data = dat, std.lv = stdlv)
  cli <- character()
  if (G > 1) { opts$group <- "grp"; cli <- c(cli, "--group", "grp") }
  if (any(ge != "")) { opts$group.equal <- ge; cli <- c(cli, "--group-equal", paste(ge, collapse = ",")) }
  if (stdlv) cli <- c(cli, "--std-lv")
  writeLines(cli, file.path(dir, "args"))
  fit <- do.call("sem", opts)
  if (!fit@optim$converged) { cat("lavaan did not converge\n"); quit(status = 3) }
  pe <- parameterEstimates(fit, standardized = TRUE)
  write.csv(pe, file.path(dir, "ref.csv"), row.names = FALSE)
  fm <- fitMeasures(fit, c("chisq", "df", "cfi", "tli", "rmsea", "srmr", "logl", "bic", "nnfi", "rfi", "nfi",
                          "pnfi", "ifi", "rni", "mfi", "ecvi", "cn_05", "cn_01"))
  write.csv(data.frame(measure = names(fm), value = as.numeric(fm)), file.path(dir, "reffit.csv"), row.names = FALSE)
  quit(status = 0)
}
dir <- args[2]
r <- read.csv(file.path(dir, "ref.csv"), stringsAsFactors = FALSE); o <- read.csv(file.path(dir, "out.csv"), stringsAsFactors = FALSE)
rf <- read.csv(file.path(dir, "reffit.csv")); of <- read.csv(file.path(dir, "outfit.csv"))
r$rhs[is.na(r$rhs)] <- ""; o$rhs[is.na(o$rhs)] <- ""
if (nrow(r) != nrow(o) || any(r$lhs != o$lhs | r$op != o$op | r$rhs != o$rhs)) { cat("ROW MISMATCH\n"); quit(status = 1) }
d <- c(est = max(abs(r$est - o$est)), se = max(abs(o$se/r$se - 1)[r$se > 0], 0), std.all = max(abs(r$std.all - o$std.all), na.rm = TRUE),
       std.lv = max(abs(r$std.lv - o$std.lv), na.rm = TRUE))
v <- setNames(of$value, of$measure)
fd <- sapply(rf$measure, function(m) {
  ref <- rf$value[rf$measure == m]; got <- v[[m]]
  # Hoelter's CN of a saturated model is NA or 1 in lavaan depending on whether its
  # chi-square is exactly 0 or rounding noise: not comparable
  if (m %in% c("cn_05", "cn_01") && rf$value[rf$measure == "df"] == 0) return(0)
  if (is.na(ref) || is.na(got)) return(if (is.na(ref) && is.na(got)) 0 else Inf)
  if (is.infinite(ref) || is.infinite(got)) return(if (identical(ref, got)) 0 else Inf)
  abs(got - ref) / (if (m %in% c("chisq", "logl", "bic", "cn_05", "cn_01", "ecvi")) max(1, abs(ref)) else 1)
})
cat(sprintf("%s=%.2g ", names(d), d), sprintf("%s=%.2g ", rf$measure, fd), "\n")
quit(status = if (d["est"] > 1e-4 || d["se"] > 1e-3 || d["std.all"] > 1e-4 || d["std.lv"] > 1e-4 || any(fd > 1e-4)) 1 else 0)
