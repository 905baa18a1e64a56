// A data set as a config names it (data.train, data.test, fit.validation_data):
//   IDX:   {"images": F, "labels": F}                 ("format": "idx" optional)
//   CSV:   {"format": "csv", "path": F, "target": NAME | INDEX | [NAME or INDEX, ...],
//           "header": true, "delimiter": ","}         every other column a feature
//   NumPy: {"format": "npy", "x": F, "y": F}
//          {"format": "npz", "path": F, "x": "x", "y": "y"}  (the arrays' names inside)
// Paths are resolved against the config file's folder. Without "format", "images"
// means IDX, and a "path" or "x" ending in .csv(.gz), .npz or .npy says which.
#pragma once

#include <string>
#include <vector>

#include "config/json_reader.h"

namespace mlp {

enum class DataFormat { idx, csv, npy, npz };

struct DataSpec {
  DataFormat format = DataFormat::idx;
  std::string images, labels;  // idx
  std::string path;            // csv, npz
  std::string x, y;            // npy: the files; npz: the arrays' names
  Json target;                 // csv: a name or index, or a list of them, as written
  bool header = true;          // csv
  char delimiter = ',';        // csv

  // The files it reads, and the one that names it in messages (the features').
  std::vector<std::string> files() const;
  const std::string& features_file() const;
  Json to_json() const;
};

const char* format_name(DataFormat format);

// The format a file's name suggests (.csv, .csv.gz, .tsv, .txt; .npz; .npy; IDX otherwise).
DataFormat format_of_file(const std::string& file);

// Reads the spec at `key_path` (its errors name it); relative paths are taken
// from `base_dir`.
DataSpec read_data_spec(const Json& value, const std::string& key_path, const std::string& base_dir);

// An absolute, normal form of `path` taken from `base_dir` when relative: a
// model file's paths then mean the same from any folder.
std::string resolve_path(const std::string& base_dir, const std::string& path);

}  // namespace mlp
