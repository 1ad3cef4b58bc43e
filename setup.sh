#!/bin/sh
# vagap set-up: installs what is missing (Debian/Ubuntu), builds, and runs a task.
#
#   ./setup.sh demo    build and run the main job on the bundled study (datasets/walktalk-sim)
#   ./setup.sh test    build and run the whole test suite, with the R/scipy references
#   ./setup.sh build   install the build dependencies and build only
#
# Run as root or as a user with sudo.  Only packages that are missing are installed.
set -eu
cd "$(dirname "$0")"
task=${1:-demo}
build_dir=${VAGAP_BUILD_DIR:-build}

BUILD_PACKAGES="cmake make gcc pkg-config libgsl-dev libcsv-dev libnlopt-dev libcmocka-dev zlib1g-dev libjansson-dev"
# References for the cross-checks (lavaan, R's stats, pwr, scipy, scikit-learn, mpmath), R headers and
# testthat for the R package (src/r), ggplot2 for
# the VAAR example, headless Chromium to render the report's SVG, and a
# comma-decimal locale for the locale-independence test, OpenMPI for `mpirun vagap power`
# (check.power_mpi; the test build links MPI, which costs ~2 ms per program start),
# data.table for the benchmarks' fread comparisons and OpenMx for the FIML benchmark (tests/bench).
TEST_PACKAGES="r-base-core r-base-dev r-cran-lavaan r-cran-pwr r-cran-testthat r-cran-data.table r-cran-openmx python3 python3-scipy python3-sklearn python3-pandas python3-mpmath r-cran-ggplot2 chromium locales valgrind time libopenmpi-dev openmpi-bin"

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "setup.sh: need root or sudo to run: $*" >&2; exit 1; fi
}

missing_packages() {
  for p in "$@"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || printf '%s ' "$p"
  done
}

install_packages() {
  missing=$(missing_packages "$@")
  [ -z "$missing" ] && return 0
  echo "setup.sh: installing $missing"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  # shellcheck disable=SC2086
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
}

ensure_test_locale() {
  locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$' && return 0
  if [ -f /etc/locale.gen ] && command -v locale-gen >/dev/null; then
    as_root sed -i 's/^# *\(de_DE.UTF-8 UTF-8\)/\1/' /etc/locale.gen
    as_root locale-gen >/dev/null || true
  fi
}

build() { # build DIR [CMAKE OPTIONS...]
  dir=$1; shift
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$dir" -j "$(nproc 2>/dev/null || echo 2)"
}

case "$task" in
  build)
    install_packages $BUILD_PACKAGES
    build "$build_dir" ;;
  demo)
    install_packages $BUILD_PACKAGES
    build "$build_dir"
    if [ -d datasets/walktalk-sim ] && "$build_dir/vagap" --help | grep -q '^  report'; then
      "$build_dir/vagap" report datasets/walktalk-sim --out out/walktalk-sim --text
      echo "setup.sh: tables, report.md and calibration.svg are in out/walktalk-sim/"
    else
      "$build_dir/vagap" describe --by group tests/data/describe_basic.csv
    fi ;;
  test)
    install_packages $BUILD_PACKAGES $TEST_PACKAGES
    ensure_test_locale
    build "$build_dir" -DVAGAP_MPI=ON
    # A failing pass does not stop the other one; the command ends with the list of skipped
    # tests and their reasons (ctest counts a skip among the passes), then fails if any failed.
    status=0
    (cd "$build_dir" && ctest --output-on-failure -j 2 --output-junit ctest-junit.xml) || status=1
    # The unit and CLI tests once more under AddressSanitizer and UBSan, with the CSV
    # reader asked for segments of 7 bytes (VAGAP_SEGMENT_BYTES, used wherever
    # segment_bytes is left 0): the results must not depend on how input is cut.
    build "$build_dir-sanitize" -DVAGAP_SANITIZE=ON
    (cd "$build_dir-sanitize" && export VAGAP_SEGMENT_BYTES=7 &&
      ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
        ctest --output-on-failure -j 2 -L 'unit|cli' --output-junit ctest-junit.xml) || status=1
    echo
    sh tests/list_skipped.sh "$build_dir/ctest-junit.xml" "tests"
    sh tests/list_skipped.sh "$build_dir-sanitize/ctest-junit.xml" "sanitizer tests"
    [ $status = 0 ] || echo "setup.sh: some tests FAILED (see above)" >&2
    exit $status ;;
  *)
    echo "usage: ./setup.sh [demo|test|build]" >&2; exit 2 ;;
esac
