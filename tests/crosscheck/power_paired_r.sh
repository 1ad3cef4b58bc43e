#!/bin/sh
# Cross-check: `vagap power --analysis paired-gap` against R's analytic power
# of the paired t-test, power.t.test(type = "paired", sd = 1, strict = TRUE):
# the Monte Carlo power within 3 Monte Carlo SEs, sqrt(p (1 - p) / R), of R's;
# vagap's own power.analytic column within 1e-10 of R's; the coverage of the
# noncentral-t CI of d_z within 3 Monte Carlo SEs of 95%.  Exit 77 without Rscript.
set -u
vagap=$1
command -v Rscript >/dev/null 2>&1 || { echo "skipped: Rscript not installed"; exit 77; }
dir=$(mktemp -d) && trap 'rm -rf "$dir"' EXIT
"$vagap" power --analysis paired-gap --dz 0,0.2,0.5 --n 15,60 --replications 4000 --seed 2026 \
  --quiet > "$dir/power.csv" || exit 1
Rscript - "$dir/power.csv" <<'RS'
v <- read.csv(commandArgs(TRUE)[1])
bad <- 0
for (i in seq_len(nrow(v))) {
  ref <- power.t.test(n = v$n[i], delta = v$dz[i], sd = 1, sig.level = v$alpha[i],
                      type = "paired", strict = TRUE)$power
  mcse <- sqrt(ref * (1 - ref) / v$converged[i])
  cse <- sqrt(0.95 * 0.05 / v$converged[i])
  cat(sprintf("dz=%g n=%d  MC power %.4f  R %.6f  (%.2f MC SE)  analytic diff %.2g  coverage %.4f\n",
              v$dz[i], v$n[i], v$power[i], ref, (v$power[i] - ref) / mcse,
              v$power.analytic[i] - ref, v$coverage[i]))
  if (abs(v$power[i] - ref) > 3 * mcse) { cat("  FAIL: power outside 3 MC SEs\n"); bad <- bad + 1 }
  if (abs(v$power.analytic[i] - ref) > 1e-10) { cat("  FAIL: power.analytic\n"); bad <- bad + 1 }
  if (abs(v$coverage[i] - 0.95) > 3 * cse) { cat("  FAIL: coverage\n"); bad <- bad + 1 }
  if (v$replications[i] != 4000 || v$converged[i] != 4000) { cat("  FAIL: counts\n"); bad <- bad + 1 }
}
quit(status = if (bad > 0) 1 else 0)
RS
