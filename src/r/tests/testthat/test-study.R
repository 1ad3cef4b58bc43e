# vagap::prop/score on data frames give the program's tables on the same rows,
# with the program's exclusions (reasons and rows) as attr(, "excluded").

test_that("prop: per-unit shares, tests and intervals match the program", {
  path <- source_data("stats_choices.csv")
  d <- read.csv(path, stringsAsFactors = FALSE)
  mine <- expect_warning(vagap::prop(d), "gamma: no counted choices")
  expect_same_table(mine, run_program("prop", path))
  ex <- attr(mine, "excluded")
  expect_identical(ex$reason, c("choice 'invalid' is neither prosocial (other) nor selfish (self)",
                                "missing choice",
                                "choice 'refuse' is neither prosocial (other) nor selfish (self)"))
  expect_identical(ex$row, c(6L, 11L, 12L))
  expect_identical(d$choice[ex$row], c("invalid", "", "refuse"))
  mine <- suppressWarnings(vagap::prop(d, p0 = 0.3, alternative = "greater", conf.level = 0.9,
                                       adjust = "holm"))
  expect_same_table(mine, run_program("prop", "--p0", "0.3", "--alternative", "greater",
                                      "--conf-level", "0.9", "--adjust", "holm", path))
})

test_that("prop: codes are normalised and several codes count, as in the program", {
  path <- source_data("prop_messy_codes.csv")
  d <- read.csv(path, stringsAsFactors = FALSE)
  expect_same_table(vagap::prop(d, success = c("other", "altruistic")),
                    run_program("prop", "--prosocial", "other,altruistic", path))
})

test_that("prop: errors are vagap_error conditions with the program's message", {
  d <- data.frame(model = c("a", "b"), choice = c("x", "y"))
  expect_error(vagap::prop(d, choice = "pick"), class = "vagap_error", regexp = "pick")
  expect_error(suppressWarnings(vagap::prop(d)), class = "vagap_error",
               regexp = "no unit has a counted choice")
  expect_error(vagap::prop(d, success = "x", failure = "X."), class = "vagap_error",
               regexp = "code 'x' is both a success and a failure")
})

test_that("score: unit, run and alpha levels match the program, exclusions included", {
  key_path <- source_data("stats_key.csv")
  path <- source_data("stats_responses.csv")
  key <- read.csv(key_path, stringsAsFactors = FALSE)
  d <- read.csv(path, stringsAsFactors = FALSE)
  base <- c("score", "--key", key_path, "--min", "1", "--max", "7")
  mine <- vagap::score(d, key, 1, 7)
  expect_same_table(mine, run_program(base, path))
  expect_identical(attr(mine, "excluded")$reason,
                   c("missing response", "item 'X9' is not in the key", "response outside 1..7"))
  expect_same_table(vagap::score(d, key, 1, 7, min.items = 1, level = "run"),
                    run_program(base, "--min-items", "1", "--level", "run", path))
  expect_same_table(suppressWarnings(vagap::score(d, key, 1, 7, level = "alpha")),
                    run_program(base, "--level", "alpha", path))
})

test_that("score: a second answer is excluded; a bad key is a located error", {
  key <- read.csv(source_data("stats_key.csv"), stringsAsFactors = FALSE)
  path <- source_data("stats_duplicate_answer.csv")
  d <- read.csv(path, stringsAsFactors = FALSE)
  mine <- vagap::score(d, key, 1, 7, min.items = 1)
  expect_same_table(mine, run_program("score", "--key", source_data("stats_key.csv"), "--min", "1",
                                      "--max", "7", "--min-items", "1", path))
  expect_match(attr(mine, "excluded")$reason, "second answer to item", all = FALSE)
  bad <- key
  bad$reverse <- c("maybe", rep("0", nrow(key) - 1))
  expect_error(vagap::score(d, bad, 1, 7), class = "vagap_error",
               regexp = "key:1:3: reverse must be 1/0, true/false, yes/no or reverse/forward, found 'maybe'")
})

