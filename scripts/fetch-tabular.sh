#!/usr/bin/env bash
# Copies the real tabular datasets Debian's python3-sklearn ships (in
# sklearn/datasets/data/) into data/tabular/ (git-ignored), each split 80/20 into
# a training and a test file with scikit-learn's train_test_split (stratified
# for classes, random_state 0), as the configs in configs/ read them:
#   breast_cancer_{train,test}.csv  30 features, "diagnosis" malignant/benign (binary)
#   wine_{train,test}.csv           13 features, "cultivar" 0-2 (three classes)
#   diabetes_{train,test}.csv       10 features (unscaled), "progression" (regression)
#   digits_{train,test}.npz         x: 8x8 images (float64), y: digit 0-9 (int64)
# Idempotent: files already there are left alone.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-$root/data/tabular}
mkdir -p "$dest"
[ -f "$dest/digits_test.npz" ] && [ -f "$dest/diabetes_test.csv" ] && [ -f "$dest/wine_test.csv" ] &&
  [ -f "$dest/breast_cancer_test.csv" ] && exit 0
/usr/bin/python3 - "$dest" <<'PY'
import csv, os, sys
import numpy as np
from sklearn import datasets
from sklearn.model_selection import train_test_split

dest = sys.argv[1]

def write_csv(name, names, target, x, y):
    for part, (xs, ys) in zip(("train", "test"), ((x[0], y[0]), (x[1], y[1]))):
        path = os.path.join(dest, f"{name}_{part}.csv")
        with open(path + ".part", "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(list(names) + [target])
            for row, t in zip(xs, ys):
                w.writerow([repr(float(v)) for v in row] + [t])
        os.replace(path + ".part", path)

cancer = datasets.load_breast_cancer()
x_tr, x_te, y_tr, y_te = train_test_split(cancer.data, cancer.target, test_size=0.2, random_state=0, stratify=cancer.target)
names = cancer.target_names
write_csv("breast_cancer", cancer.feature_names, "diagnosis", (x_tr, x_te), ([names[t] for t in y_tr], [names[t] for t in y_te]))

wine = datasets.load_wine()
x_tr, x_te, y_tr, y_te = train_test_split(wine.data, wine.target, test_size=0.2, random_state=0, stratify=wine.target)
write_csv("wine", wine.feature_names, "cultivar", (x_tr, x_te), (list(y_tr), list(y_te)))

diabetes = datasets.load_diabetes(scaled=False)
x_tr, x_te, y_tr, y_te = train_test_split(diabetes.data, diabetes.target, test_size=0.2, random_state=0)
write_csv("diabetes", diabetes.feature_names, "progression", (x_tr, x_te), ([repr(float(t)) for t in y_tr], [repr(float(t)) for t in y_te]))

digits = datasets.load_digits()
x_tr, x_te, y_tr, y_te = train_test_split(digits.images, digits.target, test_size=0.2, random_state=0, stratify=digits.target)
for part, x, y in (("train", x_tr, y_tr), ("test", x_te, y_te)):
    path = os.path.join(dest, f"digits_{part}.npz")
    np.savez_compressed(path + ".part.npz", x=x.astype(np.float64), y=y.astype(np.int64))
    os.replace(path + ".part.npz", path)
PY
