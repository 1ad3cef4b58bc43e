#!/bin/sh
# Build the libFuzzer targets and run each for SECONDS (default 60):
#   sh tests/fuzz/run.sh [SECONDS] [TARGET...]
# Needs clang and libclang-rt-14-dev.  Seeds come from tests/data; crashes are
# written to build-fuzz/crashes/ (turn each into a regression file under
# tests/data/fuzz-regressions/ and a test).
set -eu
cd "$(dirname "$0")/../.."
seconds=${1:-60}
[ $# -gt 0 ] && shift
CC=clang cmake -S . -B build-fuzz -DVAGAP_FUZZ=ON -DVAGAP_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j2 >/dev/null
targets=${*:-$(cd build-fuzz/tests/fuzz && ls fuzz_* | grep -v '\.' )}
mkdir -p build-fuzz/crashes
# seeds for fuzz_cli: <command byte><data file>\377<second file>
mkdir -p build-fuzz/corpus/fuzz_cli
seed() { { printf "\\$(printf '%03o' "$1")"; cat "$2"; printf '\377'; if [ -n "${3:-}" ]; then cat "$3"; fi; } > "build-fuzz/corpus/fuzz_cli/seed-$1-$(basename "$2")"; }
seed 0 tests/data/describe_basic.csv
seed 1 tests/data/iat_assoc.csv
seed 2 tests/data/iat_latency.csv
seed 3 tests/data/stats_responses.csv tests/data/stats_key.csv
seed 4 tests/data/stats_units.csv tests/data/fuzz-seeds/fuzz_sem_syntax/hs.model
seed 6 tests/data/align_small.csv
seed 7 tests/data/gap_summary.csv
seed 8 tests/data/stats_units.csv
for t in $targets; do
  corpus=build-fuzz/corpus/$t
  mkdir -p "$corpus"
  for f in tests/data/*.csv tests/data/*.jsonl tests/data/*.txt tests/data/*.model tests/data/fuzz-seeds/$t/*; do
    [ -f "$f" ] && cp "$f" "$corpus/" 2>/dev/null || true
  done
  echo "== $t for $seconds s"
  build-fuzz/tests/fuzz/$t -max_total_time="$seconds" -max_len=65536 -timeout=60 -rss_limit_mb=2048 \
    -close_fd_mask=3 -artifact_prefix=build-fuzz/crashes/$t- "$corpus" 2>&1 | tail -3
done
