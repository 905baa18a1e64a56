// Activation: applies one of the activation table's functions on its own layer.
#include "nn/activations.h"
#include "nn/layers/layer_factory.h"

namespace mlp {
namespace {

class Activation : public Layer {
 public:
  Activation(std::string name, Shape shape, std::string function)
      : Layer(std::move(name)),
        shape_(std::move(shape)),
        function_(std::move(function)),
        fns_(activation_table().find(function_, "activation").entry) {}

  std::string class_name() const override { return "Activation"; }
  Shape output_shape() const override { return shape_; }
  // Keras applies an activation along the last axis (softmax on an image
  // normalizes each position's channels): rows of the last dimension's size.
  void forward(const Matrix& x, Matrix& y, const ForwardContext&) override {
    y.resize(x.rows(), x.cols());
    fns_.forward(x.data(), y.data(), x.size() / shape_.back(), shape_.back());
  }
  void backward(const Matrix& x, const Matrix& y, const Matrix& dy, Matrix* dx) override {
    if (!dx) return;
    dx->resize(dy.rows(), dy.cols());
    fns_.backward(x.data(), y.data(), dy.data(), dx->data(), dy.size() / shape_.back(), shape_.back());
  }
  nlohmann::json config() const override {
    return {{"type", "Activation"}, {"name", name()}, {"activation", function_}};
  }

 private:
  Shape shape_;
  std::string function_;
  ActivationFns fns_;
};

}  // namespace

std::unique_ptr<Layer> make_activation(ObjectReader& reader, LayerContext& context) {
  std::string function =
      activation_table().find(reader.string("activation"), reader.path("activation")).name;
  std::string name = context.auto_name(reader, "activation");
  return std::make_unique<Activation>(std::move(name), context.input_shape, std::move(function));
}

}  // namespace mlp
