// Keras's BaseLogger (keras@2.2.4:keras/callbacks.py l.199-236): the epoch's
// sample-weighted means of the loss and metrics, each batch weighing by its
// size. First in every fit: it gives later callbacks the running means in
// on_batch_end and puts the epoch's means first in on_epoch_end's logs. Its
// totals live in the FitState, so a checkpoint taken inside an epoch resumes them.
#pragma once

#include <string>
#include <vector>

#include "train/callback.h"
#include "train/fit_state.h"

namespace mlp {

class BaseLogger : public Callback {
 public:
  BaseLogger(const std::vector<std::string>& names, FitState& state) : state_(state) {
    for (const auto& name : names) running_.emplace_back(name, 0.0);
  }

  void on_epoch_begin(int) override {
    if (state_.next_batch > 0) return;  // resuming inside this epoch: its totals so far are saved
    state_.epoch_sums.assign(running_.size(), 0.0);
    state_.epoch_count = 0;
  }

  void on_batch_end(std::size_t, BatchLogs& logs) override {
    state_.epoch_count += logs.size;
    for (std::size_t k = 0; k < running_.size(); ++k) {
      state_.epoch_sums[k] += logs.values[k] * static_cast<double>(logs.size);
      running_[k].second = state_.epoch_sums[k] / static_cast<double>(state_.epoch_count);
    }
    logs.seen = state_.epoch_count;
    logs.running = &running_;
  }

  void on_epoch_end(int, Logs& logs) override {
    Logs means = running_;
    for (std::size_t k = 0; k < means.size(); ++k)
      means[k].second = state_.epoch_count ? state_.epoch_sums[k] / static_cast<double>(state_.epoch_count) : 0.0;
    logs.insert(logs.begin(), means.begin(), means.end());
    state_.epoch_sums.clear();  // the epoch is over: nothing left to resume inside it
    state_.epoch_count = 0;
  }

 private:
  FitState& state_;
  Logs running_;  // names with the running means; reused, so no step allocates
};

}  // namespace mlp
