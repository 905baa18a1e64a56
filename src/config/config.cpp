#include "config/config.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "config/keras_document.h"
#include "core/error.h"
#include "core/input_file.h"

namespace mlp {
namespace {

constexpr std::size_t max_config_bytes = 16u << 20;
constexpr int max_json_depth = 64;

// Rejects nesting deeper than `max_depth` before the parser sees it, so no
// input can exhaust the stack however the parser or the destructor recurse.
void check_depth(const std::string& text, const std::string& what, int max_depth) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '[' || c == '{') {
      if (++depth > max_depth)
        throw ConfigError("", fmt::format("{}: nested deeper than {} levels", what, max_depth));
    } else if (c == ']' || c == '}') --depth;
  }
}

DataSpec read_files(ObjectReader& parent, const std::string& key, const std::string& base_dir) {
  return read_data_spec(parent.value(key), parent.path(key), base_dir);
}

DataConfig read_data(ObjectReader& reader, const std::string& base_dir) {
  DataConfig data;
  if (reader.has("train")) data.train = read_files(reader, "train", base_dir);
  else reader.ignore("train");
  if (reader.has("test")) data.test = read_files(reader, "test", base_dir);
  else reader.ignore("test");
  if (const Json* range = reader.optional_value("input_range")) {
    const std::string path = reader.path("input_range");
    if (!range->is_array() || range->size() != 2) throw ConfigError(path, "expected [low, high], got " + range->dump());
    data.range_low = read_number((*range)[0], index_path(path, 0), -1e30, 1e30);
    data.range_high = read_number((*range)[1], index_path(path, 1), -1e30, 1e30);
    if (!(data.range_low < data.range_high)) throw ConfigError(path, "low must be below high, got " + range->dump());
  }
  data.normalize = reader.string("normalize", "");
  if (data.normalize == "none") data.normalize.clear();
  if (!data.normalize.empty() && data.normalize != "standard" && data.normalize != "minmax")
    throw ConfigError(reader.path("normalize"), "expected \"standard\" or \"minmax\", got \"" + data.normalize + "\"");
  reader.finish();
  return data;
}

ModelConfig read_model(ObjectReader& reader) {
  ModelConfig model;
  const Json& shape = reader.value("input_shape");
  const std::string path = reader.path("input_shape");
  if (!shape.is_array() || shape.empty() || shape.size() > 8)
    throw ConfigError(path, "expected an array of 1 to 8 positive integers, got " + shape.dump());
  double total = 1.0;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    const auto d = static_cast<std::size_t>(read_integer(shape[i], index_path(path, i), 1, std::int64_t{1} << 30));
    total *= static_cast<double>(d);
    model.input_shape.push_back(d);
  }
  if (total > static_cast<double>(std::int64_t{1} << 30))
    throw ConfigError(path, fmt::format("{:.0f} values per sample is more than this tool handles", total));
  model.layers = reader.value("layers");
  if (!model.layers.is_array()) throw ConfigError(reader.path("layers"), "expected an array of layer objects");
  if (model.layers.empty()) throw ConfigError(reader.path("layers"), "must hold at least one layer");
  reader.finish();
  return model;
}

CompileConfig read_compile(ObjectReader& reader) {
  CompileConfig compile;
  compile.loss = reader.string("loss");  // looked up (and aliases resolved) by the loss table when compiled
  const Json* optimizer = reader.optional_value("optimizer");
  compile.optimizer = optimizer ? *optimizer : Json("rmsprop");
  if (!compile.optimizer.is_string() && !compile.optimizer.is_object())
    throw ConfigError(reader.path("optimizer"),
                      "expected a name or an object with \"type\", got " + json_type_name(compile.optimizer));
  if (const Json* metrics = reader.optional_value("metrics")) {
    if (!metrics->is_array()) throw ConfigError(reader.path("metrics"), "expected an array of metric names");
    for (std::size_t i = 0; i < metrics->size(); ++i) {
      if (!(*metrics)[i].is_string())
        throw ConfigError(index_path(reader.path("metrics"), i), "expected a string, got " + json_type_name((*metrics)[i]));
      compile.metrics.push_back((*metrics)[i].get<std::string>());
    }
  }
  reader.finish();
  return compile;
}

