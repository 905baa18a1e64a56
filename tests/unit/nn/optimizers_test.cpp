// Optimizers: two steps on three parameters with fixed gradients, against the
// Keras 2.2.4 update rules written out here in double (keras/optimizers.py), plus
// the defaults and the config errors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/parallel.h"
#include "nn/optimizers/optimizer.h"

namespace {

using mlp::Json;
using Vec = std::vector<double>;
using Trajectory = std::vector<Vec>;  // the parameters after step 1 and after step 2

const Vec p0{0.05, -0.1, 0.2};
// The gradient of step 1, then of step 2. g2[0] is tiny next to g1[0], so Adam's
// second moment shrinks there and amsgrad's max() matters.
const std::vector<Vec> grads{{0.1, -0.2, 0.3}, {0.001, 0.05, -0.3}};

// --- Keras 2.2.4, by hand -----------------------------------------------------

// get_gradients: clip by the global norm (if clipnorm > 0), then each value.
Vec clipped(Vec g, double clipnorm, double clipvalue) {
  if (clipnorm > 0) {
    double sq = 0;
    for (double v : g) sq += v * v;
    const double norm = std::sqrt(sq);
    if (norm >= clipnorm)
      for (double& v : g) v *= clipnorm / norm;
  }
  if (clipvalue > 0)
    for (double& v : g) v = std::clamp(v, -clipvalue, clipvalue);
  return g;
}

// lr * 1 / (1 + decay * iterations), iterations counting from 0.
double decayed(double lr, double decay, std::size_t iteration) { return lr / (1.0 + decay * static_cast<double>(iteration)); }

// v = m v - lr g; p += v   (Nesterov: p += m v - lr g)
Trajectory sgd(double lr, double momentum = 0, bool nesterov = false, double decay = 0, double clipnorm = 0,
               double clipvalue = 0) {
  Vec p = p0, v(3, 0.0);
  Trajectory out;
  for (std::size_t t = 0; t < 2; ++t) {
    const Vec g = clipped(grads[t], clipnorm, clipvalue);
    const double lr_t = decayed(lr, decay, t);
    for (std::size_t i = 0; i < 3; ++i) {
      v[i] = momentum * v[i] - lr_t * g[i];
      p[i] += nesterov ? momentum * v[i] - lr_t * g[i] : v[i];
    }
    out.push_back(p);
  }
  return out;
}

// a = rho a + (1 - rho) g^2; p -= lr g / (sqrt(a) + eps)
Trajectory rmsprop(double lr, double rho, double eps) {
  Vec p = p0, a(3, 0.0);
  Trajectory out;
  for (std::size_t t = 0; t < 2; ++t) {
    for (std::size_t i = 0; i < 3; ++i) {
      const double g = grads[t][i];
      a[i] = rho * a[i] + (1 - rho) * g * g;
      p[i] -= lr * g / (std::sqrt(a[i]) + eps);
    }
    out.push_back(p);
  }
  return out;
}

// a += g^2; p -= lr g / (sqrt(a) + eps)
Trajectory adagrad(double lr, double eps) {
  Vec p = p0, a(3, 0.0);
  Trajectory out;
  for (std::size_t t = 0; t < 2; ++t) {
    for (std::size_t i = 0; i < 3; ++i) {
      const double g = grads[t][i];
      a[i] += g * g;
      p[i] -= lr * g / (std::sqrt(a[i]) + eps);
    }
    out.push_back(p);
  }
  return out;
}

// t = iterations + 1; lr_t = lr sqrt(1 - b2^t) / (1 - b1^t);
// m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p -= lr_t m / (sqrt(v) + eps),
// eps on the uncorrected sqrt(v); amsgrad divides by sqrt(max v so far).
// AdamW (Keras 3) first shrinks p by lr * weight_decay.
struct AdamHyper {
  double lr = 0.001, b1 = 0.9, b2 = 0.999, eps = 1e-7, decay = 0, weight_decay = 0;
  bool amsgrad = false;
};
Trajectory adam(const AdamHyper& h) {
  Vec p = p0, m(3, 0.0), v(3, 0.0), v_max(3, 0.0);
  Trajectory out;
  for (std::size_t it = 0; it < 2; ++it) {
    const double lr = decayed(h.lr, h.decay, it);
    const double t = static_cast<double>(it + 1);
    const double lr_t = lr * std::sqrt(1 - std::pow(h.b2, t)) / (1 - std::pow(h.b1, t));
    for (std::size_t i = 0; i < 3; ++i) {
      const double g = grads[it][i];
      p[i] -= p[i] * lr * h.weight_decay;
      m[i] = h.b1 * m[i] + (1 - h.b1) * g;
      v[i] = h.b2 * v[i] + (1 - h.b2) * g * g;
      v_max[i] = std::max(v_max[i], v[i]);
      p[i] -= lr_t * m[i] / (std::sqrt(h.amsgrad ? v_max[i] : v[i]) + h.eps);
    }
    out.push_back(p);
  }
  return out;
}

// a = rho a + (1 - rho) g^2; u = g sqrt(d + eps) / sqrt(a + eps); p -= lr u;
// d = rho d + (1 - rho) u^2
Trajectory adadelta(double lr, double rho, double eps, double decay = 0) {
  Vec p = p0, a(3, 0.0), d(3, 0.0);
  Trajectory out;
  for (std::size_t t = 0; t < 2; ++t) {
    const double lr_t = decayed(lr, decay, t);
    for (std::size_t i = 0; i < 3; ++i) {
      const double g = grads[t][i];
      a[i] = rho * a[i] + (1 - rho) * g * g;
      const double u = g * std::sqrt(d[i] + eps) / std::sqrt(a[i] + eps);
      p[i] -= lr_t * u;
      d[i] = rho * d[i] + (1 - rho) * u * u;
    }
    out.push_back(p);
  }
  return out;
}

// lr_t = lr / (1 - b1^t); m = b1 m + (1 - b1) g; u = max(b2 u, |g|); p -= lr_t m / (u + eps)
Trajectory adamax(double lr, double b1, double b2, double eps) {
  Vec p = p0, m(3, 0.0), u(3, 0.0);
  Trajectory out;
  for (std::size_t it = 0; it < 2; ++it) {
    const double lr_t = lr / (1 - std::pow(b1, static_cast<double>(it + 1)));
    for (std::size_t i = 0; i < 3; ++i) {
      const double g = grads[it][i];
      m[i] = b1 * m[i] + (1 - b1) * g;
      u[i] = std::max(b2 * u[i], std::abs(g));
      p[i] -= lr_t * m[i] / (u[i] + eps);
    }
    out.push_back(p);
  }
  return out;
}

// Keras's Nadam, with its m_schedule: c(t) = b1 (1 - 0.5 0.96^(t sd));
// g' = g / (1 - s_t), m' = m / (1 - s_t c(t+1)), v' = v / (1 - b2^t);
// p -= lr ((1 - c(t)) g' + c(t+1) m') / (sqrt(v') + eps)
Trajectory nadam(double lr, double b1, double b2, double eps, double schedule_decay) {
  const auto cache = [&](double t) { return b1 * (1 - 0.5 * std::pow(0.96, t * schedule_decay)); };
  Vec p = p0, m(3, 0.0), v(3, 0.0);
  double m_schedule = 1.0;
  Trajectory out;
  for (std::size_t it = 0; it < 2; ++it) {
    const double t = static_cast<double>(it + 1);
    const double m_schedule_new = m_schedule * cache(t), m_schedule_next = m_schedule_new * cache(t + 1);
    m_schedule = m_schedule_new;
    for (std::size_t i = 0; i < 3; ++i) {
      const double g = grads[it][i];
      const double g_prime = g / (1 - m_schedule_new);
      m[i] = b1 * m[i] + (1 - b1) * g;
      const double m_prime = m[i] / (1 - m_schedule_next);
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      const double v_prime = v[i] / (1 - std::pow(b2, t));
      const double m_bar = (1 - cache(t)) * g_prime + cache(t + 1) * m_prime;
      p[i] -= lr * m_bar / (std::sqrt(v_prime) + eps);
    }
    out.push_back(p);
  }
  return out;
}

// --- the code under test ----------------------------------------------------

Trajectory run(const Json& spec) {
  auto optimizer = mlp::make_optimizer(spec, "compile.optimizer");
  optimizer->prepare(3);
  std::vector<float> p(p0.begin(), p0.end());
  Trajectory out;
  for (std::size_t t = 0; t < 2; ++t) {
    std::vector<float> g(grads[t].begin(), grads[t].end());  // step() may clip them in place
    optimizer->step(p, g);
    out.emplace_back(p.begin(), p.end());
  }
  CHECK(optimizer->iterations() == 2);
  return out;
}

std::string type_of(const Json& spec) { return spec.is_string() ? spec.get<std::string>() : spec.at("type").get<std::string>(); }

struct Case {
  Json spec;
  Trajectory expected;
};

std::vector<Case> cases() {
  AdamHyper amsgrad;
  amsgrad.amsgrad = true;
  AdamHyper amsgrad_fast = amsgrad;
  amsgrad_fast.b2 = 0.5;
  AdamHyper big_eps;
  big_eps.eps = 0.01;
  AdamHyper adam_decay;
  adam_decay.decay = 0.5;
  AdamHyper adamw;
  adamw.weight_decay = 0.004;
  AdamHyper adamw_strong;
  adamw_strong.lr = 0.01;
  adamw_strong.weight_decay = 0.5;
  return {
      {"sgd", sgd(0.01)},
      {{{"type", "sgd"}, {"learning_rate", 0.1}}, sgd(0.1)},
      {{{"type", "sgd"}, {"learning_rate", 0.1}, {"momentum", 0.9}}, sgd(0.1, 0.9)},
      {{{"type", "sgd"}, {"learning_rate", 0.1}, {"momentum", 0.9}, {"nesterov", true}}, sgd(0.1, 0.9, true)},
      {{{"type", "sgd"}, {"learning_rate", 0.1}, {"decay", 0.5}}, sgd(0.1, 0, false, 0.5)},
      {{{"type", "sgd"}, {"learning_rate", 0.1}, {"momentum", 0.5}, {"decay", 0.5}}, sgd(0.1, 0.5, false, 0.5)},
      {{{"type", "sgd"}, {"learning_rate", 0.1}, {"clipnorm", 0.1}}, sgd(0.1, 0, false, 0, 0.1)},
      {{{"type", "sgd"}, {"learning_rate", 0.1}, {"clipvalue", 0.15}}, sgd(0.1, 0, false, 0, 0, 0.15)},
      {{{"type", "sgd"}, {"learning_rate", 0.1}, {"clipnorm", 0.1}, {"clipvalue", 0.05}}, sgd(0.1, 0, false, 0, 0.1, 0.05)},
      {"rmsprop", rmsprop(0.001, 0.9, 1e-7)},
      {{{"type", "rmsprop"}, {"learning_rate", 0.01}, {"rho", 0.5}, {"epsilon", 0.01}}, rmsprop(0.01, 0.5, 0.01)},
      {"adagrad", adagrad(0.01, 1e-7)},
      {{{"type", "adagrad"}, {"learning_rate", 0.1}, {"epsilon", 0.01}}, adagrad(0.1, 0.01)},
      {"adam", adam({})},
      {{{"type", "adam"}, {"epsilon", 0.01}}, adam(big_eps)},
      {{{"type", "adam"}, {"decay", 0.5}}, adam(adam_decay)},
      {{{"type", "adam"}, {"amsgrad", true}}, adam(amsgrad)},
      {{{"type", "adam"}, {"amsgrad", true}, {"beta_2", 0.5}}, adam(amsgrad_fast)},
      {"adamw", adam(adamw)},
      {{{"type", "adamw"}, {"learning_rate", 0.01}, {"weight_decay", 0.5}}, adam(adamw_strong)},
      {"adadelta", adadelta(1.0, 0.95, 1e-7)},
      {{{"type", "adadelta"}, {"learning_rate", 0.5}, {"rho", 0.5}, {"epsilon", 1e-3}, {"decay", 0.5}},
       adadelta(0.5, 0.5, 1e-3, 0.5)},
      {"adamax", adamax(0.002, 0.9, 0.999, 1e-7)},
      {{{"type", "adamax"}, {"learning_rate", 0.01}, {"beta_1", 0.5}, {"beta_2", 0.5}, {"epsilon", 0.01}},
       adamax(0.01, 0.5, 0.5, 0.01)},
      {"nadam", nadam(0.002, 0.9, 0.999, 1e-7, 0.004)},
      {{{"type", "nadam"}, {"learning_rate", 0.01}, {"beta_1", 0.5}, {"beta_2", 0.9}, {"schedule_decay", 0.5}},
       nadam(0.01, 0.5, 0.9, 1e-7, 0.5)},
  };
}

}  // namespace

