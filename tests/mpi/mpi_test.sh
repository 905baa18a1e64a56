#!/usr/bin/env bash
# Data-parallel training under mpirun against one process:
#  - the tutorial (one epoch) under np 2: the same lines, weights within 1e-5;
#  - on configs/wine.json (the real wine table, scripts/fetch-tabular.sh; 142
#    training rows, batches of 16, a validation split), 6 epochs: np 2 and np 3 print the same Keras lines as one process, and end with
#    weights within 1e-5 of its (the gradients are summed in another order:
#    float rounding, nothing else);
#  - a run resumed under np 2 from its checkpoint ends with the same model file,
#    byte for byte, as the uninterrupted np 2 run;
#  - SIGTERM to mpirun stops every rank with the checkpoint written, from which
#    the run (with Dropout) resumes to the uninterrupted run's model, byte for byte;
#  - a model whose gradients go in three buckets matches one process too;
#  - mlp-eval under mpirun (classes, and a regression) prints one process's results, once;
#    mlp-predict and mlp-summary run on rank 0 alone;
#  - a rank that dies ends the job with an error, not a hang; a bad config
#    exits 2 with one error line; a config error on one rank alone is told by
#    that rank, and exits 2.
# Usage: mpi_test.sh BIN_DIR SOURCE_DIR
set -euo pipefail
bin=$1
root=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
# Open MPI refuses root and more ranks than cores unless told.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
config="$root/configs/wine.json"
[ -f "$root/data/tabular/wine_train.csv" ] || { echo "mpi_test: data/tabular is missing (scripts/fetch-tabular.sh)" >&2; exit 1; }
train=("$bin/mlp-train" --config "$config" --epochs 6 --verbose 2 --set fit.validation_split=0.2)
masked() { sed -E 's/ - [0-9]+s - / - Ts - /' "$1"; }
# weights_close ONE MANY LABEL: every weight of model MANY within 1e-5 of ONE's.
weights_close() {
  /usr/bin/python3 -c "
import sys, numpy as np
import importlib.util
spec = importlib.util.spec_from_file_location('read_model', '$root/scripts/read-model.py')
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
_, a = m.load('$1'); _, b = m.load('$2')
worst = max(float(np.max(np.abs(a[k] - b[k]))) for k in a)
print(f'$3: largest weight difference from one process {worst:.2e}')
sys.exit(0 if worst <= 1e-5 else 1)
"
}

"${train[@]}" -o one.mlp >one.out
for np in 2 3; do
  mpirun -np "$np" "${train[@]}" -o "np$np.mlp" >"np$np.out" 2>"np$np.err"
  if ! diff <(masked one.out) <(masked "np$np.out"); then
    echo "mpi_test: np $np printed other lines than one process" >&2
    exit 1
  fi
  grep -q "mlp-train: $np ranks: .* scaling efficiency" "np$np.err" || { cat "np$np.err" >&2; exit 1; }
  weights_close one.mlp np$np.mlp "np $np"
done

# The tutorial itself (configs/mnist.json, real MNIST), one epoch of 1,500 steps:
# np 2 prints one process's lines and ends within 1e-5 of its weights (measured
# 4.4e-7; --threads 1 against 2 differ by 1.6e-5).
[ -f "$root/data/mnist/train-images-idx3-ubyte" ] || { echo "mpi_test: data/mnist is missing (scripts/fetch-mnist.sh)" >&2; exit 1; }
tutorial=("$bin/mlp-train" --config "$root/configs/mnist.json" --epochs 1 --verbose 2)
"${tutorial[@]}" -o tutorial1.mlp >tutorial1.out
mpirun -np 2 "${tutorial[@]}" -o tutorial2.mlp >tutorial2.out 2>/dev/null
diff <(masked tutorial1.out) <(masked tutorial2.out)
weights_close tutorial1.mlp tutorial2.mlp "tutorial, np 2"

