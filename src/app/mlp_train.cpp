// mlp-train: trains the model a config describes, prints Keras's lines, saves it.
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <iostream>

#include "app/cli_common.h"
#include "core/error.h"
#include "app/training_run.h"

namespace {

std::atomic<bool> stop_requested{false};
volatile std::sig_atomic_t stop_signal = 0;

extern "C" void on_stop_signal(int signal) {
  stop_signal = signal;
  stop_requested.store(true);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Train a Keras-style model from a JSON config and save it."};
  mlp::CommonOptions common;
  mlp::TrainRequest request;
  std::optional<long long> epochs, batch_size, seed;
  std::optional<int> verbose;
  mlp::add_common_options(app, common);
  auto* config = app.add_option("--config", request.config_path, "The model config (JSON)");
  app.add_option("-o,--output", request.output_path, "Model file to write (default: NAME.mlp here)");
  app.add_option("--epochs", epochs, "Overrides fit.epochs");
  app.add_option("--batch-size", batch_size, "Overrides fit.batch_size");
  app.add_option("--verbose", verbose, "0: silent, 1: progress bar, 2: one line per epoch")->check(CLI::Range(0, 2));
  app.add_option("--seed", seed, "Overrides seed");
  app.add_option("--data-dir", request.data_dir, "Folder with the four MNIST-named IDX files (.gz allowed)");
  app.add_option("--set", request.overrides, "PATH=JSON: set any config key (repeatable)")->take_all();
  app.add_option("--csv-log", request.csv_log_path, "Write Keras CSVLogger rows here");
  app.add_option("--checkpoint", request.checkpoint_path, "Save a checkpoint here after every epoch");
  auto* resume = app.add_option("--resume", request.resume_path, "Continue from this checkpoint");
  app.footer("Exit codes: 0 done, 1 failed while training, 2 bad usage/config/data, 130/143 stopped by a signal.");

  return mlp::run_main("mlp-train", app, argc, argv, [&] {
    if (!*config && !*resume) throw mlp::Error(mlp::ExitCode::usage, "", "", "--config FILE (or --resume FILE) is required");
    mlp::apply_common_options(common);
    // Flags override --set, which overrides the file.
    if (epochs) request.overrides.push_back("fit.epochs=" + std::to_string(*epochs));
    if (batch_size) request.overrides.push_back("fit.batch_size=" + std::to_string(*batch_size));
    if (verbose) request.overrides.push_back("fit.verbose=" + std::to_string(*verbose));
    if (seed) request.overrides.push_back("seed=" + std::to_string(*seed));
    request.stdout_is_terminal = ::isatty(STDOUT_FILENO) == 1;
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGTERM, on_stop_signal);
    const auto outcome = mlp::run_training(request, std::cout, stop_requested);
    if (outcome == mlp::TrainOutcome::stopped) return 128 + static_cast<int>(stop_signal);
    return 0;
  });
}