TEST_CASE("every optimizer's two steps match the Keras 2.2.4 update rules") {
  for (const auto& c : cases()) {
    DYNAMIC_SECTION(c.spec.dump()) {
      const Trajectory actual = run(c.spec);
      // Compared as displacements from p0, relative to their size: the code runs in
      // float32 with float32 hyperparameters (1 - float(0.999) is off by 1.3e-5,
      // as in Keras), so 3e-5 of the step; any wrong term in a rule is far bigger.
      for (std::size_t t = 0; t < 2; ++t)
        for (std::size_t i = 0; i < 3; ++i) {
          INFO("step " << t + 1 << ", parameter " << i << ": " << actual[t][i] << " vs " << c.expected[t][i]);
          CHECK(actual[t][i] - p0[i] == Approx(c.expected[t][i] - p0[i]).epsilon(3e-5).margin(5e-8));
        }
    }
  }
}

TEST_CASE("every row of the optimizer table has a worked case") {
  std::set<std::string> covered;
  for (const auto& c : cases()) covered.insert(type_of(c.spec));
  for (const auto& name : mlp::optimizer_table().names()) {
    INFO(name);
    CHECK(covered.count(name) == 1);
  }
}

TEST_CASE("optimizer steps: a few values worked out fully by hand") {
  SECTION("sgd: p - 0.01 g") {
    const auto p = run("sgd");
    CHECK(p[0][0] == Approx(0.049).margin(1e-8));
    CHECK(p[0][1] == Approx(-0.098).margin(1e-8));
    CHECK(p[0][2] == Approx(0.197).margin(1e-8));
  }
  SECTION("sgd momentum 0.9: v2 = 0.9 v1 - lr g2") {
    const auto p = run(Json{{"type", "sgd"}, {"learning_rate", 0.1}, {"momentum", 0.9}});
    // v1 = -0.01, p1 = 0.04; v2 = -0.009 - 0.0001 = -0.0091, p2 = 0.0309
    CHECK(p[1][0] == Approx(0.0309).margin(1e-8));
  }
  SECTION("nesterov: p += m v - lr g") {
    const auto p = run(Json{{"type", "sgd"}, {"learning_rate", 0.1}, {"momentum", 0.9}, {"nesterov", true}});
    // v1 = -0.01, p1 = 0.05 - 0.009 - 0.01 = 0.031
    CHECK(p[0][0] == Approx(0.031).margin(1e-8));
  }
  SECTION("adam's first step is lr * sign(g)") {
    const auto p = run("adam");
    CHECK(p[0][0] == Approx(0.049).margin(1e-7));
    CHECK(p[0][1] == Approx(-0.099).margin(1e-7));
    CHECK(p[0][2] == Approx(0.199).margin(1e-7));
  }
  SECTION("adagrad's first step is lr * sign(g)") {
    const auto p = run("adagrad");
    CHECK(p[0][0] == Approx(0.04).margin(1e-7));
    CHECK(p[0][1] == Approx(-0.09).margin(1e-7));
  }
  SECTION("adadelta's first step: lr g sqrt(eps) / sqrt(0.05 g^2 + eps)") {
    const auto p = run("adadelta");
    // g = 0.1: 0.1 * 3.16228e-4 / sqrt(5e-4 + 1e-7) = 1.41407e-3
    CHECK(p[0][0] == Approx(0.0485859).margin(1e-7));
  }
  SECTION("adamax's first step is lr * sign(g)") {
    const auto p = run("adamax");
    CHECK(p[0][0] == Approx(0.048).margin(1e-7));
    CHECK(p[0][1] == Approx(-0.098).margin(1e-7));
  }
  SECTION("nadam's first step") {
    const auto p = run("nadam");
    // c(1) = 0.450073, c(2) = 0.450147; m_bar = 0.549927 * 0.1 / 0.549927 + 0.450147 * 0.01 / (1 - 0.202600)
    // = 0.105645; p = 0.05 - 0.002 * 0.105645 / (0.1 + 1e-7)
    CHECK(p[0][0] == Approx(0.0478871).margin(1e-7));
  }
  SECTION("decay: the second step uses lr / (1 + decay)") {
    const auto p = run(Json{{"type", "sgd"}, {"learning_rate", 0.1}, {"decay", 1.0}});
    // step 1: 0.05 - 0.1 * 0.1 = 0.04; step 2: 0.04 - 0.05 * 0.001 = 0.03995
    CHECK(p[1][0] == Approx(0.03995).margin(1e-8));
  }
  SECTION("clipvalue clips each gradient") {
    const auto p = run(Json{{"type", "sgd"}, {"learning_rate", 1.0}, {"clipvalue", 0.15}});
    CHECK(p[0][0] == Approx(0.05 - 0.1).margin(1e-7));
    CHECK(p[0][1] == Approx(-0.1 + 0.15).margin(1e-7));
    CHECK(p[0][2] == Approx(0.2 - 0.15).margin(1e-7));
  }
  SECTION("clipnorm scales the whole gradient to the norm") {
    const auto p = run(Json{{"type", "sgd"}, {"learning_rate", 1.0}, {"clipnorm", 0.1}});
    const double norm = std::sqrt(0.01 + 0.04 + 0.09);
    CHECK(p[0][0] == Approx(0.05 - 0.1 * 0.1 / norm).margin(1e-7));
    CHECK(p[0][2] == Approx(0.2 - 0.3 * 0.1 / norm).margin(1e-7));
  }
}

