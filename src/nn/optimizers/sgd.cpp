// SGD (keras@2.2.4:keras/optimizers.py l.157-217): v = m v - lr g; p += v, or with
// Nesterov p += m v - lr g. Defaults lr 0.01, momentum 0, nesterov false.
#include "nn/optimizers/optimizer.h"

namespace mlp {
namespace {

class Sgd : public Optimizer {
 public:
  Sgd(CommonHyper common, double momentum, bool nesterov)
      : Optimizer(common), momentum_(momentum), nesterov_(nesterov) {}

  std::string type() const override { return "sgd"; }
  std::optional<float> plain_sgd_rate() const override {
    if (momentum_ != 0.0 || common_.clipnorm > 0.0 || common_.clipvalue > 0.0) return std::nullopt;
    return current_learning_rate();
  }
  std::vector<std::string> slot_names() const override {
    if (momentum_ == 0.0) return {};  // plain SGD keeps no state worth storing
    return {"velocity"};
  }

 protected:
  void apply(std::span<float> p, std::span<const float> g, std::size_t offset, float lr) override {
    const std::size_t n = p.size();
    if (momentum_ == 0.0) {
      for (std::size_t i = 0; i < n; ++i) p[i] -= lr * g[i];
      return;
    }
    const auto m = static_cast<float>(momentum_);
    float* v = slots_[0].data() + offset;
    for (std::size_t i = 0; i < n; ++i) {
      v[i] = m * v[i] - lr * g[i];
      p[i] += nesterov_ ? m * v[i] - lr * g[i] : v[i];
    }
  }
  void add_config(Json& config) const override {
    config["momentum"] = momentum_;
    config["nesterov"] = nesterov_;
  }

 private:
  double momentum_;
  bool nesterov_;
};

}  // namespace

std::unique_ptr<Optimizer> make_sgd(ObjectReader& reader) {
  const CommonHyper common = read_common_hyper(reader, 0.01);
  const double momentum = reader.number("momentum", 0.0, 0.0, 1.0);
  const bool nesterov = reader.boolean("nesterov", false);
  return std::make_unique<Sgd>(common, momentum, nesterov);
}

}  // namespace mlp
