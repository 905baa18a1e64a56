#include "interop/onnx_export.h"

#include <cmath>
#include <functional>
#include <map>
#include <numbers>
#include <span>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"
#include "core/version.h"
#include "interop/onnx_graph.h"
#include "nn/layers/window2d.h"

namespace mlp {
namespace {

using Dims = std::vector<std::int64_t>;

// A value of the graph: its per-sample shape as Keras has it (channels_last),
// and whether an image is held as ONNX's NCHW instead.
struct Value {
  std::string name;
  Shape shape;
  bool nchw = false;
};

class Emitter {
 public:
  explicit Emitter(const Model& model) : model_(model) {}
  onnx::Graph graph{"mlp"};

  std::string fresh(const std::string& base) {
    const int n = used_[base]++;
    return n == 0 ? base : fmt::format("{}_{}", base, n);
  }
  std::string scalar(const std::string& base, float value) {
    return graph.weights(fresh(base), {}, std::span<const float>(&value, 1));
  }
  const ParamSlice& slice(const Layer& layer, const std::string& name) const {
    const ParamSlice* s = model_.find_slice(layer.name(), name);
    if (!s) throw Error(ExitCode::usage, "", "", fmt::format("layer {} has no weight {}", layer.name(), name));
    return *s;
  }
  std::span<const float> weight(const Layer& layer, const std::string& name) const {
    const ParamSlice& s = slice(layer, name);
    return {model_.params().data() + s.offset, s.size};
  }
  const Shape& param_shape(const Layer& layer, const std::string& name) const { return slice(layer, name).shape; }
  bool has_weight(const Layer& layer, const std::string& name) const {
    return model_.find_slice(layer.name(), name) != nullptr;
  }

  Value nchw(Value v) {
    if (v.shape.size() != 3 || v.nchw) return v;
    v.name = graph.node("Transpose", {v.name}, fresh(v.name + "_nchw"), {{"perm", Dims{0, 3, 1, 2}}});
    v.nchw = true;
    return v;
  }
  Value nhwc(Value v) {
    if (!v.nchw) return v;
    v.name = graph.node("Transpose", {v.name}, fresh(v.name + "_nhwc"), {{"perm", Dims{0, 2, 3, 1}}});
    v.nchw = false;
    return v;
  }

  // Keras's activation `fn` on v (its layout kept), as ONNX nodes named from `base`.
  Value activation(const std::string& fn, Value v, const std::string& base) {
    const auto op = [&](const std::string& type, std::vector<onnx::Attribute> attributes = {}) {
      v.name = graph.node(type, {v.name}, fresh(base), attributes);
      return v;
    };
    if (fn == "linear") return v;
    if (fn == "relu") return op("Relu");
    if (fn == "sigmoid") return op("Sigmoid");
    if (fn == "tanh") return op("Tanh");
    if (fn == "softmax") return op("Softmax", {{"axis", std::int64_t{v.nchw ? 1 : -1}}});
    if (fn == "elu") return op("Elu", {{"alpha", 1.0f}});
    if (fn == "selu")
      return op("Selu", {{"alpha", 1.6732632423543772848170429916717f}, {"gamma", 1.0507009873554804934193349852946f}});
    if (fn == "softplus") return op("Softplus");
    if (fn == "softsign") return op("Softsign");
    if (fn == "hard_sigmoid") return op("HardSigmoid", {{"alpha", 0.2f}, {"beta", 0.5f}});
    if (fn == "leaky_relu") return op("LeakyRelu", {{"alpha", 0.2f}});
    if (fn == "swish") {  // x sigmoid(x): opset 13 has no Swish
      const std::string s = graph.node("Sigmoid", {v.name}, fresh(base + "_sigmoid"));
      v.name = graph.node("Mul", {v.name, s}, fresh(base));
      return v;
    }
    if (fn == "gelu") {  // x (1 + erf(x / sqrt 2)) / 2: opset 13 has no Gelu
      const std::string x = v.name;
      const std::string scaled =
          graph.node("Mul", {x, scalar(base + "_rsqrt2", static_cast<float>(std::numbers::sqrt2 / 2))}, fresh(base + "_scaled"));
      const std::string erf = graph.node("Erf", {scaled}, fresh(base + "_erf"));
      const std::string one = graph.node("Add", {erf, scalar(base + "_one", 1.0f)}, fresh(base + "_one_plus"));
      const std::string times = graph.node("Mul", {x, one}, fresh(base + "_times"));
      v.name = graph.node("Mul", {times, scalar(base + "_half", 0.5f)}, fresh(base));
      return v;
    }
    throw Error(ExitCode::usage, "", "", fmt::format("the activation {} has no ONNX form", fn));
  }

