#!/bin/sh
# The gap test table of `vagap report datasets/walktalk-sim` against R:
# t.test(paired = TRUE), t.test(mu =) for IAT and behaviour, cor.test
# (Pearson, with its Fisher-z CI), binom.test of the pooled choices and
# prop.test(correct = FALSE)$conf.int (Wilson) of the over-claiming share.
# Agreement required: 1e-10 relative (printed: the largest difference).
# Skipped (77) without Rscript.
# Usage: gap_r.sh VAGAP SOURCE_DIR SHARED
set -u
vagap=$1 src=$2
if ! command -v Rscript >/dev/null 2>&1; then echo "skipped: Rscript is absent"; exit 77; fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
"$vagap" report "$src/datasets/walktalk-sim" --out "$tmp" --quiet --digits 17 || { echo "FAIL: report"; exit 1; }
Rscript --vanilla - "$tmp" <<'R'
dir <- commandArgs(trailingOnly = TRUE)[1]
u <- read.csv(file.path(dir, "gap_units.csv"))
u <- u[u$complete, ]
b <- read.csv(file.path(dir, "behavior_units.csv"))
tt <- read.csv(file.path(dir, "gap_tests.csv"))
get <- function(g, term, col) tt[tt$group == g & tt$term == term, col]
worst <- 0; bad <- 0
cmp <- function(name, got, want) {
  rel <- abs(got - want) / max(abs(want), 1e-300)
  worst <<- max(worst, rel)
  if (rel > 1e-10) { cat("FAIL:", name, format(got, digits = 17), "R", format(want, digits = 17), "\n"); bad <<- 1 }
}
p <- t.test(u$selfreport, u$behavior, paired = TRUE)
cmp("paired t", get("gap", "selfreport-behavior", "statistic"), unname(p$statistic))
cmp("paired p", get("gap", "selfreport-behavior", "p.value"), p$p.value)
cmp("paired conf.low", get("gap", "selfreport-behavior", "conf.low"), p$conf.int[1])
cmp("paired conf.high", get("gap", "selfreport-behavior", "conf.high"), p$conf.int[2])
i <- t.test(u$iat, mu = 0)
cmp("iat t", get("iat", "mean", "statistic"), unname(i$statistic))
cmp("iat p", get("iat", "mean", "p.value"), i$p.value)
h <- t.test(u$behavior, mu = 0.5)
cmp("behavior p", get("behavior", "mean", "p.value"), h$p.value)
cmp("behavior conf.low", get("behavior", "mean", "conf.low"), h$conf.int[1])
pairs <- list(c("iat", "behavior"), c("selfreport", "behavior"), c("iat", "selfreport"))
for (pr in pairs) {
  ct <- cor.test(u[[pr[1]]], u[[pr[2]]])
  term <- paste(pr[1], pr[2], sep = "~")
  cmp(paste(term, "r"), get("correlation", term, "estimate"), unname(ct$estimate))
  cmp(paste(term, "p"), get("correlation", term, "p.value"), ct$p.value)
  cmp(paste(term, "conf.low"), get("correlation", term, "conf.low"), ct$conf.int[1])
  cmp(paste(term, "conf.high"), get("correlation", term, "conf.high"), ct$conf.int[2])
}
bb <- b[b$model %in% u$model, ]
bt <- binom.test(sum(bb$x), sum(bb$n), 0.5)
cmp("pooled binomial p", get("behavior", "pooled_prosocial", "p.value"), bt$p.value)
over <- sum(u$gap > 0.05 + 1e-9)
w <- suppressWarnings(prop.test(over, nrow(u), correct = FALSE)$conf.int)
cmp("overclaiming wilson low", get("gap", "overclaiming", "conf.low"), w[1])
cmp("overclaiming wilson high", get("gap", "overclaiming", "conf.high"), w[2])
cat(sprintf("walktalk-sim: %d complete units; max relative difference to R %.3g\n", nrow(u), worst))
quit(status = bad)
R
