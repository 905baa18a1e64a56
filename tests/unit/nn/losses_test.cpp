// Losses: every row's backward is checked by finite differences against its forward
// (alone and composed with softmax, as a model's output layer uses it), and the
// Keras 2.2.4 details by hand: clipping at 1e-7, renormalisation, aliases.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "core/rng.h"
#include "nn/activations.h"
#include "nn/losses.h"
#include "support/gradcheck.h"

namespace {

using mlp::activation_table;
using mlp::loss_table;
using mlp::LossFns;

constexpr std::size_t rows = 3, cols = 5;

const mlp::ActivationFns& activation(const std::string& name) { return activation_table().find(name, "test").entry; }

// The batch mean of the per-sample losses, in double.
double mean_loss(const LossFns& loss, const std::vector<float>& p, const std::vector<float>& y) {
  std::vector<float> per_sample(rows);
  loss.forward(p.data(), y.data(), per_sample.data(), rows, cols);
  double sum = 0.0;
  for (float v : per_sample) sum += v;
  return sum / rows;
}

// One loss on one sample.
double loss_of(const std::string& name, const std::vector<float>& p, const std::vector<float>& y) {
  float value = 0.0f;
  loss_table().find(name, "test").entry.forward(p.data(), y.data(), &value, 1, p.size());
  return value;
}

std::vector<float> gradient_of(const std::string& name, const std::vector<float>& p, const std::vector<float>& y) {
  std::vector<float> dp(p.size());
  loss_table().find(name, "test").entry.backward(p.data(), y.data(), dp.data(), 1, p.size());
  return dp;
}

std::vector<float> random_logits(mlp::Rng& rng) {
  std::vector<float> z(rows * cols);
  for (float& v : z) v = rng.uniform(-2.0f, 2.0f);
  return z;
}

std::vector<float> one_hot_targets(mlp::Rng& rng) {
  std::vector<float> y(rows * cols, 0.0f);
  for (std::size_t r = 0; r < rows; ++r) y[r * cols + rng.below(cols)] = 1.0f;
  return y;
}

// Model-like outputs: softmax of the logits, or a sigmoid per unit for binary_crossentropy.
std::vector<float> outputs_for(const std::string& loss_name, const std::vector<float>& z) {
  const bool binary = loss_name == "binary_crossentropy";
  std::vector<float> p(z.size());
  activation(binary ? "sigmoid" : "softmax").forward(z.data(), p.data(), rows, cols);
  return p;
}

}  // namespace

TEST_CASE("every loss's backward is the gradient of the batch mean of its forward") {
  mlp::Rng rng(7);
  for (const auto& row : loss_table().rows()) {
    DYNAMIC_SECTION(row.name) {
      const std::vector<float> p = outputs_for(row.name, random_logits(rng));
      const std::vector<float> y = one_hot_targets(rng);
      std::vector<float> dp(p.size());
      row.entry.backward(p.data(), y.data(), dp.data(), rows, cols);

      const auto result = mlp::test::check_gradient(
          [&](const std::vector<float>& at) { return mean_loss(row.entry, at, y); }, p, dp);
      INFO(result.describe());
      CHECK(result.worst_error < 2e-3);
    }
  }
}

TEST_CASE("softmax with each loss: logits -> softmax -> loss has the chained gradient") {
  mlp::Rng rng(11);
  const auto& softmax = activation("softmax");
  for (const auto& row : loss_table().rows()) {
    DYNAMIC_SECTION(row.name) {
      const std::vector<float> z = random_logits(rng);
      const std::vector<float> y = one_hot_targets(rng);

      auto objective = [&](const std::vector<float>& logits) {
        std::vector<float> p(logits.size());
        softmax.forward(logits.data(), p.data(), rows, cols);
        return mean_loss(row.entry, p, y);
      };

      std::vector<float> p(z.size()), dp(z.size()), dz(z.size());
      softmax.forward(z.data(), p.data(), rows, cols);
      row.entry.backward(p.data(), y.data(), dp.data(), rows, cols);
      softmax.backward(z.data(), p.data(), dp.data(), dz.data(), rows, cols);

      const auto result = mlp::test::check_gradient(objective, z, dz);
      INFO(result.describe());
      CHECK(result.worst_error < 2e-3);
    }
  }
}

