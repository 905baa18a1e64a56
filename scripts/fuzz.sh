#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer, clang, ASan + UBSan) of the IDX reader, the
# config loader, the model loader, the --set language and the command-line number
# reading, from the committed seed corpus. The build
# (build-sanitize) is the one scripts/test.sh runs the suite in under the sanitizers.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 300; scripts/test.sh runs 6)
#        scripts/fuzz.sh --build-only           (configure and build everything there)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-300}
build="$root/build-sanitize"
# Without MPI: the suite's second build is also the one that checks mlp builds
# and passes without it (and MPI's own allocations would only be noise to LSan).
# Ninja when there is one (setup.sh installs it) and the folder is new: it
# schedules the suite's hundred-odd steps without make's per-target overhead.
generator=()
if command -v ninja >/dev/null && [ ! -f "$build/CMakeCache.txt" ]; then generator=(-G Ninja); fi
CXX=clang++ cmake "${generator[@]}" -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DMLP_SANITIZE=ON -DMLP_FUZZ=ON -DMLP_WERROR=ON \
  -DMLP_MPI=OFF >/dev/null
if [ "$seconds" = --build-only ]; then
  exec cmake --build "$build" -j"$(nproc)"
fi
cmake --build "$build" -j"$(nproc)" --target idx_fuzz config_fuzz model_fuzz override_fuzz number_fuzz keras_fuzz csv_fuzz npy_fuzz >/dev/null
# One target per core at a time, each for the full time; logs are read after.
fuzz_one() {
  local target=$1 work
  work=$(mktemp -d)
  # New inputs go to a scratch folder; the committed corpus stays as it is.
  if ! "$build/tests/fuzz/${target}_fuzz" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
      -artifact_prefix="$work/" "$work" "$root/tests/fuzz/corpus/$target" >"$work/log" 2>&1; then
    echo "fuzz: ${target}_fuzz found a problem:" >&2
    tail -n 40 "$work/log" >&2
    echo "fuzz: the input that failed is kept in $work" >&2
    return 1
  fi
  echo "fuzz: ${target}_fuzz: $(grep -o '#[0-9]*.*cov: [0-9]* ft: [0-9]*' "$work/log" | tail -n 1)"
  rm -rf "$work"
}
status=0
running=0
for target in idx config model override number keras csv npy; do
  if [ "$running" -ge "$(nproc)" ]; then
    wait -n || status=1
    running=$((running - 1))
  fi
  fuzz_one "$target" &
  running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
  wait -n || status=1
  running=$((running - 1))
done
exit $status
