#!/usr/bin/env bash
# mlp learns real tabular data (scripts/fetch-tabular.sh, from Debian's
# python3-sklearn): each config in configs/ trained on its training split and
# evaluated on its test split, with floors a few points under what it reaches
# (docs/benchmarks.md has the numbers next to scikit-learn's):
#   breast_cancer (CSV, text classes, binary)   accuracy >= 0.95
#   wine          (CSV, classes 0-2)            accuracy >= 0.94
#   digits        (.npz of 8x8 images)          accuracy >= 0.95
#   diabetes      (CSV, regression)             R² >= 0.28
# and mlp-predict names breast_cancer's classes as the CSV does.
# Usage: learns_test.sh BIN_DIR SOURCE_DIR
set -euo pipefail
bin=$1
root=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for f in breast_cancer_train.csv wine_train.csv digits_train.npz diabetes_train.csv; do
  [ -f "$root/data/tabular/$f" ] || { echo "learns_test: $root/data/tabular/$f is missing (scripts/fetch-tabular.sh)" >&2; exit 1; }
done

check() {  # check NAME KEY FLOOR
  "$bin/mlp-train" --config "$root/configs/$1.json" --verbose 0 --log-level error -o "$work/$1.mlp" >/dev/null
  "$bin/mlp-eval" --model "$work/$1.mlp" --json >"$work/$1.json"
  /usr/bin/python3 - "$work/$1.json" "$1" "$2" "$3" <<'PY'
import json, sys
value = json.load(open(sys.argv[1]))[sys.argv[3]]
print(f"{sys.argv[2]}: {sys.argv[3]} {value:.4f} (floor {sys.argv[4]})")
sys.exit(0 if value >= float(sys.argv[4]) else 1)
PY
}
check breast_cancer accuracy 0.95
check wine accuracy 0.94
check digits accuracy 0.95
check diabetes r2 0.28

"$bin/mlp-predict" --model "$work/breast_cancer.mlp" --input "$root/data/tabular/breast_cancer_test.csv" >"$work/p.csv"
classes=$(cut -d, -f2 "$work/p.csv" | tail -n +2 | sort -u | tr '\n' ' ')
[ "$classes" = "benign malignant " ] || { echo "learns_test: predicted classes are '$classes'" >&2; exit 1; }
