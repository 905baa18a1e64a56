// Dense: y = activation(x W + b), W of shape [inputs x units] as Keras stores it.
#pragma once

#include <optional>

#include "core/sparse_rows.h"
#include "nn/activations.h"
#include "nn/initializers.h"
#include "nn/layer.h"
#include "nn/regularizer.h"

namespace mlp {

class Dense : public Layer {
 public:
  struct Options {
    std::size_t units = 0;
    std::string activation = "linear";
    bool use_bias = true;
    std::string kernel_initializer = "glorot_uniform";
    std::string bias_initializer = "zeros";
    Regularizer kernel_regularizer;
    std::optional<Constraint> kernel_constraint, bias_constraint;
  };
  Dense(std::string name, std::size_t inputs, Options options);

  std::string class_name() const override { return "Dense"; }
  Shape output_shape() const override { return {options_.units}; }
  std::vector<ParamSpec> param_specs() const override;
  void bind(std::vector<float*> params, std::vector<float*> grads) override;
  void init_params(Rng& rng) override;
  double penalty() const override;
  void forward(const Matrix& x, Matrix& y, const ForwardContext& ctx) override;
  void backward(const Matrix& x, const Matrix& y, const Matrix& dy, Matrix* dx) override;
  bool backward_with_sgd_step(const Matrix& x, const Matrix& y, const Matrix& dy, Matrix* dx, float rate) override;
  nlohmann::json config() const override;

 private:
  std::size_t inputs_;
  Options options_;
  ActivationFns activation_;
  InitializerFn kernel_init_, bias_init_;
  float* kernel_ = nullptr;  // [inputs x units]
  float* bias_ = nullptr;    // [units]
  float* kernel_grad_ = nullptr;
  float* bias_grad_ = nullptr;
  Matrix z_;   // pre-activation, kept for the backward pass
  Matrix dz_;  // dL/dz
  // The last forward's input as background + differences, when it was given a
  // background and few entries differ: then x W and x^T dz use only those.
  SparseRows sparse_input_;
  bool input_is_sparse_ = false;

  // The three equations of backward (dense.cpp), with or without the SGD step.
  void backward_pass(const Matrix& x, const Matrix& y, const Matrix& dy, Matrix* dx, std::optional<float> sgd_rate);
  void forward_block(const Matrix& x, Matrix& z, Matrix& y, std::size_t row_begin, std::size_t row_end,
                     std::size_t unit_begin, std::size_t unit_end) const;
  // dz = dL/dz from dy, and the bias gradient; by slices of the units.
  void output_gradient(const Matrix& y, const Matrix& dy);
  // By slices of the inputs (rows of the kernel): dx = dz W^T when dx is not
  // null, then update_rows(begin, end), which may change those kernel rows.
  template <class UpdateRows>
  void by_input_rows(Matrix* dx, double update_flops, UpdateRows&& update_rows);
  // dx (when not null), then part(r0, r1, c0, c1) over blocks of the kernel that
  // partition it, shared by the pool's threads: by rows (inputs) for the GEMM,
  // each thread reading the rows it then updates; by columns (units) going by
  // the input's entries, whose work per column is the same everywhere (per
  // input, it follows where the images have ink).
  template <class Part>
  void kernel_parts(const Matrix& x, Matrix* dx, Part&& part);
  // out[r0:r1, c0:c1] = alpha (x^T dz)[r0:r1, c0:c1] (+ out when accumulate),
  // out being kernel-shaped: the kernel's gradient or, with alpha = -rate, its update.
  void kernel_product(const Matrix& x, std::size_t r0, std::size_t r1, std::size_t c0, std::size_t c1, float alpha,
                      bool accumulate, float* out) const;
  // One block of the kernel: dW = x^T dz + d(penalty)/dW, or the SGD step in its place.
  void kernel_gradient(const Matrix& x, std::size_t r0, std::size_t r1, std::size_t c0, std::size_t c1);
  void kernel_sgd_step(const Matrix& x, std::size_t r0, std::size_t r1, std::size_t c0, std::size_t c1, float rate);
};

}  // namespace mlp
