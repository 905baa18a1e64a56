// Weight constraints (keras@2.2.4:keras/constraints.py): each kind on a small
// weight against values worked by hand; their configs and refusals; and a train
// step that leaves a constrained kernel inside its set.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "core/error.h"
#include "core/rng.h"
#include "nn/constraints.h"
#include "train/compiled.h"
#include "train/train_step.h"

namespace {

using mlp::Json;

mlp::Constraint constraint(const Json& spec) {
  const Json holder{{"c", spec}};
  mlp::ObjectReader reader(holder, "layer");
  auto c = mlp::read_constraint(reader, "c");
  REQUIRE(c);
  return *c;
}

// [[3, 0.1], [4, 0.2]]: column 0 has norm 5, column 1 norm sqrt(0.05); row 0 norm
// sqrt(9.01), row 1 sqrt(16.04).
std::vector<float> weight() { return {3.0f, 0.1f, 4.0f, 0.2f}; }
const mlp::Shape shape{2, 2};

std::vector<float> applied(const Json& spec) {
  std::vector<float> w = weight();
  constraint(spec).apply(w.data(), shape);
  return w;
}

}  // namespace

TEST_CASE("max_norm scales each column (axis 0) down to max_value, and leaves smaller ones") {
  const auto w = applied(Json{{"type", "max_norm"}, {"max_value", 1.0}});
  CHECK(w[0] == Approx(0.6));
  CHECK(w[2] == Approx(0.8));
  CHECK(w[1] == Approx(0.1).epsilon(1e-6));  // times n / (1e-7 + n)
  CHECK(w[3] == Approx(0.2).epsilon(1e-6));
  const auto defaults = applied("max_norm");  // max_value 2
  CHECK(defaults[0] == Approx(1.2));
  CHECK(defaults[2] == Approx(1.6));
}

TEST_CASE("non_neg zeroes the negative values") {
  std::vector<float> w{-1.0f, 0.5f, 0.0f, -0.25f};
  constraint("non_neg").apply(w.data(), shape);
  CHECK(w == std::vector<float>{0.0f, 0.5f, 0.0f, 0.0f});
}

TEST_CASE("unit_norm divides by the norm along the axis") {
  const auto columns = applied("unit_norm");
  CHECK(columns[0] == Approx(0.6));
  CHECK(columns[1] == Approx(0.1 / std::sqrt(0.05)));
  const auto rows = applied(Json{{"type", "unit_norm"}, {"axis", 1}});
  CHECK(rows[0] == Approx(3.0 / std::sqrt(9.01)));
  CHECK(rows[3] == Approx(0.2 / std::sqrt(16.04)));
  const auto whole = applied(Json{{"type", "unit_norm"}, {"axis", {0, 1}}});
  const double norm = std::sqrt(9.0 + 0.01 + 16.0 + 0.04);
  CHECK(whole[0] == Approx(3.0 / norm));
  CHECK(whole[3] == Approx(0.2 / norm));
}

TEST_CASE("min_max_norm moves the norm rate of the way into [min_value, max_value]") {
  const auto w = applied(Json{{"type", "min_max_norm"}, {"min_value", 1.0}, {"max_value", 2.0}, {"rate", 0.5}});
  // column 0: desired 0.5 * 2 + 0.5 * 5 = 3.5, so scaled by 0.7
  CHECK(w[0] == Approx(3.0 * 0.7));
  CHECK(w[2] == Approx(4.0 * 0.7));
  // column 1: norm 0.2236 -> 0.5 * 1 + 0.5 * 0.2236 = 0.6118
  const double n = std::sqrt(0.05);
  CHECK(w[1] == Approx(0.1 * (0.5 + 0.5 * n) / n));
  const auto defaults = applied("min_max_norm");  // [0, 1], rate 1
  CHECK(defaults[0] == Approx(0.6));
}

