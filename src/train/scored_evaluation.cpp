#include "train/scored_evaluation.h"

#include <numeric>

#include "train/evaluate.h"
#include "train/predict.h"

namespace mlp {

ScoredEvaluation evaluate_scored(Compiled& compiled, const Dataset& data, std::size_t batch_size,
                                 std::size_t confusion_classes, Collective* team,
                                 const std::function<void(const Miss&)>& on_miss) {
  ScoredEvaluation e;
  if (confusion_classes > 0) e.confusion.emplace(confusion_classes);
  R2Score r2(compiled.classes());
  std::vector<std::uint32_t> indices(data.size());
  std::iota(indices.begin(), indices.end(), 0u);
  const BatchSource source{&data, compiled.preprocessing.scaling(), compiled.classes(), {}};
  const auto score = [&](std::span<const std::uint32_t> rows, const Matrix& outputs) {
    for (std::size_t r = 0; r < rows.size(); ++r) {
      if (compiled.regression) {
        r2.add(data.targets.data() + std::size_t{rows[r]} * outputs.cols(), outputs.row(r));
        continue;
      }
      const std::size_t truth = data.labels[rows[r]];
      const std::size_t predicted = best_class(outputs.row(r), outputs.cols());
      e.hits += truth == predicted;
      if (e.confusion) e.confusion->add(truth, predicted);
      if (truth != predicted && on_miss)
        on_miss({rows[r], predicted, top_classes(outputs.row(r), outputs.cols(), 1).front().probability});
    }
  };
  if (!team) {
    e.values = evaluate(*compiled.model, *compiled.objective, source, indices, batch_size, score);
  } else {
    e.values = evaluate_shared(*team, *compiled.model, *compiled.objective, source, indices, batch_size, score);
    team->sum(&e.hits, 1);
    r2.sum_over(*team);
    if (e.confusion) e.confusion->sum_over(*team);
  }
  e.r2 = r2.value();
  return e;
}

}  // namespace mlp
