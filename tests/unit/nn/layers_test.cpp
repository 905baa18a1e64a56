// Layers, built the way the trainer builds them: through mlp::Model from a JSON
// layer array. Forward against a hand computation; every parameter's gradient
// against finite differences of a scalar objective, for each layer type; plus the
// model's bookkeeping (parameter counts, names, refusals) and the initializers.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/matrix.h"
#include "core/parallel.h"
#include "core/rng.h"
#include "nn/activations.h"
#include "nn/model.h"
#include "support/gradcheck.h"
#include "support/random_matrices.h"

namespace {

using mlp::Json;
using mlp::Matrix;
using mlp::Model;
using mlp::test::mostly_background;
using mlp::test::random_matrix;

constexpr std::size_t batch = 3;

// Parameters of magnitude 0.05..0.6 with random signs: never near 0, where the L1
// penalty has its kink.
void set_params(Model& model, std::uint64_t seed) {
  mlp::Rng rng(seed);
  for (float& w : model.params()) w = rng.uniform(0.05f, 0.6f) * (rng.uniform() < 0.5f ? -1.0f : 1.0f);
}

double weighted_sum(const Matrix& c, const Matrix& out) {
  REQUIRE(c.size() == out.size());
  double sum = 0.0;
  for (std::size_t i = 0; i < out.size(); ++i) sum += static_cast<double>(c.data()[i]) * out.data()[i];
  return sum;
}

struct GradCheckOptions {
  mlp::ForwardContext ctx;
  std::function<void()> before_forward = [] {};  // e.g. reseed the dropout Rng
  bool with_penalty = false;
};

// Objective L = sum(c * model(x)) [+ penalty]; dL/d(output) = c. Compares
// model.grads() after backward with central differences over every parameter.
mlp::test::GradCheckResult check_all_params(Model& model, const Matrix& x, const GradCheckOptions& options = {}) {
  const Matrix c = random_matrix(x.rows(), model.output_size(), 99);
  const std::vector<float> params = model.params();

  auto objective = [&](const std::vector<float>& at) {
    model.params() = at;
    options.before_forward();
    double value = weighted_sum(c, model.forward(x, options.ctx));
    if (options.with_penalty) value += model.penalty();
    return value;
  };

  model.params() = params;
  options.before_forward();
  model.forward(x, options.ctx);
  std::fill(model.grads().begin(), model.grads().end(), std::nanf(""));  // every grad must be written
  model.backward(x, c);
  const std::vector<float> analytic = model.grads();

  auto result = mlp::test::check_gradient(objective, params, analytic);
  model.params() = params;
  return result;
}

// z = x W + b for the Dense whose kernel is param slice `slice` (bias follows it),
// computed by hand in double; x is [rows x inputs].
std::vector<double> dense_z(const Model& model, std::size_t slice, const std::vector<double>& x, std::size_t rows) {
  const auto& kernel = model.param_slices()[slice];
  const auto& bias = model.param_slices()[slice + 1];
  REQUIRE(kernel.name == "kernel");
  REQUIRE(bias.name == "bias");
  const std::size_t inputs = kernel.shape[0], units = kernel.shape[1];
  const float* w = model.params().data() + kernel.offset;
  const float* b = model.params().data() + bias.offset;
  std::vector<double> z(rows * units);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t j = 0; j < units; ++j) {
      double sum = b[j];
      for (std::size_t i = 0; i < inputs; ++i) sum += x[r * inputs + i] * w[i * units + j];  // W is [inputs x units]
      z[r * units + j] = sum;
    }
  return z;
}

std::vector<double> to_double(const Matrix& m) { return {m.data(), m.data() + m.size()}; }

// The activation (from the library) applied to double values, for preconditions only.
std::vector<double> activate(const std::string& name, const std::vector<double>& z, std::size_t rows) {
  std::vector<float> zf(z.begin(), z.end()), a(z.size());
  mlp::activation_table().find(name, "test").entry.forward(zf.data(), a.data(), rows, z.size() / rows);
  return {a.begin(), a.end()};
}

