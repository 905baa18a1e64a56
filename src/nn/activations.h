// Activation functions: each one is a forward and a backward over a [rows x cols]
// batch, side by side in activations.cpp, and one row in the table at its foot.
#pragma once

#include <cstddef>
#include <string>

#include "nn/registry.h"

namespace mlp {

struct ActivationFns {
  // a = f(z)
  void (*forward)(const float* z, float* a, std::size_t rows, std::size_t cols);
  // dz = da * f'(z); gets both z and a = f(z) so each function uses the cheaper one.
  // May be called with dz == da (in place).
  void (*backward)(const float* z, const float* a, const float* da, float* dz, std::size_t rows,
                   std::size_t cols);
};

const NameTable<ActivationFns>& activation_table();

}  // namespace mlp
