// Adadelta (keras@2.2.4:keras/optimizers.py l.341-414):
//   a = rho a + (1 - rho) g^2; u = g sqrt(d + eps) / sqrt(a + eps); p -= lr u;
//   d = rho d + (1 - rho) u^2   (u from the new a and the old d).
// Defaults lr 1.0, rho 0.95, eps 1e-7.
#include <cmath>

#include "nn/optimizers/optimizer.h"

namespace mlp {
namespace {

class Adadelta : public Optimizer {
 public:
  Adadelta(CommonHyper common, double rho, double epsilon) : Optimizer(common), rho_(rho), epsilon_(epsilon) {}

  std::string type() const override { return "adadelta"; }
  std::vector<std::string> slot_names() const override { return {"accumulator", "delta_accumulator"}; }

 protected:
  void apply(std::span<float> p, std::span<const float> g, std::size_t offset, float lr) override {
    const auto rho = static_cast<float>(rho_), eps = static_cast<float>(epsilon_);
    float* a = slots_[0].data() + offset;
    float* d = slots_[1].data() + offset;
    for (std::size_t i = 0; i < p.size(); ++i) {
      a[i] = rho * a[i] + (1.0f - rho) * g[i] * g[i];
      const float update = g[i] * std::sqrt(d[i] + eps) / std::sqrt(a[i] + eps);
      p[i] -= lr * update;
      d[i] = rho * d[i] + (1.0f - rho) * update * update;
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

std::unique_ptr<Optimizer> make_adadelta(ObjectReader& reader) {
  const CommonHyper common = read_common_hyper(reader, 1.0);
  const double rho = reader.number("rho", 0.95, 0.0, 1.0);
  const double epsilon = reader.number("epsilon", 1e-7, 0.0, 1.0);
  return std::make_unique<Adadelta>(common, rho, epsilon);
}

}  // namespace mlp
