// Activations: every row of the table is checked by finite differences (backward
// against forward), a few against values worked out by hand, and the lookup rules.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/rng.h"
#include "nn/activations.h"
#include "support/gradcheck.h"

namespace {

using mlp::activation_table;

constexpr std::size_t rows = 3, cols = 5;

// f(z) for one row of values (softmax sees the row as one sample).
std::vector<float> apply(const std::string& name, const std::vector<float>& z) {
  std::vector<float> a(z.size());
  activation_table().find(name, "test").entry.forward(z.data(), a.data(), 1, z.size());
  return a;
}

// Values in (-3, 3) away from every kink: 0 (relu, elu, selu, leaky_relu) and
// +-2.5 (hard_sigmoid), so a central difference with step 1e-3 never crosses one.
std::vector<float> values_away_from_kinks(mlp::Rng& rng, std::size_t n) {
  std::vector<float> z;
  while (z.size() < n) {
    const float v = rng.uniform(-3.0f, 3.0f);
    if (std::fabs(v) < 0.05f || std::fabs(std::fabs(v) - 2.5f) < 0.05f) continue;
    z.push_back(v);
  }
  return z;
}

}  // namespace

TEST_CASE("every activation's backward is the gradient of its forward") {
  mlp::Rng rng(2024);
  for (const auto& row : activation_table().rows()) {
    DYNAMIC_SECTION(row.name) {
      const auto& fns = row.entry;
      const std::vector<float> z = values_away_from_kinks(rng, rows * cols);
      std::vector<float> w(rows * cols);
      for (float& x : w) x = rng.uniform(-1.0f, 1.0f);

      // objective: sum_i w_i f(z)_i, summed in double
      auto objective = [&](const std::vector<float>& at) {
        std::vector<float> a(at.size());
        fns.forward(at.data(), a.data(), rows, cols);
        double sum = 0.0;
        for (std::size_t i = 0; i < a.size(); ++i) sum += static_cast<double>(w[i]) * a[i];
        return sum;
      };

      std::vector<float> a(z.size()), dz(z.size());
      fns.forward(z.data(), a.data(), rows, cols);
      fns.backward(z.data(), a.data(), w.data(), dz.data(), rows, cols);

      const auto result = mlp::test::check_gradient(objective, z, dz);
      INFO(result.describe());
      CHECK(result.worst_error < 1e-3);

      // The contract allows dz == da (in place): same answer.
      std::vector<float> in_place = w;
      fns.backward(z.data(), a.data(), in_place.data(), in_place.data(), rows, cols);
      for (std::size_t i = 0; i < dz.size(); ++i) CHECK(in_place[i] == Approx(dz[i]).margin(1e-7));

      // Forward in place too (inference overwrites z with a).
      std::vector<float> a_in_place = z;
      fns.forward(a_in_place.data(), a_in_place.data(), rows, cols);
      for (std::size_t i = 0; i < a.size(); ++i) CHECK(a_in_place[i] == a[i]);

      // On a column slice of a wider batch (stride > cols) an elementwise
      // function touches only the slice, and computes what it does on the whole.
      if (fns.elementwise) {
        const std::size_t stride = cols + 3;
        std::vector<float> wide_z(rows * stride, 7.0f), wide_a(rows * stride, -5.0f);
        for (std::size_t r = 0; r < rows; ++r)
          for (std::size_t c = 0; c < cols; ++c) wide_z[r * stride + c] = z[r * cols + c];
        fns.forward_rows(wide_z.data(), wide_a.data(), rows, cols, stride);
        for (std::size_t r = 0; r < rows; ++r) {
          for (std::size_t c = 0; c < cols; ++c) CHECK(wide_a[r * stride + c] == a[r * cols + c]);
          for (std::size_t c = cols; c < stride; ++c) CHECK(wide_a[r * stride + c] == -5.0f);
        }
      }
    }
  }
}

TEST_CASE("softmax works row by row") {
  // Two rows of one batch give the same as each row alone.
  const std::vector<float> z{1, 2, 3, -1, 0, 4};
  std::vector<float> a(6);
  activation_table().find("softmax", "test").entry.forward(z.data(), a.data(), 2, 3);
  const auto first = apply("softmax", {1, 2, 3});
  const auto second = apply("softmax", {-1, 0, 4});
  for (std::size_t c = 0; c < 3; ++c) {
    CHECK(a[c] == Approx(first[c]));
    CHECK(a[3 + c] == Approx(second[c]));
  }
  CHECK(a[0] + a[1] + a[2] == Approx(1.0));
  CHECK(a[3] + a[4] + a[5] == Approx(1.0));
}

