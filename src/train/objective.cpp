#include "train/objective.h"

namespace mlp {

Objective::Objective(const LossFns& loss, std::vector<Metric> metrics) : loss_(loss), metrics_(std::move(metrics)) {}

std::vector<std::string> Objective::names() const {
  std::vector<std::string> names{"loss"};
  for (const auto& m : metrics_) names.push_back(m.log_name);
  return names;
}

void Objective::batch_means(const Matrix& p, const Matrix& y, std::vector<double>& means) {
  const std::size_t rows = p.rows(), cols = p.cols();
  per_sample_.resize(rows);
  means.assign(size(), 0.0);
  auto mean_of_samples = [&] {
    double sum = 0.0;
    for (float v : per_sample_) sum += v;
    return rows ? sum / static_cast<double>(rows) : 0.0;
  };
  loss_.forward(p.data(), y.data(), per_sample_.data(), rows, cols);
  means[0] = mean_of_samples();
  for (std::size_t k = 0; k < metrics_.size(); ++k) {
    metrics_[k].per_sample(p.data(), y.data(), per_sample_.data(), rows, cols);
    means[k + 1] = mean_of_samples();
  }
}

void Objective::gradient(const Matrix& p, const Matrix& y, Matrix& dp) const {
  dp.resize(p.rows(), p.cols());
  loss_.backward(p.data(), y.data(), dp.data(), p.rows(), p.cols());
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