// fit.class_weight: an object of class index -> weight, or "balanced".
void read_class_weight(ObjectReader& reader, FitConfig& fit) {
  const Json* value = reader.optional_value("class_weight");
  if (!value || value->is_null()) return;
  const std::string path = reader.path("class_weight");
  if (value->is_string()) {
    if (value->get<std::string>() != "balanced")
      throw ConfigError(path, "expected \"balanced\" or an object {\"CLASS\": WEIGHT, ...}, got \"" +
                                  value->get<std::string>() + "\"");
    fit.balanced_class_weight = true;
    return;
  }
  if (!value->is_object())
    throw ConfigError(path, "expected \"balanced\" or an object {\"CLASS\": WEIGHT, ...}, got " + json_type_name(*value));
  for (const auto& [key, weight] : value->items()) {
    const std::string at = path + "." + key;
    if (key.empty() || key.size() > 7 || key.find_first_not_of("0123456789") != std::string::npos ||
        (key.size() > 1 && key[0] == '0'))
      throw ConfigError(at, "a class is a label: a whole number from 0, like \"7\"");
    fit.class_weight.emplace_back(std::stoll(key), read_number(weight, at, 0.0, 1e30));
  }
  std::sort(fit.class_weight.begin(), fit.class_weight.end());
}

FitConfig read_fit(ObjectReader& reader, const std::string& base_dir) {
  FitConfig fit;
  fit.epochs = reader.integer("epochs", 1, 1, 1'000'000);
  fit.batch_size = reader.integer("batch_size", 32, 1, 1 << 24);
  fit.validation_split = reader.number("validation_split", 0.0, 0.0, 1.0);
  if (fit.validation_split >= 1.0)
    throw ConfigError(reader.path("validation_split"), "must be in [0, 1), got " + fmt::format("{}", fit.validation_split));
  fit.shuffle = reader.boolean("shuffle", true);
  fit.verbose = static_cast<int>(reader.integer("verbose", 1, 0, 2));
  fit.initial_epoch = reader.integer("initial_epoch", 0, 0, 1'000'000);
  if (fit.initial_epoch >= fit.epochs)
    throw ConfigError(reader.path("initial_epoch"),
                      fmt::format("{} leaves nothing to train: fit.epochs ({}) is the number of the last epoch, as in "
                                  "Keras, so it must be above initial_epoch",
                                  fit.initial_epoch, fit.epochs));
  if (const Json* validation = reader.optional_value("validation_data"); validation && !validation->is_null()) {
    if (validation->is_string()) {
      if (validation->get<std::string>() != "test")
        throw ConfigError(reader.path("validation_data"), "expected \"test\" or a data set like data.train's, got \"" +
                                                              validation->get<std::string>() + "\"");
      fit.validate_on_test = true;
    } else if (validation->is_object()) {
      fit.validation_data = read_files(reader, "validation_data", base_dir);
    } else {
      throw ConfigError(reader.path("validation_data"),
                        "expected \"test\" or a data set like data.train's, got " + json_type_name(*validation));
    }
  }
  read_class_weight(reader, fit);
  if (const Json* callbacks = reader.optional_value("callbacks"); callbacks && !callbacks->is_null()) {
    const std::string path = reader.path("callbacks");
    if (!callbacks->is_array()) throw ConfigError(path, "expected a list of callbacks, got " + json_type_name(*callbacks));
    for (std::size_t i = 0; i < callbacks->size(); ++i) {
      const Json& c = (*callbacks)[i];
      if (!c.is_object() || !c.contains("type") || !c["type"].is_string())
        throw ConfigError(index_path(path, i), "expected an object {\"type\": NAME, ...}");
    }
    fit.callbacks = *callbacks;
    // The files callbacks write (CSVLogger's filename, ModelCheckpoint's
    // filepath) are paths of the config: relative to its folder, as data paths.
    for (auto& c : fit.callbacks)
      for (const char* key : {"filename", "filepath"})
        if (c.contains(key) && c[key].is_string() && !c[key].get<std::string>().empty())
          c[key] = resolve_path(base_dir, c[key].get<std::string>());
  }
  reader.finish();
  return fit;
}

bool is_utf8(const std::string& text) {
  try {
    (void)Json(text).dump();
    return true;
  } catch (const Json::type_error&) {
    return false;
  }
}

// How many levels a --set key path nests its value: one per key and per index,
// each counted against the same limit as a level of JSON text.
int key_path_depth(const std::string& path) {
  const auto depth = std::count(path.begin(), path.end(), '.') + std::count(path.begin(), path.end(), '[') + 1;
  if (depth > max_json_depth)
    throw ConfigError(path.substr(0, 40) + "...", fmt::format("--set key path nested deeper than {} levels", max_json_depth));
  return static_cast<int>(depth);
}

}  // namespace

