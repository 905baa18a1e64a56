#include "train/reduce_lr_on_plateau.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "config/json_reader.h"
#include "core/error.h"
#include "nn/optimizers/optimizer.h"
#include "report/keras_format.h"
#include "train/callback_table.h"
#include "train/monitor.h"

namespace mlp {

ReduceLROnPlateau::ReduceLROnPlateau(Options options, std::ostream* out) : options_(std::move(options)), out_(out) {
  maximize_ = monitor_maximizes(options_.mode, options_.monitor);
}

void ReduceLROnPlateau::on_train_begin(const TrainInfo&) {
  if (resumed_) {
    control_->optimizer->set_learning_rate(resumed_learning_rate_);
    return;
  }
  const double inf = std::numeric_limits<double>::infinity();
  best_ = maximize_ ? -inf : inf;
  cooldown_counter_ = 0;
  wait_ = 0;
}

// Keras: np.less(a, b - min_delta), or np.greater(a, b + min_delta) for max.
bool ReduceLROnPlateau::improved(double current) const {
  return maximize_ ? current > best_ + options_.min_delta : current < best_ - options_.min_delta;
}

void ReduceLROnPlateau::on_epoch_end(int epoch, Logs& logs) {
  // Keras's lr variable is float32: the logs and the arithmetic below see that value.
  const double lr = static_cast<float>(control_->optimizer->learning_rate());
  set_log(logs, "lr", lr);
  const std::optional<double> monitored = monitored_value(logs, options_.monitor, "Reduce LR on plateau");
  if (!monitored) return;
  const double current = *monitored;
  if (cooldown_counter_ > 0) {
    --cooldown_counter_;
    wait_ = 0;
  }
  if (improved(current)) {
    best_ = current;
    wait_ = 0;
  } else if (cooldown_counter_ == 0 && ++wait_ >= options_.patience && lr > options_.min_lr) {
    const double new_lr = std::max(lr * options_.factor, options_.min_lr);
    control_->optimizer->set_learning_rate(new_lr);
    if (options_.verbose > 0 && out_)
      *out_ << fmt::format("\nEpoch {:05d}: ReduceLROnPlateau reducing learning rate to {}.\n", epoch + 1,
                           python_float(new_lr));
    cooldown_counter_ = options_.cooldown;
    wait_ = 0;
  }
}

CallbackState ReduceLROnPlateau::save_state() const {
  return {"ReduceLROnPlateau",
          {{"wait", wait_},
           {"cooldown_counter", cooldown_counter_},
           {"best", best_to_state(best_)},
           {"lr", control_ ? control_->optimizer->learning_rate() : resumed_learning_rate_}},
          {}};
}

void ReduceLROnPlateau::load_state(const CallbackState& state) {
  const auto& v = state.values;
  constexpr const char* who = "ReduceLROnPlateau";
  wait_ = state_integer(v, "wait", 0, 100'000'000, who);
  cooldown_counter_ = state_integer(v, "cooldown_counter", 0, 100'000'000, who);
  const double inf = std::numeric_limits<double>::infinity();
  best_ = best_from_state(v, maximize_ ? -inf : inf, who);
  if (!v.contains("lr") || !v["lr"].is_number() || !(v["lr"].get<double>() >= 0.0) || v["lr"].get<double>() > 1e6)
    throw std::invalid_argument("ReduceLROnPlateau's 'lr' is missing or out of range");
  resumed_learning_rate_ = v["lr"].get<double>();
  resumed_ = true;
}

std::unique_ptr<Callback> make_reduce_lr_on_plateau(ObjectReader& reader, const CallbackEnv& env) {
  ReduceLROnPlateau::Options o;
  o.monitor = reader.string("monitor", "val_loss");
  o.factor = reader.number("factor", 0.1, 0.0, 1e6);
  if (o.factor >= 1.0) throw ConfigError(reader.path("factor"), "ReduceLROnPlateau does not support a factor >= 1.0");
  o.patience = static_cast<int>(reader.integer("patience", 10, 0, 1'000'000));
  o.verbose = static_cast<int>(reader.integer("verbose", 0, 0, 2));
  o.mode = read_monitor_mode(reader);
  o.min_delta = reader.number("min_delta", 1e-4, -1e30, 1e30);
  if (reader.has("epsilon")) {  // Keras 2.2.4 still takes the old name, with a warning
    if (reader.has("min_delta")) throw ConfigError(reader.path("epsilon"), "give either 'min_delta' or 'epsilon', not both");
    o.min_delta = reader.number("epsilon", 1e-4, -1e30, 1e30);
    spdlog::warn("ReduceLROnPlateau: `epsilon` argument is deprecated and will be removed, use `min_delta` instead.");
  }
  o.cooldown = static_cast<int>(reader.integer("cooldown", 0, 0, 1'000'000));
  o.min_lr = reader.number("min_lr", 0.0, 0.0, 1e6);
  return std::make_unique<ReduceLROnPlateau>(std::move(o), env.out);
}

}  // namespace mlp
