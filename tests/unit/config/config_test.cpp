// The config: parse_config / load_config / apply_override / compile. Every error
// must name its key path; defaults are Keras's; paths resolve against the config
// file's folder; hostile JSON is refused quickly.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/error.h"
#include "support/tiny_idx.h"
#include "train/compiled.h"

using namespace mlp;
namespace fs = std::filesystem;

namespace {

// A valid config with three Dense layers, so model.layers[2] exists.
Json base_config() {
  return Json::parse(R"({
    "model": {"input_shape": [4],
              "layers": [{"type": "Dense", "units": 8, "activation": "relu"},
                         {"type": "Dense", "units": 8, "activation": "relu"},
                         {"type": "Dense", "units": 3, "activation": "softmax"}]},
    "compile": {"loss": "categorical_crossentropy", "optimizer": "sgd", "metrics": ["acc"]},
    "fit": {"epochs": 2, "batch_size": 16}
  })");
}

// parse_config and compile: the whole validation a config goes through.
Compiled validate(const Json& root) { return compile(parse_config(root, "")); }

// Runs `f`, which must throw ConfigError; returns the error.
ConfigError config_error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e;
  }
  FAIL("expected mlp::ConfigError, nothing was thrown");
  return ConfigError("", "");  // not reached: FAIL throws
}

// `root` with the value at JSON pointer `pointer` replaced (or removed when `value_text` is "<remove>").
Json with(Json root, const std::string& pointer, const std::string& value_text) {
  const Json::json_pointer p(pointer);
  if (value_text == "<remove>") {
    root[p.parent_pointer()].erase(p.back());
  } else {
    root[p] = Json::parse(value_text);
  }
  return root;
}

struct BadCase {
  std::string pointer;     // where the bad value goes
  std::string value;       // its JSON text
  std::string key_path;    // the key path the error must name
  std::string substring;   // a part of the message
};

std::string write_config(const test::TempDir& dir, const std::string& name, const std::string& text) {
  const std::string path = dir.path(name);
  test::write_bytes(path, text);
  return path;
}

}  // namespace

TEST_CASE("the base config is valid and compiles", "[config]") {
  const Compiled compiled = validate(base_config());
  CHECK(compiled.classes() == 3);
  CHECK(compiled.config.fit.epochs == 2);
  CHECK(compiled.config.fit.batch_size == 16);
  CHECK(compiled.config.compile.loss == "categorical_crossentropy");
}

