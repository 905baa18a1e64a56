// A labelled image set kept as the file's bytes (uint8): MNIST training needs no
// float copy of the whole set. Batches are gathered and scaled to floats on the
// way in, through a 256-entry table (input_range maps 0..255 onto [low, high]).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/matrix.h"
#include "data/idx.h"
#include "core/shape.h"

namespace mlp {

struct Preprocessing {
  float low = 0.0f, high = 1.0f;

  // value(x) = x / (255 / (high - low)) + low: for [-1, 1] exactly the tutorial's
  // float32(x) / 127.5 - 1, for [0, 1] x / 255.
  std::array<float, 256> table() const;
};

struct Dataset {
  std::string images_path, labels_path;
  IdxArray images;
  std::vector<std::uint8_t> labels;

  std::size_t size() const { return images.items(); }
  std::size_t features() const { return images.item_size(); }
};

// Loads and cross-checks an image file and a label file: counts agree, each image
// has input_shape's size, every label is below `classes`. Throws DataError.
Dataset load_dataset(const std::string& images_path, const std::string& labels_path, const Shape& input_shape,
                     std::size_t classes);

// An image file alone (for prediction): labels stay empty.
Dataset load_images(const std::string& images_path, const Shape& input_shape);

// Fills x [n x features] with the scaled images of the samples `indices`.
void gather_inputs(const Dataset& data, std::span<const std::uint32_t> indices, const std::array<float, 256>& scale,
                   Matrix& x);

// gather_inputs, and y [n x classes] with the one-hot labels (a single output
// unit gets the label itself).
void gather_batch(const Dataset& data, std::span<const std::uint32_t> indices, const std::array<float, 256>& scale,
                  std::size_t classes, Matrix& x, Matrix& y);

}  // namespace mlp
