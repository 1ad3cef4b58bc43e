# Reference and comparison for bootstrap_ordinal_lavaan.sh.
#   Rscript bootstrap_ordinal_lavaan.R prepare DIR  -> DIR/d.csv, DIR/m.lav, DIR/lavaan.csv
#   Rscript bootstrap_ordinal_lavaan.R compare DIR  -> DIR/vagap.csv against DIR/lavaan.csv
suppressMessages(library(lavaan))
a <- commandArgs(TRUE)
dir <- a[2]
if (a[1] == "prepare") {
  set.seed(1616)
  cuts <- list(c(-1, 0, 1), c(-.5, .6), c(-1.2, -.3, .4, 1.3), c(-.8, .8))
  one <- function(n, shift) {
    f <- rnorm(n) + shift
    X <- sapply(1:4, function(i) .7 * f + rnorm(n, sd = sqrt(.51)))
    d <- as.data.frame(sapply(1:4, function(i) cut(X[, i], c(-Inf, cuts[[i]], Inf), labels = FALSE)))
    names(d) <- paste0("y", 1:4)
    d
  }
  d <- rbind(one(250, 0), one(250, .3))
  d$g <- rep(c("a", "b"), each = 250)
  write.csv(d, file.path(dir, "d.csv"), row.names = FALSE)
  m <- "f =~ y1 + y2 + y3 + y4"
  writeLines(m, file.path(dir, "m.lav"))
  set.seed(3)
  fit <- cfa(m, d, ordered = TRUE, group = "g", estimator = "DWLS", se = "bootstrap", bootstrap = 200)
  write.csv(parameterEstimates(fit), file.path(dir, "lavaan.csv"), row.names = FALSE)
  quit(status = 0)
}
pe <- read.csv(file.path(dir, "lavaan.csv"), stringsAsFactors = FALSE)
v <- read.csv(file.path(dir, "vagap.csv"), stringsAsFactors = FALSE)
stopifnot(nrow(v) == nrow(pe), all(v$lhs == pe$lhs & v$op == pe$op & v$rhs == pe$rhs & v$group == pe$group))
free <- pe$se > 0 & !is.na(pe$se)
r <- v$se[free] / pe$se[free]
db <- pmax(abs(v$ci.lower - pe$ci.lower), abs(v$ci.upper - pe$ci.upper))[free] / pe$se[free]
de <- max(abs(v$est - pe$est))
bad <- 0
lab <- paste(pe$lhs, pe$op, pe$rhs, pe$group)[free]
for (i in seq_along(r)) {
  if (!is.finite(r[i]) || abs(r[i] - 1) > 0.4) { cat(sprintf("FAIL: %s SE vagap %.5f lavaan %.5f\n", lab[i], v$se[free][i], pe$se[free][i])); bad <- bad + 1 }
  if (!is.finite(db[i]) || db[i] > 1) { cat(sprintf("FAIL: %s percentile bounds differ by %.2f SE\n", lab[i], db[i])); bad <- bad + 1 }
}
if (mean(abs(r - 1)) > 0.1) { cat(sprintf("FAIL: mean |SE ratio - 1| %.3f\n", mean(abs(r - 1)))); bad <- bad + 1 }
if (de > 1e-4) { cat(sprintf("FAIL: estimates differ by %g\n", de)); bad <- bad + 1 }
cat(sprintf("ordinal bootstrap vs lavaan (B = 200, %d free parameters): max |SE ratio - 1| %.3f, mean %.3f, max bound difference %.2f SE, max |est diff| %.2g, %d failures\n",
            length(r), max(abs(r - 1)), mean(abs(r - 1)), max(db), de, bad))
quit(status = if (bad == 0) 0 else 1)
