// ThresholdedReLU (keras@2.2.4:keras/layers/advanced_activations.py l.168-204):
// f(x) = x for x > theta, 0 otherwise. theta 1.0.
#include "nn/layers/layer_factory.h"
#include "nn/layers/pointwise.h"

namespace mlp {
namespace {

class ThresholdedReLU : public PointwiseLayer<ThresholdedReLU> {
 public:
  ThresholdedReLU(std::string name, Shape shape, double theta)
      : PointwiseLayer(std::move(name), std::move(shape)), theta_(theta), t_(static_cast<float>(theta)) {}

  std::string class_name() const override { return "ThresholdedReLU"; }
  float value(float x) const { return x > t_ ? x : 0.0f; }
  float slope(float x, float) const { return x > t_ ? 1.0f : 0.0f; }
  nlohmann::json config() const override { return {{"type", "ThresholdedReLU"}, {"name", name()}, {"theta", theta_}}; }

 private:
  double theta_;
  float t_;
};

}  // namespace

std::unique_ptr<Layer> make_thresholded_relu(ObjectReader& reader, LayerContext& context) {
  const double theta = reader.number("theta", 1.0, 0.0, 1e6);
  std::string name = context.auto_name(reader, "thresholded_re_lu");
  return std::make_unique<ThresholdedReLU>(std::move(name), context.input_shape, theta);
}

}  // namespace mlp
