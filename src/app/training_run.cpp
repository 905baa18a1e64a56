#include "app/training_run.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <numeric>
#include <random>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "config/config.h"
#include "core/clock.h"
#include "core/collective.h"
#include "core/error.h"
#include "core/machine.h"
#include "core/output_file.h"
#include "core/strings.h"
#include "app/report_page.h"
#include "data/load_data.h"
#include "io/saved_model.h"
#include "report/summary.h"
#include "train/callback_table.h"
#include "train/csv_logger.h"
#include "train/early_stopping.h"
#include "train/gradient_buckets.h"
#include "train/json_logger.h"
#include "train/progbar_logger.h"
#include "train/train_step.h"
#include "train/trainer.h"
#include "report/keras_format.h"

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

// ModelCheckpoint's saves. A ModelCheckpoint decides in its place among
// fit.callbacks (it sees what the callbacks before it logged), and the file is
// written here, after the epoch's History and callback states: it holds the
// whole state of the run at that epoch's end, so a run can resume from it.
class ModelSaves : public Callback {
 public:
  ModelSaves(const Compiled& compiled, const FitState& state, std::vector<OutputFile> fixed_outputs,
             std::vector<std::string> inputs)
      : compiled_(compiled), state_(state), fixed_(std::move(fixed_outputs)), inputs_(std::move(inputs)) {}
  void request(const std::string& path) { pending_.push_back(path); }
  void on_epoch_end(int, Logs&) override {
    for (const auto& path : pending_) {
      // A fixed filepath was checked with the run's outputs before training; one
      // filled from the logs is checked as every output is, now that it is known.
      const bool checked = std::any_of(fixed_.begin(), fixed_.end(), [&](const OutputFile& o) {
        return o.path == path && o.flag.ends_with(".filepath");
      });
      std::vector<OutputFile> outputs = fixed_;
      outputs.push_back({"ModelCheckpoint's filepath", path});
      try {
        if (!checked) check_outputs(outputs, inputs_);
      } catch (const Error& e) {
        spdlog::warn("ModelCheckpoint: not saved: {}", e.describe());
        continue;
      }
      save_model_file(path, to_model_file(compiled_, state_));
      spdlog::info("ModelCheckpoint: model saved to {}", path);
    }
    pending_.clear();
  }

 private:
  const Compiled& compiled_;
  const FitState& state_;
  std::vector<OutputFile> fixed_;
  std::vector<std::string> inputs_;
  std::vector<std::string> pending_;
};

