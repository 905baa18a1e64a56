#!/usr/bin/python3
"""PyTorch replica of the Keras 2.2.4 MNIST tutorial workload (reference for the C++ trainer).

Replicates, with Keras 2.2.4 semantics:
  x = uint8/127.5 - 1 (see --input-range), y = one-hot(10)
  Sequential: Flatten -> Dense(784, relu) -> Dense(100, relu) -> Dense(10, softmax),
              kernels glorot_uniform, biases zero
  compile(loss='mse' | 'categorical_crossentropy', optimizer='sgd' | 'adam', metrics=['acc'])
  fit(x, y, batch_size=32, epochs=10, validation_split=0.2, shuffle=True, verbose=2)
    - validation = last 20% of the training set, split off before shuffling
    - training indices reshuffled in place (np.random.shuffle) every epoch, last partial batch kept
    - reported loss/acc = sample-weighted mean of per-batch values (pre-update weights)
  Keras losses are replicated on the softmax *output* (no fused log_softmax); Keras Adam update
  rule (eps added to the uncorrected sqrt(v)) is implemented by hand.
Prints Keras verbose=2 style lines plus `epoch_seconds_median: X`.
"""
import argparse
import os
import sys
import time


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--seed', type=int, default=None)
    ap.add_argument('--epochs', type=int, default=10)
    ap.add_argument('--batch-size', type=int, default=32)
    ap.add_argument('--loss', default='mse', choices=['mse', 'categorical_crossentropy'])
    ap.add_argument('--optimizer', default='sgd', choices=['sgd', 'adam'])
    ap.add_argument('--input-range', type=float, nargs=2, default=[-1.0, 1.0], metavar=('A', 'B'))
    ap.add_argument('--data-dir', default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'mnist'))
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--test', action='store_true', help='evaluate on t10k after training')
    ap.add_argument('--ftz', action='store_true', help='torch.set_flush_denormal(True)')
    ap.add_argument('--infer', type=int, default=0, metavar='R',
                    help='only time inference over t10k at batch 1000, R times; print infer_seconds_median')
    return ap.parse_args()


args = parse_args()
# Thread env vars must be set before torch (and its BLAS/OpenMP runtime) is loaded.
os.environ.setdefault('OPENBLAS_NUM_THREADS', '2')
os.environ.setdefault('OMP_NUM_THREADS', str(args.threads))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def read_idx(path, magic, offset):
    with open(path, 'rb') as f:
        raw = f.read()
    if int.from_bytes(raw[:4], 'big') != magic:
        sys.exit('bad IDX magic in %s' % path)
    return np.frombuffer(raw, dtype=np.uint8, offset=offset)


def load(prefix, a, b):
    d = args.data_dir
    x = read_idx(os.path.join(d, prefix + '-images-idx3-ubyte'), 2051, 16).reshape(-1, 784)
    y = read_idx(os.path.join(d, prefix + '-labels-idx1-ubyte'), 2049, 8).astype(np.int64)
    x = x.astype(np.float32) / np.float32(255.0 / (b - a)) + np.float32(a)
    onehot = np.zeros((len(y), 10), dtype=np.float32)
    onehot[np.arange(len(y)), y] = 1.0
    return torch.from_numpy(np.ascontiguousarray(x)), torch.from_numpy(onehot), torch.from_numpy(y)


def glorot_uniform(fan_in, fan_out):
    lim = (6.0 / (fan_in + fan_out)) ** 0.5
    # torch layout (out, in); the distribution is symmetric so this matches Keras's (in, out) kernel
    return torch.empty(fan_out, fan_in).uniform_(-lim, lim).requires_grad_()


def forward(params, x):
    w1, b1, w2, b2, w3, b3 = params
    h = F.relu(F.linear(x, w1, b1))
    h = F.relu(F.linear(h, w2, b2))
    return torch.softmax(F.linear(h, w3, b3), dim=-1)


def loss_fn(p, y):
    if args.loss == 'mse':  # K.mean(K.square(y_pred - y_true), axis=-1), then mean over batch
        return ((p - y) ** 2).mean()
    # Keras TF-backend categorical_crossentropy on probabilities
    p = p / p.sum(dim=-1, keepdim=True)
    p = p.clamp(1e-7, 1.0 - 1e-7)
    return -(y * torch.log(p)).sum(dim=-1).mean()


def evaluate(params, x, y, lab, bs=1000):
    tot_loss, correct = 0.0, 0
    with torch.no_grad():
        for s in range(0, x.shape[0], bs):
            p = forward(params, x[s:s + bs])
            tot_loss += loss_fn(p, y[s:s + bs]).item() * p.shape[0]
            correct += (p.argmax(dim=1) == lab[s:s + bs]).sum().item()
    return tot_loss / x.shape[0], correct / x.shape[0]


