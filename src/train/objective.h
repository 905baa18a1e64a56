// The loss and the metrics of one compiled model, evaluated over a batch: what
// the training step and the evaluation loop both need, in one place.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/matrix.h"
#include "nn/losses.h"
#include "nn/metrics.h"

namespace mlp {

class Objective {
 public:
  Objective(const LossFns& loss, std::vector<Metric> metrics);

  // "loss" and each metric's log name, in Keras's order.
  std::vector<std::string> names() const;
  std::size_t size() const { return metrics_.size() + 1; }

  // Batch means of [loss, metric...] for predictions p against targets y. With
  // per-sample `weights` (fit.class_weight), the loss is Keras's weighted mean,
  // sum(w * loss) / count(w != 0) (keras@2.2.4:keras/engine/training_utils.py
  // weighted_masked_objective), 0 when every weight is 0; metrics stay unweighted.
  void batch_means(const Matrix& p, const Matrix& y, std::vector<double>& means,
                   std::span<const float> weights = {});
  // dL/dp of that batch loss.
  void gradient(const Matrix& p, const Matrix& y, Matrix& dp, std::span<const float> weights = {}) const;

 private:
  LossFns loss_;
  std::vector<Metric> metrics_;
  std::vector<float> per_sample_;  // scratch, one value per sample
};

// Sample-weighted running means, as Keras's BaseLogger keeps them: each batch's
// values weigh by its number of samples.
class MeanAccumulator {
 public:
  explicit MeanAccumulator(std::size_t size = 0) : sums_(size, 0.0) {}
  void reset(std::size_t size) {
    sums_.assign(size, 0.0);
    count_ = 0;
  }
  void add(const std::vector<double>& means, std::size_t samples);
  std::vector<double> means() const;
  double mean(std::size_t k) const { return count_ ? sums_[k] / static_cast<double>(count_) : 0.0; }
  std::size_t count() const { return count_; }
  const std::vector<double>& sums() const { return sums_; }
  void restore(std::vector<double> sums, std::size_t count) {
    sums_ = std::move(sums);
    count_ = count;
  }

 private:
  std::vector<double> sums_;
  std::size_t count_ = 0;
};

}  // namespace mlp
