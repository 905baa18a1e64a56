#include "train/trainer.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "core/error.h"

namespace mlp {

namespace {

// Purposes of the random streams derived from the run's seed.
constexpr std::uint64_t shuffle_stream = 2;
constexpr std::uint64_t dropout_stream = 3;
constexpr std::size_t validation_batch = 1024;

// The seed of one epoch's random streams.
std::uint64_t epoch_seed(std::uint64_t seed, int epoch) {
  return seed + static_cast<std::uint64_t>(epoch) * std::uint64_t{0x9e3779b97f4a7c15};
}

Logs named(const std::vector<std::string>& names, const std::vector<double>& values, const std::string& prefix = "") {
  Logs logs;
  for (std::size_t k = 0; k < names.size(); ++k) logs.emplace_back(prefix + names[k], values[k]);
  return logs;
}

}  // namespace

std::size_t validation_split_at(std::size_t samples, double validation_split) {
  if (!(validation_split > 0.0 && validation_split < 1.0)) return samples;
  return static_cast<std::size_t>(static_cast<double>(samples) * (1.0 - validation_split));
}

void epoch_order(std::uint64_t seed, int epoch, bool shuffle, std::vector<std::uint32_t>& order) {
  std::iota(order.begin(), order.end(), 0u);
  if (!shuffle) return;
  Rng rng = Rng::stream(epoch_seed(seed, epoch), shuffle_stream);
  rng.shuffle(std::span(order));
}

bool fit(Model& model, Optimizer& optimizer, Objective& objective, const FitConfig& fit, FitData& data,
         FitState& state, const std::vector<Callback*>& callbacks, const std::atomic<bool>* stop) {
  const std::vector<std::string> names = objective.names();
  const std::size_t train_samples = data.train_samples;
  const auto batch_size = static_cast<std::size_t>(fit.batch_size);
  const TrainInfo info{train_samples, data.val_indices.size(), state.next_epoch, static_cast<int>(fit.epochs)};
  for (auto* c : callbacks) c->on_train_begin(info);

  std::vector<std::uint32_t> order(train_samples);
  Matrix x, y, d_output;
  std::vector<double> means;
  MeanAccumulator totals;
  Logs running = named(names, std::vector<double>(names.size(), 0.0));  // reused: no allocation per step
  Rng dropout_rng;
  // Pixel 0 (blank) is the background of the input images.
  const ForwardContext training{
      .training = true, .dropout_rng = &dropout_rng, .input_background = data.source.scale[0]};
  std::span<float> params(model.params()), grads(model.grads());

  for (int epoch = state.next_epoch; epoch < fit.epochs; ++epoch) {
    for (auto* c : callbacks) c->on_epoch_begin(epoch);
    epoch_order(state.seed, epoch, fit.shuffle, order);
    std::size_t first_batch = 0;
    if (state.next_batch > 0) {  // resuming inside this epoch
      first_batch = state.next_batch;
      totals.restore(state.epoch_sums, state.epoch_count);
      dropout_rng.set_state(state.dropout_rng);
    } else {
      totals.reset(objective.size());
      dropout_rng = Rng::stream(epoch_seed(state.seed, epoch), dropout_stream);
    }

    const std::size_t batches = (train_samples + batch_size - 1) / batch_size;
    for (std::size_t b = first_batch; b < batches; ++b) {
      if (stop && stop->load()) {
        state.next_epoch = epoch;
        state.next_batch = b;
        state.epoch_sums = totals.sums();
        state.epoch_count = totals.count();
        state.dropout_rng = dropout_rng.state();
        return false;
      }
      const std::size_t start = b * batch_size;
      const auto batch = std::span<const std::uint32_t>(order).subspan(start, std::min(batch_size, train_samples - start));
      gather_batch(*data.source.data, batch, data.source.scale, data.source.classes, x, y);

      // The reported values come from the same step as the update: pre-update
      // weights, training mode (dropout on), as Keras's train function returns them.
      const Matrix& output = model.forward(x, training);
      objective.batch_means(output, y, means);
      means[0] += model.penalty();
      if (!std::isfinite(means[0]))
        throw RuntimeError("", fmt::format("Batch {}: Invalid loss ({}), terminating training in epoch {}", b,
                                           means[0], epoch + 1));
      objective.gradient(output, y, d_output);
      if (const auto rate = optimizer.descent_rate()) {
        model.backward_descend(x, d_output, *rate);
        optimizer.skip_step();
      } else {
        model.backward(x, d_output);
        optimizer.step(params, grads);
      }

      totals.add(means, batch.size());
      for (std::size_t k = 0; k < running.size(); ++k) running[k].second = totals.mean(k);
      for (auto* c : callbacks) c->on_batch_end(totals.count(), running);
    }

    Logs logs = named(names, totals.means());
    if (!data.val_indices.empty()) {
      // Keras validates at the training batch size; larger batches give the same
      // sample-weighted means (up to float rounding) with far fewer calls.
      const auto val = evaluate(model, objective, data.source, data.val_indices, std::max(batch_size, validation_batch));
      const Logs val_logs = named(names, val, "val_");
      logs.insert(logs.end(), val_logs.begin(), val_logs.end());
    }
    state.history.push_back(logs);
    state.next_epoch = epoch + 1;
    state.next_batch = 0;
    state.epoch_sums.clear();
    state.epoch_count = 0;
    state.dropout_rng = {};
    for (auto* c : callbacks) c->on_epoch_end(epoch, logs);
  }
  for (auto* c : callbacks) c->on_train_end();
  return true;
}

}  // namespace mlp
