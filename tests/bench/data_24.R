# The benchmarks' 24-indicator, 4-factor, G-group data (seed 4242), sourced by sem_bench.R and
# sem_fiml_bench.R so both time the same data: four correlated factors, six indicators each.
make_data_24 <- function(G = 4, n = 500) {
  set.seed(4242)
  big <- NULL
  for (g in 1:G) {
    f1 <- rnorm(n); f2 <- 0.4 * f1 + rnorm(n, sd = 0.9)
    f3 <- 0.3 * f1 + 0.3 * f2 + rnorm(n, sd = 0.8); f4 <- (0.2 + 0.1 * g) * f3 + rnorm(n, sd = 0.9)
    F <- cbind(f1, f2, f3, f4)
    X <- sapply(1:24, function(j) 2 + 0.05 * g + (0.6 + 0.02 * j) * F[, (j - 1) %/% 6 + 1] + rnorm(n, sd = 0.7))
    colnames(X) <- paste0("y", 1:24)
    big <- rbind(big, data.frame(grp = paste0("g", g), round(X, 3)))
  }
  big
}
