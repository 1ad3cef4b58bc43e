#!/bin/sh
# Benchmark (on demand, not part of ctest; issue 18): fitting the
# Holzinger-Swineford two-group CFA N times (default 1000) from R,
# vagap::sem() (the R package over libvagap) vs lavaan::sem(), and the program
# through read.csv(pipe()) for comparison, in one run.  Each method runs
# ROUNDS times (default 3), interleaved so that a change of load hits all
# three; the best round counts.  Elapsed time is the benchmark's figure; CPU
# time (user + system, with the child processes of pipe()) is printed too,
# because on a shared machine elapsed time includes waiting for a core.  The
# load average is printed before and after.
#   sh tests/bench/r_bindings.sh [SHARED_BUILD_DIR] [PROGRAM] [N] [ROUNDS]
# SHARED_BUILD_DIR is a build with -DBUILD_SHARED_LIBS=ON (default build-shared).
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
shared=$(cd "${1:-build-shared}" && pwd)
program=${2:-$src/build/vagap}
n=${3:-1000}
rounds=${4:-3}
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
cp -R "$src/src/r" "$tmp/vagap" && mkdir "$tmp/lib"
VAGAP_BUILD_DIR=$shared VAGAP_SOURCE_DIR=$src R CMD INSTALL -l "$tmp/lib" "$tmp/vagap" > "$tmp/install.log" 2>&1 ||
  { tail -20 "$tmp/install.log"; exit 1; }
echo "load average before: $(cat /proc/loadavg)"
R_LIBS="$tmp/lib" N="$n" ROUNDS="$rounds" PROGRAM="$program" TMP="$tmp" Rscript - <<'REOF'
suppressMessages(library(lavaan))
suppressMessages(library(vagap))
n <- as.integer(Sys.getenv("N"))
rounds <- as.integer(Sys.getenv("ROUNDS"))
hs <- HolzingerSwineford1939
model <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
csv <- file.path(Sys.getenv("TMP"), "hs.csv")
lav <- file.path(Sys.getenv("TMP"), "hs.lav")
write.csv(hs, csv, row.names = FALSE)
writeLines(model, lav)
cmd <- sprintf("%s sem --quiet --group school --model %s %s", Sys.getenv("PROGRAM"), lav, csv)
# the same numbers from all three, so that the race is between equals
a <- vagap::sem(model, hs, group = "school")$estimates
b <- parameterEstimates(lavaan::sem(model, hs, group = "school"))
stopifnot(max(abs(a$est - b$est)) < 1e-4)
methods <- list("vagap::sem()" = function() vagap::sem(model, hs, group = "school"),
                "lavaan::sem()" = function() lavaan::sem(model, hs, group = "school"),
                "read.csv(pipe(vagap))" = function() read.csv(pipe(cmd)))
elapsed <- cpu <- matrix(NA_real_, rounds, length(methods), dimnames = list(NULL, names(methods)))
for (r in seq_len(rounds)) for (m in names(methods)) {
  f <- methods[[m]]
  gc()
  t <- system.time(for (i in seq_len(n)) f())
  elapsed[r, m] <- t[["elapsed"]]
  cpu[r, m] <- sum(t[c("user.self", "sys.self", "user.child", "sys.child")], na.rm = TRUE)
  cat(sprintf("  round %d %-22s %8.2f s elapsed, %8.2f s CPU\n", r, m, elapsed[r, m], cpu[r, m]))
}
best <- apply(elapsed, 2, min)
best_cpu <- apply(cpu, 2, min)
cat(sprintf("%d fits of the Holzinger-Swineford two-group CFA (301 rows, 9 indicators, 2 groups), best of %d\n",
            n, rounds))
for (m in names(methods))
  cat(sprintf("  %-22s %8.2f s  %8.3f ms/fit elapsed   %8.3f ms/fit CPU\n", m, best[[m]],
              1000 * best[[m]] / n, 1000 * best_cpu[[m]] / n))
cat(sprintf("  lavaan / vagap::sem = %.1fx elapsed (%.1fx CPU); pipe / vagap::sem = %.1fx elapsed\n",
            best[[2]] / best[[1]], best_cpu[[2]] / best_cpu[[1]], best[[3]] / best[[1]]))
REOF
echo "load average after: $(cat /proc/loadavg)"