// No pre-activation within 0.02 of a kink (0 for relu & co, +-2.5 for hard_sigmoid),
// so a finite difference with step 1e-3 on a parameter never crosses one.
bool away_from_kinks(const std::vector<double>& z) {
  for (double v : z)
    if (std::fabs(v) < 0.02 || std::fabs(std::fabs(v) - 2.5) < 0.02) return false;
  return true;
}

Json parse(const char* text) { return Json::parse(text); }

std::string message_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const mlp::ConfigError& e) {
    return e.describe();
  }
  FAIL("expected a ConfigError");
  return "";
}

}  // namespace

TEST_CASE("Flatten -> Dense(tanh) -> Dense(softmax): forward matches a hand computation") {
  Model model({2, 3}, parse(R"([{"type": "Flatten"},
                                {"type": "Dense", "units": 4, "activation": "tanh"},
                                {"type": "Dense", "units": 3, "activation": "softmax"}])"));
  REQUIRE(model.param_count() == 6 * 4 + 4 + 4 * 3 + 3);
  REQUIRE(model.param_slices().size() == 4);
  CHECK(model.param_slices()[0].layer == "dense_1");
  CHECK(model.param_slices()[0].shape == mlp::Shape{6, 4});
  CHECK(model.param_slices()[1].offset == 24);
  CHECK(model.param_slices()[2].shape == mlp::Shape{4, 3});
  CHECK(model.param_slices()[3].offset == 40);
  CHECK(model.output_size() == 3);

  set_params(model, 1);
  const Matrix x = random_matrix(2, 6, 2);
  const Matrix& out = model.forward(x, {});
  REQUIRE(out.rows() == 2);
  REQUIRE(out.cols() == 3);

  // Hand computation: h = tanh(x W1 + b1), y = softmax(h W2 + b2), W row-major [inputs x units].
  const float* p = model.params().data();
  for (std::size_t r = 0; r < 2; ++r) {
    double h[4], z[3];
    for (std::size_t j = 0; j < 4; ++j) {
      double sum = p[24 + j];
      for (std::size_t i = 0; i < 6; ++i) sum += static_cast<double>(x(r, i)) * p[i * 4 + j];
      h[j] = std::tanh(sum);
    }
    double total = 0.0;
    for (std::size_t k = 0; k < 3; ++k) {
      double sum = p[40 + k];
      for (std::size_t j = 0; j < 4; ++j) sum += h[j] * p[28 + j * 3 + k];
      z[k] = std::exp(sum);
      total += z[k];
    }
    for (std::size_t k = 0; k < 3; ++k) CHECK(out(r, k) == Approx(z[k] / total).epsilon(1e-5));
  }

  const auto result = check_all_params(model, random_matrix(batch, 6, 3));
  INFO(result.describe());
  CHECK(result.worst_error < 2e-3);
}

TEST_CASE("Dense with a linear activation and no bias is x W") {
  Model model({2}, parse(R"([{"type": "Dense", "units": 3, "use_bias": false}])"));
  REQUIRE(model.param_count() == 6);
  model.params() = {1, 2, 3, 4, 5, 6};  // W = [[1 2 3] [4 5 6]]
  Matrix x(1, 2);
  x(0, 0) = 1.0f;
  x(0, 1) = -1.0f;
  const Matrix& y = model.forward(x, {});
  CHECK(y(0, 0) == Approx(-3.0));
  CHECK(y(0, 1) == Approx(-3.0));
  CHECK(y(0, 2) == Approx(-3.0));
  x(0, 1) = 2.0f;
  const Matrix& y2 = model.forward(x, {});
  CHECK(y2(0, 0) == Approx(9.0));
  CHECK(y2(0, 1) == Approx(12.0));
  CHECK(y2(0, 2) == Approx(15.0));
}

