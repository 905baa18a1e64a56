// Reads one JSON object of the config while tracking where it is
// ("model.layers[2].units"), so every error names its key path, and refuses keys
// nobody asked for (with the nearest known key as a suggestion).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mlp {

using Json = nlohmann::json;

std::string child_path(const std::string& parent, const std::string& key);
std::string index_path(const std::string& parent, std::size_t index);
std::string json_type_name(const Json& value);

class ObjectReader {
 public:
  // Throws ConfigError unless `object` is a JSON object.
  ObjectReader(const Json& object, std::string path);

  const std::string& path() const { return path_; }
  std::string path(const std::string& key) const { return child_path(path_, key); }
  bool has(const std::string& key) const { return object_.contains(key); }

  // Each getter marks the key as known; a missing key takes the fallback, or is an
  // error when there is none.
  std::string string(const std::string& key, std::optional<std::string> fallback = std::nullopt);
  std::int64_t integer(const std::string& key, std::optional<std::int64_t> fallback, std::int64_t min,
                       std::int64_t max);
  double number(const std::string& key, std::optional<double> fallback, double min, double max);
  bool boolean(const std::string& key, std::optional<bool> fallback = std::nullopt);
  const Json& value(const std::string& key);  // required, any type
  const Json* optional_value(const std::string& key);
  void ignore(const std::string& key) { known_.insert(key); }

  // Throws for the first key that no getter asked for.
  void finish() const;

 private:
  const Json& object_;
  std::string path_;
  std::set<std::string> known_;
};

// Checks a value's type/range where it is not inside an ObjectReader.
std::int64_t read_integer(const Json& value, const std::string& path, std::int64_t min, std::int64_t max);
double read_number(const Json& value, const std::string& path, double min, double max);

}  // namespace mlp
