#include "train/monitor.h"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>
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
  if (const double* value = find_log(logs, monitor)) return *value;
  std::string available;
  for (const auto& [name, value] : logs) available += (available.empty() ? "" : ",") + name;
  spdlog::warn("{} conditioned on metric `{}` which is not available. Available metrics are: {}", who, monitor,
               available);
  return std::nullopt;
}


nlohmann::json best_to_state(double best) {
  return std::isfinite(best) ? nlohmann::json(best) : nlohmann::json(nullptr);
}

double best_from_state(const nlohmann::json& values, double unset, const char* who) {
  if (values.is_object() && values.contains("best")) {
    if (values["best"].is_number()) return values["best"].get<double>();
    if (values["best"].is_null()) return unset;
  }
  throw std::invalid_argument(fmt::format("{}'s 'best' is not a number", who));
}

int state_integer(const nlohmann::json& values, const char* key, int min, int max, const char* who) {
  if (!values.is_object() || !values.contains(key) || !values[key].is_number_integer() ||
      values[key].get<std::int64_t>() < min || values[key].get<std::int64_t>() > max)
    throw std::invalid_argument(fmt::format("{}'s '{}' is missing or out of range", who, key));
  return static_cast<int>(values[key].get<std::int64_t>());
}

}  // namespace mlp
