// "did you mean 'relu'?": the nearest known name by edit distance.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mlp {

std::size_t edit_distance(std::string_view a, std::string_view b);  // case-insensitive

// " (did you mean 'relu'?)" when a known name is close to `wrong`, else "".
std::string did_you_mean(std::string_view wrong, const std::vector<std::string>& known);

}  // namespace mlp
