// The named learning-rate schedules at chosen epochs, worked by hand; the
// LearningRateScheduler callback that applies them (per epoch with Keras's line,
// or per step), its state across a checkpoint, and the keys it refuses.
#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "nn/optimizers/optimizer.h"
#include "train/callback_table.h"
#include "train/lr_schedules.h"

namespace {

using mlp::Json;

double rate(const char* spec, double t, double lr0 = 0.1) {
  return mlp::read_lr_schedule(Json::parse(spec), "schedule").rate(t, lr0);
}

std::string refusal(const char* spec) {
  try {
    mlp::read_lr_schedule(Json::parse(spec), "fit.callbacks[0].schedule");
  } catch (const mlp::ConfigError& e) {
    return e.describe();
  }
  return "accepted";
}

}  // namespace

TEST_CASE("step: lr0 factor^floor(t / step_size)") {
  const char* spec = R"({"type": "step", "factor": 0.5, "step_size": 3})";
  CHECK(rate(spec, 0) == Approx(0.1));
  CHECK(rate(spec, 2) == Approx(0.1));
  CHECK(rate(spec, 3) == Approx(0.05));
  CHECK(rate(spec, 7) == Approx(0.025));
  CHECK(rate(R"("step")", 10) == Approx(0.05));  // defaults: 0.5 every 10
}

TEST_CASE("exponential: lr0 decay_rate^(t / decay_steps), stepwise when staircase") {
  CHECK(rate(R"({"type": "exponential", "decay_rate": 0.5, "decay_steps": 2})", 3) == Approx(0.1 * std::pow(0.5, 1.5)));
  CHECK(rate(R"({"type": "exponential", "decay_rate": 0.5, "decay_steps": 2, "staircase": true})", 3) == Approx(0.05));
  CHECK(rate(R"("exponential")", 2) == Approx(0.1 * 0.96 * 0.96));
}

TEST_CASE("cosine: a linear warm-up, then half a cosine down to alpha lr0") {
  const char* spec = R"({"type": "cosine", "decay_steps": 10, "warmup": 2, "warmup_start": 0.02, "alpha": 0.1})";
  CHECK(rate(spec, 0) == Approx(0.02));
  CHECK(rate(spec, 1) == Approx(0.06));
  CHECK(rate(spec, 2) == Approx(0.1));
  CHECK(rate(spec, 7) == Approx(0.1 * (0.9 * 0.5 * (1 + std::cos(std::numbers::pi * 0.5)) + 0.1)));  // 0.055
  CHECK(rate(spec, 12) == Approx(0.01));
  CHECK(rate(spec, 100) == Approx(0.01));
}

TEST_CASE("piecewise: values[i] up to and including boundaries[i]") {
  const char* spec = R"({"type": "piecewise", "boundaries": [2, 5], "values": [0.1, 0.01, 0.001]})";
  CHECK(rate(spec, 0) == 0.1);
  CHECK(rate(spec, 2) == 0.1);
  CHECK(rate(spec, 3) == 0.01);
  CHECK(rate(spec, 5) == 0.01);
  CHECK(rate(spec, 6) == 0.001);
}

TEST_CASE("polynomial: (lr0 - end) (1 - t / decay_steps)^power + end, then end") {
  const char* spec = R"({"type": "polynomial", "decay_steps": 4, "end_learning_rate": 0.01, "power": 2})";
  CHECK(rate(spec, 0) == Approx(0.1));
  CHECK(rate(spec, 2) == Approx(0.09 * 0.25 + 0.01));
  CHECK(rate(spec, 4) == Approx(0.01));
  CHECK(rate(spec, 9) == Approx(0.01));
}

TEST_CASE("schedules refuse what has no meaning, naming the key") {
  CHECK_THAT(refusal(R"({"type": "piecewise", "boundaries": [5, 2], "values": [1, 2, 3]})"),
             Catch::StartsWith("fit.callbacks[0].schedule.boundaries: must increase"));
  CHECK_THAT(refusal(R"({"type": "piecewise", "boundaries": [2], "values": [1]})"),
             Catch::StartsWith("fit.callbacks[0].schedule.values: needs one value more"));
  CHECK_THAT(refusal(R"({"type": "cosine"})"), Catch::Contains("decay_steps"));
  CHECK_THAT(refusal(R"("cosin")"), Catch::Contains("did you mean 'cosine'"));
  CHECK_THAT(refusal(R"({"type": "step", "step_size": 0})"), Catch::StartsWith("fit.callbacks[0].schedule.step_size"));
}

TEST_CASE("LearningRateScheduler sets each epoch's rate with Keras's line, or each step's silently") {
  std::ostringstream out;
  auto optimizer = mlp::make_optimizer(Json::parse(R"({"type": "sgd", "learning_rate": 0.1})"), "o");
  mlp::FitControl control{nullptr, optimizer.get()};
  auto callbacks = mlp::make_callbacks(Json::parse(R"([{"type": "LearningRateScheduler", "verbose": 1,
      "schedule": {"type": "piecewise", "boundaries": [0], "values": [0.1, 0.05]}}])"), {&out, {}, {}});
  auto& scheduler = *callbacks[0];
  scheduler.set_control(&control);
  scheduler.on_train_begin({});
  scheduler.on_epoch_begin(0);
  CHECK(optimizer->learning_rate() == 0.1);
  scheduler.on_epoch_begin(1);
  CHECK(optimizer->learning_rate() == 0.05);
  CHECK(out.str() == "\nEpoch 00001: LearningRateScheduler setting learning rate to 0.1.\n"
                     "\nEpoch 00002: LearningRateScheduler setting learning rate to 0.05.\n");

  // A resumed scheduler starts from the rate the whole run started from.
  auto resumed = mlp::make_callbacks(Json::parse(R"([{"type": "LearningRateScheduler",
      "schedule": {"type": "step", "factor": 0.5, "step_size": 1}}])"), {});
  resumed[0]->load_state(scheduler.save_state());
  resumed[0]->set_control(&control);
  resumed[0]->on_train_begin({});
  resumed[0]->on_epoch_begin(2);
  CHECK(optimizer->learning_rate() == Approx(0.025));

  auto per_step = mlp::make_callbacks(Json::parse(R"([{"type": "LearningRateScheduler", "per": "step", "verbose": 1,
      "schedule": {"type": "polynomial", "decay_steps": 4, "end_learning_rate": 0.0}}])"), {&out, {}, {}});
  auto fresh = mlp::make_optimizer(Json::parse(R"({"type": "sgd", "learning_rate": 0.1})"), "o");
  mlp::FitControl fresh_control{nullptr, fresh.get()};
  per_step[0]->set_control(&fresh_control);
  per_step[0]->on_train_begin({});
  fresh->set_iterations(3);
  per_step[0]->on_epoch_begin(0);
  per_step[0]->on_batch_begin(0);
  CHECK(fresh->learning_rate() == Approx(0.025));  // step 3 of 4
  CHECK(out.str().size() == std::string("\nEpoch 00001: LearningRateScheduler setting learning rate to 0.1.\n"
                                        "\nEpoch 00002: LearningRateScheduler setting learning rate to 0.05.\n").size());
  CHECK_THAT([] {
    try {
      mlp::make_callbacks(Json::parse(R"([{"type": "LearningRateScheduler", "schedule": "step", "per": "batch"}])"), {});
    } catch (const mlp::ConfigError& e) {
      return e.describe();
    }
    return std::string("accepted");
  }(), Catch::StartsWith("fit.callbacks[0].per: expected \"epoch\" or \"step\""));
}
