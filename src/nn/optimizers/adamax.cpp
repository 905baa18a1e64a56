// Adamax, Adam with the infinity norm (keras@2.2.4:keras/optimizers.py l.528-597):
//   t = iterations + 1; lr_t = lr / (1 - b1^t)
//   m = b1 m + (1 - b1) g; u = max(b2 u, |g|); p -= lr_t m / (u + eps)
// Defaults lr 0.002, beta_1 0.9, beta_2 0.999, eps 1e-7.
#include <algorithm>
#include <cmath>

#include "nn/optimizers/optimizer.h"

namespace mlp {
namespace {

class Adamax : public Optimizer {
 public:
  Adamax(CommonHyper common, double beta_1, double beta_2, double epsilon)
      : Optimizer(common), beta_1_(beta_1), beta_2_(beta_2), epsilon_(epsilon) {}

  std::string type() const override { return "adamax"; }
  std::vector<std::string> slot_names() const override { return {"m", "u"}; }

 protected:
  void apply(std::span<float> p, std::span<const float> g, std::size_t offset, float lr) override {
    const double t = static_cast<double>(iterations_ + 1);
    const auto lr_t = static_cast<float>(lr / (1.0 - std::pow(beta_1_, t)));
    const auto b1 = static_cast<float>(beta_1_), b2 = static_cast<float>(beta_2_);
    const auto eps = static_cast<float>(epsilon_);
    float* m = slots_[0].data() + offset;
    float* u = slots_[1].data() + offset;
    for (std::size_t i = 0; i < p.size(); ++i) {
      m[i] = b1 * m[i] + (1.0f - b1) * g[i];
      u[i] = std::max(b2 * u[i], std::abs(g[i]));
      p[i] -= lr_t * m[i] / (u[i] + eps);
    }
  }
  void add_config(Json& config) const override {
    config["beta_1"] = beta_1_;
    config["beta_2"] = beta_2_;
    config["epsilon"] = epsilon_;
  }

 private:
  double beta_1_, beta_2_, epsilon_;
};

}  // namespace

std::unique_ptr<Optimizer> make_adamax(ObjectReader& reader) {
  const CommonHyper common = read_common_hyper(reader, 0.002);
  const double beta_1 = reader.number("beta_1", 0.9, 0.0, 0.999999);
  const double beta_2 = reader.number("beta_2", 0.999, 0.0, 0.999999);
  const double epsilon = reader.number("epsilon", 1e-7, 0.0, 1.0);
  return std::make_unique<Adamax>(common, beta_1, beta_2, epsilon);
}

}  // namespace mlp