TEST_CASE("every bad value is an error that names its key path", "[config]") {
  const std::vector<BadCase> cases = {
      // top level
      {"/fti", R"({"epochs": 1})", "fti", "did you mean 'fit'?"},
      {"/name", "5", "name", "expected a string"},
      {"/seed", "-1", "seed", "out of range"},
      {"/seed", R"("42")", "seed", "expected an integer"},
      {"/seed", "1.5", "seed", "expected an integer"},
      {"/model", "<remove>", "model", "missing required key"},
      {"/compile", "<remove>", "compile", "missing required key"},
      // model
      {"/model/layers/2/activation", R"("rleu")", "model.layers[2].activation",
       "unknown activation 'rleu' (did you mean 'relu'?)"},
      {"/model/layers/1/type", R"("Dnse")", "model.layers[1].type", "did you mean 'Dense'?"},
      {"/model/layers/0/type", R"("Conv3D")", "model.layers[0].type", "unknown layer type 'Conv3D'"},
      {"/model/layers/0/type", R"("Conv2D")", "model.layers[0]", "Conv2D needs an input of (height, width, channels)"},
      {"/model/layers/0/type", "<remove>", "model.layers[0].type", "missing required key"},
      {"/model/layers/0/units", R"("8")", "model.layers[0].units", "expected an integer"},
      {"/model/layers/0/units", "0", "model.layers[0].units", "out of range"},
      {"/model/layers/0/units", "2.5", "model.layers[0].units", "expected an integer"},
      {"/model/layers/0/unitz", "8", "model.layers[0].unitz", "did you mean 'units'?"},
      {"/model/layers/0/use_bias", R"("no")", "model.layers[0].use_bias", "expected true or false"},
      {"/model/layers/1", R"("Dense")", "model.layers[1]", "expected an object"},
      {"/model/layers", "[]", "model.layers", "at least one layer"},
      {"/model/layers", "{}", "model.layers", "expected an array"},
      {"/model/layers", "<remove>", "model.layers", "missing required key"},
      {"/model/input_shape", "[]", "model.input_shape", "expected an array"},
      {"/model/input_shape", R"("4")", "model.input_shape", "expected an array"},
      {"/model/input_shape", "4", "model.input_shape", "expected an array"},
      {"/model/input_shape", "[1, 1, 1, 1, 1, 1, 1, 1, 1]", "model.input_shape", "1 to 8"},
      {"/model/input_shape", "[0]", "model.input_shape[0]", "out of range"},
      {"/model/input_shape", "[4, -1]", "model.input_shape[1]", "out of range"},
      {"/model/input_shape", "[2.5]", "model.input_shape[0]", "expected an integer"},
      {"/model/input_shape", R"(["4"])", "model.input_shape[0]", "expected an integer"},
      {"/model/input_shape", "[1073741824, 1073741824]", "model.input_shape", "more than this tool handles"},
      {"/model/input_shape", "[2, 2]", "model.layers[0]", "Flatten"},
      {"/model/input_shape", "<remove>", "model.input_shape", "missing required key"},
      {"/model/kind", R"("mlp")", "model.kind", "unknown key"},
      // compile
      {"/compile/loss", "5", "compile.loss", "expected a string"},
      {"/compile/loss", R"("categorical_crossentropi")", "compile.loss",
       "did you mean 'categorical_crossentropy'?"},
      {"/compile/loss", "<remove>", "compile.loss", "missing required key"},
      {"/compile/optimizer", "5", "compile.optimizer", "expected a name or an object"},
      {"/compile/optimizer", "[]", "compile.optimizer", "expected a name or an object"},
      {"/compile/optimizer", R"("adamm")", "compile.optimizer", "did you mean 'adam'?"},
      {"/compile/optimizer", R"({"type": "sgd", "momentun": 0.9})", "compile.optimizer.momentun",
       "did you mean 'momentum'?"},
      {"/compile/optimizer", R"({"type": "sgd", "learning_rate": "fast"})", "compile.optimizer.learning_rate",
       "expected a number"},
      {"/compile/optimizer", R"({"type": "sgd", "learning_rate": -1})", "compile.optimizer.learning_rate",
       "out of range"},
      {"/compile/optimizer", R"({"type": "sgd", "nesterov": 1})", "compile.optimizer.nesterov",
       "expected true or false"},
      {"/compile/optimizer", R"({"learning_rate": 0.1})", "compile.optimizer.type", "missing required key"},
      {"/compile/optimizer", R"({"type": 7})", "compile.optimizer.type", "expected a string"},
      {"/compile/metrics", R"("acc")", "compile.metrics", "expected an array"},
      {"/compile/metrics", R"({"acc": true})", "compile.metrics", "expected an array"},
      {"/compile/metrics", "[1]", "compile.metrics[0]", "expected a string"},
      {"/compile/metrics", R"(["acc", "accuracyy"])", "compile.metrics[1]", "unknown metric 'accuracyy'"},
      {"/compile/lr", "0.1", "compile.lr", "unknown key"},
      // fit
      {"/fit", "5", "fit", "expected an object"},
      {"/fit/epochs", R"("3")", "fit.epochs", "expected an integer, got a string"},
      {"/fit/epochs", "2.5", "fit.epochs", "expected an integer"},
      {"/fit/epochs", "0", "fit.epochs", "out of range"},
      {"/fit/epochs", "-1", "fit.epochs", "out of range"},
      {"/fit/epochs", "true", "fit.epochs", "expected an integer"},
      {"/fit/epochs", "null", "fit.epochs", "expected an integer"},
      {"/fit/epochs", "1e300", "fit.epochs", "out of range"},
      {"/fit/epochs", "18446744073709551615", "fit.epochs", "out of range"},
      {"/fit/batch_size", "-32", "fit.batch_size", "out of range"},
      {"/fit/batch_size", "0", "fit.batch_size", "out of range"},
      {"/fit/batch_size", R"("32")", "fit.batch_size", "expected an integer"},
      {"/fit/batch_size", "[32]", "fit.batch_size", "expected an integer"},
      {"/fit/validation_split", "1.0", "fit.validation_split", "[0, 1)"},
      {"/fit/validation_split", "1", "fit.validation_split", "[0, 1)"},
      {"/fit/validation_split", "-0.1", "fit.validation_split", "out of range"},
      {"/fit/validation_split", R"("0.2")", "fit.validation_split", "expected a number"},
      {"/fit/shuffle", R"("yes")", "fit.shuffle", "expected true or false"},
      {"/fit/shuffle", "1", "fit.shuffle", "expected true or false"},
      {"/fit/verbose", "3", "fit.verbose", "out of range"},
      {"/fit/verbose", "-1", "fit.verbose", "out of range"},
      {"/fit/verbose", R"("1")", "fit.verbose", "expected an integer"},
      {"/fit/epoch", "3", "fit.epoch", "did you mean 'epochs'?"},
      // data
      {"/data", "[]", "data", "expected an object"},
      {"/data", R"({"train": "x"})", "data.train", "expected an object"},
      {"/data", R"({"train": {"images": 5, "labels": "l"}})", "data.train.images", "expected a string"},
      {"/data", R"({"train": {"images": "i"}})", "data.train.labels", "missing required key"},
      {"/data", R"({"test": {"images": "i", "labels": "l", "lables": "x"}})", "data.test.lables", "unknown key"},
      {"/data", R"({"input_range": [1, 0]})", "data.input_range", "low must be below high"},
      {"/data", R"({"input_range": [0, 0]})", "data.input_range", "low must be below high"},
      {"/data", R"({"input_range": [0]})", "data.input_range", "expected [low, high]"},
      {"/data", R"({"input_range": [0, 1, 2]})", "data.input_range", "expected [low, high]"},
      {"/data", R"({"input_range": "0,1"})", "data.input_range", "expected [low, high]"},
      {"/data", R"({"input_range": [0, "1"]})", "data.input_range[1]", "expected a number"},
      {"/data", R"({"validation": {}})", "data.validation", "unknown key"},
  };
  for (const auto& c : cases) {
    INFO("config" << c.pointer << " = " << c.value);
    const Json root = with(base_config(), c.pointer, c.value);
    const ConfigError e = config_error_of([&] { validate(root); });
    INFO(e.describe());
    CHECK(e.key_path() == c.key_path);
    CHECK_THAT(e.describe(), Catch::StartsWith(c.key_path + ": ") && Catch::Contains(c.substring));
    CHECK(e.code() == ExitCode::usage);
  }
}

