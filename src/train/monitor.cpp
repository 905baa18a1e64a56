#include "train/monitor.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "core/error.h"

namespace mlp {

bool monitor_maximizes(const std::string& mode, const std::string& monitor) {
  return mode == "max" || (mode == "auto" && monitor.find("acc") != std::string::npos);
}

std::string read_monitor_mode(ObjectReader& reader) {
  std::string mode = reader.string("mode", "auto");
  if (mode != "auto" && mode != "min" && mode != "max")
    throw ConfigError(reader.path("mode"), "expected \"auto\", \"min\" or \"max\", got \"" + mode + "\"");
  return mode;
}

std::optional<double> monitored_value(const Logs& logs, const std::string& monitor, const char* who) {
  const auto it = std::find_if(logs.begin(), logs.end(), [&](const auto& e) { return e.first == monitor; });
  if (it != logs.end()) return it->second;
  std::string available;
  for (const auto& [name, value] : logs) available += (available.empty() ? "" : ",") + name;
  spdlog::warn("{} conditioned on metric `{}` which is not available. Available metrics are: {}", who, monitor,
               available);
  return std::nullopt;
}

}  // namespace mlp
