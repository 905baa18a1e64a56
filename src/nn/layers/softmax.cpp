// Softmax (keras@2.2.4:keras/layers/advanced_activations.py l.207-230): softmax
// along one axis of each sample (the last by default), every other index fixed.
//   y = exp(x - max) / sum exp(x - max);  dx = y (dy - sum(dy y)), sums along the axis.
#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "nn/layers/layer_factory.h"

namespace mlp {
namespace {

class Softmax : public Layer {
 public:
  // `axis` counts the sample's dimensions from 1 (Keras's, the batch being 0).
  Softmax(std::string name, Shape shape, int axis, int keras_axis)
      : Layer(std::move(name)), shape_(std::move(shape)), keras_axis_(keras_axis) {
    length_ = shape_[static_cast<std::size_t>(axis - 1)];
    inner_ = 1;
    for (std::size_t d = static_cast<std::size_t>(axis); d < shape_.size(); ++d) inner_ *= shape_[d];
  }

  std::string class_name() const override { return "Softmax"; }
  Shape output_shape() const override { return shape_; }

  void forward(const Matrix& x, Matrix& y, const ForwardContext&) override {
    y.resize(x.rows(), x.cols());
    for_each_line(x.size(), [&](std::size_t start) {
      const float* in = x.data() + start;
      float* out = y.data() + start;
      float top = in[0];
      for (std::size_t k = 1; k < length_; ++k) top = std::max(top, in[k * inner_]);
      double sum = 0.0;
      for (std::size_t k = 0; k < length_; ++k) sum += out[k * inner_] = std::exp(in[k * inner_] - top);
      const auto scale = static_cast<float>(1.0 / sum);
      for (std::size_t k = 0; k < length_; ++k) out[k * inner_] *= scale;
    });
  }
  void backward(const Matrix&, const Matrix& y, const Matrix& dy, Matrix* dx) override {
    if (!dx) return;
    dx->resize(dy.rows(), dy.cols());
    for_each_line(dy.size(), [&](std::size_t start) {
      const float* out = y.data() + start;
      const float* grad = dy.data() + start;
      double dot = 0.0;
      for (std::size_t k = 0; k < length_; ++k) dot += static_cast<double>(grad[k * inner_]) * out[k * inner_];
      for (std::size_t k = 0; k < length_; ++k)
        dx->data()[start + k * inner_] = out[k * inner_] * (grad[k * inner_] - static_cast<float>(dot));
    });
  }
  nlohmann::json config() const override { return {{"type", "Softmax"}, {"name", name()}, {"axis", keras_axis_}}; }

 private:
  // Calls `line(start)` for the first element of every line along the axis:
  // blocks of length_ * inner_ values, inner_ lines in each.
  template <class Line>
  void for_each_line(std::size_t size, Line line) const {
    const std::size_t block = length_ * inner_;
    for (std::size_t begin = 0; begin < size; begin += block)
      for (std::size_t i = 0; i < inner_; ++i) line(begin + i);
  }

  Shape shape_;
  int keras_axis_;
  std::size_t length_ = 1, inner_ = 1;
};

}  // namespace

std::unique_ptr<Layer> make_softmax(ObjectReader& reader, LayerContext& context) {
  const auto dims = static_cast<std::int64_t>(context.input_shape.size());
  const auto keras_axis = static_cast<int>(reader.integer("axis", -1, -dims, dims));
  if (keras_axis == 0)
    throw ConfigError(reader.path("axis"), "0 is the batch axis; softmax runs along one of a sample's axes (1 to " +
                                               std::to_string(dims) + ", or -1 for the last)");
  const int axis = keras_axis > 0 ? keras_axis : static_cast<int>(dims) + 1 + keras_axis;
  std::string name = context.auto_name(reader, "softmax");
  return std::make_unique<Softmax>(std::move(name), context.input_shape, axis, keras_axis);
}

}  // namespace mlp
