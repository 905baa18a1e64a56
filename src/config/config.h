// The config file: loaded, overridden (--set PATH=JSON and the flags), validated
// with key paths in every error, Keras's defaults filled in. Layers and the
// optimizer are validated by the tables that build them (nn/), so each key is
// checked in exactly one place.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "config/data_spec.h"
#include "config/json_reader.h"
#include "core/shape.h"

namespace mlp {

struct DataConfig {
  std::optional<DataSpec> train, test;
  double range_low = 0.0, range_high = 1.0;
  // data.normalize: "" (none), "standard" (mean 0, standard deviation 1) or
  // "minmax" ([0, 1]) per feature, fitted on the training split.
  std::string normalize;
};

struct ModelConfig {
  Shape input_shape;
  Json layers;  // validated when the Model is built
};

struct CompileConfig {
  std::string loss;  // as written; compile() resolves it through the loss table
  Json optimizer;    // a name or an object, validated by make_optimizer
  std::vector<std::string> metrics;
};

struct FitConfig {
  std::int64_t epochs = 1;
  std::int64_t batch_size = 32;
  double validation_split = 0.0;
  bool shuffle = true;
  int verbose = 1;
  std::int64_t initial_epoch = 0;  // the first epoch's 0-based number: "Epoch 3/10" starts a run at 2
  // fit.validation_data: "test" (data.test's files, whichever they are after
  // --data-dir) or files of its own. Either replaces validation_split.
  bool validate_on_test = false;
  std::optional<DataSpec> validation_data;
  // fit.class_weight: {"7": 2.5, ...} as (class, weight) pairs, or "balanced".
  std::vector<std::pair<std::int64_t, double>> class_weight;
  bool balanced_class_weight = false;
  bool validates() const { return validate_on_test || validation_data || validation_split > 0.0; }
  // Keras's callbacks, [{"type": "EarlyStopping", ...}, ...]: checked here to be
  // such a list, built (and their keys checked) by train/callback_table.
  Json callbacks = Json::array();
};

struct Config {
  std::string name;
  std::optional<std::uint64_t> seed;
  DataConfig data;
  ModelConfig model;
  CompileConfig compile;
  FitConfig fit;

  Json to_json() const;
};

// "fit.epochs=3" -> sets that key of `root` (creating objects on the way); a
// refused assignment leaves `root` as it was.
void apply_override(Json& root, const std::string& assignment);

// Parses JSON text with limits (size, nesting depth) that hostile input cannot pass.
Json parse_json_text(const std::string& text, const std::string& what);
Json read_json_file(const std::string& path);

// Validates `root`. `base_dir` resolves relative data paths.
Config parse_config(const Json& root, const std::string& base_dir);

// Reads `path`, applies the overrides, validates. Errors carry the file name.
Config load_config(const std::string& path, const std::vector<std::string>& overrides);

// Points the data paths at a folder of MNIST-named files (each possibly .gz).
void use_data_dir(Config& config, const std::string& dir);

}  // namespace mlp
