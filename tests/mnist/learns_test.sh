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
