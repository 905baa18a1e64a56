// fit(): Keras 2.2.4's training loop (keras/engine/training_arrays.py fit_loop).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <vector>

#include "config/config.h"
#include "core/collective.h"
#include "core/rng.h"
#include "nn/model.h"
#include "nn/optimizers/optimizer.h"
#include "train/callback.h"
#include "train/fit_state.h"
#include "train/evaluate.h"

namespace mlp {

struct FitData {
  BatchSource source;
  std::size_t train_samples = 0;           // samples [0, train_samples) train
  BatchSource validation;                  // the split's source, or fit.validation_data's
  std::vector<std::uint32_t> val_indices;  // its samples, never shuffled
  // The ranks of a data-parallel run: each trains on its share of every batch
  // and validates on its share of the samples (null: this process alone).
  Collective* team = nullptr;
};

// Keras's split: split_at = int(N * (1 - validation_split)); the first split_at
// samples train, the rest validate (keras@2.2.4:keras/engine/training.py l.978-999).
std::size_t validation_split_at(std::size_t samples, double validation_split);

// Epoch e's order of the training samples. Keras shuffles one index array in place
// every epoch; drawing each epoch's permutation from (seed, e) gives permutations
// with the same distribution and lets a run resume without storing the array.
void epoch_order(std::uint64_t seed, int epoch, bool shuffle, std::vector<std::uint32_t>& order);

// Runs the batches from (state.next_epoch, state.next_batch) to the end of epoch
// fit.epochs - 1, or until a callback sets FitControl::stop_training. The
// callbacks run after fit's own BaseLogger and TerminateOnNaN and before its
// History; `after_history` (what saves the history) after it. Returns false,
// with `state` pointing at the next step, when `stop` became true between two
// steps (a signal); true otherwise.
bool fit(Model& model, Optimizer& optimizer, Objective& objective, const FitConfig& fit, FitData& data,
         FitState& state, const std::vector<Callback*>& callbacks, const std::atomic<bool>* stop = nullptr,
         const std::vector<Callback*>& after_history = {});

}  // namespace mlp
