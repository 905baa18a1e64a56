// mlp-train: trains the model a config describes, prints Keras's lines, saves it.
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <iostream>

#include "app/cli_common.h"
#include "core/collective.h"
#include "core/error.h"
#include "app/training_run.h"

namespace {

std::atomic<bool> stop_requested{false};
std::atomic<bool> training_started{false};
volatile std::sig_atomic_t stop_signal = 0;

// Once training runs, SIGINT and SIGTERM ask it to stop after the current step
// (and to write the checkpoint). Before that (a long load, a config that is a
// FIFO nobody writes to) there is nothing to finish or save: the signal ends the
// process at once, as if it had no handler.
extern "C" void on_stop_signal(int signal) {
  if (!training_started.load()) {
    std::signal(signal, SIG_DFL);
    std::raise(signal);
    return;
  }
  stop_signal = signal;
  stop_requested.store(true);
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  mlp::Flags flags("Train a Keras-style model from a JSON config and save it.");
  mlp::CommonOptions common;
  mlp::TrainRequest request;
  std::optional<long long> epochs, batch_size, seed;
  std::optional<int> verbose;
  mlp::add_common_options(flags, common);
  auto config = flags.text("--config", request.config_path, "The model config (JSON)");
  flags.text("-o,--output", request.output_path, "Model file to write (default: NAME.mlp here)");
  flags.integer("--epochs", epochs, "Overrides fit.epochs");
  flags.integer("--batch-size", batch_size, "Overrides fit.batch_size");
  flags.integer("--verbose", verbose, 0, 2, "0: silent, 1: progress bar, 2: one line per epoch");
  flags.integer("--seed", seed, "Overrides seed");
  flags.text("--data-dir", request.data_dir, "Folder with the four MNIST-named IDX files (.gz allowed)");
  flags.texts("--set", request.overrides, "PATH=JSON: set any config key (repeatable)");
  flags.text("--csv-log", request.csv_log_path, "Write Keras CSVLogger rows here");
  flags.text("--json-log", request.json_log_path, "Write one JSON object per epoch here (JSON Lines)");
  flags.text("--report", request.report_path, "Write the HTML report here after every epoch and at the end");
  flags.flag("--dry-run", request.dry_run, "Check the config and data, print the summary, memory and time estimate; train nothing");
  flags.text("--checkpoint", request.checkpoint_path, "Save a checkpoint here after every epoch");
  auto resume = flags.text("--resume", request.resume_path, "Continue from this checkpoint");
  flags.footer("Exit codes: 0 done, 1 failed while training, 2 bad usage/config/data, 130/143 stopped by a signal.");

  return mlp::run_main("mlp-train", flags, argc, argv, [&] {
    if (!config.given() && !resume.given()) throw mlp::Error(mlp::ExitCode::usage, "", "", "--config FILE (or --resume FILE) is required");
    mlp::apply_common_options(common);
    // Flags override --set, which overrides the file.
    if (epochs) request.overrides.push_back("fit.epochs=" + std::to_string(*epochs));
    if (batch_size) request.overrides.push_back("fit.batch_size=" + std::to_string(*batch_size));
    if (verbose) request.overrides.push_back("fit.verbose=" + std::to_string(*verbose));
    if (seed) request.overrides.push_back("seed=" + std::to_string(*seed));
    request.stdout_is_terminal = ::isatty(STDOUT_FILENO) == 1;
    request.training_starts = [] { training_started.store(true); };
    // Under mpirun, rank 0 prints the Keras lines; the others train in silence.
    std::ostream nowhere(nullptr);
    const bool leader = mlp::Collective::world().leader();
    const auto outcome = mlp::run_training(request, leader ? std::cout : nowhere, stop_requested);
    if (outcome == mlp::TrainOutcome::stopped) return 128 + static_cast<int>(stop_signal);
    return 0;
  });
}