TEST_CASE("Dense with every activation: gradients of every parameter") {
  for (const auto& row : mlp::activation_table().rows()) {
    DYNAMIC_SECTION(row.name) {
      const Json layers = {{{"type", "Dense"}, {"units", 4}, {"activation", row.name}},
                           {{"type", "Dense"}, {"units", 3}, {"activation", row.name}}};
      Model model({5}, layers);
      const Matrix x = random_matrix(batch, 5, 11);
      // The first parameter draw whose pre-activations keep clear of the kinks.
      bool clear = false;
      for (std::uint64_t seed = 10; seed < 60 && !clear; ++seed) {
        set_params(model, seed);
        const auto z1 = dense_z(model, 0, to_double(x), batch);
        const auto z2 = dense_z(model, 2, activate(row.name, z1, batch), batch);
        clear = away_from_kinks(z1) && away_from_kinks(z2);
      }
      REQUIRE(clear);

      const auto result = check_all_params(model, x);
      INFO(result.describe());
      CHECK(result.worst_error < 2e-3);
    }
  }
}

TEST_CASE("Activation layer with every activation: gradients of every parameter") {
  for (const auto& row : mlp::activation_table().rows()) {
    DYNAMIC_SECTION(row.name) {
      const Json layers = {{{"type", "Dense"}, {"units", 4}},
                           {{"type", "Activation"}, {"activation", row.name}},
                           {{"type", "Dense"}, {"units", 3}}};
      Model model({5}, layers);
      CHECK(model.layers()[1]->name() == "activation_1");
      CHECK(model.layers()[1]->output_shape() == mlp::Shape{4});
      set_params(model, 20);
      const Matrix x = random_matrix(batch, 5, 21);
      REQUIRE(away_from_kinks(dense_z(model, 0, to_double(x), batch)));

      const auto result = check_all_params(model, x);
      INFO(result.describe());
      CHECK(result.worst_error < 2e-3);
    }
  }
}

TEST_CASE("Activation layer forward applies the function") {
  Model model({3}, parse(R"([{"type": "Activation", "activation": "ReLU"}])"));
  Matrix x(1, 3);
  x(0, 0) = -1.0f;
  x(0, 1) = 0.5f;
  x(0, 2) = 2.0f;
  const Matrix& y = model.forward(x, {});
  CHECK(y(0, 0) == 0.0f);
  CHECK(y(0, 1) == 0.5f);
  CHECK(y(0, 2) == 2.0f);
  CHECK(model.layers_config()[0]["activation"] == "relu");  // stored by its canonical name
}

TEST_CASE("Flatten passes data and gradients through unchanged") {
  Model model({2, 2}, parse(R"([{"type": "Flatten"}, {"type": "Dense", "units": 2, "activation": "sigmoid"}])"));
  CHECK(model.layers()[0]->output_shape() == mlp::Shape{4});
  set_params(model, 30);
  const auto result = check_all_params(model, random_matrix(batch, 4, 31));
  INFO(result.describe());
  CHECK(result.worst_error < 2e-3);

  // Flatten between two Dense layers: the gradient must pass through it to the first one.
  Model deeper({4}, parse(R"([{"type": "Dense", "units": 3, "activation": "tanh"}, {"type": "Flatten"},
                              {"type": "Dense", "units": 2}])"));
  set_params(deeper, 32);
  const auto deeper_result = check_all_params(deeper, random_matrix(batch, 4, 33));
  INFO(deeper_result.describe());
  CHECK(deeper_result.worst_error < 2e-3);
}

