# The program to compare with (VAGAP, the `vagap` binary) and the source tree's
# test data (VAGAP_SOURCE_DIR); tests that need them skip when they are unset.
program <- function() {
  p <- Sys.getenv("VAGAP")
  if (!nzchar(p)) skip("VAGAP (the vagap program) is not set")
  if (!file.exists(p)) stop("VAGAP=", p, " does not exist (from ", getwd(), ")")
  p
}

source_data <- function(name) {
  src <- Sys.getenv("VAGAP_SOURCE_DIR")
  path <- file.path(src, "tests", "data", name)
  if (!nzchar(src)) skip("VAGAP_SOURCE_DIR is not set")
  if (!file.exists(path)) stop(path, " does not exist (from ", getwd(), ")")
  path
}

# The program's table at its default 15 digits and at 17 (round trip), every
# column as text.
run_program <- function(...) {
  list(p15 = run_digits(c(...), "15"), p17 = run_digits(c(...), "17"))
}

run_digits <- function(args, digits) {
  args <- c(args[1], "--quiet", "--digits", digits, args[-1])
  # the program runs without the LD_PRELOAD given to R (r.sh preloads GSL's CBLAS
  # into R; a sanitizer build of the program refuses to start with a preload)
  out <- system2(program(), shQuote(args), stdout = TRUE, stderr = FALSE, env = "LD_PRELOAD=")
  status <- attr(out, "status")
  if (!is.null(status) && status != 0) stop("vagap ", paste(args, collapse = " "), " exited ", status)
  read.csv(text = paste(out, collapse = "\n"), colClasses = "character", check.names = FALSE,
           na.strings = character())
}

# Text and logical cells as the program prints them (a missing one as NA).
na_text <- function(a) ifelse(is.na(a), "NA", as.character(a))

# The program's text for a number at 15 significant digits (%.15g, NA, Inf).
text15 <- function(a) {
  ifelse(is.na(a), "NA", ifelse(is.infinite(a), ifelse(a > 0, "Inf", "-Inf"), sprintf("%.15g", a)))
}

# Every cell of `mine` is the program's: text columns as text; numbers printed
# with 15 digits are the program's text, and at 17 digits the same double up to
# 2 units in the last place (R's as.numeric, unlike the program's reader and
# Python's float(), is not correctly rounded in the last bit).
#
# That holds when GSL inside R calls its own CBLAS, as in the program: R loads
# its BLAS (reference BLAS, OpenBLAS, MKL: it exports cblas_*) into the global
# scope first, so GSL's cblas_* calls go there unless libgslcblas.so is
# preloaded (tests/bindings/r.sh runs the tests both ways).  Without it, the
# SEM numbers may differ in the last digits: VAGAP_R_EXACT unset allows a
# difference of 1e-10 relative to max(|value|, 1) (measured: at most 1.4e-11 on
# Holzinger-Swineford).
expect_same_table <- function(mine, theirs) {
  if (!identical(Sys.getenv("VAGAP_R_EXACT"), "1")) return(expect_close_table(mine, theirs, 1e-10))
  p15 <- theirs$p15
  p17 <- theirs$p17
  expect_equal(nrow(mine), nrow(p15))
  for (col in names(mine)) {
    expect_true(col %in% names(p15), info = col)
    a <- mine[[col]]
    if (is.numeric(a)) {
      expect_identical(text15(a), p15[[col]], info = col)
      b <- suppressWarnings(as.numeric(p17[[col]]))
      ok <- is.finite(a)
      expect_true(all(abs(a[ok] - b[ok]) <= 2 * .Machine$double.eps * abs(b[ok])), info = col)
    } else {
      expect_identical(na_text(a), p15[[col]], info = col)
    }
  }
}

hs_data <- function() {
  skip_if_not_installed("lavaan")
  lavaan::HolzingerSwineford1939
}

hs_model <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"

# A data frame as CSV with 17 significant digits, so that the program reads
# the very doubles R holds (R's own number parser is not correctly rounded in
# the last bit, the program's is: re-reading a 15-digit file could differ).
write_temp <- function(x, ext) {
  f <- tempfile(fileext = ext)
  if (is.data.frame(x)) {
    x[] <- lapply(x, function(v) if (is.double(v)) ifelse(is.na(v), NA, sprintf("%.17g", v)) else v)
    write.csv(x, f, row.names = FALSE, na = "NA")
  } else writeLines(x, f)
  f
}

expect_close_table <- function(mine, theirs, rel) {
  p17 <- theirs$p17
  expect_equal(nrow(mine), nrow(p17))
  worst <- 0
  for (col in names(mine)) {
    a <- mine[[col]]
    if (is.numeric(a)) {
      b <- suppressWarnings(as.numeric(p17[[col]]))
      expect_identical(is.na(a), is.na(b), info = col)
      ok <- is.finite(a) & is.finite(b)
      d <- abs(a[ok] - b[ok]) / pmax(abs(b[ok]), 1)
      worst <- max(worst, d)
      expect_true(all(a[!ok] == b[!ok] | (is.na(a[!ok]) & is.na(b[!ok]))), info = col)
    } else {
      expect_identical(na_text(a), theirs$p15[[col]], info = col)
    }
  }
  expect_lte(worst, rel)
  if (nzchar(Sys.getenv("VAGAP_R_REPORT"))) cat(sprintf("max relative difference %.3g\n", worst))
  invisible(worst)
}
