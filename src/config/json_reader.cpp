#include "config/json_reader.h"

#include <cmath>

#include <fmt/format.h>

#include "config/suggest.h"
#include "core/error.h"
#include "core/strings.h"

namespace mlp {

std::string child_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

std::string index_path(const std::string& parent, std::size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

std::string json_type_name(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "an integer";
    case Json::value_t::number_float: return "a number";
    case Json::value_t::string: return "a string";
    case Json::value_t::array: return "an array";
    case Json::value_t::object: return "an object";
    default: return "an unsupported value";
  }
}

ObjectReader::ObjectReader(const Json& object, std::string path) : object_(object), path_(std::move(path)) {
  if (!object_.is_object())
    throw ConfigError(path_.empty() ? "(top level)" : path_, "expected an object, got " + json_type_name(object_));
}

const Json* ObjectReader::optional_value(const std::string& key) {
  known_.insert(key);
  auto it = object_.find(key);
  return it == object_.end() ? nullptr : &*it;
}

const Json& ObjectReader::value(const std::string& key) {
  if (const Json* v = optional_value(key)) return *v;
  throw ConfigError(path(key), "missing required key");
}

std::string ObjectReader::string(const std::string& key, std::optional<std::string> fallback) {
  const Json* v = optional_value(key);
  if (!v) {
    if (fallback) return *fallback;
    throw ConfigError(path(key), "missing required key");
  }
  if (!v->is_string()) throw ConfigError(path(key), "expected a string, got " + json_type_name(*v));
  return v->get<std::string>();
}

std::int64_t read_integer(const Json& v, const std::string& path, std::int64_t min, std::int64_t max) {
  std::int64_t value = 0;
  if (v.is_number_integer()) {
    if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
      throw ConfigError(path, fmt::format("{} is out of range [{}, {}]", v.dump(), min, max));
    value = v.get<std::int64_t>();
  } else if (v.is_number_float()) {
    const double d = v.get<double>();
    if (!std::isfinite(d) || d != std::floor(d))
      throw ConfigError(path, "expected an integer, got " + v.dump());
    if (d < static_cast<double>(min) || d > static_cast<double>(max))
      throw ConfigError(path, fmt::format("{} is out of range [{}, {}]", v.dump(), min, max));
    value = static_cast<std::int64_t>(d);
  } else {
    throw ConfigError(path, "expected an integer, got " + json_type_name(v));
  }
  if (value < min || value > max) throw ConfigError(path, fmt::format("{} is out of range [{}, {}]", value, min, max));
  return value;
}

double read_number(const Json& v, const std::string& path, double min, double max) {
  if (!v.is_number()) throw ConfigError(path, "expected a number, got " + json_type_name(v));
  const double value = v.get<double>();
  if (!std::isfinite(value) || value < min || value > max)
    throw ConfigError(path, fmt::format("{} is out of range [{}, {}]", v.dump(), min, max));
  return value;
}

std::int64_t ObjectReader::integer(const std::string& key, std::optional<std::int64_t> fallback, std::int64_t min,
                                   std::int64_t max) {
  const Json* v = optional_value(key);
  if (!v) {
    if (fallback) return *fallback;
    throw ConfigError(path(key), "missing required key");
  }
  return read_integer(*v, path(key), min, max);
}

double ObjectReader::number(const std::string& key, std::optional<double> fallback, double min, double max) {
  const Json* v = optional_value(key);
  if (!v) {
    if (fallback) return *fallback;
    throw ConfigError(path(key), "missing required key");
  }
  return read_number(*v, path(key), min, max);
}

bool ObjectReader::boolean(const std::string& key, std::optional<bool> fallback) {
  const Json* v = optional_value(key);
  if (!v) {
    if (fallback) return *fallback;
    throw ConfigError(path(key), "missing required key");
  }
  if (!v->is_boolean()) throw ConfigError(path(key), "expected true or false, got " + json_type_name(*v));
  return v->get<bool>();
}

void ObjectReader::finish() const {
  for (const auto& [key, value] : object_.items()) {
    if (known_.count(key)) continue;
    const std::vector<std::string> known(known_.begin(), known_.end());
    throw ConfigError(path(key), "unknown key" + did_you_mean(key, known) +
                                     (known.empty() ? "" : "; known keys here: " + join(known, ", ")));
  }
}

}  // namespace mlp
