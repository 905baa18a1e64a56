#include "nn/optimizers/optimizer.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/parallel.h"

namespace mlp {

void Optimizer::prepare(std::size_t param_count) {
  slots_.assign(slot_names().size(), std::vector<float>(param_count, 0.0f));
}

void Optimizer::step(std::span<float> params, std::span<float> grads) {
  // Clipping as keras@2.2.4:keras/optimizers.py get_gradients: global norm first, then value.
  if (common_.clipnorm > 0.0) {
    double sum_sq = 0.0;
    for (float g : grads) sum_sq += static_cast<double>(g) * g;
    const double norm = std::sqrt(sum_sq);
    if (norm > common_.clipnorm) {
      const auto scale = static_cast<float>(common_.clipnorm / norm);
      for (float& g : grads) g *= scale;
    }
  }
  if (common_.clipvalue > 0.0) {
    const auto limit = static_cast<float>(common_.clipvalue);
    for (float& g : grads) g = std::clamp(g, -limit, limit);
  }
  const float lr = current_learning_rate();
  begin_step();
  // About ten flops per parameter. In many parts, shared out as threads finish:
  // with one half each, a step waited for the slower thread 15% of the time.
  constexpr std::size_t parts_per_thread = 8;
  parallel::for_ranges(
      params.size(), 16, 10.0 * static_cast<double>(params.size()),
      [&](std::size_t begin, std::size_t end) {
        apply(params.subspan(begin, end - begin), grads.subspan(begin, end - begin), begin, lr);
      },
      parts_per_thread);
  ++iterations_;
}

float Optimizer::current_learning_rate() const {
  double lr = common_.learning_rate;
  if (common_.decay > 0.0) lr *= 1.0 / (1.0 + common_.decay * static_cast<double>(iterations_));
  return static_cast<float>(lr);
}

Json Optimizer::config() const {
  Json config{{"type", type()},
              {"learning_rate", common_.learning_rate},
              {"decay", common_.decay},
              {"clipnorm", common_.clipnorm},
              {"clipvalue", common_.clipvalue}};
  add_config(config);
  return config;
}

CommonHyper read_common_hyper(ObjectReader& reader, double default_learning_rate) {
  CommonHyper common;
  const char* lr_key = reader.has("lr") && !reader.has("learning_rate") ? "lr" : "learning_rate";
  common.learning_rate = reader.number(lr_key, default_learning_rate, 0.0, 1e6);
  reader.ignore("lr");
  if (reader.has("lr") && reader.has("learning_rate"))
    throw ConfigError(reader.path("lr"), "give either 'learning_rate' or 'lr', not both");
  common.decay = reader.number("decay", 0.0, 0.0, 1e6);
  common.clipnorm = reader.number("clipnorm", 0.0, 0.0, 1e30);
  common.clipvalue = reader.number("clipvalue", 0.0, 0.0, 1e30);
  return common;
}

// The makers, each defined in its optimizer's file. A new optimizer is that file,
// a line here, a row below, and its line in src/CMakeLists.txt.
std::unique_ptr<Optimizer> make_sgd(ObjectReader& reader);
std::unique_ptr<Optimizer> make_rmsprop(ObjectReader& reader);
std::unique_ptr<Optimizer> make_adagrad(ObjectReader& reader);
std::unique_ptr<Optimizer> make_adam(ObjectReader& reader);
std::unique_ptr<Optimizer> make_adamw(ObjectReader& reader);
std::unique_ptr<Optimizer> make_adadelta(ObjectReader& reader);
std::unique_ptr<Optimizer> make_adamax(ObjectReader& reader);
std::unique_ptr<Optimizer> make_nadam(ObjectReader& reader);

const NameTable<OptimizerMaker>& optimizer_table() {
  static const NameTable<OptimizerMaker> table("optimizer", {
                                                                {"sgd", {}, make_sgd},
                                                                {"rmsprop", {}, make_rmsprop},
                                                                {"adagrad", {}, make_adagrad},
                                                                {"adam", {}, make_adam},
                                                                {"adamw", {}, make_adamw},
                                                                {"adadelta", {}, make_adadelta},
                                                                {"adamax", {}, make_adamax},
                                                                {"nadam", {}, make_nadam},
                                                            });
  return table;
}

std::unique_ptr<Optimizer> make_optimizer(const Json& spec, const std::string& key_path) {
  if (spec.is_string()) {
    const Json object{{"type", spec}};
    ObjectReader reader(object, key_path);
    // A bare name is the type; report its errors at the key itself.
    const auto& row = optimizer_table().find(spec.get<std::string>(), key_path);
    reader.ignore("type");
    auto optimizer = row.entry(reader);
    reader.finish();
    return optimizer;
  }
  ObjectReader reader(spec, key_path);
  const auto& row = optimizer_table().find(reader.string("type"), reader.path("type"));
  auto optimizer = row.entry(reader);
  reader.finish();
  return optimizer;
}

}  // namespace mlp
