# Reference side of tests/crosscheck/sem_robust_lavaan.sh (issue 15): robust ML
# (MLR, MLM, MLMV, MLMVS; --se/--test/--information with ML) on skewed,
# ordinal-like data generated here with a fixed seed, one to three groups,
# == constraints and fixed.x covariates; every fit measure lavaan's
# fitMeasures() prints for the fit is compared, and the estimates table.
#   Rscript sem_robust_lavaan.R prepare DIR
#   Rscript sem_robust_lavaan.R compare DIR
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
mode <- args[1]; dir <- args[2]

# Likert-like answers: a skewed latent response cut into 7 categories
likert <- function(z) pmin(pmax(round(2 + 1.2 * z + 0.6 * z^2), 1), 7)
gen.cfa <- function(seed, ngroups = 1, n = c(300, 250, 200)) {
  set.seed(seed)
  out <- NULL
  for (g in seq_len(ngroups)) {
    f1 <- rnorm(n[g]); f2 <- 0.4 * f1 + rnorm(n[g], sd = 0.9)
    e <- function() rexp(n[g]) - 1
    d <- data.frame(grp = paste0("g", g),
                    y1 = likert(0.8 * f1 + 0.5 * e()), y2 = likert(0.7 * f1 + 0.6 * e()),
                    y3 = likert((0.6 + 0.1 * g) * f1 + 0.6 * e()), y4 = likert(0.8 * f2 + 0.5 * e()),
                    y5 = likert(0.7 * f2 + 0.6 * e()), y6 = likert(0.5 * f2 + 0.7 * e()))
    out <- rbind(out, d)
  }
  out
}
gen.path <- function(seed) {
  set.seed(seed)
  n <- 400
  x1 <- rexp(n); x2 <- 0.3 * x1 + rnorm(n)
  m <- 0.4 * x1 + 0.3 * x2 + (rexp(n) - 1)
  y <- 0.5 * m + 0.2 * x1 + (rchisq(n, 3) - 3) / 2
  data.frame(x1, x2, m, y)
}
cfa2 <- "f1 =~ y1 + y2 + y3\nf2 =~ y4 + y5 + y6\n"
cfa2.eq <- "f1 =~ y1 + a*y2 + b*y3\nf2 =~ y4 + c*y5 + y6\na == c\n"
path <- "m ~ a*x1 + x2\ny ~ b*m + x1\nab := a*b\n"

cs <- function(name, data, model, opts, cli, fun = "sem")
  list(name = name, data = data, model = model, opts = opts, cli = cli, fun = fun)
