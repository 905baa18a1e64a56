// ModelCheckpoint (keras@2.2.4:keras/callbacks.py l.366-453): every `period`
// epochs, saves the model to filepath filled with the epoch and its logs; with
// save_best_only, only when the monitored value improved on the best so far.
// At verbose > 0 it prints Keras's lines:
//   "\nEpoch 00003: val_loss improved from 0.04480 to 0.02670, saving model to PATH"
//   "\nEpoch 00004: val_loss did not improve from 0.02670"
//   "\nEpoch 00005: saving model to PATH"
// The file is the whole model file (as Keras's model.save; save_weights_only
// changes nothing, since weights mean nothing without their config), written
// atomically with the run's state, so mlp-eval reads it and a run can resume
// from it.
#pragma once

#include <functional>
#include <ostream>
#include <string>

#include "train/callback.h"
#include "train/filepath_template.h"

namespace mlp {

class ModelCheckpoint : public Callback {
 public:
  struct Options {
    std::string filepath;
    std::string monitor = "val_loss";
    int verbose = 0;
    bool save_best_only = false;
    bool save_weights_only = false;
    std::string mode = "auto";
    int period = 1;
  };
  using SaveModel = std::function<void(const std::string& path)>;
  ModelCheckpoint(Options options, std::ostream* out, SaveModel save);

  void on_train_begin(const TrainInfo& info) override;
  void on_epoch_end(int epoch, Logs& logs) override;
  CallbackState save_state() const override;
  void load_state(const CallbackState& state) override;

 private:
  void save(const std::string& path);

  Options options_;
  FilepathTemplate filepath_;
  std::ostream* out_;
  SaveModel save_;
  bool maximize_ = false;
  double best_ = 0.0;
  int epochs_since_last_save_ = 0;
  bool resumed_ = false;
};

}  // namespace mlp
