#include "interop/keras_h5_import.h"

#include <algorithm>
#include <cmath>
#include <cctype>
#include <filesystem>
#include <random>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "config/keras_document.h"
#include "core/error.h"
#include "interop/hdf5_id.h"

namespace mlp {
namespace {

// Attributes and names longer than this are not Keras's (a model_config of a
// thousand layers is a few hundred kilobytes).
constexpr std::size_t max_text = 64 << 20;

class Reader {
 public:
  explicit Reader(std::string path) : path_(std::move(path)) {}

  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    throw Error(ExitCode::usage, path_, where, what);
  }

  // The text of a string attribute (variable-length or fixed, scalar), or of each
  // entry of a string array; an empty numeric array (Keras's empty weight_names) is no names.
  std::vector<std::string> strings(hid_t object, const char* name, const std::string& where) const {
    Hdf5Id attribute(H5Aopen(object, name, H5P_DEFAULT), H5Aclose);
    if (!attribute.valid()) fail(where, fmt::format("has no attribute {}", name));
    Hdf5Id type(H5Aget_type(attribute), H5Tclose);
    Hdf5Id space(H5Aget_space(attribute), H5Sclose);
    if (!type.valid() || !space.valid()) fail(where, fmt::format("attribute {} cannot be read", name));
    const hssize_t count = H5Sget_simple_extent_npoints(space);
    if (count < 0 || static_cast<std::size_t>(count) > max_text) fail(where, fmt::format("attribute {} cannot be read", name));
    if (H5Tget_class(type) != H5T_STRING) {
      if (count == 0) return {};
      fail(where, fmt::format("attribute {} is not text", name));
    }
    const auto n = static_cast<std::size_t>(count);
    std::vector<std::string> out;
    if (H5Tis_variable_str(type) > 0) {
      Hdf5Id memory(H5Tcopy(H5T_C_S1), H5Tclose);
      H5Tset_size(memory, H5T_VARIABLE);
      std::vector<char*> values(n, nullptr);
      if (H5Aread(attribute, memory, values.data()) < 0) fail(where, fmt::format("attribute {} cannot be read", name));
      for (char* v : values) out.emplace_back(v ? v : "");
      H5Dvlen_reclaim(memory, space, H5P_DEFAULT, values.data());
    } else {
      const std::size_t size = H5Tget_size(type);
      if (size == 0 || size > max_text / std::max<std::size_t>(1, n)) fail(where, fmt::format("attribute {} cannot be read", name));
      std::vector<char> buffer(n * size);
      if (H5Aread(attribute, type, buffer.data()) < 0) fail(where, fmt::format("attribute {} cannot be read", name));
      for (std::size_t i = 0; i < n; ++i) {
        const char* begin = buffer.data() + i * size;
        out.emplace_back(begin, std::find(begin, begin + size, '\0'));
      }
    }
    return out;
  }

  std::string text(hid_t object, const char* name, const std::string& where) const {
    const auto values = strings(object, name, where);
    if (values.size() != 1) fail(where, fmt::format("attribute {} is not one text", name));
    return values[0];
  }

  bool has_attribute(hid_t object, const char* name) const { return H5Aexists(object, name) > 0; }

  bool has_link(hid_t group, const std::string& name) const {
    // Each step of a path with '/' must exist for H5Lexists not to fail.
    std::string prefix;
    std::size_t from = 0;
    while (true) {
      const std::size_t slash = name.find('/', from);
      prefix = name.substr(0, slash);
      if (H5Lexists(group, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
      if (slash == std::string::npos) return true;
      from = slash + 1;
    }
  }

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// training_config's optimizer_config {"class_name": "Adam", "config": {"lr": ...}}
// as mlp's optimizer object: Keras's class name lower-cased, its keys kept but
// the ones naming what mlp has no use for (tf.keras's name, jit_compile, ...).
Json optimizer_from_keras(const Json& config) {
  std::string type = config.value("class_name", "sgd");
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  Json out{{"type", type}};
  const Json keys = config.value("config", Json::object());  // items() must not outlive what it walks
  for (const auto& [key, value] : keys.items()) {
    if (key == "name" || key == "is_legacy_optimizer" || key == "jit_compile" || key == "use_ema" ||
        key == "ema_momentum" || key == "ema_overwrite_frequency" || key == "global_clipnorm" ||
        key == "weight_decay")
      continue;
    if ((key == "clipnorm" || key == "clipvalue") && value.is_null()) continue;
    out[key] = value;
  }
  return out;
}

}  // namespace

LoadedModel import_keras_h5(const std::string& path, const std::vector<std::string>& overrides) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  Reader r(path);
  if (!std::filesystem::is_regular_file(path)) r.fail("", "is not a file");
  if (H5Fis_hdf5(path.c_str()) <= 0) r.fail("", "is not an HDF5 file");
  Hdf5Id file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!file.valid()) r.fail("", "cannot be opened as an HDF5 file");

