#!/usr/bin/env bash
# The Keras MNIST tutorial, end to end: installs what is missing, fetches MNIST,
# builds, and trains configs/mnist.json. Extra arguments go to mlp-train.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/fetch-mnist.sh"
"$root/scripts/build.sh" >/dev/null
cd "$root"
exec "$root/build/src/mlp-train" --config configs/mnist.json "$@"
