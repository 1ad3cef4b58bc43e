#!/bin/sh
# Cross-check: `vagap power` on multi-group models, per group, against lavaan.
#  - sem-param --param 'y~f' on a 3-group population (y ~ c(0.4, 0.1, -0.2)*f),
#    fitted with --std-lv (std.lv = TRUE: a slope without the marker's ratio bias,
#    which is +1.2 MC SEs at this n, doc/methods.md), gives one condition per
#    group, as parameterEstimates() lists the row; each group's population value
#    equals lavaan's estimate of that group's row when the fit model is fitted to
#    the population moments (simulateData(empirical = TRUE) data, ML moments) to
#    1e-6; each mean estimate is within 3.5 Monte Carlo SEs of it and each
#    Wald-CI coverage within 3.5 MC SEs of 0.95; --param-group 3,1 gives
#    those two groups in that order with the same population values;
#  - vaar on a 10-group population (more than 9 groups): the population
#    (sign-only) VAAR of groups 5, 6 and 10 equals the one computed in R from
#    lavaan's fit with group.equal = "loadings" to the population moments
#    (a path below 1e-6 in absolute value has no sign); the group whose paths
#    both agree is detected (strict VAAR 1) in at least 90% of the replications.
# Exit 77 without Rscript or lavaan.
set -u
vagap=$1
. "$2/tests/crosscheck/lib/lavaan.sh"
lavaan_setup
dir=$TMP
cat > "$dir/pop3.lav" <<'EOF'
f =~ 0.8*x1 + 0.7*x2 + 0.6*x3
y ~ c(0.4, 0.1, -0.2)*f
EOF
printf 'f =~ x1 + x2 + x3\ny ~ f\n' > "$dir/fit3.lav"
cat > "$dir/pop10.lav" <<'EOF'
f =~ 0.8*x1 + 0.7*x2 + 0.6*x3
g =~ 0.8*w1 + 0.7*w2 + 0.6*w3
y ~ c(0.4, 0.1, 0.3, -0.2, 0.4, 0, 0.2, 0.3, 0.4, 0.5)*f + c(-0.3, 0, -0.2, -0.3, 0.1, -0.3, 0, -0.1, -0.2, -0.4)*g
EOF
printf 'f =~ x1 + x2 + x3\ng =~ w1 + w2 + w3\ny ~ f + g\n' > "$dir/fit10.lav"
p() { "$vagap" power --quiet --seed 11 "$@"; }
{ p --analysis sem-param --model "$dir/pop3.lav" --fit-model "$dir/fit3.lav" --param 'y ~ f' --groups 3 \
    --std-lv --n 300 --replications 600 > "$dir/all.csv" &&
  p --analysis sem-param --model "$dir/pop3.lav" --fit-model "$dir/fit3.lav" --param 'y~f' --groups 3 \
    --std-lv --param-group 3,1 --n 300 --replications 20 > "$dir/some.csv" &&
  p --analysis vaar --model "$dir/pop10.lav" --fit-model "$dir/fit10.lav" --expect 'y~f:+;y~g:-' \
    --groups 10 --vaar-group 5,6,10 --n 300 --replications 60 > "$dir/vaar.csv"
} || { echo "FAIL: vagap power failed"; exit 1; }
Rscript - "$dir" <<'RS'
suppressMessages(library(lavaan))
dir <- commandArgs(TRUE)[1]
rd <- function(f) paste(readLines(file.path(dir, f)), collapse = "\n")
bad <- 0
fail <- function(msg) { cat("  FAIL:", msg, "\n"); bad <<- bad + 1 }
# population moments: ML moments of simulateData(empirical = TRUE) data are the model's (times (n-1)/n)
pop3 <- suppressWarnings(simulateData(rd("pop3.lav"), sample.nobs = rep(1000L, 3), empirical = TRUE))
pe3 <- parameterEstimates(sem(rd("fit3.lav"), data = pop3, group = "group", std.lv = TRUE))
truth <- pe3$est[pe3$lhs == "y" & pe3$op == "~" & pe3$rhs == "f"][order(pe3$group[pe3$lhs == "y" & pe3$op == "~" & pe3$rhs == "f"])]
v <- read.csv(file.path(dir, "all.csv"))
if (!identical(as.integer(v$group), 1:3)) fail(paste("groups", paste(v$group, collapse = " "), "are not 1 2 3"))
for (i in seq_len(nrow(v))) {
  t <- truth[v$group[i]]
  mcse <- v$estimate.sd[i] / sqrt(v$converged[i])
  cse <- sqrt(0.95 * 0.05 / v$converged[i])
  cat(sprintf("sem-param y~f group %d: population %.6f (lavaan %.6f, diff %.1e), mean %.4f (%+.2f MC SE), coverage %.4f (%+.2f SE), converged %d\n",
              v$group[i], v$average.param[i], t, v$average.param[i] - t, v$estimate.average[i],
              (v$estimate.average[i] - t) / mcse, v$coverage[i], (v$coverage[i] - 0.95) / cse, v$converged[i]))
  if (abs(v$average.param[i] - t) > 1e-6) fail("population value differs from lavaan's")
  if (abs(v$estimate.average[i] - t) > 3.5 * mcse) fail("mean estimate beyond 3.5 MC SEs")
  if (abs(v$coverage[i] - 0.95) > 3.5 * cse) fail("coverage")
  if (v$converged[i] < 0.98 * v$replications[i]) fail("too few converged")
}
s <- read.csv(file.path(dir, "some.csv"))
if (!identical(as.integer(s$group), c(3L, 1L))) fail("--param-group 3,1 did not give groups 3, 1")
if (any(abs(s$average.param - truth[s$group]) > 1e-6)) fail("--param-group population values")
pop10 <- suppressWarnings(simulateData(rd("pop10.lav"), sample.nobs = rep(1000L, 10), empirical = TRUE))
pe <- parameterEstimates(sem(rd("fit10.lav"), data = pop10, group = "group", group.equal = "loadings"))
sign_vaar <- function(g) {
  e <- c(pe$est[pe$group == g & pe$lhs == "y" & pe$op == "~" & pe$rhs == "f"],
         pe$est[pe$group == g & pe$lhs == "y" & pe$op == "~" & pe$rhs == "g"])
  e[abs(e) < 1e-6] <- 0
  mean(sign(e) == c(1, -1))
}
w <- read.csv(file.path(dir, "vaar.csv"))
if (!identical(as.integer(w$group), c(5L, 6L, 10L))) fail("vaar groups are not 5 6 10")
for (i in seq_len(nrow(w))) {
  ref <- sign_vaar(w$group[i])
  cat(sprintf("vaar group %d of 10: population VAAR %g (lavaan %g), detected %.3f, mean strict VAAR %.3f\n",
              w$group[i], w$average.param[i], ref, w$power[i], w$estimate.average[i]))
  if (w$average.param[i] != ref) fail("population VAAR differs")
  if (w$converged[i] < 0.98 * w$replications[i]) fail("too few converged")
}
if (w$power[w$group == 10] < 0.9) fail("group 10 (both paths agree) detected in fewer than 90%")
quit(status = if (bad > 0) 1 else 0)
RS
