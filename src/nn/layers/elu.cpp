// ELU (keras@2.2.4:keras/layers/advanced_activations.py l.128-165):
// f(x) = x for x > 0, alpha (exp(x) - 1) otherwise. alpha 1.0.
#include <cmath>

#include "nn/layers/layer_factory.h"
#include "nn/layers/pointwise.h"

namespace mlp {
namespace {

class Elu : public PointwiseLayer<Elu> {
 public:
  Elu(std::string name, Shape shape, double alpha)
      : PointwiseLayer(std::move(name), std::move(shape)), alpha_(alpha), a_(static_cast<float>(alpha)) {}

  std::string class_name() const override { return "ELU"; }
  float value(float x) const { return x > 0.0f ? x : a_ * std::expm1(x); }
  // For x <= 0, f' = alpha exp(x) = f(x) + alpha.
  float slope(float x, float y) const { return x > 0.0f ? 1.0f : y + a_; }
  nlohmann::json config() const override { return {{"type", "ELU"}, {"name", name()}, {"alpha", alpha_}}; }

 private:
  double alpha_;
  float a_;
};

}  // namespace

std::unique_ptr<Layer> make_elu(ObjectReader& reader, LayerContext& context) {
  const double alpha = reader.number("alpha", 1.0, 0.0, 1e6);
  std::string name = context.auto_name(reader, "elu");
  return std::make_unique<Elu>(std::move(name), context.input_shape, alpha);
}

}  // namespace mlp
