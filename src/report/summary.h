// Keras 2.2.4's model.summary() table for a Sequential model
// (keras@2.2.4:keras/utils/layer_utils.py print_summary, l.24-184).
#pragma once

#include <ostream>

#include "nn/model.h"

namespace mlp {

void print_summary(const Model& model, std::ostream& out);

}  // namespace mlp
