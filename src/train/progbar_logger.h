// Keras 2.2.4's console output of fit(): "Epoch k/N", then per epoch either the
// verbose 2 line " - 14s - loss: ..." or the verbose 1 progress bar
// (keras/utils/generic_utils.py Progbar, keras/callbacks.py ProgbarLogger).
#pragma once

#include <functional>
#include <ostream>

#include "train/callback.h"

namespace mlp {

class ProgbarLogger : public Callback {
 public:
  using Clock = std::function<double()>;  // seconds; injectable for tests (default: seconds_now)

  // `dynamic`: stdout is a terminal, so the bar is redrawn in place with \b and \r;
  // otherwise every update is a line of its own, as Keras does it.
  ProgbarLogger(std::ostream& out, int verbose, bool dynamic, Clock clock = {});

  void on_train_begin(const TrainInfo& info) override;
  void on_epoch_begin(int epoch) override;
  void on_batch_end(std::size_t batch, BatchLogs& logs) override;
  // The bar after `seen` samples with these running means (what on_batch_end draws).
  void update(std::size_t seen, const Logs& running);
  void on_epoch_end(int epoch, Logs& logs) override;

 private:
  void draw(std::size_t current, const Logs& values, bool finished);

  std::ostream& out_;
  int verbose_;
  bool dynamic_;
  Clock clock_;
  std::size_t target_ = 0;
  int epochs_ = 0;
  double start_ = 0.0;
  double last_update_ = 0.0;
  std::size_t total_width_ = 0;
  std::size_t seen_ = 0;
};

}  // namespace mlp
