// Adagrad (keras@2.2.4:keras/optimizers.py l.283-338): a += g^2;
// p -= lr g / (sqrt(a) + eps). Defaults lr 0.01, eps 1e-7, accumulators from 0.
#include <cmath>

#include "nn/optimizers/optimizer.h"

namespace mlp {
namespace {

class Adagrad : public Optimizer {
 public:
  Adagrad(CommonHyper common, double epsilon) : Optimizer(common), epsilon_(epsilon) {}

  std::string type() const override { return "adagrad"; }
  std::vector<std::string> slot_names() const override { return {"accumulator"}; }

 protected:
  void apply(std::span<float> p, std::span<const float> g, std::size_t offset, float lr) override {
    const auto eps = static_cast<float>(epsilon_);
    float* a = slots_[0].data() + offset;
    for (std::size_t i = 0; i < p.size(); ++i) {
      a[i] += g[i] * g[i];
      p[i] -= lr * g[i] / (std::sqrt(a[i]) + eps);
    }
  }
  void add_config(Json& config) const override { config["epsilon"] = epsilon_; }

 private:
  double epsilon_;
};

}  // namespace

std::unique_ptr<Optimizer> make_adagrad(ObjectReader& reader) {
  const CommonHyper common = read_common_hyper(reader, 0.01);
  const double epsilon = reader.number("epsilon", 1e-7, 0.0, 1.0);
  return std::make_unique<Adagrad>(common, epsilon);
}

}  // namespace mlp