# NA in text and logical columns as the program prints them
na_text <- function(d) {
  for (col in names(d)) if (!is.numeric(d[[col]])) d[[col]] <- ifelse(is.na(d[[col]]), "NA", as.character(d[[col]]))
  d
}

test_that("gap: the test table (with counts) and the unit table match the program", {
  path <- source_data("gap_summary.csv")
  d <- read.csv(path, stringsAsFactors = FALSE)
  expect_same_table(vagap::gap(d, counts = c("prosocial", "valid")),
                    run_program("gap", "--counts", "prosocial,valid", path))
  expect_same_table(na_text(vagap::gap(d, level = "units")), run_program("gap", "--units", path))
  expect_same_table(vagap::gap(d, iat = NULL, tau = 0.1, behavior.cut = 0.7, conf.level = 0.9),
                    run_program("gap", "--no-iat", "--tau", "0.1", "--behavior-cut", "0.7",
                                "--conf-level", "0.9", path))
})

test_that("gap: a row without a unit is excluded; a percentage is the library's error", {
  d <- read.csv(source_data("gap_summary.csv"), stringsAsFactors = FALSE)
  d$model[2] <- NA
  expect_identical(attr(vagap::gap(d), "excluded")$row, sort(c(2L, which(d$model == ""))))
  expect_error(vagap::gap(read.csv(source_data("gap_percent.csv"))), class = "vagap_error",
               regexp = "unit 'A': behaviour 50 is not a proportion")
})

test_that("iat: unit and per-trial tables (both presets) and exclusions match the program", {
  path <- source_data("iat_assoc.csv")
  d <- read.csv(path, stringsAsFactors = FALSE)
  mine <- vagap::iat(d)
  expect_same_table(mine, run_program("iat", "--method", "assoc", path))
  expect_identical(attr(mine, "excluded")$reason[4], "missing word (the trial is still counted)")
  expect_same_table(na_text(vagap::iat(d, level = "trials", preset = "bai2024")),
                    run_program("iat", "--method", "assoc", "--per-trial", "--preset", "bai2024", path))
  expect_error(vagap::iat(d, focal = "self"), class = "vagap_error",
               regexp = "focal and contrast must differ (both have 'self')", fixed = TRUE)
})

test_that("consistency: matrix (both methods), stated-enacted (centred) and roleplay match the program", {
  path <- source_data("consistency_choices.csv")
  d <- read.csv(path, stringsAsFactors = FALSE)
  expect_same_table(na_text(vagap::consistency(d, method = "both")),
                    run_program("consistency", "--method", "both", path))
  enacted <- source_data("consistency_enacted.csv")
  prof <- source_data("consistency_profile.csv")
  expect_same_table(na_text(vagap::consistency(read.csv(enacted, stringsAsFactors = FALSE),
                                               mode = "stated-enacted", centre = TRUE,
                                               profile = read.csv(prof, stringsAsFactors = FALSE))),
                    run_program("consistency", "--mode", "stated-enacted", "--centre", "--profile",
                                prof, enacted))
  rp <- source_data("consistency_roleplay.csv")
  expect_same_table(na_text(vagap::consistency(read.csv(rp, stringsAsFactors = FALSE), mode = "roleplay")),
                    run_program("consistency", "--mode", "roleplay", rp))
})

test_that("consistency: unmatched profile rows are excluded and warned about, as in the program", {
  extra <- source_data("consistency_profile_extra.csv")
  enacted <- source_data("consistency_enacted.csv")
  mine <- expect_warning(vagap::consistency(read.csv(enacted, stringsAsFactors = FALSE),
                                            mode = "stated-enacted",
                                            profile = read.csv(extra, stringsAsFactors = FALSE)),
                         "has a profile but no enactment rows")
  expect_same_table(na_text(mine), run_program("consistency", "--mode", "stated-enacted",
                                               "--profile", extra, enacted))
  expect_identical(nrow(attr(mine, "excluded")), 2L)
})

