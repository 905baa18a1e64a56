// What EarlyStopping and ReduceLROnPlateau share: the logged value they watch
// (keras@2.2.4:keras/callbacks.py), its direction, and Keras's warning when an
// epoch's logs do not hold it.
#pragma once

#include <optional>
#include <string>

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

}  // namespace mlp
