# vagap::vaar gives the table of `vagap vaar`, from a fit and from a saved parameter table.

vaar_data <- function(name) {
  src <- Sys.getenv("VAGAP_SOURCE_DIR")
  if (!nzchar(src)) skip("VAGAP_SOURCE_DIR is not set")
  file.path(src, name)
}

test_that("vaar: a saved parameter table, with group.labels and a reference, matches the program", {
  path <- source_data("vaar/estimates.csv")
  est <- read.csv(path, na.strings = "NA")
  expect_same_table(vagap::vaar(estimates = est, expect = "y~f:-, y~z:+"),
                    run_program("vaar", "--estimates", path, "--expect", "y~f:-, y~z:+"))
  expect_same_table(vagap::vaar(estimates = est, expect = "y~f:-, y~z:+",
                                group.labels = c("human", "m1", "m2")),
                    run_program("vaar", "--estimates", path, "--expect", "y~f:-, y~z:+",
                                "--group-labels", "human,m1,m2"))
  expect_same_table(vagap::vaar(estimates = est, reference = "human", reference.alpha = 0.01,
                                group.labels = c("human", "m1", "m2")),
                    run_program("vaar", "--estimates", path, "--reference", "human",
                                "--reference-alpha", "0.01", "--group-labels", "human,m1,m2"))
  # the expected signs as a table (--expect-file)
  spec <- data.frame(lhs = c("y", "y"), op = "~", rhs = c("f", "z"), sign = c("-", "+"))
  expect_same_table(vagap::vaar(estimates = est, expect = spec),
                    run_program("vaar", "--estimates", path, "--expect-file", write_temp(spec, ".csv")))
})

test_that("vaar: std.lv estimates are oriented by sign.indicator as the program does", {
  path <- source_data("vaar/estimates_stdlv.csv")
  est <- read.csv(path, na.strings = "NA")
  expect_same_table(vagap::vaar(estimates = est, expect = "y~f:-", sign.indicator = c(f = "x1")),
                    run_program("vaar", "--estimates", path, "--expect", "y~f:-",
                                "--sign-indicator", "f=x1"))
  expect_error(vagap::vaar(estimates = est, expect = "y~f:-"),
               "factor f has no fixed marker loading (as with std.lv), so its sign is arbitrary; name its sign-fixing indicator with --sign-indicator f=x1",
               fixed = TRUE, class = "vagap_error")
})

test_that("vaar: errors are the program's messages", {
  est <- read.csv(source_data("vaar/estimates.csv"), na.strings = "NA")
  expect_error(vagap::vaar(estimates = est, expect = "y~f:-, y~z:x"),
               "--expect:1:12: 'x' is not a sign", fixed = TRUE, class = "vagap_error")
  expect_error(vagap::vaar(estimates = est, expect = "y~f:-,y~w:+"),
               "--expect:1:7: group '1' has no estimate for path y ~ w", fixed = TRUE,
               class = "vagap_error")
  expect_error(vagap::vaar(estimates = est, reference = "human"),
               "name them with --group-labels", fixed = TRUE, class = "vagap_error")
  expect_error(vagap::vaar(estimates = est), "give the expected signs")
})

test_that("vaar: fitting the multi-group model (metric invariance by default) matches the program", {
  survey_path <- vaar_data("datasets/privacy-prosocial-sim/survey.csv")
  if (!file.exists(survey_path)) stop(survey_path, " does not exist")
  model_path <- vaar_data("examples/vaar/model.lav")
  survey <- read.csv(survey_path, na.strings = c("", "NA"))
  model <- readLines(model_path)
  r <- vagap::vaar(model, survey, group = "group", expect = "AoDS~privacy:-,AoDS~prosocial:+")
  expect_same_table(r, run_program("vaar", "--model", model_path, "--group", "group", "--expect",
                                   "AoDS~privacy:-,AoDS~prosocial:+", survey_path))
  expect_true(is.data.frame(attr(r, "excluded")))
  expect_identical(names(r), names(run_program("vaar", "--estimates", source_data("vaar/estimates.csv"),
                                               "--expect", "y~f:-")$p15))
  expect_same_table(vagap::vaar(model, survey, group = "group", group.equal = "none",
                                expect = "AoDS~privacy:-,AoDS~prosocial:+", alpha = 0.01),
                    run_program("vaar", "--model", model_path, "--group", "group", "--group-equal",
                                "none", "--alpha", "0.01", "--expect",
                                "AoDS~privacy:-,AoDS~prosocial:+", survey_path))
})

test_that("vaar: the bootstrap columns are the program's for the same resamples", {
  survey_path <- vaar_data("datasets/privacy-prosocial-sim/survey.csv")
  if (!file.exists(survey_path)) stop(survey_path, " does not exist")
  model_path <- vaar_data("examples/vaar/model.lav")
  survey <- read.csv(survey_path, na.strings = c("", "NA"))
  # 20 resamples keep the test short; the same seed draws the same resamples
  r <- vagap::vaar(readLines(model_path), survey, group = "group", expect = "AoDS~privacy:-,AoDS~prosocial:+",
                   bootstrap = 20, seed = 7, threads = 1, conf.level = 0.9)
  expect_same_table(r, run_program("vaar", "--model", model_path, "--group", "group", "--expect",
                                   "AoDS~privacy:-,AoDS~prosocial:+", "--bootstrap", "20", "--seed", "7",
                                   "--threads", "1", "--conf-level", "0.9", survey_path))
  expect_true(all(r$boot.n[!is.na(r$boot.n)] <= 20))
  expect_false(all(is.na(r$boot.lower)))
})
