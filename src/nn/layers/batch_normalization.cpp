// BatchNormalization (keras@2.2.4:keras/layers/normalization.py), over the last
// axis: each channel (a Dense unit, a Conv2D filter) is normalized over the
// batch and, for images, every position.
//   training:  y = gamma (x - mean_B) / sqrt(var_B + epsilon) + beta, with the
//              batch's mean and (biased) variance, and the moving statistics
//              updated from them;
//   inference: the same with the moving mean and variance.
// The moving statistics follow Keras 2.2.4 on TensorFlow exactly:
//  - the variance they average is the batch's times n / (n - (1 + epsilon))
//    (normalization.py l.193-204, n the values per channel), and for image
//    batches (4-D) also times n / (n - 1) first, the Bessel correction
//    TensorFlow's fused batch norm already applies to the variance it returns
//    (tensorflow_backend.py _fused_normalize_batch_in_training);
//  - K.moving_average_update is assign_moving_average(zero_debias=True)
//    (tensorflow_backend.py): a hidden accumulator b <- b - (b - v)(1 - momentum),
//    from 0, and the moving value becomes b / (1 - momentum^t) after t updates,
//    so the initializers of the moving statistics only matter before training.
//    Those accumulators and t are kept as non-Keras weights of the layer.
//  - TensorFlow's fused kernel (4-D) raises epsilon to at least 1.001e-5.
// moving_mean and moving_variance are non-trainable weights, counted as Keras
// counts them.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/error.h"
#include "core/parallel.h"
#include "nn/initializers.h"
#include "nn/layers/layer_factory.h"
#include "nn/regularizer.h"

namespace mlp {
namespace {

class BatchNormalization : public Layer {
 public:
  struct Options {
    double momentum = 0.99, epsilon = 1e-3;
    bool center = true, scale = true;
    std::string beta_initializer = "zeros", gamma_initializer = "ones";
    std::string moving_mean_initializer = "zeros", moving_variance_initializer = "ones";
    Regularizer beta_regularizer, gamma_regularizer;
    std::optional<Constraint> beta_constraint, gamma_constraint;
  };

  BatchNormalization(std::string name, Shape shape, Options options)
      : Layer(std::move(name)), shape_(std::move(shape)), o_(std::move(options)), channels_(shape_.back()),
        images_(shape_.size() == 3) {}

  std::string class_name() const override { return "BatchNormalization"; }
  Shape output_shape() const override { return shape_; }

  std::vector<ParamSpec> param_specs() const override {
    std::vector<ParamSpec> specs;
    if (o_.scale) specs.push_back({"gamma", {channels_}, true, o_.gamma_constraint});
    if (o_.center) specs.push_back({"beta", {channels_}, true, o_.beta_constraint});
    specs.push_back({"moving_mean", {channels_}, false});
    specs.push_back({"moving_variance", {channels_}, false});
    specs.push_back({"moving_mean/biased", {channels_}, false, std::nullopt, false});
    specs.push_back({"moving_variance/biased", {channels_}, false, std::nullopt, false});
    specs.push_back({"local_step", {1}, false, std::nullopt, false});
    return specs;
  }
  void bind(std::vector<float*> params, std::vector<float*> grads) override {
    std::size_t k = 0;
    if (o_.scale) {
      gamma_ = params[k];
      gamma_grad_ = grads[k++];
    }
    if (o_.center) {
      beta_ = params[k];
      beta_grad_ = grads[k++];
    }
    moving_mean_ = params[k++];
    moving_variance_ = params[k++];
    biased_mean_ = params[k++];
    biased_variance_ = params[k++];
    local_step_ = params[k];
  }
  void init_params(Rng& rng) override {
    const auto init = [&](const std::string& name, float* w) {
      if (w) initializer_table().find(name, "initializer").entry(rng, {w, channels_}, channels_, 0);
    };
    init(o_.gamma_initializer, gamma_);
    init(o_.beta_initializer, beta_);
    init(o_.moving_mean_initializer, moving_mean_);
    init(o_.moving_variance_initializer, moving_variance_);
    if (biased_mean_) {
      std::fill(biased_mean_, biased_mean_ + channels_, 0.0f);
      std::fill(biased_variance_, biased_variance_ + channels_, 0.0f);
      *local_step_ = 0.0f;
    }
  }
  double penalty() const override {
    double sum = 0.0;
    if (gamma_ && o_.gamma_regularizer.active()) sum += o_.gamma_regularizer.penalty(gamma_, channels_);
    if (beta_ && o_.beta_regularizer.active()) sum += o_.beta_regularizer.penalty(beta_, channels_);
    return sum;
  }