TEST_CASE("Dropout in training mode: gradients of every parameter with the mask held fixed") {
  Model model({5}, parse(R"([{"type": "Dense", "units": 4, "activation": "tanh"},
                             {"type": "Dropout", "rate": 0.5},
                             {"type": "Dense", "units": 3}])"));
  set_params(model, 40);
  const Matrix x = random_matrix(batch, 5, 41);
  mlp::Rng rng;
  GradCheckOptions options;
  options.ctx = {true, &rng};
  options.before_forward = [&] { rng.reseed(1234); };  // the same mask on every forward

  // The mask is not trivial: training output differs from inference output.
  rng.reseed(1234);
  const Matrix& out = model.forward(x, options.ctx);
  const std::vector<float> trained(out.values().begin(), out.values().end());
  const Matrix& inferred = model.forward(x, {});
  bool differs = false;
  for (std::size_t i = 0; i < inferred.size(); ++i) differs |= std::fabs(trained[i] - inferred.data()[i]) > 1e-4f;
  CHECK(differs);

  const auto result = check_all_params(model, x, options);
  INFO(result.describe());
  CHECK(result.worst_error < 2e-3);
}

TEST_CASE("Dense with an L1/L2 kernel regularizer: penalty and its gradient") {
  Model model({5}, parse(R"([{"type": "Dense", "units": 4, "activation": "tanh",
                              "kernel_regularizer": {"l1": 0.01, "l2": 0.02}},
                             {"type": "Dense", "units": 3}])"));
  set_params(model, 50);

  // penalty = 0.01 sum |W| + 0.02 sum W^2 over the first kernel only (no 1/2, no bias)
  const auto& kernel = model.param_slices()[0];
  double sum_abs = 0.0, sum_sq = 0.0;
  for (std::size_t i = 0; i < kernel.size; ++i) {
    const double w = model.params()[kernel.offset + i];
    sum_abs += std::fabs(w);
    sum_sq += w * w;
  }
  CHECK(model.penalty() == Approx(0.01 * sum_abs + 0.02 * sum_sq));

  GradCheckOptions options;
  options.with_penalty = true;
  const auto result = check_all_params(model, random_matrix(batch, 5, 51), options);
  INFO(result.describe());
  CHECK(result.worst_error < 2e-3);

  // An unknown regularizer key names its path.
  const std::string message = message_of([] {
    Model bad({5}, parse(R"([{"type": "Dense", "units": 4, "kernel_regularizer": {"l3": 0.1}}])"));
  });
  CHECK_THAT(message, Catch::Contains("model.layers[0].kernel_regularizer.l3"));
}

TEST_CASE("the tutorial model: 694950 parameters and Keras's automatic names") {
  Model model({28, 28}, parse(R"([{"type": "Flatten"},
                                  {"type": "Dense", "units": 784, "activation": "relu"},
                                  {"type": "Dense", "units": 100, "activation": "relu"},
                                  {"type": "Dense", "units": 10, "activation": "softmax"}])"));
  CHECK(model.param_count() == (784 * 784 + 784) + (784 * 100 + 100) + (100 * 10 + 10));
  CHECK(model.param_count() == 694950);
  REQUIRE(model.layers().size() == 4);
  CHECK(model.layers()[0]->name() == "flatten_1");
  CHECK(model.layers()[1]->name() == "dense_1");
  CHECK(model.layers()[2]->name() == "dense_2");
  CHECK(model.layers()[3]->name() == "dense_3");
  CHECK(model.layers()[0]->class_name() == "Flatten");
  CHECK(model.layers()[3]->class_name() == "Dense");
  CHECK(model.output_size() == 10);
}

TEST_CASE("an explicit name wins, and a name used twice is refused") {
  Model model({3}, parse(R"([{"type": "Dense", "units": 2, "name": "hidden"}, {"type": "Dense", "units": 1}])"));
  CHECK(model.layers()[0]->name() == "hidden");
  CHECK(model.layers()[1]->name() == "dense_2");  // Keras counts every Dense, named or not
  CHECK_THROWS_AS(Model({3}, parse(R"([{"type": "Dense", "units": 2, "name": "a"},
                                       {"type": "Dense", "units": 1, "name": "a"}])")),
                  mlp::ConfigError);
}

