// LeakyReLU (keras@2.2.4:keras/layers/advanced_activations.py l.19-56):
// f(x) = x for x > 0, alpha x otherwise. alpha 0.3.
#include "nn/layers/layer_factory.h"
#include "nn/layers/pointwise.h"

namespace mlp {
namespace {

class LeakyReLU : public PointwiseLayer<LeakyReLU> {
 public:
  LeakyReLU(std::string name, Shape shape, double alpha)
      : PointwiseLayer(std::move(name), std::move(shape)), alpha_(alpha), a_(static_cast<float>(alpha)) {}

  std::string class_name() const override { return "LeakyReLU"; }
  float value(float x) const { return x > 0.0f ? x : a_ * x; }
  float slope(float x, float) const { return x > 0.0f ? 1.0f : a_; }
  nlohmann::json config() const override { return {{"type", "LeakyReLU"}, {"name", name()}, {"alpha", alpha_}}; }

 private:
  double alpha_;
  float a_;
};

}  // namespace

std::unique_ptr<Layer> make_leaky_relu(ObjectReader& reader, LayerContext& context) {
  const double alpha = reader.number("alpha", 0.3, 0.0, 1e6);
  std::string name = context.auto_name(reader, "leaky_re_lu");
  return std::make_unique<LeakyReLU>(std::move(name), context.input_shape, alpha);
}

}  // namespace mlp
