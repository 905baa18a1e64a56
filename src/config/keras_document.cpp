#include "config/keras_document.h"

#include <initializer_list>
#include <map>
#include <optional>
#include <tuple>

#include <fmt/format.h>

#include "core/error.h"
#include "core/shape.h"

namespace mlp {
namespace {

// keras@2.2.4:keras/initializers.py serialize(): VarianceScaling's three settings
// name the glorot / he / lecun initializers; tf.keras 2.x names them directly.
std::string initializer_name(const Json& value, const std::string& path) {
  if (value.is_string()) return value.get<std::string>();
  if (!value.is_object() || !value.contains("class_name") || !value["class_name"].is_string())
    throw ConfigError(path, "expected an initializer name or {\"class_name\", \"config\"}");
  const std::string cls = value["class_name"];
  const Json config = value.value("config", Json::object());
  const auto is = [&](const char* key, const Json& expected) { return config.contains(key) && config[key] == expected; };
  if (cls == "VarianceScaling") {
    const double scale = config.contains("scale") && config["scale"].is_number() ? config["scale"].get<double>() : -1;
    for (const auto& [name, s, mode, distribution] :
         std::initializer_list<std::tuple<const char*, double, const char*, const char*>>{
             {"glorot_uniform", 1.0, "fan_avg", "uniform"}, {"glorot_normal", 1.0, "fan_avg", "normal"},
             {"he_uniform", 2.0, "fan_in", "uniform"},      {"he_normal", 2.0, "fan_in", "normal"},
             {"lecun_uniform", 1.0, "fan_in", "uniform"},   {"lecun_normal", 1.0, "fan_in", "normal"}})
      if (scale == s && is("mode", mode) &&
          (is("distribution", distribution) || (std::string(distribution) == "normal" && is("distribution", "truncated_normal"))))
        return name;
    throw ConfigError(path, "VarianceScaling " + config.dump() + " is none of glorot, he or lecun (uniform or normal)");
  }
  static const std::map<std::string, std::string> names{
      {"Zeros", "zeros"},           {"Ones", "ones"},
      {"GlorotUniform", "glorot_uniform"}, {"GlorotNormal", "glorot_normal"},
      {"HeUniform", "he_uniform"},  {"HeNormal", "he_normal"},
      {"LecunUniform", "lecun_uniform"}, {"LecunNormal", "lecun_normal"},
      {"RandomUniform", "random_uniform"}, {"RandomNormal", "random_normal"},
      {"TruncatedNormal", "truncated_normal"}};
  const auto it = names.find(cls);
  if (it == names.end()) throw ConfigError(path, "initializer " + cls + " is not one mlp has");
  // mlp's random initializers take Keras's defaults (0.05); other settings would be lost.
  if ((cls == "RandomUniform" && !(is("minval", -0.05) && is("maxval", 0.05))) ||
      ((cls == "RandomNormal" || cls == "TruncatedNormal") && !(is("mean", 0.0) && is("stddev", 0.05))))
    throw ConfigError(path, cls + " " + config.dump() + ": mlp has it with Keras's default settings only");
  return it->second;
}

Json regularizer(const Json& value, const std::string& path) {
  if (value.is_null()) return nullptr;
  if (!value.is_object() || !value.contains("class_name")) throw ConfigError(path, "expected null or {\"class_name\", \"config\"}");
  const std::string cls = value["class_name"];
  const Json config = value.value("config", Json::object());
  if (cls != "L1L2" && cls != "L1" && cls != "L2") throw ConfigError(path, "regularizer " + cls + " is not one mlp has");
  Json out = Json::object();
  for (const char* key : {"l1", "l2"})
    if (config.contains(key)) out[key] = config[key];
  return out;
}

Json constraint(const Json& value, const std::string& path) {
  if (value.is_null()) return nullptr;
  if (!value.is_object() || !value.contains("class_name")) throw ConfigError(path, "expected null or {\"class_name\", \"config\"}");
  static const std::map<std::string, std::string> types{
      {"MaxNorm", "max_norm"}, {"NonNeg", "non_neg"}, {"UnitNorm", "unit_norm"}, {"MinMaxNorm", "min_max_norm"}};
  const std::string cls = value["class_name"];
  const auto it = types.find(cls);
  if (it == types.end()) throw ConfigError(path, "constraint " + cls + " is not one mlp has");
  Json out = value.value("config", Json::object());
  if (!out.is_object()) throw ConfigError(path + ".config", "expected an object");
  out["type"] = it->second;
  return out;
}

bool ends_with(const std::string& s, const char* suffix) {
  const std::string t(suffix);
  return s.size() >= t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0;
}

Shape shape_of(const Json& batch_shape, const std::string& path) {
  if (!batch_shape.is_array() || batch_shape.size() < 2 || !batch_shape[0].is_null())
    throw ConfigError(path, "expected [null, d1, d2, ...] (the batch's size left open)");
  Shape shape;
  for (std::size_t i = 1; i < batch_shape.size(); ++i) {
    if (!batch_shape[i].is_number_integer() || batch_shape[i].get<std::int64_t>() < 1)
      throw ConfigError(fmt::format("{}[{}]", path, i), "expected a positive integer");
    shape.push_back(batch_shape[i].get<std::size_t>());
  }
  return shape;
}

}  // namespace

bool is_keras_document(const Json& root) {
  return root.is_object() && root.contains("class_name") && root.contains("config") && !root.contains("model");
}

Json from_keras_document(const Json& root) {
  if (root["class_name"] != "Sequential")
    throw ConfigError("class_name", "only Sequential Keras models are read, not " + root["class_name"].dump());
  const Json& config = root["config"];
  // Keras 2.2.4 wrote the layer list itself as a Sequential's config; 2.2.x and tf.keras an object holding it.
  const Json* list = config.is_array() ? &config : (config.is_object() && config.contains("layers") ? &config["layers"] : nullptr);
  const std::string list_path = config.is_array() ? "config" : "config.layers";
  if (!list || !list->is_array() || list->empty()) throw ConfigError(list_path, "expected a non-empty list of layers");

  Json out = Json::object();
  for (const char* key : {"name", "seed", "data", "compile", "fit"})
    if (root.contains(key)) out[key] = root[key];
  if (!out.contains("name") && config.is_object() && config.contains("name") && config["name"].is_string())
    out["name"] = config["name"];
  Json layers = Json::array();
  std::optional<Shape> input_shape;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string at = fmt::format("{}[{}]", list_path, i);
    const Json& entry = (*list)[i];
    if (!entry.is_object() || !entry.contains("class_name") || !entry["class_name"].is_string() ||
        !entry.contains("config") || !entry["config"].is_object())
      throw ConfigError(at, "expected {\"class_name\": ..., \"config\": {...}}");
    const std::string cls = entry["class_name"];
    const Json& c = entry["config"];
    for (const char* key : {"batch_input_shape", "batch_shape"})
      if (c.contains(key) && !input_shape) {
        if (!layers.empty()) throw ConfigError(at + ".config." + key, "only the first layer may set the input shape");
        input_shape = shape_of(c[key], at + ".config." + key);
      }
    if (c.contains("dtype") && !c["dtype"].is_null() && c["dtype"] != "float32" &&
        !(c["dtype"].is_object()))  // tf.keras 2.13+ serializes a DTypePolicy object
      throw ConfigError(at + ".config.dtype", "mlp computes in float32, not " + c["dtype"].dump());
    if (c.contains("trainable") && c["trainable"] == false)
      throw ConfigError(at + ".config.trainable", "frozen layers are not supported: every layer trains");
    if (cls == "InputLayer") continue;  // tf.keras: the input shape only
    Json layer{{"type", cls}};
    for (const auto& [key, value] : c.items()) {
      const std::string path = at + ".config." + key;
      if (key == "trainable" || key == "dtype" || key == "batch_input_shape" || key == "batch_shape" ||
          key == "batch_size" || key == "sparse" || key == "ragged")
        continue;
      if (key == "data_format") {  // mlp's image layers are channels_last, which the layer tables check no further
        if (!value.is_null() && value != "channels_last")
          throw ConfigError(path, "only \"channels_last\" (height, width, channels) is supported, not " + value.dump());
        continue;
      }
      if (key == "activity_regularizer") {
        if (!value.is_null()) throw ConfigError(path, "activity regularizers are not supported");
        continue;
      }
      if (cls == "Dropout" && (key == "noise_shape" || key == "seed")) {
        if (key == "noise_shape" && !value.is_null()) throw ConfigError(path, "a noise_shape is not supported");
        continue;
      }
      // A null regularizer or constraint is the absence mlp's layers default to
      // (and some of Keras's keys, as Dense's bias_regularizer, mlp's layers lack).
      if ((ends_with(key, "_regularizer") || ends_with(key, "_constraint")) && value.is_null()) continue;
      if (ends_with(key, "_initializer")) layer[key] = initializer_name(value, path);
      else if (ends_with(key, "_regularizer")) layer[key] = regularizer(value, path);
      else if (ends_with(key, "_constraint")) layer[key] = constraint(value, path);
      else layer[key] = value;
    }
    layers.push_back(std::move(layer));
  }
  if (!input_shape) throw ConfigError(list_path + "[0].config.batch_input_shape", "the first layer sets no input shape");
  if (layers.empty()) throw ConfigError(list_path, "no layers after the InputLayer");
  Json shape = Json::array();
  for (const std::size_t d : *input_shape) shape.push_back(d);
  out["model"] = {{"input_shape", shape}, {"layers", layers}};
  return out;
}

}  // namespace mlp
