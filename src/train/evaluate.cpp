#include "train/evaluate.h"

#include <algorithm>

namespace mlp {

std::size_t inference_batch(const Model& model, std::size_t wanted) {
  constexpr double budget = 128.0 * (1 << 20);
  const double per_sample = 4.0 * static_cast<double>(std::max<std::size_t>(1, model.workspace_floats_per_sample()));
  return std::clamp<std::size_t>(static_cast<std::size_t>(budget / per_sample), 1, std::max<std::size_t>(wanted, 1));
}

std::span<const float> BatchSource::weights_of(std::span<const std::uint32_t> batch, std::vector<float>& buffer) const {
  if (class_weights.empty()) return {};
  buffer.resize(batch.size());
  for (std::size_t r = 0; r < batch.size(); ++r) buffer[r] = class_weights[data->labels[batch[r]]];
  return buffer;
}

std::vector<double> evaluate(Model& model, Objective& objective, const BatchSource& source,
                             std::span<const std::uint32_t> indices, std::size_t batch_size,
                             const std::function<void(std::span<const std::uint32_t>, const Matrix&)>& on_batch) {
  MeanAccumulator totals(objective.size());
  Matrix x, y;
  std::vector<double> means;
  std::vector<float> weights;
  const ForwardContext inference{.no_backward = true};
  for (std::size_t start = 0; start < indices.size(); start += batch_size) {
    const auto batch = indices.subspan(start, std::min(batch_size, indices.size() - start));
    gather_batch(*source.data, batch, source.scale, source.classes, x, y);
    const Matrix& p = model.forward(x, inference);
    objective.batch_means(p, y, means, source.weights_of(batch, weights));
    totals.add(means, batch.size());
    if (on_batch) on_batch(batch, p);
  }
  std::vector<double> result = totals.means();
  result[0] += model.penalty();
  return result;
}

std::vector<double> evaluate_shared(Collective& team, Model& model, Objective& objective, const BatchSource& source,
                                    std::span<const std::uint32_t> indices, std::size_t batch_size,
                                    const std::function<void(std::span<const std::uint32_t>, const Matrix&)>& on_batch) {
  if (!team.distributed()) return evaluate(model, objective, source, indices, batch_size, on_batch);
  const auto [begin, end] = team.share(indices.size());
  std::vector<double> values(objective.size(), 0.0);
  if (end > begin) {
    values = evaluate(model, objective, source, indices.subspan(begin, end - begin), batch_size, on_batch);
    for (double& v : values) v *= static_cast<double>(end - begin) / static_cast<double>(indices.size());
  }
  team.sum(values.data(), values.size());
  return values;
}

}  // namespace mlp