 private:
  const Model& model_;
  std::map<std::string, int> used_;
};

Dims batch_dims(const Shape& shape) {
  Dims d{-1};
  for (const std::size_t s : shape) d.push_back(static_cast<std::int64_t>(s));
  return d;
}

// A convolution's or pooling's window over v, as its config gives it.
Window2D window_of(const Json& config, const Shape& in, const std::string& size_key) {
  const auto pair = [&](const char* key, std::size_t fallback) {
    if (!config.contains(key)) return std::array<std::size_t, 2>{fallback, fallback};
    const Json& j = config.at(key);
    return std::array<std::size_t, 2>{j.at(0).get<std::size_t>(), j.at(1).get<std::size_t>()};
  };
  Window2D w;
  w.in_h = in.at(0), w.in_w = in.at(1), w.channels = in.at(2);
  const auto size = pair(size_key.c_str(), 1), strides = pair("strides", 1), dilation = pair("dilation_rate", 1);
  w.kernel_h = size[0], w.kernel_w = size[1], w.stride_h = strides[0], w.stride_w = strides[1];
  w.dilation_h = dilation[0], w.dilation_w = dilation[1];
  w.same = config.at("padding") == "same";
  w.lay_out();
  return w;
}

std::vector<onnx::Attribute> window_attributes(const Window2D& w, bool dilations) {
  const auto pad_after = [](std::size_t in, std::size_t out, std::size_t kernel, std::size_t stride,
                            std::size_t dilation, std::size_t before) {
    const std::size_t needed = (out - 1) * stride + (kernel - 1) * dilation + 1;
    return static_cast<std::int64_t>(needed > in + before ? needed - in - before : 0);
  };
  std::vector<onnx::Attribute> a{
      {"kernel_shape", Dims{static_cast<std::int64_t>(w.kernel_h), static_cast<std::int64_t>(w.kernel_w)}},
      {"strides", Dims{static_cast<std::int64_t>(w.stride_h), static_cast<std::int64_t>(w.stride_w)}},
      {"pads", Dims{static_cast<std::int64_t>(w.pad_top), static_cast<std::int64_t>(w.pad_left),
                    pad_after(w.in_h, w.out_h, w.kernel_h, w.stride_h, w.dilation_h, w.pad_top),
                    pad_after(w.in_w, w.out_w, w.kernel_w, w.stride_w, w.dilation_w, w.pad_left)}}};
  if (dilations)
    a.push_back({"dilations", Dims{static_cast<std::int64_t>(w.dilation_h), static_cast<std::int64_t>(w.dilation_w)}});
  return a;
}

using Emit = std::function<Value(Emitter&, const Layer&, const Json&, Value)>;

Value dense(Emitter& e, const Layer& layer, const Json& config, Value v) {
  const auto kernel = e.weight(layer, "kernel");
  const auto units = config.at("units").get<std::int64_t>();
  std::vector<std::string> inputs{
      v.name, e.graph.weights(layer.name() + "/kernel", {static_cast<std::int64_t>(kernel.size()) / units, units}, kernel)};
  if (e.has_weight(layer, "bias")) inputs.push_back(e.graph.weights(layer.name() + "/bias", {units}, e.weight(layer, "bias")));
  v.name = e.graph.node("Gemm", inputs, e.fresh(layer.name() + (config.at("activation") == "linear" ? "" : "_linear")));
  v.shape = layer.output_shape();
  return e.activation(config.at("activation"), v, layer.name());
}

Value conv2d(Emitter& e, const Layer& layer, const Json& config, Value v) {
  const Window2D w = window_of(config, v.shape, "kernel_size");
  v = e.nchw(v);
  // Keras's kernel (kh, kw, in, out) as ONNX's (out, in, kh, kw).
  const auto kernel = e.weight(layer, "kernel");
  const std::size_t filters = config.at("filters").get<std::size_t>(), kh = w.kernel_h, kw = w.kernel_w, c = w.channels;
  std::vector<float> oihw(kernel.size());
  for (std::size_t i = 0; i < kh; ++i)
    for (std::size_t j = 0; j < kw; ++j)
      for (std::size_t ch = 0; ch < c; ++ch)
        for (std::size_t f = 0; f < filters; ++f)
          oihw[((f * c + ch) * kh + i) * kw + j] = kernel[((i * kw + j) * c + ch) * filters + f];
  std::vector<std::string> inputs{
      v.name, e.graph.weights(layer.name() + "/kernel",
                              {static_cast<std::int64_t>(filters), static_cast<std::int64_t>(c),
                               static_cast<std::int64_t>(kh), static_cast<std::int64_t>(kw)},
                              oihw)};
  if (e.has_weight(layer, "bias"))
    inputs.push_back(e.graph.weights(layer.name() + "/bias", {static_cast<std::int64_t>(filters)}, e.weight(layer, "bias")));
  v.name = e.graph.node("Conv", inputs, e.fresh(layer.name() + (config.at("activation") == "linear" ? "" : "_linear")),
                        window_attributes(w, true));
  v.shape = layer.output_shape();
  return e.activation(config.at("activation"), v, layer.name());
}

Emit pooling(const char* op) {
  return [op](Emitter& e, const Layer& layer, const Json& config, Value v) {
    const Window2D w = window_of(config, v.shape, "pool_size");
    v = e.nchw(v);
    v.name = e.graph.node(op, {v.name}, e.fresh(layer.name()), window_attributes(w, false));
    v.shape = layer.output_shape();
    return v;
  };
}

Emit global_pooling(const char* op) {
  return [op](Emitter& e, const Layer& layer, const Json&, Value v) {
    v = e.nchw(v);
    const std::string pooled = e.graph.node(op, {v.name}, e.fresh(layer.name() + "_nc11"));
    v.name = e.graph.node("Flatten", {pooled}, e.fresh(layer.name()), {{"axis", std::int64_t{1}}});
    v.shape = layer.output_shape();
    v.nchw = false;
    return v;
  };
}

Value batch_normalization(Emitter& e, const Layer& layer, const Json& config, Value v) {
  v = e.nchw(v);
  const auto mean = e.weight(layer, "moving_mean");
  const auto channels = static_cast<std::int64_t>(mean.size());
  const std::vector<float> ones(mean.size(), 1.0f), zeros(mean.size(), 0.0f);
  const std::string base = layer.name() + "/";
  const std::string gamma = e.graph.weights(base + "gamma", {channels}, e.has_weight(layer, "gamma") ? e.weight(layer, "gamma") : ones);
  const std::string beta = e.graph.weights(base + "beta", {channels}, e.has_weight(layer, "beta") ? e.weight(layer, "beta") : zeros);
  const std::string m = e.graph.weights(base + "moving_mean", {channels}, mean);
  const std::string var = e.graph.weights(base + "moving_variance", {channels}, e.weight(layer, "moving_variance"));
  v.name = e.graph.node("BatchNormalization", {v.name, gamma, beta, m, var}, e.fresh(layer.name()),
                        {{"epsilon", config.at("epsilon").get<float>()}});
  return v;
}

Value flatten(Emitter& e, const Layer& layer, const Json&, Value v) {
  v = e.nhwc(v);
  v.name = e.graph.node("Flatten", {v.name}, e.fresh(layer.name()), {{"axis", std::int64_t{1}}});
  v.shape = layer.output_shape();
  return v;
}

Value reshape(Emitter& e, const Layer& layer, const Json&, Value v) {
  v = e.nhwc(v);
  Dims target{0};  // 0: the batch's dimension, copied
  for (const std::size_t s : layer.output_shape()) target.push_back(static_cast<std::int64_t>(s));
  v.name = e.graph.node("Reshape", {v.name, e.graph.int64s(layer.name() + "/shape", target)}, e.fresh(layer.name()));
  v.shape = layer.output_shape();
  return v;
}

Value activation_layer(Emitter& e, const Layer& layer, const Json& config, Value v) {
  return e.activation(config.at("activation"), v, layer.name());
}

Emit one_op(const char* op, const char* key = nullptr, const char* attribute = nullptr) {
  return [op, key, attribute](Emitter& e, const Layer& layer, const Json& config, Value v) {
    std::vector<onnx::Attribute> attributes;
    if (key) attributes.push_back({attribute, config.at(key).get<float>()});
    v.name = e.graph.node(op, {v.name}, e.fresh(layer.name()), attributes);
    return v;
  };
}

Value prelu(Emitter& e, const Layer& layer, const Json&, Value v) {
  v = e.nhwc(v);  // alpha has the input's (channels_last) shape, broadcast over shared axes
  const auto alpha = e.weight(layer, "alpha");
  Dims dims;
  for (const auto& s : e.param_shape(layer, "alpha")) dims.push_back(static_cast<std::int64_t>(s));
  v.name = e.graph.node("PRelu", {v.name, e.graph.weights(layer.name() + "/alpha", dims, alpha)}, e.fresh(layer.name()));
  return v;
}

Value softmax_layer(Emitter& e, const Layer& layer, const Json& config, Value v) {
  v = e.nhwc(v);  // Keras's axis counts channels_last dimensions, the batch's first
  v.name = e.graph.node("Softmax", {v.name}, e.fresh(layer.name()), {{"axis", config.at("axis").get<std::int64_t>()}});
  return v;
}

Value identity(Emitter&, const Layer&, const Json&, Value v) { return v; }  // Dropout: nothing at inference

const std::map<std::string, Emit>& emitters() {
  static const std::map<std::string, Emit> table{
      {"Dense", dense},
      {"Dropout", identity},
      {"Activation", activation_layer},
      {"Flatten", flatten},
      {"Reshape", reshape},
      {"Conv2D", conv2d},
      {"MaxPooling2D", pooling("MaxPool")},
      {"AveragePooling2D", pooling("AveragePool")},
      {"GlobalAveragePooling2D", global_pooling("GlobalAveragePool")},
      {"GlobalMaxPooling2D", global_pooling("GlobalMaxPool")},
      {"BatchNormalization", batch_normalization},
      {"LeakyReLU", one_op("LeakyRelu", "alpha", "alpha")},
      {"ELU", one_op("Elu", "alpha", "alpha")},
      {"ThresholdedReLU", one_op("ThresholdedRelu", "theta", "alpha")},
      {"PReLU", prelu},
      {"Softmax", softmax_layer},
  };
  return table;
}

}  // namespace

std::string export_onnx(const Compiled& compiled, const std::string& source) {
  const Model& model = *compiled.model;
  Emitter e(model);
  e.graph.input("input", batch_dims(model.input_shape()));
  // The input as training saw it (data/dataset.h): a model trained on bytes maps
  // them by input_range, x / (255 / (high - low)) + low; then data.normalize's
  // (x - shift) * scale, per feature.
  const Preprocessing& p = compiled.preprocessing;
  Value v{"input", model.input_shape()};
  if (p.byte_inputs) {
    const std::string divided = e.graph.node("Div", {"input", e.scalar("input_divisor", p.divisor())}, "input_divided");
    v.name = e.graph.node("Add", {divided, e.scalar("input_low", p.low)}, "input_scaled");
  }
  if (!p.shift.empty()) {
    std::vector<std::int64_t> dims(model.input_shape().begin(), model.input_shape().end());
    const std::string shifted =
        e.graph.node("Sub", {v.name, e.graph.weights("input_shift", dims, p.shift)}, "input_shifted");
    v.name = e.graph.node("Mul", {shifted, e.graph.weights("input_scale", dims, p.scale)}, "input_normalized");
  }
  for (const auto& layer : model.layers()) {
    const auto it = emitters().find(layer->class_name());
    if (it == emitters().end())
      throw Error(ExitCode::usage, source, "", fmt::format("layer {} ({}) has no ONNX form", layer->name(), layer->class_name()));
    v = it->second(e, *layer, layer->config(), v);
  }
  v = e.nhwc(v);
  e.graph.node("Identity", {v.name}, "output");
  e.graph.output("output", batch_dims(v.shape));
  const std::string doc = fmt::format(
      "Exported by mlp {} from {}. input: {} as float32, shape [N, {}]; output: the model's output, shape [N, {}].",
      program_version, source,
      p.byte_inputs ? "raw pixel (byte) values 0-255" : "the features as the training data held them",
      fmt::join(model.input_shape(), ", "), fmt::join(v.shape, ", "));
  return e.graph.model(program_version, doc);
}

}  // namespace mlp
