// Keras's advanced activation layers (keras@2.2.4:keras/layers/advanced_activations.py):
// LeakyReLU, PReLU, ELU, ThresholdedReLU, Softmax. Forward against values worked
// by hand; the input's gradient (and PReLU's alpha's) against finite differences;
// names, configs, parameter counts and refusals.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/matrix.h"
#include "nn/layers/layer_factory.h"
#include "nn/model.h"
#include "support/gradcheck.h"
#include "support/random_matrices.h"

namespace {

using mlp::Json;
using mlp::Matrix;

// One layer as the model builds it, for `shape`, with its parameters (if any)
// bound to `params` / `grads` and set to `values`.
struct Built {
  std::map<std::string, int> counters;
  std::unique_ptr<mlp::Layer> layer;
  std::vector<float> params, grads;
};
std::unique_ptr<Built> build(const Json& spec, const mlp::Shape& shape, std::vector<float> values = {}) {
  auto built = std::make_unique<Built>();
  mlp::LayerContext context{shape, &built->counters};
  mlp::ObjectReader reader(spec, "model.layers[0]");
  built->layer = mlp::layer_table().find(reader.string("type"), reader.path("type")).entry(reader, context);
  reader.finish();
  std::size_t size = 0;
  for (const auto& p : built->layer->param_specs()) size += mlp::shape_size(p.shape);
  REQUIRE(values.size() == size);
  built->params = std::move(values);
  built->grads.assign(size, std::nanf(""));
  if (size > 0) built->layer->bind({built->params.data()}, {built->grads.data()});
  return built;
}

Matrix row(std::vector<float> values) {
  Matrix m(1, values.size());
  for (std::size_t i = 0; i < values.size(); ++i) m(0, i) = values[i];
  return m;
}

std::vector<float> forward(mlp::Layer& layer, const Matrix& x) {
  Matrix y;
  layer.forward(x, y, {});
  return {y.data(), y.data() + y.size()};
}

// L = sum(c * layer(x)): dL/dx from backward() against central differences over x,
// then (for a layer with weights) dL/dweights the same way.
void check_gradients(Built& built, const Matrix& x) {
  mlp::Layer& layer = *built.layer;
  Matrix y;
  layer.forward(x, y, {});
  const Matrix c = mlp::test::random_matrix(y.rows(), y.cols(), 7);
  auto objective = [&](const Matrix& at) {
    Matrix out;
    layer.forward(at, out, {});
    double sum = 0.0;
    for (std::size_t i = 0; i < out.size(); ++i) sum += static_cast<double>(c.data()[i]) * out.data()[i];
    return sum;
  };
  Matrix dx;
  layer.backward(x, y, c, &dx);
  const std::vector<float> analytic_x(dx.data(), dx.data() + dx.size()), analytic_w = built.grads;
  const auto by_input = mlp::test::check_gradient(
      [&](const std::vector<float>& values) {
        Matrix at(x.rows(), x.cols());
        std::copy(values.begin(), values.end(), at.data());
        return objective(at);
      },
      std::vector<float>(x.data(), x.data() + x.size()), analytic_x);
  INFO("input: " << by_input.describe());
  CHECK(by_input.worst_error < 2e-3);
  if (built.params.empty()) return;
  const std::vector<float> weights = built.params;
  const auto by_weight = mlp::test::check_gradient(
      [&](const std::vector<float>& values) {
        built.params = values;
        return objective(x);
      },
      weights, analytic_w);
  built.params = weights;
  INFO("weights: " << by_weight.describe());
  CHECK(by_weight.worst_error < 2e-3);
}

// Inputs in [-1, 1) kept 0.02 away from `kink`, where a finite difference would cross it.
Matrix inputs_away_from(float kink, std::size_t rows, std::size_t cols) {
  Matrix x = mlp::test::random_matrix(rows, cols, 3);
  for (float& v : x.values())
    if (std::fabs(v - kink) < 0.02f) v = kink + (v < kink ? -0.05f : 0.05f);
  return x;
}

}  // namespace

