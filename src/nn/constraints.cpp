// keras@2.2.4:keras/constraints.py, with K.epsilon() = 1e-7:
//   max_norm(max_value 2, axis 0):   w *= clip(n, 0, max) / (eps + n)
//   non_neg:                         w *= (w >= 0)
//   unit_norm(axis 0):               w /= eps + n
//   min_max_norm(min_value 0, max_value 1, rate 1, axis 0):
//                                    w *= (rate clip(n, min, max) + (1 - rate) n) / (eps + n)
// n being the L2 norm along `axis` (all other indices fixed).
#include "nn/constraints.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "nn/registry.h"

namespace mlp {
namespace {

constexpr double epsilon = 1e-7;

struct ConstraintKind {
  void (*read)(ObjectReader& reader, Constraint& c);  // the kind's arguments
  // The factor a group of weights with norm `n` is scaled by; null: elementwise (non_neg).
  double (*scale)(double n, const Constraint& c);
};

void read_axis(ObjectReader& reader, Constraint& c) {
  c.axes.clear();
  const Json* value = reader.optional_value("axis");
  if (!value) {
    c.axes = {0};
    return;
  }
  const std::string path = reader.path("axis");
  const Json list = value->is_array() ? *value : Json::array({*value});
  if (list.empty()) throw ConfigError(path, "needs at least one axis");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const auto axis = static_cast<std::size_t>(read_integer(list[i], value->is_array() ? index_path(path, i) : path, 0, 7));
    if (std::find(c.axes.begin(), c.axes.end(), axis) != c.axes.end())
      throw ConfigError(path, "axis " + std::to_string(axis) + " is given twice");
    c.axes.push_back(axis);
  }
}

const NameTable<ConstraintKind>& constraint_table() {
  static const NameTable<ConstraintKind> table(
      "constraint",
      {
          {"max_norm",
           {"maxnorm"},
           {[](ObjectReader& r, Constraint& c) {
              c.max_value = r.number("max_value", 2.0, 0.0, 1e30);
              read_axis(r, c);
            },
            [](double n, const Constraint& c) { return std::clamp(n, 0.0, c.max_value) / (epsilon + n); }}},
          {"non_neg", {"nonneg"}, {[](ObjectReader&, Constraint&) {}, nullptr}},
          {"unit_norm",
           {"unitnorm"},
           {[](ObjectReader& r, Constraint& c) { read_axis(r, c); },
            [](double n, const Constraint&) { return 1.0 / (epsilon + n); }}},
          {"min_max_norm",
           {"minmaxnorm"},
           {[](ObjectReader& r, Constraint& c) {
              c.min_value = r.number("min_value", 0.0, 0.0, 1e30);
              c.max_value = r.number("max_value", 1.0, 0.0, 1e30);
              c.rate = r.number("rate", 1.0, 0.0, 1.0);
              if (c.min_value > c.max_value)
                throw ConfigError(r.path("min_value"), "must not be above max_value");
              read_axis(r, c);
            },
            [](double n, const Constraint& c) {
              return (c.rate * std::clamp(n, c.min_value, c.max_value) + (1.0 - c.rate) * n) / (epsilon + n);
            }}},
      });
  return table;
}

// For each value of a weight of `shape`, its group: the index formed by the
// coordinates not on `axes` (values of one group share a norm).
std::vector<std::size_t> groups_of(const Shape& shape, const std::vector<std::size_t>& axes, std::size_t& count) {
  const std::size_t n = shape_size(shape);
  std::vector<std::size_t> group(n);
  count = 1;
  for (std::size_t d = 0; d < shape.size(); ++d)
    if (std::find(axes.begin(), axes.end(), d) == axes.end()) count *= shape[d];
  for (std::size_t j = 0; j < n; ++j) {
    std::size_t rest = j, index = 0, stride = 1;
    for (std::size_t d = shape.size(); d-- > 0;) {
      const std::size_t coordinate = rest % shape[d];
      rest /= shape[d];
      if (std::find(axes.begin(), axes.end(), d) != axes.end()) continue;
      index += coordinate * stride;
      stride *= shape[d];
    }
    group[j] = index;
  }
  return group;
}

}  // namespace

void Constraint::apply(float* w, const Shape& shape) const {
  const std::size_t n = shape_size(shape);
  if (!scale) {
    for (std::size_t j = 0; j < n; ++j) w[j] = w[j] >= 0.0f ? w[j] : 0.0f;
    return;
  }
  if (group_.size() != n) {
    std::size_t count = 0;
    group_ = groups_of(shape, axes, count);
    norm_.resize(count);
  }
  std::fill(norm_.begin(), norm_.end(), 0.0);
  for (std::size_t j = 0; j < n; ++j) norm_[group_[j]] += static_cast<double>(w[j]) * w[j];
  for (double& v : norm_) v = scale(std::sqrt(v), *this);
  for (std::size_t j = 0; j < n; ++j) w[j] = static_cast<float>(w[j] * norm_[group_[j]]);
}

void Constraint::check(const Shape& shape, const std::string& key_path) const {
  for (const std::size_t axis : axes)
    if (axis >= shape.size())
      throw ConfigError(key_path, "axis " + std::to_string(axis) + " is beyond the weight's " +
                                      std::to_string(shape.size()) + " dimensions " + shape_text(shape));
}

Json Constraint::config() const {
  Json config{{"type", type}};
  if (type == "max_norm" || type == "min_max_norm") config["max_value"] = max_value;
  if (type == "min_max_norm") {
    config["min_value"] = min_value;
    config["rate"] = rate;
  }
  if (type != "non_neg") config["axis"] = axes.size() == 1 ? Json(axes[0]) : Json(axes);
  return config;
}

std::optional<Constraint> read_constraint(ObjectReader& reader, const std::string& key) {
  const Json* value = reader.optional_value(key);
  if (!value || value->is_null()) return std::nullopt;
  // A name is the object {"type": name} with the defaults; an unknown one is
  // named at the key itself.
  const Json object = value->is_string() ? Json{{"type", *value}} : *value;
  ObjectReader r(object, reader.path(key));
  const auto& row = constraint_table().find(r.string("type"), value->is_string() ? reader.path(key) : r.path("type"));
  Constraint c;
  c.type = row.name;
  c.scale = row.entry.scale;
  row.entry.read(r, c);
  r.finish();
  return c;
}

Json constraint_config(const std::optional<Constraint>& constraint) {
  return constraint ? constraint->config() : Json(nullptr);
}

}  // namespace mlp
