// Conv2D (keras@2.2.4:keras/layers/convolutional.py), channels_last: a sample
// is (height, width, channels), stored flat as a row; the kernel has Keras's
// shape (kernel_h, kernel_w, channels, filters), which read row-major is the
// GEMM-ready matrix [kernel_h * kernel_w * channels x filters].
//
// The convolution is a matrix product over patches (im2col): for each sample,
// P [positions x kernel_h * kernel_w * channels] holds the input under the
// window at each output position (zeros where it hangs over the padding), and
//   forward:  z = P K + b, y = activation(z)     (z's rows are positions: HWC)
//   backward: dz = dy * f'(z); db = sum dz; dK = sum over samples P^T dz;
//             dP = dz K^T, whose entries are added back where they were read (col2im) into dx.
// Samples go in groups whose patches fill about a megabyte, so a GEMM is large
// enough to run at BLAS's speed while its operand stays in cache; the batch is
// split into a fixed number of chunks, one partial dK and db each, summed in
// order, so the result is the same however many threads run them.
#include <algorithm>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "core/blas.h"
#include "core/error.h"
#include "core/parallel.h"
#include "nn/activations.h"
#include "nn/initializers.h"
#include "nn/layers/layer_factory.h"
#include "nn/layers/window2d.h"
#include "nn/layers/winograd3x3.h"
#include "nn/regularizer.h"

namespace mlp {
namespace {

constexpr std::size_t chunks_per_batch = 8;
constexpr std::size_t group_floats = 1 << 18;  // one group's patches: 1 MiB

class Conv2D : public Layer {
 public:
  struct Options {
    std::size_t filters = 0;
    Window2D window;
    std::string activation = "linear";
    bool use_bias = true;
    std::string kernel_initializer = "glorot_uniform";
    std::string bias_initializer = "zeros";
    Regularizer kernel_regularizer, bias_regularizer;
    std::optional<Constraint> kernel_constraint, bias_constraint;
  };

  Conv2D(std::string name, Options options)
      : Layer(std::move(name)),
        o_(std::move(options)),
        w_(o_.window),
        activation_(activation_table().find(o_.activation, "activation").entry),
        kernel_init_(initializer_table().find(o_.kernel_initializer, "kernel_initializer").entry),
        bias_init_(initializer_table().find(o_.bias_initializer, "bias_initializer").entry),
        patch_(w_.window_size() * w_.channels),
        direct_(w_.kernel_h == 1 && w_.kernel_w == 1 && w_.stride_h == 1 && w_.stride_w == 1),
        group_(std::max<std::size_t>(1, group_floats / std::max<std::size_t>(1, w_.positions() * patch_))) {
    if (Winograd3x3::suits(w_)) {
      winograd_.emplace(w_, o_.filters);
      group_ = std::size_t{1} << 30;  // a chunk at a time: it blocks its tiles itself
    }
  }

  std::string class_name() const override { return "Conv2D"; }
  Shape output_shape() const override { return {w_.out_h, w_.out_w, o_.filters}; }
  std::vector<ParamSpec> param_specs() const override {
    std::vector<ParamSpec> specs{
        {"kernel", {w_.kernel_h, w_.kernel_w, w_.channels, o_.filters}, true, o_.kernel_constraint}};
    if (o_.use_bias) specs.push_back({"bias", {o_.filters}, true, o_.bias_constraint});
    return specs;
  }
  void bind(std::vector<float*> params, std::vector<float*> grads) override {
    kernel_ = params[0];
    kernel_grad_ = grads[0];
    if (o_.use_bias) {
      bias_ = params[1];
      bias_grad_ = grads[1];
    }
  }
  void init_params(Rng& rng) override {
    // Keras's fans for a convolution kernel: its receptive field times the channels in and out.
    const std::size_t field = w_.window_size();
    kernel_init_(rng, {kernel_, patch_ * o_.filters}, field * w_.channels, field * o_.filters);
    if (bias_) bias_init_(rng, {bias_, o_.filters}, o_.filters, 0);
  }
  double penalty() const override {
    double sum = o_.kernel_regularizer.active() ? o_.kernel_regularizer.penalty(kernel_, patch_ * o_.filters) : 0.0;
    if (bias_ && o_.bias_regularizer.active()) sum += o_.bias_regularizer.penalty(bias_, o_.filters);
    return sum;
  }

