#!/usr/bin/env bash
# The HTML report as a person sees it: the tutorial model trained for 3 epochs
# on real MNIST (the learning rate halved once, so it is charted) with
# mlp-train --report; mlp-report on the saved model writes the same page. Then
#  - check_report.py reads the page as XML and checks it against independent
#    sources: every charted value against --json-log's lines, the heatmap
#    against mlp-eval --json --report, each mistake's PNG (decoded by PIL)
#    against the test image it names and its label, nothing fetched from outside;
#  - headless Chromium renders it; the test fails on a console message, a file
#    the page asks for, or a blank screenshot.
# Usage: render_test.sh BIN_DIR SOURCE_DIR
set -euo pipefail
bin=$1
root=$2
here="$root/tests/report"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
mnist="$root/data/mnist"

"$bin/mlp-train" --config "$root/configs/mnist.json" --data-dir "$mnist" --epochs 3 --verbose 0 \
  --set 'fit.callbacks=[{"type": "ReduceLROnPlateau", "monitor": "loss", "patience": 0, "min_delta": 1, "factor": 0.5}]' \
  --json-log log.jsonl --report trained.html -o m.mlp >/dev/null
"$bin/mlp-report" --model m.mlp -o report.html
cmp trained.html report.html
"$bin/mlp-eval" --model m.mlp --json --report >eval.json
/usr/bin/python3 "$here/check_report.py" page report.html log.jsonl eval.json \
  "$mnist/t10k-images-idx3-ubyte" "$mnist/t10k-labels-idx1-ubyte"

# --v=1 logs each console message ("CONSOLE") and each file the page loads
# (FileURLLoader); the profile stays in the work folder.
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$work/profile" \
  --window-size=1280,4000 --screenshot="$work/shot.png" --enable-logging=stderr --v=1 \
  "file://$work/report.html" 2>chromium.log >/dev/null
/usr/bin/python3 "$here/check_report.py" render shot.png chromium.log "file://$work/report.html"
echo "report rendered: $(wc -c <report.html) bytes of HTML"
