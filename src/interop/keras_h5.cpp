#include "interop/keras_h5.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <vector>

#include <fmt/format.h>

#include "core/error.h"
#include "interop/hdf5_id.h"
#include "interop/keras_config.h"

namespace mlp {
namespace {

// An identifier HDF5 just created; its failure is an error naming `what`.
Hdf5Id created(hid_t id, herr_t (*close)(hid_t), const char* what) {
  if (id < 0) throw Error(ExitCode::failure, "", "", fmt::format("HDF5 could not create the {}", what));
  return Hdf5Id(id, close);
}

void check(herr_t status, const std::string& what) {
  if (status < 0) throw Error(ExitCode::failure, "", "", "HDF5 could not write " + what);
}

// A scalar variable-length ASCII string, as h5py stores a bytes value.
void string_attribute(hid_t object, const char* name, const std::string& value) {
  const Hdf5Id type = created(H5Tcopy(H5T_C_S1), H5Tclose, "string type");
  check(H5Tset_size(type, H5T_VARIABLE), name);
  check(H5Tset_cset(type, H5T_CSET_ASCII), name);
  const Hdf5Id space = created(H5Screate(H5S_SCALAR), H5Sclose, "dataspace");
  const Hdf5Id attribute = created(H5Acreate2(object, name, type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose, name);
  const char* text = value.c_str();
  check(H5Awrite(attribute, type, &text), name);
}

// A list of names as h5py 2.x stores numpy's array of bytes: fixed-length ASCII,
// null-padded to the longest; an empty list as an empty float64 array (numpy's
// default dtype), as keras@2.2.4's save_weights_to_hdf5_group leaves it.
void names_attribute(hid_t object, const char* name, const std::vector<std::string>& names) {
  const hsize_t count = names.size();
  const Hdf5Id space = created(H5Screate_simple(1, &count, nullptr), H5Sclose, "dataspace");
  if (names.empty()) {
    const Hdf5Id attribute = created(H5Acreate2(object, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose, name);
    return;
  }
  std::size_t longest = 1;
  for (const auto& n : names) longest = std::max(longest, n.size());
  const Hdf5Id type = created(H5Tcopy(H5T_C_S1), H5Tclose, "string type");
  check(H5Tset_size(type, longest), name);
  check(H5Tset_strpad(type, H5T_STR_NULLPAD), name);
  std::vector<char> buffer(names.size() * longest, '\0');
  for (std::size_t i = 0; i < names.size(); ++i) std::memcpy(buffer.data() + i * longest, names[i].data(), names[i].size());
  const Hdf5Id attribute = created(H5Acreate2(object, name, type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose, name);
  check(H5Awrite(attribute, type, buffer.data()), name);
}

// keras/optimizers.py class names and get_config() keys for mlp's optimizers.
nlohmann::ordered_json optimizer_config(const Json& config) {
  static const std::map<std::string, std::string> class_names{
      {"sgd", "SGD"},         {"adam", "Adam"},         {"rmsprop", "RMSprop"}, {"adagrad", "Adagrad"},
      {"adadelta", "Adadelta"}, {"adamax", "Adamax"}, {"nadam", "Nadam"}};
  nlohmann::ordered_json keys{{"lr", config.at("learning_rate")}};
  for (const auto& [key, value] : config.items()) {
    if (key == "type" || key == "learning_rate") continue;
    if ((key == "clipnorm" || key == "clipvalue") && (value.is_null() || value == 0)) continue;
    keys[key] = value;
  }
  const auto it = class_names.find(config.at("type").get<std::string>());
  return {{"class_name", it == class_names.end() ? config.at("type").get<std::string>() : it->second},
          {"config", keys}};
}

}  // namespace

std::string export_keras_h5(const Compiled& compiled) {
  const std::vector<KerasLayer> layers = keras_layers(*compiled.model);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // errors come back as statuses, named by us

  // In memory (the core driver without a backing store), then one atomic write.
  const Hdf5Id access = created(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "file access list");
  check(H5Pset_fapl_core(access, 1 << 20, 0), "the in-memory file");
  const Hdf5Id file = created(H5Fcreate("mlp-keras-export.h5", H5F_ACC_TRUNC, H5P_DEFAULT, access), H5Fclose, "in-memory file");
  string_attribute(file, "keras_version", "2.2.4");
  string_attribute(file, "backend", "tensorflow");
  string_attribute(file, "model_config", keras_model_config(layers).dump());
  nlohmann::ordered_json metrics = nlohmann::ordered_json::array();
  for (const auto& m : compiled.config.compile.metrics) metrics.push_back(m);
  const nlohmann::ordered_json training{{"optimizer_config", optimizer_config(compiled.optimizer->config())},
                                        {"loss", compiled.config.compile.loss},
                                        {"metrics", metrics},
                                        {"sample_weight_mode", nullptr},
                                        {"loss_weights", nullptr}};
  string_attribute(file, "training_config", training.dump());
  {
    // Not Keras's: the scaling mlp applied to raw 0-255 pixels (value / (255 / (high - low)) + low).
    const double range[2] = {compiled.preprocessing.low, compiled.preprocessing.high};
    const hsize_t two = 2;
    const Hdf5Id space = created(H5Screate_simple(1, &two, nullptr), H5Sclose, "dataspace");
    const Hdf5Id attribute = created(H5Acreate2(file, "mlp_input_range", H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                     "mlp_input_range");
    check(H5Awrite(attribute, H5T_NATIVE_DOUBLE, range), "mlp_input_range");
  }

  string_attribute(file, "mlp_preprocessing", mlp_preprocessing(compiled).dump());

  const Hdf5Id weights = created(H5Gcreate2(file, "model_weights", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose, "model_weights");
  std::vector<std::string> layer_names;
  for (const auto& l : layers) layer_names.push_back(l.config.at("config").at("name").get<std::string>());
  names_attribute(weights, "layer_names", layer_names);
  string_attribute(weights, "backend", "tensorflow");
  string_attribute(weights, "keras_version", "2.2.4");
  const Hdf5Id intermediate = created(H5Pcreate(H5P_LINK_CREATE), H5Pclose, "link list");
  check(H5Pset_create_intermediate_group(intermediate, 1), "groups");
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const Hdf5Id group = created(H5Gcreate2(weights, layer_names[i].c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
                 layer_names[i].c_str());
    std::vector<std::string> weight_names;
    for (const auto& w : layers[i].weights) weight_names.push_back(w.name);
    names_attribute(group, "weight_names", weight_names);
    for (const auto& w : layers[i].weights) {
      std::vector<hsize_t> dims(w.shape.begin(), w.shape.end());
      const Hdf5Id space = created(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose, "dataspace");
      const Hdf5Id data = created(H5Dcreate2(group, w.name.c_str(), H5T_IEEE_F32LE, space, intermediate, H5P_DEFAULT, H5P_DEFAULT),
                  H5Dclose, w.name.c_str());
      check(H5Dwrite(data, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, w.values.data()), w.name);
    }
  }
  check(H5Fflush(file, H5F_SCOPE_GLOBAL), "the file");
  const ssize_t size = H5Fget_file_image(file, nullptr, 0);
  if (size < 0) throw Error(ExitCode::failure, "", "", "HDF5 could not produce the file's bytes");
  std::string bytes(static_cast<std::size_t>(size), '\0');
  if (H5Fget_file_image(file, bytes.data(), bytes.size()) != size)
    throw Error(ExitCode::failure, "", "", "HDF5 could not produce the file's bytes");
  return bytes;
}

}  // namespace mlp
