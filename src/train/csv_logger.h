// Keras's CSVLogger (keras@2.2.4:keras/callbacks.py l.1138-1225), both as
// fit.callbacks' CSVLogger and as mlp-train --csv-log: a header
// "epoch<sep><sorted log keys>", one row per epoch with its 0-based number,
// CRLF line ends (Python's csv excel dialect), NA for a key an epoch lacks.
// The whole file is rewritten atomically at each epoch's end, so it is never
// torn. Without append, the rows of a resumed run's earlier epochs come from its
// history, so the file reads as the whole run's; with append, the file's
// earlier text is kept and only this run's epochs follow it (a header only when
// the file was empty), as Keras's append mode writes.
#pragma once

#include <string>
#include <vector>

#include "train/callback.h"

namespace mlp {

class CsvLogger : public Callback {
 public:
  explicit CsvLogger(std::string path, std::string separator = ",", bool append = false);
  void on_train_begin(const TrainInfo& info) override;
  void on_epoch_end(int epoch, Logs& logs) override;

  // The rows of `epochs`, the first numbered `first_epoch`, after a header line when `header`.
  static std::string render(const std::vector<Logs>& epochs, int first_epoch = 0, const std::string& separator = ",",
                            bool header = true);

 private:
  std::string path_, separator_;
  bool append_;
  std::string kept_;  // append: the file as it was when training began
  std::vector<Logs> epochs_;
  int first_epoch_ = 0;
};

}  // namespace mlp
