#!/usr/bin/python3
"""Reads an mlp model file (docs/model-format.md) with nothing but numpy.

Usage: read-model.py MODEL.mlp [--predict IDX_IMAGES N]
Checks magic, version, size and CRC; prints each weight tensor's name, shape and
sum. With --predict, runs the first N images of an (uncompressed) IDX file
through a Dense-only network and prints the predicted classes, one per line.
"""
import json
import struct
import sys
import zlib

import numpy as np


def load(path):
    data = open(path, "rb").read()
    magic, version, _, h, p = struct.unpack_from("<8sIIQQ", data, 0)
    if magic != b"MLPMODEL" or version != 1 or len(data) != 36 + h + p:
        sys.exit(f"{path}: not a version 1 mlp model file of the right size")
    if zlib.crc32(data[:-4]) != struct.unpack_from("<I", data, len(data) - 4)[0]:
        sys.exit(f"{path}: checksum mismatch")
    header = json.loads(data[32:32 + h])
    payload = data[32 + h:32 + h + p]
    weights = {}
    for t in header["weights"]:
        n = int(np.prod(t["shape"]))
        weights[t["name"]] = np.frombuffer(payload, "<f4", n, t["offset"]).reshape(t["shape"])
    return header, weights


ACTIVATIONS = {
    "linear": lambda z: z,
    "relu": lambda z: np.maximum(z, 0),
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
    "softmax": lambda z: np.exp(z - z.max(1, keepdims=True)) / np.exp(z - z.max(1, keepdims=True)).sum(1, keepdims=True),
}


def predict(header, weights, images_path, count):
    raw = open(images_path, "rb").read()
    rank = raw[3]
    dims = struct.unpack_from(">" + "I" * rank, raw, 4)
    size = int(np.prod(dims[1:]))
    pixels = np.frombuffer(raw, np.uint8, count * size, 4 + 4 * rank).reshape(count, size).astype(np.float32)
    low, high = header["preprocessing"]["input_range"]
    x = pixels / np.float32(255.0 / (high - low)) + np.float32(low)
    for layer in header["config"]["model"]["layers"]:
        if layer["type"] == "Dense":
            x = x @ weights[layer["name"] + "/kernel"]
            if layer["use_bias"]:
                x = x + weights[layer["name"] + "/bias"]
            x = ACTIVATIONS[layer["activation"]](x)
    return x.argmax(1)


def main():
    header, weights = load(sys.argv[1])
    if len(sys.argv) == 5 and sys.argv[2] == "--predict":
        for c in predict(header, weights, sys.argv[3], int(sys.argv[4])):
            print(c)
        return
    print(header["program"])
    for name, w in weights.items():
        print(f"{name} {list(w.shape)} sum={float(w.astype(np.float64).sum()):.6f}")


if __name__ == "__main__":
    main()