  void forward(const Matrix& x, Matrix& y, const ForwardContext& ctx) override {
    const std::size_t batch = x.rows(), out = w_.positions() * o_.filters;
    y.resize(batch, out);
    Matrix& z = ctx.no_backward ? y : z_;
    z.resize(batch, out);
    prepare_chunks(batch);
    if (winograd_) winograd_->set_kernel(kernel_);
    const double flops = 2.0 * static_cast<double>(batch * w_.positions() * patch_ * o_.filters);
    parallel::for_ranges(chunks_, 1, flops, [&](std::size_t c0, std::size_t c1) {
      for (std::size_t c = c0; c < c1; ++c)
        for_groups(c, batch, [&](std::size_t b, std::size_t n) {
          const std::size_t rows = n * w_.positions();
          float* zb = z.row(b);
          if (winograd_) {
            winograd_->forward(x.row(b), n, bias_, zb, scratch_[c]);
            activation_.forward_rows(zb, y.row(b), rows, o_.filters, o_.filters);
            return;
          }
          const float* patches = gather_patches(x, b, n, chunk_patches_[c]);
          for (std::size_t r = 0; r < rows; ++r) {
            float* zr = zb + r * o_.filters;
            if (bias_) std::copy(bias_, bias_ + o_.filters, zr);
            else std::fill(zr, zr + o_.filters, 0.0f);
          }
          blas::gemm(blas::Trans::no, blas::Trans::no, static_cast<int>(rows), static_cast<int>(o_.filters),
                     static_cast<int>(patch_), 1.0f, patches, static_cast<int>(patch_), kernel_,
                     static_cast<int>(o_.filters), 1.0f, zb, static_cast<int>(o_.filters));
          activation_.forward_rows(zb, y.row(b), rows, o_.filters, o_.filters);
        });
    });
  }

  // Everything per chunk of samples, in parallel: dz, the bias's and the
  // kernel's partial sums, and dx; then the partial sums added in chunk order.
  void backward(const Matrix& x, const Matrix& y, const Matrix& dy, Matrix* dx) override {
    const std::size_t batch = x.rows(), filters = o_.filters, positions = w_.positions();
    dz_.resize(batch, positions * filters);
    if (dx) dx->resize(batch, w_.in_size());
    prepare_chunks(batch);
    if (winograd_) winograd_->set_kernel(kernel_);
    const std::size_t partial_size = kernel_partial_size();
    const double flops = (dx ? 4.0 : 2.0) * static_cast<double>(batch * positions * patch_ * filters);
    parallel::for_ranges(chunks_, 1, flops, [&](std::size_t c0, std::size_t c1) {
      for (std::size_t c = c0; c < c1; ++c) {
        float* partial = partials_.data() + c * partial_size;
        float* bias_partial = bias_partials_.data() + c * filters;
        std::fill(bias_partial, bias_partial + filters, 0.0f);
        bool first = true;
        for_groups(c, batch, [&](std::size_t b, std::size_t n) {
          const std::size_t rows = n * positions;
          float* dzb = dz_.row(b);
          activation_.backward_rows(z_.row(b), y.row(b), dy.row(b), dzb, rows, filters, filters);
          for (std::size_t r = 0; r < rows; ++r)
            for (std::size_t f = 0; f < filters; ++f) bias_partial[f] += dzb[r * filters + f];
          if (winograd_)
            winograd_->backward(x.row(b), dzb, n, partial, first, dx ? dx->row(b) : nullptr, scratch_[c]);
          else
            im2col_backward(x, b, n, c, partial, first, dx);
          first = false;
        });
        if (first) std::fill(partial, partial + partial_size, 0.0f);  // a chunk without samples
      }
    });
    float* sum = partials_.data();  // the chunks' partial sums, added in order into the first
    for (std::size_t c = 1; c < chunks_; ++c) {
      const float* partial = partials_.data() + c * partial_size;
      for (std::size_t i = 0; i < partial_size; ++i) sum[i] += partial[i];
    }
    const std::size_t size = patch_ * filters;
    if (winograd_) winograd_->kernel_gradient(sum, kernel_grad_);
    else std::copy(sum, sum + size, kernel_grad_);
    if (o_.kernel_regularizer.active()) o_.kernel_regularizer.add_gradient(kernel_, kernel_grad_, size);
    if (bias_grad_) {
      std::copy(bias_partials_.begin(), bias_partials_.begin() + static_cast<std::ptrdiff_t>(filters), bias_grad_);
      for (std::size_t c = 1; c < chunks_; ++c)
        for (std::size_t f = 0; f < filters; ++f) bias_grad_[f] += bias_partials_[c * filters + f];
      if (o_.bias_regularizer.active()) o_.bias_regularizer.add_gradient(bias_, bias_grad_, filters);
    }
  }