TEST_CASE("activations match hand-computed values") {
  const auto one = [](const std::string& name, float z) { return apply(name, {z})[0]; };
  const double e = std::exp(1.0);

  CHECK(one("linear", -1.5f) == Approx(-1.5));
  CHECK(one("relu", -2.0f) == 0.0f);
  CHECK(one("relu", 3.0f) == Approx(3.0));
  CHECK(one("sigmoid", 0.0f) == Approx(0.5));
  CHECK(one("sigmoid", 2.0f) == Approx(1.0 / (1.0 + std::exp(-2.0))));
  CHECK(one("tanh", 0.5f) == Approx(0.46211715726));
  CHECK(one("tanh", -1.0f) == Approx(-(e * e - 1.0) / (e * e + 1.0)));

  const auto soft = apply("softmax", {1.0f, 2.0f, 3.0f});
  CHECK(soft[0] == Approx(0.0900306).epsilon(1e-5));
  CHECK(soft[1] == Approx(0.2447285).epsilon(1e-5));
  CHECK(soft[2] == Approx(0.6652410).epsilon(1e-5));
  // Shifting by the row maximum keeps huge logits finite.
  const auto big = apply("softmax", {1000.0f, 1000.0f});
  CHECK(big[0] == Approx(0.5));
  CHECK(big[1] == Approx(0.5));

  CHECK(one("elu", -1.0f) == Approx(1.0 / e - 1.0));
  CHECK(one("elu", 2.0f) == Approx(2.0));
  const double selu_alpha = 1.6732632423543772, selu_scale = 1.0507009873554805;
  CHECK(one("selu", 1.0f) == Approx(selu_scale));
  CHECK(one("selu", -1.0f) == Approx(selu_scale * selu_alpha * (1.0 / e - 1.0)));  // -1.1113307
  CHECK(one("softplus", 0.0f) == Approx(std::log(2.0)));
  CHECK(one("softplus", 1.0f) == Approx(std::log(1.0 + e)));
  CHECK(one("softplus", 100.0f) == Approx(100.0));  // no overflow
  CHECK(one("softplus", -100.0f) == Approx(0.0).margin(1e-30));
  CHECK(one("softsign", 1.0f) == Approx(0.5));
  CHECK(one("softsign", -3.0f) == Approx(-0.75));
  CHECK(one("hard_sigmoid", 1.0f) == Approx(0.7));
  CHECK(one("hard_sigmoid", 3.0f) == Approx(1.0));
  CHECK(one("hard_sigmoid", -3.0f) == Approx(0.0).margin(1e-12));
  CHECK(one("swish", 1.0f) == Approx(1.0 / (1.0 + 1.0 / e)));  // 0.7310586
  CHECK(one("swish", -2.0f) == Approx(-2.0 / (1.0 + e * e)));
  CHECK(one("gelu", 1.0f) == Approx(0.8413447).epsilon(1e-6));
  CHECK(one("gelu", -1.0f) == Approx(-0.1586553).epsilon(1e-5));
  CHECK(one("leaky_relu", -1.0f) == Approx(-0.2));
  CHECK(one("leaky_relu", 2.0f) == Approx(2.0));
}

TEST_CASE("activation lookup is case-insensitive and knows the aliases") {
  CHECK(activation_table().find("ReLU", "k").name == "relu");
  CHECK(activation_table().find("SOFTMAX", "k").name == "softmax");
  CHECK(activation_table().find("None", "k").name == "linear");
  CHECK(activation_table().find("silu", "k").name == "swish");
  CHECK(activation_table().try_find("nope") == nullptr);
}

TEST_CASE("an unknown activation is a ConfigError that suggests the nearest name") {
  try {
    activation_table().find("rleu", "model.layers[1].activation");
    FAIL("expected a ConfigError");
  } catch (const mlp::ConfigError& e) {
    CHECK(e.key_path() == "model.layers[1].activation");
    CHECK_THAT(e.what(), Catch::Contains("did you mean 'relu'"));
    CHECK_THAT(e.describe(), Catch::StartsWith("model.layers[1].activation: "));
  }
}
