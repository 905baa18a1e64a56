// A CSV table as a data set (data/load_data.h): every column a feature but the
// target columns, named by the header or given by index (negative from the end).
#pragma once

#include "config/data_spec.h"
#include "core/shape.h"
#include "data/dataset.h"
#include "data/load_data.h"

namespace mlp {

// `needs` null: features only, the target columns (if the file has them) left out.
Dataset read_csv_table(const DataSpec& spec, const Shape& input_shape, const TargetNeeds* needs);

}  // namespace mlp
