#include "core/blas.h"

#include <algorithm>

#include <cblas.h>

namespace mlp::blas {

void gemm(Trans trans_a, Trans trans_b, int m, int n, int k, float alpha, const float* a, int lda,
          const float* b, int ldb, float beta, float* c, int ldc) {
  if (m == 0 || n == 0) return;
  if (beta == 0.0f) {
    // OpenBLAS clears C for beta = 0 in a separate slow pass (sgemm_beta: 7% of
    // an Adam step's samples); clearing it here, just before the GEMM reads it
    // back, took 170 us of that step's 1.8 ms backward pass off.
    for (int r = 0; r < m; ++r) std::fill_n(c + static_cast<std::ptrdiff_t>(r) * ldc, n, 0.0f);
    beta = 1.0f;
  }
  cblas_sgemm(CblasRowMajor, trans_a == Trans::yes ? CblasTrans : CblasNoTrans,
              trans_b == Trans::yes ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c,
              ldc);
}

// OpenBLAS's pthreads build exports this (its fork handler uses it); weak, so a
// build without it still links.
extern "C" int blas_thread_shutdown_(void) __attribute__((weak));

void set_threads(int threads) {
  openblas_set_num_threads(threads);
  // On one thread OpenBLAS never hands work to its server threads, but they spin
  // in sched_yield for about 0.1 s after start-up, taking a core from ours.
  if (threads == 1 && blas_thread_shutdown_) blas_thread_shutdown_();
}
int threads() { return openblas_get_num_threads(); }
std::string core_name() {
  const char* name = openblas_get_corename();
  return name ? name : "unknown";
}

}  // namespace mlp::blas
