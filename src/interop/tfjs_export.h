// A model in TensorFlow.js's layers format, as tensorflowjs_converter writes a
// Keras model: model.json (format "layers-model"; modelTopology holding the
// Keras to_json() document; a weightsManifest naming each weight, its shape and
// dtype, in the order of the shards' bytes) and the weights as little-endian
// float32 in shards of at most 4 MiB (group1-shard1of2.bin, ...).
// tf.loadLayersModel reads the folder; tf.io.fromMemory the same content.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "train/compiled.h"

namespace mlp {

// (file name, bytes) pairs: model.json first, then the shards.
std::vector<std::pair<std::string, std::string>> export_tfjs(const Compiled& compiled);

}  // namespace mlp
