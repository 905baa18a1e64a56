// A Keras HDF5 model file (what keras@2.2.4:keras/engine/saving.py save_model
// writes, or tf.keras 2.x's .h5) as an mlp model: the architecture from the
// root's model_config (config/keras_document), the compile settings from its
// training_config when it has one, the weights by Keras's own loader's rules
// (load_weights_from_hdf5_group: the layers with weights, in order, each
// group's weight_names, every weight float32 and of the shape its layer needs).
// Anything else is refused, never loaded silently.
#pragma once

#include <string>
#include <vector>

#include "io/saved_model.h"

namespace mlp {

// `overrides`: --set assignments on the config made from the file (data,
// input_range, compile, fit). Throws Error (exit 2) naming the file and the
// object or attribute at fault.
LoadedModel import_keras_h5(const std::string& path, const std::vector<std::string>& overrides);

}  // namespace mlp
