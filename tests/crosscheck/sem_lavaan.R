# Reference side of tests/crosscheck/sem_lavaan.sh: lavaan fits the same models
# as vagap on the same data, and the two outputs are compared here.
#   Rscript sem_lavaan.R prepare DIR   -> DIR/<case>.csv, .lav, .args, .ref.est.csv, .ref.fit.csv
#   Rscript sem_lavaan.R compare DIR   -> compares DIR/<case>.out.est.csv/.out.fit.csv, exit 1 on failure
# Data: HolzingerSwineford1939 and PoliticalDemocracy are exported from the
# installed lavaan package at test time; the path and privacy data are
# generated here with fixed seeds.  Nothing is written outside DIR.
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
mode <- args[1]; dir <- args[2]

hs.model <- "
visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9
"
pd.model <- "
  # measurement model
    ind60 =~ x1 + x2 + x3
    dem60 =~ y1 + a*y2 + b*y3 + c*y4
    dem65 =~ y5 + a*y6 + b*y7 + c*y8
  # regressions
    dem60 ~ ind60
    dem65 ~ ind60 + dem60
  # residual correlations
    y1 ~~ y5
    y2 ~~ y4 + y6
    y3 ~~ y7
    y4 ~~ y8
    y6 ~~ y8
  ab := a * b
"
path.model <- "
m ~ c(a1, a2, a3)*x1 + x2
y ~ c(b1, b2, b3)*m + x1
ind1 := a1*b1
ind3 := a3*b3
diff := ind1 - ind3
"
privacy.model <- "
privacy   =~ p1 + p2 + p3 + p4
prosocial =~ s1 + s2 + s3
sharing   =~ d1 + d2 + d3 + d4
sharing ~ privacy + prosocial
"

gen.path <- function() {
  set.seed(20240611)
  out <- NULL
  for (g in 1:3) {
    n <- c(150, 200, 120)[g]
    x1 <- rnorm(n); x2 <- 0.3 * x1 + rnorm(n)
    m <- 0.2 * g * x1 + 0.4 * x2 + rnorm(n)
    y <- (0.5 - 0.1 * g) * m + 0.3 * x1 + rnorm(n, sd = 1.2)
    out <- rbind(out, data.frame(grp = paste0("g", g), x1, x2, m, y))
  }
  out$y[c(5, 77)] <- NA   # listwise deletion must drop these rows
  out
}

gen.feedback <- function() {
  # y1 = .3 y2 + .6 x1 + e1, y2 = .4 y1 + .6 x2 + e2, solved for y1 and y2
  set.seed(99)
  n <- 400
  x1 <- rnorm(n); x2 <- rnorm(n); e1 <- rnorm(n); e2 <- rnorm(n)
  k <- 1 / (1 - 0.3 * 0.4)
  y1 <- k * (0.6 * x1 + e1 + 0.3 * (0.6 * x2 + e2))
  y2 <- 0.4 * y1 + 0.6 * x2 + e2
  data.frame(x1, x2, y1, y2)
}

gen.privacy <- function() {
  set.seed(77)
  out <- NULL
  groups <- c("gpt", "claude", "llama", "mistral")
  for (g in seq_along(groups)) {
    n <- 250
    priv <- rnorm(n)
    pros <- 0.3 * priv + rnorm(n, sd = 0.95)
    shar <- (-0.4 + 0.05 * g) * priv + 0.5 * pros + rnorm(n, sd = 0.8)
    ind <- function(f, l, s) round(3 + l * f + rnorm(n, sd = s), 2)
    out <- rbind(out, data.frame(model = groups[g],
      p1 = ind(priv, 1, .6), p2 = ind(priv, .8, .7), p3 = ind(priv, .9, .5), p4 = ind(priv, .7, .8),
      s1 = ind(pros, 1, .5), s2 = ind(pros, 1.1, .6), s3 = ind(pros, .8, .7),
      d1 = ind(shar, 1, .5), d2 = ind(shar, .9, .6), d3 = ind(shar, 1.2, .7), d4 = ind(shar, .7, .5)))
  }
  out
}

