// Adam (keras@2.2.4:keras/optimizers.py l.436-525) and AdamW (Keras 3's, which
// first shrinks every weight by lr * weight_decay, then takes the Adam step).
//   t = iterations + 1; lr_t = lr sqrt(1 - b2^t) / (1 - b1^t)
//   m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p -= lr_t m / (sqrt(v) + eps)
// eps is added to the uncorrected sqrt(v), unlike PyTorch. amsgrad uses max(v) so far.
#include <cmath>

#include "nn/optimizers/optimizer.h"

namespace mlp {
namespace {

struct AdamHyper {
  double beta_1 = 0.9, beta_2 = 0.999, epsilon = 1e-7;
  bool amsgrad = false;
  double weight_decay = 0.0;  // AdamW only
};

class Adam : public Optimizer {
 public:
  Adam(CommonHyper common, AdamHyper hyper, bool decoupled_decay)
      : Optimizer(common), hyper_(hyper), decoupled_decay_(decoupled_decay) {}

  std::string type() const override { return decoupled_decay_ ? "adamw" : "adam"; }
  std::vector<std::string> slot_names() const override {
    if (hyper_.amsgrad) return {"m", "v", "v_max"};
    return {"m", "v"};
  }

 protected:
  void apply(std::span<float> p, std::span<const float> g, std::size_t offset, float lr) override {
    const double t = static_cast<double>(iterations_ + 1);
    const auto lr_t = static_cast<float>(lr * std::sqrt(1.0 - std::pow(hyper_.beta_2, t)) /
                                         (1.0 - std::pow(hyper_.beta_1, t)));
    if (decoupled_decay_) {
      const float shrink = 1.0f - lr * static_cast<float>(hyper_.weight_decay);
      for (float& w : p) w *= shrink;
    }
    if (hyper_.amsgrad) update<true>(p, g, offset, lr_t);
    else update<false>(p, g, offset, lr_t);
  }
  void add_config(Json& config) const override {
    config["beta_1"] = hyper_.beta_1;
    config["beta_2"] = hyper_.beta_2;
    config["epsilon"] = hyper_.epsilon;
    config["amsgrad"] = hyper_.amsgrad;
    if (decoupled_decay_) config["weight_decay"] = hyper_.weight_decay;
  }

 private:
  // Branch-free in the loop so that it vectorizes.
  template <bool amsgrad>
  void update(std::span<float> p, std::span<const float> g, std::size_t offset, float lr_t) {
    const auto b1 = static_cast<float>(hyper_.beta_1), b2 = static_cast<float>(hyper_.beta_2);
    const auto eps = static_cast<float>(hyper_.epsilon);
    float* __restrict m = slots_[0].data() + offset;
    float* __restrict v = slots_[1].data() + offset;
    float* __restrict v_max = amsgrad ? slots_[2].data() + offset : nullptr;
    float* __restrict w = p.data();
    const float* __restrict grad = g.data();
    const std::size_t n = p.size();
    for (std::size_t i = 0; i < n; ++i) {
      m[i] = b1 * m[i] + (1.0f - b1) * grad[i];
      v[i] = b2 * v[i] + (1.0f - b2) * grad[i] * grad[i];
      float denom_v = v[i];
      if constexpr (amsgrad) denom_v = v_max[i] = std::max(v_max[i], v[i]);
      w[i] -= lr_t * m[i] / (std::sqrt(denom_v) + eps);
    }
  }

  AdamHyper hyper_;
  bool decoupled_decay_;
};

AdamHyper read_adam_hyper(ObjectReader& reader) {
  AdamHyper hyper;
  hyper.beta_1 = reader.number("beta_1", 0.9, 0.0, 0.999999);
  hyper.beta_2 = reader.number("beta_2", 0.999, 0.0, 0.999999);
  hyper.epsilon = reader.number("epsilon", 1e-7, 0.0, 1.0);
  hyper.amsgrad = reader.boolean("amsgrad", false);
  return hyper;
}

}  // namespace

std::unique_ptr<Optimizer> make_adam(ObjectReader& reader) {
  const CommonHyper common = read_common_hyper(reader, 0.001);
  return std::make_unique<Adam>(common, read_adam_hyper(reader), false);
}

std::unique_ptr<Optimizer> make_adamw(ObjectReader& reader) {
  const CommonHyper common = read_common_hyper(reader, 0.001);
  AdamHyper hyper = read_adam_hyper(reader);
  hyper.weight_decay = reader.number("weight_decay", 0.004, 0.0, 1e6);  // Keras 3 AdamW default
  return std::make_unique<Adam>(common, hyper, true);
}

}  // namespace mlp
