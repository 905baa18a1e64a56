#!/usr/bin/env bash
# Keras models into mlp. make_keras_fixture.py writes HDF5 files with h5py as
# Keras 2.2.4's save_model lays them out (and one as tf.keras 2.x does);
#  - mlp-import reads each, and mlp-predict's outputs on 1,000 MNIST test images
#    equal keras_h5_predict.py's (Keras's loader followed step by step, numpy's
#    forward pass) within 1e-5; mlp-summary and mlp-eval read the imported model,
#    and mlp-train --resume trains it further;
#  - mlp-train --config takes the same architecture as a model.to_json()
#    document (with compile given by --set);
#  - damaged files (no model_config, a transposed kernel, a float64 weight, a
#    listed weight missing, a layer count that differs, a truncated file, a
#    file that is not HDF5) are refused with exit 2 and the fault named.
# Usage: keras_import_test.sh BIN_DIR SOURCE_DIR
set -euo pipefail
bin=$1
root=$2
here="$root/tests/interop"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

/usr/bin/python3 "$here/make_keras_fixture.py" "$work"
# 2,000 training and 1,000 test images, MNIST-named, for --data-dir.
mkdir "$work/mnist"
/usr/bin/python3 "$here/mnist_subset.py" "$root/data/mnist" "$work/mnist" 2000 1000
images="$work/mnist/t10k-images-idx3-ubyte"

for model in keras224_cnn tf_keras_mlp; do
  "$bin/mlp-import" --keras "$work/$model.h5" -o "$work/$model.mlp" 2>"$work/$model.import.txt"
  "$bin/mlp-predict" --model "$work/$model.mlp" --images "$images" --top-k 10 >"$work/$model.csv"
  /usr/bin/python3 "$here/keras_h5_predict.py" "$work/$model.h5" "$images" 1000 >"$work/$model.numpy.csv"
  /usr/bin/python3 "$here/compare_outputs.py" "$work/$model.csv" "$work/$model.numpy.csv" 1e-5 "$model: mlp-import"
done
grep -q "no training_config; compiled with categorical_crossentropy" "$work/tf_keras_mlp.import.txt"

"$bin/mlp-summary" --model "$work/keras224_cnn.mlp" >"$work/summary.txt"
grep -q '^conv2d_1 (Conv2D)            (None, 26, 26, 6)         60' "$work/summary.txt"
grep -q '^Non-trainable params: 12$' "$work/summary.txt"
"$bin/mlp-eval" --model "$work/keras224_cnn.mlp" --images "$images" --labels "$work/mnist/t10k-labels-idx1-ubyte" --json >"$work/eval.json"
grep -q '"accuracy"' "$work/eval.json"
# Fine-tuning: the imported model (its training_config: adam) trains on.
"$bin/mlp-train" --resume "$work/keras224_cnn.mlp" --data-dir "$work/mnist" --epochs 1 --verbose 2 -o "$work/tuned.mlp" >"$work/tuned.txt"
grep -q ' - acc: ' "$work/tuned.txt"
if cmp -s "$work/keras224_cnn.mlp" "$work/tuned.mlp"; then echo "fine-tuning changed nothing" >&2; exit 1; fi

# The architecture as model.to_json() writes it: compile comes from --set.
status=0
"$bin/mlp-summary" --config "$work/keras224_cnn.json" >/dev/null 2>"$work/no_compile.txt" || status=$?
[ "$status" -eq 2 ] && grep -q 'compile: a Keras model document needs' "$work/no_compile.txt"
"$bin/mlp-train" --config "$work/keras224_cnn.json" --data-dir "$work/mnist" --set compile.loss=categorical_crossentropy \
  --set compile.optimizer=adam --set 'compile.metrics=["acc"]' --epochs 1 --verbose 2 -o "$work/from_json.mlp" >"$work/from_json.txt"
grep -q '^batch_normalization_1 (Batch (None, 26, 26, 6)         24' "$work/from_json.txt"
# A layer mlp does not have is refused by its Keras name.
/usr/bin/python3 - "$work/keras224_cnn.json" "$work/lstm.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
doc['config']['layers'].insert(6, {'class_name': 'LSTM', 'config': {'name': 'lstm_1', 'units': 4}})
doc['compile'] = {'loss': 'mse', 'optimizer': 'sgd'}
json.dump(doc, open(sys.argv[2], 'w'))
PY
status=0
"$bin/mlp-summary" --config "$work/lstm.json" >/dev/null 2>"$work/lstm.txt" || status=$?
[ "$status" -eq 2 ] && grep -q "model.layers\[6\].type: unknown layer type 'LSTM'" "$work/lstm.txt"

# Damaged files: exit 2, the fault named, no model written.
head -c 3000 "$work/keras224_cnn.h5" >"$work/bad_truncated.h5"
echo '{"class_name": "Sequential"}' >"$work/bad_not_hdf5.h5"
{
  cat "$work/faults.txt"
  printf 'bad_truncated.h5\tcannot be opened\n'
  printf 'bad_not_hdf5.h5\tis not an HDF5 file\n'
} >"$work/all_faults.txt"
while IFS=$'\t' read -r file message; do
  status=0
  "$bin/mlp-import" --keras "$work/$file" -o "$work/refused.mlp" 2>"$work/refusal.txt" || status=$?
  if [ "$status" -ne 2 ] || ! grep -qF "$message" "$work/refusal.txt" || [ -e "$work/refused.mlp" ]; then
    echo "$file: expected exit 2 with \"$message\", got $status:" >&2
    cat "$work/refusal.txt" >&2
    exit 1
  fi
  echo "$file: refused ($(cut -c1-120 "$work/refusal.txt"))"
done <"$work/all_faults.txt"
