# vagap::report gives the tables `vagap report` writes, from the same four logs.

report_dir <- function(name) {
  d <- dirname(source_data(file.path(name, "choices.csv")))
  list(dir = d, read = function(f) read.csv(file.path(d, f), colClasses = "character",
                                           na.strings = character()))
}

# The program's OUTDIR tables at 15 and 17 digits.
program_report <- function(dir, ...) {
  out <- list()
  for (digits in c("15", "17")) {
    o <- tempfile()
    status <- system2(program(), shQuote(c("report", dir, "--out", o, "--quiet", "--digits", digits, ...)),
                      stdout = FALSE, stderr = FALSE, env = "LD_PRELOAD=")
    if (status != 0) stop("vagap report exited ", status)
    for (f in sub("\\.csv$", "", list.files(o, pattern = "_.*\\.csv$")))
      out[[f]][[paste0("p", digits)]] <- read.csv(file.path(o, paste0(f, ".csv")),
                                                  colClasses = "character", check.names = FALSE,
                                                  na.strings = character())
  }
  out
}

# Text cells as the program's reader sees them: empty is missing.
as_logs <- function(d) lapply(d, function(v) ifelse(nzchar(v), v, NA))

test_that("report: every table equals the program's, with and without the IAT", {
  s <- report_dir("report_mini")
  logs <- lapply(c(iat = "iat.csv", choices = "choices.csv", selfreport = "selfreport.csv",
                   key = "selfreport_key.csv"), function(f) as.data.frame(as_logs(s$read(f))))
  mine <- vagap::report(logs$choices, logs$selfreport, logs$key, iat = logs$iat)
  theirs <- program_report(s$dir)
  expect_setequal(names(mine), names(theirs))
  for (k in names(theirs)) {
    expect_identical(names(mine[[k]]), names(theirs[[k]]$p15), info = k)  # columns in the program's order
    expect_same_table(mine[[k]], theirs[[k]])
  }
  ex <- attr(mine, "excluded")
  expect_true(is.data.frame(ex))
  without <- vagap::report(logs$choices, logs$selfreport, logs$key, tau = 0.1,
                           selfreport.scale = "s")
  theirs <- program_report(s$dir, "--no-iat", "--tau", "0.1", "--selfreport-scale", "s")
  expect_false("iat_units" %in% names(without))
  expect_setequal(names(without), names(theirs))
  for (k in names(theirs)) expect_same_table(without[[k]], theirs[[k]])
})

test_that("report: errors are the program's messages", {
  s <- report_dir("report_mini")
  logs <- lapply(c(choices = "choices.csv", selfreport = "selfreport.csv",
                   key = "selfreport_key.csv"), function(f) as.data.frame(as_logs(s$read(f))))
  expect_error(vagap::report(logs$choices, logs$selfreport, logs$key, selfreport.scale = "nope"),
               "--selfreport-scale: the key has no scale 'nope'", fixed = TRUE, class = "vagap_error")
  b <- report_dir("report_bad")
  bad <- as.data.frame(as_logs(b$read("selfreport.csv")))
  expect_error(vagap::report(as.data.frame(as_logs(b$read("choices.csv"))), bad,
                             as.data.frame(as_logs(b$read("selfreport_key.csv")))),
               # row 6 of the data frame (line 7 of the program's file)
               "selfreport:6:4: column 'response': expected a number", fixed = TRUE,
               class = "vagap_error")
})

test_that("report(svg = TRUE): the program's calibration.svg, byte for byte", {
  s <- report_dir("report_mini")
  logs <- lapply(c(iat = "iat.csv", choices = "choices.csv", selfreport = "selfreport.csv",
                   key = "selfreport_key.csv"), function(f) as.data.frame(as_logs(s$read(f))))
  mine <- vagap::report(logs$choices, logs$selfreport, logs$key, iat = logs$iat, svg = TRUE,
                        title = "Mini study")
  o <- tempfile()
  status <- system2(program(), shQuote(c("report", s$dir, "--out", o, "--quiet", "--title", "Mini study")),
                    stdout = FALSE, stderr = FALSE, env = "LD_PRELOAD=")
  expect_identical(status, 0L)
  theirs <- readChar(file.path(o, "calibration.svg"), file.size(file.path(o, "calibration.svg")), useBytes = TRUE)
  expect_identical(mine$calibration_svg, theirs)
  expect_match(mine$calibration_svg, "Mini study: self-report vs behaviour", fixed = TRUE)
})

# The program's report.md for the folder `dir` with the options ...
program_markdown <- function(dir, ...) {
  o <- tempfile()
  status <- system2(program(), shQuote(c("report", dir, "--out", o, "--quiet", ...)),
                    stdout = FALSE, stderr = FALSE, env = "LD_PRELOAD=")
  if (status != 0) stop("vagap report exited ", status)
  readChar(file.path(o, "report.md"), file.size(file.path(o, "report.md")), useBytes = TRUE)
}

test_that("report(markdown = TRUE): the program's report.md, byte for byte", {
  s <- report_dir("report_mini")
  logs <- lapply(c(iat = "iat.csv", choices = "choices.csv", selfreport = "selfreport.csv",
                   key = "selfreport_key.csv"), function(f) as.data.frame(as_logs(s$read(f))))
  mine <- vagap::report(logs$choices, logs$selfreport, logs$key, iat = logs$iat, markdown = TRUE,
                        title = "Mini study", source = s$dir)
  expect_identical(mine$report_md, program_markdown(s$dir, "--title", "Mini study"))
  expect_match(mine$report_md, "# Mini study\n", fixed = TRUE)
  without <- vagap::report(logs$choices, logs$selfreport, logs$key, tau = 0.1, selfreport.scale = "s",
                           markdown = TRUE, source = s$dir)
  expect_identical(without$report_md,
                   program_markdown(s$dir, "--no-iat", "--tau", "0.1", "--selfreport-scale", "s"))
  expect_null(vagap::report(logs$choices, logs$selfreport, logs$key)$report_md)
})
