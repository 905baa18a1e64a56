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
    for (std::size_t i = 0; i < x.size(); ++i) {
      mask_.data()[i] = ctx.dropout_rng->uniform() < keep ? scale : 0.0f;
      y.data()[i] = x.data()[i] * mask_.data()[i];
    }
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
