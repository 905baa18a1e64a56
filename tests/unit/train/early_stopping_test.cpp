// EarlyStopping (keras@2.2.4:keras/callbacks.py): its decisions on made-up
// sequences of the monitored value, worked by hand; Keras's lines byte for byte;
// restoring the best weights; its keys from the config.
#include <catch2/catch.hpp>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "nn/model.h"
#include "train/callback_table.h"
#include "train/early_stopping.h"

namespace {

using mlp::EarlyStopping;
using mlp::Json;

// Runs `values` (one per epoch, as `monitor`) through the callback, with the
// model's weights set to the epoch's number before each epoch ends; stops where
// it says so. Returns the epochs that ran.
struct Run {
  std::ostringstream out;
  mlp::Model model{{1}, Json::parse(R"([{"type": "Dense", "units": 1, "use_bias": false}])")};
  mlp::FitControl control{&model, nullptr};
  std::unique_ptr<EarlyStopping> callback;

  explicit Run(EarlyStopping::Options options) : callback(std::make_unique<EarlyStopping>(options, &out)) {
    callback->set_control(&control);
  }
  int epochs(const std::string& monitor, const std::vector<double>& values) {
    callback->on_train_begin({});
    int ran = 0;
    for (std::size_t e = 0; e < values.size() && !control.stop_training; ++e, ++ran) {
      model.params()[0] = static_cast<float>(e);
      mlp::Logs logs{{"loss", 9.0}, {monitor, values[e]}};
      callback->on_epoch_end(static_cast<int>(e), logs);
    }
    callback->on_train_end();
    return ran;
  }
  float weight() const { return model.params()[0]; }
};

EarlyStopping::Options patience(int epochs) {
  EarlyStopping::Options o;
  o.patience = epochs;
  o.verbose = 1;
  return o;
}

}  // namespace

TEST_CASE("EarlyStopping stops after `patience` epochs without improvement") {
  Run run(patience(2));
  // improves at epochs 1 and 2; 0.95 and 0.91 do not beat 0.9: waits 1, 2 -> stops after epoch 4
  CHECK(run.epochs("val_loss", {1.0, 0.9, 0.95, 0.91, 0.8}) == 4);
  CHECK(run.callback->stopped_epoch() == 3);
  CHECK(run.callback->best() == 0.9);
  CHECK(run.out.str() == "Epoch 00004: early stopping\n");
}

TEST_CASE("EarlyStopping: an improvement must exceed min_delta") {
  auto o = patience(1);
  o.min_delta = 0.05;
  Run run(o);
  CHECK(run.epochs("val_loss", {1.0, 0.96, 0.5}) == 2);  // 0.96 is only 0.04 better
  CHECK(run.out.str() == "Epoch 00002: early stopping\n");
  auto negative = o;
  negative.min_delta = -0.05;  // Keras takes its size: the sign follows the mode
  Run again(negative);
  CHECK(again.epochs("val_loss", {1.0, 0.96, 0.5}) == 2);
}

TEST_CASE("EarlyStopping mode auto maximizes a monitor named acc, and equal is no improvement") {
  auto o = patience(1);
  o.monitor = "val_acc";
  Run acc(o);
  CHECK(acc.epochs("val_acc", {0.5, 0.6, 0.6, 0.7}) == 3);
  CHECK(acc.callback->best() == 0.6);
  auto as_min = o;
  as_min.mode = "min";
  Run min(as_min);
  CHECK(min.epochs("val_acc", {0.5, 0.6, 0.4}) == 2);
  auto as_max = patience(1);
  as_max.monitor = "val_loss";
  as_max.mode = "max";
  Run max(as_max);
  CHECK(max.epochs("val_loss", {0.5, 0.6, 0.4}) == 3);
}

TEST_CASE("EarlyStopping: a baseline to beat from the start; a stop in the first epoch prints nothing, as in Keras") {
  auto o = patience(2);
  o.baseline = 0.5;
  Run run(o);
  CHECK(run.epochs("val_loss", {0.6, 0.55, 0.1}) == 2);
  CHECK(run.out.str() == "Epoch 00002: early stopping\n");
  auto first = patience(1);
  first.baseline = 0.5;
  Run at_first(first);
  CHECK(at_first.epochs("val_loss", {0.6, 0.1}) == 1);
  CHECK(at_first.callback->stopped_epoch() == 0);
  CHECK(at_first.out.str().empty());  // Keras prints only when stopped_epoch > 0
}

