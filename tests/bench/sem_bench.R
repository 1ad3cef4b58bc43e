# Benchmark data and lavaan timings for tests/bench/sem_bench.sh.
#   Rscript sem_bench.R DIR REPS
# Writes DIR/hs.csv, DIR/big.csv (24 indicators, 4 factors, 3 paths,
# 4 groups x 500), the model files, and DIR/lavaan_times.csv with the median
# time of lavaan's sem()/cfa() call over REPS runs, measured inside R
# (R start-up and package loading excluded, as the issue asks).
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]; reps <- as.integer(args[2])
write.csv(HolzingerSwineford1939, file.path(dir, "hs.csv"), row.names = FALSE)
here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1]))
source(file.path(here, "data_24.R"))
G <- 4; n <- 500
big <- make_data_24(G, n)
write.csv(big, file.path(dir, "big.csv"), row.names = FALSE)
hs <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
bigm <- paste0(paste0("f", 1:4, " =~ ", sapply(1:4, function(k) paste0("y", (k - 1) * 6 + 1:6, collapse = " + ")), collapse = "\n"),
               "\nf2 ~ f1\nf3 ~ f1 + f2\nf4 ~ f3\n")
writeLines(hs, file.path(dir, "hs.lav")); writeLines(bigm, file.path(dir, "big.lav"))
cases <- list(
  hs_onegroup = function() cfa(hs, HolzingerSwineford1939),
  hs_configural = function() cfa(hs, HolzingerSwineford1939, group = "school"),
  hs_scalar = function() cfa(hs, HolzingerSwineford1939, group = "school", group.equal = c("loadings", "intercepts")),
  big_configural = function() sem(bigm, big, group = "grp"),
  big_scalar = function() sem(bigm, big, group = "grp", group.equal = c("loadings", "intercepts")))
tm <- sapply(cases, function(f) { f(); median(sapply(seq_len(reps), function(i) system.time(f())[["elapsed"]])) })
write.csv(data.frame(case = names(tm), lavaan_seconds = tm), file.path(dir, "lavaan_times.csv"), row.names = FALSE)
