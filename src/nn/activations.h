// Activation functions: each one is a forward and a backward over a [rows x cols]
// batch, side by side in activations.cpp, and one row in the table at its foot.
#pragma once

#include <cstddef>
#include <string>

#include "nn/registry.h"

namespace mlp {

struct ActivationFns {
  // a = f(z), in place when a == z, over `rows` rows of `cols` values whose rows
  // start `stride` floats apart: a column slice of a wider batch, or a whole
  // batch (stride = cols).
  void (*forward_rows)(const float* z, float* a, std::size_t rows, std::size_t cols, std::size_t stride);
  // dz = da * f'(z); gets both z and a = f(z) so each function uses the cheaper one.
  // May be called with dz == da (in place).
  void (*backward_rows)(const float* z, const float* a, const float* da, float* dz, std::size_t rows,
                        std::size_t cols, std::size_t stride);
  // False when an output depends on its whole row (softmax): then the functions
  // must see whole rows, never a column slice.
  bool elementwise = true;

  // Over a whole [rows x cols] batch.
  void forward(const float* z, float* a, std::size_t rows, std::size_t cols) const {
    forward_rows(z, a, rows, cols, cols);
  }
  void backward(const float* z, const float* a, const float* da, float* dz, std::size_t rows,
                std::size_t cols) const {
    backward_rows(z, a, da, dz, rows, cols, cols);
  }
};

const NameTable<ActivationFns>& activation_table();

}  // namespace mlp