TEST_CASE("Dense on a non-flat input is refused, naming Flatten") {
  const std::string message = message_of([] { Model model({28, 28}, parse(R"([{"type": "Dense", "units": 10}])")); });
  CHECK_THAT(message, Catch::Contains("Flatten"));
  CHECK_THAT(message, Catch::StartsWith("model.layers[0]"));
}

TEST_CASE("a Dense too big for memory is refused before anything is allocated") {
  const std::string message = message_of([] {
    Model model({2, 3}, parse(R"([{"type": "Flatten"}, {"type": "Dense", "units": 1000000000000}])"));
  });
  INFO(message);
  CHECK_THAT(message, Catch::StartsWith("model.layers[1]"));
  CHECK_THAT(message, Catch::Contains("TiB") || Catch::Contains("PiB"));
}

TEST_CASE("glorot_uniform lies within +-sqrt(6 / (in + out)) with the uniform's variance; bias starts at zero") {
  const std::size_t in = 300, out = 200;
  Model model({in}, parse(R"([{"type": "Dense", "units": 200}])"));
  mlp::Rng rng(5);
  model.init_params(rng);
  const auto& kernel = model.param_slices()[0];
  const auto& bias = model.param_slices()[1];
  REQUIRE(kernel.size == in * out);

  const double limit = std::sqrt(6.0 / (in + out));
  double sum = 0.0, sum_sq = 0.0, low = 0.0, high = 0.0;
  std::size_t outside = 0;
  for (std::size_t i = 0; i < kernel.size; ++i) {
    const double w = model.params()[kernel.offset + i];
    outside += std::fabs(w) > limit;
    sum += w;
    sum_sq += w * w;
    low = std::min(low, w);
    high = std::max(high, w);
  }
  CHECK(outside == 0);
  const double n = static_cast<double>(kernel.size);
  const double mean = sum / n;
  CHECK(mean == Approx(0.0).margin(1.5e-3));
  CHECK(sum_sq / n - mean * mean == Approx(limit * limit / 3.0).epsilon(0.03));  // = 2 / (in + out)
  CHECK(high > 0.95 * limit);  // the whole range is used
  CHECK(low < -0.95 * limit);
  const auto bias_begin = model.params().begin() + static_cast<std::ptrdiff_t>(bias.offset);
  CHECK(std::all_of(bias_begin, bias_begin + static_cast<std::ptrdiff_t>(bias.size), [](float b) { return b == 0.0f; }));
}

TEST_CASE("Dropout: identity at inference; in training keeps 1 - rate and scales by 1 / (1 - rate)") {
  const std::size_t n = 20000;
  const double rate = 0.3;
  Model model({n}, parse(R"([{"type": "Dropout", "rate": 0.3}])"));
  Matrix x(1, n);
  for (std::size_t i = 0; i < n; ++i) x(0, i) = 1.0f + static_cast<float>(i % 7);

  const Matrix& inferred = model.forward(x, {});
  CHECK(std::equal(x.values().begin(), x.values().end(), inferred.values().begin()));

  mlp::Rng rng(77);
  const Matrix& trained = model.forward(x, {true, &rng});
  std::size_t kept = 0, badly_scaled = 0;
  double sum_in = 0.0, sum_out = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const float y = trained(0, i);
    if (y != 0.0f) {
      ++kept;
      badly_scaled += std::fabs(y - x(0, i) / (1.0 - rate)) > 1e-5 * y;
    }
    sum_in += x(0, i);
    sum_out += y;
  }
  CHECK(badly_scaled == 0);  // a kept unit is x / (1 - rate)
  CHECK(static_cast<double>(kept) / n == Approx(1.0 - rate).margin(0.015));
  CHECK(sum_out / sum_in == Approx(1.0).margin(0.03));  // the scaling keeps the expectation

  CHECK_THROWS_AS(Model({4}, parse(R"([{"type": "Dropout", "rate": 1.0}])")), mlp::ConfigError);
}

