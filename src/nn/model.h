// Sequential model: builds its layers from the config through the layer table,
// owns the one parameter arena (params and grads share its layout), and runs the
// forward and backward passes over a batch.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "config/json_reader.h"
#include "core/matrix.h"
#include "core/rng.h"
#include "nn/layer.h"

namespace mlp {

struct ParamSlice {
  std::string layer;  // "dense_1"
  std::string name;   // "kernel"
  Shape shape;
  std::size_t offset = 0;  // into the arena, in floats
  std::size_t size = 0;
  bool trainable = true;
  std::optional<Constraint> constraint;
};

// Whether a model gets its parameter arena (to train or run it) or only its
// layers and shapes (to print its summary: a config may describe more weights
// than the machine could hold).
enum class Allocation { weights, shapes_only };

class Model {
 public:
  // Bounded so that a hostile config is refused before anything is allocated:
  // 2^31 floats is 8 GiB of weights, and 3-5x that to train.
  static constexpr std::size_t default_max_params = std::size_t{1} << 31;

  // Weights, gradients and up to three optimizer slots, in float32.
  static constexpr double bytes_per_param = 4.0 * 5;

  // `layers` is the config's model.layers array; errors name "model.layers[i]...".
  // A model needing more than `max_params` parameters, or (with its weights) more
  // memory to train than the machine has, is refused before allocating.
  Model(const Shape& input_shape, const Json& layers, std::size_t max_params = default_max_params,
        Allocation allocation = Allocation::weights);
  // From layers already built, each reading the one before (tests, importers).
  Model(const Shape& input_shape, std::vector<std::unique_ptr<Layer>> layers,
        std::size_t max_params = default_max_params);
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  const Shape& input_shape() const { return input_shape_; }
  std::size_t input_size() const { return shape_size(input_shape_); }
  std::size_t output_size() const;
  const std::vector<std::unique_ptr<Layer>>& layers() const { return layers_; }
  Json layers_config() const;

  // The arena: every parameter, the trainable ones first. Gradients (and so the
  // optimizer's slots) exist for the trainable ones only: no optimizer reaches a
  // non-trainable weight such as BatchNormalization's moving mean.
  std::size_t param_count() const { return params_total_; }
  std::size_t trainable_count() const { return trainable_count_; }
  const std::vector<ParamSlice>& param_slices() const { return slices_; }
  // Layer `layer`'s weight `name` ("dense_1", "kernel"), or null.
  const ParamSlice* find_slice(const std::string& layer, const std::string& name) const;
  std::vector<float>& params() { return params_; }
  const std::vector<float>& params() const { return params_; }
  std::span<float> trainable_params();
  std::vector<float>& grads() { return grads_; }

  // The value most entries of the model's input hold (a blank pixel, after
  // scaling): the layer reading the input may then go by the entries that differ
  // (see ForwardContext). Set once, where the preprocessing is known.
  void set_input_background(std::optional<float> value) { input_background_ = value; }

  // Upper bound of the floats one sample needs in the forward and backward
  // buffers (outputs, pre-activations, and their gradients).
  std::size_t workspace_floats_per_sample() const;

  void init_params(Rng& rng);
  double penalty() const;  // the regularizers' share of the loss
  // Projects every constrained weight into its set: after each optimizer update.
  void apply_constraints();

  // Returns the output of the last layer for input x [batch x input_size].
  const Matrix& forward(const Matrix& x, const ForwardContext& ctx);
  // A range [begin, end) of grads() whose values are final: called by backward()
  // after each layer with trainable parameters, last layer first.
  using GradientsDone = std::function<void(std::size_t begin, std::size_t end)>;
  // After forward(x): fills grads() from dL/d(output). `x` must be the matrix
  // the forward pass read. `done`, when given, hears of each layer's gradients
  // as soon as they are written (data-parallel training starts summing them
  // over the ranks while the earlier layers' backward runs).
  void backward(const Matrix& x, const Matrix& d_output, const GradientsDone& done = {});
  // Each layer's trainable parameters: a range [begin, end) of the arena's
  // trainable part (empty for a layer without), in layer order; the ranges
  // follow one another, so the layers from last to first give descending ranges.
  const std::vector<std::pair<std::size_t, std::size_t>>& layer_param_ranges() const { return layer_params_; }
  // backward() and a plain SGD step p -= rate * grad in one pass (see
  // Layer::backward_with_sgd_step); the same update as backward() followed by it.
  void backward_with_sgd_step(const Matrix& x, const Matrix& d_output, float rate);

 private:
  // Appends a layer and its parameter slices (offsets come later), refusing a
  // model of more than max_params parameters before anything is allocated.
  void add_layer(std::unique_ptr<Layer> layer, const std::string& path, std::size_t max_params);
  // Sizes the arena and binds every layer to its part of it (to nothing, with
  // Allocation::shapes_only).
  void lay_out_arena(Allocation allocation = Allocation::weights);

  Shape input_shape_;
  std::vector<std::unique_ptr<Layer>> layers_;
  std::size_t params_total_ = 0;
  bool has_constraints_ = false;  // a weight has a constraint: apply_constraints has work
  std::string limit_source_;  // what max_params came from, when memory ("this machine's memory")
  std::vector<ParamSlice> slices_;
  std::vector<float> params_;
  std::vector<float> grads_;
  std::size_t trainable_count_ = 0;
  std::optional<float> input_background_;
  // Runs `step(i, x, y, dy, dx)` for the layers from the last down to the first
  // with parameters, threading dL/dy through them.
  template <class Step>
  void backward_pass(const Matrix& d_output, Step&& step);

  std::vector<Matrix> outputs_;  // layer i's output buffer
  std::vector<Matrix> deltas_;   // deltas_[i] = dL/d(input of layer i + 1)
  // From the last forward, kept for backward: what layer i read and what it
  // produced (a pass-through layer produces its input, no copy).
  std::vector<const Matrix*> inputs_, results_;
  std::size_t first_trainable_ = 0;
  std::vector<std::pair<std::size_t, std::size_t>> layer_params_;  // [begin, end) of each layer's trainable part
};

}  // namespace mlp
