# Cross-check of vagap sem --ordered (thresholds, polychoric correlations,
# DWLS/WLSMV/WLS/ULSMV) against lavaan, on ordinal data cut at test time from
# continuous factor-model data (fixed seeds).
#   Rscript ordinal_lavaan.R prepare DIR   -> DIR/CASE.{lav,data,args} + references
#   Rscript ordinal_lavaan.R compare DIR   -> compares DIR/CASE.out.* with them
suppressMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
mode <- args[1]
dir <- args[2]

# n rows of a factor model (nf factors, loadings lam, factor correlation 0.4,
# factor means shift), each item cut at its thresholds
cut_data <- function(n, lam, fac, cuts, shift = 0, seed = 1) {
  set.seed(seed)
  nf <- max(fac)
  R <- matrix(0.4, nf, nf); diag(R) <- 1
  F <- matrix(rnorm(n * nf), n, nf) %*% chol(R) + shift
  X <- sapply(seq_along(lam), function(i) lam[i] * F[, fac[i]] + rnorm(n, sd = sqrt(1 - lam[i]^2)))
  d <- as.data.frame(X)
  names(d) <- paste0("y", seq_along(lam))
  for (i in seq_along(lam)) d[[i]] <- cut(X[, i], c(-Inf, cuts[[i]], Inf), labels = FALSE)
  d
}

cases <- list()
add_case <- function(name, model, data, fitargs, vargs) {
  cases[[name]] <<- list(model = model, data = data, fitargs = fitargs, vargs = vargs)
}

