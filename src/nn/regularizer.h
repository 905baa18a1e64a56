// L1/L2 weight penalty (keras@2.2.4:keras/regularizers.py): sum l1|w| + sum l2 w^2,
// no factor one half. The penalty joins the loss; its gradient joins the weight's.
#pragma once

#include <cmath>
#include <cstddef>

#include <nlohmann/json.hpp>

#include "config/json_reader.h"

namespace mlp {

struct Regularizer {
  double l1 = 0.0;
  double l2 = 0.0;

  bool active() const { return l1 != 0.0 || l2 != 0.0; }

  double penalty(const float* w, std::size_t n) const {
    double sum_abs = 0.0, sum_sq = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      sum_abs += std::fabs(w[i]);
      sum_sq += static_cast<double>(w[i]) * w[i];
    }
    return l1 * sum_abs + l2 * sum_sq;
  }

  void add_gradient(const float* w, float* grad, std::size_t n) const {
    const auto a = static_cast<float>(l1), b = static_cast<float>(2.0 * l2);
    for (std::size_t i = 0; i < n; ++i) grad[i] += a * static_cast<float>((w[i] > 0.0f) - (w[i] < 0.0f)) + b * w[i];
  }

  nlohmann::json config() const {
    if (!active()) return nullptr;
    return {{"l1", l1}, {"l2", l2}};
  }
};

// Reads `key` of `reader`: null or absent for none, else {"l1": x, "l2": y}.
inline Regularizer read_regularizer(ObjectReader& reader, const std::string& key) {
  const Json* value = reader.optional_value(key);
  if (!value || value->is_null()) return {};
  ObjectReader r(*value, reader.path(key));
  Regularizer reg{r.number("l1", 0.0, 0.0, 1e6), r.number("l2", 0.0, 0.0, 1e6)};
  r.finish();
  return reg;
}

}  // namespace mlp
