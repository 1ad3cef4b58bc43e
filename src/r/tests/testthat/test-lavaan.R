# vagap::sem against lavaan::sem itself.  lavaan's nlminb stops at rel.tol 1e-10,
# which can leave its estimates ~1e-6 from the optimum; as in the project's
# cross-check (tests/crosscheck/sem_lavaan.R) lavaan's solution is polished with
# rel.tol 1e-14 ("false convergence" once double precision is exhausted) and
# restarted from there, kept only if F did not increase.
lavaan_tight <- function(model, data, ...) {
  fit <- lavaan::sem(model, data, ...)
  tight <- suppressWarnings(lavaan::sem(model, data, ..., start = fit,
                            control = list(rel.tol = 1e-14, eval.max = 1e5, iter.max = 1e5)))
  if (tight@optim$fx <= fit@optim$fx) {
    again <- lavaan::sem(model, data, ..., start = tight)
    if (again@optim$converged && again@optim$fx <= fit@optim$fx &&
        lavaan::fitMeasures(again, "npar") == lavaan::fitMeasures(fit, "npar")) fit <- again
  }
  fit
}

compare_lavaan <- function(model, data, ...) {
  mine <- vagap::sem(model, data, ...)
  ref <- lavaan_tight(model, data, ...)
  pe <- lavaan::parameterEstimates(ref, standardized = TRUE, remove.system.eq = TRUE)
  if (is.null(pe$group)) pe$group <- ifelse(pe$op == ":=", 0L, 1L)
  if (is.null(pe$label)) pe$label <- ""
  est <- mine$estimates
  expect_identical(est$lhs, pe$lhs)
  expect_identical(est$op, pe$op)
  expect_identical(est$rhs, pe$rhs)
  expect_identical(est$group, as.integer(pe$group))
  expect_identical(est$label, pe$label)
  d <- list(est = max(abs(est$est - pe$est)),
            se = max(abs(est$se - pe$se) / pmax(abs(pe$se), 1e-8), na.rm = TRUE),
            std.all = max(abs(est$std.all - pe$std.all), na.rm = TRUE),
            ci = max(abs(est$ci.lower - pe$ci.lower), na.rm = TRUE))
  expect_lt(d$est, 1e-4)
  expect_lt(d$se, 1e-3)
  expect_lt(d$std.all, 1e-4)
  expect_lt(d$ci, 1e-4)
  fm <- lavaan::fitMeasures(ref)
  common <- intersect(names(mine$fit), names(fm))
  expect_gte(length(common), 21)
  for (m in common) expect_equal(unname(mine$fit[m]), unname(fm[m]), tolerance = 1e-5, info = m)
  # lavaan's printed digits (3 decimals in summary()) agree
  expect_identical(sprintf("%.3f", est$est), sprintf("%.3f", pe$est))
  if (nzchar(Sys.getenv("VAGAP_R_REPORT")))
    message(sprintf("lavaan max |d est| %.2g, rel se %.2g, |d std.all| %.2g, |d ci| %.2g, rel fit %.2g",
                    d$est, d$se, d$std.all, d$ci,
                    max(abs(mine$fit[common] - fm[common]) / pmax(abs(fm[common]), 1))))
  d
}

test_that("sem agrees with lavaan: Holzinger-Swineford, one and two groups, invariance", {
  hs <- hs_data()
  compare_lavaan(hs_model, hs)
  compare_lavaan(hs_model, hs, group = "school")
  compare_lavaan(hs_model, hs, group = "school", group.equal = c("loadings", "intercepts"))
  compare_lavaan(hs_model, hs, group = "school", std.lv = TRUE, group.equal = "loadings")
  compare_lavaan(hs_model, hs, likelihood = "wishart")
})

test_that("errors are vagap_error conditions with the library's message and location", {
  hs <- hs_data()
  e <- tryCatch(vagap::sem("f =~ x1 +\n y <~ x1", hs), vagap_error = function(e) e)
  expect_s3_class(e, "vagap_error")
  expect_identical(e$line, 2L)
  expect_match(conditionMessage(e), "not supported")
  expect_error(vagap::sem(hs_model, hs, estimator = "MLR"), "unsupported option")
  expect_error(vagap::sem("f =~ a + b + c", hs), "no column 'a'", class = "vagap_error")
  expect_error(vagap::ttest(c(1, 1, 1)), "constant", class = "vagap_error")
  expect_error(vagap::sem(hs_model, hs, group.equal = "loading"), class = "vagap_error")
})
