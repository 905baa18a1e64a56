#include "nn/model.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "core/error.h"
#include "core/machine.h"
#include "nn/layers/layer_factory.h"

namespace mlp {
namespace {

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int unit = 0;
  while (bytes >= 1024.0 && unit < 6) {
    bytes /= 1024.0;
    ++unit;
  }
  return fmt::format("{:.1f} {}", bytes, units[unit]);
}

}  // namespace

Model::Model(const Shape& input_shape, const Json& layers, std::size_t max_params, Allocation allocation)
    : input_shape_(input_shape) {
  if (!layers.is_array()) throw ConfigError("model.layers", "expected an array, got " + json_type_name(layers));
  if (layers.empty()) throw ConfigError("model.layers", "must hold at least one layer");
  if (allocation == Allocation::weights) {
    // What the machine's memory can train: refused here, naming the layer, rather
    // than as a bare "out of memory" once allocating.
    const MemoryBound memory = memory_bound();
    const double affordable = memory.bytes / bytes_per_param;
    if (affordable > 0 && affordable < static_cast<double>(max_params)) {
      max_params = static_cast<std::size_t>(affordable);
      limit_source_ = memory.what;
    }
  }
  std::map<std::string, int> name_counters;
  LayerContext context{input_shape, &name_counters};
  for (std::size_t i = 0; i < layers.size(); ++i) {
    ObjectReader reader(layers[i], index_path("model.layers", i));
    const auto& row = layer_table().find(reader.string("type"), reader.path("type"));
    auto layer = row.entry(reader, context);
    reader.finish();
    context.input_shape = layer->output_shape();
    add_layer(std::move(layer), reader.path(), max_params);
  }
  lay_out_arena(allocation);
}

Model::Model(const Shape& input_shape, std::vector<std::unique_ptr<Layer>> layers, std::size_t max_params)
    : input_shape_(input_shape) {
  if (layers.empty()) throw ConfigError("model.layers", "must hold at least one layer");
  for (std::size_t i = 0; i < layers.size(); ++i) add_layer(std::move(layers[i]), index_path("model.layers", i), max_params);
  lay_out_arena();
}

void Model::add_layer(std::unique_ptr<Layer> layer, const std::string& path, std::size_t max_params) {
  for (const auto& other : layers_)
    if (other->name() == layer->name())
      throw ConfigError(child_path(path, "name"), "layer name '" + layer->name() + "' is used twice");
  for (const auto& spec : layer->param_specs()) {
    double size = 1.0;  // in double: a hostile shape must not overflow before it is refused
    for (std::size_t d : spec.shape) size *= static_cast<double>(d);
    const double total = static_cast<double>(params_total_) + size;
    if (total > static_cast<double>(max_params))
      throw ConfigError(path, fmt::format("{} of shape {} would bring the model to {:.0f} parameters, needing {} "
                                          "to train; the limit is {} parameters{}",
                                          spec.name, shape_text(spec.shape), total,
                                          human_bytes(total * bytes_per_param), max_params,
                                          limit_source_.empty() ? "" : " (" + limit_source_ + ")"));
    slices_.push_back(
        {layer->name(), spec.name, spec.shape, 0, static_cast<std::size_t>(size), spec.trainable, spec.constraint});
    if (spec.constraint) has_constraints_ = true;
    params_total_ += static_cast<std::size_t>(size);
  }
  layers_.push_back(std::move(layer));
}

