// libFuzzer target: the command-line number reading. Whatever the text, a number
// comes back only if it is in range (and finite), and an integer only from a text
// of decimal digits with an optional leading '-'; anything else is a
// NumberTextError, never another exception or a crash.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string_view>
#include <type_traits>

#include "core/number_text.h"

namespace {

bool decimal_digits(std::string_view text) {
  if (text.starts_with('-')) text.remove_prefix(1);
  if (text.empty()) return false;
  for (const char c : text)
    if (c < '0' || c > '9') return false;
  return true;
}

template <class T>
void check(std::string_view text, T min, T max) {
  try {
    const T value = mlp::parse_number_text<T>(text, min, max);
    if (value < min || value > max) std::abort();
    if constexpr (std::is_integral_v<T>) {
      if (!decimal_digits(text)) std::abort();
    } else {
      if (!std::isfinite(value)) std::abort();
    }
  } catch (const mlp::NumberTextError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check<int>(text, 1, 1000);
  check<int>(text, std::numeric_limits<int>::lowest(), std::numeric_limits<int>::max());
  check<long long>(text, std::numeric_limits<long long>::lowest(), std::numeric_limits<long long>::max());
  check<std::size_t>(text, 0, std::numeric_limits<std::size_t>::max());
  check<double>(text, 0.0, 1.0);
  check<double>(text, std::numeric_limits<double>::lowest(), std::numeric_limits<double>::max());
  return 0;
}