TEST_CASE("categorical_crossentropy with softmax reduces to (p - y) / batch") {
  // The textbook identity, a check of the chain independent of finite differences.
  mlp::Rng rng(3);
  const std::vector<float> z = random_logits(rng);
  const std::vector<float> y = one_hot_targets(rng);
  std::vector<float> p(z.size()), dp(z.size()), dz(z.size());
  activation("softmax").forward(z.data(), p.data(), rows, cols);
  loss_table().find("categorical_crossentropy", "test").entry.backward(p.data(), y.data(), dp.data(), rows, cols);
  activation("softmax").backward(z.data(), p.data(), dp.data(), dz.data(), rows, cols);
  for (std::size_t i = 0; i < z.size(); ++i) CHECK(dz[i] == Approx((p[i] - y[i]) / rows).margin(1e-6));
}

TEST_CASE("losses match hand-computed values") {
  const std::vector<float> p{0.1f, 0.7f, 0.2f}, y{0.0f, 1.0f, 0.0f};

  SECTION("mean_squared_error: mean over the outputs") {
    CHECK(loss_of("mean_squared_error", p, y) == Approx((0.01 + 0.09 + 0.04) / 3));
    const auto dp = gradient_of("mean_squared_error", p, y);  // 2 (p - y) / (outputs * batch)
    CHECK(dp[0] == Approx(2 * 0.1 / 3));
    CHECK(dp[1] == Approx(2 * -0.3 / 3));
    CHECK(dp[2] == Approx(2 * 0.2 / 3));
  }
  SECTION("mean_absolute_error") {
    CHECK(loss_of("mean_absolute_error", p, y) == Approx((0.1 + 0.3 + 0.2) / 3));
    const auto dp = gradient_of("mean_absolute_error", p, y);
    CHECK(dp[0] == Approx(1.0 / 3));
    CHECK(dp[1] == Approx(-1.0 / 3));
  }
  SECTION("categorical_crossentropy") {
    CHECK(loss_of("categorical_crossentropy", p, y) == Approx(-std::log(0.7)));
  }
  SECTION("categorical_crossentropy clips at 1e-7, and the clip passes no gradient") {
    const std::vector<float> certain{0.0f, 1.0f, 0.0f}, first{1.0f, 0.0f, 0.0f};
    CHECK(loss_of("categorical_crossentropy", certain, first) == Approx(-std::log(1e-7)).epsilon(1e-5));
    CHECK(-std::log(1e-7) == Approx(16.118).epsilon(1e-4));
    for (float g : gradient_of("categorical_crossentropy", certain, first)) CHECK(g == 0.0f);
    // ... and at the top: a confident right answer costs -ln(1 - 1e-7), about 1e-7.
    CHECK(loss_of("categorical_crossentropy", certain, y) == Approx(0.0).margin(1e-6));
  }
  SECTION("categorical_crossentropy renormalises p to sum 1 first (Keras, from_logits=False)") {
    const std::vector<float> half{0.2f, 0.2f, 0.1f}, first{1.0f, 0.0f, 0.0f};
    CHECK(loss_of("categorical_crossentropy", half, first) == Approx(-std::log(0.4)));
    // d/dp_k of -ln(p_0 / sum p) = [k == 0](-1 / p_0) + 1 / sum p
    const auto dp = gradient_of("categorical_crossentropy", half, first);
    CHECK(dp[0] == Approx(-1.0 / 0.2 + 1.0 / 0.5));
    CHECK(dp[1] == Approx(1.0 / 0.5));
    CHECK(dp[2] == Approx(1.0 / 0.5));
  }
  SECTION("sparse_categorical_crossentropy is -ln(p_y / sum(clip(p)))") {
    const std::vector<float> half{0.2f, 0.2f, 0.1f}, first{1.0f, 0.0f, 0.0f};
    CHECK(loss_of("sparse_categorical_crossentropy", half, first) == Approx(-std::log(0.2 / 0.5)));
    CHECK(loss_of("sparse_categorical_crossentropy", p, y) == Approx(-std::log(0.7)));
    const std::vector<float> certain{0.0f, 0.5f, 0.5f};
    CHECK(loss_of("sparse_categorical_crossentropy", certain, first) ==
          Approx(-std::log(1e-7 / (1.0 + 1e-7))).epsilon(1e-5));
  }
  SECTION("binary_crossentropy: mean over the outputs of -(y ln p + (1 - y) ln(1 - p))") {
    const std::vector<float> pb{0.9f, 0.2f, 0.6f}, yb{1.0f, 0.0f, 0.0f};
    CHECK(loss_of("binary_crossentropy", pb, yb) == Approx(-(std::log(0.9) + std::log(0.8) + std::log(0.4)) / 3));
    const auto dp = gradient_of("binary_crossentropy", pb, yb);
    CHECK(dp[0] == Approx(-1.0 / 0.9 / 3));
    CHECK(dp[1] == Approx(1.0 / 0.8 / 3));
    CHECK(dp[2] == Approx(1.0 / 0.4 / 3));
    // clipped at 1e-7: a sure wrong answer costs -ln(1e-7), and passes no gradient
    CHECK(loss_of("binary_crossentropy", {0.0f}, {1.0f}) == Approx(-std::log(1e-7)).epsilon(1e-5));
    CHECK(gradient_of("binary_crossentropy", {0.0f}, {1.0f})[0] == 0.0f);
  }
}

