#include "data/dataset.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/parallel.h"

namespace mlp {

std::array<float, 256> Preprocessing::table() const {
  std::array<float, 256> t{};
  const auto divisor = static_cast<float>(255.0 / (static_cast<double>(high) - low));
  for (int v = 0; v < 256; ++v) t[static_cast<std::size_t>(v)] = static_cast<float>(v) / divisor + low;
  return t;
}

namespace {

std::string dims_text(std::span<const std::size_t> dims) {
  std::string text;
  for (std::size_t i = 0; i < dims.size(); ++i) text += (i ? "x" : "") + std::to_string(dims[i]);
  return text;
}

// Checks an image file's header against the model's input: images of the
// input's size, and of its shape when both have the same number of dimensions
// (28x28 images fit [784] or [28, 28], not [14, 56]).
void check_image_dims(const std::string& images_path, const std::vector<std::size_t>& dims, const Shape& input_shape) {
  if (dims.size() < 2) throw DataError(images_path, "holds 1-dimensional data (a labels file?), expected images");
  const auto image = std::span(dims).subspan(1);
  const std::size_t features = shape_size(input_shape);
  std::size_t size = 1;
  for (std::size_t d : image) size *= d;
  const bool same_rank = image.size() == input_shape.size();
  if (size != features || (same_rank && !std::equal(image.begin(), image.end(), input_shape.begin())))
    throw DataError(images_path, fmt::format("images are {}, which does not fit model.input_shape {} ({} values)",
                                             dims_text(image), dims_text(input_shape), features));
}

}  // namespace

Dataset load_images(const std::string& images_path, const Shape& input_shape) {
  check_image_dims(images_path, read_idx_dims(images_path), input_shape);
  Dataset data;
  data.images_path = images_path;
  data.images = read_idx(images_path);
  return data;
}

Dataset load_dataset(const std::string& images_path, const std::string& labels_path, const Shape& input_shape,
                     std::size_t classes) {
  // Both headers first: a mismatch is found before either file's data is read
  // (a small gzip file can hold a gigabyte).
  const auto image_dims = read_idx_dims(images_path);
  check_image_dims(images_path, image_dims, input_shape);
  const auto label_dims = read_idx_dims(labels_path);
  if (label_dims.size() != 1)
    throw DataError(labels_path, fmt::format("holds {}-dimensional data (an images file?), expected labels",
                                             label_dims.size()));
  if (label_dims[0] != image_dims[0])
    throw DataError(labels_path, fmt::format("{} labels for {} images in {}", label_dims[0], image_dims[0], images_path));
  Dataset data = load_images(images_path, input_shape);
  data.labels_path = labels_path;
  IdxArray labels = read_idx(labels_path);
  if (labels.dims != label_dims) throw DataError(labels_path, "changed while it was read");
  // One output unit means a binary target: the label itself, 0 or 1.
  const std::size_t label_limit = classes == 1 ? 2 : classes;
  for (std::size_t i = 0; i < labels.data.size(); ++i)
    if (labels.data[i] >= label_limit)
      throw DataError(labels_path, fmt::format("label {} of sample {} is beyond the model's {} classes "
                                               "(the last layer's units)",
                                               labels.data[i], i, classes));
  data.labels = std::move(labels.data);
  return data;
}

void gather_inputs(const Dataset& data, std::span<const std::uint32_t> indices, const std::array<float, 256>& scale,
                   Matrix& x) {
  const std::size_t features = data.features();
  x.resize(indices.size(), features);
  // On the pool's threads: each then holds its share of the batch in its cache
  // for the first layer, instead of one thread holding all of it.
  parallel::for_ranges(indices.size(), 1, 2.0 * static_cast<double>(x.size()), [&](std::size_t begin, std::size_t end) {
    for (std::size_t r = begin; r < end; ++r) {
      const std::uint8_t* pixels = data.images.data.data() + std::size_t{indices[r]} * features;
      float* row = x.row(r);
      for (std::size_t c = 0; c < features; ++c) row[c] = scale[pixels[c]];
    }
  });
}

void gather_batch(const Dataset& data, std::span<const std::uint32_t> indices, const std::array<float, 256>& scale,
                  std::size_t classes, Matrix& x, Matrix& y) {
  gather_inputs(data, indices, scale, x);
  y.resize(indices.size(), classes);
  y.fill(0.0f);
  for (std::size_t r = 0; r < indices.size(); ++r) {
    const std::uint8_t label = data.labels[indices[r]];
    if (classes == 1)
      y(r, 0) = label;
    else
      y(r, label) = 1.0f;
  }
}

}  // namespace mlp
