// Activation: applies one of the activation table's functions on its own layer.
#include "core/parallel.h"
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
  // An elementwise function runs over slices of the values on the thread pool
  // (after a convolution, a batch holds millions).
  void forward(const Matrix& x, Matrix& y, const ForwardContext&) override {
    y.resize(x.rows(), x.cols());
    over_rows(x.size(), [&](std::size_t at, std::size_t rows, std::size_t cols) {
      fns_.forward(x.data() + at, y.data() + at, rows, cols);
    });
  }
  void backward(const Matrix& x, const Matrix& y, const Matrix& dy, Matrix* dx) override {
    if (!dx) return;
    dx->resize(dy.rows(), dy.cols());
    over_rows(dy.size(), [&](std::size_t at, std::size_t rows, std::size_t cols) {
      fns_.backward(x.data() + at, y.data() + at, dy.data() + at, dx->data() + at, rows, cols);
    });
  }
  nlohmann::json config() const override {
    return {{"type", "Activation"}, {"name", name()}, {"activation", function_}};
  }

 private:
  // fn(offset, rows, cols) over the `size` values as rows of the last
  // dimension; for an elementwise function, in parallel slices.
  template <class Fn>
  void over_rows(std::size_t size, Fn&& fn) const {
    const std::size_t cols = shape_.back();
    if (!fns_.elementwise) {
      fn(0, size / cols, cols);
      return;
    }
    parallel::for_ranges(size, 16, 4.0 * static_cast<double>(size),
                         [&](std::size_t begin, std::size_t end) { fn(begin, 1, end - begin); }, 4);
  }

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