  // keras/engine/saving.py load_model: "No model found in config file." without model_config.
  if (!r.has_attribute(file, "model_config"))
    r.fail("/", "has no model_config attribute: not a whole Keras model (a save_weights file has no architecture)");
  Json root;
  try {
    root = parse_json_text(r.text(file, "model_config", "/"), "model_config");
    if (!is_keras_document(root)) r.fail("/model_config", "is not a Keras model document");
    root = from_keras_document(root);
  } catch (Error& e) {
    if (e.file().empty()) e.set_file(path);
    throw;
  }
  if (r.has_attribute(file, "training_config")) {
    Json training;
    try {
      training = parse_json_text(r.text(file, "training_config", "/"), "training_config");
    } catch (Error& e) {
      if (e.file().empty()) e.set_file(path);
      throw;
    }
    if (!training.is_object()) r.fail("/training_config", "is not a JSON object");
    Json compile{{"loss", training.value("loss", Json("categorical_crossentropy"))},
                 {"optimizer", optimizer_from_keras(training.value("optimizer_config", Json::object()))}};
    Json metrics = Json::array();
    for (const auto& m : training.value("metrics", Json::array()))
      if (m.is_string()) metrics.push_back(m == "accuracy" ? Json("acc") : m);
    compile["metrics"] = metrics;
    root["compile"] = compile;
  } else {
    root["compile"] = {{"loss", "categorical_crossentropy"}, {"optimizer", "sgd"}, {"metrics", {"acc"}}};
    spdlog::warn("{}: no training_config; compiled with categorical_crossentropy, sgd and acc (change with --set compile...)",
                 path);
  }
  if (r.has_attribute(file, "mlp_input_range")) {  // a file mlp-export wrote: the scaling it was trained with
    Hdf5Id attribute(H5Aopen(file, "mlp_input_range", H5P_DEFAULT), H5Aclose);
    double range[2] = {0, 1};
    Hdf5Id space(H5Aget_space(attribute), H5Sclose);
    if (!space.valid() || H5Sget_simple_extent_npoints(space) != 2 ||
        H5Aread(attribute, H5T_NATIVE_DOUBLE, range) < 0)
      r.fail("/mlp_input_range", "is not two numbers");
    root["data"]["input_range"] = {range[0], range[1]};
  }

  // A file mlp-export wrote: all it did to the input (interop/keras_config.h).
  Json preprocessing;
  if (r.has_attribute(file, "mlp_preprocessing")) {
    try {
      preprocessing = parse_json_text(r.text(file, "mlp_preprocessing", "/"), "mlp_preprocessing");
    } catch (Error& e) {
      e.set_file(path);
      throw;
    }
    if (!preprocessing.is_object()) r.fail("/mlp_preprocessing", "is not a JSON object");
    if (preprocessing.contains("normalize")) root["data"]["normalize"] = preprocessing["normalize"];
  }

  Config config;
  try {
    for (const auto& assignment : overrides) apply_override(root, assignment);
    config = parse_config(root, std::filesystem::path(path).parent_path().string());
    if (config.name.empty()) config.name = std::filesystem::path(path).stem().string();
  } catch (Error& e) {
    if (e.file().empty()) e.set_file(path);
    throw;
  }
  LoadedModel loaded;
  try {
    loaded.compiled = compile(config);
  } catch (Error& e) {
    if (e.file().empty()) e.set_file(path);
    throw;
  }
  if (!preprocessing.is_null()) {
    Preprocessing& p = loaded.compiled.preprocessing;
    try {
      p.byte_inputs = preprocessing.value("inputs", "bytes") != "values";
      if (preprocessing.contains("shift")) {
        p.shift = preprocessing.at("shift").get<std::vector<float>>();
        p.scale = preprocessing.at("scale").get<std::vector<float>>();
      }
      if (preprocessing.contains("class_names"))
        loaded.compiled.class_names = preprocessing.at("class_names").get<std::vector<std::string>>();
    } catch (const Json::exception& e) {
      r.fail("/mlp_preprocessing", e.what());
    }
    if ((!p.normalize.empty() || !p.shift.empty()) &&
        !p.normalization_fits(loaded.compiled.model->input_size()))
      r.fail("/mlp_preprocessing", "shift and scale do not fit the model's input");
    if (loaded.compiled.class_names.size() > std::max<std::size_t>(loaded.compiled.classes(), 2))
      r.fail("/mlp_preprocessing", "more class names than the model has classes");
  } else if (!loaded.compiled.preprocessing.normalize.empty()) {
    throw Error(ExitCode::usage, path, "data.normalize",
                "needs the statistics of training data, which a Keras file does not hold: leave it out");
  }
  loaded.state.seed = config.seed ? *config.seed : std::random_device{}();
  Model& model = *loaded.compiled.model;

