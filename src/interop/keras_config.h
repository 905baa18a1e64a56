// A model's architecture as Keras writes it (model.to_json(), keras@2.2.4:
// keras/engine/network.py _updated_config; each layer's get_config() keys in
// its order, the first layer with batch_input_shape and dtype; initializers,
// regularizers and constraints serialized as {"class_name", "config"}): what
// Keras's model_from_json and TensorFlow.js's layers loader rebuild the model
// from. An activation Keras 2.2.4 has no name for (leaky_relu) becomes a linear
// layer followed by LeakyReLU(alpha=0.2), which computes the same.
#pragma once

#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nn/model.h"
#include "train/compiled.h"

namespace mlp {

struct KerasWeight {
  std::string name;  // "dense_1/kernel:0"
  Shape shape;
  std::span<const float> values;
};

struct KerasLayer {
  nlohmann::ordered_json config;  // {"class_name": ..., "config": {...}}, keys in Keras's order
  std::vector<KerasWeight> weights;  // in Keras's order (layer.weights)
};

// The layers in order; throws Error (exit 2) for one Keras cannot express.
std::vector<KerasLayer> keras_layers(const Model& model);

// {"class_name": "Sequential", "config": {"name": "sequential_1", "layers": [...]}}.
nlohmann::ordered_json keras_model_config(const std::vector<KerasLayer>& layers);

// Not Keras's: what mlp does to the input before the first layer, for the Keras
// and TensorFlow.js files (attribute and metadata "mlp_preprocessing"), which
// mlp-import reads back: {"inputs": "bytes" | "values", "input_range": [low,
// high] (applied to bytes: value / (255 / (high - low)) + low), "normalize",
// "shift", "scale" (data.normalize: (x - shift) * scale per feature),
// "class_names"}.
nlohmann::ordered_json mlp_preprocessing(const Compiled& compiled);

}  // namespace mlp
