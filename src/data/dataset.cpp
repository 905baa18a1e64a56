#include "data/dataset.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/error.h"
#include "core/parallel.h"

namespace mlp {

bool Preprocessing::normalization_fits(std::size_t features) const {
  const auto finite = [](const std::vector<float>& v) {
    return std::all_of(v.begin(), v.end(), [](float x) { return std::isfinite(x); });
  };
  return shift.size() == features && scale.size() == features && finite(shift) && finite(scale);
}

float Preprocessing::divisor() const { return static_cast<float>(255.0 / (static_cast<double>(high) - low)); }

std::array<float, 256> Preprocessing::table() const {
  std::array<float, 256> t{};
  const float d = divisor();
  for (int v = 0; v < 256; ++v) t[static_cast<std::size_t>(v)] = static_cast<float>(v) / d + low;
  return t;
}

InputScaling Preprocessing::scaling() const {
  InputScaling s;
  if (byte_inputs) {
    s.table = table();
    s.map_values = true;
    s.divisor = divisor();
    s.low = low;
  } else {
    for (int v = 0; v < 256; ++v) s.table[static_cast<std::size_t>(v)] = static_cast<float>(v);
  }
  s.shift = shift;
  s.scale = scale;
  return s;
}

std::size_t Dataset::feature_count() const {
  std::size_t n = 1;
  for (std::size_t i = 1; i < dims.size(); ++i) n *= dims[i];
  return n;
}

namespace {

std::string dims_text(std::span<const std::size_t> dims) {
  std::string text;
  for (std::size_t i = 0; i < dims.size(); ++i) text += (i ? "x" : "") + std::to_string(dims[i]);
  return text;
}

}  // namespace

void check_sample_shape(const std::string& path, std::span<const std::size_t> sample, const Shape& input_shape) {
  const std::size_t features = shape_size(input_shape);
  std::size_t size = 1;
  for (std::size_t d : sample) size *= d;
  const bool same_rank = sample.size() == input_shape.size();
  if (size != features || (same_rank && !std::equal(sample.begin(), sample.end(), input_shape.begin())))
    throw DataError(path, fmt::format("samples are {}, which does not fit model.input_shape {} ({} values)",
                                      dims_text(sample), dims_text(input_shape), features));
}

Dataset load_images(const std::string& images_path, const Shape& input_shape) {
  const auto dims = read_idx_dims(images_path);
  if (dims.size() < 2) throw DataError(images_path, "holds 1-dimensional data (a labels file?), expected images");
  check_sample_shape(images_path, std::span(dims).subspan(1), input_shape);
  Dataset data;
  data.features_path = images_path;
  IdxArray images = read_idx(images_path);
  data.dims = std::move(images.dims);
  data.bytes = std::move(images.data);
  return data;
}

Dataset load_dataset(const std::string& images_path, const std::string& labels_path, const Shape& input_shape,
                     std::size_t classes) {
  // Both headers first: a mismatch is found before either file's data is read
  // (a small gzip file can hold a gigabyte).
  const auto image_dims = read_idx_dims(images_path);
  if (image_dims.size() < 2) throw DataError(images_path, "holds 1-dimensional data (a labels file?), expected images");
  check_sample_shape(images_path, std::span(image_dims).subspan(1), input_shape);
  const auto label_dims = read_idx_dims(labels_path);
  if (label_dims.size() != 1)
    throw DataError(labels_path, fmt::format("holds {}-dimensional data (an images file?), expected labels",
                                             label_dims.size()));
  if (label_dims[0] != image_dims[0])
    throw DataError(labels_path, fmt::format("{} labels for {} images in {}", label_dims[0], image_dims[0], images_path));
  Dataset data = load_images(images_path, input_shape);
  data.targets_path = labels_path;
  IdxArray labels = read_idx(labels_path);
  if (labels.dims != label_dims) throw DataError(labels_path, "changed while it was read");
  // One output unit means a binary target: the label itself, 0 or 1.
  const std::size_t label_limit = classes == 1 ? 2 : classes;
  for (std::size_t i = 0; i < labels.data.size(); ++i)
    if (labels.data[i] >= label_limit)
      throw DataError(labels_path, fmt::format("label {} of sample {} is beyond the model's {} classes "
                                               "(the last layer's units)",
                                               labels.data[i], i, classes));
  data.labels.assign(labels.data.begin(), labels.data.end());
  return data;
}

void fit_normalization(const Dataset& data, std::span<const std::uint32_t> rows, Preprocessing& preprocessing) {
  preprocessing.shift.clear();
  preprocessing.scale.clear();
  if (preprocessing.normalize.empty()) return;
  const std::size_t features = data.feature_count();
  const InputScaling scaling = preprocessing.scaling();
  const auto value = [&](std::size_t row, std::size_t c) -> double {
    const std::size_t at = row * features + c;
    if (!data.bytes.empty()) return scaling.table[data.bytes[at]];
    return scaling.map_values ? data.values[at] / scaling.divisor + scaling.low : data.values[at];
  };
  std::vector<double> low(features, INFINITY), high(features, -INFINITY), sum(features, 0.0), squares(features, 0.0);
  for (const auto r : rows)
    for (std::size_t c = 0; c < features; ++c) {
      const double v = value(r, c);
      low[c] = std::min(low[c], v);
      high[c] = std::max(high[c], v);
      sum[c] += v;
    }
  const auto n = static_cast<double>(rows.size());
  if (preprocessing.normalize == "standard") {
    // Two passes: no cancellation for features far from zero.
    for (const auto r : rows)
      for (std::size_t c = 0; c < features; ++c) {
        const double d = value(r, c) - sum[c] / n;
        squares[c] += d * d;
      }
    for (std::size_t c = 0; c < features; ++c) {
      const double deviation = std::sqrt(squares[c] / n);
      preprocessing.shift.push_back(static_cast<float>(sum[c] / n));
      preprocessing.scale.push_back(deviation > 0 ? static_cast<float>(1.0 / deviation) : 1.0f);
    }
  } else {
    for (std::size_t c = 0; c < features; ++c) {
      preprocessing.shift.push_back(static_cast<float>(low[c]));
      preprocessing.scale.push_back(high[c] > low[c] ? static_cast<float>(1.0 / (high[c] - low[c])) : 1.0f);
    }
  }
}

void gather_inputs(const Dataset& data, std::span<const std::uint32_t> indices, const InputScaling& scaling, Matrix& x) {
  const std::size_t features = data.feature_count();
  x.resize(indices.size(), features);
  const bool normalized = !scaling.shift.empty();
  // On the pool's threads: each then holds its share of the batch in its cache
  // for the first layer, instead of one thread holding all of it.
  parallel::for_ranges(indices.size(), 1, 2.0 * static_cast<double>(x.size()), [&](std::size_t begin, std::size_t end) {
    for (std::size_t r = begin; r < end; ++r) {
      float* row = x.row(r);
      const std::size_t first = std::size_t{indices[r]} * features;
      if (!data.bytes.empty()) {
        const std::uint8_t* pixels = data.bytes.data() + first;
        for (std::size_t c = 0; c < features; ++c) row[c] = scaling.table[pixels[c]];
      } else if (scaling.map_values) {
        const float* values = data.values.data() + first;
        for (std::size_t c = 0; c < features; ++c) row[c] = values[c] / scaling.divisor + scaling.low;
      } else {
        std::copy_n(data.values.data() + first, features, row);
      }
      if (normalized)
        for (std::size_t c = 0; c < features; ++c) row[c] = (row[c] - scaling.shift[c]) * scaling.scale[c];
    }
  });
}

void gather_batch(const Dataset& data, std::span<const std::uint32_t> indices, const InputScaling& scaling,
                  std::size_t outputs, Matrix& x, Matrix& y) {
  gather_inputs(data, indices, scaling, x);
  y.resize(indices.size(), outputs);
  if (!data.targets.empty()) {
    for (std::size_t r = 0; r < indices.size(); ++r)
      std::copy_n(data.targets.data() + std::size_t{indices[r]} * outputs, outputs, y.row(r));
    return;
  }
  y.fill(0.0f);
  for (std::size_t r = 0; r < indices.size(); ++r) {
    const std::uint32_t label = data.labels[indices[r]];
    if (outputs == 1)
      y(r, 0) = static_cast<float>(label);
    else
      y(r, label) = 1.0f;
  }
}

}  // namespace mlp
