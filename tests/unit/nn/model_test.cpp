// The model's parameter arena with a non-trainable weight, as BatchNormalization
// has one (keras@2.2.4:keras/layers/normalization.py: the moving mean is
// add_weight(..., trainable=False)): its place in the arena, no gradient, untouched
// by the optimizer, counted as non-trainable by the summary.
#include <catch2/catch.hpp>

#include <memory>
#include <sstream>
#include <vector>

#include "core/matrix.h"
#include "core/rng.h"
#include "nn/layers/dense.h"
#include "nn/losses.h"
#include "nn/model.h"
#include "nn/optimizers/optimizer.h"
#include "report/summary.h"
#include "train/objective.h"
#include "train/train_step.h"

namespace {

using mlp::Matrix;

// y = x * scale (per feature, trainable); in training, each forward sets
// moving_mean (non-trainable) to 0.5 moving_mean + 0.5 mean over the batch of x.
class ScaleWithMovingMean : public mlp::Layer {
 public:
  explicit ScaleWithMovingMean(std::size_t features) : Layer("scale_1"), features_(features) {}

  std::string class_name() const override { return "ScaleWithMovingMean"; }
  mlp::Shape output_shape() const override { return {features_}; }
  std::vector<mlp::ParamSpec> param_specs() const override {
    return {{"scale", {features_}, true}, {"moving_mean", {features_}, false}};
  }
  void bind(std::vector<float*> params, std::vector<float*> grads) override {
    scale_ = params[0];
    moving_mean_ = params[1];
    scale_grad_ = grads[0];
    moving_mean_grad_ = grads[1];
  }
  void forward(const Matrix& x, Matrix& y, const mlp::ForwardContext& ctx) override {
    y.resize(x.rows(), features_);
    for (std::size_t r = 0; r < x.rows(); ++r)
      for (std::size_t c = 0; c < features_; ++c) y(r, c) = x(r, c) * scale_[c];
    if (!ctx.training) return;
    for (std::size_t c = 0; c < features_; ++c) {
      float mean = 0.0f;
      for (std::size_t r = 0; r < x.rows(); ++r) mean += x(r, c) / static_cast<float>(x.rows());
      moving_mean_[c] = 0.5f * moving_mean_[c] + 0.5f * mean;
    }
  }
  void backward(const Matrix& x, const Matrix&, const Matrix& dy, Matrix* dx) override {
    for (std::size_t c = 0; c < features_; ++c) {
      scale_grad_[c] = 0.0f;
      for (std::size_t r = 0; r < x.rows(); ++r) scale_grad_[c] += x(r, c) * dy(r, c);
    }
    if (!dx) return;
    dx->resize(dy.rows(), features_);
    for (std::size_t r = 0; r < dy.rows(); ++r)
      for (std::size_t c = 0; c < features_; ++c) (*dx)(r, c) = dy(r, c) * scale_[c];
  }
  nlohmann::json config() const override { return {{"type", "ScaleWithMovingMean"}}; }

  const float* moving_mean_grad_ = nullptr;

 private:
  std::size_t features_;
  float* scale_ = nullptr;
  float* moving_mean_ = nullptr;
  float* scale_grad_ = nullptr;
};

// scale_1 (3 + 3 non-trainable) -> dense_1 (3 x 2 + 2).
std::unique_ptr<mlp::Model> scaled_model(ScaleWithMovingMean** scale = nullptr) {
  std::vector<std::unique_ptr<mlp::Layer>> layers;
  auto first = std::make_unique<ScaleWithMovingMean>(3);
  if (scale) *scale = first.get();
  layers.push_back(std::move(first));
  mlp::Dense::Options options;
  options.units = 2;
  layers.push_back(std::make_unique<mlp::Dense>("dense_1", 3, options));
  return std::make_unique<mlp::Model>(mlp::Shape{3}, std::move(layers));
}

}  // namespace

TEST_CASE("non-trainable weights sit after the trainable ones and get no gradient") {
  ScaleWithMovingMean* scale = nullptr;
  auto model = scaled_model(&scale);
  CHECK(model->param_count() == 14);
  CHECK(model->trainable_count() == 11);
  CHECK(model->grads().size() == 11);
  CHECK(model->trainable_params().size() == 11);
  CHECK(scale->moving_mean_grad_ == nullptr);
  const auto& slices = model->param_slices();
  REQUIRE(slices.size() == 4);
  // scale_1/scale, scale_1/moving_mean, dense_1/kernel, dense_1/bias
  CHECK(slices[0].offset == 0);
  CHECK(slices[1].offset == 11);
  CHECK_FALSE(slices[1].trainable);
  CHECK(slices[2].offset == 3);
  CHECK(slices[3].offset == 9);
}

TEST_CASE("a training step moves the trainable weights; the non-trainable ones follow only their layer's rule") {
  for (const char* optimizer_name : {R"("adam")", R"("sgd")", R"({"type": "adamw", "weight_decay": 0.5})"}) {
    INFO(optimizer_name);
    auto model = scaled_model();
    auto& params = model->params();
    for (std::size_t i = 0; i < params.size(); ++i) params[i] = 0.1f * static_cast<float>(i % 5) + 0.2f;
    const std::vector<float> before = params;
    auto optimizer = mlp::make_optimizer(nlohmann::json::parse(optimizer_name), "compile.optimizer");
    optimizer->prepare(model->trainable_count());
    mlp::Objective objective(mlp::loss_table().find("mse", "compile.loss").entry, {});
    mlp::TrainStep step(*model, *optimizer, objective);

    Matrix x(4, 3), y(4, 2);
    for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(i) * 0.25f - 1.0f;
    y.fill(1.0f);
    mlp::Rng rng(1);
    std::vector<double> means;
    step.run(x, y, rng, means);

    for (std::size_t c = 0; c < 3; ++c) {
      float mean = 0.0f;
      for (std::size_t r = 0; r < 4; ++r) mean += x(r, c) / 4.0f;
      const std::size_t at = 11 + c;  // moving_mean
      CHECK(params[at] == 0.5f * before[at] + 0.5f * mean);
    }
    for (std::size_t i = 0; i < 11; ++i) CHECK(params[i] != before[i]);
  }
}

TEST_CASE("the summary counts non-trainable parameters by their flag") {
  auto model = scaled_model();
  std::ostringstream out;
  mlp::print_summary(*model, out);
  CHECK_THAT(out.str(), Catch::Contains("Total params: 14\nTrainable params: 11\nNon-trainable params: 3\n"));
}
