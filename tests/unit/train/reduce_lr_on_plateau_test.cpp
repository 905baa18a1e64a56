// ReduceLROnPlateau (keras@2.2.4:keras/callbacks.py l.1042-1137): when it lowers
// the learning rate on made-up sequences of the monitored value (patience,
// cooldown, min_lr, min_delta, modes), its lines byte for byte (the rates as
// Python prints the float32 rate times the factor), `lr` in the logs, its state
// across a checkpoint, its keys.
#include <catch2/catch.hpp>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "nn/optimizers/optimizer.h"
#include "train/callback_table.h"
#include "train/reduce_lr_on_plateau.h"

namespace {

using mlp::Json;
using mlp::ReduceLROnPlateau;

struct Run {
  std::ostringstream out;
  std::unique_ptr<mlp::Optimizer> optimizer = mlp::make_optimizer("sgd", "compile.optimizer");  // lr 0.01
  mlp::FitControl control{nullptr, optimizer.get()};
  std::unique_ptr<ReduceLROnPlateau> callback;
  std::vector<double> logged_lr;

  explicit Run(ReduceLROnPlateau::Options options) : callback(std::make_unique<ReduceLROnPlateau>(options, &out)) {
    callback->set_control(&control);
  }
  void epochs(const std::vector<double>& values, int first = 0, bool begin = true) {
    if (begin) callback->on_train_begin({});
    for (std::size_t e = 0; e < values.size(); ++e) {
      mlp::Logs logs{{"loss", 1.0}, {"val_loss", values[e]}};
      callback->on_epoch_end(first + static_cast<int>(e), logs);
      REQUIRE(logs.back().first == "lr");
      logged_lr.push_back(logs.back().second);
    }
  }
};

ReduceLROnPlateau::Options options(int patience, double factor) {
  ReduceLROnPlateau::Options o;
  o.patience = patience;
  o.factor = factor;
  o.min_delta = 0.0;
  o.verbose = 1;
  return o;
}

}  // namespace

TEST_CASE("ReduceLROnPlateau lowers the rate after `patience` epochs without improvement") {
  Run run(options(2, 0.5));
  run.epochs({1.0, 1.0, 1.0, 0.5, 0.6, 0.7});
  CHECK(run.out.str() ==
        "\nEpoch 00003: ReduceLROnPlateau reducing learning rate to 0.004999999888241291.\n"
        "\nEpoch 00006: ReduceLROnPlateau reducing learning rate to 0.0024999999441206455.\n");
  // lr as each epoch's logs had it (float32, before that epoch's reduction)
  CHECK(run.logged_lr == std::vector<double>{0.009999999776482582, 0.009999999776482582, 0.009999999776482582,
                                             0.004999999888241291, 0.004999999888241291, 0.004999999888241291});
  CHECK(run.optimizer->learning_rate() == 0.0024999999441206455);
}

TEST_CASE("ReduceLROnPlateau: cooldown epochs count nothing; min_lr is a floor") {
  auto o = options(1, 0.1);
  o.cooldown = 2;
  Run cooled(o);
  cooled.epochs({1.0, 1.0, 1.0, 1.0, 1.0, 1.0});
  CHECK(cooled.out.str() ==
        "\nEpoch 00002: ReduceLROnPlateau reducing learning rate to 0.0009999999776482583.\n"
        "\nEpoch 00004: ReduceLROnPlateau reducing learning rate to 9.999999310821295e-05.\n"
        "\nEpoch 00006: ReduceLROnPlateau reducing learning rate to 9.999999019782991e-06.\n");
  auto floor = options(1, 0.1);
  floor.min_lr = 0.005;
  Run floored(floor);
  floored.epochs({1.0, 1.0, 1.0, 1.0});
  // 0.01 -> 0.005; then float32(0.005) is below 0.005 itself: no more lines
  CHECK(floored.out.str() == "\nEpoch 00002: ReduceLROnPlateau reducing learning rate to 0.005.\n");
}

TEST_CASE("ReduceLROnPlateau: min_delta and the modes") {
  auto o = options(1, 0.5);
  o.min_delta = 0.1;
  o.verbose = 0;
  Run run(o);
  run.epochs({1.0, 0.95});  // better by less than min_delta
  CHECK(run.optimizer->learning_rate() == 0.004999999888241291);
  CHECK(run.out.str().empty());
  auto as_max = options(1, 0.5);
  as_max.mode = "max";
  Run max(as_max);
  max.epochs({1.0, 2.0, 3.0});  // rising val_loss is an improvement when maximizing
  CHECK(max.out.str().empty());
}

TEST_CASE("ReduceLROnPlateau's state through a checkpoint: the same reductions, the rate restored") {
  const std::vector<double> values{1.0, 1.0, 1.0, 0.5, 0.6, 0.7};
  Run whole(options(2, 0.5));
  whole.epochs(values);
  Run first(options(2, 0.5));
  first.epochs({1.0, 1.0, 1.0, 0.5});
  Run second(options(2, 0.5));
  second.callback->load_state(first.callback->save_state());
  second.callback->on_train_begin({});
  CHECK(second.optimizer->learning_rate() == first.optimizer->learning_rate());  // set back from the state
  second.epochs({0.6, 0.7}, 4, false);
  CHECK(second.optimizer->learning_rate() == whole.optimizer->learning_rate());
  CHECK(second.out.str() == "\nEpoch 00006: ReduceLROnPlateau reducing learning rate to 0.0024999999441206455.\n");
  mlp::CallbackState damaged = first.callback->save_state();
  damaged.values["lr"] = -1;
  CHECK_THROWS_AS(second.callback->load_state(damaged), std::invalid_argument);
}

TEST_CASE("ReduceLROnPlateau's keys: Keras's defaults, its old name epsilon, refusals") {
  const auto refusal = [](const char* text) {
    try {
      mlp::make_callbacks(Json::parse(text), {});
    } catch (const mlp::ConfigError& e) {
      return e.describe();
    }
    return std::string("accepted");
  };
  CHECK(refusal(R"([{"type": "ReduceLROnPlateau"}])") == "accepted");
  CHECK(refusal(R"([{"type": "ReduceLROnPlateau", "monitor": "val_acc", "factor": 0.2, "patience": 3, "verbose": 1,
                    "mode": "max", "min_delta": 0.001, "cooldown": 1, "min_lr": 1e-5}])") == "accepted");
  CHECK(refusal(R"([{"type": "ReduceLROnPlateau", "epsilon": 0.01}])") == "accepted");
  CHECK_THAT(refusal(R"([{"type": "ReduceLROnPlateau", "factor": 1.0}])"),
             Catch::StartsWith("fit.callbacks[0].factor: ReduceLROnPlateau does not support a factor >= 1.0"));
  CHECK_THAT(refusal(R"([{"type": "ReduceLROnPlateau", "epsilon": 0.01, "min_delta": 0.1}])"),
             Catch::Contains("not both"));
  CHECK_THAT(refusal(R"([{"type": "ReduceLROnPlateau", "cooldown": -1}])"), Catch::StartsWith("fit.callbacks[0].cooldown"));
}
