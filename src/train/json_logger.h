// mlp-train --json-log: one JSON object per epoch and line, for scripts:
//   {"epoch": 0, "loss": 0.0635, "acc": 0.5526, "val_loss": ..., "lr": 0.01, "seconds": 14.2}
// "epoch" is 0-based as in the CSV log; then every logged value in Keras's
// order, as float32's shortest text like the CSV log (null when not finite,
// which JSON cannot write); "lr", the learning rate the epoch ended with, when a
// callback did not log it; "seconds", the epoch's wall time (null for the
// epochs a resumed run finished before). Like the CSV log, the whole file is
// rewritten atomically at each epoch's end and keeps a resumed run's epochs.
#pragma once

#include <string>
#include <vector>

#include "train/callback.h"

namespace mlp {

class JsonLogger : public Callback {
 public:
  explicit JsonLogger(std::string path) : path_(std::move(path)) {}
  void on_train_begin(const TrainInfo& info) override;
  void on_epoch_begin(int epoch) override;
  void on_epoch_end(int epoch, Logs& logs) override;

  // One epoch's line (with its "\n"); `seconds` below 0 writes null.
  static std::string line(int epoch, const Logs& logs, double learning_rate, double seconds);

 private:
  std::string path_;
  std::string text_;
  double start_ = 0.0;
};

}  // namespace mlp