TEST_CASE("optimizer defaults as Keras 2.2.4 has them") {
  const auto config = [](const Json& spec) { return mlp::make_optimizer(spec, "compile.optimizer")->config(); };
  const Json sgd = config("sgd");
  CHECK(sgd["type"] == "sgd");
  CHECK(sgd["learning_rate"].get<double>() == Approx(0.01));
  CHECK(sgd["momentum"].get<double>() == 0.0);
  CHECK(sgd["nesterov"] == false);
  CHECK(sgd["decay"].get<double>() == 0.0);
  CHECK(sgd["clipnorm"].get<double>() == 0.0);
  CHECK(sgd["clipvalue"].get<double>() == 0.0);

  const Json adam = config("adam");
  CHECK(adam["learning_rate"].get<double>() == Approx(0.001));
  CHECK(adam["beta_1"].get<double>() == Approx(0.9));
  CHECK(adam["beta_2"].get<double>() == Approx(0.999));
  CHECK(adam["epsilon"].get<double>() == Approx(1e-7));
  CHECK(adam["amsgrad"] == false);

  const Json rmsprop = config("rmsprop");
  CHECK(rmsprop["learning_rate"].get<double>() == Approx(0.001));
  CHECK(rmsprop["rho"].get<double>() == Approx(0.9));
  CHECK(rmsprop["epsilon"].get<double>() == Approx(1e-7));

  CHECK(config("adagrad")["learning_rate"].get<double>() == Approx(0.01));
  CHECK(config("ADAM")["type"] == "adam");  // names are case-insensitive
  CHECK(config("adamw")["weight_decay"].get<double>() == Approx(0.004));

  const Json adadelta = config("adadelta");
  CHECK(adadelta["learning_rate"].get<double>() == 1.0);
  CHECK(adadelta["rho"].get<double>() == 0.95);
  CHECK(adadelta["epsilon"].get<double>() == 1e-7);
  const Json adamax = config("adamax");
  CHECK(adamax["learning_rate"].get<double>() == 0.002);
  CHECK(adamax["beta_1"].get<double>() == 0.9);
  CHECK(adamax["beta_2"].get<double>() == 0.999);
  CHECK(adamax["epsilon"].get<double>() == 1e-7);
  const Json nadam = config("nadam");
  CHECK(nadam["learning_rate"].get<double>() == 0.002);
  CHECK(nadam["beta_1"].get<double>() == 0.9);
  CHECK(nadam["beta_2"].get<double>() == 0.999);
  CHECK(nadam["epsilon"].get<double>() == 1e-7);
  CHECK(nadam["schedule_decay"].get<double>() == 0.004);
  // Its config reads back (decay 0 is no decay), and a decay is refused as Keras's Nadam refuses it.
  CHECK(mlp::make_optimizer(nadam, "compile.optimizer")->config() == nadam);
  try {
    mlp::make_optimizer(Json{{"type", "nadam"}, {"decay", 0.01}}, "compile.optimizer");
    FAIL("nadam took a decay");
  } catch (const mlp::ConfigError& e) {
    CHECK(e.key_path() == "compile.optimizer.decay");
  }
}

