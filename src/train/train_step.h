// One training step on one batch, the one function both fit() and
// bench/step_profile run: forward in training mode, the batch's loss and
// metrics, backward, and the optimizer's update. It is also the one place that
// decides to fuse a plain SGD update into the backward pass.
#pragma once

#include <optional>
#include <vector>

#include "core/collective.h"
#include "core/matrix.h"
#include "core/rng.h"
#include "nn/model.h"
#include "nn/optimizers/optimizer.h"
#include "train/gradient_buckets.h"
#include "train/objective.h"

namespace mlp {

// Where one step's time went, in seconds, for profiling (bench/step_profile).
struct StepTimes {
  double forward = 0, loss = 0, backward = 0, update = 0;
};

// This process's part of a batch spread over ranks (data-parallel training):
// its gradient and values count by their share of the batch's (rows here over
// rows in the batch; for a class-weighted loss, weighted rows), and are summed
// over the ranks (the gradients in buckets, during the backward pass) before
// the optimizer's update, which every rank then takes.
struct BatchShare {
  Collective* team = nullptr;
  double loss_share = 1.0, metric_share = 1.0;
};

class TrainStep {
 public:
  TrainStep(Model& model, Optimizer& optimizer, Objective& objective)
      : model_(model), optimizer_(optimizer), objective_(objective) {}

  // One step on inputs x and targets y: `means` gets the batch's [loss, metric...]
  // from the weights before the update, in training mode (dropout drawn from
  // `dropout_rng`), the loss with the regularizers' penalty, as Keras's train
  // function returns them. `weights`, when given, weigh each sample's loss
  // (fit.class_weight). With `times`, adds each phase's duration to it.
  // With `share` (over more than one rank), x and y hold this rank's rows of
  // the batch (none is allowed) and `means` the whole batch's values.
  void run(const Matrix& x, const Matrix& y, Rng& dropout_rng, std::vector<double>& means,
           std::span<const float> weights = {}, StepTimes* times = nullptr, const BatchShare* share = nullptr);

 private:
  void run_shared(const Matrix& x, const Matrix& y, Rng& dropout_rng, std::vector<double>& means,
                  std::span<const float> weights, const BatchShare& share);

  Model& model_;
  Optimizer& optimizer_;
  Objective& objective_;
  Matrix d_output_;  // dL/d(output), reused across steps
  std::optional<GradientBuckets> buckets_;  // for steps shared over ranks
};

}  // namespace mlp
