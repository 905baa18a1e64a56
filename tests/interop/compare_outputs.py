"""Compares a consumer's outputs (one CSV row of class probabilities per image)
with mlp-predict's CSV (--top-k = every class: class,probability pairs printed
to 6 decimals). Exits 1 naming the worst difference above the tolerance.
Usage: compare_outputs.py PREDICT.csv OUTPUTS.csv TOLERANCE LABEL"""
import sys

predict_path, outputs_path, tolerance, label = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
with open(predict_path) as f:
    next(f)
    expected = []
    for line in f:
        cells = line.strip().split(',')[1:]
        row = {}
        for k in range(0, len(cells), 2):
            row[int(cells[k])] = float(cells[k + 1])
        expected.append([row[c] for c in range(len(row))])
with open(outputs_path) as f:
    got = [[float(v) for v in line.split(',')] for line in f if line.strip()]
if len(got) != len(expected):
    sys.exit('%s: %d rows of outputs, mlp-predict has %d' % (label, len(got), len(expected)))
worst = (0.0, 0, 0)
for i, (e, g) in enumerate(zip(expected, got)):
    if len(e) != len(g):
        sys.exit('%s: row %d has %d outputs, mlp-predict %d classes' % (label, i, len(g), len(e)))
    for c in range(len(e)):
        worst = max(worst, (abs(e[c] - g[c]), i, c))
print('%s: %d images x %d outputs, largest difference %.2e (image %d, class %d)' %
      (label, len(got), len(got[0]), worst[0], worst[1], worst[2]))
if worst[0] > tolerance:
    sys.exit('%s: difference %.3g above %g' % (label, worst[0], tolerance))