TEST_CASE("the contract's own example message", "[config]") {
  const ConfigError e =
      config_error_of([] { validate(with(base_config(), "/model/layers/2/activation", R"("rleu")")); });
  CHECK_THAT(e.describe(),
             Catch::StartsWith("model.layers[2].activation: unknown activation 'rleu' (did you mean 'relu'?)"));
}

TEST_CASE("a config that is not an object is refused", "[config]") {
  for (const char* text : {"[]", "5", "\"config\"", "null"}) {
    INFO(text);
    const ConfigError e = config_error_of([&] { parse_config(Json::parse(text), ""); });
    CHECK_THAT(e.describe(), Catch::Contains("expected an object"));
  }
}

TEST_CASE("defaults are Keras's", "[config]") {
  const Json root = Json::parse(R"({"model": {"input_shape": [4], "layers": [{"type": "Dense", "units": 2}]},
                                    "compile": {"loss": "mse"}})");
  const Config config = parse_config(root, "");
  CHECK(config.fit.batch_size == 32);
  CHECK(config.fit.epochs == 1);
  CHECK(config.fit.shuffle == true);
  CHECK(config.fit.verbose == 1);
  CHECK(config.fit.validation_split == 0.0);
  CHECK(config.data.range_low == 0.0);
  CHECK(config.data.range_high == 1.0);
  CHECK_FALSE(config.data.train.has_value());
  CHECK_FALSE(config.data.test.has_value());
  CHECK_FALSE(config.seed.has_value());
  CHECK(config.name.empty());
  CHECK(config.compile.metrics.empty());

  // A loss alias and its name resolve to the same loss (the loss table, in nn/,
  // resolves it when the config is compiled).
  const std::string canonical = compile(config).config.compile.loss;
  CHECK(canonical == "mean_squared_error");
  Json alias = root;
  alias["compile"]["loss"] = "mean_squared_error";
  CHECK(validate(alias).config.compile.loss == canonical);
  Json upper = root;
  upper["compile"]["loss"] = "MSE";
  CHECK(validate(upper).config.compile.loss == canonical);

  // An empty fit object also takes every default.
  Json empty_fit = root;
  empty_fit["fit"] = Json::object();
  CHECK(parse_config(empty_fit, "").fit.batch_size == 32);
}

