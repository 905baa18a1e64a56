// EarlyStopping (keras@2.2.4:keras/callbacks.py l.458-556): stops training when
// the monitored value has not improved by more than min_delta for `patience`
// epochs. mode "auto" maximizes a monitor whose name holds "acc" and minimizes
// any other; `baseline` is the value to beat from the start. At verbose > 0 it
// prints Keras's "Epoch 00007: early stopping" when training ends (for a stop
// after the first epoch, as Keras's test is stopped_epoch > 0).
//
// restore_best_weights: Keras 2.2.4 restores the best epoch's weights only when
// patience runs out (keras-team/keras#12511); here they are also restored when
// the last epoch ends without being the best, and stderr says which epoch's they are.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "train/callback.h"

namespace mlp {

class EarlyStopping : public Callback {
 public:
  struct Options {
    std::string monitor = "val_loss";
    double min_delta = 0.0;
    int patience = 0;
    int verbose = 0;
    std::string mode = "auto";  // "auto", "min" or "max"
    std::optional<double> baseline;
    bool restore_best_weights = false;
  };
  EarlyStopping(Options options, std::ostream* out);

  void on_train_begin(const TrainInfo& info) override;
  void on_epoch_end(int epoch, Logs& logs) override;
  void on_train_end() override;
  // A run stopped by a signal, after fit() returned: with restore_best_weights,
  // puts the best epoch's weights into `model` (its current ones are mid-epoch)
  // and says so; false when it holds none.
  bool restore_on_interrupt(Model& model);
  CallbackState save_state() const override;
  void load_state(const CallbackState& state) override;

  int wait() const { return wait_; }
  double best() const { return best_; }
  int stopped_epoch() const { return stopped_epoch_; }
  int best_epoch() const { return best_epoch_; }  // 0-based, -1 before any improvement

 private:
  bool improved(double current) const;
  void restore_best(Model& model);

  Options options_;
  std::ostream* out_;
  bool maximize_ = false;
  int wait_ = 0, stopped_epoch_ = 0, best_epoch_ = -1, last_epoch_ = -1;
  double best_ = 0.0;
  std::vector<float> best_weights_;
  bool restored_ = false;
  bool resumed_ = false;  // load_state ran: on_train_begin goes on from it
};

}  // namespace mlp