  void forward(const Matrix& x, Matrix& y, const ForwardContext& ctx) override {
    const std::size_t rows = x.size() / channels_;  // values per channel in the batch
    y.resize(x.rows(), x.cols());
    const double epsilon = images_ ? std::max(o_.epsilon, 1.001e-5) : o_.epsilon;
    inv_std_.resize(channels_);
    if (ctx.training) {
      // Two passes in double: the mean, then the squared deviations from it.
      channel_sums(mean_, rows, [&](std::size_t r, double* sum) {
        const float* row = x.data() + r * channels_;
        for (std::size_t c = 0; c < channels_; ++c) sum[c] += row[c];
      });
      for (auto& m : mean_) m /= static_cast<double>(rows);
      channel_sums(variance_, rows, [&](std::size_t r, double* sum) {
        const float* row = x.data() + r * channels_;
        for (std::size_t c = 0; c < channels_; ++c) {
          const double d = row[c] - mean_[c];
          sum[c] += d * d;
        }
      });
      for (auto& v : variance_) v /= static_cast<double>(rows);
      for (std::size_t c = 0; c < channels_; ++c) inv_std_[c] = 1.0 / std::sqrt(variance_[c] + epsilon);
      update_moving_statistics(rows);
    } else {
      mean_.resize(channels_);
      for (std::size_t c = 0; c < channels_; ++c) {
        mean_[c] = moving_mean_[c];
        inv_std_[c] = 1.0 / std::sqrt(static_cast<double>(moving_variance_[c]) + epsilon);
      }
    }
    scale_.resize(channels_);
    shift_.resize(channels_);
    for (std::size_t c = 0; c < channels_; ++c) {
      const double g = gamma_ ? gamma_[c] : 1.0, b = beta_ ? beta_[c] : 0.0;
      scale_[c] = static_cast<float>(g * inv_std_[c]);
      shift_[c] = static_cast<float>(b - g * inv_std_[c] * mean_[c]);
    }
    parallel::for_ranges(rows, 1, 2.0 * static_cast<double>(x.size()), [&](std::size_t r0, std::size_t r1) {
      for (std::size_t r = r0; r < r1; ++r) {
        const float* in = x.data() + r * channels_;
        float* out = y.data() + r * channels_;
        for (std::size_t c = 0; c < channels_; ++c) out[c] = in[c] * scale_[c] + shift_[c];
      }
    }, 4);
  }

