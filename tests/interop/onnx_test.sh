#!/usr/bin/env bash
# ONNX export, checked by the ONNX project's checker and run by ONNX Runtime:
# models covering every layer and activation mlp has (tests/interop/*.json) are
# trained for one epoch on 2,000 MNIST images, exported with mlp-export, checked
# with onnx.checker (full_check), and run by onnxruntime-node on 1,000 test
# images fed as raw pixels; the outputs must equal mlp-predict's within 1e-5.
# Usage: onnx_test.sh BIN_DIR SOURCE_DIR
set -euo pipefail
bin=$1
root=$2
here="$root/tests/interop"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export NODE_PATH="$here/node_modules"

# The first 2,000 training images (and labels) as IDX files.
/usr/bin/python3 - "$root/data/mnist" "$work" <<'PY'
import struct, sys
src, dst = sys.argv[1], sys.argv[2]
for name, header, size in (('train-images-idx3-ubyte', 16, 784), ('train-labels-idx1-ubyte', 8, 1)):
    raw = open('%s/%s' % (src, name), 'rb').read()
    open('%s/%s' % (dst, name), 'wb').write(raw[:4] + struct.pack('>I', 2000) + raw[8:header] + raw[header:header + 2000 * size])
PY
# The first 1,000 test images.
head -c $((16 + 1000 * 784)) "$root/data/mnist/t10k-images-idx3-ubyte" >"$work/images-1000"
printf '\x00\x00\x03\xe8' | dd of="$work/images-1000" bs=1 seek=4 conv=notrunc status=none

for model in mlp_activations dropout_batchnorm cnn cnn_global; do
  "$bin/mlp-train" --config "$here/$model.json" \
    --set "data.train.images=\"$work/train-images-idx3-ubyte\"" --set "data.train.labels=\"$work/train-labels-idx1-ubyte\"" \
    -o "$work/$model.mlp" >/dev/null
  "$bin/mlp-export" --model "$work/$model.mlp" --format onnx -o "$work/$model.onnx"
  /usr/bin/python3 "$here/check_onnx.py" "$work/$model.onnx"
  "$bin/mlp-predict" --model "$work/$model.mlp" --images "$work/images-1000" --top-k 10 >"$work/$model.csv"
  shape=$(/usr/bin/python3 -c "import json,sys; print(','.join(map(str, json.load(open(sys.argv[1]))['model']['input_shape'])))" "$here/$model.json")
  node "$here/onnx_run.js" "$work/$model.onnx" "$work/images-1000" 1000 "$shape" >"$work/$model.ort.csv"
  /usr/bin/python3 "$here/compare_outputs.py" "$work/$model.csv" "$work/$model.ort.csv" 1e-5 "$model: ONNX Runtime"
done
