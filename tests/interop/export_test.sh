#!/usr/bin/env bash
# Exported models run by their real consumers: models covering every layer and
# activation mlp has (tests/interop/*.json) are trained for one epoch on 2,000
# MNIST images and exported with mlp-export as
#  - ONNX: checked by onnx.checker (full_check) and run by ONNX Runtime
#    (onnxruntime-node) on raw pixels;
#  - Keras HDF5: read by keras_h5_predict.py, which follows Keras 2.2.4's
#    load_model step by step with h5py and runs the forward pass in numpy;
#  - TensorFlow.js: loaded by @tensorflow/tfjs (tf.io.fromMemory) and run;
# on 1,000 test images: every output must equal mlp-predict's within 1e-5.
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