TEST_CASE("EarlyStopping at verbose 0 prints nothing, and a missing monitor stops nothing") {
  auto o = patience(0);
  o.verbose = 0;
  Run quiet(o);
  CHECK(quiet.epochs("val_loss", {1.0, 2.0}) == 2);
  CHECK(quiet.out.str().empty());
  auto missing = patience(0);
  missing.monitor = "val_los";
  Run run(missing);
  CHECK(run.epochs("val_loss", {1.0, 2.0, 3.0}) == 3);
  CHECK(run.callback->wait() == 0);
}

TEST_CASE("restore_best_weights: when patience runs out (Keras) and when the last epoch is not the best (beyond it)") {
  auto o = patience(1);
  o.restore_best_weights = true;
  Run stopped(o);
  CHECK(stopped.epochs("val_loss", {1.0, 0.5, 0.7, 0.1}) == 3);
  CHECK(stopped.weight() == 1.0f);  // epoch 2's (index 1) weights
  CHECK(stopped.out.str() == "Restoring model weights from the end of the best epoch\nEpoch 00003: early stopping\n");

  auto long_patience = patience(5);
  long_patience.restore_best_weights = true;
  Run ended(long_patience);
  CHECK(ended.epochs("val_loss", {1.0, 0.5, 0.7}) == 3);
  CHECK(ended.weight() == 1.0f);
  CHECK(ended.out.str().empty());
  Run best_last(long_patience);
  CHECK(best_last.epochs("val_loss", {1.0, 0.5, 0.4}) == 3);
  CHECK(best_last.weight() == 2.0f);  // the last epoch was the best: kept
  Run without(patience(5));
  CHECK(without.epochs("val_loss", {1.0, 0.5, 0.7}) == 3);
  CHECK(without.weight() == 2.0f);
}

TEST_CASE("fit.callbacks: EarlyStopping's keys and defaults, and what is refused") {
  const auto refusal = [](const Json& list) {
    try {
      mlp::make_callbacks(list, {});
    } catch (const mlp::ConfigError& e) {
      return e.describe();
    }
    return std::string("accepted");
  };
  CHECK(refusal(Json::parse(R"([{"type": "EarlyStopping"}, {"type": "TerminateOnNaN"}])")) == "accepted");
  CHECK(refusal(Json::parse(R"([{"type": "EarlyStopping", "monitor": "val_acc", "min_delta": 0.01, "patience": 3,
                                 "verbose": 1, "mode": "max", "baseline": 0.9, "restore_best_weights": true}])")) ==
        "accepted");
  CHECK_THAT(refusal(Json::parse(R"([{"type": "EarlyStoping"}])")),
             Catch::StartsWith("fit.callbacks[0].type: unknown callback 'EarlyStoping' (did you mean 'EarlyStopping'?)"));
  CHECK_THAT(refusal(Json::parse(R"([{"type": "EarlyStopping", "mode": "up"}])")),
             Catch::StartsWith("fit.callbacks[0].mode: expected \"auto\", \"min\" or \"max\""));
  CHECK_THAT(refusal(Json::parse(R"([{"type": "TerminateOnNaN"}, {"type": "EarlyStopping", "patience": -1}])")),
             Catch::StartsWith("fit.callbacks[1].patience"));
  CHECK_THAT(refusal(Json::parse(R"([{"type": "EarlyStopping", "patiense": 2}])")), Catch::Contains("patiense"));
}

TEST_CASE("EarlyStopping's state, saved and loaded, decides the rest of a run as the whole run does") {
  auto o = patience(2);
  o.restore_best_weights = true;
  const std::vector<double> values{1.0, 0.5, 0.7, 0.6, 0.9, 0.3};
  Run whole(o);
  const int ran = whole.epochs("val_loss", values);

  Run first(o);
  first.epochs("val_loss", {1.0, 0.5, 0.7});  // 3 epochs: waiting 1 after the best at epoch 2
  Run second(o);
  second.callback->load_state(first.callback->save_state());
  second.callback->on_train_begin({});
  int more = 3;
  for (std::size_t e = 3; e < values.size() && !second.control.stop_training; ++e, ++more) {
    second.model.params()[0] = static_cast<float>(e);
    mlp::Logs logs{{"val_loss", values[e]}};
    second.callback->on_epoch_end(static_cast<int>(e), logs);
  }
  second.callback->on_train_end();
  CHECK(more == ran);
  CHECK(second.callback->stopped_epoch() == whole.callback->stopped_epoch());
  CHECK(second.weight() == whole.weight());
  CHECK(second.out.str() == whole.out.str());

  Run damaged(o);
  mlp::CallbackState state = first.callback->save_state();
  state.values["wait"] = -3;
  CHECK_THROWS_AS(damaged.callback->load_state(state), std::invalid_argument);
  state.values = "nothing";
  CHECK_THROWS_AS(damaged.callback->load_state(state), std::invalid_argument);
}
