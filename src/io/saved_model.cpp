#include "io/saved_model.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "core/error.h"
#include "core/version.h"

namespace mlp {
namespace {

Json tensor_entry(const std::string& name, const Shape& shape, std::size_t offset) {
  return {{"name", name}, {"shape", shape}, {"offset", offset * 4}};
}

// JSON has no NaN or infinity (nlohmann writes them as null, which then reads
// back as nothing): a logged value that diverged is stored as the text Python
// prints for it, "nan", "inf" or "-inf".
Json logged_value(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  return value;
}

Json logged_values(const std::vector<double>& values) {
  Json row = Json::array();
  for (double v : values) row.push_back(logged_value(v));
  return row;
}

// Reads what logged_value wrote; null (as files from before it hold) is NaN.
double read_logged_value(const Json& value, const std::string& path) {
  if (value.is_number()) return value.get<double>();
  if (value.is_null() || value == "nan") return std::numeric_limits<double>::quiet_NaN();
  if (value == "inf") return std::numeric_limits<double>::infinity();
  if (value == "-inf") return -std::numeric_limits<double>::infinity();
  throw DataError(path, "damaged header: a logged value is " + value.dump());
}

std::vector<double> read_logged_values(const Json& values, const std::string& path) {
  if (!values.is_array()) throw DataError(path, "damaged header: logged values are not a list");
  std::vector<double> out;
  for (const auto& v : values) out.push_back(read_logged_value(v, path));
  return out;
}

Json weight_entry(const ParamSlice& slice) {
  Json entry = tensor_entry(slice.layer + "/" + slice.name, slice.shape, slice.offset);
  entry["trainable"] = slice.trainable;
  return entry;
}

}  // namespace

ModelFile to_model_file(const Compiled& compiled, const FitState& state) {
  const Model& model = *compiled.model;
  ModelFile file;
  Json tensors = Json::array();
  for (const auto& slice : model.param_slices()) tensors.push_back(weight_entry(slice));
  file.payload = model.params();

  const Optimizer& optimizer = *compiled.optimizer;
  Json slots = Json::array();
  const auto names = optimizer.slot_names();
  for (std::size_t s = 0; s < names.size(); ++s) {
    slots.push_back(tensor_entry("optimizer/" + names[s], {model.trainable_count()}, file.payload.size()));
    file.payload.insert(file.payload.end(), optimizer.slots()[s].begin(), optimizer.slots()[s].end());
  }

  // fit.callbacks' states; weights they hold follow the optimizer's slots.
  Json callbacks = Json::array();
  for (std::size_t i = 0; i < state.callbacks.size(); ++i) {
    const CallbackState& c = state.callbacks[i];
    Json entry{{"type", c.type}, {"state", c.values}, {"weights", nullptr}};
    if (!c.weights.empty()) {
      entry["weights"] = tensor_entry("callbacks/" + std::to_string(i) + "/weights", {c.weights.size()},
                                      file.payload.size());
      file.payload.insert(file.payload.end(), c.weights.begin(), c.weights.end());
    }
    callbacks.push_back(std::move(entry));
  }

  // Names once (every name an epoch logged, in the order they first appear: a
  // resumed run may log one more, as ReduceLROnPlateau's lr), then one row per
  // epoch, "NA" where an epoch has no value, as Keras's CSVLogger writes it.
  std::vector<std::string> logged_names;
  for (const auto& epoch : state.history)
    for (const auto& entry : epoch)
      if (std::find(logged_names.begin(), logged_names.end(), entry.first) == logged_names.end()) logged_names.push_back(entry.first);
  Json history{{"metrics", logged_names}, {"epochs", Json::array()}};
  for (const auto& epoch : state.history) {
    Json row = Json::array();
    for (const auto& name : logged_names) {
      const auto it = std::find_if(epoch.begin(), epoch.end(), [&](const auto& entry) { return entry.first == name; });
      row.push_back(it == epoch.end() ? Json("NA") : logged_value(it->second));
    }
    history["epochs"].push_back(std::move(row));
  }

  Json preprocessing{{"input_shape", model.input_shape()},
                     {"input_range", {compiled.preprocessing.low, compiled.preprocessing.high}},
                     {"classes", compiled.classes()},
                     {"inputs", compiled.preprocessing.byte_inputs ? "bytes" : "values"}};
  // data.normalize's fitted statistics, and the training data's class names.
  if (!compiled.preprocessing.shift.empty()) {
    preprocessing["shift"] = compiled.preprocessing.shift;
    preprocessing["scale"] = compiled.preprocessing.scale;
  }
  if (!compiled.class_names.empty()) preprocessing["class_names"] = compiled.class_names;
  file.header = {{"program", program_version},
                 {"config", compiled.config.to_json()},
                 {"preprocessing", preprocessing},
                 {"weights", tensors},
                 {"optimizer", {{"iterations", optimizer.iterations()}, {"slots", slots}}},
                 {"fit_state",
                  {{"seed", state.seed},
                   {"next_epoch", state.next_epoch},
                   {"next_batch", state.next_batch},
                   {"epoch_sums", logged_values(state.epoch_sums)},
                   {"epoch_count", state.epoch_count},
                   {"dropout_rng", state.dropout_rng},
                   {"callbacks", callbacks}}},
                 {"history", history}};
  return file;
}

namespace {

// Copies one tensor listed in the header out of the payload, checking it fits.
void read_tensor(const ModelFile& file, const Json& entry, const std::string& want_name, const Shape& want_shape,
                 std::size_t want_size, float* into, const std::string& path) {
  if (!entry.is_object() || !entry.contains("name") || !entry.contains("offset") || !entry["offset"].is_number_unsigned())
    throw DataError(path, "damaged header: bad tensor entry");
  if (entry["name"] != want_name)
    throw DataError(path, fmt::format("tensor '{}' found where the architecture needs '{}'", entry["name"].dump(), want_name));
  if (!entry.contains("shape") || entry["shape"] != Json(want_shape))
    throw DataError(path, fmt::format("tensor '{}' has shape {} where the architecture needs {}", want_name,
                                      entry.value("shape", Json()).dump(), Json(want_shape).dump()));
  const auto offset = entry["offset"].get<std::uint64_t>();
  if (offset % 4 != 0 || offset / 4 > file.payload.size() || want_size > file.payload.size() - offset / 4)
    throw DataError(path, fmt::format("tensor '{}' lies outside the file's data", want_name));
  std::copy_n(file.payload.begin() + static_cast<std::ptrdiff_t>(offset / 4), want_size, into);
}

}  // namespace

LoadedModel from_model_file(const ModelFile& file, const std::string& path) {
  LoadedModel loaded;
  try {
    const Json& header = file.header;
    if (!header.contains("config")) throw DataError(path, "damaged header: no config");
    // The weights are in the payload, so a config asking for more parameters than
    // the payload holds is damaged: refused before its arena is allocated.
    loaded.compiled = compile(parse_config(header["config"], ""), file.payload.size());
    Model& model = *loaded.compiled.model;
    const Json& weights = header.value("weights", Json::array());
    const auto& slices = model.param_slices();
    if (!weights.is_array() || weights.size() != slices.size())
      throw DataError(path, fmt::format("holds {} weight tensors, its architecture needs {}",
                                        weights.is_array() ? weights.size() : 0, slices.size()));
    for (std::size_t i = 0; i < slices.size(); ++i) {
      read_tensor(file, weights[i], slices[i].layer + "/" + slices[i].name, slices[i].shape, slices[i].size,
                  model.params().data() + slices[i].offset, path);
      // Files written before the flag existed hold trainable weights only.
      if (weights[i].value("trainable", true) != slices[i].trainable)
        throw DataError(path, fmt::format("tensor '{}/{}' is stored as {}trainable where the architecture has it {}",
                                          slices[i].layer, slices[i].name, slices[i].trainable ? "non-" : "",
                                          slices[i].trainable ? "trainable" : "non-trainable"));
    }

    // Files written before normalization and class names existed hold neither.
    const Json& preprocessing = header.value("preprocessing", Json::object());
    Preprocessing& pre = loaded.compiled.preprocessing;
    const std::string inputs = preprocessing.value("inputs", "bytes");
    if (inputs != "bytes" && inputs != "values") throw DataError(path, "damaged header: preprocessing.inputs is " + inputs);
    pre.byte_inputs = inputs == "bytes";
    if (preprocessing.contains("shift") || !pre.normalize.empty()) {
      pre.shift = preprocessing.at("shift").get<std::vector<float>>();
      pre.scale = preprocessing.at("scale").get<std::vector<float>>();
      if (pre.normalize.empty() || !pre.normalization_fits(model.input_size()))
        throw DataError(path, "damaged header: data.normalize's statistics do not fit the model's input");
    }
    if (preprocessing.contains("class_names")) {
      loaded.compiled.class_names = preprocessing.at("class_names").get<std::vector<std::string>>();
      const auto& names = loaded.compiled.class_names;
      if (loaded.compiled.regression || names.size() > std::max<std::size_t>(loaded.compiled.classes(), 2))
        throw DataError(path, "damaged header: more class names than the model has classes");
    }

    Optimizer& optimizer = *loaded.compiled.optimizer;
    const Json& opt = header.value("optimizer", Json::object());
    const Json& slots = opt.value("slots", Json::array());
    const auto names = optimizer.slot_names();
    if (!slots.is_array() || slots.size() != names.size())
      throw DataError(path, "optimizer state does not match the optimizer in the config");
    for (std::size_t s = 0; s < names.size(); ++s)
      read_tensor(file, slots[s], "optimizer/" + names[s], {model.trainable_count()}, model.trainable_count(),
                  optimizer.slots()[s].data(), path);
    optimizer.set_iterations(opt.at("iterations").get<std::int64_t>());

    const Json& fit_state = header.at("fit_state");
    FitState& state = loaded.state;
    state.seed = fit_state.at("seed").get<std::uint64_t>();
    state.next_epoch = fit_state.at("next_epoch").get<int>();
    state.next_batch = fit_state.at("next_batch").get<std::size_t>();
    state.epoch_sums = read_logged_values(fit_state.at("epoch_sums"), path);
    state.epoch_count = fit_state.at("epoch_count").get<std::size_t>();
    state.dropout_rng = fit_state.at("dropout_rng").get<std::array<std::uint64_t, 4>>();
    if (state.next_epoch < 0 || (state.next_batch > 0 && state.epoch_sums.size() != loaded.compiled.objective->size()))
      throw DataError(path, "damaged header: inconsistent training state");
    // Files written before callbacks kept state have none.
    const Json& callbacks = fit_state.value("callbacks", Json::array());
    if (!callbacks.is_array() || callbacks.size() > loaded.compiled.config.fit.callbacks.size())
      throw DataError(path, "damaged header: more callback states than fit.callbacks");
    for (std::size_t i = 0; i < callbacks.size(); ++i) {
      const Json& entry = callbacks[i];
      CallbackState c;
      c.type = entry.at("type").get<std::string>();
      c.values = entry.at("state");
      if (const Json& held = entry.at("weights"); !held.is_null()) {
        // As many as the model's weights: a callback holds a copy of them.
        c.weights.resize(model.params().size());
        read_tensor(file, held, "callbacks/" + std::to_string(i) + "/weights", {c.weights.size()}, c.weights.size(),
                    c.weights.data(), path);
      }
      state.callbacks.push_back(std::move(c));
    }

    const Json& history = header.at("history");
    const auto metric_names = history.at("metrics").get<std::vector<std::string>>();
    for (const auto& row : history.at("epochs")) {
      if (!row.is_array() || row.size() != metric_names.size())
        throw DataError(path, "damaged header: a history row has the wrong length");
      Logs logs;
      for (std::size_t k = 0; k < metric_names.size(); ++k)
        if (row[k] != "NA") logs.emplace_back(metric_names[k], read_logged_value(row[k], path));
      state.history.push_back(std::move(logs));
    }
  } catch (const Json::exception& e) {
    throw DataError(path, std::string("damaged header: ") + e.what());
  } catch (const ConfigError& e) {
    throw DataError(path, "damaged config in the model file: " + e.describe());
  }
  return loaded;
}

LoadedModel load_saved_model(const std::string& path) { return from_model_file(load_model_file(path), path); }

}  // namespace mlp
