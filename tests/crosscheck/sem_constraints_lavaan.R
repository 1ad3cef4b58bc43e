# Reference side of tests/crosscheck/sem_constraints_lavaan.sh (issue 20): lavaan
# fits models with modifiers (label(), equal(), start(), v?x, lower()/upper(),
# chains), equality and inequality constraints (linear, nonlinear, active,
# inactive, over := names, from a constraints= text), single- and multi-group,
# and the outputs of vagap sem are compared with lavaan's.
#   Rscript sem_constraints_lavaan.R prepare DIR
#   Rscript sem_constraints_lavaan.R compare DIR
# Data: HolzingerSwineford1939 and PoliticalDemocracy exported from the
# installed lavaan at test time, and a path data set generated with a seed.
suppressPackageStartupMessages(library(lavaan))
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1])),
                 "lib", "lavaan_reference.R"))
args <- commandArgs(trailingOnly = TRUE)
mode <- args[1]; dir <- args[2]

hs3 <- "visual =~ x1 + %s\ntextual =~ x4 + %s\nspeed =~ x7 + %s\n"
hs <- function(v = "a*x2 + b*x3", t = "x5 + x6", s = "x8 + x9", extra = "")
  paste0(sprintf(hs3, v, t, s), extra)
pd.model <- "
ind60 =~ x1 + x2 + x3
dem60 =~ y1 + a*y2 + b*y3 + c*y4
dem65 =~ y5 + a*y6 + b*y7 + c*y8
dem60 ~ ind60
dem65 ~ ind60 + dem60
y1 ~~ y5
y2 ~~ y4 + y6
y3 ~~ y7
y4 ~~ y8
y6 ~~ y8
"
gen.path <- function() {
  set.seed(2020)
  out <- NULL
  for (g in 1:2) {
    n <- c(220, 180)[g]
    x1 <- rnorm(n); x2 <- 0.3 * x1 + rnorm(n)
    m <- (0.3 + 0.15 * g) * x1 + 0.4 * x2 + rnorm(n)
    y <- (0.6 - 0.1 * g) * m + 0.3 * x1 + rnorm(n, sd = 1.2)
    out <- rbind(out, data.frame(grp = paste0("g", g), x1, x2, m, y))
  }
  out
}

# name, data, model, lavaan function, lavaan options, vagap arguments, constraints text (or NULL)
# lav: the same model for lavaan 0.6-14, which has no chained modifiers (its
# equivalent is the variable repeated with one modifier each, which vagap reads too)
cs <- function(name, data, model, fun = "cfa", opts = list(), cli = character(), constraints = NULL, lav = model)
  list(name = name, data = data, model = model, fun = fun, opts = opts, cli = cli, constraints = constraints,
       lav = lav)
