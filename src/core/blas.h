// The only door to BLAS: every dense product in mlp goes through here, so a faster
// kernel (another layout, a small-GEMM library) is a change in one file.
#pragma once

#include <string>

namespace mlp::blas {

enum class Trans { no, yes };

// C[m x n] = alpha * op(A) * op(B) + beta * C, all row-major; op(A) is m x k.
void gemm(Trans trans_a, Trans trans_b, int m, int n, int k, float alpha, const float* a, int lda,
          const float* b, int ldb, float beta, float* c, int ldc);

// OpenBLAS takes a 128 MiB work buffer for each thread that runs a GEMM at the
// same time, on first use, and retries forever when the address space (ulimit -v)
// has no room for one: a hang, not an error. Under such a limit this takes the
// buffers for up to `threads` threads now, before data and weights claim the room,
// and returns how many it could take (0: not even one). Without a limit it takes
// nothing and returns `threads`.
int claim_work_buffers(int threads);

void set_threads(int threads);
int threads();
std::string core_name();  // the OpenBLAS kernel that runs ("Haswell")

}  // namespace mlp::blas