TEST_CASE("a resumed nadam takes the same step as an uninterrupted one, to the bit") {
  // Its momentum schedule is a product over all steps so far; a resumed
  // optimizer knows only the step count and the slots.
  for (const std::int64_t resume_at : {1, 5, 3000}) {
    INFO("resumed after " << resume_at << " steps");
    auto whole = mlp::make_optimizer("nadam", "compile.optimizer");
    whole->prepare(3);
    std::vector<float> p(p0.begin(), p0.end());
    for (std::int64_t t = 0; t < resume_at; ++t) {
      std::vector<float> g(grads[0].begin(), grads[0].end());
      whole->step(p, g);
    }
    auto resumed = mlp::make_optimizer("nadam", "compile.optimizer");
    resumed->prepare(3);
    resumed->slots() = whole->slots();
    resumed->set_iterations(whole->iterations());
    std::vector<float> p_resumed = p;
    for (int t = 0; t < 2; ++t) {
      std::vector<float> g(grads[1].begin(), grads[1].end()), g_resumed = g;
      whole->step(p, g);
      resumed->step(p_resumed, g_resumed);
    }
    CHECK(p_resumed == p);
  }
}

TEST_CASE("optimizer slots: none for plain SGD, one per moment otherwise") {
  const auto slots = [](const Json& spec) {
    auto optimizer = mlp::make_optimizer(spec, "compile.optimizer");
    optimizer->prepare(3);
    for (const auto& slot : optimizer->slots()) CHECK(slot == std::vector<float>(3, 0.0f));
    return optimizer->slots().size();
  };
  CHECK(slots("sgd") == 0);
  CHECK(slots(Json{{"type", "sgd"}, {"momentum", 0.9}}) == 1);
  CHECK(slots("rmsprop") == 1);
  CHECK(slots("adagrad") == 1);
  CHECK(slots("adam") == 2);
  CHECK(slots(Json{{"type", "adam"}, {"amsgrad", true}}) == 3);
  CHECK(slots("adadelta") == 2);
  CHECK(slots("adamax") == 2);
  CHECK(slots("nadam") == 2);
}

