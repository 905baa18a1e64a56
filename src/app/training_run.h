// mlp-train's whole job behind its flags: config -> model -> data -> summary ->
// fit -> model file, with checkpoints, resume and a clean stop on a signal.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace mlp {

struct TrainRequest {
  std::string config_path;            // may be empty with resume_path
  std::vector<std::string> overrides;  // "PATH=JSON", applied in order
  std::string data_dir;
  std::string output_path;  // empty: NAME.mlp in the current folder
  std::string csv_log_path;
  std::string json_log_path;
  std::string report_path;  // the HTML report, rewritten after every epoch
  bool dry_run = false;  // check, load, summarize, time a few steps; train and write nothing
  std::string checkpoint_path;
  std::string resume_path;
  bool stdout_is_terminal = false;
  std::function<void()> training_starts;  // called (when set) just before the first step
};

enum class TrainOutcome { finished, stopped };

// Prints the Keras-style lines to `out`. Returns `stopped` when `stop` became true.
TrainOutcome run_training(const TrainRequest& request, std::ostream& out, const std::atomic<bool>& stop);

}  // namespace mlp
