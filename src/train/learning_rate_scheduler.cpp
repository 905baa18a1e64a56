// LearningRateScheduler (keras@2.2.4:keras/callbacks.py l.640-666): sets the
// learning rate at the start of every epoch from a schedule, and at verbose > 0
// prints Keras's "\nEpoch 00003: LearningRateScheduler setting learning rate to
// 0.05.". Keras calls a Python function; here `schedule` names one of
// train/lr_schedules with its keys, a function of the epoch and the optimizer's
// configured rate. With "per": "step" the schedule runs over training steps
// (the optimizer's iterations) and is applied before every step, silently.
// Like ReduceLROnPlateau it logs the rate as `lr` at each epoch's end.
#include <fmt/format.h>

#include "core/error.h"
#include "nn/optimizers/optimizer.h"
#include "report/keras_format.h"
#include "train/callback_table.h"
#include "train/lr_schedules.h"

namespace mlp {
namespace {

class LearningRateScheduler : public Callback {
 public:
  LearningRateScheduler(LrSchedule schedule, bool per_step, int verbose, std::ostream* out)
      : schedule_(std::move(schedule)), per_step_(per_step), verbose_(verbose), out_(out) {}

  void on_train_begin(const TrainInfo&) override {
    // The rate the schedule starts from: the configured one, or the resumed run's.
    if (!resumed_) initial_ = control_->optimizer->learning_rate();
  }
  void on_epoch_begin(int epoch) override {
    if (per_step_) return;
    const double lr = schedule_.rate(epoch, initial_);
    control_->optimizer->set_learning_rate(lr);
    if (verbose_ > 0 && out_)
      *out_ << fmt::format("\nEpoch {:05d}: LearningRateScheduler setting learning rate to {}.\n", epoch + 1,
                           python_float(lr));
  }
  void on_batch_begin(std::size_t) override {
    if (per_step_)
      control_->optimizer->set_learning_rate(schedule_.rate(static_cast<double>(control_->optimizer->iterations()), initial_));
  }
  // Keras 2.2.4 logs the rate each epoch ran with.
  void on_epoch_end(int, Logs& logs) override {
    set_log(logs, "lr", static_cast<float>(control_->optimizer->learning_rate()));
  }
  std::vector<std::string> added_logs() const override { return {"lr"}; }
  CallbackState save_state() const override { return {"LearningRateScheduler", {{"initial_lr", initial_}}, {}}; }
  void load_state(const CallbackState& state) override {
    const auto& v = state.values;
    if (!v.is_object() || !v.contains("initial_lr") || !v["initial_lr"].is_number() ||
        !(v["initial_lr"].get<double>() >= 0.0) || v["initial_lr"].get<double>() > 1e6)
      throw std::invalid_argument("LearningRateScheduler's 'initial_lr' is missing or out of range");
    initial_ = v["initial_lr"].get<double>();
    resumed_ = true;
  }

 private:
  LrSchedule schedule_;
  bool per_step_;
  int verbose_;
  std::ostream* out_;
  double initial_ = 0.0;
  bool resumed_ = false;
};

}  // namespace

std::unique_ptr<Callback> make_learning_rate_scheduler(ObjectReader& reader, const CallbackEnv& env) {
  LrSchedule schedule = read_lr_schedule(reader.value("schedule"), reader.path("schedule"));
  const std::string per = reader.string("per", "epoch");
  if (per != "epoch" && per != "step")
    throw ConfigError(reader.path("per"), "expected \"epoch\" or \"step\", got \"" + per + "\"");
  const auto verbose = static_cast<int>(reader.integer("verbose", 0, 0, 2));
  return std::make_unique<LearningRateScheduler>(std::move(schedule), per == "step", verbose, env.out);
}

}  // namespace mlp
