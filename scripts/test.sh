#!/usr/bin/env bash
# Every test: installs what is missing, fetches MNIST and the tabular sets, builds
# (with MPI), runs the whole suite (unit, golden, CLI, real-data, interop, report
# and MPI tests), then runs it again in one clang build without MPI
# with AddressSanitizer + UndefinedBehaviorSanitizer at -O1, whose coverage
# instrumentation also serves the fuzz targets, and runs each of them briefly
# (scripts/fuzz.sh runs them longer).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=$(nproc)
# When ccache is there (CMakeLists.txt uses it), paths under the clone are hashed
# relative to it, so a fresh clone reuses what an earlier one compiled.
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1

# Each phase says when it starts (seconds since the script did), to see where time goes.
phase() { echo "== $1 (at ${SECONDS} s)"; }

"$root/scripts/setup.sh"
"$root/scripts/fetch-mnist.sh"
"$root/scripts/fetch-tabular.sh"

phase "build (Release)"
# Ninja when there is one (setup.sh installs it) and the folder is new.
generator=()
if command -v ninja >/dev/null && [ ! -f build/CMakeCache.txt ]; then generator=(-G Ninja); fi
cmake "${generator[@]}" -S . -B build -DCMAKE_BUILD_TYPE=Release -DMLP_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
phase "tests (Release)"
ctest --test-dir build --output-on-failure -j"$jobs"

phase "build (ASan + UBSan, clang, with the fuzz targets)"
"$root/scripts/fuzz.sh" --build-only
phase "tests (ASan + UBSan)"
# The real-MNIST runs are covered by the Release pass; under the sanitizers they
# would take minutes and check nothing the small sets do not.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  LSAN_OPTIONS="suppressions=$root/tests/lsan.supp" ctest --test-dir build-sanitize --output-on-failure -j"$jobs" -LE mnist
phase "fuzzing (libFuzzer, ASan + UBSan, 2 s per target)"
"$root/scripts/fuzz.sh" 2
phase "all tests passed"