TEST_CASE("given values are read as given", "[config]") {
  const Json root = Json::parse(R"({"name": "n", "seed": 7,
      "data": {"input_range": [-1, 1]},
      "model": {"input_shape": [28, 28], "layers": [{"type": "Flatten"}, {"type": "Dense", "units": 10}]},
      "compile": {"loss": "mse", "optimizer": {"type": "sgd", "learning_rate": 0.5}, "metrics": ["acc", "mae"]},
      "fit": {"epochs": 4, "batch_size": 8, "validation_split": 0.25, "shuffle": false, "verbose": 0}})");
  const Config config = parse_config(root, "");
  CHECK(config.name == "n");
  REQUIRE(config.seed.has_value());
  CHECK(*config.seed == 7);
  CHECK(config.data.range_low == -1.0);
  CHECK(config.data.range_high == 1.0);
  CHECK(config.model.input_shape == Shape{28, 28});
  CHECK(config.model.layers.size() == 2);
  CHECK(config.compile.metrics == std::vector<std::string>{"acc", "mae"});
  CHECK(config.compile.optimizer["learning_rate"] == 0.5);
  CHECK(config.fit.epochs == 4);
  CHECK(config.fit.batch_size == 8);
  CHECK(config.fit.validation_split == 0.25);
  CHECK(config.fit.shuffle == false);
  CHECK(config.fit.verbose == 0);
  // An integral float is an integer.
  CHECK(parse_config(with(root, "/fit/epochs", "3.0"), "").fit.epochs == 3);
}

TEST_CASE("invalid JSON text is a ConfigError", "[config][json]") {
  for (const char* text : {"", "{", "{\"a\": }", "{\"a\": 1,}", "[1 2]", "{'a': 1}", "nul", "{\"a\": 1} x"}) {
    INFO("text: " << text);
    const ConfigError e = config_error_of([&] { parse_json_text(text, "the test"); });
    CHECK_THAT(e.describe(), Catch::Contains("invalid JSON"));
  }
  CHECK(parse_json_text(R"({"a": [1, 2, {"b": null}]})", "the test")["a"][2].contains("b"));
}

TEST_CASE("deep nesting is refused quickly, without crashing", "[config][json]") {
  const std::size_t depth = 100000;
  const std::vector<std::string> texts = {
      std::string(depth, '[') + std::string(depth, ']'),
      std::string(depth, '['),
      [&] {
        std::string s;
        for (std::size_t i = 0; i < depth; ++i) s += "{\"a\":";
        s += "1";
        s += std::string(depth, '}');
        return s;
      }(),
  };
  for (const auto& text : texts) {
    const auto start = std::chrono::steady_clock::now();
    const ConfigError e = config_error_of([&] { parse_json_text(text, "the test"); });
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    INFO(e.describe());
    CHECK_THAT(e.describe(), Catch::Contains("nested deeper"));
    CHECK(seconds < 1.0);
  }
  // Brackets inside strings do not count.
  const std::string in_string = "[\"" + std::string(depth, '[') + "\"]";
  CHECK(parse_json_text(in_string, "the test")[0].get<std::string>().size() == depth);
  // Moderate nesting is fine.
  CHECK_NOTHROW(parse_json_text(std::string(32, '[') + std::string(32, ']'), "the test"));

  // Through a file too: the error names the file.
  test::TempDir dir;
  const std::string path = write_config(dir, "deep.json", texts[0]);
  try {
    load_config(path, {});
    FAIL("a deeply nested config file was accepted");
  } catch (const ConfigError& e) {
    CHECK_THAT(e.describe(), Catch::Contains(path) && Catch::Contains("nested deeper"));
  }
}

