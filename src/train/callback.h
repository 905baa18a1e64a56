// The fit loop only emits events; callbacks average the metrics, record the
// history, stop on NaN, print, log and checkpoint, and may stop training, as in
// keras@2.2.4:keras/callbacks.py and keras/engine/training_arrays.py. A new
// callback is one new file: a class deriving from Callback.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace mlp {

class Model;
class Optimizer;

// Named values in Keras's order: loss, metrics, then val_loss, val_metrics.
using Logs = std::vector<std::pair<std::string, double>>;

// logs[name], or null when the logs do not hold it.
inline const double* find_log(const Logs& logs, const std::string& name) {
  for (const auto& entry : logs)
    if (entry.first == name) return &entry.second;
  return nullptr;
}

// logs[name] = value, as Keras's callbacks set a key of their logs dict: a
// second setter (ReduceLROnPlateau and LearningRateScheduler both log lr)
// replaces the value.
inline void set_log(Logs& logs, const std::string& name, double value) {
  for (auto& entry : logs)
    if (entry.first == name) {
      entry.second = value;
      return;
    }
  logs.emplace_back(name, value);
}

struct TrainInfo {
  std::size_t train_samples = 0;
  std::size_t val_samples = 0;
  int first_epoch = 0;  // 0-based: the first epoch this run trains (resuming, or fit.initial_epoch)
  int epochs = 0;       // the final epoch's number
  // The logs of the epochs a resumed run finished before (the last of them
  // first_epoch - 1); never null inside fit().
  const std::vector<Logs>* earlier_epochs = nullptr;

  // The number of the first of earlier_epochs (initial_epoch, for a run that began there).
  int first_logged_epoch() const {
    return first_epoch - (earlier_epochs ? static_cast<int>(earlier_epochs->size()) : 0);
  }
};

// What one training step reports. `size` and `values` ([loss, metric...] means
// over the batch) come from the step; BaseLogger, first in every fit, adds the
// epoch's sample-weighted running means so far.
struct BatchLogs {
  std::size_t size = 0;
  std::span<const double> values;
  std::size_t seen = 0;           // samples so far this epoch, this batch's included
  const Logs* running = nullptr;  // their [loss, metric...] means so far
};

// What a callback may reach and steer, as Keras's callback.model: the model, its
// optimizer, and the flag that ends fit() (after the current batch: that epoch
// ends without validation, as in Keras).
struct FitControl {
  Model* model = nullptr;
  Optimizer* optimizer = nullptr;
  bool stop_training = false;
};

// What a callback of fit.callbacks keeps across a checkpoint so that a resumed
// run decides as the whole run would: plain values, and a copy of the model's
// weights when it holds one (EarlyStopping's best).
struct CallbackState {
  std::string type;                // its fit.callbacks type, checked on resuming
  nlohmann::json values = nullptr;
  std::vector<float> weights;
};

class Callback {
 public:
  virtual ~Callback() = default;
  void set_control(FitControl* control) { control_ = control; }

  // Its state for a checkpoint, and that state given back before a resumed run's
  // on_train_begin (which then goes on from it). load_state throws a message
  // (std::invalid_argument) for values it cannot take.
  virtual CallbackState save_state() const { return {}; }
  virtual void load_state(const CallbackState& /*state*/) {}

  // The names it adds to every epoch's logs (lr), for the callbacks after it
  // that name a logged value.
  virtual std::vector<std::string> added_logs() const { return {}; }

  virtual void on_train_begin(const TrainInfo&) {}
  virtual void on_epoch_begin(int /*epoch (0-based)*/) {}
  virtual void on_batch_begin(std::size_t /*batch (0-based, in its epoch)*/) {}
  virtual void on_batch_end(std::size_t /*batch (0-based, in its epoch)*/, BatchLogs& /*logs*/) {}
  // `logs` holds the epoch's means (BaseLogger puts them first) and the
  // validation values; a callback may add its own, as Keras's do.
  virtual void on_epoch_end(int /*epoch*/, Logs& /*logs*/) {}
  virtual void on_train_end() {}

 protected:
  FitControl* control_ = nullptr;  // set before on_train_begin
};

// Calls each event on every callback, in order.
class CallbackList {
 public:
  CallbackList(std::vector<Callback*> callbacks, FitControl& control) : callbacks_(std::move(callbacks)) {
    for (auto* c : callbacks_) c->set_control(&control);
  }
  void on_train_begin(const TrainInfo& info) {
    for (auto* c : callbacks_) c->on_train_begin(info);
  }
  void on_epoch_begin(int epoch) {
    for (auto* c : callbacks_) c->on_epoch_begin(epoch);
  }
  void on_batch_begin(std::size_t batch) {
    for (auto* c : callbacks_) c->on_batch_begin(batch);
  }
  void on_batch_end(std::size_t batch, BatchLogs& logs) {
    for (auto* c : callbacks_) c->on_batch_end(batch, logs);
  }
  void on_epoch_end(int epoch, Logs& logs) {
    for (auto* c : callbacks_) c->on_epoch_end(epoch, logs);
  }
  void on_train_end() {
    for (auto* c : callbacks_) c->on_train_end();
  }

 private:
  std::vector<Callback*> callbacks_;
};

}  // namespace mlp
