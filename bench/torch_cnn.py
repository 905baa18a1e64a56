#!/usr/bin/python3
"""PyTorch replica of Keras 2.2.4's examples/mnist_cnn.py (configs/mnist_cnn.json),
the CNN row of scripts/bench.sh:
  x = uint8 / 255, y = one-hot(10)
  Conv2D(32, 3x3, relu) -> Conv2D(64, 3x3, relu) -> MaxPooling2D(2x2) -> Dropout(0.25)
  -> Flatten -> Dense(128, relu) -> Dropout(0.5) -> Dense(10, softmax), glorot_uniform kernels, zero biases
  categorical_crossentropy on the softmax output (Keras's clip), Adadelta(lr 1.0, rho 0.95, eps 1e-7)
  by Keras's update rule, batch 128, shuffled every epoch, the test set as validation data.
Trains on the first --train-samples images (the benchmark's 8,000), validates on t10k.
Prints Keras-style epoch lines and `epoch_seconds: ...`.
"""
import argparse
import os
import sys
import time

ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
ap.add_argument('--seed', type=int, default=1)
ap.add_argument('--epochs', type=int, default=1)
ap.add_argument('--train-samples', type=int, default=8000)
ap.add_argument('--threads', type=int, default=2)
ap.add_argument('--data-dir', default=os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'mnist'))
args = ap.parse_args()
os.environ.setdefault('OMP_NUM_THREADS', str(args.threads))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def load(prefix, limit=None):
    def read(path, offset):
        with open(path, 'rb') as f:
            return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)
    x = read(os.path.join(args.data_dir, prefix + '-images-idx3-ubyte'), 16).reshape(-1, 1, 28, 28)
    y = read(os.path.join(args.data_dir, prefix + '-labels-idx1-ubyte'), 8).astype(np.int64)
    if limit:
        x, y = x[:limit], y[:limit]
    x = torch.from_numpy(x.astype(np.float32) / np.float32(255.0))
    onehot = torch.zeros(len(y), 10)
    onehot[torch.arange(len(y)), torch.from_numpy(y)] = 1.0
    return x.contiguous(), onehot, torch.from_numpy(y)


def glorot(shape, fan_in, fan_out):
    lim = (6.0 / (fan_in + fan_out)) ** 0.5
    return torch.empty(*shape).uniform_(-lim, lim).requires_grad_()


def forward(p, x, training):
    w1, b1, w2, b2, w3, b3, w4, b4 = p
    h = F.relu(F.conv2d(x, w1, b1))
    h = F.relu(F.conv2d(h, w2, b2))
    h = F.max_pool2d(h, 2)
    h = F.dropout(h, 0.25, training)
    h = torch.flatten(h, 1)
    h = F.relu(F.linear(h, w3, b3))
    h = F.dropout(h, 0.5, training)
    return torch.softmax(F.linear(h, w4, b4), dim=-1)


def loss_fn(p, y):
    p = (p / p.sum(dim=-1, keepdim=True)).clamp(1e-7, 1.0 - 1e-7)
    return -(y * torch.log(p)).sum(dim=-1).mean()


def evaluate(p, x, y, lab, bs=128):
    loss, correct = 0.0, 0
    with torch.no_grad():
        for s in range(0, x.shape[0], bs):
            out = forward(p, x[s:s + bs], False)
            loss += loss_fn(out, y[s:s + bs]).item() * out.shape[0]
            correct += (out.argmax(dim=1) == lab[s:s + bs]).sum().item()
    return loss / x.shape[0], correct / x.shape[0]


def main():
    torch.set_num_threads(args.threads)
    torch.set_flush_denormal(True)  # as mlp runs (denormals slowed its second epoch to 20 s from 12)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    x_tr, y_tr, lab_tr = load('train', args.train_samples)
    x_te, y_te, lab_te = load('t10k')
    p = [glorot((32, 1, 3, 3), 9, 9 * 32), torch.zeros(32, requires_grad=True),
         glorot((64, 32, 3, 3), 9 * 32, 9 * 64), torch.zeros(64, requires_grad=True),
         glorot((128, 9216), 9216, 128), torch.zeros(128, requires_grad=True),
         glorot((10, 128), 128, 10), torch.zeros(10, requires_grad=True)]
    lr, rho, eps = 1.0, 0.95, 1e-7
    accum = [torch.zeros_like(w) for w in p]
    delta_accum = [torch.zeros_like(w) for w in p]
    n, bs = x_tr.shape[0], 128
    index = np.arange(n)
    print('Train on %d samples, validate on %d samples' % (n, x_te.shape[0]))
    times = []
    for epoch in range(args.epochs):
        t0 = time.perf_counter()
        np.random.shuffle(index)
        idx_all = torch.from_numpy(index)
        loss_sum, correct = 0.0, 0
        for s in range(0, n, bs):
            idx = idx_all[s:s + bs]
            xb, yb = x_tr[idx], y_tr[idx]
            out = forward(p, xb, True)
            loss = loss_fn(out, yb)
            grads = torch.autograd.grad(loss, p)
            with torch.no_grad():
                loss_sum += loss.item() * idx.shape[0]
                correct += (out.argmax(dim=1) == lab_tr[idx]).sum().item()
                for w, g, a, d in zip(p, grads, accum, delta_accum):  # Keras 2.2.4 Adadelta
                    a.mul_(rho).addcmul_(g, g, value=1.0 - rho)
                    update = g * torch.sqrt(d + eps) / torch.sqrt(a + eps)
                    w.sub_(update, alpha=lr)
                    d.mul_(rho).addcmul_(update, update, value=1.0 - rho)
        val_loss, val_acc = evaluate(p, x_te, y_te, lab_te)
        times.append(time.perf_counter() - t0)
        print('Epoch %d/%d\n - %.0fs - loss: %.4f - acc: %.4f - val_loss: %.4f - val_acc: %.4f' % (
            epoch + 1, args.epochs, times[-1], loss_sum / n, correct / n, val_loss, val_acc))
        sys.stdout.flush()
    print('epoch_seconds: ' + ' '.join('%.4f' % t for t in times))


if __name__ == '__main__':
    main()