# Evaluation shared out over the ranks: each its share of the test rows, the
# counts and sums gathered, printed and written once by rank 0. Counts exact,
# loss and metrics (other batches, summed in another order) within 1e-6 relative,
# a regression's R² too.
"$bin/mlp-eval" --model one.mlp --json --report >eval1.json
mpirun -np 2 "$bin/mlp-eval" --model one.mlp --json --report --junit eval.xml >eval2.json
[ -f eval.xml ]
regression="$root/configs/diabetes.json"
"$bin/mlp-train" --config "$regression" --epochs 3 --verbose 0 -o diabetes.mlp >/dev/null
"$bin/mlp-eval" --model diabetes.mlp --json --report >r2_1.json
mpirun -np 2 "$bin/mlp-eval" --model diabetes.mlp --json --report >r2_2.json
/usr/bin/python3 -c "
import json, sys
for one, many in (('eval1.json', 'eval2.json'), ('r2_1.json', 'r2_2.json')):
    a = json.loads(open(one).read())
    lines = open(many).read().splitlines()
    assert len(lines) == 1, f'{many}: {len(lines)} lines, not one'
    b = json.loads(lines[0])
    assert a.keys() == b.keys(), (a.keys(), b.keys())
    for k in a:
        if isinstance(a[k], float):
            assert abs(a[k] - b[k]) <= 1e-6 * max(1.0, abs(a[k])), (many, k, a[k], b[k])
        else:
            assert a[k] == b[k], (many, k, a[k], b[k])
print('mlp-eval under mpirun: the one-process results, printed once')
"

# The programs with nothing to share out run on rank 0 alone: one process's
# output, once; rank 0's failure is the job's exit code.
"$bin/mlp-predict" --model one.mlp --input "$root/data/tabular/wine_test.csv" >predict1.csv
mpirun -np 2 "$bin/mlp-predict" --model one.mlp --input "$root/data/tabular/wine_test.csv" >predict2.csv
cmp predict1.csv predict2.csv
"$bin/mlp-summary" --model one.mlp >summary1.txt
mpirun -np 2 "$bin/mlp-summary" --model one.mlp >summary2.txt
cmp summary1.txt summary2.txt
status=0
mpirun -np 2 "$bin/mlp-predict" --model missing.mlp --input "$root/data/tabular/wine_test.csv" >/dev/null 2>missing.err \
  || status=$?
[ "$status" -eq 2 ] || { cat missing.err >&2; echo "mpi_test: mlp-predict of a missing model under mpirun exited $status" >&2; exit 1; }

# A deeper model: its gradients go in three buckets (256 Ki floats at least,
# from the last layer: 1503 + 300500, 307800, 7168), each summed while the
# layers before it run their backward pass; the weights are still one
# process's within 1e-5 (its tiny late losses may print a last digit apart).
deep='model.layers=[{"type":"Dense","units":512,"activation":"relu"},{"type":"Dense","units":600,"activation":"relu"},
  {"type":"Dense","units":500,"activation":"relu"},{"type":"Dense","units":3,"activation":"softmax"}]'
"${train[@]}" --set "$deep" -o deep1.mlp >deep1.out
mpirun -np 2 "${train[@]}" --set "$deep" --log-level info -o deep2.mlp >deep2.out 2>deep2.err
grep -q "the gradients are summed in 3 bucket(s) of 302003, 307800, 7168 floats" deep2.err || { cat deep2.err >&2; exit 1; }
weights_close deep1.mlp deep2.mlp "three buckets, np 2"

# Resume under MPI: 3 epochs with a checkpoint, then on to 6, equals 6 straight.
mpirun -np 2 "$bin/mlp-train" --config "$config" --epochs 3 --verbose 0 --set fit.validation_split=0.2 \
  --checkpoint ck.mlp -o three.mlp >/dev/null
mpirun -np 2 "$bin/mlp-train" --resume ck.mlp --epochs 6 --verbose 0 -o resumed.mlp >/dev/null
mpirun -np 2 "$bin/mlp-train" --config "$config" --epochs 6 --verbose 0 --set fit.validation_split=0.2 -o straight.mlp >/dev/null
cmp resumed.mlp straight.mlp

# SIGTERM to mpirun: every rank stops, rank 0 writes the checkpoint, and the run
# resumed from it ends as the uninterrupted one, byte for byte. The model has
# Dropout, each rank its own masks, and the stop falls anywhere, most often
# inside an epoch (36 batches of 4; the dropout streams of ranks > 0 are not in
# the checkpoint: they start anew at every batch).
dropout='model.layers=[{"type":"Dense","units":512,"activation":"relu"},{"type":"Dropout","rate":0.3},
  {"type":"Dense","units":512,"activation":"relu"},{"type":"Dropout","rate":0.3},{"type":"Dense","units":3,"activation":"softmax"}]'
