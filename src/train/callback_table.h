// fit.callbacks: Keras's callbacks by class name, each built from its config
// object by the maker in its own file; the table is in callback_table.cpp.
#pragma once

#include <memory>
#include <ostream>
#include <vector>

#include "config/json_reader.h"
#include "nn/registry.h"
#include "train/callback.h"

namespace mlp {

// What a callback from the config may use of the run.
struct CallbackEnv {
  std::ostream* out = nullptr;  // stdout, for Keras's printed lines; null when only checking the config
};

using CallbackMaker = std::unique_ptr<Callback> (*)(ObjectReader& reader, const CallbackEnv& env);

const NameTable<CallbackMaker>& callback_table();

// Builds fit.callbacks (a list of {"type": NAME, ...}); ConfigError at fit.callbacks[i].
std::vector<std::unique_ptr<Callback>> make_callbacks(const Json& list, const CallbackEnv& env);

}  // namespace mlp