grp <- list(group = "school"); grp.cli <- c("--group", "school")
cases <- list(
  cs("ceq_linear", "hs", hs(extra = "a == 2*b\n")),
  cs("ceq_nonlinear", "hs", hs(extra = "a^2 + b^2 == 1\n")),
  cs("cin_active_and_inactive", "hs", hs(extra = "a > 0.7\nb < 1.5\n")),
  cs("cin_inactive_only", "hs", hs(extra = "a > 0\nb > 0\n")),
  cs("cin_between_labels", "hs", hs(v = "a*x2 + b*x3", t = "c*x5 + x6", extra = "a < b\nc > b\n")),
  cs("constraints_text", "hs", hs(), constraints = "a == 2*b\n"),
  cs("defined_in_constraint", "hs", hs(extra = "d := a - b\nd == 0.2\n")),
  cs("start_far_from_optimum", "hs", hs(v = "start(8)*x2 + -3?x3", t = "start(0.01)*x5 + x6",
                                        extra = "x1 ~~ start(5)*x1\n")),
  cs("equal_and_quoted_labels", "hs", hs(v = "x2 + equal(\"visual=~x2\")*x3", t = "label(\"t 5\")*x5 + \"t6\"*x6",
                                         extra = "speed ~~ start(0.3)*label(\"vs\")*speed\n"),
     lav = hs(v = "x2 + equal(\"visual=~x2\")*x3", t = "label(\"t 5\")*x5 + \"t6\"*x6",
              extra = "speed ~~ start(0.3)*speed + label(\"vs\")*speed\n")),
  cs("bounds_active", "hs", hs(extra = "x2 ~~ lower(1.2)*x2\nx3 ~~ upper(0.6)*x3\n")),
  cs("bounds_inactive", "hs", hs(extra = "x2 ~~ lower(0)*x2\nvisual ~~ lower(0.01)*upper(10)*visual\n"),
     lav = hs(extra = "x2 ~~ lower(0)*x2\nvisual ~~ lower(0.01)*visual + upper(10)*visual\n")),
  cs("label_shared_across_types", "hs", hs(s = "s*x8 + x9", extra = "x9 ~~ s*x9\nx4 ~~ e*x4\nx5 ~~ e*x5\n")),
  cs("mg_labels_across_groups", "hs", hs(v = "c(a, a)*x2 + c(b1, b2)*x3", extra = "b1 == b2\n"),
     opts = grp, cli = grp.cli),
  cs("mg_nonlinear_and_inequality", "hs",
     hs(v = "c(a1, a2)*x2 + c(b1, b2)*x3", t = "c(t1, t2)*x5 + x6",
        extra = "a1 * a2 == 0.36\nb1 - b2 > 0.25\nt1 < 2\n"), opts = grp, cli = grp.cli),
  cs("mg_start_chain", "hs",
     hs(v = "c(a, b)*start(c(0.1, 3))*x2 + x3", extra = "x1 ~ c(i1, i2)*1\ni1 - i2 == 0.3\n"),
     opts = grp, cli = grp.cli,
     lav = hs(v = "c(a, b)*x2 + start(c(0.1, 3))*x2 + x3", extra = "x1 ~ c(i1, i2)*1\ni1 - i2 == 0.3\n")),
  cs("repeated_term_modifiers", "hs", hs(v = "a*x2 + start(0.2)*x2 + x3", t = "x5 + upper(0.9)*x6 + b*x6")),
  cs("mg_equal_loadings_plus_ceq", "hs", hs(v = "x2 + x3", t = "x5 + x6", extra = "x7 ~~ c(v1, v2)*x7\nv1 == 2*v2\n"),
     opts = c(grp, list(group.equal = "loadings")), cli = c(grp.cli, "--group-equal", "loadings")),
  cs("pd_nonlinear", "pd", paste0(pd.model, "a == b^2\nc > 1\n"), fun = "sem"),
  cs("path_defined_inequality", "path",
     "m ~ c(a1, a2)*x1 + x2\ny ~ c(b1, b2)*m + x1\nind1 := a1*b1\nind2 := a2*b2\nind1 - ind2 > 0.05\n",
     fun = "sem", opts = list(group = "grp"), cli = c("--group", "grp"))
)

fit.names <- c("npar", "fmin", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli",
               "logl", "unrestricted.logl", "aic", "bic", "bic2", "rmsea", "rmsea.ci.lower",
               "rmsea.ci.upper", "srmr")

if (mode == "prepare") {
  datasets <- list(hs = HolzingerSwineford1939, pd = PoliticalDemocracy, path = gen.path())
  for (d in names(datasets))
    write.csv(datasets[[d]], file.path(dir, paste0(d, ".csv")), row.names = FALSE, na = "NA")
  for (c in cases) {
    writeLines(c$model, file.path(dir, paste0(c$name, ".lav")))
    cli <- c$cli
    if (!is.null(c$constraints)) {
      writeLines(c$constraints, file.path(dir, paste0(c$name, ".con")))
      cli <- c(cli, "--constraints", file.path(dir, paste0(c$name, ".con")))
    }
    writeLines(cli, file.path(dir, paste0(c$name, ".args")))
    writeLines(c$data, file.path(dir, paste0(c$name, ".data")))
    call <- c(list(model = c$lav, data = datasets[[c$data]]), c$opts)
    if (!is.null(c$constraints)) call$constraints <- c$constraints
    lavaan_write_reference(lavaan_tight_fit(c$fun, call), dir, c$name, fit.names)
  }
  quit(status = 0)
}

