// fit.callbacks: Keras's callbacks by class name, each built from its config
// object by the maker in its own file; the table is in callback_table.cpp.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "config/json_reader.h"
#include "nn/registry.h"
#include "train/callback.h"

namespace mlp {

// What a callback from the config may use of the run.
struct CallbackEnv {
  std::ostream* out = nullptr;  // stdout, for Keras's printed lines; null when only checking the config
  // The names an epoch's logs hold when fit.callbacks see them (loss, metrics,
  // their val_ forms when validating, and what earlier callbacks add, as lr):
  // a callback that names a logged value checks it against them.
  std::vector<std::string> log_names;
  // Writes the model, with the run's state as of the current epoch's end, to a
  // path (ModelCheckpoint); empty when only checking the config.
  std::function<void(const std::string& path)> save_model;
  // False on an MPI rank other than 0: callbacks decide as everywhere, and
  // rank 0 alone writes their files (CSVLogger's).
  bool writes_files = true;
};

using CallbackMaker = std::unique_ptr<Callback> (*)(ObjectReader& reader, const CallbackEnv& env);

const NameTable<CallbackMaker>& callback_table();

// Builds fit.callbacks (a list of {"type": NAME, ...}); ConfigError at fit.callbacks[i].
// Each callback sees env.log_names with what the callbacks before it add.
std::vector<std::unique_ptr<Callback>> make_callbacks(const Json& list, CallbackEnv env);

}  // namespace mlp
