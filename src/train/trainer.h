// fit(): Keras 2.2.4's training loop (keras/engine/training_arrays.py fit_loop).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <vector>

#include "config/config.h"
#include "core/rng.h"
#include "nn/model.h"
#include "nn/optimizers/optimizer.h"
#include "train/callback.h"
#include "train/evaluate.h"

namespace mlp {

// Where a run is: with the weights and the optimizer state it is all a checkpoint
// needs to resume exactly, even from inside an epoch.
struct FitState {
  std::uint64_t seed = 0;
  int next_epoch = 0;            // 0-based
  std::size_t next_batch = 0;    // above 0 when the run stopped inside next_epoch
  std::vector<double> epoch_sums;  // that epoch's totals so far (MeanAccumulator)
  std::size_t epoch_count = 0;
  std::array<std::uint64_t, 4> dropout_rng{};
  std::vector<Logs> history;     // one entry per finished epoch
};

struct FitData {
  BatchSource source;
  std::size_t train_samples = 0;           // samples [0, train_samples) train
  std::vector<std::uint32_t> val_indices;  // the last fraction, never shuffled
};

// Keras's split: split_at = int(N * (1 - validation_split)); the first split_at
// samples train, the rest validate (keras@2.2.4:keras/engine/training.py l.978-999).
std::size_t validation_split_at(std::size_t samples, double validation_split);

// Epoch e's order of the training samples. Keras shuffles one index array in place
// every epoch; drawing each epoch's permutation from (seed, e) gives permutations
// with the same distribution and lets a run resume without storing the array.
void epoch_order(std::uint64_t seed, int epoch, bool shuffle, std::vector<std::uint32_t>& order);

// Runs the batches from (state.next_epoch, state.next_batch) to the end of epoch
// fit.epochs - 1. Returns false, with `state` pointing at the next step, when
// `stop` became true between two steps; true when every epoch ran.
bool fit(Model& model, Optimizer& optimizer, Objective& objective, const FitConfig& fit, FitData& data,
         FitState& state, const std::vector<Callback*>& callbacks, const std::atomic<bool>* stop = nullptr);

}  // namespace mlp