# ten groups (the fitter's block-structured information, issue 14): the privacy model's
# indicators with group-varying loadings and means
gen.groups10 <- function() {
  set.seed(1410)
  out <- NULL
  for (g in 1:10) {
    n <- 120 + 5 * g
    priv <- rnorm(n)
    pros <- 0.3 * priv + rnorm(n, sd = 0.95)
    shar <- (-0.4 + 0.04 * g) * priv + 0.5 * pros + rnorm(n, sd = 0.8)
    ind <- function(f, l, s) round(3 + 0.05 * g + (l + 0.02 * g) * f + rnorm(n, sd = s), 2)
    out <- rbind(out, data.frame(model = paste0("m", g),
      p1 = ind(priv, 1, .6), p2 = ind(priv, .8, .7), p3 = ind(priv, .9, .5), p4 = ind(priv, .7, .8),
      s1 = ind(pros, 1, .5), s2 = ind(pros, 1.1, .6), s3 = ind(pros, .8, .7),
      d1 = ind(shar, 1, .5), d2 = ind(shar, .9, .6), d3 = ind(shar, 1.2, .7), d4 = ind(shar, .7, .5)))
  }
  out
}

mimic.model <- "
visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
visual + textual ~ ageyr + sex
"
hs.sem.model <- "
visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9
textual ~ visual
speed ~ visual
textual ~~ speed
x1 ~ 0*1
"
second.order.model <- "
visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9
g =~ visual + textual + speed
"

modifiers.model <- "
visual  =~ x1 + x2 + x3
textual =~ x4 + NA*x5 + x6
textual ~~ visual
x6 ~~ x1
x1 ~~ 0.5*x1
visual ~ 1
x1 ~ 0*1
"

