// GlobalAveragePooling2D and GlobalMaxPooling2D (keras@2.2.4:keras/layers/pooling.py),
// channels_last: (height, width, channels) -> (channels), the mean or the
// maximum of each channel over the image. The maximum's gradient goes to the
// first position holding it; the mean's is shared by all.
#include <algorithm>
#include <cstdint>

#include "core/error.h"
#include "nn/layers/layer_factory.h"
#include "nn/layers/window2d.h"

namespace mlp {
namespace {

class GlobalPooling2D : public Layer {
 public:
  GlobalPooling2D(std::string name, std::size_t pixels, std::size_t channels, bool max)
      : Layer(std::move(name)), pixels_(pixels), channels_(channels), max_(max) {}

  std::string class_name() const override { return max_ ? "GlobalMaxPooling2D" : "GlobalAveragePooling2D"; }
  Shape output_shape() const override { return {channels_}; }

  void forward(const Matrix& x, Matrix& y, const ForwardContext&) override {
    const std::size_t batch = x.rows();
    y.resize(batch, channels_);
    if (max_) argmax_.resize(batch * channels_);
    for (std::size_t b = 0; b < batch; ++b) {
      const float* in = x.row(b);
      float* out = y.row(b);
      std::copy(in, in + channels_, out);
      if (max_) {
        std::uint32_t* from = &argmax_[b * channels_];
        for (std::size_t c = 0; c < channels_; ++c) from[c] = static_cast<std::uint32_t>(c);
        for (std::size_t p = 1; p < pixels_; ++p)
          for (std::size_t c = 0; c < channels_; ++c)
            if (in[p * channels_ + c] > out[c]) {
              out[c] = in[p * channels_ + c];
              from[c] = static_cast<std::uint32_t>(p * channels_ + c);
            }
        continue;
      }
      for (std::size_t p = 1; p < pixels_; ++p)
        for (std::size_t c = 0; c < channels_; ++c) out[c] += in[p * channels_ + c];
      const float scale = 1.0f / static_cast<float>(pixels_);
      for (std::size_t c = 0; c < channels_; ++c) out[c] *= scale;
    }
  }

  void backward(const Matrix& x, const Matrix&, const Matrix& dy, Matrix* dx) override {
    if (!dx) return;
    const std::size_t batch = dy.rows();
    dx->resize(batch, x.cols());
    dx->fill(0.0f);
    const float share = 1.0f / static_cast<float>(pixels_);
    for (std::size_t b = 0; b < batch; ++b) {
      const float* d = dy.row(b);
      float* d_in = dx->row(b);
      if (max_) {
        for (std::size_t c = 0; c < channels_; ++c) d_in[argmax_[b * channels_ + c]] += d[c];
        continue;
      }
      for (std::size_t p = 0; p < pixels_; ++p)
        for (std::size_t c = 0; c < channels_; ++c) d_in[p * channels_ + c] = d[c] * share;
    }
  }

  nlohmann::json config() const override {
    return {{"type", class_name()}, {"name", name()}, {"data_format", "channels_last"}};
  }

 private:
  std::size_t pixels_, channels_;
  bool max_;
  std::vector<std::uint32_t> argmax_;
};

std::unique_ptr<Layer> make_global(ObjectReader& reader, LayerContext& context, bool max) {
  const std::string layer = max ? "GlobalMaxPooling2D" : "GlobalAveragePooling2D";
  Window2D w;
  read_image_input(reader, context.input_shape, layer, w);
  if (shape_size(context.input_shape) >= (std::size_t{1} << 32))
    throw ConfigError(reader.path(), layer + ": an input of 2^32 values or more per sample is not supported");
  std::string name = context.auto_name(reader, max ? "global_max_pooling2d" : "global_average_pooling2d");
  return std::make_unique<GlobalPooling2D>(std::move(name), w.in_h * w.in_w, w.channels, max);
}

}  // namespace

std::unique_ptr<Layer> make_global_average_pooling2d(ObjectReader& reader, LayerContext& context) {
  return make_global(reader, context, false);
}

std::unique_ptr<Layer> make_global_max_pooling2d(ObjectReader& reader, LayerContext& context) {
  return make_global(reader, context, true);
}

}  // namespace mlp
