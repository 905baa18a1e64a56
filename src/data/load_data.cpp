#include "data/load_data.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"
#include "data/csv_reader.h"
#include "data/csv_table.h"
#include "data/numpy_arrays.h"
#include "data/zip_directory.h"

namespace mlp {

bool holds_targets(const std::string& file, DataFormat format, const DataSpec& training) {
  if (format != training.format) return false;
  if (format == DataFormat::npz) {
    const auto members = read_zip_directory(file);
    return std::any_of(members.begin(), members.end(),
                       [&](const ZipMember& m) { return m.name == training.y + ".npy" || m.name == training.y; });
  }
  if (format != DataFormat::csv) return false;
  CsvReader reader(file, training.delimiter);
  std::vector<std::string_view> fields;
  if (!reader.next(fields)) return false;
  const Json targets = training.target.is_array() ? training.target : Json::array({training.target});
  for (const Json& t : targets) {
    if (t.is_string() ? std::find(fields.begin(), fields.end(), t.get<std::string>()) == fields.end()
                      : (t.get<std::int64_t>() >= static_cast<std::int64_t>(fields.size()) ||
                         t.get<std::int64_t>() < -static_cast<std::int64_t>(fields.size())))
      return false;
  }
  return true;
}

Dataset load_data(const DataSpec& spec, const Shape& input_shape, const TargetNeeds& needs) {
  switch (spec.format) {
    case DataFormat::idx: {
      Dataset data = load_dataset(spec.images, spec.labels, input_shape, needs.regression ? 256 : needs.outputs);
      if (needs.regression) {
        // Labels as values: the label itself for one output, one-hot rows for more
        // (what a Keras user fits with to_categorical and mse).
        data.targets.assign(data.size() * needs.outputs, 0.0f);
        for (std::size_t i = 0; i < data.size(); ++i) {
          if (needs.outputs == 1) data.targets[i] = static_cast<float>(data.labels[i]);
          else if (data.labels[i] < needs.outputs) data.targets[i * needs.outputs + data.labels[i]] = 1.0f;
          else throw DataError(spec.labels, fmt::format("label {} of sample {} is beyond the model's {} outputs",
                                                        data.labels[i], i, needs.outputs));
        }
        data.labels.clear();
      }
      return data;
    }
    case DataFormat::csv: return read_csv_table(spec, input_shape, &needs);
    case DataFormat::npy: {
      NpyArray y = read_array(spec.y, std::nullopt, false);
      return dataset_from_arrays(read_array(spec.x, std::nullopt, true), spec.x, &y, spec.y, input_shape, &needs);
    }
    case DataFormat::npz: {
      NpyArray y = read_array(spec.path, spec.y, false);
      return dataset_from_arrays(read_array(spec.path, spec.x, true), spec.path + " (" + spec.x + ")", &y,
                                 spec.path + " (" + spec.y + ")", input_shape, &needs);
    }
  }
  throw DataError(spec.features_file(), "unknown data format");
}

Dataset load_features(const std::string& file, DataFormat format, const Shape& input_shape, const DataSpec* training) {
  switch (format) {
    case DataFormat::idx: return load_images(file, input_shape);
    case DataFormat::csv: {
      DataSpec spec;
      if (training && training->format == DataFormat::csv) spec = *training;
      else spec.target = Json::array();
      spec.format = DataFormat::csv;
      spec.path = file;
      return read_csv_table(spec, input_shape, nullptr);
    }
    case DataFormat::npy: return dataset_from_arrays(read_array(file, std::nullopt, true), file, nullptr, "", input_shape, nullptr);
    case DataFormat::npz: {
      const std::string x = training && training->format == DataFormat::npz ? training->x : "x";
      return dataset_from_arrays(read_array(file, x, true), file + " (" + x + ")", nullptr, "", input_shape, nullptr);
    }
  }
  throw DataError(file, "unknown data format");
}

}  // namespace mlp
