// Numbers as a user types them on the command line, read one way for every flag.
#pragma once

#include <stdexcept>
#include <string_view>

namespace mlp {

// Why a text is not a number the caller accepts: "'010x' is not a whole number".
struct NumberTextError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// Decimal digits only (a leading zero is not octal, no hex, no sign '+', no
// spaces), the whole text, finite, within [min, max]; a value outside the type
// is refused, never clamped. Defined for int, long long, std::size_t, double.
template <class T>
T parse_number_text(std::string_view text, T min, T max);

}  // namespace mlp