g2 <- list(group = "grp"); g2.cli <- c("--group", "grp")
fiml <- list(missing = "ml"); fiml.cli <- c("--missing", "ml")
cases <- list(
  cs("mlr_cfa", "one", cfa2, list(estimator = "MLR"), c("--estimator", "MLR")),
  cs("mlm_cfa", "one", cfa2, list(estimator = "MLM"), c("--estimator", "MLM")),
  cs("mlmv_cfa", "one", cfa2, list(estimator = "MLMV"), c("--estimator", "MLMV")),
  cs("mlmvs_cfa", "one", cfa2, list(estimator = "MLMVS"), c("--estimator", "MLMVS")),
  cs("mlr_cfa_meanstructure", "one", cfa2, list(estimator = "MLR", meanstructure = TRUE),
     c("--estimator", "MLR", "--meanstructure")),
  cs("mlr_two_groups_eq", "two", cfa2.eq, c(g2, list(estimator = "MLR", group.equal = "loadings")),
     c(g2.cli, "--estimator", "MLR", "--group-equal", "loadings")),
  cs("mlm_three_groups", "three", cfa2, c(g2, list(estimator = "MLM", group.equal = c("loadings", "intercepts"))),
     c(g2.cli, "--estimator", "MLM", "--group-equal", "loadings,intercepts")),
  cs("mlmv_two_groups_eq", "two", cfa2.eq, c(g2, list(estimator = "MLMV")), c(g2.cli, "--estimator", "MLMV")),
  cs("mlr_path_fixed_x", "path", path, list(estimator = "MLR"), c("--estimator", "MLR")),
  cs("mlm_path_fixed_x", "path", path, list(estimator = "MLM", meanstructure = TRUE),
     c("--estimator", "MLM", "--meanstructure")),
  cs("mlmvs_path_free_x", "path", path, list(estimator = "MLMVS", fixed.x = FALSE),
     c("--estimator", "MLMVS", "--fixed-x=false")),
  cs("ml_sandwich_expected", "one", cfa2,
     list(se = "robust.huber.white", test = "yuan.bentler.mplus", information = "expected"),
     c("--se", "robust.huber.white", "--test", "yuan.bentler.mplus", "--information", "expected")),
  cs("ml_robust_sem_sb", "two", cfa2, c(g2, list(se = "robust.sem", test = "satorra.bentler")),
     c(g2.cli, "--se", "robust.sem", "--test", "satorra.bentler")),
  cs("ml_observed", "one", cfa2.eq, list(information = "observed"), c("--information", "observed")),
  cs("ml_first_order", "path", path, list(information = "first.order"), c("--information", "first.order")),
  cs("ml_yuan_bentler", "one", cfa2, list(test = "yuan.bentler"), c("--test", "yuan.bentler")),
  cs("ml_yuan_bentler_observed_two_groups", "two", cfa2.eq,
     c(g2, list(test = "yuan.bentler", se = "robust.huber.white", information = "observed", meanstructure = TRUE)),
     c(g2.cli, "--test", "yuan.bentler", "--se", "robust.huber.white", "--information", "observed", "--meanstructure")),
  cs("ml_yuan_bentler_path_fixed_x", "path", path, list(test = "yuan.bentler"), c("--test", "yuan.bentler")),
  cs("ml_fiml_yuan_bentler", "one_mcar", cfa2, c(fiml, list(test = "yuan.bentler", se = "robust.huber.white")),
     c(fiml.cli, "--test", "yuan.bentler", "--se", "robust.huber.white")),
  # MLR with missing = "ml" (FIML): the common real-data case
  cs("mlr_fiml_cfa", "one_mcar", cfa2, c(fiml, list(estimator = "MLR")), c(fiml.cli, "--estimator", "MLR")),
  cs("mlr_fiml_two_groups_eq", "two_mar", cfa2.eq, c(g2, fiml, list(estimator = "MLR", group.equal = "loadings")),
     c(g2.cli, fiml.cli, "--estimator", "MLR", "--group-equal", "loadings")),
  cs("mlr_fiml_path_fixed_x", "path_mcar", path, c(fiml, list(estimator = "MLR")), c(fiml.cli, "--estimator", "MLR")),
  cs("mlr_fiml_path_free_x", "path_mcar_x", path, c(fiml, list(estimator = "MLR", fixed.x = FALSE)),
     c(fiml.cli, "--estimator", "MLR", "--fixed-x=false")),
  cs("ml_fiml_sandwich_expected", "one_mcar", cfa2,
     c(fiml, list(se = "robust.huber.white", test = "yuan.bentler.mplus", information = "expected")),
     c(fiml.cli, "--se", "robust.huber.white", "--test", "yuan.bentler.mplus", "--information", "expected")),
  cs("ml_fiml_first_order", "one_mcar", cfa2, c(fiml, list(information = "first.order")),
     c(fiml.cli, "--information", "first.order"))
)

# CASES=fiml (tests/crosscheck/sem_fiml_robust_lavaan.sh): the missing = "ml" cases only;
# otherwise the complete-data ones (each script stays well under a minute)
fiml.set <- Sys.getenv("CASES") == "fiml"
cases <- Filter(function(c) grepl("fiml", c$name) == fiml.set, cases)

