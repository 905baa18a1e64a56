#include "report/keras_format.h"

#include <cmath>
#include <cstdio>

#include <fmt/format.h>

namespace mlp {
namespace {

template <class... Args>
std::string printf_string(const char* format, Args... args) {
  char buffer[128];
  std::snprintf(buffer, sizeof buffer, format, args...);
  return buffer;
}

}  // namespace

std::string keras_metric_value(double value, bool compare_abs) {
  // Python prints "nan", "inf" and "-inf" whatever the format (C's printf may
  // print the sign bit of a NaN: "-nan").
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  const double compared = compare_abs ? std::fabs(value) : value;
  return printf_string(compared > 1e-3 ? "%.4f" : "%.4e", value);
}

std::string python_float(double value) {
  std::string text = fmt::format("{}", value);
  if (std::isfinite(value) && text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

std::string thousands(std::int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

std::string keras_seconds(double seconds) { return printf_string("%.0fs", seconds); }

std::string keras_time_per_unit(double seconds) {
  if (seconds >= 1) return printf_string("%.0fs/step", seconds);
  if (seconds >= 1e-3) return printf_string("%.0fms/step", seconds * 1e3);
  return printf_string("%.0fus/step", seconds * 1e6);
}

std::string keras_eta(double eta) {
  // Python's '%d' truncates and '//' and '%' floor; eta is never negative here.
  const auto whole = static_cast<long long>(eta);
  if (eta > 3600) return printf_string("%lld:%02lld:%02lld", whole / 3600, (whole % 3600) / 60, whole % 60);
  if (eta > 60) return printf_string("%lld:%02lld", whole / 60, whole % 60);
  return printf_string("%llds", whole);
}

}  // namespace mlp
