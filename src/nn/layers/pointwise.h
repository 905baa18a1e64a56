// A layer that maps each value alone by a function with no weights (LeakyReLU,
// ELU, ThresholdedReLU: keras@2.2.4:keras/layers/advanced_activations.py). The
// derived class gives the function and its slope, side by side; they are inlined
// into the loops here.
#pragma once

#include "nn/layer.h"

namespace mlp {

template <class Function>
class PointwiseLayer : public Layer {
 public:
  PointwiseLayer(std::string name, Shape shape) : Layer(std::move(name)), shape_(std::move(shape)) {}

  Shape output_shape() const override { return shape_; }
  void forward(const Matrix& x, Matrix& y, const ForwardContext&) override {
    y.resize(x.rows(), x.cols());
    const auto& f = static_cast<const Function&>(*this);
    for (std::size_t i = 0; i < x.size(); ++i) y.data()[i] = f.value(x.data()[i]);
  }
  void backward(const Matrix& x, const Matrix& y, const Matrix& dy, Matrix* dx) override {
    if (!dx) return;
    dx->resize(dy.rows(), dy.cols());
    const auto& f = static_cast<const Function&>(*this);
    for (std::size_t i = 0; i < dy.size(); ++i) dx->data()[i] = dy.data()[i] * f.slope(x.data()[i], y.data()[i]);
  }

 private:
  Shape shape_;
};

}  // namespace mlp