# planted missingness: MCAR in every indicator; MAR (on y1 and y4) plus a pattern seen once in
# two groups; MCAR in the endogenous variables of the path model (its fixed.x covariates complete)
mcar <- function(d, vars, rate, seed) {
  set.seed(seed)
  for (v in vars) d[[v]][runif(nrow(d)) < rate] <- NA
  d
}
mar <- function(d, seed) {
  set.seed(seed)
  d$y2[runif(nrow(d)) < plogis(-2 + 0.5 * d$y1)] <- NA
  d$y5[runif(nrow(d)) < plogis(-2.5 + 0.6 * d$y4)] <- NA
  d$y6[runif(nrow(d)) < 0.05] <- NA
  d[3, c("y1", "y3", "y4", "y6")] <- NA
  d
}
datasets <- list(one = gen.cfa(15), two = gen.cfa(16, 2), three = gen.cfa(17, 3), path = gen.path(18))
datasets$one_mcar <- mcar(datasets$one, paste0("y", 1:6), 0.12, 151)
datasets$two_mar <- mar(datasets$two, 152)
datasets$path_mcar <- mcar(datasets$path, c("m", "y"), 0.15, 153)
datasets$path_mcar_x <- mcar(datasets$path, c("x1", "m", "y"), 0.10, 154)  # a missing covariate (random x)

# lavaan's robust machinery evaluated at vagap's estimates (optim.method = "none"):
# the scaled statistics move with the estimates, and lavaan's own optimum is only
# ~1e-6 from the exact one, so the fit measures and SEs are compared there.
at.vagap <- function(c, out) {
  call <- c(list(model = c$model, data = datasets[[c$data]]), c$opts)
  fit <- suppressWarnings(do.call(c$fun, call))
  pt <- parTable(fit)
  key <- function(d) paste(d$lhs, d$op, d$rhs, d$group)
  m <- match(key(pt), key(out))
  use <- pt$op != "==" & !is.na(m)
  pt$start[use] <- out$est[m[use]]
  pt$est[use] <- out$est[m[use]]
  call$model <- pt
  suppressWarnings(do.call(c$fun, c(call, list(optim.method = "none", optim.force.converged = TRUE))))
}

# lavTestLRT of the invariance sequence: lavaan's fits at vagap's estimates of each step
# (vagap sem --group-equal ...), compared with vagap sem --invariance's rows.
#   Rscript sem_robust_lavaan.R lrt DIR ESTIMATOR
steps <- list(configural = "", metric = "loadings", scalar = c("loadings", "intercepts"),
              strict = c("loadings", "intercepts", "residuals"))
if (mode == "lrt") {
  est <- args[3]
  fits <- lapply(names(steps), function(st) {
    c <- cs(st, if (fiml.set) "two_mar" else "two", cfa2,
            c(list(group = "grp", estimator = est, group.equal = steps[[st]]), if (fiml.set) fiml), character())
    out <- read.csv(file.path(dir, paste0("lrt_", est, "_", st, ".csv")), stringsAsFactors = FALSE)
    at.vagap(c, out)
  })
  lrt <- do.call(lavTestLRT, c(fits, list(model.names = names(steps))))
  inv <- read.csv(file.path(dir, paste0("lrt_", est, ".csv")), stringsAsFactors = FALSE)
  bad <- FALSE
  chk <- function(what, r, o, tol, rel = FALSE) {
    d <- abs(r - o); if (rel) d <- d / pmax(abs(r), 1)
    d[is.na(r) & is.na(o)] <- 0
    ok <- all(is.finite(d)) && max(d) <= tol
    cat(sprintf("lavTestLRT %-4s %-12s max difference %10.3g (tolerance %g) %s\n", est, what, max(d), tol,
                if (ok) "ok" else "FAIL"))
    if (!ok) bad <<- TRUE
  }
  chk("Df", lrt$Df, inv$df, 0)
  chk("Chisq", lrt$Chisq, inv$chisq, 1e-5, TRUE)
  chk("Chisq diff", lrt[["Chisq diff"]], inv$chisq.diff, 1e-5, TRUE)
  chk("Df diff", lrt[["Df diff"]], inv$df.diff, 0)
  chk("Pr(>Chisq)", lrt[["Pr(>Chisq)"]], inv$pvalue.diff, 1e-6)
  chk("AIC", lrt$AIC, inv$aic, 1e-5, TRUE)
  chk("chisq.scaled", sapply(fits, fitMeasures, "chisq.scaled"), inv$chisq.scaled, 1e-5, TRUE)
  quit(status = if (bad) 1 else 0)
}

