// Dropout: inverted dropout as tf.nn.dropout does it (keep with probability
// 1 - rate and scale by 1 / (1 - rate) while training; identity at inference).
#include "core/error.h"
#include "nn/layers/layer_factory.h"

namespace mlp {
namespace {

class Dropout : public Layer {
 public:
  Dropout(std::string name, Shape shape, double rate) : Layer(std::move(name)), shape_(std::move(shape)), rate_(rate) {}

  std::string class_name() const override { return "Dropout"; }
  Shape output_shape() const override { return shape_; }

  void forward(const Matrix& x, Matrix& y, const ForwardContext& ctx) override {
    y.resize(x.rows(), x.cols());
    active_ = ctx.training && rate_ > 0.0;
    if (!active_) {
      std::copy(x.data(), x.data() + x.size(), y.data());
      return;
    }
    const auto keep = static_cast<float>(1.0 - rate_);
    const float scale = 1.0f / keep;
    mask_.resize(x.rows(), x.cols());
    // Each 64-bit draw decides two values: kept when its 32-bit half is below
    // keep * 2^32 (a convolution's feature maps hold a million values a batch).
    const auto threshold = static_cast<std::uint64_t>(static_cast<double>(keep) * 4294967296.0);
    float* mask = mask_.data();
    const std::size_t n = x.size();
    const float* in = x.data();
    float* out = y.data();
    Rng rng = *ctx.dropout_rng;  // a local copy the compiler keeps in registers
    for (std::size_t i = 0; i + 1 < n; i += 2) {
      const std::uint64_t bits = rng.next_u64();
      mask[i] = scale * static_cast<float>((bits & 0xffffffffu) < threshold);
      mask[i + 1] = scale * static_cast<float>((bits >> 32) < threshold);
      out[i] = in[i] * mask[i];
      out[i + 1] = in[i + 1] * mask[i + 1];
    }
    if (n % 2) {
      mask[n - 1] = scale * static_cast<float>((rng.next_u64() & 0xffffffffu) < threshold);
      out[n - 1] = in[n - 1] * mask[n - 1];
    }
    *ctx.dropout_rng = rng;
  }

  void backward(const Matrix&, const Matrix&, const Matrix& dy, Matrix* dx) override {
    if (!dx) return;
    dx->resize(dy.rows(), dy.cols());
    for (std::size_t i = 0; i < dy.size(); ++i) dx->data()[i] = active_ ? dy.data()[i] * mask_.data()[i] : dy.data()[i];
  }

  nlohmann::json config() const override { return {{"type", "Dropout"}, {"name", name()}, {"rate", rate_}}; }

 private:
  Shape shape_;
  double rate_;
  bool active_ = false;
  Matrix mask_;  // 0 or 1 / (1 - rate), from the last training forward
};

}  // namespace

std::unique_ptr<Layer> make_dropout(ObjectReader& reader, LayerContext& context) {
  const double rate = reader.number("rate", std::nullopt, 0.0, 1.0);
  if (rate >= 1.0) throw ConfigError(reader.path("rate"), "must be below 1 (got 1: every unit would be dropped)");
  std::string name = context.auto_name(reader, "dropout");
  return std::make_unique<Dropout>(std::move(name), context.input_shape, rate);
}

}  // namespace mlp
