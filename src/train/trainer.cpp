#include "train/trainer.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "train/base_logger.h"
#include "train/history.h"
#include "train/terminate_on_nan.h"
#include "train/train_step.h"

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
         FitState& state, const std::vector<Callback*>& callbacks, const std::atomic<bool>* stop,
         const std::vector<Callback*>& after_history) {
  const std::vector<std::string> names = objective.names();
  // Keras runs [BaseLogger, ProgbarLogger] + callbacks + [History]: the history
  // records what the callbacks added (ReduceLROnPlateau's lr). Then come the
  // writers that save the history.
  BaseLogger base_logger(names, state);
  TerminateOnNaN terminate_on_nan;
  History history(state);
  std::vector<Callback*> all{&base_logger, &terminate_on_nan};
  all.insert(all.end(), callbacks.begin(), callbacks.end());
  all.push_back(&history);
  all.insert(all.end(), after_history.begin(), after_history.end());
  FitControl control{&model, &optimizer};
  CallbackList events(std::move(all), control);

  const std::size_t train_samples = data.train_samples;
  const auto batch_size = static_cast<std::size_t>(fit.batch_size);
  const std::size_t batches = (train_samples + batch_size - 1) / batch_size;
  events.on_train_begin(
      {train_samples, data.val_indices.size(), state.next_epoch, static_cast<int>(fit.epochs), &state.history});

  TrainStep step(model, optimizer, objective);
  std::vector<std::uint32_t> order(train_samples);
  Matrix x, y;
  std::vector<double> means;
  std::vector<float> weights, batch_weights;
  Rng dropout_rng;
  Collective* team = data.team && data.team->distributed() ? data.team : nullptr;
  const int rank = team ? team->rank() : 0;
  // Rank r trains on rows [n r / N, n (r + 1) / N) of each batch of n.
  const auto mine = [&](std::span<const std::uint32_t> samples) {
    const auto [begin, end] = team->share(samples.size());
    return samples.subspan(begin, end - begin);
  };
  for (int epoch = state.next_epoch; epoch < fit.epochs && !control.stop_training; ++epoch) {
    const std::size_t first_batch = state.next_batch;  // above 0: resuming inside this epoch
    events.on_epoch_begin(epoch);
    epoch_order(state.seed, epoch, fit.shuffle, order);
    // Each rank draws its rows' dropout masks from a stream of its own. Rank 0's
    // is a lone process's, one per epoch, its state kept in the checkpoint; the
    // others start theirs anew at every batch, so that a run resumed inside an
    // epoch draws what the uninterrupted run drew without their states saved.
    const std::uint64_t stream = dropout_stream + static_cast<std::uint64_t>(rank) * 0x100;
    if (rank == 0 && first_batch > 0) dropout_rng.set_state(state.dropout_rng);
    else if (rank == 0) dropout_rng = Rng::stream(epoch_seed(state.seed, epoch), stream);

    std::size_t b = first_batch;
    for (; b < batches && !control.stop_training; ++b) {
      // Every rank stops at the same step (a signal reaches them at different times).
      if (stop && (team ? team->any(stop->load()) : stop->load())) {
        state.next_epoch = epoch;
        state.next_batch = b;
        state.dropout_rng = dropout_rng.state();
        return false;
      }
      const std::size_t start = b * batch_size;
      const auto batch = std::span<const std::uint32_t>(order).subspan(start, std::min(batch_size, train_samples - start));
      events.on_batch_begin(b);
      if (!team) {
        gather_batch(*data.source.data, batch, data.source.scale, data.source.classes, x, y);
        step.run(x, y, dropout_rng, means, data.source.weights_of(batch, weights));
      } else {
        const auto rows = mine(batch);
        if (rank > 0) dropout_rng = Rng::stream(epoch_seed(state.seed, epoch) + b, stream);
        gather_batch(*data.source.data, rows, data.source.scale, data.source.classes, x, y);
        const auto local = data.source.weights_of(rows, weights);
        BatchShare share{team, static_cast<double>(rows.size()) / static_cast<double>(batch.size()),
                         static_cast<double>(rows.size()) / static_cast<double>(batch.size())};
        if (!local.empty()) {
          // A class-weighted loss is a mean over the weighted rows of the whole batch.
          const auto whole = data.source.weights_of(batch, batch_weights);
          const auto weighted = [](std::span<const float> w) {
            return static_cast<double>(std::count_if(w.begin(), w.end(), [](float v) { return v != 0.0f; }));
          };
          const double total = weighted(whole);
          share.loss_share = total > 0 ? weighted(local) / total : 0.0;
        }
        step.run(x, y, dropout_rng, means, local, nullptr, &share);
      }
      BatchLogs batch_logs{.size = batch.size(), .values = means};
      events.on_batch_end(b, batch_logs);
    }

    // As in Keras, validation follows an epoch's last batch only: an epoch that a
    // callback ended early has none.
    Logs logs;
    if (b == batches && !data.val_indices.empty()) {
      // Keras validates at the training batch size; larger batches give the same
      // sample-weighted means (up to float rounding) with far fewer calls, as
      // long as their buffers stay small. A class-weighted loss is normalized
      // per batch, so it keeps Keras's batches.
      const std::size_t val_batch = data.validation.class_weights.empty()
                                        ? std::max(batch_size, inference_batch(model, validation_batch))
                                        : batch_size;
      const std::vector<double> val = team ? evaluate_shared(*team, model, objective, data.validation, data.val_indices, val_batch)
                                           : evaluate(model, objective, data.validation, data.val_indices, val_batch);
      for (std::size_t k = 0; k < names.size(); ++k) logs.emplace_back("val_" + names[k], val[k]);
    }
    state.next_epoch = epoch + 1;
    state.next_batch = 0;
    state.dropout_rng = {};
    events.on_epoch_end(epoch, logs);
  }
  events.on_train_end();
  return true;
}

}  // namespace mlp
