// The shape of one sample, without the batch dimension ([28, 28], [784]): plain
// data that the config, the data sets and every layer share.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace mlp {

using Shape = std::vector<std::size_t>;

std::size_t shape_size(const Shape& shape);  // the product of the dimensions
std::string shape_text(const Shape& shape);  // "(784, 100)", as Python prints a tuple

}  // namespace mlp
