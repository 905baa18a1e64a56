// parse_number_text: the one reading of numbers typed on the command line.
#include <catch2/catch.hpp>

#include <cstddef>
#include <limits>
#include <string>

#include "core/number_text.h"

using mlp::NumberTextError;
using mlp::parse_number_text;

namespace {

template <class T>
std::string refusal(const std::string& text, T min, T max) {
  try {
    parse_number_text<T>(text, min, max);
  } catch (const NumberTextError& e) {
    return e.what();
  }
  return "accepted";
}

constexpr long long ll_min = std::numeric_limits<long long>::lowest(), ll_max = std::numeric_limits<long long>::max();

}  // namespace

TEST_CASE("whole numbers are decimal, whole, and in range") {
  CHECK(parse_number_text<int>("10", 0, 100) == 10);
  CHECK(parse_number_text<int>("010", 0, 100) == 10);  // not octal 8
  CHECK(parse_number_text<int>("-7", -10, 10) == -7);
  CHECK(parse_number_text<long long>("9223372036854775807", ll_min, ll_max) == ll_max);
  CHECK(parse_number_text<std::size_t>("18446744073709551615", 0, std::numeric_limits<std::size_t>::max()) ==
        std::numeric_limits<std::size_t>::max());
  for (const std::string text : {"", " 1", "1 ", "+1", "0x10", "1e3", "1.0", "1.5", "ten", "--1", "1-"}) {
    INFO("'" << text << "'");
    CHECK(refusal<int>(text, 0, 100000) == "'" + text + "' is not a whole number");
  }
  CHECK(refusal<long long>("9223372036854775808", ll_min, ll_max) ==
        "'9223372036854775808' is out of range [-9223372036854775808, 9223372036854775807]");
  CHECK(refusal<std::size_t>("-1", 0, 10) == "'-1' is not a whole number");
  CHECK(refusal<int>("101", 0, 100) == "101 is out of range [0, 100]");
  CHECK(refusal<int>("-1", 0, 100) == "-1 is out of range [0, 100]");
}

TEST_CASE("numbers are finite and in range, and never clamped") {
  CHECK(parse_number_text<double>("0.25", 0, 1) == 0.25);
  CHECK(parse_number_text<double>("1e-3", 0, 1) == 0.001);
  CHECK(parse_number_text<double>("-0.5", -1, 1) == -0.5);
  for (const std::string text : {"nan", "NaN", "inf", "-inf", "infinity"}) {
    INFO("'" << text << "'");
    CHECK(refusal<double>(text, -1e300, 1e300) == "'" + text + "' is not a finite number");
  }
  CHECK(refusal<double>("1e400", 0, 1) == "'1e400' is out of range [0, 1]");
  CHECK(refusal<double>("1.5", 0, 1) == "1.5 is out of range [0, 1]");
  CHECK(refusal<double>("0x1p3", 0, 100) == "'0x1p3' is not a number");
  CHECK(refusal<double>(".", 0, 1) == "'.' is not a number");
}
