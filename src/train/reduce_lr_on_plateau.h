// ReduceLROnPlateau (keras@2.2.4:keras/callbacks.py l.1042-1137): multiplies the
// learning rate by `factor` (not below min_lr) when the monitored value has not
// improved by more than min_delta for `patience` epochs, then waits `cooldown`
// epochs before counting again. It adds the learning rate to every epoch's logs
// as `lr` (so the history and the CSV log hold it) and, at verbose > 0, prints
// Keras's "\nEpoch 00005: ReduceLROnPlateau reducing learning rate to 0.0001."
#pragma once

#include <ostream>
#include <string>

#include "train/callback.h"

namespace mlp {

class ReduceLROnPlateau : public Callback {
 public:
  struct Options {
    std::string monitor = "val_loss";
    double factor = 0.1;
    int patience = 10;
    int verbose = 0;
    std::string mode = "auto";
    double min_delta = 1e-4;
    int cooldown = 0;
    double min_lr = 0.0;
  };
  ReduceLROnPlateau(Options options, std::ostream* out);

  void on_train_begin(const TrainInfo& info) override;
  void on_epoch_end(int epoch, Logs& logs) override;
  CallbackState save_state() const override;
  void load_state(const CallbackState& state) override;
  std::vector<std::string> added_logs() const override { return {"lr"}; }

  int wait() const { return wait_; }
  int cooldown_counter() const { return cooldown_counter_; }

 private:
  bool improved(double current) const;

  Options options_;
  std::ostream* out_;
  bool maximize_ = false;
  int wait_ = 0, cooldown_counter_ = 0;
  double best_ = 0.0;
  double resumed_learning_rate_ = 0.0;
  bool resumed_ = false;
};

}  // namespace mlp
