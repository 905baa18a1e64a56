#include "nn/initializers.h"

#include <cmath>

namespace mlp {
namespace {

void fill_uniform(Rng& rng, std::span<float> w, float limit) {
  for (float& x : w) x = rng.uniform(-limit, limit);
}

// tf.truncated_normal: draws beyond two standard deviations are redrawn.
void fill_truncated_normal(Rng& rng, std::span<float> w, float stddev) {
  for (float& x : w) {
    do x = rng.normal(0.0f, 1.0f);
    while (std::fabs(x) > 2.0f);
    x *= stddev;
  }
}

enum class Fan { in, avg };

// VarianceScaling: uniform limit sqrt(3 scale / n); normal uses a truncated normal
// with stddev sqrt(scale / n) / .87962566103423978 (the truncation's correction).
template <int scale, Fan fan>
void variance_scaling_uniform(Rng& rng, std::span<float> w, std::size_t fan_in, std::size_t fan_out) {
  const double n = fan == Fan::in ? static_cast<double>(fan_in) : (static_cast<double>(fan_in + fan_out)) / 2.0;
  fill_uniform(rng, w, static_cast<float>(std::sqrt(3.0 * scale / std::max(1.0, n))));
}
template <int scale, Fan fan>
void variance_scaling_normal(Rng& rng, std::span<float> w, std::size_t fan_in, std::size_t fan_out) {
  const double n = fan == Fan::in ? static_cast<double>(fan_in) : (static_cast<double>(fan_in + fan_out)) / 2.0;
  fill_truncated_normal(rng, w, static_cast<float>(std::sqrt(scale / std::max(1.0, n)) / .87962566103423978));
}

void zeros(Rng&, std::span<float> w, std::size_t, std::size_t) { std::fill(w.begin(), w.end(), 0.0f); }
void ones(Rng&, std::span<float> w, std::size_t, std::size_t) { std::fill(w.begin(), w.end(), 1.0f); }
void random_normal(Rng& rng, std::span<float> w, std::size_t, std::size_t) {
  for (float& x : w) x = rng.normal(0.0f, 0.05f);
}
void random_uniform(Rng& rng, std::span<float> w, std::size_t, std::size_t) { fill_uniform(rng, w, 0.05f); }
void truncated_normal(Rng& rng, std::span<float> w, std::size_t, std::size_t) {
  fill_truncated_normal(rng, w, 0.05f);
}

}  // namespace

const NameTable<InitializerFn>& initializer_table() {
  static const NameTable<InitializerFn> table(
      "initializer", {
                         {"zeros", {"zero"}, zeros},
                         {"ones", {"one"}, ones},
                         {"random_normal", {"normal"}, random_normal},
                         {"random_uniform", {"uniform"}, random_uniform},
                         {"truncated_normal", {}, truncated_normal},
                         {"glorot_uniform", {}, variance_scaling_uniform<1, Fan::avg>},
                         {"glorot_normal", {}, variance_scaling_normal<1, Fan::avg>},
                         {"he_uniform", {}, variance_scaling_uniform<2, Fan::in>},
                         {"he_normal", {}, variance_scaling_normal<2, Fan::in>},
                         {"lecun_uniform", {}, variance_scaling_uniform<1, Fan::in>},
                         {"lecun_normal", {}, variance_scaling_normal<1, Fan::in>},
                     });
  return table;
}

}  // namespace mlp
