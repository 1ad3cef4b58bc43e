# Shared by the lavaan cross-check R scripts (sourced, not a test of its own):
# the reference fit with tight tolerances and its files for tests/crosscheck/lib/lavaan.sh.
suppressPackageStartupMessages(library(lavaan))

# do.call(fun, call), refitted with tight tolerances: lavaan's augmented Lagrangian
# stops at |constraint| < 1e-6 and nlminb at rel.tol 1e-10; tighter tolerances put
# its solution where vagap's is (kept only when it converges and F is not larger).
lavaan_tight_fit <- function(fun, call) {
  fit <- do.call(fun, call)
  tight <- try(suppressWarnings(do.call(fun, c(call, list(control = list(rel.tol = 1e-14,
    eval.max = 1e5, iter.max = 1e5, control.outer = list(tol = 1e-10, itmax = 500L)))))), silent = TRUE)
  if (!inherits(tight, "try-error") && tight@optim$converged && tight@optim$fx <= fit@optim$fx + 1e-12)
    fit <- tight
  fit
}

# DIR/NAME.ref.est.csv (parameterEstimates(standardized = TRUE) in vagap's columns)
# and DIR/NAME.ref.fit.csv (fitMeasures(fit)[fit.names] as measure,value; NA where lavaan prints none).
lavaan_write_reference <- function(fit, dir, name, fit.names) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  if (is.null(pe$block)) { pe$block <- ifelse(pe$op == ":=", 0L, 1L); pe$group <- pe$block }
  if (is.null(pe$label)) pe$label <- ""
  pe <- pe[, c("lhs", "op", "rhs", "block", "group", "label", "est", "se", "z", "pvalue",
               "ci.lower", "ci.upper", "std.lv", "std.all")]
  write.csv(pe, file.path(dir, paste0(name, ".ref.est.csv")), row.names = FALSE)
  fm <- fitMeasures(fit)  # a name lavaan does not print for this fit is NA
  write.csv(data.frame(measure = fit.names, value = unname(fm[fit.names])),
            file.path(dir, paste0(name, ".ref.fit.csv")), row.names = FALSE)
}
