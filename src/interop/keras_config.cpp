#include "interop/keras_config.h"

#include <fmt/format.h>

#include "core/error.h"

namespace mlp {
namespace {

using nlohmann::json;
using ordered = nlohmann::ordered_json;

// keras@2.2.4:keras/initializers.py: the names mlp takes, as serialize() writes them.
ordered initializer(const std::string& name) {
  const auto variance_scaling = [](double scale, const char* mode, const char* distribution) {
    return ordered{{"class_name", "VarianceScaling"},
                   {"config", ordered{{"scale", scale}, {"mode", mode}, {"distribution", distribution}, {"seed", nullptr}}}};
  };
  if (name == "zeros") return {{"class_name", "Zeros"}, {"config", ordered::object()}};
  if (name == "ones") return {{"class_name", "Ones"}, {"config", ordered::object()}};
  if (name == "random_normal")
    return {{"class_name", "RandomNormal"}, {"config", ordered{{"mean", 0.0}, {"stddev", 0.05}, {"seed", nullptr}}}};
  if (name == "random_uniform")
    return {{"class_name", "RandomUniform"}, {"config", ordered{{"minval", -0.05}, {"maxval", 0.05}, {"seed", nullptr}}}};
  if (name == "truncated_normal")
    return {{"class_name", "TruncatedNormal"}, {"config", ordered{{"mean", 0.0}, {"stddev", 0.05}, {"seed", nullptr}}}};
  if (name == "glorot_uniform") return variance_scaling(1.0, "fan_avg", "uniform");
  if (name == "glorot_normal") return variance_scaling(1.0, "fan_avg", "normal");
  if (name == "he_uniform") return variance_scaling(2.0, "fan_in", "uniform");
  if (name == "he_normal") return variance_scaling(2.0, "fan_in", "normal");
  if (name == "lecun_uniform") return variance_scaling(1.0, "fan_in", "uniform");
  if (name == "lecun_normal") return variance_scaling(1.0, "fan_in", "normal");
  throw Error(ExitCode::usage, "", "", fmt::format("the initializer {} has no Keras form", name));
}

// keras/regularizers.py L1L2.
ordered regularizer(const json& config) {
  if (config.is_null()) return nullptr;
  return {{"class_name", "L1L2"},
          {"config", ordered{{"l1", config.value("l1", 0.0)}, {"l2", config.value("l2", 0.0)}}}};
}

// keras/constraints.py.
ordered constraint(const json& config) {
  if (config.is_null()) return nullptr;
  const std::string type = config.at("type");
  if (type == "non_neg") return {{"class_name", "NonNeg"}, {"config", ordered::object()}};
  if (type == "unit_norm") return {{"class_name", "UnitNorm"}, {"config", ordered{{"axis", config.at("axis")}}}};
  if (type == "max_norm")
    return {{"class_name", "MaxNorm"}, {"config", ordered{{"max_value", config.at("max_value")}, {"axis", config.at("axis")}}}};
  if (type == "min_max_norm")
    return {{"class_name", "MinMaxNorm"},
            {"config", ordered{{"min_value", config.at("min_value")}, {"max_value", config.at("max_value")},
                               {"rate", config.at("rate")}, {"axis", config.at("axis")}}}};
  throw Error(ExitCode::usage, "", "", fmt::format("the constraint {} has no Keras form", type));
}

// Keras's activation names; leaky_relu is split off by the caller.
std::string activation(const std::string& name) { return name; }

// The layer's own keys after Keras's base ones (name, trainable, and for the
// first layer batch_input_shape and dtype), in get_config()'s order.
ordered own_keys(const std::string& type, const json& c) {
  const auto conv_like = [&](ordered o) {
    o["activation"] = activation(c.at("activation"));
    o["use_bias"] = c.at("use_bias");
    o["kernel_initializer"] = initializer(c.at("kernel_initializer"));
    o["bias_initializer"] = initializer(c.at("bias_initializer"));
    o["kernel_regularizer"] = regularizer(c.at("kernel_regularizer"));
    o["bias_regularizer"] = regularizer(c.value("bias_regularizer", json(nullptr)));
    o["activity_regularizer"] = nullptr;
    o["kernel_constraint"] = constraint(c.at("kernel_constraint"));
    o["bias_constraint"] = constraint(c.at("bias_constraint"));
    return o;
  };
  if (type == "Dense") return conv_like(ordered{{"units", c.at("units")}});
  if (type == "Conv2D")
    return conv_like(ordered{{"filters", c.at("filters")},
                             {"kernel_size", c.at("kernel_size")},
                             {"strides", c.at("strides")},
                             {"padding", c.at("padding")},
                             {"data_format", "channels_last"},
                             {"dilation_rate", c.at("dilation_rate")}});
  if (type == "Dropout") return {{"rate", c.at("rate")}, {"noise_shape", nullptr}, {"seed", nullptr}};
  if (type == "Activation") return {{"activation", activation(c.at("activation"))}};
  if (type == "Flatten") return {{"data_format", "channels_last"}};
  if (type == "Reshape") return {{"target_shape", c.at("target_shape")}};
  if (type == "MaxPooling2D" || type == "AveragePooling2D")
    return {{"pool_size", c.at("pool_size")},
            {"padding", c.at("padding")},
            {"strides", c.at("strides")},
            {"data_format", "channels_last"}};
  if (type == "GlobalAveragePooling2D" || type == "GlobalMaxPooling2D") return {{"data_format", "channels_last"}};
  if (type == "BatchNormalization")
    return {{"axis", -1},
            {"momentum", c.at("momentum")},
            {"epsilon", c.at("epsilon")},
            {"center", c.at("center")},
            {"scale", c.at("scale")},
            {"beta_initializer", initializer(c.at("beta_initializer"))},
            {"gamma_initializer", initializer(c.at("gamma_initializer"))},
            {"moving_mean_initializer", initializer(c.at("moving_mean_initializer"))},
            {"moving_variance_initializer", initializer(c.at("moving_variance_initializer"))},
            {"beta_regularizer", regularizer(c.at("beta_regularizer"))},
            {"gamma_regularizer", regularizer(c.at("gamma_regularizer"))},
            {"beta_constraint", constraint(c.at("beta_constraint"))},
            {"gamma_constraint", constraint(c.at("gamma_constraint"))}};
  if (type == "LeakyReLU" || type == "ELU") return {{"alpha", c.at("alpha")}};
  if (type == "ThresholdedReLU") return {{"theta", c.at("theta")}};
  if (type == "Softmax") return {{"axis", c.at("axis")}};
  if (type == "PReLU")
    return {{"alpha_initializer", initializer(c.at("alpha_initializer"))},
            {"alpha_regularizer", regularizer(c.at("alpha_regularizer"))},
            {"alpha_constraint", constraint(c.at("alpha_constraint"))},
            {"shared_axes", c.at("shared_axes")}};
  throw Error(ExitCode::usage, "", "", fmt::format("the layer type {} has no Keras form", type));
}

ordered with_base(const std::string& class_name, const std::string& name, const ordered& own, const Shape* input_shape) {
  ordered config{{"name", name}, {"trainable", true}};
  if (input_shape) {
    ordered shape{nullptr};
    for (const std::size_t s : *input_shape) shape.push_back(s);
    config["batch_input_shape"] = shape;
    config["dtype"] = "float32";
  }
  for (const auto& [key, value] : own.items()) config[key] = value;
  return {{"class_name", class_name}, {"config", config}};
}

}  // namespace

std::vector<KerasLayer> keras_layers(const Model& model) {
  std::vector<KerasLayer> out;
  for (const auto& layer : model.layers()) {
    json c = layer->config();
    const std::string type = c.at("type");
    const bool leaky = c.contains("activation") && c.at("activation") == "leaky_relu";
    if (leaky) c["activation"] = "linear";
    const Shape* input = out.empty() ? &model.input_shape() : nullptr;
    KerasLayer k{with_base(type, layer->name(), own_keys(type, c), input), {}};
    for (const auto& spec : layer->param_specs()) {
      if (!spec.keras_weight) continue;
      if (const ParamSlice* slice = model.find_slice(layer->name(), spec.name))
        k.weights.push_back({layer->name() + "/" + spec.name + ":0", slice->shape,
                             std::span<const float>(model.params().data() + slice->offset, slice->size)});
    }
    out.push_back(std::move(k));
    if (leaky)  // tf.nn.leaky_relu's slope, which mlp's leaky_relu activation uses
      out.push_back({with_base("LeakyReLU", layer->name() + "_leaky_relu", own_keys("LeakyReLU", {{"alpha", 0.2}}), nullptr), {}});
  }
  return out;
}

ordered keras_model_config(const std::vector<KerasLayer>& layers) {
  ordered list = ordered::array();
  for (const auto& l : layers) list.push_back(l.config);
  return {{"class_name", "Sequential"}, {"config", ordered{{"name", "sequential_1"}, {"layers", list}}}};
}

nlohmann::ordered_json mlp_preprocessing(const Compiled& compiled) {
  const Preprocessing& p = compiled.preprocessing;
  nlohmann::ordered_json out{{"inputs", p.byte_inputs ? "bytes" : "values"}, {"input_range", {p.low, p.high}}};
  if (!p.shift.empty()) {
    out["normalize"] = p.normalize;
    out["shift"] = p.shift;
    out["scale"] = p.scale;
  }
  if (!compiled.class_names.empty()) out["class_names"] = compiled.class_names;
  return out;
}

}  // namespace mlp