// Gives fit.callbacks the states a checkpoint kept, checking they belong to them.
void resume_callbacks(const std::vector<std::unique_ptr<Callback>>& callbacks, const FitState& state,
                      const Config& config, std::size_t weights, const std::string& path) {
  for (std::size_t i = 0; i < state.callbacks.size() && i < callbacks.size(); ++i) {
    const CallbackState& saved = state.callbacks[i];
    const std::string type = config.fit.callbacks[i]["type"].get<std::string>();
    // A callback without state (CSVLogger, TerminateOnNaN) saves none, typeless.
    if (to_lower(saved.type) != to_lower(callbacks[i]->save_state().type))
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
  explicit EpochTimer(const Collective& team) : team_(team) {}
  void on_epoch_begin(int) override {
    start_ = seconds_now();
    reduced_ = team_.reduce_seconds();
  }
  void on_epoch_end(int epoch, Logs&) override {
    const double took = seconds_now() - start_;
    if (!team_.distributed()) {
      spdlog::info("epoch {} took {:.4f} s", epoch + 1, took);
      return;
    }
    const double reduce = team_.reduce_seconds() - reduced_;
    spdlog::info("epoch {} took {:.4f} s: {:.4f} s computing, {:.4f} s in allreduce (efficiency {:.2f})", epoch + 1, took,
                 took - reduce, reduce, took > 0 ? (took - reduce) / took : 1.0);
  }

 private:
  const Collective& team_;
  double start_ = 0.0, reduced_ = 0.0;
};

// The run's files: what it reads, and what it writes whose path is known
// before training (ModelCheckpoint paths filled from the logs are checked at
// each save).
struct RunFiles {
  std::vector<std::string> inputs;
  std::vector<OutputFile> outputs;
};

RunFiles run_files(const TrainRequest& request, const std::string& output, const Config& config) {
  RunFiles files;
  if (!request.config_path.empty()) files.inputs.push_back(request.config_path);
  for (const auto& data : {config.data.train, config.data.test, config.fit.validation_data})
    if (data)
      for (const auto& file : data->files()) files.inputs.push_back(file);
  files.outputs = {{"--output", output}};
  if (!request.csv_log_path.empty()) files.outputs.push_back({"--csv-log", request.csv_log_path});
  if (!request.json_log_path.empty()) files.outputs.push_back({"--json-log", request.json_log_path});
  if (!request.report_path.empty()) files.outputs.push_back({"--report", request.report_path});
  if (!request.checkpoint_path.empty()) files.outputs.push_back({"--checkpoint", request.checkpoint_path});
  const Json& callbacks = config.fit.callbacks;
  for (std::size_t i = 0; i < callbacks.size(); ++i) {
    const std::string type = to_lower(callbacks[i]["type"].get<std::string>());
    const char* key = type == "csvlogger" ? "filename" : type == "modelcheckpoint" ? "filepath" : nullptr;
    if (!key || !callbacks[i].contains(key)) continue;
    const std::string path = callbacks[i][key].get<std::string>();
    const std::string flag = index_path("fit.callbacks", i) + "." + key;
    // Only ModelCheckpoint fills its path from the logs.
    if (type == "csvlogger" || path.find('{') == std::string::npos) {
      files.outputs.push_back({flag, path});
      continue;
    }
    // A path filled from the logs: its folder, when fixed, must exist and be writable now.
    const std::filesystem::path folder = std::filesystem::path(path).parent_path();
    if (folder.string().find('{') != std::string::npos) continue;
    std::error_code error;
    if (!std::filesystem::is_directory(folder, error) || ::access(folder.c_str(), W_OK) != 0)
      throw Error(ExitCode::usage, path, "", flag + " needs the folder " + folder.string() + " to exist and be writable");
  }
  return files;
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
  const auto weights = [](const Config& c) { return c.to_json()["fit"].value("class_weight", Json(nullptr)).dump(); };
  if (weights(config) != weights(saved)) refuse("fit.class_weight", weights(saved), weights(config));
}

// fit.class_weight as a weight per label (Keras's standardize_weights,
// keras@2.2.4:keras/engine/training_utils.py): every class in the training
// labels needs one. "balanced" gives class c n / (k * n_c) over the k classes
// present, as scikit-learn's compute_class_weight does.
std::vector<float> class_weights(const FitConfig& fit, const Dataset& train, std::size_t classes,
                                 const std::string& config_file) {
  if (!fit.balanced_class_weight && fit.class_weight.empty()) return {};
  std::vector<std::size_t> counts(std::max<std::size_t>(classes, 2), 0);
  for (const auto label : train.labels) ++counts[label];
  std::vector<float> weights(counts.size(), 1.0f);
  if (fit.balanced_class_weight) {
    const auto present = static_cast<double>(std::count_if(counts.begin(), counts.end(), [](auto n) { return n > 0; }));
    for (std::size_t c = 0; c < counts.size(); ++c)
      if (counts[c]) weights[c] = static_cast<float>(static_cast<double>(train.size()) / (present * static_cast<double>(counts[c])));
    return weights;
  }
  std::vector<bool> given(counts.size(), false);
  for (const auto& [label, weight] : fit.class_weight) {
    weights[static_cast<std::size_t>(label)] = static_cast<float>(weight);
    given[static_cast<std::size_t>(label)] = true;
  }
  std::vector<std::size_t> missing;
  for (std::size_t c = 0; c < counts.size(); ++c)
    if (counts[c] && !given[c]) missing.push_back(c);
  if (!missing.empty())
    throw Error(ExitCode::usage, config_file, "fit.class_weight",
                fmt::format("must contain all classes in the data: classes {} are in {} but not in class_weight",
                            fmt::join(missing, ", "), train.targets_path));
  return weights;
}

// The data a run trains and validates on; `fit` points into the datasets.
struct TrainingData {
  Dataset train;
  std::optional<Dataset> validation;  // fit.validation_data's set
  FitData fit;
};

void load_training_data(const Config& config, Compiled& compiled, const std::string& config_file, TrainingData& data) {
  const FitConfig& fit = config.fit;
  data.train = load_data(*config.data.train, config.model.input_shape, compiled.target_needs());
  // Text classes are numbered as the training data has them (or as the resumed model did).
  if (!data.train.class_names.empty()) compiled.class_names = data.train.class_names;
  if (compiled.regression && (fit.balanced_class_weight || !fit.class_weight.empty()))
    throw Error(ExitCode::usage, config_file, "fit.class_weight", "weighs classes, and this is a regression model");
  FitData& fit_data = data.fit;
  const std::optional<DataSpec>& files = fit.validate_on_test ? config.data.test : fit.validation_data;
  if (files) {
    // Keras's validation_data replaces validation_split; its loss is not class-weighted.
    if (fit.validation_split > 0.0)
      spdlog::warn("fit.validation_split {} is not used: fit.validation_data replaces it", fit.validation_split);
    data.validation = load_data(*files, config.model.input_shape, compiled.target_needs());
    fit_data.train_samples = data.train.size();
    fit_data.val_indices.resize(data.validation->size());
    std::iota(fit_data.val_indices.begin(), fit_data.val_indices.end(), 0u);
  } else {
    const std::size_t split = validation_split_at(data.train.size(), fit.validation_split);
    if (split == 0)
      throw Error(ExitCode::usage, config_file, "fit.validation_split",
                  "leaves no training samples out of " + std::to_string(data.train.size()));
    fit_data.train_samples = split;
    for (std::size_t i = split; i < data.train.size(); ++i) fit_data.val_indices.push_back(static_cast<std::uint32_t>(i));
  }
  // input_range is for bytes: a model trained on numbers takes numbers as they are.
  compiled.preprocessing.byte_inputs = !data.train.bytes.empty();
  // data.normalize is fitted on the training split alone (a resumed run keeps the statistics it had).
  if (!compiled.preprocessing.normalize.empty() && compiled.preprocessing.shift.empty()) {
    std::vector<std::uint32_t> rows(fit_data.train_samples);
    std::iota(rows.begin(), rows.end(), 0u);
    fit_normalization(data.train, rows, compiled.preprocessing);
  }
  fit_data.source = {&data.train, compiled.preprocessing.scaling(), compiled.classes(),
                     compiled.regression ? std::vector<float>{} : class_weights(fit, data.train, compiled.classes(), config_file)};
  if (files) {
    fit_data.validation = {&*data.validation, compiled.preprocessing.scaling(), compiled.classes(), {}};
  } else {
    // Keras slices the class weights with the samples: the split's loss is weighted.
    fit_data.validation = fit_data.source;
  }
  check_batch_memory(*compiled.model,
                     std::min<std::size_t>(static_cast<std::size_t>(fit.batch_size), fit_data.train_samples),
                     config_file);
}

std::string mebibytes(double bytes) {
  if (bytes < (1 << 20)) return fmt::format("{:.1f} KiB", bytes / (1 << 10));
  if (bytes < (1 << 30)) return fmt::format("{:.1f} MiB", bytes / (1 << 20));
  return fmt::format("{:.2f} GiB", bytes / (1 << 30));
}

// mlp-train --dry-run, after the summary: what training will need and take.
// The time comes from a few real training steps (on this process's copy of the
// model; nothing is saved) and a timed validation batch.
void report_dry_run(Compiled& compiled, const Config& config, TrainingData& data, std::ostream& out) {
  Model& model = *compiled.model;
  const FitData& fit = data.fit;
  const auto batch = std::min<std::size_t>(static_cast<std::size_t>(config.fit.batch_size), fit.train_samples);
  double slots = 0;
  for (const auto& slot : compiled.optimizer->slots()) slots += static_cast<double>(slot.size());
  const double weights = 4.0 * static_cast<double>(model.params().size());
  const double gradients = 4.0 * static_cast<double>(model.trainable_count());
  const double buffers = 4.0 * static_cast<double>(batch) * static_cast<double>(model.workspace_floats_per_sample());
  double dataset = 0;
  for (const Dataset* d : {&data.train, data.validation ? &*data.validation : nullptr})
    if (d)
      dataset += static_cast<double>(d->bytes.size() + 4 * (d->values.size() + d->labels.size() + d->targets.size()));

  // Two steps to warm up, then steps until a second has passed (at most 50).
  TrainStep step(model, *compiled.optimizer, *compiled.objective);
  std::vector<std::uint32_t> order(fit.train_samples);
  epoch_order(1, 0, true, order);
  Matrix x, y;
  std::vector<double> means;
  std::vector<float> sample_weights;
  Rng rng = Rng::stream(1, 3);
  const auto steps_total = (fit.train_samples + batch - 1) / batch;
  double step_seconds = 0;
  int timed = 0;
  for (int s = 0; s < 52 && (timed < 3 || step_seconds < 1.0); ++s) {
    const std::size_t first = static_cast<std::size_t>(s) % steps_total * batch;
    const auto indices = std::span<const std::uint32_t>(order).subspan(first, std::min(batch, fit.train_samples - first));
    gather_batch(data.train, indices, fit.source.scale, fit.source.classes, x, y);
    const double start = seconds_now();
    step.run(x, y, rng, means, fit.source.weights_of(indices, sample_weights));
    if (s >= 2) {
      step_seconds += seconds_now() - start;
      ++timed;
    }
  }
  const double per_step = step_seconds / timed;
  double validation = 0;
  if (!fit.val_indices.empty()) {
    const auto sample = std::span<const std::uint32_t>(fit.val_indices).first(std::min<std::size_t>(fit.val_indices.size(), 1024));
    (void)evaluate(model, *compiled.objective, fit.validation, sample, sample.size());  // warm-up
    const double start = seconds_now();
    (void)evaluate(model, *compiled.objective, fit.validation, sample, sample.size());
    validation = (seconds_now() - start) * static_cast<double>(fit.val_indices.size()) / static_cast<double>(sample.size());
  }
  const double epoch = per_step * static_cast<double>(steps_total) + validation;
  const int epochs = static_cast<int>(config.fit.epochs - config.fit.initial_epoch);

  out << "Dry run: the config and the data are valid; nothing is trained or written.\n";
  if (fit.val_indices.empty()) out << fmt::format("Train on {} samples\n", fit.train_samples);
  else out << fmt::format("Train on {} samples, validate on {} samples\n", fit.train_samples, fit.val_indices.size());
  out << fmt::format("Parameters: {} ({} trainable)\n", thousands(static_cast<std::int64_t>(model.params().size())),
                     thousands(static_cast<std::int64_t>(model.trainable_count())));
  out << fmt::format("Memory: about {} (weights {}, gradients {}, optimizer state {}, batch buffers {}, data {})\n",
                     mebibytes(weights + gradients + 4.0 * slots + buffers + dataset), mebibytes(weights),
                     mebibytes(gradients), mebibytes(4.0 * slots), mebibytes(buffers), mebibytes(dataset));
  out << fmt::format("Time: about {:.1f} s per epoch, {:.1f} s for {} epoch{} ({} steps of {} at {:.2f} ms, timed over "
                     "{} steps; validation {:.1f} s)\n",
                     epoch, epoch * epochs, epochs, epochs == 1 ? "" : "s", steps_total, batch, per_step * 1e3, timed,
                     validation);
}

// The line a data-parallel run ends with: where rank 0's time went (computing,
// or inside the gradient and value reductions, waiting for the slowest rank and
// the transfer), and the efficiency that implies against one process doing all
// the computing: compute / (compute + reductions).
void report_scaling(const Collective& team, double seconds) {
  if (!team.leader()) return;
  const double reduce = team.reduce_seconds(), compute = seconds - reduce;
  std::cerr << fmt::format("mlp-train: {} ranks: {:.2f} s training, {:.2f} s computing, {:.2f} s in allreduce; "
                           "scaling efficiency {:.2f} (of {} times one process's throughput)\n",
                           team.size(), seconds, compute, reduce, seconds > 0 ? compute / seconds : 1.0, team.size());
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

  Collective& team = Collective::world();
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
  const RunFiles files = run_files(request, output, config);
  check_outputs(files.outputs, files.inputs);

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
    // What the first run learnt of its data: the class names, data.normalize's statistics.
    compiled.class_names = resumed->compiled.class_names;
    if (compiled.preprocessing.normalize == resumed->compiled.preprocessing.normalize) {
      compiled.preprocessing.shift = resumed->compiled.preprocessing.shift;
      compiled.preprocessing.scale = resumed->compiled.preprocessing.scale;
    }
    check_resumable(compiled, *resumed, config, request.resume_path);
    state = resumed->state;
    if (state.next_epoch >= config.fit.epochs)
      spdlog::warn("{} already finished epoch {} of fit.epochs {}: nothing left to train (raise --epochs to go on)",
                   request.resume_path, state.next_epoch, config.fit.epochs);
  } else {
    // One seed for every rank: the same initial weights and the same batches everywhere.
    state.seed = team.broadcast(config.seed ? *config.seed : std::random_device{}());
    state.next_epoch = static_cast<int>(config.fit.initial_epoch);
    Rng init_rng = Rng::stream(state.seed, 1);
    compiled.model->init_params(init_rng);
  }
  spdlog::info("seed {}", state.seed);

  TrainingData data;
  load_training_data(config, compiled, config_file, data);
  FitData& fit_data = data.fit;
  fit_data.team = &team;
  if (team.distributed()) {
    std::vector<std::size_t> sizes;
    for (const auto& [begin, end] : plan_buckets(compiled.model->layer_param_ranges())) sizes.push_back(end - begin);
    spdlog::info("{} ranks; the gradients are summed in {} bucket(s) of {} floats, each started when the backward "
                 "pass has written it", team.size(), sizes.size(), fmt::join(sizes, ", "));
  }

  print_summary(*compiled.model, out);
  out.flush();
  if (request.dry_run) {
    report_dry_run(compiled, config, data, out);
    return TrainOutcome::finished;
  }

  ProgbarLogger progbar(out, config.fit.verbose, request.stdout_is_terminal);
  EpochTimer timer(team);
  std::vector<Callback*> callbacks{&timer, &progbar};
  ModelSaves model_saves(compiled, state, files.outputs, files.inputs);
  // fit.callbacks follow the progress lines, as in Keras, and may add to the logs
  // (lr) that the history, the CSV log and the checkpoint then keep.
  CallbackEnv env;
  env.out = &out;
  env.log_names = epoch_log_names(*compiled.objective, config.fit);
  // Rank 0 alone writes: the other ranks decide as it does, and keep quiet.
  env.writes_files = team.leader();
  env.save_model = [&model_saves, &team](const std::string& path) {
    if (team.leader()) model_saves.request(path);
  };
  const auto configured = make_callbacks(config.fit.callbacks, env);
  if (resumed) resume_callbacks(configured, state, config, compiled.model->params().size(), request.resume_path);
  for (const auto& c : configured) callbacks.push_back(c.get());
  CallbackStateRecorder recorder(configured, state);
  std::vector<Callback*> writers{&recorder, &model_saves};
  const bool writes = team.leader();
  std::optional<CsvLogger> csv;
  if (writes && !request.csv_log_path.empty()) writers.push_back(&csv.emplace(request.csv_log_path));
  std::optional<JsonLogger> json_log;
  if (writes && !request.json_log_path.empty()) writers.push_back(&json_log.emplace(request.json_log_path));
  std::optional<CheckpointWriter> checkpoint;
  if (writes && !request.checkpoint_path.empty())
    writers.push_back(&checkpoint.emplace(request.checkpoint_path, compiled, state));
  // The report evaluates on the config's test set, when it names one.
  std::optional<Dataset> report_data;
  std::optional<ReportWriter> report;
  if (writes && !request.report_path.empty()) {
    ReportData source;
    if (const auto& test = config.data.test) {
      report_data = load_data(*test, config.model.input_shape, compiled.target_needs());
      source = {&*report_data, test->features_file()};
    }
    writers.push_back(&report.emplace(request.report_path, output, compiled, state, source));
  }

  bool finished = false;
  if (request.training_starts) request.training_starts();
  const double fit_start = seconds_now();
  try {
    finished = fit(*compiled.model, *compiled.optimizer, *compiled.objective, config.fit, fit_data, state, callbacks,
                   &stop, writers);
  } catch (Error& e) {
    if (e.file().empty()) e.set_file(config_file);  // a diverging loss belongs to the run's config
    throw;
  }
  if (team.distributed()) report_scaling(team, seconds_now() - fit_start);
  if (!writes) return finished ? TrainOutcome::finished : TrainOutcome::stopped;
  if (!finished) {
    out.flush();
    if (!request.checkpoint_path.empty()) {
      save_model_file(request.checkpoint_path, to_model_file(compiled, state));
      spdlog::warn("stopped in epoch {}; checkpoint saved to {} (continue with --resume {})", state.next_epoch + 1,
                   request.checkpoint_path, request.checkpoint_path);
    } else {
      spdlog::warn("stopped in epoch {}; no --checkpoint given, no checkpoint saved", state.next_epoch + 1);
    }
    // Beyond Keras: EarlyStopping's restore_best_weights holds however training
    // ends. The checkpoint keeps where the run was; the model file gets the best.
    for (const auto& c : configured)
      if (auto* early = dynamic_cast<EarlyStopping*>(c.get()); early && early->restore_on_interrupt(*compiled.model)) {
        save_model_file(output, to_model_file(compiled, state));
        spdlog::warn("model with the weights of the best epoch saved to {}", output);
        break;
      }
    if (report) report->write();
    return TrainOutcome::stopped;
  }
  save_model_file(output, to_model_file(compiled, state));
  spdlog::info("model saved to {}", output);
  // Once more at the end: EarlyStopping may have restored the best epoch's weights.
  if (report) report->write();
  return TrainOutcome::finished;
}

}  // namespace mlp
