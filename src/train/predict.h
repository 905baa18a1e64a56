// Running a trained model over images in batches, and reading classes off its
// outputs (Keras's predict / predict_classes).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <utility>
#include <vector>

#include "data/dataset.h"
#include "nn/model.h"

namespace mlp {

// Calls `on_batch(first_index, outputs)` for consecutive batches of the whole set,
// in inference mode.
void predict_batches(Model& model, const Dataset& data, const InputScaling& scale, std::size_t batch_size,
                     const std::function<void(std::size_t first, const Matrix& outputs)>& on_batch);

struct ClassScore {
  std::size_t klass;
  float probability;
};

// The best class of one output row, without allocating: the first maximum, or for
// a single sigmoid unit 1 when the output is above 0.5 (Keras's predict_classes).
std::size_t best_class(const float* row, std::size_t cols);

// The k best classes of one output row, best first (ties: the lower class). A
// single sigmoid unit means classes 0 and 1 with p(1) = the output, as Keras's
// predict_classes reads it (p > 0.5).
std::vector<ClassScore> top_classes(const float* row, std::size_t cols, std::size_t k);

}  // namespace mlp