Json Config::to_json() const {
  Json root;
  root["name"] = name;
  root["seed"] = seed ? Json(*seed) : Json(nullptr);
  Json data_json;
  if (data.train) data_json["train"] = data.train->to_json();
  if (data.test) data_json["test"] = data.test->to_json();
  data_json["input_range"] = {data.range_low, data.range_high};
  if (!data.normalize.empty()) data_json["normalize"] = data.normalize;
  root["data"] = data_json;
  root["model"] = {{"input_shape", model.input_shape}, {"layers", model.layers}};
  root["compile"] = {{"loss", compile.loss}, {"optimizer", compile.optimizer}, {"metrics", compile.metrics}};
  root["fit"] = {{"epochs", fit.epochs},
                 {"batch_size", fit.batch_size},
                 {"validation_split", fit.validation_split},
                 {"shuffle", fit.shuffle},
                 {"verbose", fit.verbose}};
  if (fit.initial_epoch) root["fit"]["initial_epoch"] = fit.initial_epoch;
  if (fit.validate_on_test) root["fit"]["validation_data"] = "test";
  if (fit.validation_data)
    root["fit"]["validation_data"] = fit.validation_data->to_json();
  if (fit.balanced_class_weight) root["fit"]["class_weight"] = "balanced";
  if (!fit.class_weight.empty()) {
    Json weights = Json::object();
    for (const auto& [c, w] : fit.class_weight) weights[std::to_string(c)] = w;
    root["fit"]["class_weight"] = weights;
  }
  if (!fit.callbacks.empty()) root["fit"]["callbacks"] = fit.callbacks;
  return root;
}

Json parse_json_text(const std::string& text, const std::string& what) {
  // The JSON parser takes a NUL byte for the end of the text: whatever follows
  // one would be ignored, not refused.
  if (const auto nul = text.find('\0'); nul != std::string::npos)
    throw ConfigError("", fmt::format("invalid JSON: a NUL byte at offset {}", nul));
  check_depth(text, what, max_json_depth);
  try {
    return Json::parse(text);
  } catch (const Json::exception& e) {
    std::string message = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, ..." -> "parse error at line 1, ..."
    if (auto end = message.find("] "); message.starts_with("[json.exception") && end != std::string::npos)
      message = message.substr(end + 2);
    throw ConfigError("", "invalid JSON: " + message);
  }
}

Json read_json_file(const std::string& path) {
  const std::string text = read_input_file(path, "a config file", max_config_bytes, FileKind::any_readable);
  try {
    return parse_json_text(text, "the file");
  } catch (Error& e) {
    e.set_file(path);
    throw;
  }
}

namespace {

// Puts `value` at `path` in `root`, creating objects on the way; may leave
// `root` half changed when it throws (apply_override works on a copy).
void set_path(Json& root, const std::string& path, Json value) {
  Json* node = &root;
  std::size_t i = 0;
  if (path.empty()) throw ConfigError("", "--set needs a key path before '='");
  key_path_depth(path);
  while (i < path.size()) {
    if (path[i] == '[') {
      const std::size_t close = path.find(']', i);
      if (close == std::string::npos) throw ConfigError(path, "unclosed '[' in key path");
      const std::string digits = path.substr(i + 1, close - i - 1);
      if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos)
        throw ConfigError(path, "'[" + digits + "]' is not an array index");
      const std::size_t index = std::stoul(digits);
      if (!node->is_array() || index >= node->size())
        throw ConfigError(path, "index [" + digits + "] does not exist in the config");
      node = &(*node)[index];
      i = close + 1;
      if (i < path.size() && path[i] == '.') ++i;
      continue;
    }
    const std::size_t end = path.find_first_of(".[", i);
    const std::string key = path.substr(i, end == std::string::npos ? std::string::npos : end - i);
    if (key.empty()) throw ConfigError(path, "empty key in key path");
    if (node->is_null()) *node = Json::object();
    if (!node->is_object()) throw ConfigError(path, "'" + key + "' is inside a value that is not an object");
    node = &(*node)[key];
    i = end == std::string::npos ? path.size() : end;
    if (i < path.size() && path[i] == '.') ++i;
  }
  *node = std::move(value);
}

}  // namespace

void apply_override(Json& root, const std::string& assignment) {
  const std::size_t eq = assignment.find('=');
  if (eq == std::string::npos) throw ConfigError("", "--set expects PATH=JSON, got '" + assignment + "'");
  const std::string path = assignment.substr(0, eq), text = assignment.substr(eq + 1);
  // The key path and the value nest within one limit, as they would in a file.
  // Every key the config holds is UTF-8, so any part of it can be quoted in a message.
  if (!is_utf8(path)) throw ConfigError("", "a --set key path is not UTF-8 text");
  const int path_depth = key_path_depth(path);
  check_depth(text, fmt::format("--set {}: the value under a key path {} levels deep", path, path_depth),
              max_json_depth - path_depth);
  Json value;
  try {
    value = parse_json_text(text, "--set " + path);
  } catch (const ConfigError&) {
    // A bare word is taken as a string: --set compile.optimizer=adam
    if (text.empty() || text.find_first_of("{}[]\"") != std::string::npos) {
      throw ConfigError(path, "--set value '" + text + "' is not valid JSON");
    }
    // JSON text is UTF-8 (the parser checks); a bare word is checked here.
    if (!is_utf8(text)) throw ConfigError(path, "is not UTF-8 text, which the model file needs");
    value = text;
  }
  // A refused assignment leaves the config as it was: the change is made on a copy.
  Json updated = root;
  // An optimizer given by name is the object {"type": name} with Keras's
  // defaults: setting one of its keys turns the name into that object.
  if (path.starts_with("compile.optimizer.") && updated.contains("compile") && updated["compile"].is_object() &&
      updated["compile"].contains("optimizer") && updated["compile"]["optimizer"].is_string())
    updated["compile"]["optimizer"] = Json{{"type", updated["compile"]["optimizer"]}};
  set_path(updated, path, std::move(value));
  root = std::move(updated);
}

