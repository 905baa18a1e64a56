// Small string helpers every layer of the library uses.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mlp {

std::string to_lower(std::string_view text);  // ASCII only, as names are
std::string join(const std::vector<std::string>& items, std::string_view separator);

}  // namespace mlp
