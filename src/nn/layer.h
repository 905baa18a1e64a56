// The layer interface. A layer sees a batch as a [batch x features] matrix; its
// parameters live in the model's single arena (params, grads and optimizer slots
// share one layout), and it gets views into it with bind().
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/matrix.h"
#include "core/rng.h"
#include "core/shape.h"
#include "nn/constraints.h"

namespace mlp {

struct ParamSpec {
  std::string name;  // "kernel", "bias"
  Shape shape;
  // False for a weight no optimizer may change (BatchNormalization's moving mean
  // and variance, keras@2.2.4:keras/layers/normalization.py add_weight(trainable=False)):
  // it gets no gradient, and the summary counts it as non-trainable.
  bool trainable = true;
  // Applied to the weight after every optimizer update (kernel_constraint & co).
  std::optional<Constraint> constraint = std::nullopt;
  // False for state that Keras keeps outside the layer's weights (the
  // accumulators TensorFlow adds behind BatchNormalization's moving averages):
  // saved and resumed with the model, never counted in its summary or exported.
  bool keras_weight = true;
};

struct ForwardContext {
  bool training = false;
  Rng* dropout_rng = nullptr;  // only read when training
  // No backward pass follows (evaluation, prediction): layers may skip keeping
  // what only the backward pass reads.
  bool no_backward = false;
  // The value most of the input's entries hold (a blank pixel's, after scaling),
  // when the layer reads the model's input: a Dense layer then multiplies by
  // only the entries that differ (core/sparse_rows.h). Set by the Model (see
  // Model::set_input_background), for that layer only.
  std::optional<float> input_background = std::nullopt;
};

class Layer {
 public:
  explicit Layer(std::string name) : name_(std::move(name)) {}
  virtual ~Layer() = default;

  virtual std::string class_name() const = 0;  // "Dense", as Keras's summary shows it
  const std::string& name() const { return name_; }
  virtual Shape output_shape() const = 0;

  virtual std::vector<ParamSpec> param_specs() const { return {}; }
  // Views into the arena, in param_specs() order, each spec's size long; the
  // gradient of a non-trainable parameter is null.
  virtual void bind(std::vector<float*> /*params*/, std::vector<float*> /*grads*/) {}
  virtual void init_params(Rng& /*rng*/) {}
  // Regularization penalty added to the loss (Keras adds layer.losses to total_loss).
  virtual double penalty() const { return 0.0; }

  // True for a layer whose output is its input's data unchanged (Flatten: a
  // batch is stored flat already); the model then skips it instead of copying.
  virtual bool passes_through() const { return false; }

  // y = layer(x).
  virtual void forward(const Matrix& x, Matrix& y, const ForwardContext& ctx) = 0;
  // Given the forward's x and y and dL/dy: writes the parameter grads (overwriting:
  // each parameter gets exactly one contribution per step) and, when dx is not
  // null, dL/dx. The first layer passes dx = null: nobody needs the input's gradient.
  virtual void backward(const Matrix& x, const Matrix& y, const Matrix& dy, Matrix* dx) = 0;

  // backward() with a plain SGD step, p -= rate * dL/dp, for layers that can
  // apply it inside their gradient GEMM (beta = 1) and so skip writing and
  // re-reading the gradient. dx is computed with the weights before the step.
  // Returns false when the layer only wrote its grads (the default): the caller
  // then takes the step.
  virtual bool backward_with_sgd_step(const Matrix& x, const Matrix& y, const Matrix& dy, Matrix* dx,
                                      float /*rate*/) {
    backward(x, y, dy, dx);
    return false;
  }

  // The layer's config with every default filled in (what the model file stores).
  virtual nlohmann::json config() const = 0;

 private:
  std::string name_;
};

}  // namespace mlp
