// Loss functions as Keras 2.2.4 computes them on the model's output (probabilities,
// not logits): a per-sample forward and the gradient of the batch mean, side by
// side in losses.cpp, one table row each.
#pragma once

#include <cstddef>

#include "nn/registry.h"

namespace mlp {

enum class LabelKind { one_hot, sparse, binary };  // decides what 'acc' means (Keras training.py l.371-404)

struct LossFns {
  // loss[r] for each of `rows` samples; y is the one-hot (or 0/1) target.
  void (*forward)(const float* p, const float* y, float* loss, std::size_t rows, std::size_t cols);
  // dp = d(mean_r loss[r]) / dp
  void (*backward)(const float* p, const float* y, float* dp, std::size_t rows, std::size_t cols);
  LabelKind labels;
};

const NameTable<LossFns>& loss_table();

// Keras's clip epsilon (keras/backend/common.py: _EPSILON = 1e-7).
inline constexpr float keras_epsilon = 1e-7f;

}  // namespace mlp
