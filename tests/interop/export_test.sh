#!/usr/bin/env bash
# Exported models run by their real consumers: models covering every layer and
# activation mlp has (tests/interop/*.json) are trained for one epoch on 2,000
# MNIST images and exported with mlp-export as
#  - ONNX: checked by onnx.checker (full_check) and run by ONNX Runtime
#    (onnxruntime-node) on raw pixels;
#  - Keras HDF5: read by keras_h5_predict.py, which follows Keras 2.2.4's
#    load_model step by step with h5py and runs the forward pass in numpy;
#  - TensorFlow.js: loaded by @tensorflow/tfjs (tf.io.fromMemory) and run;
# on 1,000 test images: every output must equal mlp-predict's within 1e-5. Then
# the same for a model of numbers with data.normalize (configs/wine.json on the
# real wine table, scripts/fetch-tabular.sh), and its Keras file imported back.
# Usage: export_test.sh BIN_DIR SOURCE_DIR
set -euo pipefail
bin=$1
root=$2
here="$root/tests/interop"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export NODE_PATH="$here/node_modules"

# The first 2,000 training and 1,000 test images.
/usr/bin/python3 "$here/mnist_subset.py" "$root/data/mnist" "$work" 2000 1000
cp "$work/t10k-images-idx3-ubyte" "$work/images-1000"

train() {  # train MODEL [--set ...]: one epoch on the 2,000 images, into $work/MODEL.mlp
  local model=$1
  shift
  "$bin/mlp-train" --config "$here/$model.json" "$@" \
    --set "data.train.images=\"$work/train-images-idx3-ubyte\"" --set "data.train.labels=\"$work/train-labels-idx1-ubyte\"" \
    -o "$work/$model.mlp" >/dev/null
  "$bin/mlp-predict" --model "$work/$model.mlp" --images "$work/images-1000" --top-k 10 >"$work/$model.csv"
}

tfjs_refusal() {  # tfjs_refusal MESSAGE SETTING, for $model
  local status=0
  "$bin/mlp-export" --model "$work/$model.mlp" --format tfjs -o "$work/refused.tfjs" 2>"$work/refusal.txt" || status=$?
  if [ "$status" -ne 2 ]; then
    echo "$model: mlp-export --format tfjs exited $status on what TensorFlow.js cannot load (expected 2)" >&2
    exit 1
  fi
  grep -qF "$1" "$work/refusal.txt" || { cat "$work/refusal.txt" >&2; exit 1; }
  train "$model" --set "$2"
}

for model in mlp_activations dropout_batchnorm cnn cnn_global; do
  train "$model"
  "$bin/mlp-export" --model "$work/$model.mlp" --format onnx -o "$work/$model.onnx"
  /usr/bin/python3 "$here/check_onnx.py" "$work/$model.onnx"
  shape=$(/usr/bin/python3 -c "import json,sys; print(','.join(map(str, json.load(open(sys.argv[1]))['model']['input_shape'])))" "$here/$model.json")
  node "$here/onnx_run.js" "$work/$model.onnx" "$work/images-1000" 1000 "$shape" >"$work/$model.ort.csv"
  /usr/bin/python3 "$here/compare_outputs.py" "$work/$model.csv" "$work/$model.ort.csv" 1e-5 "$model: ONNX Runtime"

  "$bin/mlp-export" --model "$work/$model.mlp" --format keras -o "$work/$model.h5"
  /usr/bin/python3 "$here/keras_h5_predict.py" "$work/$model.h5" "$work/images-1000" 1000 >"$work/$model.keras.csv"
  /usr/bin/python3 "$here/compare_outputs.py" "$work/$model.csv" "$work/$model.keras.csv" 1e-5 "$model: Keras layout (h5py + numpy)"
  # And back: mlp-import of the exported file predicts exactly as the model did.
  "$bin/mlp-import" --keras "$work/$model.h5" -o "$work/$model.back.mlp" 2>/dev/null
  "$bin/mlp-predict" --model "$work/$model.back.mlp" --images "$work/images-1000" --top-k 10 >"$work/$model.back.csv"
  cmp "$work/$model.csv" "$work/$model.back.csv"

  # What TensorFlow.js's layers cannot load (ELU with an alpha other than 1, a
  # Softmax layer along another axis than the last) is refused with exit 2 and
  # the reason; the same model with the setting TensorFlow.js takes goes through.
  case $model in
    mlp_activations) tfjs_refusal "TensorFlow.js's ELU layer takes only alpha 1, this one has 0.5" 'model.layers[16].alpha=1.0' ;;
    cnn_global) tfjs_refusal "TensorFlow.js's Softmax layer works along the last axis only, this one along axis 2" 'model.layers[5].axis=-1' ;;
  esac
  "$bin/mlp-export" --model "$work/$model.mlp" --format tfjs -o "$work/$model.tfjs"
  node "$here/tfjs_run.js" "$work/$model.tfjs" "$work/images-1000" 1000 "$work/$model.tfjs.csv" >/dev/null
  /usr/bin/python3 "$here/compare_outputs.py" "$work/$model.csv" "$work/$model.tfjs.csv" 1e-5 "$model: TensorFlow.js"