if (mode == "prepare") {
  # 1: one factor, 2 to 7 categories, WLSMV (lavaan's default for ordered data)
  cuts1 <- list(c(-1, 0, 1), 0, c(-.5, .5, 1.5), c(-1.5, -.5, .3, .9, 1.7), c(-2, -1.2, -.4, .4, 1.1, 2.1))
  d1 <- cut_data(300, c(.7, .6, .75, .65, .55), rep(1, 5), cuts1, seed = 11)
  add_case("one_factor", "f =~ y1 + y2 + y3 + y4 + y5", d1, list(ordered = TRUE), c("--ordered"))
  # 2: two factors, skewed 5- and 7-category items with sparse end categories
  #    (zero cells in bivariate tables), a listed --ordered
  sk <- list(c(-2.3, -1.6, -.9, .8), c(-2.5, -1.8, -1, -.2, .7, 2.2), c(-2.2, -1.4, -.6, .9),
             c(-2.4, -1.5, -.5, .5, 1.5, 2.4), c(-1.9, -1.1, 0, 1.2), c(-2.6, -1.3, -.3, .6, 1.6, 2.5))
  d2 <- cut_data(250, c(.8, .7, .75, .6, .7, .65), c(1, 1, 1, 2, 2, 2), sk, seed = 12)
  add_case("two_factor_sparse", "f1 =~ y1 + y2 + y3\nf2 =~ y4 + y5 + y6", d2,
           list(ordered = paste0("y", 1:6)), c("--ordered=y1,y2,y3,y4,y5,y6"))
  # 2a: numeric columns with non-integer values: lavaan's ordered() levels are the sorted
  #     distinct values (HolzingerSwineford's x1 style: 3.333, 4.167, ...), negative too
  d2a <- d1
  d2a$y1 <- c(-0.75, 0.5, 1.25, 2.5)[d1$y1]
  d2a$y4 <- round(d1$y4 / 3, 3)
  add_case("noninteger", "f =~ y1 + y2 + y3 + y4 + y5", d2a, list(ordered = TRUE), c("--ordered"))
  # 3: binary items, one 2 x 2 table with an empty cell (lavaan adds 0.5 keeping margins)
  d3 <- cut_data(200, c(.8, .85, .6, .7), rep(1, 4), list(-1.2, 1.3, 0, c(-.5, .5)), seed = 13)
  d3$y2[d3$y1 == 1 & d3$y2 == 2] <- 1  # y1 = 1 never goes with y2 = 2
  add_case("binary_zero_cell", "f =~ y1 + y2 + y3 + y4", d3, list(ordered = TRUE), c("--ordered"))
  # 4: two groups, thresholds and loadings equal (scale factors and latent means free)
  ga <- cut_data(400, c(.7, .6, .8, .5), rep(1, 4), cuts1[1:4], seed = 14)
  gb <- cut_data(350, c(.7, .7, .6, .5), rep(1, 4), cuts1[1:4], shift = .3, seed = 15)
  d4 <- rbind(ga, gb)
  d4$g <- rep(c("a", "b"), c(400, 350))
  add_case("groups_equal", "f =~ y1 + y2 + y3 + y4", d4,
           list(ordered = TRUE, group = "g", group.equal = c("thresholds", "loadings")),
           c("--ordered", "--group", "g", "--group-equal", "thresholds,loadings"))
  # 4a: the same with a free threshold and a free loading (group.partial)
  add_case("groups_partial", "f =~ y1 + y2 + y3 + y4", d4,
           list(ordered = TRUE, group = "g", group.equal = c("thresholds", "loadings"),
                group.partial = c("y1|t2", "f=~y3")),
           c("--ordered", "--group", "g", "--group-equal", "thresholds,loadings", "--group-partial", "y1|t2,f=~y3"))
  # 4b: the same in the theta parameterization (residual variances free in group 2)
  add_case("groups_theta", "f =~ y1 + y2 + y3 + y4", d4,
           list(ordered = TRUE, group = "g", group.equal = c("thresholds", "loadings"), parameterization = "theta"),
           c("--ordered", "--group", "g", "--group-equal", "thresholds,loadings", "--parameterization", "theta"))
  # 4c: two groups configural and with equal loadings only, WLSMV: the catML-based .robust
  #     measures of several groups (with equal thresholds lavaan's catML fails: NA)
  add_case("groups_configural", "f =~ y1 + y2 + y3 + y4", d4, list(ordered = TRUE, group = "g"),
           c("--ordered", "--group", "g"))
  add_case("groups_loadings", "f =~ y1 + y2 + y3 + y4", d4,
           list(ordered = TRUE, group = "g", group.equal = "loadings"),
           c("--ordered", "--group", "g", "--group-equal", "loadings"))
  # 5: three groups configural, DWLS (standard SEs and test)
  gc <- cut_data(300, c(.6, .6, .7, .6), rep(1, 4), cuts1[1:4], seed = 16)
  d5 <- rbind(ga, gb, gc)
  d5$g <- rep(c("a", "b", "c"), c(400, 350, 300))
  add_case("groups_dwls", "f =~ y1 + y2 + y3 + y4", d5,
           list(ordered = TRUE, group = "g", estimator = "DWLS"),
           c("--ordered", "--group", "g", "--estimator", "DWLS"))
  # 6: missing answers, pairwise deletion in the first stage
  d6 <- d1
  set.seed(17)
  for (i in 1:5) d6[sample(300, 25), i] <- NA
  add_case("pairwise", "f =~ y1 + y2 + y3 + y4 + y5", d6, list(ordered = TRUE, missing = "pairwise"),
           c("--ordered", "--missing", "pairwise"))
  # 7: full WLS and ULSMV, a threshold label and a structural regression
  d7 <- cut_data(500, c(.8, .7, .6, .7, .75, .6), c(1, 1, 1, 2, 2, 2), rep(list(c(-1, 0, 1)), 6), seed = 18)
  m7 <- "f1 =~ y1 + y2 + y3\nf2 =~ y4 + y5 + y6\nf2 ~ b*f1\ny1 | a*t1 + t2 + t3\nd := 2*b + a"
  add_case("wls", m7, d7, list(ordered = TRUE, estimator = "WLS"), c("--ordered", "--estimator", "WLS"))
  add_case("theta_sem", m7, d7, list(ordered = TRUE, parameterization = "theta"),
           c("--ordered", "--parameterization", "theta"))
  add_case("ulsmv", m7, d7, list(ordered = TRUE, estimator = "ULSMV"), c("--ordered", "--estimator", "ULSMV"))
  # 7b: ULSMV's catML .robust measures (identity weights; the case above has NA: its := uses a threshold)
  add_case("ulsmv_robust", "f =~ y1 + y2 + y3 + y4 + y5", d1, list(ordered = TRUE, estimator = "ULSMV"),
           c("--ordered", "--estimator", "ULSMV"))

  # 7a: explicit constraints: two loadings and two thresholds equal (==), an active
  #     inequality on a loading (<), a defined parameter over a threshold label
  mc <- "f =~ y1 + a*y2 + b*y3 + y4 + y5\ny1 | t11*t1 + t2 + t3\ny3 | t31*t1 + t2 + t3\na == b\nt11 == t31"
  add_case("constraints_eq", mc, d1, list(ordered = TRUE), c("--ordered"))
  mi <- "f =~ y1 + y2 + c*y3 + y4 + y5\nc < 0.9\nd := 2*c"
  add_case("constraints_ineq", mi, d1, list(ordered = TRUE), c("--ordered"))
  mg <- "f =~ y1 + c(l2a, l2b)*y2 + y3 + y4\nl2a == l2b"
  add_case("constraints_groups", mg, d4, list(ordered = TRUE, group = "g"), c("--ordered", "--group", "g"))
  # 8: ordered and numeric indicators together (polyserial and Pearson correlations)
  mix <- function(seed, n, shift = 0) {
    d <- cut_data(n, c(.7, .7, .7, .7, .7, .6), c(1, 1, 1, 2, 2, 2), list(c(-1, 0, 1), 0, c(-.5, .7), 0, c(-1, 1), 0),
                  shift = shift, seed = seed)
    set.seed(seed + 100)
    f <- rnorm(n)
    d$x1 <- round(2 + 1.5 * (0.7 * f + rnorm(n, sd = .7)) + shift, 3)
    d$x2 <- round(10 + 3 * (0.6 * f + rnorm(n, sd = .8)), 3)
    d
  }
  dm <- mix(19, 400)
  mm <- "f1 =~ y1 + y2 + y3 + x1\nf2 =~ y4 + y5 + y6 + x2\nf2 ~ f1"
  add_case("mixed", mm, dm, list(ordered = paste0("y", 1:6)), c("--ordered=y1,y2,y3,y4,y5,y6"))
  dmp <- dm
  set.seed(20)
  for (v in c("y1", "x1", "x2", "y5")) dmp[sample(400, 30), v] <- NA
  add_case("mixed_pairwise", mm, dmp, list(ordered = paste0("y", 1:6), missing = "pairwise"),
           c("--ordered=y1,y2,y3,y4,y5,y6", "--missing", "pairwise"))
  dmg <- rbind(mix(21, 300), mix(22, 300, shift = .4))
  dmg$g <- rep(c("a", "b"), each = 300)
  add_case("mixed_groups", "f =~ y1 + y2 + y3 + x1 + x2", dmg,
           list(ordered = c("y1", "y2", "y3"), group = "g", group.equal = c("thresholds", "loadings")),
           c("--ordered=y1,y2,y3", "--group", "g", "--group-equal", "thresholds,loadings"))

  # invariance ladders (vagap sem --invariance): lavTestLRT's scaled difference tests
  inv <- list(inv_ordinal = list(model = "f =~ y1 + y2 + y3 + y4", data = d4, ordered = TRUE, vord = "--ordered"),
              inv_mixed = list(model = "f =~ y1 + y2 + y3 + x1 + x2", data = dmg, ordered = c("y1", "y2", "y3"),
                               vord = "--ordered=y1,y2,y3"))
  for (nm in names(inv)) {
    iv <- inv[[nm]]
    fits <- lapply(list("", "loadings", c("loadings", "thresholds")), function(ge)
      cfa(iv$model, iv$data, ordered = iv$ordered, group = "g", group.equal = ge))
    lrt <- as.data.frame(do.call(lavTestLRT, unname(fits)))
    fm <- t(sapply(fits, function(f) fitMeasures(f)[c("npar", "df", "chisq", "chisq.scaled", "cfi.scaled")]))
    write.csv(data.frame(model = c("configural", "metric", "scalar"), fm, chisq.diff = lrt[["Chisq diff"]],
                         df.diff = lrt[["Df diff"]], pvalue.diff = lrt[["Pr(>Chisq)"]]),
              file.path(dir, paste0(nm, ".ref.inv.csv")), row.names = FALSE)
    writeLines(iv$model, file.path(dir, paste0(nm, ".invlav")))
    write.csv(iv$data, file.path(dir, paste0(nm, ".csv")), row.names = FALSE, na = "")
    writeLines(iv$vord, file.path(dir, paste0(nm, ".invord")))
  }

  for (nm in names(cases)) {
    cs <- cases[[nm]]
    writeLines(cs$model, file.path(dir, paste0(nm, ".lav")))
    write.csv(cs$data, file.path(dir, paste0(nm, ".csv")), row.names = FALSE, na = "")
    writeLines(nm, file.path(dir, paste0(nm, ".data")))
    writeLines(cs$vargs, file.path(dir, paste0(nm, ".args")))
    fit <- do.call("cfa", c(list(model = cs$model, data = quote(cs$data)), cs$fitargs))
    pe <- parameterEstimates(fit, standardized = TRUE)
    write.csv(pe, file.path(dir, paste0(nm, ".ref.est.csv")), row.names = FALSE)
    fm <- fitMeasures(fit)
    write.csv(data.frame(measure = names(fm), value = as.numeric(fm)),
              file.path(dir, paste0(nm, ".ref.fit.csv")), row.names = FALSE)
    # the first stage: thresholds and polychorics with SEs sqrt(diag(Gamma) / n)
    G <- lavInspect(fit, "ngroups")
    obs <- lavInspect(fit, "wls.obs"); gam <- lavInspect(fit, "gamma"); nobs <- lavInspect(fit, "nobs")
    if (G == 1) { obs <- list(obs); gam <- list(gam) }
    ss <- do.call(rbind, lapply(seq_len(G), function(g)
      data.frame(group = g, k = seq_along(obs[[g]]), est = as.numeric(obs[[g]]),
                 se = sqrt(diag(gam[[g]]) / nobs[g]))))
    write.csv(ss, file.path(dir, paste0(nm, ".ref.ss.csv")), row.names = FALSE)
    shift <- if (length(fit@test) > 1 && !is.null(fit@test[[2]]$shift.parameter)) fit@test[[2]]$shift.parameter else NA
    writeLines(format(shift, digits = 17), file.path(dir, paste0(nm, ".ref.shift")))
  }
  # the polyserial correlations at lavaan's log-likelihood maximum: lav_bvmix's fit with
  # nlminb's tolerances tightened (its default rel.tol stops up to ~1e-5 short of it)
  num <- c("x1", "x2")
  tight <- do.call(rbind, lapply(num, function(x) do.call(rbind, lapply(paste0("y", 1:6), function(y) {
    Y1 <- dm[[x]]; Y2 <- as.integer(ordered(dm[[y]]))
    fy1 <- lavaan:::lav_uvreg_fit(y = Y1); fy2 <- lavaan:::lav_uvord_fit(y = Y2)
    ctl <- list(rel.tol = 1e-15, x.tol = 1e-15, eval.max = 1000, iter.max = 1000)
    r <- lavaan:::lav_bvmix_cor_twostep_fit(Y1, Y2, fit.y1 = fy1, fit.y2 = fy2, control = ctl)
    data.frame(x = x, y = y, cov = r * sqrt(mean((Y1 - mean(Y1))^2)))
  }))))
  write.csv(tight, file.path(dir, "mixed.ref.polyserial.csv"), row.names = FALSE)
  quit(status = 0)
}

