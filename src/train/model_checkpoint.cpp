#include "train/model_checkpoint.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "config/json_reader.h"
#include "core/error.h"
#include "train/callback_table.h"
#include "train/monitor.h"

namespace mlp {

ModelCheckpoint::ModelCheckpoint(Options options, std::ostream* out, SaveModel save)
    : options_(std::move(options)), filepath_(options_.filepath), out_(out), save_(std::move(save)) {
  maximize_ = monitor_maximizes(options_.mode, options_.monitor);
}

void ModelCheckpoint::on_train_begin(const TrainInfo&) {
  if (resumed_) return;
  const double inf = std::numeric_limits<double>::infinity();
  best_ = maximize_ ? -inf : inf;
  epochs_since_last_save_ = 0;
}

void ModelCheckpoint::save(const std::string& path) {
  if (save_) save_(path);
}

void ModelCheckpoint::on_epoch_end(int epoch, Logs& logs) {
  if (++epochs_since_last_save_ < options_.period) return;
  epochs_since_last_save_ = 0;
  std::string missing;
  const auto path = filepath_.render(epoch + 1, logs, missing);
  if (!path) {
    // Keras's format() would raise a KeyError here (an epoch a callback ended before validation).
    spdlog::warn("ModelCheckpoint: epoch {}'s logs hold no `{}` for the filepath {}; not saved", epoch + 1, missing,
                 options_.filepath);
    return;
  }
  const bool talk = options_.verbose > 0 && out_;
  if (!options_.save_best_only) {
    if (talk) *out_ << fmt::format("\nEpoch {:05d}: saving model to {}\n", epoch + 1, *path);
    save(*path);
    return;
  }
  const double* monitored = find_log(logs, options_.monitor);
  if (!monitored) {
    spdlog::warn("Can save best model only with {} available, skipping.", options_.monitor);
    return;
  }
  const double current = *monitored;
  // Keras: monitor_op(current, best), np.less or np.greater: a NaN never improves.
  if (maximize_ ? current > best_ : current < best_) {
    if (talk)
      *out_ << fmt::format("\nEpoch {:05d}: {} improved from {:0.5f} to {:0.5f}, saving model to {}\n", epoch + 1,
                           options_.monitor, best_, current, *path);
    best_ = current;
    save(*path);
  } else if (talk) {
    *out_ << fmt::format("\nEpoch {:05d}: {} did not improve from {:0.5f}\n", epoch + 1, options_.monitor, best_);
  }
}

CallbackState ModelCheckpoint::save_state() const {
  return {"ModelCheckpoint",
          {{"best", best_to_state(best_)},
           {"epochs_since_last_save", epochs_since_last_save_}},
          {}};
}

void ModelCheckpoint::load_state(const CallbackState& state) {
  const auto& v = state.values;
  epochs_since_last_save_ = state_integer(v, "epochs_since_last_save", 0, options_.period - 1, "ModelCheckpoint");
  const double inf = std::numeric_limits<double>::infinity();
  best_ = best_from_state(v, maximize_ ? -inf : inf, "ModelCheckpoint");
  resumed_ = true;
}

std::unique_ptr<Callback> make_model_checkpoint(ObjectReader& reader, const CallbackEnv& env) {
  ModelCheckpoint::Options o;
  o.filepath = reader.string("filepath");
  o.monitor = reader.string("monitor", "val_loss");
  o.verbose = static_cast<int>(reader.integer("verbose", 0, 0, 2));
  o.save_best_only = reader.boolean("save_best_only", false);
  o.save_weights_only = reader.boolean("save_weights_only", false);
  o.mode = read_monitor_mode(reader);
  o.period = static_cast<int>(reader.integer("period", 1, 1, 1'000'000));
  try {
    const FilepathTemplate filepath(o.filepath);
    // Keras fails at the first save on a name its logs lack; here the config does.
    for (const auto& name : filepath.log_fields())
      if (std::find(env.log_names.begin(), env.log_names.end(), name) == env.log_names.end())
        throw std::invalid_argument(fmt::format("names `{}`, which the logs will not hold (they hold epoch, {})", name,
                                                fmt::join(env.log_names, ", ")));
  } catch (const std::invalid_argument& e) {
    throw ConfigError(reader.path("filepath"), e.what());
  }
  if (o.save_best_only &&
      std::find(env.log_names.begin(), env.log_names.end(), o.monitor) == env.log_names.end())
    throw ConfigError(reader.path("monitor"), fmt::format("`{}` is not logged (the logs hold {}): save_best_only "
                                                          "would never save",
                                                          o.monitor, fmt::join(env.log_names, ", ")));
  return std::make_unique<ModelCheckpoint>(std::move(o), env.out, env.save_model);
}

}  // namespace mlp
