// Every row of the initializer table against Keras 2.2.4's definitions
// (keras/initializers.py): the range, mean and standard deviation of a large
// draw, worked out from the formulas here, not from mlp's code. A row without an
// expectation below fails the test.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "core/rng.h"
#include "nn/initializers.h"

namespace {

enum class Kind { constant, uniform, truncated_normal, normal };

struct Expected {
  Kind kind;
  double value;  // constant: the value; uniform: the limit; normal kinds: the stddev parameter
};

constexpr std::size_t fan_in = 300, fan_out = 200;
// Keras: a truncated normal is redrawn beyond two standard deviations, which
// leaves a standard deviation of 0.87962566 times the parameter.
constexpr double truncation = 0.87962566103423978;

std::map<std::string, Expected> keras_definitions() {
  const double avg = (fan_in + fan_out) / 2.0, in = fan_in;
  return {
      {"zeros", {Kind::constant, 0.0}},
      {"ones", {Kind::constant, 1.0}},
      {"random_normal", {Kind::normal, 0.05}},
      {"random_uniform", {Kind::uniform, 0.05}},
      {"truncated_normal", {Kind::truncated_normal, 0.05}},
      // VarianceScaling(scale, mode): uniform limit sqrt(3 scale / n); normal:
      // truncated, stddev sqrt(scale / n) / 0.87962566.
      {"glorot_uniform", {Kind::uniform, std::sqrt(3.0 / avg)}},
      {"glorot_normal", {Kind::truncated_normal, std::sqrt(1.0 / avg) / truncation}},
      {"he_uniform", {Kind::uniform, std::sqrt(6.0 / in)}},
      {"he_normal", {Kind::truncated_normal, std::sqrt(2.0 / in) / truncation}},
      {"lecun_uniform", {Kind::uniform, std::sqrt(3.0 / in)}},
      {"lecun_normal", {Kind::truncated_normal, std::sqrt(1.0 / in) / truncation}},
  };
}

}  // namespace

TEST_CASE("every initializer draws what Keras 2.2.4 defines") {
  const auto expected = keras_definitions();
  const auto& rows = mlp::initializer_table().rows();
  CHECK(rows.size() == expected.size());
  for (const auto& row : rows) {
    INFO(row.name);
    const auto it = expected.find(row.name);
    REQUIRE(it != expected.end());
    const Expected e = it->second;

    std::vector<float> w(fan_in * fan_out, -123.0f);
    mlp::Rng rng(42);
    row.entry(rng, w, fan_in, fan_out);
    double sum = 0.0, sum_sq = 0.0;
    for (float v : w) {
      sum += v;
      sum_sq += static_cast<double>(v) * v;
    }
    const auto n = static_cast<double>(w.size());
    const double mean = sum / n, stddev = std::sqrt(std::max(0.0, sum_sq / n - mean * mean));
    const auto [low, high] = std::minmax_element(w.begin(), w.end());

    switch (e.kind) {
      case Kind::constant:
        CHECK(*low == static_cast<float>(e.value));
        CHECK(*high == static_cast<float>(e.value));
        break;
      case Kind::uniform:
        CHECK(*low >= -e.value);
        CHECK(*high < e.value);
        CHECK(*low < -0.99 * e.value);  // the whole range is used
        CHECK(*high > 0.99 * e.value);
        CHECK(stddev == Approx(e.value / std::sqrt(3.0)).epsilon(0.02));
        break;
      case Kind::truncated_normal:
        CHECK(*low >= -2.0 * e.value);
        CHECK(*high <= 2.0 * e.value);
        CHECK(*high > 1.9 * e.value);
        CHECK(stddev == Approx(e.value * truncation).epsilon(0.02));
        break;
      case Kind::normal:
        CHECK(*high > 3.0 * e.value);  // not truncated: 60,000 draws go past 3 sigma
        CHECK(stddev == Approx(e.value).epsilon(0.02));
        break;
    }
    // Centred: the mean within four standard errors of 0 (or the constant).
    const double centre = e.kind == Kind::constant ? e.value : 0.0;
    CHECK(std::fabs(mean - centre) <= 4.0 * stddev / std::sqrt(n) + 1e-12);
  }
}

TEST_CASE("an initializer's draw depends on the seed only") {
  for (const auto& row : mlp::initializer_table().rows()) {
    INFO(row.name);
    std::vector<float> a(500), b(500);
    mlp::Rng first(7), second(7);
    row.entry(first, a, 20, 25);
    row.entry(second, b, 20, 25);
    CHECK(a == b);
  }
}
