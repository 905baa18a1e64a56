// MaxPooling2D and AveragePooling2D (keras@2.2.4:keras/layers/pooling.py),
// channels_last, as TensorFlow computes them: each output is the maximum or the
// mean of its window's values per channel, over the taps inside the image (a
// "same" window hanging over the edge ignores the padding, for the mean too).
// The maximum's gradient goes to the first tap holding it; the mean's is shared
// equally by the taps it averaged.
#include <algorithm>
#include <cstdint>
#include <limits>

#include "core/error.h"
#include "core/parallel.h"
#include "nn/layers/layer_factory.h"
#include "nn/layers/window2d.h"

namespace mlp {
namespace {

enum class Reduce { max, average };

class Pooling2D : public Layer {
 public:
  Pooling2D(std::string name, Window2D window, Reduce reduce)
      : Layer(std::move(name)), w_(window), reduce_(reduce) {}

  std::string class_name() const override { return reduce_ == Reduce::max ? "MaxPooling2D" : "AveragePooling2D"; }
  Shape output_shape() const override { return {w_.out_h, w_.out_w, w_.channels}; }

  void forward(const Matrix& x, Matrix& y, const ForwardContext& ctx) override {
    const std::size_t batch = x.rows(), out = w_.positions() * w_.channels;
    y.resize(batch, out);
    keep_argmax_ = reduce_ == Reduce::max && !ctx.no_backward;
    if (keep_argmax_) argmax_.resize(batch * out);
    const double flops = static_cast<double>(batch * out * w_.window_size());
    parallel::for_ranges(batch, 1, flops, [&](std::size_t b0, std::size_t b1) {
      for (std::size_t b = b0; b < b1; ++b) pool_sample(x.row(b), y.row(b), keep_argmax_ ? &argmax_[b * out] : nullptr);
    });
  }

  void backward(const Matrix& x, const Matrix&, const Matrix& dy, Matrix* dx) override {
    if (!dx) return;
    const std::size_t batch = dy.rows(), out = w_.positions() * w_.channels;
    dx->resize(batch, x.cols());
    const double flops = static_cast<double>(batch * out * w_.window_size());
    parallel::for_ranges(batch, 1, flops, [&](std::size_t b0, std::size_t b1) {
      for (std::size_t b = b0; b < b1; ++b) {
        const float* d_out = dy.row(b);
        float* d_in = dx->row(b);
        std::fill(d_in, d_in + x.cols(), 0.0f);
        if (reduce_ == Reduce::max) {
          const std::uint32_t* from = &argmax_[b * out];
          for (std::size_t k = 0; k < out; ++k) d_in[from[k]] += d_out[k];
          continue;
        }
        for_each_window([&](std::size_t position, auto&& taps, std::size_t count) {
          const float share = 1.0f / static_cast<float>(count);
          const float* d = d_out + position * w_.channels;
          taps([&](std::size_t at) {
            for (std::size_t c = 0; c < w_.channels; ++c) d_in[at + c] += d[c] * share;
          });
        });
      }
    });
  }

  nlohmann::json config() const override {
    return {{"type", class_name()},
            {"name", name()},
            {"pool_size", {w_.kernel_h, w_.kernel_w}},
            {"strides", {w_.stride_h, w_.stride_w}},
            {"padding", w_.padding()},
            {"data_format", "channels_last"}};
  }

 private:
  void pool_sample(const float* in, float* out, std::uint32_t* argmax) const {
    const std::size_t channels = w_.channels;
    for_each_window([&](std::size_t position, auto&& taps, std::size_t count) {
      float* o = out + position * channels;
      if (reduce_ == Reduce::max) {
        // The first tap's values, then each later tap's where strictly larger:
        // the first tap holding the maximum keeps it.
        std::uint32_t* from = argmax ? argmax + position * channels : nullptr;
        bool first = true;
        taps([&](std::size_t at) {
          const float* v = in + at;
          if (first) {
            for (std::size_t c = 0; c < channels; ++c) o[c] = v[c];
            if (from)
              for (std::size_t c = 0; c < channels; ++c) from[c] = static_cast<std::uint32_t>(at + c);
            first = false;
          } else if (from) {
            for (std::size_t c = 0; c < channels; ++c)
              if (v[c] > o[c]) {
                o[c] = v[c];
                from[c] = static_cast<std::uint32_t>(at + c);
              }
          } else {
            for (std::size_t c = 0; c < channels; ++c) o[c] = v[c] > o[c] ? v[c] : o[c];
          }
        });
        return;
      }
      std::fill(o, o + channels, 0.0f);
      taps([&](std::size_t at) {
        for (std::size_t c = 0; c < channels; ++c) o[c] += in[at + c];
      });
      const float scale = 1.0f / static_cast<float>(count);
      for (std::size_t c = 0; c < channels; ++c) o[c] *= scale;
    });
  }

