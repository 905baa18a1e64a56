// The GEMM limit: times the GEMMs of one training step of a Dense stack (the
// tutorial's by default), and of inference, alone, through mlp's own BLAS
// wrapper, so the benchmark can say how close the whole step comes to them.
// Two ways, and the faster one is the limit:
//   openblas: each GEMM whole, on OpenBLAS's own threads;
//   split:    OpenBLAS on one thread, each GEMM split across mlp's pool exactly
//             as nn/layers/dense.cpp splits it (by units or rows, by input rows).
//
// With --images, also the products of the step as mlp computes them: the first
// layer goes by the entries of real images that differ from the blank pixel
// (core/sparse_rows.h), split between threads as Dense splits it, the other
// layers' GEMMs as above. Building the entry lists is not counted: it is
// overhead of the step, like the activations.
//
// With --cnn, the step is configs/mnist_cnn.json's (Keras's mnist_cnn.py):
// each convolution as the whole batch's patch GEMMs (im2col, as
// nn/layers/conv2d.cpp computes it) — z = P K, dK = P^T dz, dP = dz K^T (not
// for the first layer) — then the Dense layers' as above, with gradients.
//
// Usage: gemm_limit [--batch B] [--layers 784,784,100,10] [--threads N] [--infer-batch N] [--grads]
//                   [--images IDX_FILE --range LOW,HIGH] [--cnn]
// --grads: the weight GEMM writes a gradient (beta = 0, as for Adam) instead of
// updating the weights in place (beta = 1, plain SGD).
// Prints key=value lines (seconds per step or per sample).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/blas.h"
#include "core/clock.h"
#include "core/parallel.h"
#include "core/sparse_rows.h"
#include "data/idx.h"