test_that("align: per-model measures, distance by levels and per-scenario F1 match the program", {
  path <- source_data("align_small.csv")
  d <- read.csv(path, stringsAsFactors = FALSE)
  expect_same_table(na_text(vagap::align(d, scenario = c("country", "topic"),
                                         by = c("country", "value"), scenarios = TRUE)),
                    run_program("align", "--scenario", "country,topic", "--by", "country", "--by",
                                "value", "--scenarios", path))
  expect_same_table(na_text(vagap::align(d, scenario = c("country", "topic"),
                                         positive.class = "disagree", zero.division = "nan")),
                    run_program("align", "--scenario", "country,topic", "--positive-class",
                                "disagree", "--zero-division", "nan", path))
})

test_that("align: a duplicated prompt is the library's located error", {
  d <- read.csv(source_data("align_duplicate.csv"), stringsAsFactors = FALSE)
  # located at row 3 of the data frame (line 4 of the file)
  expect_error(vagap::align(d), class = "vagap_error",
               regexp = "data:3: duplicate prompt .*first seen on line 1\\)$")
})

test_that("data frames go in as typed columns: rows are the data frame's, whatever the cells hold", {
  # a newline inside a cell used to shift every excluded row after it (CSV lines)
  d <- data.frame(model = c("a\nb", "a\nb", "c", "c", NA, "c"),
                  choice = factor(c("other", "maybe", "self", "other", "self", NA)),
                  stringsAsFactors = FALSE)
  mine <- suppressWarnings(vagap::prop(d))
  expect_identical(mine$model, c("a\nb", "c"))
  expect_identical(mine$x, c(1, 1))
  expect_identical(mine$n_other, c(1, 1))
  ex <- attr(mine, "excluded")
  expect_identical(ex$row, c(2L, 5L, 6L))
  expect_identical(ex$reason, c("choice 'maybe' is neither prosocial (other) nor selfish (self)",
                                "missing model", "missing choice"))
  # integer, logical and double codes mean what their text means in a file
  codes <- data.frame(model = "m", choice = c(1L, 0L, 1L, NA))
  expect_identical(vagap::prop(codes, success = "1", failure = "0")$x, 2)
  expect_identical(vagap::prop(transform(codes, choice = choice == 1L), success = "TRUE",
                               failure = "FALSE")$x, 2)
  expect_identical(vagap::prop(transform(codes, choice = as.numeric(choice)), success = "1",
                               failure = "0")$n, 3)
  expect_error(vagap::prop(data.frame(model = "m", choice = I(list(1)))), class = "vagap_error",
               regexp = "column 'choice' is a list")
})

test_that("prop(pooled = TRUE) and iat word lists are the program's --pooled and --positive-words", {
  path <- source_data("stats_choices.csv")
  d <- read.csv(path, stringsAsFactors = FALSE)
  mine <- vagap::prop(d, pooled = TRUE)
  expect_same_table(mine, run_program("prop", "--pooled", path))
  ipath <- source_data("iat_assoc.csv")
  log <- read.csv(ipath, stringsAsFactors = FALSE)
  pos <- readLines(source_data("iat_positive.txt"))
  neg <- readLines(source_data("iat_negative.txt"))
  mine <- vagap::iat(log, valence = "not_read", positive.words = pos, negative.words = neg)
  expect_same_table(mine, run_program("iat", "--method", "assoc", "--positive-words",
                                      source_data("iat_positive.txt"), "--negative-words",
                                      source_data("iat_negative.txt"), "--valence", "not_read", ipath))
  expect_error(vagap::iat(log, positive.words = pos, negative.words = c(neg, "KIND")),
               class = "vagap_error", regexp = "'kind' is in both word lists")
})
