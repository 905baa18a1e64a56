// ModelCheckpoint (keras@2.2.4:keras/callbacks.py l.366-453) and its filepath
// template (Python's str.format with the epoch and the logs): paths filled as
// Python fills them, worked by hand; what it saves when, on made-up sequences;
// Keras's lines byte for byte; its state across a resume; its keys.
#include <catch2/catch.hpp>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "train/callback_table.h"
#include "train/filepath_template.h"
#include "train/model_checkpoint.h"

namespace {

using mlp::FilepathTemplate;
using mlp::Json;
using mlp::Logs;
using mlp::ModelCheckpoint;

std::string fill(const std::string& text, int epoch, const Logs& logs) {
  std::string missing;
  const auto path = FilepathTemplate(text).render(epoch, logs, missing);
  REQUIRE(path);
  return *path;
}

// Runs `values` of `monitor` through a ModelCheckpoint; returns what it saved.
struct Run {
  std::ostringstream out;
  std::vector<std::string> saved;
  mlp::FitControl control;
  std::unique_ptr<ModelCheckpoint> callback;

  explicit Run(ModelCheckpoint::Options options)
      : callback(std::make_unique<ModelCheckpoint>(
            std::move(options), &out, [this](const std::string& path) { saved.push_back(path); })) {
    callback->set_control(&control);
    callback->on_train_begin({});
  }
  void epochs(int first, const std::string& monitor, const std::vector<double>& values) {
    for (std::size_t e = 0; e < values.size(); ++e) {
      Logs logs{{"loss", 1.5}, {monitor, values[e]}};
      callback->on_epoch_end(first + static_cast<int>(e), logs);
    }
  }
};

ModelCheckpoint::Options options(const std::string& filepath, bool best_only) {
  ModelCheckpoint::Options o;
  o.filepath = filepath;
  o.save_best_only = best_only;
  o.verbose = 1;
  return o;
}

std::string config_error(const std::string& json, const std::vector<std::string>& log_names) {
  mlp::CallbackEnv env;
  env.log_names = log_names;
  try {
    mlp::make_callbacks(Json::parse(json), env);
  } catch (const mlp::ConfigError& e) {
    return e.describe();
  }
  return "";
}

}  // namespace

TEST_CASE("filepath: Python's format fields with the 1-based epoch and the logs") {
  const Logs logs{{"loss", 0.123456}, {"val_loss", 0.0267049}, {"val_acc", 0.98765}};
  CHECK(fill("ckpt-{epoch:02d}-{val_loss:.4f}.mlp", 3, logs) == "ckpt-03-0.0267.mlp");
  CHECK(fill("w.{epoch:03d}-{val_loss:.2f}.mlp", 12, logs) == "w.012-0.03.mlp");
  CHECK(fill("{epoch}_{val_acc:.2%}", 7, logs) == "7_98.77%");  // Python's percentage type
  CHECK(fill("e{epoch:>4}|{loss:.1e}", 5, logs) == "e   5|1.2e-01");
  CHECK(fill("{epoch:.1f}", 2, logs) == "2.0");  // Python converts an int for a float type
  CHECK(fill("{{literal}}-{epoch}", 1, logs) == "{literal}-1");
  CHECK(fill("plain.mlp", 9, logs) == "plain.mlp");
  CHECK(FilepathTemplate("a{epoch}{val_loss}{loss}{val_loss}").log_fields() == std::vector<std::string>{"val_loss", "loss"});
  CHECK_FALSE(FilepathTemplate("a{{b}}").has_fields());
}

TEST_CASE("filepath: a field the logs lack is reported, not filled") {
  std::string missing;
  CHECK_FALSE(FilepathTemplate("m-{val_loss:.3f}").render(1, {{"loss", 1.0}}, missing));
  CHECK(missing == "val_loss");
}

