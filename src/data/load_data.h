// A data set read from the files a DataSpec names (IDX, CSV, NumPy .npy or
// .npz), checked against the model: each sample's features fit its input shape,
// the targets fit its outputs. Targets are read as the task asks:
//  - classification: class ids (integers from 0), CSV text classes (numbered in
//    order of first appearance, or by the training data's names), or one-hot
//    rows; a single output unit (binary) takes classes 0 and 1;
//  - regression: float values, as many per sample as the model has outputs.
// Every refusal is a DataError naming the file and, for CSV, line and column.
#pragma once

#include <string>
#include <vector>

#include "config/data_spec.h"
#include "core/shape.h"
#include "data/dataset.h"

namespace mlp {

struct TargetNeeds {
  std::size_t outputs = 0;   // the last layer's units
  bool regression = false;
  // The training data's class names (the model file keeps them): text classes
  // must be among them. Empty: numbered as they first appear.
  std::vector<std::string> class_names;
};

Dataset load_data(const DataSpec& spec, const Shape& input_shape, const TargetNeeds& needs);

// Features alone, for prediction: `file` in `format` (IDX images, a CSV table, an
// .npy array, the array named like the training spec's x in an .npz). A CSV's
// target columns, when it has the training spec's, are left out.
Dataset load_features(const std::string& file, DataFormat format, const Shape& input_shape, const DataSpec* training);

// Whether `file` holds the targets the training spec names: a CSV with its
// target columns (by header name, or by count without a header), an .npz with
// its y array. IDX and .npy files hold features alone.
bool holds_targets(const std::string& file, DataFormat format, const DataSpec& training);

}  // namespace mlp