done

# A model of numbers, not bytes: configs/wine.json (a CSV table, data.normalize
# "standard"). Each consumer gets the test table's features as float32 (.f32):
# ONNX's graph normalizes them itself, the Keras and TensorFlow.js readers as the
# file's mlp_preprocessing says; and mlp-import brings the statistics back.
tabular="$root/data/tabular"
"$bin/mlp-train" --config "$root/configs/wine.json" --verbose 0 -o "$work/wine.mlp" >/dev/null
"$bin/mlp-predict" --model "$work/wine.mlp" --input "$tabular/wine_test.csv" --top-k 3 >"$work/wine.csv"
/usr/bin/python3 - "$tabular/wine_test.csv" "$work/wine.f32" <<'PY'
import csv, sys
import numpy as np
rows = list(csv.reader(open(sys.argv[1])))
target = rows[0].index("cultivar")
features = [[v for i, v in enumerate(r) if i != target] for r in rows]
np.array([[float(v) for v in r] for r in features[1:]], dtype="<f4").tofile(sys.argv[2])
csv.writer(open(sys.argv[2][:-4] + "-features.csv", "w", newline="")).writerows(features)
PY
count=$(($(wc -l <"$tabular/wine_test.csv") - 1))
"$bin/mlp-export" --model "$work/wine.mlp" --format onnx -o "$work/wine.onnx"
/usr/bin/python3 "$here/check_onnx.py" "$work/wine.onnx"
node "$here/onnx_run.js" "$work/wine.onnx" "$work/wine.f32" "$count" 13 >"$work/wine.ort.csv"
/usr/bin/python3 "$here/compare_outputs.py" "$work/wine.csv" "$work/wine.ort.csv" 1e-5 "wine: ONNX Runtime"
"$bin/mlp-export" --model "$work/wine.mlp" --format keras -o "$work/wine.h5"
/usr/bin/python3 "$here/keras_h5_predict.py" "$work/wine.h5" "$work/wine.f32" "$count" >"$work/wine.keras.csv"
/usr/bin/python3 "$here/compare_outputs.py" "$work/wine.csv" "$work/wine.keras.csv" 1e-5 "wine: Keras layout (h5py + numpy)"
"$bin/mlp-export" --model "$work/wine.mlp" --format tfjs -o "$work/wine.tfjs"
node "$here/tfjs_run.js" "$work/wine.tfjs" "$work/wine.f32" "$count" "$work/wine.tfjs.csv" >/dev/null
/usr/bin/python3 "$here/compare_outputs.py" "$work/wine.csv" "$work/wine.tfjs.csv" 1e-5 "wine: TensorFlow.js"
# The imported model has no training data spec to name the target column: it is given the features alone.
"$bin/mlp-import" --keras "$work/wine.h5" -o "$work/wine.back.mlp" 2>/dev/null
"$bin/mlp-predict" --model "$work/wine.back.mlp" --input "$work/wine-features.csv" --top-k 3 >"$work/wine.back.csv"
cmp "$work/wine.csv" "$work/wine.back.csv"
