// The fit loop only emits events; reporting (progress lines, CSV, history) are
// callbacks, as in keras@2.2.4:keras/callbacks.py.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace mlp {

// Named values in Keras's order: loss, metrics, then val_loss, val_metrics.
using Logs = std::vector<std::pair<std::string, double>>;

struct TrainInfo {
  std::size_t train_samples = 0;
  std::size_t val_samples = 0;
  int first_epoch = 0;  // 0-based; above 0 when resuming
  int epochs = 0;       // the final epoch's number
};

class Callback {
 public:
  virtual ~Callback() = default;
  virtual void on_train_begin(const TrainInfo&) {}
  virtual void on_epoch_begin(int /*epoch (0-based)*/) {}
  // `seen` samples so far this epoch; `running` = sample-weighted means so far.
  virtual void on_batch_end(std::size_t /*seen*/, const Logs& /*running*/) {}
  virtual void on_epoch_end(int /*epoch*/, const Logs& /*epoch_logs*/) {}
  virtual void on_train_end() {}
};

}  // namespace mlp
