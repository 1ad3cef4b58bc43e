# vagap::ttest/corr/sem give the numbers the program prints, to the last digit.

test_that("ttest: one-sample, paired, Welch and Student match the program", {
  d <- read.csv(source_data("stats_units.csv"))
  path <- write_temp(d, ".csv")
  expect_same_table(vagap::ttest("selfreport", data = d, mu = 0.7),
                    run_program("ttest", "--x", "selfreport", "--mu", "0.7", path))
  expect_same_table(vagap::ttest("iat", "behavior", data = d, paired = TRUE, alternative = "greater"),
                    run_program("ttest", "--x", "iat", "--y", "behavior", "--paired",
                                "--alternative", "greater", path))
  expect_same_table(vagap::ttest("iat", "selfreport", data = d, conf.level = 0.9),
                    run_program("ttest", "--x", "iat", "--y", "selfreport", "--conf", "0.9", path))
  expect_same_table(vagap::ttest("iat", "selfreport", data = d, var.equal = TRUE),
                    run_program("ttest", "--var-equal", "--x", "iat", "--y", "selfreport", path))
})

test_that("corr: Pearson and Spearman (t and exact p) match the program", {
  d <- read.csv(source_data("stats_units.csv"))
  path <- write_temp(d, ".csv")
  for (m in c("pearson", "spearman")) for (exact in c(FALSE, TRUE)) {
    expect_same_table(vagap::corr("iat", "selfreport", data = d, method = m, exact = exact),
                      run_program("corr", "--x", "iat", "--y", "selfreport", "--method", m,
                                  "--spearman-p", if (exact) "exact" else "t", path))
  }
})

sem_vs_program <- function(model, d, group, args, ...) {
  data_path <- write_temp(d, ".csv")
  fit <- vagap::sem(model, d, group = group, ...)
  lav <- write_temp(model, ".lav")
  base <- c("sem", "--model", lav, if (!is.null(group)) c("--group", group), args)
  expect_same_table(fit$estimates, run_program(base, data_path))
  fm <- run_program(base, "--fit", data_path)
  expect_identical(names(fit$fit), fm$p15$measure)
  expect_same_table(data.frame(value = unname(fit$fit)), fm)
  fit
}

test_that("sem: a two-group path model with := and missing values matches the program", {
  path <- read.csv(source_data("sem_path.csv"), na.strings = c("", "NA", "NaN"))
  fit <- sem_vs_program(readLines(source_data("sem_path.lav")), path, "grp", character())
  expect_identical(fit$groups, c("a", "b"))
  ex <- attr(fit, "excluded")
  expect_identical(sort(ex$reason), c("missing group (grp)", "missing value in y (listwise deletion)"))
  sem_vs_program(readLines(source_data("sem_path.lav")), path, "grp",
                 c("--likelihood", "wishart", "--level", "0.9"), likelihood = "wishart", level = 0.9)
})

test_that("sem: Holzinger-Swineford with group.equal/group.partial matches the program", {
  path <- hs_data()
  sem_vs_program(hs_model, path, "school", c("--group-equal", "loadings,intercepts",
                                             "--group-partial", "visual=~x2,x3~1"),
                 group.equal = c("loadings", "intercepts"), group.partial = c("visual=~x2", "x3~1"))
  sem_vs_program(hs_model, path, NULL, "--std-lv", std.lv = TRUE)
})

test_that("sem: constraints= and orthogonal match the program", {
  d <- read.csv(source_data("sem_path.csv"), na.strings = c("", "NA", "NaN"))
  cons <- source_data("sem_path.constraints")
  fit <- sem_vs_program(readLines(source_data("sem_path.lav")), d, "grp", c("--constraints", cons),
                        constraints = readLines(cons))
  a <- fit$estimates$est[fit$estimates$label %in% c("a1", "a2")]
  expect_equal(a[1], a[2], tolerance = 1e-6)
  sem_vs_program(hs_model, hs_data(), NULL, "--orthogonal", orthogonal = TRUE)
})
