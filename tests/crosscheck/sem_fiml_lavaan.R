# Reference side of tests/crosscheck/sem_fiml_lavaan.sh (issue 15, FIML): lavaan
# fits with missing = "ml" / "ml.x" on data generated here with planted MCAR and
# MAR missingness (5-30%), missing covariates, an empty row, a pattern seen once,
# one to three groups, == constraints, observed and expected information; and
# the outputs of vagap sem are compared with lavaan's.
#   Rscript sem_fiml_lavaan.R prepare DIR
#   Rscript sem_fiml_lavaan.R compare DIR
suppressPackageStartupMessages(library(lavaan))
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1])),
                 "lib", "lavaan_reference.R"))
args <- commandArgs(trailingOnly = TRUE)
mode <- args[1]; dir <- args[2]

# two correlated factors, three indicators each; group shifts in loadings and means
gen.cfa <- function(ns, seed) {
  set.seed(seed)
  out <- NULL
  for (g in seq_along(ns)) {
    n <- ns[g]
    f1 <- rnorm(n, mean = 0.2 * (g - 1)); f2 <- 0.5 * f1 + rnorm(n)
    d <- data.frame(y1 = f1 + rnorm(n, sd = .6), y2 = (.8 + .05 * g) * f1 + rnorm(n, sd = .7),
                    y3 = 1.1 * f1 + rnorm(n, sd = .5), y4 = f2 + rnorm(n, sd = .6),
                    y5 = .9 * f2 + rnorm(n, sd = .6), y6 = .7 * f2 + rnorm(n, sd = .8) + 0.2 * g)
    d$grp <- paste0("g", g)
    out <- rbind(out, d)
  }
  out
}
# MCAR: every cell missing with probability rate; row 5 empty; row 7 a pattern of its own
mcar <- function(d, vars, rate) {
  for (v in vars) d[[v]][runif(nrow(d)) < rate] <- NA
  d[5, vars] <- NA
  d[7, vars] <- c(NA, 1.5, NA, 0.3, NA, NA)[seq_along(vars)]
  d
}
# a regression with two covariates: MAR on observed values, covariate x1 missing in 5%
gen.reg <- function(n, seed) {
  set.seed(seed)
  x1 <- rnorm(n); x2 <- 0.4 * x1 + rnorm(n)
  f <- 0.5 * x1 - 0.3 * x2 + rnorm(n)
  d <- data.frame(x1, x2, y1 = f + rnorm(n, sd = .5), y2 = .8 * f + rnorm(n, sd = .6),
                  y3 = 1.2 * f + rnorm(n, sd = .7))
  d$y4 <- 0.6 * d$y3 + rnorm(n)
  d$y2[runif(n) < plogis(-1.5 + 1.2 * d$y1)] <- NA          # MAR on y1 (~25%)
  d$y3[runif(n) < plogis(-2 + 1.5 * d$x2)] <- NA            # MAR on x2 (~15-30%)
  d$y4[runif(n) < 0.08] <- NA
  d$x1[runif(n) < 0.05] <- NA                               # missing covariate
  d
}

cs <- function(name, data, model, fun = "cfa", opts = list(), cli = character())
  list(name = name, data = data, model = model, fun = fun, opts = opts, cli = cli)
cfa2 <- "f1 =~ y1 + y2 + y3\nf2 =~ y4 + y5 + y6\n"
reg <- "f =~ y1 + y2 + y3\nf ~ x1 + x2\ny4 ~ f\n"
grp <- list(group = "grp"); grp.cli <- c("--group", "grp")
ml <- list(missing = "ml"); ml.cli <- c("--missing", "ml")
cases <- list(
  cs("mcar10_two_groups", "cfa2", cfa2, opts = c(ml, grp), cli = c(ml.cli, grp.cli)),
  cs("mcar10_expected_information", "cfa2", cfa2, opts = c(ml, grp, list(information = "expected")),
     cli = c(ml.cli, grp.cli, "--information", "expected")),
  cs("mcar30_one_group_fiml_spelling", "cfa1", cfa2, opts = list(missing = "fiml"), cli = c("--missing", "fiml")),
  cs("mar_covariates_fixed_x", "reg", reg, fun = "sem", opts = ml, cli = ml.cli),
  cs("mar_covariates_ml_x", "reg", reg, fun = "sem", opts = list(missing = "ml.x"), cli = c("--missing", "ml.x")),
  cs("mar_covariates_random_x", "reg", reg, fun = "sem", opts = c(ml, list(fixed.x = FALSE)),
     cli = c(ml.cli, "--fixed-x=false")),
  cs("three_groups_equal_constraint", "cfa3",
     paste0(cfa2, "f2 ~~ c(v1, v2, v3)*f2\nv1 == v2\n"),
     opts = c(ml, grp, list(group.equal = c("loadings", "intercepts"))),
     cli = c(ml.cli, grp.cli, "--group-equal", "loadings,intercepts")),
  cs("complete_observed_information", "cfa2c", cfa2, opts = c(grp, list(information = "observed")),
     cli = c(grp.cli, "--information", "observed"))
)

fit.names <- c("npar", "fmin", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "baseline.pvalue",
               "cfi", "tli", "nnfi", "rfi", "nfi", "pnfi", "ifi", "rni", "logl", "unrestricted.logl", "aic",
               "bic", "ntotal", "bic2", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue", "srmr",
               "mfi", "ecvi", "cn_05", "cn_01", "gfi", "agfi", "pgfi", "rmr", "rmr_nomean", "srmr_bentler",
               "srmr_bentler_nomean", "crmr", "crmr_nomean", "srmr_mplus", "srmr_mplus_nomean", "cfi.robust",
               "tli.robust", "nnfi.robust", "rni.robust", "rmsea.robust", "rmsea.ci.lower.robust",
               "rmsea.ci.upper.robust", "rmsea.pvalue.robust", "rmsea.notclose.pvalue.robust")