  nlohmann::json config() const override {
    return {{"type", "Conv2D"},
            {"name", name()},
            {"filters", o_.filters},
            {"kernel_size", {w_.kernel_h, w_.kernel_w}},
            {"strides", {w_.stride_h, w_.stride_w}},
            {"padding", w_.padding()},
            {"data_format", "channels_last"},
            {"dilation_rate", {w_.dilation_h, w_.dilation_w}},
            {"activation", o_.activation},
            {"use_bias", o_.use_bias},
            {"kernel_initializer", o_.kernel_initializer},
            {"bias_initializer", o_.bias_initializer},
            {"kernel_regularizer", o_.kernel_regularizer.config()},
            {"bias_regularizer", o_.bias_regularizer.config()},
            {"kernel_constraint", constraint_config(o_.kernel_constraint)},
            {"bias_constraint", constraint_config(o_.bias_constraint)}};
  }

 private:
  // Samples [b, b + n) of chunk c by im2col: their dz's part of dK into
  // partial (written when first, else added), and dx's rows.
  void im2col_backward(const Matrix& x, std::size_t b, std::size_t n, std::size_t c, float* partial, bool first,
                       Matrix* dx) {
    const std::size_t rows = n * w_.positions(), filters = o_.filters;
    const float* dzb = dz_.row(b);
    if (dx) {
      // dP = dz K^T, with the kernel before any update; added back into dx.
      std::vector<float>& d_patches = chunk_patch_grads_[c];
      d_patches.resize(rows * patch_);
      blas::gemm(blas::Trans::no, blas::Trans::yes, static_cast<int>(rows), static_cast<int>(patch_),
                 static_cast<int>(filters), 1.0f, dzb, static_cast<int>(filters), kernel_, static_cast<int>(filters),
                 0.0f, d_patches.data(), static_cast<int>(patch_));
      std::fill(dx->row(b), dx->row(b) + n * w_.in_size(), 0.0f);
      scatter_patches(d_patches.data(), b, n, *dx);
    }
    const float* patches = gather_patches(x, b, n, chunk_patches_[c]);
    blas::gemm(blas::Trans::yes, blas::Trans::no, static_cast<int>(patch_), static_cast<int>(filters),
               static_cast<int>(rows), 1.0f, patches, static_cast<int>(patch_), dzb, static_cast<int>(filters),
               first ? 0.0f : 1.0f, partial, static_cast<int>(filters));
  }

  // One chunk's partial sum of the kernel's gradient: in the Winograd domain when that computes the layer.
  std::size_t kernel_partial_size() const {
    return winograd_ ? winograd_->transformed_size() : patch_ * o_.filters;
  }

  // Chunk c's samples, by groups: fn(first sample, samples).
  template <class Fn>
  void for_groups(std::size_t c, std::size_t batch, Fn&& fn) const {
    const std::size_t begin = batch * c / chunks_, end = batch * (c + 1) / chunks_;
    for (std::size_t b = begin; b < end; b += group_) fn(b, std::min(group_, end - b));
  }

  void prepare_chunks(std::size_t batch) {
    chunks_ = std::min(batch, chunks_per_batch);
    chunk_patches_.resize(chunks_);
    chunk_patch_grads_.resize(chunks_);
    partials_.resize(chunks_ * kernel_partial_size());
    scratch_.resize(winograd_ ? chunks_ : 0);
    bias_partials_.resize(chunks_ * o_.filters);
  }

  // The patches of samples [b, b + n): [n * positions x patch], or the input
  // itself when the window is one pixel with stride 1.
  const float* gather_patches(const Matrix& x, std::size_t b, std::size_t n, std::vector<float>& buffer) const {
    if (direct_) return x.row(b);
    buffer.resize(n * w_.positions() * patch_);
    const std::size_t channels = w_.channels;
    for (std::size_t s = 0; s < n; ++s) {
      const float* image = x.row(b + s);
      float* patches = buffer.data() + s * w_.positions() * patch_;
      // Runs of `channels` values: short ones (one channel) copied inline, not by memmove.
      for_each_tap([&](std::size_t at, std::ptrdiff_t from) {
        float* dst = patches + at;
        if (from >= 0)
          for (std::size_t k = 0; k < channels; ++k) dst[k] = image[static_cast<std::size_t>(from) + k];
        else
          for (std::size_t k = 0; k < channels; ++k) dst[k] = 0.0f;
      });
    }
    return buffer.data();
  }

  // col2im: adds each patch entry's gradient to the input value it was read from.
  void scatter_patches(const float* d_patches, std::size_t b, std::size_t n, Matrix& dx) const {
    const std::size_t channels = w_.channels;
    for (std::size_t s = 0; s < n; ++s) {
      float* image = dx.row(b + s);
      const float* patches = d_patches + s * w_.positions() * patch_;
      for_each_tap([&](std::size_t at, std::ptrdiff_t to) {
        if (to < 0) return;
        float* dst = image + to;
        for (std::size_t k = 0; k < channels; ++k) dst[k] += patches[at + k];
      });
    }
  }

