// What the callbacks that watch a logged value share (EarlyStopping,
// ReduceLROnPlateau, ModelCheckpoint: keras@2.2.4:keras/callbacks.py): its
// direction, Keras's warning when an epoch's logs do not hold it, and the
// reading and writing of their checkpointed state.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "config/json_reader.h"
#include "train/callback.h"

namespace mlp {

// Keras's mode: "max", "min", or "auto", which maximizes a monitor whose name holds "acc".
bool monitor_maximizes(const std::string& mode, const std::string& monitor);

// The "mode" key: "auto" (the default), "min" or "max".
std::string read_monitor_mode(ObjectReader& reader);

// logs[monitor]; when the logs lack it, Keras's warning "`who` conditioned on
// metric `monitor` which is not available. Available metrics are: ..." and nothing.
std::optional<double> monitored_value(const Logs& logs, const std::string& monitor, const char* who);

// The best value so far in a checkpoint: null while it is still infinite (none yet).
nlohmann::json best_to_state(double best);
// `values`["best"] as best_to_state wrote it, `unset` for null; throws
// std::invalid_argument naming `who` otherwise.
double best_from_state(const nlohmann::json& values, double unset, const char* who);
// `values`[key], an integer in [min, max]; throws std::invalid_argument naming `who` otherwise.
int state_integer(const nlohmann::json& values, const char* key, int min, int max, const char* who);

}  // namespace mlp
