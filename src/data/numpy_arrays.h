// NumPy arrays as a data set (data/load_data.h): x holds the samples along its
// first axis, each of the model's input shape; y the targets, [n] or [n, k].
#pragma once

#include <optional>
#include <string>

#include "config/data_spec.h"
#include "core/shape.h"
#include "data/dataset.h"
#include "data/load_data.h"
#include "data/npy.h"

namespace mlp {

// One array: a .npy file (gzip allowed), or the member `name` (+ ".npy") of an
// .npz archive when `archive` is given.
NpyArray read_array(const std::string& file, const std::optional<std::string>& name, bool keep_bytes);

// Features from x (their sample shape checked), and with `needs` targets from y.
Dataset dataset_from_arrays(NpyArray x, const std::string& x_name, NpyArray* y, const std::string& y_name,
                            const Shape& input_shape, const TargetNeeds* needs);

}  // namespace mlp