namespace {

using mlp::blas::Trans;

enum class Split { rows, cols };

struct Gemm {
  Trans ta, tb;
  int m, n, k;
  float beta;
  Split split;  // how Dense divides it between threads
};

using mlp::seconds_now;

// A BLAS dimension (int, never negative) as a size.
std::size_t size(int n) { return static_cast<std::size_t>(n); }

// Rows [m0, m1) and columns [n0, n1) of C = op(A) op(B) + beta C, row-major.
void gemm_block(const Gemm& g, int m0, int m1, int n0, int n1, const float* a, const float* b, float* c) {
  const int lda = g.ta == Trans::no ? g.k : g.m;
  const int ldb = g.tb == Trans::no ? g.n : g.k;
  const float* a_block = g.ta == Trans::no ? a + size(m0) * size(lda) : a + m0;
  const float* b_block = g.tb == Trans::no ? b + n0 : b + size(n0) * size(ldb);
  mlp::blas::gemm(g.ta, g.tb, m1 - m0, n1 - n0, g.k, 1.0f, a_block, lda, b_block, ldb, g.beta,
                  c + size(m0) * size(g.n) + n0, g.n);
}

// Median time of running all `gemms` once, over `repeats` rounds.
double time_gemms(const std::vector<Gemm>& gemms, int repeats, bool split) {
  std::size_t biggest = 0;
  for (const auto& g : gemms)
    biggest = std::max({biggest, size(g.m) * size(g.k), size(g.k) * size(g.n), size(g.m) * size(g.n)});
  std::vector<float> a(biggest, 0.01f), b(biggest, 0.02f), c(biggest, 0.0f);
  std::vector<double> times;
  for (int r = 0; r < repeats; ++r) {
    const double start = seconds_now();
    for (const auto& g : gemms) {
      if (!split) {
        gemm_block(g, 0, g.m, 0, g.n, a.data(), b.data(), c.data());
        continue;
      }
      const double flops = 2.0 * g.m * g.n * g.k;
      const std::size_t extent = static_cast<std::size_t>(g.split == Split::rows ? g.m : g.n);
      mlp::parallel::for_ranges(extent, g.split == Split::rows ? 1 : 8, flops, [&](std::size_t begin, std::size_t end) {
        if (g.split == Split::rows)
          gemm_block(g, static_cast<int>(begin), static_cast<int>(end), 0, g.n, a.data(), b.data(), c.data());
        else
          gemm_block(g, 0, g.m, static_cast<int>(begin), static_cast<int>(end), a.data(), b.data(), c.data());
      });
    }
    times.push_back(seconds_now() - start);
  }
  std::nth_element(times.begin(), times.begin() + repeats / 2, times.end());
  return times[static_cast<std::size_t>(repeats / 2)];
}

// Median time of the first layer's products going by the entries of `batches`
// (each [rows x inputs], scaled images), as Dense runs them, plus `rest` (the
// other layers' GEMMs, split), over `repeats` rounds that cycle through the batches.
double time_products(const std::vector<mlp::SparseRows>& batches, std::size_t units, bool backward,
                     const std::vector<Gemm>& rest, int repeats) {
  const std::size_t rows = batches[0].rows(), inputs = batches[0].cols();
  std::vector<float> w(inputs * units, 0.01f), z(rows * units, 0.0f), dz(rows * units, 0.02f),
      grad(inputs * units, 0.0f);
  std::vector<double> times;
  for (int r = 0; r < repeats; ++r) {
    const mlp::SparseRows& x = batches[static_cast<std::size_t>(r) % batches.size()];
    const double start = seconds_now();
    const double flops = 2.0 * static_cast<double>(x.stored()) * static_cast<double>(units);
    if (rows > units)  // by rows for large batches, as Dense does
      mlp::parallel::for_ranges(rows, 1, flops, [&](std::size_t begin, std::size_t end) {
        x.multiply_add(begin, end, w.data(), units, 0, units, z.data(), units);
      });
    else
      mlp::parallel::for_ranges(units, 8, flops, [&](std::size_t begin, std::size_t end) {
        x.multiply_add(0, rows, w.data(), units, begin, end, z.data(), units);
      });
    if (backward)
      mlp::parallel::for_ranges(units, 8, flops, [&](std::size_t begin, std::size_t end) {
        x.transpose_multiply(begin, end, dz.data(), units, 1.0f, false, grad.data());
      });
    times.push_back(seconds_now() - start);
  }
  std::nth_element(times.begin(), times.begin() + repeats / 2, times.end());
  return times[static_cast<std::size_t>(repeats / 2)] + time_gemms(rest, repeats, true);
}

// Up to eight batches of `rows` images from an IDX file, scaled onto [low, high].
std::vector<mlp::SparseRows> image_batches(const std::string& path, float low, float high, std::size_t rows) {
  const mlp::IdxArray images = mlp::read_idx(path);
  const std::size_t inputs = images.item_size();
  std::vector<mlp::SparseRows> batches;
  mlp::Matrix x(rows, inputs);
  for (std::size_t b = 0; b < 8 && (b + 1) * rows <= images.items(); ++b) {
    for (std::size_t i = 0; i < x.size(); ++i)
      x.data()[i] = low + (high - low) * static_cast<float>(images.data[b * rows * inputs + i]) / 255.0f;
    batches.emplace_back();
    batches.back().assign(x, low, 1.0);
    batches.back().index_columns();  // (as Dense does before each backward pass)
  }
  return batches;
}

}  // namespace

