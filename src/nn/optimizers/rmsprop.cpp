// RMSprop (keras@2.2.4:keras/optimizers.py l.220-280): a = rho a + (1 - rho) g^2;
// p -= lr g / (sqrt(a) + eps). Defaults lr 0.001, rho 0.9, eps 1e-7.
#include <cmath>

#include "nn/optimizers/optimizer.h"

namespace mlp {
namespace {

class RmsProp : public Optimizer {
 public:
  RmsProp(CommonHyper common, double rho, double epsilon) : Optimizer(common), rho_(rho), epsilon_(epsilon) {}

  std::string type() const override { return "rmsprop"; }
  std::vector<std::string> slot_names() const override { return {"accumulator"}; }

 protected:
  void apply(std::span<float> p, std::span<const float> g, std::size_t offset, float lr) override {
    const auto rho = static_cast<float>(rho_), eps = static_cast<float>(epsilon_);
    float* a = slots_[0].data() + offset;
    for (std::size_t i = 0; i < p.size(); ++i) {
      a[i] = rho * a[i] + (1.0f - rho) * g[i] * g[i];
      p[i] -= lr * g[i] / (std::sqrt(a[i]) + eps);
    }
  }
  void add_config(Json& config) const override {
    config["rho"] = rho_;
    config["epsilon"] = epsilon_;
  }

 private:
  double rho_, epsilon_;
};

}  // namespace

std::unique_ptr<Optimizer> make_rmsprop(ObjectReader& reader) {
  const CommonHyper common = read_common_hyper(reader, 0.001);
  const double rho = reader.number("rho", 0.9, 0.0, 1.0);
  const double epsilon = reader.number("epsilon", 1e-7, 0.0, 1.0);
  return std::make_unique<RmsProp>(common, rho, epsilon);
}

}  // namespace mlp
