#include "nn/metrics.h"

#include <algorithm>
#include <cmath>

#include "core/strings.h"
#include "nn/losses.h"

namespace mlp {
namespace {

std::size_t argmax(const float* v, std::size_t n) {
  return static_cast<std::size_t>(std::max_element(v, v + n) - v);  // first maximum, like numpy/TF
}

void categorical_accuracy(const float* p, const float* y, float* value, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r)
    value[r] = argmax(p + r * cols, cols) == argmax(y + r * cols, cols) ? 1.0f : 0.0f;
}

// Targets are one-hot here too, so sparse accuracy is the same comparison.
void sparse_categorical_accuracy(const float* p, const float* y, float* value, std::size_t rows,
                                 std::size_t cols) {
  categorical_accuracy(p, y, value, rows, cols);
}

// mean(equal(y, round(p)), axis=-1); round is half-to-even as in TF.
void binary_accuracy(const float* p, const float* y, float* value, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    float hits = 0.0f;
    for (std::size_t c = 0; c < cols; ++c) hits += std::nearbyint(p[r * cols + c]) == y[r * cols + c] ? 1.0f : 0.0f;
    value[r] = hits / static_cast<float>(cols);
  }
}

// in_top_k(p, argmax(y), k=5): the target is in the top k unless k classes score strictly higher.
void top_k_categorical_accuracy(const float* p, const float* y, float* value, std::size_t rows,
                                std::size_t cols) {
  constexpr std::size_t k = 5;
  for (std::size_t r = 0; r < rows; ++r) {
    const float* pr = p + r * cols;
    const float target = pr[argmax(y + r * cols, cols)];
    const auto higher = static_cast<std::size_t>(std::count_if(pr, pr + cols, [&](float v) { return v > target; }));
    value[r] = higher < k ? 1.0f : 0.0f;
  }
}

}  // namespace

const NameTable<MetricFn>& metric_table() {
  static const NameTable<MetricFn> table(
      "metric", {
                    {"categorical_accuracy", {}, categorical_accuracy},
                    {"sparse_categorical_accuracy", {}, sparse_categorical_accuracy},
                    {"binary_accuracy", {}, binary_accuracy},
                    {"top_k_categorical_accuracy", {}, top_k_categorical_accuracy},
                });
  return table;
}

Metric resolve_metric(const std::string& name, const std::string& loss_name, std::size_t output_units,
                      const std::string& key_path) {
  const std::string lower = to_lower(name);
  const LabelKind labels = loss_table().find(loss_name, "compile.loss").entry.labels;
  if (lower == "acc" || lower == "accuracy") {
    if (output_units == 1 || labels == LabelKind::binary) return {"acc", binary_accuracy};
    if (labels == LabelKind::sparse) return {"acc", sparse_categorical_accuracy};
    return {"acc", categorical_accuracy};
  }
  if (const auto* row = metric_table().try_find(name)) return {row->name, row->entry};
  if (const auto* row = loss_table().try_find(name)) return {row->name, row->entry.forward};
  std::vector<std::string> known{"acc", "accuracy"};
  for (const auto& n : metric_table().all_names()) known.push_back(n);
  for (const auto& n : loss_table().all_names()) known.push_back(n);
  throw ConfigError(key_path, "unknown metric '" + name + "'" + did_you_mean(name, known) + "; known: " + join(known, ", "));
}

}  // namespace mlp
