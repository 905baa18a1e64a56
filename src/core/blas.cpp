#include "core/blas.h"

#include <sys/mman.h>

#include <algorithm>
#include <vector>

#include <cblas.h>

#include "core/machine.h"

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

// OpenBLAS's pthreads build exports these (its fork handler and its drivers use
// them); weak, so a build without them still links.
extern "C" int blas_thread_shutdown_(void) __attribute__((weak));
extern "C" void* blas_memory_alloc(int procpos) __attribute__((weak));
extern "C" void blas_memory_free(void* buffer) __attribute__((weak));

namespace {

// Debian's OpenBLAS's BUFFER_SIZE (32 << 22): seen as its mmap of 134217728
// bytes, or, when that fails, its malloc of one page more.
constexpr std::size_t work_buffer_bytes = (std::size_t{128} << 20) + 4096;
// What the program itself maps beside the buffers before its data (the stack,
// libraries, allocator arenas): room kept so the claim does not take it all.
constexpr std::size_t headroom_bytes = std::size_t{64} << 20;

bool address_space_has_room(std::size_t bytes) {
  void* probe = ::mmap(nullptr, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (probe == MAP_FAILED) return false;
  ::munmap(probe, bytes);
  return true;
}

}  // namespace

int claim_work_buffers(int threads) {
  if (address_space_limit() == 0 || !blas_memory_alloc || !blas_memory_free) return threads;
  int fit = threads;
  while (fit > 0 && !address_space_has_room(static_cast<std::size_t>(fit) * work_buffer_bytes + headroom_bytes)) --fit;
  if (fit == 0) return 0;
  // Taken together, so that OpenBLAS holds `fit` distinct buffers; freed, they
  // stay mapped in its table for the GEMMs to reuse.
  std::vector<void*> buffers;
  for (int i = 0; i < fit; ++i) buffers.push_back(blas_memory_alloc(0));
  for (void* buffer : buffers) blas_memory_free(buffer);
  return fit;
}

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