int main(int argc, char** argv) {
  int batch = 32, threads = 2, infer_batch = 1000;
  bool grads = false, cnn = false;
  std::vector<int> widths{784, 784, 100, 10};
  std::string images;
  float range_low = 0.0f, range_high = 1.0f;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--grads" || flag == "--cnn") {
      (flag == "--cnn" ? cnn : grads) = true;
      continue;
    }
    if (i + 1 >= argc) break;
    const std::string value = argv[++i];
    if (flag == "--images") images = value;
    else if (flag == "--range") std::sscanf(value.c_str(), "%f,%f", &range_low, &range_high);
    else if (flag == "--batch") batch = std::atoi(value.c_str());
    else if (flag == "--threads") threads = std::atoi(value.c_str());
    else if (flag == "--infer-batch") infer_batch = std::atoi(value.c_str());
    else if (flag == "--layers") {
      widths.clear();
      for (std::size_t p = 0; p < value.size();) {
        const std::size_t q = value.find(',', p);
        widths.push_back(std::atoi(value.substr(p, q - p).c_str()));
        p = q == std::string::npos ? value.size() : q + 1;
      }
    }
  }

  // The step as nn/layers/dense.cpp runs it: z = b + x W (beta = 1, z starts as
  // the bias); dx = dz W^T (not for the first layer); W -= rate x^T dz (beta = 1)
  // or dW = x^T dz (beta = 0).
  std::vector<Gemm> step, infer;
  if (cnn) {
    struct Conv {
      int positions, patch, filters;
    };
    // 28x28x1 -> 26x26x32 (3x3x1 patches) -> 24x24x64 (3x3x32), then 9216 -> 128 -> 10.
    const Conv convs[] = {{26 * 26, 9, 32}, {24 * 24, 288, 64}};
    for (std::size_t l = 0; l < 2; ++l) {
      const Conv& c = convs[l];
      step.push_back({Trans::no, Trans::no, batch * c.positions, c.filters, c.patch, 1.0f, Split::rows});
      infer.push_back({Trans::no, Trans::no, infer_batch * c.positions, c.filters, c.patch, 1.0f, Split::rows});
      step.push_back({Trans::yes, Trans::no, c.patch, c.filters, batch * c.positions, 0.0f, Split::rows});
      if (l > 0) step.push_back({Trans::no, Trans::yes, batch * c.positions, c.patch, c.filters, 0.0f, Split::rows});
    }
    widths = {9216, 128, 10};
    grads = true;
  }
  for (std::size_t l = 0; l + 1 < widths.size(); ++l) {
    const int in = widths[l], out = widths[l + 1];
    step.push_back({Trans::no, Trans::no, batch, out, in, 1.0f, batch > out ? Split::rows : Split::cols});
    infer.push_back({Trans::no, Trans::no, infer_batch, out, in, 1.0f, infer_batch > out ? Split::rows : Split::cols});
    step.push_back({Trans::yes, Trans::no, in, out, batch, grads ? 0.0f : 1.0f, Split::rows});
    if (l > 0 || cnn) step.push_back({Trans::no, Trans::yes, batch, in, out, 0.0f, Split::cols});
  }

  mlp::blas::set_threads(threads);
  time_gemms(step, 50, false);  // warm up
  const double step_openblas = time_gemms(step, 500, false);
  const double infer_openblas = time_gemms(infer, 50, false);
  mlp::parallel::set_threads(threads);
  time_gemms(step, 50, true);
  const double step_split = time_gemms(step, 500, true);
  const double infer_split = time_gemms(infer, 50, true);

  std::printf("core=%s\nthreads=%d\nbatch=%d\n", mlp::blas::core_name().c_str(), threads, batch);
  std::printf("gemm_step_openblas=%.9f\ngemm_step_split=%.9f\ngemm_step=%.9f\n", step_openblas, step_split,
              std::min(step_openblas, step_split));
  std::printf("gemm_infer_per_sample=%.12f\n", std::min(infer_openblas, infer_split) / infer_batch);

  if (!images.empty() && !cnn) {
    // Every GEMM but the first layer's (forward, and its kernel's gradient).
    const std::vector<Gemm> step_rest(step.begin() + 2, step.end()), infer_rest(infer.begin() + 1, infer.end());
    const auto train_batches = image_batches(images, range_low, range_high, static_cast<std::size_t>(batch));
    const auto infer_batches = image_batches(images, range_low, range_high, static_cast<std::size_t>(infer_batch));
    if (train_batches.empty() || infer_batches.empty()) {
      std::fprintf(stderr, "gemm_limit: %s holds fewer images than a batch\n", images.c_str());
      return 2;
    }
    time_products(train_batches, size(widths[1]), true, step_rest, 50);  // warm up
    const double products_step = time_products(train_batches, size(widths[1]), true, step_rest, 500);
    const double products_infer = time_products(infer_batches, size(widths[1]), false, infer_rest, 50);
    std::printf("products_step=%.9f\nproducts_infer_per_sample=%.12f\n", products_step, products_infer / infer_batch);
  }
  return 0;
}
