#include "train/predict.h"

#include <algorithm>
#include <numeric>

namespace mlp {

void predict_batches(Model& model, const Dataset& data, const InputScaling& scale, std::size_t batch_size,
                     const std::function<void(std::size_t first, const Matrix& outputs)>& on_batch) {
  std::vector<std::uint32_t> indices;
  Matrix x;
  const ForwardContext inference{.no_backward = true};
  for (std::size_t start = 0; start < data.size(); start += batch_size) {
    const std::size_t n = std::min(batch_size, data.size() - start);
    indices.resize(n);
    std::iota(indices.begin(), indices.end(), static_cast<std::uint32_t>(start));
    gather_inputs(data, indices, scale, x);
    on_batch(start, model.forward(x, inference));
  }
}

std::size_t best_class(const float* row, std::size_t cols) {
  if (cols == 1) return row[0] > 0.5f ? 1 : 0;
  return static_cast<std::size_t>(std::max_element(row, row + cols) - row);
}

std::vector<ClassScore> top_classes(const float* row, std::size_t cols, std::size_t k) {
  std::vector<ClassScore> scores;
  if (cols == 1) {
    scores = {{1, row[0]}, {0, 1.0f - row[0]}};
    if (!(row[0] > 0.5f)) std::swap(scores[0], scores[1]);
  } else {
    for (std::size_t c = 0; c < cols; ++c) scores.push_back({c, row[c]});
    std::stable_sort(scores.begin(), scores.end(), [](const ClassScore& a, const ClassScore& b) {
      return a.probability > b.probability;
    });
  }
  scores.resize(std::min(k, scores.size()));
  return scores;
}

}  // namespace mlp