  // load_weights_from_hdf5_group, step by step.
  const bool whole = H5Lexists(file, "model_weights", H5P_DEFAULT) > 0;
  Hdf5Id weights(H5Gopen2(file, whole ? "model_weights" : "/", H5P_DEFAULT), H5Gclose);
  const std::string group_path = whole ? "/model_weights" : "/";
  if (!weights.valid()) r.fail(group_path, "cannot be opened");
  const std::vector<std::string> layer_names = r.strings(weights, "layer_names", group_path);
  std::vector<std::string> filtered;
  for (const auto& name : layer_names) {
    if (name.empty() || !r.has_link(weights, name)) r.fail(group_path, fmt::format("layer_names lists {}, which it does not hold", name));
    Hdf5Id group(H5Gopen2(weights, name.c_str(), H5P_DEFAULT), H5Gclose);
    if (!group.valid()) r.fail(group_path + "/" + name, "is not a group");
    if (!r.strings(group, "weight_names", group_path + "/" + name).empty()) filtered.push_back(name);
  }
  std::vector<const Layer*> with_weights;
  for (const auto& layer : model.layers()) {
    const auto specs = layer->param_specs();
    if (std::any_of(specs.begin(), specs.end(), [](const ParamSpec& s) { return s.keras_weight; }))
      with_weights.push_back(layer.get());
  }
  if (filtered.size() != with_weights.size())
    r.fail(group_path, fmt::format("You are trying to load a weight file containing {} layers into a model with {} layers.",
                                   filtered.size(), with_weights.size()));
  for (std::size_t k = 0; k < filtered.size(); ++k) {
    const std::string at = group_path + "/" + filtered[k];
    Hdf5Id group(H5Gopen2(weights, filtered[k].c_str(), H5P_DEFAULT), H5Gclose);
    const std::vector<std::string> names = r.strings(group, "weight_names", at);
    const Layer& layer = *with_weights[k];
    std::vector<const ParamSlice*> slices;
    for (const auto& spec : layer.param_specs())
      if (const ParamSlice* s = spec.keras_weight ? model.find_slice(layer.name(), spec.name) : nullptr)
        slices.push_back(s);
    if (names.size() != slices.size())
      r.fail(at, fmt::format("Layer #{} (named \"{}\" in the current model) was found to correspond to layer {} in the save "
                             "file. However the new layer {} expects {} weights, but the saved weights have {} elements.",
                             k, layer.name(), filtered[k], layer.name(), slices.size(), names.size()));
    for (std::size_t w = 0; w < names.size(); ++w) {
      const std::string where = at + "/" + names[w];
      if (!r.has_link(group, names[w])) r.fail(where, "is listed in weight_names but not there");
      Hdf5Id data(H5Dopen2(group, names[w].c_str(), H5P_DEFAULT), H5Dclose);
      if (!data.valid()) r.fail(where, "is not a dataset");
      Hdf5Id type(H5Dget_type(data), H5Tclose);
      if (!type.valid() || H5Tget_class(type) != H5T_FLOAT || H5Tget_size(type) != 4)
        r.fail(where, "is not float32 (mlp's weights are; convert the model's weights to float32 first)");
      Hdf5Id space(H5Dget_space(data), H5Sclose);
      const int rank = space.valid() ? H5Sget_simple_extent_ndims(space) : -1;
      std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
      if (rank < 0 || rank > 8 || H5Sget_simple_extent_dims(space, dims.data(), nullptr) != rank)
        r.fail(where, "has no readable shape");
      const Shape shape(dims.begin(), dims.end());
      if (shape != slices[w]->shape)
        r.fail(where, fmt::format("has shape ({}), but {}'s {} needs ({})", fmt::join(shape, ", "), layer.name(),
                                  slices[w]->name, fmt::join(slices[w]->shape, ", ")));
      if (H5Dread(data, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, model.params().data() + slices[w]->offset) < 0)
        r.fail(where, "cannot be read");
    }
  }
  return loaded;
}

}  // namespace mlp
