// What mlp-eval prints beyond Keras's line: the confusion matrix and per-class
// precision, recall, F1 and support, laid out as scikit-learn's
// classification_report (digits=2) lays them out.
#pragma once

#include <cstdint>
#include <ostream>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/collective.h"

namespace mlp {

class ConfusionMatrix {
 public:
  explicit ConfusionMatrix(std::size_t classes) : classes_(classes), counts_(classes * classes, 0) {}
  void add(std::size_t true_class, std::size_t predicted) { ++counts_[true_class * classes_ + predicted]; }
  // The counts of every rank's samples, on every rank (data-parallel evaluation).
  void sum_over(Collective& team) { team.sum(counts_.data(), counts_.size()); }

  std::size_t classes() const { return classes_; }
  std::uint64_t at(std::size_t true_class, std::size_t predicted) const { return counts_[true_class * classes_ + predicted]; }
  std::uint64_t total() const;
  double accuracy() const;

  struct ClassScores {
    double precision = 0, recall = 0, f1 = 0;
    std::uint64_t support = 0;
  };
  // Zero where the ratio is undefined (no predictions or no samples), as sklearn does.
  ClassScores scores(std::size_t c) const;

  void print(std::ostream& out) const;
  void print_classification_report(std::ostream& out) const;
  nlohmann::json to_json() const;

 private:
  std::size_t classes_;
  std::vector<std::uint64_t> counts_;
};

// scikit-learn's r2_score(multioutput="uniform_average"): the mean over the
// outputs of 1 - SS_res / SS_tot (1 when both are 0, 0 when only SS_tot is).
class R2Score {
 public:
  explicit R2Score(std::size_t outputs) : sum_(outputs), squares_(outputs), residuals_(outputs) {}
  void add(const float* truth, const float* predicted);
  // The score of every rank's samples, on every rank (data-parallel evaluation).
  void sum_over(Collective& team);
  double value() const;

 private:
  std::size_t n_ = 0;
  std::vector<double> sum_, squares_, residuals_;
};

}  // namespace mlp