TEST_CASE("--set overrides", "[config][override]") {
  SECTION("an integer") {
    Json root = base_config();
    apply_override(root, "fit.epochs=3");
    CHECK(root["fit"]["epochs"] == 3);
    CHECK(parse_config(root, "").fit.epochs == 3);
  }
  SECTION("a key inside an object optimizer") {
    Json root = with(base_config(), "/compile/optimizer", R"({"type": "sgd", "learning_rate": 0.01})");
    apply_override(root, "compile.optimizer.learning_rate=0.1");
    CHECK(root["compile"]["optimizer"]["learning_rate"] == 0.1);
    CHECK(root["compile"]["optimizer"]["type"] == "sgd");
    const Compiled compiled = validate(root);
    CHECK(compiled.config.compile.optimizer["learning_rate"].get<double>() == 0.1);
  }
  SECTION("an array element's key") {
    Json root = base_config();
    apply_override(root, "model.layers[1].units=128");
    CHECK(root["model"]["layers"][1]["units"] == 128);
    CHECK(root["model"]["layers"][0]["units"] == 8);
    CHECK(parse_config(root, "").model.layers[1]["units"] == 128);
    // The model really gets 128 units: 4*8+8 + 8*128+128 + 128*3+3 parameters.
    CHECK(validate(root).model->param_count() == (4 * 8 + 8) + (8 * 128 + 128) + (128 * 3 + 3));
  }
  SECTION("a bare word is a string") {
    Json root = base_config();
    apply_override(root, "compile.optimizer=adam");
    CHECK(root["compile"]["optimizer"] == "adam");
    CHECK(validate(root).config.compile.optimizer["type"] == "adam");
  }
  SECTION("a JSON value of any kind") {
    Json root = base_config();
    apply_override(root, R"(compile.optimizer={"type": "rmsprop", "rho": 0.8})");
    CHECK(root["compile"]["optimizer"]["rho"] == 0.8);
    apply_override(root, "fit.shuffle=false");
    CHECK(root["fit"]["shuffle"] == false);
    apply_override(root, "data.input_range=[-1, 1]");
    CHECK(root["data"]["input_range"] == Json::parse("[-1, 1]"));
    apply_override(root, R"(name="with spaces")");
    CHECK(root["name"] == "with spaces");
    apply_override(root, "seed=12");
    CHECK(parse_config(root, "").seed == std::optional<std::uint64_t>(12));
  }
  SECTION("a value containing '=' keeps everything after the first '='") {
    Json root = base_config();
    apply_override(root, "name=a=b");
    CHECK(root["name"] == "a=b");
  }
  SECTION("an override that makes the config wrong fails validation at that key") {
    Json root = base_config();
    apply_override(root, "fit.epochs=2.5");
    const ConfigError e = config_error_of([&] { parse_config(root, ""); });
    CHECK(e.key_path() == "fit.epochs");
  }
  SECTION("malformed overrides are errors") {
    Json root = base_config();
    const Json before = root;
    CHECK_THROWS_AS(apply_override(root, "fit.epochs"), ConfigError);
    CHECK_THROWS_AS(apply_override(root, "=3"), ConfigError);
    CHECK_THROWS_AS(apply_override(root, "fit.epochs={"), ConfigError);
    CHECK_THROWS_AS(apply_override(root, "fit.epochs=[1"), ConfigError);
    CHECK_THROWS_AS(apply_override(root, "model.layers[9].units=1"), ConfigError);
    CHECK_THROWS_AS(apply_override(root, "model.layers[x].units=1"), ConfigError);
    CHECK_THROWS_AS(apply_override(root, "model.layers[1.units=1"), ConfigError);
    CHECK_THROWS_AS(apply_override(root, "fit..epochs=1"), ConfigError);
    CHECK_THROWS_AS(apply_override(root, "fit.epochs.deeper=1"), ConfigError);  // 2 is not an object
    // Refused after objects were created on the way, or after the optimizer's
    // name became an object (found by override_fuzz).
    CHECK_THROWS_AS(apply_override(root, "x.y[0]=[[1]]"), ConfigError);
    CHECK_THROWS_AS(apply_override(root, "compile.optimizer.x[0]=1"), ConfigError);
    CHECK(root == before);
    // A bare word is a string only if it is UTF-8: every later message that
    // quotes the value would otherwise fail (found by override_fuzz).
    const ConfigError latin1 = config_error_of([&] { apply_override(root, "data.input_range=\x01 \xdb\xb0\xb0"); });
    CHECK(latin1.describe() == "data.input_range: is not UTF-8 text, which the model file needs");
    const ConfigError key = config_error_of([&] { apply_override(root, "data.input_range.\xff=1"); });
    CHECK(key.describe() == "a --set key path is not UTF-8 text");
    CHECK(root == before);
    const ConfigError e = config_error_of([&] { apply_override(root, "fit.epochs"); });
    CHECK_THAT(e.describe(), Catch::Contains("fit.epochs") && Catch::Contains("="));
    const ConfigError index = config_error_of([&] { apply_override(root, "model.layers[9].units=1"); });
    CHECK_THAT(index.describe(), Catch::Contains("model.layers[9].units"));
  }
  SECTION("a missing object on the way is created") {
    Json root = base_config();
    apply_override(root, "data.test.images=x");
    CHECK(root["data"]["test"]["images"] == "x");
  }
  SECTION("the key path and its value nest within one limit of 64 levels") {
    std::string path = "x";
    for (int i = 1; i < 40; ++i) path += ".x";
    const auto nested = [](std::size_t levels) { return std::string(levels, '[') + std::string(levels, ']'); };
    Json root = base_config();
    apply_override(root, path + "=" + nested(24));  // 40 + 24 = 64
    const Json before = root;
    const ConfigError e = config_error_of([&] { apply_override(root, path + "=" + nested(25)); });
    CHECK_THAT(e.describe(), Catch::Contains("nested deeper than 24 levels"));
    CHECK(root == before);
  }
}