# case name, data, model, lavaan call arguments, vagap arguments
cases <- list(
  list(name = "hs_onegroup", data = "hs", model = hs.model, fun = "cfa", opts = list(), cli = character()),
  list(name = "hs_stdlv", data = "hs", model = hs.model, fun = "cfa", opts = list(std.lv = TRUE), cli = "--std-lv"),
  list(name = "hs_wishart", data = "hs", model = hs.model, fun = "cfa", opts = list(likelihood = "wishart"),
       cli = c("--likelihood", "wishart")),
  list(name = "hs_configural", data = "hs", model = hs.model, fun = "cfa", opts = list(group = "school"),
       cli = c("--group", "school")),
  list(name = "hs_scalar", data = "hs", model = hs.model, fun = "cfa",
       opts = list(group = "school", group.equal = c("loadings", "intercepts")),
       cli = c("--group", "school", "--group-equal", "loadings,intercepts")),
  list(name = "hs_partial", data = "hs", model = hs.model, fun = "cfa",
       opts = list(group = "school", group.equal = c("loadings", "intercepts", "residuals"),
                   group.partial = c("visual=~x2", "x7~1")),
       cli = c("--group", "school", "--group-equal", "loadings,intercepts,residuals",
               "--group-partial", "visual=~x2,x7~1")),
  list(name = "hs_mimic_groups", data = "hs", model = mimic.model, fun = "sem",
       opts = list(group = "school", group.equal = c("loadings", "regressions")),
       cli = c("--group", "school", "--group-equal", "loadings,regressions")),
  list(name = "hs_latent_paths", data = "hs", model = hs.sem.model, fun = "sem", opts = list(), cli = character()),
  list(name = "hs_latent_paths_stdlv", data = "hs", model = hs.sem.model, fun = "sem",
       opts = list(std.lv = TRUE, group = "school", group.equal = c("loadings", "lv.covariances", "residual.covariances")),
       cli = c("--std-lv", "--group", "school", "--group-equal", "loadings,lv.covariances,residual.covariances")),
  list(name = "hs_second_order", data = "hs", model = second.order.model, fun = "sem",
       opts = list(group = "school", group.equal = c("loadings", "intercepts", "means"), likelihood = "wishart"),
       cli = c("--group", "school", "--group-equal", "loadings,intercepts,means", "--likelihood", "wishart")),
  list(name = "hs_modifiers", data = "hs", model = modifiers.model, fun = "cfa", opts = list(), cli = character()),
  list(name = "hs_outcomes_stdlv", data = "hs", fun = "sem", opts = list(std.lv = TRUE), cli = "--std-lv",
       model = "visual =~ x1 + x2 + x3\nx4 ~ v4*visual\nx5 ~ visual + ageyr\nx6 ~ visual\nhalf := v4 / 2\n"),
  list(name = "hs_second_order_stdlv", data = "hs", model = second.order.model, fun = "cfa",
       opts = list(std.lv = TRUE), cli = "--std-lv"),
  list(name = "hs_within_group_equalities", data = "hs", fun = "cfa",
       opts = list(group = "school"), cli = c("--group", "school"),
       model = paste("visual =~ x1 + c(NA, 0.6)*x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9",
                     "visual ~~ 0*speed\nx4 ~~ e*x4\nx5 ~~ e*x5\nx7 ~ c(i1, i1)*1\nx8 ~ c(i2, i2)*1",
                     "d := i1 - i2\n", sep = "\n")),
  list(name = "pd_labels", data = "pd", model = pd.model, fun = "sem", opts = list(), cli = character()),
  list(name = "path_3groups", data = "path", model = path.model, fun = "sem", opts = list(group = "grp"),
       cli = c("--group", "grp")),
  list(name = "path_random_x", data = "path", model = path.model, fun = "sem",
       opts = list(group = "grp", fixed.x = FALSE, group.equal = "regressions", group.partial = "y~x1"),
       cli = c("--group", "grp", "--no-fixed-x", "--group-equal", "regressions", "--group-partial", "y~x1")),
  list(name = "feedback_nonrecursive", data = "feedback", model = "y1 ~ y2 + x1\ny2 ~ y1 + x2\n", fun = "sem",
       opts = list(), cli = character()),
  list(name = "path_saturated", data = "path", model = "m ~ x1 + x2\ny ~ m + x1 + x2\n", fun = "sem",
       opts = list(), cli = character()),
  list(name = "privacy_configural", data = "privacy", model = privacy.model, fun = "sem",
       opts = list(group = "model"), cli = c("--group", "model")),
  list(name = "privacy_metric", data = "privacy", model = privacy.model, fun = "sem",
       opts = list(group = "model", group.equal = c("loadings", "intercepts", "regressions")),
       cli = c("--group", "model", "--group-equal", "loadings,intercepts,regressions")),
  list(name = "groups10_configural", data = "groups10", model = privacy.model, fun = "sem",
       opts = list(group = "model"), cli = c("--group", "model")),
  list(name = "groups10_loadings", data = "groups10", model = privacy.model, fun = "sem",
       opts = list(group = "model", group.equal = "loadings"), cli = c("--group", "model", "--group-equal", "loadings"))
)

# invariance sequences: vagap sem --invariance against lavaan fits and lavTestLRT
inv.cases <- list(
  list(name = "inv_hs", data = "hs", model = hs.model, group = "school"),
  list(name = "inv_privacy", data = "privacy", model = privacy.model, group = "model"))
inv.steps <- list(configural = "", metric = "loadings", scalar = c("loadings", "intercepts"),
                  strict = c("loadings", "intercepts", "residuals"))

