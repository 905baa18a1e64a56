// Nadam, Adam with Nesterov momentum (keras@2.2.4:keras/optimizers.py l.600-690):
//   t = iterations + 1; c(t) = b1 (1 - 0.5 * 0.96^(t * schedule_decay))
//   s_t = c(1) ... c(t) (Keras's m_schedule), s_next = s_t c(t + 1)
//   m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2
//   m_bar = (1 - c(t)) g / (1 - s_t) + c(t + 1) m / (1 - s_next)
//   p -= lr m_bar / (sqrt(v / (1 - b2^t)) + eps)
// Defaults lr 0.002, beta_1 0.9, beta_2 0.999, eps 1e-7, schedule_decay 0.004.
// Keras 2.2.4's Nadam takes no `decay`.
#include <cmath>

#include "core/error.h"
#include "nn/optimizers/optimizer.h"

namespace mlp {
namespace {

class Nadam : public Optimizer {
 public:
  Nadam(CommonHyper common, double beta_1, double beta_2, double epsilon, double schedule_decay)
      : Optimizer(common), beta_1_(beta_1), beta_2_(beta_2), epsilon_(epsilon), schedule_decay_(schedule_decay) {}

  std::string type() const override { return "nadam"; }
  std::vector<std::string> slot_names() const override { return {"m", "v"}; }

 protected:
  void begin_step() override {
    const double t = static_cast<double>(iterations_ + 1);
    const double cache_t = momentum_cache(t), cache_next = momentum_cache(t + 1);
    const double schedule = schedule_through(iterations_) * cache_t;
    schedule_ = schedule;
    schedule_steps_ = iterations_ + 1;
    gradient_scale_ = static_cast<float>((1.0 - cache_t) / (1.0 - schedule));
    moment_scale_ = static_cast<float>(cache_next / (1.0 - schedule * cache_next));
    variance_scale_ = static_cast<float>(1.0 / (1.0 - std::pow(beta_2_, t)));
  }
  void apply(std::span<float> p, std::span<const float> g, std::size_t offset, float lr) override {
    const auto b1 = static_cast<float>(beta_1_), b2 = static_cast<float>(beta_2_);
    const auto eps = static_cast<float>(epsilon_);
    float* m = slots_[0].data() + offset;
    float* v = slots_[1].data() + offset;
    for (std::size_t i = 0; i < p.size(); ++i) {
      m[i] = b1 * m[i] + (1.0f - b1) * g[i];
      v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
      const float m_bar = gradient_scale_ * g[i] + moment_scale_ * m[i];
      p[i] -= lr * m_bar / (std::sqrt(v[i] * variance_scale_) + eps);
    }
  }
  void add_config(Json& config) const override {
    config["beta_1"] = beta_1_;
    config["beta_2"] = beta_2_;
    config["epsilon"] = epsilon_;
    config["schedule_decay"] = schedule_decay_;
  }

 private:
  double momentum_cache(double t) const { return beta_1_ * (1.0 - 0.5 * std::pow(0.96, t * schedule_decay_)); }

  // c(1) ... c(steps), from the last step's product when that is the one asked
  // for, else (a resumed run) multiplied out again in the same order, so that the
  // value is the same bits either way. The product falls by about half a step and
  // reaches 0 within a few thousand steps, where the loop stops.
  double schedule_through(std::int64_t steps) const {
    if (steps == schedule_steps_) return schedule_;
    double product = 1.0;
    for (std::int64_t k = 1; k <= steps && product != 0.0; ++k) product *= momentum_cache(static_cast<double>(k));
    return product;
  }

  double beta_1_, beta_2_, epsilon_, schedule_decay_;
  double schedule_ = 1.0;            // s after schedule_steps_ steps
  std::int64_t schedule_steps_ = 0;
  float gradient_scale_ = 0.0f, moment_scale_ = 0.0f, variance_scale_ = 0.0f;  // this step's
};

}  // namespace

std::unique_ptr<Optimizer> make_nadam(ObjectReader& reader) {
  const CommonHyper common = read_common_hyper(reader, 0.002);
  if (common.decay != 0.0)
    throw ConfigError(reader.path("decay"), "Keras's Nadam takes no learning-rate decay (its schedule_decay is the "
                                            "momentum schedule's)");
  const double beta_1 = reader.number("beta_1", 0.9, 0.0, 0.999999);
  const double beta_2 = reader.number("beta_2", 0.999, 0.0, 0.999999);
  const double epsilon = reader.number("epsilon", 1e-7, 0.0, 1.0);
  const double schedule_decay = reader.number("schedule_decay", 0.004, 0.0, 1e6);
  return std::make_unique<Nadam>(common, beta_1, beta_2, epsilon, schedule_decay);
}

}  // namespace mlp
