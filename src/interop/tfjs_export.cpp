#include "interop/tfjs_export.h"

#include <bit>
#include <cstring>

#include <fmt/format.h>

#include "core/error.h"
#include "core/version.h"
#include "interop/keras_config.h"

namespace mlp {

namespace {
constexpr std::size_t shard_bytes = 4 << 20;  // tensorflowjs_converter's default shard size
}

std::vector<std::pair<std::string, std::string>> export_tfjs(const Compiled& compiled) {
  static_assert(std::endian::native == std::endian::little, "the shards hold little-endian floats");
  // What tfjs-layers 4.x refuses to load ("Non-default alpha value ... is not
  // supported by the ELU layer yet", "Softmax along a non-last dimension is not
  // yet supported"), refused here with the layer's name instead.
  for (const auto& layer : compiled.model->layers()) {
    const Json c = layer->config();
    if (layer->class_name() == "ELU" && c.at("alpha").get<double>() != 1.0)
      throw Error(ExitCode::usage, "", "",
                  fmt::format("layer {}: TensorFlow.js's ELU layer takes only alpha 1, this one has {}", layer->name(),
                              c.at("alpha").get<double>()));
    const auto rank = static_cast<std::int64_t>(layer->output_shape().size());
    if (layer->class_name() == "Softmax" && c.at("axis") != -1 && c.at("axis") != rank)
      throw Error(ExitCode::usage, "", "",
                  fmt::format("layer {}: TensorFlow.js's Softmax layer works along the last axis only, this one along "
                              "axis {}",
                              layer->name(), c.at("axis").dump()));
  }
  const std::vector<KerasLayer> layers = keras_layers(*compiled.model);
  std::string weights;
  nlohmann::ordered_json manifest = nlohmann::ordered_json::array();
  for (const auto& layer : layers)
    for (const auto& w : layer.weights) {
      // TensorFlow.js names a weight without Keras's ":0" suffix.
      const std::string name = w.name.substr(0, w.name.rfind(':'));
      manifest.push_back({{"name", name}, {"shape", w.shape}, {"dtype", "float32"}});
      weights.append(reinterpret_cast<const char*>(w.values.data()), w.values.size_bytes());
    }
  const std::size_t shards = std::max<std::size_t>(1, (weights.size() + shard_bytes - 1) / shard_bytes);
  std::vector<std::pair<std::string, std::string>> files(1);
  nlohmann::ordered_json paths = nlohmann::ordered_json::array();
  for (std::size_t k = 0; k < shards; ++k) {
    const std::string name = fmt::format("group1-shard{}of{}.bin", k + 1, shards);
    paths.push_back(name);
    const std::size_t begin = std::min(weights.size(), k * shard_bytes);
    files.emplace_back(name, weights.substr(begin, shard_bytes));
  }
  const nlohmann::ordered_json model{
      {"format", "layers-model"},
      {"generatedBy", program_version},
      {"convertedBy", nullptr},
      {"modelTopology",
       {{"keras_version", "2.2.4"}, {"backend", "tensorflow"}, {"model_config", keras_model_config(layers)}}},
      {"weightsManifest", nlohmann::ordered_json::array({{{"paths", paths}, {"weights", manifest}}})},
      // The scaling mlp applied to raw 0-255 pixels: value / (255 / (high - low)) + low; and all it does to the input.
      {"userDefinedMetadata",
       {{"mlp_input_range", {compiled.preprocessing.low, compiled.preprocessing.high}},
        {"mlp_preprocessing", mlp_preprocessing(compiled)}}}};
  files[0] = {"model.json", model.dump()};
  return files;
}

}  // namespace mlp