  // With the batch statistics of the last (training) forward:
  //   dbeta = sum dy, dgamma = sum dy xhat,
  //   dx = gamma / sqrt(var + eps) (dy - dbeta / n - xhat dgamma / n).
  void backward(const Matrix& x, const Matrix&, const Matrix& dy, Matrix* dx) override {
    const std::size_t rows = x.size() / channels_;
    // Per-channel terms in members: a step allocates nothing once the first has run.
    std::vector<float>&mean = mean_f_, &inv_std = inv_std_f_, &a = a_, &b = b_, &k = k_;
    for (auto* v : {&mean, &inv_std, &a, &b, &k}) v->resize(channels_);
    for (std::size_t c = 0; c < channels_; ++c) {
      mean[c] = static_cast<float>(mean_[c]);
      inv_std[c] = static_cast<float>(inv_std_[c]);
    }
    // Both sums in one pass: [dy..., dy * xhat...] per channel.
    std::vector<double>& sums = gradient_sums_;
    channel_sums(sums, rows, [&](std::size_t r, double* sum) {
      const float* in = x.data() + r * channels_;
      const float* d = dy.data() + r * channels_;
      for (std::size_t c = 0; c < channels_; ++c) {
        sum[c] += d[c];
        sum[channels_ + c] += d[c] * (in[c] - mean[c]) * inv_std[c];
      }
    }, 2);
    const double* sum_dy = sums.data();
    const double* sum_dy_xhat = sums.data() + channels_;
    if (gamma_grad_) {
      for (std::size_t c = 0; c < channels_; ++c) gamma_grad_[c] = static_cast<float>(sum_dy_xhat[c]);
      if (o_.gamma_regularizer.active()) o_.gamma_regularizer.add_gradient(gamma_, gamma_grad_, channels_);
    }
    if (beta_grad_) {
      for (std::size_t c = 0; c < channels_; ++c) beta_grad_[c] = static_cast<float>(sum_dy[c]);
      if (o_.beta_regularizer.active()) o_.beta_regularizer.add_gradient(beta_, beta_grad_, channels_);
    }
    if (!dx) return;
    dx->resize(dy.rows(), dy.cols());
    const double n = static_cast<double>(rows);
    for (std::size_t c = 0; c < channels_; ++c) {
      const double g = gamma_ ? gamma_[c] : 1.0;
      // dx = k dy - (a + (x - mean) b), with the terms per channel precomputed.
      k[c] = static_cast<float>(g * inv_std_[c]);
      a[c] = static_cast<float>(g * inv_std_[c] * sum_dy[c] / n);
      b[c] = static_cast<float>(g * inv_std_[c] * inv_std_[c] * sum_dy_xhat[c] / n);
    }
    parallel::for_ranges(rows, 1, 4.0 * static_cast<double>(x.size()), [&](std::size_t r0, std::size_t r1) {
      for (std::size_t r = r0; r < r1; ++r) {
        const float* in = x.data() + r * channels_;
        const float* d = dy.data() + r * channels_;
        float* out = dx->data() + r * channels_;
        for (std::size_t c = 0; c < channels_; ++c) out[c] = k[c] * d[c] - a[c] - (in[c] - mean[c]) * b[c];
      }
    }, 4);
  }

  nlohmann::json config() const override {
    return {{"type", "BatchNormalization"},
            {"name", name()},
            {"axis", -1},
            {"momentum", o_.momentum},
            {"epsilon", o_.epsilon},
            {"center", o_.center},
            {"scale", o_.scale},
            {"beta_initializer", o_.beta_initializer},
            {"gamma_initializer", o_.gamma_initializer},
            {"moving_mean_initializer", o_.moving_mean_initializer},
            {"moving_variance_initializer", o_.moving_variance_initializer},
            {"beta_regularizer", o_.beta_regularizer.config()},
            {"gamma_regularizer", o_.gamma_regularizer.config()},
            {"beta_constraint", constraint_config(o_.beta_constraint)},
            {"gamma_constraint", constraint_config(o_.gamma_constraint)}};
  }

 private:
  // `total` = sums over the batch's rows of `width` * channels values that
  // add(row, sums) adds to, by a fixed number of chunks of rows (in parallel) whose partial
  // sums are then added in order: the same result on any number of threads.
  template <class Add>
  void channel_sums(std::vector<double>& total, std::size_t rows, Add&& add, std::size_t width = 1) {
    constexpr std::size_t chunks = 8;
    const std::size_t size = width * channels_;
    partial_sums_.assign(chunks * size, 0.0);
    parallel::for_ranges(chunks, 1, 2.0 * static_cast<double>(rows * size), [&](std::size_t c0, std::size_t c1) {
      for (std::size_t chunk = c0; chunk < c1; ++chunk) {
        double* sum = partial_sums_.data() + chunk * size;
        for (std::size_t r = rows * chunk / chunks; r < rows * (chunk + 1) / chunks; ++r) add(r, sum);
      }
    });
    total.assign(partial_sums_.begin(), partial_sums_.begin() + static_cast<std::ptrdiff_t>(size));
    for (std::size_t chunk = 1; chunk < chunks; ++chunk)
      for (std::size_t i = 0; i < size; ++i) total[i] += partial_sums_[chunk * size + i];
  }