TEST_CASE("backward_with_sgd_step applies the same step as backward followed by p -= rate * grad") {
  const Json layers = Json::parse(R"([{"type": "Flatten"},
      {"type": "Dense", "units": 6, "activation": "tanh", "kernel_regularizer": {"l1": 0.01, "l2": 0.02}},
      {"type": "Dropout", "rate": 0.0},
      {"type": "Dense", "units": 5, "activation": "relu", "use_bias": false},
      {"type": "Activation", "activation": "sigmoid"},
      {"type": "Dense", "units": 3, "activation": "softmax"}])");
  Model separate({2, 4}, layers), fused({2, 4}, layers);
  mlp::Rng rng(17);
  separate.init_params(rng);
  for (float& b : separate.params()) b += 0.01f;  // non-zero biases too
  fused.params() = separate.params();

  Matrix x(7, 8), dy(7, 3);
  for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = std::sin(0.37f * static_cast<float>(i));
  for (std::size_t i = 0; i < dy.size(); ++i) dy.data()[i] = std::cos(0.11f * static_cast<float>(i));
  const float rate = 0.05f;

  separate.forward(x, {});
  separate.backward(x, dy);
  const std::vector<float> grads = separate.grads();
  for (std::size_t i = 0; i < grads.size(); ++i) separate.params()[i] -= rate * grads[i];

  fused.forward(x, {});
  fused.backward_with_sgd_step(x, dy, rate);

  REQUIRE(fused.params().size() == separate.params().size());
  for (std::size_t i = 0; i < fused.params().size(); ++i) {
    INFO("parameter " << i);
    CHECK(fused.params()[i] == Approx(separate.params()[i]).margin(1e-6));
  }
  // The step really moved the weights (the comparison is not of unchanged values).
  CHECK(std::count_if(grads.begin(), grads.end(), [](float g) { return std::fabs(g) > 1e-4f; }) > 20);
}

TEST_CASE("on two threads the layers compute what they compute on one") {
  // Wide enough that every Dense splits its work (by units at batch 24, by rows
  // at batch 200), with a regularizer, an activation that needs whole rows
  // (softmax) and one that does not.
  const Json layers = Json::parse(R"([
      {"type": "Dense", "units": 96, "activation": "relu", "kernel_regularizer": {"l2": 0.01}},
      {"type": "Dense", "units": 32, "activation": "tanh"},
      {"type": "Dense", "units": 10, "activation": "softmax"}])");
  struct Results {
    std::vector<float> train_out, infer_out, grads, dx_free_params, descended;
  };
  auto run = [&](int threads, std::size_t rows) {
    mlp::parallel::set_threads(threads);
    Model model({64}, layers);
    mlp::Rng rng(5);
    model.init_params(rng);
    for (float& p : model.params()) p += 0.01f;
    const Matrix x = random_matrix(rows, 64, 6), dy = random_matrix(rows, 10, 7);
    Results r;
    const Matrix& out = model.forward(x, {.training = true});
    r.train_out.assign(out.data(), out.data() + out.size());
    model.backward(x, dy);
    r.grads = model.grads();
    const Matrix& inferred = model.forward(x, {.no_backward = true});
    r.infer_out.assign(inferred.data(), inferred.data() + inferred.size());
    model.forward(x, {.training = true});
    model.backward_with_sgd_step(x, dy, 0.1f);
    r.descended = model.params();
    mlp::parallel::set_threads(1);
    return r;
  };
  auto same = [](const std::vector<float>& a, const std::vector<float>& b) {
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      INFO("index " << i);
      REQUIRE(a[i] == Approx(b[i]).margin(1e-6));
    }
  };
  for (std::size_t rows : {24u, 200u}) {
    INFO("batch " << rows);
    const Results one = run(1, rows), two = run(2, rows);
    same(one.train_out, two.train_out);
    same(one.train_out, one.infer_out);  // inference in place gives the training pass's outputs
    same(two.train_out, two.infer_out);
    same(one.grads, two.grads);
    same(one.descended, two.descended);
    // The comparisons are of values that moved.
    CHECK(std::count_if(one.grads.begin(), one.grads.end(), [](float g) { return std::fabs(g) > 1e-4f; }) > 1000);
  }
}

