#!/bin/sh
# The R package (src/r): R CMD INSTALL into a temporary library against the
# shared build (VAGAP_BUILD_DIR), then its testthat tests, which compare with
# the program and with lavaan.  The tests run twice: with libgslcblas.so
# preloaded, so that GSL inside R uses the same CBLAS as the program and every
# number must be the program's to the last printed digit (VAGAP_R_EXACT=1), and
# as a user runs them, where GSL's cblas_* calls go to R's BLAS (within 1e-10).
# Exit 77 when R, its headers (r-base-dev), testthat or the library is missing.
#   sh tests/bindings/r.sh VAGAP SOURCE_DIR LIBVAGAP_SO
set -u
vagap=$1
src=$2
lib=$3
command -v R > /dev/null && command -v Rscript > /dev/null || { echo "skipped: R not found"; exit 77; }
[ -f "$(R RHOME)/include/R.h" ] || [ -f /usr/share/R/include/R.h ] ||
  { echo "skipped: R headers not installed (r-base-dev)"; exit 77; }
Rscript -e 'quit(status = if (requireNamespace("testthat", quietly = TRUE)) 0 else 1)' > /dev/null 2>&1 ||
  { echo "skipped: R package testthat not installed (r-cran-testthat)"; exit 77; }
[ -f "$lib" ] || { echo "skipped: no shared library $lib"; exit 77; }
lib=$(cd "$(dirname "$lib")" && pwd)/$(basename "$lib")  # configure and the tests run elsewhere
vagap=$(cd "$(dirname "$vagap")" && pwd)/$(basename "$vagap")
src=$(cd "$src" && pwd)
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT INT TERM
# install from a copy: R CMD INSTALL compiles in the package directory
cp -R "$src/src/r" "$tmp/vagap"
mkdir "$tmp/lib"
VAGAP_BUILD_DIR=$(dirname "$lib") VAGAP_SOURCE_DIR="$src" R CMD INSTALL --no-test-load -l "$tmp/lib" "$tmp/vagap" \
  > "$tmp/install.log" 2>&1 || { echo "FAIL: R CMD INSTALL"; tail -30 "$tmp/install.log"; exit 1; }
gslcblas=$(ldd "$lib" | sed -n 's/.*libgslcblas[^ ]* => \([^ ]*\).*/\1/p')
status=0
run() {
  (cd "$src/src/r/tests/testthat" && env "$@" VAGAP="$vagap" VAGAP_SOURCE_DIR="$src" R_LIBS="$tmp/lib" \
    Rscript -e 'library(testthat); library(vagap); test_dir(".", reporter = "summary", stop_on_failure = TRUE)') ||
    status=1
}
if [ -n "$gslcblas" ]; then run VAGAP_R_EXACT=1 LD_PRELOAD="$gslcblas"; else echo "note: libvagap does not link libgslcblas"; fi
run VAGAP_R_EXACT=0
exit $status
