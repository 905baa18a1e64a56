#include "data/numpy_arrays.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"
#include "core/input_file.h"
#include "data/byte_source.h"
#include "data/targets.h"
#include "data/zip_directory.h"

namespace mlp {

NpyArray read_array(const std::string& file, const std::optional<std::string>& name, bool keep_bytes) {
  if (!name) {
    const std::uint64_t size = check_input_file(file, "a .npy file");
    ByteSource source(file, size);
    return read_npy(source, file, "the array", source.gzip() ? std::nullopt : std::optional<std::uint64_t>(size),
                    keep_bytes);
  }
  const auto members = read_zip_directory(file);
  const auto it = std::find_if(members.begin(), members.end(),
                               [&](const ZipMember& m) { return m.name == *name + ".npy" || m.name == *name; });
  if (it == members.end()) {
    std::string names;
    for (const auto& m : members) names += (names.empty() ? "" : ", ") + m.name.substr(0, m.name.rfind(".npy"));
    throw DataError(file, fmt::format("holds no array named \"{}\" (it holds: {})", *name, names.empty() ? "nothing" : names));
  }
  const std::string what = it->name;
  ByteSource source(file, what, it->data);
  return read_npy(source, file, what, it->data.size, keep_bytes);
}

Dataset dataset_from_arrays(NpyArray x, const std::string& x_name, NpyArray* y, const std::string& y_name,
                            const Shape& input_shape, const TargetNeeds* needs) {
  Dataset data;
  data.features_path = x_name;
  if (x.shape.empty()) throw DataError(x_name, "is a single number, not samples");
  // One value per sample may come as a vector of them.
  if (x.shape.size() == 1 && shape_size(input_shape) == 1) x.shape.push_back(1);
  if (x.shape.size() < 2)
    throw DataError(x_name, fmt::format("has shape ({},): one value per sample, and model.input_shape {} takes {}",
                                        x.shape[0], Json(input_shape).dump(), shape_size(input_shape)));
  if (x.shape[0] == 0) throw DataError(x_name, "holds no samples");
  check_sample_shape(x_name, std::span(x.shape).subspan(1), input_shape);
  data.dims = {x.shape[0]};
  data.dims.insert(data.dims.end(), input_shape.begin(), input_shape.end());
  data.bytes = std::move(x.bytes);
  data.values = std::move(x.values);
  if (!needs) return data;

  data.targets_path = y_name;
  const std::size_t n = data.size();
  if (y->shape.empty() || y->shape[0] != n)
    throw DataError(y_name, fmt::format("holds {} targets for {} samples in {}", y->shape.empty() ? 1 : y->shape[0], n,
                                        x_name));
  if (y->shape.size() > 2) throw DataError(y_name, fmt::format("has {} dimensions; targets are [n] or [n, k]", y->shape.size()));
  const std::size_t width = y->shape.size() == 2 ? y->shape[1] : 1;
  const auto place = [](std::size_t i) { return fmt::format("sample {}", i); };
  if (needs->regression) {
    if (width != needs->outputs)
      throw DataError(y_name, fmt::format("{} targets per sample for a regression model with {} outputs", width,
                                          needs->outputs));
    data.targets = std::move(y->values);
    return data;
  }
  const std::vector<float>& values = y->values;  // read as numbers (keep_bytes off), whatever their type
  if (width == 1) {
    const std::size_t limit = class_limit(needs->outputs);
    data.labels.resize(n);
    for (std::size_t i = 0; i < n; ++i)
      if (!as_class_id(values[i], limit, data.labels[i]))
        throw DataError(y_name, fmt::format("sample {}: class {} is not a whole number from 0 to {} (the model's classes)",
                                            i, values[i], limit - 1));
    return data;
  }
  read_one_hot(values, width, *needs, place, y_name, data);
  return data;
}

}  // namespace mlp
