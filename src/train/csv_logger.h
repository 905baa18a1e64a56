// Keras's CSVLogger (keras@2.2.4:keras/callbacks.py l.1138-1225): a header
// "epoch,<sorted log keys>", one row per epoch with the 0-based epoch, CRLF line
// ends (Python's csv excel dialect). The whole file is rewritten atomically at
// each epoch's end, so it is never torn; rows of earlier epochs come from the
// history, so a resumed run keeps them.
#pragma once

#include <string>
#include <vector>

#include "train/callback.h"

namespace mlp {

class CsvLogger : public Callback {
 public:
  CsvLogger(std::string path, std::vector<Logs> earlier_epochs);
  void on_epoch_end(int epoch, Logs& logs) override;

  static std::string render(const std::vector<Logs>& epochs);

 private:
  std::string path_;
  std::vector<Logs> epochs_;
};

}  // namespace mlp
