# Shared by bootstrap_lavaan.sh and bootstrap_fiml_lavaan.sh (not a test of its own):
# lavaan's sem(MODEL, group = "g", se = "bootstrap") on DATA against vagap's
# sem --bootstrap output VAGAP_CSV for the 4 regression rows.
#   Rscript bootstrap_compare.R DATA VAGAP_CSV B MISSING SE_TOL BOUND_TOL [MODEL CONSTRAINTS LABEL]
# MODEL: a model file (default y ~ x; z ~ y); CONSTRAINTS: a file of ==, <, > lines
# (lavaan's constraints=; empty: none); LABEL names the case in the report.
# SE_TOL: largest |SE ratio - 1|; BOUND_TOL: largest percentile-bound difference in SEs;
# point estimates within 1e-4.
suppressMessages(library(lavaan))
a <- commandArgs(TRUE)
B <- as.integer(a[3]); se.tol <- as.numeric(a[5]); bound.tol <- as.numeric(a[6])
set.seed(3)
model <- if (length(a) >= 7) paste(readLines(a[7]), collapse = "\n") else "y ~ x\nz ~ y"
con <- if (length(a) >= 8) paste(readLines(a[8]), collapse = "\n") else ""
label <- if (length(a) >= 9) paste0(a[9], ": ") else ""
fit <- sem(model, read.csv(a[1]), group = "g", missing = a[4], se = "bootstrap", bootstrap = B, constraints = con)
pe <- parameterEstimates(fit)   # boot.ci.type = "perc" by default
pe <- pe[pe$op == "~", ]
v <- read.csv(a[2]); v <- v[v$op == "~", ]
stopifnot(nrow(v) == 4, nrow(pe) == 4, all(v$lhs == pe$lhs), all(v$group == pe$group))
bad <- 0
r <- v$se / pe$se
db <- pmax(abs(v$ci.lower - pe$ci.lower), abs(v$ci.upper - pe$ci.upper)) / pe$se
de <- abs(v$est - pe$est)
for (i in 1:4) {
  if (abs(r[i] - 1) > se.tol) { cat(sprintf("FAIL: row %d SE vagap %.5f lavaan %.5f\n", i, v$se[i], pe$se[i])); bad <- bad + 1 }
  if (db[i] > bound.tol) { cat(sprintf("FAIL: row %d bounds differ by %.2f SE\n", i, db[i])); bad <- bad + 1 }
  if (de[i] > 1e-4) { cat(sprintf("FAIL: row %d estimate differs by %g\n", i, de[i])); bad <- bad + 1 }
}
cat(sprintf("%sbootstrap (missing = %s) vs lavaan (B = %d): max |SE ratio - 1| %.3f, max bound difference %.2f SE, %d failures\n",
            label, a[4], B, max(abs(r - 1)), max(db), bad))
quit(status = if (bad == 0) 0 else 1)
