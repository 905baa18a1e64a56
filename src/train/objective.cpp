#include "train/objective.h"

namespace mlp {

Objective::Objective(const LossFns& loss, std::vector<Metric> metrics) : loss_(loss), metrics_(std::move(metrics)) {}

std::vector<std::string> Objective::names() const {
  std::vector<std::string> names{"loss"};
  for (const auto& m : metrics_) names.push_back(m.log_name);
  return names;
}

namespace {

std::size_t nonzero(std::span<const float> weights) {
  std::size_t count = 0;
  for (float w : weights) count += w != 0.0f;
  return count;
}

}  // namespace

void Objective::batch_means(const Matrix& p, const Matrix& y, std::vector<double>& means,
                            std::span<const float> weights) {
  const std::size_t rows = p.rows(), cols = p.cols();
  per_sample_.resize(rows);
  means.assign(size(), 0.0);
  auto mean_of_samples = [&] {
    double sum = 0.0;
    for (float v : per_sample_) sum += v;
    return rows ? sum / static_cast<double>(rows) : 0.0;
  };
  loss_.forward(p.data(), y.data(), per_sample_.data(), rows, cols);
  if (weights.empty()) {
    means[0] = mean_of_samples();
  } else {
    double sum = 0.0;
    for (std::size_t r = 0; r < rows; ++r) sum += static_cast<double>(weights[r]) * per_sample_[r];
    const std::size_t counted = nonzero(weights.first(rows));
    means[0] = counted ? sum / static_cast<double>(counted) : 0.0;
  }
  for (std::size_t k = 0; k < metrics_.size(); ++k) {
    metrics_[k].per_sample(p.data(), y.data(), per_sample_.data(), rows, cols);
    means[k + 1] = mean_of_samples();
  }
}

void Objective::gradient(const Matrix& p, const Matrix& y, Matrix& dp, std::span<const float> weights) const {
  const std::size_t rows = p.rows(), cols = p.cols();
  dp.resize(rows, cols);
  loss_.backward(p.data(), y.data(), dp.data(), rows, cols);
  if (weights.empty()) return;
  // backward gives d(mean loss)/dp: row r holds dloss_r/dp / rows.
  const std::size_t counted = nonzero(weights.first(rows));
  for (std::size_t r = 0; r < rows; ++r) {
    const float scale =
        counted ? static_cast<float>(static_cast<double>(weights[r]) * static_cast<double>(rows) / static_cast<double>(counted))
                : 0.0f;
    float* row = dp.data() + r * cols;
    for (std::size_t c = 0; c < cols; ++c) row[c] *= scale;
  }
}

void MeanAccumulator::add(const std::vector<double>& means, std::size_t samples) {
  for (std::size_t k = 0; k < sums_.size(); ++k) sums_[k] += means[k] * static_cast<double>(samples);
  count_ += samples;
}

std::vector<double> MeanAccumulator::means() const {
  std::vector<double> out(sums_.size(), 0.0);
  if (count_)
    for (std::size_t k = 0; k < sums_.size(); ++k) out[k] = sums_[k] / static_cast<double>(count_);
  return out;
}

}  // namespace mlp
