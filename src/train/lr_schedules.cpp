#include "train/lr_schedules.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/error.h"
#include "nn/registry.h"

namespace mlp {
namespace {

struct ScheduleKind {
  void (*read)(ObjectReader& reader, LrSchedule& s);  // its keys
  double (*rate)(const LrSchedule& s, double t, double lr0);
};

std::vector<double> read_numbers(ObjectReader& reader, const std::string& key) {
  const Json& list = reader.value(key);
  const std::string path = reader.path(key);
  if (!list.is_array() || list.empty() || list.size() > 10000)
    throw ConfigError(path, "expected a list of 1 to 10000 numbers");
  std::vector<double> out;
  for (std::size_t i = 0; i < list.size(); ++i) out.push_back(read_number(list[i], index_path(path, i), -1e30, 1e30));
  return out;
}

const NameTable<ScheduleKind>& schedule_table() {
  static const NameTable<ScheduleKind> table(
      "schedule",
      {
          {"step",
           {},
           {[](ObjectReader& r, LrSchedule& s) {
              s.factor = r.number("factor", 0.5, 0.0, 1e6);
              s.step_size = static_cast<double>(r.integer("step_size", 10, 1, 1'000'000'000));
            },
            [](const LrSchedule& s, double t, double lr0) { return lr0 * std::pow(s.factor, std::floor(t / s.step_size)); }}},
          {"exponential",
           {},
           {[](ObjectReader& r, LrSchedule& s) {
              s.decay_rate = r.number("decay_rate", 0.96, 0.0, 1e6);
              s.decay_steps = static_cast<double>(r.integer("decay_steps", 1, 1, 1'000'000'000));
              s.staircase = r.boolean("staircase", false);
            },
            [](const LrSchedule& s, double t, double lr0) {
              const double p = t / s.decay_steps;
              return lr0 * std::pow(s.decay_rate, s.staircase ? std::floor(p) : p);
            }}},
          {"cosine",
           {},
           {[](ObjectReader& r, LrSchedule& s) {
              s.decay_steps = static_cast<double>(r.integer("decay_steps", std::nullopt, 1, 1'000'000'000));
              s.alpha = r.number("alpha", 0.0, 0.0, 1.0);
              s.warmup = static_cast<double>(r.integer("warmup", 0, 0, 1'000'000'000));
              s.warmup_start = r.number("warmup_start", 0.0, 0.0, 1e6);
            },
            [](const LrSchedule& s, double t, double lr0) {
              if (t < s.warmup) return s.warmup_start + (lr0 - s.warmup_start) * t / s.warmup;
              const double p = std::min(t - s.warmup, s.decay_steps) / s.decay_steps;
              return lr0 * ((1.0 - s.alpha) * 0.5 * (1.0 + std::cos(std::numbers::pi * p)) + s.alpha);
            }}},
          {"piecewise",
           {},
           {[](ObjectReader& r, LrSchedule& s) {
              s.boundaries = read_numbers(r, "boundaries");
              s.values = read_numbers(r, "values");
              if (!std::is_sorted(s.boundaries.begin(), s.boundaries.end()) ||
                  std::adjacent_find(s.boundaries.begin(), s.boundaries.end()) != s.boundaries.end())
                throw ConfigError(r.path("boundaries"), "must increase");
              if (s.values.size() != s.boundaries.size() + 1)
                throw ConfigError(r.path("values"), "needs one value more than there are boundaries");
              for (std::size_t i = 0; i < s.values.size(); ++i)
                if (s.values[i] < 0) throw ConfigError(index_path(r.path("values"), i), "a rate must not be negative");
            },
            [](const LrSchedule& s, double t, double) {
              const auto it = std::lower_bound(s.boundaries.begin(), s.boundaries.end(), t);  // first b >= t
              return s.values[static_cast<std::size_t>(it - s.boundaries.begin())];
            }}},
          {"polynomial",
           {},
           {[](ObjectReader& r, LrSchedule& s) {
              s.decay_steps = static_cast<double>(r.integer("decay_steps", std::nullopt, 1, 1'000'000'000));
              s.end_learning_rate = r.number("end_learning_rate", 0.0001, 0.0, 1e6);
              s.power = r.number("power", 1.0, 0.0, 1e6);
            },
            [](const LrSchedule& s, double t, double lr0) {
              const double p = 1.0 - std::min(t, s.decay_steps) / s.decay_steps;
              return (lr0 - s.end_learning_rate) * std::pow(p, s.power) + s.end_learning_rate;
            }}},
      });
  return table;
}

}  // namespace

double LrSchedule::rate(double t, double lr0) const { return formula(*this, t, lr0); }

LrSchedule read_lr_schedule(const Json& spec, const std::string& path) {
  LrSchedule s;
  const Json object = spec.is_string() ? Json{{"type", spec}} : spec;
  ObjectReader reader(object, path);
  const auto& row = schedule_table().find(reader.string("type"), reader.path("type"));
  s.type = row.name;
  s.formula = row.entry.rate;
  row.entry.read(reader, s);
  reader.finish();
  return s;
}

}  // namespace mlp
