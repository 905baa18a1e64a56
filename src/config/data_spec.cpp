#include "config/data_spec.h"

#include <filesystem>

#include "core/error.h"

namespace mlp {
namespace {

bool ends_with_any(const std::string& s, std::initializer_list<const char*> endings) {
  for (const char* e : endings)
    if (s.ends_with(e)) return true;
  return false;
}

// Without "format": what the keys and the file names say.
DataFormat guess_format(const Json& value, const std::string& key_path) {
  if (value.contains("images") || value.contains("labels")) return DataFormat::idx;
  const auto text = [&](const char* key) { return value.contains(key) && value[key].is_string() ? value[key].get<std::string>() : ""; };
  const DataFormat by_path = format_of_file(text("path"));
  if (by_path == DataFormat::csv || by_path == DataFormat::npz) return by_path;
  if (format_of_file(text("x")) == DataFormat::npy) return DataFormat::npy;
  throw ConfigError(key_path, "which format? give \"format\": \"idx\", \"csv\", \"npy\" or \"npz\"");
}

void check_target(const Json& target, const std::string& path) {
  const auto one = [&](const Json& t, const std::string& p) {
    if (t.is_string()) {
      if (t.get<std::string>().empty()) throw ConfigError(p, "an empty column name");
    } else if (t.is_number_integer()) {
      read_integer(t, p, -(std::int64_t{1} << 20), (std::int64_t{1} << 20) - 1);
    } else {
      throw ConfigError(p, "expected a column name or index, got " + json_type_name(t));
    }
  };
  if (!target.is_array()) return one(target, path);
  if (target.empty()) throw ConfigError(path, "an empty list: name at least one target column");
  if (target.size() > (std::size_t{1} << 16)) throw ConfigError(path, "more than 65536 target columns");
  for (std::size_t i = 0; i < target.size(); ++i) one(target[i], index_path(path, i));
}

}  // namespace

DataFormat format_of_file(const std::string& file) {
  if (ends_with_any(file, {".csv", ".csv.gz", ".tsv", ".txt", ".txt.gz"})) return DataFormat::csv;
  if (ends_with_any(file, {".npz"})) return DataFormat::npz;
  if (ends_with_any(file, {".npy", ".npy.gz"})) return DataFormat::npy;
  return DataFormat::idx;
}

std::string resolve_path(const std::string& base_dir, const std::string& path) {
  namespace fs = std::filesystem;
  fs::path p(path);
  if (p.is_relative() && !base_dir.empty()) p = fs::path(base_dir) / p;
  std::error_code error;
  const fs::path absolute = fs::absolute(p, error);
  return (error ? p : absolute).lexically_normal().string();
}

const char* format_name(DataFormat format) {
  switch (format) {
    case DataFormat::idx: return "idx";
    case DataFormat::csv: return "csv";
    case DataFormat::npy: return "npy";
    case DataFormat::npz: return "npz";
  }
  return "?";
}

DataSpec read_data_spec(const Json& value, const std::string& key_path, const std::string& base_dir) {
  ObjectReader reader(value, key_path);
  DataSpec spec;
  if (reader.has("format")) {
    const std::string format = reader.string("format");
    if (format == "idx") spec.format = DataFormat::idx;
    else if (format == "csv") spec.format = DataFormat::csv;
    else if (format == "npy") spec.format = DataFormat::npy;
    else if (format == "npz") spec.format = DataFormat::npz;
    else throw ConfigError(reader.path("format"), "expected \"idx\", \"csv\", \"npy\" or \"npz\", got \"" + format + "\"");
  } else {
    spec.format = guess_format(value, key_path);
  }
  const auto file = [&](const char* key) { return resolve_path(base_dir, reader.string(key)); };
  switch (spec.format) {
    case DataFormat::idx:
      spec.images = file("images");
      spec.labels = file("labels");
      break;
    case DataFormat::csv: {
      spec.path = file("path");
      spec.target = reader.value("target");
      check_target(spec.target, reader.path("target"));
      spec.header = reader.boolean("header", true);
      const std::string delimiter = reader.string("delimiter", ",");
      if (delimiter.size() != 1 || delimiter == "\"" || delimiter == "\n" || delimiter == "\r")
        throw ConfigError(reader.path("delimiter"), "expected one character other than a quote or a line break, got \"" +
                                                        delimiter + "\"");
      spec.delimiter = delimiter[0];
      if (!spec.header)
        for (const Json& t : spec.target.is_array() ? spec.target : Json::array({spec.target}))
          if (t.is_string())
            throw ConfigError(reader.path("target"), "names a column, and \"header\" is false: give its index (from 0)");
      break;
    }
    case DataFormat::npy:
      spec.x = file("x");
      spec.y = file("y");
      break;
    case DataFormat::npz:
      spec.path = file("path");
      spec.x = reader.string("x", "x");
      spec.y = reader.string("y", "y");
      break;
  }
  reader.finish();
  return spec;
}

std::vector<std::string> DataSpec::files() const {
  switch (format) {
    case DataFormat::idx: return {images, labels};
    case DataFormat::npy: return {x, y};
    default: return {path};
  }
}

const std::string& DataSpec::features_file() const {
  return format == DataFormat::idx ? images : format == DataFormat::npy ? x : path;
}

Json DataSpec::to_json() const {
  switch (format) {
    case DataFormat::idx: return {{"images", images}, {"labels", labels}};
    case DataFormat::csv:
      return {{"format", "csv"}, {"path", path}, {"target", target}, {"header", header}, {"delimiter", std::string(1, delimiter)}};
    case DataFormat::npy: return {{"format", "npy"}, {"x", x}, {"y", y}};
    case DataFormat::npz: return {{"format", "npz"}, {"path", path}, {"x", x}, {"y", y}};
  }
  return nullptr;
}

}  // namespace mlp
