#!/usr/bin/python3
"""The benchmark behind scripts/bench.sh: mlp against the PyTorch replica
(bench/torch_reference.py), interleaved A B A B in one invocation, on
 (1) the tutorial (mse, sgd, batch 32), (2) adam + crossentropy at batch 128,
 (3) inference over the 10,000 test images at batch 1000, and (4) Keras's
mnist_cnn.py (configs/mnist_cnn.json) against bench/torch_cnn.py: one epoch on
the first 8,000 training images with the 10,000 test images as validation.
Reports medians of per-epoch times (start-up excluded), the ratio to PyTorch,
samples per second, peak RSS, and how close the step comes to its products alone
(bench/gemm_limit times them: as dense GEMMs at exactly the step's shapes, and
as mlp computes them on real images). Prints a Markdown
table for docs/benchmarks.md.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, 'build')
TRAIN_SAMPLES, VAL_SAMPLES, TEST_SAMPLES = 48000, 12000, 10000


def run(cmd, env=None):
    """Runs cmd under GNU time; returns (stdout, stderr, peak RSS in MB)."""
    full = ['/usr/bin/time', '-f', 'peak_rss_kb=%M'] + cmd
    p = subprocess.run(full, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        sys.exit('bench: %s failed:\n%s' % (' '.join(cmd), p.stderr[-2000:]))
    rss = int(re.search(r'peak_rss_kb=(\d+)', p.stderr).group(1)) / 1024
    return p.stdout, p.stderr, rss


def last_val_acc(text):
    return float(re.findall(r'val_acc: ([0-9.]+)', text)[-1])


def ours_train(config, epochs, threads, seed, out):
    stdout, stderr, rss = run([os.path.join(BUILD, 'src', 'mlp-train'), '--config', config, '--epochs', str(epochs),
                               '--threads', str(threads), '--seed', str(seed), '--log-level', 'info',
                               '--verbose', '2', '-o', out])
    times = [float(t) for t in re.findall(r'epoch \d+ took ([0-9.]+) s', stderr)]
    return times, last_val_acc(stdout), rss


MPI_ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT='1', OMPI_ALLOW_RUN_AS_ROOT_CONFIRM='1',
               OMPI_MCA_rmaps_base_oversubscribe='1')


def mpi_available():
    """mpirun is there and mlp was built with MPI (-DMLP_MPI, on when Open MPI is found)."""
    cache = os.path.join(BUILD, 'CMakeCache.txt')
    return shutil.which('mpirun') is not None and os.path.exists(cache) and 'MLP_MPI:BOOL=ON' in open(cache).read()


def ours_mpi(config, ranks, epochs, seed, out):
    """mlp-train under mpirun -np RANKS: per-epoch times and waits in allreduce (rank 0's), and the closing
    line's efficiency."""
    _, stderr, _ = run(['mpirun', '-np', str(ranks), os.path.join(BUILD, 'src', 'mlp-train'), '--config', config,
                        '--epochs', str(epochs), '--seed', str(seed), '--log-level', 'info', '--verbose', '0',
                        '-o', out], MPI_ENV)
    times = [float(t) for t in re.findall(r'epoch \d+ took ([0-9.]+) s', stderr)]
    waits = [float(t) for t in re.findall(r'epoch \d+ took .* ([0-9.]+) s in allreduce', stderr)]
    efficiency = float(re.search(r'scaling efficiency ([0-9.]+)', stderr).group(1))
    return times, waits, efficiency


def torch_train(extra, epochs, seed):
    env = dict(os.environ, OPENBLAS_NUM_THREADS='2')  # its fastest setting here (set_num_threads(1) inside)
    stdout, _, rss = run(['/usr/bin/python3', os.path.join(ROOT, 'bench', 'torch_reference.py'), '--epochs',
                          str(epochs), '--seed', str(seed), '--threads', '1'] + extra, env)
    times = [float(t) for t in re.search(r'epoch_seconds: (.*)', stdout).group(1).split()]
    return times, last_val_acc(stdout), rss


CNN_TRAIN = 8000


def cnn_setup(tmp):
    """The first CNN_TRAIN training images as IDX files, and configs/mnist_cnn.json pointing at them."""
    import json
    import struct
    src = os.path.join(ROOT, 'data', 'mnist')
    for kind, item in (('images', 784), ('labels', 1)):
        name = 'train-%s-idx%d-ubyte' % (kind, 3 if kind == 'images' else 1)
        raw = open(os.path.join(src, name), 'rb').read()
        header = 16 if kind == 'images' else 8
        with open(os.path.join(tmp, name), 'wb') as f:
            f.write(raw[:4] + struct.pack('>I', CNN_TRAIN) + raw[8:header] + raw[header:header + CNN_TRAIN * item])
    config = json.load(open(os.path.join(ROOT, 'configs', 'mnist_cnn.json')))
    config['data']['train'] = {'images': os.path.join(tmp, 'train-images-idx3-ubyte'),
                               'labels': os.path.join(tmp, 'train-labels-idx1-ubyte')}
    config['data']['test'] = {'images': os.path.join(src, 't10k-images-idx3-ubyte'),
                              'labels': os.path.join(src, 't10k-labels-idx1-ubyte')}
    path = os.path.join(tmp, 'mnist_cnn_8k.json')
    json.dump(config, open(path, 'w'))
    return path


def torch_cnn(seed):
    stdout, _, rss = run(['/usr/bin/python3', os.path.join(ROOT, 'bench', 'torch_cnn.py'), '--epochs', '1', '--seed',
                          str(seed), '--threads', '2'])
    times = [float(t) for t in re.search(r'epoch_seconds: (.*)', stdout).group(1).split()]
    return times, last_val_acc(stdout), rss


def cnn_gemm_limit(threads):
    """Seconds of the CNN epoch's products alone, as whole-batch GEMMs (im2col) at OpenBLAS speed."""
    out = subprocess.run([os.path.join(BUILD, 'bench', 'gemm_limit'), '--cnn', '--batch', '128', '--infer-batch',
                          '128', '--threads', str(threads)], capture_output=True, text=True, check=True).stdout
    values = dict(line.split('=') for line in out.split())
    return -(-CNN_TRAIN // 128) * float(values['gemm_step']) + TEST_SAMPLES * float(values['gemm_infer_per_sample'])


def gemm_limit(batch, threads, grads=False):
    """Per-epoch seconds of the step's products alone, two ways: 'dense', every
    layer's GEMMs at OpenBLAS speed (what a dense implementation needs at least);
    'products', the products as mlp computes them (the first layer going by the
    images' non-blank pixels). Also the same for inference over the test set."""
    images = os.path.join(ROOT, 'data', 'mnist', 'train-images-idx3-ubyte')
    out = subprocess.run([os.path.join(BUILD, 'bench', 'gemm_limit'), '--batch', str(batch), '--threads',
                          str(threads), '--images', images, '--range', '-1,1'] + (['--grads'] if grads else []),
                         capture_output=True, text=True, check=True).stdout
    values = dict(line.split('=') for line in out.split())
    steps = -(-TRAIN_SAMPLES // batch)
    def epoch(step, per_sample):
        return steps * float(values[step]) + VAL_SAMPLES * float(values[per_sample])
    return {'dense': epoch('gemm_step', 'gemm_infer_per_sample'),
            'products': epoch('products_step', 'products_infer_per_sample'),
            'dense_infer': float(values['gemm_infer_per_sample']) * TEST_SAMPLES,
            'products_infer': float(values['products_infer_per_sample']) * TEST_SAMPLES,
            'core': values['core']}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--repeats', type=int, default=3)
    ap.add_argument('--epochs', type=int, default=3)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix='mlp-bench-')
    tutorial = os.path.join(ROOT, 'configs', 'mnist.json')
    adam = os.path.join(ROOT, 'configs', 'mnist_adam.json')
    model = os.path.join(tmp, 'tutorial.mlp')

    res = {k: {'times': [], 'rounds': [], 'acc': [], 'rss': []} for k in
           ('ours_sgd', 'torch_sgd', 'ours_adam', 'torch_adam', 'ours_sgd_1t', 'ours_cnn', 'torch_cnn')}
    cnn_config = cnn_setup(tmp)
    cnn_gemm = []
    infer = {'ours': [], 'torch': [], 'ours_rss': [], 'ours_rounds': []}
    with_mpi = mpi_available()
    mpi = {(key, n): {'times': [], 'waits': [], 'efficiency': []} for key in ('sgd', 'adam', 'cnn') for n in (2, 4)}
    gemm = {'sgd': [], 'adam': [], 'sgd_1t': []}

    def record(key, result):
        times, acc, rss = result
        res[key]['times'] += times
        res[key]['rounds'].append(statistics.median(times))
        res[key]['acc'].append(acc)
        res[key]['rss'].append(rss)

    for r in range(args.repeats):
        seed = r + 1
        print('bench: round %d/%d' % (r + 1, args.repeats), file=sys.stderr)
        # The GEMM limit is timed in every round too: the machine's speed drifts.
        for key, args_ in (('sgd', (32, 2)), ('adam', (128, 2, True)), ('sgd_1t', (32, 1))):
            gemm[key].append(gemm_limit(*args_))
        # A B in even rounds, B A in odd ones, so that a drift of the machine's
        # speed does not always favour the one that runs first.
        def pair(*runs):
            for action in (runs if r % 2 == 0 else reversed(runs)):
                action()
        pair(lambda: record('ours_sgd', ours_train(tutorial, args.epochs, 2, seed, model)),
             lambda: record('torch_sgd', torch_train([], args.epochs, seed)))
        # One thread, in every round too, for the scaling from 1 to 2.
        record('ours_sgd_1t', ours_train(tutorial, args.epochs, 1, seed, os.path.join(tmp, 'one.mlp')))
        pair(lambda: record('ours_adam', ours_train(adam, args.epochs, 2, seed, os.path.join(tmp, 'adam.mlp'))),
             lambda: record('torch_adam', torch_train(['--optimizer', 'adam', '--loss', 'categorical_crossentropy',
                                                       '--batch-size', '128', '--ftz'], args.epochs, seed)))

        def ours_infer():
            times = []
            for _ in range(3):
                _, stderr, rss = run([os.path.join(BUILD, 'src', 'mlp-eval'), '--model', model, '--batch-size',
                                      '1000', '--threads', '2', '--log-level', 'info'])
                times.append(float(re.search(r'evaluated \d+ samples of .* in ([0-9.]+) s', stderr).group(1)))
                infer['ours_rss'].append(rss)
            infer['ours'] += times
            infer['ours_rounds'].append(statistics.median(times))

        def torch_infer():
            env = dict(os.environ, OPENBLAS_NUM_THREADS='2')
            stdout, _, _ = run(['/usr/bin/python3', os.path.join(ROOT, 'bench', 'torch_reference.py'), '--infer',
                                '3'], env)
            infer['torch'].append(float(re.search(r'infer_seconds_median: ([0-9.]+)', stdout).group(1)))
        pair(ours_infer, torch_infer)

        # MPI: the same configs on 2 ranks (one per core) and 4 (two per core, oversubscribed); the CNN on 2.
        if with_mpi:
            for key, config, epochs, ranks in (('sgd', tutorial, args.epochs, (2, 4)), ('adam', adam, args.epochs, (2, 4)),
                                               ('cnn', cnn_config, 1, (2,))):
                for n in ranks:
                    times, waits, efficiency = ours_mpi(config, n, epochs, seed, os.path.join(tmp, 'mpi.mlp'))
                    mpi[(key, n)]['times'] += times
                    mpi[(key, n)]['waits'] += waits
                    mpi[(key, n)]['efficiency'].append(efficiency)

        cnn_gemm.append(cnn_gemm_limit(2))
        pair(lambda: record('ours_cnn', ours_train(cnn_config, 1, 2, seed, os.path.join(tmp, 'cnn.mlp'))),
             lambda: record('torch_cnn', torch_cnn(seed)))

    med = {k: statistics.median(v['times']) for k, v in res.items()}
    def gemm_median(key):
        return {field: statistics.median(g[field] for g in gemm[key]) for field in
                ('dense', 'products', 'dense_infer', 'products_infer')}
    gemm32, gemm128, gemm32_1t = gemm_median('sgd'), gemm_median('adam'), gemm_median('sgd_1t')
    core = gemm['sgd'][0]['core']
    ours_inf, torch_inf = statistics.median(infer['ours']), statistics.median(infer['torch'])

    def paired_ratio(ours, torch):
        """The median over rounds of mlp's time / PyTorch's in the same round."""
        return statistics.median(o / t for o, t in zip(ours, torch))

    def row(name, key, gemm, samples):
        ours, torch = med['ours_' + key], med['torch_' + key]
        ratio = paired_ratio(res['ours_' + key]['rounds'], res['torch_' + key]['rounds'])
        rss, acc_ours, acc_torch = max(res['ours_' + key]['rss']), accs('ours_' + key), accs('torch_' + key)
        return '| %s | %.3f s | %.3f s | %.2f | %s | %.0f MB | %.3f s | %.3f s | %.2f | %s |' % (
            name, ours, torch, ratio, '{:,.0f}'.format(samples / ours), rss, gemm['dense'], gemm['products'],
            ours / gemm['products'], acc_ours + ' / ' + acc_torch)

    def accs(key):
        return '%.4f' % statistics.median(res[key]['acc'])

    print('Machine: %s, %d cores; OpenBLAS kernel %s; OPENBLAS_CORETYPE=%s' % (
        open('/proc/cpuinfo').read().split('model name')[1].split(':')[1].split('\n')[0].strip(), os.cpu_count(),
        core, os.environ.get('OPENBLAS_CORETYPE', '(unset)')))
    print('mlp: --threads 2 (its own pool of 2 threads, OpenBLAS on one thread in each); '
          'PyTorch: set_num_threads(1), OPENBLAS_NUM_THREADS=2')
    print('%d rounds, %d epochs each; per-epoch times are training + validation, medians over all epochs; '
          'ratio: the median over rounds of mlp / PyTorch in the same round' % (args.repeats, args.epochs))
    print()
    print('Dense GEMMs: every product as a GEMM at OpenBLAS speed (the least a dense implementation needs). '
          'Products: the products as mlp computes them, alone. mlp / products: the rest of the step '
          '(activations, loss, optimizer, batching, threads) as a factor.')
    print()
    print('| workload | mlp | PyTorch | ratio | mlp samples/s | mlp peak RSS | dense GEMMs | products | mlp / products '
          '| final val_acc mlp / PyTorch |')
    print('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |')
    print(row('tutorial: mse, sgd, batch 32 (epoch)', 'sgd', gemm32, TRAIN_SAMPLES))
    print(row('adam + crossentropy, batch 128 (epoch)', 'adam', gemm128, TRAIN_SAMPLES))
    print('| inference, 10,000 test images, batch 1000 | %.4f s | %.4f s | %.2f | %s | %.0f MB | %.4f s | %.4f s '
          '| %.2f | - |' % (
              ours_inf, torch_inf, paired_ratio(infer['ours_rounds'], infer['torch']),
              '{:,.0f}'.format(TEST_SAMPLES / ours_inf), max(infer['ours_rss']), gemm32['dense_infer'],
              gemm32['products_infer'], ours_inf / gemm32['products_infer']))
    cnn_limit = statistics.median(cnn_gemm)
    print('| mnist_cnn.py: Adadelta, batch 128, %s training images + %s test (epoch) | %.3f s | %.3f s | %.2f | %s '
          '| %.0f MB | %.3f s | %.3f s | %.2f | %s |' % (
              '{:,}'.format(CNN_TRAIN), '{:,}'.format(TEST_SAMPLES), med['ours_cnn'], med['torch_cnn'],
              paired_ratio(res['ours_cnn']['rounds'], res['torch_cnn']['rounds']),
              '{:,.0f}'.format(CNN_TRAIN / med['ours_cnn']), max(res['ours_cnn']['rss']), cnn_limit, cnn_limit,
              med['ours_cnn'] / cnn_limit, accs('ours_cnn') + ' / ' + accs('torch_cnn')))
    print()
    print('Thread scaling, tutorial epoch: 1 thread %.3f s (products %.3f s), 2 threads %.3f s: %.2fx '
          '(median over rounds of 1-thread / 2-thread time in the same round)' % (
              med['ours_sgd_1t'], gemm32_1t['products'], med['ours_sgd'],
              paired_ratio(res['ours_sgd_1t']['rounds'], res['ours_sgd']['rounds'])))
    if with_mpi:
        print()
        print('MPI (mpirun, ranks bound to cores; 4 ranks share 2 cores, oversubscribed): epoch time (median), '
              'training samples/s, speed-up over one process (the 2-thread rows above), the wait in allreduce '
              'per epoch (what the backward pass did not hide) and the efficiency mlp-train reports '
              '(computing / (computing + waiting)):')
        print()
        print('| workload | one process | np 2 | np 4 (oversubscribed) |')
        print('| --- | --- | --- | --- |')
        for key, name, samples in (('sgd', 'tutorial, batch 32', TRAIN_SAMPLES), ('adam', 'adam, batch 128', TRAIN_SAMPLES),
                                   ('cnn', 'mnist_cnn.py, batch 128, %s images' % '{:,}'.format(CNN_TRAIN), CNN_TRAIN)):
            cells = []
            for n in (2, 4):
                if not mpi[(key, n)]['times']:
                    cells.append('-')
                    continue
                t = statistics.median(mpi[(key, n)]['times'])
                cells.append('%.3f s, %s/s, x%.2f, %.3f s waiting, efficiency %.2f' % (
                    t, '{:,.0f}'.format(samples / t), med['ours_' + key] / t,
                    statistics.median(mpi[(key, n)]['waits']), statistics.median(mpi[(key, n)]['efficiency'])))
            print('| %s | %.3f s, %s/s | %s | %s |' % (name, med['ours_' + key],
                                                     '{:,.0f}'.format(samples / med['ours_' + key]), *cells))
    print('PyTorch peak RSS: tutorial %.0f MB, adam %.0f MB, CNN %.0f MB' % (
        max(res['torch_sgd']['rss']), max(res['torch_adam']['rss']), max(res['torch_cnn']['rss'])))
    gap = abs(statistics.median(res['ours_sgd']['acc']) - statistics.median(res['torch_sgd']['acc']))
    print('val_acc gap after %d epochs (tutorial): %.4f %s' % (args.epochs, gap,
                                                              '(within noise)' if gap < 0.02 else '(TOO LARGE)'))
    if gap >= 0.02:
        sys.exit(1)


if __name__ == '__main__':
    main()