TEST_CASE("load_config: files, overrides, paths, name", "[config][file]") {
  test::TempDir dir;
  const Json text = Json::parse(R"({
    "data": {"train": {"images": "sub/train-images", "labels": "../elsewhere/train-labels"},
             "test": {"images": "/abs/t10k-images", "labels": "t10k-labels"}},
    "model": {"input_shape": [4], "layers": [{"type": "Dense", "units": 3, "activation": "softmax"}]},
    "compile": {"loss": "categorical_crossentropy", "optimizer": "adam"}
  })");
  const std::string path = write_config(dir, "my_model.json", text.dump(2));

  SECTION("relative data paths resolve against the config file's folder") {
    const Config config = load_config(path, {});
    REQUIRE(config.data.train.has_value());
    REQUIRE(config.data.test.has_value());
    const fs::path root = fs::absolute(dir.root());
    CHECK(fs::path(config.data.train->images) == (root / "sub" / "train-images").lexically_normal());
    CHECK(fs::path(config.data.train->labels) == (root.parent_path() / "elsewhere" / "train-labels").lexically_normal());
    CHECK(config.data.test->images == "/abs/t10k-images");
    CHECK(fs::path(config.data.test->labels) == (root / "t10k-labels").lexically_normal());
  }
  SECTION("the name defaults to the file's stem; a given name wins") {
    CHECK(load_config(path, {}).name == "my_model");
    CHECK(load_config(path, {R"(name="given")"}).name == "given");
  }
  SECTION("overrides apply before validation") {
    const Config config = load_config(path, {"fit.epochs=3", "fit.batch_size=7", "compile.optimizer=sgd"});
    CHECK(config.fit.epochs == 3);
    CHECK(config.fit.batch_size == 7);
    CHECK(config.compile.optimizer == "sgd");
  }
  SECTION("errors carry the file name and the key path") {
    try {
      load_config(path, {"fit.epochs=0"});
      FAIL("fit.epochs=0 was accepted");
    } catch (const ConfigError& e) {
      CHECK(e.file() == path);
      CHECK(e.key_path() == "fit.epochs");
      CHECK_THAT(e.describe(), Catch::StartsWith(path + ": fit.epochs: "));
    }
    try {
      load_config(path, {"fit.epochs"});
      FAIL("a malformed override was accepted");
    } catch (const ConfigError& e) {
      CHECK_THAT(e.describe(), Catch::Contains("fit.epochs"));
    }
    const std::string typo = write_config(dir, "typo.json", with(text, "/fti", "{}").dump());
    try {
      load_config(typo, {});
      FAIL("an unknown key was accepted");
    } catch (const ConfigError& e) {
      CHECK_THAT(e.describe(), Catch::StartsWith(typo + ": fti: ") && Catch::Contains("did you mean 'fit'?"));
    }
  }
  SECTION("a missing file, a directory, garbage") {
    auto describe_of = [](const std::string& file) -> std::string {
      try {
        load_config(file, {});
      } catch (const DataError& e) {
        return e.describe();
      } catch (const ConfigError& e) {
        return e.describe();
      }
      FAIL("load_config accepted " << file);
      return "";
    };
    const std::string missing = dir.path("missing.json");
    CHECK_THAT(describe_of(missing), Catch::StartsWith(missing + ": "));
    CHECK_THROWS_AS(load_config(missing, {}), DataError);

    const std::string folder = dir.path("folder.json");
    fs::create_directory(folder);
    CHECK_THAT(describe_of(folder), Catch::StartsWith(folder + ": "));
    CHECK_THROWS_AS(load_config(folder, {}), DataError);

    std::string garbage;
    for (int i = 0; i < 4096; ++i) garbage.push_back(static_cast<char>((i * 7919 + 13) % 256));
    const std::string binary = write_config(dir, "garbage.json", garbage);
    CHECK_THAT(describe_of(binary), Catch::StartsWith(binary + ": "));

    const std::string empty = write_config(dir, "empty.json", "");
    CHECK_THAT(describe_of(empty), Catch::StartsWith(empty + ": "));

    const std::string array = write_config(dir, "array.json", "[1, 2]");
    CHECK_THAT(describe_of(array), Catch::StartsWith(array + ": ") && Catch::Contains("expected an object"));
  }
}

