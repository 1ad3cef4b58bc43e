# Corpus cross-check (issue 20): the models of lavaan's own manual pages and of
# its tutorial (lavaan.ugent.be/tutorial), fitted by lavaan and by vagap sem.
#   Rscript sem_corpus_lavaan.R prepare DIR
#   Rscript sem_corpus_lavaan.R compare DIR
# prepare runs the \examples of every manual page of the INSTALLED lavaan
# (tools::Rd_db) with cfa(), sem(), growth() and lavaan() wrapped so that each
# fit's model, data and options are recorded, adds the tutorial's models, and
# writes one case per distinct fit: the data as CSV, the model, vagap's
# arguments (lavaan's options translated) and lavaan's parameterEstimates() and
# fitMeasures().  A fit vagap cannot express (another function, an option or a
# data form it has no equivalent for) is recorded as not attempted, with why.
# compare reports, per case, whether vagap accepted it and whether every number
# agrees (estimates 1e-4, SEs 1e-3 relative, chisq 1e-5 relative, df exact).
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
mode <- args[1]; dir <- args[2]

# ---- the tutorial's models (lavaan.ugent.be/tutorial), written out here ----------
tutorial <- function() {
  set.seed(1234)
  reg <- data.frame(y = rnorm(100), x1 = rnorm(100), x2 = rnorm(100), x3 = rnorm(100))
  set.seed(1234)
  X <- rnorm(100); M <- 0.5 * X + rnorm(100); Y <- 0.7 * M + rnorm(100)
  med <- data.frame(X = X, Y = Y, M = M)
  hs <- HolzingerSwineford1939
  hs.model <- " visual  =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6\n speed   =~ x7 + x8 + x9 "
  pd.model <- "
    ind60 =~ x1 + x2 + x3
    dem60 =~ y1 + y2 + y3 + y4
    dem65 =~ y5 + y6 + y7 + y8
    dem60 ~ ind60
    dem65 ~ ind60 + dem60
    y1 ~~ y5
    y2 ~~ y4 + y6
    y3 ~~ y7
    y4 ~~ y8
    y6 ~~ y8 "
  pd.eq <- "
    ind60 =~ x1 + x2 + x3
    dem60 =~ y1 + d1*y2 + d2*y3 + d3*y4
    dem65 =~ y5 + d1*y6 + d2*y7 + d3*y8
    dem60 ~ ind60
    dem65 ~ ind60 + dem60
    y1 ~~ y5
    y2 ~~ y4 + y6
    y3 ~~ y7
    y4 ~~ y8
    y6 ~~ y8 "
  hs.bare <- " visual =~ 1*x1 + x2 + x3\n textual =~ 1*x4 + x5 + x6\n speed =~ 1*x7 + x8 + x9
    x1 ~~ x1\n x2 ~~ x2\n x3 ~~ x3\n x4 ~~ x4\n x5 ~~ x5\n x6 ~~ x6\n x7 ~~ x7\n x8 ~~ x8\n x9 ~~ x9
    visual ~~ visual\n textual ~~ textual\n speed ~~ speed
    visual ~~ textual + speed\n textual ~~ speed "
  list(
    list(name = "tut_cfa", fun = "cfa", model = hs.model, data = hs, opts = list()),
    list(name = "tut_sem", fun = "sem", model = pd.model, data = PoliticalDemocracy, opts = list()),
    list(name = "tut_sem_equal", fun = "sem", model = pd.eq, data = PoliticalDemocracy, opts = list()),
    list(name = "tut_fixed_free", fun = "cfa", data = hs, opts = list(),
         model = " visual =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6\n speed =~ NA*x7 + x8 + x9
                   visual ~~ 0*speed\n textual ~~ 0*speed\n speed ~~ 1*speed "),
    list(name = "tut_orthogonal", fun = "cfa", data = hs, opts = list(),
         model = paste(hs.model, "\n visual ~~ 0*textual + 0*speed\n textual ~~ 0*speed")),
    list(name = "tut_start", fun = "cfa", data = hs, opts = list(),
         model = " visual =~ x1 + start(0.8)*x2 + start(1.2)*x3\n textual =~ x4 + start(0.5)*x5 + start(1.0)*x6
                   speed =~ x7 + start(0.7)*x8 + start(1.8)*x9 "),
    list(name = "tut_labels", fun = "cfa", data = hs, opts = list(),
         model = " visual =~ x1 + v2*x2 + v2*x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9 "),
    list(name = "tut_equal", fun = "cfa", data = hs, opts = list(),
         model = " visual =~ x1 + x2 + equal(\"visual=~x2\")*x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9 "),
    list(name = "tut_nonlinear_constraints", fun = "sem", data = reg, opts = list(),
         model = " y ~ b1*x1 + b2*x2 + b3*x3\n b1 == (b2 + b3)^2\n b1 > exp(b2 + b3) "),
    list(name = "tut_mediation", fun = "sem", data = med, opts = list(),
         model = " Y ~ c*X\n M ~ a*X\n Y ~ b*M\n ab := a*b\n total := c + (a*b) "),
    list(name = "tut_meanstructure", fun = "cfa", data = hs, opts = list(meanstructure = TRUE), model = hs.model),
    list(name = "tut_groups", fun = "cfa", data = hs, opts = list(group = "school"), model = hs.model),
    list(name = "tut_groups_labels", fun = "cfa", data = hs, opts = list(group = "school"),
         model = " visual =~ x1 + 0.5*x2 + c(0.6, 0.8)*x3\n textual =~ x4 + start(c(1.2, 0.6))*x5 + a*x6
                   speed =~ x7 + x8 + x9 "),
    list(name = "tut_groups_equal", fun = "cfa", data = hs, model = hs.model,
         opts = list(group = "school", group.equal = c("loadings", "intercepts"))),
    list(name = "tut_groups_partial", fun = "cfa", data = hs, model = hs.model,
         opts = list(group = "school", group.equal = c("loadings", "intercepts"), group.partial = c("visual=~x2", "x7~1"))),
    list(name = "tut_groups_c_labels", fun = "cfa", data = hs, opts = list(group = "school"),
         model = " visual =~ x1 + x2 + c(v3, v3)*x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9 "),
    list(name = "tut_growth", fun = "growth", data = Demo.growth, opts = list(),
         model = " i =~ 1*t1 + 1*t2 + 1*t3 + 1*t4\n s =~ 0*t1 + 1*t2 + 2*t3 + 3*t4 "),
    list(name = "tut_missing_ml", fun = "cfa", data = hs, opts = list(missing = "ml"), model = hs.model),
    list(name = "tut_std_lv", fun = "cfa", data = hs, opts = list(std.lv = TRUE), model = hs.model),
    list(name = "tut_ordered", fun = "cfa", data = hs, opts = list(ordered = c("x1")), model = hs.model),
    # the tutorial's lavaan() section: every parameter written out, then auto.var
    list(name = "tut_lavaan_bare", fun = "lavaan", data = hs, opts = list(), model = hs.bare),
    list(name = "tut_lavaan_mixed", fun = "lavaan", data = hs, opts = list(auto.var = TRUE),
         model = " visual =~ 1*x1 + x2 + x3\n textual =~ 1*x4 + x5 + x6\n speed =~ 1*x7 + x8 + x9
                   visual ~~ textual + speed\n textual ~~ speed "),
    # a start value on a fixed marker sets the fixed value in lavaan 0.6 (doc/methods.md)
    list(name = "tut_start_marker", fun = "cfa", data = hs, opts = list(),
         model = " visual =~ start(0.5)*x1 + x2 + x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9 ")
  )
}

# ---- lavaan() with each of its switches (issue 20), and sem() given switches it ignores ---
switches <- function() {
  hs <- HolzingerSwineford1939
  hs.model <- " visual  =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6\n speed   =~ x7 + x8 + x9 "
  two.y <- paste(hs.model, "\n textual ~ visual\n speed ~ visual")
  pd <- PoliticalDemocracy
  base <- list(auto.var = TRUE, auto.fix.first = TRUE)
  growth.model <- " i =~ 1*t1 + 1*t2 + 1*t3 + 1*t4\n s =~ 0*t1 + 1*t2 + 2*t3 + 3*t4 "
  case <- function(name, fun, model, data, opts) list(name = name, fun = fun, model = model, data = data, opts = opts)
  list(
    case("sw_fix_first_cov_lv_x", "lavaan", hs.model, hs, c(base, auto.cov.lv.x = TRUE)),
    case("sw_no_cov_lv_x", "lavaan", hs.model, hs, base),
    case("sw_std_lv", "lavaan", hs.model, hs, c(base, auto.cov.lv.x = TRUE, std.lv = TRUE)),
    case("sw_fix_single", "lavaan", " visual =~ x1 + x2 + x3\n tx =~ x4\n visual ~ tx", hs,
         c(base, auto.fix.single = TRUE)),
    case("sw_fix_single_off", "lavaan", " visual =~ x1 + x2 + x3\n tx =~ x4\n visual ~ tx\n tx ~~ 1*tx", hs,
         c(base, auto.fix.single = FALSE)),
    case("sw_cov_y_lv", "lavaan", two.y, hs, c(base, auto.cov.lv.x = TRUE, auto.cov.y = TRUE)),
    case("sw_no_cov_y_lv", "lavaan", two.y, hs, c(base, auto.cov.lv.x = TRUE, auto.cov.y = FALSE)),
    case("sw_cov_y_ov", "lavaan", " y1 ~ x1 + x2\n y2 ~ x1\n y3 ~ x2", pd, list(auto.var = TRUE, auto.cov.y = TRUE)),
    case("sw_no_cov_y_ov", "lavaan", " y1 ~ x1 + x2\n y2 ~ x1\n y3 ~ x2", pd, list(auto.var = TRUE)),
    case("sw_int_ov_free", "lavaan", hs.model, hs,
         c(base, auto.cov.lv.x = TRUE, meanstructure = TRUE, int.ov.free = TRUE)),
    case("sw_int_fixed_user", "lavaan", paste(hs.model, "\n x1 + x4 + x7 ~ 1"), hs,
         c(base, auto.cov.lv.x = TRUE)),
    case("sw_int_lv_free", "lavaan", growth.model, Demo.growth,
         list(auto.var = TRUE, auto.cov.lv.x = TRUE, meanstructure = TRUE, int.lv.free = TRUE)),
    case("sw_groups", "lavaan", hs.model, hs,
         c(base, auto.cov.lv.x = TRUE, int.ov.free = TRUE, group = "school")),
    case("sw_groups_equal", "lavaan", hs.model, hs,
         c(base, auto.cov.lv.x = TRUE, int.ov.free = TRUE, group = "school",
           list(group.equal = c("loadings", "intercepts")))),
    case("sw_var_user_only", "lavaan", paste(hs.model, "\n visual ~~ visual + textual + speed\n textual ~~ textual + speed
           speed ~~ speed\n x1 ~~ x1\n x2 ~~ x2\n x3 ~~ x3\n x4 ~~ x4\n x5 ~~ x5\n x6 ~~ x6\n x7 ~~ x7\n x8 ~~ x8
           x9 ~~ x9 + x7"), hs, list(auto.fix.first = TRUE, auto.th = TRUE, auto.delta = TRUE, auto.efa = TRUE)),
    case("sw_orthogonal_y", "sem", two.y, hs, list(orthogonal = TRUE)),
    case("sw_lavaan_orthogonal", "lavaan", two.y, hs, c(base, auto.cov.lv.x = TRUE, auto.cov.y = TRUE, orthogonal = TRUE)),
    # sem(), cfa() and growth() overwrite these switches: the same fit as without them
    case("sw_sem_ignores", "sem", hs.model, hs, list(auto.var = FALSE, auto.cov.lv.x = FALSE, int.ov.free = FALSE)),
    case("sw_growth_ignores", "growth", growth.model, Demo.growth, list(int.lv.free = FALSE, auto.fix.first = FALSE))
  )
}

# ---- record the fits of the manual's examples -------------------------------------
record_examples <- function() {
  calls <- list()
  wrap <- function(fname) {
    force(fname)
    function(...) {
      a <- list(...)
      calls[[length(calls) + 1L]] <<- list(fun = fname, args = a)
      # by name: lavaan reads its own name from match.call()
      do.call(fname, a, envir = asNamespace("lavaan"))
    }
  }
  db <- tools::Rd_db("lavaan")
  for (nm in sort(names(db))) {
    # a fresh environment per page: one page's example may overwrite a data set
    env <- new.env(parent = globalenv())
    for (f in c("cfa", "sem", "growth", "lavaan")) assign(f, wrap(f), envir = env)
    f <- tempfile(fileext = ".R")
    tools::Rd2ex(db[[nm]], f)
    if (!file.exists(f)) next
    exprs <- try(parse(f), silent = TRUE)
    if (inherits(exprs, "try-error")) next
    before <- length(calls)
    setTimeLimit(elapsed = 60, transient = TRUE)
    for (e in exprs) try(suppressWarnings(suppressMessages(capture.output(eval(e, env)))), silent = TRUE)
    setTimeLimit(elapsed = Inf)
    if (length(calls) > before)
      for (k in (before + 1L):length(calls)) calls[[k]]$page <- sub("\\.Rd$", "", nm)
  }
  calls
}

# lavaan option -> vagap arguments; list(why = ...) when vagap has no equivalent
translate <- function(fun, a) {
  no <- function(why) list(why = why)
  if (!fun %in% c("cfa", "sem", "growth", "lavaan")) return(no(paste0(fun, "()")))
  model <- a$model
  if (is.null(model) && length(a) && (is.null(names(a)) || names(a)[1] == "")) model <- a[[1]]
  if (!is.character(model)) return(no("a model given as a parameter table"))
  if (is.null(a$data) || !is.data.frame(a$data)) return(no("no data frame (sample.cov or none)"))
  cli <- if (fun %in% c("growth", "lavaan")) paste0("--", fun) else character()
  tf <- function(v) if (isTRUE(v)) "true" else "false"
  switches <- c("int.ov.free", "int.lv.free", "auto.fix.first", "auto.fix.single", "auto.var",
                "auto.cov.lv.x", "auto.cov.y", "auto.th", "auto.delta", "auto.efa")
  for (o in setdiff(names(a), c("", "model", "data"))) {
    v <- a[[o]]
    if (o == "group") cli <- c(cli, "--group", v)
    else if (o == "group.equal") { if (length(v) && any(nzchar(v))) cli <- c(cli, "--group-equal", paste(v, collapse = ",")) }
    else if (o == "group.partial") cli <- c(cli, "--group-partial", paste(gsub(" ", "", v), collapse = ","))
    else if (o == "std.lv") { if (isTRUE(v)) cli <- c(cli, "--std-lv") }
    else if (o == "fixed.x") { if (isFALSE(v)) cli <- c(cli, "--no-fixed-x") }
    else if (o == "likelihood") cli <- c(cli, "--likelihood", v)
    else if (o == "estimator" && toupper(v) == "ML") next
    else if (o == "missing" && v %in% c("listwise", "default")) next
    else if (o %in% c("missing", "estimator", "information") && is.character(v) && length(v) == 1)
      cli <- c(cli, paste0("--", o, "=", v))
    else if (o == "ordered" && isTRUE(v)) cli <- c(cli, "--ordered")
    else if (o == "ordered" && is.character(v)) cli <- c(cli, paste0("--ordered=", paste(v, collapse = ",")))
    else if (o == "meanstructure" && is.logical(v)) cli <- c(cli, paste0("--meanstructure=", tf(v)))
    else if (o %in% switches) cli <- c(cli, paste0("--", gsub(".", "-", o, fixed = TRUE), "=", tf(v)))
    else if (o == "orthogonal") { if (isTRUE(v)) cli <- c(cli, "--orthogonal") }
    else return(no(paste0("option ", o, " = ", paste(format(v), collapse = ","))))
  }
  list(model = model, data = a$data, cli = cli)
}

fit.names <- c("npar", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli",
               "logl", "aic", "bic", "rmsea", "srmr")

if (mode == "prepare") {
  rec <- record_examples()
  for (t in c(tutorial(), switches())) rec[[length(rec) + 1L]] <- list(fun = t$fun, page = t$name,
                                                        args = c(list(model = t$model, data = t$data), t$opts))
  seen <- character(); index <- NULL; datasets <- list()
  for (r in rec) {
    key <- paste(r$fun, paste(deparse(r$args[names(r$args) != "data"]), collapse = ""),
                 if (is.data.frame(r$args$data)) paste(dim(r$args$data), collapse = "x") else "")
    if (key %in% seen) next
    seen <- c(seen, key)
    name <- sprintf("%s_%02d", gsub("[^A-Za-z0-9]", "_", r$page), length(seen))
    tr <- translate(r$fun, r$args)
    if (!is.null(tr$why)) {
      index <- rbind(index, data.frame(case = name, page = r$page, attempted = FALSE, why = tr$why))
      next
    }
    # the data set, once per distinct frame
    dkey <- paste(paste(dim(tr$data), collapse = "x"), paste(names(tr$data), collapse = ","),
                  format(sum(unlist(lapply(tr$data, function(x) if (is.numeric(x)) sum(x, na.rm = TRUE) else 0))), digits = 15))
    if (is.null(datasets[[dkey]])) {
      datasets[[dkey]] <- sprintf("data%02d", length(datasets) + 1L)
      write.csv(tr$data, file.path(dir, paste0(datasets[[dkey]], ".csv")), row.names = FALSE, na = "NA")
    }
    fit <- try(suppressWarnings(do.call(r$fun, r$args, envir = asNamespace("lavaan"))), silent = TRUE)
    if (inherits(fit, "try-error") || !lavInspect(fit, "converged")) {
      why <- if (inherits(fit, "try-error")) paste("lavaan failed:", gsub("\n", " ", conditionMessage(attr(fit, "condition"))))
             else "lavaan did not converge"
      index <- rbind(index, data.frame(case = name, page = r$page, attempted = FALSE, why = substr(why, 1, 120)))
      next
    }
    # nlminb stops at rel.tol 1e-10, which can leave estimates ~1e-4 from the
    # optimum (PoliticalDemocracy): polish from lavaan's own solution, keep it
    # if F did not increase and the model is the same (as sem_lavaan.R)
    fm.first <- fitMeasures(fit, fit.names)
    tight <- try(suppressWarnings(do.call(r$fun, envir = asNamespace("lavaan"), c(r$args, list(start = fit, control = list(
      rel.tol = 1e-14, eval.max = 1e5, iter.max = 1e5, control.outer = list(tol = 1e-10, itmax = 500L)))))), silent = TRUE)
    if (!inherits(tight, "try-error") && tight@optim$fx <= fit@optim$fx + 1e-15 &&
        tight@optim$npar == fit@optim$npar) {
      again <- try(suppressWarnings(do.call(r$fun, envir = asNamespace("lavaan"), c(r$args, list(start = tight)))), silent = TRUE)
      if (!inherits(again, "try-error") && again@optim$converged && again@optim$fx <= fit@optim$fx + 1e-15 &&
          again@optim$npar == fit@optim$npar) fit <- again
    }
    writeLines(tr$model, file.path(dir, paste0(name, ".lav")))
    writeLines(tr$cli, file.path(dir, paste0(name, ".args")))
    writeLines(datasets[[dkey]], file.path(dir, paste0(name, ".data")))
    pe <- parameterEstimates(fit)
    if (is.null(pe$block)) pe$block <- ifelse(pe$op == ":=", 0L, 1L)
    if (is.null(pe$group)) pe$group <- pe$block
    if (is.null(pe$label)) pe$label <- ""
    write.csv(pe[, c("lhs", "op", "rhs", "block", "group", "label", "est", "se", "z", "pvalue")],
              file.path(dir, paste0(name, ".ref.est.csv")), row.names = FALSE)
    # the polishing refits pass start = fit to the baseline model too, which can
    # make its estimation fail (NA); the baseline does not depend on the polish
    fm <- fitMeasures(fit, fit.names)
    lost <- is.na(fm) & !is.na(fm.first)
    fm[lost] <- fm.first[lost]
    write.csv(data.frame(measure = fit.names, value = as.numeric(fm)),
              file.path(dir, paste0(name, ".ref.fit.csv")), row.names = FALSE)
    index <- rbind(index, data.frame(case = name, page = r$page, attempted = TRUE, why = ""))
  }
  write.csv(index, file.path(dir, "index.csv"), row.names = FALSE)
  quit(status = 0)
}

# ---- compare ----------------------------------------------------------------------
index <- read.csv(file.path(dir, "index.csv"), stringsAsFactors = FALSE)
maxdiff <- function(a, b) { d <- abs(a - b); d[is.na(a) & is.na(b)] <- 0; if (length(d)) max(d) else 0 }
failed <- FALSE
res <- character()
for (i in seq_len(nrow(index))) {
  cs <- index$case[i]
  if (!index$attempted[i]) { res[cs] <- "not attempted"; cat(sprintf("%-28s not attempted: %s\n", cs, index$why[i])); next }
  err <- file.path(dir, paste0(cs, ".err"))
  out.file <- file.path(dir, paste0(cs, ".out.est.csv"))
  if (!file.exists(out.file) || file.size(out.file) == 0) {
    res[cs] <- "refused"
    cat(sprintf("%-28s refused by vagap: %s\n", cs, paste(readLines(err, warn = FALSE), collapse = " ")))
    next
  }
  ref <- read.csv(file.path(dir, paste0(cs, ".ref.est.csv")), stringsAsFactors = FALSE)
  out <- read.csv(out.file, stringsAsFactors = FALSE)
  for (col in c("label", "rhs")) { ref[[col]][is.na(ref[[col]])] <- ""; out[[col]][is.na(out[[col]])] <- "" }
  why <- character()
  if (nrow(ref) != nrow(out) || !all(ref$lhs == out$lhs & ref$op == out$op & ref$rhs == out$rhs &
                                     ref$group == out$group & ref$label == out$label)) {
    why <- "parameter rows differ"
  } else {
    d <- maxdiff(ref$est, out$est); if (!(d <= 1e-4)) why <- c(why, sprintf("est %.3g", d))
    pinned <- (is.na(ref$se) | ref$se == 0) & !is.na(out$se) & out$se == 0
    free <- !is.na(ref$se) & ref$se > 0
    s <- if (any(free)) max(abs(out$se[free] / ref$se[free] - 1)) else 0
    if (!(s <= 1e-3) || any(is.na(ref$se) != is.na(out$se) & !pinned)) why <- c(why, sprintf("se %.3g", s))
    rf <- read.csv(file.path(dir, paste0(cs, ".ref.fit.csv")), stringsAsFactors = FALSE)
    of <- read.csv(file.path(dir, paste0(cs, ".out.fit.csv")), stringsAsFactors = FALSE)
    v <- setNames(of$value, of$measure)
    for (k in seq_len(nrow(rf))) {
      m <- rf$measure[k]; r <- rf$value[k]; o <- v[m]
      ok <- if (m %in% c("df", "npar", "baseline.df")) isTRUE(o == r)
            else if (m %in% c("chisq", "baseline.chisq")) isTRUE(abs(o - r) / max(abs(r), 1) <= 1e-5)
            else isTRUE(abs(o - r) <= 1e-4) || (is.na(o) && is.na(r))
      if (!ok) why <- c(why, sprintf("%s %s vs %s", m, format(o), format(r)))
    }
  }
  res[cs] <- if (length(why)) "disagrees" else "agrees"
  if (length(why)) failed <- TRUE
  cat(sprintf("%-28s %s %s\n", cs, res[cs], paste(why, collapse = "; ")))
}
tab <- table(factor(res, levels = c("agrees", "disagrees", "refused", "not attempted")))
cat(sprintf("corpus: %d fits (%d from manual pages, %d from the tutorial and the lavaan() switch cases); attempted %d; accepted by vagap %d; agree %d; disagree %d; refused %d\n",
            length(res), sum(!grepl("^(tut|sw)_", names(res))), sum(grepl("^(tut|sw)_", names(res))),
            sum(index$attempted), tab[["agrees"]] + tab[["disagrees"]], tab[["agrees"]], tab[["disagrees"]], tab[["refused"]]))
quit(status = if (failed) 1 else 0)
