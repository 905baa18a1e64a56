// Numbers as Keras 2.2.4 prints them (keras/utils/generic_utils.py Progbar,
// keras/utils/layer_utils.py print_summary), through printf so rounding matches
// Python's % operator (half-to-even on exact ties).
#pragma once

#include <cstdint>
#include <string>

namespace mlp {

// ' %.4f' if value > 1e-3 else ' %.4e'. Verbose 1 compares abs(value), verbose 2
// the value itself: Keras's own inconsistency, kept so the lines match.
std::string keras_metric_value(double value, bool compare_abs);

// Python's '{:,}': 694950 -> "694,950".
std::string thousands(std::int64_t value);

// Python's str() of a float, as Keras's "%s" prints one: the shortest text that
// reads back the same, "1e-05" style exponents, ".0" on a whole number ("0.0", "2.0").
std::string python_float(double value);

// '%.0fs' of seconds: "14s".
std::string keras_seconds(double seconds);

// Progbar's per-unit time: "1s/step", "290us/step", "3ms/step".
std::string keras_time_per_unit(double seconds);

// Progbar's ETA: "1:02:03", "2:15", "11s".
std::string keras_eta(double seconds);

}  // namespace mlp
