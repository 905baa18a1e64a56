// The GEMM limit: times OpenBLAS sgemm, through mlp's own BLAS wrapper, at exactly
// the shapes of one training step of a Dense stack (the tutorial's by default),
// so the benchmark can say how close the whole step comes to its GEMMs alone.
//
// Usage: gemm_limit [--batch B] [--layers 784,784,100,10] [--threads N] [--infer-batch N]
// Prints key=value lines (seconds): gemm_step, gemm_infer_per_sample, core.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/blas.h"

namespace {

using mlp::blas::Trans;

struct Gemm {
  Trans ta, tb;
  int m, n, k;
  float beta;
};

double seconds_now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Median time of running all `gemms` once, over `repeats` rounds.
double time_gemms(const std::vector<Gemm>& gemms, int repeats) {
  std::size_t biggest = 0;
  for (const auto& g : gemms)
    biggest = std::max({biggest, std::size_t(g.m) * g.k, std::size_t(g.k) * g.n, std::size_t(g.m) * g.n});
  std::vector<float> a(biggest, 0.01f), b(biggest, 0.02f), c(biggest, 0.0f);
  std::vector<double> times;
  for (int r = 0; r < repeats; ++r) {
    const double start = seconds_now();
    for (const auto& g : gemms) {
      const int lda = g.ta == Trans::no ? g.k : g.m;
      const int ldb = g.tb == Trans::no ? g.n : g.k;
      mlp::blas::gemm(g.ta, g.tb, g.m, g.n, g.k, 1.0f, a.data(), lda, b.data(), ldb, g.beta, c.data(), g.n);
    }
    times.push_back(seconds_now() - start);
  }
  std::nth_element(times.begin(), times.begin() + repeats / 2, times.end());
  return times[static_cast<std::size_t>(repeats / 2)];
}

}  // namespace

int main(int argc, char** argv) {
  int batch = 32, threads = 2, infer_batch = 1000;
  bool out_in = false;  // --layout out_in: W stored [units x inputs], as PyTorch stores it
  std::vector<int> widths{784, 784, 100, 10};
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--batch") batch = std::atoi(value.c_str());
    else if (flag == "--threads") threads = std::atoi(value.c_str());
    else if (flag == "--infer-batch") infer_batch = std::atoi(value.c_str());
    else if (flag == "--layout") out_in = value == "out_in";
    else if (flag == "--layers") {
      widths.clear();
      for (std::size_t p = 0; p < value.size();) {
        const std::size_t q = value.find(',', p);
        widths.push_back(std::atoi(value.substr(p, q - p).c_str()));
        p = q == std::string::npos ? value.size() : q + 1;
      }
    }
  }
  mlp::blas::set_threads(threads);

  // The step as nn/layers/dense.cpp runs it: y = x W; dx = dz W^T (not for the
  // first layer); W -= rate x^T dz (beta = 1).
  std::vector<Gemm> step, infer;
  for (std::size_t l = 0; l + 1 < widths.size(); ++l) {
    const int in = widths[l], out = widths[l + 1];
    if (out_in) {  // y = x W^T; W -= rate dz^T x; dx = dz W
      step.push_back({Trans::no, Trans::yes, batch, out, in, 0.0f});
      infer.push_back({Trans::no, Trans::yes, infer_batch, out, in, 0.0f});
      step.push_back({Trans::yes, Trans::no, out, in, batch, 1.0f});
      if (l > 0) step.push_back({Trans::no, Trans::no, batch, in, out, 0.0f});
      continue;
    }
    step.push_back({Trans::no, Trans::no, batch, out, in, 0.0f});
    infer.push_back({Trans::no, Trans::no, infer_batch, out, in, 0.0f});
    step.push_back({Trans::yes, Trans::no, in, out, batch, 1.0f});
    if (l > 0) step.push_back({Trans::no, Trans::yes, batch, in, out, 0.0f});
  }
  time_gemms(step, 50);  // warm up
  const double step_time = time_gemms(step, 2000);
  const double infer_time = time_gemms(infer, 50);
  std::printf("core=%s\nthreads=%d\nbatch=%d\ngemm_step=%.9f\ngemm_infer_per_sample=%.12f\n",
              mlp::blas::core_name().c_str(), threads, batch, step_time, infer_time / infer_batch);
  return 0;
}
