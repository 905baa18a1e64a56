// Keras's TerminateOnNaN (keras@2.2.4:keras/callbacks.py l.259-274): a loss that
// is NaN or infinite ends training. Keras prints "Batch N: Invalid loss,
// terminating training" and stops; mlp stops with that line as its error (exit 1)
// and saves nothing, since the weights the step left are not finite.
#pragma once

#include <cmath>

#include <fmt/format.h>

#include "core/error.h"
#include "train/callback.h"

namespace mlp {

class TerminateOnNaN : public Callback {
 public:
  void on_epoch_begin(int epoch) override { epoch_ = epoch; }
  void on_batch_end(std::size_t batch, BatchLogs& logs) override {
    const double loss = logs.values[0];
    if (!std::isfinite(loss))
      throw RuntimeError("", fmt::format("Batch {}: Invalid loss ({}), terminating training in epoch {}", batch, loss,
                                         epoch_ + 1));
  }

 private:
  int epoch_ = 0;
};

}  // namespace mlp