  // Calls window(position, taps, count) for each output position, where
  // taps(fn) calls fn(input offset) for each of the window's `count` taps inside
  // the image.
  template <class Window>
  void for_each_window(Window&& window) const {
    for (std::size_t oh = 0; oh < w_.out_h; ++oh) {
      const auto top = static_cast<std::ptrdiff_t>(oh * w_.stride_h) - static_cast<std::ptrdiff_t>(w_.pad_top);
      const std::size_t i0 = static_cast<std::size_t>(std::max<std::ptrdiff_t>(top, 0));
      const std::size_t i1 = static_cast<std::size_t>(
          std::min<std::ptrdiff_t>(top + static_cast<std::ptrdiff_t>(w_.kernel_h), static_cast<std::ptrdiff_t>(w_.in_h)));
      for (std::size_t ow = 0; ow < w_.out_w; ++ow) {
        const auto left = static_cast<std::ptrdiff_t>(ow * w_.stride_w) - static_cast<std::ptrdiff_t>(w_.pad_left);
        const std::size_t j0 = static_cast<std::size_t>(std::max<std::ptrdiff_t>(left, 0));
        const std::size_t j1 = static_cast<std::size_t>(std::min<std::ptrdiff_t>(
            left + static_cast<std::ptrdiff_t>(w_.kernel_w), static_cast<std::ptrdiff_t>(w_.in_w)));
        const auto taps = [&](auto&& fn) {
          for (std::size_t i = i0; i < i1; ++i)
            for (std::size_t j = j0; j < j1; ++j) fn((i * w_.in_w + j) * w_.channels);
        };
        window(oh * w_.out_w + ow, taps, (i1 - i0) * (j1 - j0));
      }
    }
  }

  Window2D w_;
  Reduce reduce_;
  bool keep_argmax_ = false;
  std::vector<std::uint32_t> argmax_;  // per output value, the input offset it came from (max)
};

std::unique_ptr<Layer> make_pooling(ObjectReader& reader, LayerContext& context, Reduce reduce) {
  const std::string layer = reduce == Reduce::max ? "MaxPooling2D" : "AveragePooling2D";
  Window2D w;
  read_image_input(reader, context.input_shape, layer, w);
  if (shape_size(context.input_shape) >= (std::size_t{1} << 32))
    throw ConfigError(reader.path(), layer + ": an input of 2^32 values or more per sample is not supported");
  const auto pool = read_pair(reader, "pool_size", std::array<std::size_t, 2>{2, 2}, 1 << 16);
  const auto strides = read_pair(reader, "strides", pool, 1 << 16);  // Keras: None means pool_size
  w.kernel_h = pool[0];
  w.kernel_w = pool[1];
  w.stride_h = strides[0];
  w.stride_w = strides[1];
  w.same = read_padding(reader);
  lay_out_or_refuse(reader, layer, w);
  std::string name = context.auto_name(reader, reduce == Reduce::max ? "max_pooling2d" : "average_pooling2d");
  return std::make_unique<Pooling2D>(std::move(name), w, reduce);
}

}  // namespace

std::unique_ptr<Layer> make_max_pooling2d(ObjectReader& reader, LayerContext& context) {
  return make_pooling(reader, context, Reduce::max);
}

std::unique_ptr<Layer> make_average_pooling2d(ObjectReader& reader, LayerContext& context) {
  return make_pooling(reader, context, Reduce::average);
}

}  // namespace mlp