if (mode == "prepare") {
  for (d in names(datasets))
    write.csv(datasets[[d]], file.path(dir, paste0(d, ".csv")), row.names = FALSE, na = "NA")
  for (c in cases) {
    writeLines(c$model, file.path(dir, paste0(c$name, ".lav")))
    writeLines(c$cli, file.path(dir, paste0(c$name, ".args")))
    writeLines(c$data, file.path(dir, paste0(c$name, ".data")))
    call <- c(list(model = c$model, data = datasets[[c$data]]), c$opts)
    fit <- do.call(c$fun, call)
    # nlminb's default rel.tol (1e-10) leaves estimates ~1e-6 from the optimum, which the
    # scaled statistics inherit; a tighter tolerance puts lavaan's solution where vagap's is
    tight <- try(suppressWarnings(do.call(c$fun, c(call, list(control = list(rel.tol = 1e-14,
      eval.max = 1e5, iter.max = 1e5))))), silent = TRUE)
    if (!inherits(tight, "try-error") && tight@optim$converged && tight@optim$fx <= fit@optim$fx + 1e-12 &&
        is.finite(suppressWarnings(fitMeasures(tight, "baseline.chisq"))))
      fit <- tight
    pe <- parameterEstimates(fit, standardized = TRUE)
    if (is.null(pe$block)) { pe$block <- ifelse(pe$op == ":=", 0L, 1L); pe$group <- pe$block }
    if (is.null(pe$label)) pe$label <- ""
    pe <- pe[, c("lhs", "op", "rhs", "block", "group", "label", "est", "se", "z", "pvalue",
                 "ci.lower", "ci.upper", "std.lv", "std.all", "std.nox")]
    write.csv(pe, file.path(dir, paste0(c$name, ".ref.est.csv")), row.names = FALSE)
    fm <- fitMeasures(fit)
    write.csv(data.frame(measure = names(fm), value = as.numeric(fm)),
              file.path(dir, paste0(c$name, ".ref.fit.csv")), row.names = FALSE)
  }
  quit(status = 0)
}