TEST_CASE("'lr' is accepted as Keras 2's name for learning_rate") {
  auto optimizer = mlp::make_optimizer(Json{{"type", "sgd"}, {"lr", 0.5}}, "compile.optimizer");
  CHECK(optimizer->config()["learning_rate"].get<double>() == Approx(0.5));
  optimizer->prepare(1);
  std::vector<float> p{1.0f}, g{0.2f};
  optimizer->step(p, g);
  CHECK(p[0] == Approx(0.9));

  CHECK_THROWS_AS(mlp::make_optimizer(Json{{"type", "sgd"}, {"lr", 0.5}, {"learning_rate", 0.5}}, "compile.optimizer"),
                  mlp::ConfigError);
}

TEST_CASE("optimizer config errors name the key path and suggest the nearest name") {
  SECTION("a misspelt key") {
    try {
      mlp::make_optimizer(Json{{"type", "sgd"}, {"momentun", 0.9}}, "compile.optimizer");
      FAIL("expected a ConfigError");
    } catch (const mlp::ConfigError& e) {
      CHECK(e.key_path() == "compile.optimizer.momentun");
      CHECK_THAT(e.what(), Catch::Contains("did you mean 'momentum'"));
    }
  }
  SECTION("a misspelt type, given as a bare name") {
    try {
      mlp::make_optimizer(Json("adamm"), "compile.optimizer");
      FAIL("expected a ConfigError");
    } catch (const mlp::ConfigError& e) {
      CHECK(e.key_path() == "compile.optimizer");
      CHECK_THAT(e.what(), Catch::Contains("did you mean 'adam'"));
    }
  }
  SECTION("a misspelt type in an object") {
    try {
      mlp::make_optimizer(Json{{"type", "rmsprp"}}, "compile.optimizer");
      FAIL("expected a ConfigError");
    } catch (const mlp::ConfigError& e) {
      CHECK(e.key_path() == "compile.optimizer.type");
      CHECK_THAT(e.what(), Catch::Contains("did you mean 'rmsprop'"));
    }
  }
  SECTION("a key of another optimizer") {
    CHECK_THROWS_AS(mlp::make_optimizer(Json{{"type", "sgd"}, {"beta_1", 0.9}}, "compile.optimizer"), mlp::ConfigError);
  }
}