mpirun -np 2 "$bin/mlp-train" --config "$config" --set "$dropout" --set fit.batch_size=4 --epochs 100000 --verbose 2 \
  --checkpoint stop.mlp -o never.mlp >stop.out 2>stop.err &
pid=$!
for _ in $(seq 600); do grep -q "Epoch 3/" stop.out 2>/dev/null && break; sleep 0.05; done
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
[ "$status" -ne 0 ] || { echo "mpi_test: mpirun exited 0 after SIGTERM" >&2; exit 1; }
[ -f stop.mlp ] || { cat stop.err >&2; echo "mpi_test: no checkpoint after SIGTERM" >&2; exit 1; }
[ ! -f never.mlp ] || { echo "mpi_test: the model was written on SIGTERM" >&2; exit 1; }
# The epoch it stopped in (its line is printed when it begins), then that epoch finished both ways.
stopped=$(grep -o '^Epoch [0-9]*' stop.out | tail -1 | cut -d' ' -f2)
mpirun -np 2 "$bin/mlp-train" --resume stop.mlp --epochs "$stopped" --verbose 0 -o after.mlp >/dev/null 2>&1
mpirun -np 2 "$bin/mlp-train" --config "$config" --set "$dropout" --set fit.batch_size=4 --epochs "$stopped" --verbose 0 \
  -o whole.mlp >/dev/null 2>&1
cmp after.mlp whole.mlp || { echo "mpi_test: stopped in epoch $stopped and resumed: not the uninterrupted model" >&2; exit 1; }
echo "mpi_test: stopped by SIGTERM in epoch $stopped, resumed: the uninterrupted model"

# A rank killed in the middle: the job ends, with an error, well before the timeout.
cat >killer.sh <<KILL
#!/bin/sh
if [ "\$OMPI_COMM_WORLD_RANK" = 1 ]; then
  "$bin/mlp-train" --config "$config" --epochs 100000 --verbose 0 -o killed.mlp &
  sleep 1; kill -KILL \$!; exit 137
fi
exec "$bin/mlp-train" --config "$config" --epochs 100000 --verbose 0 -o killed.mlp
KILL
chmod +x killer.sh
status=0
timeout 60 mpirun -np 2 ./killer.sh >/dev/null 2>killed.err || status=$?
if [ "$status" -eq 0 ] || [ "$status" -eq 124 ]; then
  echo "mpi_test: a killed rank gave exit $status (0: not noticed, 124: hung)" >&2
  exit 1
fi

# A bad config: exit 2, one error line, from rank 0.
status=0
mpirun -np 2 "$bin/mlp-train" --config "$config" --set fit.batch_size=0 -o bad.mlp >/dev/null 2>bad.err || status=$?
[ "$status" -eq 2 ] || { cat bad.err >&2; echo "mpi_test: a bad config under mpirun exited $status, not 2" >&2; exit 1; }
[ "$(grep -c 'mlp-train: error:' bad.err)" -eq 1 ] || { cat bad.err >&2; exit 1; }
# An error one rank alone meets (its config is missing): that rank tells it, and the job ends with exit 2.
cat >lonely.sh <<LONELY
#!/bin/sh
[ "\$OMPI_COMM_WORLD_RANK" = 1 ] && exec "$bin/mlp-train" --config missing.json -o lonely.mlp
exec "$bin/mlp-train" --config "$config" --epochs 100000 --verbose 0 -o lonely.mlp
LONELY
chmod +x lonely.sh
status=0
timeout 60 mpirun -np 2 ./lonely.sh >/dev/null 2>lonely.err || status=$?
[ "$status" -eq 2 ] || { cat lonely.err >&2; echo "mpi_test: one rank's config error gave exit $status, not 2" >&2; exit 1; }
grep -q '^mlp-train (rank 1): error: missing.json' lonely.err || { cat lonely.err >&2; exit 1; }
[ ! -f lonely.mlp ]
echo "mpi_test: np 2 and 3 match one process, in one bucket and in three; resume, SIGTERM, a killed rank and a bad config behave"