TEST_CASE("LeakyReLU: alpha x below zero, x above (alpha 0.3)") {
  auto built = build(Json{{"type", "LeakyReLU"}}, {3});
  CHECK(forward(*built->layer, row({-2.0f, 0.5f, 3.0f})) == std::vector<float>{-0.6f, 0.5f, 3.0f});
  CHECK(built->layer->name() == "leaky_re_lu_1");
  CHECK(built->layer->config() == Json{{"type", "LeakyReLU"}, {"name", "leaky_re_lu_1"}, {"alpha", 0.3}});
  auto custom = build(Json{{"type", "LeakyReLU"}, {"alpha", 0.1}}, {4});
  CHECK(forward(*custom->layer, row({-2.0f, 0.0f, 1.0f, -0.5f}))[0] == Approx(-0.2f));
  check_gradients(*custom, inputs_away_from(0.0f, 3, 4));
}

TEST_CASE("ELU: alpha (exp(x) - 1) below zero (alpha 1.0)") {
  auto built = build(Json{{"type", "ELU"}, {"alpha", 2.0}}, {2});
  const auto y = forward(*built->layer, row({-1.0f, 0.7f}));
  CHECK(y[0] == Approx(2.0 * (std::exp(-1.0) - 1.0)));  // -1.2642411
  CHECK(y[1] == 0.7f);
  CHECK(built->layer->name() == "elu_1");
  CHECK(build(Json{{"type", "ELU"}}, {2})->layer->config()["alpha"] == 1.0);
  check_gradients(*built, inputs_away_from(0.0f, 3, 2));
}

TEST_CASE("ThresholdedReLU: x above theta, else 0 (theta 1.0)") {
  auto built = build(Json{{"type", "ThresholdedReLU"}}, {4});
  CHECK(forward(*built->layer, row({0.5f, 1.0f, 1.5f, -3.0f})) == std::vector<float>{0.0f, 0.0f, 1.5f, 0.0f});
  CHECK(built->layer->name() == "thresholded_re_lu_1");
  auto custom = build(Json{{"type", "ThresholdedReLU"}, {"theta", 0.25}}, {5});
  check_gradients(*custom, inputs_away_from(0.25f, 3, 5));
}

TEST_CASE("Softmax along the last axis by default, or along the one given") {
  // Shape (2, 2): each row of the sample is a softmax by default; axis 1 takes the columns.
  const Matrix x = row({0.0f, std::log(3.0f), std::log(2.0f), std::log(2.0f)});
  auto last = build(Json{{"type", "Softmax"}}, {2, 2});
  const auto y = forward(*last->layer, x);
  CHECK(y[0] == Approx(0.25));
  CHECK(y[1] == Approx(0.75));
  CHECK(y[2] == Approx(0.5));
  CHECK(y[3] == Approx(0.5));
  CHECK(last->layer->config() == Json{{"type", "Softmax"}, {"name", "softmax_1"}, {"axis", -1}});
  auto first = build(Json{{"type", "Softmax"}, {"axis", 1}}, {2, 2});
  const auto z = forward(*first->layer, x);
  CHECK(z[0] == Approx(1.0 / 3.0));  // exp(0) / (exp(0) + 2)
  CHECK(z[2] == Approx(2.0 / 3.0));
  CHECK(z[1] == Approx(0.6));        // 3 / (3 + 2)
  CHECK(z[3] == Approx(0.4));
  for (const int axis : {-1, 1, 2, 3, -2}) {
    INFO("axis " << axis);
    auto built = build(Json{{"type", "Softmax"}, {"axis", axis}}, {2, 3, 4});
    check_gradients(*built, mlp::test::random_matrix(2, 24, 5));
  }
}

