#!/usr/bin/env bash
# Learning on the real MNIST (fetched by scripts/fetch-mnist.sh):
#  - one epoch of the tutorial (mse, sgd, batch 32) reaches val_acc above 0.7;
#  - two epochs of adam + crossentropy at batch 128 learn past 0.95;
#  - one epoch of a small CNN (Conv2D, MaxPooling2D, Dense) on half the training
#    set learns past 0.95 on the other half;
#  - EarlyStopping on the test set's val_loss (fit.validation_data "test") stops
#    before its 20 epochs, and the saved model, evaluated by mlp-eval, has the
#    best epoch's val_loss (restore_best_weights).
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

"$train" --config "$root/tests/mnist/early_stopping.json" --csv-log "$work/es.csv" -o "$work/es.mlp" \
  >"$work/es.txt" 2>"$work/es.err"
grep -q '^Train on 60000 samples, validate on 10000 samples$' "$work/es.txt"
stopped=$(grep -o '^Epoch [0-9]*: early stopping$' "$work/es.txt" | grep -o '[0-9][0-9]*' | head -n 1)
best=$(grep -o 'restored the weights of epoch [0-9]*' "$work/es.err" | grep -o '[0-9]*$')
[ -n "$stopped" ] && [ -n "$best" ] && [ "$((10#$stopped))" -lt 20 ] || {
  echo "EarlyStopping did not stop early and restore: stopped '$stopped', best '$best'" >&2
  exit 1
}
# The CSV log's val_loss column at the best epoch (0-based rows), and mlp-eval's loss.
best_val_loss=$(tr -d '\r' <"$work/es.csv" | awk -F, -v e="$((best - 1))" '
  NR == 1 { for (i = 1; i <= NF; i++) if ($i == "val_loss") c = i }
  NR > 1 && $1 == e { print $c }')
"$bin/mlp-eval" --model "$work/es.mlp" --json >"$work/es-eval.json"
eval_loss=$(grep -o '"loss":[0-9.e-]*' "$work/es-eval.json" | cut -d: -f2)
echo "early stopping: stopped after epoch $((10#$stopped)), best epoch $best val_loss $best_val_loss, mlp-eval loss $eval_loss"
awk -v b="$best_val_loss" -v e="$eval_loss" 'BEGIN { d = (b - e) / b; exit !(b > 0 && d < 1e-5 && d > -1e-5) }' || {
  echo "the saved model's test loss $eval_loss is not the best epoch's val_loss $best_val_loss" >&2
  exit 1
}

"$train" --config "$root/tests/mnist/cnn_small.json" -o "$work/cnn.mlp" >"$work/cnn.txt"
cnn=$(val_acc_of_last_epoch "$work/cnn.txt")
echo "small CNN, 1 epoch on 30000 images: val_acc $cnn"
grep -q '^Train on 30000 samples, validate on 30000 samples$' "$work/cnn.txt"
awk -v c="$cnn" 'BEGIN { exit !(c > 0.95) }' || {
  echo "the small CNN learned below the floor: val_acc $cnn (needs > 0.95)" >&2
  exit 1
}
"$bin/mlp-eval" --model "$work/cnn.mlp" --min-accuracy 0.95 >/dev/null