void Model::lay_out_arena(Allocation allocation) {
  // The arena holds the trainable parameters first, layer after layer, then the
  // rest: the optimizer and the gradients see one contiguous span, and each
  // layer's trainable parameters are one range of it.
  trainable_count_ = 0;
  for (const auto& slice : slices_)
    if (slice.trainable) trainable_count_ += slice.size;
  std::size_t trainable_offset = 0, frozen_offset = trainable_count_;
  for (auto& slice : slices_) {
    std::size_t& offset = slice.trainable ? trainable_offset : frozen_offset;
    slice.offset = offset;
    offset += slice.size;
  }
  if (allocation == Allocation::weights) {
    params_.assign(params_total_, 0.0f);
    grads_.assign(trainable_count_, 0.0f);
  }
  std::size_t slice = 0;
  for (auto& layer : layers_) {
    std::vector<float*> p, g;
    std::size_t begin = trainable_offset, end = 0;
    for (std::size_t k = 0; k < layer->param_specs().size(); ++k, ++slice) {
      const ParamSlice& s = slices_[slice];
      p.push_back(params_.empty() ? nullptr : params_.data() + s.offset);
      g.push_back(s.trainable && !grads_.empty() ? grads_.data() + s.offset : nullptr);
      if (s.trainable) {
        begin = std::min(begin, s.offset);
        end = std::max(end, s.offset + s.size);
      }
    }
    layer_params_.emplace_back(begin, std::max(begin, end));
    layer->bind(std::move(p), std::move(g));
  }
  // Layers up to the first one with trainable parameters need no input gradient.
  const auto trains = [](const std::unique_ptr<Layer>& layer) {
    const auto specs = layer->param_specs();
    return std::any_of(specs.begin(), specs.end(), [](const ParamSpec& spec) { return spec.trainable; });
  };
  first_trainable_ = static_cast<std::size_t>(std::find_if(layers_.begin(), layers_.end(), trains) - layers_.begin());
  outputs_.resize(layers_.size());
  deltas_.resize(layers_.size());
  inputs_.resize(layers_.size());
  results_.resize(layers_.size());
}

std::span<float> Model::trainable_params() { return {params_.data(), trainable_count_}; }

std::size_t Model::output_size() const { return shape_size(layers_.back()->output_shape()); }

Json Model::layers_config() const {
  Json layers = Json::array();
  for (const auto& layer : layers_) layers.push_back(layer->config());
  return layers;
}

std::size_t Model::workspace_floats_per_sample() const {
  std::size_t floats = input_size();
  for (const auto& layer : layers_) floats += 4 * shape_size(layer->output_shape());
  return floats;
}

void Model::init_params(Rng& rng) {
  for (auto& layer : layers_) layer->init_params(rng);
}

void Model::apply_constraints() {
  if (!has_constraints_) return;
  for (const auto& slice : slices_)
    if (slice.constraint) slice.constraint->apply(params_.data() + slice.offset, slice.shape);
}

double Model::penalty() const {
  double sum = 0.0;
  for (const auto& layer : layers_) sum += layer->penalty();
  return sum;
}

const Matrix& Model::forward(const Matrix& x, const ForwardContext& ctx) {
  ForwardContext layer_ctx = ctx;
  layer_ctx.input_background = input_background_;  // for the layer that reads the model's input only
  const Matrix* input = &x;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    inputs_[i] = input;
    if (!layers_[i]->passes_through()) {
      layers_[i]->forward(*input, outputs_[i], layer_ctx);
      input = &outputs_[i];
      layer_ctx.input_background.reset();
    }
    results_[i] = input;
  }
  return *input;
}

template <class Step>
void Model::backward_pass(const Matrix& d_output, Step&& step) {
  const Matrix* dy = &d_output;
  for (std::size_t i = layers_.size(); i-- > 0 && i + 1 > first_trainable_;) {
    if (layers_[i]->passes_through()) continue;  // dL/dx is dL/dy
    Matrix* dx = i <= first_trainable_ ? nullptr : &deltas_[i - 1];
    step(i, *inputs_[i], *results_[i], *dy, dx);
    dy = dx;
  }
}

void Model::backward_with_sgd_step(const Matrix&, const Matrix& d_output, float rate) {
  backward_pass(d_output, [&](std::size_t i, const Matrix& x, const Matrix& y, const Matrix& dy, Matrix* dx) {
    if (!layers_[i]->backward_with_sgd_step(x, y, dy, dx, rate))
      for (std::size_t k = layer_params_[i].first; k < layer_params_[i].second; ++k) params_[k] -= rate * grads_[k];
  });
}

void Model::backward(const Matrix&, const Matrix& d_output, const GradientsDone& done) {
  backward_pass(d_output, [&](std::size_t i, const Matrix& x, const Matrix& y, const Matrix& dy, Matrix* dx) {
    layers_[i]->backward(x, y, dy, dx);
    const auto [begin, end] = layer_params_[i];
    if (done && begin < end) done(begin, end);
  });
}

const ParamSlice* Model::find_slice(const std::string& layer, const std::string& name) const {
  for (const auto& s : slices_)
    if (s.layer == layer && s.name == name) return &s;
  return nullptr;
}

}  // namespace mlp
