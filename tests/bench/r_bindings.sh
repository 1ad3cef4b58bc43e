#!/bin/sh
# Benchmark (on demand, not part of ctest; issue 18): fitting the
# Holzinger-Swineford two-group CFA N times from R, vagap::sem() (the R package
# over libvagap) vs lavaan::sem(), and the program through pipe() for
# comparison, in one run.
#   sh tests/bench/r_bindings.sh [SHARED_BUILD_DIR] [PROGRAM] [N]
# SHARED_BUILD_DIR is a build with -DBUILD_SHARED_LIBS=ON (default build-shared).
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
shared=$(cd "${1:-build-shared}" && pwd)
program=${2:-$src/build/vagap}
n=${3:-200}
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
cp -R "$src/src/r" "$tmp/vagap" && mkdir "$tmp/lib"
VAGAP_BUILD_DIR=$shared VAGAP_SOURCE_DIR=$src R CMD INSTALL -l "$tmp/lib" "$tmp/vagap" > "$tmp/install.log" 2>&1 ||
  { tail -20 "$tmp/install.log"; exit 1; }
R_LIBS="$tmp/lib" N="$n" PROGRAM="$program" TMP="$tmp" Rscript - <<'REOF'
suppressMessages(library(lavaan))
library(vagap)
n <- as.integer(Sys.getenv("N"))
hs <- HolzingerSwineford1939
model <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
csv <- file.path(Sys.getenv("TMP"), "hs.csv")
lav <- file.path(Sys.getenv("TMP"), "hs.lav")
write.csv(hs, csv, row.names = FALSE)
writeLines(model, lav)
cmd <- sprintf("%s sem --quiet --group school --model %s %s", Sys.getenv("PROGRAM"), lav, csv)
time <- function(f) { gc(); unname(system.time(for (i in seq_len(n)) f())["elapsed"]) }
t_vagap <- time(function() vagap::sem(model, hs, group = "school"))
t_lavaan <- time(function() lavaan::sem(model, hs, group = "school"))
t_pipe <- time(function() read.csv(pipe(cmd)))
cat(sprintf("%d fits of the Holzinger-Swineford two-group CFA (301 rows, 9 indicators, 2 groups)\n", n))
cat(sprintf("  vagap::sem()            %7.2f s  %8.2f ms/fit\n", t_vagap, 1000 * t_vagap / n))
cat(sprintf("  lavaan::sem()           %7.2f s  %8.2f ms/fit\n", t_lavaan, 1000 * t_lavaan / n))
cat(sprintf("  read.csv(pipe(vagap))   %7.2f s  %8.2f ms/fit\n", t_pipe, 1000 * t_pipe / n))
cat(sprintf("  lavaan / vagap::sem = %.1fx; pipe / vagap::sem = %.1fx\n", t_lavaan / t_vagap, t_pipe / t_vagap))
REOF