# ---- compare --------------------------------------------------------------------
failed <- FALSE
agree <- 0
worst <- list()
report <- function(case, what, value, tol, ok) {
  if (!ok || Sys.getenv("VERBOSE") != "")
    cat(sprintf("%-24s %-30s %12.3g (tolerance %g) %s\n", case, what, value, tol, if (ok) "ok" else "FAIL"))
  if (!ok) failed <<- TRUE
  if (is.finite(value) && (is.null(worst[[what]]) || value > worst[[what]])) worst[[what]] <<- value
  ok
}
maxdiff <- function(a, b) { d <- abs(a - b); d[is.na(a) & is.na(b)] <- 0; if (length(d)) max(d) else 0 }
for (c in cases) {
  ok.case <- TRUE
  ref <- read.csv(file.path(dir, paste0(c$name, ".ref.est.csv")), stringsAsFactors = FALSE)
  out.file <- file.path(dir, paste0(c$name, ".out.est.csv"))
  if (!file.exists(out.file) || file.size(out.file) == 0) { report(c$name, "vagap produced no output", NA, 0, FALSE); next }
  out <- read.csv(out.file, stringsAsFactors = FALSE)
  for (col in c("label", "rhs")) { ref[[col]][is.na(ref[[col]])] <- ""; out[[col]][is.na(out[[col]])] <- "" }
  same.rows <- nrow(ref) == nrow(out) && all(ref$lhs == out$lhs & ref$op == out$op & ref$rhs == out$rhs &
                                             ref$group == out$group & ref$label == out$label)
  if (!report(c$name, "rows (lhs,op,rhs,group,label)", nrow(out) - nrow(ref), 0, same.rows)) next
  ok.case <- report(c$name, "est", maxdiff(ref$est, out$est), 1e-4, maxdiff(ref$est, out$est) <= 1e-4) && ok.case
  free <- !is.na(ref$se) & ref$se > 0
  se.rel <- if (any(free)) max(abs(out$se[free] / ref$se[free] - 1)) else 0
  ok.case <- report(c$name, "se (relative)", se.rel, 1e-3, is.finite(se.rel) && se.rel <= 1e-3) && ok.case
  for (col in c("pvalue", "ci.lower", "ci.upper", "std.lv", "std.all", "std.nox")) {
    d <- maxdiff(ref[[col]], out[[col]])
    ok.case <- report(c$name, col, d, 1e-4, is.finite(d) && d <= 1e-4) && ok.case
  }
  at <- at.vagap(c, out)
  pe <- parameterEstimates(at)
  if (is.null(pe$group)) pe$group <- ifelse(pe$op == ":=", 0L, 1L)
  free <- !is.na(pe$se) & pe$se > 0
  m <- match(paste(pe$lhs, pe$op, pe$rhs, pe$group), paste(out$lhs, out$op, out$rhs, out$group))
  d <- if (any(free)) max(abs(out$se[m[free]] / pe$se[free] - 1)) else 0
  ok.case <- report(c$name, "se at vagap's estimates", d, 1e-6, is.finite(d) && d <= 1e-6) && ok.case
  fm <- fitMeasures(at)
  rf <- data.frame(measure = names(fm), value = as.numeric(fm), stringsAsFactors = FALSE)
  own <- read.csv(file.path(dir, paste0(c$name, ".ref.fit.csv")), stringsAsFactors = FALSE)
  d <- max(abs(own$value - rf$value[match(own$measure, rf$measure)]) / pmax(abs(own$value), 1), na.rm = TRUE)
  ok.case <- report(c$name, "lavaan's own optimum vs at vagap's", d, 1e-4, is.finite(d) && d <= 1e-4) && ok.case
  of <- read.csv(file.path(dir, paste0(c$name, ".out.fit.csv")), stringsAsFactors = FALSE)
  v <- setNames(of$value, of$measure)
  # vagap prints fitMeasures()'s names in its order (plus per-group chi-squares and the verdict)
  lav.order <- of$measure[of$measure %in% rf$measure]
  ok.case <- report(c$name, "measures in lavaan's order", sum(lav.order != rf$measure[rf$measure %in% lav.order]), 0,
                    identical(lav.order, rf$measure)) && ok.case
  for (i in seq_len(nrow(rf))) {
    m <- rf$measure[i]; r <- rf$value[i]; o <- unname(v[m])
    if (m %in% c("df", "npar", "baseline.df")) { ok <- isTRUE(o == r); d <- if (is.na(o)) NA else o - r; tol <- 0 }
    else if ((grepl("chisq", m) && !grepl("scaling", m)) || m %in% c("cn_05", "cn_01")) { d <- abs(o - r) / max(abs(r), 1); tol <- 1e-5; ok <- isTRUE(d <= tol) }
    else if (grepl("fiml", c$name) && m == "baseline.chisq.scaling.factor") {
      # lavaan stops its FIML baseline fit after ~3 iterations, its variances ~6e-6 (relative)
      # from the ML ones (observed mean and variance of each variable) that vagap takes exactly
      d <- abs(o - r) / max(abs(r), 1); tol <- 1e-5; ok <- isTRUE(d <= tol)
    }
    else { d <- abs(o - r); tol <- 1e-6; ok <- isTRUE(d <= tol) || (is.na(o) && is.na(r)) }
    if (is.na(d) && is.na(o) && is.na(r)) d <- 0
    ok.case <- report(c$name, m, d, tol, ok) && ok.case
  }
  if (ok.case) agree <- agree + 1
}
cat("largest differences over the cases:\n")
for (w in names(worst)) cat(sprintf("  %-30s %.3g\n", w, worst[[w]]))
cat(sprintf("robust ML cases agreeing with lavaan: %d of %d\n", agree, length(cases)))
quit(status = if (failed) 1 else 0)