  // Calls tap(offset in the patches, offset in the image or -1 in the padding)
  // for each (position, kernel row, kernel column), in the patches' order; each
  // names a run of `channels` values.
  template <class Tap>
  void for_each_tap(Tap&& tap) const {
    const std::size_t channels = w_.channels;
    std::size_t at = 0;
    for (std::size_t oh = 0; oh < w_.out_h; ++oh)
      for (std::size_t ow = 0; ow < w_.out_w; ++ow)
        for (std::size_t i = 0; i < w_.kernel_h; ++i) {
          const auto ih = static_cast<std::ptrdiff_t>(oh * w_.stride_h + i * w_.dilation_h) -
                          static_cast<std::ptrdiff_t>(w_.pad_top);
          const bool row_inside = ih >= 0 && ih < static_cast<std::ptrdiff_t>(w_.in_h);
          for (std::size_t j = 0; j < w_.kernel_w; ++j, at += channels) {
            const auto iw = static_cast<std::ptrdiff_t>(ow * w_.stride_w + j * w_.dilation_w) -
                            static_cast<std::ptrdiff_t>(w_.pad_left);
            const bool inside = row_inside && iw >= 0 && iw < static_cast<std::ptrdiff_t>(w_.in_w);
            tap(at, inside ? (ih * static_cast<std::ptrdiff_t>(w_.in_w) + iw) * static_cast<std::ptrdiff_t>(channels)
                           : std::ptrdiff_t{-1});
          }
        }
  }

  Options o_;
  Window2D w_;
  ActivationFns activation_;
  InitializerFn kernel_init_, bias_init_;
  std::size_t patch_;  // kernel_h * kernel_w * channels
  bool direct_;
  std::size_t group_;  // samples per GEMM
  float* kernel_ = nullptr;
  float* bias_ = nullptr;
  float* kernel_grad_ = nullptr;
  float* bias_grad_ = nullptr;
  Matrix z_, dz_;
  std::size_t chunks_ = 0;
  std::vector<std::vector<float>> chunk_patches_, chunk_patch_grads_;
  std::vector<float> partials_;       // one dK per chunk
  std::optional<Winograd3x3> winograd_;  // for 3x3 windows with stride 1: 4x fewer products than im2col
  std::vector<Winograd3x3::Scratch> scratch_;  // one per chunk
  std::vector<float> bias_partials_;  // one db per chunk
};

}  // namespace

std::unique_ptr<Layer> make_conv2d(ObjectReader& reader, LayerContext& context) {
  Conv2D::Options o;
  Window2D& w = o.window;
  read_image_input(reader, context.input_shape, "Conv2D", w);
  o.filters = static_cast<std::size_t>(reader.integer("filters", std::nullopt, 1, std::int64_t{1} << 20));
  const auto kernel = read_pair(reader, "kernel_size", std::nullopt, 1 << 16);
  const auto strides = read_pair(reader, "strides", std::array<std::size_t, 2>{1, 1}, 1 << 16);
  const auto dilation = read_pair(reader, "dilation_rate", std::array<std::size_t, 2>{1, 1}, 1 << 16);
  // keras/layers/convolutional.py refuses the two together, as TensorFlow does.
  if ((strides[0] > 1 || strides[1] > 1) && (dilation[0] > 1 || dilation[1] > 1))
    throw ConfigError(reader.path("dilation_rate"), "strides above 1 are not compatible with a dilation_rate above 1");
  w.kernel_h = kernel[0];
  w.kernel_w = kernel[1];
  w.stride_h = strides[0];
  w.stride_w = strides[1];
  w.dilation_h = dilation[0];
  w.dilation_w = dilation[1];
  w.same = read_padding(reader);
  lay_out_or_refuse(reader, "Conv2D", w);
  o.activation = activation_table().find(reader.string("activation", "linear"), reader.path("activation")).name;
  o.use_bias = reader.boolean("use_bias", true);
  o.kernel_initializer = read_initializer(reader, "kernel_initializer", "glorot_uniform");
  o.bias_initializer = read_initializer(reader, "bias_initializer", "zeros");
  o.kernel_regularizer = read_regularizer(reader, "kernel_regularizer");
  o.bias_regularizer = read_regularizer(reader, "bias_regularizer");
  o.kernel_constraint = read_constraint(reader, "kernel_constraint");
  if (o.kernel_constraint)
    o.kernel_constraint->check({w.kernel_h, w.kernel_w, w.channels, o.filters}, reader.path("kernel_constraint"));
  o.bias_constraint = read_constraint(reader, "bias_constraint");
  if (o.bias_constraint) o.bias_constraint->check({o.filters}, reader.path("bias_constraint"));
  std::string name = context.auto_name(reader, "conv2d");
  return std::make_unique<Conv2D>(std::move(name), std::move(o));
}

}  // namespace mlp