namespace {

// The key path of the first key or string in `json` that is not UTF-8, or "".
std::string non_utf8_path(const Json& json, const std::string& path) {
  if (json.is_string()) return is_utf8(json.get_ref<const std::string&>()) ? "" : path;
  if (json.is_array())
    for (std::size_t i = 0; i < json.size(); ++i)
      if (auto found = non_utf8_path(json[i], index_path(path, i)); !found.empty()) return found;
  if (json.is_object())
    for (const auto& [key, value] : json.items()) {
      const std::string at = path.empty() ? key : path + "." + key;
      if (!is_utf8(key)) return at;
      if (auto found = non_utf8_path(value, at); !found.empty()) return found;
    }
  return "";
}

// The model file keeps the config as JSON, whose text is UTF-8. A name or path
// that is not (a --set value that is not JSON, a config file's stem, data paths
// resolved against a folder whose name is not UTF-8) would fail only when the
// trained model is saved: refused here, naming its key.
void check_utf8(const Config& config) {
  const Json json = config.to_json();
  if (const std::string path = non_utf8_path(json, ""); !path.empty())
    throw ConfigError(path, "is not UTF-8 text, which the model file needs");
}

}  // namespace

Config parse_config(const Json& root, const std::string& base_dir) {
  ObjectReader reader(root, "");
  Config config;
  config.name = reader.string("name", "");
  if (const Json* seed = reader.optional_value("seed"); seed && !seed->is_null())
    config.seed = static_cast<std::uint64_t>(read_integer(*seed, "seed", 0, INT64_MAX));
  if (reader.has("data")) {
    ObjectReader data(reader.value("data"), "data");
    config.data = read_data(data, base_dir);
  } else {
    reader.ignore("data");
  }
  ObjectReader model(reader.value("model"), "model");
  config.model = read_model(model);
  ObjectReader compile(reader.value("compile"), "compile");
  config.compile = read_compile(compile);
  if (reader.has("fit")) {
    ObjectReader fit(reader.value("fit"), "fit");
    config.fit = read_fit(fit, base_dir);
    if (config.fit.validate_on_test && !config.data.test)
      throw ConfigError("fit.validation_data", "\"test\" needs data.test (or --data-dir)");
  } else {
    reader.ignore("fit");
  }
  reader.finish();
  check_utf8(config);
  return config;
}

Config load_config(const std::string& path, const std::vector<std::string>& overrides) {
  Json root = read_json_file(path);
  try {
    const bool keras = is_keras_document(root);
    if (keras) root = from_keras_document(root);
    for (const auto& assignment : overrides) apply_override(root, assignment);
    if (keras && !root.contains("compile"))
      throw ConfigError("compile", "a Keras model document needs mlp's \"compile\" key next to \"class_name\" and "
                                   "\"config\", or --set compile.loss=... --set compile.optimizer=...");
    const std::filesystem::path file(path);
    Config config = parse_config(root, file.parent_path().string());
    if (config.name.empty()) {
      config.name = file.stem().string();
      check_utf8(config);
    }
    return config;
  } catch (Error& e) {
    e.set_file(path);
    throw;
  }
}

void use_data_dir(Config& config, const std::string& dir) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(dir)) throw DataError(dir, "--data-dir is not a folder");
  // The file itself, else its .gz; a missing file is reported when it is read.
  auto find = [&](const std::string& stem) {
    const fs::path plain = fs::path(dir) / stem;
    const fs::path gz = fs::path(dir) / (stem + ".gz");
    return (!fs::exists(plain) && fs::exists(gz) ? gz : plain).string();
  };
  DataSpec train, test;
  train.images = find("train-images-idx3-ubyte");
  train.labels = find("train-labels-idx1-ubyte");
  test.images = find("t10k-images-idx3-ubyte");
  test.labels = find("t10k-labels-idx1-ubyte");
  config.data.train = train;
  config.data.test = test;
  try {
    check_utf8(config);
  } catch (Error& e) {
    throw DataError(dir, "--data-dir: " + e.describe());
  }
}

}  // namespace mlp