if (mode == "prepare") {
  set.seed(15)
  cfa2d <- gen.cfa(c(300, 250), 151)
  datasets <- list(cfa2 = mcar(cfa2d, paste0("y", 1:6), 0.10),
                   cfa1 = mcar(gen.cfa(400, 152)[, 1:6], paste0("y", 1:6), 0.30),
                   reg = gen.reg(500, 153),
                   cfa3 = mcar(gen.cfa(c(200, 180, 160), 154), paste0("y", 1:6), 0.05),
                   cfa2c = cfa2d)
  for (d in names(datasets))
    write.csv(datasets[[d]], file.path(dir, paste0(d, ".csv")), row.names = FALSE, na = "NA")
  for (c in cases) {
    writeLines(c$model, file.path(dir, paste0(c$name, ".lav")))
    writeLines(c$cli, file.path(dir, paste0(c$name, ".args")))
    writeLines(c$data, file.path(dir, paste0(c$name, ".data")))
    call <- c(list(model = c$model, data = datasets[[c$data]]), c$opts)
    fit <- lavaan_tight_fit(c$fun, call)
    lavaan_write_reference(fit, dir, c$name, fit.names)
    # row by row of the lower triangle, as --summary prints it (symmetric)
    cov <- lavInspect(fit, "coverage")
    if (!is.list(cov)) cov <- list(cov)
    writeLines(sprintf("%.3f", unlist(lapply(cov, function(m) m[upper.tri(m, diag = TRUE)]))),
               file.path(dir, paste0(c$name, ".ref.coverage")))
  }
  quit(status = 0)
}

# ---- compare --------------------------------------------------------------------
failed <- FALSE
report <- function(case, what, value, tol, ok) {
  cat(sprintf("%-34s %-28s %12.3g (tolerance %g) %s\n", case, what, value, tol, if (ok) "ok" else "FAIL"))
  if (!ok) failed <<- TRUE
  ok
}
maxdiff <- function(a, b) { d <- abs(a - b); d[is.na(a) & is.na(b)] <- 0; if (length(d)) max(d) else 0 }
relmax <- function(a, b) { d <- abs(a - b) / pmax(abs(a), 1e-8); d[is.na(a) & is.na(b)] <- 0; if (length(d)) max(d) else 0 }
for (c in cases) {
  ref <- read.csv(file.path(dir, paste0(c$name, ".ref.est.csv")), stringsAsFactors = FALSE, na.strings = "NA")
  out.file <- file.path(dir, paste0(c$name, ".out.est.csv"))
  if (!file.exists(out.file) || file.size(out.file) == 0) { report(c$name, "vagap produced no output", NA, 0, FALSE); next }
  out <- read.csv(out.file, stringsAsFactors = FALSE, na.strings = "NA")
  for (col in c("label", "rhs")) { ref[[col]][is.na(ref[[col]])] <- ""; out[[col]][is.na(out[[col]])] <- "" }
  same.rows <- nrow(ref) == nrow(out) &&
    all(ref$lhs == out$lhs & ref$op == out$op & ref$rhs == out$rhs & ref$group == out$group & ref$label == out$label)
  if (!report(c$name, "rows (lhs,op,rhs,group,label)", nrow(out) - nrow(ref), 0, same.rows)) next
  report(c$name, "max |est difference|", maxdiff(ref$est, out$est), 1e-4, maxdiff(ref$est, out$est) <= 1e-4)
  free <- ref$se > 0 & !is.na(ref$se)
  report(c$name, "max relative se difference", relmax(ref$se[free], out$se[free]), 1e-3,
         relmax(ref$se[free], out$se[free]) <= 1e-3)
  report(c$name, "max |std.all difference|", maxdiff(ref$std.all, out$std.all), 1e-4,
         maxdiff(ref$std.all, out$std.all) <= 1e-4)
  rf <- read.csv(file.path(dir, paste0(c$name, ".ref.fit.csv")))
  of <- read.csv(file.path(dir, paste0(c$name, ".out.fit.csv")))
  for (m in fit.names) {
    a <- rf$value[rf$measure == m]; b <- of$value[of$measure == m]
    if (length(b) == 0 && is.na(a)) next  # printed by neither (e.g. .robust with complete data)
    if (length(b) != 1) { report(c$name, paste(m, "missing"), NA, 0, FALSE); next }
    # chi-square-type statistics 1e-5 relative, indices 1e-6 (absolute for values below 1)
    tol <- if (m %in% c("chisq", "baseline.chisq", "logl", "unrestricted.logl", "aic", "bic", "bic2", "fmin",
                        "cn_05", "cn_01", "ecvi")) 1e-5 else 1e-6
    d <- if (is.na(a) && is.na(b)) 0 else abs(a - b) / max(1, abs(a))
    report(c$name, m, d, tol, !is.na(d) && d <= tol)
  }
  cov.file <- file.path(dir, paste0(c$name, ".out.coverage"))
  if (file.exists(cov.file)) {
    rc <- readLines(file.path(dir, paste0(c$name, ".ref.coverage"))); oc <- readLines(cov.file)
    report(c$name, "coverage (--summary)", length(oc) - length(rc), 0, identical(rc, oc))
  }
}
if (failed) quit(status = 1)
cat("all FIML cross-checks agree with lavaan\n")