  // TensorFlow's zero-debiased moving average, in float32 as its variables are.
  void update_moving_statistics(std::size_t rows) {
    const double n = static_cast<double>(rows);
    const auto decay = static_cast<float>(1.0 - o_.momentum);
    *local_step_ += 1.0f;
    const float debias = 1.0f - std::pow(1.0f - decay, *local_step_);
    for (std::size_t c = 0; c < channels_; ++c) {
      double variance = variance_[c];
      if (images_ && rows > 1) variance *= n / (n - 1.0);
      variance *= n / (n - (1.0 + o_.epsilon));
      const auto update = [&](float& biased, float& moving, float value) {
        biased -= (biased - value) * decay;
        moving -= moving - biased / debias;
      };
      update(biased_mean_[c], moving_mean_[c], static_cast<float>(mean_[c]));
      update(biased_variance_[c], moving_variance_[c], static_cast<float>(variance));
    }
  }

  Shape shape_;
  Options o_;
  std::size_t channels_;
  bool images_;  // (height, width, channels) samples: Keras's 4-D batches
  float *gamma_ = nullptr, *beta_ = nullptr, *gamma_grad_ = nullptr, *beta_grad_ = nullptr;
  float *moving_mean_ = nullptr, *moving_variance_ = nullptr;
  float *biased_mean_ = nullptr, *biased_variance_ = nullptr, *local_step_ = nullptr;
  // From the last forward: the statistics it normalized with, and y = x scale + shift.
  std::vector<double> mean_, variance_, inv_std_;
  std::vector<float> scale_, shift_;
  std::vector<double> partial_sums_, gradient_sums_;
  std::vector<float> mean_f_, inv_std_f_, a_, b_, k_;  // backward's per-channel terms
};

}  // namespace

std::unique_ptr<Layer> make_batch_normalization(ObjectReader& reader, LayerContext& context) {
  const Shape& shape = context.input_shape;
  const auto axis = reader.integer("axis", -1, -8, 8);
  if (axis != -1 && axis != static_cast<std::int64_t>(shape.size()))
    throw ConfigError(reader.path("axis"), fmt::format("only the last axis (-1, or {} for an input of {}) is "
                                                       "supported, got {}",
                                                       shape.size(), shape_text(shape), axis));
  BatchNormalization::Options o;
  o.momentum = reader.number("momentum", 0.99, 0.0, 1.0);
  o.epsilon = reader.number("epsilon", 1e-3, 0.0, 1e6);
  if (o.epsilon <= 0.0) throw ConfigError(reader.path("epsilon"), "must be above 0");
  o.center = reader.boolean("center", true);
  o.scale = reader.boolean("scale", true);
  o.beta_initializer = read_initializer(reader, "beta_initializer", "zeros");
  o.gamma_initializer = read_initializer(reader, "gamma_initializer", "ones");
  o.moving_mean_initializer = read_initializer(reader, "moving_mean_initializer", "zeros");
  o.moving_variance_initializer = read_initializer(reader, "moving_variance_initializer", "ones");
  o.beta_regularizer = read_regularizer(reader, "beta_regularizer");
  o.gamma_regularizer = read_regularizer(reader, "gamma_regularizer");
  o.beta_constraint = read_constraint(reader, "beta_constraint");
  if (o.beta_constraint) o.beta_constraint->check({shape.back()}, reader.path("beta_constraint"));
  o.gamma_constraint = read_constraint(reader, "gamma_constraint");
  if (o.gamma_constraint) o.gamma_constraint->check({shape.back()}, reader.path("gamma_constraint"));
  std::string name = context.auto_name(reader, "batch_normalization");
  return std::make_unique<BatchNormalization>(std::move(name), shape, std::move(o));
}

}  // namespace mlp