TEST_CASE("PReLU: a learned alpha per value, shared along shared_axes") {
  // Shape (2, 3) with shared_axes [1]: alpha has shape (1, 3), one per column.
  const Json spec{{"type", "PReLU"}, {"shared_axes", {1}}};
  auto built = build(spec, {2, 3}, {0.1f, 0.2f, 0.3f});
  REQUIRE(built->layer->param_specs().size() == 1);
  CHECK(built->layer->param_specs()[0].name == "alpha");
  CHECK(built->layer->param_specs()[0].shape == mlp::Shape{1, 3});
  CHECK(forward(*built->layer, row({-1.0f, -1.0f, -1.0f, -2.0f, 1.0f, -2.0f})) ==
        std::vector<float>{-0.1f, -0.2f, -0.3f, -0.2f, 1.0f, -0.6f});
  CHECK(built->layer->name() == "p_re_lu_1");
  CHECK(built->layer->config() == Json{{"type", "PReLU"},
                                       {"name", "p_re_lu_1"},
                                       {"alpha_initializer", "zeros"},
                                       {"alpha_regularizer", nullptr},
                                       {"alpha_constraint", nullptr},
                                       {"shared_axes", {1}}});
  check_gradients(*built, inputs_away_from(0.0f, 4, 6));

  // No shared axes: one alpha per value; an L2 penalty joins alpha's gradient.
  auto whole = build(Json{{"type", "PReLU"}, {"alpha_regularizer", {{"l2", 0.5}}}}, {2, 3},
                     {0.1f, -0.2f, 0.3f, 0.4f, 0.5f, 0.6f});
  CHECK(whole->layer->param_specs()[0].shape == mlp::Shape{2, 3});
  CHECK(whole->layer->penalty() == Approx(0.5 * (0.01 + 0.04 + 0.09 + 0.16 + 0.25 + 0.36)));
  Matrix x = inputs_away_from(0.0f, 3, 6), y, dx;
  whole->layer->forward(x, y, {});
  Matrix zero(3, 6);
  whole->layer->backward(x, y, zero, &dx);
  CHECK(whole->grads[1] == Approx(2 * 0.5 * -0.2));  // only the penalty's: d(l2 w^2) = 2 l2 w
}

TEST_CASE("PReLU's parameters count in the model, and its alpha starts at its initializer") {
  mlp::Model model({4, 5}, Json::parse(R"([{"type": "PReLU", "shared_axes": 2, "alpha_initializer": "ones"},
                                           {"type": "Flatten"}, {"type": "Dense", "units": 2}])"));
  CHECK(model.param_count() == 4 + (20 * 2 + 2));
  mlp::Rng rng(1);
  model.init_params(rng);
  CHECK(std::vector<float>(model.params().begin(), model.params().begin() + 4) == std::vector<float>(4, 1.0f));
}

TEST_CASE("advanced activation layers refuse what Keras would not take") {
  const auto message = [](const Json& spec, const mlp::Shape& shape) {
    try {
      build(spec, shape);
    } catch (const mlp::ConfigError& e) {
      return e.describe();
    }
    return std::string("accepted");
  };
  CHECK_THAT(message(Json{{"type", "Softmax"}, {"axis", 0}}, {3}), Catch::Contains("model.layers[0].axis: 0 is the batch axis"));
  CHECK_THAT(message(Json{{"type", "Softmax"}, {"axis", 3}}, {3, 2}), Catch::Contains("model.layers[0].axis"));
  CHECK_THAT(message(Json{{"type", "PReLU"}, {"shared_axes", {1, 1}}}, {3, 2}), Catch::Contains("given twice"));
  CHECK_THAT(message(Json{{"type", "PReLU"}, {"shared_axes", {3}}}, {3, 2}),
             Catch::Contains("model.layers[0].shared_axes[0]"));
  CHECK_THAT(message(Json{{"type", "LeakyReLU"}, {"alpha", -1}}, {3}), Catch::Contains("model.layers[0].alpha"));
  CHECK_THAT(message(Json{{"type", "ThresholdedReLU"}, {"theta", "x"}}, {3}), Catch::Contains("model.layers[0].theta"));
  CHECK_THAT(message(Json{{"type", "ELU"}, {"alpah", 1}}, {3}), Catch::Contains("alpah"));
}
