// Keras's History (keras@2.2.4:keras/callbacks.py l.239-256): every epoch's logs,
// kept in the FitState so that the model file and a checkpoint carry them. Keras
// runs it last; fit() runs it before the callbacks it is given, so that a
// checkpoint written at an epoch's end already holds that epoch.
#pragma once

#include "train/callback.h"
#include "train/fit_state.h"

namespace mlp {

class History : public Callback {
 public:
  explicit History(FitState& state) : state_(state) {}
  void on_epoch_end(int, Logs& logs) override { state_.history.push_back(logs); }

 private:
  FitState& state_;
};

}  // namespace mlp
