#!/usr/bin/python3
"""mlp next to scikit-learn's MLPClassifier / MLPRegressor on the real tabular
datasets (scripts/fetch-tabular.sh): the same split, the same network (hidden
Dense layers with relu), optimizer (adam, the config's learning rate), batch
size, epochs and feature scaling; scikit-learn's early stopping where the config
has EarlyStopping. Prints a Markdown table: test accuracy (R² for regression) and
wall time (mlp: the mlp-train process; scikit-learn: fit and predict in-process).

Usage: tabular_peer.py BIN_DIR SOURCE_DIR [ROUNDS]   (times: the median of ROUNDS)
"""
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import MinMaxScaler, StandardScaler

CONFIGS = ["breast_cancer", "wine", "digits", "diabetes"]


def load(spec, root):
    path = os.path.normpath(os.path.join(root, "configs", spec["path"]))
    if spec.get("format") == "npz":
        arrays = np.load(path)
        x = arrays[spec.get("x", "x")]
        return x.reshape(len(x), -1), arrays[spec.get("y", "y")]
    with open(path) as f:
        rows = list(csv.reader(f))
    header, rows = rows[0], rows[1:]
    t = header.index(spec["target"])
    x = np.array([[float(v) for i, v in enumerate(r) if i != t] for r in rows])
    y = [r[t] for r in rows]
    return x, y


def peer(config, root):
    (x_train, y_train), (x_test, y_test) = load(config["data"]["train"], root), load(config["data"]["test"], root)
    scaler = {"standard": StandardScaler(), "minmax": MinMaxScaler()}[config["data"].get("normalize", "standard")]
    layers = config["model"]["layers"]
    hidden = tuple(l["units"] for l in layers[:-1] if l["type"] == "Dense")
    optimizer = config["compile"]["optimizer"]
    rate = optimizer.get("learning_rate", 0.001) if isinstance(optimizer, dict) else 0.001
    fit = config["fit"]
    early = any(c["type"] == "EarlyStopping" for c in fit.get("callbacks", []))
    regression = config["compile"]["loss"] in ("mse", "mae", "mean_squared_error", "mean_absolute_error")
    kind = MLPRegressor if regression else MLPClassifier
    options = dict(hidden_layer_sizes=hidden, activation="relu", solver="adam", learning_rate_init=rate,
                   batch_size=fit["batch_size"], max_iter=fit["epochs"], random_state=1)
    if early:
        patience = next(c for c in fit["callbacks"] if c["type"] == "EarlyStopping").get("patience", 0)
        options.update(early_stopping=True, validation_fraction=fit.get("validation_split", 0.1), n_iter_no_change=patience)
    start = time.perf_counter()
    model = kind(**options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(scaler.fit_transform(x_train), np.asarray(y_train, dtype=float) if regression else np.asarray(y_train))
    predicted = model.predict(scaler.transform(x_test))
    seconds = time.perf_counter() - start
    score = r2_score(np.asarray(y_test, dtype=float), predicted) if regression else accuracy_score(np.asarray(y_test), predicted)
    return score, seconds, regression


def ours(name, bin_dir, root, work):
    model = os.path.join(work, name + ".mlp")
    start = time.perf_counter()
    subprocess.run([os.path.join(bin_dir, "mlp-train"), "--config", os.path.join(root, "configs", name + ".json"),
                    "--verbose", "0", "--log-level", "error", "-o", model], check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    result = json.loads(subprocess.run([os.path.join(bin_dir, "mlp-eval"), "--model", model, "--json"], check=True,
                                       capture_output=True, text=True).stdout)
    return result.get("r2", result.get("accuracy")), seconds


def main():
    bin_dir, root = sys.argv[1], sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    print("| dataset | task | mlp | scikit-learn | mlp time | scikit-learn time |")
    print("| --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as work:
        for name in CONFIGS:
            config = json.load(open(os.path.join(root, "configs", name + ".json")))
            runs = [ours(name, bin_dir, root, work) for _ in range(rounds)]
            peers = [peer(config, root) for _ in range(rounds)]
            regression = peers[0][2]
            task = "regression (R²)" if regression else "binary (accuracy)" if config["model"]["layers"][-1]["units"] == 1 else "classes (accuracy)"
            print(f"| {name} | {task} | {runs[0][0]:.4f} | {peers[0][0]:.4f} | "
                  f"{statistics.median(r[1] for r in runs):.3f} s | {statistics.median(p[1] for p in peers):.3f} s |")


if __name__ == "__main__":
    main()