TEST_CASE("constraint configs: Keras's names and defaults, read back the same") {
  CHECK(constraint("MaxNorm").config() == Json{{"type", "max_norm"}, {"max_value", 2.0}, {"axis", 0}});
  CHECK(constraint("nonneg").config() == Json{{"type", "non_neg"}});
  CHECK(constraint("unit_norm").config() == Json{{"type", "unit_norm"}, {"axis", 0}});
  const Json min_max = constraint("min_max_norm").config();
  CHECK(min_max == Json{{"type", "min_max_norm"}, {"max_value", 1.0}, {"min_value", 0.0}, {"rate", 1.0}, {"axis", 0}});
  CHECK(constraint(min_max).config() == min_max);
  CHECK(constraint(Json{{"type", "unit_norm"}, {"axis", {0, 1}}}).config()["axis"] == Json({0, 1}));
}

TEST_CASE("constraints that cannot be are refused, naming the key") {
  const auto message = [](const Json& layer) {
    try {
      mlp::Model({3}, Json::array({layer}));
    } catch (const mlp::ConfigError& e) {
      return e.describe();
    }
    return std::string("accepted");
  };
  CHECK_THAT(message(Json{{"type", "Dense"}, {"units", 2}, {"kernel_constraint", "max_nrom"}}),
             Catch::Contains("model.layers[0].kernel_constraint: unknown constraint 'max_nrom' (did you mean 'max_norm'?)"));
  CHECK_THAT(message(Json{{"type", "Dense"}, {"units", 2}, {"kernel_constraint", {{"type", "unit_norm"}, {"axis", 2}}}}),
             Catch::Contains("model.layers[0].kernel_constraint: axis 2 is beyond the weight's 2 dimensions (3, 2)"));
  CHECK_THAT(message(Json{{"type", "Dense"}, {"units", 2}, {"bias_constraint", {{"type", "max_norm"}, {"axis", 1}}}}),
             Catch::Contains("model.layers[0].bias_constraint: axis 1"));
  CHECK_THAT(message(Json{{"type", "Dense"}, {"units", 2},
                          {"kernel_constraint", {{"type", "min_max_norm"}, {"min_value", 2}, {"max_value", 1}}}}),
             Catch::Contains("min_value: must not be above max_value"));
  CHECK_THAT(message(Json{{"type", "Dense"}, {"units", 2}, {"kernel_constraint", {{"type", "max_norm"}, {"max", 1}}}}),
             Catch::Contains("max"));
  CHECK(message(Json{{"type", "Dense"}, {"units", 2}, {"kernel_constraint", "non_neg"}, {"bias_constraint", "unit_norm"}}) ==
        "accepted");
}

TEST_CASE("a train step leaves a max_norm kernel within its norm; without it the same step goes beyond") {
  const auto kernel_column_norms = [](const Json& dense) {
    const Json root{{"name", "c"},
                    {"seed", 3},
                    {"model", {{"input_shape", {4}}, {"layers", Json::array({dense})}}},
                    {"compile", {{"loss", "mse"}, {"optimizer", {{"type", "sgd"}, {"learning_rate", 5.0}}}}}};
    mlp::Compiled compiled = mlp::compile(mlp::parse_config(root, ""));
    mlp::Model& model = *compiled.model;
    mlp::Rng rng(3);
    model.init_params(rng);
    mlp::Matrix x(8, 4), y(8, 2);
    for (float& v : x.values()) v = rng.uniform(-1.0f, 1.0f);
    for (float& v : y.values()) v = rng.uniform(-3.0f, 3.0f);
    mlp::TrainStep step(model, *compiled.optimizer, *compiled.objective);
    std::vector<double> means(compiled.objective->names().size());
    step.run(x, y, rng, means);
    std::vector<double> norms(2, 0.0);
    for (std::size_t i = 0; i < 4; ++i)
      for (std::size_t j = 0; j < 2; ++j) norms[j] += std::pow(model.params()[i * 2 + j], 2);
    for (double& n : norms) n = std::sqrt(n);
    return norms;
  };
  const Json dense{{"type", "Dense"}, {"units", 2}};
  const auto free = kernel_column_norms(dense);
  REQUIRE(std::max(free[0], free[1]) > 0.5);  // the step alone leaves the set
  Json constrained = dense;
  constrained["kernel_constraint"] = {{"type", "max_norm"}, {"max_value", 0.5}};
  for (const double n : kernel_column_norms(constrained)) CHECK(n <= 0.5 + 1e-6);
}