TEST_CASE("the batch forward is per sample and the backward divides by the batch") {
  // Two samples: the rows' losses are independent; the gradient is the mean's.
  const std::vector<float> p{0.1f, 0.7f, 0.2f, 0.5f, 0.25f, 0.25f};
  const std::vector<float> y{0.0f, 1.0f, 0.0f, 1.0f, 0.0f, 0.0f};
  const auto& cce = loss_table().find("categorical_crossentropy", "test").entry;
  float loss[2];
  cce.forward(p.data(), y.data(), loss, 2, 3);
  CHECK(loss[0] == Approx(-std::log(0.7)));
  CHECK(loss[1] == Approx(-std::log(0.5)));
  std::vector<float> dp(6);
  cce.backward(p.data(), y.data(), dp.data(), 2, 3);
  // -ln(p_t / sum p) at sum p = 1: d/dp_t = -1/p_t + 1, d/dp_other = 1; halved for the batch mean
  CHECK(dp[1] == Approx((-1.0 / 0.7 + 1.0) / 2));
  CHECK(dp[0] == Approx(0.5));
  CHECK(dp[3] == Approx((-1.0 / 0.5 + 1.0) / 2));
}

TEST_CASE("loss names: aliases and case") {
  CHECK(loss_table().find("mse", "compile.loss").name == "mean_squared_error");
  CHECK(loss_table().find("mae", "compile.loss").name == "mean_absolute_error");
  CHECK(loss_table().find("Categorical_Crossentropy", "compile.loss").name == "categorical_crossentropy");
  CHECK(loss_table().find("categorical_crossentropy", "k").entry.labels == mlp::LabelKind::one_hot);
  CHECK(loss_table().find("sparse_categorical_crossentropy", "k").entry.labels == mlp::LabelKind::sparse);
  CHECK(loss_table().find("binary_crossentropy", "k").entry.labels == mlp::LabelKind::binary);
  CHECK_THROWS_AS(loss_table().find("categorical_crossentropi", "compile.loss"), mlp::ConfigError);
}
