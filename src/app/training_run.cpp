#include "app/training_run.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "config/config.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/machine.h"
#include "core/output_file.h"
#include "core/strings.h"
#include "io/saved_model.h"
#include "report/summary.h"
#include "train/callback_table.h"
#include "train/csv_logger.h"
#include "train/progbar_logger.h"
#include "train/trainer.h"

namespace mlp {
namespace {

// Saves the model with the run's state after every epoch (--checkpoint), except
// after an epoch whose loss or metrics diverged (NaN or infinite): its weights
// are no state to resume from, and the last good checkpoint stays.
// fit.callbacks' states, taken after every epoch (the last callback before the
// checkpoint), so that a checkpoint written at an epoch's end or inside the next
// one holds them as of that epoch's end.
class CallbackStateRecorder : public Callback {
 public:
  CallbackStateRecorder(const std::vector<std::unique_ptr<Callback>>& callbacks, FitState& state)
      : callbacks_(callbacks), state_(state) {}
  void on_epoch_end(int, Logs&) override {
    state_.callbacks.clear();
    for (const auto& c : callbacks_) state_.callbacks.push_back(c->save_state());
  }

 private:
  const std::vector<std::unique_ptr<Callback>>& callbacks_;
  FitState& state_;
};

class CheckpointWriter : public Callback {
 public:
  CheckpointWriter(std::string path, const Compiled& compiled, const FitState& state)
      : path_(std::move(path)), compiled_(compiled), state_(state) {}
  void on_epoch_end(int epoch, Logs& logs) override {
    for (const auto& [name, value] : logs)
      if (!std::isfinite(value)) {
        spdlog::warn("epoch {}: {} is {}; {} keeps the last checkpoint whose values were finite", epoch + 1, name,
                     value, path_);
        return;
      }
    save_model_file(path_, to_model_file(compiled_, state_));
  }

 private:
  std::string path_;
  const Compiled& compiled_;
  const FitState& state_;
};

// Gives fit.callbacks the states a checkpoint kept, checking they belong to them.
void resume_callbacks(const std::vector<std::unique_ptr<Callback>>& callbacks, const FitState& state,
                      const Config& config, std::size_t weights, const std::string& path) {
  for (std::size_t i = 0; i < state.callbacks.size() && i < callbacks.size(); ++i) {
    const CallbackState& saved = state.callbacks[i];
    const std::string type = config.fit.callbacks[i]["type"].get<std::string>();
    if (to_lower(saved.type) != to_lower(type))
      throw DataError(path, fmt::format("fit.callbacks[{}] is {} in the checkpoint and {} in the config", i,
                                        saved.type.empty() ? "stateless" : saved.type, type));
    if (!saved.weights.empty() && saved.weights.size() != weights)
      throw DataError(path, fmt::format("fit.callbacks[{}]: holds {} weights for a model of {}", i,
                                        saved.weights.size(), weights));
    try {
      callbacks[i]->load_state(saved);
    } catch (const std::invalid_argument& e) {
      throw DataError(path, fmt::format("damaged header: fit.callbacks[{}]: {}", i, e.what()));
    }
  }
}

Config read_config(const TrainRequest& request, const LoadedModel* resumed) {
  Config config;
  if (!request.config_path.empty()) {
    config = load_config(request.config_path, request.overrides);
  } else {
    // The checkpoint's own config, with the overrides applied to it.
    Json root = resumed->compiled.config.to_json();
    try {
      for (const auto& assignment : request.overrides) apply_override(root, assignment);
      config = parse_config(root, "");
    } catch (Error& e) {
      e.set_file(request.resume_path);
      throw;
    }
  }
  if (!request.data_dir.empty()) use_data_dir(config, request.data_dir);
  return config;
}

// Refuses a batch whose buffers would not fit in memory, before training starts.
void check_batch_memory(const Model& model, std::size_t batch, const std::string& config_file) {
  const double bytes = static_cast<double>(batch) * static_cast<double>(model.workspace_floats_per_sample()) * 4.0;
  const MemoryBound memory = memory_bound();
  if (memory.bytes > 0 && bytes > memory.bytes / 2)
    throw Error(ExitCode::usage, config_file, "fit.batch_size",
                fmt::format("a batch of {} samples needs {:.1f} GiB for this model's buffers, more than half of {} "
                            "({:.1f} GiB); use a smaller batch",
                            batch, bytes / (1 << 30), memory.what, memory.bytes / (1 << 30)));
}

// Logs each epoch's wall time (training and validation) at info level, with the
// precision Keras's " - 14s" lacks; scripts/bench.sh reads these lines.
class EpochTimer : public Callback {
 public:
  void on_epoch_begin(int) override { start_ = seconds_now(); }
  void on_epoch_end(int epoch, Logs&) override {
    spdlog::info("epoch {} took {:.4f} s", epoch + 1, seconds_now() - start_);
  }

