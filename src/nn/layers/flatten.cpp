// Flatten: (None, 28, 28) -> (None, 784). A batch is already stored flat, so the
// model passes the data through without calling forward(); forward and backward
// still copy for anyone who calls them directly.
#include "nn/layers/layer_factory.h"

namespace mlp {
namespace {

class Flatten : public Layer {
 public:
  Flatten(std::string name, Shape input_shape) : Layer(std::move(name)), size_(shape_size(input_shape)) {}

  std::string class_name() const override { return "Flatten"; }
  Shape output_shape() const override { return {size_}; }
  bool passes_through() const override { return true; }
  void forward(const Matrix& x, Matrix& y, const ForwardContext&) override {
    y.resize(x.rows(), size_);
    std::copy(x.data(), x.data() + x.size(), y.data());
  }
  void backward(const Matrix&, const Matrix&, const Matrix& dy, Matrix* dx) override {
    if (!dx) return;
    dx->resize(dy.rows(), size_);
    std::copy(dy.data(), dy.data() + dy.size(), dx->data());
  }
  nlohmann::json config() const override { return {{"type", "Flatten"}, {"name", name()}}; }

 private:
  std::size_t size_;
};

}  // namespace

std::unique_ptr<Layer> make_flatten(ObjectReader& reader, LayerContext& context) {
  std::string name = context.auto_name(reader, "flatten");
  return std::make_unique<Flatten>(std::move(name), context.input_shape);
}

}  // namespace mlp
