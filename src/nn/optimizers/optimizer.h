// Optimizers update the model's whole parameter arena in one pass. Their state
// ("slots": momentum, moments, accumulators) has the arena's layout, indexed like
// the parameters, so it can be saved and restored as plain arrays.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "config/json_reader.h"
#include "nn/registry.h"

namespace mlp {

// Hyperparameters every Keras 2.2.4 optimizer takes (keras/optimizers.py l.60-100).
struct CommonHyper {
  double learning_rate = 0.01;
  double decay = 0.0;      // lr / (1 + decay * iterations), per update
  double clipnorm = 0.0;   // 0: off; else scale all grads so their global L2 norm <= clipnorm
  double clipvalue = 0.0;  // 0: off; else clip each grad to [-clipvalue, clipvalue]
};

class Optimizer {
 public:
  explicit Optimizer(CommonHyper common) : common_(common) {}
  virtual ~Optimizer() = default;

  virtual std::string type() const = 0;
  virtual std::vector<std::string> slot_names() const { return {}; }

  // Sizes the slots for `param_count` (trainable) parameters, zeros.
  void prepare(std::size_t param_count);
  // One update. `grads` may be modified (clipping).
  void step(std::span<float> params, std::span<float> grads);

  // When this step is plain SGD, p -= rate * g with no state and no clipping, its
  // rate: the model can then take it inside its backward pass
  // (Model::backward_with_sgd_step), and count_step() counts it here.
  virtual std::optional<float> plain_sgd_rate() const { return std::nullopt; }
  void count_step() { ++iterations_; }  // a step taken elsewhere: decay follows the count

  // The learning rate before decay, which Keras's callbacks read and set
  // (optimizer.lr): ReduceLROnPlateau, the schedules.
  double learning_rate() const { return common_.learning_rate; }
  void set_learning_rate(double rate) { common_.learning_rate = rate; }

  std::int64_t iterations() const { return iterations_; }
  void set_iterations(std::int64_t n) { iterations_ = n; }
  std::vector<std::vector<float>>& slots() { return slots_; }
  const std::vector<std::vector<float>>& slots() const { return slots_; }

  // The optimizer's config with every default filled in.
  Json config() const;

 protected:
  // The update proper, with the decayed learning rate of this iteration, over a
  // part of the arena that starts at `offset` (where the slots are read). Parts
  // run in parallel, so an update must be elementwise.
  virtual void apply(std::span<float> params, std::span<const float> grads, std::size_t offset, float lr) = 0;
  // Once per step, before the parts run: what the step's parts share (Nadam's
  // momentum schedule).
  virtual void begin_step() {}
  virtual void add_config(Json& config) const = 0;
  float current_learning_rate() const;  // with decay applied

  CommonHyper common_;
  std::int64_t iterations_ = 0;
  std::vector<std::vector<float>> slots_;
};

// Reads an optimizer's keys and builds it. Each optimizer's file defines one;
// optimizer.cpp lists them in the table.
using OptimizerMaker = std::unique_ptr<Optimizer> (*)(ObjectReader& reader);

const NameTable<OptimizerMaker>& optimizer_table();

// Reads "learning_rate" (or Keras 2's "lr"), "decay", "clipnorm", "clipvalue".
CommonHyper read_common_hyper(ObjectReader& reader, double default_learning_rate);

// `spec` is a name ("sgd") or an object {"type": "sgd", ...}.
std::unique_ptr<Optimizer> make_optimizer(const Json& spec, const std::string& key_path);

}  // namespace mlp
