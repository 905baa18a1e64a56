// A model as the HDF5 file Keras's save_model writes and load_model reads
// (keras@2.2.4:keras/engine/saving.py): root attributes keras_version, backend,
// model_config (the to_json() document) and training_config; the weights under
// /model_weights/<layer>/<layer>/<weight>:0 with the layer_names and
// weight_names attributes that load_weights_from_hdf5_group follows. Written
// through Debian's HDF5 library into memory, then to disk atomically.
#pragma once

#include <string>

#include "train/compiled.h"

namespace mlp {

std::string export_keras_h5(const Compiled& compiled);

}  // namespace mlp