# ---- compare --------------------------------------------------------------------
failed <- FALSE
agree <- 0
report <- function(case, what, value, tol, ok) {
  cat(sprintf("%-30s %-30s %12.3g (tolerance %g) %s\n", case, what, value, tol, if (ok) "ok" else "FAIL"))
  if (!ok) failed <<- TRUE
  ok
}
maxdiff <- function(a, b) { d <- abs(a - b); d[is.na(a) & is.na(b)] <- 0; if (length(d)) max(d) else 0 }
for (c in cases) {
  ok.case <- TRUE
  ref <- read.csv(file.path(dir, paste0(c$name, ".ref.est.csv")), stringsAsFactors = FALSE, na.strings = "NA")
  out.file <- file.path(dir, paste0(c$name, ".out.est.csv"))
  if (!file.exists(out.file) || file.size(out.file) == 0) { report(c$name, "vagap produced no output", NA, 0, FALSE); next }
  out <- read.csv(out.file, stringsAsFactors = FALSE, na.strings = "NA")
  for (col in c("label", "rhs")) { ref[[col]][is.na(ref[[col]])] <- ""; out[[col]][is.na(out[[col]])] <- "" }
  same.rows <- nrow(ref) == nrow(out) &&
    all(ref$lhs == out$lhs & ref$op == out$op & ref$rhs == out$rhs & ref$group == out$group &
        ref$block == out$block & ref$label == out$label)
  if (!report(c$name, "rows (lhs,op,rhs,block,group,label)", nrow(out) - nrow(ref), 0, same.rows)) {
    print(head(merge(ref[, 1:6], out[, 1:6], all = TRUE), 20)); next
  }
  ok.case <- report(c$name, "max |est difference|", maxdiff(ref$est, out$est), 1e-4,
                    maxdiff(ref$est, out$est) <= 1e-4) && ok.case
  # an estimate pinned by an active constraint has variance 0 up to rounding:
  # lavaan shows NA (a tiny negative variance) or 0, vagap 0; both have z, p NA
  pinned <- (is.na(ref$se) | ref$se == 0) & !is.na(out$se) & out$se == 0
  free <- !is.na(ref$se) & ref$se > 0
  se.rel <- if (any(free)) max(abs(out$se[free] / ref$se[free] - 1)) else 0
  ok.case <- report(c$name, "max relative SE difference", se.rel, 1e-3, is.finite(se.rel) && se.rel <= 1e-3) && ok.case
  ok.case <- report(c$name, "SE NA/0 agree", sum(is.na(ref$se) != is.na(out$se) & !pinned), 0,
                    all(is.na(ref$se) == is.na(out$se) | pinned)) && ok.case
  for (col in c("z", "pvalue", "ci.lower", "ci.upper", "std.lv", "std.all")) {
    tol <- if (col == "z") 1e-2 else 1e-4
    r <- ref[[col]]; o <- out[[col]]
    if (col %in% c("ci.lower", "ci.upper")) { r[pinned] <- NA; o[pinned] <- NA }
    d <- maxdiff(r, o)
    ok.case <- report(c$name, paste("max |", col, "difference|"), d, tol, is.finite(d) && d <= tol) && ok.case
  }
  rf <- read.csv(file.path(dir, paste0(c$name, ".ref.fit.csv")), stringsAsFactors = FALSE)
  of <- read.csv(file.path(dir, paste0(c$name, ".out.fit.csv")), stringsAsFactors = FALSE)
  v <- setNames(of$value, of$measure)
  for (i in seq_len(nrow(rf))) {
    m <- rf$measure[i]; r <- rf$value[i]; o <- v[m]
    if (m %in% c("df", "npar", "baseline.df")) { ok <- isTRUE(o == r); d <- if (is.na(o)) NA else o - r; tol <- 0 }
    else if (m %in% c("chisq", "baseline.chisq")) { d <- abs(o - r) / max(abs(r), 1); tol <- 1e-5; ok <- isTRUE(d <= tol) }
    else { d <- abs(o - r); tol <- 1e-4; ok <- isTRUE(d <= tol) || (is.na(o) && is.na(r)) }
    ok.case <- report(c$name, m, d, tol, ok) && ok.case
  }
  if (ok.case) agree <- agree + 1
}
cat(sprintf("constraint cases agreeing with lavaan: %d of %d\n", agree, length(cases)))
quit(status = if (failed) 1 else 0)
