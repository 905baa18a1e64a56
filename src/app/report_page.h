// The HTML report's content gathered from a model: its summary and resolved
// config, its history, its weights, and, given data, an evaluation (loss and
// metrics, confusion matrix, per-class scores, the most confident mistakes).
// mlp-report writes the page once; mlp-train --report after every epoch
// (ReportWriter), so that reloading it in a browser shows a long run's progress.
#pragma once

#include <string>

#include "data/dataset.h"
#include "train/callback.h"
#include "train/compiled.h"
#include "train/fit_state.h"

namespace mlp {

struct ReportData {
  const Dataset* data = nullptr;  // null: no evaluation; without labels: the predicted classes only
  std::string name;               // how the user named it ("data/mnist/t10k-images-idx3-ubyte")
};

// The page (report/html_report.h) of `compiled` as `state` leaves it. `title`
// names the model (its file). The model runs in inference mode over the data.
std::string report_page(Compiled& compiled, const FitState& state, const std::string& title, const ReportData& data);

// mlp-train --report FILE: rewrites the page (atomically) after every epoch.
class ReportWriter : public Callback {
 public:
  ReportWriter(std::string path, std::string title, Compiled& compiled, const FitState& state, ReportData data)
      : path_(std::move(path)), title_(std::move(title)), compiled_(compiled), state_(state), data_(std::move(data)) {}
  void on_epoch_end(int, Logs&) override { write(); }
  void write() const;

 private:
  std::string path_, title_;
  Compiled& compiled_;
  const FitState& state_;
  ReportData data_;
};

}  // namespace mlp
