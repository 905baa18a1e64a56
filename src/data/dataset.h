// A data set in memory, as compact as its file allows: IDX images (and uint8
// NumPy arrays) stay bytes, scaled to floats on the way into a batch through a
// 256-entry table (input_range maps 0..255 onto [low, high]); CSV tables and
// other arrays are float32 values. Targets are class ids (labels) or, for
// regression, float values. Batches are gathered from it by sample index.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/matrix.h"
#include "core/shape.h"
#include "data/idx.h"

namespace mlp {

// How stored features become the model's input. A model trained on bytes (IDX
// images, uint8 arrays) reads any input through input_range's map, bytes by a
// table and numbers by the same formula, so a CSV of pixel values means what
// the images did; a model trained on numbers takes them as they are (bytes as
// their values). Then, with data.normalize, each feature c becomes
// (v - shift[c]) * scale[c].
struct InputScaling {
  InputScaling() = default;
  InputScaling(const std::array<float, 256>& byte_table) : table(byte_table) {}  // NOLINT: a table is a scaling
  std::array<float, 256> table{};
  bool map_values = false;          // numbers go through v / divisor + low
  float divisor = 1.0f, low = 0.0f;
  std::vector<float> shift, scale;  // per feature; empty: not normalized
};

struct Preprocessing {
  float low = 0.0f, high = 1.0f;
  std::string normalize;            // "", "standard" or "minmax" (data.normalize)
  std::vector<float> shift, scale;  // fitted on the training split; empty until then
  bool byte_inputs = true;          // the training data's features were bytes: input_range applies

  // value(x) = x / (255 / (high - low)) + low: for [-1, 1] exactly the tutorial's
  // float32(x) / 127.5 - 1, for [0, 1] x / 255.
  std::array<float, 256> table() const;
  float divisor() const;
  // shift and scale fit `features` inputs and are finite (as a file must hold them).
  bool normalization_fits(std::size_t features) const;
  InputScaling scaling() const;
};

struct Dataset {
  std::string features_path, targets_path;  // where they came from, for messages
  std::vector<std::size_t> dims;            // [samples, one sample's shape...]
  std::vector<std::uint8_t> bytes;          // the features as bytes (IDX, uint8 arrays), or
  std::vector<float> values;                // as numbers (CSV, other arrays)
  std::vector<std::uint32_t> labels;        // class targets, one per sample, or
  std::vector<float> targets;               // value targets (regression), samples x target_width()
  std::vector<std::string> class_names;     // the names CSV class targets had, by class id

  std::size_t size() const { return dims.empty() ? 0 : dims[0]; }
  std::size_t feature_count() const;  // the product of dims[1..]
  std::size_t target_width() const { return size() ? targets.size() / size() : 0; }
  bool labelled() const { return !labels.empty() || !targets.empty(); }
};

// Loads and cross-checks an IDX image file and label file: counts agree, each
// image has input_shape's size, every label is below `classes`. Throws DataError.
Dataset load_dataset(const std::string& images_path, const std::string& labels_path, const Shape& input_shape,
                     std::size_t classes);

// An IDX image file alone (for prediction): no targets.
Dataset load_images(const std::string& images_path, const Shape& input_shape);

// Checks a sample shape read from a file against the model's input: the same
// size, and the same shape when both have as many dimensions ([28, 28] images fit
// [784] or [28, 28], not [14, 56]). Throws DataError naming `path`.
void check_sample_shape(const std::string& path, std::span<const std::size_t> sample, const Shape& input_shape);

// data.normalize's shift and scale per feature over the samples `rows` (the
// training split), on the values scaling() gives them: "standard" (x - mean) / std
// with the population standard deviation, "minmax" (x - min) / (max - min), as
// scikit-learn's StandardScaler and MinMaxScaler; a constant feature gets scale 1.
void fit_normalization(const Dataset& data, std::span<const std::uint32_t> rows, Preprocessing& preprocessing);

// Fills x [n x features] with the scaled samples `indices`.
void gather_inputs(const Dataset& data, std::span<const std::uint32_t> indices, const InputScaling& scaling, Matrix& x);

// gather_inputs, and y [n x outputs]: one-hot labels (a single output unit gets
// the label itself), or the target values.
void gather_batch(const Dataset& data, std::span<const std::uint32_t> indices, const InputScaling& scaling,
                  std::size_t outputs, Matrix& x, Matrix& y);

}  // namespace mlp