TEST_CASE("filepath: what Python's format (or Keras's call of it) would refuse is refused with its offset or field") {
  const auto error = [](const std::string& text) {
    try {
      FilepathTemplate t(text);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(error("m-{}.mlp").find("has no name") != std::string::npos);
  CHECK(error("m-{0}.mlp").find("has no name") != std::string::npos);
  CHECK(error("m-{epoch.mlp").find("no closing") != std::string::npos);
  CHECK(error("m-}.mlp").find("single '}'") != std::string::npos);
  CHECK(error("m-{epoch!r}").find("conversions") != std::string::npos);
  CHECK(error("m-{val_loss:{w}}").find("nests") != std::string::npos);
  CHECK(error("m-{val_loss:.4q}").find("format spec '.4q'") != std::string::npos);
  CHECK(error("m-{epoch:999999999d}").find("more than 255") != std::string::npos);
  CHECK(error("m-{loss:.300f}").find("more than 255") != std::string::npos);
}

TEST_CASE("ModelCheckpoint saves every epoch with Keras's line") {
  Run run(options("m-{epoch:02d}.mlp", false));
  run.epochs(0, "val_loss", {0.5, 0.7});
  CHECK(run.saved == std::vector<std::string>{"m-01.mlp", "m-02.mlp"});
  CHECK(run.out.str() == "\nEpoch 00001: saving model to m-01.mlp\n\nEpoch 00002: saving model to m-02.mlp\n");
}

TEST_CASE("ModelCheckpoint save_best_only: improved / did not improve, byte for byte") {
  Run run(options("best-{epoch}-{val_loss:.4f}.mlp", true));
  run.epochs(0, "val_loss", {0.0448, 0.0267, 0.03, 0.0267, 0.01});
  CHECK(run.saved == std::vector<std::string>{"best-1-0.0448.mlp", "best-2-0.0267.mlp", "best-5-0.0100.mlp"});
  CHECK(run.out.str() ==
        "\nEpoch 00001: val_loss improved from inf to 0.04480, saving model to best-1-0.0448.mlp\n"
        "\nEpoch 00002: val_loss improved from 0.04480 to 0.02670, saving model to best-2-0.0267.mlp\n"
        "\nEpoch 00003: val_loss did not improve from 0.02670\n"
        "\nEpoch 00004: val_loss did not improve from 0.02670\n"
        "\nEpoch 00005: val_loss improved from 0.02670 to 0.01000, saving model to best-5-0.0100.mlp\n");
}

TEST_CASE("ModelCheckpoint mode auto maximizes an acc monitor; mode min overrides it; NaN never improves") {
  auto o = options("m.mlp", true);
  o.monitor = "val_acc";
  Run up(o);
  up.epochs(0, "val_acc", {0.5, 0.4, 0.6});
  CHECK(up.saved.size() == 2);
  CHECK(up.out.str().find("val_acc improved from -inf to 0.50000") != std::string::npos);
  o.mode = "min";
  Run down(o);
  down.epochs(0, "val_acc", {0.5, 0.4, 0.6, std::nan("")});
  CHECK(down.saved.size() == 2);  // 0.5, 0.4
}

TEST_CASE("ModelCheckpoint period: every N-th epoch; verbose 0 prints nothing") {
  auto o = options("m-{epoch}.mlp", false);
  o.period = 3;
  o.verbose = 0;
  Run run(o);
  run.epochs(0, "val_loss", {1, 1, 1, 1, 1, 1, 1});
  CHECK(run.saved == std::vector<std::string>{"m-3.mlp", "m-6.mlp"});
  CHECK(run.out.str().empty());
}

TEST_CASE("ModelCheckpoint: an epoch whose logs lack a field, or the monitor, saves nothing") {
  Run run(options("m-{val_loss}.mlp", false));
  Logs no_validation{{"loss", 1.0}};
  run.callback->on_epoch_end(0, no_validation);
  Run best(options("m.mlp", true));
  best.callback->on_epoch_end(0, no_validation);
  CHECK(run.saved.empty());
  CHECK(best.saved.empty());
}

TEST_CASE("ModelCheckpoint's state resumes its best value and its period count") {
  auto o = options("m-{epoch}.mlp", true);
  o.period = 2;
  Run whole(o);
  whole.epochs(0, "val_loss", {0.9, 0.5, 0.7, 0.6, 0.4, 0.3});
  Run first(o);
  first.epochs(0, "val_loss", {0.9, 0.5, 0.7});
  Run second(o);
  second.callback->load_state(first.callback->save_state());
  second.callback->on_train_begin({});
  second.epochs(3, "val_loss", {0.6, 0.4, 0.3});
  std::vector<std::string> both = first.saved;
  both.insert(both.end(), second.saved.begin(), second.saved.end());
  CHECK(both == whole.saved);
  CHECK(whole.saved == std::vector<std::string>{"m-2.mlp", "m-6.mlp"});  // 0.6 at epoch 4 is worse than 0.5
  mlp::CallbackState bad = first.callback->save_state();
  bad.values["epochs_since_last_save"] = 2;
  CHECK_THROWS_AS(second.callback->load_state(bad), std::invalid_argument);
}

TEST_CASE("ModelCheckpoint's keys: filepath required, its fields must be logged, save_best_only's monitor too") {
  const std::vector<std::string> logged{"loss", "acc", "val_loss", "val_acc"};
  CHECK(config_error(R"([{"type": "ModelCheckpoint", "filepath": "m-{epoch:02d}-{val_acc:.3f}.mlp",
                          "monitor": "val_acc", "save_best_only": true, "mode": "max", "period": 2,
                          "save_weights_only": true, "verbose": 1}])",
                     logged)
            .empty());
  CHECK(config_error(R"([{"type": "ModelCheckpoint"}])", logged).find("fit.callbacks[0].filepath") != std::string::npos);
  CHECK(config_error(R"([{"type": "ModelCheckpoint", "filepath": "m-{val_los}.mlp"}])", logged)
            .find("fit.callbacks[0].filepath: names `val_los`") != std::string::npos);
  CHECK(config_error(R"([{"type": "ModelCheckpoint", "filepath": "m.mlp", "save_best_only": true}])", {"loss", "acc"})
            .find("fit.callbacks[0].monitor: `val_loss` is not logged") != std::string::npos);
  CHECK(config_error(R"([{"type": "ModelCheckpoint", "filepath": "m.mlp", "period": 0}])", logged)
            .find("fit.callbacks[0].period") != std::string::npos);
  CHECK(config_error(R"([{"type": "ModelCheckpoint", "filepath": "m.mlp", "mode": "best"}])", logged)
            .find("fit.callbacks[0].mode") != std::string::npos);
  // lr is logged by a ReduceLROnPlateau before it, not after it.
  CHECK(config_error(R"([{"type": "ReduceLROnPlateau"}, {"type": "ModelCheckpoint", "filepath": "m-{lr}.mlp"}])", logged)
            .empty());
  CHECK(config_error(R"([{"type": "ModelCheckpoint", "filepath": "m-{lr}.mlp"}, {"type": "ReduceLROnPlateau"}])", logged)
            .find("names `lr`") != std::string::npos);
}
