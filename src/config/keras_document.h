// The document Keras writes with model.to_json() (Keras 2.2.4's and tf.keras
// 2.x's Sequential layouts: keras@2.2.4:keras/engine/network.py
// _updated_config, sequential.py get_config; tf.keras adds an InputLayer entry
// and "module"/"registered_name" keys), read as an mlp config: the layers as
// model.layers (each {"class_name", "config"} becomes {"type", ...its keys}),
// the input shape from the first layer's batch_input_shape (or the
// InputLayer's), Keras's serialized initializers, regularizers and constraints
// in mlp's forms. Keys of mlp's own next to "class_name" and "config" (data,
// compile, fit, seed, name) are kept: a Keras model with its training set.
// Layers are not checked here: the layer table refuses an unknown class by name.
#pragma once

#include "config/json_reader.h"

namespace mlp {

// An object with "class_name" and "config": Keras's, not mlp's (which has "model").
bool is_keras_document(const Json& root);

// Throws ConfigError with the Keras document's key paths ("config.layers[2].config.kernel_initializer").
Json from_keras_document(const Json& root);

}  // namespace mlp
