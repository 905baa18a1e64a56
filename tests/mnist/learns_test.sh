#!/usr/bin/env bash
# Learning on the real MNIST (fetched by scripts/fetch-mnist.sh):
#  - one epoch of the tutorial (mse, sgd, batch 32) reaches val_acc above 0.7;
#  - two epochs of adam + crossentropy at batch 128 learn past 0.95.
# Usage: learns_test.sh MLP_TRAIN SOURCE_DIR
set -euo pipefail
train=$1
root=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

val_acc_of_last_epoch() { grep -o 'val_acc: [0-9.]*' "$1" | tail -n 1 | cut -d' ' -f2; }

"$train" --config "$root/configs/mnist.json" --epochs 1 --verbose 2 -o "$work/tutorial.mlp" >"$work/tutorial.txt"
tutorial=$(val_acc_of_last_epoch "$work/tutorial.txt")
echo "tutorial, 1 epoch: val_acc $tutorial"
grep -q '^Train on 48000 samples, validate on 12000 samples$' "$work/tutorial.txt"

"$train" --config "$root/configs/mnist_adam.json" --epochs 2 --verbose 2 -o "$work/adam.mlp" >"$work/adam.txt"
adam=$(val_acc_of_last_epoch "$work/adam.txt")
echo "adam, 2 epochs: val_acc $adam"

awk -v t="$tutorial" -v a="$adam" 'BEGIN { exit !(t > 0.7 && a > 0.95) }' || {
  echo "learning below the floor: tutorial $tutorial (needs > 0.7), adam $adam (needs > 0.95)" >&2
  exit 1
}

# The saved model, read back: mlp-eval on the test set, mlp-predict agreeing with
# it, and the documented format read by a short numpy script (docs/model-format.md).
bin=$(dirname "$train")
"$bin/mlp-eval" --model "$work/adam.mlp" --json >"$work/eval.json"
"$bin/mlp-predict" --model "$work/adam.mlp" --images "$root/data/mnist/t10k-images-idx3-ubyte" >"$work/predict.csv"
eval_acc=$(grep -o '"accuracy":[0-9.e-]*' "$work/eval.json" | cut -d: -f2)
predict_acc=$(tail -n +2 "$work/predict.csv" | cut -d, -f2 |
  paste -d, - <(tail -c +9 "$root/data/mnist/t10k-labels-idx1-ubyte" | od -An -v -tu1 -w1 | tr -d ' ') |
  awk -F, '{ n++; if ($1 == $2) hits++ } END { printf "%.4f", hits / n }')
echo "adam test accuracy: mlp-eval $eval_acc, mlp-predict $predict_acc"
awk -v e="$eval_acc" -v p="$predict_acc" 'BEGIN { d = e - p; exit !(d < 1e-4 && d > -1e-4 && e > 0.95) }' || {
  echo "mlp-eval and mlp-predict disagree (or accuracy below 0.95)" >&2
  exit 1
}
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
  /usr/bin/python3 "$root/scripts/read-model.py" "$work/adam.mlp" --predict "$root/data/mnist/t10k-images-idx3-ubyte" 1000 >"$work/numpy.txt"
  sed -n "2,1001p" "$work/predict.csv" | cut -d, -f2 >"$work/ours.txt"
  diff -q "$work/numpy.txt" "$work/ours.txt" >/dev/null || {
    echo "scripts/read-model.py predicts other classes than mlp-predict" >&2
    exit 1
  }
  echo "read-model.py agrees with mlp-predict on 1000 images"
fi