TEST_CASE("given its input's background, the first Dense computes what it computes densely") {
  // The second model's only layer needs whole rows (softmax): its sparse pass
  // splits by rows, the first model's by units.
  for (const char* text : {R"([{"type": "Dense", "units": 96, "activation": "relu", "kernel_regularizer": {"l2": 0.01}},
                               {"type": "Dense", "units": 10, "activation": "softmax"}])",
                           R"([{"type": "Dense", "units": 13, "activation": "softmax"}])"}) {
    const Json layers = Json::parse(text);
    for (int threads : {1, 2}) {
      for (std::size_t rows : {24u, 200u}) {
        INFO(text << "\nthreads " << threads << ", batch " << rows);
        mlp::parallel::set_threads(threads);
        Model dense({120}, layers), sparse({120}, layers);
        mlp::Rng rng(8);
        dense.init_params(rng);
        for (float& p : dense.params()) p += 0.01f;
        sparse.params() = dense.params();
        const Matrix x = mostly_background(rows, 120, -1.0f, 0.2, 9);
        const Matrix dy = random_matrix(rows, dense.output_size(), 10);
        sparse.set_input_background(-1.0f);
        const mlp::ForwardContext with_background{.training = true};

        const std::vector<double> dense_out = to_double(dense.forward(x, {.training = true}));
        const std::vector<double> sparse_out = to_double(sparse.forward(x, with_background));
        REQUIRE(sparse_out.size() == dense_out.size());
        for (std::size_t i = 0; i < dense_out.size(); ++i) REQUIRE(sparse_out[i] == Approx(dense_out[i]).margin(1e-5));
        dense.backward(x, dy);
        sparse.backward(x, dy);
        for (std::size_t i = 0; i < dense.grads().size(); ++i)
          REQUIRE(sparse.grads()[i] == Approx(dense.grads()[i]).margin(1e-5));
        CHECK(std::count_if(dense.grads().begin(), dense.grads().end(), [](float g) { return std::fabs(g) > 1e-3f; }) >
              100);

        const mlp::ForwardContext inferring{.no_backward = true};
        const std::vector<double> inferred = to_double(sparse.forward(x, inferring));
        for (std::size_t i = 0; i < dense_out.size(); ++i) REQUIRE(inferred[i] == Approx(dense_out[i]).margin(1e-5));

        dense.forward(x, {.training = true});
        dense.backward_with_sgd_step(x, dy, 0.1f);
        sparse.forward(x, with_background);
        sparse.backward_with_sgd_step(x, dy, 0.1f);
        for (std::size_t i = 0; i < dense.params().size(); ++i)
          REQUIRE(sparse.params()[i] == Approx(dense.params()[i]).margin(1e-5));
        mlp::parallel::set_threads(1);
      }
    }
  }
}

TEST_CASE("a first Dense going by the input's non-background entries: gradients of every parameter") {
  for (float background : {0.0f, -1.0f}) {
    INFO("background " << background);
    const Json layers = parse(R"([{"type": "Dense", "units": 7, "activation": "tanh"},
                                  {"type": "Dense", "units": 3, "activation": "sigmoid"}])");
    Model model({40}, layers);
    set_params(model, 21);
    for (float& p : model.params()) p *= 0.2f;  // keeps tanh off its flat tails
    const Matrix x = mostly_background(batch, 40, background, 0.3, 22);
    GradCheckOptions options;
    model.set_input_background(background);
    const auto result = check_all_params(model, x, options);
    INFO(result.describe());
    CHECK(result.worst_error < 2e-3);
  }
}
