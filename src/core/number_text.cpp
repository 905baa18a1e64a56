#include "core/number_text.h"

#include <charconv>
#include <cmath>
#include <cstddef>
#include <type_traits>

#include <fmt/format.h>

namespace mlp {

template <class T>
T parse_number_text(std::string_view text, T min, T max) {
  T value{};
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  const char* kind = std::is_integral_v<T> ? "a whole number" : "a number";
  if (error == std::errc::result_out_of_range)
    throw NumberTextError(fmt::format("'{}' is out of range [{}, {}]", text, min, max));
  if (error != std::errc() || stop != end || text.empty())
    throw NumberTextError(fmt::format("'{}' is not {}", text, kind));
  if constexpr (std::is_floating_point_v<T>) {
    if (!std::isfinite(value)) throw NumberTextError(fmt::format("'{}' is not a finite number", text));
  }
  if (value < min || value > max) throw NumberTextError(fmt::format("{} is out of range [{}, {}]", text, min, max));
  return value;
}

template int parse_number_text<int>(std::string_view, int, int);
template long long parse_number_text<long long>(std::string_view, long long, long long);
template std::size_t parse_number_text<std::size_t>(std::string_view, std::size_t, std::size_t);
template double parse_number_text<double>(std::string_view, double, double);

}  // namespace mlp