TEST_CASE("plain_sgd_rate: only stateless, unclipped SGD is plain descent, with decay applied") {
  auto make = [](const char* text) { return mlp::make_optimizer(mlp::Json::parse(text), "compile.optimizer"); };
  auto sgd = make(R"("sgd")");
  REQUIRE(sgd->plain_sgd_rate().has_value());
  CHECK(*sgd->plain_sgd_rate() == Approx(0.01));

  auto decayed = make(R"({"type": "sgd", "learning_rate": 0.1, "decay": 0.5})");
  decayed->prepare(1);
  decayed->count_step();
  decayed->count_step();
  CHECK(decayed->iterations() == 2);
  CHECK(*decayed->plain_sgd_rate() == Approx(0.1 / (1 + 0.5 * 2)));

  CHECK_FALSE(make(R"({"type": "sgd", "momentum": 0.9})")->plain_sgd_rate());
  CHECK_FALSE(make(R"({"type": "sgd", "clipnorm": 1.0})")->plain_sgd_rate());
  CHECK_FALSE(make(R"({"type": "sgd", "clipvalue": 1.0})")->plain_sgd_rate());
  CHECK_FALSE(make(R"("adam")")->plain_sgd_rate());
  CHECK_FALSE(make(R"("rmsprop")")->plain_sgd_rate());
}

