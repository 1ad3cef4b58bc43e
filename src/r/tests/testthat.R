library(testthat)
library(vagap)
test_check("vagap")
