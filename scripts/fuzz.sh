#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer, clang, ASan + UBSan) of the IDX reader, the
# config loader and the model loader, from the committed seed corpus.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 300; scripts/test.sh runs 15)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-300}
command -v clang++ >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang >/dev/null
dpkg -s libclang-rt-14-dev >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libclang-rt-14-dev >/dev/null
build="$root/build-fuzz"
CXX=clang++ cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMLP_FUZZ=ON -DMLP_SANITIZE=ON \
  -DMLP_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target idx_fuzz config_fuzz model_fuzz >/dev/null
status=0
for target in idx config model; do
  work=$(mktemp -d)
  # New inputs go to a scratch folder; the committed corpus stays as it is.
  if ! "$build/tests/fuzz/${target}_fuzz" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
      -artifact_prefix="$work/" "$work" "$root/tests/fuzz/corpus/$target" >"$work/log" 2>&1; then
    echo "fuzz: ${target}_fuzz found a problem:" >&2
    tail -n 40 "$work/log" >&2
    echo "fuzz: the input that failed is kept in $work" >&2
    status=1
  else
    echo "fuzz: ${target}_fuzz: $(grep -o '#[0-9]*.*cov: [0-9]* ft: [0-9]*' "$work/log" | tail -n 1)"
    rm -rf "$work"
  fi
done
exit $status