TEST_CASE("Config::to_json round-trips through parse_config", "[config]") {
  const Json root = Json::parse(R"({"name": "rt", "seed": 99,
      "data": {"train": {"images": "/d/train-images", "labels": "/d/train-labels"},
               "test": {"images": "/d/test-images", "labels": "/d/test-labels"},
               "input_range": [-1, 1]},
      "model": {"input_shape": [28, 28],
                "layers": [{"type": "Flatten"}, {"type": "Dense", "units": 10, "activation": "softmax"}]},
      "compile": {"loss": "mse", "optimizer": {"type": "sgd", "learning_rate": 0.1}, "metrics": ["acc"]},
      "fit": {"epochs": 3, "batch_size": 64, "validation_split": 0.2, "shuffle": false, "verbose": 2}})");
  const Config config = parse_config(root, "");
  const Json once = config.to_json();
  const Config again = parse_config(once, "");
  CHECK(again.to_json() == once);
  CHECK(once["name"] == "rt");
  CHECK(once["seed"] == 99);
  CHECK(once["fit"]["batch_size"] == 64);
  CHECK(once["data"]["test"]["labels"] == "/d/test-labels");

  // Without a seed or data, and after compile() filled the layers' defaults in.
  const Config compiled = validate(base_config()).config;
  const Json filled = compiled.to_json();
  CHECK(parse_config(filled, "").to_json() == filled);
  CHECK(filled["model"]["layers"][0]["use_bias"] == true);
  CHECK_FALSE(parse_config(filled, "").seed.has_value());
}