def main():
    torch.set_num_threads(args.threads)
    if args.ftz:
        torch.set_flush_denormal(True)
    if args.seed is not None:
        torch.manual_seed(args.seed)
        np.random.seed(args.seed)
    a, b = args.input_range
    if args.infer:
        x_te, y_te, lab_te = load('t10k', a, b)
        params = []
        for fi, fo in ((784, 784), (784, 100), (100, 10)):
            params += [glorot_uniform(fi, fo), torch.zeros(fo, requires_grad=True)]
        times = []
        for _ in range(args.infer):
            t0 = time.perf_counter()
            evaluate(params, x_te, y_te, lab_te)
            times.append(time.perf_counter() - t0)
        print('infer_seconds_median: %.5f' % float(np.median(times)))
        return
    x_all, y_all, lab_all = load('train', a, b)
    n = x_all.shape[0]
    split_at = int(n * (1.0 - 0.2))  # Keras: validation = tail, taken before shuffling
    x_tr, y_tr, lab_tr = x_all[:split_at].contiguous(), y_all[:split_at].contiguous(), lab_all[:split_at]
    x_va, y_va, lab_va = x_all[split_at:].contiguous(), y_all[split_at:].contiguous(), lab_all[split_at:]

    params = []
    for fi, fo in ((784, 784), (784, 100), (100, 10)):
        params += [glorot_uniform(fi, fo), torch.zeros(fo, requires_grad=True)]

    lr = 0.01 if args.optimizer == 'sgd' else 0.001
    b1, b2, eps = 0.9, 0.999, 1e-7
    ms = [torch.zeros_like(p) for p in params]
    vs = [torch.zeros_like(p) for p in params]
    denom = [torch.empty_like(p) for p in params]
    it = 0

    bs = args.batch_size
    index_array = np.arange(split_at)
    print('Train on %d samples, validate on %d samples' % (split_at, n - split_at))
    sys.stdout.flush()
    # preallocated batch buffers (full batch + possible last partial batch)
    bufs = {}
    for size in {bs, split_at % bs or bs}:
        bufs[size] = (torch.empty(size, 784), torch.empty(size, 10), torch.empty(size, dtype=torch.int64))
    epoch_times = []
    for epoch in range(args.epochs):
        t0 = time.perf_counter()
        np.random.shuffle(index_array)  # cumulative in-place permutation, like Keras
        idx_all = torch.from_numpy(index_array)
        loss_sum = torch.zeros((), dtype=torch.float64)
        corr_sum = torch.zeros((), dtype=torch.int64)
        for s in range(0, split_at, bs):
            idx = idx_all[s:s + bs]
            m = idx.shape[0]
            xb, yb, lb = bufs[m]
            torch.index_select(x_tr, 0, idx, out=xb)
            torch.index_select(y_tr, 0, idx, out=yb)
            torch.index_select(lab_tr, 0, idx, out=lb)
            p = forward(params, xb)
            loss = loss_fn(p, yb)
            grads = torch.autograd.grad(loss, params)
            with torch.no_grad():
                loss_sum += loss.detach() * m
                corr_sum += (p.argmax(dim=1) == lb).sum()
                if args.optimizer == 'sgd':
                    for w, g in zip(params, grads):
                        w.add_(g, alpha=-lr)
                else:  # Keras 2.2.4 Adam
                    it += 1
                    lr_t = lr * (1.0 - b2 ** it) ** 0.5 / (1.0 - b1 ** it)
                    for w, g, mm, vv, dd in zip(params, grads, ms, vs, denom):
                        mm.mul_(b1).add_(g, alpha=1.0 - b1)
                        vv.mul_(b2).addcmul_(g, g, value=1.0 - b2)
                        torch.sqrt(vv, out=dd).add_(eps)
                        w.addcdiv_(mm, dd, value=-lr_t)
        tr_loss, tr_acc = loss_sum.item() / split_at, corr_sum.item() / split_at
        va_loss, va_acc = evaluate(params, x_va, y_va, lab_va)
        dt = time.perf_counter() - t0
        epoch_times.append(dt)
        print('Epoch %d/%d' % (epoch + 1, args.epochs))
        print(' - %.1fs - loss: %.4f - acc: %.4f - val_loss: %.4f - val_acc: %.4f'
              % (dt, tr_loss, tr_acc, va_loss, va_acc))
        sys.stdout.flush()

    if args.test:
        x_te, y_te, lab_te = load('t10k', a, b)
        te_loss, te_acc = evaluate(params, x_te, y_te, lab_te)
        print('test_loss: %.4f - test_acc: %.4f' % (te_loss, te_acc))
    print('epoch_seconds: ' + ' '.join('%.4f' % t for t in epoch_times))
    print('epoch_seconds_median: %.3f' % (float(np.median(epoch_times)) if epoch_times else float('nan')))


if __name__ == '__main__':
    main()