# ---- compare ----
status <- 0
fail <- function(...) { cat("FAIL:", ..., "\n"); status <<- 1 }
worst <- list(th = 0, th_se = 0, est = 0, se = 0, chisq = 0, fit = 0, robust = 0)
note <- function(k, v) if (is.finite(v)) worst[[k]] <<- max(worst[[k]], v)
rel <- function(a, b) abs(a - b) / pmax(abs(b), 1e-8)

for (lav in list.files(dir, pattern = "\\.lav$", full.names = TRUE)) {
  nm <- sub("\\.lav$", "", basename(lav))
  ref <- read.csv(file.path(dir, paste0(nm, ".ref.est.csv")), stringsAsFactors = FALSE)
  out <- read.csv(file.path(dir, paste0(nm, ".out.est.csv")), stringsAsFactors = FALSE)
  if (nrow(ref) != nrow(out)) { fail(nm, "rows:", nrow(out), "vs lavaan", nrow(ref)); next }
  if (!all(ref$lhs == out$lhs & ref$op == out$op & ref$rhs == out$rhs))
    { fail(nm, "row order differs from lavaan's"); next }
  grp <- if (is.null(ref$group)) ifelse(ref$op == ":=", 0, 1) else ref$group
  if (!all(grp == out$group)) fail(nm, "groups differ")
  d <- abs(out$est - ref$est)
  note("est", max(d)); if (max(d) > 1e-4) fail(nm, "est differs by", max(d))
  free <- ref$se > 0 & !is.na(ref$se)
  r <- rel(out$se[free], ref$se[free])
  note("se", max(r)); if (max(r) > 1e-3) fail(nm, "se differs (relative)", max(r))
  for (col in c("std.lv", "std.all")) {
    ok <- !is.na(ref[[col]])
    dd <- abs(out[[col]][ok] - ref[[col]][ok])
    if (any(is.na(dd)) || max(dd) > 1e-4) fail(nm, col, "differs by", max(dd))
  }
  # first stage
  rs <- read.csv(file.path(dir, paste0(nm, ".ref.ss.csv")))
  os <- read.csv(file.path(dir, paste0(nm, ".out.ss.csv")))
  if (nrow(rs) != nrow(os)) { fail(nm, "first stage size", nrow(os), "vs", nrow(rs)) } else {
    d <- max(abs(os$est - rs$est)); note("th", d)
    if (d > 1e-4) fail(nm, "thresholds/polychorics differ by", d)
    r <- max(rel(os$se, rs$se)); note("th_se", r)
    if (r > 1e-3) fail(nm, "first-stage SEs differ (relative)", r)
  }
  # fit measures: the test statistics to 1e-5 relative, the rest to 1e-4 absolute
  rf <- read.csv(file.path(dir, paste0(nm, ".ref.fit.csv")), stringsAsFactors = FALSE)
  of <- read.csv(file.path(dir, paste0(nm, ".out.fit.csv")), stringsAsFactors = FALSE)
  tight <- c("chisq", "chisq.scaled", "chisq.scaling.factor", "baseline.chisq", "baseline.chisq.scaled",
             "baseline.chisq.scaling.factor")
  compared <- 0
  for (k in seq_len(nrow(of))) {
    m <- of$measure[k]
    if (!m %in% rf$measure) next
    a <- of$value[k]; b <- rf$value[rf$measure == m]
    if (is.na(b) && is.na(a)) next
    if (is.na(a) != is.na(b)) { fail(nm, m, "=", a, "vs lavaan", b); next }
    compared <- compared + 1
    if (m %in% tight) {
      r <- if (abs(b) < 1e-8) abs(a - b) else rel(a, b); note("chisq", r)
      if (r > 1e-5) fail(nm, m, "=", a, "vs lavaan", b)
    } else {
      note("fit", abs(a - b))
      if (abs(a - b) > 1e-4 * max(1, abs(b))) fail(nm, m, "=", a, "vs lavaan", b)
    }
  }
  if (compared < 10) fail(nm, "only", compared, "fit measures compared")
  # the set lavaan prints, every one of them (NA where lavaan prints NA)
  missing <- setdiff(rf$measure, of$measure)
  if (length(missing)) fail(nm, "measures lavaan prints and vagap does not:", paste(missing, collapse = " "))
  extra <- setdiff(of$measure, c(rf$measure, "chisq.shift.parameter", "converged", "admissible"))
  extra <- extra[!grepl("^chisq(\\.scaled)?\\.group\\.", extra)]
  if (length(extra)) fail(nm, "measures vagap prints and lavaan does not:", paste(extra, collapse = " "))
  rob <- of$measure[grepl("robust|rmr|gfi|wrmr|mfi", of$measure)]
  for (r in rob) {
    a <- of$value[of$measure == r]; b <- rf$value[rf$measure == r]
    if (length(b) == 1 && is.finite(a) && is.finite(b)) note("robust", abs(a - b))
  }
  shift <- suppressWarnings(as.numeric(readLines(file.path(dir, paste0(nm, ".ref.shift")))))
  if (is.finite(shift)) {
    a <- of$value[of$measure == "chisq.shift.parameter"]
    if (length(a) != 1 || rel(a, shift) > 1e-5) fail(nm, "shift parameter", a, "vs lavaan", shift)
  }
  cat(nm, ": compared", nrow(ref), "rows,", nrow(rs), "first-stage statistics,", compared, "fit measures\n")
}
# the polyserial covariances against lavaan's at its maximum (tight nlminb tolerances)
tp <- read.csv(file.path(dir, "mixed.ref.polyserial.csv"), stringsAsFactors = FALSE)
os <- read.csv(file.path(dir, "mixed.out.ss.csv"), stringsAsFactors = FALSE)
key <- function(a, b) paste(pmin(a, b), pmax(a, b))
okey <- sapply(strsplit(os$name, "~~"), function(v) if (length(v) == 2) key(v[1], v[2]) else "")
d <- abs(os$est[match(key(tp$x, tp$y), okey)] - tp$cov)
if (anyNA(d) || max(d) > 1e-6) fail("polyserial covariances differ from lavaan's tight maximum by", max(d))
cat("polyserial: 12 covariances vs lavaan at tight tolerance, max diff", signif(max(d), 2), "\n")
# invariance ladders: every test statistic to 1e-5 relative (1e-6 absolute near 0); with
# numeric indicators 1e-4: lavaan's polyserial correlations stop on nlminb's tolerance about
# 1e-5 from the maximum (doc/methods.md), which the difference test amplifies
for (f in list.files(dir, pattern = "\\.ref\\.inv\\.csv$", full.names = TRUE)) {
  nm <- sub("\\.ref\\.inv\\.csv$", "", basename(f))
  ref <- read.csv(f)
  out <- read.csv(file.path(dir, paste0(nm, ".out.inv.csv")))
  tol <- if (grepl("mixed", nm)) 1e-4 else 1e-5
  worst_inv <- 0
  for (col in c("npar", "df", "chisq", "chisq.scaled", "cfi.scaled", "chisq.diff", "df.diff", "pvalue.diff")) {
    a <- out[[col]]; b <- ref[[col]]
    ok <- (is.na(a) & is.na(b)) | (!is.na(a) & !is.na(b) & abs(a - b) <= pmax(tol * abs(b), 1e-6))
    if (!all(ok)) fail(nm, col, paste(a, collapse = " "), "vs lavaan", paste(b, collapse = " "))
    if (col == "chisq.diff") worst_inv <- max(rel(a[-1], b[-1]))
  }
  cat(nm, ": compared", nrow(ref), "invariance rows; max rel chisq.diff diff", signif(worst_inv, 2), "\n")
}
cat(sprintf("max |est diff| %.2g, max rel se diff %.2g, max first-stage diff %.2g (se rel %.2g), max rel chisq diff %.2g, max fit diff %.2g (.robust, rmr/srmr/crmr, gfi, wrmr, mfi: %.2g)\n",
            worst$est, worst$se, worst$th, worst$th_se, worst$chisq, worst$fit, worst$robust))
quit(status = status)
