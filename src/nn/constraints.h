// Weight constraints (keras@2.2.4:keras/constraints.py): after every optimizer
// update, a constrained weight is projected back into its set, as Keras's
// optimizers do (`new_p = p.constraint(new_p)`). The kinds are one table in
// constraints.cpp.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/json_reader.h"
#include "core/shape.h"

namespace mlp {

struct Constraint {
  std::string type;  // its table name: "max_norm", "non_neg", "unit_norm", "min_max_norm"
  double max_value = 0.0, min_value = 0.0, rate = 1.0;
  std::vector<std::size_t> axes;  // the norms run along these axes of the weight (Keras's `axis`)
  // The factor a group with norm n is scaled by, from the kind's table row; null: elementwise (non_neg).
  double (*scale)(double n, const Constraint& c) = nullptr;

  // Projects `w`, a weight of `shape`, into the set.
  void apply(float* w, const Shape& shape) const;
  // Refuses axes that a weight of `shape` does not have, naming `key_path`.
  void check(const Shape& shape, const std::string& key_path) const;
  // {"type": ..., and its arguments}.
  Json config() const;

 private:
  // Each value's group and each group's norm, kept between updates: the weight's
  // shape does not change, and apply runs after every step.
  mutable std::vector<std::size_t> group_;
  mutable std::vector<double> norm_;
};

// `key` of `reader`: absent or null for none; else a name ("max_norm") or
// {"type": name, arguments} with Keras's defaults.
std::optional<Constraint> read_constraint(ObjectReader& reader, const std::string& key);

// The constraint's config, or null.
Json constraint_config(const std::optional<Constraint>& constraint);

}  // namespace mlp
