// evaluate() and what mlp-eval and the HTML report read off each prediction:
// the hits, the confusion counts, R² for a regression model, and the
// misclassified samples. Under mpirun (mlp-eval), each rank takes its share of
// the samples and every count and sum is added over the ranks.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "core/collective.h"
#include "data/dataset.h"
#include "report/eval_report.h"
#include "train/compiled.h"

namespace mlp {

struct ScoredEvaluation {
  std::vector<double> values;                // loss, metrics
  std::uint64_t hits = 0;                    // classification: samples whose best class is the label
  std::optional<ConfusionMatrix> confusion;  // when asked for
  double r2 = 0;                             // regression
};

// A sample whose best class is not its label: `probability` is that class's output.
struct Miss {
  std::uint32_t index;
  std::size_t predicted;
  float probability;
};

// Over every sample of the labelled `data` at `batch_size`. `confusion_classes`
// above 0 counts a confusion matrix of that many classes. `team` (when given
// and distributed) shares the samples out; `on_miss` then sees this rank's.
ScoredEvaluation evaluate_scored(Compiled& compiled, const Dataset& data, std::size_t batch_size,
                                 std::size_t confusion_classes, Collective* team = nullptr,
                                 const std::function<void(const Miss&)>& on_miss = {});

}  // namespace mlp