 private:
  double start_ = 0.0;
};

// The run's outputs against each other and against its inputs: the config and
// the data files. The checkpoint being resumed may be written again (-o or
// --checkpoint): it is read whole before training, and a run goes on that way.
void check_run_outputs(const TrainRequest& request, const std::string& output, const Config& config) {
  std::vector<std::string> inputs;
  if (!request.config_path.empty()) inputs.push_back(request.config_path);
  for (const auto& files : {config.data.train, config.data.test})
    if (files) inputs.insert(inputs.end(), {files->images, files->labels});
  std::vector<OutputFile> outputs{{"--output", output}};
  if (!request.csv_log_path.empty()) outputs.push_back({"--csv-log", request.csv_log_path});
  if (!request.checkpoint_path.empty()) outputs.push_back({"--checkpoint", request.checkpoint_path});
  check_outputs(outputs, inputs);
}

// What a checkpoint fixes about the run that goes on from it: its seed, and when
// it was taken inside an epoch, what produced that epoch's order and partial sums
// (the loss and metrics, the batch size, the split, the shuffling). Refuses
// what the resumed run could not honour.
void check_resumable(const Compiled& compiled, const LoadedModel& resumed, const Config& config,
                     const std::string& path) {
  const FitState& state = resumed.state;
  if (config.seed && *config.seed != state.seed)
    throw DataError(path, fmt::format("continues a run with seed {}; seed {} cannot be honoured on resuming (leave "
                                      "it out, or start a new run)",
                                      state.seed, *config.seed));
  if (state.next_batch == 0) return;
  const Config& saved = resumed.compiled.config;
  const auto refuse = [&](const std::string& what, const std::string& was, const std::string& now) {
    throw DataError(path, fmt::format("was taken inside epoch {}, which ran with {} {}; it cannot go on with {} (resume "
                                      "with the same, or from a checkpoint taken at an epoch's end)",
                                      state.next_epoch + 1, what, was, now));
  };
  const auto names = [](const Objective& o) { return fmt::format("{}", fmt::join(o.names(), ", ")); };
  if (compiled.objective->names() != resumed.compiled.objective->names() ||
      compiled.config.compile.loss != saved.compile.loss)
    refuse("loss and metrics", saved.compile.loss + " (" + names(*resumed.compiled.objective) + ")",
           compiled.config.compile.loss + " (" + names(*compiled.objective) + ")");
  if (config.fit.batch_size != saved.fit.batch_size)
    refuse("fit.batch_size", std::to_string(saved.fit.batch_size), std::to_string(config.fit.batch_size));
  if (config.fit.validation_split != saved.fit.validation_split)
    refuse("fit.validation_split", fmt::format("{}", saved.fit.validation_split),
           fmt::format("{}", config.fit.validation_split));
  if (config.fit.shuffle != saved.fit.shuffle)
    refuse("fit.shuffle", saved.fit.shuffle ? "true" : "false", config.fit.shuffle ? "true" : "false");
}

std::string default_output(const Config& config) {
  const std::string name = std::filesystem::path(config.name).filename().string();
  return (name.empty() ? std::string("model") : name) + ".mlp";
}

}  // namespace

TrainOutcome run_training(const TrainRequest& request, std::ostream& out, const std::atomic<bool>& stop) {
  std::optional<LoadedModel> resumed;
  if (!request.resume_path.empty()) resumed = load_saved_model(request.resume_path);
  const Config config = read_config(request, resumed ? &*resumed : nullptr);
  const std::string config_file = request.config_path.empty() ? request.resume_path : request.config_path;

  Compiled compiled;
  try {
    compiled = compile(config);
    if (!config.data.train)
      throw ConfigError("data.train", "missing: training needs images and labels (or --data-dir)");
  } catch (Error& e) {
    if (e.file().empty()) e.set_file(config_file);
    throw;
  }

  const std::string output = request.output_path.empty() ? default_output(config) : request.output_path;
  check_run_outputs(request, output, config);

  FitState state;
  if (resumed) {
    Model& model = *compiled.model;
    const auto& mine = model.param_slices();
    const auto& theirs = resumed->compiled.model->param_slices();
    const bool same = mine.size() == theirs.size() &&
                      std::equal(mine.begin(), mine.end(), theirs.begin(), [](const ParamSlice& a, const ParamSlice& b) {
                        return a.layer == b.layer && a.name == b.name && a.shape == b.shape &&
                               a.trainable == b.trainable;
                      });
    if (!same) throw DataError(request.resume_path, "the checkpoint's model does not match the config's architecture");
    model.params() = resumed->compiled.model->params();
    if (compiled.optimizer->slot_names() != resumed->compiled.optimizer->slot_names())
      throw DataError(request.resume_path, "the checkpoint's optimizer does not match the config's");
    compiled.optimizer->slots() = resumed->compiled.optimizer->slots();
    compiled.optimizer->set_iterations(resumed->compiled.optimizer->iterations());
    check_resumable(compiled, *resumed, config, request.resume_path);
    state = resumed->state;
    if (state.next_epoch >= config.fit.epochs)
      spdlog::warn("{} already finished epoch {} of fit.epochs {}: nothing left to train (raise --epochs to go on)",
                   request.resume_path, state.next_epoch, config.fit.epochs);
  } else {
    state.seed = config.seed ? *config.seed : std::random_device{}();
    Rng init_rng = Rng::stream(state.seed, 1);
    compiled.model->init_params(init_rng);
  }
  spdlog::info("seed {}", state.seed);

  const Dataset data = load_dataset(config.data.train->images, config.data.train->labels, config.model.input_shape,
                                    compiled.classes());
  const std::size_t split = validation_split_at(data.size(), config.fit.validation_split);
  if (split == 0)
    throw Error(ExitCode::usage, config_file, "fit.validation_split",
                "leaves no training samples out of " + std::to_string(data.size()));
  check_batch_memory(*compiled.model, std::min<std::size_t>(static_cast<std::size_t>(config.fit.batch_size), split),
                     config_file);
  FitData fit_data;
  fit_data.source = {&data, compiled.preprocessing.table(), compiled.classes()};
  fit_data.train_samples = split;
  for (std::size_t i = split; i < data.size(); ++i) fit_data.val_indices.push_back(static_cast<std::uint32_t>(i));

  print_summary(*compiled.model, out);
  out.flush();

  ProgbarLogger progbar(out, config.fit.verbose, request.stdout_is_terminal);
  EpochTimer timer;
  std::vector<Callback*> callbacks{&timer, &progbar};
  // fit.callbacks follow the progress lines, as in Keras, and may add to the logs
  // (lr) that the history, the CSV log and the checkpoint then keep.
  const auto configured = make_callbacks(config.fit.callbacks, {&out});
  if (resumed) resume_callbacks(configured, state, config, compiled.model->params().size(), request.resume_path);
  for (const auto& c : configured) callbacks.push_back(c.get());
  CallbackStateRecorder recorder(configured, state);
  std::vector<Callback*> writers{&recorder};
  std::optional<CsvLogger> csv;
  if (!request.csv_log_path.empty()) writers.push_back(&csv.emplace(request.csv_log_path, state.history));
  std::optional<CheckpointWriter> checkpoint;
  if (!request.checkpoint_path.empty()) writers.push_back(&checkpoint.emplace(request.checkpoint_path, compiled, state));

  bool finished = false;
  if (request.training_starts) request.training_starts();
  try {
    finished = fit(*compiled.model, *compiled.optimizer, *compiled.objective, config.fit, fit_data, state, callbacks,
                   &stop, writers);
  } catch (Error& e) {
    if (e.file().empty()) e.set_file(config_file);  // a diverging loss belongs to the run's config
    throw;
  }
  if (!finished) {
    out.flush();
    if (!request.checkpoint_path.empty()) {
      save_model_file(request.checkpoint_path, to_model_file(compiled, state));
      spdlog::warn("stopped in epoch {}; checkpoint saved to {} (continue with --resume {})", state.next_epoch + 1,
                   request.checkpoint_path, request.checkpoint_path);
    } else {
      spdlog::warn("stopped in epoch {}; no --checkpoint given, nothing saved", state.next_epoch + 1);
    }
    return TrainOutcome::stopped;
  }
  save_model_file(output, to_model_file(compiled, state));
  spdlog::info("model saved to {}", output);
  return TrainOutcome::finished;
}

}  // namespace mlp
