"""Writes the first N_TRAIN training and N_TEST test images and labels of MNIST
(data/mnist) as MNIST-named IDX files in FOLDER, for the interop tests' short
runs (--data-dir FOLDER). Usage: mnist_subset.py SOURCE FOLDER N_TRAIN N_TEST"""
import struct
import sys

src, dst, n_train, n_test = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
for name, header, size, n in (('train-images-idx3-ubyte', 16, 784, n_train), ('train-labels-idx1-ubyte', 8, 1, n_train),
                              ('t10k-images-idx3-ubyte', 16, 784, n_test), ('t10k-labels-idx1-ubyte', 8, 1, n_test)):
    with open('%s/%s' % (src, name), 'rb') as f:
        raw = f.read()
    with open('%s/%s' % (dst, name), 'wb') as f:
        f.write(raw[:4] + struct.pack('>I', n) + raw[8:header] + raw[header:header + n * size])
