#include "nn/layers/dense.h"

#include "core/blas.h"
#include "core/error.h"
#include "nn/layers/layer_factory.h"

namespace mlp {

Dense::Dense(std::string name, std::size_t inputs, Options options)
    : Layer(std::move(name)),
      inputs_(inputs),
      options_(std::move(options)),
      activation_(activation_table().find(options_.activation, "activation").entry),
      kernel_init_(initializer_table().find(options_.kernel_initializer, "kernel_initializer").entry),
      bias_init_(initializer_table().find(options_.bias_initializer, "bias_initializer").entry) {}

std::vector<ParamSpec> Dense::param_specs() const {
  std::vector<ParamSpec> specs{{"kernel", {inputs_, options_.units}}};
  if (options_.use_bias) specs.push_back({"bias", {options_.units}});
  return specs;
}

void Dense::bind(std::vector<float*> params, std::vector<float*> grads) {
  kernel_ = params[0];
  kernel_grad_ = grads[0];
  if (options_.use_bias) {
    bias_ = params[1];
    bias_grad_ = grads[1];
  }
}

void Dense::init_params(Rng& rng) {
  kernel_init_(rng, {kernel_, inputs_ * options_.units}, inputs_, options_.units);
  if (bias_) bias_init_(rng, {bias_, options_.units}, options_.units, 0);
}

double Dense::penalty() const {
  if (!options_.kernel_regularizer.active()) return 0.0;
  return options_.kernel_regularizer.penalty(kernel_, inputs_ * options_.units);
}

void Dense::forward(const Matrix& x, Matrix& y, const ForwardContext&) {
  const std::size_t batch = x.rows(), units = options_.units;
  z_.resize(batch, units);
  y.resize(batch, units);
  blas::gemm(blas::Trans::no, blas::Trans::no, static_cast<int>(batch), static_cast<int>(units),
             static_cast<int>(inputs_), 1.0f, x.data(), static_cast<int>(inputs_), kernel_, static_cast<int>(units),
             0.0f, z_.data(), static_cast<int>(units));
  if (bias_) {
    for (std::size_t r = 0; r < batch; ++r) {
      float* zr = z_.row(r);
      for (std::size_t c = 0; c < units; ++c) zr[c] += bias_[c];
    }
  }
  activation_.forward(z_.data(), y.data(), batch, units);
}

namespace {

// out[c] = sum over rows of m(r, c), row by row (cache order).
void sum_rows(const Matrix& m, float* out) {
  std::fill(out, out + m.cols(), 0.0f);
  for (std::size_t r = 0; r < m.rows(); ++r) {
    const float* row = m.row(r);
    for (std::size_t c = 0; c < m.cols(); ++c) out[c] += row[c];
  }
}

}  // namespace

void Dense::input_gradient(const Matrix& y, const Matrix& dy, Matrix* dx) {
  const std::size_t batch = y.rows(), units = options_.units;
  dz_.resize(batch, units);
  activation_.backward(z_.data(), y.data(), dy.data(), dz_.data(), batch, units);
  if (dx) {
    // dx = dz W^T   [batch x inputs]
    dx->resize(batch, inputs_);
    blas::gemm(blas::Trans::no, blas::Trans::yes, static_cast<int>(batch), static_cast<int>(inputs_),
               static_cast<int>(units), 1.0f, dz_.data(), static_cast<int>(units), kernel_, static_cast<int>(units),
               0.0f, dx->data(), static_cast<int>(inputs_));
  }
}

void Dense::backward(const Matrix& x, const Matrix& y, const Matrix& dy, Matrix* dx) {
  const std::size_t batch = x.rows(), units = options_.units;
  input_gradient(y, dy, dx);
  // dW = x^T dz   [inputs x units]
  blas::gemm(blas::Trans::yes, blas::Trans::no, static_cast<int>(inputs_), static_cast<int>(units),
             static_cast<int>(batch), 1.0f, x.data(), static_cast<int>(inputs_), dz_.data(), static_cast<int>(units),
             0.0f, kernel_grad_, static_cast<int>(units));
  if (options_.kernel_regularizer.active())
    options_.kernel_regularizer.add_gradient(kernel_, kernel_grad_, inputs_ * units);
  if (bias_grad_) sum_rows(dz_, bias_grad_);
}

bool Dense::backward_descend(const Matrix& x, const Matrix& y, const Matrix& dy, Matrix* dx, float rate) {
  const std::size_t batch = x.rows(), units = options_.units;
  input_gradient(y, dy, dx);  // before W changes
  if (options_.kernel_regularizer.active()) {
    // The penalty's gradient at the pre-update weights, applied first.
    std::fill(kernel_grad_, kernel_grad_ + inputs_ * units, 0.0f);
    options_.kernel_regularizer.add_gradient(kernel_, kernel_grad_, inputs_ * units);
    for (std::size_t i = 0; i < inputs_ * units; ++i) kernel_[i] -= rate * kernel_grad_[i];
  }
  // W += -rate x^T dz: the update inside the GEMM, no gradient buffer.
  blas::gemm(blas::Trans::yes, blas::Trans::no, static_cast<int>(inputs_), static_cast<int>(units),
             static_cast<int>(batch), -rate, x.data(), static_cast<int>(inputs_), dz_.data(), static_cast<int>(units),
             1.0f, kernel_, static_cast<int>(units));
  if (bias_) {
    sum_rows(dz_, bias_grad_);
    for (std::size_t c = 0; c < units; ++c) bias_[c] -= rate * bias_grad_[c];
  }
  return true;
}

nlohmann::json Dense::config() const {
  return {{"type", "Dense"},
          {"name", name()},
          {"units", options_.units},
          {"activation", options_.activation},
          {"use_bias", options_.use_bias},
          {"kernel_initializer", options_.kernel_initializer},
          {"bias_initializer", options_.bias_initializer},
          {"kernel_regularizer", options_.kernel_regularizer.config()}};
}

namespace {

Regularizer read_regularizer(ObjectReader& reader, const std::string& key) {
  const Json* value = reader.optional_value(key);
  if (!value || value->is_null()) return {};
  ObjectReader r(*value, reader.path(key));
  Regularizer reg{r.number("l1", 0.0, 0.0, 1e6), r.number("l2", 0.0, 0.0, 1e6)};
  r.finish();
  return reg;
}

std::string canonical_name(const NameTable<InitializerFn>& table, ObjectReader& reader, const std::string& key,
                           const std::string& fallback) {
  return table.find(reader.string(key, fallback), reader.path(key)).name;
}

}  // namespace

std::unique_ptr<Layer> make_dense(ObjectReader& reader, LayerContext& context) {
  if (context.input_shape.size() != 1)
    throw ConfigError(reader.path(), "Dense needs a flat input, got " + std::to_string(context.input_shape.size()) +
                                         " dimensions; put a Flatten layer before it");
  Dense::Options options;
  // Bounded so that sizes stay far from overflow; memory is checked for the whole model.
  options.units = static_cast<std::size_t>(reader.integer("units", std::nullopt, 1, std::int64_t{1} << 40));
  options.activation = activation_table().find(reader.string("activation", "linear"), reader.path("activation")).name;
  options.use_bias = reader.boolean("use_bias", true);
  options.kernel_initializer = canonical_name(initializer_table(), reader, "kernel_initializer", "glorot_uniform");
  options.bias_initializer = canonical_name(initializer_table(), reader, "bias_initializer", "zeros");
  options.kernel_regularizer = read_regularizer(reader, "kernel_regularizer");
  std::string name = context.auto_name(reader, "dense");
  return std::make_unique<Dense>(std::move(name), context.input_shape[0], std::move(options));
}

}  // namespace mlp
