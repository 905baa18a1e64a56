#!/usr/bin/env bash
# The speed benchmark: mlp against PyTorch (Debian's python3-torch) on the tutorial,
# adam at batch 128, inference and the CNN, interleaved in one run, and the
# tutorial and adam under mpirun on 2 and 4 ranks and the CNN on 2 (when built with MPI). Prints the table that
# goes into docs/benchmarks.md. Options: --repeats N (3), --epochs N (3).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
dpkg -s python3-torch >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch >/dev/null
"$root/scripts/fetch-mnist.sh"
"$root/scripts/build.sh" -DMLP_BUILD_BENCH=ON >/dev/null
exec /usr/bin/python3 "$root/bench/run_bench.py" "$@"
