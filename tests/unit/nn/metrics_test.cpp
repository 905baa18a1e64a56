// Metrics: how 'acc' resolves and what Keras 2.2.4 logs it as
// (keras/engine/training.py l.371-404), and each metric on hand-made batches.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/error.h"
#include "nn/metrics.h"

namespace {

using mlp::metric_table;
using mlp::resolve_metric;

mlp::MetricFn metric(const std::string& name) { return metric_table().find(name, "test").entry; }

mlp::Metric resolve(const std::string& name, const std::string& loss, std::size_t units) {
  return resolve_metric(name, loss, units, "compile.metrics[0]");
}

// The metric's per-sample values on a batch of `rows` samples.
std::vector<float> values(mlp::MetricFn fn, const std::vector<float>& p, const std::vector<float>& y,
                          std::size_t rows) {
  std::vector<float> out(rows);
  fn(p.data(), y.data(), out.data(), rows, p.size() / rows);
  return out;
}

}  // namespace

TEST_CASE("'acc' resolves by the loss and the output width, and always logs as acc") {
  SECTION("mse or categorical_crossentropy with 10 outputs: categorical accuracy") {
    for (const char* loss : {"mean_squared_error", "mse", "categorical_crossentropy", "mean_absolute_error"}) {
      INFO(loss);
      const auto m = resolve("acc", loss, 10);
      CHECK(m.log_name == "acc");
      CHECK(m.per_sample == metric("categorical_accuracy"));
    }
  }
  SECTION("sparse_categorical_crossentropy: sparse categorical accuracy") {
    const auto m = resolve("acc", "sparse_categorical_crossentropy", 10);
    CHECK(m.log_name == "acc");
    CHECK(m.per_sample == metric("sparse_categorical_accuracy"));
  }
  SECTION("binary_crossentropy, at any width: binary accuracy") {
    for (std::size_t units : {1u, 10u}) {
      const auto m = resolve("acc", "binary_crossentropy", units);
      CHECK(m.log_name == "acc");
      CHECK(m.per_sample == metric("binary_accuracy"));
    }
  }
  SECTION("one output unit, whatever the loss: binary accuracy") {
    for (const char* loss : {"mean_squared_error", "categorical_crossentropy", "sparse_categorical_crossentropy"}) {
      INFO(loss);
      CHECK(resolve("acc", loss, 1).per_sample == metric("binary_accuracy"));
    }
  }
  SECTION("'accuracy' (any case) is the same and also logs as acc (Keras 2.2.x)") {
    for (const char* name : {"accuracy", "Accuracy", "ACC"}) {
      const auto m = resolve(name, "mse", 10);
      CHECK(m.log_name == "acc");
      CHECK(m.per_sample == metric("categorical_accuracy"));
    }
  }
}

TEST_CASE("a loss used as a metric logs under its full name") {
  const auto mse = resolve("mse", "categorical_crossentropy", 10);
  CHECK(mse.log_name == "mean_squared_error");
  const std::vector<float> p{0.1f, 0.7f, 0.2f}, y{0.0f, 1.0f, 0.0f};
  CHECK(values(mse.per_sample, p, y, 1)[0] == Approx((0.01 + 0.09 + 0.04) / 3));

  CHECK(resolve("mae", "mse", 10).log_name == "mean_absolute_error");
  CHECK(resolve("categorical_crossentropy", "mse", 10).log_name == "categorical_crossentropy");
  CHECK(resolve("top_k_categorical_accuracy", "mse", 10).log_name == "top_k_categorical_accuracy");
}

TEST_CASE("categorical accuracy compares argmaxes; ties pick the first index") {
  const auto acc = metric("categorical_accuracy");
  // sample 1: argmax p = 1 = argmax y; sample 2: argmax p = 2, y = 0
  CHECK(values(acc, {0.1f, 0.8f, 0.1f, 0.2f, 0.3f, 0.5f}, {0, 1, 0, 1, 0, 0}, 2) == std::vector<float>{1.0f, 0.0f});
  // a tie between indices 0 and 1: argmax is 0
  CHECK(values(acc, {0.4f, 0.4f, 0.2f}, {1, 0, 0}, 1)[0] == 1.0f);
  CHECK(values(acc, {0.4f, 0.4f, 0.2f}, {0, 1, 0}, 1)[0] == 0.0f);
  // the same for the sparse variant, which sees one-hot targets here too
  const auto sparse = metric("sparse_categorical_accuracy");
  CHECK(values(sparse, {0.4f, 0.4f, 0.2f}, {1, 0, 0}, 1)[0] == 1.0f);
  CHECK(values(sparse, {0.4f, 0.4f, 0.2f}, {0, 1, 0}, 1)[0] == 0.0f);
  CHECK(values(sparse, {0.1f, 0.2f, 0.7f}, {0, 0, 1}, 1)[0] == 1.0f);
}

TEST_CASE("binary accuracy: the mean over outputs of y == round(p)") {
  const auto acc = metric("binary_accuracy");
  // round(0.4) = 0 == 0, round(0.6) = 1 == 1, round(0.8) = 1 != 0  -> 2/3
  CHECK(values(acc, {0.4f, 0.6f, 0.8f}, {0, 1, 0}, 1)[0] == Approx(2.0 / 3));
  // TF rounds half to even: round(0.5) = 0
  CHECK(values(acc, {0.5f}, {0}, 1)[0] == 1.0f);
  CHECK(values(acc, {0.5f}, {1}, 1)[0] == 0.0f);
  // one output per sample, two samples
  CHECK(values(acc, {0.9f, 0.1f}, {1, 1}, 2) == std::vector<float>{1.0f, 0.0f});
}

TEST_CASE("top_k_categorical_accuracy with k = 5") {
  const auto top5 = metric("top_k_categorical_accuracy");
  // scores of 10 classes; ranks: class 9 first (0.95) ... class 0 last (0.05)
  std::vector<float> p(10);
  for (std::size_t c = 0; c < 10; ++c) p[c] = 0.05f + 0.1f * static_cast<float>(c);
  const auto target = [](std::size_t c) {
    std::vector<float> y(10, 0.0f);
    y[c] = 1.0f;
    return y;
  };
  CHECK(values(top5, p, target(9), 1)[0] == 1.0f);  // rank 1
  CHECK(values(top5, p, target(5), 1)[0] == 1.0f);  // rank 5: still in
  CHECK(values(top5, p, target(4), 1)[0] == 0.0f);  // rank 6: out
  CHECK(values(top5, p, target(0), 1)[0] == 0.0f);

  // Ties at the boundary count as in (tf.nn.in_top_k): 4 classes above, target tied with two more.
  const std::vector<float> tied{0.9f, 0.8f, 0.7f, 0.6f, 0.3f, 0.3f, 0.3f, 0.1f, 0.0f, 0.0f};
  CHECK(values(top5, tied, target(6), 1)[0] == 1.0f);
  CHECK(values(top5, tied, target(7), 1)[0] == 0.0f);
}

TEST_CASE("an unknown metric is a ConfigError at its key, with a suggestion") {
  try {
    resolve("acuracy", "mse", 10);
    FAIL("expected a ConfigError");
  } catch (const mlp::ConfigError& e) {
    CHECK(e.key_path() == "compile.metrics[0]");
    CHECK_THAT(e.what(), Catch::Contains("did you mean 'accuracy'"));
  }
  try {
    resolve("categorical_acuracy", "mse", 10);
    FAIL("expected a ConfigError");
  } catch (const mlp::ConfigError& e) {
    CHECK_THAT(e.what(), Catch::Contains("did you mean 'categorical_accuracy'"));
  }
}
