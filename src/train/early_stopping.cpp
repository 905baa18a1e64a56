#include "train/early_stopping.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "config/json_reader.h"
#include "core/error.h"
#include "nn/model.h"
#include "train/callback_table.h"
#include "train/monitor.h"

namespace mlp {

EarlyStopping::EarlyStopping(Options options, std::ostream* out) : options_(std::move(options)), out_(out) {
  maximize_ = monitor_maximizes(options_.mode, options_.monitor);
}

void EarlyStopping::on_train_begin(const TrainInfo&) {
  if (resumed_) return;
  wait_ = 0;
  stopped_epoch_ = 0;
  best_epoch_ = -1;
  restored_ = false;
  best_weights_.clear();
  const double inf = std::numeric_limits<double>::infinity();
  best_ = options_.baseline ? *options_.baseline : (maximize_ ? -inf : inf);
}

// Keras: monitor_op(current - min_delta, best), min_delta's sign turned to the
// direction of improvement (keras/callbacks.py l.514-517).
bool EarlyStopping::improved(double current) const {
  const double delta = std::fabs(options_.min_delta);
  return maximize_ ? current - delta > best_ : current + delta < best_;
}

void EarlyStopping::on_epoch_end(int epoch, Logs& logs) {
  last_epoch_ = epoch;
  const std::optional<double> monitored = monitored_value(logs, options_.monitor, "Early stopping");
  if (!monitored) return;
  const double current = *monitored;
  if (improved(current)) {
    best_ = current;
    wait_ = 0;
    best_epoch_ = epoch;
    if (options_.restore_best_weights) best_weights_ = control_->model->params();
    return;
  }
  if (++wait_ >= options_.patience) {
    stopped_epoch_ = epoch;
    control_->stop_training = true;
    if (options_.restore_best_weights && !best_weights_.empty()) {
      if (options_.verbose > 0 && out_) *out_ << "Restoring model weights from the end of the best epoch\n";
      restore_best(*control_->model);
    }
  }
}

void EarlyStopping::on_train_end() {
  if (stopped_epoch_ > 0 && options_.verbose > 0 && out_)
    *out_ << fmt::format("Epoch {:05d}: early stopping\n", stopped_epoch_ + 1);
  // Beyond Keras 2.2.4: the last epoch ended without being the best.
  if (options_.restore_best_weights && !restored_ && !best_weights_.empty() && best_epoch_ != last_epoch_)
    restore_best(*control_->model);
}

bool EarlyStopping::restore_on_interrupt(Model& model) {
  if (!options_.restore_best_weights || best_weights_.empty()) return false;
  restore_best(model);
  return true;
}

void EarlyStopping::restore_best(Model& model) {
  model.params() = best_weights_;
  restored_ = true;
  spdlog::warn("EarlyStopping: restored the weights of epoch {}, the best ({} {:.5f})", best_epoch_ + 1, options_.monitor,
               best_);
}

CallbackState EarlyStopping::save_state() const {
  // best is infinite until the first improvement (without a baseline): null then.
  return {"EarlyStopping",
          {{"wait", wait_},
           {"stopped_epoch", stopped_epoch_},
           {"best_epoch", best_epoch_},
           {"last_epoch", last_epoch_},
           {"best", best_to_state(best_)},
           {"restored", restored_}},
          best_weights_};
}

void EarlyStopping::load_state(const CallbackState& state) {
  const auto& v = state.values;
  constexpr const char* who = "EarlyStopping";
  wait_ = state_integer(v, "wait", 0, 100'000'000, who);
  stopped_epoch_ = state_integer(v, "stopped_epoch", 0, 100'000'000, who);
  best_epoch_ = state_integer(v, "best_epoch", -1, 100'000'000, who);
  last_epoch_ = state_integer(v, "last_epoch", -1, 100'000'000, who);
  if (!v.contains("restored") || !v["restored"].is_boolean())
    throw std::invalid_argument("EarlyStopping's 'restored' is missing");
  restored_ = v["restored"].get<bool>();
  const double inf = std::numeric_limits<double>::infinity();
  best_ = best_from_state(v, options_.baseline ? *options_.baseline : (maximize_ ? -inf : inf), who);
  best_weights_ = state.weights;
  resumed_ = true;
}

std::unique_ptr<Callback> make_early_stopping(ObjectReader& reader, const CallbackEnv& env) {
  EarlyStopping::Options o;
  o.monitor = reader.string("monitor", "val_loss");
  o.min_delta = reader.number("min_delta", 0.0, -1e30, 1e30);
  o.patience = static_cast<int>(reader.integer("patience", 0, 0, 1'000'000));
  o.verbose = static_cast<int>(reader.integer("verbose", 0, 0, 2));
  o.mode = read_monitor_mode(reader);
  if (const Json* baseline = reader.optional_value("baseline"); baseline && !baseline->is_null())
    o.baseline = read_number(*baseline, reader.path("baseline"), -1e30, 1e30);
  o.restore_best_weights = reader.boolean("restore_best_weights", false);
  return std::make_unique<EarlyStopping>(std::move(o), env.out);
}

}  // namespace mlp
