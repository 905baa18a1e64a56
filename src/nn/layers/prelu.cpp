// PReLU (keras@2.2.4:keras/layers/advanced_activations.py l.59-125): f(x) = x for
// x > 0, alpha x otherwise, with alpha a weight of the sample's shape, shared
// (size 1) along `shared_axes` (1-based). alpha_initializer "zeros".
//   dx = dy (x > 0 ? 1 : alpha);  dalpha = sum over the batch and the shared axes of dy min(x, 0)
#include <cmath>

#include "core/error.h"
#include "nn/initializers.h"
#include "nn/layers/layer_factory.h"
#include "nn/regularizer.h"

namespace mlp {
namespace {

class PReLU : public Layer {
 public:
  struct Options {
    std::string alpha_initializer = "zeros";
    Regularizer alpha_regularizer;
    std::vector<int> shared_axes;  // 1-based, as Keras's
    std::optional<Constraint> alpha_constraint;
  };

  PReLU(std::string name, Shape shape, Options options)
      : Layer(std::move(name)),
        shape_(std::move(shape)),
        options_(std::move(options)),
        init_(initializer_table().find(options_.alpha_initializer, "alpha_initializer").entry) {
    alpha_shape_ = shape_;
    for (int axis : options_.shared_axes) alpha_shape_[static_cast<std::size_t>(axis - 1)] = 1;
  }

  std::string class_name() const override { return "PReLU"; }
  Shape output_shape() const override { return shape_; }
  std::vector<ParamSpec> param_specs() const override {
    return {{"alpha", alpha_shape_, true, options_.alpha_constraint}};
  }
  void bind(std::vector<float*> params, std::vector<float*> grads) override {
    alpha_ = params[0];
    alpha_grad_ = grads[0];
  }
  void init_params(Rng& rng) override {
    // Keras's fans for a weight of this shape (keras/initializers.py _compute_fans).
    const std::size_t n = shape_size(alpha_shape_), dims = alpha_shape_.size();
    std::size_t fan_in = 0, fan_out = 0;
    if (dims == 2) {
      fan_in = alpha_shape_[0];
      fan_out = alpha_shape_[1];
    } else if (dims >= 3 && dims <= 5) {
      const std::size_t receptive = n / (alpha_shape_[dims - 2] * alpha_shape_[dims - 1]);
      fan_in = alpha_shape_[dims - 2] * receptive;
      fan_out = alpha_shape_[dims - 1] * receptive;
    } else {
      fan_in = fan_out = static_cast<std::size_t>(std::sqrt(static_cast<double>(n)));  // Keras: sqrt(n), unrounded
    }
    init_(rng, {alpha_, n}, fan_in, fan_out);
  }
  double penalty() const override {
    return options_.alpha_regularizer.active() ? options_.alpha_regularizer.penalty(alpha_, shape_size(alpha_shape_))
                                               : 0.0;
  }

  void forward(const Matrix& x, Matrix& y, const ForwardContext&) override {
    // Built at the first batch, whose values it indexes: a model that never runs
    // (a summary, a run refused before its data) allocates nothing for it.
    if (alpha_of_.empty()) index_alphas();
    y.resize(x.rows(), x.cols());
    for (std::size_t r = 0; r < x.rows(); ++r) {
      const float* in = x.data() + r * x.cols();
      float* out = y.data() + r * x.cols();
      for (std::size_t j = 0; j < x.cols(); ++j) out[j] = in[j] > 0.0f ? in[j] : alpha_[alpha_of_[j]] * in[j];
    }
  }
  void backward(const Matrix& x, const Matrix&, const Matrix& dy, Matrix* dx) override {
    const std::size_t n = shape_size(alpha_shape_);
    std::fill_n(alpha_grad_, n, 0.0f);
    if (dx) dx->resize(dy.rows(), dy.cols());
    for (std::size_t r = 0; r < dy.rows(); ++r) {
      const float* in = x.data() + r * x.cols();
      const float* grad = dy.data() + r * dy.cols();
      for (std::size_t j = 0; j < dy.cols(); ++j) {
        const bool positive = in[j] > 0.0f;
        if (!positive) alpha_grad_[alpha_of_[j]] += grad[j] * in[j];
        if (dx) dx->data()[r * dy.cols() + j] = positive ? grad[j] : alpha_[alpha_of_[j]] * grad[j];
      }
    }
    if (options_.alpha_regularizer.active()) options_.alpha_regularizer.add_gradient(alpha_, alpha_grad_, n);
  }
  nlohmann::json config() const override {
    return {{"type", "PReLU"},
            {"name", name()},
            {"alpha_initializer", options_.alpha_initializer},
            {"alpha_regularizer", options_.alpha_regularizer.config()},
            {"alpha_constraint", constraint_config(options_.alpha_constraint)},
            {"shared_axes", options_.shared_axes.empty() ? nlohmann::json(nullptr) : nlohmann::json(options_.shared_axes)}};
  }

 private:
  // Each input value's alpha: its index with the shared axes' coordinates at 0.
  void index_alphas() {
    const std::size_t features = shape_size(shape_);
    alpha_of_.resize(features);
    for (std::size_t j = 0; j < features; ++j) {
      std::size_t rest = j, index = 0, stride = 1;
      for (std::size_t d = shape_.size(); d-- > 0;) {
        const std::size_t coordinate = rest % shape_[d];
        rest /= shape_[d];
        index += (alpha_shape_[d] == 1 ? 0 : coordinate) * stride;
        stride *= alpha_shape_[d];
      }
      alpha_of_[j] = index;
    }
  }

  Shape shape_, alpha_shape_;
  Options options_;
  InitializerFn init_;
  std::vector<std::size_t> alpha_of_;
  float* alpha_ = nullptr;
  float* alpha_grad_ = nullptr;
};

// null, one axis, or a list of distinct axes, each in [1, dims].
std::vector<int> read_shared_axes(ObjectReader& reader, std::size_t dims) {
  const Json* value = reader.optional_value("shared_axes");
  if (!value || value->is_null()) return {};
  const std::string path = reader.path("shared_axes");
  const Json list = value->is_array() ? *value : Json::array({*value});
  std::vector<int> axes;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const auto axis = static_cast<int>(read_integer(list[i], value->is_array() ? index_path(path, i) : path, 1,
                                                    static_cast<std::int64_t>(dims)));
    if (std::find(axes.begin(), axes.end(), axis) != axes.end())
      throw ConfigError(path, "axis " + std::to_string(axis) + " is given twice");
    axes.push_back(axis);
  }
  return axes;
}

}  // namespace

std::unique_ptr<Layer> make_prelu(ObjectReader& reader, LayerContext& context) {
  PReLU::Options options;
  options.alpha_initializer = read_initializer(reader, "alpha_initializer", "zeros");
  options.alpha_regularizer = read_regularizer(reader, "alpha_regularizer");
  options.shared_axes = read_shared_axes(reader, context.input_shape.size());
  options.alpha_constraint = read_constraint(reader, "alpha_constraint");
  if (options.alpha_constraint) options.alpha_constraint->check(context.input_shape, reader.path("alpha_constraint"));
  std::string name = context.auto_name(reader, "p_re_lu");
  return std::make_unique<PReLU>(std::move(name), context.input_shape, std::move(options));
}

}  // namespace mlp