TEST_CASE("on three threads every optimizer updates each part of a large arena by the same rules") {
  // The three-parameter case repeated 20,000 times: the step runs in parts on the
  // pool's threads, and each part must use its own slots. (clipnorm is left out:
  // the global norm of the repeated gradients is not the case's norm.)
  constexpr std::size_t copies = 20000;
  mlp::parallel::set_threads(3);
  for (const auto& c : cases()) {
    if (c.spec.is_object() && c.spec.contains("clipnorm")) continue;
    DYNAMIC_SECTION(c.spec.dump()) {
      auto optimizer = mlp::make_optimizer(c.spec, "compile.optimizer");
      optimizer->prepare(3 * copies);
      std::vector<float> p(3 * copies);
      for (std::size_t i = 0; i < p.size(); ++i) p[i] = static_cast<float>(p0[i % 3]);
      for (std::size_t t = 0; t < 2; ++t) {
        std::vector<float> g(3 * copies);
        for (std::size_t i = 0; i < g.size(); ++i) g[i] = static_cast<float>(grads[t][i % 3]);
        optimizer->step(p, g);
        for (std::size_t i = 0; i < p.size(); ++i) {
          INFO("step " << t + 1 << ", parameter " << i);
          REQUIRE(p[i] - p0[i % 3] == Approx(c.expected[t][i % 3] - p0[i % 3]).epsilon(3e-5).margin(5e-8));
        }
      }
    }
  }
  mlp::parallel::set_threads(1);
}