fit.names <- c("npar", "fmin", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df",
               "baseline.pvalue", "cfi", "tli", "logl", "unrestricted.logl", "aic", "bic",
               "ntotal", "bic2", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue", "srmr")

if (mode == "prepare") {
  datasets <- list(hs = HolzingerSwineford1939, pd = PoliticalDemocracy,
                   path = gen.path(), privacy = gen.privacy(), feedback = gen.feedback(),
                   groups10 = gen.groups10())
  for (d in names(datasets))
    write.csv(datasets[[d]], file.path(dir, paste0(d, ".csv")), row.names = FALSE, na = "NA")
  for (cs in cases) {
    writeLines(cs$model, file.path(dir, paste0(cs$name, ".lav")))
    writeLines(c(cs$cli), file.path(dir, paste0(cs$name, ".args")))
    writeLines(cs$data, file.path(dir, paste0(cs$name, ".data")))
    fit <- do.call(cs$fun, c(list(model = cs$model, data = datasets[[cs$data]]), cs$opts))
    # nlminb stops at rel.tol 1e-10 on F, which can leave estimates ~1e-4 from the
    # optimum (PoliticalDemocracy).  Polish lavaan's own solution from where it
    # stopped with a tighter tolerance (nlminb then reports "false convergence"
    # when it can no longer improve in double precision, hence suppressWarnings),
    # and keep it only if F did not increase.
    tight <- suppressWarnings(do.call(cs$fun, c(list(model = cs$model, data = datasets[[cs$data]],
      start = fit, control = list(rel.tol = 1e-14, eval.max = 1e5, iter.max = 1e5)), cs$opts)))
    # A restart from the polished point converges at once and gives lavaan's SEs
    # and fit measures there.
    if (tight@optim$fx <= fit@optim$fx) {
      again <- do.call(cs$fun, c(list(model = cs$model, data = datasets[[cs$data]], start = tight), cs$opts))
      # (a start from a fitted object turns fixed.x covariates random in lavaan
      # 0.6; keep the polished fit only when it is the same model)
      if (again@optim$converged && again@optim$fx <= fit@optim$fx &&
          fitMeasures(again, "npar") == fitMeasures(fit, "npar")) fit <- again
    }
    pe <- parameterEstimates(fit, standardized = TRUE, remove.system.eq = TRUE)
    if (is.null(pe$block)) { pe$block <- ifelse(pe$op == ":=", 0L, 1L); pe$group <- pe$block }
    if (is.null(pe$label)) pe$label <- ""
    pe <- pe[, c("lhs", "op", "rhs", "block", "group", "label", "est", "se", "z", "pvalue",
                 "ci.lower", "ci.upper", "std.lv", "std.all")]
    write.csv(pe, file.path(dir, paste0(cs$name, ".ref.est.csv")), row.names = FALSE)
    fm <- fitMeasures(fit, fit.names)
    cg <- fit@test[[1]]$stat.group
    ref <- data.frame(measure = c(fit.names, paste0("chisq.group.", seq_along(cg))),
                      value = c(as.numeric(fm), cg))
    write.csv(ref, file.path(dir, paste0(cs$name, ".ref.fit.csv")), row.names = FALSE)
  }
  for (cs in inv.cases) {
    writeLines(cs$model, file.path(dir, paste0(cs$name, ".invmodel")))
    writeLines(c("--group", cs$group, "--invariance"), file.path(dir, paste0(cs$name, ".inv.args")))
    writeLines(cs$data, file.path(dir, paste0(cs$name, ".inv.data")))
    fits <- lapply(inv.steps, function(eq) sem(cs$model, datasets[[cs$data]], group = cs$group, group.equal = eq))
    lrt <- do.call(lavTestLRT, unname(fits))
    fm <- t(sapply(fits, fitMeasures, c("npar", "df", "aic", "bic", "chisq", "pvalue", "cfi", "tli", "rmsea", "srmr")))
    # lavTestLRT sorts the models by df, which is the order of the steps here
    stopifnot(all(lrt[, "Df"] == fm[, "df"]))
    ref <- data.frame(model = names(inv.steps), fm,
                      chisq.diff = lrt[, "Chisq diff"], df.diff = lrt[, "Df diff"],
                      pvalue.diff = lrt[, "Pr(>Chisq)"],
                      cfi.diff = c(NA, diff(fm[, "cfi"])), rmsea.diff = c(NA, diff(fm[, "rmsea"])))
    write.csv(ref, file.path(dir, paste0(cs$name, ".ref.inv.csv")), row.names = FALSE)
  }
  quit(status = 0)
}

# ---- compare ------------------------------------------------------------------------
failed <- FALSE
report <- function(case, what, value, tol, ok) {
  cat(sprintf("%-20s %-34s %12.3g (tolerance %g) %s\n", case, what, value, tol, if (ok) "ok" else "FAIL"))
  if (!ok) failed <<- TRUE
}
maxdiff <- function(a, b) { d <- abs(a - b); d[is.na(a) & is.na(b)] <- 0; if (length(d)) max(d) else 0 }
for (cs in cases) {
  ref <- read.csv(file.path(dir, paste0(cs$name, ".ref.est.csv")), stringsAsFactors = FALSE, na.strings = "NA")
  out.file <- file.path(dir, paste0(cs$name, ".out.est.csv"))
  if (!file.exists(out.file) || file.size(out.file) == 0) { report(cs$name, "vagap produced no output", NA, 0, FALSE); next }
  out <- read.csv(out.file, stringsAsFactors = FALSE, na.strings = "NA")
  ref$label[is.na(ref$label)] <- ""; out$label[is.na(out$label)] <- ""
  ref$rhs[is.na(ref$rhs)] <- ""; out$rhs[is.na(out$rhs)] <- ""
  same.rows <- nrow(ref) == nrow(out) &&
    all(ref$lhs == out$lhs & ref$op == out$op & ref$rhs == out$rhs & ref$group == out$group &
        ref$block == out$block & ref$label == out$label)
  report(cs$name, "rows (lhs,op,rhs,block,group,label)", nrow(out) - nrow(ref), 0, same.rows)
  if (!same.rows) {
    print(head(merge(ref[, 1:6], out[, 1:6], all = TRUE), 20)); next
  }
  report(cs$name, "max |est difference|", maxdiff(ref$est, out$est), 1e-4, maxdiff(ref$est, out$est) <= 1e-4)
  free <- !is.na(ref$se) & ref$se > 0
  se.rel <- if (any(free)) max(abs(out$se[free] / ref$se[free] - 1)) else 0
  report(cs$name, "max relative SE difference", se.rel, 1e-3, is.finite(se.rel) && se.rel <= 1e-3)
  for (col in c("z", "pvalue", "ci.lower", "ci.upper", "std.lv", "std.all")) {
    tol <- if (col == "z") 1e-2 else 1e-4
    d <- maxdiff(ref[[col]], out[[col]])
    report(cs$name, paste("max |", col, "difference|"), d, tol, is.finite(d) && d <= tol)
  }
  rf <- read.csv(file.path(dir, paste0(cs$name, ".ref.fit.csv")), stringsAsFactors = FALSE)
  of <- read.csv(file.path(dir, paste0(cs$name, ".out.fit.csv")), stringsAsFactors = FALSE)
  v <- setNames(of$value, of$measure)
  for (i in seq_len(nrow(rf))) {
    m <- rf$measure[i]; r <- rf$value[i]; o <- v[m]
    if (m %in% c("df", "npar", "baseline.df", "ntotal")) { ok <- isTRUE(o == r); d <- if (is.na(o)) NA else o - r; tol <- 0 }
    else if (m %in% c("chisq", "baseline.chisq") || grepl("^chisq.group", m)) { d <- abs(o - r) / max(abs(r), 1); tol <- 1e-5; ok <- isTRUE(d <= tol) }
    else if (grepl("pvalue", m)) { d <- abs(o - r); tol <- 1e-4; ok <- isTRUE(d <= tol) || (is.na(o) && is.na(r)) }
    else { d <- abs(o - r); tol <- 1e-4; ok <- isTRUE(d <= tol) }
    report(cs$name, m, d, tol, ok)
  }
}
for (cs in inv.cases) {
  rf <- read.csv(file.path(dir, paste0(cs$name, ".ref.inv.csv")), stringsAsFactors = FALSE)
  of <- read.csv(file.path(dir, paste0(cs$name, ".out.inv.csv")), stringsAsFactors = FALSE)
  ok <- nrow(of) == nrow(rf) && all(of$model == rf$model)
  report(cs$name, "invariance rows", nrow(of) - nrow(rf), 0, ok)
  if (!ok) next
  for (col in setdiff(names(rf), "model")) {
    r <- rf[[col]]; o <- of[[col]]
    if (col %in% c("npar", "df", "df.diff")) { d <- maxdiff(r, o); tol <- 0 }
    else if (col %in% c("chisq", "chisq.diff")) { d <- maxdiff(r / pmax(abs(r), 1), o / pmax(abs(r), 1)); tol <- 1e-5 }
    else { d <- maxdiff(r, o); tol <- 1e-4 }
    report(cs$name, col, d, tol, is.finite(d) && d <= tol)
  }
}
quit(status = if (failed) 1 else 0)
