#include "train/train_step.h"

#include <algorithm>

#include "core/clock.h"

namespace mlp {

void TrainStep::run(const Matrix& x, const Matrix& y, Rng& dropout_rng, std::vector<double>& means,
                    std::span<const float> weights, StepTimes* times, const BatchShare* share) {
  if (share && share->team && share->team->distributed()) {
    run_shared(x, y, dropout_rng, means, weights, *share);
    return;
  }
  const double t0 = times ? seconds_now() : 0.0;
  const Matrix& output = model_.forward(x, {.training = true, .dropout_rng = &dropout_rng});
  const double t1 = times ? seconds_now() : 0.0;
  objective_.batch_means(output, y, means, weights);
  means[0] += model_.penalty();
  objective_.gradient(output, y, d_output_, weights);
  const double t2 = times ? seconds_now() : 0.0;
  double t3 = t2;
  if (const auto rate = optimizer_.plain_sgd_rate()) {
    // Plain SGD: the layers take the step inside their gradient products.
    model_.backward_with_sgd_step(x, d_output_, *rate);
    optimizer_.count_step();
    if (times) t3 = seconds_now();
  } else {
    model_.backward(x, d_output_);
    if (times) t3 = seconds_now();
    optimizer_.step(model_.trainable_params(), model_.grads());
  }
  model_.apply_constraints();
  if (!times) return;
  const double t4 = seconds_now();
  times->forward += t1 - t0;
  times->loss += t2 - t1;
  times->backward += t3 - t2;
  times->update += t4 - t3;
}

void TrainStep::run_shared(const Matrix& x, const Matrix& y, Rng& dropout_rng, std::vector<double>& means,
                           std::span<const float> weights, const BatchShare& share) {
  std::vector<float>& grads = model_.grads();
  if (!buckets_) buckets_.emplace(*share.team, plan_buckets(model_.layer_param_ranges()));
  buckets_->begin_step(grads, static_cast<float>(share.loss_share));
  if (x.rows() > 0) {
    const Matrix& output = model_.forward(x, {.training = true, .dropout_rng = &dropout_rng});
    objective_.batch_means(output, y, means, weights);
    means[0] += model_.penalty();
    objective_.gradient(output, y, d_output_, weights);
    // Never fused with the update: the gradients are summed first.
    model_.backward(x, d_output_, [this](std::size_t begin, std::size_t) { buckets_->written(begin); });
    means[0] *= share.loss_share;
    for (std::size_t k = 1; k < means.size(); ++k) means[k] *= share.metric_share;
  } else {
    std::fill(grads.begin(), grads.end(), 0.0f);
    means.assign(objective_.size(), 0.0);
  }
  buckets_->finish();
  share.team->sum(means.data(), means.size());
  optimizer_.step(model_.trainable_params(), grads);
  model_.apply_constraints();
}

}  // namespace mlp
